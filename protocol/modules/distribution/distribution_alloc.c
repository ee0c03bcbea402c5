/* Fees into the distribution module and out to validators
 * (distribution.h): the fee collector, the votes consensus records, and
 * the end block that allocates the collector among them
 * (x/distribution/keeper/allocation.go AllocateTokens and
 * AllocateTokensToValidator, with f1.h's arithmetic). */
#include "protocol/modules/distribution/distribution_internal.h"

void proto_distribution_collect(proto_state *s, uint64_t amount, proto_undo *undo)
{
    g_assert(dist__get(s) != NULL);
    if (amount == 0)
        return;
    dist_globals *g = dist__globals_mut(s, undo);
    g_assert(amount <= UINT64_MAX - g->fee_collector - g->tokens); /* the supply fits */
    g->fee_collector += amount;
}

void proto_distribution_record_votes(proto_state *s, uint32_t proposer, const uint64_t *powers,
                                     const bool *signed_mask, uint32_t count, proto_undo *undo)
{
    const dist_state *st = dist__get(s);
    if (st == NULL)
        return;
    g_assert(count <= st->count);
    dist_vote *votes = g_new0(dist_vote, count > 0 ? count : 1);
    uint64_t total = 0;
    for (uint32_t i = 0; i < count; i++) {
        g_assert(powers[i] <= (uint64_t)INT64_MAX - total); /* consensus's powers */
        total += powers[i];
        votes[i] = (dist_vote){.power = powers[i], .signed_vote = signed_mask[i]};
    }
    dist__votes_set(s, true, proposer, votes, count, undo);
    g_free(votes);
}

/* AllocateTokensToValidator: the commission (rounded) to the operator's
 * accumulated commission, the rest to the delegators' current rewards,
 * all of it to the validator's outstanding rewards. */
static void allocate_to_validator(proto_state *s, uint32_t i, proto_dec tokens, proto_undo *undo)
{
    const proto_staking_validator *sv = proto_staking_validator_get(proto_staking_get(s), i);
    proto_dec commission, shared;
    g_assert(proto_f1_commission_split(tokens, sv->commission.rate, &commission, &shared) ==
             PROTO_F1_OK);
    dist_validator *v = dist__validator_mut(s, i, undo);
    dist__add(&v->commission, commission);
    dist__add(&v->current, shared);
    dist__add(&v->outstanding, tokens);
}

/* The recorded votes as f1.h wants them: every validator's power (a
 * validator distribution does not know gets none: its share stays with
 * the community pool), the total and the signed power. */
static void vote_powers(const dist_state *st, int64_t *powers, int64_t *total, int64_t *signed_sum)
{
    *total = 0;
    *signed_sum = 0;
    for (guint k = 0; k < st->votes->len; k++) {
        const dist_vote *v = &g_array_index(st->votes, dist_vote, k);
        *total += (int64_t)v->power;
        *signed_sum += v->signed_vote ? (int64_t)v->power : 0;
        powers[k] = st->validators[k].initialized ? (int64_t)v->power : 0;
    }
}

/* AllocateTokens of `fees` by the recorded votes: the proposer reward,
 * each validator's share, the rest to the community pool. */
static void allocate(proto_state *s, proto_dec fees, proto_undo *undo)
{
    const dist_state *st = dist__get(s);
    guint n = st->votes->len;
    int64_t *powers = g_new0(int64_t, n > 0 ? n : 1), total, signed_sum;
    proto_dec *rewards = g_new0(proto_dec, n > 0 ? n : 1);
    vote_powers(st, powers, &total, &signed_sum);
    uint32_t proposer = st->proposer;
    bool proposer_known = proposer < n && st->validators[proposer].initialized;
    proto_f1_allocation out;
    g_assert(proto_f1_allocate(&st->g.params, fees, total, signed_sum, powers, n, proposer_known,
                               rewards, &out) == PROTO_F1_OK);
    if (proposer_known && proto_dec_is_positive(out.proposer_reward))
        allocate_to_validator(s, proposer, out.proposer_reward, undo);
    for (guint k = 0; k < n; k++)
        if (proto_dec_is_positive(rewards[k]))
            allocate_to_validator(s, k, rewards[k], undo);
    dist__add(&dist__globals_mut(s, undo)->community_pool, out.community_pool);
    g_free(powers);
    g_free(rewards);
}

/* The block's end: the fee collector moves into the module account and
 * is allocated by the votes recorded in this block (none: all of it to
 * the community pool); the votes are cleared. A block with neither fees
 * nor votes changes nothing (no undo record, the root stays cached). */
bool dist__end_block(proto_state *s, const proto_msg_ctx *ctx)
{
    const dist_state *st = dist__get(s);
    if (st == NULL || (st->g.fee_collector == 0 && !st->votes_recorded))
        return true;
    uint64_t fees = st->g.fee_collector;
    if (fees > 0) {
        if (st->votes_recorded) {
            allocate(s, proto_dec_from_amount((proto_amount)fees), ctx->undo);
        } else {
            dist__add(&dist__globals_mut(s, ctx->undo)->community_pool,
                      proto_dec_from_amount((proto_amount)fees));
        }
        dist_globals *g = dist__globals_mut(s, ctx->undo);
        g->tokens += fees;
        g->fee_collector = 0;
    }
    if (dist__get(s)->votes_recorded)
        dist__votes_set(s, false, UINT32_MAX, NULL, 0, ctx->undo);
    return true;
}
