/* Observers: the checkers and figure collectors that follow a world.
 *
 * An observer is a struct of its own state and a table of hooks. The
 * world calls every registered observer, in the order they were added:
 *   - on_event: a node reported a protocol event (after the world's own
 *     records and its safety check, sim/world/observer.c, have taken it);
 *   - on_delivery: a message reached a node's consensus code (in direct
 *     topology every delivery; on the mesh what the p2p node hands the
 *     consensus node): ground truth about who heard what;
 *   - on_node_down: a node is about to go down (crash, churn leave, a
 *     twin's window ending), while it can still be read;
 *   - on_run_end: the run reached its duration; last judgement, which may
 *     still fail an invariant (sim_world_fail_invariant);
 *   - figures: add its named figures to the run's metrics (called once,
 *     in registration order, from sim_figures_compute);
 *   - free: release its state.
 * Any hook may be NULL. An observer keeps everything it needs itself and
 * reads the world only through sim/world/world_internal.h, so adding one
 * (a fee-market or job-market checker) touches no other observer. */
#ifndef AITBC_SIM_WORLD_OBSERVER_H
#define AITBC_SIM_WORLD_OBSERVER_H

#include <glib.h>
#include <stdint.h>

#include "protocol/core/event.h"
#include "sim/figures/metrics.h"

typedef struct sim_world sim_world;

typedef struct sim_world_observer_ops {
    const char *name;
    void (*on_event)(void *self, sim_world *w, uint32_t node, const proto_event *ev);
    void (*on_delivery)(void *self, sim_world *w, uint32_t from, uint32_t to, GBytes *wire);
    void (*on_node_down)(void *self, sim_world *w, uint32_t node);
    void (*on_run_end)(void *self, sim_world *w);
    void (*figures)(void *self, sim_world *w, sim_metrics *m);
    void (*free)(void *self);
} sim_world_observer_ops;

/* Register an observer (the world owns `self` from now on). */
void sim_world_observer_add(sim_world *w, const sim_world_observer_ops *ops, void *self);
/* The state of the observer registered with `ops`, or NULL. */
void *sim_world_observer_find(const sim_world *w, const sim_world_observer_ops *ops);

/* The world's side (sim/world/world_observer.c). */
void sim_world_observers_init(sim_world *w);
void sim_world_observers_event(sim_world *w, uint32_t node, const proto_event *ev);
void sim_world_observers_delivery(sim_world *w, uint32_t from, uint32_t to, GBytes *wire);
void sim_world_observers_node_down(sim_world *w, uint32_t node);
void sim_world_observers_run_end(sim_world *w);
void sim_world_observers_figures(sim_world *w, sim_metrics *m);
void sim_world_observers_free(sim_world *w);

#endif
