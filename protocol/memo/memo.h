/* protocol/memo: caches that exist only because many nodes share one
 * process.
 *
 * A simulator runs thousands of nodes in one process, and every one of
 * them does the same work on the same bytes: decodes each block, executes
 * it, hashes each gossip message for its id. These memos do that work once
 * and hand every node the result:
 *
 *   - block_memo.h: decoded blocks (and small bytes that go with a block,
 *     such as PBFT's commit certificate), keyed by block hash;
 *   - exec_memo.h: block executions, keyed by (pre-state root, block):
 *     the resulting immutable state, the events the consensus extension
 *     reported and the verifications made, replayed for each node;
 *   - p2p_id_memo.h: gossip message ids (BLAKE2b of the message);
 *   - memo_age.h: the eviction rule the two chain memos share (lowest
 *     height first).
 *
 * Exact: what a memo remembers is a pure function of the bytes it is
 * given (for an execution, of the block and the pre-state, to which the
 * state root commits). The block and id memos match bytes in full, by
 * buffer or byte by byte, never by a digest alone; the execution memo
 * matches a decoded block by its hash and a state by its root, the
 * identities the chain itself goes by. A run gives the same trace with
 * the memos or without them.
 *
 * Shared: one memo serves the nodes of one process (one chain, one
 * network), owned by whoever builds their params and outliving the nodes.
 * Not thread-safe (neither is a simulation).
 *
 * Optional: nodes take them through their params (pbft_params.block_memo
 * and exec_memo, protocol/pbft/pbft.h; p2p_params.id_memo,
 * protocol/p2p/p2p.h), where NULL means none and each node does the work
 * itself. A real deployment, one node per process, would pass NULL: there
 * is no one to share with.
 *
 * The signature-verification memo is not here: it is part of the crypto
 * context every node already shares (protocol/core/crypto.h). */
#ifndef AITBC_PROTOCOL_MEMO_H
#define AITBC_PROTOCOL_MEMO_H

#include "protocol/memo/block_memo.h"
#include "protocol/memo/exec_memo.h"
#include "protocol/memo/memo_age.h"
#include "protocol/memo/p2p_id_memo.h"

#endif
