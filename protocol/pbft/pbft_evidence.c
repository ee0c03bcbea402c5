/* PBFT equivocation evidence: building, encoding, checking (see
 * pbft_evidence.h), and the node's evidence pool. */
#include "protocol/pbft/pbft_evidence.h"

#include <string.h>

#include "protocol/chain/valset.h"
#include "protocol/core/codec.h"
#include "protocol/core/msgtype.h"
#include "protocol/pbft/pbft_ext.h"
#include "protocol/pbft/pbft_internal.h"

bool pbft_evidence_make(const pbft_vote *x, const pbft_vote *y, pbft_evidence *out)
{
    if (x->validator != y->validator || x->phase != y->phase || x->view != y->view ||
        x->seq != y->seq || proto_hash_equal(&x->digest, &y->digest))
        return false;
    bool x_first = proto_hash_compare(&x->digest, &y->digest) < 0;
    out->a = x_first ? *x : *y;
    out->b = x_first ? *y : *x;
    return true;
}

void pbft_evidence_write(proto_writer *w, const pbft_evidence *e)
{
    proto_write_u8(w, e->a.phase);
    proto_write_u64(w, e->a.view);
    proto_write_u64(w, e->a.seq);
    proto_write_u32(w, e->a.validator);
    proto_write_raw(w, e->a.digest.bytes, PROTO_HASH_SIZE);
    proto_write_raw(w, e->a.sig.bytes, PROTO_SIG_SIZE);
    proto_write_raw(w, e->b.digest.bytes, PROTO_HASH_SIZE);
    proto_write_raw(w, e->b.sig.bytes, PROTO_SIG_SIZE);
}

GBytes *pbft_evidence_encode(const pbft_evidence *e)
{
    proto_writer w;
    proto_writer_init(&w);
    proto_write_u8(&w, PROTO_MSG_PBFT_EVIDENCE);
    pbft_evidence_write(&w, e);
    return proto_writer_steal(&w);
}

bool pbft_evidence_read(proto_reader *r, pbft_evidence *out)
{
    pbft_evidence e;
    memset(&e, 0, sizeof e);
    e.a.phase = proto_read_u8(r);
    e.a.view = proto_read_u64(r);
    e.a.seq = proto_read_u64(r);
    e.a.validator = proto_read_u32(r);
    proto_read_raw(r, e.a.digest.bytes, PROTO_HASH_SIZE);
    proto_read_raw(r, e.a.sig.bytes, PROTO_SIG_SIZE);
    e.b = e.a;
    proto_read_raw(r, e.b.digest.bytes, PROTO_HASH_SIZE);
    proto_read_raw(r, e.b.sig.bytes, PROTO_SIG_SIZE);
    if (r->failed || (e.a.phase != PBFT_PHASE_PREPARE && e.a.phase != PBFT_PHASE_COMMIT) ||
        proto_hash_compare(&e.a.digest, &e.b.digest) >= 0) {
        r->failed = true;
        return false;
    }
    *out = e;
    return true;
}

bool pbft_evidence_decode(GBytes *wire, pbft_evidence *out)
{
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(wire, &size);
    proto_reader r;
    proto_reader_init(&r, data, size);
    pbft_evidence e;
    if (proto_read_u8(&r) != PROTO_MSG_PBFT_EVIDENCE || !pbft_evidence_read(&r, &e) ||
        !proto_reader_finish(&r))
        return false;
    *out = e;
    return true;
}

bool pbft_evidence_verify(const pbft_evidence *e, uint64_t chain_id, proto_crypto *c,
                          const proto_pubkey *pk)
{
    pbft_evidence check;
    return pbft_evidence_make(&e->a, &e->b, &check) && pbft_vote_verify(&e->a, chain_id, c, pk) &&
           pbft_vote_verify(&e->b, chain_id, c, pk);
}

/* ---- the pool ---- */

/* Key: one piece of evidence per (validator, phase, view, seq). */
static char *pool_key(const pbft_evidence *e)
{
    return g_strdup_printf("%u/%u/%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT, e->a.validator,
                           e->a.phase, e->a.view, e->a.seq);
}

/* Evidence a future block could still include: its validator is not
 * tombstoned and it is no older than evidence_max_age at the next height. */
static bool evidence_useful(pbft_node *n, const pbft_evidence *e)
{
    const proto_valset *v = pbft_valset(n);
    uint64_t next = n->committed + 1;
    proto_valset_check c = proto_valset_check_double_sign(v, e->a.validator, e->a.seq,
                                                          MAX(next, e->a.seq));
    return c == PROTO_VALSET_OK;
}

/* Keep new valid evidence, report it and pass it on; from = who showed it. */
void pbft_evidence_add(pbft_node *n, const pbft_evidence *e, proto_node_id from)
{
    if (g_hash_table_size(n->evidence) >= PBFT_EVIDENCE_MAX || !evidence_useful(n, e))
        return;
    char *key = pool_key(e);
    if (g_hash_table_contains(n->evidence, key)) {
        g_free(key);
        return;
    }
    g_hash_table_insert(n->evidence, key, g_memdup2(e, sizeof *e));
    proto_event ev = {.kind = PROTO_EV_EVIDENCE,
                      .from = from,
                      .height = e->a.seq,
                      .slot = e->a.view,
                      .proposer = e->a.validator};
    pbft_emit(n, &ev);
    if (pbft_is_validator(n)) {
        GBytes *wire = pbft_evidence_encode(e);
        pbft_broadcast_validators(n, wire);
        g_bytes_unref(wire);
    }
}

void pbft_on_evidence(pbft_node *n, proto_node_id from, GBytes *wire)
{
    pbft_evidence e;
    if (!pbft_evidence_decode(wire, &e) || e.a.validator >= n->p->validators_count) {
        pbft_reject(n, from, PROTO_REJECT_DECODE);
        return;
    }
    char *key = pool_key(&e);
    bool known = g_hash_table_contains(n->evidence, key);
    g_free(key);
    const pbft_members *m = pbft_members_at(n, e.a.seq);
    if (known || m == NULL)
        return; /* m == NULL: about heights we have not reached; it comes again */
    if (!pbft_evidence_verify(&e, n->p->chain_id, n->p->crypto, &m->keys[e.a.validator])) {
        pbft_reject(n, from, PROTO_REJECT_SIGNATURE);
        return;
    }
    if (!pbft_is_validator(n))
        return; /* checked for the overlay to relay; only validators keep evidence */
    if (!evidence_useful(n, &e))
        return;
    pbft_evidence_add(n, &e, from);
}

static gboolean evidence_useless(gpointer key, gpointer value, gpointer node)
{
    return !evidence_useful(node, value);
}

void pbft_evidence_prune(pbft_node *n)
{
    g_hash_table_foreach_remove(n->evidence, evidence_useless, n);
}

/* A verified vote conflicts with one already counted in its slot? */
void pbft_evidence_check_vote(pbft_node *n, const pbft_slot *s, const pbft_vote *v)
{
    const GArray *votes = v->phase == PBFT_PHASE_PREPARE ? s->prepares : s->commits;
    for (guint i = 0; i < votes->len; i++) {
        const pbft_vote *old = &g_array_index(votes, pbft_vote, i);
        pbft_evidence e;
        if (old->validator == v->validator && pbft_evidence_make(old, v, &e)) {
            pbft_evidence_add(n, &e, n->self);
            return;
        }
    }
}

/* A certificate carries other replicas' view of a validator's votes: a
 * signature in it that conflicts with a vote we hold for the same
 * (phase, view, height) is evidence. This is how an equivocator that
 * shows each half of the network a different vote is caught: the next
 * block's commit signatures (pbft_ext.h), a DECIDED certificate or a
 * VIEW-CHANGE's certificates bring the other half's version here. */
void pbft_evidence_check_cert(pbft_node *n, const pbft_cert *c)
{
    pbft_slot *s = pbft_slot_get(n, c->seq, false);
    if (s == NULL || c->sigs == NULL || pbft_members_at(n, c->seq) == NULL)
        return;
    const GArray *votes = c->phase == PBFT_PHASE_PREPARE  ? s->prepares
                          : c->phase == PBFT_PHASE_COMMIT ? s->commits
                                                          : NULL;
    if (votes == NULL)
        return;
    const uint64_t *seen = c->phase == PBFT_PHASE_PREPARE ? s->prepare_seen : s->commit_seen;
    for (guint i = 0; i < c->sigs->len; i++) {
        const pbft_cert_sig *cs = &g_array_index(c->sigs, pbft_cert_sig, i);
        /* Only a validator we hold a vote from in that view can conflict. */
        if (cs->validator >= n->p->validators_count || seen[cs->validator] != c->view + 1)
            continue;
        /* Commits are indexed by validator; prepares (rare here) are scanned. */
        guint j = c->phase == PBFT_PHASE_COMMIT ? s->commit_at[cs->validator] : 0;
        guint end = c->phase == PBFT_PHASE_COMMIT ? j + 1 : votes->len;
        for (; j < end; j++) {
            const pbft_vote *old = &g_array_index(votes, pbft_vote, j);
            if (old->validator != cs->validator || old->view != c->view ||
                proto_hash_equal(&old->digest, &c->digest))
                continue;
            pbft_vote theirs = {.phase = c->phase, .view = c->view, .seq = c->seq,
                                .digest = c->digest, .validator = cs->validator, .sig = cs->sig};
            pbft_evidence e;
            if (cs->validator < n->p->validators_count &&
                pbft_verify_vote(n, &theirs) == PROTO_REJECT_NONE &&
                pbft_evidence_make(old, &theirs, &e))
                pbft_evidence_add(n, &e, n->self);
            break;
        }
    }
}

/* The parent's commit signatures a block carries (pbft_ext.h). */
void pbft_evidence_check_block(pbft_node *n, const proto_block *b)
{
    if (b->ext == NULL)
        return;
    pbft_ext ext;
    if (pbft_ext_decode(b->ext, &ext) && ext.has_last_commit)
        pbft_evidence_check_cert(n, &ext.last_commit);
    pbft_ext_clear(&ext);
}
