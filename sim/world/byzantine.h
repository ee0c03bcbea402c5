/* Byzantine behaviours: wrappers around a real node's outgoing messages.
 *
 * A Byzantine node runs the real protocol code; what makes it Byzantine
 * is what happens to what it sends (docs/scenarios.md, the byzantine fault). Each
 * `[fault] action = byzantine` window [at, until) on a node adds one
 * behaviour to that node's wrapper:
 *
 *   equivocate         PBFT: as primary, a conflicting PRE-PREPARE (the same
 *                      block with another timestamp, re-signed) to every
 *                      other destination; as backup, PREPAREs and COMMITs for
 *                      a conflicting digest to every other destination.
 *                      PoA: an empty block for the same slot and parent,
 *                      re-signed, to every other destination.
 *   double-sign        both versions of each of those messages to everyone.
 *   withhold           never votes: PREPARE, COMMIT and CHECKPOINT (PBFT) are
 *                      dropped, as are its own blocks (PoA).
 *   invalid-signature  every signature it sends on a block, vote,
 *                      VIEW-CHANGE or NEW-VIEW has a flipped bit.
 *   replay             with every message, one of its 256 previous messages
 *                      (older heights and views included) goes out again.
 *   delay D            everything it sends leaves D later.
 *   flood R/s          R messages per second (Poisson) to random nodes (mesh
 *                      topology: to its current peers, random nodes while it
 *                      has none), half garbage bytes, half replays of
 *                      well-formed messages.
 *
 * In mesh topology the wrapper wraps the p2p node's sends: behaviours act
 * on the message inside a gossip envelope too (see byzantine.c).
 *
 * `twin` is not a wrapper: the world runs a second real node with the same
 * identity and keys (sim/world/world.c, sim/world/mesh_world.c). Conflicting variants are built with the
 * node's own validator key, so other nodes see validly signed conflicts.
 * All randomness comes from the node's own "byzantine/<node>" stream. */
#ifndef AITBC_SIM_BYZANTINE_H
#define AITBC_SIM_BYZANTINE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocol/chain/state.h"
#include "protocol/chain/tx_exec.h"
#include "protocol/core/crypto.h"
#include "protocol/core/node.h"
#include "sim/scenario/scenario.h"

typedef struct sim_byz sim_byz;

/* Where a wrapper runs: the simulator's world (byzantine_host.c) or a
 * testbed process (tools/node/node_host.c). Every call gets ctx. */
typedef struct sim_byz_host {
    void *ctx;
    int64_t (*now_ns)(void *ctx);
    /* Hand wire to the network, from this node to node `to`. */
    void (*send)(void *ctx, uint32_t to, GBytes *wire);
    /* The node runs (a delayed message or a flood of a crashed node is
     * not sent). */
    bool (*up)(void *ctx);
    /* Call sim_byz_fire(b, what, arg) at time at_ns (>= now). */
    void (*at)(void *ctx, int64_t at_ns, sim_byz *b, uint32_t what, uint64_t arg);
    /* The node's current mesh peers (NULL in direct topology). */
    uint32_t (*peers)(void *ctx, proto_node_id *out, uint32_t max);
    /* PoA: the node's head state, and the state root after block `hash`
     * if known (false: unknown). */
    const proto_state *(*poa_head)(void *ctx);
    bool (*block_state_root)(void *ctx, const proto_hash *hash, proto_hash *root);
} sim_byz_host;

/* The node and chain a wrapper works for (pointers borrowed for the
 * wrapper's life, node_name for sim_byz_new only). */
typedef struct sim_byz_config {
    uint64_t seed;
    const char *node_name;       /* the RNG stream is "byzantine/<node_name>" */
    uint32_t node;
    uint32_t nodes_count;        /* flood targets: another node below it */
    sim_consensus_kind protocol;
    const proto_keypair *key;    /* the validator's key; NULL for a full node */
    uint64_t chain_id;
    const proto_chain_rules *rules;
    proto_crypto *crypto;
} sim_byz_config;

/* A wrapper with no behaviour yet. */
sim_byz *sim_byz_new(const sim_byz_host *host, const sim_byz_config *cfg);
void sim_byz_free(sim_byz *b);
/* Add the behaviour of fault f (action byzantine, behavior != twin). */
void sim_byz_add(sim_byz *b, const sim_fault *f);
/* The node sends wire to `to`: apply the active behaviours and hand the
 * result (possibly nothing, possibly several messages) to the network. */
void sim_byz_send(sim_byz *b, uint32_t to, GBytes *wire);
/* The host's timer for `at` is due. */
void sim_byz_fire(sim_byz *b, uint32_t what, uint64_t arg);
/* Some behaviour's window is open now. */
bool sim_byz_active_now(const sim_byz *b);
/* Counters for the report. */
uint64_t sim_byz_variants_sent(const sim_byz *b);

/* byzantine_host.c: the wrapper of world node `node`, the world as its
 * host. */
typedef struct sim_world sim_world;
sim_byz *sim_byz_new_in_world(sim_world *w, uint32_t node);

#endif
