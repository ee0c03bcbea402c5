/* Unit tests for the p2p layer's small parts: token buckets
 * (protocol/p2p/p2p_budget.c), the address book (p2p_addrbook.c) and the
 * message cache (p2p_mcache.c).
 *
 * Buckets start full with one second of burst, refill exactly at their
 * rate in integer arithmetic, never over the burst, and refuse what does
 * not fit without taking anything. The address book stays sorted, bounded
 * and ranks candidates as documented, evicting the worst. The message
 * cache serves what it holds, once per peer, until it expires or is
 * pushed out. */
#include <check.h>

#include "protocol/p2p/p2p_addrbook.h"
#include "protocol/p2p/p2p_budget.h"
#include "protocol/p2p/p2p_mcache.h"

#define SEC 1000000000LL

START_TEST(test_bucket_burst_and_refill)
{
    p2p_bucket b;
    p2p_bucket_init(&b, 100, 0);
    for (int i = 0; i < 100; i++)
        ck_assert(p2p_bucket_take(&b, 100, 1, 0));
    ck_assert(!p2p_bucket_take(&b, 100, 1, 0));
    /* 10 ms refill one token at 100/s. */
    ck_assert(!p2p_bucket_take(&b, 100, 1, SEC / 100 - 1));
    ck_assert(p2p_bucket_take(&b, 100, 1, SEC / 100));
    ck_assert(!p2p_bucket_take(&b, 100, 1, SEC / 100));
    /* A long pause refills one second's worth, no more. */
    ck_assert(p2p_bucket_take(&b, 100, 100, 100 * SEC));
    ck_assert(!p2p_bucket_take(&b, 100, 1, 100 * SEC));
    /* A refused take leaves the level as it was. */
    ck_assert(!p2p_bucket_take(&b, 100, 60, 100 * SEC + SEC / 2));
    ck_assert(p2p_bucket_take(&b, 100, 50, 100 * SEC + SEC / 2));
    /* More than a second's worth never fits. */
    ck_assert(!p2p_bucket_take(&b, 100, 101, 1000 * SEC));
}
END_TEST

START_TEST(test_bucket_sustained_rate)
{
    /* Offered 3x the rate for 10 s: about rate x (10 s + 1 s of burst) pass. */
    p2p_bucket b;
    const uint64_t rate = 64ULL * 1024 * 1024;
    p2p_bucket_init(&b, rate, 0);
    uint64_t passed = 0;
    for (int64_t t = 0; t < 10 * SEC; t += SEC / 1000) {
        uint64_t chunk = 3 * rate / 1000;
        if (p2p_bucket_take(&b, rate, chunk, t))
            passed += chunk;
    }
    ck_assert_uint_ge(passed, 10 * rate);
    ck_assert_uint_le(passed, 11 * rate + 3 * rate / 1000);
}
END_TEST

START_TEST(test_addrbook_sorted_bounded)
{
    p2p_addrbook b;
    p2p_addrbook_init(&b, 8);
    uint32_t ids[] = {50, 10, 30, 20, 40, 60, 70, 80};
    for (size_t i = 0; i < G_N_ELEMENTS(ids); i++)
        ck_assert_ptr_nonnull(p2p_addrbook_add(&b, ids[i], P2P_HINT_UNKNOWN, (uint32_t)i));
    ck_assert_uint_eq(b.count, 8);
    for (uint32_t i = 1; i < b.count; i++)
        ck_assert_uint_lt(b.addrs[i - 1].id, b.addrs[i].id);
    /* The worst (unknown hint, highest tiebreak: id 80) makes room for a
     * validator's neighbour... */
    ck_assert_ptr_nonnull(p2p_addrbook_add(&b, 5, 1, 100));
    ck_assert_ptr_null(p2p_addrbook_find(&b, 80));
    ck_assert_uint_eq(b.count, 8);
    /* ...but not for a worse candidate. */
    ck_assert_ptr_null(p2p_addrbook_add(&b, 90, P2P_HINT_UNKNOWN, 1000));
    /* A known address takes the lower hint. */
    ck_assert_int_eq(p2p_addrbook_add(&b, 50, 3, 0)->hint, 3);
    ck_assert_int_eq(p2p_addrbook_add(&b, 50, 7, 0)->hint, 3);
    p2p_addrbook_remove(&b, 50);
    ck_assert_ptr_null(p2p_addrbook_find(&b, 50));
    ck_assert_uint_eq(b.count, 7);
    p2p_addrbook_clear(&b);
}
END_TEST

START_TEST(test_addr_rank)
{
    p2p_addr a = {.id = 1, .hint = 1, .rtt_ns = -1, .tiebreak = 5};
    p2p_addr b = {.id = 2, .hint = 2, .rtt_ns = 10, .tiebreak = 1};
    ck_assert_int_lt(p2p_addr_rank_compare(&a, &b), 0); /* hint first */
    b.hint = 1;
    ck_assert_int_gt(p2p_addr_rank_compare(&a, &b), 0); /* known RTT before unknown */
    a.rtt_ns = 5;
    ck_assert_int_lt(p2p_addr_rank_compare(&a, &b), 0); /* lower RTT */
    a.failures = 1;
    a.hint = 0;
    ck_assert_int_gt(p2p_addr_rank_compare(&a, &b), 0); /* fewer failures before all */
    a.failures = 0;
    a.hint = 1;
    b.rtt_ns = 5;
    ck_assert_int_gt(p2p_addr_rank_compare(&a, &b), 0); /* then tiebreak */
    ck_assert_int_eq(p2p_addr_rank_compare(&a, &a), 0);
}
END_TEST

static p2p_mcache_result serve(p2p_mcache *m, const p2p_id *id, proto_node_id peer, int64_t now,
                               GBytes *expect)
{
    GBytes *got = NULL;
    p2p_mcache_result r = p2p_mcache_serve(m, id, peer, now, &got);
    if (r == P2P_MCACHE_SERVE)
        ck_assert_ptr_eq(got, expect);
    return r;
}

START_TEST(test_mcache_serves_once_until_expiry)
{
    p2p_mcache m;
    p2p_mcache_init(&m, 3, 10 * SEC);
    p2p_id ids[5];
    GBytes *env[5];
    for (uint32_t i = 0; i < 5; i++) {
        p2p_id_of(&ids[i], &i, sizeof i);
        env[i] = g_bytes_new(&i, sizeof i);
    }
    p2p_mcache_put(&m, &ids[0], env[0], 0);
    p2p_mcache_put(&m, &ids[1], env[1], SEC);
    ck_assert_int_eq(serve(&m, &ids[0], 7, 2 * SEC, env[0]), P2P_MCACHE_SERVE);
    ck_assert_int_eq(serve(&m, &ids[0], 7, 2 * SEC, env[0]), P2P_MCACHE_REPEAT);
    ck_assert_int_eq(serve(&m, &ids[0], 8, 2 * SEC, env[0]), P2P_MCACHE_SERVE);
    ck_assert_int_eq(serve(&m, &ids[0], 9, 10 * SEC, env[0]), P2P_MCACHE_MISSING); /* expired */
    ck_assert_int_eq(serve(&m, &ids[1], 9, 10 * SEC, env[1]), P2P_MCACHE_SERVE);
    for (uint32_t i = 2; i < 5; i++)
        p2p_mcache_put(&m, &ids[i], env[i], 10 * SEC);
    ck_assert_int_eq(serve(&m, &ids[1], 8, 10 * SEC, env[1]), P2P_MCACHE_MISSING); /* pushed out */
    for (uint32_t i = 2; i < 5; i++)
        ck_assert_int_eq(serve(&m, &ids[i], 1, 10 * SEC, env[i]), P2P_MCACHE_SERVE);
    p2p_mcache_clear(&m);
    for (uint32_t i = 0; i < 5; i++)
        g_bytes_unref(env[i]);
}
END_TEST

static Suite *p2p_parts_suite(void)
{
    Suite *s = suite_create("p2p_parts");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_bucket_burst_and_refill);
    tcase_add_test(tc, test_bucket_sustained_rate);
    tcase_add_test(tc, test_addrbook_sorted_bounded);
    tcase_add_test(tc, test_addr_rank);
    tcase_add_test(tc, test_mcache_serves_once_until_expiry);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(p2p_parts_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
