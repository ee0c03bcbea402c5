/* Sweep plots draw the swept values in the order given on the command
 * line (reports/sweep.c), not in text order: `--vary "network.latency=
 * constant 10ms,constant 50ms,constant 200ms"` was drawn 10, 200, 50, a
 * zigzag. A shard database is written by hand (as `sweep` would: run
 * indexes enumerate the values in the order given) and merged, which
 * writes the summary and the plot scripts and data; gnuplot itself is not
 * needed for what is checked here. */
#include <check.h>
#include <sqlite3.h>
#include <string.h>

#include "reports/sweep.h"
#include "support/tmpdir.h"

static void exec_ok(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK, "%s: %s", sql,
                  msg != NULL ? msg : "?");
}

/* A one-shard sweep over `values` (in the order given) x 2 seeds, with a
 * second varied key, consensus.view_timeout=1s,2s; throughput = 10 * the
 * value's position + the seed. */
static void write_shard(const char *path, const char *key, const char *const *values)
{
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    exec_ok(db, "CREATE TABLE sweep_meta (key TEXT PRIMARY KEY, value TEXT);"
                "CREATE TABLE sweep_runs (idx INTEGER PRIMARY KEY, params TEXT, seed TEXT,"
                "  exit_code INTEGER, verdict TEXT, dir TEXT);"
                "CREATE TABLE sweep_metrics (idx INTEGER NOT NULL, name TEXT, value REAL);"
                "CREATE TABLE sweep_summary (params TEXT, name TEXT, runs INTEGER, min REAL,"
                "  median REAL, max REAL);"
                "INSERT INTO sweep_meta VALUES ('scenario', 'order'), ('seeds', '1..2'),"
                " ('vary.1', 'consensus.view_timeout');");
    char *meta = sqlite3_mprintf("INSERT INTO sweep_meta VALUES ('vary.0', %Q)", key);
    exec_ok(db, meta);
    sqlite3_free(meta);
    static const char *const timeouts[] = {"1s", "2s"};
    int idx = 0;
    for (int v = 0; values[v] != NULL; v++) {
        for (int t = 0; t < 2; t++) {
            for (int seed = 1; seed <= 2; seed++, idx++) {
                char *sql = sqlite3_mprintf(
                    "INSERT INTO sweep_runs VALUES (%d, '%q=%q;consensus.view_timeout=%q', '%d',"
                    " 0, 'pass', 'r');"
                    "INSERT INTO sweep_metrics VALUES (%d, 'throughput_tps', %d);",
                    idx, key, values[v], timeouts[t], seed, idx, 10 * v + seed);
                exec_ok(db, sql);
                sqlite3_free(sql);
            }
        }
    }
    sqlite3_close(db);
}

static char *merged_file(const char *tmp, const char *key, const char *const *values,
                         const char *name)
{
    char *shard = g_strdup_printf("%s/shard-%s.sqlite", tmp, name);
    char *out = g_strdup_printf("%s/merged-%s", tmp, name);
    write_shard(shard, key, values);
    const char *shards[] = {shard, NULL};
    GError *error = NULL;
    ck_assert_msg(rep_sweep_merge(out, shards, &error), "%s", error ? error->message : "?");
    char *path = g_build_filename(out, "plots", name, NULL);
    char *text = NULL;
    ck_assert_msg(g_file_get_contents(path, &text, NULL, NULL), "no %s", path);
    g_free(path);
    g_free(out);
    g_free(shard);
    return text;
}

START_TEST(categorical_values_keep_the_order_given)
{
    char *tmp = g_dir_make_tmp("test_sweep_order_XXXXXX", NULL);
    static const char *const latencies[] = {"constant 10ms", "constant 50ms", "constant 200ms",
                                            NULL};
    char *gp = merged_file(tmp, "network.latency", latencies, "sweep-throughput_tps.gp");
    ck_assert_msg(strstr(gp, "set xtics (\"constant 10ms\" 0, \"constant 50ms\" 1, "
                             "\"constant 200ms\" 2)") != NULL,
                  "%s", gp);
    g_free(gp);
    char *dat = merged_file(tmp, "network.latency", latencies, "sweep-throughput_tps.dat");
    /* First series (view_timeout=1s, given first): x 0, 1, 2 with medians
     * 1, 11, 21 (the value's position * 10 + the lower seed: the median of
     * two is the lower), min..max over the two seeds. */
    const char *first = strstr(dat, "# series: consensus.view_timeout=1s");
    const char *second = strstr(dat, "# series: consensus.view_timeout=2s");
    ck_assert_ptr_nonnull(first);
    ck_assert_ptr_nonnull(second);
    ck_assert(first < second);
    ck_assert_msg(strstr(first, "0 1 1 2\n1 11 11 12\n2 21 21 22\n") != NULL, "%s", dat);
    g_free(dat);
    test_remove_tree(tmp);
    g_free(tmp);
}
END_TEST

/* Durations are categorical text too: 2s, 10s, 500ms stay in that order
 * (text order would give 10s, 2s, 500ms). */
START_TEST(durations_keep_the_order_given)
{
    char *tmp = g_dir_make_tmp("test_sweep_order_XXXXXX", NULL);
    static const char *const blocks[] = {"2s", "10s", "500ms", NULL};
    char *gp = merged_file(tmp, "consensus.block_interval", blocks, "sweep-throughput_tps.gp");
    ck_assert_msg(strstr(gp, "set xtics (\"2s\" 0, \"10s\" 1, \"500ms\" 2)") != NULL, "%s", gp);
    g_free(gp);
    test_remove_tree(tmp);
    g_free(tmp);
}
END_TEST

static Suite *sweep_order_suite(void)
{
    Suite *s = suite_create("sweep_order");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, categorical_values_keep_the_order_given);
    tcase_add_test(tc, durations_keep_the_order_given);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(sweep_order_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
