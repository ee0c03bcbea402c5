/* Block execution shared by every consensus module.
 *
 * Transaction admission (the envelope's rules, the sender, the
 * signature, then the pool's nonce judgement), building a block from the
 * pool, and applying a block with its checks. PoA and PBFT differ in who
 * may propose and when a block is final, not in what a block does to the
 * state, so this lives once, below both.
 *
 * A block, executed (build and apply do exactly the same):
 *   1. its header must carry the chain's gas limit and the state's base
 *      fee (proto_state_base_fee: the parent's end computed it);
 *   2. the modules' begin-block hooks;
 *   3. every transaction through tx_exec.h, with the gas the block has
 *      left (a builder leaves out what cannot be included; a block
 *      carrying one is invalid), tips to the proposer's fee account;
 *   4. the consensus extension (ext_fn), then the end-block hooks;
 *   5. the next base fee from this block's gas used (fee_market.h), into
 *      the state;
 *   6. gas used must be the header's, the state root the header's. */
#ifndef AITBC_PROTOCOL_EXEC_H
#define AITBC_PROTOCOL_EXEC_H

#include <stdbool.h>
#include <stdint.h>

#include "protocol/chain/block.h"
#include "protocol/chain/fee_oracle.h"
#include "protocol/chain/txpool.h"
#include "protocol/chain/state.h"
#include "protocol/chain/tx_exec.h"
#include "protocol/core/event.h"

/* The envelope's rules, a known sender, a nonce not behind the
 * account's, funds for the gas, a valid signature; then, if pool is
 * non-NULL, the pool's admission (txpool.h: replacement, eviction,
 * bounds). Returns PROTO_REJECT_NONE (admitted, replacing or already
 * known), _TX_INVALID, _SIGNATURE, or _LIMIT (nonce already used, a
 * replacement without the bump, the sender's or the pool's bound).
 * hash_out gets the tx id; refusal_out (may be NULL) the name of the
 * rule a refused transaction broke (a static string:
 * proto_txenv_result_name, proto_tx_exec_result_name or
 * proto_txpool_result_name), NULL when admitted. */
proto_reject_reason proto_exec_admit_tx(const proto_state *s, proto_txpool *pool,
                                        const proto_chain_rules *rules, proto_crypto *c,
                                        const proto_txenv *tx, proto_hash *hash_out,
                                        const char **refusal_out);

/* A validator's pool under the chain's policy: entries_max transactions,
 * EXEC_TXPOOL_PER_SENDER (256) per sender (clients of a long partition
 * queue many), and geth's 10% price bump for a replacement. */
proto_txpool *proto_exec_txpool_new(uint32_t entries_max);

/* After block b (tx ids `ids`) became part of s: its transactions leave
 * the pool, and so does whatever of their senders' the state has passed
 * (replaced versions of the same nonces). */
void proto_exec_forget_block(proto_txpool *pool, const proto_state *s, const proto_block *b,
                             const proto_hash *ids);

/* A consensus module's own state changes for block b (PBFT: slashing
 * from the block's extension), run after the transactions and before
 * the end-block hooks. Records into undo like a transaction. False = the
 * block is invalid. */
typedef bool (*proto_exec_ext_fn)(void *ctx, proto_state *s, const proto_block *b,
                                  proto_undo *undo);

/* What a block executes with. */
typedef struct proto_exec_env {
    const proto_chain_rules *rules;
    proto_crypto *crypto;
    proto_exec_ext_fn ext_fn; /* may be NULL */
    void *ext_ctx;
    GArray *events;           /* proto_event the modules report (PBFT: unjail, key
                               * rotation); appended to; NULL: not wanted */
    /* Building only (NULL: none): the operator's inclusion policy
     * (env.h include_tx), asked for each candidate by its sender. */
    bool (*include_tx)(void *ctx, const proto_pubkey *sender);
    void *include_ctx;
    GArray *receipts;         /* proto_fee_tx_record of each included transaction, in
                               * block order (what fee estimation reads); appended to;
                               * NULL: not wanted */
    const uint32_t *code_versions; /* the node's code (env.h); NULL: the build's */
} proto_exec_env;

/* The tips of a block's receipts, summed. */
uint64_t proto_exec_receipts_tips(const GArray *receipts);

/* Fill b->txs from the pool (up to txs_max transactions, within the
 * block gas limit: the pool's best effective tips first, each sender in
 * nonce order, a sender whose transaction cannot be included skipped for
 * the rest of the block) and execute the block on s as above; b's height, timestamp,
 * proposer and ext are the caller's, set first. Sets the header's fee
 * fields and state root and seals the block. The state is left after
 * the block; undo (initialised, empty) records how to revert it. If
 * ext_fn or a hook fails the state is reverted, the block is unusable
 * and false is returned. */
bool proto_exec_build(proto_state *s, proto_txpool *pool, uint32_t txs_max,
                      const proto_exec_env *env, proto_block *b, proto_undo *undo);

/* Execute b on s, recording into undo (initialised and empty; NULL = no
 * record wanted), with every check above. On any failure the state is
 * reverted to where it was, the events and receipts appended are taken
 * back, and false is returned. */
bool proto_exec_apply(proto_state *s, const proto_block *b, const proto_exec_env *env,
                      proto_undo *undo);

#endif
