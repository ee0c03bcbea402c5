/* The testbed node's network filter: the scenario's partition and
 * degrade faults (and, if asked, the base [network] latency, loss and
 * duplication) applied in the runtime's send and receive path, on the
 * chain's clock, as the simulator's network applies them
 * (sim/engine/net.h, sim/world/faults.c):
 *
 *   partition   a message between two nodes that an open partition puts
 *               in different groups (unlisted nodes: the first group) is
 *               dropped when sent and when it arrives (a cut link loses
 *               what is in flight); open partitions compose (separated by
 *               any = separated)
 *   one-way     `groups = A -> B`: A's messages to B are dropped, not the
 *               reverse; of several open, the one that started last
 *   degrade     links touching a named node take the fault's latency,
 *               loss and duplication in place of the base ones (the open
 *               degrade that started last, per node); with both ends
 *               degraded the larger latency draw applies and losses and
 *               duplications combine as independent events
 *
 * Latency is added on the sender's side before the message is handed to
 * the links (loopback adds its own, tiny, on top). Bandwidth is not
 * emulated: a degrade that sets it is applied without it, and the node
 * says so on stderr at start. Draws come from the stream
 * "testbed-link/NODE" of the scenario's seed. Crash faults are not the
 * filter's: the testbed driver kills and restarts processes. */
#ifndef AITBC_TOOLS_NODE_NET_FILTER_H
#define AITBC_TOOLS_NODE_NET_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/scenario/scenario.h"

typedef struct tb_filter tb_filter;

typedef struct tb_filter_stats {
    uint64_t dropped_partition;  /* sent or arriving across an open cut */
    uint64_t dropped_loss;       /* random loss */
    uint64_t duplicated;
    uint64_t delayed;            /* sent with an added latency */
} tb_filter_stats;

/* What to do with one message this node sends. */
typedef struct tb_filter_verdict {
    bool drop;
    int64_t delay_ns;            /* >= 0: hold it this long before sending */
    bool duplicate;              /* send it twice (the copy with its own delay_ns) */
    int64_t duplicate_delay_ns;
} tb_filter_verdict;

/* sc is borrowed and must outlive the filter. emulate_base: the base
 * [network] latency, loss and duplicate apply to every link (otherwise
 * only inside degrade windows). */
tb_filter *tb_filter_new(const sim_scenario *sc, uint32_t self, bool emulate_base);
void tb_filter_free(tb_filter *f);

/* A message self -> to at chain time now_ns. */
tb_filter_verdict tb_filter_send(tb_filter *f, uint32_t to, int64_t now_ns);
/* A message from -> self arriving at now_ns: false = drop it. */
bool tb_filter_receive(tb_filter *f, uint32_t from, int64_t now_ns);
/* Whether from's messages to `to` are cut at now_ns (no counting). */
bool tb_filter_cut(const tb_filter *f, uint32_t from, uint32_t to, int64_t now_ns);
/* The scenario has something for the filter to do (a partition or a
 * degrade fault, or emulated base parameters). */
bool tb_filter_active(const tb_filter *f);
const tb_filter_stats *tb_filter_get_stats(const tb_filter *f);

#endif
