/* Unit tests for the reward distribution arithmetic
 * (protocol/modules/staking/f1.h): block allocation, commission, F1
 * periods and slash replay, withdrawal.
 *
 * Every vector is copied from a Cosmos SDK test, cited above its test as
 * repository path, test name and the commit read. Cosmos's keeper tests
 * run whole keepers; here a small fixture (f1_fixture) plays the keeper,
 * calling these functions in the order the keeper's hooks do, so the same
 * numbers come out; it is also the model of how the distribution module
 * will use them. Where a source states only a rule, the case is derived
 * by hand (checked with an independent big-integer model of LegacyDec) and
 * says so. The property tests at the end draw from a fixed xorshift seed,
 * printed with any failure. */
#include <check.h>
#include <glib.h>
#include <string.h>

#include "protocol/modules/staking/dec.h"
#include "protocol/modules/staking/f1.h"
#include "protocol/modules/staking/shares.h"
#include "protocol/modules/staking/slash.h"
#include "support/staking_check.h"

#define D(text) test_dec(text) /* short, for the vector tables */
#define OK_SHARES(call) ck_assert_int_eq((call), PROTO_SHARES_OK)
#define OK_SLASH(call) ck_assert_int_eq((call), PROTO_SLASH_OK)
#define OK_F1(call) ck_assert_int_eq((call), PROTO_F1_OK)

#define POWER_REDUCTION ((proto_amount)PROTO_SHARES_POWER_REDUCTION)
#define MILLION_TOKENS ((proto_amount)1000000)

/* ==== distribution: a keeper in miniature ==== */

#define FX_PERIODS_MAX 64
#define FX_DELEGATORS_MAX 4
#define FX_EVENTS_MAX 32

/* One validator's staking and distribution state, driven in the order
 * x/distribution's hooks run: a delegation change ends the period first
 * and starts the delegation at the period it ended; a slash that burns
 * ends the period and records the event; allocation splits commission. */
typedef struct f1_fixture {
    proto_shares_validator val;
    proto_dec commission_rate;
    uint64_t period;                  /* the current (open) period */
    proto_dec ratios[FX_PERIODS_MAX]; /* cumulative reward ratio of each ended period */
    proto_dec current_rewards, commission, outstanding, community_pool, shared_total;
    proto_amount paid_total;
    proto_f1_slash_event events[FX_EVENTS_MAX];
    size_t n_events;
    struct {
        proto_dec shares;
        proto_f1_start start;
        bool active;
    } del[FX_DELEGATORS_MAX];
} f1_fixture;

/* initializeValidator: period 0 ended with ratio 0, period 1 open. */
static void fx_init(f1_fixture *fx, const char *commission_rate)
{
    memset(fx, 0, sizeof *fx);
    fx->val = proto_shares_validator_empty();
    fx->commission_rate = D(commission_rate);
    fx->period = 1;
    fx->ratios[0] = fx->current_rewards = fx->commission = fx->outstanding = proto_dec_zero();
    fx->community_pool = fx->shared_total = proto_dec_zero();
}

static proto_dec dec_plus(proto_dec a, proto_dec b)
{
    proto_dec r;
    OK_DEC(proto_dec_add(a, b, &r));
    return r;
}

static proto_dec dec_minus(proto_dec a, proto_dec b)
{
    proto_dec r;
    OK_DEC(proto_dec_sub(a, b, &r));
    return r;
}

/* IncrementValidatorPeriod: returns the period ended. */
static uint64_t fx_end_period(f1_fixture *fx)
{
    ck_assert_uint_lt(fx->period, FX_PERIODS_MAX);
    proto_dec to_pool;
    OK_F1(proto_f1_end_period(fx->ratios[fx->period - 1], fx->current_rewards, fx->val.tokens,
                              &fx->ratios[fx->period], &to_pool));
    fx->community_pool = dec_plus(fx->community_pool, to_pool);
    fx->outstanding = dec_minus(fx->outstanding, to_pool);
    fx->current_rewards = proto_dec_zero();
    return fx->period++;
}

/* AllocateTokensToValidator. */
static void fx_allocate(f1_fixture *fx, proto_dec tokens)
{
    proto_dec commission, shared;
    OK_F1(proto_f1_commission_split(tokens, fx->commission_rate, &commission, &shared));
    fx->commission = dec_plus(fx->commission, commission);
    fx->current_rewards = dec_plus(fx->current_rewards, shared);
    fx->shared_total = dec_plus(fx->shared_total, shared);
    fx->outstanding = dec_plus(fx->outstanding, tokens);
}

/* initializeDelegation, after the period was ended. */
static void fx_start(f1_fixture *fx, int who)
{
    fx->del[who].start.period = fx->period - 1;
    fx->del[who].start.cumulative_ratio = fx->ratios[fx->period - 1];
    OK_SHARES(proto_shares_tokens_from_shares_truncated(&fx->val, fx->del[who].shares,
                                                        &fx->del[who].start.stake));
}

/* CalculateDelegationRewards up to end_period (already ended). */
static proto_dec fx_rewards(const f1_fixture *fx, int who, uint64_t end_period)
{
    proto_dec current_stake, rewards;
    OK_SHARES(proto_shares_tokens_from_shares(&fx->val, fx->del[who].shares, &current_stake));
    OK_F1(proto_f1_delegation_rewards(&fx->del[who].start, fx->events, fx->n_events, end_period,
                                      fx->ratios[end_period], current_stake, &rewards));
    return rewards;
}

/* WithdrawDelegationRewards: end the period, pay, start again. */
static proto_amount fx_withdraw(f1_fixture *fx, int who)
{
    uint64_t end = fx_end_period(fx);
    proto_dec to_pool, after;
    proto_amount paid;
    OK_F1(proto_f1_withdraw(fx_rewards(fx, who, end), fx->outstanding, &paid, &to_pool, &after));
    fx->outstanding = after;
    fx->community_pool = dec_plus(fx->community_pool, to_pool);
    fx->paid_total += paid;
    fx_start(fx, who);
    return paid;
}

/* WithdrawValidatorCommission: the whole part leaves, the change stays. */
static proto_amount fx_withdraw_commission(f1_fixture *fx)
{
    proto_amount whole;
    proto_dec change;
    OK_F1(proto_f1_truncate_decimal(fx->commission, &whole, &change));
    fx->commission = change;
    fx->outstanding = dec_minus(fx->outstanding, proto_dec_from_amount(whole));
    return whole;
}

/* Delegate: an existing delegation is paid out first, as every change is. */
static void fx_delegate(f1_fixture *fx, int who, proto_amount amount)
{
    if (fx->del[who].active)
        fx_withdraw(fx, who);
    else
        fx_end_period(fx);
    proto_dec issued;
    OK_SHARES(proto_shares_add_tokens_from_del(&fx->val, amount, &issued));
    fx->del[who].shares = fx->del[who].active ? dec_plus(fx->del[who].shares, issued) : issued;
    fx->del[who].active = true;
    fx_start(fx, who);
}

/* Keeper.Slash at the current height (no entries to scan). */
static void fx_slash(f1_fixture *fx, int64_t power, const char *fraction)
{
    proto_amount slash_amount, burned;
    proto_dec effective;
    OK_SLASH(proto_slash_amount(proto_shares_tokens_from_power(power, POWER_REDUCTION), D(fraction),
                                &slash_amount));
    OK_SLASH(proto_slash_validator_burn(slash_amount, fx->val.tokens, &burned, &effective));
    if (burned == 0)
        return;
    ck_assert_uint_lt(fx->n_events, FX_EVENTS_MAX);
    uint64_t ended = fx_end_period(fx);
    fx->events[fx->n_events++] = (proto_f1_slash_event){
        .period = ended, .cumulative_ratio = fx->ratios[ended], .fraction = effective};
    OK_SHARES(proto_shares_remove_tokens(&fx->val, burned));
}

static proto_dec tokens_dec(proto_amount a)
{
    return proto_dec_from_amount(a);
}

/* ==== distribution vectors: cosmos/cosmos-sdk
 * x/distribution/keeper/delegation_test.go at
 * 01889723c7f2a8a37ad8b7c03722aa9153f05484 (50% commission throughout) ==== */

/* TestCalculateRewardsBasic: self-delegation 100; nothing before any
 * allocation; allocate 10 -> delegator 5, commission 5. */
START_TEST(test_f1_rewards_basic)
{
    f1_fixture fx;
    fx_init(&fx, "0.5");
    fx_delegate(&fx, 0, 100);
    uint64_t end = fx_end_period(&fx);
    ck_assert(proto_dec_is_zero(fx_rewards(&fx, 0, end)));
    fx_allocate(&fx, tokens_dec(10));
    end = fx_end_period(&fx);
    ck_dec_eq(fx_rewards(&fx, 0, end), D("5"));
    ck_dec_eq(fx.commission, D("5"));
}
END_TEST

/* TestCalculateRewardsAfterSlash: power 100, slashed 50%, then 10,000,000
 * allocated -> delegator 5,000,000, commission 5,000,000. */
START_TEST(test_f1_rewards_after_slash)
{
    f1_fixture fx;
    fx_init(&fx, "0.5");
    fx_delegate(&fx, 0, 100 * MILLION_TOKENS);
    uint64_t end = fx_end_period(&fx);
    ck_assert(proto_dec_is_zero(fx_rewards(&fx, 0, end)));
    fx_slash(&fx, 100, "0.5");
    fx_allocate(&fx, tokens_dec(10 * MILLION_TOKENS));
    end = fx_end_period(&fx);
    ck_dec_eq(fx_rewards(&fx, 0, end), tokens_dec(5 * MILLION_TOKENS));
    ck_dec_eq(fx.commission, tokens_dec(5 * MILLION_TOKENS));
}
END_TEST

/* TestCalculateRewardsAfterManySlashes (slash 50%, allocate 10M, slash
 * 50% of power 50, allocate 10M) and ...InSameBlock (allocate 10M, two
 * slashes, allocate 10M): delegator 10M, commission 10M in both. */
START_TEST(test_f1_rewards_after_many_slashes)
{
    for (int same_block = 0; same_block < 2; same_block++) {
        f1_fixture fx;
        fx_init(&fx, "0.5");
        fx_delegate(&fx, 0, 100 * MILLION_TOKENS);
        uint64_t end = fx_end_period(&fx);
        ck_assert(proto_dec_is_zero(fx_rewards(&fx, 0, end)));
        if (same_block) {
            fx_allocate(&fx, tokens_dec(10 * MILLION_TOKENS));
            fx_slash(&fx, 100, "0.5");
            fx_slash(&fx, 50, "0.5");
        } else {
            fx_slash(&fx, 100, "0.5");
            fx_allocate(&fx, tokens_dec(10 * MILLION_TOKENS));
            fx_slash(&fx, 50, "0.5");
        }
        fx_allocate(&fx, tokens_dec(10 * MILLION_TOKENS));
        end = fx_end_period(&fx);
        ck_dec_eq(fx_rewards(&fx, 0, end), tokens_dec(10 * MILLION_TOKENS));
        ck_dec_eq(fx.commission, tokens_dec(10 * MILLION_TOKENS));
    }
}
END_TEST

/* TestCalculateRewardsMultiDelegator: del1 100, allocate 20, del2
 * delegates 100, allocate 20 -> del1 15, del2 5, commission 20. */
START_TEST(test_f1_rewards_multi_delegator)
{
    f1_fixture fx;
    fx_init(&fx, "0.5");
    fx_delegate(&fx, 0, 100);
    fx_allocate(&fx, tokens_dec(20));
    fx_delegate(&fx, 1, 100);
    fx_allocate(&fx, tokens_dec(20));
    uint64_t end = fx_end_period(&fx);
    ck_dec_eq(fx_rewards(&fx, 0, end), D("15"));
    ck_dec_eq(fx_rewards(&fx, 1, end), D("5"));
    ck_dec_eq(fx.commission, D("20"));
}
END_TEST

/* TestCalculateRewardsMultiDelegatorMultiSlash: del1 power 100, allocate
 * 30M, slash 50%, del2 delegates power 100, allocate 30M, slash 50% of
 * power 100 (a third of the tokens then) -> del1 30M/2 + 30M/6 = 20M,
 * del2 30M/3 = 10M, commission 30M. */
START_TEST(test_f1_rewards_multi_delegator_multi_slash)
{
    f1_fixture fx;
    fx_init(&fx, "0.5");
    fx_delegate(&fx, 0, 100 * MILLION_TOKENS);
    fx_allocate(&fx, tokens_dec(30 * MILLION_TOKENS));
    fx_slash(&fx, 100, "0.5");
    fx_delegate(&fx, 1, 100 * MILLION_TOKENS);
    fx_allocate(&fx, tokens_dec(30 * MILLION_TOKENS));
    fx_slash(&fx, 100, "0.5");
    ck_dec_eq(fx.events[1].fraction, D("0.333333333333333334")); /* 50M of 150M, rounded up */
    uint64_t end = fx_end_period(&fx);
    ck_dec_eq(fx_rewards(&fx, 0, end), tokens_dec(20 * MILLION_TOKENS));
    ck_dec_eq(fx_rewards(&fx, 1, end), tokens_dec(10 * MILLION_TOKENS));
    ck_dec_eq(fx.commission, tokens_dec(30 * MILLION_TOKENS));
}
END_TEST

/* TestCalculateRewardsMultiDelegatorMultWithdraw (allocations of 20):
 * after both withdraw and the commission is withdrawn, nothing is owed;
 * one more allocation and del1's withdrawal leave del2 5 and commission
 * 10; one more and a commission withdrawal leave del1 5, del2 10,
 * commission 0. */
START_TEST(test_f1_rewards_multi_withdraw)
{
    f1_fixture fx;
    fx_init(&fx, "0.5");
    fx_delegate(&fx, 0, 100);
    fx_allocate(&fx, tokens_dec(20));
    fx_delegate(&fx, 1, 100);
    fx_allocate(&fx, tokens_dec(20));
    ck_amount_eq(fx_withdraw(&fx, 0), 15);
    ck_amount_eq(fx_withdraw(&fx, 1), 5);
    ck_amount_eq(fx_withdraw_commission(&fx), 20);
    uint64_t end = fx_end_period(&fx);
    ck_assert(proto_dec_is_zero(fx_rewards(&fx, 0, end)) &&
              proto_dec_is_zero(fx_rewards(&fx, 1, end)));
    ck_assert(proto_dec_is_zero(fx.commission) && proto_dec_is_zero(fx.outstanding));
    fx_allocate(&fx, tokens_dec(20));
    fx_withdraw(&fx, 0);
    end = fx_end_period(&fx);
    ck_assert(proto_dec_is_zero(fx_rewards(&fx, 0, end)));
    ck_dec_eq(fx_rewards(&fx, 1, end), D("5"));
    ck_dec_eq(fx.commission, D("10"));
    fx_allocate(&fx, tokens_dec(20));
    fx_withdraw_commission(&fx);
    end = fx_end_period(&fx);
    ck_dec_eq(fx_rewards(&fx, 0, end), D("5"));
    ck_dec_eq(fx_rewards(&fx, 1, end), D("10"));
    ck_assert(proto_dec_is_zero(fx.commission));
}
END_TEST

/* ==== allocation: cosmos/cosmos-sdk x/distribution/keeper/allocation_test.go
 * at 00fd6d0e37cc35c787564b9bba49a19cb7c0e9cb (current rule) and its
 * SDK v0.46 form (proposer reward) ==== */

/* TestAllocateTokensToValidatorWithCommission: 10 at 50% -> commission 5,
 * current rewards 5. */
START_TEST(test_f1_commission_split)
{
    proto_dec commission, shared;
    OK_F1(proto_f1_commission_split(D("10"), D("0.5"), &commission, &shared));
    ck_dec_eq(commission, D("5"));
    ck_dec_eq(shared, D("5"));
    /* Derived: the commission rounds half to even at the 18th place
     * (0.5e-18 -> 0, 1.5e-18 -> 2e-18); the delegators get the rest. */
    OK_F1(proto_f1_commission_split(D("0.000000000000000001"), D("0.5"), &commission, &shared));
    ck_dec_eq(commission, proto_dec_zero());
    ck_dec_eq(shared, D("0.000000000000000001"));
    OK_F1(proto_f1_commission_split(D("0.000000000000000003"), D("0.5"), &commission, &shared));
    ck_dec_eq(commission, D("0.000000000000000002"));
    ck_dec_eq(shared, D("0.000000000000000001"));
    ck_assert_int_eq(proto_f1_commission_split(D("10"), D("1.5"), &commission, &shared),
                     PROTO_F1_BAD_FRACTION);
}
END_TEST

/* TestAllocateTokensToManyValidators: fees 100, default params (2% tax),
 * A (50% commission) and B (0%) of power 100 each, both voted.
 * Current SDK: outstanding A 49, B 49; A commission 24.5 and current
 * rewards 24.5; B 0 and 49; 2 to the community pool.
 * SDK v0.46 (base 1%, bonus 4%, B proposed, all signed): A 46.5 with
 * commission 23.25 and current 23.25; B 51.5 (5 + 46.5); 2 to the pool. */
START_TEST(test_f1_allocate_many_validators)
{
    const int64_t powers[] = {100, 100};
    proto_dec rewards[2], commission, shared;
    proto_f1_allocation out;
    proto_f1_params p = proto_f1_params_default();
    OK_F1(proto_f1_allocate(&p, D("100"), 200, 200, powers, 2, true, rewards, &out));
    ck_dec_eq(rewards[0], D("49"));
    ck_dec_eq(rewards[1], D("49"));
    ck_dec_eq(out.proposer_reward, proto_dec_zero());
    ck_dec_eq(out.community_pool, D("2"));
    OK_F1(proto_f1_commission_split(rewards[0], D("0.5"), &commission, &shared));
    ck_dec_eq(commission, D("24.5"));
    ck_dec_eq(shared, D("24.5"));
    OK_F1(proto_f1_commission_split(rewards[1], proto_dec_zero(), &commission, &shared));
    ck_dec_eq(commission, proto_dec_zero());
    ck_dec_eq(shared, D("49"));

    p = proto_f1_params_with_proposer_reward();
    OK_F1(proto_f1_allocate(&p, D("100"), 200, 200, powers, 2, true, rewards, &out));
    ck_dec_eq(rewards[0], D("46.5"));
    ck_dec_eq(out.proposer_reward, D("5"));
    ck_dec_eq(dec_plus(rewards[1], out.proposer_reward), D("51.5"));
    ck_dec_eq(out.community_pool, D("2"));
    OK_F1(proto_f1_commission_split(rewards[0], D("0.5"), &commission, &shared));
    ck_dec_eq(commission, D("23.25"));
    ck_dec_eq(shared, D("23.25"));
}
END_TEST

/* TestAllocateTokensTruncation: fees 634,195,840, powers 11/10/10, 10%
 * commission: every outstanding reward stays valid (non-negative). The
 * exact amounts are derived (current rule) and pinned. */
START_TEST(test_f1_allocate_truncation)
{
    const int64_t powers[] = {11, 10, 10};
    static const char *const want[] = {"220536488.877419354317441612",
                                       "200487717.161290322219767270",
                                       "200487717.161290322219767270"};
    proto_dec rewards[3], sum = proto_dec_zero();
    proto_f1_allocation out;
    proto_f1_params p = proto_f1_params_default();
    OK_F1(proto_f1_allocate(&p, D("634195840"), 31, 31, powers, 3, true, rewards, &out));
    for (int i = 0; i < 3; i++) {
        proto_dec commission, shared;
        ck_dec_eq(rewards[i], D(want[i]));
        OK_F1(proto_f1_commission_split(rewards[i], D("0.1"), &commission, &shared));
        ck_assert(!proto_dec_is_negative(commission) && !proto_dec_is_negative(shared));
        sum = dec_plus(sum, rewards[i]);
    }
    ck_dec_eq(out.community_pool, D("12683916.800000001243023848"));
    ck_dec_eq(dec_plus(sum, out.community_pool), D("634195840"));
}
END_TEST

/* Derived from AllocateTokens: no power sends everything to the pool; an
 * unknown proposer's reward stays in the pool's part; bad input refused. */
START_TEST(test_f1_allocate_edges)
{
    const int64_t powers[] = {100, 100};
    proto_dec rewards[2];
    proto_f1_allocation out;
    proto_f1_params p = proto_f1_params_with_proposer_reward();
    OK_F1(proto_f1_allocate(&p, D("100"), 0, 0, powers, 0, true, rewards, &out));
    ck_dec_eq(out.community_pool, D("100"));
    OK_F1(proto_f1_allocate(&p, D("100"), 200, 200, powers, 2, false, rewards, &out));
    ck_dec_eq(out.proposer_reward, proto_dec_zero());
    ck_dec_eq(out.community_pool, D("7")); /* 2 tax + the unpaid 5 */
    /* Half the power signed: 1% + 4% x 0.5 = 3% to the proposer. */
    OK_F1(proto_f1_allocate(&p, D("100"), 200, 100, powers, 2, true, rewards, &out));
    ck_dec_eq(out.proposer_reward, D("3"));
    ck_dec_eq(rewards[0], D("47.5"));
    ck_assert_int_eq(proto_f1_allocate(&p, D("100"), 150, 150, powers, 2, true, rewards, &out),
                     PROTO_F1_BAD_POWER);
    ck_assert_int_eq(proto_f1_allocate(&p, D("-1"), 200, 200, powers, 2, true, rewards, &out),
                     PROTO_F1_NEGATIVE);
    p.community_tax = D("0.99");
    ck_assert_int_eq(proto_f1_allocate(&p, D("100"), 200, 200, powers, 2, true, rewards, &out),
                     PROTO_F1_BAD_FRACTION);
    ck_assert_str_eq(proto_f1_result_name(PROTO_F1_STAKE_MISMATCH), "stake_mismatch");
}
END_TEST

/* Derived from keeper/validator.go and delegation.go: a period of a
 * validator without tokens sends its rewards to the pool; the ratio is
 * truncated; rewards between periods need a growing ratio; a replayed
 * stake above the current one is clamped within 3 x 10^-18 and refused
 * beyond. */
START_TEST(test_f1_period_edges)
{
    proto_dec ratio, to_pool, rewards;
    OK_F1(proto_f1_end_period(D("0.5"), D("10"), 0, &ratio, &to_pool));
    ck_dec_eq(ratio, D("0.5"));
    ck_dec_eq(to_pool, D("10"));
    OK_F1(proto_f1_end_period(proto_dec_zero(), D("1"), 3, &ratio, &to_pool));
    ck_dec_eq(ratio, D("0.333333333333333333"));
    ck_assert(proto_dec_is_zero(to_pool));
    ck_assert_int_eq(proto_f1_rewards_between(D("2"), D("1"), D("1"), &rewards),
                     PROTO_F1_BAD_PERIODS);
    ck_assert_int_eq(proto_f1_rewards_between(D("1"), D("2"), D("-1"), &rewards),
                     PROTO_F1_NEGATIVE);
    OK_F1(proto_f1_stake_after_slash(D("100"), D("0.333333333333333334"), &rewards));
    ck_dec_eq(rewards, D("66.6666666666666666"));
    /* Both products truncate: 0.5e-18 -> 0 and 1.5e-18 -> 1e-18. */
    OK_F1(
        proto_f1_rewards_between(proto_dec_zero(), D("0.000000000000000001"), D("0.5"), &rewards));
    ck_dec_eq(rewards, proto_dec_zero());
    OK_F1(proto_f1_stake_after_slash(D("0.000000000000000003"), D("0.5"), &rewards));
    ck_dec_eq(rewards, D("0.000000000000000001"));
    proto_f1_start start = {
        .period = 1, .cumulative_ratio = proto_dec_zero(), .stake = D("100.000000000000000003")};
    OK_F1(proto_f1_delegation_rewards(&start, NULL, 0, 2, D("1"), D("100"), &rewards));
    ck_dec_eq(rewards, D("100")); /* clamped to the current stake */
    start.stake = D("100.000000000000000004");
    ck_assert_int_eq(proto_f1_delegation_rewards(&start, NULL, 0, 2, D("1"), D("100"), &rewards),
                     PROTO_F1_STAKE_MISMATCH);
    start.stake = D("100");
    ck_assert_int_eq(proto_f1_delegation_rewards(&start, NULL, 0, 0, D("1"), D("100"), &rewards),
                     PROTO_F1_BAD_PERIODS);
    proto_amount paid;
    proto_dec after;
    OK_F1(proto_f1_withdraw(D("7.9"), D("7.5"), &paid, &to_pool, &after));
    ck_amount_eq(paid, 7);
    ck_dec_eq(to_pool, D("0.5"));
    ck_assert(proto_dec_is_zero(after));
}
END_TEST

/* ==== properties ==== */

/* Allocation conserves the fees exactly and pays no one a negative share,
 * for up to 150 validators and fees up to 2^100 (derived). */
START_TEST(test_prop_allocation_conserves)
{
    const uint64_t seed = 0xa110ca7eull;
    uint64_t rng = seed;
    int64_t powers[150];
    proto_dec rewards[150];
    for (int iter = 0; iter < 300; iter++) {
        size_t n = 1 + test_rng_next(&rng) % 150;
        int64_t total = 0;
        for (size_t i = 0; i < n; i++)
            total += powers[i] = (int64_t)(test_rng_next(&rng) % 1000000);
        total += (int64_t)(test_rng_next(&rng) % 1000); /* validators that did not vote */
        proto_f1_params p =
            (iter & 1) ? proto_f1_params_with_proposer_reward() : proto_f1_params_default();
        proto_dec fees =
                      proto_dec_from_amount(test_rng_amount(&rng, 1 + test_rng_next(&rng) % 100)),
                  sum;
        proto_f1_allocation out;
        proto_f1_result r = proto_f1_allocate(
            &p, fees, total, total - (int64_t)(test_rng_next(&rng) % 1000) % (total + 1), powers, n,
            test_rng_next(&rng) & 1, rewards, &out);
        ck_assert_msg(r == PROTO_F1_OK, "seed %#llx iteration %d: %s", (unsigned long long)seed,
                      iter, proto_f1_result_name(r));
        sum = dec_plus(out.proposer_reward, out.community_pool);
        for (size_t i = 0; i < n; i++) {
            ck_assert(!proto_dec_is_negative(rewards[i]));
            sum = dec_plus(sum, rewards[i]);
        }
        ck_assert_msg(proto_dec_eq(sum, fees) && !proto_dec_is_negative(out.community_pool),
                      "seed %#llx iteration %d: allocation does not add up",
                      (unsigned long long)seed, iter);
    }
}
END_TEST

/* F1 never owes more than was shared: through random delegations,
 * allocations, slashes and withdrawals, what the delegators were paid plus
 * what they are still owed never exceeds the delegators' part of the
 * rewards, and the outstanding rewards never go negative (Cosmos's
 * can-withdraw invariant; derived). */
START_TEST(test_prop_f1_never_overpays)
{
    const uint64_t seed = 0xf1f1f1f1ull;
    uint64_t rng = seed;
    for (int run = 0; run < 40; run++) {
        f1_fixture fx;
        fx_init(&fx, (run & 1) ? "0.1" : "0.05");
        fx_delegate(&fx, 0, 1000 * MILLION_TOKENS);
        for (int step = 0; step < 12 && fx.period < FX_PERIODS_MAX - 8; step++) {
            int who = (int)(test_rng_next(&rng) % FX_DELEGATORS_MAX);
            switch (test_rng_next(&rng) % 4) {
            case 0:
                fx_delegate(&fx, who, test_rng_amount(&rng, 40));
                break;
            case 1:
                fx_allocate(&fx, D("1234567.891011121314151617"));
                break;
            case 2:
                if (fx.n_events < FX_EVENTS_MAX)
                    fx_slash(&fx, proto_shares_consensus_power(fx.val.tokens, POWER_REDUCTION) / 3,
                             "0.05");
                break;
            default:
                if (fx.del[who].active)
                    fx_withdraw(&fx, who);
                break;
            }
            ck_assert(!proto_dec_is_negative(fx.outstanding));
        }
        uint64_t end = fx_end_period(&fx);
        proto_dec owed = proto_dec_from_amount(fx.paid_total);
        for (int who = 0; who < FX_DELEGATORS_MAX; who++) {
            if (fx.del[who].active)
                owed = dec_plus(owed, fx_rewards(&fx, who, end));
        }
        ck_assert_msg(!proto_dec_gt(owed, fx.shared_total),
                      "seed %#llx run %d: F1 owes more than was shared", (unsigned long long)seed,
                      run);
    }
}
END_TEST

static Suite *staking_f1_suite(void)
{
    Suite *s = suite_create("staking_f1");
    TCase *rewards = tcase_create("rewards");
    tcase_add_test(rewards, test_f1_rewards_basic);
    tcase_add_test(rewards, test_f1_rewards_after_slash);
    tcase_add_test(rewards, test_f1_rewards_after_many_slashes);
    tcase_add_test(rewards, test_f1_rewards_multi_delegator);
    tcase_add_test(rewards, test_f1_rewards_multi_delegator_multi_slash);
    tcase_add_test(rewards, test_f1_rewards_multi_withdraw);
    tcase_add_test(rewards, test_f1_period_edges);
    tcase_add_test(rewards, test_prop_f1_never_overpays);
    suite_add_tcase(s, rewards);
    TCase *allocation = tcase_create("allocation");
    tcase_add_test(allocation, test_f1_commission_split);
    tcase_add_test(allocation, test_f1_allocate_many_validators);
    tcase_add_test(allocation, test_f1_allocate_truncation);
    tcase_add_test(allocation, test_f1_allocate_edges);
    tcase_add_test(allocation, test_prop_allocation_conserves);
    suite_add_tcase(s, allocation);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(staking_f1_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
