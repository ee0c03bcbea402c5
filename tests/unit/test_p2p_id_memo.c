/* Unit tests for the gossip id memo (protocol/memo/p2p_id_memo.c).
 *
 * The memo must give exactly the ids p2p_id_of gives: for the same buffer
 * (a hit), for equal bytes in another buffer (a hit, matched byte by
 * byte), for bytes that differ only at the end (a miss), at an offset
 * (gossip envelopes), under the size threshold (never remembered) and
 * after more messages than it holds (least recently used replaced). A
 * mesh of real p2p nodes gossiping big messages gives the same trace with
 * the memo as without it. */
#include <check.h>
#include <string.h>

#include "protocol/core/msgtype.h"
#include "protocol/memo/p2p_id_memo.h"
#include "support/p2p_hub.h"

static GBytes *bytes_of(uint32_t tag, uint32_t size)
{
    uint8_t *data = g_malloc(size);
    uint64_t x = 0x9E3779B97F4A7C15ull * (tag + 1);
    for (uint32_t i = 0; i < size; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        data[i] = (uint8_t)x;
    }
    return g_bytes_new_take(data, size);
}

static void assert_id(p2p_id_memo *m, GBytes *owner, size_t offset)
{
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(owner, &size);
    p2p_id want, got;
    p2p_id_of(&want, data + offset, size - offset);
    p2p_id_memo_of(m, owner, offset, &got);
    ck_assert(p2p_id_equal(&want, &got));
}

START_TEST(test_same_buffer_and_equal_bytes_hit)
{
    p2p_id_memo *m = p2p_id_memo_new(4);
    GBytes *a = bytes_of(1, 10000);
    assert_id(m, a, 0);
    assert_id(m, a, 0);
    gsize size = 0;
    const void *data = g_bytes_get_data(a, &size);
    GBytes *copy = g_bytes_new(data, size); /* equal bytes, another buffer */
    assert_id(m, copy, 0);
    ck_assert_uint_eq(p2p_id_memo_stats_get(m).misses, 1);
    ck_assert_uint_eq(p2p_id_memo_stats_get(m).hits, 2);
    /* The same size, one byte different at the very end: its own id. */
    uint8_t *changed = g_memdup2(data, size);
    changed[size - 1] ^= 1;
    GBytes *other = g_bytes_new_take(changed, size);
    assert_id(m, other, 0);
    ck_assert_uint_eq(p2p_id_memo_stats_get(m).misses, 2);
    g_bytes_unref(a);
    g_bytes_unref(copy);
    g_bytes_unref(other);
    p2p_id_memo_free(m);
}
END_TEST

START_TEST(test_offsets_small_and_null)
{
    p2p_id_memo *m = p2p_id_memo_new(4);
    GBytes *env = bytes_of(2, 9000);
    assert_id(m, env, 2);  /* the message inside an envelope */
    assert_id(m, env, 0);  /* the whole buffer is another message */
    assert_id(m, env, 2);
    ck_assert_uint_eq(p2p_id_memo_stats_get(m).misses, 2);
    ck_assert_uint_eq(p2p_id_memo_stats_get(m).hits, 1);
    GBytes *small = bytes_of(3, P2P_ID_MEMO_BYTES_MIN - 1);
    assert_id(m, small, 0);
    assert_id(m, small, 0);
    ck_assert_uint_eq(p2p_id_memo_stats_get(m).misses + p2p_id_memo_stats_get(m).hits, 3);
    assert_id(NULL, env, 2);
    assert_id(NULL, small, 0);
    g_bytes_unref(env);
    g_bytes_unref(small);
    p2p_id_memo_free(m);
}
END_TEST

START_TEST(test_least_recently_used_replaced)
{
    p2p_id_memo *m = p2p_id_memo_new(3);
    GBytes *msgs[5];
    for (uint32_t i = 0; i < 5; i++)
        msgs[i] = bytes_of(10 + i, 5000 + i);
    for (uint32_t i = 0; i < 3; i++)
        assert_id(m, msgs[i], 0); /* 0 1 2 held */
    assert_id(m, msgs[0], 0);     /* 0 used last: 1 is the oldest */
    assert_id(m, msgs[3], 0);     /* replaces 1 */
    uint64_t misses = p2p_id_memo_stats_get(m).misses;
    assert_id(m, msgs[0], 0);
    assert_id(m, msgs[2], 0);
    assert_id(m, msgs[3], 0);
    ck_assert_uint_eq(p2p_id_memo_stats_get(m).misses, misses);
    assert_id(m, msgs[1], 0);     /* forgotten: computed again */
    ck_assert_uint_eq(p2p_id_memo_stats_get(m).misses, misses + 1);
    for (uint32_t round = 0; round < 50; round++)
        assert_id(m, msgs[(round * 7) % 5], 0);
    for (uint32_t i = 0; i < 5; i++)
        g_bytes_unref(msgs[i]);
    p2p_id_memo_free(m);
}
END_TEST

static uint64_t gossip_trace(bool memo)
{
    p2p_hub *h = g_new0(p2p_hub, 1);
    p2p_hub_init(h, 21, 4, 20, 6);
    p2p_id_memo *m = memo ? p2p_id_memo_new(8) : NULL;
    h->params.id_memo = m;
    p2p_hub_start_all(h);
    p2p_hub_run_until(h, P2P_HUB_SEC(10));
    for (uint32_t k = 0; k < 12; k++) {
        GBytes *big = p2p_hub_payload(PROTO_MSG_PBFT_DECIDED, 200 + k, 6000 + 3000 * k);
        const proto_env *env = p2p_hub_inner_env(h, 4 + k);
        env->broadcast(env->ctx, PROTO_SCOPE_ALL, big);
        g_bytes_unref(big);
        p2p_hub_run_for(h, P2P_HUB_SEC(0.3));
    }
    p2p_hub_run_for(h, P2P_HUB_SEC(5));
    uint64_t trace = h->trace;
    if (memo)
        ck_assert_uint_gt(p2p_id_memo_stats_get(m).hits, 12 * 10);
    p2p_hub_clear(h);
    g_free(h);
    p2p_id_memo_free(m);
    return trace;
}

START_TEST(test_mesh_same_trace_with_memo)
{
    ck_assert_uint_eq(gossip_trace(false), gossip_trace(true));
}
END_TEST

static Suite *p2p_id_memo_suite(void)
{
    Suite *s = suite_create("p2p_id_memo");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_same_buffer_and_equal_bytes_hit);
    tcase_add_test(tc, test_offsets_small_and_null);
    tcase_add_test(tc, test_least_recently_used_replaced);
    tcase_add_test(tc, test_mesh_same_trace_with_memo);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(p2p_id_memo_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
