/* The state root (state.c's top comment has the layout): the accounts'
 * heap-style Merkle tree, rehashed incrementally from the dirty leaves,
 * folded with the base fee, minted and the modules' roots. */
#include "protocol/chain/state_internal.h"

#include <string.h>

#include "protocol/core/codec.h"
#include "protocol/core/fastmix.h"

#define STATE_ROOT_TAG "aitbc/state"
#define STATE_ROOT_TAG_SIZE (sizeof STATE_ROOT_TAG - 1)

void proto_state__alloc_tree(proto_state *s, uint32_t cap)
{
    g_free(s->tree);
    g_free(s->node_dirty);
    s->cap = cap;
    s->tree = g_new0(proto_hash, 2 * (size_t)cap);
    s->node_dirty = g_new0(uint8_t, 2 * (size_t)cap);
    g_array_set_size(s->dirty_leaves, 0);
    s->rebuild = true;
}

static void state_leaf_hash(const proto_state *s, uint32_t index, proto_hash *out)
{
    if (index >= s->accounts->len) {
        memset(out, 0, sizeof *out);
        return;
    }
    const proto_account *a = proto_state__acct(s, index);
    uint8_t buf[PROTO_PUBKEY_SIZE + 16];
    memcpy(buf, a->pk.bytes, PROTO_PUBKEY_SIZE);
    proto_le_put_u64(buf + PROTO_PUBKEY_SIZE, a->balance);
    proto_le_put_u64(buf + PROTO_PUBKEY_SIZE + 8, a->nonce);
    if (s->fast_hash)
        proto_fastmix(out->bytes, PROTO_HASH_SIZE, "leaf", 4, buf, sizeof buf);
    else
        proto_hash_bytes(out, buf, sizeof buf);
}

static void state_node_hash(const proto_state *s, proto_hash *out, const proto_hash *left,
                            const proto_hash *right)
{
    if (!s->fast_hash) {
        proto_hash_pair(out, left, right);
        return;
    }
    uint8_t buf[2 * PROTO_HASH_SIZE];
    memcpy(buf, left->bytes, PROTO_HASH_SIZE);
    memcpy(buf + PROTO_HASH_SIZE, right->bytes, PROTO_HASH_SIZE);
    proto_fastmix(out->bytes, PROTO_HASH_SIZE, "node", 4, buf, sizeof buf);
}

void proto_state_set_fast_hash(proto_state *s, bool fast)
{
    proto_state__assert_private(s);
    if (s->fast_hash != fast) {
        s->fast_hash = fast;
        s->rebuild = true;
        for (uint32_t i = 0; i < s->modules->count; i++) {
            s->slots[i].root_valid = false;
        }
    }
}

static void state_rebuild(proto_state *s)
{
    for (uint32_t i = 0; i < s->cap; i++) {
        state_leaf_hash(s, i, &s->tree[s->cap + i]);
    }
    for (uint32_t node = s->cap - 1; node >= 1; node--) {
        state_node_hash(s, &s->tree[node], &s->tree[2 * node], &s->tree[2 * node + 1]);
    }
    memset(s->node_dirty, 0, 2 * (size_t)s->cap);
    g_array_set_size(s->dirty_leaves, 0);
    s->rebuild = false;
}

/* Rehash the dirty leaves, then their ancestors level by level. `level`
 * holds node numbers of one depth; their parents (deduped through
 * node_dirty) form the next level. */
static void state_update_dirty(proto_state *s)
{
    GArray *level = g_array_sized_new(FALSE, FALSE, sizeof(uint32_t), s->dirty_leaves->len);
    for (guint i = 0; i < s->dirty_leaves->len; i++) {
        uint32_t leaf = g_array_index(s->dirty_leaves, uint32_t, i);
        uint32_t node = s->cap + leaf;
        state_leaf_hash(s, leaf, &s->tree[node]);
        s->node_dirty[node] = 0;
        g_array_append_val(level, node);
    }
    g_array_set_size(s->dirty_leaves, 0);

    GArray *next = g_array_sized_new(FALSE, FALSE, sizeof(uint32_t), level->len);
    while (level->len > 0 && g_array_index(level, uint32_t, 0) > 1) {
        g_array_set_size(next, 0);
        for (guint i = 0; i < level->len; i++) {
            uint32_t parent = g_array_index(level, uint32_t, i) / 2;
            if (!s->node_dirty[parent]) {
                s->node_dirty[parent] = 1;
                g_array_append_val(next, parent);
            }
        }
        for (guint i = 0; i < next->len; i++) {
            uint32_t node = g_array_index(next, uint32_t, i);
            state_node_hash(s, &s->tree[node], &s->tree[2 * node], &s->tree[2 * node + 1]);
            s->node_dirty[node] = 0;
        }
        GArray *swap = level;
        level = next;
        next = swap;
    }
    g_array_unref(level);
    g_array_unref(next);
}

static void state_accounts_root(proto_state *s, proto_hash *out)
{
    if (s->rebuild) {
        state_rebuild(s);
    } else if (s->dirty_leaves->len > 0) {
        state_update_dirty(s);
    }
    if (s->accounts->len == 0) {
        memset(out, 0, sizeof *out);
        return;
    }
    *out = s->tree[1];
}

/* The tag, the accounts root, the base fee, minted (when non-zero: the
 * roots of chains that never mint stay what they were) and each present
 * module's root, hashed as one input. */
void proto_state_root(proto_state *s, proto_hash *out)
{
    uint8_t buf[STATE_ROOT_TAG_SIZE + PROTO_HASH_SIZE + 8 + 8 +
                PROTO_MODULES_MAX * PROTO_HASH_SIZE];
    uint8_t *roots = buf + STATE_ROOT_TAG_SIZE;
    proto_hash accounts;
    state_accounts_root(s, &accounts);
    memcpy(roots, accounts.bytes, PROTO_HASH_SIZE);
    proto_le_put_u64(roots + PROTO_HASH_SIZE, s->base_fee);
    size_t size = PROTO_HASH_SIZE + 8;
    if (s->minted != 0) {
        proto_le_put_u64(roots + size, s->minted);
        size += 8;
    }
    for (uint32_t i = 0; i < s->modules->count; i++) {
        state_slot *slot = &s->slots[i];
        if (slot->state == NULL) {
            continue;
        }
        if (!slot->root_valid) {
            s->modules->modules[i]->root(slot->state, s->fast_hash, &slot->root);
            slot->root_valid = true;
        }
        memcpy(roots + size, slot->root.bytes, PROTO_HASH_SIZE);
        size += PROTO_HASH_SIZE;
    }
    memcpy(buf, STATE_ROOT_TAG, STATE_ROOT_TAG_SIZE);
    if (s->fast_hash) {
        proto_fastmix(out->bytes, PROTO_HASH_SIZE, STATE_ROOT_TAG, STATE_ROOT_TAG_SIZE, roots,
                      size);
    } else {
        proto_hash_bytes(out, buf, STATE_ROOT_TAG_SIZE + size);
    }
}
