/* The distribution module's keyed tables (distribution_internal.h):
 * historical rewards, slash events and starting infos as sorted arrays of
 * one entry type, found by binary search, each change recorded for undo
 * as the entry's old value or its absence. A thousand delegators cost a
 * thousand entries, and a message that touches one records one. */
#include <string.h>

#include "protocol/modules/distribution/distribution_internal.h"

static int u64_cmp(uint64_t x, uint64_t y)
{
    return x < y ? -1 : (x > y ? 1 : 0);
}

static int key_cmp(const dist_key *x, const dist_key *y)
{
    int c = u64_cmp(x->a, y->a);
    if (c == 0)
        c = u64_cmp(x->b, y->b);
    if (c == 0)
        c = u64_cmp(x->c, y->c);
    if (c == 0)
        c = u64_cmp(x->d, y->d);
    return c;
}

dist_key dist__key_hist(uint32_t validator, uint64_t period)
{
    return (dist_key){.a = validator, .b = 0, .c = period, .d = 0};
}

dist_key dist__key_start(uint32_t validator, uint32_t delegator)
{
    return (dist_key){.a = validator, .b = delegator, .c = 0, .d = 0};
}

dist_key dist__key_slash(uint32_t validator, uint64_t height, uint64_t period)
{
    return (dist_key){.a = validator, .b = 0, .c = height, .d = period};
}

/* First index whose key is >= key. */
static guint lower_bound(const GArray *a, const dist_key *key)
{
    guint lo = 0, hi = a->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        if (key_cmp(&g_array_index(a, dist_entry, mid).key, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static gint find_index(const GArray *a, const dist_key *key)
{
    guint k = lower_bound(a, key);
    if (k < a->len && key_cmp(&g_array_index(a, dist_entry, k).key, key) == 0)
        return (gint)k;
    return -1;
}

const dist_entry *dist__find(const dist_state *st, dist_table t, dist_key key)
{
    gint k = find_index(st->tables[t], &key);
    return k < 0 ? NULL : &g_array_index(st->tables[t], dist_entry, k);
}

const dist_entry *dist__at(const dist_state *st, dist_table t, guint k)
{
    g_assert(k < st->tables[t]->len);
    return &g_array_index(st->tables[t], dist_entry, k);
}

void dist__range(const dist_state *st, dist_table t, uint32_t a, uint32_t b, bool any_b,
                 guint *first, guint *last)
{
    const GArray *arr = st->tables[t];
    dist_key lo = {.a = a, .b = any_b ? 0 : b, .c = 0, .d = 0};
    *first = lower_bound(arr, &lo);
    guint k = *first;
    while (k < arr->len) {
        const dist_key *key = &g_array_index(arr, dist_entry, k).key;
        if (key->a != a || (!any_b && key->b != b))
            break;
        k++;
    }
    *last = k;
}

/* Write e into table t (insert or overwrite); no undo. */
static void table_write(dist_state *st, dist_table t, const dist_entry *e)
{
    GArray *a = st->tables[t];
    g_assert(e->key.a < st->count);
    st->seg_valid[(guint)t * st->count + e->key.a] = false;
    guint k = lower_bound(a, &e->key);
    if (k < a->len && key_cmp(&g_array_index(a, dist_entry, k).key, &e->key) == 0)
        g_array_index(a, dist_entry, k) = *e;
    else
        g_array_insert_val(a, k, *e);
}

static void table_erase(dist_state *st, dist_table t, const dist_key *key)
{
    gint k = find_index(st->tables[t], key);
    if (key->a < st->count)
        st->seg_valid[(guint)t * st->count + key->a] = false;
    if (k >= 0)
        g_array_remove_index(st->tables[t], (guint)k);
}

/* u64[0]: the table; u64[1]: 1 if the entry existed (data holds it),
 * 0 if not (data holds only its key). */
static void restore_entry(proto_state *s, proto_undo_record *r)
{
    dist_state *st = proto_state_module_mut(s, PROTO_DISTRIBUTION_MODULE_ID);
    g_assert(st != NULL && r->u64[0] < DIST_TABLES);
    const dist_entry *old = r->data;
    if (r->u64[1] != 0)
        table_write(st, (dist_table)r->u64[0], old);
    else
        table_erase(st, (dist_table)r->u64[0], &old->key);
}

static void record_old(proto_undo *undo, const dist_state *st, dist_table t, const dist_key *key)
{
    if (undo == NULL)
        return;
    const dist_entry *old = dist__find(st, t, *key);
    dist_entry *saved = g_new0(dist_entry, 1);
    if (old != NULL)
        *saved = *old;
    else
        saved->key = *key;
    proto_undo_record r = {.module_id = PROTO_DISTRIBUTION_MODULE_ID,
                           .restore = restore_entry,
                           .free = g_free,
                           .data = saved,
                           .u64 = {(uint64_t)t, old != NULL ? 1u : 0u}};
    proto_undo_push(undo, &r);
}

void dist__put(proto_state *s, dist_table t, const dist_entry *e, proto_undo *undo)
{
    dist_state *st = proto_state_module_mut(s, PROTO_DISTRIBUTION_MODULE_ID);
    g_assert(st != NULL);
    record_old(undo, st, t, &e->key);
    table_write(st, t, e);
}

void dist__remove(proto_state *s, dist_table t, dist_key key, proto_undo *undo)
{
    dist_state *st = proto_state_module_mut(s, PROTO_DISTRIBUTION_MODULE_ID);
    g_assert(st != NULL && dist__find(st, t, key) != NULL);
    record_old(undo, st, t, &key);
    table_erase(st, t, &key);
}
