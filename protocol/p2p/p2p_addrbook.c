/* The address book (see p2p_addrbook.h): a sorted, bounded array. */
#include "protocol/p2p/p2p_addrbook.h"

#include <glib.h>
#include <stdbool.h>
#include <string.h>

#include "protocol/core/sorted.h"

#define ADDRS_ALLOC_MIN 8u

void p2p_addrbook_init(p2p_addrbook *b, uint32_t max)
{
    g_assert(max >= 1);
    *b = (p2p_addrbook){.max = max};
}

void p2p_addrbook_clear(p2p_addrbook *b)
{
    g_free(b->addrs);
    *b = (p2p_addrbook){.max = b->max};
}

/* First position whose id is >= id. */
static uint32_t lower_bound(const p2p_addrbook *b, proto_node_id id)
{
    return proto_lower_bound_u32(b->addrs, b->count, sizeof(p2p_addr),
                                 G_STRUCT_OFFSET(p2p_addr, id), id);
}

p2p_addr *p2p_addrbook_find(p2p_addrbook *b, proto_node_id id)
{
    uint32_t i = lower_bound(b, id);
    return i < b->count && b->addrs[i].id == id ? &b->addrs[i] : NULL;
}

/* The rank as two words compared in order, lower first: failures, hint,
 * known RTT before unknown, RTT, then tiebreak and id. RTTs are our own
 * smoothed measurements of answers within the ping timeout, far below
 * the 2^47 ns (39 hours) the key holds; longer ones would tie. */
typedef struct rank_key {
    uint64_t hi;
    uint64_t lo;
} rank_key;

#define RTT_KEY_MAX ((UINT64_C(1) << 47) - 1)

static inline rank_key rank_key_of(const p2p_addr *a)
{
    uint64_t rtt = a->rtt_ns >= 0 ? MIN((uint64_t)a->rtt_ns, RTT_KEY_MAX) : RTT_KEY_MAX + 1;
    return (rank_key){.hi = (uint64_t)a->failures << 56 | (uint64_t)a->hint << 48 | rtt,
                      .lo = (uint64_t)a->tiebreak << 32 | a->id};
}

static inline int rank_key_compare(rank_key a, rank_key b)
{
    if (a.hi != b.hi)
        return a.hi < b.hi ? -1 : 1;
    return (a.lo > b.lo) - (a.lo < b.lo);
}

int p2p_addr_rank_compare(const p2p_addr *a, const p2p_addr *b)
{
    return rank_key_compare(rank_key_of(a), rank_key_of(b));
}

void p2p_addrbook_remove(p2p_addrbook *b, proto_node_id id)
{
    uint32_t i = lower_bound(b, id);
    if (i == b->count || b->addrs[i].id != id)
        return;
    memmove(&b->addrs[i], &b->addrs[i + 1], (b->count - i - 1) * sizeof(p2p_addr));
    b->count--;
}

static uint32_t worst_index(const p2p_addrbook *b)
{
    uint32_t worst = 0;
    rank_key worst_key = rank_key_of(&b->addrs[0]);
    for (uint32_t i = 1; i < b->count; i++) {
        rank_key k = rank_key_of(&b->addrs[i]);
        if (k.hi > worst_key.hi || (k.hi == worst_key.hi && k.lo > worst_key.lo)) {
            worst = i;
            worst_key = k;
        }
    }
    return worst;
}

p2p_addr *p2p_addrbook_add(p2p_addrbook *b, proto_node_id id, uint8_t hint, uint32_t tiebreak)
{
    p2p_addr *known = p2p_addrbook_find(b, id);
    if (known != NULL) {
        if (hint < known->hint)
            known->hint = hint;
        return known;
    }
    p2p_addr fresh = {.id = id, .hint = hint, .tiebreak = tiebreak, .rtt_ns = -1};
    if (b->count == b->max) {
        uint32_t worst = worst_index(b);
        if (p2p_addr_rank_compare(&fresh, &b->addrs[worst]) >= 0)
            return NULL;
        p2p_addrbook_remove(b, b->addrs[worst].id);
    }
    if (b->count == b->alloc) {
        b->alloc = MIN(b->max, MAX(ADDRS_ALLOC_MIN, 2 * b->alloc));
        b->addrs = g_renew(p2p_addr, b->addrs, b->alloc);
    }
    uint32_t i = lower_bound(b, id);
    memmove(&b->addrs[i + 1], &b->addrs[i], (b->count - i) * sizeof(p2p_addr));
    b->addrs[i] = fresh;
    b->count++;
    return &b->addrs[i];
}
