/* A tiny deterministic driver for PBFT unit tests: a handful of real PBFT
 * nodes, each with its own fake environment, wired by a message pump with
 * zero latency. Messages are delivered in FIFO order, timers fire in time
 * order (ties by node), and tests can crash, restart, isolate nodes or
 * drop messages, or inject bytes as a hostile peer. No sim/ code is used:
 * this tests the protocol module alone.
 *
 * A node put on an overlay (hub_set_overlay) may
 * broadcast; the pump delivers a broadcast as an ideal mesh would, to
 * every node of its scope (every validator, or every node) with the
 * broadcaster as `from`, through the same drop rules as a send, and logs
 * it in `broadcasts`. */
#ifndef AITBC_TEST_PBFT_HUB_H
#define AITBC_TEST_PBFT_HUB_H

#include <stdbool.h>

#include "protocol/pbft/pbft.h"
#include "support/fake_env.h"

#define HUB_NODES_MAX 8
#define HUB_ACCOUNTS 8
#define HUB_BALANCE 1000000000000ULL /* per account, operators included */
#define HUB_BASE_FEE 1000            /* genesis base fee */

typedef struct pbft_hub pbft_hub;
/* Return true to drop the message. */
typedef bool (*hub_filter_fn)(pbft_hub *h, proto_node_id from, proto_node_id to, GBytes *wire);

/* One broadcast the pump delivered. */
typedef struct hub_broadcast {
    proto_node_id from;
    proto_scope scope;
    uint8_t type; /* first byte of the message */
} hub_broadcast;

struct pbft_hub {
    uint32_t validators;
    uint32_t nodes;                 /* validators first, then full nodes */
    proto_crypto *crypto;
    proto_keypair vkeys[HUB_NODES_MAX];
    proto_pubkey vpub[HUB_NODES_MAX];
    uint64_t stakes[HUB_NODES_MAX];
    proto_node_id vnodes[HUB_NODES_MAX];
    proto_keypair akeys[HUB_ACCOUNTS];
    uint32_t fee_accounts[HUB_NODES_MAX]; /* validator i's operator account */
    proto_chain_rules rules;
    proto_state *genesis;
    pbft_params params;
    fake_env env[HUB_NODES_MAX];
    pbft_node *node[HUB_NODES_MAX];
    bool isolated[HUB_NODES_MAX];   /* messages to and from it are dropped */
    hub_filter_fn filter;
    int64_t now_ns;
    uint64_t delivered;
    GArray *broadcasts;             /* hub_broadcast, in delivery order */
    guint unicasts[256];            /* sends pumped, by message type (first byte) */
};

/* validators (<= HUB_NODES_MAX) equal stakes of 100, full nodes after them;
 * 1 s blocks, 2 s view timeout, checkpoint every `checkpoint_interval`. */
void hub_init(pbft_hub *h, uint32_t validators, uint32_t full_nodes,
              uint32_t checkpoint_interval);
void hub_clear(pbft_hub *h);
/* Execute b (its header filled in by the caller, no transactions) on
 * genesis as a node would at height 1: sets its fee fields and state
 * root and seals it; the caller signs. */
void hub_seal_on_genesis(pbft_hub *h, proto_block *b);
void hub_start(pbft_hub *h, uint32_t i);
void hub_crash(pbft_hub *h, uint32_t i); /* the store survives */
/* Before the run: share decoded blocks and executions through memos
 * (pbft_params.block_memo, exec_memo; 4 entries each); every node is
 * built again. hub_clear frees them. */
void hub_use_memos(pbft_hub *h);
/* Before the run, after the caller changed h->genesis (attached a module,
 * say): the genesis hash again, and every node built again on it. */
void hub_rebuild(pbft_hub *h);
/* Node i's code runs these module versions (env.h code_versions; NULL:
 * the build's own) from its next start (hub_start). */
void hub_set_code(pbft_hub *h, uint32_t i, const uint32_t *code_versions);
/* Before the run: put node i on an overlay whose current neighbours are
 * peers[0 .. count-1] (the node is built again with that environment). */
void hub_set_overlay(pbft_hub *h, uint32_t i, const proto_node_id *peers, uint32_t count);
/* Deliver everything pending, then fire timers up to t, repeatedly. */
void hub_run_until(pbft_hub *h, int64_t t_ns);
/* Hand bytes to node `to` as if `from` sent them (delivered at once). */
void hub_inject(pbft_hub *h, proto_node_id from, proto_node_id to, GBytes *wire);
/* A signed transfer from account `from` (nonce) submitted at node `at`. */
void hub_submit_tx(pbft_hub *h, uint32_t at, uint32_t from, uint64_t nonce);
uint64_t hub_committed(const pbft_hub *h, uint32_t i);
guint hub_events(const pbft_hub *h, uint32_t i, proto_event_kind kind);
/* If wire is a PRE-PREPARE whose block has this height, a new reference
 * to the block's bytes; NULL otherwise (for filters that catch a block). */
GBytes *hub_preprepare_block(GBytes *wire, uint64_t height);
/* Broadcasts of a scope and message type seen so far. */
guint hub_broadcasts(const pbft_hub *h, proto_scope scope, uint8_t type);
/* Messages node i rejected for `reason`. */
guint hub_rejected(const pbft_hub *h, uint32_t i, proto_reject_reason reason);
/* Every live node's committed chain is a prefix of every other's (a
 * failed Check assertion otherwise). */
void hub_assert_agreement(const pbft_hub *h);

#define HUB_SEC(x) ((int64_t)((x) * 1000000000.0))

#endif
