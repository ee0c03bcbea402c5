/* A line-aware key-file reader for scenario files.
 *
 * GLib's GKeyFile forgets where a key came from, and scenario errors must
 * name FILE:LINE: key, so we read the (small) syntax ourselves: `[section]`
 * headers, `key = value` entries, `#` comments on their own line, and a
 * trailing ` # comment` after a value or header (a `#` preceded by a space
 * or tab) stripped. Every section and entry records its line. Entries added
 * by `--set section.key=value` overrides carry line 0 and say so in errors.
 *
 * The reader rejects what is not a scenario file before anyone interprets
 * it: binary data (a NUL byte or invalid UTF-8), a file with no section,
 * lines that are neither header, entry, comment nor blank, entries before
 * the first header, a key twice in one section and a section twice. It
 * knows nothing about which sections or keys exist; sim/scenario/scenario.c does.
 *
 * Section names are stored trimmed with inner runs of blanks collapsed to
 * one space ("fault   split" -> "fault split"). Keys are
 * [A-Za-z0-9_-]+. Values are trimmed; they may be empty. */
#ifndef AITBC_SIM_INI_H
#define AITBC_SIM_INI_H

#include <glib.h>

typedef struct sim_ini_entry {
    char *key;
    char *value;      /* trimmed, trailing comment removed; may be "" */
    int line;         /* 1-based; 0 = from a --set override */
} sim_ini_entry;

typedef struct sim_ini_section {
    char *name;       /* normalized header text without brackets */
    int line;         /* line of the header; 0 = created by a --set override */
    char *origin;     /* for line 0: the "section.key" of the override that
                       * created it (for error messages); else NULL */
    GPtrArray *entries; /* sim_ini_entry*, in file order, overrides last */
} sim_ini_section;

typedef struct sim_ini {
    char *path;
    GPtrArray *sections; /* sim_ini_section*, in file order */
} sim_ini;

/* Parse text (size bytes, need not be NUL-terminated). Errors are in
 * SIM_SCENARIO_ERROR (code SYNTAX) with the message "PATH:LINE: key: what";
 * for line-level problems the key is the enclosing "[section]" (or "[file]"
 * before any header or for the whole file). */
sim_ini *sim_ini_parse(const char *path, const char *text, size_t size, GError **error);
void sim_ini_free(sim_ini *ini);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sim_ini, sim_ini_free)

sim_ini_section *sim_ini_find_section(const sim_ini *ini, const char *name);
sim_ini_entry *sim_ini_find_entry(const sim_ini_section *section, const char *key);
/* The value of key in section, or NULL when either is absent. */
const char *sim_ini_get(const sim_ini *ini, const char *section, const char *key);

/* Apply one override "section.key=value": the section is everything before
 * the last '.' left of '=' (so "fault split.at=30s" names [fault split]);
 * replaces the value of an existing key (its line becomes 0) or adds the
 * key, creating the section if needed. A malformed override is an error
 * "--set: TEXT: what is wrong". */
gboolean sim_ini_apply_override(sim_ini *ini, const char *override, GError **error);

/* Editing and writing (sim/scenario/ini_write.c), for tools that build scenario
 * files from other files (swarm worlds, shrunk reproducers). sim_ini_write
 * returns "[section]\nkey = value\n..." in order, without comments;
 * sim_ini_set adds or replaces a key (creating the section at the end). */
char *sim_ini_write(const sim_ini *ini);
gboolean sim_ini_remove_section(sim_ini *ini, const char *name);
gboolean sim_ini_remove_entry(sim_ini_section *section, const char *key);
void sim_ini_set(sim_ini *ini, const char *section, const char *key, const char *value);

/* Levenshtein edit distance, for did-you-mean suggestions. Strings longer
 * than 64 bytes compare as far apart. */
guint sim_ini_edit_distance(const char *a, const char *b);
/* The candidate closest to word when it is close enough to be a plausible
 * typo, else NULL. candidates is NULL-terminated; returns one of them. */
const char *sim_ini_closest(const char *word, const char *const *candidates);

#endif
