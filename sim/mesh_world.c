/* The mesh topology's wiring: every node is a P2P mesh node
 * (protocol/p2p/p2p.h) carrying its consensus node.
 *
 * One p2p_params serves the whole world: addresses are the node indexes
 * of validators and full nodes (V + F of them), the validators sit at
 * their own indexes with their stakes, and the bootstrap list is the
 * scenario's `bootstrap`. The p2p node talks through the slot's
 * environment (sends into the virtual network, the node's timers, RNG
 * stream and store); the consensus node is built with the p2p node's
 * inner environment, whose `broadcast` and `peers` the mesh fills, and
 * handed to the p2p node, which drives it from then on.
 *
 * A twin (validator K's identity on a second machine) runs a p2p node at
 * K's address with a consensus node that believes it is K: one identity
 * on two machines, as the Twins method means it. What reaches K reaches
 * its twins too (sim_world_net_send), and what a twin sends arrives from
 * K (sim/world.c, shown_sender). */
#include "sim/world_internal.h"

void sim_mesh_init(sim_world *w)
{
    const sim_scenario *sc = w->sc;
    if (sc->topology != SIM_TOPOLOGY_MESH)
        return;
    w->bootstrap = g_new0(proto_node_id, sc->bootstrap->len);
    for (guint i = 0; i < sc->bootstrap->len; i++)
        w->bootstrap[i] = g_array_index(sc->bootstrap, uint32_t, i);
    p2p_params *p = &w->p2p;
    p2p_params_defaults(p, sc->degree);
    p->nodes_count = sc->validators + sc->full_nodes;
    p->validators_count = sc->validators;
    p->validator_nodes = w->validator_nodes;
    p->stakes = w->stakes;
    p->bootstrap = w->bootstrap;
    p->bootstrap_count = sc->bootstrap->len;
}

void sim_mesh_clear(sim_world *w)
{
    g_free(w->bootstrap);
    w->bootstrap = NULL;
}

void sim_mesh_start_node(sim_world *w, sim_node_slot *slot)
{
    g_assert(w->sc->topology == SIM_TOPOLOGY_MESH && slot->p2p == NULL);
    proto_node_id self =
        slot->index >= w->first_twin ? (proto_node_id)slot->validator_index : slot->index;
    p2p_node *p2p = p2p_node_new(&w->p2p, self, slot->validator_index, &slot->env);
    void *inner = sim_world_new_consensus_node(w, slot, self, p2p_node_inner_env(p2p));
    p2p_node_attach(p2p, slot->consensus_ops, inner);
    slot->p2p = p2p;
    slot->node = p2p;
    slot->ops = &p2p_node_ops;
    p2p_node_start(p2p);
}

uint32_t sim_mesh_peers(const sim_world *w, uint32_t index, proto_node_id *out, uint32_t max)
{
    const sim_node_slot *slot = &w->nodes[index];
    return slot->p2p != NULL ? p2p_node_peers(slot->p2p, out, max) : 0;
}
