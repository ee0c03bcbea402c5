/* The staking hooks (staking.h, Cosmos's StakingHooks): where staking
 * calls them. Keeper.Delegate and Keeper.Unbond with their hooks, in the
 * order x/staking/keeper/delegation.go calls them, and the validator
 * creation and slash hooks; proto_staking_set_hooks, by which the module
 * that provides them (distribution) registers at its genesis. With no
 * table set every function here is the plain keeper step. */
#include "protocol/modules/staking/staking_internal.h"

void proto_staking_set_hooks(proto_state *s, const proto_staking_hooks *hooks)
{
    proto_staking_state *st = proto_state_module_mut(s, PROTO_STAKING_MODULE_ID);
    g_assert(st != NULL);
    st->hooks = hooks;
}

const proto_staking_hooks *proto_staking_hooks_of(const proto_staking_state *st)
{
    return st->hooks;
}

void proto_staking__hook_validator_created(proto_state *s, const proto_msg_ctx *ctx,
                                           const proto_staking_state *st, uint32_t i)
{
    if (st->hooks != NULL && st->hooks->after_validator_created != NULL)
        st->hooks->after_validator_created(s, ctx, i);
}

void proto_staking__hook_validator_slashed(proto_state *s, const proto_msg_ctx *ctx,
                                           const proto_staking_state *st, uint32_t i,
                                           proto_dec fraction)
{
    if (st->hooks != NULL && st->hooks->before_validator_slashed != NULL)
        st->hooks->before_validator_slashed(s, ctx, i, fraction);
}

static void hook_after_modified(proto_state *s, const proto_msg_ctx *ctx,
                                const proto_staking_state *st, uint32_t delegator, uint32_t i)
{
    if (st->hooks != NULL && st->hooks->after_delegation_modified != NULL &&
        proto_staking__delegation_find(st, delegator, i) >= 0)
        st->hooks->after_delegation_modified(s, ctx, delegator, i);
}

static void hook_before_modified(proto_state *s, const proto_msg_ctx *ctx,
                                 const proto_staking_state *st, uint32_t delegator, uint32_t i)
{
    if (st->hooks != NULL && st->hooks->before_delegation_shares_modified != NULL)
        st->hooks->before_delegation_shares_modified(s, ctx, delegator, i);
}

/* Keeper.Delegate: BeforeDelegationSharesModified for an existing
 * delegation, BeforeDelegationCreated for a new one, before any token
 * moves; AfterDelegationModified once the shares are set. */
proto_dec proto_staking__delegate_hooked(proto_state *s, const proto_msg_ctx *ctx,
                                         proto_staking_state *st, uint32_t delegator, uint32_t i,
                                         proto_amount amount, staking_token_src src)
{
    if (st->hooks != NULL) {
        if (proto_staking__delegation_find(st, delegator, i) >= 0)
            hook_before_modified(s, ctx, st, delegator, i);
        else if (st->hooks->before_delegation_created != NULL)
            st->hooks->before_delegation_created(s, ctx, delegator, i);
    }
    proto_dec issued = proto_staking__delegate(st, delegator, i, amount, src);
    hook_after_modified(s, ctx, st, delegator, i);
    return issued;
}

/* Keeper.Unbond: BeforeDelegationSharesModified; the delegation's shares
 * drop; AfterDelegationModified if it remains (a removed delegation's
 * BeforeDelegationRemoved is nothing to distribution); only then
 * RemoveValidatorTokensAndShares, so the hook sees the validator's
 * exchange rate as it was. */
proto_amount proto_staking__unbond_hooked(proto_state *s, const proto_msg_ctx *ctx,
                                          proto_staking_state *st, uint32_t delegator, uint32_t i,
                                          proto_dec shares)
{
    hook_before_modified(s, ctx, st, delegator, i);
    proto_staking__unbond_delegation(st, delegator, i, shares);
    hook_after_modified(s, ctx, st, delegator, i);
    return proto_staking__unbond_validator(st, i, shares);
}
