/* House rules as checkers over one file's text (tests/unit/test_tidy.c
 * runs them over the tree and feeds each a breaking snippet). Each rule is a small checker that
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
 */
#ifndef AITBC_TEST_TIDY_RULES_H
#define AITBC_TEST_TIDY_RULES_H

#include <glib.h>

#define TIDY_MAX_FUNCTION_LINES 120

enum {
    TIDY_DETERMINISM = 1 << 0,
    TIDY_LAYERS = 1 << 1,
    TIDY_LENGTH = 1 << 2,
    TIDY_COMMENTS = 1 << 3,
    TIDY_SCENARIO = 1 << 4,
    TIDY_ALL = TIDY_DETERMINISM | TIDY_LAYERS | TIDY_LENGTH | TIDY_COMMENTS | TIDY_SCENARIO,
};

/* What tidy_blank keeps; everything else becomes spaces (newlines always
 * stay, so line numbers and columns do not move). Comment delimiters
 * count as comment, the quotes of a literal as code. */
enum {
    TIDY_KEEP_CODE = 1 << 0,
    TIDY_KEEP_LITERALS = 1 << 1,
    TIDY_KEEP_COMMENTS = 1 << 2,
};

/* A .c or .h file: the only files the rules read. */
gboolean tidy_is_c_or_h(const char *path);
/* A copy of text where only the kinds in `keep` remain. */
char *tidy_blank(const char *text, int keep);
/* Runs the rules in `rules` that apply to path ('/'-separated, relative
 * to the tree) on text; appends one "path:line: rule: what" line per
 * violation to report and returns how many. */
guint tidy_check_file(const char *path, const char *text, int rules, GString *report);

#endif
