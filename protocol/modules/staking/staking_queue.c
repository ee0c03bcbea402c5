/* The staking module's end block (staking.h), x/staking's
 * BlockValidatorUpdates (x/staking/keeper/val_state_change.go): the
 * active set from the powers, validators entering and leaving it, mature
 * unbonding validators, then mature unbonding and redelegation entries.
 * Cosmos keeps time-ordered queues for the last three; this walks the
 * validators and the sorted entry arrays instead, which gives the same
 * result in a deterministic order (entries of different pairs mature
 * independently). */
#include <stdlib.h>

#include "protocol/modules/staking/staking_internal.h"
#include "protocol/modules/validator/validator.h"

/* Cosmos's PotentialConsensusPower, for a validator the power index
 * holds: created and not jailed. */
static uint64_t potential_power(const proto_staking_state *st, const proto_staking_validator *v)
{
    if (!v->created || v->jailed)
        return 0;
    proto_amount p = v->shares.tokens / (proto_amount)st->params.power_reduction;
    return proto_staking__u64(p);
}

typedef struct ranked {
    uint64_t power;
    uint32_t index;
} ranked;

/* Power descending, then index ascending (Cosmos: power, then operator
 * address; the index is our address). */
static int ranked_cmp(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->power != y->power)
        return x->power > y->power ? -1 : 1;
    return x->index < y->index ? -1 : (x->index > y->index ? 1 : 0);
}

/* bondedToUnbonding (val_state_change.go beginUnbondingValidator). */
static void begin_unbonding(proto_staking_state *st, proto_staking_validator *v, uint64_t height,
                            int64_t time_ns)
{
    g_assert(v->status == PROTO_STAKING_BONDED);
    proto_staking__pool_move(st, false, v->shares.tokens);
    v->status = PROTO_STAKING_UNBONDING;
    v->unbonding_height = height;
    v->unbonding_time_ns = time_ns + st->params.unbonding_time_ns;
    v->power = 0;
}

/* unbondedToBonded / unbondingToBonded (bondValidator). */
static void bond(proto_staking_state *st, proto_staking_validator *v)
{
    if (v->status != PROTO_STAKING_BONDED)
        proto_staking__pool_move(st, true, v->shares.tokens);
    v->status = PROTO_STAKING_BONDED;
}

/* The active set's powers: the first max_validators by power, stopping
 * at the first without power, get their power; everyone else 0. */
static void desired_powers(const proto_staking_state *st, uint64_t *powers)
{
    ranked *order = g_new(ranked, st->count > 0 ? st->count : 1);
    for (uint32_t i = 0; i < st->count; i++) {
        order[i] = (ranked){.power = potential_power(st, &st->validators[i]), .index = i};
        powers[i] = 0;
    }
    qsort(order, st->count, sizeof *order, ranked_cmp);
    for (uint32_t k = 0; k < st->count && k < st->params.max_validators; k++) {
        if (order[k].power == 0)
            break;
        powers[order[k].index] = order[k].power;
    }
    g_free(order);
}

/* ApplyAndReturnValidatorSetUpdates: the set's members are bonded with
 * their power; the bonded ones left out begin unbonding. */
static void apply_set(proto_staking_state *st, uint64_t height, int64_t time_ns)
{
    uint64_t *powers = g_new(uint64_t, st->count > 0 ? st->count : 1);
    desired_powers(st, powers);
    for (uint32_t i = 0; i < st->count; i++) {
        proto_staking_validator *v = &st->validators[i];
        if (powers[i] > 0) {
            bond(st, v);
            v->power = powers[i];
        } else if (v->status == PROTO_STAKING_BONDED) {
            begin_unbonding(st, v, height, time_ns);
        }
    }
    g_free(powers);
}

/* UnbondAllMatureValidators: unbonding validators whose time and height
 * have both come are unbonded (their tokens are in the not-bonded pool
 * already). */
static void unbond_mature_validators(proto_staking_state *st, uint64_t height, int64_t time_ns)
{
    for (uint32_t i = 0; i < st->count; i++) {
        proto_staking_validator *v = &st->validators[i];
        if (v->status == PROTO_STAKING_UNBONDING && v->unbonding_time_ns <= time_ns &&
            v->unbonding_height <= height)
            v->status = PROTO_STAKING_UNBONDED;
    }
}

void proto_staking__update_set(proto_staking_state *st, uint64_t height, int64_t time_ns)
{
    apply_set(st, height, time_ns);
    unbond_mature_validators(st, height, time_ns);
}

/* Whether the set or a validator's status would change: the end block
 * takes a snapshot for undo only when it must. */
static bool set_would_change(const proto_staking_state *st, uint64_t height, int64_t time_ns)
{
    uint64_t *powers = g_new(uint64_t, st->count > 0 ? st->count : 1);
    desired_powers(st, powers);
    bool change = false;
    for (uint32_t i = 0; i < st->count && !change; i++) {
        const proto_staking_validator *v = &st->validators[i];
        change = powers[i] != v->power ||
                 (powers[i] > 0) != (v->status == PROTO_STAKING_BONDED) ||
                 (v->status == PROTO_STAKING_UNBONDING && v->unbonding_time_ns <= time_ns &&
                  v->unbonding_height <= height);
    }
    g_free(powers);
    return change;
}

static bool entries_mature(const proto_staking_state *st, int64_t time_ns)
{
    for (guint k = 0; k < st->unbondings->len; k++)
        if (g_array_index(st->unbondings, proto_staking_unbonding, k).completion_ns <= time_ns)
            return true;
    for (guint k = 0; k < st->redelegations->len; k++)
        if (g_array_index(st->redelegations, proto_staking_redelegation, k).completion_ns <= time_ns)
            return true;
    return false;
}

/* Read the attached validator set's jail and tombstone flags. */
static bool mirrors_differ(const proto_state *s, const proto_staking_state *st)
{
    const proto_valset *vs = proto_validator_set(s);
    for (uint32_t i = 0; vs != NULL && i < st->count && i < proto_valset_count(vs); i++) {
        const proto_validator *val = proto_valset_get(vs, i);
        if (val->jailed != st->validators[i].jailed ||
            val->tombstoned != st->validators[i].tombstoned)
            return true;
    }
    return false;
}

static void mirrors_sync(const proto_state *s, proto_staking_state *st)
{
    const proto_valset *vs = proto_validator_set(s);
    for (uint32_t i = 0; vs != NULL && i < st->count && i < proto_valset_count(vs); i++) {
        st->validators[i].jailed = proto_valset_get(vs, i)->jailed;
        st->validators[i].tombstoned = proto_valset_get(vs, i)->tombstoned;
    }
}

/* CompleteUnbonding for every mature entry: its balance leaves the
 * not-bonded pool for the delegator's account. */
static void complete_unbondings(proto_state *s, proto_staking_state *st,
                                const proto_msg_ctx *ctx)
{
    guint kept = 0;
    for (guint k = 0; k < st->unbondings->len; k++) {
        proto_staking_unbonding e = g_array_index(st->unbondings, proto_staking_unbonding, k);
        if (e.completion_ns > ctx->time_ns) {
            g_array_index(st->unbondings, proto_staking_unbonding, kept++) = e;
            continue;
        }
        g_assert(st->not_bonded_pool >= e.balance);
        st->not_bonded_pool -= e.balance;
        proto_account *a = proto_state_account_mut(s, e.delegator, ctx->undo);
        a->balance += proto_staking__u64(e.balance);
    }
    g_array_set_size(st->unbondings, kept);
}

/* CompleteRedelegation: mature entries go (the tokens moved already). */
static void complete_redelegations(proto_staking_state *st, int64_t time_ns)
{
    guint kept = 0;
    for (guint k = 0; k < st->redelegations->len; k++) {
        proto_staking_redelegation e =
            g_array_index(st->redelegations, proto_staking_redelegation, k);
        if (e.completion_ns > time_ns)
            g_array_index(st->redelegations, proto_staking_redelegation, kept++) = e;
    }
    g_array_set_size(st->redelegations, kept);
}

bool proto_staking__end_block(proto_state *s, const proto_msg_ctx *ctx)
{
    const proto_staking_state *now = proto_staking_get(s);
    if (now == NULL)
        return true;
    /* The common block changes nothing here: no snapshot, the root stays
     * cached. */
    if (mirrors_differ(s, now) || set_would_change(now, ctx->height, ctx->time_ns) ||
        entries_mature(now, ctx->time_ns)) {
        proto_staking_state *st = proto_staking__mut(s, ctx->undo);
        mirrors_sync(s, st);
        proto_staking__update_set(st, ctx->height, ctx->time_ns);
        complete_unbondings(s, st, ctx);
        complete_redelegations(st, ctx->time_ns);
    }
    proto_staking__sync_valset(s, ctx);
    return true;
}

void proto_staking_write_powers(const proto_state *s, proto_valset *v, uint64_t from_height)
{
    const proto_staking_state *st = proto_staking_get(s);
    g_assert(st != NULL);
    for (uint32_t i = 0; i < st->count && i < proto_valset_count(v); i++)
        proto_valset_set_power(v, i, st->validators[i].power, from_height);
}

void proto_staking_set_jailed(proto_state *s, uint32_t i, bool jailed, bool tombstoned,
                              proto_undo *undo)
{
    proto_staking_state *st = proto_staking__mut(s, undo);
    g_assert(i < st->count && (jailed || !tombstoned));
    st->validators[i].jailed = jailed;
    st->validators[i].tombstoned = tombstoned;
}
