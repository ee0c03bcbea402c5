/* The fee market under congestion, spam and censorship: the regression
 * scenarios r42, r43 and r44 run here with the claims their [expect]
 * keys cannot state.
 *
 *   congestion  the base fee climbs far above where it started while
 *               demand is 2.5x capacity and falls back after; estimator
 *               clients (who re-price by replacement) are included ten
 *               times sooner than fixed low tips, which wait; the
 *               congestion alarm fires within 15 s of the surge, then
 *               clears; conservation holds.
 *   spam        honest throughput with a spammer is within 10% of the
 *               same run without it; the spam alarm names the spammer and
 *               nobody else, and stays silent without it.
 *   censor      the censorship alarm names the censor and nobody else,
 *               and stays silent without it. */
#include "scenario_support.h"

#include <string.h>

/* The text of scenarios/regression/NAME.ini. */
static char *regression_text(const char *name)
{
    const char *root = g_getenv("AITBC_SOURCE_DIR");
    ck_assert_msg(root != NULL, "AITBC_SOURCE_DIR is not set");
    char *path = g_strdup_printf("%s/scenarios/regression/%s.ini", root, name);
    char *text = NULL;
    ck_assert_msg(g_file_get_contents(path, &text, NULL, NULL), "cannot read %s", path);
    g_free(path);
    return text;
}

/* text without its [fault NAME] section (up to the next section). */
static char *without_fault(const char *text, const char *fault)
{
    char *header = g_strdup_printf("[fault %s]", fault);
    const char *at = strstr(text, header);
    ck_assert_ptr_nonnull(at);
    const char *next = strstr(at + strlen(header), "\n[");
    GString *out = g_string_new_len(text, at - text);
    if (next != NULL)
        g_string_append(out, next + 1);
    g_free(header);
    return g_string_free(out, FALSE);
}


START_TEST(congestion_prices_demand_and_clears)
{
    char *text = regression_text("r42-fee-congestion");
    scen_run *r = scen_run_text(text, NULL);
    double first = scen_figure(r, "base_fee_first");
    double max = scen_figure(r, "base_fee_max");
    double final = scen_figure(r, "base_fee_final");
    scen_assert(r, max >= 10 * first, "base fee rose only from %g to %g", first, max);
    scen_assert(r, final * 10 <= max, "base fee did not fall back: max %g, final %g", max, final);
    double est = scen_figure(r, "inclusion_delay_p50_s.estimator");
    double fixed = scen_figure(r, "inclusion_delay_p50_s.fixed");
    scen_assert(r, est * 10 <= fixed, "estimator p50 %g s, fixed p50 %g s", est, fixed);
    scen_assert(r, est <= 10.0, "estimator p50 %g s: not within a few blocks", est);
    scen_assert(r, scen_figure(r, "txs_repriced") > 0, "nobody re-priced");
    bool other = false;
    /* The surge's congestion first, then its end (the backlog it left
     * may briefly congest again as the base fee falls: more may follow). */
    scen_assert(r, scen_alarms_of(r, "congestion", "chain", &other) >= 1 && !other, "congestion");
    const GArray *a = sim_world_metrics(r->world)->alarms;
    scen_assert(r, a->len >= 2 &&
                       strcmp(g_array_index(a, sim_alarm_record, 0).kind, "congestion") == 0 &&
                       strcmp(g_array_index(a, sim_alarm_record, 1).kind,
                              "congestion-cleared") == 0,
                "not congestion, then congestion-cleared");
    scen_assert(r, g_array_index(a, sim_alarm_record, 0).at_ns < 45 * (int64_t)1000000000,
                "the congestion alarm came late");
    scen_assert(r, scen_figure(r, "conservation_held") == 1.0, "conservation");
    scen_run_free(r);
    g_free(text);
}
END_TEST

/* With aggressive clients too (they bid over the high tips of the fee
 * history): aggressive before estimator before fixed. */
START_TEST(congestion_orders_the_strategies)
{
    char *text = regression_text("r42-fee-congestion");
    static const char *const mix[] = {
        "workload.fee_strategy=estimator:0.6, aggressive:0.2, fixed 1:0.2", NULL};
    scen_run *r = scen_run_text(text, mix);
    double aggr = scen_figure(r, "inclusion_delay_p50_s.aggressive");
    double est = scen_figure(r, "inclusion_delay_p50_s.estimator");
    double fixed = scen_figure(r, "inclusion_delay_p50_s.fixed");
    scen_assert(r, aggr < est && est < fixed, "p50: aggressive %g s, estimator %g s, fixed %g s",
                aggr, est, fixed);
    scen_run_free(r);
    g_free(text);
}
END_TEST

/* A regression scenario run as written and without one of its faults. */
typedef struct fault_pair {
    scen_run *with;
    scen_run *without;
} fault_pair;

static fault_pair pair_run(const char *name, const char *fault)
{
    char *text = regression_text(name);
    char *clean = without_fault(text, fault);
    fault_pair p = {.with = scen_run_text(text, NULL), .without = scen_run_text(clean, NULL)};
    g_free(clean);
    g_free(text);
    return p;
}

static void pair_free(fault_pair *p)
{
    scen_run_free(p->with);
    scen_run_free(p->without);
}

/* One alarm of `kind` naming `subject` and nobody else with the fault,
 * none at all without it. */
static void assert_named_alone(const fault_pair *p, const char *kind, const char *subject)
{
    bool other = false;
    scen_assert(p->with, scen_alarms_of(p->with, kind, subject, &other) == 1 && !other,
                "the %s alarm does not name %s alone", kind, subject);
    scen_assert(p->without, scen_alarms_of(p->without, kind, subject, &other) == 0 && !other,
                "a %s alarm without the fault", kind);
}

START_TEST(spam_is_named_and_honest_throughput_holds)
{
    fault_pair p = pair_run("r43-fee-spam", "spammer");
    double tps = scen_figure(p.with, "throughput_tps");
    double base = scen_figure(p.without, "throughput_tps");
    scen_assert(p.with, tps >= 0.9 * base, "honest throughput %g tx/s with spam, %g without",
                tps, base);
    scen_assert(p.with, scen_figure(p.with, "spam_sent") > 10000, "spam_sent %g",
                scen_figure(p.with, "spam_sent"));
    assert_named_alone(&p, "spam", "n1");
    scen_assert(p.with, scen_figure(p.with, "conservation_held") == 1.0, "conservation");
    pair_free(&p);
}
END_TEST

START_TEST(censor_is_named)
{
    fault_pair p = pair_run("r44-fee-censor", "censor");
    assert_named_alone(&p, "censorship", "v3");
    scen_assert(p.with, sim_world_safety_held(p.with->world), "safety");
    pair_free(&p);
}
END_TEST

static Suite *fee_suite(void)
{
    Suite *s = suite_create("fee_scenarios");
    TCase *tc = tcase_create("fees");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, congestion_prices_demand_and_clears);
    tcase_add_test(tc, congestion_orders_the_strategies);
    tcase_add_test(tc, spam_is_named_and_honest_throughput_holds);
    tcase_add_test(tc, censor_is_named);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(fee_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
