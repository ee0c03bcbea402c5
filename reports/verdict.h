/* The verdict of a run: pass, fail or incomplete, why, and what each
 * [expect] target said.
 *
 * Decided here, in one place, from what the finished world checked and
 * measured and the scenario's targets, so that the command line only
 * writes and prints it, and every way of running a scenario judges alike
 * (`run`, and the children `sweep`, `swarm` and `shrink` start, which are
 * runs). The rules (docs/scenarios.md, "The verdict"):
 *   - interrupted (SIGINT/SIGTERM): incomplete, whatever the targets say;
 *   - stopped by an invariant (safety, accountability, conservation), the
 *     event limit or an event storm (max_pending_events): fail, even when
 *     a target expected the violation (`safety = fails` is marked passed);
 *   - otherwise (ran to its duration): pass when every [expect] target
 *     held, fail when one did not. A liveness target the run cannot judge
 *     (not applicable: no quorum up and connected; undetermined: the run
 *     ended before the bound) fails, and the reason says it cannot be
 *     judged;
 *   - no world (set-up interrupted: incomplete; set-up failed: error).
 * The liveness figures (liveness_took_s, liveness_bound_s) come with the
 * verdict and are recorded with it. */
#ifndef AITBC_REPORTS_VERDICT_H
#define AITBC_REPORTS_VERDICT_H

#include <glib.h>
#include <stdbool.h>

#include "reports/expect.h"
#include "reports/run_info.h"
#include "sim/check/accountability.h"
#include "sim/check/liveness.h"
#include "sim/figures/metrics.h"
#include "sim/scenario/scenario.h"
#include "sim/world/world.h"

/* What a finished run left to judge, as its world reports it. */
typedef struct rep_run_end {
    sim_stop stop;                            /* what sim_world_run returned */
    const char *stop_detail;                  /* sim_world_stop_detail() */
    rep_verdicts checks;                      /* safety, liveness (must be set), slashed */
    const sim_accountability *accountability; /* NULL: not known */
    const sim_metrics *metrics;               /* the run's figures */
} rep_run_end;

/* A verdict; every pointer belongs to it (rep_run_verdict_free). */
typedef struct rep_run_verdict {
    rep_verdict verdict;         /* PASS, FAIL, INCOMPLETE; ERROR: no world to judge */
    char *reason;                /* why, one sentence: the stop, then each failed target */
    char *stop_reason;           /* how the run ended (runs.stop_reason); NULL: unknown */
    gboolean targets_held;       /* every [expect] target passed (none set: TRUE) */
    GArray *expects;             /* rep_expect_result, one per [expect] key, in order */
    char *accountability;        /* sim_accountability_state_name(); NULL: not known */
    char *accountability_detail;
    bool has_liveness;           /* `liveness` below is the world's */
    sim_liveness liveness;       /* its detail belongs to the verdict */
} rep_run_verdict;

/* Judge a run from what it left (fixture-friendly: no world needed). */
rep_run_verdict *rep_verdict_judge(const sim_scenario *sc, const rep_run_end *end);
/* Judge a world sim_world_run has finished with `stop`; sc is its scenario. */
rep_run_verdict *rep_verdict_of_world(const sim_world *w, const sim_scenario *sc, sim_stop stop);
/* No world to judge: a SIGINT/SIGTERM during set-up (incomplete, stop
 * reason "interrupted during set-up"), or a world that failed to build
 * although its scenario was accepted (error: our bug; the reason is
 * "internal error: MESSAGE"). */
rep_run_verdict *rep_verdict_setup_interrupted(void);
rep_run_verdict *rep_verdict_internal_error(const char *message);

/* Write the verdict into the run info (verdict, stop reason,
 * accountability, expects appended) and its liveness figures into m (may
 * be NULL; unchanged without liveness), so the database, report.json and
 * summary all say it. */
void rep_verdict_record(const rep_run_verdict *v, rep_run_info *info, sim_metrics *m);

void rep_run_verdict_free(rep_run_verdict *v);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(rep_run_verdict, rep_run_verdict_free)

#endif
