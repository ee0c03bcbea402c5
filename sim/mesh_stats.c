/* What the P2P mesh did, per node and in total (issue 5, item 8).
 *
 * The mesh-only figures exist only in runs that had a mesh: some node
 * reported a peer or partition event. A node's suspicion of a partition
 * ends when the node goes down (its next incarnation starts afresh), so
 * sim_mesh_on_node_down closes it in the record. */
#include "sim/world_internal.h"

void sim_mesh_on_node_down(sim_world *w, uint32_t index)
{
    g_assert(index < w->nodes_count);
    w->partition_open[index] = 0;
}

bool sim_mesh_ran(const sim_world *w)
{
    return w->mesh_events_seen;
}
