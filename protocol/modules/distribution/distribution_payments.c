/* Tokens into the distribution module and out of it (distribution.h):
 * the fee collector, the votes consensus records, the end block that
 * allocates the collector among them (x/distribution/keeper/
 * allocation.go AllocateTokens and AllocateTokensToValidator, with f1.h's
 * arithmetic), and the two messages that pay out, WITHDRAW_REWARDS and
 * WITHDRAW_COMMISSION (msg_server.go WithdrawDelegatorReward and
 * WithdrawValidatorCommission over keeper.go's methods of the same
 * names): each a read-only check that judges everything (a block from a
 * peer reaches the handler with nothing checked) and a deliver that
 * charges gas, checks and applies. */
#include "protocol/chain/tx_envelope.h"
#include "protocol/modules/distribution/distribution_internal.h"

void proto_distribution_collect(proto_state *s, uint64_t amount, proto_undo *undo)
{
    g_assert(dist__get(s) != NULL);
    if (amount == 0)
        return;
    dist_globals *g = dist__globals_mut(s, undo);
    g_assert(amount <= UINT64_MAX - g->fee_collector - g->tokens); /* the supply fits */
    g->fee_collector += amount;
}

void proto_distribution_record_votes(proto_state *s, uint32_t proposer, const uint64_t *powers,
                                     const bool *signed_mask, uint32_t count, proto_undo *undo)
{
    const dist_state *st = dist__get(s);
    if (st == NULL)
        return;
    g_assert(count <= st->count);
    dist_vote *votes = g_new0(dist_vote, count > 0 ? count : 1);
    uint64_t total = 0;
    for (uint32_t i = 0; i < count; i++) {
        g_assert(powers[i] <= (uint64_t)INT64_MAX - total); /* consensus's powers */
        total += powers[i];
        votes[i] = (dist_vote){.power = powers[i], .signed_vote = signed_mask[i]};
    }
    dist__votes_set(s, true, proposer, votes, count, undo);
    g_free(votes);
}

/* AllocateTokensToValidator: the commission (rounded) to the operator's
 * accumulated commission, the rest to the delegators' current rewards,
 * all of it to the validator's outstanding rewards. */
static void allocate_to_validator(proto_state *s, uint32_t i, proto_dec tokens, proto_undo *undo)
{
    const proto_staking_validator *sv = proto_staking_validator_get(proto_staking_get(s), i);
    proto_dec commission, shared;
    g_assert(proto_f1_commission_split(tokens, sv->commission.rate, &commission, &shared) ==
             PROTO_F1_OK);
    dist_validator *v = dist__validator_mut(s, i, undo);
    dist__add(&v->commission, commission);
    dist__add(&v->current, shared);
    dist__add(&v->outstanding, tokens);
}

/* The recorded votes as f1.h wants them: every validator's power (a
 * validator distribution does not know gets none: its share stays with
 * the community pool), the total and the signed power. */
static void vote_powers(const dist_state *st, int64_t *powers, int64_t *total, int64_t *signed_sum)
{
    *total = 0;
    *signed_sum = 0;
    for (guint k = 0; k < st->votes->len; k++) {
        const dist_vote *v = &g_array_index(st->votes, dist_vote, k);
        *total += (int64_t)v->power;
        *signed_sum += v->signed_vote ? (int64_t)v->power : 0;
        powers[k] = st->validators[k].initialized ? (int64_t)v->power : 0;
    }
}

/* AllocateTokens of `fees` by the recorded votes: the proposer reward,
 * each validator's share, the rest to the community pool. */
static void allocate(proto_state *s, proto_dec fees, proto_undo *undo)
{
    const dist_state *st = dist__get(s);
    guint n = st->votes->len;
    int64_t *powers = g_new0(int64_t, n > 0 ? n : 1), total, signed_sum;
    proto_dec *rewards = g_new0(proto_dec, n > 0 ? n : 1);
    vote_powers(st, powers, &total, &signed_sum);
    uint32_t proposer = st->proposer;
    bool proposer_known = proposer < n && st->validators[proposer].initialized;
    proto_f1_allocation out;
    g_assert(proto_f1_allocate(&st->g.params, fees, total, signed_sum, powers, n, proposer_known,
                               rewards, &out) == PROTO_F1_OK);
    if (proposer_known && proto_dec_is_positive(out.proposer_reward))
        allocate_to_validator(s, proposer, out.proposer_reward, undo);
    for (guint k = 0; k < n; k++)
        if (proto_dec_is_positive(rewards[k]))
            allocate_to_validator(s, k, rewards[k], undo);
    dist__add(&dist__globals_mut(s, undo)->community_pool, out.community_pool);
    g_free(powers);
    g_free(rewards);
}

/* The block's end: the fee collector moves into the module account and
 * is allocated by the votes recorded in this block (none: all of it to
 * the community pool); the votes are cleared. A block with neither fees
 * nor votes changes nothing (no undo record, the root stays cached). */
bool dist__end_block(proto_state *s, const proto_msg_ctx *ctx)
{
    const dist_state *st = dist__get(s);
    if (st == NULL || (st->g.fee_collector == 0 && !st->votes_recorded))
        return true;
    uint64_t fees = st->g.fee_collector;
    if (fees > 0) {
        if (st->votes_recorded) {
            allocate(s, proto_dec_from_amount((proto_amount)fees), ctx->undo);
        } else {
            dist__add(&dist__globals_mut(s, ctx->undo)->community_pool,
                      proto_dec_from_amount((proto_amount)fees));
        }
        dist_globals *g = dist__globals_mut(s, ctx->undo);
        g->tokens += fees;
        g->fee_collector = 0;
    }
    if (dist__get(s)->votes_recorded)
        dist__votes_set(s, false, UINT32_MAX, NULL, 0, ctx->undo);
    return true;
}

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
