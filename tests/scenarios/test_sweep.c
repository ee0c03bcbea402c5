/* `aitbc-sim sweep` and `merge` through the real executable.
 *
 * A 2 x 2 parameter grid over 2 seeds runs as one sweep with 2 jobs, and
 * again as two shards merged afterwards. Both must hold the same 8 runs
 * and exactly the same summary (min, median, max per combination), which
 * must also match the per-run figures; bad --vary values are exit 2
 * before anything runs. */
#include <sqlite3.h>
#include <stdlib.h>

#include <glib/gstdio.h>

#include "scenario_support.h"
#include "support/tmpdir.h"

static char *tmp;

static int run_cli(const char *const *args)
{
    const char *bin = g_getenv("AITBC_BIN");
    ck_assert_ptr_nonnull(bin);
    GPtrArray *argv = g_ptr_array_new();
    g_ptr_array_add(argv, (gpointer)bin);
    for (const char *const *a = args; *a != NULL; a++)
        g_ptr_array_add(argv, (gpointer)*a);
    g_ptr_array_add(argv, NULL);
    gint status = 0;
    GError *error = NULL;
    gboolean ok = g_spawn_sync(g_getenv("AITBC_SOURCE_DIR"), (char **)argv->pdata, NULL,
                               G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                               NULL, NULL, NULL, &status, &error);
    ck_assert_msg(ok, "%s", error != NULL ? error->message : "");
    g_ptr_array_unref(argv);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static char *dump(const char *db_path, const char *sql)
{
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    GString *out = g_string_new(NULL);
    while (sqlite3_step(st) == SQLITE_ROW) {
        for (int c = 0; c < sqlite3_column_count(st); c++) {
            const unsigned char *t = sqlite3_column_text(st, c);
            g_string_append_printf(out, "%s|", t != NULL ? (const char *)t : "NULL");
        }
        g_string_append_c(out, '\n');
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return g_string_free(out, FALSE);
}

START_TEST(sweep_equals_merged_shards)
{
    tmp = g_dir_make_tmp("test_sweep_XXXXXX", NULL);
    char *full = g_build_filename(tmp, "full", NULL);
    char *s1 = g_build_filename(tmp, "s1", NULL);
    char *s2 = g_build_filename(tmp, "s2", NULL);
    char *merged = g_build_filename(tmp, "merged", NULL);
    const char *file = "tests/scenarios/data/sweep-small.ini";
#define SWEEP_ARGS "sweep", file, "--vary", "consensus.view_timeout=1s,3s", "--vary", \
                   "workload.tx_rate=20/s,60/s", "--seeds", "1..2"
    const char *a_full[] = {SWEEP_ARGS, "--jobs", "2", "--out", full, NULL};
    const char *a_s1[] = {SWEEP_ARGS, "--shard", "1/2", "--out", s1, NULL};
    const char *a_s2[] = {SWEEP_ARGS, "--shard", "2/2", "--out", s2, NULL};
    const char *a_merge[] = {"merge", merged, s1, s2, NULL};
    ck_assert_int_eq(run_cli(a_full), 0);
    ck_assert_int_eq(run_cli(a_s1), 0);
    ck_assert_int_eq(run_cli(a_s2), 0);
    ck_assert_int_eq(run_cli(a_merge), 0);

    char *db_full = g_build_filename(full, "sweep.sqlite", NULL);
    char *db_merged = g_build_filename(merged, "sweep.sqlite", NULL);
    const char *runs_sql = "SELECT idx, params, seed, exit_code, verdict FROM sweep_runs ORDER BY idx";
    const char *summary_sql = "SELECT params, name, runs, min, median, max FROM sweep_summary "
                              "ORDER BY params, name";
    char *r1 = dump(db_full, runs_sql), *r2 = dump(db_merged, runs_sql);
    ck_assert_str_eq(r1, r2);
    ck_assert_int_eq((int)(strchr(r1, '\0') - r1) > 0, 1);
    guint lines = 0;
    for (const char *p = r1; *p != '\0'; p++)
        lines += *p == '\n';
    ck_assert_uint_eq(lines, 8); /* 2 x 2 combinations x 2 seeds */
    char *m1 = dump(db_full, summary_sql), *m2 = dump(db_merged, summary_sql);
    ck_assert_str_eq(m1, m2);
    ck_assert_ptr_nonnull(strstr(m1, "consensus.view_timeout=3s;workload.tx_rate=60/s|throughput_tps|2|"));
    ck_assert_ptr_null(strstr(m1, "|wall_s|")); /* host figures stay out of the summary */
    /* The summary's median matches the runs: throughput of 20/s runs is ~20. */
    char *check = dump(db_full, "SELECT COUNT(*) FROM sweep_summary WHERE name = 'throughput_tps' "
                                "AND params LIKE '%tx_rate=20/s' AND median BETWEEN 15 AND 25");
    ck_assert_str_eq(check, "2|\n");
    char *png = g_build_filename(full, "plots", "sweep-throughput_tps.gp", NULL);
    ck_assert(g_file_test(png, G_FILE_TEST_IS_REGULAR));
    g_free(png);
    g_free(check);
    g_free(r1);
    g_free(r2);
    g_free(m1);
    g_free(m2);
    g_free(db_full);
    g_free(db_merged);
    test_remove_tree(tmp);
    g_free(full);
    g_free(s1);
    g_free(s2);
    g_free(merged);
    g_free(tmp);
}
END_TEST

START_TEST(bad_values_fail_before_running)
{
    const char *args[] = {"sweep", "tests/scenarios/data/sweep-small.ini", "--vary",
                          "network.validators=4,zero", "--out", "/nonexistent/never", NULL};
    ck_assert_int_eq(run_cli(args), 2);
    const char *no_vary[] = {"sweep", "tests/scenarios/data/sweep-small.ini", NULL};
    ck_assert_int_eq(run_cli(no_vary), 2);
    const char *bad_shard[] = {"sweep", "tests/scenarios/data/sweep-small.ini", "--vary",
                               "network.validators=4", "--shard", "3/2", NULL};
    ck_assert_int_eq(run_cli(bad_shard), 2);
}
END_TEST

static Suite *sweep_suite(void)
{
    Suite *s = suite_create("sweep");
    TCase *tc = tcase_create("sweep");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, sweep_equals_merged_shards);
    tcase_add_test(tc, bad_values_fail_before_running);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(sweep_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
