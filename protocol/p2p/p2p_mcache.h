/* The message cache: large gossip messages held to answer IWANTs.
 *
 * Only messages sent lazily (announced with IHAVE to some peers) need
 * serving, and those are the large ones, a few per block interval; so the
 * cache is a small FIFO ring of envelopes found by linear search, bounded
 * by count and by age. Envelopes are shared references to the bytes that
 * were received or broadcast, never copies.
 *
 * Each message is served to a peer once (gossipsub retransmits up to three
 * times): an honest peer asks each announcer once, and a peer repeating
 * IWANTs must not turn a small request into megabytes of replies. The
 * peers served are kept per entry, so their number is bounded by the
 * node's peers. */
#ifndef AITBC_PROTOCOL_P2P_MCACHE_H
#define AITBC_PROTOCOL_P2P_MCACHE_H

#include <glib.h>
#include <stdint.h>

#include "protocol/core/env.h"
#include "protocol/p2p/p2p_msg.h"

typedef struct p2p_mcache_entry {
    p2p_id id;
    GBytes *envelope; /* the GOSSIP message, owned reference */
    int64_t at_ns;
    GArray *served;   /* proto_node_id served so far, NULL before the first */
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
typedef enum p2p_mcache_result {
    P2P_MCACHE_SERVE,   /* send the envelope */
    P2P_MCACHE_MISSING, /* not held (never, or expired) */
    P2P_MCACHE_REPEAT,  /* already served to this peer */
} p2p_mcache_result;

/* Look id up for `peer` (expiring old entries first); on SERVE, *envelope
 * is the held message (borrowed) and the peer is recorded as served. */
p2p_mcache_result p2p_mcache_serve(p2p_mcache *m, const p2p_id *id, proto_node_id peer,
                                   int64_t now_ns, GBytes **envelope);
void p2p_mcache_expire(p2p_mcache *m, int64_t now_ns);

#endif
