/* Block execution shared by every consensus module (see exec.h). */
#include "protocol/chain/exec.h"

proto_reject_reason proto_exec_admit_tx(const proto_state *s, proto_mempool *m,
                                        const proto_tx *tx, uint64_t chain_id,
                                        proto_crypto *c, proto_hash *hash_out)
{
    uint32_t accounts = proto_state_account_count(s);
    if (tx->from >= accounts || tx->to >= accounts || tx->from == tx->to)
        return PROTO_REJECT_TX_INVALID;
    const proto_account *acct = proto_state_account(s, tx->from);
    if (!proto_tx_verify(tx, chain_id, c, &acct->pk))
        return PROTO_REJECT_SIGNATURE;
    proto_tx_hash(tx, hash_out);
    if (m != NULL) {
        proto_mempool_result r = proto_mempool_add(m, tx, hash_out, s);
        if (r == PROTO_MEMPOOL_FULL || r == PROTO_MEMPOOL_STALE)
            return PROTO_REJECT_LIMIT;
    }
    return PROTO_REJECT_NONE;
}

bool proto_exec_build(proto_state *s, proto_mempool *m, uint32_t txs_max, uint64_t chain_id,
                      proto_crypto *c, proto_block *b, proto_undo *undo, proto_exec_ext_fn ext_fn,
                      void *ext_ctx)
{
    g_assert(undo != NULL && undo->entries != NULL && undo->entries->len == 0);
    g_array_set_size(b->txs, 0);
    proto_mempool_select(m, s, txs_max, b->txs);
    guint kept = 0;
    for (guint i = 0; i < b->txs->len; i++) {
        proto_tx *tx = &g_array_index(b->txs, proto_tx, i);
        if (proto_state_apply_tx(s, tx, chain_id, c, undo) == PROTO_TX_OK)
            g_array_index(b->txs, proto_tx, kept++) = *tx;
    }
    g_array_set_size(b->txs, kept);
    if (ext_fn != NULL && !ext_fn(ext_ctx, s, b, undo)) {
        proto_state_revert(s, undo);
        return false;
    }
    proto_state_root(s, &b->header.state_root);
    proto_block_seal_txs(b);
    return true;
}

bool proto_exec_apply(proto_state *s, const proto_block *b, uint64_t chain_id, proto_crypto *c,
                      proto_undo *undo, proto_exec_ext_fn ext_fn, void *ext_ctx)
{
    proto_undo local;
    proto_undo *log = undo;
    if (log == NULL) {
        proto_undo_init(&local);
        log = &local;
    }
    g_assert(log->entries != NULL && log->entries->len == 0);
    bool ok = true;
    for (guint i = 0; ok && i < b->txs->len; i++) {
        const proto_tx *tx = &g_array_index(b->txs, proto_tx, i);
        ok = proto_state_apply_tx(s, tx, chain_id, c, log) == PROTO_TX_OK;
    }
    if (ok && ext_fn != NULL)
        ok = ext_fn(ext_ctx, s, b, log);
    if (ok) {
        proto_hash root;
        proto_state_root(s, &root);
        ok = proto_hash_equal(&root, &b->header.state_root);
    }
    if (!ok)
        proto_state_revert(s, log);
    if (log == &local)
        proto_undo_clear(&local);
    return ok;
}
