/* The registry module: the agent market's directory of agents, id 6.
 *
 * An agent is an account that registered: it locked a bond, published
 * an X25519 message key and its terms (the capability bits it serves,
 * how many jobs it takes at once, its price), and it proves it is alive
 * by heartbeats, each signed with a sequence number above its last (as
 * Fetch.ai's Almanac renews a registration). Capabilities 0 is a
 * consumer (no capacity, no price); anything else a provider.
 *
 * State: the parameters; one record per account that ever registered,
 * sorted by account index; per-(rater, ratee) feedback aggregates,
 * sorted by the pair; and the bonds' total. The module's supply is the
 * bonds it holds (of listed agents and of agents whose bond is still
 * locked after leaving), so total supply = balances + modules + burned
 * - minted holds without a special case.
 *
 * Statuses (proto_agent_status):
 *
 *   ACTIVE --no heartbeat for suspend_after periods--> SUSPENDED
 *   SUSPENDED --heartbeat--> ACTIVE
 *   SUSPENDED --no heartbeat for evict_after periods--> EVICTED
 *            (evict_slash_permille of the bond burned; Olas slashes an
 *            evicted service)
 *   ACTIVE or SUSPENDED --AGENT_DEREGISTER, no open jobs--> DEREGISTERED
 *   EVICTED or DEREGISTERED --unlock time reached, no open jobs-->
 *            RETIRED (the rest of the bond paid back to the account)
 *   RETIRED --AGENT_REGISTER--> ACTIVE
 *
 * A period is heartbeat_ns; the end block compares the block time with
 * the last heartbeat. Only ACTIVE agents are listed: only they may post
 * jobs or be named as a job's provider (jobs.h).
 *
 * Records are never removed. A RETIRED record holds no tokens but keeps
 * what must outlive a registration: the heartbeat sequence (seq), the
 * next job sequence of the account as a consumer (so a job id, which
 * names the consumer and its sequence, can never be used twice and an
 * escrow never pays twice) and the history (jobs done and failed, tokens
 * slashed, reputation). Registering again is allowed from RETIRED only,
 * and continues that record: an agent cannot shed its history by
 * leaving. The count of records is bounded by the accounts.
 *
 * Messages (bodies in tx_envelope.h; refusals proto_registry_result, a
 * refused message leaves the state as it was; the sender is the
 * transaction's signer):
 *   AGENT_REGISTER    the sender's bond (>= min_bond) moves from its
 *                     balance into the module; ACTIVE, heartbeat now
 *   AGENT_HEARTBEAT   seq above the last; heartbeat now; SUSPENDED ->
 *                     ACTIVE
 *   AGENT_UPDATE      new terms (capabilities, capacity, price) for an
 *                     ACTIVE or SUSPENDED agent; a consumer stays a
 *                     consumer and a provider a provider (ROLE_CHANGE:
 *                     the bond, the feedback and the open-job count mean
 *                     different things for the two; to switch, leave and
 *                     register again). The message key changes only by
 *                     registering again. The bond field must be 0.
 *   AGENT_DEREGISTER  seq above the last; refused with open jobs as a
 *                     provider; the bond unlocks after unbond_delay_ns
 * Every status transition (messages and end block) reports
 * PROTO_EV_AGENT_STATUS (event.h) into the context's events.
 *
 * The jobs module (jobs.h) keeps its counters here through the keeper
 * functions below, which record undo like a message does.
 *
 * Gas: a read and a write of every record a message touches (agent
 * records PROTO_REGISTRY_KEY_SIZE + PROTO_REGISTRY_VALUE_SIZE bytes; the
 * bonded total for a registration), the sender's own account aside (the
 * ante handler's charge covers it).
 *
 * Genesis agents' bonds are created as module tokens (the supply grows
 * by them, as staking's genesis stakes do); balances are not touched.
 *
 * Undo: the first change in an undo scope records a copy of the whole
 * state (the validator and staking modules do the same); the states are
 * small. */
#ifndef AITBC_PROTOCOL_MODULES_REGISTRY_H
#define AITBC_PROTOCOL_MODULES_REGISTRY_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocol/chain/module.h"

#define PROTO_REGISTRY_MODULE_ID 6

extern const proto_module proto_registry_module;

/* The reputation scale: a reputation of one (the sum over agents of a
 * normalised trust vector is about this). */
#define PROTO_REGISTRY_TRUST_ONE 1000000000ULL
/* A confirmation score at or above this counts as positive feedback. */
#define PROTO_REGISTRY_POSITIVE_SCORE 50u

typedef struct proto_registry_params {
    uint32_t capabilities_count;    /* 1..PROTO_TXMSG_CAPABILITIES_MAX: bits the chain knows */
    uint64_t min_bond;              /* base units a registration locks at least */
    int64_t heartbeat_ns;           /* > 0: the liveness period */
    uint32_t suspend_after;         /* >= 1: periods without a heartbeat -> SUSPENDED */
    uint32_t evict_after;           /* > suspend_after: periods -> EVICTED */
    int64_t unbond_delay_ns;        /* >= 0: a bond stays locked this long after leaving */
    uint32_t evict_slash_permille;  /* <= 1000: share of the bond burned at eviction */
    uint32_t noshow_slash_permille; /* <= 1000: share burned when a provider misses a
                                     * job's deadline (the jobs module applies it) */
    int64_t reputation_epoch_ns;    /* >= 0: EigenTrust runs this often (0: never;
                                     * registry_reputation.c) */
    uint32_t trust_alpha_permille;  /* <= 1000: EigenTrust's weight of pre-trust */
} proto_registry_params;

/* 8 capabilities, min bond 1000, heartbeat 60 s, suspend after 2
 * periods, evict after 6, unbond delay 1 h, eviction slash 10%, no-show
 * slash 5%, a reputation epoch every 60 s with alpha 0.2. */
proto_registry_params proto_registry_defaults(void);
/* Whether p is usable (the rules in the comments above, and the periods
 * times heartbeat_ns within int64). */
bool proto_registry_params_valid(const proto_registry_params *p);

typedef enum proto_agent_status {
    PROTO_AGENT_NONE = 0,     /* no record (an event's prev_status for a first registration) */
    PROTO_AGENT_ACTIVE,       /* listed */
    PROTO_AGENT_SUSPENDED,    /* missed suspend_after periods; a heartbeat lists it again */
    PROTO_AGENT_EVICTED,      /* missed evict_after periods; slashed, bond locked */
    PROTO_AGENT_DEREGISTERED, /* left; bond locked until unlock_ns */
    PROTO_AGENT_RETIRED,      /* bond paid back; may register again */
    PROTO_AGENT_STATUS_COUNT
} proto_agent_status;

/* "none", "active", "suspended", "evicted", "deregistered", "retired";
 * "unknown" otherwise. */
const char *proto_agent_status_name(proto_agent_status s);

typedef struct proto_agent_record {
    uint32_t account;          /* key: the agent's account index */
    proto_agent_status status;
    uint32_t capabilities;     /* mask, bits < capabilities_count; 0: a consumer */
    uint32_t capacity;         /* jobs at once (0 for a consumer) */
    uint64_t price;            /* base units per reference second (0 for a consumer) */
    proto_pubkey msg_key;      /* X25519 public key for sealed job payloads */
    uint64_t bond;             /* base units the module holds for it; 0 once RETIRED */
    uint64_t seq;              /* last heartbeat or deregister sequence (0: none yet) */
    int64_t registered_ns;     /* its latest registration */
    int64_t last_heartbeat_ns; /* registration or latest heartbeat */
    int64_t status_since_ns;   /* when status last changed */
    int64_t unlock_ns;         /* EVICTED, DEREGISTERED: bond paid back from then; else 0 */
    uint32_t jobs_open;        /* live jobs naming it as provider (kept by jobs) */
    uint64_t next_job_seq;     /* as a consumer: the lowest job sequence it may use (>= 1) */
    uint64_t jobs_done;        /* jobs it delivered and was paid for */
    uint64_t jobs_failed;      /* jobs rejected or missed */
    uint64_t slashed;          /* base units of its bonds burned, ever */
    uint64_t reputation;       /* x 1/PROTO_REGISTRY_TRUST_ONE; 0 until set */
} proto_agent_record;

/* What one rater said of one ratee, summed over its jobs. */
typedef struct proto_registry_feedback_rec {
    uint32_t rater;          /* key, first */
    uint32_t ratee;          /* key, second */
    uint64_t count_positive; /* scores >= PROTO_REGISTRY_POSITIVE_SCORE */
    uint64_t count_negative; /* scores below */
    uint64_t score_sum;      /* of every score */
} proto_registry_feedback_rec;

/* Why the module refused a message. */
typedef enum proto_registry_result {
    PROTO_REGISTRY_OK = 0,
    PROTO_REGISTRY_OUT_OF_GAS,
    PROTO_REGISTRY_BAD_MESSAGE,        /* a value the decoder refuses (blocks from peers
                                        * may carry anything) */
    PROTO_REGISTRY_NO_ACCOUNT,         /* the sender is not an account */
    PROTO_REGISTRY_ALREADY_REGISTERED, /* a record that is not RETIRED */
    PROTO_REGISTRY_NOT_REGISTERED,     /* the sender has no record */
    PROTO_REGISTRY_BOND_BELOW_MIN,
    PROTO_REGISTRY_NO_FUNDS,           /* balance below the bond */
    PROTO_REGISTRY_UNKNOWN_CAPABILITY, /* a bit at or above capabilities_count */
    PROTO_REGISTRY_STALE_SEQ,          /* seq not above the record's */
    PROTO_REGISTRY_NOT_LISTED,         /* EVICTED, DEREGISTERED or RETIRED */
    PROTO_REGISTRY_HAS_OPEN_JOBS,      /* deregistering with live jobs as provider */
    PROTO_REGISTRY_ROLE_CHANGE,        /* an update turning a consumer into a provider
                                        * or back */
    PROTO_REGISTRY_RESULT_COUNT
} proto_registry_result;

const char *proto_registry_result_name(proto_registry_result r);

/* ---- genesis ---- */

typedef struct proto_registry_genesis_agent {
    uint32_t account;      /* < the state's account count, each at most once */
    uint32_t capabilities; /* as AGENT_REGISTER's */
    uint32_t capacity;
    uint64_t price;
    uint64_t bond;         /* >= min_bond; created as module tokens */
    proto_pubkey msg_key;  /* not all zero */
} proto_registry_genesis_agent;

/* Attach the module to s (accounts already added): agents[count]
 * registered ACTIVE at time_ns (any order; asserted valid: genesis is
 * ours). */
void proto_registry_genesis(proto_state *s, const proto_registry_params *p, uint32_t count,
                            const proto_registry_genesis_agent *agents, int64_t time_ns);

/* ---- readers (the module absent: NULL, zero) ---- */

bool proto_registry_active(const proto_state *s);
const proto_registry_params *proto_registry_params_of(const proto_state *s);
/* The record of account, or NULL. Valid until s changes. */
const proto_agent_record *proto_registry_agent(const proto_state *s, uint32_t account);
/* Records in account order: k < count. */
uint32_t proto_registry_count(const proto_state *s);
const proto_agent_record *proto_registry_at(const proto_state *s, uint32_t k);
/* All of them as one array in account order (count in *count; NULL
 * when there are none). Valid until s changes. */
const proto_agent_record *proto_registry_records(const proto_state *s, uint32_t *count);
/* ACTIVE records. */
uint32_t proto_registry_active_count(const proto_state *s);
/* The bonds the module holds (its supply). */
uint64_t proto_registry_bonded(const proto_state *s);
/* Feedback aggregates in (rater, ratee) order: k < count; one pair's or
 * NULL. */
uint32_t proto_registry_feedback_count(const proto_state *s);
const proto_registry_feedback_rec *proto_registry_feedback_at(const proto_state *s, uint32_t k);
const proto_registry_feedback_rec *proto_registry_feedback_get(const proto_state *s,
                                                               uint32_t rater, uint32_t ratee);

/* ---- keeper: for the jobs module (each records undo; asserts the
 * module is attached and, where an account is named, its record) ---- */

/* jobs_open += delta (asserted to stay within 0..UINT32_MAX). */
void proto_registry_jobs_open_add(proto_state *s, proto_undo *undo, uint32_t account,
                                  int32_t delta);
/* Consumer's job sequence: false (nothing changes) if seq <
 * next_job_seq or the consumer has no record; else next_job_seq = seq +
 * 1 and true. */
bool proto_registry_take_job_seq(proto_state *s, proto_undo *undo, uint32_t consumer,
                                 uint64_t seq);
/* jobs_done++ (done) or jobs_failed++. */
void proto_registry_count_outcome(proto_state *s, proto_undo *undo, uint32_t provider,
                                  bool done);
/* Burn permille/1000 of account's bond (rounded down): the bond shrinks,
 * slashed grows, the core burns it. Returns the amount (0 without a
 * record or bond). */
uint64_t proto_registry_slash(proto_state *s, proto_undo *undo, uint32_t account,
                              uint32_t permille);
/* Add one score (<= PROTO_TXMSG_SCORE_MAX) from rater about ratee. */
void proto_registry_feedback(proto_state *s, proto_undo *undo, uint32_t rater, uint32_t ratee,
                             uint8_t score);
/* The agent's reputation (x 1/PROTO_REGISTRY_TRUST_ONE), set by whoever
 * computes trust. */
void proto_registry_set_reputation(proto_state *s, proto_undo *undo, uint32_t account,
                                   uint64_t value);

/* What the gas schedule assumes an agent record and a feedback record
 * are. */
#define PROTO_REGISTRY_KEY_SIZE 4
#define PROTO_REGISTRY_VALUE_SIZE 144
#define PROTO_REGISTRY_FEEDBACK_KEY_SIZE 8
#define PROTO_REGISTRY_FEEDBACK_VALUE_SIZE 24

/* Gas one message of this type charges. */
uint64_t proto_registry_msg_gas(const proto_gas_schedule *gas, uint8_t type);

#endif
