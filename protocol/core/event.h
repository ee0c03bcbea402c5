/* Observations a protocol node reports through env->observe.
 *
 * Nodes never write files or metrics; they say what happened and the
 * driver (the simulator's metrics and invariant checkers) decides what to
 * record. Events are plain values; pointers inside are borrowed for the
 * duration of the observe call. */
#ifndef AITBC_PROTOCOL_EVENT_H
#define AITBC_PROTOCOL_EVENT_H

#include <stdint.h>

typedef enum proto_event_kind {
    PROTO_EV_BLOCK_PROPOSED = 1, /* this node built and signed a block */
    PROTO_EV_BLOCK_RECEIVED,     /* first time this node holds a valid block (propagation) */
    PROTO_EV_BLOCK_HEAD,         /* a block became the head of this node's chain */
    PROTO_EV_BLOCK_FINAL,        /* a block became final at this node */
    PROTO_EV_REORG,              /* head switched to another branch; depth = blocks undone */
    PROTO_EV_FORK_SEEN,          /* a valid block arrived whose height is already taken */
    PROTO_EV_MSG_REJECTED,       /* a received message failed decoding or validation */
    PROTO_EV_SYNC_REQUEST,       /* this node asked a peer for missing blocks */
    PROTO_EV_RECOVERED,          /* node rebuilt its state from its durable store; height = final */
    PROTO_EV_TX_REJECTED,        /* a submitted or gossiped tx was not admitted (reason) */
    PROTO_EV_VIEW_CHANGE,        /* PBFT: this validator sent VIEW-CHANGE for view `slot` (cause) */
    PROTO_EV_NEW_VIEW,           /* PBFT: this node entered view `slot` */
    PROTO_EV_CHECKPOINT_STABLE,  /* PBFT: checkpoint at `height` became stable here */
    PROTO_EV_PEER_BANNED,        /* this node stopped listening to peer `from` for a while
                                  * (too many rejected messages) */
    PROTO_EV_EVIDENCE,           /* PBFT: this node holds new valid evidence that validator
                                  * `proposer` signed two conflicting votes at `height`,
                                  * view `slot` (from = who showed it: self if found here) */
    PROTO_EV_SLASHED,            /* committing block `height` slashed `validator` for
                                  * `slash_reason` (proto_slash_reason) of the infraction at
                                  * `evidence_height`, burning `amount`; it is jailed and
                                  * loses its power from `effective_height` */
    PROTO_EV_UNJAILED,           /* committing block `height` unjailed `validator`; power
                                  * back from `effective_height` */
    PROTO_EV_KEY_ROTATED,        /* committing block `height` rotated `validator`'s
                                  * consensus key, in effect from `effective_height` */
    PROTO_EV_PEER_CONNECTED,     /* P2P: `from` became a peer of this node (`amount` =
                                  * peers now) */
    PROTO_EV_PEER_DISCONNECTED,  /* P2P: `from` stopped being a peer, for `p2p_reason`
                                  * (`amount` = peers now) */
    PROTO_EV_PARTITION_SUSPECTED,/* P2P: this node lost contact with validators holding
                                  * more than 1/3 of the stake (`stake_seen` of
                                  * `stake_total` still heard) */
    PROTO_EV_PARTITION_HEALED,   /* P2P: contact back with at least 2/3 of the stake */
    PROTO_EV_TX_RECEIVED,        /* a transaction came from the network (neighbour `from`) and
                                  * passed this node's checks; `hash` = its 32-byte id. The
                                  * simulator learns from it that a client's transaction
                                  * left the node it was given to */
    PROTO_EV_AGENT_STATUS,       /* committing block `height` moved agent `account` from
                                  * `prev_status` to `status` (proto_agent_status,
                                  * protocol/modules/registry/registry.h); `amount` = the
                                  * tokens the step moved: the bond locked at registration,
                                  * burned at eviction, paid back at retirement; else 0 */
    PROTO_EV_JOB_STATUS,         /* committing block `height` moved job `job` (provider
                                  * `account`, payment `job_payment`) from `prev_status` to
                                  * `status` (proto_job_status,
                                  * protocol/modules/jobs/jobs.h; a settled job's status is
                                  * its outcome); `amount` = the provider's bond burned by a
                                  * missed deadline, or what a release under escrow v2
                                  * terms paid the provider of the market fee, else 0 */
    PROTO_EV_JOB_GAS,            /* committing block `height` ran a transaction naming job
                                  * `job` (in its first job message, proto_txmsg_job_of;
                                  * whether its messages succeeded or not): `amount` = the
                                  * gas it used, `status` = that message's type
                                  * (PROTO_TXMSG_JOB_*), `account` = its sender */
    PROTO_EV_DISPUTE,            /* committing block `height` moved the dispute on job `job`
                                  * (provider `account`, payment `job_payment`) one step:
                                  * `status` = proto_dispute_step, `depth` = the round
                                  * (`slot` is the block's view, as for every event),
                                  * `prev_status` = the ruling (RULED, SETTLED), `amount`
                                  * as the step says
                                  * (protocol/modules/disputes/disputes.h) */
    PROTO_EV_UPGRADE,            /* committing block `height` upgraded module `validator`
                                  * (its id) from version `prev_status` to `status`, or
                                  * planned it (`amount` = the activation height, `status`
                                  * the version, `slot` unused): `depth` 1 planned, 2
                                  * activated (protocol/modules/upgrade/upgrade.h) */
} proto_event_kind;

/* Why a validator started or joined a view change. */
typedef enum proto_view_cause {
    PROTO_VIEW_CAUSE_NONE = 0,
    PROTO_VIEW_CAUSE_TIMEOUT,         /* no block finalized in time in the current view */
    PROTO_VIEW_CAUSE_NEWVIEW_TIMEOUT, /* the view change itself did not complete in time */
    PROTO_VIEW_CAUSE_JOIN,            /* more than 1/3 of the stake asked for a higher view */
    PROTO_VIEW_CAUSE_COUNT
} proto_view_cause;

const char *proto_view_cause_name(proto_view_cause cause);

/* Why a message was rejected; counted per reason in the metrics. */
typedef enum proto_reject_reason {
    PROTO_REJECT_NONE = 0,
    PROTO_REJECT_DECODE,        /* malformed bytes */
    PROTO_REJECT_SIGNATURE,     /* bad signature */
    PROTO_REJECT_SCHEDULE,      /* wrong proposer for the slot */
    PROTO_REJECT_STATE_ROOT,    /* re-execution gave a different state root */
    PROTO_REJECT_TX_INVALID,    /* a transaction failed its checks */
    PROTO_REJECT_TIMESTAMP,     /* block from the future or out of order */
    PROTO_REJECT_LINKAGE,       /* parent/height/tx-root inconsistent */
    PROTO_REJECT_LIMIT,         /* over a protocol bound */
    PROTO_REJECT_OLD_KEY,       /* signed with a consensus key rotated out for that height */
    PROTO_REJECT_REASON_COUNT
} proto_reject_reason;

const char *proto_reject_reason_name(proto_reject_reason reason);

/* Why a P2P peering ended. */
typedef enum proto_p2p_reason {
    PROTO_P2P_REASON_NONE = 0,
    PROTO_P2P_REASON_UNRESPONSIVE, /* no pong within the ping timeout */
    PROTO_P2P_REASON_SCORE,        /* its score fell under the ban threshold (banned) */
    PROTO_P2P_REASON_RATE,         /* it kept exceeding its message or byte budget (banned) */
    PROTO_P2P_REASON_PRUNE,        /* over the high watermark, or a better peer replaced it */
    PROTO_P2P_REASON_GOODBYE,      /* it said goodbye (leaving, or full) */
    PROTO_P2P_REASON_LEAVING,      /* this node is leaving the network */
    PROTO_P2P_REASON_COUNT
} proto_p2p_reason;

const char *proto_p2p_reason_name(proto_p2p_reason reason);

typedef struct proto_event {
    proto_event_kind kind;
    uint32_t node;            /* the node reporting */
    uint64_t height;
    uint64_t slot;            /* PoA slot / PBFT view */
    uint32_t proposer;        /* validator index of the block's proposer */
    uint32_t tx_count;
    uint32_t depth;           /* REORG: blocks undone; DISPUTE: the round */
    uint32_t from;            /* MSG_REJECTED: sender; DISPUTE: who paid or was paid */
    proto_reject_reason reason;
    proto_view_cause cause;   /* VIEW_CHANGE */
    int64_t proposed_ns;      /* block timestamp */
    const uint8_t *hash;      /* 32-byte block hash, when about a block */
    const uint8_t *state_root;/* 32-byte state root, when about a block */
    const uint8_t *tx_hashes; /* BLOCK_FINAL: tx_count 32-byte tx ids, in block order */
    uint32_t validator;       /* SLASHED, UNJAILED, KEY_ROTATED: whom it is about */
    uint32_t slash_reason;    /* SLASHED: proto_slash_reason */
    uint64_t evidence_height; /* SLASHED: height of the infraction (downtime: the commit
                               * whose window jailed it) */
    uint64_t amount;          /* SLASHED: tokens burned */
    uint64_t effective_height;/* SLASHED, UNJAILED, KEY_ROTATED: first height it applies */
    proto_p2p_reason p2p_reason; /* PEER_DISCONNECTED */
    uint64_t stake_seen;      /* PARTITION_*: stake of the validators this node hears */
    uint64_t stake_total;     /* PARTITION_*: total stake */
    uint64_t gas_used;        /* BLOCK_*: the header's fee figures */
    uint64_t gas_limit;
    uint64_t base_fee;        /* base units per gas */
    uint64_t tips;            /* BLOCK_FINAL: what its transactions tipped the proposer */
    const char *refusal;      /* MSG_REJECTED, TX_REJECTED about a transaction: the rule it
                               * broke, a static name (proto_txenv_result_name,
                               * proto_tx_exec_result_name, proto_txpool_result_name);
                               * NULL otherwise */
    uint32_t account;         /* AGENT_STATUS: the agent; JOB_STATUS: the job's provider */
    uint64_t job;             /* JOB_STATUS: the job's id (PROTO_JOB_ID: consumer, seq) */
    uint32_t status;          /* AGENT_STATUS: proto_agent_status; JOB_STATUS:
                               * proto_job_status (after the change) */
    uint32_t prev_status;     /* the same before it (NONE: a new record or job) */
    uint64_t job_payment;     /* JOB_STATUS: base units the job pays its provider */
} proto_event;

#endif
