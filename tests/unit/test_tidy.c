/* The house rules hold over the whole tree (found through
 * AITBC_SOURCE_DIR, which CTest sets), and each checker still sees a
 * violation: the self-tests feed it a small in-memory file that breaks its
 * rule (and some that only look like they do), so a checker that stops
 * seeing violations fails here, not silently in the tree test. The rules
 * themselves are in tests/unit/support/tidy_rules.h. */
#include <check.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "support/tidy_rules.h"

/* ---- the tree ---- */

/* Every .c and .h below dir (relative to root), sorted. */
static void collect_sources(const char *root, const char *dir, GPtrArray *paths)
{
    g_autofree char *full = g_build_filename(root, dir, NULL);
    GDir *d = g_dir_open(full, 0, NULL);
    if (d == NULL)
        return;
    const char *name;
    while ((name = g_dir_read_name(d)) != NULL) {
        g_autofree char *rel = g_strconcat(dir, "/", name, NULL);
        g_autofree char *abs = g_build_filename(root, rel, NULL);
        if (g_file_test(abs, G_FILE_TEST_IS_DIR))
            collect_sources(root, rel, paths);
        else if (tidy_is_c_or_h(rel))
            g_ptr_array_add(paths, g_steal_pointer(&rel));
    }
    g_dir_close(d);
}

static gint compare_paths(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs `rules` over the tree; fails with every violation, one a line. */
static void check_tree(int rules)
{
    const char *root = g_getenv("AITBC_SOURCE_DIR");
    ck_assert_msg(root != NULL, "AITBC_SOURCE_DIR is not set (run through ctest)");
    static const char *const tops[] = {"protocol", "sim", "reports", "tools", "tests"};
    GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);
    for (size_t t = 0; t < G_N_ELEMENTS(tops); t++)
        collect_sources(root, tops[t], paths);
    g_ptr_array_sort(paths, compare_paths);
    /* The walk must see the tree, or every rule holds vacuously. */
    ck_assert_uint_ge(paths->len, 150);
    GString *report = g_string_new(NULL);
    guint found = 0;
    for (guint i = 0; i < paths->len; i++) {
        const char *rel = g_ptr_array_index(paths, i);
        g_autofree char *abs = g_build_filename(root, rel, NULL);
        g_autofree char *text = NULL;
        GError *error = NULL;
        ck_assert_msg(g_file_get_contents(abs, &text, NULL, &error), "%s", error->message);
        found += tidy_check_file(rel, text, rules, report);
    }
    ck_assert_msg(found == 0, "%u house-rule violation(s):%s", found, report->str);
    g_string_free(report, TRUE);
    g_ptr_array_free(paths, TRUE);
}

START_TEST(test_tree_determinism)
{
    check_tree(TIDY_DETERMINISM);
}
END_TEST

START_TEST(test_tree_layers)
{
    check_tree(TIDY_LAYERS);
}
END_TEST

START_TEST(test_tree_length)
{
    check_tree(TIDY_LENGTH);
}
END_TEST

START_TEST(test_tree_scenario)
{
    check_tree(TIDY_SCENARIO);
}
END_TEST

START_TEST(test_tree_comments)
{
    check_tree(TIDY_COMMENTS);
}
END_TEST

/* ---- self-tests: each checker sees a broken snippet ---- */

/* tidy_check_file on one snippet: the number of violations, and the report
 * must name path:line and the rule when there are any. */
static guint run_snippet(const char *path, const char *text, int rules, const char *expect)
{
    GString *report = g_string_new(NULL);
    guint found = tidy_check_file(path, text, rules, report);
    if (expect != NULL)
        ck_assert_msg(strstr(report->str, expect) != NULL, "expected \"%s\" in:%s", expect,
                      report->str);
    g_string_free(report, TRUE);
    return found;
}

START_TEST(test_blank)
{
    const char *text = "a = \"b /* c\"; /* d */ f('\\''); // g \"h\n"
                       "i = '\"'; /* j\nk */ l;\n";
    g_autofree char *code = tidy_blank(text, TIDY_KEEP_CODE);
    ck_assert_str_eq(code, "a = \"      \";         f('  ');        \n"
                           "i = ' ';     \n     l;\n");
    g_autofree char *comments = tidy_blank(text, TIDY_KEEP_COMMENTS);
    ck_assert_str_eq(comments, "              /* d */          // g \"h\n"
                               "         /* j\nk */   \n");
    g_autofree char *literals = tidy_blank(text, TIDY_KEEP_CODE | TIDY_KEEP_LITERALS);
    ck_assert_str_eq(literals, "a = \"b /* c\";         f('\\'');        \n"
                               "i = '\"';     \n     l;\n");
}
END_TEST

START_TEST(test_self_determinism)
{
    const int rule = TIDY_DETERMINISM;
    ck_assert_uint_eq(run_snippet("protocol/core/fake.c",
                                  "/* A fake protocol file. */\n"
                                  "static void f(void)\n"
                                  "{\n"
                                  "    long now = time(NULL);\n"
                                  "}\n",
                                  rule, "protocol/core/fake.c:4: determinism: time"),
                      1);
    ck_assert_uint_eq(run_snippet("sim/world/fake.h",
                                  "GThread *t;\nint r = rand ();\n"
                                  "const char *e = g_getenv(\"X\");\n"
                                  "pthread_mutex_t m;\nx = g_random_int();\n"
                                  "clock_gettime(CLOCK_MONOTONIC, &ts);\n"
                                  "g_date_time_new_now_local();\n",
                                  rule, "sim/world/fake.h:3: determinism: g_getenv"),
                      7);
    /* Only code: comments, literals, members, longer names, no call. */
    ck_assert_uint_eq(run_snippet("protocol/core/fake.c",
                                  "/* time(NULL) and rand() */\n"
                                  "// getenv(\"HOME\")\n"
                                  "puts(\"time(NULL) pthread_create\");\n"
                                  "x = env->time(env); y = s.clock (s);\n"
                                  "z = sim_time(1) + runtime(2) + time_ns + random_walk(3);\n"
                                  "int time = 0; uint64_t clock;\n",
                                  rule, NULL),
                      0);
    /* The rule is for protocol/ and sim/ only. */
    ck_assert_uint_eq(run_snippet("reports/fake.c", "t = time(NULL);\n", rule, NULL), 0);
    ck_assert_uint_eq(run_snippet("tools/cli/fake.c", "t = getenv(\"X\");\n", rule, NULL), 0);
}
END_TEST

START_TEST(test_self_layers)
{
    const int rule = TIDY_LAYERS;
    ck_assert_uint_eq(run_snippet("protocol/core/fake.c",
                                  "#include <glib.h>\n\n#include \"sim/x.h\"\n", rule,
                                  "protocol/core/fake.c:3: layers: includes \"sim/x.h\""),
                      1);
    ck_assert_uint_eq(run_snippet("protocol/p2p/fake.h",
                                  "#include \"reports/db.h\"\n#  include <tools/cli/cli.h>\n"
                                  "#include \"../../sim/engine/sched.h\"\n",
                                  rule, "protocol/p2p/fake.h:2: layers"),
                      3);
    ck_assert_uint_eq(run_snippet("sim/world/fake.c",
                                  "#include \"protocol/core/env.h\"\n#include \"reports/db.h\"\n",
                                  rule, "sim/world/fake.c:2: layers: includes \"reports/db.h\""),
                      1);
    ck_assert_uint_eq(run_snippet("reports/fake.c", "#include \"tools/cli/cli.h\"\n", rule,
                                  "reports/fake.c:1: layers"),
                      1);
    /* Downward includes, commented-out ones, and tools/ and tests/. */
    ck_assert_uint_eq(run_snippet("reports/fake.c",
                                  "#include \"sim/x.h\"\n#include \"protocol/y.h\"\n"
                                  "/* #include \"tools/cli/cli.h\" */\n"
                                  "// #include \"tools/cli/cli.h\"\n",
                                  rule, NULL),
                      0);
    ck_assert_uint_eq(run_snippet("tools/cli/fake.c", "#include \"reports/db.h\"\n", rule, NULL),
                      0);
    ck_assert_uint_eq(
        run_snippet("tests/unit/fake.c", "#include \"tools/cli/cli.h\"\n", rule, NULL), 0);
}
END_TEST

/* A file with one function of `lines` lines, brace to brace, whose
 * opening brace is on line 3. */
static char *function_of(guint lines)
{
    GString *s = g_string_new("/* A fake file. */\nstatic int long_one(int x)\n{\n");
    for (guint i = 0; i + 3 < lines; i++)
        g_string_append(s, "    x++;\n");
    g_string_append(s, "    return x;\n}\n");
    return g_string_free(s, FALSE);
}

START_TEST(test_self_length)
{
    const int rule = TIDY_LENGTH;
    g_autofree char *long_fn = function_of(121);
    ck_assert_uint_eq(run_snippet("sim/engine/fake.c", long_fn, rule,
                                  "sim/engine/fake.c:3: length: long_one() is 121 lines"),
                      1);
    g_autofree char *ok_fn = function_of(120);
    ck_assert_uint_eq(run_snippet("tools/cli/fake.c", ok_fn, rule, NULL), 0);
    /* Every layer's .c, not headers or tests. */
    ck_assert_uint_eq(run_snippet("reports/fake.c", long_fn, rule, "reports/fake.c:3"), 1);
    ck_assert_uint_eq(run_snippet("protocol/pbft/fake.c", long_fn, rule, NULL), 1);
    ck_assert_uint_eq(run_snippet("tools/cli/fake.c", long_fn, rule, NULL), 1);
    ck_assert_uint_eq(run_snippet("protocol/pbft/fake.h", long_fn, rule, NULL), 0);
    ck_assert_uint_eq(run_snippet("tests/unit/fake.c", long_fn, rule, NULL), 0);
    /* A table with its brace alone at column 0 is no function. */
    GString *table = g_string_new("static const int table[] =\n{\n");
    for (guint i = 0; i < 200; i++)
        g_string_append(table, "    1,\n");
    g_string_append(table, "};\n");
    ck_assert_uint_eq(run_snippet("sim/engine/fake.c", table->str, rule, NULL), 0);
    g_string_free(table, TRUE);
    /* Braces in comments and literals do not count. */
    ck_assert_uint_eq(run_snippet("sim/engine/fake.c",
                                  "static void f(void)\n{\n    puts(\"\\n}\\n\");\n/*\n}\n*/\n"
                                  "}\n",
                                  rule, NULL),
                      0);
}
END_TEST

START_TEST(test_self_scenario)
{
    const int rule = TIDY_SCENARIO;
    ck_assert_uint_eq(run_snippet("sim/check/fake.c",
                                  "/* A fake checker. */\n"
                                  "static void f(sim_world *w)\n{\n"
                                  "    uint32_t v = w->sc->validators;\n"
                                  "    const sim_scenario *s = NULL;\n}\n",
                                  rule, "sim/check/fake.c:4: scenario: reads a member sc"),
                      2);
    ck_assert_uint_eq(run_snippet("sim/figures/fake.h", "x = o . sc;\n", rule,
                                  "sim/figures/fake.h:1: scenario"),
                      1);
    /* The translator, sim/scenario/, other names, comments and other layers. */
    ck_assert_uint_eq(run_snippet("sim/world/world_options.c", "x = w->sc->seed;\n", rule, NULL),
                      0);
    ck_assert_uint_eq(run_snippet("sim/scenario/fake.c", "sim_scenario *sc = x->sc;\n", rule,
                                  NULL),
                      0);
    ck_assert_uint_eq(run_snippet("sim/world/fake.c",
                                  "/* w->sc */ x = sc + a.scale + sim_scenario_x;\n"
                                  "puts(\"w->sc\");\n",
                                  rule, NULL),
                      0);
    ck_assert_uint_eq(run_snippet("reports/fake.c", "x = w->sc;\n", rule, NULL), 0);
}
END_TEST

START_TEST(test_self_comments)
{
    const int rule = TIDY_COMMENTS;
    ck_assert_uint_eq(run_snippet("protocol/core/fake.c",
                                  "/* A fake file.\n * Fixes issue 7. */\nint x;\n", rule,
                                  "protocol/core/fake.c:2: comments: comment cites a tracker"),
                      1);
    ck_assert_uint_eq(run_snippet("tests/unit/fake.c",
                                  "int a; // see Issue #12\n"
                                  "/* issues/13 */\n"
                                  "/* as before (#12) */\n"
                                  "/* bug #3, ticket 4 */\n"
                                  "/* data in /work/main/x */\n"
                                  "/* style in ../shared/STYLE.md */\n"
                                  "/* writes /tmp/out and /home/me */\n",
                                  rule, "tests/unit/fake.c:5: comments: comment names a machine"),
                      7);
    ck_assert_uint_eq(
        run_snippet("reports/fake.h", "/* see /home/me/notes */\n", rule, "reports/fake.h:1"), 1);
    /* Only comments, and only what looks like a tracker or a machine. */
    ck_assert_uint_eq(run_snippet("sim/world/fake.c",
                                  "puts(\"issue 7 in /work/x\"); /* ids ever issued 3 times */\n"
                                  "/* the issue: 2 nodes; build/tmp/x; node #3; f(#x) */\n"
                                  "/* debug 5, tissue 4 */\n",
                                  rule, NULL),
                      0);
    /* Rule for the layers and tests/, nowhere else. */
    ck_assert_uint_eq(run_snippet("docs/fake.c", "/* issue 7 */\n", rule, NULL), 0);
}
END_TEST

static Suite *tidy_suite(void)
{
    Suite *s = suite_create("tidy");
    TCase *self = tcase_create("self");
    tcase_add_test(self, test_blank);
    tcase_add_test(self, test_self_determinism);
    tcase_add_test(self, test_self_layers);
    tcase_add_test(self, test_self_length);
    tcase_add_test(self, test_self_comments);
    tcase_add_test(self, test_self_scenario);
    suite_add_tcase(s, self);
    TCase *tree = tcase_create("tree");
    tcase_add_test(tree, test_tree_determinism);
    tcase_add_test(tree, test_tree_layers);
    tcase_add_test(tree, test_tree_length);
    tcase_add_test(tree, test_tree_comments);
    tcase_add_test(tree, test_tree_scenario);
    suite_add_tcase(s, tree);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(tidy_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
