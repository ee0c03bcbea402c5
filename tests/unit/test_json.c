/* Unit tests for report.json (reports/json.c): the exact document for a
 * small run, validity (checked by a tiny JSON parser below) for hostile
 * strings and non-finite numbers, shortest round-trip numbers, and the
 * write-then-rename that never leaves a half-written or temporary file. */
#include <check.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports/json.h"

/* ---- a minimal JSON validator (RFC 8259 grammar, no semantics) ---- */

typedef struct jv {
    const char *p;
    int depth;
} jv;

static gboolean jv_value(jv *v);

static void jv_ws(jv *v)
{
    while (*v->p == ' ' || *v->p == '\n' || *v->p == '\r' || *v->p == '\t') {
        v->p++;
    }
}

static gboolean jv_literal(jv *v, const char *word)
{
    size_t n = strlen(word);
    if (strncmp(v->p, word, n) != 0) {
        return FALSE;
    }
    v->p += n;
    return TRUE;
}

static gboolean jv_string(jv *v)
{
    if (*v->p != '"') {
        return FALSE;
    }
    const char *start = ++v->p;
    while (*v->p != '"') {
        unsigned char c = (unsigned char)*v->p;
        if (c == '\0' || c < 0x20) {
            return FALSE;
        }
        if (c == '\\') {
            v->p++;
            if (*v->p == 'u') {
                for (int i = 1; i <= 4; i++) {
                    if (!g_ascii_isxdigit(v->p[i])) {
                        return FALSE;
                    }
                }
                v->p += 4;
            } else if (strchr("\"\\/bfnrt", *v->p) == NULL || *v->p == '\0') {
                return FALSE;
            }
        }
        v->p++;
    }
    gboolean utf8 = g_utf8_validate(start, v->p - start, NULL);
    v->p++;
    return utf8;
}

static gboolean jv_digits(jv *v)
{
    if (!g_ascii_isdigit(*v->p)) {
        return FALSE;
    }
    while (g_ascii_isdigit(*v->p)) {
        v->p++;
    }
    return TRUE;
}

static gboolean jv_number(jv *v)
{
    if (*v->p == '-') {
        v->p++;
    }
    if (*v->p == '0') {
        v->p++;
    } else if (!jv_digits(v)) {
        return FALSE;
    }
    if (*v->p == '.') {
        v->p++;
        if (!jv_digits(v)) {
            return FALSE;
        }
    }
    if (*v->p == 'e' || *v->p == 'E') {
        v->p++;
        if (*v->p == '+' || *v->p == '-') {
            v->p++;
        }
        if (!jv_digits(v)) {
            return FALSE;
        }
    }
    return TRUE;
}

/* Object or array: open, items separated by commas, close. */
static gboolean jv_container(jv *v, char close, gboolean object)
{
    if (++v->depth > 64) {
        return FALSE;
    }
    v->p++;
    jv_ws(v);
    if (*v->p == close) {
        v->p++;
        v->depth--;
        return TRUE;
    }
    for (;;) {
        jv_ws(v);
        if (object) {
            if (!jv_string(v)) {
                return FALSE;
            }
            jv_ws(v);
            if (*v->p++ != ':') {
                return FALSE;
            }
        }
        if (!jv_value(v)) {
            return FALSE;
        }
        jv_ws(v);
        if (*v->p == ',') {
            v->p++;
            continue;
        }
        if (*v->p++ != close) {
            return FALSE;
        }
        v->depth--;
        return TRUE;
    }
}

static gboolean jv_value(jv *v)
{
    jv_ws(v);
    switch (*v->p) {
    case '{':
        return jv_container(v, '}', TRUE);
    case '[':
        return jv_container(v, ']', FALSE);
    case '"':
        return jv_string(v);
    case 't':
        return jv_literal(v, "true");
    case 'f':
        return jv_literal(v, "false");
    case 'n':
        return jv_literal(v, "null");
    default:
        return jv_number(v);
    }
}

static gboolean json_valid(const char *text)
{
    jv v = { .p = text, .depth = 0 };
    if (!jv_value(&v)) {
        return FALSE;
    }
    jv_ws(&v);
    return *v.p == '\0';
}

/* ---- fixtures ---- */

static rep_run_info *test_small_info(void)
{
    rep_run_info *info = rep_run_info_new();
    g_free(info->version);
    info->version = g_strdup("9.9.9");
    info->scenario = g_strdup("tiny");
    info->scenario_path = g_strdup("tiny.ini");
    info->seed = 7;
    info->started_at = g_strdup("2024-05-01T12:00:00Z");
    info->crypto = g_strdup("fast");
    info->trace_hash_hex = g_strdup("00ff");
    info->verdict = REP_VERDICT_PASS;
    info->stop_reason = g_strdup("duration reached");
    info->sim_s = 60;
    info->wall_s = 0.25;
    info->events = 1000;
    rep_run_info_add_expect(info, "safety", "holds", "holds", TRUE);
    info->accountability = g_strdup("holds");
    info->accountability_detail = g_strdup("1 slashing");
    rep_run_info_add_node(info, "v0");
    rep_run_info_add_node(info, "v1");
    return info;
}

static sim_metrics *test_small_metrics(void)
{
    sim_metrics *m = sim_metrics_new();
    sim_metrics_figure(m, "throughput_tps", 12.5);
    sim_metrics_figure(m, "finality_p99_s", INFINITY);
    sim_metrics_figure(m, "forks", 0);
    sim_metrics_fault(m, "cut", "partition", 1000000000, -1, "v0 | v1");
    proto_hash h;
    memset(&h, 1, sizeof h);
    sim_metrics_block(m, &h);
    sim_slashing_record sl = {.at_ns = 5000000000, .validator = 1, .reason = "double-sign",
                              .amount = 5, .evidence_height = 3, .height = 4,
                              .effective_height = 6};
    g_array_append_val(m->slashings, sl);
    sim_validator_change_record ch = {.at_ns = 7000000000, .validator = 9,
                                      .change = "rotate-key", .height = 8,
                                      .effective_height = 10};
    g_array_append_val(m->validator_changes, ch);
    sim_alarm_record alarm = {.at_ns = 8000000000, .kind = "congestion",
                              .subject = g_strdup("chain"),
                              .detail = g_strdup("base fee 2.1x its start")};
    g_array_append_val(m->alarms, alarm);
    return m;
}

static const char test_small_expected[] =
    "{\n"
    "  \"scenario\": \"tiny\",\n"
    "  \"scenario_path\": \"tiny.ini\",\n"
    "  \"seed\": 7,\n"
    "  \"version\": \"9.9.9\",\n"
    "  \"started_at\": \"2024-05-01T12:00:00Z\",\n"
    "  \"crypto\": \"fast\",\n"
    "  \"trace_hash\": \"00ff\",\n"
    "  \"verdict\": \"pass\",\n"
    "  \"stop_reason\": \"duration reached\",\n"
    "  \"sim_s\": 60,\n"
    "  \"wall_s\": 0.25,\n"
    "  \"events\": 1000,\n"
    "  \"figures\": {\n"
    "    \"throughput_tps\": 12.5,\n"
    "    \"finality_p99_s\": null,\n"
    "    \"forks\": 0\n"
    "  },\n"
    "  \"expectations\": [\n"
    "    {\"key\": \"safety\", \"target\": \"holds\", \"actual\": \"holds\", \"passed\": true}\n"
    "  ],\n"
    "  \"accountability\": {\"verdict\": \"holds\", \"detail\": \"1 slashing\"},\n"
    "  \"faults\": [\n"
    "    {\"name\": \"cut\", \"action\": \"partition\", \"at_ns\": 1000000000, "
    "\"until_ns\": null, \"nodes\": \"v0 | v1\"}\n"
    "  ],\n"
    "  \"slashings\": [\n"
    "    {\"at_ns\": 5000000000, \"validator\": \"v1\", \"reason\": \"double-sign\", "
    "\"amount\": 5, \"evidence_height\": 3, \"height\": 4, \"effective_height\": 6}\n"
    "  ],\n"
    "  \"validator_changes\": [\n"
    "    {\"at_ns\": 7000000000, \"validator\": \"#9\", \"change\": \"rotate-key\", "
    "\"height\": 8, \"effective_height\": 10}\n"
    "  ],\n"
    "  \"alarms\": [\n"
    "    {\"at_ns\": 8000000000, \"kind\": \"congestion\", \"subject\": \"chain\", "
    "\"detail\": \"base fee 2.1x its start\"}\n"
    "  ],\n"
    "  \"counts\": {\n"
    "    \"blocks\": 1,\n"
    "    \"commits\": 0,\n"
    "    \"txs\": 0\n"
    "  }\n"
    "}\n";

/* ---- tests ---- */

START_TEST(test_validator_rejects_bad_json)
{
    /* The validator must be able to fail, or the tests below prove nothing. */
    ck_assert(json_valid("{\"a\": [1, 2.5e-3, -0, true, null, \"x\\u00e9\"]}"));
    ck_assert(!json_valid("{\"a\": }"));
    ck_assert(!json_valid("{\"a\": 1,}"));
    ck_assert(!json_valid("[nan]"));
    ck_assert(!json_valid("[inf]"));
    ck_assert(!json_valid("[\"tab\there\"]"));
    ck_assert(!json_valid("[\"bad escape \\q\"]"));
    ck_assert(!json_valid("[\"\xff\"]"));
    ck_assert(!json_valid("{\"a\": 1} x"));
    ck_assert(!json_valid("[01]"));
}
END_TEST

START_TEST(test_small_document_exact)
{
    g_autoptr(rep_run_info) info = test_small_info();
    sim_metrics *m = test_small_metrics();
    g_autofree char *text = rep_json_render(info, m);
    ck_assert_str_eq(text, test_small_expected);
    ck_assert(json_valid(text));
    sim_metrics_free(m);
}
END_TEST

START_TEST(test_empty_run_is_valid)
{
    g_autoptr(rep_run_info) info = rep_run_info_new();
    sim_metrics *m = sim_metrics_new();
    g_autofree char *text = rep_json_render(info, m);
    ck_assert_msg(json_valid(text), "%s", text);
    ck_assert(strstr(text, "\"scenario\": null") != NULL);
    ck_assert(strstr(text, "\"verdict\": \"incomplete\"") != NULL);
    ck_assert(strstr(text, "\"figures\": {}") != NULL);
    ck_assert(strstr(text, "\"expectations\": []") != NULL);
    ck_assert(strstr(text, "\"accountability\": {\"verdict\": null, \"detail\": null}") != NULL);
    ck_assert(strstr(text, "\"slashings\": []") != NULL);
    ck_assert(strstr(text, "\"alarms\": []") != NULL);
    sim_metrics_free(m);
}
END_TEST

/* A mesh run groups its mesh figures under "mesh", right after the
 * figures; an absent one is null. A run without a mesh has no "mesh". */
START_TEST(test_mesh_object)
{
    g_autoptr(rep_run_info) info = test_small_info();
    sim_metrics *m = test_small_metrics();
    g_autofree char *plain = rep_json_render(info, m);
    ck_assert(strstr(plain, "\"mesh\"") == NULL);
    sim_metrics_figure(m, "peer_connects", 40);
    sim_metrics_figure(m, "peers_per_node_mean", 7.5);
    sim_metrics_figure(m, "peers_per_node_min", 4);
    sim_metrics_figure(m, "peers_per_node_max", 9);
    sim_metrics_figure(m, "gossip_duplicate_ratio", 0.25);
    sim_metrics_figure(m, "sync_after_join_mean_s", 1.5);
    sim_metrics_figure(m, "sync_after_join_max_s", 2);
    g_autofree char *text = rep_json_render(info, m);
    sim_metrics_free(m);
    ck_assert_msg(json_valid(text), "%s", text);
    ck_assert_msg(strstr(text, "  \"mesh\": {\n"
                               "    \"peers_per_node\": {\"mean\": 7.5, \"min\": 4, \"max\": 9},\n"
                               "    \"gossip_duplicate_ratio\": 0.25,\n"
                               "    \"bytes_sent_per_node\": {\"mean\": null, \"max\": null},\n")
                      != NULL, "%s", text);
    ck_assert(strstr(text, "    \"sync_after_join_s\": {\"mean\": 1.5, \"max\": 2},\n") != NULL);
    ck_assert(strstr(text, "    \"reconverge_s\": null,\n") != NULL);
    ck_assert(strstr(text, "\"figures\"") < strstr(text, "\"mesh\""));
    ck_assert(strstr(text, "\"mesh\"") < strstr(text, "\"expectations\""));
}
END_TEST

START_TEST(test_hostile_strings_stay_valid)
{
    g_autoptr(rep_run_info) info = test_small_info();
    g_free(info->scenario);
    info->scenario = g_strdup("quote\" back\\slash \n\t\r\x01\x1f end");
    g_free(info->stop_reason);
    info->stop_reason = g_strdup("bad utf8 \xc3\x28 \xff here");
    rep_run_info_add_expect(info, "k\"ey", "\x7f", "caf\xc3\xa9", FALSE);
    sim_metrics *m = test_small_metrics();
    sim_metrics_figure(m, "weird \"name\"", NAN);
    sim_metrics_figure(m, "neg_inf", -INFINITY);
    g_autofree char *text = rep_json_render(info, m);
    ck_assert_msg(json_valid(text), "%s", text);
    ck_assert(strstr(text, "\"quote\\\" back\\\\slash \\n\\t\\r\\u0001\\u001f end\"") != NULL);
    ck_assert(strstr(text, "\"weird \\\"name\\\"\": null") != NULL);
    ck_assert(strstr(text, "\"neg_inf\": null") != NULL);
    ck_assert(strstr(text, "caf\xc3\xa9") != NULL); /* valid UTF-8 kept as is */
    ck_assert(strstr(text, "\xef\xbf\xbd") != NULL); /* U+FFFD for bad bytes */
    sim_metrics_free(m);
}
END_TEST

static char *test_number(double value)
{
    GString *out = g_string_new(NULL);
    rep_json_append_number(out, value);
    return g_string_free(out, FALSE);
}

START_TEST(test_numbers)
{
    static const struct {
        double value;
        const char *text;
    } cases[] = {
        { 0, "0" },         { 300, "300" },     { 0.1, "0.1" },       { -2.5, "-2.5" },
        { 1e300, "1e+300" }, { 1e-7, "1e-07" }, { 12345678901234.0, "12345678901234" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *text = test_number(cases[i].value);
        ck_assert_str_eq(text, cases[i].text);
        ck_assert(json_valid(text));
    }
    /* values that need 17 digits still read back exactly */
    double hard[] = { 1.0 / 3.0, 0.1 + 0.2, 2.0 / 3.0 * 1e-300, 9007199254740993.0 };
    for (size_t i = 0; i < G_N_ELEMENTS(hard); i++) {
        g_autofree char *text = test_number(hard[i]);
        ck_assert(json_valid(text));
        ck_assert_msg(g_ascii_strtod(text, NULL) == hard[i], "%s", text);
    }
    g_autofree char *nan_text = test_number(NAN);
    g_autofree char *inf_text = test_number(INFINITY);
    ck_assert_str_eq(nan_text, "null");
    ck_assert_str_eq(inf_text, "null");
}
END_TEST

START_TEST(test_string_null)
{
    GString *out = g_string_new(NULL);
    rep_json_append_string(out, NULL);
    g_string_append_c(out, ' ');
    rep_json_append_string(out, "");
    ck_assert_str_eq(out->str, "null \"\"");
    g_string_free(out, TRUE);
}
END_TEST

START_TEST(test_write_is_atomic_and_replaces)
{
    g_autofree char *dir = g_dir_make_tmp("test_json_XXXXXX", NULL);
    ck_assert_ptr_nonnull(dir);
    g_autofree char *path = g_build_filename(dir, "report.json", NULL);
    ck_assert(g_file_set_contents(path, "old contents, longer than nothing", -1, NULL));

    g_autoptr(rep_run_info) info = test_small_info();
    sim_metrics *m = test_small_metrics();
    GError *error = NULL;
    ck_assert_msg(rep_json_write(path, info, m, &error), "%s", error ? error->message : "");
    g_autofree char *written = NULL;
    ck_assert(g_file_get_contents(path, &written, NULL, NULL));
    ck_assert_str_eq(written, test_small_expected);

    /* only report.json is left: the temporary file was renamed */
    GDir *d = g_dir_open(dir, 0, NULL);
    ck_assert_ptr_nonnull(d);
    int files = 0;
    const char *name;
    while ((name = g_dir_read_name(d)) != NULL) {
        ck_assert_str_eq(name, "report.json");
        files++;
    }
    g_dir_close(d);
    ck_assert_int_eq(files, 1);

    g_autofree char *bad = g_build_filename(dir, "missing", "report.json", NULL);
    ck_assert(!rep_json_write(bad, info, m, &error));
    ck_assert(error != NULL && error->domain == G_FILE_ERROR);
    ck_assert_msg(strstr(error->message, "missing") != NULL, "%s", error->message);
    g_clear_error(&error);

    sim_metrics_free(m);
    g_remove(path);
    g_rmdir(dir);
}
END_TEST

static Suite *json_suite(void)
{
    Suite *s = suite_create("json");
    TCase *tc = tcase_create("render");
    tcase_add_test(tc, test_validator_rejects_bad_json);
    tcase_add_test(tc, test_small_document_exact);
    tcase_add_test(tc, test_empty_run_is_valid);
    tcase_add_test(tc, test_mesh_object);
    tcase_add_test(tc, test_hostile_strings_stay_valid);
    tcase_add_test(tc, test_numbers);
    tcase_add_test(tc, test_string_null);
    suite_add_tcase(s, tc);
    tc = tcase_create("write");
    tcase_add_test(tc, test_write_is_atomic_and_replaces);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(json_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
