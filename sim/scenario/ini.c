/* Line-aware key-file reader for scenario files (see sim/scenario/ini.h).
 *
 * The reader works on the raw bytes so it can point at the exact line of
 * any problem. It validates the bytes first (no NUL, valid UTF-8) because a
 * binary file fed to a line parser produces confusing messages about
 * "missing =" on garbage; saying "binary file" is more useful. A hash table
 * from section name to section is used only for duplicate detection and
 * never iterated, so nothing depends on its order. */
#include "sim/scenario/ini.h"

#include <string.h>

#include "sim/scenario/scenario.h"

/* A quoted excerpt of a bad line is cut to this many bytes in messages. */
#define INI_EXCERPT_MAX 48

static void ini_entry_free(gpointer p)
{
    sim_ini_entry *e = p;
    g_free(e->key);
    g_free(e->value);
    g_free(e);
}

static void ini_section_free(gpointer p)
{
    sim_ini_section *s = p;
    g_free(s->name);
    g_free(s->origin);
    g_ptr_array_unref(s->entries);
    g_free(s);
}

void sim_ini_free(sim_ini *ini)
{
    if (ini == NULL)
        return;
    g_free(ini->path);
    g_ptr_array_unref(ini->sections);
    g_free(ini);
}

static sim_ini_section *ini_section_new(const char *name, int line)
{
    sim_ini_section *s = g_new0(sim_ini_section, 1);
    s->name = g_strdup(name);
    s->line = line;
    s->entries = g_ptr_array_new_with_free_func(ini_entry_free);
    return s;
}

static sim_ini_entry *ini_entry_add(sim_ini_section *s, const char *key, const char *value, int line)
{
    sim_ini_entry *e = g_new0(sim_ini_entry, 1);
    e->key = g_strdup(key);
    e->value = g_strdup(value);
    e->line = line;
    g_ptr_array_add(s->entries, e);
    return e;
}

static gboolean ini_is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Trim blanks in place on a NUL-terminated buffer; returns the new start. */
static char *ini_trim(char *str)
{
    while (ini_is_blank(*str))
        str++;
    size_t n = strlen(str);
    while (n > 0 && ini_is_blank(str[n - 1]))
        str[--n] = '\0';
    return str;
}

/* "  fault \t split " -> "fault split" (newly allocated). */
static char *ini_normalize_name(const char *raw)
{
    GString *out = g_string_new(NULL);
    gboolean pending_blank = FALSE;
    for (const char *p = raw; *p != '\0'; p++) {
        if (ini_is_blank(*p)) {
            pending_blank = out->len > 0;
            continue;
        }
        if (pending_blank)
            g_string_append_c(out, ' ');
        pending_blank = FALSE;
        g_string_append_c(out, *p);
    }
    return g_string_free(out, FALSE);
}

static gboolean ini_key_valid(const char *key)
{
    if (*key == '\0')
        return FALSE;
    for (const char *p = key; *p != '\0'; p++) {
        if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-')
            return FALSE;
    }
    return TRUE;
}

/* Cut a trailing comment: a '#' at the start of the text or after a blank. */
static void ini_strip_comment(char *text)
{
    for (char *p = text; *p != '\0'; p++) {
        if (*p == '#' && (p == text || ini_is_blank(p[-1]))) {
            *p = '\0';
            return;
        }
    }
}

static int ini_line_of(const char *text, size_t offset)
{
    int line = 1;
    for (size_t i = 0; i < offset; i++) {
        if (text[i] == '\n')
            line++;
    }
    return line;
}

static char *ini_excerpt(const char *line)
{
    if (strlen(line) <= INI_EXCERPT_MAX)
        return g_strdup(line);
    return g_strdup_printf("%.*s...", INI_EXCERPT_MAX, line);
}

/* Binary data is rejected before line parsing (see the file comment). */
static gboolean ini_check_bytes(const char *path, const char *text, size_t size, GError **error)
{
    if (size == 0) {
        g_set_error(error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_SYNTAX,
                    "%s:1: [file]: file is empty", path);
        return FALSE;
    }
    const char *nul = memchr(text, '\0', size);
    if (nul != NULL) {
        g_set_error(error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_SYNTAX,
                    "%s:%d: [file]: binary file (NUL byte), not a scenario file", path,
                    ini_line_of(text, (size_t)(nul - text)));
        return FALSE;
    }
    const char *end = NULL;
    if (!g_utf8_validate_len(text, size, &end)) {
        g_set_error(error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_SYNTAX,
                    "%s:%d: [file]: binary file (invalid UTF-8), not a scenario file", path,
                    ini_line_of(text, (size_t)(end - text)));
        return FALSE;
    }
    return TRUE;
}

typedef struct ini_reader {
    sim_ini *ini;
    GHashTable *by_name;      /* section name -> sim_ini_section* (lookup only) */
    sim_ini_section *current;
    int line;
} ini_reader;

static const char *ini_where(const ini_reader *r)
{
    return r->current != NULL ? r->current->name : "file";
}

static gboolean ini_read_header(ini_reader *r, char *body, GError **error)
{
    char *close = strchr(body, ']');
    if (close == NULL) {
        /* Name the broken header itself, as written. */
        g_autofree char *excerpt = ini_excerpt(body);
        g_set_error(error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_SYNTAX,
                    "%s:%d: %s: section header without closing ']'", r->ini->path, r->line,
                    excerpt);
        return FALSE;
    }
    *close = '\0';
    char *rest = ini_trim(close + 1);
    g_autofree char *name = ini_normalize_name(body + 1);
    if (*rest != '\0' && *rest != '#') {
        g_set_error(error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_SYNTAX,
                    "%s:%d: [%s]: unexpected text after section header", r->ini->path, r->line,
                    name);
        return FALSE;
    }
    if (*name == '\0' || strchr(name, '[') != NULL) {
        g_set_error(error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_SYNTAX,
                    "%s:%d: [%s]: bad section name", r->ini->path, r->line, name);
        return FALSE;
    }
    sim_ini_section *first = g_hash_table_lookup(r->by_name, name);
    if (first != NULL) {
        g_set_error(error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_SYNTAX,
                    "%s:%d: [%s]: duplicate section (first at line %d)", r->ini->path, r->line,
                    name, first->line);
        return FALSE;
    }
    r->current = ini_section_new(name, r->line);
    g_ptr_array_add(r->ini->sections, r->current);
    g_hash_table_insert(r->by_name, r->current->name, r->current);
    return TRUE;
}

static gboolean ini_read_entry(ini_reader *r, char *body, char *eq, GError **error)
{
    g_autofree char *excerpt = ini_excerpt(body);
    *eq = '\0';
    char *key = ini_trim(body);
    char *value = ini_trim(eq + 1);
    if (!ini_key_valid(key)) {
        g_set_error(error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_SYNTAX,
                    "%s:%d: [%s]: bad key name in '%s' (keys are letters, digits, '_' and '-')",
                    r->ini->path, r->line, ini_where(r), excerpt);
        return FALSE;
    }
    if (r->current == NULL) {
        g_set_error(error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_SYNTAX,
                    "%s:%d: %s: key outside of any section (add a [section] header above it)",
                    r->ini->path, r->line, key);
        return FALSE;
    }
    const sim_ini_entry *first = sim_ini_find_entry(r->current, key);
    if (first != NULL) {
        g_set_error(error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_SYNTAX,
                    "%s:%d: %s: duplicate key in [%s] (first at line %d)", r->ini->path, r->line,
                    key, r->current->name, first->line);
        return FALSE;
    }
    ini_entry_add(r->current, key, value, r->line);
    return TRUE;
}

static gboolean ini_read_line(ini_reader *r, char *line, GError **error)
{
    char *body = ini_trim(line);
    if (*body == '\0' || *body == '#')
        return TRUE;
    if (*body == '[')
        return ini_read_header(r, body, error);
    /* Keys hold no blanks or '#', so a comment can be cut before looking
     * for '=': "latency 50ms # a = b" is a line without '='. */
    ini_strip_comment(body);
    body = ini_trim(body);
    char *eq = strchr(body, '=');
    if (eq != NULL)
        return ini_read_entry(r, body, eq, error);
    g_autofree char *excerpt = ini_excerpt(body);
    g_set_error(error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_SYNTAX,
                "%s:%d: [%s]: expected 'key = value', '[section]' or '# comment', got '%s' "
                "(missing '='?)",
                r->ini->path, r->line, ini_where(r), excerpt);
    return FALSE;
}

sim_ini *sim_ini_parse(const char *path, const char *text, size_t size, GError **error)
{
    g_return_val_if_fail(path != NULL && (text != NULL || size == 0), NULL);
    if (!ini_check_bytes(path, text, size, error))
        return NULL;
    /* A UTF-8 byte-order mark is harmless; skip it. */
    size_t start = (size >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) ? 3 : 0;
    g_autofree char *copy = g_strndup(text + start, size - start);

    ini_reader r = {0};
    r.ini = g_new0(sim_ini, 1);
    r.ini->path = g_strdup(path);
    r.ini->sections = g_ptr_array_new_with_free_func(ini_section_free);
    r.by_name = g_hash_table_new(g_str_hash, g_str_equal);

    gboolean ok = TRUE;
    char *cursor = copy;
    while (ok && cursor != NULL) {
        r.line++;
        char *newline = strchr(cursor, '\n');
        if (newline != NULL)
            *newline = '\0';
        size_t n = strlen(cursor);
        if (n > 0 && cursor[n - 1] == '\r')
            cursor[n - 1] = '\0';
        ok = ini_read_line(&r, cursor, error);
        cursor = newline != NULL ? newline + 1 : NULL;
    }
    g_hash_table_unref(r.by_name);
    if (ok && r.ini->sections->len == 0) {
        g_set_error(error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_SYNTAX,
                    "%s:1: [file]: file is empty (no [section] in it)", path);
        ok = FALSE;
    }
    if (!ok) {
        sim_ini_free(r.ini);
        return NULL;
    }
    return r.ini;
}

sim_ini_section *sim_ini_find_section(const sim_ini *ini, const char *name)
{
    for (guint i = 0; i < ini->sections->len; i++) {
        sim_ini_section *s = g_ptr_array_index(ini->sections, i);
        if (strcmp(s->name, name) == 0)
            return s;
    }
    return NULL;
}

sim_ini_entry *sim_ini_find_entry(const sim_ini_section *section, const char *key)
{
    if (section == NULL)
        return NULL;
    for (guint i = 0; i < section->entries->len; i++) {
        sim_ini_entry *e = g_ptr_array_index(section->entries, i);
        if (strcmp(e->key, key) == 0)
            return e;
    }
    return NULL;
}

const char *sim_ini_get(const sim_ini *ini, const char *section, const char *key)
{
    const sim_ini_entry *e = sim_ini_find_entry(sim_ini_find_section(ini, section), key);
    return e != NULL ? e->value : NULL;
}

static gboolean ini_override_fail(const char *override, const char *what, GError **error)
{
    g_set_error(error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_SYNTAX,
                "--set: %s: malformed override: %s (expected section.key=value)", override,
                what);
    return FALSE;
}

gboolean sim_ini_apply_override(sim_ini *ini, const char *override, GError **error)
{
    const char *eq = strchr(override, '=');
    if (eq == NULL)
        return ini_override_fail(override, "no '='", error);
    g_autofree char *left = g_strndup(override, (gsize)(eq - override));
    char *dot = strrchr(left, '.');
    if (dot == NULL)
        return ini_override_fail(override, "no '.' between section and key", error);
    *dot = '\0';
    g_autofree char *section_name = ini_normalize_name(left);
    g_autofree char *value_copy = g_strdup(eq + 1);
    const char *key = ini_trim(dot + 1);
    const char *value = ini_trim(value_copy);
    if (*section_name == '\0')
        return ini_override_fail(override, "empty section", error);
    if (!ini_key_valid(key))
        return ini_override_fail(override, "bad key name", error);
    if (!g_utf8_validate(value, -1, NULL) || !g_utf8_validate(section_name, -1, NULL))
        return ini_override_fail(override, "not UTF-8", error);

    sim_ini_section *s = sim_ini_find_section(ini, section_name);
    if (s == NULL) {
        s = ini_section_new(section_name, 0);
        s->origin = g_strdup_printf("%s.%s", section_name, key);
        g_ptr_array_add(ini->sections, s);
    }
    sim_ini_entry *e = sim_ini_find_entry(s, key);
    if (e != NULL) {
        g_free(e->value);
        e->value = g_strdup(value);
        e->line = 0;
    } else {
        ini_entry_add(s, key, value, 0);
    }
    return TRUE;
}

#define INI_DISTANCE_LEN_MAX 64

guint sim_ini_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > INI_DISTANCE_LEN_MAX || lb > INI_DISTANCE_LEN_MAX)
        return G_MAXUINT;
    guint row[INI_DISTANCE_LEN_MAX + 1];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (guint)j;
    for (size_t i = 1; i <= la; i++) {
        guint diag = row[0];
        row[0] = (guint)i;
        for (size_t j = 1; j <= lb; j++) {
            guint up = row[j];
            guint cost = a[i - 1] == b[j - 1] ? 0 : 1;
            guint best = MIN(row[j] + 1, row[j - 1] + 1);
            row[j] = MIN(best, diag + cost);
            diag = up;
        }
    }
    return row[lb];
}

const char *sim_ini_closest(const char *word, const char *const *candidates)
{
    /* Short words tolerate one edit, longer ones a few more: "lat" -> "loss"
     * is not a typo, "max_finalty_p99" -> "max_finality_p99" is. */
    size_t n = strlen(word);
    guint allowed = n <= 4 ? 1 : n <= 8 ? 2 : 3;
    const char *best = NULL;
    guint best_distance = G_MAXUINT;
    for (const char *const *c = candidates; *c != NULL; c++) {
        guint d = sim_ini_edit_distance(word, *c);
        if (d < best_distance) {
            best_distance = d;
            best = *c;
        }
    }
    return best_distance <= allowed ? best : NULL;
}
