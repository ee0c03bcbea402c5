/* Unit tests for the agent market observer (sim/check/market_obs.c),
 * driven directly through its recording API as the world will drive it.
 *
 * One hand-computed market: eight jobs with every kind of ending, seven
 * agents with final figures (one a juror with a stake) and two without,
 * three samples of the active count. The figures are checked against
 * values worked out by hand in the comments (completion rate over
 * decided jobs, nearest-rank percentiles, cost per job with fees and in
 * USD, provider ROI with slashes, fees and dispute money, sybils,
 * jurors and unreported providers left out); the rows
 * it hands the metrics (agents by index, jobs in posting order,
 * transitions sorted by time); the watchdog's alarm merged into the
 * run's alarms by time and counted; and the database written from them
 * (NULL where a time never happened or figures were never reported). A
 * market that saw nothing adds nothing. */
#include <check.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/modules/disputes/disputes.h"
#include "reports/db.h"
#include "sim/check/market_obs.h"
#include "sim/figures/figures.h"
#include "support/tmpdir.h"

#define S_NS 1000000000LL

static const char *const test_capabilities[] = {"llm-7b", "image"};

/* a0 a1 a2 a6 a7 providers, a3 a4 consumers, a5 a sybil provider owned
 * by a4, a8 a (lazy) verifier. a7 never reports its final figures; a6's
 * costs are 0. */
static void test_agents(sim_market_obs *mo)
{
    sim_market_obs_agent(mo, 0, "provider", 10, 0, 0, "honest");
    sim_market_obs_agent(mo, 1, "provider", 11, 0, 1, "honest");
    sim_market_obs_agent(mo, 2, "provider", 12, 1, 2, "no-show");
    sim_market_obs_agent(mo, 3, "consumer", 10, SIM_AGENT_NONE, 3, "honest");
    sim_market_obs_agent(mo, 4, "consumer", 11, SIM_AGENT_NONE, 4, "honest");
    sim_market_obs_agent(mo, 5, "sybil", 12, 0, 4, "sybil");
    sim_market_obs_agent(mo, 6, "provider", 13, 1, 6, "honest");
    sim_market_obs_agent(mo, 7, "provider", 13, 1, 7, "honest");
    sim_market_obs_agent(mo, 8, "verifier", 14, SIM_AGENT_NONE, 8, "lazy");
    for (uint32_t a = 0; a < 5; a++)
        sim_market_obs_agent_status(mo, a, (int64_t)a * S_NS, "registered");
    /* out of time order: the table sorts, equal times keep call order */
    sim_market_obs_agent_status(mo, 6, 25 * S_NS, "suspended");
    sim_market_obs_agent_status(mo, 1, 5 * S_NS, "active");
    sim_market_obs_agent_status(mo, 0, 5 * S_NS, "active");
    sim_market_obs_agent_status(mo, 4, 90 * S_NS, "left");
    sim_market_obs_active(mo, 1 * S_NS, 3);
    sim_market_obs_active(mo, 10 * S_NS, 5);
    sim_market_obs_active(mo, 20 * S_NS, 4);
}

/* Eight jobs; cost = price + fee of a completed one:
 *   1 a3->a0 posted 10 matched 11   settled 20 completed  100+10 = 110
 *   2 a3->a1 posted 12 matched 14   settled 30 completed  200+20 = 220
 *   3 a4->a0 posted 13 matched 13.5 settled 40 completed  150+30 = 180
 *   4 a4->a1 posted 14 matched 20   settled 35 released_wrong
 *   5 a3->a2 posted 15 matched 16   settled 80 missed
 *   6 a4     posted 16              settled 46 expired
 *   7 a3     posted 17              settled 17 unmatched
 *   8 a4     posted 50              open at the end */
static void test_jobs(sim_market_obs *mo)
{
    sim_market_obs_job_posted(mo, 1, 3, 0, 10 * S_NS, 1.5);
    sim_market_obs_job_posted(mo, 2, 3, 0, 12 * S_NS, 2.0);
    sim_market_obs_job_posted(mo, 3, 4, 0, 13 * S_NS, 0.5);
    sim_market_obs_job_posted(mo, 4, 4, 0, 14 * S_NS, 1.0);
    sim_market_obs_job_posted(mo, 5, 3, 1, 15 * S_NS, 3.0);
    sim_market_obs_job_posted(mo, 6, 4, 1, 16 * S_NS, 1.0);
    sim_market_obs_job_posted(mo, 7, 3, 1, 17 * S_NS, 1.0);
    sim_market_obs_job_matched(mo, 1, 0, 11 * S_NS, 100);
    sim_market_obs_job_matched(mo, 2, 1, 14 * S_NS, 200);
    sim_market_obs_job_matched(mo, 3, 0, 13 * S_NS + S_NS / 2, 150);
    sim_market_obs_job_matched(mo, 4, 1, 20 * S_NS, 100);
    sim_market_obs_job_matched(mo, 5, 2, 16 * S_NS, 300);
    sim_market_obs_job_delivered(mo, 1, 15 * S_NS, true);
    sim_market_obs_job_delivered(mo, 2, 18 * S_NS, true);
    sim_market_obs_job_delivered(mo, 3, 25 * S_NS, true);
    sim_market_obs_job_delivered(mo, 4, 30 * S_NS, false);
    sim_market_obs_job_settled(mo, 7, 17 * S_NS, SIM_JOB_UNMATCHED, 0);
    sim_market_obs_job_gas(mo, 99, 5); /* not a job it knows: ignored */
    sim_market_obs_job_gas(mo, 1, 750);
    sim_market_obs_job_settled(mo, 1, 20 * S_NS, SIM_JOB_COMPLETED, 10);
    sim_market_obs_job_gas(mo, 1, 250);
    sim_market_obs_job_gas(mo, 2, 1500);
    sim_market_obs_job_settled(mo, 2, 30 * S_NS, SIM_JOB_COMPLETED, 20);
    sim_market_obs_job_gas(mo, 2, 500);
    sim_market_obs_job_gas(mo, 4, 375);
    sim_market_obs_job_settled(mo, 4, 35 * S_NS, SIM_JOB_RELEASED_WRONG, 5);
    sim_market_obs_job_gas(mo, 4, 125);
    sim_market_obs_job_gas(mo, 3, 2250);
    sim_market_obs_job_settled(mo, 3, 40 * S_NS, SIM_JOB_COMPLETED, 30);
    sim_market_obs_job_gas(mo, 3, 750);
    sim_market_obs_job_gas(mo, 6, 150);
    sim_market_obs_job_settled(mo, 6, 46 * S_NS, SIM_JOB_EXPIRED, 2);
    sim_market_obs_job_gas(mo, 6, 50);
    sim_market_obs_job_posted(mo, 8, 4, 0, 50 * S_NS, 1.0);
    sim_market_obs_job_gas(mo, 5, 525);
    sim_market_obs_job_settled(mo, 5, 80 * S_NS, SIM_JOB_MISSED, 7);
    sim_market_obs_job_gas(mo, 5, 175);
}

/* ROI = (earned - cost - fees - slashed + dispute got - dispute paid) /
 * (cost + fees):
 *   a0 (250 - 100 - 25 - 0 + 55 - 30) / 125 = 6/5 (a dispute won: its
 *      bond 30 paid, 55 back)
 *   a1 (300 - 50 - 10 - 40) / 60  = 10/3
 *   a2 (0 - 20 - 5 - 100) / 25    = -5
 * a5 is a sybil, a6 has no costs, a7 never reported, a8 is a juror: left
 * out. a2 misbehaves: the honest mean is (6/5 + 10/3) / 2 = 34/15, the
 * misbehaving providers' -5. */
static void test_money(sim_market_obs *mo)
{
    sim_market_obs_agent_money(mo, 0, 10000, 250, 0, 25, 0, 100, 0.9, 2, 0);
    sim_market_obs_agent_money(mo, 1, 10000, 300, 0, 10, 40, 50, 0.5, 2, 0);
    sim_market_obs_agent_money(mo, 2, 9900, 0, 0, 5, 100, 20, 0.1, 0, 1);
    sim_market_obs_agent_money(mo, 3, 0, 0, 330, 40, 0, 0, NAN, 0, 0);
    sim_market_obs_agent_money(mo, 4, 0, 0, 250, 37, 0, 0, NAN, 0, 0);
    sim_market_obs_agent_money(mo, 5, 10000, 10, 0, 0, 0, 0, 0.5, 1, 0);
    sim_market_obs_agent_money(mo, 6, 10000, 0, 0, 0, 0, 0, 0.5, 0, 0);
    sim_market_obs_agent_money(mo, 8, 10000, 0, 0, 12, 0, 40, 0, 0, 0);
    sim_market_obs_agent_disputes(mo, 0, 30, 55, false, 0);
    sim_market_obs_agent_disputes(mo, 3, 30, 0, false, 0);
    sim_market_obs_agent_disputes(mo, 8, 0, 7, true, 4500);
}

static sim_market_obs *test_market(void)
{
    sim_market_obs *mo = sim_market_obs_new(9, test_capabilities, 2, 0.001);
    test_agents(mo);
    test_jobs(mo);
    test_money(mo);
    return mo;
}

/* The market finished into metrics that already hold a spam alarm at 30 s. */
static sim_metrics *test_finished(void)
{
    sim_metrics *m = sim_metrics_new();
    sim_alarm_record spam = {.at_ns = 30 * S_NS,
                             .kind = "spam",
                             .subject = g_strdup("v1"),
                             .detail = g_strdup("a spam alarm")};
    g_array_append_val(m->alarms, spam);
    sim_alarm_figures(m);
    sim_market_obs *mo = test_market();
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

START_TEST(test_outcome_names)
{
    static const char *const want[] = {"open",           "unmatched", "completed",
                                       "released_wrong", "rejected",  "missed",
                                       "expired",        "declined",  "cancelled",
                                       "split"};
    ck_assert_int_eq(G_N_ELEMENTS(want), SIM_JOB_OUTCOME_COUNT);
    for (int o = 0; o < SIM_JOB_OUTCOME_COUNT; o++)
        ck_assert_str_eq(sim_job_outcome_name((sim_job_outcome)o), want[o]);
}
END_TEST

START_TEST(test_job_figures)
{
    sim_metrics *m = test_finished();
    assert_figure(m, "jobs_posted", 8);
    assert_figure(m, "jobs_completed", 3);
    assert_figure(m, "jobs_open_end", 1);
    assert_figure(m, "jobs_unmatched", 1);
    assert_figure(m, "jobs.completed", 3);
    assert_figure(m, "jobs.released_wrong", 1);
    assert_figure(m, "jobs.missed", 1);
    assert_figure(m, "jobs.expired", 1);
    assert_figure(m, "jobs.rejected", 0);
    assert_figure(m, "jobs.cancelled", 0);
    /* decided = 8 - 1 open */
    assert_figure(m, "job_completion_rate", 3.0 / 7.0);
    /* posted -> settled of completed jobs: 10, 18, 27 s; nearest rank:
     * p50 is the 2nd, p99 the 3rd */
    assert_figure(m, "job_latency_p50_s", 18);
    assert_figure(m, "job_latency_p99_s", 27);
    /* posted -> matched: 0.5, 1, 1, 2, 6 s: the 3rd and the 5th */
    assert_figure(m, "match_latency_p50_s", 1);
    assert_figure(m, "match_latency_p99_s", 6);
    /* (110 + 220 + 180) / 3, at 0.001 USD a unit */
    assert_figure(m, "cost_per_job_mean", 170);
    assert_figure(m, "cost_per_job_usd", 0.17);
    assert_figure(m, "jobs_wrong_released", 1);
    assert_figure(m, "wrong_result_share", 0.25);
    assert_figure(m, "dispute_rate", 0);
    assert_figure(m, "disputes_wrongful", 0);
    sim_metrics_free(m);
}
END_TEST

START_TEST(test_agent_figures)
{
    sim_metrics *m = test_finished();
    assert_figure(m, "agents_active_max", 5);
    assert_figure(m, "agents_active_final", 4);
    assert_figure(m, "agents_registered", 5);
    assert_figure(m, "provider_roi_mean", (6.0 / 5.0 + 10.0 / 3.0) / 2.0);
    assert_figure(m, "provider_roi_faulty_mean", -5.0);
    ck_assert_uint_eq(m->agents->len, 9);
    const sim_agent_record *a1 = &g_array_index(m->agents, sim_agent_record, 1);
    assert_figure(m, "provider_roi_mean", 34.0 / 15.0);
    ck_assert(fabs(a1->roi - 10.0 / 3.0) < 1e-12);
    const sim_agent_record *a0 = &g_array_index(m->agents, sim_agent_record, 0);
    ck_assert(fabs(a0->roi - 6.0 / 5.0) < 1e-12);
    ck_assert_uint_eq(a0->dispute_paid, 30);
    ck_assert_uint_eq(a0->dispute_got, 55);
    ck_assert(!a0->stake_known);
    const sim_agent_record *a8 = &g_array_index(m->agents, sim_agent_record, 8);
    ck_assert_str_eq(a8->role, "verifier");
    ck_assert(a8->stake_known);
    ck_assert_uint_eq(a8->stake, 4500);
    ck_assert_uint_eq(a8->dispute_got, 7);
    /* consumers, the sybil, no costs, never reported, a juror */
    for (uint32_t i = 3; i < 9; i++)
        ck_assert_msg(isnan(g_array_index(m->agents, sim_agent_record, i).roi), "a%u", i);
    sim_metrics_free(m);
}
END_TEST

/* A dispute opened counts over the jobs posted (tests/unit/test_dispute_obs.c
 * has the rest of the disputes). */
START_TEST(test_dispute_rate)
{
    sim_metrics *m = sim_metrics_new();
    sim_market_obs *mo = test_market();
    proto_event opened = {.kind = PROTO_EV_DISPUTE, .job = 2, .status = PROTO_DISPUTE_OPENED};
    sim_market_obs_dispute(mo, &opened, 31 * S_NS, false);
    sim_market_obs_finish(mo, m);
    sim_market_obs_free(mo);
    assert_figure(m, "dispute_rate", 1.0 / 8.0);
    assert_figure(m, "disputes_opened", 1);
    ck_assert(g_array_index(m->jobs, sim_job_record, 1).disputed);
    sim_metrics_free(m);
}
END_TEST

START_TEST(test_rows)
{
    sim_metrics *m = test_finished();
    const sim_agent_record *a0 = &g_array_index(m->agents, sim_agent_record, 0);
    ck_assert_str_eq(a0->role, "provider");
    ck_assert_str_eq(a0->capability, "llm-7b");
    ck_assert_str_eq(a0->status, "active");
    ck_assert_int_eq(a0->registered_ns, 0);
    ck_assert_int_eq(a0->left_ns, -1);
    const sim_agent_record *a4 = &g_array_index(m->agents, sim_agent_record, 4);
    ck_assert_int_eq(a4->left_ns, 90 * S_NS);
    ck_assert_ptr_null(a4->capability);
    const sim_agent_record *a5 = &g_array_index(m->agents, sim_agent_record, 5);
    ck_assert_uint_eq(a5->owner, 4);
    ck_assert_str_eq(a5->behaviour, "sybil");
    ck_assert(!g_array_index(m->agents, sim_agent_record, 7).money_known);
    /* jobs in posting order, outcome names filled in */
    ck_assert_uint_eq(m->jobs->len, 8);
    for (guint i = 0; i < m->jobs->len; i++)
        ck_assert_uint_eq(g_array_index(m->jobs, sim_job_record, i).id, i + 1);
    const sim_job_record *j4 = &g_array_index(m->jobs, sim_job_record, 3);
    ck_assert_str_eq(j4->outcome, "released_wrong");
    ck_assert(!j4->correct);
    const sim_job_record *j6 = &g_array_index(m->jobs, sim_job_record, 5);
    ck_assert_str_eq(j6->outcome, "expired");
    ck_assert_str_eq(j6->capability, "image");
    ck_assert_uint_eq(j6->provider, SIM_AGENT_NONE);
    ck_assert_int_eq(j6->matched_ns, -1);
    const sim_job_record *j8 = &g_array_index(m->jobs, sim_job_record, 7);
    ck_assert_str_eq(j8->outcome, "open");
    ck_assert_int_eq(j8->settled_ns, -1);
    /* transitions by time, equal times in call order */
    ck_assert_uint_eq(m->agent_transitions->len, 9);
    static const int64_t at_s[] = {0, 1, 2, 3, 4, 5, 5, 25, 90};
    static const uint32_t agent[] = {0, 1, 2, 3, 4, 1, 0, 6, 4};
    for (guint i = 0; i < m->agent_transitions->len; i++) {
        const sim_agent_transition_record *t =
            &g_array_index(m->agent_transitions, sim_agent_transition_record, i);
        ck_assert_int_eq(t->at_ns, at_s[i] * S_NS);
        ck_assert_uint_eq(t->agent, agent[i]);
    }
    sim_metrics_free(m);
}
END_TEST

/* a6's suspension (25 s) goes before the run's spam alarm (30 s); the
 * alarm figures count both. */
START_TEST(test_alarms_merged)
{
    sim_metrics *m = test_finished();
    ck_assert_uint_eq(m->alarms->len, 2);
    const sim_alarm_record *first = &g_array_index(m->alarms, sim_alarm_record, 0);
    ck_assert_str_eq(first->kind, "agent_unresponsive");
    ck_assert_str_eq(first->subject, "a6");
    ck_assert_int_eq(first->at_ns, 25 * S_NS);
    ck_assert_str_eq(g_array_index(m->alarms, sim_alarm_record, 1).kind, "spam");
    assert_figure(m, "alarms_count", 2);
    assert_figure(m, "alarms.agent_unresponsive", 1);
    assert_figure(m, "alarms.spam", 1);
    sim_metrics_free(m);
}
END_TEST

/* No agent and no job: no rows, no figures. */
START_TEST(test_empty_market_adds_nothing)
{
    sim_metrics *m = sim_metrics_new();
    sim_market_obs *mo = sim_market_obs_new(4, test_capabilities, 2, 0.001);
    sim_market_obs_finish(mo, m);
    sim_market_obs_free(mo);
    ck_assert_uint_eq(m->agents->len + m->jobs->len + m->agent_transitions->len, 0);
    ck_assert_uint_eq(m->figures->len, 0);
    sim_metrics_free(m);
}
END_TEST

/* Agents but nothing decided and nothing completed: the ratios and
 * latencies are left out rather than 0. */
START_TEST(test_nothing_decided)
{
    sim_metrics *m = sim_metrics_new();
    sim_market_obs *mo = sim_market_obs_new(2, test_capabilities, 2, 0.001);
    sim_market_obs_agent(mo, 0, "provider", 0, 0, 0, "honest");
    sim_market_obs_agent(mo, 1, "consumer", 0, SIM_AGENT_NONE, 1, "honest");
    sim_market_obs_job_posted(mo, 1, 1, 0, S_NS, 1.0);
    sim_market_obs_finish(mo, m);
    sim_market_obs_free(mo);
    assert_figure(m, "jobs_posted", 1);
    assert_figure(m, "jobs_open_end", 1);
    assert_figure(m, "dispute_rate", 0);
    static const char *const absent[] = {
        "job_completion_rate", "job_latency_p50_s", "match_latency_p99_s", "cost_per_job_mean",
        "cost_per_job_usd",    "provider_roi_mean", "wrong_result_share"};
    for (size_t i = 0; i < G_N_ELEMENTS(absent); i++)
        ck_assert_msg(isnan(sim_metrics_get(m, absent[i], NAN)), "%s is set", absent[i]);
    sim_metrics_free(m);
}
END_TEST

/* ---- the database ---- */

static char *test_sql_text(sqlite3 *sql, const char *query)
{
    sqlite3_stmt *st = NULL;
    ck_assert_msg(sqlite3_prepare_v2(sql, query, -1, &st, NULL) == SQLITE_OK, "%s: %s", query,
                  sqlite3_errmsg(sql));
    ck_assert_msg(sqlite3_step(st) == SQLITE_ROW, "no row: %s", query);
    const unsigned char *text = sqlite3_column_text(st, 0);
    char *copy = g_strdup(text != NULL ? (const char *)text : "<null>");
    sqlite3_finalize(st);
    return copy;
}

static void assert_sql(sqlite3 *sql, const char *query, const char *want)
{
    g_autofree char *got = test_sql_text(sql, query);
    ck_assert_msg(strcmp(got, want) == 0, "%s: got '%s', want '%s'", query, got, want);
}

/* The schema the outputs promise, and the rows of the market as the
 * database holds them. */
START_TEST(test_database)
{
    g_autofree char *dir = g_dir_make_tmp("test_market_obs_XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "results.sqlite", NULL);
    rep_run_info *info = rep_run_info_new();
    for (uint32_t i = 0; i < 14; i++) {
        g_autofree char *name = g_strdup_printf("%s%u", i < 10 ? "v" : "n", i < 10 ? i : i - 10);
        rep_run_info_add_node(info, name);
    }
    sim_metrics *m = test_finished();
    rep_db *db = NULL;
    GError *error = NULL;
    ck_assert_msg(rep_db_begin(path, info, &db, &error), "%s", error ? error->message : "");
    ck_assert_msg(rep_db_write_results(db, info, m, &error), "%s", error ? error->message : "");
    rep_db_close(db);
    sqlite3 *sql = NULL;
    ck_assert_int_eq(sqlite3_open_v2(path, &sql, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    static const char *const schemas[][2] = {
        {"agents", "run_id agent role node capability registered_ns left_ns bond reputation "
                   "jobs_done jobs_failed earned spent slashed owner behaviour fees_paid "
                   "operating_cost roi status dispute_paid dispute_got stake"},
        {"jobs", "run_id id consumer provider capability posted_ns matched_ns delivered_ns "
                 "settled_ns outcome price fee_paid gas_used disputed correct work_s"},
        {"agent_transitions", "run_id at_ns agent status"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(schemas); i++) {
        g_autofree char *q = g_strdup_printf(
            "SELECT group_concat(name, ' ') FROM pragma_table_info('%s')", schemas[i][0]);
        assert_sql(sql, q, schemas[i][1]);
    }
    assert_sql(sql,
               "SELECT agent || ' ' || node || ' ' || capability || ' ' || roi || ' ' || "
               "slashed || ' ' || behaviour FROM agents WHERE agent = 'a2'",
               "a2 n2 image -5.0 100 no-show");
    assert_sql(sql,
               "SELECT count(*) FROM agents WHERE agent = 'a7' AND bond IS NULL AND "
               "earned IS NULL AND roi IS NULL AND registered_ns IS NULL",
               "1");
    assert_sql(sql, "SELECT owner || ' ' || role FROM agents WHERE agent = 'a5'", "a4 sybil");
    /* dispute money with the final figures; a stake for jurors only */
    assert_sql(sql,
               "SELECT dispute_paid || ' ' || dispute_got || ' ' || coalesce(stake, '-') || "
               "' ' || roi FROM agents WHERE agent = 'a0'",
               "30 55 - 1.2");
    assert_sql(sql,
               "SELECT role || ' ' || dispute_got || ' ' || stake || ' ' || "
               "coalesce(roi, '-') FROM agents WHERE agent = 'a8'",
               "verifier 7 4500 -");
    assert_sql(sql,
               "SELECT count(*) FROM agents WHERE agent = 'a7' AND dispute_paid IS NULL AND "
               "dispute_got IS NULL AND stake IS NULL",
               "1");
    assert_sql(sql,
               "SELECT consumer || ' ' || coalesce(provider, '-') || ' ' || "
               "coalesce(matched_ns, '-') || ' ' || settled_ns || ' ' || outcome || ' ' || "
               "coalesce(price, '-') || ' ' || fee_paid FROM jobs WHERE id = 6",
               "a4 - - 46000000000 expired - 2");
    assert_sql(sql,
               "SELECT coalesce(settled_ns, 'open') || ' ' || outcome FROM jobs "
               "WHERE id = 8",
               "open open");
    assert_sql(sql,
               "SELECT correct || ' ' || delivered_ns || ' ' || price FROM jobs "
               "WHERE id = 4",
               "0 30000000000 100");
    assert_sql(sql, "SELECT group_concat(agent, ' ') FROM agent_transitions",
               "a0 a1 a2 a3 a4 a1 a0 a6 a4");
    assert_sql(sql, "SELECT value FROM metrics WHERE name = 'cost_per_job_usd'", "0.17");
    assert_sql(sql, "SELECT kind || ' ' || subject FROM alarms ORDER BY rowid LIMIT 1",
               "agent_unresponsive a6");
    sqlite3_close(sql);
    sim_metrics_free(m);
    rep_run_info_free(info);
    test_remove_tree(dir);
}
END_TEST

static Suite *market_obs_suite(void)
{
    Suite *s = suite_create("market_obs");
    TCase *tc = tcase_create("figures");
    tcase_add_test(tc, test_outcome_names);
    tcase_add_test(tc, test_job_figures);
    tcase_add_test(tc, test_agent_figures);
    tcase_add_test(tc, test_dispute_rate);
    tcase_add_test(tc, test_rows);
    tcase_add_test(tc, test_alarms_merged);
    tcase_add_test(tc, test_empty_market_adds_nothing);
    tcase_add_test(tc, test_nothing_decided);
    tcase_add_test(tc, test_database);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(market_obs_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
