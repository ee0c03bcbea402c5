/* sim/world: a simulated world, every node of a scenario, the network
 * between them, the faults and the workload, driven by one scheduler.
 * This header is the folder's entry point; world_internal.h is shared by
 * its files (node slots, the mesh wiring, faults, Byzantine wrappers,
 * churn, the workload, the event observer) and by sim/check and
 * sim/figures, which read the records it keeps.
 *
 * sim_world_new builds it from a validated scenario (keys derived from the
 * seed, genesis state, one real protocol node per validator and full
 * node); sim_world_run runs it to the scenario's duration, its event
 * limit, an invariant violation, or until the progress callback asks to
 * stop. Everything measured ends up in sim_world_metrics(). */
#ifndef AITBC_SIM_WORLD_H
#define AITBC_SIM_WORLD_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocol/core/crypto.h"
#include "sim/check/accountability.h"
#include "sim/check/liveness.h"
#include "sim/figures/metrics.h"
#include "sim/scenario/scenario.h"
#include "sim/world/chain.h"
#include "sim/world/churn.h"

typedef struct sim_world sim_world;

typedef enum sim_stop {
    SIM_STOP_DURATION = 0,  /* reached the scenario's duration */
    SIM_STOP_EVENT_LIMIT,   /* executed max_events */
    SIM_STOP_INVARIANT,     /* an invariant failed (see stop detail) */
    SIM_STOP_INTERRUPTED,   /* the progress callback asked to stop */
    SIM_STOP_PENDING_LIMIT, /* an event storm: max_pending_events pending at once */
} sim_stop;

const char *sim_stop_name(sim_stop s);

typedef struct sim_progress {
    int64_t now_ns;
    int64_t duration_ns;
    uint64_t events;
    uint64_t final_height;  /* highest height final at any node */
} sim_progress;

/* Return false to stop the run (e.g. on SIGINT). */
typedef bool (*sim_progress_fn)(void *ctx, const sim_progress *p);

/* Fails (GError in SIM_SCENARIO_ERROR) if the scenario asks for something
 * this build cannot simulate. The scenario must outlive the world. */
sim_world *sim_world_new(const sim_scenario *sc, GError **error);
/* Only the check sim_world_new makes first: whether this build can
 * simulate sc (so a caller can refuse it before creating any output). */
bool sim_world_check(const sim_scenario *sc, GError **error);

/* Set-up's interrupt check is sim_poll_fn (sim/world/chain.h). */
#define SIM_WORLD_ERROR (sim_world_error_quark())
GQuark sim_world_error_quark(void);
enum { SIM_WORLD_ERROR_INTERRUPTED = 1 }; /* keep_going said no during set-up */
/* sim_world_new that asks keep_going (may be NULL) as it builds, and
 * returns NULL with SIM_WORLD_ERROR_INTERRUPTED when it says no. */
sim_world *sim_world_new_polled(const sim_scenario *sc, sim_poll_fn keep_going, void *ctx,
                                GError **error);
void sim_world_free(sim_world *w);

sim_stop sim_world_run(sim_world *w, sim_progress_fn progress, void *progress_ctx);

/* Valid after sim_world_run. */
const sim_metrics *sim_world_metrics(const sim_world *w);
sim_metrics *sim_world_metrics_mut(sim_world *w);
void sim_world_trace_hash(const sim_world *w, char hex_out[2 * PROTO_HASH_SIZE + 1]);
const char *sim_world_stop_detail(const sim_world *w); /* human sentence */
bool sim_world_safety_held(const sim_world *w);
/* Conservation and the modules' invariants held at every height checked
 * (sim/check/conservation.h); *heights_out (may be NULL) gets how many. */
bool sim_world_conservation_held(const sim_world *w, uint64_t *heights_out);
/* Accountability verdict (sim/check/accountability.h); free .detail with g_free. */
sim_accountability sim_world_accountability(const sim_world *w);
/* Sorted unique node indexes of every validator slashed, for any reason,
 * by a block an honest node committed; g_array_unref it. */
GArray *sim_world_slashed(const sim_world *w);
/* Liveness verdict at the end of the run; free .detail with g_free. */
sim_liveness sim_world_liveness(const sim_world *w);
int64_t sim_world_now_ns(const sim_world *w);
uint64_t sim_world_events(const sim_world *w);
proto_crypto_stats sim_world_crypto_stats(const sim_world *w);
const char *sim_world_crypto_mode(const sim_world *w);
uint32_t sim_world_nodes_count(const sim_world *w);
/* Nodes up now (validators, full nodes, running twins). */
uint32_t sim_world_nodes_live(const sim_world *w);
bool sim_world_node_up(const sim_world *w, uint32_t index);
/* Highest height node `index` has reported final: its chain, which a
 * churn join restarts at genesis (0 until the new node syncs). */
uint64_t sim_world_node_final_height(const sim_world *w, uint32_t index);
/* Every churn join and leave so far (sim_churn_record, in time order). */
const GArray *sim_world_churn_records(const sim_world *w);
/* Node name as scenario files write it ("v0", "n12"); newly allocated. */
char *sim_world_node_name(const sim_world *w, uint32_t index);

/* The chain a scenario describes (sim/world/chain.h), as the world builds
 * it and as a testbed node must build it too: the scenario's consensus
 * keys translated, the host's choices (crypto_memo_max, memo_heights)
 * left 0. sc must outlive sim_chain_init (stakes are borrowed). */
sim_chain_options sim_chain_options_from(const sim_scenario *sc);

#endif
