/* PBFT over an overlay, and per-node memory at network scale.
 *
 * Nodes whose fake environment has an overlay (env.broadcast, env.peers)
 * must use it as pbft.h says: DECIDED broadcast to every node,
 * transactions (validator operations among them) and evidence broadcast
 * to the validators, consensus messages still unicast; a full node that
 * stalls asks one of its peers for blocks, not a validator it may not
 * reach; a full node relaying a transaction or evidence rejects a bad
 * one (so the mesh does not pass it on), while without an
 * overlay it ignores them as before. The hub (support/pbft_hub.c) delivers broadcasts as an ideal
 * mesh. Last, a node of a 100,000-node network allocates nothing per
 * network node: reject records follow the senders seen, bounded, and the
 * validator lookup is O(validators). */
#include <check.h>
#include <malloc.h>
#include <string.h>

#include "protocol/chain/tx_envelope.h"
#include "protocol/core/msgtype.h"
#include "protocol/pbft/pbft_evidence.h"
#include "protocol/pbft/pbft_internal.h"
#include "support/pbft_hub.h"
#include "support/tx_fixture.h"

static pbft_hub H;

static void set_now(int64_t t)
{
    H.now_ns = t;
    for (uint32_t i = 0; i < H.nodes; i++)
        H.env[i].now_ns = t;
}

/* Every node on the overlay; validators neighbour every node, full node
 * 4 neighbours v0 and node 5, full node 5 only node 4. */
static void overlay_all(void)
{
    for (uint32_t i = 0; i < H.nodes; i++) {
        proto_node_id peers[HUB_NODES_MAX];
        uint32_t count = 0;
        if (i < H.validators) {
            for (uint32_t j = 0; j < H.nodes; j++)
                if (j != i)
                    peers[count++] = j;
        } else if (i == 4) {
            peers[count++] = 0;
            if (H.nodes > 5)
                peers[count++] = 5;
        } else {
            peers[count++] = 4;
        }
        hub_set_overlay(&H, i, peers, count);
    }
}

/* A transfer from account `from` (or, with a stranger, from a key the
 * chain has no account for), its signature broken unless good_sig. */
static GBytes *tx_wire(uint32_t from, uint32_t to, uint64_t nonce, bool good_sig, bool stranger)
{
    txfix_fees fees = {.max_fee_per_gas = 4 * HUB_BASE_FEE, .max_priority_fee_per_gas = 1};
    proto_keypair nobody;
    proto_keypair_derive(&nobody, 99, "nobody");
    proto_txenv tx = txfix_transfer(H.crypto, H.params.chain_id,
                                    stranger ? &nobody : &H.akeys[from], nonce, to, 5, fees);
    if (!good_sig)
        tx.sig.bytes[0] ^= 1;
    return proto_txenv_msg_encode(&tx);
}

START_TEST(decided_and_transactions_go_over_the_overlay)
{
    hub_init(&H, 4, 2, 5);
    overlay_all();
    set_now(HUB_SEC(0.1));
    hub_submit_tx(&H, 5, 0, 0); /* at a full node */
    hub_submit_tx(&H, 1, 1, 0); /* at a validator */
    hub_run_until(&H, HUB_SEC(6.5));
    /* Blocks reach the full nodes only through DECIDED broadcasts. */
    ck_assert_uint_ge(hub_broadcasts(&H, PROTO_SCOPE_ALL, PROTO_MSG_PBFT_DECIDED), 5);
    ck_assert_uint_eq(H.unicasts[PROTO_MSG_PBFT_DECIDED], 0);
    ck_assert_uint_ge(hub_committed(&H, 4), 5);
    ck_assert_uint_ge(hub_committed(&H, 5), 5);
    /* Transactions go to the validators' scope, never by unicast. */
    ck_assert_uint_eq(hub_broadcasts(&H, PROTO_SCOPE_VALIDATORS, PROTO_MSG_TX), 2);
    ck_assert_uint_eq(H.unicasts[PROTO_MSG_TX], 0);
    const proto_state *s = pbft_node_state(H.node[0]);
    ck_assert_uint_eq(proto_state_account(s, 0)->nonce, 1);
    ck_assert_uint_eq(proto_state_account(s, 1)->nonce, 1);
    /* Consensus stays unicast among validators. */
    ck_assert_uint_gt(H.unicasts[PROTO_MSG_PBFT_PREPREPARE], 0);
    ck_assert_uint_gt(H.unicasts[PROTO_MSG_PBFT_COMMIT], 0);
    ck_assert_uint_eq(H.broadcasts->len, hub_broadcasts(&H, PROTO_SCOPE_ALL,
                                                        PROTO_MSG_PBFT_DECIDED) + 2);
    hub_assert_agreement(&H);
    hub_clear(&H);
}
END_TEST

static guint get_blocks_from_5;
static guint get_blocks_from_5_to_4;

/* Node 5 hears no DECIDED at all; count whom it asks for blocks. */
static bool starve_node5(pbft_hub *h, proto_node_id from, proto_node_id to, GBytes *wire)
{
    uint8_t type = pbft_msg_type(wire);
    if (from == 5 && type == PROTO_MSG_GET_BLOCKS) {
        get_blocks_from_5++;
        get_blocks_from_5_to_4 += to == 4;
    }
    return to == 5 && type == PROTO_MSG_PBFT_DECIDED;
}

START_TEST(stalled_full_node_asks_a_peer)
{
    hub_init(&H, 4, 2, 5);
    overlay_all();
    get_blocks_from_5 = get_blocks_from_5_to_4 = 0;
    H.filter = starve_node5;
    hub_run_until(&H, HUB_SEC(30));
    ck_assert_uint_gt(H.env[5].peers_calls, 0);
    ck_assert_uint_gt(get_blocks_from_5, 0);
    ck_assert_uint_eq(get_blocks_from_5_to_4, get_blocks_from_5); /* its only peer */
    ck_assert_uint_ge(hub_events(&H, 5, PROTO_EV_SYNC_REQUEST), 1);
    ck_assert_uint_ge(hub_committed(&H, 5), 20);
    hub_assert_agreement(&H);
    hub_clear(&H);
}
END_TEST

/* A restarted full node under an overlay asks a peer too. */
START_TEST(restarted_full_node_asks_a_peer)
{
    hub_init(&H, 4, 2, 5);
    overlay_all();
    hub_run_until(&H, HUB_SEC(3.5));
    hub_crash(&H, 5);
    hub_run_until(&H, HUB_SEC(6.5));
    get_blocks_from_5 = get_blocks_from_5_to_4 = 0;
    H.filter = starve_node5;
    hub_start(&H, 5);
    hub_run_until(&H, HUB_SEC(6.6));
    ck_assert_uint_ge(get_blocks_from_5, 1);
    ck_assert_uint_eq(get_blocks_from_5_to_4, get_blocks_from_5);
    ck_assert_uint_ge(hub_committed(&H, 5) + 1, hub_committed(&H, 4));
    hub_clear(&H);
}
END_TEST

START_TEST(relayed_transactions_are_checked_at_full_nodes)
{
    hub_init(&H, 4, 2, 5);
    proto_node_id peers[] = {0, 5};
    hub_set_overlay(&H, 4, peers, 2); /* node 5 has no overlay */
    set_now(HUB_SEC(0.2));
    GBytes *good = tx_wire(0, 1, 0, true, false);
    GBytes *bad_sig = tx_wire(1, 2, 0, false, false);
    GBytes *unknown = tx_wire(2, 3, 0, true, true);
    static const uint8_t junk[] = {PROTO_MSG_TX, 1, 2, 3};
    GBytes *garbage = g_bytes_new(junk, sizeof junk);
    GBytes *all[] = {good, bad_sig, unknown, garbage};
    for (guint i = 0; i < G_N_ELEMENTS(all); i++) {
        hub_inject(&H, 5, 4, all[i]);
        hub_inject(&H, 4, 5, all[i]);
    }
    /* On the overlay: each bad one rejected (not relayed), the good one
     * passes (and is kept nowhere: a full node has no pool). */
    ck_assert_uint_eq(hub_rejected(&H, 4, PROTO_REJECT_SIGNATURE), 1);
    ck_assert_uint_eq(hub_rejected(&H, 4, PROTO_REJECT_TX_INVALID), 1);
    ck_assert_uint_eq(hub_rejected(&H, 4, PROTO_REJECT_DECODE), 1);
    ck_assert_uint_eq(hub_events(&H, 4, PROTO_EV_MSG_REJECTED), 3);
    /* Without one, as before: nobody relays through it, it ignores them. */
    ck_assert_uint_eq(hub_events(&H, 5, PROTO_EV_MSG_REJECTED), 0);
    /* The good one is reported as received, by its id (the simulator
     * learns from it that a client's transaction left its first node). */
    ck_assert_uint_eq(hub_events(&H, 4, PROTO_EV_TX_RECEIVED), 1);
    ck_assert_uint_eq(hub_events(&H, 5, PROTO_EV_TX_RECEIVED), 0);
    proto_txenv good_tx;
    ck_assert_int_eq(proto_txenv_msg_decode(good, NULL, &good_tx), PROTO_TXENV_OK);
    proto_hash good_id;
    proto_txenv_hash(&good_tx, &good_id);
    ck_assert(proto_hash_equal(&g_array_index(H.env[4].tx_received, proto_hash, 0), &good_id));
    /* A client's bad transaction at an overlay full node is refused and
     * never broadcast. */
    pbft_node_ops.submit_tx(H.node[4], bad_sig);
    ck_assert_uint_eq(hub_events(&H, 4, PROTO_EV_TX_REJECTED), 1);
    ck_assert_uint_eq(H.env[4].broadcasts->len, 0);
    pbft_node_ops.submit_tx(H.node[4], good);
    ck_assert_uint_eq(H.env[4].broadcasts->len, 1);
    ck_assert_uint_eq(hub_events(&H, 4, PROTO_EV_TX_RECEIVED), 1); /* a client's: not */
    hub_run_until(&H, HUB_SEC(3.5));
    /* Validators got it from the network: reported, once each. */
    for (uint32_t v = 0; v < 4; v++)
        ck_assert_uint_ge(hub_events(&H, v, PROTO_EV_TX_RECEIVED), 1);
    ck_assert_uint_eq(proto_state_account(pbft_node_state(H.node[0]), 0)->nonce, 1);
    for (guint i = 0; i < G_N_ELEMENTS(all); i++)
        g_bytes_unref(all[i]);

    /* Evidence it relays is checked too: signed by the wrong key,
     * rejected; well signed, passed (and kept nowhere). */
    for (int forged = 0; forged <= 1; forged++) {
        pbft_vote x = {.phase = PBFT_PHASE_PREPARE, .seq = 1, .validator = 2};
        pbft_vote y = x;
        memset(x.digest.bytes, 0x11, sizeof x.digest.bytes);
        memset(y.digest.bytes, 0x22, sizeof y.digest.bytes);
        pbft_vote_sign(&x, H.params.chain_id, H.crypto, &H.vkeys[2]);
        pbft_vote_sign(&y, H.params.chain_id, H.crypto, &H.vkeys[forged ? 3 : 2]);
        pbft_evidence e;
        ck_assert(pbft_evidence_make(&x, &y, &e));
        GBytes *ew = pbft_evidence_encode(&e);
        guint before = hub_rejected(&H, 4, PROTO_REJECT_SIGNATURE);
        guint quiet = hub_events(&H, 5, PROTO_EV_MSG_REJECTED);
        hub_inject(&H, 5, 4, ew);
        hub_inject(&H, 4, 5, ew); /* no overlay: ignored, as before */
        ck_assert_uint_eq(hub_rejected(&H, 4, PROTO_REJECT_SIGNATURE), before + forged);
        ck_assert_uint_eq(hub_events(&H, 5, PROTO_EV_MSG_REJECTED), quiet);
        ck_assert_uint_eq(hub_events(&H, 4, PROTO_EV_EVIDENCE), 0);
        g_bytes_unref(ew);
    }
    hub_clear(&H);
}
END_TEST

static GBytes *signed_prepare(uint32_t signer, uint64_t seq, uint8_t digest_tag)
{
    pbft_vote v = {.phase = PBFT_PHASE_PREPARE, .view = 0, .seq = seq, .validator = signer};
    memset(v.digest.bytes, digest_tag, sizeof v.digest.bytes);
    pbft_vote_sign(&v, H.params.chain_id, H.crypto, &H.vkeys[signer]);
    return pbft_msg_vote_encode(PROTO_MSG_PBFT_PREPARE, &v);
}

START_TEST(evidence_and_validator_operations_go_to_the_validators)
{
    hub_init(&H, 4, 1, 5);
    overlay_all();
    set_now(HUB_SEC(0.5));
    GBytes *a = signed_prepare(2, 1, 0xAA);
    GBytes *b = signed_prepare(2, 1, 0xBB);
    hub_inject(&H, 2, 0, a);
    hub_inject(&H, 2, 0, b);
    hub_run_until(&H, HUB_SEC(0.6));
    for (uint32_t v = 0; v < 4; v++)
        ck_assert_uint_eq(hub_events(&H, v, PROTO_EV_EVIDENCE), 1);
    ck_assert_uint_ge(hub_broadcasts(&H, PROTO_SCOPE_VALIDATORS, PROTO_MSG_PBFT_EVIDENCE), 1);
    ck_assert_uint_eq(H.unicasts[PROTO_MSG_PBFT_EVIDENCE], 0);
    proto_keypair fresh;
    proto_keypair_derive(&fresh, 77, "rotated/1");
    pbft_node_ops.rotate_key(H.node[1], &fresh);
    hub_run_until(&H, HUB_SEC(0.7));
    /* The operator's ROTATE_KEY is a transaction: broadcast like one. */
    ck_assert_uint_ge(hub_broadcasts(&H, PROTO_SCOPE_VALIDATORS, PROTO_MSG_TX), 1);
    ck_assert_uint_eq(H.unicasts[PROTO_MSG_TX], 0);
    g_bytes_unref(a);
    g_bytes_unref(b);
    hub_clear(&H);
}
END_TEST

/* Bytes the heap holds now (small blocks and mmapped ones). */
static size_t heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

START_TEST(memory_does_not_grow_with_the_network)
{
    hub_init(&H, 4, 1, 5);
    /* Validators at scattered addresses of a 100,000-node network. */
    proto_node_id vnodes[4] = {50000, 7, 99990, 3};
    H.params.validator_nodes = vnodes;
    H.params.nodes_count = 100000;
    fake_env env;
    fake_env_init(&env);
    size_t before = heap_in_use();
    pbft_node *n = pbft_node_new(&H.params, 99999, -1, NULL, &env.env);
    size_t grown = heap_in_use() - before;
    /* The old per-network arrays alone were 21 bytes per node: 2.1 MB. */
    ck_assert_msg(grown < 64 * 1024, "a full node took %zu bytes", grown);
    for (uint32_t v = 0; v < 4; v++)
        ck_assert(pbft_is_validator_node(n, vnodes[v]));
    ck_assert(!pbft_is_validator_node(n, 0));
    ck_assert(!pbft_is_validator_node(n, 50001));
    ck_assert(!pbft_is_validator_node(n, 99999));

    /* Garbage from 3,000 senders at once: records stay bounded. */
    static const uint8_t junk[] = {PROTO_MSG_PBFT_DECIDED, 9};
    GBytes *garbage = g_bytes_new(junk, sizeof junk);
    g_array_set_size(env.events, 4000); /* the recording's own memory, up front */
    g_array_set_size(env.events, 0);
    before = heap_in_use();
    for (uint32_t k = 0; k < 3000; k++)
        pbft_node_ops.on_message(n, 90000 + 3 * k, garbage);
    ck_assert_uint_eq(fake_env_count_events(&env, PROTO_EV_MSG_REJECTED), 3000);
    ck_assert_uint_eq(pbft_peer_records_count(n), PBFT_PEER_RECORDS_MAX);
    grown = heap_in_use() - before;
    ck_assert_msg(grown < 256 * 1024, "reject records took %zu bytes", grown);

    /* A second later they carry nothing; a flooder is still caught. */
    env.now_ns += HUB_SEC(1.5);
    fake_env_reset_records(&env);
    for (uint32_t k = 0; k < 80; k++)
        pbft_node_ops.on_message(n, 99998, garbage);
    ck_assert_uint_eq(fake_env_count_events(&env, PROTO_EV_MSG_REJECTED),
                      PBFT_REJECTS_PER_S_MAX + 1);
    ck_assert_uint_eq(fake_env_count_events(&env, PROTO_EV_PEER_BANNED), 1);
    ck_assert_uint_eq(pbft_peer_records_count(n), 1);
    /* Others are heard; the ban lapses. */
    pbft_node_ops.on_message(n, 12345, garbage);
    ck_assert_uint_eq(fake_env_count_events(&env, PROTO_EV_MSG_REJECTED),
                      PBFT_REJECTS_PER_S_MAX + 2);
    env.now_ns += PBFT_BAN_NS;
    pbft_node_ops.on_message(n, 99998, garbage);
    ck_assert_uint_eq(fake_env_count_events(&env, PROTO_EV_MSG_REJECTED),
                      PBFT_REJECTS_PER_S_MAX + 3);
    g_bytes_unref(garbage);
    pbft_node_ops.free(n);
    fake_env_clear(&env);
    hub_clear(&H);
}
END_TEST

static Suite *pbft_mesh_suite(void)
{
    Suite *s = suite_create("pbft_mesh");
    TCase *tc = tcase_create("overlay");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, decided_and_transactions_go_over_the_overlay);
    tcase_add_test(tc, stalled_full_node_asks_a_peer);
    tcase_add_test(tc, restarted_full_node_asks_a_peer);
    tcase_add_test(tc, relayed_transactions_are_checked_at_full_nodes);
    tcase_add_test(tc, evidence_and_validator_operations_go_to_the_validators);
    tcase_add_test(tc, memory_does_not_grow_with_the_network);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(pbft_mesh_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
