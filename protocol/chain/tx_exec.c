/* One transaction's execution (tx_exec.h): the ante handler, the
 * messages, the fee settlement. */
#include "protocol/chain/tx_exec.h"

#include "protocol/modules/distribution/distribution.h"

const char *proto_tx_exec_result_name(proto_tx_exec_result r)
{
    static const char *const names[PROTO_TX_EXEC_RESULT_COUNT] = {
        [PROTO_TX_EXEC_OK] = "ok",
        [PROTO_TX_EXEC_INVALID] = "invalid",
        [PROTO_TX_EXEC_FEE_CAP_LOW] = "fee_cap_below_base_fee",
        [PROTO_TX_EXEC_BLOCK_FULL] = "block_gas_full",
        [PROTO_TX_EXEC_UNKNOWN_SENDER] = "unknown_sender",
        [PROTO_TX_EXEC_BAD_NONCE] = "bad_nonce",
        [PROTO_TX_EXEC_NO_FUNDS] = "no_funds",
        [PROTO_TX_EXEC_BAD_SIGNATURE] = "bad_signature",
    };
    if ((unsigned)r >= PROTO_TX_EXEC_RESULT_COUNT)
        return "unknown";
    return names[r];
}

proto_txenv_limits proto_chain_rules_limits(const proto_chain_rules *rules)
{
    return (proto_txenv_limits){.chain_id = rules->chain_id,
                                .block_gas_limit = rules->block_gas_limit,
                                .schedule = &rules->gas};
}

uint32_t proto_chain_rules_fee_account(const proto_chain_rules *rules, uint32_t v)
{
    g_assert(v < rules->validators);
    return rules->fee_accounts[v];
}

uint64_t proto_tx_ante_gas(const proto_gas_schedule *gas, size_t wire_size)
{
    uint64_t total = proto_gas_intrinsic(gas, wire_size, 1);
    total = proto_gas_add_sat(
        total, proto_gas_read_cost(gas, PROTO_ACCOUNT_KEY_SIZE, PROTO_ACCOUNT_VALUE_SIZE));
    return proto_gas_add_sat(
        total, proto_gas_write_cost(gas, PROTO_ACCOUNT_KEY_SIZE, PROTO_ACCOUNT_VALUE_SIZE));
}

/* Steps 1 and 4 (fee cap and block gas aside): the sender's account. */
static proto_tx_exec_result ante_sender(const proto_state *s, const proto_chain_rules *rules,
                                        const proto_txenv *tx, size_t wire_size,
                                        bool nonce_exact, uint32_t *sender_out,
                                        proto_txenv_result *envelope_out)
{
    proto_txenv_limits limits = proto_chain_rules_limits(rules);
    proto_txenv_result env = proto_txenv_check(tx, wire_size, &limits);
    if (envelope_out != NULL)
        *envelope_out = env;
    if (env != PROTO_TXENV_OK)
        return PROTO_TX_EXEC_INVALID;
    uint32_t sender = proto_state_account_by_key(s, &tx->sender);
    if (sender == PROTO_ACCOUNT_NONE)
        return PROTO_TX_EXEC_UNKNOWN_SENDER;
    *sender_out = sender;
    const proto_account *a = proto_state_account(s, sender);
    if (nonce_exact ? tx->nonce != a->nonce : tx->nonce < a->nonce)
        return PROTO_TX_EXEC_BAD_NONCE;
    /* Fits: proto_txenv_check refused an overflowing product. */
    if (a->balance < tx->gas_limit * tx->max_fee_per_gas)
        return PROTO_TX_EXEC_NO_FUNDS;
    return PROTO_TX_EXEC_OK;
}

proto_tx_exec_result proto_tx_admissible(const proto_state *s, const proto_chain_rules *rules,
                                         proto_crypto *c, const proto_txenv *tx,
                                         size_t wire_size, uint32_t *sender_out,
                                         proto_txenv_result *envelope_out)
{
    uint32_t sender = PROTO_ACCOUNT_NONE;
    proto_tx_exec_result r =
        ante_sender(s, rules, tx, wire_size, false, &sender, envelope_out);
    *sender_out = sender;
    if (r != PROTO_TX_EXEC_OK)
        return r;
    return proto_txenv_verify(tx, c) ? PROTO_TX_EXEC_OK : PROTO_TX_EXEC_BAD_SIGNATURE;
}

/* The messages in order under the transaction's meter; the first failure
 * reverts them all (back to mark) and is recorded in the receipt. */
static void run_messages(proto_state *s, const proto_msg_ctx *ctx, const proto_txenv *tx,
                         const proto_undo_mark *mark, proto_tx_receipt *out)
{
    guint events_mark = ctx->events != NULL ? ctx->events->len : 0;
    out->messages_ok = !out->out_of_gas; /* the ante ran out: no message runs */
    if (!out->messages_ok)
        return;
    for (uint16_t i = 0; i < tx->message_count; i++) {
        const proto_txmsg *m = &tx->messages[i];
        proto_msg_result r = proto_state_deliver(s, ctx, m->type, m);
        if (r.status == PROTO_MSG_OK)
            continue;
        out->messages_ok = false;
        out->failed_message = i;
        out->failure = r;
        out->out_of_gas = ctx->gas->ran_out; /* not "used exactly its limit" */
        proto_state_revert_to(s, ctx->undo, mark);
        if (ctx->events != NULL)
            g_array_set_size(ctx->events, events_mark);
        return;
    }
}

/* Refund the unused gas, burn the base fee's share, tip the proposer: its
 * fee account, or, on a chain with the distribution module, the fee
 * collector that module pays validators and delegators from
 * (distribution.h; chains without it behave as before). */
static void settle(proto_state *s, const proto_msg_ctx *ctx, const proto_txenv *tx,
                   uint64_t base_fee, uint64_t tip, uint32_t fee_account, proto_tx_receipt *out)
{
    uint64_t gas_used = ctx->gas->consumed;
    uint64_t refund = (tx->gas_limit - gas_used) * (base_fee + tip);
    proto_fee_split(base_fee, tip, gas_used, &out->burned, &out->tips);
    out->gas_used = gas_used;
    proto_account *from = proto_state_account_mut(s, out->sender, ctx->undo);
    from->balance += refund;
    proto_state_burn(s, out->burned, ctx->undo);
    if (out->tips > 0 && proto_distribution_active(s)) {
        proto_distribution_collect(s, out->tips, ctx->undo);
    } else if (out->tips > 0) {
        proto_account *to = proto_state_account_mut(s, fee_account, ctx->undo);
        g_assert(to->balance <= UINT64_MAX - out->tips); /* supply fits in u64 */
        to->balance += out->tips;
    }
}

proto_tx_exec_result proto_tx_exec(proto_state *s, const proto_msg_ctx *block_ctx,
                                   const proto_chain_rules *rules, const proto_txenv *tx,
                                   size_t wire_size, uint64_t base_fee, uint64_t block_gas_left,
                                   uint32_t fee_account, proto_tx_receipt *out)
{
    *out = (proto_tx_receipt){.sender = PROTO_ACCOUNT_NONE};
    proto_tx_exec_result r =
        ante_sender(s, rules, tx, wire_size, true, &out->sender, &out->envelope);
    if (r == PROTO_TX_EXEC_OK && tx->max_fee_per_gas < base_fee)
        r = PROTO_TX_EXEC_FEE_CAP_LOW;
    if (r == PROTO_TX_EXEC_OK && tx->gas_limit > block_gas_left)
        r = PROTO_TX_EXEC_BLOCK_FULL;
    if (r == PROTO_TX_EXEC_OK && !proto_txenv_verify(tx, block_ctx->crypto))
        r = PROTO_TX_EXEC_BAD_SIGNATURE;
    if (r != PROTO_TX_EXEC_OK)
        return r;
    g_assert(fee_account < proto_state_account_count(s));
    g_assert(block_ctx->undo != NULL); /* a failed message is reverted through it */

    uint64_t tip = proto_fee_effective_tip(base_fee, tx->max_fee_per_gas,
                                           tx->max_priority_fee_per_gas);
    out->effective_tip = tip;
    proto_gas_meter gas;
    proto_gas_meter_init(&gas, tx->gas_limit);
    proto_msg_ctx ctx = *block_ctx;
    ctx.gas = &gas;
    ctx.gas_prices = &rules->gas;
    ctx.sender = out->sender;

    /* Buy the gas (the price is base fee + tip <= max fee, so this is at
     * most the balance checked above) and take the nonce. */
    proto_account *from = proto_state_account_mut(s, out->sender, ctx.undo);
    from->balance -= tx->gas_limit * (base_fee + tip);
    from->nonce++;
    /* The intrinsic charge fits (proto_txenv_check); the account access
     * may not, which leaves no gas for the messages. */
    proto_gas_charge_intrinsic(&gas, &rules->gas, wire_size, 1);
    out->out_of_gas =
        proto_gas_charge_read(&gas, &rules->gas, PROTO_ACCOUNT_KEY_SIZE,
                              PROTO_ACCOUNT_VALUE_SIZE) != PROTO_GAS_OK ||
        proto_gas_charge_write(&gas, &rules->gas, PROTO_ACCOUNT_KEY_SIZE,
                               PROTO_ACCOUNT_VALUE_SIZE) != PROTO_GAS_OK;

    /* The messages' changes are a scope of their own: a module that
     * snapshots its state at its first change under a log (validator.h)
     * snapshots again inside it, so a revert to the mark restores them. */
    proto_undo_mark mark = proto_undo_mark_now(ctx.undo, s);
    guint floor = proto_undo_scope_open(ctx.undo);
    run_messages(s, &ctx, tx, &mark, out);
    proto_undo_scope_close(ctx.undo, floor);
    settle(s, &ctx, tx, base_fee, tip, fee_account, out);
    return PROTO_TX_EXEC_OK;
}
