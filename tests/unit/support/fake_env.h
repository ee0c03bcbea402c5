/* A fake protocol environment for unit tests: no scheduler, no network.
 *
 * Time is a field the test sets; sends, timers and observed events are
 * recorded in arrays the test inspects; the store is a plain map; random
 * numbers come from a counter. Tests drive a node by calling its entry
 * points directly, as a hostile or friendly peer would.
 *
 * The overlay entries (env.broadcast, env.peers) stay NULL, as in the
 * simulator without a mesh, unless a test calls fake_env_set_overlay:
 * then broadcasts are recorded too and peers() returns the list given. */
#ifndef AITBC_TEST_FAKE_ENV_H
#define AITBC_TEST_FAKE_ENV_H

#include <glib.h>
#include <stdint.h>

#include "protocol/core/crypto.h"
#include "protocol/core/env.h"

typedef struct fake_send {
    proto_node_id to;
    GBytes *wire;
} fake_send;

typedef struct fake_broadcast {
    proto_scope scope;
    GBytes *wire;
} fake_broadcast;

#define FAKE_PEERS_MAX 16

typedef struct fake_timer {
    uint64_t id;
    int64_t at_ns;
    uint32_t kind;
    uint64_t arg;
    gboolean cancelled;
} fake_timer;

typedef struct fake_env {
    proto_env env;
    int64_t now_ns;
    uint64_t random_state;
    GArray *sends;   /* fake_send */
    GArray *timers;  /* fake_timer */
    GArray *events;  /* proto_event (pointers inside are NOT valid after the call) */
    GArray *tx_received; /* proto_hash: the id each PROTO_EV_TX_RECEIVED named */
    GHashTable *store; /* char* -> GBytes* */
    uint64_t next_timer_id;
    GArray *broadcasts; /* fake_broadcast (overlay on) */
    proto_node_id peers[FAKE_PEERS_MAX];
    uint32_t peers_count;
    uint32_t peers_calls; /* times the node asked for its peers */
} fake_env;

void fake_env_init(fake_env *f);
void fake_env_clear(fake_env *f);
/* Fill env.broadcast and env.peers: the node believes it sits on a mesh
 * whose current neighbours are peers[0 .. count-1]. */
void fake_env_set_overlay(fake_env *f, const proto_node_id *peers, uint32_t count);
/* Drop recorded sends, broadcasts and events (timers are kept). */
void fake_env_reset_records(fake_env *f);
/* Number of recorded events of a kind. */
guint fake_env_count_events(const fake_env *f, proto_event_kind kind);
/* The pending (uncancelled) timer with the smallest time, or NULL. */
fake_timer *fake_env_next_timer(fake_env *f);

#endif
