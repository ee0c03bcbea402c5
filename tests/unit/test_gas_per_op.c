/* Unit tests pinning the gas of every operation (tools/bench/gas_ops.h:
 * each executed for real, one signed transaction through encode, decode
 * and proto_tx_exec): a change that makes an operation cost more, or
 * less, fails here and must say why in its commit, and the README's
 * "Gas per operation" table is updated with it. Also: the message's own
 * share of a receipt is exactly what its module's gas function says (the
 * figure clients and the simulated agents size their gas limits with),
 * and the figures are the same on a second run. */
#include <check.h>
#include <glib.h>
#include <string.h>

#include "protocol/chain/tx_envelope.h"
#include "protocol/modules/disputes/disputes.h"
#include "protocol/modules/distribution/distribution.h"
#include "protocol/modules/jobs/jobs.h"
#include "protocol/modules/multisig/multisig.h"
#include "protocol/modules/registry/registry.h"
#include "protocol/modules/staking/staking.h"
#include "tools/bench/gas_ops.h"

/* Total gas per operation, from the receipt. */
static const struct {
    const char *name;
    uint64_t total;
} pinned[] = {
    {"transfer", 16357},
    {"agent_register", 18480},
    {"agent_heartbeat", 14703},
    {"agent_update", 14783},
    {"agent_deregister", 14703},
    {"job_post", 32964},
    {"job_accept", 16279},
    {"job_result", 15155},
    {"job_confirm", 32568},
    {"job_decline", 25205},
    {"job_cancel", 20456},
    {"job_reject", 24512},
    {GAS_OPS_CONFIRM_POST, 58803},
    {"dispute_defend", 22646},
    {"dispute_verdict", 19066},
    {"dispute_appeal", 29836},
    {"dispute_commit", 19386},
    {"dispute_reveal", 19396},
    {"multisig_create", 16260},
    {"multisig_deposit", 17512},
    {"multisig_approve", 12763},
    {"multisig_exec", 21962},
    {GAS_OPS_EXEC_SETTLE, 42922},
    {GAS_OPS_EXEC_UPGRADE, 17203},
    {"create_validator", 26791},
    {"edit_validator", 13423},
    {"delegate", 26551},
    {"undelegate", 26551},
    {"redelegate", 39719},
    {"cancel_unbonding", 26631},
    {"withdraw_rewards", 33035},
    {"withdraw_commission", 19907},
};

static gas_op_row rows[GAS_OPS_ROWS];
static size_t rows_count;

static void measure(void)
{
    rows_count = gas_ops_measure(rows);
}

START_TEST(every_operation_is_pinned)
{
    ck_assert_uint_eq(rows_count, G_N_ELEMENTS(pinned));
    for (size_t i = 0; i < G_N_ELEMENTS(pinned); i++) {
        const gas_op_row *r = gas_ops_find(rows, rows_count, pinned[i].name);
        ck_assert_msg(r != NULL, "%s was not measured", pinned[i].name);
        ck_assert_msg(r->total == pinned[i].total, "%s: %" G_GUINT64_FORMAT " gas, pinned %"
                      G_GUINT64_FORMAT, pinned[i].name, r->total, pinned[i].total);
    }
}
END_TEST

START_TEST(job_lifecycle_is_pinned)
{
    /* post + accept + result + confirm: 122,110 before the charges
     * followed the handlers record by record. */
    ck_assert_uint_eq(gas_ops_job_lifecycle(rows, rows_count), 96966);
    /* post + accept + result + reject + defend + verdict */
    ck_assert_uint_eq(gas_ops_dispute_lifecycle(rows, rows_count), 130622);
    /* post + accept + result + two approvals + the guard's release */
    ck_assert_uint_eq(gas_ops_guarded_lifecycle(rows, rows_count), 132846);
}
END_TEST

/* The gas function of the module that handles `type`. */
static uint64_t module_gas(const proto_gas_schedule *g, uint8_t type)
{
    if (type >= PROTO_TXMSG_DISPUTE_DEFEND && type <= PROTO_TXMSG_DISPUTE_APPEAL) {
        proto_disputes_params p = proto_disputes_defaults(); /* as gas_ops.c sets them */
        p.panel = 1;
        p.panel_max = 3;
        return proto_disputes_msg_gas(g, &p, type);
    }
    if (type >= PROTO_TXMSG_JOB_POST && type <= PROTO_TXMSG_JOB_CANCEL)
        return proto_jobs_msg_gas(g, type);
    if (type >= PROTO_TXMSG_AGENT_REGISTER && type <= PROTO_TXMSG_AGENT_DEREGISTER)
        return proto_registry_msg_gas(g, type);
    if (type == PROTO_TXMSG_WITHDRAW_REWARDS || type == PROTO_TXMSG_WITHDRAW_COMMISSION)
        return proto_distribution_msg_gas(g, type);
    ck_assert(type >= PROTO_TXMSG_CREATE_VALIDATOR && type <= PROTO_TXMSG_CANCEL_UNBONDING);
    return proto_staking_msg_gas(g, type);
}

START_TEST(state_share_is_the_module_gas_function)
{
    proto_gas_schedule g = proto_gas_schedule_default();
    for (uint8_t type = PROTO_TXMSG_CREATE_VALIDATOR; type <= PROTO_TXMSG_DISPUTE_APPEAL; type++) {
        if (type > PROTO_TXMSG_JOB_CANCEL && type < PROTO_TXMSG_DISPUTE_DEFEND)
            continue; /* multisig: its charge depends on the message (below) */
        const gas_op_row *r = gas_ops_find(rows, rows_count, proto_txmsg_type_name(type));
        ck_assert_msg(r != NULL, "%s was not measured", proto_txmsg_type_name(type));
        ck_assert_msg(r->state == module_gas(&g, type), "%s: the receipt's state share %"
                      G_GUINT64_FORMAT ", the module's function %" G_GUINT64_FORMAT,
                      r->name, r->state, module_gas(&g, type));
        ck_assert_uint_eq(r->size, g.tx_size_cost_per_byte * r->wire_bytes);
        ck_assert_uint_eq(r->total, r->size + r->signature + r->account + r->state);
    }
}
END_TEST

/* The multisig rows' state share against proto_multisig_msg_gas of the
 * message gas_ops.c sent (a creation with 3 owners; an exec's charge
 * follows its operation). */
START_TEST(multisig_state_share_is_the_module_gas_function)
{
    proto_gas_schedule g = proto_gas_schedule_default();
    proto_txmsg m = {.type = PROTO_TXMSG_MULTISIG_CREATE};
    m.multisig_create.owners_count = 3;
    ck_assert_uint_eq(gas_ops_find(rows, rows_count, "multisig_create")->state,
                      proto_multisig_msg_gas(&g, &m));
    m = (proto_txmsg){.type = PROTO_TXMSG_MULTISIG_DEPOSIT};
    ck_assert_uint_eq(gas_ops_find(rows, rows_count, "multisig_deposit")->state,
                      proto_multisig_msg_gas(&g, &m));
    m = (proto_txmsg){.type = PROTO_TXMSG_MULTISIG_APPROVE};
    ck_assert_uint_eq(gas_ops_find(rows, rows_count, "multisig_approve")->state,
                      proto_multisig_msg_gas(&g, &m));
    const struct {
        const char *row;
        uint8_t op;
    } execs[] = {{"multisig_exec", PROTO_MULTISIG_OP_TRANSFER},
                 {GAS_OPS_EXEC_SETTLE, PROTO_MULTISIG_OP_JOB_SETTLE},
                 {GAS_OPS_EXEC_UPGRADE, PROTO_MULTISIG_OP_UPGRADE}};
    for (size_t i = 0; i < G_N_ELEMENTS(execs); i++) {
        m = (proto_txmsg){.type = PROTO_TXMSG_MULTISIG_EXEC};
        m.multisig_exec.op.type = execs[i].op;
        ck_assert_msg(gas_ops_find(rows, rows_count, execs[i].row)->state ==
                          proto_multisig_msg_gas(&g, &m),
                      "%s", execs[i].row);
    }
}
END_TEST

START_TEST(batching_pays_the_ante_once)
{
    const gas_op_row *confirm = gas_ops_find(rows, rows_count, "job_confirm");
    const gas_op_row *post = gas_ops_find(rows, rows_count, "job_post");
    const gas_op_row *both = gas_ops_find(rows, rows_count, GAS_OPS_CONFIRM_POST);
    ck_assert_uint_eq(both->state, confirm->state + post->state);
    ck_assert_uint_eq(both->signature, confirm->signature);
    ck_assert_uint_eq(both->account, confirm->account);
    /* One envelope's header and signature fewer on the wire. */
    ck_assert_uint_eq(both->wire_bytes, confirm->wire_bytes + post->wire_bytes -
                                            PROTO_TXENV_HEADER_SIZE - PROTO_SIG_SIZE);
}
END_TEST

START_TEST(a_second_run_measures_the_same)
{
    gas_op_row again[GAS_OPS_ROWS];
    size_t count = gas_ops_measure(again);
    ck_assert_uint_eq(count, rows_count);
    for (size_t i = 0; i < count; i++) {
        ck_assert_str_eq(again[i].name, rows[i].name);
        ck_assert_uint_eq(again[i].total, rows[i].total);
        ck_assert_uint_eq(again[i].wire_bytes, rows[i].wire_bytes);
    }
}
END_TEST

static Suite *gas_per_op_suite(void)
{
    Suite *s = suite_create("gas_per_op");
    TCase *tc = tcase_create("figures");
    tcase_add_unchecked_fixture(tc, measure, NULL);
    tcase_add_test(tc, every_operation_is_pinned);
    tcase_add_test(tc, job_lifecycle_is_pinned);
    tcase_add_test(tc, state_share_is_the_module_gas_function);
    tcase_add_test(tc, multisig_state_share_is_the_module_gas_function);
    tcase_add_test(tc, batching_pays_the_ante_once);
    tcase_add_test(tc, a_second_run_measures_the_same);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(gas_per_op_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
