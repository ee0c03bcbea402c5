/* Unit tests for the EIP-1559 transaction pool (protocol/chain/txpool.c).
 *
 * The block-building cursor: order by effective tip across senders, the
 * effective tip capped by max_fee - base_fee, equal tips in arrival order
 * whatever the sender indexes, nonce order within a sender even when a
 * later nonce pays more, a gap holding back only its sender, pop skipping
 * a sender, a tx below the base fee waiting (and its sender with it)
 * until the base fee drops, and a cursor refusing a pool that changed
 * under it. Admission: replacement at exactly +10% on both fee fields and
 * refusal at +9% or a one-field bump (exact, and with fee caps near u64's
 * top), eviction of the lowest payer when full and FULL when the newcomer
 * is no better, the choice of victim that keeps nonces contiguous,
 * per_sender_max, stale nonces and senders, duplicates. Then prune (all
 * senders, listed senders), remove, take_stale handing each tx out once,
 * two pools with different histories fed alike walking alike, and a
 * seeded random property test of the cursor against a brute-force model.
 *
 * The random tests use a fixed seed (PROPERTY_SEED, printed on failure):
 * running this binary replays them exactly. */
#include <check.h>
#include <signal.h>
#include <string.h>

#include "protocol/chain/txpool.h"

#define CHAIN_ID 9
#define ACCOUNTS 6
#define PROPERTY_SEED 20240601u

typedef struct tw {
    proto_crypto *c;
    proto_state *s;
    proto_keypair keys[ACCOUNTS];
} tw;

static void tw_init(tw *w)
{
    w->c = proto_crypto_new(PROTO_CRYPTO_FAST, 0);
    w->s = proto_state_new();
    for (uint32_t i = 0; i < ACCOUNTS; i++) {
        char label[16];
        g_snprintf(label, sizeof label, "acct/%u", i);
        proto_keypair_derive(&w->keys[i], 5, label);
        proto_state_add_account(w->s, &w->keys[i].pk, 1000000);
    }
}

static void tw_clear(tw *w)
{
    proto_state_free(w->s);
    proto_crypto_free(w->c);
}

/* Every test's world (a Check fixture: fresh in each test's process). */
static tw world;

static void world_setup(void)
{
    tw_init(&world);
}

static void world_teardown(void)
{
    tw_clear(&world);
}

static void tw_set_nonce(tw *w, uint32_t account, uint64_t nonce)
{
    proto_state_account_mut(w->s, account, NULL)->nonce = nonce;
}

/* A signed one-transfer envelope from `from` with these fee fields. */
static proto_txenv tw_env(tw *w, uint32_t from, uint64_t nonce, uint64_t max_fee, uint64_t tip)
{
    proto_txenv tx;
    memset(&tx, 0, sizeof tx);
    tx.chain_id = CHAIN_ID;
    tx.sender = w->keys[from].pk;
    tx.nonce = nonce;
    tx.gas_limit = 21000;
    tx.max_fee_per_gas = max_fee;
    tx.max_priority_fee_per_gas = tip;
    tx.message_count = 1;
    tx.messages[0].type = PROTO_TXMSG_TRANSFER;
    tx.messages[0].transfer.to = (from + 1) % ACCOUNTS;
    tx.messages[0].transfer.amount = 1;
    proto_txenv_sign(&tx, w->c, &w->keys[from]);
    return tx;
}

static proto_hash tx_id(const proto_txenv *tx)
{
    proto_hash h;
    proto_txenv_hash(tx, &h);
    return h;
}

/* The account index of tx's sender key (what a node resolves). */
static uint32_t sender_of(const tw *w, const proto_txenv *tx)
{
    uint32_t i = 0;
    while (i < ACCOUNTS && memcmp(&tx->sender, &w->keys[i].pk, sizeof tx->sender) != 0)
        i++;
    ck_assert_uint_lt(i, ACCOUNTS);
    return i;
}

static proto_txpool_result tw_add(tw *w, proto_txpool *pool, const proto_txenv *tx,
                                  proto_txpool_drop *drop)
{
    proto_hash id = tx_id(tx);
    return proto_txpool_add(pool, tx, sender_of(w, tx), &id, w->s, drop);
}

static proto_txpool *pool_new(uint32_t entries_max, uint32_t per_sender_max)
{
    proto_txpool_params p = {
        .entries_max = entries_max, .per_sender_max = per_sender_max, .price_bump_percent = 10};
    return proto_txpool_new(&p);
}

/* The whole cursor walk, taking every head: "sender:nonce" separated by
 * spaces. */
static char *walk(const proto_txpool *pool, const proto_state *s, uint64_t base_fee)
{
    GString *out = g_string_new("");
    proto_txpool_cursor c;
    proto_txpool_cursor_init(&c, pool, s, base_fee);
    uint32_t sender = 0;
    const proto_txenv *tx;
    while ((tx = proto_txpool_cursor_peek(&c, &sender, NULL, NULL)) != NULL) {
        g_string_append_printf(out, "%s%u:%" G_GUINT64_FORMAT, out->len ? " " : "", sender,
                               tx->nonce);
        proto_txpool_cursor_shift(&c);
    }
    proto_txpool_cursor_clear(&c);
    return g_string_free(out, FALSE);
}

#define ck_walk(pool, s, base_fee, expected)                                                       \
    do {                                                                                           \
        char *got_ = walk((pool), (s), (base_fee));                                                \
        ck_assert_str_eq(got_, (expected));                                                        \
        g_free(got_);                                                                              \
    } while (0)

START_TEST(test_order_by_effective_tip)
{
    proto_txpool *pool = pool_new(16, 4);
    proto_txenv a = tw_env(&world, 0, 0, 1000, 5);  /* tip 5 */
    proto_txenv b = tw_env(&world, 1, 0, 1000, 20); /* tip 20 */
    proto_txenv c = tw_env(&world, 2, 0, 110, 50);  /* capped: 110 - 100 = 10 */
    proto_txenv d = tw_env(&world, 3, 0, 1000, 10); /* 10, arrived after c */
    ck_assert_int_eq(tw_add(&world, pool, &a, NULL), PROTO_TXPOOL_ADDED);
    ck_assert_int_eq(tw_add(&world, pool, &b, NULL), PROTO_TXPOOL_ADDED);
    ck_assert_int_eq(tw_add(&world, pool, &c, NULL), PROTO_TXPOOL_ADDED);
    ck_assert_int_eq(tw_add(&world, pool, &d, NULL), PROTO_TXPOOL_ADDED);
    ck_walk(pool, world.s, 100, "1:0 2:0 3:0 0:0");
    /* With no base fee c's full tip of 50 counts. */
    ck_walk(pool, world.s, 0, "2:0 1:0 3:0 0:0");

    proto_txpool_cursor cur;
    proto_txpool_cursor_init(&cur, pool, world.s, 100);
    uint32_t sender = 99;
    proto_hash id;
    uint64_t tip = 0;
    const proto_txenv *top = proto_txpool_cursor_peek(&cur, &sender, &id, &tip);
    ck_assert_ptr_nonnull(top);
    proto_hash want = tx_id(&b);
    ck_assert(proto_hash_equal(&id, &want));
    ck_assert_uint_eq(sender, 1);
    ck_assert_uint_eq(tip, 20);
    ck_assert_uint_eq(top->max_priority_fee_per_gas, 20);
    proto_txpool_cursor_clear(&cur);
    ck_assert_uint_eq(proto_txpool_count(pool), 4); /* the cursor changed nothing */
    proto_txpool_free(pool);
}
END_TEST

/* Equal effective tips come out in arrival order, whatever the sender
 * indexes (the cursor is seeded in index order). */
START_TEST(test_ties_by_arrival)
{
    proto_txpool *pool = pool_new(16, 4);
    static const uint32_t order[ACCOUNTS] = {3, 0, 5, 1, 4, 2};
    for (int i = 0; i < ACCOUNTS; i++) {
        /* Different caps, same effective tip 7 under base fee 10. */
        proto_txenv tx = tw_env(&world, order[i], 0, 17 + (uint64_t)i * 10, 7);
        ck_assert_int_eq(tw_add(&world, pool, &tx, NULL), PROTO_TXPOOL_ADDED);
    }
    ck_walk(pool, world.s, 10, "3:0 0:0 5:0 1:0 4:0 2:0");
    proto_txpool_free(pool);
}
END_TEST

START_TEST(test_nonce_order_within_sender)
{
    proto_txpool *pool = pool_new(16, 4);
    /* Sender 0's later nonces pay more and arrive first. */
    proto_txenv txs[4] = {tw_env(&world, 0, 2, 1000, 2), tw_env(&world, 0, 1, 1000, 100),
                          tw_env(&world, 0, 0, 1000, 1), tw_env(&world, 1, 0, 1000, 50)};
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(tw_add(&world, pool, &txs[i], NULL), PROTO_TXPOOL_ADDED);
    ck_walk(pool, world.s, 0, "1:0 0:0 0:1 0:2");
    proto_txpool_free(pool);
}
END_TEST

START_TEST(test_gap_holds_back_only_sender)
{
    proto_txpool *pool = pool_new(16, 4);
    proto_txenv txs[4] = {tw_env(&world, 0, 0, 1000, 10), tw_env(&world, 0, 2, 1000, 30),
                          tw_env(&world, 1, 0, 1000, 5), tw_env(&world, 1, 1, 1000, 20)};
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(tw_add(&world, pool, &txs[i], NULL), PROTO_TXPOOL_ADDED);
    ck_walk(pool, world.s, 0, "0:0 1:0 1:1");
    proto_txenv fill = tw_env(&world, 0, 1, 1000, 1);
    ck_assert_int_eq(tw_add(&world, pool, &fill, NULL), PROTO_TXPOOL_ADDED);
    ck_walk(pool, world.s, 0, "0:0 1:0 1:1 0:1 0:2");
    /* A sender whose first nonce is missing offers nothing. */
    tw_set_nonce(&world, 1, 5);
    ck_walk(pool, world.s, 0, "0:0 0:1 0:2");
    proto_txpool_free(pool);
}
END_TEST

START_TEST(test_pop_skips_sender)
{
    proto_txpool *pool = pool_new(16, 4);
    proto_txenv txs[3] = {tw_env(&world, 0, 0, 1000, 9), tw_env(&world, 0, 1, 1000, 9),
                          tw_env(&world, 1, 0, 1000, 3)};
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(tw_add(&world, pool, &txs[i], NULL), PROTO_TXPOOL_ADDED);
    proto_txpool_cursor c;
    proto_txpool_cursor_init(&c, pool, world.s, 0);
    uint32_t sender = 99;
    ck_assert_ptr_nonnull(proto_txpool_cursor_peek(&c, &sender, NULL, NULL));
    ck_assert_uint_eq(sender, 0);
    proto_txpool_cursor_pop(&c);
    const proto_txenv *tx = proto_txpool_cursor_peek(&c, &sender, NULL, NULL);
    ck_assert_ptr_nonnull(tx);
    ck_assert_uint_eq(sender, 1);
    proto_txpool_cursor_shift(&c);
    ck_assert_ptr_null(proto_txpool_cursor_peek(&c, NULL, NULL, NULL));
    proto_txpool_cursor_clear(&c);
    proto_txpool_free(pool);
}
END_TEST

START_TEST(test_below_base_fee_waits)
{
    proto_txpool *pool = pool_new(16, 4);
    proto_txenv txs[3] = {tw_env(&world, 0, 0, 50, 5), tw_env(&world, 0, 1, 1000, 100),
                          tw_env(&world, 1, 0, 200, 1)};
    for (int i = 0; i < 3; i++) /* admitted whatever the base fee */
        ck_assert_int_eq(tw_add(&world, pool, &txs[i], NULL), PROTO_TXPOOL_ADDED);
    ck_walk(pool, world.s, 100, "1:0"); /* sender 0's head waits, and so does nonce 1 */
    ck_walk(pool, world.s, 40, "0:0 0:1 1:0");
    ck_walk(pool, world.s, 50, "1:0 0:0 0:1"); /* max_fee == base fee: tip 0, included */
    ck_walk(pool, world.s, 201, "");
    proto_txpool_free(pool);
}
END_TEST

START_TEST(test_cursor_refuses_changed_pool)
{
    proto_txpool *pool = pool_new(16, 4);
    proto_txenv a = tw_env(&world, 0, 0, 1000, 5);
    proto_txenv b = tw_env(&world, 1, 0, 1000, 5);
    ck_assert_int_eq(tw_add(&world, pool, &a, NULL), PROTO_TXPOOL_ADDED);
    proto_txpool_cursor c;
    proto_txpool_cursor_init(&c, pool, world.s, 0);
    ck_assert_int_eq(tw_add(&world, pool, &b, NULL), PROTO_TXPOOL_ADDED);
    proto_txpool_cursor_peek(&c, NULL, NULL, NULL); /* aborts */
}
END_TEST

/* Offer a replacement for sender 0's nonce 0 and check the result. */
static void replace_case(tw *w, proto_txpool *pool, proto_txenv *current, uint64_t max_fee,
                         uint64_t tip, proto_txpool_result want)
{
    proto_txenv next = tw_env(w, 0, 0, max_fee, tip);
    next.gas_limit = current->gas_limit;
    proto_txenv_sign(&next, w->c, &w->keys[0]);
    proto_txpool_drop drop;
    ck_assert_int_eq(tw_add(w, pool, &next, &drop), want);
    proto_hash old_id = tx_id(current);
    proto_hash new_id = tx_id(&next);
    ck_assert_uint_eq(proto_txpool_count(pool), 1);
    if (want == PROTO_TXPOOL_REPLACED) {
        ck_assert(drop.has_id && proto_hash_equal(&drop.id, &old_id));
        ck_assert(!proto_txpool_contains(pool, &old_id));
        ck_assert(proto_txpool_contains(pool, &new_id));
        *current = next;
    } else {
        ck_assert(!drop.has_id);
        ck_assert(proto_txpool_contains(pool, &old_id));
    }
}

/* A pool holding sender 0's nonce 0 with these fee fields, in *cur (gas
 * limit 1, so that any fee cap is valid). */
static proto_txpool *pool_holding(tw *w, proto_txenv *cur, uint64_t max_fee, uint64_t tip)
{
    proto_txpool *pool = pool_new(16, 4);
    *cur = tw_env(w, 0, 0, max_fee, tip);
    cur->gas_limit = 1;
    proto_txenv_sign(cur, w->c, &w->keys[0]);
    ck_assert_int_eq(tw_add(w, pool, cur, NULL), PROTO_TXPOOL_ADDED);
    return pool;
}

START_TEST(test_replacement_bump)
{
    proto_txenv cur;
    proto_txpool *pool = pool_holding(&world, &cur, 1000, 100);
    /* +9% on the fee, +9% on the tip, the fee alone, the tip alone. */
    const proto_txpool_result under = PROTO_TXPOOL_UNDERPRICED_REPLACEMENT;
    replace_case(&world, pool, &cur, 1090, 110, under);
    replace_case(&world, pool, &cur, 1100, 109, under);
    replace_case(&world, pool, &cur, 1100, 100, under);
    replace_case(&world, pool, &cur, 1000, 110, under);
    replace_case(&world, pool, &cur, 1100, 110, PROTO_TXPOOL_REPLACED); /* exactly +10% */
    replace_case(&world, pool, &cur, 1210, 121, PROTO_TXPOOL_REPLACED);
    ck_walk(pool, world.s, 0, "0:0");
    proto_txpool_stats st = proto_txpool_stats_read(pool);
    ck_assert_uint_eq(st.added, 1);
    ck_assert_uint_eq(st.replaced, 2);
    ck_assert_uint_eq(st.underpriced, 4);
    proto_txpool_free(pool);
    /* Exact arithmetic: from 15, 16 is +6.7% (geth's floored threshold
     * 15 * 110 / 100 = 16 would take it), 17 is enough. */
    pool = pool_holding(&world, &cur, 15, 15);
    replace_case(&world, pool, &cur, 16, 16, PROTO_TXPOOL_UNDERPRICED_REPLACEMENT);
    replace_case(&world, pool, &cur, 17, 17, PROTO_TXPOOL_REPLACED);
    proto_txpool_free(pool);
}
END_TEST

/* Fee caps where old * 110 or new * 100 does not fit 64 bits. */
START_TEST(test_replacement_no_overflow)
{
    proto_txenv cur;
    proto_txpool *pool = pool_holding(&world, &cur, UINT64_MAX - 1, 1);
    replace_case(&world, pool, &cur, UINT64_MAX, 2, PROTO_TXPOOL_UNDERPRICED_REPLACEMENT);
    proto_txpool_free(pool);
    /* 2^63 * 110 is 0 mod 2^64. */
    pool = pool_holding(&world, &cur, UINT64_C(1) << 63, 1);
    replace_case(&world, pool, &cur, (UINT64_C(1) << 63) + 1, 2,
                 PROTO_TXPOOL_UNDERPRICED_REPLACEMENT);
    replace_case(&world, pool, &cur, UINT64_MAX, 2, PROTO_TXPOOL_REPLACED);
    proto_txpool_free(pool);
    /* 2.2e17 * 100 is past 2^64. */
    pool = pool_holding(&world, &cur, UINT64_C(200000000000000000), 1);
    replace_case(&world, pool, &cur, UINT64_C(220000000000000000), 2, PROTO_TXPOOL_REPLACED);
    proto_txpool_free(pool);
}
END_TEST

static void ck_dropped(const proto_txpool_drop *drop, const proto_txenv *tx)
{
    proto_hash id = tx_id(tx);
    ck_assert(drop->has_id);
    ck_assert(proto_hash_equal(&drop->id, &id));
}

START_TEST(test_eviction_when_full)
{
    proto_txpool *pool = pool_new(3, 4);
    proto_txenv a = tw_env(&world, 0, 0, 1000, 5);
    proto_txenv b = tw_env(&world, 1, 0, 1000, 3);
    proto_txenv c = tw_env(&world, 2, 0, 1000, 7);
    proto_txpool_drop drop;
    ck_assert_int_eq(tw_add(&world, pool, &a, &drop), PROTO_TXPOOL_ADDED);
    ck_assert(!drop.has_id);
    ck_assert_int_eq(tw_add(&world, pool, &b, NULL), PROTO_TXPOOL_ADDED);
    ck_assert_int_eq(tw_add(&world, pool, &c, NULL), PROTO_TXPOOL_ADDED);
    proto_txenv d = tw_env(&world, 3, 0, 1000, 4);
    ck_assert_int_eq(tw_add(&world, pool, &d, &drop), PROTO_TXPOOL_ADDED);
    ck_dropped(&drop, &b);
    proto_txenv lower = tw_env(&world, 4, 0, 1000, 2);
    proto_txenv equal = tw_env(&world, 4, 0, 1000, 4);
    ck_assert_int_eq(tw_add(&world, pool, &lower, &drop), PROTO_TXPOOL_FULL);
    ck_assert(!drop.has_id);
    ck_assert_int_eq(tw_add(&world, pool, &equal, NULL), PROTO_TXPOOL_FULL);
    /* Same tip, higher fee cap: pays more than d. */
    proto_txenv better = tw_env(&world, 4, 0, 1001, 4);
    ck_assert_int_eq(tw_add(&world, pool, &better, &drop), PROTO_TXPOOL_ADDED);
    ck_dropped(&drop, &d);
    ck_assert_uint_eq(proto_txpool_count(pool), 3);
    ck_walk(pool, world.s, 0, "2:0 0:0 4:0");
    proto_txpool_stats st = proto_txpool_stats_read(pool);
    ck_assert_uint_eq(st.added, 5);
    ck_assert_uint_eq(st.evicted, 2);
    ck_assert_uint_eq(st.full, 2);
    proto_txpool_free(pool);

    /* Equal payers: the newer arrival goes. */
    pool = pool_new(2, 4);
    ck_assert_int_eq(tw_add(&world, pool, &a, NULL), PROTO_TXPOOL_ADDED);
    proto_txenv b_same = tw_env(&world, 1, 0, 1000, 5);
    ck_assert_int_eq(tw_add(&world, pool, &b_same, NULL), PROTO_TXPOOL_ADDED);
    ck_assert_int_eq(tw_add(&world, pool, &c, &drop), PROTO_TXPOOL_ADDED);
    ck_dropped(&drop, &b_same);
    proto_txpool_free(pool);

    pool = pool_new(0, 4); /* a pool of size 0 takes nothing */
    ck_assert_int_eq(tw_add(&world, pool, &c, NULL), PROTO_TXPOOL_FULL);
    proto_txpool_free(pool);
}
END_TEST

START_TEST(test_eviction_keeps_nonces_contiguous)
{
    proto_txpool *pool = pool_new(3, 4);
    proto_txenv a1 = tw_env(&world, 0, 1, 1000, 3);
    proto_txenv a0 = tw_env(&world, 0, 0, 1000, 3); /* newer than a1: the lowest payer */
    proto_txenv b0 = tw_env(&world, 1, 0, 1000, 9);
    ck_assert_int_eq(tw_add(&world, pool, &a1, NULL), PROTO_TXPOOL_ADDED);
    ck_assert_int_eq(tw_add(&world, pool, &a0, NULL), PROTO_TXPOOL_ADDED);
    ck_assert_int_eq(tw_add(&world, pool, &b0, NULL), PROTO_TXPOOL_ADDED);
    proto_txpool_drop drop;
    proto_txenv c0 = tw_env(&world, 2, 0, 1000, 5);
    ck_assert_int_eq(tw_add(&world, pool, &c0, &drop), PROTO_TXPOOL_ADDED);
    ck_dropped(&drop, &a1); /* same price as a0, highest nonce: no gap */
    ck_walk(pool, world.s, 0, "1:0 2:0 0:0");

    /* The victim would be the newcomer's own lower nonce: refused. */
    proto_txenv a1_rich = tw_env(&world, 0, 1, 1000, 10);
    ck_assert_int_eq(tw_add(&world, pool, &a1_rich, &drop), PROTO_TXPOOL_FULL);
    ck_assert(!drop.has_id);
    proto_txpool_free(pool);

    /* A cheapest first nonce with better-paying later ones is still the
     * victim; the later ones wait behind the gap (documented choice). */
    pool = pool_new(3, 4);
    proto_txenv a1_more = tw_env(&world, 0, 1, 1000, 8);
    ck_assert_int_eq(tw_add(&world, pool, &a0, NULL), PROTO_TXPOOL_ADDED);
    ck_assert_int_eq(tw_add(&world, pool, &a1_more, NULL), PROTO_TXPOOL_ADDED);
    ck_assert_int_eq(tw_add(&world, pool, &b0, NULL), PROTO_TXPOOL_ADDED);
    ck_assert_int_eq(tw_add(&world, pool, &c0, &drop), PROTO_TXPOOL_ADDED);
    ck_dropped(&drop, &a0);
    ck_walk(pool, world.s, 0, "1:0 2:0");
    proto_txpool_free(pool);
}
END_TEST

START_TEST(test_per_sender_max)
{
    proto_txpool *pool = pool_new(16, 2);
    proto_txenv a0 = tw_env(&world, 0, 0, 1000, 1);
    proto_txenv a1 = tw_env(&world, 0, 1, 1000, 1);
    proto_txenv a2 = tw_env(&world, 0, 2, 1000, 1);
    proto_txenv a1_bump = tw_env(&world, 0, 1, 2000, 2);
    proto_txenv b0 = tw_env(&world, 1, 0, 1000, 1);
    ck_assert_int_eq(tw_add(&world, pool, &a0, NULL), PROTO_TXPOOL_ADDED);
    ck_assert_int_eq(tw_add(&world, pool, &a1, NULL), PROTO_TXPOOL_ADDED);
    ck_assert_int_eq(tw_add(&world, pool, &a2, NULL), PROTO_TXPOOL_SENDER_FULL);
    ck_assert_int_eq(tw_add(&world, pool, &a1_bump, NULL), PROTO_TXPOOL_REPLACED);
    ck_assert_int_eq(tw_add(&world, pool, &b0, NULL), PROTO_TXPOOL_ADDED);
    ck_assert_uint_eq(proto_txpool_stats_read(pool).sender_full, 1);
    ck_walk(pool, world.s, 0, "0:0 0:1 1:0"); /* the bumped nonce 1 outbids 1:0 */
    proto_txpool_free(pool);
}
END_TEST

START_TEST(test_stale_and_duplicate)
{
    tw_set_nonce(&world, 0, 3);
    proto_txpool *pool = pool_new(16, 4);
    proto_txenv old = tw_env(&world, 0, 2, 1000, 1);
    proto_txenv now = tw_env(&world, 0, 3, 1000, 1);
    proto_txenv later = tw_env(&world, 0, 9, 1000, 1);
    ck_assert_int_eq(tw_add(&world, pool, &old, NULL), PROTO_TXPOOL_STALE);
    ck_assert_int_eq(tw_add(&world, pool, &now, NULL), PROTO_TXPOOL_ADDED);
    ck_assert_int_eq(tw_add(&world, pool, &now, NULL), PROTO_TXPOOL_DUPLICATE);
    ck_assert_int_eq(tw_add(&world, pool, &later, NULL), PROTO_TXPOOL_ADDED);
    proto_hash id = tx_id(&now);
    ck_assert_int_eq(proto_txpool_add(pool, &now, ACCOUNTS + 3, &id, world.s, NULL),
                     PROTO_TXPOOL_DUPLICATE);
    proto_txenv b0 = tw_env(&world, 1, 0, 1000, 1);
    id = tx_id(&b0);
    ck_assert_int_eq(proto_txpool_add(pool, &b0, ACCOUNTS + 3, &id, world.s, NULL),
                     PROTO_TXPOOL_STALE);
    proto_txpool_stats st = proto_txpool_stats_read(pool);
    ck_assert_uint_eq(st.stale, 2);
    ck_assert_uint_eq(st.duplicate, 2);
    ck_assert_uint_eq(proto_txpool_count(pool), 2);
    ck_assert_str_eq(proto_txpool_result_name(PROTO_TXPOOL_UNDERPRICED_REPLACEMENT),
                     "underpriced_replacement");
    ck_assert_str_eq(proto_txpool_result_name(PROTO_TXPOOL_RESULT_COUNT), "unknown");
    proto_txpool_free(pool);
}
END_TEST

START_TEST(test_prune_and_remove)
{
    proto_txpool *pool = pool_new(16, 8);
    proto_txenv txs[7];
    for (uint32_t i = 0; i < 4; i++)
        txs[i] = tw_env(&world, 0, i, 1000, 10 - i);
    txs[4] = tw_env(&world, 1, 0, 1000, 1);
    txs[5] = tw_env(&world, 1, 1, 1000, 1);
    txs[6] = tw_env(&world, 2, 0, 1000, 1);
    for (int i = 0; i < 7; i++)
        ck_assert_int_eq(tw_add(&world, pool, &txs[i], NULL), PROTO_TXPOOL_ADDED);
    tw_set_nonce(&world, 0, 2);
    tw_set_nonce(&world, 1, 1);
    ck_assert_uint_eq(proto_txpool_prune(pool, world.s), 3);
    ck_assert_uint_eq(proto_txpool_prune(pool, world.s), 0);
    ck_assert_uint_eq(proto_txpool_count(pool), 4);
    proto_hash id = tx_id(&txs[1]);
    ck_assert(!proto_txpool_contains(pool, &id));
    ck_walk(pool, world.s, 0, "0:2 0:3 1:1 2:0");

    /* Only the listed senders are looked at. */
    tw_set_nonce(&world, 2, 1);
    tw_set_nonce(&world, 0, 4);
    const uint32_t touched[4] = {2, 2, 5, ACCOUNTS + 1};
    ck_assert_uint_eq(proto_txpool_prune_senders(pool, world.s, touched, 4), 1);
    ck_assert_uint_eq(proto_txpool_count(pool), 3);
    ck_assert_uint_eq(proto_txpool_prune(pool, world.s), 2);
    ck_assert_uint_eq(proto_txpool_stats_read(pool).pruned, 6);
    ck_walk(pool, world.s, 0, "1:1");

    id = tx_id(&txs[5]);
    ck_assert(proto_txpool_remove(pool, &id));
    ck_assert(!proto_txpool_remove(pool, &id));
    ck_assert_uint_eq(proto_txpool_count(pool), 0);
    ck_assert_uint_eq(proto_txpool_stats_read(pool).removed, 1);
    ck_walk(pool, world.s, 0, "");
    /* Gone senders can come back. */
    proto_txenv again = tw_env(&world, 1, 1, 1000, 2);
    ck_assert_int_eq(tw_add(&world, pool, &again, NULL), PROTO_TXPOOL_ADDED);
    ck_walk(pool, world.s, 0, "1:1");
    proto_txpool_free(pool);
}
END_TEST

static void ck_taken(proto_txpool *pool, uint64_t min_ticks, uint32_t max, const char *expected)
{
    GArray *out = g_array_new(FALSE, FALSE, sizeof(proto_txpool_tx));
    proto_txpool_take_stale(pool, min_ticks, max, out);
    GString *got = g_string_new("");
    for (guint i = 0; i < out->len; i++) {
        const proto_txpool_tx *t = &g_array_index(out, proto_txpool_tx, i);
        g_string_append_printf(got, "%s%u:%" G_GUINT64_FORMAT, i ? " " : "", t->sender,
                               t->tx.nonce);
    }
    ck_assert_str_eq(got->str, expected);
    g_string_free(got, TRUE);
    g_array_unref(out);
}

START_TEST(test_take_stale_once)
{
    proto_txpool *pool = pool_new(16, 4);
    proto_txenv a0 = tw_env(&world, 0, 0, 1000, 1);
    proto_txenv b0 = tw_env(&world, 1, 0, 1000, 1);
    proto_txenv c0 = tw_env(&world, 2, 0, 1000, 1);
    proto_txenv d0 = tw_env(&world, 3, 0, 1000, 1);
    ck_assert_int_eq(tw_add(&world, pool, &a0, NULL), PROTO_TXPOOL_ADDED);
    ck_assert_int_eq(tw_add(&world, pool, &b0, NULL), PROTO_TXPOOL_ADDED);
    ck_assert_int_eq(tw_add(&world, pool, &d0, NULL), PROTO_TXPOOL_ADDED);
    ck_taken(pool, 1, 10, ""); /* nobody has waited a tick */
    proto_txpool_tick(pool);
    ck_assert_int_eq(tw_add(&world, pool, &c0, NULL), PROTO_TXPOOL_ADDED);
    proto_hash id = tx_id(&d0);
    ck_assert(proto_txpool_remove(pool, &id)); /* never handed out */
    ck_taken(pool, 1, 1, "0:0");
    ck_taken(pool, 1, 10, "1:0");
    ck_taken(pool, 1, 10, "");
    proto_txpool_tick(pool);
    ck_taken(pool, 1, 10, "2:0");
    ck_taken(pool, 0, 10, "");
    /* A replacement is a new tx: handed out once more. */
    proto_txenv a0_bump = tw_env(&world, 0, 0, 2000, 2);
    ck_assert_int_eq(tw_add(&world, pool, &a0_bump, NULL), PROTO_TXPOOL_REPLACED);
    ck_taken(pool, 0, 10, "0:0");
    ck_taken(pool, 0, 10, "");
    proto_txpool_free(pool);
}
END_TEST

/* A random signed tx: a sender, a nonce near its state nonce (sometimes
 * below), fee fields with tip <= cap. The serial goes into the amount, so
 * no two calls make the same tx. */
static proto_txenv random_env(tw *w, GRand *rng, uint64_t serial)
{
    uint32_t from = (uint32_t)g_rand_int_range(rng, 0, ACCOUNTS);
    uint64_t base = proto_state_account(w->s, from)->nonce;
    uint64_t nonce = base + (uint64_t)g_rand_int_range(rng, 0, 6);
    if (base > 0 && g_rand_int_range(rng, 0, 10) == 0)
        nonce = base - 1;
    uint64_t max_fee = (uint64_t)g_rand_int_range(rng, 1, 201);
    uint64_t tip = (uint64_t)g_rand_int_range(rng, 0, (gint32)max_fee + 1);
    proto_txenv tx = tw_env(w, from, nonce, max_fee, tip);
    tx.messages[0].transfer.amount = 1 + serial;
    proto_txenv_sign(&tx, w->c, &w->keys[from]);
    return tx;
}

START_TEST(test_determinism)
{
    GRand *rng = g_rand_new_with_seed(PROPERTY_SEED);
    proto_txpool *p1 = pool_new(20, 4);
    proto_txpool *p2 = pool_new(20, 4);
    /* p2 has a history: other arrival numbers, other tree shapes and
     * allocations. Only relative order may matter. */
    for (uint64_t n = 0; n < 5; n++) {
        proto_txenv junk = tw_env(&world, 5, n, 999, n);
        proto_hash id = tx_id(&junk);
        ck_assert_int_eq(tw_add(&world, p2, &junk, NULL), PROTO_TXPOOL_ADDED);
        ck_assert(proto_txpool_remove(p2, &id));
    }
    for (int i = 0; i < 120; i++) {
        proto_txenv tx = random_env(&world, rng, (uint64_t)i);
        proto_txpool_drop d1;
        proto_txpool_drop d2;
        ck_assert_int_eq(tw_add(&world, p1, &tx, &d1), tw_add(&world, p2, &tx, &d2));
        ck_assert(memcmp(&d1, &d2, sizeof d1) == 0);
    }
    ck_assert_uint_eq(proto_txpool_count(p1), 20);
    for (uint64_t base_fee = 0; base_fee <= 200; base_fee += 25) {
        char *s1 = walk(p1, world.s, base_fee);
        char *s2 = walk(p2, world.s, base_fee);
        ck_assert_str_eq(s1, s2);
        g_free(s1);
        g_free(s2);
    }
    proto_txpool_stats st1 = proto_txpool_stats_read(p1);
    proto_txpool_stats st2 = proto_txpool_stats_read(p2);
    st2.added -= 5;
    st2.removed -= 5;
    ck_assert(memcmp(&st1, &st2, sizeof st1) == 0);
    ck_assert_uint_gt(st1.evicted, 0);
    proto_txpool_free(p1);
    proto_txpool_free(p2);
    g_rand_free(rng);
}
END_TEST

/* Brute force over every tx ever offered (in offer order, which is
 * arrival order since no tx is offered twice): the head the cursor must
 * yield now, i.e. among the held txs at a sender's shadow nonce (sender
 * not skipped, fee cap not under the base fee) the best effective tip,
 * ties to the earliest arrival. Its index in offered, or -1 if none. */
static gint expected_head(const proto_txpool *pool, GArray *offered, const uint64_t *shadow,
                          const bool *skipped, uint64_t base_fee)
{
    gint best = -1;
    uint64_t best_tip = 0;
    for (guint i = 0; i < offered->len; i++) {
        const proto_txpool_tx *o = &g_array_index(offered, proto_txpool_tx, i);
        proto_hash id = tx_id(&o->tx);
        if (skipped[o->sender] || o->tx.nonce != shadow[o->sender] ||
            o->tx.max_fee_per_gas < base_fee || !proto_txpool_contains(pool, &id))
            continue;
        uint64_t tip = proto_fee_effective_tip(base_fee, o->tx.max_fee_per_gas,
                                               o->tx.max_priority_fee_per_gas);
        if (best < 0 || tip > best_tip) {
            best = (gint)i;
            best_tip = tip;
        }
    }
    return best;
}

/* One block: walk the cursor, taking (shift) most heads and skipping
 * (pop) some, checking each against the brute-force model; then the
 * state takes the shadow nonces and the pool is pruned. Returns the
 * number taken. */
static uint32_t property_block(tw *w, proto_txpool *pool, GArray *offered, GRand *rng, int round)
{
    uint64_t base_fee = (uint64_t)g_rand_int_range(rng, 0, 151);
    uint64_t shadow[ACCOUNTS];
    bool skipped[ACCOUNTS] = {false};
    for (uint32_t i = 0; i < ACCOUNTS; i++)
        shadow[i] = proto_state_account(w->s, i)->nonce;
    proto_txpool_cursor c;
    proto_txpool_cursor_init(&c, pool, w->s, base_fee);
    uint32_t taken = 0;
    for (uint32_t steps = 0;; steps++) {
        ck_assert_uint_le(steps, proto_txpool_count(pool));
        gint want = expected_head(pool, offered, shadow, skipped, base_fee);
        uint32_t sender = 0;
        proto_hash id;
        const proto_txenv *tx = proto_txpool_cursor_peek(&c, &sender, &id, NULL);
        if (tx == NULL) {
            ck_assert_msg(want == -1, "seed %u round %d: an available head was not yielded",
                          PROPERTY_SEED, round);
            break;
        }
        ck_assert_msg(want >= 0, "seed %u round %d: yielded a tx no sender offers", PROPERTY_SEED,
                      round);
        const proto_txpool_tx *o = &g_array_index(offered, proto_txpool_tx, want);
        proto_hash want_id = tx_id(&o->tx);
        ck_assert_msg(sender == o->sender && tx->nonce == shadow[sender],
                      "seed %u round %d: sender %u nonce %" G_GUINT64_FORMAT
                      " yielded, expected sender %u nonce %" G_GUINT64_FORMAT,
                      PROPERTY_SEED, round, sender, tx->nonce, o->sender, o->tx.nonce);
        ck_assert_msg(proto_hash_equal(&id, &want_id),
                      "seed %u round %d: not the best tip or not the earliest of equals",
                      PROPERTY_SEED, round);
        if (g_rand_int_range(rng, 0, 8) == 0) {
            skipped[sender] = true;
            proto_txpool_cursor_pop(&c);
        } else {
            shadow[sender]++;
            taken++;
            proto_txpool_cursor_shift(&c);
        }
    }
    proto_txpool_cursor_clear(&c);
    for (uint32_t i = 0; i < ACCOUNTS; i++)
        tw_set_nonce(w, i, shadow[i]);
    proto_txpool_prune(pool, w->s);
    return taken;
}

/* The pool holds nothing the state has passed, and no more than allowed. */
static void ck_pool_consistent(tw *w, const proto_txpool *pool, GArray *offered)
{
    uint32_t held = 0;
    for (guint i = 0; i < offered->len; i++) {
        const proto_txpool_tx *o = &g_array_index(offered, proto_txpool_tx, i);
        proto_hash id = tx_id(&o->tx);
        if (!proto_txpool_contains(pool, &id))
            continue;
        held++;
        ck_assert_uint_ge(o->tx.nonce, proto_state_account(w->s, o->sender)->nonce);
    }
    ck_assert_uint_eq(held, proto_txpool_count(pool));
    ck_assert_uint_le(held, 48);
}

START_TEST(test_random_cursor_property)
{
    GRand *rng = g_rand_new_with_seed(PROPERTY_SEED);
    proto_txpool *pool = pool_new(48, 8);
    GArray *offered = g_array_new(FALSE, FALSE, sizeof(proto_txpool_tx));
    uint32_t taken = 0;
    for (int round = 0; round < 30; round++) {
        for (int i = 0; i < 40; i++) {
            proto_txpool_tx o = {.tx = random_env(&world, rng, offered->len)};
            o.sender = sender_of(&world, &o.tx);
            tw_add(&world, pool, &o.tx, NULL);
            g_array_append_val(offered, o);
        }
        taken += property_block(&world, pool, offered, rng, round);
        ck_pool_consistent(&world, pool, offered);
    }
    proto_txpool_stats st = proto_txpool_stats_read(pool);
    /* Not vacuous: blocks took txs and every admission path ran. */
    ck_assert_uint_gt(taken, 100);
    ck_assert_uint_gt(st.replaced, 0);
    ck_assert_uint_gt(st.underpriced, 0);
    ck_assert_uint_gt(st.stale, 0);
    ck_assert_uint_gt(st.pruned, 0);
    g_array_unref(offered);
    proto_txpool_free(pool);
    g_rand_free(rng);
}
END_TEST

static Suite *txpool_suite(void)
{
    Suite *s = suite_create("txpool");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, world_setup, world_teardown);
    tcase_add_test(tc, test_order_by_effective_tip);
    tcase_add_test(tc, test_ties_by_arrival);
    tcase_add_test(tc, test_nonce_order_within_sender);
    tcase_add_test(tc, test_gap_holds_back_only_sender);
    tcase_add_test(tc, test_pop_skips_sender);
    tcase_add_test(tc, test_below_base_fee_waits);
    tcase_add_test_raise_signal(tc, test_cursor_refuses_changed_pool, SIGABRT);
    tcase_add_test(tc, test_replacement_bump);
    tcase_add_test(tc, test_replacement_no_overflow);
    tcase_add_test(tc, test_eviction_when_full);
    tcase_add_test(tc, test_eviction_keeps_nonces_contiguous);
    tcase_add_test(tc, test_per_sender_max);
    tcase_add_test(tc, test_stale_and_duplicate);
    tcase_add_test(tc, test_prune_and_remove);
    tcase_add_test(tc, test_take_stale_once);
    tcase_add_test(tc, test_determinism);
    tcase_add_test(tc, test_random_cursor_property);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(txpool_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
