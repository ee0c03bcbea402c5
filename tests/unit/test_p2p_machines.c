/* Unit tests for a validator identity on more than one machine
 * (p2p_params.extra_nodes: a backup, a stolen key, the simulator's Twins)
 * on the deterministic hub: 4 validators and 10 full nodes, the last full
 * node's address declared a second machine of validator 1.
 *
 * Such a machine is a validator to everyone: the validators (its sibling
 * included) keep links to it and it to them, validator-scope gossip from
 * any validator reaches it and what it sends reaches every validator and
 * no full node, and its heartbeats count as validator 1's. Without the
 * declaration the same node is a full node and validator-scope gossip
 * passes it by, which is what the declaration is for. */
#include <check.h>

#include "protocol/core/msgtype.h"
#include "protocol/p2p/p2p.h"
#include "support/p2p_hub.h"

#define VALIDATORS 4
#define FULL 10
#define TWIN (VALIDATORS + FULL - 1) /* node index of validator 1's second machine */
#define TWIN_OF 1u

static const proto_node_id twin_nodes[] = {TWIN};
static const uint32_t twin_validators[] = {TWIN_OF};

static p2p_hub *hub_formed(uint64_t seed, bool declared)
{
    p2p_hub *h = g_new0(p2p_hub, 1);
    p2p_hub_init(h, seed, VALIDATORS, FULL, 6);
    if (declared) {
        h->params.extra_nodes = twin_nodes;
        h->params.extra_validators = twin_validators;
        h->params.extras_count = 1;
    }
    p2p_hub_start_all(h);
    p2p_hub_run_until(h, P2P_HUB_SEC(20));
    return h;
}

static p2p_id broadcast(p2p_hub *h, uint32_t at, proto_scope scope, GBytes *m)
{
    const proto_env *env = p2p_hub_inner_env(h, at);
    env->broadcast(env->ctx, scope, m);
    gsize size = 0;
    const void *data = g_bytes_get_data(m, &size);
    p2p_id id;
    p2p_id_of(&id, data, size);
    return id;
}

START_TEST(test_second_machine_joins_the_clique)
{
    p2p_hub *h = hub_formed(71, true);
    for (uint32_t v = 0; v < VALIDATORS; v++) {
        ck_assert_msg(p2p_hub_node_has_peer(p2p_hub_p2p(h, v), TWIN), "v%u lacks the twin", v);
        ck_assert_msg(p2p_hub_node_has_peer(p2p_hub_p2p(h, TWIN), v), "the twin lacks v%u", v);
    }
    /* A validator is at distance 0 from itself: the twin is one. */
    ck_assert_uint_eq(p2p_node_validator_distance(p2p_hub_p2p(h, TWIN)), 0);
    /* Every node hears validator 1 (both machines beat for it). */
    for (uint32_t i = 0; i < h->nodes; i++)
        ck_assert_uint_eq(p2p_node_stake_in_contact(p2p_hub_p2p(h, i)), 100u * VALIDATORS);
    p2p_hub_free(h);
}
END_TEST

START_TEST(test_validator_gossip_reaches_both_machines)
{
    p2p_hub *h = hub_formed(72, true);
    GBytes *m = p2p_hub_payload(PROTO_MSG_PBFT_PREPARE, 7, 120);
    p2p_id id = broadcast(h, 0, PROTO_SCOPE_VALIDATORS, m);
    p2p_hub_run_for(h, P2P_HUB_SEC(2));
    for (uint32_t i = 1; i < h->nodes; i++) {
        guint want = i < VALIDATORS || i == TWIN ? 1u : 0u;
        ck_assert_msg(p2p_hub_received(h, i, &id) == want, "node %u got it %u times", i,
                      p2p_hub_received(h, i, &id));
    }
    g_bytes_unref(m);

    /* And what the second machine sends reaches every validator, its
     * sibling included, and no full node. */
    m = p2p_hub_payload(PROTO_MSG_PBFT_COMMIT, 8, 120);
    id = broadcast(h, TWIN, PROTO_SCOPE_VALIDATORS, m);
    p2p_hub_run_for(h, P2P_HUB_SEC(2));
    for (uint32_t i = 0; i < TWIN; i++) {
        guint want = i < VALIDATORS ? 1u : 0u;
        ck_assert_msg(p2p_hub_received(h, i, &id) == want, "node %u got it %u times", i,
                      p2p_hub_received(h, i, &id));
    }
    g_bytes_unref(m);
    p2p_hub_free(h);
}
END_TEST

START_TEST(test_undeclared_machine_is_a_full_node)
{
    p2p_hub *h = hub_formed(72, false);
    GBytes *m = p2p_hub_payload(PROTO_MSG_PBFT_PREPARE, 7, 120);
    p2p_id id = broadcast(h, 0, PROTO_SCOPE_VALIDATORS, m);
    p2p_hub_run_for(h, P2P_HUB_SEC(2));
    ck_assert_uint_eq(p2p_hub_received(h, TWIN, &id), 0);
    for (uint32_t v = 1; v < VALIDATORS; v++)
        ck_assert_uint_eq(p2p_hub_received(h, v, &id), 1);
    g_bytes_unref(m);
    p2p_hub_free(h);
}
END_TEST

START_TEST(test_second_machine_cut_off_alone)
{
    /* A partition that holds only the twin apart: the validators keep
     * hearing validator 1 (its first machine), and the twin, alone,
     * loses contact with the other three. */
    p2p_hub *h = hub_formed(73, true);
    uint32_t groups[P2P_HUB_NODES_MAX] = {0};
    groups[TWIN] = 1;
    p2p_hub_partition(h, groups);
    p2p_hub_run_for(h, P2P_HUB_SEC(30));
    for (uint32_t v = 0; v < VALIDATORS; v++)
        ck_assert_uint_eq(p2p_node_stake_in_contact(p2p_hub_p2p(h, v)), 100u * VALIDATORS);
    ck_assert_uint_eq(p2p_node_stake_in_contact(p2p_hub_p2p(h, TWIN)), 100u);
    ck_assert_uint_ge(p2p_hub_events(h, TWIN, PROTO_EV_PARTITION_SUSPECTED), 1);
    p2p_hub_free(h);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("p2p_machines");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_second_machine_joins_the_clique);
    tcase_add_test(tc, test_validator_gossip_reaches_both_machines);
    tcase_add_test(tc, test_undeclared_machine_is_a_full_node);
    tcase_add_test(tc, test_second_machine_cut_off_alone);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
