/* The terminal summary's Jobs section: the agent market of a run with
 * agents (sim/check/market_obs.h), from its figures and the `agents`
 * table. Left out of every run without agents. */
#include "reports/record_fields.h"
#include "reports/summary.h"
#include "reports/summary_internal.h"

#include <math.h>
#include <string.h>

/* The alarm kinds the market's watchdog raises (sim/check/market_watch.h). */
static const char *const jobs_alarm_kinds[] = {"agent_misbehaving", "agent_unresponsive",
                                               "sybil_suspected"};

/* A share 0..1 as a percentage with one decimal: "95.7%", "-" if none. */
static char *jobs_percent(double share)
{
    g_autofree char *number = rep_summary_fixed(100 * share, 1);
    return isfinite(share) ? g_strdup_printf("%s%%", number) : g_strdup("-");
}

/* Width of the text after a line's 18-column label. */
#define JOBS_TEXT_COLUMNS (REP_SUMMARY_COLUMNS - 19)

/* "completed 1,100, missed 20, ..." (the outcomes that happened, in
 * figure order), wrapped under one label. */
static void jobs_outcomes(GString *out, const sim_metrics *m)
{
    g_autofree char *all = rep_summary_prefixed_counts(m, "jobs.");
    g_auto(GStrv) items = g_strsplit(all, ", ", -1);
    GString *line = g_string_new(NULL);
    gboolean first = TRUE;
    for (guint i = 0; items[i] != NULL; i++) {
        gboolean last = items[i + 1] == NULL;
        if (line->len > 0 && line->len + 1 + strlen(items[i]) + !last > JOBS_TEXT_COLUMNS) {
            rep_summary_line(out, "  %-16s %s", first ? "outcomes" : "", line->str);
            g_string_truncate(line, 0);
            first = FALSE;
        }
        g_string_append_printf(line, "%s%s%s", line->len > 0 ? " " : "", items[i], last ? "" : ",");
    }
    rep_summary_line(out, "  %-16s %s", first ? "outcomes" : "", line->str);
    g_string_free(line, TRUE);
}

static void jobs_counts(GString *out, const sim_metrics *m)
{
    double posted = sim_metrics_get(m, "jobs_posted", 0);
    g_autofree char *posted_text = rep_summary_count(posted);
    g_autofree char *completed = rep_summary_figure(m, "jobs_completed", 0);
    g_autofree char *decided = rep_summary_count(posted - sim_metrics_get(m, "jobs_open_end", 0));
    g_autofree char *rate = jobs_percent(sim_metrics_get(m, "job_completion_rate", NAN));
    rep_summary_line(out, "  %-16s %s posted, %s completed (%s of %s decided)", "jobs", posted_text,
                     completed, rate, decided);
    jobs_outcomes(out, m);
    g_autofree char *p50 = rep_summary_figure(m, "job_latency_p50_s", 3);
    g_autofree char *p99 = rep_summary_figure(m, "job_latency_p99_s", 3);
    rep_summary_line(out, "  %-16s p50 %s  p99 %s (s, posted to completed)", "job latency", p50,
                     p99);
    g_autofree char *m50 = rep_summary_figure(m, "match_latency_p50_s", 3);
    g_autofree char *m99 = rep_summary_figure(m, "match_latency_p99_s", 3);
    rep_summary_line(out, "  %-16s p50 %s  p99 %s (s, posted to matched)", "match latency", m50,
                     m99);
}

/* Providers in provider_roi_mean (honest) or provider_roi_faulty_mean:
 * the rows with an roi, by behaviour. */
static guint jobs_roi_providers(const rep_run_info *info, const sim_metrics *m, bool faulty)
{
    const rep_record_table *t = rep_summary_table("agents");
    const GArray *rows = rep_record_rows(t, info, m);
    guint n = 0;
    for (guint i = 0; i < rows->len; i++) {
        const void *row = rep_record_row(rows, i);
        rep_field_value b = rep_record_get(t, row, "behaviour");
        bool bad = !b.absent && strcmp(b.text, "honest") != 0;
        n += !rep_record_get(t, row, "roi").absent && bad == faulty;
    }
    return n;
}

static void jobs_money(GString *out, const rep_run_info *info, const sim_metrics *m)
{
    g_autofree char *cost = rep_summary_figure(m, "cost_per_job_mean", 1);
    g_autofree char *usd = rep_summary_figure(m, "cost_per_job_usd", 6);
    if (rep_summary_has(m, "cost_per_job_mean"))
        rep_summary_line(out, "  %-16s %s tokens = $%s per completed job, fees included",
                         "cost per job", cost, usd);
    else
        rep_summary_line(out, "  %-16s - (no job completed)", "cost per job");
    double roi = sim_metrics_get(m, "provider_roi_mean", NAN);
    g_autofree char *roi_text = rep_summary_fixed(roi, 3);
    g_autofree char *roi_percent = jobs_percent(roi);
    rep_summary_line(out, "  %-16s %s (%s), the mean over %u honest providers", "provider roi",
                     roi_text, roi_percent, jobs_roi_providers(info, m, false));
    if (rep_summary_has(m, "provider_roi_faulty_mean")) {
        double bad = sim_metrics_get(m, "provider_roi_faulty_mean", NAN);
        g_autofree char *bad_text = rep_summary_fixed(bad, 3);
        g_autofree char *bad_percent = jobs_percent(bad);
        rep_summary_line(out, "  %-16s %s (%s), the mean over %u misbehaving providers", "",
                         bad_text, bad_percent, jobs_roi_providers(info, m, true));
    }
    if (rep_summary_has(m, "treasury_balance")) {
        g_autofree char *held = rep_summary_figure(m, "treasury_balance", 0);
        rep_summary_line(out, "  %-16s %s tokens of market fees, the governors' 2-of-3", "treasury",
                         held);
    }
}

static void jobs_agents_and_alarms(GString *out, const rep_run_info *info, const sim_metrics *m)
{
    const GArray *rows = rep_record_rows(rep_summary_table("agents"), info, m);
    g_autofree char *max = rep_summary_figure(m, "agents_active_max", 0);
    g_autofree char *final = rep_summary_figure(m, "agents_active_final", 0);
    g_autofree char *registered = rep_summary_figure(m, "agents_registered", 0);
    rep_summary_line(out, "  %-16s active max %s, at the end %s   registered %s of %u", "agents",
                     max, final, registered, rows->len);
    g_autofree char *wrong = rep_summary_figure(m, "jobs_wrong_released", 0);
    g_autofree char *share = jobs_percent(sim_metrics_get(m, "wrong_result_share", NAN));
    rep_summary_line(out, "  %-16s %s released (%s of the released jobs)", "wrong results", wrong,
                     share);
    GString *kinds = g_string_new(NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(jobs_alarm_kinds); i++) {
        g_autofree char *name = g_strconcat("alarms.", jobs_alarm_kinds[i], NULL);
        double count = sim_metrics_get(m, name, 0);
        if (!(count > 0))
            continue;
        g_autofree char *n = rep_summary_count(count);
        g_string_append_printf(kinds, "%s%s %s", kinds->len > 0 ? ", " : "", jobs_alarm_kinds[i],
                               n);
    }
    if (kinds->len > 0)
        rep_summary_line(out, "  %-16s %s (table alarms)", "alarms", kinds->str);
    else
        rep_summary_line(out, "  %-16s none", "alarms");
    g_string_free(kinds, TRUE);
}

void rep_summary_jobs(GString *out, const rep_run_info *info, const sim_metrics *m)
{
    const GArray *rows = rep_record_rows(rep_summary_table("agents"), info, m);
    if (rows->len == 0)
        return;
    rep_summary_line(out, "%s", "");
    rep_summary_line(out, "%s", "Jobs");
    jobs_counts(out, m);
    jobs_money(out, info, m);
    jobs_agents_and_alarms(out, info, m);
}
