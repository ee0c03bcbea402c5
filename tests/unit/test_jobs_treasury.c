/* Unit tests for the jobs module's treasury (protocol/modules/jobs/jobs.h,
 * "Treasury"): on the market of tests/unit/support/market_world.c
 * (provider 0, consumers 2 and 3) with multisig 1, 2 of accounts 5, 6
 * and 7, as the treasury:
 *   - a confirmed job's market fee lands in the treasury's balance, the
 *     supply and every invariant hold, and undo restores the root;
 *   - the treasury's owners spend it by approving a transfer;
 *   - a JOB_CONFIRM charges the treasury's record on top;
 *   - a treasury naming no multisig breaks the module's invariant;
 *   - without a treasury the fee burns as before (no distribution
 *     module here), and the field is in the root only when set. */
#include <check.h>
#include <string.h>

#include "protocol/chain/txmsg_multisig.h"
#include "protocol/modules/multisig/multisig.h"
#include "support/market_world.h"

#define PAYMENT 1000u
#define TREASURY 1u

static void treasury_world(market_world *w, uint32_t treasury, bool with_multisig)
{
    proto_jobs_params jp = mw_jobs_params();
    jp.treasury = treasury;
    mw_init_market_with(w, &jp);
    if (with_multisig) {
        proto_multisig_genesis_account owners = {.threshold = 2, .owners_count = 3,
                                                 .owners = {5, 6, 7}};
        proto_multisig_genesis(w->s, 1, &owners);
    }
    w->supply = proto_state_total_supply(w->s);
}

static void ok(market_world *w, uint32_t sender, const proto_txmsg *m)
{
    ck_assert_uint_eq(mw_send(w, sender, m, NULL), 0);
}

/* Consumer 2's job seq to provider 0, delivered. */
static uint64_t delivered(market_world *w, uint32_t seq)
{
    proto_txmsg m = mw_post(2, seq, 0, 1, PAYMENT, 10);
    ok(w, 2, &m);
    uint64_t id = PROTO_JOB_ID(2, seq);
    m = mw_job(PROTO_TXMSG_JOB_ACCEPT, id);
    ok(w, 0, &m);
    m = mw_result(id);
    ok(w, 0, &m);
    return id;
}

START_TEST(test_fee_lands_in_the_treasury)
{
    market_world w;
    treasury_world(&w, TREASURY, true);
    uint64_t id = delivered(&w, 1);
    uint64_t fee = proto_jobs_get(w.s, id)->fee;
    ck_assert_uint_gt(fee, 0);
    uint64_t burned = proto_state_burned(w.s), provider = mw_balance(&w, 0);
    proto_hash before, after;
    mw_root(&w, &before);
    proto_undo undo;
    proto_undo_init(&undo);
    proto_txmsg m = mw_confirm(id, 90);
    ck_assert_uint_eq(mw_send(&w, 2, &m, &undo), 0);
    ck_assert_uint_eq(proto_multisig_get(w.s, TREASURY)->balance, fee);
    ck_assert_uint_eq(proto_multisig_held(w.s), fee);
    ck_assert_uint_eq(proto_state_burned(w.s), burned); /* nothing burned */
    ck_assert_uint_eq(mw_balance(&w, 0), provider + PAYMENT);
    mw_check(&w, "confirmed");
    proto_state_revert(w.s, &undo);
    mw_root(&w, &after);
    ck_assert_mem_eq(before.bytes, after.bytes, PROTO_HASH_SIZE);
    ck_assert_uint_eq(proto_multisig_held(w.s), 0);
    proto_undo_clear(&undo);
    mw_clear(&w);
}
END_TEST

START_TEST(test_owners_spend_it)
{
    market_world w;
    treasury_world(&w, TREASURY, true);
    uint64_t id = delivered(&w, 1);
    proto_txmsg m = mw_confirm(id, 90);
    ok(&w, 2, &m);
    uint64_t fee = proto_multisig_get(w.s, TREASURY)->balance;
    proto_multisig_op pay = {.type = PROTO_MULTISIG_OP_TRANSFER,
                             .transfer = {.to = 4, .amount = fee}};
    proto_txmsg a = {.type = PROTO_TXMSG_MULTISIG_APPROVE};
    a.multisig_approve.multisig = TREASURY;
    proto_multisig_op_hash(42, TREASURY, 0, &pay, &a.multisig_approve.op_hash);
    ok(&w, 5, &a);
    ok(&w, 7, &a);
    uint64_t to = mw_balance(&w, 4);
    proto_txmsg x = {.type = PROTO_TXMSG_MULTISIG_EXEC};
    x.multisig_exec.multisig = TREASURY;
    x.multisig_exec.op = pay;
    ok(&w, 6, &x);
    ck_assert_uint_eq(mw_balance(&w, 4), to + fee);
    ck_assert_uint_eq(proto_multisig_get(w.s, TREASURY)->balance, 0);
    mw_check(&w, "spent");
    mw_clear(&w);
}
END_TEST

START_TEST(test_confirm_charges_the_treasury)
{
    proto_gas_schedule g = proto_gas_schedule_default();
    for (int with = 0; with <= 1; with++) {
        market_world w;
        treasury_world(&w, with ? TREASURY : 0, true);
        uint64_t id = delivered(&w, 1);
        proto_gas_meter gas;
        proto_gas_meter_init(&gas, UINT64_MAX);
        proto_msg_ctx ctx = {.gas = &gas, .gas_prices = &g, .sender = 2, .chain_id = 42,
                             .height = w.height, .time_ns = w.time_ns};
        proto_txmsg m = mw_confirm(id, 90);
        ck_assert_int_eq(proto_state_deliver(w.s, &ctx, m.type, &m).status, PROTO_MSG_OK);
        uint64_t want = proto_jobs_msg_gas(&g, PROTO_TXMSG_JOB_CONFIRM) +
                        (with ? proto_jobs_treasury_gas(&g) : 0);
        ck_assert_uint_eq(gas.consumed, want);
        mw_clear(&w);
    }
    ck_assert_uint_gt(proto_jobs_treasury_gas(&g), 0);
}
END_TEST

START_TEST(test_treasury_must_exist)
{
    market_world w;
    treasury_world(&w, 9, true); /* only multisig 1 exists */
    GString *why = g_string_new(NULL);
    ck_assert(!proto_state_invariants(w.s, why));
    ck_assert_msg(strstr(why->str, "the treasury names no multisig") != NULL, "%s", why->str);
    g_string_free(why, TRUE);
    mw_clear(&w);
}
END_TEST

START_TEST(test_without_treasury_the_fee_burns)
{
    market_world a, b;
    treasury_world(&a, 0, true);
    treasury_world(&b, TREASURY, true);
    proto_hash ra, rb;
    mw_root(&a, &ra);
    mw_root(&b, &rb);
    ck_assert_mem_ne(ra.bytes, rb.bytes, PROTO_HASH_SIZE); /* the field is in the root */
    uint64_t id = delivered(&a, 1);
    uint64_t fee = proto_jobs_get(a.s, id)->fee, burned = proto_state_burned(a.s);
    proto_txmsg m = mw_confirm(id, 90);
    ok(&a, 2, &m);
    ck_assert_uint_eq(proto_state_burned(a.s), burned + fee); /* no distribution module */
    ck_assert_uint_eq(proto_multisig_held(a.s), 0);
    mw_check(&a, "burned");
    mw_clear(&a);
    mw_clear(&b);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("jobs_treasury");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_fee_lands_in_the_treasury);
    tcase_add_test(tc, test_owners_spend_it);
    tcase_add_test(tc, test_confirm_charges_the_treasury);
    tcase_add_test(tc, test_treasury_must_exist);
    tcase_add_test(tc, test_without_treasury_the_fee_burns);
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
