/* [expect] targets: turn a run into a pass/fail regression check.
 *
 * Each key the scenario sets is compared with what the run measured and
 * appended as (key, target, actual, passed), in a fixed order, to a list
 * of results (a verdict's, reports/verdict.h, or a run info's); the
 * verdict fails the run, and the CLI exits 1, if any failed. */
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
    bool conservation_held;        /* supply and module invariants at every height checked */
    const char *conservation_detail; /* NULL if it held */
    const sim_liveness *liveness;
    const GArray *slashed;         /* uint32 node indexes, sorted, unique: every validator
                                    * slashed for any reason (NULL = none) */
    bool alarms_unwatched;         /* no alarm watch ran (the testbed): `alarms` targets
                                    * cannot be judged and fail, saying so */
    bool conservation_unchecked;   /* no conservation check ran (the testbed): likewise */
} rep_verdicts;

/* Appends one rep_expect_result per [expect] key to `out` (made by
 * rep_expect_results_new); returns TRUE if every target held. v->liveness
 * must be set when the scenario has a liveness target. */
gboolean rep_expect_evaluate_into(const sim_scenario *sc, const sim_metrics *m,
                                  const rep_verdicts *v, GArray *out);
/* The same, appended to info->expects. */
/* The agent market's targets (expect_market.c), appended the same way. */
void rep_expect_market(const sim_scenario *sc, const sim_metrics *m, GArray *out, gboolean *all);
gboolean rep_expect_evaluate(const sim_scenario *sc, const sim_metrics *m, const rep_verdicts *v,
                             rep_run_info *info);

#endif
