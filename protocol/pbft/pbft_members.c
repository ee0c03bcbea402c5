/* The validator set as consensus sees it at each height: voting powers,
 * consensus keys and quorum thresholds, read from the bonded set in the
 * committed state (protocol/chain/valset.h).
 *
 * Changes committed in block h apply from height h + update_delay, so
 * the set of every height up to committed + update_delay is already
 * fixed; a message about a higher height cannot be judged yet and says
 * only that this node is behind (callers then catch up instead of
 * rejecting it). Sets are cached per height in a small ring: once fixed
 * a height's set never changes, not even when a tentative block is
 * reverted (its changes apply above committed + update_delay).
 *
 * Also here: the proposer rule with jailed validators skipped, the key
 * this node signs with at a height (it changes when its own key rotation
 * takes effect), and vote verification that tells a signature made with
 * a rotated-out key from any other bad signature. */
#include "protocol/pbft/pbft_internal.h"

#include "protocol/chain/valset.h"
#include "protocol/modules/validator/validator.h"

#define MEMBERS_UNUSED UINT64_MAX

void pbft_members_init(pbft_node *n)
{
    uint32_t count = n->p->validators_count;
    for (guint i = 0; i < PBFT_MEMBERS_CACHE; i++) {
        n->members[i].height = MEMBERS_UNUSED;
        n->members[i].powers = g_new0(uint64_t, count);
        n->members[i].keys = g_new0(proto_pubkey, count);
    }
    n->members_next = 0;
    n->members_last = NULL;
    n->update_delay = proto_valset_params(pbft_valset(n))->update_delay;
}

void pbft_members_clear(pbft_node *n)
{
    for (guint i = 0; i < PBFT_MEMBERS_CACHE; i++) {
        g_free(n->members[i].powers);
        g_free(n->members[i].keys);
    }
}

const proto_valset *pbft_valset(const pbft_node *n)
{
    const proto_valset *v = proto_validator_set(n->state);
    g_assert(v != NULL); /* pbft_node_new checks the genesis state has one */
    return v;
}

uint32_t pbft_update_delay(const pbft_node *n)
{
    return n->update_delay;
}

const pbft_members *pbft_members_at(pbft_node *n, uint64_t height)
{
    if (height > n->committed + n->update_delay)
        return NULL;
    if (n->members_last != NULL && n->members_last->height == height)
        return n->members_last;
    for (guint i = 0; i < PBFT_MEMBERS_CACHE; i++) {
        if (n->members[i].height == height)
            return n->members_last = &n->members[i];
    }
    pbft_members *m = &n->members[n->members_next];
    n->members_next = (n->members_next + 1) % PBFT_MEMBERS_CACHE;
    proto_valset_fill(pbft_valset(n), height, m->powers, m->keys);
    m->height = height;
    pbft_quorum_init(&m->quorum, n->p->validators_count, m->keys, m->powers);
    m->quorum.test_broken = n->p->test_break_quorum;
    return n->members_last = m;
}

uint64_t pbft_power_at(pbft_node *n, uint32_t validator, uint64_t height)
{
    const pbft_members *m = pbft_members_at(n, height);
    return m != NULL && validator < n->p->validators_count ? m->powers[validator] : 0;
}

static uint32_t schedule(const pbft_params *p, uint64_t index)
{
    if (p->rotation != NULL) {
        uint32_t v = proto_rotation_proposer(p->rotation, index);
        if (v != PROTO_ROTATION_NONE)
            return v;
    }
    return (uint32_t)(index % p->validators_count);
}

uint32_t pbft_primary(const pbft_params *p, uint64_t height, uint64_t view)
{
    return schedule(p, height + view);
}

uint32_t pbft_view_leader(const pbft_params *p, uint64_t view)
{
    return schedule(p, view);
}

/* The schedule's next validator with power at `height`: a jailed or
 * tombstoned validator never proposes. The search is bounded; were
 * nobody to have power the chain could not commit anyway. */
uint32_t pbft_node_primary(pbft_node *n, uint64_t height, uint64_t view)
{
    const pbft_members *m = pbft_members_at(n, height);
    uint64_t base = height + view;
    if (m == NULL)
        return schedule(n->p, base);
    uint64_t tries = 64ull * n->p->validators_count;
    for (uint64_t j = 0; j < tries; j++) {
        uint32_t v = schedule(n->p, base + j);
        if (m->powers[v] > 0)
            return v;
    }
    return schedule(n->p, base);
}

const proto_keypair *pbft_signing_key(pbft_node *n, uint64_t height)
{
    if (n->has_next_key && n->validator_index >= 0) {
        const pbft_members *m = pbft_members_at(n, MIN(height, n->committed + pbft_update_delay(n)));
        if (m != NULL && proto_pubkey_equal(&m->keys[n->validator_index], &n->next_key.pk))
            return &n->next_key;
    }
    return &n->key;
}

/* False when the key we sign with is not the one the chain names for us
 * at that height: a node holding a rotated-out key (say, a stolen copy
 * running as a twin) still signs, but others reject what it signs, so it
 * must not count it itself either. */
bool pbft_signs_as_chain_key(pbft_node *n, uint64_t height)
{
    const pbft_members *m = pbft_members_at(n, height);
    return pbft_is_validator(n) && m != NULL &&
           proto_pubkey_equal(&m->keys[n->validator_index], &pbft_signing_key(n, height)->pk);
}

bool pbft_self_has_power(pbft_node *n, uint64_t height)
{
    return pbft_is_validator(n) && pbft_power_at(n, (uint32_t)n->validator_index, height) > 0;
}

proto_reject_reason pbft_check_signer(pbft_node *n, uint32_t validator, uint64_t height,
                                      pbft_signed_by_fn signed_by, const void *msg)
{
    const pbft_members *m = pbft_members_at(n, height);
    g_assert(m != NULL && validator < n->p->validators_count);
    if (signed_by(n, msg, &m->keys[validator]))
        return PROTO_REJECT_NONE;
    /* Only on failure: was it the key this validator rotated away from? */
    const proto_pubkey *old = proto_valset_prev_key_at(pbft_valset(n), validator, height);
    return old != NULL && signed_by(n, msg, old) ? PROTO_REJECT_OLD_KEY : PROTO_REJECT_SIGNATURE;
}

static bool vote_signed_by(pbft_node *n, const void *msg, const proto_pubkey *pk)
{
    return pbft_vote_verify(msg, n->p->chain_id, n->p->crypto, pk);
}

proto_reject_reason pbft_verify_vote(pbft_node *n, const pbft_vote *v)
{
    return pbft_check_signer(n, v->validator, v->seq, vote_signed_by, v);
}
