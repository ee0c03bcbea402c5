/* Block execution shared by every consensus module (see exec.h): the
 * modules' begin-block hooks, the transactions through the router, the
 * consensus extension, the end-block hooks, then the state root. */
#include "protocol/chain/exec.h"

#include "protocol/chain/module.h"
#include "protocol/chain/tx_envelope.h"

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

/* The context every message and hook of block b runs in. Nothing is
 * metered yet: the meter's limit is UINT64_MAX. */
static void exec_ctx(proto_msg_ctx *ctx, proto_gas_meter *gas, const proto_block *b,
                     uint64_t chain_id, proto_crypto *c, proto_undo *undo)
{
    proto_gas_meter_init(gas, UINT64_MAX);
    *ctx = (proto_msg_ctx){.undo = undo,
                           .gas = gas,
                           .crypto = c,
                           .chain_id = chain_id,
                           .height = b->header.height,
                           .time_ns = b->header.timestamp_ns};
}

/* One transaction: a transfer message, with a meter of its own. */
static bool exec_tx(proto_state *s, proto_msg_ctx *ctx, const proto_tx *tx)
{
    proto_gas_meter_init(ctx->gas, UINT64_MAX);
    return proto_state_deliver(s, ctx, PROTO_TXMSG_TRANSFER, tx).status == PROTO_MSG_OK;
}

bool proto_exec_build(proto_state *s, proto_mempool *m, uint32_t txs_max, uint64_t chain_id,
                      proto_crypto *c, proto_block *b, proto_undo *undo, proto_exec_ext_fn ext_fn,
                      void *ext_ctx)
{
    g_assert(undo != NULL && undo->entries != NULL && undo->entries->len == 0);
    proto_gas_meter gas;
    proto_msg_ctx ctx;
    exec_ctx(&ctx, &gas, b, chain_id, c, undo);
    g_array_set_size(b->txs, 0);
    if (!proto_state_begin_block(s, &ctx)) {
        proto_state_revert(s, undo);
        return false;
    }
    proto_mempool_select(m, s, txs_max, b->txs);
    guint kept = 0;
    for (guint i = 0; i < b->txs->len; i++) {
        proto_tx *tx = &g_array_index(b->txs, proto_tx, i);
        if (exec_tx(s, &ctx, tx))
            g_array_index(b->txs, proto_tx, kept++) = *tx;
    }
    g_array_set_size(b->txs, kept);
    if ((ext_fn != NULL && !ext_fn(ext_ctx, s, b, undo)) || !proto_state_end_block(s, &ctx)) {
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
    proto_gas_meter gas;
    proto_msg_ctx ctx;
    exec_ctx(&ctx, &gas, b, chain_id, c, log);
    bool ok = proto_state_begin_block(s, &ctx);
    for (guint i = 0; ok && i < b->txs->len; i++)
        ok = exec_tx(s, &ctx, &g_array_index(b->txs, proto_tx, i));
    if (ok && ext_fn != NULL)
        ok = ext_fn(ext_ctx, s, b, log);
    if (ok)
        ok = proto_state_end_block(s, &ctx);
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
