/* Tests for the scenario value parsers (sim/scenario/units.c): every value form
 * that docs/scenarios.md shows, exactness of decimal durations and sizes, range
 * and overflow limits, and the error messages for malformed values. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario/scenario.h"
#include "sim/scenario/units.h"

static int64_t dur_ok(const char *text)
{
    int64_t ns = -1;
    GError *error = NULL;
    gboolean ok = sim_parse_duration(text, &ns, &error);
    ck_assert_msg(ok, "'%s': %s", text, error ? error->message : "?");
    return ns;
}

/* Returns the message for a value that must fail; caller frees. */
static char *dur_bad(const char *text)
{
    int64_t ns = 77;
    GError *error = NULL;
    ck_assert_msg(!sim_parse_duration(text, &ns, &error), "'%s' parsed", text);
    ck_assert_int_eq(ns, 77);
    ck_assert(g_error_matches(error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_VALUE));
    char *msg = g_strdup(error->message);
    g_error_free(error);
    return msg;
}

START_TEST(test_duration_examples)
{
    ck_assert_int_eq(dur_ok("250ms"), 250000000);
    ck_assert_int_eq(dur_ok("2s"), 2000000000);
    ck_assert_int_eq(dur_ok("1.5s"), 1500000000);
    ck_assert_int_eq(dur_ok("10min"), 600000000000);
    ck_assert_int_eq(dur_ok("1h"), 3600000000000);
    ck_assert_int_eq(dur_ok("500us"), 500000);
    ck_assert_int_eq(dur_ok("100ns"), 100);
    ck_assert_int_eq(dur_ok("0s"), 0);
    ck_assert_int_eq(dur_ok("0"), 0);
}
END_TEST

START_TEST(test_duration_exact_decimals)
{
    ck_assert_int_eq(dur_ok("0.1ms"), 100000);
    ck_assert_int_eq(dur_ok("1.000000001s"), 1000000001);
    ck_assert_int_eq(dur_ok("0.5min"), 30000000000);
    ck_assert_int_eq(dur_ok("2.50s"), 2500000000);
    ck_assert_int_eq(dur_ok("1.0000000000000000000000s"), 1000000000); /* zeros are free */
    ck_assert_int_eq(dur_ok("87600h"), SIM_DURATION_MAX_NS);
    ck_assert_int_eq(dur_ok("315360000000000000ns"), SIM_DURATION_MAX_NS);
    g_autofree char *fine = dur_bad("1.5ns");
    ck_assert_ptr_nonnull(strstr(fine, "finer than"));
    g_autofree char *fine2 = dur_bad("0.0000000001s");
    ck_assert_ptr_nonnull(strstr(fine2, "finer than"));
}
END_TEST

START_TEST(test_duration_errors)
{
    g_autofree char *neg = dur_bad("-2s");
    ck_assert_str_eq(neg, "bad duration '-2s': must not be negative");
    g_autofree char *unit = dur_bad("10parsecs");
    ck_assert_ptr_nonnull(strstr(unit, "unknown unit 'parsecs' (ns, us, ms, s, min, h)"));
    g_autofree char *bare = dur_bad("5");
    ck_assert_ptr_nonnull(strstr(bare, "missing unit"));
    g_autofree char *big = dur_bad("9223372036854775808ns");
    ck_assert_ptr_nonnull(strstr(big, "too large"));
    g_autofree char *big2 = dur_bad("3000000h");
    ck_assert_ptr_nonnull(strstr(big2, "too large"));
    /* Representable in int64 but past the longest time a scenario may give. */
    g_autofree char *long1 = dur_bad("315360000000000001ns");
    ck_assert_ptr_nonnull(strstr(long1, "above 87600h (10 years"));
    g_autofree char *long2 = dur_bad("9223372036854775807ns");
    ck_assert_ptr_nonnull(strstr(long2, "above 87600h"));
    g_autofree char *long3 = dur_bad("2562047h");
    ck_assert_ptr_nonnull(strstr(long3, "above 87600h"));
    g_autofree char *huge = dur_bad("99999999999999999999999s");
    ck_assert_ptr_nonnull(strstr(huge, "bad duration"));
    const char *bad[] = {"", "s", "5 s", "5sec", ".5s", "5.s", "1e3s", "+5s", "5m", "abc", " 5s"};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
        g_free(dur_bad(bad[i]));
}
END_TEST

static double rate_ok(const char *text)
{
    double v = -1;
    GError *error = NULL;
    ck_assert_msg(sim_parse_rate(text, &v, &error), "'%s': %s", text,
                  error ? error->message : "?");
    return v;
}

START_TEST(test_rates)
{
    ck_assert(rate_ok("1000/s") == 1000.0);
    ck_assert(rate_ok("0.2/s") == 0.2);
    ck_assert(rate_ok("5/min") == 5.0 / 60.0);
    ck_assert(rate_ok("7200/h") == 2.0);
    ck_assert(rate_ok("1e3/s") == 1000.0);
    ck_assert(rate_ok("0") == 0.0);
    ck_assert(rate_ok("0/s") == 0.0);
    ck_assert(rate_ok("1e-8/s") == 1e-8);
    ck_assert(rate_ok("0.0001/h") > 0);
    g_autofree char *tiny = NULL;
    {
        double r = 0;
        GError *error = NULL;
        ck_assert(!sim_parse_rate("1e-300/s", &r, &error));
        tiny = g_strdup(error->message);
        g_error_free(error);
        ck_assert(!sim_parse_rate("0.00001/h", &r, NULL)); /* 2.8e-9/s */
    }
    ck_assert_ptr_nonnull(strstr(tiny, "must be at least 1e-8/s"));
    const char *bad[] = {"-1/s", "10", "10/sec", "/s", "abc/s", "10/", "1,000/s", "inf/s"};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        double v = 0;
        GError *error = NULL;
        ck_assert_msg(!sim_parse_rate(bad[i], &v, &error), "'%s' parsed", bad[i]);
        ck_assert_ptr_nonnull(strstr(error->message, "bad rate"));
        g_error_free(error);
    }
}
END_TEST

static uint64_t size_ok(const char *text)
{
    uint64_t v = 0;
    GError *error = NULL;
    ck_assert_msg(sim_parse_size(text, &v, &error), "'%s': %s", text,
                  error ? error->message : "?");
    return v;
}

START_TEST(test_sizes)
{
    ck_assert_uint_eq(size_ok("256B"), 256);
    ck_assert_uint_eq(size_ok("4KiB"), 4096);
    ck_assert_uint_eq(size_ok("1MiB"), 1048576);
    ck_assert_uint_eq(size_ok("2GiB"), 2147483648ull);
    ck_assert_uint_eq(size_ok("1TiB"), 1ull << 40);
    ck_assert_uint_eq(size_ok("1KB"), 1000);
    ck_assert_uint_eq(size_ok("1kB"), 1000);
    ck_assert_uint_eq(size_ok("3MB"), 3000000);
    ck_assert_uint_eq(size_ok("1GB"), 1000000000);
    ck_assert_uint_eq(size_ok("1.5KiB"), 1536);
    ck_assert_uint_eq(size_ok("0"), 0);
    const char *bad[] = {"0.5B", "1XB", "1kiB", "12", "20000000TiB", "-1B", "1 KiB"};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        uint64_t v = 0;
        GError *error = NULL;
        ck_assert_msg(!sim_parse_size(bad[i], &v, &error), "'%s' parsed", bad[i]);
        ck_assert_ptr_nonnull(strstr(error->message, "bad size"));
        g_error_free(error);
    }
}
END_TEST

static uint64_t bw_ok(const char *text)
{
    uint64_t v = 1;
    GError *error = NULL;
    ck_assert_msg(sim_parse_bandwidth(text, &v, &error), "'%s': %s", text,
                  error ? error->message : "?");
    return v;
}

START_TEST(test_bandwidth)
{
    ck_assert_uint_eq(bw_ok("100Mbit/s"), 100000000);
    ck_assert_uint_eq(bw_ok("1Gbit/s"), 1000000000);
    ck_assert_uint_eq(bw_ok("10kbit/s"), 10000);
    ck_assert_uint_eq(bw_ok("10Kbit/s"), 10000);
    ck_assert_uint_eq(bw_ok("56bit/s"), 56);
    ck_assert_uint_eq(bw_ok("1.5Mbit/s"), 1500000);
    ck_assert_uint_eq(bw_ok("100Mbps"), 100000000);
    ck_assert_uint_eq(bw_ok("2Tbit/s"), 2000000000000ull);
    ck_assert_uint_eq(bw_ok("1MiB/s"), 8388608);
    ck_assert_uint_eq(bw_ok("1KB/s"), 8000);
    ck_assert_uint_eq(bw_ok("unlimited"), 0);
    const char *bad[] = {"0bit/s", "0", "100Mb", "100 Mbit/s", "-1Mbit/s", "0.5bit/s",
                         "100Mbit", "fast", "0KiB/s", "3000000000000000000GiB/s"};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        uint64_t v = 0;
        GError *error = NULL;
        ck_assert_msg(!sim_parse_bandwidth(bad[i], &v, &error), "'%s' parsed", bad[i]);
        ck_assert_msg(strstr(error->message, "bad bandwidth") != NULL, "%s", error->message);
        g_error_free(error);
    }
}
END_TEST

static sim_dist dist_ok(const char *text)
{
    sim_dist d;
    memset(&d, 0xAB, sizeof d);
    GError *error = NULL;
    ck_assert_msg(sim_parse_dist(text, &d, &error), "'%s': %s", text,
                  error ? error->message : "?");
    return d;
}

START_TEST(test_dist_examples)
{
    sim_dist d = dist_ok("constant 50ms");
    ck_assert_int_eq(d.kind, SIM_DIST_CONSTANT);
    ck_assert_int_eq(d.a_ns, 50000000);
    d = dist_ok("uniform 20ms 80ms");
    ck_assert_int_eq(d.kind, SIM_DIST_UNIFORM);
    ck_assert_int_eq(d.a_ns, 20000000);
    ck_assert_int_eq(d.b_ns, 80000000);
    d = dist_ok("normal 50ms 10ms");
    ck_assert_int_eq(d.kind, SIM_DIST_NORMAL);
    ck_assert_int_eq(d.a_ns, 50000000);
    ck_assert_int_eq(d.b_ns, 10000000);
    d = dist_ok("lognormal 50ms 0.5");
    ck_assert_int_eq(d.kind, SIM_DIST_LOGNORMAL);
    ck_assert_int_eq(d.a_ns, 50000000);
    ck_assert(d.sigma == 0.5);
    ck_assert_int_eq(d.b_ns, 0);
    d = dist_ok("exponential 40ms");
    ck_assert_int_eq(d.kind, SIM_DIST_EXPONENTIAL);
    ck_assert_int_eq(d.a_ns, 40000000);
    d = dist_ok("  uniform \t 1ms   1ms ");
    ck_assert_int_eq(d.kind, SIM_DIST_UNIFORM);
    ck_assert_int_eq(d.b_ns, 1000000);
    d = dist_ok("75ms"); /* a bare duration is constant */
    ck_assert_int_eq(d.kind, SIM_DIST_CONSTANT);
    ck_assert_int_eq(d.a_ns, 75000000);
    ck_assert_int_eq(d.b_ns, 0);
}
END_TEST

static char *dist_bad(const char *text)
{
    sim_dist d = {0};
    GError *error = NULL;
    ck_assert_msg(!sim_parse_dist(text, &d, &error), "'%s' parsed", text);
    char *msg = g_strdup(error->message);
    g_error_free(error);
    ck_assert_msg(g_str_has_prefix(msg, "bad latency"), "%s", msg);
    return msg;
}

START_TEST(test_dist_errors)
{
    g_autofree char *order = dist_bad("uniform 80ms 20ms");
    ck_assert_ptr_nonnull(strstr(order, "upper bound below lower bound"));
    g_autofree char *count = dist_bad("uniform 20ms");
    ck_assert_ptr_nonnull(strstr(count, "uniform takes 2 values (like uniform 20ms 80ms)"));
    g_autofree char *typo = dist_bad("constnat 5ms");
    ck_assert_ptr_nonnull(strstr(typo, "did you mean 'constant'?"));
    g_autofree char *unknown = dist_bad("gaussian 5ms 1ms");
    ck_assert_ptr_nonnull(strstr(unknown, "unknown distribution 'gaussian'"));
    g_autofree char *unit = dist_bad("constant 5 ms");
    g_autofree char *value = dist_bad("normal 50ms 10");
    ck_assert_ptr_nonnull(strstr(value, "missing unit"));
    g_autofree char *median = dist_bad("lognormal 0ms 0.5");
    ck_assert_ptr_nonnull(strstr(median, "median must be > 0"));
    g_free(dist_bad("lognormal 50ms -1"));
    g_free(dist_bad("lognormal 50ms 11"));
    g_free(dist_bad("lognormal 50ms 5ms"));
    g_free(dist_bad(""));
    g_free(dist_bad("constant"));
    g_free(dist_bad("exponential -4ms"));
}
END_TEST

START_TEST(test_plain_numbers)
{
    uint64_t u = 0;
    double r = 0;
    GError *error = NULL;
    ck_assert(sim_parse_u64("42", &u, NULL) && u == 42);
    ck_assert(sim_parse_u64("18446744073709551615", &u, NULL) && u == UINT64_MAX);
    /* Integers are digits: a real number is refused even when it is whole. */
    const char *bad[] = {"1.5", "18446744073709551616", "-1", "1e20", "", "0x10", "12a", "1e",
                         "2e9", "1e3", "2.5e3", "4.0", "4.", "+4", " 4"};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        ck_assert_msg(!sim_parse_u64(bad[i], &u, &error), "'%s' parsed", bad[i]);
        ck_assert_ptr_nonnull(strstr(error->message, "bad integer"));
        g_clear_error(&error);
    }
    ck_assert(sim_parse_real("0.001", &r, NULL) && r == 0.001);
    ck_assert(sim_parse_real("1e-3", &r, NULL) && r == 0.001);
    ck_assert(!sim_parse_real("nan", &r, NULL));
    ck_assert(!sim_parse_real("inf", &r, NULL));
    ck_assert(!sim_parse_real("1e999", &r, NULL));
    ck_assert(!sim_parse_real("0,5", &r, NULL));
    ck_assert(sim_parse_probability("0", &r, NULL) && r == 0.0);
    ck_assert(sim_parse_probability("0.999", &r, NULL) && r == 0.999);
    ck_assert(!sim_parse_probability("1", &r, &error));
    ck_assert_str_eq(error->message, "bad probability '1': must be in [0, 1)");
    g_clear_error(&error);
    ck_assert(!sim_parse_probability("-0.1", &r, &error));
    ck_assert_ptr_nonnull(strstr(error->message, "must not be negative"));
    g_clear_error(&error);
}
END_TEST

static Suite *units_suite(void)
{
    Suite *s = suite_create("units");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_duration_examples);
    tcase_add_test(tc, test_duration_exact_decimals);
    tcase_add_test(tc, test_duration_errors);
    tcase_add_test(tc, test_rates);
    tcase_add_test(tc, test_sizes);
    tcase_add_test(tc, test_bandwidth);
    tcase_add_test(tc, test_dist_examples);
    tcase_add_test(tc, test_dist_errors);
    tcase_add_test(tc, test_plain_numbers);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(units_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
