/* The staking module's side of the chain's validator set: on a chain
 * whose consensus reads voting power from the validator module's set
 * (PBFT), the set takes its stake from this module.
 *
 * At genesis the set's tokens and powers become the module's
 * (proto_valset_use_external_stake): the active set computed by
 * proto_staking_genesis is who has power from height 0. At the end of
 * every block, after this module's own end block, the powers it decided
 * are written into the set from height + update_delay (Cosmos returns
 * them to CometBFT from EndBlock, which applies them at H+2), the token
 * mirrors follow, and only then do the proposer priorities move on: the
 * priorities of height + delay must see that height's powers. The
 * validator module, whose end block runs first (id 2 < 3), leaves the
 * priorities alone on such a chain.
 *
 * The set is copied into the undo log only when something changes, as
 * the validator module does: most blocks move the priorities, which is
 * a change. */
#include "protocol/modules/staking/staking_internal.h"

#include "protocol/modules/validator/validator.h"

static void mirrors_of(const proto_staking_state *st, uint32_t count, uint64_t *tokens,
                       uint64_t *powers)
{
    for (uint32_t i = 0; i < count; i++) {
        tokens[i] = proto_staking__u64(st->validators[i].shares.tokens);
        powers[i] = st->validators[i].power;
    }
}

void proto_staking_genesis_valset(proto_state *s, proto_valset *v)
{
    const proto_staking_state *st = proto_staking_get(s);
    g_assert(st != NULL && proto_validator_set(s) == NULL);
    g_assert(proto_valset_count(v) == st->count);
    uint64_t *tokens = g_new0(uint64_t, st->count);
    uint64_t *powers = g_new0(uint64_t, st->count);
    mirrors_of(st, st->count, tokens, powers);
    proto_valset_use_external_stake(v, tokens, powers);
    g_free(tokens);
    g_free(powers);
    proto_validator_genesis(s, v);
}

/* Whether the set already says what the module decided. */
static bool valset_agrees(const proto_valset *v, const uint64_t *tokens, const uint64_t *powers,
                          uint64_t from_height)
{
    uint32_t count = proto_valset_count(v);
    uint64_t *now = g_new0(uint64_t, count);
    proto_valset_fill(v, from_height, now, NULL);
    bool agrees = true;
    for (uint32_t i = 0; i < count && agrees; i++)
        agrees = now[i] == powers[i] && proto_valset_get(v, i)->tokens == tokens[i];
    g_free(now);
    return agrees;
}

void proto_staking__sync_valset(proto_state *s, const proto_msg_ctx *ctx)
{
    const proto_valset *v = proto_validator_set(s);
    const proto_staking_state *st = proto_staking_get(s);
    if (v == NULL || st == NULL || !proto_valset_stake_external(v))
        return;
    g_assert(proto_valset_count(v) == st->count);
    uint64_t from = ctx->height + proto_valset_params(v)->update_delay;
    uint64_t *tokens = g_new0(uint64_t, st->count);
    uint64_t *powers = g_new0(uint64_t, st->count);
    mirrors_of(st, st->count, tokens, powers);
    bool advance = proto_valset_priorities_first(v) < ctx->height;
    if (advance || !valset_agrees(v, tokens, powers, from)) {
        proto_valset *m = proto_validator_set_mut(s, ctx->undo);
        for (uint32_t i = 0; i < st->count; i++) {
            proto_valset_set_power(m, i, powers[i], from);
            proto_valset_set_tokens(m, i, tokens[i]);
        }
        if (advance)
            proto_valset_advance(m, ctx->height);
    }
    g_free(tokens);
    g_free(powers);
}
