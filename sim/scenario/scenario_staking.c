/* The [staking] section: for now one key, `owners`, who controls which
 * validators, so that stake concentration is reported by owner as well
 * as by validator (sim/check/concentration.h); and [expect]
 * min_nakamoto's checks against the validators and owners. The staking
 * module's own keys (delegators, unbonding, inflation, ...) come with it.
 *
 *   owners = v0..v3:alpha v4..v9:beta
 *
 * Items separated by blanks, each SET:OWNER without a blank inside: SET a
 * set of validators as node sets are written (v3, v0..v4, v0,v5,
 * validators), OWNER a name of lower-case letters, digits, '_' and '-'.
 * One owner may have several items. A validator no item lists is its own
 * owner, under its own name ("v7"), so names of the form vN are reserved.
 * Every error names the file, the line and the key: a name that is no
 * validator, a node that is not a validator, a bad range, a validator
 * listed twice, an item without an owner, an empty or bad owner name.
 *
 * [staking] describes bonded validators: with protocol = poa (which has
 * none) the section is an error, as [slashing] is, and so is [expect]
 * min_nakamoto. */
#include "sim/scenario/scenario_internal.h"

#include <string.h>

/* Longer owner names are typos or pasted keys; they must fit a report line. */
#define STAKING_OWNER_NAME_MAX 32

/* `owners` names validators, so it is read once the counts are known
 * (sim_scn_check_staking). */
static gboolean staking_read_later(sim_scn_ctx *c, const sim_ini_section *sec,
                                   const sim_ini_entry *e, void *base, GError **error)
{
    (void)c, (void)sec, (void)e, (void)base, (void)error;
    return TRUE;
}

const sim_scn_key sim_scn_staking_keys[] = {
    {.key = "owners", .type = SIM_SCN_CUSTOM, .custom = staking_read_later},
    {0},
};

void sim_scn_staking_init(sim_scenario *s)
{
    s->owner_names = g_ptr_array_new_with_free_func(g_free);
    s->owner_of = g_array_new(FALSE, FALSE, sizeof(uint32_t));
}

void sim_scn_staking_clear(sim_scenario *s)
{
    g_ptr_array_unref(s->owner_names);
    g_array_unref(s->owner_of);
}

/* Sets *why (owned) and refuses. */
static gboolean refuse(char **why, char *msg)
{
    *why = msg;
    return FALSE;
}

/* "vN": a validator's own name, which no declared owner may take. */
static bool is_validator_name(const char *name)
{
    if (name[0] != 'v' || name[1] == '\0')
        return false;
    for (const char *p = name + 1; *p != '\0'; p++)
        if (!g_ascii_isdigit(*p))
            return false;
    return true;
}

static gboolean check_owner_name(const char *item, const char *name, char **why)
{
    if (name[0] == '\0')
        return refuse(why, g_strdup_printf("'%s' has an empty owner name (SET:OWNER)", item));
    for (const char *p = name; *p != '\0'; p++) {
        if (!g_ascii_islower(*p) && !g_ascii_isdigit(*p) && *p != '_' && *p != '-')
            return refuse(why, g_strdup_printf("bad owner name '%s' (lower-case letters, "
                                               "digits, '_' and '-' only)",
                                               name));
    }
    if (strlen(name) > STAKING_OWNER_NAME_MAX)
        return refuse(why, g_strdup_printf("owner name '%s' is longer than %d characters", name,
                                           STAKING_OWNER_NAME_MAX));
    if (is_validator_name(name))
        return refuse(why, g_strdup_printf("owner name '%s' is reserved: a validator no item "
                                           "lists is its own owner under its name",
                                           name));
    return TRUE;
}

/* Index of owner `name` in names, appended if new. */
static uint32_t owner_index(GPtrArray *names, const char *name)
{
    for (guint i = 0; i < names->len; i++)
        if (strcmp(g_ptr_array_index(names, i), name) == 0)
            return i;
    g_ptr_array_add(names, g_strdup(name));
    return names->len - 1;
}

/* Marks the validators of `set` as owner's; an error into *why. */
static gboolean mark_owned(const sim_scn_ctx *c, const char *item, const GArray *set,
                           uint32_t owner, GArray *owner_of, const GPtrArray *names, char **why)
{
    for (guint i = 0; i < set->len; i++) {
        uint32_t node = g_array_index(set, uint32_t, i);
        g_autofree char *node_name = sim_nodeset_node_name(&c->nodes, node);
        if (node >= c->nodes.validators)
            return refuse(why, g_strdup_printf("%s in '%s' is not a validator", node_name, item));
        uint32_t *slot = &g_array_index(owner_of, uint32_t, node);
        if (*slot != UINT32_MAX && *slot == owner)
            return refuse(why, g_strdup_printf("%s is listed twice (for %s)", node_name,
                                               (const char *)g_ptr_array_index(names, owner)));
        if (*slot != UINT32_MAX)
            return refuse(why, g_strdup_printf("%s is listed twice (for %s and for %s)", node_name,
                                               (const char *)g_ptr_array_index(names, *slot),
                                               (const char *)g_ptr_array_index(names, owner)));
        *slot = owner;
    }
    return TRUE;
}

/* One "SET:OWNER" item into names and owner_of; an error into *why. */
static gboolean read_item(const sim_scn_ctx *c, const char *item, GPtrArray *names,
                          GArray *owner_of, char **why)
{
    const char *colon = strrchr(item, ':');
    if (colon == NULL)
        return refuse(why, g_strdup_printf("'%s' names no owner (write SET:OWNER, like "
                                           "v0..v3:alpha)",
                                           item));
    const char *name = colon + 1;
    if (!check_owner_name(item, name, why))
        return FALSE;
    g_autofree char *set_text = g_strndup(item, (gsize)(colon - item));
    if (set_text[0] == '\0')
        return refuse(why, g_strdup_printf("'%s' lists no validator (SET:OWNER)", item));
    GError *local = NULL;
    GArray *set = sim_nodeset_parse(&c->nodes, set_text, 0, &local);
    if (set == NULL) {
        *why = g_strdup_printf("'%s': %s", item, local->message);
        g_error_free(local);
        return FALSE;
    }
    gboolean ok = mark_owned(c, item, set, owner_index(names, name), owner_of, names, why);
    g_array_unref(set);
    return ok;
}

static gboolean read_owners(const sim_scn_ctx *c, const sim_ini_section *sec,
                            const sim_ini_entry *e, GPtrArray *names, GArray *owner_of,
                            GError **error)
{
    g_auto(GStrv) items = g_strsplit_set(e->value, " \t", -1);
    guint read = 0;
    for (guint i = 0; items[i] != NULL; i++) {
        if (items[i][0] == '\0')
            continue;
        char *why = NULL;
        if (!read_item(c, items[i], names, owner_of, &why)) {
            gboolean r = sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error, "%s", why);
            g_free(why);
            return r;
        }
        read++;
    }
    if (read == 0)
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                            "empty value (SET:OWNER ..., like v0..v3:alpha v4..v9:beta)");
    return TRUE;
}

/* PoA has no bonded validators: a section about them, or a target on
 * their concentration, is a mistake. */
static gboolean check_protocol(const sim_scn_ctx *c, GError **error)
{
    if (c->s->protocol != SIM_CONSENSUS_POA)
        return TRUE;
    const sim_ini_section *sec = sim_ini_find_section(c->ini, "staking");
    if (sec != NULL)
        return sim_scn_fail(c, sec, NULL, SIM_SCENARIO_ERROR_KEY, error,
                            "PoA has no bonded validators (staking needs protocol = pbft in "
                            "[consensus])");
    const sim_ini_section *expect = sim_ini_find_section(c->ini, "expect");
    const sim_ini_entry *min = sim_ini_find_entry(expect, "min_nakamoto");
    if (min != NULL)
        return sim_scn_fail(c, expect, min, SIM_SCENARIO_ERROR_VALUE, error,
                            "PoA has no bonded validators to measure (min_nakamoto needs "
                            "protocol = pbft in [consensus])");
    return TRUE;
}

gboolean sim_scn_check_staking(sim_scn_ctx *c, GError **error)
{
    sim_scenario *s = c->s;
    if (!check_protocol(c, error))
        return FALSE;
    const sim_ini_section *sec = sim_ini_find_section(c->ini, "staking");
    const sim_ini_entry *e = sim_ini_find_entry(sec, "owners");
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    GArray *owner_of = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    uint32_t none = UINT32_MAX;
    for (uint32_t v = 0; v < s->validators; v++)
        g_array_append_val(owner_of, none);
    if (e != NULL && !read_owners(c, sec, e, names, owner_of, error)) {
        g_ptr_array_unref(names);
        g_array_unref(owner_of);
        return FALSE;
    }
    for (uint32_t v = 0; v < s->validators; v++) {
        uint32_t *slot = &g_array_index(owner_of, uint32_t, v);
        if (*slot == UINT32_MAX) {
            *slot = names->len;
            g_ptr_array_add(names, g_strdup_printf("v%u", v));
        }
    }
    g_ptr_array_unref(s->owner_names);
    g_array_unref(s->owner_of);
    s->owner_names = names;
    s->owner_of = owner_of;
    s->staking = sec != NULL;
    s->owners_declared = e != NULL;
    return TRUE;
}

/* A Nakamoto coefficient is at most the number of validators (or owners)
 * holding power: a target above it can never hold. */
gboolean sim_scn_check_min_nakamoto(sim_scn_ctx *c, GError **error)
{
    const sim_scenario *s = c->s;
    if (!s->expect.has_min_nakamoto)
        return TRUE;
    const sim_ini_section *sec = sim_ini_find_section(c->ini, "expect");
    const sim_ini_entry *e = sim_ini_find_entry(sec, "min_nakamoto");
    uint32_t most = s->owners_declared ? s->owner_names->len : s->validators;
    if (s->expect.min_nakamoto <= most)
        return TRUE;
    return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                        "%u can never hold: the coefficient counts %s, and there are %u",
                        s->expect.min_nakamoto,
                        s->owners_declared ? "owners ([staking] owners)" : "validators", most);
}
