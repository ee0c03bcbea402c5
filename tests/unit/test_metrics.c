/* Unit tests for the results container (sim/figures/metrics.c): block records
 * found by hash, figures that keep their first-set order, fault records
 * that own their strings, and the nearest-rank percentile. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/figures/metrics.h"

static proto_hash test_hash(uint32_t n)
{
    proto_hash h;
    memset(&h, 0, sizeof h);
    /* vary both the first bytes (hashed) and the last (compared) */
    memcpy(h.bytes, &n, sizeof n);
    h.bytes[PROTO_HASH_SIZE - 1] = (uint8_t)(n * 7);
    return h;
}

START_TEST(test_new_is_empty)
{
    sim_metrics *m = sim_metrics_new();
    ck_assert_uint_eq(m->blocks->len, 0);
    ck_assert_uint_eq(m->commits->len, 0);
    ck_assert_uint_eq(m->faults->len, 0);
    ck_assert_uint_eq(m->txs->len, 0);
    ck_assert_uint_eq(m->fees->len, 0);
    ck_assert_uint_eq(m->alarms->len, 0);
    ck_assert_uint_eq(m->figures->len, 0);
    ck_assert_uint_eq(m->partitions->len, 0);
    ck_assert_uint_eq(m->churn->len, 0);
    ck_assert_uint_eq(m->peers->len, 0);
    sim_metrics_free(m);
    sim_metrics_free(NULL);
}
END_TEST

START_TEST(test_block_found_by_hash)
{
    sim_metrics *m = sim_metrics_new();
    proto_hash a = test_hash(1);
    proto_hash b = test_hash(2);
    ck_assert_uint_eq(sim_metrics_block(m, &a), 0);
    ck_assert_uint_eq(sim_metrics_block(m, &b), 1);
    ck_assert_uint_eq(sim_metrics_block(m, &a), 0);
    ck_assert_uint_eq(m->blocks->len, 2);

    const sim_block_record *rec = &g_array_index(m->blocks, sim_block_record, 1);
    ck_assert(memcmp(rec->hash.bytes, b.bytes, PROTO_HASH_SIZE) == 0);
    ck_assert_int_eq(rec->proposed_ns, -1);
    ck_assert_int_eq(rec->first_final_ns, -1);
    ck_assert_int_eq(rec->reached_all_ns, -1);
    ck_assert_int_eq(rec->reached_p50_ns, -1);
    ck_assert_int_eq(rec->reached_p90_ns, -1);
    ck_assert_int_eq(rec->reached_p99_ns, -1);
    ck_assert_uint_eq(rec->live_count, 0);
    ck_assert_uint_eq(rec->height, 0);
    ck_assert_uint_eq(rec->reached_count, 0);
    sim_metrics_free(m);
}
END_TEST

START_TEST(test_block_indexes_survive_growth)
{
    /* The record array reallocates as it grows; lookups must not care. */
    sim_metrics *m = sim_metrics_new();
    for (uint32_t i = 0; i < 5000; i++) {
        proto_hash h = test_hash(i);
        uint32_t index = sim_metrics_block(m, &h);
        ck_assert_uint_eq(index, i);
        g_array_index(m->blocks, sim_block_record, index).height = i + 100;
    }
    for (uint32_t i = 0; i < 5000; i += 7) {
        proto_hash h = test_hash(i);
        uint32_t index = sim_metrics_block(m, &h);
        ck_assert_uint_eq(index, i);
        ck_assert_uint_eq(g_array_index(m->blocks, sim_block_record, index).height, i + 100);
    }
    /* Same first bytes, different last byte: a different block. */
    proto_hash h = test_hash(3);
    h.bytes[PROTO_HASH_SIZE - 1] ^= 0xff;
    ck_assert_uint_eq(sim_metrics_block(m, &h), 5000);
    sim_metrics_free(m);
}
END_TEST

START_TEST(test_figures_keep_order_and_replace)
{
    sim_metrics *m = sim_metrics_new();
    sim_metrics_figure(m, "throughput_tps", 10.0);
    sim_metrics_figure(m, "finality_p99_s", 2.5);
    sim_metrics_figure(m, "forks", 0.0);
    sim_metrics_figure(m, "throughput_tps", 12.0);
    ck_assert_uint_eq(m->figures->len, 3);
    ck_assert_str_eq(g_array_index(m->figures, sim_figure, 0).name, "throughput_tps");
    ck_assert_str_eq(g_array_index(m->figures, sim_figure, 1).name, "finality_p99_s");
    ck_assert_str_eq(g_array_index(m->figures, sim_figure, 2).name, "forks");
    ck_assert_double_eq(sim_metrics_get(m, "throughput_tps", -1), 12.0);
    ck_assert_double_eq(sim_metrics_get(m, "forks", -1), 0.0);
    ck_assert_double_eq(sim_metrics_get(m, "missing", -1), -1.0);
    ck_assert(isnan(sim_metrics_get(m, "missing", NAN)));
    sim_metrics_free(m);
}
END_TEST

START_TEST(test_figure_name_is_copied)
{
    sim_metrics *m = sim_metrics_new();
    char name[32];
    g_strlcpy(name, "messages.tx.sent", sizeof name);
    sim_metrics_figure(m, name, 5);
    name[0] = 'X';
    ck_assert_double_eq(sim_metrics_get(m, "messages.tx.sent", -1), 5);
    sim_metrics_free(m);
}
END_TEST

START_TEST(test_fault_records_own_strings)
{
    sim_metrics *m = sim_metrics_new();
    char nodes[16];
    g_strlcpy(nodes, "v7 v8 v9", sizeof nodes);
    sim_metrics_fault(m, "crash-three", "crash", 60000000000LL, 300000000000LL, nodes);
    sim_metrics_fault(m, "rotate", "rotate-key", 1, -1, NULL);
    nodes[0] = 'X';
    ck_assert_uint_eq(m->faults->len, 2);
    const sim_fault_record *f = &g_array_index(m->faults, sim_fault_record, 0);
    ck_assert_str_eq(f->name, "crash-three");
    ck_assert_str_eq(f->action, "crash");
    ck_assert_str_eq(f->nodes, "v7 v8 v9");
    ck_assert_int_eq(f->at_ns, 60000000000LL);
    ck_assert_int_eq(f->until_ns, 300000000000LL);
    f = &g_array_index(m->faults, sim_fault_record, 1);
    ck_assert_ptr_null(f->nodes);
    ck_assert_int_eq(f->until_ns, -1);
    sim_metrics_free(m); /* ASan reports a leak if the strings are not freed */
}
END_TEST

START_TEST(test_percentile_nearest_rank)
{
    /* The textbook example: 15 20 35 40 50. */
    int64_t v[] = { 50, 15, 40, 35, 20 };
    ck_assert_int_eq(sim_percentile_i64(v, 5, 5), 15);
    ck_assert_int_eq(sim_percentile_i64(v, 5, 30), 20);
    ck_assert_int_eq(sim_percentile_i64(v, 5, 40), 20);
    ck_assert_int_eq(sim_percentile_i64(v, 5, 50), 35);
    ck_assert_int_eq(sim_percentile_i64(v, 5, 100), 50);
    /* sorted in place */
    for (int i = 1; i < 5; i++) {
        ck_assert_int_le(v[i - 1], v[i]);
    }
}
END_TEST

START_TEST(test_percentile_whole_ranks_are_exact)
{
    /* 90% of 10 values is rank 9 exactly, not 10 (a float-rounding trap). */
    int64_t ten[10];
    for (int i = 0; i < 10; i++) {
        ten[i] = 10 - i;
    }
    ck_assert_int_eq(sim_percentile_i64(ten, 10, 90), 9);
    ck_assert_int_eq(sim_percentile_i64(ten, 10, 10), 1);
    ck_assert_int_eq(sim_percentile_i64(ten, 10, 50), 5);
    ck_assert_int_eq(sim_percentile_i64(ten, 10, 51), 6);

    int64_t hundred[100];
    for (int i = 0; i < 100; i++) {
        hundred[i] = (i * 37) % 100 + 1; /* a permutation of 1..100 */
    }
    ck_assert_int_eq(sim_percentile_i64(hundred, 100, 99), 99);
    ck_assert_int_eq(sim_percentile_i64(hundred, 100, 99.5), 100);
    ck_assert_int_eq(sim_percentile_i64(hundred, 100, 1), 1);
    ck_assert_int_eq(sim_percentile_i64(hundred, 100, 0.5), 1);
}
END_TEST

START_TEST(test_percentile_edges)
{
    int64_t one[] = { 42 };
    ck_assert_int_eq(sim_percentile_i64(one, 1, 0), 42);
    ck_assert_int_eq(sim_percentile_i64(one, 1, 50), 42);
    ck_assert_int_eq(sim_percentile_i64(one, 1, 100), 42);
    ck_assert_int_eq(sim_percentile_i64(NULL, 0, 50), 0);

    int64_t v[] = { 3, -5, 9 };
    ck_assert_int_eq(sim_percentile_i64(v, 3, -10), -5);
    ck_assert_int_eq(sim_percentile_i64(v, 3, 0), -5);
    ck_assert_int_eq(sim_percentile_i64(v, 3, 250), 9);
    ck_assert_int_eq(sim_percentile_i64(v, 3, NAN), -5);
}
END_TEST

START_TEST(test_percentile_extreme_values)
{
    /* A subtracting comparator would overflow here and mis-sort. */
    int64_t v[] = { INT64_MAX, INT64_MIN, 0, -1, INT64_MAX - 1, INT64_MIN + 1 };
    ck_assert_int_eq(sim_percentile_i64(v, 6, 0), INT64_MIN);
    ck_assert_int_eq(sim_percentile_i64(v, 6, 100), INT64_MAX);
    ck_assert_int_eq(v[1], INT64_MIN + 1);
    ck_assert_int_eq(v[2], -1);
    ck_assert_int_eq(v[3], 0);
    ck_assert_int_eq(v[4], INT64_MAX - 1);
}
END_TEST

static Suite *metrics_suite(void)
{
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("container");
    tcase_add_test(tc, test_new_is_empty);
    tcase_add_test(tc, test_block_found_by_hash);
    tcase_add_test(tc, test_block_indexes_survive_growth);
    tcase_add_test(tc, test_figures_keep_order_and_replace);
    tcase_add_test(tc, test_figure_name_is_copied);
    tcase_add_test(tc, test_fault_records_own_strings);
    suite_add_tcase(s, tc);
    tc = tcase_create("percentile");
    tcase_add_test(tc, test_percentile_nearest_rank);
    tcase_add_test(tc, test_percentile_whole_ranks_are_exact);
    tcase_add_test(tc, test_percentile_edges);
    tcase_add_test(tc, test_percentile_extreme_values);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(metrics_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
