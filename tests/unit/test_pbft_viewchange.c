/* PBFT view changes over blocks that are already decided somewhere.
 *
 * Real nodes on the zero-latency hub (tests/unit/support/pbft_hub.c), 4
 * validators (f = 1, quorum 3) and one full node, round-robin proposers
 * (height h in round r, view v = r + the view of block h - 1: validator
 * (h - 1 + r) mod 4; here block 1 is always proposed in view 0). Message filters shape who
 * saw which vote, as a lossy network would:
 *   - a block committed by one replica only, whose COMMITs the others
 *     never got: the new view must not let its primary propose a different
 *     block at that height (the new view's commit certificate C* fixes it);
 *   - a block prepared by a quorum whose COMMITs were all lost: O must
 *     carry it, and the new view commits that same block;
 *   - a replica that ran ahead in views alone behind a one-way cut (it
 *     heard the others, they did not hear it) is caught up with after the
 *     heal, although it alone is no f+1. */
#include <check.h>

#include "protocol/core/msgtype.h"
#include "protocol/pbft/pbft_msg.h"
#include "support/pbft_hub.h"

static pbft_hub H;

static void setup(void)
{
    hub_init(&H, 4, 1, 5);
}

static void teardown(void)
{
    hub_clear(&H);
}

/* The COMMIT votes for `height`, if wire is one. */
static bool is_commit_for(GBytes *wire, uint64_t height)
{
    pbft_vote v;
    return pbft_msg_type(wire) == PROTO_MSG_PBFT_COMMIT && pbft_msg_vote_decode(wire, &v) &&
           v.seq == height;
}

/* Hash of the block node i committed at `height`. */
static proto_hash committed_hash(uint32_t i, uint64_t height)
{
    proto_hash out;
    ck_assert_msg(pbft_node_committed_hash(H.node[i], height, &out),
                  "node %u never committed height %" G_GUINT64_FORMAT, i, height);
    return out;
}

/* Height 2 (proposer v1 in view 0) commits at v3 alone: the COMMITs of
 * height 2 reach v3 and nobody else. v0's VIEW-CHANGE never reaches the
 * leader of view 1 (v1), so V = {v1, v2, v3} and C* = 2 from v3, while
 * the primary of (2, view 1), v2, has not committed height 2. Catch-up
 * from v3 is slow (its block replies are lost for a while), so the others
 * are still at height 1 when view 1 begins. */
static bool only_v3_commits_height_2(pbft_hub *h, proto_node_id from, proto_node_id to,
                                     GBytes *wire)
{
    (void)h;
    uint8_t type = pbft_msg_type(wire);
    if (is_commit_for(wire, 2) && to != 3)
        return true;
    if (type == PROTO_MSG_BLOCKS && from == 3)
        return true;
    return type == PROTO_MSG_PBFT_VIEWCHANGE && from == 0 && to == 1;
}

START_TEST(block_committed_by_one_replica_survives_the_view_change)
{
    hub_run_until(&H, HUB_SEC(1.5));
    ck_assert_uint_eq(hub_committed(&H, 0), 1);
    H.filter = only_v3_commits_height_2;
    hub_run_until(&H, HUB_SEC(2.5));
    ck_assert_uint_eq(hub_committed(&H, 3), 2);
    ck_assert_uint_eq(hub_committed(&H, 2), 1);
    proto_hash decided = committed_hash(3, 2);
    hub_run_until(&H, HUB_SEC(8));
    H.filter = NULL;
    hub_run_until(&H, HUB_SEC(16));
    for (uint32_t v = 0; v < 4; v++) {
        ck_assert_uint_ge(pbft_node_view(H.node[v]), 1);
        ck_assert_uint_ge(hub_committed(&H, v), 4);
        proto_hash h2 = committed_hash(v, 2);
        ck_assert_msg(proto_hash_equal(&h2, &decided), "v%u committed another block 2", v);
    }
    /* v2, primary of (2, view 1), never proposed height 2: the new view
     * fixed it. */
    GArray *ev = H.env[2].events;
    for (guint k = 0; k < ev->len; k++) {
        const proto_event *e = &g_array_index(ev, proto_event, k);
        ck_assert(!(e->kind == PROTO_EV_BLOCK_PROPOSED && e->height == 2));
    }
    hub_assert_agreement(&H);
}
END_TEST

/* Every COMMIT of height 2 is lost: a quorum prepared v1's block (its
 * pre-prepare and two PREPAREs: the prepared certificates carry the
 * pre-prepare), nobody committed it. The block itself is kept from its
 * PRE-PREPARE. */
static GBytes *proposed_block2;

static bool no_commits_for_height_2(pbft_hub *h, proto_node_id from, proto_node_id to,
                                    GBytes *wire)
{
    (void)h;
    (void)to;
    if (from == 1 && proposed_block2 == NULL)
        proposed_block2 = hub_preprepare_block(wire, 2);
    return is_commit_for(wire, 2);
}

START_TEST(block_prepared_by_a_quorum_is_carried_into_the_new_view)
{
    hub_run_until(&H, HUB_SEC(1.5));
    proposed_block2 = NULL;
    H.filter = no_commits_for_height_2;
    hub_run_until(&H, HUB_SEC(2.5));
    for (uint32_t v = 0; v < 4; v++)
        ck_assert_uint_eq(hub_committed(&H, v), 1);
    ck_assert_ptr_nonnull(proposed_block2);
    proto_block *b = proto_block_decode_all(g_bytes_get_data(proposed_block2, NULL),
                                            g_bytes_get_size(proposed_block2), UINT32_MAX);
    ck_assert_ptr_nonnull(b);
    hub_run_until(&H, HUB_SEC(6));
    H.filter = NULL;
    hub_run_until(&H, HUB_SEC(16));
    for (uint32_t v = 0; v < 4; v++) {
        ck_assert_uint_ge(pbft_node_view(H.node[v]), 1);
        ck_assert_uint_ge(hub_committed(&H, v), 4);
        proto_hash h2 = committed_hash(v, 2);
        ck_assert_msg(proto_hash_equal(&h2, &b->hash), "v%u lost the prepared block", v);
    }
    hub_assert_agreement(&H);
    proto_block_free(b);
    g_bytes_unref(proposed_block2);
}
END_TEST

/* v1's messages to v0 and v2 are lost (v3 is down): v1 hears them, they
 * do not hear it. */
static bool v1_unheard(pbft_hub *h, proto_node_id from, proto_node_id to, GBytes *wire)
{
    (void)h;
    (void)wire;
    return from == 1 && (to == 0 || to == 2);
}

START_TEST(replica_alone_ahead_in_views_is_caught_up_with)
{
    hub_crash(&H, 3); /* 300 of 400 left: every one of v0, v1, v2 is needed */
    hub_run_until(&H, HUB_SEC(2.5));
    uint64_t before = hub_committed(&H, 0);
    H.filter = v1_unheard;
    hub_run_until(&H, HUB_SEC(12));
    /* v1 got everyone's VIEW-CHANGEs and moved on alone. */
    ck_assert(pbft_node_in_view_change(H.node[1]));
    H.filter = NULL;
    hub_run_until(&H, HUB_SEC(60));
    for (uint32_t v = 0; v < 3; v++) {
        ck_assert_msg(!pbft_node_in_view_change(H.node[v]), "v%u still changing views", v);
        ck_assert_uint_ge(hub_committed(&H, v), before + 3);
    }
    ck_assert_uint_eq(pbft_node_view(H.node[0]), pbft_node_view(H.node[1]));
    hub_assert_agreement(&H);
}
END_TEST

static Suite *viewchange_suite(void)
{
    Suite *s = suite_create("pbft_viewchange");
    TCase *tc = tcase_create("decided");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, block_committed_by_one_replica_survives_the_view_change);
    tcase_add_test(tc, block_prepared_by_a_quorum_is_carried_into_the_new_view);
    tcase_add_test(tc, replica_alone_ahead_in_views_is_caught_up_with);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(viewchange_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
