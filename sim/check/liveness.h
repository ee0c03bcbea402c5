/* The liveness verdict of a run.
 *
 * Liveness is a promise with a condition: once the last fault has healed
 * and honest validators holding more than 2/3 of the stake are up and
 * connected, a block must be finalized within a stated bound. This module
 * follows the run for the first finalization after the heal, checks the
 * condition at the end of the run and reports how long that finalization
 * took (the liveness_* figures). */
#ifndef AITBC_SIM_LIVENESS_H
#define AITBC_SIM_LIVENESS_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/figures/metrics.h"

typedef enum sim_liveness_state {
    SIM_LIVENESS_HOLDS = 0,      /* finalized within the bound after the heal */
    SIM_LIVENESS_VIOLATED,       /* condition met, nothing final within the bound */
    SIM_LIVENESS_NOT_APPLICABLE, /* condition not met (detail says which part) */
    SIM_LIVENESS_UNDETERMINED,   /* run ended before the bound elapsed */
} sim_liveness_state;

typedef struct sim_liveness {
    sim_liveness_state state;
    int64_t heal_ns;      /* when the last fault healed (0 if none) */
    int64_t bound_ns;     /* allowed time from heal to a finalization */
    int64_t took_ns;      /* heal -> first finalization after it; -1 if none */
    char *detail;         /* one human sentence */
} sim_liveness;

const char *sim_liveness_state_name(sim_liveness_state s);

/* What the liveness checker needs to know about the run, translated from
 * the scenario by the world. */
typedef struct sim_liveness_options {
    bool pbft;                 /* PBFT's bound (view changes); otherwise PoA's */
    uint32_t validators;
    int64_t heal_ns;           /* when the last fault window closed (0 if none) */
    int64_t block_interval_ns;
    int64_t view_timeout_ns;   /* PBFT: the first view timeout ... */
    int64_t view_timeout_max_ns; /* ... and its cap after doublings */
} sim_liveness_options;

/* Internal to sim/: the checker is a world observer (sim/world/world_observer.h)
 * that notes the first finalization at or after the heal; the world
 * registers it and sim_world_liveness (sim/world/world.h) judges at the end
 * from that and from who is up and connected then. */
typedef struct sim_live sim_live;
extern const struct sim_world_observer_ops sim_liveness_observer_ops;
sim_live *sim_liveness_new(const sim_liveness_options *opt);

/* The liveness figures of docs/scenarios.md, from a verdict of
 * sim_world_liveness: liveness_took_s (-1 if no block became final after
 * the heal) and liveness_bound_s. The run's verdict (reports/verdict.c)
 * records them when it records itself, after the wall-clock figures. */
void sim_liveness_figures(const sim_liveness *l, sim_metrics *m);

#endif
