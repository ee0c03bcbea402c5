/* The staking module's state (staking.h): parameters, copy and free, the
 * root over every field, the supply, undo by snapshot, the sorted
 * containers, genesis and the read-only accessors; and the module's
 * vtable. */
#include <string.h>

#include "protocol/chain/tx_envelope.h"
#include "protocol/core/codec.h"
#include "protocol/core/fastmix.h"
#include "protocol/modules/staking/staking_internal.h"

#define NS_PER_DAY (24LL * 3600 * 1000000000LL)

proto_staking_params proto_staking_defaults(void)
{
    return (proto_staking_params){
        .unbonding_time_ns = 21 * NS_PER_DAY,
        .max_validators = 100,
        .max_entries = 7,
        .min_self_bond = 1,
        .day_ns = NS_PER_DAY,
        .power_reduction = 1,
    };
}

const char *proto_staking_status_name(proto_staking_status s)
{
    switch (s) {
    case PROTO_STAKING_UNBONDED:
        return "unbonded";
    case PROTO_STAKING_UNBONDING:
        return "unbonding";
    case PROTO_STAKING_BONDED:
        return "bonded";
    }
    return "unknown";
}

const char *proto_staking_result_name(proto_staking_result r)
{
    static const char *const names[PROTO_STAKING_RESULT_COUNT] = {
        [PROTO_STAKING_OK] = "ok",
        [PROTO_STAKING_OUT_OF_GAS] = "out_of_gas",
        [PROTO_STAKING_NO_ACCOUNT] = "no_account",
        [PROTO_STAKING_NO_FUNDS] = "no_funds",
        [PROTO_STAKING_UNKNOWN_VALIDATOR] = "unknown_validator",
        [PROTO_STAKING_NOT_OPERATOR] = "not_operator",
        [PROTO_STAKING_ALREADY_CREATED] = "already_created",
        [PROTO_STAKING_TOMBSTONED] = "tombstoned",
        [PROTO_STAKING_JAILED] = "jailed",
        [PROTO_STAKING_ZERO_AMOUNT] = "zero_amount",
        [PROTO_STAKING_SELF_BOND_BELOW_MIN] = "self_bond_below_min",
        [PROTO_STAKING_BAD_COMMISSION] = "bad_commission",
        [PROTO_STAKING_COMMISSION_OVER_MAX] = "commission_over_max",
        [PROTO_STAKING_COMMISSION_TOO_SOON] = "commission_too_soon",
        [PROTO_STAKING_COMMISSION_TOO_LARGE] = "commission_too_large",
        [PROTO_STAKING_NO_DELEGATION] = "no_delegation",
        [PROTO_STAKING_OVER_DELEGATION] = "over_delegation",
        [PROTO_STAKING_MAX_ENTRIES] = "max_entries",
        [PROTO_STAKING_TRANSITIVE_REDELEGATION] = "transitive_redelegation",
        [PROTO_STAKING_SELF_REDELEGATION] = "self_redelegation",
        [PROTO_STAKING_TINY_REDELEGATION] = "tiny_redelegation",
        [PROTO_STAKING_INVALID_EX_RATE] = "invalid_ex_rate",
        [PROTO_STAKING_NO_UNBONDING_ENTRY] = "no_unbonding_entry",
        [PROTO_STAKING_OVER_ENTRY_BALANCE] = "over_entry_balance",
        [PROTO_STAKING_UNBONDED_VALIDATOR] = "unbonded_validator",
        [PROTO_STAKING_BAD_FRACTION] = "bad_fraction",
        [PROTO_STAKING_FUTURE_INFRACTION] = "future_infraction",
    };
    if ((unsigned)r >= PROTO_STAKING_RESULT_COUNT || names[r] == NULL)
        return "unknown";
    return names[r];
}

uint64_t proto_staking__u64(proto_amount a)
{
    g_assert(a >= 0 && a <= (proto_amount)UINT64_MAX);
    return (uint64_t)a;
}

/* ---- new, copy, free ---- */

proto_staking_state *proto_staking__new(const proto_staking_params *params, uint32_t count)
{
    g_assert(params->unbonding_time_ns > 0 && params->max_validators > 0 &&
             params->max_entries > 0 && params->day_ns > 0 && params->power_reduction > 0);
    proto_staking_state *st = g_new0(proto_staking_state, 1);
    st->params = *params;
    st->count = count;
    st->validators = g_new0(proto_staking_validator, count > 0 ? count : 1);
    for (uint32_t i = 0; i < count; i++)
        st->validators[i].shares = proto_shares_validator_empty();
    st->delegations = g_array_new(FALSE, TRUE, sizeof(proto_staking_delegation));
    st->unbondings = g_array_new(FALSE, TRUE, sizeof(proto_staking_unbonding));
    st->redelegations = g_array_new(FALSE, TRUE, sizeof(proto_staking_redelegation));
    return st;
}

static GArray *array_copy(const GArray *a, guint element_size)
{
    GArray *c = g_array_sized_new(FALSE, TRUE, element_size, a->len);
    g_array_append_vals(c, a->data, a->len);
    return c;
}

static void *staking_copy(const void *state)
{
    const proto_staking_state *st = state;
    proto_staking_state *c = g_new0(proto_staking_state, 1);
    *c = *st;
    c->validators = g_memdup2(st->validators,
                              sizeof(proto_staking_validator) * (st->count > 0 ? st->count : 1));
    c->delegations = array_copy(st->delegations, sizeof(proto_staking_delegation));
    c->unbondings = array_copy(st->unbondings, sizeof(proto_staking_unbonding));
    c->redelegations = array_copy(st->redelegations, sizeof(proto_staking_redelegation));
    return c;
}

static void staking_free(void *state)
{
    proto_staking_state *st = state;
    if (st == NULL)
        return;
    g_free(st->validators);
    g_array_unref(st->delegations);
    g_array_unref(st->unbondings);
    g_array_unref(st->redelegations);
    g_free(st);
}

/* ---- root: every field, in a fixed order ---- */

static void put_u64(GByteArray *b, uint64_t x)
{
    uint8_t buf[8];
    proto_le_put_u64(buf, x);
    g_byte_array_append(b, buf, 8);
}

static void put_amount(GByteArray *b, proto_amount a)
{
    unsigned __int128 u = (unsigned __int128)a;
    put_u64(b, (uint64_t)u);
    put_u64(b, (uint64_t)(u >> 64));
}

static void put_dec(GByteArray *b, proto_dec d)
{
    for (int k = 0; k < PROTO_DEC_LIMBS; k++)
        put_u64(b, d.mag[k]);
    uint8_t neg = d.neg ? 1 : 0;
    g_byte_array_append(b, &neg, 1);
}

static void put_validator(GByteArray *b, const proto_staking_validator *v)
{
    put_u64(b, v->operator_account);
    uint8_t flags = (uint8_t)((v->created ? 1 : 0) | (v->jailed ? 2 : 0) |
                              (v->tombstoned ? 4 : 0) | ((unsigned)v->status << 3));
    g_byte_array_append(b, &flags, 1);
    put_amount(b, v->shares.tokens);
    put_dec(b, v->shares.delegator_shares);
    put_u64(b, v->unbonding_height);
    put_u64(b, (uint64_t)v->unbonding_time_ns);
    put_dec(b, v->commission.rate);
    put_dec(b, v->commission.max_rate);
    put_dec(b, v->commission.max_change_rate);
    put_u64(b, (uint64_t)v->commission.update_time_ns);
    put_amount(b, v->min_self_delegation);
    put_u64(b, v->power);
}

static void put_params(GByteArray *b, const proto_staking_params *p)
{
    put_u64(b, (uint64_t)p->unbonding_time_ns);
    put_u64(b, p->max_validators);
    put_u64(b, p->max_entries);
    put_u64(b, p->min_self_bond);
    put_u64(b, (uint64_t)p->day_ns);
    put_u64(b, p->power_reduction);
}

static void hash_bytes(const GByteArray *b, bool fast, proto_hash *out)
{
    if (fast)
        proto_fastmix(out->bytes, PROTO_HASH_SIZE, "staking", 7, b->data, b->len);
    else
        proto_hash_bytes(out, b->data, b->len);
}

/* The bucket hashes the cache lacks (staking_internal.h): each bucket's
 * delegations in their sorted order. */
static void delegation_buckets(proto_staking_state *st, bool fast)
{
    if (st->dbucket_fast != fast)
        memset(st->dbucket_valid, 0, sizeof st->dbucket_valid);
    st->dbucket_fast = fast;
    GByteArray *b = g_byte_array_new();
    for (uint32_t q = 0; q < STAKING_DELEGATION_BUCKETS; q++) {
        if (st->dbucket_valid[q])
            continue;
        g_byte_array_set_size(b, 0);
        for (guint k = 0; k < st->delegations->len; k++) {
            const proto_staking_delegation *d =
                &g_array_index(st->delegations, proto_staking_delegation, k);
            if (d->delegator % STAKING_DELEGATION_BUCKETS != q)
                continue;
            put_u64(b, ((uint64_t)d->delegator << 32) | d->validator);
            put_dec(b, d->shares);
        }
        hash_bytes(b, fast, &st->dbucket_hash[q]);
        st->dbucket_valid[q] = true;
    }
    g_byte_array_unref(b);
}

static void staking_encode(const proto_staking_state *st, GByteArray *b)
{
    put_params(b, &st->params);
    put_u64(b, st->count);
    for (uint32_t i = 0; i < st->count; i++)
        put_validator(b, &st->validators[i]);
    put_amount(b, st->bonded_pool);
    put_amount(b, st->not_bonded_pool);
    put_u64(b, st->delegations->len);
    for (uint32_t q = 0; q < STAKING_DELEGATION_BUCKETS; q++)
        g_byte_array_append(b, st->dbucket_hash[q].bytes, PROTO_HASH_SIZE);
    put_u64(b, st->unbondings->len);
    for (guint k = 0; k < st->unbondings->len; k++) {
        const proto_staking_unbonding *e = &g_array_index(st->unbondings, proto_staking_unbonding, k);
        put_u64(b, ((uint64_t)e->delegator << 32) | e->validator);
        put_u64(b, e->creation_height);
        put_u64(b, (uint64_t)e->completion_ns);
        put_amount(b, e->initial_balance);
        put_amount(b, e->balance);
    }
    put_u64(b, st->redelegations->len);
    for (guint k = 0; k < st->redelegations->len; k++) {
        const proto_staking_redelegation *e =
            &g_array_index(st->redelegations, proto_staking_redelegation, k);
        put_u64(b, ((uint64_t)e->delegator << 32) | e->src);
        put_u64(b, e->dst);
        put_u64(b, e->creation_height);
        put_u64(b, (uint64_t)e->completion_ns);
        put_amount(b, e->initial_balance);
        put_dec(b, e->shares_dst);
    }
}

static void staking_root(const void *state, bool fast, proto_hash *out)
{
    delegation_buckets((proto_staking_state *)state, fast); /* a cache: staking_internal.h */
    GByteArray *b = g_byte_array_new();
    staking_encode(state, b);
    hash_bytes(b, fast, out);
    g_byte_array_unref(b);
}

static uint64_t staking_supply(const void *state)
{
    const proto_staking_state *st = state;
    return proto_staking__u64(st->bonded_pool + st->not_bonded_pool);
}

/* ---- undo: a snapshot at the first change in a scope ---- */

static void staking_restore_snapshot(proto_state *s, proto_undo_record *r)
{
    proto_staking_state *now = proto_state_module_swap(s, PROTO_STAKING_MODULE_ID, r->data);
    r->data = NULL;
    staking_free(now);
}

proto_staking_state *proto_staking__mut(proto_state *s, proto_undo *undo)
{
    proto_staking_state *st = proto_state_module_mut(s, PROTO_STAKING_MODULE_ID);
    g_assert(st != NULL);
    if (undo != NULL &&
        !proto_undo_has(undo, PROTO_STAKING_MODULE_ID, staking_restore_snapshot)) {
        proto_undo_record r = {.module_id = PROTO_STAKING_MODULE_ID,
                               .restore = staking_restore_snapshot,
                               .free = staking_free,
                               .data = staking_copy(st)};
        proto_undo_push(undo, &r);
    }
    return st;
}

/* ---- sorted containers ---- */

static int key2_cmp(uint32_t a0, uint32_t a1, uint32_t b0, uint32_t b1)
{
    if (a0 != b0)
        return a0 < b0 ? -1 : 1;
    if (a1 != b1)
        return a1 < b1 ? -1 : 1;
    return 0;
}

/* First delegation index whose key is >= (delegator, validator). */
static guint delegation_lower(const proto_staking_state *st, uint32_t delegator,
                              uint32_t validator)
{
    guint lo = 0, hi = st->delegations->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        const proto_staking_delegation *d =
            &g_array_index(st->delegations, proto_staking_delegation, mid);
        if (key2_cmp(d->delegator, d->validator, delegator, validator) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

gint proto_staking__delegation_find(const proto_staking_state *st, uint32_t delegator,
                                    uint32_t validator)
{
    guint k = delegation_lower(st, delegator, validator);
    if (k >= st->delegations->len)
        return -1;
    const proto_staking_delegation *d = &g_array_index(st->delegations, proto_staking_delegation, k);
    return d->delegator == delegator && d->validator == validator ? (gint)k : -1;
}

void proto_staking__delegation_add(proto_staking_state *st, uint32_t delegator,
                                   uint32_t validator, proto_dec shares)
{
    gint k = proto_staking__delegation_find(st, delegator, validator);
    st->dbucket_valid[delegator % STAKING_DELEGATION_BUCKETS] = false;
    if (k >= 0) {
        proto_staking_delegation *d = &g_array_index(st->delegations, proto_staking_delegation, k);
        g_assert(proto_dec_add(d->shares, shares, &d->shares) == PROTO_DEC_OK);
        return;
    }
    proto_staking_delegation d = {.delegator = delegator, .validator = validator, .shares = shares};
    g_array_insert_val(st->delegations, delegation_lower(st, delegator, validator), d);
}

/* Entries of one key lie together; the range's ends by binary search on
 * a comparison of an entry with the key (< 0: entry before it). */
typedef int (*entry_cmp_fn)(const void *entry, const uint32_t *key);

static guint entries_bound(const GArray *a, entry_cmp_fn cmp, const uint32_t *key, bool upper)
{
    guint lo = 0, hi = a->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        int c = cmp(a->data + (gsize)mid * g_array_get_element_size((GArray *)a), key);
        if (c < 0 || (upper && c == 0))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int unbonding_cmp(const void *entry, const uint32_t *key)
{
    const proto_staking_unbonding *e = entry;
    return key2_cmp(e->delegator, e->validator, key[0], key[1]);
}

static int redelegation_cmp(const void *entry, const uint32_t *key)
{
    const proto_staking_redelegation *e = entry;
    int c = key2_cmp(e->delegator, e->src, key[0], key[1]);
    return c != 0 ? c : key2_cmp(e->dst, 0, key[2], 0);
}

void proto_staking__unbonding_range(const proto_staking_state *st, uint32_t delegator,
                                    uint32_t validator, guint *first, guint *last)
{
    const uint32_t key[2] = {delegator, validator};
    *first = entries_bound(st->unbondings, unbonding_cmp, key, false);
    *last = entries_bound(st->unbondings, unbonding_cmp, key, true);
}

void proto_staking__redelegation_range(const proto_staking_state *st, uint32_t delegator,
                                       uint32_t src, uint32_t dst, guint *first, guint *last)
{
    const uint32_t key[3] = {delegator, src, dst};
    *first = entries_bound(st->redelegations, redelegation_cmp, key, false);
    *last = entries_bound(st->redelegations, redelegation_cmp, key, true);
}

/* ---- genesis ---- */

static proto_dec rate_dec(uint64_t fixed)
{
    proto_dec d = proto_dec_zero();
    d.mag[0] = fixed; /* the wire's 18-decimal fixed point is proto_dec's scale */
    return d;
}

static void genesis_validator(proto_staking_state *st, const proto_state *s, uint32_t i,
                              const proto_staking_genesis_validator *g, int64_t time_ns)
{
    g_assert(g->operator_account < proto_state_account_count(s));
    g_assert(g->max_rate <= PROTO_TXMSG_RATE_ONE && g->rate <= g->max_rate &&
             g->max_change_rate <= g->max_rate);
    proto_staking_validator *v = &st->validators[i];
    v->operator_account = g->operator_account;
    v->commission = (proto_staking_commission){.rate = rate_dec(g->rate),
                                               .max_rate = rate_dec(g->max_rate),
                                               .max_change_rate = rate_dec(g->max_change_rate),
                                               .update_time_ns = time_ns};
    v->min_self_delegation = (proto_amount)st->params.min_self_bond;
    if (g->self_bond == 0)
        return;
    g_assert(g->self_bond >= st->params.min_self_bond);
    v->created = true;
    proto_staking__delegate(st, g->operator_account, i, (proto_amount)g->self_bond,
                            STAKING_FROM_ACCOUNT);
}

void proto_staking_genesis(proto_state *s, const proto_staking_params *params, uint32_t count,
                           const proto_staking_genesis_validator *validators,
                           uint32_t delegations_count,
                           const proto_staking_genesis_delegation *delegations, int64_t time_ns)
{
    proto_staking_state *st = proto_staking__new(params, count);
    for (uint32_t i = 0; i < count; i++)
        genesis_validator(st, s, i, &validators[i], time_ns);
    for (uint32_t k = 0; k < delegations_count; k++) {
        const proto_staking_genesis_delegation *g = &delegations[k];
        g_assert(g->validator < count && st->validators[g->validator].created);
        g_assert(g->delegator < proto_state_account_count(s) && g->amount > 0);
        proto_staking__delegate(st, g->delegator, g->validator, (proto_amount)g->amount,
                                STAKING_FROM_ACCOUNT);
    }
    proto_staking__update_set(st, 0, time_ns);
    proto_state_module_attach(s, PROTO_STAKING_MODULE_ID, st);
}

/* ---- reading ---- */

const proto_staking_state *proto_staking_get(const proto_state *s)
{
    return proto_state_module(s, PROTO_STAKING_MODULE_ID);
}

const proto_staking_params *proto_staking_params_of(const proto_staking_state *st)
{
    return &st->params;
}

uint32_t proto_staking_validators_count(const proto_staking_state *st)
{
    return st->count;
}

const proto_staking_validator *proto_staking_validator_get(const proto_staking_state *st,
                                                           uint32_t i)
{
    return i < st->count ? &st->validators[i] : NULL;
}

proto_dec proto_staking_delegation_shares(const proto_staking_state *st, uint32_t delegator,
                                          uint32_t validator)
{
    gint k = proto_staking__delegation_find(st, delegator, validator);
    return k < 0 ? proto_dec_zero()
                 : g_array_index(st->delegations, proto_staking_delegation, k).shares;
}

uint32_t proto_staking_delegations_count(const proto_staking_state *st)
{
    return st->delegations->len;
}

const proto_staking_delegation *proto_staking_delegation_at(const proto_staking_state *st,
                                                            uint32_t k)
{
    g_assert(k < st->delegations->len);
    return &g_array_index(st->delegations, proto_staking_delegation, k);
}

uint32_t proto_staking_unbondings_count(const proto_staking_state *st)
{
    return st->unbondings->len;
}

const proto_staking_unbonding *proto_staking_unbonding_at(const proto_staking_state *st,
                                                          uint32_t k)
{
    g_assert(k < st->unbondings->len);
    return &g_array_index(st->unbondings, proto_staking_unbonding, k);
}

uint32_t proto_staking_redelegations_count(const proto_staking_state *st)
{
    return st->redelegations->len;
}

const proto_staking_redelegation *proto_staking_redelegation_at(const proto_staking_state *st,
                                                                uint32_t k)
{
    g_assert(k < st->redelegations->len);
    return &g_array_index(st->redelegations, proto_staking_redelegation, k);
}

proto_amount proto_staking_delegation_tokens(const proto_staking_state *st,
                                             const proto_staking_delegation *d)
{
    g_assert(d->validator < st->count);
    proto_dec tokens;
    proto_amount whole = 0;
    if (proto_shares_tokens_from_shares_truncated(&st->validators[d->validator].shares, d->shares,
                                                  &tokens) != PROTO_SHARES_OK ||
        proto_dec_truncate_int(tokens, &whole) != PROTO_DEC_OK || whole < 0)
        return 0;
    return whole;
}

proto_amount proto_staking_bonded_pool(const proto_staking_state *st)
{
    return st->bonded_pool;
}

proto_amount proto_staking_not_bonded_pool(const proto_staking_state *st)
{
    return st->not_bonded_pool;
}

/* ---- the module ---- */

static const char *staking_result_name(uint32_t code)
{
    return proto_staking_result_name((proto_staking_result)code);
}

const proto_module proto_staking_module = {
    .name = "staking",
    .id = PROTO_STAKING_MODULE_ID,
    .copy = staking_copy,
    .free = staking_free,
    .root = staking_root,
    .supply = staking_supply,
    .routes = proto_staking__routes,
    .routes_count = PROTO_STAKING__ROUTES_COUNT,
    .result_name = staking_result_name,
    .end_block = proto_staking__end_block,
    .invariants = proto_staking__invariants,
};
