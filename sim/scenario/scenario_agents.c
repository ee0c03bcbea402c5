/* The agent market's sections: [agents] (who sells and buys compute, on
 * which nodes, at what prices and bonds) and [jobs] (what consumers post),
 * read into sim_agents_options and sim_jobs_options (sim/scenario/scenario.h),
 * and the market's [expect] targets. Parsed and checked here; the
 * simulator reads the structs.
 *
 *   [agents]
 *   providers = 80                   # a0..a79
 *   consumers = 40                   # a80..a119
 *   hosts = full_nodes               # round robin
 *   capabilities = llm-7b:40 llm-70b:20 image:20
 *
 * Agents are actors, not network nodes: they have names of their own
 * (a0..), node sets take them only in byzantine and churn faults, and
 * there they are kept apart from the nodes (sim_fault.agents).
 *
 * Keys that name other things are read once those are known: `hosts`
 * needs the node counts, `mix` the capabilities, consumer_balance's
 * default the jobs. Shares that move tokens (slashes, the market fee) are
 * read exactly as x 10^-18 like [staking]'s rates; probabilities the
 * simulator only draws against (notice, verify) are doubles. Every error
 * names the file, the line and the key, or the section when a default
 * broke a rule. */
#include "sim/scenario/scenario_internal.h"
#include "sim/scenario/units.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#define AGENTS_AT(field) offsetof(sim_agents_options, field)
#define JOBS_AT(field) offsetof(sim_jobs_options, field)

/* Bounds that catch typos, far above any market a run can simulate. */
#define AGENTS_SPEED_MAX 1000.0           /* x the reference */
#define AGENTS_PRICE_MAX 1e12             /* base units per reference second */
#define AGENTS_AMOUNT_MAX 1000000000000000000ULL /* a bond, a balance, all balances */
#define AGENTS_PERIODS_MAX 1000000        /* suspend_after, evict_after */
#define AGENTS_USD_MAX 10                 /* token_usd: USD per base unit */
/* The chain carries a job's deadline in u32 milliseconds. */
#define JOBS_DEADLINE_MAX_NS (4294967295LL * 1000000)
#define MS_NS 1000000LL
#define S_NS 1000000000LL

/* ---- readers ---- */

/* hosts and mix name nodes and capabilities: read by the checks. */
static gboolean agents_read_later(sim_scn_ctx *c, const sim_ini_section *sec,
                                  const sim_ini_entry *e, void *base, GError **error)
{
    (void)c, (void)sec, (void)e, (void)base, (void)error;
    return TRUE;
}

/* An exact share in [0, 1] (x 10^-18) or, for the keys the simulator draws
 * against, a double. */
static gboolean agents_read_share(sim_scn_ctx *c, const sim_ini_section *sec,
                                  const sim_ini_entry *e, void *base, GError **error)
{
    static const struct {
        const char *section, *key;
        size_t exact;  /* offset of a uint64 x 10^-18, or ... */
        size_t real;   /* ... (exact == SIZE_MAX) of a double */
    } shares[] = {
        {"agents", "evict_slash", AGENTS_AT(evict_slash), 0},
        {"agents", "noshow_slash", AGENTS_AT(noshow_slash), 0},
        {"agents", "notice", SIZE_MAX, AGENTS_AT(notice)},
        {"jobs", "fee", JOBS_AT(fee), 0},
        {"jobs", "verify", SIZE_MAX, JOBS_AT(verify)},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(shares); i++) {
        if (strcmp(sec->name, shares[i].section) != 0 || strcmp(e->key, shares[i].key) != 0)
            continue;
        GError *local = NULL;
        uint64_t num = 0, den = 1;
        if (!sim_parse_fraction(e->value, &num, &den, &local))
            return sim_scn_fail_with(c, sec, e, error, local);
        if (shares[i].exact != SIZE_MAX)
            *(uint64_t *)((char *)base + shares[i].exact) = num * (SIM_RATE_ONE / den);
        else
            *(double *)((char *)base + shares[i].real) = (double)num / (double)den;
        return TRUE;
    }
    g_assert_not_reached();
    return FALSE;
}

/* speed, price and cost: distributions of plain numbers. Positive ones
 * cannot be `normal`, which is truncated at 0; tails above the bound are
 * the simulator's to clamp. */
static gboolean agents_read_num_dist(sim_scn_ctx *c, const sim_ini_section *sec,
                                     const sim_ini_entry *e, void *base, GError **error)
{
    static const struct {
        const char *key;
        size_t offset;
        bool positive;  /* draws > 0 (else >= 0) */
        double max;
    } dists[] = {
        {"speed", AGENTS_AT(speed), true, AGENTS_SPEED_MAX},
        {"price", AGENTS_AT(price), true, AGENTS_PRICE_MAX},
        {"cost", AGENTS_AT(cost), false, AGENTS_PRICE_MAX},
    };
    size_t i = 0;
    while (strcmp(dists[i].key, e->key) != 0)
        i++;
    GError *local = NULL;
    sim_num_dist d;
    if (!sim_parse_num_dist(e->value, e->key, &d, &local))
        return sim_scn_fail_with(c, sec, e, error, local);
    if (dists[i].positive && d.kind == SIM_DIST_NORMAL)
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                            "normal can draw 0 or less (it is truncated at 0): %s must be > 0; "
                            "use lognormal or uniform",
                            e->key);
    if (dists[i].positive && d.kind != SIM_DIST_LOGNORMAL && !(d.a > 0))
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error, "%s must be > 0",
                            e->key);
    double top = d.kind == SIM_DIST_UNIFORM ? d.b : d.a;
    if (top > dists[i].max)
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                            "'%s' is out of range (%s at most %g)", e->value, e->key,
                            dists[i].max);
    *(sim_num_dist *)((char *)base + dists[i].offset) = d;
    return TRUE;
}

/* token_usd: exactly (x 10^-18) and as the nearest double. */
static gboolean agents_read_token_usd(sim_scn_ctx *c, const sim_ini_section *sec,
                                      const sim_ini_entry *e, void *base, GError **error)
{
    sim_agents_options *o = base;
    GError *local = NULL;
    if (!sim_parse_decimal_e18(e->value, AGENTS_USD_MAX, &o->token_usd_e18, &local))
        return sim_scn_fail_with(c, sec, e, error, local);
    o->token_usd = g_ascii_strtod(e->value, NULL);
    return TRUE;
}

static gboolean agents_check_capability_name(const char *item, const char *name, char **why)
{
    if (name[0] == '\0') {
        *why = g_strdup_printf("'%s' has an empty name (NAME:COUNT, like llm-7b:40)", item);
        return FALSE;
    }
    for (const char *p = name; *p != '\0'; p++) {
        if (!g_ascii_islower(*p) && !g_ascii_isdigit(*p) && *p != '-') {
            *why = g_strdup_printf("bad capability name '%s' (lower-case letters, digits and "
                                   "'-' only)",
                                   name);
            return FALSE;
        }
    }
    if (strlen(name) > SIM_AGENTS_NAME_MAX) {
        *why = g_strdup_printf("capability name '%s' is longer than %d characters", name,
                               SIM_AGENTS_NAME_MAX);
        return FALSE;
    }
    return TRUE;
}

/* Splits "NAME:WEIGHT" at its last colon; *why on error. */
static gboolean agents_split_item(const char *item, const char *what, char **name,
                                  const char **value, char **why)
{
    const char *colon = strrchr(item, ':');
    if (colon == NULL) {
        *why = g_strdup_printf("'%s' has no %s (write NAME:%s, like llm-7b:%s)", item, what,
                               strcmp(what, "count") == 0 ? "COUNT" : "WEIGHT",
                               strcmp(what, "count") == 0 ? "40" : "60");
        return FALSE;
    }
    *name = g_strndup(item, (gsize)(colon - item));
    *value = colon + 1;
    return TRUE;
}

/* One "NAME:COUNT" of capabilities into caps; *why on error. */
static gboolean agents_read_capability(const char *item, GArray *caps, char **why)
{
    g_autofree char *name = NULL;
    const char *value = NULL;
    if (!agents_split_item(item, "count", &name, &value, why) ||
        !agents_check_capability_name(item, name, why))
        return FALSE;
    uint64_t count = 0;
    GError *local = NULL;
    if (!sim_parse_u64(value, &count, &local)) {
        *why = g_strdup_printf("'%s': %s", item, local->message);
        g_error_free(local);
        return FALSE;
    }
    if (count < 1 || count > SIM_AGENTS_MAX) {
        *why = g_strdup_printf("'%s': a capability has 1..%u providers", item, SIM_AGENTS_MAX);
        return FALSE;
    }
    for (guint i = 0; i < caps->len; i++) {
        if (strcmp(g_array_index(caps, sim_capability, i).name, name) == 0) {
            *why = g_strdup_printf("capability '%s' is listed twice", name);
            return FALSE;
        }
    }
    if (caps->len == SIM_AGENTS_CAPABILITIES_MAX) {
        *why = g_strdup_printf("more than %u capabilities (the chain's mask has %u bits)",
                               SIM_AGENTS_CAPABILITIES_MAX, SIM_AGENTS_CAPABILITIES_MAX);
        return FALSE;
    }
    sim_capability cap = {.name = g_steal_pointer(&name), .providers = (uint32_t)count};
    g_array_append_val(caps, cap);
    return TRUE;
}

static void agents_capability_clear(gpointer p)
{
    g_free(((sim_capability *)p)->name);
}

static GArray *agents_capabilities_new(void)
{
    GArray *caps = g_array_new(FALSE, FALSE, sizeof(sim_capability));
    g_array_set_clear_func(caps, agents_capability_clear);
    return caps;
}

/* capabilities = NAME:COUNT ...; the sum is checked against providers
 * later (providers may come after it, or from --set). */
static gboolean agents_read_capabilities(sim_scn_ctx *c, const sim_ini_section *sec,
                                         const sim_ini_entry *e, void *base, GError **error)
{
    sim_agents_options *o = base;
    GArray *caps = agents_capabilities_new();
    g_auto(GStrv) items = g_strsplit_set(e->value, " \t,", -1);
    for (guint i = 0; items[i] != NULL; i++) {
        if (items[i][0] == '\0')
            continue;
        char *why = NULL;
        if (!agents_read_capability(items[i], caps, &why)) {
            g_array_unref(caps);
            gboolean r = sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error, "%s", why);
            g_free(why);
            return r;
        }
    }
    if (caps->len == 0) {
        g_array_unref(caps);
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                            "empty value (NAME:COUNT ..., like llm-7b:40 image:20)");
    }
    g_array_unref(o->capabilities);
    o->capabilities = caps;
    return TRUE;
}

/* work: a duration distribution whose draws are > 0. */
static gboolean jobs_read_work(sim_scn_ctx *c, const sim_ini_section *sec, const sim_ini_entry *e,
                               void *base, GError **error)
{
    sim_jobs_options *o = base;
    GError *local = NULL;
    sim_dist d;
    if (!sim_parse_dist_named(e->value, "work", &d, &local))
        return sim_scn_fail_with(c, sec, e, error, local);
    if (d.kind == SIM_DIST_NORMAL)
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                            "normal can draw 0 or less (it is truncated at 0): work must be > 0; "
                            "use lognormal or uniform");
    if (d.a_ns <= 0)
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error, "work must be > 0");
    o->work = d;
    return TRUE;
}

const sim_scn_key sim_scn_agents_keys[] = {
    {.key = "providers", .type = SIM_SCN_U32, .offset = AGENTS_AT(providers), .lo = 1,
     .hi = SIM_AGENTS_MAX},
    {.key = "consumers", .type = SIM_SCN_U32, .offset = AGENTS_AT(consumers), .lo = 0,
     .hi = SIM_AGENTS_MAX},
    {.key = "hosts", .type = SIM_SCN_CUSTOM, .custom = agents_read_later},
    {.key = "capabilities", .type = SIM_SCN_CUSTOM, .custom = agents_read_capabilities},
    {.key = "capacity", .type = SIM_SCN_U32, .offset = AGENTS_AT(capacity), .lo = 1, .hi = 1000},
    {.key = "speed", .type = SIM_SCN_CUSTOM, .custom = agents_read_num_dist},
    {.key = "price", .type = SIM_SCN_CUSTOM, .custom = agents_read_num_dist},
    {.key = "bond", .type = SIM_SCN_U64, .offset = AGENTS_AT(bond), .lo = 1,
     .hi = (int64_t)AGENTS_AMOUNT_MAX},
    {.key = "heartbeat", .type = SIM_SCN_DURATION, .offset = AGENTS_AT(heartbeat_ns), .lo = 1},
    {.key = "cost", .type = SIM_SCN_CUSTOM, .custom = agents_read_num_dist},
    {.key = "token_usd", .type = SIM_SCN_CUSTOM, .custom = agents_read_token_usd},
    {.key = "suspend_after", .type = SIM_SCN_U32, .offset = AGENTS_AT(suspend_after), .lo = 1,
     .hi = AGENTS_PERIODS_MAX},
    {.key = "evict_after", .type = SIM_SCN_U32, .offset = AGENTS_AT(evict_after), .lo = 1,
     .hi = AGENTS_PERIODS_MAX},
    {.key = "unbond_delay", .type = SIM_SCN_DURATION, .offset = AGENTS_AT(unbond_delay_ns)},
    {.key = "evict_slash", .type = SIM_SCN_CUSTOM, .custom = agents_read_share},
    {.key = "noshow_slash", .type = SIM_SCN_CUSTOM, .custom = agents_read_share},
    {.key = "consumer_balance", .type = SIM_SCN_U64, .offset = AGENTS_AT(consumer_balance),
     .has_offset = AGENTS_AT(consumer_balance_given), .lo = 1, .hi = (int64_t)AGENTS_AMOUNT_MAX},
    {.key = "notice", .type = SIM_SCN_CUSTOM, .custom = agents_read_share},
    {0},
};

static const char *const jobs_fee_sinks[] = {"collector", "treasury", NULL};

const sim_scn_key sim_scn_jobs_keys[] = {
    {.key = "rate", .type = SIM_SCN_RATE, .offset = JOBS_AT(rate_per_s), .hi = 1000000},
    {.key = "work", .type = SIM_SCN_CUSTOM, .custom = jobs_read_work},
    {.key = "mix", .type = SIM_SCN_CUSTOM, .custom = agents_read_later},
    {.key = "max_price", .type = SIM_SCN_U64, .offset = JOBS_AT(max_price), .lo = 1,
     .hi = (int64_t)AGENTS_PRICE_MAX},
    {.key = "deadline", .type = SIM_SCN_DURATION, .offset = JOBS_AT(deadline_ns), .lo = MS_NS,
     .hi = JOBS_DEADLINE_MAX_NS},
    {.key = "challenge_window", .type = SIM_SCN_DURATION, .offset = JOBS_AT(challenge_window_ns)},
    {.key = "verify", .type = SIM_SCN_CUSTOM, .custom = agents_read_share},
    {.key = "accept_timeout", .type = SIM_SCN_DURATION, .offset = JOBS_AT(accept_timeout_ns),
     .lo = 1},
    {.key = "fee", .type = SIM_SCN_CUSTOM, .custom = agents_read_share},
    {.key = "guard_above", .type = SIM_SCN_U64, .offset = JOBS_AT(guard_above), .lo = 0,
     .hi = (int64_t)AGENTS_AMOUNT_MAX},
    {.key = "guard_expiry", .type = SIM_SCN_DURATION, .offset = JOBS_AT(guard_expiry_ns)},
    {.key = "fee_to", .type = SIM_SCN_ENUM, .offset = JOBS_AT(fee_to), .names = jobs_fee_sinks},
    {0},
};

/* ---- defaults ---- */

void sim_scn_agents_init(sim_scenario *s)
{
    const uint64_t percent = SIM_RATE_ONE / 100;
    s->agents_opt = (sim_agents_options){
        .hosts = g_array_new(FALSE, FALSE, sizeof(uint32_t)),
        .capabilities = agents_capabilities_new(),
        .capacity = 1,
        .speed = {.kind = SIM_DIST_CONSTANT, .a = 1},
        .price = {.kind = SIM_DIST_CONSTANT, .a = 100},
        .cost = {.kind = SIM_DIST_CONSTANT, .a = 30},
        .bond = 10000,
        .heartbeat_ns = 30 * S_NS,
        .suspend_after = 2,
        .evict_after = 6,
        .unbond_delay_ns = 60 * S_NS,
        .evict_slash = 10 * percent,
        .noshow_slash = 5 * percent,
        .notice = 0.9,
        .token_usd = 0.00001,
        .token_usd_e18 = 10000000000000ULL, /* 10^-5 x 10^18 */
    };
    s->jobs_opt = (sim_jobs_options){
        .rate_per_s = 1,
        .work = {.kind = SIM_DIST_CONSTANT, .a_ns = S_NS},
        .mix = g_array_new(FALSE, FALSE, sizeof(double)),
        .max_price = 150,
        .deadline_ns = 60 * S_NS,
        .challenge_window_ns = 30 * S_NS,
        .verify = 0,
        .accept_timeout_ns = 30 * S_NS,
        .fee = 1 * percent,
        .guard_expiry_ns = 60 * S_NS,
    };
}

void sim_scn_agents_clear(sim_scenario *s)
{
    g_array_unref(s->agents_opt.hosts);
    g_array_unref(s->agents_opt.capabilities);
    g_array_unref(s->jobs_opt.mix);
}

void sim_scn_agents_begin(sim_scn_ctx *c)
{
    sim_scenario *s = c->s;
    s->agents_opt.declared = sim_ini_find_section(c->ini, "agents") != NULL;
    s->jobs_opt.declared = sim_ini_find_section(c->ini, "jobs") != NULL;
    s->disputes_opt.declared = sim_ini_find_section(c->ini, "disputes") != NULL;
    c->nodes.agents = sim_scenario_agent_count(s);
}

/* ---- checks ---- */

/* The error of key `key` of `section` (the section itself when the key is
 * absent: a default broke the rule). */
static gboolean agents_fail(const sim_scn_ctx *c, const char *section, const char *key,
                            GError **error, const char *why)
{
    const sim_ini_section *sec = sim_ini_find_section(c->ini, section);
    return sim_scn_fail(c, sec, key != NULL ? sim_ini_find_entry(sec, key) : NULL,
                        SIM_SCENARIO_ERROR_VALUE, error, "%s", why);
}

/* [network] agents made agents network nodes before [agents] existed; only
 * its 0 survives. */
static gboolean agents_check_network_key(const sim_scn_ctx *c, GError **error)
{
    if (c->s->agents == 0)
        return TRUE;
    return agents_fail(c, "network", "agents", error,
                       "agents are not network nodes: declare them in an [agents] section "
                       "(providers, consumers, hosts)");
}

/* hosts: validators and full nodes; by default every full node. */
static gboolean agents_read_hosts(sim_scn_ctx *c, GError **error)
{
    sim_agents_options *o = &c->s->agents_opt;
    const sim_ini_section *sec = sim_ini_find_section(c->ini, "agents");
    const sim_ini_entry *e = sim_ini_find_entry(sec, "hosts");
    if (e == NULL && c->s->full_nodes == 0)
        return sim_scn_fail(c, sec, NULL, SIM_SCENARIO_ERROR_VALUE, error,
                            "the agents have no node to run on: hosts defaults to full_nodes, and "
                            "[network] full_nodes = 0 (add full nodes, or set hosts = validators)");
    GArray *hosts = NULL;
    if (e == NULL) {
        hosts = g_array_new(FALSE, FALSE, sizeof(uint32_t));
        for (uint32_t n = 0; n < c->s->full_nodes; n++) {
            uint32_t node = c->s->validators + n;
            g_array_append_val(hosts, node);
        }
    } else if ((hosts = sim_scn_read_nodes(c, sec, e, 0, error)) == NULL) {
        return FALSE;
    }
    g_array_unref(o->hosts);
    o->hosts = hosts;
    return TRUE;
}

/* Providers and their classes: the counts add up; by default one class. */
static gboolean agents_check_capabilities(sim_scn_ctx *c, GError **error)
{
    sim_agents_options *o = &c->s->agents_opt;
    if (o->capabilities->len == 0) {
        sim_capability all = {.name = g_strdup("compute"), .providers = o->providers};
        g_array_append_val(o->capabilities, all);
    }
    uint64_t sum = 0;
    for (guint i = 0; i < o->capabilities->len; i++) {
        sim_capability *cap = &g_array_index(o->capabilities, sim_capability, i);
        cap->first = (uint32_t)MIN(sum, UINT32_MAX);
        sum += cap->providers;
    }
    if (sum == o->providers)
        return TRUE;
    g_autofree char *why = g_strdup_printf("the counts add up to %" G_GUINT64_FORMAT
                                           ", but providers = %u (every provider has one "
                                           "capability)",
                                           sum, o->providers);
    return agents_fail(c, "agents", "capabilities", error, why);
}

static gboolean agents_check_counts(const sim_scn_ctx *c, GError **error)
{
    const sim_agents_options *o = &c->s->agents_opt;
    const sim_ini_section *sec = sim_ini_find_section(c->ini, "agents");
    if (sim_ini_find_entry(sec, "providers") == NULL)
        return sim_scn_fail(c, sec, NULL, SIM_SCENARIO_ERROR_KEY, error,
                            "missing `providers` (how many agents sell compute, like "
                            "providers = 80)");
    if ((uint64_t)o->providers + o->consumers > SIM_AGENTS_MAX) {
        g_autofree char *why = g_strdup_printf("providers + consumers = %u, above %u",
                                               o->providers + o->consumers, SIM_AGENTS_MAX);
        return agents_fail(c, "agents", "consumers", error, why);
    }
    if (o->evict_after < o->suspend_after) {
        g_autofree char *why = g_strdup_printf("%u is below suspend_after (%u): an agent is "
                                               "suspended before it is evicted",
                                               o->evict_after, o->suspend_after);
        return agents_fail(c, "agents", "evict_after", error, why);
    }
    return TRUE;
}

/* A word of jobs' mix: "NAME:WEIGHT" into weights; *why on error. */
static gboolean jobs_read_mix_item(const sim_agents_options *o, const char *item, double *weights,
                                   bool *seen, char **why)
{
    g_autofree char *name = NULL;
    const char *value = NULL;
    if (!agents_split_item(item, "weight", &name, &value, why))
        return FALSE;
    const char *names[SIM_AGENTS_CAPABILITIES_MAX + 1];
    guint k = 0;
    for (; k < o->capabilities->len; k++)
        names[k] = g_array_index(o->capabilities, sim_capability, k).name;
    names[k] = NULL;
    guint i = 0;
    while (i < o->capabilities->len && strcmp(names[i], name) != 0)
        i++;
    if (i == o->capabilities->len) {
        const char *near = sim_ini_closest(name, names);
        g_autofree char *known = g_strjoinv(" ", (char **)names);
        *why = g_strdup_printf("unknown capability '%s'%s%s%s ([agents] capabilities: %s)", name,
                               near ? "; did you mean '" : "", near ? near : "",
                               near ? "'?" : "", known);
        return FALSE;
    }
    if (seen[i]) {
        *why = g_strdup_printf("capability '%s' is listed twice", name);
        return FALSE;
    }
    GError *local = NULL;
    if (!sim_parse_real(value, &weights[i], &local)) {
        *why = g_strdup_printf("'%s': %s", item, local->message);
        g_error_free(local);
        return FALSE;
    }
    seen[i] = true;
    return TRUE;
}

/* mix = NAME:WEIGHT ...: capabilities it leaves out get weight 0; by
 * default each capability weighs its provider count. */
static gboolean jobs_read_mix(sim_scn_ctx *c, GError **error)
{
    const sim_agents_options *o = &c->s->agents_opt;
    GArray *mix = c->s->jobs_opt.mix;
    const sim_ini_section *sec = sim_ini_find_section(c->ini, "jobs");
    const sim_ini_entry *e = sim_ini_find_entry(sec, "mix");
    double weights[SIM_AGENTS_CAPABILITIES_MAX] = {0};
    bool seen[SIM_AGENTS_CAPABILITIES_MAX] = {false};
    for (guint i = 0; e == NULL && i < o->capabilities->len; i++)
        weights[i] = g_array_index(o->capabilities, sim_capability, i).providers;
    g_auto(GStrv) items = g_strsplit_set(e != NULL ? e->value : "", " \t,", -1);
    double total = 0;
    for (guint i = 0; items[i] != NULL; i++) {
        char *why = NULL;
        if (items[i][0] != '\0' && !jobs_read_mix_item(o, items[i], weights, seen, &why)) {
            gboolean r = sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error, "%s", why);
            g_free(why);
            return r;
        }
    }
    g_array_set_size(mix, 0);
    for (guint i = 0; i < o->capabilities->len; i++) {
        g_array_append_val(mix, weights[i]);
        total += weights[i];
    }
    if (!(total > 0) || !isfinite(total))
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                            "no weight above 0 (NAME:WEIGHT ..., like llm-7b:60 image:10)");
    return TRUE;
}

static gboolean jobs_check(sim_scn_ctx *c, GError **error)
{
    const sim_scenario *s = c->s;
    const sim_jobs_options *j = &s->jobs_opt;
    if (j->deadline_ns % MS_NS != 0) {
        g_autofree char *why = g_strdup_printf("the chain carries deadlines in whole "
                                               "milliseconds (%" G_GINT64_FORMAT "ns is not)",
                                               j->deadline_ns);
        return agents_fail(c, "jobs", "deadline", error, why);
    }
    if (j->rate_per_s > 0 && s->agents_opt.consumers == 0)
        return agents_fail(c, "jobs", "rate", error,
                           "consumers post the jobs, and there are none ([agents] consumers = 0)");
    return jobs_read_mix(c, error);
}

/* Consumers start with consumer_balance each; all of them together stay
 * far inside the supply's 64 bits. */
static gboolean agents_check_balance(sim_scn_ctx *c, GError **error)
{
    sim_agents_options *o = &c->s->agents_opt;
    if (!o->consumer_balance_given) {
        o->consumer_balance = sim_scenario_default_consumer_balance(c->s);
        return TRUE;
    }
    if (o->consumers == 0 || o->consumer_balance <= AGENTS_AMOUNT_MAX / o->consumers)
        return TRUE;
    g_autofree char *why = g_strdup_printf("%u consumers with %" G_GUINT64_FORMAT
                                           " each hold more than 10^18 base units",
                                           o->consumers, o->consumer_balance);
    return agents_fail(c, "agents", "consumer_balance", error, why);
}

gboolean sim_scn_check_agents(sim_scn_ctx *c, GError **error)
{
    const sim_scenario *s = c->s;
    if (!agents_check_network_key(c, error))
        return FALSE;
    if (s->jobs_opt.declared && !s->agents_opt.declared)
        return sim_scn_fail(c, sim_ini_find_section(c->ini, "jobs"), NULL, SIM_SCENARIO_ERROR_KEY,
                            error,
                            "jobs need agents to post and do them: add an [agents] section "
                            "(providers, consumers)");
    if (!s->agents_opt.declared)
        return TRUE;
    if (!agents_check_counts(c, error) || !agents_read_hosts(c, error) ||
        !agents_check_capabilities(c, error))
        return FALSE;
    if (s->jobs_opt.declared && !jobs_check(c, error))
        return FALSE;
    return agents_check_balance(c, error);
}

/* ---- [expect] ---- */

gboolean sim_scn_read_expect_market(sim_scn_ctx *c, const sim_ini_section *sec,
                                    const sim_ini_entry *e, void *base, GError **error)
{
    sim_expect *x = base;
    GError *local = NULL;
    uint64_t num = 0, den = 1;
    double v = 0;
    const struct {
        const char *key;
        double *to;
    } fractions[] = {
        {"min_job_completion", &x->min_job_completion},
        {"max_dispute_rate", &x->max_dispute_rate},
        {"min_overturned_share", &x->min_overturned_share},
        {"max_wrong_ruling_share", &x->max_wrong_ruling_share},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(fractions); i++) {
        if (strcmp(e->key, fractions[i].key) != 0)
            continue;
        if (!sim_parse_fraction(e->value, &num, &den, &local))
            return sim_scn_fail_with(c, sec, e, error, local);
        *fractions[i].to = (double)num / (double)den;
        return TRUE;
    }
    if (strcmp(e->key, "max_cost_per_job_usd") == 0) {
        if (!sim_parse_real(e->value, &x->max_cost_per_job_usd, &local))
            return sim_scn_fail_with(c, sec, e, error, local);
        return TRUE;
    }
    bool faulty = strcmp(e->key, "max_faulty_provider_roi") == 0;
    g_assert(faulty || strcmp(e->key, "min_provider_roi") == 0);
    if (!sim_parse_signed_real(e->value, &v, &local))
        return sim_scn_fail_with(c, sec, e, error, local);
    if (v < -1 && !faulty)
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                            "'%s' is out of range (>= -1: a provider cannot lose more than "
                            "all it spent)",
                            e->value);
    *(faulty ? &x->max_faulty_provider_roi : &x->min_provider_roi) = v;
    return TRUE;
}

/* The market's targets need the market; min_active_agents at most every
 * agent. */
gboolean sim_scn_check_expect_market(sim_scn_ctx *c, GError **error)
{
    const sim_scenario *s = c->s;
    const sim_expect *x = &s->expect;
    const struct {
        bool given;
        const char *key;
        bool needs_jobs;
    } targets[] = {
        {x->has_min_job_completion, "min_job_completion", true},
        {x->has_max_dispute_rate, "max_dispute_rate", true},
        {x->has_max_cost_per_job_usd, "max_cost_per_job_usd", true},
        {x->has_min_active_agents, "min_active_agents", false},
        {x->has_min_provider_roi, "min_provider_roi", false},
        {x->has_max_faulty_provider_roi, "max_faulty_provider_roi", false},
        {x->has_min_overturned_share, "min_overturned_share", true},
        {x->has_max_wrong_ruling_share, "max_wrong_ruling_share", true},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(targets); i++) {
        if (!targets[i].given)
            continue;
        if (targets[i].needs_jobs && !s->jobs_opt.declared)
            return agents_fail(c, "expect", targets[i].key, error,
                               "there are no jobs to measure (this target needs a [jobs] "
                               "section)");
        if (!s->agents_opt.declared)
            return agents_fail(c, "expect", targets[i].key, error,
                               "there are no agents to measure (this target needs an [agents] "
                               "section)");
    }
    uint32_t agents = sim_scenario_agent_count(s);
    if (x->has_min_active_agents && x->min_active_agents > agents) {
        g_autofree char *why = g_strdup_printf("%u can never hold: there are %u agents "
                                               "(providers, consumers and [disputes] jurors)",
                                               x->min_active_agents, agents);
        return agents_fail(c, "expect", "min_active_agents", error, why);
    }
    if (x->has_max_cost_per_job_usd && s->agents_opt.token_usd_e18 == 0)
        return agents_fail(c, "expect", "max_cost_per_job_usd", error,
                           "[agents] token_usd = 0 makes every cost $0 (give the token a price)");
    return TRUE;
}

/* ---- the public helpers ---- */

uint32_t sim_scenario_agent_count(const sim_scenario *s)
{
    const sim_agents_options *o = &s->agents_opt;
    return o->declared ? o->providers + o->consumers + sim_scenario_jurors(s) : 0;
}

bool sim_scenario_agent_is_provider(const sim_scenario *s, uint32_t agent)
{
    g_assert(agent < sim_scenario_agent_count(s));
    return agent < s->agents_opt.providers;
}

uint32_t sim_scenario_agent_host(const sim_scenario *s, uint32_t agent)
{
    const GArray *hosts = s->agents_opt.hosts;
    g_assert(agent < sim_scenario_agent_count(s) && hosts->len > 0);
    return g_array_index(hosts, uint32_t, agent % hosts->len);
}

uint32_t sim_scenario_agent_capability(const sim_scenario *s, uint32_t agent)
{
    const GArray *caps = s->agents_opt.capabilities;
    if (!sim_scenario_agent_is_provider(s, agent))
        return UINT32_MAX;
    for (guint i = 0; i < caps->len; i++) {
        const sim_capability *cap = &g_array_index(caps, sim_capability, i);
        if (agent < cap->first + cap->providers)
            return i;
    }
    g_assert_not_reached();
    return UINT32_MAX;
}

/* The mean of a work distribution, in seconds. */
static double jobs_work_mean_s(const sim_dist *d)
{
    double a = (double)d->a_ns / S_NS, b = (double)d->b_ns / S_NS;
    switch (d->kind) {
    case SIM_DIST_UNIFORM:
        return (a + b) / 2;
    case SIM_DIST_LOGNORMAL:
        return a * exp(d->sigma * d->sigma / 2);
    default:
        return a;
    }
}

uint64_t sim_scenario_default_consumer_balance(const sim_scenario *s)
{
    const sim_agents_options *o = &s->agents_opt;
    const sim_jobs_options *j = &s->jobs_opt;
    if (o->consumers == 0)
        return o->bond;
    double run_s = (double)s->duration_ns / S_NS;
    double jobs = j->declared ? ceil(j->rate_per_s * run_s / o->consumers) : 0;
    /* A job's work past its deadline is never paid for. */
    double work_s = MIN(jobs_work_mean_s(&j->work), (double)j->deadline_ns / S_NS);
    double escrow = ceil((double)j->max_price * work_s * (1 + (double)j->fee / SIM_RATE_ONE));
    /* Each job is a few transactions (post, confirm or reject, perhaps a
     * cancel), each priced like a transfer of twice the size at the
     * clients' fee cap; and the agent heartbeats. */
    double fee_cap = s->client_max_fee != 0 ? (double)s->client_max_fee
                                            : 20.0 * (double)s->fees.initial_base_fee;
    double txs = ceil(run_s / ((double)o->heartbeat_ns / S_NS)) + 4 * jobs + 4;
    double gas = txs * 2 * (double)sim_scenario_transfer_gas() * fee_cap;
    /* With [disputes], every job may be disputed (its bond) and appealed
     * up to the largest panel (seat_fee per seat), twice over like the
     * escrow. */
    const proto_disputes_params *dp = &s->disputes_opt.params;
    double disputes = s->disputes_opt.declared
                          ? 2 * jobs * ((double)dp->bond + (double)dp->seat_fee * dp->panel_max)
                          : 0;
    double total = (double)o->bond + 2 * jobs * escrow + gas + disputes;
    double most = (double)(AGENTS_AMOUNT_MAX / o->consumers);
    return total >= most ? (uint64_t)most : (uint64_t)MAX(ceil(total), 1.0);
}
