/* The malformed-scenario corpus: every .ini file in tests/malformed must fail to
 * load with SIM_SCENARIO_ERROR, and the message must contain the text of
 * the file's first line, `# expect: <substring>` (which includes the
 * FILE:LINE: key: part, so error locations are pinned down too).
 *
 * Binary and zero-byte files are generated here in a temporary directory
 * rather than committed, so the corpus stays plain text. The corpus
 * directory is found through AITBC_SOURCE_DIR, which CTest sets. */
#include <check.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario/scenario.h"

/* The corpus must keep covering at least this many cases. */
#define MALFORMED_FILES_MIN 30

static char *corpus_dir(void)
{
    const char *src = g_getenv("AITBC_SOURCE_DIR");
    ck_assert_msg(src != NULL, "AITBC_SOURCE_DIR is not set (run through ctest)");
    return g_build_filename(src, "tests", "malformed", NULL);
}

/* g_ptr_array_sort passes pointers to the elements. */
static int compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the *.ini files, so failures are reported in a stable
 * order. */
static GPtrArray *corpus_files(const char *dir)
{
    GError *error = NULL;
    GDir *d = g_dir_open(dir, 0, &error);
    ck_assert_msg(d != NULL, "%s", error ? error->message : "?");
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *name;
    while ((name = g_dir_read_name(d)) != NULL) {
        if (g_str_has_suffix(name, ".ini"))
            g_ptr_array_add(names, g_strdup(name));
    }
    g_dir_close(d);
    g_ptr_array_sort(names, compare_names);
    return names;
}

/* The expected substring from the first line, or NULL if absent. */
static char *expected_of(const char *path)
{
    g_autofree char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL))
        return NULL;
    const char *prefix = "# expect: ";
    if (!g_str_has_prefix(text, prefix))
        return NULL;
    const char *start = text + strlen(prefix);
    const char *end = strchr(start, '\n');
    return end != NULL ? g_strndup(start, (gsize)(end - start)) : g_strdup(start);
}

/* Load one file; append a line to problems if it does not fail as told. */
static void check_one(const char *path, const char *expect, GString *problems)
{
    GError *error = NULL;
    sim_scenario *s = sim_scenario_load(path, NULL, &error);
    if (s != NULL) {
        g_string_append_printf(problems, "%s: loaded without error\n", path);
        sim_scenario_free(s);
        return;
    }
    if (error == NULL || error->domain != SIM_SCENARIO_ERROR)
        g_string_append_printf(problems, "%s: error not in SIM_SCENARIO_ERROR\n", path);
    else if (strstr(error->message, expect) == NULL)
        g_string_append_printf(problems, "%s:\n   want: %s\n    got: %s\n", path, expect,
                               error->message);
    g_clear_error(&error);
}

START_TEST(test_corpus)
{
    g_autofree char *dir = corpus_dir();
    g_autoptr(GPtrArray) names = corpus_files(dir);
    ck_assert_msg(names->len >= MALFORMED_FILES_MIN, "only %u files in %s", names->len, dir);
    g_autoptr(GString) problems = g_string_new(NULL);
    for (guint i = 0; i < names->len; i++) {
        g_autofree char *path = g_build_filename(dir, g_ptr_array_index(names, i), NULL);
        g_autofree char *expect = expected_of(path);
        if (expect == NULL || expect[0] == '\0') {
            g_string_append_printf(problems, "%s: first line is not '# expect: ...'\n", path);
            continue;
        }
        check_one(path, expect, problems);
    }
    ck_assert_msg(problems->len == 0, "%u files, problems:\n%s", names->len, problems->str);
}
END_TEST

/* Write bytes to DIR/name and check that loading fails with expect. */
static void check_generated(const char *dir, const char *name, const char *bytes, size_t size,
                            const char *expect)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    GError *error = NULL;
    ck_assert_msg(g_file_set_contents(path, bytes, (gssize)size, &error), "%s",
                  error ? error->message : "?");
    g_autoptr(GString) problems = g_string_new(NULL);
    g_autofree char *full = g_strdup_printf("%s%s", name, expect);
    check_one(path, full, problems);
    g_remove(path);
    ck_assert_msg(problems->len == 0, "%s", problems->str);
}

START_TEST(test_generated_binary_and_empty)
{
    GError *error = NULL;
    g_autofree char *dir = g_dir_make_tmp("aitbc-malformed-XXXXXX", &error);
    ck_assert_msg(dir != NULL, "%s", error ? error->message : "?");
    static const char nul[] = "[network]\nvalidators = 4\n\x7f" "ELF\x02\x01\x01\0\0\0";
    check_generated(dir, "nul.ini", nul, sizeof nul - 1,
                    ":3: [file]: binary file (NUL byte), not a scenario file");
    static const char latin1[] = "[scenario]\ndescription = caf\xe9\n";
    check_generated(dir, "latin1.ini", latin1, sizeof latin1 - 1,
                    ":2: [file]: binary file (invalid UTF-8), not a scenario file");
    static const char png[] = "\x89PNG\r\n\x1a\n";
    check_generated(dir, "png.ini", png, sizeof png - 1, ":1: [file]: binary file");
    check_generated(dir, "zero.ini", "", 0, ":1: [file]: file is empty");
    g_rmdir(dir);
}
END_TEST

static Suite *malformed_suite(void)
{
    Suite *s = suite_create("malformed");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_corpus);
    tcase_add_test(tc, test_generated_binary_and_empty);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(malformed_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
