/* Unit tests for P2P gossip (protocol/p2p/p2p_gossip.c) on the
 * deterministic hub: 4 validators and 26 full nodes, mesh formed from
 * bootstrap.
 *
 * broadcast(ALL) reaches every live node's consensus node exactly once,
 * as exactly the bytes broadcast: small messages by push only (no IHAVE),
 * large ones lazily (IHAVE and IWANT used and served). broadcast
 * (VALIDATORS) from a full node reaches every validator, from a validator
 * it reaches the validators and no full node. A payload the consensus
 * node rejects is not relayed beyond the first hop and costs its sender
 * score; a re-broadcast is not handed to anyone twice, and a consensus
 * node re-broadcasting the message it is being handed adds no traffic.
 * Broadcasts made before a node has any peer (the first milliseconds of
 * a run) are held and delivered once the mesh forms, and gossip that a
 * peer sent just before the link ended is still taken in, as is gossip
 * from a node we dialled that arrives before its HELLO accepting us. */
#include <check.h>

#include "protocol/core/msgtype.h"
#include "protocol/p2p/p2p.h"
#include "protocol/p2p/p2p_internal.h"
#include "support/p2p_hub.h"

#define VALIDATORS 4
#define FULL 26

static p2p_hub *hub_formed(uint64_t seed)
{
    return p2p_hub_new_formed(seed, VALIDATORS, FULL, 8);
}

static p2p_id broadcast(p2p_hub *h, uint32_t at, proto_scope scope, GBytes *m)
{
    const proto_env *env = p2p_hub_inner_env(h, at);
    env->broadcast(env->ctx, scope, m);
    p2p_id id;
    gsize size = 0;
    const void *data = g_bytes_get_data(m, &size);
    p2p_id_of(&id, data, size);
    return id;
}

static uint64_t stat_sum(const p2p_hub *h, size_t offset)
{
    uint64_t sum = 0;
    for (uint32_t i = 0; i < h->nodes; i++)
        if (h->node[i].node != NULL)
            sum += *(const uint64_t *)(const void *)((const char *)p2p_node_stats(
                                                         h->node[i].node) + offset);
    return sum;
}

#define STAT(h, field) stat_sum(h, G_STRUCT_OFFSET(p2p_stats, field))

/* Every live node but `origin` received id exactly once, with `size`
 * bytes. */
static void assert_everyone_once(const p2p_hub *h, uint32_t origin, const p2p_id *id,
                                 uint32_t size)
{
    for (uint32_t i = 0; i < h->nodes; i++) {
        if (h->node[i].node == NULL)
            continue;
        guint got = p2p_hub_received(h, i, id);
        ck_assert_msg(got == (i == origin ? 0u : 1u), "node %u got it %u times", i, got);
        const GArray *rx = h->node[i].received;
        for (guint k = 0; k < rx->len; k++) {
            const p2p_hub_rx *r = &g_array_index(rx, p2p_hub_rx, k);
            if (p2p_id_equal(&r->id, id))
                ck_assert_uint_eq(r->size, size);
        }
    }
}

START_TEST(test_small_broadcast_reaches_all_once)
{
    p2p_hub *h = hub_formed(11);
    p2p_hub_crash(h, 17);
    p2p_hub_run_for(h, P2P_HUB_SEC(8)); /* its peers drop it */
    GBytes *m = p2p_hub_payload(PROTO_MSG_TX, 1, 300);
    p2p_id id = broadcast(h, 9, PROTO_SCOPE_ALL, m);
    p2p_hub_run_for(h, P2P_HUB_SEC(2));
    assert_everyone_once(h, 9, &id, 300);
    ck_assert_uint_eq(STAT(h, ihave_sent), 0);
    ck_assert_uint_eq(STAT(h, gossip_first), h->nodes - 2);
    ck_assert_uint_gt(STAT(h, gossip_duplicate), 0);
    ck_assert_uint_eq(STAT(h, gossip_invalid), 0);
    /* Broadcast again (a node re-sending after a partition): it goes out,
     * nobody hands it to its consensus node again. */
    broadcast(h, 9, PROTO_SCOPE_ALL, m);
    p2p_hub_run_for(h, P2P_HUB_SEC(2));
    assert_everyone_once(h, 9, &id, 300);
    g_bytes_unref(m);
    p2p_hub_free(h);
}
END_TEST

START_TEST(test_large_broadcast_lazy)
{
    p2p_hub *h = hub_formed(12);
    const uint32_t sizes[] = {h->params.lazy_bytes_min, 200000};
    for (uint32_t k = 0; k < 2; k++) {
        uint64_t ihave = STAT(h, ihave_sent), iwant = STAT(h, iwant_sent);
        uint64_t served = STAT(h, iwant_served);
        GBytes *m = p2p_hub_payload(PROTO_MSG_PBFT_DECIDED, 100 + k, sizes[k]);
        uint32_t origin = k == 0 ? 2 : 21;
        p2p_id id = broadcast(h, origin, PROTO_SCOPE_ALL, m);
        p2p_hub_run_for(h, P2P_HUB_SEC(3));
        assert_everyone_once(h, origin, &id, sizes[k]);
        ck_assert_uint_gt(STAT(h, ihave_sent), ihave);
        ck_assert_uint_gt(STAT(h, iwant_sent), iwant);
        ck_assert_uint_eq(STAT(h, iwant_served) - served, STAT(h, iwant_sent) - iwant);
        g_bytes_unref(m);
    }
    /* One byte under the threshold: pushed only. */
    uint64_t ihave = STAT(h, ihave_sent);
    GBytes *m = p2p_hub_payload(PROTO_MSG_PBFT_DECIDED, 7, h->params.lazy_bytes_min - 1);
    p2p_id id = broadcast(h, 5, PROTO_SCOPE_ALL, m);
    p2p_hub_run_for(h, P2P_HUB_SEC(2));
    assert_everyone_once(h, 5, &id, h->params.lazy_bytes_min - 1);
    ck_assert_uint_eq(STAT(h, ihave_sent), ihave);
    g_bytes_unref(m);
    p2p_hub_free(h);
}
END_TEST

START_TEST(test_validators_scope)
{
    p2p_hub *h = hub_formed(13);
    /* From a full node: every validator, once. */
    for (uint32_t origin = VALIDATORS; origin < h->nodes; origin += 5) {
        GBytes *m = p2p_hub_payload(PROTO_MSG_TX, origin, 250);
        p2p_id id = broadcast(h, origin, PROTO_SCOPE_VALIDATORS, m);
        p2p_hub_run_for(h, P2P_HUB_SEC(1));
        uint32_t full_got = 0;
        for (uint32_t i = 0; i < h->nodes; i++) {
            guint got = p2p_hub_received(h, i, &id);
            ck_assert_uint_le(got, 1);
            if (i < VALIDATORS)
                ck_assert_msg(got == 1, "validator %u missed a tx from %u", i, origin);
            else
                full_got += got;
        }
        /* Routed, not flooded: relays only go down the distance gradient,
         * two paths at most per hop. */
        uint32_t dist = p2p_node_validator_distance(p2p_hub_p2p(h, origin));
        ck_assert_uint_ge(dist, 1);
        ck_assert_uint_le(full_got, 2 * dist);
        g_bytes_unref(m);
    }
    /* From a validator: the validators only. */
    GBytes *m = p2p_hub_payload(PROTO_MSG_PBFT_EVIDENCE, 1, 500);
    p2p_id id = broadcast(h, 1, PROTO_SCOPE_VALIDATORS, m);
    p2p_hub_run_for(h, P2P_HUB_SEC(1));
    for (uint32_t i = 0; i < h->nodes; i++)
        ck_assert_uint_eq(p2p_hub_received(h, i, &id), i < VALIDATORS && i != 1);
    g_bytes_unref(m);
    p2p_hub_free(h);
}
END_TEST

START_TEST(test_invalid_not_forwarded)
{
    p2p_hub *h = hub_formed(14);
    const uint32_t sender = 15;
    proto_node_id peers[P2P_HUB_NODES_MAX];
    uint32_t count = p2p_node_peers(p2p_hub_p2p(h, sender), peers, P2P_HUB_NODES_MAX);
    ck_assert_uint_gt(count, 0);
    GBytes *bad = p2p_hub_payload(P2P_HUB_BAD, 1, 200);
    p2p_id id = broadcast(h, sender, PROTO_SCOPE_ALL, bad);
    p2p_hub_run_for(h, P2P_HUB_SEC(0.2)); /* less than a heartbeat: no decay yet */
    bool is_peer[P2P_HUB_NODES_MAX] = {false};
    for (uint32_t k = 0; k < count; k++)
        is_peer[peers[k]] = true;
    for (uint32_t i = 0; i < h->nodes; i++) {
        ck_assert_msg(p2p_hub_received(h, i, &id) == is_peer[i], "node %u", i);
        if (is_peer[i]) {
            ck_assert_uint_eq(p2p_node_stats(h->node[i].node)->gossip_invalid, 1);
            ck_assert_int_lt(p2p_node_peer_score(h->node[i].node, sender), 0);
        }
    }
    ck_assert_uint_eq(STAT(h, gossip_invalid), count);
    ck_assert_uint_eq(STAT(h, bans), 0); /* one bad message is no reason to ban */
    /* The sender's good messages still flow. */
    GBytes *good = p2p_hub_payload(PROTO_MSG_TX, 2, 200);
    p2p_id gid = broadcast(h, sender, PROTO_SCOPE_ALL, good);
    p2p_hub_run_for(h, P2P_HUB_SEC(2));
    assert_everyone_once(h, sender, &gid, 200);
    g_bytes_unref(bad);
    g_bytes_unref(good);
    p2p_hub_free(h);
}
END_TEST

/* A consensus node that re-broadcasts each message it is handed costs
 * nothing extra: the relay forwards it once. */
START_TEST(test_rebroadcast_while_handled_not_doubled)
{
    uint64_t delivered[2];
    for (int echo = 0; echo < 2; echo++) {
        p2p_hub *h = hub_formed(15);
        h->echo = echo;
        uint64_t before = h->delivered;
        GBytes *m = p2p_hub_payload(PROTO_MSG_TX, 9, 300);
        p2p_id id = broadcast(h, 8, PROTO_SCOPE_ALL, m);
        p2p_hub_run_for(h, P2P_HUB_SEC(0.5)); /* under a heartbeat: gossip only */
        assert_everyone_once(h, 8, &id, 300);
        delivered[echo] = h->delivered - before;
        g_bytes_unref(m);
        p2p_hub_free(h);
    }
    ck_assert_uint_gt(delivered[0], 0);
    ck_assert_uint_eq(delivered[0], delivered[1]);
}
END_TEST

/* Every node broadcasts to the validators at time 0, before any HELLO is
 * answered: every validator gets every message once. */
START_TEST(test_broadcast_before_peers_held)
{
    p2p_hub *h = g_new0(p2p_hub, 1);
    p2p_hub_init(h, 16, VALIDATORS, FULL, 8);
    p2p_hub_start_all(h);
    p2p_id to_validators[VALIDATORS + FULL];
    for (uint32_t i = 0; i < h->nodes; i++) {
        GBytes *m = p2p_hub_payload(PROTO_MSG_TX, 100 + i, 200);
        to_validators[i] = broadcast(h, i, PROTO_SCOPE_VALIDATORS, m);
        g_bytes_unref(m);
    }
    GBytes *all = p2p_hub_payload(PROTO_MSG_PBFT_DECIDED, 7, 300);
    p2p_id all_id = broadcast(h, 20, PROTO_SCOPE_ALL, all);
    ck_assert_uint_eq(h->delivered, 0);
    ck_assert_uint_eq(STAT(h, held), h->nodes + 1);
    p2p_hub_run_until(h, P2P_HUB_SEC(10));
    for (uint32_t origin = 0; origin < h->nodes; origin++)
        for (uint32_t v = 0; v < VALIDATORS; v++)
            ck_assert_msg(p2p_hub_received(h, v, &to_validators[origin]) == (v != origin),
                          "validator %u got %u's message %u times", v, origin,
                          p2p_hub_received(h, v, &to_validators[origin]));
    /* A flood started while the mesh is forming reaches the nodes linked
     * by then (the rest catch up by sync): not lost, never doubled. */
    uint32_t reached = 0;
    for (uint32_t i = 0; i < h->nodes; i++) {
        ck_assert_uint_le(p2p_hub_received(h, i, &all_id), 1);
        reached += p2p_hub_received(h, i, &all_id);
    }
    ck_assert_uint_ge(reached, 1);
    ck_assert_uint_eq(STAT(h, no_route), 0);
    g_bytes_unref(all);
    p2p_hub_free(h);
}
END_TEST

/* A peer says GOODBYE and its gossip, sent before, arrives after: taken
 * in and relayed. A heartbeat later the link is gone for good. */
START_TEST(test_gossip_in_flight_at_goodbye_taken)
{
    p2p_hub *h = hub_formed(17);
    const uint32_t at = 12;
    proto_node_id peers[P2P_HUB_NODES_MAX];
    uint32_t count = p2p_node_peers(p2p_hub_p2p(h, at), peers, P2P_HUB_NODES_MAX);
    ck_assert_uint_ge(count, 2);
    proto_node_id gone = peers[0];
    p2p_goodbye bye = {.code = P2P_BYE_PRUNE};
    GBytes *wire = p2p_goodbye_encode(&bye);
    p2p_hub_inject(h, gone, at, wire);
    g_bytes_unref(wire);
    ck_assert(!p2p_hub_node_has_peer(p2p_hub_p2p(h, at), gone));

    GBytes *m = p2p_hub_payload(PROTO_MSG_TX, 77, 200);
    GBytes *late = p2p_gossip_encode(PROTO_SCOPE_ALL, m);
    p2p_id id;
    gsize size = 0;
    const void *data = g_bytes_get_data(m, &size);
    p2p_id_of(&id, data, size);
    p2p_hub_inject(h, gone, at, late);
    ck_assert_uint_eq(p2p_hub_received(h, at, &id), 1);
    p2p_hub_run_for(h, P2P_HUB_SEC(0.5));
    for (uint32_t k = 1; k < count; k++) /* relayed to its other peers */
        ck_assert_uint_ge(p2p_hub_received(h, peers[k], &id), 1);

    p2p_hub_run_for(h, P2P_HUB_SEC(2));
    if (!p2p_hub_node_has_peer(p2p_hub_p2p(h, at), gone)) {
        uint64_t dropped = p2p_node_stats(p2p_hub_p2p(h, at))->dropped_not_peer;
        GBytes *m2 = p2p_hub_payload(PROTO_MSG_TX, 78, 200);
        GBytes *later = p2p_gossip_encode(PROTO_SCOPE_ALL, m2);
        p2p_hub_inject(h, gone, at, later);
        ck_assert_uint_eq(p2p_node_stats(p2p_hub_p2p(h, at))->dropped_not_peer, dropped + 1);
        g_bytes_unref(m2);
        g_bytes_unref(later);
    }
    g_bytes_unref(m);
    g_bytes_unref(late);
    p2p_hub_free(h);
}
END_TEST

/* A restarted node dials its bootstrap peers; one accepts at once and
 * sends gossip that overtakes its HELLO (links do not keep order). The
 * gossip waits for the HELLO and is then taken in; a dial that fails
 * drops what came early. */
START_TEST(test_gossip_before_hello_taken)
{
    p2p_hub *h = hub_formed(18);
    const uint32_t at = 12, dialled = 0;
    p2p_hub_crash(h, at);
    p2p_hub_run_for(h, P2P_HUB_SEC(8));
    p2p_hub_start(h, at);
    ck_assert(p2p_dial_find(p2p_hub_p2p(h, at), dialled) != NULL);
    ck_assert(!p2p_hub_node_has_peer(p2p_hub_p2p(h, at), dialled));
    GBytes *m = p2p_hub_payload(PROTO_MSG_TX, 91, 200);
    GBytes *early = p2p_gossip_encode(PROTO_SCOPE_VALIDATORS, m);
    p2p_id id;
    gsize size = 0;
    const void *data = g_bytes_get_data(m, &size);
    p2p_id_of(&id, data, size);
    uint64_t dropped = p2p_node_stats(p2p_hub_p2p(h, at))->dropped_not_peer;
    p2p_hub_inject(h, dialled, at, early);
    ck_assert_uint_eq(p2p_hub_received(h, at, &id), 0);
    p2p_hub_run_for(h, P2P_HUB_SEC(1));
    ck_assert(p2p_hub_node_has_peer(p2p_hub_p2p(h, at), dialled));
    ck_assert_uint_eq(p2p_hub_received(h, at, &id), 1);
    ck_assert_uint_eq(p2p_node_stats(p2p_hub_p2p(h, at))->dropped_not_peer, dropped);
    g_bytes_unref(m);
    g_bytes_unref(early);
    p2p_hub_free(h);
}
END_TEST

static Suite *p2p_gossip_suite(void)
{
    Suite *s = suite_create("p2p_gossip");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_small_broadcast_reaches_all_once);
    tcase_add_test(tc, test_large_broadcast_lazy);
    tcase_add_test(tc, test_validators_scope);
    tcase_add_test(tc, test_invalid_not_forwarded);
    tcase_add_test(tc, test_rebroadcast_while_handled_not_doubled);
    tcase_add_test(tc, test_broadcast_before_peers_held);
    tcase_add_test(tc, test_gossip_in_flight_at_goodbye_taken);
    tcase_add_test(tc, test_gossip_before_hello_taken);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(p2p_gossip_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
