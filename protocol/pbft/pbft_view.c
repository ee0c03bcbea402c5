/* PBFT view change: VIEW-CHANGE, NEW-VIEW, the computation of O, the f+1
 * rule, timeouts that double per failed view, and bringing a replica that
 * is behind in views up to date (see pbft.h for the rules).
 *
 * Every VIEW-CHANGE is checked completely on arrival (signature and every
 * certificate in it), so a NEW-VIEW can be checked by re-checking the
 * same things: its V must be a quorum of valid VIEW-CHANGEs for its view,
 * and every replica computes O from V with pbft_o_compute(). */
#include "protocol/pbft/pbft_internal.h"

#include "protocol/core/msgtype.h"

typedef struct pbft_future {
    proto_node_id from;
    GBytes *wire;
} pbft_future;

static void future_free(gpointer p)
{
    pbft_future *f = p;
    g_bytes_unref(f->wire);
    g_free(f);
}

static void vc_entry_free(gpointer p)
{
    pbft_vc_entry *e = p;
    pbft_viewchange_free(e->vc);
    if (e->attachments != NULL)
        g_ptr_array_unref(e->attachments);
    g_free(e);
}

void pbft_view_init(pbft_node *n)
{
    n->vcs = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, vc_entry_free);
    n->future = g_ptr_array_new_with_free_func(future_free);
    n->status_sent_ns = INT64_MIN / 2; /* never sent */
}

void pbft_view_clear(pbft_node *n)
{
    g_hash_table_unref(n->vcs);
    g_ptr_array_unref(n->future);
    if (n->own_vc_wire != NULL)
        g_bytes_unref(n->own_vc_wire);
    if (n->last_nv_wire != NULL)
        g_bytes_unref(n->last_nv_wire);
}

/* The view a validator is working towards: its target while a view change
 * lasts, otherwise its view. */
static uint64_t position(const pbft_node *n)
{
    return n->in_view_change ? n->vc_target : n->view;
}

/* ---- checking VIEW-CHANGE and NEW-VIEW ---- */

/* Whether a VIEW-CHANGE checks out. AHEAD: it names heights whose
 * validator set is not fixed here yet (we are behind; catch up first). */
typedef enum vc_check { VC_VALID, VC_INVALID, VC_AHEAD } vc_check;

static vc_check cert_check(pbft_node *n, const pbft_cert *c)
{
    const pbft_members *m = pbft_members_at(n, c->seq);
    if (m == NULL)
        return VC_AHEAD;
    return pbft_cert_verify(c, &m->quorum, n->p->chain_id, n->p->crypto, &n->genesis_hash)
               ? VC_VALID
               : VC_INVALID;
}

/* A VIEW-CHANGE is signed with its sender's key at the height it works
 * on: the one above the commit certificate it carries. */
static vc_check viewchange_check(pbft_node *n, const pbft_viewchange *vc)
{
    if (vc->validator >= n->p->validators_count)
        return VC_INVALID;
    if (vc->checkpoint.phase != PBFT_PHASE_CHECKPOINT || vc->committed.phase != PBFT_PHASE_COMMIT)
        return VC_INVALID;
    const pbft_members *m = pbft_members_at(n, vc->committed.seq + 1);
    if (m == NULL)
        return VC_AHEAD;
    if (!pbft_viewchange_verify_sig(vc, n->p->chain_id, n->p->crypto, &m->keys[vc->validator]))
        return VC_INVALID;
    vc_check r = cert_check(n, &vc->checkpoint);
    if (r == VC_VALID)
        r = cert_check(n, &vc->committed);
    for (guint i = 0; r == VC_VALID && i < vc->prepared->len; i++) {
        const pbft_cert *c = vc->prepared->pdata[i];
        if (c->phase != PBFT_PHASE_PREPARE || c->view >= vc->new_view)
            return VC_INVALID;
        r = cert_check(n, c);
    }
    return r;
}

/* Highest commit certificate among VIEW-CHANGEs: C*. */
static uint64_t vcs_committed_max(GPtrArray *vcs)
{
    uint64_t c = 0;
    for (guint i = 0; i < vcs->len; i++)
        c = MAX(c, ((const pbft_viewchange *)vcs->pdata[i])->committed.seq);
    return c;
}

void pbft_o_compute(GPtrArray *vcs, uint64_t new_view, pbft_o *o)
{
    o->start_seq = 0;
    o->committed_seq = 0;
    o->committed_from = UINT32_MAX;
    o->checkpoint = NULL;
    o->entries = g_array_new(FALSE, FALSE, sizeof(pbft_o_entry));
    uint64_t max_s = 0;
    for (guint i = 0; i < vcs->len; i++) {
        const pbft_viewchange *vc = vcs->pdata[i];
        if (o->checkpoint == NULL || vc->checkpoint.seq > o->checkpoint->seq)
            o->checkpoint = &vc->checkpoint;
        if (o->committed_from == UINT32_MAX || vc->committed.seq > o->committed_seq) {
            o->committed_seq = vc->committed.seq;
            o->committed_from = vc->validator;
        }
        for (guint j = 0; j < vc->prepared->len; j++) {
            const pbft_cert *c = vc->prepared->pdata[j];
            max_s = MAX(max_s, c->seq);
        }
    }
    /* Everything at or below the higher of C* and min-s is fixed by the
     * hash chain of a certified block. */
    for (guint i = 0; i < vcs->len; i++) {
        const pbft_viewchange *vc = vcs->pdata[i];
        if (vc->committed.seq == o->committed_seq) {
            o->start_seq = vc->committed.seq;
            o->start_digest = vc->committed.digest;
            break;
        }
    }
    if (o->checkpoint->seq > o->start_seq) {
        o->start_seq = o->checkpoint->seq;
        o->start_digest = o->checkpoint->digest;
    }
    proto_hash parent = o->start_digest;
    for (uint64_t seq = o->start_seq + 1; seq <= max_s; seq++) {
        const pbft_cert *best = NULL;
        for (guint i = 0; i < vcs->len; i++) {
            const pbft_viewchange *vc = vcs->pdata[i];
            for (guint j = 0; j < vc->prepared->len; j++) {
                const pbft_cert *c = vc->prepared->pdata[j];
                if (c->seq != seq)
                    continue;
                /* Highest view wins; within one view (never two digests
                 * with an honest quorum) the lower digest, deterministically. */
                if (best == NULL || c->view > best->view ||
                    (c->view == best->view && proto_hash_compare(&c->digest, &best->digest) < 0))
                    best = c;
            }
        }
        pbft_o_entry e = {.seq = seq};
        if (best != NULL) {
            e.digest = best->digest;
            e.view = best->view;
        } else {
            proto_block *null = proto_block_new();
            pbft_null_block(&parent, seq, new_view, null);
            e.digest = null->hash;
            e.view = UINT64_MAX;
            proto_block_free(null);
        }
        parent = e.digest;
        g_array_append_val(o->entries, e);
    }
}

/* The body of an O entry: attached to the message, or known to us. */
static GBytes *find_block(pbft_node *n, GPtrArray *attachments, const proto_hash *digest,
                          proto_block **out)
{
    for (guint i = 0; attachments != NULL && i < attachments->len; i++) {
        proto_block *b = pbft_decode_block(n, attachments->pdata[i]);
        if (b != NULL && proto_hash_equal(&b->hash, digest)) {
            *out = b;
            return g_bytes_ref(attachments->pdata[i]);
        }
        if (b != NULL)
            proto_block_free(b);
    }
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, n->slots);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        pbft_slot *s = value;
        /* Any slot holding this exact digest: which one does not matter. */
        GBytes *cand = s->pcert_block != NULL ? s->pcert_block : s->block_wire;
        if (cand == NULL)
            continue;
        proto_block *b = pbft_decode_block(n, cand);
        if (b != NULL && proto_hash_equal(&b->hash, digest)) {
            *out = b;
            return g_bytes_ref(cand);
        }
        if (b != NULL)
            proto_block_free(b);
    }
    return NULL;
}

/* ---- sending VIEW-CHANGE ---- */

static gint seq_cmp(gconstpointer a, gconstpointer b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void arm_resend(pbft_node *n)
{
    pbft_cancel_timer(n, &n->resend_timer);
    n->resend_timer = n->env.set_timer(n->env.ctx, n->p->view_timeout_ns, PBFT_TIMER_RESEND, 0);
}

static void store_vc(pbft_node *n, pbft_viewchange *vc, GPtrArray *attachments)
{
    pbft_vc_entry *old = g_hash_table_lookup(n->vcs, GUINT_TO_POINTER(vc->validator));
    if (old != NULL && old->vc->new_view >= vc->new_view) {
        pbft_viewchange_free(vc);
        if (attachments != NULL)
            g_ptr_array_unref(attachments);
        return;
    }
    pbft_vc_entry *e = g_new0(pbft_vc_entry, 1);
    e->vc = vc;
    e->attachments = attachments;
    g_hash_table_replace(n->vcs, GUINT_TO_POINTER(vc->validator), e);
}

static void check_view_change_quorum(pbft_node *n);

static void start_view_change(pbft_node *n, uint64_t target, proto_view_cause cause)
{
    g_assert(pbft_is_validator(n) && target > n->view);
    n->in_view_change = true;
    n->vc_target = target;
    n->vc_timer_started = false;
    pbft_cancel_timer(n, &n->propose_timer);
    pbft_cancel_timer(n, &n->view_timer);
    pbft_tentative_revert(n);

    pbft_viewchange vc = {.new_view = target, .validator = (uint32_t)n->validator_index};
    pbft_cert_copy(&vc.checkpoint, &n->stable_cert);
    pbft_cert_copy(&vc.committed, &n->commit_cert);
    vc.prepared = g_ptr_array_new();
    GArray *seqs = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, n->slots);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        pbft_slot *s = value;
        if (s->has_pcert && s->seq > n->committed && vc.prepared->len < PBFT_PREPARED_MAX)
            g_array_append_val(seqs, s->seq);
    }
    g_array_sort(seqs, seq_cmp); /* the hash table's order must not leak out */
    GPtrArray *attachments = g_ptr_array_new();
    for (guint i = 0; i < seqs->len && i < PBFT_PREPARED_MAX; i++) {
        pbft_slot *s = pbft_slot_get(n, g_array_index(seqs, uint64_t, i), false);
        g_ptr_array_add(vc.prepared, &s->pcert);
        if (s->pcert_block != NULL && attachments->len < PBFT_ATTACHMENTS_MAX)
            g_ptr_array_add(attachments, s->pcert_block);
    }
    g_array_unref(seqs);
    if (n->own_vc_wire != NULL)
        g_bytes_unref(n->own_vc_wire);
    n->own_vc_wire =
        pbft_msg_viewchange_encode(&vc, n->p->chain_id, n->p->crypto,
                                   pbft_signing_key(n, n->committed + 1), attachments);
    g_ptr_array_unref(attachments);
    g_ptr_array_unref(vc.prepared);
    pbft_cert_clear(&vc.checkpoint);
    pbft_cert_clear(&vc.committed);
    if (vc.signed_part != NULL)
        g_bytes_unref(vc.signed_part);

    /* Keep our own, decoded as anyone else's, for counting and for O. */
    GPtrArray *own_att = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    pbft_viewchange *own = pbft_msg_viewchange_decode(n->own_vc_wire, own_att);
    g_assert(own != NULL);
    store_vc(n, own, own_att);

    proto_event ev = {.kind = PROTO_EV_VIEW_CHANGE, .slot = target, .cause = cause,
                      .height = n->committed};
    pbft_emit(n, &ev);
    pbft_send_validators(n, n->own_vc_wire);
    arm_resend(n);
    check_view_change_quorum(n);
}

void pbft_view_on_timer(pbft_node *n)
{
    if (!pbft_is_validator(n))
        return;
    if (!n->in_view_change) {
        start_view_change(n, n->view + 1, PROTO_VIEW_CAUSE_TIMEOUT);
        return;
    }
    /* The view change itself failed: next view, twice the patience. */
    n->timeout_ns = MIN(2 * n->timeout_ns, n->p->view_timeout_max_ns);
    start_view_change(n, n->vc_target + 1, PROTO_VIEW_CAUSE_NEWVIEW_TIMEOUT);
}

void pbft_view_on_resend(pbft_node *n)
{
    if (!n->in_view_change || n->own_vc_wire == NULL)
        return;
    pbft_send_validators(n, n->own_vc_wire);
    arm_resend(n);
}

void pbft_view_progress(pbft_node *n)
{
    n->timeout_ns = n->p->view_timeout_ns;
    if (pbft_is_validator(n) && !n->in_view_change)
        pbft_arm_view_timer(n);
}

/* ---- NEW-VIEW ---- */

/* VIEW-CHANGEs we hold for `view`, ordered by validator, and their stake
 * in the validator set of the first height the new view decides (C*+1),
 * which *members receives (NULL if we hold none). */
static GPtrArray *vcs_for(pbft_node *n, uint64_t view, uint64_t *stake, GPtrArray **attachments,
                          const pbft_members **members)
{
    GPtrArray *out = g_ptr_array_new();
    if (attachments != NULL)
        *attachments = g_ptr_array_new();
    *stake = 0;
    *members = NULL;
    for (uint32_t v = 0; v < n->p->validators_count; v++) {
        pbft_vc_entry *e = g_hash_table_lookup(n->vcs, GUINT_TO_POINTER(v));
        if (e == NULL || e->vc->new_view != view)
            continue;
        g_ptr_array_add(out, e->vc);
        for (guint i = 0; attachments != NULL && e->attachments != NULL &&
                          i < e->attachments->len;
             i++)
            g_ptr_array_add(*attachments, e->attachments->pdata[i]);
    }
    if (out->len > 0) {
        /* Every stored VIEW-CHANGE checked out, so this set is fixed here. */
        *members = pbft_members_at(n, vcs_committed_max(out) + 1);
        g_assert(*members != NULL);
        for (guint i = 0; i < out->len; i++)
            *stake += (*members)->powers[((const pbft_viewchange *)out->pdata[i])->validator];
    }
    return out;
}

static void enter_view(pbft_node *n, uint64_t view, GPtrArray *vcs, GPtrArray *attachments,
                       GBytes *nv_wire, proto_node_id from);

static void send_new_view(pbft_node *n, uint64_t view)
{
    uint64_t stake = 0;
    GPtrArray *att_all = NULL;
    const pbft_members *m = NULL;
    GPtrArray *vcs = vcs_for(n, view, &stake, &att_all, &m);
    g_assert(m != NULL && pbft_quorum_strong(&m->quorum, stake));
    pbft_o o;
    pbft_o_compute(vcs, view, &o);
    /* Attach the body of every real O entry, once. */
    GPtrArray *attachments = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    for (guint i = 0; i < o.entries->len && attachments->len < PBFT_ATTACHMENTS_MAX; i++) {
        const pbft_o_entry *e = &g_array_index(o.entries, pbft_o_entry, i);
        if (e->view == UINT64_MAX)
            continue;
        proto_block *b = NULL;
        GBytes *body = find_block(n, att_all, &e->digest, &b);
        if (body != NULL) {
            g_ptr_array_add(attachments, body);
            proto_block_free(b);
        }
    }
    g_array_unref(o.entries);
    pbft_newview nv = {.view = view,
                       .leader = (uint32_t)n->validator_index,
                       .viewchanges = vcs};
    GBytes *wire = pbft_msg_newview_encode(&nv, n->p->chain_id, n->p->crypto,
                                           pbft_signing_key(n, m->height), attachments);
    if (nv.signed_part != NULL)
        g_bytes_unref(nv.signed_part);
    n->nv_sent_view = view;
    pbft_send_validators(n, wire);
    enter_view(n, view, vcs, attachments, wire, n->self);
    g_bytes_unref(wire);
    g_ptr_array_unref(attachments);
    g_ptr_array_unref(att_all);
    g_ptr_array_unref(vcs);
}

/* Whether a validator has asked for a view above our target. */
static bool someone_ahead(const pbft_node *n)
{
    for (uint32_t v = 0; v < n->p->validators_count; v++) {
        pbft_vc_entry *e = g_hash_table_lookup(n->vcs, GUINT_TO_POINTER(v));
        if (e != NULL && e->vc->new_view > n->vc_target)
            return true;
    }
    return false;
}

/* A view change without a quorum for its target waits for one, as PBFT
 * says. But when a validator is already past our target, those whose
 * VIEW-CHANGEs we wait for may have moved on too: a replica that ran
 * ahead in views alone (it heard us, we did not hear it) waits for us at
 * its target while we wait for its VIEW-CHANGE for ours, and the f+1 rule
 * cannot help when it is alone. So we time out anyway and go one view up
 * (pbft_view_on_timer), one timeout per view, until the quorum forms;
 * one view at a time, so a Byzantine validator asking for huge views
 * costs only our patience, never a jump. */
static void arm_catch_up_timer(pbft_node *n)
{
    if (n->view_timer != PROTO_TIMER_NONE || !someone_ahead(n))
        return;
    n->view_timer = n->env.set_timer(n->env.ctx, n->timeout_ns, PBFT_TIMER_VIEW, n->vc_target);
}

static void check_view_change_quorum(pbft_node *n)
{
    if (!n->in_view_change)
        return;
    uint64_t stake = 0;
    const pbft_members *m = NULL;
    GPtrArray *vcs = vcs_for(n, n->vc_target, &stake, NULL, &m);
    g_ptr_array_unref(vcs);
    if (m == NULL || !pbft_quorum_strong(&m->quorum, stake)) {
        arm_catch_up_timer(n);
        return;
    }
    if (!n->vc_timer_started) {
        n->vc_timer_started = true;
        pbft_cancel_timer(n, &n->view_timer);
        n->view_timer =
            n->env.set_timer(n->env.ctx, n->timeout_ns, PBFT_TIMER_VIEW, n->vc_target);
    }
    if (pbft_view_leader(n->p, n->vc_target) == (uint32_t)n->validator_index &&
        n->nv_sent_view < n->vc_target)
        send_new_view(n, n->vc_target);
}

/* The f+1 rule: if validators holding more than 1/3 of the stake want
 * views above ours, join the highest view that much stake supports. */
static void check_join(pbft_node *n)
{
    uint64_t pos = position(n);
    uint64_t best = 0;
    const pbft_members *m = pbft_members_at(n, n->committed + 1);
    for (uint32_t v = 0; v < n->p->validators_count; v++) {
        pbft_vc_entry *e = g_hash_table_lookup(n->vcs, GUINT_TO_POINTER(v));
        if (e == NULL || e->vc->new_view <= pos || e->vc->new_view <= best)
            continue;
        uint64_t w = e->vc->new_view, stake = 0;
        for (uint32_t u = 0; u < n->p->validators_count; u++) {
            pbft_vc_entry *f = g_hash_table_lookup(n->vcs, GUINT_TO_POINTER(u));
            if (f != NULL && f->vc->new_view >= w)
                stake += m->powers[u];
        }
        if (pbft_quorum_weak(&m->quorum, stake))
            best = w;
    }
    if (best > pos)
        start_view_change(n, best, PROTO_VIEW_CAUSE_JOIN);
}

static gboolean vc_not_above(gpointer key, gpointer value, gpointer view)
{
    const pbft_vc_entry *e = value;
    return e->vc->new_view <= *(const uint64_t *)view;
}

static void replay_future(pbft_node *n);

static void enter_view(pbft_node *n, uint64_t view, GPtrArray *vcs, GPtrArray *attachments,
                       GBytes *nv_wire, proto_node_id from)
{
    pbft_o o;
    pbft_o_compute(vcs, view, &o);

    pbft_tentative_revert(n);
    n->view = view;
    n->in_view_change = false;
    n->vc_timer_started = false;
    pbft_cancel_timer(n, &n->resend_timer);
    pbft_cancel_timer(n, &n->view_timer);
    if (n->last_nv_wire != NULL)
        g_bytes_unref(n->last_nv_wire);
    n->last_nv_wire = g_bytes_ref(nv_wire);
    n->view_floor = o.entries->len > 0
                         ? g_array_index(o.entries, pbft_o_entry, o.entries->len - 1).seq
                         : o.start_seq;
    pbft_store_view(n);
    pbft_slots_new_view(n);

    if (o.checkpoint->seq > n->stable_seq)
        pbft_checkpoint_adopt(n, o.checkpoint, from);
    if (o.committed_seq > n->committed && o.committed_from < n->p->validators_count)
        pbft_sync_learn(n, n->p->validator_nodes[o.committed_from], o.committed_seq);

    /* Re-propose O in the new view: prepare every entry above what we
     * committed (the paper's backups multicast PREPARE for each). */
    proto_hash parent = o.start_digest;
    for (guint i = 0; i < o.entries->len; i++) {
        const pbft_o_entry *e = &g_array_index(o.entries, pbft_o_entry, i);
        proto_hash entry_parent = parent;
        parent = e->digest;
        if (e->seq <= n->committed)
            continue;
        pbft_slot *s = pbft_slot_get(n, e->seq, true);
        proto_block *b = NULL;
        GBytes *body = NULL;
        if (e->view == UINT64_MAX) {
            b = proto_block_new();
            pbft_null_block(&entry_parent, e->seq, view, b);
            proto_writer w;
            proto_writer_init(&w);
            proto_block_encode(b, &w);
            body = proto_writer_steal(&w);
        } else {
            body = find_block(n, attachments, &e->digest, &b);
        }
        if (body == NULL)
            continue; /* not attached: committing it will need catch-up */
        pbft_slot_assign(n, s, view, body, b, true);
        g_bytes_unref(body);
        if (pbft_is_validator(n))
            pbft_send_prepare(n, s);
    }
    g_array_unref(o.entries);
    g_hash_table_foreach_remove(n->vcs, vc_not_above, &n->view);

    proto_event ev = {.kind = PROTO_EV_NEW_VIEW, .slot = view, .height = n->committed};
    pbft_emit(n, &ev);
    pbft_arm_view_timer(n);
    pbft_maybe_schedule_proposal(n);
    replay_future(n);
    pbft_advance(n);
}

/* ---- receiving ---- */

void pbft_on_viewchange(pbft_node *n, proto_node_id from, GBytes *wire)
{
    GPtrArray *attachments = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    pbft_viewchange *vc = pbft_msg_viewchange_decode(wire, attachments);
    if (vc == NULL) {
        pbft_reject(n, from, PROTO_REJECT_DECODE);
        g_ptr_array_unref(attachments);
        return;
    }
    if (vc->new_view <= n->view) {
        /* The sender is behind: show it how we got here. */
        if (n->last_nv_wire != NULL && !n->in_view_change)
            n->env.send(n->env.ctx, from, n->last_nv_wire);
        pbft_viewchange_free(vc);
        g_ptr_array_unref(attachments);
        return;
    }
    vc_check check = viewchange_check(n, vc);
    if (check != VC_VALID) {
        if (check == VC_AHEAD)
            pbft_sync_learn(n, from, vc->committed.seq); /* it re-sends; we catch up */
        else
            pbft_reject(n, from, PROTO_REJECT_SIGNATURE);
        pbft_viewchange_free(vc);
        g_ptr_array_unref(attachments);
        return;
    }
    pbft_evidence_check_cert(n, &vc->committed);
    for (guint i = 0; i < vc->prepared->len; i++)
        pbft_evidence_check_cert(n, vc->prepared->pdata[i]);
    if (vc->checkpoint.seq > n->stable_seq)
        pbft_checkpoint_adopt(n, &vc->checkpoint, from);
    if (vc->committed.seq > n->committed)
        pbft_sync_learn(n, from, vc->committed.seq);
    store_vc(n, vc, attachments);
    check_join(n);
    check_view_change_quorum(n);
}

void pbft_on_newview(pbft_node *n, proto_node_id from, GBytes *wire)
{
    GPtrArray *attachments = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    pbft_newview *nv = pbft_msg_newview_decode(wire, attachments);
    if (nv == NULL) {
        pbft_reject(n, from, PROTO_REJECT_DECODE);
        g_ptr_array_unref(attachments);
        return;
    }
    bool wanted = nv->view > n->view && (!n->in_view_change || nv->view >= n->vc_target);
    proto_reject_reason reason = PROTO_REJECT_NONE;
    /* V is counted in the validator set of C*+1, the first height the new
     * view decides; the leader signs with its key there. */
    uint64_t c_star = vcs_committed_max(nv->viewchanges);
    const pbft_members *m = wanted ? pbft_members_at(n, c_star + 1) : NULL;
    bool ahead = wanted && m == NULL;
    if (wanted && !ahead) {
        if (nv->leader != pbft_view_leader(n->p, nv->view) ||
            nv->leader >= n->p->validators_count)
            reason = PROTO_REJECT_SCHEDULE;
        else if (!pbft_newview_verify_sig(nv, n->p->chain_id, n->p->crypto,
                                          &m->keys[nv->leader]))
            reason = PROTO_REJECT_SIGNATURE;
        uint64_t stake = 0;
        uint32_t last = 0;
        for (guint i = 0; reason == PROTO_REJECT_NONE && !ahead && i < nv->viewchanges->len; i++) {
            const pbft_viewchange *vc = nv->viewchanges->pdata[i];
            vc_check check = vc->new_view != nv->view || (i > 0 && vc->validator <= last)
                                 ? VC_INVALID
                                 : viewchange_check(n, vc);
            if (check == VC_AHEAD)
                ahead = true;
            else if (check == VC_INVALID)
                reason = PROTO_REJECT_SIGNATURE;
            else
                stake += m->powers[vc->validator];
            last = vc->validator;
        }
        if (reason == PROTO_REJECT_NONE && !ahead && !pbft_quorum_strong(&m->quorum, stake))
            reason = PROTO_REJECT_SIGNATURE;
    }
    if (ahead)
        pbft_sync_learn(n, from, c_star); /* catch up; STATUS brings it back */
    else if (reason != PROTO_REJECT_NONE)
        pbft_reject(n, from, reason);
    else if (wanted)
        enter_view(n, nv->view, nv->viewchanges, attachments, wire, from);
    pbft_newview_free(nv);
    g_ptr_array_unref(attachments);
}

void pbft_on_status(pbft_node *n, proto_node_id from, GBytes *wire)
{
    uint64_t view = 0, committed = 0;
    if (!pbft_msg_status_decode(wire, &view, &committed)) {
        pbft_reject(n, from, PROTO_REJECT_DECODE);
        return;
    }
    if (view < n->view && !n->in_view_change && n->last_nv_wire != NULL)
        n->env.send(n->env.ctx, from, n->last_nv_wire);
}

/* ---- messages from the future ---- */

static uint64_t message_view(GBytes *wire)
{
    uint64_t view = 0;
    GBytes *body = NULL;
    pbft_vote v;
    if (pbft_msg_preprepare_decode(wire, &view, &body)) {
        g_bytes_unref(body);
        return view;
    }
    if (pbft_msg_vote_decode(wire, &v))
        return v.view;
    return 0;
}

void pbft_future_push(pbft_node *n, proto_node_id from, GBytes *wire)
{
    if (n->future->len >= PBFT_FUTURE_MAX)
        g_ptr_array_remove_index(n->future, 0); /* oldest first */
    pbft_future *f = g_new0(pbft_future, 1);
    f->from = from;
    f->wire = g_bytes_ref(wire);
    g_ptr_array_add(n->future, f);
    /* Others are in a view we have not seen: ask how they got there. */
    int64_t now = n->env.now_ns(n->env.ctx);
    if (!n->in_view_change && now >= n->status_sent_ns + n->p->view_timeout_ns) {
        n->status_sent_ns = now;
        GBytes *status = pbft_msg_status_encode(n->view, n->committed);
        n->env.send(n->env.ctx, from, status);
        g_bytes_unref(status);
    }
}

static void replay_future(pbft_node *n)
{
    GPtrArray *now = n->future;
    n->future = g_ptr_array_new_with_free_func(future_free);
    for (guint i = 0; i < now->len; i++) {
        pbft_future *f = now->pdata[i];
        uint64_t view = message_view(f->wire);
        if (view < n->view)
            continue;
        if (view > n->view) {
            g_ptr_array_add(n->future, f);
            now->pdata[i] = NULL;
            continue;
        }
        uint8_t type = pbft_msg_type(f->wire);
        if (type == PROTO_MSG_PBFT_PREPREPARE)
            pbft_on_preprepare(n, f->from, f->wire);
        else
            pbft_on_vote(n, f->from, f->wire, type);
    }
    g_ptr_array_set_free_func(now, NULL);
    for (guint i = 0; i < now->len; i++) {
        if (now->pdata[i] != NULL)
            future_free(now->pdata[i]);
    }
    g_ptr_array_unref(now);
}
