/* EIP-1559 fee-market transaction pool: v2 envelopes (tx_envelope.h)
 * kept per sender in nonce order, replaced by fee bump, evicted by price
 * when full, and handed to block building by a price-and-nonce cursor.
 *
 * The model is go-ethereum's core/txpool/legacypool (replacement needs a
 * price bump on both fee caps; a full pool drops its cheapest payer,
 * unless the newcomer is no better) and its block builder's
 * miner/ordering.go TransactionsByPriceAndNonce (one head per sender, the
 * best effective tip first), as in the Cosmos SDK's PriorityNonceMempool
 * (types/mempool/priority_nonce.go: priority across senders, nonce order
 * within one).
 *
 * Admission (proto_txpool_add), checked in this order, first match wins:
 *
 *   DUPLICATE                the id is in the pool
 *   STALE                    sender index not in the state, or nonce below
 *                            the sender's state nonce
 *   REPLACED / UNDERPRICED_REPLACEMENT
 *                            the pool holds the same (sender, nonce):
 *                            replaced when new * 100 >= old * (100 + bump)
 *                            for BOTH max_fee_per_gas and
 *                            max_priority_fee_per_gas (exact, 128-bit;
 *                            geth floors old * (100 + bump) / 100 first,
 *                            so this is at most 1 unit stricter)
 *   SENDER_FULL              the sender has per_sender_max txs
 *   FULL                     the pool holds entries_max txs and the new
 *                            one does not pay more than the lowest payer,
 *                            or making room would evict one of the new
 *                            tx's own sender's lower nonces; otherwise the
 *                            lowest payer goes and the result is ADDED
 *   ADDED
 *
 * A future nonce (a gap) is admitted and waits, as is a tx whose fee cap
 * is under any base fee: the pool never judges fee caps against a base
 * fee at admission. Fee fields that are invalid under any base fee (tip
 * above the cap, gas_limit * max_fee overflowing) are refused by
 * proto_txenv_decode, so the pool asserts they never reach it.
 *
 * "Payer" order, for eviction: max_priority_fee_per_gas, then
 * max_fee_per_gas (no base fee involved), then the newer arrival is the
 * lower payer. The victim is the lowest payer L, except that if L's
 * sender has higher nonces paying exactly L's two fee fields, the highest
 * of them goes instead: it is as cheap as L and its loss opens no gap. A
 * cheapest L with better-paying later nonces is still evicted (they then
 * wait behind the gap, as in geth, until a tx fills it).
 *
 * Determinism: results depend only on the sequence of calls and their
 * arguments. Ties are broken by the pool's arrival sequence number; no
 * result depends on hash-table iteration or pointer values.
 *
 * Ownership: the pool copies each tx (by value) and id; pointers it
 * returns are borrowed and valid until the pool is next changed. */
#ifndef AITBC_PROTOCOL_TXPOOL_H
#define AITBC_PROTOCOL_TXPOOL_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocol/chain/fee_market.h"
#include "protocol/chain/state.h"
#include "protocol/chain/tx_envelope.h"

/* Largest per_sender_max: a sender's txs are a sorted array, so an insert
 * or removal moves up to this many pointers. */
#define PROTO_TXPOOL_PER_SENDER_LIMIT 4096u

typedef struct proto_txpool proto_txpool;

typedef struct proto_txpool_params {
    uint32_t entries_max;        /* txs in the whole pool; 0 refuses everything */
    uint32_t per_sender_max;     /* txs of one sender; 1..PROTO_TXPOOL_PER_SENDER_LIMIT */
    uint32_t price_bump_percent; /* replacement raises both fee fields by this; geth: 10 */
} proto_txpool_params;

typedef enum proto_txpool_result {
    PROTO_TXPOOL_ADDED = 0, /* possibly evicting the lowest payer (see drop) */
    PROTO_TXPOOL_REPLACED,  /* same sender and nonce, enough bump: the old one left */
    PROTO_TXPOOL_DUPLICATE,
    PROTO_TXPOOL_UNDERPRICED_REPLACEMENT,
    PROTO_TXPOOL_STALE,
    PROTO_TXPOOL_SENDER_FULL,
    PROTO_TXPOOL_FULL,
    PROTO_TXPOOL_RESULT_COUNT
} proto_txpool_result;

/* Stable name of a result ("added", "replaced", ...), for metrics. */
const char *proto_txpool_result_name(proto_txpool_result r);

/* What proto_txpool_add took out of the pool, so the caller can forget
 * it (gossip memo, receipts): the replaced tx on REPLACED, the evicted
 * lowest payer on an ADDED into a full pool. */
typedef struct proto_txpool_drop {
    bool has_id;   /* false: nothing left the pool */
    proto_hash id; /* the tx that left */
} proto_txpool_drop;

/* Counters since proto_txpool_new, one per outcome. */
typedef struct proto_txpool_stats {
    uint64_t added;       /* ADDED results, with or without an eviction */
    uint64_t replaced;    /* REPLACED results */
    uint64_t evicted;     /* lowest payers dropped to make room */
    uint64_t duplicate;   /* DUPLICATE results */
    uint64_t underpriced; /* UNDERPRICED_REPLACEMENT results */
    uint64_t stale;       /* STALE results */
    uint64_t sender_full; /* SENDER_FULL results */
    uint64_t full;        /* FULL results */
    uint64_t pruned;      /* txs dropped by prune because the state passed them */
    uint64_t removed;     /* txs dropped by proto_txpool_remove */
} proto_txpool_stats;

/* An element of proto_txpool_take_stale's output. */
typedef struct proto_txpool_tx {
    proto_txenv tx;
    uint32_t sender; /* account index, as given to proto_txpool_add */
} proto_txpool_tx;

proto_txpool *proto_txpool_new(const proto_txpool_params *p);
void proto_txpool_free(proto_txpool *pool);
uint32_t proto_txpool_count(const proto_txpool *pool);
bool proto_txpool_contains(const proto_txpool *pool, const proto_hash *id);
proto_txpool_stats proto_txpool_stats_read(const proto_txpool *pool);

/* Admit tx (copied) under the rules above. sender is the index of the
 * tx's sender account in s, resolved by the caller (the pool does not
 * compare public keys); id is the tx id (proto_txenv_hash); the signature
 * must already have been checked. drop (if non-NULL) is always written.
 * Cost: O(log count + log senders + per_sender_max). */
proto_txpool_result proto_txpool_add(proto_txpool *pool, const proto_txenv *tx, uint32_t sender,
                                     const proto_hash *id, const proto_state *s,
                                     proto_txpool_drop *drop);
/* Drop the tx with this id; false if the pool does not hold it. */
bool proto_txpool_remove(proto_txpool *pool, const proto_hash *id);

/* After a commit: drop every tx whose nonce s has passed (and every tx of
 * a sender index s does not have). Scans the senders that have txs in
 * the pool, O(1) each unless its lowest nonce is below its state nonce;
 * returns how many txs were dropped. */
uint32_t proto_txpool_prune(proto_txpool *pool, const proto_state *s);
/* The same for the listed sender indexes only (a block's senders), for a
 * caller that knows whose nonce moved: O(count * log senders) plus the
 * txs dropped. Indexes without txs, or repeated, are fine. */
uint32_t proto_txpool_prune_senders(proto_txpool *pool, const proto_state *s,
                                    const uint32_t *senders, uint32_t count);

/* The pool's clock for telling how long a tx has waited; the caller ticks
 * it (PBFT: once per committed block). */
void proto_txpool_tick(proto_txpool *pool);
/* Up to max txs that have waited at least min_ticks, oldest first,
 * appended to out (a GArray of proto_txpool_tx); each is handed out at
 * most once in the pool's life (a replacement is a new tx). For
 * re-gossip. Handed-out txs leave a queue of
 * not-yet-handed-out ones, so the walk is at most max + 1 entries. */
void proto_txpool_take_stale(proto_txpool *pool, uint64_t min_ticks, uint32_t max, GArray *out);

/* Block building: a read-only walk over the pool in the order a proposer
 * should take txs under one base fee (geth TransactionsByPriceAndNonce).
 * Each sender offers one head: its tx whose nonce is the sender's next
 * (the state's nonce at init, then one more per shift). Among the heads,
 * the highest effective tip min(max_priority, max_fee - base_fee) comes
 * first, ties to the earliest arrival. A head whose max_fee is below the
 * base fee waits, and so does the rest of its sender.
 *
 * The pool must not change while a cursor is in use (asserted). Cost:
 * init O(senders * log per_sender_max), peek O(1), shift and pop
 * O(log senders); nothing is allocated after init. Caller-owned; init
 * and clear pair up. */
typedef struct proto_txpool_cursor {
    const proto_txpool *pool;
    uint64_t base_fee;     /* base units per gas, of the block being built */
    uint64_t pool_version; /* the pool's change count at init */
    GArray *heap;          /* of the senders' heads (txpool.c), best at 0 */
} proto_txpool_cursor;

void proto_txpool_cursor_init(proto_txpool_cursor *c, const proto_txpool *pool,
                              const proto_state *s, uint64_t base_fee);
void proto_txpool_cursor_clear(proto_txpool_cursor *c);
/* The best head, or NULL when no sender has one left. sender, id and
 * effective_tip (each if non-NULL) receive its account index, tx id and
 * min(max_priority, max_fee - base_fee). */
const proto_txenv *proto_txpool_cursor_peek(const proto_txpool_cursor *c, uint32_t *sender,
                                            proto_hash *id, uint64_t *effective_tip);
/* The caller took the head: its sender's next nonce becomes its head (if
 * the pool holds it and it does not wait). Asserts a head exists. */
void proto_txpool_cursor_shift(proto_txpool_cursor *c);
/* The caller could not take the head (no gas left for it, failed to
 * apply): its sender offers nothing more in this cursor. */
void proto_txpool_cursor_pop(proto_txpool_cursor *c);

#endif
