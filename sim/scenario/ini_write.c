/* Writing a parsed key-file back as scenario text (see sim/scenario/ini.h).
 *
 * The swarm generator and the shrinker build scenario files by editing the
 * parsed sections of a base file and writing them out again, so that what
 * they run is always a real, standalone file that `aitbc-sim run` reads.
 * Comments of the original are not kept (the reader drops them); section
 * and entry order is. */
#include "sim/scenario/ini.h"

#include <string.h>

char *sim_ini_write(const sim_ini *ini)
{
    GString *out = g_string_new(NULL);
    for (guint i = 0; i < ini->sections->len; i++) {
        const sim_ini_section *sec = g_ptr_array_index(ini->sections, i);
        g_string_append_printf(out, "%s[%s]\n", i > 0 ? "\n" : "", sec->name);
        for (guint j = 0; j < sec->entries->len; j++) {
            const sim_ini_entry *e = g_ptr_array_index(sec->entries, j);
            g_string_append_printf(out, "%s = %s\n", e->key, e->value);
        }
    }
    return g_string_free(out, FALSE);
}

gboolean sim_ini_remove_section(sim_ini *ini, const char *name)
{
    for (guint i = 0; i < ini->sections->len; i++) {
        const sim_ini_section *sec = g_ptr_array_index(ini->sections, i);
        if (strcmp(sec->name, name) == 0) {
            g_ptr_array_remove_index(ini->sections, i);
            return TRUE;
        }
    }
    return FALSE;
}

gboolean sim_ini_remove_entry(sim_ini_section *section, const char *key)
{
    for (guint i = 0; i < section->entries->len; i++) {
        const sim_ini_entry *e = g_ptr_array_index(section->entries, i);
        if (strcmp(e->key, key) == 0) {
            g_ptr_array_remove_index(section->entries, i);
            return TRUE;
        }
    }
    return FALSE;
}

void sim_ini_set(sim_ini *ini, const char *section, const char *key, const char *value)
{
    g_autofree char *override = g_strdup_printf("%s.%s=%s", section, key, value);
    GError *error = NULL;
    /* Our own well-formed override cannot fail but for a bad key name,
     * which is a programming error. */
    gboolean ok = sim_ini_apply_override(ini, override, &error);
    g_assert(ok);
    (void)ok;
}
