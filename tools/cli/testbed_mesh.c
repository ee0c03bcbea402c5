/* The P2P mesh's part of the testbed's merge (testbed.h): what the
 * simulator's sim/figures/mesh_stats.c and convergence.c count, from the
 * nodes' records instead of the world.
 *
 * Each aitbc-node writes its p2p node's counters as link_stats rows
 * (tools/node/node_host.h), replaced as they grow, one set per run of
 * the process: summed over the runs, they are what the simulator sums as
 * a node goes down and at the end. A node's peer count is the one its
 * last run wrote, and counts only if the node was up at the end, as in
 * the simulator. Connects, disconnects by reason and partition
 * suspicions come from the nodes' events. */
#include "tools/cli/testbed.h"

#include <string.h>

void tbd_mesh_init(tbd_mesh *mesh, uint32_t nodes_count)
{
    *mesh = (tbd_mesh){.nodes_count = nodes_count};
    mesh->peers_run = g_new(int64_t, MAX(nodes_count, 1));
    mesh->peers = g_new0(uint64_t, MAX(nodes_count, 1));
    for (uint32_t i = 0; i < nodes_count; i++)
        mesh->peers_run[i] = -1;
}

void tbd_mesh_clear(tbd_mesh *mesh)
{
    g_free(mesh->peers_run);
    g_free(mesh->peers);
    *mesh = (tbd_mesh){0};
}

void tbd_mesh_peers(tbd_mesh *mesh, uint32_t node, int64_t run, uint64_t peers)
{
    g_assert(node < mesh->nodes_count);
    mesh->seen = true;
    if (run >= mesh->peers_run[node]) {
        mesh->peers_run[node] = run;
        mesh->peers[node] = peers;
    }
}

static unsigned reason_by_name(const char *name)
{
    for (unsigned r = 1; name != NULL && r < PROTO_P2P_REASON_COUNT; r++)
        if (strcmp(proto_p2p_reason_name((proto_p2p_reason)r), name) == 0)
            return r;
    return 0;
}

bool tbd_mesh_event(tbd_mesh *mesh, const char *kind, const char *reason)
{
    if (strcmp(kind, "peer-connected") == 0) {
        mesh->connects++;
    } else if (strcmp(kind, "peer-disconnected") == 0) {
        mesh->disconnects[reason_by_name(reason)]++;
    } else if (strcmp(kind, "partition-suspected") == 0) {
        mesh->partitions_suspected++;
    } else if (strcmp(kind, "partition-healed") != 0) {
        return false;
    }
    mesh->seen = true;
    return true;
}

static uint64_t sum_of(GHashTable *link_sums, const char *name)
{
    const uint64_t *v = g_hash_table_lookup(link_sums, name);
    return v != NULL ? *v : 0;
}

static void peers_figures(const tbd_mesh *mesh, sim_metrics *m, const bool *up_at_end)
{
    uint64_t sum = 0;
    uint32_t nodes = 0, min = UINT32_MAX, max = 0;
    for (uint32_t i = 0; i < mesh->nodes_count; i++) {
        if (!up_at_end[i] || mesh->peers_run[i] < 0)
            continue;
        uint32_t peers = (uint32_t)mesh->peers[i];
        nodes++;
        sum += peers;
        min = MIN(min, peers);
        max = MAX(max, peers);
    }
    if (nodes == 0)
        return;
    sim_metrics_figure(m, "peers_per_node_mean", (double)sum / nodes);
    sim_metrics_figure(m, "peers_per_node_min", min);
    sim_metrics_figure(m, "peers_per_node_max", max);
}

void tbd_mesh_figures(const tbd_mesh *mesh, sim_metrics *m, GHashTable *link_sums,
                      const bool *up_at_end)
{
    if (!mesh->seen)
        return;
    peers_figures(mesh, m, up_at_end);
    uint64_t first = sum_of(link_sums, "p2p.gossip_first");
    uint64_t duplicate = sum_of(link_sums, "p2p.gossip_duplicate");
    sim_metrics_figure(m, "gossip_duplicate_ratio",
                       first + duplicate > 0 ? (double)duplicate / (double)(first + duplicate)
                                             : 0.0);
    static const char *const sums[][2] = {
        {"p2p.ihave_sent", "gossip_ihave_sent"},   {"p2p.iwant_sent", "gossip_iwant_sent"},
        {"p2p.throttled", "p2p_throttled"},        {"p2p.dropped_not_peer", "p2p_dropped_not_peer"},
        {"p2p.malformed", "p2p_malformed"},        {"p2p.no_route", "p2p_no_route"},
        {"p2p.held", "gossip_held"},               {"p2p.gossip_rerouted", "gossip_rerouted"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(sums); i++)
        sim_metrics_figure(m, sums[i][1], (double)sum_of(link_sums, sums[i][0]));
    sim_metrics_figure(m, "peer_connects", (double)mesh->connects);
    uint64_t disconnects = 0;
    for (int r = 0; r < PROTO_P2P_REASON_COUNT; r++)
        disconnects += mesh->disconnects[r];
    sim_metrics_figure(m, "peer_disconnects", (double)disconnects);
    for (int r = 1; r < PROTO_P2P_REASON_COUNT; r++) {
        char *name = g_strdup_printf("peer_disconnects.%s", proto_p2p_reason_name((proto_p2p_reason)r));
        sim_metrics_figure(m, name, (double)mesh->disconnects[r]);
        g_free(name);
    }
    sim_metrics_figure(m, "peer_bans", (double)sum_of(link_sums, "p2p.bans"));
    sim_metrics_figure(m, "partitions_detected", (double)mesh->partitions_suspected);
}
