/* The [staking] section: the staking economy's parameters and who
 * controls which validators.
 *
 * Economy keys (sim_staking_options): delegators and their genesis stake
 * and operation rate, the x/staking parameters (unbonding time, active
 * set size, minimum self-bond, commission), the x/mint ones (inflation
 * bounds and speed, bonded goal, the simulated `year`) and x/distribution's
 * community tax. Rates are read exactly ("0.05" is 5 x 10^16 x 10^-18),
 * never through a double.
 *
 *   owners = v0..v3:alpha v4..v9:beta
 *
 * `owners`: items separated by blanks, each SET:OWNER without a blank
 * inside: SET a set of validators as node sets are written (v3, v0..v4,
 * v0,v5, validators), OWNER a name of lower-case letters, digits, '_'
 * and '-'. One owner may have several items. A validator no item lists
 * is its own owner, under its own name ("v7"), so names of the form vN
 * are reserved; concentration is reported by owner as well as by
 * validator (sim/check/concentration.h).
 *
 * Every error names the file, the line and the key: a name that is no
 * validator, a node that is not a validator, a bad range, a validator
 * listed twice, an item without an owner, an empty or bad owner name, a
 * rate above one or with more than 18 decimals, a commission list whose
 * length is neither 1 nor the validator count, a commission above its
 * max rate, inflation bounds out of order, a genesis stake below the
 * minimum self-bond, an active set larger than the validators.
 *
 * [staking] describes bonded validators: with protocol = poa (which has
 * none) the section is an error, as [slashing] is, and so is [expect]
 * min_nakamoto. */
#include "sim/scenario/scenario_internal.h"
#include "sim/scenario/units.h"

#include <stddef.h>
#include <string.h>

/* Longer owner names are typos or pasted keys; they must fit a report line. */
#define STAKING_OWNER_NAME_MAX 32
/* Stakes and delegations: each far below the supply bound (u64). */
#define STAKING_STAKE_MAX 1000000000000000000LL
#define STAKING_AT(field) offsetof(sim_staking_options, field)

/* `owners` names validators, so it is read once the counts are known
 * (sim_scn_check_staking). */
static gboolean staking_read_later(sim_scn_ctx *c, const sim_ini_section *sec,
                                   const sim_ini_entry *e, void *base, GError **error)
{
    (void)c, (void)sec, (void)e, (void)base, (void)error;
    return TRUE;
}

/* A rate in [0, 1] as x 10^-18, exactly. */
static gboolean parse_rate(const char *text, uint64_t *out, GError **error)
{
    uint64_t num = 0, den = 1;
    if (!sim_parse_fraction(text, &num, &den, error))
        return FALSE;
    /* den is a power of ten up to 10^9, so 10^18 / den is exact. */
    *out = num * (SIM_RATE_ONE / den);
    return TRUE;
}

static gboolean staking_read_rate(sim_scn_ctx *c, const sim_ini_section *sec,
                                  const sim_ini_entry *e, void *base, GError **error)
{
    static const struct {
        const char *key;
        size_t offset;
    } rates[] = {
        {"commission_max_rate", STAKING_AT(commission_max_rate)},
        {"commission_max_change_rate", STAKING_AT(commission_max_change_rate)},
        {"inflation_min", STAKING_AT(inflation_min)},
        {"inflation_max", STAKING_AT(inflation_max)},
        {"inflation_rate_change", STAKING_AT(inflation_rate_change)},
        {"goal_bonded", STAKING_AT(goal_bonded)},
        {"community_tax", STAKING_AT(community_tax)},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(rates); i++) {
        if (strcmp(e->key, rates[i].key) != 0)
            continue;
        GError *local = NULL;
        if (!parse_rate(e->value, (uint64_t *)((char *)base + rates[i].offset), &local))
            return sim_scn_fail_with(c, sec, e, error, local);
        return TRUE;
    }
    g_assert_not_reached();
}

/* `commission`: one rate for every validator, or one per validator
 * (the count is checked once the validators are known). */
static gboolean staking_read_commission(sim_scn_ctx *c, const sim_ini_section *sec,
                                        const sim_ini_entry *e, void *base, GError **error)
{
    sim_staking_options *o = base;
    g_array_set_size(o->commission, 0);
    g_auto(GStrv) items = g_strsplit_set(e->value, " \t,", -1);
    for (guint i = 0; items[i] != NULL; i++) {
        if (items[i][0] == '\0')
            continue;
        uint64_t rate = 0;
        GError *local = NULL;
        if (!parse_rate(items[i], &rate, &local))
            return sim_scn_fail_with(c, sec, e, error, local);
        g_array_append_val(o->commission, rate);
    }
    if (o->commission->len == 0)
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                            "empty value (one rate, or one per validator)");
    return TRUE;
}

const sim_scn_key sim_scn_staking_keys[] = {
    {.key = "owners", .type = SIM_SCN_CUSTOM, .custom = staking_read_later},
    {.key = "delegators", .type = SIM_SCN_U32, .offset = STAKING_AT(delegators), .lo = 0,
     .hi = 10000000},
    {.key = "delegator_stake", .type = SIM_SCN_U64, .offset = STAKING_AT(delegator_stake),
     .lo = 1, .hi = STAKING_STAKE_MAX},
    {.key = "delegation_rate", .type = SIM_SCN_RATE, .offset = STAKING_AT(delegation_rate_per_s),
     .lo = 0, .hi = 1000000},
    {.key = "unbonding_time", .type = SIM_SCN_DURATION, .offset = STAKING_AT(unbonding_time_ns),
     .lo = 1},
    {.key = "max_validators", .type = SIM_SCN_U32, .offset = STAKING_AT(max_validators), .lo = 1,
     .hi = 1000000},
    {.key = "min_self_bond", .type = SIM_SCN_U64, .offset = STAKING_AT(min_self_bond), .lo = 1,
     .hi = STAKING_STAKE_MAX},
    {.key = "commission", .type = SIM_SCN_CUSTOM, .custom = staking_read_commission},
    {.key = "commission_max_rate", .type = SIM_SCN_CUSTOM, .custom = staking_read_rate},
    {.key = "commission_max_change_rate", .type = SIM_SCN_CUSTOM, .custom = staking_read_rate},
    {.key = "inflation_min", .type = SIM_SCN_CUSTOM, .custom = staking_read_rate},
    {.key = "inflation_max", .type = SIM_SCN_CUSTOM, .custom = staking_read_rate},
    {.key = "inflation_rate_change", .type = SIM_SCN_CUSTOM, .custom = staking_read_rate},
    {.key = "goal_bonded", .type = SIM_SCN_CUSTOM, .custom = staking_read_rate},
    {.key = "year", .type = SIM_SCN_DURATION, .offset = STAKING_AT(year_ns), .lo = 1},
    {.key = "community_tax", .type = SIM_SCN_CUSTOM, .custom = staking_read_rate},
    {0},
};

/* Cosmos's parameters, with times scaled to runs of minutes: unbonding
 * 10 min instead of 21 days, a year of 1 h. Commission 5%, at most 20%,
 * moved by at most 1% a day. */
void sim_scn_staking_init(sim_scenario *s)
{
    s->owner_names = g_ptr_array_new_with_free_func(g_free);
    s->owner_of = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    sim_staking_options *o = &s->staking_opt;
    const uint64_t percent = SIM_RATE_ONE / 100;
    *o = (sim_staking_options){.unbonding_time_ns = 600LL * 1000 * 1000 * 1000,
                               .min_self_bond = 1,
                               .commission = g_array_new(FALSE, FALSE, sizeof(uint64_t)),
                               .commission_max_rate = 20 * percent,
                               .commission_max_change_rate = 1 * percent,
                               .inflation_min = 7 * percent,
                               .inflation_max = 20 * percent,
                               .inflation_rate_change = 13 * percent,
                               .goal_bonded = 67 * percent,
                               .community_tax = 2 * percent,
                               .year_ns = 3600LL * 1000 * 1000 * 1000};
    uint64_t five = 5 * percent;
    g_array_append_val(o->commission, five);
}

void sim_scn_staking_clear(sim_scenario *s)
{
    g_ptr_array_unref(s->owner_names);
    g_array_unref(s->owner_of);
    g_array_unref(s->staking_opt.commission);
}

uint64_t sim_scenario_commission_of(const sim_scenario *s, uint32_t validator)
{
    const GArray *c = s->staking_opt.commission;
    g_assert(c->len == 1 || validator < c->len);
    return g_array_index(c, uint64_t, c->len == 1 ? 0 : validator);
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

/* The error of key `key` in [staking] (the section when it is absent
 * from the file: a default broke the rule). */
static gboolean staking_fail(const sim_scn_ctx *c, const char *key, GError **error,
                             const char *why)
{
    const sim_ini_section *sec = sim_ini_find_section(c->ini, "staking");
    return sim_scn_fail(c, sec, sim_ini_find_entry(sec, key), SIM_SCENARIO_ERROR_VALUE, error,
                        "%s", why);
}

static gboolean check_commission(const sim_scn_ctx *c, GError **error)
{
    const sim_staking_options *o = &c->s->staking_opt;
    if (o->commission->len != 1 && o->commission->len != c->s->validators) {
        g_autofree char *why = g_strdup_printf("%u rates for %u validators (give one for all, "
                                               "or one per validator)",
                                               o->commission->len, c->s->validators);
        return staking_fail(c, "commission", error, why);
    }
    for (guint i = 0; i < o->commission->len; i++)
        if (g_array_index(o->commission, uint64_t, i) > o->commission_max_rate)
            return staking_fail(c, "commission", error,
                                "a commission above commission_max_rate");
    if (o->commission_max_change_rate > o->commission_max_rate)
        return staking_fail(c, "commission_max_change_rate", error,
                            "above commission_max_rate (Cosmos refuses such a validator)");
    return TRUE;
}

static gboolean check_economy(const sim_scn_ctx *c, GError **error)
{
    const sim_scenario *s = c->s;
    const sim_staking_options *o = &s->staking_opt;
    if (!check_commission(c, error))
        return FALSE;
    if (o->inflation_min > o->inflation_max)
        return staking_fail(c, "inflation_min", error, "above inflation_max");
    if (o->goal_bonded == 0)
        return staking_fail(c, "goal_bonded", error, "must be above 0 (x/mint divides by it)");
    if (o->max_validators > s->validators) {
        g_autofree char *why = g_strdup_printf("%u, but there are %u validators",
                                               o->max_validators, s->validators);
        return staking_fail(c, "max_validators", error, why);
    }
    if (o->delegation_rate_per_s > 0 && o->delegators == 0)
        return staking_fail(c, "delegation_rate", error,
                            "delegators act at this rate, but there are none (delegators = 0)");
    for (uint32_t v = 0; v < s->validators; v++) {
        uint64_t stake = g_array_index(s->stakes, uint64_t, s->stakes->len == 1 ? 0 : v);
        if (stake >= o->min_self_bond)
            continue;
        g_autofree char *why = g_strdup_printf("v%u's stake %" G_GUINT64_FORMAT " (its genesis "
                                               "self-bond) is below it",
                                               v, stake);
        return staking_fail(c, "min_self_bond", error, why);
    }
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
    return sec == NULL || check_economy(c, error);
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
