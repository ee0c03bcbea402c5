/* A deterministic driver for P2P mesh unit tests: up to P2P_HUB_NODES_MAX
 * real p2p nodes, each carrying a small test consensus node, wired by a
 * time-ordered delivery queue.
 *
 * Each node has its own environment (clock, timers, store, random stream
 * seeded from the hub's seed and the node's index, recorded events). A
 * message from a to b arrives after a fixed one-way latency per pair,
 * 5..50 ms from a seeded formula, so links are FIFO; equal times go in
 * the order queued. Tests crash and restart nodes (the store survives;
 * messages and timers addressed to the old incarnation are dropped),
 * partition them into groups (messages between groups, also those in
 * flight, are dropped), and inject bytes as a hostile peer.
 *
 * A test may declare nodes as further machines of a validator
 * (params.extra_nodes / extra_validators, before starting them): such a
 * node runs as that validator.
 *
 * The test consensus node records every message handed to it and reports
 * PROTO_EV_MSG_REJECTED (DECODE) for a message whose first byte is
 * P2P_HUB_BAD, so the p2p layer treats it as invalid. The hub folds every
 * delivery and event into a trace hash: same seed, same hash. No sim/
 * code is used: this tests the protocol module alone. */
#ifndef AITBC_TEST_P2P_HUB_H
#define AITBC_TEST_P2P_HUB_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocol/p2p/p2p.h"
#include "protocol/p2p/p2p_msg.h"

#define P2P_HUB_NODES_MAX 64
#define P2P_HUB_BAD 0xEEu  /* first byte the test consensus node rejects */
#define P2P_HUB_SEC(x) ((int64_t)((x) * 1000000000.0))

/* One message the test consensus node received. */
typedef struct p2p_hub_rx {
    proto_node_id from;
    p2p_id id;           /* p2p_id_of its bytes */
    uint32_t size;
    int64_t at_ns;
} p2p_hub_rx;

typedef struct p2p_hub p2p_hub;

typedef struct p2p_hub_node {
    p2p_hub *hub;
    uint32_t index;
    p2p_node *node;      /* NULL: not started or crashed */
    GHashTable *store;   /* char * -> GBytes *: survives crashes */
    GArray *events;      /* proto_event (pointers cleared) */
    GArray *received;    /* p2p_hub_rx */
    GHashTable *timers;  /* live timer ids (lookup only) */
    uint64_t random_state;
    uint32_t epoch;      /* incarnation: bumped by a crash */
    uint32_t group;      /* partition group */
    uint64_t inner_timers_fired;
} p2p_hub_node;

struct p2p_hub {
    uint64_t seed;
    uint32_t nodes;
    uint32_t validators;  /* nodes 0 .. validators-1 */
    proto_node_id vnodes[P2P_HUB_NODES_MAX];
    uint64_t stakes[P2P_HUB_NODES_MAX];
    proto_node_id bootstrap[4];
    p2p_params params;    /* tests may change it before starting nodes */
    p2p_hub_node node[P2P_HUB_NODES_MAX];
    GArray *queue;        /* binary min-heap of pending deliveries and timers */
    int64_t now_ns;
    uint64_t seq;
    uint64_t next_timer_id;
    uint64_t delivered;
    uint64_t trace;       /* FNV-1a over deliveries and events */
    bool echo;            /* test consensus nodes broadcast(ALL) every TX they get */
};

/* Validators 0..v-1 (stake 100 each) then full nodes; default tunables
 * for `degree`; bootstrap = {validator 0, first full node}. Nothing runs
 * until nodes are started. */
void p2p_hub_init(p2p_hub *h, uint64_t seed, uint32_t validators, uint32_t full_nodes,
                  uint32_t degree);
void p2p_hub_clear(p2p_hub *h);
/* A heap hub whose nodes all started and ran 20 s, so the mesh has
 * formed; free with p2p_hub_free. */
p2p_hub *p2p_hub_new_formed(uint64_t seed, uint32_t validators, uint32_t full_nodes,
                            uint32_t degree);
void p2p_hub_free(p2p_hub *h);
/* Build node i (p2p node and test consensus node) without starting it. */
void p2p_hub_create(p2p_hub *h, uint32_t i);
/* Build (unless built) and start node i. */
void p2p_hub_start(p2p_hub *h, uint32_t i);
void p2p_hub_start_all(p2p_hub *h);
void p2p_hub_crash(p2p_hub *h, uint32_t i);
/* Run deliveries and timers in time order up to t_ns (inclusive). */
void p2p_hub_run_until(p2p_hub *h, int64_t t_ns);
void p2p_hub_run_for(p2p_hub *h, int64_t dt_ns);
/* groups[i] for every node; 0 everywhere heals. */
void p2p_hub_partition(p2p_hub *h, const uint32_t *groups);
void p2p_hub_heal(p2p_hub *h);
/* Hand bytes to node `to` as if `from` sent them, now. */
void p2p_hub_inject(p2p_hub *h, proto_node_id from, proto_node_id to, GBytes *wire);
int64_t p2p_hub_latency_ns(const p2p_hub *h, proto_node_id a, proto_node_id b);

p2p_node *p2p_hub_p2p(const p2p_hub *h, uint32_t i);
const proto_env *p2p_hub_inner_env(const p2p_hub *h, uint32_t i);
/* Times node i's consensus node received the message with this id. */
guint p2p_hub_received(const p2p_hub *h, uint32_t i, const p2p_id *id);
guint p2p_hub_events(const p2p_hub *h, uint32_t i, proto_event_kind kind);
/* The live nodes' peer links connect them all. */
bool p2p_hub_connected(const p2p_hub *h);
bool p2p_hub_node_has_peer(const p2p_node *n, proto_node_id id);
/* Every live node's peers are live and hold it as a peer too. */
bool p2p_hub_links_mutual(const p2p_hub *h);
/* A message of `size` bytes (>= 2) starting with `first`, its bytes
 * derived from `tag`. */
GBytes *p2p_hub_payload(uint8_t first, uint32_t tag, uint32_t size);

#endif
