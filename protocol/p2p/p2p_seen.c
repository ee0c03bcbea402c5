/* Bounded seen-cache of gossip ids: FIFO ring plus open-addressing index
 * (see p2p_seen.h).
 *
 * The index maps an id to its ring slot. Removal only ever takes the
 * ring's head (the oldest entry), found by probing for the slot number;
 * deletion shifts later members of the probe run back so lookups never
 * need tombstones. Resizing either array rebuilds the index from the
 * ring, which costs O(count) and happens O(1) times per doubling. */
#include "protocol/p2p/p2p_seen.h"

#include <glib.h>
#include <string.h>

#include "protocol/core/codec.h"

#define SEEN_SLOTS_MIN 16u

void p2p_seen_init(p2p_seen *s, uint32_t cap, int64_t ttl_ns, uint64_t salt)
{
    g_assert(cap >= 1 && ttl_ns > 0);
    *s = (p2p_seen){.cap = cap, .ttl_ns = ttl_ns, .salt = salt};
}

void p2p_seen_clear(p2p_seen *s)
{
    g_free(s->ring);
    g_free(s->index);
    *s = (p2p_seen){.cap = s->cap, .ttl_ns = s->ttl_ns, .salt = s->salt};
}

static uint32_t home_slot(const p2p_seen *s, const p2p_id *id)
{
    uint64_t x = proto_le_get_u64(id->bytes) ^ s->salt;
    x *= 0x9E3779B97F4A7C15ULL;
    return (uint32_t)(x >> 32) & (s->index_size - 1);
}

static uint32_t ring_slot(const p2p_seen *s, uint32_t k)
{
    return (s->head + k) & (s->ring_size - 1);
}

/* Index position holding id, or UINT32_MAX. */
static uint32_t index_find(const p2p_seen *s, const p2p_id *id)
{
    if (s->count == 0)
        return UINT32_MAX;
    uint32_t mask = s->index_size - 1;
    for (uint32_t i = home_slot(s, id);; i = (i + 1) & mask) {
        uint32_t v = s->index[i];
        if (v == 0)
            return UINT32_MAX;
        if (p2p_id_equal(&s->ring[v - 1].id, id))
            return i;
    }
}

static void index_put(p2p_seen *s, uint32_t slot)
{
    uint32_t mask = s->index_size - 1;
    uint32_t i = home_slot(s, &s->ring[slot].id);
    while (s->index[i] != 0)
        i = (i + 1) & mask;
    s->index[i] = slot + 1;
}

/* Backward-shift deletion at index position i. */
static void index_delete(p2p_seen *s, uint32_t i)
{
    uint32_t mask = s->index_size - 1;
    uint32_t hole = i;
    for (uint32_t j = (i + 1) & mask; s->index[j] != 0; j = (j + 1) & mask) {
        uint32_t home = home_slot(s, &s->ring[s->index[j] - 1].id);
        /* j's entry may move into the hole iff its home is not inside
         * (hole, j] on the circle. */
        bool between = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!between) {
            s->index[hole] = s->index[j];
            hole = j;
        }
    }
    s->index[hole] = 0;
}

/* Re-lay the ring from slot 0 in `ring_size` slots and rebuild the index
 * in `index_size` slots (0 frees both). */
static void resize(p2p_seen *s, uint32_t ring_size, uint32_t index_size)
{
    g_assert(ring_size >= s->count && (ring_size == 0 || index_size >= 2 * s->count));
    p2p_seen_entry *ring = ring_size > 0 ? g_new(p2p_seen_entry, ring_size) : NULL;
    for (uint32_t k = 0; k < s->count; k++)
        ring[k] = s->ring[ring_slot(s, k)];
    g_free(s->ring);
    g_free(s->index);
    s->ring = ring;
    s->ring_size = ring_size;
    s->head = 0;
    s->index_size = ring_size > 0 ? index_size : 0;
    s->index = ring_size > 0 ? g_new0(uint32_t, index_size) : NULL;
    for (uint32_t k = 0; k < s->count; k++)
        index_put(s, k);
}

static void drop_head(p2p_seen *s)
{
    g_assert(s->count > 0);
    uint32_t slot = s->head;
    uint32_t mask = s->index_size - 1;
    uint32_t i = home_slot(s, &s->ring[slot].id);
    while (s->index[i] != slot + 1) {
        g_assert(s->index[i] != 0);
        i = (i + 1) & mask;
    }
    index_delete(s, i);
    s->head = (s->head + 1) & (s->ring_size - 1);
    s->count--;
}

void p2p_seen_expire(p2p_seen *s, int64_t now_ns)
{
    while (s->count > 0 && s->ring[s->head].at_ns <= now_ns - s->ttl_ns)
        drop_head(s);
    if (s->count == 0 && s->ring_size > 0) {
        resize(s, 0, 0);
        return;
    }
    uint32_t size = s->ring_size;
    while (size > SEEN_SLOTS_MIN && s->count < size / 4)
        size /= 2;
    if (size != s->ring_size)
        resize(s, size, 2 * size);
}

const p2p_seen_entry *p2p_seen_lookup(p2p_seen *s, const p2p_id *id, int64_t now_ns)
{
    p2p_seen_expire(s, now_ns);
    uint32_t i = index_find(s, id);
    return i == UINT32_MAX ? NULL : &s->ring[s->index[i] - 1];
}

bool p2p_seen_insert(p2p_seen *s, const p2p_id *id, proto_node_id from, int64_t now_ns)
{
    if (p2p_seen_lookup(s, id, now_ns) != NULL)
        return false;
    if (s->count == s->cap)
        drop_head(s);
    if (s->count == s->ring_size) {
        uint32_t size = s->ring_size == 0 ? SEEN_SLOTS_MIN : 2 * s->ring_size;
        resize(s, size, 2 * size);
    }
    uint32_t slot = ring_slot(s, s->count);
    s->ring[slot] = (p2p_seen_entry){.id = *id, .at_ns = now_ns, .from = from};
    s->count++;
    index_put(s, slot);
    return true;
}

uint32_t p2p_seen_count(const p2p_seen *s)
{
    return s->count;
}

size_t p2p_seen_memory_bytes(const p2p_seen *s)
{
    return (size_t)s->ring_size * sizeof(p2p_seen_entry) + (size_t)s->index_size * sizeof(uint32_t);
}
