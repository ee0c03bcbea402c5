/* A testbed node's Byzantine behaviours: the simulator's wrappers
 * (sim/world/byzantine.h), with this process as their host.
 *
 * Every `[fault] action = byzantine` naming this node (behaviours, not
 * twins) adds its behaviour to one wrapper, which sits under the node's
 * sends exactly where the simulator puts it: between the node (the
 * consensus node, or in mesh topology the p2p node carrying it) and the
 * network. Its windows are chain times on this process's clock, so a
 * restarted node takes up its behaviours where the timeline is. The
 * wrapper's randomness is its own stream ("byzantine/NAME" from the seed),
 * its delays and floods are GLib timers, and what it sends goes through
 * the network filter and the links like any send (tb_runtime_send). */
#ifndef AITBC_TOOLS_NODE_BYZ_H
#define AITBC_TOOLS_NODE_BYZ_H

#include <stdint.h>

#include "sim/scenario/scenario.h"
#include "sim/world/chain.h"
#include "tools/node/node_host.h"
#include "tools/node/runtime_env.h"

typedef struct tb_byz tb_byz;

/* NULL if no byzantine fault names node `self`; otherwise the wrapper,
 * installed as rt's send hook. `host` is read when the wrapper needs the
 * node (its mesh peers, its PoA head), so it may be started later. */
tb_byz *tb_byz_new(const sim_scenario *sc, const sim_chain *chain, uint32_t self,
                   int32_t validator_index, const char *name, tb_runtime *rt,
                   const tb_host *host);
/* Uninstall and free (after the node is freed). */
void tb_byz_free(tb_byz *b);

#endif
