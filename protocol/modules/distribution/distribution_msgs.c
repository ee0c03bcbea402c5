/* The distribution module's messages (distribution.h): WITHDRAW_REWARDS
 * and WITHDRAW_COMMISSION, each a read-only check that judges everything
 * (a block from a peer reaches the handler with nothing checked) and a
 * deliver that charges gas, checks and applies. x/distribution's
 * msg_server.go WithdrawDelegatorReward and WithdrawValidatorCommission
 * over keeper.go's methods of the same names. */
#include "protocol/chain/tx_envelope.h"
#include "protocol/modules/distribution/distribution_internal.h"

const char *proto_distribution_result_name(proto_distribution_result r)
{
    static const char *const names[PROTO_DISTRIBUTION_RESULT_COUNT] = {
        [PROTO_DISTRIBUTION_OK] = "ok",
        [PROTO_DISTRIBUTION_OUT_OF_GAS] = "out_of_gas",
        [PROTO_DISTRIBUTION_NO_ACCOUNT] = "no_account",
        [PROTO_DISTRIBUTION_UNKNOWN_VALIDATOR] = "unknown_validator",
        [PROTO_DISTRIBUTION_NO_DELEGATION] = "no_delegation",
        [PROTO_DISTRIBUTION_NOT_OPERATOR] = "not_operator",
        [PROTO_DISTRIBUTION_NOTHING_TO_WITHDRAW] = "nothing_to_withdraw",
    };
    if ((unsigned)r >= PROTO_DISTRIBUTION_RESULT_COUNT || names[r] == NULL)
        return "unknown";
    return names[r];
}

/* Records each message reads and writes: the validator's records and the
 * account, and for rewards the starting info and the historical entry. */
uint64_t proto_distribution_msg_gas(const proto_gas_schedule *gas, uint8_t type)
{
    uint64_t records = type == PROTO_TXMSG_WITHDRAW_REWARDS ? 4 : 2;
    uint64_t one = proto_gas_add_sat(
        proto_gas_read_cost(gas, PROTO_STAKING_KEY_SIZE, PROTO_STAKING_VALUE_SIZE),
        proto_gas_write_cost(gas, PROTO_STAKING_KEY_SIZE, PROTO_STAKING_VALUE_SIZE));
    return proto_gas_mul_sat(records, one);
}

/* A validator created in staking and known here, or a refusal. */
static uint32_t check_validator(const proto_state *s, const proto_msg_ctx *ctx, uint32_t i)
{
    const dist_state *st = dist__get(s);
    g_assert(st != NULL); /* the router only routes to a module with state */
    if (ctx->sender == PROTO_ACCOUNT_NONE || ctx->sender >= proto_state_account_count(s))
        return PROTO_DISTRIBUTION_NO_ACCOUNT;
    if (i >= st->count || !st->validators[i].initialized)
        return PROTO_DISTRIBUTION_UNKNOWN_VALIDATOR;
    return PROTO_DISTRIBUTION_OK;
}

/* WithdrawDelegationRewards: the validator and the delegation exist. */
static uint32_t check_rewards(const proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const proto_txmsg *m = msg;
    uint32_t i = m->withdraw.validator;
    uint32_t r = check_validator(s, ctx, i);
    if (r != PROTO_DISTRIBUTION_OK)
        return r;
    const proto_staking_state *sk = proto_staking_get(s);
    if (proto_dec_is_zero(proto_staking_delegation_shares(sk, ctx->sender, i)))
        return PROTO_DISTRIBUTION_NO_DELEGATION;
    g_assert(dist__find(dist__get(s), DIST_STARTS, dist__key_start(i, ctx->sender)) != NULL);
    return PROTO_DISTRIBUTION_OK;
}

/* Withdraw (paid to the sender), then restart the delegation. */
static void apply_rewards(proto_state *s, const proto_msg_ctx *ctx, const proto_txmsg *m)
{
    uint32_t i = m->withdraw.validator;
    dist__withdraw_delegation(s, i, ctx->sender, ctx->height, ctx->undo);
    dist__init_delegation(s, i, ctx->sender, ctx->height, ctx->undo);
}

/* WithdrawValidatorCommission: the operator only (Cosmos signs with the
 * validator's own address), ErrNoValidatorCommission when none has
 * accumulated. A fraction alone pays nothing and stays, as in Cosmos. */
static uint32_t check_commission(const proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const proto_txmsg *m = msg;
    uint32_t i = m->withdraw.validator;
    uint32_t r = check_validator(s, ctx, i);
    if (r != PROTO_DISTRIBUTION_OK)
        return r;
    const proto_staking_validator *v = proto_staking_validator_get(proto_staking_get(s), i);
    if (v->operator_account != ctx->sender)
        return PROTO_DISTRIBUTION_NOT_OPERATOR;
    if (proto_dec_is_zero(dist__get(s)->validators[i].commission))
        return PROTO_DISTRIBUTION_NOTHING_TO_WITHDRAW;
    return PROTO_DISTRIBUTION_OK;
}

static void apply_commission(proto_state *s, const proto_msg_ctx *ctx, const proto_txmsg *m)
{
    dist__withdraw_commission(s, m->withdraw.validator, ctx->undo);
}

/* Gas first (running out changes nothing), then the check, then the
 * change. */
static uint32_t dist_deliver(proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const proto_txmsg *m = msg;
    bool rewards = m->type == PROTO_TXMSG_WITHDRAW_REWARDS;
    g_assert(rewards || m->type == PROTO_TXMSG_WITHDRAW_COMMISSION);
    if (ctx->gas_prices != NULL &&
        proto_gas_consume(ctx->gas, proto_distribution_msg_gas(ctx->gas_prices, m->type)) !=
            PROTO_GAS_OK)
        return PROTO_DISTRIBUTION_OUT_OF_GAS;
    uint32_t r = rewards ? check_rewards(s, ctx, m) : check_commission(s, ctx, m);
    if (r != PROTO_DISTRIBUTION_OK)
        return r;
    if (rewards)
        apply_rewards(s, ctx, m);
    else
        apply_commission(s, ctx, m);
    return PROTO_DISTRIBUTION_OK;
}

const proto_msg_route dist__routes[DIST__ROUTES_COUNT] = {
    {PROTO_TXMSG_WITHDRAW_REWARDS, "withdraw_rewards", check_rewards, dist_deliver},
    {PROTO_TXMSG_WITHDRAW_COMMISSION, "withdraw_commission", check_commission, dist_deliver},
};
