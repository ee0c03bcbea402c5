/* A memo of gossip message ids shared by the p2p nodes of one network.
 *
 * Every node computes the id of every gossip copy it receives itself
 * (BLAKE2b of the message; ids are never taken from the wire). For a
 * block of a few hundred KiB that is about a millisecond per node per
 * block: in a simulation of thousands of nodes, most of the run. The id
 * is a pure function of the bytes, so the memo computes it once per
 * message and answers the other nodes from a small table, the way the
 * block and execution memos share decoding and execution.
 *
 * Exact: a message is matched in full, by buffer when the nodes share
 * one (as a simulator's relays do: the same bytes travel every hop),
 * else byte by byte, never by a digest. Only messages of at least
 * P2P_ID_MEMO_BYTES_MIN use it (smaller ones cost less to hash than to
 * look up). The table holds `entries_max` messages (it keeps a reference
 * to their bytes) and replaces the least recently used. Results never
 * depend on the memo: a run gives the same trace with it or without it.
 * Not thread-safe (neither is a simulation). One of the shared-process
 * memos (memo.h). */
#ifndef AITBC_PROTOCOL_P2P_ID_MEMO_H
#define AITBC_PROTOCOL_P2P_ID_MEMO_H

#include <glib.h>
#include <stdint.h>

#include "protocol/p2p/p2p_msg.h"

#define P2P_ID_MEMO_BYTES_MIN 4096

typedef struct p2p_id_memo p2p_id_memo;

typedef struct p2p_id_memo_stats {
    uint64_t hits;
    uint64_t misses;   /* computed (and remembered) */
} p2p_id_memo_stats;

/* entries_max > 0. */
p2p_id_memo *p2p_id_memo_new(uint32_t entries_max);
void p2p_id_memo_free(p2p_id_memo *m);
/* The id of the message at bytes [offset, end) of `owner`; m may be NULL
 * (computed every time). */
void p2p_id_memo_of(p2p_id_memo *m, GBytes *owner, size_t offset, p2p_id *out);
p2p_id_memo_stats p2p_id_memo_stats_get(const p2p_id_memo *m);

#endif
