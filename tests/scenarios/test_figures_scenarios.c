/* The mesh and recovery figures on whole worlds of real nodes (PBFT, 7
 * validators, 3 full nodes, 1 s blocks): what the unit tests check on
 * hand-made records must also hold when the records come from the
 * protocol.
 *
 * - Propagation: the per-block levels are ordered (p50 <= p90 <= p99 <=
 *   p100 and each median <= its worst block), the blocks short of a level
 *   never decrease with the level, and with no fault almost every block
 *   reaches every node.
 * - Traffic: the per-node bytes add up to the per-type bytes.
 * - Recovery: two nodes restarted after a crash both catch up (sync
 *   samples, none unsynced) within a few blocks; a partition where
 *   neither side can finalize re-converges at once after the heal (no
 *   height was added during it), one where the majority side finalizes
 *   re-converges within seconds, not at once. */
#include <math.h>

#include "scenario_support.h"

static const char *BASE =
    "[scenario]\nseed = 5\nduration = 40s\n"
    "[network]\nvalidators = 7\nfull_nodes = 3\nlatency = uniform 20ms 60ms\n"
    "[consensus]\nprotocol = pbft\nblock_interval = 1s\nview_timeout = 2s\ncrypto = fast\n"
    "[workload]\ntx_rate = 100/s\naccounts = 500\nstop = 35s\n"
    "%s";

static scen_run *run(const char *faults)
{
    char *text = g_strdup_printf(BASE, faults);
    scen_run *r = scen_run_text(text, NULL);
    g_free(text);
    return r;
}

static void assert_propagation_ordered(scen_run *r)
{
    static const char *const levels[] = {"p50", "p90", "p99", "p100"};
    double last = 0, last_unreached = 0;
    for (int i = 0; i < 4; i++) {
        char *median = g_strdup_printf("block_propagation_%s_s", levels[i]);
        char *worst = g_strdup_printf("block_propagation_%s_max_s", levels[i]);
        char *unreached = g_strdup_printf("block_propagation_unreached_%s", levels[i]);
        double m = scen_figure(r, median), x = scen_figure(r, worst), u = scen_figure(r, unreached);
        scen_assert(r, m >= last && m <= x, "%s %g after %g, worst %g", median, m, last, x);
        scen_assert(r, u >= last_unreached, "%s %g < %g", unreached, u, last_unreached);
        last = m;
        last_unreached = u;
        g_free(median);
        g_free(worst);
        g_free(unreached);
    }
}

START_TEST(propagation_and_traffic_without_faults)
{
    scen_run *r = run("");
    assert_propagation_ordered(r);
    double blocks = scen_figure(r, "blocks_proposed");
    double short_all = scen_figure(r, "block_propagation_unreached_p100");
    /* the last block or two may still be on their way when the run ends */
    scen_assert(r, blocks >= 35 && short_all <= 2, "%g of %g blocks never reached all", short_all,
                blocks);
    scen_assert(r, scen_figure(r, "block_propagation_p100_s") < 2, "p100 %g s",
                scen_figure(r, "block_propagation_p100_s"));
    const sim_metrics *m = sim_world_metrics(r->world);
    double bytes_types = 0, bytes_nodes = 0, received_types = 0, received_nodes = 0;
    for (guint i = 0; i < m->figures->len; i++) {
        const sim_figure *f = &g_array_index(m->figures, sim_figure, i);
        if (g_str_has_prefix(f->name, "bytes.") && g_str_has_suffix(f->name, ".sent"))
            bytes_types += f->value;
        if (g_str_has_prefix(f->name, "bytes.") && g_str_has_suffix(f->name, ".delivered"))
            received_types += f->value;
    }
    scen_assert(r, m->peers->len == 10, "peers records %u", m->peers->len);
    for (guint i = 0; i < m->peers->len; i++) {
        const sim_peer_record *p = &g_array_index(m->peers, sim_peer_record, i);
        bytes_nodes += (double)p->bytes_sent;
        received_nodes += (double)p->bytes_received;
    }
    scen_assert(r, bytes_nodes == bytes_types && received_nodes == received_types,
                "bytes per node %g/%g, per type %g/%g", bytes_nodes, received_nodes, bytes_types,
                received_types);
    scen_assert(r, fabs(scen_figure(r, "bytes_sent_per_node_mean") * 10 - bytes_nodes) < 1,
                "mean over the ten nodes");
    scen_assert(r, isnan(sim_metrics_get(m, "reconverge_s", NAN)), "no partition, no reconverge_s");
    scen_assert(r, isnan(sim_metrics_get(m, "sync_after_join_unsynced", NAN)), "no restart");
    scen_run_free(r);
}
END_TEST

START_TEST(restarts_catch_up)
{
    scen_run *r = run("[fault down]\nat = 5s\nuntil = 15s\naction = crash\nnodes = v6 n2\n");
    assert_propagation_ordered(r);
    double unsynced = scen_figure(r, "sync_after_join_unsynced");
    double mean = scen_figure(r, "sync_after_join_mean_s");
    double max = scen_figure(r, "sync_after_join_max_s");
    scen_assert(r, unsynced == 0, "unsynced %g", unsynced);
    /* ten blocks behind, fetched by sync: within a few block intervals */
    scen_assert(r, mean > 0 && mean <= max && max < 5, "sync mean %g max %g s", mean, max);
    scen_run_free(r);
}
END_TEST

START_TEST(partitions_reconverge)
{
    /* 4|3 of 7: neither side has more than 2/3, nothing is added. */
    scen_run *r = run("[fault split]\nat = 10s\nuntil = 16s\naction = partition\n"
                      "groups = v0..v3 n0 | v4..v6 n1 n2\n");
    scen_assert(r, scen_figure(r, "reconverge_s") == 0, "reconverge %g",
                scen_figure(r, "reconverge_s"));
    scen_run_free(r);
    /* 5|2: the majority (5 of 7 > 2/3) finalizes on; the minority catches
     * up after the heal. */
    r = run("[fault split]\nat = 10s\nuntil = 16s\naction = partition\n"
            "groups = v0..v4 n0 | v5 v6 n1 n2\n");
    double reconverge = scen_figure(r, "reconverge_s");
    scen_assert(r, reconverge > 0 && reconverge < 10, "reconverge %g s", reconverge);
    scen_run_free(r);
}
END_TEST

static Suite *figures_suite(void)
{
    Suite *s = suite_create("figures_scenarios");
    TCase *tc = tcase_create("figures");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, propagation_and_traffic_without_faults);
    tcase_add_test(tc, restarts_catch_up);
    tcase_add_test(tc, partitions_reconverge);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(figures_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
