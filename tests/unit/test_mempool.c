/* Unit tests for the transaction pool (protocol/chain/mempool.c):
 * admission results (added, duplicate, stale, full), removal, and block
 * selection: nonce order per sender, gaps holding back only their sender,
 * stale entries dropped, running balances, txs_max, and the property that
 * a selection always applies cleanly to the state it was made for. */
#include <check.h>
#include <string.h>

#include "protocol/chain/mempool.h"

#define CHAIN_ID 9

typedef struct pool_world {
    proto_crypto *c;
    proto_state *s;
    proto_keypair keys[8];
} pool_world;

static void pw_init(pool_world *w, const uint64_t *balances, uint32_t count)
{
    g_assert(count <= G_N_ELEMENTS(w->keys));
    w->c = proto_crypto_new(PROTO_CRYPTO_FAST, 0);
    w->s = proto_state_new();
    for (uint32_t i = 0; i < count; i++) {
        char label[16];
        g_snprintf(label, sizeof label, "acct/%u", i);
        proto_keypair_derive(&w->keys[i], 3, label);
        proto_state_add_account(w->s, &w->keys[i].pk, balances[i]);
    }
}

static void pw_clear(pool_world *w)
{
    proto_state_free(w->s);
    proto_crypto_free(w->c);
}

static proto_tx pw_tx(pool_world *w, uint32_t from, uint32_t to, uint64_t amount, uint64_t nonce)
{
    proto_tx tx = {.from = from, .to = to, .amount = amount, .fee = 1, .nonce = nonce};
    proto_tx_sign(&tx, CHAIN_ID, w->c, &w->keys[from]);
    return tx;
}

static proto_mempool_result pw_add(pool_world *w, proto_mempool *m, const proto_tx *tx)
{
    proto_hash h;
    proto_tx_hash(tx, &h);
    return proto_mempool_add(m, tx, &h, w->s);
}

static GArray *select_txs(proto_mempool *m, const proto_state *s, uint32_t txs_max)
{
    GArray *out = g_array_new(FALSE, FALSE, sizeof(proto_tx));
    proto_mempool_select(m, s, txs_max, out);
    return out;
}

static const proto_tx *out_at(GArray *out, guint i)
{
    return &g_array_index(out, proto_tx, i);
}

/* Apply a selection to s; every tx must be accepted. */
static void apply_all(pool_world *w, proto_state *s, GArray *out)
{
    for (guint i = 0; i < out->len; i++) {
        ck_assert_int_eq(proto_state_apply_tx(s, out_at(out, i), CHAIN_ID, w->c, NULL), PROTO_TX_OK);
    }
}

static const uint64_t rich[8] = {1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000};

START_TEST(test_admission)
{
    pool_world w;
    pw_init(&w, rich, 3);
    proto_mempool *m = proto_mempool_new(3);
    proto_tx a = pw_tx(&w, 0, 1, 5, 0);
    proto_tx b = pw_tx(&w, 0, 1, 5, 1);
    proto_tx c = pw_tx(&w, 1, 2, 5, 4); /* future nonce: accepted */
    proto_tx d = pw_tx(&w, 2, 0, 5, 0);
    ck_assert_int_eq(pw_add(&w, m, &a), PROTO_MEMPOOL_ADDED);
    ck_assert_int_eq(pw_add(&w, m, &a), PROTO_MEMPOOL_DUPLICATE);
    ck_assert_int_eq(pw_add(&w, m, &b), PROTO_MEMPOOL_ADDED);
    ck_assert_int_eq(pw_add(&w, m, &c), PROTO_MEMPOOL_ADDED);
    ck_assert_int_eq(pw_add(&w, m, &d), PROTO_MEMPOOL_FULL);
    ck_assert_uint_eq(proto_mempool_count(m), 3);
    proto_hash h;
    proto_tx_hash(&b, &h);
    ck_assert(proto_mempool_contains(m, &h));
    proto_tx_hash(&d, &h);
    ck_assert(!proto_mempool_contains(m, &h));

    /* Stale: the state moved past nonce 0 of account 0. */
    ck_assert_int_eq(proto_state_apply_tx(w.s, &a, CHAIN_ID, w.c, NULL), PROTO_TX_OK);
    proto_tx a2 = pw_tx(&w, 0, 2, 6, 0);
    ck_assert_int_eq(pw_add(&w, m, &a2), PROTO_MEMPOOL_STALE);
    /* Accounts that cannot exist or a self-transfer: never valid. */
    proto_tx bad_to = pw_tx(&w, 0, 7, 1, 1);
    proto_tx self = pw_tx(&w, 1, 1, 1, 0);
    ck_assert_int_eq(pw_add(&w, m, &bad_to), PROTO_MEMPOOL_STALE);
    ck_assert_int_eq(pw_add(&w, m, &self), PROTO_MEMPOOL_STALE);
    ck_assert_uint_eq(proto_mempool_count(m), 3);
    proto_mempool_free(m);

    m = proto_mempool_new(0);
    ck_assert_int_eq(pw_add(&w, m, &d), PROTO_MEMPOOL_FULL);
    proto_mempool_free(m);
    pw_clear(&w);
}
END_TEST

START_TEST(test_remove_and_select_keeps)
{
    pool_world w;
    pw_init(&w, rich, 3);
    proto_mempool *m = proto_mempool_new(10);
    proto_tx a = pw_tx(&w, 0, 1, 5, 0);
    proto_tx b = pw_tx(&w, 1, 2, 5, 0);
    pw_add(&w, m, &a);
    pw_add(&w, m, &b);
    GArray *out = select_txs(m, w.s, 10);
    ck_assert_uint_eq(out->len, 2);
    ck_assert_uint_eq(proto_mempool_count(m), 2); /* select does not remove */
    g_array_unref(out);

    proto_hash ha;
    proto_tx_hash(&a, &ha);
    proto_mempool_remove(m, &ha);
    ck_assert(!proto_mempool_contains(m, &ha));
    ck_assert_uint_eq(proto_mempool_count(m), 1);
    proto_mempool_remove(m, &ha); /* absent: no effect */
    ck_assert_uint_eq(proto_mempool_count(m), 1);
    out = select_txs(m, w.s, 10);
    ck_assert_uint_eq(out->len, 1);
    ck_assert_uint_eq(out_at(out, 0)->from, 1);
    g_array_unref(out);
    /* A removed tx can be added again. */
    ck_assert_int_eq(pw_add(&w, m, &a), PROTO_MEMPOOL_ADDED);
    proto_mempool_free(m);
    pw_clear(&w);
}
END_TEST

/* The pool's clock: take_stale hands out what waited long enough, oldest
 * first, each transaction once, and never one that is too young. */
START_TEST(test_take_stale)
{
    pool_world w;
    pw_init(&w, rich, 3);
    proto_mempool *m = proto_mempool_new(10);
    proto_tx a = pw_tx(&w, 0, 1, 5, 0);
    proto_tx b = pw_tx(&w, 1, 2, 5, 0);
    proto_tx c = pw_tx(&w, 2, 0, 5, 0);
    pw_add(&w, m, &a);
    proto_mempool_tick(m);
    pw_add(&w, m, &b);
    proto_mempool_tick(m);
    pw_add(&w, m, &c);
    GArray *out = g_array_new(FALSE, FALSE, sizeof(proto_tx));
    proto_mempool_take_stale(m, 3, 10, out);
    ck_assert_uint_eq(out->len, 0); /* a has waited 2 ticks */
    proto_mempool_take_stale(m, 1, 10, out);
    ck_assert_uint_eq(out->len, 2); /* a and b, not c (0 ticks) */
    ck_assert_uint_eq(out_at(out, 0)->from, 0);
    ck_assert_uint_eq(out_at(out, 1)->from, 1);
    proto_mempool_tick(m);
    g_array_set_size(out, 0);
    proto_mempool_take_stale(m, 1, 10, out);
    ck_assert_uint_eq(out->len, 1); /* only c now: a and b went out already */
    ck_assert_uint_eq(out_at(out, 0)->from, 2);
    g_array_set_size(out, 0);
    proto_mempool_take_stale(m, 0, 10, out);
    ck_assert_uint_eq(out->len, 0);
    /* max bounds one call. */
    proto_mempool *m2 = proto_mempool_new(10);
    pw_add(&w, m2, &a);
    pw_add(&w, m2, &b);
    proto_mempool_take_stale(m2, 0, 1, out);
    ck_assert_uint_eq(out->len, 1);
    g_array_unref(out);
    proto_mempool_free(m2);
    proto_mempool_free(m);
    pw_clear(&w);
}
END_TEST

/* Nonces 2, 0, 1 arriving in that order come out 0, 1, 2, both within
 * one selection and one per call across blocks. */
START_TEST(test_nonce_order)
{
    pool_world w;
    pw_init(&w, rich, 2);
    proto_mempool *m = proto_mempool_new(10);
    static const uint64_t order[3] = {2, 0, 1};
    for (int i = 0; i < 3; i++) {
        proto_tx tx = pw_tx(&w, 0, 1, 10, order[i]);
        ck_assert_int_eq(pw_add(&w, m, &tx), PROTO_MEMPOOL_ADDED);
    }
    GArray *out = select_txs(m, w.s, 10);
    ck_assert_uint_eq(out->len, 3);
    for (guint i = 0; i < 3; i++) {
        ck_assert_uint_eq(out_at(out, i)->nonce, i);
    }
    g_array_unref(out);

    for (uint64_t expect = 0; expect < 3; expect++) {
        out = select_txs(m, w.s, 1);
        ck_assert_uint_eq(out->len, 1);
        ck_assert_uint_eq(out_at(out, 0)->nonce, expect);
        apply_all(&w, w.s, out);
        proto_hash h;
        proto_tx_hash(out_at(out, 0), &h);
        proto_mempool_remove(m, &h);
        g_array_unref(out);
    }
    ck_assert_uint_eq(proto_mempool_count(m), 0);
    proto_mempool_free(m);
    pw_clear(&w);
}
END_TEST

START_TEST(test_gap_holds_back_only_sender)
{
    pool_world w;
    pw_init(&w, rich, 3);
    proto_mempool *m = proto_mempool_new(10);
    proto_tx s0n0 = pw_tx(&w, 0, 2, 1, 0);
    proto_tx s0n2 = pw_tx(&w, 0, 2, 1, 2); /* nonce 1 missing */
    proto_tx s1n0 = pw_tx(&w, 1, 2, 1, 0);
    proto_tx s1n1 = pw_tx(&w, 1, 2, 1, 1);
    pw_add(&w, m, &s0n2);
    pw_add(&w, m, &s1n0);
    pw_add(&w, m, &s0n0);
    pw_add(&w, m, &s1n1);
    GArray *out = select_txs(m, w.s, 10);
    ck_assert_uint_eq(out->len, 3);
    ck_assert_uint_eq(out_at(out, 0)->from, 1); /* arrival order otherwise */
    ck_assert_uint_eq(out_at(out, 0)->nonce, 0);
    ck_assert_uint_eq(out_at(out, 1)->from, 0);
    ck_assert_uint_eq(out_at(out, 1)->nonce, 0);
    ck_assert_uint_eq(out_at(out, 2)->from, 1);
    ck_assert_uint_eq(out_at(out, 2)->nonce, 1);
    g_array_unref(out);
    ck_assert_uint_eq(proto_mempool_count(m), 4); /* the gapped tx waits */

    proto_tx s0n1 = pw_tx(&w, 0, 2, 1, 1);
    pw_add(&w, m, &s0n1);
    out = select_txs(m, w.s, 10);
    ck_assert_uint_eq(out->len, 5);
    g_array_unref(out);
    proto_mempool_free(m);
    pw_clear(&w);
}
END_TEST

START_TEST(test_stale_dropped_by_select)
{
    pool_world w;
    pw_init(&w, rich, 3);
    proto_mempool *m = proto_mempool_new(10);
    proto_tx pooled = pw_tx(&w, 0, 1, 5, 0);
    proto_tx later = pw_tx(&w, 0, 1, 5, 1);
    proto_tx other = pw_tx(&w, 2, 1, 5, 0);
    pw_add(&w, m, &pooled);
    pw_add(&w, m, &later);
    pw_add(&w, m, &other);
    /* A conflicting tx with the same nonce got into a block elsewhere. */
    proto_tx rival = pw_tx(&w, 0, 2, 7, 0);
    ck_assert_int_eq(proto_state_apply_tx(w.s, &rival, CHAIN_ID, w.c, NULL), PROTO_TX_OK);
    GArray *out = select_txs(m, w.s, 10);
    ck_assert_uint_eq(out->len, 2);
    ck_assert_uint_eq(out_at(out, 0)->nonce, 1);
    ck_assert_uint_eq(out_at(out, 1)->from, 2);
    ck_assert_uint_eq(proto_mempool_count(m), 2);
    proto_hash h;
    proto_tx_hash(&pooled, &h);
    ck_assert(!proto_mempool_contains(m, &h));
    g_array_unref(out);
    proto_mempool_free(m);
    pw_clear(&w);
}
END_TEST

/* Running balances: a sender cannot overspend across its own txs, and a
 * recipient can spend what an earlier tx of the same block gave it. */
START_TEST(test_running_balances)
{
    static const uint64_t balances[3] = {125, 0, 0};
    pool_world w;
    pw_init(&w, balances, 3);
    proto_mempool *m = proto_mempool_new(10);
    proto_tx b_spends = pw_tx(&w, 1, 2, 50, 0);  /* B has nothing yet */
    proto_tx a_pays = pw_tx(&w, 0, 1, 60, 0);    /* costs 61 */
    proto_tx a_again = pw_tx(&w, 0, 2, 60, 1);   /* 61 more: 122 <= 125 */
    proto_tx a_broke = pw_tx(&w, 0, 2, 60, 2);   /* would need 183 */
    pw_add(&w, m, &b_spends);
    pw_add(&w, m, &a_pays);
    pw_add(&w, m, &a_again);
    pw_add(&w, m, &a_broke);
    GArray *out = select_txs(m, w.s, 10);
    ck_assert_uint_eq(out->len, 3);
    ck_assert_uint_eq(out_at(out, 0)->from, 0);
    ck_assert_uint_eq(out_at(out, 1)->from, 1); /* right after it was funded */
    ck_assert_uint_eq(out_at(out, 2)->nonce, 1);
    proto_state *copy = proto_state_copy(w.s);
    apply_all(&w, copy, out);
    ck_assert_uint_eq(proto_state_account(copy, 0)->balance, 3);
    proto_state_free(copy);
    ck_assert_uint_eq(proto_mempool_count(m), 4); /* unaffordable is kept, not dropped */
    g_array_unref(out);
    proto_mempool_free(m);
    pw_clear(&w);
}
END_TEST

START_TEST(test_txs_max)
{
    pool_world w;
    pw_init(&w, rich, 4);
    proto_mempool *m = proto_mempool_new(100);
    for (uint32_t s = 0; s < 4; s++) {
        for (uint64_t n = 0; n < 5; n++) {
            proto_tx tx = pw_tx(&w, s, (s + 1) % 4, 1, n);
            pw_add(&w, m, &tx);
        }
    }
    GArray *out = select_txs(m, w.s, 7);
    ck_assert_uint_eq(out->len, 7);
    proto_state *copy = proto_state_copy(w.s);
    apply_all(&w, copy, out);
    proto_state_free(copy);
    g_array_unref(out);
    out = select_txs(m, w.s, 0);
    ck_assert_uint_eq(out->len, 0);
    g_array_unref(out);
    out = select_txs(m, w.s, 1000);
    ck_assert_uint_eq(out->len, 20);
    g_array_unref(out);
    proto_mempool_free(m);
    pw_clear(&w);
}
END_TEST

static uint64_t xorshift(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* Random pools: a selection always applies in order, the same adds always
 * give the same selection, and repeated select/apply/remove goes on until
 * no pooled tx is valid on its own against the state. */
START_TEST(test_random_pools_apply_cleanly)
{
    static const uint64_t balances[6] = {400, 300, 200, 100, 50, 0};
    int taken_total = 0;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        pool_world w;
        pw_init(&w, balances, 6);
        proto_mempool *m1 = proto_mempool_new(64);
        proto_mempool *m2 = proto_mempool_new(64);
        proto_tx added[80];
        uint64_t rng = seed * 0x9E3779B97F4A7C15u;
        for (int i = 0; i < 80; i++) {
            uint32_t from = (uint32_t)(xorshift(&rng) % 6);
            uint32_t to = (uint32_t)((from + 1 + xorshift(&rng) % 5) % 6);
            added[i] = pw_tx(&w, from, to, xorshift(&rng) % 120, xorshift(&rng) % 6);
            ck_assert_int_eq(pw_add(&w, m1, &added[i]), pw_add(&w, m2, &added[i]));
        }
        int taken = 0;
        for (int round = 0; round < 100; round++) {
            GArray *o1 = select_txs(m1, w.s, 8);
            GArray *o2 = select_txs(m2, w.s, 8);
            ck_assert_uint_eq(o1->len, o2->len);
            guint n = o1->len;
            if (n > 0) {
                ck_assert_mem_eq(o1->data, o2->data, n * sizeof(proto_tx));
            }
            apply_all(&w, w.s, o1);
            for (guint i = 0; i < n; i++) {
                proto_hash h;
                proto_tx_hash(out_at(o1, i), &h);
                proto_mempool_remove(m1, &h);
                proto_mempool_remove(m2, &h);
            }
            taken += (int)n;
            g_array_unref(o1);
            g_array_unref(o2);
            if (n == 0) {
                break;
            }
        }
        ck_assert_int_gt(taken, 0);
        taken_total += taken;
        for (int i = 0; i < 80; i++) {
            proto_hash h;
            proto_tx_hash(&added[i], &h);
            if (proto_mempool_contains(m1, &h)) {
                ck_assert_int_ne(proto_state_check_tx(w.s, &added[i], CHAIN_ID, w.c), PROTO_TX_OK);
            }
        }
        proto_mempool_free(m1);
        proto_mempool_free(m2);
        pw_clear(&w);
    }
    ck_assert_int_gt(taken_total, 200); /* 338 with these seeds */
}
END_TEST

static Suite *mempool_suite(void)
{
    Suite *s = suite_create("mempool");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_admission);
    tcase_add_test(tc, test_remove_and_select_keeps);
    tcase_add_test(tc, test_take_stale);
    tcase_add_test(tc, test_nonce_order);
    tcase_add_test(tc, test_gap_holds_back_only_sender);
    tcase_add_test(tc, test_stale_dropped_by_select);
    tcase_add_test(tc, test_running_balances);
    tcase_add_test(tc, test_txs_max);
    tcase_add_test(tc, test_random_pools_apply_cleanly);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(mempool_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
