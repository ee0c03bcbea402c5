/* PoA chain: execution, fork choice, rolling finality, durable store.
 *
 * Every entry of the head chain holds a reference to the state after it
 * (read-only: executing a block starts from a copy of its parent's), so
 * the node's state is its head's, and moving the head to another branch
 * drops the states down to the common ancestor and executes the new
 * branch block by block, checking every state root. A block that fails is
 * marked invalid with its descendants, the old branch is restored and
 * fork choice runs again, so a bad block can cost work but never corrupt
 * the state.
 *
 * Shared work (poa_params.block_memo, exec_memo; both optional and
 * without effect on results): blocks are decoded through the block memo
 * and executed through the execution memo, so the nodes of a chain decode
 * given bytes once and execute a block once per pre-state; a node that
 * comes second takes a reference to the post-state, the receipts and the
 * replayed verification counts of the first. Execution is the same call
 * at every PoA node (no per-node extension), which is what the execution
 * memo requires.
 *
 * Finality is checked after every head change (rule in poa.h). Final
 * blocks go to the durable store as "b/<height>" plus "final" = height,
 * and recovery replays them, verifying everything again. */
#include "protocol/poa/poa_internal.h"

#include <stdio.h>

#include "protocol/chain/exec.h"
#include "protocol/core/codec.h"
#include "protocol/modules/upgrade/upgrade.h"

#define STORE_KEY_FINAL "final"

void poa_store_block_key(uint64_t height, char out[32])
{
    snprintf(out, 32, "b/%020" G_GUINT64_FORMAT, (guint64)height);
}

static void genesis_header(proto_state *genesis, proto_block_header *h, proto_hash *hash)
{
    memset(h, 0, sizeof *h);
    h->proposer = UINT32_MAX;
    proto_state_root(genesis, &h->state_root);
    proto_block_compute_hash(h, hash);
}

/* Under an execution memo every node starts from the one genesis state
 * (shared, read-only); without one each has a copy of its own. */
void poa_chain_init(poa_node *n)
{
    proto_block_header h;
    proto_hash hash;
    proto_state *genesis = n->p->exec_memo != NULL ? proto_state_ref(n->p->genesis_state)
                                                   : proto_state_copy(n->p->genesis_state);
    genesis_header(genesis, &h, &hash);
    poa_tree_init(&n->tree, &h, &hash);
    n->head = poa_tree_root(&n->tree);
    n->head->state = genesis;
    poa_entry_prio_init(n, n->head);
    n->final_hashes = g_array_new(FALSE, FALSE, sizeof(proto_hash));
    g_array_append_val(n->final_hashes, hash);
}

void poa_chain_clear(poa_node *n)
{
    poa_tree_clear(&n->tree);
    g_array_unref(n->final_hashes);
}

void poa_genesis_hash(const poa_params *params, proto_hash *out)
{
    proto_state *s = proto_state_copy(params->genesis_state); /* its root may need computing */
    proto_block_header h;
    genesis_header(s, &h, out);
    proto_state_free(s);
}

proto_block *poa_decode_body(poa_node *n, GBytes *body)
{
    if (n->p->block_memo != NULL)
        return proto_block_memo_decode(n->p->block_memo, body, n->p->max_block_txs);
    gsize size = 0;
    const void *data = g_bytes_get_data(body, &size);
    return proto_block_decode_all(data, size, n->p->max_block_txs);
}

/* The state after executing b on *state (which it replaces), through the
 * execution memo if there is one, else on a copy; false (*state
 * unchanged) if b does not execute. */
static bool execute_on(poa_node *n, proto_state **state, const proto_block *b,
                       const proto_exec_env *env)
{
    if (n->p->exec_memo != NULL)
        return proto_exec_memo_apply(n->p->exec_memo, state, b, env);
    proto_state *next = proto_state_copy(*state);
    if (!proto_exec_apply(next, b, env, NULL)) {
        proto_state_free(next);
        return false;
    }
    proto_state_free(*state);
    *state = next;
    return true;
}

bool poa_code_runs(poa_node *n, uint64_t height)
{
    if (n->halted)
        return false;
    uint32_t module = 0, version = 0;
    if (proto_upgrade_code_runs(n->head->state, height, n->env.code_versions, &module, &version))
        return true;
    n->halted = true;
    if (n->slot_timer != PROTO_TIMER_NONE)
        n->env.cancel_timer(n->env.ctx, n->slot_timer);
    n->slot_timer = PROTO_TIMER_NONE;
    proto_event ev = proto_upgrade_halt_event(height, module, version);
    poa_emit(n, &ev);
    return false;
}

bool poa_chain_apply(poa_node *n, poa_entry *e, const proto_block *b)
{
    g_assert(e->parent == n->head && e->state == NULL);
    if (!poa_code_runs(n, b->header.height))
        return false; /* halted: no fault of the block's */
    g_array_set_size(n->receipts, 0);
    proto_exec_env env = {.rules = n->p->rules,
                          .crypto = n->p->crypto,
                          .receipts = n->receipts,
                          .code_versions = n->env.code_versions};
    proto_state *state = proto_state_ref(n->head->state);
    if (!execute_on(n, &state, b, &env)) {
        proto_state_free(state);
        return false;
    }
    e->state = state;
    e->tips = proto_exec_receipts_tips(n->receipts);
    proto_fee_tracker_push(n->fees, b->header.base_fee, b->header.gas_used,
                           b->header.gas_limit, n->receipts);
    if (e->tx_hashes == NULL) {
        e->tx_hashes = g_array_sized_new(FALSE, FALSE, sizeof(proto_hash), b->txs->len);
        g_array_set_size(e->tx_hashes, b->txs->len);
        proto_block_tx_ids(b, (proto_hash *)e->tx_hashes->data); /* kept by decoding */
    }
    if (n->mempool != NULL)
        proto_exec_forget_block(n->mempool, e->state, b, (const proto_hash *)e->tx_hashes->data);
    e->status = POA_EXEC_VALID;
    e->on_head_chain = true;
    n->head = e;
    return true;
}

/* Undo the head block; its transactions go back to the pool. */
static void revert_head(poa_node *n)
{
    poa_entry *e = n->head;
    g_assert(e->parent != NULL && e->on_head_chain);
    proto_state_free(e->state);
    e->state = NULL;
    proto_fee_tracker_pop(n->fees);
    e->on_head_chain = false;
    n->head = e->parent;
    if (n->mempool == NULL)
        return;
    proto_block *b = poa_decode_body(n, e->body);
    g_assert(b != NULL); /* it was decoded before it entered the tree */
    for (guint i = 0; i < b->txs->len; i++) {
        const proto_txenv *tx = &g_array_index(b->txs, proto_txenv, i);
        proto_txpool_add(n->mempool, tx, proto_state_account_by_key(n->head->state, &tx->sender),
                         &g_array_index(e->tx_hashes, proto_hash, i), n->head->state, NULL);
    }
    proto_block_free(b);
}

/* Execute e (child of head); on failure mark it invalid and report. */
static bool execute_entry(poa_node *n, poa_entry *e)
{
    proto_block *b = poa_decode_body(n, e->body);
    bool ok = b != NULL && poa_chain_apply(n, e, b);
    if (b != NULL)
        proto_block_free(b);
    if (!ok && !n->halted) {
        poa_tree_mark_invalid(&n->tree, e);
        poa_reject(n, e->header.proposer < n->p->validators_count
                          ? n->p->validator_nodes[e->header.proposer]
                          : PROTO_NODE_NONE,
                   PROTO_REJECT_STATE_ROOT);
    }
    return ok;
}

/* Try to move the head to target; false if a block on the way failed
 * (the head is then back at the common ancestor). */
static bool switch_to(poa_node *n, poa_entry *target)
{
    poa_entry *anc = poa_tree_common_ancestor(n->head, target);
    while (n->head != anc)
        revert_head(n);
    uint64_t steps = target->header.height - anc->header.height;
    poa_entry **path = g_new(poa_entry *, steps);
    poa_entry *e = target;
    for (uint64_t i = steps; i > 0; i--, e = e->parent)
        path[i - 1] = e;
    bool ok = true;
    for (uint64_t i = 0; i < steps && ok; i++)
        ok = execute_entry(n, path[i]);
    g_free(path);
    if (!ok) {
        while (n->head != anc)
            revert_head(n);
    }
    return ok;
}

void poa_chain_update_head(poa_node *n)
{
    poa_entry *old_head = n->head;
    for (;;) {
        poa_entry *best = poa_tree_best(&n->tree);
        if (best == n->head)
            break;
        if (switch_to(n, best))
            break;
        /* best was invalid; the loop picks the next best (the old head's
         * branch is valid, so this terminates). */
    }
    if (n->head == old_head)
        return;
    poa_entry *anc = poa_tree_common_ancestor(old_head, n->head);
    if (anc != old_head) {
        proto_event ev = {.kind = PROTO_EV_REORG,
                          .height = n->head->header.height,
                          .depth = (uint32_t)(old_head->header.height - anc->header.height),
                          .hash = n->head->hash.bytes};
        poa_emit(n, &ev);
    }
    proto_event ev = {.kind = PROTO_EV_BLOCK_HEAD,
                      .height = n->head->header.height,
                      .slot = n->head->header.slot,
                      .proposer = n->head->header.proposer,
                      .hash = n->head->hash.bytes};
    poa_emit(n, &ev);
    poa_chain_update_finality(n);
}

/* Make e final: persist, report, forget what finality makes useless. */
static void finalize_entry(poa_node *n, poa_entry *e)
{
    char key[32];
    poa_store_block_key(e->header.height, key);
    n->env.store_put(n->env.ctx, key, e->body);
    g_array_append_val(n->final_hashes, e->hash);
    proto_event ev = {.kind = PROTO_EV_BLOCK_FINAL,
                      .height = e->header.height,
                      .slot = e->header.slot,
                      .proposer = e->header.proposer,
                      .tx_count = e->header.tx_count,
                      .proposed_ns = e->header.timestamp_ns,
                      .hash = e->hash.bytes,
                      .state_root = e->header.state_root.bytes,
                      .tx_hashes = (const uint8_t *)e->tx_hashes->data,
                      .gas_used = e->header.gas_used,
                      .gas_limit = e->header.gas_limit,
                      .base_fee = e->header.base_fee,
                      .tips = e->tips};
    poa_emit(n, &ev);
    g_bytes_unref(e->body);
    e->body = NULL;
    g_array_unref(e->tx_hashes);
    e->tx_hashes = NULL;
}

static void store_final_height(poa_node *n, uint64_t height)
{
    proto_writer w;
    proto_writer_init(&w);
    proto_write_u64(&w, height);
    GBytes *value = proto_writer_steal(&w);
    n->env.store_put(n->env.ctx, STORE_KEY_FINAL, value);
    g_bytes_unref(value);
}

void poa_chain_update_finality(poa_node *n)
{
    poa_entry *root = poa_tree_root(&n->tree);
    uint32_t count = n->p->validators_count;
    uint8_t *seen = g_new0(uint8_t, count);
    uint64_t stake = 0;
    poa_entry *final = NULL;
    for (poa_entry *e = n->head; e != root; e = e->parent) {
        uint32_t v = e->header.proposer;
        if (!seen[v]) {
            seen[v] = 1;
            stake += n->p->stakes[v];
        }
        if (stake * 3 > n->total_stake * 2) {
            final = e;
            break;
        }
    }
    g_free(seen);
    if (final == NULL)
        return;
    uint64_t steps = final->header.height - root->header.height;
    poa_entry **path = g_new(poa_entry *, steps);
    poa_entry *e = final;
    for (uint64_t i = steps; i > 0; i--, e = e->parent)
        path[i - 1] = e;
    for (uint64_t i = 0; i < steps; i++)
        finalize_entry(n, path[i]);
    g_free(path);
    store_final_height(n, final->header.height);
    poa_tree_reroot(&n->tree, final);
}

/* Replay one stored final block on top of the head; false if the store
 * is damaged (the replay then stops there). */
static bool recover_block(poa_node *n, GBytes *body)
{
    proto_block *b = poa_decode_body(n, body);
    if (b == NULL)
        return false;
    bool ok = poa_check_block_header(n, b) == PROTO_REJECT_NONE &&
              b->header.height == n->head->header.height + 1 &&
              proto_hash_equal(&b->header.parent, &n->head->hash) &&
              b->header.slot > n->head->header.slot &&
              poa_proposer_after(n, n->head, b->header.slot) == b->header.proposer;
    if (ok) {
        poa_entry *e = poa_tree_add(&n->tree, n->head, &b->header, &b->hash, body);
        poa_entry_prio_init(n, e);
        ok = poa_chain_apply(n, e, b);
        if (ok) {
            g_array_append_val(n->final_hashes, e->hash);
            g_bytes_unref(e->body);
            e->body = NULL;
            poa_tree_reroot(&n->tree, e);
        }
    }
    proto_block_free(b);
    return ok;
}

void poa_chain_recover(poa_node *n)
{
    GBytes *value = n->env.store_get(n->env.ctx, STORE_KEY_FINAL);
    if (value == NULL)
        return;
    gsize size = 0;
    const void *data = g_bytes_get_data(value, &size);
    proto_reader r;
    proto_reader_init(&r, data, size);
    uint64_t final_height = proto_read_u64(&r);
    bool ok = proto_reader_finish(&r);
    g_bytes_unref(value);
    for (uint64_t h = 1; ok && h <= final_height; h++) {
        char key[32];
        poa_store_block_key(h, key);
        GBytes *body = n->env.store_get(n->env.ctx, key);
        ok = body != NULL && recover_block(n, body);
        if (body != NULL)
            g_bytes_unref(body);
    }
    proto_event ev = {.kind = PROTO_EV_RECOVERED,
                      .height = n->head->header.height,
                      .hash = n->head->hash.bytes};
    poa_emit(n, &ev);
}
