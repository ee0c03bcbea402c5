/* Block execution shared by every consensus module (see exec.h): the
 * header's fee fields, the begin-block hooks, the transactions, the
 * consensus extension, the end-block hooks, the next base fee, then the
 * gas and state-root checks. */
#include "protocol/chain/exec.h"

#include "protocol/chain/module.h"

proto_reject_reason proto_exec_admit_tx(const proto_state *s, proto_txpool *pool,
                                        const proto_chain_rules *rules, proto_crypto *c,
                                        const proto_txenv *tx, proto_hash *hash_out,
                                        const char **refusal_out)
{
    const char *unused;
    if (refusal_out == NULL)
        refusal_out = &unused;
    *refusal_out = NULL;
    uint32_t sender = PROTO_ACCOUNT_NONE;
    proto_txenv_hash(tx, hash_out);
    if (pool != NULL && proto_txpool_contains(pool, hash_out))
        return PROTO_REJECT_NONE;
    proto_txenv_result envelope = PROTO_TXENV_OK;
    proto_tx_exec_result r =
        proto_tx_admissible(s, rules, c, tx, proto_txenv_wire_size(tx), &sender, &envelope);
    if (r != PROTO_TX_EXEC_OK) {
        *refusal_out = r == PROTO_TX_EXEC_INVALID ? proto_txenv_result_name(envelope)
                                                  : proto_tx_exec_result_name(r);
        if (r == PROTO_TX_EXEC_BAD_SIGNATURE)
            return PROTO_REJECT_SIGNATURE;
        if (r == PROTO_TX_EXEC_BAD_NONCE)
            return PROTO_REJECT_LIMIT; /* already used: the pool's "stale" */
        return PROTO_REJECT_TX_INVALID;
    }
    if (pool != NULL) {
        proto_txpool_result added = proto_txpool_add(pool, tx, sender, hash_out, s, NULL);
        switch (added) {
        case PROTO_TXPOOL_ADDED:
        case PROTO_TXPOOL_REPLACED:
        case PROTO_TXPOOL_DUPLICATE:
            break;
        default:
            *refusal_out = proto_txpool_result_name(added);
            return PROTO_REJECT_LIMIT;
        }
    }
    return PROTO_REJECT_NONE;
}

#define EXEC_TXPOOL_PER_SENDER 256
#define EXEC_TXPOOL_PRICE_BUMP_PERCENT 10

proto_txpool *proto_exec_txpool_new(uint32_t entries_max)
{
    proto_txpool_params p = {.entries_max = entries_max,
                             .per_sender_max = EXEC_TXPOOL_PER_SENDER,
                             .price_bump_percent = EXEC_TXPOOL_PRICE_BUMP_PERCENT};
    return proto_txpool_new(&p);
}

void proto_exec_forget_block(proto_txpool *pool, const proto_state *s, const proto_block *b,
                             const proto_hash *ids)
{
    if (b->txs->len == 0)
        return;
    uint32_t *senders = g_new(uint32_t, b->txs->len);
    for (guint i = 0; i < b->txs->len; i++) {
        proto_txpool_remove(pool, &ids[i]);
        senders[i] = proto_state_account_by_key(
            s, &g_array_index(b->txs, proto_txenv, i).sender);
    }
    proto_txpool_prune_senders(pool, s, senders, b->txs->len);
    g_free(senders);
}

uint64_t proto_exec_receipts_tips(const GArray *receipts)
{
    uint64_t tips = 0;
    for (guint i = 0; receipts != NULL && i < receipts->len; i++)
        tips += g_array_index(receipts, proto_fee_tx_record, i).tips;
    return tips;
}

/* What fee estimation keeps of an included transaction. */
static void exec_note_receipt(const proto_exec_env *env, const proto_tx_receipt *r,
                              uint32_t fee_account)
{
    if (env->receipts == NULL)
        return;
    proto_fee_tx_record rec = {.gas_used = r->gas_used,
                               .effective_tip = r->effective_tip,
                               .tips = r->tips,
                               .from_proposer = r->sender == fee_account};
    g_array_append_val(env->receipts, rec);
}

/* The context every message and hook of block b runs in; transactions
 * get a meter of their own (tx_exec.c). */
static void exec_ctx(proto_msg_ctx *ctx, proto_gas_meter *gas, const proto_block *b,
                     const proto_exec_env *env, proto_undo *undo)
{
    proto_gas_meter_init(gas, UINT64_MAX);
    *ctx = (proto_msg_ctx){.undo = undo,
                           .gas = gas,
                           .crypto = env->crypto,
                           .chain_id = env->rules->chain_id,
                           .height = b->header.height,
                           .time_ns = b->header.timestamp_ns,
                           .sender = PROTO_ACCOUNT_NONE,
                           .events = env->events,
                           .code_versions = env->code_versions};
}

/* Step 1 of exec.h: the header's fee fields against the rules and s. */
static bool exec_header_fees_ok(const proto_state *s, const proto_block *b,
                                const proto_exec_env *env)
{
    return b->header.gas_limit == env->rules->block_gas_limit &&
           b->header.base_fee == proto_state_base_fee(s) &&
           b->header.proposer < env->rules->validators;
}

/* Steps 4 and 5: the extension, the end-block hooks, the next base fee. */
static bool exec_finish(proto_state *s, const proto_msg_ctx *ctx, const proto_block *b,
                        const proto_exec_env *env, uint64_t gas_used)
{
    if (env->ext_fn != NULL && !env->ext_fn(env->ext_ctx, s, b, ctx->undo))
        return false;
    if (!proto_state_end_block(s, ctx))
        return false;
    uint64_t next = proto_fee_next_base_fee(&env->rules->fees, gas_used,
                                            b->header.gas_limit, b->header.base_fee);
    proto_state_set_base_fee(s, next, ctx->undo);
    return true;
}

/* The pool's candidates by the cursor's order (txpool.h), executed as
 * they are taken: a transaction that executes joins the block and its
 * sender's next one becomes a candidate; one that cannot be included
 * (no gas left for its limit, funds, nonce) takes its sender out of this
 * block. The cursor reads the pool only, and s is the cursor's state at
 * init, so the nonces it expects are the ones execution advances.
 * Returns the gas used. */
static uint64_t exec_build_txs(proto_state *s, const proto_msg_ctx *ctx, proto_block *b,
                               proto_txpool *pool, uint32_t txs_max, const proto_exec_env *env)
{
    uint32_t fee_account = proto_chain_rules_fee_account(env->rules, b->header.proposer);
    uint64_t gas_used = 0;
    proto_txpool_cursor cur;
    proto_txpool_cursor_init(&cur, pool, s, b->header.base_fee);
    const proto_txenv *tx;
    while (b->txs->len < txs_max && (tx = proto_txpool_cursor_peek(&cur, NULL, NULL, NULL))) {
        proto_tx_receipt receipt;
        if ((env->include_tx != NULL && !env->include_tx(env->include_ctx, &tx->sender)) ||
            proto_tx_exec(s, ctx, env->rules, tx, proto_txenv_wire_size(tx), b->header.base_fee,
                          b->header.gas_limit - gas_used, fee_account,
                          &receipt) != PROTO_TX_EXEC_OK) {
            proto_txpool_cursor_pop(&cur);
            continue;
        }
        gas_used += receipt.gas_used;
        exec_note_receipt(env, &receipt, fee_account);
        g_array_append_val(b->txs, *tx);
        proto_txpool_cursor_shift(&cur);
    }
    proto_txpool_cursor_clear(&cur);
    return gas_used;
}

bool proto_exec_build(proto_state *s, proto_txpool *pool, uint32_t txs_max,
                      const proto_exec_env *env, proto_block *b, proto_undo *undo)
{
    g_assert(undo != NULL && undo->entries != NULL && undo->entries->len == 0);
    guint events_before = env->events != NULL ? env->events->len : 0;
    guint receipts_before = env->receipts != NULL ? env->receipts->len : 0;
    b->header.gas_limit = env->rules->block_gas_limit;
    b->header.base_fee = proto_state_base_fee(s);
    g_assert(exec_header_fees_ok(s, b, env));
    proto_gas_meter gas;
    proto_msg_ctx ctx;
    exec_ctx(&ctx, &gas, b, env, undo);
    g_array_set_size(b->txs, 0);
    bool ok = proto_state_begin_block(s, &ctx);
    uint64_t gas_used = 0;
    if (ok) {
        gas_used = exec_build_txs(s, &ctx, b, pool, txs_max, env);
        ok = exec_finish(s, &ctx, b, env, gas_used);
    }
    if (!ok) {
        proto_state_revert(s, undo);
        if (env->events != NULL)
            g_array_set_size(env->events, events_before);
        if (env->receipts != NULL)
            g_array_set_size(env->receipts, receipts_before);
        return false;
    }
    b->header.gas_used = gas_used;
    proto_state_root(s, &b->header.state_root);
    proto_block_seal_txs(b);
    return true;
}

/* Every transaction must be includable; returns false at the first that
 * is not, else the gas used in *gas_used. */
static bool exec_apply_txs(proto_state *s, const proto_msg_ctx *ctx, const proto_block *b,
                           const proto_exec_env *env, uint64_t *gas_used)
{
    uint32_t fee_account = proto_chain_rules_fee_account(env->rules, b->header.proposer);
    uint64_t used = 0;
    for (guint i = 0; i < b->txs->len; i++) {
        const proto_txenv *tx = &g_array_index(b->txs, proto_txenv, i);
        proto_tx_receipt receipt;
        if (proto_tx_exec(s, ctx, env->rules, tx, proto_txenv_wire_size(tx), b->header.base_fee,
                          b->header.gas_limit - used, fee_account, &receipt) != PROTO_TX_EXEC_OK)
            return false;
        used += receipt.gas_used;
        exec_note_receipt(env, &receipt, fee_account);
    }
    *gas_used = used;
    return true;
}

bool proto_exec_apply(proto_state *s, const proto_block *b, const proto_exec_env *env,
                      proto_undo *undo)
{
    proto_undo local;
    proto_undo *log = undo;
    if (log == NULL) {
        proto_undo_init(&local);
        log = &local;
    }
    g_assert(log->entries != NULL && log->entries->len == 0);
    guint events_before = env->events != NULL ? env->events->len : 0;
    guint receipts_before = env->receipts != NULL ? env->receipts->len : 0;
    proto_gas_meter gas;
    proto_msg_ctx ctx;
    exec_ctx(&ctx, &gas, b, env, log);
    uint64_t gas_used = 0;
    bool ok = exec_header_fees_ok(s, b, env) && proto_state_begin_block(s, &ctx) &&
              exec_apply_txs(s, &ctx, b, env, &gas_used) && gas_used == b->header.gas_used &&
              exec_finish(s, &ctx, b, env, gas_used);
    if (ok) {
        proto_hash root;
        proto_state_root(s, &root);
        ok = proto_hash_equal(&root, &b->header.state_root);
    }
    if (!ok) {
        proto_state_revert(s, log);
        if (env->events != NULL)
            g_array_set_size(env->events, events_before);
        if (env->receipts != NULL)
            g_array_set_size(env->receipts, receipts_before);
    }
    if (log == &local)
        proto_undo_clear(&local);
    return ok;
}
