/* Unit tests for the validator module's messages through the module
 * router and for blocks with transactions through proto_exec_env
 * (protocol/chain/module.h, exec.h), on the fake-module world of
 * support/module_world.h (the module core itself: test_module.c).
 *
 * The validator module's messages (the envelope's UNJAIL and ROTATE_KEY
 * bodies) are checked against the signer (ctx.sender must be the
 * validator's operator account) and report their effects as events; a
 * block built and applied through proto_exec_env carries the fee
 * figures (gas limit, gas used, base fee) its header is checked by, its
 * tips go to the proposer's fee account and its events are the same
 * whether built or applied. */
#include <check.h>
#include <string.h>

#include "protocol/chain/exec.h"
#include "protocol/chain/fee_market.h"
#include "protocol/chain/module.h"
#include "protocol/chain/tx_envelope.h"
#include "protocol/chain/tx_exec.h"
#include "protocol/core/event.h"
#include "protocol/modules/validator/validator.h"
#include "support/module_world.h"
#include "support/tx_fixture.h"

/* ---- validator operations ---- */

/* A validator operation through the router, signed by the validator's
 * operator, reported as an event, reverted by the validator module's
 * snapshot record; PoA-like states (no set) refuse it. */
START_TEST(test_validator_messages_route_and_revert)
{
    modw_world w;
    modw_init(&w, true);
    proto_validator_genesis(w.s, modw_valset());
    proto_hash before;
    proto_state_root(w.s, &before);
    proto_txmsg op = modw_rotate(1, 0x77);
    proto_undo undo;
    proto_undo_init(&undo);
    GArray *events = g_array_new(FALSE, FALSE, sizeof(proto_event));
    proto_gas_meter gas;
    proto_msg_ctx ctx = modw_ctx(&w, &gas, &undo, NULL);
    ctx.height = 10;
    ctx.sender = 1; /* validator 1's operator */
    ctx.events = events;
    proto_msg_result r = proto_state_deliver(w.s, &ctx, op.type, &op);
    ck_assert_int_eq(r.status, PROTO_MSG_OK);
    ck_assert_ptr_eq(r.module, &proto_validator_module);
    const proto_valset *v = proto_validator_set(w.s);
    ck_assert_uint_eq(proto_valset_get(v, 1)->op_nonce, 1);
    ck_assert(proto_pubkey_equal(proto_valset_key_at(v, 1, 12), &op.rotate_key.new_key));
    ck_assert(!proto_pubkey_equal(proto_valset_key_at(v, 1, 11), &op.rotate_key.new_key));
    ck_assert_uint_eq(events->len, 1);
    ck_assert_int_eq(modw_event(events, 0)->kind, PROTO_EV_KEY_ROTATED);
    ck_assert_uint_eq(modw_event(events, 0)->validator, 1);
    ck_assert_uint_eq(modw_event(events, 0)->effective_height, 12);
    /* Replaying it is refused by the module, with its own reason. */
    op.rotate_key.new_key.bytes[0] ^= 1;
    r = proto_state_deliver(w.s, &ctx, op.type, &op);
    ck_assert_int_eq(r.status, PROTO_MSG_REFUSED);
    ck_assert_str_eq(proto_msg_result_name(r), "rotation_pending");
    op.rotate_key.new_key.bytes[0] ^= 1;
    r = proto_state_check_msg(w.s, &ctx, op.type, &op);
    ck_assert_str_eq(proto_msg_result_name(r), "rotation_pending");
    ck_assert_uint_eq(events->len, 1);
    ck_assert_uint_eq(proto_undo_records_count(&undo), 1); /* one snapshot per log */
    proto_state_revert(w.s, &undo);
    proto_hash after;
    proto_state_root(w.s, &after);
    ck_assert(proto_hash_equal(&after, &before));
    ck_assert_uint_eq(proto_valset_get(proto_validator_set(w.s), 1)->op_nonce, 0);
    proto_undo_clear(&undo);

    proto_state *poa = proto_state_new();
    proto_txmsg unjail = modw_unjail(0);
    r = proto_state_check_msg(poa, &ctx, PROTO_TXMSG_UNJAIL, &unjail);
    ck_assert_int_eq(r.status, PROTO_MSG_NO_STATE);
    proto_state_free(poa);
    g_array_unref(events);
    modw_clear(&w);
}
END_TEST

/* Only the operator account may operate a validator: another account, a
 * context without a signer (a block hook) and a validator without an
 * operator are refused "not_operator", with nothing changed or reported. */
START_TEST(test_validator_message_not_operator)
{
    modw_world w;
    modw_init(&w, true);
    proto_slashing_params p = proto_slashing_defaults();
    proto_validator_genesis(w.s, modw_valset_params(&p, 2)); /* validator 2: no operator */
    proto_hash before;
    proto_state_root(w.s, &before);
    proto_undo undo;
    proto_undo_init(&undo);
    GArray *events = g_array_new(FALSE, FALSE, sizeof(proto_event));
    proto_gas_meter gas;
    proto_msg_ctx ctx = modw_ctx(&w, &gas, &undo, NULL);
    ctx.height = 10;
    ctx.events = events;
    struct {
        proto_txmsg m;
        uint32_t sender;
        const char *want;
    } cases[] = {
        {modw_rotate(1, 0x61), 2, "not_operator"},
        {modw_rotate(1, 0x62), 0, "not_operator"},
        {modw_rotate(1, 0x63), PROTO_ACCOUNT_NONE, "not_operator"},
        {modw_rotate(2, 0x64), 2, "not_operator"},
        {modw_rotate(2, 0x65), 3, "not_operator"},
        {modw_unjail(0), 1, "not_operator"},
        {modw_unjail(0), 0, "not_jailed"}, /* the operator gets the rules' answer */
        {modw_rotate(7, 0x66), 0, "unknown_validator"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        ctx.sender = cases[i].sender;
        proto_msg_result r = proto_state_deliver(w.s, &ctx, cases[i].m.type, &cases[i].m);
        ck_assert_int_eq(r.status, PROTO_MSG_REFUSED);
        ck_assert_ptr_eq(r.module, &proto_validator_module);
        ck_assert_str_eq(proto_msg_result_name(r), cases[i].want);
        r = proto_state_check_msg(w.s, &ctx, cases[i].m.type, &cases[i].m);
        ck_assert_str_eq(proto_msg_result_name(r), cases[i].want);
    }
    ck_assert_uint_eq(events->len, 0);
    ck_assert_uint_eq(proto_undo_records_count(&undo), 0);
    proto_hash after;
    proto_state_root(w.s, &after);
    ck_assert(proto_hash_equal(&after, &before));
    /* The operator's own rotation goes through. */
    ctx.sender = 0;
    proto_txmsg ok = modw_rotate(0, 0x67);
    ck_assert_int_eq(proto_state_deliver(w.s, &ctx, ok.type, &ok).status, PROTO_MSG_OK);
    ck_assert_uint_eq(events->len, 1);
    proto_undo_clear(&undo);
    g_array_unref(events);
    modw_clear(&w);
}
END_TEST

/* Validator 0 jailed for downtime at time 500 (window 4, jail 1000 ns):
 * its operator's unjail is refused until the jail time is over, then
 * works and is reported with the height it takes effect. Gas: the
 * message charges proto_validator_op_gas, and refuses when it runs out. */
START_TEST(test_validator_unjail_after_jail_time)
{
    modw_world w;
    modw_init(&w, true);
    proto_slashing_params p = proto_slashing_defaults();
    p.downtime.window = 4;
    p.downtime.jail_duration_ns = 1000;
    proto_validator_genesis(w.s, modw_valset_params(&p, 3));
    bool mask[3] = {false, true, true}; /* validator 0 misses every commit */
    for (uint64_t h = 1; h <= 5; h++)
        proto_validator_record_commit(w.s, h, h + 1, 500, mask, NULL, NULL, NULL);
    const proto_validator *val = proto_valset_get(proto_validator_set(w.s), 0);
    ck_assert(val->jailed);
    ck_assert_int_eq(val->jailed_until_ns, 1500);
    ck_assert_uint_eq(proto_state_burned(w.s), 10); /* 1/100 of 1000 */

    GArray *events = g_array_new(FALSE, FALSE, sizeof(proto_event));
    proto_gas_schedule prices = proto_gas_schedule_default();
    proto_gas_meter gas;
    proto_msg_ctx ctx = modw_ctx(&w, &gas, NULL, NULL);
    ctx.events = events;
    ctx.height = 20;
    ctx.sender = 0;
    proto_txmsg m = modw_unjail(0);
    ctx.time_ns = 1499;
    ck_assert_str_eq(proto_msg_result_name(proto_state_deliver(w.s, &ctx, m.type, &m)),
                     "jail_not_over");
    ctx.time_ns = 1500;
    ctx.sender = 1;
    ck_assert_str_eq(proto_msg_result_name(proto_state_deliver(w.s, &ctx, m.type, &m)),
                     "not_operator");
    ctx.sender = 0;
    /* Metered: one gas short refuses, changing nothing. */
    uint64_t op_gas = proto_validator_op_gas(&prices);
    ck_assert_uint_gt(op_gas, 0);
    ctx.gas_prices = &prices;
    proto_gas_meter_init(&gas, op_gas - 1);
    ck_assert_str_eq(proto_msg_result_name(proto_state_deliver(w.s, &ctx, m.type, &m)),
                     "out_of_gas");
    ck_assert(proto_valset_get(proto_validator_set(w.s), 0)->jailed);
    ck_assert_uint_eq(events->len, 0);
    proto_gas_meter_init(&gas, op_gas);
    proto_msg_result r = proto_state_deliver(w.s, &ctx, m.type, &m);
    ck_assert_int_eq(r.status, PROTO_MSG_OK);
    ck_assert_uint_eq(gas.consumed, op_gas);
    val = proto_valset_get(proto_validator_set(w.s), 0);
    ck_assert(!val->jailed);
    ck_assert_uint_eq(val->op_nonce, 1);
    ck_assert_uint_eq(proto_valset_power_at(proto_validator_set(w.s), 0, 21), 0);
    ck_assert_uint_eq(proto_valset_power_at(proto_validator_set(w.s), 0, 22), val->tokens);
    ck_assert_uint_eq(events->len, 1);
    ck_assert_int_eq(modw_event(events, 0)->kind, PROTO_EV_UNJAILED);
    ck_assert_uint_eq(modw_event(events, 0)->validator, 0);
    ck_assert_uint_eq(modw_event(events, 0)->effective_height, 22);
    /* Once out, again is refused. */
    ctx.gas_prices = NULL;
    ck_assert_str_eq(proto_msg_result_name(proto_state_deliver(w.s, &ctx, m.type, &m)),
                     "not_jailed");
    g_array_unref(events);
    modw_clear(&w);
}
END_TEST

/* ---- blocks with transactions ---- */

/* A block with transactions through proto_exec_env: built and applied
 * alike (root, events), fees settled to the proposer's fee account and
 * burned, the base fee moved, the validator operation reported with its
 * effective height; the failed message's event is not. */
START_TEST(test_block_with_transactions)
{
    modw_chain f;
    modw_chain_init(&f);
    proto_state *pre = proto_state_copy(f.w.s);
    uint64_t supply = proto_state_total_supply(f.w.s);
    GArray *built_events = g_array_new(FALSE, FALSE, sizeof(proto_event));
    proto_exec_env env = {.rules = &f.rules, .crypto = f.w.c, .events = built_events};
    proto_block *b = proto_block_new();
    b->header.height = 5;
    b->header.timestamp_ns = 7000;
    b->header.proposer = 1;
    proto_undo undo;
    proto_undo_init(&undo);
    ck_assert(proto_exec_build(f.w.s, f.pool, 10, &env, b, &undo));
    ck_assert_uint_eq(b->txs->len, 3);
    ck_assert_uint_eq(b->header.tx_count, 3);

    uint64_t gas = 0;
    for (int i = 0; i < 3; i++)
        gas += f.txs[i].gas_limit; /* txfix gives each exactly what it uses */
    ck_assert_uint_eq(b->header.gas_used, gas);
    ck_assert_uint_eq(b->header.base_fee, MODW_BASE_FEE);
    ck_assert_uint_eq(b->header.gas_limit, TXFIX_BLOCK_GAS_LIMIT);
    ck_assert_uint_eq(proto_state_burned(f.w.s), gas * MODW_BASE_FEE);
    ck_assert_uint_eq(proto_state_account(f.w.s, 2)->balance, MODW_BALANCE + gas * MODW_TIP);
    ck_assert_uint_eq(proto_state_account(f.w.s, 1)->balance,
                      MODW_BALANCE + 500 - f.txs[1].gas_limit * (MODW_BASE_FEE + MODW_TIP));
    ck_assert_uint_eq(proto_state_account(f.w.s, 0)->balance,
                      MODW_BALANCE - 500 - (f.txs[0].gas_limit + f.txs[2].gas_limit) *
                                          (MODW_BASE_FEE + MODW_TIP));
    ck_assert_uint_eq(proto_state_account(f.w.s, 0)->nonce, 2);
    ck_assert_uint_eq(proto_state_total_supply(f.w.s), supply);
    ck_assert_uint_eq(proto_state_base_fee(f.w.s),
                      proto_fee_next_base_fee(&f.rules.fees, gas, TXFIX_BLOCK_GAS_LIMIT,
                                              MODW_BASE_FEE));
    ck_assert(proto_valset_get(proto_validator_set(f.w.s), 1)->op_nonce == 1);
    ck_assert_uint_eq(built_events->len, 1);
    ck_assert_int_eq(modw_event(built_events, 0)->kind, PROTO_EV_KEY_ROTATED);
    ck_assert_uint_eq(modw_event(built_events, 0)->validator, 1);
    ck_assert_uint_eq(modw_event(built_events, 0)->effective_height, 7);

    /* Applied elsewhere: the same root and the same events. */
    GArray *applied_events = g_array_new(FALSE, FALSE, sizeof(proto_event));
    proto_exec_env env2 = {.rules = &f.rules, .crypto = f.w.c, .events = applied_events};
    ck_assert(proto_exec_apply(pre, b, &env2, NULL));
    proto_hash r1, r2;
    proto_state_root(f.w.s, &r1);
    proto_state_root(pre, &r2);
    ck_assert(proto_hash_equal(&r1, &r2));
    ck_assert(proto_hash_equal(&r1, &b->header.state_root));
    ck_assert_uint_eq(applied_events->len, built_events->len);
    ck_assert_int_eq(memcmp(applied_events->data, built_events->data,
                            built_events->len * sizeof(proto_event)),
                     0);

    /* The builder's log reverts the whole block, base fee included. */
    proto_state_revert(f.w.s, &undo);
    ck_assert_uint_eq(proto_state_base_fee(f.w.s), MODW_BASE_FEE);
    ck_assert_uint_eq(proto_state_burned(f.w.s), 0);
    ck_assert_uint_eq(proto_valset_get(proto_validator_set(f.w.s), 1)->op_nonce, 0);
    ck_assert_uint_eq(proto_state_account(f.w.s, 0)->nonce, 0);
    proto_undo_clear(&undo);
    g_array_unref(applied_events);
    g_array_unref(built_events);
    proto_block_free(b);
    proto_state_free(pre);
    modw_chain_clear(&f);
}
END_TEST

/* Two transactions under one block's undo log: the first changes the
 * bonded set (so the set's undo snapshot is taken there), the second
 * rotates another validator's key and then fails a transfer. Its messages
 * are reverted, the rotation with them: the snapshot is taken again inside
 * the failing transaction's scope (module.h proto_undo_scope_open), so the
 * revert to its mark reaches the rotation. */
START_TEST(test_failed_transaction_reverts_set_changes_after_a_snapshot)
{
    modw_chain f;
    modw_chain_init(&f);
    proto_crypto *c = f.w.c;
    proto_undo undo;
    proto_undo_init(&undo);
    proto_gas_meter block_gas;
    proto_gas_meter_init(&block_gas, UINT64_MAX);
    proto_msg_ctx ctx = {.undo = &undo, .gas = &block_gas, .crypto = c, .chain_id = MODW_CHAIN_ID,
                         .height = 5, .time_ns = 7000, .sender = PROTO_ACCOUNT_NONE};
    proto_tx_receipt r;
    ck_assert_int_eq(proto_tx_exec(f.w.s, &ctx, &f.rules, &f.txs[1],
                                   proto_txenv_wire_size(&f.txs[1]), MODW_BASE_FEE, UINT64_MAX,
                                   2, &r),
                     PROTO_TX_EXEC_OK);
    ck_assert(r.messages_ok);
    ck_assert_uint_eq(proto_valset_get(proto_validator_set(f.w.s), 1)->op_nonce, 1);

    /* Account 0 operates validator 0: rotate it, then move more than it has. */
    proto_txenv tx = {.chain_id = MODW_CHAIN_ID, .sender = f.w.keys[0].pk, .nonce = 0,
                      .max_fee_per_gas = MODW_FEES.max_fee_per_gas,
                      .max_priority_fee_per_gas = MODW_FEES.max_priority_fee_per_gas,
                      .message_count = 2};
    tx.messages[0] = modw_rotate(0, 0x6B);
    tx.messages[1] = modw_transfer(3, MODW_BALANCE * 2);
    tx.gas_limit = txfix_gas(&tx) + 1000; /* room: the failure is the funds, not gas */
    proto_txenv_sign(&tx, c, &f.w.keys[0]);
    ck_assert_int_eq(proto_tx_exec(f.w.s, &ctx, &f.rules, &tx, proto_txenv_wire_size(&tx),
                                   MODW_BASE_FEE, UINT64_MAX, 2, &r),
                     PROTO_TX_EXEC_OK);
    ck_assert(!r.messages_ok);
    ck_assert_uint_eq(r.failed_message, 1);
    ck_assert(!r.out_of_gas);
    ck_assert_str_eq(proto_msg_result_name(r.failure), "no_funds");
    const proto_valset *vs = proto_validator_set(f.w.s);
    ck_assert_uint_eq(proto_valset_get(vs, 0)->op_nonce, 0);
    ck_assert_uint_eq(proto_valset_get(vs, 1)->op_nonce, 1); /* the first tx's stays */
    proto_pubkey old;
    memset(old.bytes, 0x50, sizeof old.bytes);
    ck_assert(proto_pubkey_equal(proto_valset_key_at(vs, 0, UINT64_MAX), &old));
    ck_assert_uint_eq(proto_state_account(f.w.s, 0)->nonce, 1); /* the fee was paid */

    /* And the whole log still reverts both. */
    proto_state_revert(f.w.s, &undo);
    ck_assert_uint_eq(proto_valset_get(proto_validator_set(f.w.s), 1)->op_nonce, 0);
    proto_undo_clear(&undo);
    modw_chain_clear(&f);
}
END_TEST

/* What apply checks: the header's gas limit, base fee and gas used, the
 * proposer, every transaction includable. Each failure leaves the state
 * and the events as they were. */
START_TEST(test_block_header_fee_fields_checked)
{
    modw_chain f;
    modw_chain_init(&f);
    proto_state *pre = proto_state_copy(f.w.s);
    proto_hash pre_root;
    proto_state_root(pre, &pre_root);
    proto_exec_env env = {.rules = &f.rules, .crypto = f.w.c};
    proto_block *b = proto_block_new();
    b->header.height = 5;
    b->header.proposer = 1;
    proto_undo undo;
    proto_undo_init(&undo);
    ck_assert(proto_exec_build(f.w.s, f.pool, 10, &env, b, &undo));
    proto_undo_clear(&undo);

    GArray *events = g_array_new(FALSE, FALSE, sizeof(proto_event));
    proto_event sentinel = {.kind = PROTO_EV_SLASHED, .validator = 9};
    g_array_append_val(events, sentinel);
    proto_exec_env env2 = {.rules = &f.rules, .crypto = f.w.c, .events = events};
    proto_block_header good = b->header;
    for (int which = 0; which < 6; which++) {
        b->header = good;
        switch (which) {
        case 0:
            b->header.base_fee++;
            break;
        case 1:
            b->header.gas_limit--;
            break;
        case 2:
            b->header.gas_used++;
            break;
        case 3:
            b->header.gas_used--;
            break;
        case 4:
            b->header.proposer = 3; /* no such validator */
            break;
        default:
            b->header.state_root.bytes[0] ^= 1;
            break;
        }
        ck_assert_msg(!proto_exec_apply(pre, b, &env2, NULL), "case %d", which);
        proto_hash now;
        proto_state_root(pre, &now);
        ck_assert(proto_hash_equal(&now, &pre_root));
        ck_assert_uint_eq(events->len, 1);
        ck_assert_uint_eq(modw_event(events, 0)->validator, 9);
    }
    /* A block carrying a transaction that cannot be in it: a replay. */
    b->header = good;
    proto_txenv replay = g_array_index(b->txs, proto_txenv, 0);
    g_array_append_val(b->txs, replay);
    ck_assert(!proto_exec_apply(pre, b, &env2, NULL));
    g_array_set_size(b->txs, 3);
    proto_hash now;
    proto_state_root(pre, &now);
    ck_assert(proto_hash_equal(&now, &pre_root));
    ck_assert_uint_eq(events->len, 1);
    /* The block as built applies; its event follows the sentinel. */
    ck_assert(proto_exec_apply(pre, b, &env2, NULL));
    ck_assert_uint_eq(events->len, 2);
    ck_assert_int_eq(modw_event(events, 1)->kind, PROTO_EV_KEY_ROTATED);
    /* The next block must carry the base fee this one left in the state. */
    proto_block *next = proto_block_new();
    next->header.height = 6;
    next->header.proposer = 0;
    proto_undo_init(&undo);
    proto_state *pre2 = proto_state_copy(pre);
    proto_state *pre3 = proto_state_copy(pre);
    ck_assert(proto_exec_build(pre, f.pool, 10, &env, next, &undo));
    uint64_t want_fee =
        proto_fee_next_base_fee(&f.rules.fees, good.gas_used, good.gas_limit, good.base_fee);
    ck_assert_uint_ne(want_fee, MODW_BASE_FEE);
    ck_assert_uint_eq(next->header.base_fee, want_fee);
    ck_assert_uint_eq(next->txs->len, 0); /* the pool's are stale now */
    ck_assert(proto_exec_apply(pre2, next, &env, NULL));
    /* One that claims the parent's base fee instead is refused. */
    next->header.base_fee = MODW_BASE_FEE;
    ck_assert(!proto_exec_apply(pre3, next, &env, NULL));
    proto_hash r3;
    proto_hash r_pre;
    proto_state_root(pre3, &r3);
    proto_state_root(pre2, &r_pre); /* pre2 went on; pre3 must not have */
    ck_assert(!proto_hash_equal(&r3, &r_pre));
    ck_assert_uint_eq(proto_state_base_fee(pre3), want_fee);
    proto_undo_clear(&undo);
    proto_state_free(pre3);
    proto_state_free(pre2);
    proto_block_free(next);
    g_array_unref(events);
    proto_block_free(b);
    proto_state_free(pre);
    modw_chain_clear(&f);
}
END_TEST

static Suite *module_exec_suite(void)
{
    Suite *s = suite_create("module_exec");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_validator_messages_route_and_revert);
    tcase_add_test(tc, test_validator_message_not_operator);
    tcase_add_test(tc, test_validator_unjail_after_jail_time);
    tcase_add_test(tc, test_block_with_transactions);
    tcase_add_test(tc, test_failed_transaction_reverts_set_changes_after_a_snapshot);
    tcase_add_test(tc, test_block_header_fee_fields_checked);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(module_exec_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
