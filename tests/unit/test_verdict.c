/* Unit tests for the verdict of a run (reports/verdict.c), the one place
 * that decides pass, fail or incomplete, and why (docs/scenarios.md, "The
 * verdict"):
 *   - a run that reached its duration with every target held passes;
 *   - one failed target fails the run, and the reason names it;
 *   - a safety violation (an invariant stop) fails the run, even when a
 *     target expected it;
 *   - an interrupted run is incomplete, whatever its targets say;
 *   - the event limit and an event storm fail the run;
 *   - a liveness target the run cannot judge (not applicable, undetermined)
 *     fails either way, and the reason says it cannot be judged;
 *   - recording the verdict fills the run info and adds the liveness
 *     figures last; set-up interrupted or failed has no world to judge.
 * Most tests judge fixture run ends; the last ones judge small worlds. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "reports/verdict.h"
#include "support/world_fixture.h"

#define S(x) ((int64_t)((x) * 1e9))

static const char TARGETS[] = "[network]\nvalidators = 4\n"
                              "[consensus]\nprotocol = pbft\n"
                              "[expect]\nsafety = holds\nliveness = holds\n"
                              "min_throughput = 100/s\nmax_view_changes = 2\n";

static const char SAFETY_VIOLATION[] = "safety violated at height 3: v5 finalized block "
                                       "223b29e1b2b6bf47 but v9 finalized block f7e761fce38f409a";

static sim_scenario *parse(const char *text)
{
    GError *error = NULL;
    sim_scenario *sc = sim_scenario_parse("verdict.ini", text, strlen(text), NULL, &error);
    ck_assert_msg(sc != NULL, "%s", error != NULL ? error->message : "?");
    return sc;
}

/* A run end to adjust: reached its duration, safety held, liveness held
 * 1.5 s after the start (bound 22 s), 150 tx/s, one view change. */
typedef struct fixture {
    sim_liveness live;
    sim_accountability acct;
    sim_metrics *m;
    rep_run_end end;
} fixture;

static void fixture_init(fixture *f)
{
    f->live = (sim_liveness){.state = SIM_LIVENESS_HOLDS,
                             .bound_ns = S(22),
                             .took_ns = S(1.5),
                             .detail = "holds: first block final 1.50 s after the last heal at "
                                       "0.0 s (bound 22.0 s)"};
    f->acct = (sim_accountability){.state = SIM_ACCOUNTABILITY_HOLDS, .detail = "holds: fine"};
    f->m = sim_metrics_new();
    sim_metrics_figure(f->m, "throughput_tps", 150);
    sim_metrics_figure(f->m, "view_changes", 1);
    f->end = (rep_run_end){.stop = SIM_STOP_DURATION,
                           .stop_detail = "reached the scenario duration",
                           .checks = {.safety_held = true, .liveness = &f->live},
                           .accountability = &f->acct,
                           .metrics = f->m};
}

static rep_run_verdict *judge(fixture *f, const char *text)
{
    sim_scenario *sc = parse(text);
    rep_run_verdict *v = rep_verdict_judge(sc, &f->end);
    sim_scenario_free(sc);
    sim_metrics_free(f->m);
    f->m = NULL;
    ck_assert_ptr_nonnull(v->reason);
    return v;
}

static const rep_expect_result *expect_of(const rep_run_verdict *v, const char *key)
{
    for (guint i = 0; i < v->expects->len; i++) {
        const rep_expect_result *e = &g_array_index(v->expects, rep_expect_result, i);
        if (strcmp(e->key, key) == 0)
            return e;
    }
    ck_abort_msg("no [expect] result for %s", key);
    return NULL;
}

START_TEST(test_all_targets_hold_passes)
{
    fixture f;
    fixture_init(&f);
    g_autoptr(rep_run_verdict) v = judge(&f, TARGETS);
    ck_assert_int_eq(v->verdict, REP_VERDICT_PASS);
    ck_assert(v->targets_held);
    ck_assert_uint_eq(v->expects->len, 4);
    for (guint i = 0; i < v->expects->len; i++)
        ck_assert(g_array_index(v->expects, rep_expect_result, i).passed);
    ck_assert_str_eq(v->stop_reason, "reached the scenario duration");
    ck_assert_str_eq(v->reason, "reached the scenario duration; no invariant stopped it and "
                                "every [expect] target held (4)");
    ck_assert_str_eq(v->accountability, "holds");
    ck_assert_str_eq(v->accountability_detail, "holds: fine");
}
END_TEST

START_TEST(test_no_targets_passes)
{
    fixture f;
    fixture_init(&f);
    g_autoptr(rep_run_verdict) v = judge(&f, "[network]\nvalidators = 4\n");
    ck_assert_int_eq(v->verdict, REP_VERDICT_PASS);
    ck_assert_uint_eq(v->expects->len, 0);
    ck_assert_ptr_nonnull(strstr(v->reason, "no [expect] targets"));
}
END_TEST

START_TEST(test_one_target_failing_fails_with_its_name)
{
    fixture f;
    fixture_init(&f);
    sim_metrics_figure(f.m, "throughput_tps", 50);
    g_autoptr(rep_run_verdict) v = judge(&f, TARGETS);
    ck_assert_int_eq(v->verdict, REP_VERDICT_FAIL);
    ck_assert(!v->targets_held);
    ck_assert(!expect_of(v, "min_throughput")->passed);
    ck_assert(expect_of(v, "max_view_changes")->passed);
    ck_assert(expect_of(v, "safety")->passed && expect_of(v, "liveness")->passed);
    /* The run reached its end: only the target is to blame. */
    ck_assert_str_eq(v->reason, "[expect] min_throughput failed: 50.0/s (50.0/s short)");
    ck_assert_str_eq(v->stop_reason, "reached the scenario duration");
}
END_TEST

START_TEST(test_safety_violation_fails)
{
    fixture f;
    fixture_init(&f);
    f.end.stop = SIM_STOP_INVARIANT;
    f.end.stop_detail = SAFETY_VIOLATION;
    f.end.checks.safety_held = false;
    f.end.checks.safety_detail = SAFETY_VIOLATION;
    g_autoptr(rep_run_verdict) v = judge(&f, TARGETS);
    ck_assert_int_eq(v->verdict, REP_VERDICT_FAIL);
    ck_assert(!expect_of(v, "safety")->passed);
    ck_assert_str_eq(expect_of(v, "safety")->actual, SAFETY_VIOLATION);
    ck_assert(g_str_has_prefix(v->reason, SAFETY_VIOLATION));
    ck_assert_ptr_nonnull(strstr(v->reason, "; [expect] safety failed: "));
    ck_assert_str_eq(v->stop_reason, SAFETY_VIOLATION);
}
END_TEST

/* A scenario that expects the violation (the f+1 twins): its target
 * passes, the run still fails (and exits 1). */
START_TEST(test_expected_safety_violation_still_fails)
{
    fixture f;
    fixture_init(&f);
    f.end.stop = SIM_STOP_INVARIANT;
    f.end.stop_detail = SAFETY_VIOLATION;
    f.end.checks.safety_held = false;
    f.end.checks.safety_detail = SAFETY_VIOLATION;
    g_autoptr(rep_run_verdict) v = judge(&f, "[network]\nvalidators = 4\n"
                                             "[expect]\nsafety = fails\n");
    ck_assert(v->targets_held);
    ck_assert(expect_of(v, "safety")->passed);
    ck_assert_int_eq(v->verdict, REP_VERDICT_FAIL);
    ck_assert_str_eq(v->reason, SAFETY_VIOLATION);
}
END_TEST

START_TEST(test_interrupted_run_is_incomplete)
{
    fixture f;
    fixture_init(&f);
    f.end.stop = SIM_STOP_INTERRUPTED;
    f.end.stop_detail = "interrupted";
    g_autoptr(rep_run_verdict) v = judge(&f, TARGETS);
    ck_assert_int_eq(v->verdict, REP_VERDICT_INCOMPLETE);
    ck_assert(v->targets_held);
    ck_assert_str_eq(v->stop_reason, "interrupted");
    ck_assert(g_str_has_prefix(v->reason, "interrupted: "));

    /* A failed target does not make an unfinished run a failure. */
    fixture_init(&f);
    f.end.stop = SIM_STOP_INTERRUPTED;
    f.end.stop_detail = "interrupted";
    sim_metrics_figure(f.m, "throughput_tps", 0);
    g_autoptr(rep_run_verdict) short_run = judge(&f, TARGETS);
    ck_assert(!short_run->targets_held);
    ck_assert_int_eq(short_run->verdict, REP_VERDICT_INCOMPLETE);
}
END_TEST

START_TEST(test_limits_fail)
{
    const sim_stop stops[] = {SIM_STOP_EVENT_LIMIT, SIM_STOP_PENDING_LIMIT};
    const char *details[] = {"stopped at the event limit (5000 events)",
                             "stopped at 0.090 s: more than 1024 events pending at once"};
    for (guint i = 0; i < G_N_ELEMENTS(stops); i++) {
        fixture f;
        fixture_init(&f);
        f.end.stop = stops[i];
        f.end.stop_detail = details[i];
        g_autoptr(rep_run_verdict) v = judge(&f, TARGETS);
        ck_assert(v->targets_held);
        ck_assert_int_eq(v->verdict, REP_VERDICT_FAIL);
        ck_assert_str_eq(v->reason, details[i]);
    }
}
END_TEST

/* Liveness not applicable (no quorum up and connected) or undetermined
 * (the run ended before the bound): a liveness target fails either way,
 * the actual is the checker's sentence, the reason says why. */
static rep_run_verdict *judge_liveness(const char *want, sim_liveness_state state,
                                       const char *detail)
{
    fixture f;
    fixture_init(&f);
    f.live.state = state;
    f.live.took_ns = -1;
    f.live.detail = (char *)detail;
    g_autofree char *text = g_strdup_printf("[network]\nvalidators = 4\n"
                                            "[expect]\nliveness = %s\n", want);
    return judge(&f, text);
}

START_TEST(test_liveness_not_applicable_cannot_be_judged)
{
    const char *na = "not applicable: up and connected validators hold 0 of 400 stake (need "
                     "more than 2/3)";
    g_autoptr(rep_run_verdict) v = judge_liveness("holds", SIM_LIVENESS_NOT_APPLICABLE, na);
    ck_assert_int_eq(v->verdict, REP_VERDICT_FAIL);
    ck_assert(!expect_of(v, "liveness")->passed);
    ck_assert_str_eq(expect_of(v, "liveness")->actual, na);
    g_autofree char *want = g_strdup_printf("[expect] liveness cannot be judged: %s", na);
    ck_assert_str_eq(v->reason, want);

    g_autoptr(rep_run_verdict) fails = judge_liveness("fails", SIM_LIVENESS_NOT_APPLICABLE, na);
    ck_assert_int_eq(fails->verdict, REP_VERDICT_FAIL);
    ck_assert_str_eq(fails->reason, want);

    const char *undetermined = "undetermined: the run ended 1.00 s after the last heal, before "
                               "the 22.0 s bound";
    g_autoptr(rep_run_verdict) u = judge_liveness("holds", SIM_LIVENESS_UNDETERMINED,
                                                  undetermined);
    ck_assert_int_eq(u->verdict, REP_VERDICT_FAIL);
    ck_assert_ptr_nonnull(strstr(u->reason, "liveness cannot be judged: undetermined"));

    /* A violation was judged: it simply failed. */
    g_autoptr(rep_run_verdict) violated =
        judge_liveness("holds", SIM_LIVENESS_VIOLATED, "violated: nothing final");
    ck_assert_int_eq(violated->verdict, REP_VERDICT_FAIL);
    ck_assert_str_eq(violated->reason, "[expect] liveness failed: violated: nothing final");
}
END_TEST

START_TEST(test_record_fills_run_info_and_liveness_figures)
{
    fixture f;
    fixture_init(&f);
    sim_metrics_figure(f.m, "throughput_tps", 50);
    g_autoptr(rep_run_verdict) v = judge(&f, TARGETS);
    g_autoptr(rep_run_info) info = rep_run_info_new();
    sim_metrics *m = sim_metrics_new();
    sim_metrics_figure(m, "wall_s", 2.0);
    rep_verdict_record(v, info, m);
    ck_assert_int_eq(info->verdict, REP_VERDICT_FAIL);
    ck_assert_str_eq(info->stop_reason, "reached the scenario duration");
    ck_assert_str_eq(info->accountability, "holds");
    ck_assert_str_eq(info->accountability_detail, "holds: fine");
    ck_assert_uint_eq(info->expects->len, v->expects->len);
    for (guint i = 0; i < info->expects->len; i++) {
        const rep_expect_result *a = &g_array_index(info->expects, rep_expect_result, i);
        const rep_expect_result *b = &g_array_index(v->expects, rep_expect_result, i);
        ck_assert_str_eq(a->key, b->key);
        ck_assert_str_eq(a->actual, b->actual);
        ck_assert_int_eq(a->passed, b->passed);
    }
    /* The liveness figures come last, after what the caller had added. */
    ck_assert_uint_eq(m->figures->len, 3);
    ck_assert_str_eq(g_array_index(m->figures, sim_figure, 1).name, "liveness_took_s");
    ck_assert_double_eq(g_array_index(m->figures, sim_figure, 1).value, 1.5);
    ck_assert_str_eq(g_array_index(m->figures, sim_figure, 2).name, "liveness_bound_s");
    ck_assert_double_eq(g_array_index(m->figures, sim_figure, 2).value, 22.0);
    sim_metrics_free(m);

    g_autoptr(rep_run_verdict) never = judge_liveness("holds", SIM_LIVENESS_VIOLATED, "v");
    m = sim_metrics_new();
    rep_verdict_record(never, info, m);
    ck_assert_double_eq(sim_metrics_get(m, "liveness_took_s", NAN), -1);
    sim_metrics_free(m);
}
END_TEST

START_TEST(test_no_world_to_judge)
{
    g_autoptr(rep_run_verdict) v = rep_verdict_setup_interrupted();
    ck_assert_int_eq(v->verdict, REP_VERDICT_INCOMPLETE);
    ck_assert_str_eq(v->stop_reason, "interrupted during set-up");
    g_autoptr(rep_run_info) info = rep_run_info_new();
    sim_metrics *m = sim_metrics_new();
    rep_verdict_record(v, info, m);
    ck_assert_int_eq(info->verdict, REP_VERDICT_INCOMPLETE);
    ck_assert_str_eq(info->stop_reason, "interrupted during set-up");
    ck_assert_ptr_null(info->accountability);
    ck_assert_uint_eq(info->expects->len, 0);
    ck_assert_uint_eq(m->figures->len, 0);
    sim_metrics_free(m);

    g_autoptr(rep_run_verdict) e = rep_verdict_internal_error("boom");
    ck_assert_int_eq(e->verdict, REP_VERDICT_ERROR);
    ck_assert_str_eq(e->reason, "internal error: boom");
}
END_TEST

/* ---- small worlds ---- */

static const char SMALL_WORLD[] = "[scenario]\nduration = 15s\n"
                                  "[network]\nvalidators = 4\n"
                                  "[consensus]\nprotocol = pbft\ncrypto = fast\n"
                                  "[workload]\ntx_rate = 20/s\naccounts = 100\nstop = 10s\n"
                                  "[expect]\nsafety = holds\nliveness = holds\nslashed = none\n";

static rep_run_verdict *run_and_judge(const char *text, sim_progress_fn progress,
                                      sim_stop want_stop)
{
    sim_scenario *sc = NULL;
    sim_world *w = test_world_new("verdict.ini", text, &sc);
    sim_stop stop = sim_world_run(w, progress, NULL);
    ck_assert_int_eq(stop, want_stop);
    rep_run_verdict *v = rep_verdict_of_world(w, sc, stop);
    test_world_free(w, sc);
    return v;
}

START_TEST(test_small_world_passes)
{
    g_autoptr(rep_run_verdict) v = run_and_judge(SMALL_WORLD, NULL, SIM_STOP_DURATION);
    ck_assert_msg(v->verdict == REP_VERDICT_PASS, "%s", v->reason);
    ck_assert_uint_eq(v->expects->len, 3);
    ck_assert(v->has_liveness && v->liveness.state == SIM_LIVENESS_HOLDS);
    ck_assert_ptr_nonnull(v->accountability);
}
END_TEST

static bool stop_at_once(void *ctx, const sim_progress *p)
{
    (void)ctx;
    (void)p;
    return false;
}

START_TEST(test_small_world_interrupted_is_incomplete)
{
    g_autoptr(rep_run_verdict) v = run_and_judge(SMALL_WORLD, stop_at_once,
                                                 SIM_STOP_INTERRUPTED);
    ck_assert_int_eq(v->verdict, REP_VERDICT_INCOMPLETE);
    ck_assert_str_eq(v->stop_reason, "interrupted");
}
END_TEST

/* Every validator down to the end: the run cannot judge liveness. */
START_TEST(test_small_world_without_quorum_cannot_judge_liveness)
{
    g_autofree char *text = g_strdup_printf("%s[fault down]\nat = 2s\naction = crash\n"
                                            "nodes = v0..v3\n", SMALL_WORLD);
    g_autoptr(rep_run_verdict) v = run_and_judge(text, NULL, SIM_STOP_DURATION);
    ck_assert_int_eq(v->verdict, REP_VERDICT_FAIL);
    ck_assert_int_eq(v->liveness.state, SIM_LIVENESS_NOT_APPLICABLE);
    ck_assert(expect_of(v, "safety")->passed);
    ck_assert(!expect_of(v, "liveness")->passed);
    ck_assert(g_str_has_prefix(expect_of(v, "liveness")->actual, "not applicable: "));
    ck_assert_msg(g_str_has_prefix(v->reason, "[expect] liveness cannot be judged: not "
                                              "applicable: up and connected validators hold 0"),
                  "%s", v->reason);
}
END_TEST

static Suite *verdict_suite(void)
{
    Suite *s = suite_create("verdict");
    TCase *tc = tcase_create("fixtures");
    tcase_add_test(tc, test_all_targets_hold_passes);
    tcase_add_test(tc, test_no_targets_passes);
    tcase_add_test(tc, test_one_target_failing_fails_with_its_name);
    tcase_add_test(tc, test_safety_violation_fails);
    tcase_add_test(tc, test_expected_safety_violation_still_fails);
    tcase_add_test(tc, test_interrupted_run_is_incomplete);
    tcase_add_test(tc, test_limits_fail);
    tcase_add_test(tc, test_liveness_not_applicable_cannot_be_judged);
    tcase_add_test(tc, test_record_fills_run_info_and_liveness_figures);
    tcase_add_test(tc, test_no_world_to_judge);
    suite_add_tcase(s, tc);
    tc = tcase_create("worlds");
    tcase_add_test(tc, test_small_world_passes);
    tcase_add_test(tc, test_small_world_interrupted_is_incomplete);
    tcase_add_test(tc, test_small_world_without_quorum_cannot_judge_liveness);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(verdict_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
