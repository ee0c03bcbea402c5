/* Unit tests for the simulator's side of module upgrades
 * (sim/world/upgrades.c, chain_governance.c): a small PBFT market whose
 * scenario has an `upgrade` fault, built and run as a whole world.
 *
 *   genesis    the governors' accounts, their 2-of-3 multisig as the
 *              upgrade authority, every module at version 1;
 *   code       the laggard starts on the old code (its environment's
 *              code_versions), the others on the build's;
 *   the run    the governance client plans the upgrade through the
 *              authority, the chain activates it, the laggard halts at
 *              the activation height, is taken down, restarted on the
 *              new code at `at` + lag and catches up; the record says so
 *              and conservation holds across the migration; the same
 *              scenario twice gives the same trace;
 *   treasury   with [jobs] fee_to = treasury and no upgrade, the same
 *              governors' multisig holds every released job's fee. */
#include <check.h>
#include <string.h>

#include "protocol/modules/jobs/jobs.h"
#include "protocol/modules/multisig/multisig.h"
#include "protocol/modules/upgrade/upgrade.h"
#include "sim/world/world_internal.h"
#include "support/world_fixture.h"

#define S_NS 1000000000LL

/* 4 validators (quorum 3), v3 installing 15 s late. */
static const char market[] = "[scenario]\n"
                             "duration = 45s\n"
                             "[network]\n"
                             "validators = 4\n"
                             "full_nodes = 2\n"
                             "latency = constant 20ms\n"
                             "[consensus]\n"
                             "protocol = pbft\n"
                             "block_interval = 1s\n"
                             "view_timeout = 2s\n"
                             "crypto = fast\n"
                             "[fees]\n"
                             "initial_base_fee = 1\n"
                             "min_base_fee = 0\n"
                             "[workload]\n"
                             "tx_rate = 5/s\n"
                             "accounts = 10\n"
                             "[agents]\n"
                             "providers = 3\n"
                             "consumers = 2\n"
                             "capacity = 2\n"
                             "price = uniform 1600000 2400000\n"
                             "cost = uniform 400000 800000\n"
                             "bond = 10000000000\n"
                             "[jobs]\n"
                             "rate = 1/s\n"
                             "work = constant 1s\n"
                             "deadline = 20s\n"
                             "max_price = 3000000\n"
                             "challenge_window = 5s\n"
                             "[fault up]\n"
                             "action = upgrade\n"
                             "at = 10s\n"
                             "module = escrow\n"
                             "version = 2\n"
                             "blocks = 8\n"
                             "nodes = v3\n"
                             "lag = 15s\n";

static const proto_state *final_state(sim_world *w)
{
    const proto_state *s = sim_world_committed_state(w, NULL);
    ck_assert_ptr_nonnull(s);
    return s;
}

START_TEST(test_genesis_and_code)
{
    sim_scenario *sc = NULL;
    sim_world *w = test_world_new("up.ini", market, &sc);
    const sim_chain *c = &w->chain;
    ck_assert_uint_eq(c->governors_count, SIM_CHAIN_GOVERNORS);
    ck_assert_uint_eq(c->upgrade_authority, 1);
    ck_assert_uint_eq(proto_upgrade_authority(c->genesis), 1);
    const proto_multisig *ms = proto_multisig_get(c->genesis, 1);
    ck_assert_ptr_nonnull(ms);
    ck_assert_uint_eq(ms->threshold, SIM_CHAIN_GOVERNORS_THRESHOLD);
    ck_assert_uint_eq(ms->owners_count, SIM_CHAIN_GOVERNORS);
    for (uint32_t k = 0; k < SIM_CHAIN_GOVERNORS; k++)
        ck_assert(proto_multisig_is_owner(ms, c->first_governor_account + k));
    ck_assert_uint_eq(proto_upgrade_version(c->genesis, PROTO_JOBS_MODULE_ID), 1);
    /* the laggard runs the old code, the others the build's */
    const uint32_t *old = w->nodes[3].env.code_versions;
    ck_assert_ptr_nonnull(old);
    ck_assert_uint_eq(old[PROTO_JOBS_MODULE_ID], 1);
    for (uint32_t i = 0; i < w->nodes_count; i++)
        if (i != 3)
            ck_assert_ptr_null(w->nodes[i].env.code_versions);
    test_world_free(w, sc);
}
END_TEST

START_TEST(test_laggard_halts_and_catches_up)
{
    sim_scenario *sc = NULL;
    sim_world *w = test_world_new("up.ini", market, &sc);
    ck_assert_int_eq(sim_world_run(w, NULL, NULL), SIM_STOP_DURATION);
    ck_assert(sim_world_safety_held(w));
    ck_assert(sim_world_conservation_held(w, NULL));
    const sim_metrics *m = sim_world_metrics(w);
    ck_assert_uint_eq(m->upgrades->len, 1);
    const sim_upgrade_record *r = &g_array_index(m->upgrades, sim_upgrade_record, 0);
    ck_assert_str_eq(r->module, "jobs");
    ck_assert_uint_eq(r->version, 2);
    ck_assert_uint_eq(r->lagging, 1);
    ck_assert_int_ge(r->planned_ns, 10 * S_NS);
    ck_assert_uint_ge(r->activated_height, r->planned_height);
    ck_assert_int_gt(r->activated_ns, r->planned_ns);
    ck_assert_int_lt(r->activated_ns, 25 * S_NS); /* before the laggard installs */
    ck_assert_int_ge(r->stall_ns, 0);
    ck_assert_uint_eq(r->halted_nodes, 1);
    ck_assert_int_ge(r->resumed_ns, 25 * S_NS); /* back only once installed */
    ck_assert_int_gt(r->halt_max_ns, 0);
    ck_assert_int_le(r->halt_max_ns, r->resumed_ns - r->activated_ns + S_NS);
    /* every node on version 2 and at the tip at the end */
    ck_assert_ptr_null(w->nodes[3].env.code_versions);
    ck_assert_uint_eq(proto_upgrade_version(final_state(w), PROTO_JOBS_MODULE_ID), 2);
    for (uint32_t i = 0; i < 4; i++) {
        ck_assert(w->nodes[i].up);
        ck_assert_uint_ge(w->nodes[i].final_height + 2, w->final_height_max);
        ck_assert_uint_eq(proto_upgrade_version(pbft_node_state(w->nodes[i].consensus),
                                                PROTO_JOBS_MODULE_ID),
                          2);
    }
    ck_assert_double_eq(sim_metrics_get(m, "upgrade_halted_nodes", -1), 1);
    ck_assert_double_eq(sim_metrics_get(m, "upgrades_activated", -1), 1);
    char first[2 * PROTO_HASH_SIZE + 1];
    sim_world_trace_hash(w, first);
    test_world_free(w, sc);

    /* the same scenario again: the same trace */
    w = test_world_new("up.ini", market, &sc);
    ck_assert_int_eq(sim_world_run(w, NULL, NULL), SIM_STOP_DURATION);
    char again[2 * PROTO_HASH_SIZE + 1];
    sim_world_trace_hash(w, again);
    ck_assert_str_eq(first, again);
    test_world_free(w, sc);
}
END_TEST

START_TEST(test_on_time_nobody_halts)
{
    g_autofree char *text = g_strdup(market);
    *strstr(text, "nodes = v3\n") = '\0'; /* no laggard, no lag */
    sim_scenario *sc = NULL;
    sim_world *w = test_world_new("up0.ini", text, &sc);
    ck_assert_int_eq(sim_world_run(w, NULL, NULL), SIM_STOP_DURATION);
    ck_assert(sim_world_conservation_held(w, NULL));
    const sim_upgrade_record *r =
        &g_array_index(sim_world_metrics(w)->upgrades, sim_upgrade_record, 0);
    ck_assert_int_ge(r->activated_ns, 0);
    ck_assert_uint_eq(r->halted_nodes, 0);
    ck_assert_int_eq(r->resumed_ns, -1);
    ck_assert_int_eq(r->halt_max_ns, 0);
    ck_assert_int_lt(r->stall_ns, 2 * S_NS); /* one block interval, give or take */
    test_world_free(w, sc);
}
END_TEST

/* [jobs] fee_to = treasury, no upgrade: the governors' multisig without
 * the upgrade module, holding every released job's market fee. */
START_TEST(test_treasury_holds_the_fees)
{
    g_autofree char *text = g_strdup(market);
    *strstr(text, "[fault up]") = '\0';
    g_autofree char *treasury = g_strconcat(text, "fee_to = treasury\n", NULL);
    sim_scenario *sc = NULL;
    sim_world *w = test_world_new("tr.ini", treasury, &sc);
    ck_assert_uint_eq(w->chain.governors_count, SIM_CHAIN_GOVERNORS);
    ck_assert_uint_eq(w->chain.upgrade_authority, 0);
    ck_assert(!proto_upgrade_active(w->chain.genesis));
    ck_assert_uint_eq(w->chain.jobs_params.treasury, SIM_CHAIN_GOVERNANCE_MULTISIG);
    ck_assert_int_eq(sim_world_run(w, NULL, NULL), SIM_STOP_DURATION);
    ck_assert(sim_world_conservation_held(w, NULL));
    const sim_metrics *m = sim_world_metrics(w);
    uint64_t fees = 0; /* the market fee of every released job */
    for (guint k = 0; k < m->jobs->len; k++) {
        const sim_job_record *j = &g_array_index(m->jobs, sim_job_record, k);
        if (g_strcmp0(j->outcome, "completed") == 0 || g_strcmp0(j->outcome, "released_wrong") == 0)
            fees += proto_jobs_fee(&w->chain.jobs_params, j->price);
    }
    ck_assert_uint_gt(fees, 0);
    const proto_multisig *ms = proto_multisig_get(final_state(w), SIM_CHAIN_GOVERNANCE_MULTISIG);
    ck_assert_uint_eq(ms->balance, fees);
    ck_assert_double_eq(sim_metrics_get(m, "treasury_balance", -1), (double)fees);
    test_world_free(w, sc);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("upgrade_world");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_genesis_and_code);
    tcase_add_test(tc, test_laggard_halts_and_catches_up);
    tcase_add_test(tc, test_on_time_nobody_halts);
    tcase_add_test(tc, test_treasury_holds_the_fees);
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
