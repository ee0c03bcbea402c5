/* The verdict of a run (see verdict.h). The [expect] targets are
 * evaluated by reports/expect.c; this file decides what they and the way
 * the run stopped mean together, and says why in one sentence. */
#include "reports/verdict.h"

#include <string.h>

static rep_run_verdict *verdict_new(void)
{
    rep_run_verdict *v = g_new0(rep_run_verdict, 1);
    v->verdict = REP_VERDICT_INCOMPLETE;
    v->targets_held = TRUE;
    v->expects = rep_expect_results_new();
    return v;
}

void rep_run_verdict_free(rep_run_verdict *v)
{
    if (v == NULL)
        return;
    g_free(v->reason);
    g_free(v->stop_reason);
    g_array_unref(v->expects);
    g_free(v->accountability);
    g_free(v->accountability_detail);
    g_free(v->liveness.detail);
    g_free(v);
}

/* Stops that fail a run whatever its targets say. */
static bool stop_fails(sim_stop stop)
{
    return stop == SIM_STOP_INVARIANT || stop == SIM_STOP_EVENT_LIMIT ||
           stop == SIM_STOP_PENDING_LIMIT;
}

/* A liveness target whose condition the run could not judge. */
static bool liveness_unjudged(const rep_run_verdict *v, const rep_expect_result *e)
{
    return strcmp(e->key, "liveness") == 0 && v->has_liveness &&
           (v->liveness.state == SIM_LIVENESS_NOT_APPLICABLE ||
            v->liveness.state == SIM_LIVENESS_UNDETERMINED);
}

/* "; "-separated: the stop that failed the run, then each failed target. */
static char *verdict_reason(const rep_run_verdict *v, sim_stop stop)
{
    const char *stop_text = v->stop_reason != NULL ? v->stop_reason : sim_stop_name(stop);
    if (stop == SIM_STOP_INTERRUPTED)
        return g_strdup_printf("%s: the run did not reach its end, so it is not judged",
                               stop_text);
    if (v->verdict == REP_VERDICT_PASS)
        return v->expects->len > 0
                   ? g_strdup_printf("%s; no invariant stopped it and every [expect] target "
                                     "held (%u)", stop_text, v->expects->len)
                   : g_strdup_printf("%s; no invariant stopped it (no [expect] targets)",
                                     stop_text);
    GString *reason = g_string_new(stop_fails(stop) ? stop_text : NULL);
    for (guint i = 0; i < v->expects->len; i++) {
        const rep_expect_result *e = &g_array_index(v->expects, rep_expect_result, i);
        if (e->passed)
            continue;
        if (reason->len > 0)
            g_string_append(reason, "; ");
        g_string_append_printf(reason, "[expect] %s %s: %s", e->key,
                               liveness_unjudged(v, e) ? "cannot be judged" : "failed",
                               e->actual != NULL ? e->actual : "?");
    }
    return g_string_free(reason, FALSE);
}

rep_run_verdict *rep_verdict_judge(const sim_scenario *sc, const rep_run_end *end)
{
    rep_run_verdict *v = verdict_new();
    v->stop_reason = g_strdup(end->stop_detail);
    if (end->accountability != NULL) {
        v->accountability = g_strdup(sim_accountability_state_name(end->accountability->state));
        v->accountability_detail = g_strdup(end->accountability->detail);
    }
    if (end->checks.liveness != NULL) {
        v->has_liveness = true;
        v->liveness = *end->checks.liveness;
        v->liveness.detail = g_strdup(end->checks.liveness->detail);
    }
    v->targets_held = rep_expect_evaluate_into(sc, end->metrics, &end->checks, v->expects);
    if (end->stop == SIM_STOP_INTERRUPTED)
        v->verdict = REP_VERDICT_INCOMPLETE;
    else if (stop_fails(end->stop) || !v->targets_held)
        v->verdict = REP_VERDICT_FAIL;
    else
        v->verdict = REP_VERDICT_PASS;
    v->reason = verdict_reason(v, end->stop);
    return v;
}

rep_run_verdict *rep_verdict_of_world(const sim_world *w, const sim_scenario *sc, sim_stop stop)
{
    sim_liveness live = sim_world_liveness(w);
    sim_accountability acct = sim_world_accountability(w);
    GArray *slashed = sim_world_slashed(w);
    bool safe = sim_world_safety_held(w);
    bool conserved = sim_world_conservation_held(w, NULL);
    rep_run_end end = {
        .stop = stop,
        .stop_detail = sim_world_stop_detail(w),
        .checks = {.safety_held = safe,
                   .safety_detail = safe ? NULL : sim_world_stop_detail(w),
                   .conservation_held = conserved,
                   .conservation_detail = conserved ? NULL : sim_world_stop_detail(w),
                   .liveness = &live,
                   .slashed = slashed},
        .accountability = &acct,
        .metrics = sim_world_metrics(w),
    };
    rep_run_verdict *v = rep_verdict_judge(sc, &end);
    g_array_unref(slashed);
    g_free(acct.detail);
    g_free(live.detail);
    return v;
}

rep_run_verdict *rep_verdict_setup_interrupted(void)
{
    rep_run_verdict *v = verdict_new();
    v->verdict = REP_VERDICT_INCOMPLETE;
    v->stop_reason = g_strdup("interrupted during set-up");
    v->reason = g_strdup("interrupted during set-up: there is no run to judge");
    return v;
}

rep_run_verdict *rep_verdict_internal_error(const char *message)
{
    rep_run_verdict *v = verdict_new();
    v->verdict = REP_VERDICT_ERROR;
    v->reason = g_strdup_printf("internal error: %s", message != NULL ? message : "?");
    return v;
}

static void replace_text(char **field, const char *text)
{
    g_free(*field);
    *field = g_strdup(text);
}

void rep_verdict_record(const rep_run_verdict *v, rep_run_info *info, sim_metrics *m)
{
    info->verdict = v->verdict;
    replace_text(&info->stop_reason, v->stop_reason);
    replace_text(&info->accountability, v->accountability);
    replace_text(&info->accountability_detail, v->accountability_detail);
    for (guint i = 0; i < v->expects->len; i++) {
        const rep_expect_result *e = &g_array_index(v->expects, rep_expect_result, i);
        rep_run_info_add_expect(info, e->key, e->target, e->actual, e->passed);
    }
    if (m != NULL && v->has_liveness)
        sim_liveness_figures(&v->liveness, m);
}
