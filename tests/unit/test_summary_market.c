/* Unit tests for the summary's market sections (reports/summary_jobs.c,
 * summary_disputes.c): the Jobs section is checked on figures and rows
 * the market observer (sim/check/market_obs.c) made from a hand-made
 * market, and left out of a run without agents; the Disputes section
 * likewise from disputes fed to the observer as chain events, and left
 * out of a run without the disputes module and disputes. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/chain/txmsg_disputes.h"
#include "protocol/modules/disputes/disputes.h"
#include "reports/summary.h"
#include "sim/check/market_obs.h"
#include "sim/figures/figures.h"
#include "support/summary_fixture.h"

#define S_NS ((int64_t)1000000000)

static void test_add_market(sim_metrics *m)
{
    static const char *const caps[] = {"llm-7b"};
    sim_market_obs *mo = sim_market_obs_new(3, caps, 1, 0.00001);
    sim_market_obs_agent(mo, 0, "provider", 0, 0, 0, "honest");
    sim_market_obs_agent(mo, 1, "provider", 1, 0, 1, "no-show");
    sim_market_obs_agent(mo, 2, "consumer", 1, SIM_AGENT_NONE, 2, "honest");
    for (uint32_t a = 0; a < 3; a++)
        sim_market_obs_agent_status(mo, a, 0, "registered");
    sim_market_obs_active(mo, 0, 2);
    sim_market_obs_active(mo, S_NS, 3);
    for (uint64_t j = 1; j <= 5; j++)
        sim_market_obs_job_posted(mo, j, 2, 0, (int64_t)(j - 1) * S_NS, 1.0);
    sim_market_obs_job_matched(mo, 1, 0, S_NS, 1000);
    sim_market_obs_job_matched(mo, 2, 1, 2 * S_NS, 1000);
    sim_market_obs_job_matched(mo, 3, 0, 3 * S_NS, 1000);
    sim_market_obs_job_matched(mo, 4, 1, 3 * S_NS + S_NS / 2, 1000);
    sim_market_obs_job_settled(mo, 2, 4 * S_NS, SIM_JOB_COMPLETED, 0);
    sim_market_obs_job_settled(mo, 1, 5 * S_NS, SIM_JOB_COMPLETED, 200);
    sim_market_obs_job_settled(mo, 4, 6 * S_NS, SIM_JOB_RELEASED_WRONG, 0);
    sim_market_obs_agent_status(mo, 1, 7 * S_NS, "suspended");
    sim_market_obs_job_settled(mo, 3, 10 * S_NS, SIM_JOB_MISSED, 0);
    sim_market_obs_agent_money(mo, 0, 10000, 300, 0, 0, 0, 100, 0.9, 1, 1);
    sim_market_obs_agent_money(mo, 1, 10000, 200, 0, 50, 0, 50, 0.4, 2, 0);
    sim_market_obs_agent_money(mo, 2, 0, 0, 2000, 200, 0, 0, NAN, 0, 0);
    sim_market_obs_finish(mo, m);
    sim_market_obs_free(mo);
}

START_TEST(test_jobs_section)
{
    g_autoptr(rep_run_info) info = sf_info();
    sim_metrics *m = sf_metrics();
    sim_alarm_figures(m);
    g_autofree char *none = rep_summary_render(info, m);
    ck_assert(strstr(none, "\nJobs\n") == NULL); /* a run without agents */
    test_add_market(m);
    g_autofree char *text = rep_summary_render(info, m);
    sim_metrics_free(m);
    ck_assert_line(text, "Jobs");
    ck_assert_line(text, "  jobs             5 posted, 2 completed (50.0% of 4 decided)");
    ck_assert_line(text, "  outcomes         open 1, completed 2, released_wrong 1, missed 1");
    ck_assert_line(text, "  job latency      p50 3.000  p99 5.000 (s, posted to completed)");
    ck_assert_line(text, "  match latency    p50 1.000  p99 1.000 (s, posted to matched)");
    ck_assert_line(text,
                   "  cost per job     1,100.0 tokens = $0.011000 per completed job, fees included");
    ck_assert_line(text, "  provider roi     2.000 (200.0%), the mean over 1 honest providers");
    ck_assert_line(text, "                   1.000 (100.0%), the mean over 1 misbehaving providers");
    ck_assert_line(text, "  agents           active max 3, at the end 3   registered 3 of 3");
    ck_assert_line(text, "  wrong results    1 released (33.3% of the released jobs)");
    ck_assert_line(text, "  alarms           agent_unresponsive 1 (table alarms)");
    ck_assert(strstr(text, "\nJobs\n") < strstr(text, "\ntrace hash"));
    sf_assert_fits_80_columns(text);
}
END_TEST

/* Many outcomes wrap under their label; nothing measured shows "-". */
START_TEST(test_jobs_section_wraps_and_dashes)
{
    g_autoptr(rep_run_info) info = sf_info();
    sim_metrics *m = sim_metrics_new();
    static const char *const caps[] = {"llm-7b"};
    sim_market_obs *mo = sim_market_obs_new(2, caps, 1, 0.00001);
    sim_market_obs_agent(mo, 0, "provider", 0, 0, 0, "honest");
    sim_market_obs_agent(mo, 1, "consumer", 0, SIM_AGENT_NONE, 1, "honest");
    for (int o = 0; o < SIM_JOB_OUTCOME_COUNT; o++) { /* every outcome but completed */
        if (o == SIM_JOB_COMPLETED)
            continue;
        sim_market_obs_job_posted(mo, (uint64_t)o, 1, 0, 0, 1.0);
        if (o == SIM_JOB_RELEASED_WRONG || o == SIM_JOB_REJECTED || o == SIM_JOB_MISSED ||
            o == SIM_JOB_SPLIT)
            sim_market_obs_job_matched(mo, (uint64_t)o, 0, S_NS, 10);
        if (o != SIM_JOB_OPEN)
            sim_market_obs_job_settled(mo, (uint64_t)o, 2 * S_NS, (sim_job_outcome)o, 0);
    }
    sim_market_obs_finish(mo, m);
    sim_market_obs_free(mo);
    g_autofree char *text = rep_summary_render(info, m);
    sim_metrics_free(m);
    ck_assert_line(text, "  jobs             9 posted, 0 completed (0.0% of 8 decided)");
    ck_assert_line(text,
                   "  outcomes         open 1, unmatched 1, released_wrong 1, rejected 1, missed 1,");
    ck_assert_line(text, "                   expired 1, declined 1, cancelled 1, split 1");
    ck_assert_line(text, "  job latency      p50 -  p99 - (s, posted to completed)");
    ck_assert_line(text, "  match latency    p50 1.000  p99 1.000 (s, posted to matched)");
    ck_assert_line(text, "  cost per job     - (no job completed)");
    ck_assert_line(text, "  provider roi     - (-), the mean over 0 honest providers");
    ck_assert_line(text, "  wrong results    1 released (100.0% of the released jobs)");
    ck_assert_line(text, "  alarms           none");
    sf_assert_fits_80_columns(text);
}
END_TEST

/* ---- the disputes ---- */

static void test_dispute_step(sim_market_obs *mo, uint64_t job, int64_t t_s,
                              proto_dispute_step step, uint32_t round, uint8_t ruling,
                              bool result_wrong)
{
    proto_event ev = {.kind = PROTO_EV_DISPUTE,
                      .job = job,
                      .status = step,
                      .depth = round,
                      .prev_status = ruling};
    sim_market_obs_dispute(mo, &ev, t_s * S_NS, result_wrong);
}

/* Four jobs, three disputed, through the real producer:
 *   1 wrong result, undefended: consumer at 30 s (opened 10)   tier 0, 20 s
 *   2 right result, verdict provider at 40 s (opened 12)       tier 1, 28 s
 *   3 wrong result, panel provider at 80 s (opened 14)         tier 2, 66 s, wrongful
 * (module_active: the chain ran the module; without disputes = none of them). */
static void test_add_disputes(sim_metrics *m, bool module_active, bool with_disputes)
{
    static const char *const caps[] = {"llm-7b"};
    sim_market_obs *mo = sim_market_obs_new(2, caps, 1, 0.00001);
    sim_market_obs_agent(mo, 0, "provider", 0, 0, 0, "honest");
    sim_market_obs_agent(mo, 1, "consumer", 0, SIM_AGENT_NONE, 1, "honest");
    if (module_active)
        sim_market_obs_disputes_active(mo);
    for (uint64_t j = 1; j <= 4; j++) {
        sim_market_obs_job_posted(mo, j, 1, 0, (int64_t)j * S_NS, 1.0);
        sim_market_obs_job_matched(mo, j, 0, (int64_t)(j + 1) * S_NS, 100);
    }
    if (with_disputes) {
        test_dispute_step(mo, 1, 10, PROTO_DISPUTE_OPENED, 0, 0, true);
        test_dispute_step(mo, 2, 12, PROTO_DISPUTE_OPENED, 0, 0, false);
        test_dispute_step(mo, 2, 13, PROTO_DISPUTE_DEFENDED, 0, 0, false);
        test_dispute_step(mo, 2, 13, PROTO_DISPUTE_ROUND, 0, 0, false);
        test_dispute_step(mo, 3, 14, PROTO_DISPUTE_OPENED, 0, 0, true);
        test_dispute_step(mo, 3, 15, PROTO_DISPUTE_DEFENDED, 0, 0, true);
        test_dispute_step(mo, 3, 15, PROTO_DISPUTE_ROUND, 1, 0, true);
        test_dispute_step(mo, 1, 30, PROTO_DISPUTE_SETTLED, 0, PROTO_RULING_CONSUMER, true);
        test_dispute_step(mo, 2, 40, PROTO_DISPUTE_SETTLED, 0, PROTO_RULING_PROVIDER, false);
        test_dispute_step(mo, 3, 80, PROTO_DISPUTE_SETTLED, 1, PROTO_RULING_PROVIDER, true);
    }
    sim_market_obs_finish(mo, m);
    sim_market_obs_free(mo);
}

START_TEST(test_disputes_section)
{
    g_autoptr(rep_run_info) info = sf_info();
    sim_metrics *m = sf_metrics();
    test_add_disputes(m, true, true);
    g_autofree char *text = rep_summary_render(info, m);
    sim_metrics_free(m);
    ck_assert_line(text, "Disputes");
    ck_assert_line(text, "  disputes         3 opened (75.0% of jobs posted), 3 resolved, "
                         "0 still open");
    ck_assert_line(text, "  tiers            default 1, re-execution 1, panel 1 (resolved)");
    ck_assert_line(text, "  rulings          consumer 1, provider 2");
    ck_assert_line(text, "  wrongful         1 of 3 resolved (the ruling against the truth)");
    ck_assert_line(text, "  overturned       50.0% of the resolved disputes over a wrong result");
    ck_assert_line(text, "  dispute latency  p50 28.000  p99 66.000 (s, opened to resolved)");
    ck_assert(strstr(text, "\nJobs\n") < strstr(text, "\nDisputes\n"));
    ck_assert(strstr(text, "\nDisputes\n") < strstr(text, "\ntrace hash"));
    sf_assert_fits_80_columns(text);
}
END_TEST

/* The module without a dispute: the section says so; neither the module
 * nor a dispute: no section. */
START_TEST(test_disputes_section_only_when_relevant)
{
    g_autoptr(rep_run_info) info = sf_info();
    sim_metrics *m = sf_metrics();
    test_add_disputes(m, true, false);
    g_autofree char *quiet = rep_summary_render(info, m);
    sim_metrics_free(m);
    ck_assert_line(quiet, "  disputes         0 opened (0.0% of jobs posted), 0 resolved, "
                          "0 still open");
    ck_assert_line(quiet, "  rulings          none");
    ck_assert_line(quiet, "  overturned       - (no resolved dispute over a wrong result)");
    ck_assert_line(quiet, "  dispute latency  p50 -  p99 - (s, opened to resolved)");
    m = sf_metrics();
    test_add_disputes(m, false, false);
    g_autofree char *none = rep_summary_render(info, m);
    sim_metrics_free(m);
    ck_assert(strstr(none, "\nJobs\n") != NULL);
    ck_assert(strstr(none, "Disputes") == NULL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("summary_market");
    TCase *tc = tcase_create("render");
    tcase_add_test(tc, test_jobs_section);
    tcase_add_test(tc, test_jobs_section_wraps_and_dashes);
    tcase_add_test(tc, test_disputes_section);
    tcase_add_test(tc, test_disputes_section_only_when_relevant);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
