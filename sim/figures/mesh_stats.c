/* What the P2P mesh did, per node and in total.
 *
 * A p2p node counts what it sees (p2p_stats: gossip copies, IHAVE/IWANT,
 * throttled, dropped and malformed messages, bans) but those counters
 * die with it, at a crash or a churn leave. So each node's counters are
 * summed into its record (sim_mesh_node) as its p2p node goes down (the
 * on_node_down hook) and, for the nodes still up, at the end
 * (sim_mesh_read_live); its peer count is the one it had then. Connects
 * and disconnects come from the nodes' events instead, which also say
 * why a peering ended.
 *
 * The mesh-only figures exist only in runs that had a mesh: some node
 * ran a p2p node or reported a peer or partition event. Every run gets a
 * peers record per node (for the database), with the bytes the network
 * counted for it and, where it ran a p2p node, its mesh counters.
 *
 * It is a world observer (sim/world/world_observer.h) with its own state:
 * the per node records and the connect and disconnect counts. Its
 * figures are computed by sim_mesh_figures, called at its place in
 * sim_figures_compute (the order of the figures is the order of the
 * reports), not by the figures hook. */
#include "sim/world/world_internal.h"

typedef struct sim_mesh_stats {
    sim_mesh_node *nodes;            /* [nodes_count] */
    uint32_t nodes_count;
    bool events_seen;                /* some node reported a peer or partition event */
    uint64_t peer_connects;          /* PROTO_EV_PEER_CONNECTED events */
    uint64_t peer_disconnects[PROTO_P2P_REASON_COUNT]; /* PROTO_EV_PEER_DISCONNECTED, by reason */
} sim_mesh_stats;

static sim_mesh_stats *mesh_find(const sim_world *w)
{
    sim_mesh_stats *ms = sim_world_observer_find(w, &sim_mesh_stats_observer_ops);
    g_assert(ms != NULL);
    return ms;
}

sim_mesh_node *sim_mesh_node_record(sim_world *w, uint32_t index)
{
    sim_mesh_stats *ms = mesh_find(w);
    g_assert(index < ms->nodes_count);
    return &ms->nodes[index];
}

static void mesh_stats_add(p2p_stats *sum, const p2p_stats *s)
{
    sum->gossip_first += s->gossip_first;
    sum->gossip_duplicate += s->gossip_duplicate;
    sum->gossip_invalid += s->gossip_invalid;
    sum->ihave_sent += s->ihave_sent;
    sum->iwant_sent += s->iwant_sent;
    sum->iwant_served += s->iwant_served;
    sum->throttled += s->throttled;
    sum->dropped_not_peer += s->dropped_not_peer;
    sum->malformed += s->malformed;
    sum->no_route += s->no_route;
    sum->held += s->held;
    sum->gossip_rerouted += s->gossip_rerouted;
    sum->connects += s->connects;
    sum->disconnects += s->disconnects;
    sum->bans += s->bans;
}

/* Add what the node's p2p node counted to its record, and take its peer
 * count now. */
static void mesh_read_p2p(sim_mesh_stats *ms, sim_world *w, uint32_t index, bool at_end)
{
    const sim_node_slot *slot = &w->nodes[index];
    sim_mesh_node *n = &ms->nodes[index];
    g_assert(slot->p2p != NULL);
    mesh_stats_add(&n->stats, p2p_node_stats(slot->p2p));
    n->peers = p2p_node_peers_count(slot->p2p);
    n->p2p_seen = true;
    n->live_at_end = at_end;
}

bool sim_mesh_ran(const sim_world *w)
{
    const sim_mesh_stats *ms = mesh_find(w);
    if (ms->events_seen)
        return true;
    for (uint32_t i = 0; i < ms->nodes_count; i++) {
        if (ms->nodes[i].p2p_seen)
            return true;
    }
    return false;
}

static void mesh_peer_records(const sim_mesh_stats *ms, sim_world *w)
{
    GArray *records = w->metrics->peers;
    g_array_set_size(records, 0);
    for (uint32_t i = 0; i < w->nodes_count; i++) {
        const sim_mesh_node *n = &ms->nodes[i];
        const sim_net_node_stats *net = sim_net_node_stats_get(w->net, i);
        sim_peer_record r = {.node = i,
                             .mesh = n->p2p_seen,
                             .bytes_sent = net->bytes_sent,
                             .bytes_received = net->bytes_received,
                             .peers = n->peers,
                             .gossip_first = n->stats.gossip_first,
                             .gossip_duplicate = n->stats.gossip_duplicate,
                             .throttled = n->stats.throttled,
                             .bans = n->stats.bans};
        g_array_append_val(records, r);
    }
}

/* Peers of the nodes whose p2p node is up at the end. */
static void mesh_peers_figures(const sim_mesh_stats *ms, sim_world *w)
{
    uint64_t sum = 0;
    uint32_t nodes = 0, min = UINT32_MAX, max = 0;
    for (uint32_t i = 0; i < ms->nodes_count; i++) {
        const sim_mesh_node *n = &ms->nodes[i];
        if (!n->live_at_end)
            continue;
        nodes++;
        sum += n->peers;
        min = MIN(min, n->peers);
        max = MAX(max, n->peers);
    }
    if (nodes == 0)
        return; /* no p2p node up at the end: nothing to count */
    sim_metrics_figure(w->metrics, "peers_per_node_mean", (double)sum / nodes);
    sim_metrics_figure(w->metrics, "peers_per_node_min", min);
    sim_metrics_figure(w->metrics, "peers_per_node_max", max);
}

static void mesh_total_figures(const sim_mesh_stats *ms, sim_world *w)
{
    p2p_stats total = {0};
    for (uint32_t i = 0; i < ms->nodes_count; i++)
        mesh_stats_add(&total, &ms->nodes[i].stats);
    sim_metrics *m = w->metrics;
    uint64_t copies = total.gossip_first + total.gossip_duplicate;
    sim_metrics_figure(m, "gossip_duplicate_ratio",
                       copies > 0 ? (double)total.gossip_duplicate / (double)copies : 0.0);
    sim_metrics_figure(m, "gossip_ihave_sent", (double)total.ihave_sent);
    sim_metrics_figure(m, "gossip_iwant_sent", (double)total.iwant_sent);
    sim_metrics_figure(m, "p2p_throttled", (double)total.throttled);
    sim_metrics_figure(m, "p2p_dropped_not_peer", (double)total.dropped_not_peer);
    sim_metrics_figure(m, "p2p_malformed", (double)total.malformed);
    sim_metrics_figure(m, "p2p_no_route", (double)total.no_route);
    sim_metrics_figure(m, "gossip_held", (double)total.held);
    sim_metrics_figure(m, "gossip_rerouted", (double)total.gossip_rerouted);
    sim_metrics_figure(m, "peer_connects", (double)ms->peer_connects);
    uint64_t disconnects = 0;
    for (int r = 0; r < PROTO_P2P_REASON_COUNT; r++)
        disconnects += ms->peer_disconnects[r];
    sim_metrics_figure(m, "peer_disconnects", (double)disconnects);
    for (int r = 1; r < PROTO_P2P_REASON_COUNT; r++) {
        char *name = g_strdup_printf("peer_disconnects.%s", proto_p2p_reason_name(r));
        sim_metrics_figure(m, name, (double)ms->peer_disconnects[r]);
        g_free(name);
    }
    sim_metrics_figure(m, "peer_bans", (double)total.bans);
}

void sim_mesh_read_live(sim_world *w)
{
    sim_mesh_stats *ms = mesh_find(w);
    for (uint32_t i = 0; i < w->nodes_count; i++) {
        if (w->nodes[i].p2p != NULL)
            mesh_read_p2p(ms, w, i, true);
    }
}

void sim_mesh_figures(sim_world *w)
{
    const sim_mesh_stats *ms = mesh_find(w);
    mesh_peer_records(ms, w);
    if (!sim_mesh_ran(w))
        return;
    mesh_peers_figures(ms, w);
    mesh_total_figures(ms, w);
}

/* ---- as a world observer ---- */

sim_mesh_stats *sim_mesh_stats_new(const sim_world *w)
{
    sim_mesh_stats *ms = g_new0(sim_mesh_stats, 1);
    ms->nodes = g_new0(sim_mesh_node, w->nodes_count);
    ms->nodes_count = w->nodes_count;
    return ms;
}

static void mesh_on_event(void *self, sim_world *w, uint32_t node, const proto_event *ev)
{
    (void)w;
    (void)node;
    sim_mesh_stats *ms = self;
    switch (ev->kind) {
    case PROTO_EV_PEER_CONNECTED:
        ms->events_seen = true;
        ms->peer_connects++;
        return;
    case PROTO_EV_PEER_DISCONNECTED: {
        unsigned reason = (unsigned)ev->p2p_reason;
        ms->events_seen = true;
        ms->peer_disconnects[reason < PROTO_P2P_REASON_COUNT ? reason : 0]++;
        return;
    }
    case PROTO_EV_PARTITION_SUSPECTED:
    case PROTO_EV_PARTITION_HEALED:
        ms->events_seen = true; /* the records are convergence.c's */
        return;
    default:
        return;
    }
}

/* Before the world frees the node, while slot->p2p is still valid: a
 * crash loses the node's p2p counters otherwise. */
static void mesh_on_node_down(void *self, sim_world *w, uint32_t node)
{
    g_assert(node < w->nodes_count);
    if (w->nodes[node].p2p != NULL)
        mesh_read_p2p(self, w, node, false);
}

static void mesh_free(void *self)
{
    sim_mesh_stats *ms = self;
    g_free(ms->nodes);
    g_free(ms);
}

const sim_world_observer_ops sim_mesh_stats_observer_ops = {
    .name = "mesh_stats",
    .on_event = mesh_on_event,
    .on_node_down = mesh_on_node_down,
    .free = mesh_free,
};
