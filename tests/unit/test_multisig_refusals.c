/* Unit tests for the multisig module's refusals (protocol/modules/
 * multisig/multisig.h) on a fake chain (support/multisig_world.h):
 * Safe's error cases by name, each with the state root unchanged and no
 * undo record (msw_refused): creating with the threshold above the
 * owners, a zero threshold, a duplicate or unknown owner, too many
 * owners; approving by a non-owner, for the wrong nonce, twice, past
 * the per-owner maximum; executing with a bad nonce, below the
 * threshold, with approvals of other hashes (another operation, nonce,
 * multisig or chain) that must not count, an executed operation
 * replayed; the owner operations' refusals, removing an owner that
 * would break the threshold among them; deposits; gas; and a chain
 * without the module. The happy paths are in test_multisig.c.
 *
 * The world: accounts 0..19 with BALANCE each; genesis multisig 1 owned
 * by 1, 2 and 3 with threshold 2 and HELD tokens. */
#include <check.h>
#include <glib.h>
#include <string.h>

#include "protocol/chain/tx_exec.h"
#include "support/multisig_world.h"

#define BALANCE 10000
#define HELD 5000
#define OK 0u

static void world_init(multisig_world *w)
{
    const uint32_t owners[] = {3, 1, 2}; /* any order */
    proto_multisig_genesis_account g = msw_genesis(2, 3, owners, HELD);
    msw_init(w, 20, BALANCE, 1, &g, PROTO_CRYPTO_REAL);
}

static void send_ok(multisig_world *w, uint32_t sender, const proto_txenv *m)
{
    uint32_t r = msw_send(w, sender, m, NULL);
    ck_assert_msg(r == OK, "%s refused: %s", proto_txmsg_type_name(m->messages[0].type),
                  proto_multisig_result_name(r));
}

START_TEST(test_create_refusals)
{
    multisig_world w;
    world_init(&w);
    const uint32_t two[] = {4, 5}, dup[] = {4, 5, 4}, unknown[] = {4, 20};
    proto_txenv m = msw_create(3, 2, two); /* GS201 */
    msw_refused(&w, 0, &m, PROTO_MULTISIG_THRESHOLD_ABOVE_OWNERS);
    m = msw_create(0, 2, two); /* GS202 */
    msw_refused(&w, 0, &m, PROTO_MULTISIG_THRESHOLD_ZERO);
    m = msw_create(1, 0, two);
    msw_refused(&w, 0, &m, PROTO_MULTISIG_THRESHOLD_ABOVE_OWNERS);
    m = msw_create(2, 3, dup); /* GS204 */
    msw_refused(&w, 0, &m, PROTO_MULTISIG_DUPLICATE_OWNER);
    m = msw_create(1, 2, unknown); /* GS203 */
    msw_refused(&w, 0, &m, PROTO_MULTISIG_UNKNOWN_OWNER);
    m = msw_create(1, 2, two);
    m.messages[0].multisig_create.owners_count = PROTO_MULTISIG_OWNERS_MAX + 1; /* only by hand */
    msw_refused(&w, 0, &m, PROTO_MULTISIG_TOO_MANY_OWNERS);
    m = msw_create(1, 2, two);
    msw_refused(&w, PROTO_ACCOUNT_NONE, &m, PROTO_MULTISIG_NO_ACCOUNT);
    ck_assert_uint_eq(proto_multisig_count(w.s), 1);
    /* The chain's bound on multisigs. */
    for (uint32_t i = proto_multisig_count(w.s); i < PROTO_MULTISIG_COUNT_MAX; i++)
        send_ok(&w, 0, &m);
    msw_refused(&w, 0, &m, PROTO_MULTISIG_TOO_MANY_MULTISIGS);
    msw_check(&w, "after the bound");
    msw_clear(&w);
}
END_TEST

START_TEST(test_approve_refusals)
{
    multisig_world w;
    world_init(&w);
    proto_multisig_op pay = msw_op_transfer(9, 100);
    proto_hash h = msw_op_hash(1, 0, &pay);
    proto_txenv m = msw_approve(2, 0, &h);
    msw_refused(&w, 1, &m, PROTO_MULTISIG_UNKNOWN_MULTISIG);
    msw_refused(&w, 4, &m, PROTO_MULTISIG_UNKNOWN_MULTISIG); /* checked first */
    m = msw_approve(0, 0, &h);
    msw_refused(&w, 1, &m, PROTO_MULTISIG_UNKNOWN_MULTISIG);
    m = msw_approve(1, 0, &h); /* GS030 */
    msw_refused(&w, 4, &m, PROTO_MULTISIG_APPROVER_NOT_OWNER);
    msw_refused(&w, PROTO_ACCOUNT_NONE, &m, PROTO_MULTISIG_NO_ACCOUNT);
    m = msw_approve(1, 1, &h); /* only the current nonce */
    msw_refused(&w, 1, &m, PROTO_MULTISIG_BAD_NONCE);
    msw_refused(&w, 4, &m, PROTO_MULTISIG_APPROVER_NOT_OWNER); /* before the nonce */
    /* Once per owner and hash. */
    m = msw_approve(1, 0, &h);
    send_ok(&w, 1, &m);
    msw_refused(&w, 1, &m, PROTO_MULTISIG_ALREADY_APPROVED);
    ck_assert_uint_eq(proto_multisig_approvals(w.s, 1, &h), 1);
    /* At most PROTO_MULTISIG_APPROVALS_PER_OWNER_MAX pending per owner;
     * the other owners are not held back by it. */
    for (uint32_t k = 1; k < PROTO_MULTISIG_APPROVALS_PER_OWNER_MAX; k++) {
        proto_multisig_op other = msw_op_transfer(9, 100 + k);
        proto_txenv a = msw_approve_now(&w, 1, &other);
        send_ok(&w, 1, &a);
    }
    proto_multisig_op extra = msw_op_transfer(9, 1);
    proto_txenv a = msw_approve_now(&w, 1, &extra);
    msw_refused(&w, 1, &a, PROTO_MULTISIG_TOO_MANY_APPROVALS);
    send_ok(&w, 2, &a);
    msw_refused(&w, 1, &a, PROTO_MULTISIG_TOO_MANY_APPROVALS); /* even one 2 approved */
    msw_refused(&w, 1, &m, PROTO_MULTISIG_ALREADY_APPROVED);   /* checked before */
    ck_assert_uint_eq(proto_multisig_pending_hashes(w.s, 1),
                      PROTO_MULTISIG_APPROVALS_PER_OWNER_MAX + 1);
    msw_check(&w, "at the maximum");
    /* An execution empties the quota; the old nonce's approvals are gone
     * and approving at it is refused. */
    send_ok(&w, 2, &m);
    proto_txenv e = msw_exec_now(&w, 1, &pay);
    send_ok(&w, 9, &e);
    ck_assert_uint_eq(proto_multisig_pending_hashes(w.s, 1), 0);
    msw_refused(&w, 1, &m, PROTO_MULTISIG_BAD_NONCE);
    a = msw_approve_now(&w, 1, &extra);
    send_ok(&w, 1, &a);
    msw_check(&w, "after the refusals");
    msw_clear(&w);
}
END_TEST

START_TEST(test_exec_refusals)
{
    multisig_world w;
    world_init(&w);
    const uint32_t one[] = {1}, two[] = {2};
    proto_multisig_op pay = msw_op_transfer(9, 100);
    proto_txenv m = msw_exec(2, 0, &pay);
    msw_refused(&w, 9, &m, PROTO_MULTISIG_UNKNOWN_MULTISIG);
    m = msw_exec(0, 0, &pay);
    msw_refused(&w, 9, &m, PROTO_MULTISIG_UNKNOWN_MULTISIG);
    m = msw_exec(1, 1, &pay); /* not yet */
    msw_refused(&w, 9, &m, PROTO_MULTISIG_BAD_NONCE);
    m = msw_exec(1, 0, &pay);
    msw_refused(&w, 9, &m, PROTO_MULTISIG_BELOW_THRESHOLD); /* none */
    msw_approve_all(&w, 1, &pay, 1, one, NULL);
    msw_refused(&w, 9, &m, PROTO_MULTISIG_BELOW_THRESHOLD); /* one of two */

    /* Owner 2 approves hashes that are not this operation's at this
     * nonce on this multisig and chain: none of them counts. */
    proto_multisig_op more = msw_op_transfer(9, 101);
    proto_hash wrong[4];
    wrong[0] = msw_op_hash(1, 0, &more);
    wrong[1] = msw_op_hash(1, 1, &pay);
    wrong[2] = msw_op_hash(2, 0, &pay);
    proto_multisig_op_hash(MSW_CHAIN_ID + 1, 1, 0, &pay, &wrong[3]);
    for (size_t k = 0; k < G_N_ELEMENTS(wrong); k++) {
        proto_txenv a = msw_approve(1, 0, &wrong[k]);
        send_ok(&w, k < 2 ? 2 : 3, &a); /* two each, within the quota */
        msw_refused(&w, 9, &m, PROTO_MULTISIG_BELOW_THRESHOLD);
    }
    ck_assert_uint_eq(proto_multisig_approvals(w.s, 1, &wrong[0]), 1);
    ck_assert_uint_eq(proto_multisig_pending_hashes(w.s, 1), 1 + G_N_ELEMENTS(wrong));

    /* The right one; executed once, the same message again is a replay:
     * the nonce moved. At the new nonce nothing is approved any more. */
    msw_approve_all(&w, 1, &pay, 1, two, NULL);
    send_ok(&w, 9, &m);
    ck_assert_uint_eq(msw_get(&w, 1)->nonce, 1);
    ck_assert_uint_eq(msw_get(&w, 1)->balance, HELD - 100);
    msw_refused(&w, 9, &m, PROTO_MULTISIG_BAD_NONCE);
    msw_refused(&w, 1, &m, PROTO_MULTISIG_BAD_NONCE);
    m = msw_exec_now(&w, 1, &pay);
    msw_refused(&w, 9, &m, PROTO_MULTISIG_BELOW_THRESHOLD);
    ck_assert_uint_eq(proto_multisig_pending_total(w.s), 0);
    /* An approval of the old hash, sent at the new nonce, does not count
     * for the operation at the new nonce either. */
    proto_hash old = msw_op_hash(1, 0, &pay);
    proto_txenv stale = msw_approve(1, 1, &old);
    send_ok(&w, 1, &stale);
    send_ok(&w, 2, &stale);
    msw_refused(&w, 9, &m, PROTO_MULTISIG_BELOW_THRESHOLD);

    /* The decoder's rules, checked again; the transfer's own (with
     * enough approvals, so the operation is what refuses). */
    m = msw_exec_now(&w, 1, &pay);
    m.messages[0].multisig_exec.op.type = PROTO_MULTISIG_OP_TYPE_END;
    msw_refused(&w, 9, &m, PROTO_MULTISIG_BAD_MESSAGE);
    proto_multisig_op zero = msw_op_transfer(9, 0);
    m = msw_exec_now(&w, 1, &zero);
    msw_refused(&w, 9, &m, PROTO_MULTISIG_BAD_MESSAGE);
    const uint32_t pair[] = {1, 2};
    proto_multisig_op nowhere = msw_op_transfer(20, 1);
    msw_approve_all(&w, 1, &nowhere, 2, pair, NULL);
    m = msw_exec_now(&w, 1, &nowhere);
    msw_refused(&w, 9, &m, PROTO_MULTISIG_UNKNOWN_RECIPIENT);
    proto_multisig_op too_much = msw_op_transfer(9, HELD - 100 + 1);
    msw_approve_all(&w, 1, &too_much, 2, pair, NULL);
    m = msw_exec_now(&w, 1, &too_much);
    msw_refused(&w, 9, &m, PROTO_MULTISIG_NO_FUNDS);
    msw_refused(&w, PROTO_ACCOUNT_NONE, &m, PROTO_MULTISIG_NO_ACCOUNT);
    ck_assert_uint_eq(msw_get(&w, 1)->nonce, 1);
    msw_check(&w, "after the refusals");
    msw_clear(&w);
}
END_TEST

/* Owners 1 and 2 approve op on multisig 1 (recorded in undo), the exec
 * is refused as `code`, and the approvals are taken back, so that each
 * row starts from the same state and no owner reaches its maximum. */
static void refused_with_approvals(multisig_world *w, uint32_t id, const proto_multisig_op *op,
                                   uint32_t n, const uint32_t *owners, uint32_t code)
{
    proto_hash before, after;
    msw_root(w, &before);
    proto_undo undo;
    proto_undo_init(&undo);
    msw_approve_all(w, id, op, n, owners, &undo);
    proto_txenv m = msw_exec_now(w, id, op);
    msw_refused(w, 9, &m, code);
    proto_state_revert(w->s, &undo);
    proto_undo_clear(&undo);
    msw_root(w, &after);
    ck_assert_mem_eq(before.bytes, after.bytes, PROTO_HASH_SIZE);
}

START_TEST(test_owner_refusals)
{
    multisig_world w;
    world_init(&w);
    const uint32_t ok[] = {1, 2};
    const struct {
        proto_multisig_op op;
        uint32_t code;
    } rows[] = {
        {msw_op_owner(PROTO_MULTISIG_OP_ADD_OWNER, 2, 2), PROTO_MULTISIG_ALREADY_OWNER},
        {msw_op_owner(PROTO_MULTISIG_OP_ADD_OWNER, 20, 2), PROTO_MULTISIG_UNKNOWN_OWNER},
        {msw_op_owner(PROTO_MULTISIG_OP_ADD_OWNER, 4, 0), PROTO_MULTISIG_THRESHOLD_ZERO},
        {msw_op_owner(PROTO_MULTISIG_OP_ADD_OWNER, 4, 5), PROTO_MULTISIG_THRESHOLD_ABOVE_OWNERS},
        {msw_op_owner(PROTO_MULTISIG_OP_REMOVE_OWNER, 4, 2), PROTO_MULTISIG_NOT_OWNER},
        /* 2 of {1, 2, 3} without 3 keeps 2 owners: a threshold of 3 could
         * never be reached again (GS201). */
        {msw_op_owner(PROTO_MULTISIG_OP_REMOVE_OWNER, 3, 3), PROTO_MULTISIG_THRESHOLD_ABOVE_OWNERS},
        {msw_op_owner(PROTO_MULTISIG_OP_REMOVE_OWNER, 3, 0), PROTO_MULTISIG_THRESHOLD_ZERO},
        {msw_op_threshold(0), PROTO_MULTISIG_THRESHOLD_ZERO},
        {msw_op_threshold(4), PROTO_MULTISIG_THRESHOLD_ABOVE_OWNERS},
    };
    for (size_t k = 0; k < G_N_ELEMENTS(rows); k++)
        refused_with_approvals(&w, 1, &rows[k].op, 2, ok, rows[k].code);
    /* A 2-of-2 cannot lose an owner while keeping its threshold, and a
     * 1-of-1 cannot lose its last owner. */
    const uint32_t pair[] = {5, 6}, single[] = {7};
    proto_txenv c = msw_create(2, 2, pair);
    send_ok(&w, 0, &c);
    c = msw_create(1, 1, single);
    send_ok(&w, 0, &c);
    proto_multisig_op rm = msw_op_owner(PROTO_MULTISIG_OP_REMOVE_OWNER, 6, 2);
    refused_with_approvals(&w, 2, &rm, 2, pair, PROTO_MULTISIG_THRESHOLD_ABOVE_OWNERS);
    rm = msw_op_owner(PROTO_MULTISIG_OP_REMOVE_OWNER, 7, 1);
    refused_with_approvals(&w, 3, &rm, 1, single, PROTO_MULTISIG_THRESHOLD_ABOVE_OWNERS);
    rm = msw_op_owner(PROTO_MULTISIG_OP_REMOVE_OWNER, 7, 0);
    refused_with_approvals(&w, 3, &rm, 1, single, PROTO_MULTISIG_THRESHOLD_ZERO);
    /* A full multisig takes no owner past the maximum. */
    uint32_t full[PROTO_MULTISIG_OWNERS_MAX];
    for (uint32_t i = 0; i < PROTO_MULTISIG_OWNERS_MAX; i++)
        full[i] = i;
    c = msw_create(1, PROTO_MULTISIG_OWNERS_MAX, full);
    send_ok(&w, 0, &c);
    proto_multisig_op add = msw_op_owner(PROTO_MULTISIG_OP_ADD_OWNER, PROTO_MULTISIG_OWNERS_MAX, 1);
    refused_with_approvals(&w, 4, &add, 1, full, PROTO_MULTISIG_TOO_MANY_OWNERS);
    for (uint32_t id = 1; id <= 4; id++)
        ck_assert_uint_eq(msw_get(&w, id)->nonce, 0);
    msw_check(&w, "after the owner refusals");
    msw_clear(&w);
}
END_TEST

START_TEST(test_deposit_refusals)
{
    multisig_world w;
    world_init(&w);
    proto_txenv m = msw_deposit(2, 10);
    msw_refused(&w, 0, &m, PROTO_MULTISIG_UNKNOWN_MULTISIG);
    m = msw_deposit(1, BALANCE + 1);
    msw_refused(&w, 0, &m, PROTO_MULTISIG_NO_FUNDS);
    m = msw_deposit(1, 0);
    msw_refused(&w, 0, &m, PROTO_MULTISIG_BAD_MESSAGE);
    m = msw_deposit(1, 10);
    msw_refused(&w, PROTO_ACCOUNT_NONE, &m, PROTO_MULTISIG_NO_ACCOUNT);
    msw_clear(&w);
}
END_TEST

/* A metered delivery of t's message from sender with `limit` gas. */
static uint32_t send_metered(multisig_world *w, uint32_t sender, const proto_txenv *t,
                             uint64_t limit, uint64_t *used)
{
    proto_gas_schedule prices = proto_gas_schedule_default();
    proto_gas_meter gas;
    proto_gas_meter_init(&gas, limit);
    proto_msg_ctx ctx = {.gas = &gas,
                         .gas_prices = &prices,
                         .sender = sender,
                         .crypto = w->crypto,
                         .chain_id = MSW_CHAIN_ID};
    proto_msg_result r = proto_state_deliver(w->s, &ctx, t->messages[0].type, &t->messages[0]);
    *used = gas.consumed;
    return r.code;
}

/* m's gas, metered: one short runs out and changes nothing; exactly
 * enough is used whole, and returns the module's answer. */
static uint32_t metered_exactly(multisig_world *w, uint32_t sender, const proto_txenv *m,
                                uint64_t want)
{
    proto_gas_schedule g = proto_gas_schedule_default();
    ck_assert_uint_eq(proto_multisig_msg_gas(&g, &m->messages[0]), want);
    uint64_t used = 0;
    proto_hash before, after;
    msw_root(w, &before);
    ck_assert_uint_eq(send_metered(w, sender, m, want - 1, &used), PROTO_MULTISIG_OUT_OF_GAS);
    msw_root(w, &after);
    ck_assert_mem_eq(before.bytes, after.bytes, PROTO_HASH_SIZE);
    uint32_t r = send_metered(w, sender, m, want, &used);
    ck_assert_uint_eq(used, want);
    return r;
}

START_TEST(test_gas)
{
    multisig_world w;
    world_init(&w);
    proto_gas_schedule g = proto_gas_schedule_default();
    uint64_t ms_r = proto_gas_read_cost(&g, PROTO_MULTISIG_KEY_SIZE, PROTO_MULTISIG_VALUE_SIZE);
    uint64_t ms_rw =
        ms_r + proto_gas_write_cost(&g, PROTO_MULTISIG_KEY_SIZE, PROTO_MULTISIG_VALUE_SIZE);
    uint64_t ap_rw = proto_gas_read_cost(&g, PROTO_MULTISIG_APPROVAL_KEY_SIZE,
                                         PROTO_MULTISIG_APPROVAL_VALUE_SIZE) +
                     proto_gas_write_cost(&g, PROTO_MULTISIG_APPROVAL_KEY_SIZE,
                                          PROTO_MULTISIG_APPROVAL_VALUE_SIZE);
    uint64_t acc_r = proto_gas_read_cost(&g, PROTO_ACCOUNT_KEY_SIZE, PROTO_ACCOUNT_VALUE_SIZE);
    uint64_t acc_w = proto_gas_write_cost(&g, PROTO_ACCOUNT_KEY_SIZE, PROTO_ACCOUNT_VALUE_SIZE);
    ck_assert_uint_gt(ap_rw, 0);
    proto_multisig_op pay = msw_op_transfer(9, 100);
    proto_txenv a = msw_approve_now(&w, 1, &pay);
    ck_assert_uint_eq(metered_exactly(&w, 1, &a, ms_r + ap_rw), OK);
    ck_assert_uint_eq(metered_exactly(&w, 2, &a, ms_r + ap_rw), OK);
    /* A refusal still pays: gas is charged before the checks. */
    ck_assert_uint_eq(metered_exactly(&w, 2, &a, ms_r + ap_rw), PROTO_MULTISIG_ALREADY_APPROVED);
    proto_txenv m = msw_exec_now(&w, 1, &pay);
    uint64_t want = ms_rw + ap_rw + acc_r + acc_w;
    ck_assert_uint_eq(metered_exactly(&w, 9, &m, want), OK);
    ck_assert_uint_eq(metered_exactly(&w, 9, &m, want), PROTO_MULTISIG_BAD_NONCE);
    proto_multisig_op add = msw_op_owner(PROTO_MULTISIG_OP_ADD_OWNER, 4, 2);
    m = msw_exec_now(&w, 1, &add);
    ck_assert_uint_eq(proto_multisig_msg_gas(&g, &m.messages[0]), ms_rw + ap_rw + acc_r);
    proto_multisig_op th = msw_op_threshold(1);
    m = msw_exec_now(&w, 1, &th);
    ck_assert_uint_eq(proto_multisig_msg_gas(&g, &m.messages[0]), ms_rw + ap_rw);
    const uint32_t owners[] = {4, 5, 6};
    m = msw_create(2, 3, owners);
    ck_assert_uint_eq(proto_multisig_msg_gas(&g, &m.messages[0]), ms_rw + 3 * acc_r);
    m = msw_deposit(1, 5);
    ck_assert_uint_eq(proto_multisig_msg_gas(&g, &m.messages[0]), ms_rw + acc_r + acc_w);
    msw_clear(&w);
}
END_TEST

START_TEST(test_absent)
{
    /* A chain without the module's genesis: no state, messages refused
     * as no_state by the router, and the root is the core's alone. */
    proto_crypto_global_init();
    proto_state *s = proto_state_new();
    proto_state *plain = proto_state_new();
    proto_pubkey pk;
    memset(&pk, 7, sizeof pk);
    proto_state_add_account(s, &pk, 100);
    proto_state_add_account(plain, &pk, 100);
    ck_assert(!proto_multisig_active(s));
    ck_assert_uint_eq(proto_multisig_count(s), 0);
    ck_assert_ptr_null(proto_multisig_get(s, 1));
    const uint32_t owners[] = {0};
    proto_txenv m = msw_create(1, 1, owners);
    proto_gas_meter gas;
    proto_gas_meter_init(&gas, UINT64_MAX);
    proto_msg_ctx ctx = {.gas = &gas, .sender = 0, .chain_id = MSW_CHAIN_ID};
    proto_msg_result r = proto_state_deliver(s, &ctx, m.messages[0].type, &m.messages[0]);
    ck_assert_int_eq(r.status, PROTO_MSG_NO_STATE);
    ck_assert_str_eq(proto_msg_result_name(r), "no_state");
    GString *why = g_string_new(NULL);
    ck_assert(proto_state_invariants(s, why));
    g_string_free(why, TRUE);
    proto_hash a, b;
    proto_state_root(s, &a);
    proto_state_root(plain, &b);
    ck_assert(proto_hash_equal(&a, &b));
    /* Attaching it, even empty, is a module with state: its root counts. */
    proto_multisig_genesis(s, 0, NULL);
    proto_state_root(s, &a);
    ck_assert(!proto_hash_equal(&a, &b));
    proto_state_free(s);
    proto_state_free(plain);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("multisig_refusals");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_create_refusals);
    tcase_add_test(tc, test_approve_refusals);
    tcase_add_test(tc, test_exec_refusals);
    tcase_add_test(tc, test_owner_refusals);
    tcase_add_test(tc, test_deposit_refusals);
    tcase_add_test(tc, test_gas);
    tcase_add_test(tc, test_absent);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
