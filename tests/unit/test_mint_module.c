/* Unit tests for the mint module (protocol/modules/mint) and the core's
 * minted counter: the time-scaled block step equals Cosmos's x/mint
 * arithmetic (mint.h, whose vectors test_staking_math.c pins) exactly
 * when a block covers 1 / blocks_per_year of year_ns; the begin block
 * mints into the distribution module's fee collector, the total supply
 * stays the genesis supply (minted counted as created), undo takes a
 * mint back, and a chain without the module keeps its roots. */
#include <check.h>
#include <string.h>

#include "protocol/modules/mint/mint_module.h"
#include "support/dist_world.h"

#define YEAR_5S_NS (6311520LL * 5000000000LL) /* Cosmos's year of 5 s blocks */

/* The TestNextInflation rows (bonded ratio, inflation) with a supply. */
static const struct {
    const char *bonded, *inflation;
    int64_t supply;
} rows[] = {
    {"0", "0.07", 100000000000000}, {"1", "0.20", 100000000000000},
    {"0.5", "0.10", 100000000000000}, {"1", "0.07", 1000},
    {"1", "0.0700000001", 6311520}, {"0", "0.20", 3},
    {"0", "0.1999999999", 987654321}, {"0.67", "0.15", 123456789012},
    {"0.333333333333333333", "0.13", 999999999999999},
};

/* With dt = year_ns / blocks_per_year (several dt, and the nominal 1 /
 * blocks_per_year share), the step gives exactly NextInflationRate,
 * NextAnnualProvisions and BlockProvision. */
START_TEST(test_step_equals_cosmos)
{
    proto_mint_params p = proto_mint_params_default();
    const uint64_t dts[] = {1, 5000000000ULL, 1234567, 999};
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        proto_dec inflation = dw_dec(rows[i].inflation), bonded = dw_dec(rows[i].bonded);
        proto_dec want_rate, want_annual;
        proto_amount want_provision;
        ck_assert_int_eq(proto_mint_next_inflation_rate(&p, inflation, bonded, &want_rate),
                         PROTO_MINT_OK);
        ck_assert_int_eq(proto_mint_next_annual_provisions(want_rate, rows[i].supply,
                                                           &want_annual),
                         PROTO_MINT_OK);
        ck_assert_int_eq(proto_mint_block_provision(&p, want_annual, &want_provision),
                         PROTO_MINT_OK);
        for (size_t k = 0; k <= G_N_ELEMENTS(dts); k++) {
            uint64_t num = k < G_N_ELEMENTS(dts) ? dts[k] : 1;
            uint64_t den = k < G_N_ELEMENTS(dts) ? dts[k] * p.blocks_per_year : p.blocks_per_year;
            proto_dec rate, annual;
            proto_amount provision;
            ck_assert_int_eq(proto_mint_block_step(&p, inflation, bonded, rows[i].supply, num, den,
                                                   &rate, &annual, &provision),
                             PROTO_MINT_OK);
            dw_ck_dec_eq(rate, want_rate);
            dw_ck_dec_eq(annual, want_annual);
            ck_assert(provision == want_provision);
        }
    }
    /* A block twice as long moves twice as far (before clamping), to the
     * rounding of one Quo. */
    proto_dec one, two, annual;
    proto_amount provision;
    ck_assert_int_eq(proto_mint_block_step(&p, dw_dec("0.10"), dw_dec("0.5"), 1000, 10, 1000,
                                           &one, &annual, &provision),
                     PROTO_MINT_OK);
    ck_assert_int_eq(proto_mint_block_step(&p, dw_dec("0.10"), dw_dec("0.5"), 1000, 20, 1000,
                                           &two, &annual, &provision),
                     PROTO_MINT_OK);
    proto_dec d1, d2;
    ck_assert_int_eq(proto_dec_sub(one, dw_dec("0.10"), &d1), PROTO_DEC_OK);
    ck_assert_int_eq(proto_dec_sub(two, dw_dec("0.10"), &d2), PROTO_DEC_OK);
    ck_assert_int_eq(proto_dec_add(d1, d1, &d1), PROTO_DEC_OK);
    ck_assert_int_eq(proto_dec_sub(d2, d1, &d1), PROTO_DEC_OK);
    ck_assert(!proto_dec_gt(proto_dec_abs(d1), proto_dec_smallest()));
    ck_assert_int_eq(proto_mint_block_step(&p, dw_dec("0.10"), dw_dec("0.5"), 1000, 1, 0, &one,
                                           &annual, &provision),
                     PROTO_MINT_BAD_PARAMS);
}
END_TEST

/* A chain with staking, distribution and mint: accounts 0..2 of 10^9,
 * validator 0 with 10^9 bonded. */
static void mint_world(staking_world *w, bool with_mint)
{
    proto_staking_params sp = dw_staking_params();
    proto_staking_genesis_validator v = dw_validator(0, 1000000000, 10);
    proto_f1_params fp = proto_f1_params_default();
    dw_init(w, 3, 1000000000, &sp, 1, &v, 0, NULL, &fp);
    if (!with_mint)
        return;
    proto_mint_module_params mp = {.mint = proto_mint_params_default(), .year_ns = YEAR_5S_NS};
    proto_mint_genesis(w->s, &mp, dw_dec("0.13"));
}

/* The first block counts as one nominal block, the next as its share of
 * the year; the provision lands in the fee collector, minted grows, the
 * total supply does not, and the end block hands it to the validator. */
START_TEST(test_begin_block_mints)
{
    staking_world w;
    mint_world(&w, true);
    uint64_t supply = proto_state_total_supply(w.s); /* 4 x 10^9 */
    ck_assert_uint_eq(supply, 4000000000ULL);
    proto_mint_params p = proto_mint_params_default();
    proto_dec ratio, rate, annual;
    proto_amount provision;
    ck_assert_int_eq(proto_mint_bonded_ratio(1000000000, 4000000000LL, &ratio), PROTO_MINT_OK);
    ck_assert_int_eq(proto_mint_next_inflation_rate(&p, dw_dec("0.13"), ratio, &rate),
                     PROTO_MINT_OK);
    ck_assert_int_eq(proto_mint_next_annual_provisions(rate, 4000000000LL, &annual),
                     PROTO_MINT_OK);
    ck_assert_int_eq(proto_mint_block_provision(&p, annual, &provision), PROTO_MINT_OK);
    dw_begin_block(&w, NULL);
    dw_ck_dec_eq(proto_mint_inflation(w.s), rate);
    dw_ck_dec_eq(proto_mint_annual_provisions(w.s), annual);
    ck_assert(provision > 0 && (uint64_t)provision == proto_mint_last_provision(w.s));
    ck_assert_uint_eq(proto_distribution_fee_collector(w.s), (uint64_t)provision);
    ck_assert_uint_eq(proto_mint_minted_total(w.s), (uint64_t)provision);
    dw_check(&w, supply, "after the first mint");
    stk_end_block(&w, NULL); /* no votes: to the community pool */
    ck_assert_uint_eq(proto_distribution_community_pool_coins(w.s), (uint64_t)provision);
    /* Ten nominal blocks of 5 s each mint ten times as much as one. */
    stk_next(&w, 50000000000LL);
    dw_begin_block(&w, NULL);
    uint64_t ten = proto_mint_last_provision(w.s);
    ck_assert_uint_ge(ten, 10 * (uint64_t)provision - 10);
    ck_assert_uint_le(ten, 10 * (uint64_t)provision + 10);
    /* A block at the same time mints nothing. */
    stk_end_block(&w, NULL);
    stk_next(&w, 0);
    uint64_t minted = proto_state_minted(w.s);
    dw_begin_block(&w, NULL);
    ck_assert_uint_eq(proto_mint_last_provision(w.s), 0);
    ck_assert_uint_eq(proto_state_minted(w.s), minted);
    dw_check(&w, supply, "after three blocks");
    stk_clear(&w);
}
END_TEST

/* Undo takes a mint back: minted, the fee collector, the mint state and
 * the root are what they were; the supply cache too (a later mint of the
 * same amount still fits). */
START_TEST(test_mint_undo)
{
    staking_world w;
    mint_world(&w, true);
    uint64_t supply = proto_state_total_supply(w.s);
    proto_hash before, after;
    stk_root(&w, &before);
    proto_undo undo;
    proto_undo_init(&undo);
    dw_begin_block(&w, &undo);
    ck_assert_uint_gt(proto_state_minted(w.s), 0);
    stk_root(&w, &after);
    ck_assert_mem_ne(before.bytes, after.bytes, PROTO_HASH_SIZE);
    proto_state_revert(w.s, &undo);
    ck_assert_uint_eq(proto_state_minted(w.s), 0);
    ck_assert_uint_eq(proto_distribution_fee_collector(w.s), 0);
    dw_ck_dec_eq(proto_mint_inflation(w.s), dw_dec("0.13"));
    stk_root(&w, &after);
    ck_assert_mem_eq(before.bytes, after.bytes, PROTO_HASH_SIZE);
    /* A mark-based revert (a transaction's messages) takes it back too. */
    proto_undo_mark mark = proto_undo_mark_now(&undo, w.s);
    proto_state_mint(w.s, 5, &undo);
    proto_distribution_collect(w.s, 5, &undo);
    proto_state_revert_to(w.s, &undo, &mark);
    ck_assert_uint_eq(proto_state_minted(w.s), 0);
    stk_root(&w, &after);
    ck_assert_mem_eq(before.bytes, after.bytes, PROTO_HASH_SIZE);
    proto_undo_clear(&undo);
    dw_check(&w, supply, "after undo");
    stk_clear(&w);
}
END_TEST

/* Without the mint module nothing is minted and the root does not
 * depend on the counter (it is left out at zero); the mint module
 * without distribution mints nothing (nowhere to pay). */
START_TEST(test_absent)
{
    staking_world a, b;
    mint_world(&a, false);
    mint_world(&b, false);
    dw_begin_block(&a, NULL);
    ck_assert_uint_eq(proto_state_minted(a.s), 0);
    proto_hash ra, rb;
    stk_root(&a, &ra);
    stk_root(&b, &rb);
    ck_assert_mem_eq(ra.bytes, rb.bytes, PROTO_HASH_SIZE);
    ck_assert(proto_dec_is_zero(proto_mint_inflation(a.s)));
    ck_assert_uint_eq(proto_mint_last_provision(a.s), 0);
    stk_clear(&a);
    stk_clear(&b);

    staking_world c;
    proto_staking_params sp = dw_staking_params();
    proto_staking_genesis_validator v = dw_validator(0, 1000, 10);
    stk_init(&c, 2, 1000, &sp, 1, &v, 0, NULL);
    proto_mint_module_params mp = {.mint = proto_mint_params_default(), .year_ns = YEAR_5S_NS};
    proto_mint_genesis(c.s, &mp, dw_dec("0.13"));
    dw_begin_block(&c, NULL);
    ck_assert_uint_eq(proto_state_minted(c.s), 0);
    stk_clear(&c);
}
END_TEST

static Suite *mint_module_suite(void)
{
    Suite *s = suite_create("mint_module");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_step_equals_cosmos);
    tcase_add_test(tc, test_begin_block_mints);
    tcase_add_test(tc, test_mint_undo);
    tcase_add_test(tc, test_absent);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(mint_module_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
