/* What a run measured: raw records collected while it runs, and the
 * headline figures derived from them at the end.
 *
 * The world (sim/world/world.c) feeds protocol observations and network counters
 * in; sim_metrics_finish() derives the figures with the stable names of
 * docs/scenarios.md (throughput_tps, finality_p99_s, ...). The reports layer
 * only writes what is here: it computes nothing of its own, so the
 * database, report.json and the stdout summary always agree. */
#ifndef AITBC_SIM_METRICS_H
#define AITBC_SIM_METRICS_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocol/core/crypto.h"

/* One distinct block ever proposed (by hash). */
typedef struct sim_block_record {
    uint64_t height;
    uint64_t slot;             /* PoA slot / PBFT view */
    uint32_t proposer;         /* node index of the proposer */
    proto_hash hash;
    uint32_t tx_count;
    int64_t proposed_ns;
    int64_t first_final_ns;    /* -1 if never final anywhere */
    /* Propagation (sim/figures/propagation.c): of the `live_count` nodes that were
     * up when the block was first seen (its proposal), `reached_count`
     * held it by the end (received or finalized it; its proposer from
     * the start). reached_pQ_ns is the delay from proposed_ns until
     * ceil(Q% of live_count) of them held it, -1 if that never happened;
     * reached_all_ns the same for all of them. */
    int64_t reached_p50_ns;
    int64_t reached_p90_ns;
    int64_t reached_p99_ns;
    int64_t reached_all_ns;
    uint32_t live_count;
    uint32_t reached_count;
    bool adopted;              /* was some node's head or final block */
} sim_block_record;

/* A block became final at a node. */
typedef struct sim_commit_record {
    uint64_t height;
    uint32_t node;
    int64_t committed_ns;
    uint32_t block_index;      /* into blocks */
} sim_commit_record;

/* A fault window as it actually happened (from the scenario). The strings
 * belong to the container: append with sim_metrics_fault() (or g_strdup
 * them yourself); sim_metrics_free() frees them. */
typedef struct sim_fault_record {
    char *name;
    char *action;
    int64_t at_ns;
    int64_t until_ns;          /* -1: none */
    char *nodes;               /* as written */
} sim_fault_record;

/* A named figure, e.g. ("finality_p99_s", 2.4). The name belongs to the
 * container (set it with sim_metrics_figure()). */
typedef struct sim_figure {
    char *name;
    double value;
} sim_figure;

/* A tx became final at the node it was submitted to. */
typedef struct sim_tx_record {
    int64_t submitted_ns;      /* first submission (a re-priced replacement keeps it) */
    int64_t final_ns;
    uint32_t node;
    const char *fee_strategy;  /* static: the client's ("estimator", "fixed", "aggressive",
                                * "spam") */
} sim_tx_record;

/* One height's fee market, from its first finalization by an honest node
 * (every honest node agrees on the block of a final height). */
typedef struct sim_fee_record {
    uint64_t height;
    int64_t final_ns;          /* first finalization */
    uint64_t base_fee;         /* base units per gas, from the header */
    uint64_t gas_used;
    uint64_t gas_limit;
    uint64_t burned;           /* gas_used x base_fee */
    uint64_t tips;             /* what the proposer received */
    uint32_t tx_count;
} sim_fee_record;

/* One height's stake concentration (sim/check/concentration.h), from
 * the voting power of that height in the state of the first honest node
 * to finalize it. */
typedef struct sim_concentration_record {
    uint64_t height;
    int64_t final_ns;          /* first finalization */
    uint64_t power_total;      /* voting power of every validator at the height */
    uint32_t validators_powered; /* validators with power > 0 */
    uint32_t nakamoto_validators; /* fewest validators with more than 1/3 of the power */
    uint32_t nakamoto_owners;  /* fewest owners with more than 1/3 of the power */
    double gini;               /* of power over the validators with power > 0, 0..1 */
    double top_owner_share;    /* the largest owner's power over the total, 0..1 */
} sim_concentration_record;

/* One height of the staking economy (sim/check/staking_obs.h), from the
 * state of the first honest node to finalize it (PBFT with [staking]). */
typedef struct sim_staking_record {
    uint64_t height;
    int64_t final_ns;          /* first finalization */
    uint64_t bonded;           /* the bonded pool: tokens of validators in the active set */
    uint64_t unbonding;        /* the not-bonded pool: other validators' tokens and the
                                * unbonding entries' balances */
    double staking_ratio;      /* bonded / the supply in existence (genesis + minted -
                                * burned), 0..1 */
    double inflation;          /* x/mint's annual rate; absent (NaN) without minting */
    uint64_t minted;           /* minted since genesis */
    uint64_t community_pool;   /* whole tokens in it */
    uint64_t rewards_claimed;  /* delegation rewards paid out since genesis */
    uint32_t nakamoto;         /* fewest validators with more than 1/3 of the power */
    uint32_t delegations;      /* delegation records */
    uint32_t unbonding_entries;
    uint32_t redelegation_entries;
} sim_staking_record;

/* A delegation in the state of the run's end (the highest final height
 * an honest node that is up holds). */
typedef struct sim_delegation_record {
    uint32_t delegator;        /* account index */
    uint32_t validator;
    double shares;             /* of the validator's delegator shares (display) */
    uint64_t tokens;           /* what the shares are worth, truncated: exact */
    uint64_t claimable;        /* rewards it could withdraw in the next block, whole coins */
} sim_delegation_record;

/* An unbonding entry in the state of the run's end (not yet mature). */
typedef struct sim_unbonding_record {
    uint32_t delegator;        /* account index */
    uint32_t validator;
    uint64_t creation_height;  /* the block that undelegated */
    int64_t completion_ns;     /* when it pays out */
    uint64_t initial_balance;  /* tokens undelegated */
    uint64_t balance;          /* what is left after slashes */
} sim_unbonding_record;

/* The agent market (sim/check/market_obs.h): one record per agent, one
 * per job a consumer wanted, one per registry transition. Agents are
 * numbered a0.. (their index); SIM_AGENT_NONE marks "no agent". Text
 * fields are static or g_intern_string()ed: they outlive every record. */
#define SIM_AGENT_NONE UINT32_MAX

typedef struct sim_agent_record {
    uint32_t agent;            /* its index: a0 is 0 */
    const char *role;          /* "provider" | "consumer" | "verifier" | "arbiter" | "sybil" */
    uint32_t node;             /* host node index (the last one, after a move) */
    const char *capability;    /* capability name; NULL: none (a consumer) */
    int64_t registered_ns;     /* first registration committed; -1: never */
    int64_t left_ns;           /* deregistered, evicted or its host gone, after its last
                                * registration; -1: still in the market at the end */
    /* The final figures (money_known): the world reports them once, at
     * the end of a run; a run that stopped before has none (absent). */
    uint64_t bond;             /* base units bonded at the end */
    double reputation;         /* the registry's score at the end */
    uint64_t jobs_done;        /* jobs released to it */
    uint64_t jobs_failed;      /* jobs it was refunded against (missed, rejected) */
    uint64_t earned;           /* base units released to it (providers) */
    uint64_t spent;            /* base units it paid providers (consumers) */
    uint64_t slashed;          /* base units of its bond slashed */
    uint32_t owner;            /* agent index of its owner (itself normally) */
    const char *behaviour;     /* the simulator's truth: "honest", "no-show", ... */
    uint64_t fees_paid;        /* market fees and transaction fees it paid */
    uint64_t operating_cost;   /* what computing cost it (providers; the simulator's model) */
    double roi;                /* (earned - operating_cost - fees_paid - slashed +
                                * dispute_got - dispute_paid) / (operating_cost + fees_paid);
                                * NaN unless a provider with operating_cost + fees_paid > 0 */
    const char *status;        /* its last registry status; NULL: none */
    bool money_known;
    uint64_t dispute_paid;     /* bonds and appeal fees it paid in disputes (money_known) */
    uint64_t dispute_got;      /* what dispute settlements paid to its balance (money_known) */
    uint64_t stake;            /* a juror's stake left in the disputes module (stake_known) */
    bool stake_known;          /* a juror whose final figures were reported */
} sim_agent_record;

/* One job a consumer wanted, posted on chain or not. */
typedef struct sim_job_record {
    uint64_t id;
    uint32_t consumer;         /* agent index */
    uint32_t provider;         /* agent index; SIM_AGENT_NONE: never matched */
    const char *capability;    /* capability name */
    int64_t posted_ns;         /* the consumer wanted it */
    int64_t matched_ns;        /* the provider's acceptance committed; -1: never */
    int64_t delivered_ns;      /* the result commitment committed; -1: never */
    int64_t settled_ns;        /* released, refunded or given up; -1: open at the end */
    const char *outcome;       /* static: sim_job_outcome_name() */
    uint64_t price;            /* base units escrowed for the provider (matched only) */
    uint64_t fee_paid;         /* market fee + transaction fees the consumer paid for it */
    uint64_t gas_used;         /* gas of the job's transactions */
    gboolean disputed;
    gboolean correct;          /* the result was right (the simulator's truth; delivered only) */
    double work_s;             /* compute time at reference speed, seconds */
} sim_job_record;

/* One dispute of the market (sim/check/dispute_obs.h): a consumer's
 * rejection the disputes module took up, by job. A dispute still open at
 * the end of the run has resolved_ns -1 and no ruling. */
typedef struct sim_dispute_record {
    uint64_t job_id;           /* the job disputed (one dispute per job) */
    int64_t opened_ns;         /* the consumer's rejection committed */
    uint32_t tier;             /* 0: undefended, lost by default; 1: settled by re-execution
                                * (round 0); 2: by a panel (rounds 1..). Open at the end: the
                                * tier reached so far */
    int64_t resolved_ns;       /* settled; -1: open at the end */
    const char *ruling;        /* static: "consumer" | "provider" | "none"; NULL: open */
    gboolean correct;          /* the ruling matches the simulator's truth: "consumer" for a
                                * wrong result, "provider" for a right one ("none" never);
                                * resolved only */
    uint32_t rounds;           /* rounds started: 0 undefended, round 0 is tier 1 */
    uint32_t appeals;          /* rounds appealed */
} sim_dispute_record;

/* One `upgrade` fault (sim/world/upgrades.c): the plan, its activation
 * and the nodes that halted at it for lack of the code. */
typedef struct sim_upgrade_record {
    const char *module;        /* static: the module's name */
    uint32_t version;          /* the version planned */
    uint32_t lagging;          /* nodes the fault names (installing late) */
    uint64_t planned_height;   /* the activation height asked for; 0: never asked */
    int64_t planned_ns;        /* the plan committed (first node); -1: never */
    uint64_t activated_height; /* the block that migrated (first node); 0: not reached */
    int64_t activated_ns;      /* that block final (first node); -1: not reached */
    int64_t stall_ns;          /* the activation block's first finality minus its
                                * predecessor's: the chain's pause at it; -1: not reached */
    uint32_t halted_nodes;     /* nodes that halted at it (their code lacked it) */
    int64_t resumed_ns;        /* the last of them final at the activation height again;
                                * -1: none halted, or one never resumed */
    int64_t halt_max_ns;       /* the longest a node stood halted (to the run's end for one
                                * that never resumed); 0: none halted */
} sim_upgrade_record;

/* An agent's registry status changed ("registered", "active",
 * "suspended", "evicted", "deregistered", "left", "moved"). */
typedef struct sim_agent_transition_record {
    int64_t at_ns;
    uint32_t agent;
    const char *status;
} sim_agent_transition_record;

/* An attack or anomaly the run's detectors raised (sim/check/alarms.c,
 * sim/check/concentration.c). */
typedef struct sim_alarm_record {
    int64_t at_ns;
    const char *kind;          /* static: "congestion" | "congestion-cleared" | "spam"
                                * | "censorship" | "concentration"
                                * | "concentration-cleared" | "agent_misbehaving"
                                * | "agent_unresponsive" | "sybil_suspected" */
    char *subject;             /* owned: who (a node, account or agent name, an owner,
                                * "chain") */
    char *detail;              /* owned: one sentence with the figures */
} sim_alarm_record;

/* A PBFT view change, from the first VIEW-CHANGE anyone sent for `view`
 * to the first node entering it. */
typedef struct sim_view_change_record {
    uint64_t view;
    const char *cause;         /* static: proto_view_cause_name() of the first sender */
    uint32_t first_node;       /* node index of the first sender */
    int64_t started_ns;
    int64_t ended_ns;          /* -1: never entered */
} sim_view_change_record;

/* A node first held a block (propagation: its first receipt, or its
 * finalization if no receipt came first): delay from its proposal. Every
 * node but the proposer, live at the proposal or not. */
typedef struct sim_receipt_record {
    uint64_t height;
    uint32_t node;
    int64_t delay_ns;
} sim_receipt_record;

/* A slashing committed by a block, once however many nodes reported it:
 * one record per (validator, reason, evidence_height, height). */
typedef struct sim_slashing_record {
    int64_t at_ns;             /* first report by an honest node */
    uint32_t validator;        /* node index of the validator's own node (vK) */
    const char *reason;        /* static: "double-sign" | "downtime" */
    uint64_t amount;           /* tokens burned */
    uint64_t evidence_height;  /* infraction height (downtime: the commit whose window
                                * jailed it) */
    uint64_t height;           /* the block that slashed it */
    uint64_t effective_height; /* it has no power from this height on */
} sim_slashing_record;

/* A change of a validator's standing committed by a block, once per
 * (validator, change, height, effective_height): "jail" (with every
 * slashing), "unjail", "rotate-key". */
typedef struct sim_validator_change_record {
    int64_t at_ns;             /* first report by an honest node */
    uint32_t validator;        /* node index */
    const char *change;        /* static */
    uint64_t height;           /* the block that made the change */
    uint64_t effective_height; /* first height it applies to */
} sim_validator_change_record;

/* A node suspected a partition (it lost contact with validators holding
 * more than 1/3 of the stake) and, if healed_ns >= 0, heard them again. */
typedef struct sim_partition_record {
    uint32_t node;
    int64_t suspected_ns;
    int64_t healed_ns;         /* -1: not healed by the end (or the node went down) */
    uint64_t stake_seen;       /* at the suspicion: stake of the validators it heard */
    uint64_t stake_total;
} sim_partition_record;

/* A churn join or leave. */
typedef struct sim_membership_record {
    int64_t at_ns;
    uint32_t node;
    const char *kind;          /* static: "join" | "leave-graceful" | "leave-crash" */
} sim_membership_record;

/* One node's mesh and traffic figures at the end of the run (a node down
 * at the end: as it went down). */
typedef struct sim_peer_record {
    uint32_t node;
    bool mesh;                 /* it ran a p2p node: the fields below it are valid */
    uint64_t bytes_sent;       /* every message it sent (sim/engine/net.h) */
    uint64_t bytes_received;   /* every message delivered to it */
    uint32_t peers;
    uint64_t gossip_first;     /* gossip messages it got a first copy of */
    uint64_t gossip_duplicate; /* further copies */
    uint64_t throttled;        /* messages it dropped over a peer's budget */
    uint64_t bans;             /* peers it banned */
} sim_peer_record;

typedef struct sim_metrics {
    GArray *blocks;            /* sim_block_record */
    GArray *commits;           /* sim_commit_record */
    GArray *faults;            /* sim_fault_record */
    GArray *txs;               /* sim_tx_record */
    GArray *fees;              /* sim_fee_record, by height */
    GArray *alarms;            /* sim_alarm_record, in time order */
    GArray *concentration;     /* sim_concentration_record, by height (PBFT) */
    GArray *staking;           /* sim_staking_record, by height (PBFT with [staking]) */
    GArray *delegations;       /* sim_delegation_record, by (delegator, validator) */
    GArray *unbondings;        /* sim_unbonding_record, by (delegator, validator, creation) */
    GArray *agents;            /* sim_agent_record, by agent index */
    GArray *jobs;              /* sim_job_record, in order of posting */
    GArray *agent_transitions; /* sim_agent_transition_record, in time order */
    GArray *disputes;          /* sim_dispute_record, in order of opening */
    GArray *upgrades;          /* sim_upgrade_record, one per upgrade fault, in file order */
    GArray *view_changes;      /* sim_view_change_record, by view */
    GArray *receipts;          /* sim_receipt_record, in order of arrival */
    GArray *slashings;         /* sim_slashing_record, in order of first report */
    GArray *validator_changes; /* sim_validator_change_record, in order of first report */
    GArray *partitions;        /* sim_partition_record, by suspicion time */
    GArray *churn;             /* sim_membership_record, in time order */
    GArray *peers;             /* sim_peer_record, one per node, by node index */
    GArray *figures;           /* sim_figure, filled by sim_metrics_finish */
    GHashTable *block_by_hash; /* proto_hash* -> index+1 (lookup only, never iterated) */
} sim_metrics;

sim_metrics *sim_metrics_new(void);
void sim_metrics_free(sim_metrics *m);

/* Index of the block record for hash, creating it if new. A new record is
 * zero except its hash and its times, which start at -1 (unknown). */
uint32_t sim_metrics_block(sim_metrics *m, const proto_hash *hash);
/* Set a figure: replaces the value of an existing name in place (keeping
 * its position), otherwise appends, so figures keep first-set order. */
void sim_metrics_figure(sim_metrics *m, const char *name, double value);
/* Append a fault record, copying the strings (nodes may be NULL). */
void sim_metrics_fault(sim_metrics *m, const char *name, const char *action, int64_t at_ns,
                       int64_t until_ns, const char *nodes);
/* Value of a figure, or `fallback` if absent. */
double sim_metrics_get(const sim_metrics *m, const char *name, double fallback);

/* Percentile (0..100, nearest-rank) of n int64 values; sorts in place.
 * The value of rank ceil(pct/100 * n) (at least 1) in ascending order, so
 * pct <= 0 gives the minimum and pct >= 100 the maximum. n == 0 gives 0:
 * callers that can see no samples must check n themselves. */
int64_t sim_percentile_i64(int64_t *values, size_t n, double pct);

#endif
