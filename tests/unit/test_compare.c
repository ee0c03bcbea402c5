/* reports/compare.c: two report.json fixtures (tests/data/compare) side
 * by side with their ratios, and the errors for a missing file, bad JSON
 * and a document that is no report. */
#include <check.h>
#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports/compare.h"

static char *fixture(const char *name)
{
    const char *src = g_getenv("AITBC_SOURCE_DIR");
    ck_assert_msg(src != NULL, "run through ctest (AITBC_SOURCE_DIR)");
    return g_build_filename(src, "tests", "data", "compare", name, NULL);
}

static rep_report *load(const char *name)
{
    char *path = fixture(name);
    GError *error = NULL;
    rep_report *r = rep_report_load(path, &error);
    ck_assert_msg(r != NULL, "%s", error != NULL ? error->message : "");
    g_free(path);
    return r;
}

/* The line of the table that starts with `name`. */
static char *line_of(const char *table, const char *name)
{
    char **lines = g_strsplit(table, "\n", -1);
    char *found = NULL;
    for (char **l = lines; *l != NULL && found == NULL; l++)
        if (g_str_has_prefix(*l, name) && (*l)[strlen(name)] == ' ')
            found = g_strdup(*l);
    g_strfreev(lines);
    ck_assert_msg(found != NULL, "no line for %s in:\n%s", name, table);
    return found;
}

START_TEST(fixtures_are_read)
{
    g_autoptr(rep_report) sim = load("sim-report.json");
    g_autoptr(rep_report) tb = load("testbed-report.json");
    ck_assert_str_eq(sim->scenario, "testbed-crash-4");
    ck_assert_str_eq(tb->verdict, "pass");
    ck_assert(sim->seed == 7 && tb->wall_s == 19.5);
    double v = 0;
    ck_assert(rep_report_figure(sim, "crypto.signs", &v) && v == 1234);
    ck_assert(!rep_report_figure(tb, "finality_p99_s", &v)); /* null */
    ck_assert(!rep_report_figure(tb, "crypto.signs", &v));   /* absent */
    ck_assert(rep_report_figure(tb, "name with \"quotes\" \xc3\xa9", &v) && v == 1000);
}
END_TEST

START_TEST(the_table_has_both_values_and_the_ratio)
{
    g_autoptr(rep_report) sim = load("sim-report.json");
    g_autoptr(rep_report) tb = load("testbed-report.json");
    g_autofree char *table = rep_compare_render(sim, tb, "sim", "testbed");
    g_autofree char *tps = line_of(table, "throughput_tps");
    ck_assert_msg(strstr(tps, "20") && strstr(tps, "19") && strstr(tps, "0.95"), "%s", tps);
    g_autofree char *p50 = line_of(table, "finality_p50_s");
    ck_assert_msg(g_str_has_suffix(p50, " 2"), "%s", p50);
    /* null on one side, and a ratio over 0: "-" */
    g_autofree char *p99 = line_of(table, "finality_p99_s");
    ck_assert_msg(g_str_has_suffix(p99, "-"), "%s", p99);
    g_autofree char *vc = line_of(table, "view_changes");
    ck_assert_msg(g_str_has_suffix(vc, "0"), "%s", vc);
    /* Message types of either run, each once. */
    g_autofree char *commit = line_of(table, "messages.pbft.commit.sent");
    ck_assert_msg(strstr(commit, "0.95"), "%s", commit);
    g_autofree char *sync = line_of(table, "messages.sync.blocks.sent");
    ck_assert_msg(g_str_has_suffix(sync, "-"), "%s", sync);
    g_autofree char *bytes = line_of(table, "bytes.pbft.commit.sent");
    ck_assert_msg(strstr(bytes, "0.957"), "%s", bytes);
    ck_assert(strstr(table, "messages.tx.sent") != NULL);
    ck_assert(strstr(table, "different scenarios") == NULL);
}
END_TEST

static void expect_error(const char *text, const char *what)
{
    GError *error = NULL;
    rep_report *r = rep_report_parse("x/report.json", text, strlen(text), &error);
    ck_assert_msg(r == NULL, "accepted: %s", text);
    ck_assert_msg(strstr(error->message, "x/report.json") != NULL &&
                  strstr(error->message, what) != NULL, "%s -> %s", text, error->message);
    g_error_free(error);
}

START_TEST(bad_files_are_errors_naming_them)
{
    GError *error = NULL;
    ck_assert(rep_report_load("/nonexistent/report.json", &error) == NULL);
    ck_assert_msg(strstr(error->message, "/nonexistent/report.json") &&
                  strstr(error->message, "no such file"), "%s", error->message);
    g_clear_error(&error);
    expect_error("", "expected '{'");
    expect_error("{\"figures\": {\"a\": 1,}}", "1:21");
    expect_error("{\"figures\": {\"a\": tru}}", "expected a number");
    expect_error("{\"figures\": {\"a\": 1}} x", "text after the document");
    expect_error("{\"scenario\": \"s\"}", "no \"figures\" object");
    expect_error("[1, 2]", "expected '{'");
    expect_error("{\"figures\": {\"a\": \"1\"}}", "expected a number");
    expect_error("{\"x\": \"unterminated", "unterminated string");
    GString *deep = g_string_new("{\"x\": ");
    for (int i = 0; i < 100; i++)
        g_string_append_c(deep, '[');
    expect_error(deep->str, "nested too deeply");
    g_string_free(deep, TRUE);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("compare");
    TCase *tc = tcase_create("compare");
    tcase_add_test(tc, fixtures_are_read);
    tcase_add_test(tc, the_table_has_both_values_and_the_ratio);
    tcase_add_test(tc, bad_files_are_errors_naming_them);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
