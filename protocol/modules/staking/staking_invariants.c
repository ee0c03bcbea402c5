/* The staking module's invariants (staking.h), x/staking's
 * keeper/invariants.go: module accounts (each pool holds exactly what
 * its validators and entries say), non-negative power, positive
 * delegations, delegator shares (a validator's shares are the sum of its
 * delegations'); and the bounds this module keeps besides (entries per
 * key, balances within their initial balance, the set's size). */
#include "protocol/modules/staking/staking_internal.h"

static void broken(GString *why, bool *ok, const char *sentence)
{
    g_string_append_printf(why, "%s%s", *ok ? "" : ", ", sentence);
    *ok = false;
}

/* ModuleAccountInvariants. */
static void check_pools(const proto_staking_state *st, GString *why, bool *ok)
{
    proto_amount bonded = 0, not_bonded = 0;
    for (uint32_t i = 0; i < st->count; i++) {
        const proto_staking_validator *v = &st->validators[i];
        if (v->status == PROTO_STAKING_BONDED)
            bonded += v->shares.tokens;
        else
            not_bonded += v->shares.tokens;
    }
    for (guint k = 0; k < st->unbondings->len; k++)
        not_bonded += g_array_index(st->unbondings, proto_staking_unbonding, k).balance;
    if (bonded != st->bonded_pool)
        broken(why, ok, "the bonded pool is not the bonded validators' tokens");
    if (not_bonded != st->not_bonded_pool)
        broken(why, ok, "the not-bonded pool is not the other validators' tokens and the "
                        "unbonding balances");
}

/* NonNegativePowerInvariant, and the set's shape: power only in the
 * bonded set, at most max_validators of them. */
static void check_validators(const proto_staking_state *st, GString *why, bool *ok)
{
    uint32_t with_power = 0;
    for (uint32_t i = 0; i < st->count; i++) {
        const proto_staking_validator *v = &st->validators[i];
        if (v->shares.tokens < 0 || proto_dec_is_negative(v->shares.delegator_shares))
            broken(why, ok, "a validator has negative tokens or shares");
        if (v->power > 0 && v->status != PROTO_STAKING_BONDED)
            broken(why, ok, "a validator outside the bonded set has power");
        with_power += v->power > 0 ? 1 : 0;
    }
    if (with_power > st->params.max_validators)
        broken(why, ok, "more validators have power than max_validators");
}

/* PositiveDelegationInvariant and DelegatorSharesInvariant. */
static void check_delegations(const proto_staking_state *st, GString *why, bool *ok)
{
    proto_dec *sums = g_new(proto_dec, st->count > 0 ? st->count : 1);
    for (uint32_t i = 0; i < st->count; i++)
        sums[i] = proto_dec_zero();
    for (guint k = 0; k < st->delegations->len; k++) {
        const proto_staking_delegation *d =
            &g_array_index(st->delegations, proto_staking_delegation, k);
        if (!proto_dec_is_positive(d->shares))
            broken(why, ok, "a delegation has no shares");
        if (d->validator >= st->count) {
            broken(why, ok, "a delegation names no validator");
            continue;
        }
        g_assert(proto_dec_add(sums[d->validator], d->shares, &sums[d->validator]) ==
                 PROTO_DEC_OK);
    }
    for (uint32_t i = 0; i < st->count; i++)
        if (!proto_dec_eq(sums[i], st->validators[i].shares.delegator_shares))
            broken(why, ok, "a validator's shares are not the sum of its delegations'");
    g_free(sums);
}

static void check_entries(const proto_staking_state *st, GString *why, bool *ok)
{
    for (guint k = 0; k < st->unbondings->len; k++) {
        const proto_staking_unbonding *e = &g_array_index(st->unbondings, proto_staking_unbonding, k);
        guint first, last;
        proto_staking__unbonding_range(st, e->delegator, e->validator, &first, &last);
        if (e->balance < 0 || e->balance > e->initial_balance)
            broken(why, ok, "an unbonding entry's balance is outside [0, initial]");
        if (last - first > st->params.max_entries)
            broken(why, ok, "an unbonding pair has more than max_entries entries");
    }
    for (guint k = 0; k < st->redelegations->len; k++) {
        const proto_staking_redelegation *e =
            &g_array_index(st->redelegations, proto_staking_redelegation, k);
        guint first, last;
        proto_staking__redelegation_range(st, e->delegator, e->src, e->dst, &first, &last);
        if (last - first > st->params.max_entries)
            broken(why, ok, "a redelegation has more than max_entries entries");
    }
}

bool proto_staking__invariants(const proto_state *s, const void *state, GString *why)
{
    (void)s;
    if (state == NULL)
        return true;
    const proto_staking_state *st = state;
    bool ok = true;
    check_pools(st, why, &ok);
    check_validators(st, why, &ok);
    check_delegations(st, why, &ok);
    check_entries(st, why, &ok);
    return ok;
}
