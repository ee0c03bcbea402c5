/* Reward distribution arithmetic (f1.h): x/distribution's allocation and
 * F1 steps, each with the rounding Cosmos uses. */
#include "protocol/modules/staking/f1.h"

#include <glib.h>

const char *proto_f1_result_name(proto_f1_result r)
{
    switch (r) {
    case PROTO_F1_OK:
        return "ok";
    case PROTO_F1_OVERFLOW:
        return "overflow";
    case PROTO_F1_NEGATIVE:
        return "negative";
    case PROTO_F1_BAD_PERIODS:
        return "bad_periods";
    case PROTO_F1_BAD_FRACTION:
        return "bad_fraction";
    case PROTO_F1_BAD_POWER:
        return "bad_power";
    case PROTO_F1_STAKE_MISMATCH:
        return "stake_mismatch";
    }
    return "unknown";
}

/* Chains dec operations: the first failure makes the result OVERFLOW
 * (every division below is guarded against zero). */
#define DEC_TRY(call)                                                                              \
    do {                                                                                           \
        proto_dec_result dec_try_r_ = (call);                                                      \
        g_assert(dec_try_r_ != PROTO_DEC_DIV_ZERO);                                                  \
        if (dec_try_r_ != PROTO_DEC_OK)                                                            \
            return PROTO_F1_OVERFLOW;                                                              \
    } while (0)

static bool unit_ok(proto_dec d)
{
    return !proto_dec_is_negative(d) && !proto_dec_gt(d, proto_dec_one());
}

/* ---- allocation ---- */

proto_f1_params proto_f1_params_default(void)
{
    return (proto_f1_params){
        .community_tax = proto_dec_with_prec(2, 2),
        .base_proposer_reward = proto_dec_zero(),
        .bonus_proposer_reward = proto_dec_zero(),
    };
}

proto_f1_params proto_f1_params_with_proposer_reward(void)
{
    return (proto_f1_params){
        .community_tax = proto_dec_with_prec(2, 2),
        .base_proposer_reward = proto_dec_with_prec(1, 2),
        .bonus_proposer_reward = proto_dec_with_prec(4, 2),
    };
}

static proto_f1_result params_check(const proto_f1_params *p)
{
    proto_dec sum;
    if (!unit_ok(p->community_tax) || !unit_ok(p->base_proposer_reward) ||
        !unit_ok(p->bonus_proposer_reward))
        return PROTO_F1_BAD_FRACTION;
    DEC_TRY(proto_dec_add(p->community_tax, p->base_proposer_reward, &sum));
    DEC_TRY(proto_dec_add(sum, p->bonus_proposer_reward, &sum));
    return proto_dec_gt(sum, proto_dec_one()) ? PROTO_F1_BAD_FRACTION : PROTO_F1_OK;
}

/* Powers non-negative, votes and signers within the total. */
static proto_f1_result powers_check(int64_t total_power, int64_t sum_precommit_power,
                                    const int64_t *vote_powers, size_t n_votes)
{
    if (total_power < 0 || sum_precommit_power < 0)
        return PROTO_F1_NEGATIVE;
    proto_amount sum = 0;
    for (size_t i = 0; i < n_votes; i++) {
        if (vote_powers[i] < 0)
            return PROTO_F1_NEGATIVE;
        sum += vote_powers[i]; /* n_votes x 2^63 stays far below 2^127 */
    }
    if (sum > total_power || sum_precommit_power > total_power)
        return PROTO_F1_BAD_POWER;
    return PROTO_F1_OK;
}

/* fees x (base + bonus x signed fraction), both products truncated, the
 * fraction rounded (Quo). */
static proto_f1_result proposer_share(const proto_f1_params *p, proto_dec fees, int64_t total_power,
                                      int64_t sum_precommit_power, proto_dec *multiplier,
                                      proto_dec *reward)
{
    proto_dec fraction, bonus;
    DEC_TRY(proto_dec_quo(proto_dec_from_int64(sum_precommit_power),
                          proto_dec_from_int64(total_power), &fraction));
    DEC_TRY(proto_dec_mul_truncate(p->bonus_proposer_reward, fraction, &bonus));
    DEC_TRY(proto_dec_add(p->base_proposer_reward, bonus, multiplier));
    DEC_TRY(proto_dec_mul_truncate(fees, *multiplier, reward));
    return PROTO_F1_OK;
}

proto_f1_result proto_f1_allocate(const proto_f1_params *p, proto_dec fees, int64_t total_power,
                                  int64_t sum_precommit_power, const int64_t *vote_powers,
                                  size_t n_votes, bool proposer_known, proto_dec *vote_rewards,
                                  proto_f1_allocation *out)
{
    proto_f1_result r = params_check(p);
    if (r == PROTO_F1_OK && proto_dec_is_negative(fees))
        r = PROTO_F1_NEGATIVE;
    if (r == PROTO_F1_OK)
        r = powers_check(total_power, sum_precommit_power, vote_powers, n_votes);
    if (r != PROTO_F1_OK)
        return r;
    if (total_power == 0) { /* no one to pay: all to the community pool */
        for (size_t i = 0; i < n_votes; i++)
            vote_rewards[i] = proto_dec_zero();
        *out = (proto_f1_allocation){.proposer_reward = proto_dec_zero(), .community_pool = fees};
        return PROTO_F1_OK;
    }
    proto_dec multiplier, proposer_reward, remaining = fees, vote_multiplier, fee_multiplier;
    r = proposer_share(p, fees, total_power, sum_precommit_power, &multiplier, &proposer_reward);
    if (r != PROTO_F1_OK)
        return r;
    if (!proposer_known)
        proposer_reward = proto_dec_zero();
    DEC_TRY(proto_dec_sub(remaining, proposer_reward, &remaining));
    DEC_TRY(proto_dec_sub(proto_dec_one(), multiplier, &vote_multiplier));
    DEC_TRY(proto_dec_sub(vote_multiplier, p->community_tax, &vote_multiplier));
    DEC_TRY(proto_dec_mul_truncate(fees, vote_multiplier, &fee_multiplier));
    /* Past the checks nothing below can fail: each reward is at most
     * fee_multiplier x its power share, and the shares sum to <= 1. */
    for (size_t i = 0; i < n_votes; i++) {
        proto_dec fraction, reward;
        DEC_TRY(proto_dec_quo_truncate(proto_dec_from_int64(vote_powers[i]),
                                       proto_dec_from_int64(total_power), &fraction));
        DEC_TRY(proto_dec_mul_truncate(fee_multiplier, fraction, &reward));
        DEC_TRY(proto_dec_sub(remaining, reward, &remaining));
        vote_rewards[i] = reward;
    }
    g_assert(!proto_dec_is_negative(remaining));
    *out = (proto_f1_allocation){.proposer_reward = proposer_reward, .community_pool = remaining};
    return PROTO_F1_OK;
}

proto_f1_result proto_f1_commission_split(proto_dec tokens, proto_dec rate, proto_dec *commission,
                                          proto_dec *shared)
{
    if (proto_dec_is_negative(tokens))
        return PROTO_F1_NEGATIVE;
    if (!unit_ok(rate))
        return PROTO_F1_BAD_FRACTION;
    proto_dec c, s;
    DEC_TRY(proto_dec_mul(tokens, rate, &c));
    DEC_TRY(proto_dec_sub(tokens, c, &s));
    *commission = c;
    *shared = s;
    return PROTO_F1_OK;
}

/* ---- periods ---- */

proto_f1_result proto_f1_end_period(proto_dec previous_ratio, proto_dec current_rewards,
                                    proto_amount tokens, proto_dec *cumulative_ratio,
                                    proto_dec *to_community_pool)
{
    if (proto_dec_is_negative(current_rewards) || tokens < 0 ||
        proto_dec_is_negative(previous_ratio))
        return PROTO_F1_NEGATIVE;
    if (tokens == 0) {
        *cumulative_ratio = previous_ratio;
        *to_community_pool = current_rewards;
        return PROTO_F1_OK;
    }
    proto_dec ratio, sum;
    DEC_TRY(proto_dec_quo_truncate(current_rewards, proto_dec_from_amount(tokens), &ratio));
    DEC_TRY(proto_dec_add(previous_ratio, ratio, &sum));
    *cumulative_ratio = sum;
    *to_community_pool = proto_dec_zero();
    return PROTO_F1_OK;
}

proto_f1_result proto_f1_rewards_between(proto_dec ratio_start, proto_dec ratio_end,
                                         proto_dec stake, proto_dec *rewards)
{
    if (proto_dec_is_negative(stake))
        return PROTO_F1_NEGATIVE;
    if (proto_dec_lt(ratio_end, ratio_start))
        return PROTO_F1_BAD_PERIODS;
    proto_dec difference;
    DEC_TRY(proto_dec_sub(ratio_end, ratio_start, &difference));
    DEC_TRY(proto_dec_mul_truncate(difference, stake, rewards));
    return PROTO_F1_OK;
}

proto_f1_result proto_f1_stake_after_slash(proto_dec stake, proto_dec fraction, proto_dec *out)
{
    if (proto_dec_is_negative(stake))
        return PROTO_F1_NEGATIVE;
    if (!unit_ok(fraction))
        return PROTO_F1_BAD_FRACTION;
    proto_dec kept;
    DEC_TRY(proto_dec_sub(proto_dec_one(), fraction, &kept));
    DEC_TRY(proto_dec_mul_truncate(stake, kept, out));
    return PROTO_F1_OK;
}

/* Cosmos's tolerance for a replayed stake above the current one:
 * LegacySmallestDec().MulInt64(3). */
static proto_f1_result clamp_stake(proto_dec *stake, proto_dec current_stake)
{
    if (!proto_dec_gt(*stake, current_stake))
        return PROTO_F1_OK;
    proto_dec limit;
    DEC_TRY(proto_dec_add(current_stake, proto_dec_with_prec(3, 18), &limit));
    if (proto_dec_gt(*stake, limit))
        return PROTO_F1_STAKE_MISMATCH;
    *stake = current_stake;
    return PROTO_F1_OK;
}

proto_f1_result proto_f1_delegation_rewards(const proto_f1_start *start,
                                            const proto_f1_slash_event *events, size_t n_events,
                                            uint64_t end_period, proto_dec end_ratio,
                                            proto_dec current_stake, proto_dec *rewards)
{
    proto_dec stake = start->stake, ratio = start->cumulative_ratio, total = proto_dec_zero(),
              segment;
    uint64_t period = start->period;
    if (proto_dec_is_negative(stake))
        return PROTO_F1_NEGATIVE;
    for (size_t i = 0; i < n_events; i++) {
        const proto_f1_slash_event *e = &events[i];
        if (e->period > end_period)
            return PROTO_F1_BAD_PERIODS;
        if (e->period <= period) /* already in the starting stake */
            continue;
        proto_f1_result r = proto_f1_rewards_between(ratio, e->cumulative_ratio, stake, &segment);
        if (r == PROTO_F1_OK)
            r = proto_f1_stake_after_slash(stake, e->fraction, &stake);
        if (r != PROTO_F1_OK)
            return r;
        DEC_TRY(proto_dec_add(total, segment, &total));
        period = e->period;
        ratio = e->cumulative_ratio;
    }
    if (end_period < period)
        return PROTO_F1_BAD_PERIODS;
    proto_f1_result r = clamp_stake(&stake, current_stake);
    if (r == PROTO_F1_OK)
        r = proto_f1_rewards_between(ratio, end_ratio, stake, &segment);
    if (r != PROTO_F1_OK)
        return r;
    DEC_TRY(proto_dec_add(total, segment, rewards));
    return PROTO_F1_OK;
}

/* ---- paying out ---- */

proto_f1_result proto_f1_truncate_decimal(proto_dec d, proto_amount *whole, proto_dec *change)
{
    if (proto_dec_is_negative(d))
        return PROTO_F1_NEGATIVE;
    proto_amount w;
    proto_dec rest;
    DEC_TRY(proto_dec_truncate_int(d, &w));
    DEC_TRY(proto_dec_sub(d, proto_dec_from_amount(w), &rest));
    *whole = w;
    *change = rest;
    return PROTO_F1_OK;
}

proto_f1_result proto_f1_withdraw(proto_dec rewards, proto_dec outstanding, proto_amount *paid,
                                  proto_dec *to_community_pool, proto_dec *outstanding_after)
{
    if (proto_dec_is_negative(rewards) || proto_dec_is_negative(outstanding))
        return PROTO_F1_NEGATIVE;
    proto_dec capped = proto_dec_min(rewards, outstanding), after, change;
    proto_amount whole;
    proto_f1_result r = proto_f1_truncate_decimal(capped, &whole, &change);
    if (r != PROTO_F1_OK)
        return r;
    DEC_TRY(proto_dec_sub(outstanding, capped, &after));
    *paid = whole;
    *to_community_pool = change;
    *outstanding_after = after;
    return PROTO_F1_OK;
}
