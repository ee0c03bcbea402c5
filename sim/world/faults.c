/* Fault injection from the scenario's [fault NAME] sections.
 *
 * Each fault becomes two scheduler events, start at `at` and end at
 * `until` (if given): crash -> restart, partition -> heal, degrade ->
 * restore, byzantine twin -> the twin node starts, then stops (other
 * Byzantine behaviours are applied by sim/world/byzantine.c during their
 * window); rotate-key happens once, at `at`; churn runs its own Poisson
 * joins and leaves in its window (sim/world/churn.c for nodes,
 * sim/world/agents_churn.c for agents).
 *
 * Overlapping faults compose, so that what happens is what the faults
 * table says:
 *   - crash: a node is down while any crash fault holds it; it restarts
 *     when the last window that holds it ends (a twin also needs its twin
 *     window open);
 *   - partition: two nodes can talk only if no open partition separates
 *     them (each node's group is the tuple of its groups in the open
 *     partitions), so one heal reconnects only what that partition cut;
 *   - one-way partition (`groups = A -> B`, A's messages to B are lost):
 *     a cut of its own beside the partitions; of several open ones, the
 *     most recently started applies (like degrades);
 *   - degrade: a node's links take the parameters of the most recently
 *     started open degrade fault that names it, and the base parameters
 *     when none is open.
 * Every window is recorded in the metrics' fault list, which the reports
 * shade on plots. */
#include "sim/world/world_internal.h"

#include <string.h>

static const sim_fault *fault_at(sim_world *w, uint64_t index)
{
    g_assert(index < w->opt.faults->len);
    return w->opt.faults->pdata[index];
}

/* Each node's group is the tuple of its groups (unlisted: 0) in the open
 * partitions, in file order, numbered by first appearance in node order:
 * two nodes are in one group exactly when no open partition separates
 * them. No open partition heals everything. */
static void apply_partitions(sim_world *w)
{
    g_autofree uint32_t *group = g_new0(uint32_t, w->nodes_count);
    g_autofree uint32_t *part = g_new0(uint32_t, w->nodes_count);
    bool any = false;
    for (guint i = 0; i < w->opt.faults->len; i++) {
        const sim_fault *f = w->opt.faults->pdata[i];
        if (f->action != SIM_FAULT_PARTITION || f->oneway || !w->fault_active[i])
            continue;
        any = true;
        memset(part, 0, w->nodes_count * sizeof *part);
        for (guint g = 0; g < f->groups->len; g++) {
            GArray *members = f->groups->pdata[g];
            for (guint k = 0; k < members->len; k++) {
                uint32_t node = g_array_index(members, uint32_t, k);
                if (node < w->nodes_count)
                    part[node] = g;
            }
        }
        /* (old group, this partition's group) -> new group number. */
        g_autoptr(GHashTable) ids = g_hash_table_new(g_int64_hash, g_int64_equal);
        g_autofree gint64 *keys = g_new(gint64, w->nodes_count);
        for (uint32_t n = 0; n < w->nodes_count; n++) {
            keys[n] = ((gint64)group[n] << 32) | part[n];
            gpointer id = NULL;
            if (!g_hash_table_lookup_extended(ids, &keys[n], NULL, &id)) {
                id = GUINT_TO_POINTER(g_hash_table_size(ids));
                g_hash_table_insert(ids, &keys[n], id);
            }
            group[n] = GPOINTER_TO_UINT(id);
        }
    }
    sim_net_set_partition(w->net, any ? group : NULL);
}

/* groups = A -> B: A's messages to B are lost. The open one-way
 * partition that started last applies (equal starts: the later in the
 * file); none open lifts the cut. */
static void apply_oneways(sim_world *w)
{
    const sim_fault *best = NULL;
    for (guint i = 0; i < w->opt.faults->len; i++) {
        const sim_fault *f = w->opt.faults->pdata[i];
        if (f->action == SIM_FAULT_PARTITION && f->oneway && w->fault_active[i] &&
            (best == NULL || f->at_ns >= best->at_ns))
            best = f;
    }
    if (best == NULL) {
        sim_net_set_oneway_cut(w->net, NULL);
        return;
    }
    g_autofree uint8_t *side = g_new0(uint8_t, w->nodes_count);
    for (guint g = 0; g < 2; g++) {
        GArray *members = best->groups->pdata[g];
        for (guint i = 0; i < members->len; i++) {
            uint32_t node = g_array_index(members, uint32_t, i);
            if (node < w->nodes_count)
                side[node] = g == 0 ? SIM_NET_CUT_SOURCE : SIM_NET_CUT_TARGET;
        }
    }
    sim_net_set_oneway_cut(w->net, side);
}

/* The open degrade fault that started last and names node, or NULL.
 * Equal start times: the later in the file (its start event ran last). */
static const sim_fault *degrade_for(const sim_world *w, uint32_t node)
{
    const sim_fault *best = NULL;
    for (guint i = 0; i < w->opt.faults->len; i++) {
        const sim_fault *f = w->opt.faults->pdata[i];
        if (f->action != SIM_FAULT_DEGRADE || !w->fault_active[i] ||
            (best != NULL && f->at_ns < best->at_ns))
            continue;
        for (guint k = 0; k < f->nodes->len; k++) {
            if (g_array_index(f->nodes, uint32_t, k) == node) {
                best = f;
                break;
            }
        }
    }
    return best;
}

static void apply_degrades(sim_world *w, const sim_fault *changed)
{
    for (guint i = 0; i < changed->nodes->len; i++) {
        uint32_t node = g_array_index(changed->nodes, uint32_t, i);
        if (node >= w->nodes_count)
            continue;
        const sim_fault *f = degrade_for(w, node);
        if (f == NULL) {
            sim_net_set_degrade(w->net, node, NULL);
            continue;
        }
        sim_net_link_params p = w->base_link;
        if (f->has_latency)
            p.latency = f->latency;
        if (f->has_loss)
            p.loss = f->loss;
        if (f->has_duplicate)
            p.duplicate = f->duplicate;
        if (f->has_bandwidth)
            p.bandwidth_bps = f->bandwidth_bps;
        sim_net_set_degrade(w->net, node, &p);
    }
}

/* A node may run when no crash fault holds it and, for a twin, its twin
 * window is open. */
static void restart_if_free(sim_world *w, uint32_t node)
{
    const sim_node_slot *slot = &w->nodes[node];
    if (slot->crash_holds == 0 && (node < w->opt.first_twin || slot->twin_window))
        sim_world_restart_node(w, node);
}

static void crash_event(sim_world *w, const sim_fault *f, bool start)
{
    for (guint i = 0; i < f->nodes->len; i++) {
        uint32_t node = g_array_index(f->nodes, uint32_t, i);
        sim_node_slot *slot = &w->nodes[node];
        if (start) {
            slot->crash_holds++;
            sim_world_crash_node(w, node);
        } else {
            g_assert(slot->crash_holds > 0);
            slot->crash_holds--;
            restart_if_free(w, node);
        }
    }
}

/* Node index of the first twin made by fault `index` (twins are numbered
 * in the order of the twin faults and their nodes). */
uint32_t sim_faults_first_twin(const sim_world *w, uint64_t index)
{
    uint32_t twin = w->opt.validators + w->opt.full_nodes + w->opt.agents;
    for (uint64_t i = 0; i < index; i++) {
        const sim_fault *f = w->opt.faults->pdata[i];
        if (f->action == SIM_FAULT_BYZANTINE && g_str_equal(f->behavior, "twin"))
            twin += f->nodes->len;
    }
    return twin;
}

/* The operator gives validator `index` its next consensus key: the
 * rotation-th key derived from the seed ("validator/I/rotation/R", R from
 * 1), handed to its own node (never to its twins, which keep the genesis
 * key: a twin started after a rotation models a stolen old key). */
void sim_faults_deliver_rotations(sim_world *w, uint32_t index)
{
    sim_node_slot *slot = &w->nodes[index];
    g_assert(index < w->opt.validators);
    while (slot->up && slot->rotations_delivered < slot->rotations_due) {
        slot->rotations_delivered++;
        char label[64];
        g_snprintf(label, sizeof label, "validator/%u/rotation/%u", index,
                   slot->rotations_delivered);
        proto_keypair kp;
        proto_keypair_derive(&kp, w->opt.seed, label);
        /* In mesh topology the consensus node inside the p2p node. */
        g_assert(slot->consensus_ops->rotate_key != NULL); /* sim_world_new refuses it otherwise */
        slot->consensus_ops->rotate_key(slot->consensus, &kp);
    }
}

static void fault_event(void *ctx, uint64_t index, uint64_t start)
{
    sim_world *w = ctx;
    const sim_fault *f = fault_at(w, index);
    w->fault_active[index] = start != 0;
    switch (f->action) {
    case SIM_FAULT_CRASH:
        crash_event(w, f, start != 0);
        return;
    case SIM_FAULT_PARTITION:
        if (f->oneway)
            apply_oneways(w);
        else
            apply_partitions(w);
        return;
    case SIM_FAULT_DEGRADE:
        apply_degrades(w, f);
        return;
    case SIM_FAULT_BYZANTINE:
        /* An agent's behaviour holds from the fault's start on. */
        if (f->agents->len > 0) {
            if (start)
                sim_agents_misbehave(w, f);
            return;
        }
        /* Wrappers check their own windows; a twin node runs during its
         * window only. */
        if (g_str_equal(f->behavior, "twin")) {
            uint32_t first = sim_faults_first_twin(w, index);
            for (guint i = 0; i < f->nodes->len; i++) {
                w->nodes[first + i].twin_window = start != 0;
                if (start)
                    restart_if_free(w, first + i);
                else
                    sim_world_crash_node(w, first + i);
            }
        }
        return;
    case SIM_FAULT_ROTATE_KEY:
        /* A node that is down now gets it right after its restart. */
        for (guint i = 0; i < f->nodes->len; i++) {
            uint32_t node = g_array_index(f->nodes, uint32_t, i);
            w->nodes[node].rotations_due++;
            sim_faults_deliver_rotations(w, node);
        }
        return;
    case SIM_FAULT_CHURN:
        /* Nodes' joins and leaves are sim/world/churn.c's events; agents'
         * are sim/world/agents_churn.c's, from the fault's start. */
        if (f->agents->len > 0 && start)
            sim_agents_churn_start(w, index);
        return;
    case SIM_FAULT_UNBOND:
        for (guint i = 0; i < f->nodes->len; i++)
            sim_delegators_unbond_all(w, g_array_index(f->nodes, uint32_t, i), f->to_validator);
        return;
    case SIM_FAULT_UPGRADE:
        return; /* its governance and installs are sim/world/upgrades.c's events */
    default:
        g_assert_not_reached(); /* rejected by sim_world_new */
    }
}

void sim_faults_schedule(sim_world *w)
{
    w->fault_active = g_new0(bool, w->opt.faults->len + 1);
    for (guint i = 0; i < w->opt.faults->len; i++) {
        const sim_fault *f = w->opt.faults->pdata[i];
        if (f->action == SIM_FAULT_CHURN && f->agents->len == 0)
            g_ptr_array_add(w->churns, sim_churn_new(w, i));
        sim_sched_at(w->sched, f->at_ns, fault_event, w, i, 1);
        if (f->until_ns >= 0)
            sim_sched_at(w->sched, f->until_ns, fault_event, w, i, 0);
        sim_metrics_fault(w->metrics, f->name, sim_fault_action_name(f->action), f->at_ns,
                          f->until_ns, f->nodes_text != NULL ? f->nodes_text : "");
    }
}
