/* Unit tests for reading the fee settings of a scenario:
 * [workload] fee_strategy (sim/scenario/scenario_fees.c) and the [fees]
 * section with its cross-key checks (sim/scenario/scenario.c,
 * scn_check_fees). Accepted lines are checked for what they leave in
 * s->fee_strategies (kinds, tips, shares); refused ones for the whole
 * "FILE:LINE: key: ..." location and the reason, as docs/scenarios.md
 * ([fees], [workload]) states them. */
#include <check.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario/scenario.h"
#include "support/scenario_text.h"

static sim_scenario *parse_ok(const char *text)
{
    GError *error = NULL;
    sim_scenario *s = sim_scenario_parse("dir/fees.ini", text, strlen(text), NULL, &error);
    ck_assert_msg(s != NULL, "%s: %s", text, error ? error->message : "?");
    ck_assert_ptr_null(error);
    return s;
}

/* Text must fail with code and a message that starts with want_prefix
 * (the location: file, line, key) and contains want_reason. */
static void parse_bad(const char *text, int code, const char *want_prefix, const char *want_reason)
{
    st_parse_bad("dir/fees.ini", text, code, want_prefix, want_reason);
}

/* A scenario whose only setting is fee_strategy = value, on line 3. */
static char *with_strategy(const char *value)
{
    return g_strdup_printf("[scenario]\n[workload]\nfee_strategy = %s\n", value);
}

static const sim_fee_strategy *strategy_at(const sim_scenario *s, guint i)
{
    ck_assert_uint_lt(i, s->fee_strategies->len);
    return &g_array_index(s->fee_strategies, sim_fee_strategy, i);
}

START_TEST(test_default_is_estimator)
{
    sim_scenario *s = parse_ok("[scenario]\n");
    ck_assert_uint_eq(s->fee_strategies->len, 1);
    ck_assert_int_eq(strategy_at(s, 0)->kind, SIM_FEE_ESTIMATOR);
    ck_assert(strategy_at(s, 0)->share == 1.0);
    ck_assert_str_eq(strategy_at(s, 0)->label, "estimator");
    ck_assert_uint_eq(s->block_gas_limit, 100000000);
    ck_assert_uint_eq(s->fees.elasticity_multiplier, 2);
    ck_assert_uint_eq(s->fees.base_fee_change_denominator, 8);
    ck_assert_uint_eq(s->fees.initial_base_fee, 1000);
    ck_assert_uint_eq(s->fees.min_base_fee, 0);
    sim_scenario_free(s);
}
END_TEST

START_TEST(test_single_strategies)
{
    static const struct {
        const char *value;
        sim_fee_strategy_kind kind;
        uint64_t tip;
    } cases[] = {
        {"estimator", SIM_FEE_ESTIMATOR, 0},
        {"aggressive", SIM_FEE_AGGRESSIVE, 0},
        {"fixed 5", SIM_FEE_FIXED, 5},
        {"fixed 0", SIM_FEE_FIXED, 0},
        {"fixed   18446744073709551615", SIM_FEE_FIXED, UINT64_MAX},
        {"estimator:1", SIM_FEE_ESTIMATOR, 0}, /* a lone share of 1 is fine */
        {"  fixed 7 : 1.0 ", SIM_FEE_FIXED, 7},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *text = with_strategy(cases[i].value);
        sim_scenario *s = parse_ok(text);
        ck_assert_msg(s->fee_strategies->len == 1, "%s: %u strategies", cases[i].value,
                      s->fee_strategies->len);
        const sim_fee_strategy *st = strategy_at(s, 0);
        ck_assert_msg(st->kind == cases[i].kind, "%s: kind %s", cases[i].value,
                      sim_fee_strategy_name(st->kind));
        ck_assert_uint_eq(st->tip, cases[i].tip);
        ck_assert(st->share == 1.0);
        sim_scenario_free(s);
    }
    ck_assert_str_eq(sim_fee_strategy_name(SIM_FEE_ESTIMATOR), "estimator");
    ck_assert_str_eq(sim_fee_strategy_name(SIM_FEE_FIXED), "fixed");
    ck_assert_str_eq(sim_fee_strategy_name(SIM_FEE_AGGRESSIVE), "aggressive");
}
END_TEST

START_TEST(test_mixed_strategies)
{
    g_autofree char *text = with_strategy("estimator:0.7, fixed 1:0.3");
    sim_scenario *s = parse_ok(text);
    ck_assert_uint_eq(s->fee_strategies->len, 2);
    ck_assert_int_eq(strategy_at(s, 0)->kind, SIM_FEE_ESTIMATOR);
    ck_assert_double_eq_tol(strategy_at(s, 0)->share, 0.7, 1e-12);
    ck_assert_int_eq(strategy_at(s, 1)->kind, SIM_FEE_FIXED);
    ck_assert_uint_eq(strategy_at(s, 1)->tip, 1);
    ck_assert_double_eq_tol(strategy_at(s, 1)->share, 0.3, 1e-12);
    sim_scenario_free(s);

    /* Three, in file order, shares whose binary sum is not exactly 1. */
    g_autofree char *three = with_strategy("aggressive:0.1,estimator:0.2 , fixed 9:0.7");
    s = parse_ok(three);
    ck_assert_uint_eq(s->fee_strategies->len, 3);
    ck_assert_int_eq(strategy_at(s, 0)->kind, SIM_FEE_AGGRESSIVE);
    ck_assert_int_eq(strategy_at(s, 1)->kind, SIM_FEE_ESTIMATOR);
    ck_assert_int_eq(strategy_at(s, 2)->kind, SIM_FEE_FIXED);
    ck_assert_uint_eq(strategy_at(s, 2)->tip, 9);
    ck_assert_double_eq_tol(strategy_at(s, 0)->share, 0.1, 1e-12);
    ck_assert_double_eq_tol(strategy_at(s, 1)->share, 0.2, 1e-12);
    ck_assert_double_eq_tol(strategy_at(s, 2)->share, 0.7, 1e-12);
    /* Labels: the names (one fixed strategy is just "fixed"). */
    ck_assert_str_eq(strategy_at(s, 0)->label, "aggressive");
    ck_assert_str_eq(strategy_at(s, 1)->label, "estimator");
    ck_assert_str_eq(strategy_at(s, 2)->label, "fixed");
    sim_scenario_free(s);

    /* Eight is the most. */
    g_autofree char *eight = with_strategy("fixed 1:0.125, fixed 2:0.125, fixed 3:0.125, "
                                           "fixed 4:0.125, fixed 5:0.125, fixed 6:0.125, "
                                           "estimator:0.125, aggressive:0.125");
    s = parse_ok(eight);
    ck_assert_uint_eq(s->fee_strategies->len, 8);
    for (guint i = 0; i < 6; i++)
        ck_assert_uint_eq(strategy_at(s, i)->tip, i + 1);
    /* Several fixed strategies are told apart by tip in the outputs. */
    ck_assert_str_eq(strategy_at(s, 0)->label, "fixed_1");
    ck_assert_str_eq(strategy_at(s, 5)->label, "fixed_6");
    ck_assert_str_eq(strategy_at(s, 6)->label, "estimator");
    sim_scenario_free(s);

    /* A later line replaces the default (not appended to it). */
    s = parse_ok("[workload]\nfee_strategy = aggressive\n");
    ck_assert_uint_eq(s->fee_strategies->len, 1);
    ck_assert_int_eq(strategy_at(s, 0)->kind, SIM_FEE_AGGRESSIVE);
    sim_scenario_free(s);
}
END_TEST

/* Every refusal names the file, the line (3) and the key. */
START_TEST(test_strategy_errors)
{
    static const struct {
        const char *value;
        const char *reason;
    } cases[] = {
        {"cheapest", "unknown strategy 'cheapest'"},
        {"Estimator", "unknown strategy 'Estimator'"},
        {"fixed", "fixed needs a tip"},
        {"fixed:1", "fixed needs a tip"},
        {"fixed x", "bad integer 'x'"},
        {"fixed -1", "must not be negative"},
        {"fixed 1 2", "too many words"},
        {"fixed 18446744073709551616", "too large"},
        {"estimator 3", "'estimator' takes no tip"},
        {"aggressive 3", "'aggressive' takes no tip"},
        {"estimator:0.5, fixed 1:0.4", "the shares add up to 0.9, not 1"},
        {"estimator:0.5, fixed 1:0.6", "the shares add up to 1.1, not 1"},
        {"estimator:0.5", "the shares add up to 0.5, not 1"},
        {"estimator, fixed 1:0.5", "'estimator' needs a share"},
        {"estimator:0.5, fixed 1", "needs a share"},
        {"estimator:0, fixed 1:1", "share 0 is not in (0, 1]"},
        {"estimator:1.5", "share 1.5 is not in (0, 1]"},
        {"estimator:-0.5, fixed 1:1.5", "must not be negative"},
        {"estimator:x", "bad number 'x'"},
        {"estimator:", "bad number"},
        {"estimator:0.5, ,aggressive:0.5", "an empty strategy"}, /* a blank item */
        {"fixed 2:0.5, fixed 2:0.5", "'fixed_2' is listed twice"},
        {"estimator:0.5, estimator:0.5", "'estimator' is listed twice"},
        {"fixed 1:0.1, fixed 1:0.1, fixed 1:0.1, fixed 1:0.1, fixed 1:0.1, fixed 1:0.1, "
         "fixed 1:0.1, fixed 1:0.1, fixed 1:0.2",
         "9 strategies (at most 8)"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *text = with_strategy(cases[i].value);
        parse_bad(text, SIM_SCENARIO_ERROR_VALUE,
                  "dir/fees.ini:3: fee_strategy: ", cases[i].reason);
    }
}
END_TEST

/* An empty item (nothing at all between commas, before the first or
 * after the last; the value's trailing blanks are cut, so "x, " ends in
 * one too): refused like a blank one, with the location. */
START_TEST(test_strategy_empty_items)
{
    static const char *const values[] = {"estimator:0.5,", "estimator:0.5, ",
                                         "estimator:0.5,,aggressive:0.5", ",estimator"};
    for (size_t i = 0; i < G_N_ELEMENTS(values); i++) {
        g_autofree char *text = with_strategy(values[i]);
        parse_bad(text, SIM_SCENARIO_ERROR_VALUE,
                  "dir/fees.ini:3: fee_strategy: ", "an empty strategy");
    }
}
END_TEST

/* [fees]: each refusal names the key that is wrong, on its line. */
START_TEST(test_fees_errors)
{
    const uint64_t transfer = sim_scenario_transfer_gas();
    ck_assert_uint_eq(transfer, 16357);
    /* One gas short of a transfer; exactly one transfer is fine. */
    parse_bad("[scenario]\n[fees]\nblock_gas_limit = 16356\n", SIM_SCENARIO_ERROR_VALUE,
              "dir/fees.ini:3: block_gas_limit: ",
              "block_gas_limit 16356 cannot hold one transfer (16357 gas)");
    sim_scenario *s = parse_ok("[fees]\nblock_gas_limit = 16357\n");
    ck_assert_uint_eq(s->block_gas_limit, 16357);
    sim_scenario_free(s);
    /* Below the elasticity (a target of 0 gas), though it holds a transfer. */
    parse_bad(
        "[fees]\nelasticity = 30000\nblock_gas_limit = 20000\n", SIM_SCENARIO_ERROR_VALUE,
        "dir/fees.ini:3: block_gas_limit: ", "block_gas_limit 20000 is below elasticity 30000");
    s = parse_ok("[fees]\nelasticity = 20000\nblock_gas_limit = 20000\n");
    ck_assert_uint_eq(s->fees.elasticity_multiplier, 20000);
    sim_scenario_free(s);
    /* Out of range. */
    parse_bad("[fees]\n\nelasticity = 0\n", SIM_SCENARIO_ERROR_VALUE,
              "dir/fees.ini:3: elasticity: ", "'0' is out of range (1..1000000)");
    parse_bad("[fees]\nelasticity = 1000001\n", SIM_SCENARIO_ERROR_VALUE,
              "dir/fees.ini:2: elasticity: ", "out of range");
    parse_bad("[fees]\nbase_fee_change_denominator = 0\n", SIM_SCENARIO_ERROR_VALUE,
              "dir/fees.ini:2: base_fee_change_denominator: ", "out of range");
    parse_bad("[fees]\nblock_gas_limit = 0\n", SIM_SCENARIO_ERROR_VALUE,
              "dir/fees.ini:2: block_gas_limit: ", "out of range");
    /* The start under the floor: named by initial_base_fee when set, else
     * by min_base_fee (the default initial base fee is 1000). */
    parse_bad("[fees]\ninitial_base_fee = 5\nmin_base_fee = 10\n", SIM_SCENARIO_ERROR_VALUE,
              "dir/fees.ini:2: initial_base_fee: ", "initial_base_fee 5 is below min_base_fee 10");
    parse_bad("[fees]\nmin_base_fee = 1001\n", SIM_SCENARIO_ERROR_VALUE,
              "dir/fees.ini:2: min_base_fee: ", "initial_base_fee 1000 is below min_base_fee 1001");
    s = parse_ok("[fees]\ninitial_base_fee = 10\nmin_base_fee = 10\n");
    ck_assert_uint_eq(s->fees.initial_base_fee, 10);
    ck_assert_uint_eq(s->fees.min_base_fee, 10);
    sim_scenario_free(s);
    /* Unknown keys, with and without a near one. */
    parse_bad("[fees]\nelasticity = 2\nbase_fe = 5\n", SIM_SCENARIO_ERROR_KEY,
              "dir/fees.ini:3: base_fe: ", "unknown key in [fees]");
    parse_bad("[fees]\nblock_gas_limt = 20000\n", SIM_SCENARIO_ERROR_KEY,
              "dir/fees.ini:2: block_gas_limt: ",
              "unknown key in [fees]; did you mean 'block_gas_limit'?");
    /* fee_strategy belongs to [workload], not [fees]. */
    parse_bad("[fees]\nfee_strategy = estimator\n", SIM_SCENARIO_ERROR_KEY,
              "dir/fees.ini:2: fee_strategy: ", "unknown key in [fees]");
}
END_TEST

static Suite *fee_strategy_suite(void)
{
    Suite *s = suite_create("fee_strategy");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_default_is_estimator);
    tcase_add_test(tc, test_single_strategies);
    tcase_add_test(tc, test_mixed_strategies);
    tcase_add_test(tc, test_strategy_errors);
    tcase_add_test(tc, test_strategy_empty_items);
    tcase_add_test(tc, test_fees_errors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(fee_strategy_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
