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
    /* The base fee per gas this node expects its next block to carry (the
     * eth_feeHistory answer's last entry): what a client asks before it
     * prices a transaction. */
    uint64_t (*next_base_fee)(void *node);
} proto_node_ops;

#endif
