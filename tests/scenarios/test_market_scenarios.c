/* The agent job market in whole worlds: what the [expect] targets of
 * scenarios/regression/r52..r58 cannot say, read from the run's agents
 * and jobs tables (sim_world_metrics), each over seeds 1..3 where the
 * claim is statistical:
 *
 *   crash refunds      r53: the hosts of six providers crash for 30 s:
 *                      jobs are refunded by the chain (missed or expired
 *                      outcomes appear), and every job still open at the
 *                      end was posted in the last accept timeout +
 *                      deadline + challenge window (nothing stranded).
 *   partition waits    r54: consumers on the cut side get no job matched
 *                      while they are cut off; no job id is settled twice.
 *   sybil loses        r55: a no-show provider's owner runs 10 more
 *                      identities: together they win no more jobs than
 *                      the busiest honest provider alone, nor twice the
 *                      honest providers' mean, less in the second half
 *                      than in the first, and lose money (earned -
 *                      slashed - fees < 0).
 *   steering away      r57: the wrong-result providers' share of jobs is
 *                      smaller in the second half of the run than in the
 *                      first.
 *   churn rejoins      r56: churned agents leave (status "left") and
 *                      register again after their bond came back.
 *   hosts churn away   r58: one host leaves for good while the other is
 *                      down: every agent ends on a live host, listed
 *                      active (heartbeating), and an agent that moved
 *                      takes jobs after its last move.
 *   determinism        r52, r56 and r58 twice each: the same trace hash. */
#include "scenario_support.h"

#include <string.h>

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

static scen_run *run_seed(const char *name, uint64_t seed)
{
    g_autofree char *text = regression_text(name);
    g_autofree char *set = g_strdup_printf("scenario.seed=%" G_GUINT64_FORMAT, seed);
    const char *overrides[] = {set, NULL};
    return scen_run_text(text, overrides);
}

static const GArray *jobs_of(const scen_run *r)
{
    return sim_world_metrics(r->world)->jobs;
}

static const GArray *agents_of(const scen_run *r)
{
    return sim_world_metrics(r->world)->agents;
}

static guint outcome_count(const scen_run *r, const char *outcome)
{
    const GArray *jobs = jobs_of(r);
    guint n = 0;
    for (guint i = 0; i < jobs->len; i++)
        n += strcmp(g_array_index(jobs, sim_job_record, i).outcome, outcome) == 0;
    return n;
}

START_TEST(crash_refunds_and_nothing_stranded)
{
    scen_run *r = run_seed("r53-market-provider-crash", (uint64_t)_i);
    scen_assert(r, outcome_count(r, "missed") + outcome_count(r, "expired") > 0,
                "no job refunded after the hosts crashed");
    /* accept timeout 10 s + deadline 20 s + challenge window 10 s, and a
     * few blocks for the settling transactions. */
    int64_t open_after = r->sc->duration_ns - SEC(45);
    const GArray *jobs = jobs_of(r);
    for (guint i = 0; i < jobs->len; i++) {
        const sim_job_record *j = &g_array_index(jobs, sim_job_record, i);
        if (strcmp(j->outcome, "open") == 0)
            scen_assert(r, j->posted_ns >= open_after,
                        "job %" G_GUINT64_FORMAT " posted at %.1f s still open at the end", j->id,
                        (double)j->posted_ns / 1e9);
        else
            scen_assert(r, j->settled_ns >= j->posted_ns, "job %" G_GUINT64_FORMAT " unsettled",
                        j->id);
    }
    scen_run_free(r);
}
END_TEST

START_TEST(partition_waits_and_settles_once)
{
    scen_run *r = run_seed("r54-market-partition", (uint64_t)_i);
    const GArray *jobs = jobs_of(r);
    const GArray *agents = agents_of(r);
    g_autoptr(GHashTable) ids = g_hash_table_new(g_int64_hash, g_int64_equal);
    for (guint i = 0; i < jobs->len; i++) {
        const sim_job_record *j = &g_array_index(jobs, sim_job_record, i);
        scen_assert(r, !g_hash_table_contains(ids, &j->id), "job %" G_GUINT64_FORMAT " twice",
                    j->id);
        g_hash_table_add(ids, (gpointer)&j->id);
        /* n6 and n7 are cut off from 30 s to 60 s: what their consumers
         * want then cannot reach the chain before the heal. */
        uint32_t host = g_array_index(agents, sim_agent_record, j->consumer).node;
        bool cut = host == 4 + 6 || host == 4 + 7; /* after v0..v3 */
        if (cut && j->posted_ns >= SEC(31) && j->posted_ns < SEC(59))
            scen_assert(r, j->matched_ns < 0 || j->matched_ns >= SEC(60),
                        "job %" G_GUINT64_FORMAT " of cut-off a%u matched at %.1f s", j->id,
                        j->consumer, (double)j->matched_ns / 1e9);
    }
    scen_run_free(r);
}
END_TEST

/* Jobs matched to `owner`'s identities (or to agents in `set` when owner
 * is UINT32_MAX) and all matched jobs, posted in [from_ns, to_ns). */
static void matched_share(const scen_run *r, uint32_t owner, const bool *set, int64_t from_ns,
                          int64_t to_ns, guint *mine, guint *all)
{
    const GArray *jobs = jobs_of(r), *agents = agents_of(r);
    *mine = *all = 0;
    for (guint i = 0; i < jobs->len; i++) {
        const sim_job_record *j = &g_array_index(jobs, sim_job_record, i);
        if (j->provider == SIM_AGENT_NONE || j->posted_ns < from_ns || j->posted_ns >= to_ns)
            continue;
        (*all)++;
        const sim_agent_record *p = &g_array_index(agents, sim_agent_record, j->provider);
        *mine += owner != UINT32_MAX ? p->owner == owner : set[j->provider];
    }
}

START_TEST(sybil_swarm_loses)
{
    scen_run *r = run_seed("r55-market-sybil", (uint64_t)_i);
    const GArray *agents = agents_of(r);
    guint identities = 0, providers = 0;
    int64_t net = 0;
    for (guint i = 0; i < agents->len; i++) {
        const sim_agent_record *a = &g_array_index(agents, sim_agent_record, i);
        providers += strcmp(a->role, "consumer") != 0;
        if (a->owner != 0)
            continue;
        identities++;
        scen_assert(r, a->money_known, "a%u has no final figures", a->agent);
        net += (int64_t)a->earned - (int64_t)a->slashed - (int64_t)a->fees_paid;
    }
    scen_assert(r, identities == 11, "a0's owner runs %u identities", identities);
    scen_assert(r, net < 0, "a0's owner made %" G_GINT64_FORMAT " with its swarm", net);
    guint mine = 0, all = 0, mine2 = 0, all2 = 0;
    int64_t half = r->sc->duration_ns / 2;
    matched_share(r, 0, NULL, 0, INT64_MAX, &mine, &all);
    /* Its fair share is one owner's: no more than the busiest honest
     * provider won alone, and within twice the honest providers' mean
     * (probation: newcomers compete as one provider, agent_match.h). */
    guint busiest = 0, honest = 0;
    for (guint i = 0; i < agents->len; i++) {
        const sim_agent_record *a = &g_array_index(agents, sim_agent_record, i);
        if (a->owner == 0 || strcmp(a->role, "provider") != 0)
            continue;
        honest++;
        guint won = 0, unused = 0;
        matched_share(r, a->agent, NULL, 0, INT64_MAX, &won, &unused);
        busiest = MAX(busiest, won);
    }
    scen_assert(r, honest + identities == providers, "%u honest providers", honest);
    scen_assert(r, all > 0 && mine <= busiest && (double)mine * honest <= 2.0 * (all - mine),
                "the swarm won %u of %u jobs, the busiest of %u honest providers %u", mine, all,
                honest, busiest);
    matched_share(r, 0, NULL, 0, half, &mine, &all);
    matched_share(r, 0, NULL, half, INT64_MAX, &mine2, &all2);
    scen_assert(r, all > 0 && all2 > 0 && (double)mine2 / all2 < (double)mine / all,
                "the swarm won %u of %u jobs in the first half, %u of %u in the second", mine,
                all, mine2, all2);
    scen_run_free(r);
}
END_TEST

START_TEST(matching_steers_away_from_wrong_results)
{
    scen_run *r = run_seed("r57-market-wrong-result", (uint64_t)_i);
    const GArray *agents = agents_of(r);
    g_autofree bool *wrong = g_new0(bool, agents->len);
    guint count = 0;
    for (guint i = 0; i < agents->len; i++) {
        const sim_agent_record *a = &g_array_index(agents, sim_agent_record, i);
        wrong[i] = strcmp(a->behaviour, "wrong-result") == 0;
        count += wrong[i];
    }
    scen_assert(r, count == 2, "%u wrong-result providers", count);
    int64_t half = r->sc->duration_ns / 2;
    guint mine = 0, all = 0, mine2 = 0, all2 = 0;
    matched_share(r, UINT32_MAX, wrong, 0, half, &mine, &all);
    matched_share(r, UINT32_MAX, wrong, half, INT64_MAX, &mine2, &all2);
    scen_assert(r, mine > 0 && all2 > 0 && (double)mine2 / all2 < (double)mine / all,
                "wrong providers won %u of %u jobs in the first half, %u of %u in the second",
                mine, all, mine2, all2);
    double share = scen_figure(r, "wrong_result_share");
    scen_assert(r, share <= 0.02, "wrong_result_share %.3f", share);
    scen_run_free(r);
}
END_TEST

START_TEST(churned_agents_leave_and_rejoin)
{
    scen_run *r = run_seed("r56-market-churn", (uint64_t)_i);
    const GArray *t = sim_world_metrics(r->world)->agent_transitions;
    guint left = 0, back = 0;
    g_autofree int64_t *retired_at = g_new0(int64_t, agents_of(r)->len);
    for (guint i = 0; i < t->len; i++) {
        const sim_agent_transition_record *x = &g_array_index(t, sim_agent_transition_record, i);
        scen_assert(r, x->agent >= 10 || strcmp(x->status, "left") != 0,
                    "a%u left, and it does not churn", x->agent);
        left += strcmp(x->status, "left") == 0;
        if (strcmp(x->status, "retired") == 0)
            retired_at[x->agent] = x->at_ns;
        else if (strcmp(x->status, "active") == 0 && retired_at[x->agent] > 0)
            back++;
    }
    scen_assert(r, left > 0 && back > 0, "%u agents left, %u came back", left, back);
    scen_run_free(r);
}
END_TEST

/* The statuses the registry reports (the world's own are "left" and
 * "moved"). */
static bool registry_status(const char *status)
{
    return strcmp(status, "left") != 0 && strcmp(status, "moved") != 0;
}

/* Agent k took a job after after_ns: matched as its provider, or posted
 * by it as consumer and matched. */
static bool took_job_after(const scen_run *r, uint32_t k, int64_t after_ns)
{
    const GArray *jobs = jobs_of(r);
    for (guint i = 0; i < jobs->len; i++) {
        const sim_job_record *j = &g_array_index(jobs, sim_job_record, i);
        if (j->matched_ns > after_ns && (j->provider == k || j->consumer == k))
            return true;
    }
    return false;
}

START_TEST(agents_leave_departed_hosts)
{
    scen_run *r = run_seed("r58-market-host-churn", (uint64_t)_i);
    const GArray *agents = agents_of(r);
    const GArray *t = sim_world_metrics(r->world)->agent_transitions;
    guint moved_count = 0;
    for (guint k = 0; k < agents->len; k++) {
        const sim_agent_record *a = &g_array_index(agents, sim_agent_record, k);
        int64_t moved_ns = -1;
        const char *last = NULL;
        for (guint i = 0; i < t->len; i++) {
            const sim_agent_transition_record *x =
                &g_array_index(t, sim_agent_transition_record, i);
            if (x->agent != k)
                continue;
            if (strcmp(x->status, "moved") == 0)
                moved_ns = x->at_ns;
            else if (registry_status(x->status))
                last = x->status;
        }
        scen_assert(r, sim_world_node_up(r->world, a->node), "a%u ends on node %u, which is down",
                    k, a->node);
        scen_assert(r, last != NULL && strcmp(last, "active") == 0,
                    "a%u ends %s, not active (on node %u)", k, last != NULL ? last : "unlisted",
                    a->node);
        if (!sim_world_node_up(r->world, sim_scenario_agent_host(r->sc, k)))
            scen_assert(r, moved_ns >= 0, "a%u never left its departed host", k);
        if (moved_ns < 0)
            continue;
        moved_count++;
        scen_assert(r, took_job_after(r, k, moved_ns), "a%u took no job after its move at %.1f s",
                    k, (double)moved_ns / 1e9);
    }
    scen_assert(r, moved_count > 0, "no agent moved");
    scen_run_free(r);
}
END_TEST

/* r52 (no faults), r56 (agent churn, its own stream) and r58 (node and
 * agent churn, agents moving) twice each. */
START_TEST(same_market_same_trace)
{
    static const char *const names[] = {"r52-market-steady", "r56-market-churn",
                                        "r58-market-host-churn"};
    char hex[2][2 * PROTO_HASH_SIZE + 1];
    for (int k = 0; k < 2; k++) {
        scen_run *r = run_seed(names[_i], 1);
        sim_world_trace_hash(r->world, hex[k]);
        scen_run_free(r);
    }
    ck_assert_msg(strcmp(hex[0], hex[1]) == 0, "%s: trace %s, then %s", names[_i], hex[0],
                  hex[1]);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("market_scenarios");
    TCase *tc = tcase_create("market");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, crash_refunds_and_nothing_stranded, 1, 4);
    tcase_add_loop_test(tc, partition_waits_and_settles_once, 1, 4);
    tcase_add_loop_test(tc, sybil_swarm_loses, 1, 4);
    tcase_add_loop_test(tc, matching_steers_away_from_wrong_results, 1, 4);
    tcase_add_loop_test(tc, churned_agents_leave_and_rejoin, 1, 4);
    tcase_add_loop_test(tc, agents_leave_departed_hosts, 1, 4);
    tcase_add_loop_test(tc, same_market_same_trace, 0, 3);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
