/* EIP-1559 fee-market transaction pool (txpool.h says what and why; this
 * file says how).
 *
 * Storage: each entry is one allocation holding the tx by value, its id,
 * and the list node of the take_stale queue. Four structures point at it:
 *
 *   by_id     GHashTable, content-keyed by the 32-byte id: dedupe and
 *             removal. Only looked up, never iterated, so its order cannot
 *             reach a result. Frees the entries when the pool goes.
 *   senders   GHashTable from sender index to that sender's txs, a
 *             GPtrArray sorted by nonce (unique nonces). The table gives
 *             O(1) lookup (every admission and removal makes one); the
 *             walks that visit every sender (prune, the cursor's seed)
 *             first sort the senders by index (tp_senders_sorted), so no
 *             result depends on the table's layout. The array gives
 *             O(log per_sender_max) search, O(1) "next nonce" and cheap
 *             pruning of a prefix, at the price of moving up to
 *             per_sender_max pointers per insert or removal.
 *   by_price  GTree of entries in payer order (txpool.h), lowest first:
 *             the eviction candidate in O(log count). The order is total
 *             because arrival sequence numbers are unique.
 *   fresh     GQueue of the entries take_stale has not handed out, oldest
 *             first. take_stale hands out a prefix of it and new entries
 *             join at the tail, so handed-out entries never need walking.
 *
 * The cursor is a binary max-heap (GArray) of one head per sender, keyed
 * by (effective tip descending, arrival sequence ascending). That key is
 * a strict total order, so the sequence the cursor yields does not depend
 * on the heap's layout or on how it was built. Every change to the pool
 * bumps a version number that the cursor checks, so a cursor can never
 * read a pool that changed under it. */
#include "protocol/chain/txpool.h"

#include <string.h>

typedef struct tp_entry {
    proto_txenv tx;
    proto_hash id;    /* key of by_id */
    uint32_t sender;  /* account index */
    uint64_t tick;    /* the pool's clock at arrival */
    uint64_t seq;     /* arrival sequence number, unique in the pool's life */
    bool handed_out;  /* take_stale returned it: then it is not in fresh */
    GList fresh_link; /* node in fresh while !handed_out; data == this entry */
} tp_entry;

typedef struct tp_sender {
    uint32_t index;
    GPtrArray *txs; /* tp_entry*, nonces strictly ascending, 1..per_sender_max */
} tp_sender;

struct proto_txpool {
    proto_txpool_params params;
    uint64_t tick;     /* advanced by proto_txpool_tick */
    uint64_t seq_next; /* the next arrival's sequence number */
    uint64_t version;  /* bumped by every change a cursor could see */
    GHashTable *by_id; /* const proto_hash* (in the entry) -> tp_entry* (owned) */
    GHashTable *senders; /* GUINT_TO_POINTER(index) -> tp_sender* (owned) */
    GTree *by_price;   /* tp_entry* -> tp_entry*, lowest payer first */
    GQueue fresh;      /* entries not handed out yet, oldest first */
    proto_txpool_stats stats;
};

static const char *const result_names[PROTO_TXPOOL_RESULT_COUNT] = {
    [PROTO_TXPOOL_ADDED] = "added",
    [PROTO_TXPOOL_REPLACED] = "replaced",
    [PROTO_TXPOOL_DUPLICATE] = "duplicate",
    [PROTO_TXPOOL_UNDERPRICED_REPLACEMENT] = "underpriced_replacement",
    [PROTO_TXPOOL_STALE] = "stale",
    [PROTO_TXPOOL_SENDER_FULL] = "sender_full",
    [PROTO_TXPOOL_FULL] = "full",
};

const char *proto_txpool_result_name(proto_txpool_result r)
{
    return (unsigned)r < PROTO_TXPOOL_RESULT_COUNT ? result_names[r] : "unknown";
}

/* ---- orders ---- */

static int u64_cmp(uint64_t a, uint64_t b)
{
    return (a > b) - (a < b);
}

/* The fee fields alone: < 0 when a pays less than b. */
static int tp_price_cmp(const proto_txenv *a, const proto_txenv *b)
{
    int c = u64_cmp(a->max_priority_fee_per_gas, b->max_priority_fee_per_gas);
    return c != 0 ? c : u64_cmp(a->max_fee_per_gas, b->max_fee_per_gas);
}

/* Payer order for by_price: lowest payer first; among equal fee fields
 * the newer arrival is the lower payer. */
static gint tp_payer_cmp(gconstpointer a, gconstpointer b)
{
    const tp_entry *x = a;
    const tp_entry *y = b;
    int c = tp_price_cmp(&x->tx, &y->tx);
    return c != 0 ? c : u64_cmp(y->seq, x->seq);
}

static gint tp_sender_index_cmp(gconstpointer a, gconstpointer b)
{
    const tp_sender *x = *(const tp_sender *const *)a;
    const tp_sender *y = *(const tp_sender *const *)b;
    return u64_cmp(x->index, y->index);
}

/* ---- senders ---- */

static tp_entry *tp_at(const tp_sender *snd, guint pos)
{
    return g_ptr_array_index(snd->txs, pos);
}

/* Position of the first tx of snd whose nonce is >= nonce. */
static guint tp_lower_bound(const tp_sender *snd, uint64_t nonce)
{
    guint lo = 0;
    guint hi = snd->txs->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        if (tp_at(snd, mid)->tx.nonce < nonce)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static tp_sender *tp_sender_find(const proto_txpool *pool, uint32_t index)
{
    return g_hash_table_lookup(pool->senders, GUINT_TO_POINTER(index));
}

/* Every sender, by index (a walk in this order depends on nothing but the
 * pool's contents); the caller frees the array, not the senders. */
static GPtrArray *tp_senders_sorted(const proto_txpool *pool)
{
    GPtrArray *out = g_ptr_array_sized_new(g_hash_table_size(pool->senders));
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, pool->senders);
    while (g_hash_table_iter_next(&it, NULL, &value))
        g_ptr_array_add(out, value);
    g_ptr_array_sort(out, tp_sender_index_cmp);
    return out;
}

static void tp_sender_free(gpointer data)
{
    tp_sender *snd = data;
    g_ptr_array_unref(snd->txs);
    g_free(snd);
}

/* ---- life ---- */

proto_txpool *proto_txpool_new(const proto_txpool_params *p)
{
    g_assert(p->per_sender_max >= 1 && p->per_sender_max <= PROTO_TXPOOL_PER_SENDER_LIMIT);
    proto_txpool *pool = g_new0(proto_txpool, 1);
    pool->params = *p;
    pool->by_id = g_hash_table_new_full(proto_hash_ghash, proto_hash_gequal, NULL, g_free);
    pool->senders = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, tp_sender_free);
    pool->by_price = g_tree_new(tp_payer_cmp);
    g_queue_init(&pool->fresh);
    return pool;
}

void proto_txpool_free(proto_txpool *pool)
{
    if (pool == NULL)
        return;
    g_tree_unref(pool->by_price);
    g_hash_table_destroy(pool->senders);
    g_hash_table_unref(pool->by_id); /* frees the entries */
    g_free(pool);
}

uint32_t proto_txpool_count(const proto_txpool *pool)
{
    return g_hash_table_size(pool->by_id);
}

bool proto_txpool_contains(const proto_txpool *pool, const proto_hash *id)
{
    return g_hash_table_contains(pool->by_id, id);
}

proto_txpool_stats proto_txpool_stats_read(const proto_txpool *pool)
{
    return pool->stats;
}

/* ---- insertion and removal ---- */

static void tp_insert(proto_txpool *pool, const proto_txenv *tx, uint32_t sender,
                      const proto_hash *id)
{
    tp_sender *snd = tp_sender_find(pool, sender);
    if (snd == NULL) {
        snd = g_new0(tp_sender, 1);
        snd->index = sender;
        snd->txs = g_ptr_array_new();
        g_hash_table_insert(pool->senders, GUINT_TO_POINTER(sender), snd);
    }
    tp_entry *e = g_new0(tp_entry, 1);
    e->tx = *tx;
    e->id = *id;
    e->sender = sender;
    e->tick = pool->tick;
    e->seq = pool->seq_next++;
    e->fresh_link.data = e;
    guint pos = tp_lower_bound(snd, tx->nonce);
    g_assert(pos == snd->txs->len || tp_at(snd, pos)->tx.nonce != tx->nonce);
    g_ptr_array_insert(snd->txs, (gint)pos, e);
    g_queue_push_tail_link(&pool->fresh, &e->fresh_link);
    g_hash_table_insert(pool->by_id, &e->id, e);
    g_tree_insert(pool->by_price, e, e);
    pool->version++;
    g_assert(snd->txs->len <= pool->params.per_sender_max);
    g_assert(proto_txpool_count(pool) <= pool->params.entries_max);
}

/* Unlink e from everything but its sender's array, and free it. */
static void tp_entry_forget(proto_txpool *pool, tp_entry *e)
{
    gboolean found = g_tree_remove(pool->by_price, e);
    g_assert(found);
    if (!e->handed_out)
        g_queue_unlink(&pool->fresh, &e->fresh_link);
    found = g_hash_table_steal(pool->by_id, &e->id);
    g_assert(found);
    g_free(e);
    pool->version++;
}

/* Remove e from the pool entirely (and its sender, if it was the last). */
static void tp_entry_drop(proto_txpool *pool, tp_entry *e)
{
    uint32_t sender = e->sender;
    tp_sender *snd = tp_sender_find(pool, sender);
    g_assert(snd != NULL);
    guint pos = tp_lower_bound(snd, e->tx.nonce);
    g_assert(pos < snd->txs->len && tp_at(snd, pos) == e);
    g_ptr_array_remove_index(snd->txs, pos);
    tp_entry_forget(pool, e);
    if (snd->txs->len == 0)
        g_hash_table_remove(pool->senders, GUINT_TO_POINTER(sender));
}

bool proto_txpool_remove(proto_txpool *pool, const proto_hash *id)
{
    tp_entry *e = g_hash_table_lookup(pool->by_id, id);
    if (e == NULL)
        return false;
    tp_entry_drop(pool, e);
    pool->stats.removed++;
    return true;
}

/* ---- admission ---- */

/* fresh * 100 >= old * (100 + bump), exactly: both sides fit 128 bits. */
static bool tp_bumped(uint64_t old, uint64_t fresh, uint32_t bump_percent)
{
    unsigned __int128 lhs = (unsigned __int128)fresh * 100u;
    unsigned __int128 rhs = (unsigned __int128)old * (100u + (uint64_t)bump_percent);
    return lhs >= rhs;
}

static proto_txpool_result tp_replace(proto_txpool *pool, tp_entry *old, const proto_txenv *tx,
                                      const proto_hash *id, proto_txpool_drop *drop)
{
    uint32_t bump = pool->params.price_bump_percent;
    if (!tp_bumped(old->tx.max_fee_per_gas, tx->max_fee_per_gas, bump) ||
        !tp_bumped(old->tx.max_priority_fee_per_gas, tx->max_priority_fee_per_gas, bump))
        return PROTO_TXPOOL_UNDERPRICED_REPLACEMENT;
    uint32_t sender = old->sender;
    drop->has_id = true;
    drop->id = old->id;
    tp_entry_drop(pool, old);
    tp_insert(pool, tx, sender, id);
    return PROTO_TXPOOL_REPLACED;
}

static gboolean tp_first_cb(gpointer key, gpointer value, gpointer data)
{
    *(tp_entry **)data = value;
    return TRUE; /* stop at the first */
}

/* The lowest payer; the pool is not empty. */
static tp_entry *tp_lowest(const proto_txpool *pool)
{
    tp_entry *low = NULL;
    g_tree_foreach(pool->by_price, tp_first_cb, &low);
    g_assert(low != NULL);
    return low;
}

/* Who goes to make room: the highest-nonce tx of the lowest payer's
 * sender that pays exactly what the lowest payer pays (the lowest payer
 * itself if none above it does), so an eviction opens no gap when it can
 * avoid one at the same price. O(per_sender_max). */
static tp_entry *tp_victim(const proto_txpool *pool, tp_entry *low)
{
    const tp_sender *snd = tp_sender_find(pool, low->sender);
    guint low_pos = tp_lower_bound(snd, low->tx.nonce);
    for (guint pos = snd->txs->len - 1; pos > low_pos; pos--) {
        tp_entry *e = tp_at(snd, pos);
        if (tp_price_cmp(&e->tx, &low->tx) == 0)
            return e;
    }
    return low;
}

/* The pool is full: evict for tx if it pays more than the lowest payer
 * and the victim is not one of its own sender's lower nonces (which would
 * leave tx behind a gap of its own making). False: tx is refused. */
static bool tp_make_room(proto_txpool *pool, const proto_txenv *tx, uint32_t sender,
                         proto_txpool_drop *drop)
{
    if (proto_txpool_count(pool) == 0)
        return false; /* entries_max == 0 */
    tp_entry *low = tp_lowest(pool);
    if (tp_price_cmp(tx, &low->tx) <= 0)
        return false;
    tp_entry *victim = tp_victim(pool, low);
    if (victim->sender == sender && victim->tx.nonce < tx->nonce)
        return false;
    drop->has_id = true;
    drop->id = victim->id;
    tp_entry_drop(pool, victim);
    pool->stats.evicted++;
    return true;
}

static proto_txpool_result tp_admit(proto_txpool *pool, const proto_txenv *tx, uint32_t sender,
                                    const proto_hash *id, const proto_state *s,
                                    proto_txpool_drop *drop)
{
    if (g_hash_table_contains(pool->by_id, id))
        return PROTO_TXPOOL_DUPLICATE;
    const proto_account *acct = proto_state_account(s, sender);
    if (acct == NULL || tx->nonce < acct->nonce)
        return PROTO_TXPOOL_STALE;
    const tp_sender *snd = tp_sender_find(pool, sender);
    if (snd != NULL) {
        guint pos = tp_lower_bound(snd, tx->nonce);
        if (pos < snd->txs->len && tp_at(snd, pos)->tx.nonce == tx->nonce)
            return tp_replace(pool, tp_at(snd, pos), tx, id, drop);
        if (snd->txs->len >= pool->params.per_sender_max)
            return PROTO_TXPOOL_SENDER_FULL;
    }
    if (proto_txpool_count(pool) >= pool->params.entries_max &&
        !tp_make_room(pool, tx, sender, drop))
        return PROTO_TXPOOL_FULL;
    tp_insert(pool, tx, sender, id);
    return PROTO_TXPOOL_ADDED;
}

proto_txpool_result proto_txpool_add(proto_txpool *pool, const proto_txenv *tx, uint32_t sender,
                                     const proto_hash *id, const proto_state *s,
                                     proto_txpool_drop *drop)
{
    /* The decoder refuses a tip above the cap and an overflowing fee. */
    g_assert(!proto_fee_tx_check_is_invalid(proto_fee_check_tx(
        0, tx->gas_limit, tx->max_fee_per_gas, tx->max_priority_fee_per_gas, NULL)));
    proto_txpool_drop unused;
    if (drop == NULL)
        drop = &unused;
    memset(drop, 0, sizeof *drop);
    proto_txpool_result r = tp_admit(pool, tx, sender, id, s, drop);
    uint64_t *counters[PROTO_TXPOOL_RESULT_COUNT] = {
        [PROTO_TXPOOL_ADDED] = &pool->stats.added,
        [PROTO_TXPOOL_REPLACED] = &pool->stats.replaced,
        [PROTO_TXPOOL_DUPLICATE] = &pool->stats.duplicate,
        [PROTO_TXPOOL_UNDERPRICED_REPLACEMENT] = &pool->stats.underpriced,
        [PROTO_TXPOOL_STALE] = &pool->stats.stale,
        [PROTO_TXPOOL_SENDER_FULL] = &pool->stats.sender_full,
        [PROTO_TXPOOL_FULL] = &pool->stats.full,
    };
    (*counters[r])++;
    return r;
}

/* ---- pruning ---- */

/* Drop snd's txs whose nonce s has passed (all of them if s has no such
 * account); leaves snd in the tree even if empty. O(1) when none. */
static uint32_t tp_sender_prune(proto_txpool *pool, tp_sender *snd, const proto_state *s)
{
    const proto_account *acct = proto_state_account(s, snd->index);
    if (acct != NULL && tp_at(snd, 0)->tx.nonce >= acct->nonce)
        return 0;
    guint passed = acct == NULL ? snd->txs->len : tp_lower_bound(snd, acct->nonce);
    for (guint pos = 0; pos < passed; pos++)
        tp_entry_forget(pool, tp_at(snd, pos));
    g_ptr_array_remove_range(snd->txs, 0, passed);
    pool->stats.pruned += passed;
    return passed;
}

uint32_t proto_txpool_prune(proto_txpool *pool, const proto_state *s)
{
    uint32_t dropped = 0;
    GPtrArray *senders = tp_senders_sorted(pool);
    for (guint i = 0; i < senders->len; i++) {
        tp_sender *snd = senders->pdata[i];
        dropped += tp_sender_prune(pool, snd, s);
        if (snd->txs->len == 0)
            g_hash_table_remove(pool->senders, GUINT_TO_POINTER(snd->index)); /* frees snd */
    }
    g_ptr_array_unref(senders);
    return dropped;
}

uint32_t proto_txpool_prune_senders(proto_txpool *pool, const proto_state *s,
                                    const uint32_t *senders, uint32_t count)
{
    uint32_t dropped = 0;
    for (uint32_t i = 0; i < count; i++) {
        tp_sender *snd = tp_sender_find(pool, senders[i]);
        if (snd == NULL)
            continue;
        dropped += tp_sender_prune(pool, snd, s);
        if (snd->txs->len == 0)
            g_hash_table_remove(pool->senders, GUINT_TO_POINTER(senders[i]));
    }
    return dropped;
}

/* ---- re-gossip ---- */

void proto_txpool_tick(proto_txpool *pool)
{
    pool->tick++;
}

/* fresh is in arrival order, hence tick order: stop at the first entry
 * too young. Ticks never run ahead of the pool's, so no subtraction here
 * can wrap. */
void proto_txpool_take_stale(proto_txpool *pool, uint64_t min_ticks, uint32_t max, GArray *out)
{
    g_assert(g_array_get_element_size(out) == sizeof(proto_txpool_tx));
    for (uint32_t taken = 0; taken < max && pool->fresh.head != NULL; taken++) {
        tp_entry *e = pool->fresh.head->data;
        g_assert(e->tick <= pool->tick);
        if (pool->tick - e->tick < min_ticks)
            break;
        g_queue_unlink(&pool->fresh, &e->fresh_link);
        e->handed_out = true;
        g_array_set_size(out, out->len + 1);
        proto_txpool_tx *item = &g_array_index(out, proto_txpool_tx, out->len - 1);
        item->tx = e->tx;
        item->sender = e->sender;
    }
}

/* ---- block-building cursor ---- */

/* One sender's current head in the cursor's heap. */
typedef struct tp_head {
    const tp_entry *e;
    const tp_sender *snd;
    guint pos;    /* e's position in snd->txs */
    uint64_t tip; /* effective tip under the cursor's base fee */
} tp_head;

/* The cursor's order: higher effective tip, then earlier arrival. */
static bool tp_head_before(const tp_head *a, const tp_head *b)
{
    if (a->tip != b->tip)
        return a->tip > b->tip;
    return a->e->seq < b->e->seq;
}

/* snd's tx at pos as a head, unless it waits for a lower base fee. */
static bool tp_head_make(const proto_txpool_cursor *c, const tp_sender *snd, guint pos,
                         tp_head *out)
{
    const tp_entry *e = tp_at(snd, pos);
    uint64_t tip = 0;
    if (proto_fee_check_tx(c->base_fee, e->tx.gas_limit, e->tx.max_fee_per_gas,
                           e->tx.max_priority_fee_per_gas, &tip) != PROTO_FEE_TX_OK)
        return false;
    *out = (tp_head){.e = e, .snd = snd, .pos = pos, .tip = tip};
    return true;
}

static void tp_heap_sift_down(GArray *heap, guint at)
{
    tp_head *h = (tp_head *)(void *)heap->data;
    for (;;) {
        guint best = at;
        guint left = 2 * at + 1;
        guint right = left + 1;
        if (left < heap->len && tp_head_before(&h[left], &h[best]))
            best = left;
        if (right < heap->len && tp_head_before(&h[right], &h[best]))
            best = right;
        if (best == at)
            return;
        tp_head swap = h[at];
        h[at] = h[best];
        h[best] = swap;
        at = best;
    }
}

/* Push snd's head: its tx at the state's nonce, if it is there and does
 * not wait. */
static void tp_seed(proto_txpool_cursor *c, const tp_sender *snd, const proto_state *s)
{
    const proto_account *acct = proto_state_account(s, snd->index);
    if (acct == NULL)
        return;
    guint pos = tp_lower_bound(snd, acct->nonce);
    tp_head head;
    if (pos < snd->txs->len && tp_at(snd, pos)->tx.nonce == acct->nonce &&
        tp_head_make(c, snd, pos, &head))
        g_array_append_val(c->heap, head);
}

void proto_txpool_cursor_init(proto_txpool_cursor *c, const proto_txpool *pool,
                              const proto_state *s, uint64_t base_fee)
{
    GPtrArray *senders = tp_senders_sorted(pool);
    c->pool = pool;
    c->base_fee = base_fee;
    c->pool_version = pool->version;
    c->heap = g_array_sized_new(FALSE, FALSE, sizeof(tp_head), senders->len);
    for (guint i = 0; i < senders->len; i++)
        tp_seed(c, senders->pdata[i], s);
    g_ptr_array_unref(senders);
    for (guint at = c->heap->len / 2; at-- > 0;)
        tp_heap_sift_down(c->heap, at);
}

void proto_txpool_cursor_clear(proto_txpool_cursor *c)
{
    if (c->heap != NULL)
        g_array_unref(c->heap);
    memset(c, 0, sizeof *c);
}

static void tp_cursor_check(const proto_txpool_cursor *c)
{
    g_assert(c->heap != NULL);
    g_assert(c->pool->version == c->pool_version); /* the pool changed under the cursor */
}

const proto_txenv *proto_txpool_cursor_peek(const proto_txpool_cursor *c, uint32_t *sender,
                                            proto_hash *id, uint64_t *effective_tip)
{
    tp_cursor_check(c);
    if (c->heap->len == 0)
        return NULL;
    const tp_head *top = &g_array_index(c->heap, tp_head, 0);
    if (sender != NULL)
        *sender = top->e->sender;
    if (id != NULL)
        *id = top->e->id;
    if (effective_tip != NULL)
        *effective_tip = top->tip;
    return &top->e->tx;
}

/* Take the top out of the heap. */
static void tp_heap_pop(GArray *heap)
{
    g_assert(heap->len > 0);
    g_array_index(heap, tp_head, 0) = g_array_index(heap, tp_head, heap->len - 1);
    g_array_set_size(heap, heap->len - 1);
    tp_heap_sift_down(heap, 0);
}

void proto_txpool_cursor_shift(proto_txpool_cursor *c)
{
    tp_cursor_check(c);
    g_assert(c->heap->len > 0);
    tp_head *top = &g_array_index(c->heap, tp_head, 0);
    const tp_sender *snd = top->snd;
    guint next = top->pos + 1;
    /* Nonces are strictly ascending, so "the next one" is the next slot,
     * if it holds exactly nonce + 1 (no wrap: a larger nonce exists). */
    if (next < snd->txs->len && tp_at(snd, next)->tx.nonce == top->e->tx.nonce + 1 &&
        tp_head_make(c, snd, next, top)) {
        tp_heap_sift_down(c->heap, 0);
        return;
    }
    tp_heap_pop(c->heap);
}

void proto_txpool_cursor_pop(proto_txpool_cursor *c)
{
    tp_cursor_check(c);
    tp_heap_pop(c->heap);
}
