/* docs/scenarios.md stays complete: it documents every key, fault action
 * and byzantine behaviour the scenario parser accepts, every table and
 * column of results.sqlite, and every ```ini example in it is a scenario
 * the parser accepts (what `aitbc-sim check` runs).
 *
 * The lists come from the code itself, never from a copy: the parser's
 * key tables through sim_scenario_keys_foreach (sim/scenario/scenario_keys.h), and
 * the database schema from a results.sqlite that reports/db.c creates in
 * a temporary directory. The doc is found through AITBC_SOURCE_DIR, which
 * CTest sets.
 *
 * Where a word must appear (the doc's conventions, see its top):
 *   - a key of section S: a table row starting "| `key` |" in the part of
 *     the doc under the heading that names `[S]` (`[fault NAME]` for
 *     faults), up to the next heading of the same or a higher level;
 *   - a fault action or behaviour: a table row starting "| `word` |" (or
 *     "| `word VALUE` |") in the `[fault NAME]` part;
 *   - a results.sqlite table T: a heading with "table `T`", and under it a row
 *     "| `column` |" for each of its columns. */
#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "reports/db.h"
#include "reports/run_info.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/scenario_keys.h"
#include "support/tmpdir.h"

static char *read_doc(void)
{
    const char *src = g_getenv("AITBC_SOURCE_DIR");
    ck_assert_msg(src != NULL, "AITBC_SOURCE_DIR is not set (run through ctest)");
    g_autofree char *path = g_build_filename(src, "docs", "scenarios.md", NULL);
    char *text = NULL;
    GError *error = NULL;
    ck_assert_msg(g_file_get_contents(path, &text, NULL, &error), "%s",
                  error != NULL ? error->message : path);
    return text;
}

/* Heading level of a line ("### x" -> 3), 0 if it is not a heading. */
static int heading_level(const char *line)
{
    int n = 0;
    while (line[n] == '#')
        n++;
    return n > 0 && line[n] == ' ' ? n : 0;
}

/* The part of doc under the first heading that contains `needle`: from
 * that heading to the next heading of the same or a higher level (the
 * end of the doc if none). Lines inside ``` fences are never headings.
 * NULL if no heading contains needle. */
static char *doc_part(const char *doc, const char *needle)
{
    g_auto(GStrv) lines = g_strsplit(doc, "\n", -1);
    GString *part = NULL;
    int level = 0;
    gboolean fenced = FALSE;
    for (guint i = 0; lines[i] != NULL; i++) {
        const char *line = lines[i];
        if (g_str_has_prefix(line, "```"))
            fenced = !fenced;
        int h = fenced ? 0 : heading_level(line);
        if (part == NULL) {
            if (h > 0 && strstr(line, needle) != NULL) {
                part = g_string_new(line);
                g_string_append_c(part, '\n');
                level = h;
            }
            continue;
        }
        if (h > 0 && h <= level)
            break;
        g_string_append(part, line);
        g_string_append_c(part, '\n');
    }
    return part != NULL ? g_string_free(part, FALSE) : NULL;
}

/* A table row for `word`: a line starting "| `word` |", "| `word`, "
 * (one row for several names) or "| `word " (a keyword with its value,
 * like "| `delay D` |"). */
static gboolean has_row(const char *part, const char *word)
{
    g_autofree char *row = g_strdup_printf("\n| `%s` |", word);
    g_autofree char *row_list = g_strdup_printf("\n| `%s`, ", word);
    g_autofree char *row_value = g_strdup_printf("\n| `%s ", word);
    return strstr(part, row) != NULL || strstr(part, row_list) != NULL ||
           strstr(part, row_value) != NULL;
}

typedef struct doc_check {
    const char *doc;
    GString *missing;
    guint words;
} doc_check;

static void check_word(sim_scenario_word kind, const char *section, const char *word, void *user)
{
    doc_check *c = user;
    c->words++;
    g_autofree char *needle = strcmp(section, "fault") == 0 ? g_strdup("`[fault NAME]`")
                                                             : g_strdup_printf("`[%s]`", section);
    g_autofree char *part = doc_part(c->doc, needle);
    if (part == NULL) {
        g_string_append_printf(c->missing, "\n  no heading with %s (for %s)", needle, word);
        return;
    }
    static const char *const kinds[] = {"key", "action", "behavior"};
    if (!has_row(part, word))
        g_string_append_printf(c->missing, "\n  [%s] %s `%s` (no table row \"| `%s` |\")",
                               section, kinds[kind], word, word);
}

START_TEST(test_every_key_action_and_behavior)
{
    g_autofree char *doc = read_doc();
    doc_check c = {.doc = doc, .missing = g_string_new(NULL)};
    sim_scenario_keys_foreach(check_word, &c);
    /* The enumeration itself must see the parser's tables. */
    ck_assert_uint_ge(c.words, 40);
    ck_assert_msg(c.missing->len == 0, "docs/scenarios.md does not document:%s",
                  c.missing->str);
    g_string_free(c.missing, TRUE);
}
END_TEST

/* Every ```ini block is a whole scenario file the parser accepts. */
START_TEST(test_ini_examples_parse)
{
    g_autofree char *doc = read_doc();
    g_auto(GStrv) lines = g_strsplit(doc, "\n", -1);
    GString *block = NULL;
    int block_line = 0;
    guint examples = 0;
    GString *failures = g_string_new(NULL);
    for (guint i = 0; lines[i] != NULL; i++) {
        const char *line = lines[i];
        if (block == NULL) {
            if (strcmp(line, "```ini") == 0) {
                block = g_string_new(NULL);
                block_line = (int)i + 2;
            }
            continue;
        }
        if (!g_str_has_prefix(line, "```")) {
            g_string_append(block, line);
            g_string_append_c(block, '\n');
            continue;
        }
        g_autofree char *path = g_strdup_printf("docs/scenarios.md@%d", block_line);
        GError *error = NULL;
        sim_scenario *s = sim_scenario_parse(path, block->str, block->len, NULL, &error);
        if (s == NULL) {
            g_string_append_printf(failures, "\n  example at line %d: %s", block_line,
                                   error->message);
            g_error_free(error);
        }
        sim_scenario_free(s);
        g_string_free(block, TRUE);
        block = NULL;
        examples++;
    }
    ck_assert_msg(block == NULL, "an ```ini block is not closed");
    ck_assert_uint_ge(examples, 8);
    ck_assert_msg(failures->len == 0, "examples the parser refuses:%s", failures->str);
    g_string_free(failures, TRUE);
}
END_TEST

/* Every table and column of a results.sqlite as reports/db.c creates it. */
START_TEST(test_every_table_and_column)
{
    g_autofree char *doc = read_doc();
    g_autofree char *dir = g_dir_make_tmp("aitbc-docs-XXXXXX", NULL);
    ck_assert(dir != NULL);
    g_autofree char *path = g_build_filename(dir, "results.sqlite", NULL);
    rep_run_info *info = rep_run_info_new();
    rep_db *db = NULL;
    GError *error = NULL;
    ck_assert_msg(rep_db_begin(path, info, &db, &error), "%s", error ? error->message : "");
    rep_db_close(db);
    rep_run_info_free(info);

    sqlite3 *sql = NULL;
    ck_assert_int_eq(sqlite3_open_v2(path, &sql, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *tables = NULL;
    ck_assert_int_eq(sqlite3_prepare_v2(sql,
                                        "SELECT name FROM sqlite_master WHERE type = 'table' "
                                        "ORDER BY name",
                                        -1, &tables, NULL),
                     SQLITE_OK);
    GString *missing = g_string_new(NULL);
    guint count = 0;
    while (sqlite3_step(tables) == SQLITE_ROW) {
        const char *table = (const char *)sqlite3_column_text(tables, 0);
        count++;
        g_autofree char *needle = g_strdup_printf("table `%s`", table);
        g_autofree char *part = doc_part(doc, needle);
        if (part == NULL) {
            g_string_append_printf(missing, "\n  table `%s` (no heading naming it)", table);
            continue;
        }
        g_autofree char *pragma = g_strdup_printf("PRAGMA table_info(\"%s\")", table);
        sqlite3_stmt *cols = NULL;
        ck_assert_int_eq(sqlite3_prepare_v2(sql, pragma, -1, &cols, NULL), SQLITE_OK);
        while (sqlite3_step(cols) == SQLITE_ROW) {
            const char *column = (const char *)sqlite3_column_text(cols, 1);
            if (!has_row(part, column))
                g_string_append_printf(missing, "\n  column %s.%s", table, column);
        }
        sqlite3_finalize(cols);
    }
    sqlite3_finalize(tables);
    sqlite3_close(sql);
    test_remove_tree(dir);
    ck_assert_uint_ge(count, 10);
    ck_assert_msg(missing->len == 0, "docs/scenarios.md does not document:%s", missing->str);
    g_string_free(missing, TRUE);
}
END_TEST

static Suite *docs_suite(void)
{
    Suite *s = suite_create("docs_keys");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_every_key_action_and_behavior);
    tcase_add_test(tc, test_ini_examples_parse);
    tcase_add_test(tc, test_every_table_and_column);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(docs_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
