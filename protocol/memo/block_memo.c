/* A memo of decoded blocks shared by the nodes of one chain (see
 * block_memo.h).
 *
 * The key is the block hash, which is BLAKE2b-256 of the first PROTO_BLOCK_HASHED_SIZE (184) bytes
 * of a block's encoding (block.c), so it costs one small hash and no
 * parsing. Entries are few (a handful of heights in flight), so they live
 * in a plain array searched linearly: no hash table, no order to leak. */
#include "protocol/memo/block_memo.h"

#include <stddef.h>
#include <string.h>

#include "protocol/memo/memo_age.h"

/* Distinct byte strings kept per block for proto_block_memo_share (nodes
 * that got a block from different sources may hold different ones). */
#define ATTACHED_MAX 4

typedef struct memo_entry {
    proto_hash hash;
    proto_memo_age age; /* height and insertion: eviction (memo_age.h) */
    GBytes *bytes;      /* what was decoded, as offered (matched by pointer first) */
    GBytes *stored;     /* the same bytes in a buffer of their own */
    proto_block *block; /* one reference held by the memo */
    GBytes *attached[ATTACHED_MAX]; /* proto_block_memo_share's copies, first NULL ends */
} memo_entry;

struct proto_block_memo {
    uint32_t entries_max;
    GArray *entries; /* memo_entry */
    uint64_t next_seq;
    proto_block_memo_stats stats;
};

static void entry_clear(memo_entry *e)
{
    g_bytes_unref(e->bytes);
    g_bytes_unref(e->stored);
    proto_block_free(e->block);
    for (guint i = 0; i < ATTACHED_MAX && e->attached[i] != NULL; i++)
        g_bytes_unref(e->attached[i]);
}

proto_block_memo *proto_block_memo_new(uint32_t entries_max)
{
    g_assert(entries_max > 0);
    proto_block_memo *m = g_new0(proto_block_memo, 1);
    m->entries_max = entries_max;
    m->entries = g_array_sized_new(FALSE, FALSE, sizeof(memo_entry), entries_max);
    return m;
}

void proto_block_memo_free(proto_block_memo *m)
{
    if (m == NULL)
        return;
    for (guint i = 0; i < m->entries->len; i++)
        entry_clear(&g_array_index(m->entries, memo_entry, i));
    g_array_unref(m->entries);
    g_free(m);
}

proto_block_memo_stats proto_block_memo_get_stats(const proto_block_memo *m)
{
    return m->stats;
}

static memo_entry *find(proto_block_memo *m, const proto_hash *hash)
{
    for (guint i = 0; i < m->entries->len; i++) {
        memo_entry *e = &g_array_index(m->entries, memo_entry, i);
        if (proto_hash_equal(&e->hash, hash))
            return e;
    }
    return NULL;
}

/* The entry's bytes, in either of its buffers (compared by address
 * first: nodes of a simulation are mostly handed one shared buffer). */
static bool same_bytes(const memo_entry *e, GBytes *b)
{
    gsize e_size = 0, b_size = 0;
    const void *e_data = g_bytes_get_data(e->bytes, &e_size);
    const void *b_data = g_bytes_get_data(b, &b_size);
    return e_size == b_size &&
           (e_data == b_data || g_bytes_get_data(e->stored, NULL) == b_data ||
            memcmp(e_data, b_data, e_size) == 0);
}

/* Room for one more entry of `height` (memo_age.h); false: do not keep it. */
static bool make_room(proto_block_memo *m, uint64_t height)
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

proto_block *proto_block_memo_decode(proto_block_memo *m, GBytes *bytes, uint32_t txs_max)
{
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(bytes, &size);
    if (size < PROTO_BLOCK_HEADER_WIRE_SIZE)
        return proto_block_decode_all(data, size, txs_max); /* fails: too short */
    proto_hash hash;
    proto_hash_bytes(&hash, data, PROTO_BLOCK_HASHED_SIZE);
    memo_entry *e = find(m, &hash);
    if (e != NULL && same_bytes(e, bytes)) {
        m->stats.hits++;
        /* The same bytes decoded with a bound that was enough; with this
         * one, decode fails exactly when the block has more txs. */
        return e->block->txs->len <= txs_max ? proto_block_ref(e->block) : NULL;
    }
    m->stats.misses++;
    proto_block *b = proto_block_decode_all(data, size, txs_max);
    if (b == NULL || e != NULL || !make_room(m, b->header.height))
        return b; /* other bytes under a known hash are not remembered */
    g_assert(proto_hash_equal(&b->hash, &hash));
    memo_entry fresh = {.hash = hash,
                        .age = {.height = b->header.height, .inserted = m->next_seq++},
                        .bytes = g_bytes_ref(bytes),
                        .stored = g_bytes_new(data, size),
                        .block = proto_block_ref(b)};
    g_array_append_val(m->entries, fresh);
    return b;
}

GBytes *proto_block_memo_stored_bytes(proto_block_memo *m, const proto_block *b)
{
    for (guint i = 0; i < m->entries->len; i++) {
        const memo_entry *e = &g_array_index(m->entries, memo_entry, i);
        if (e->block == b)
            return g_bytes_ref(e->stored);
    }
    return NULL;
}

GBytes *proto_block_memo_share(proto_block_memo *m, const proto_hash *block_hash, GBytes *bytes)
{
    memo_entry *e = find(m, block_hash);
    if (e == NULL)
        return g_bytes_ref(bytes);
    for (guint i = 0; i < ATTACHED_MAX; i++) {
        if (e->attached[i] == NULL) {
            e->attached[i] = g_bytes_ref(bytes);
            return g_bytes_ref(bytes);
        }
        if (g_bytes_equal(e->attached[i], bytes)) {
            m->stats.shared++;
            return g_bytes_ref(e->attached[i]);
        }
    }
    return g_bytes_ref(bytes);
}
