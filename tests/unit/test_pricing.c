/* Unit tests for how clients price transactions (sim/world/pricing.c).
 *
 * The first offer of each strategy under a quote (estimator: the
 * suggested tip, fee cap 2 x base fee + tip; fixed TIP: TIP, same cap;
 * aggressive: max(2 x tip, tip + 1), fee cap 3 x base fee + tip), fee caps
 * saturating at fee_cap_max however large the quote, and the replacement
 * rule: a waiting transaction is re-priced only when the market has
 * overtaken it, both fields then rise by at least the pool's 10% (new *
 * 100 >= old * 110, exactly, as protocol/chain/txpool.c checks it), and a
 * price already at the cap is not replaced. */
#include <check.h>
#include <glib.h>
#include <stdlib.h>

#include "sim/world/world_internal.h"

#define CAP_BIG G_GUINT64_CONSTANT(1000000000000000)

static const sim_fee_strategy ESTIMATOR = {.kind = SIM_FEE_ESTIMATOR, .share = 1.0};
static const sim_fee_strategy AGGRESSIVE = {.kind = SIM_FEE_AGGRESSIVE, .share = 1.0};

/* The offer of st under (base_fee, tip), checked against want_tip and
 * want_cap, and never a tip above the fee cap (an invalid transaction). */
static void check_offer(const sim_fee_strategy *st, uint64_t base_fee, uint64_t quote_tip,
                        uint64_t cap_max, uint64_t want_tip, uint64_t want_cap)
{
    proto_fee_quote q = {.base_fee = base_fee, .tip = quote_tip};
    uint64_t tip = 12345, max_fee = 12345;
    sim_pricing_offer(st, &q, cap_max, &tip, &max_fee);
    ck_assert_msg(tip == want_tip && max_fee == want_cap,
                  "%s under base %" G_GUINT64_FORMAT " tip %" G_GUINT64_FORMAT
                  " cap_max %" G_GUINT64_FORMAT ": got tip %" G_GUINT64_FORMAT
                  " cap %" G_GUINT64_FORMAT ", want %" G_GUINT64_FORMAT " and %" G_GUINT64_FORMAT,
                  sim_fee_strategy_name(st->kind), base_fee, quote_tip, cap_max, tip, max_fee,
                  want_tip, want_cap);
    ck_assert_uint_le(tip, max_fee);
    ck_assert_uint_le(max_fee, cap_max);
}

START_TEST(test_offer_estimator)
{
    check_offer(&ESTIMATOR, 100, 7, CAP_BIG, 7, 207);
    check_offer(&ESTIMATOR, 100, 0, CAP_BIG, 0, 200);
    check_offer(&ESTIMATOR, 0, 0, CAP_BIG, 0, 0);
    check_offer(&ESTIMATOR, 1000000000, 2000000000, CAP_BIG, 2000000000, 4000000000);
}
END_TEST

START_TEST(test_offer_fixed)
{
    sim_fee_strategy fixed = {.kind = SIM_FEE_FIXED, .tip = 5, .share = 1.0};
    /* The quote's tip does not matter, its base fee does. */
    check_offer(&fixed, 100, 7, CAP_BIG, 5, 205);
    check_offer(&fixed, 100, 1000000, CAP_BIG, 5, 205);
    check_offer(&fixed, 0, 0, CAP_BIG, 5, 5);
    fixed.tip = 0;
    check_offer(&fixed, 100, 7, CAP_BIG, 0, 200);
}
END_TEST

START_TEST(test_offer_aggressive)
{
    check_offer(&AGGRESSIVE, 100, 7, CAP_BIG, 14, 314);
    /* At least one more than the suggestion: 0 -> 1, 1 -> 2. */
    check_offer(&AGGRESSIVE, 100, 0, CAP_BIG, 1, 301);
    check_offer(&AGGRESSIVE, 100, 1, CAP_BIG, 2, 302);
    check_offer(&AGGRESSIVE, 0, 2, CAP_BIG, 4, 4);
}
END_TEST

/* Huge quotes: every product saturates at fee_cap_max (never wraps), and
 * the tip never exceeds the cap. */
START_TEST(test_offer_saturates)
{
    const uint64_t cap = 1000000;
    sim_fee_strategy fixed = {.kind = SIM_FEE_FIXED, .tip = UINT64_MAX, .share = 1.0};
    check_offer(&ESTIMATOR, UINT64_MAX, UINT64_MAX, cap, cap, cap);
    check_offer(&AGGRESSIVE, UINT64_MAX, UINT64_MAX, cap, cap, cap);
    check_offer(&fixed, UINT64_MAX, 0, cap, cap, cap);
    check_offer(&ESTIMATOR, UINT64_MAX / 2 + 1, 0, cap, 0, cap);
    check_offer(&ESTIMATOR, 3, UINT64_MAX - 1, cap, cap, cap);
    /* Exactly at the cap, and one over. */
    check_offer(&ESTIMATOR, (cap - 10) / 2, 10, cap, 10, cap);
    check_offer(&ESTIMATOR, (cap - 10) / 2, 11, cap, 11, cap);
    check_offer(&ESTIMATOR, (cap - 10) / 2, 9, cap, 9, cap - 1);
    check_offer(&AGGRESSIVE, (cap - 20) / 3, 10, cap, 20, 3 * ((cap - 20) / 3) + 20);
    check_offer(&AGGRESSIVE, (cap - 20) / 3 + 1, 10, cap, 20, cap);
    check_offer(&AGGRESSIVE, cap, cap / 2 + 1, cap, cap, cap);
    check_offer(&AGGRESSIVE, 0, cap, cap, cap, cap);
    /* fee_cap_max = UINT64_MAX: 2 x base fee past 2^64 saturates, and the
     * aggressive tip + 1 of UINT64_MAX does not wrap to 0. */
    check_offer(&ESTIMATOR, UINT64_MAX / 2 + 1, 0, UINT64_MAX, 0, UINT64_MAX);
    check_offer(&ESTIMATOR, UINT64_MAX / 2, 1, UINT64_MAX, 1, UINT64_MAX);
    check_offer(&AGGRESSIVE, UINT64_MAX / 3 + 1, 0, UINT64_MAX, 1, UINT64_MAX);
    check_offer(&AGGRESSIVE, 0, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX);
    check_offer(&AGGRESSIVE, 0, UINT64_MAX / 2 + 1, UINT64_MAX, UINT64_MAX, UINT64_MAX);
}
END_TEST

START_TEST(test_reprices)
{
    sim_fee_strategy fixed = {.kind = SIM_FEE_FIXED, .tip = 5, .share = 1.0};
    ck_assert(!sim_pricing_reprices(&fixed));
    ck_assert(sim_pricing_reprices(&ESTIMATOR));
    ck_assert(sim_pricing_reprices(&AGGRESSIVE));
}
END_TEST

/* Try a bump of (tip, max_fee) under quote (base_fee, quote_tip); returns
 * whether it was made, with the new fields in *tip, *max_fee. A refusal
 * must leave both alone. */
static bool try_bump(const sim_fee_strategy *st, uint64_t base_fee, uint64_t quote_tip,
                     uint64_t cap_max, uint64_t *tip, uint64_t *max_fee)
{
    proto_fee_quote q = {.base_fee = base_fee, .tip = quote_tip};
    uint64_t old_tip = *tip, old_cap = *max_fee;
    bool made = sim_pricing_bump(st, &q, cap_max, tip, max_fee);
    if (!made) {
        ck_assert_uint_eq(*tip, old_tip);
        ck_assert_uint_eq(*max_fee, old_cap);
    }
    return made;
}

/* The pool's test (protocol/chain/txpool.c): fresh * 100 >= old * 110. */
static bool pool_accepts(uint64_t old, uint64_t fresh)
{
    return (unsigned __int128)fresh * 100 >= (unsigned __int128)old * 110;
}

START_TEST(test_bump_not_overtaken)
{
    /* Offered at (100, 7): tip 7, cap 207. The same quote, a lower tip, a
     * base fee exactly at cap - tip (200): all still includable. */
    uint64_t tip = 7, cap = 207;
    ck_assert(!try_bump(&ESTIMATOR, 100, 7, CAP_BIG, &tip, &cap));
    ck_assert(!try_bump(&ESTIMATOR, 100, 6, CAP_BIG, &tip, &cap));
    ck_assert(!try_bump(&ESTIMATOR, 200, 7, CAP_BIG, &tip, &cap));
    ck_assert(!try_bump(&ESTIMATOR, 0, 0, CAP_BIG, &tip, &cap));
    /* Aggressive offered at (100, 7): tip 14, cap 314. A quote tip of 7
     * still gives a fresh tip of 14: not overtaken. */
    tip = 14, cap = 314;
    ck_assert(!try_bump(&AGGRESSIVE, 300, 7, CAP_BIG, &tip, &cap));
}
END_TEST

/* A higher suggested tip alone is no reason to re-price (pricing.c):
 * replacements raise the tips the oracle samples, and chasing them feeds
 * a spiral. With the base fee past the cap too, the fresh tip counts. */
START_TEST(test_bump_overtaken_by_tip)
{
    uint64_t tip = 7, cap = 207;
    ck_assert(!try_bump(&ESTIMATOR, 100, 8, CAP_BIG, &tip, &cap));
    ck_assert(!try_bump(&ESTIMATOR, 100, 40, CAP_BIG, &tip, &cap));
    tip = 14, cap = 314;
    ck_assert(!try_bump(&AGGRESSIVE, 100, 8, CAP_BIG, &tip, &cap));
    /* Base fee 201 > 207 - 7, quote tip 8: tip max(8, 8) = 8, cap max(2 x
     * 201 + 8 = 410, 207 + ceil(20.7) = 228) = 410. */
    tip = 7, cap = 207;
    ck_assert(try_bump(&ESTIMATOR, 201, 8, CAP_BIG, &tip, &cap));
    ck_assert_uint_eq(tip, 8);
    ck_assert_uint_eq(cap, 410);
    /* Tip 15 -> quote 16 with the base fee past the cap: 16 * 100 < 15 *
     * 110, so the tip must be 17. */
    tip = 15, cap = 1000;
    ck_assert(try_bump(&ESTIMATOR, 990, 16, CAP_BIG, &tip, &cap));
    ck_assert_uint_eq(tip, 17);
    ck_assert_uint_eq(cap, 1996); /* the fresh 2 x 990 + 16 over 1100 */
    /* A fresh offer above the bump is taken whole. */
    tip = 15, cap = 50;
    ck_assert(try_bump(&ESTIMATOR, 100, 40, CAP_BIG, &tip, &cap));
    ck_assert_uint_eq(tip, 40);
    ck_assert_uint_eq(cap, 240);
}
END_TEST

START_TEST(test_bump_overtaken_by_base_fee)
{
    /* Tip 7, cap 207: a base fee of 201 > 207 - 7 leaves no room for the
     * tip. The fresh offer (7, 409) has the same tip, so the tip is bumped
     * to 8 and the cap is the fresh 409. */
    uint64_t tip = 7, cap = 207;
    ck_assert(try_bump(&ESTIMATOR, 201, 7, CAP_BIG, &tip, &cap));
    ck_assert_uint_eq(tip, 8);
    ck_assert_uint_eq(cap, 409);
    /* Small values: tip 1 -> 2, tip 0 -> 1; cap 1 -> 2 wins over a fresh 1. */
    tip = 1, cap = 1;
    ck_assert(try_bump(&ESTIMATOR, 1, 0, CAP_BIG, &tip, &cap));
    ck_assert_uint_eq(tip, 2);
    ck_assert_uint_eq(cap, 2);
    tip = 0, cap = 0;
    ck_assert(try_bump(&ESTIMATOR, 0, 0, CAP_BIG, &tip, &cap) == false);
    tip = 0, cap = 1;
    ck_assert(try_bump(&ESTIMATOR, 2, 0, CAP_BIG, &tip, &cap));
    ck_assert_uint_eq(tip, 1);
    ck_assert_uint_eq(cap, 4); /* the fresh offer's 2 x 2 + 0 over the bumped 1 -> 2 */
    /* Aggressive at (100, 7): tip 14, cap 314; base 301 > 300: fresh
     * (14, 917); tip 14 + ceil(1.4) = 16, cap 917. */
    tip = 14, cap = 314;
    ck_assert(try_bump(&AGGRESSIVE, 301, 7, CAP_BIG, &tip, &cap));
    ck_assert_uint_eq(tip, 16);
    ck_assert_uint_eq(cap, 917);
}
END_TEST

/* The smallest tip the pool takes over old: ceil(old * 1.1), and at
 * least old + 1. */
static uint64_t min_bumped(uint64_t old)
{
    uint64_t x = old + (old * 10 + 99) / 100;
    return MAX(x, old + 1);
}

/* For every old tip 0..2000 overtaken (a base fee one past what its cap
 * leaves, and one unit more of quote tip): the new
 * tip is exactly the least the pool accepts (or the fresh tip if more),
 * the pool accepts both fields, and the tip stays under the cap. The
 * boundaries by hand: 1 -> 2, 10 -> 11, 15 -> 17, 19 -> 21, 100 -> 110,
 * 101 -> 112 (111 * 100 < 101 * 110). */
START_TEST(test_bump_exact_boundaries)
{
    static const uint64_t by_hand[][2] = {{1, 2},     {9, 10},     {10, 11},    {11, 13},
                                          {15, 17},   {19, 21},    {20, 22},    {100, 110},
                                          {101, 112}, {999, 1099}, {1000, 1100}};
    for (size_t i = 0; i < G_N_ELEMENTS(by_hand); i++)
        ck_assert_uint_eq(min_bumped(by_hand[i][0]), by_hand[i][1]);
    for (uint64_t old = 0; old <= 2000; old++) {
        uint64_t tip = old, cap = 2 * old + 1000;
        ck_assert(try_bump(&ESTIMATOR, cap - old + 1, old + 1, CAP_BIG, &tip, &cap));
        uint64_t want = MAX(old + 1, min_bumped(old));
        ck_assert_msg(tip == want,
                      "old tip %" G_GUINT64_FORMAT ": new %" G_GUINT64_FORMAT
                      ", want %" G_GUINT64_FORMAT,
                      old, tip, want);
        ck_assert(pool_accepts(old, tip));
        ck_assert(tip == 0 || !pool_accepts(old, tip - 1) || tip == old + 1);
        ck_assert(pool_accepts(2 * old + 1000, cap));
        ck_assert_uint_le(tip, cap);
    }
    /* Large values: exact in 128 bits, no overflow of old * 110. */
    uint64_t tip = UINT64_MAX / 200, cap = UINT64_MAX / 100;
    ck_assert(try_bump(&ESTIMATOR, cap, tip + 1, UINT64_MAX, &tip, &cap));
    ck_assert(pool_accepts(UINT64_MAX / 200, tip));
    ck_assert(!pool_accepts(UINT64_MAX / 200, tip - 1));
    ck_assert(pool_accepts(UINT64_MAX / 100, cap));
    /* The fresh offer: twice that base fee plus the tip. */
    ck_assert_uint_eq(cap, 2 * (UINT64_MAX / 100) + UINT64_MAX / 200 + 1); /* + the quoted tip */
}
END_TEST

START_TEST(test_bump_refused_at_cap)
{
    /* Cap max 1000, offer at the cap: the base fee overtook it, but the
     * cap cannot rise 10%. */
    uint64_t tip = 100, cap = 1000;
    ck_assert(!try_bump(&ESTIMATOR, 950, 50, 1000, &tip, &cap));
    /* Within 10% of the cap: 995 * 1.1 > 1000. */
    tip = 10, cap = 995;
    ck_assert(!try_bump(&ESTIMATOR, 990, 10, 1000, &tip, &cap));
    /* The tip cannot rise 10% either: tip 950 under cap max 1000. */
    tip = 950, cap = 950;
    ck_assert(!try_bump(&ESTIMATOR, 0, 960, 1000, &tip, &cap));
    /* Exactly 10% fits: cap 1000 -> 1100 = cap max. */
    tip = 10, cap = 1000;
    ck_assert(try_bump(&ESTIMATOR, 995, 10, 1100, &tip, &cap));
    ck_assert_uint_eq(tip, 11);
    ck_assert_uint_eq(cap, 1100);
    /* Saturated at UINT64_MAX. */
    tip = UINT64_MAX, cap = UINT64_MAX;
    ck_assert(!try_bump(&AGGRESSIVE, UINT64_MAX, UINT64_MAX, UINT64_MAX, &tip, &cap));
    /* Near UINT64_MAX with a small tip: the tip could rise (10 -> 11) but
     * the cap cannot (UINT64_MAX * 100 < (UINT64_MAX - 5) * 110, which
     * only a comparison wider than 64 bits sees). */
    tip = 10, cap = UINT64_MAX - 5;
    ck_assert(!try_bump(&ESTIMATOR, UINT64_MAX, 10, UINT64_MAX, &tip, &cap));
}
END_TEST

/* Repeated bumps under a rising market never exceed the cap and stop once
 * it is reached. */
START_TEST(test_bump_chain_stops_at_cap)
{
    const uint64_t cap_max = 100000;
    uint64_t tip = 0, cap = 0;
    proto_fee_quote q = {.base_fee = 100, .tip = 3};
    sim_pricing_offer(&ESTIMATOR, &q, cap_max, &tip, &cap);
    int made = 0;
    for (int round = 0; round < 200; round++) {
        uint64_t old_tip = tip, old_cap = cap;
        q.base_fee = cap; /* always overtaken: no room for the tip */
        if (!try_bump(&ESTIMATOR, q.base_fee, q.tip, cap_max, &tip, &cap))
            break;
        made++;
        ck_assert(pool_accepts(old_tip, tip));
        ck_assert(pool_accepts(old_cap, cap));
        ck_assert_uint_le(cap, cap_max);
        ck_assert_uint_le(tip, cap);
    }
    ck_assert_int_gt(made, 1);
    ck_assert_int_lt(made, 200);
    ck_assert_uint_gt(cap * 110, cap_max * 100); /* stopped within 10% of the cap */
}
END_TEST

static Suite *pricing_suite(void)
{
    Suite *s = suite_create("pricing");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_offer_estimator);
    tcase_add_test(tc, test_offer_fixed);
    tcase_add_test(tc, test_offer_aggressive);
    tcase_add_test(tc, test_offer_saturates);
    tcase_add_test(tc, test_reprices);
    tcase_add_test(tc, test_bump_not_overtaken);
    tcase_add_test(tc, test_bump_overtaken_by_tip);
    tcase_add_test(tc, test_bump_overtaken_by_base_fee);
    tcase_add_test(tc, test_bump_exact_boundaries);
    tcase_add_test(tc, test_bump_refused_at_cap);
    tcase_add_test(tc, test_bump_chain_stops_at_cap);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(pricing_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
