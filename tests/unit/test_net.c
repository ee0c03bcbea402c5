/* Unit tests for sim/engine/net.c: latency, bandwidth queueing, loss, duplication,
 * partitions, crashed nodes, degrade windows and the per-type counters.
 *
 * Every test runs the real scheduler and records deliveries (time, ends,
 * first byte). Statistical checks use wide bounds (several standard
 * deviations) over thousands of messages, with fixed seeds. */
#include <check.h>
#include <glib.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "protocol/core/msgtype.h"
#include "sim/engine/net.h"

#define MS ((int64_t)1000000)

typedef struct delivery {
    int64_t at_ns;
    uint32_t from;
    uint32_t to;
    uint8_t type;
    gsize size;
} delivery;

/* Wires made and freed by this test process (each test runs in its own
 * process): the net must release every reference it took. */
static uint64_t wires_made, wires_freed;

typedef struct fixture {
    sim_sched *sched;
    sim_net *net;
    GArray *got;            /* delivery, in delivery order */
} fixture;

static void fx_deliver(void *ctx, uint32_t from, uint32_t to, GBytes *wire)
{
    fixture *fx = ctx;
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(wire, &size);
    delivery d = {sim_sched_now(fx->sched), from, to, size > 0 ? data[0] : 0, size};
    g_array_append_val(fx->got, d);
}

static sim_net_link_params link_constant(int64_t latency_ns)
{
    sim_net_link_params p = {{SIM_DIST_CONSTANT, latency_ns, 0, 0.0}, 0.0, 0.0, 0};
    return p;
}

static void fx_init(fixture *fx, uint32_t nodes, const sim_net_link_params *base, uint64_t seed)
{
    fx->sched = sim_sched_new(1 << 20);
    fx->net = sim_net_new(fx->sched, nodes, base, seed, fx_deliver, fx);
    fx->got = g_array_new(FALSE, FALSE, sizeof(delivery));
}

static void fx_clear(fixture *fx)
{
    sim_net_free(fx->net);
    sim_sched_free(fx->sched);
    g_array_free(fx->got, TRUE);
    ck_assert_uint_eq(wires_freed, wires_made);
}

static void wire_free(gpointer data)
{
    wires_freed++;
    g_free(data);
}

static GBytes *wire_new(uint8_t type, gsize size)
{
    uint8_t *data = g_malloc0(MAX(size, 1));
    if (size > 0)
        data[0] = type;
    wires_made++;
    return g_bytes_new_with_free_func(data, size, wire_free, data);
}

/* Send one message of `type` and `size`; the wire is released here (the
 * net holds its own reference). */
static void fx_send(fixture *fx, uint32_t from, uint32_t to, uint8_t type, gsize size)
{
    GBytes *wire = wire_new(type, size);
    sim_net_send(fx->net, from, to, wire);
    g_bytes_unref(wire);
}

static void fx_run(fixture *fx)
{
    ck_assert_int_eq(sim_sched_run(fx->sched, INT64_MAX, UINT64_MAX), SIM_RUN_IDLE);
}

static uint64_t stats_dropped(const sim_net_type_stats *s)
{
    uint64_t total = 0;
    for (int r = 0; r < SIM_DROP_REASON_COUNT; r++)
        total += s->dropped[r];
    return total;
}

/* sent + duplicated == delivered + dropped + in flight, per type and total. */
static void check_conservation(const fixture *fx)
{
    sim_net_type_stats t = sim_net_stats_total(fx->net);
    ck_assert_uint_eq(t.sent + t.duplicated,
                      t.delivered + stats_dropped(&t) + sim_net_in_flight(fx->net));
    for (unsigned type = 0; type < 256; type++) {
        const sim_net_type_stats *s = sim_net_stats(fx->net, (uint8_t)type);
        if (sim_net_in_flight(fx->net) == 0)
            ck_assert_uint_eq(s->sent + s->duplicated, s->delivered + stats_dropped(s));
    }
}

/* ---- latency and bandwidth ------------------------------------------------ */

START_TEST(test_constant_latency)
{
    fixture fx;
    sim_net_link_params base = link_constant(50 * MS);
    fx_init(&fx, 3, &base, 1);
    fx_send(&fx, 0, 1, PROTO_MSG_TX, 100);
    fx_send(&fx, 2, 0, PROTO_MSG_BLOCK, 100);
    fx_run(&fx);
    ck_assert_uint_eq(fx.got->len, 2);
    for (guint i = 0; i < 2; i++)
        ck_assert_int_eq(g_array_index(fx.got, delivery, i).at_ns, 50 * MS);
    ck_assert_uint_eq(g_array_index(fx.got, delivery, 0).to, 1);
    ck_assert_uint_eq(g_array_index(fx.got, delivery, 1).from, 2);
    fx_clear(&fx);
}
END_TEST

START_TEST(test_uniform_latency_bounds)
{
    fixture fx;
    sim_net_link_params base = {{SIM_DIST_UNIFORM, 20 * MS, 80 * MS, 0.0}, 0.0, 0.0, 0};
    fx_init(&fx, 4, &base, 2);
    enum { MESSAGES = 4000 };
    for (int i = 0; i < MESSAGES; i++)
        fx_send(&fx, (uint32_t)(i % 4), (uint32_t)((i + 1) % 4), PROTO_MSG_TX, 10);
    fx_run(&fx);
    ck_assert_uint_eq(fx.got->len, MESSAGES);
    double sum = 0.0;
    int64_t lo = INT64_MAX, hi = 0;
    for (guint i = 0; i < fx.got->len; i++) {
        int64_t at = g_array_index(fx.got, delivery, i).at_ns; /* all sent at 0 */
        ck_assert_int_ge(at, 20 * MS);
        ck_assert_int_le(at, 80 * MS);
        lo = MIN(lo, at);
        hi = MAX(hi, at);
        sum += (double)at;
    }
    /* mean 50 ms, sd of the mean 17.3 ms / sqrt(4000) = 0.27 ms */
    ck_assert_msg(fabs(sum / MESSAGES - 50.0 * MS) < 1.5 * MS, "mean %.0f", sum / MESSAGES);
    ck_assert_int_lt(lo, 21 * MS);
    ck_assert_int_gt(hi, 79 * MS);
    fx_clear(&fx);
}
END_TEST

START_TEST(test_dist_samples)
{
    sim_rng r;
    sim_rng_init(&r, 3, "test.dist");
    enum { N = 40000 };
    sim_dist normal = {SIM_DIST_NORMAL, 50 * MS, 10 * MS, 0.0};
    sim_dist clamped = {SIM_DIST_NORMAL, 1 * MS, 10 * MS, 0.0};
    sim_dist logn = {SIM_DIST_LOGNORMAL, 50 * MS, 0, 0.5};
    sim_dist expo = {SIM_DIST_EXPONENTIAL, 40 * MS, 0, 0.0};
    double sum_normal = 0.0, sum_expo = 0.0;
    int logn_below_median = 0, clamped_zero = 0;
    for (int i = 0; i < N; i++) {
        int64_t x = sim_dist_sample_ns(&normal, &r);
        ck_assert_int_ge(x, 0);
        sum_normal += (double)x;
        x = sim_dist_sample_ns(&clamped, &r);
        ck_assert_int_ge(x, 0);
        clamped_zero += x == 0;
        x = sim_dist_sample_ns(&logn, &r);
        ck_assert_int_gt(x, 0);
        logn_below_median += x < 50 * MS;
        x = sim_dist_sample_ns(&expo, &r);
        ck_assert_int_ge(x, 0);
        sum_expo += (double)x;
    }
    ck_assert_msg(fabs(sum_normal / N - 50.0 * MS) < 0.5 * MS, "normal mean");
    ck_assert_msg(fabs(sum_expo / N - 40.0 * MS) < 1.5 * MS, "exponential mean"); /* sd 0.2 ms */
    ck_assert_msg(abs(logn_below_median - N / 2) < 800, "lognormal median: %d", logn_below_median);
    /* P(N(1, 10) < 0) = 0.46: clamped to exactly 0. */
    ck_assert_msg(abs(clamped_zero - (int)(0.46 * N)) < 800, "clamped: %d", clamped_zero);

    sim_dist c = {SIM_DIST_CONSTANT, 7, 0, 0.0};
    sim_dist u = {SIM_DIST_UNIFORM, 5, 5, 0.0};
    ck_assert_int_eq(sim_dist_sample_ns(&c, &r), 7);
    ck_assert_int_eq(sim_dist_sample_ns(&u, &r), 5);
}
END_TEST

START_TEST(test_bandwidth_fifo)
{
    fixture fx;
    sim_net_link_params base = link_constant(10 * MS);
    base.bandwidth_bps = 8000000; /* 8 Mbit/s: 1 MB takes 1 s */
    fx_init(&fx, 3, &base, 4);
    fx_send(&fx, 0, 1, PROTO_MSG_BLOCK, 1000000);
    fx_send(&fx, 0, 2, PROTO_MSG_BLOCK, 1000000);
    fx_send(&fx, 1, 2, PROTO_MSG_TX, 1000); /* another uplink: not queued */
    fx_run(&fx);
    ck_assert_uint_eq(fx.got->len, 3);
    ck_assert_int_eq(g_array_index(fx.got, delivery, 0).at_ns, 1 * MS + 10 * MS);
    ck_assert_int_eq(g_array_index(fx.got, delivery, 1).at_ns, 1000 * MS + 10 * MS);
    ck_assert_int_eq(g_array_index(fx.got, delivery, 2).at_ns, 2000 * MS + 10 * MS);

    /* Serialization rounds up to whole ns: 1 byte at 3 bit/s = 2.67 s. */
    sim_net_link_params slow = link_constant(0);
    slow.bandwidth_bps = 3;
    sim_net_set_degrade(fx.net, 0, &slow);
    int64_t t0 = sim_sched_now(fx.sched);
    fx_send(&fx, 0, 1, PROTO_MSG_TX, 1);
    fx_run(&fx);
    ck_assert_int_eq(g_array_index(fx.got, delivery, 3).at_ns - t0, 2666666667);
    fx_clear(&fx);
}
END_TEST

/* ---- loss and duplication ------------------------------------------------- */

START_TEST(test_loss_rate)
{
    fixture fx;
    sim_net_link_params base = link_constant(1 * MS);
    base.loss = 0.1;
    fx_init(&fx, 2, &base, 5);
    enum { MESSAGES = 20000 };
    for (int i = 0; i < MESSAGES; i++)
        fx_send(&fx, 0, 1, PROTO_MSG_TX, 50);
    const sim_net_type_stats *s = sim_net_stats(fx.net, PROTO_MSG_TX);
    ck_assert_uint_eq(s->sent, MESSAGES);
    /* expected 2000, sd 42 */
    ck_assert_uint_gt(s->dropped[SIM_DROP_LOSS], 2000 - 250);
    ck_assert_uint_lt(s->dropped[SIM_DROP_LOSS], 2000 + 250);
    fx_run(&fx);
    ck_assert_uint_eq(fx.got->len, MESSAGES - s->dropped[SIM_DROP_LOSS]);
    ck_assert_uint_eq(s->delivered, fx.got->len);
    ck_assert_uint_eq(s->bytes_delivered, 50 * fx.got->len);
    ck_assert_uint_eq(s->bytes_sent, 50 * MESSAGES);
    check_conservation(&fx);
    fx_clear(&fx);
}
END_TEST

START_TEST(test_duplicates)
{
    fixture fx;
    sim_net_link_params base = {{SIM_DIST_UNIFORM, 1 * MS, 9 * MS, 0.0}, 0.0, 0.25, 0};
    fx_init(&fx, 2, &base, 6);
    enum { MESSAGES = 8000 };
    for (int i = 0; i < MESSAGES; i++)
        fx_send(&fx, 0, 1, PROTO_MSG_STATUS, 8);
    const sim_net_type_stats *s = sim_net_stats(fx.net, PROTO_MSG_STATUS);
    ck_assert_uint_eq(sim_net_in_flight(fx.net), MESSAGES + s->duplicated);
    fx_run(&fx);
    /* expected 2000 duplicates, sd 39 */
    ck_assert_uint_gt(s->duplicated, 2000 - 250);
    ck_assert_uint_lt(s->duplicated, 2000 + 250);
    ck_assert_uint_eq(s->delivered, MESSAGES + s->duplicated); /* each copy counts */
    ck_assert_uint_eq(fx.got->len, s->delivered);
    ck_assert_uint_eq(s->bytes_delivered, 8 * s->delivered);
    ck_assert_uint_eq(s->bytes_sent, 8 * MESSAGES);
    ck_assert_uint_eq(sim_net_in_flight(fx.net), 0);
    check_conservation(&fx);
    fx_clear(&fx);
}
END_TEST

/* ---- partitions and crashed nodes ----------------------------------------- */

typedef struct cut_ctx {
    sim_net *net;
    const uint32_t *groups;
} cut_ctx;

static void cut_event(void *ctx, uint64_t a, uint64_t b)
{
    cut_ctx *c = ctx;
    sim_net_set_partition(c->net, c->groups);
}

START_TEST(test_partition_at_send_and_in_flight)
{
    fixture fx;
    sim_net_link_params base = link_constant(100 * MS);
    fx_init(&fx, 4, &base, 7);
    static const uint32_t groups[4] = {0, 0, 1, 1};
    ck_assert(sim_net_connected(fx.net, 0, 3));

    /* In flight: sent while connected, cut at 50 ms, due at 100 ms. */
    fx_send(&fx, 0, 2, PROTO_MSG_BLOCK, 10); /* crosses the cut: lost */
    fx_send(&fx, 0, 1, PROTO_MSG_BLOCK, 10); /* same side: arrives */
    cut_ctx cut = {fx.net, groups};
    sim_sched_at(fx.sched, 50 * MS, cut_event, &cut, 0, 0);
    fx_run(&fx);
    ck_assert(!sim_net_connected(fx.net, 0, 3));
    ck_assert(sim_net_connected(fx.net, 2, 3));
    const sim_net_type_stats *s = sim_net_stats(fx.net, PROTO_MSG_BLOCK);
    ck_assert_uint_eq(s->dropped[SIM_DROP_PARTITION], 1);
    ck_assert_uint_eq(fx.got->len, 1);
    ck_assert_uint_eq(g_array_index(fx.got, delivery, 0).to, 1);

    /* At send: dropped at once, nothing scheduled. */
    fx_send(&fx, 3, 1, PROTO_MSG_BLOCK, 10);
    ck_assert_uint_eq(s->dropped[SIM_DROP_PARTITION], 2);
    ck_assert_uint_eq(sim_net_in_flight(fx.net), 0);
    ck_assert_uint_eq(sim_sched_pending(fx.sched), 0);

    /* Healing reconnects everyone. */
    sim_net_set_partition(fx.net, NULL);
    ck_assert(sim_net_connected(fx.net, 0, 3));
    fx_send(&fx, 3, 1, PROTO_MSG_BLOCK, 10);
    fx_run(&fx);
    ck_assert_uint_eq(fx.got->len, 2);
    check_conservation(&fx);
    fx_clear(&fx);
}
END_TEST

/* groups = {0} -> {2}: 0's messages to 2 are lost, 2 still reaches 0, and
 * the two count as not connected (liveness needs both directions). */
START_TEST(test_oneway_cut)
{
    fixture fx;
    sim_net_link_params base = link_constant(100 * MS);
    fx_init(&fx, 4, &base, 7);
    static const uint8_t sides[4] = {SIM_NET_CUT_SOURCE, SIM_NET_CUT_NONE, SIM_NET_CUT_TARGET,
                                     SIM_NET_CUT_NONE};
    sim_net_set_oneway_cut(fx.net, sides);
    ck_assert(!sim_net_connected(fx.net, 0, 2));
    ck_assert(!sim_net_connected(fx.net, 2, 0));
    ck_assert(sim_net_connected(fx.net, 0, 1));
    fx_send(&fx, 0, 2, PROTO_MSG_BLOCK, 10); /* source -> target: lost */
    fx_send(&fx, 2, 0, PROTO_MSG_BLOCK, 10); /* target -> source: arrives */
    fx_send(&fx, 0, 1, PROTO_MSG_BLOCK, 10); /* not cut */
    fx_run(&fx);
    const sim_net_type_stats *s = sim_net_stats(fx.net, PROTO_MSG_BLOCK);
    ck_assert_uint_eq(s->dropped[SIM_DROP_PARTITION], 1);
    ck_assert_uint_eq(fx.got->len, 2);
    sim_net_set_oneway_cut(fx.net, NULL);
    ck_assert(sim_net_connected(fx.net, 0, 2));
    fx_send(&fx, 0, 2, PROTO_MSG_BLOCK, 10);
    fx_run(&fx);
    ck_assert_uint_eq(fx.got->len, 3);
    check_conservation(&fx);
    fx_clear(&fx);
}
END_TEST

typedef struct updown_ctx {
    sim_net *net;
    uint32_t node;
    bool up;
} updown_ctx;

static void updown_event(void *ctx, uint64_t a, uint64_t b)
{
    updown_ctx *u = ctx;
    sim_net_set_up(u->net, u->node, u->up);
}

START_TEST(test_node_down)
{
    fixture fx;
    sim_net_link_params base = link_constant(100 * MS);
    fx_init(&fx, 3, &base, 8);
    const sim_net_type_stats *s = sim_net_stats(fx.net, PROTO_MSG_TX);

    /* Sender down: dropped at send. */
    sim_net_set_up(fx.net, 0, false);
    ck_assert(!sim_net_is_up(fx.net, 0));
    fx_send(&fx, 0, 1, PROTO_MSG_TX, 10);
    ck_assert_uint_eq(s->dropped[SIM_DROP_NODE_DOWN], 1);
    ck_assert_uint_eq(sim_net_in_flight(fx.net), 0);
    sim_net_set_up(fx.net, 0, true);

    /* Receiver crashes while the message flies: dropped at delivery. */
    fx_send(&fx, 0, 1, PROTO_MSG_TX, 10);
    updown_ctx down = {fx.net, 1, false};
    sim_sched_at(fx.sched, 50 * MS, updown_event, &down, 0, 0);
    fx_run(&fx);
    ck_assert_uint_eq(s->dropped[SIM_DROP_NODE_DOWN], 2);
    ck_assert_uint_eq(fx.got->len, 0);

    /* Receiver down at send but back before arrival: delivered. */
    fx_send(&fx, 0, 1, PROTO_MSG_TX, 10);
    updown_ctx up = {fx.net, 1, true};
    sim_sched_after(fx.sched, 50 * MS, updown_event, &up, 0, 0);
    fx_run(&fx);
    ck_assert_uint_eq(fx.got->len, 1);
    ck_assert_uint_eq(s->delivered, 1);
    check_conservation(&fx);
    fx_clear(&fx);
}
END_TEST

/* ---- degrade -------------------------------------------------------------- */

static int64_t fx_one_way_ns(fixture *fx, uint32_t from, uint32_t to)
{
    guint before = fx->got->len;
    int64_t t0 = sim_sched_now(fx->sched);
    fx_send(fx, from, to, PROTO_MSG_TX, 1000);
    fx_run(fx);
    ck_assert_uint_eq(fx->got->len, before + 1);
    return g_array_index(fx->got, delivery, before).at_ns - t0;
}

START_TEST(test_degrade_applies_and_restores)
{
    fixture fx;
    sim_net_link_params base = link_constant(10 * MS);
    fx_init(&fx, 4, &base, 9);
    sim_net_link_params slow = link_constant(400 * MS);
    sim_net_link_params slower = link_constant(700 * MS);
    slower.bandwidth_bps = 8000; /* 1000 bytes = 1 s */

    sim_net_set_degrade(fx.net, 1, &slow);
    ck_assert_int_eq(fx_one_way_ns(&fx, 0, 1), 400 * MS); /* into the degraded node */
    ck_assert_int_eq(fx_one_way_ns(&fx, 1, 2), 400 * MS); /* out of it */
    ck_assert_int_eq(fx_one_way_ns(&fx, 2, 3), 10 * MS);  /* elsewhere: base */

    /* Both ends degraded: the larger latency and the lower bandwidth. */
    sim_net_set_degrade(fx.net, 2, &slower);
    ck_assert_int_eq(fx_one_way_ns(&fx, 1, 2), 1000 * MS + 700 * MS);
    ck_assert_int_eq(fx_one_way_ns(&fx, 2, 1), 1000 * MS + 700 * MS);

    sim_net_set_degrade(fx.net, 1, NULL);
    sim_net_set_degrade(fx.net, 2, NULL);
    ck_assert_int_eq(fx_one_way_ns(&fx, 0, 1), 10 * MS);
    ck_assert_int_eq(fx_one_way_ns(&fx, 1, 2), 10 * MS);
    fx_clear(&fx);
}
END_TEST

START_TEST(test_degrade_loss_combines)
{
    fixture fx;
    sim_net_link_params base = link_constant(1 * MS);
    fx_init(&fx, 3, &base, 10);
    sim_net_link_params lossy = link_constant(1 * MS);
    lossy.loss = 0.5;
    sim_net_set_degrade(fx.net, 0, &lossy);
    sim_net_set_degrade(fx.net, 1, &lossy);
    enum { MESSAGES = 8000 };
    for (int i = 0; i < MESSAGES; i++)
        fx_send(&fx, 0, 1, PROTO_MSG_TX, 1); /* both ends: 1 - 0.5 * 0.5 = 0.75 */
    uint64_t lost_both = sim_net_stats(fx.net, PROTO_MSG_TX)->dropped[SIM_DROP_LOSS];
    for (int i = 0; i < MESSAGES; i++)
        fx_send(&fx, 0, 2, PROTO_MSG_TX, 1); /* one end: 0.5 */
    uint64_t lost_one = sim_net_stats(fx.net, PROTO_MSG_TX)->dropped[SIM_DROP_LOSS] - lost_both;
    ck_assert_msg(lost_both > 5800 && lost_both < 6200, "both ends: %" G_GUINT64_FORMAT, lost_both);
    ck_assert_msg(lost_one > 3800 && lost_one < 4200, "one end: %" G_GUINT64_FORMAT, lost_one);
    fx_run(&fx);
    check_conservation(&fx);
    fx_clear(&fx);
}
END_TEST

/* ---- counters, determinism, teardown -------------------------------------- */

START_TEST(test_stats_add_up)
{
    fixture fx;
    sim_net_link_params base = {{SIM_DIST_EXPONENTIAL, 20 * MS, 0, 0.0}, 0.05, 0.1, 50000000};
    fx_init(&fx, 6, &base, 11);
    static const uint32_t groups[6] = {0, 0, 0, 1, 1, 2};
    sim_rng r;
    sim_rng_init(&r, 11, "test.mix");
    for (int round = 0; round < 40; round++) {
        for (int i = 0; i < 100; i++) {
            uint32_t from = (uint32_t)sim_rng_below(&r, 6), to = (uint32_t)sim_rng_below(&r, 6);
            uint8_t type = (uint8_t)sim_rng_below(&r, 7);
            fx_send(&fx, from, to, type, (gsize)sim_rng_below(&r, 3000)); /* some empty */
        }
        if (round % 10 == 3)
            sim_net_set_partition(fx.net, groups);
        if (round % 10 == 6)
            sim_net_set_partition(fx.net, NULL);
        sim_net_set_up(fx.net, (uint32_t)(round % 6), round % 4 != 0);
        sim_sched_run(fx.sched, sim_sched_now(fx.sched) + 15 * MS, UINT64_MAX);
        check_conservation(&fx);
    }
    fx_run(&fx);
    check_conservation(&fx);
    sim_net_type_stats t = sim_net_stats_total(fx.net);
    ck_assert_uint_eq(t.sent, 4000);
    ck_assert_uint_eq(t.delivered, fx.got->len);
    for (int reason = 0; reason < SIM_DROP_REASON_COUNT; reason++)
        ck_assert_uint_gt(t.dropped[reason], 0); /* every path was exercised */
    ck_assert_uint_gt(t.duplicated, 0);
    /* Per type: delivered copies match what the receiver saw. */
    uint64_t seen[256] = {0}, seen_bytes = 0;
    for (guint i = 0; i < fx.got->len; i++) {
        delivery d = g_array_index(fx.got, delivery, i);
        seen[d.type]++;
        seen_bytes += d.size;
    }
    for (unsigned type = 0; type < 7; type++)
        ck_assert_uint_eq(sim_net_stats(fx.net, (uint8_t)type)->delivered, seen[type]);
    ck_assert_uint_eq(t.bytes_delivered, seen_bytes);
    ck_assert_uint_gt(sim_net_stats(fx.net, 0)->sent, 0); /* empty wires count as type 0 */
    /* Per node: the sums are the per-type totals, and what each node
     * received is what the receiver saw. */
    sim_net_node_stats sum = {0};
    uint64_t got_msgs[6] = {0}, got_bytes[6] = {0};
    for (guint i = 0; i < fx.got->len; i++) {
        delivery d = g_array_index(fx.got, delivery, i);
        got_msgs[d.to]++;
        got_bytes[d.to] += d.size;
    }
    for (uint32_t node = 0; node < 6; node++) {
        const sim_net_node_stats *ns = sim_net_node_stats_get(fx.net, node);
        ck_assert_uint_eq(ns->msgs_received, got_msgs[node]);
        ck_assert_uint_eq(ns->bytes_received, got_bytes[node]);
        sum.msgs_sent += ns->msgs_sent;
        sum.bytes_sent += ns->bytes_sent;
        sum.msgs_received += ns->msgs_received;
        sum.bytes_received += ns->bytes_received;
    }
    ck_assert_uint_eq(sum.msgs_sent, t.sent);
    ck_assert_uint_eq(sum.bytes_sent, t.bytes_sent);
    ck_assert_uint_eq(sum.msgs_received, t.delivered);
    ck_assert_uint_eq(sum.bytes_received, t.bytes_delivered);
    fx_clear(&fx);
}
END_TEST

/* A gossip envelope [GOSSIP][scope][inner] counts as the type it carries,
 * both sent and delivered; a truncated envelope counts as gossip. The
 * bytes are the whole envelope's, charged to both ends. */
START_TEST(test_gossip_counts_as_inner_type)
{
    fixture fx;
    sim_net_link_params base = link_constant(10 * MS);
    fx_init(&fx, 3, &base, 5);
    GBytes *wire = wire_new(PROTO_MSG_P2P_GOSSIP, 40);
    uint8_t *data = (uint8_t *)g_bytes_get_data(wire, NULL);
    data[1] = 2;            /* scope */
    data[2] = PROTO_MSG_TX; /* inner type */
    sim_net_send(fx.net, 0, 1, wire);
    sim_net_send(fx.net, 1, 2, wire);
    g_bytes_unref(wire);
    fx_send(&fx, 2, 0, PROTO_MSG_P2P_GOSSIP, 2); /* no inner byte */
    fx_send(&fx, 2, 0, PROTO_MSG_TX, 100);
    fx_run(&fx);
    const sim_net_type_stats *tx = sim_net_stats(fx.net, PROTO_MSG_TX);
    ck_assert_uint_eq(tx->sent, 3);
    ck_assert_uint_eq(tx->delivered, 3);
    ck_assert_uint_eq(tx->bytes_sent, 180);
    ck_assert_uint_eq(tx->bytes_delivered, 180);
    const sim_net_type_stats *gossip = sim_net_stats(fx.net, PROTO_MSG_P2P_GOSSIP);
    ck_assert_uint_eq(gossip->sent, 1);
    ck_assert_uint_eq(gossip->bytes_delivered, 2);
    ck_assert_uint_eq(sim_net_node_stats_get(fx.net, 1)->bytes_sent, 40);
    ck_assert_uint_eq(sim_net_node_stats_get(fx.net, 1)->bytes_received, 40);
    ck_assert_uint_eq(sim_net_node_stats_get(fx.net, 2)->msgs_sent, 2);
    ck_assert_uint_eq(sim_net_node_stats_get(fx.net, 2)->bytes_sent, 102);
    ck_assert_uint_eq(sim_net_node_stats_get(fx.net, 0)->bytes_received, 102);
    ck_assert_uint_eq(sim_net_node_stats_get(fx.net, 0)->msgs_received, 2);
    fx_clear(&fx);
}
END_TEST

static void run_mixed(uint64_t seed, GArray *out)
{
    fixture fx;
    sim_net_link_params base = {{SIM_DIST_LOGNORMAL, 30 * MS, 0, 0.8}, 0.1, 0.1, 10000000};
    fx_init(&fx, 5, &base, seed);
    for (int i = 0; i < 500; i++)
        fx_send(&fx, (uint32_t)(i % 5), (uint32_t)(i * 3 % 5), (uint8_t)(i % 4), (gsize)(i * 37 % 900));
    fx_run(&fx);
    g_array_append_vals(out, fx.got->data, fx.got->len);
    fx_clear(&fx);
}

static bool deliveries_equal(const GArray *x, const GArray *y)
{
    if (x->len != y->len)
        return false;
    for (guint i = 0; i < x->len; i++) {
        delivery p = g_array_index(x, delivery, i), q = g_array_index(y, delivery, i);
        if (p.at_ns != q.at_ns || p.from != q.from || p.to != q.to || p.type != q.type ||
            p.size != q.size)
            return false;
    }
    return true;
}

START_TEST(test_deterministic)
{
    GArray *a = g_array_new(FALSE, FALSE, sizeof(delivery));
    GArray *b = g_array_new(FALSE, FALSE, sizeof(delivery));
    GArray *c = g_array_new(FALSE, FALSE, sizeof(delivery));
    run_mixed(77, a);
    run_mixed(77, b);
    run_mixed(78, c);
    ck_assert(deliveries_equal(a, b));
    ck_assert(!deliveries_equal(a, c));
    g_array_free(a, TRUE);
    g_array_free(b, TRUE);
    g_array_free(c, TRUE);
}
END_TEST

START_TEST(test_free_with_messages_in_flight)
{
    /* Under ASan/LSan a leaked wire reference fails this test. */
    fixture fx;
    sim_net_link_params base = link_constant(100 * MS);
    base.duplicate = 0.5;
    fx_init(&fx, 3, &base, 12);
    for (int i = 0; i < 100; i++)
        fx_send(&fx, 0, 2, PROTO_MSG_BLOCK, 64);
    ck_assert_uint_ge(sim_sched_pending(fx.sched), 100);
    ck_assert_uint_eq(wires_freed, 0); /* the net still holds all of them */
    sim_net_free(fx.net);
    ck_assert_uint_eq(wires_freed, wires_made);
    fx.net = NULL;
    /* The pending deliveries were cancelled: nothing runs into freed memory. */
    ck_assert_uint_eq(sim_sched_pending(fx.sched), 0);
    ck_assert_int_eq(sim_sched_run(fx.sched, INT64_MAX, UINT64_MAX), SIM_RUN_IDLE);
    ck_assert_uint_eq(fx.got->len, 0);
    fx_clear(&fx);
}
END_TEST

START_TEST(test_names)
{
    ck_assert_str_eq(sim_drop_reason_name(SIM_DROP_LOSS), "loss");
    ck_assert_str_eq(sim_drop_reason_name(SIM_DROP_PARTITION), "partition");
    ck_assert_str_eq(sim_drop_reason_name(SIM_DROP_NODE_DOWN), "node-down");
    ck_assert_str_eq(proto_msg_type_name(PROTO_MSG_TX), "tx");
    ck_assert_str_eq(proto_msg_type_name(PROTO_MSG_BLOCK), "block");
    ck_assert_str_eq(proto_msg_type_name(PROTO_MSG_GET_BLOCKS), "sync.get_blocks");
    ck_assert_str_eq(proto_msg_type_name(PROTO_MSG_BLOCKS), "sync.blocks");
    ck_assert_str_eq(proto_msg_type_name(PROTO_MSG_STATUS), "status");
    ck_assert_str_eq(proto_msg_type_name(0), "unknown");
    ck_assert_str_eq(proto_msg_type_name(200), "unknown");
    ck_assert_str_eq(proto_msg_type_name(255), "unknown");
}
END_TEST

static Suite *net_suite(void)
{
    Suite *s = suite_create("net");
    TCase *tc = tcase_create("timing");
    tcase_add_test(tc, test_constant_latency);
    tcase_add_test(tc, test_uniform_latency_bounds);
    tcase_add_test(tc, test_dist_samples);
    tcase_add_test(tc, test_bandwidth_fifo);
    suite_add_tcase(s, tc);

    tc = tcase_create("faults");
    tcase_add_test(tc, test_loss_rate);
    tcase_add_test(tc, test_duplicates);
    tcase_add_test(tc, test_partition_at_send_and_in_flight);
    tcase_add_test(tc, test_oneway_cut);
    tcase_add_test(tc, test_node_down);
    tcase_add_test(tc, test_degrade_applies_and_restores);
    tcase_add_test(tc, test_degrade_loss_combines);
    suite_add_tcase(s, tc);

    tc = tcase_create("accounting");
    tcase_add_test(tc, test_stats_add_up);
    tcase_add_test(tc, test_gossip_counts_as_inner_type);
    tcase_add_test(tc, test_deterministic);
    tcase_add_test(tc, test_free_with_messages_in_flight);
    tcase_add_test(tc, test_names);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(net_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
