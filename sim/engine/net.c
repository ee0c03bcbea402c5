/* Virtual network: uplink queueing, latency, loss, duplication, partitions.
 *
 * A send walks these steps, in this order, and the order of the random
 * draws (all from the net's own stream, "net") is part of the determinism
 * contract:
 *   1. count it as sent (per counted type, proto_msg_counted_type: the
 *      wire's first byte, a gossip envelope's inner type, 0 when empty;
 *      and per sending node);
 *   2. sender down -> dropped NODE_DOWN; sender and receiver in different
 *      partition groups -> dropped PARTITION (the message never leaves, so
 *      it does not occupy the uplink);
 *   3. the message occupies the sender's uplink from max(now, uplink free)
 *      for ceil(size * 8 * 1e9 / bandwidth) ns, so messages queue FIFO;
 *   4. draw loss -> dropped LOSS (a lost message still used the uplink);
 *   5. draw a latency; the copy arrives at uplink done + latency;
 *   6. draw duplication -> a second copy with its own latency draw.
 * At arrival each copy is checked again: partition (a cut link loses what
 * is in flight), then receiver down (a crashed node loses its inbox; the
 * receiver's state at send time does not matter, only at arrival).
 *
 * Links take the base parameters unless an end is degraded: one degraded
 * end gives that end's parameters; two give the larger of two latency
 * draws (sender's first), loss and duplication as independent events
 * (1 - (1-p)(1-q), one draw each), and the lower bandwidth (0 = unlimited).
 *
 * Each copy in flight is a record in a pool owned by the net; the delivery
 * event carries the record's index, and the record holds a reference to
 * the wire and the event id, so sim_net_free can cancel the event and drop
 * the reference. */
#include "sim/engine/net.h"

#include <string.h>

#include "protocol/core/msgtype.h"

#define NET_FLIGHT_NONE UINT32_MAX
#define NET_TYPES 256

typedef struct net_node {
    int64_t uplink_free_at_ns;   /* the uplink is busy until then */
    uint32_t group;              /* partition group; equal groups are connected */
    uint8_t cut_side;            /* SIM_NET_CUT_*: sources never reach targets */
    bool up;
    bool degraded;
    sim_net_link_params degrade; /* valid when degraded */
} net_node;

typedef struct net_flight {
    GBytes *wire;                /* NULL while the record is free */
    sim_event_id event;
    uint32_t from;
    uint32_t to;
    uint32_t next_free;          /* free list link */
} net_flight;

/* The parameters of one (from, to) link at send time. */
typedef struct net_link {
    const sim_dist *latency;
    const sim_dist *latency_other; /* both ends degraded: take the max */
    double loss;
    double duplicate;
    uint64_t bandwidth_bps;        /* 0 = unlimited */
} net_link;

struct sim_net {
    sim_sched *sched;
    uint32_t nodes_count;
    sim_net_link_params base;
    sim_rng rng;
    sim_net_deliver_fn deliver;
    void *deliver_ctx;
    net_node *nodes;             /* [nodes_count] */
    net_flight *flights;         /* [flights_cap] */
    uint32_t flights_cap;
    uint32_t flights_used;       /* records ever handed out: [0, flights_used) */
    uint32_t flight_free;        /* head of the free list */
    size_t in_flight;
    sim_net_type_stats stats[NET_TYPES];
    sim_net_node_stats *node_stats; /* [nodes_count] */
};

const char *sim_drop_reason_name(sim_drop_reason r)
{
    switch (r) {
    case SIM_DROP_LOSS: return "loss";
    case SIM_DROP_PARTITION: return "partition";
    case SIM_DROP_NODE_DOWN: return "node-down";
    case SIM_DROP_REASON_COUNT: break;
    }
    return "unknown";
}

/* ---- latency distributions ----------------------------------------------- */

/* Times in the network saturate here: a copy due this late never arrives
 * in a run (durations are at most SIM_DURATION_MAX_NS, far below), and
 * any sum of two such times still fits in int64. */
#define NET_TIME_NEVER_NS (INT64_C(1) << 62)

static int64_t net_time_add(int64_t a_ns, int64_t b_ns)
{
    g_assert(a_ns >= 0 && b_ns >= 0);
    return a_ns >= NET_TIME_NEVER_NS - b_ns ? NET_TIME_NEVER_NS : a_ns + b_ns;
}

/* Round a non-negative duration to whole ns; NaN and negatives give 0, and
 * absurd values are capped so adding them to a time cannot overflow. */
static int64_t dist_round_ns(double x_ns)
{
    if (!(x_ns > 0.0))
        return 0;
    if (x_ns >= 0x1.0p62)
        return INT64_C(1) << 62;
    return (int64_t)(x_ns + 0.5);
}

int64_t sim_dist_sample_ns(const sim_dist *d, sim_rng *r)
{
    switch (d->kind) {
    case SIM_DIST_CONSTANT:
        return d->a_ns > 0 ? MIN(d->a_ns, NET_TIME_NEVER_NS) : 0;
    case SIM_DIST_UNIFORM: {
        /* Whole ns, both ends included; integer draws, no rounding. */
        int64_t lo = MIN(d->a_ns, d->b_ns), hi = MAX(d->a_ns, d->b_ns);
        lo = MAX(lo, 0);
        hi = MAX(hi, 0);
        int64_t ns = lo + (int64_t)sim_rng_below(r, (uint64_t)(hi - lo) + 1); /* one draw */
        return MIN(ns, NET_TIME_NEVER_NS);
    }
    case SIM_DIST_NORMAL:
        /* Truncated at 0 by clamping: P(X < 0) becomes an atom at 0. */
        return dist_round_ns(sim_rng_normal(r, (double)d->a_ns, (double)d->b_ns));
    case SIM_DIST_LOGNORMAL:
        /* median * e^(sigma Z) == e^(ln(median) + sigma Z), one fewer log. */
        if (d->a_ns <= 0)
            return 0;
        return dist_round_ns((double)d->a_ns * sim_det_exp(d->sigma * sim_rng_normal(r, 0.0, 1.0)));
    case SIM_DIST_EXPONENTIAL:
        return dist_round_ns(sim_rng_exponential(r, (double)d->a_ns));
    }
    g_assert_not_reached();
}

/* ---- setup and state ----------------------------------------------------- */

sim_net *sim_net_new(sim_sched *sched, uint32_t nodes_count, const sim_net_link_params *base,
                     uint64_t seed, sim_net_deliver_fn deliver, void *deliver_ctx)
{
    g_assert(sched != NULL && base != NULL && nodes_count > 0);
    sim_net *n = g_new0(sim_net, 1);
    n->sched = sched;
    n->nodes_count = nodes_count;
    n->base = *base;
    sim_rng_init(&n->rng, seed, "net");
    n->deliver = deliver;
    n->deliver_ctx = deliver_ctx;
    n->nodes = g_new0(net_node, nodes_count);
    n->node_stats = g_new0(sim_net_node_stats, nodes_count);
    for (uint32_t i = 0; i < nodes_count; i++)
        n->nodes[i].up = true;
    n->flight_free = NET_FLIGHT_NONE;
    return n;
}

void sim_net_free(sim_net *n)
{
    if (n == NULL)
        return;
    for (uint32_t i = 0; i < n->flights_used; i++) {
        net_flight *f = &n->flights[i];
        if (f->wire == NULL)
            continue;
        bool cancelled = sim_sched_cancel(n->sched, f->event);
        g_assert(cancelled); /* a record in use always has its event pending */
        (void)cancelled;
        g_bytes_unref(f->wire);
    }
    g_free(n->flights);
    g_free(n->nodes);
    g_free(n->node_stats);
    g_free(n);
}

size_t sim_net_in_flight(const sim_net *n)
{
    return n->in_flight;
}

void sim_net_set_up(sim_net *n, uint32_t node, bool up)
{
    g_assert(node < n->nodes_count);
    n->nodes[node].up = up;
}

bool sim_net_is_up(const sim_net *n, uint32_t node)
{
    g_assert(node < n->nodes_count);
    return n->nodes[node].up;
}

void sim_net_set_partition(sim_net *n, const uint32_t *group_of_node)
{
    for (uint32_t i = 0; i < n->nodes_count; i++)
        n->nodes[i].group = group_of_node != NULL ? group_of_node[i] : 0;
}

void sim_net_set_oneway_cut(sim_net *n, const uint8_t *side_of_node)
{
    for (uint32_t i = 0; i < n->nodes_count; i++)
        n->nodes[i].cut_side = side_of_node != NULL ? side_of_node[i] : SIM_NET_CUT_NONE;
}

/* Whether a message from `from` to `to` is cut by a partition. */
static bool net_cut(const sim_net *n, uint32_t from, uint32_t to)
{
    return n->nodes[from].group != n->nodes[to].group ||
           (n->nodes[from].cut_side == SIM_NET_CUT_SOURCE &&
            n->nodes[to].cut_side == SIM_NET_CUT_TARGET);
}

bool sim_net_connected(const sim_net *n, uint32_t a, uint32_t b)
{
    g_assert(a < n->nodes_count && b < n->nodes_count);
    return !net_cut(n, a, b) && !net_cut(n, b, a);
}

void sim_net_set_degrade(sim_net *n, uint32_t node, const sim_net_link_params *params)
{
    g_assert(node < n->nodes_count);
    n->nodes[node].degraded = params != NULL;
    if (params != NULL)
        n->nodes[node].degrade = *params;
}

const sim_net_type_stats *sim_net_stats(const sim_net *n, uint8_t type)
{
    return &n->stats[type];
}

const sim_net_node_stats *sim_net_node_stats_get(const sim_net *n, uint32_t node)
{
    g_assert(node < n->nodes_count);
    return &n->node_stats[node];
}

sim_net_type_stats sim_net_stats_total(const sim_net *n)
{
    sim_net_type_stats t;
    memset(&t, 0, sizeof t);
    for (unsigned i = 0; i < NET_TYPES; i++) {
        const sim_net_type_stats *s = &n->stats[i];
        t.sent += s->sent;
        t.duplicated += s->duplicated;
        t.delivered += s->delivered;
        for (unsigned r = 0; r < SIM_DROP_REASON_COUNT; r++)
            t.dropped[r] += s->dropped[r];
        t.bytes_sent += s->bytes_sent;
        t.bytes_delivered += s->bytes_delivered;
    }
    return t;
}

/* ---- sending ------------------------------------------------------------- */

static uint64_t net_bandwidth_min(uint64_t a_bps, uint64_t b_bps)
{
    if (a_bps == 0)
        return b_bps;
    if (b_bps == 0)
        return a_bps;
    return MIN(a_bps, b_bps);
}

static void net_link_resolve(const sim_net *n, uint32_t from, uint32_t to, net_link *link)
{
    const net_node *src = &n->nodes[from], *dst = &n->nodes[to];
    const sim_net_link_params *p = &n->base;
    if (src->degraded && dst->degraded && from != to) {
        const sim_net_link_params *ps = &src->degrade, *pd = &dst->degrade;
        link->latency = &ps->latency;
        link->latency_other = &pd->latency;
        link->loss = 1.0 - (1.0 - ps->loss) * (1.0 - pd->loss);
        link->duplicate = 1.0 - (1.0 - ps->duplicate) * (1.0 - pd->duplicate);
        link->bandwidth_bps = net_bandwidth_min(ps->bandwidth_bps, pd->bandwidth_bps);
        return;
    }
    if (src->degraded)
        p = &src->degrade;
    else if (dst->degraded)
        p = &dst->degrade;
    link->latency = &p->latency;
    link->latency_other = NULL;
    link->loss = p->loss;
    link->duplicate = p->duplicate;
    link->bandwidth_bps = p->bandwidth_bps;
}

double sim_net_link_loss(const sim_net *n, uint32_t from, uint32_t to)
{
    g_assert(from < n->nodes_count && to < n->nodes_count);
    net_link link;
    net_link_resolve(n, from, to, &link);
    return link.loss;
}

static int64_t net_link_latency_ns(sim_net *n, const net_link *link)
{
    int64_t latency_ns = sim_dist_sample_ns(link->latency, &n->rng);
    if (link->latency_other != NULL)
        latency_ns = MAX(latency_ns, sim_dist_sample_ns(link->latency_other, &n->rng));
    return latency_ns;
}

/* ceil(size * 8 * 1e9 / bandwidth) ns, capped far beyond any real run. */
static int64_t net_serialization_ns(uint64_t size, uint64_t bandwidth_bps)
{
    if (bandwidth_bps == 0 || size == 0)
        return 0;
    __extension__ unsigned __int128 bit_ns = (unsigned __int128)size * 8u * 1000000000u;
    __extension__ unsigned __int128 ns = (bit_ns + bandwidth_bps - 1) / bandwidth_bps;
    return ns >= ((unsigned __int128)1 << 62) ? INT64_C(1) << 62 : (int64_t)ns;
}

static void net_deliver_event(void *ctx, uint64_t index, uint64_t unused);

static uint32_t net_flight_take(sim_net *n)
{
    if (n->flight_free != NET_FLIGHT_NONE) {
        uint32_t index = n->flight_free;
        n->flight_free = n->flights[index].next_free;
        return index;
    }
    if (n->flights_used == n->flights_cap) {
        g_assert(n->flights_cap < UINT32_MAX / 2);
        n->flights_cap = n->flights_cap == 0 ? 64 : n->flights_cap * 2;
        n->flights = g_renew(net_flight, n->flights, n->flights_cap);
    }
    return n->flights_used++;
}

/* Schedule one copy's arrival; the record holds its own wire reference. */
static void net_launch(sim_net *n, uint32_t from, uint32_t to, GBytes *wire, int64_t at_ns)
{
    uint32_t index = net_flight_take(n);
    net_flight *f = &n->flights[index];
    f->wire = g_bytes_ref(wire);
    f->from = from;
    f->to = to;
    f->next_free = NET_FLIGHT_NONE;
    f->event = sim_sched_at(n->sched, at_ns, net_deliver_event, n, index, 0);
    n->in_flight++;
}

void sim_net_send(sim_net *n, uint32_t from, uint32_t to, GBytes *wire)
{
    g_assert(from < n->nodes_count && to < n->nodes_count && wire != NULL);
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(wire, &size);
    sim_net_type_stats *st = &n->stats[proto_msg_counted_type(data, size)];
    st->sent++;
    st->bytes_sent += size;
    n->node_stats[from].msgs_sent++;
    n->node_stats[from].bytes_sent += size;

    if (!n->nodes[from].up) {
        st->dropped[SIM_DROP_NODE_DOWN]++;
        return;
    }
    if (net_cut(n, from, to)) {
        st->dropped[SIM_DROP_PARTITION]++;
        return;
    }

    net_link link;
    net_link_resolve(n, from, to, &link);
    net_node *src = &n->nodes[from];
    int64_t start_ns = MAX(sim_sched_now(n->sched), src->uplink_free_at_ns);
    int64_t departed_ns = net_time_add(start_ns, net_serialization_ns(size, link.bandwidth_bps));
    src->uplink_free_at_ns = departed_ns;

    if (sim_rng_chance(&n->rng, link.loss)) {
        st->dropped[SIM_DROP_LOSS]++;
        return;
    }
    net_launch(n, from, to, wire, net_time_add(departed_ns, net_link_latency_ns(n, &link)));
    if (sim_rng_chance(&n->rng, link.duplicate)) {
        st->duplicated++;
        net_launch(n, from, to, wire, net_time_add(departed_ns, net_link_latency_ns(n, &link)));
    }
}

static void net_deliver_event(void *ctx, uint64_t index, uint64_t unused)
{
    sim_net *n = ctx;
    g_assert(index < n->flights_used);
    net_flight *f = &n->flights[index];
    GBytes *wire = f->wire;
    uint32_t from = f->from, to = f->to;
    g_assert(wire != NULL);

    /* Free the record first: the receiver may send, which may grow the pool. */
    f->wire = NULL;
    f->next_free = n->flight_free;
    n->flight_free = (uint32_t)index;
    n->in_flight--;

    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(wire, &size);
    sim_net_type_stats *st = &n->stats[proto_msg_counted_type(data, size)];
    if (net_cut(n, from, to)) {
        st->dropped[SIM_DROP_PARTITION]++;
    } else if (!n->nodes[to].up) {
        st->dropped[SIM_DROP_NODE_DOWN]++;
    } else {
        st->delivered++;
        st->bytes_delivered += size;
        n->node_stats[to].msgs_received++;
        n->node_stats[to].bytes_received += size;
        if (n->deliver != NULL)
            n->deliver(n->deliver_ctx, from, to, wire);
    }
    g_bytes_unref(wire);
}
