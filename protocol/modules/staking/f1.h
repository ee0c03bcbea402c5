/* Reward distribution arithmetic: Cosmos x/distribution's F1 scheme and
 * its block allocation, for one reward denomination.
 *
 * Allocation (each block, of the previous block's rewards): with no
 * voting power everything goes to the community pool. Otherwise the
 * proposer first gets fees x (base + bonus x voted power fraction)
 * (zero in SDK v0.47 and later, where both parameters are gone), then each
 * voting validator gets fees x (1 - proposer multiplier - community tax) x
 * its power fraction, every product truncated; whatever is left (the tax
 * and the truncation dust) goes to the community pool. A validator's
 * share is split by its commission rate: the commission (rounded half to
 * even) accrues to the operator, the rest to the delegators' current
 * rewards.
 *
 * F1 (Ojha and Goes, "F1 Fee Distribution"): a validator's delegator
 * rewards accumulate per period; ending a period adds rewards / tokens
 * (truncated) to the cumulative reward ratio R. A delegation remembers
 * the period it started in and its stake then; its reward up to period
 * B is stake x (R(B) - R(start)), truncated. A slash ends a period and is
 * recorded with its fraction; the reward is computed segment by segment,
 * the stake shrinking by each slash (truncated). The decimal rewards are
 * paid as whole coins; the dust goes to the community pool.
 *
 * These are the pure steps; the keeper that stores periods, reference
 * counts and starting infos is the distribution module's. Sources:
 * cosmos/cosmos-sdk x/distribution/keeper/allocation.go (AllocateTokens,
 * AllocateTokensToValidator; 038dbeae1196f05f84b869abeb21d1a56ff31d57 for
 * the current rule, v0.46 for the proposer reward), keeper/validator.go
 * (IncrementValidatorPeriod), keeper/delegation.go
 * (calculateDelegationRewardsBetween, CalculateDelegationRewards,
 * withdrawDelegationRewards). */
#ifndef AITBC_PROTOCOL_MODULES_STAKING_F1_H
#define AITBC_PROTOCOL_MODULES_STAKING_F1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/modules/staking/dec.h"

/* Why a step refused. Cosmos panics on most of these; here they are
 * results, and outputs are left as they were. */
typedef enum proto_f1_result {
    PROTO_F1_OK = 0,
    PROTO_F1_OVERFLOW,       /* a value outside proto_dec's range */
    PROTO_F1_NEGATIVE,       /* a negative reward, stake, token count or power */
    PROTO_F1_BAD_PERIODS,    /* a ratio that shrinks, or periods out of order */
    PROTO_F1_BAD_FRACTION,   /* a rate outside [0, 1], or parameters summing above one */
    PROTO_F1_BAD_POWER,      /* vote powers adding up to more than the total */
    PROTO_F1_STAKE_MISMATCH, /* replayed stake above the current one by > 3 x 10^-18 */
} proto_f1_result;

const char *proto_f1_result_name(proto_f1_result r);

/* ---- allocation ---- */

/* Distribution's allocation parameters. Each in [0, 1], their sum <= 1
 * (Params.ValidateBasic). */
typedef struct proto_f1_params {
    /* share of every block's rewards for the community pool */
    proto_dec community_tax;
    /* the proposer's fixed share (SDK <= v0.46) */
    proto_dec base_proposer_reward;
    /* the proposer's extra share at full participation, scaled by the
     * signed power fraction (SDK <= v0.46) */
    proto_dec bonus_proposer_reward;
} proto_f1_params;

/* Current SDK defaults: tax 0.02, no proposer reward. */
proto_f1_params proto_f1_params_default(void);
/* SDK v0.46 and earlier defaults: tax 0.02, base 0.01, bonus 0.04. */
proto_f1_params proto_f1_params_with_proposer_reward(void);

/* What one block's allocation gives besides the votes' rewards. */
typedef struct proto_f1_allocation {
    /* to the proposer's validator (its commission split applies); zero
     * when the proposer is unknown */
    proto_dec proposer_reward;
    /* to the community pool: the tax and the dust (everything when no
     * power voted) */
    proto_dec community_pool;
} proto_f1_allocation;

/* Allocates `fees` (>= 0, decimal: Cosmos allocates DecCoins) among
 * n_votes validators of the last commit (AllocateTokens): vote_rewards[i]
 * (caller-owned, n_votes entries) gets vote_powers[i]'s share. total_power
 * is the whole bonded power, sum_precommit_power the power that signed
 * (it only scales the bonus). proposer_known false: the proposer reward
 * is not paid and stays in the community pool's part, as Cosmos does
 * when the previous proposer is gone. Every output sums back to `fees`
 * exactly. Outputs are written only on PROTO_F1_OK. */
proto_f1_result proto_f1_allocate(const proto_f1_params *p, proto_dec fees, int64_t total_power,
                                  int64_t sum_precommit_power, const int64_t *vote_powers,
                                  size_t n_votes, bool proposer_known, proto_dec *vote_rewards,
                                  proto_f1_allocation *out);

/* Splits a validator's `tokens` (>= 0) by commission `rate` in [0, 1]
 * (AllocateTokensToValidator): *commission = tokens x rate rounded half
 * to even; *shared = tokens - commission, for the delegators. */
proto_f1_result proto_f1_commission_split(proto_dec tokens, proto_dec rate, proto_dec *commission,
                                          proto_dec *shared);

/* ---- periods ---- */

/* Ends a validator period (IncrementValidatorPeriod): the cumulative
 * ratio of the period ended is previous_ratio + current_rewards / tokens
 * (truncated). A validator without tokens has no ratio to compute: its
 * current rewards go to the community pool (*to_community_pool) and the
 * ratio stays previous_ratio. current_rewards, tokens >= 0. */
proto_f1_result proto_f1_end_period(proto_dec previous_ratio, proto_dec current_rewards,
                                    proto_amount tokens, proto_dec *cumulative_ratio,
                                    proto_dec *to_community_pool);

/* stake x (ratio_end - ratio_start), truncated
 * (calculateDelegationRewardsBetween). BAD_PERIODS when ratio_end <
 * ratio_start; NEGATIVE for a negative stake. */
proto_f1_result proto_f1_rewards_between(proto_dec ratio_start, proto_dec ratio_end,
                                         proto_dec stake, proto_dec *rewards);

/* A stake after a slash of `fraction` in [0, 1]: stake x (1 - fraction),
 * truncated, so the replay never credits more stake than remains. */
proto_f1_result proto_f1_stake_after_slash(proto_dec stake, proto_dec fraction, proto_dec *out);

/* Where a delegation's rewards start (DelegatorStartingInfo). */
typedef struct proto_f1_start {
    uint64_t period;            /* the validator period ended when it was last changed */
    proto_dec cumulative_ratio; /* R(period) */
    proto_dec stake;            /* tokens then: proto_shares_tokens_from_shares_truncated */
} proto_f1_start;

/* A slash of the validator (ValidatorSlashEvent), with R of the period it
 * ended. */
typedef struct proto_f1_slash_event {
    uint64_t period;            /* the validator period the slash ended */
    proto_dec cumulative_ratio; /* R(period) */
    proto_dec fraction;         /* effective fraction (proto_slash_validator_burn) */
} proto_f1_slash_event;

/* A delegation's rewards from its start to end_period (R(end_period) =
 * end_ratio), replaying the validator's slash events after the start, in
 * order of height (CalculateDelegationRewards). The caller picks the
 * events by height as Cosmos does (between the start height and now) and
 * returns zero itself for a delegation started at the current height.
 * current_stake is the delegation's worth now, rounded
 * (proto_shares_tokens_from_shares): a replayed stake above it by at most
 * 3 x 10^-18 is lowered to it; by more, STAKE_MISMATCH. */
proto_f1_result proto_f1_delegation_rewards(const proto_f1_start *start,
                                            const proto_f1_slash_event *events, size_t n_events,
                                            uint64_t end_period, proto_dec end_ratio,
                                            proto_dec current_stake, proto_dec *rewards);

/* ---- paying out ---- */

/* Whole coins and the change (DecCoins.TruncateDecimal): *whole =
 * trunc(d), *change = d - whole. d >= 0. */
proto_f1_result proto_f1_truncate_decimal(proto_dec d, proto_amount *whole, proto_dec *change);

/* A delegator's withdrawal from a validator's outstanding rewards
 * (withdrawDelegationRewards): the rewards are capped at what is
 * outstanding (Intersect), *paid is their whole part, *to_community_pool
 * the change, and *outstanding_after = outstanding - capped rewards. So
 * a withdrawal never pays more than is outstanding. */
proto_f1_result proto_f1_withdraw(proto_dec rewards, proto_dec outstanding, proto_amount *paid,
                                  proto_dec *to_community_pool, proto_dec *outstanding_after);

#endif
