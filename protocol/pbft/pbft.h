/* PBFT consensus (Castro and Liskov, OSDI'99, section 4) for a blockchain.
 *
 * Replicas are the validators, weighted by stake. Sequence number n is
 * block height n. Quorums are "more than 2/3 of the voting power" (3*stake
 * > 2*total), which is 2f+1 of 3f+1 with equal stakes and the
 * intersection quorum (N+f+2)/2 for other sizes; weak certificates are
 * "more than 1/3" (f+1).
 *
 * Normal case. primary(n, v) builds block n on its committed block n-1,
 * signs it (the block's signature, with header.slot = v, is the signed
 * PRE-PREPARE) and sends it to the validators. A backup accepts it in view
 * v if the proposer is primary(n, v), n lies within its watermarks, it has
 * accepted no other block for (v, n), and the block is valid on its own
 * committed state (parent, timestamp, signature, transactions, state
 * root: a chain validates before voting, as Tendermint does). It then
 * multicasts PREPARE(v, n, d). The primary sends no PREPARE: as in the
 * paper, its PRE-PREPARE stands for it, so a block is prepared once the
 * pre-prepare and PREPAREs of backups hold a quorum together (2f PREPAREs
 * with 3f+1 equal stakes), and a prepared certificate carries the
 * pre-prepare (the block header with its signature) beside the PREPAREs,
 * self-contained for view changes. With 4 validators a block costs 3
 * PRE-PREPAREs, 9 PREPAREs and 12 COMMITs, Castro and Liskov's count.
 * Prepared -> multicast COMMIT(v, n, d). A block is
 * final when a quorum of COMMITs for it exists and every lower height is
 * final (committed-local in order; a commit certificate from any view
 * proves the block decided, so a replica that missed the prepares still
 * commits). A block names its parent and post-state, so the next primary
 * proposes n+1 only once n is final: one block in flight at a time; a
 * PRE-PREPARE for a height above committed+1 waits (bounded) until its
 * parent is committed here, since who may propose it depends on its parent.
 *
 * Rotation: proposers change every height, as in Tendermint, from the
 * chain state (protocol/chain/proposer.h). Height n has rounds: round r is
 * view v = (view of block n-1, its header.slot) + r, so each view change
 * at a height moves to its next round and the next height starts again at
 * round 0. primary(n, v) is round r of height n: stake-weighted, CometBFT's
 * proposer priorities, kept per height in the bonded validator set
 * (valset.h) and moved on by r more increments for round r; round-robin,
 * validator (n - 1 + r) mod N. Either way a crashed primary is skipped
 * after one view timeout, and height 1, view 0 is the proposer CometBFT
 * names first. The NEW-VIEW for view w is assembled by leader(w) = w mod
 * N, the paper's p = w mod N (it needs no state, so replicas at different
 * heights agree on it).
 *
 * Checkpoints: after committing a height divisible by checkpoint_interval
 * a replica multicasts CHECKPOINT(n, block hash); a quorum makes it stable
 * (the low watermark h). Slots at or below the committed height are
 * garbage-collected at commit, checkpoint votes at stabilisation; a
 * replica accepts consensus messages for n in (h, max(h, committed) + L]
 * with L = 2 * checkpoint_interval. A stable checkpoint above the
 * committed height tells a replica it fell behind: it catches up.
 *
 * View change. Every replica expects the next block: a view timer runs
 * from each commit (deadline: the next block's earliest time plus the
 * current view timeout). On expiry it multicasts VIEW-CHANGE(v+1) with its
 * stable checkpoint certificate, its highest commit certificate C, and a
 * prepared certificate for every height above C, and stops taking part in
 * view v. When a replica holds VIEW-CHANGEs for its target view from a
 * quorum it starts a timer; if no valid NEW-VIEW arrives in time it moves
 * to the next view with the timeout doubled (capped at view_timeout_max;
 * reset to view_timeout by the next commit). A replica that sees
 * VIEW-CHANGEs for higher views from more than 1/3 of the stake joins the
 * highest such view (the f+1 rule). VIEW-CHANGEs are re-sent every
 * view_timeout while a view change lasts, so a healed partition reconverges.
 * leader(w), holding a quorum of VIEW-CHANGEs for w (its own included),
 * multicasts NEW-VIEW(w, V). Every replica checks V and computes O itself,
 * as the paper's backups recompute it: with C* the highest commit
 * certificate in V (everything at or below it is fixed by the hash chain
 * of the certified block) and max-s the highest prepared height in V, for
 * each n in (C*, max-s] O holds the block of the prepared certificate with
 * the highest view, or a null block (an empty unsigned block, proposer
 * PBFT_NULL_PROPOSER) where no certificate exists. Replicas enter w and
 * PREPARE every O entry; heights above max-s proceed normally. (The paper
 * starts O at the latest stable checkpoint; starting at C* is the same
 * rule applied to a chain, and keeps VIEW-CHANGE messages a few KiB.)
 *
 * Catch-up. Committed blocks are stored with their commit certificates.
 * A replica that restarted, was partitioned, or learns of a commit
 * certificate, stable checkpoint or NEW-VIEW beyond its committed height
 * asks a peer for the missing blocks (GET_BLOCKS / BLOCKS) and applies
 * each only after verifying its commit certificate and re-executing it. A
 * replica that is behind in views asks with STATUS and adopts the valid
 * NEW-VIEW it gets back.
 *
 * Full nodes and the overlay. Full nodes follow the chain without voting:
 * the proposer of each committed block announces it with its certificate
 * (DECIDED), and a full node applies it by the catch-up rule above; one
 * that hears nothing for two block intervals plus the view timeout asks
 * for blocks. Without an overlay (env->broadcast and env->peers NULL)
 * every node is one send() away: DECIDED goes to every full node,
 * transactions (a client's, or a pool passed on after catching up),
 * validator operations and evidence to every validator, and a full node
 * asks a random validator. Under a P2P mesh (protocol/p2p) validators
 * keep direct links to each other, so consensus messages (PRE-PREPARE,
 * votes, checkpoints, VIEW-CHANGE, NEW-VIEW, STATUS) stay unicast among
 * validators, but a full node reaches only its current peers: DECIDED is
 * broadcast to PROTO_SCOPE_ALL, transactions, validator operations and
 * evidence to PROTO_SCOPE_VALIDATORS, and a full node asks one of its
 * peers for blocks (a validator while it has none). Requests are answered
 * to the neighbour that handed them on. A full node relaying a
 * transaction, validator operation or evidence checks it (accounts,
 * signatures) and rejects a bad one, so the mesh does not pass it on; it
 * keeps none, having no pool.
 *
 * Validator set. Voting power and consensus keys are per height, from the
 * bonded set in the chain state (protocol/chain/valset.h): a change
 * committed by block h (a slash, a jail, an unjail, a key rotation)
 * applies from height h + update_delay (default 2, as CometBFT applies
 * updates from block H at H+2). So the set of every height up to
 * committed + update_delay is fixed at any replica; a vote, block or
 * certificate about a higher height cannot be judged yet and tells the
 * replica it is behind (it catches up instead of rejecting). Quorums are
 * counted in the set of the height voted on; a VIEW-CHANGE is signed with
 * its sender's key at the height above its commit certificate, and a
 * NEW-VIEW's V is counted (and its leader's signature checked) in the set
 * of C*+1, the first height the new view decides, so every replica that
 * accepts a NEW-VIEW judged it with the same set. Validators without
 * power at a height (jailed, tombstoned) do not vote and never propose:
 * the stake-weighted priorities leave them out, round-robin passes them
 * over. leader(w) stays w mod N: a jailed leader costs one NEW-VIEW
 * timeout, like a crashed one.
 *
 * Accountability. Every non-null block above height 1 carries the
 * parent's commit signatures as its proposer holds them (late COMMITs
 * included) and equivocation evidence (pbft_ext.h); executing it
 * accounts downtime (Cosmos x/slashing) and slashes and tombstones
 * equivocators. Unjails and key rotations are the operator's
 * transactions (pbft_valops.c). A replica keeps the committed height's votes one height
 * longer and checks every certificate it sees against the votes it holds,
 * so an equivocator that shows each half of the network its own vote is
 * caught when the next block's commit signatures bring the other half's
 * version. */
#ifndef AITBC_PROTOCOL_PBFT_H
#define AITBC_PROTOCOL_PBFT_H

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

#define PBFT_NULL_PROPOSER UINT32_MAX

/* Everything every node of one chain shares; must outlive the nodes. */
typedef struct pbft_params {
    uint64_t chain_id;
    const proto_chain_rules *rules;       /* transactions, gas, fees; rules->chain_id ==
                                           * chain_id and rules->validators ==
                                           * validators_count */
    int64_t block_interval_ns;      /* earliest time between blocks */
    uint32_t max_block_txs;
    uint32_t validators_count;
    const proto_pubkey *validator_keys;   /* [validators_count] */
    const uint64_t *stakes;               /* [validators_count], > 0 */
    const proto_state *genesis_state;
    uint32_t nodes_count;
    const proto_node_id *validator_nodes; /* [validators_count] */
    /* Further machines running some validator's identity (a backup, a
     * stolen key; the mesh's Twins): consensus traffic to the validators
     * goes to them too. */
    const proto_node_id *extra_nodes;     /* [extras_count] */
    uint32_t extras_count;
    proto_crypto *crypto;
    proto_rotation_kind rotation;         /* who proposes (proposer.h) */
    uint32_t mempool_max;
    int64_t view_timeout_ns;              /* initial view timeout */
    int64_t view_timeout_max_ns;          /* doubling stops here */
    uint32_t checkpoint_interval;         /* blocks; > 0 */
    uint32_t sync_batch_max;              /* blocks per BLOCKS response */
    proto_hash genesis_hash;              /* pbft_genesis_hash(), computed once by the owner */
    /* Work shared by the nodes of this chain (NULL = each node does its
     * own; results are the same either way): decoded blocks, for every
     * node, and executions, for full nodes, which then share immutable
     * states (their genesis state too) instead of holding a copy each.
     * Owned by whoever builds the params; must outlive the nodes
     * (protocol/memo/memo.h). */
    proto_block_memo *block_memo;
    proto_exec_memo *exec_memo;
    /* TEST ONLY, false in every real use: quorums of more than 1/3 instead
     * of 2/3, a deliberately broken protocol whose safety violations the
     * shrinker test (tests/scenarios/test_shrink.c) minimises. Only the CLI
     * sets it, from AITBC_TEST_BREAK=quorum (sim_scenario.test_break_quorum). */
    bool test_break_quorum;
} pbft_params;

typedef struct pbft_node pbft_node;

/* validator_index < 0: a full node. Recovers from env's store if non-empty. */
pbft_node *pbft_node_new(const pbft_params *params, proto_node_id self, int32_t validator_index,
                         const proto_keypair *key, const proto_env *env);

extern const proto_node_ops pbft_node_ops;

/* The NEW-VIEW leader of view w: w mod validators_count. */
uint32_t pbft_view_leader(const pbft_params *p, uint64_t view);
/* primary(height, view) as node n judges it: defined for height =
 * committed + 1 only (it depends on block height - 1),
 * PROTO_PROPOSER_NONE otherwise and for views below the parent's. */
uint32_t pbft_node_primary(pbft_node *n, uint64_t height, uint64_t view);

/* Introspection for tests and checkers. */
uint64_t pbft_node_committed_height(const pbft_node *n);
uint64_t pbft_node_view(const pbft_node *n);
bool pbft_node_in_view_change(const pbft_node *n);
uint64_t pbft_node_stable_checkpoint(const pbft_node *n);
bool pbft_node_committed_hash(const pbft_node *n, uint64_t height, proto_hash *out);
/* Votes this validator did not sign because its last-sign state (kept in
 * its durable store) says it signed a conflicting one before. */
uint64_t pbft_node_signs_refused(const pbft_node *n);
/* The node's state: after its committed block, plus the tentatively
 * executed next block if it validated one. Read-only (a full node's may
 * be shared with other nodes through params->exec_memo). */
const proto_state *pbft_node_state(const pbft_node *n);
/* Whether that state holds a tentatively executed block (then it is not
 * the committed state a client's query should see). */
bool pbft_node_tentative(const pbft_node *n);

/* Hash of the genesis block (height 0) of these params' genesis state. */
void pbft_genesis_hash(const pbft_params *params, proto_hash *out);

#endif
