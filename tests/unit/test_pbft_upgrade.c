/* PBFT across a module upgrade (protocol/modules/upgrade/upgrade.h):
 * real nodes on the zero-latency hub (tests/unit/support/pbft_hub.c).
 *
 * 4 validators (quorum 3) and a full node; the genesis (with the
 * registry and jobs modules) plans the jobs module's version 2 at height UPGRADE_HEIGHT. A node whose code runs
 * version 1 (its operator has not installed the upgrade) must halt at
 * that height, reporting it, without judging the block invalid; the
 * others go on while they keep a quorum; restarted with the new code, a
 * laggard catches up through the migration. With two laggards of four
 * there is no quorum: the chain stops at the height everywhere and
 * resumes once the code is installed. */
#include <check.h>

#include "protocol/modules/jobs/jobs.h"
#include "protocol/modules/multisig/multisig.h"
#include "protocol/modules/registry/registry.h"
#include "protocol/modules/upgrade/upgrade.h"
#include "support/pbft_hub.h"

#define UPGRADE_HEIGHT 5u

static pbft_hub H;
static uint32_t old_code[PROTO_MODULES_MAX];

/* The jobs module, the upgrade module with multisig 1 (accounts 0 and
 * 1, 2 of 2) as its authority, and a plan made at genesis. */
static void setup(void)
{
    hub_init(&H, 4, 1, 5);
    proto_registry_params rp = proto_registry_defaults();
    proto_registry_genesis(H.genesis, &rp, 0, NULL, 0);
    proto_jobs_params jp = proto_jobs_defaults();
    proto_jobs_genesis(H.genesis, &jp);
    proto_multisig_genesis_account authority = {.threshold = 2, .owners_count = 2,
                                                .owners = {0, 1}};
    proto_multisig_genesis(H.genesis, 1, &authority);
    proto_upgrade_genesis(H.genesis, 1);
    proto_gas_meter gas;
    proto_gas_meter_init(&gas, UINT64_MAX);
    proto_msg_ctx ctx = {.gas = &gas, .chain_id = H.params.chain_id};
    proto_upgrade_plan plan = {.module = PROTO_JOBS_MODULE_ID, .version = 2,
                               .height = UPGRADE_HEIGHT};
    ck_assert_int_eq(proto_upgrade_check_plan(H.genesis, &ctx, 1, &plan), PROTO_UPGRADE_OK);
    proto_upgrade_add_plan(H.genesis, &ctx, &plan);
    for (uint32_t m = 0; m < PROTO_MODULES_MAX; m++)
        old_code[m] = 1;
    hub_rebuild(&H);
}

static void teardown(void)
{
    hub_clear(&H);
}

static uint32_t jobs_version_at(uint32_t i)
{
    return proto_upgrade_version(pbft_node_state(H.node[i]), PROTO_JOBS_MODULE_ID);
}

/* The halt node i reported: its height, or 0 for none. */
static uint64_t halted_at(uint32_t i)
{
    const GArray *ev = H.env[i].events;
    for (guint k = 0; k < ev->len; k++) {
        const proto_event *e = &g_array_index(ev, proto_event, k);
        if (e->kind == PROTO_EV_UPGRADE && e->depth == PROTO_UPGRADE_EV_HALTED) {
            ck_assert_uint_eq(e->validator, PROTO_JOBS_MODULE_ID);
            ck_assert_uint_eq(e->status, 2);
            return e->amount;
        }
    }
    return 0;
}

static void restart_with_code(uint32_t i, const uint32_t *code)
{
    hub_crash(&H, i);
    hub_set_code(&H, i, code);
    hub_start(&H, i);
}

static void restart_with_new_code(uint32_t i)
{
    restart_with_code(i, NULL);
}

START_TEST(code_runs_reads_stored_versions_and_due_plans)
{
    const proto_state *s = H.genesis;
    uint32_t module = 0, version = 0;
    ck_assert(proto_upgrade_code_runs(s, UPGRADE_HEIGHT - 1, old_code, &module, &version));
    ck_assert(!proto_upgrade_code_runs(s, UPGRADE_HEIGHT, old_code, &module, &version));
    ck_assert_uint_eq(module, PROTO_JOBS_MODULE_ID);
    ck_assert_uint_eq(version, 2);
    ck_assert(proto_upgrade_code_runs(s, UPGRADE_HEIGHT, NULL, NULL, NULL)); /* the build's */
}
END_TEST

START_TEST(one_laggard_halts_and_catches_up)
{
    restart_with_code(3, old_code);
    hub_run_until(&H, HUB_SEC(15.5));
    /* The laggard stopped before the activation block, reporting it. */
    ck_assert_uint_eq(halted_at(3), UPGRADE_HEIGHT);
    ck_assert_uint_eq(hub_committed(&H, 3), UPGRADE_HEIGHT - 1);
    ck_assert_uint_eq(hub_rejected(&H, 3, PROTO_REJECT_STATE_ROOT), 0); /* not "invalid" */
    /* The three others kept a quorum and migrated. */
    for (uint32_t v = 0; v < 3; v++) {
        ck_assert_uint_eq(halted_at(v), 0);
        ck_assert_uint_ge(hub_committed(&H, v), UPGRADE_HEIGHT + 4); /* view changes skip its turns */
        ck_assert_uint_eq(jobs_version_at(v), 2);
    }
    ck_assert_uint_eq(jobs_version_at(4), 2); /* the full node, on the build's code */
    restart_with_new_code(3);
    hub_run_until(&H, HUB_SEC(25.5));
    ck_assert_uint_ge(hub_committed(&H, 3) + 1, hub_committed(&H, 0));
    ck_assert_uint_eq(jobs_version_at(3), 2);
    hub_assert_agreement(&H);
}
END_TEST

START_TEST(without_a_quorum_the_chain_waits_for_the_code)
{
    for (uint32_t i = 2; i <= 3; i++)
        restart_with_code(i, old_code);
    hub_run_until(&H, HUB_SEC(20.5));
    for (uint32_t v = 0; v < 4; v++)
        ck_assert_uint_eq(hub_committed(&H, v), UPGRADE_HEIGHT - 1);
    ck_assert_uint_eq(halted_at(2), UPGRADE_HEIGHT);
    ck_assert_uint_eq(halted_at(3), UPGRADE_HEIGHT);
    ck_assert_uint_eq(halted_at(0), 0);
    restart_with_new_code(2);
    restart_with_new_code(3);
    hub_run_until(&H, HUB_SEC(60.5));
    for (uint32_t v = 0; v < 4; v++) {
        ck_assert_uint_ge(hub_committed(&H, v), UPGRADE_HEIGHT + 3);
        ck_assert_uint_eq(jobs_version_at(v), 2);
    }
    hub_assert_agreement(&H);
}
END_TEST

START_TEST(a_halted_node_restarted_without_the_code_halts_again)
{
    restart_with_code(3, old_code);
    hub_run_until(&H, HUB_SEC(10.5));
    ck_assert_uint_eq(halted_at(3), UPGRADE_HEIGHT);
    hub_crash(&H, 3);
    hub_start(&H, 3); /* still the old code */
    hub_run_until(&H, HUB_SEC(15.5));
    ck_assert_uint_eq(hub_committed(&H, 3), UPGRADE_HEIGHT - 1);
    ck_assert_uint_eq(halted_at(3), UPGRADE_HEIGHT);
    ck_assert_uint_ge(hub_committed(&H, 0), UPGRADE_HEIGHT + 5);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("pbft_upgrade");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, code_runs_reads_stored_versions_and_due_plans);
    tcase_add_test(tc, one_laggard_halts_and_catches_up);
    tcase_add_test(tc, without_a_quorum_the_chain_waits_for_the_code);
    tcase_add_test(tc, a_halted_node_restarted_without_the_code_halts_again);
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
