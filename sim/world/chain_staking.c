/* The staking economy's genesis (sim/world/chain.h): a PBFT chain whose
 * scenario has a [staking] section gets the staking module
 * (protocol/modules/staking/staking.h), which owns the stake from block
 * zero.
 *
 *   - Delegator k is account "delegator/<k>" (keys from the seed), after
 *     the spam accounts, funded like every genesis account.
 *   - Validator v is created by its operator account (the validator's
 *     genesis key) with its scenario stake as self-bond and its
 *     [staking] commission; every validator has the scenario's
 *     commission_max_rate and commission_max_change_rate.
 *   - Delegator k delegates delegator_stake to validator k mod
 *     validators at genesis (round robin: the same stake behind every
 *     validator, give or take one delegation), so the workload starts
 *     from a spread-out set and moves it (sim/world/delegators.c).
 *   - The active set is the top max_validators by power; the validator
 *     set's powers and tokens are the module's
 *     (proto_staking_genesis_valset), so supply is counted once: the
 *     module's pools hold the bonded and unbonding tokens.
 *
 * A chain without [staking] is built exactly as before (the pinned
 * traces depend on it). */
#include "sim/world/chain.h"

#include <stdio.h>

#include "protocol/modules/distribution/distribution.h"
#include "protocol/modules/mint/mint_module.h"
#include "protocol/modules/staking/staking.h"

/* A Cosmos day is 24 h of a 8,766 h (365.25-day) year: scaled with `year`. */
#define CHAIN_HOURS_PER_YEAR 8766
/* x/mint's genesis inflation (Cosmos DefaultInitialMinter), kept within
 * the scenario's bounds. */
#define CHAIN_INITIAL_INFLATION (13 * (SIM_RATE_ONE / 100))

static proto_dec rate_dec(uint64_t rate)
{
    g_assert(rate <= SIM_RATE_ONE);
    return proto_dec_with_prec((int64_t)rate, 18);
}

/* Distribution (F1, the v0.46 proposer reward, the scenario's community
 * tax) and x/mint, after the staking genesis: the delegations get their
 * starting infos before any message. */
static void economy_genesis(sim_chain *c)
{
    const sim_staking_options *o = c->opt.staking;
    proto_f1_params f1 = proto_f1_params_with_proposer_reward();
    f1.community_tax = rate_dec(o->community_tax);
    proto_dec sum;
    if (proto_dec_add(f1.community_tax, f1.base_proposer_reward, &sum) != PROTO_DEC_OK ||
        proto_dec_add(sum, f1.bonus_proposer_reward, &sum) != PROTO_DEC_OK ||
        proto_dec_gt(sum, proto_dec_one()))
        f1.base_proposer_reward = f1.bonus_proposer_reward = proto_dec_zero(); /* tax > 0.95 */
    proto_distribution_genesis(c->genesis, &f1);
    proto_mint_module_params mp = {
        .mint = {.inflation_rate_change = rate_dec(o->inflation_rate_change),
                 .inflation_max = rate_dec(o->inflation_max),
                 .inflation_min = rate_dec(o->inflation_min),
                 .goal_bonded = rate_dec(o->goal_bonded),
                 .blocks_per_year = (uint64_t)MAX(o->year_ns / c->opt.block_interval_ns, 1)},
        .year_ns = o->year_ns};
    uint64_t initial =
        MIN(MAX((uint64_t)CHAIN_INITIAL_INFLATION, o->inflation_min), o->inflation_max);
    proto_mint_genesis(c->genesis, &mp, rate_dec(initial));
}

void sim_chain_staking_accounts(sim_chain *c)
{
    const sim_staking_options *o = c->opt.staking;
    uint32_t count = o != NULL ? o->delegators : 0;
    c->delegator_keys = g_new0(proto_keypair, MAX(count, 1));
    c->first_delegator_account = proto_state_account_count(c->genesis);
    c->delegators_count = count;
    for (uint32_t k = 0; k < count; k++) {
        char label[32];
        snprintf(label, sizeof label, "delegator/%u", k);
        proto_keypair_derive(&c->delegator_keys[k], c->opt.seed, label);
        proto_state_add_account(c->genesis, &c->delegator_keys[k].pk, SIM_CHAIN_GENESIS_BALANCE);
    }
}

static proto_staking_params staking_params(const sim_chain *c)
{
    const sim_staking_options *o = c->opt.staking;
    proto_staking_params p = proto_staking_defaults();
    p.unbonding_time_ns = o->unbonding_time_ns;
    p.max_validators = o->max_validators > 0 ? o->max_validators : c->opt.validators;
    p.min_self_bond = o->min_self_bond;
    p.day_ns = MAX(o->year_ns / CHAIN_HOURS_PER_YEAR * 24, 1);
    return p;
}

/* What each delegator puts in at genesis: the scenario's, or a tenth of
 * the mean validator stake. */
static uint64_t delegator_stake(const sim_chain *c)
{
    const sim_staking_options *o = c->opt.staking;
    if (o->delegator_stake > 0)
        return o->delegator_stake;
    uint64_t total = 0;
    for (uint32_t v = 0; v < c->opt.validators; v++)
        total += c->stakes[v];
    return MAX(total / c->opt.validators / 10, 1);
}

void sim_chain_staking_genesis(sim_chain *c)
{
    const sim_staking_options *o = c->opt.staking;
    uint32_t n = c->opt.validators;
    proto_staking_genesis_validator *vals = g_new0(proto_staking_genesis_validator, n);
    for (uint32_t v = 0; v < n; v++) {
        const GArray *rates = o->commission;
        vals[v] = (proto_staking_genesis_validator){
            .operator_account = c->fee_accounts[v],
            .self_bond = c->stakes[v],
            .rate = g_array_index(rates, uint64_t, rates->len == 1 ? 0 : v),
            .max_rate = o->commission_max_rate,
            .max_change_rate = o->commission_max_change_rate};
    }
    proto_staking_genesis_delegation *dels =
        g_new0(proto_staking_genesis_delegation, MAX(o->delegators, 1));
    uint64_t amount = delegator_stake(c);
    c->delegator_stake = amount;
    for (uint32_t k = 0; k < o->delegators; k++)
        dels[k] = (proto_staking_genesis_delegation){
            .delegator = c->first_delegator_account + k, .validator = k % n, .amount = amount};
    proto_staking_params params = staking_params(c);
    proto_staking_genesis(c->genesis, &params, n, vals, o->delegators, dels, 0);
    g_free(vals);
    g_free(dels);
    economy_genesis(c);
    proto_valset *vs = proto_valset_new(&c->opt.slashing, n, c->validator_pubkeys, c->stakes);
    for (uint32_t v = 0; v < n; v++)
        proto_valset_set_operator(vs, v, c->fee_accounts[v]);
    proto_staking_genesis_valset(c->genesis, vs);
}
