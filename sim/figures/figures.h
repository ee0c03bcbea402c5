/* sim/figures: what a run measured, as the headline figures of
 * docs/scenarios.md.
 *
 * The world keeps records while it runs (blocks, commits, transactions,
 * view changes, partitions, peers); the collectors here turn them into
 * named figures (sim_metrics, sim/figures/metrics.h) at the end of the
 * run, and follow what must be watched as it happens:
 *   - figures.c: throughput, finality, commit latency, view changes,
 *     network traffic, and the entry point sim_figures_compute;
 *   - propagation.c: which nodes hold each block, from when;
 *   - convergence.c: partitions noticed and healed, re-convergence after a
 *     heal, catching up after a join or restart;
 *   - mesh_stats.c: what the P2P mesh did, per node and in total;
 *   - event_counts.c: what the nodes reported, counted (reorgs,
 *     rejections, recoveries, evidence, commit latency);
 *   - fee_figures.c: the fee market per final height, inclusion delay per
 *     fee strategy, and the detectors' alarms counted.
 * Everything is a pure function of the run: no wall clock (the CLI adds
 * wall-time figures itself). */
#ifndef AITBC_SIM_FIGURES_H
#define AITBC_SIM_FIGURES_H

#include <stdbool.h>
#include <glib.h>
#include <stdint.h>

#include "protocol/core/event.h"
#include "protocol/p2p/p2p.h"
#include "sim/figures/metrics.h"

typedef struct sim_world sim_world;

/* figures.c: every figure of the run, once, after it ended. */
void sim_figures_compute(sim_world *w);
/* PBFT view changes from m->view_changes: how many views were entered
 * after a view change, why they started, how long they took (first
 * VIEW-CHANGE for a view to the first node entering it), and the stable
 * checkpoints. The simulator's figures and the testbed's merge share it. */
void sim_view_change_figures(sim_metrics *m, uint64_t checkpoints_stable);
/* Forks and orphans from m->blocks: a fork is a height at which more than
 * one distinct block was on some node's chain (adopted: its head or final
 * chain); a block never final anywhere is orphaned. Then `reorgs` and
 * `reorg_depth_max` as given. Shared with the testbed's merge. */
void sim_fork_figures(sim_metrics *m, uint64_t reorgs, uint64_t reorg_depth_max);

/* fee_figures.c: pure functions of the records. The fee figures
 * (base_fee_*, gas_used_ratio_mean, fees_burned, fees_tips,
 * inclusion_delay_*, txs_final.STRATEGY) from metrics->fees and ->txs,
 * only if some height became final (metrics->fees is not empty); the
 * per-strategy ones for the strategies that occur, by name. */
void sim_fee_figures(sim_metrics *m);
/* alarms_count, and alarms.KIND for each kind raised, by name. */
void sim_alarm_figures(sim_metrics *m);

/* ---- mesh figures: world observers with their own state, registered by
 * sim_world_new; their figures are computed by the explicit calls in
 * sim_figures_compute (the order of figures is the order of the reports) ---- */

/* propagation.c: which nodes hold each block, from when; a world
 * observer (registered by sim_world_new). */
typedef struct sim_prop sim_prop;
extern const struct sim_world_observer_ops sim_prop_observer_ops;
sim_prop *sim_prop_new(const sim_world *w);
/* Node `node` holds block record `block` from now_ns on (it built,
 * received or finalized it); `own` = it built it (no receipt is
 * recorded). Later calls for the same (block, node) change nothing. */
void sim_prop_block_held(sim_world *w, uint32_t block, uint32_t node, int64_t now_ns, bool own);
/* block_propagation_* figures. */
void sim_prop_figures(sim_world *w);

/* convergence.c: partitions noticed and healed, re-convergence after a
 * heal, catching up after a join or restart; a world observer (it takes
 * the partition and recovery events, and closes a node's open suspicion
 * when the node goes down). */
typedef struct sim_conv sim_conv;
extern const struct sim_world_observer_ops sim_conv_observer_ops;
sim_conv *sim_conv_new(const sim_world *w);
/* PROTO_EV_PARTITION_SUSPECTED (suspected) or _HEALED at node. */
void sim_conv_partition_event(sim_world *w, uint32_t node, bool suspected, int64_t at_ns,
                              uint64_t stake_seen, uint64_t stake_total);
/* PROTO_EV_RECOVERED at node. */
void sim_conv_recovered(sim_world *w, uint32_t node, int64_t at_ns, uint64_t height);
/* PROTO_EV_PARTITION_SUSPECTED events so far. */
uint64_t sim_conv_partitions_suspected(const sim_world *w);
/* The partition, reconverge, sync-after-join and churn figures of a run
 * that ended at end_ns (and metrics->churn from churn_records). */
void sim_conv_figures(sim_world *w, int64_t end_ns);

/* mesh_stats.c: what the mesh did, per node and in total; a world
 * observer (it takes the peer and partition events and, through its
 * on_node_down hook, the p2p statistics and peer count of each node as it
 * goes down, while slot->p2p is still valid: a crash loses them
 * otherwise). */
typedef struct sim_mesh_stats sim_mesh_stats;
extern const struct sim_world_observer_ops sim_mesh_stats_observer_ops;
sim_mesh_stats *sim_mesh_stats_new(const sim_world *w);
/* One node's P2P statistics over the run: summed over every p2p node it
 * ran (each crash or leave ends one, and its counters with it). */
typedef struct sim_mesh_node {
    p2p_stats stats;
    uint32_t peers;               /* peers when last read: at the end, or as it went down */
    bool p2p_seen;                /* it ran a p2p node at some point */
    bool live_at_end;             /* its p2p node was up at the end of the run */
} sim_mesh_node;
/* Node `index`'s record so far. */
sim_mesh_node *sim_mesh_node_record(sim_world *w, uint32_t index);
/* The run had a P2P mesh (some node reported mesh events or ran a p2p
 * node): the mesh-only figures are computed. */
bool sim_mesh_ran(const sim_world *w);
/* At the end of the run: add what the p2p nodes still up counted to
 * their records (once; sim_figures_compute calls it before the figures;
 * the world is then freed without taking its nodes down, so they are not
 * read twice). */
void sim_mesh_read_live(sim_world *w);
/* metrics->peers (one record per node) and, in a mesh run, the mesh
 * figures: peers per node, gossip, p2p drops, connects, disconnects, bans. */
void sim_mesh_figures(sim_world *w);

/* event_counts.c: what the nodes reported, counted; a world observer
 * (registered by sim_world_new). */
typedef struct sim_counts {
    uint32_t validators;
    GArray *commit_latency_ns;       /* int64: proposal -> final at a validator */
    uint64_t reorgs;
    uint64_t reorg_depth_max;
    uint64_t rejected[PROTO_REJECT_REASON_COUNT]; /* messages, by reason */
    uint64_t tx_rejected;
    GHashTable *tx_refusals;         /* transactions refused (received or submitted), by the
                                      * rule they broke: static name -> count (GSIZE_TO_POINTER) */
    uint64_t recoveries;
    uint64_t sync_requests;
    uint64_t checkpoints_stable;     /* PBFT: stable-checkpoint events (all nodes) */
    uint64_t evidence_events;        /* PBFT: evidence newly held by an honest node */
    uint64_t peers_banned;           /* ban events (a node stopped listening to a peer) */
    bool *accused;                   /* [validators]: an honest node holds evidence against it */
} sim_counts;
extern const struct sim_world_observer_ops sim_counts_observer_ops;
sim_counts *sim_counts_new(const sim_world *w);
const sim_counts *sim_counts_of(const sim_world *w);

#endif
