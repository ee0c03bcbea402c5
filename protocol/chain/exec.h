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

/* Fill b->txs with up to txs_max transactions from m, execute them on s
 * (a transaction that fails is left out), set the state root and seal the
 * tx root. The state is left after the block; undo records how to revert
 * it. The header's other fields are the caller's. */
void proto_exec_build(proto_state *s, proto_mempool *m, uint32_t txs_max, uint64_t chain_id,
                      proto_crypto *c, proto_block *b, proto_undo *undo);

/* Execute every transaction of b on s, recording into undo (initialised
 * and empty; NULL = no record wanted), and check the resulting state root
 * against the header. On any failure the state is reverted to where it
 * was and false is returned. */
bool proto_exec_apply(proto_state *s, const proto_block *b, uint64_t chain_id, proto_crypto *c,
                      proto_undo *undo);

#endif
