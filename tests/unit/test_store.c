/* Tests for the simulator's durable node store (sim/engine/store.c): values are
 * shared by reference, replaced in place with the byte count kept, and
 * clear forgets everything (a churn join's new machine). */
#include <check.h>
#include <string.h>

#include "sim/engine/store.h"

static GBytes *text(const char *s)
{
    return g_bytes_new(s, strlen(s));
}

START_TEST(test_put_get_replace)
{
    sim_store *s = sim_store_new();
    GBytes *a = text("abc"), *b = text("hello");
    sim_store_put(s, "k", a);
    sim_store_put(s, "j", b);
    ck_assert_uint_eq(sim_store_bytes(s), 8);
    sim_store_put(s, "k", b);
    ck_assert_uint_eq(sim_store_bytes(s), 10);
    ck_assert_uint_eq(sim_store_count(s), 2);
    GBytes *got = sim_store_get(s, "k");
    ck_assert_ptr_eq(got, b); /* shared, not copied */
    g_bytes_unref(got);
    ck_assert_ptr_null(sim_store_get(s, "missing"));
    g_bytes_unref(a);
    g_bytes_unref(b);
    sim_store_free(s);
}
END_TEST

START_TEST(test_clear_forgets_everything)
{
    sim_store *s = sim_store_new();
    GBytes *a = text("abc");
    sim_store_put(s, "k", a);
    sim_store_clear(s);
    ck_assert_uint_eq(sim_store_count(s), 0);
    ck_assert_uint_eq(sim_store_bytes(s), 0);
    ck_assert_ptr_null(sim_store_get(s, "k"));
    sim_store_put(s, "k", a); /* usable again */
    ck_assert_uint_eq(sim_store_bytes(s), 3);
    g_bytes_unref(a);
    sim_store_free(s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("store");
    TCase *tc = tcase_create("store");
    tcase_add_test(tc, test_put_get_replace);
    tcase_add_test(tc, test_clear_forgets_everything);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
