/* The sans-IO boundary between protocol code and whatever drives it.
 *
 * A protocol node never reads a clock, opens a socket, sleeps, spawns a
 * thread or calls a global RNG. Everything it needs from the outside world
 * comes through this table, provided by the simulator (sim/world/world.c),
 * by a fake in unit tests (tests/unit/support/fake_env.c), or by the testbed
 * daemon's real runtime on sockets (tools/node/runtime_env.c).
 *
 * Ownership: `send` takes its own reference to `wire` (the caller keeps
 * its own). `store_put` copies the value. `store_get` returns a new
 * reference or NULL. Received bytes passed to a node are borrowed for the
 * duration of the call.
 *
 * Time: `now_ns` counts nanoseconds from the chain's time 0, its
 * genesis, on every node alike (the simulator's virtual clock starts
 * there; a real runtime subtracts the genesis wall-clock time). Block
 * timestamps are on that clock and a block stamped later than a
 * receiver's now_ns is refused as from the future, so the nodes' clocks
 * must agree closely. A node created at now_ns > 0 knows it joins a
 * running chain (it asks its peers for what it missed); one created
 * before genesis sees a negative now_ns and proposes nothing until the
 * first block interval has passed.
 *
 * The overlay entries (`broadcast`, `peers`) are optional. NULL means
 * every node is one send() away and the protocol loops over the nodes
 * itself; a P2P mesh (protocol/p2p) fills them for the node it carries. */
#ifndef AITBC_PROTOCOL_ENV_H
#define AITBC_PROTOCOL_ENV_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocol/core/crypto.h"
#include "protocol/core/event.h"

/* Node identifiers are dense indexes assigned by whoever builds the
 * world: validators first, then full nodes. */
typedef uint32_t proto_node_id;
#define PROTO_NODE_NONE UINT32_MAX

/* Who a broadcast is for. */
typedef enum proto_scope {
    PROTO_SCOPE_VALIDATORS = 1, /* every validator: transactions, evidence, validator ops */
    PROTO_SCOPE_ALL = 2,        /* every node: decided blocks */
} proto_scope;

typedef struct proto_env {
    void *ctx;
    int64_t (*now_ns)(void *ctx);
    void (*send)(void *ctx, proto_node_id to, GBytes *wire);
    uint64_t (*set_timer)(void *ctx, int64_t delay_ns, uint32_t kind, uint64_t arg);
    void (*cancel_timer)(void *ctx, uint64_t timer_id);
    uint64_t (*random_u64)(void *ctx);
    void (*observe)(void *ctx, const proto_event *ev);
    /* Durable storage that survives a crash of this node. */
    void (*store_put)(void *ctx, const char *key, GBytes *value);
    GBytes *(*store_get)(void *ctx, const char *key);
    /* Have `wire` reach every node of `scope` other than this one, however
     * the network routes it (gossip over a mesh); the caller keeps its
     * reference. Messages of one PROTO_MSG type only; a receiver sees the
     * neighbour that handed it on as `from`. */
    void (*broadcast)(void *ctx, proto_scope scope, GBytes *wire);
    /* Fill up to `max` current neighbours (the nodes send() reaches now),
     * in a stable order; returns how many. */
    uint32_t (*peers)(void *ctx, proto_node_id *out, uint32_t max);
    /* Optional (NULL: include whatever pays best): the operator's
     * inclusion policy for the blocks this node builds, asked for each
     * candidate transaction by its sender's key; false leaves it, and the
     * rest of that sender's, out of the block. A real operator's filter
     * list; the simulator's `censor` behaviour. */
    bool (*include_tx)(void *ctx, const proto_pubkey *sender);
    /* Optional (NULL: the build's own): the module versions of the code
     * the operator installed, by module id ([PROTO_MODULES_MAX],
     * protocol/chain/module.h), for a node whose operator has not yet
     * installed an upgrade. Such a node halts at the height the upgrade
     * activates (protocol/modules/upgrade/upgrade.h) and does nothing
     * more until it is restarted with code that runs it. */
    const uint32_t *code_versions;
} proto_env;

#define PROTO_TIMER_NONE 0u

#endif
