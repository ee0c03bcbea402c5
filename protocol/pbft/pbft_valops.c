/* Validator operations on a PBFT node: the operator's key rotation, and
 * the node's own upkeep of its bonded entry.
 *
 * A validator node acts for its operator the way operator tooling does on
 * Cosmos chains: once the chain has it jailed for downtime and the jail
 * time has passed, it sends UNJAIL; after the operator asks for a new
 * consensus key (rotate_key), it sends ROTATE_KEY until the chain has
 * recorded the key. Both are transactions (tx_envelope.h messages of the
 * validator module) signed by the validator's operator account, whose key
 * is the one the node was created with (the genesis consensus key: the
 * chain's genesis makes that key the validator's operator account), and
 * they go through the pool and gossip like any transaction, paying the
 * going fee (max fee twice the base fee, plus a tip, as wallets do). Both
 * are intents reconciled after every commit against the committed bonded
 * set, so an operation lost to a partition or a crash is simply sent
 * again, with the operator account's next nonce. The new key is written
 * to the node's durable store first, so a crash between the request and
 * its effect loses nothing; the node signs with whichever of its keys the
 * chain names for the height at hand (pbft_signing_key).
 *
 * Also here: commit votes for the committed height that arrive after the
 * commit join its certificate when this node proposes, so the next
 * block's record of who signed (pbft_ext.h, downtime accounting) is not
 * cut at the first quorum. They are verified only then: only the
 * proposer needs them. So do the votes this node already held when it
 * committed with a certificate a peer sent (DECIDED, sync): that one is
 * the sender's quorum, and without them a validator whose COMMIT reached
 * the next proposer in time would be recorded as missing the height
 * (and could be jailed for downtime it did not have). */
#include "protocol/pbft/pbft_internal.h"

#include <string.h>

#include "protocol/chain/tx_exec.h"
#include "protocol/chain/valset.h"
#include "protocol/modules/validator/validator.h"

#define STORE_KEY_NEXT_KEY "key/next"
/* Our own pending operation is re-sent after this many commits without it. */
#define VALOP_RESEND_BLOCKS 5
/* The tip an operator's transaction offers, per gas. */
#define VALOP_TIP_PER_GAS 1

void pbft_valops_init(pbft_node *n)
{
    GBytes *stored = n->env.store_get(n->env.ctx, STORE_KEY_NEXT_KEY);
    if (stored != NULL) {
        gsize size = 0;
        const uint8_t *data = g_bytes_get_data(stored, &size);
        if (size == sizeof n->next_key && n->validator_index >= 0) {
            memcpy(&n->next_key, data, sizeof n->next_key);
            n->has_next_key = true;
        }
        g_bytes_unref(stored);
    }
}

/* Our own operation of this type as a transaction from the operator
 * account, now and then: submitted to our pool and to the validators. */
static void send_own(pbft_node *n, uint8_t type, const proto_pubkey *new_key)
{
    if (n->committed < n->own_op_sent_height[type] + VALOP_RESEND_BLOCKS &&
        n->own_op_sent_height[type] != 0)
        return;
    const proto_state *s = n->state;
    uint32_t account = proto_state_account_by_key(s, &n->operator_key.pk);
    if (account == PROTO_ACCOUNT_NONE)
        return; /* a chain without operator accounts: nobody to sign */
    n->own_op_sent_height[type] = n->committed == 0 ? 1 : n->committed;
    const proto_chain_rules *rules = n->p->rules;
    uint32_t self = (uint32_t)n->validator_index;
    proto_txenv tx = {.chain_id = rules->chain_id,
                      .sender = n->operator_key.pk,
                      .nonce = proto_state_account(s, account)->nonce,
                      .max_priority_fee_per_gas = VALOP_TIP_PER_GAS,
                      .message_count = 1};
    tx.messages[0].type = type;
    if (type == PROTO_TXMSG_UNJAIL) {
        tx.messages[0].unjail.validator = self;
    } else {
        tx.messages[0].rotate_key.validator = self;
        tx.messages[0].rotate_key.new_key = *new_key;
    }
    tx.max_fee_per_gas = 2 * proto_state_base_fee(s) + VALOP_TIP_PER_GAS;
    tx.gas_limit = proto_tx_ante_gas(&rules->gas, proto_txenv_wire_size(&tx)) +
                   proto_validator_op_gas(&rules->gas);
    proto_txenv_sign(&tx, n->p->crypto, &n->operator_key);
    GBytes *wire = proto_txenv_msg_encode(&tx);
    pbft_submit_tx(n, wire);
    g_bytes_unref(wire);
}

void pbft_valops_after_commit(pbft_node *n)
{
    if (!pbft_is_validator(n))
        return;
    const proto_valset *vs = pbft_valset(n);
    uint32_t self = (uint32_t)n->validator_index;
    const proto_validator *me = proto_valset_get(vs, self);
    if (me->jailed && !me->tombstoned && n->last_timestamp_ns >= me->jailed_until_ns &&
        me->tokens > 0)
        send_own(n, PROTO_TXMSG_UNJAIL, NULL);
    if (n->has_next_key && !me->tombstoned &&
        !proto_pubkey_equal(proto_valset_key_at(vs, self, UINT64_MAX), &n->next_key.pk))
        send_own(n, PROTO_TXMSG_ROTATE_KEY, &n->next_key.pk);
}

/* One rotation at a time: a request while the chain has not yet recorded
 * the previous one is ignored (the operator asks again later). */
void pbft_rotate_key(void *node, const proto_keypair *next)
{
    pbft_node *n = node;
    if (!pbft_is_validator(n))
        return;
    uint32_t self = (uint32_t)n->validator_index;
    const proto_pubkey *current = proto_valset_key_at(pbft_valset(n), self, UINT64_MAX);
    if (n->has_next_key) {
        if (!proto_pubkey_equal(current, &n->next_key.pk))
            return;
        n->key = n->next_key; /* the chain's key now: our base from here on */
    }
    /* Durable first: the chain may adopt the key before we crash. */
    GBytes *b = g_bytes_new(next, sizeof *next);
    n->env.store_put(n->env.ctx, STORE_KEY_NEXT_KEY, b);
    g_bytes_unref(b);
    n->next_key = *next;
    n->has_next_key = true;
    n->own_op_sent_height[PROTO_TXMSG_ROTATE_KEY] = 0;
    send_own(n, PROTO_TXMSG_ROTATE_KEY, &next->pk);
}

/* Binary search: a certificate's validators are strictly increasing. */
static bool in_cert(const pbft_cert *c, uint32_t validator)
{
    guint lo = 0, hi = c->sigs->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        uint32_t v = g_array_index(c->sigs, pbft_cert_sig, mid).validator;
        if (v == validator)
            return true;
        if (v < validator)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

void pbft_collect_late_commit(pbft_node *n, const pbft_vote *v)
{
    const pbft_cert *c = &n->commit_cert;
    if (v->seq != n->committed || v->seq == 0 || v->validator >= n->p->validators_count ||
        v->view != c->view || !proto_hash_equal(&v->digest, &c->digest) ||
        n->late_commits->len >= n->p->validators_count || in_cert(c, v->validator))
        return;
    for (guint i = 0; i < n->late_commits->len; i++) {
        if (g_array_index(n->late_commits, pbft_vote, i).validator == v->validator)
            return;
    }
    g_array_append_val(n->late_commits, *v);
}

void pbft_late_commits_from_slot(pbft_node *n)
{
    const pbft_slot *s = pbft_slot_get(n, n->committed, false);
    if (s == NULL)
        return;
    for (guint i = 0; i < s->commits->len; i++)
        pbft_collect_late_commit(n, &g_array_index(s->commits, pbft_vote, i));
}

void pbft_late_commits_merge(pbft_node *n)
{
    for (guint i = 0; i < n->late_commits->len; i++) {
        const pbft_vote *v = &g_array_index(n->late_commits, pbft_vote, i);
        if (!in_cert(&n->commit_cert, v->validator) &&
            pbft_verify_vote(n, v) == PROTO_REJECT_NONE)
            pbft_cert_add(&n->commit_cert, v->validator, &v->sig);
    }
    g_array_set_size(n->late_commits, 0);
}
