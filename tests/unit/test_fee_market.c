/* Unit tests for the EIP-1559 fee market (protocol/chain/fee_market.c).
 *
 * Vectors copied from their sources:
 *  - go-ethereum consensus/misc/eip1559/eip1559_test.go, TestCalcBaseFee
 *    (parent base fee, gas limit, gas used -> next base fee) and
 *    TestBlockGasLimits (parent limit, parent number, child limit -> valid;
 *    London at block 5, so a parent numbered 4 has its limit multiplied by
 *    the elasticity first);
 *  - alloy crates/eips/src/eip1559/helpers.rs, calculate_base_fee_success
 *    (the same inputs under Ethereum's, OP mainnet's (elasticity 6,
 *    denominator 50) and OP Canyon's (6, 250) parameters) and
 *    calculate_block_gas_limit_bounds (a parent of 30,000,000 allows
 *    29,970,705 to 30,029,295).
 * Then the analytical consequences: unchanged at target, +12.5% for a full
 * block, -12.5% for an empty one, 1.125^6 over six full blocks, 0.875^20
 * over twenty empty ones; and the transaction fee checks. */
#include <check.h>
#include <glib.h>

#include "protocol/chain/fee_market.h"

#define GWEI 1000000000ull

START_TEST(test_geth_calc_base_fee)
{
    static const struct {
        uint64_t parent_base_fee, parent_gas_limit, parent_gas_used, expected;
    } tests[] = {
        {GWEI, 20000000, 10000000, GWEI},      /* usage == target */
        {GWEI, 20000000, 9000000, 987500000},  /* usage below target */
        {GWEI, 20000000, 11000000, 1012500000}, /* usage above target */
    };
    proto_fee_params p = proto_fee_params_eip1559();
    ck_assert_uint_eq(p.initial_base_fee, GWEI); /* params.InitialBaseFee */
    for (size_t i = 0; i < G_N_ELEMENTS(tests); i++) {
        uint64_t have = proto_fee_next_base_fee(&p, tests[i].parent_gas_used,
                                                tests[i].parent_gas_limit,
                                                tests[i].parent_base_fee);
        ck_assert_msg(have == tests[i].expected, "test %zu: have %" G_GUINT64_FORMAT
                      " want %" G_GUINT64_FORMAT, i, have, tests[i].expected);
    }
}
END_TEST

START_TEST(test_alloy_base_fee_vectors)
{
    static const struct {
        uint64_t base_fee, gas_used, gas_limit;
        uint64_t ethereum, optimism, canyon;
    } v[] = {
        {1000000000, 10000000, 10000000, 1125000000, 1100000048, 1020000009},
        {1000000000, 10000000, 12000000, 1083333333, 1080000000, 1016000000},
        {1000000000, 10000000, 14000000, 1053571428, 1065714297, 1013142859},
        {1072671875, 9000000, 10000000, 1179939062, 1167067046, 1091550909},
        {1059263476, 10001000, 14000000, 1116028649, 1128881311, 1073187043},
        {1049238967, 0, 2000000, 918084097, 1028254188, 1045042012},
        {1049238967, 10000000, 18000000, 1063811730, 1098203452, 1059031864},
        /* the "max(1, delta)" minimum increase */
        {0, 10000000, 18000000, 1, 1, 1},
        {1, 10000000, 18000000, 2, 2, 2},
        {2, 10000000, 18000000, 3, 3, 3},
    };
    proto_fee_params eth = proto_fee_params_eip1559();
    proto_fee_params op = eth;
    op.elasticity_multiplier = 6;
    op.base_fee_change_denominator = 50;
    proto_fee_params canyon = op;
    canyon.base_fee_change_denominator = 250;
    for (size_t i = 0; i < G_N_ELEMENTS(v); i++) {
        ck_assert_uint_eq(proto_fee_next_base_fee(&eth, v[i].gas_used, v[i].gas_limit,
                                                  v[i].base_fee), v[i].ethereum);
        ck_assert_uint_eq(proto_fee_next_base_fee(&op, v[i].gas_used, v[i].gas_limit,
                                                  v[i].base_fee), v[i].optimism);
        ck_assert_uint_eq(proto_fee_next_base_fee(&canyon, v[i].gas_used, v[i].gas_limit,
                                                  v[i].base_fee), v[i].canyon);
    }
}
END_TEST

START_TEST(test_target_full_empty)
{
    proto_fee_params p = proto_fee_params_eip1559();
    const uint64_t limit = 30000000;
    ck_assert_uint_eq(proto_fee_gas_target(&p, limit), 15000000);
    /* Exactly unchanged at target, +12.5% full, -12.5% empty. */
    ck_assert_uint_eq(proto_fee_next_base_fee(&p, 15000000, limit, 1000), 1000);
    ck_assert_uint_eq(proto_fee_next_base_fee(&p, limit, limit, 1000), 1125);
    ck_assert_uint_eq(proto_fee_next_base_fee(&p, 0, limit, 1000), 875);
    ck_assert_uint_eq(proto_fee_next_base_fee(&p, 20000000, 20000000, GWEI), 1125000000);
    ck_assert_uint_eq(proto_fee_next_base_fee(&p, 0, 20000000, GWEI), 875000000);
    /* Six full blocks: x1.125^6 = 2.027 (floored at each step); twenty
     * empty ones: x0.875^20 = 0.0692. */
    uint64_t up = GWEI, down = GWEI;
    for (int i = 0; i < 6; i++)
        up = proto_fee_next_base_fee(&p, limit, limit, up);
    for (int i = 0; i < 20; i++)
        down = proto_fee_next_base_fee(&p, 0, limit, down);
    ck_assert_uint_eq(up, 2027286528);
    ck_assert_uint_eq(down, 69208762);
    /* One gas over target still moves a base fee of 1 by the minimum 1;
     * one under it cannot lower a small base fee (the delta floors to 0). */
    ck_assert_uint_eq(proto_fee_next_base_fee(&p, 15000001, limit, 1), 2);
    ck_assert_uint_eq(proto_fee_next_base_fee(&p, 14999999, limit, 7), 7);
}
END_TEST

START_TEST(test_floor_and_extremes)
{
    proto_fee_params p = proto_fee_params_eip1559();
    p.min_base_fee = 900;
    ck_assert_uint_eq(proto_fee_next_base_fee(&p, 0, 30000000, 1000), 900);
    ck_assert_uint_eq(proto_fee_next_base_fee(&p, 0, 30000000, 1200), 1050);
    ck_assert_uint_eq(proto_fee_next_base_fee(&p, 15000000, 30000000, 10), 900);
    p.min_base_fee = 0;
    /* Products wider than 64 bits are exact; the sum saturates. */
    ck_assert_uint_eq(proto_fee_next_base_fee(&p, UINT64_MAX, UINT64_MAX, UINT64_MAX),
                      UINT64_MAX);
    ck_assert_uint_eq(proto_fee_next_base_fee(&p, 0, UINT64_MAX, UINT64_MAX),
                      UINT64_MAX - UINT64_MAX / 8);
    ck_assert_uint_eq(proto_fee_next_base_fee(&p, UINT64_MAX, UINT64_MAX, 1ull << 60),
                      (1ull << 60) + (1ull << 57));
    /* A limit under the elasticity has no target: the fee stays. */
    ck_assert_uint_eq(proto_fee_next_base_fee(&p, 1, 1, 77), 77);
    ck_assert_uint_eq(proto_fee_next_base_fee(&p, 0, 0, 77), 77);
}
END_TEST

START_TEST(test_geth_block_gas_limits)
{
    static const struct {
        uint64_t parent_gas_limit;
        int parent_number;
        uint64_t gas_limit;
        gboolean ok;
    } tests[] = {
        /* Transitions from non-london to london */
        {10000000, 4, 20000000, TRUE},  /* No change */
        {10000000, 4, 20019530, TRUE},  /* Upper limit */
        {10000000, 4, 20019531, FALSE}, /* Upper +1 */
        {10000000, 4, 19980470, TRUE},  /* Lower limit */
        {10000000, 4, 19980469, FALSE}, /* Lower limit -1 */
        /* London to London */
        {20000000, 5, 20000000, TRUE},
        {20000000, 5, 20019530, TRUE},  /* Upper limit */
        {20000000, 5, 20019531, FALSE}, /* Upper limit +1 */
        {20000000, 5, 19980470, TRUE},  /* Lower limit */
        {20000000, 5, 19980469, FALSE}, /* Lower limit -1 */
        {40000000, 5, 40039061, TRUE},  /* Upper limit */
        {40000000, 5, 40039062, FALSE}, /* Upper limit +1 */
        {40000000, 5, 39960939, TRUE},  /* lower limit */
        {40000000, 5, 39960938, FALSE}, /* Lower limit -1 */
    };
    proto_fee_params p = proto_fee_params_eip1559();
    for (size_t i = 0; i < G_N_ELEMENTS(tests); i++) {
        proto_fee_header_check c;
        if (tests[i].parent_number < 5) {
            /* The fork block: geth doubles the parent's limit, its base fee is
             * the initial one; only the limit rule is left to check. */
            c = proto_fee_verify_gas_limit(&p, tests[i].parent_gas_limit *
                                                   p.elasticity_multiplier,
                                           tests[i].gas_limit);
        } else {
            proto_fee_header parent = {.gas_limit = tests[i].parent_gas_limit,
                                       .gas_used = tests[i].parent_gas_limit / 2,
                                       .base_fee = p.initial_base_fee};
            proto_fee_header header = {.gas_limit = tests[i].gas_limit,
                                       .gas_used = tests[i].gas_limit / 2,
                                       .base_fee = p.initial_base_fee};
            c = proto_fee_verify_header(&p, &parent, &header);
        }
        ck_assert_msg((c == PROTO_FEE_HEADER_OK) == tests[i].ok, "test %zu: %s", i,
                      proto_fee_header_check_name(c));
        if (!tests[i].ok)
            ck_assert_int_eq(c, PROTO_FEE_HEADER_GAS_LIMIT_JUMP);
    }
    /* alloy: a parent of 30,000,000 allows [29,970,705, 30,029,295]. */
    ck_assert_int_eq(proto_fee_verify_gas_limit(&p, 30000000, 29970705), PROTO_FEE_HEADER_OK);
    ck_assert_int_eq(proto_fee_verify_gas_limit(&p, 30000000, 30029295), PROTO_FEE_HEADER_OK);
    ck_assert_int_eq(proto_fee_verify_gas_limit(&p, 30000000, 29970704),
                     PROTO_FEE_HEADER_GAS_LIMIT_JUMP);
    ck_assert_int_eq(proto_fee_verify_gas_limit(&p, 30000000, 30029296),
                     PROTO_FEE_HEADER_GAS_LIMIT_JUMP);
}
END_TEST

START_TEST(test_header_rules)
{
    proto_fee_params p = proto_fee_params_eip1559();
    /* MinGasLimit 5000: from a parent of 5002 a step of 3 is within the
     * bound (5002 / 1024 = 4, strict), but 4999 is under the minimum. */
    ck_assert_int_eq(proto_fee_verify_gas_limit(&p, 5002, 4999), PROTO_FEE_HEADER_GAS_LIMIT_LOW);
    ck_assert_int_eq(proto_fee_verify_gas_limit(&p, 5002, 5000), PROTO_FEE_HEADER_OK);
    /* A parent limit under 1024 allows no change at all. */
    ck_assert_int_eq(proto_fee_verify_gas_limit(&p, 1000, 1000), PROTO_FEE_HEADER_GAS_LIMIT_JUMP);
    proto_fee_header parent = {.gas_limit = 30000000, .gas_used = 30000000, .base_fee = 1000};
    proto_fee_header header = {.gas_limit = 30000000, .gas_used = 0, .base_fee = 1125};
    ck_assert_int_eq(proto_fee_verify_header(&p, &parent, &header), PROTO_FEE_HEADER_OK);
    header.base_fee = 1124;
    ck_assert_int_eq(proto_fee_verify_header(&p, &parent, &header),
                     PROTO_FEE_HEADER_BAD_BASE_FEE);
    header.base_fee = 1125;
    header.gas_used = 30000001;
    ck_assert_int_eq(proto_fee_verify_header(&p, &parent, &header),
                     PROTO_FEE_HEADER_GAS_USED_OVER_LIMIT);
    ck_assert_str_eq(proto_fee_header_check_name(PROTO_FEE_HEADER_BAD_BASE_FEE), "bad_base_fee");
}
END_TEST

START_TEST(test_tx_fee_checks)
{
    uint64_t tip = 12345;
    /* Tip capped by the priority fee, then by the headroom over the base fee. */
    ck_assert_int_eq(proto_fee_check_tx(100, 21000, 150, 10, &tip), PROTO_FEE_TX_OK);
    ck_assert_uint_eq(tip, 10);
    ck_assert_int_eq(proto_fee_check_tx(100, 21000, 105, 10, &tip), PROTO_FEE_TX_OK);
    ck_assert_uint_eq(tip, 5);
    ck_assert_int_eq(proto_fee_check_tx(100, 21000, 100, 10, &tip), PROTO_FEE_TX_OK);
    ck_assert_uint_eq(tip, 0);
    /* Under the base fee: valid, waits; the tip is left alone. */
    tip = 12345;
    proto_fee_tx_check c = proto_fee_check_tx(100, 21000, 99, 10, &tip);
    ck_assert_int_eq(c, PROTO_FEE_TX_FEE_CAP_BELOW_BASE_FEE);
    ck_assert(!proto_fee_tx_check_is_invalid(c));
    ck_assert_uint_eq(tip, 12345);
    /* Tip above the cap is invalid, whatever the base fee. */
    c = proto_fee_check_tx(100, 21000, 50, 60, &tip);
    ck_assert_int_eq(c, PROTO_FEE_TX_TIP_ABOVE_FEE_CAP);
    ck_assert(proto_fee_tx_check_is_invalid(c));
    ck_assert_int_eq(proto_fee_check_tx(0, 21000, 150, 151, NULL),
                     PROTO_FEE_TX_TIP_ABOVE_FEE_CAP);
    /* gas_limit * max_fee must fit: 2^63 * 2 does not, 2^63 * 1 does. */
    c = proto_fee_check_tx(0, 1ull << 63, 2, 0, NULL);
    ck_assert_int_eq(c, PROTO_FEE_TX_FEE_OVERFLOW);
    ck_assert(proto_fee_tx_check_is_invalid(c));
    ck_assert_int_eq(proto_fee_check_tx(0, 1ull << 63, 1, 0, NULL), PROTO_FEE_TX_OK);
    ck_assert_int_eq(proto_fee_check_tx(0, UINT64_MAX, 1, 1, NULL), PROTO_FEE_TX_OK);
    ck_assert_int_eq(proto_fee_check_tx(0, 30000000, UINT64_MAX / 29999999, 0, NULL),
                     PROTO_FEE_TX_FEE_OVERFLOW);
    ck_assert_int_eq(proto_fee_check_tx(5, 0, 0, 0, NULL), PROTO_FEE_TX_FEE_CAP_BELOW_BASE_FEE);

    ck_assert_uint_eq(proto_fee_effective_tip(100, 200, 30), 30);
    ck_assert_uint_eq(proto_fee_effective_tip(100, 120, 30), 20);
    uint64_t burned = 0, tips = 0;
    proto_fee_split(100, 5, 21000, &burned, &tips);
    ck_assert_uint_eq(burned, 2100000);
    ck_assert_uint_eq(tips, 105000);
    /* The largest fee check_tx lets through still splits without overflow. */
    proto_fee_split(UINT64_MAX - 1, 1, 1, &burned, &tips);
    ck_assert_uint_eq(burned, UINT64_MAX - 1);
    ck_assert_uint_eq(tips, 1);
    ck_assert_str_eq(proto_fee_tx_check_name(PROTO_FEE_TX_FEE_CAP_BELOW_BASE_FEE),
                     "fee_cap_below_base_fee");
}
END_TEST

static Suite *fee_market_suite(void)
{
    Suite *s = suite_create("fee_market");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_geth_calc_base_fee);
    tcase_add_test(tc, test_alloy_base_fee_vectors);
    tcase_add_test(tc, test_target_full_empty);
    tcase_add_test(tc, test_floor_and_extremes);
    tcase_add_test(tc, test_geth_block_gas_limits);
    tcase_add_test(tc, test_header_rules);
    tcase_add_test(tc, test_tx_fee_checks);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(fee_market_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
