/* Slashing that reaches delegators (staking.h proto_staking_slash):
 * x/staking/keeper/slash.go Keeper.Slash, SlashUnbondingDelegation and
 * SlashRedelegation (v0.50 line), walking this module's entries with the
 * arithmetic of slash.h. Everything burned leaves a pool and goes to the
 * core's burned counter, so the supply is conserved. The hooks
 * (staking.h) hear of it as Cosmos's do: BeforeValidatorSlashed with the
 * effective fraction before the validator burns, and the delegation
 * hooks when a redelegation entry unbonds shares at its destination. */
#include "protocol/modules/staking/slash.h"
#include "protocol/modules/staking/staking_internal.h"

/* SlashUnbondingDelegation over every unbonding entry from i: each
 * liable entry owes trunc(fraction x initial_balance) and pays what it
 * holds of that; the payments leave the not-bonded pool. Returns what
 * the entries owed (which comes off the validator's share). */
static proto_amount slash_unbondings(proto_staking_state *st, uint32_t i, uint64_t infraction,
                                     proto_dec fraction, int64_t now_ns, proto_amount *burned)
{
    proto_amount owed_total = 0;
    for (guint k = 0; k < st->unbondings->len; k++) {
        proto_staking_unbonding *e = &g_array_index(st->unbondings, proto_staking_unbonding, k);
        if (e->validator != i ||
            !proto_slash_entry_liable((int64_t)e->creation_height, e->completion_ns,
                                      (int64_t)infraction, now_ns))
            continue;
        proto_amount owed, paid;
        g_assert(proto_slash_unbonding_entry(e->initial_balance, e->balance, fraction, &owed,
                                             &paid) == PROTO_SLASH_OK);
        owed_total += owed;
        e->balance -= paid;
        proto_staking__pool_burn(st, PROTO_STAKING_UNBONDING, paid);
        *burned += paid;
    }
    return owed_total;
}

/* One liable redelegation entry (SlashRedelegation's loop body): unbond
 * fraction x shares_dst of the delegation at dst (at most what it still
 * has) and burn those tokens out of dst's pool. */
static proto_amount slash_redelegation_entry(proto_state *s, const proto_msg_ctx *ctx,
                                             proto_staking_state *st,
                                             const proto_staking_redelegation *e,
                                             proto_dec fraction, proto_amount *burned)
{
    proto_dec held = proto_staking_delegation_shares(st, e->delegator, e->dst);
    proto_amount owed;
    proto_dec unbond;
    g_assert(proto_slash_redelegation_entry(e->initial_balance, e->shares_dst, held, fraction,
                                            &owed, &unbond) == PROTO_SLASH_OK);
    if (proto_dec_is_zero(unbond))
        return owed;
    proto_amount tokens = proto_staking__unbond_hooked(s, ctx, st, e->delegator, e->dst, unbond);
    proto_staking__pool_burn(st, st->validators[e->dst].status, tokens);
    *burned += tokens;
    return owed;
}

static proto_amount slash_redelegations(proto_state *s, const proto_msg_ctx *ctx,
                                        proto_staking_state *st, uint32_t i, uint64_t infraction,
                                        proto_dec fraction, proto_amount *burned)
{
    proto_amount owed_total = 0;
    for (guint k = 0; k < st->redelegations->len; k++) {
        proto_staking_redelegation e =
            g_array_index(st->redelegations, proto_staking_redelegation, k);
        if (e.src != i || !proto_slash_entry_liable((int64_t)e.creation_height, e.completion_ns,
                                                     (int64_t)infraction, ctx->time_ns))
            continue;
        owed_total += slash_redelegation_entry(s, ctx, st, &e, fraction, burned);
    }
    return owed_total;
}

static proto_staking_result slash_check(const proto_staking_state *st, uint32_t i,
                                        uint64_t infraction_height, proto_dec fraction,
                                        const proto_msg_ctx *ctx)
{
    const proto_staking_validator *v = proto_staking_validator_get(st, i);
    if (v == NULL || !v->created)
        return PROTO_STAKING_UNKNOWN_VALIDATOR;
    if (proto_dec_is_negative(fraction) || proto_dec_gt(fraction, proto_dec_one()))
        return PROTO_STAKING_BAD_FRACTION;
    if (infraction_height > ctx->height)
        return PROTO_STAKING_FUTURE_INFRACTION;
    if (v->status == PROTO_STAKING_UNBONDED)
        return PROTO_STAKING_UNBONDED_VALIDATOR;
    return PROTO_STAKING_OK;
}

/* Keeper.Slash: entries pay first (only for an infraction before this
 * block: one at this height has no entries created after it yet that
 * Cosmos would slash), then the validator burns the rest of the slash
 * amount, capped at its tokens, out of the pool of its status. */
proto_staking_result proto_staking_slash(proto_state *s, const proto_msg_ctx *ctx, uint32_t i,
                                         uint64_t infraction_height, uint64_t power,
                                         proto_dec fraction, proto_amount *burned_out)
{
    const proto_staking_state *now = proto_staking_get(s);
    g_assert(now != NULL);
    proto_staking_result r = slash_check(now, i, infraction_height, fraction, ctx);
    if (burned_out != NULL)
        *burned_out = 0;
    if (r != PROTO_STAKING_OK)
        return r;
    proto_amount amount;
    proto_amount base = (proto_amount)power * (proto_amount)now->params.power_reduction;
    g_assert(proto_slash_amount(base, fraction, &amount) == PROTO_SLASH_OK);
    proto_staking_state *st = proto_staking__mut(s, ctx->undo);
    proto_amount burned = 0;
    if (infraction_height < ctx->height) {
        amount -= slash_unbondings(st, i, infraction_height, fraction, ctx->time_ns, &burned);
        amount -= slash_redelegations(s, ctx, st, i, infraction_height, fraction, &burned);
    }
    proto_staking_validator *v = &st->validators[i];
    proto_amount from_validator;
    proto_dec effective;
    g_assert(proto_slash_validator_burn(amount, v->shares.tokens, &from_validator, &effective) ==
             PROTO_SLASH_OK);
    if (from_validator > 0) {
        proto_staking__hook_validator_slashed(s, ctx, st, i, effective); /* BeforeValidatorSlashed */
        g_assert(proto_shares_remove_tokens(&v->shares, from_validator) == PROTO_SHARES_OK);
        proto_staking__pool_burn(st, v->status, from_validator);
        burned += from_validator;
    }
    if (burned > 0)
        proto_state_burn(s, proto_staking__u64(burned), ctx->undo);
    if (burned_out != NULL)
        *burned_out = burned;
    return PROTO_STAKING_OK;
}
