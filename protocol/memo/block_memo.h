/* A memo of decoded blocks shared by the nodes of one chain.
 *
 * Every node of a large network receives every block, as bytes, and
 * decodes it: tens of thousands of tx hashes, a Merkle root and a sort for
 * duplicates, the same work at each node. Decoding is a pure function of
 * the bytes, so the memo decodes given bytes once and hands every node a
 * reference to the same read-only block (proto_block_ref), with its tx
 * ids kept (proto_block_tx_ids). Exact: bytes are matched in full (by
 * pointer when the nodes share one buffer, as a simulator's do, else
 * byte by byte), never by a digest alone.
 *
 * Entries are keyed by block hash (computed from the header bytes), hold
 * at most `entries_max` blocks and evict the lowest height (then the
 * oldest): a memo serves the few heights in flight. Failed decodes are
 * not remembered (they cost the same again, and no honest node sends
 * them twice).
 *
 * It also lets nodes share small bytes that go with a block and that each
 * would otherwise keep a copy of (PBFT: the encoded commit certificate
 * every node stores), proto_block_memo_share. Results never depend on the
 * memo: a run gives the same trace with it or without it. Not
 * thread-safe (neither is a simulation). One of the shared-process memos
 * (memo.h). */
#ifndef AITBC_PROTOCOL_BLOCK_MEMO_H
#define AITBC_PROTOCOL_BLOCK_MEMO_H

#include <glib.h>
#include <stdint.h>

#include "protocol/chain/block.h"

typedef struct proto_block_memo proto_block_memo;

typedef struct proto_block_memo_stats {
    uint64_t hits;     /* decodes answered from the memo */
    uint64_t misses;   /* decodes computed (and remembered, if valid) */
    uint64_t shared;   /* proto_block_memo_share calls that returned the memo's copy */
} proto_block_memo_stats;

/* entries_max > 0. */
proto_block_memo *proto_block_memo_new(uint32_t entries_max);
void proto_block_memo_free(proto_block_memo *m);
proto_block_memo_stats proto_block_memo_get_stats(const proto_block_memo *m);

/* proto_block_decode_all(bytes, txs_max) through the memo: NULL exactly
 * when that fails; else a reference (free with proto_block_free) to a
 * block equal to what it returns, shared and read-only. */
proto_block *proto_block_memo_decode(proto_block_memo *m, GBytes *bytes, uint32_t txs_max);

/* If b is a block this memo handed out: a new reference to a compact copy
 * of the bytes it was decoded from (exactly those bytes, in a buffer of
 * their own). NULL otherwise. Received bytes are often a slice of a
 * larger message (a batch of blocks, an envelope): storing this copy
 * instead lets every node keep one shared buffer per block and lets the
 * messages go. */
GBytes *proto_block_memo_stored_bytes(proto_block_memo *m, const proto_block *b);

/* Bytes that go with the block `block_hash` the memo holds: a new
 * reference to an equal copy the memo keeps, or to `bytes` itself (kept
 * for the next caller while the entry has room for a few variants) if it
 * has none, or holds no such block. */
GBytes *proto_block_memo_share(proto_block_memo *m, const proto_hash *block_hash, GBytes *bytes);

#endif
