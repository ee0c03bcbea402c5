/* Fault injection from the scenario's [fault NAME] sections.
 *
 * Each fault becomes two scheduler events, start at `at` and end at
 * `until` (if given): crash -> restart, partition -> heal, degrade ->
 * restore, byzantine twin -> the twin node starts, then stops (other
 * Byzantine behaviours are applied by sim/byzantine.c during their
 * window); rotate-key happens once, at `at`; churn runs its own Poisson
 * joins and leaves in its window (sim/churn.c). Overlapping partitions:
 * the most recent one applies and any heal reconnects everyone.
 * Overlapping degrades on one node: the most recent parameters apply
 * until its window ends. Every window is recorded in the metrics' fault
 * list, which the reports shade on plots. */
#include "sim/world_internal.h"

#include <string.h>

static const sim_fault *fault_at(sim_world *w, uint64_t index)
{
    g_assert(index < w->sc->faults->len);
    return w->sc->faults->pdata[index];
}

static void apply_partition(sim_world *w, const sim_fault *f)
{
    uint32_t *group = g_new0(uint32_t, w->nodes_count); /* unlisted: group 0 */
    for (guint g = 0; g < f->groups->len; g++) {
        GArray *members = f->groups->pdata[g];
        for (guint i = 0; i < members->len; i++) {
            uint32_t node = g_array_index(members, uint32_t, i);
            if (node < w->nodes_count)
                group[node] = g;
        }
    }
    sim_net_set_partition(w->net, group);
    g_free(group);
}

static void apply_degrade(sim_world *w, const sim_fault *f, bool start)
{
    sim_net_link_params p = w->base_link;
    if (f->has_latency)
        p.latency = f->latency;
    if (f->has_loss)
        p.loss = f->loss;
    if (f->has_duplicate)
        p.duplicate = f->duplicate;
    if (f->has_bandwidth)
        p.bandwidth_bps = f->bandwidth_bps;
    for (guint i = 0; i < f->nodes->len; i++) {
        uint32_t node = g_array_index(f->nodes, uint32_t, i);
        if (node < w->nodes_count)
            sim_net_set_degrade(w->net, node, start ? &p : NULL);
    }
}

/* Node index of the first twin made by fault `index` (twins are numbered
 * in the order of the twin faults and their nodes). */
uint32_t sim_faults_first_twin(const sim_world *w, uint64_t index)
{
    uint32_t twin = w->sc->validators + w->sc->full_nodes + w->sc->agents;
    for (uint64_t i = 0; i < index; i++) {
        const sim_fault *f = w->sc->faults->pdata[i];
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
    g_assert(index < w->sc->validators);
    while (slot->up && slot->rotations_delivered < slot->rotations_due) {
        slot->rotations_delivered++;
        char label[64];
        g_snprintf(label, sizeof label, "validator/%u/rotation/%u", index,
                   slot->rotations_delivered);
        proto_keypair kp;
        proto_keypair_derive(&kp, w->sc->seed, label);
        /* In mesh topology the consensus node inside the p2p node. */
        g_assert(slot->consensus_ops->rotate_key != NULL); /* sim_world_new refuses it otherwise */
        slot->consensus_ops->rotate_key(slot->consensus, &kp);
    }
}

static void fault_event(void *ctx, uint64_t index, uint64_t start)
{
    sim_world *w = ctx;
    const sim_fault *f = fault_at(w, index);
    switch (f->action) {
    case SIM_FAULT_CRASH:
        for (guint i = 0; i < f->nodes->len; i++) {
            uint32_t node = g_array_index(f->nodes, uint32_t, i);
            if (start)
                sim_world_crash_node(w, node);
            else
                sim_world_restart_node(w, node);
        }
        return;
    case SIM_FAULT_PARTITION:
        if (start)
            apply_partition(w, f);
        else
            sim_net_set_partition(w->net, NULL);
        return;
    case SIM_FAULT_DEGRADE:
        apply_degrade(w, f, start != 0);
        return;
    case SIM_FAULT_BYZANTINE:
        /* Wrappers check their own windows; a twin node runs during its
         * window only. */
        if (g_str_equal(f->behavior, "twin")) {
            uint32_t first = sim_faults_first_twin(w, index);
            for (guint i = 0; i < f->nodes->len; i++) {
                if (start)
                    sim_world_restart_node(w, first + i);
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
        return; /* its joins and leaves are sim/churn.c's events */
    default:
        g_assert_not_reached(); /* rejected by sim_world_new */
    }
}

void sim_faults_schedule(sim_world *w)
{
    for (guint i = 0; i < w->sc->faults->len; i++) {
        const sim_fault *f = w->sc->faults->pdata[i];
        if (f->action == SIM_FAULT_CHURN)
            g_ptr_array_add(w->churns, sim_churn_new(w, i));
        sim_sched_at(w->sched, f->at_ns, fault_event, w, i, 1);
        if (f->until_ns >= 0)
            sim_sched_at(w->sched, f->until_ns, fault_event, w, i, 0);
        sim_metrics_fault(w->metrics, f->name, sim_fault_action_name(f->action), f->at_ns,
                          f->until_ns, f->nodes_text != NULL ? f->nodes_text : "");
    }
}
