/* Multi-validator Proof-of-Authority, Aura-style.
 *
 * Time is cut into slots of `block_interval_ns`; in each slot one
 * validator may build a block on its head, sign it and send it to every
 * node: the scheme of OpenEthereum/Parity's Aura engine (authority_round:
 * "step" = our slot), with the proposer chosen per height and round as
 * CometBFT chooses it (protocol/chain/proposer.h), not per slot. A block
 * at height h whose parent was proposed in slot p, proposed in slot s > p,
 * is round s - p - 1 of height h: each slot that passes without a block
 * on that parent is one more round, so a validator that is down costs one
 * slot, like a CometBFT round that times out. Round-robin: validator
 * (h - 1 + round) mod N. Stake-weighted: CometBFT's proposer priorities of
 * height h moved on `round` increments; PoA's powers are the genesis
 * stakes forever, so the priorities of a height are those of the height
 * before it moved on once, and each block-tree entry carries the set of
 * its child's height (the root's from genesis or from replaying the
 * store). Each validator proposes its stake's share of the heights; with
 * nobody down, height h is proposed in slot h and height 1 by the
 * validator CometBFT names first. Rounds beyond
 * PROTO_PROPOSER_ROUNDS_MAX (stake-weighted) have no proposer: a chain
 * silent for that many slots stays silent.
 *
 * Every node checks a block's proposer (the one of its height and round
 * on its parent), slot (strictly above the parent's and not in the
 * future), signature and parent linkage, and re-executes its
 * transactions to check the state root.
 *
 * Fork choice: among valid branches that contain the last final block,
 * the highest block wins; equal heights prefer the lower head slot (the
 * branch that skipped fewer slots, as Aura's score does), then the lower
 * block hash. Finality (rolling, after Aura's RollingFinality but with a
 * BFT-style 2/3 threshold): a block is final once the distinct proposers
 * of it and its descendants on the head chain hold more than 2/3 of the
 * stake. Final blocks are never reverted. Under a partition, each side
 * keeps producing in its own slots: forks happen, the side without more
 * than 2/3 of the stake finalizes nothing, and after the heal the losing
 * side reorgs. That is PoA's known weakness and the reports show it.
 *
 * Crash recovery: final blocks are written to the durable store; a
 * restarted node replays them (re-verifying everything), then fetches
 * missing blocks from peers (GET_BLOCKS / BLOCKS).
 *
 * Overlay. Without env->broadcast and env->peers every node is one send()
 * away: blocks go to every node, transactions to every validator, and a
 * restarted node asks a validator. Under a P2P mesh blocks are broadcast
 * to PROTO_SCOPE_ALL and transactions to PROTO_SCOPE_VALIDATORS; a full
 * node checks each transaction it is handed to relay (accounts,
 * signature) and rejects bad ones, so the mesh does not pass them on; a
 * restarted full node asks one of its current peers (a validator while
 * it has none), since a full node reaches only its peers. Blocks that
 * arrive with an unknown parent are fetched from the neighbour that
 * handed them on, as before. */
#ifndef AITBC_PROTOCOL_POA_H
#define AITBC_PROTOCOL_POA_H

#include <stdbool.h>
#include <stdint.h>

#include "protocol/chain/proposer.h"
#include "protocol/chain/state.h"
#include "protocol/chain/tx_exec.h"
#include "protocol/core/crypto.h"
#include "protocol/core/env.h"
#include "protocol/core/node.h"
#include "protocol/memo/block_memo.h"
#include "protocol/memo/exec_memo.h"

/* Everything every node of one chain shares; must outlive the nodes. */
typedef struct poa_params {
    uint64_t chain_id;
    const proto_chain_rules *rules;        /* transactions, gas, fees; rules->chain_id ==
                                            * chain_id and rules->validators ==
                                            * validators_count */
    int64_t block_interval_ns;
    uint32_t max_block_txs;
    uint32_t validators_count;
    const proto_pubkey *validator_keys;    /* [validators_count] */
    const uint64_t *stakes;                /* [validators_count], > 0 */
    const proto_state *genesis_state;      /* copied by each node */
    uint32_t nodes_count;                  /* node ids 0..nodes_count-1 */
    const proto_node_id *validator_nodes;  /* [validators_count]: where validator i runs */
    proto_crypto *crypto;                  /* shared verification memo */
    uint32_t mempool_max;                  /* transactions per node */
    uint32_t sync_batch_max;               /* blocks per BLOCKS response */
    uint32_t orphans_max;                  /* blocks held waiting for their parent */
    proto_rotation_kind rotation;          /* who proposes (proposer.h); stakes must pass
                                            * proto_prio_check */
    /* Optional work shared by the nodes of one process (protocol/memo/memo.h;
     * NULL = none, each node does it itself; results never depend on them):
     * blocks decoded once, each block executed once per pre-state. */
    proto_block_memo *block_memo;
    proto_exec_memo *exec_memo;
} poa_params;

typedef struct poa_node poa_node;

/* validator_index < 0: a full node (follows the chain, proposes nothing).
 * key may be NULL for full nodes. Recovers from env's store if non-empty. */
poa_node *poa_node_new(const poa_params *params, proto_node_id self, int32_t validator_index,
                       const proto_keypair *key, const proto_env *env);

extern const proto_node_ops poa_node_ops;

/* Introspection for tests and checkers. */
uint64_t poa_node_head_height(const poa_node *n);
uint64_t poa_node_final_height(const poa_node *n);
void poa_node_head_hash(const poa_node *n, proto_hash *out);
/* Hash of the final block at `height` (<= final height); false if unknown. */
bool poa_node_final_hash(const poa_node *n, uint64_t height, proto_hash *out);
/* The state after the node's head chain (its head may be ahead of its
 * final block): read-only, valid until the node next handles anything. */
const proto_state *poa_node_state(const poa_node *n);

/* Who may propose a block in `slot` on the node's head (slot above the
 * head's): a validator index, or PROTO_PROPOSER_NONE. */
uint32_t poa_node_proposer(poa_node *n, uint64_t slot);

/* Genesis block hash of a chain (same for every node). */
void poa_genesis_hash(const poa_params *params, proto_hash *out);

#endif
