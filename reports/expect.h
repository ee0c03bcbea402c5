/* [expect] targets: turn a run into a pass/fail regression check.
 *
 * Each key the scenario sets is compared with what the run measured and
 * appended to the run info as (key, target, actual, passed), in a fixed
 * order; the CLI exits 1 if any failed. */
#ifndef AITBC_REPORTS_EXPECT_H
#define AITBC_REPORTS_EXPECT_H

#include <glib.h>
#include <stdbool.h>

#include "reports/run_info.h"
#include "sim/check/liveness.h"
#include "sim/figures/metrics.h"
#include "sim/scenario/scenario.h"

/* The run's invariant verdicts, as the world computed them. */
typedef struct rep_verdicts {
    bool safety_held;
    const char *safety_detail;     /* NULL if it held */
    const sim_liveness *liveness;
    const GArray *slashed;         /* uint32 node indexes, sorted, unique: every validator
                                    * slashed for any reason (NULL = none) */
} rep_verdicts;

/* Appends one result per [expect] key to info->expects; returns TRUE if
 * every target held. */
gboolean rep_expect_evaluate(const sim_scenario *sc, const sim_metrics *m, const rep_verdicts *v,
                             rep_run_info *info);

#endif
