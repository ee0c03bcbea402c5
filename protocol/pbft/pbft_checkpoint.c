/* PBFT checkpoints: stable checkpoints, watermarks, garbage collection.
 *
 * After committing a height divisible by checkpoint_interval a validator
 * multicasts CHECKPOINT(height, block hash). Votes with a quorum of stake
 * for one (height, hash) form the stable-checkpoint certificate: the low
 * watermark moves there, older checkpoint votes are dropped, and a node
 * whose committed height is below it knows it fell behind and catches up.
 * Our own latest checkpoint vote is re-sent with every commit until it is
 * stable, so a lost message cannot hold the watermark back for good. */
#include "protocol/pbft/pbft_internal.h"

#include "protocol/core/msgtype.h"

static GArray *votes_for(pbft_node *n, uint64_t seq, bool create)
{
    GArray *votes = g_hash_table_lookup(n->ckpt_votes, &seq);
    if (votes == NULL && create) {
        votes = g_array_new(FALSE, FALSE, sizeof(pbft_vote));
        uint64_t *key = g_new(uint64_t, 1);
        *key = seq;
        g_hash_table_insert(n->ckpt_votes, key, votes);
    }
    return votes;
}

static gboolean votes_at_or_below(gpointer key, gpointer value, gpointer limit)
{
    return *(const uint64_t *)key <= *(const uint64_t *)limit;
}

void pbft_checkpoint_init(pbft_node *n)
{
    n->ckpt_votes = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                          (GDestroyNotify)g_array_unref);
    pbft_cert_init(&n->stable_cert, PBFT_PHASE_CHECKPOINT, 0, 0, &n->genesis_hash);
}

void pbft_checkpoint_clear(pbft_node *n)
{
    g_hash_table_unref(n->ckpt_votes);
    pbft_cert_clear(&n->stable_cert);
    if (n->own_ckpt_wire != NULL)
        g_bytes_unref(n->own_ckpt_wire);
}

void pbft_checkpoint_adopt(pbft_node *n, const pbft_cert *cert, proto_node_id from)
{
    if (cert->seq <= n->stable_seq)
        return;
    n->stable_seq = cert->seq;
    pbft_cert_clear(&n->stable_cert);
    pbft_cert_copy(&n->stable_cert, cert);
    g_hash_table_foreach_remove(n->ckpt_votes, votes_at_or_below, &n->stable_seq);
    pbft_slots_gc(n, MIN(n->stable_seq, n->committed));
    proto_event ev = {.kind = PROTO_EV_CHECKPOINT_STABLE,
                      .height = cert->seq,
                      .hash = cert->digest.bytes};
    pbft_emit(n, &ev);
    if (n->committed < cert->seq)
        pbft_sync_learn(n, from, cert->seq);
}

/* A quorum for one digest at seq makes it stable. */
static void check_stable(pbft_node *n, uint64_t seq, proto_node_id from)
{
    GArray *votes = votes_for(n, seq, false);
    const pbft_members *m = pbft_members_at(n, seq);
    if (votes == NULL || m == NULL)
        return;
    for (guint i = 0; i < votes->len; i++) {
        const pbft_vote *a = &g_array_index(votes, pbft_vote, i);
        uint64_t stake = 0;
        for (guint j = 0; j < votes->len; j++) {
            const pbft_vote *b = &g_array_index(votes, pbft_vote, j);
            if (proto_hash_equal(&a->digest, &b->digest))
                stake += m->powers[b->validator];
        }
        if (!pbft_quorum_strong(&m->quorum, stake))
            continue;
        pbft_cert cert;
        pbft_cert_init(&cert, PBFT_PHASE_CHECKPOINT, 0, seq, &a->digest);
        for (guint j = 0; j < votes->len; j++) {
            const pbft_vote *b = &g_array_index(votes, pbft_vote, j);
            if (proto_hash_equal(&a->digest, &b->digest))
                pbft_cert_add(&cert, b->validator, &b->sig);
        }
        pbft_checkpoint_adopt(n, &cert, from);
        pbft_cert_clear(&cert);
        return;
    }
}

static bool add_vote(pbft_node *n, const pbft_vote *v)
{
    GArray *votes = votes_for(n, v->seq, true);
    for (guint i = 0; i < votes->len; i++) {
        if (g_array_index(votes, pbft_vote, i).validator == v->validator)
            return false;
    }
    g_array_append_val(votes, *v);
    return true;
}

void pbft_checkpoint_after_commit(pbft_node *n)
{
    if (!pbft_is_validator(n))
        return;
    uint64_t seq = n->committed;
    if (seq % n->p->checkpoint_interval != 0) {
        if (n->own_ckpt_wire != NULL && n->own_ckpt_seq > n->stable_seq)
            pbft_send_validators(n, n->own_ckpt_wire);
        return;
    }
    if (seq <= n->stable_seq || !pbft_self_has_power(n, seq))
        return;
    pbft_vote v = {.phase = PBFT_PHASE_CHECKPOINT,
                   .view = 0,
                   .seq = seq,
                   .digest = g_array_index(n->hashes, proto_hash, seq),
                   .validator = (uint32_t)n->validator_index};
    pbft_vote_sign(&v, n->p->chain_id, n->p->crypto, pbft_signing_key(n, seq));
    if (n->own_ckpt_wire != NULL)
        g_bytes_unref(n->own_ckpt_wire);
    n->own_ckpt_wire = pbft_msg_vote_encode(PROTO_MSG_PBFT_CHECKPOINT, &v);
    n->own_ckpt_seq = seq;
    pbft_send_validators(n, n->own_ckpt_wire);
    if (pbft_signs_as_chain_key(n, seq)) {
        add_vote(n, &v);
        check_stable(n, seq, n->self);
    }
}

void pbft_on_checkpoint(pbft_node *n, proto_node_id from, GBytes *wire)
{
    pbft_vote v;
    if (!pbft_msg_vote_decode(wire, &v) || v.validator >= n->p->validators_count ||
        v.view != 0 || v.seq == 0) {
        pbft_reject(n, from, PROTO_REJECT_DECODE);
        return;
    }
    if (v.seq <= n->stable_seq)
        return;
    /* Bound memory: nobody honest checkpoints far beyond our window. */
    if (v.seq > MAX(n->stable_seq, n->committed) + 4ull * n->p->checkpoint_interval) {
        pbft_sync_learn(n, from, v.seq);
        return;
    }
    if (pbft_members_at(n, v.seq) == NULL) {
        pbft_sync_learn(n, from, v.seq); /* its validator set is not fixed here yet */
        return;
    }
    proto_reject_reason reason = pbft_verify_vote(n, &v);
    if (reason != PROTO_REJECT_NONE) {
        pbft_reject(n, from, reason);
        return;
    }
    if (add_vote(n, &v))
        check_stable(n, v.seq, from);
}
