/* PoA node: entry points, slot timer and block proposal, transactions.
 *
 * See poa.h for the protocol. This file is the coordinator: it decodes the
 * message type and hands off to poa_sync.c (blocks), poa_chain.c
 * (execution, fork choice, finality) or the transaction path below. */
#include "protocol/poa/poa_internal.h"

#include <string.h>

#include "protocol/chain/exec.h"
#include "protocol/core/msgtype.h"
#include "protocol/poa/poa_msg.h"

void poa_emit(poa_node *n, proto_event *ev)
{
    ev->node = n->self;
    n->env.observe(n->env.ctx, ev);
}

void poa_reject(poa_node *n, proto_node_id from, proto_reject_reason reason)
{
    proto_event ev = {.kind = PROTO_EV_MSG_REJECTED, .from = from, .reason = reason};
    poa_emit(n, &ev);
}

void poa_broadcast(poa_node *n, GBytes *wire, bool validators_only)
{
    if (n->env.broadcast != NULL) {
        n->env.broadcast(n->env.ctx, validators_only ? PROTO_SCOPE_VALIDATORS : PROTO_SCOPE_ALL,
                         wire);
        return;
    }
    if (validators_only) {
        for (uint32_t v = 0; v < n->p->validators_count; v++) {
            proto_node_id to = n->p->validator_nodes[v];
            if (to != n->self)
                n->env.send(n->env.ctx, to, wire);
        }
        return;
    }
    for (proto_node_id to = 0; to < n->p->nodes_count; to++) {
        if (to != n->self)
            n->env.send(n->env.ctx, to, wire);
    }
}

/* Whom a node starting late asks for blocks, drawn with r: a full node
 * under an overlay one of its current peers (it may reach nobody else); a
 * validator, or a node without an overlay or without peers yet, a
 * validator other than itself. PROTO_NODE_NONE if there is none. */
static proto_node_id sync_peer(poa_node *n, uint64_t r)
{
    if (n->validator_index < 0 && n->env.peers != NULL) {
        proto_node_id peers[POA_SYNC_PEERS_MAX];
        uint32_t count = n->env.peers(n->env.ctx, peers, POA_SYNC_PEERS_MAX);
        g_assert(count <= POA_SYNC_PEERS_MAX);
        if (count > 0)
            return peers[r % count];
    }
    uint32_t v = n->p->validators_count;
    proto_node_id peer = n->p->validator_nodes[r % v];
    if (peer == n->self)
        peer = n->p->validator_nodes[(r + 1) % v];
    return peer != n->self ? peer : PROTO_NODE_NONE;
}

uint64_t poa_current_slot(const poa_node *n)
{
    int64_t now = n->env.now_ns(n->env.ctx);
    return now < 0 ? 0 : (uint64_t)(now / n->p->block_interval_ns);
}

static void arm_slot_timer(poa_node *n)
{
    uint64_t next = poa_current_slot(n) + 1;
    int64_t at = (int64_t)next * n->p->block_interval_ns;
    int64_t delay = at - n->env.now_ns(n->env.ctx);
    n->slot_timer = n->env.set_timer(n->env.ctx, delay, POA_TIMER_SLOT, next);
}

/* ---- transactions ---- */

/* *refusal gets the broken rule's name when refused. */
static proto_reject_reason admit_tx(poa_node *n, const proto_txenv *tx, proto_hash *hash,
                                    const char **refusal)
{
    return proto_exec_admit_tx(n->head->state, n->mempool, n->p->rules, n->p->crypto, tx,
                               hash, refusal);
}

/* NULL, or the name of the envelope rule the bytes broke. */
static const char *decode_tx(poa_node *n, GBytes *wire, proto_txenv *tx)
{
    proto_txenv_limits limits = proto_chain_rules_limits(n->p->rules);
    proto_txenv_result decoded = poa_msg_tx_decode(wire, &limits, tx);
    return decoded == PROTO_TXENV_OK ? NULL : proto_txenv_result_name(decoded);
}

/* A transaction refused: reported with the rule it broke. */
static void reject_tx(poa_node *n, proto_event_kind kind, proto_node_id from,
                      proto_reject_reason reason, const char *refusal)
{
    proto_event ev = {.kind = kind, .from = from, .reason = reason, .refusal = refusal};
    poa_emit(n, &ev);
}

static void on_tx(poa_node *n, proto_node_id from, GBytes *wire)
{
    proto_txenv tx;
    proto_hash hash;
    const char *refusal = decode_tx(n, wire, &tx);
    if (refusal != NULL) {
        reject_tx(n, PROTO_EV_MSG_REJECTED, from, PROTO_REJECT_DECODE, refusal);
        return;
    }
    /* A full node keeps no pool. Under an overlay it relays transactions
     * towards the validators, so it checks them first (accounts,
     * signature): what it rejects, the overlay does not pass on. */
    if (n->mempool == NULL && n->env.broadcast == NULL)
        return;
    proto_reject_reason reason = admit_tx(n, &tx, &hash, &refusal);
    if (reason == PROTO_REJECT_SIGNATURE || reason == PROTO_REJECT_TX_INVALID) {
        reject_tx(n, PROTO_EV_MSG_REJECTED, from, reason, refusal);
        return;
    }
    proto_event ev = {.kind = PROTO_EV_TX_RECEIVED, .from = from, .hash = hash.bytes};
    poa_emit(n, &ev);
}

static void poa_submit_tx(void *node, GBytes *wire)
{
    poa_node *n = node;
    if (n->halted)
        return;
    proto_txenv tx;
    proto_hash hash;
    const char *refusal = decode_tx(n, wire, &tx);
    if (refusal != NULL) {
        reject_tx(n, PROTO_EV_TX_REJECTED, n->self, PROTO_REJECT_DECODE, refusal);
        return;
    }
    proto_reject_reason reason = admit_tx(n, &tx, &hash, &refusal);
    if (reason == PROTO_REJECT_SIGNATURE || reason == PROTO_REJECT_TX_INVALID) {
        reject_tx(n, PROTO_EV_TX_REJECTED, n->self, reason, refusal);
        return;
    }
    poa_broadcast(n, wire, true);
}

/* ---- proposal ---- */

static void propose(poa_node *n, uint64_t slot)
{
    if (n->head->header.slot >= slot)
        return;
    if (n->env.now_ns(n->env.ctx) < n->catchup_until_ns)
        return; /* just restarted: a block on a stale head would only fork */
    proto_block *b = proto_block_new();
    b->header.height = n->head->header.height + 1;
    b->header.slot = slot;
    b->header.parent = n->head->hash;
    b->header.proposer = (uint32_t)n->validator_index;
    b->header.timestamp_ns = (int64_t)slot * n->p->block_interval_ns;

    /* Execute on a scratch copy of the head's (read-only) state to learn
     * the state root, dropping any tx that fails: the block is applied
     * when it comes back through intake like anyone else's. */
    if (!poa_code_runs(n, b->header.height)) {
        proto_block_free(b);
        return;
    }
    proto_state *scratch = proto_state_copy(n->head->state);
    proto_undo undo;
    proto_undo_init(&undo);
    proto_exec_env env = {.rules = n->p->rules,
                          .crypto = n->p->crypto,
                          .include_tx = n->env.include_tx,
                          .include_ctx = n->env.ctx,
                          .code_versions = n->env.code_versions};
    bool built = proto_exec_build(scratch, n->mempool, n->p->max_block_txs, &env, b, &undo);
    g_assert(built); /* no extension step can fail */
    proto_undo_clear(&undo);
    proto_state_free(scratch);
    proto_block_sign(b, n->p->chain_id, n->p->crypto, &n->key);

    GBytes *wire = poa_msg_block_encode(b);
    proto_event ev = proto_block_event(PROTO_EV_BLOCK_PROPOSED, b);
    poa_emit(n, &ev);
    proto_block_free(b);
    poa_broadcast(n, wire, false);
    /* Our own block goes through the same path as anyone else's. */
    GBytes *body = poa_msg_block_body(wire);
    poa_sync_receive_block(n, n->self, body);
    g_bytes_unref(body);
    g_bytes_unref(wire);
}

static void poa_on_timer(void *node, uint64_t timer_id, uint32_t kind, uint64_t arg)
{
    poa_node *n = node;
    if (n->halted || kind != POA_TIMER_SLOT || timer_id != n->slot_timer)
        return;
    n->slot_timer = PROTO_TIMER_NONE;
    /* A timer that fires late (its slot is over) proposes nothing. */
    if (arg == poa_current_slot(n) && poa_node_proposer(n, arg) == (uint32_t)n->validator_index)
        propose(n, arg);
    arm_slot_timer(n);
}

static void poa_on_message(void *node, proto_node_id from, GBytes *wire)
{
    poa_node *n = node;
    if (n->halted)
        return;
    switch (poa_msg_type(wire)) {
    case PROTO_MSG_TX:
        on_tx(n, from, wire);
        return;
    case PROTO_MSG_BLOCK: {
        GBytes *body = poa_msg_block_body(wire);
        if (body == NULL) {
            poa_reject(n, from, PROTO_REJECT_DECODE);
            return;
        }
        poa_sync_receive_block(n, from, body);
        g_bytes_unref(body);
        return;
    }
    case PROTO_MSG_GET_BLOCKS:
        poa_sync_on_get_blocks(n, from, wire);
        return;
    case PROTO_MSG_BLOCKS:
        poa_sync_on_blocks(n, from, wire);
        return;
    default:
        poa_reject(n, from, PROTO_REJECT_DECODE);
        return;
    }
}

/* ---- lifecycle ---- */

poa_node *poa_node_new(const poa_params *params, proto_node_id self, int32_t validator_index,
                       const proto_keypair *key, const proto_env *env)
{
    g_assert(params->validators_count > 0 && params->block_interval_ns > 0);
    g_assert(proto_prio_check(params->stakes, params->validators_count) == PROTO_CMT_VALSET_OK);
    g_assert(validator_index < (int32_t)params->validators_count);
    poa_node *n = g_new0(poa_node, 1);
    n->p = params;
    n->env = *env;
    n->self = self;
    n->validator_index = validator_index;
    if (validator_index >= 0) {
        g_assert(key != NULL);
        n->key = *key;
        n->mempool = proto_exec_txpool_new(params->mempool_max);
    }
    for (uint32_t v = 0; v < params->validators_count; v++)
        n->total_stake += params->stakes[v];
    n->orphans = g_ptr_array_new();
    n->receipts = g_array_new(FALSE, FALSE, sizeof(proto_fee_tx_record));
    n->fees = proto_fee_tracker_new(&params->rules->fees, POA_TIP_DEFAULT);
    poa_chain_init(n);
    poa_chain_recover(n);
    if (n->halted)
        return n; /* restarted without the code its chain needs: it stops again */
    if (validator_index >= 0)
        arm_slot_timer(n);
    /* A node starting after genesis (restart, late join) asks a peer for
     * anything newer than what its store held. */
    if (params->nodes_count > 1 && n->env.now_ns(n->env.ctx) > 0) {
        uint64_t r = n->env.random_u64(n->env.ctx);
        proto_node_id peer = sync_peer(n, r);
        if (peer != PROTO_NODE_NONE) {
            poa_sync_request(n, peer, poa_tree_root(&n->tree)->header.height + 1);
            n->catchup_until_ns = n->sync_inflight_until_ns;
        }
    }
    return n;
}

static void poa_node_free(void *node)
{
    poa_node *n = node;
    if (n == NULL)
        return;
    if (n->slot_timer != PROTO_TIMER_NONE)
        n->env.cancel_timer(n->env.ctx, n->slot_timer);
    poa_sync_clear(n);
    poa_proposer_clear(n);
    poa_chain_clear(n);
    if (n->mempool != NULL)
        proto_txpool_free(n->mempool);
    g_array_unref(n->receipts);
    proto_fee_tracker_free(n->fees);
    g_free(n);
}

/* The base fee from the head state, the tip from the head chain. */
static void poa_fee_quote(void *node, proto_fee_quote *out)
{
    poa_node *n = node;
    *out = proto_fee_tracker_quote(n->fees, proto_state_base_fee(n->head->state));
}

static uint32_t poa_fee_history(void *node, uint32_t blocks, uint64_t *base_fee,
                                double *gas_used_ratio, uint64_t *reward)
{
    poa_node *n = node;
    return proto_fee_tracker_query(n->fees, blocks, proto_state_base_fee(n->head->state), base_fee,
                                   gas_used_ratio, reward);
}

const proto_node_ops poa_node_ops = {
    .name = "poa",
    .on_message = poa_on_message,
    .on_timer = poa_on_timer,
    .submit_tx = poa_submit_tx,
    .free = poa_node_free,
    .fee_quote = poa_fee_quote,
    .fee_history = poa_fee_history,
};

uint64_t poa_node_head_height(const poa_node *n)
{
    return n->head->header.height;
}

const proto_state *poa_node_state(const poa_node *n)
{
    return n->head->state;
}

uint64_t poa_node_final_height(const poa_node *n)
{
    return poa_tree_root(&n->tree)->header.height;
}

void poa_node_head_hash(const poa_node *n, proto_hash *out)
{
    *out = n->head->hash;
}

bool poa_node_final_hash(const poa_node *n, uint64_t height, proto_hash *out)
{
    if (height >= n->final_hashes->len)
        return false;
    *out = g_array_index(n->final_hashes, proto_hash, height);
    return true;
}
