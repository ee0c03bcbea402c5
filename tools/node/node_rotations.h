/* A testbed validator's key rotations (`[fault] action = rotate-key`).
 *
 * In simulation the world hands validator K its R-th next consensus key
 * (derived from the seed: "validator/K/rotation/R") at each rotate-key
 * fault naming it, or right after its restart if it was down then
 * (sim/world/faults.c). Here the node's own process does the same on its
 * own clock: at each such fault's `at` it derives the next key and gives
 * it to its consensus node (ops->rotate_key, which stores it and sends
 * the signed rotation). How many it has delivered is kept in the node's
 * store ("aitbc-node/rotations"), so a process restarted after a
 * rotation's time delivers the ones it missed, once. */
#ifndef AITBC_TOOLS_NODE_ROTATIONS_H
#define AITBC_TOOLS_NODE_ROTATIONS_H

#include "sim/scenario/scenario.h"
#include "tools/node/node_host.h"
#include "tools/node/runtime_env.h"

typedef struct tb_rotations tb_rotations;

/* NULL if no rotate-key fault names validator `self`. Delivers what is
 * due now and waits for the rest; `host` must be started. */
tb_rotations *tb_rotations_start(const sim_scenario *sc, uint32_t self, tb_runtime *rt,
                                 const tb_host *host);
void tb_rotations_free(tb_rotations *r);

#endif
