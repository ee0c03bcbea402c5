/* The terminal summary's Disputes section: how the market's contested
 * results were settled (sim/check/dispute_obs.h), from the dispute
 * figures alone. Shown only in a run whose chain ran the disputes module
 * or that saw a dispute (the runs with disputes_opened); it follows the
 * Jobs section, whose rejections the disputes are.
 *
 *   Disputes
 *     disputes         6 opened (75.0% of jobs posted), 5 resolved, 1 still open
 *     tiers            default 2, re-execution 1, panel 2 (resolved)
 *     rulings          consumer 2, provider 2, none 1
 *     wrongful         3 of 5 resolved (the ruling against the truth)
 *     overturned       33.3% of the resolved disputes over a wrong result
 *     dispute latency  p50 29.000  p99 87.000 (s, opened to resolved) */
#include "reports/summary.h"
#include "reports/summary_internal.h"

#include <math.h>

/* A share 0..1 as a percentage with one decimal: "95.7%", "-" if none. */
static char *disputes_percent(double share)
{
    g_autofree char *number = rep_summary_fixed(100 * share, 1);
    return isfinite(share) ? g_strdup_printf("%s%%", number) : g_strdup("-");
}

static void disputes_counts(GString *out, const sim_metrics *m)
{
    g_autofree char *opened = rep_summary_figure(m, "disputes_opened", 0);
    g_autofree char *rate = disputes_percent(sim_metrics_get(m, "dispute_rate", NAN));
    g_autofree char *resolved = rep_summary_figure(m, "disputes_resolved", 0);
    g_autofree char *open = rep_summary_figure(m, "disputes_open_end", 0);
    rep_summary_line(out, "  %-16s %s opened (%s of jobs posted), %s resolved, %s still open",
                     "disputes", opened, rate, resolved, open);
    g_autofree char *t0 = rep_summary_figure(m, "disputes_tier0", 0);
    g_autofree char *t1 = rep_summary_figure(m, "disputes_tier1", 0);
    g_autofree char *t2 = rep_summary_figure(m, "disputes_tier2", 0);
    rep_summary_line(out, "  %-16s default %s, re-execution %s, panel %s (resolved)", "tiers", t0,
                     t1, t2);
    g_autofree char *rulings = rep_summary_prefixed_counts(m, "disputes.");
    rep_summary_line(out, "  %-16s %s", "rulings", rulings);
}

static void disputes_quality(GString *out, const sim_metrics *m)
{
    g_autofree char *wrongful = rep_summary_figure(m, "disputes_wrongful", 0);
    g_autofree char *resolved = rep_summary_figure(m, "disputes_resolved", 0);
    rep_summary_line(out, "  %-16s %s of %s resolved (the ruling against the truth)", "wrongful",
                     wrongful, resolved);
    if (rep_summary_has(m, "disputes_overturned_share")) {
        g_autofree char *share =
            disputes_percent(sim_metrics_get(m, "disputes_overturned_share", NAN));
        rep_summary_line(out, "  %-16s %s of the resolved disputes over a wrong result",
                         "overturned", share);
    } else {
        rep_summary_line(out, "  %-16s - (no resolved dispute over a wrong result)",
                         "overturned");
    }
    g_autofree char *p50 = rep_summary_figure(m, "dispute_latency_p50_s", 3);
    g_autofree char *p99 = rep_summary_figure(m, "dispute_latency_p99_s", 3);
    rep_summary_line(out, "  %-16s p50 %s  p99 %s (s, opened to resolved)", "dispute latency",
                     p50, p99);
}

void rep_summary_disputes(GString *out, const rep_run_info *info, const sim_metrics *m)
{
    (void)info;
    if (!rep_summary_has(m, "disputes_opened"))
        return;
    rep_summary_line(out, "%s", "");
    rep_summary_line(out, "%s", "Disputes");
    disputes_counts(out, m);
    disputes_quality(out, m);
}
