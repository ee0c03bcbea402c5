/* The jobs module: escrowed jobs between registered agents, id 7.
 *
 * A consumer posts a job to one provider (both listed in the registry,
 * registry.h): it names the capability it wants, the payment, how long
 * the provider has once it accepts (deadline_ms) and a commitment to the
 * sealed input; the payment and the market fee (fee_permille of the
 * payment, rounded down) leave the consumer's balance and wait in the
 * module (escrow). The provider accepts or declines; once accepted it
 * delivers a commitment to the sealed result before the deadline; the
 * consumer then confirms (paying at once) or rejects within the
 * challenge window; silence pays the provider when the window closes.
 *
 * State: the parameters; the live jobs sorted by id; the escrow (their
 * payments and fees), which is the module's supply, so total supply =
 * balances + modules + burned - minted holds without a special case.
 * A job's id is the consumer's account and its own job sequence
 * (PROTO_JOB_ID); the registry keeps each consumer's next sequence and
 * never lowers it, so an id is never used twice and a settled job, which
 * is removed, can never be paid again.
 *
 * Statuses (proto_job_status): POSTED -> ACCEPTED -> DELIVERED while
 * live; a job is settled with one outcome and removed:
 *
 *   EXPIRED        POSTED and not accepted within accept_timeout_ns
 *                  (end block): refund
 *   DECLINED       the provider declined a POSTED job: refund
 *   CANCELLED      the consumer cancelled a POSTED job: refund
 *   RELEASED       the consumer confirmed a DELIVERED job with a score:
 *                  payment to the provider, fee to the fee collector,
 *                  feedback (consumer -> provider, score), done++
 *   RELEASED_AUTO  DELIVERED and the window closed (end block): as
 *                  RELEASED without feedback
 *   REJECTED       the consumer rejected a DELIVERED job within the
 *                  window, in a chain without the disputes module:
 *                  refund, feedback score 0, failed++ (so a consumer
 *                  can get any delivered work for free at the price of
 *                  its feedback)
 *
 * With the disputes module (protocol/modules/disputes/disputes.h) a
 * rejection opens a dispute instead: the job moves to DISPUTED (live,
 * its escrow frozen, no timeout here) and the disputes module settles it
 * with one of:
 *
 *   OVERTURNED     ruled for the consumer (or undefended): as REJECTED
 *   UPHELD         ruled for the provider: the payment to the provider,
 *                  the fee to the fee collector, done++, no feedback
 *   SPLIT          no ruling (a tie, nobody voted): the provider gets
 *                  half the payment (rounded down), the consumer the
 *                  rest and the fee; no counters, no feedback
 *   MISSED         ACCEPTED and no result by the deadline (end block):
 *                  refund, noshow_slash_permille of the provider's bond
 *                  burned (a missed deadline is proven on chain),
 *                  feedback score 0, failed++
 *
 * A refund returns payment and fee to the consumer. The fee goes to the
 * distribution module's fee collector (proto_distribution_collect) when
 * that module has state, else it is burned. Every live job counts once
 * in its provider's jobs_open (registry), which keeps a provider from
 * leaving with work outstanding and its bond locked until its jobs end.
 *
 * Messages (bodies in tx_envelope.h; refusals proto_jobs_result, a
 * refused message leaves the state as it was; the sender is the
 * transaction's signer):
 *   JOB_POST     by an ACTIVE agent, its own id with a fresh sequence, to
 *                an ACTIVE provider serving the capability, deadline <=
 *                max_deadline_ms, balance >= payment + fee
 *   JOB_ACCEPT   by the provider, ACTIVE, of a POSTED job within the
 *                accept timeout: due = now + deadline_ms
 *   JOB_DECLINE  by the provider, of a POSTED job
 *   JOB_CANCEL   by the consumer, of a POSTED job
 *   JOB_RESULT   by the provider, of an ACCEPTED job, before due:
 *                release_ns = now + challenge_window_ns
 *   JOB_CONFIRM  by the consumer, of a DELIVERED job
 *   JOB_REJECT   by the consumer, of a DELIVERED job, before release_ns;
 *                with the disputes module its balance must also cover
 *                the dispute bond (no_funds)
 * There is no release message: only the consumer's confirmation or the
 * window's end pays a provider. Every status change and every settlement
 * reports PROTO_EV_JOB_STATUS (event.h) into the context's events.
 *
 * End block (after the registry's, by module id), in id order: the
 * timeouts above. Capacity is not enforced here: a provider may hold
 * more jobs than its capacity, which only queues them (the simulator
 * models the compute).
 *
 * Guarded jobs. With guard_min_payment > 0, a job paying at least that
 * is guarded, as a large escrow is guarded by a 2-of-3 Safe: JOB_POST
 * also makes a multisig (protocol/modules/multisig/multisig.h) whose
 * owners are the consumer, the provider and an arbiter drawn by stake
 * among the disputes module's arbiters that are neither (BLAKE2b(
 * "aitbc-guard" | chain_id | job | time_ns)), threshold 2, and the job
 * keeps its id in `guard`. Once DELIVERED, a guarded job is settled only
 * by that multisig executing JOB_SETTLE: RELEASED (done++, no feedback)
 * or REJECTED (refund, feedback 0, failed++). JOB_CONFIRM and JOB_REJECT
 * of a guarded job are refused (guarded), and the window's end does not
 * release it: the consumer and the provider agree, or either of them
 * and the arbiter do, so no single owner going silent can take or keep
 * the escrow. Undecided guard_expiry_ns after release_ns, it is
 * released (RELEASED_AUTO), as an unchallenged delivery always is. A
 * guarded post is refused no_guard when no arbiter can be drawn or the
 * multisig module cannot make one (it is absent, or full: guards count
 * against PROTO_MULTISIG_COUNT_MAX and are never removed). The root
 * covers the guard fields only on a chain with guards, so a chain
 * without keeps the roots it had.
 *
 * Treasury. With `treasury` set, the market fee a release collects goes
 * to that multisig (protocol/modules/multisig/multisig.h: a treasury its
 * owners spend by approving transfers) instead of the distribution
 * module's fee collector (or the burn, without that module). The
 * multisig must exist at every committed height (an invariant); the
 * root covers the field only when set.
 *
 * Versions (protocol/modules/upgrade/upgrade.h). This code runs the
 * module's rules up to version 2, escrow v2: the market takes half the
 * cut it took and takes it by burning, as EIP-1559 burns the base fee:
 * a released job's fee is half burned and half paid to the provider
 * (v1: all of it to the fee collector). The
 * migration from 1 to 2 changes no live job: each job keeps the terms
 * it was posted under (`terms`), and only jobs posted after the upgrade
 * get terms 2. The root covers the terms only from version 2 on.
 *
 * The module needs the registry: its genesis asserts the registry is
 * attached. Gas: what each message's handler reads, writes and deletes,
 * record by record (jobs_msgs.c lists them; job records
 * PROTO_JOBS_KEY_SIZE + PROTO_JOBS_VALUE_SIZE bytes), the sender's own
 * account aside (the ante handler's charge covers it).
 * Undo: the first change in an undo scope records a copy of the whole
 * state. */
#ifndef AITBC_PROTOCOL_MODULES_JOBS_H
#define AITBC_PROTOCOL_MODULES_JOBS_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocol/chain/module.h"

#define PROTO_JOBS_MODULE_ID 7

extern const proto_module proto_jobs_module;

typedef struct proto_jobs_params {
    uint32_t fee_permille;       /* <= 1000: the market fee, on the payment */
    int64_t accept_timeout_ns;   /* > 0: a POSTED job expires this long after posting */
    int64_t challenge_window_ns; /* >= 0: a DELIVERED job may be rejected this long */
    uint32_t max_deadline_ms;    /* > 0: the longest deadline a job may ask for */
    uint64_t guard_min_payment;  /* 0: no guards; else guarded from this payment up */
    int64_t guard_expiry_ns;     /* >= 0: an undecided guarded job's time after release_ns */
    uint32_t treasury;           /* a multisig id: the fee collector (below); 0: none */
} proto_jobs_params;

/* fee 1%, accept timeout 5 min, window 10 min, max deadline 1 h. */
proto_jobs_params proto_jobs_defaults(void);
bool proto_jobs_params_valid(const proto_jobs_params *p);

typedef enum proto_job_status {
    PROTO_JOB_NONE = 0, /* no job (an event's prev_status for a new one) */
    PROTO_JOB_POSTED,
    PROTO_JOB_ACCEPTED,
    PROTO_JOB_DELIVERED,
    /* outcomes: a settled job, removed */
    PROTO_JOB_EXPIRED,
    PROTO_JOB_DECLINED,
    PROTO_JOB_CANCELLED,
    PROTO_JOB_RELEASED,
    PROTO_JOB_RELEASED_AUTO,
    PROTO_JOB_REJECTED,
    PROTO_JOB_MISSED,
    PROTO_JOB_DISPUTED, /* live: a rejection the disputes module is settling */
    /* outcomes of a dispute */
    PROTO_JOB_OVERTURNED,
    PROTO_JOB_UPHELD,
    PROTO_JOB_SPLIT,
    PROTO_JOB_STATUS_COUNT
} proto_job_status;

/* "none", "posted", ..., "released_auto", "missed", "disputed",
 * "overturned", "upheld", "split"; "unknown" otherwise. */
const char *proto_job_status_name(proto_job_status s);
/* Whether s is a live job's status (POSTED, ACCEPTED, DELIVERED,
 * DISPUTED) or a settled job's outcome. */
bool proto_job_status_live(proto_job_status s);
bool proto_job_status_outcome(proto_job_status s);

typedef struct proto_job {
    uint64_t id;            /* key: PROTO_JOB_ID(consumer, seq) */
    uint32_t consumer;      /* PROTO_JOB_CONSUMER(id) */
    uint32_t provider;
    uint32_t capability;    /* bit index < the registry's capabilities_count */
    uint32_t deadline_ms;   /* > 0, <= max_deadline_ms */
    uint64_t payment;       /* base units the provider gets, > 0 */
    uint64_t fee;           /* payment x fee_permille / 1000, rounded down */
    proto_hash input_hash;
    proto_hash result_hash; /* DELIVERED, DISPUTED: the provider's commitment; else zero */
    proto_job_status status; /* POSTED, ACCEPTED, DELIVERED or DISPUTED */
    int64_t posted_ns;
    int64_t accepted_ns;    /* ACCEPTED and after; else 0 */
    int64_t due_ns;         /* accepted_ns + deadline_ms; else 0 */
    int64_t delivered_ns;   /* DELIVERED, DISPUTED; else 0 */
    int64_t release_ns;     /* delivered_ns + challenge_window_ns; else 0 */
    uint32_t guard;         /* the multisig guarding it; 0: not guarded */
    uint32_t terms;         /* its escrow terms: 1, or 2 (posted after the upgrade) */
} proto_job;

/* Why the module refused a message. */
typedef enum proto_jobs_result {
    PROTO_JOBS_OK = 0,
    PROTO_JOBS_OUT_OF_GAS,
    PROTO_JOBS_BAD_MESSAGE,          /* a value the decoder refuses */
    PROTO_JOBS_NO_ACCOUNT,           /* the sender is not an account */
    PROTO_JOBS_NOT_REGISTERED,       /* the sender has no registry record */
    PROTO_JOBS_NOT_ACTIVE,           /* the sender's record is not ACTIVE */
    PROTO_JOBS_NOT_YOURS,            /* the job id names another consumer */
    PROTO_JOBS_STALE_SEQ,            /* the job sequence is below the consumer's next */
    PROTO_JOBS_UNKNOWN_CAPABILITY,   /* at or above the registry's capabilities_count */
    PROTO_JOBS_SELF_DEAL,            /* the provider is the consumer */
    PROTO_JOBS_PROVIDER_UNAVAILABLE, /* not registered, not ACTIVE, or not serving it */
    PROTO_JOBS_DEADLINE_TOO_LONG,    /* above max_deadline_ms */
    PROTO_JOBS_NO_FUNDS,             /* balance below payment + fee (or they overflow) */
    PROTO_JOBS_UNKNOWN_JOB,          /* no live job with this id */
    PROTO_JOBS_NOT_PROVIDER,         /* the sender is not the job's provider */
    PROTO_JOBS_NOT_CONSUMER,         /* the sender is not the job's consumer */
    PROTO_JOBS_WRONG_STATUS,         /* the job is not in the status the message needs */
    PROTO_JOBS_ACCEPT_EXPIRED,       /* accepting at or after the accept timeout */
    PROTO_JOBS_PAST_DEADLINE,        /* a result at or after due_ns */
    PROTO_JOBS_WINDOW_CLOSED,        /* a rejection at or after release_ns */
    PROTO_JOBS_GUARDED,              /* a confirm or reject of a guarded job */
    PROTO_JOBS_NO_GUARD,             /* a guarded post with no arbiter or multisig to guard it */
    PROTO_JOBS_RESULT_COUNT
} proto_jobs_result;

const char *proto_jobs_result_name(proto_jobs_result r);

/* Attach the module to s (genesis, after proto_registry_genesis; asserts
 * the registry is attached and p valid). No jobs. */
void proto_jobs_genesis(proto_state *s, const proto_jobs_params *p);

/* ---- readers (the module absent: NULL, zero) ---- */

bool proto_jobs_active(const proto_state *s);
const proto_jobs_params *proto_jobs_params_of(const proto_state *s);
/* The live job with this id, or NULL. Valid until s changes. */
const proto_job *proto_jobs_get(const proto_state *s, uint64_t id);
/* Live jobs in id order: k < count. */
uint32_t proto_jobs_count(const proto_state *s);
const proto_job *proto_jobs_at(const proto_state *s, uint32_t k);
/* Tokens in escrow: the sum of the live jobs' payments and fees. */
uint64_t proto_jobs_escrow(const proto_state *s);
/* The fee a payment carries under p (rounded down). */
uint64_t proto_jobs_fee(const proto_jobs_params *p, uint64_t payment);

/* The disputes module settles the DISPUTED job `id` with outcome
 * OVERTURNED, UPHELD or SPLIT (asserted), as jobs_settle.c settles any
 * outcome: pay out, registry effects, event, removal. */
void proto_jobs_settle_disputed(proto_state *s, const proto_msg_ctx *ctx, uint64_t id,
                                proto_job_status outcome);

/* The multisig module, executing JOB_SETTLE: is job a live job guarded
 * by multisig id and DELIVERED? PROTO_MULTISIG_OK, NOT_GUARD or
 * JOB_NOT_DELIVERED are that module's answers (it checks with
 * proto_jobs_get). Settle it: RELEASED when release, else REJECTED. */
void proto_jobs_settle_guarded(proto_state *s, const proto_msg_ctx *ctx, uint64_t id, bool release);
/* Whether a live job is guarded by multisig id. */
bool proto_jobs_guarded_by(const proto_state *s, uint32_t multisig);
/* The escrow terms a job posted now gets (1 before the upgrade to v2). */
uint32_t proto_jobs_terms(const proto_state *s);
/* Gas settling a job charges beyond the message (JOB_CONFIRM's records). */
uint64_t proto_jobs_settle_gas(const proto_gas_schedule *gas);

/* What the gas schedule assumes a job record is: its id, and the rest
 * of the job as the module's root encodes it (jobs_state.c: 152 bytes
 * with the id). */
#define PROTO_JOBS_KEY_SIZE 8
#define PROTO_JOBS_VALUE_SIZE 144

/* Gas one message of this type charges. */
uint64_t proto_jobs_msg_gas(const proto_gas_schedule *gas, uint8_t type);
/* What a JOB_CONFIRM charges on top on a chain with a treasury: the fee
 * lands in a multisig's record (and its module's total), not in the
 * collector's one-word total. */
uint64_t proto_jobs_treasury_gas(const proto_gas_schedule *gas);
/* Gas one message of this type charges on a chain with parameters p:
 * proto_jobs_msg_gas, plus proto_jobs_treasury_gas for a JOB_CONFIRM
 * when p names a treasury. What the module charges and clients size
 * their gas limits with. */
uint64_t proto_jobs_msg_gas_on(const proto_gas_schedule *gas, const proto_jobs_params *p,
                               uint8_t type);

#endif
