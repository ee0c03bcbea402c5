/* PBFT node: entry points, timers, block proposal, transactions.
 *
 * See pbft.h for the protocol. This file decodes the message type and
 * hands off to pbft_log.c (normal case), pbft_checkpoint.c, pbft_view.c
 * or pbft_chain.c (catch-up); transactions are handled here, the same way
 * as under PoA (protocol/chain/exec.h). */
#include "protocol/pbft/pbft_internal.h"

#include "protocol/chain/exec.h"
#include "protocol/core/msgtype.h"
#include "protocol/modules/upgrade/upgrade.h"
#include "protocol/modules/validator/validator.h"

void pbft_emit(pbft_node *n, proto_event *ev)
{
    ev->node = n->self;
    n->env.observe(n->env.ctx, ev);
}

bool pbft_is_validator(const pbft_node *n)
{
    return n->validator_index >= 0;
}

void pbft_cancel_timer(pbft_node *n, uint64_t *timer)
{
    if (*timer != PROTO_TIMER_NONE)
        n->env.cancel_timer(n->env.ctx, *timer);
    *timer = PROTO_TIMER_NONE;
}

/* Earliest time the block after the committed tip may carry. */
static int64_t next_block_time_ns(const pbft_node *n)
{
    return n->last_timestamp_ns + n->p->block_interval_ns;
}

void pbft_arm_view_timer(pbft_node *n)
{
    if (!pbft_is_validator(n))
        return;
    pbft_cancel_timer(n, &n->view_timer);
    int64_t now = n->env.now_ns(n->env.ctx);
    int64_t start = MAX(now, next_block_time_ns(n));
    n->view_timer = n->env.set_timer(n->env.ctx, start - now + n->timeout_ns, PBFT_TIMER_VIEW,
                                     n->view);
}

void pbft_maybe_schedule_proposal(pbft_node *n)
{
    if (!pbft_is_validator(n) || n->in_view_change)
        return;
    uint64_t height = n->committed + 1;
    if (height <= n->view_floor ||
        pbft_node_primary(n, height, n->view) != (uint32_t)n->validator_index)
        return; /* not ours, or fixed by the NEW-VIEW: catch-up brings it */
    pbft_slot *s = pbft_slot_get(n, height, false);
    if (s != NULL && s->have_block && s->view == n->view)
        return; /* already proposed (or assigned by O) in this view */
    pbft_cancel_timer(n, &n->propose_timer);
    int64_t now = n->env.now_ns(n->env.ctx);
    int64_t at = MAX(now, next_block_time_ns(n));
    n->propose_timer = n->env.set_timer(n->env.ctx, at - now, PBFT_TIMER_PROPOSE, height);
}

/* We proposed for (height, view) before a restart: the same block again,
 * never a second one (pbft_signguard.c). */
static void propose_again(pbft_node *n, pbft_slot *s, GBytes *body)
{
    proto_block *b = pbft_decode_block(n, body);
    if (b == NULL)
        return; /* a damaged store: propose nothing; the view will move on */
    GBytes *wire = pbft_msg_preprepare_encode(n->view, b);
    pbft_send_validators(n, wire);
    g_bytes_unref(wire);
    pbft_slot_assign(n, s, n->view, body, b, false);
    pbft_advance(n);
}

static void propose(pbft_node *n, uint64_t height)
{
    if (n->in_view_change || height != n->committed + 1 || height <= n->view_floor ||
        pbft_node_primary(n, height, n->view) != (uint32_t)n->validator_index)
        return;
    pbft_slot *s = pbft_slot_get(n, height, true);
    if (s->have_block && s->view == n->view)
        return;
    pbft_tentative_revert(n);
    if (!pbft_code_runs(n, height))
        return;
    GBytes *again = pbft_signguard_proposal(n, height, n->view);
    if (again != NULL) {
        propose_again(n, s, again);
        g_bytes_unref(again);
        return;
    }

    proto_block *b = proto_block_new();
    b->header.height = height;
    b->header.slot = n->view;
    b->header.parent = g_array_index(n->hashes, proto_hash, n->committed);
    b->header.proposer = (uint32_t)n->validator_index;
    b->header.timestamp_ns = n->env.now_ns(n->env.ctx);
    /* Evidence and validator operations are checked against the state
     * before they are chosen; should one still fail to apply, the block
     * goes out with the parent's commit signatures only. */
    bool built = false;
    for (int minimal = 0; minimal <= 1 && !built; minimal++) {
        b->ext = pbft_ext_build(n, height, minimal != 0);
        proto_undo_init(&n->tentative_undo);
        proto_exec_env env = pbft_exec_env(n);
        env.include_tx = n->env.include_tx;
        env.include_ctx = n->env.ctx;
        built = proto_exec_build(n->state, n->mempool, n->p->max_block_txs, &env, b,
                                 &n->tentative_undo);
        if (!built) {
            proto_undo_clear(&n->tentative_undo);
            if (b->ext != NULL)
                g_bytes_unref(b->ext);
            b->ext = NULL;
        }
    }
    if (!built) {
        /* Not even our own commit certificate executes: nothing sound to
         * propose (our state is not the chain's); the view will move on. */
        proto_block_free(b);
        return;
    }
    proto_block_sign(b, n->p->chain_id, n->p->crypto, pbft_signing_key(n, height));
    n->tentative = true;
    n->tentative_digest = b->hash;

    proto_event ev = proto_block_event(PROTO_EV_BLOCK_PROPOSED, b);
    pbft_emit(n, &ev);

    GBytes *wire = pbft_msg_preprepare_encode(n->view, b);
    GBytes *body = NULL;
    uint64_t view = 0;
    gboolean ok = pbft_msg_preprepare_decode(wire, &view, &body);
    g_assert(ok);
    pbft_signguard_record_proposal(n, height, n->view, body);
    pbft_send_validators(n, wire);
    g_bytes_unref(wire);
    pbft_slot_assign(n, s, n->view, body, b, false);
    g_bytes_unref(body);
    pbft_advance(n);
}

/* ---- transactions ---- */

/* Decode and admit; *refusal gets the broken rule's name when refused. */
static proto_reject_reason admit_tx(pbft_node *n, GBytes *wire, proto_txenv *tx,
                                    proto_hash *hash, const char **refusal)
{
    proto_txenv_limits limits = proto_chain_rules_limits(n->p->rules);
    proto_txenv_result decoded = proto_txenv_msg_decode(wire, &limits, tx);
    if (decoded != PROTO_TXENV_OK) {
        *refusal = proto_txenv_result_name(decoded);
        return PROTO_REJECT_DECODE;
    }
    return proto_exec_admit_tx(n->state, n->mempool, n->p->rules, n->p->crypto, tx, hash,
                               refusal);
}

proto_exec_env pbft_exec_env(pbft_node *n)
{
    g_array_set_size(n->effects, 0);
    g_array_set_size(n->receipts, 0);
    return (proto_exec_env){.rules = n->p->rules,
                            .crypto = n->p->crypto,
                            .ext_fn = pbft_ext_execute,
                            .ext_ctx = n,
                            .events = n->effects,
                            .receipts = n->receipts,
                            .code_versions = n->env.code_versions};
}

bool pbft_code_runs(pbft_node *n, uint64_t height)
{
    if (n->halted)
        return false;
    g_assert(height == n->committed + 1);
    uint32_t module = 0, version = 0;
    if (proto_upgrade_code_runs(n->state, height, n->env.code_versions, &module, &version))
        return true;
    pbft_tentative_revert(n);
    n->halted = true;
    pbft_cancel_timer(n, &n->propose_timer);
    pbft_cancel_timer(n, &n->view_timer);
    pbft_cancel_timer(n, &n->resend_timer);
    pbft_cancel_timer(n, &n->sync_timer);
    proto_event ev = proto_upgrade_halt_event(height, module, version);
    pbft_emit(n, &ev);
    return false;
}

/* A transaction from the network. Validators pool it. A full node keeps
 * no pool; without an overlay nobody sends it transactions, but under one
 * it relays them towards the validators, so it checks them (accounts,
 * signature) first: what it rejects, the overlay does not pass on. */
static void on_tx(pbft_node *n, proto_node_id from, GBytes *wire)
{
    if (n->mempool == NULL && n->env.broadcast == NULL)
        return;
    proto_txenv tx;
    proto_hash hash;
    const char *refusal = NULL;
    proto_reject_reason reason = admit_tx(n, wire, &tx, &hash, &refusal);
    if (reason == PROTO_REJECT_DECODE || reason == PROTO_REJECT_SIGNATURE ||
        reason == PROTO_REJECT_TX_INVALID) {
        pbft_reject_tx(n, from, reason, refusal);
        return;
    }
    proto_event ev = {.kind = PROTO_EV_TX_RECEIVED, .from = from, .hash = hash.bytes};
    pbft_emit(n, &ev);
}

void pbft_submit_tx(void *node, GBytes *wire)
{
    pbft_node *n = node;
    if (n->halted)
        return;
    proto_txenv tx;
    proto_hash hash;
    const char *refusal = NULL;
    proto_reject_reason reason = admit_tx(n, wire, &tx, &hash, &refusal);
    if (reason == PROTO_REJECT_DECODE || reason == PROTO_REJECT_SIGNATURE ||
        reason == PROTO_REJECT_TX_INVALID) {
        proto_event ev = {
            .kind = PROTO_EV_TX_REJECTED, .from = n->self, .reason = reason, .refusal = refusal};
        pbft_emit(n, &ev);
        return;
    }
    pbft_broadcast_validators(n, wire);
}

/* ---- dispatch ---- */

static void pbft_on_timer(void *node, uint64_t timer_id, uint32_t kind, uint64_t arg)
{
    pbft_node *n = node;
    if (n->halted)
        return;
    switch (kind) {
    case PBFT_TIMER_PROPOSE:
        if (timer_id != n->propose_timer)
            return;
        n->propose_timer = PROTO_TIMER_NONE;
        propose(n, arg);
        return;
    case PBFT_TIMER_VIEW:
        if (timer_id != n->view_timer)
            return;
        n->view_timer = PROTO_TIMER_NONE;
        pbft_view_on_timer(n);
        return;
    case PBFT_TIMER_RESEND:
        if (timer_id != n->resend_timer)
            return;
        n->resend_timer = PROTO_TIMER_NONE;
        pbft_view_on_resend(n);
        return;
    case PBFT_TIMER_SYNC:
        if (timer_id != n->sync_timer)
            return;
        n->sync_timer = PROTO_TIMER_NONE;
        pbft_sync_on_timer(n);
        return;
    default:
        return;
    }
}

static void pbft_on_message(void *node, proto_node_id from, GBytes *wire)
{
    pbft_node *n = node;
    if (n->halted || pbft_peer_banned(n, from))
        return; /* throttled: it sent too much we had to reject */
    uint8_t type = pbft_msg_type(wire);
    /* Consensus messages matter only to validators. */
    bool consensus = type >= PROTO_MSG_PBFT_PREPREPARE && type <= PROTO_MSG_PBFT_NEWVIEW;
    if (consensus && !pbft_is_validator(n))
        return;
    switch (type) {
    case PROTO_MSG_TX: on_tx(n, from, wire); return;
    case PROTO_MSG_PBFT_PREPREPARE: pbft_on_preprepare(n, from, wire); return;
    case PROTO_MSG_PBFT_PREPARE:
    case PROTO_MSG_PBFT_COMMIT: pbft_on_vote(n, from, wire, type); return;
    case PROTO_MSG_PBFT_CHECKPOINT: pbft_on_checkpoint(n, from, wire); return;
    case PROTO_MSG_PBFT_VIEWCHANGE: pbft_on_viewchange(n, from, wire); return;
    case PROTO_MSG_PBFT_NEWVIEW: pbft_on_newview(n, from, wire); return;
    case PROTO_MSG_PBFT_DECIDED: pbft_sync_on_decided(n, from, wire); return;
    case PROTO_MSG_PBFT_EVIDENCE:
        /* Full nodes see it only to relay it over an overlay (checked). */
        if (pbft_is_validator(n) || n->env.broadcast != NULL)
            pbft_on_evidence(n, from, wire);
        return;
    case PROTO_MSG_GET_BLOCKS: pbft_sync_on_get_blocks(n, from, wire); return;
    case PROTO_MSG_BLOCKS: pbft_sync_on_blocks(n, from, wire); return;
    case PROTO_MSG_STATUS: pbft_on_status(n, from, wire); return;
    default: pbft_reject(n, from, PROTO_REJECT_DECODE); return;
    }
}

/* ---- lifecycle ---- */

pbft_node *pbft_node_new(const pbft_params *params, proto_node_id self, int32_t validator_index,
                         const proto_keypair *key, const proto_env *env)
{
    g_assert(params->validators_count > 0 && params->block_interval_ns > 0);
    g_assert(params->checkpoint_interval > 0 && params->view_timeout_ns > 0);
    g_assert(validator_index < (int32_t)params->validators_count);
    pbft_node *n = g_new0(pbft_node, 1);
    n->p = params;
    n->env = *env;
    n->self = self;
    n->validator_index = validator_index;
    if (validator_index >= 0) {
        g_assert(key != NULL);
        n->key = *key;
        n->operator_key = *key;
        n->mempool = proto_exec_txpool_new(params->mempool_max);
    }
    g_assert(proto_validator_set(params->genesis_state) != NULL);
    n->genesis_hash = params->genesis_hash;
    n->timeout_ns = params->view_timeout_ns;
    n->slots = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, pbft_slot_free);
    n->evidence = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    pbft_peers_init(n);
    pbft_net_init(n);
    pbft_chain_init(n);
    pbft_members_init(n);
    pbft_valops_init(n);
    pbft_checkpoint_init(n);
    pbft_view_init(n);
    pbft_ahead_init(n);
    pbft_chain_recover(n);
    pbft_signguard_restore_prepared(n);
    if (n->halted)
        return n; /* restarted without the code its chain needs: it stops again */

    if (pbft_is_validator(n)) {
        pbft_arm_view_timer(n);
        pbft_maybe_schedule_proposal(n);
    }
    /* A node starting after genesis (restart, late join) asks for what it
     * missed: blocks from a peer (pbft_sync_peer) and, if it is a
     * validator, the view. */
    if (n->env.now_ns(n->env.ctx) > 0) {
        uint64_t r = n->env.random_u64(n->env.ctx);
        proto_node_id peer = pbft_sync_peer(n, r, true);
        if (peer != PROTO_NODE_NONE)
            pbft_sync_request(n, peer, UINT64_MAX);
        if (pbft_is_validator(n)) {
            GBytes *status = pbft_msg_status_encode(n->view, n->committed);
            pbft_send_validators(n, status);
            g_bytes_unref(status);
        }
    }
    if (!pbft_is_validator(n) && n->sync_timer == PROTO_TIMER_NONE)
        pbft_sync_start(n);
    return n;
}

static void pbft_node_free(void *node)
{
    pbft_node *n = node;
    if (n == NULL)
        return;
    pbft_cancel_timer(n, &n->propose_timer);
    pbft_cancel_timer(n, &n->view_timer);
    pbft_cancel_timer(n, &n->resend_timer);
    pbft_cancel_timer(n, &n->sync_timer);
    pbft_view_clear(n);
    pbft_ahead_clear(n);
    pbft_checkpoint_clear(n);
    g_hash_table_unref(n->slots);
    g_hash_table_unref(n->evidence);
    pbft_peers_clear(n);
    pbft_net_clear(n);
    pbft_members_clear(n);
    pbft_chain_clear(n);
    if (n->mempool != NULL)
        proto_txpool_free(n->mempool);
    g_free(n);
}

/* The base fee from the state after our newest block (the tentative one
 * included), the tip from the committed blocks. */
static void pbft_fee_quote(void *node, proto_fee_quote *out)
{
    pbft_node *n = node;
    *out = proto_fee_tracker_quote(n->fees, proto_state_base_fee(n->state));
}

static uint32_t pbft_fee_history(void *node, uint32_t blocks, uint64_t *base_fee,
                                 double *gas_used_ratio, uint64_t *reward)
{
    pbft_node *n = node;
    return proto_fee_tracker_query(n->fees, blocks, proto_state_base_fee(n->state), base_fee,
                                   gas_used_ratio, reward);
}

const proto_node_ops pbft_node_ops = {
    .name = "pbft",
    .on_message = pbft_on_message,
    .on_timer = pbft_on_timer,
    .submit_tx = pbft_submit_tx,
    .free = pbft_node_free,
    .rotate_key = pbft_rotate_key,
    .fee_quote = pbft_fee_quote,
    .fee_history = pbft_fee_history,
};

uint64_t pbft_node_committed_height(const pbft_node *n) { return n->committed; }
uint64_t pbft_node_view(const pbft_node *n) { return n->view; }
bool pbft_node_in_view_change(const pbft_node *n) { return n->in_view_change; }
uint64_t pbft_node_stable_checkpoint(const pbft_node *n) { return n->stable_seq; }
const proto_state *pbft_node_state(const pbft_node *n) { return n->state; }
bool pbft_node_tentative(const pbft_node *n) { return n->tentative; }

bool pbft_node_committed_hash(const pbft_node *n, uint64_t height, proto_hash *out)
{
    if (height > n->committed)
        return false;
    *out = g_array_index(n->hashes, proto_hash, height);
    return true;
}
