/* Validator operations on a PBFT node: the pool proposers draw from, the
 * operator's key rotation, and the node's own upkeep of its bonded entry.
 *
 * A validator node acts for its operator the way operator tooling does on
 * Cosmos chains: once the chain has it jailed for downtime and the jail
 * time has passed, it sends UNJAIL; after the operator asks for a new
 * consensus key (rotate_key), it sends ROTATE_KEY until the chain has
 * recorded the key. Both are intents reconciled after every commit
 * against the committed bonded set, so an operation lost to a partition
 * or beaten to its nonce by the other one is simply sent again with the
 * right nonce. The new key is written to the node's durable store first,
 * so a crash between the request and its effect loses nothing; the node
 * signs with whichever of its keys the chain names for the height at hand
 * (pbft_signing_key).
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

#include "protocol/chain/valop.h"
#include "protocol/chain/valset.h"

#define STORE_KEY_NEXT_KEY "key/next"
#define VALOPS_POOL_MAX 256
/* Our own pending operation is re-sent after this many commits without it. */
#define VALOP_RESEND_BLOCKS 5

void pbft_valops_init(pbft_node *n)
{
    n->valops = g_array_new(FALSE, FALSE, sizeof(proto_valop));
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

void pbft_valops_clear(pbft_node *n)
{
    g_array_unref(n->valops);
}

static bool pool_has(const pbft_node *n, const proto_valop *op)
{
    for (guint i = 0; i < n->valops->len; i++) {
        const proto_valop *o = &g_array_index(n->valops, proto_valop, i);
        if (o->validator == op->validator && o->nonce == op->nonce && o->kind == op->kind &&
            proto_pubkey_equal(&o->new_key, &op->new_key))
            return true;
    }
    return false;
}

static bool pool_add(pbft_node *n, const proto_valop *op)
{
    if (n->valops->len >= VALOPS_POOL_MAX || pool_has(n, op))
        return false;
    g_array_append_val(n->valops, *op);
    return true;
}

static bool valop_signed_by(pbft_node *n, const void *msg, const proto_pubkey *pk)
{
    return proto_valop_verify(msg, n->p->chain_id, n->p->crypto, pk);
}

void pbft_on_valop(pbft_node *n, proto_node_id from, GBytes *wire)
{
    proto_valop op;
    if (!proto_valop_msg_decode(wire, &op) || op.validator >= n->p->validators_count) {
        pbft_reject(n, from, PROTO_REJECT_DECODE);
        return;
    }
    /* A full node keeps no pool; under an overlay it relays operations
     * towards the validators, so it checks the signature first. */
    bool relay_only = !pbft_is_validator(n);
    if ((relay_only && n->env.broadcast == NULL) || pool_has(n, &op))
        return;
    proto_reject_reason reason =
        pbft_check_signer(n, op.validator, n->committed + 1, valop_signed_by, &op);
    if (reason != PROTO_REJECT_NONE) {
        pbft_reject(n, from, reason);
        return;
    }
    if (relay_only)
        return;
    if (op.nonce < proto_valset_get(pbft_valset(n), op.validator)->op_nonce)
        return; /* already applied */
    pool_add(n, &op);
}

/* Our own operation of this kind with the current nonce: make sure it is
 * in the pool and, now and then, in every validator's. */
static void send_own(pbft_node *n, uint8_t kind, const proto_pubkey *new_key)
{
    uint32_t self = (uint32_t)n->validator_index;
    uint64_t next = n->committed + 1;
    proto_valop op = {.kind = kind, .validator = self,
                      .nonce = proto_valset_get(pbft_valset(n), self)->op_nonce};
    if (new_key != NULL)
        op.new_key = *new_key;
    proto_valop_sign(&op, n->p->chain_id, n->p->crypto, pbft_signing_key(n, next));
    bool fresh = pool_add(n, &op);
    if (!fresh && n->committed < n->own_op_sent_height[kind] + VALOP_RESEND_BLOCKS)
        return;
    n->own_op_sent_height[kind] = n->committed;
    GBytes *wire = proto_valop_msg_encode(&op);
    pbft_broadcast_validators(n, wire);
    g_bytes_unref(wire);
}

static bool op_stale(const proto_valset *vs, const proto_valop *op)
{
    return op->nonce < proto_valset_get(vs, op->validator)->op_nonce;
}

void pbft_valops_after_commit(pbft_node *n)
{
    const proto_valset *vs = pbft_valset(n);
    guint kept = 0;
    for (guint i = 0; i < n->valops->len; i++) {
        proto_valop op = g_array_index(n->valops, proto_valop, i);
        if (!op_stale(vs, &op))
            g_array_index(n->valops, proto_valop, kept++) = op;
    }
    g_array_set_size(n->valops, kept);
    if (!pbft_is_validator(n))
        return;
    uint32_t self = (uint32_t)n->validator_index;
    const proto_validator *me = proto_valset_get(vs, self);
    if (me->jailed && !me->tombstoned && n->last_timestamp_ns >= me->jailed_until_ns &&
        me->tokens > 0)
        send_own(n, PROTO_VALOP_UNJAIL, NULL);
    if (n->has_next_key && !me->tombstoned &&
        !proto_pubkey_equal(proto_valset_key_at(vs, self, UINT64_MAX), &n->next_key.pk))
        send_own(n, PROTO_VALOP_ROTATE_KEY, &n->next_key.pk);
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
    n->own_op_sent_height[PROTO_VALOP_ROTATE_KEY] = 0;
    send_own(n, PROTO_VALOP_ROTATE_KEY, &next->pk);
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
