/* The economy's sections of the run summary (summary.h): Fees (the fee
 * market's figures, inclusion delay per fee strategy, the alarms) and
 * Concentration (stake concentration over the run). Each is left out of
 * a run that has nothing to say in it. The line and number helpers are
 * summary.c's (summary_internal.h). */
#include "reports/record_fields.h"
#include "reports/summary_internal.h"

#include <math.h>
#include <string.h>

/* ---- fees ---- */

/* Alarms listed one a line below their counts; the rest are in the
 * alarms table. */
#define SUMMARY_ALARMS_SHOWN 5

/* Inclusion delay over every final transaction, then one line per fee
 * strategy: the strategies are the figures txs_final.STRATEGY, in their
 * order (sim/figures/fee_figures.c sets them sorted by name). */
static void summary_inclusion(GString *out, const sim_metrics *m)
{
    static const char prefix[] = "txs_final.";
    g_autofree char *p50 = rep_summary_figure(m, "inclusion_delay_p50_s", 3);
    g_autofree char *p99 = rep_summary_figure(m, "inclusion_delay_p99_s", 3);
    rep_summary_line(out, "  %-16s p50 %s  p99 %s (s)", "inclusion delay", p50, p99);
    for (guint i = 0; i < m->figures->len; i++) {
        const sim_figure *f = &g_array_index(m->figures, sim_figure, i);
        if (!g_str_has_prefix(f->name, prefix))
            continue;
        const char *strategy = f->name + strlen(prefix);
        g_autofree char *name50 = g_strconcat("inclusion_delay_p50_s.", strategy, NULL);
        g_autofree char *name99 = g_strconcat("inclusion_delay_p99_s.", strategy, NULL);
        g_autofree char *s50 = rep_summary_figure(m, name50, 3);
        g_autofree char *s99 = rep_summary_figure(m, name99, 3);
        g_autofree char *txs = rep_summary_count(f->value);
        rep_summary_line(out, "    %-14s p50 %s  p99 %s (s)   %s txs", strategy, s50, s99, txs);
    }
}

/* The alarms, counted by kind, then the first few: when, what, who, and
 * the detector's sentence. */
static void summary_alarms(GString *out, const rep_run_info *info, const sim_metrics *m)
{
    if (!(sim_metrics_get(m, "alarms_count", 0) > 0)) {
        rep_summary_line(out, "  %-16s none", "alarms");
        return;
    }
    g_autofree char *count = rep_summary_figure(m, "alarms_count", 0);
    g_autofree char *kinds = rep_summary_prefixed_counts(m, "alarms.");
    rep_summary_line(out, "  %-16s %s   (%s)", "alarms", count, kinds);
    const rep_record_table *t = rep_summary_table("alarms");
    const GArray *rows = rep_record_rows(t, info, m);
    for (guint i = 0; i < MIN(rows->len, SUMMARY_ALARMS_SHOWN); i++) {
        const void *row = rep_record_row(rows, i);
        g_autofree char *at = rep_summary_field(info, t, row, "at_ns");
        g_autofree char *kind = rep_summary_field(info, t, row, "kind");
        g_autofree char *subject = rep_summary_field(info, t, row, "subject");
        g_autofree char *detail = rep_summary_field(info, t, row, "detail");
        rep_summary_line(out, "    %-14s %-12s %s: %s", at, kind, subject, detail);
    }
    if (rows->len > SUMMARY_ALARMS_SHOWN)
        rep_summary_line(out, "    ... and %u more (table alarms)",
                         rows->len - SUMMARY_ALARMS_SHOWN);
}

/* The fee market (base fee, gas used, burned and tips, inclusion delay
 * per fee strategy), then the alarms. Left out of a run without fee
 * figures (no height became final) and without alarms. */
void rep_summary_fees(GString *out, const rep_run_info *info, const sim_metrics *m)
{
    gboolean fees = rep_summary_has(m, "base_fee_final");
    if (!fees && !(sim_metrics_get(m, "alarms_count", 0) > 0))
        return;
    rep_summary_line(out, "%s", "");
    rep_summary_line(out, "%s", "Fees");
    if (fees) {
        g_autofree char *first = rep_summary_figure(m, "base_fee_first", 0);
        g_autofree char *max = rep_summary_figure(m, "base_fee_max", 0);
        g_autofree char *final = rep_summary_figure(m, "base_fee_final", 0);
        g_autofree char *mean = rep_summary_figure(m, "base_fee_mean", 1);
        rep_summary_line(out, "  %-16s first %s  max %s  final %s  mean %s", "base fee", first, max,
                         final, mean);
        g_autofree char *ratio =
            rep_summary_fixed(100 * sim_metrics_get(m, "gas_used_ratio_mean", NAN), 1);
        rep_summary_line(out, "  %-16s %s%% of the gas limit (mean over final heights)", "gas used",
                         ratio);
        g_autofree char *burned = rep_summary_figure(m, "fees_burned", 0);
        g_autofree char *tips = rep_summary_figure(m, "fees_tips", 0);
        rep_summary_line(out, "  %-16s %s   tips %s", "burned", burned, tips);
        summary_inclusion(out, m);
    }
    summary_alarms(out, info, m);
}

/* ---- stake concentration ---- */

/* PBFT runs measure it at every final height: the smallest Nakamoto
 * coefficients (by validators, by owners), the largest Gini, the last
 * height's values and the concentration alarms. Left out of runs
 * without records (PoA, or no height final). */
void rep_summary_concentration(GString *out, const rep_run_info *info, const sim_metrics *m)
{
    const rep_record_table *t = rep_summary_table("concentration");
    const GArray *rows = rep_record_rows(t, info, m);
    if (rows->len == 0 || !rep_summary_has(m, "nakamoto_coefficient_min"))
        return;
    const void *last = rep_record_row(rows, rows->len - 1);
    g_autofree char *by_v = rep_summary_figure(m, "nakamoto_coefficient_min", 0);
    g_autofree char *by_o = rep_summary_figure(m, "nakamoto_owners_min", 0);
    g_autofree char *last_v = rep_summary_field(info, t, last, "nakamoto_validators");
    g_autofree char *last_o = rep_summary_field(info, t, last, "nakamoto_owners");
    g_autofree char *gini = rep_summary_figure(m, "stake_gini_max", 3);
    g_autofree char *last_gini = rep_summary_field(info, t, last, "gini");
    g_autofree char *voting = rep_summary_field(info, t, last, "validators_powered");
    g_autofree char *height = rep_summary_field(info, t, last, "height");
    g_autofree char *top =
        rep_summary_fixed(100 * rep_record_get(t, last, "top_owner_share").real, 1);
    rep_summary_line(out, "%s", "");
    rep_summary_line(out, "%s", "Concentration");
    rep_summary_line(out, "  %-16s min %s by validators, %s by owners   (height %s: %s, %s)",
                     "nakamoto", by_v, by_o, height, last_v, last_o);
    rep_summary_line(out, "  %-16s max %s   (height %s: %s over %s voting validators)",
                     "stake gini", gini, height, last_gini, voting);
    rep_summary_line(out, "  %-16s %s%% of the voting power at height %s", "largest owner", top,
                     height);
    double raised = sim_metrics_get(m, "alarms.concentration", 0);
    double cleared = sim_metrics_get(m, "alarms.concentration-cleared", 0);
    g_autofree char *r = rep_summary_count(raised), *c = rep_summary_count(cleared);
    if (raised > 0 || cleared > 0)
        rep_summary_line(out, "  %-16s %s raised, %s cleared (table alarms)", "alarms", r, c);
}
