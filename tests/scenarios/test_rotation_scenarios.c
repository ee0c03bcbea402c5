/* Whole-world check of the proposer rotation setting ([consensus] rotation).
 *
 * With `rotation = stake-weighted` and stakes 10 10 10 30, PoA heights
 * follow CometBFT's proposer priority, one increment per height (and per
 * slot that passes without a block: a later round): v3 proposes half of
 * all heights (period 6: v3 v0 v1 v3 v2 v3, ties going to the lower
 * index), so about half the blocks are v3's. The same stakes under
 * round-robin give v3 a quarter, which shows the setting reaches the world
 * (it used to be ignored). Every recorded block's proposer is the one of
 * its height and round (slots since its parent's, less one), the run is
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

#define SEQ_MAX 512

/* CometBFT's proposers of an unchanged set, position k = height 1 + k
 * rounds: NewValidatorSet, then one IncrementProposerPriority(1) each. */
static void cmt_sequence(const uint64_t stakes[4], uint32_t seq[SEQ_MAX])
{
    proto_cmt_validator vals[4];
    for (uint32_t i = 0; i < 4; i++) {
        uint8_t a[4] = {0, 0, 0, (uint8_t)i};
        vals[i] = proto_validator_make(a, 4, (int64_t)stakes[i]);
    }
    proto_cmt_valset set;
    ck_assert_int_eq(proto_cmt_valset_init_new(&set, vals, 4), PROTO_CMT_VALSET_OK);
    for (uint32_t k = 0; k < SEQ_MAX; k++) {
        seq[k] = proto_cmt_valset_get_proposer(&set)->address[3];
        proto_cmt_valset_increment_proposer_priority(&set, 1);
    }
    proto_cmt_valset_clear(&set);
}

/* Blocks per proposer; every block's proposer must be the one of its
 * height and round. seq: CometBFT's positions, or NULL for round-robin. */
static guint count_blocks(const scen_run *r, const uint32_t *seq, guint counts[4])
{
    const sim_metrics *m = sim_world_metrics(r->world);
    uint64_t slot_at[SEQ_MAX] = {0}; /* height -> slot, genesis 0 */
    guint seen[SEQ_MAX] = {0};
    for (guint i = 0; i < m->blocks->len; i++) {
        const sim_block_record *b = &g_array_index(m->blocks, sim_block_record, i);
        if (b->height < SEQ_MAX) {
            slot_at[b->height] = b->slot;
            seen[b->height]++;
        }
    }
    guint total = 0;
    for (guint i = 0; i < m->blocks->len; i++) {
        const sim_block_record *b = &g_array_index(m->blocks, sim_block_record, i);
        scen_assert(r, b->proposer < 4, "block %u proposer %u", i, b->proposer);
        scen_assert(r, b->height >= 1 && b->height < SEQ_MAX / 2, "height %" G_GUINT64_FORMAT,
                    b->height);
        if (seen[b->height - 1] <= 1 || b->height == 1) {
            uint64_t rounds = b->slot - slot_at[b->height - 1] - 1;
            uint64_t position = b->height - 1 + rounds;
            scen_assert(r, position < SEQ_MAX, "position %" G_GUINT64_FORMAT, position);
            uint32_t want = seq != NULL ? seq[position] : (uint32_t)(position % 4);
            scen_assert(r, want == b->proposer,
                        "height %" G_GUINT64_FORMAT " slot %" G_GUINT64_FORMAT
                        " proposed by v%u, its round's proposer is v%u",
                        b->height, b->slot, b->proposer, want);
        }
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
    uint32_t seq[SEQ_MAX];
    cmt_sequence(stakes, seq);
    guint counts[4] = {0};
    guint total = count_blocks(r, seq, counts);
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
    guint counts[4] = {0};
    guint total = count_blocks(r, NULL, counts);
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
