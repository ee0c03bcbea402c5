/* The supply invariant: no state a node reaches creates or destroys
 * tokens.
 *
 * Every account balance, every token a module holds (the bonded validator
 * tokens) and every burned token together (proto_state_total_supply,
 * recomputed from the balances)
 * must equal the genesis supply in every state: transfers move tokens,
 * slashing moves them from bonded to burned, nothing mints. The world
 * checks it once per height, on the state of the first honest node to
 * finalize that height (the safety checker makes every other honest
 * node's state at that height identical, by state root; and since each
 * node finalizes in order, heights are first finalized in increasing
 * order), so a run pays
 * one pass over the accounts per block. A violation stops the run like a
 * safety violation, with the height, the node and both totals. The same
 * state's module invariants (proto_state_invariants, module.h) are
 * checked there too, and stop the run with the module's sentence.
 *
 * A PBFT node's state is the one it finalized (pbft_node_state). A PoA
 * node's is its head state (poa_node_state), which may be ahead of its
 * final block: still a state it reached, so the same supply must hold. */
#ifndef AITBC_SIM_CONSERVATION_H
#define AITBC_SIM_CONSERVATION_H

#include <stdbool.h>
#include <stdint.h>

#include "protocol/chain/state.h"

typedef struct sim_conservation {
    uint64_t genesis_supply;
    uint64_t heights_checked;
    uint64_t height_checked_max; /* heights are first finalized in order */
    bool broken;                 /* a check failed (the run stopped there) */
} sim_conservation;

void sim_conservation_init(sim_conservation *c, const proto_state *genesis);
/* Check one state; false (and *supply_out = what it holds) when it does
 * not hold the genesis supply. Counts the check. */
bool sim_conservation_check(sim_conservation *c, const proto_state *s, uint64_t *supply_out);

/* As a world observer (sim/world/world_observer.h): it watches honest
 * PBFT nodes' PROTO_EV_BLOCK_FINAL and checks the first state at each
 * height. */
extern const struct sim_world_observer_ops sim_conservation_observer_ops;
struct sim_world;
sim_conservation *sim_conservation_new(const struct sim_world *w);

#endif
