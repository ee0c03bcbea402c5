/* An execution memo shared by the nodes of one chain (see exec_memo.h).
 *
 * Entries are few, so they live in a plain array searched linearly by
 * (pre-state root, block hash): no hash table, no order to leak. A miss
 * executes on the caller's state if it holds the only reference, else on
 * a private copy (the shared one is left to its other holders), records
 * the verifications made meanwhile, and keeps a reference to the result. */
#include "protocol/memo/exec_memo.h"

#include <stddef.h>
#include <string.h>

#include "protocol/memo/memo_age.h"

typedef struct memo_entry {
    proto_hash pre_root;
    proto_hash block_hash;
    proto_memo_age age;       /* height and insertion: eviction (memo_age.h) */
    proto_state *post;        /* one reference held by the memo */
    GArray *events;           /* copy of what execution reported, or NULL */
    GArray *receipts;         /* copy of the receipts (proto_fee_tx_record), or NULL */
    proto_verify_log verifies;
} memo_entry;

struct proto_exec_memo {
    uint32_t entries_max;
    GArray *entries; /* memo_entry */
    uint64_t next_seq;
    proto_exec_memo_stats stats;
};

static void entry_clear(memo_entry *e)
{
    proto_state_free(e->post);
    if (e->events != NULL)
        g_array_unref(e->events);
    if (e->receipts != NULL)
        g_array_unref(e->receipts);
    proto_verify_log_clear(&e->verifies);
}

proto_exec_memo *proto_exec_memo_new(uint32_t entries_max)
{
    g_assert(entries_max > 0);
    proto_exec_memo *m = g_new0(proto_exec_memo, 1);
    m->entries_max = entries_max;
    m->entries = g_array_sized_new(FALSE, FALSE, sizeof(memo_entry), entries_max);
    return m;
}

void proto_exec_memo_free(proto_exec_memo *m)
{
    if (m == NULL)
        return;
    for (guint i = 0; i < m->entries->len; i++)
        entry_clear(&g_array_index(m->entries, memo_entry, i));
    g_array_unref(m->entries);
    g_free(m);
}

proto_exec_memo_stats proto_exec_memo_get_stats(const proto_exec_memo *m)
{
    return m->stats;
}

static const memo_entry *find(const proto_exec_memo *m, const proto_hash *pre_root,
                              const proto_hash *block_hash)
{
    for (guint i = 0; i < m->entries->len; i++) {
        const memo_entry *e = &g_array_index(m->entries, memo_entry, i);
        if (proto_hash_equal(&e->block_hash, block_hash) &&
            proto_hash_equal(&e->pre_root, pre_root))
            return e;
    }
    return NULL;
}

/* Room for one more entry of `height` (memo_age.h); false: do not keep it. */
static bool make_room(proto_exec_memo *m, uint64_t height)
{
    if (m->entries->len < m->entries_max)
        return true;
    guint victim = 0;
    if (!proto_memo_age_victim(m->entries->data, m->entries->len, sizeof(memo_entry),
                               offsetof(memo_entry, age), height, &victim))
        return false;
    entry_clear(&g_array_index(m->entries, memo_entry, victim));
    g_array_remove_index(m->entries, victim);
    return true;
}

/* dst (if wanted) = what src holds (NULL: nothing). */
static void fill_from(GArray *dst, const GArray *src)
{
    if (dst == NULL)
        return;
    g_array_set_size(dst, 0);
    if (src != NULL && src->len > 0)
        g_array_append_vals(dst, src->data, src->len);
}

/* A copy of src (NULL when not wanted). */
static GArray *copy_of(const GArray *src)
{
    if (src == NULL)
        return NULL;
    GArray *out = g_array_sized_new(FALSE, FALSE, g_array_get_element_size((GArray *)src),
                                    src->len);
    if (src->len > 0)
        g_array_append_vals(out, src->data, src->len);
    return out;
}

/* Hand the entry's result to a node: its state, its events and receipts,
 * and the verifications its execution made, accounted again. */
static void take(const memo_entry *e, proto_state **state, const proto_exec_env *env)
{
    proto_state *post = proto_state_ref(e->post);
    proto_state_free(*state);
    *state = post;
    fill_from(env->events, e->events);
    fill_from(env->receipts, e->receipts);
    proto_crypto_log_replay(env->crypto, &e->verifies);
}

static void remember(proto_exec_memo *m, const proto_hash *pre_root, const proto_block *b,
                     proto_state *post, const proto_exec_env *env, proto_verify_log *verifies)
{
    if (!make_room(m, b->header.height)) {
        proto_verify_log_clear(verifies);
        return;
    }
    memo_entry fresh = {.pre_root = *pre_root,
                        .block_hash = b->hash,
                        .age = {.height = b->header.height, .inserted = m->next_seq++},
                        .post = proto_state_ref(post),
                        .verifies = *verifies,
                        .events = copy_of(env->events),
                        .receipts = copy_of(env->receipts)};
    g_array_append_val(m->entries, fresh);
}

bool proto_exec_memo_apply(proto_exec_memo *m, proto_state **state, const proto_block *b,
                           const proto_exec_env *env)
{
    proto_crypto *c = env->crypto;
    /* What execution reports, from empty (the nodes sharing a memo ask
     * for the same things). */
    g_assert(env->events == NULL || env->events->len == 0);
    g_assert(env->receipts == NULL || env->receipts->len == 0);
    proto_hash pre_root;
    proto_state_root(*state, &pre_root); /* a clean cache on a shared state: no change */
    const memo_entry *e = find(m, &pre_root, &b->hash);
    if (e != NULL) {
        m->stats.hits++;
        take(e, state, env);
        return true;
    }
    m->stats.misses++;
    proto_state *before = *state;
    bool copied = proto_state_shared(before);
    if (copied) {
        m->stats.copies++;
        *state = proto_state_copy(before);
    }
    proto_verify_log verifies;
    proto_verify_log_init(&verifies);
    proto_crypto_log_attach(c, &verifies);
    bool ok = proto_exec_apply(*state, b, env, NULL);
    proto_crypto_log_attach(c, NULL);
    if (!ok) {
        proto_verify_log_clear(&verifies);
        if (copied) {
            proto_state_free(*state);
            *state = before;
        }
        return false;
    }
    if (copied)
        proto_state_free(before);
    remember(m, &pre_root, b, *state, env, &verifies);
    return true;
}
