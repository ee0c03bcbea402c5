/* Bounded transaction pool: arrival order, dedupe by tx id, nonce-ordered
 * block selection.
 *
 * Storage: each entry is one allocation holding the tx, its hash and the
 * GList node that links it into the arrival queue, so add and remove are
 * O(1) with no tombstones. A GHashTable keyed by the 32-byte tx hash
 * (content hash/equal, the key points into the entry) finds entries for
 * dedupe and removal; it is only looked up, never iterated, so hash-table
 * order cannot reach any result.
 *
 * Selection (proto_mempool_select) walks the queue in arrival order over
 * a "shadow" of the accounts it touches (running nonce and balance,
 * initialised from the state on first touch), applying exactly the
 * non-signature rules of proto_state_apply_tx: a tx is taken when its
 * nonce is the sender's next one and the sender can pay amount + fee;
 * the recipient is credited. A tx that is ahead of its sender's nonce, or
 * not affordable yet, is parked in a per-selection table keyed by (sender,
 * nonce); whenever a take changes an account (the sender's nonce, the
 * recipient's balance) the parked tx for that account's next nonce is
 * retried. So a sender whose txs arrived out of nonce order still gets
 * them all into one block, in nonce order, and a gap holds back only that
 * sender. The result, applied in order to the state, always succeeds
 * (signatures were checked on admission). Work is O(pool size) plus
 * O(1) per take; the first parked tx for a (sender, nonce) wins over later
 * conflicting ones, which keeps the choice deterministic. */
#include "protocol/chain/mempool.h"

#include <string.h>

typedef struct mp_entry {
    proto_tx tx;
    proto_hash hash; /* key of by_hash */
    GList link;      /* node in arrival; link.data == this entry */
    uint64_t tick;   /* the pool's clock when it arrived */
    bool handed_out; /* proto_mempool_take_stale returned it already */
} mp_entry;

/* proto_mempool_take_stale looks at no more entries than this per call,
 * so a large backlog costs a bounded walk. */
#define MP_STALE_WALK_MAX 8192

struct proto_mempool {
    uint32_t entries_max;
    uint64_t tick;       /* advanced by proto_mempool_tick */
    GHashTable *by_hash; /* const proto_hash* (in the entry) -> mp_entry* */
    GQueue arrival;      /* entries, oldest first */
};

proto_mempool *proto_mempool_new(uint32_t entries_max)
{
    proto_mempool *m = g_new0(proto_mempool, 1);
    m->entries_max = entries_max;
    m->by_hash = g_hash_table_new(proto_hash_ghash, proto_hash_gequal);
    g_queue_init(&m->arrival);
    return m;
}

void proto_mempool_free(proto_mempool *m)
{
    if (m == NULL) {
        return;
    }
    GList *link = m->arrival.head;
    while (link != NULL) {
        GList *next = link->next;
        g_free(link->data);
        link = next;
    }
    g_hash_table_unref(m->by_hash);
    g_free(m);
}

uint32_t proto_mempool_count(const proto_mempool *m)
{
    return m->arrival.length;
}

bool proto_mempool_contains(const proto_mempool *m, const proto_hash *tx_hash)
{
    return g_hash_table_contains(m->by_hash, tx_hash);
}

/* A tx that no state reachable from s can accept: unknown or identical
 * accounts (see state.c), or a nonce the sender has already used. */
static bool mp_tx_stale(const proto_tx *tx, const proto_state *s)
{
    uint32_t count = proto_state_account_count(s);
    if (tx->from >= count || tx->to >= count || tx->from == tx->to) {
        return true;
    }
    return tx->nonce < proto_state_account(s, tx->from)->nonce;
}

/* STALE also covers txs whose account indexes can never be valid. */
proto_mempool_result proto_mempool_add(proto_mempool *m, const proto_tx *tx,
                                       const proto_hash *tx_hash, const proto_state *s)
{
    if (g_hash_table_contains(m->by_hash, tx_hash)) {
        return PROTO_MEMPOOL_DUPLICATE;
    }
    if (mp_tx_stale(tx, s)) {
        return PROTO_MEMPOOL_STALE;
    }
    if (m->arrival.length >= m->entries_max) {
        return PROTO_MEMPOOL_FULL;
    }
    mp_entry *e = g_new0(mp_entry, 1);
    e->tick = m->tick;
    e->tx = *tx;
    e->hash = *tx_hash;
    e->link.data = e;
    g_queue_push_tail_link(&m->arrival, &e->link);
    g_hash_table_insert(m->by_hash, &e->hash, e);
    g_assert(m->arrival.length <= m->entries_max);
    return PROTO_MEMPOOL_ADDED;
}

static void mp_entry_drop(proto_mempool *m, mp_entry *e)
{
    g_hash_table_remove(m->by_hash, &e->hash);
    g_queue_unlink(&m->arrival, &e->link);
    g_free(e);
}

void proto_mempool_remove(proto_mempool *m, const proto_hash *tx_hash)
{
    mp_entry *e = g_hash_table_lookup(m->by_hash, tx_hash);
    if (e != NULL) {
        mp_entry_drop(m, e);
    }
}

/* ---- selection ---- */

/* Running view of one account during a selection. */
typedef struct mp_shadow {
    uint64_t balance;
    uint64_t nonce;
} mp_shadow;

typedef struct mp_select {
    const proto_state *s;
    GHashTable *shadows; /* account index + 1 -> mp_shadow* (owned) */
    GHashTable *parked;  /* const proto_tx* (from, nonce) -> mp_entry* */
    GArray *retry;       /* uint32_t accounts whose parked tx may now fit */
    GArray *out;
    uint32_t txs_max;
} mp_select;

/* Parked txs are keyed by (from, nonce) only. */
static guint mp_park_hash(gconstpointer key)
{
    const proto_tx *tx = key;
    uint64_t h = tx->nonce * UINT64_C(0x9E3779B97F4A7C15) ^ tx->from;
    return (guint)(h ^ (h >> 32));
}

static gboolean mp_park_equal(gconstpointer a, gconstpointer b)
{
    const proto_tx *x = a;
    const proto_tx *y = b;
    return x->from == y->from && x->nonce == y->nonce;
}

static mp_shadow *mp_shadow_get(mp_select *sel, uint32_t index)
{
    gpointer key = GUINT_TO_POINTER(index + 1u);
    mp_shadow *sh = g_hash_table_lookup(sel->shadows, key);
    if (sh == NULL) {
        const proto_account *a = proto_state_account(sel->s, index);
        g_assert(a != NULL); /* indexes were checked by mp_tx_stale */
        sh = g_new(mp_shadow, 1);
        sh->balance = a->balance;
        sh->nonce = a->nonce;
        g_hash_table_insert(sel->shadows, key, sh);
    }
    return sh;
}

static bool mp_can_take(mp_select *sel, const proto_tx *tx)
{
    const mp_shadow *from = mp_shadow_get(sel, tx->from);
    if (tx->nonce != from->nonce) {
        return false;
    }
    return tx->amount <= UINT64_MAX - tx->fee && tx->amount + tx->fee <= from->balance;
}

static void mp_take(mp_select *sel, const proto_tx *tx)
{
    mp_shadow *from = mp_shadow_get(sel, tx->from);
    mp_shadow *to = mp_shadow_get(sel, tx->to);
    from->balance -= tx->amount + tx->fee;
    from->nonce++;
    g_assert(to->balance <= UINT64_MAX - tx->amount); /* supply fits in u64 */
    to->balance += tx->amount;
    g_array_append_val(sel->out, *tx);
    g_array_append_val(sel->retry, tx->from);
    g_array_append_val(sel->retry, tx->to);
}

/* Take parked txs that the last takes made valid, transitively. */
static void mp_drain_retry(mp_select *sel)
{
    while (sel->retry->len > 0 && sel->out->len < sel->txs_max) {
        uint32_t acct = g_array_index(sel->retry, uint32_t, sel->retry->len - 1);
        g_array_set_size(sel->retry, sel->retry->len - 1);
        proto_tx probe = {.from = acct, .nonce = mp_shadow_get(sel, acct)->nonce};
        mp_entry *e = g_hash_table_lookup(sel->parked, &probe);
        if (e != NULL && mp_can_take(sel, &e->tx)) {
            g_hash_table_remove(sel->parked, &probe);
            mp_take(sel, &e->tx);
        }
    }
    g_array_set_size(sel->retry, 0);
}

/* Consider one entry in arrival order: drop, take or park it. */
static void mp_select_visit(proto_mempool *m, mp_select *sel, mp_entry *e)
{
    if (mp_tx_stale(&e->tx, sel->s)) {
        mp_entry_drop(m, e);
        return;
    }
    if (mp_can_take(sel, &e->tx)) {
        mp_take(sel, &e->tx);
        mp_drain_retry(sel);
        return;
    }
    /* Ahead of the sender, or not affordable yet: park the first one per
     * (sender, nonce). A nonce below the running one lost to a conflicting
     * tx already taken; it stays in the pool and goes stale later. */
    bool ahead = e->tx.nonce >= mp_shadow_get(sel, e->tx.from)->nonce;
    if (ahead && !g_hash_table_contains(sel->parked, &e->tx)) {
        g_hash_table_insert(sel->parked, &e->tx, e);
    }
}

void proto_mempool_select(proto_mempool *m, const proto_state *s, uint32_t txs_max, GArray *out)
{
    g_assert(g_array_get_element_size(out) == sizeof(proto_tx));
    mp_select sel = {
        .s = s,
        .shadows = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free),
        .parked = g_hash_table_new(mp_park_hash, mp_park_equal),
        .retry = g_array_new(FALSE, FALSE, sizeof(uint32_t)),
        .out = out,
        .txs_max = out->len + txs_max,
    };
    g_assert(sel.txs_max >= out->len); /* no overflow */
    GList *link = m->arrival.head;
    while (link != NULL && out->len < sel.txs_max) {
        GList *next = link->next;
        mp_select_visit(m, &sel, link->data);
        link = next;
    }
    g_hash_table_unref(sel.shadows);
    g_hash_table_unref(sel.parked);
    g_array_unref(sel.retry);
}

void proto_mempool_tick(proto_mempool *m)
{
    m->tick++;
}

/* Arrival order is tick order, so the stale entries are a prefix of the
 * queue: walk it from the oldest and stop at the first one too young. */
void proto_mempool_take_stale(proto_mempool *m, uint64_t min_ticks, uint32_t max, GArray *out)
{
    guint walked = 0;
    for (GList *link = m->arrival.head; link != NULL && out->len < max; link = link->next) {
        mp_entry *e = link->data;
        if (e->tick + min_ticks > m->tick || ++walked > MP_STALE_WALK_MAX)
            break;
        if (e->handed_out)
            continue;
        e->handed_out = true;
        g_array_append_val(out, e->tx);
    }
}
