/* PBFT node unit tests: real nodes, fake environments, a zero-latency
 * message pump (tests/unit/support/pbft_hub.c), no simulator.
 *
 * 4 validators (f = 1, quorum 3 of 4) and one full node. Covers the
 * normal case and in-order commit, its message count (the paper's), checkpoints, full nodes following by
 * DECIDED, hostile bytes (and banning their sender) and forged messages (wrong proposer, bad
 * signatures, certificates without a quorum), a silent primary forcing
 * view changes, a lost quorum that returns, crash recovery from the store
 * and catch-up of a replica that fell behind. */
#include <check.h>
#include <string.h>

#include "protocol/core/msgtype.h"
#include "protocol/pbft/pbft_evidence.h"
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

START_TEST(normal_case_commits_in_order)
{
    H.now_ns = HUB_SEC(0.1);
    for (uint32_t i = 0; i < H.nodes; i++)
        H.env[i].now_ns = H.now_ns;
    hub_submit_tx(&H, 0, 0, 0);
    hub_submit_tx(&H, 2, 1, 0);
    hub_submit_tx(&H, 4, 2, 0); /* at the full node: forwarded to validators */
    hub_run_until(&H, HUB_SEC(6.5));
    for (uint32_t v = 0; v < 4; v++) {
        ck_assert_uint_eq(hub_committed(&H, v), 6);
        ck_assert_uint_eq(hub_events(&H, v, PROTO_EV_BLOCK_FINAL), 6);
        ck_assert_uint_eq(pbft_node_view(H.node[v]), 0);
        ck_assert_uint_eq(hub_events(&H, v, PROTO_EV_VIEW_CHANGE), 0);
        /* Checkpoint at 5 became stable everywhere. */
        ck_assert_uint_eq(pbft_node_stable_checkpoint(H.node[v]), 5);
    }
    /* Block 1 holds the three transactions. */
    guint txs = 0;
    GArray *ev = H.env[0].events;
    for (guint i = 0; i < ev->len; i++) {
        const proto_event *e = &g_array_index(ev, proto_event, i);
        if (e->kind == PROTO_EV_BLOCK_FINAL)
            txs += e->tx_count;
    }
    ck_assert_uint_eq(txs, 3);
    /* The full node follows through DECIDED pushes. */
    ck_assert_uint_ge(hub_committed(&H, 4), 5);
    hub_assert_agreement(&H);
    /* Proposers rotate round-robin, height 1 first: height h by validator
     * (h - 1) mod 4, one further for each later view of the height. */
    for (guint i = 0; i < ev->len; i++) {
        const proto_event *e = &g_array_index(ev, proto_event, i);
        if (e->kind == PROTO_EV_BLOCK_FINAL)
            ck_assert_uint_eq(e->proposer, (e->height - 1) % 4);
    }
    ck_assert_uint_eq(pbft_node_primary(H.node[0], 7, 0), 2);
    ck_assert_uint_eq(pbft_node_primary(H.node[0], 7, 1), 3);
    ck_assert_uint_eq(pbft_node_primary(H.node[0], 8, 0), PROTO_PROPOSER_NONE); /* not next */
    ck_assert_uint_eq(pbft_view_leader(&H.params, 2), 2);
}
END_TEST

/* Castro and Liskov's normal case with 4 replicas: 3 PRE-PREPAREs (the
 * primary to each backup), 9 PREPAREs (each backup to the 3 others; the
 * pre-prepare stands for the primary's) and 12 COMMITs (everyone to the 3
 * others) per block, counted per recipient. */
START_TEST(normal_case_costs_what_the_paper_says)
{
    hub_run_until(&H, HUB_SEC(4.5));
    uint64_t blocks = hub_committed(&H, 0);
    ck_assert_uint_eq(blocks, 4);
    for (uint32_t v = 0; v < 4; v++)
        ck_assert_uint_eq(hub_committed(&H, v), blocks);
    ck_assert_uint_eq(H.unicasts[PROTO_MSG_PBFT_PREPREPARE], 3 * blocks);
    ck_assert_uint_eq(H.unicasts[PROTO_MSG_PBFT_PREPARE], 9 * blocks);
    ck_assert_uint_eq(H.unicasts[PROTO_MSG_PBFT_COMMIT], 12 * blocks);
    /* Every backup still prepared: the primary's stake came from its
     * PRE-PREPARE, carried in each prepared certificate. */
    hub_assert_agreement(&H);
}
END_TEST

START_TEST(hostile_bytes_are_counted_and_dropped)
{
    hub_run_until(&H, HUB_SEC(2.5));
    uint64_t before = hub_committed(&H, 0);
    static const uint8_t types[] = {
        PROTO_MSG_TX, PROTO_MSG_GET_BLOCKS, PROTO_MSG_BLOCKS, PROTO_MSG_STATUS,
        PROTO_MSG_PBFT_PREPREPARE, PROTO_MSG_PBFT_PREPARE, PROTO_MSG_PBFT_COMMIT,
        PROTO_MSG_PBFT_CHECKPOINT, PROTO_MSG_PBFT_VIEWCHANGE, PROTO_MSG_PBFT_NEWVIEW,
        PROTO_MSG_PBFT_DECIDED, 0, 99, 255};
    guint injected = 0;
    for (guint t = 0; t < G_N_ELEMENTS(types); t++) {
        for (guint len = 1; len < 200; len += 37) {
            uint8_t buf[200];
            for (guint i = 0; i < len; i++)
                buf[i] = (uint8_t)(i * 131 + t * 7 + len);
            buf[0] = types[t];
            GBytes *wire = g_bytes_new(buf, len);
            hub_inject(&H, 4, 0, wire); /* from the full node, at validator v0 */
            hub_inject(&H, 1, 4, wire); /* and the other way round */
            g_bytes_unref(wire);
            injected++;
        }
    }
    GBytes *empty = g_bytes_new(NULL, 0);
    hub_inject(&H, 4, 0, empty);
    g_bytes_unref(empty);
    /* Rejected and counted until the sender passes 50 rejects in a second;
     * then it is banned and the rest is dropped unread. */
    ck_assert_uint_eq(hub_rejected(&H, 0, PROTO_REJECT_DECODE), 51);
    ck_assert_uint_ge(injected, 60);
    ck_assert_uint_eq(hub_events(&H, 0, PROTO_EV_PEER_BANNED), 1);
    /* Nothing broke: the chain goes on. */
    hub_run_until(&H, HUB_SEC(5.5));
    ck_assert_uint_ge(hub_committed(&H, 0), before + 3);
    hub_assert_agreement(&H);
}
END_TEST

static GBytes *forged_preprepare(uint32_t signer, uint64_t height, uint64_t view, bool corrupt)
{
    proto_block *b = proto_block_new();
    b->header.height = height;
    b->header.slot = view;
    proto_hash genesis;
    pbft_genesis_hash(&H.params, &genesis);
    b->header.parent = genesis;
    b->header.proposer = pbft_node_primary(H.node[3], height, view);
    b->header.timestamp_ns = H.now_ns;
    hub_seal_on_genesis(&H, b);
    proto_block_sign(b, H.params.chain_id, H.crypto, &H.vkeys[signer]);
    if (corrupt)
        b->header.sig.bytes[3] ^= 1;
    GBytes *wire = pbft_msg_preprepare_encode(view, b);
    proto_block_free(b);
    return wire;
}

START_TEST(forged_preprepares_are_rejected)
{
    H.now_ns = HUB_SEC(0.5);
    for (uint32_t i = 0; i < H.nodes; i++)
        H.env[i].now_ns = H.now_ns;
    /* Height 1, view 0 belongs to v0; v2 signs a block claiming to be v0. */
    GBytes *wrong_signer = forged_preprepare(2, 1, 0, false);
    hub_inject(&H, 2, 0, wrong_signer);
    ck_assert_uint_eq(hub_rejected(&H, 0, PROTO_REJECT_SIGNATURE), 1);
    GBytes *corrupt = forged_preprepare(0, 1, 0, true);
    hub_inject(&H, 1, 0, corrupt);
    ck_assert_uint_eq(hub_rejected(&H, 0, PROTO_REJECT_SIGNATURE), 2);
    /* A block for a later view waits (not rejected, not voted on). */
    GBytes *future = forged_preprepare(2, 1, 1, false);
    hub_inject(&H, 2, 0, future);
    ck_assert_uint_eq(H.env[0].sends->len, 1); /* only a STATUS to ask about view 1 */
    /* The real v0 block still commits. */
    hub_run_until(&H, HUB_SEC(1.5));
    ck_assert_uint_eq(hub_committed(&H, 0), 1);
    hub_assert_agreement(&H);
    g_bytes_unref(wrong_signer);
    g_bytes_unref(corrupt);
    g_bytes_unref(future);
}
END_TEST

static GBytes *captured_block2;

/* Keep v1's PRE-PREPARE body for height 2; deliver everything. */
static bool capture_block2(pbft_hub *h, proto_node_id from, proto_node_id to, GBytes *wire)
{
    (void)h;
    (void)to;
    if (from == 1 && captured_block2 == NULL)
        captured_block2 = hub_preprepare_block(wire, 2);
    return false;
}

START_TEST(certificate_without_quorum_is_rejected)
{
    hub_run_until(&H, HUB_SEC(1.5));
    ck_assert_uint_eq(hub_committed(&H, 0), 1);
    ck_assert_uint_eq(hub_committed(&H, 4), 1);
    /* The full node misses height 2 (proposed by v1); we keep the block. */
    H.isolated[4] = true;
    captured_block2 = NULL;
    H.filter = capture_block2;
    hub_run_until(&H, HUB_SEC(2.5));
    H.filter = NULL;
    H.isolated[4] = false;
    ck_assert_ptr_nonnull(captured_block2);
    ck_assert_uint_ge(hub_committed(&H, 0), 2);
    ck_assert_uint_eq(hub_committed(&H, 4), 1);
    proto_block *b = proto_block_decode_all(g_bytes_get_data(captured_block2, NULL),
                                            g_bytes_get_size(captured_block2), UINT32_MAX);
    ck_assert_ptr_nonnull(b);
    /* A commit "certificate" signed by only two validators: not more
     * than 2/3. */
    pbft_decided d = {.block = captured_block2};
    pbft_cert_init(&d.cert, PBFT_PHASE_COMMIT, 0, 2, &b->hash);
    for (uint32_t v = 2; v < 4; v++) {
        pbft_vote vote = {.phase = PBFT_PHASE_COMMIT, .seq = 2, .digest = b->hash, .validator = v};
        pbft_vote_sign(&vote, H.params.chain_id, H.crypto, &H.vkeys[v]);
        pbft_cert_add(&d.cert, v, &vote.sig);
    }
    GBytes *wire = pbft_msg_decided_encode(&d);
    hub_inject(&H, 2, 4, wire);
    ck_assert_uint_eq(hub_committed(&H, 4), 1);
    ck_assert_uint_eq(hub_rejected(&H, 4, PROTO_REJECT_SIGNATURE), 1);
    /* With a third signature it is a certificate and the full node takes it. */
    pbft_vote vote = {.phase = PBFT_PHASE_COMMIT, .seq = 2, .digest = b->hash, .validator = 0};
    pbft_vote_sign(&vote, H.params.chain_id, H.crypto, &H.vkeys[0]);
    pbft_cert_add(&d.cert, 0, &vote.sig);
    GBytes *wire3 = pbft_msg_decided_encode(&d);
    hub_inject(&H, 2, 4, wire3);
    ck_assert_uint_eq(hub_committed(&H, 4), 2);
    g_bytes_unref(wire);
    g_bytes_unref(wire3);
    pbft_decided_clear(&d);
    proto_block_free(b);
}
END_TEST

START_TEST(silent_primary_forces_view_change)
{
    /* v0 proposes height 1. v1 is primary of height 2 in view 0 and
     * leader of view 1 (and primary of height 2 there): with it down,
     * view 1 fails too and view 2 (leader v2, round 2 of height 2: v3)
     * finalizes height 2. */
    hub_crash(&H, 1);
    hub_run_until(&H, HUB_SEC(20));
    for (uint32_t v = 0; v < 4; v++) {
        if (v == 1)
            continue;
        ck_assert_uint_ge(hub_committed(&H, v), 2);
        ck_assert_uint_ge(pbft_node_view(H.node[v]), 2);
        ck_assert_uint_ge(hub_events(&H, v, PROTO_EV_VIEW_CHANGE), 2);
        ck_assert_uint_ge(hub_events(&H, v, PROTO_EV_NEW_VIEW), 1);
    }
    /* The first view change was a timeout, the second a failed view. */
    bool timeout = false, failed = false;
    GArray *ev = H.env[0].events;
    for (guint i = 0; i < ev->len; i++) {
        const proto_event *e = &g_array_index(ev, proto_event, i);
        if (e->kind != PROTO_EV_VIEW_CHANGE)
            continue;
        timeout |= e->cause == PROTO_VIEW_CAUSE_TIMEOUT;
        failed |= e->cause == PROTO_VIEW_CAUSE_NEWVIEW_TIMEOUT;
    }
    ck_assert(timeout && failed);
    hub_assert_agreement(&H);
}
END_TEST

START_TEST(lost_quorum_stalls_then_resumes)
{
    H.isolated[2] = H.isolated[3] = true;
    hub_run_until(&H, HUB_SEC(12));
    for (uint32_t v = 0; v < 4; v++)
        ck_assert_uint_eq(hub_committed(&H, v), 0);
    H.isolated[2] = H.isolated[3] = false;
    hub_run_until(&H, HUB_SEC(40));
    for (uint32_t v = 0; v < 4; v++)
        ck_assert_uint_ge(hub_committed(&H, v), 3);
    hub_assert_agreement(&H);
}
END_TEST

START_TEST(restart_recovers_from_store_and_catches_up)
{
    hub_run_until(&H, HUB_SEC(4.5));
    uint64_t at_crash = hub_committed(&H, 3);
    ck_assert_uint_ge(at_crash, 4);
    hub_crash(&H, 3);
    hub_run_until(&H, HUB_SEC(9.5));
    hub_start(&H, 3);
    ck_assert_uint_eq(hub_committed(&H, 3), at_crash); /* replayed from its store */
    ck_assert_uint_eq(hub_events(&H, 3, PROTO_EV_RECOVERED), 1);
    hub_run_until(&H, HUB_SEC(14.5));
    ck_assert_uint_ge(hub_committed(&H, 3) + 1, hub_committed(&H, 0));
    ck_assert_uint_ge(hub_committed(&H, 3), 12);
    hub_assert_agreement(&H);
}
END_TEST

START_TEST(lagging_replica_catches_up)
{
    H.isolated[3] = true; /* 3 of 4 still hold a quorum */
    hub_run_until(&H, HUB_SEC(12.5));
    ck_assert_uint_eq(hub_committed(&H, 3), 0);
    ck_assert_uint_ge(hub_committed(&H, 0), 8);
    H.isolated[3] = false;
    hub_run_until(&H, HUB_SEC(20.5));
    ck_assert_uint_ge(hub_events(&H, 3, PROTO_EV_SYNC_REQUEST), 1);
    ck_assert_uint_ge(hub_committed(&H, 3) + 1, hub_committed(&H, 0));
    hub_assert_agreement(&H);
}
END_TEST

static GBytes *signed_prepare(uint32_t signer, uint64_t seq, uint8_t digest_tag)
{
    pbft_vote v = {.phase = PBFT_PHASE_PREPARE, .view = 0, .seq = seq, .validator = signer};
    memset(v.digest.bytes, digest_tag, sizeof v.digest.bytes);
    pbft_vote_sign(&v, H.params.chain_id, H.crypto, &H.vkeys[signer]);
    return pbft_msg_vote_encode(PROTO_MSG_PBFT_PREPARE, &v);
}

START_TEST(conflicting_votes_become_evidence)
{
    H.now_ns = HUB_SEC(0.5);
    for (uint32_t i = 0; i < H.nodes; i++)
        H.env[i].now_ns = H.now_ns;
    /* v2 signs two PREPAREs for height 1, view 0, different digests. */
    GBytes *a = signed_prepare(2, 1, 0xAA);
    GBytes *b = signed_prepare(2, 1, 0xBB);
    hub_inject(&H, 2, 0, a);
    ck_assert_uint_eq(hub_events(&H, 0, PROTO_EV_EVIDENCE), 0);
    hub_inject(&H, 2, 0, a); /* a duplicate is not a conflict */
    ck_assert_uint_eq(hub_events(&H, 0, PROTO_EV_EVIDENCE), 0);
    hub_inject(&H, 2, 0, b);
    ck_assert_uint_eq(hub_events(&H, 0, PROTO_EV_EVIDENCE), 1);
    /* v0 multicasts it; every other validator checks it and keeps it. */
    hub_run_until(&H, HUB_SEC(0.6));
    for (uint32_t v = 1; v < 4; v++)
        ck_assert_uint_eq(hub_events(&H, v, PROTO_EV_EVIDENCE), 1);
    GArray *ev = H.env[1].events;
    for (guint i = 0; i < ev->len; i++) {
        const proto_event *e = &g_array_index(ev, proto_event, i);
        if (e->kind == PROTO_EV_EVIDENCE) {
            ck_assert_uint_eq(e->proposer, 2);
            ck_assert_uint_eq(e->height, 1);
        }
    }
    /* Forgeries: a bad signature, and a "conflict" of one vote with itself. */
    pbft_vote va, vb;
    ck_assert(pbft_msg_vote_decode(a, &va));
    ck_assert(pbft_msg_vote_decode(b, &vb));
    vb.seq = 2; /* re-sign for another height so the pool has no entry */
    va.seq = 2;
    pbft_vote_sign(&va, H.params.chain_id, H.crypto, &H.vkeys[2]);
    pbft_evidence forged;
    ck_assert(pbft_evidence_make(&va, &vb, &forged)); /* vb's signature is for seq 1 */
    GBytes *fw = pbft_evidence_encode(&forged);
    hub_inject(&H, 3, 1, fw);
    ck_assert_uint_eq(hub_rejected(&H, 1, PROTO_REJECT_SIGNATURE), 1);
    ck_assert_uint_eq(hub_events(&H, 1, PROTO_EV_EVIDENCE), 1);
    ck_assert(!pbft_evidence_make(&va, &va, &forged));
    /* A non-canonical encoding (digests out of order) is malformed. */
    pbft_evidence swapped;
    ck_assert(pbft_evidence_make(&va, &vb, &swapped));
    pbft_vote tmp = swapped.a;
    swapped.a = swapped.b;
    swapped.b = tmp;
    GBytes *sw = pbft_evidence_encode(&swapped);
    pbft_evidence back;
    ck_assert(!pbft_evidence_decode(sw, &back));
    g_bytes_unref(sw);
    g_bytes_unref(fw);
    g_bytes_unref(a);
    g_bytes_unref(b);
}
END_TEST

/* The primary's PRE-PREPARE is its PREPARE: two blocks for one height
 * and view from it (a twin, an equivocating primary) are evidence, and
 * so is its PREPARE for another block; the evidence carries the signed
 * headers and decodes only in its one canonical form. */
START_TEST(conflicting_preprepares_become_evidence)
{
    H.now_ns = HUB_SEC(0.5);
    for (uint32_t i = 0; i < H.nodes; i++)
        H.env[i].now_ns = H.now_ns;
    GBytes *first = forged_preprepare(0, 1, 0, false);
    hub_inject(&H, 0, 1, first);
    ck_assert_uint_eq(hub_events(&H, 1, PROTO_EV_EVIDENCE), 0);
    hub_inject(&H, 0, 1, first); /* the same block again is no conflict */
    ck_assert_uint_eq(hub_events(&H, 1, PROTO_EV_EVIDENCE), 0);
    H.now_ns = HUB_SEC(0.6);
    GBytes *second = forged_preprepare(0, 1, 0, false); /* another timestamp */
    hub_inject(&H, 0, 1, second);
    ck_assert_uint_eq(hub_events(&H, 1, PROTO_EV_EVIDENCE), 1);
    /* The evidence v1 multicast: two pre-prepares of v0 for (1, view 0). */
    GBytes *wire = NULL;
    for (guint i = 0; i < H.env[1].sends->len && wire == NULL; i++) {
        GBytes *w = g_array_index(H.env[1].sends, fake_send, i).wire;
        if (pbft_msg_type(w) == PROTO_MSG_PBFT_EVIDENCE)
            wire = w;
    }
    ck_assert_ptr_nonnull(wire);
    pbft_evidence e;
    ck_assert(pbft_evidence_decode(wire, &e));
    ck_assert(e.a_preprepare && e.b_preprepare);
    ck_assert_uint_eq(e.a.validator, 0);
    ck_assert_uint_eq(e.a.phase, PBFT_PHASE_PREPARE);
    ck_assert(pbft_evidence_verify(&e, H.params.chain_id, H.crypto, &H.vpub[0]));
    ck_assert(!pbft_evidence_verify(&e, H.params.chain_id, H.crypto, &H.vpub[1]));
    /* A header that is not the one its fields name does not decode. */
    pbft_evidence bad = e;
    bad.a_header.slot = 1;
    GBytes *bad_wire = pbft_evidence_encode(&bad);
    ck_assert(!pbft_evidence_decode(bad_wire, &e));
    g_bytes_unref(bad_wire);
    /* Every validator that hears of it keeps it. */
    hub_run_until(&H, HUB_SEC(0.7));
    for (uint32_t v = 0; v < 4; v++)
        ck_assert_uint_ge(hub_events(&H, v, PROTO_EV_EVIDENCE), 1);
    /* A PREPARE of v0 against its own pre-prepare is evidence too. */
    pbft_vote p = {.phase = PBFT_PHASE_PREPARE, .view = 0, .seq = 1, .validator = 0};
    memset(p.digest.bytes, 0x5a, sizeof p.digest.bytes);
    pbft_vote_sign(&p, H.params.chain_id, H.crypto, &H.vkeys[0]);
    pbft_evidence mixed;
    GBytes *body1 = hub_preprepare_block(first, 1);
    ck_assert_ptr_nonnull(body1);
    proto_block *b1 = proto_block_decode_all(g_bytes_get_data(body1, NULL),
                                             g_bytes_get_size(body1), UINT32_MAX);
    g_bytes_unref(body1);
    ck_assert_ptr_nonnull(b1);
    ck_assert(pbft_evidence_make_mixed(&p, NULL, NULL, &b1->header, &mixed));
    ck_assert(pbft_evidence_verify(&mixed, H.params.chain_id, H.crypto, &H.vpub[0]));
    GBytes *mw = pbft_evidence_encode(&mixed);
    pbft_evidence back;
    ck_assert(pbft_evidence_decode(mw, &back));
    ck_assert(back.a_preprepare != back.b_preprepare);
    g_bytes_unref(mw);
    proto_block_free(b1);
    g_bytes_unref(first);
    g_bytes_unref(second);
}
END_TEST

/* Clients kept handing transactions to a validator that was cut off;
 * once it has caught up it passes them on, and they commit even if it is
 * lost right after. */
START_TEST(cut_off_validator_passes_its_transactions_on)
{
    hub_run_until(&H, HUB_SEC(1.5));
    H.isolated[3] = true;
    for (uint32_t a = 0; a < 3; a++)
        hub_submit_tx(&H, 3, a, 0);
    hub_run_until(&H, HUB_SEC(20));
    const proto_state *s0 = pbft_node_state(H.node[0]);
    ck_assert_uint_ge(hub_committed(&H, 0), 6);
    ck_assert_uint_eq(proto_state_account(s0, 0)->nonce, 0); /* nobody else has them */
    H.isolated[3] = false;
    /* Run only until v3 has caught up, then lose it: what it passed on
     * is all the others will ever have. */
    int64_t t = HUB_SEC(20);
    while (hub_committed(&H, 3) + 1 < hub_committed(&H, 0) || hub_committed(&H, 3) < 6) {
        t += HUB_SEC(0.05);
        hub_run_until(&H, t);
    }
    hub_crash(&H, 3);
    hub_run_until(&H, t + HUB_SEC(20));
    s0 = pbft_node_state(H.node[0]);
    for (uint32_t a = 0; a < 3; a++)
        ck_assert_uint_eq(proto_state_account(s0, a)->nonce, 1);
    hub_assert_agreement(&H);
}
END_TEST

static Suite *pbft_suite(void)
{
    Suite *s = suite_create("pbft");
    TCase *tc = tcase_create("node");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, normal_case_commits_in_order);
    tcase_add_test(tc, normal_case_costs_what_the_paper_says);
    tcase_add_test(tc, hostile_bytes_are_counted_and_dropped);
    tcase_add_test(tc, forged_preprepares_are_rejected);
    tcase_add_test(tc, certificate_without_quorum_is_rejected);
    tcase_add_test(tc, silent_primary_forces_view_change);
    tcase_add_test(tc, lost_quorum_stalls_then_resumes);
    tcase_add_test(tc, restart_recovers_from_store_and_catches_up);
    tcase_add_test(tc, lagging_replica_catches_up);
    tcase_add_test(tc, conflicting_votes_become_evidence);
    tcase_add_test(tc, conflicting_preprepares_become_evidence);
    tcase_add_test(tc, cut_off_validator_passes_its_transactions_on);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(pbft_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
