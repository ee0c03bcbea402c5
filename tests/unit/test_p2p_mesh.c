/* Unit tests for the P2P mesh's membership and health (protocol/p2p),
 * driven by the deterministic hub (tests/unit/support/p2p_hub.c).
 *
 * From two bootstrap nodes, 30 nodes (4 validators) form a connected mesh
 * with every node's degree between degree_low and degree_high and links
 * mutual; validators form a clique, beyond degree_high if need be, while
 * a rush of HELLOs cannot push a node over it; RTTs equal the hub's round trip;
 * distances to a validator are known. A crashed node is dropped by all
 * its peers within ping_timeout + heartbeat (and comes back after a
 * restart); a graceful leave empties its peers' tables within one
 * latency; a unicast to a non-peer dials it and arrives (also one sent
 * before start, once started); the consensus node's timer passes through
 * and the peers are saved in the store; the same seed gives the same
 * trace and a different seed a different one. */
#include <check.h>

#include "protocol/core/msgtype.h"
#include "protocol/p2p/p2p.h"
#include "protocol/p2p/p2p_msg.h"
#include "support/p2p_hub.h"

#define VALIDATORS 4
#define FULL 26
#define DEGREE 8

static p2p_hub *hub_formed(uint64_t seed)
{
    p2p_hub *h = g_new0(p2p_hub, 1);
    p2p_hub_init(h, seed, VALIDATORS, FULL, DEGREE);
    p2p_hub_start_all(h);
    p2p_hub_run_until(h, P2P_HUB_SEC(30));
    return h;
}

static void hub_free(p2p_hub *h)
{
    p2p_hub_clear(h);
    g_free(h);
}

static bool has_peer(const p2p_node *n, proto_node_id id)
{
    return p2p_hub_node_has_peer(n, id);
}

/* Peers counted against the degree: validator links at a validator are not. */
static uint32_t degree_of(const p2p_hub *h, uint32_t i)
{
    proto_node_id peers[P2P_HUB_NODES_MAX];
    uint32_t c = p2p_node_peers(p2p_hub_p2p(h, i), peers, P2P_HUB_NODES_MAX);
    uint32_t d = 0;
    for (uint32_t k = 0; k < c; k++)
        d += !(i < h->validators && peers[k] < h->validators);
    return d;
}

START_TEST(test_mesh_forms_from_bootstrap)
{
    p2p_hub *h = hub_formed(1);
    ck_assert(p2p_hub_connected(h));
    ck_assert(p2p_hub_links_mutual(h));
    for (uint32_t i = 0; i < h->nodes; i++) {
        uint32_t d = degree_of(h, i);
        ck_assert_msg(d >= h->params.degree_low && d <= h->params.degree_high,
                      "node %u has degree %u (seed 1)", i, d);
        ck_assert_uint_eq(h->node[i].inner_timers_fired, 1);
        ck_assert_ptr_nonnull(g_hash_table_lookup(h->node[i].store, "p2p/peers"));
    }
    for (uint32_t a = 0; a < VALIDATORS; a++)
        for (uint32_t b = 0; b < VALIDATORS; b++)
            if (a != b)
                ck_assert_msg(has_peer(p2p_hub_p2p(h, a), b), "validator %u lacks %u", a, b);
    hub_free(h);
}
END_TEST

/* degree_high holds against a rush of HELLOs, and validator links do not
 * count against it: 12 validators with degree 4 (high 8) keep an 11-link
 * clique. */
START_TEST(test_degree_bounds_enforced)
{
    p2p_hub *h = g_new0(p2p_hub, 1);
    p2p_hub_init(h, 8, 12, 30, 4);
    p2p_hub_start_all(h);
    p2p_hub_run_until(h, P2P_HUB_SEC(20));
    for (uint32_t a = 0; a < 12; a++) {
        for (uint32_t b = 0; b < 12; b++)
            if (a != b)
                ck_assert_msg(has_peer(p2p_hub_p2p(h, a), b), "validator %u lacks %u", a, b);
        ck_assert_uint_le(degree_of(h, a), h->params.degree_high);
    }
    /* A validator whose full-node links are at degree_high still takes a
     * validator back (here one restarting). */
    p2p_hub_crash(h, 1);
    p2p_hub_run_for(h, h->params.ping_timeout_ns + 2 * h->params.heartbeat_ns);
    ck_assert(!has_peer(p2p_hub_p2p(h, 0), 1));
    GBytes *hello = p2p_hello_encode(false);
    for (uint32_t i = 12; i < h->nodes; i++)
        if (!has_peer(p2p_hub_p2p(h, 0), i))
            p2p_hub_inject(h, i, 0, hello);
    ck_assert_uint_eq(degree_of(h, 0), h->params.degree_high);
    p2p_hub_start(h, 1);
    p2p_hub_run_for(h, P2P_HUB_SEC(0.2));
    ck_assert(has_peer(p2p_hub_p2p(h, 0), 1));
    ck_assert_uint_eq(degree_of(h, 0), h->params.degree_high);
    p2p_hub_run_for(h, P2P_HUB_SEC(10));

    /* Every other node says HELLO to a full node at once. */
    const uint32_t t = 20;
    for (uint32_t i = 0; i < h->nodes; i++)
        if (i != t && !has_peer(p2p_hub_p2p(h, t), i))
            p2p_hub_inject(h, i, t, hello);
    ck_assert_uint_eq(p2p_node_peers_count(p2p_hub_p2p(h, t)), h->params.degree_high);
    p2p_hub_run_for(h, P2P_HUB_SEC(10)); /* refusals answered, extra links pruned */
    ck_assert(p2p_hub_links_mutual(h));
    for (uint32_t i = 0; i < h->nodes; i++)
        ck_assert_uint_le(degree_of(h, i), h->params.degree_high);
    /* Pruned back to `degree`, validator links (never pruned) aside. */
    proto_node_id peers[P2P_HUB_NODES_MAX];
    uint32_t count = p2p_node_peers(p2p_hub_p2p(h, t), peers, P2P_HUB_NODES_MAX);
    uint32_t full_peers = 0;
    for (uint32_t k = 0; k < count; k++)
        full_peers += peers[k] >= 12;
    ck_assert_uint_le(full_peers, h->params.degree);
    g_bytes_unref(hello);
    hub_free(h);
}
END_TEST

START_TEST(test_rtt_and_distance_measured)
{
    p2p_hub *h = hub_formed(2);
    for (uint32_t i = 0; i < h->nodes; i++) {
        const p2p_node *n = p2p_hub_p2p(h, i);
        proto_node_id peers[P2P_HUB_NODES_MAX];
        uint32_t c = p2p_node_peers(n, peers, P2P_HUB_NODES_MAX);
        for (uint32_t k = 0; k < c; k++) {
            int64_t rtt = p2p_node_rtt_ns(n, peers[k]);
            ck_assert_msg(rtt == 2 * p2p_hub_latency_ns(h, i, peers[k]),
                          "rtt %u-%u = %lld", i, peers[k], (long long)rtt);
        }
        uint32_t dist = p2p_node_validator_distance(n);
        if (i < VALIDATORS)
            ck_assert_uint_eq(dist, 0);
        else
            ck_assert_msg(dist >= 1 && dist <= 4, "node %u distance %u", i, dist);
        ck_assert_uint_eq(p2p_node_stake_in_contact(n), 100 * VALIDATORS);
        ck_assert_uint_eq(p2p_hub_events(h, i, PROTO_EV_PARTITION_SUSPECTED), 0);
    }
    ck_assert_int_eq(p2p_node_rtt_ns(p2p_hub_p2p(h, 5), 5), -1);
    hub_free(h);
}
END_TEST

/* Events recorded so far at every node: a mark to count from. */
static void mark_events(const p2p_hub *h, guint *marks)
{
    for (uint32_t i = 0; i < h->nodes; i++)
        marks[i] = h->node[i].events->len;
}

/* PEER_DISCONNECTED events since `marks` at node i (all nodes if i is
 * UINT32_MAX) about `from` (any if UINT32_MAX), for `reason` (any if
 * PROTO_P2P_REASON_COUNT). */
static uint32_t disconnects_since(const p2p_hub *h, const guint *marks, uint32_t at,
                                  proto_node_id from, proto_p2p_reason reason)
{
    uint32_t count = 0;
    for (uint32_t i = 0; i < h->nodes; i++) {
        if (at != UINT32_MAX && i != at)
            continue;
        const GArray *ev = h->node[i].events;
        for (guint k = marks[i]; k < ev->len; k++) {
            const proto_event *e = &g_array_index(ev, proto_event, k);
            count += e->kind == PROTO_EV_PEER_DISCONNECTED &&
                     (from == UINT32_MAX || e->from == from) &&
                     (reason == PROTO_P2P_REASON_COUNT || e->p2p_reason == reason);
        }
    }
    return count;
}

static uint32_t holders_of(const p2p_hub *h, proto_node_id id)
{
    uint32_t count = 0;
    for (uint32_t i = 0; i < h->nodes; i++)
        if (i != id && h->node[i].node != NULL && has_peer(h->node[i].node, id))
            count++;
    return count;
}

START_TEST(test_crashed_node_dropped)
{
    p2p_hub *h = hub_formed(3);
    const uint32_t victim = 9;
    uint32_t holders = holders_of(h, victim);
    ck_assert_uint_gt(holders, 0);
    guint marks[P2P_HUB_NODES_MAX];
    mark_events(h, marks);
    p2p_hub_crash(h, victim);
    int64_t crashed = h->now_ns;
    p2p_hub_run_until(h, crashed + h->params.ping_timeout_ns + h->params.heartbeat_ns);
    ck_assert_uint_eq(holders_of(h, victim), 0);
    /* Each former peer dropped it once, as unresponsive (none had pruned
     * it meanwhile: a crashed node answers nothing). */
    ck_assert_uint_eq(disconnects_since(h, marks, UINT32_MAX, victim, PROTO_P2P_REASON_COUNT),
                      holders);
    ck_assert_uint_eq(
        disconnects_since(h, marks, UINT32_MAX, victim, PROTO_P2P_REASON_UNRESPONSIVE), holders);
    ck_assert(p2p_hub_connected(h));
    /* A restart dials the peers it remembered and is back in the mesh. */
    p2p_hub_start(h, victim);
    p2p_hub_run_for(h, P2P_HUB_SEC(5));
    ck_assert_uint_ge(p2p_node_peers_count(p2p_hub_p2p(h, victim)), h->params.degree_low);
    ck_assert(p2p_hub_connected(h));
    ck_assert(p2p_hub_links_mutual(h));
    hub_free(h);
}
END_TEST

START_TEST(test_graceful_leave)
{
    p2p_hub *h = hub_formed(4);
    const uint32_t leaver = 12;
    uint32_t before = holders_of(h, leaver);
    ck_assert_uint_gt(before, 0);
    guint marks[P2P_HUB_NODES_MAX];
    mark_events(h, marks);
    p2p_node_leave(p2p_hub_p2p(h, leaver));
    ck_assert_uint_eq(p2p_node_peers_count(p2p_hub_p2p(h, leaver)), 0);
    p2p_hub_run_for(h, P2P_HUB_SEC(0.051)); /* one latency at most */
    ck_assert_uint_eq(holders_of(h, leaver), 0);
    ck_assert_uint_eq(
        disconnects_since(h, marks, UINT32_MAX, leaver, PROTO_P2P_REASON_GOODBYE), before);
    ck_assert_uint_eq(
        disconnects_since(h, marks, leaver, UINT32_MAX, PROTO_P2P_REASON_LEAVING), before);
    /* It stays silent: nobody peers with it again. */
    p2p_hub_run_for(h, P2P_HUB_SEC(10));
    ck_assert_uint_eq(holders_of(h, leaver), 0);
    ck_assert_uint_eq(p2p_node_peers_count(p2p_hub_p2p(h, leaver)), 0);
    hub_free(h);
}
END_TEST

START_TEST(test_unicast_to_non_peer_dials)
{
    p2p_hub *h = hub_formed(5);
    /* A full node and a node it does not peer with. */
    uint32_t a = VALIDATORS + 3, b = UINT32_MAX;
    for (uint32_t i = h->nodes; i-- > VALIDATORS;)
        if (i != a && !has_peer(p2p_hub_p2p(h, a), i))
            b = i;
    ck_assert_uint_ne(b, UINT32_MAX);
    GBytes *m1 = p2p_hub_payload(PROTO_MSG_GET_BLOCKS, 1, 20);
    GBytes *m2 = p2p_hub_payload(PROTO_MSG_GET_BLOCKS, 2, 20);
    const proto_env *env = p2p_hub_inner_env(h, a);
    env->send(env->ctx, b, m1);
    env->send(env->ctx, b, m2);
    p2p_hub_run_for(h, P2P_HUB_SEC(0.5));
    p2p_id id1, id2;
    p2p_id_of(&id1, g_bytes_get_data(m1, NULL), 20);
    p2p_id_of(&id2, g_bytes_get_data(m2, NULL), 20);
    ck_assert_uint_eq(p2p_hub_received(h, b, &id1), 1);
    ck_assert_uint_eq(p2p_hub_received(h, b, &id2), 1);
    /* In order, from a. */
    const GArray *rx = h->node[b].received;
    const p2p_hub_rx *last = &g_array_index(rx, p2p_hub_rx, rx->len - 1);
    ck_assert(p2p_id_equal(&last->id, &id2));
    ck_assert_uint_eq(last->from, a);
    ck_assert(has_peer(p2p_hub_p2p(h, a), b));
    ck_assert_uint_eq(p2p_node_stats(p2p_hub_p2p(h, a))->no_route, 0);
    /* A crashed target: the message is dropped and counted. */
    uint32_t c = UINT32_MAX;
    for (uint32_t i = h->nodes; i-- > VALIDATORS;)
        if (i != a && !has_peer(p2p_hub_p2p(h, a), i))
            c = i;
    ck_assert_uint_ne(c, UINT32_MAX);
    p2p_hub_crash(h, c);
    env->send(env->ctx, c, m1);
    p2p_hub_run_for(h, P2P_HUB_SEC(4));
    ck_assert_uint_eq(p2p_node_stats(p2p_hub_p2p(h, a))->no_route, 1);
    g_bytes_unref(m1);
    g_bytes_unref(m2);
    hub_free(h);
}
END_TEST

/* Unicasts sent before start wait for start's dials. */
START_TEST(test_send_before_start)
{
    p2p_hub *h = g_new0(p2p_hub, 1);
    p2p_hub_init(h, 6, VALIDATORS, FULL, DEGREE);
    for (uint32_t i = 0; i < h->nodes; i++)
        if (i != 20)
            p2p_hub_start(h, i);
    p2p_hub_run_until(h, P2P_HUB_SEC(10));
    p2p_hub_create(h, 20);
    GBytes *m = p2p_hub_payload(PROTO_MSG_STATUS, 1, 17);
    const proto_env *env = p2p_hub_inner_env(h, 20);
    env->send(env->ctx, 27, m);
    p2p_hub_run_for(h, P2P_HUB_SEC(1));
    p2p_id id;
    p2p_id_of(&id, g_bytes_get_data(m, NULL), 17);
    ck_assert_uint_eq(p2p_hub_received(h, 27, &id), 0); /* nothing moves before start */
    p2p_node_start(p2p_hub_p2p(h, 20));
    p2p_hub_run_for(h, P2P_HUB_SEC(1));
    ck_assert_uint_eq(p2p_hub_received(h, 27, &id), 1);
    ck_assert(has_peer(p2p_hub_p2p(h, 20), 27));
    g_bytes_unref(m);
    hub_free(h);
}
END_TEST

START_TEST(test_same_seed_same_trace)
{
    uint64_t traces[3];
    uint64_t seeds[3] = {7, 7, 8};
    for (int r = 0; r < 3; r++) {
        p2p_hub *h = hub_formed(seeds[r]);
        p2p_hub_crash(h, 20);
        GBytes *m = p2p_hub_payload(PROTO_MSG_PBFT_DECIDED, 3, 9000);
        const proto_env *env = p2p_hub_inner_env(h, 2);
        env->broadcast(env->ctx, PROTO_SCOPE_ALL, m);
        g_bytes_unref(m);
        p2p_hub_run_for(h, P2P_HUB_SEC(10));
        traces[r] = h->trace;
        ck_assert_uint_gt(h->delivered, 1000);
        hub_free(h);
    }
    ck_assert_uint_eq(traces[0], traces[1]);
    ck_assert_uint_ne(traces[0], traces[2]);
}
END_TEST

static Suite *p2p_mesh_suite(void)
{
    Suite *s = suite_create("p2p_mesh");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_mesh_forms_from_bootstrap);
    tcase_add_test(tc, test_degree_bounds_enforced);
    tcase_add_test(tc, test_rtt_and_distance_measured);
    tcase_add_test(tc, test_crashed_node_dropped);
    tcase_add_test(tc, test_graceful_leave);
    tcase_add_test(tc, test_unicast_to_non_peer_dials);
    tcase_add_test(tc, test_send_before_start);
    tcase_add_test(tc, test_same_seed_same_trace);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(p2p_mesh_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
