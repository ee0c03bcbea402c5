/* Private to protocol/poa: the node structure shared by poa_node.c
 * (entry points, proposal, transactions), poa_chain.c (execution, fork
 * choice, finality, durable store) and poa_sync.c (receiving blocks,
 * orphans, catch-up). */
#ifndef AITBC_PROTOCOL_POA_INTERNAL_H
#define AITBC_PROTOCOL_POA_INTERNAL_H

#include "protocol/chain/fee_tracker.h"
#include "protocol/chain/txpool.h"
#include "protocol/poa/poa.h"
#include "protocol/poa/poa_tree.h"

enum {
    POA_TIMER_SLOT = 1, /* arg = slot number */
};

/* How long a sync request may stay unanswered before another is sent. */
#define POA_SYNC_TIMEOUT_NS (2LL * 1000 * 1000 * 1000)
/* Peers considered when a full node picks whom to ask for blocks. */
#define POA_SYNC_PEERS_MAX 64

typedef struct poa_orphan {
    proto_hash hash;
    proto_hash parent;
    uint64_t height;
    proto_node_id from;
    GBytes *body;
} poa_orphan;

struct poa_node {
    const poa_params *p;
    proto_env env;
    proto_node_id self;
    int32_t validator_index;      /* -1 for a full node */
    proto_keypair key;
    uint64_t total_stake;

    poa_tree tree;                /* root = last final block; head->state is the node's */
    poa_entry *head;
    GArray *final_hashes;         /* proto_hash per final height, [0] = genesis */

    proto_txpool *mempool;        /* validators only; NULL for full nodes */
    GArray *receipts;             /* proto_fee_tx_record of the block being applied */
#define POA_TIP_DEFAULT 1             /* the tip suggested before any was seen */
    proto_fee_tracker *fees;      /* the head chain's newest blocks' fees (quotes) */

    GPtrArray *orphans;           /* poa_orphan*, oldest first, <= orphans_max */
    int64_t sync_inflight_until_ns;
    int64_t catchup_until_ns;     /* after a restart: no proposals until synced */
    uint64_t slot_timer;
    /* Our code cannot run a block of our head chain (an upgrade our
     * operator has not installed, protocol/modules/upgrade/upgrade.h):
     * the node has stopped, like a process that exits. */
    bool halted;

    /* poa_proposer.c: the priorities of one parent's child height moved
     * on cursor_rounds rounds (stake-weighted), so asking slot after slot
     * costs one increment each */
    bool has_cursor;
    proto_hash cursor_parent;
    proto_prio_set cursor;
    uint64_t cursor_rounds;
};

/* poa_node.c */
void poa_emit(poa_node *n, proto_event *ev);
/* poa_chain.c: can our code run block `height` on the head's state? If
 * not, halt (`halted`), report it once, false. */
bool poa_code_runs(poa_node *n, uint64_t height);
void poa_reject(poa_node *n, proto_node_id from, proto_reject_reason reason);
/* To every validator (validators_only: transactions) or every node
 * (blocks): over the overlay if env has one (PROTO_SCOPE_VALIDATORS or
 * PROTO_SCOPE_ALL), else by unicast to each. */
void poa_broadcast(poa_node *n, GBytes *wire, bool validators_only);
uint64_t poa_current_slot(const poa_node *n);

/* poa_chain.c */
/* Durable-store key of the final block at `height` ("b/<20 digits>"). */
void poa_store_block_key(uint64_t height, char out[32]);
/* Decode a whole block encoding (no trailing bytes); NULL if malformed. */
proto_block *poa_decode_body(poa_node *n, GBytes *body);
void poa_chain_init(poa_node *n);
void poa_chain_clear(poa_node *n);
void poa_chain_recover(poa_node *n);
/* Move the head to the fork-choice best branch, executing as needed. */
void poa_chain_update_head(poa_node *n);
/* Execute entry e on top of the current state (e->parent must be head). */
bool poa_chain_apply(poa_node *n, poa_entry *e, const proto_block *b);
void poa_chain_update_finality(poa_node *n);

/* poa_proposer.c */
/* Who may propose a child of `parent` in `slot` (> parent's slot). */
uint32_t poa_proposer_after(poa_node *n, const poa_entry *parent, uint64_t slot);
/* Give e (stake-weighted chains) the priorities of its child's height:
 * its parent's moved on a height, or, for a root without a parent, the
 * ones of height 1. */
void poa_entry_prio_init(poa_node *n, poa_entry *e);
void poa_proposer_clear(poa_node *n);

/* poa_sync.c */
/* Handle a block encoding from a peer (BLOCK gossip or BLOCKS sync). */
void poa_sync_receive_block(poa_node *n, proto_node_id from, GBytes *body);
void poa_sync_on_get_blocks(poa_node *n, proto_node_id from, GBytes *wire);
void poa_sync_on_blocks(poa_node *n, proto_node_id from, GBytes *wire);
void poa_sync_request(poa_node *n, proto_node_id peer, uint64_t from_height);
void poa_sync_clear(poa_node *n);
/* Stateless checks of a decoded block: timestamp, signature (its
 * proposer is checked against its parent when it attaches). */
proto_reject_reason poa_check_block_header(poa_node *n, const proto_block *b);

#endif
