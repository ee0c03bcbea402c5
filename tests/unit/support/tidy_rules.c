/* The house-rule checkers (see tidy_rules.h): blanking of comments and
 * literals, then one checker per rule. */
#include "support/tidy_rules.h"

#include <string.h>



/* ---- blanking: keep one kind of text, spaces for the rest ---- */


typedef enum { IN_CODE, IN_BLOCK_COMMENT, IN_LINE_COMMENT, IN_STRING, IN_CHAR } tidy_state;

/* The state after character i, given the state before it; *kind gets the
 * TIDY_KEEP_ class of character i, *skip how many characters after i
 * belong with it (the second character of a delimiter or an escape). */
static tidy_state tidy_step(tidy_state s, const char *t, size_t i, int *kind, size_t *skip)
{
    char c = t[i], next = t[i + 1];
    *skip = 0;
    switch (s) {
    case IN_CODE:
        *kind = TIDY_KEEP_CODE;
        if (c == '/' && next == '*') {
            *kind = TIDY_KEEP_COMMENTS;
            *skip = 1;
            return IN_BLOCK_COMMENT;
        }
        if (c == '/' && next == '/') {
            *kind = TIDY_KEEP_COMMENTS;
            *skip = 1;
            return IN_LINE_COMMENT;
        }
        return c == '"' ? IN_STRING : c == '\'' ? IN_CHAR : IN_CODE;
    case IN_BLOCK_COMMENT:
        *kind = TIDY_KEEP_COMMENTS;
        if (c == '*' && next == '/') {
            *skip = 1;
            return IN_CODE;
        }
        return IN_BLOCK_COMMENT;
    case IN_LINE_COMMENT:
        *kind = TIDY_KEEP_COMMENTS;
        if (c == '\\' && next == '\n') /* a continued // comment */
            *skip = 1;
        return c == '\n' ? IN_CODE : IN_LINE_COMMENT;
    case IN_STRING:
    case IN_CHAR:
        if (c == (s == IN_STRING ? '"' : '\'') || c == '\n') {
            *kind = TIDY_KEEP_CODE;
            return IN_CODE;
        }
        *kind = TIDY_KEEP_LITERALS;
        if (c == '\\' && next != '\0')
            *skip = 1;
        return s;
    }
    return s;
}

char *tidy_blank(const char *text, int keep)
{
    char *out = g_strdup(text);
    tidy_state s = IN_CODE;
    for (size_t i = 0; text[i] != '\0'; i++) {
        int kind;
        size_t skip;
        s = tidy_step(s, text, i, &kind, &skip);
        for (size_t k = i; k <= i + skip && text[k] != '\0'; k++)
            if (!(keep & kind) && text[k] != '\n')
                out[k] = ' ';
        i += skip;
    }
    return out;
}

/* ---- small helpers ---- */

static gboolean is_ident_char(char c)
{
    return g_ascii_isalnum(c) || c == '_';
}

/* The next whole identifier of code from *pos on: [*start, *pos) after
 * the call, with *line advanced past the newlines skipped. False at the
 * end of code. */
static gboolean next_ident(const char *code, size_t *pos, guint *line, size_t *start)
{
    size_t i = *pos;
    for (; code[i] != '\0'; i++) {
        if (code[i] == '\n')
            (*line)++;
        else if (is_ident_char(code[i]) && (i == 0 || !is_ident_char(code[i - 1])))
            break;
    }
    if (code[i] == '\0')
        return FALSE;
    *start = i;
    while (is_ident_char(code[i]))
        i++;
    *pos = i;
    return TRUE;
}

/* The top directory of path ("protocol" for "protocol/core/x.c"). */
static gboolean in_dir(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(path, dir, n) == 0 && path[n] == '/';
}

gboolean tidy_is_c_or_h(const char *path)
{
    return g_str_has_suffix(path, ".c") || g_str_has_suffix(path, ".h");
}

/* Layer rank: protocol 0 < sim 1 < reports 2 < tools 3; -1 for anything
 * else. A file may include headers of its own rank or lower. */
static int layer_rank(const char *path)
{
    static const char *const layers[] = {"protocol", "sim", "reports", "tools"};
    for (int r = 0; r < (int)G_N_ELEMENTS(layers); r++)
        if (in_dir(path, layers[r]))
            return r;
    return -1;
}

static void report_add(GString *report, const char *path, guint line, const char *rule,
                       const char *what)
{
    g_string_append_printf(report, "\n  %s:%u: %s: %s", path, line, rule, what);
}

/* ---- rule: determinism ---- */

typedef enum {
    MATCH_CALL,   /* the whole identifier, followed by '(' */
    MATCH_PREFIX, /* any identifier starting with it */
} match_kind;

static const struct {
    const char *name;
    match_kind kind;
    const char *why;
} forbidden[] = {
    {"time", MATCH_CALL, "wall clock"},
    {"clock", MATCH_CALL, "wall clock"},
    {"clock_gettime", MATCH_CALL, "wall clock"},
    {"gettimeofday", MATCH_CALL, "wall clock"},
    {"timespec_get", MATCH_CALL, "wall clock"},
    {"ftime", MATCH_CALL, "wall clock"},
    {"g_get_monotonic_time", MATCH_CALL, "wall clock"},
    {"g_get_real_time", MATCH_CALL, "wall clock"},
    {"g_get_current_time", MATCH_CALL, "wall clock"},
    {"g_date_time_new_now", MATCH_PREFIX, "wall clock"},
    {"g_timer_", MATCH_PREFIX, "wall clock"},
    {"rand", MATCH_CALL, "global RNG"},
    {"rand_r", MATCH_CALL, "global RNG"},
    {"srand", MATCH_CALL, "global RNG"},
    {"random", MATCH_CALL, "global RNG"},
    {"srandom", MATCH_CALL, "global RNG"},
    {"drand48", MATCH_CALL, "global RNG"},
    {"erand48", MATCH_CALL, "global RNG"},
    {"lrand48", MATCH_CALL, "global RNG"},
    {"nrand48", MATCH_CALL, "global RNG"},
    {"mrand48", MATCH_CALL, "global RNG"},
    {"jrand48", MATCH_CALL, "global RNG"},
    {"srand48", MATCH_CALL, "global RNG"},
    {"arc4random", MATCH_PREFIX, "global RNG"},
    {"getrandom", MATCH_CALL, "global RNG"},
    {"randombytes", MATCH_PREFIX, "global RNG"},
    {"g_random_", MATCH_PREFIX, "global RNG"},
    {"g_rand_new", MATCH_CALL, "global RNG"},
    {"pthread_", MATCH_PREFIX, "threads"},
    {"thrd_", MATCH_PREFIX, "threads"},
    {"g_thread_", MATCH_PREFIX, "threads"},
    {"GThread", MATCH_PREFIX, "threads"},
    {"getenv", MATCH_CALL, "environment"},
    {"secure_getenv", MATCH_CALL, "environment"},
    {"g_getenv", MATCH_CALL, "environment"},
};

/* Does the identifier at code[start, end) (preceded by code[start - 1]
 * unless start is 0) break entry f? */
static gboolean ident_forbidden(const char *code, size_t start, size_t end, size_t f)
{
    const char *name = forbidden[f].name;
    size_t n = strlen(name);
    size_t len = end - start;
    if (len < n || strncmp(code + start, name, n) != 0)
        return FALSE;
    if (forbidden[f].kind == MATCH_PREFIX)
        return TRUE;
    if (len != n)
        return FALSE;
    while (code[end] == ' ' || code[end] == '\t')
        end++;
    return code[end] == '(';
}

/* A member (s.time(...), s->time(...)) is the program's own field. */
static gboolean is_member(const char *code, size_t start)
{
    size_t i = start;
    while (i > 0 && (code[i - 1] == ' ' || code[i - 1] == '\t'))
        i--;
    return (i >= 1 && code[i - 1] == '.') || (i >= 2 && code[i - 2] == '-' && code[i - 1] == '>');
}

/* Wall clock, global RNG, threads or environment in the code of a
 * protocol/ or sim/ file. Returns the number of violations. */
static guint check_determinism(const char *path, const char *text, GString *report)
{
    g_autofree char *code = tidy_blank(text, TIDY_KEEP_CODE);
    guint found = 0, line = 1;
    size_t start = 0, end = 0;
    while (next_ident(code, &end, &line, &start)) {
        for (size_t f = 0; f < G_N_ELEMENTS(forbidden) && !is_member(code, start); f++) {
            if (!ident_forbidden(code, start, end, f))
                continue;
            g_autofree char *ident = g_strndup(code + start, end - start);
            g_autofree char *what = g_strdup_printf("%s (%s)", ident, forbidden[f].why);
            report_add(report, path, line, "determinism", what);
            found++;
            break;
        }
    }
    return found;
}

/* ---- rule: layers ---- */

/* The header named by an #include line ("sim/x.h" from `#include
 * "sim/x.h"` or `#include <sim/x.h>`), with leading ./ and ../ dropped;
 * NULL if the line is no #include. */
static char *include_target(const char *line)
{
    const char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p++ != '#')
        return NULL;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!g_str_has_prefix(p, "include"))
        return NULL;
    p += strlen("include");
    while (*p == ' ' || *p == '\t')
        p++;
    char close = *p == '"' ? '"' : *p == '<' ? '>' : '\0';
    const char *end = close != '\0' ? strchr(p + 1, close) : NULL;
    if (end == NULL)
        return NULL;
    p++;
    while (g_str_has_prefix(p, "./") || g_str_has_prefix(p, "../"))
        p += p[1] == '/' ? 2 : 3;
    return p < end ? g_strndup(p, (gsize)(end - p)) : NULL;
}

/* Includes of a higher layer's header. Comments are blanked first (a
 * commented-out include is no include); the header names are literals,
 * so those stay. */
static guint check_layers(const char *path, const char *text, GString *report)
{
    int rank = layer_rank(path);
    if (rank < 0)
        return 0;
    g_autofree char *code = tidy_blank(text, TIDY_KEEP_CODE | TIDY_KEEP_LITERALS);
    g_auto(GStrv) lines = g_strsplit(code, "\n", -1);
    guint found = 0;
    for (guint i = 0; lines[i] != NULL; i++) {
        g_autofree char *target = include_target(lines[i]);
        if (target == NULL || layer_rank(target) <= rank)
            continue;
        g_autofree char *what = g_strdup_printf("includes \"%s\" (a higher layer than %.*s/)",
                                                target, (int)strcspn(path, "/"), path);
        report_add(report, path, i + 1, "layers", what);
        found++;
    }
    return found;
}

/* ---- rule: scenario ---- */

/* Files of sim/ that may read the scenario: its own folder, and the
 * world's entry points and translator. */
static gboolean may_read_scenario(const char *path)
{
    static const char *const allowed[] = {"sim/world/world.h", "sim/world/world_internal.h",
                                          "sim/world/world.c", "sim/world/world_options.c"};
    if (g_str_has_prefix(path, "sim/scenario/"))
        return TRUE;
    for (size_t i = 0; i < G_N_ELEMENTS(allowed); i++)
        if (g_str_equal(path, allowed[i]))
            return TRUE;
    return FALSE;
}

/* A sim/ component that names the scenario type or reads a member sc. */
static guint check_scenario(const char *path, const char *text, GString *report)
{
    if (may_read_scenario(path))
        return 0;
    g_autofree char *code = tidy_blank(text, TIDY_KEEP_CODE);
    guint found = 0, line = 1;
    size_t start = 0, end = 0;
    while (next_ident(code, &end, &line, &start)) {
        size_t n = end - start;
        gboolean type = n == 12 && strncmp(code + start, "sim_scenario", 12) == 0;
        gboolean member = n == 2 && strncmp(code + start, "sc", 2) == 0 && is_member(code, start);
        if (type || member) {
            report_add(report, path, line, "scenario",
                       type ? "names sim_scenario (take an options struct from the world)"
                            : "reads a member sc (take an options struct from the world)");
            found++;
        }
    }
    return found;
}

/* ---- rule: length ---- */

static gboolean is_blank(const char *line)
{
    for (; *line != '\0'; line++)
        if (!g_ascii_isspace(*line))
            return FALSE;
    return TRUE;
}

/* Is lines[open] ("{" alone at column 0) a function's body? The code
 * before it (blank lines skipped) must end with ')': a function's
 * parameter list, not the '=' of a table. */
static gboolean opens_function(char **lines, guint open)
{
    if (lines[open][0] != '{' || !is_blank(lines[open] + 1))
        return FALSE;
    for (guint i = open; i-- > 0;) {
        if (is_blank(lines[i]))
            continue;
        g_autofree char *code = g_strchomp(g_strdup(lines[i]));
        return g_str_has_suffix(code, ")");
    }
    return FALSE;
}

/* The name of the function whose body opens at lines[open]: the
 * identifier before the first '(' on the signature's first line (the
 * nearest line above at column 0). "?" if there is none. */
static char *function_name(char **lines, guint open)
{
    guint i = open;
    while (i > 0 && (lines[i - 1][0] == ' ' || lines[i - 1][0] == '\t'))
        i--;
    const char *sig = i > 0 ? lines[i - 1] : "";
    const char *paren = strchr(sig, '(');
    if (paren == NULL)
        return g_strdup("?");
    const char *end = paren;
    while (end > sig && end[-1] == ' ')
        end--;
    const char *start = end;
    while (start > sig && is_ident_char(start[-1]))
        start--;
    return start < end ? g_strndup(start, (gsize)(end - start)) : g_strdup("?");
}

/* Functions longer than max_lines lines, brace to brace. */
static guint check_length(const char *path, const char *text, guint max_lines, GString *report)
{
    g_autofree char *code = tidy_blank(text, TIDY_KEEP_CODE);
    g_auto(GStrv) lines = g_strsplit(code, "\n", -1);
    guint found = 0;
    for (guint open = 0; lines[open] != NULL; open++) {
        if (!opens_function(lines, open))
            continue;
        guint close = open + 1;
        while (lines[close] != NULL && lines[close][0] != '}')
            close++;
        g_autofree char *name = function_name(lines, open);
        if (lines[close] == NULL) {
            report_add(report, path, open + 1, "length", "no closing brace at column 0");
            return found + 1;
        }
        guint length = close - open + 1;
        if (length > max_lines) {
            g_autofree char *what =
                g_strdup_printf("%s() is %u lines (at most %u)", name, length, max_lines);
            report_add(report, path, open + 1, "length", what);
            found++;
        }
        open = close;
    }
    return found;
}

/* ---- rule: comments ---- */

/* Case-insensitive: does word (a whole word) start at s[i]? */
static gboolean word_at(const char *s, size_t i, const char *word)
{
    size_t n = strlen(word);
    return (i == 0 || !is_ident_char(s[i - 1])) && g_ascii_strncasecmp(s + i, word, n) == 0 &&
           !is_ident_char(s[i + n]);
}

/* A tracker reference starting at s[i]: one of the words below (any
 * case, a whole word) and then a number, perhaps after a '#', '/' or
 * '-'; or an opening parenthesis, '#' and a digit. The self-test
 * test_self_comments shows the forms. */
static gboolean tracker_at(const char *s, size_t i)
{
    static const char *const words[] = {"issue", "issues", "bug", "bugs", "ticket", "pull"};
    if (s[i] == '(' && s[i + 1] == '#' && g_ascii_isdigit(s[i + 2]))
        return TRUE;
    for (size_t w = 0; w < G_N_ELEMENTS(words); w++) {
        if (!word_at(s, i, words[w]))
            continue;
        const char *p = s + i + strlen(words[w]);
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '#' || *p == '/' || *p == '-')
            p++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (g_ascii_isdigit(*p))
            return TRUE;
    }
    return FALSE;
}

/* A machine path starting at s[i]: an absolute path into one of the
 * roots below (not the tail of a relative path like build/tmp/), or the
 * shared checkout next to the repository, reached by going up from it. */
static const char *machine_path_at(const char *s, size_t i)
{
    static const char *const roots[] = {"/work/", "/home/", "/tmp/", "/root/", "/Users/", "/mnt/"};
    if (g_str_has_prefix(s + i, "../shared"))
        return "../shared";
    if (i > 0 && (is_ident_char(s[i - 1]) || s[i - 1] == '.' || s[i - 1] == '-'))
        return NULL;
    for (size_t r = 0; r < G_N_ELEMENTS(roots); r++)
        if (g_str_has_prefix(s + i, roots[r]))
            return roots[r];
    return NULL;
}

/* Machine paths and tracker references in comments (code and literals
 * are blanked first). One report per kind per line. */
static guint check_comments(const char *path, const char *text, GString *report)
{
    g_autofree char *comments = tidy_blank(text, TIDY_KEEP_COMMENTS);
    g_auto(GStrv) lines = g_strsplit(comments, "\n", -1);
    guint found = 0;
    for (guint l = 0; lines[l] != NULL; l++) {
        const char *s = lines[l];
        const char *machine = NULL;
        gboolean tracker = FALSE;
        for (size_t i = 0; s[i] != '\0'; i++) {
            if (machine == NULL)
                machine = machine_path_at(s, i);
            tracker = tracker || tracker_at(s, i);
        }
        if (machine != NULL) {
            g_autofree char *what =
                g_strdup_printf("comment names a machine path (%s...)", machine);
            report_add(report, path, l + 1, "comments", what);
            found++;
        }
        if (tracker) {
            report_add(report, path, l + 1, "comments",
                       "comment cites a tracker number (say what the code does instead)");
            found++;
        }
    }
    return found;
}

/* ---- which rules a file is under ---- */

guint tidy_check_file(const char *path, const char *text, int rules, GString *report)
{
    guint found = 0;
    if (!tidy_is_c_or_h(path))
        return 0;
    gboolean is_c = g_str_has_suffix(path, ".c");
    int rank = layer_rank(path);
    if ((rules & TIDY_DETERMINISM) && (in_dir(path, "protocol") || in_dir(path, "sim")))
        found += check_determinism(path, text, report);
    if ((rules & TIDY_LAYERS) && rank >= 0)
        found += check_layers(path, text, report);
    if ((rules & TIDY_LENGTH) && is_c && rank >= 0)
        found += check_length(path, text, TIDY_MAX_FUNCTION_LINES, report);
    if ((rules & TIDY_SCENARIO) && in_dir(path, "sim"))
        found += check_scenario(path, text, report);
    if ((rules & TIDY_COMMENTS) && (rank >= 0 || in_dir(path, "tests")))
        found += check_comments(path, text, report);
    return found;
}
