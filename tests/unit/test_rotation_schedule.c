/* Unit tests for the proposer schedule (protocol/chain/rotation.c,
 * proto_rotation_*), what PoA and PBFT rely on: round-robin is k mod N;
 * stake-weighted positions follow CometBFT's validator set exactly (the
 * valset itself is tested against CometBFT's vectors in test_rotation.c),
 * are proportional to stake in every window of P positions, are periodic
 * with period P/gcd, and come out the same whatever order they are asked
 * in; bad stake sets are rejected. */
#include <check.h>
#include <string.h>

#include "protocol/chain/rotation.h"

#define MAX_TVP PROTO_MAX_TOTAL_VOTING_POWER

static void new_set(proto_cmt_valset *set, const proto_cmt_validator *vals, uint32_t count)
{
    proto_cmt_valset_result r = proto_cmt_valset_init_new(set, vals, count);
    ck_assert_msg(r == PROTO_CMT_VALSET_OK, "NewValidatorSet: %s", proto_cmt_valset_result_name(r));
}

static void increment(proto_cmt_valset *set, int32_t times)
{
    ck_assert_int_eq(proto_cmt_valset_increment_proposer_priority(set, times), PROTO_CMT_VALSET_OK);
}

/* ---- the schedule ---- */

/* The first `count` positions straight from a valset with the rotation's
 * addresses (index as 4 bytes big-endian). */
static uint32_t *direct_sequence(const uint64_t *stakes, uint32_t n, uint32_t count)
{
    proto_cmt_validator *vals = g_new(proto_cmt_validator, n);
    for (uint32_t i = 0; i < n; i++) {
        uint8_t a[4] = {(uint8_t)(i >> 24), (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i};
        vals[i] = proto_validator_make(a, 4, (int64_t)stakes[i]);
    }
    proto_cmt_valset set;
    new_set(&set, vals, n);
    uint32_t *seq = g_new(uint32_t, count);
    for (uint32_t k = 0; k < count; k++) {
        const proto_cmt_validator *p = proto_cmt_valset_get_proposer(&set);
        seq[k] = (uint32_t)p->address[0] << 24 | (uint32_t)p->address[1] << 16 |
                 (uint32_t)p->address[2] << 8 | p->address[3];
        increment(&set, 1);
    }
    proto_cmt_valset_clear(&set);
    g_free(vals);
    return seq;
}

static uint64_t gcd_u64(uint64_t a, uint64_t b)
{
    while (b != 0) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

START_TEST(test_round_robin)
{
    proto_rotation *r = proto_rotation_new(PROTO_ROTATION_ROUND_ROBIN, NULL, 7);
    ck_assert_ptr_nonnull(r);
    for (uint64_t k = 0; k < 50; k++)
        ck_assert_uint_eq(proto_rotation_proposer(r, k), k % 7);
    ck_assert_uint_eq(proto_rotation_proposer(r, UINT64_MAX), UINT64_MAX % 7);
    ck_assert_uint_eq(proto_rotation_proposer(r, 3), 3);
    proto_rotation_free(r);
    /* Stakes do not matter to round-robin. */
    uint64_t stakes[] = {1, 1000};
    r = proto_rotation_new(PROTO_ROTATION_ROUND_ROBIN, stakes, 2);
    for (uint64_t k = 0; k < 10; k++)
        ck_assert_uint_eq(proto_rotation_proposer(r, k), k % 2);
    proto_rotation_free(r);
}
END_TEST

START_TEST(test_stake_weighted_patterns)
{
    /* Spec: p1 = 1, p2 = 3 -> p2, p1, p2, p2 repeating. */
    uint64_t s13[] = {1, 3};
    proto_rotation *r = proto_rotation_new(PROTO_ROTATION_STAKE_WEIGHTED, s13, 2);
    const uint32_t pattern[] = {1, 0, 1, 1};
    for (uint64_t k = 0; k < 40; k++)
        ck_assert_uint_eq(proto_rotation_proposer(r, k), pattern[k % 4]);
    ck_assert_uint_eq(proto_rotation_period(r), 4);
    proto_rotation_free(r);

    /* 4, 5, 3 over 120 positions -> 40, 50, 30, as CometBFT's vector. */
    uint64_t s453[] = {4, 5, 3};
    r = proto_rotation_new(PROTO_ROTATION_STAKE_WEIGHTED, s453, 3);
    uint32_t counts[3] = {0};
    for (uint64_t k = 0; k < 120; k++)
        counts[proto_rotation_proposer(r, k)]++;
    ck_assert_uint_eq(counts[0], 40);
    ck_assert_uint_eq(counts[1], 50);
    ck_assert_uint_eq(counts[2], 30);
    ck_assert_uint_eq(proto_rotation_period(r), 12);
    proto_rotation_free(r);

    /* Equal stakes: the same as round-robin (ties go to the lower index). */
    uint64_t eq[] = {100, 100, 100, 100, 100};
    r = proto_rotation_new(PROTO_ROTATION_STAKE_WEIGHTED, eq, 5);
    for (uint64_t k = 0; k < 25; k++)
        ck_assert_uint_eq(proto_rotation_proposer(r, k), k % 5);
    ck_assert_uint_eq(proto_rotation_period(r), 5); /* 500 / gcd 100 */
    proto_rotation_free(r);

    /* One validator proposes everything. */
    uint64_t one[] = {42};
    r = proto_rotation_new(PROTO_ROTATION_STAKE_WEIGHTED, one, 1);
    ck_assert_uint_eq(proto_rotation_proposer(r, 0), 0);
    ck_assert_uint_eq(proto_rotation_proposer(r, UINT64_MAX), 0);
    proto_rotation_free(r);
}
END_TEST

/* Random stake sets: the schedule equals the valset's own sequence, every
 * window of P consecutive positions gives each validator exactly its
 * stake, and the period is P / gcd. */
START_TEST(test_stake_weighted_fairness)
{
    GRand *rng = g_rand_new_with_seed(7);
    for (int t = 0; t < 100; t++) {
        uint32_t n = (uint32_t)g_rand_int_range(rng, 1, 8);
        uint64_t stakes[8], total = 0, g = 0;
        for (uint32_t i = 0; i < n; i++) {
            stakes[i] = (uint64_t)g_rand_int_range(rng, 1, 40) * (t % 3 == 0 ? 10 : 1);
            total += stakes[i];
            g = gcd_u64(g, stakes[i]);
        }
        proto_rotation *r = proto_rotation_new(PROTO_ROTATION_STAKE_WEIGHTED, stakes, n);
        ck_assert_ptr_nonnull(r);
        uint32_t len = (uint32_t)(2 * total);
        uint32_t *direct = direct_sequence(stakes, n, len);
        for (uint32_t k = 0; k < len; k++)
            ck_assert_msg(proto_rotation_proposer(r, k) == direct[k], "set %d position %u", t, k);
        ck_assert_uint_eq(proto_rotation_period(r), total / g);
        for (uint32_t start = 0; start + total <= len; start += (uint32_t)(total / 3) + 1) {
            uint64_t counts[8] = {0};
            for (uint32_t k = start; k < start + total; k++)
                counts[direct[k]]++;
            for (uint32_t i = 0; i < n; i++)
                ck_assert_msg(counts[i] == stakes[i],
                              "set %d window %u validator %u: %" G_GUINT64_FORMAT
                              " of %" G_GUINT64_FORMAT,
                              t, start, i, counts[i], stakes[i]);
        }
        g_free(direct);
        proto_rotation_free(r);
    }
    g_rand_free(rng);
}
END_TEST

/* Positions asked out of order (forward jumps, steps back, far beyond the
 * period) answer the same as a sequential walk. */
START_TEST(test_cache_out_of_order)
{
    uint64_t stakes[] = {10, 10, 10, 30, 7};
    proto_rotation *seq = proto_rotation_new(PROTO_ROTATION_STAKE_WEIGHTED, stakes, 5);
    proto_rotation *jumpy = proto_rotation_new(PROTO_ROTATION_STAKE_WEIGHTED, stakes, 5);
    uint32_t want[200];
    for (uint64_t k = 0; k < 200; k++)
        want[k] = proto_rotation_proposer(seq, k);
    GRand *rng = g_rand_new_with_seed(3);
    uint64_t pos = 0;
    for (int i = 0; i < 2000; i++) {
        int32_t step = g_rand_int_range(rng, -5, 12);
        pos = (int64_t)pos + step < 0 ? 0 : (uint64_t)((int64_t)pos + step) % 200;
        ck_assert_uint_eq(proto_rotation_proposer(jumpy, pos), want[pos]);
    }
    g_rand_free(rng);
    ck_assert_uint_eq(proto_rotation_proposer(jumpy, 150), want[150]);
    ck_assert_uint_eq(proto_rotation_proposer(jumpy, 3), want[3]);
    /* Period 67 (P = 67, gcd 1): far positions fold onto it. */
    ck_assert_uint_eq(proto_rotation_period(seq), 67);
    ck_assert_uint_eq(proto_rotation_proposer(jumpy, 1000000000000ull),
                      want[1000000000000ull % 67]);
    ck_assert_uint_eq(proto_rotation_proposer(jumpy, UINT64_MAX), want[UINT64_MAX % 67]);
    /* A fresh rotation asked a far position first. */
    proto_rotation *far = proto_rotation_new(PROTO_ROTATION_STAKE_WEIGHTED, stakes, 5);
    ck_assert_uint_eq(proto_rotation_proposer(far, 5000), want[5000 % 67]);
    ck_assert_uint_eq(proto_rotation_proposer(far, 66), want[66]);
    proto_rotation_free(far);
    proto_rotation_free(jumpy);
    proto_rotation_free(seq);
}
END_TEST

/* A schedule whose period exceeds the cache: positions inside the cache
 * are exact, positions beyond it are refused, not computed without limit. */
START_TEST(test_bounded_cache)
{
    uint64_t stakes[] = {1000000007, 1000000009}; /* period 2000000016 */
    proto_rotation *r = proto_rotation_new(PROTO_ROTATION_STAKE_WEIGHTED, stakes, 2);
    uint64_t max = proto_rotation_positions_max(r);
    ck_assert_uint_gt(max, 1000000);
    ck_assert_uint_lt(max, 2000000016);
    uint32_t *direct = direct_sequence(stakes, 2, 1000);
    for (uint32_t k = 0; k < 1000; k++)
        ck_assert_uint_eq(proto_rotation_proposer(r, k), direct[k]);
    g_free(direct);
    ck_assert_uint_eq(proto_rotation_proposer(r, UINT64_MAX), PROTO_ROTATION_NONE);
    ck_assert_uint_lt(proto_rotation_proposer(r, max - 1), 2);
    ck_assert_uint_eq(proto_rotation_proposer(r, max), PROTO_ROTATION_NONE);
    ck_assert_uint_eq(proto_rotation_period(r), 0);
    proto_rotation_free(r);
}
END_TEST

START_TEST(test_rotation_rejects)
{
    uint64_t ok[] = {5, 6};
    ck_assert_ptr_null(proto_rotation_new(PROTO_ROTATION_STAKE_WEIGHTED, ok, 0));
    ck_assert_ptr_null(proto_rotation_new(PROTO_ROTATION_ROUND_ROBIN, NULL, 0));
    ck_assert_ptr_null(proto_rotation_new(PROTO_ROTATION_STAKE_WEIGHTED, NULL, 2));
    uint64_t zero[] = {5, 0};
    ck_assert_int_eq(proto_rotation_check(PROTO_ROTATION_STAKE_WEIGHTED, zero, 2),
                     PROTO_CMT_VALSET_ZERO_POWER);
    ck_assert_ptr_null(proto_rotation_new(PROTO_ROTATION_STAKE_WEIGHTED, zero, 2));
    uint64_t too_big[] = {(uint64_t)MAX_TVP, 1};
    ck_assert_int_eq(proto_rotation_check(PROTO_ROTATION_STAKE_WEIGHTED, too_big, 2),
                     PROTO_CMT_VALSET_POWER_TOO_HIGH);
    uint64_t huge[] = {UINT64_MAX, UINT64_MAX, UINT64_MAX};
    ck_assert_ptr_null(proto_rotation_new(PROTO_ROTATION_STAKE_WEIGHTED, huge, 3));
    /* Exactly the maximum total is allowed. */
    uint64_t at_max[] = {(uint64_t)MAX_TVP / 2, (uint64_t)MAX_TVP - (uint64_t)MAX_TVP / 2};
    proto_rotation *r = proto_rotation_new(PROTO_ROTATION_STAKE_WEIGHTED, at_max, 2);
    ck_assert_ptr_nonnull(r);
    uint32_t *direct = direct_sequence(at_max, 2, 50);
    for (uint32_t k = 0; k < 50; k++)
        ck_assert_uint_eq(proto_rotation_proposer(r, k), direct[k]);
    g_free(direct);
    proto_rotation_free(r);
    proto_rotation_free(NULL);
}
END_TEST

static Suite *schedule_suite(void)
{
    Suite *s = suite_create("rotation-schedule");
    TCase *sched = tcase_create("schedule");
    tcase_add_test(sched, test_round_robin);
    tcase_add_test(sched, test_stake_weighted_patterns);
    tcase_add_test(sched, test_stake_weighted_fairness);
    tcase_add_test(sched, test_cache_out_of_order);
    tcase_add_test(sched, test_bounded_cache);
    tcase_add_test(sched, test_rotation_rejects);
    suite_add_tcase(s, sched);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(schedule_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
