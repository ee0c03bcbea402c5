/* The disputes module: contested job results settled in tiers, id 9.
 *
 * Without this module a consumer's JOB_REJECT refunds at once, so a
 * consumer can get any delivered work for free at the price of its
 * feedback. With it, a rejection is a claim that costs a bond and that
 * the provider can contest; neutral parties settle it. The design
 * follows three anchors (docs/disputes.md cites them): Kleros' escrow (each side deposits, the
 * side that does not answer in time loses by default), UMA's optimistic
 * oracle (bonds: the winner gets 2B minus a fee) and Kleros' court
 * (panels drawn by stake, hidden votes, appeals that grow the panel,
 * incoherent jurors paying coherent ones).
 *
 * A dispute's life (one per job, named by the job's id; the jobs module
 * keeps the job live, status DISPUTED, its escrow frozen):
 *
 *   1. Opened. The consumer's JOB_REJECT of a DELIVERED job within the
 *      challenge window takes `bond` from its balance. The provider has
 *      `response_ns` to answer with DISPUTE_DEFEND and the same bond;
 *      silence loses by default (the consumer is refunded, its bond
 *      back: ruling CONSUMER at tier 0).
 *   2. Tier 1: re-execution. Defended, `verifiers` seats are drawn (by
 *      stake, with replacement, among the staked jurors who verify and
 *      are neither party) and each verifier, having re-run the job,
 *      sends DISPUTE_VERDICT within `verify_ns`. When every seat has
 *      answered, or the time is up: verdicts that all agree are the
 *      round's ruling; none, or a split, go to tier 2 at once, free.
 *   3. Tier 2: panels. `panel` seats are drawn among the jurors who
 *      arbitrate. A drawn arbiter sends DISPUTE_COMMIT (a hash of its
 *      vote and a salt, txmsg_disputes.h) within `vote_ns`, then
 *      DISPUTE_REVEAL within the next `vote_ns`; each reveals its vote
 *      with the weight of its seats. The commit period ends early when
 *      every seat has committed, the reveal period when every commit is
 *      revealed. The plurality of revealed seats is the ruling; a tie,
 *      or no reveal at all, rules NONE (Kleros: refuse to arbitrate).
 *   4. Appeal. After a round's ruling, either party that it does not
 *      favour (both, after NONE) may send DISPUTE_APPEAL within
 *      `appeal_ns`, paying `seat_fee` for each seat of the next round: a
 *      panel of 2n + 1 seats after one of n (3, 7, 15), the first panel
 *      after tier 1. A round with `panel_max` seats or more is final.
 *      No appeal in time: the round's ruling is final.
 *   5. Settled (the end block after the ruling became final, or at
 *      once for a default):
 *      - the escrow: CONSUMER refunds payment and fee (job outcome
 *        OVERTURNED: feedback 0, a failure for the provider); PROVIDER
 *        releases it (UPHELD: a job done); NONE splits the payment, the
 *        provider half rounded down, and refunds the fee (SPLIT);
 *      - the bonds: fee = bond x fee_permille / 1000 (UMA's burned bond
 *        share); the winner gets 2 x bond - fee; after NONE each side
 *        gets bond - fee / 2 (rounded down) and the remainder joins the
 *        fee;
 *      - the jurors: a seat is coherent when its vote (verdict, or
 *        revealed vote) is the final ruling; after NONE every seat that
 *        voted is coherent. Each incoherent seat (a wrong or missing
 *        vote) loses `stake_at_risk` of its juror's stake (all of it
 *        when less is left), and the round's coherent seats share those
 *        penalties and the round's appeal fees; the bond fee is shared
 *        by every coherent seat of every round. Shares are by seats,
 *        floor, the remainder to the first coherent seat in (juror)
 *        order; with no coherent seat the tokens go to the fee
 *        collector (burned when the distribution module is absent).
 *      Nothing is left behind: the dispute and its seats are removed.
 *
 * Jurors. The pool is set at genesis (proto_disputes_genesis): each
 * juror an account with a stake (tokens the genesis creates, as the
 * registry's genesis bonds are) and roles (verifier, arbiter, or both).
 * A juror with no stake left is never drawn. Stakes change only by the
 * penalties and shares above.
 *
 * The draw. Seat k of round r of the dispute on job j is drawn with
 * BLAKE2b-256("aitbc-draw" | chain_id | j | r | k | time_ns of the block
 * that starts the round), read as a u64 modulo the eligible stake. Every
 * node computes the same panel; the parties can compute it too once the
 * block is known (a chain would take a beacon: RANDAO or a VRF; the
 * simulator's adversaries do not grind timestamps).
 *
 * Messages (bodies in txmsg_disputes.h, refusals proto_disputes_result;
 * a refused message leaves the state as it was; DEFEND by the job's
 * provider, VERDICT, COMMIT and REVEAL by drawn jurors, APPEAL by a
 * party), checked in this order: the dispute exists (unknown_dispute);
 * the sender's role (not_provider, not_party, not_drawn); the phase
 * (wrong_phase: a defence once defended, a verdict outside tier 1, a
 * commit outside its commit period, a reveal outside its reveal
 * period, an appeal with no ruling to appeal) and the round
 * (wrong_round: a vote or appeal naming another round than the
 * current); the time (past_deadline: at or after the phase's end, even
 * before the end block moved the dispute on); then the message's own
 * rules: already_voted, no_commit (a reveal without a commit),
 * bad_reveal (not the committed vote), not_loser (appealing a ruling in
 * one's favour), no_funds (bond or appeal fee). A round of panel_max
 * seats is final the moment it is tallied, and its dispute settled in
 * that end block, so an appeal of it finds no dispute (unknown_dispute).
 *
 * Gas, charged before anything is checked: a read and a write of the
 * dispute record (PROTO_DISPUTES_KEY_SIZE + PROTO_DISPUTES_VALUE_SIZE),
 * and for DEFEND and APPEAL a read and a write of the sender's account
 * and a write of every seat the draw may add (the largest next round);
 * for VERDICT, COMMIT and REVEAL a read and a write of the sender's seat
 * (PROTO_DISPUTES_SEAT_KEY_SIZE + _VALUE_SIZE). JOB_REJECT's extra
 * (the bond) is charged by the jobs module. The end block's work (draws,
 * tallies, settlement) is the chain's, as every end block's is.
 *
 * Events (event.h, PROTO_EV_DISPUTE): every step of every dispute.
 *
 * Invariants, every committed height: disputes in job order, each on a
 * live DISPUTED job and each DISPUTED job with one; phases, rounds and
 * deadlines consistent; the seats of each round sum to its size and
 * belong to jurors; a reveal only after a commit; the module's tokens
 * (stakes + bonds + appeal fees held) equal its supply.
 *
 * Undo: the first change in an undo scope records a copy of the whole
 * state, as the registry and jobs modules do. The module is attached
 * only by its genesis, so a chain without it keeps the roots and traces
 * it always had. */
#ifndef AITBC_PROTOCOL_MODULES_DISPUTES_H
#define AITBC_PROTOCOL_MODULES_DISPUTES_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocol/chain/module.h"
#include "protocol/chain/txmsg_disputes.h"

#define PROTO_DISPUTES_MODULE_ID 9

/* Jurors one pool may hold; rounds one dispute may have (tier 1 and up
 * to five panels: 1, 3, 7, 15, 31). */
#define PROTO_DISPUTES_JURORS_MAX 256u
#define PROTO_DISPUTES_ROUNDS_MAX 6u
/* The largest panel a chain may allow (a u8 seat count per round). */
#define PROTO_DISPUTES_SEATS_MAX 63u

extern const proto_module proto_disputes_module;

typedef struct proto_disputes_params {
    uint64_t bond;             /* > 0: each side's bond */
    uint32_t fee_permille;     /* <= 1000: of the bond, taken from the loser's */
    int64_t response_ns;       /* > 0: the provider's time to defend */
    uint32_t verifiers;        /* 0..PROTO_DISPUTES_SEATS_MAX: tier 1 seats (0: straight to
                                * tier 2) */
    int64_t verify_ns;         /* > 0: tier 1's time */
    uint32_t panel;            /* >= 1: the first panel's seats */
    uint32_t panel_max;        /* >= panel, <= PROTO_DISPUTES_SEATS_MAX: no appeal beyond */
    int64_t vote_ns;           /* > 0: the commit period, and again the reveal period */
    int64_t appeal_ns;         /* > 0 */
    uint64_t seat_fee;         /* what an appeal pays per seat of the next round */
    uint64_t stake_at_risk;    /* what an incoherent seat loses */
} proto_disputes_params;

/* bond 1000, fee 50%, 20 s to respond, 1 verifier with 20 s, panel 3 up
 * to 15, 20 s commit and reveal, 20 s to appeal, seat fee 100, 500 at
 * risk per seat. */
proto_disputes_params proto_disputes_defaults(void);
bool proto_disputes_params_valid(const proto_disputes_params *p);
/* The seats of the round after one of `seats`: 2 x seats + 1 (Kleros). */
uint32_t proto_disputes_next_panel(uint32_t seats);

/* Juror roles (a mask). */
#define PROTO_JUROR_VERIFIER 1u
#define PROTO_JUROR_ARBITER 2u

typedef struct proto_disputes_genesis_juror {
    uint32_t account;
    uint32_t roles; /* PROTO_JUROR_*; not 0 */
    uint64_t stake; /* > 0, created by the genesis */
} proto_disputes_genesis_juror;

typedef struct proto_juror {
    uint32_t account; /* key: jurors are kept in account order */
    uint32_t roles;
    uint64_t stake;   /* what is left: drawn only while > 0 */
} proto_juror;

/* A dispute's phase. */
typedef enum proto_dispute_phase {
    PROTO_DISPUTE_AWAIT_DEFENCE = 1, /* the provider may defend until deadline_ns */
    PROTO_DISPUTE_VERIFY,            /* tier 1: verdicts until deadline_ns */
    PROTO_DISPUTE_COMMIT,            /* a panel: commits until deadline_ns */
    PROTO_DISPUTE_REVEAL,            /* a panel: reveals until deadline_ns */
    PROTO_DISPUTE_APPEALABLE,        /* a ruling: appeals until deadline_ns */
    PROTO_DISPUTE_PHASE_COUNT
} proto_dispute_phase;

/* "await_defence", "verify", "commit", "reveal", "appealable". */
const char *proto_dispute_phase_name(uint32_t phase);

typedef struct proto_dispute_round {
    uint8_t seats;   /* drawn (0 when nobody could be drawn) */
    uint8_t ruling;  /* proto_ruling, once tallied */
    uint64_t fees;   /* the appeal fees paid for this round (0 for the first) */
} proto_dispute_round;

typedef struct proto_dispute {
    uint64_t job;       /* key */
    uint32_t consumer;
    uint32_t provider;
    uint32_t phase;     /* proto_dispute_phase */
    uint32_t rounds;    /* started: the current is rounds - 1 (0 before the defence) */
    int64_t opened_ns;
    int64_t deadline_ns; /* the current phase's end */
    uint64_t bonds;     /* held: bond, or 2 x bond once defended */
    proto_dispute_round round[PROTO_DISPUTES_ROUNDS_MAX]; /* round 0: tier 1 */
} proto_dispute;

/* The steps of a dispute, reported as PROTO_EV_DISPUTE (event.h). */
typedef enum proto_dispute_step {
    PROTO_DISPUTE_OPENED = 1, /* the consumer rejected; amount = its bond */
    PROTO_DISPUTE_DEFENDED,   /* the provider answered; amount = its bond */
    PROTO_DISPUTE_ROUND,      /* round `round` started; amount = its seats */
    PROTO_DISPUTE_RULED,      /* round `round` ruled `ruling` */
    PROTO_DISPUTE_APPEALED,   /* round `round` was appealed; amount = the fee paid */
    PROTO_DISPUTE_SETTLED,    /* final: `ruling` of round `round` (tier 0 when undefended) */
    PROTO_DISPUTE_PAID,       /* settling paid `amount` to the balance of `from` (a bond
                               * back, a juror's share); after SETTLED */
    PROTO_DISPUTE_STEP_COUNT
} proto_dispute_step;

/* "opened", "defended", "round", "ruled", "appealed", "settled", "paid".
 * The event's `from` is who paid (OPENED, DEFENDED, APPEALED) or was
 * paid (PAID); UINT32_MAX for the other steps. */
const char *proto_dispute_step_name(uint32_t step);
/* The tier of a round: 1 for round 0 (re-execution), 2 for panels. */
#define PROTO_DISPUTE_TIER_OF(round) ((round) == 0 ? 1u : 2u)

/* Why the module refused a message. */
typedef enum proto_disputes_result {
    PROTO_DISPUTES_OK = 0,
    PROTO_DISPUTES_OUT_OF_GAS,
    PROTO_DISPUTES_BAD_MESSAGE,     /* a value the decoder refuses */
    PROTO_DISPUTES_UNKNOWN_DISPUTE, /* no dispute on this job */
    PROTO_DISPUTES_NOT_PROVIDER,    /* a defence from another than the job's provider */
    PROTO_DISPUTES_NOT_PARTY,       /* an appeal from neither side */
    PROTO_DISPUTES_NOT_DRAWN,       /* a vote from one without a seat in the round */
    PROTO_DISPUTES_WRONG_PHASE,     /* not what the dispute's phase takes */
    PROTO_DISPUTES_WRONG_ROUND,     /* a vote or an appeal for another round */
    PROTO_DISPUTES_PAST_DEADLINE,   /* at or after the phase's end */
    PROTO_DISPUTES_ALREADY_VOTED,   /* a second verdict, commit or reveal */
    PROTO_DISPUTES_NO_COMMIT,       /* a reveal without a commit */
    PROTO_DISPUTES_BAD_REVEAL,      /* the vote and salt do not match the commit */
    PROTO_DISPUTES_NOT_LOSER,       /* an appeal of a ruling in the sender's favour */
    PROTO_DISPUTES_NO_FUNDS,        /* balance below the bond or the appeal fee */
    PROTO_DISPUTES_RESULT_COUNT
} proto_disputes_result;

const char *proto_disputes_result_name(proto_disputes_result r);

/* Attach the module to s (genesis, after the jobs module: asserted; p
 * valid; jurors[count] distinct accounts of s, count <=
 * PROTO_DISPUTES_JURORS_MAX). Their stakes are created. */
void proto_disputes_genesis(proto_state *s, const proto_disputes_params *p, uint32_t count,
                            const proto_disputes_genesis_juror *jurors);

/* ---- the jobs module's side ---- */

/* May `consumer` open a dispute (its balance covers the bond)? The jobs
 * module asks before a JOB_REJECT. Asserts the module is active. */
bool proto_disputes_can_open(const proto_state *s, uint32_t consumer);
/* Open the dispute on the DISPUTED job (the jobs module just moved it):
 * takes the consumer's bond and starts the defence period. */
void proto_disputes_open(proto_state *s, const proto_msg_ctx *ctx, uint64_t job,
                         uint32_t consumer, uint32_t provider);

/* ---- readers (the module absent: NULL, zero) ---- */

bool proto_disputes_active(const proto_state *s);
const proto_disputes_params *proto_disputes_params_of(const proto_state *s);
/* The live dispute on job, or NULL. Valid until s changes. */
const proto_dispute *proto_disputes_get(const proto_state *s, uint64_t job);
uint32_t proto_disputes_count(const proto_state *s);
const proto_dispute *proto_disputes_at(const proto_state *s, uint32_t k);
/* Jurors in account order: k < count; by account: NULL if none. */
uint32_t proto_disputes_jurors_count(const proto_state *s);
const proto_juror *proto_disputes_juror_at(const proto_state *s, uint32_t k);
const proto_juror *proto_disputes_juror(const proto_state *s, uint32_t account);
/* The seats `account` holds in round `round` of the dispute on job (0:
 * none); *voted (may be NULL) whether it has voted (verdict or commit),
 * *revealed whether its commit is revealed. */
uint32_t proto_disputes_seats_of(const proto_state *s, uint64_t job, uint32_t round,
                                 uint32_t account, bool *voted, bool *revealed);
/* What appealing the current round of d costs (seat_fee x the next
 * round's seats); a party checks its balance before it appeals. */
uint64_t proto_disputes_appeal_fee(const proto_state *s, const proto_dispute *d);
/* Tokens the module holds: stakes, bonds and appeal fees. */
uint64_t proto_disputes_held(const proto_state *s);

/* What the gas schedule assumes a dispute record and a seat are. */
#define PROTO_DISPUTES_KEY_SIZE 8
#define PROTO_DISPUTES_VALUE_SIZE 128
#define PROTO_DISPUTES_SEAT_KEY_SIZE 13
#define PROTO_DISPUTES_SEAT_VALUE_SIZE 40

/* Gas one message of this type charges under params p. */
uint64_t proto_disputes_msg_gas(const proto_gas_schedule *gas, const proto_disputes_params *p,
                                uint8_t type);

#endif
