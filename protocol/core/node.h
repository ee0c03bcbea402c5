/* The driving interface every protocol node implements.
 *
 * The simulator holds nodes only through this table, so PoA, PBFT and
 * Byzantine wrappers around them are interchangeable. A node is created
 * by its module's constructor (which recovers from env->store_get if the
 * store holds anything) and then driven only through these entry points.
 * Crash = free the node (everything but its store is lost); restart =
 * construct it again with the same store. */
#ifndef AITBC_PROTOCOL_NODE_H
#define AITBC_PROTOCOL_NODE_H

#include <glib.h>
#include <stdint.h>

#include "protocol/core/crypto.h"
#include "protocol/core/env.h"

/* What a node tells a client about to price a transaction. */
typedef struct proto_fee_quote {
    uint64_t base_fee; /* the base fee per gas of the node's next block */
    uint64_t tip;      /* the max_priority_fee_per_gas it suggests */
} proto_fee_quote;

typedef struct proto_node_ops {
    const char *name; /* "poa", "pbft", ... */
    /* `wire` is borrowed for the call; it is untrusted bytes. */
    void (*on_message)(void *node, proto_node_id from, GBytes *wire);
    void (*on_timer)(void *node, uint64_t timer_id, uint32_t kind, uint64_t arg);
    /* A client hands a signed transaction (PROTO_MSG_TX wire) to this node. */
    void (*submit_tx)(void *node, GBytes *tx_wire);
    void (*free)(void *node);
    /* Optional (NULL = the protocol has no key rotation): the operator asks
     * this validator node to replace its consensus key by `next`. */
    void (*rotate_key)(void *node, const proto_keypair *next);
    /* What a client asks before it prices a transaction: the next
     * block's base fee and a suggested tip (eth_feeHistory's last base
     * fee and eth_maxPriorityFeePerGas; protocol/chain/fee_tracker.h). */
    void (*fee_quote)(void *node, proto_fee_quote *out);
    /* eth_feeHistory over the node's newest min(blocks, kept) blocks,
     * oldest first, at the reward percentiles 10/25/50/75/90
     * (protocol/chain/fee_tracker.h): base_fee[n + 1] (the last is the
     * next block's), gas_used_ratio[n], reward[5 n]; returns n. Outputs
     * are caller-sized for `blocks`. */
    uint32_t (*fee_history)(void *node, uint32_t blocks, uint64_t *base_fee,
                            double *gas_used_ratio, uint64_t *reward);
} proto_node_ops;

#endif
