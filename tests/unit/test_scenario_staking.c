/* Unit tests for reading [staking] (sim/scenario/scenario_staking.c) and
 * the keys that depend on it: [expect] min_nakamoto and the
 * concentration alarms of [expect] alarms. Accepted files are checked
 * for the owners they leave in the scenario (names, and each validator's
 * owner); refused ones for the whole "FILE:LINE: key: " location and the
 * reason, as docs/scenarios.md ([staking], [expect]) states them. */
#include <check.h>
#include <glib.h>
#include <string.h>

#include "sim/scenario/scenario.h"
#include "support/scenario_text.h"

#define HEAD "[network]\nvalidators = 10\nfull_nodes = 1\n[consensus]\nprotocol = pbft\n"
/* HEAD is 5 lines: the first key after it is on line 7 (a section header
 * on line 6). */

static sim_scenario *parse_ok(const char *text)
{
    GError *error = NULL;
    sim_scenario *s = sim_scenario_parse("dir/st.ini", text, strlen(text), NULL, &error);
    ck_assert_msg(s != NULL, "%s: %s", text, error ? error->message : "?");
    return s;
}

/* text fails with code, its message starting with want_prefix and
 * containing want_reason. */
static void parse_bad(const char *text, int code, const char *want_prefix, const char *want_reason)
{
    st_parse_bad("dir/st.ini", text, code, want_prefix, want_reason);
}

/* owners = value (line 7) must fail with reason. */
static void owners_bad(const char *value, const char *reason)
{
    g_autofree char *text = g_strdup_printf(HEAD "[staking]\nowners = %s\n", value);
    parse_bad(text, SIM_SCENARIO_ERROR_VALUE, "dir/st.ini:7: owners: ", reason);
}

static const char *owner_of(const sim_scenario *s, uint32_t v)
{
    ck_assert_uint_eq(s->owner_of->len, s->validators);
    return g_ptr_array_index(s->owner_names, g_array_index(s->owner_of, uint32_t, v));
}

START_TEST(test_default_every_validator_owns_itself)
{
    sim_scenario *s = parse_ok(HEAD);
    ck_assert(!s->staking);
    ck_assert(!s->owners_declared);
    ck_assert_uint_eq(s->owner_names->len, 10);
    ck_assert_str_eq(owner_of(s, 0), "v0");
    ck_assert_str_eq(owner_of(s, 9), "v9");
    sim_scenario_free(s);
    /* an empty section declares staking (the alarm) but no owners */
    s = parse_ok(HEAD "[staking]\n");
    ck_assert(s->staking);
    ck_assert(!s->owners_declared);
    ck_assert_uint_eq(s->owner_names->len, 10);
    sim_scenario_free(s);
}
END_TEST

START_TEST(test_owners_as_written)
{
    sim_scenario *s = parse_ok(HEAD "[staking]\nowners = v0..v3:alpha v4..v9:beta\n");
    ck_assert(s->staking && s->owners_declared);
    ck_assert_uint_eq(s->owner_names->len, 2);
    for (uint32_t v = 0; v < 10; v++)
        ck_assert_str_eq(owner_of(s, v), v < 4 ? "alpha" : "beta");
    sim_scenario_free(s);
    /* unlisted validators own themselves, after the declared owners; one
     * owner may have several items and sets may be lists */
    s = parse_ok(HEAD "[staking]\nowners =  v7:x-1   v0,v2..v3:x-1 v5:b_2\n");
    ck_assert_uint_eq(s->owner_names->len, 2 + 5);
    ck_assert_str_eq(g_ptr_array_index(s->owner_names, 0), "x-1");
    ck_assert_str_eq(g_ptr_array_index(s->owner_names, 1), "b_2");
    ck_assert_str_eq(owner_of(s, 0), "x-1");
    ck_assert_str_eq(owner_of(s, 1), "v1");
    ck_assert_str_eq(owner_of(s, 3), "x-1");
    ck_assert_str_eq(owner_of(s, 5), "b_2");
    ck_assert_str_eq(owner_of(s, 7), "x-1");
    ck_assert_str_eq(owner_of(s, 9), "v9");
    ck_assert_str_eq(g_ptr_array_index(s->owner_names, 2), "v1");
    sim_scenario_free(s);
    /* a group */
    s = parse_ok(HEAD "[staking]\nowners = validators:all-of-them\n");
    ck_assert_uint_eq(s->owner_names->len, 1);
    ck_assert_str_eq(owner_of(s, 6), "all-of-them");
    sim_scenario_free(s);
}
END_TEST

START_TEST(test_owners_errors)
{
    owners_bad("v0..v3:alpha v10:beta", "'v10:beta': v10 names no node (validators are v0..v9)");
    owners_bad("v5..v2:alpha", "'v5..v2:alpha': bad range v5..v2: end before start");
    owners_bad("v0..n0:alpha", "bad range v0..n0: both ends must be the same kind");
    owners_bad("v0..v3:alpha v3:beta", "v3 is listed twice (for alpha and for beta)");
    owners_bad("v0..v3:alpha v2:alpha", "v2 is listed twice (for alpha)");
    owners_bad("v1,v1:alpha", "'v1,v1:alpha': v1 is named twice");
    owners_bad("v0..v3:", "'v0..v3:' has an empty owner name");
    owners_bad("v0..v3", "'v0..v3' names no owner (write SET:OWNER");
    owners_bad(":alpha", "':alpha' lists no validator");
    owners_bad("n0:alpha", "n0 in 'n0:alpha' is not a validator");
    owners_bad("v0:Alpha", "bad owner name 'Alpha'");
    owners_bad("v0:al.pha", "bad owner name 'al.pha'");
    owners_bad("v0:v5", "owner name 'v5' is reserved");
    owners_bad("v0:abcdefghijklmnopqrstuvwxyz0123456", "is longer than 32 characters");
    owners_bad("vx:alpha", "bad node name 'vx'");
    owners_bad("", "empty value");
}
END_TEST

START_TEST(test_section_errors)
{
    /* unknown keys are refused as in every section */
    parse_bad(HEAD "[staking]\ndelegator = 500\n", SIM_SCENARIO_ERROR_KEY,
              "dir/st.ini:7: delegator: ", "did you mean 'delegators'?");
    parse_bad(HEAD "[staking]\nowner = v0:a\n", SIM_SCENARIO_ERROR_KEY,
              "dir/st.ini:7: owner: ", "did you mean 'owners'?");
    /* PoA has no bonded validators */
    parse_bad("[consensus]\nprotocol = poa\n[staking]\nowners = v0:a\n", SIM_SCENARIO_ERROR_KEY,
              "dir/st.ini:3: [staking]: ", "PoA has no bonded validators");
    parse_bad("[expect]\nmin_nakamoto = 1\n", SIM_SCENARIO_ERROR_VALUE,
              "dir/st.ini:2: min_nakamoto: ", "needs protocol = pbft");
    /* --set names its origin */
    static const char *const set[] = {"staking.owners=v0:a v0:b", NULL};
    GError *error = NULL;
    sim_scenario *s = sim_scenario_parse("dir/st.ini", HEAD, strlen(HEAD), set, &error);
    ck_assert_ptr_null(s);
    ck_assert_str_eq(error->message, "--set: staking.owners: v0 is listed twice (for a and for b)");
    g_error_free(error);
}
END_TEST

/* The economy's keys: read exactly, defaults Cosmos's scaled to runs of
 * minutes. */
START_TEST(test_economy_keys)
{
    sim_scenario *s = parse_ok(HEAD "[staking]\n");
    const sim_staking_options *o = &s->staking_opt;
    ck_assert(s->staking);
    ck_assert_uint_eq(o->delegators, 0);
    ck_assert_int_eq(o->unbonding_time_ns, 600LL * 1000000000);
    ck_assert_uint_eq(o->max_validators, 0);
    ck_assert_uint_eq(o->min_self_bond, 1);
    ck_assert_uint_eq(sim_scenario_commission_of(s, 7), 50000000000000000ULL);
    ck_assert_uint_eq(o->inflation_min, 70000000000000000ULL);
    ck_assert_uint_eq(o->inflation_max, 200000000000000000ULL);
    ck_assert_uint_eq(o->inflation_rate_change, 130000000000000000ULL);
    ck_assert_uint_eq(o->goal_bonded, 670000000000000000ULL);
    ck_assert_uint_eq(o->community_tax, 20000000000000000ULL);
    ck_assert_int_eq(o->year_ns, 3600LL * 1000000000);
    sim_scenario_free(s);
    s = parse_ok(HEAD "[staking]\ndelegators = 500\ndelegation_rate = 2/s\n"
                      "unbonding_time = 2min\nmax_validators = 7\nmin_self_bond = 50\n"
                      "commission = 0.01 0.02 0.03 0.04 0.05 0.06 0.07 0.08 0.09 0.1\n"
                      "inflation_min = 0.05\ninflation_max = 0.3\ngoal_bonded = 0.5\n"
                      "year = 10min\ncommunity_tax = 0.000000001\n");
    o = &s->staking_opt;
    ck_assert_uint_eq(o->delegators, 500);
    ck_assert(o->delegation_rate_per_s == 2.0);
    ck_assert_uint_eq(o->max_validators, 7);
    ck_assert_uint_eq(sim_scenario_commission_of(s, 0), 10000000000000000ULL);
    ck_assert_uint_eq(sim_scenario_commission_of(s, 9), 100000000000000000ULL);
    ck_assert_uint_eq(o->goal_bonded, 500000000000000000ULL);
    ck_assert_uint_eq(o->community_tax, 1000000000ULL);
    ck_assert_int_eq(o->year_ns, 600LL * 1000000000);
    sim_scenario_free(s);
}
END_TEST

START_TEST(test_economy_errors)
{
    parse_bad(HEAD "[staking]\ncommission = 0.1 0.2\n", SIM_SCENARIO_ERROR_VALUE,
              "dir/st.ini:7: commission: ", "2 rates for 10 validators");
    parse_bad(HEAD "[staking]\ncommission = 0.3\n", SIM_SCENARIO_ERROR_VALUE,
              "dir/st.ini:7: commission: ", "above commission_max_rate");
    parse_bad(HEAD "[staking]\ncommission = 1.5\n", SIM_SCENARIO_ERROR_VALUE,
              "dir/st.ini:7: commission: ", "");
    parse_bad(HEAD "[staking]\ncommission_max_change_rate = 0.5\n", SIM_SCENARIO_ERROR_VALUE,
              "dir/st.ini:7: commission_max_change_rate: ", "above commission_max_rate");
    parse_bad(HEAD "[staking]\ninflation_min = 0.5\n", SIM_SCENARIO_ERROR_VALUE,
              "dir/st.ini:7: inflation_min: ", "above inflation_max");
    parse_bad(HEAD "[staking]\ngoal_bonded = 0\n", SIM_SCENARIO_ERROR_VALUE,
              "dir/st.ini:7: goal_bonded: ", "must be above 0");
    parse_bad(HEAD "[staking]\nmax_validators = 11\n", SIM_SCENARIO_ERROR_VALUE,
              "dir/st.ini:7: max_validators: ", "11, but there are 10 validators");
    parse_bad(HEAD "[staking]\ndelegation_rate = 1/s\n", SIM_SCENARIO_ERROR_VALUE,
              "dir/st.ini:7: delegation_rate: ", "there are none");
    parse_bad(HEAD "[staking]\nmin_self_bond = 101\n", SIM_SCENARIO_ERROR_VALUE,
              "dir/st.ini:7: min_self_bond: ", "v0's stake 100 (its genesis self-bond) is below it");
    parse_bad(HEAD "[staking]\nunbonding_time = 0s\n", SIM_SCENARIO_ERROR_VALUE,
              "dir/st.ini:7: unbonding_time: ", "");
    parse_bad(HEAD "[staking]\nyear = soon\n", SIM_SCENARIO_ERROR_VALUE,
              "dir/st.ini:7: year: ", "");
    /* the unbond fault: delegators needed; `to` one validator it does not leave */
    parse_bad(HEAD "[staking]\n[fault m]\naction = unbond\nat = 1s\nnodes = v2\n",
              SIM_SCENARIO_ERROR_VALUE, "dir/st.ini:8: action: ", "there are none");
    parse_bad(HEAD "[staking]\ndelegators = 5\n[fault m]\naction = unbond\nat = 1s\n"
                   "nodes = v2\nto = v2\n",
              SIM_SCENARIO_ERROR_VALUE, "dir/st.ini:12: to: ",
              "v2 is one of the validators its delegators leave");
    parse_bad(HEAD "[staking]\ndelegators = 5\n[fault m]\naction = unbond\nat = 1s\n"
                   "nodes = v2\nto = n0\n",
              SIM_SCENARIO_ERROR_VALUE, "dir/st.ini:12: to: ", "one validator to redelegate to");
    parse_bad(HEAD "[staking]\ndelegators = 5\n[fault m]\naction = unbond\nat = 1s\n"
                   "nodes = n0\n",
              SIM_SCENARIO_ERROR_VALUE, "dir/st.ini:11: nodes: ", "");
}
END_TEST

START_TEST(test_min_nakamoto)
{
    sim_scenario *s = parse_ok(HEAD "[expect]\nmin_nakamoto = 4\n");
    ck_assert(s->expect.has_min_nakamoto);
    ck_assert_uint_eq(s->expect.min_nakamoto, 4);
    sim_scenario_free(s);
    s = parse_ok(HEAD "[expect]\nmin_nakamoto = 10\n");
    sim_scenario_free(s);
    parse_bad(HEAD "[expect]\nmin_nakamoto = 0\n", SIM_SCENARIO_ERROR_VALUE,
              "dir/st.ini:7: min_nakamoto: ", "'0' is out of range (1..1000)");
    parse_bad(HEAD "[expect]\nmin_nakamoto = two\n", SIM_SCENARIO_ERROR_VALUE,
              "dir/st.ini:7: min_nakamoto: ", "bad integer 'two'");
    parse_bad(HEAD "[expect]\nmin_nakamoto = 1.5\n", SIM_SCENARIO_ERROR_VALUE,
              "dir/st.ini:7: min_nakamoto: ", "bad integer");
    parse_bad(HEAD "[expect]\nmin_nakamoto =\n", SIM_SCENARIO_ERROR_VALUE,
              "dir/st.ini:7: min_nakamoto: ", "empty value");
    parse_bad(HEAD "[expect]\nmin_nakamoto = 11\n", SIM_SCENARIO_ERROR_VALUE,
              "dir/st.ini:7: min_nakamoto: ",
              "11 can never hold: the coefficient counts validators, and there are 10");
    /* with owners it counts owners: alpha, beta */
    parse_bad(HEAD "[staking]\nowners = v0..v3:alpha v4..v9:beta\n[expect]\nmin_nakamoto = 3\n",
              SIM_SCENARIO_ERROR_VALUE, "dir/st.ini:9: min_nakamoto: ",
              "3 can never hold: the coefficient counts owners ([staking] owners), and there "
              "are 2");
}
END_TEST

START_TEST(test_expect_concentration_alarms)
{
    sim_scenario *s = parse_ok(HEAD "[staking]\nowners = v0..v3:alpha\n[expect]\n"
                                    "alarms = concentration:alpha concentration-cleared:v9\n");
    ck_assert_uint_eq(s->expect.alarms->len, 2);
    ck_assert_str_eq(g_ptr_array_index(s->expect.alarms, 0), "concentration:alpha");
    ck_assert_str_eq(g_ptr_array_index(s->expect.alarms, 1), "concentration-cleared:v9");
    sim_scenario_free(s);
    parse_bad(HEAD "[expect]\nalarms = concentration:v1\n", SIM_SCENARIO_ERROR_VALUE,
              "dir/st.ini:7: alarms: ",
              "concentration alarms are raised only in a run with a [staking] section");
    parse_bad(HEAD "[staking]\nowners = v0..v3:alpha\n[expect]\nalarms = concentration:gamma\n",
              SIM_SCENARIO_ERROR_VALUE, "dir/st.ini:9: alarms: ", "'gamma' is no owner");
    parse_bad(HEAD "[staking]\nowners = v0..v3:alpha\n[expect]\nalarms = concentration:v2\n",
              SIM_SCENARIO_ERROR_VALUE, "dir/st.ini:9: alarms: ", "'v2' is no owner");
    parse_bad(HEAD "[staking]\n[expect]\nalarms = concentration\n", SIM_SCENARIO_ERROR_VALUE,
              "dir/st.ini:8: alarms: ", "concentration needs the owner it names");
}
END_TEST

static Suite *staking_suite(void)
{
    Suite *s = suite_create("scenario_staking");
    TCase *tc = tcase_create("owners");
    tcase_add_test(tc, test_economy_keys);
    tcase_add_test(tc, test_economy_errors);
    tcase_add_test(tc, test_default_every_validator_owns_itself);
    tcase_add_test(tc, test_owners_as_written);
    tcase_add_test(tc, test_owners_errors);
    tcase_add_test(tc, test_section_errors);
    tcase_add_test(tc, test_min_nakamoto);
    tcase_add_test(tc, test_expect_concentration_alarms);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(staking_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
