/* Whole-world check of the proposer rotation setting ([consensus] rotation).
 *
 * With `rotation = stake-weighted` and stakes 10 10 10 30, PoA slots follow
 * CometBFT's proposer priority: v3 owns half of all slots (period 6:
 * v3 v0 v1 v3 v2 v3, ties going to the lower index), so about half the
 * blocks are v3's. The same stakes under round-robin give v3 a quarter,
 * which shows the setting reaches the world (it used to be ignored). Every
 * recorded block's proposer is the schedule's owner of its slot, the run is
 * safe, and finality works (v3 plus any two others hold > 2/3). */
#include "scenario_support.h"

#include "protocol/chain/rotation.h"

static const char *BASE = "[scenario]\nseed = 21\nduration = 60s\n"
                          "[network]\nvalidators = 4\nfull_nodes = 1\nlatency = uniform 20ms 60ms\n"
                          "[consensus]\nprotocol = poa\nrotation = %s\nstakes = 10 10 10 30\n"
                          "block_interval = 1s\ncrypto = fast\n"
                          "[workload]\ntx_rate = 20/s\naccounts = 100\nstop = 50s\n";

static scen_run *run_rotation(const char *rotation)
{
    char *text = g_strdup_printf(BASE, rotation);
    scen_run *r = scen_run_text(text, NULL);
    g_free(text);
    return r;
}

/* Blocks per proposer; every block's proposer must own its slot. */
static guint count_blocks(const scen_run *r, proto_rotation *schedule, guint counts[4])
{
    const sim_metrics *m = sim_world_metrics(r->world);
    guint total = 0;
    for (guint i = 0; i < m->blocks->len; i++) {
        const sim_block_record *b = &g_array_index(m->blocks, sim_block_record, i);
        scen_assert(r, b->proposer < 4, "block %u proposer %u", i, b->proposer);
        scen_assert(r, proto_rotation_proposer(schedule, b->slot) == b->proposer,
                    "slot %" G_GUINT64_FORMAT " proposed by v%u, scheduled v%u", b->slot,
                    b->proposer, proto_rotation_proposer(schedule, b->slot));
        counts[b->proposer]++;
        total++;
    }
    return total;
}

START_TEST(stake_weighted_follows_stake)
{
    scen_run *r = run_rotation("stake-weighted");
    scen_assert(r, sim_world_safety_held(r->world), "safety");
    const uint64_t stakes[4] = {10, 10, 10, 30};
    proto_rotation *schedule = proto_rotation_new(PROTO_ROTATION_STAKE_WEIGHTED, stakes, 4);
    guint counts[4] = {0};
    guint total = count_blocks(r, schedule, counts);
    proto_rotation_free(schedule);
    /* ~60 slots of 1 s, one block each without faults. */
    scen_assert(r, total >= 55 && total <= 61, "%u blocks", total);
    scen_assert(r, counts[3] * 2 + 2 >= total && counts[3] * 2 <= total + 2,
                "v3 (half the stake) proposed %u of %u", counts[3], total);
    for (int v = 0; v < 3; v++)
        scen_assert(r, counts[v] * 6 + 6 >= total && counts[v] * 6 <= total + 6,
                    "v%d (a sixth of the stake) proposed %u of %u", v, counts[v], total);
    double final = scen_figure(r, "blocks_final");
    scen_assert(r, final >= 45, "blocks_final = %g", final);
    scen_assert(r, scen_figure(r, "forks") == 0, "forks = %g", scen_figure(r, "forks"));
    scen_run_free(r);
}
END_TEST

START_TEST(round_robin_ignores_stake)
{
    scen_run *r = run_rotation("round-robin");
    scen_assert(r, sim_world_safety_held(r->world), "safety");
    proto_rotation *schedule = proto_rotation_new(PROTO_ROTATION_ROUND_ROBIN, NULL, 4);
    guint counts[4] = {0};
    guint total = count_blocks(r, schedule, counts);
    proto_rotation_free(schedule);
    scen_assert(r, total >= 55, "%u blocks", total);
    for (int v = 0; v < 4; v++)
        scen_assert(r, counts[v] * 4 + 4 >= total && counts[v] * 4 <= total + 4,
                    "v%d proposed %u of %u", v, counts[v], total);
    scen_run_free(r);
}
END_TEST

static Suite *rotation_suite(void)
{
    Suite *s = suite_create("rotation-scenarios");
    TCase *tc = tcase_create("rotation");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, stake_weighted_follows_stake);
    tcase_add_test(tc, round_robin_ignores_stake);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(rotation_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
