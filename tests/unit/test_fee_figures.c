/* Unit tests for the fee and alarm figures (sim/figures/fee_figures.c),
 * computed from hand-made records and compared with numbers worked out
 * by hand in the comments: the base fee's first, final, max and mean, the
 * mean gas used ratio, burned and tips summed, nearest-rank inclusion
 * delays overall and per fee strategy (sorted by name, only the
 * strategies that occur), alarms counted by kind; nothing of the fee
 * figures in a run without fee records. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/figures/figures.h"

#define MS ((int64_t)1000000)
#define S_NS ((int64_t)1000000000)
#define GAS_LIMIT 30000000u

static sim_metrics *m;

static void setup(void)
{
    m = sim_metrics_new();
}

static void teardown(void)
{
    sim_metrics_free(m);
    m = NULL;
}

/* Four final heights:
 *   h1 at 1 s: base fee 1000, half full (15M of 30M), tips 100
 *   h2 at 2 s: base fee 1000, full, tips 300
 *   h3 at 3 s: base fee 1125, empty, no tips
 *   h4 at 4 s: base fee  985, a quarter full, tips 50
 * first 1000, final 985, max 1125, mean 4110 / 4 = 1027.5; gas used
 * ratio (0.5 + 1 + 0 + 0.25) / 4 = 0.4375; burned 15e9 + 30e9 + 0 +
 * 7.5M x 985 = 52,387,500,000; tips 450. */
static void add_fees(void)
{
    static const struct {
        uint64_t base_fee, gas_used, tips;
    } heights[] = {{1000, 15000000, 100}, {1000, 30000000, 300}, {1125, 0, 0}, {985, 7500000, 50}};
    for (guint i = 0; i < G_N_ELEMENTS(heights); i++) {
        sim_fee_record f = {.height = i + 1,
                            .final_ns = (int64_t)(i + 1) * S_NS,
                            .base_fee = heights[i].base_fee,
                            .gas_used = heights[i].gas_used,
                            .gas_limit = GAS_LIMIT,
                            .burned = heights[i].gas_used * heights[i].base_fee,
                            .tips = heights[i].tips,
                            .tx_count = (uint32_t)(heights[i].gas_used / 16357)};
        g_array_append_val(m->fees, f);
    }
}

static void add_tx(const char *strategy, int64_t submitted_ns, int64_t delay_ns)
{
    sim_tx_record t = {.submitted_ns = submitted_ns, .final_ns = submitted_ns + delay_ns,
                       .node = 0, .fee_strategy = strategy};
    g_array_append_val(m->txs, t);
}

/* Estimator: 3, 1, 4, 2 s; aggressive: 0.6, 0.5 s; one without a
 * strategy: 10 s; interleaved, estimator first, so the name order is the
 * figures' own doing. Overall the seven sorted are 0.5 0.6 1 2 3 4 10:
 * p50 is rank ceil(3.5) = 4 -> 2 s, p99 rank ceil(6.93) = 7 -> 10 s.
 * Estimator (1 2 3 4): p50 rank 2 -> 2 s, p99 rank ceil(3.96) = 4 -> 4 s.
 * Aggressive (0.5 0.6): p50 rank 1 -> 0.5 s, p99 rank 2 -> 0.6 s. */
static void add_txs(void)
{
    add_tx("estimator", 0, 3 * S_NS);
    add_tx("aggressive", 100 * MS, 600 * MS);
    add_tx("estimator", 200 * MS, 1 * S_NS);
    add_tx(NULL, 300 * MS, 10 * S_NS);
    add_tx("estimator", 400 * MS, 4 * S_NS);
    add_tx("aggressive", 500 * MS, 500 * MS);
    add_tx("estimator", 600 * MS, 2 * S_NS);
}

static void add_alarm(int64_t at_ns, const char *kind, const char *subject, const char *detail)
{
    sim_alarm_record a = {.at_ns = at_ns, .kind = kind, .subject = g_strdup(subject),
                          .detail = g_strdup(detail)};
    g_array_append_val(m->alarms, a);
}

static double figure(const char *name)
{
    return sim_metrics_get(m, name, NAN);
}

#define ck_assert_figure(name, expected)                                                  \
    do {                                                                                  \
        double got_ = figure(name);                                                       \
        ck_assert_msg(fabs(got_ - (expected)) < 1e-9, "%s = %.9g, expected %.9g", (name), \
                      got_, (double)(expected));                                          \
    } while (0)

/* The names of the figures set, in order, joined by spaces. */
static char *figure_names(void)
{
    GString *names = g_string_new(NULL);
    for (guint i = 0; i < m->figures->len; i++)
        g_string_append_printf(names, "%s%s", i > 0 ? " " : "",
                               g_array_index(m->figures, sim_figure, i).name);
    return g_string_free(names, FALSE);
}

START_TEST(test_fee_market)
{
    add_fees();
    sim_fee_figures(m);
    ck_assert_figure("base_fee_first", 1000);
    ck_assert_figure("base_fee_final", 985);
    ck_assert_figure("base_fee_max", 1125);
    ck_assert_figure("base_fee_mean", 1027.5);
    ck_assert_figure("gas_used_ratio_mean", 0.4375);
    ck_assert_figure("fees_burned", 52387500000.0);
    ck_assert_figure("fees_tips", 450);
    /* no transactions: the overall delays are 0 (as finality_* are), and
     * no strategy has figures */
    ck_assert_figure("inclusion_delay_p50_s", 0);
    ck_assert_figure("inclusion_delay_p99_s", 0);
    g_autofree char *names = figure_names();
    ck_assert_ptr_null(strstr(names, "txs_final."));
}
END_TEST

START_TEST(test_inclusion_delay_per_strategy)
{
    add_fees();
    add_txs();
    sim_fee_figures(m);
    ck_assert_figure("inclusion_delay_p50_s", 2);
    ck_assert_figure("inclusion_delay_p99_s", 10);
    ck_assert_figure("inclusion_delay_p50_s.estimator", 2);
    ck_assert_figure("inclusion_delay_p99_s.estimator", 4);
    ck_assert_figure("txs_final.estimator", 4);
    ck_assert_figure("inclusion_delay_p50_s.aggressive", 0.5);
    ck_assert_figure("inclusion_delay_p99_s.aggressive", 0.6);
    ck_assert_figure("txs_final.aggressive", 2);
    /* strategies nobody used have no figures */
    ck_assert(isnan(figure("txs_final.fixed")));
    ck_assert(isnan(figure("inclusion_delay_p50_s.spam")));
    /* the records are not reordered (the delays are sorted in copies) */
    ck_assert_str_eq(g_array_index(m->txs, sim_tx_record, 0).fee_strategy, "estimator");
    ck_assert_int_eq(g_array_index(m->txs, sim_tx_record, 0).final_ns, 3 * S_NS);
}
END_TEST

/* The order of the figures is fixed: the fee market, the overall delays,
 * then per strategy by name, whatever order the transactions came in. */
START_TEST(test_figure_order)
{
    add_fees();
    add_txs();
    sim_fee_figures(m);
    g_autofree char *names = figure_names();
    ck_assert_str_eq(names,
                     "base_fee_first base_fee_final base_fee_max base_fee_mean "
                     "gas_used_ratio_mean fees_burned fees_tips "
                     "inclusion_delay_p50_s inclusion_delay_p99_s "
                     "inclusion_delay_p50_s.aggressive inclusion_delay_p99_s.aggressive "
                     "txs_final.aggressive "
                     "inclusion_delay_p50_s.estimator inclusion_delay_p99_s.estimator "
                     "txs_final.estimator");
}
END_TEST

/* No final height, no fee figure at all, transactions or not. */
START_TEST(test_no_fee_records_no_fee_figures)
{
    add_txs();
    sim_fee_figures(m);
    ck_assert_uint_eq(m->figures->len, 0);
}
END_TEST

/* One final height: first and final are the same, the mean is it. */
START_TEST(test_one_height)
{
    sim_fee_record f = {.height = 1, .final_ns = S_NS, .base_fee = 7, .gas_used = 3,
                        .gas_limit = 4, .burned = 21, .tips = 3, .tx_count = 1};
    g_array_append_val(m->fees, f);
    add_tx("fixed", 0, 1500 * MS);
    sim_fee_figures(m);
    ck_assert_figure("base_fee_first", 7);
    ck_assert_figure("base_fee_final", 7);
    ck_assert_figure("base_fee_mean", 7);
    ck_assert_figure("gas_used_ratio_mean", 0.75);
    ck_assert_figure("inclusion_delay_p50_s.fixed", 1.5);
    ck_assert_figure("inclusion_delay_p99_s.fixed", 1.5);
    ck_assert_figure("txs_final.fixed", 1);
}
END_TEST

/* Alarms counted, by kind in name order (congestion-cleared sorts after
 * congestion, spam last), whatever order they were raised in. */
START_TEST(test_alarms_by_kind)
{
    add_alarm(2 * S_NS, "spam", "a17", "500 tx/s from one sender");
    add_alarm(3 * S_NS, "congestion", "chain", "base fee up 8 heights in a row");
    add_alarm(5 * S_NS, "spam", "a18", "400 tx/s from one sender");
    add_alarm(9 * S_NS, "congestion-cleared", "chain", "base fee back under 2x its start");
    sim_alarm_figures(m);
    g_autofree char *names = figure_names();
    ck_assert_str_eq(names, "alarms_count alarms.congestion alarms.congestion-cleared alarms.spam");
    ck_assert_figure("alarms_count", 4);
    ck_assert_figure("alarms.congestion", 1);
    ck_assert_figure("alarms.congestion-cleared", 1);
    ck_assert_figure("alarms.spam", 2);
}
END_TEST

/* A run without alarms says so: alarms_count 0, no kind. */
START_TEST(test_no_alarms)
{
    sim_alarm_figures(m);
    ck_assert_uint_eq(m->figures->len, 1);
    ck_assert_figure("alarms_count", 0);
}
END_TEST

static Suite *fee_figures_suite(void)
{
    Suite *s = suite_create("fee_figures");
    TCase *tc = tcase_create("fees");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_fee_market);
    tcase_add_test(tc, test_inclusion_delay_per_strategy);
    tcase_add_test(tc, test_figure_order);
    tcase_add_test(tc, test_no_fee_records_no_fee_figures);
    tcase_add_test(tc, test_one_height);
    suite_add_tcase(s, tc);
    tc = tcase_create("alarms");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_alarms_by_kind);
    tcase_add_test(tc, test_no_alarms);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(fee_figures_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
