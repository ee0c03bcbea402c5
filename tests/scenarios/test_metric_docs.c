/* docs/scenarios.md names every figure a run records: each row of the
 * metrics table of a results.sqlite written by the real CLI matches a
 * name in the doc's "Metric names" part. A new figure without its row
 * fails here, so adding a metric is its computation plus its one row.
 *
 * The names come from runs, never from a copy: the CLI (AITBC_BIN) runs
 * scenarios that together reach every kind of figure (PBFT and PoA,
 * direct and mesh, crashes, partitions, churn, Byzantine behaviours,
 * slashing, jailing, key rotation, bans) into a temporary directory, and
 * the test reads their databases. In the doc, a name is a `code` span in
 * that part; an upper-case placeholder in it (TYPE, REASON, vN, pQ)
 * stands for any lower-case word or number (dots included: message types are
 * written "pbft.commit"). */
#include <check.h>
#include <glib.h>
#include <sqlite3.h>
#include <string.h>

#include "support/tmpdir.h"

/* Scenarios whose runs give every kind of figure. */
static const char *const scenarios[] = {
    "scenarios/regression/r23-mesh-churn.ini",          /* mesh, churn, PBFT */
    "scenarios/regression/r09-byzantine-equivocate.ini", /* evidence, slashing */
    "scenarios/regression/r21-downtime-jail-unjail.ini", /* jail, unjail */
    "scenarios/regression/r22-key-rotation-partition.ini", /* rotation, partition */
    "scenarios/regression/r25-mesh-flood-ban.ini",       /* bans, throttling */
    "scenarios/regression/r18-poa-partition-7-3.ini",    /* PoA */
    "scenarios/regression/r03-pbft-crash-f.ini",         /* crashes, view changes */
};

static const char *source_dir(void)
{
    const char *src = g_getenv("AITBC_SOURCE_DIR");
    ck_assert_msg(src != NULL, "AITBC_SOURCE_DIR is not set (run through ctest)");
    return src;
}

/* The doc's "## Metric names" part, to the next level-2 heading. */
static char *metric_part(void)
{
    g_autofree char *path = g_build_filename(source_dir(), "docs", "scenarios.md", NULL);
    g_autofree char *doc = NULL;
    GError *error = NULL;
    ck_assert_msg(g_file_get_contents(path, &doc, NULL, &error), "%s", path);
    const char *start = strstr(doc, "\n## Metric names\n");
    ck_assert_msg(start != NULL, "docs/scenarios.md has no \"## Metric names\" part");
    const char *end = strstr(start + 1, "\n## ");
    return end != NULL ? g_strndup(start, (gsize)(end - start)) : g_strdup(start);
}

/* One anchored pattern per `code` span of the part (placeholders widened). */
static GPtrArray *doc_patterns(const char *part)
{
    GPtrArray *patterns = g_ptr_array_new_with_free_func((GDestroyNotify)g_regex_unref);
    for (const char *p = strchr(part, '`'); p != NULL;) {
        const char *close = strchr(p + 1, '`');
        if (close == NULL)
            break;
        g_autofree char *name = g_strndup(p + 1, (gsize)(close - p - 1));
        g_autofree char *quoted = g_regex_escape_string(name, -1);
        GRegex *upper = g_regex_new("[A-Z]+", 0, 0, NULL);
        g_autofree char *wide = g_regex_replace_literal(upper, quoted, -1, 0, "[a-z0-9_.-]+", 0,
                                                        NULL);
        g_regex_unref(upper);
        g_autofree char *anchored = g_strdup_printf("^%s$", wide);
        GRegex *re = g_regex_new(anchored, 0, 0, NULL);
        if (re != NULL)
            g_ptr_array_add(patterns, re);
        p = strchr(close + 1, '`');
    }
    return patterns;
}

static gboolean documented(const GPtrArray *patterns, const char *name)
{
    for (guint i = 0; i < patterns->len; i++)
        if (g_regex_match(g_ptr_array_index(patterns, i), name, 0, NULL))
            return TRUE;
    return FALSE;
}

/* Run one scenario with the CLI into dir; add its metric names to names. */
static void collect_names(const char *scenario, const char *dir, GHashTable *names)
{
    const char *bin = g_getenv("AITBC_BIN");
    ck_assert_msg(bin != NULL, "AITBC_BIN is not set (run through ctest)");
    g_autofree char *ini = g_build_filename(source_dir(), scenario, NULL);
    const char *argv[] = {bin, "run", ini, "--out", dir, "--no-plots", "--quiet", NULL};
    int status = 0;
    GError *error = NULL;
    ck_assert_msg(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                               NULL, NULL, &status, &error),
                  "%s", error != NULL ? error->message : bin);
    g_autofree char *db_path = g_build_filename(dir, "results.sqlite", NULL);
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT name FROM metrics", -1, &st, NULL),
                     SQLITE_OK);
    guint rows = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        g_hash_table_add(names, g_strdup((const char *)sqlite3_column_text(st, 0)));
        rows++;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    ck_assert_msg(rows > 20, "%s: only %u metrics rows", scenario, rows);
}

static gint compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

START_TEST(test_every_metric_documented)
{
    g_autofree char *part = metric_part();
    GPtrArray *patterns = doc_patterns(part);
    ck_assert_uint_ge(patterns->len, 50); /* the part was found and read */
    GHashTable *names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autofree char *tmp = g_dir_make_tmp("test_metric_docs_XXXXXX", NULL);
    ck_assert(tmp != NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(scenarios); i++) {
        g_autofree char *dir = g_strdup_printf("%s/run%zu", tmp, i);
        collect_names(scenarios[i], dir, names);
    }
    GPtrArray *sorted = g_ptr_array_new();
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, names);
    while (g_hash_table_iter_next(&it, &key, NULL))
        g_ptr_array_add(sorted, key);
    g_ptr_array_sort(sorted, compare_names);
    GString *missing = g_string_new(NULL);
    for (guint i = 0; i < sorted->len; i++) {
        const char *name = g_ptr_array_index(sorted, i);
        if (!documented(patterns, name))
            g_string_append_printf(missing, "\n  %s", name);
    }
    ck_assert_msg(missing->len == 0,
                  "figures the runs recorded that docs/scenarios.md (Metric names) does not "
                  "name:%s", missing->str);
    ck_assert_uint_ge(sorted->len, 150); /* the runs reached many kinds of figure */
    g_string_free(missing, TRUE);
    g_ptr_array_unref(sorted);
    g_hash_table_unref(names);
    g_ptr_array_unref(patterns);
    test_remove_tree(tmp);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("metric_docs");
    TCase *tc = tcase_create("docs");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_every_metric_documented);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
