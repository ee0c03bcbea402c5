/* Double-sign protection across a crash (protocol/pbft/pbft_signguard.c).
 *
 * Real nodes on the zero-latency hub (tests/unit/support/pbft_hub.c), 4
 * validators, round-robin proposers (height 1, view 0: v0). hub_crash
 * drops what a node had queued but not yet sent, so "crash between
 * signing and sending" is exact: the vote or block was signed, written to
 * the last-sign state, and never left. After the restart the node must
 * not sign anything that conflicts with it:
 *   - a validator that signed a PREPARE for one block refuses to prepare
 *     a different block for the same height and view (an equivocating
 *     primary offers it one), and still votes for the first one;
 *   - a primary that built and signed a proposal proposes that same block
 *     again, not a new one with a new timestamp and new transactions;
 *   - a validator that prepared a block (and so signed a COMMIT for it)
 *     still carries that prepared certificate into the next view change
 *     after a restart, so a block committed somewhere is not dropped. */
#include <check.h>
#include <string.h>

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

static void set_time(int64_t t_ns)
{
    H.now_ns = t_ns;
    for (uint32_t i = 0; i < H.nodes; i++)
        H.env[i].now_ns = t_ns;
}

/* A block for height 1 in view 0 signed by its primary v0, stamped now:
 * two calls at different times are two conflicting proposals. */
static GBytes *primary_block(proto_hash *hash)
{
    proto_block *b = proto_block_new();
    b->header.height = 1;
    b->header.slot = 0;
    pbft_genesis_hash(&H.params, &b->header.parent);
    b->header.proposer = 0;
    b->header.timestamp_ns = H.now_ns;
    hub_seal_on_genesis(&H, b);
    proto_block_sign(b, H.params.chain_id, H.crypto, &H.vkeys[0]);
    *hash = b->hash;
    GBytes *wire = pbft_msg_preprepare_encode(0, b);
    proto_block_free(b);
    return wire;
}

/* PREPAREs node i has queued, and whether one is for `digest`. */
static guint queued_prepares(uint32_t i, const proto_hash *digest, guint *for_digest)
{
    guint all = 0;
    *for_digest = 0;
    GArray *sends = H.env[i].sends;
    for (guint k = 0; k < sends->len; k++) {
        GBytes *wire = g_array_index(sends, fake_send, k).wire;
        pbft_vote v;
        if (pbft_msg_type(wire) != PROTO_MSG_PBFT_PREPARE || !pbft_msg_vote_decode(wire, &v))
            continue;
        all++;
        *for_digest += proto_hash_equal(&v.digest, digest);
    }
    return all;
}

START_TEST(restarted_validator_refuses_a_conflicting_prepare)
{
    set_time(HUB_SEC(0.5));
    proto_hash a, b;
    GBytes *block_a = primary_block(&a);
    hub_inject(&H, 0, 1, block_a);
    guint for_a = 0;
    ck_assert_uint_eq(queued_prepares(1, &a, &for_a), 3); /* to v0, v2, v3 */
    ck_assert_uint_eq(for_a, 3);
    hub_crash(&H, 1); /* signed, written down, never sent */
    hub_start(&H, 1);
    ck_assert_uint_eq(pbft_node_signs_refused(H.node[1]), 0);

    set_time(HUB_SEC(0.6));
    GBytes *block_b = primary_block(&b);
    ck_assert(!proto_hash_equal(&a, &b));
    hub_inject(&H, 0, 1, block_b);
    guint for_b = 0;
    ck_assert_uint_eq(queued_prepares(1, &b, &for_b), 0);
    ck_assert_uint_eq(pbft_node_signs_refused(H.node[1]), 1);
    ck_assert_uint_eq(hub_events(&H, 1, PROTO_EV_EVIDENCE), 0);

    /* The same vote as before the crash is still allowed (same bytes). */
    hub_crash(&H, 1);
    hub_start(&H, 1);
    hub_inject(&H, 0, 1, block_a);
    ck_assert_uint_eq(queued_prepares(1, &a, &for_a), 3);
    ck_assert_uint_eq(for_a, 3);
    g_bytes_unref(block_a);
    g_bytes_unref(block_b);
}
END_TEST

/* Everything v0 sends is lost; its first PRE-PREPARE body is kept. */
static GBytes *first_proposal;

static bool v0_is_cut_off(pbft_hub *h, proto_node_id from, proto_node_id to, GBytes *wire)
{
    (void)h;
    (void)to;
    if (from != 0)
        return false;
    if (first_proposal == NULL)
        first_proposal = hub_preprepare_block(wire, 1);
    return true;
}

START_TEST(restarted_primary_proposes_the_same_block_again)
{
    first_proposal = NULL;
    H.filter = v0_is_cut_off;
    hub_submit_tx(&H, 0, 0, 0);
    hub_run_until(&H, HUB_SEC(1.2)); /* v0 proposes height 1 at 1 s */
    ck_assert_ptr_nonnull(first_proposal);
    proto_block *first = proto_block_decode_all(g_bytes_get_data(first_proposal, NULL),
                                                g_bytes_get_size(first_proposal), UINT32_MAX);
    ck_assert_ptr_nonnull(first);
    ck_assert_uint_eq(first->txs->len, 1);
    hub_crash(&H, 0);
    H.filter = NULL;
    hub_run_until(&H, HUB_SEC(1.5));
    hub_start(&H, 0); /* same view, primary again: its propose timer fires at once */
    hub_run_until(&H, HUB_SEC(2.2));
    proto_hash h1;
    for (uint32_t v = 0; v < 4; v++) {
        ck_assert_uint_ge(hub_committed(&H, v), 1);
        ck_assert(pbft_node_committed_hash(H.node[v], 1, &h1));
        ck_assert_msg(proto_hash_equal(&h1, &first->hash), "v%u committed a new block 1", v);
    }
    for (uint32_t v = 0; v < 4; v++)
        ck_assert_uint_eq(hub_events(&H, v, PROTO_EV_EVIDENCE), 0);
    hub_assert_agreement(&H);
    proto_block_free(first);
    g_bytes_unref(first_proposal);
}
END_TEST

/* Height 2 (v1's block): v0 never sees a PREPARE, and only v2 sees the
 * COMMITs. So v1 (its pre-prepare is its prepare), v2 and v3 prepare it
 * and v2 alone commits it. */
static bool v2_alone_commits_height_2(pbft_hub *h, proto_node_id from, proto_node_id to,
                                      GBytes *wire)
{
    (void)h;
    (void)from;
    pbft_vote v;
    uint8_t type = pbft_msg_type(wire);
    if ((type != PROTO_MSG_PBFT_PREPARE && type != PROTO_MSG_PBFT_COMMIT) ||
        !pbft_msg_vote_decode(wire, &v) || v.seq != 2)
        return false;
    return type == PROTO_MSG_PBFT_PREPARE ? to == 0 : to != 2;
}

START_TEST(restarted_validators_keep_their_prepared_certificates)
{
    hub_run_until(&H, HUB_SEC(1.5));
    ck_assert_uint_eq(hub_committed(&H, 0), 1);
    H.filter = v2_alone_commits_height_2;
    hub_run_until(&H, HUB_SEC(2.5));
    ck_assert_uint_eq(hub_committed(&H, 2), 2);
    ck_assert_uint_eq(hub_committed(&H, 1), 1);
    proto_hash decided;
    ck_assert(pbft_node_committed_hash(H.node[2], 2, &decided));
    /* The two other preparers restart; the one that committed is cut off. */
    hub_crash(&H, 1);
    hub_crash(&H, 3);
    H.isolated[2] = true;
    H.filter = NULL;
    hub_start(&H, 1);
    hub_start(&H, 3);
    hub_run_until(&H, HUB_SEC(12));
    H.isolated[2] = false;
    hub_run_until(&H, HUB_SEC(20));
    proto_hash h2;
    for (uint32_t v = 0; v < 4; v++) {
        ck_assert_uint_ge(hub_committed(&H, v), 3);
        ck_assert(pbft_node_committed_hash(H.node[v], 2, &h2));
        ck_assert_msg(proto_hash_equal(&h2, &decided), "v%u dropped the committed block", v);
    }
    hub_assert_agreement(&H);
}
END_TEST

static Suite *signguard_suite(void)
{
    Suite *s = suite_create("pbft_signguard");
    TCase *tc = tcase_create("restart");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, restarted_validator_refuses_a_conflicting_prepare);
    tcase_add_test(tc, restarted_primary_proposes_the_same_block_again);
    tcase_add_test(tc, restarted_validators_keep_their_prepared_certificates);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(signguard_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
