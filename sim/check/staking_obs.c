/* The staking economy observer (staking_obs.h). */
#include "sim/check/staking_obs.h"

#include <math.h>

#include "protocol/modules/distribution/distribution.h"
#include "protocol/modules/mint/mint_module.h"
#include "protocol/modules/staking/staking.h"
#include "protocol/modules/validator/validator.h"
#include "sim/check/concentration.h"
#include "sim/world/world_internal.h"

struct sim_staking_obs {
    bool enabled;
    uint64_t height_max;     /* highest height recorded */
    uint64_t genesis_supply; /* balances + module tokens at genesis */
    GArray *powers;          /* uint64 scratch */
};

sim_staking_obs *sim_staking_obs_new(sim_world *w, bool enabled)
{
    sim_staking_obs *o = g_new0(sim_staking_obs, 1);
    o->enabled = enabled;
    o->genesis_supply = proto_state_total_supply(w->chain.genesis);
    o->powers = g_array_new(FALSE, TRUE, sizeof(uint64_t));
    return o;
}

static void obs_free(void *self)
{
    sim_staking_obs *o = self;
    g_array_unref(o->powers);
    g_free(o);
}

static uint64_t amount_u64(proto_amount a)
{
    g_assert(a >= 0 && a <= (proto_amount)UINT64_MAX);
    return (uint64_t)a;
}

static uint32_t nakamoto_at(sim_staking_obs *o, const proto_state *s, uint64_t height)
{
    const proto_valset *v = proto_validator_set(s);
    g_array_set_size(o->powers, proto_valset_count(v));
    uint64_t *powers = (uint64_t *)(void *)o->powers->data;
    proto_valset_fill(v, height, powers, NULL);
    return sim_nakamoto(powers, o->powers->len);
}

static void obs_record(sim_staking_obs *o, sim_world *w, const proto_state *s, uint64_t height)
{
    const proto_staking_state *st = proto_staking_get(s);
    uint64_t supply = o->genesis_supply + proto_state_minted(s) - proto_state_burned(s);
    sim_staking_record r = {
        .height = height,
        .final_ns = sim_sched_now(w->sched),
        .bonded = amount_u64(proto_staking_bonded_pool(st)),
        .unbonding = amount_u64(proto_staking_not_bonded_pool(st)),
        .inflation = NAN,
        .minted = proto_state_minted(s),
        .community_pool = proto_distribution_community_pool_coins(s),
        .rewards_claimed = proto_distribution_rewards_claimed(s),
        .nakamoto = nakamoto_at(o, s, height),
        .delegations = proto_staking_delegations_count(st),
        .unbonding_entries = proto_staking_unbondings_count(st),
        .redelegation_entries = proto_staking_redelegations_count(st),
    };
    r.staking_ratio = supply > 0 ? (double)r.bonded / (double)supply : 0.0;
    if (proto_state_module(s, PROTO_MINT_MODULE_ID) != NULL) {
        char buf[PROTO_DEC_STRING_SIZE];
        r.inflation = g_ascii_strtod(proto_dec_to_string(proto_mint_inflation(s), buf), NULL);
    }
    g_array_append_val(w->metrics->staking, r);
}

static void obs_on_event(void *self, sim_world *w, uint32_t node, const proto_event *ev)
{
    sim_staking_obs *o = self;
    const sim_node_slot *slot = &w->nodes[node];
    if (!o->enabled || ev->kind != PROTO_EV_BLOCK_FINAL || !slot->honest ||
        slot->consensus == NULL || ev->height <= o->height_max)
        return;
    const proto_state *s = pbft_node_state(slot->consensus);
    if (proto_staking_get(s) == NULL || proto_validator_set(s) == NULL)
        return;
    o->height_max = ev->height;
    obs_record(o, w, s, ev->height);
}

/* The state of the run's end: the highest final height an honest node
 * that is up holds (the lowest such node on a tie). */
static const proto_state *final_state(const sim_world *w, uint64_t *height_out)
{
    const proto_state *best = NULL;
    uint64_t best_height = 0;
    for (uint32_t i = 0; i < w->nodes_count; i++) {
        const sim_node_slot *slot = &w->nodes[i];
        if (!slot->up || !slot->honest || slot->consensus == NULL)
            continue;
        uint64_t h = pbft_node_committed_height(slot->consensus);
        if (best == NULL || h > best_height) {
            best = pbft_node_state(slot->consensus);
            best_height = h;
        }
    }
    *height_out = best_height;
    return best;
}

/* Whole coins delegation (delegator, validator) could claim in the next
 * block (Cosmos's DelegationRewards query), 0 without distribution. */
static uint64_t claimable(const proto_state *s, uint64_t height, uint32_t delegator,
                          uint32_t validator)
{
    proto_dec rewards;
    proto_amount whole = 0;
    if (!proto_distribution_pending_rewards(s, height + 1, delegator, validator, &rewards) ||
        proto_dec_truncate_int(rewards, &whole) != PROTO_DEC_OK || whole < 0)
        return 0;
    return amount_u64(whole);
}

static void record_delegations(sim_metrics *m, const proto_state *s, uint64_t height)
{
    const proto_staking_state *st = proto_staking_get(s);
    for (uint32_t k = 0; k < proto_staking_delegations_count(st); k++) {
        const proto_staking_delegation *d = proto_staking_delegation_at(st, k);
        proto_amount whole = proto_staking_delegation_tokens(st, d);
        char buf[PROTO_DEC_STRING_SIZE];
        sim_delegation_record r = {.delegator = d->delegator,
                                   .validator = d->validator,
                                   .shares = g_ascii_strtod(proto_dec_to_string(d->shares, buf),
                                                            NULL),
                                   .tokens = amount_u64(whole),
                                   .claimable = claimable(s, height, d->delegator,
                                                          d->validator)};
        g_array_append_val(m->delegations, r);
    }
}

static void obs_figures(void *self, sim_world *w, sim_metrics *m)
{
    sim_staking_obs *o = self;
    if (!o->enabled || m->staking->len == 0)
        return;
    const sim_staking_record *last =
        &g_array_index(m->staking, sim_staking_record, m->staking->len - 1);
    sim_metrics_figure(m, "staking_ratio_final", last->staking_ratio);
    sim_metrics_figure(m, "bonded_final", (double)last->bonded);
    sim_metrics_figure(m, "minted_total", (double)last->minted);
    sim_metrics_figure(m, "rewards_claimed_total", (double)last->rewards_claimed);
    sim_metrics_figure(m, "community_pool_final", (double)last->community_pool);
    if (!isnan(last->inflation))
        sim_metrics_figure(m, "inflation_final", last->inflation);
    uint64_t height = 0;
    const proto_state *s = final_state(w, &height);
    const proto_staking_state *st = s != NULL ? proto_staking_get(s) : NULL;
    if (st == NULL)
        return;
    record_delegations(m, s, height);
    for (uint32_t k = 0; k < proto_staking_unbondings_count(st); k++) {
        const proto_staking_unbonding *e = proto_staking_unbonding_at(st, k);
        sim_unbonding_record r = {.delegator = e->delegator,
                                  .validator = e->validator,
                                  .creation_height = e->creation_height,
                                  .completion_ns = e->completion_ns,
                                  .initial_balance = amount_u64(e->initial_balance),
                                  .balance = amount_u64(e->balance)};
        g_array_append_val(m->unbondings, r);
    }
    sim_metrics_figure(m, "delegations_final", (double)proto_staking_delegations_count(st));
}

const sim_world_observer_ops sim_staking_observer_ops = {
    .name = "staking",
    .on_event = obs_on_event,
    .figures = obs_figures,
    .free = obs_free,
};
