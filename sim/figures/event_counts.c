/* What the nodes reported, counted: reorgs and their depth, rejected
 * messages by reason, rejected transactions, recoveries, sync requests,
 * stable checkpoints, bans, equivocation evidence held by honest nodes
 * (and against whom), and the commit latency of every validator's
 * finalization (proposal to final at that validator).
 *
 * A world observer (sim/world/world_observer.h) with its own state. Its
 * figures are read by sim_figures_compute at their places among the other
 * figures (the order of the figures is the order of the reports), not by
 * the figures hook. */
#include "sim/world/world_internal.h"

/* A refused transaction's rule (a static name from the protocol). */
static void count_refusal(sim_counts *c, const char *refusal)
{
    if (refusal == NULL)
        return;
    gpointer old = g_hash_table_lookup(c->tx_refusals, refusal);
    g_hash_table_insert(c->tx_refusals, (gpointer)refusal,
                        GSIZE_TO_POINTER(GPOINTER_TO_SIZE(old) + 1));
}

static void counts_evidence(sim_counts *c, const sim_world *w, uint32_t node,
                            const proto_event *ev)
{
    /* Only what honest nodes hold counts as an accusation. */
    if (w->nodes[node].honest && ev->proposer < c->validators) {
        c->evidence_events++;
        c->accused[ev->proposer] = true;
    }
}

static void counts_on_event(void *self, sim_world *w, uint32_t node, const proto_event *ev)
{
    sim_counts *c = self;
    switch (ev->kind) {
    case PROTO_EV_BLOCK_FINAL:
        if (w->nodes[node].validator_index >= 0) {
            int64_t latency = sim_sched_now(w->sched) - ev->proposed_ns;
            g_array_append_val(c->commit_latency_ns, latency);
        }
        return;
    case PROTO_EV_REORG:
        c->reorgs++;
        c->reorg_depth_max = MAX(c->reorg_depth_max, ev->depth);
        return;
    case PROTO_EV_MSG_REJECTED:
        if (ev->reason < PROTO_REJECT_REASON_COUNT)
            c->rejected[ev->reason]++;
        count_refusal(c, ev->refusal);
        return;
    case PROTO_EV_TX_REJECTED:
        c->tx_rejected++;
        count_refusal(c, ev->refusal);
        return;
    case PROTO_EV_RECOVERED: c->recoveries++; return;
    case PROTO_EV_SYNC_REQUEST: c->sync_requests++; return;
    case PROTO_EV_CHECKPOINT_STABLE: c->checkpoints_stable++; return;
    case PROTO_EV_PEER_BANNED: c->peers_banned++; return;
    case PROTO_EV_EVIDENCE: counts_evidence(c, w, node, ev); return;
    default: return;
    }
}

static void counts_free(void *self)
{
    sim_counts *c = self;
    g_hash_table_destroy(c->tx_refusals);
    g_array_unref(c->commit_latency_ns);
    g_free(c->accused);
    g_free(c);
}

const sim_world_observer_ops sim_counts_observer_ops = {
    .name = "event-counts",
    .on_event = counts_on_event,
    .free = counts_free,
};

sim_counts *sim_counts_new(const sim_world *w)
{
    sim_counts *c = g_new0(sim_counts, 1);
    c->validators = w->opt.validators;
    c->commit_latency_ns = g_array_new(FALSE, FALSE, sizeof(int64_t));
    c->tx_refusals = g_hash_table_new(g_str_hash, g_str_equal); /* by content: static names */
    c->accused = g_new0(bool, MAX(c->validators, 1));
    return c;
}

const sim_counts *sim_counts_of(const sim_world *w)
{
    const sim_counts *c = sim_world_observer_find(w, &sim_counts_observer_ops);
    g_assert(c != NULL);
    return c;
}
