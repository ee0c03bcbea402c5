/* A bounded set of recently seen gossip ids, with expiry.
 *
 * Holds at most `cap` ids, each for `ttl_ns` after it was added; when full
 * the oldest id goes first. Entries live in a FIFO ring (insertion order
 * = expiry order, since time only moves forward) and are found through an
 * open-addressing index (linear probing, backward-shift deletion, no
 * tombstones). Both grow by doubling with what is held and shrink when
 * it falls to a quarter, so a node that sees little holds little: about
 * 40 bytes per id held, nothing when empty.
 *
 * Each entry remembers the node it came from first (a peer, or the
 * node's own id for its own broadcasts), which the gossip layer uses to
 * tell a peer that sends the same message twice. The index hash is salted
 * per node, so crafted ids cannot pile onto one probe chain everywhere. */
#ifndef AITBC_PROTOCOL_P2P_SEEN_H
#define AITBC_PROTOCOL_P2P_SEEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/core/env.h"
#include "protocol/p2p/p2p_msg.h"

typedef struct p2p_seen_entry {
    p2p_id id;
    int64_t at_ns;       /* when it was added */
    proto_node_id from;  /* who delivered it first */
} p2p_seen_entry;

typedef struct p2p_seen {
    uint32_t cap;
    int64_t ttl_ns;
    uint64_t salt;
    p2p_seen_entry *ring; /* ring_size slots; live: head .. head + count - 1 (mod) */
    uint32_t ring_size;   /* 0 or a power of two >= count */
    uint32_t head;
    uint32_t count;
    uint32_t *index;      /* index_size slots: ring slot + 1, or 0 for empty */
    uint32_t index_size;  /* 0 or a power of two >= 2 * count */
} p2p_seen;

/* cap >= 1, ttl_ns > 0. Allocates nothing until the first insert. */
void p2p_seen_init(p2p_seen *s, uint32_t cap, int64_t ttl_ns, uint64_t salt);
void p2p_seen_clear(p2p_seen *s);
/* Forget ids older than ttl_ns (the lookups below do this first). */
void p2p_seen_expire(p2p_seen *s, int64_t now_ns);
/* The live entry for id, or NULL. The pointer is valid until the next
 * insert or expiry. */
const p2p_seen_entry *p2p_seen_lookup(p2p_seen *s, const p2p_id *id, int64_t now_ns);
/* Add id unless it is held: true if it was new. Evicts the oldest id when
 * `cap` are held. */
bool p2p_seen_insert(p2p_seen *s, const p2p_id *id, proto_node_id from, int64_t now_ns);
uint32_t p2p_seen_count(const p2p_seen *s);
/* Heap bytes held (ring and index). */
size_t p2p_seen_memory_bytes(const p2p_seen *s);

#endif
