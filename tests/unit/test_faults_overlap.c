/* Overlapping faults compose (sim/world/faults.c), so that what happens is what
 * the faults table says:
 *   - a node is down while any crash fault holds it;
 *   - two nodes can talk only if no open partition separates them, so one
 *     heal reconnects only what that partition cut;
 *   - a node's links take the parameters of the most recently started
 *     open degrade fault that names it.
 * Each test runs a small world and samples its state from the progress
 * callback, which the run calls at every 100 ms step of virtual time. */
#include <check.h>

#include "sim/world/world_internal.h"
#include "support/world_fixture.h"

#define S(x) ((int64_t)((x) * 1e9))

typedef struct probe {
    sim_world *w;
    void (*check)(struct probe *p, int64_t now_ns);
    GString *problems;
    uint32_t checks;
} probe;

static bool probe_progress(void *ctx, const sim_progress *sp)
{
    probe *p = ctx;
    p->check(p, sp->now_ns);
    return true;
}

static void run_probe(const char *text, void (*check)(probe *, int64_t))
{
    sim_scenario *sc = NULL;
    sim_world *w = test_world_new("overlap.ini", text, &sc);
    probe p = {.w = w, .check = check, .problems = g_string_new(NULL)};
    sim_stop stop = sim_world_run(w, probe_progress, &p);
    ck_assert_int_eq(stop, SIM_STOP_DURATION);
    ck_assert_msg(p.problems->len == 0, "%s", p.problems->str);
    ck_assert_uint_ge(p.checks, 20); /* one or more at each of 20 whole seconds */
    g_string_free(p.problems, TRUE);
    test_world_free(w, sc);
}

static void expect_bool(probe *p, int64_t now_ns, const char *what, bool got, bool want)
{
    p->checks++;
    if (got != want)
        g_string_append_printf(p->problems, "at %.1f s: %s is %s, want %s\n", now_ns / 1e9, what,
                               got ? "true" : "false", want ? "true" : "false");
}

/* ---- crash: down while any crash fault holds the node ---- */

static const char *CRASHES =
    "[scenario]\nduration = 20s\n"
    "[network]\nvalidators = 4\ntopology = direct\n"
    "[consensus]\nprotocol = pbft\n"
    "[fault c1]\naction = crash\nat = 2s\nuntil = 10s\nnodes = v3\n"
    "[fault c2]\naction = crash\nat = 4s\nuntil = 15s\nnodes = v2 v3\n"
    "[fault c3]\naction = crash\nat = 12s\nuntil = 13s\nnodes = v3\n";

static void check_crashes(probe *p, int64_t now)
{
    /* Step times are exact multiples of 100 ms; stay off the edges. */
    bool v3_down = now > S(2) && now < S(15);
    bool v2_down = now > S(4) && now < S(15);
    if (now % S(1) == S(0.5)) {
        expect_bool(p, now, "v3 up", sim_world_node_up(p->w, 3), !v3_down);
        expect_bool(p, now, "v2 up", sim_world_node_up(p->w, 2), !v2_down);
        expect_bool(p, now, "v0 up", sim_world_node_up(p->w, 0), true);
    }
}

START_TEST(crash_faults_hold_a_node_down_until_the_last_ends)
{
    run_probe(CRASHES, check_crashes);
}
END_TEST

/* ---- partition: only nodes no open partition separates can talk ---- */

static const char *PARTITIONS =
    "[scenario]\nduration = 20s\n"
    "[network]\nvalidators = 4\ntopology = direct\n"
    "[consensus]\nprotocol = pbft\n"
    "[fault p1]\naction = partition\nat = 2s\nuntil = 10s\ngroups = v0 v1 | v2 v3\n"
    "[fault p2]\naction = partition\nat = 5s\nuntil = 15s\ngroups = v0 v2 | v1 v3\n";

static void check_partitions(probe *p, int64_t now)
{
    if (now % S(1) != S(0.5))
        return;
    bool p1 = now > S(2) && now < S(10);
    bool p2 = now > S(5) && now < S(15);
    const sim_net *net = p->w->net;
    expect_bool(p, now, "v0-v1 connected", sim_net_connected(net, 0, 1), !p2);
    expect_bool(p, now, "v0-v2 connected", sim_net_connected(net, 0, 2), !p1);
    expect_bool(p, now, "v0-v3 connected", sim_net_connected(net, 0, 3), !p1 && !p2);
    expect_bool(p, now, "v1-v3 connected", sim_net_connected(net, 1, 3), !p1);
    expect_bool(p, now, "v2-v3 connected", sim_net_connected(net, 2, 3), !p2);
}

START_TEST(partitions_compose_and_heal_separately)
{
    run_probe(PARTITIONS, check_partitions);
}
END_TEST

/* ---- degrade: the most recently started open degrade applies ---- */

static const char *DEGRADES =
    "[scenario]\nduration = 20s\n"
    "[network]\nvalidators = 4\ntopology = direct\nloss = 0.001\n"
    "[consensus]\nprotocol = pbft\n"
    "[fault d1]\naction = degrade\nat = 2s\nuntil = 12s\nnodes = v1\nloss = 0.1\n"
    "[fault d2]\naction = degrade\nat = 5s\nuntil = 8s\nnodes = v1 v2\nloss = 0.2\n";

/* sim_net's own view of a node's loss (0.001 = the base link). */
static double node_loss(const sim_world *w, uint32_t node);

static void check_degrades(probe *p, int64_t now)
{
    if (now % S(1) != S(0.5))
        return;
    double want1 = now < S(2) || now > S(12) ? 0.001 : now > S(5) && now < S(8) ? 0.2 : 0.1;
    double want2 = now > S(5) && now < S(8) ? 0.2 : 0.001;
    double got1 = node_loss(p->w, 1), got2 = node_loss(p->w, 2);
    p->checks++;
    if (got1 != want1 || got2 != want2)
        g_string_append_printf(p->problems, "at %.1f s: loss v1 %g v2 %g, want %g %g\n",
                               now / 1e9, got1, got2, want1, want2);
}

START_TEST(degrades_stack_and_unwind)
{
    run_probe(DEGRADES, check_degrades);
}
END_TEST

/* The loss a link from the node to v0 has; v0 is never degraded here. */
static double node_loss(const sim_world *w, uint32_t node)
{
    return sim_net_link_loss(w->net, node, 0);
}

static Suite *overlap_suite(void)
{
    Suite *s = suite_create("faults_overlap");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, crash_faults_hold_a_node_down_until_the_last_ends);
    tcase_add_test(tc, partitions_compose_and_heal_separately);
    tcase_add_test(tc, degrades_stack_and_unwind);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(overlap_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
