/* The safety invariant: honest nodes never disagree on what is final.
 *
 * The first block finalized at a height is the only one any honest node
 * may ever finalize there; each honest node finalizes heights in order
 * (no gaps), so finalized chains are prefixes of one another; and every
 * honest node reports the same state root after each height (its own
 * execution of the block). Checked at every PROTO_EV_BLOCK_FINAL, as a
 * world observer (sim/world/world_observer.h); a violation stops the run
 * with the height, both nodes and both blocks (or roots) named. Byzantine
 * nodes and twins may finalize anything: safety is a promise about honest
 * nodes only. */
#include "sim/check/safety.h"

#include <string.h>

#include "sim/world/world_internal.h"

struct sim_safety {
    GArray *final_by_height;      /* proto_hash of the first final block per height */
    GArray *final_root_by_height; /* proto_hash: state root of the first final block */
    bool violated;
};

static char *hash_short(const uint8_t *bytes)
{
    proto_hash h;
    char hex[2 * PROTO_HASH_SIZE + 1];
    memcpy(h.bytes, bytes, PROTO_HASH_SIZE);
    proto_hash_hex(&h, hex);
    return g_strndup(hex, 16);
}

/* Honest state roots agree at every height: the state each node reports
 * after finalizing height h (its own execution, checked against the
 * block) must equal the first one reported. */
static bool check_state_root(sim_safety *sf, sim_world *w, const sim_node_slot *slot,
                             const proto_event *ev)
{
    if (ev->state_root == NULL)
        return true;
    GArray *roots = sf->final_root_by_height;
    if (ev->height >= roots->len)
        g_array_set_size(roots, (guint)ev->height + 1);
    proto_hash *first = &g_array_index(roots, proto_hash, ev->height);
    if (proto_hash_is_zero(first)) {
        memcpy(first->bytes, ev->state_root, PROTO_HASH_SIZE);
        return true;
    }
    if (memcmp(first->bytes, ev->state_root, PROTO_HASH_SIZE) == 0)
        return true;
    char *name = sim_world_node_name(w, slot->index);
    char *a = hash_short(first->bytes);
    char *b = hash_short(ev->state_root);
    sf->violated = true;
    sim_world_fail_invariant(
        w, g_strdup_printf("safety violated at height %" G_GUINT64_FORMAT
                           ": state root %s first, but %s reached state root %s",
                           ev->height, a, name, b));
    g_free(name);
    g_free(a);
    g_free(b);
    return false;
}

static void check_safety(sim_safety *sf, sim_world *w, const sim_node_slot *slot,
                         const proto_event *ev)
{
    if (!slot->honest) {
        /* A Byzantine node (or a twin) may finalize anything: safety is a
         * promise about honest nodes only. */
        return;
    }
    if (ev->height != slot->final_height + 1 && !(ev->height == 0 && slot->final_height == 0)) {
        char *name = sim_world_node_name(w, slot->index);
        sf->violated = true;
        sim_world_fail_invariant(
            w, g_strdup_printf("safety violated: %s finalized height %" G_GUINT64_FORMAT
                               " right after height %" G_GUINT64_FORMAT " (gap in its chain)",
                               name, ev->height, slot->final_height));
        g_free(name);
        return;
    }
    if (ev->height >= sf->final_by_height->len)
        g_array_set_size(sf->final_by_height, (guint)ev->height + 1);
    proto_hash *first = &g_array_index(sf->final_by_height, proto_hash, ev->height);
    if (proto_hash_is_zero(first))
        memcpy(first->bytes, ev->hash, PROTO_HASH_SIZE);
    if (memcmp(first->bytes, ev->hash, PROTO_HASH_SIZE) == 0) {
        /* Same block: its execution must give the same state everywhere. */
        check_state_root(sf, w, slot, ev);
        return;
    }
    /* Find who finalized the other block, for the report. */
    char *other = NULL;
    for (guint i = 0; i < w->metrics->commits->len && other == NULL; i++) {
        const sim_commit_record *c = &g_array_index(w->metrics->commits, sim_commit_record, i);
        const sim_block_record *b = &g_array_index(w->metrics->blocks, sim_block_record,
                                                   c->block_index);
        if (c->height == ev->height && proto_hash_equal(&b->hash, first) &&
            w->nodes[c->node].honest)
            other = sim_world_node_name(w, c->node);
    }
    char *name = sim_world_node_name(w, slot->index);
    char *a = hash_short(first->bytes);
    char *b = hash_short(ev->hash);
    sf->violated = true;
    sim_world_fail_invariant(
        w, g_strdup_printf("safety violated at height %" G_GUINT64_FORMAT
                           ": %s finalized block %s but %s finalized block %s",
                           ev->height, other != NULL ? other : "another node", a, name, b));
    g_free(other);
    g_free(name);
    g_free(a);
    g_free(b);
}

static void safety_on_event(void *self, sim_world *w, uint32_t node, const proto_event *ev)
{
    if (ev->kind == PROTO_EV_BLOCK_FINAL)
        check_safety(self, w, &w->nodes[node], ev);
}

sim_safety *sim_safety_new(void)
{
    sim_safety *sf = g_new0(sim_safety, 1);
    sf->final_by_height = g_array_new(FALSE, TRUE, sizeof(proto_hash));
    sf->final_root_by_height = g_array_new(FALSE, TRUE, sizeof(proto_hash));
    return sf;
}

static void safety_free(void *self)
{
    sim_safety *sf = self;
    g_array_unref(sf->final_by_height);
    g_array_unref(sf->final_root_by_height);
    g_free(sf);
}

bool sim_safety_held(const sim_safety *sf)
{
    return !sf->violated;
}

const sim_world_observer_ops sim_safety_observer_ops = {
    .name = "safety",
    .on_event = safety_on_event,
    .free = safety_free,
};
