/* The liveness verdict of a run.
 *
 * Liveness is a promise with a condition: once the last fault has healed
 * and honest validators holding more than 2/3 of the stake are up and
 * connected, a block must be finalized within a stated bound. This module
 * checks the condition at the end of the run and measures how long the
 * first finalization after the heal took (the liveness_* figures). */
#ifndef AITBC_SIM_LIVENESS_H
#define AITBC_SIM_LIVENESS_H

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

/* The liveness figures of docs/scenarios.md, from a verdict of
 * sim_world_liveness: liveness_took_s (-1 if no block became final after
 * the heal) and liveness_bound_s. The run's verdict (reports/verdict.c)
 * records them when it records itself, after the wall-clock figures. */
void sim_liveness_figures(const sim_liveness *l, sim_metrics *m);

#endif
