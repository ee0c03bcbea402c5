/* A testbed node's behaviours against the fee market (`[fault] action =
 * byzantine` with `spam RATE` or `censor`), as sim/world/market_faults.c
 * gives them to a simulated node: the node runs the honest protocol with
 * a dishonest client behind it (spam) or a dishonest inclusion policy
 * (censor).
 *
 *   spam RATE  from `at` to `until`, Poisson at RATE, cheap transfers from
 *              the node's SIM_SPAM_ACCOUNTS spam accounts (the same keys
 *              the simulator gives it: spam faults take blocks of keys in
 *              the order of the faults and their nodes), round robin,
 *              each to the next, no tip and a fee cap of twice the base
 *              fee its own node quotes, handed to its own node like a
 *              client's. The gaps come from the stream "spam/NAME" (in
 *              simulation they share the node's stream, so the times
 *              differ); the nonces start from the node's state when the
 *              process starts, so a restarted spammer goes on.
 *   censor     from `at` to `until`, the blocks the node builds carry only
 *              its own operator's transactions (proto_env include_tx). */
#ifndef AITBC_TOOLS_NODE_MARKET_H
#define AITBC_TOOLS_NODE_MARKET_H

#include "sim/scenario/scenario.h"
#include "sim/world/chain.h"
#include "tools/node/node_host.h"
#include "tools/node/runtime_env.h"

typedef struct tb_market tb_market;

/* NULL if no spam or censor fault names node `self`. Installs the
 * censor's policy in rt (before the node is built, which copies it). */
tb_market *tb_market_new(const sim_scenario *sc, const sim_chain *chain, uint32_t self,
                         int32_t validator_index, const char *name, tb_runtime *rt,
                         const tb_host *host);
/* The node is built: the spam windows begin. */
void tb_market_start(tb_market *m);
void tb_market_free(tb_market *m);

#endif
