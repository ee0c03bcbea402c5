/* The keeper steps the staking messages, the end block and slashing
 * share (staking_internal.h): delegating into a validator, unbonding
 * shares out of it, and the two pools following the tokens. Each is
 * x/staking's keeper method of the same name, cited where it is ported;
 * the callers have checked what could refuse, so the share arithmetic
 * here is asserted to succeed. */
#include "protocol/modules/staking/staking_internal.h"

#include "protocol/modules/validator/validator.h"

bool proto_staking__tombstoned(const proto_state *s, const proto_staking_state *st, uint32_t i)
{
    if (st->validators[i].tombstoned)
        return true;
    const proto_valset *v = s != NULL ? proto_validator_set(s) : NULL;
    const proto_validator *val = v != NULL ? proto_valset_get(v, i) : NULL;
    return val != NULL && val->tombstoned;
}

static proto_amount *pool_of(proto_staking_state *st, bool bonded)
{
    return bonded ? &st->bonded_pool : &st->not_bonded_pool;
}

void proto_staking__pool_move(proto_staking_state *st, bool to_bonded, proto_amount amount)
{
    proto_amount *from = pool_of(st, !to_bonded);
    g_assert(amount >= 0 && *from >= amount);
    *from -= amount;
    *pool_of(st, to_bonded) += amount;
}

void proto_staking__pool_burn(proto_staking_state *st, proto_staking_status status,
                              proto_amount amount)
{
    proto_amount *pool = pool_of(st, status == PROTO_STAKING_BONDED);
    g_assert(amount >= 0 && *pool >= amount);
    *pool -= amount;
}

/* Keeper.Delegate (x/staking/keeper/delegation.go): the tokens join the
 * pool of the validator's status (from an account: SendCoinsFromAccount
 * ToModule; from a pool: bondedTokensToNotBonded or the reverse when the
 * statuses differ), then AddValidatorTokensAndShares, then the
 * delegation's shares grow. */
proto_dec proto_staking__delegate(proto_staking_state *st, uint32_t delegator, uint32_t i,
                                  proto_amount amount, staking_token_src src)
{
    proto_staking_validator *v = &st->validators[i];
    bool dst_bonded = v->status == PROTO_STAKING_BONDED;
    if (src == STAKING_FROM_ACCOUNT)
        *pool_of(st, dst_bonded) += amount;
    else if ((src == STAKING_FROM_BONDED) != dst_bonded)
        proto_staking__pool_move(st, dst_bonded, amount);
    proto_dec issued;
    g_assert(proto_shares_add_tokens_from_del(&v->shares, amount, &issued) == PROTO_SHARES_OK);
    proto_staking__delegation_add(st, delegator, i, issued);
    return issued;
}

/* Keeper.Unbond: the delegation loses the shares (and goes when none are
 * left), the validator loses the shares and their tokens
 * (RemoveValidatorTokensAndShares). Cosmos also jails an operator whose
 * self-delegation falls below its minimum here; this module refuses such
 * an undelegation instead (proto_staking__self_bond_too_low). */
void proto_staking__unbond_delegation(proto_staking_state *st, uint32_t delegator, uint32_t i,
                                      proto_dec shares)
{
    gint k = proto_staking__delegation_find(st, delegator, i);
    g_assert(k >= 0);
    st->dbucket_valid[delegator % STAKING_DELEGATION_BUCKETS] = false;
    proto_staking_delegation *d = &g_array_index(st->delegations, proto_staking_delegation, k);
    g_assert(!proto_dec_gt(shares, d->shares));
    g_assert(proto_dec_sub(d->shares, shares, &d->shares) == PROTO_DEC_OK);
    if (proto_dec_is_zero(d->shares))
        g_array_remove_index(st->delegations, (guint)k);
}

proto_amount proto_staking__unbond_validator(proto_staking_state *st, uint32_t i,
                                             proto_dec shares)
{
    proto_amount tokens;
    g_assert(proto_shares_remove_del_shares(&st->validators[i].shares, shares, &tokens) ==
             PROTO_SHARES_OK);
    return tokens;
}

proto_amount proto_staking__unbond(proto_staking_state *st, uint32_t delegator, uint32_t i,
                                   proto_dec shares)
{
    proto_staking__unbond_delegation(st, delegator, i, shares);
    return proto_staking__unbond_validator(st, i, shares);
}

/* Keeper.ValidateUnbondAmount (x/staking/keeper/delegation.go): the
 * shares of `amount` (SharesFromTokens); refused when even the truncated
 * conversion (SharesFromTokensTruncated) exceeds the delegation; capped
 * at the delegation's shares, so a rounding above them still lets a
 * delegator withdraw everything. */
proto_staking_result proto_staking__unbond_shares(const proto_staking_state *st,
                                                  uint32_t delegator, uint32_t i,
                                                  proto_amount amount, proto_dec *shares)
{
    gint k = proto_staking__delegation_find(st, delegator, i);
    if (k < 0)
        return PROTO_STAKING_NO_DELEGATION;
    proto_dec held = g_array_index(st->delegations, proto_staking_delegation, k).shares;
    const proto_shares_validator *v = &st->validators[i].shares;
    proto_dec want, truncated;
    if (proto_shares_from_tokens(v, amount, &want) != PROTO_SHARES_OK ||
        proto_shares_from_tokens_truncated(v, amount, &truncated) != PROTO_SHARES_OK)
        return PROTO_STAKING_INVALID_EX_RATE;
    if (proto_dec_gt(truncated, held))
        return PROTO_STAKING_OVER_DELEGATION;
    *shares = proto_dec_min(want, held);
    return PROTO_STAKING_OK;
}

bool proto_staking__self_bond_too_low(const proto_staking_state *st, uint32_t delegator,
                                      uint32_t i, proto_dec shares)
{
    const proto_staking_validator *v = &st->validators[i];
    if (delegator != v->operator_account)
        return false;
    proto_dec left;
    g_assert(proto_dec_sub(proto_staking_delegation_shares(st, delegator, i), shares, &left) ==
             PROTO_DEC_OK);
    proto_dec worth = proto_dec_zero();
    if (proto_dec_is_positive(left) &&
        proto_shares_tokens_from_shares(&v->shares, left, &worth) != PROTO_SHARES_OK)
        return true;
    proto_amount tokens;
    g_assert(proto_dec_truncate_int(worth, &tokens) == PROTO_DEC_OK);
    return tokens < v->min_self_delegation;
}
