/* PBFT equivocation evidence: building, encoding, checking (see
 * pbft_evidence.h), and the node's evidence pool. */
#include "protocol/pbft/pbft_evidence.h"

#include <string.h>

#include "protocol/chain/valset.h"
#include "protocol/core/codec.h"
#include "protocol/core/msgtype.h"
#include "protocol/pbft/pbft_ext.h"
#include "protocol/pbft/pbft_internal.h"

void pbft_vote_of_preprepare(const proto_block_header *h, pbft_vote *out)
{
    *out = (pbft_vote){.phase = PBFT_PHASE_PREPARE,
                       .view = h->slot,
                       .seq = h->height,
                       .validator = h->proposer,
                       .sig = h->sig};
    proto_block_compute_hash(h, &out->digest);
}

bool pbft_evidence_make_mixed(const pbft_vote *x, const proto_block_header *xh,
                              const pbft_vote *y, const proto_block_header *yh,
                              pbft_evidence *out)
{
    pbft_vote vx, vy;
    if (xh != NULL)
        pbft_vote_of_preprepare(xh, &vx);
    else
        vx = *x;
    if (yh != NULL)
        pbft_vote_of_preprepare(yh, &vy);
    else
        vy = *y;
    if (vx.validator != vy.validator || vx.phase != vy.phase || vx.view != vy.view ||
        vx.seq != vy.seq || proto_hash_equal(&vx.digest, &vy.digest))
        return false;
    bool x_first = proto_hash_compare(&vx.digest, &vy.digest) < 0;
    pbft_evidence e;
    memset(&e, 0, sizeof e);
    e.a = x_first ? vx : vy;
    e.b = x_first ? vy : vx;
    const proto_block_header *ha = x_first ? xh : yh, *hb = x_first ? yh : xh;
    e.a_preprepare = ha != NULL;
    e.b_preprepare = hb != NULL;
    if (ha != NULL)
        e.a_header = *ha;
    if (hb != NULL)
        e.b_header = *hb;
    *out = e;
    return true;
}

bool pbft_evidence_make(const pbft_vote *x, const pbft_vote *y, pbft_evidence *out)
{
    return pbft_evidence_make_mixed(x, NULL, y, NULL, out);
}

static void side_write(proto_writer *w, const pbft_vote *v, bool preprepare,
                       const proto_block_header *h)
{
    proto_write_u8(w, preprepare ? 1 : 0);
    if (preprepare) {
        proto_block_header_write(h, w);
        return;
    }
    proto_write_raw(w, v->digest.bytes, PROTO_HASH_SIZE);
    proto_write_raw(w, v->sig.bytes, PROTO_SIG_SIZE);
}

void pbft_evidence_write(proto_writer *w, const pbft_evidence *e)
{
    proto_write_u8(w, e->a.phase);
    proto_write_u64(w, e->a.view);
    proto_write_u64(w, e->a.seq);
    proto_write_u32(w, e->a.validator);
    side_write(w, &e->a, e->a_preprepare, &e->a_header);
    side_write(w, &e->b, e->b_preprepare, &e->b_header);
}

GBytes *pbft_evidence_encode(const pbft_evidence *e)
{
    proto_writer w;
    proto_writer_init(&w);
    proto_write_u8(&w, PROTO_MSG_PBFT_EVIDENCE);
    pbft_evidence_write(&w, e);
    return proto_writer_steal(&w);
}

/* One side into v (phase, view, seq, validator already there): a vote's
 * digest and signature, or a PRE-PREPARE's header, which must be the one
 * those fields name. */
static bool side_read(proto_reader *r, pbft_vote *v, bool *preprepare, proto_block_header *h)
{
    uint8_t form = proto_read_u8(r);
    if (r->failed || form > 1 || (form == 1 && v->phase != PBFT_PHASE_PREPARE))
        return false;
    *preprepare = form == 1;
    if (!*preprepare) {
        proto_read_raw(r, v->digest.bytes, PROTO_HASH_SIZE);
        proto_read_raw(r, v->sig.bytes, PROTO_SIG_SIZE);
        return !r->failed;
    }
    if (!proto_block_header_read(r, h) || h->slot != v->view || h->height != v->seq ||
        h->proposer != v->validator)
        return false;
    pbft_vote_of_preprepare(h, v);
    return true;
}

bool pbft_evidence_read(proto_reader *r, pbft_evidence *out)
{
    pbft_evidence e;
    memset(&e, 0, sizeof e);
    e.a.phase = proto_read_u8(r);
    e.a.view = proto_read_u64(r);
    e.a.seq = proto_read_u64(r);
    e.a.validator = proto_read_u32(r);
    e.b = e.a;
    bool ok = !r->failed && (e.a.phase == PBFT_PHASE_PREPARE || e.a.phase == PBFT_PHASE_COMMIT) &&
              side_read(r, &e.a, &e.a_preprepare, &e.a_header) &&
              side_read(r, &e.b, &e.b_preprepare, &e.b_header) &&
              proto_hash_compare(&e.a.digest, &e.b.digest) < 0;
    if (!ok) {
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

static bool side_verify(const pbft_vote *v, bool preprepare, const proto_block_header *h,
                        uint64_t chain_id, proto_crypto *c, const proto_pubkey *pk)
{
    return preprepare ? proto_block_header_verify_sig(h, chain_id, c, pk)
                      : pbft_vote_verify(v, chain_id, c, pk);
}

bool pbft_evidence_verify(const pbft_evidence *e, uint64_t chain_id, proto_crypto *c,
                          const proto_pubkey *pk)
{
    pbft_evidence check;
    return pbft_evidence_make_mixed(&e->a, e->a_preprepare ? &e->a_header : NULL, &e->b,
                                    e->b_preprepare ? &e->b_header : NULL, &check) &&
           proto_hash_equal(&check.a.digest, &e->a.digest) &&
           side_verify(&e->a, e->a_preprepare, &e->a_header, chain_id, c, pk) &&
           side_verify(&e->b, e->b_preprepare, &e->b_header, chain_id, c, pk);
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

/* A PRE-PREPARE (its signature checked) stands for its proposer's
 * PREPARE: against a PREPARE of that validator for another block in the
 * same view, or a PRE-PREPARE of another block, it is evidence. `held`
 * is the block the slot already holds for that view, if any. */
void pbft_evidence_check_preprepare(pbft_node *n, const pbft_slot *s, const proto_block_header *h,
                                    const proto_block_header *held)
{
    pbft_evidence e;
    if (held != NULL && held->proposer == h->proposer && held->slot == h->slot &&
        pbft_evidence_make_mixed(NULL, held, NULL, h, &e)) {
        pbft_evidence_add(n, &e, n->self);
        return;
    }
    if (s == NULL || h->proposer >= n->p->validators_count ||
        s->prepare_seen[h->proposer] != h->slot + 1)
        return;
    for (guint i = 0; i < s->prepares->len; i++) {
        const pbft_vote *old = &g_array_index(s->prepares, pbft_vote, i);
        if (old->validator == h->proposer && old->view == h->slot &&
            pbft_evidence_make_mixed(old, NULL, NULL, h, &e)) {
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
    /* A prepared certificate's pre-prepare against what we hold from its
     * proposer (checked only when it is the certificate's own). */
    if (pbft_cert_preprepare_proposer(c, n->p->validators_count) != PBFT_NO_PREPREPARE) {
        const proto_block_header *h = &c->preprepare;
        const pbft_members *m = pbft_members_at(n, c->seq);
        /* A slot whose block was just committed keeps have_block but no
         * longer the decoded block: nothing held to compare then. */
        const proto_block_header *held =
            s->have_block && s->block != NULL && s->view == h->slot && !s->from_newview
                ? &s->block->header
                : NULL;
        if (proto_block_header_verify_sig(h, n->p->chain_id, n->p->crypto, &m->keys[h->proposer]))
            pbft_evidence_check_preprepare(n, s, h, held);
    }
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
