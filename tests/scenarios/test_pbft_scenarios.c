/* Whole-world PBFT scenarios with 10 validators (f = 3).
 *
 * What PBFT must do, and what distinguishes it from PoA: steady finality
 * without faults; with 3 crashed, finality continues; with 4 crashed,
 * nothing is finalized while they are down, safety holds, and finality
 * resumes once they restart; a crashed primary costs a view change, then
 * finality resumes; a 5|5 partition finalizes nothing on either side and
 * resumes after the heal with no fork; a 7|3 partition keeps finalizing
 * on the larger side; 1% loss and 400 ms links stay safe and live; and
 * the same partition under PoA and PBFT shows the difference: PoA forks
 * and reorgs, PBFT stalls and stays safe. */
#include "scenario_support.h"

static const char *BASE =
    "[scenario]\nseed = %u\nduration = %s\n"
    "[network]\nvalidators = 10\nfull_nodes = 2\nlatency = uniform 20ms 80ms\n"
    "[consensus]\nprotocol = %s\nblock_interval = 1s\nview_timeout = 2s\n"
    "checkpoint_interval = 10\ncrypto = fast\n"
    "[workload]\ntx_rate = 200/s\naccounts = 2000\nstop = %s\n"
    "%s";

static scen_run *run(const char *protocol, unsigned seed, const char *duration, const char *stop,
                     const char *faults)
{
    char *text = g_strdup_printf(BASE, seed, duration, protocol, stop, faults);
    scen_run *r = scen_run_text(text, NULL);
    g_free(text);
    return r;
}

static void assert_live(scen_run *r)
{
    sim_liveness l = sim_world_liveness(r->world);
    scen_assert(r, l.state == SIM_LIVENESS_HOLDS, "liveness: %s", l.detail);
    g_free(l.detail);
}

/* Every node (validators and full nodes) reached the final height. */
static void assert_all_caught_up(scen_run *r, uint32_t nodes)
{
    double final = scen_figure(r, "blocks_final");
    for (uint32_t node = 0; node < nodes; node++)
        scen_assert(r, scen_node_final_height(r, node) + 2 >= (uint64_t)final,
                    "node %u final height %" G_GUINT64_FORMAT " behind %g", node,
                    scen_node_final_height(r, node), final);
}

START_TEST(steady_finality_without_faults)
{
    scen_run *r = run("pbft", 21, "60s", "50s", "");
    scen_assert(r, sim_world_safety_held(r->world), "safety");
    scen_assert(r, scen_figure(r, "forks") == 0, "forks %g", scen_figure(r, "forks"));
    scen_assert(r, scen_figure(r, "view_changes") == 0, "view changes %g",
                scen_figure(r, "view_changes"));
    double final = scen_figure(r, "blocks_final");
    scen_assert(r, final >= 55 && final <= 60, "blocks_final %g (one per second)", final);
    double tps = scen_figure(r, "throughput_tps");
    scen_assert(r, tps >= 190 && tps <= 210, "throughput %g, want ~200", tps);
    double p99 = scen_figure(r, "finality_p99_s");
    scen_assert(r, p99 > 0.3 && p99 < 3, "finality p99 %g s", p99);
    scen_assert(r, scen_figure(r, "checkpoints_stable") >= 50, "checkpoints %g",
                scen_figure(r, "checkpoints_stable"));
    assert_all_caught_up(r, 12);
    scen_run_free(r);
}
END_TEST

START_TEST(three_crashed_finality_continues)
{
    scen_run *r = run("pbft", 22, "80s", "70s",
                      "[fault crash]\nat = 20s\nuntil = 50s\naction = crash\nnodes = v7 v8 v9\n");
    scen_assert(r, sim_world_safety_held(r->world), "safety");
    /* 7 of 10 hold a quorum; the three crashed primaries cost view changes. */
    guint during = scen_blocks_final_in_window(r, SEC(22), SEC(48), SEC(50), NULL);
    scen_assert(r, during >= 10, "finalized %u blocks with 3 down", during);
    scen_assert(r, scen_figure(r, "view_changes") >= 1, "view changes %g",
                scen_figure(r, "view_changes"));
    assert_live(r);
    assert_all_caught_up(r, 12);
    scen_run_free(r);
}
END_TEST

START_TEST(four_crashed_nothing_final_then_resumes)
{
    scen_run *r = run("pbft", 23, "100s", "90s",
                      "[fault crash]\nat = 20s\nuntil = 50s\naction = crash\nnodes = v6..v9\n");
    scen_assert(r, sim_world_safety_held(r->world), "safety");
    /* 6 of 10: no quorum. Allow in-flight commits for a moment after the crash. */
    guint during = scen_commits_in_window(r, SEC(21), SEC(50));
    scen_assert(r, during == 0, "%u finalizations while 4 of 10 were down", during);
    guint after = scen_blocks_final_in_window(r, SEC(50), SEC(95), SEC(100), NULL);
    scen_assert(r, after >= 10, "finalized %u blocks after the restart", after);
    assert_live(r);
    assert_all_caught_up(r, 12);
    scen_run_free(r);
}
END_TEST

START_TEST(crashed_primary_view_change_then_resumes)
{
    /* v1 is primary of height 1 in view 0 (round-robin: (height+view) mod 10)
     * and of every tenth height after it: crash it for good. */
    scen_run *r = run("pbft", 24, "60s", "50s",
                      "[fault crash]\nat = 0s\naction = crash\nnodes = v1\n");
    scen_assert(r, sim_world_safety_held(r->world), "safety");
    scen_assert(r, scen_figure(r, "view_changes") >= 1, "view changes %g",
                scen_figure(r, "view_changes"));
    scen_assert(r, scen_figure(r, "view_changes.cause.timeout") >= 1, "caused by a timeout");
    scen_assert(r, scen_figure(r, "blocks_final") >= 25, "blocks_final %g",
                scen_figure(r, "blocks_final"));
    scen_run_free(r);
}
END_TEST

START_TEST(even_partition_stalls_then_resumes_without_fork)
{
    scen_run *r = run("pbft", 25, "100s", "90s",
                      "[fault split]\nat = 20s\nuntil = 50s\naction = partition\n"
                      "groups = v0..v4 n0 | v5..v9 n1\n");
    scen_assert(r, sim_world_safety_held(r->world), "safety");
    guint during = scen_commits_in_window(r, SEC(21), SEC(50));
    scen_assert(r, during == 0, "%u finalizations during a 5|5 split", during);
    scen_assert(r, scen_figure(r, "forks") == 0, "forks %g", scen_figure(r, "forks"));
    scen_assert(r, scen_figure(r, "reorgs") == 0, "reorgs %g", scen_figure(r, "reorgs"));
    guint after = scen_blocks_final_in_window(r, SEC(50), SEC(95), SEC(100), NULL);
    scen_assert(r, after >= 10, "finalized %u blocks after the heal", after);
    assert_live(r);
    assert_all_caught_up(r, 12);
    scen_run_free(r);
}
END_TEST

START_TEST(majority_partition_keeps_finalizing)
{
    scen_run *r = run("pbft", 26, "80s", "70s",
                      "[fault split]\nat = 20s\nuntil = 50s\naction = partition\n"
                      "groups = v0..v6 n0 | v7..v9 n1\n");
    scen_assert(r, sim_world_safety_held(r->world), "safety");
    guint maj = scen_blocks_final_in_window(r, SEC(21), SEC(48), SEC(50), NULL);
    scen_assert(r, maj >= 10, "majority finalized %u blocks during the split", maj);
    scen_assert(r, scen_figure(r, "forks") == 0, "forks %g", scen_figure(r, "forks"));
    assert_live(r);
    assert_all_caught_up(r, 12);
    scen_run_free(r);
}
END_TEST

START_TEST(lossy_and_slow_links_stay_safe_and_live)
{
    scen_run *r = run("pbft", 27, "80s", "70s",
                      "[fault slow]\nat = 10s\nuntil = 60s\naction = degrade\n"
                      "nodes = v0..v2\nlatency = constant 400ms\nloss = 0.01\n"
                      "[fault lossy]\nat = 10s\nuntil = 60s\naction = degrade\n"
                      "nodes = v3..v9 n0 n1\nloss = 0.01\n");
    scen_assert(r, sim_world_safety_held(r->world), "safety");
    guint during = scen_blocks_final_in_window(r, SEC(10), SEC(55), SEC(60), NULL);
    scen_assert(r, during >= 25, "finalized %u blocks under degraded links", during);
    scen_assert(r, scen_figure(r, "messages.dropped.loss") > 0, "loss happened");
    assert_live(r);
    scen_run_free(r);
}
END_TEST

START_TEST(same_partition_poa_forks_pbft_stalls)
{
    const char *split = "[fault split]\nat = 20s\nuntil = 50s\naction = partition\n"
                        "groups = v0..v4 n0 | v5..v9 n1\n";
    scen_run *poa = run("poa", 28, "80s", "70s", split);
    scen_run *pbft = run("pbft", 28, "80s", "70s", split);
    scen_assert(poa, sim_world_safety_held(poa->world), "PoA safety");
    scen_assert(pbft, sim_world_safety_held(pbft->world), "PBFT safety");
    /* PoA: both sides keep producing, so the chain forks and one side reorgs. */
    scen_assert(poa, scen_figure(poa, "forks") >= 10, "PoA forks %g", scen_figure(poa, "forks"));
    scen_assert(poa, scen_figure(poa, "reorgs") >= 1, "PoA reorgs %g",
                scen_figure(poa, "reorgs"));
    /* PBFT: no quorum on either side, so nothing is produced: no fork. */
    scen_assert(pbft, scen_figure(pbft, "forks") == 0, "PBFT forks %g",
                scen_figure(pbft, "forks"));
    scen_assert(pbft, scen_figure(pbft, "reorgs") == 0, "PBFT reorgs");
    scen_assert(pbft, scen_commits_in_window(pbft, SEC(21), SEC(50)) == 0,
                "PBFT finalized during the split");
    scen_assert(pbft, scen_blocks_final_in_window(pbft, SEC(50), SEC(75), SEC(80), NULL) >= 5,
                "PBFT resumed after the heal");
    scen_run_free(poa);
    scen_run_free(pbft);
}
END_TEST

/* Stake-weighted rotation under PBFT: v3 holds half the stake, so it
 * proposes half the blocks; quorums are by stake (more than 40 of 60). */
START_TEST(stake_weighted_rotation_and_quorums)
{
    const char *text =
        "[scenario]\nseed = 29\nduration = 60s\n"
        "[network]\nvalidators = 4\nfull_nodes = 1\nlatency = uniform 20ms 80ms\n"
        "[consensus]\nprotocol = pbft\nrotation = stake-weighted\nstakes = 10 10 10 30\n"
        "block_interval = 1s\nview_timeout = 2s\ncheckpoint_interval = 10\ncrypto = fast\n"
        "[workload]\ntx_rate = 100/s\naccounts = 500\nstop = 50s\n"
        "[fault down]\nat = 20s\nuntil = 40s\naction = crash\nnodes = v0\n";
    scen_run *r = scen_run_text(text, NULL);
    scen_assert(r, sim_world_safety_held(r->world), "safety");
    const sim_metrics *m = sim_world_metrics(r->world);
    guint by[4] = {0}, final = 0;
    for (guint i = 0; i < m->blocks->len; i++) {
        const sim_block_record *b = &g_array_index(m->blocks, sim_block_record, i);
        if (b->first_final_ns < 0 || b->proposer >= 4)
            continue;
        by[b->proposer]++;
        final++;
    }
    /* v0 down for 20 s: v1 + v2 + v3 = 50 of 60 > 2/3 keeps finalizing,
     * v0's turns cost view changes. v3 proposes about half of all blocks. */
    scen_assert(r, final >= 45, "final blocks %u", final);
    scen_assert(r, by[3] * 10 >= final * 4 && by[3] * 10 <= final * 6,
                "v3 proposed %u of %u", by[3], final);
    scen_assert(r, by[1] > 0 && by[2] > 0, "v1 %u v2 %u", by[1], by[2]);
    assert_live(r);
    scen_run_free(r);
}
END_TEST

static Suite *pbft_suite(void)
{
    Suite *s = suite_create("pbft-scenarios");
    TCase *tc = tcase_create("pbft");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, steady_finality_without_faults);
    tcase_add_test(tc, three_crashed_finality_continues);
    tcase_add_test(tc, four_crashed_nothing_final_then_resumes);
    tcase_add_test(tc, crashed_primary_view_change_then_resumes);
    tcase_add_test(tc, even_partition_stalls_then_resumes_without_fork);
    tcase_add_test(tc, majority_partition_keeps_finalizing);
    tcase_add_test(tc, lossy_and_slow_links_stay_safe_and_live);
    tcase_add_test(tc, same_partition_poa_forks_pbft_stalls);
    tcase_add_test(tc, stake_weighted_rotation_and_quorums);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(pbft_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
