/* Bounded transaction pool with per-sender nonce ordering.
 *
 * Keeps transactions in arrival order, deduplicated by tx hash. Block
 * building walks arrival order and takes a tx only when its nonce is the
 * sender's next one (given the state and what the block already took), so
 * a sender's transactions enter blocks in nonce order and a gap holds back
 * only that sender. Transactions whose nonce the state has passed are
 * dropped as stale. Everything is bounded by `entries_max`. */
#ifndef AITBC_PROTOCOL_MEMPOOL_H
#define AITBC_PROTOCOL_MEMPOOL_H

#include <stdbool.h>
#include <stdint.h>

#include "protocol/chain/state.h"
#include "protocol/chain/tx.h"

typedef struct proto_mempool proto_mempool;

typedef enum proto_mempool_result {
    PROTO_MEMPOOL_ADDED = 0,
    PROTO_MEMPOOL_DUPLICATE,
    PROTO_MEMPOOL_FULL,
    PROTO_MEMPOOL_STALE, /* nonce already used in the state, or from/to not
                          * valid accounts (from == to, out of range) */
} proto_mempool_result;

proto_mempool *proto_mempool_new(uint32_t entries_max);
void proto_mempool_free(proto_mempool *m);
uint32_t proto_mempool_count(const proto_mempool *m);
bool proto_mempool_contains(const proto_mempool *m, const proto_hash *tx_hash);

/* The tx's signature must already have been checked by the caller. */
proto_mempool_result proto_mempool_add(proto_mempool *m, const proto_tx *tx,
                                       const proto_hash *tx_hash, const proto_state *s);
void proto_mempool_remove(proto_mempool *m, const proto_hash *tx_hash);

/* Pick up to txs_max transactions valid in sequence on top of s (nonce
 * and balance), in arrival order; appends proto_tx values to out. Drops
 * stale entries it meets. Does not remove the picked ones.
 * A tx that arrived before its sender's earlier nonces is taken right
 * after them within the same call, so the output is "arrival order,
 * except that each sender's txs come in nonce order"; applying `out` in
 * order to s always succeeds (signature checks aside). Recipients are
 * credited as the selection goes, like proto_state_apply_tx does. */
void proto_mempool_select(proto_mempool *m, const proto_state *s, uint32_t txs_max, GArray *out);

/* The pool's clock, for telling how long a transaction has waited: the
 * caller ticks it (PBFT: once per committed block). */
void proto_mempool_tick(proto_mempool *m);
/* Up to max transactions that have waited at least min_ticks, oldest
 * first, appended (proto_tx) to out; each is handed out at most once in
 * the pool's life. For re-gossip: a node that was cut off passes on what
 * others may never have received. */
void proto_mempool_take_stale(proto_mempool *m, uint64_t min_ticks, uint32_t max, GArray *out);

#endif
