/* House rules, checked by reading the source tree (found through
 * AITBC_SOURCE_DIR, which CTest sets). Each rule is a small checker that
 * takes a file's path (relative to the tree, '/'-separated) and its text,
 * and appends one "path:line: rule: what" line per violation to a report:
 *
 *   determinism  protocol/ and sim/ (.c, .h) read no wall clock, no global
 *                or entropy-seeded RNG, start no threads and read no
 *                environment: a run must be a function of its scenario
 *                and seed. Matched on code only (comments and string and
 *                character literals are blanked first), as whole
 *                identifiers: calls like time( or getenv(, and any use of
 *                prefixes like pthread_ or g_random_. A member access
 *                (env->time(...)) is not a libc call and is let through.
 *   layers       tools -> reports -> sim -> protocol, never upward: an
 *                #include of a higher layer's header is refused (protocol/
 *                includes no sim/, reports/ or tools/ header; sim/ no
 *                reports/ or tools/; reports/ no tools/).
 *   length       no function in protocol/, sim/, reports/, tools/ (.c)
 *                longer than 120 lines, counted from its opening brace
 *                (alone at column 0, our style) to the closing brace at
 *                column 0, both included.
 *   scenario     in sim/ (outside sim/scenario/), only the world's entry
 *                points (world.h, world_internal.h) and its translator
 *                (world.c, world_options.c) name sim_scenario or read a
 *                member called sc: every other component works from the
 *                options struct the world translates for it.
 *   comments     comments in protocol/, sim/, reports/, tools/ and tests/
 *                (.c, .h) name no machine paths (a home, work or temp
 *                directory, a sibling checkout) and no tracker numbers:
 *                they say what the code does, in words that stay true
 *                outside one machine and one tracker.
 *
 * The self-tests feed each checker a small in-memory file that breaks its
 * rule (and some that only look like they do), so a checker that stops
 * seeing violations fails here, not silently in the tree test. */
#include <check.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#define TIDY_MAX_FUNCTION_LINES 120

enum {
    TIDY_DETERMINISM = 1 << 0,
    TIDY_LAYERS = 1 << 1,
    TIDY_LENGTH = 1 << 2,
    TIDY_COMMENTS = 1 << 3,
    TIDY_SCENARIO = 1 << 4,
    TIDY_ALL = TIDY_DETERMINISM | TIDY_LAYERS | TIDY_LENGTH | TIDY_COMMENTS | TIDY_SCENARIO,
};

/* ---- blanking: keep one kind of text, spaces for the rest ---- */

/* What tidy_blank keeps; everything else becomes spaces (newlines always
 * stay, so line numbers and columns do not move). Comment delimiters
 * count as comment, the quotes of a literal as code. */
enum {
    TIDY_KEEP_CODE = 1 << 0,
    TIDY_KEEP_LITERALS = 1 << 1,
    TIDY_KEEP_COMMENTS = 1 << 2,
};

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

/* A copy of text where only the kinds in `keep` remain. */
static char *tidy_blank(const char *text, int keep)
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

/* The top directory of path ("protocol" for "protocol/core/x.c"). */
static gboolean in_dir(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(path, dir, n) == 0 && path[n] == '/';
}

static gboolean is_c_or_h(const char *path)
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
    for (size_t i = 0; code[i] != '\0'; i++) {
        if (code[i] == '\n') {
            line++;
            continue;
        }
        if (!is_ident_char(code[i]) || (i > 0 && is_ident_char(code[i - 1])))
            continue;
        size_t end = i;
        while (is_ident_char(code[end]))
            end++;
        for (size_t f = 0; f < G_N_ELEMENTS(forbidden) && !is_member(code, i); f++) {
            if (!ident_forbidden(code, i, end, f))
                continue;
            g_autofree char *ident = g_strndup(code + i, end - i);
            g_autofree char *what = g_strdup_printf("%s (%s)", ident, forbidden[f].why);
            report_add(report, path, line, "determinism", what);
            found++;
            break;
        }
        i = end - 1;
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
    for (size_t i = 0; code[i] != '\0'; i++) {
        if (code[i] == '\n') {
            line++;
            continue;
        }
        if (!is_ident_char(code[i]) || (i > 0 && is_ident_char(code[i - 1])))
            continue;
        size_t end = i;
        while (is_ident_char(code[end]))
            end++;
        gboolean type = end - i == 12 && strncmp(code + i, "sim_scenario", 12) == 0;
        gboolean member = end - i == 2 && strncmp(code + i, "sc", 2) == 0 && is_member(code, i);
        if (type || member) {
            report_add(report, path, line, "scenario",
                       type ? "names sim_scenario (take an options struct from the world)"
                            : "reads a member sc (take an options struct from the world)");
            found++;
        }
        i = end - 1;
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

/* Runs the rules in `rules` that apply to path on text. */
static guint check_file(const char *path, const char *text, int rules, GString *report)
{
    guint found = 0;
    if (!is_c_or_h(path))
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
        else if (is_c_or_h(rel))
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
        found += check_file(rel, text, rules, report);
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

/* check_file on one snippet: the number of violations, and the report
 * must name path:line and the rule when there are any. */
static guint run_snippet(const char *path, const char *text, int rules, const char *expect)
{
    GString *report = g_string_new(NULL);
    guint found = check_file(path, text, rules, report);
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
