/* The bank module (bank.h): the transfer message.
 *
 * Transfer rules, cheapest checks first so a bad transfer rarely costs a
 * signature check:
 *   - from and to must be known accounts, and from != to: a self-transfer
 *     is refused as PROTO_TX_BAD_ACCOUNT (it would move nothing but fee
 *     and nonce, and refusing it keeps "to gains amount" an invariant);
 *   - nonce == the sender's next nonce;
 *   - amount + fee must not overflow and must be <= the sender's balance;
 *   - the signature must verify under the sender's key (memoized).
 * Effects: from.balance -= amount + fee, to.balance += amount,
 * from.nonce += 1, burned += fee (the fee is burned in this version). The
 * core records the accounts' old values and burned for undo, so the bank
 * records nothing of its own. No gas is charged yet. */
#include "protocol/modules/bank/bank.h"

#include "protocol/chain/tx_envelope.h"

static uint32_t bank_check_transfer(const proto_state *s, const proto_msg_ctx *ctx,
                                    const void *msg)
{
    const proto_tx *tx = msg;
    uint32_t count = proto_state_account_count(s);
    if (tx->from >= count || tx->to >= count || tx->from == tx->to)
        return PROTO_TX_BAD_ACCOUNT;
    const proto_account *from = proto_state_account(s, tx->from);
    if (tx->nonce != from->nonce)
        return PROTO_TX_BAD_NONCE;
    if (tx->amount > UINT64_MAX - tx->fee || tx->amount + tx->fee > from->balance)
        return PROTO_TX_NO_FUNDS;
    if (!proto_tx_verify(tx, ctx->chain_id, ctx->crypto, &from->pk))
        return PROTO_TX_BAD_SIGNATURE;
    return PROTO_TX_OK;
}

static uint32_t bank_deliver_transfer(proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const proto_tx *tx = msg;
    uint32_t res = bank_check_transfer(s, ctx, tx);
    if (res != PROTO_TX_OK)
        return res;
    proto_account *from = proto_state_account_mut(s, tx->from, ctx->undo);
    proto_account *to = proto_state_account_mut(s, tx->to, ctx->undo);
    from->balance -= tx->amount + tx->fee;
    from->nonce++;
    g_assert(to->balance <= UINT64_MAX - tx->amount); /* supply fits in u64 */
    to->balance += tx->amount;
    proto_state_burn(s, tx->fee, ctx->undo);
    return PROTO_TX_OK;
}

static const char *bank_result_name(uint32_t code)
{
    return proto_tx_result_name((proto_tx_result)code);
}

static const proto_msg_route bank_routes[] = {
    {.type = PROTO_TXMSG_TRANSFER,
     .name = "transfer",
     .check = bank_check_transfer,
     .deliver = bank_deliver_transfer},
};

const proto_module proto_bank_module = {
    .name = "bank",
    .id = PROTO_BANK_MODULE_ID,
    .routes = bank_routes,
    .routes_count = G_N_ELEMENTS(bank_routes),
    .result_name = bank_result_name,
};
