/* Account state with an incrementally maintained Merkle root.
 *
 * Accounts are a dense array. The tree is stored heap-style in an array of
 * 2 * cap hashes: node 1 is the root, node i has children 2i and 2i + 1,
 * leaf j lives at node cap + j (node 0 is unused). cap is the smallest
 * power of two >= the account count (at least 1); leaves past the count
 * are the zero hash, and interior nodes are always H(left || right), also
 * over empty subtrees. With one account the root is that account's leaf;
 * with none it is the zero hash.
 *
 *     leaf = BLAKE2b-256(pk[32] || balance u64 LE || nonce u64 LE)
 *
 * A change marks its leaf dirty (a flag per node dedupes, a list remembers
 * which). proto_state_root rehashes the dirty leaves, then walks up one
 * level at a time: all dirty leaves sit at the same depth, so each pass
 * holds nodes of one level only and a parent shared by several dirty
 * children is queued (and hashed) once. Growing past cap (accounts added
 * after genesis) doubles cap and rebuilds the whole tree on the next root.
 *
 * Transfer rules (proto_state_check_tx), cheapest checks first so a bad
 * tx rarely costs a signature check:
 *   - from and to must be known accounts, and from != to: a self-transfer
 *     is rejected as PROTO_TX_BAD_ACCOUNT (it would move nothing but fee
 *     and nonce, and rejecting it keeps "to gains amount" an invariant);
 *   - nonce == the sender's next nonce;
 *   - amount + fee must not overflow and must be <= the sender's balance;
 *   - the signature must verify under the sender's key (memoized).
 * Effects: from.balance -= amount + fee, to.balance += amount,
 * from.nonce += 1, burned += fee. Total supply (balances + burned) never
 * changes, and since it fits in u64 (asserted at genesis) no credit can
 * overflow.
 *
 * The bonded validator set (valset.h), when attached, is owned by the
 * state: its tokens count in the total supply (a slash moves them to
 * burned through proto_state_burn), an undo log keeps a copy of the set
 * as it was before the block's first change to it (whole-set copy: the
 * set changes in few blocks, and a copy is simpler than per-field undo),
 * and the root commits to it:
 *
 *     root = H("aitbc/state" || accounts root || valset hash)
 *
 * with H = BLAKE2b-256, or proto_fastmix keyed by the tag in fast mode.
 * The set's hash is cached and recomputed only after the set may have
 * changed (mutable access, replacement, a revert that restored it).
 * Without a set the root is the accounts root alone, as before.
 *
 * States are reference-counted so the nodes of one chain can share one
 * immutable state per block instead of a copy each
 * (protocol/memo/exec_memo.h); every mutator asserts it holds the only
 * reference. The root cache (tree, dirty flags, set hash) is the
 * exception: filling it changes no value. */
#include "protocol/chain/state.h"

#include "protocol/chain/valset.h"
#include "protocol/core/fastmix.h"

#include <string.h>

#define STATE_ROOT_TAG "aitbc/state"
#define STATE_ROOT_TAG_SIZE (sizeof STATE_ROOT_TAG - 1)

/* Old values of one account, recorded before a change. */
typedef struct proto_undo_entry {
    uint32_t index;
    uint64_t balance;
    uint64_t nonce;
} proto_undo_entry;

struct proto_state {
    GArray *accounts;       /* of proto_account, dense by index */
    uint64_t burned;        /* fees and slashed stake burned so far */
    uint64_t supply;        /* balances + burned + bonded == supply, fits in u64 */
    uint32_t cap;           /* leaf capacity, a power of two >= count, >= 1 */
    proto_hash *tree;       /* 2 * cap nodes, heap layout */
    uint8_t *node_dirty;    /* 2 * cap flags: queued for rehash */
    GArray *dirty_leaves;   /* of uint32_t leaf indexes with node_dirty set */
    bool rebuild;           /* whole tree stale (after growing cap) */
    bool fast_hash;         /* Merkle nodes by proto_fastmix instead of BLAKE2b */
    proto_valset *valset;   /* owned; NULL without bonded validators */
    proto_hash valset_hash; /* of valset, when valset_hash_valid */
    bool valset_hash_valid;
    uint32_t refs;          /* > 1: shared, immutable but for the root cache */
};

/* Every mutation but the root cache's goes through here. */
static void state_assert_private(const proto_state *s)
{
    g_assert(s->refs == 1);
}

const char *proto_tx_result_name(proto_tx_result r)
{
    switch (r) {
    case PROTO_TX_OK:
        return "ok";
    case PROTO_TX_BAD_ACCOUNT:
        return "bad_account";
    case PROTO_TX_BAD_NONCE:
        return "bad_nonce";
    case PROTO_TX_NO_FUNDS:
        return "no_funds";
    case PROTO_TX_BAD_SIGNATURE:
        return "bad_signature";
    }
    return "unknown";
}

static void state_alloc_tree(proto_state *s, uint32_t cap)
{
    g_free(s->tree);
    g_free(s->node_dirty);
    s->cap = cap;
    s->tree = g_new0(proto_hash, 2 * (size_t)cap);
    s->node_dirty = g_new0(uint8_t, 2 * (size_t)cap);
    g_array_set_size(s->dirty_leaves, 0);
    s->rebuild = true;
}

proto_state *proto_state_new(void)
{
    proto_state *s = g_new0(proto_state, 1);
    s->accounts = g_array_new(FALSE, TRUE, sizeof(proto_account));
    s->dirty_leaves = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    s->refs = 1;
    state_alloc_tree(s, 1);
    return s;
}

proto_state *proto_state_copy(const proto_state *s)
{
    proto_state *c = g_new0(proto_state, 1);
    c->accounts = g_array_copy(s->accounts);
    c->dirty_leaves = g_array_copy(s->dirty_leaves);
    c->burned = s->burned;
    c->supply = s->supply;
    c->cap = s->cap;
    c->rebuild = s->rebuild;
    c->fast_hash = s->fast_hash;
    c->tree = g_memdup2(s->tree, 2 * (size_t)s->cap * sizeof(proto_hash));
    c->node_dirty = g_memdup2(s->node_dirty, 2 * (size_t)s->cap);
    c->valset = s->valset != NULL ? proto_valset_copy(s->valset) : NULL;
    c->valset_hash = s->valset_hash;
    c->valset_hash_valid = s->valset_hash_valid;
    c->refs = 1;
    return c;
}

proto_state *proto_state_ref(const proto_state *s)
{
    proto_state *m = (proto_state *)s; /* the count only; see state.h */
    g_assert(m->refs > 0 && m->refs < UINT32_MAX);
    m->refs++;
    return m;
}

bool proto_state_shared(const proto_state *s)
{
    return s->refs > 1;
}

void proto_state_free(proto_state *s)
{
    if (s == NULL) {
        return;
    }
    g_assert(s->refs > 0);
    if (--s->refs > 0) {
        return;
    }
    g_array_unref(s->accounts);
    g_array_unref(s->dirty_leaves);
    g_free(s->tree);
    g_free(s->node_dirty);
    proto_valset_free(s->valset);
    g_free(s);
}

static proto_account *state_acct(const proto_state *s, uint32_t index)
{
    return &g_array_index(s->accounts, proto_account, index);
}

static void state_mark_dirty(proto_state *s, uint32_t index)
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

/* Genesis balances come from a scenario the caller has validated: a total
 * supply that does not fit in u64 is the caller's bug. */
uint32_t proto_state_add_account(proto_state *s, const proto_pubkey *pk, uint64_t balance)
{
    state_assert_private(s);
    g_assert(s->accounts->len < UINT32_MAX);
    g_assert(balance <= UINT64_MAX - s->supply);
    s->supply += balance;
    proto_account a = {.pk = *pk, .balance = balance, .nonce = 0};
    g_array_append_val(s->accounts, a);
    uint32_t index = s->accounts->len - 1;
    if (s->accounts->len > s->cap) {
        g_assert(s->cap <= UINT32_MAX / 2);
        state_alloc_tree(s, s->cap * 2);
    } else {
        state_mark_dirty(s, index);
    }
    return index;
}

uint32_t proto_state_account_count(const proto_state *s)
{
    return s->accounts->len;
}

/* NULL for an index the state does not know (indexes come off the wire). */
const proto_account *proto_state_account(const proto_state *s, uint32_t index)
{
    return index < s->accounts->len ? state_acct(s, index) : NULL;
}

uint64_t proto_state_burned(const proto_state *s)
{
    return s->burned;
}

/* Recomputed from the balances (not the cached genesis supply) so that an
 * invariant checker comparing it with the genesis total tests something. */
uint64_t proto_state_total_supply(const proto_state *s)
{
    uint64_t total = s->burned;
    for (uint32_t i = 0; i < s->accounts->len; i++) {
        total += state_acct(s, i)->balance;
    }
    if (s->valset != NULL) {
        total += proto_valset_bonded(s->valset);
    }
    return total;
}

proto_tx_result proto_state_check_tx(const proto_state *s, const proto_tx *tx, uint64_t chain_id,
                                     proto_crypto *c)
{
    uint32_t count = s->accounts->len;
    if (tx->from >= count || tx->to >= count || tx->from == tx->to) {
        return PROTO_TX_BAD_ACCOUNT;
    }
    const proto_account *from = state_acct(s, tx->from);
    if (tx->nonce != from->nonce) {
        return PROTO_TX_BAD_NONCE;
    }
    if (tx->amount > UINT64_MAX - tx->fee || tx->amount + tx->fee > from->balance) {
        return PROTO_TX_NO_FUNDS;
    }
    if (!proto_tx_verify(tx, chain_id, c, &from->pk)) {
        return PROTO_TX_BAD_SIGNATURE;
    }
    return PROTO_TX_OK;
}

/* burned as it was before the undo log's first change, taken once. */
static void undo_save_burned(proto_undo *undo, const proto_state *s)
{
    g_assert(undo->entries != NULL);
    if (!undo->burned_saved) {
        undo->burned_before = s->burned;
        undo->burned_saved = true;
    }
}

static void undo_record(proto_undo *undo, const proto_state *s, uint32_t index)
{
    if (undo == NULL) {
        return;
    }
    undo_save_burned(undo, s);
    const proto_account *a = state_acct(s, index);
    proto_undo_entry e = {.index = index, .balance = a->balance, .nonce = a->nonce};
    g_array_append_val(undo->entries, e);
}

proto_tx_result proto_state_apply_tx(proto_state *s, const proto_tx *tx, uint64_t chain_id,
                                     proto_crypto *c, proto_undo *undo)
{
    state_assert_private(s);
    proto_tx_result res = proto_state_check_tx(s, tx, chain_id, c);
    if (res != PROTO_TX_OK) {
        return res;
    }
    undo_record(undo, s, tx->from);
    undo_record(undo, s, tx->to);

    proto_account *from = state_acct(s, tx->from);
    proto_account *to = state_acct(s, tx->to);
    from->balance -= tx->amount + tx->fee;
    from->nonce++;
    g_assert(to->balance <= UINT64_MAX - tx->amount); /* supply fits in u64 */
    to->balance += tx->amount;
    s->burned += tx->fee;

    state_mark_dirty(s, tx->from);
    state_mark_dirty(s, tx->to);
    return PROTO_TX_OK;
}

void proto_undo_init(proto_undo *u)
{
    u->entries = g_array_new(FALSE, FALSE, sizeof(proto_undo_entry));
    u->burned_before = 0;
    u->burned_saved = false;
    u->valset_before = NULL;
}

void proto_undo_clear(proto_undo *u)
{
    if (u->entries != NULL) {
        g_array_unref(u->entries);
        u->entries = NULL;
    }
    u->burned_before = 0;
    u->burned_saved = false;
    proto_valset_free(u->valset_before);
    u->valset_before = NULL;
}

/* burned_before and valset_before were taken at the first change of
 * each, so a log that never touched them restores nothing there. */
void proto_state_revert(proto_state *s, proto_undo *undo)
{
    state_assert_private(s);
    g_assert(undo->entries != NULL);
    for (guint i = undo->entries->len; i-- > 0;) {
        const proto_undo_entry *e = &g_array_index(undo->entries, proto_undo_entry, i);
        g_assert(e->index < s->accounts->len);
        proto_account *a = state_acct(s, e->index);
        a->balance = e->balance;
        a->nonce = e->nonce;
        state_mark_dirty(s, e->index);
    }
    if (undo->burned_saved) {
        s->burned = undo->burned_before;
    }
    if (undo->valset_before != NULL) {
        proto_valset_free(s->valset);
        s->valset = undo->valset_before;
        s->valset_hash_valid = false;
    }
    g_array_set_size(undo->entries, 0);
    undo->burned_before = 0;
    undo->burned_saved = false;
    undo->valset_before = NULL;
}

/* The supply counter stays balances + burned + bonded: the old set's
 * tokens leave it, the new set's join it. */
void proto_state_set_valset(proto_state *s, proto_valset *v)
{
    state_assert_private(s);
    if (s->valset != NULL) {
        s->supply -= proto_valset_bonded(s->valset);
        proto_valset_free(s->valset);
    }
    s->valset = v;
    s->valset_hash_valid = false;
    if (v != NULL) {
        uint64_t bonded = proto_valset_bonded(v);
        g_assert(bonded <= UINT64_MAX - s->supply); /* total supply must fit in u64 */
        s->supply += bonded;
    }
}

const proto_valset *proto_state_valset(const proto_state *s)
{
    return s->valset;
}

proto_valset *proto_state_valset_mut(proto_state *s, proto_undo *undo)
{
    state_assert_private(s);
    g_assert(s->valset != NULL);
    if (undo != NULL) {
        g_assert(undo->entries != NULL);
        if (undo->valset_before == NULL) {
            undo->valset_before = proto_valset_copy(s->valset);
        }
    }
    s->valset_hash_valid = false;
    return s->valset;
}

/* The caller has taken amount out of the bonded set, so the sum stays
 * within the supply, which fits in u64. */
void proto_state_burn(proto_state *s, uint64_t amount, proto_undo *undo)
{
    state_assert_private(s);
    if (undo != NULL) {
        undo_save_burned(undo, s);
    }
    g_assert(amount <= UINT64_MAX - s->burned);
    s->burned += amount;
}

static void state_leaf_hash(const proto_state *s, uint32_t index, proto_hash *out)
{
    if (index >= s->accounts->len) {
        memset(out, 0, sizeof *out);
        return;
    }
    const proto_account *a = state_acct(s, index);
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
    state_assert_private(s);
    if (s->fast_hash != fast) {
        s->fast_hash = fast;
        s->rebuild = true;
        s->valset_hash_valid = false;
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

void proto_state_root(proto_state *s, proto_hash *out)
{
    proto_hash accounts;
    state_accounts_root(s, &accounts);
    if (s->valset == NULL) {
        *out = accounts;
        return;
    }
    if (!s->valset_hash_valid) {
        proto_valset_hash(s->valset, s->fast_hash, &s->valset_hash);
        s->valset_hash_valid = true;
    }
    uint8_t buf[STATE_ROOT_TAG_SIZE + 2 * PROTO_HASH_SIZE];
    memcpy(buf, STATE_ROOT_TAG, STATE_ROOT_TAG_SIZE);
    memcpy(buf + STATE_ROOT_TAG_SIZE, accounts.bytes, PROTO_HASH_SIZE);
    memcpy(buf + STATE_ROOT_TAG_SIZE + PROTO_HASH_SIZE, s->valset_hash.bytes, PROTO_HASH_SIZE);
    if (s->fast_hash) {
        proto_fastmix(out->bytes, PROTO_HASH_SIZE, STATE_ROOT_TAG, STATE_ROOT_TAG_SIZE,
                      buf + STATE_ROOT_TAG_SIZE, 2 * PROTO_HASH_SIZE);
    } else {
        proto_hash_bytes(out, buf, sizeof buf);
    }
}
