/* Block execution shared by every consensus module.
 *
 * Transaction admission (stateless checks, then the mempool's nonce and
 * balance judgement), building a block from the mempool, and applying a
 * block with its state-root check. PoA and PBFT differ in who may propose
 * and when a block is final, not in what a block does to the state, so
 * this lives once, below both. */
#ifndef AITBC_PROTOCOL_EXEC_H
#define AITBC_PROTOCOL_EXEC_H

#include <stdbool.h>
#include <stdint.h>

#include "protocol/chain/block.h"
#include "protocol/chain/mempool.h"
#include "protocol/chain/state.h"
#include "protocol/core/event.h"

/* Known accounts, not a self-transfer, a valid signature; then, if m is
 * non-NULL, the mempool judges nonce and funds against s. Returns
 * PROTO_REJECT_NONE (admitted or already known), _TX_INVALID, _SIGNATURE,
 * or _LIMIT (pool full or nonce already used). hash_out gets the tx id. */
proto_reject_reason proto_exec_admit_tx(const proto_state *s, proto_mempool *m,
                                        const proto_tx *tx, uint64_t chain_id,
                                        proto_crypto *c, proto_hash *hash_out);

/* A consensus module's own state changes for block b (PBFT: slashing and
 * validator operations from the block's extension), run after the
 * transactions and before the state root is computed or checked. Records
 * into undo like a transaction. False = the block is invalid. */
typedef bool (*proto_exec_ext_fn)(void *ctx, proto_state *s, const proto_block *b,
                                  proto_undo *undo);

/* Run the modules' begin-block hooks (module.h), fill b->txs with up to
 * txs_max transactions from m, execute them on s through the router (a
 * transaction that fails is left out), run ext_fn (may be NULL) on the
 * block as built (b->ext set by the caller), then the end-block hooks,
 * set the state root and seal the block. The hooks see b's height and
 * timestamp, which the caller sets first. The state is left after the block; undo (initialised, empty)
 * records how to revert it. If ext_fn or a hook fails the state is
 * reverted, the block is unusable and false is returned. The header's other fields are
 * the caller's. */
bool proto_exec_build(proto_state *s, proto_mempool *m, uint32_t txs_max, uint64_t chain_id,
                      proto_crypto *c, proto_block *b, proto_undo *undo, proto_exec_ext_fn ext_fn,
                      void *ext_ctx);

/* Execute b on s as proto_exec_build does (begin-block hooks, every
 * transaction, ext_fn (may be NULL), end-block hooks),
 * recording into undo (initialised and empty; NULL = no record wanted),
 * and check the resulting state root against the header. On any failure
 * the state is reverted to where it was and false is returned. */
bool proto_exec_apply(proto_state *s, const proto_block *b, uint64_t chain_id, proto_crypto *c,
                      proto_undo *undo, proto_exec_ext_fn ext_fn, void *ext_ctx);

#endif
