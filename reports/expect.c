/* [expect] evaluation (see expect.h). Targets are printed back in the
 * scenario's units; actual values say what was measured, or why nothing
 * could be measured, so a failed gate explains itself. */
#include "reports/expect.h"

#include <math.h>

static void add(GArray *out, gboolean *all, const char *key, const char *target, const char *actual,
                gboolean passed)
{
    rep_expect_results_add(out, key, target, actual, passed);
    if (!passed)
        *all = FALSE;
}

static void expect_safety(const sim_scenario *sc, const rep_verdicts *v, GArray *out, gboolean *all)
{
    if (sc->expect.safety == SIM_EXPECT_UNSET)
        return;
    gboolean want = sc->expect.safety == SIM_EXPECT_HOLDS;
    const char *actual = v->safety_held ? "holds" : v->safety_detail;
    add(out, all, "safety", want ? "holds" : "fails", actual != NULL ? actual : "violated",
        want == (v->safety_held ? TRUE : FALSE));
}

static void expect_liveness(const sim_scenario *sc, const rep_verdicts *v, GArray *out,
                            gboolean *all)
{
    if (sc->expect.liveness == SIM_EXPECT_UNSET)
        return;
    gboolean want = sc->expect.liveness == SIM_EXPECT_HOLDS;
    sim_liveness_state s = v->liveness->state;
    /* Liveness is conditional. Where its condition is not met at the end
     * (no quorum of stake up and connected) the run cannot judge it, and a
     * target that cannot be judged does not pass, either way: the actual
     * text ("not applicable: ...") says why. Undetermined (the run ended
     * before the bound) cannot be judged either. */
    gboolean passed = want ? s == SIM_LIVENESS_HOLDS : s == SIM_LIVENESS_VIOLATED;
    add(out, all, "liveness", want ? "holds" : "fails", v->liveness->detail, passed);
}

static void expect_max_seconds(GArray *out, gboolean *all, const char *key, int64_t target_ns,
                               const sim_metrics *m, const char *figure, const char *count_figure)
{
    char *target = g_strdup_printf("<= %gs", target_ns / 1e9);
    double count = sim_metrics_get(m, count_figure, 0.0);
    double value = sim_metrics_get(m, figure, NAN);
    if (count <= 0 || isnan(value)) {
        add(out, all, key, target, "nothing measured", FALSE);
    } else {
        gboolean passed = value * 1e9 <= (double)target_ns;
        /* A miss says by how much. */
        char *actual = passed ? g_strdup_printf("%.3fs", value)
                              : g_strdup_printf("%.3fs (%.3fs over)", value,
                                                value - target_ns / 1e9);
        add(out, all, key, target, actual, passed);
        g_free(actual);
    }
    g_free(target);
}

/* block_propagation_p99_s is per block (sim/figures/propagation.c): the median,
 * over the blocks that got there, of the time a block took to reach 99%
 * of the nodes live at its proposal. The actual says so, and how many
 * blocks never got there (they are not in the median). */
static void expect_propagation(GArray *out, gboolean *all, int64_t target_ns, const sim_metrics *m)
{
    char *target = g_strdup_printf("<= %gs", target_ns / 1e9);
    double value = sim_metrics_get(m, "block_propagation_p99_s", NAN);
    double blocks = sim_metrics_get(m, "blocks_proposed", 0.0);
    double unreached = sim_metrics_get(m, "block_propagation_unreached_p99", 0.0);
    if (isnan(value)) {
        add(out, all, "max_block_propagation_p99", target,
            blocks > 0 ? "nothing measured: no block reached 99% of the nodes live at its "
                         "proposal"
                       : "nothing measured: no block was proposed",
            FALSE);
        g_free(target);
        return;
    }
    gboolean passed = value * 1e9 <= (double)target_ns;
    char *over = passed ? g_strdup("") : g_strdup_printf(" (%.3fs over)", value - target_ns / 1e9);
    char *never = unreached > 0 ? g_strdup_printf("; %.0f never did", unreached) : g_strdup("");
    char *actual = g_strdup_printf("%.3fs%s: median over %.0f blocks of the time to reach 99%% "
                                   "of the nodes live at the proposal%s",
                                   value, over, blocks - unreached, never);
    add(out, all, "max_block_propagation_p99", target, actual, passed);
    g_free(actual);
    g_free(never);
    g_free(over);
    g_free(target);
}

static void expect_conservation(const sim_scenario *sc, const rep_verdicts *v, GArray *out,
                                gboolean *all)
{
    if (sc->expect.conservation == SIM_EXPECT_UNSET)
        return;
    gboolean want = sc->expect.conservation == SIM_EXPECT_HOLDS;
    if (v->conservation_unchecked) {
        add(out, all, "conservation", want ? "holds" : "fails",
            "not measured: no conservation check ran", FALSE);
        return;
    }
    const char *actual = v->conservation_held ? "holds" : v->conservation_detail;
    add(out, all, "conservation", want ? "holds" : "fails",
        actual != NULL ? actual : "violated", want == (v->conservation_held ? TRUE : FALSE));
}

/* Each alarm wanted ("KIND:SUBJECT") among those raised. */
static void expect_alarms(const sim_scenario *sc, const sim_metrics *m, const rep_verdicts *v,
                          GArray *out, gboolean *all)
{
    if (!sc->expect.has_alarms)
        return;
    GString *want = g_string_new(NULL);
    if (v->alarms_unwatched) {
        for (guint k = 0; k < sc->expect.alarms->len; k++)
            g_string_append_printf(want, "%s%s", want->len ? " " : "",
                                   (const char *)g_ptr_array_index(sc->expect.alarms, k));
        add(out, all, "alarms", want->len ? want->str : "none",
            "not measured: no alarm watch ran", FALSE);
        g_string_free(want, TRUE);
        return;
    }
    GString *got = g_string_new(NULL);
    gboolean ok = TRUE;
    for (guint i = 0; i < m->alarms->len; i++) {
        const sim_alarm_record *a = &g_array_index(m->alarms, sim_alarm_record, i);
        g_string_append_printf(got, "%s%s:%s", got->len ? " " : "", a->kind, a->subject);
    }
    for (guint k = 0; k < sc->expect.alarms->len; k++) {
        const char *w = g_ptr_array_index(sc->expect.alarms, k);
        g_string_append_printf(want, "%s%s", want->len ? " " : "", w);
        gboolean found = FALSE;
        for (guint i = 0; i < m->alarms->len && !found; i++) {
            const sim_alarm_record *a = &g_array_index(m->alarms, sim_alarm_record, i);
            char *have = g_strdup_printf("%s:%s", a->kind, a->subject);
            found = strcmp(have, w) == 0;
            g_free(have);
        }
        ok = ok && found;
    }
    if (sc->expect.alarms->len == 0)
        ok = m->alarms->len == 0;
    add(out, all, "alarms", want->len ? want->str : "none", got->len ? got->str : "none", ok);
    g_string_free(want, TRUE);
    g_string_free(got, TRUE);
}

static void expect_slashed(const sim_scenario *sc, const rep_verdicts *v, GArray *out,
                           gboolean *all)
{
    if (!sc->expect.has_slashed)
        return;
    GString *want = g_string_new(NULL), *got = g_string_new(NULL);
    const GArray *exp = sc->expect.slashed;
    for (guint i = 0; exp != NULL && i < exp->len; i++) {
        char *name = sim_scenario_node_name(sc, g_array_index(exp, uint32_t, i));
        g_string_append_printf(want, "%s%s", i ? " " : "", name);
        g_free(name);
    }
    guint got_len = v->slashed != NULL ? v->slashed->len : 0;
    gboolean same = got_len == (exp != NULL ? exp->len : 0);
    for (guint i = 0; i < got_len; i++) {
        uint32_t node = g_array_index(v->slashed, uint32_t, i);
        char *name = sim_scenario_node_name(sc, node);
        g_string_append_printf(got, "%s%s", i ? " " : "", name);
        g_free(name);
        if (same && g_array_index(exp, uint32_t, i) != node)
            same = FALSE;
    }
    add(out, all, "slashed", want->len ? want->str : "none", got->len ? got->str : "none", same);
    g_string_free(want, TRUE);
    g_string_free(got, TRUE);
}

/* A count figure (0 when the run has none) against a maximum. */
static void expect_max_count(GArray *out, gboolean *all, const char *key, uint64_t max,
                             const sim_metrics *m, const char *figure)
{
    double value = sim_metrics_get(m, figure, 0.0);
    char *target = g_strdup_printf("<= %" G_GUINT64_FORMAT, max);
    gboolean passed = value <= (double)max;
    char *actual = passed ? g_strdup_printf("%.0f", value)
                          : g_strdup_printf("%.0f (%.0f too many)", value, value - (double)max);
    add(out, all, key, target, actual, passed);
    g_free(target);
    g_free(actual);
}

/* The run's smallest Nakamoto coefficient: by owners when the scenario
 * declares them ([staking] owners), else by validators. */
static void expect_min_nakamoto(const sim_scenario *sc, const sim_metrics *m, GArray *out,
                                gboolean *all)
{
    const char *figure = sc->owners_declared ? "nakamoto_owners_min" : "nakamoto_coefficient_min";
    const char *by = sc->owners_declared ? "owners" : "validators";
    char *target = g_strdup_printf(">= %u (by %s)", sc->expect.min_nakamoto, by);
    double value = sim_metrics_get(m, figure, NAN);
    if (isnan(value)) {
        add(out, all, "min_nakamoto", target, "nothing measured: no height became final", FALSE);
        g_free(target);
        return;
    }
    gboolean passed = value >= (double)sc->expect.min_nakamoto;
    char *actual = passed ? g_strdup_printf("%.0f", value)
                          : g_strdup_printf("%.0f (%.0f short)", value,
                                            (double)sc->expect.min_nakamoto - value);
    add(out, all, "min_nakamoto", target, actual, passed);
    g_free(target);
    g_free(actual);
}

gboolean rep_expect_evaluate(const sim_scenario *sc, const sim_metrics *m, const rep_verdicts *v,
                             rep_run_info *info)
{
    return rep_expect_evaluate_into(sc, m, v, info->expects);
}

gboolean rep_expect_evaluate_into(const sim_scenario *sc, const sim_metrics *m,
                                  const rep_verdicts *v, GArray *out)
{
    gboolean all = TRUE;
    const sim_expect *e = &sc->expect;
    expect_safety(sc, v, out, &all);
    expect_conservation(sc, v, out, &all);
    expect_liveness(sc, v, out, &all);
    if (e->has_min_throughput) {
        double tps = sim_metrics_get(m, "throughput_tps", 0.0);
        char *target = g_strdup_printf(">= %g/s", e->min_throughput_tps);
        gboolean passed = tps >= e->min_throughput_tps;
        char *actual = passed ? g_strdup_printf("%.1f/s", tps)
                              : g_strdup_printf("%.1f/s (%.1f/s short)", tps,
                                                e->min_throughput_tps - tps);
        add(out, &all, "min_throughput", target, actual, passed);
        g_free(target);
        g_free(actual);
    }
    if (e->has_max_finality_p99)
        expect_max_seconds(out, &all, "max_finality_p99", e->max_finality_p99_ns, m,
                           "finality_p99_s", "txs_final");
    if (e->has_max_block_propagation_p99)
        expect_propagation(out, &all, e->max_block_propagation_p99_ns, m);
    expect_slashed(sc, v, out, &all);
    expect_alarms(sc, m, v, out, &all);
    if (e->has_max_view_changes)
        expect_max_count(out, &all, "max_view_changes", e->max_view_changes, m, "view_changes");
    if (e->has_max_resubmitted_other)
        expect_max_count(out, &all, "max_resubmitted_other", e->max_resubmitted_other, m,
                         "txs_resubmitted.other");
    if (e->has_min_nakamoto)
        expect_min_nakamoto(sc, m, out, &all);
    rep_expect_market(sc, m, out, &all);
    if (e->has_max_upgrade_stall)
        expect_max_seconds(out, &all, "max_upgrade_stall", e->max_upgrade_stall_ns, m,
                           "upgrade_stall_max_s", "upgrades_activated");
    if (e->has_max_upgrade_halt)
        expect_max_seconds(out, &all, "max_upgrade_halt", e->max_upgrade_halt_ns, m,
                           "upgrade_halt_max_s", "upgrades_activated");
    return all;
}
