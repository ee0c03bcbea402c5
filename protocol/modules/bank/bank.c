/* The bank module (bank.h): the transfer message. */
#include "protocol/modules/bank/bank.h"

#include "protocol/chain/tx_envelope.h"
#include "protocol/chain/tx_exec.h"

const char *proto_bank_result_name(proto_bank_result r)
{
    switch (r) {
    case PROTO_BANK_OK:
        return "ok";
    case PROTO_BANK_BAD_ACCOUNT:
        return "bad_account";
    case PROTO_BANK_NO_FUNDS:
        return "no_funds";
    case PROTO_BANK_OUT_OF_GAS:
        return "out_of_gas";
    }
    return "unknown";
}

uint64_t proto_bank_transfer_gas(const proto_gas_schedule *gas)
{
    uint64_t read = proto_gas_read_cost(gas, PROTO_ACCOUNT_KEY_SIZE, PROTO_ACCOUNT_VALUE_SIZE);
    uint64_t write = proto_gas_write_cost(gas, PROTO_ACCOUNT_KEY_SIZE, PROTO_ACCOUNT_VALUE_SIZE);
    return proto_gas_mul_sat(2, proto_gas_add_sat(read, write));
}

static uint32_t bank_check_transfer(const proto_state *s, const proto_msg_ctx *ctx,
                                    const void *msg)
{
    const proto_txmsg *m = msg;
    uint32_t count = proto_state_account_count(s);
    if (ctx->sender >= count || m->transfer.to >= count || m->transfer.to == ctx->sender)
        return PROTO_BANK_BAD_ACCOUNT;
    if (m->transfer.amount > proto_state_account(s, ctx->sender)->balance)
        return PROTO_BANK_NO_FUNDS;
    return PROTO_BANK_OK;
}

static uint32_t bank_deliver_transfer(proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const proto_txmsg *m = msg;
    if (ctx->gas_prices != NULL &&
        proto_gas_consume(ctx->gas, proto_bank_transfer_gas(ctx->gas_prices)) != PROTO_GAS_OK)
        return PROTO_BANK_OUT_OF_GAS;
    uint32_t res = bank_check_transfer(s, ctx, m);
    if (res != PROTO_BANK_OK)
        return res;
    proto_account *from = proto_state_account_mut(s, ctx->sender, ctx->undo);
    proto_account *to = proto_state_account_mut(s, m->transfer.to, ctx->undo);
    from->balance -= m->transfer.amount;
    g_assert(to->balance <= UINT64_MAX - m->transfer.amount); /* supply fits in u64 */
    to->balance += m->transfer.amount;
    return PROTO_BANK_OK;
}

static const char *bank_result_name(uint32_t code)
{
    return proto_bank_result_name((proto_bank_result)code);
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
