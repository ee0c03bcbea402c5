/* The agent market's [expect] targets (reports/expect.h): each compares
 * one figure of sim/check/market_obs.h with its bound, and says "nothing
 * measured" when the run never produced the figure (no job decided, no
 * provider with costs), which fails the target: a market that did
 * nothing has not met it.
 *   min_job_completion    job_completion_rate >= bound
 *   max_dispute_rate      dispute_rate <= bound
 *   min_active_agents     agents_active_max >= bound
 *   max_cost_per_job_usd  cost_per_job_usd <= bound
 *   min_provider_roi      provider_roi_mean >= bound (honest providers)
 *   max_faulty_provider_roi  provider_roi_faulty_mean <= bound
 *   min_overturned_share  disputes_overturned_share >= bound
 *   max_wrong_ruling_share   disputes_wrong_ruling_share <= bound */
#include <math.h>

#include "reports/expect.h"

static void bound(GArray *out, gboolean *all, const sim_metrics *m, const char *key,
                  const char *figure, double limit, gboolean at_least, const char *format)
{
    char *target = g_strdup_printf(format, at_least ? ">=" : "<=", limit);
    double value = sim_metrics_get(m, figure, NAN);
    gboolean passed = FALSE;
    char *actual;
    if (isnan(value)) {
        actual = g_strdup_printf("nothing measured (%s)", figure);
    } else {
        passed = at_least ? value >= limit : value <= limit;
        actual = g_strdup_printf("%.6g", value);
    }
    rep_expect_results_add(out, key, target, actual, passed);
    if (!passed)
        *all = FALSE;
    g_free(target);
    g_free(actual);
}

void rep_expect_market(const sim_scenario *sc, const sim_metrics *m, GArray *out, gboolean *all)
{
    const sim_expect *e = &sc->expect;
    if (e->has_min_job_completion)
        bound(out, all, m, "min_job_completion", "job_completion_rate", e->min_job_completion,
              TRUE, "%s %g");
    if (e->has_max_dispute_rate)
        bound(out, all, m, "max_dispute_rate", "dispute_rate", e->max_dispute_rate, FALSE,
              "%s %g");
    if (e->has_min_active_agents)
        bound(out, all, m, "min_active_agents", "agents_active_max", e->min_active_agents, TRUE,
              "%s %g");
    if (e->has_max_cost_per_job_usd)
        bound(out, all, m, "max_cost_per_job_usd", "cost_per_job_usd", e->max_cost_per_job_usd,
              FALSE, "%s $%g");
    if (e->has_min_provider_roi)
        bound(out, all, m, "min_provider_roi", "provider_roi_mean", e->min_provider_roi, TRUE,
              "%s %g");
    if (e->has_max_faulty_provider_roi)
        bound(out, all, m, "max_faulty_provider_roi", "provider_roi_faulty_mean",
              e->max_faulty_provider_roi, FALSE, "%s %g");
    if (e->has_min_overturned_share)
        bound(out, all, m, "min_overturned_share", "disputes_overturned_share",
              e->min_overturned_share, TRUE, "%s %g");
    if (e->has_max_wrong_ruling_share)
        bound(out, all, m, "max_wrong_ruling_share", "disputes_wrong_ruling_share",
              e->max_wrong_ruling_share, FALSE, "%s %g");
}
