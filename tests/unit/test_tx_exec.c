/* Unit tests for one transaction's execution on the account state
 * (protocol/chain/tx_exec.c): the effects of a transfer and its gas, the
 * fee settlement (burn at base fee, tip to the proposer's account,
 * refund of unused gas) to the unit, a failed message that still pays,
 * running out of gas, the ante handler's refusals (each leaves the
 * state untouched), and several messages all or nothing. The state root
 * after each is checked against the reference computed from scratch
 * (support/state_world.h).
 *
 * Fees: every test chain has base fee SW_BASE_FEE per gas and
 * transactions offer SW_BASE_FEE + SW_TIP with tip SW_TIP unless a test
 * says otherwise; genesis balances are large enough for the fees. */
#include <check.h>
#include <string.h>

#include "protocol/chain/module.h"
#include "protocol/chain/state.h"
#include "protocol/chain/tx_exec.h"
#include "protocol/chain/valset.h"
#include "protocol/core/codec.h"
#include "protocol/modules/bank/bank.h"
#include "protocol/modules/distribution/distribution.h"
#include "protocol/modules/staking/staking.h"
#include "protocol/modules/validator/validator.h"
#include "support/state_world.h"
#include "support/tx_fixture.h"

START_TEST(test_apply_effects)
{
    sw_world w;
    sw_init(&w, PROTO_CRYPTO_REAL, 3, SW_BALANCE);
    uint64_t supply = proto_state_total_supply(w.s);
    ck_assert_uint_eq(supply, 3 * SW_BALANCE + 0 + 1 + 2);
    proto_txenv tx = sw_tx(&w, 0, 2, 300);
    size_t wire = proto_txenv_wire_size(&tx);
    ck_assert_uint_eq(tx.gas_limit, sw_transfer_gas(wire));
    ck_assert_uint_eq(tx.gas_limit, proto_tx_ante_gas(&w.rules.gas, wire) +
                                        proto_bank_transfer_gas(&w.rules.gas));
    proto_tx_receipt rc;
    ck_assert_int_eq(sw_exec(&w, &tx, NULL, 1, &rc), PROTO_TX_EXEC_OK);
    uint64_t gas = rc.gas_used;
    ck_assert_uint_eq(gas, tx.gas_limit);
    ck_assert(rc.messages_ok);
    ck_assert(!rc.out_of_gas);
    ck_assert_uint_eq(rc.sender, 0);
    ck_assert_uint_eq(rc.burned, gas * SW_BASE_FEE);
    ck_assert_uint_eq(rc.tips, gas * SW_TIP);
    ck_assert_uint_eq(proto_state_account(w.s, 0)->balance,
                      SW_BALANCE - 300 - gas * (SW_BASE_FEE + SW_TIP));
    ck_assert_uint_eq(proto_state_account(w.s, 0)->nonce, 1);
    ck_assert_uint_eq(proto_state_account(w.s, 2)->balance, SW_BALANCE + 2 + 300);
    ck_assert_uint_eq(proto_state_account(w.s, 2)->nonce, 0);
    ck_assert_uint_eq(proto_state_account(w.s, 1)->balance, SW_BALANCE + 1 + gas * SW_TIP);
    ck_assert_uint_eq(proto_state_account(w.s, 1)->nonce, 0);
    ck_assert_uint_eq(proto_state_burned(w.s), gas * SW_BASE_FEE);
    ck_assert_uint_eq(proto_state_total_supply(w.s), supply);
    /* Replaying the same tx is a nonce error, and changes nothing. */
    proto_hash before;
    sw_root_of(w.s, &before);
    ck_assert_int_eq(sw_exec(&w, &tx, NULL, 1, NULL), PROTO_TX_EXEC_BAD_NONCE);
    proto_hash after;
    sw_root_of(w.s, &after);
    ck_assert(proto_hash_equal(&before, &after));
    /* Spending everything exactly is allowed: what is left once the gas is
     * bought (max fee = base + tip, so that is everything), all of it. */
    uint64_t bal = proto_state_account(w.s, 2)->balance;
    tx = sw_tx(&w, 2, 0, 1);
    uint64_t cost = tx.gas_limit * (SW_BASE_FEE + SW_TIP);
    tx = sw_tx(&w, 2, 0, bal - cost);
    ck_assert_int_eq(sw_exec(&w, &tx, NULL, 1, &rc), PROTO_TX_EXEC_OK);
    ck_assert(rc.messages_ok);
    ck_assert_uint_eq(proto_state_account(w.s, 2)->balance, 0);
    ck_assert_uint_eq(proto_state_account(w.s, 2)->nonce, 1);
    ck_assert_uint_eq(proto_state_total_supply(w.s), supply);
    sw_assert_root_matches_reference(w.s);
    sw_clear(&w);
}
END_TEST

/* Sender pays gas_used * (base + effective tip), gas_used * base is
 * burned, gas_used * tip goes to the fee account, unused gas comes back
 * at the price paid; the supply does not move. Effective tip = min(max
 * priority, max fee - base). */
static void check_settlement(uint64_t max_fee, uint64_t max_priority, uint64_t extra_gas,
                             uint32_t fee_account)
{
    sw_world w;
    sw_init(&w, PROTO_CRYPTO_FAST, 4, SW_BALANCE);
    uint64_t supply = proto_state_total_supply(w.s);
    txfix_fees fees = {.max_fee_per_gas = max_fee, .max_priority_fee_per_gas = max_priority};
    proto_txenv tx = sw_tx_on(&w, w.s, 0, 1, 1000, fees);
    uint64_t needed = tx.gas_limit;
    tx.gas_limit += extra_gas;
    sw_resign(&w, &tx, &w.keys[0]);
    uint64_t tip = MIN(max_priority, max_fee - SW_BASE_FEE);
    proto_account before[4];
    for (uint32_t i = 0; i < 4; i++)
        before[i] = *proto_state_account(w.s, i);

    proto_tx_receipt rc;
    ck_assert_int_eq(sw_exec(&w, &tx, NULL, fee_account, &rc), PROTO_TX_EXEC_OK);
    ck_assert(rc.messages_ok);
    ck_assert_uint_eq(rc.gas_used, needed); /* not the limit: the rest is refunded */
    ck_assert_uint_eq(rc.burned, needed * SW_BASE_FEE);
    ck_assert_uint_eq(rc.tips, needed * tip);
    ck_assert_uint_eq(proto_state_burned(w.s), needed * SW_BASE_FEE);
    uint64_t paid = needed * (SW_BASE_FEE + tip);
    uint64_t want[4];
    for (uint32_t i = 0; i < 4; i++)
        want[i] = before[i].balance;
    want[0] -= 1000 + paid;
    want[1] += 1000;
    want[fee_account] += needed * tip;
    for (uint32_t i = 0; i < 4; i++)
        ck_assert_uint_eq(proto_state_account(w.s, i)->balance, want[i]);
    ck_assert_uint_eq(proto_state_account(w.s, 0)->nonce, 1);
    ck_assert_uint_eq(proto_state_total_supply(w.s), supply);
    sw_assert_root_matches_reference(w.s);
    sw_clear(&w);
}

START_TEST(test_fee_settlement_exact)
{
    check_settlement(SW_BASE_FEE + 10, 3, 5000, 2);  /* tip = max priority; refund */
    check_settlement(SW_BASE_FEE + 10, 15, 5000, 3); /* tip capped by max fee - base */
    check_settlement(SW_BASE_FEE + 10, 0, 0, 2);     /* no tip: the fee account gets nothing */
    check_settlement(SW_BASE_FEE, 5, 1, 3);          /* max fee = base: no room for a tip */
    check_settlement(SW_BASE_FEE + 4, 4, 77, 0);     /* the sender is the proposer's fee account */
}
END_TEST

/* A message the bank refuses (more than the balance, an unknown
 * recipient, the sender itself) is reverted, but the transaction is
 * included: nonce taken, fee paid. */
static void check_failed_transfer(uint32_t to, uint64_t amount, const char *why)
{
    sw_world w;
    sw_init(&w, PROTO_CRYPTO_FAST, 3, SW_BALANCE);
    uint64_t supply = proto_state_total_supply(w.s);
    proto_txenv tx = sw_tx(&w, 0, to, amount);
    tx.gas_limit += 1000; /* headroom: the failure is the bank's, not the meter's */
    sw_resign(&w, &tx, &w.keys[0]);
    proto_undo u;
    proto_undo_init(&u);
    proto_tx_receipt rc;
    ck_assert_int_eq(sw_exec(&w, &tx, &u, 2, &rc), PROTO_TX_EXEC_OK);
    ck_assert(!rc.messages_ok);
    ck_assert(!rc.out_of_gas);
    ck_assert_uint_eq(rc.failed_message, 0);
    ck_assert_int_eq(rc.failure.status, PROTO_MSG_REFUSED);
    ck_assert_ptr_eq(rc.failure.module, &proto_bank_module);
    ck_assert_str_eq(proto_msg_result_name(rc.failure), why);
    /* The bank charges its gas before it judges. */
    ck_assert_uint_eq(rc.gas_used, tx.gas_limit - 1000);
    uint64_t paid = rc.gas_used * (SW_BASE_FEE + SW_TIP);
    ck_assert_uint_eq(proto_state_account(w.s, 0)->balance, SW_BALANCE - paid);
    ck_assert_uint_eq(proto_state_account(w.s, 0)->nonce, 1);
    ck_assert_uint_eq(proto_state_account(w.s, 1)->balance, SW_BALANCE + 1);
    ck_assert_uint_eq(proto_state_account(w.s, 2)->balance, SW_BALANCE + 2 + rc.gas_used * SW_TIP);
    ck_assert_uint_eq(proto_state_burned(w.s), rc.gas_used * SW_BASE_FEE);
    ck_assert_uint_eq(proto_state_total_supply(w.s), supply);
    sw_assert_root_matches_reference(w.s);
    /* And the whole transaction reverts through the log. */
    proto_state_revert(w.s, &u);
    ck_assert_uint_eq(proto_state_account(w.s, 0)->balance, SW_BALANCE);
    ck_assert_uint_eq(proto_state_account(w.s, 0)->nonce, 0);
    ck_assert_uint_eq(proto_state_burned(w.s), 0);
    proto_undo_clear(&u);
    sw_clear(&w);
}

START_TEST(test_failed_message_pays_fee)
{
    check_failed_transfer(1, SW_BALANCE, "no_funds"); /* the balance minus the gas is less */
    check_failed_transfer(1, UINT64_MAX, "no_funds");
    check_failed_transfer(3, 1, "bad_account"); /* no such account */
    check_failed_transfer(0, 1, "bad_account"); /* to itself */
}
END_TEST

/* Gas limit above the intrinsic gas but below what the transfer needs:
 * the meter runs out, the whole gas limit is paid, nothing moves. Once in
 * the bank's charge, once already in the ante's account access. */
static void check_out_of_gas(uint64_t gas_limit, bool in_bank)
{
    sw_world w;
    sw_init(&w, PROTO_CRYPTO_FAST, 3, SW_BALANCE);
    uint64_t supply = proto_state_total_supply(w.s);
    proto_txenv tx = sw_tx(&w, 0, 1, 5);
    size_t wire = proto_txenv_wire_size(&tx);
    ck_assert_uint_ge(gas_limit, proto_gas_intrinsic(&w.rules.gas, wire, 1));
    ck_assert_uint_lt(gas_limit, tx.gas_limit);
    tx.gas_limit = gas_limit;
    sw_resign(&w, &tx, &w.keys[0]);
    proto_tx_receipt rc;
    ck_assert_int_eq(sw_exec(&w, &tx, NULL, 2, &rc), PROTO_TX_EXEC_OK);
    ck_assert(rc.out_of_gas);
    ck_assert(!rc.messages_ok);
    ck_assert_uint_eq(rc.gas_used, gas_limit);
    if (in_bank) {
        ck_assert_uint_eq(rc.failed_message, 0);
        ck_assert_ptr_eq(rc.failure.module, &proto_bank_module);
        ck_assert_str_eq(proto_msg_result_name(rc.failure), "out_of_gas");
    }
    ck_assert_uint_eq(proto_state_account(w.s, 0)->balance,
                      SW_BALANCE - gas_limit * (SW_BASE_FEE + SW_TIP));
    ck_assert_uint_eq(proto_state_account(w.s, 0)->nonce, 1);
    ck_assert_uint_eq(proto_state_account(w.s, 1)->balance, SW_BALANCE + 1);
    ck_assert_uint_eq(proto_state_account(w.s, 2)->balance, SW_BALANCE + 2 + gas_limit * SW_TIP);
    ck_assert_uint_eq(proto_state_burned(w.s), gas_limit * SW_BASE_FEE);
    ck_assert_uint_eq(proto_state_total_supply(w.s), supply);
    sw_clear(&w);
}

START_TEST(test_out_of_gas)
{
    proto_gas_schedule gas = proto_gas_schedule_default();
    /* A one-transfer envelope: ante + transfer = documented_transfer_gas. */
    uint64_t wire = PROTO_TXENV_HEADER_SIZE + 1 + 4 + 8 + PROTO_SIG_SIZE;
    uint64_t ante = proto_tx_ante_gas(&gas, wire);
    uint64_t full = sw_transfer_gas(wire);
    check_out_of_gas(full - 1, true);
    check_out_of_gas(ante + 1, true);
    check_out_of_gas(ante, true); /* the ante fits exactly, the bank gets nothing */
    check_out_of_gas(ante - 1, false);
    check_out_of_gas(proto_gas_intrinsic(&gas, wire, 1), false);
}
END_TEST

/* Every refusal leaves the state untouched (same root, burned, nonces)
 * and the undo log empty. */
START_TEST(test_rejections)
{
    sw_world w;
    sw_init(&w, PROTO_CRYPTO_REAL, 3, SW_BALANCE);
    /* A poor account: exactly one short of gas_limit * max_fee. */
    proto_keypair poor;
    proto_keypair_derive(&poor, 5, "poor");
    proto_txenv probe = txfix_transfer(w.c, SW_CHAIN_ID, &poor, 0, 1, 1, sw_fees);
    uint64_t cover = probe.gas_limit * sw_fees.max_fee_per_gas;
    ck_assert_uint_eq(proto_state_add_account(w.s, &poor.pk, cover - 1), 3);
    proto_keypair stranger;
    proto_keypair_derive(&stranger, 5, "stranger");
    proto_hash before;
    sw_root_of(w.s, &before);

    struct {
        proto_txenv tx;
        proto_tx_exec_result want;
        proto_txenv_result envelope; /* when INVALID */
        uint64_t block_gas_left;
    } cases[14];
    size_t n = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
        cases[i].block_gas_left = TXFIX_BLOCK_GAS_LIMIT, cases[i].envelope = PROTO_TXENV_OK;

    cases[n].tx = txfix_transfer(w.c, SW_CHAIN_ID + 1, &w.keys[0], 0, 1, 1, sw_fees);
    cases[n].want = PROTO_TX_EXEC_INVALID, cases[n++].envelope = PROTO_TXENV_WRONG_CHAIN;

    cases[n].tx = sw_tx(&w, 0, 1, 1);
    cases[n].tx.gas_limit = 0;
    sw_resign(&w, &cases[n].tx, &w.keys[0]);
    cases[n].want = PROTO_TX_EXEC_INVALID, cases[n++].envelope = PROTO_TXENV_ZERO_GAS;

    cases[n].tx = sw_tx(&w, 0, 1, 1);
    cases[n].tx.gas_limit = TXFIX_BLOCK_GAS_LIMIT + 1;
    sw_resign(&w, &cases[n].tx, &w.keys[0]);
    cases[n].want = PROTO_TX_EXEC_INVALID, cases[n++].envelope = PROTO_TXENV_GAS_OVER_BLOCK_LIMIT;

    cases[n].tx = sw_tx_on(&w, w.s, 0, 1, 1,
                           (txfix_fees){.max_fee_per_gas = 10, .max_priority_fee_per_gas = 11});
    cases[n].want = PROTO_TX_EXEC_INVALID, cases[n++].envelope = PROTO_TXENV_TIP_ABOVE_FEE_CAP;

    cases[n].tx =
        sw_tx_on(&w, w.s, 0, 1, 1,
                 (txfix_fees){.max_fee_per_gas = UINT64_MAX, .max_priority_fee_per_gas = 0});
    cases[n].want = PROTO_TX_EXEC_INVALID, cases[n++].envelope = PROTO_TXENV_FEE_OVERFLOW;

    cases[n].tx = sw_tx(&w, 0, 1, 1);
    cases[n].tx.gas_limit = 100;
    sw_resign(&w, &cases[n].tx, &w.keys[0]);
    cases[n].want = PROTO_TX_EXEC_INVALID, cases[n++].envelope = PROTO_TXENV_GAS_BELOW_INTRINSIC;

    cases[n].tx =
        sw_tx_on(&w, w.s, 0, 1, 1,
                 (txfix_fees){.max_fee_per_gas = SW_BASE_FEE - 1, .max_priority_fee_per_gas = 0});
    cases[n++].want = PROTO_TX_EXEC_FEE_CAP_LOW;

    cases[n].tx = sw_tx(&w, 0, 1, 1);
    cases[n].block_gas_left = cases[n].tx.gas_limit - 1;
    cases[n++].want = PROTO_TX_EXEC_BLOCK_FULL;

    cases[n].tx = txfix_transfer(w.c, SW_CHAIN_ID, &stranger, 0, 1, 1, sw_fees);
    cases[n++].want = PROTO_TX_EXEC_UNKNOWN_SENDER;

    cases[n].tx = txfix_transfer(w.c, SW_CHAIN_ID, &w.keys[0], 1, 1, 1, sw_fees); /* ahead */
    cases[n++].want = PROTO_TX_EXEC_BAD_NONCE;

    cases[n].tx = txfix_transfer(w.c, SW_CHAIN_ID, &poor, 0, 1, 1, sw_fees);
    cases[n++].want = PROTO_TX_EXEC_NO_FUNDS;

    cases[n].tx = sw_tx(&w, 0, 1, 1); /* changed after signing */
    cases[n].tx.messages[0].transfer.amount = 2;
    cases[n++].want = PROTO_TX_EXEC_BAD_SIGNATURE;

    cases[n].tx = sw_tx(&w, 0, 1, 1);
    sw_sign_as(&w, &cases[n].tx, &w.keys[1]); /* signed by the wrong key */
    cases[n++].want = PROTO_TX_EXEC_BAD_SIGNATURE;

    cases[n].tx = sw_tx(&w, 0, 1, 1);
    cases[n].tx.sender = w.keys[1].pk; /* claims another sender */
    cases[n++].want = PROTO_TX_EXEC_BAD_SIGNATURE;
    ck_assert_uint_eq(n, G_N_ELEMENTS(cases));

    for (size_t i = 0; i < n; i++) {
        proto_undo u;
        proto_undo_init(&u);
        proto_tx_receipt rc;
        proto_tx_exec_result got =
            sw_exec_full(&w, w.s, &cases[i].tx, &u, cases[i].block_gas_left, 2, &rc);
        ck_assert_msg(got == cases[i].want, "case %zu: %s", i, proto_tx_exec_result_name(got));
        if (cases[i].want == PROTO_TX_EXEC_INVALID)
            ck_assert_int_eq(rc.envelope, cases[i].envelope);
        ck_assert_uint_eq(u.entries->len, 0);
        ck_assert_uint_eq(proto_undo_records_count(&u), 0);
        ck_assert(!u.burned_saved && !u.base_fee_saved);
        proto_undo_clear(&u);
    }
    ck_assert_uint_eq(sw_exec(&w, &cases[8].tx, NULL, 2, NULL), PROTO_TX_EXEC_UNKNOWN_SENDER);
    proto_hash after;
    sw_root_of(w.s, &after);
    ck_assert(proto_hash_equal(&before, &after));
    ck_assert_uint_eq(proto_state_burned(w.s), 0);
    for (uint32_t i = 0; i < 4; i++)
        ck_assert_uint_eq(proto_state_account(w.s, i)->nonce, 0);
    ck_assert_ptr_null(proto_state_account(w.s, 4));

    /* A pool's admission: the nonce may be ahead (it waits), the fee cap
     * and the block's gas are not judged; nothing is applied. */
    uint32_t sender = 99;
    proto_txenv_result envelope = PROTO_TXENV_RESULT_COUNT;
    ck_assert_int_eq(proto_tx_admissible(w.s, &w.rules, w.c, &cases[9].tx,
                                         proto_txenv_wire_size(&cases[9].tx), &sender, &envelope),
                     PROTO_TX_EXEC_OK);
    ck_assert_uint_eq(sender, 0);
    ck_assert_int_eq(envelope, PROTO_TXENV_OK);
    ck_assert_int_eq(proto_tx_admissible(w.s, &w.rules, w.c, &cases[6].tx,
                                         proto_txenv_wire_size(&cases[6].tx), &sender, NULL),
                     PROTO_TX_EXEC_OK);
    ck_assert_int_eq(proto_tx_admissible(w.s, &w.rules, w.c, &cases[0].tx,
                                         proto_txenv_wire_size(&cases[0].tx), &sender, &envelope),
                     PROTO_TX_EXEC_INVALID);
    ck_assert_int_eq(envelope, PROTO_TXENV_WRONG_CHAIN);
    ck_assert_int_eq(proto_tx_admissible(w.s, &w.rules, w.c, &cases[11].tx,
                                         proto_txenv_wire_size(&cases[11].tx), &sender, NULL),
                     PROTO_TX_EXEC_BAD_SIGNATURE);
    ck_assert_uint_eq(proto_state_account(w.s, 0)->nonce, 0); /* admission did not apply */

    /* The boundaries are accepted: gas limit = gas left, balance = cover. */
    proto_txenv ok = sw_tx(&w, 0, 1, 1);
    ck_assert_int_eq(sw_exec_full(&w, w.s, &ok, NULL, ok.gas_limit, 2, NULL), PROTO_TX_EXEC_OK);
    proto_state_account_mut(w.s, 3, NULL)->balance += 1; /* from account 1, to keep the supply */
    proto_state_account_mut(w.s, 1, NULL)->balance -= 1;
    proto_tx_receipt rc;
    ck_assert_int_eq(sw_exec(&w, &cases[10].tx, NULL, 2, &rc), PROTO_TX_EXEC_OK);
    /* It bought all its balance as gas (max fee = base + tip, gas exact),
     * so its transfer of 1 then fails in the bank. */
    ck_assert(!rc.messages_ok);
    ck_assert_uint_eq(proto_state_account(w.s, 3)->balance, 0);
    ck_assert_uint_eq(proto_state_account(w.s, 3)->nonce, 1);
    /* A transaction the state has passed is behind: admission refuses it. */
    ck_assert_int_eq(
        proto_tx_admissible(w.s, &w.rules, w.c, &ok, proto_txenv_wire_size(&ok), &sender, NULL),
        PROTO_TX_EXEC_BAD_NONCE);
    sw_clear(&w);
}
END_TEST

/* Two messages: the second fails, so the first is reverted too; the fee
 * and the nonce stay. Then both succeed. */
START_TEST(test_two_messages_all_or_nothing)
{
    sw_world w;
    sw_init(&w, PROTO_CRYPTO_FAST, 3, SW_BALANCE);
    uint64_t supply = proto_state_total_supply(w.s);
    proto_txenv tx = {.chain_id = SW_CHAIN_ID,
                      .sender = w.keys[0].pk,
                      .nonce = 0,
                      .max_fee_per_gas = sw_fees.max_fee_per_gas,
                      .max_priority_fee_per_gas = sw_fees.max_priority_fee_per_gas,
                      .message_count = 2};
    tx.messages[0].type = PROTO_TXMSG_TRANSFER;
    tx.messages[0].transfer.to = 1;
    tx.messages[0].transfer.amount = 10;
    tx.messages[1].type = PROTO_TXMSG_TRANSFER;
    tx.messages[1].transfer.to = 99; /* no such account */
    tx.messages[1].transfer.amount = 1;
    tx.gas_limit = txfix_gas(&tx);
    sw_resign(&w, &tx, &w.keys[0]);
    proto_undo u;
    proto_undo_init(&u);
    proto_tx_receipt rc;
    ck_assert_int_eq(sw_exec(&w, &tx, &u, 2, &rc), PROTO_TX_EXEC_OK);
    ck_assert(!rc.messages_ok);
    ck_assert_uint_eq(rc.failed_message, 1);
    ck_assert_str_eq(proto_msg_result_name(rc.failure), "bad_account");
    ck_assert_uint_eq(proto_state_account(w.s, 1)->balance, SW_BALANCE + 1); /* first undone */
    ck_assert_uint_eq(proto_state_account(w.s, 0)->balance,
                      SW_BALANCE - rc.gas_used * (SW_BASE_FEE + SW_TIP));
    ck_assert_uint_eq(proto_state_account(w.s, 0)->nonce, 1);
    ck_assert_uint_eq(proto_state_burned(w.s), rc.gas_used * SW_BASE_FEE);
    ck_assert_uint_eq(proto_state_total_supply(w.s), supply);
    sw_assert_root_matches_reference(w.s);

    tx.nonce = 1;
    tx.messages[1].transfer.to = 2;
    sw_resign(&w, &tx, &w.keys[0]);
    uint64_t bal0 = proto_state_account(w.s, 0)->balance;
    uint64_t bal2 = proto_state_account(w.s, 2)->balance;
    ck_assert_int_eq(sw_exec(&w, &tx, &u, 2, &rc), PROTO_TX_EXEC_OK);
    ck_assert(rc.messages_ok);
    ck_assert_uint_eq(rc.gas_used, tx.gas_limit);
    ck_assert_uint_eq(proto_state_account(w.s, 1)->balance, SW_BALANCE + 1 + 10);
    ck_assert_uint_eq(proto_state_account(w.s, 0)->balance,
                      bal0 - 11 - rc.gas_used * (SW_BASE_FEE + SW_TIP));
    ck_assert_uint_eq(proto_state_account(w.s, 2)->balance, bal2 + 1 + rc.gas_used * SW_TIP);
    ck_assert_uint_eq(proto_state_total_supply(w.s), supply);

    proto_state_revert(w.s, &u);
    for (uint32_t i = 0; i < 3; i++) {
        ck_assert_uint_eq(proto_state_account(w.s, i)->balance, SW_BALANCE + i);
        ck_assert_uint_eq(proto_state_account(w.s, i)->nonce, 0);
    }
    ck_assert_uint_eq(proto_state_burned(w.s), 0);
    proto_undo_clear(&u);
    sw_clear(&w);
}
END_TEST

START_TEST(test_result_names)
{
    ck_assert_str_eq(proto_tx_exec_result_name(PROTO_TX_EXEC_OK), "ok");
    ck_assert_str_eq(proto_tx_exec_result_name(PROTO_TX_EXEC_INVALID), "invalid");
    ck_assert_str_eq(proto_tx_exec_result_name(PROTO_TX_EXEC_FEE_CAP_LOW),
                     "fee_cap_below_base_fee");
    ck_assert_str_eq(proto_tx_exec_result_name(PROTO_TX_EXEC_BLOCK_FULL), "block_gas_full");
    ck_assert_str_eq(proto_tx_exec_result_name(PROTO_TX_EXEC_UNKNOWN_SENDER), "unknown_sender");
    ck_assert_str_eq(proto_tx_exec_result_name(PROTO_TX_EXEC_BAD_NONCE), "bad_nonce");
    ck_assert_str_eq(proto_tx_exec_result_name(PROTO_TX_EXEC_NO_FUNDS), "no_funds");
    ck_assert_str_eq(proto_tx_exec_result_name(PROTO_TX_EXEC_BAD_SIGNATURE), "bad_signature");
    ck_assert_str_eq(proto_tx_exec_result_name((proto_tx_exec_result)77), "unknown");
    ck_assert_str_eq(proto_bank_result_name(PROTO_BANK_OK), "ok");
    ck_assert_str_eq(proto_bank_result_name(PROTO_BANK_BAD_ACCOUNT), "bad_account");
    ck_assert_str_eq(proto_bank_result_name(PROTO_BANK_NO_FUNDS), "no_funds");
    ck_assert_str_eq(proto_bank_result_name(PROTO_BANK_OUT_OF_GAS), "out_of_gas");
    ck_assert_str_eq(proto_bank_result_name((proto_bank_result)77), "unknown");
}
END_TEST

/* On a chain with the distribution module the tip goes to its fee
 * collector, not to the proposer's account; the supply holds. */
START_TEST(test_tips_to_fee_collector)
{
    sw_world w;
    sw_init(&w, PROTO_CRYPTO_REAL, 3, SW_BALANCE);
    proto_staking_params sp = proto_staking_defaults();
    proto_staking_genesis_validator v = {.operator_account = 0, .self_bond = 100};
    proto_staking_genesis(w.s, &sp, 1, &v, 0, NULL, 0);
    proto_f1_params fp = proto_f1_params_default();
    proto_distribution_genesis(w.s, &fp);
    uint64_t supply = proto_state_total_supply(w.s);
    proto_txenv tx = sw_tx(&w, 0, 2, 300);
    proto_tx_receipt rc;
    ck_assert_int_eq(sw_exec(&w, &tx, NULL, 1, &rc), PROTO_TX_EXEC_OK);
    ck_assert_uint_gt(rc.tips, 0);
    ck_assert_uint_eq(proto_distribution_fee_collector(w.s), rc.tips);
    ck_assert_uint_eq(proto_state_account(w.s, 1)->balance, SW_BALANCE + 1);
    ck_assert_uint_eq(proto_state_total_supply(w.s), supply);
    sw_clear(&w);
}
END_TEST

static Suite *tx_exec_suite(void)
{
    Suite *s = suite_create("tx_exec");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_apply_effects);
    tcase_add_test(tc, test_tips_to_fee_collector);
    tcase_add_test(tc, test_fee_settlement_exact);
    tcase_add_test(tc, test_failed_message_pays_fee);
    tcase_add_test(tc, test_out_of_gas);
    tcase_add_test(tc, test_rejections);
    tcase_add_test(tc, test_two_messages_all_or_nothing);
    tcase_add_test(tc, test_result_names);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(tx_exec_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
