/* Virtual network: latency, loss, duplication, bandwidth, partitions.
 *
 * Every node has one uplink. A message departs when the uplink is free,
 * occupies it for size*8/bandwidth (serialization delay, so messages queue
 * behind each other), then flies for a one-way latency drawn per message
 * from the link's distribution. Loss and duplication are drawn per
 * message. Degrade windows replace the base latency/loss/duplicate/
 * bandwidth of links touching the degraded node. A partition assigns every
 * node a group; messages between groups are dropped, both when sent and
 * when they would arrive (a cut link loses what is in flight). A one-way
 * cut (an asymmetric partition) marks some nodes as sources and some as
 * targets: messages from a source to a target are dropped the same way,
 * while targets still reach sources; it is independent of the groups.
 *
 * Deliveries go through the scheduler to a callback; messages to a node
 * that is down are dropped. Everything is counted per message type
 * (proto_msg_counted_type, protocol/core/msgtype.h: the wire's first byte,
 * except that a gossip envelope counts as the message it carries, so `tx`
 * includes relayed transactions): sent, delivered, dropped by reason,
 * bytes. Each node's traffic is counted too (messages and bytes sent and
 * received). Draws come from the network's own RNG stream. */
#ifndef AITBC_SIM_NET_H
#define AITBC_SIM_NET_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim/engine/rng.h"
#include "sim/engine/sched.h"
#include "sim/scenario/scenario.h"

typedef enum sim_drop_reason {
    SIM_DROP_LOSS = 0,      /* random loss */
    SIM_DROP_PARTITION,     /* sender and receiver in different groups */
    SIM_DROP_NODE_DOWN,     /* receiver (or sender) crashed */
    SIM_DROP_REASON_COUNT
} sim_drop_reason;

const char *sim_drop_reason_name(sim_drop_reason r);

typedef struct sim_net_link_params {
    sim_dist latency;
    double loss;
    double duplicate;
    uint64_t bandwidth_bps; /* 0 = unlimited */
} sim_net_link_params;

/* Every send makes one copy, plus one more when it is duplicated; each copy
 * is delivered or dropped exactly once (a lost message is dropped before
 * duplication is drawn, so it counts once). Hence, at any time:
 *     sent + duplicated == delivered + sum(dropped) + copies in flight. */
typedef struct sim_net_type_stats {
    uint64_t sent;          /* send calls (one per recipient) */
    uint64_t duplicated;    /* extra copies made by duplication */
    uint64_t delivered;     /* handed to the receiver (duplicates count twice) */
    uint64_t dropped[SIM_DROP_REASON_COUNT];
    uint64_t bytes_sent;    /* of send calls (a duplicate adds none) */
    uint64_t bytes_delivered;
} sim_net_type_stats;

/* One node's traffic. Sums over all nodes equal the per-type totals:
 * msgs_sent == sent, bytes_sent == bytes_sent, msgs_received == delivered,
 * bytes_received == bytes_delivered. */
typedef struct sim_net_node_stats {
    uint64_t msgs_sent;      /* send calls from this node (as sent above) */
    uint64_t bytes_sent;
    uint64_t msgs_received;  /* copies delivered to it (duplicates count twice) */
    uint64_t bytes_received;
} sim_net_node_stats;

/* Called at delivery time; `wire` is borrowed for the call. */
typedef void (*sim_net_deliver_fn)(void *ctx, uint32_t from, uint32_t to, GBytes *wire);

typedef struct sim_net sim_net;

sim_net *sim_net_new(sim_sched *sched, uint32_t nodes_count, const sim_net_link_params *base,
                     uint64_t seed, sim_net_deliver_fn deliver, void *deliver_ctx);
/* Cancels the deliveries still pending in sched and releases their wires;
 * free the net before its scheduler. */
void sim_net_free(sim_net *n);
/* Copies scheduled for delivery and not yet delivered or dropped. */
size_t sim_net_in_flight(const sim_net *n);

/* Takes its own reference to wire. A down sender or a partition drops the
 * message at once (it does not use the uplink); a lost message still used
 * the uplink; a receiver is checked for partition and being up only at
 * arrival. The order of random draws is documented in sim/engine/net.c. */
void sim_net_send(sim_net *n, uint32_t from, uint32_t to, GBytes *wire);

void sim_net_set_up(sim_net *n, uint32_t node, bool up);
bool sim_net_is_up(const sim_net *n, uint32_t node);

/* group_of_node has nodes_count entries; NULL heals (everyone in group 0). */
void sim_net_set_partition(sim_net *n, const uint32_t *group_of_node);
/* side_of_node has nodes_count entries: SIM_NET_CUT_SOURCE, _TARGET or
 * _NONE; NULL lifts the one-way cut. */
enum { SIM_NET_CUT_NONE = 0, SIM_NET_CUT_SOURCE = 1, SIM_NET_CUT_TARGET = 2 };
void sim_net_set_oneway_cut(sim_net *n, const uint8_t *side_of_node);
/* True when a and b can reach each other in both directions. */
bool sim_net_connected(const sim_net *n, uint32_t a, uint32_t b);

/* Replace link parameters for links touching `node`; NULL restores base.
 * When both ends are degraded, latency draws are taken for both and the
 * larger is used, loss and duplication combine as independent events,
 * and the lower bandwidth applies to the sender's uplink. */
void sim_net_set_degrade(sim_net *n, uint32_t node, const sim_net_link_params *params);

/* The loss probability a message from -> to has now (for tests). */
double sim_net_link_loss(const sim_net *n, uint32_t from, uint32_t to);

/* Counters of one counted type (see above). */
const sim_net_type_stats *sim_net_stats(const sim_net *n, uint8_t type);
/* Sum over all types. */
sim_net_type_stats sim_net_stats_total(const sim_net *n);
const sim_net_node_stats *sim_net_node_stats_get(const sim_net *n, uint32_t node);

/* Sample one latency in ns from a distribution (>= 0): uniform draws whole
 * ns with both ends included; normal is truncated by clamping to 0;
 * lognormal is median * e^(sigma Z). */
int64_t sim_dist_sample_ns(const sim_dist *d, sim_rng *r);

#endif
