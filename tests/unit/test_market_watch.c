/* Unit tests for the agent market's watchdog (sim/check/market_watch.c):
 * each rule at its threshold and just short of it, once per episode.
 *
 *   agent_misbehaving: 3 failures within 300 s raise it (the sentence
 *   counts missed deadlines and rejected results and names the jobs);
 *   3 spread over more than 300 s do not; a 4th in the same episode does
 *   not raise it again; after a quiet window a new episode can.
 *   agent_unresponsive: a suspension raises it once, until the agent is
 *   active again; other statuses never.
 *   sybil_suspected: three providers with 3 releases each, all paid by
 *   one consumer with 9 of 109 releases ((9/109)^3 < 1/1000), raise it at
 *   the release that makes the third; two such providers do not; nor do
 *   three whose consumer paid most of the market ((9/12)^3 is likely by
 *   chance); nor providers serving several consumers. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sim/check/market_watch.h"
#include "sim/figures/metrics.h"

#define S_NS 1000000000LL

static const sim_alarm_record *alarm_at(const sim_market_watch *w, guint i)
{
    const GArray *alarms = sim_market_watch_alarms(w);
    ck_assert_uint_lt(i, alarms->len);
    return &g_array_index(alarms, sim_alarm_record, i);
}

static guint alarms_count(const sim_market_watch *w)
{
    return sim_market_watch_alarms(w)->len;
}

START_TEST(test_misbehaving_at_threshold)
{
    sim_market_watch *w = sim_market_watch_new(4);
    sim_market_watch_failure(w, 2, 11, 0, true);
    sim_market_watch_failure(w, 2, 12, 100 * S_NS, false);
    ck_assert_uint_eq(alarms_count(w), 0);
    sim_market_watch_failure(w, 2, 13, 300 * S_NS, true); /* exactly the window */
    ck_assert_uint_eq(alarms_count(w), 1);
    const sim_alarm_record *a = alarm_at(w, 0);
    ck_assert_str_eq(a->kind, "agent_misbehaving");
    ck_assert_str_eq(a->subject, "a2");
    ck_assert_int_eq(a->at_ns, 300 * S_NS);
    ck_assert_str_eq(a->detail, "3 jobs refunded within 300s: 2 missed deadlines, "
                                "1 rejected result (jobs 11, 12, 13)");
    /* the same episode */
    sim_market_watch_failure(w, 2, 14, 310 * S_NS, false);
    ck_assert_uint_eq(alarms_count(w), 1);
    /* a quiet window (more than 300 s since 310 s), then three quickly */
    sim_market_watch_failure(w, 2, 15, 700 * S_NS, false);
    sim_market_watch_failure(w, 2, 16, 710 * S_NS, false);
    ck_assert_uint_eq(alarms_count(w), 1);
    sim_market_watch_failure(w, 2, 17, 720 * S_NS, false);
    ck_assert_uint_eq(alarms_count(w), 2);
    ck_assert_str_eq(alarm_at(w, 1)->detail, "3 jobs refunded within 300s: 0 missed deadlines, "
                                             "3 rejected results (jobs 15, 16, 17)");
    sim_market_watch_free(w);
}
END_TEST

START_TEST(test_misbehaving_spread_out)
{
    sim_market_watch *w = sim_market_watch_new(2);
    sim_market_watch_failure(w, 0, 1, 0, true);
    sim_market_watch_failure(w, 0, 2, 200 * S_NS, true);
    sim_market_watch_failure(w, 0, 3, 300 * S_NS + 1, true); /* 1 ns too late */
    sim_market_watch_failure(w, 1, 4, 300 * S_NS + 1, true); /* another provider */
    ck_assert_uint_eq(alarms_count(w), 0);
    sim_market_watch_free(w);
}
END_TEST

START_TEST(test_unresponsive)
{
    sim_market_watch *w = sim_market_watch_new(3);
    sim_market_watch_status(w, 1, 0, "registered");
    sim_market_watch_status(w, 1, 1 * S_NS, "active");
    sim_market_watch_status(w, 1, 30 * S_NS, "suspended");
    sim_market_watch_status(w, 1, 60 * S_NS, "suspended");
    sim_market_watch_status(w, 1, 90 * S_NS, "evicted");
    ck_assert_uint_eq(alarms_count(w), 1);
    ck_assert_str_eq(alarm_at(w, 0)->kind, "agent_unresponsive");
    ck_assert_str_eq(alarm_at(w, 0)->subject, "a1");
    ck_assert_int_eq(alarm_at(w, 0)->at_ns, 30 * S_NS);
    sim_market_watch_status(w, 1, 100 * S_NS, "active");
    sim_market_watch_status(w, 1, 130 * S_NS, "suspended");
    ck_assert_uint_eq(alarms_count(w), 2);
    sim_market_watch_status(w, 2, 130 * S_NS, "left");
    sim_market_watch_status(w, 2, 130 * S_NS, "deregistered");
    sim_market_watch_status(w, 2, 130 * S_NS, "moved");
    ck_assert_uint_eq(alarms_count(w), 2);
    sim_market_watch_free(w);
}
END_TEST

/* Agents: sybil providers 0..2, honest providers 3..12, the suspect
 * consumer 13, honest consumers 14..23. 100 honest releases, each
 * honest provider serving several consumers. */
#define SYBIL_AGENTS 24
#define SYBIL_CONSUMER 13

static sim_market_watch *honest_market(void)
{
    sim_market_watch *w = sim_market_watch_new(SYBIL_AGENTS);
    for (uint32_t i = 0; i < 100; i++)
        sim_market_watch_released(w, 3 + i % 10, 14 + (i + i / 10) % 10, (int64_t)i * S_NS);
    ck_assert_uint_eq(alarms_count(w), 0);
    return w;
}

START_TEST(test_sybil_cluster)
{
    sim_market_watch *w = honest_market();
    int64_t t = 200 * S_NS;
    for (uint32_t round = 0; round < 3; round++) {
        for (uint32_t p = 0; p < 3; p++) {
            sim_market_watch_released(w, p, SYBIL_CONSUMER, t++);
            /* the third provider's third release makes the cluster */
            ck_assert_uint_eq(alarms_count(w), round == 2 && p == 2 ? 1 : 0);
        }
    }
    const sim_alarm_record *a = alarm_at(w, 0);
    ck_assert_str_eq(a->kind, "sybil_suspected");
    ck_assert_str_eq(a->subject, "a13");
    ck_assert_int_eq(a->at_ns, t - 1);
    ck_assert_str_eq(a->detail, "3 providers (a0, a1, a2) had 3, 3, 3 jobs released, every one "
                                "paid by a13, which paid 9 of the market's 109 releases");
    /* once per consumer */
    sim_market_watch_released(w, 0, SYBIL_CONSUMER, t++);
    ck_assert_uint_eq(alarms_count(w), 1);
    sim_market_watch_free(w);
}
END_TEST

START_TEST(test_sybil_two_is_not_a_cluster)
{
    sim_market_watch *w = honest_market();
    for (uint32_t round = 0; round < 6; round++)
        for (uint32_t p = 0; p < 2; p++)
            sim_market_watch_released(w, p, SYBIL_CONSUMER, (int64_t)(200 + round) * S_NS);
    ck_assert_uint_eq(alarms_count(w), 0);
    sim_market_watch_free(w);
}
END_TEST

/* The consumer paid 9 of the 12 releases: 3 in a row is likely. */
START_TEST(test_sybil_big_consumer_is_not_suspect)
{
    sim_market_watch *w = sim_market_watch_new(SYBIL_AGENTS);
    for (uint32_t i = 0; i < 3; i++)
        sim_market_watch_released(w, 3 + i, 14 + i, (int64_t)i * S_NS);
    for (uint32_t round = 0; round < 3; round++)
        for (uint32_t p = 0; p < 3; p++)
            sim_market_watch_released(w, p, SYBIL_CONSUMER, (int64_t)(10 + round) * S_NS);
    ck_assert_uint_eq(alarms_count(w), 0);
    sim_market_watch_free(w);
}
END_TEST

/* A provider that served the suspect once and another consumer once is
 * no longer one of its cluster. */
START_TEST(test_sybil_mixed_provider_leaves_cluster)
{
    sim_market_watch *w = honest_market();
    sim_market_watch_released(w, 2, 14, 150 * S_NS);
    for (uint32_t round = 0; round < 5; round++)
        for (uint32_t p = 0; p < 3; p++)
            sim_market_watch_released(w, p, SYBIL_CONSUMER, (int64_t)(200 + round) * S_NS);
    ck_assert_uint_eq(alarms_count(w), 0);
    sim_market_watch_free(w);
}
END_TEST

START_TEST(test_take_alarms)
{
    sim_market_watch *w = sim_market_watch_new(1);
    sim_market_watch_status(w, 0, 5, "suspended");
    GArray *taken = sim_market_watch_take_alarms(w);
    ck_assert_uint_eq(taken->len, 1);
    ck_assert_uint_eq(alarms_count(w), 0);
    sim_alarm_record *a = &g_array_index(taken, sim_alarm_record, 0);
    g_free(a->subject);
    g_free(a->detail);
    g_array_unref(taken);
    sim_market_watch_free(w);
}
END_TEST

static Suite *market_watch_suite(void)
{
    Suite *s = suite_create("market_watch");
    TCase *tc = tcase_create("rules");
    tcase_add_test(tc, test_misbehaving_at_threshold);
    tcase_add_test(tc, test_misbehaving_spread_out);
    tcase_add_test(tc, test_unresponsive);
    tcase_add_test(tc, test_sybil_cluster);
    tcase_add_test(tc, test_sybil_two_is_not_a_cluster);
    tcase_add_test(tc, test_sybil_big_consumer_is_not_suspect);
    tcase_add_test(tc, test_sybil_mixed_provider_leaves_cluster);
    tcase_add_test(tc, test_take_alarms);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(market_watch_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
