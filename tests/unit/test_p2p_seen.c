/* Unit tests for the gossip seen-cache (protocol/p2p/p2p_seen.c).
 *
 * Duplicates are found (and remember who delivered first); ids expire
 * exactly ttl_ns after they were added; at the cap the oldest ids go
 * first, in insertion order; heap memory follows what is held (nothing
 * when empty, at most a small constant per id, shrinking after expiry);
 * and a long random workload agrees with a naive reference model at every
 * step (which exercises deletion from the probe chains). */
#include <check.h>
#include <string.h>

#include "protocol/p2p/p2p_seen.h"

static p2p_id id_n(uint32_t n)
{
    p2p_id id;
    p2p_id_of(&id, &n, sizeof n);
    return id;
}

START_TEST(test_duplicates_found)
{
    p2p_seen s;
    p2p_seen_init(&s, 100, 1000, 7);
    for (uint32_t i = 0; i < 50; i++) {
        p2p_id id = id_n(i);
        ck_assert(p2p_seen_insert(&s, &id, i + 1000, 10));
    }
    for (uint32_t i = 0; i < 50; i++) {
        p2p_id id = id_n(i);
        ck_assert(!p2p_seen_insert(&s, &id, 5, 20));
        const p2p_seen_entry *e = p2p_seen_lookup(&s, &id, 20);
        ck_assert_ptr_nonnull(e);
        ck_assert_uint_eq(e->from, i + 1000); /* the first deliverer stays */
        ck_assert_int_eq(e->at_ns, 10);
    }
    p2p_id other = id_n(50);
    ck_assert_ptr_null(p2p_seen_lookup(&s, &other, 20));
    ck_assert_uint_eq(p2p_seen_count(&s), 50);
    p2p_seen_clear(&s);
}
END_TEST

START_TEST(test_ttl_expiry)
{
    p2p_seen s;
    p2p_seen_init(&s, 100, 1000, 7);
    p2p_id a = id_n(1), b = id_n(2);
    ck_assert(p2p_seen_insert(&s, &a, 1, 0));
    ck_assert(p2p_seen_insert(&s, &b, 1, 500));
    ck_assert_ptr_nonnull(p2p_seen_lookup(&s, &a, 999));
    ck_assert_ptr_null(p2p_seen_lookup(&s, &a, 1000)); /* exactly ttl later: gone */
    ck_assert_ptr_nonnull(p2p_seen_lookup(&s, &b, 1000));
    ck_assert_uint_eq(p2p_seen_count(&s), 1);
    ck_assert(p2p_seen_insert(&s, &a, 2, 1000)); /* new again */
    ck_assert_ptr_null(p2p_seen_lookup(&s, &b, 1500));
    p2p_seen_expire(&s, 5000);
    ck_assert_uint_eq(p2p_seen_count(&s), 0);
    ck_assert_uint_eq(p2p_seen_memory_bytes(&s), 0);
    p2p_seen_clear(&s);
}
END_TEST

START_TEST(test_cap_evicts_oldest_first)
{
    p2p_seen s;
    p2p_seen_init(&s, 10, 1000000, 7);
    for (uint32_t i = 0; i < 25; i++) {
        p2p_id id = id_n(i);
        ck_assert(p2p_seen_insert(&s, &id, 0, i));
        ck_assert_uint_le(p2p_seen_count(&s), 10);
        /* Held: exactly the last min(i + 1, 10) ids. */
        for (uint32_t k = 0; k <= i; k++) {
            p2p_id q = id_n(k);
            bool held = p2p_seen_lookup(&s, &q, i) != NULL;
            ck_assert_msg(held == (k + 10 > i), "after %u inserts, id %u held=%d", i + 1, k, held);
        }
    }
    p2p_seen_clear(&s);
}
END_TEST

START_TEST(test_memory_bounded)
{
    p2p_seen s;
    p2p_seen_init(&s, 1000, 100, 7);
    ck_assert_uint_eq(p2p_seen_memory_bytes(&s), 0);
    p2p_id one = id_n(0);
    p2p_seen_insert(&s, &one, 0, 0);
    size_t small = p2p_seen_memory_bytes(&s);
    ck_assert_uint_gt(small, 0);
    ck_assert_uint_le(small, 1024); /* a node that saw one message holds little */
    for (uint32_t i = 1; i < 5000; i++) {
        p2p_id id = id_n(i);
        p2p_seen_insert(&s, &id, 0, 0);
    }
    ck_assert_uint_eq(p2p_seen_count(&s), 1000);
    /* Ring and index at most double what is held. */
    ck_assert_uint_le(p2p_seen_memory_bytes(&s),
                      2 * 1000 * (sizeof(p2p_seen_entry) + 2 * sizeof(uint32_t)));
    /* Half expire... */
    p2p_seen_expire(&s, 50);
    for (uint32_t i = 0; i < 10; i++) {
        p2p_id id = id_n(100000 + i);
        p2p_seen_insert(&s, &id, 0, 60);
    }
    p2p_seen_expire(&s, 100); /* ...all but the last 10 */
    ck_assert_uint_eq(p2p_seen_count(&s), 10);
    /* Shrunk back to at most 4 slots per id held (32 ring slots here). */
    ck_assert_uint_le(p2p_seen_memory_bytes(&s),
                      4 * 10 * (sizeof(p2p_seen_entry) + 2 * sizeof(uint32_t)));
    p2p_seen_clear(&s);
    ck_assert_uint_eq(p2p_seen_memory_bytes(&s), 0);
}
END_TEST

/* Reference: a plain list of (id, time), oldest first. */
typedef struct ref_entry {
    uint32_t n;
    int64_t at;
} ref_entry;

START_TEST(test_matches_reference)
{
    const uint32_t cap = 300;
    const int64_t ttl = 400;
    p2p_seen s;
    p2p_seen_init(&s, cap, ttl, 99);
    GArray *ref = g_array_new(FALSE, FALSE, sizeof(ref_entry));
    uint64_t x = 1;
    int64_t now = 0;
    for (int step = 0; step < 40000; step++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        now += (int64_t)((x >> 60) % 3);
        uint32_t n = (uint32_t)((x >> 33) % 1500); /* many repeats */
        while (ref->len > 0 && g_array_index(ref, ref_entry, 0).at <= now - ttl)
            g_array_remove_index(ref, 0);
        bool in_ref = false;
        for (guint i = 0; i < ref->len; i++)
            in_ref |= g_array_index(ref, ref_entry, i).n == n;
        p2p_id id = id_n(n);
        bool fresh = p2p_seen_insert(&s, &id, 0, now);
        ck_assert_msg(fresh == !in_ref, "step %d id %u", step, n);
        if (fresh) {
            if (ref->len == cap)
                g_array_remove_index(ref, 0);
            ref_entry e = {n, now};
            g_array_append_val(ref, e);
        }
        ck_assert_uint_eq(p2p_seen_count(&s), ref->len);
    }
    g_array_unref(ref);
    p2p_seen_clear(&s);
}
END_TEST

static Suite *p2p_seen_suite(void)
{
    Suite *s = suite_create("p2p_seen");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_duplicates_found);
    tcase_add_test(tc, test_ttl_expiry);
    tcase_add_test(tc, test_cap_evicts_oldest_first);
    tcase_add_test(tc, test_memory_bounded);
    tcase_add_test(tc, test_matches_reference);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(p2p_seen_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
