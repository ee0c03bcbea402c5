/* Whole-world PoA scenarios: real nodes, virtual network, injected faults.
 *
 * Each test states what PoA must do and what its known weakness looks
 * like: steady finality without faults; a crashed validator that restarts
 * recovers from its store and catches up; a 5|5 partition finalizes
 * nothing on either side, forks, and reorgs after the heal; a 7|3
 * partition keeps finalizing on the larger side only; lossy and slow links
 * stay safe and live. */
#include "scenario_support.h"

static const char *BASE =
    "[scenario]\nseed = %u\nduration = %s\n"
    "[network]\nvalidators = 10\nfull_nodes = %u\nlatency = uniform 20ms 80ms\n"
    "[consensus]\nprotocol = poa\nblock_interval = 1s\ncrypto = fast\n"
    "[workload]\ntx_rate = 200/s\naccounts = 2000\nstop = %s\n"
    "%s";

static scen_run *run_poa(unsigned seed, const char *duration, unsigned full_nodes,
                         const char *stop, const char *faults)
{
    char *text = g_strdup_printf(BASE, seed, duration, full_nodes, stop, faults);
    scen_run *r = scen_run_text(text, NULL);
    g_free(text);
    return r;
}

START_TEST(steady_finality_without_faults)
{
    scen_run *r = run_poa(11, "60s", 4, "45s", "");
    scen_assert(r, sim_world_safety_held(r->world), "safety");
    scen_assert(r, scen_figure(r, "forks") == 0, "forks = %g", scen_figure(r, "forks"));
    scen_assert(r, scen_figure(r, "reorgs") == 0, "reorgs = %g", scen_figure(r, "reorgs"));
    /* 60 slots of 1 s; finality lags ~7 blocks (2/3 of 10 distinct signers). */
    double final = scen_figure(r, "blocks_final");
    scen_assert(r, final >= 48 && final <= 60, "blocks_final = %g", final);
    double tps = scen_figure(r, "throughput_tps");
    scen_assert(r, tps >= 190 && tps <= 210, "throughput %g, want ~200", tps);
    double p99 = scen_figure(r, "finality_p99_s");
    scen_assert(r, p99 > 5 && p99 < 12, "finality p99 %g s", p99);
    for (uint32_t node = 0; node < 14; node++)
        scen_assert(r, scen_node_final_height(r, node) + 1 >= (uint64_t)final,
                    "node %u final height %" G_GUINT64_FORMAT " behind %g", node,
                    scen_node_final_height(r, node), final);
    scen_run_free(r);
}
END_TEST

START_TEST(crashed_validator_recovers_and_catches_up)
{
    scen_run *r = run_poa(12, "80s", 2, "60s",
                          "[fault crash]\nat = 20s\nuntil = 40s\naction = crash\nnodes = v3 n1\n");
    scen_assert(r, sim_world_safety_held(r->world), "safety");
    scen_assert(r, scen_figure(r, "recoveries") >= 2, "recoveries %g", scen_figure(r, "recoveries"));
    double final = scen_figure(r, "blocks_final");
    scen_assert(r, scen_node_final_height(r, 3) + 1 >= (uint64_t)final,
                "v3 final %" G_GUINT64_FORMAT " vs %g", scen_node_final_height(r, 3), final);
    scen_assert(r, scen_node_final_height(r, 11) + 1 >= (uint64_t)final,
                "n1 final %" G_GUINT64_FORMAT " vs %g", scen_node_final_height(r, 11), final);
    /* 9 of 10 validators keep > 2/3: finality never stops. */
    scen_assert(r, scen_blocks_final_in_window(r, SEC(22), SEC(38), SEC(40), NULL) >= 8,
                "finality during the crash");
    scen_assert(r, scen_figure(r, "txs_pending") < 0.01 * scen_figure(r, "txs_submitted"),
                "pending %g of %g", scen_figure(r, "txs_pending"), scen_figure(r, "txs_submitted"));
    scen_run_free(r);
}
END_TEST

START_TEST(even_partition_forks_without_finality_then_reorgs)
{
    scen_run *r = run_poa(13, "90s", 2, "70s",
                          "[fault split]\nat = 20s\nuntil = 50s\naction = partition\n"
                          "groups = v0..v4 n0 | v5..v9 n1\n"
                          "[expect]\nsafety = holds\nliveness = holds\n");
    scen_assert(r, sim_world_safety_held(r->world), "safety");
    /* Neither side holds more than 2/3 of the stake: nothing proposed
     * during the split becomes final before the heal. */
    scen_assert(r, scen_blocks_final_in_window(r, SEC(21), SEC(50), SEC(50), NULL) == 0,
                "a block made during the split was final before the heal");
    scen_assert(r, scen_figure(r, "forks") >= 10, "forks %g", scen_figure(r, "forks"));
    scen_assert(r, scen_figure(r, "reorgs") >= 5, "reorgs %g", scen_figure(r, "reorgs"));
    /* After the heal one branch wins and finality resumes. */
    scen_assert(r, scen_blocks_final_in_window(r, SEC(50), SEC(80), SEC(90), NULL) >= 20,
                "finality after the heal");
    sim_liveness l = sim_world_liveness(r->world);
    scen_assert(r, l.state == SIM_LIVENESS_HOLDS, "liveness: %s", l.detail);
    g_free(l.detail);
    scen_run_free(r);
}
END_TEST

START_TEST(majority_partition_keeps_finalizing)
{
    scen_run *r = run_poa(14, "80s", 2, "60s",
                          "[fault split]\nat = 20s\nuntil = 50s\naction = partition\n"
                          "groups = v0..v6 n0 | v7..v9 n1\n");
    scen_assert(r, sim_world_safety_held(r->world), "safety");
    GArray *majority = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    GArray *minority = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    for (uint32_t v = 0; v < 10; v++)
        g_array_append_val(v < 7 ? majority : minority, v);
    /* 7 of 10 > 2/3: the larger side's blocks become final during the split. */
    guint maj = scen_blocks_final_in_window(r, SEC(21), SEC(45), SEC(50), majority);
    scen_assert(r, maj >= 12, "majority finalized %u blocks during the split", maj);
    /* The minority's blocks lose: none is ever final. */
    guint min = scen_blocks_final_in_window(r, SEC(21), SEC(50), SEC(80), minority);
    scen_assert(r, min == 0, "minority finalized %u blocks", min);
    scen_assert(r, scen_figure(r, "forks") > 0, "forks");
    /* The minority nodes reorg onto the majority chain and catch up. */
    double final = scen_figure(r, "blocks_final");
    scen_assert(r, scen_node_final_height(r, 8) + 1 >= (uint64_t)final, "v8 caught up");
    g_array_unref(majority);
    g_array_unref(minority);
    scen_run_free(r);
}
END_TEST

START_TEST(lossy_and_slow_links_stay_safe_and_live)
{
    scen_run *r = run_poa(15, "80s", 2, "60s",
                          "[fault slow]\nat = 10s\nuntil = 60s\naction = degrade\n"
                          "nodes = v0..v2\nlatency = constant 400ms\nloss = 0.01\n"
                          "[fault lossy]\nat = 10s\nuntil = 60s\naction = degrade\n"
                          "nodes = v3..v9 n0 n1\nloss = 0.01\n");
    scen_assert(r, sim_world_safety_held(r->world), "safety");
    scen_assert(r, scen_blocks_final_in_window(r, SEC(10), SEC(50), SEC(60), NULL) >= 30,
                "finality under degraded links");
    scen_assert(r, scen_figure(r, "messages.dropped.loss") > 0, "loss happened");
    scen_assert(r, scen_figure(r, "txs_pending") < 0.01 * scen_figure(r, "txs_submitted"),
                "pending %g", scen_figure(r, "txs_pending"));
    scen_run_free(r);
}
END_TEST

static Suite *poa_suite(void)
{
    Suite *s = suite_create("poa-scenarios");
    TCase *tc = tcase_create("poa");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, steady_finality_without_faults);
    tcase_add_test(tc, crashed_validator_recovers_and_catches_up);
    tcase_add_test(tc, even_partition_forks_without_finality_then_reorgs);
    tcase_add_test(tc, majority_partition_keeps_finalizing);
    tcase_add_test(tc, lossy_and_slow_links_stay_safe_and_live);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(poa_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
