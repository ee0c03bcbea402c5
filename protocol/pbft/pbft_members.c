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
 * Also here: who is primary of (committed + 1, view) (pbft.h: round
 * view - view of the committed block, from the chain's proposer
 * priorities or round-robin) and the NEW-VIEW leader, the key
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
    if (n->has_primary_cursor)
        proto_prio_set_clear(&n->primary_cursor);
    n->has_primary_cursor = false;
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

uint32_t pbft_view_leader(const pbft_params *p, uint64_t view)
{
    return (uint32_t)(view % p->validators_count);
}

/* Stake-weighted: the priorities of committed+1 moved on `rounds` rounds,
 * from the cursor when it is on the way there. */
static uint32_t stake_weighted_primary(pbft_node *n, uint64_t height, uint64_t rounds)
{
    if (rounds > PROTO_PROPOSER_ROUNDS_MAX)
        return PROTO_PROPOSER_NONE;
    if (n->has_primary_cursor &&
        (n->primary_cursor.height != height || n->primary_rounds > rounds)) {
        proto_prio_set_clear(&n->primary_cursor);
        n->has_primary_cursor = false;
    }
    if (!n->has_primary_cursor) {
        if (!proto_valset_priorities_at(pbft_valset(n), height, &n->primary_cursor))
            return PROTO_PROPOSER_NONE;
        n->has_primary_cursor = true;
        n->primary_rounds = 0;
    }
    for (; n->primary_rounds < rounds; n->primary_rounds++)
        proto_prio_set_increment(&n->primary_cursor);
    return n->primary_cursor.proposer;
}

/* Round r = view - (view of the committed block) of height committed+1. */
uint32_t pbft_node_primary(pbft_node *n, uint64_t height, uint64_t view)
{
    if (height != n->committed + 1 || view < n->committed_view)
        return PROTO_PROPOSER_NONE;
    uint64_t rounds = view - n->committed_view;
    if (n->p->rotation == PROTO_ROTATION_STAKE_WEIGHTED)
        return stake_weighted_primary(n, height, rounds);
    const pbft_members *m = pbft_members_at(n, height);
    g_assert(m != NULL); /* committed + 1 is always fixed */
    return proto_proposer_round_robin(height, rounds, m->powers, n->p->validators_count);
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
