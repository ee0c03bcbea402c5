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
 * Between the two sits a tap: the p2p node drops messages from nodes that
 * are not (yet) its peers, over budget or banned, and unwraps gossip, so
 * what a validator's consensus node actually receives is known only
 * there. The accountability checker's ground truth (which COMMITs reached
 * a proposer, sim/check/accountability.c) is fed from the tap, never from the
 * network's deliveries.
 *
 * A twin (validator K's identity on a second machine) runs a p2p node at
 * its own address (its node index) with K's keys and a consensus node
 * that believes it is K: one identity on two machines, as the Twins
 * method means it. The p2p layer knows the address as one of K's
 * machines (p2p_params.extra_nodes), so validators keep links to it and
 * route consensus traffic to it as to K; each machine is reached, cut
 * off and scored on its own. */
#include "sim/world/world_internal.h"

#include "protocol/memo/p2p_id_memo.h"

#define WORLD_P2P_ID_MEMO_ENTRIES 32

/* The consensus node with the accountability checker listening in. */
typedef struct mesh_tap {
    sim_world *w;
    uint32_t index;              /* the slot's node index */
    const proto_node_ops *ops;   /* the consensus node's */
    void *node;
} mesh_tap;

static void tap_on_message(void *p, proto_node_id from, GBytes *wire)
{
    mesh_tap *t = p;
    if (t->w->nodes[t->index].validator_index >= 0)
        sim_world_observers_delivery(t->w, from, t->index, wire);
    t->ops->on_message(t->node, from, wire);
}

static void tap_on_timer(void *p, uint64_t timer_id, uint32_t kind, uint64_t arg)
{
    mesh_tap *t = p;
    t->ops->on_timer(t->node, timer_id, kind, arg);
}

static void tap_submit_tx(void *p, GBytes *tx_wire)
{
    mesh_tap *t = p;
    t->ops->submit_tx(t->node, tx_wire);
}

static void tap_rotate_key(void *p, const proto_keypair *next)
{
    mesh_tap *t = p;
    g_assert(t->ops->rotate_key != NULL);
    t->ops->rotate_key(t->node, next);
}

static void tap_fee_quote(void *p, proto_fee_quote *out)
{
    mesh_tap *t = p;
    t->ops->fee_quote(t->node, out);
}

static uint32_t tap_fee_history(void *p, uint32_t blocks, uint64_t *base_fee,
                                double *gas_used_ratio, uint64_t *reward)
{
    mesh_tap *t = p;
    return t->ops->fee_history(t->node, blocks, base_fee, gas_used_ratio, reward);
}

static void tap_free(void *p)
{
    mesh_tap *t = p;
    t->ops->free(t->node);
    g_free(t);
}

static const proto_node_ops tap_ops = {
    .name = "sim-tap",
    .on_message = tap_on_message,
    .on_timer = tap_on_timer,
    .submit_tx = tap_submit_tx,
    .free = tap_free,
    .rotate_key = tap_rotate_key,
    .fee_quote = tap_fee_quote,
    .fee_history = tap_fee_history,
};

void sim_mesh_init(sim_world *w)
{
    if (w->opt.topology != SIM_TOPOLOGY_MESH)
        return;
    const GArray *bootstrap = w->mesh.bootstrap;
    w->bootstrap = g_new0(proto_node_id, bootstrap->len);
    for (guint i = 0; i < bootstrap->len; i++)
        w->bootstrap[i] = g_array_index(bootstrap, uint32_t, i);
    p2p_params *p = &w->p2p;
    p2p_params_defaults(p, w->mesh.degree);
    /* Addresses are node indexes; agents' indexes stay unused. */
    p->nodes_count = w->nodes_count;
    uint32_t twins = w->nodes_count - w->opt.first_twin;
    w->twin_nodes = g_new0(proto_node_id, MAX(twins, 1));
    w->twin_validators = g_new0(uint32_t, MAX(twins, 1));
    for (uint32_t i = 0; i < twins; i++) {
        w->twin_nodes[i] = w->opt.first_twin + i;
        w->twin_validators[i] = g_array_index(w->opt.twins, uint32_t, i);
    }
    p->extra_nodes = w->twin_nodes;
    p->extra_validators = w->twin_validators;
    p->extras_count = twins;
    /* PBFT's consensus traffic is unicast to the validators' machines. */
    w->chain.pbft.extra_nodes = w->twin_nodes;
    w->chain.pbft.extras_count = twins;
    p->validators_count = w->opt.validators;
    p->validator_nodes = w->chain.validator_nodes;
    p->stakes = w->chain.stakes;
    p->bootstrap = w->bootstrap;
    p->bootstrap_count = bootstrap->len;
    /* Gossip ids are computed once per message, not once per node
     * (protocol/memo/p2p_id_memo.h): a few dozen big messages are in
     * flight at once. */
    p->id_memo = p2p_id_memo_new(WORLD_P2P_ID_MEMO_ENTRIES);
}

void sim_mesh_clear(sim_world *w)
{
    g_free(w->bootstrap);
    w->bootstrap = NULL;
    g_free(w->twin_nodes);
    w->twin_nodes = NULL;
    g_free(w->twin_validators);
    w->twin_validators = NULL;
    p2p_id_memo_free(w->p2p.id_memo);
    w->p2p.id_memo = NULL;
}

void sim_mesh_start_node(sim_world *w, sim_node_slot *slot)
{
    g_assert(w->opt.topology == SIM_TOPOLOGY_MESH && slot->p2p == NULL);
    proto_node_id self = slot->index;
    p2p_node *p2p = p2p_node_new(&w->p2p, self, slot->validator_index, &slot->env);
    mesh_tap *tap = g_new0(mesh_tap, 1);
    tap->w = w;
    tap->index = slot->index;
    tap->node = sim_world_new_consensus_node(w, slot, self, p2p_node_inner_env(p2p));
    tap->ops = slot->consensus_ops;
    p2p_node_attach(p2p, &tap_ops, tap); /* the p2p node frees the tap, the tap the node */
    slot->consensus = tap->node;
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
