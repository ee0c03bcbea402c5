/* The state's representation, shared by its files: state.c (accounts,
 * supply, undo, module slots) and state_root.c (the accounts' Merkle
 * tree and the state root). Nothing outside protocol/chain/state*.c
 * includes it. state.c's top comment describes the whole. */
#ifndef AITBC_PROTOCOL_CHAIN_STATE_INTERNAL_H
#define AITBC_PROTOCOL_CHAIN_STATE_INTERNAL_H

#include "protocol/chain/state.h"

#include "protocol/chain/module.h"

typedef struct state_keys state_keys; /* state.c */

/* One module's place in a state. */
typedef struct state_slot {
    void *state;     /* owned; NULL: the module has no state in this chain */
    proto_hash root; /* of state, when root_valid */
    bool root_valid;
} state_slot;

struct proto_state {
    GArray *accounts;       /* of proto_account, dense by index */
    uint64_t burned;        /* fees and slashed stake burned so far */
    uint64_t minted;        /* block provisions created so far (the mint module) */
    uint64_t base_fee;      /* the next block's base fee (fee_market.h), per gas */
    state_keys *keys;       /* account index by key; shared by copies (immutable after genesis) */
    uint64_t supply;        /* balances + burned + module tokens == genesis supply + minted,
                             * fits in u64 */
    uint32_t cap;           /* leaf capacity, a power of two >= count, >= 1 */
    proto_hash *tree;       /* 2 * cap nodes, heap layout */
    uint8_t *node_dirty;    /* 2 * cap flags: queued for rehash */
    GArray *dirty_leaves;   /* of uint32_t leaf indexes with node_dirty set */
    bool rebuild;           /* whole tree stale (after growing cap) */
    bool fast_hash;         /* Merkle nodes by proto_fastmix instead of BLAKE2b */
    const proto_module_set *modules; /* outlives the state */
    state_slot slots[PROTO_MODULES_MAX]; /* [i] belongs to modules->modules[i] */
    uint32_t refs;          /* > 1: shared, immutable but for the root cache */
};

static inline proto_account *proto_state__acct(const proto_state *s, uint32_t index)
{
    return &g_array_index(s->accounts, proto_account, index);
}

/* Every mutation but the root cache's goes through here. */
static inline void proto_state__assert_private(const proto_state *s)
{
    g_assert(s->refs == 1);
}

/* The tree (state_root.c): a fresh one of `cap` leaves, stale until the
 * next root. */
void proto_state__alloc_tree(proto_state *s, uint32_t cap);

/* A changed account's leaf, queued for rehash (inline: every account
 * change passes here). */
static inline void proto_state__mark_dirty(proto_state *s, uint32_t index)
{
    if (s->rebuild) {
        return;
    }
    size_t node = (size_t)s->cap + index;
    if (!s->node_dirty[node]) {
        s->node_dirty[node] = 1;
        g_array_append_val(s->dirty_leaves, index);
    }
}

#endif
