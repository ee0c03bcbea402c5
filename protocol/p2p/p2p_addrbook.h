/* The address book: nodes this node may dial, bounded.
 *
 * Entries are kept in an array sorted by node id (binary search, and a
 * deterministic order for every scan), grown by doubling up to `max`, so
 * a node holds memory for the addresses it knows, never for the whole
 * network. Each entry carries what ranks it as a dial candidate, in this
 * order: dials that failed or were refused since the last success (a
 * node that refused us is full; on a large network every newcomer hears
 * of the same few nodes near the validators, and ranking those first
 * whatever their answers keeps everyone knocking at full doors), its hop
 * distance to a validator as far as this node has heard (a validator is
 * 0, a validator's neighbour 1), the round-trip time measured when it was
 * last a peer, and a random tiebreak drawn when it was added (so equal
 * candidates are not always taken in id order). When the book is full, a
 * new address takes the place of the worst-ranked one, or is not kept if
 * it ranks worse still. */
#ifndef AITBC_PROTOCOL_P2P_ADDRBOOK_H
#define AITBC_PROTOCOL_P2P_ADDRBOOK_H

#include <stdint.h>

#include "protocol/core/env.h"

#define P2P_HINT_UNKNOWN 255

typedef struct p2p_addr {
    proto_node_id id;
    uint8_t hint;      /* hops to a validator as heard; P2P_HINT_UNKNOWN */
    uint8_t failures;  /* dials failed or refused since the last success */
    uint32_t tiebreak; /* random, drawn when added */
    int64_t rtt_ns;    /* measured while it was a peer; -1 unknown */
    int64_t retry_ns;  /* not dialed before this time */
} p2p_addr;

typedef struct p2p_addrbook {
    p2p_addr *addrs; /* count entries, id ascending */
    uint32_t count;
    uint32_t alloc;
    uint32_t max;
} p2p_addrbook;

void p2p_addrbook_init(p2p_addrbook *b, uint32_t max);
void p2p_addrbook_clear(p2p_addrbook *b);
p2p_addr *p2p_addrbook_find(p2p_addrbook *b, proto_node_id id);
/* Add id (hint lowered to `hint` if it was known): the entry, or NULL if
 * the book is full of better candidates. The pointer is valid until the
 * next add or remove. */
p2p_addr *p2p_addrbook_add(p2p_addrbook *b, proto_node_id id, uint8_t hint, uint32_t tiebreak);
void p2p_addrbook_remove(p2p_addrbook *b, proto_node_id id);
/* < 0 if a is the better dial candidate (fewer failures, lower hint,
 * known and lower RTT, then tiebreak and id). */
int p2p_addr_rank_compare(const p2p_addr *a, const p2p_addr *b);

#endif
