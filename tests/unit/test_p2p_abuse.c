/* Unit tests for the P2P layer against misbehaving peers (rate limits,
 * scores and bans: protocol/p2p/p2p_node.c, p2p_score.c), on the
 * deterministic hub with hostile bytes injected as from a peer.
 *
 * A peer sending ten times its message budget is throttled and banned
 * (PEER_BANNED, disconnected for RATE) within a few seconds while the
 * honest gossip keeps arriving; a banned node's messages and HELLOs are
 * dropped until the ban ends. Malformed p2p messages ban for SCORE;
 * invalid consensus bytes, a gossip message sent twice, unsolicited
 * PEERS, IWANTs for nothing and repeated IWANTs (served once) cost score;
 * non-peers are not heard. */
#include <check.h>

#include "protocol/core/msgtype.h"
#include "protocol/p2p/p2p.h"
#include "protocol/p2p/p2p_msg.h"
#include "support/p2p_hub.h"

#define VALIDATORS 4
#define FULL 16
#define TARGET 6

static p2p_hub *hub_formed(uint64_t seed, uint32_t msgs_per_s)
{
    p2p_hub *h = g_new0(p2p_hub, 1);
    p2p_hub_init(h, seed, VALIDATORS, FULL, 8);
    h->params.msgs_per_s_max = msgs_per_s;
    p2p_hub_start_all(h);
    p2p_hub_run_until(h, P2P_HUB_SEC(15));
    return h;
}

static void hub_free(p2p_hub *h)
{
    p2p_hub_clear(h);
    g_free(h);
}

static proto_node_id some_peer(const p2p_hub *h, uint32_t i)
{
    proto_node_id peers[P2P_HUB_NODES_MAX];
    uint32_t count = p2p_node_peers(p2p_hub_p2p(h, i), peers, P2P_HUB_NODES_MAX);
    ck_assert_uint_gt(count, 0);
    for (uint32_t k = 0; k < count; k++)
        if (peers[k] >= VALIDATORS)
            return peers[k];
    return peers[0];
}

static proto_node_id some_stranger(const p2p_hub *h, uint32_t i)
{
    for (uint32_t k = h->nodes; k-- > 0;)
        if (k != i && !p2p_hub_node_has_peer(p2p_hub_p2p(h, i), k))
            return k;
    ck_abort_msg("node %u peers with everyone", i);
    return 0;
}

static const proto_event *last_event(const p2p_hub *h, uint32_t i, proto_event_kind kind,
                                     proto_node_id from)
{
    const GArray *ev = h->node[i].events;
    for (guint k = ev->len; k-- > 0;) {
        const proto_event *e = &g_array_index(ev, proto_event, k);
        if (e->kind == kind && e->from == from)
            return e;
    }
    return NULL;
}

START_TEST(test_flood_throttled_and_banned)
{
    p2p_hub *h = hub_formed(21, 100);
    proto_node_id attacker = some_peer(h, TARGET);
    const uint32_t speaker = VALIDATORS + FULL - 1;
    GBytes *junk = p2p_hub_payload(PROTO_MSG_TX, 5, 120);
    int64_t start = h->now_ns;
    int64_t banned_at = -1;
    p2p_id honest[50];
    uint32_t honest_count = 0;
    /* 1000 messages/s (10x the budget) for 5 s; honest gossip at 10/s. */
    for (uint32_t ms = 0; ms < 5000; ms++) {
        p2p_hub_run_until(h, start + (int64_t)ms * 1000000);
        p2p_hub_inject(h, attacker, TARGET, junk);
        if (ms % 100 == 0) {
            GBytes *m = p2p_hub_payload(PROTO_MSG_TX, 1000 + ms, 200);
            const proto_env *env = p2p_hub_inner_env(h, speaker);
            env->broadcast(env->ctx, PROTO_SCOPE_ALL, m);
            p2p_id_of(&honest[honest_count++], g_bytes_get_data(m, NULL), 200);
            g_bytes_unref(m);
        }
        if (banned_at < 0 && p2p_node_banned(p2p_hub_p2p(h, TARGET), attacker))
            banned_at = h->now_ns;
    }
    p2p_hub_run_for(h, P2P_HUB_SEC(1));
    const p2p_stats *st = p2p_node_stats(p2p_hub_p2p(h, TARGET));
    ck_assert_msg(banned_at >= 0, "never banned");
    ck_assert_msg(banned_at - start <= P2P_HUB_SEC(3), "banned after %lld ns",
                  (long long)(banned_at - start));
    ck_assert_uint_gt(st->throttled, 500);
    ck_assert_uint_eq(st->bans, 1);
    ck_assert_uint_gt(st->dropped_not_peer, 1000); /* the rest of the flood */
    ck_assert_ptr_nonnull(last_event(h, TARGET, PROTO_EV_PEER_BANNED, attacker));
    const proto_event *d = last_event(h, TARGET, PROTO_EV_PEER_DISCONNECTED, attacker);
    ck_assert_ptr_nonnull(d);
    ck_assert_int_eq(d->p2p_reason, PROTO_P2P_REASON_RATE);
    ck_assert(!p2p_hub_node_has_peer(p2p_hub_p2p(h, TARGET), attacker));
    /* GOODBYE(BANNED) reached the attacker's side too. */
    ck_assert(!p2p_hub_node_has_peer(p2p_hub_p2p(h, attacker), TARGET));
    for (uint32_t k = 0; k < honest_count; k++)
        ck_assert_msg(p2p_hub_received(h, TARGET, &honest[k]) == 1, "honest message %u lost", k);
    /* Nobody else banned anybody. */
    for (uint32_t i = 0; i < h->nodes; i++)
        if (i != TARGET)
            ck_assert_uint_eq(p2p_node_stats(p2p_hub_p2p(h, i))->bans, 0);
    g_bytes_unref(junk);
    hub_free(h);
}
END_TEST

START_TEST(test_malformed_bans_until_expiry)
{
    p2p_hub *h = hub_formed(22, 5000);
    proto_node_id peer = some_peer(h, TARGET);
    uint8_t bad_ping[] = {PROTO_MSG_P2P_PING, 1, 2, 3};
    GBytes *bad = g_bytes_new(bad_ping, sizeof bad_ping);
    uint64_t malformed = p2p_node_stats(p2p_hub_p2p(h, TARGET))->malformed;
    for (int k = 0; k < 9; k++)
        p2p_hub_inject(h, peer, TARGET, bad);
    ck_assert(!p2p_node_banned(p2p_hub_p2p(h, TARGET), peer));
    ck_assert_int_eq(p2p_node_peer_score(p2p_hub_p2p(h, TARGET), peer), -900);
    /* The tenth reaches score_ban (-1000); what follows is not read. */
    for (int k = 0; k < 3; k++)
        p2p_hub_inject(h, peer, TARGET, bad);
    ck_assert(p2p_node_banned(p2p_hub_p2p(h, TARGET), peer));
    ck_assert_uint_eq(p2p_node_stats(p2p_hub_p2p(h, TARGET))->malformed, malformed + 10);
    const proto_event *d = last_event(h, TARGET, PROTO_EV_PEER_DISCONNECTED, peer);
    ck_assert_int_eq(d->p2p_reason, PROTO_P2P_REASON_SCORE);
    /* A banned node is not heard, not even its HELLO. */
    GBytes *hello = p2p_hello_encode(false);
    uint64_t dropped = p2p_node_stats(p2p_hub_p2p(h, TARGET))->dropped_not_peer;
    p2p_hub_inject(h, peer, TARGET, hello);
    p2p_hub_run_for(h, P2P_HUB_SEC(1));
    ck_assert(!p2p_hub_node_has_peer(p2p_hub_p2p(h, TARGET), peer));
    ck_assert_uint_gt(p2p_node_stats(p2p_hub_p2p(h, TARGET))->dropped_not_peer, dropped);
    /* After ban_ns it may come back. */
    p2p_hub_run_for(h, h->params.ban_ns);
    ck_assert(!p2p_node_banned(p2p_hub_p2p(h, TARGET), peer));
    if (!p2p_hub_node_has_peer(p2p_hub_p2p(h, TARGET), peer)) {
        p2p_hub_inject(h, peer, TARGET, hello);
        ck_assert(p2p_hub_node_has_peer(p2p_hub_p2p(h, TARGET), peer));
    }
    g_bytes_unref(hello);
    g_bytes_unref(bad);
    hub_free(h);
}
END_TEST

START_TEST(test_offences_cost_score)
{
    p2p_hub *h = hub_formed(23, 5000);
    p2p_node *t = p2p_hub_p2p(h, TARGET);
    proto_node_id peer = some_peer(h, TARGET);
    /* Let scores from formation decay to 0 first. */
    p2p_hub_run_for(h, P2P_HUB_SEC(40));
    ck_assert_int_eq(p2p_node_peer_score(t, peer), 0);
    int64_t beat = h->params.heartbeat_ns;
    p2p_hub_run_until(h, (h->now_ns / beat + 1) * beat + beat / 2); /* not at a heartbeat */

    /* A consensus message with bad bytes, sent directly. */
    GBytes *bad = p2p_hub_payload(P2P_HUB_BAD, 1, 50);
    p2p_hub_inject(h, peer, TARGET, bad);
    ck_assert_int_eq(p2p_node_peer_score(t, peer), -100);
    /* A gossip message, first (reward) then again (penalty). */
    GBytes *inner = p2p_hub_payload(PROTO_MSG_TX, 2, 50);
    GBytes *env = p2p_gossip_encode(PROTO_SCOPE_ALL, inner);
    p2p_hub_inject(h, peer, TARGET, env);
    ck_assert_int_eq(p2p_node_peer_score(t, peer), -99);
    p2p_hub_inject(h, peer, TARGET, env);
    ck_assert_int_eq(p2p_node_peer_score(t, peer), -109);
    /* PEERS nobody asked for; IWANT for nothing held. */
    p2p_addrs a = {.count = 1, .ids = {3}};
    GBytes *peers = p2p_peers_encode(&a);
    p2p_hub_inject(h, peer, TARGET, peers);
    ck_assert_int_eq(p2p_node_peer_score(t, peer), -119);
    p2p_id nothing = {{9}};
    GBytes *iwant = p2p_ids_encode(PROTO_MSG_P2P_IWANT, &nothing, 1);
    p2p_hub_inject(h, peer, TARGET, iwant);
    ck_assert_int_eq(p2p_node_peer_score(t, peer), -129);
    ck_assert(p2p_hub_node_has_peer(t, peer));
    /* A non-peer is not heard at all. */
    proto_node_id stranger = some_stranger(h, TARGET);
    uint32_t rx = h->node[TARGET].received->len;
    GBytes *direct = p2p_hub_payload(PROTO_MSG_GET_BLOCKS, 3, 30);
    p2p_hub_inject(h, stranger, TARGET, direct);
    p2p_hub_inject(h, stranger, TARGET, env);
    ck_assert_uint_eq(h->node[TARGET].received->len, rx);
    /* An IWANT for a held message is served once; asking again costs. */
    GBytes *big = p2p_hub_payload(PROTO_MSG_PBFT_DECIDED, 4, 10000);
    const proto_env *tenv = p2p_hub_inner_env(h, TARGET);
    tenv->broadcast(tenv->ctx, PROTO_SCOPE_ALL, big);
    p2p_id big_id;
    p2p_id_of(&big_id, g_bytes_get_data(big, NULL), 10000);
    GBytes *want_big = p2p_ids_encode(PROTO_MSG_P2P_IWANT, &big_id, 1);
    uint64_t served = p2p_node_stats(t)->iwant_served;
    p2p_hub_inject(h, peer, TARGET, want_big);
    ck_assert_int_eq(p2p_node_peer_score(t, peer), -129);
    p2p_hub_inject(h, peer, TARGET, want_big);
    ck_assert_int_eq(p2p_node_peer_score(t, peer), -139);
    ck_assert_uint_eq(p2p_node_stats(t)->iwant_served, served + 1);
    g_bytes_unref(big);
    g_bytes_unref(want_big);
    /* Scores decay back towards 0. */
    p2p_hub_run_for(h, P2P_HUB_SEC(60));
    ck_assert_int_eq(p2p_node_peer_score(t, peer), 0);
    g_bytes_unref(bad);
    g_bytes_unref(inner);
    g_bytes_unref(env);
    g_bytes_unref(peers);
    g_bytes_unref(iwant);
    g_bytes_unref(direct);
    hub_free(h);
}
END_TEST

static Suite *p2p_abuse_suite(void)
{
    Suite *s = suite_create("p2p_abuse");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_flood_throttled_and_banned);
    tcase_add_test(tc, test_malformed_bans_until_expiry);
    tcase_add_test(tc, test_offences_cost_score);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(p2p_abuse_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
