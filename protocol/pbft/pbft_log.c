/* PBFT normal case: PRE-PREPARE, PREPARE, COMMIT and the consensus log.
 *
 * The log holds one slot per height above the committed height. Only
 * committed+1 can be validated (a block is checked against the state it
 * builds on), so everything advances from there: pbft_advance() validates
 * and prepares the block of committed+1, commits once prepared, and
 * finalizes it as soon as a commit certificate for a block it holds
 * exists, then moves to the next height. Votes for other heights wait in
 * their slots. */
#include "protocol/pbft/pbft_internal.h"

#include <string.h>

#include "protocol/chain/exec.h"
#include "protocol/core/msgtype.h"
#include "protocol/pbft/pbft_evidence.h"

/* Votes further ahead than this say we are behind: catch up. */
#define PBFT_BEHIND_GAP 3

pbft_slot *pbft_slot_get(pbft_node *n, uint64_t seq, bool create)
{
    pbft_slot *s = g_hash_table_lookup(n->slots, &seq);
    if (s != NULL || !create)
        return s;
    s = g_new0(pbft_slot, 1);
    s->seq = seq;
    s->prepares = g_array_new(FALSE, FALSE, sizeof(pbft_vote));
    s->commits = g_array_new(FALSE, FALSE, sizeof(pbft_vote));
    s->prepare_tallies = g_array_new(FALSE, FALSE, sizeof(pbft_tally));
    s->commit_tallies = g_array_new(FALSE, FALSE, sizeof(pbft_tally));
    s->prepare_seen = g_new0(uint64_t, n->p->validators_count);
    s->commit_seen = g_new0(uint64_t, n->p->validators_count);
    s->commit_at = g_new0(guint, n->p->validators_count);
    g_hash_table_insert(n->slots, &s->seq, s);
    return s;
}

static void slot_drop_block(pbft_slot *s)
{
    if (s->block_wire != NULL)
        g_bytes_unref(s->block_wire);
    if (s->block != NULL)
        proto_block_free(s->block);
    s->block_wire = NULL;
    s->block = NULL;
    s->have_block = false;
    s->from_newview = false;
    s->sent_prepare = false;
    s->sent_commit = false;
}

void pbft_slot_free(gpointer p)
{
    pbft_slot *s = p;
    slot_drop_block(s);
    g_array_unref(s->prepares);
    g_array_unref(s->commits);
    g_array_unref(s->prepare_tallies);
    g_array_unref(s->commit_tallies);
    g_free(s->prepare_seen);
    g_free(s->commit_seen);
    g_free(s->commit_at);
    if (s->has_pcert)
        pbft_cert_clear(&s->pcert);
    if (s->pcert_block != NULL)
        g_bytes_unref(s->pcert_block);
    g_free(s);
}

static gboolean slot_at_or_below(gpointer key, gpointer value, gpointer limit)
{
    return *(const uint64_t *)key <= *(const uint64_t *)limit;
}

void pbft_slots_gc(pbft_node *n, uint64_t seq)
{
    g_hash_table_foreach_remove(n->slots, slot_at_or_below, &seq);
}

static void slot_new_view(gpointer key, gpointer value, gpointer data)
{
    pbft_slot *s = value;
    slot_drop_block(s);
    g_array_set_size(s->prepares, 0);
    g_array_set_size(s->prepare_tallies, 0);
}

void pbft_slots_new_view(pbft_node *n)
{
    g_hash_table_foreach(n->slots, slot_new_view, NULL);
}

bool pbft_in_window(const pbft_node *n, uint64_t seq)
{
    uint64_t base = MAX(n->stable_seq, n->committed);
    return seq > n->stable_seq && seq <= base + 2ull * n->p->checkpoint_interval;
}

void pbft_tentative_revert(pbft_node *n)
{
    if (!n->tentative)
        return;
    proto_state_revert(n->state, &n->tentative_undo);
    proto_undo_clear(&n->tentative_undo);
    n->tentative = false;
    g_array_set_size(n->effects, 0);
}

void pbft_slot_assign(pbft_node *n, pbft_slot *s, uint64_t view, GBytes *block_wire,
                      proto_block *block, bool from_newview)
{
    slot_drop_block(s);
    s->have_block = true;
    s->view = view;
    s->digest = block->hash;
    s->block_wire = g_bytes_ref(block_wire);
    s->block = block;
    s->from_newview = from_newview;
}

/* ---- votes ---- */

static uint64_t tally_stake(const GArray *tallies, uint64_t view, const proto_hash *digest)
{
    for (guint i = 0; i < tallies->len; i++) {
        const pbft_tally *t = &g_array_index(tallies, pbft_tally, i);
        if (t->view == view && proto_hash_equal(&t->digest, digest))
            return t->stake;
    }
    return 0;
}

bool pbft_slot_add_vote(pbft_node *n, pbft_slot *s, const pbft_vote *v)
{
    bool prepare = v->phase == PBFT_PHASE_PREPARE;
    uint64_t *seen = prepare ? s->prepare_seen : s->commit_seen;
    g_assert(v->validator < n->p->validators_count);
    /* One vote per validator and view; an older view's vote arriving late
     * adds nothing a newer one has not (certificates are per view). */
    if (seen[v->validator] > v->view)
        return false;
    seen[v->validator] = v->view + 1;
    g_array_append_val(prepare ? s->prepares : s->commits, *v);
    if (!prepare)
        s->commit_at[v->validator] = s->commits->len - 1;
    GArray *tallies = prepare ? s->prepare_tallies : s->commit_tallies;
    uint64_t stake = pbft_power_at(n, v->validator, s->seq);
    for (guint i = 0; i < tallies->len; i++) {
        pbft_tally *t = &g_array_index(tallies, pbft_tally, i);
        if (t->view == v->view && proto_hash_equal(&t->digest, &v->digest)) {
            t->stake += stake;
            return true;
        }
    }
    pbft_tally t = {.view = v->view, .digest = v->digest, .stake = stake};
    g_array_append_val(tallies, t);
    return true;
}

static void votes_cert(const GArray *votes, uint8_t phase, uint64_t view, uint64_t seq,
                       const proto_hash *digest, pbft_cert *out)
{
    pbft_cert_init(out, phase, view, seq, digest);
    for (guint i = 0; i < votes->len; i++) {
        const pbft_vote *v = &g_array_index(votes, pbft_vote, i);
        if (v->view == view && proto_hash_equal(&v->digest, digest))
            pbft_cert_add(out, v->validator, &v->sig);
    }
}

static bool commit_vote_known(void *ctx, const pbft_cert *c, const pbft_cert_sig *sig)
{
    const pbft_slot *s = ctx; /* sig->validator is in range: checked before any signature */
    uint64_t seen = s->commit_seen[sig->validator];
    if (seen != c->view + 1)
        return false;
    const pbft_vote *v = &g_array_index(s->commits, pbft_vote, s->commit_at[sig->validator]);
    return proto_hash_equal(&v->digest, &c->digest) &&
           memcmp(v->sig.bytes, sig->sig.bytes, PROTO_SIG_SIZE) == 0;
}

bool pbft_commit_cert_verify(pbft_node *n, const pbft_cert *c, const pbft_members *m)
{
    pbft_slot *s = c->phase == PBFT_PHASE_COMMIT ? pbft_slot_get(n, c->seq, false) : NULL;
    return pbft_cert_verify_known(c, &m->quorum, n->p->chain_id, n->p->crypto, &n->genesis_hash,
                                  s != NULL ? commit_vote_known : NULL, s);
}

/* Sign, record and multicast our vote for the slot's block. */
static void cast_vote(pbft_node *n, pbft_slot *s, uint8_t phase)
{
    if (!pbft_self_has_power(n, s->seq))
        return; /* jailed: nothing we sign counts */
    if (!pbft_signguard_vote(n, phase, s->seq, n->view, &s->digest))
        return; /* we signed something else there before a restart */
    pbft_vote v = {.phase = phase,
                   .view = n->view,
                   .seq = s->seq,
                   .digest = s->digest,
                   .validator = (uint32_t)n->validator_index};
    pbft_vote_sign(&v, n->p->chain_id, n->p->crypto, pbft_signing_key(n, s->seq));
    /* Our own vote counts here only if others will count it too. */
    if (pbft_signs_as_chain_key(n, s->seq))
        pbft_slot_add_vote(n, s, &v);
    uint8_t type = phase == PBFT_PHASE_PREPARE ? PROTO_MSG_PBFT_PREPARE : PROTO_MSG_PBFT_COMMIT;
    GBytes *wire = pbft_msg_vote_encode(type, &v);
    pbft_send_validators(n, wire);
    g_bytes_unref(wire);
}

/* The proposer whose PRE-PREPARE of the slot's block stands for its
 * PREPARE (Castro and Liskov: prepared = pre-prepare + 2f PREPAREs from
 * backups): a block proposed in the slot's view itself, not one a
 * NEW-VIEW's O re-proposes (nor a null block). PBFT_NO_PREPREPARE if none. */
static uint32_t standing_preprepare(const pbft_node *n, const pbft_slot *s)
{
    if (!s->have_block || s->from_newview || pbft_is_null_block(s->block))
        return PBFT_NO_PREPREPARE;
    const proto_block_header *h = &s->block->header;
    return h->slot == s->view && h->proposer < n->p->validators_count ? h->proposer
                                                                     : PBFT_NO_PREPREPARE;
}

/* Whether the validator's PREPARE for the slot's (view, digest) is held. */
static bool prepare_held(const pbft_slot *s, uint32_t validator)
{
    if (s->prepare_seen[validator] != s->view + 1)
        return false;
    for (guint i = 0; i < s->prepares->len; i++) {
        const pbft_vote *v = &g_array_index(s->prepares, pbft_vote, i);
        if (v->validator == validator && v->view == s->view)
            return proto_hash_equal(&v->digest, &s->digest);
    }
    return false;
}

/* The proposer whose pre-prepare counts towards the slot's prepared
 * certificate: one that stands and has not also sent a PREPARE for it
 * (nobody counts twice). */
static uint32_t counted_preprepare(const pbft_node *n, const pbft_slot *s)
{
    uint32_t p = standing_preprepare(n, s);
    return p != PBFT_NO_PREPREPARE && !prepare_held(s, p) ? p : PBFT_NO_PREPREPARE;
}

/* Stake behind the slot's block in its view: PREPAREs and the pre-prepare. */
static uint64_t prepared_stake(pbft_node *n, const pbft_slot *s)
{
    uint64_t stake = tally_stake(s->prepare_tallies, s->view, &s->digest);
    uint32_t p = counted_preprepare(n, s);
    return p != PBFT_NO_PREPREPARE ? stake + pbft_power_at(n, p, s->seq) : stake;
}

void pbft_send_prepare(pbft_node *n, pbft_slot *s)
{
    if (s->sent_prepare)
        return;
    s->sent_prepare = true;
    if (pbft_is_validator(n) && standing_preprepare(n, s) == (uint32_t)n->validator_index)
        return; /* our PRE-PREPARE is our PREPARE */
    cast_vote(n, s, PBFT_PHASE_PREPARE);
}

/* ---- validation and progress ---- */

/* Validate the block of committed+1 on our state and keep it applied
 * (tentatively) so committing it costs nothing more. */
static bool validate_next(pbft_node *n, pbft_slot *s)
{
    if (n->tentative && proto_hash_equal(&n->tentative_digest, &s->digest))
        return true;
    pbft_tentative_revert(n);
    proto_reject_reason reason = pbft_check_block(n, s->block, s->view, !s->from_newview);
    if (reason == PROTO_REJECT_NONE && !pbft_is_null_block(s->block)) {
        if (!pbft_code_runs(n, s->seq))
            return false; /* halted: no fault of the block's */
        proto_undo_init(&n->tentative_undo);
        proto_exec_env env = pbft_exec_env(n);
        if (!proto_exec_apply(n->state, s->block, &env, &n->tentative_undo)) {
            proto_undo_clear(&n->tentative_undo);
            reason = PROTO_REJECT_STATE_ROOT;
        } else {
            n->tentative = true;
            n->tentative_digest = s->digest;
        }
    }
    if (reason != PROTO_REJECT_NONE) {
        uint32_t proposer = s->block->header.proposer;
        pbft_reject(n,
                    proposer < n->p->validators_count ? n->p->validator_nodes[proposer]
                                                      : PROTO_NODE_NONE,
                    reason);
        return false;
    }
    return true;
}

/* A commit certificate for this height among the slot's votes, if any:
 * the (view, digest) with the most stake that reaches a quorum. */
static bool find_commit_cert(pbft_node *n, const pbft_slot *s, uint64_t *view,
                             proto_hash *digest)
{
    const pbft_members *m = pbft_members_at(n, s->seq);
    g_assert(m != NULL); /* s->seq == committed + 1 */
    for (guint i = 0; i < s->commit_tallies->len; i++) {
        const pbft_tally *t = &g_array_index(s->commit_tallies, pbft_tally, i);
        if (pbft_quorum_strong(&m->quorum, t->stake)) {
            *view = t->view;
            *digest = t->digest;
            return true;
        }
    }
    return false;
}

static proto_node_id some_voter(const pbft_node *n, const GArray *votes, uint64_t view,
                                const proto_hash *digest)
{
    for (guint i = 0; i < votes->len; i++) {
        const pbft_vote *v = &g_array_index(votes, pbft_vote, i);
        if (v->view == view && proto_hash_equal(&v->digest, digest) &&
            v->validator != (uint32_t)n->validator_index)
            return n->p->validator_nodes[v->validator];
    }
    return PROTO_NODE_NONE;
}

/* One step for height committed+1; true if it committed (call again). */
static bool advance_once(pbft_node *n)
{
    pbft_slot *s = pbft_slot_get(n, n->committed + 1, false);
    if (s == NULL)
        return false;
    bool voting = pbft_is_validator(n) && !n->in_view_change;
    if (voting && s->have_block && s->view == n->view && !s->sent_prepare) {
        if (!validate_next(n, s)) {
            slot_drop_block(s);
            return false;
        }
        pbft_send_prepare(n, s);
    }
    if (voting && s->have_block && s->view == n->view && s->sent_prepare && !s->sent_commit &&
        pbft_quorum_strong(&pbft_members_at(n, s->seq)->quorum, prepared_stake(n, s))) {
        if (s->has_pcert)
            pbft_cert_clear(&s->pcert);
        votes_cert(s->prepares, PBFT_PHASE_PREPARE, s->view, s->seq, &s->digest, &s->pcert);
        if (counted_preprepare(n, s) != PBFT_NO_PREPREPARE)
            pbft_cert_set_preprepare(&s->pcert, &s->block->header);
        s->has_pcert = true;
        if (s->pcert_block != NULL)
            g_bytes_unref(s->pcert_block);
        s->pcert_block = g_bytes_ref(s->block_wire);
        pbft_signguard_record_prepared(n, s);
        s->sent_commit = true;
        cast_vote(n, s, PBFT_PHASE_COMMIT);
    }
    uint64_t view = 0;
    proto_hash digest;
    if (!find_commit_cert(n, s, &view, &digest))
        return false;
    if (!s->have_block || !proto_hash_equal(&s->digest, &digest)) {
        /* Decided, but not the block we hold: fetch it with its certificate. */
        proto_node_id peer = some_voter(n, s->commits, view, &digest);
        if (peer != PROTO_NODE_NONE)
            pbft_sync_learn(n, peer, s->seq);
        return false;
    }
    pbft_cert cert;
    votes_cert(s->commits, PBFT_PHASE_COMMIT, view, s->seq, &digest, &cert);
    GBytes *wire = g_bytes_ref(s->block_wire);
    proto_block *b = s->block;
    uint64_t seq = s->seq;
    s->block = NULL; /* a commit frees the slot */
    bool ok = pbft_chain_commit(n, wire, b, &cert);
    if (!ok) {
        /* Certified elsewhere, but it does not follow our chain here (our
         * state is not the quorum's: a Byzantine node, a damaged store).
         * Forget it; a certified copy by catch-up is checked again. */
        pbft_slot *again = pbft_slot_get(n, seq, false);
        g_assert(again == s);
        slot_drop_block(again);
    }
    proto_block_free(b);
    g_bytes_unref(wire);
    pbft_cert_clear(&cert);
    return ok;
}

/* ---- PRE-PREPAREs above committed+1 ---- */

/* Who may propose height n depends on block n-1 (its view starts n's
 * rounds), so a PRE-PREPARE for a height above committed+1 is judged only
 * once its parent commits here. It waits in a small FIFO (the oldest goes
 * first when full), looked at again after every commit. */
typedef struct pbft_ahead {
    proto_node_id from;
    GBytes *wire;
} pbft_ahead;

static void ahead_free(gpointer p)
{
    pbft_ahead *a = p;
    g_bytes_unref(a->wire);
    g_free(a);
}

void pbft_ahead_init(pbft_node *n)
{
    n->ahead = g_ptr_array_new_with_free_func(ahead_free);
}

void pbft_ahead_clear(pbft_node *n)
{
    g_ptr_array_unref(n->ahead);
}

static void ahead_push(pbft_node *n, proto_node_id from, GBytes *wire)
{
    if (n->ahead->len >= PBFT_AHEAD_MAX)
        g_ptr_array_remove_index(n->ahead, 0);
    pbft_ahead *a = g_new(pbft_ahead, 1);
    a->from = from;
    a->wire = g_bytes_ref(wire);
    g_ptr_array_add(n->ahead, a);
}

static void ahead_replay(pbft_node *n)
{
    if (n->ahead->len == 0 || n->ahead_at == n->committed)
        return;
    n->ahead_at = n->committed;
    GPtrArray *waiting = n->ahead;
    n->ahead = g_ptr_array_new_with_free_func(ahead_free);
    for (guint i = 0; i < waiting->len; i++) {
        const pbft_ahead *a = waiting->pdata[i];
        pbft_on_preprepare(n, a->from, a->wire); /* may wait again */
    }
    g_ptr_array_unref(waiting);
}

void pbft_advance(pbft_node *n)
{
    while (advance_once(n)) {
    }
    ahead_replay(n);
}

/* ---- receiving ---- */

static bool block_signed_by(pbft_node *n, const void *msg, const proto_pubkey *pk)
{
    return proto_block_verify_sig(msg, n->p->chain_id, n->p->crypto, pk);
}

void pbft_on_preprepare(pbft_node *n, proto_node_id from, GBytes *wire)
{
    uint64_t view = 0;
    GBytes *body = NULL;
    if (!pbft_msg_preprepare_decode(wire, &view, &body)) {
        pbft_reject(n, from, PROTO_REJECT_DECODE);
        return;
    }
    proto_block *b = pbft_decode_block(n, body);
    if (b == NULL) {
        pbft_reject(n, from, PROTO_REJECT_DECODE);
        g_bytes_unref(body);
        return;
    }
    uint64_t seq = b->header.height;
    proto_reject_reason reason = PROTO_REJECT_NONE;
    bool keep = false;
    if (view > n->view) {
        pbft_future_push(n, from, wire);
    } else if (view < n->view || n->in_view_change || seq <= n->committed) {
        /* stale: nothing to do */
    } else if (seq <= n->view_floor) {
        /* Fixed by the NEW-VIEW (certified elsewhere, or O's): a primary
         * may not propose it again. */
        reason = PROTO_REJECT_SCHEDULE;
    } else if (!pbft_in_window(n, seq)) {
        reason = PROTO_REJECT_LIMIT;
    } else if (pbft_members_at(n, seq) == NULL) {
        /* Beyond the heights whose validator set we know: we are behind. */
        pbft_sync_learn(n, from, seq - 1);
    } else if (b->header.slot != view || b->header.proposer >= n->p->validators_count) {
        reason = PROTO_REJECT_SCHEDULE;
    } else if (seq > n->committed + 1) {
        /* Its primary depends on its parent: wait for it (signed by the
         * validator it names, so only validators fill the queue). */
        reason = pbft_check_signer(n, b->header.proposer, seq, block_signed_by, b);
        if (reason == PROTO_REJECT_NONE)
            ahead_push(n, from, wire);
        if (seq >= n->committed + PBFT_BEHIND_GAP)
            pbft_sync_learn(n, from, seq - 1);
    } else if (b->header.proposer != pbft_node_primary(n, seq, view)) {
        reason = PROTO_REJECT_SCHEDULE;
    } else if ((reason = pbft_check_signer(n, b->header.proposer, seq, block_signed_by, b)) !=
               PROTO_REJECT_NONE) {
        /* counted below */
    } else {
        pbft_slot *s = pbft_slot_get(n, seq, true);
        bool held = s->have_block && s->view == view;
        /* Its pre-prepare stands for the primary's PREPARE: against one it
         * sent for another block, or a second block for (view, seq) (the
         * first one stands), it is evidence. */
        pbft_evidence_check_preprepare(n, s, &b->header,
                                       held && !s->from_newview ? &s->block->header : NULL);
        if (!held) {
            proto_event ev = proto_block_event(PROTO_EV_BLOCK_RECEIVED, b);
            ev.from = from;
            pbft_emit(n, &ev);
            pbft_evidence_check_block(n, b);
            pbft_slot_assign(n, s, view, body, b, false);
            keep = true;
            if (seq >= n->committed + PBFT_BEHIND_GAP)
                pbft_sync_learn(n, from, seq - 1);
        }
    }
    if (reason != PROTO_REJECT_NONE)
        pbft_reject(n, from, reason);
    if (!keep)
        proto_block_free(b);
    g_bytes_unref(body);
    if (keep)
        pbft_advance(n);
}

/* A vote for the height just committed: its slot is still kept, so a
 * conflicting one is evidence; a late COMMIT for the decided block joins
 * the commit certificate the next block will carry. */
static void late_vote(pbft_node *n, const pbft_vote *v)
{
    pbft_slot *s = pbft_slot_get(n, v->seq, false);
    bool prepare = v->phase == PBFT_PHASE_PREPARE;
    /* Only a validator that already voted in this view can conflict. */
    if (s != NULL && (prepare ? s->prepare_seen : s->commit_seen)[v->validator] == v->view + 1) {
        const GArray *votes = prepare ? s->prepares : s->commits;
        for (guint i = 0; i < votes->len; i++) {
            const pbft_vote *old = &g_array_index(votes, pbft_vote, i);
            if (old->validator == v->validator && old->view == v->view &&
                !proto_hash_equal(&old->digest, &v->digest)) {
                if (pbft_verify_vote(n, v) == PROTO_REJECT_NONE)
                    pbft_evidence_check_vote(n, s, v);
                return;
            }
        }
    }
    if (v->phase == PBFT_PHASE_COMMIT)
        pbft_collect_late_commit(n, v);
}

void pbft_on_vote(pbft_node *n, proto_node_id from, GBytes *wire, uint8_t msg_type)
{
    pbft_vote v;
    if (!pbft_msg_vote_decode(wire, &v) || v.validator >= n->p->validators_count) {
        pbft_reject(n, from, PROTO_REJECT_DECODE);
        return;
    }
    if (v.seq <= n->committed) {
        if (v.seq == n->committed)
            late_vote(n, &v);
        return;
    }
    bool prepare = msg_type == PROTO_MSG_PBFT_PREPARE;
    if (prepare && v.view > n->view) {
        pbft_future_push(n, from, wire);
        return;
    }
    if (prepare && (v.view < n->view || n->in_view_change))
        return;
    if (!pbft_in_window(n, v.seq) || pbft_members_at(n, v.seq) == NULL) {
        if (v.seq > n->committed + 1)
            pbft_sync_learn(n, from, v.seq - 1);
        return;
    }
    pbft_slot *s = pbft_slot_get(n, v.seq, true);
    uint64_t seen = (prepare ? s->prepare_seen : s->commit_seen)[v.validator];
    if (seen > v.view + 1)
        return; /* a later view's vote is counted already */
    if (seen == v.view + 1) {
        /* A second vote of this validator in this view: a duplicate, or
         * equivocation (then, once its signature checks, evidence). */
        const GArray *votes = prepare ? s->prepares : s->commits;
        bool same = false;
        for (guint i = 0; i < votes->len && !same; i++) {
            const pbft_vote *old = &g_array_index(votes, pbft_vote, i);
            same = old->validator == v.validator && old->view == v.view &&
                   proto_hash_equal(&old->digest, &v.digest);
        }
        if (!same && pbft_verify_vote(n, &v) == PROTO_REJECT_NONE)
            pbft_evidence_check_vote(n, s, &v);
        return; /* the first vote stands */
    }
    proto_reject_reason reason = pbft_verify_vote(n, &v);
    if (reason != PROTO_REJECT_NONE) {
        pbft_reject(n, from, reason);
        return;
    }
    /* A PREPARE against the same validator's PRE-PREPARE of another block
     * in that view: evidence (its pre-prepare was its PREPARE). */
    pbft_evidence e;
    if (prepare && s->view == v.view && standing_preprepare(n, s) == v.validator &&
        pbft_evidence_make_mixed(&v, NULL, NULL, &s->block->header, &e))
        pbft_evidence_add(n, &e, n->self);
    if (!pbft_slot_add_vote(n, s, &v))
        return;
    if (v.seq >= n->committed + PBFT_BEHIND_GAP)
        pbft_sync_learn(n, from, v.seq - 1);
    if (v.seq == n->committed + 1)
        pbft_advance(n);
}
