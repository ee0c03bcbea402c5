/* The node an aitbc-node process hosts, built as the simulator builds it.
 *
 * Direct topology: the consensus node (PBFT or PoA, sim_chain_new_node)
 * talks straight through the runtime's environment table, every other
 * node one send() away.
 *
 * Mesh topology: a P2P mesh node (protocol/p2p/p2p.h) owns the runtime's
 * environment and carries the consensus node, built with the p2p node's
 * inner environment, as sim/world/mesh_world.c wires it: addresses are
 * node indexes, validators sit at theirs with their stakes, the bootstrap
 * list is the scenario's. Nothing is shared with other processes (no
 * gossip id memo): each node computes every id itself.
 *
 * The p2p node's counters (p2p_stats) die with the process, as they die
 * with a crashed node in the simulator; tb_host_write_stats puts them in
 * the node's records as link_stats rows named p2p.* (p2p.peers: its peer
 * count at the time), summed over a node's runs by the testbed's merge. */
#ifndef AITBC_TOOLS_NODE_HOST_H
#define AITBC_TOOLS_NODE_HOST_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocol/core/env.h"
#include "protocol/core/node.h"
#include "protocol/p2p/p2p.h"
#include "sim/scenario/scenario.h"
#include "sim/world/chain.h"
#include "tools/node/records.h"
#include "tools/node/runtime_env.h"

typedef struct tb_host {
    p2p_params p2p;              /* mesh: the whole network's shape */
    proto_node_id *bootstrap;    /* [p2p.bootstrap_count] */
    proto_node_id *twin_nodes;   /* [twins]: twin i's node index */
    uint32_t *twin_validators;   /* [twins]: its K */
    p2p_node *mesh;              /* NULL in direct topology (owned by `node`) */
    void *consensus;             /* the PBFT or PoA node (owned by `node`) */
    const proto_node_ops *consensus_ops;
    void *node;                  /* what the runtime drives */
    const proto_node_ops *ops;
} tb_host;

/* Build node `self` (validator_index < 0: a full node; a twin runs its
 * K's) of the chain, talking through the runtime's environment, and
 * start it. Twins are wired as the simulator wires them: in direct
 * topology a twin shares K's address, so the runtime also sends it what
 * goes to K (tb_runtime_also_send); on the mesh it has an address of its
 * own that the p2p layer and PBFT know as one of K's machines (the
 * chain's pbft.extra_nodes are set here: chain must not be shared). */
void tb_host_start(tb_host *h, const sim_scenario *sc, sim_chain *chain, uint32_t self,
                   int32_t validator_index, tb_runtime *rt);
/* The p2p counters (nothing in direct topology), queued as link_stats. */
bool tb_host_write_stats(const tb_host *h, tb_records *records, GError **error);
/* Free the node (and the consensus node it carries). */
void tb_host_clear(tb_host *h);

#endif
