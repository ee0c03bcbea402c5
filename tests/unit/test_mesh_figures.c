/* Unit tests for the figures of issue 5 computed from records: block
 * propagation to 50/90/99/100% of the live nodes (sim/propagation.c).
 *
 * A real world is built from a small scenario but never run (as in
 * test_accountability.c): the tests set which nodes are up, feed the
 * observer hand-made events and the propagation tracker holdings at
 * chosen times, then compute the figures and compare them with numbers
 * worked out by hand in the comments. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "sim/world_internal.h"

#define MS ((int64_t)1000000)
#define S_NS ((int64_t)1000000000)

/* v0..v3, n0..n5: ten nodes. */
static const char *SCENARIO = "[network]\nvalidators = 4\nfull_nodes = 6\n"
                              "[consensus]\nprotocol = pbft\ncrypto = fast\n"
                              "[workload]\ntx_rate = 0/s\n";

static sim_scenario *sc;
static sim_world *w;

static void setup_with(const char *text)
{
    GError *error = NULL;
    sc = sim_scenario_parse("mesh.ini", text, strlen(text), NULL, &error);
    ck_assert_msg(sc != NULL, "%s", error ? error->message : "?");
    w = sim_world_new(sc, &error);
    ck_assert_msg(w != NULL, "%s", error ? error->message : "?");
}

static void setup(void)
{
    setup_with(SCENARIO);
}

static void teardown(void)
{
    sim_world_free(w);
    sim_scenario_free(sc);
    w = NULL;
    sc = NULL;
}

static double figure(const char *name)
{
    return sim_metrics_get(w->metrics, name, NAN);
}

#define ck_assert_figure(name, expected)                                                  \
    do {                                                                                  \
        double got_ = figure(name);                                                       \
        ck_assert_msg(fabs(got_ - (expected)) < 1e-9, "%s = %.9g, expected %.9g", (name), \
                      got_, (double)(expected));                                          \
    } while (0)

/* ---- propagation ---- */

static uint8_t hashes[16][PROTO_HASH_SIZE];

static const uint8_t *block_hash(uint32_t n)
{
    ck_assert_uint_lt(n, 16);
    memset(hashes[n], (int)(n + 1), PROTO_HASH_SIZE);
    return hashes[n];
}

/* Validator `proposer` proposes block n (height n) stamped proposed_ns;
 * returns the block's record index. */
static uint32_t propose(uint32_t proposer, uint32_t n, int64_t proposed_ns)
{
    proto_event ev = {.kind = PROTO_EV_BLOCK_PROPOSED, .node = proposer, .height = n,
                      .proposer = proposer, .proposed_ns = proposed_ns, .hash = block_hash(n)};
    sim_observe(&w->nodes[proposer], &ev);
    proto_hash h;
    memcpy(h.bytes, block_hash(n), PROTO_HASH_SIZE);
    return sim_metrics_block(w->metrics, &h);
}

static const sim_block_record *block(uint32_t index)
{
    return &g_array_index(w->metrics->blocks, sim_block_record, index);
}

/* Block A: 8 nodes live at its proposal (n4, n5 down), held by the
 * proposer at once and by five more by 600 ms, never by n3: 4 holders
 * (50%) at 300 ms, 8 (90%, 99%, 100%) never. n4 comes up and receives it:
 * a receipt, not a live holder. Block B: proposed with all ten up; nine
 * hold it by 900 ms (90%: 9 of 10 at 900 ms), the tenth at 2 s (99% and
 * 100%). Block C: received only by a node that finalizes it (no receipt
 * first) at 1.5 s, then by everyone else at 1.6 s. */
START_TEST(test_propagation_levels_per_block)
{
    w->nodes[8].up = false;
    w->nodes[9].up = false;
    uint32_t a = propose(0, 1, 0);
    ck_assert_uint_eq(block(a)->live_count, 8);
    int64_t a_times[] = {100, 200, 300, 400, 500, 600}; /* nodes 1..6 */
    for (uint32_t node = 1; node <= 6; node++)
        sim_prop_block_held(w, a, node, a_times[node - 1] * MS, false);
    w->nodes[8].up = true;
    sim_prop_block_held(w, a, 8, 350 * MS, false);
    sim_prop_block_held(w, a, 1, 700 * MS, false); /* again: changes nothing */
    ck_assert_int_eq(block(a)->reached_p50_ns, 300 * MS);
    ck_assert_int_eq(block(a)->reached_p90_ns, -1);
    ck_assert_int_eq(block(a)->reached_all_ns, -1);
    ck_assert_uint_eq(block(a)->reached_count, 7);

    w->nodes[9].up = true;
    uint32_t b = propose(1, 2, 1 * S_NS);
    ck_assert_uint_eq(block(b)->live_count, 10);
    for (uint32_t node = 0; node < 10; node++) { /* in time order, n3 (7) last */
        if (node != 1 && node != 7)
            sim_prop_block_held(w, b, node, S_NS + (int64_t)(node + 1) * 90 * MS, false);
    }
    sim_prop_block_held(w, b, 7, 3 * S_NS, false);
    /* holders: v1 at 0, then nodes 0,2..6,8,9 at 90..900 ms, n3 (7) at 2 s */
    ck_assert_int_eq(block(b)->reached_p50_ns, 450 * MS); /* 5th: node 4 at (4+1)*90 */
    ck_assert_int_eq(block(b)->reached_p90_ns, 900 * MS); /* 9th: node 9 at 10*90 */
    ck_assert_int_eq(block(b)->reached_p99_ns, 2 * S_NS);
    ck_assert_int_eq(block(b)->reached_all_ns, 2 * S_NS);

    /* A block first mentioned by a finalization (no proposal seen). */
    static const uint8_t root[PROTO_HASH_SIZE] = {7};
    proto_event fin = {.kind = PROTO_EV_BLOCK_FINAL, .node = 5, .height = 1, .proposer = 0,
                       .proposed_ns = 0, .hash = block_hash(3), .state_root = root};
    sim_observe(&w->nodes[5], &fin); /* at time 0: holds it with delay 0 */
    proto_hash h;
    memcpy(h.bytes, block_hash(3), PROTO_HASH_SIZE);
    uint32_t c = sim_metrics_block(w->metrics, &h);
    for (uint32_t node = 0; node < 10; node++)
        sim_prop_block_held(w, c, node, 1600 * MS, false);
    ck_assert_int_eq(block(c)->reached_all_ns, 1600 * MS);

    /* Receipts: every first holding but the proposer's own: A 7 (1..6 and
     * n4), B 9, C 10. */
    ck_assert_uint_eq(w->metrics->receipts->len, 7 + 9 + 10);

    sim_prop_figures(w);
    /* p50 over A 0.3, B 0.45, C 1.6 (n0's holding is the 5th) -> median
     * (2nd of 3) 0.45; max 1.6 */
    ck_assert_int_eq(block(c)->reached_p50_ns, 1600 * MS);
    ck_assert_figure("block_propagation_p50_s", 0.45);
    ck_assert_figure("block_propagation_p50_max_s", 1.6);
    ck_assert_figure("block_propagation_unreached_p50", 0);
    /* p90: B 0.9, C 1.6 (A never): median (1st of 2) 0.9; p99 and p100:
     * B 2.0, C 1.6 -> 1.6 */
    ck_assert_figure("block_propagation_p90_s", 0.9);
    ck_assert_figure("block_propagation_p90_max_s", 1.6);
    ck_assert_figure("block_propagation_unreached_p90", 1);
    ck_assert_figure("block_propagation_p99_s", 1.6);
    ck_assert_figure("block_propagation_p100_s", 1.6);
    ck_assert_figure("block_propagation_p100_max_s", 2.0);
    ck_assert_figure("block_propagation_unreached_p100", 1);
}
END_TEST

/* A proposer's clock ahead of the receiver's (a Byzantine stamp in the
 * future) counts as no delay, not a negative one; with no block reaching
 * a level its figures are absent (nothing measured), not zero. */
START_TEST(test_propagation_clamps_and_absent_levels)
{
    uint32_t a = propose(0, 1, 5 * S_NS);
    sim_prop_block_held(w, a, 1, 1 * S_NS, false);
    ck_assert_int_eq(g_array_index(w->metrics->receipts, sim_receipt_record, 0).delay_ns, 0);
    sim_prop_figures(w);
    ck_assert(isnan(figure("block_propagation_p99_s")));
    ck_assert(isnan(figure("block_propagation_p100_max_s")));
    ck_assert_figure("block_propagation_unreached_p99", 1);
    ck_assert(isnan(figure("block_propagation_p50_s"))); /* 2 of 10 is short of 50% */
    ck_assert_figure("block_propagation_unreached_p50", 1);
}
END_TEST

static Suite *mesh_figures_suite(void)
{
    Suite *s = suite_create("mesh_figures");
    TCase *tc = tcase_create("propagation");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_propagation_levels_per_block);
    tcase_add_test(tc, test_propagation_clamps_and_absent_levels);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(mesh_figures_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
