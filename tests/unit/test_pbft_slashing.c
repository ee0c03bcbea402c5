/* PBFT accountability on real nodes (protocol/pbft/pbft_slashing.c,
 * pbft_valops.c, pbft_members.c) driven by the zero-latency hub:
 *   - equivocation evidence is committed in a block, slashes 1/20 of the
 *     stake, tombstones, removes the validator's power at h + delay, and
 *     never slashes twice; the chain goes on without it;
 *   - a crashed validator is jailed for downtime with a 1% slash, and
 *     unjails itself once restarted and the jail time is over;
 *   - a key rotation takes effect at its height: afterwards the new key's
 *     votes count, old-key votes are rejected as old_key, and a restarted
 *     node still signs with the new key;
 *   - a Byzantine primary cannot slash an honest validator with forged
 *     evidence: its block is refused and nobody is slashed;
 *   - evidence older than evidence_max_age is ignored;
 *   - a COMMIT the next proposer held before it committed with a peer's
 *     certificate (DECIDED) counts as signed in the next block's record
 *     (downtime accounting), though that certificate lacks it.
 * Every node's state must agree, and total supply (balances + bonded +
 * burned) never changes. */
#include <check.h>
#include <string.h>

#include "protocol/chain/valset.h"
#include "protocol/modules/validator/validator.h"
#include "protocol/core/msgtype.h"
#include "protocol/pbft/pbft_evidence.h"
#include "protocol/pbft/pbft_ext.h"
#include "protocol/pbft/pbft_msg.h"
#include "support/pbft_hub.h"

static pbft_hub H;
static uint64_t supply0;

static void setup(void)
{
    hub_init(&H, 4, 1, 5);
    supply0 = proto_state_total_supply(H.genesis);
}

static void teardown(void)
{
    hub_clear(&H);
}

static const proto_valset *valset_of(uint32_t node)
{
    return proto_validator_set(pbft_node_state(H.node[node]));
}

static void set_now(int64_t t)
{
    H.now_ns = t;
    for (uint32_t i = 0; i < H.nodes; i++)
        H.env[i].now_ns = t;
}

static guint count_events(uint32_t node, proto_event_kind kind, uint32_t validator)
{
    guint n = 0;
    GArray *ev = H.env[node].events;
    for (guint i = 0; i < ev->len; i++) {
        const proto_event *e = &g_array_index(ev, proto_event, i);
        n += e->kind == kind && e->validator == validator;
    }
    return n;
}

static const proto_event *find_event(uint32_t node, proto_event_kind kind, uint32_t validator)
{
    GArray *ev = H.env[node].events;
    for (guint i = 0; i < ev->len; i++) {
        const proto_event *e = &g_array_index(ev, proto_event, i);
        if (e->kind == kind && e->validator == validator)
            return e;
    }
    return NULL;
}

/* Live nodes agree on every committed hash, and every state conserves supply. */
static void assert_agreement(void)
{
    hub_assert_agreement(&H);
    for (uint32_t a = 0; a < H.nodes; a++) {
        if (H.node[a] != NULL)
            ck_assert_uint_eq(proto_state_total_supply(pbft_node_state(H.node[a])), supply0);
    }
}

static GBytes *prepare_by(const proto_keypair *key, uint32_t validator, uint64_t seq,
                          uint64_t view, uint8_t tag)
{
    pbft_vote v = {.phase = PBFT_PHASE_PREPARE, .view = view, .seq = seq, .validator = validator};
    memset(v.digest.bytes, tag, sizeof v.digest.bytes);
    pbft_vote_sign(&v, H.params.chain_id, H.crypto, key);
    return pbft_msg_vote_encode(PROTO_MSG_PBFT_PREPARE, &v);
}

static void equivocate(uint32_t validator, uint64_t seq, uint32_t to)
{
    GBytes *a = prepare_by(&H.vkeys[validator], validator, seq, 0, 0xA1);
    GBytes *b = prepare_by(&H.vkeys[validator], validator, seq, 0, 0xB2);
    hub_inject(&H, validator, to, a);
    hub_inject(&H, validator, to, b);
    g_bytes_unref(a);
    g_bytes_unref(b);
}

START_TEST(equivocation_is_slashed_once)
{
    set_now(HUB_SEC(0.5));
    equivocate(2, 1, 0);
    ck_assert_uint_eq(hub_events(&H, 0, PROTO_EV_EVIDENCE), 1);
    hub_run_until(&H, HUB_SEC(8));
    uint32_t delay = proto_slashing_defaults().update_delay;
    for (uint32_t i = 0; i < H.nodes; i++) {
        ck_assert_uint_eq(count_events(i, PROTO_EV_SLASHED, 2), 1);
        const proto_event *e = find_event(i, PROTO_EV_SLASHED, 2);
        ck_assert_uint_eq(e->slash_reason, PROTO_SLASH_DOUBLE_SIGN);
        ck_assert_uint_eq(e->evidence_height, 1);
        ck_assert_uint_eq(e->amount, 5); /* 100 * 1/20 */
        ck_assert_uint_eq(e->effective_height, e->height + delay);
        ck_assert_uint_le(e->height, 3); /* the next proposers include it */
        const proto_validator *v2 = proto_valset_get(valset_of(i), 2);
        ck_assert(v2->tombstoned && v2->jailed);
        ck_assert_uint_eq(v2->tokens, 95);
        ck_assert_uint_eq(proto_valset_power_at(valset_of(i), 2, e->effective_height), 0);
        ck_assert_uint_eq(proto_valset_power_at(valset_of(i), 2, e->effective_height - 1), 100);
    }
    uint64_t h = hub_committed(&H, 0);
    ck_assert_uint_ge(h, 6);
    /* It equivocates again: nothing new to punish, nothing slashed twice. */
    set_now(H.now_ns + HUB_SEC(0.1));
    equivocate(2, h + 1, 1);
    hub_run_until(&H, HUB_SEC(16));
    for (uint32_t i = 0; i < H.nodes; i++)
        ck_assert_uint_eq(count_events(i, PROTO_EV_SLASHED, 2), 1);
    /* The three others keep finalizing (v2's turns are skipped). */
    ck_assert_uint_ge(hub_committed(&H, 0), h + 5);
    ck_assert_uint_eq(count_events(0, PROTO_EV_SLASHED, 0) + count_events(0, PROTO_EV_SLASHED, 1) +
                          count_events(0, PROTO_EV_SLASHED, 3),
                      0);
    assert_agreement();
}
END_TEST

START_TEST(downtime_jails_and_the_node_unjails_itself)
{
    hub_crash(&H, 3);
    const proto_slashing_params p = proto_slashing_defaults();
    int64_t t = 0;
    while (count_events(0, PROTO_EV_SLASHED, 3) == 0 && t < HUB_SEC(400)) {
        t += HUB_SEC(5);
        hub_run_until(&H, t);
    }
    const proto_event *e = find_event(0, PROTO_EV_SLASHED, 3);
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->slash_reason, PROTO_SLASH_DOWNTIME);
    ck_assert_uint_eq(e->amount, 1); /* 1% of 100 */
    /* Jailed only once the window is full: height > start + window. */
    ck_assert_uint_gt(e->evidence_height, p.downtime.window);
    const proto_validator *v3 = proto_valset_get(valset_of(0), 3);
    ck_assert(v3->jailed && !v3->tombstoned);
    int64_t until = v3->jailed_until_ns;
    ck_assert_int_eq(until, e->proposed_ns + p.downtime.jail_duration_ns);
    /* Nobody else missed anything. */
    for (uint32_t v = 0; v < 3; v++)
        ck_assert_uint_eq(count_events(0, PROTO_EV_SLASHED, v), 0);
    /* Back up: it catches up, waits out the jail, and unjails itself. */
    hub_start(&H, 3);
    while (count_events(0, PROTO_EV_UNJAILED, 3) == 0 && t < until + HUB_SEC(60)) {
        t += HUB_SEC(2);
        hub_run_until(&H, t);
    }
    const proto_event *u = find_event(0, PROTO_EV_UNJAILED, 3);
    ck_assert_ptr_nonnull(u);
    ck_assert_int_ge(u->proposed_ns, until);
    hub_run_until(&H, t + HUB_SEC(10));
    ck_assert(!proto_valset_get(valset_of(0), 3)->jailed);
    ck_assert_uint_eq(proto_valset_power_at(valset_of(0), 3, hub_committed(&H, 0)), 99);
    ck_assert_uint_eq(count_events(0, PROTO_EV_SLASHED, 3), 1);
    assert_agreement();
}
END_TEST

START_TEST(key_rotation_takes_effect_and_old_key_is_refused)
{
    hub_run_until(&H, HUB_SEC(2.5));
    proto_keypair fresh;
    proto_keypair_derive(&fresh, 5, "validator/1/rotation/1");
    pbft_node_ops.rotate_key(H.node[1], &fresh);
    hub_run_until(&H, HUB_SEC(8));
    const proto_event *r = find_event(0, PROTO_EV_KEY_ROTATED, 1);
    ck_assert_ptr_nonnull(r);
    uint64_t from = r->effective_height;
    ck_assert_uint_eq(from, r->height + proto_slashing_defaults().update_delay);
    ck_assert_mem_eq(proto_valset_key_at(valset_of(0), 1, from)->bytes, fresh.pk.bytes, 32);
    ck_assert_mem_eq(proto_valset_key_at(valset_of(0), 1, from - 1)->bytes, H.vkeys[1].pk.bytes,
                     32);
    /* With v2 down, no quorum forms without v1's new-key votes. */
    hub_crash(&H, 2);
    uint64_t before = hub_committed(&H, 0);
    ck_assert_uint_ge(before, from);
    hub_run_until(&H, HUB_SEC(30));
    ck_assert_uint_ge(hub_committed(&H, 0), before + 3);
    /* A vote signed with the old key for a current height: refused. */
    uint64_t next = hub_committed(&H, 0) + 1;
    GBytes *old = prepare_by(&H.vkeys[1], 1, next, pbft_node_view(H.node[0]), 0x5A);
    guint old_before = hub_rejected(&H, 0, PROTO_REJECT_OLD_KEY);
    hub_inject(&H, 1, 0, old);
    ck_assert_uint_eq(hub_rejected(&H, 0, PROTO_REJECT_OLD_KEY), old_before + 1);
    g_bytes_unref(old);
    /* A crash loses nothing: the new key comes back from the store. */
    hub_crash(&H, 1);
    hub_start(&H, 1);
    uint64_t again = hub_committed(&H, 0);
    hub_run_until(&H, HUB_SEC(60));
    ck_assert_uint_ge(hub_committed(&H, 0), again + 3);
    ck_assert_uint_eq(count_events(0, PROTO_EV_SLASHED, 1), 0);
    assert_agreement();
}
END_TEST

START_TEST(evidence_older_than_the_age_limit_is_ignored)
{
    /* v2 equivocated at height 1, but nobody saw it until the chain is
     * more than evidence_max_age blocks further. */
    uint64_t age = proto_slashing_defaults().evidence_max_age;
    GBytes *a = prepare_by(&H.vkeys[2], 2, 1, 0, 0xA1);
    GBytes *b = prepare_by(&H.vkeys[2], 2, 1, 0, 0xB2);
    int64_t t = 0;
    while (hub_committed(&H, 0) < age + 2 && t < HUB_SEC(600)) {
        t += HUB_SEC(10);
        hub_run_until(&H, t);
    }
    ck_assert_uint_ge(hub_committed(&H, 0), age + 2);
    pbft_vote va, vb;
    ck_assert(pbft_msg_vote_decode(a, &va));
    ck_assert(pbft_msg_vote_decode(b, &vb));
    pbft_evidence e;
    ck_assert(pbft_evidence_make(&va, &vb, &e));
    GBytes *wire = pbft_evidence_encode(&e);
    for (uint32_t v = 0; v < 4; v++)
        hub_inject(&H, 3, v, wire);
    hub_run_until(&H, t + HUB_SEC(10));
    for (uint32_t i = 0; i < H.nodes; i++) {
        ck_assert_uint_eq(hub_events(&H, i, PROTO_EV_EVIDENCE), 0);
        ck_assert_uint_eq(count_events(i, PROTO_EV_SLASHED, 2), 0);
    }
    ck_assert(!proto_valset_get(valset_of(0), 2)->tombstoned);
    assert_agreement();
    g_bytes_unref(wire);
    g_bytes_unref(a);
    g_bytes_unref(b);
}
END_TEST

/* Drop v1's PRE-PREPARE for height 2 everywhere and keep its body. */
static GBytes *held_body;

static bool hold_height2(pbft_hub *h, proto_node_id from, proto_node_id to, GBytes *wire)
{
    (void)h;
    (void)to;
    GBytes *body = from == 1 ? hub_preprepare_block(wire, 2) : NULL;
    if (body == NULL)
        return false;
    if (held_body == NULL)
        held_body = g_bytes_ref(body);
    g_bytes_unref(body);
    return true;
}

START_TEST(forged_evidence_slashes_nobody)
{
    held_body = NULL;
    H.filter = hold_height2;
    hub_run_until(&H, HUB_SEC(2.2));
    H.filter = NULL;
    ck_assert_ptr_nonnull(held_body);
    proto_block *b = proto_block_decode_all(g_bytes_get_data(held_body, NULL),
                                            g_bytes_get_size(held_body), UINT32_MAX);
    ck_assert_ptr_nonnull(b);
    /* v1 (primary) adds "evidence" against honest v3: two votes v3 never
     * signed (v1 signs them), then re-signs its block. */
    pbft_ext ext;
    ck_assert(pbft_ext_decode(b->ext, &ext));
    ck_assert(ext.has_last_commit);
    pbft_vote x = {.phase = PBFT_PHASE_COMMIT, .seq = 1, .validator = 3};
    memset(x.digest.bytes, 0x01, 32);
    pbft_vote y = x;
    memset(y.digest.bytes, 0x02, 32);
    pbft_vote_sign(&x, H.params.chain_id, H.crypto, &H.vkeys[1]);
    pbft_vote_sign(&y, H.params.chain_id, H.crypto, &H.vkeys[1]);
    pbft_evidence forged;
    ck_assert(pbft_evidence_make(&x, &y, &forged));
    g_array_append_val(ext.evidence, forged);
    g_bytes_unref(b->ext);
    b->ext = pbft_ext_encode(&ext);
    pbft_ext_clear(&ext);
    proto_block_seal_txs(b);
    proto_block_sign(b, H.params.chain_id, H.crypto, &H.vkeys[1]);
    GBytes *pp = pbft_msg_preprepare_encode(0, b);
    for (uint32_t v = 0; v < 4; v++) {
        if (v != 1)
            hub_inject(&H, 1, v, pp);
    }
    ck_assert_uint_ge(hub_rejected(&H, 0, PROTO_REJECT_STATE_ROOT), 1);
    hub_run_until(&H, HUB_SEC(20));
    ck_assert_uint_ge(hub_committed(&H, 0), 4); /* a view change moves past it */
    for (uint32_t i = 0; i < H.nodes; i++) {
        for (uint32_t v = 0; v < 4; v++)
            ck_assert_uint_eq(count_events(i, PROTO_EV_SLASHED, v), 0);
    }
    assert_agreement();
    g_bytes_unref(pp);
    proto_block_free(b);
    g_bytes_unref(held_body);
}
END_TEST

/* Height 2's COMMITs: v0's never reaches v1 (the primary), v3's and v1's
 * never reach v2 (the next primary). v1 commits with {v1, v2, v3}; v2
 * holds only v0's and its own, so it commits on v1's DECIDED. */
static bool commit2_only_v0_to_v3(pbft_hub *h, proto_node_id from, proto_node_id to, GBytes *wire)
{
    (void)h;
    pbft_vote v;
    if (g_bytes_get_size(wire) == 0 ||
        *(const uint8_t *)g_bytes_get_data(wire, NULL) != PROTO_MSG_PBFT_COMMIT ||
        !pbft_msg_vote_decode(wire, &v) || v.seq != 2)
        return false;
    return (from == 0 && to == 1) || (to == 2 && (from == 3 || from == 1));
}

static bool proposed_by(uint32_t node, uint64_t height)
{
    GArray *ev = H.env[node].events;
    for (guint i = 0; i < ev->len; i++) {
        const proto_event *e = &g_array_index(ev, proto_event, i);
        if (e->kind == PROTO_EV_BLOCK_PROPOSED && e->height == height)
            return true;
    }
    return false;
}

START_TEST(a_commit_held_before_a_peers_certificate_counts_as_signed)
{
    /* The next proposer commits height 2 with the certificate a peer sent,
     * which lacks v0; v0's COMMIT had reached it before. Block 3's record
     * of who signed height 2 must still name v0: it did not miss it. On an
     * overlay, as in a mesh, the primary broadcasts DECIDED to everyone. */
    for (uint32_t i = 0; i < H.nodes; i++) {
        proto_node_id peers[HUB_NODES_MAX];
        uint32_t count = 0;
        for (uint32_t j = 0; j < H.nodes; j++) {
            if (j != i)
                peers[count++] = j;
        }
        hub_set_overlay(&H, i, peers, count);
    }
    H.filter = commit2_only_v0_to_v3;
    hub_run_until(&H, HUB_SEC(3.5));
    H.filter = NULL;
    ck_assert(proposed_by(1, 2) && proposed_by(2, 3));
    for (uint32_t i = 0; i < H.nodes; i++) {
        ck_assert_uint_ge(hub_committed(&H, i), 3);
        const proto_validator *v0 = proto_valset_get(valset_of(i), 0);
        ck_assert_uint_eq(v0->signing.index_offset, 2); /* heights 1 and 2 recorded */
        ck_assert_uint_eq(v0->signing.missed_count, 0);
    }
    assert_agreement();
}
END_TEST

static Suite *slashing_suite(void)
{
    Suite *s = suite_create("pbft_slashing");
    TCase *tc = tcase_create("node");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, equivocation_is_slashed_once);
    tcase_add_test(tc, downtime_jails_and_the_node_unjails_itself);
    tcase_add_test(tc, key_rotation_takes_effect_and_old_key_is_refused);
    tcase_add_test(tc, forged_evidence_slashes_nobody);
    tcase_add_test(tc, evidence_older_than_the_age_limit_is_ignored);
    tcase_add_test(tc, a_commit_held_before_a_peers_certificate_counts_as_signed);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(slashing_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
