/* What the world records from protocol observations.
 *
 * Every proto_event a node reports lands here first: block and commit
 * records for the database, the state root each proposed block claims,
 * transaction arrivals and finality (handed to the workload, which knows
 * submission times) and view changes. Then the event goes to the world's
 * observers (sim/world/world_observer.h), which keep their own state: the
 * safety, conservation, accountability and liveness checkers (sim/check/)
 * and the propagation, mesh statistics, convergence and event count
 * collectors (sim/figures/). Last, a node's final height advances. */
#include "sim/world/world_internal.h"

#include <string.h>

void sim_observer_init(sim_world *w)
{
    w->state_root_by_block =
        g_hash_table_new_full(proto_hash_ghash, proto_hash_gequal, g_free, g_free);
}

static void remember_state_root(sim_world *w, const proto_event *ev)
{
    if (ev->hash == NULL || ev->state_root == NULL)
        return;
    proto_hash *key = g_new(proto_hash, 1);
    proto_hash *root = g_new(proto_hash, 1);
    memcpy(key->bytes, ev->hash, PROTO_HASH_SIZE);
    memcpy(root->bytes, ev->state_root, PROTO_HASH_SIZE);
    g_hash_table_replace(w->state_root_by_block, key, root);
}

bool sim_observer_block_state_root(sim_world *w, const proto_hash *hash, proto_hash *out)
{
    proto_hash genesis;
    poa_genesis_hash(&w->chain.poa, &genesis);
    if (proto_hash_equal(hash, &genesis)) {
        proto_state_root(w->chain.genesis, out);
        return true;
    }
    const proto_hash *root = g_hash_table_lookup(w->state_root_by_block, hash);
    if (root == NULL)
        return false;
    *out = *root;
    return true;
}

void sim_observer_clear(sim_world *w)
{
    g_hash_table_unref(w->state_root_by_block);
}

static uint32_t proposer_node(sim_world *w, uint32_t validator)
{
    return validator < w->opt.validators ? w->chain.validator_nodes[validator] : UINT32_MAX;
}

/* The record of the block an event is about (created at its first
 * mention), by index: a pointer would not survive the array growing. */
static uint32_t block_index(sim_world *w, const proto_event *ev)
{
    proto_hash h;
    memcpy(h.bytes, ev->hash, PROTO_HASH_SIZE);
    guint known = w->metrics->blocks->len;
    uint32_t idx = sim_metrics_block(w->metrics, &h);
    sim_block_record *b = &g_array_index(w->metrics->blocks, sim_block_record, idx);
    if (idx >= known) { /* first time anyone mentions this block */
        b->height = ev->height;
        b->slot = ev->slot;
        b->proposer = proposer_node(w, ev->proposer);
        b->tx_count = ev->tx_count;
        b->proposed_ns = ev->proposed_ns;
        b->first_final_ns = -1;
    }
    return idx;
}

static sim_block_record *block_record(sim_world *w, const proto_event *ev)
{
    return &g_array_index(w->metrics->blocks, sim_block_record, block_index(w, ev));
}

/* The fee market of a height, once: from the first finalization of the
 * height's block (heights are final in order at every node, and no two
 * blocks of one height are both final while safety holds). A PBFT null
 * block executes nothing and carries no fee figures: no record. */
static void record_fees(sim_world *w, const proto_event *ev, int64_t now, uint32_t proposer)
{
    GArray *fees = w->metrics->fees;
    if (ev->gas_limit == 0 ||
        (fees->len > 0 && g_array_index(fees, sim_fee_record, fees->len - 1).height >= ev->height))
        return;
    sim_fee_record r = {.height = ev->height,
                        .final_ns = now,
                        .base_fee = ev->base_fee,
                        .gas_used = ev->gas_used,
                        .gas_limit = ev->gas_limit,
                        .burned = ev->gas_used * ev->base_fee,
                        .tips = ev->tips,
                        .tx_count = ev->tx_count};
    g_array_append_val(fees, r);
    sim_alarms_on_final(w, &r, proposer, ev->tx_hashes, ev->tx_count);
}

static void on_final(sim_world *w, sim_node_slot *slot, const proto_event *ev)
{
    int64_t now = sim_sched_now(w->sched);
    sim_trace_final(&w->trace, now, slot->index, ev->height, ev->hash, ev->state_root);
    uint32_t idx = block_index(w, ev);
    sim_block_record *b = &g_array_index(w->metrics->blocks, sim_block_record, idx);
    b->adopted = true;
    if (b->first_final_ns < 0) {
        b->first_final_ns = now;
        record_fees(w, ev, now, b->proposer);
    }
    sim_commit_record c = {.height = ev->height,
                           .node = slot->index,
                           .committed_ns = now,
                           .block_index = idx};
    g_array_append_val(w->metrics->commits, c);
    sim_upgrades_on_final(w, slot->index, ev->height, ev->height > w->final_height_max);
    if (ev->height > w->final_height_max) {
        w->final_height_max = ev->height;
        if (sim_agents_present(w) && w->opt.protocol == SIM_CONSENSUS_PBFT &&
            slot->consensus != NULL)
            sim_agents_on_height(w, pbft_node_state(slot->consensus));
    }
    if (ev->tx_hashes != NULL)
        sim_workload_on_block_final(w, idx, ev->tx_hashes, ev->tx_count, slot->index);
}

/* Its record (propagation, a world observer, marks who holds it). */
static void on_received(sim_world *w, sim_node_slot *slot, const proto_event *ev)
{
    (void)slot;
    block_index(w, ev);
}

/* PBFT view changes: one record per view, opened by the first
 * VIEW-CHANGE for it and closed by the first node that enters it. */
static sim_view_change_record *view_record(sim_world *w, uint64_t view, bool create)
{
    GArray *a = w->metrics->view_changes;
    for (guint i = a->len; i-- > 0;) {
        sim_view_change_record *r = &g_array_index(a, sim_view_change_record, i);
        if (r->view == view)
            return r;
    }
    if (!create)
        return NULL;
    sim_view_change_record r = {.view = view, .ended_ns = -1};
    g_array_append_val(a, r);
    return &g_array_index(a, sim_view_change_record, a->len - 1);
}

static void sim_observer_view_change(sim_world *w, sim_node_slot *slot, const proto_event *ev)
{
    sim_view_change_record *r = view_record(w, ev->slot, false);
    if (r != NULL)
        return;
    r = view_record(w, ev->slot, true);
    r->cause = proto_view_cause_name(ev->cause);
    r->first_node = slot->index;
    r->started_ns = sim_sched_now(w->sched);
}

static void sim_observer_new_view(sim_world *w, sim_node_slot *slot, const proto_event *ev)
{
    sim_view_change_record *r = view_record(w, ev->slot, false);
    if (r == NULL) {
        /* Entered without anyone observed starting it (a recovered node's
         * stored view): nothing to time. */
        return;
    }
    if (r->ended_ns < 0)
        r->ended_ns = sim_sched_now(w->sched);
}

static void record(sim_world *w, sim_node_slot *slot, const proto_event *ev)
{
    switch (ev->kind) {
    case PROTO_EV_BLOCK_PROPOSED:
        block_index(w, ev);
        remember_state_root(w, ev);
        return;
    case PROTO_EV_BLOCK_RECEIVED:
        on_received(w, slot, ev);
        return;
    case PROTO_EV_BLOCK_FINAL:
        on_final(w, slot, ev);
        return;
    case PROTO_EV_TX_RECEIVED:
        sim_workload_on_tx_received(w, ev->hash, slot->index);
        return;
    case PROTO_EV_VIEW_CHANGE:
        sim_observer_view_change(w, slot, ev);
        return;
    case PROTO_EV_NEW_VIEW:
        sim_observer_new_view(w, slot, ev);
        return;
    case PROTO_EV_BLOCK_HEAD:
        block_record(w, ev)->adopted = true;
        return;
    case PROTO_EV_SLASHED:
    case PROTO_EV_UNJAILED:
    case PROTO_EV_KEY_ROTATED:
        /* The accountability checker records them (once: every committing
         * node reports them). */
        return;
    case PROTO_EV_REORG:
    case PROTO_EV_MSG_REJECTED:
    case PROTO_EV_TX_REJECTED:
    case PROTO_EV_RECOVERED:
    case PROTO_EV_SYNC_REQUEST:
    case PROTO_EV_CHECKPOINT_STABLE:
    case PROTO_EV_PEER_BANNED:
    case PROTO_EV_EVIDENCE:
        /* Counted by the event counts observer (sim/figures/event_counts.c). */
        return;
    case PROTO_EV_FORK_SEEN:
        return;
    case PROTO_EV_PEER_CONNECTED:
    case PROTO_EV_PEER_DISCONNECTED:
    case PROTO_EV_PARTITION_SUSPECTED:
    case PROTO_EV_PARTITION_HEALED:
        /* The mesh statistics and convergence observers record them. */
        return;
    case PROTO_EV_AGENT_STATUS:
    case PROTO_EV_JOB_STATUS:
    case PROTO_EV_JOB_GAS:
    case PROTO_EV_DISPUTE:
        /* The agent market's record (once per height: every committing
         * node reports them). */
        sim_agents_on_chain_event(w, slot->index, ev);
        return;
    case PROTO_EV_UPGRADE:
        /* Plans, activations (every committing node reports them) and
         * halts: the upgrade faults' record (sim/world/upgrades.c). */
        sim_upgrades_on_event(w, slot->index, ev);
        return;
    }
}

void sim_observe(void *ctx, const proto_event *ev)
{
    sim_node_slot *slot = ctx;
    sim_world *w = slot->world;
    record(w, slot, ev);
    sim_world_observers_event(w, slot->index, ev);
    /* The node's chain grows only after every observer saw the event (the
     * safety checker compares the height with the one before). */
    if (ev->kind == PROTO_EV_BLOCK_FINAL)
        slot->final_height = ev->height;
}
