/* sim/scenario: scenario files and what makes them. This header is the
 * folder's entry point: a file parsed, validated and ready for
 * sim/world/world.c. Beside it: ini.h (the line-aware reader and writer),
 * units.h (durations, rates, sizes, distributions), nodeset.h (node names
 * and sets), scenario_keys.h (every key the parser accepts, for the docs
 * test) and swarm_gen.h (random fault schedules around a base scenario).
 *
 * The file format is GLib key-file syntax as specified in
 * docs/scenarios.md, read by our own line-aware parser (sim/scenario/ini.c) so
 * every error can name FILE:LINE: key. Loading is two steps: read the text
 * into sections of (key, value, line) entries, apply `--set section.key=value`
 * overrides, then interpret every key into the typed struct below. Anything
 * unknown, out of range or inconsistent is an input error (GError in
 * SIM_SCENARIO_ERROR), never an abort.
 *
 * Node names: validators v0..v{V-1} get indexes 0..V-1, full nodes n0..
 * get V..V+F-1, and twins vK' (see `twins`) come after those. Node sets
 * are sorted arrays of those indexes without duplicates. Agents a0..
 * ([agents], see sim_agents_options, and the jurors of [disputes], see
 * sim_disputes_options) are not nodes: they have indexes of their own,
 * and faults keep them apart (sim_fault.agents). */
#ifndef AITBC_SIM_SCENARIO_H
#define AITBC_SIM_SCENARIO_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocol/chain/fee_market.h"
#include "protocol/chain/valset.h"
#include "protocol/modules/disputes/disputes.h"

#define SIM_SCENARIO_ERROR (sim_scenario_error_quark())
GQuark sim_scenario_error_quark(void);

typedef enum sim_scenario_error_code {
    SIM_SCENARIO_ERROR_IO,      /* cannot read the file */
    SIM_SCENARIO_ERROR_SYNTAX,  /* not key-file syntax, binary, empty */
    SIM_SCENARIO_ERROR_KEY,     /* unknown section or key */
    SIM_SCENARIO_ERROR_VALUE,   /* bad value, unit, range, node name */
} sim_scenario_error_code;

typedef enum sim_dist_kind {
    SIM_DIST_CONSTANT = 0, /* a_ns */
    SIM_DIST_UNIFORM,      /* a_ns .. b_ns */
    SIM_DIST_NORMAL,       /* mean a_ns, sd b_ns, truncated at 0 */
    SIM_DIST_LOGNORMAL,    /* median a_ns, sigma (of the underlying normal) */
    SIM_DIST_EXPONENTIAL,  /* mean a_ns */
} sim_dist_kind;

typedef struct sim_dist {
    sim_dist_kind kind;
    int64_t a_ns;
    int64_t b_ns;
    double sigma;
} sim_dist;

/* A distribution of plain numbers ([agents] speed, price, cost): the same
 * kinds, with a and b meaning what a_ns and b_ns mean for sim_dist. */
typedef struct sim_num_dist {
    sim_dist_kind kind;
    double a;
    double b;
    double sigma;
} sim_num_dist;

typedef enum sim_consensus_kind {
    SIM_CONSENSUS_POA = 0,
    SIM_CONSENSUS_PBFT,
} sim_consensus_kind;

/* How nodes reach each other (see README.md, "The network"). */
typedef enum sim_topology {
    SIM_TOPOLOGY_MESH = 0, /* every node is a P2P mesh node (protocol/p2p) carrying its
                            * consensus node: peers, gossip, bootstrap */
    SIM_TOPOLOGY_DIRECT,   /* every node reaches every other with one send */
} sim_topology;

typedef enum sim_rotation_kind {
    SIM_ROTATION_ROUND_ROBIN = 0,
    SIM_ROTATION_STAKE_WEIGHTED,
} sim_rotation_kind;

typedef enum sim_fault_action {
    SIM_FAULT_CRASH = 0,
    SIM_FAULT_PARTITION,
    SIM_FAULT_DEGRADE,
    SIM_FAULT_BYZANTINE,
    SIM_FAULT_CHURN,
    SIM_FAULT_ROTATE_KEY,
    SIM_FAULT_UNBOND,  /* [staking]: the listed validators' delegators undelegate at once */
    SIM_FAULT_UPGRADE, /* a module upgrade planned by the authority; `nodes` install it late */
} sim_fault_action;

const char *sim_fault_action_name(sim_fault_action a);

typedef struct sim_fault {
    char *name;              /* from [fault NAME] */
    int line;                /* line of the section header */
    sim_fault_action action;
    int64_t at_ns;
    int64_t until_ns;        /* -1: no end */
    GArray *nodes;           /* uint32 node indexes (crash, degrade, byzantine, churn,
                              * rotate-key); never NULL, empty for partition */
    char *nodes_text;        /* as written, for reports (partition: the groups) */
    GPtrArray *groups;       /* partition: GArray* of uint32 each; unlisted nodes join group 0;
                              * never NULL, empty for other actions */
    bool oneway;             /* partition written `A -> B`: groups[0]'s messages to
                              * groups[1] are dropped, not the reverse; unlisted nodes
                              * are not cut */
    /* degrade: which link parameters replace the base ones */
    bool has_latency;
    sim_dist latency;
    bool has_loss;
    double loss;
    bool has_duplicate;
    double duplicate;
    bool has_bandwidth;
    uint64_t bandwidth_bps;
    /* byzantine */
    char *behavior;          /* NULL unless byzantine; else the keyword: equivocate |
                              * double-sign | withhold | invalid-signature | replay |
                              * delay | flood | twin | spam | censor, or an agent's:
                              * no-show | slow | wrong-result | overcharge | sybil
                              * (providers), false-dispute (consumers), lazy |
                              * collude (jurors) (values below) */
    int64_t behavior_delay_ns; /* `delay D`, `slow D`: > 0 */
    double behavior_rate_per_s; /* `flood R/s`, `spam R/s` */
    double behavior_factor;  /* `overcharge [F]`: asks F x its price, > 1 (default 3) */
    uint32_t behavior_count; /* `sybil N`: extra bonded provider identities, >= 1 */
    GArray *collude;         /* `collude A B ...`: uint32 agent indexes of the parties the
                              * jurors favour, sorted, distinct, 1..PROTO_AGENT_COLLUDE_MAX;
                              * never NULL, empty for other behaviours */
    /* Agents the fault names (byzantine and churn only): uint32 agent
     * indexes (a0 = 0; see sim_agents_options), sorted, never NULL. Agents
     * are not network nodes, so they are never in `nodes`; a fault names
     * nodes or agents, not both. */
    GArray *agents;
    /* churn */
    double join_rate_per_s;
    double leave_rate_per_s;
    /* unbond: redelegate to this validator instead (node index), or
     * UINT32_MAX: undelegate */
    uint32_t to_validator;
    /* upgrade (sim/scenario/scenario_upgrade.c): the module's id and the
     * version planned, activating upgrade_blocks blocks after the chain's
     * height at `at`; `nodes` (may be empty) run the old code until
     * `at` + upgrade_lag_ns, the others the new one from the start. */
    uint32_t upgrade_module;
    uint32_t upgrade_version;
    uint32_t upgrade_blocks;
    int64_t upgrade_lag_ns;
} sim_fault;

typedef enum sim_expect_state {
    SIM_EXPECT_UNSET = 0,
    SIM_EXPECT_HOLDS,
    SIM_EXPECT_FAILS,
} sim_expect_state;

typedef struct sim_expect {
    sim_expect_state safety;
    sim_expect_state liveness;
    sim_expect_state conservation; /* supply and module invariants at every height */
    bool has_min_throughput;
    double min_throughput_tps;
    bool has_max_finality_p99;
    int64_t max_finality_p99_ns;
    bool has_max_block_propagation_p99;
    int64_t max_block_propagation_p99_ns;
    bool has_slashed;
    GArray *slashed;         /* uint32 node indexes; empty for `none` */
    bool has_max_view_changes;
    uint64_t max_view_changes;
    bool has_max_resubmitted_other; /* figure txs_resubmitted.other (network's losses) */
    uint64_t max_resubmitted_other;
    bool has_alarms;
    GPtrArray *alarms;       /* char* "KIND:SUBJECT" (canonical node names, "chain", or an
                              * owner's name): each must be raised; empty for `none` (none
                              * may be) */
    bool has_min_nakamoto;   /* PBFT only */
    uint32_t min_nakamoto;   /* the run's smallest Nakamoto coefficient, by owners when
                              * [staking] owners is given, else by validators, >= this */
    /* The agent market's targets (need [jobs], or [agents] for the last two) */
    bool has_min_job_completion;
    double min_job_completion;   /* job_completion_rate >= this; [0, 1] */
    bool has_max_dispute_rate;
    double max_dispute_rate;     /* dispute_rate <= this; [0, 1] */
    bool has_max_cost_per_job_usd;
    double max_cost_per_job_usd; /* cost_per_job_usd <= this; >= 0 */
    bool has_min_active_agents;
    uint32_t min_active_agents;  /* agents_active_max >= this; <= providers + consumers */
    bool has_min_provider_roi;
    double min_provider_roi;     /* provider_roi_mean >= this; >= -1 (all lost) */
    bool has_max_faulty_provider_roi;
    double max_faulty_provider_roi; /* provider_roi_faulty_mean <= this; >= -1 */
    bool has_min_overturned_share;
    double min_overturned_share; /* disputes_overturned_share >= this; [0, 1] */
    bool has_max_wrong_ruling_share;
    double max_wrong_ruling_share; /* disputes_wrong_ruling_share <= this; [0, 1] */
    /* Upgrade faults' targets (need one): the chain's longest pause at an
     * activation block, and the longest a node stood halted for lack of
     * the code (to the end for one that never resumed) */
    bool has_max_upgrade_stall;
    int64_t max_upgrade_stall_ns;  /* upgrade_stall_max_s <= this */
    bool has_max_upgrade_halt;
    int64_t max_upgrade_halt_ns;   /* upgrade_halt_max_s <= this */
} sim_expect;

/* The staking economy's keys of [staking] (sim/scenario/scenario_staking.c);
 * rates are fixed-point, x 10^-18, as the chain's messages carry them. */
#define SIM_RATE_ONE 1000000000000000000ULL
typedef struct sim_staking_options {
    uint32_t delegators;             /* accounts that delegate at genesis, then act */
    uint64_t delegator_stake;        /* each one's genesis delegation; 0: a tenth of the
                                      * mean validator stake (at least 1) */
    double delegation_rate_per_s;    /* their operations, all of them together */
    int64_t unbonding_time_ns;       /* > 0 */
    uint32_t max_validators;         /* 0: every validator */
    uint64_t min_self_bond;          /* >= 1: every genesis stake at least this */
    GArray *commission;              /* uint64 rate: one for all, or one per validator */
    uint64_t commission_max_rate;    /* every validator's max rate, >= its rate */
    uint64_t commission_max_change_rate; /* most one edit (per day of `year`) moves it */
    uint64_t inflation_min;          /* rates: inflation_min <= inflation_max */
    uint64_t inflation_max;
    uint64_t inflation_rate_change;
    uint64_t goal_bonded;            /* > 0 */
    uint64_t community_tax;
    int64_t year_ns;                 /* simulated time counted as a year, > 0 */
} sim_staking_options;

/* The agent market ([agents], [jobs]; sim/scenario/scenario_agents.c).
 * Agents a0..a{P+C-1} are actors, not network nodes: providers are
 * a0..a{P-1}, consumers aP..a{P+C-1} (and the jurors of [disputes]
 * after them, sim_disputes_options); agent i runs on node
 * hosts[i mod hosts->len]. Capabilities are provider classes: the
 * providers of capability 0 are the first ones (a0..), then those of
 * capability 1, and so on; a capability's index is its bit in the chain's
 * capability mask (PROTO_TXMSG_CAPABILITIES_MAX). Token amounts are base
 * units; prices and costs are base units per reference second of work
 * (a provider of speed s does it in work / s). */
#define SIM_AGENTS_MAX 100000         /* providers + consumers (+ [disputes] jurors) */
#define SIM_AGENTS_CAPABILITIES_MAX 32
#define SIM_AGENTS_NAME_MAX 32        /* characters of a capability name */
typedef struct sim_capability {
    char *name;                  /* [a-z0-9-]+, unique */
    uint32_t providers;          /* >= 1 */
    uint32_t first;              /* its first provider's agent index */
} sim_capability;

typedef struct sim_agents_options {
    bool declared;               /* the file has an [agents] section (else no agents) */
    uint32_t providers;          /* >= 1 */
    uint32_t consumers;          /* >= 0; providers + consumers <= SIM_AGENTS_MAX */
    GArray *hosts;               /* uint32 node indexes (validators and full nodes, no
                                  * twins); never empty when declared; default full_nodes */
    GArray *capabilities;        /* sim_capability, 1..32; their providers add up to
                                  * `providers`; default one, "compute", of all */
    uint32_t capacity;           /* jobs a provider runs at once, >= 1 (default 1) */
    sim_num_dist speed;          /* x the reference speed, drawn per provider: > 0, <= 1000
                                  * (default constant 1) */
    sim_num_dist price;          /* ask, base units per reference second: > 0 (default
                                  * constant 100) */
    sim_num_dist cost;           /* operating cost per reference second: >= 0 (default
                                  * constant 30) */
    uint64_t bond;               /* registration bond, base units, >= 1 (default 10000) */
    int64_t heartbeat_ns;        /* liveness period, > 0 (default 30s) */
    uint32_t suspend_after;      /* heartbeat periods missed before suspension, >= 1
                                  * (default 2) */
    uint32_t evict_after;        /* ... before eviction, >= suspend_after (default 6) */
    int64_t unbond_delay_ns;     /* a leaving agent's bond returns this much later
                                  * (default 60s) */
    uint64_t evict_slash;        /* share of the bond slashed at eviction, x 10^-18
                                  * (SIM_RATE_ONE = 1; default 0.1) */
    uint64_t noshow_slash;       /* share slashed for an accepted job never delivered
                                  * (default 0.05) */
    double notice;               /* probability a consumer spots a wrong result, [0, 1]
                                  * (default 0.9) */
    uint64_t consumer_balance;   /* base units each consumer starts with, >= 1; when not
                                  * given, sim_scenario_default_consumer_balance() */
    bool consumer_balance_given;
    double token_usd;            /* reporting price of one base unit in USD (default
                                  * 0.00001) ... */
    uint64_t token_usd_e18;      /* ... exactly, x 10^-18 USD; at most 10 USD */
} sim_agents_options;

/* [jobs] fee_to: the chain's fee collector (the distribution module's
 * with [staking], else burned), or the treasury, a 2-of-3 multisig of
 * the governors (sim/world/chain_governance.c). */
typedef enum sim_fee_sink {
    SIM_FEE_TO_COLLECTOR = 0,
    SIM_FEE_TO_TREASURY,
} sim_fee_sink;

typedef struct sim_jobs_options {
    bool declared;               /* the file has a [jobs] section (else no jobs) */
    double rate_per_s;           /* Poisson postings, all consumers together (default 1/s) */
    sim_dist work;               /* compute time at reference speed, draws > 0 (default
                                  * constant 1s) */
    GArray *mix;                 /* double, one per [agents] capability, in its order: the
                                  * weight of postings needing it, >= 0, some > 0; default
                                  * the capabilities' provider counts */
    uint64_t max_price;          /* a consumer's most per reference second, >= 1 (default 150) */
    int64_t deadline_ns;         /* result due after acceptance, a whole number of ms,
                                  * 1ms..2^32-1 ms (default 60s) */
    int64_t challenge_window_ns; /* after delivery, before automatic release (default 30s) */
    double verify;               /* share of results re-executed, [0, 1] (default 0) */
    int64_t accept_timeout_ns;   /* a posting no provider accepts is cancelled after this,
                                  * > 0 (default 30s) */
    uint64_t fee;                /* market fee on each payment, x 10^-18 (default 0.01) */
    uint64_t guard_above;        /* jobs paying this or more are guarded by a 2-of-3
                                  * multisig (protocol/modules/jobs/jobs.h); 0: none
                                  * (default); needs [disputes] arbiters */
    int64_t guard_expiry_ns;     /* an undecided guarded job is released this long after
                                  * its window (default 60s) */
    sim_fee_sink fee_to;         /* where a released job's market fee goes */
} sim_jobs_options;

/* The disputes module ([disputes]; sim/scenario/scenario_disputes.c):
 * the chain's parameters and its jurors. The jurors are agents too,
 * appended after the consumers: verifiers a{P+C}..a{P+C+V-1}, then the
 * arbiters; they run on [agents] hosts like the others, and the chain's
 * genesis makes each a juror with `stake`. */
typedef struct sim_disputes_options {
    bool declared;               /* the file has a [disputes] section (else no module) */
    uint32_t verifiers;          /* verifier agents (tier 1), default 0 */
    uint32_t arbiters;           /* arbiter agents (panels), default 0; verifiers + arbiters
                                  * <= PROTO_DISPUTES_JURORS_MAX */
    proto_disputes_params params;/* the chain's, proto_disputes_params_valid; defaults
                                  * proto_disputes_defaults() but 20 s periods */
    uint64_t stake;              /* each juror's genesis stake, >= 1 (default 10 x
                                  * stake_at_risk, at least 1) */
    bool stake_given;
} sim_disputes_options;

typedef struct sim_scenario {
    char *path;
    char *name;
    char *description;
    uint64_t seed;
    int64_t duration_ns;
    uint64_t events_max;        /* [scenario] max_events, default 2e9 */
    uint64_t pending_events_max; /* [scenario] max_pending_events, default 64 Mi: an event
                                  * storm past it ends the run as a failure */

    /* [network] */
    uint32_t validators;
    uint32_t full_nodes;
    uint32_t agents;            /* always 0: agents are not network nodes ([agents] declares
                                 * them, in agents_opt); [network] agents = 0 is still
                                 * accepted, and node index arithmetic (V + F + agents)
                                 * keeps working */
    uint32_t degree;
    sim_dist latency;
    double loss;
    double duplicate;
    uint64_t bandwidth_bps;     /* 0 = unlimited */
    sim_topology topology;      /* default mesh */
    GArray *bootstrap;          /* uint32 node indexes (validators and full nodes) a mesh
                                 * node first dials; default: the first three validators
                                 * (all of them if fewer); never empty */

    /* [consensus] */
    sim_consensus_kind protocol;
    sim_rotation_kind rotation;
    GArray *stakes;             /* uint64, one per validator */
    int64_t block_interval_ns;
    uint32_t max_block_txs;
    int64_t view_timeout_ns;
    uint32_t checkpoint_interval;
    bool crypto_fast;

    /* [slashing] (PBFT only): fractions, downtime window, jail time,
     * evidence age and update delay; proto_slashing_defaults() unless set */
    proto_slashing_params slashing;

    /* [fees] (every protocol): the block gas limit and EIP-1559's
     * parameters (fee_params.gas_limit_bound_divisor and min_gas_limit
     * are Ethereum's and unused: the limit is fixed) */
    uint64_t block_gas_limit;
    proto_fee_params fees;

    /* [staking] (PBFT only; sim/scenario/scenario_staking.c): for now, who
     * controls which validators, for the stake concentration analysis. */
    bool staking;               /* the file has a [staking] section: concentration alarms are
                                 * raised (a run without one keeps the alarms it had) */
    bool owners_declared;       /* [staking] owners is given */
    GPtrArray *owner_names;     /* char*: the owners [staking] owners names, in order of first
                                 * mention, then every validator it does not list, under its
                                 * own name ("v7"), by index; one per validator by default */
    GArray *owner_of;           /* uint32, one per validator: its owner (index into
                                 * owner_names) */
    sim_staking_options staking_opt; /* the rest of [staking]; defaults without it */

    /* [agents] and [jobs] (sim/scenario/scenario_agents.c) */
    sim_agents_options agents_opt;
    sim_jobs_options jobs_opt;
    /* [disputes] (sim/scenario/scenario_disputes.c) */
    sim_disputes_options disputes_opt;

    /* [workload] */
    GArray *fee_strategies;     /* sim_fee_strategy: how clients price, shares summing to 1 */
    uint64_t client_max_fee;    /* [workload] max_fee_per_gas: clients' mean budget per gas
                                 * (0: 20 x [fees] initial_base_fee) */
    double burst_rate_per_s;    /* [workload] burst: this rate instead of tx_rate ... */
    int64_t burst_at_ns;        /* ... from here ... */
    int64_t burst_until_ns;     /* ... to here (burst_rate 0: no burst) */
    double tx_rate_per_s;
    uint32_t accounts;
    int64_t workload_start_ns;
    int64_t workload_stop_ns;

    GPtrArray *faults;          /* sim_fault*, in file order */
    /* Twins (faults with behavior = twin): uint32 validator index K of each
     * twin "vK'", in the order of the twin faults (and of their nodes).
     * Twin i is node V+F+A+i; sim_scenario_node_count includes them. */
    GArray *twins;
    sim_expect expect;
    /* TEST ONLY, never read from a file: set by the CLI when the
     * environment says AITBC_TEST_BREAK=quorum, to run a deliberately
     * broken PBFT (pbft_params.test_break_quorum). */
    bool test_break_quorum;
} sim_scenario;

/* How a client prices its transactions ([workload] fee_strategy). */
typedef enum sim_fee_strategy_kind {
    SIM_FEE_ESTIMATOR,  /* the node's suggested tip; fee cap 2 x base fee + tip; re-prices */
    SIM_FEE_FIXED,      /* always `tip`; fee cap 2 x base fee + tip; never re-prices */
    SIM_FEE_AGGRESSIVE, /* twice the suggested tip (at least +1); fee cap 3 x base fee + tip;
                         * re-prices */
} sim_fee_strategy_kind;

typedef struct sim_fee_strategy {
    sim_fee_strategy_kind kind;
    uint64_t tip;       /* SIM_FEE_FIXED: base units per gas */
    double share;       /* of the accounts, (0, 1] */
    const char *label;  /* interned: the name in outputs, unique in the mix ("estimator",
                         * "aggressive", "fixed"; "fixed_TIP" for each of several fixed) */
} sim_fee_strategy;

/* "estimator", "fixed", "aggressive". */
const char *sim_fee_strategy_name(sim_fee_strategy_kind kind);

/* Load FILE, apply overrides ("section.key=value", NULL-terminated, may be
 * NULL), validate. On failure returns NULL and sets error with a message of
 * the form "FILE:LINE: key: what is wrong". */
sim_scenario *sim_scenario_load(const char *path, const char *const *overrides, GError **error);
/* Same from text in memory (path is used in messages). */
sim_scenario *sim_scenario_parse(const char *path, const char *text, size_t size,
                                 const char *const *overrides, GError **error);
void sim_scenario_free(sim_scenario *s);

uint32_t sim_scenario_node_count(const sim_scenario *s);

/* [fees] defaults: SCENARIOS.md's initial base fee, and a block gas
 * limit that holds [consensus] max_block_txs' default of transfers (5000
 * at 16,357 gas each), so the gas limit binds only where a scenario says. */
#define SIM_SCENARIO_INITIAL_BASE_FEE 1000
#define SIM_SCENARIO_BLOCK_GAS_LIMIT 100000000

/* Gas of one workload transfer (one TRANSFER message, ante included)
 * under the chain's gas schedule. */
uint64_t sim_scenario_transfer_gas(void);
/* Validator v's commission rate (x 10^-18) from [staking] commission. */
uint64_t sim_scenario_commission_of(const sim_scenario *s, uint32_t validator);
/* "v3", "n12", "v3'"; returns a newly allocated string. */
char *sim_scenario_node_name(const sim_scenario *s, uint32_t index);

/* The agent market (see sim_agents_options). Agent indexes are
 * 0..sim_scenario_agent_count() - 1, named "a0", "a1", ...: providers,
 * consumers, then the jurors of [disputes] (verifiers, then arbiters). */
uint32_t sim_scenario_agent_count(const sim_scenario *s);   /* 0 without [agents] */
/* Jurors: [disputes] verifiers + arbiters (0 without the section). */
uint32_t sim_scenario_jurors(const sim_scenario *s);
bool sim_scenario_agent_is_provider(const sim_scenario *s, uint32_t agent);
/* "provider", "consumer", "verifier" or "arbiter" (static). */
const char *sim_scenario_agent_role(const sim_scenario *s, uint32_t agent);
uint32_t sim_scenario_agent_host(const sim_scenario *s, uint32_t agent); /* node index */
/* Index in agents_opt.capabilities of a provider's class; UINT32_MAX for a
 * consumer. */
uint32_t sim_scenario_agent_capability(const sim_scenario *s, uint32_t agent);
/* [agents] consumer_balance's default: enough for twice a consumer's
 * expected jobs at max_price (escrow and market fee), its transactions'
 * gas at the clients' fee cap and its bond (docs/scenarios.md, [agents]). */
uint64_t sim_scenario_default_consumer_balance(const sim_scenario *s);

/* Value parsers, exposed for --set, tests and other sections. Each returns
 * FALSE and sets a message (without location) on bad input. */
gboolean sim_parse_duration(const char *text, int64_t *out_ns, GError **error);
gboolean sim_parse_rate(const char *text, double *out_per_s, GError **error);
gboolean sim_parse_size(const char *text, uint64_t *out_bytes, GError **error);
gboolean sim_parse_bandwidth(const char *text, uint64_t *out_bps, GError **error);
gboolean sim_parse_dist(const char *text, sim_dist *out, GError **error);

#endif
