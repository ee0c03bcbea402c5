/* Block propagation: how long each block took to reach the nodes.
 *
 * Propagation is measured per block: the time from a block's proposal
 * until 50, 90, 99 and 100% of the nodes that were live at the proposal
 * held it. A node holds a block from the first of its proposal
 * (the proposer), its first receipt (PROTO_EV_BLOCK_RECEIVED) and its
 * finalization (PROTO_EV_BLOCK_FINAL: a full node that fetched the block
 * through sync may report no receipt). Nodes that came up after the
 * proposal do not count towards the percentages, nor do they hold the
 * block back: they are measured by the sync-after-join figures instead.
 * Nor do nodes that were Byzantine at the proposal (a behaviour window
 * open): the figure is about the honest network, and a flooder the mesh
 * has banned gets blocks late by design. Honest nodes that were live at
 * the proposal and went down before holding it do hold it back, so a
 * block can stay short of 100% for good.
 *
 * Each block keeps two bitmaps over the nodes, "live when first seen" and
 * "holds it", so the thresholds are counted once per (block, node) as
 * holds arrive, in time order; the first time the count of live holders
 * reaches ceil(Q% of live) the delay is the block's reached_pQ_ns. A block
 * is first seen at its proposal, or, for a block nobody reported
 * proposing (a Byzantine wrapper's), at its first receipt. Memory: two
 * bits per node per block, kept to the end of the run.
 *
 * Figures: for each Q, the median over blocks of reached_pQ
 * (block_propagation_pQ_s), the worst block (block_propagation_pQ_max_s)
 * and how many blocks never got there (block_propagation_unreached_pQ,
 * left out of the other two).
 *
 * It is a world observer (sim/world/world_observer.h) with its own state:
 * the bitmaps, one pair per block record, made when the record is. */
#include "sim/world/world_internal.h"

#include <string.h>

typedef struct sim_prop {
    /* Per block record index (metrics->blocks): 2 * bitmap_bytes bytes, a
     * bitmap of the nodes up when the block was first seen, then one of
     * the nodes that hold it. */
    GPtrArray *nodes;
    uint32_t bitmap_bytes; /* ceil(nodes_count / 8) */
} sim_prop;

#define PROP_LEVELS 4
#define NS_PER_S 1e9

static const uint32_t prop_percent[PROP_LEVELS] = {50, 90, 99, 100};
static const char *const prop_suffix[PROP_LEVELS] = {"p50", "p90", "p99", "p100"};

static int64_t *prop_level(sim_block_record *b, int level)
{
    switch (level) {
    case 0: return &b->reached_p50_ns;
    case 1: return &b->reached_p90_ns;
    case 2: return &b->reached_p99_ns;
    default: return &b->reached_all_ns;
    }
}

/* Holders needed for Q%: ceil(Q * live / 100), at least one. */
static uint32_t prop_needed(uint32_t percent, uint32_t live)
{
    uint64_t needed = ((uint64_t)percent * live + 99) / 100;
    return needed > 0 ? (uint32_t)needed : 1;
}

static bool bit_get(const uint8_t *bits, uint32_t i)
{
    return (bits[i / 8] >> (i % 8)) & 1u;
}

static void bit_set(uint8_t *bits, uint32_t i)
{
    bits[i / 8] |= (uint8_t)(1u << (i % 8));
}

/* The nodes up (and not Byzantine right now) when record `block` was
 * made: the ones its propagation is measured against. */
static void prop_block_new(sim_prop *p, sim_world *w, uint32_t block)
{
    g_assert(block == p->nodes->len); /* records are created in order */
    uint8_t *bits = g_malloc0(2 * (size_t)p->bitmap_bytes);
    sim_block_record *b = &g_array_index(w->metrics->blocks, sim_block_record, block);
    b->live_count = 0;
    for (uint32_t i = 0; i < w->nodes_count; i++) {
        const sim_node_slot *slot = &w->nodes[i];
        if (slot->up && (slot->byz == NULL || !sim_byz_active_now(slot->byz))) {
            bit_set(bits, i);
            b->live_count++;
        }
    }
    g_ptr_array_add(p->nodes, bits);
}

/* Bitmaps for every record made since the last event (at most the one
 * the world just made for this event). */
static void prop_catch_up(sim_prop *p, sim_world *w)
{
    while (p->nodes->len < w->metrics->blocks->len)
        prop_block_new(p, w, p->nodes->len);
}

static void prop_count_live_holder(sim_block_record *b, int64_t delay_ns)
{
    b->reached_count++;
    for (int level = 0; level < PROP_LEVELS; level++) {
        int64_t *reached = prop_level(b, level);
        if (*reached < 0 && b->reached_count >= prop_needed(prop_percent[level], b->live_count))
            *reached = delay_ns;
    }
}

static void prop_held(sim_prop *p, sim_world *w, uint32_t block, uint32_t node, int64_t now_ns,
                      bool own)
{
    prop_catch_up(p, w);
    g_assert(block < p->nodes->len && node < w->nodes_count);
    uint8_t *live = g_ptr_array_index(p->nodes, block);
    uint8_t *held = live + p->bitmap_bytes;
    if (bit_get(held, node))
        return;
    bit_set(held, node);
    sim_block_record *b = &g_array_index(w->metrics->blocks, sim_block_record, block);
    /* A block stamped later than now (a Byzantine proposer's clock) has
     * reached the node "at once", not before it was made. */
    int64_t delay_ns = now_ns > b->proposed_ns ? now_ns - b->proposed_ns : 0;
    if (bit_get(live, node))
        prop_count_live_holder(b, delay_ns);
    if (!own) {
        sim_receipt_record r = {.height = b->height, .node = node, .delay_ns = delay_ns};
        g_array_append_val(w->metrics->receipts, r);
    }
}

void sim_prop_block_held(sim_world *w, uint32_t block, uint32_t node, int64_t now_ns, bool own)
{
    sim_prop *p = sim_world_observer_find(w, &sim_prop_observer_ops);
    g_assert(p != NULL);
    prop_held(p, w, block, node, now_ns, own);
}

void sim_prop_figures(sim_world *w)
{
    sim_metrics *m = w->metrics;
    GArray *delays = g_array_sized_new(FALSE, FALSE, sizeof(int64_t), m->blocks->len);
    for (int level = 0; level < PROP_LEVELS; level++) {
        g_array_set_size(delays, 0);
        uint64_t unreached = 0;
        for (guint i = 0; i < m->blocks->len; i++) {
            sim_block_record *b = &g_array_index(m->blocks, sim_block_record, i);
            int64_t reached = *prop_level(b, level);
            if (reached >= 0)
                g_array_append_val(delays, reached);
            else
                unreached++;
        }
        char *name;
        if (delays->len > 0) {
            /* Absent, not 0, when no block got there: nothing was measured. */
            int64_t *v = (int64_t *)(void *)delays->data;
            name = g_strdup_printf("block_propagation_%s_s", prop_suffix[level]);
            sim_metrics_figure(m, name, (double)sim_percentile_i64(v, delays->len, 50) / NS_PER_S);
            g_free(name);
            name = g_strdup_printf("block_propagation_%s_max_s", prop_suffix[level]);
            sim_metrics_figure(m, name,
                               (double)sim_percentile_i64(v, delays->len, 100) / NS_PER_S);
            g_free(name);
        }
        name = g_strdup_printf("block_propagation_unreached_%s", prop_suffix[level]);
        sim_metrics_figure(m, name, (double)unreached);
        g_free(name);
    }
    g_array_unref(delays);
}

/* ---- as a world observer ---- */

sim_prop *sim_prop_new(const sim_world *w)
{
    sim_prop *p = g_new0(sim_prop, 1);
    p->nodes = g_ptr_array_new_with_free_func(g_free);
    p->bitmap_bytes = (w->nodes_count + 7) / 8;
    return p;
}

static uint32_t event_block(sim_world *w, const proto_event *ev)
{
    proto_hash h;
    memcpy(h.bytes, ev->hash, PROTO_HASH_SIZE);
    return sim_metrics_block(w->metrics, &h); /* the world made the record */
}

static void prop_on_event(void *self, sim_world *w, uint32_t node, const proto_event *ev)
{
    sim_prop *p = self;
    prop_catch_up(p, w);
    int64_t now = sim_sched_now(w->sched);
    switch (ev->kind) {
    case PROTO_EV_BLOCK_PROPOSED:
        prop_held(p, w, event_block(w, ev), node, now, true);
        return;
    case PROTO_EV_BLOCK_RECEIVED:
        /* from == self: the proposer's own copy, not a receipt. */
        prop_held(p, w, event_block(w, ev), node, now, ev->from == node);
        return;
    case PROTO_EV_BLOCK_FINAL:
        /* A node that fetched the block by sync holds it without a receipt. */
        prop_held(p, w, event_block(w, ev), node, now, false);
        return;
    default:
        return;
    }
}

static void prop_free(void *self)
{
    sim_prop *p = self;
    g_ptr_array_unref(p->nodes);
    g_free(p);
}

const sim_world_observer_ops sim_prop_observer_ops = {
    .name = "propagation",
    .on_event = prop_on_event,
    .free = prop_free,
};
