/* Node names and node sets as scenario files write them.
 *
 * Node indexes: validators v0..v{V-1} are 0..V-1, full nodes n0.. are
 * V..V+F-1, and twins (one per validator under a `behavior = twin` fault,
 * in the order of the twin faults) come last: twin i is node V+F+i and is
 * named "vK'" after its validator vK. Agents a0..a{A-1} ([agents]) are
 * not nodes: lists may name them only where the caller takes agents
 * (sim_nodeset_parse_agents), and they come back apart, as agent indexes
 * 0..A-1.
 *
 * A node set is written as names ("v3", "n12", "a0", "v3'"), ranges
 * ("v0..v4", also "v0 .. v4"; both ends of one kind, start <= end, twins
 * not allowed), and groups: validators, full_nodes, agents, all (every node
 * including twins), honest (every node with no byzantine fault, twins and
 * their validators included among the byzantine), separated by blanks or
 * commas. The result is a sorted array of uint32 indexes without
 * duplicates. A name that names no node, an empty group, an empty list, or
 * a node named twice ("v1 v1", "v0..v4 v2", "validators v0") is an error
 * that names the offending word. */
#ifndef AITBC_SIM_NODESET_H
#define AITBC_SIM_NODESET_H

#include <glib.h>
#include <stdint.h>

typedef struct sim_nodeset_ctx {
    uint32_t validators;
    uint32_t full_nodes;
    uint32_t agents;     /* agents a0..: not nodes (see above); 0 without [agents] */
    /* uint32 validator index of each twin, or NULL: twin names ("v3'")
     * are then rejected (used while the twin faults are being read). */
    const GArray *twins;
    /* Sorted uint32 node indexes under any byzantine fault, or NULL: the
     * `honest` group is then rejected (used while the byzantine faults
     * themselves are being read). */
    const GArray *byzantine;
} sim_nodeset_ctx;

/* Flags for sim_nodeset_parse. */
enum {
    SIM_NODESET_ALLOW_NONE = 1u << 0, /* the word `none` alone = empty set */
};

/* Parse text into a new GArray of uint32 (free with g_array_unref). Errors
 * are SIM_SCENARIO_ERROR / SIM_SCENARIO_ERROR_VALUE without location. */
GArray *sim_nodeset_parse(const sim_nodeset_ctx *ctx, const char *text, guint flags,
                          GError **error);
/* The same, taking agents too: agent names, ranges (a0..a4) and the group
 * `agents` go into *agents (a new sorted GArray of uint32 agent indexes,
 * possibly empty; set only on success), the nodes into the result (possibly
 * empty when only agents are named). sim_nodeset_parse refuses agents. */
GArray *sim_nodeset_parse_agents(const sim_nodeset_ctx *ctx, const char *text, guint flags,
                                 GArray **agents, GError **error);

uint32_t sim_nodeset_node_count(const sim_nodeset_ctx *ctx);
/* "v3", "n12", "a0", "v3'"; newly allocated; index < node count. */
char *sim_nodeset_node_name(const sim_nodeset_ctx *ctx, uint32_t index);

#endif
