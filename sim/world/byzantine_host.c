/* The world as the host of a Byzantine wrapper (byzantine.h): virtual
 * time, the virtual network, the scheduler, the mesh's peers, and the
 * observer's record of every block's state root. */
#include "sim/world/byzantine.h"

#include "protocol/poa/poa.h"
#include "sim/world/world_internal.h"

/* The context is the node's slot. */
static int64_t host_now(void *ctx)
{
    return sim_sched_now(((sim_node_slot *)ctx)->world->sched);
}

static void host_send(void *ctx, uint32_t to, GBytes *wire)
{
    sim_node_slot *slot = ctx;
    sim_world_net_send(slot->world, slot->index, to, wire);
}

static bool host_up(void *ctx)
{
    return ((sim_node_slot *)ctx)->up;
}

static void host_fire(void *ctx, uint64_t what, uint64_t arg)
{
    sim_byz_fire(ctx, (uint32_t)what, arg);
}

static void host_at(void *ctx, int64_t at_ns, sim_byz *b, uint32_t what, uint64_t arg)
{
    sim_sched_at(((sim_node_slot *)ctx)->world->sched, at_ns, host_fire, b, what, arg);
}

static uint32_t host_peers(void *ctx, proto_node_id *out, uint32_t max)
{
    sim_node_slot *slot = ctx;
    return sim_mesh_peers(slot->world, slot->index, out, max);
}

static const proto_state *host_poa_head(void *ctx)
{
    return poa_node_state(((sim_node_slot *)ctx)->consensus);
}

static bool host_block_state_root(void *ctx, const proto_hash *hash, proto_hash *root)
{
    return sim_observer_block_state_root(((sim_node_slot *)ctx)->world, hash, root);
}

sim_byz *sim_byz_new_in_world(sim_world *w, uint32_t node)
{
    sim_byz_host host = {.ctx = &w->nodes[node],
                         .now_ns = host_now,
                         .send = host_send,
                         .up = host_up,
                         .at = host_at,
                         .peers = w->opt.topology == SIM_TOPOLOGY_MESH ? host_peers : NULL,
                         .poa_head = host_poa_head,
                         .block_state_root = host_block_state_root};
    int32_t v = w->nodes[node].validator_index;
    char *name = sim_world_node_name(w, node);
    sim_byz_config cfg = {.seed = w->opt.seed,
                          .node_name = name,
                          .node = node,
                          .nodes_count = w->nodes_count,
                          .protocol = w->opt.protocol,
                          .key = v >= 0 ? &w->chain.validator_keys[v] : NULL,
                          .chain_id = w->chain.poa.chain_id,
                          .rules = &w->chain.rules,
                          .crypto = w->chain.crypto};
    sim_byz *b = sim_byz_new(&host, &cfg);
    g_free(name);
    return b;
}
