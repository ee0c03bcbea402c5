/* The gossip id memo (see p2p_id_memo.h). A plain array searched
 * linearly, oldest use replaced: no hash table, no order to leak. */
#include "protocol/memo/p2p_id_memo.h"

#include <string.h>

typedef struct memo_entry {
    GBytes *owner;     /* owned reference; NULL: free slot */
    size_t offset;
    size_t size;       /* of the message: owner's size - offset */
    p2p_id id;
    uint64_t used;     /* m->clock at the last hit or insertion */
} memo_entry;

struct p2p_id_memo {
    memo_entry *entries;
    uint32_t entries_max;
    uint64_t clock;
    p2p_id_memo_stats stats;
};

p2p_id_memo *p2p_id_memo_new(uint32_t entries_max)
{
    g_assert(entries_max > 0);
    p2p_id_memo *m = g_new0(p2p_id_memo, 1);
    m->entries = g_new0(memo_entry, entries_max);
    m->entries_max = entries_max;
    return m;
}

void p2p_id_memo_free(p2p_id_memo *m)
{
    if (m == NULL)
        return;
    for (uint32_t i = 0; i < m->entries_max; i++)
        if (m->entries[i].owner != NULL)
            g_bytes_unref(m->entries[i].owner);
    g_free(m->entries);
    g_free(m);
}

static const uint8_t *message_of(const memo_entry *e)
{
    return (const uint8_t *)g_bytes_get_data(e->owner, NULL) + e->offset;
}

void p2p_id_memo_of(p2p_id_memo *m, GBytes *owner, size_t offset, p2p_id *out)
{
    gsize owner_size = 0;
    const uint8_t *data = g_bytes_get_data(owner, &owner_size);
    g_assert(offset <= owner_size);
    size_t size = owner_size - offset;
    if (m == NULL || size < P2P_ID_MEMO_BYTES_MIN) {
        p2p_id_of(out, data + offset, size);
        return;
    }
    m->clock++;
    uint32_t victim = 0;
    for (uint32_t i = 0; i < m->entries_max; i++) {
        memo_entry *e = &m->entries[i];
        if (e->owner == NULL) {
            if (m->entries[victim].owner != NULL)
                victim = i;
            continue;
        }
        if (e->size == size &&
            ((e->owner == owner && e->offset == offset) ||
             memcmp(message_of(e), data + offset, size) == 0)) {
            e->used = m->clock;
            m->stats.hits++;
            *out = e->id;
            return;
        }
        if (m->entries[victim].owner != NULL && e->used < m->entries[victim].used)
            victim = i;
    }
    p2p_id_of(out, data + offset, size);
    m->stats.misses++;
    memo_entry *e = &m->entries[victim];
    if (e->owner != NULL)
        g_bytes_unref(e->owner);
    *e = (memo_entry){.owner = g_bytes_ref(owner),
                      .offset = offset,
                      .size = size,
                      .id = *out,
                      .used = m->clock};
}

p2p_id_memo_stats p2p_id_memo_stats_get(const p2p_id_memo *m)
{
    return m->stats;
}
