/* The sans-IO boundary between protocol code and whatever drives it.
 *
 * A protocol node never reads a clock, opens a socket, sleeps, spawns a
 * thread or calls a global RNG. Everything it needs from the outside world
 * comes through this table, provided by the simulator (sim/world.c) or by a
 * fake in unit tests (tests/unit/support/fake_env.c). A real socket runtime
 * could provide it unchanged.
 *
 * Ownership: `send` takes its own reference to `wire` (the caller keeps
 * its own). `store_put` copies the value. `store_get` returns a new
 * reference or NULL. Received bytes passed to a node are borrowed for the
 * duration of the call. */
#ifndef AITBC_PROTOCOL_ENV_H
#define AITBC_PROTOCOL_ENV_H

#include <glib.h>
#include <stdint.h>

#include "protocol/core/event.h"

/* Node identifiers are dense indexes assigned by whoever builds the
 * world: validators first, then full nodes. */
typedef uint32_t proto_node_id;
#define PROTO_NODE_NONE UINT32_MAX

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
} proto_env;

#define PROTO_TIMER_NONE 0u

#endif
