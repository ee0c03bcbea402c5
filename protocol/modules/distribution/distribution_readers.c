/* What reports read of the distribution module (distribution.h): the
 * pools, the outstanding rewards, what has been claimed, and a
 * delegation's pending rewards (the DelegationRewards query: the period
 * ended in thought only). Every reader gives zero when the module is
 * absent. */
#include "protocol/modules/distribution/distribution_internal.h"

proto_dec proto_distribution_community_pool(const proto_state *s)
{
    const dist_state *st = dist__get(s);
    return st != NULL ? st->g.community_pool : proto_dec_zero();
}

uint64_t proto_distribution_community_pool_coins(const proto_state *s)
{
    proto_amount whole;
    g_assert(proto_dec_truncate_int(proto_distribution_community_pool(s), &whole) ==
             PROTO_DEC_OK);
    g_assert(whole >= 0 && whole <= (proto_amount)UINT64_MAX);
    return (uint64_t)whole;
}

uint64_t proto_distribution_fee_collector(const proto_state *s)
{
    const dist_state *st = dist__get(s);
    return st != NULL ? st->g.fee_collector : 0;
}

proto_dec proto_distribution_outstanding_total(const proto_state *s)
{
    const dist_state *st = dist__get(s);
    proto_dec total = proto_dec_zero();
    for (uint32_t i = 0; st != NULL && i < st->count; i++)
        dist__add(&total, st->validators[i].outstanding);
    return total;
}

proto_dec proto_distribution_outstanding(const proto_state *s, uint32_t validator)
{
    const dist_state *st = dist__get(s);
    if (st == NULL || validator >= st->count)
        return proto_dec_zero();
    return st->validators[validator].outstanding;
}

proto_dec proto_distribution_commission(const proto_state *s, uint32_t validator)
{
    const dist_state *st = dist__get(s);
    if (st == NULL || validator >= st->count)
        return proto_dec_zero();
    return st->validators[validator].commission;
}

uint64_t proto_distribution_rewards_claimed(const proto_state *s)
{
    const dist_state *st = dist__get(s);
    return st != NULL ? st->g.rewards_claimed : 0;
}

uint64_t proto_distribution_commission_claimed(const proto_state *s)
{
    const dist_state *st = dist__get(s);
    return st != NULL ? st->g.commission_claimed : 0;
}

uint64_t proto_distribution_historical_references(const proto_state *s)
{
    const dist_state *st = dist__get(s);
    uint64_t refs = 0;
    for (guint k = 0; st != NULL && k < st->tables[DIST_HISTORICAL]->len; k++)
        refs += dist__at(st, DIST_HISTORICAL, k)->hist.refs;
    return refs;
}

/* The period that would end now is the current one, with R as
 * IncrementValidatorPeriod would set it. */
bool proto_distribution_pending_rewards(const proto_state *s, uint64_t height, uint32_t delegator,
                                        uint32_t validator, proto_dec *rewards)
{
    const dist_state *st = dist__get(s);
    if (st == NULL || validator >= st->count || !st->validators[validator].initialized ||
        dist__find(st, DIST_STARTS, dist__key_start(validator, delegator)) == NULL)
        return false;
    uint64_t end = st->validators[validator].period;
    *rewards = dist__rewards(s, validator, delegator, height, end,
                             dist__ratio_if_ended(s, validator));
    return true;
}
