/* The supply invariant (see conservation.h): a state holds exactly the
 * genesis supply and keeps its modules' invariants, checked as a world
 * observer when an honest node is the first to finalize a height (PBFT:
 * its state at that height; PoA: its head state). */
#include "sim/check/conservation.h"

#include <glib.h>

#include "protocol/chain/module.h"

#include "sim/world/world_internal.h"

void sim_conservation_init(sim_conservation *c, const proto_state *genesis)
{
    g_assert(genesis != NULL);
    c->genesis_supply = proto_state_total_supply(genesis);
    c->heights_checked = 0;
    c->height_checked_max = 0;
}

bool sim_conservation_check(sim_conservation *c, const proto_state *s, uint64_t *supply_out)
{
    g_assert(s != NULL);
    uint64_t supply = proto_state_total_supply(s);
    c->heights_checked++;
    *supply_out = supply;
    return supply == c->genesis_supply;
}

sim_conservation *sim_conservation_new(const sim_world *w)
{
    sim_conservation *c = g_new0(sim_conservation, 1);
    sim_conservation_init(c, w->chain.genesis);
    return c;
}

static void conservation_on_event(void *self, sim_world *w, uint32_t node, const proto_event *ev)
{
    sim_conservation *c = self;
    const sim_node_slot *slot = &w->nodes[node];
    if (ev->kind != PROTO_EV_BLOCK_FINAL || !slot->honest || slot->consensus == NULL ||
        ev->state_root == NULL || ev->height <= c->height_checked_max)
        return;
    c->height_checked_max = ev->height;
    const proto_state *state = w->opt.protocol == SIM_CONSENSUS_PBFT
                                   ? pbft_node_state(slot->consensus)
                                   : poa_node_state(slot->consensus);
    uint64_t supply = 0;
    if (!sim_conservation_check(c, state, &supply)) {
        c->broken = true;
        char *name = sim_world_node_name(w, node);
        sim_world_fail_invariant(
            w, g_strdup_printf("conservation violated at height %" G_GUINT64_FORMAT
                               ": %s's state holds %" G_GUINT64_FORMAT
                               " tokens (balances, bonded and burned), genesis supply "
                               "%" G_GUINT64_FORMAT,
                               ev->height, name, supply, c->genesis_supply));
        g_free(name);
        return;
    }
    GString *why = g_string_new(NULL);
    if (!proto_state_invariants(state, why)) {
        c->broken = true;
        char *name = sim_world_node_name(w, node);
        sim_world_fail_invariant(
            w, g_strdup_printf("module invariant broken at height %" G_GUINT64_FORMAT
                               " in %s's state: %s",
                               ev->height, name, why->str));
        g_free(name);
    }
    g_string_free(why, TRUE);
}

const sim_world_observer_ops sim_conservation_observer_ops = {
    .name = "conservation",
    .on_event = conservation_on_event,
    .free = g_free,
};
