/* The chain core's state: accounts with an incrementally maintained
 * Merkle root, the burned counter, and the modules' slots. This file
 * holds the accounts, the supply, undo and the module slots; the tree
 * and the root are in state_root.c, the representation both share in
 * state_internal.h.
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
 * Transactions run in tx_exec.c (fees, gas, nonce) and their messages
 * in the modules; the core offers them what they need:
 * mutable accounts that record their old values (proto_state_account_mut)
 * and the burned and minted counters (proto_state_burn, proto_state_mint).
 * Total supply (balances + burned + what modules hold - minted) never
 * changes, and since balances + burned + module tokens fits in u64
 * (asserted at genesis and at every mint) no credit can overflow.
 *
 * Modules (module.h) live in slots, one per module of the state's set, in
 * id order. A slot holds the module's state (NULL: none in this chain)
 * and a cache of its root, recomputed only after the state may have
 * changed (mutable access, a swap, a revert, the hash mode). The state
 * root folds the roots of the slots that hold a state:
 *
 *     root = H("aitbc/state" || accounts root || base fee u64 LE
 *              || module roots in id order)
 *
 * with H = BLAKE2b-256, or proto_fastmix keyed by the tag in fast mode.
 * The base fee the next block must carry (fee_market.h) is state too, so
 * the root commits to it right after the accounts root.
 *
 * Undo: account entries are a flat array of old values (a transfer adds
 * two), burned, minted and the base fee are saved once, at the log's first
 * change of each. A mark (proto_undo_mark_now) lets a transaction revert
 * its messages alone and keep its fee. Module records
 * carry the number of account entries made before them, so a revert walks
 * both arrays backwards and replays every change newest first.
 *
 * States are reference-counted so the nodes of one chain can share one
 * immutable state per block instead of a copy each
 * (protocol/memo/exec_memo.h); every mutator asserts it holds the only
 * reference. The root cache (tree, dirty flags, module roots) is the
 * exception: filling it changes no value. */
#include "protocol/chain/state_internal.h"

#include "protocol/core/codec.h"
#include "protocol/modules/modules.h"

#include <string.h>

/* Old values of one account, recorded before a change. */
typedef struct proto_undo_entry {
    uint32_t index;
    uint64_t balance;
    uint64_t nonce;
} proto_undo_entry;

/* Account index by public key: open addressing over uint32 slots holding
 * index + 1 (0 = empty), probed linearly from the key's first four bytes
 * (keys are Ed25519 public keys: uniform). The keys themselves are the
 * accounts' (compared there), so the table is 8 bytes per account at a
 * load of at most 1/2. Built at genesis; copies of a state share it by
 * reference count, since no account is added after genesis. */
struct state_keys {
    uint32_t *slots;
    uint32_t cap;   /* power of two, >= 2 * accounts */
    uint32_t used;
    uint32_t refs;
};

static state_keys *keys_new(uint32_t cap)
{
    state_keys *k = g_new0(state_keys, 1);
    k->cap = cap;
    k->slots = g_new0(uint32_t, cap);
    k->refs = 1;
    return k;
}

static void keys_unref(state_keys *k)
{
    g_assert(k->refs > 0);
    if (--k->refs == 0) {
        g_free(k->slots);
        g_free(k);
    }
}

static uint32_t keys_home(const state_keys *k, const proto_pubkey *pk)
{
    return proto_le_get_u32(pk->bytes) & (k->cap - 1);
}

/* Insert index (its key is accounts[index].pk); duplicates are a genesis
 * bug (keys derive from distinct labels). */
static void keys_insert(state_keys *k, const GArray *accounts, uint32_t index)
{
    const proto_pubkey *pk = &g_array_index(accounts, proto_account, index).pk;
    uint32_t h = keys_home(k, pk);
    while (k->slots[h] != 0) {
        const proto_account *a = &g_array_index(accounts, proto_account, k->slots[h] - 1);
        g_assert(!proto_pubkey_equal(&a->pk, pk));
        h = (h + 1) & (k->cap - 1);
    }
    k->slots[h] = index + 1;
    k->used++;
}

proto_state *proto_state_new_with_modules(const proto_module_set *set)
{
    proto_module_set_check(set);
    proto_state *s = g_new0(proto_state, 1);
    s->accounts = g_array_new(FALSE, TRUE, sizeof(proto_account));
    s->dirty_leaves = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    s->modules = set;
    s->keys = keys_new(4);
    s->refs = 1;
    proto_state__alloc_tree(s, 1);
    return s;
}

proto_state *proto_state_new(void)
{
    return proto_state_new_with_modules(proto_modules_default());
}

proto_state *proto_state_copy(const proto_state *s)
{
    proto_state *c = g_new0(proto_state, 1);
    c->accounts = g_array_copy(s->accounts);
    c->dirty_leaves = g_array_copy(s->dirty_leaves);
    c->burned = s->burned;
    c->minted = s->minted;
    c->base_fee = s->base_fee;
    c->keys = s->keys;
    c->keys->refs++;
    c->supply = s->supply;
    c->cap = s->cap;
    c->rebuild = s->rebuild;
    c->fast_hash = s->fast_hash;
    c->tree = g_memdup2(s->tree, 2 * (size_t)s->cap * sizeof(proto_hash));
    c->node_dirty = g_memdup2(s->node_dirty, 2 * (size_t)s->cap);
    c->modules = s->modules;
    for (uint32_t i = 0; i < s->modules->count; i++) {
        c->slots[i] = s->slots[i];
        if (s->slots[i].state != NULL)
            c->slots[i].state = s->modules->modules[i]->copy(s->slots[i].state);
    }
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
    keys_unref(s->keys);
    g_free(s->tree);
    g_free(s->node_dirty);
    for (uint32_t i = 0; i < s->modules->count; i++) {
        if (s->slots[i].state != NULL)
            s->modules->modules[i]->free(s->slots[i].state);
    }
    g_free(s);
}

/* Put a new account into the key table: a private table of its own
 * first (copies share theirs), rebuilt at twice the size when half full. */
static void state_index_key(proto_state *s, uint32_t index)
{
    state_keys *k = s->keys;
    if (k->refs > 1 || 2 * ((size_t)k->used + 1) > k->cap) {
        uint32_t cap = k->cap;
        while (2 * ((size_t)k->used + 1) > cap) {
            g_assert(cap <= UINT32_MAX / 2);
            cap *= 2;
        }
        state_keys *fresh = keys_new(cap);
        for (uint32_t i = 0; i < index; i++)
            keys_insert(fresh, s->accounts, i);
        keys_unref(k);
        s->keys = fresh;
    }
    keys_insert(s->keys, s->accounts, index);
}

uint32_t proto_state_account_by_key(const proto_state *s, const proto_pubkey *pk)
{
    const state_keys *k = s->keys;
    uint32_t h = keys_home(k, pk);
    while (k->slots[h] != 0) {
        uint32_t index = k->slots[h] - 1;
        if (proto_pubkey_equal(&proto_state__acct(s, index)->pk, pk))
            return index;
        h = (h + 1) & (k->cap - 1);
    }
    return PROTO_ACCOUNT_NONE;
}

/* Genesis balances come from a scenario the caller has validated: a total
 * supply that does not fit in u64 is the caller's bug. */
uint32_t proto_state_add_account(proto_state *s, const proto_pubkey *pk, uint64_t balance)
{
    proto_state__assert_private(s);
    g_assert(s->accounts->len < UINT32_MAX);
    g_assert(balance <= UINT64_MAX - s->supply);
    s->supply += balance;
    proto_account a = {.pk = *pk, .balance = balance, .nonce = 0};
    g_array_append_val(s->accounts, a);
    uint32_t index = s->accounts->len - 1;
    state_index_key(s, index);
    if (s->accounts->len > s->cap) {
        g_assert(s->cap <= UINT32_MAX / 2);
        proto_state__alloc_tree(s, s->cap * 2);
    } else {
        proto_state__mark_dirty(s, index);
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
    return index < s->accounts->len ? proto_state__acct(s, index) : NULL;
}

uint64_t proto_state_burned(const proto_state *s)
{
    return s->burned;
}

uint64_t proto_state_minted(const proto_state *s)
{
    return s->minted;
}

uint64_t proto_state_base_fee(const proto_state *s)
{
    return s->base_fee;
}

void proto_state_set_base_fee(proto_state *s, uint64_t base_fee, proto_undo *undo)
{
    proto_state__assert_private(s);
    if (undo != NULL && !undo->base_fee_saved) {
        g_assert(undo->entries != NULL);
        undo->base_fee_before = s->base_fee;
        undo->base_fee_saved = true;
    }
    s->base_fee = base_fee;
}

/* Recomputed from the balances (not the cached genesis supply) so that an
 * invariant checker comparing it with the genesis total tests something.
 * Minted tokens sit in balances or modules; subtracting them keeps the
 * sum at the genesis supply (they never exceed what they were added to). */
uint64_t proto_state_total_supply(const proto_state *s)
{
    uint64_t total = s->burned;
    for (uint32_t i = 0; i < s->accounts->len; i++) {
        total += proto_state__acct(s, i)->balance;
    }
    for (uint32_t i = 0; i < s->modules->count; i++) {
        const proto_module *m = s->modules->modules[i];
        if (s->slots[i].state != NULL && m->supply != NULL) {
            total += m->supply(s->slots[i].state);
        }
    }
    g_assert(total >= s->minted);
    return total - s->minted;
}

uint64_t proto_state_supply_existing(const proto_state *s)
{
    g_assert(s->supply >= s->burned);
    return s->supply - s->burned;
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

proto_account *proto_state_account_mut(proto_state *s, uint32_t index, proto_undo *undo)
{
    proto_state__assert_private(s);
    g_assert(index < s->accounts->len);
    proto_account *a = proto_state__acct(s, index);
    if (undo != NULL) {
        undo_save_burned(undo, s);
        proto_undo_entry e = {.index = index, .balance = a->balance, .nonce = a->nonce};
        g_array_append_val(undo->entries, e);
    }
    proto_state__mark_dirty(s, index);
    return a;
}

/* ---- undo ---- */

void proto_undo_init(proto_undo *u)
{
    u->entries = g_array_new(FALSE, FALSE, sizeof(proto_undo_entry));
    u->records = NULL;
    u->burned_before = 0;
    u->burned_saved = false;
    u->minted_before = 0;
    u->minted_saved = false;
    u->base_fee_before = 0;
    u->base_fee_saved = false;
    u->scope_floor = 0;
}

static void undo_record_free(proto_undo_record *r)
{
    if (r->data != NULL && r->free != NULL) {
        r->free(r->data);
    }
    r->data = NULL;
}

static void undo_records_drop(proto_undo *u)
{
    if (u->records == NULL) {
        return;
    }
    for (guint i = 0; i < u->records->len; i++) {
        undo_record_free(&g_array_index(u->records, proto_undo_record, i));
    }
    g_array_set_size(u->records, 0);
}

void proto_undo_clear(proto_undo *u)
{
    if (u->entries != NULL) {
        g_array_unref(u->entries);
        u->entries = NULL;
    }
    if (u->records != NULL) {
        undo_records_drop(u);
        g_array_unref(u->records);
        u->records = NULL;
    }
    u->burned_before = 0;
    u->burned_saved = false;
    u->minted_before = 0;
    u->minted_saved = false;
    u->base_fee_before = 0;
    u->base_fee_saved = false;
    u->scope_floor = 0;
}

void proto_undo_push(proto_undo *u, const proto_undo_record *r)
{
    g_assert(r->restore != NULL);
    if (u == NULL) {
        proto_undo_record dropped = *r;
        undo_record_free(&dropped);
        return;
    }
    g_assert(u->entries != NULL && u->entries->len <= UINT32_MAX);
    if (u->records == NULL) {
        u->records = g_array_new(FALSE, FALSE, sizeof(proto_undo_record));
    }
    proto_undo_record copy = *r;
    copy.accounts_mark = u->entries->len;
    g_array_append_val(u->records, copy);
}

bool proto_undo_has(const proto_undo *u, uint32_t module_id, proto_undo_restore_fn restore)
{
    if (u == NULL || u->records == NULL) {
        return false;
    }
    for (guint i = u->scope_floor; i < u->records->len; i++) {
        const proto_undo_record *r = &g_array_index(u->records, proto_undo_record, i);
        if (r->module_id == module_id && r->restore == restore) {
            return true;
        }
    }
    return false;
}

guint proto_undo_scope_open(proto_undo *u)
{
    guint outer = u->scope_floor;
    u->scope_floor = u->records != NULL ? u->records->len : 0;
    return outer;
}

/* A revert inside the scope may have dropped records below the floor's
 * old value; the outer floor is never above what remains. */
void proto_undo_scope_close(proto_undo *u, guint outer)
{
    guint records = u->records != NULL ? u->records->len : 0;
    u->scope_floor = MIN(outer, records);
}

uint32_t proto_undo_records_count(const proto_undo *u)
{
    return u->records != NULL ? u->records->len : 0;
}

static state_slot *state_slot_of(proto_state *s, uint32_t id)
{
    for (uint32_t i = 0; i < s->modules->count; i++) {
        if (s->modules->modules[i]->id == id) {
            return &s->slots[i];
        }
    }
    return NULL;
}

static inline void revert_entry(proto_state *s, const proto_undo_entry *e)
{
    g_assert(e->index < s->accounts->len);
    proto_account *a = proto_state__acct(s, e->index);
    a->balance = e->balance;
    a->nonce = e->nonce;
    proto_state__mark_dirty(s, e->index);
}

static void revert_record(proto_state *s, proto_undo_record *r)
{
    state_slot *slot = state_slot_of(s, r->module_id);
    g_assert(slot != NULL);
    r->restore(s, r);
    slot->root_valid = false;
    undo_record_free(r);
}

/* Account entries and module records down to the mark, newest first: a
 * record with accounts_mark m came after entries [0, m), so it is
 * replayed once those above m are. */
static void revert_merged(proto_state *s, proto_undo *undo, guint entries_mark,
                          guint records_mark)
{
    guint i = undo->entries->len;
    guint j = undo->records != NULL ? undo->records->len : 0;
    g_assert(i >= entries_mark && j >= records_mark);
    while (i > entries_mark || j > records_mark) {
        proto_undo_record *r = j > records_mark
                                   ? &g_array_index(undo->records, proto_undo_record, j - 1)
                                   : NULL;
        if (r != NULL && r->accounts_mark >= i) {
            revert_record(s, r);
            j--;
        } else {
            revert_entry(s, &g_array_index(undo->entries, proto_undo_entry, i - 1));
            i--;
        }
    }
    g_array_set_size(undo->entries, entries_mark);
    if (undo->records != NULL)
        g_array_set_size(undo->records, records_mark);
}

/* burned_before and base_fee_before were taken at the first change, so a
 * log that never touched them restores nothing there. */
void proto_state_revert(proto_state *s, proto_undo *undo)
{
    proto_state__assert_private(s);
    g_assert(undo->entries != NULL);
    revert_merged(s, undo, 0, 0);
    if (undo->burned_saved)
        s->burned = undo->burned_before;
    if (undo->minted_saved) {
        g_assert(s->minted >= undo->minted_before);
        s->supply -= s->minted - undo->minted_before;
        s->minted = undo->minted_before;
    }
    if (undo->base_fee_saved)
        s->base_fee = undo->base_fee_before;
    undo->burned_before = 0;
    undo->burned_saved = false;
    undo->minted_before = 0;
    undo->minted_saved = false;
    undo->base_fee_before = 0;
    undo->base_fee_saved = false;
    undo->scope_floor = 0;
}

proto_undo_mark proto_undo_mark_now(const proto_undo *undo, const proto_state *s)
{
    g_assert(undo->entries != NULL);
    return (proto_undo_mark){.entries = undo->entries->len,
                             .records = undo->records != NULL ? undo->records->len : 0,
                             .burned = s->burned,
                             .minted = s->minted,
                             .base_fee = s->base_fee};
}

/* What the log's first-change fields saved stays saved: they describe
 * the state before the whole log, which a partial revert does not reach. */
void proto_state_revert_to(proto_state *s, proto_undo *undo, const proto_undo_mark *mark)
{
    proto_state__assert_private(s);
    revert_merged(s, undo, mark->entries, mark->records);
    undo->scope_floor = MIN(undo->scope_floor, mark->records);
    s->burned = mark->burned;
    g_assert(s->minted >= mark->minted);
    s->supply -= s->minted - mark->minted;
    s->minted = mark->minted;
    s->base_fee = mark->base_fee;
}

/* The caller has taken amount out of a balance or a module's tokens, so
 * the sum stays within the supply, which fits in u64. */
void proto_state_burn(proto_state *s, uint64_t amount, proto_undo *undo)
{
    proto_state__assert_private(s);
    if (undo != NULL) {
        undo_save_burned(undo, s);
    }
    g_assert(amount <= UINT64_MAX - s->burned);
    s->burned += amount;
}

/* The supply cache grows with the new tokens, so the u64 bound that keeps
 * every credit from overflowing still holds. */
void proto_state_mint(proto_state *s, uint64_t amount, proto_undo *undo)
{
    proto_state__assert_private(s);
    if (undo != NULL) {
        g_assert(undo->entries != NULL);
        if (!undo->minted_saved) {
            undo->minted_before = s->minted;
            undo->minted_saved = true;
        }
    }
    g_assert(amount <= UINT64_MAX - s->supply);
    s->supply += amount;
    s->minted += amount;
}

/* ---- module slots ---- */

const proto_module_set *proto_state_modules(const proto_state *s)
{
    return s->modules;
}

/* The supply counter stays balances + burned + module tokens: the old
 * state's tokens leave it, the new state's join it. */
void proto_state_module_attach(proto_state *s, uint32_t id, void *state)
{
    proto_state__assert_private(s);
    const proto_module *m = proto_module_set_find(s->modules, id);
    g_assert(m != NULL && m->copy != NULL); /* a module that keeps state */
    state_slot *slot = state_slot_of(s, id);
    if (slot->state != NULL) {
        if (m->supply != NULL) {
            s->supply -= m->supply(slot->state);
        }
        m->free(slot->state);
    }
    slot->state = state;
    slot->root_valid = false;
    if (state == NULL) {
        return;
    }
    uint64_t tokens = m->supply != NULL ? m->supply(state) : 0;
    g_assert(tokens <= UINT64_MAX - s->supply); /* total supply must fit in u64 */
    s->supply += tokens;
    if (m->genesis != NULL) {
        m->genesis(s, state);
    }
}

const void *proto_state_module(const proto_state *s, uint32_t id)
{
    const state_slot *slot = state_slot_of((proto_state *)s, id); /* read only */
    return slot != NULL ? slot->state : NULL;
}

void *proto_state_module_mut(proto_state *s, uint32_t id)
{
    proto_state__assert_private(s);
    state_slot *slot = state_slot_of(s, id);
    g_assert(slot != NULL && slot->state != NULL);
    slot->root_valid = false;
    return slot->state;
}

void *proto_state_module_swap(proto_state *s, uint32_t id, void *state)
{
    proto_state__assert_private(s);
    state_slot *slot = state_slot_of(s, id);
    g_assert(slot != NULL);
    void *old = slot->state;
    slot->state = state;
    slot->root_valid = false;
    return old;
}
