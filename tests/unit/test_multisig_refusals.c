/* Unit tests for the multisig module's refusals (protocol/modules/
 * multisig/multisig.h) on a fake chain (support/multisig_world.h):
 * Safe's error cases by name, each with the state root unchanged and no
 * undo record (msw_refused): creating with the threshold above the
 * owners, a zero threshold, a duplicate or unknown owner, too many
 * owners; executing with a bad nonce, below the threshold, a signer
 * that is not an owner, signers out of order or twice, a signature by
 * the right owner over the wrong nonce (or chain, or operation, or by
 * another key), an executed transaction replayed; the owner operations'
 * refusals, removing an owner that would break the threshold among them;
 * deposits; gas; and a chain without the module. The happy paths are in
 * test_multisig.c.
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

START_TEST(test_exec_refusals)
{
    multisig_world w;
    world_init(&w);
    const uint32_t ok[] = {1, 2}, one[] = {2}, stranger[] = {1, 4}, down[] = {2, 1},
                   twice[] = {1, 1};
    proto_multisig_op pay = msw_op_transfer(9, 100);
    proto_txenv m = msw_exec(&w, 2, 0, &pay, 2, ok);
    msw_refused(&w, 9, &m, PROTO_MULTISIG_UNKNOWN_MULTISIG);
    m = msw_exec(&w, 0, 0, &pay, 2, ok);
    msw_refused(&w, 9, &m, PROTO_MULTISIG_UNKNOWN_MULTISIG);
    m = msw_exec(&w, 1, 1, &pay, 2, ok); /* signed at nonce 1, sent at 1: not yet */
    msw_refused(&w, 9, &m, PROTO_MULTISIG_BAD_NONCE);
    m = msw_exec(&w, 1, 0, &pay, 1, one);
    msw_refused(&w, 9, &m, PROTO_MULTISIG_BELOW_THRESHOLD);
    m = msw_exec(&w, 1, 0, &pay, 0, NULL);
    msw_refused(&w, 9, &m, PROTO_MULTISIG_BELOW_THRESHOLD);
    m = msw_exec(&w, 1, 0, &pay, 2, stranger); /* GS026 */
    msw_refused(&w, 9, &m, PROTO_MULTISIG_SIGNER_NOT_OWNER);
    m = msw_exec(&w, 1, 0, &pay, 2, down); /* GS026: ordering */
    msw_refused(&w, 9, &m, PROTO_MULTISIG_SIGNERS_NOT_ASCENDING);
    m = msw_exec(&w, 1, 0, &pay, 2, twice); /* one owner counted twice */
    msw_refused(&w, 9, &m, PROTO_MULTISIG_SIGNERS_NOT_ASCENDING);

    /* The right owner's signature over the wrong nonce. */
    m = msw_exec(&w, 1, 0, &pay, 2, ok);
    proto_txenv later = msw_exec(&w, 1, 1, &pay, 2, ok);
    m.cosigs.sigs[1] = later.cosigs.sigs[1];
    msw_refused(&w, 9, &m, PROTO_MULTISIG_BAD_SIGNATURE);
    /* Another owner's signature in owner 2's place; another chain's;
     * an operation changed after signing. */
    m = msw_exec(&w, 1, 0, &pay, 2, ok);
    proto_multisig_sign(w.crypto, MSW_CHAIN_ID, 1, 0, &pay, &w.keys[3], &m.cosigs.sigs[1]);
    msw_refused(&w, 9, &m, PROTO_MULTISIG_BAD_SIGNATURE);
    m = msw_exec(&w, 1, 0, &pay, 2, ok);
    proto_multisig_sign(w.crypto, MSW_CHAIN_ID + 1, 1, 0, &pay, &w.keys[1], &m.cosigs.sigs[0]);
    msw_refused(&w, 9, &m, PROTO_MULTISIG_BAD_SIGNATURE);
    m = msw_exec(&w, 1, 0, &pay, 2, ok);
    m.messages[0].multisig_exec.op.transfer.amount = 101;
    msw_refused(&w, 9, &m, PROTO_MULTISIG_BAD_SIGNATURE);

    /* Executed once; the same message again is a replay: the nonce moved. */
    m = msw_exec(&w, 1, 0, &pay, 2, ok);
    send_ok(&w, 9, &m);
    ck_assert_uint_eq(msw_get(&w, 1)->nonce, 1);
    msw_refused(&w, 9, &m, PROTO_MULTISIG_BAD_NONCE);
    msw_refused(&w, 1, &m, PROTO_MULTISIG_BAD_NONCE);
    ck_assert_uint_eq(msw_get(&w, 1)->balance, HELD - 100);

    /* The decoder's rules, checked again; the transfer's own. */
    m = msw_exec_now(&w, 1, &pay, 2, ok);
    m.messages[0].multisig_exec.op.type = PROTO_MULTISIG_OP_TYPE_END;
    msw_refused(&w, 9, &m, PROTO_MULTISIG_BAD_MESSAGE);
    m = msw_exec_now(&w, 1, &pay, 2, ok);
    m.cosigs.count = PROTO_MULTISIG_OWNERS_MAX + 1;
    msw_refused(&w, 9, &m, PROTO_MULTISIG_BAD_MESSAGE);
    proto_multisig_op zero = msw_op_transfer(9, 0);
    m = msw_exec_now(&w, 1, &zero, 2, ok);
    msw_refused(&w, 9, &m, PROTO_MULTISIG_BAD_MESSAGE);
    proto_multisig_op nowhere = msw_op_transfer(20, 1);
    m = msw_exec_now(&w, 1, &nowhere, 2, ok);
    msw_refused(&w, 9, &m, PROTO_MULTISIG_UNKNOWN_RECIPIENT);
    proto_multisig_op too_much = msw_op_transfer(9, HELD - 100 + 1);
    m = msw_exec_now(&w, 1, &too_much, 2, ok);
    msw_refused(&w, 9, &m, PROTO_MULTISIG_NO_FUNDS);
    msw_refused(&w, PROTO_ACCOUNT_NONE, &m, PROTO_MULTISIG_NO_ACCOUNT);
    ck_assert_uint_eq(msw_get(&w, 1)->nonce, 1);
    msw_check(&w, "after the refusals");
    msw_clear(&w);
}
END_TEST

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
    for (size_t k = 0; k < G_N_ELEMENTS(rows); k++) {
        proto_txenv m = msw_exec_now(&w, 1, &rows[k].op, 2, ok);
        msw_refused(&w, 9, &m, rows[k].code);
    }
    /* A 2-of-2 cannot lose an owner while keeping its threshold, and a
     * 1-of-1 cannot lose its last owner. */
    const uint32_t pair[] = {5, 6}, single[] = {7};
    proto_txenv c = msw_create(2, 2, pair);
    send_ok(&w, 0, &c);
    c = msw_create(1, 1, single);
    send_ok(&w, 0, &c);
    proto_multisig_op rm = msw_op_owner(PROTO_MULTISIG_OP_REMOVE_OWNER, 6, 2);
    proto_txenv m = msw_exec_now(&w, 2, &rm, 2, pair);
    msw_refused(&w, 9, &m, PROTO_MULTISIG_THRESHOLD_ABOVE_OWNERS);
    rm = msw_op_owner(PROTO_MULTISIG_OP_REMOVE_OWNER, 7, 1);
    m = msw_exec_now(&w, 3, &rm, 1, single);
    msw_refused(&w, 9, &m, PROTO_MULTISIG_THRESHOLD_ABOVE_OWNERS);
    rm = msw_op_owner(PROTO_MULTISIG_OP_REMOVE_OWNER, 7, 0);
    m = msw_exec_now(&w, 3, &rm, 1, single);
    msw_refused(&w, 9, &m, PROTO_MULTISIG_THRESHOLD_ZERO);
    /* A full multisig takes no seventeenth owner. */
    uint32_t full[PROTO_MULTISIG_OWNERS_MAX];
    for (uint32_t i = 0; i < PROTO_MULTISIG_OWNERS_MAX; i++)
        full[i] = i;
    c = msw_create(1, PROTO_MULTISIG_OWNERS_MAX, full);
    send_ok(&w, 0, &c);
    proto_multisig_op add = msw_op_owner(PROTO_MULTISIG_OP_ADD_OWNER, 16, 1);
    m = msw_exec_now(&w, 4, &add, 1, full);
    msw_refused(&w, 9, &m, PROTO_MULTISIG_TOO_MANY_OWNERS);
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

/* A metered delivery of m from sender with `limit` gas. */
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
                         .chain_id = MSW_CHAIN_ID,
                         .tx = t};
    proto_msg_result r = proto_state_deliver(w->s, &ctx, t->messages[0].type, &t->messages[0]);
    *used = gas.consumed;
    return r.code;
}

START_TEST(test_gas)
{
    multisig_world w;
    world_init(&w);
    proto_gas_schedule g = proto_gas_schedule_default();
    uint64_t ms_rw = proto_gas_read_cost(&g, PROTO_MULTISIG_KEY_SIZE, PROTO_MULTISIG_VALUE_SIZE) +
                     proto_gas_write_cost(&g, PROTO_MULTISIG_KEY_SIZE, PROTO_MULTISIG_VALUE_SIZE);
    uint64_t acc_r = proto_gas_read_cost(&g, PROTO_ACCOUNT_KEY_SIZE, PROTO_ACCOUNT_VALUE_SIZE);
    uint64_t acc_w = proto_gas_write_cost(&g, PROTO_ACCOUNT_KEY_SIZE, PROTO_ACCOUNT_VALUE_SIZE);
    const uint32_t ok[] = {1, 2, 3};
    proto_multisig_op pay = msw_op_transfer(9, 100);
    proto_txenv m = msw_exec_now(&w, 1, &pay, 3, ok);
    uint64_t want = ms_rw + 3 * (g.sig_verify_cost + acc_r) + acc_r + acc_w;
    ck_assert_uint_eq(proto_multisig_msg_gas(&g, &m.messages[0], m.cosigs.count), want);
    uint64_t used = 0;
    proto_hash before, after;
    msw_root(&w, &before);
    ck_assert_uint_eq(send_metered(&w, 9, &m, want - 1, &used), PROTO_MULTISIG_OUT_OF_GAS);
    msw_root(&w, &after);
    ck_assert_mem_eq(before.bytes, after.bytes, PROTO_HASH_SIZE);
    ck_assert_uint_eq(send_metered(&w, 9, &m, want, &used), OK);
    ck_assert_uint_eq(used, want);
    /* A refusal still pays: gas is charged before the checks. */
    ck_assert_uint_eq(send_metered(&w, 9, &m, want, &used), PROTO_MULTISIG_BAD_NONCE);
    ck_assert_uint_eq(used, want);
    proto_multisig_op add = msw_op_owner(PROTO_MULTISIG_OP_ADD_OWNER, 4, 2);
    m = msw_exec_now(&w, 1, &add, 2, ok);
    ck_assert_uint_eq(proto_multisig_msg_gas(&g, &m.messages[0], m.cosigs.count),
                      ms_rw + 2 * (g.sig_verify_cost + acc_r) + acc_r);
    proto_multisig_op th = msw_op_threshold(1);
    m = msw_exec_now(&w, 1, &th, 2, ok);
    ck_assert_uint_eq(proto_multisig_msg_gas(&g, &m.messages[0], m.cosigs.count),
                      ms_rw + 2 * (g.sig_verify_cost + acc_r));
    const uint32_t owners[] = {4, 5, 6};
    m = msw_create(2, 3, owners);
    ck_assert_uint_eq(proto_multisig_msg_gas(&g, &m.messages[0], m.cosigs.count),
                      ms_rw + 3 * acc_r);
    m = msw_deposit(1, 5);
    ck_assert_uint_eq(proto_multisig_msg_gas(&g, &m.messages[0], m.cosigs.count),
                      ms_rw + acc_r + acc_w);
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
