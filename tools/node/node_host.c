/* The node a process hosts: the consensus node alone, or inside a P2P
 * mesh node (see node_host.h). */
#include "tools/node/node_host.h"

/* Twin i is node first + i, with validator K's identity. */
static void twins_wire(tb_host *h, const sim_scenario *sc, sim_chain *chain, tb_runtime *rt)
{
    uint32_t count = sc->twins->len;
    uint32_t first = sim_scenario_node_count(sc) - count;
    h->twin_nodes = g_new0(proto_node_id, MAX(count, 1));
    h->twin_validators = g_new0(uint32_t, MAX(count, 1));
    for (uint32_t i = 0; i < count; i++) {
        h->twin_nodes[i] = first + i;
        h->twin_validators[i] = g_array_index(sc->twins, uint32_t, i);
        if (sc->topology != SIM_TOPOLOGY_MESH)
            tb_runtime_also_send(rt, h->twin_validators[i], h->twin_nodes[i]);
    }
    if (sc->topology == SIM_TOPOLOGY_MESH) {
        chain->pbft.extra_nodes = h->twin_nodes;
        chain->pbft.extras_count = count;
    }
}

static void mesh_params(tb_host *h, const sim_scenario *sc, const sim_chain *chain)
{
    p2p_params *p = &h->p2p;
    p2p_params_defaults(p, sc->degree);
    p->validators_count = sc->validators;
    p->validator_nodes = chain->validator_nodes;
    p->stakes = chain->stakes;
    uint32_t count = sc->bootstrap != NULL ? sc->bootstrap->len : 0;
    h->bootstrap = g_new0(proto_node_id, MAX(count, 1));
    for (uint32_t i = 0; i < count; i++)
        h->bootstrap[i] = g_array_index(sc->bootstrap, uint32_t, i);
    p->bootstrap = h->bootstrap;
    p->bootstrap_count = count;
    p->nodes_count = sim_scenario_node_count(sc);
    p->extra_nodes = h->twin_nodes;
    p->extra_validators = h->twin_validators;
    p->extras_count = sc->twins->len;
}

void tb_host_start(tb_host *h, const sim_scenario *sc, sim_chain *chain, uint32_t self,
                   int32_t validator_index, tb_runtime *rt)
{
    *h = (tb_host){0};
    const proto_env *env = &rt->env;
    twins_wire(h, sc, chain, rt);
    if (sc->topology != SIM_TOPOLOGY_MESH) {
        h->node = sim_chain_new_node(chain, self, validator_index, env, &h->ops);
        h->consensus = h->node;
        h->consensus_ops = h->ops;
        return;
    }
    mesh_params(h, sc, chain);
    h->mesh = p2p_node_new(&h->p2p, self, validator_index, env);
    const proto_node_ops *consensus_ops = NULL;
    void *consensus = sim_chain_new_node(chain, self, validator_index,
                                         p2p_node_inner_env(h->mesh), &consensus_ops);
    p2p_node_attach(h->mesh, consensus_ops, consensus);
    h->consensus = consensus;
    h->consensus_ops = consensus_ops;
    h->node = h->mesh;
    h->ops = &p2p_node_ops;
    p2p_node_start(h->mesh);
}

bool tb_host_write_stats(const tb_host *h, tb_records *records, GError **error)
{
    if (h->mesh == NULL)
        return true;
    const p2p_stats *s = p2p_node_stats(h->mesh);
    const struct {
        const char *name;
        uint64_t value;
    } rows[] = {
        {"p2p.gossip_first", s->gossip_first},
        {"p2p.gossip_duplicate", s->gossip_duplicate},
        {"p2p.gossip_invalid", s->gossip_invalid},
        {"p2p.ihave_sent", s->ihave_sent},
        {"p2p.iwant_sent", s->iwant_sent},
        {"p2p.iwant_served", s->iwant_served},
        {"p2p.throttled", s->throttled},
        {"p2p.dropped_not_peer", s->dropped_not_peer},
        {"p2p.malformed", s->malformed},
        {"p2p.no_route", s->no_route},
        {"p2p.held", s->held},
        {"p2p.gossip_rerouted", s->gossip_rerouted},
        {"p2p.bans", s->bans},
        {"p2p.peers", p2p_node_peers_count(h->mesh)},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++)
        if (!tb_records_write_stat(records, rows[i].name, rows[i].value, error))
            return false;
    return true;
}

void tb_host_clear(tb_host *h)
{
    if (h->node != NULL)
        h->ops->free(h->node);
    g_free(h->bootstrap);
    g_free(h->twin_nodes);
    g_free(h->twin_validators);
    *h = (tb_host){0};
}
