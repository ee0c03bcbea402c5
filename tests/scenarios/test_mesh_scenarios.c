/* Whole-world scenarios on the P2P mesh (`topology = mesh`, the default).
 *
 * What the mesh must do for the chain: a 50-node network (10 validators,
 * 40 full nodes, degree 8) under PBFT keeps finalizing while its full
 * nodes churn (Poisson joins and leaves, graceful and crashed), stays
 * safe, and every node live at the end is within a few blocks of the tip,
 * rejoined ones included (they start empty, bootstrap and sync); a full
 * node that joins a minute late catches up to the tip; the same scenario
 * finalizes in direct and in mesh topology; and a mesh run is a pure
 * function of scenario and seed (same trace hash twice). */
#include "scenario_support.h"

/* Blocks this far behind the tip at the end of the run still count as
 * "at the tip": a node may be a block interval or two behind the newest
 * decision when the run stops. */
#define TIP_SLACK_BLOCKS 3

static uint64_t tip_of(const scen_run *r)
{
    return (uint64_t)scen_figure(r, "blocks_final");
}

/* Every node up at the end has a chain within TIP_SLACK_BLOCKS of the tip. */
static void assert_live_nodes_at_tip(scen_run *r)
{
    uint64_t tip = tip_of(r);
    for (uint32_t node = 0; node < sim_world_nodes_count(r->world); node++) {
        if (!sim_world_node_up(r->world, node))
            continue;
        uint64_t h = sim_world_node_final_height(r->world, node);
        g_autofree char *name = sim_world_node_name(r->world, node);
        scen_assert(r, h + TIP_SLACK_BLOCKS >= tip,
                    "%s (up at the end) is at height %" G_GUINT64_FORMAT ", tip %" G_GUINT64_FORMAT,
                    name, h, tip);
    }
}

static void assert_live(scen_run *r)
{
    sim_liveness l = sim_world_liveness(r->world);
    scen_assert(r, l.state == SIM_LIVENESS_HOLDS, "liveness: %s", l.detail);
    g_free(l.detail);
}

/* ---- (a) 50 nodes, churning full nodes ---- */

static const char *CHURN_50 =
    "[scenario]\nname = mesh-churn-50\nseed = 51\nduration = 120s\n"
    "[network]\nvalidators = 10\nfull_nodes = 40\ndegree = 8\nlatency = uniform 20ms 80ms\n"
    "[consensus]\nprotocol = pbft\nblock_interval = 1s\nview_timeout = 2s\n"
    "checkpoint_interval = 10\ncrypto = fast\n"
    "[workload]\ntx_rate = 100/s\naccounts = 2000\n"
    "[fault churn]\naction = churn\nat = 20s\nuntil = 100s\nnodes = full_nodes\n"
    "join_rate = 0.1/s\nleave_rate = 0.1/s\n";

START_TEST(fifty_nodes_with_churn_stay_safe_and_live)
{
    scen_run *r = scen_run_text(CHURN_50, NULL);
    scen_assert(r, r->stop == SIM_STOP_DURATION, "stopped: %s",
                sim_world_stop_detail(r->world));
    scen_assert(r, sim_world_safety_held(r->world), "safety: %s",
                sim_world_stop_detail(r->world));
    /* Churn happened: about 8 leaves and as many joins expected. */
    const GArray *rec = sim_world_churn_records(r->world);
    guint joins = 0, leaves = 0;
    for (guint i = 0; i < rec->len; i++) {
        const sim_churn_record *c = &g_array_index(rec, sim_churn_record, i);
        scen_assert(r, c->node >= 10, "churn touched validator %u", c->node);
        joins += c->kind == SIM_CHURN_JOIN;
        leaves += c->kind != SIM_CHURN_JOIN;
    }
    scen_assert(r, leaves >= 3 && joins >= 2, "leaves %u, joins %u", leaves, joins);
    /* Blocks keep finalizing through the churn, every 20 s window. */
    for (int64_t from = 20; from < 100; from += 20) {
        guint n = scen_blocks_final_in_window(r, SEC(from), SEC(from + 20), SEC(from + 25), NULL);
        scen_assert(r, n >= 15, "%u blocks final from %" G_GINT64_FORMAT " s to %" G_GINT64_FORMAT
                    " s", n, from, from + 20);
    }
    double tps = scen_figure(r, "throughput_tps");
    scen_assert(r, tps >= 90, "throughput %g, want ~100", tps);
    scen_assert(r, tip_of(r) >= 100, "blocks_final %" G_GUINT64_FORMAT, tip_of(r));
    assert_live_nodes_at_tip(r);
    assert_live(r);
    scen_assert(r, sim_world_nodes_live(r->world) >= 40, "live nodes %u",
                sim_world_nodes_live(r->world));
    scen_run_free(r);
}
END_TEST

/* ---- (b) a node that joins late ---- */

static const char *LATE_JOIN =
    "[scenario]\nname = mesh-late-join\nseed = 52\nduration = 90s\n"
    "[network]\nvalidators = 4\nfull_nodes = 8\ndegree = 4\nlatency = uniform 20ms 80ms\n"
    "[consensus]\nprotocol = pbft\nblock_interval = 1s\nview_timeout = 2s\ncrypto = fast\n"
    "[workload]\ntx_rate = 50/s\naccounts = 500\n"
    "[fault late]\naction = crash\nat = 0s\nuntil = 60s\nnodes = n3\n";

START_TEST(late_joiner_catches_up)
{
    scen_run *r = scen_run_text(LATE_JOIN, NULL);
    scen_assert(r, sim_world_safety_held(r->world), "safety: %s",
                sim_world_stop_detail(r->world));
    uint32_t n3 = 4 + 3;
    uint64_t tip = tip_of(r);
    scen_assert(r, tip >= 80, "blocks_final %" G_GUINT64_FORMAT, tip);
    /* Nothing final at n3 before it joined; everything after. */
    const sim_metrics *m = sim_world_metrics(r->world);
    int64_t first_ns = -1;
    for (guint i = 0; i < m->commits->len; i++) {
        const sim_commit_record *c = &g_array_index(m->commits, sim_commit_record, i);
        if (c->node == n3 && (first_ns < 0 || c->committed_ns < first_ns))
            first_ns = c->committed_ns;
    }
    scen_assert(r, first_ns >= SEC(60), "n3 finalized at %" G_GINT64_FORMAT " ns while down",
                first_ns);
    uint64_t h = sim_world_node_final_height(r->world, n3);
    scen_assert(r, h + TIP_SLACK_BLOCKS >= tip,
                "n3 at height %" G_GUINT64_FORMAT " at the end, tip %" G_GUINT64_FORMAT, h, tip);
    assert_live_nodes_at_tip(r);
    scen_run_free(r);
}
END_TEST

/* ---- (c) direct and mesh both finalize ---- */

static const char *BOTH =
    "[scenario]\nname = mesh-vs-direct\nseed = 53\nduration = 40s\n"
    "[network]\nvalidators = 7\nfull_nodes = 13\ndegree = 6\nlatency = uniform 20ms 80ms\n"
    "topology = %s\n"
    "[consensus]\nprotocol = %s\nblock_interval = 1s\nview_timeout = 2s\ncrypto = fast\n"
    "[workload]\ntx_rate = 100/s\naccounts = 1000\nstop = 35s\n";

static void check_topology(const char *topology, const char *protocol)
{
    g_autofree char *text = g_strdup_printf(BOTH, topology, protocol);
    scen_run *r = scen_run_text(text, NULL);
    scen_assert(r, sim_world_safety_held(r->world), "%s/%s safety: %s", topology, protocol,
                sim_world_stop_detail(r->world));
    scen_assert(r, tip_of(r) >= 30, "%s/%s: blocks_final %" G_GUINT64_FORMAT, topology, protocol,
                tip_of(r));
    double tps = scen_figure(r, "throughput_tps");
    scen_assert(r, tps >= 85, "%s/%s: throughput %g, want ~100 (workload 35 of 40 s)", topology,
                protocol, tps);
    assert_live_nodes_at_tip(r);
    scen_run_free(r);
}

START_TEST(direct_and_mesh_both_finalize_pbft)
{
    check_topology("direct", "pbft");
    check_topology("mesh", "pbft");
}
END_TEST

START_TEST(direct_and_mesh_both_finalize_poa)
{
    check_topology("direct", "poa");
    check_topology("mesh", "poa");
}
END_TEST

/* ---- (d) determinism ---- */

START_TEST(mesh_run_is_deterministic)
{
    /* Churn and a crash bring every mesh random draw into play. */
    const char *text =
        "[scenario]\nname = mesh-det\nseed = 54\nduration = 40s\n"
        "[network]\nvalidators = 4\nfull_nodes = 12\ndegree = 4\nlatency = lognormal 40ms 0.5\n"
        "loss = 0.01\nduplicate = 0.01\n"
        "[consensus]\nprotocol = pbft\nblock_interval = 1s\nview_timeout = 2s\ncrypto = fast\n"
        "[workload]\ntx_rate = 50/s\naccounts = 300\n"
        "[fault churn]\naction = churn\nat = 5s\nuntil = 30s\nnodes = n0..n7\n"
        "join_rate = 0.5/s\nleave_rate = 0.5/s\n"
        "[fault crash]\naction = crash\nat = 10s\nuntil = 20s\nnodes = v3\n";
    scen_run *a = scen_run_text(text, NULL);
    scen_run *b = scen_run_text(text, NULL);
    char ha[2 * PROTO_HASH_SIZE + 1], hb[2 * PROTO_HASH_SIZE + 1];
    sim_world_trace_hash(a->world, ha);
    sim_world_trace_hash(b->world, hb);
    scen_assert(a, g_str_equal(ha, hb), "trace %s then %s", ha, hb);
    const sim_metrics *ma = sim_world_metrics(a->world), *mb = sim_world_metrics(b->world);
    scen_assert(a, ma->figures->len == mb->figures->len, "figure counts differ");
    for (guint i = 0; i < ma->figures->len; i++) {
        const sim_figure *fa = &g_array_index(ma->figures, sim_figure, i);
        const sim_figure *fb = &g_array_index(mb->figures, sim_figure, i);
        scen_assert(a, g_str_equal(fa->name, fb->name) && fa->value == fb->value,
                    "%s: %g vs %g", fa->name, fa->value, fb->value);
    }
    scen_assert(a, tip_of(a) >= 20, "blocks_final %" G_GUINT64_FORMAT, tip_of(a));
    scen_assert(a, sim_world_churn_records(a->world)->len >= 5, "churn records %u",
                sim_world_churn_records(a->world)->len);
    scen_run_free(a);
    scen_run_free(b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("mesh");
    TCase *tc = tcase_create("mesh");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, fifty_nodes_with_churn_stay_safe_and_live);
    tcase_add_test(tc, late_joiner_catches_up);
    tcase_add_test(tc, direct_and_mesh_both_finalize_pbft);
    tcase_add_test(tc, direct_and_mesh_both_finalize_poa);
    tcase_add_test(tc, mesh_run_is_deterministic);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
