/* Unit tests for reading the `upgrade` fault
 * (sim/scenario/scenario_upgrade.c) and the [expect] keys that measure
 * one (max_upgrade_stall, max_upgrade_halt), and [jobs] fee_to. Accepted files are checked
 * for the values they leave in the fault; refused ones for the whole
 * "FILE:LINE: key: " location and the reason. */
#include <check.h>
#include <glib.h>
#include <string.h>

#include "protocol/modules/jobs/jobs.h"
#include "sim/scenario/scenario.h"
#include "support/scenario_text.h"

#define S_NS 1000000000LL

/* 10 validators, 2 full nodes, PBFT, a market on lines 6..10; the
 * fault's header on line 11, action, at, module and version on lines
 * 12..15, its next key on line 16. */
#define MARKET                                                                                     \
    "[network]\nvalidators = 10\nfull_nodes = 2\n[consensus]\nprotocol = pbft\n[agents]\n"         \
    "providers = 4\nconsumers = 2\n[jobs]\nrate = 1/s\n"
#define UPGRADE(module, version)                                                                   \
    "[fault up]\naction = upgrade\nat = 10s\nmodule = " module "\nversion = " version "\n"

static sim_scenario *parse_ok(const char *text)
{
    return st_parse_ok("dir/u.ini", text);
}

static void parse_bad(const char *text, int code, const char *want_prefix, const char *want_reason)
{
    st_parse_bad("dir/u.ini", text, code, want_prefix, want_reason);
}

static const sim_fault *only_fault(const sim_scenario *s)
{
    ck_assert_uint_eq(s->faults->len, 1);
    return g_ptr_array_index(s->faults, 0);
}

START_TEST(test_accepted)
{
    sim_scenario *s = parse_ok(MARKET UPGRADE("escrow", "2") "nodes = v7..v9\nlag = 30s\n"
                                                             "[expect]\nmax_upgrade_stall = 8s\n"
                                                             "max_upgrade_halt = 40s\n");
    const sim_fault *f = only_fault(s);
    ck_assert_int_eq(f->action, SIM_FAULT_UPGRADE);
    ck_assert_uint_eq(f->upgrade_module, PROTO_JOBS_MODULE_ID);
    ck_assert_uint_eq(f->upgrade_version, 2);
    ck_assert_uint_eq(f->upgrade_blocks, 10); /* the default */
    ck_assert_int_eq(f->upgrade_lag_ns, 30 * S_NS);
    ck_assert_uint_eq(f->nodes->len, 3);
    ck_assert_uint_eq(g_array_index(f->nodes, uint32_t, 0), 7);
    ck_assert(s->expect.has_max_upgrade_stall && s->expect.has_max_upgrade_halt);
    ck_assert_int_eq(s->expect.max_upgrade_stall_ns, 8 * S_NS);
    ck_assert_int_eq(s->expect.max_upgrade_halt_ns, 40 * S_NS);
    ck_assert_str_eq(sim_fault_action_name(f->action), "upgrade");
    sim_scenario_free(s);

    /* the module's own name; no laggards; blocks given */
    s = parse_ok(MARKET UPGRADE("jobs", "2") "blocks = 6\n");
    f = only_fault(s);
    ck_assert_uint_eq(f->upgrade_module, PROTO_JOBS_MODULE_ID);
    ck_assert_uint_eq(f->upgrade_blocks, 6);
    ck_assert_uint_eq(f->nodes->len, 0);
    ck_assert_int_eq(f->upgrade_lag_ns, 0);
    sim_scenario_free(s);
}
END_TEST

START_TEST(test_refused_module_and_version)
{
    parse_bad(MARKET UPGRADE("escro", "2"), SIM_SCENARIO_ERROR_VALUE, "dir/u.ini:14: module: ",
              "unknown module 'escro' (upgradable in this build: jobs (escrow) to 2)");
    parse_bad(MARKET UPGRADE("registry", "2"), SIM_SCENARIO_ERROR_VALUE,
              "dir/u.ini:14: module: ", "runs module registry at version 1 only");
    parse_bad(MARKET UPGRADE("escrow", "3"), SIM_SCENARIO_ERROR_VALUE, "dir/u.ini:15: version: ",
              "version 3 is outside 2..2");
    parse_bad(MARKET UPGRADE("escrow", "1"), SIM_SCENARIO_ERROR_VALUE, "dir/u.ini:15: version: ",
              "version 1 is outside 2..2");
    /* no market: no jobs module in the chain */
    parse_bad("[network]\nvalidators = 4\n" UPGRADE("escrow", "2"), SIM_SCENARIO_ERROR_VALUE,
              "dir/u.ini:6: module: ", "module jobs is not in this chain (it needs [agents]");
    parse_bad(MARKET UPGRADE("escrow", "2") "[fault up2]\naction = upgrade\nat = 20s\n"
                                            "module = jobs\nversion = 2\n",
              SIM_SCENARIO_ERROR_VALUE, "dir/u.ini:19: module: ",
              "module jobs is upgraded by fault 'up' already");
    parse_bad(MARKET "[fault up]\naction = upgrade\nat = 10s\nmodule = escrow\n",
              SIM_SCENARIO_ERROR_KEY, "dir/u.ini:11: [fault up]: ", "missing `version`");
}
END_TEST

START_TEST(test_refused_other_keys)
{
    parse_bad(MARKET UPGRADE("escrow", "2") "lag = 30s\n", SIM_SCENARIO_ERROR_KEY,
              "dir/u.ini:16: lag: ", "lag needs `nodes`");
    parse_bad(MARKET UPGRADE("escrow", "2") "blocks = 4\n", SIM_SCENARIO_ERROR_VALUE,
              "dir/u.ini:16: blocks: ", "");
    parse_bad(MARKET UPGRADE("escrow", "2") "nodes = a0\n", SIM_SCENARIO_ERROR_VALUE,
              "dir/u.ini:16: nodes: ", "");
    parse_bad(MARKET UPGRADE("escrow", "2") "behavior = lazy\n", SIM_SCENARIO_ERROR_KEY,
              "dir/u.ini:16: behavior: ", "does not apply to action upgrade");
    parse_bad(MARKET "[expect]\nmax_upgrade_stall = 5s\n", SIM_SCENARIO_ERROR_VALUE,
              "dir/u.ini:12: max_upgrade_stall: ", "there is no upgrade to measure");
}
END_TEST

/* [jobs] fee_to: where the market fee goes (the governors' treasury is
 * the multisig the upgrade authority is). */
START_TEST(test_fee_to)
{
    sim_scenario *s = parse_ok(MARKET);
    ck_assert_int_eq(s->jobs_opt.fee_to, SIM_FEE_TO_COLLECTOR); /* the default */
    sim_scenario_free(s);
    s = parse_ok(MARKET "fee_to = treasury\n");
    ck_assert_int_eq(s->jobs_opt.fee_to, SIM_FEE_TO_TREASURY);
    sim_scenario_free(s);
    parse_bad(MARKET "fee_to = bank\n", SIM_SCENARIO_ERROR_VALUE, "dir/u.ini:11: fee_to: ",
              "bank");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("scenario_upgrade");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_accepted);
    tcase_add_test(tc, test_refused_module_and_version);
    tcase_add_test(tc, test_refused_other_keys);
    tcase_add_test(tc, test_fee_to);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
