/* Unit tests for the stake concentration measures
 * (sim/check/concentration_math.c): the Nakamoto coefficient (the fewest
 * holding more than 1/3 of the power), the Gini coefficient over the
 * validators with power, owners' summed power and the alarm's 1/3 test,
 * each against values computed by hand in the comments. Ties, equal
 * powers, one dominant validator, zero-power (jailed) validators, the
 * exact 1/3 boundary and powers near the stake cap are covered; every
 * case is also run on a shuffled copy, since the measures must not
 * depend on the order of the validators. */
#include <check.h>
#include <glib.h>
#include <math.h>
#include <string.h>

#include "sim/check/concentration.h"

#define N_MAX 1000

static uint32_t nakamoto_of(const uint64_t *powers, size_t n)
{
    uint64_t copy[N_MAX];
    ck_assert_uint_le(n, N_MAX);
    memcpy(copy, powers, n * sizeof *powers);
    return sim_nakamoto(copy, n);
}

static double gini_of(const uint64_t *powers, size_t n)
{
    uint64_t copy[N_MAX];
    ck_assert_uint_le(n, N_MAX);
    memcpy(copy, powers, n * sizeof *powers);
    return sim_gini(copy, n);
}

/* The same powers reversed and rotated: the measures do not change. */
static void assert_order_free(const uint64_t *powers, size_t n, uint32_t nakamoto, double gini)
{
    uint64_t other[N_MAX];
    for (size_t i = 0; i < n; i++)
        other[i] = powers[(n - 1 - i + 3) % n];
    ck_assert_uint_eq(nakamoto_of(other, n), nakamoto);
    ck_assert_double_eq_tol(gini_of(other, n), gini, 1e-12);
}

static void check_case(const uint64_t *powers, size_t n, uint32_t nakamoto, double gini)
{
    ck_assert_uint_eq(nakamoto_of(powers, n), nakamoto);
    ck_assert_double_eq_tol(gini_of(powers, n), gini, 1e-12);
    assert_order_free(powers, n, nakamoto, gini);
}

/* Equal powers: 3 of 10 hold 30%, 4 hold 40% > 1/3; 2 of 4 hold 50%,
 * 1 of 4 only 25%. Nobody differs: Gini 0. */
START_TEST(test_equal_powers)
{
    uint64_t ten[10], four[4];
    for (size_t i = 0; i < 10; i++)
        ten[i] = 100;
    for (size_t i = 0; i < 4; i++)
        four[i] = 7;
    check_case(ten, 10, 4, 0.0);
    check_case(four, 4, 2, 0.0);
}
END_TEST

/* Exactly 1/3 is not more than 1/3: three equal validators need two, and
 * 300 of 900 needs a second validator as well. */
START_TEST(test_exact_third_is_not_enough)
{
    static const uint64_t three[] = {1, 1, 1};
    check_case(three, 3, 2, 0.0);
    /* 300 | 200 200 200: 300 = 1/3 of 900; 300 + 200 = 500 > 300.
     * Gini: sorted 200 200 200 300, m = 4, total 900:
     * (-3 x 200 - 1 x 200 + 1 x 200 + 3 x 300) / (4 x 900) = 300 / 3600. */
    static const uint64_t third[] = {300, 200, 200, 200};
    check_case(third, 4, 2, 300.0 / 3600.0);
    /* one unit more and it is alone */
    static const uint64_t over[] = {301, 200, 200, 200};
    ck_assert_uint_eq(nakamoto_of(over, 4), 1);
}
END_TEST

/* One dominant validator: 70 of 100 alone. Gini: sorted 10 10 10 70,
 * (-3 x 10 - 10 + 10 + 3 x 70) / (4 x 100) = 180 / 400 = 0.45; by pairs,
 * 6 ordered pairs differ by 60: 360 / (2 x 4^2 x 25) = 0.45. */
START_TEST(test_one_dominant)
{
    static const uint64_t p[] = {10, 70, 10, 10};
    check_case(p, 4, 1, 0.45);
}
END_TEST

/* Ties among unequal powers: 30 30 20 20 needs two (30 is 30%, 60 is
 * 60%), whichever 30 comes first. Gini: (-3 x 20 - 20 + 30 + 3 x 30) /
 * 400 = 40 / 400 = 0.1. And 10 20 30 40: 40 alone is 40% (Gini (-30 - 20
 * + 30 + 120) / 400 = 0.25). */
START_TEST(test_ties_and_steps)
{
    static const uint64_t ties[] = {20, 30, 20, 30};
    check_case(ties, 4, 2, 0.1);
    static const uint64_t steps[] = {10, 20, 30, 40};
    check_case(steps, 4, 1, 0.25);
}
END_TEST

/* Jailed validators have no power: they count in neither measure. 0 0 50
 * 50: 50 of 100 alone is more than 1/3; the Gini of the voting pair is 0
 * (with the zeros it would be 0.5). */
START_TEST(test_zero_power_validators)
{
    static const uint64_t p[] = {0, 50, 0, 50};
    check_case(p, 4, 1, 0.0);
    /* 0 10 30: the voting two, sorted 10 30: (-10 + 30) / (2 x 40) = 0.25 */
    static const uint64_t q[] = {0, 10, 30};
    check_case(q, 3, 1, 0.25);
}
END_TEST

/* Degenerate sets: nothing has power (0, 0), one validator (1, 0), none
 * at all (0, 0). */
START_TEST(test_degenerate)
{
    static const uint64_t zeros[] = {0, 0, 0};
    check_case(zeros, 3, 0, 0.0);
    static const uint64_t one[] = {5};
    check_case(one, 1, 1, 0.0);
    uint64_t none[1] = {0};
    ck_assert_uint_eq(sim_nakamoto(none, 0), 0);
    ck_assert_double_eq(sim_gini(none, 0), 0.0);
}
END_TEST

/* 1000 validators at the stake cap (10^15 each): the sums exceed what 3 x
 * sum fits in 64 bits; 333 hold 33.3%, 334 more than 1/3. */
START_TEST(test_large_powers)
{
    static uint64_t p[N_MAX];
    for (size_t i = 0; i < N_MAX; i++)
        p[i] = 1000000000000000ull;
    check_case(p, N_MAX, 334, 0.0);
    p[0] = 18000000000000000000ull - 999ull * 1000000000000000ull; /* total 1.8e19 */
    ck_assert_uint_eq(nakamoto_of(p, N_MAX), 1);
}
END_TEST

/* Owners' power is the sum of their validators': 4 of 10 equal under
 * alpha (400 of 1000 > 1/3: one owner suffices), 3 of 10 (300, then any
 * one validator-owner: two). */
START_TEST(test_owners_aggregate)
{
    uint64_t powers[10];
    for (size_t i = 0; i < 10; i++)
        powers[i] = 100;
    /* alpha = owner 0: v0..v3; v4..v9 own themselves (owners 1..6) */
    static const uint32_t four[10] = {0, 0, 0, 0, 1, 2, 3, 4, 5, 6};
    uint64_t owned[10];
    sim_owner_powers(powers, four, 10, owned, 7);
    ck_assert_uint_eq(owned[0], 400);
    for (size_t o = 1; o < 7; o++)
        ck_assert_uint_eq(owned[o], 100);
    ck_assert(sim_concentration_reaches_third(owned[0], 1000));
    ck_assert_uint_eq(sim_nakamoto(owned, 7), 1);
    /* alpha = v0..v2: 300 | 100 x 7 */
    static const uint32_t three[10] = {0, 0, 0, 1, 2, 3, 4, 5, 6, 7};
    sim_owner_powers(powers, three, 10, owned, 8);
    ck_assert_uint_eq(owned[0], 300);
    ck_assert(!sim_concentration_reaches_third(owned[0], 1000));
    ck_assert_uint_eq(sim_nakamoto(owned, 8), 2);
    /* a jailed validator of alpha's takes its power out of alpha's sum */
    powers[1] = 0;
    static const uint32_t two_owners[10] = {0, 0, 0, 0, 1, 1, 1, 1, 1, 1};
    sim_owner_powers(powers, two_owners, 10, owned, 2);
    ck_assert_uint_eq(owned[0], 300);
    ck_assert_uint_eq(owned[1], 600);
}
END_TEST

/* The alarm's threshold includes 1/3 itself, exactly. */
START_TEST(test_reaches_third)
{
    ck_assert(sim_concentration_reaches_third(1, 3));
    ck_assert(sim_concentration_reaches_third(300, 900));
    ck_assert(!sim_concentration_reaches_third(299, 900));
    ck_assert(!sim_concentration_reaches_third(333, 1000));
    ck_assert(sim_concentration_reaches_third(334, 1000));
    ck_assert(!sim_concentration_reaches_third(0, 1));
    ck_assert(sim_concentration_reaches_third(1, 1));
    ck_assert(sim_concentration_reaches_third(UINT64_MAX / 3 + 1, UINT64_MAX));
}
END_TEST

static Suite *concentration_suite(void)
{
    Suite *s = suite_create("concentration");
    TCase *tc = tcase_create("measures");
    tcase_add_test(tc, test_equal_powers);
    tcase_add_test(tc, test_exact_third_is_not_enough);
    tcase_add_test(tc, test_one_dominant);
    tcase_add_test(tc, test_ties_and_steps);
    tcase_add_test(tc, test_zero_power_validators);
    tcase_add_test(tc, test_degenerate);
    tcase_add_test(tc, test_large_powers);
    tcase_add_test(tc, test_owners_aggregate);
    tcase_add_test(tc, test_reaches_third);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(concentration_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
