/* The message cache: large gossip messages held to answer IWANTs.
 *
 * Only messages sent lazily (announced with IHAVE to some peers) need
 * serving, and those are the large ones, a few per block interval; so the
 * cache is a small FIFO ring of envelopes found by linear search, bounded
 * by count and by age. Envelopes are shared references to the bytes that
 * were received or broadcast, never copies. */
#ifndef AITBC_PROTOCOL_P2P_MCACHE_H
#define AITBC_PROTOCOL_P2P_MCACHE_H

#include <glib.h>
#include <stdint.h>

#include "protocol/p2p/p2p_msg.h"

typedef struct p2p_mcache_entry {
    p2p_id id;
    GBytes *envelope; /* the GOSSIP message, owned reference */
    int64_t at_ns;
} p2p_mcache_entry;

typedef struct p2p_mcache {
    uint32_t cap;
    int64_t ttl_ns;
    p2p_mcache_entry *ring; /* cap slots once anything was held */
    uint32_t head;
    uint32_t count;
} p2p_mcache;

void p2p_mcache_init(p2p_mcache *m, uint32_t cap, int64_t ttl_ns);
void p2p_mcache_clear(p2p_mcache *m);
/* Hold envelope (a new reference) under id; the oldest goes when full. */
void p2p_mcache_put(p2p_mcache *m, const p2p_id *id, GBytes *envelope, int64_t now_ns);
/* The held envelope (borrowed) or NULL; expires old entries first. */
GBytes *p2p_mcache_get(p2p_mcache *m, const p2p_id *id, int64_t now_ns);
void p2p_mcache_expire(p2p_mcache *m, int64_t now_ns);

#endif
