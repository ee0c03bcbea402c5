/* Tests for churn (sim/world/churn.c): the Poisson gaps, and what a churn fault
 * does to a small direct-topology world (the mesh's churn runs in
 * tests/scenarios/test_mesh_scenarios.c): leaves take up nodes of the set
 * down, half graceful and half crashes; joins bring back only nodes churn
 * took down, never one a crash fault holds down, as new machines that sync
 * the chain again; counts follow the rates; the run is deterministic and
 * stays safe. */
#include <check.h>
#include <string.h>

#include "sim/engine/rng.h"
#include "sim/scenario/scenario.h"
#include "sim/world/churn.h"
#include "sim/world/world.h"

START_TEST(test_gap_mean_and_bounds)
{
    sim_rng rng;
    sim_rng_init(&rng, 7, "churn/test");
    const int draws = 20000;
    double sum = 0;
    for (int i = 0; i < draws; i++) {
        int64_t gap = sim_churn_gap_ns(&rng, 4.0);
        ck_assert_int_ge(gap, 1);
        sum += (double)gap;
    }
    /* Exponential with mean 250 ms; the sample mean's sd is 250/sqrt(20000) ms. */
    double mean_ms = sum / draws / 1e6;
    ck_assert_msg(mean_ms > 240 && mean_ms < 260, "mean gap %g ms, want 250", mean_ms);
}
END_TEST

START_TEST(test_gap_zero_rate_never_draws)
{
    sim_rng a, b;
    sim_rng_init(&a, 7, "churn/test");
    sim_rng_init(&b, 7, "churn/test");
    ck_assert_int_eq(sim_churn_gap_ns(&a, 0.0), INT64_MAX);
    ck_assert_uint_eq(sim_rng_u64(&a), sim_rng_u64(&b)); /* the stream did not move */
}
END_TEST

START_TEST(test_gap_deterministic)
{
    sim_rng a, b;
    sim_rng_init(&a, 9, "churn/x");
    sim_rng_init(&b, 9, "churn/x");
    for (int i = 0; i < 100; i++)
        ck_assert_int_eq(sim_churn_gap_ns(&a, 0.1), sim_churn_gap_ns(&b, 0.1));
}
END_TEST

START_TEST(test_kind_names)
{
    ck_assert_str_eq(sim_churn_kind_name(SIM_CHURN_JOIN), "join");
    ck_assert_str_eq(sim_churn_kind_name(SIM_CHURN_LEAVE_GRACEFUL), "leave-graceful");
    ck_assert_str_eq(sim_churn_kind_name(SIM_CHURN_LEAVE_CRASH), "leave-crash");
}
END_TEST

/* 4 validators, 10 full nodes n0..n9 (nodes 4..13); churn of n0..n7 at
 * 1/s each way from 5 s to 45 s; n7 is also crashed by a crash fault from
 * 10 s to the end, so churn may take it down before 10 s but never bring
 * it back after. */
static const char *WORLD =
    "[scenario]\nseed = %u\nduration = 60s\n"
    "[network]\nvalidators = 4\nfull_nodes = 10\ntopology = direct\n"
    "[consensus]\nprotocol = pbft\nblock_interval = 1s\ncrypto = fast\n"
    "[workload]\ntx_rate = 20/s\naccounts = 100\n"
    "[fault churn]\naction = churn\nat = 5s\nuntil = 45s\nnodes = n0..n7\n"
    "join_rate = 1/s\nleave_rate = 1/s\n"
    "[fault down]\naction = crash\nat = 10s\nnodes = n7\n";

typedef struct churn_run {
    sim_scenario *sc;
    sim_world *w;
} churn_run;

static churn_run run_world(unsigned seed)
{
    char *text = g_strdup_printf(WORLD, seed);
    GError *error = NULL;
    churn_run r;
    r.sc = sim_scenario_parse("churn.ini", text, strlen(text), NULL, &error);
    ck_assert_msg(r.sc != NULL, "%s", error ? error->message : "?");
    r.w = sim_world_new(r.sc, &error);
    ck_assert_msg(r.w != NULL, "%s", error ? error->message : "?");
    sim_world_run(r.w, NULL, NULL);
    g_free(text);
    return r;
}

static void free_run(churn_run *r)
{
    sim_world_free(r->w);
    sim_scenario_free(r->sc);
}

/* Replays the records against a model of who is up: every leave takes an
 * up node of the set down, every join brings back a node churn took down. */
START_TEST(test_records_follow_the_rules)
{
    churn_run r = run_world(1);
    const GArray *rec = sim_world_churn_records(r.w);
    bool up[14];
    bool churned[14] = {0};
    for (int i = 0; i < 14; i++)
        up[i] = true;
    guint joins = 0, graceful = 0, crashes = 0;
    int64_t last_ns = 0;
    for (guint i = 0; i < rec->len; i++) {
        const sim_churn_record *c = &g_array_index(rec, sim_churn_record, i);
        ck_assert_int_ge(c->at_ns, last_ns);
        ck_assert(c->at_ns >= 5000000000LL && c->at_ns < 45000000000LL);
        last_ns = c->at_ns;
        ck_assert_msg(c->node >= 4 && c->node <= 11, "node %u outside n0..n7", c->node);
        if (c->node == 11 && c->at_ns >= 10000000000LL) {
            /* n7 is the crash fault's from 10 s: it is down, so churn
             * can neither take it down nor bring it back. */
            ck_abort_msg("churn touched n7 while the crash fault held it");
        }
        if (c->kind == SIM_CHURN_JOIN) {
            ck_assert_msg(!up[c->node] && churned[c->node], "join of node %u", c->node);
            up[c->node] = true;
            churned[c->node] = false;
            joins++;
        } else {
            ck_assert_msg(up[c->node], "leave of down node %u", c->node);
            up[c->node] = false;
            churned[c->node] = true;
            graceful += c->kind == SIM_CHURN_LEAVE_GRACEFUL;
            crashes += c->kind == SIM_CHURN_LEAVE_CRASH;
        }
    }
    /* About 40 leaves at most (fewer when nobody is left to leave) and as
     * many joins as there were nodes to bring back. */
    ck_assert_msg(graceful + crashes >= 15 && graceful + crashes <= 60, "leaves %u",
                  graceful + crashes);
    ck_assert_msg(graceful >= 4 && crashes >= 4, "graceful %u, crashes %u", graceful, crashes);
    ck_assert_msg(joins >= 10, "joins %u", joins);
    /* The live count matches the model (n7 down for good from 10 s). */
    up[11] = false;
    uint32_t live = 0;
    for (uint32_t i = 0; i < 14; i++) {
        ck_assert_msg(sim_world_node_up(r.w, i) == up[i], "node %u up %d, model %d", i,
                      sim_world_node_up(r.w, i), up[i]);
        live += up[i];
    }
    ck_assert_uint_eq(sim_world_nodes_live(r.w), live);
    /* Rejoined nodes replayed the chain from genesis without upsetting the
     * safety checker (which demands every node's heights in order). */
    ck_assert(sim_world_safety_held(r.w));
    free_run(&r);
}
END_TEST

START_TEST(test_rejoined_nodes_catch_up)
{
    churn_run r = run_world(2);
    const sim_metrics *m = sim_world_metrics(r.w);
    uint64_t tip = 0;
    for (guint i = 0; i < m->commits->len; i++) {
        const sim_commit_record *c = &g_array_index(m->commits, sim_commit_record, i);
        tip = MAX(tip, c->height);
    }
    ck_assert_uint_ge(tip, 50);
    /* Every node up at the end, rejoined ones included, reached the tip
     * within a few blocks (churn stopped 15 s before the end). */
    for (uint32_t node = 0; node < 14; node++) {
        if (!sim_world_node_up(r.w, node))
            continue;
        uint64_t best = 0;
        for (guint i = 0; i < m->commits->len; i++) {
            const sim_commit_record *c = &g_array_index(m->commits, sim_commit_record, i);
            if (c->node == node)
                best = MAX(best, c->height);
        }
        ck_assert_msg(best + 3 >= tip, "node %u at height %" G_GUINT64_FORMAT ", tip %" G_GUINT64_FORMAT,
                      node, best, tip);
    }
    ck_assert(sim_world_safety_held(r.w));
    free_run(&r);
}
END_TEST

START_TEST(test_same_seed_same_churn)
{
    churn_run a = run_world(3), b = run_world(3), c = run_world(4);
    const GArray *ra = sim_world_churn_records(a.w), *rb = sim_world_churn_records(b.w),
                 *rc = sim_world_churn_records(c.w);
    ck_assert_uint_eq(ra->len, rb->len);
    ck_assert(memcmp(ra->data, rb->data, ra->len * sizeof(sim_churn_record)) == 0);
    char ha[65], hb[65];
    sim_world_trace_hash(a.w, ha);
    sim_world_trace_hash(b.w, hb);
    ck_assert_str_eq(ha, hb);
    ck_assert(ra->len != rc->len ||
              memcmp(ra->data, rc->data, ra->len * sizeof(sim_churn_record)) != 0);
    free_run(&a);
    free_run(&b);
    free_run(&c);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("churn");
    TCase *tc = tcase_create("churn");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_gap_mean_and_bounds);
    tcase_add_test(tc, test_gap_zero_rate_never_draws);
    tcase_add_test(tc, test_gap_deterministic);
    tcase_add_test(tc, test_kind_names);
    tcase_add_test(tc, test_records_follow_the_rules);
    tcase_add_test(tc, test_rejoined_nodes_catch_up);
    tcase_add_test(tc, test_same_seed_same_churn);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
