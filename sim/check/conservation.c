/* The supply invariant (see conservation.h): a state holds exactly the
 * genesis supply. The world calls the check from its event observer
 * (sim/world/observer.c) when a height is first finalized. */
#include "sim/check/conservation.h"

#include <glib.h>

void sim_conservation_init(sim_conservation *c, const proto_state *genesis)
{
    g_assert(genesis != NULL);
    c->genesis_supply = proto_state_total_supply(genesis);
    c->heights_checked = 0;
}

bool sim_conservation_check(sim_conservation *c, const proto_state *s, uint64_t *supply_out)
{
    g_assert(s != NULL);
    uint64_t supply = proto_state_total_supply(s);
    c->heights_checked++;
    *supply_out = supply;
    return supply == c->genesis_supply;
}
