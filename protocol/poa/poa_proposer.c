/* PoA: who may propose in a slot (see poa.h).
 *
 * A block in slot s on a parent proposed in slot p is round s - p - 1 of
 * the parent's height + 1. Round-robin needs nothing but that arithmetic.
 * Stake-weighted needs the priorities of the child's height, which every
 * block-tree entry carries (child_prio: its parent's moved on one height
 * with the same, genesis, powers), moved on one increment per round. A
 * node asks about its head slot after slot, and receives blocks built on
 * it, so the last answer's set is kept (the cursor) and moved on from
 * there; anything else starts again from the entry's set. */
#include "protocol/poa/poa_internal.h"

static proto_prio_set *prio_new_next(const poa_node *n, const proto_prio_set *prev)
{
    proto_prio_set *next = g_new0(proto_prio_set, 1);
    proto_prio_set_next(prev, n->p->stakes, next);
    return next;
}

void poa_entry_prio_init(poa_node *n, poa_entry *e)
{
    if (n->p->rotation != PROTO_ROTATION_STAKE_WEIGHTED || e->child_prio != NULL)
        return;
    if (e->parent != NULL) {
        g_assert(e->parent->child_prio != NULL);
        e->child_prio = prio_new_next(n, e->parent->child_prio);
        return;
    }
    /* A root without a parent is genesis: height 1 is NewValidatorSet. */
    g_assert(e->header.height == 0);
    proto_prio_set genesis;
    proto_prio_set_init(&genesis, n->p->validators_count, n->p->stakes);
    e->child_prio = prio_new_next(n, &genesis);
    proto_prio_set_clear(&genesis);
}

void poa_proposer_clear(poa_node *n)
{
    if (n->has_cursor)
        proto_prio_set_clear(&n->cursor);
    n->has_cursor = false;
}

uint32_t poa_proposer_after(poa_node *n, const poa_entry *parent, uint64_t slot)
{
    g_assert(slot > parent->header.slot);
    uint64_t rounds = slot - parent->header.slot - 1;
    uint64_t height = parent->header.height + 1;
    if (n->p->rotation != PROTO_ROTATION_STAKE_WEIGHTED)
        return proto_proposer_round_robin(height, rounds, NULL, n->p->validators_count);
    if (rounds > PROTO_PROPOSER_ROUNDS_MAX)
        return PROTO_PROPOSER_NONE;
    g_assert(parent->child_prio != NULL && parent->child_prio->height == height);
    if (n->has_cursor &&
        (!proto_hash_equal(&n->cursor_parent, &parent->hash) || n->cursor_rounds > rounds))
        poa_proposer_clear(n);
    if (!n->has_cursor) {
        proto_prio_set_copy(&n->cursor, parent->child_prio);
        n->cursor_parent = parent->hash;
        n->cursor_rounds = 0;
        n->has_cursor = true;
    }
    for (; n->cursor_rounds < rounds; n->cursor_rounds++)
        proto_prio_set_increment(&n->cursor);
    return n->cursor.proposer;
}

uint32_t poa_node_proposer(poa_node *n, uint64_t slot)
{
    if (slot <= n->head->header.slot)
        return PROTO_PROPOSER_NONE;
    return poa_proposer_after(n, n->head, slot);
}
