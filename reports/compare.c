/* Reading two report.json files and rendering them side by side (see
 * compare.h). The JSON reader is recursive descent over the whole
 * document: values it does not keep are checked and skipped. */
#include "reports/compare.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define JSON_DEPTH_MAX 64

typedef struct json_in {
    const char *path;
    const char *p, *start, *end;
    GError **error;
    bool failed;
} json_in;

static bool jfail(json_in *in, const char *what)
{
    if (in->failed)
        return false;
    int line = 1, col = 1;
    for (const char *c = in->start; c < in->p && c < in->end; c++) {
        if (*c == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    g_set_error(in->error, REP_COMPARE_ERROR, 1, "%s:%d:%d: not a report.json: %s", in->path,
                line, col, what);
    in->failed = true;
    return false;
}

static void skip_ws(json_in *in)
{
    while (in->p < in->end && (*in->p == ' ' || *in->p == '\n' || *in->p == '\r' ||
                               *in->p == '\t'))
        in->p++;
}

static bool expect_char(json_in *in, char c)
{
    skip_ws(in);
    if (in->p >= in->end || *in->p != c) {
        char what[32];
        g_snprintf(what, sizeof what, "expected '%c'", c);
        return jfail(in, what);
    }
    in->p++;
    return true;
}

/* A string literal; *out (may be NULL) gets it decoded (a \\u escape of four hex digits as UTF-8). */
static bool parse_string(json_in *in, char **out)
{
    if (!expect_char(in, '"'))
        return false;
    GString *s = out != NULL ? g_string_new(NULL) : NULL;
    while (in->p < in->end && *in->p != '"') {
        char c = *in->p++;
        if ((unsigned char)c < 0x20) {
            if (s != NULL)
                g_string_free(s, TRUE);
            return jfail(in, "control character in a string");
        }
        if (c != '\\') {
            if (s != NULL)
                g_string_append_c(s, c);
            continue;
        }
        if (in->p >= in->end)
            break;
        char e = *in->p++;
        const char *simple = strchr("\"\\/bfnrt", e);
        if (e != '\0' && simple != NULL) {
            static const char decoded[] = "\"\\/\b\f\n\r\t";
            if (s != NULL)
                g_string_append_c(s, decoded[simple - "\"\\/bfnrt"]);
        } else if (e == 'u' && in->end - in->p >= 4 && g_ascii_isxdigit(in->p[0]) &&
                   g_ascii_isxdigit(in->p[1]) && g_ascii_isxdigit(in->p[2]) &&
                   g_ascii_isxdigit(in->p[3])) {
            gunichar u = 0;
            for (int k = 0; k < 4; k++)
                u = u * 16 + (gunichar)g_ascii_xdigit_value(in->p[k]);
            in->p += 4;
            if (s != NULL)
                g_string_append_unichar(s, g_unichar_validate(u) ? u : 0xFFFD);
        } else {
            if (s != NULL)
                g_string_free(s, TRUE);
            return jfail(in, "bad escape in a string");
        }
    }
    if (in->p >= in->end) {
        if (s != NULL)
            g_string_free(s, TRUE);
        return jfail(in, "unterminated string");
    }
    in->p++;
    if (out != NULL)
        *out = g_string_free(s, FALSE);
    return true;
}

/* A number (strict JSON syntax) or null (-> NAN). */
static bool parse_number_or_null(json_in *in, double *out)
{
    skip_ws(in);
    if (in->end - in->p >= 4 && memcmp(in->p, "null", 4) == 0) {
        in->p += 4;
        *out = NAN;
        return true;
    }
    const char *q = in->p;
    if (q < in->end && *q == '-')
        q++;
    const char *digits = q;
    while (q < in->end && g_ascii_isdigit(*q))
        q++;
    if (q == digits)
        return jfail(in, "expected a number");
    if (q < in->end && *q == '.') {
        const char *frac = ++q;
        while (q < in->end && g_ascii_isdigit(*q))
            q++;
        if (q == frac)
            return jfail(in, "expected digits after '.'");
    }
    if (q < in->end && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < in->end && (*q == '+' || *q == '-'))
            q++;
        const char *exp = q;
        while (q < in->end && g_ascii_isdigit(*q))
            q++;
        if (q == exp)
            return jfail(in, "expected an exponent");
    }
    char *text = g_strndup(in->p, (gsize)(q - in->p));
    *out = g_ascii_strtod(text, NULL);
    g_free(text);
    in->p = q;
    return true;
}

static bool skip_value(json_in *in, int depth);

static bool skip_container(json_in *in, int depth, char open, char close)
{
    if (depth > JSON_DEPTH_MAX)
        return jfail(in, "nested too deeply");
    if (!expect_char(in, open))
        return false;
    skip_ws(in);
    if (in->p < in->end && *in->p == close) {
        in->p++;
        return true;
    }
    for (;;) {
        if (open == '{' && (!parse_string(in, NULL) || !expect_char(in, ':')))
            return false;
        if (!skip_value(in, depth + 1))
            return false;
        skip_ws(in);
        if (in->p < in->end && *in->p == ',') {
            in->p++;
            continue;
        }
        return expect_char(in, close);
    }
}

static bool skip_value(json_in *in, int depth)
{
    skip_ws(in);
    if (in->p >= in->end)
        return jfail(in, "unexpected end of file");
    char c = *in->p;
    if (c == '{')
        return skip_container(in, depth, '{', '}');
    if (c == '[')
        return skip_container(in, depth, '[', ']');
    if (c == '"')
        return parse_string(in, NULL);
    static const char *const words[] = {"true", "false"};
    for (size_t k = 0; k < G_N_ELEMENTS(words); k++) {
        size_t n = strlen(words[k]);
        if ((size_t)(in->end - in->p) >= n && memcmp(in->p, words[k], n) == 0) {
            in->p += n;
            return true;
        }
    }
    double ignored;
    return parse_number_or_null(in, &ignored);
}

/* A string or null; anything else is skipped (and kept NULL). */
static bool parse_text_field(json_in *in, char **out)
{
    skip_ws(in);
    if (in->p < in->end && *in->p == '"') {
        g_free(*out);
        *out = NULL;
        return parse_string(in, out);
    }
    return skip_value(in, 1);
}

static bool parse_figures(json_in *in, rep_report *r)
{
    if (!expect_char(in, '{'))
        return false;
    skip_ws(in);
    if (in->p < in->end && *in->p == '}') {
        in->p++;
        return true;
    }
    for (;;) {
        char *name = NULL;
        double v;
        if (!parse_string(in, &name) || !expect_char(in, ':') ||
            !parse_number_or_null(in, &v)) {
            g_free(name);
            return false;
        }
        double *value = g_new(double, 1);
        *value = v;
        /* A repeated name: the last value wins, the first key stays (and
         * with it the place in `order`); insert frees the new key. */
        if (!g_hash_table_contains(r->figures, name))
            g_ptr_array_add(r->order, name);
        g_hash_table_insert(r->figures, name, value);
        skip_ws(in);
        if (in->p < in->end && *in->p == ',') {
            in->p++;
            continue;
        }
        return expect_char(in, '}');
    }
}

static bool parse_document(json_in *in, rep_report *r, bool *has_figures)
{
    if (!expect_char(in, '{'))
        return false;
    skip_ws(in);
    if (in->p < in->end && *in->p == '}') {
        in->p++;
        return true;
    }
    for (;;) {
        char *key = NULL;
        if (!parse_string(in, &key) || !expect_char(in, ':')) {
            g_free(key);
            return false;
        }
        bool ok;
        if (strcmp(key, "figures") == 0) {
            *has_figures = true;
            ok = parse_figures(in, r);
        } else if (strcmp(key, "scenario") == 0) {
            ok = parse_text_field(in, &r->scenario);
        } else if (strcmp(key, "verdict") == 0) {
            ok = parse_text_field(in, &r->verdict);
        } else if (strcmp(key, "seed") == 0 || strcmp(key, "wall_s") == 0) {
            skip_ws(in);
            double *slot = strcmp(key, "seed") == 0 ? &r->seed : &r->wall_s;
            ok = (in->p < in->end && *in->p == '"') ? skip_value(in, 1)
                                                     : parse_number_or_null(in, slot);
        } else {
            ok = skip_value(in, 1);
        }
        g_free(key);
        if (!ok)
            return false;
        skip_ws(in);
        if (in->p < in->end && *in->p == ',') {
            in->p++;
            continue;
        }
        return expect_char(in, '}');
    }
}

void rep_report_free(rep_report *r)
{
    if (r == NULL)
        return;
    g_free(r->path);
    g_free(r->scenario);
    g_free(r->verdict);
    g_ptr_array_unref(r->order);
    g_hash_table_destroy(r->figures);
    g_free(r);
}

rep_report *rep_report_parse(const char *path, const char *text, size_t size, GError **error)
{
    rep_report *r = g_new0(rep_report, 1);
    r->path = g_strdup(path);
    r->seed = NAN;
    r->wall_s = NAN;
    /* Keys are owned by the table; `order` borrows them and is only
     * appended to for a name not yet in the table (so never dangles). */
    r->figures = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    r->order = g_ptr_array_new();
    json_in in = {.path = path, .p = text, .start = text, .end = text + size, .error = error};
    bool has_figures = false;
    bool ok = parse_document(&in, r, &has_figures);
    if (ok) {
        skip_ws(&in);
        if (in.p != in.end)
            ok = jfail(&in, "text after the document");
    }
    if (ok && !has_figures) {
        g_set_error(error, REP_COMPARE_ERROR, 1, "%s: not a report.json: no \"figures\" object",
                    path);
        ok = false;
    }
    if (!ok) {
        rep_report_free(r);
        return NULL;
    }
    return r;
}

rep_report *rep_report_load(const char *path, GError **error)
{
    char *text = NULL;
    gsize size = 0;
    GError *local = NULL;
    if (!g_file_get_contents(path, &text, &size, &local)) {
        g_set_error(error, REP_COMPARE_ERROR, 1, "cannot read %s: %s", path,
                    local->code == G_FILE_ERROR_NOENT ? "no such file" : local->message);
        g_error_free(local);
        return NULL;
    }
    rep_report *r = rep_report_parse(path, text, size, error);
    g_free(text);
    return r;
}

bool rep_report_figure(const rep_report *r, const char *name, double *value)
{
    const double *v = g_hash_table_lookup(r->figures, name);
    if (v == NULL || !isfinite(*v))
        return false;
    *value = *v;
    return true;
}

/* ---- the table ---- */

static const char *const headline[] = {
    "throughput_tps",           "finality_p50_s",         "finality_p90_s",
    "finality_p99_s",           "finality_max_s",         "commit_latency_p50_s",
    "commit_latency_p99_s",     "block_propagation_p50_s", "block_propagation_p99_s",
    "block_propagation_p100_s", "blocks_final",           "blocks_proposed",
    "forks",                    "reorgs",                 "reorg_depth_max",
    "view_changes",             "view_changes_started",   "txs_submitted",
    "txs_final",                "txs_pending",            "recoveries",
    "wall_s",
};

/* Shown when either run had a mesh. */
static const char *const mesh_rows[] = {
    "peers_per_node_mean", "peers_per_node_min",  "peers_per_node_max", "gossip_duplicate_ratio",
    "gossip_ihave_sent",   "gossip_iwant_sent",   "peer_connects",      "peer_disconnects",
    "partitions_detected",
};

static void cell(GString *out, const rep_report *r, const char *name, double *v, bool *has)
{
    *has = rep_report_figure(r, name, v);
    if (*has)
        g_string_append_printf(out, " %14.6g", *v);
    else
        g_string_append_printf(out, " %14s", "-");
}

static void row(GString *out, const rep_report *a, const rep_report *b, const char *name)
{
    double va = 0, vb = 0;
    bool ha, hb;
    g_string_append_printf(out, "%-34s", name);
    cell(out, a, name, &va, &ha);
    cell(out, b, name, &vb, &hb);
    if (ha && hb && va != 0)
        g_string_append_printf(out, " %9.3g\n", vb / va);
    else
        g_string_append_printf(out, " %9s\n", "-");
}

static gint compare_names(gconstpointer x, gconstpointer y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Every figure NAME of either report with the prefix and suffix, sorted. */
static GPtrArray *names_like(const rep_report *a, const rep_report *b, const char *prefix,
                             const char *suffix)
{
    GPtrArray *names = g_ptr_array_new();
    const rep_report *both[] = {a, b};
    for (int k = 0; k < 2; k++) {
        for (guint i = 0; i < both[k]->order->len; i++) {
            const char *n = both[k]->order->pdata[i];
            if (!g_str_has_prefix(n, prefix) || !g_str_has_suffix(n, suffix))
                continue;
            bool seen = false;
            for (guint j = 0; j < names->len && !seen; j++)
                seen = strcmp(names->pdata[j], n) == 0;
            if (!seen)
                g_ptr_array_add(names, (gpointer)n);
        }
    }
    g_ptr_array_sort(names, compare_names);
    return names;
}

static void title_line(GString *out, const char *label, const rep_report *r)
{
    g_string_append_printf(out, "%s: %s (seed %.0f, verdict %s)\n", label,
                           r->scenario != NULL ? r->scenario : "-",
                           isfinite(r->seed) ? r->seed : -1,
                           r->verdict != NULL ? r->verdict : "-");
}

char *rep_compare_render(const rep_report *a, const rep_report *b, const char *label_a,
                         const char *label_b)
{
    GString *out = g_string_new(NULL);
    title_line(out, label_a, a);
    title_line(out, label_b, b);
    if (g_strcmp0(a->scenario, b->scenario) != 0)
        g_string_append(out, "note: the two runs are of different scenarios\n");
    g_string_append_printf(out, "\n%-34s %14s %14s %9s\n", "figure", label_a, label_b,
                           "ratio");
    for (size_t i = 0; i < G_N_ELEMENTS(headline); i++)
        row(out, a, b, headline[i]);
    double unused;
    if (rep_report_figure(a, "peer_connects", &unused) ||
        rep_report_figure(b, "peer_connects", &unused))
        for (size_t i = 0; i < G_N_ELEMENTS(mesh_rows); i++)
            row(out, a, b, mesh_rows[i]);
    const char *const groups[][2] = {{"messages.", ".sent"}, {"bytes.", ".sent"}};
    for (size_t g = 0; g < G_N_ELEMENTS(groups); g++) {
        GPtrArray *names = names_like(a, b, groups[g][0], groups[g][1]);
        for (guint i = 0; i < names->len; i++)
            row(out, a, b, names->pdata[i]);
        g_ptr_array_unref(names);
    }
    g_string_append_printf(out, "(ratio = %s / %s; '-' = absent, null or over 0)\n", label_b,
                           label_a);
    return g_string_free(out, FALSE);
}
