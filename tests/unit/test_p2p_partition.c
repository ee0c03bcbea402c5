/* Unit tests for partition detection (protocol/p2p/p2p_health.c) on the
 * deterministic hub: 6 validators of equal stake and 18 full nodes.
 *
 * Cut off with validators holding 1/3 of the stake, every node on the cut
 * side reports PARTITION_SUSPECTED (stake_seen 200 of 600) within
 * contact_timeout + a few heartbeats, the other side (which still hears
 * 2/3) reports nothing, and after the heal every suspecting node reports
 * PARTITION_HEALED and hears all the stake again, and the validator
 * clique is whole again. Split in halves, both
 * sides suspect. Without a partition nobody suspects anything. */
#include <check.h>

#include "protocol/p2p/p2p.h"
#include "support/p2p_hub.h"

#define VALIDATORS 6
#define FULL 18

static p2p_hub *hub_formed(uint64_t seed)
{
    return p2p_hub_new_formed(seed, VALIDATORS, FULL, 8);
}

static const proto_event *first_event(const p2p_hub *h, uint32_t i, proto_event_kind kind)
{
    const GArray *ev = h->node[i].events;
    for (guint k = 0; k < ev->len; k++)
        if (g_array_index(ev, proto_event, k).kind == kind)
            return &g_array_index(ev, proto_event, k);
    return NULL;
}

/* Run in steps of 100 ms until every node in `cut` reported `kind` (or
 * the deadline passes); returns the time it took. */
static int64_t run_until_reported(p2p_hub *h, const uint32_t *groups, uint32_t group,
                                  proto_event_kind kind, guint times, int64_t deadline_ns)
{
    int64_t start = h->now_ns;
    while (h->now_ns - start < deadline_ns) {
        p2p_hub_run_for(h, P2P_HUB_SEC(0.1));
        bool all = true;
        for (uint32_t i = 0; i < h->nodes; i++)
            if (groups[i] == group && p2p_hub_events(h, i, kind) < times)
                all = false;
        if (all)
            break;
    }
    return h->now_ns - start;
}

START_TEST(test_quiet_without_partition)
{
    p2p_hub *h = hub_formed(31);
    p2p_hub_run_for(h, P2P_HUB_SEC(60));
    for (uint32_t i = 0; i < h->nodes; i++) {
        ck_assert_uint_eq(p2p_hub_events(h, i, PROTO_EV_PARTITION_SUSPECTED), 0);
        ck_assert_uint_eq(p2p_node_stake_in_contact(p2p_hub_p2p(h, i)), 600);
    }
    p2p_hub_free(h);
}
END_TEST

START_TEST(test_third_cut_off_suspects_and_heals)
{
    p2p_hub *h = hub_formed(32);
    uint32_t groups[P2P_HUB_NODES_MAX] = {0};
    groups[4] = groups[5] = 1; /* 1/3 of the stake */
    for (uint32_t i = VALIDATORS + 12; i < h->nodes; i++)
        groups[i] = 1;
    p2p_hub_partition(h, groups);
    const p2p_params *p = &h->params;
    int64_t bound = p->contact_timeout_ns + 3 * p->heartbeat_ns;
    int64_t took = run_until_reported(h, groups, 1, PROTO_EV_PARTITION_SUSPECTED, 1, bound);
    ck_assert_msg(took < bound, "cut side not all suspecting after %lld ns", (long long)took);
    /* Not before the counters heard last (a few hops old) time out. */
    ck_assert_msg(took >= p->contact_timeout_ns - 5 * p->heartbeat_ns, "suspected after %lld ns",
                  (long long)took);
    for (uint32_t i = 0; i < h->nodes; i++) {
        const proto_event *e = first_event(h, i, PROTO_EV_PARTITION_SUSPECTED);
        if (groups[i] == 0) {
            ck_assert_msg(e == NULL, "node %u on the 2/3 side suspected", i);
            continue;
        }
        /* Under 2/3 (the other side's counters expire one by one). */
        ck_assert_uint_ge(e->stake_seen, 200);
        ck_assert_uint_lt(e->stake_seen, 400);
        ck_assert_uint_eq(e->stake_total, 600);
        ck_assert_uint_eq(e->node, i);
    }
    /* It stays suspected while cut (one report, not one per heartbeat). */
    p2p_hub_run_for(h, P2P_HUB_SEC(20));
    for (uint32_t i = 0; i < h->nodes; i++) {
        ck_assert_uint_eq(p2p_hub_events(h, i, PROTO_EV_PARTITION_SUSPECTED), groups[i]);
        ck_assert_uint_eq(p2p_node_stake_in_contact(p2p_hub_p2p(h, i)), groups[i] ? 200 : 400);
    }

    p2p_hub_heal(h);
    took = run_until_reported(h, groups, 1, PROTO_EV_PARTITION_HEALED, 1, P2P_HUB_SEC(30));
    ck_assert_msg(took < P2P_HUB_SEC(30), "not all healed after %lld ns", (long long)took);
    p2p_hub_run_for(h, P2P_HUB_SEC(10));
    for (uint32_t i = 0; i < h->nodes; i++) {
        ck_assert_uint_eq(p2p_hub_events(h, i, PROTO_EV_PARTITION_HEALED), groups[i]);
        ck_assert_uint_eq(p2p_node_stake_in_contact(p2p_hub_p2p(h, i)), 600);
        if (groups[i] == 1)
            ck_assert_uint_ge(first_event(h, i, PROTO_EV_PARTITION_HEALED)->stake_seen, 400);
    }
    ck_assert(p2p_hub_connected(h));
    /* The validators re-dialed each other: the clique is whole again. */
    for (uint32_t a = 0; a < VALIDATORS; a++)
        for (uint32_t b = 0; b < VALIDATORS; b++)
            if (a != b)
                ck_assert(p2p_hub_node_has_peer(p2p_hub_p2p(h, a), b));
    p2p_hub_free(h);
}
END_TEST

START_TEST(test_halves_both_suspect)
{
    p2p_hub *h = hub_formed(33);
    uint32_t groups[P2P_HUB_NODES_MAX] = {0};
    for (uint32_t i = 0; i < h->nodes; i++)
        groups[i] = i % 2; /* validators 1, 3, 5 and half the full nodes */
    p2p_hub_partition(h, groups);
    int64_t bound = h->params.contact_timeout_ns + 3 * h->params.heartbeat_ns;
    p2p_hub_run_for(h, bound);
    for (uint32_t i = 0; i < h->nodes; i++) {
        const proto_event *e = first_event(h, i, PROTO_EV_PARTITION_SUSPECTED);
        ck_assert_msg(e != NULL, "node %u did not suspect", i);
        ck_assert_uint_lt(e->stake_seen, 400);
        ck_assert_uint_eq(p2p_node_stake_in_contact(p2p_hub_p2p(h, i)), 300);
    }
    p2p_hub_heal(h);
    p2p_hub_run_for(h, P2P_HUB_SEC(30));
    for (uint32_t i = 0; i < h->nodes; i++)
        ck_assert_uint_eq(p2p_hub_events(h, i, PROTO_EV_PARTITION_HEALED), 1);
    p2p_hub_free(h);
}
END_TEST

static Suite *p2p_partition_suite(void)
{
    Suite *s = suite_create("p2p_partition");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_quiet_without_partition);
    tcase_add_test(tc, test_third_cut_off_suspects_and_heals);
    tcase_add_test(tc, test_halves_both_suspect);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(p2p_partition_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
