/* Unit tests for fee estimation (protocol/chain/fee_oracle.c).
 *
 * The tip oracle reproduces go-ethereum's TestSuggestTipCap
 * (eth/gasprice/gasprice_test.go): a chain of 32 blocks in which block n
 * holds one transaction tipping n gwei, an oracle with Blocks 3,
 * Percentile 60 and Default 1 gwei. Each block yields one sample, so the
 * oracle reads three more blocks (six in all, 2 x Blocks); the samples are
 * 32, 31, 30, 29, 28, 27 gwei, and the answer, element (6 - 1) * 60 / 100
 * = 3 of the sorted samples, is 30 gwei. Then the rules around it (the
 * lowest `sample` tips per block, ignored tips and proposer transactions,
 * the last answer standing in for empty blocks, the price cap) and the fee
 * history (base fees with the next one, gas-used ratios, gas-weighted tip
 * percentiles as go-ethereum's processBlock computes them, bad requests). */
#include <check.h>
#include <glib.h>
#include <string.h>

#include "protocol/chain/fee_oracle.h"

#define GWEI 1000000000ull
#define TEST_HEAD 32

/* Block n (1..TEST_HEAD) of the test chain: one tx tipping n gwei. */
typedef struct tip_chain {
    proto_fee_tx_record txs[TEST_HEAD];
    proto_fee_block_record blocks[TEST_HEAD];
} tip_chain;

static void tip_chain_init(tip_chain *c)
{
    for (int i = 0; i < TEST_HEAD; i++) {
        c->txs[i] = (proto_fee_tx_record){.gas_used = 21000,
                                          .effective_tip = (uint64_t)(i + 1) * GWEI};
        c->blocks[i] = (proto_fee_block_record){.base_fee = GWEI, .gas_used = 21000,
                                                .gas_limit = 30000000, .txs = &c->txs[i],
                                                .tx_count = 1};
    }
}

static proto_fee_oracle_params suggest_tip_cap_config(void)
{
    proto_fee_oracle_params op = proto_fee_oracle_params_geth();
    op.blocks = 3;
    op.percentile = 60;
    return op;
}

START_TEST(test_geth_suggest_tip_cap)
{
    tip_chain c;
    tip_chain_init(&c);
    proto_fee_oracle_params op = suggest_tip_cap_config();
    ck_assert_uint_eq(op.sample, 3);           /* sampleNumber */
    ck_assert_uint_eq(op.max_price, 500 * GWEI); /* DefaultMaxPrice */
    ck_assert_uint_eq(op.ignore_price, 2);     /* DefaultIgnorePrice */
    ck_assert_uint_eq(proto_fee_suggest_tip(&op, c.blocks, TEST_HEAD, GWEI), 30 * GWEI);
    /* Exactly six blocks were read: what lies below block 27 does not count. */
    for (int i = 0; i < 26; i++)
        c.txs[i].effective_tip = 1000 * GWEI;
    ck_assert_uint_eq(proto_fee_suggest_tip(&op, c.blocks, TEST_HEAD, GWEI), 30 * GWEI);
    c.txs[26].effective_tip = 1000 * GWEI; /* block 27: samples 28..32 and 1000 */
    ck_assert_uint_eq(proto_fee_suggest_tip(&op, c.blocks, TEST_HEAD, GWEI), 31 * GWEI);
}
END_TEST

START_TEST(test_oracle_sampling_rules)
{
    proto_fee_oracle_params op = suggest_tip_cap_config();
    op.percentile = 0; /* the lowest sample */
    /* One block of five: the three lowest are sampled, so no further block
     * is read; the proposer's own tip and a tip under ignore_price are
     * skipped. */
    proto_fee_tx_record busy[] = {
        {.gas_used = 1, .effective_tip = 50}, {.gas_used = 1, .effective_tip = 10},
        {.gas_used = 1, .effective_tip = 40}, {.gas_used = 1, .effective_tip = 20},
        {.gas_used = 1, .effective_tip = 30}, {.gas_used = 1, .effective_tip = 1},
        {.gas_used = 1, .effective_tip = 5, .from_proposer = true},
    };
    proto_fee_block_record b = {.base_fee = 7, .gas_used = 7, .gas_limit = 100, .txs = busy,
                                .tx_count = G_N_ELEMENTS(busy)};
    op.blocks = 1;
    ck_assert_uint_eq(proto_fee_suggest_tip(&op, &b, 1, 999), 10);
    op.percentile = 100;
    ck_assert_uint_eq(proto_fee_suggest_tip(&op, &b, 1, 999), 30);
    op.percentile = 50;
    ck_assert_uint_eq(proto_fee_suggest_tip(&op, &b, 1, 999), 20);
    /* The cap. */
    op.max_price = 15;
    ck_assert_uint_eq(proto_fee_suggest_tip(&op, &b, 1, 999), 15);
}
END_TEST

START_TEST(test_oracle_empty_blocks)
{
    proto_fee_oracle_params op = suggest_tip_cap_config();
    proto_fee_block_record empty[4];
    for (int i = 0; i < 4; i++)
        empty[i] = (proto_fee_block_record){.base_fee = 1, .gas_limit = 100};
    /* Nothing to sample: the last answer stands in for each block. */
    ck_assert_uint_eq(proto_fee_suggest_tip(&op, empty, 4, 7 * GWEI), 7 * GWEI);
    /* No blocks at all: the last answer, capped. */
    ck_assert_uint_eq(proto_fee_suggest_tip(&op, empty, 0, 7 * GWEI), 7 * GWEI);
    ck_assert_uint_eq(proto_fee_suggest_tip(&op, empty, 0, 900 * GWEI), 500 * GWEI);
    /* Blocks of only proposer transactions count as empty. */
    proto_fee_tx_record own = {.gas_used = 21000, .effective_tip = 3 * GWEI,
                               .from_proposer = true};
    empty[3].txs = &own;
    empty[3].tx_count = 1;
    ck_assert_uint_eq(proto_fee_suggest_tip(&op, empty, 4, 7 * GWEI), 7 * GWEI);
    own.from_proposer = false;
    op.percentile = 0;
    ck_assert_uint_eq(proto_fee_suggest_tip(&op, empty, 4, 7 * GWEI), 3 * GWEI);
}
END_TEST

/* go-ethereum's processBlock on one block: txs sorted by tip, the reward
 * for p is the tip where the running gas reaches gas_used * p / 100. */
START_TEST(test_fee_history_rewards)
{
    proto_fee_tx_record txs[] = {
        {.gas_used = 1000, .effective_tip = 5},
        {.gas_used = 6000, .effective_tip = 1},
        {.gas_used = 3000, .effective_tip = 3},
    };
    proto_fee_block_record blocks[] = {
        {.base_fee = 1000, .gas_used = 10000, .gas_limit = 40000, .txs = txs, .tx_count = 3},
        {.base_fee = 1000, .gas_used = 0, .gas_limit = 40000}, /* empty: zeros */
    };
    const uint32_t percentiles[] = {0, 2500, 5000, 6000, 6001, 7500, 9000, 9001, 10000};
    enum { NP = G_N_ELEMENTS(percentiles) };
    uint64_t base_fee[3];
    double ratio[2];
    uint64_t reward[2 * NP];
    proto_fee_params p = proto_fee_params_eip1559();
    ck_assert_int_eq(proto_fee_history(&p, blocks, 2, percentiles, NP, base_fee, ratio, reward),
                     PROTO_FEE_HISTORY_OK);
    /* Sorted: (6000 gas, tip 1), (3000, 3), (1000, 5); running sums 6000,
     * 9000, 10000 against thresholds 10000 * p / 100. */
    const uint64_t want[NP] = {1, 1, 1, 1, 3, 3, 3, 5, 5};
    for (int k = 0; k < NP; k++) {
        ck_assert_msg(reward[k] == want[k], "percentile %u: %" G_GUINT64_FORMAT,
                      percentiles[k], reward[k]);
        ck_assert_uint_eq(reward[NP + k], 0);
    }
    /* Base fees: each block's, then the next one (block 2 was empty). */
    ck_assert_uint_eq(base_fee[0], 1000);
    ck_assert_uint_eq(base_fee[1], 1000);
    ck_assert_uint_eq(base_fee[2], 875);
    ck_assert(ratio[0] == 0.25);
    ck_assert(ratio[1] == 0.0);
}
END_TEST

START_TEST(test_fee_history_unsorted_block_and_no_rewards)
{
    /* Block order is not tip order; the walk goes by tip (2, then 4, 4). */
    proto_fee_tx_record txs[] = {
        {.gas_used = 5000, .effective_tip = 4},
        {.gas_used = 2500, .effective_tip = 2},
        {.gas_used = 2500, .effective_tip = 4},
    };
    proto_fee_block_record b = {.base_fee = 8, .gas_used = 10000, .gas_limit = 10000,
                                .txs = txs, .tx_count = 3};
    const uint32_t percentiles[] = {2500, 2501, 10000};
    uint64_t base_fee[2], reward[3];
    double ratio[1];
    proto_fee_params p = proto_fee_params_eip1559();
    ck_assert_int_eq(proto_fee_history(&p, &b, 1, percentiles, 3, base_fee, ratio, reward),
                     PROTO_FEE_HISTORY_OK);
    ck_assert_uint_eq(reward[0], 2);
    ck_assert_uint_eq(reward[1], 4);
    ck_assert_uint_eq(reward[2], 4);
    ck_assert_uint_eq(base_fee[1], 9); /* full block: 8 + 8/8 */
    ck_assert(ratio[0] == 1.0);
    /* Without percentiles no reward is written (reward may be NULL). */
    ck_assert_int_eq(proto_fee_history(&p, &b, 1, NULL, 0, base_fee, ratio, NULL),
                     PROTO_FEE_HISTORY_OK);
    /* No blocks: nothing to say, nothing written. */
    base_fee[0] = 42;
    ck_assert_int_eq(proto_fee_history(&p, &b, 0, NULL, 0, base_fee, ratio, NULL),
                     PROTO_FEE_HISTORY_OK);
    ck_assert_uint_eq(base_fee[0], 42);
}
END_TEST

START_TEST(test_fee_history_bad_requests)
{
    proto_fee_block_record b = {.base_fee = 8, .gas_used = 0, .gas_limit = 100};
    proto_fee_params p = proto_fee_params_eip1559();
    uint64_t base_fee[2] = {42, 42}, reward[2] = {42, 42};
    double ratio[1] = {42.0};
    /* go-ethereum's errInvalidPercentile: above 100, or decreasing ([20, 10]). */
    const uint32_t over[] = {10001};
    const uint32_t decreasing[] = {2000, 1000};
    ck_assert_int_eq(proto_fee_history(&p, &b, 1, over, 1, base_fee, ratio, reward),
                     PROTO_FEE_HISTORY_BAD_PERCENTILE);
    ck_assert_int_eq(proto_fee_history(&p, &b, 1, decreasing, 2, base_fee, ratio, reward),
                     PROTO_FEE_HISTORY_BAD_PERCENTILE);
    uint32_t many[PROTO_FEE_HISTORY_PERCENTILES_MAX + 1] = {0};
    ck_assert_int_eq(proto_fee_history(&p, &b, 1, many, G_N_ELEMENTS(many), base_fee, ratio,
                                       reward),
                     PROTO_FEE_HISTORY_TOO_MANY_PERCENTILES);
    ck_assert_int_eq(proto_fee_history(&p, &b, PROTO_FEE_HISTORY_BLOCKS_MAX + 1, NULL, 0,
                                       base_fee, ratio, reward),
                     PROTO_FEE_HISTORY_TOO_MANY_BLOCKS);
    /* Nothing was written by any refusal. */
    ck_assert_uint_eq(base_fee[0], 42);
    ck_assert_uint_eq(base_fee[1], 42);
    ck_assert_uint_eq(reward[0], 42);
    ck_assert(ratio[0] == 42.0);
    ck_assert_str_eq(proto_fee_history_result_name(PROTO_FEE_HISTORY_BAD_PERCENTILE),
                     "bad_percentile");
}
END_TEST

static Suite *fee_oracle_suite(void)
{
    Suite *s = suite_create("fee_oracle");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_geth_suggest_tip_cap);
    tcase_add_test(tc, test_oracle_sampling_rules);
    tcase_add_test(tc, test_oracle_empty_blocks);
    tcase_add_test(tc, test_fee_history_rewards);
    tcase_add_test(tc, test_fee_history_unsorted_block_and_no_rewards);
    tcase_add_test(tc, test_fee_history_bad_requests);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(fee_oracle_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
