/* Unit tests for sim/engine/rng.c: stream derivation, draws and deterministic math.
 *
 * The known-answer values for the raw stream were computed independently
 * (Python: hashlib.blake2b(seed as 8 LE bytes || name, digest_size=32) read
 * as four LE words, then xoshiro256**), so they pin the derivation, not
 * just today's output. The floating-point goldens pin bit-exact draws:
 * if they change, every recorded run changes. libm is used here only as
 * the reference for sim_det_log/sim_det_exp. */
#include <check.h>
#include <float.h>
#include <glib.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "sim/engine/rng.h"

static uint64_t bits_of(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

START_TEST(test_known_answer)
{
    static const struct {
        uint64_t seed;
        const char *name;
        uint64_t first[4];
    } cases[] = {
        {42, "test",
         {UINT64_C(0x3c4dfdeae45f7f95), UINT64_C(0x3f9c4610ab8fd986),
          UINT64_C(0x2da7b321935f6985), UINT64_C(0x82d244302685ae92)}},
        {0, "net",
         {UINT64_C(0x9d53b659b311ea57), UINT64_C(0x67bac06b53fec24d),
          UINT64_C(0xd09fbd0afd84f37d), UINT64_C(0x888e13000eee848f)}},
        {12345, "node.v0",
         {UINT64_C(0x9acfc362aff9cbba), UINT64_C(0x6476a302d40f30dd),
          UINT64_C(0x9837134089ac6755), UINT64_C(0x2b49c7063b405402)}},
    };
    for (size_t c = 0; c < G_N_ELEMENTS(cases); c++) {
        sim_rng r;
        sim_rng_init(&r, cases[c].seed, cases[c].name);
        for (int i = 0; i < 4; i++)
            ck_assert_msg(sim_rng_u64(&r) == cases[c].first[i], "seed %" G_GUINT64_FORMAT
                          " stream %s word %d", cases[c].seed, cases[c].name, i);
    }
}
END_TEST

START_TEST(test_state_from_blake2b)
{
    /* The state itself is the BLAKE2b-256 digest, little-endian words. */
    sim_rng r;
    sim_rng_init(&r, 42, "test");
    ck_assert_uint_eq(r.s[0], UINT64_C(0xe9f16d5c7e0506b2));
    ck_assert_uint_eq(r.s[1], UINT64_C(0xaba7a871af6adc6c));
    ck_assert_uint_eq(r.s[2], UINT64_C(0xad1a0d73f3b0175f));
    ck_assert_uint_eq(r.s[3], UINT64_C(0x1c7c2dbcbe287d07));
}
END_TEST

START_TEST(test_streams_differ)
{
    sim_rng a, b, c, a2;
    sim_rng_init(&a, 7, "node.v0");
    sim_rng_init(&b, 7, "node.v1");
    sim_rng_init(&c, 8, "node.v0");
    sim_rng_init(&a2, 7, "node.v0");
    int same_ab = 0, same_ac = 0;
    for (int i = 0; i < 64; i++) {
        uint64_t x = sim_rng_u64(&a);
        same_ab += x == sim_rng_u64(&b);
        same_ac += x == sim_rng_u64(&c);
        ck_assert_uint_eq(x, sim_rng_u64(&a2)); /* same (seed, name): same stream */
    }
    ck_assert_int_eq(same_ab, 0);
    ck_assert_int_eq(same_ac, 0);
}
END_TEST

START_TEST(test_unit_range)
{
    sim_rng r;
    sim_rng_init(&r, 1, "unit");
    double lo = 1.0, hi = 0.0;
    for (int i = 0; i < 100000; i++) {
        double u = sim_rng_unit(&r);
        ck_assert(u >= 0.0 && u < 1.0);
        lo = MIN(lo, u);
        hi = MAX(hi, u);
    }
    ck_assert(lo < 1e-3 && hi > 1.0 - 1e-3);
}
END_TEST

START_TEST(test_below_range_and_uniform)
{
    sim_rng r;
    sim_rng_init(&r, 2, "below");
    static const uint64_t bounds[] = {1, 2, 3, 7, 1000, UINT64_C(1) << 32,
                                      (UINT64_C(1) << 63) + 1, UINT64_MAX};
    for (size_t k = 0; k < G_N_ELEMENTS(bounds); k++)
        for (int i = 0; i < 2000; i++)
            ck_assert_uint_lt(sim_rng_below(&r, bounds[k]), bounds[k]);

    /* Chi-square over 10 cells, 9 degrees of freedom: P(X > 40) ~ 5e-6. */
    enum { CELLS = 10, DRAWS = 100000 };
    uint64_t count[CELLS] = {0};
    for (int i = 0; i < DRAWS; i++)
        count[sim_rng_below(&r, CELLS)]++;
    double expected = (double)DRAWS / CELLS, chi2 = 0.0;
    for (int c = 0; c < CELLS; c++)
        chi2 += ((double)count[c] - expected) * ((double)count[c] - expected) / expected;
    ck_assert_msg(chi2 < 40.0, "chi-square %.2f", chi2);
}
END_TEST

START_TEST(test_chance)
{
    sim_rng r;
    sim_rng_init(&r, 3, "chance");
    int hits = 0;
    for (int i = 0; i < 1000; i++) {
        ck_assert(!sim_rng_chance(&r, 0.0));
        ck_assert(!sim_rng_chance(&r, -1.0));
        ck_assert(sim_rng_chance(&r, 1.0));
        ck_assert(sim_rng_chance(&r, 2.0));
    }
    for (int i = 0; i < 100000; i++)
        hits += sim_rng_chance(&r, 0.3);
    /* sd = sqrt(n p (1-p)) ~ 145; allow 5 sd. */
    ck_assert_int_gt(hits, 30000 - 725);
    ck_assert_int_lt(hits, 30000 + 725);
}
END_TEST

START_TEST(test_exponential_moments_and_tail)
{
    sim_rng r;
    sim_rng_init(&r, 4, "exp");
    enum { DRAWS = 1000000 };
    double sum = 0.0, sum_sq = 0.0;
    int above1 = 0, above5 = 0, above8 = 0;
    for (int i = 0; i < DRAWS; i++) {
        double x = sim_rng_exponential(&r, 1.0);
        ck_assert(x >= 0.0 && isfinite(x));
        sum += x;
        sum_sq += x * x;
        above1 += x > 1.0;
        above5 += x > 5.0;
        above8 += x > 8.0; /* beyond the ziggurat's base layer: the tail path */
    }
    double mean = sum / DRAWS, var = sum_sq / DRAWS - mean * mean;
    ck_assert_msg(fabs(mean - 1.0) < 0.005, "mean %.5f", mean);   /* sd of mean 0.001 */
    ck_assert_msg(fabs(var - 1.0) < 0.02, "variance %.5f", var);
    ck_assert_msg(fabs(above1 / (double)DRAWS - exp(-1.0)) < 0.0025, "P(X>1)");
    ck_assert_msg(fabs(above5 / (double)DRAWS - exp(-5.0)) < 0.0005, "P(X>5)");
    ck_assert_msg(above8 > 200 && above8 < 470, "P(X>8): %d of %d", above8, DRAWS); /* ~335 */

    /* The mean scales the draw. */
    sim_rng_init(&r, 4, "exp.scaled");
    sum = 0.0;
    for (int i = 0; i < 100000; i++)
        sum += sim_rng_exponential(&r, 40e6);
    ck_assert_msg(fabs(sum / 100000 / 40e6 - 1.0) < 0.02, "scaled mean");
}
END_TEST

START_TEST(test_normal_moments)
{
    sim_rng r;
    sim_rng_init(&r, 5, "normal");
    enum { DRAWS = 400000 };
    double sum = 0.0, sum_sq = 0.0;
    int within1 = 0;
    for (int i = 0; i < DRAWS; i++) {
        double x = sim_rng_normal(&r, 10.0, 2.0);
        sum += x;
        sum_sq += x * x;
        within1 += fabs(x - 10.0) < 2.0;
    }
    double mean = sum / DRAWS, sd = sqrt(sum_sq / DRAWS - mean * mean);
    ck_assert_msg(fabs(mean - 10.0) < 0.02, "mean %.4f", mean); /* sd of mean 0.003 */
    ck_assert_msg(fabs(sd - 2.0) < 0.02, "sd %.4f", sd);
    ck_assert_msg(fabs(within1 / (double)DRAWS - 0.6827) < 0.005, "P(|Z|<1)");
}
END_TEST

START_TEST(test_draws_golden)
{
    /* Bit-exact draws: these may only change together with a note that
     * every recorded run changes. */
    sim_rng r;
    sim_rng_init(&r, 42, "golden");
    ck_assert_uint_eq(bits_of(sim_rng_unit(&r)), UINT64_C(0x3fe5081478e0d6cb));        /* 0.6572363243965013 */
    ck_assert_uint_eq(bits_of(sim_rng_exponential(&r, 1.0)), UINT64_C(0x3ff4448bebf93928)); /* 1.2667350022998765 */
    ck_assert_uint_eq(bits_of(sim_rng_normal(&r, 0.0, 1.0)), UINT64_C(0xbff5b1234d343af4)); /* -1.3557465568334779 */
    /* log(3) is one ulp below the correctly rounded value: fdlibm's log is
     * faithful, not correctly rounded, and that is fine as long as it is
     * the same everywhere. */
    ck_assert_uint_eq(bits_of(sim_det_log(3.0)), UINT64_C(0x3ff193ea7aad030a));
    ck_assert_uint_eq(bits_of(sim_det_exp(0.5)), UINT64_C(0x3ffa61298e1e069c));
}
END_TEST

/* Relative error allowed against libm: a couple of ulp. */
#define DET_REL_TOL 1e-15

static void check_log(double x)
{
    double got = sim_det_log(x), want = log(x);
    double tol = DET_REL_TOL * fabs(want);
    ck_assert_msg(fabs(got - want) <= tol || got == want, "log(%a): %a vs libm %a", x, got, want);
}

START_TEST(test_det_log_vs_libm)
{
    sim_rng r;
    sim_rng_init(&r, 6, "log");
    for (int i = 0; i < 100000; i++) {
        /* Any positive finite double, normal or subnormal: random bits. */
        uint64_t u = sim_rng_u64(&r) >> 1;
        double x;
        memcpy(&x, &u, sizeof x);
        if (x > 0.0 && isfinite(x))
            check_log(x);
        check_log(0.5 + 1.5 * sim_rng_unit(&r));       /* around 1 */
        check_log(1.0 + (sim_rng_unit(&r) - 0.5) * 1e-6); /* very near 1 */
        check_log(sim_rng_unit(&r) * 1e9 + 1e-300);
    }
    ck_assert(sim_det_log(1.0) == 0.0);
    ck_assert(isinf(sim_det_log(0.0)) && sim_det_log(0.0) < 0);
    ck_assert(isinf(sim_det_log(-0.0)) && sim_det_log(-0.0) < 0);
    ck_assert(isnan(sim_det_log(-1.0)));
    ck_assert(isinf(sim_det_log(INFINITY)) && sim_det_log(INFINITY) > 0);
    ck_assert(isnan(sim_det_log(NAN)));
    check_log(DBL_MIN);
    check_log(DBL_MAX);
    check_log(4.9406564584124654e-324); /* smallest subnormal */
}
END_TEST

static void check_exp(double x)
{
    double got = sim_det_exp(x), want = exp(x);
    if (want < DBL_MIN) { /* subnormal result: absolute, in subnormal ulps */
        ck_assert_msg(fabs(got - want) <= 2 * 4.9406564584124654e-324, "exp(%a): %a vs %a", x, got,
                      want);
        return;
    }
    ck_assert_msg(fabs(got - want) <= DET_REL_TOL * want, "exp(%a): %a vs libm %a", x, got, want);
}

START_TEST(test_det_exp_vs_libm)
{
    sim_rng r;
    sim_rng_init(&r, 7, "exp.check");
    for (int i = 0; i < 100000; i++) {
        check_exp((sim_rng_unit(&r) - 0.5) * 1418.0);   /* the whole finite range */
        check_exp((sim_rng_unit(&r) - 0.5) * 4.0);      /* near 0 */
        check_exp((sim_rng_unit(&r) - 0.5) * 1e-7);     /* tiny */
        check_exp(-sim_rng_unit(&r) * 10.0);            /* what the ziggurat uses */
    }
    ck_assert(sim_det_exp(0.0) == 1.0);
    ck_assert(isinf(sim_det_exp(710.0)));
    ck_assert(isinf(sim_det_exp(INFINITY)));
    ck_assert(sim_det_exp(-INFINITY) == 0.0);
    ck_assert(sim_det_exp(-800.0) == 0.0);
    ck_assert(isnan(sim_det_exp(NAN)));
    check_exp(709.78);
    check_exp(-708.5);
    check_exp(-740.0);
    check_exp(1e-300);
}
END_TEST

static Suite *rng_suite(void)
{
    Suite *s = suite_create("rng");
    TCase *tc = tcase_create("streams");
    tcase_add_test(tc, test_known_answer);
    tcase_add_test(tc, test_state_from_blake2b);
    tcase_add_test(tc, test_streams_differ);
    suite_add_tcase(s, tc);

    tc = tcase_create("draws");
    tcase_add_test(tc, test_unit_range);
    tcase_add_test(tc, test_below_range_and_uniform);
    tcase_add_test(tc, test_chance);
    tcase_add_test(tc, test_exponential_moments_and_tail);
    tcase_add_test(tc, test_normal_moments);
    tcase_add_test(tc, test_draws_golden);
    suite_add_tcase(s, tc);

    tc = tcase_create("detmath");
    tcase_add_test(tc, test_det_log_vs_libm);
    tcase_add_test(tc, test_det_exp_vs_libm);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(rng_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
