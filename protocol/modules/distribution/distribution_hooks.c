/* The distribution module's staking hooks (staking.h), x/distribution's
 * keeper/hooks.go: how every delegation change reaches the F1 records.
 * Registered with staking by proto_distribution_genesis; each hook runs
 * inside the staking change with its context (undo, height). */
#include <string.h>

#include "protocol/modules/distribution/distribution_internal.h"

/* AfterValidatorCreated: initializeValidator. */
static void after_validator_created(proto_state *s, const proto_msg_ctx *ctx, uint32_t validator)
{
    dist__init_validator(s, validator, ctx->undo);
}

/* BeforeDelegationCreated: end the validator's period, so the new
 * delegation starts after it. */
static void before_delegation_created(proto_state *s, const proto_msg_ctx *ctx,
                                      uint32_t delegator, uint32_t validator)
{
    (void)delegator;
    dist__increment_period(s, validator, ctx->undo);
}

/* BeforeDelegationSharesModified: withdraw the delegation's rewards (to
 * the delegator's account); AfterDelegationModified restarts it. */
static void before_shares_modified(proto_state *s, const proto_msg_ctx *ctx, uint32_t delegator,
                                   uint32_t validator)
{
    dist__withdraw_delegation(s, validator, delegator, ctx->height, ctx->undo);
}

/* AfterDelegationModified: initializeDelegation with its new stake. */
static void after_delegation_modified(proto_state *s, const proto_msg_ctx *ctx,
                                      uint32_t delegator, uint32_t validator)
{
    dist__init_delegation(s, validator, delegator, ctx->height, ctx->undo);
}

/* BeforeValidatorSlashed (updateValidatorSlashFraction): end the period,
 * reference it once more, and record the event at (height, period) with
 * the ratio the period ended with. */
static void before_validator_slashed(proto_state *s, const proto_msg_ctx *ctx, uint32_t validator,
                                     proto_dec fraction)
{
    g_assert(!proto_dec_is_negative(fraction) && !proto_dec_gt(fraction, proto_dec_one()));
    uint64_t period = dist__increment_period(s, validator, ctx->undo);
    dist__ref_inc(s, validator, period, ctx->undo);
    const dist_entry *h =
        dist__find(dist__get(s), DIST_HISTORICAL, dist__key_hist(validator, period));
    g_assert(h != NULL);
    dist_entry e;
    memset(&e, 0, sizeof e);
    e.key = dist__key_slash(validator, ctx->height, period);
    e.slash.fraction = fraction;
    e.slash.ratio = h->hist.ratio;
    dist__put(s, DIST_SLASHES, &e, ctx->undo);
}

const proto_staking_hooks dist__hooks = {
    .after_validator_created = after_validator_created,
    .before_delegation_created = before_delegation_created,
    .before_delegation_shares_modified = before_shares_modified,
    .after_delegation_modified = after_delegation_modified,
    .before_validator_slashed = before_validator_slashed,
};
