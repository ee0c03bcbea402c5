/* The distribution module's state (distribution.h): copy and free, the
 * root over every field, the supply, the per-record undo of the counters,
 * the validator records and the votes, the genesis, and the vtable. */
#include <string.h>

#include "protocol/core/codec.h"
#include "protocol/core/fastmix.h"
#include "protocol/modules/distribution/distribution_internal.h"

/* ---- new, copy, free ---- */

static dist_state *dist_new(const proto_f1_params *params, uint32_t count)
{
    dist_state *st = g_new0(dist_state, 1);
    st->g.params = *params;
    st->g.community_pool = proto_dec_zero();
    st->count = count;
    st->validators = g_new0(dist_validator, count > 0 ? count : 1);
    for (int t = 0; t < DIST_TABLES; t++)
        st->tables[t] = g_array_new(FALSE, TRUE, sizeof(dist_entry));
    st->votes = g_array_new(FALSE, TRUE, sizeof(dist_vote));
    st->proposer = UINT32_MAX;
    st->seg_hash = g_new0(proto_hash, (gsize)DIST_TABLES * MAX(count, 1));
    st->seg_valid = g_new0(bool, (gsize)DIST_TABLES * MAX(count, 1));
    return st;
}

static GArray *array_copy(const GArray *a, guint element_size)
{
    GArray *c = g_array_sized_new(FALSE, TRUE, element_size, a->len);
    g_array_append_vals(c, a->data, a->len);
    return c;
}

static void *dist_copy(const void *state)
{
    const dist_state *st = state;
    dist_state *c = g_new0(dist_state, 1);
    *c = *st;
    c->validators = g_memdup2(st->validators,
                              sizeof(dist_validator) * (st->count > 0 ? st->count : 1));
    for (int t = 0; t < DIST_TABLES; t++)
        c->tables[t] = array_copy(st->tables[t], sizeof(dist_entry));
    c->votes = array_copy(st->votes, sizeof(dist_vote));
    gsize segs = (gsize)DIST_TABLES * MAX(st->count, 1);
    c->seg_hash = g_memdup2(st->seg_hash, segs * sizeof(proto_hash));
    c->seg_valid = g_memdup2(st->seg_valid, segs * sizeof(bool));
    return c;
}

static void dist_free(void *state)
{
    dist_state *st = state;
    if (st == NULL)
        return;
    g_free(st->validators);
    for (int t = 0; t < DIST_TABLES; t++)
        g_array_unref(st->tables[t]);
    g_array_unref(st->votes);
    g_free(st->seg_hash);
    g_free(st->seg_valid);
    g_free(st);
}

/* ---- root: every field, in a fixed order ---- */

static void put_u64(GByteArray *b, uint64_t x)
{
    uint8_t buf[8];
    proto_le_put_u64(buf, x);
    g_byte_array_append(b, buf, 8);
}

static void put_dec(GByteArray *b, proto_dec d)
{
    for (int k = 0; k < PROTO_DEC_LIMBS; k++)
        put_u64(b, d.mag[k]);
    uint8_t neg = d.neg ? 1 : 0;
    g_byte_array_append(b, &neg, 1);
}

static void put_entry(GByteArray *b, dist_table t, const dist_entry *e)
{
    put_u64(b, ((uint64_t)e->key.a << 32) | e->key.b);
    put_u64(b, e->key.c);
    put_u64(b, e->key.d);
    if (t == DIST_HISTORICAL) {
        put_dec(b, e->hist.ratio);
        put_u64(b, e->hist.refs);
    } else if (t == DIST_SLASHES) {
        put_dec(b, e->slash.fraction);
        put_dec(b, e->slash.ratio);
    } else {
        put_u64(b, e->start.period);
        put_u64(b, e->start.height);
        put_dec(b, e->start.stake);
    }
}

static void put_globals(GByteArray *b, const dist_globals *g)
{
    put_dec(b, g->params.community_tax);
    put_dec(b, g->params.base_proposer_reward);
    put_dec(b, g->params.bonus_proposer_reward);
    put_u64(b, g->fee_collector);
    put_u64(b, g->tokens);
    put_dec(b, g->community_pool);
    put_u64(b, g->rewards_claimed);
    put_u64(b, g->commission_claimed);
}

static void hash_bytes(const GByteArray *b, bool fast, proto_hash *out)
{
    if (fast)
        proto_fastmix(out->bytes, PROTO_HASH_SIZE, "distribution", 12, b->data, b->len);
    else
        proto_hash_bytes(out, b->data, b->len);
}

/* The segment hashes the cache lacks (see distribution_internal.h). */
static void table_hashes(dist_state *st, bool fast)
{
    if (st->seg_fast != fast)
        memset(st->seg_valid, 0, (gsize)DIST_TABLES * MAX(st->count, 1) * sizeof(bool));
    st->seg_fast = fast;
    GByteArray *b = g_byte_array_new();
    for (int t = 0; t < DIST_TABLES; t++) {
        for (uint32_t a = 0; a < st->count; a++) {
            guint i = (guint)t * st->count + a;
            if (st->seg_valid[i])
                continue;
            guint first = 0, last = 0;
            dist__range(st, (dist_table)t, a, 0, true, &first, &last);
            g_byte_array_set_size(b, 0);
            for (guint k = first; k < last; k++)
                put_entry(b, (dist_table)t, &g_array_index(st->tables[t], dist_entry, k));
            hash_bytes(b, fast, &st->seg_hash[i]);
            st->seg_valid[i] = true;
        }
    }
    g_byte_array_unref(b);
}

/* Globals, validators, each table's length and hash, the votes. */
static void dist_encode(const dist_state *st, GByteArray *b)
{
    put_globals(b, &st->g);
    put_u64(b, st->count);
    for (uint32_t i = 0; i < st->count; i++) {
        const dist_validator *v = &st->validators[i];
        put_u64(b, v->initialized ? 1 : 0);
        put_u64(b, v->period);
        put_dec(b, v->current);
        put_dec(b, v->outstanding);
        put_dec(b, v->commission);
    }
    for (int t = 0; t < DIST_TABLES; t++) {
        put_u64(b, st->tables[t]->len);
        for (uint32_t a = 0; a < st->count; a++)
            g_byte_array_append(b, st->seg_hash[(guint)t * st->count + a].bytes,
                                PROTO_HASH_SIZE);
    }
    put_u64(b, st->votes_recorded ? 1 : 0);
    put_u64(b, st->proposer);
    put_u64(b, st->votes->len);
    for (guint k = 0; k < st->votes->len; k++) {
        const dist_vote *v = &g_array_index(st->votes, dist_vote, k);
        put_u64(b, v->power);
        put_u64(b, v->signed_vote ? 1 : 0);
    }
}

static void dist_root(const void *state, bool fast, proto_hash *out)
{
    table_hashes((dist_state *)state, fast); /* a cache: see distribution_internal.h */
    GByteArray *b = g_byte_array_new();
    dist_encode(state, b);
    hash_bytes(b, fast, out);
    g_byte_array_unref(b);
}

/* The fee collector and the module account: whole coins, both. */
static uint64_t dist_supply(const void *state)
{
    const dist_state *st = state;
    g_assert(st->g.tokens <= UINT64_MAX - st->g.fee_collector);
    return st->g.tokens + st->g.fee_collector;
}

/* ---- per-record undo ---- */

const dist_state *dist__get(const proto_state *s)
{
    return proto_state_module(s, PROTO_DISTRIBUTION_MODULE_ID);
}

static dist_state *dist_mut(proto_state *s)
{
    dist_state *st = proto_state_module_mut(s, PROTO_DISTRIBUTION_MODULE_ID);
    g_assert(st != NULL);
    return st;
}

static void restore_globals(proto_state *s, proto_undo_record *r)
{
    dist_mut(s)->g = *(const dist_globals *)r->data;
}

dist_globals *dist__globals_mut(proto_state *s, proto_undo *undo)
{
    dist_state *st = dist_mut(s);
    proto_undo_record r = {.module_id = PROTO_DISTRIBUTION_MODULE_ID,
                           .restore = restore_globals,
                           .free = g_free,
                           .data = g_memdup2(&st->g, sizeof st->g)};
    if (undo != NULL)
        proto_undo_push(undo, &r);
    else
        g_free(r.data);
    return &st->g;
}

static void restore_validator(proto_state *s, proto_undo_record *r)
{
    dist_state *st = dist_mut(s);
    g_assert(r->u64[0] < st->count);
    st->validators[r->u64[0]] = *(const dist_validator *)r->data;
}

dist_validator *dist__validator_mut(proto_state *s, uint32_t i, proto_undo *undo)
{
    dist_state *st = dist_mut(s);
    g_assert(i < st->count);
    if (undo != NULL) {
        proto_undo_record r = {.module_id = PROTO_DISTRIBUTION_MODULE_ID,
                               .restore = restore_validator,
                               .free = g_free,
                               .data = g_memdup2(&st->validators[i], sizeof(dist_validator)),
                               .u64 = {i, 0}};
        proto_undo_push(undo, &r);
    }
    return &st->validators[i];
}

/* The votes as they were: recorded flag, proposer, and the array (owned). */
typedef struct dist_votes_saved {
    bool recorded;
    uint32_t proposer;
    GArray *votes;
} dist_votes_saved;

static void votes_saved_free(void *data)
{
    dist_votes_saved *v = data;
    g_array_unref(v->votes);
    g_free(v);
}

static void restore_votes(proto_state *s, proto_undo_record *r)
{
    dist_state *st = dist_mut(s);
    dist_votes_saved *v = r->data;
    st->votes_recorded = v->recorded;
    st->proposer = v->proposer;
    GArray *old = st->votes;
    st->votes = v->votes;
    v->votes = old; /* freed with the record */
}

void dist__votes_set(proto_state *s, bool recorded, uint32_t proposer, const dist_vote *votes,
                     uint32_t count, proto_undo *undo)
{
    dist_state *st = dist_mut(s);
    if (undo != NULL) {
        dist_votes_saved *saved = g_new0(dist_votes_saved, 1);
        *saved = (dist_votes_saved){.recorded = st->votes_recorded,
                                    .proposer = st->proposer,
                                    .votes = array_copy(st->votes, sizeof(dist_vote))};
        proto_undo_record r = {.module_id = PROTO_DISTRIBUTION_MODULE_ID,
                               .restore = restore_votes,
                               .free = votes_saved_free,
                               .data = saved};
        proto_undo_push(undo, &r);
    }
    st->votes_recorded = recorded;
    st->proposer = proposer;
    g_array_set_size(st->votes, 0);
    if (count > 0)
        g_array_append_vals(st->votes, votes, count);
}

/* ---- genesis ---- */

/* Every created validator's records, then each delegation as
 * x/staking's InitGenesis reports it through the hooks
 * (BeforeDelegationCreated, AfterDelegationModified), at height 0. */
void proto_distribution_genesis(proto_state *s, const proto_f1_params *params)
{
    const proto_staking_state *sk = proto_staking_get(s);
    g_assert(sk != NULL);
    proto_f1_allocation none; /* validates the parameters (Params.ValidateBasic) */
    g_assert(proto_f1_allocate(params, proto_dec_zero(), 0, 0, NULL, 0, false, NULL, &none) ==
             PROTO_F1_OK);
    uint32_t count = proto_staking_validators_count(sk);
    proto_state_module_attach(s, PROTO_DISTRIBUTION_MODULE_ID, dist_new(params, count));
    for (uint32_t i = 0; i < count; i++)
        if (proto_staking_validator_get(sk, i)->created)
            dist__init_validator(s, i, NULL);
    for (uint32_t k = 0; k < proto_staking_delegations_count(sk); k++) {
        const proto_staking_delegation *d = proto_staking_delegation_at(sk, k);
        dist__increment_period(s, d->validator, NULL);
        dist__init_delegation(s, d->validator, d->delegator, 0, NULL);
    }
    proto_staking_set_hooks(s, &dist__hooks);
}

bool proto_distribution_active(const proto_state *s)
{
    return dist__get(s) != NULL;
}

/* ---- the module ---- */

static const char *dist_result_name(uint32_t code)
{
    return proto_distribution_result_name((proto_distribution_result)code);
}

const proto_module proto_distribution_module = {
    .name = "distribution",
    .id = PROTO_DISTRIBUTION_MODULE_ID,
    .copy = dist_copy,
    .free = dist_free,
    .root = dist_root,
    .supply = dist_supply,
    .routes = dist__routes,
    .routes_count = DIST__ROUTES_COUNT,
    .result_name = dist_result_name,
    .end_block = dist__end_block,
    .invariants = dist__invariants,
};
