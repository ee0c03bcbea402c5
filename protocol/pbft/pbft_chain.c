/* PBFT chain: committing blocks, the durable store, recovery, catch-up.
 *
 * Committed blocks are final: the node keeps one state, after its
 * committed height (plus, transiently, the tentative execution of the
 * next block; see pbft_log.c). Each committed block is stored as
 * "b/<height>" (the block's bytes, exactly as received, so every node
 * that stores one block shares one copy in a simulator's memory) and
 * "c/<height>" (its commit certificate), with "final" = height, so a
 * restarted node replays its chain, verifying every certificate and state
 * root again, and serves blocks to others.
 *
 * Catch-up has one path for everyone: GET_BLOCKS to a peer, BLOCKS back,
 * each block applied only after its commit certificate verifies and its
 * execution reproduces the state root; blocks above a gap wait (bounded).
 * Full nodes are pushed DECIDED blocks by proposers and ask a peer for
 * blocks when they stop hearing (pbft_net.c says which peer).
 *
 * Shared work (pbft_params.block_memo, exec_memo; both optional and
 * without effect on results): blocks are decoded through the block memo,
 * so the nodes of a chain decode given bytes once; full nodes, which
 * never execute tentatively, hold immutable states shared through the
 * execution memo, from the genesis state on, and take a block's
 * post-state from the memo when another node already executed it on the
 * same state; their per-node effects (slashing events, crypto counts)
 * come with it. Validators keep a private state. Every node stores a
 * block's bytes in the buffer the block memo keeps (not in the message
 * they came in, which may hold a batch), and full nodes share the encoded
 * certificate they store. */
#include "protocol/pbft/pbft_internal.h"

#include <stdio.h>

#include "protocol/chain/exec.h"
#include "protocol/core/codec.h"
#include "protocol/core/msgtype.h"

#define STORE_KEY_FINAL "final"
#define STORE_KEY_VIEW "view"
#define STORE_KEY_VIEW_FLOOR "view_floor"

static void store_block_key(uint64_t height, char out[32])
{
    snprintf(out, 32, "b/%020" G_GUINT64_FORMAT, (guint64)height);
}

static void store_cert_key(uint64_t height, char out[32])
{
    snprintf(out, 32, "c/%020" G_GUINT64_FORMAT, (guint64)height);
}

/* Block `height` and its commit certificate from the store; false if
 * either is missing or the certificate does not decode. */
static bool store_get_decided(pbft_node *n, uint64_t height, pbft_decided *out)
{
    char key[32];
    store_block_key(height, key);
    GBytes *block = n->env.store_get(n->env.ctx, key);
    store_cert_key(height, key);
    GBytes *cert = n->env.store_get(n->env.ctx, key);
    bool ok = block != NULL && cert != NULL;
    if (ok) {
        gsize size = 0;
        const uint8_t *data = g_bytes_get_data(cert, &size);
        proto_reader r;
        proto_reader_init(&r, data, size);
        ok = pbft_cert_read(&r, &out->cert, PBFT_PHASE_COMMIT) && proto_reader_finish(&r);
        if (!ok && out->cert.sigs != NULL)
            pbft_cert_clear(&out->cert);
    }
    if (ok)
        out->block = g_bytes_ref(block);
    if (block != NULL)
        g_bytes_unref(block);
    if (cert != NULL)
        g_bytes_unref(cert);
    return ok;
}

static void store_put_u64(pbft_node *n, const char *key, uint64_t v)
{
    uint8_t buf[8];
    proto_le_put_u64(buf, v);
    GBytes *b = g_bytes_new(buf, sizeof buf);
    n->env.store_put(n->env.ctx, key, b);
    g_bytes_unref(b);
}

static bool store_get_u64(pbft_node *n, const char *key, uint64_t *out)
{
    GBytes *b = n->env.store_get(n->env.ctx, key);
    if (b == NULL)
        return false;
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(b, &size);
    bool ok = size == 8;
    if (ok)
        *out = proto_le_get_u64(data);
    g_bytes_unref(b);
    return ok;
}

void pbft_store_view(pbft_node *n)
{
    store_put_u64(n, STORE_KEY_VIEW, n->view);
    store_put_u64(n, STORE_KEY_VIEW_FLOOR, n->view_floor);
}

static void genesis_header(const proto_state *genesis, proto_block_header *h, proto_hash *hash)
{
    proto_state *s = proto_state_copy(genesis);
    memset(h, 0, sizeof *h);
    h->proposer = PBFT_NULL_PROPOSER;
    proto_state_root(s, &h->state_root);
    proto_block_compute_hash(h, hash);
    proto_state_free(s);
}

void pbft_genesis_hash(const pbft_params *params, proto_hash *out)
{
    proto_block_header h;
    genesis_header(params->genesis_state, &h, out);
}

/* Full nodes under an execution memo share states, from genesis on. */
static bool shares_states(const pbft_node *n)
{
    return n->p->exec_memo != NULL && !pbft_is_validator(n);
}

void pbft_chain_init(pbft_node *n)
{
    n->state = shares_states(n) ? proto_state_ref(n->p->genesis_state)
                                : proto_state_copy(n->p->genesis_state);
    n->hashes = g_array_new(FALSE, FALSE, sizeof(proto_hash));
    g_array_append_val(n->hashes, n->genesis_hash);
    pbft_cert_init(&n->commit_cert, PBFT_PHASE_COMMIT, 0, 0, &n->genesis_hash);
    n->pending = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                       (GDestroyNotify)pbft_decided_free);
    n->effects = g_array_new(FALSE, FALSE, sizeof(proto_event));
    n->receipts = g_array_new(FALSE, FALSE, sizeof(proto_fee_tx_record));
    n->fees = proto_fee_tracker_new(&n->p->rules->fees, PBFT_TIP_DEFAULT);
    n->late_commits = g_array_new(FALSE, FALSE, sizeof(pbft_vote));
}

void pbft_chain_clear(pbft_node *n)
{
    pbft_tentative_revert(n);
    proto_state_free(n->state);
    g_array_unref(n->hashes);
    pbft_cert_clear(&n->commit_cert);
    g_hash_table_unref(n->pending);
    g_array_unref(n->effects);
    g_array_unref(n->receipts);
    proto_fee_tracker_free(n->fees);
    g_array_unref(n->late_commits);
}

proto_block *pbft_decode_block(pbft_node *n, GBytes *wire)
{
    if (n->p->block_memo != NULL)
        return proto_block_memo_decode(n->p->block_memo, wire, n->p->max_block_txs);
    gsize size = 0;
    const void *data = g_bytes_get_data(wire, &size);
    return proto_block_decode_all(data, size, n->p->max_block_txs);
}

void pbft_null_block(const proto_hash *parent, uint64_t height, uint64_t view, proto_block *out)
{
    g_array_set_size(out->txs, 0);
    memset(&out->header, 0, sizeof out->header);
    out->header.height = height;
    out->header.slot = view;
    out->header.parent = *parent;
    out->header.proposer = PBFT_NULL_PROPOSER;
    proto_block_seal_txs(out);
}

bool pbft_is_null_block(const proto_block *b)
{
    return b->header.proposer == PBFT_NULL_PROPOSER;
}

proto_reject_reason pbft_check_block(pbft_node *n, const proto_block *b, uint64_t view,
                                     bool check_proposer)
{
    const proto_block_header *h = &b->header;
    if (h->height != n->committed + 1 ||
        !proto_hash_equal(&h->parent, &g_array_index(n->hashes, proto_hash, n->committed)))
        return PROTO_REJECT_LINKAGE;
    if (pbft_is_null_block(b)) {
        /* Only O creates these; they must be exactly the canonical form. */
        return h->tx_count == 0 && h->timestamp_ns == 0 && proto_hash_is_zero(&h->state_root)
                   ? PROTO_REJECT_NONE
                   : PROTO_REJECT_LINKAGE;
    }
    if (h->proposer >= n->p->validators_count ||
        h->proposer != pbft_node_primary(n, h->height, h->slot) ||
        (check_proposer && h->slot != view))
        return PROTO_REJECT_SCHEDULE;
    if (h->timestamp_ns <= n->last_timestamp_ns ||
        h->timestamp_ns > n->env.now_ns(n->env.ctx))
        return PROTO_REJECT_TIMESTAMP;
    if (!proto_block_verify_sig(b, n->p->chain_id, n->p->crypto,
                                &pbft_members_at(n, h->height)->keys[h->proposer]))
        return PROTO_REJECT_SIGNATURE;
    return PROTO_REJECT_NONE;
}

/* A committed block's fees into the tracker (null blocks execute
 * nothing: the base fee stays); returns its tips. */
static uint64_t track_fees(pbft_node *n, const proto_block *b)
{
    if (pbft_is_null_block(b))
        return 0;
    proto_fee_tracker_push(n->fees, b->header.base_fee, b->header.gas_used,
                           b->header.gas_limit, n->receipts);
    return proto_exec_receipts_tips(n->receipts);
}

static void emit_final(pbft_node *n, const proto_block *b)
{
    GArray *tx_hashes = g_array_sized_new(FALSE, FALSE, sizeof(proto_hash), b->txs->len);
    g_array_set_size(tx_hashes, b->txs->len);
    proto_block_tx_ids(b, (proto_hash *)tx_hashes->data);
    if (n->mempool != NULL)
        proto_exec_forget_block(n->mempool, n->state, b, (const proto_hash *)tx_hashes->data);
    proto_hash root;
    proto_state_root(n->state, &root);
    proto_event ev = proto_block_event(PROTO_EV_BLOCK_FINAL, b);
    ev.state_root = root.bytes; /* the state this node reached, not the claim */
    ev.tx_hashes = tx_hashes->len > 0 ? (const uint8_t *)tx_hashes->data : NULL;
    ev.tips = track_fees(n, b);
    pbft_emit(n, &ev);
    g_array_unref(tx_hashes);
}

/* Apply b (committed+1) to the state unless it is already applied
 * tentatively; false (state unchanged) if it does not execute. */
static bool apply_next(pbft_node *n, const proto_block *b)
{
    if (n->tentative && proto_hash_equal(&n->tentative_digest, &b->hash)) {
        proto_undo_clear(&n->tentative_undo);
        n->tentative = false;
        return true;
    }
    pbft_tentative_revert(n);
    if (pbft_is_null_block(b))
        return true;
    if (!pbft_code_runs(n, b->header.height))
        return false; /* halted: no fault of the block's */
    proto_exec_env env = pbft_exec_env(n);
    if (shares_states(n))
        return proto_exec_memo_apply(n->p->exec_memo, &n->state, b, &env);
    return proto_exec_apply(n->state, b, &env, NULL);
}

/* Record b as committed: memory, store, observers. */
static void record_commit(pbft_node *n, GBytes *block_wire, const proto_block *b,
                          const pbft_cert *cert, bool persist)
{
    n->committed = b->header.height;
    n->committed_view = b->header.slot;
    g_array_append_val(n->hashes, b->hash);
    if (!pbft_is_null_block(b))
        n->last_timestamp_ns = b->header.timestamp_ns;
    pbft_cert_clear(&n->commit_cert);
    pbft_cert_copy(&n->commit_cert, cert);
    g_array_set_size(n->late_commits, 0);
    if (!persist)
        return;
    char key[32];
    store_block_key(n->committed, key);
    /* The same bytes, in the buffer every node shares
     * (protocol/memo/block_memo.h). */
    GBytes *stored = n->p->block_memo != NULL ? proto_block_memo_stored_bytes(n->p->block_memo, b)
                                              : NULL;
    n->env.store_put(n->env.ctx, key, stored != NULL ? stored : block_wire);
    if (stored != NULL)
        g_bytes_unref(stored);
    proto_writer w;
    proto_writer_init(&w);
    pbft_cert_write(&w, cert);
    GBytes *cert_bytes = proto_writer_steal(&w);
    if (n->p->block_memo != NULL && !pbft_is_validator(n)) {
        /* Full nodes store the certificate they were given, mostly the
         * proposer's: one copy will do. (Each validator's is its own.) */
        GBytes *shared = proto_block_memo_share(n->p->block_memo, &b->hash, cert_bytes);
        g_bytes_unref(cert_bytes);
        cert_bytes = shared;
    }
    store_cert_key(n->committed, key);
    n->env.store_put(n->env.ctx, key, cert_bytes);
    g_bytes_unref(cert_bytes);
    store_put_u64(n, STORE_KEY_FINAL, n->committed);
    /* The proposer tells every node (pbft_broadcast_decided). */
    if (pbft_is_validator(n) && b->header.proposer == (uint32_t)n->validator_index) {
        pbft_decided d = {.block = block_wire, .cert = *cert};
        GBytes *enc = pbft_msg_decided_encode(&d);
        pbft_broadcast_decided(n, enc);
        g_bytes_unref(enc);
    }
}

/* Once caught up after a sync, hand the validators the transactions that
 * waited in our pool: during a partition clients kept giving them to us
 * alone, and no proposer elsewhere has them ("sync the mempool"). */
static void regossip_now(pbft_node *n)
{
    if (n->mempool == NULL || !n->regossip_pending ||
        n->env.now_ns(n->env.ctx) < n->sync_inflight_until_ns)
        return; /* still fetching blocks */
    n->regossip_pending = false;
    GArray *txs = g_array_new(FALSE, FALSE, sizeof(proto_txpool_tx));
    proto_txpool_take_stale(n->mempool, PBFT_REGOSSIP_AGE_BLOCKS, PBFT_REGOSSIP_MAX, txs);
    for (guint i = 0; i < txs->len; i++) {
        GBytes *wire = proto_txenv_msg_encode(&g_array_index(txs, proto_txpool_tx, i).tx);
        pbft_broadcast_validators(n, wire);
        g_bytes_unref(wire);
    }
    g_array_unref(txs);
}

/* After each commit: the pool ages a block; pass on what waited, if due. */
static void regossip(pbft_node *n)
{
    if (n->mempool == NULL)
        return;
    proto_txpool_tick(n->mempool);
    regossip_now(n);
}

bool pbft_chain_commit(pbft_node *n, GBytes *block_wire, const proto_block *b,
                       const pbft_cert *cert)
{
    g_assert(b->header.height == n->committed + 1);
    bool tentative = n->tentative && proto_hash_equal(&n->tentative_digest, &b->hash);
    proto_reject_reason reason = tentative ? PROTO_REJECT_NONE
                                           : pbft_check_block(n, b, b->header.slot, false);
    if (reason == PROTO_REJECT_NONE && !apply_next(n, b))
        reason = PROTO_REJECT_STATE_ROOT;
    if (n->halted)
        return false;
    if (reason != PROTO_REJECT_NONE) {
        pbft_reject(n, PROTO_NODE_NONE, reason);
        return false;
    }
    if (!tentative)
        pbft_evidence_check_block(n, b); /* a validated block was checked on arrival */
    record_commit(n, block_wire, b, cert, true);
    pbft_late_commits_from_slot(n); /* before the slot is collected */
    pbft_effects_emit(n, b);
    emit_final(n, b);
    pbft_evidence_prune(n);
    pbft_valops_after_commit(n);
    regossip(n);
    /* The committed height's votes stay one height longer: the next
     * block's commit signatures are checked against them (evidence). */
    pbft_slots_gc(n, n->committed - 1);
    pbft_checkpoint_after_commit(n);
    pbft_view_progress(n);
    pbft_maybe_schedule_proposal(n);
    return true;
}

/* ---- recovery ---- */

void pbft_chain_recover(pbft_node *n)
{
    uint64_t view = 0;
    if (store_get_u64(n, STORE_KEY_VIEW, &view))
        n->view = view;
    uint64_t floor = 0;
    if (store_get_u64(n, STORE_KEY_VIEW_FLOOR, &floor))
        n->view_floor = floor;
    uint64_t final = 0;
    if (!store_get_u64(n, STORE_KEY_FINAL, &final))
        return;
    for (uint64_t h = 1; h <= final; h++) {
        pbft_decided d = {0};
        bool decoded = store_get_decided(n, h, &d);
        bool ok = decoded;
        proto_block *b = ok ? pbft_decode_block(n, d.block) : NULL;
        ok = b != NULL && proto_hash_equal(&d.cert.digest, &b->hash) && d.cert.seq == h &&
             pbft_cert_verify(&d.cert, &pbft_members_at(n, h)->quorum, n->p->chain_id,
                              n->p->crypto, &n->genesis_hash) &&
             pbft_check_block(n, b, b->header.slot, false) == PROTO_REJECT_NONE &&
             apply_next(n, b);
        g_array_set_size(n->effects, 0); /* reported when it first committed */
        if (ok) {
            record_commit(n, d.block, b, &d.cert, false);
            track_fees(n, b);
        }
        if (b != NULL)
            proto_block_free(b);
        if (decoded)
            pbft_decided_clear(&d);
        if (!ok)
            break; /* a damaged store: keep what verified, fetch the rest */
    }
    proto_event ev = {.kind = PROTO_EV_RECOVERED, .height = n->committed, .slot = n->view};
    pbft_emit(n, &ev);
}

/* ---- catch-up ---- */

static void arm_sync_timer(pbft_node *n, int64_t delay_ns)
{
    pbft_cancel_timer(n, &n->sync_timer);
    n->sync_timer = n->env.set_timer(n->env.ctx, delay_ns, PBFT_TIMER_SYNC, n->committed);
}

void pbft_sync_request(pbft_node *n, proto_node_id peer, uint64_t target_height)
{
    if (target_height > n->sync_target)
        n->sync_target = target_height;
    int64_t now = n->env.now_ns(n->env.ctx);
    if (now < n->sync_inflight_until_ns || peer == n->self || peer == PROTO_NODE_NONE)
        return;
    GBytes *wire = pbft_msg_get_blocks_encode(n->committed + 1, n->p->sync_batch_max);
    n->env.send(n->env.ctx, peer, wire);
    g_bytes_unref(wire);
    n->sync_inflight_until_ns = now + PBFT_SYNC_TIMEOUT_NS;
    arm_sync_timer(n, PBFT_SYNC_TIMEOUT_NS);
    proto_event ev = {.kind = PROTO_EV_SYNC_REQUEST, .from = peer, .height = n->committed + 1};
    pbft_emit(n, &ev);
}

void pbft_sync_learn(pbft_node *n, proto_node_id peer, uint64_t height)
{
    if (height <= n->committed)
        return;
    pbft_sync_request(n, peer, height);
}

void pbft_sync_on_get_blocks(pbft_node *n, proto_node_id from, GBytes *wire)
{
    uint64_t from_height = 0;
    uint32_t count = 0;
    if (!pbft_msg_get_blocks_decode(wire, &from_height, &count) || from_height == 0) {
        pbft_reject(n, from, PROTO_REJECT_DECODE);
        return;
    }
    count = MIN(count, MIN(n->p->sync_batch_max, PBFT_BLOCKS_MAX));
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)pbft_decided_free);
    for (uint64_t h = from_height; h <= n->committed && out->len < count; h++) {
        pbft_decided *d = g_new0(pbft_decided, 1);
        if (!store_get_decided(n, h, d)) {
            g_free(d);
            break;
        }
        g_ptr_array_add(out, d);
    }
    /* Always answer, even with nothing: the asker learns where we are. */
    GBytes *reply = pbft_msg_blocks_encode(out);
    n->env.send(n->env.ctx, from, reply);
    g_bytes_unref(reply);
    g_ptr_array_unref(out);
}

/* A decided block from a peer: verify, then commit it or hold it. b is
 * d->block decoded (owned), or NULL to decode it here. */
static void take_decided(pbft_node *n, proto_node_id from, pbft_decided *d, proto_block *b)
{
    if (b == NULL)
        b = pbft_decode_block(n, d->block);
    if (b == NULL) {
        pbft_reject(n, from, PROTO_REJECT_DECODE);
        return;
    }
    uint64_t h = b->header.height;
    if (h <= n->committed || g_hash_table_contains(n->pending, &h)) {
        proto_block_free(b);
        return;
    }
    /* A certificate above the heights whose validator set we know waits
     * unverified; it is checked when its height comes next. */
    const pbft_members *m = pbft_members_at(n, h);
    if (d->cert.seq != h || !proto_hash_equal(&d->cert.digest, &b->hash) ||
        d->cert.phase != PBFT_PHASE_COMMIT ||
        (m != NULL && !pbft_commit_cert_verify(n, &d->cert, m))) {
        pbft_reject(n, from, PROTO_REJECT_SIGNATURE);
        proto_block_free(b);
        return;
    }
    if (m != NULL)
        pbft_evidence_check_cert(n, &d->cert);
    if (h > n->committed + 1) {
        if (g_hash_table_size(n->pending) < PBFT_PENDING_MAX) {
            pbft_decided *held = g_new0(pbft_decided, 1);
            held->block = g_bytes_ref(d->block);
            pbft_cert_copy(&held->cert, &d->cert);
            uint64_t *key = g_new(uint64_t, 1);
            *key = h;
            g_hash_table_insert(n->pending, key, held);
        }
        proto_block_free(b);
        pbft_sync_learn(n, from, h);
        return;
    }
    if (!pbft_chain_commit(n, d->block, b, &d->cert)) {
        proto_block_free(b);
        return;
    }
    proto_block_free(b);
    /* Drain what waited above the gap. */
    for (;;) {
        uint64_t next = n->committed + 1;
        pbft_decided *held = g_hash_table_lookup(n->pending, &next);
        if (held == NULL)
            break;
        proto_block *hb = pbft_decode_block(n, held->block);
        bool ok = hb != NULL &&
                  pbft_cert_verify(&held->cert, &pbft_members_at(n, next)->quorum,
                                   n->p->chain_id, n->p->crypto, &n->genesis_hash) &&
                  pbft_chain_commit(n, held->block, hb, &held->cert);
        if (hb != NULL)
            proto_block_free(hb);
        g_hash_table_remove(n->pending, &next);
        if (!ok)
            break;
    }
}

static gboolean pending_stale(gpointer key, gpointer value, gpointer committed)
{
    return *(const uint64_t *)key <= *(const uint64_t *)committed;
}

void pbft_sync_on_blocks(pbft_node *n, proto_node_id from, GBytes *wire)
{
    GPtrArray *list = g_ptr_array_new_with_free_func((GDestroyNotify)pbft_decided_free);
    if (!pbft_msg_blocks_decode(wire, list)) {
        pbft_reject(n, from, PROTO_REJECT_DECODE);
        g_ptr_array_unref(list);
        return;
    }
    uint64_t before = n->committed;
    for (guint i = 0; i < list->len; i++)
        take_decided(n, from, list->pdata[i], NULL);
    g_ptr_array_unref(list);
    g_hash_table_foreach_remove(n->pending, pending_stale, &n->committed);
    n->sync_inflight_until_ns = 0;
    if (n->committed > before) {
        /* Got something: there may be more. We were cut off, so the
         * others may lack what clients gave us meanwhile (regossip). */
        n->regossip_pending = n->mempool != NULL;
        if (n->committed < n->sync_target)
            pbft_sync_request(n, from, n->sync_target);
        else
            regossip_now(n); /* level with what we know: pass it on now */
        pbft_advance(n);
    }
}

void pbft_sync_on_decided(pbft_node *n, proto_node_id from, GBytes *wire)
{
    pbft_decided d;
    if (!pbft_msg_decided_decode(wire, &d)) {
        pbft_reject(n, from, PROTO_REJECT_DECODE);
        return;
    }
    uint64_t before = n->committed;
    proto_block *b = pbft_decode_block(n, d.block);
    if (b != NULL && b->header.height > n->committed) {
        proto_event ev = proto_block_event(PROTO_EV_BLOCK_RECEIVED, b);
        ev.from = from;
        pbft_emit(n, &ev);
    }
    take_decided(n, from, &d, b);
    pbft_decided_clear(&d);
    if (n->committed > before)
        pbft_advance(n);
}

void pbft_sync_start(pbft_node *n)
{
    arm_sync_timer(n, 2 * n->p->block_interval_ns + n->p->view_timeout_ns);
}

/* Full nodes: a stall check every few block intervals. Validators: retry
 * an unanswered catch-up. */
void pbft_sync_on_timer(pbft_node *n)
{
    int64_t period = 2 * n->p->block_interval_ns + n->p->view_timeout_ns;
    uint64_t r = n->env.random_u64(n->env.ctx);
    proto_node_id peer = pbft_sync_peer(n, r, false);
    if (!pbft_is_validator(n)) {
        if (n->committed == n->stall_mark && peer != n->self) {
            n->sync_inflight_until_ns = 0;
            pbft_sync_request(n, peer, UINT64_MAX);
        }
        n->stall_mark = n->committed;
        arm_sync_timer(n, period);
        return;
    }
    if (n->sync_target > n->committed && peer != n->self) {
        n->sync_inflight_until_ns = 0;
        pbft_sync_request(n, peer, n->sync_target);
    }
}
