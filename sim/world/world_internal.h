/* The world's structure, private to sim/world/ and to the observers of
 * sim/check/ and sim/figures/, which read it (never the scenario: the
 * options structs below are their view of the run). */
#ifndef AITBC_SIM_WORLD_INTERNAL_H
#define AITBC_SIM_WORLD_INTERNAL_H

#include "protocol/chain/rotation.h"
#include "protocol/chain/state.h"
#include "protocol/chain/tx_envelope.h"
#include "protocol/core/env.h"
#include "protocol/core/event.h"
#include "protocol/core/node.h"
#include "protocol/p2p/p2p.h"
#include "protocol/pbft/pbft.h"
#include "protocol/poa/poa.h"
#include "sim/check/accountability.h"
#include "sim/check/alarms.h"
#include "sim/check/concentration.h"
#include "sim/check/conservation.h"
#include "sim/check/liveness.h"
#include "sim/check/safety.h"
#include "sim/check/staking_obs.h"
#include "sim/engine/net.h"
#include "sim/engine/rng.h"
#include "sim/engine/sched.h"
#include "sim/engine/store.h"
#include "sim/engine/trace.h"
#include "sim/figures/figures.h"
#include "sim/world/agents.h"
#include "sim/world/byzantine.h"
#include "sim/world/chain.h"
#include "sim/world/churn.h"
#include "sim/world/world.h"
#include "sim/world/world_observer.h"

typedef struct sim_world sim_world;
typedef struct sim_upgrades sim_upgrades;

typedef struct sim_node_slot {
    sim_world *world;
    uint32_t index;
    int32_t validator_index;   /* -1 for full nodes */
    bool up;
    uint32_t incarnation;      /* bumped at every crash: stale timers are ignored */
    void *node;                /* what the world drives (ops); NULL while down */
    const proto_node_ops *ops;
    /* Mesh topology: the node's P2P mesh node, which carries its consensus
     * node (node == p2p, ops == &p2p_node_ops; freeing it frees the
     * consensus node). NULL in direct topology and while down. */
    p2p_node *p2p;
    void *consensus;           /* the consensus node (PBFT or PoA): == node in direct
                                * topology, inside p2p in mesh; NULL while down */
    const proto_node_ops *consensus_ops; /* its own ops */
    bool churned_out;          /* down because churn took it down: a churn join may start
                                * it again as a new machine; cleared when it starts */
    bool leaving;              /* a graceful churn leave is under way (it goes down
                                * SIM_CHURN_GRACE_NS after its GOODBYEs) */
    sim_store *store;          /* survives crashes */
    sim_rng rng;               /* the node's own stream */
    proto_env env;
    uint64_t final_height;     /* highest height this node reported final (0 again after
                                * a churn join: a new node starts at genesis) */
    uint32_t crashes;
    uint32_t crash_holds;      /* crash faults whose window holds it down now: it restarts
                                * only when the last of them ends (sim/world/faults.c) */
    bool twin_window;          /* a twin: its twin fault's window is open (it may run) */
    bool honest;               /* no Byzantine fault names it (and not a twin) */
    sim_byz *byz;              /* its Byzantine send wrapper, or NULL */
    int64_t censor_at_ns;      /* a censor behaviour's window (market_faults.c); */
    int64_t censor_until_ns;   /* until -1: to the end */
    GArray *twins;             /* uint32 node indexes running this validator's identity */
    /* rotate-key faults for this validator (its own node; twins keep the
     * genesis key): how many came due, how many the node was given (a
     * node that was down gets the rest right after its restart) */
    uint32_t rotations_due;
    uint32_t rotations_delivered;
} sim_node_slot;

typedef struct sim_inflight sim_inflight;

/* A final block's transactions that clients still wait for, by the node
 * each was submitted to (workload.c). */
typedef struct sim_block_txs {
    GArray *pending;           /* sim_pending_tx by (node, position); NULL: none */
    uint64_t down_epoch;       /* w->down_epoch at its last sweep for down nodes */
    uint64_t resubmitted;      /* wl->resubmitted when built */
    bool built;
} sim_block_txs;

/* What the workload needs from the scenario, translated once by the
 * world (world.c, workload_options): the workload never reads the
 * scenario. */
typedef struct sim_workload_options {
    uint64_t seed;             /* the run's seed: the workload's RNG stream and account keys */
    uint32_t accounts;
    double tx_rate_per_s;      /* Poisson arrivals; 0: no workload */
    int64_t start_ns;          /* first arrival */
    int64_t stop_ns;           /* no arrival at or after */
    int64_t end_ns;            /* the run's duration: no retry scan after */
    const GArray *fee_strategies; /* sim_fee_strategy, shares summing to 1 (the scenario's) */
    uint64_t client_max_fee;   /* clients' mean budget per gas (pricing.c) */
    double burst_rate_per_s;   /* > 0: arrivals at this rate in [burst_at, burst_until) */
    int64_t burst_at_ns;
    int64_t burst_until_ns;
} sim_workload_options;

/* The world's shape and schedule, translated once from the scenario by
 * world.c (world_options): what the world's components (faults, churn,
 * Byzantine wrappers, the mesh wiring, the checkers and the figure
 * collectors) may know about the run. Only world.c reads the scenario;
 * a component with settings of its own gets an options struct of its own
 * too (sim_workload_options above, sim_mesh_options, sim_acct_options,
 * sim_liveness_options). */
typedef struct sim_world_options {
    uint64_t seed;             /* the run's seed: every RNG stream and key derives from it */
    sim_consensus_kind protocol;
    sim_topology topology;
    uint32_t validators;       /* nodes 0 .. validators-1 */
    uint32_t full_nodes;       /* then the full nodes */
    uint32_t agents;           /* then the agents */
    uint32_t first_twin;       /* then the twins, from this node index (= V + F + A) */
    int64_t duration_ns;
    int64_t block_interval_ns;
    uint64_t events_max;       /* the run stops after executing this many events */
    /* The fault schedule (sim_fault*, in file order; owned by the
     * scenario, which outlives the world) and, for each twin, the
     * validator index whose identity it runs (uint32, in twin order). */
    const GPtrArray *faults;
    const GArray *twins;
} sim_world_options;

/* The mesh topology's settings (mesh_world.c). */
typedef struct sim_mesh_options {
    uint32_t degree;           /* target peers per node */
    const GArray *bootstrap;   /* uint32 node indexes a new node first dials; never empty */
} sim_mesh_options;

typedef struct sim_workload {
    sim_workload_options opt;
    sim_rng rng;
    const proto_keypair *keys; /* [accounts]: the chain's account keys */
    uint32_t clients;          /* accounts, then the chain's delegators, then its agents
                                * (workload.c) */
    uint32_t first_agent_client; /* agent k is client first_agent_client + k */
    uint32_t first_governor_client; /* governor k is client first_governor_client + k */
    uint64_t *next_nonce;      /* [clients] */
    proto_fee_quote last_quote;/* the newest quote a client had (for when no node is up) */
    uint8_t *strategy_of;      /* [clients]: index into opt.fee_strategies */
    uint64_t repriced;         /* replacements sent with higher fees */
    GHashTable *inflight;      /* proto_hash* -> sim_inflight* (lookup only) */
    GQueue retry_queue;        /* sim_inflight*, by last attempt, oldest first */
    uint64_t *final_below;     /* [clients]: 1 + the highest nonce counted final */
    uint64_t *crash_lost_nonce;/* [clients]: nonce of the sender's last resubmission counted
                                * receiver_crashed, UINT64_MAX: none */
    uint64_t submitted;
    uint64_t resubmitted;      /* = resubmitted_receiver_crashed + resubmitted_other */
    uint64_t resubmitted_receiver_crashed;
    uint64_t resubmitted_other;
    uint64_t finalized;
    uint64_t dropped_no_node;  /* no live node to submit to */
    uint64_t dropped_backlog;  /* client backlog full */
    GArray *blocks;            /* sim_block_txs, by block record index */
    GArray *picked;            /* guint scratch for sim_workload_on_block_final */
} sim_workload;

/* The delegators' operations (delegators.c). */
typedef struct sim_delegators {
    sim_rng rng;                /* stream "delegators" */
    double rate_per_s;          /* [staking] delegation_rate */
    uint64_t delegate_amount;   /* what one DELEGATE puts in */
    uint64_t sent[16];          /* operations sent, by message type */
} sim_delegators;

struct sim_world {
    /* The scenario is read by world.c alone, which translates it into the
     * options below once; no other file of sim/ reads it (a tidy test
     * checks). */
    const sim_scenario *sc;
    sim_world_options opt;
    sim_mesh_options mesh;
    sim_poll_fn keep_going;          /* set-up's interrupt check (NULL: none, or running) */
    void *keep_going_ctx;
    sim_sched *sched;
    sim_net *net;
    sim_net_link_params base_link;

    /* What every node of the chain shares (sim/world/chain.h): keys,
     * stakes, genesis, the rotation, the crypto context and the PoA and
     * PBFT parameters. */
    sim_chain chain;
    sim_delegators delegators;
    sim_agents agents;               /* [agents] (sim/world/agents.h) */
    sim_upgrades *upgrades;          /* upgrade faults (upgrades.c); NULL: none */

    sim_node_slot *nodes;
    uint32_t nodes_count;
    bool *fault_active;              /* [faults]: the fault's window is open now */
    uint32_t nodes_live;             /* slots up now (validators, full nodes, running twins) */
    uint64_t down_epoch;             /* node crashes and leaves so far */

    /* Mesh topology: the parameters every p2p node shares (built once;
     * p2p_params points into validator_nodes, stakes, bootstrap and the
     * twins' machines). */
    p2p_params p2p;
    proto_node_id *bootstrap;        /* [mesh.bootstrap->len] */
    proto_node_id *twin_nodes;       /* [twins]: each twin's own address (its node index) */
    uint32_t *twin_validators;       /* [twins]: the identity it runs */

    /* Churn (sim/world/churn.c): one sim_churn per churn fault, and a record of
     * every join and leave (sim_churn_record, in time order) for the
     * reports: when, which node, and join / leave-graceful / leave-crash. */
    GPtrArray *churns;
    GPtrArray *spammers;       /* sim_spammer* (market_faults.c), owned */
    uint32_t spam_keys_used;   /* chain.spam_keys handed to spammers so far */
    uint64_t spam_sent;        /* spam transactions submitted */
    sim_alarms *alarms;        /* the fee market's detectors (sim/check/alarms.h) */
    GArray *churn_records;

    sim_workload workload;
    sim_metrics *metrics;
    sim_trace trace;

    /* The world's own record (observer.c): the highest height any node
     * finalized (progress reports, per-block figures), and the post-state
     * root every proposed block claims (proto_hash* -> proto_hash*, lookup
     * only: Byzantine wrappers build conflicting blocks on it). */
    uint64_t final_height_max;
    GHashTable *state_root_by_block;

    /* Checkers and figure collectors with their own state
     * (sim/world/world_observer.h): safety, conservation, accountability,
     * propagation, mesh statistics, convergence, liveness, event counts,
     * stake concentration. */
    GArray *observers;

    bool stop_requested;
    sim_stop stop;
    char *stop_detail;
};

/* world.c */
/* Send from a node to a node through the network; in direct topology a
 * message to a validator with twins reaches its twins too (they share
 * its identity and, there, its address). */
void sim_world_net_send(sim_world *w, uint32_t from, uint32_t to, GBytes *wire);
void sim_world_crash_node(sim_world *w, uint32_t index);
/* Start a down node again with its durable store (a crash's restart). */
void sim_world_restart_node(sim_world *w, uint32_t index);
/* Start a down node as a new machine: its store is wiped first and its
 * chain starts again at genesis (a churn join). */
void sim_world_join_node(sim_world *w, uint32_t index);
/* A graceful leave begins: the node says goodbye to its peers (mesh
 * topology; nothing to say in direct topology) and stays up, silent,
 * until it is taken down with sim_world_crash_node. */
void sim_world_leave_node(sim_world *w, uint32_t index);
/* A new consensus node (PBFT or PoA) for slot, addressed as `self` and
 * talking through env; sets slot->consensus_ops. */
void *sim_world_new_consensus_node(sim_world *w, sim_node_slot *slot, proto_node_id self,
                                   const proto_env *env);
void sim_world_fail_invariant(sim_world *w, char *detail_owned);
/* PBFT: the committed state of the live node with the highest final
 * height (lowest index on a tie), skipping validators whose state holds
 * a tentatively executed block; its index in *node (may be NULL). NULL
 * when no such node is up. What a client's query of the chain returns. */
const proto_state *sim_world_committed_state(sim_world *w, uint32_t *node);

/* mesh_world.c: the mesh topology's wiring (sim_world_new calls init
 * after the chain and before the nodes). */
void sim_mesh_init(sim_world *w);
void sim_mesh_clear(sim_world *w);
/* Start slot's node as a p2p node carrying a new consensus node. */
void sim_mesh_start_node(sim_world *w, sim_node_slot *slot);
/* The peers node `index` has now (ascending), 0 in direct topology or
 * while it is down. */
uint32_t sim_mesh_peers(const sim_world *w, uint32_t index, proto_node_id *out, uint32_t max);

/* world_options.c: the scenario translated once into the options the
 * world's components work from (sim_world_check is in world.h). */
sim_world_options sim_world_options_from(const sim_scenario *sc);
sim_mesh_options sim_mesh_options_from(const sim_scenario *sc);
sim_workload_options sim_workload_options_from(const sim_scenario *sc);
/* .equivocator is newly allocated: g_free it once the checker copied it. */
sim_acct_options sim_acct_options_from(const sim_scenario *sc, uint32_t nodes_count);
sim_liveness_options sim_liveness_options_from(const sim_scenario *sc, const pbft_params *pbft);
/* Borrows the scenario's owners (it outlives the world). */
sim_conc_options sim_conc_options_from(const sim_scenario *sc);
/* sim_chain_options_from is in world.h (the testbed daemon uses it too). */

/* faults.c */
void sim_faults_schedule(sim_world *w);
uint32_t sim_faults_first_twin(const sim_world *w, uint64_t fault_index);
/* Hand validator node `index` every key rotation that came due while it
 * was down (called right after it restarts). */
void sim_faults_deliver_rotations(sim_world *w, uint32_t index);

/* Set-up's interrupt check (sim_world_new_polled): true to go on. Loops
 * over accounts or nodes call it every SIM_WORLD_POLL_EVERY items. */
bool sim_world_keep_going(sim_world *w);
#define SIM_WORLD_POLL_EVERY 4096u

/* workload.c: its account keys are the chain's (w->chain.account_keys). */
void sim_workload_init(sim_world *w, const sim_workload_options *opt);

/* market_faults.c: spam and censor behaviours. */
bool sim_market_fault_is(const sim_fault *f);
void sim_market_fault_add(sim_world *w, sim_node_slot *slot, const sim_fault *f);

/* pricing.c: how clients price ([workload] fee_strategy). */
#define SIM_REPRICE_AFTER_NS (10LL * 1000 * 1000 * 1000)
#define SIM_REPRICE_MAX 8
/* node's quote for strategy st (UINT32_MAX: none is up; the last quote
 * any client had). */
void sim_pricing_quote(sim_world *w, uint32_t node, const sim_fee_strategy *st,
                       proto_fee_quote *out);
/* The highest fee cap a genesis account can pay for a transfer's gas. */
uint64_t sim_pricing_affordable_fee_cap(void);
/* Account `account`'s budget per gas: the mean spread over [1/2, 3/2] x
 * by the account (a demand curve: some pay more than others). */
uint64_t sim_pricing_budget(const sim_world *w, uint32_t account);
/* The first offer under st for quote q; fee caps at most fee_cap_max. */
void sim_pricing_offer(const sim_fee_strategy *st, const proto_fee_quote *q, uint64_t fee_cap_max,
                       uint64_t *tip, uint64_t *max_fee);
/* Whether st replaces a waiting transaction with a higher price. */
bool sim_pricing_reprices(const sim_fee_strategy *st);
/* A replacement's fees over *tip, *max_fee, when quote q has overtaken
 * them (both raised enough for the pools), or false: not overtaken, or
 * the caps are reached. */
bool sim_pricing_bump(const sim_fee_strategy *st, const proto_fee_quote *q, uint64_t fee_cap_max,
                      uint64_t *tip, uint64_t *max_fee);
void sim_workload_clear(sim_world *w);
/* A block holding tx_hash became final at `node`. */
/* Node `node` finalized block record `block` holding these transactions
 * (count hashes of PROTO_HASH_SIZE bytes). */
void sim_workload_on_block_final(sim_world *w, uint32_t block, const uint8_t *tx_hashes,
                                 uint32_t count, uint32_t node);
/* Node `node` got transaction `tx_hash` (32 bytes) from the network. */
void sim_workload_on_tx_received(sim_world *w, const uint8_t *tx_hash, uint32_t node);
/* A client's message (delegators.c): client (>= accounts: delegator
 * client - accounts) signs one envelope carrying msg with gas_limit; it
 * goes to a live node drawn from rng and is priced, retried and counted
 * like a transfer. False: the client backlog is full (counted). */
bool sim_workload_send(sim_world *w, sim_rng *rng, uint32_t client, const proto_txmsg *msg,
                       uint64_t gas_limit);
/* The same for an agent (client >= first_agent_client), handed to its
 * host `node` (or the next live node after it). */
bool sim_workload_send_via(sim_world *w, uint32_t client, const proto_txmsg *msg,
                           uint64_t gas_limit, uint32_t node);
/* Start the delegators' operations at rate_per_s (none at 0), each
 * DELEGATE putting in delegate_amount. After sim_workload_init. */
void sim_delegators_init(sim_world *w, double rate_per_s, uint64_t delegate_amount);
/* upgrades.c: the upgrade faults. init after the nodes' slots are built
 * and before they start (the laggards' code, the schedule); on_event
 * with every PROTO_EV_UPGRADE a node reports; on_final with every final
 * block (first: no node had that height final before); finish at the
 * run's end (its figures); free. Each does nothing without upgrades. */
void sim_upgrades_init(sim_world *w);
void sim_upgrades_on_event(sim_world *w, uint32_t node, const proto_event *ev);
void sim_upgrades_on_final(sim_world *w, uint32_t node, uint64_t height, bool first);
void sim_upgrades_finish(sim_world *w);
void sim_upgrades_free(sim_world *w);
/* The unbond fault: every delegator with a delegation at `validator`
 * undelegates all of it now (a bank run), or redelegates it all to `to`
 * (< UINT32_MAX), as a live node's state shows. */
void sim_delegators_unbond_all(sim_world *w, uint32_t validator, uint32_t to);

/* observer.c */
void sim_observer_init(sim_world *w);
void sim_observer_clear(sim_world *w);
void sim_observe(void *ctx, const proto_event *ev);
/* The state root block `hash` claims, if anyone proposed it (or genesis). */
bool sim_observer_block_state_root(sim_world *w, const proto_hash *hash, proto_hash *out);

/* The figures (sim/figures/figures.h) are computed at the end of a run
 * from the records above and those the figure observers keep. */

#endif
