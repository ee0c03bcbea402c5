/* Tests for the line-aware key-file reader (sim/scenario/ini.c): sections, entries,
 * comments, recorded lines, the inputs it must reject, --set overrides,
 * and the edit distance behind did-you-mean suggestions. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario/ini.h"
#include "sim/scenario/scenario.h"

static sim_ini *parse_ok(const char *text)
{
    GError *error = NULL;
    sim_ini *ini = sim_ini_parse("t.ini", text, strlen(text), &error);
    ck_assert_msg(ini != NULL, "%s", error ? error->message : "?");
    return ini;
}

static char *parse_bad(const char *text, size_t size)
{
    GError *error = NULL;
    sim_ini *ini = sim_ini_parse("t.ini", text, size, &error);
    ck_assert_msg(ini == NULL, "parsed: %s", text);
    ck_assert(g_error_matches(error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_SYNTAX));
    char *msg = g_strdup(error->message);
    g_error_free(error);
    return msg;
}

START_TEST(test_sections_entries_lines)
{
    const char *text = "# leading comment\n"
                       "\n"
                       "[network]   # trailing comment on a header\n"
                       "validators = 10\n"
                       "  latency=uniform 20ms 80ms   # one-way\n"
                       "\t# indented comment\n"
                       "[fault   split]\r\n"
                       "groups = v0 | v1\r\n"
                       "note = a#b\n"
                       "empty =\n";
    g_autoptr(sim_ini) ini = parse_ok(text);
    ck_assert_uint_eq(ini->sections->len, 2);
    sim_ini_section *net = sim_ini_find_section(ini, "network");
    ck_assert_ptr_nonnull(net);
    ck_assert_int_eq(net->line, 3);
    sim_ini_entry *lat = sim_ini_find_entry(net, "latency");
    ck_assert_str_eq(lat->value, "uniform 20ms 80ms");
    ck_assert_int_eq(lat->line, 5);
    ck_assert_str_eq(sim_ini_get(ini, "network", "validators"), "10");
    sim_ini_section *split = sim_ini_find_section(ini, "fault split");
    ck_assert_ptr_nonnull(split);
    ck_assert_int_eq(split->line, 7);
    ck_assert_str_eq(sim_ini_get(ini, "fault split", "groups"), "v0 | v1");
    ck_assert_str_eq(sim_ini_get(ini, "fault split", "note"), "a#b");
    ck_assert_str_eq(sim_ini_get(ini, "fault split", "empty"), "");
    ck_assert_ptr_null(sim_ini_get(ini, "fault split", "missing"));
    ck_assert_ptr_null(sim_ini_get(ini, "nope", "groups"));
}
END_TEST

START_TEST(test_bom_and_no_final_newline)
{
    g_autoptr(sim_ini) ini = parse_ok("\xEF\xBB\xBF[scenario]\nseed = 5");
    ck_assert_str_eq(sim_ini_get(ini, "scenario", "seed"), "5");
}
END_TEST

START_TEST(test_rejects)
{
    struct { const char *text; const char *expect; } cases[] = {
        {"", "t.ini:1: [file]: file is empty"},
        {"# only a comment\n\n", "t.ini:1: [file]: file is empty (no [section] in it)"},
        {"seed = 1\n[scenario]\n", "t.ini:1: seed: key outside of any section"},
        {"[network]\nlatency 50ms\n", "t.ini:2: [network]: expected 'key = value'"},
        {"[network]\nlatency 50ms # a = b\n", "t.ini:2: [network]: expected"},
        {"[network]\nloss = 0.1\nloss = 0.2\n",
         "t.ini:3: loss: duplicate key in [network] (first at line 2)"},
        {"[network]\n[scenario]\n[network]\n",
         "t.ini:3: [network]: duplicate section (first at line 1)"},
        {"[fault a]\n[fault  a]\n", "t.ini:2: [fault a]: duplicate section (first at line 1)"},
        {"[network\n", "t.ini:1: [network: section header without closing ']'"},
        {"[network] x\n", "t.ini:1: [network]: unexpected text after section header"},
        {"[]\n", "t.ini:1: []: bad section name"},
        {"[network]\nmax events = 3\n", "t.ini:2: [network]: bad key name"},
        {"[network]\n= 3\n", "t.ini:2: [network]: bad key name"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *msg = parse_bad(cases[i].text, strlen(cases[i].text));
        ck_assert_msg(strstr(msg, cases[i].expect) != NULL, "case %zu: got '%s'", i, msg);
    }
}
END_TEST

START_TEST(test_rejects_binary)
{
    static const char nul[] = "[network]\nloss = 0\n\0\x01\x02";
    g_autofree char *m1 = parse_bad(nul, sizeof nul - 1);
    ck_assert_str_eq(m1, "t.ini:3: [file]: binary file (NUL byte), not a scenario file");
    static const char utf[] = "[network]\nname = \xff\xfe\n";
    g_autofree char *m2 = parse_bad(utf, sizeof utf - 1);
    ck_assert_str_eq(m2, "t.ini:2: [file]: binary file (invalid UTF-8), not a scenario file");
    /* Valid multi-byte UTF-8 is fine. */
    g_autoptr(sim_ini) ini = parse_ok("[scenario]\ndescription = caf\xc3\xa9\n");
    ck_assert_str_eq(sim_ini_get(ini, "scenario", "description"), "caf\xc3\xa9");
}
END_TEST

START_TEST(test_overrides)
{
    g_autoptr(sim_ini) ini = parse_ok("[network]\nvalidators = 4\n[fault split]\nat = 5s\n");
    GError *error = NULL;
    ck_assert(sim_ini_apply_override(ini, "network.validators=7", &error));
    sim_ini_entry *v = sim_ini_find_entry(sim_ini_find_section(ini, "network"), "validators");
    ck_assert_str_eq(v->value, "7");
    ck_assert_int_eq(v->line, 0);
    ck_assert(sim_ini_apply_override(ini, "fault split.at = 30s", &error));
    ck_assert_str_eq(sim_ini_get(ini, "fault split", "at"), "30s");
    ck_assert(sim_ini_apply_override(ini, "network.latency=uniform 1ms 2ms", &error));
    ck_assert_str_eq(sim_ini_get(ini, "network", "latency"), "uniform 1ms 2ms");
    ck_assert(sim_ini_apply_override(ini, "workload.tx_rate=5/s", &error));
    sim_ini_section *w = sim_ini_find_section(ini, "workload");
    ck_assert_int_eq(w->line, 0);
    ck_assert_str_eq(w->origin, "workload.tx_rate");
    ck_assert(sim_ini_apply_override(ini, "fault new.x.y=1", &error));
    ck_assert_str_eq(sim_ini_get(ini, "fault new.x", "y"), "1");

    struct { const char *text; const char *expect; } bad[] = {
        {"network.validators", "--set: network.validators: malformed override: no '='"},
        {"validators=3", "--set: validators=3: malformed override: no '.'"},
        {".validators=3", "empty section"},
        {"network.=3", "bad key name"},
        {"network.max events=3", "bad key name"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        ck_assert(!sim_ini_apply_override(ini, bad[i].text, &error));
        ck_assert_msg(strstr(error->message, bad[i].expect) != NULL, "%s", error->message);
        g_clear_error(&error);
    }
}
END_TEST

START_TEST(test_edit_distance)
{
    ck_assert_uint_eq(sim_ini_edit_distance("kitten", "sitting"), 3);
    ck_assert_uint_eq(sim_ini_edit_distance("", "abc"), 3);
    ck_assert_uint_eq(sim_ini_edit_distance("latency", "latency"), 0);
    ck_assert_uint_eq(sim_ini_edit_distance("latncy", "latency"), 1);
    static const char *const keys[] = {"latency", "loss", "duplicate", "validators", NULL};
    ck_assert_str_eq(sim_ini_closest("latncy", keys), "latency");
    ck_assert_str_eq(sim_ini_closest("Validators", keys), "validators");
    ck_assert_str_eq(sim_ini_closest("los", keys), "loss");
    ck_assert_ptr_null(sim_ini_closest("seed", keys));
    ck_assert_ptr_null(sim_ini_closest("xyz", keys));
    char longer[100];
    memset(longer, 'a', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    ck_assert_uint_eq(sim_ini_edit_distance(longer, "a"), G_MAXUINT);
}
END_TEST

static Suite *ini_suite(void)
{
    Suite *s = suite_create("ini");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_sections_entries_lines);
    tcase_add_test(tc, test_bom_and_no_final_newline);
    tcase_add_test(tc, test_rejects);
    tcase_add_test(tc, test_rejects_binary);
    tcase_add_test(tc, test_overrides);
    tcase_add_test(tc, test_edit_distance);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(ini_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
