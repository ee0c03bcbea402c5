/* Unit tests for versioned module upgrades (protocol/modules/upgrade/
 * upgrade.h) and escrow v2 (protocol/modules/jobs/jobs.h, "Versions"),
 * on the jobs tests' market (market_world.h) with two multisigs: 1, the
 * upgrade authority (owners 5, 6, 7, threshold 2), and 2 (owners 5, 6):
 *   - genesis: every module with state at version 1;
 *   - a plan made by the authority activates at its height: the jobs
 *     module migrates to v2, a job posted before keeps v1 terms (its fee
 *     to the collector, here burned) and one posted after gets v2 (half
 *     the fee burned, half to the provider); tokens are conserved;
 *   - refused plans, each with its reason: another multisig
 *     (not_authority), a stateless module (unknown_module), the version
 *     the chain has or one planned already, and the migration run again
 *     (not_newer), a height not ahead (past_height);
 *   - a node whose code runs jobs v1 cannot execute the activation's end
 *     block, nor begin any block once the chain stored v2; with the code
 *     installed it executes both (a newer stored version refuses an
 *     older binary). */
#include <check.h>
#include <string.h>

#include "protocol/chain/txmsg_multisig.h"
#include "protocol/modules/multisig/multisig.h"
#include "protocol/modules/upgrade/upgrade.h"
#include "support/market_world.h"

#define AUTHORITY 1u
#define OTHER 2u

static void upgrade_world(market_world *w)
{
    mw_init_market(w);
    proto_multisig_genesis_account ms[2] = {
        {.threshold = 2, .owners_count = 3, .owners = {5, 6, 7}},
        {.threshold = 2, .owners_count = 2, .owners = {5, 6}},
    };
    proto_multisig_genesis(w->s, 2, ms);
    proto_upgrade_genesis(w->s, AUTHORITY);
    w->supply = proto_state_total_supply(w->s);
}

static proto_multisig_op upgrade_op(uint8_t module, uint16_t version, uint64_t height)
{
    proto_multisig_op op;
    memset(&op, 0, sizeof op);
    op.type = PROTO_MULTISIG_OP_UPGRADE;
    op.upgrade.module = module;
    op.upgrade.version = version;
    op.upgrade.height = height;
    return op;
}

/* Owners 5 and 6 approve op on multisig id; the EXEC's result code. */
static uint32_t plan(market_world *w, uint32_t id, const proto_multisig_op *op)
{
    const proto_multisig *ms = proto_multisig_get(w->s, id);
    proto_txmsg a;
    memset(&a, 0, sizeof a);
    a.type = PROTO_TXMSG_MULTISIG_APPROVE;
    a.multisig_approve.multisig = id;
    a.multisig_approve.nonce = ms->nonce;
    proto_multisig_op_hash(42, id, ms->nonce, op, &a.multisig_approve.op_hash);
    for (uint32_t owner = 5; owner <= 6; owner++)
        if (!proto_multisig_approved(w->s, id, &a.multisig_approve.op_hash, owner))
            ck_assert_uint_eq(mw_send(w, owner, &a, NULL), 0);
    proto_txmsg x;
    memset(&x, 0, sizeof x);
    x.type = PROTO_TXMSG_MULTISIG_EXEC;
    x.multisig_exec.multisig = id;
    x.multisig_exec.nonce = ms->nonce;
    x.multisig_exec.op = *op;
    return mw_send(w, 7, &x, NULL);
}

/* Consumer 2's job seq to provider 0 paying 1000, accepted and
 * delivered, then confirmed. */
static uint64_t completed(market_world *w, uint32_t seq)
{
    proto_txmsg m = mw_post(2, seq, 0, 1, 1000, 10);
    ck_assert_uint_eq(mw_send(w, 2, &m, NULL), 0);
    uint64_t id = PROTO_JOB_ID(2, seq);
    m = mw_job(PROTO_TXMSG_JOB_ACCEPT, id);
    ck_assert_uint_eq(mw_send(w, 0, &m, NULL), 0);
    m = mw_result(id);
    ck_assert_uint_eq(mw_send(w, 0, &m, NULL), 0);
    return id;
}

START_TEST(test_genesis_versions)
{
    market_world w;
    upgrade_world(&w);
    ck_assert_uint_eq(proto_upgrade_version(w.s, 6), 1);  /* registry */
    ck_assert_uint_eq(proto_upgrade_version(w.s, 7), 1);  /* jobs */
    ck_assert_uint_eq(proto_upgrade_version(w.s, 8), 1);  /* multisig */
    ck_assert_uint_eq(proto_upgrade_version(w.s, 10), 1); /* upgrade */
    ck_assert_uint_eq(proto_upgrade_version(w.s, 1), 0);  /* bank: no state */
    ck_assert_uint_eq(proto_jobs_terms(w.s), 1);
    mw_check(&w, "genesis");
    mw_clear(&w);
}
END_TEST

START_TEST(test_escrow_v2_jobs_keep_their_terms)
{
    market_world w;
    upgrade_world(&w);
    proto_multisig_op op = upgrade_op(7, 2, 3);
    ck_assert_uint_eq(plan(&w, AUTHORITY, &op), 0);
    ck_assert_uint_eq(proto_upgrade_plans_count(w.s), 1);
    uint64_t before = completed(&w, 1); /* terms 1 */
    ck_assert_uint_eq(proto_jobs_get(w.s, before)->terms, 1);
    for (int h = 0; h < 3; h++) { /* heights 1, 2, 3: the plan activates at 3 */
        mw_next(&w, 1000);
        mw_end_block(&w, NULL);
    }
    ck_assert_uint_eq(proto_upgrade_version(w.s, 7), 2);
    ck_assert_uint_eq(proto_upgrade_plans_count(w.s), 0);
    ck_assert_uint_eq(proto_jobs_terms(w.s), 2);
    ck_assert_uint_eq(proto_jobs_get(w.s, before)->terms, 1); /* unchanged by the migration */
    uint64_t after = completed(&w, 2);
    ck_assert_uint_eq(proto_jobs_get(w.s, after)->terms, 2);
    /* the fee is 2% of 1000 = 20: v1 burns it all (no collector here),
     * v2 burns 10 and pays the provider 10 */
    uint64_t provider0 = mw_balance(&w, 0), burned0 = proto_state_burned(w.s);
    proto_txmsg m = mw_confirm(before, 100);
    ck_assert_uint_eq(mw_send(&w, 2, &m, NULL), 0);
    ck_assert_uint_eq(mw_balance(&w, 0), provider0 + 1000);
    ck_assert_uint_eq(proto_state_burned(w.s), burned0 + 20);
    m = mw_confirm(after, 100);
    ck_assert_uint_eq(mw_send(&w, 2, &m, NULL), 0);
    ck_assert_uint_eq(mw_balance(&w, 0), provider0 + 1000 + 1010);
    ck_assert_uint_eq(proto_state_burned(w.s), burned0 + 20 + 10);
    mw_check(&w, "after v2");
    mw_clear(&w);
}
END_TEST

START_TEST(test_plans_refused)
{
    market_world w;
    upgrade_world(&w);
    proto_multisig_op op = upgrade_op(7, 2, 5);
    ck_assert_uint_eq(plan(&w, OTHER, &op), PROTO_MULTISIG_NOT_AUTHORITY);
    op = upgrade_op(1, 2, 5); /* the bank has no state to migrate */
    ck_assert_uint_eq(plan(&w, AUTHORITY, &op), PROTO_MULTISIG_UNKNOWN_MODULE);
    op = upgrade_op(7, 1, 5); /* the version it has */
    ck_assert_uint_eq(plan(&w, AUTHORITY, &op), PROTO_MULTISIG_NOT_NEWER);
    op = upgrade_op(7, 2, 0 + 1); /* mw's height is 1: not ahead */
    ck_assert_uint_eq(plan(&w, AUTHORITY, &op), PROTO_MULTISIG_PAST_HEIGHT);
    op = upgrade_op(7, 2, 3);
    ck_assert_uint_eq(plan(&w, AUTHORITY, &op), 0);
    op = upgrade_op(7, 2, 4); /* planned already */
    ck_assert_uint_eq(plan(&w, AUTHORITY, &op), PROTO_MULTISIG_NOT_NEWER);
    for (int h = 0; h < 3; h++) {
        mw_next(&w, 1000);
        mw_end_block(&w, NULL);
    }
    op = upgrade_op(7, 2, 9); /* the migration again */
    ck_assert_uint_eq(plan(&w, AUTHORITY, &op), PROTO_MULTISIG_NOT_NEWER);
    mw_check(&w, "refusals");
    mw_clear(&w);
}
END_TEST

START_TEST(test_older_code_halts)
{
    market_world w;
    upgrade_world(&w);
    proto_multisig_op op = upgrade_op(7, 2, 2);
    ck_assert_uint_eq(plan(&w, AUTHORITY, &op), 0);
    uint32_t old_code[PROTO_MODULES_MAX], new_code[PROTO_MODULES_MAX];
    for (uint32_t i = 0; i < PROTO_MODULES_MAX; i++)
        old_code[i] = new_code[i] = 1;
    new_code[7] = 2;
    proto_gas_meter gas;
    proto_gas_meter_init(&gas, UINT64_MAX);
    mw_next(&w, 1000); /* height 2 */
    proto_msg_ctx ctx = {.gas = &gas, .sender = PROTO_ACCOUNT_NONE, .chain_id = 42,
                         .height = w.height, .time_ns = w.time_ns, .code_versions = old_code};
    ck_assert(proto_state_begin_block(w.s, &ctx)); /* nothing stored above its code yet */
    proto_undo undo;
    proto_undo_init(&undo);
    ctx.undo = &undo;
    ck_assert(!proto_state_end_block(w.s, &ctx)); /* it cannot migrate */
    proto_state_revert(w.s, &undo);
    proto_undo_clear(&undo);
    ck_assert_uint_eq(proto_upgrade_version(w.s, 7), 1);
    ctx.undo = NULL;
    ctx.code_versions = new_code; /* installed */
    ck_assert(proto_state_end_block(w.s, &ctx));
    ck_assert_uint_eq(proto_upgrade_version(w.s, 7), 2);
    mw_next(&w, 1000);
    ctx.height = w.height;
    ctx.code_versions = old_code; /* a node still on v1 refuses every block now */
    ck_assert(!proto_state_begin_block(w.s, &ctx));
    ctx.code_versions = new_code;
    ck_assert(proto_state_begin_block(w.s, &ctx));
    mw_check(&w, "halt");
    mw_clear(&w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("upgrade");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_genesis_versions);
    tcase_add_test(tc, test_escrow_v2_jobs_keep_their_terms);
    tcase_add_test(tc, test_plans_refused);
    tcase_add_test(tc, test_older_code_halts);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
