/* Unit tests for the disputes observer (sim/check/dispute_obs.c), fed
 * through the market observer as the world feeds it: jobs through the
 * market's recording API, disputes as synthetic PROTO_EV_DISPUTE events
 * with the simulator's truth about each result.
 *
 * One hand-worked market of eight jobs, six of them disputed, covering
 * every way a dispute ends: a default (tier 0) against a wrong result
 * and against a right one, a tier 1 verdict, a tier 2 panel after a split
 * verdict and an appeal, a panel that refused to rule (NONE), and one
 * still open at the end. The records, the figures (rate, wrongful,
 * overturned share, latencies, tiers, rulings), the `disputes` table of
 * results.sqlite with jobs.disputed, and the [expect] target on
 * dispute_rate are checked against the values worked out in the
 * comments. A run without disputes has no dispute rows and no dispute
 * figures but the two every market run has; a run whose chain runs the
 * module has the counts at 0. */
#include <check.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/chain/txmsg_disputes.h"
#include "protocol/modules/disputes/disputes.h"
#include "reports/db.h"
#include "reports/expect.h"
#include "sim/check/market_obs.h"
#include "sim/figures/figures.h"
#include "support/tmpdir.h"

#define S_NS 1000000000LL

static const char *const test_capabilities[] = {"llm-7b"};

/* Jobs 1..6 disputed, 7 and 8 not. wrong[job] = the result was wrong. */
static const bool test_wrong[9] = {false, true, false, true, false, true, false, false, false};

/* A dispute step on job at t seconds, as agents_market.c passes it: the
 * truth read from what the provider delivered. */
static void step(sim_market_obs *mo, uint64_t job, int64_t t_s, proto_dispute_step s,
                 uint32_t round, uint8_t ruling)
{
    proto_event ev = {.kind = PROTO_EV_DISPUTE,
                      .account = 100,
                      .job = job,
                      .status = s,
                      .depth = round,
                      .prev_status = ruling,
                      .amount = 1000};
    sim_market_obs_dispute(mo, &ev, t_s * S_NS, test_wrong[job]);
}

static void test_jobs(sim_market_obs *mo)
{
    sim_market_obs_agent(mo, 0, "provider", 0, 0, 0, "honest");
    sim_market_obs_agent(mo, 1, "consumer", 0, SIM_AGENT_NONE, 1, "honest");
    for (uint64_t j = 1; j <= 8; j++) {
        sim_market_obs_job_posted(mo, j, 1, 0, (int64_t)j * S_NS, 1.0);
        sim_market_obs_job_matched(mo, j, 0, (int64_t)(j + 1) * S_NS, 100);
        sim_market_obs_job_delivered(mo, j, (int64_t)(j + 10) * S_NS, !test_wrong[j]);
    }
}

/* The disputes (times in s; latency = settled - opened):
 *   job 1 wrong  opened 20, undefended, CONSUMER at 41        tier 0, right,  21 s
 *   job 2 right  opened 22, defended 23, verdict PROVIDER 30,
 *                settled 51                                  tier 1, right,  29 s
 *   job 3 wrong  opened 24, defended 25, verdicts split 30,
 *                panel 1 PROVIDER 60, appealed 65, panel 2
 *                PROVIDER 90, settled 111                    tier 2, wrong,  87 s
 *   job 4 right  opened 26, undefended, CONSUMER at 47        tier 0, wrong,  21 s
 *   job 5 wrong  opened 28, defended 29, no verifier: panel 1
 *                at 29, NONE at 70, settled 80               tier 2, wrong,  52 s
 *   job 6 right  opened 30, defended 31, verifying at the end  tier 1 so far, open
 * Resolved 5; wrongful 3 (jobs 3, 4, 5); tiers 2, 1, 2; rulings consumer
 * 2, provider 2, none 1; of the 3 resolved on a wrong result (1, 3, 5)
 * one was overturned; latencies 21 21 29 52 87: p50 29, p99 87. */
static void test_disputes(sim_market_obs *mo)
{
    step(mo, 1, 20, PROTO_DISPUTE_OPENED, 0, 0);
    step(mo, 2, 22, PROTO_DISPUTE_OPENED, 0, 0);
    step(mo, 2, 23, PROTO_DISPUTE_DEFENDED, 0, 0);
    step(mo, 2, 23, PROTO_DISPUTE_ROUND, 0, 0);
    step(mo, 3, 24, PROTO_DISPUTE_OPENED, 0, 0);
    step(mo, 3, 25, PROTO_DISPUTE_DEFENDED, 0, 0);
    step(mo, 3, 25, PROTO_DISPUTE_ROUND, 0, 0);
    step(mo, 4, 26, PROTO_DISPUTE_OPENED, 0, 0);
    step(mo, 5, 28, PROTO_DISPUTE_OPENED, 0, 0);
    step(mo, 5, 29, PROTO_DISPUTE_DEFENDED, 0, 0);
    step(mo, 5, 29, PROTO_DISPUTE_ROUND, 1, 0);
    step(mo, 2, 30, PROTO_DISPUTE_RULED, 0, PROTO_RULING_PROVIDER);
    step(mo, 3, 30, PROTO_DISPUTE_RULED, 0, PROTO_RULING_NONE);
    step(mo, 3, 30, PROTO_DISPUTE_ROUND, 1, 0);
    step(mo, 6, 30, PROTO_DISPUTE_OPENED, 0, 0);
    step(mo, 6, 31, PROTO_DISPUTE_DEFENDED, 0, 0);
    step(mo, 6, 31, PROTO_DISPUTE_ROUND, 0, 0);
    step(mo, 1, 41, PROTO_DISPUTE_SETTLED, 0, PROTO_RULING_CONSUMER);
    sim_market_obs_job_settled(mo, 1, 41 * S_NS, SIM_JOB_REJECTED, 10);
    step(mo, 4, 47, PROTO_DISPUTE_SETTLED, 0, PROTO_RULING_CONSUMER);
    sim_market_obs_job_settled(mo, 4, 47 * S_NS, SIM_JOB_REJECTED, 10);
    step(mo, 2, 51, PROTO_DISPUTE_SETTLED, 0, PROTO_RULING_PROVIDER);
    sim_market_obs_job_settled(mo, 2, 51 * S_NS, SIM_JOB_COMPLETED, 10);
    step(mo, 3, 60, PROTO_DISPUTE_RULED, 1, PROTO_RULING_PROVIDER);
    step(mo, 3, 65, PROTO_DISPUTE_APPEALED, 1, 0);
    step(mo, 3, 66, PROTO_DISPUTE_ROUND, 2, 0);
    step(mo, 5, 70, PROTO_DISPUTE_RULED, 1, PROTO_RULING_NONE);
    step(mo, 5, 80, PROTO_DISPUTE_SETTLED, 1, PROTO_RULING_NONE);
    sim_market_obs_job_settled(mo, 5, 80 * S_NS, SIM_JOB_REJECTED, 10);
    step(mo, 3, 90, PROTO_DISPUTE_RULED, 2, PROTO_RULING_PROVIDER);
    step(mo, 3, 111, PROTO_DISPUTE_SETTLED, 2, PROTO_RULING_PROVIDER);
    sim_market_obs_job_settled(mo, 3, 111 * S_NS, SIM_JOB_RELEASED_WRONG, 10);
}

static sim_metrics *test_finished(void)
{
    sim_metrics *m = sim_metrics_new();
    sim_market_obs *mo = sim_market_obs_new(2, test_capabilities, 1, 0.001);
    test_jobs(mo);
    test_disputes(mo);
    sim_market_obs_finish(mo, m);
    sim_market_obs_free(mo);
    return m;
}

static void assert_figure(const sim_metrics *m, const char *name, double want)
{
    double got = sim_metrics_get(m, name, NAN);
    ck_assert_msg(fabs(got - want) <= 1e-12 * MAX(1.0, fabs(want)), "%s = %.15g, want %.15g", name,
                  got, want);
}

static const sim_dispute_record *record(const sim_metrics *m, guint i)
{
    ck_assert_uint_lt(i, m->disputes->len);
    return &g_array_index(m->disputes, sim_dispute_record, i);
}

START_TEST(test_records)
{
    sim_metrics *m = test_finished();
    ck_assert_uint_eq(m->disputes->len, 6);
    /* in order of opening */
    for (guint i = 0; i < 6; i++)
        ck_assert_uint_eq(record(m, i)->job_id, i + 1);
    static const struct {
        int64_t opened_s, resolved_s;
        uint32_t tier;
        const char *ruling;
        gboolean correct;
        uint32_t rounds, appeals;
    } want[] = {
        {20, 41, 0, "consumer", TRUE, 0, 0},  {22, 51, 1, "provider", TRUE, 1, 0},
        {24, 111, 2, "provider", FALSE, 3, 1}, {26, 47, 0, "consumer", FALSE, 0, 0},
        {28, 80, 2, "none", FALSE, 2, 0},     {30, -1, 1, NULL, FALSE, 1, 0},
    };
    for (guint i = 0; i < G_N_ELEMENTS(want); i++) {
        const sim_dispute_record *r = record(m, i);
        ck_assert_int_eq(r->opened_ns, want[i].opened_s * S_NS);
        ck_assert_int_eq(r->resolved_ns, want[i].resolved_s < 0 ? -1 : want[i].resolved_s * S_NS);
        ck_assert_msg(r->tier == want[i].tier, "job %u: tier %u", i + 1, r->tier);
        ck_assert_pstr_eq(r->ruling, want[i].ruling);
        ck_assert_msg(r->correct == want[i].correct, "job %u: correct %d", i + 1, r->correct);
        ck_assert_uint_eq(r->rounds, want[i].rounds);
        ck_assert_uint_eq(r->appeals, want[i].appeals);
    }
    /* the jobs disputed, and only those */
    for (guint i = 0; i < m->jobs->len; i++) {
        const sim_job_record *j = &g_array_index(m->jobs, sim_job_record, i);
        ck_assert_msg(!j->disputed == (j->id > 6), "job %" G_GUINT64_FORMAT, j->id);
    }
    sim_metrics_free(m);
}
END_TEST

START_TEST(test_figures)
{
    sim_metrics *m = test_finished();
    assert_figure(m, "jobs_posted", 8);
    assert_figure(m, "dispute_rate", 6.0 / 8.0);
    assert_figure(m, "disputes_opened", 6);
    assert_figure(m, "disputes_resolved", 5);
    assert_figure(m, "disputes_open_end", 1);
    assert_figure(m, "disputes_wrongful", 3);
    assert_figure(m, "disputes_tier0", 2);
    assert_figure(m, "disputes_tier1", 1);
    assert_figure(m, "disputes_tier2", 2);
    assert_figure(m, "disputes.consumer", 2);
    assert_figure(m, "disputes.provider", 2);
    assert_figure(m, "disputes.none", 1);
    assert_figure(m, "disputes_overturned_share", 1.0 / 3.0);
    assert_figure(m, "dispute_latency_p50_s", 29);
    assert_figure(m, "dispute_latency_p99_s", 87);
    /* the job outcomes the settlements gave */
    assert_figure(m, "jobs.rejected", 3);
    assert_figure(m, "jobs.released_wrong", 1);
    sim_metrics_free(m);
}
END_TEST

/* The dispute figures only a run with disputes (or the module) has. */
static const char *const dispute_only[] = {
    "disputes_opened", "disputes_resolved",     "disputes_open_end",
    "disputes_tier0",  "disputes_tier1",        "disputes_tier2",
    "disputes.none",   "disputes.consumer",     "disputes.provider",
    "dispute_latency_p50_s", "dispute_latency_p99_s", "disputes_overturned_share",
};

static sim_metrics *test_without_disputes(bool module_active)
{
    sim_metrics *m = sim_metrics_new();
    sim_market_obs *mo = sim_market_obs_new(2, test_capabilities, 1, 0.001);
    test_jobs(mo);
    if (module_active)
        sim_market_obs_disputes_active(mo);
    sim_market_obs_job_settled(mo, 1, 30 * S_NS, SIM_JOB_COMPLETED, 10);
    sim_market_obs_finish(mo, m);
    sim_market_obs_free(mo);
    return m;
}

/* No module, no dispute: no rows, rate and wrongful 0, nothing else. */
START_TEST(test_no_disputes)
{
    sim_metrics *m = test_without_disputes(false);
    ck_assert_uint_eq(m->disputes->len, 0);
    assert_figure(m, "dispute_rate", 0);
    assert_figure(m, "disputes_wrongful", 0);
    for (size_t i = 0; i < G_N_ELEMENTS(dispute_only); i++)
        ck_assert_msg(isnan(sim_metrics_get(m, dispute_only[i], NAN)), "%s is set",
                      dispute_only[i]);
    for (guint i = 0; i < m->jobs->len; i++)
        ck_assert(!g_array_index(m->jobs, sim_job_record, i).disputed);
    sim_metrics_free(m);
}
END_TEST

/* The module ran and nobody disputed: the counts are there, at 0; the
 * share and the latencies, with nothing to measure, are not. */
START_TEST(test_module_without_disputes)
{
    sim_metrics *m = test_without_disputes(true);
    ck_assert_uint_eq(m->disputes->len, 0);
    for (size_t i = 0; i < 9; i++)
        assert_figure(m, dispute_only[i], 0);
    for (size_t i = 9; i < G_N_ELEMENTS(dispute_only); i++)
        ck_assert_msg(isnan(sim_metrics_get(m, dispute_only[i], NAN)), "%s is set",
                      dispute_only[i]);
    sim_metrics_free(m);
}
END_TEST

/* [expect] max_dispute_rate reads dispute_rate: 0.75 fails 0.5, holds 0.8. */
START_TEST(test_expect_max_dispute_rate)
{
    sim_metrics *m = test_finished();
    sim_scenario sc;
    memset(&sc, 0, sizeof sc);
    sc.expect.has_max_dispute_rate = true;
    static const struct {
        double bound;
        gboolean passed;
    } cases[] = {{0.5, FALSE}, {0.8, TRUE}};
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        sc.expect.max_dispute_rate = cases[i].bound;
        GArray *out = rep_expect_results_new();
        gboolean all = TRUE;
        rep_expect_market(&sc, m, out, &all);
        ck_assert_uint_eq(out->len, 1);
        const rep_expect_result *r = &g_array_index(out, rep_expect_result, 0);
        ck_assert_str_eq(r->key, "max_dispute_rate");
        ck_assert_str_eq(r->actual, "0.75");
        ck_assert_int_eq(r->passed, cases[i].passed);
        ck_assert_int_eq(all, cases[i].passed);
        g_array_unref(out);
    }
    sim_metrics_free(m);
}
END_TEST

/* ---- the database ---- */

static void assert_sql(sqlite3 *sql, const char *query, const char *want)
{
    sqlite3_stmt *st = NULL;
    ck_assert_msg(sqlite3_prepare_v2(sql, query, -1, &st, NULL) == SQLITE_OK, "%s: %s", query,
                  sqlite3_errmsg(sql));
    ck_assert_msg(sqlite3_step(st) == SQLITE_ROW, "no row: %s", query);
    const unsigned char *text = sqlite3_column_text(st, 0);
    g_autofree char *got = g_strdup(text != NULL ? (const char *)text : "<null>");
    sqlite3_finalize(st);
    ck_assert_msg(strcmp(got, want) == 0, "%s: got '%s', want '%s'", query, got, want);
}

START_TEST(test_database)
{
    g_autofree char *dir = g_dir_make_tmp("test_dispute_obs_XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "results.sqlite", NULL);
    rep_run_info *info = rep_run_info_new();
    rep_run_info_add_node(info, "v0");
    sim_metrics *m = test_finished();
    rep_db *db = NULL;
    GError *error = NULL;
    ck_assert_msg(rep_db_begin(path, info, &db, &error), "%s", error ? error->message : "");
    ck_assert_msg(rep_db_write_results(db, info, m, &error), "%s", error ? error->message : "");
    rep_db_close(db);
    sqlite3 *sql = NULL;
    ck_assert_int_eq(sqlite3_open_v2(path, &sql, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_sql(sql, "SELECT group_concat(name, ' ') FROM pragma_table_info('disputes')",
               "run_id job_id opened_ns tier resolved_ns ruling correct rounds appeals");
    assert_sql(sql,
               "SELECT group_concat(job_id || ':' || tier || ':' || coalesce(ruling, '-') || ':' "
               "|| coalesce(correct, '-') || ':' || rounds || ':' || appeals, ' ') FROM disputes",
               "1:0:consumer:1:0:0 2:1:provider:1:1:0 3:2:provider:0:3:1 4:0:consumer:0:0:0 "
               "5:2:none:0:2:0 6:1:-:-:1:0");
    assert_sql(sql,
               "SELECT opened_ns || ' ' || coalesce(resolved_ns, 'open') FROM disputes "
               "WHERE job_id = 6",
               "30000000000 open");
    assert_sql(sql, "SELECT group_concat(id, ' ') FROM jobs WHERE disputed = 1", "1 2 3 4 5 6");
    assert_sql(sql, "SELECT value FROM metrics WHERE name = 'disputes_wrongful'", "3.0");
    sqlite3_close(sql);
    sim_metrics_free(m);
    rep_run_info_free(info);
    test_remove_tree(dir);
}
END_TEST

static Suite *dispute_obs_suite(void)
{
    Suite *s = suite_create("dispute_obs");
    TCase *tc = tcase_create("disputes");
    tcase_add_test(tc, test_records);
    tcase_add_test(tc, test_figures);
    tcase_add_test(tc, test_no_disputes);
    tcase_add_test(tc, test_module_without_disputes);
    tcase_add_test(tc, test_expect_max_dispute_rate);
    tcase_add_test(tc, test_database);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(dispute_obs_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
