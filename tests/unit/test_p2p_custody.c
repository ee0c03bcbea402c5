/* Unit tests for custody (protocol/p2p/p2p_custody.c) on the
 * deterministic hub: 4 validators and 26 full nodes, mesh formed from
 * bootstrap.
 *
 * A full node whose best routes towards the validators crash at once
 * (scenarios/regression/r05's 30% failure, seen from one node): what it
 * gave them as they went down reaches every live validator anyway,
 * through its one surviving peer, once that peer is the only one still
 * answering pings; what it broadcasts after noticing goes there at once.
 * Without custody both messages died at the crashed routes. A pruned
 * peer (alive) costs no re-route, and custody empties within its window. */
#include <check.h>

#include "protocol/core/msgtype.h"
#include "protocol/p2p/p2p.h"
#include "support/p2p_hub.h"

#define VALIDATORS 4
#define FULL 26

static p2p_hub *hub_formed(uint64_t seed)
{
    return p2p_hub_new_formed(seed, VALIDATORS, FULL, 8);
}

static p2p_id broadcast(p2p_hub *h, uint32_t at, GBytes *m)
{
    const proto_env *env = p2p_hub_inner_env(h, at);
    env->broadcast(env->ctx, PROTO_SCOPE_VALIDATORS, m);
    p2p_id id;
    gsize size = 0;
    const void *data = g_bytes_get_data(m, &size);
    p2p_id_of(&id, data, size);
    return id;
}

static uint32_t distance_of(const p2p_hub *h, uint32_t i)
{
    return p2p_node_validator_distance(p2p_hub_p2p(h, i));
}

/* A full node with at least three peers, and the one of them farthest
 * from the validators, provided at least two others are strictly nearer
 * (so the first two routes are never the survivor). */
static bool pick_origin(const p2p_hub *h, uint32_t *origin, proto_node_id *survivor)
{
    for (uint32_t at = VALIDATORS; at < h->nodes; at++) {
        proto_node_id peers[P2P_HUB_NODES_MAX];
        uint32_t count = p2p_node_peers(p2p_hub_p2p(h, at), peers, P2P_HUB_NODES_MAX);
        if (count < 3)
            continue;
        proto_node_id far = peers[0];
        for (uint32_t k = 1; k < count; k++)
            if (distance_of(h, peers[k]) > distance_of(h, far))
                far = peers[k];
        uint32_t nearer = 0;
        for (uint32_t k = 0; k < count; k++)
            nearer += distance_of(h, peers[k]) < distance_of(h, far);
        if (nearer >= 2 && distance_of(h, far) <= 2) {
            *origin = at;
            *survivor = far;
            return true;
        }
    }
    return false;
}

static void assert_live_validators_got(const p2p_hub *h, const p2p_id *id, const char *what)
{
    for (uint32_t v = 0; v < VALIDATORS; v++)
        if (h->node[v].node != NULL)
            ck_assert_msg(p2p_hub_received(h, v, id) == 1, "validator %u got the %s %u times",
                          v, what, p2p_hub_received(h, v, id));
}

START_TEST(test_routes_crash_message_rerouted)
{
    p2p_hub *h = hub_formed(21);
    uint32_t origin = 0;
    proto_node_id survivor = 0;
    ck_assert(pick_origin(h, &origin, &survivor));
    proto_node_id peers[P2P_HUB_NODES_MAX];
    uint32_t count = p2p_node_peers(p2p_hub_p2p(h, origin), peers, P2P_HUB_NODES_MAX);
    uint32_t crashed = 0;
    for (uint32_t k = 0; k < count; k++)
        if (peers[k] != survivor) {
            p2p_hub_crash(h, peers[k]);
            crashed++;
        }
    ck_assert_uint_ge(crashed, 2);
    /* Given to the crashed routes: nobody gets it for now. */
    GBytes *first = p2p_hub_payload(PROTO_MSG_TX, 1, 200);
    p2p_id first_id = broadcast(h, origin, first);
    p2p_hub_run_for(h, P2P_HUB_SEC(1));
    for (uint32_t v = 0; v < VALIDATORS; v++)
        ck_assert_uint_eq(p2p_hub_received(h, v, &first_id), 0);
    /* Silent after two heartbeats without a pong: re-routed, well before
     * the ping timeout (5 s) drops them. */
    p2p_hub_run_for(h, P2P_HUB_SEC(3));
    assert_live_validators_got(h, &first_id, "first message");
    ck_assert_uint_eq(p2p_node_custody_count(p2p_hub_p2p(h, origin)), 1);
    const p2p_stats *st = p2p_node_stats(p2p_hub_p2p(h, origin));
    ck_assert_uint_ge(st->gossip_rerouted, 1);
    ck_assert_uint_le(st->gossip_rerouted, 2);
    /* From now on the silent peers are no route: the next message goes to
     * the survivor at once, with nothing to re-route. */
    uint64_t rerouted = st->gossip_rerouted;
    GBytes *second = p2p_hub_payload(PROTO_MSG_TX, 2, 200);
    p2p_id second_id = broadcast(h, origin, second);
    p2p_hub_run_for(h, P2P_HUB_SEC(0.5));
    assert_live_validators_got(h, &second_id, "second message");
    ck_assert_uint_eq(p2p_node_stats(p2p_hub_p2p(h, origin))->gossip_rerouted, rerouted);
    /* Custody lasts a few heartbeats. */
    p2p_hub_run_for(h, P2P_HUB_SEC(5));
    ck_assert_uint_eq(p2p_node_custody_count(p2p_hub_p2p(h, origin)), 0);
    g_bytes_unref(first);
    g_bytes_unref(second);
    p2p_hub_free(h);
}
END_TEST

/* Every full node's custody stays within its window and bound while
 * traffic flows, and a healthy mesh re-routes nothing. */
START_TEST(test_custody_bounded_nothing_rerouted_when_healthy)
{
    p2p_hub *h = hub_formed(22);
    for (uint32_t round = 0; round < 20; round++) {
        for (uint32_t at = VALIDATORS; at < h->nodes; at += 3) {
            GBytes *m = p2p_hub_payload(PROTO_MSG_TX, 1000 * round + at, 200);
            broadcast(h, at, m);
            g_bytes_unref(m);
            p2p_hub_run_for(h, P2P_HUB_SEC(0.05));
        }
    }
    p2p_hub_run_for(h, P2P_HUB_SEC(0.5));
    for (uint32_t i = 0; i < h->nodes; i++) {
        const p2p_node *n = p2p_hub_p2p(h, i);
        ck_assert_uint_eq(p2p_node_stats(n)->gossip_rerouted, 0);
        if (i < VALIDATORS)
            ck_assert_uint_eq(p2p_node_custody_count(n), 0);
        else
            ck_assert_uint_le(p2p_node_custody_count(n), 20 * 10);
    }
    p2p_hub_run_for(h, P2P_HUB_SEC(6));
    for (uint32_t i = 0; i < h->nodes; i++)
        ck_assert_uint_eq(p2p_node_custody_count(p2p_hub_p2p(h, i)), 0);
    p2p_hub_free(h);
}
END_TEST

static Suite *p2p_custody_suite(void)
{
    Suite *s = suite_create("p2p_custody");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_routes_crash_message_rerouted);
    tcase_add_test(tc, test_custody_bounded_nothing_rerouted_when_healthy);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(p2p_custody_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
