/* PBFT with the chain's memos (pbft_params.block_memo and exec_memo) must
 * behave exactly as without them.
 *
 * Two hubs run the same story, one with the memos and one without: four
 * validators and three full nodes; an equivocating validator is slashed
 * (an effect of executing a block, reported per node), another rotates its
 * key (another effect), transactions commit, and a full node crashes and
 * replays its chain from its store. Every node must report the same
 * events with the same fields, commit the same hashes and reach the same
 * state root in both hubs, and the two crypto contexts must count the
 * same verifications; the memo hub must actually have shared work, and
 * its full nodes at one height must hold one shared state. */
#include <check.h>
#include <string.h>

#include "protocol/core/msgtype.h"
#include "protocol/pbft/pbft_msg.h"
#include "support/pbft_hub.h"

static pbft_hub A, B; /* without, with the memos */

static void set_now(pbft_hub *h, int64_t t)
{
    h->now_ns = t;
    for (uint32_t i = 0; i < h->nodes; i++)
        h->env[i].now_ns = t;
}

static void equivocate(pbft_hub *h, uint32_t validator, uint64_t seq, uint32_t to)
{
    for (uint8_t tag = 0xA1; tag <= 0xA2; tag++) {
        pbft_vote v = {.phase = PBFT_PHASE_PREPARE, .seq = seq, .validator = validator};
        memset(v.digest.bytes, tag, sizeof v.digest.bytes);
        pbft_vote_sign(&v, h->params.chain_id, h->crypto, &h->vkeys[validator]);
        GBytes *wire = pbft_msg_vote_encode(PROTO_MSG_PBFT_PREPARE, &v);
        hub_inject(h, validator, to, wire);
        g_bytes_unref(wire);
    }
}

/* The story, step by step, on one hub. */
static void run_story(pbft_hub *h)
{
    set_now(h, HUB_SEC(0.5));
    equivocate(h, 2, 1, 0);
    hub_submit_tx(h, 4, 0, 0);
    hub_submit_tx(h, 1, 1, 0);
    hub_run_until(h, HUB_SEC(3.2));
    hub_crash(h, 6);
    proto_keypair fresh;
    proto_keypair_derive(&fresh, 77, "rotated/1");
    pbft_node_ops.rotate_key(h->node[1], &fresh);
    hub_submit_tx(h, 5, 2, 0);
    hub_run_until(h, HUB_SEC(7.5));
    hub_start(h, 6); /* replays its chain, then catches up */
    hub_submit_tx(h, 6, 3, 0);
    hub_run_until(h, HUB_SEC(16));
}

static void assert_same_events(uint32_t node)
{
    const GArray *x = A.env[node].events, *y = B.env[node].events;
    ck_assert_uint_eq(x->len, y->len);
    for (guint i = 0; i < x->len; i++) {
        const proto_event *a = &g_array_index(x, proto_event, i);
        const proto_event *b = &g_array_index(y, proto_event, i);
        ck_assert_msg(a->kind == b->kind && a->height == b->height && a->slot == b->slot &&
                          a->proposer == b->proposer && a->tx_count == b->tx_count &&
                          a->from == b->from && a->reason == b->reason &&
                          a->validator == b->validator && a->slash_reason == b->slash_reason &&
                          a->evidence_height == b->evidence_height && a->amount == b->amount &&
                          a->effective_height == b->effective_height &&
                          a->proposed_ns == b->proposed_ns,
                      "node %u event %u differs (kind %d vs %d)", node, i, a->kind, b->kind);
    }
}

static guint count_kind(const pbft_hub *h, uint32_t node, proto_event_kind kind)
{
    return hub_events(h, node, kind);
}

START_TEST(memos_change_nothing)
{
    hub_init(&A, 4, 3, 5);
    hub_init(&B, 4, 3, 5);
    hub_use_memos(&B);
    run_story(&A);
    run_story(&B);
    for (uint32_t i = 0; i < A.nodes; i++) {
        assert_same_events(i);
        ck_assert_uint_eq(hub_committed(&A, i), hub_committed(&B, i));
        for (uint64_t height = 0; height <= hub_committed(&A, i); height++) {
            proto_hash x, y;
            ck_assert(pbft_node_committed_hash(A.node[i], height, &x));
            ck_assert(pbft_node_committed_hash(B.node[i], height, &y));
            ck_assert(proto_hash_equal(&x, &y));
        }
        proto_state *sa = proto_state_copy(pbft_node_state(A.node[i]));
        proto_state *sb = proto_state_copy(pbft_node_state(B.node[i]));
        proto_hash ra, rb;
        proto_state_root(sa, &ra);
        proto_state_root(sb, &rb);
        ck_assert(proto_hash_equal(&ra, &rb));
        proto_state_free(sa);
        proto_state_free(sb);
    }
    /* The story happened: slashed at every node, key rotated, a replay. */
    for (uint32_t i = 0; i < A.nodes; i++) {
        ck_assert_uint_eq(count_kind(&A, i, PROTO_EV_SLASHED), 1);
        ck_assert_uint_eq(count_kind(&A, i, PROTO_EV_KEY_ROTATED), 1);
    }
    ck_assert_uint_eq(count_kind(&A, 6, PROTO_EV_RECOVERED), 1);
    ck_assert_uint_ge(hub_committed(&A, 6), 12);
    ck_assert_uint_eq(proto_state_account(pbft_node_state(A.node[0]), 3)->nonce, 1);
    proto_crypto_stats x = proto_crypto_get_stats(A.crypto), y = proto_crypto_get_stats(B.crypto);
    ck_assert_uint_eq(x.verify_calls, y.verify_calls);
    ck_assert_uint_eq(x.verify_computed, y.verify_computed);
    ck_assert_uint_eq(x.verify_memo_hits, y.verify_memo_hits);
    ck_assert_uint_eq(x.memo_clears, y.memo_clears);
    ck_assert_uint_eq(x.signs, y.signs);
    /* Work was shared: blocks decoded once for many, states shared. */
    ck_assert_uint_gt(proto_exec_memo_get_stats(B.params.exec_memo).hits, 10);
    ck_assert_uint_gt(proto_block_memo_get_stats(B.params.block_memo).hits, 50);
    ck_assert_uint_gt(proto_block_memo_get_stats(B.params.block_memo).shared, 10);
    ck_assert_uint_eq(hub_committed(&B, 4), hub_committed(&B, 5));
    ck_assert_ptr_eq(pbft_node_state(B.node[4]), pbft_node_state(B.node[5]));
    ck_assert_ptr_ne(pbft_node_state(B.node[0]), pbft_node_state(B.node[1])); /* validators: own */
    hub_assert_agreement(&A);
    hub_assert_agreement(&B);
    hub_clear(&A);
    hub_clear(&B);
}
END_TEST

static Suite *pbft_memo_suite(void)
{
    Suite *s = suite_create("pbft_memo");
    TCase *tc = tcase_create("memo");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, memos_change_nothing);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(pbft_memo_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
