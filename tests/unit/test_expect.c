/* Unit tests for [expect] evaluation (reports/expect.c) where the verdict
 * text matters: max_block_propagation_p99 reads block_propagation_p99_s
 * (a median over blocks of the time to reach 99% of the live nodes), says
 * so, says by how much a miss missed and how many blocks never got there,
 * and fails with "nothing measured" when no block reached 99%.
 * max_resubmitted_other reads txs_resubmitted.other only: resubmissions
 * put down to a receiver that crashed do not count against it. Targets
 * a run could not measure (alarms, conservation in the testbed) fail and
 * say so. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "reports/expect.h"

static const char SCENARIO[] = "[network]\nvalidators = 4\n"
                               "[expect]\nmax_block_propagation_p99 = 2s\n";

typedef struct outcome {
    gboolean all;
    char *target;
    char *actual;
    gboolean passed;
} outcome;

static outcome evaluate_key(sim_metrics *m, const char *text, const char *key)
{
    GError *error = NULL;
    sim_scenario *sc = sim_scenario_parse("expect.ini", text, strlen(text), NULL, &error);
    ck_assert_msg(sc != NULL, "%s", error != NULL ? error->message : "?");
    rep_verdicts v = {.safety_held = true};
    rep_run_info *info = rep_run_info_new();
    outcome o = {.all = rep_expect_evaluate(sc, m, &v, info)};
    ck_assert_uint_eq(info->expects->len, 1);
    const rep_expect_result *e = &g_array_index(info->expects, rep_expect_result, 0);
    ck_assert_str_eq(e->key, key);
    o.target = g_strdup(e->target);
    o.actual = g_strdup(e->actual);
    o.passed = e->passed;
    rep_run_info_free(info);
    sim_scenario_free(sc);
    return o;
}

static outcome evaluate(sim_metrics *m)
{
    return evaluate_key(m, SCENARIO, "max_block_propagation_p99");
}

static void outcome_clear(outcome *o)
{
    g_free(o->target);
    g_free(o->actual);
}

START_TEST(test_propagation_pass_says_what_was_measured)
{
    sim_metrics *m = sim_metrics_new();
    sim_metrics_figure(m, "blocks_proposed", 60);
    sim_metrics_figure(m, "block_propagation_p99_s", 0.8125);
    sim_metrics_figure(m, "block_propagation_unreached_p99", 3);
    outcome o = evaluate(m);
    ck_assert(o.all && o.passed);
    ck_assert_str_eq(o.target, "<= 2s");
    ck_assert_str_eq(o.actual, "0.812s: median over 57 blocks of the time to reach 99% of the "
                               "nodes live at the proposal; 3 never did");
    outcome_clear(&o);
    sim_metrics_free(m);
}
END_TEST

START_TEST(test_propagation_miss_says_by_how_much)
{
    sim_metrics *m = sim_metrics_new();
    sim_metrics_figure(m, "blocks_proposed", 10);
    sim_metrics_figure(m, "block_propagation_p99_s", 2.5);
    sim_metrics_figure(m, "block_propagation_unreached_p99", 0);
    /* The old per-receipt reading of the name must not be what counts. */
    sim_metrics_figure(m, "block_propagation_p99_max_s", 1.0);
    outcome o = evaluate(m);
    ck_assert(!o.all && !o.passed);
    ck_assert_str_eq(o.actual, "2.500s (0.500s over): median over 10 blocks of the time to "
                               "reach 99% of the nodes live at the proposal");
    outcome_clear(&o);
    sim_metrics_free(m);
}
END_TEST

START_TEST(test_propagation_nothing_measured_fails)
{
    sim_metrics *m = sim_metrics_new();
    sim_metrics_figure(m, "blocks_proposed", 10);
    sim_metrics_figure(m, "block_propagation_unreached_p99", 10);
    outcome o = evaluate(m);
    ck_assert(!o.all && !o.passed);
    ck_assert_str_eq(o.actual,
                     "nothing measured: no block reached 99% of the nodes live at its proposal");
    outcome_clear(&o);
    sim_metrics_free(m);

    m = sim_metrics_new();
    o = evaluate(m);
    ck_assert(!o.passed);
    ck_assert_str_eq(o.actual, "nothing measured: no block was proposed");
    outcome_clear(&o);
    sim_metrics_free(m);
}
END_TEST

/* [expect] liveness against each liveness state: a target that cannot be
 * judged (not applicable, undetermined) never passes. */
static gboolean liveness_passes(const char *want, sim_liveness_state state, char **actual)
{
    g_autofree char *text = g_strdup_printf("[network]\nvalidators = 4\n[expect]\nliveness = %s\n",
                                            want);
    GError *error = NULL;
    sim_scenario *sc = sim_scenario_parse("expect.ini", text, strlen(text), NULL, &error);
    ck_assert_msg(sc != NULL, "%s", error != NULL ? error->message : "?");
    sim_liveness live = {.state = state,
                         .detail = g_strdup_printf("%s: detail", sim_liveness_state_name(state))};
    rep_verdicts v = {.safety_held = true, .liveness = &live};
    rep_run_info *info = rep_run_info_new();
    sim_metrics *m = sim_metrics_new();
    gboolean all = rep_expect_evaluate(sc, m, &v, info);
    ck_assert_uint_eq(info->expects->len, 1);
    const rep_expect_result *e = &g_array_index(info->expects, rep_expect_result, 0);
    ck_assert_str_eq(e->key, "liveness");
    ck_assert_int_eq(all, e->passed);
    gboolean passed = e->passed;
    *actual = g_strdup(e->actual);
    sim_metrics_free(m);
    rep_run_info_free(info);
    sim_scenario_free(sc);
    g_free(live.detail);
    return passed;
}

START_TEST(test_liveness_not_applicable_does_not_pass)
{
    char *actual = NULL;
    ck_assert(liveness_passes("holds", SIM_LIVENESS_HOLDS, &actual));
    g_free(actual);
    ck_assert(!liveness_passes("holds", SIM_LIVENESS_VIOLATED, &actual));
    g_free(actual);
    ck_assert(!liveness_passes("holds", SIM_LIVENESS_UNDETERMINED, &actual));
    g_free(actual);
    /* Every validator down: the run cannot judge liveness, and says so. */
    ck_assert(!liveness_passes("holds", SIM_LIVENESS_NOT_APPLICABLE, &actual));
    ck_assert_str_eq(actual, "not-applicable: detail");
    g_free(actual);
    ck_assert(liveness_passes("fails", SIM_LIVENESS_VIOLATED, &actual));
    g_free(actual);
    ck_assert(!liveness_passes("fails", SIM_LIVENESS_NOT_APPLICABLE, &actual));
    g_free(actual);
    ck_assert(!liveness_passes("fails", SIM_LIVENESS_HOLDS, &actual));
    g_free(actual);
}
END_TEST

static const char RESUBMITTED[] = "[network]\nvalidators = 4\n"
                                  "[expect]\nmax_resubmitted_other = 0\n";

START_TEST(test_resubmitted_other_only_counts_the_network)
{
    sim_metrics *m = sim_metrics_new();
    sim_metrics_figure(m, "txs_resubmitted", 5);
    sim_metrics_figure(m, "txs_resubmitted.receiver_crashed", 5);
    sim_metrics_figure(m, "txs_resubmitted.other", 0);
    outcome o = evaluate_key(m, RESUBMITTED, "max_resubmitted_other");
    ck_assert(o.all && o.passed);
    ck_assert_str_eq(o.target, "<= 0");
    ck_assert_str_eq(o.actual, "0");
    outcome_clear(&o);
    sim_metrics_figure(m, "txs_resubmitted", 8);
    sim_metrics_figure(m, "txs_resubmitted.other", 3);
    o = evaluate_key(m, RESUBMITTED, "max_resubmitted_other");
    ck_assert(!o.all && !o.passed);
    ck_assert_str_eq(o.actual, "3 (3 too many)");
    outcome_clear(&o);
    sim_metrics_free(m);
}
END_TEST

/* One [expect] key judged with verdicts v. */
static rep_expect_result *judge_one(const char *text, const rep_verdicts *v, rep_run_info **info)
{
    GError *error = NULL;
    sim_scenario *sc = sim_scenario_parse("expect.ini", text, strlen(text), NULL, &error);
    ck_assert_msg(sc != NULL, "%s", error != NULL ? error->message : "?");
    sim_metrics *m = sim_metrics_new();
    *info = rep_run_info_new();
    rep_expect_evaluate(sc, m, v, *info);
    sim_metrics_free(m);
    sim_scenario_free(sc);
    ck_assert_uint_eq((*info)->expects->len, 1);
    return &g_array_index((*info)->expects, rep_expect_result, 0);
}

/* A run that watched no alarms and checked no conservation (the testbed)
 * cannot pass those targets: they fail and say why, where a run that
 * watched and saw nothing would pass "alarms = none". */
START_TEST(test_unmeasured_alarms_and_conservation_fail_saying_so)
{
    rep_run_info *info = NULL;
    rep_verdicts watched = {.safety_held = true, .conservation_held = true};
    rep_expect_result *e = judge_one("[network]\nvalidators = 4\n[expect]\nalarms = none\n",
                                     &watched, &info);
    ck_assert(e->passed);
    rep_run_info_free(info);
    rep_verdicts unwatched = {.safety_held = true, .conservation_held = true,
                              .alarms_unwatched = true, .conservation_unchecked = true};
    e = judge_one("[network]\nvalidators = 4\n[expect]\nalarms = none\n", &unwatched, &info);
    ck_assert(!e->passed);
    ck_assert_str_eq(e->actual, "not measured: no alarm watch ran");
    rep_run_info_free(info);
    e = judge_one("[network]\nvalidators = 4\n[expect]\nconservation = holds\n", &unwatched,
                  &info);
    ck_assert(!e->passed);
    ck_assert_str_eq(e->actual, "not measured: no conservation check ran");
    rep_run_info_free(info);
}
END_TEST

static Suite *expect_suite(void)
{
    Suite *s = suite_create("expect");
    TCase *tc = tcase_create("propagation");
    tcase_add_test(tc, test_propagation_pass_says_what_was_measured);
    tcase_add_test(tc, test_propagation_miss_says_by_how_much);
    tcase_add_test(tc, test_propagation_nothing_measured_fails);
    tcase_add_test(tc, test_resubmitted_other_only_counts_the_network);
    suite_add_tcase(s, tc);
    tc = tcase_create("liveness");
    tcase_add_test(tc, test_liveness_not_applicable_does_not_pass);
    tcase_add_test(tc, test_unmeasured_alarms_and_conservation_fail_saying_so);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(expect_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
