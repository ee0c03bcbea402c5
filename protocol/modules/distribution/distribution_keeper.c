/* The F1 keeper of the distribution module (distribution_internal.h)
 * and the staking hooks that drive it (staking.h): validator periods
 * with reference-counted historical rewards, starting infos, reward
 * computation and withdrawals, each the x/distribution keeper method it
 * names (keeper/validator.go, delegation.go, keeper.go, hooks.go), with
 * the pure arithmetic of f1.h. Callers have checked what could refuse;
 * the arithmetic is asserted to succeed, since every amount here is
 * bounded by the u64 supply. The hooks are registered with staking by
 * proto_distribution_genesis; each runs inside the staking change with
 * its context (undo, height). */
#include <string.h>

#include "protocol/modules/distribution/distribution_internal.h"

void dist__add(proto_dec *a, proto_dec b)
{
    g_assert(proto_dec_add(*a, b, a) == PROTO_DEC_OK);
}

void dist__sub(proto_dec *a, proto_dec b)
{
    g_assert(proto_dec_sub(*a, b, a) == PROTO_DEC_OK);
}

static const proto_staking_validator *staking_validator(const proto_state *s, uint32_t i)
{
    const proto_staking_state *sk = proto_staking_get(s);
    g_assert(sk != NULL);
    const proto_staking_validator *v = proto_staking_validator_get(sk, i);
    g_assert(v != NULL);
    return v;
}

static proto_dec hist_ratio(const dist_state *st, uint32_t i, uint64_t period)
{
    const dist_entry *h = dist__find(st, DIST_HISTORICAL, dist__key_hist(i, period));
    g_assert(h != NULL);
    return h->hist.ratio;
}

static void put_hist(proto_state *s, uint32_t i, uint64_t period, proto_dec ratio, uint32_t refs,
                     proto_undo *undo)
{
    dist_entry e;
    memset(&e, 0, sizeof e);
    e.key = dist__key_hist(i, period);
    e.hist.ratio = ratio;
    e.hist.refs = refs;
    dist__put(s, DIST_HISTORICAL, &e, undo);
}

/* initializeValidator: historical period 0 (ratio zero, one reference),
 * current rewards at period 1, nothing outstanding. */
void dist__init_validator(proto_state *s, uint32_t i, proto_undo *undo)
{
    put_hist(s, i, 0, proto_dec_zero(), 1, undo);
    dist_validator *v = dist__validator_mut(s, i, undo);
    *v = (dist_validator){.initialized = true,
                          .period = 1,
                          .current = proto_dec_zero(),
                          .outstanding = proto_dec_zero(),
                          .commission = proto_dec_zero()};
}

/* incrementReferenceCount: Cosmos panics above two before the increment. */
void dist__ref_inc(proto_state *s, uint32_t i, uint64_t period, proto_undo *undo)
{
    const dist_entry *h = dist__find(dist__get(s), DIST_HISTORICAL, dist__key_hist(i, period));
    g_assert(h != NULL && h->hist.refs <= 2);
    dist_entry e = *h;
    e.hist.refs++;
    dist__put(s, DIST_HISTORICAL, &e, undo);
}

/* decrementReferenceCount: the entry goes at zero. */
static void ref_dec(proto_state *s, uint32_t i, uint64_t period, proto_undo *undo)
{
    const dist_entry *h = dist__find(dist__get(s), DIST_HISTORICAL, dist__key_hist(i, period));
    g_assert(h != NULL && h->hist.refs > 0);
    if (h->hist.refs == 1) {
        dist__remove(s, DIST_HISTORICAL, h->key, undo);
        return;
    }
    dist_entry e = *h;
    e.hist.refs--;
    dist__put(s, DIST_HISTORICAL, &e, undo);
}

proto_dec dist__ratio_if_ended(const proto_state *s, uint32_t i)
{
    const dist_state *st = dist__get(s);
    const dist_validator *v = &st->validators[i];
    g_assert(v->initialized);
    proto_dec ratio, to_pool;
    g_assert(proto_f1_end_period(hist_ratio(st, i, v->period - 1), v->current,
                                 staking_validator(s, i)->shares.tokens, &ratio,
                                 &to_pool) == PROTO_F1_OK);
    return ratio;
}

/* IncrementValidatorPeriod: R(period) = R(period - 1) + current / tokens
 * (truncated); a validator without tokens gives its current rewards to
 * the community pool instead (they leave its outstanding). */
uint64_t dist__increment_period(proto_state *s, uint32_t i, proto_undo *undo)
{
    const dist_state *st = dist__get(s);
    const dist_validator *v = &st->validators[i];
    g_assert(v->initialized);
    uint64_t period = v->period;
    proto_dec current = v->current, ratio, to_pool;
    g_assert(proto_f1_end_period(hist_ratio(st, i, period - 1), current,
                                 staking_validator(s, i)->shares.tokens, &ratio,
                                 &to_pool) == PROTO_F1_OK);
    if (proto_dec_is_positive(to_pool)) {
        dist__add(&dist__globals_mut(s, undo)->community_pool, to_pool);
        dist__sub(&dist__validator_mut(s, i, undo)->outstanding, to_pool);
    }
    ref_dec(s, i, period - 1, undo);
    put_hist(s, i, period, ratio, 1, undo);
    dist_validator *m = dist__validator_mut(s, i, undo);
    m->current = proto_dec_zero();
    m->period = period + 1;
    return period;
}

/* initializeDelegation: the delegation starts after the period just
 * ended (referenced), with its stake in tokens truncated, at height. */
void dist__init_delegation(proto_state *s, uint32_t i, uint32_t delegator, uint64_t height,
                           proto_undo *undo)
{
    uint64_t previous = dist__get(s)->validators[i].period - 1;
    dist__ref_inc(s, i, previous, undo);
    proto_dec shares = proto_staking_delegation_shares(proto_staking_get(s), delegator, i);
    proto_dec stake;
    g_assert(proto_shares_tokens_from_shares_truncated(&staking_validator(s, i)->shares, shares,
                                                       &stake) == PROTO_SHARES_OK);
    dist_entry e;
    memset(&e, 0, sizeof e);
    e.key = dist__key_start(i, delegator);
    e.start.period = previous;
    e.start.height = height;
    e.start.stake = stake;
    dist__put(s, DIST_STARTS, &e, undo);
}

/* The validator's slash events from height `from` to `to` (both
 * included), in key order (height, then period), as f1.h wants them. */
static GArray *slash_events(const dist_state *st, uint32_t i, uint64_t from, uint64_t to)
{
    GArray *events = g_array_new(FALSE, TRUE, sizeof(proto_f1_slash_event));
    guint first, last;
    dist__range(st, DIST_SLASHES, i, 0, true, &first, &last);
    for (guint k = first; k < last; k++) {
        const dist_entry *e = dist__at(st, DIST_SLASHES, k);
        if (e->key.c < from || e->key.c > to)
            continue;
        proto_f1_slash_event ev = {.period = e->key.d,
                                   .cumulative_ratio = e->slash.ratio,
                                   .fraction = e->slash.fraction};
        g_array_append_val(events, ev);
    }
    return events;
}

/* CalculateDelegationRewards: nothing for a delegation that started at
 * this height; else the segments between its start, the slash events
 * after it and end_period, the stake shrinking at each (f1.h). */
proto_dec dist__rewards(const proto_state *s, uint32_t i, uint32_t delegator, uint64_t height,
                        uint64_t end_period, proto_dec end_ratio)
{
    const dist_state *st = dist__get(s);
    const dist_entry *e = dist__find(st, DIST_STARTS, dist__key_start(i, delegator));
    g_assert(e != NULL);
    if (e->start.height == height)
        return proto_dec_zero();
    proto_f1_start start = {.period = e->start.period,
                            .cumulative_ratio = hist_ratio(st, i, e->start.period),
                            .stake = e->start.stake};
    GArray *events = slash_events(st, i, e->start.height, height);
    proto_dec shares = proto_staking_delegation_shares(proto_staking_get(s), delegator, i);
    proto_dec current_stake, rewards;
    g_assert(proto_shares_tokens_from_shares(&staking_validator(s, i)->shares, shares,
                                             &current_stake) == PROTO_SHARES_OK);
    proto_f1_result r =
        proto_f1_delegation_rewards(&start, (const proto_f1_slash_event *)events->data,
                                    events->len, end_period, end_ratio, current_stake, &rewards);
    g_assert(r == PROTO_F1_OK);
    g_array_unref(events);
    return rewards;
}

/* withdrawDelegationRewards: end the period, compute the rewards, cap
 * them at what is outstanding, pay the whole coins, the change to the
 * community pool; the starting info goes (and its reference). */
proto_amount dist__withdraw_delegation(proto_state *s, uint32_t i, uint32_t delegator,
                                       uint64_t height, proto_undo *undo)
{
    uint64_t end = dist__increment_period(s, i, undo);
    const dist_state *st = dist__get(s);
    proto_dec rewards = dist__rewards(s, i, delegator, height, end, hist_ratio(st, i, end));
    proto_amount paid;
    proto_dec to_pool, after;
    g_assert(proto_f1_withdraw(rewards, st->validators[i].outstanding, &paid, &to_pool, &after) ==
             PROTO_F1_OK);
    dist_key key = dist__key_start(i, delegator);
    uint64_t start_period = dist__find(st, DIST_STARTS, key)->start.period;
    dist__validator_mut(s, i, undo)->outstanding = after;
    dist_globals *g = dist__globals_mut(s, undo);
    dist__add(&g->community_pool, to_pool);
    g_assert(paid >= 0 && (uint64_t)paid <= g->tokens);
    g->tokens -= (uint64_t)paid;
    g->rewards_claimed += (uint64_t)paid;
    if (paid > 0)
        proto_state_account_mut(s, delegator, undo)->balance += (uint64_t)paid;
    ref_dec(s, i, start_period, undo);
    dist__remove(s, DIST_STARTS, key, undo);
    return paid;
}

/* WithdrawValidatorCommission: the whole coins go to the operator, the
 * fraction stays accumulated; outstanding drops by what was paid. */
proto_amount dist__withdraw_commission(proto_state *s, uint32_t i, proto_undo *undo)
{
    const dist_validator *v = &dist__get(s)->validators[i];
    proto_amount whole;
    proto_dec change;
    g_assert(proto_f1_truncate_decimal(v->commission, &whole, &change) == PROTO_F1_OK);
    dist_validator *m = dist__validator_mut(s, i, undo);
    m->commission = change;
    dist__sub(&m->outstanding, proto_dec_from_amount(whole));
    dist_globals *g = dist__globals_mut(s, undo);
    g_assert(whole >= 0 && (uint64_t)whole <= g->tokens);
    g->tokens -= (uint64_t)whole;
    g->commission_claimed += (uint64_t)whole;
    if (whole > 0) {
        uint32_t operator_account = staking_validator(s, i)->operator_account;
        proto_state_account_mut(s, operator_account, undo)->balance += (uint64_t)whole;
    }
    return whole;
}

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
