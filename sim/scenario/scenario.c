/* Scenario loading: read the key file (sim/scenario/ini.c), apply --set overrides,
 * check every section and key name, then interpret [scenario], [network],
 * [consensus] and [workload] here, [slashing] in
 * sim/scenario/scenario_slashing.c, [fees] in sim/scenario/scenario_fees.c,
 * [staking] in sim/scenario/scenario_staking.c, [agents] and [jobs] in
 * sim/scenario/scenario_agents.c, [disputes] in
 * sim/scenario/scenario_disputes.c,
 * the faults and [expect] in sim/scenario/scenario_fault.c, and finally
 * cross-check values that depend on each other (stakes vs validators,
 * bootstrap nodes vs node counts, [slashing] and [staking] vs protocol,
 * workload window vs duration).
 *
 * Sections are interpreted in dependency order, not file order: node names
 * need the [network] counts, fault times need the duration, and `honest`
 * needs the byzantine faults. Defaults are set before anything is read, so
 * an absent key or section simply keeps its default. Every error names the
 * file, line and key (or --set and section.key) so a user can fix it
 * without guessing. */
#include "sim/scenario/scenario.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "sim/scenario/scenario_internal.h"
#include "sim/scenario/units.h"

/* Scenario files are hand-written; anything this large is a mistake. */
#define SCN_FILE_BYTES_MAX (16u << 20)
/* The scheduler's hard limit is twice this (sim/engine/sched.h). */
#define SCN_PENDING_EVENTS_MAX (1ll << 28)
/* Each stake is capped so a sum over 1000 validators cannot overflow. */
#define SCN_STAKE_MAX 1000000000000000ll

G_DEFINE_QUARK(sim-scenario-error-quark, sim_scenario_error)

const char *sim_fault_action_name(sim_fault_action a)
{
    static const char *const names[] = {
        [SIM_FAULT_CRASH] = "crash",         [SIM_FAULT_PARTITION] = "partition",
        [SIM_FAULT_DEGRADE] = "degrade",     [SIM_FAULT_BYZANTINE] = "byzantine",
        [SIM_FAULT_CHURN] = "churn",         [SIM_FAULT_ROTATE_KEY] = "rotate-key",
        [SIM_FAULT_UNBOND] = "unbond",       [SIM_FAULT_UPGRADE] = "upgrade",
    };
    return (size_t)a < G_N_ELEMENTS(names) ? names[a] : "unknown";
}

/* ---- errors ---- */

gboolean sim_scn_fail(const sim_scn_ctx *c, const sim_ini_section *sec, const sim_ini_entry *e,
                      sim_scenario_error_code code, GError **error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    int line = e != NULL ? e->line : sec->line;
    if (line == 0 && e != NULL)
        g_set_error(error, SIM_SCENARIO_ERROR, code, "--set: %s.%s: %s", sec->name, e->key, msg);
    else if (line == 0)
        g_set_error(error, SIM_SCENARIO_ERROR, code, "--set: %s: %s", sec->origin, msg);
    else if (e != NULL)
        g_set_error(error, SIM_SCENARIO_ERROR, code, "%s:%d: %s: %s", c->ini->path, line, e->key,
                    msg);
    else
        g_set_error(error, SIM_SCENARIO_ERROR, code, "%s:%d: [%s]: %s", c->ini->path, line,
                    sec->name, msg);
    return FALSE;
}

gboolean sim_scn_fail_with(const sim_scn_ctx *c, const sim_ini_section *sec,
                           const sim_ini_entry *e, GError **error, GError *local)
{
    sim_scn_fail(c, sec, e, (sim_scenario_error_code)local->code, error, "%s", local->message);
    g_error_free(local);
    return FALSE;
}

char *sim_scn_format_duration(int64_t ns)
{
    static const struct { const char *unit; int64_t ns; } units[] = {
        {"h", 3600000000000ll}, {"min", 60000000000ll}, {"s", 1000000000ll},
        {"ms", 1000000ll},      {"us", 1000ll},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(units); i++) {
        if (ns != 0 && ns % units[i].ns == 0)
            return g_strdup_printf("%" G_GINT64_FORMAT "%s", ns / units[i].ns, units[i].unit);
    }
    return g_strdup_printf("%" G_GINT64_FORMAT "%s", ns, ns == 0 ? "s" : "ns");
}

/* ---- table-driven key reading ---- */

static gboolean scn_range_fail(const sim_scn_ctx *c, const sim_ini_section *sec,
                               const sim_ini_entry *e, const sim_scn_key *k, GError **error)
{
    if (k->hi == 0)
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                            "'%s' is out of range (must be >= %" G_GINT64_FORMAT ")", e->value,
                            k->lo);
    return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                        "'%s' is out of range (%" G_GINT64_FORMAT "..%" G_GINT64_FORMAT ")",
                        e->value, k->lo, k->hi);
}

static gboolean scn_read_integer(const sim_scn_ctx *c, const sim_ini_section *sec,
                                 const sim_ini_entry *e, const sim_scn_key *k, void *dst,
                                 GError **error)
{
    GError *local = NULL;
    uint64_t v = 0;
    if (!sim_parse_u64(e->value, &v, &local))
        return sim_scn_fail_with(c, sec, e, error, local);
    if (v < (uint64_t)k->lo || (k->hi != 0 && v > (uint64_t)k->hi))
        return scn_range_fail(c, sec, e, k, error);
    if (k->type == SIM_SCN_U32) {
        g_assert(k->hi != 0 && k->hi <= (int64_t)UINT32_MAX);
        *(uint32_t *)dst = (uint32_t)v;
    } else {
        *(uint64_t *)dst = v;
    }
    return TRUE;
}

static gboolean scn_read_duration(const sim_scn_ctx *c, const sim_ini_section *sec,
                                  const sim_ini_entry *e, const sim_scn_key *k, int64_t *dst,
                                  GError **error)
{
    GError *local = NULL;
    int64_t ns = 0;
    if (!sim_parse_duration(e->value, &ns, &local))
        return sim_scn_fail_with(c, sec, e, error, local);
    if (ns < k->lo)
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error, "%s",
                            k->lo == 1 ? "must be > 0" : "too small");
    if (k->hi != 0 && ns > k->hi) {
        g_autofree char *max = sim_scn_format_duration(k->hi);
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error, "'%s' is above %s",
                            e->value, max);
    }
    *dst = ns;
    return TRUE;
}

static gboolean scn_read_rate(const sim_scn_ctx *c, const sim_ini_section *sec,
                              const sim_ini_entry *e, const sim_scn_key *k, double *dst,
                              GError **error)
{
    GError *local = NULL;
    double v = 0;
    if (!sim_parse_rate(e->value, &v, &local))
        return sim_scn_fail_with(c, sec, e, error, local);
    if (v < (double)k->lo || (k->hi != 0 && v > (double)k->hi)) {
        if (k->hi == 0)
            return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                                "'%s' is out of range (must be >= %" G_GINT64_FORMAT "/s)",
                                e->value, k->lo);
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                            "'%s' is out of range (%" G_GINT64_FORMAT "/s..%" G_GINT64_FORMAT "/s)",
                            e->value, k->lo, k->hi);
    }
    *dst = v;
    return TRUE;
}

static gboolean scn_read_enum(const sim_scn_ctx *c, const sim_ini_section *sec,
                              const sim_ini_entry *e, const sim_scn_key *k, int *dst,
                              GError **error)
{
    for (int i = 0; k->names[i] != NULL; i++) {
        if (strcmp(e->value, k->names[i]) == 0) {
            *dst = k->enum_base + i;
            return TRUE;
        }
    }
    g_autofree char *choices = g_strjoinv(" | ", (char **)k->names);
    const char *near = sim_ini_closest(e->value, k->names);
    if (near != NULL)
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                            "unknown value '%s'; did you mean '%s'? (%s)", e->value, near, choices);
    return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error, "unknown value '%s' (%s)",
                        e->value, choices);
}

/* Values that are parsed whole, with no range beyond the parser's own. */
static gboolean scn_read_plain(const sim_scn_ctx *c, const sim_ini_section *sec,
                               const sim_ini_entry *e, const sim_scn_key *k, void *dst,
                               GError **error)
{
    GError *local = NULL;
    gboolean ok = TRUE;
    switch (k->type) {
    case SIM_SCN_PROB:
        ok = sim_parse_probability(e->value, dst, &local);
        break;
    case SIM_SCN_BANDWIDTH:
        ok = sim_parse_bandwidth(e->value, dst, &local);
        break;
    case SIM_SCN_DIST:
        ok = sim_parse_dist(e->value, dst, &local);
        break;
    case SIM_SCN_TEXT:
        g_free(*(char **)dst);
        *(char **)dst = g_strdup(e->value);
        break;
    default:
        g_assert_not_reached();
    }
    return ok ? TRUE : sim_scn_fail_with(c, sec, e, error, local);
}

static gboolean scn_read_key(sim_scn_ctx *c, const sim_ini_section *sec, const sim_ini_entry *e,
                             const sim_scn_key *k, void *base, GError **error)
{
    void *dst = (char *)base + k->offset;
    if (e->value[0] == '\0' && k->type != SIM_SCN_TEXT)
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error, "empty value");
    switch (k->type) {
    case SIM_SCN_U32:
    case SIM_SCN_U64:
        return scn_read_integer(c, sec, e, k, dst, error);
    case SIM_SCN_DURATION:
        return scn_read_duration(c, sec, e, k, dst, error);
    case SIM_SCN_RATE:
        return scn_read_rate(c, sec, e, k, dst, error);
    case SIM_SCN_ENUM:
        return scn_read_enum(c, sec, e, k, dst, error);
    case SIM_SCN_CUSTOM:
        return k->custom(c, sec, e, base, error);
    default:
        return scn_read_plain(c, sec, e, k, dst, error);
    }
}

gboolean sim_scn_read_keys(sim_scn_ctx *c, const sim_ini_section *sec, const sim_scn_key *keys,
                           void *base, GError **error)
{
    if (sec == NULL)
        return TRUE;
    for (guint i = 0; i < sec->entries->len; i++) {
        const sim_ini_entry *e = g_ptr_array_index(sec->entries, i);
        for (const sim_scn_key *k = keys; k->key != NULL; k++) {
            if (strcmp(k->key, e->key) != 0)
                continue;
            if (!scn_read_key(c, sec, e, k, base, error))
                return FALSE;
            if (k->has_offset != 0)
                *(bool *)((char *)base + k->has_offset) = true;
        }
    }
    return TRUE;
}

gboolean sim_scn_check_keys(const sim_scn_ctx *c, const sim_ini_section *sec,
                            const char *const *known, GError **error)
{
    for (guint i = 0; i < sec->entries->len; i++) {
        const sim_ini_entry *e = g_ptr_array_index(sec->entries, i);
        if (g_strv_contains(known, e->key))
            continue;
        const char *near = sim_ini_closest(e->key, known);
        if (near != NULL)
            return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_KEY, error,
                                "unknown key in [%s]; did you mean '%s'?", sec->name, near);
        g_autofree char *list = g_strjoinv(", ", (char **)known);
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_KEY, error,
                            "unknown key in [%s] (known keys: %s)", sec->name, list);
    }
    return TRUE;
}

GArray *sim_scn_read_nodes(const sim_scn_ctx *c, const sim_ini_section *sec,
                           const sim_ini_entry *e, guint flags, GError **error)
{
    GError *local = NULL;
    GArray *nodes = sim_nodeset_parse(&c->nodes, e->value, flags, &local);
    if (nodes == NULL)
        sim_scn_fail_with(c, sec, e, error, local);
    return nodes;
}

/* ---- [scenario], [network], [consensus], [workload] ---- */

static gboolean scn_read_name(sim_scn_ctx *c, const sim_ini_section *sec, const sim_ini_entry *e,
                              void *base, GError **error)
{
    /* The name becomes part of the output directory (out/NAME-SEED/). */
    for (const char *p = e->value; *p != '\0'; p++) {
        if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_' && *p != '.')
            return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                                "bad name '%s' (letters, digits, '-', '_' and '.' only)",
                                e->value);
    }
    if (e->value[0] == '.')
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                            "bad name '%s' (must not start with '.')", e->value);
    g_free(c->s->name);
    c->s->name = g_strdup(e->value);
    return TRUE;
}

static gboolean scn_read_crypto(sim_scn_ctx *c, const sim_ini_section *sec, const sim_ini_entry *e,
                                void *base, GError **error)
{
    static const char *const names[] = {"real", "fast", NULL};
    sim_scn_key k = {.key = "crypto", .type = SIM_SCN_ENUM, .names = names};
    int fast = 0;
    if (!scn_read_enum(c, sec, e, &k, &fast, error))
        return FALSE;
    c->s->crypto_fast = fast == 1;
    return TRUE;
}

/* One stake for all validators or one per validator; the count is checked
 * against validators in scn_cross_check, since [network] may come later
 * in the file or be overridden. */
static gboolean scn_read_stakes(sim_scn_ctx *c, const sim_ini_section *sec, const sim_ini_entry *e,
                                void *base, GError **error)
{
    g_auto(GStrv) words = g_strsplit_set(e->value, " \t,", -1);
    g_array_set_size(c->s->stakes, 0);
    for (guint i = 0; words[i] != NULL; i++) {
        if (words[i][0] == '\0')
            continue;
        GError *local = NULL;
        uint64_t stake = 0;
        if (!sim_parse_u64(words[i], &stake, &local))
            return sim_scn_fail_with(c, sec, e, error, local);
        if (stake == 0 || stake > (uint64_t)SCN_STAKE_MAX)
            return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                                "stake '%s' is out of range (1..%lld)", words[i], SCN_STAKE_MAX);
        g_array_append_val(c->s->stakes, stake);
    }
    return TRUE;
}

#define SCN_AT(field) offsetof(sim_scenario, field)

static const sim_scn_key scn_scenario_keys[] = {
    {.key = "name", .type = SIM_SCN_CUSTOM, .custom = scn_read_name},
    {.key = "description", .type = SIM_SCN_TEXT, .offset = SCN_AT(description)},
    {.key = "seed", .type = SIM_SCN_U64, .offset = SCN_AT(seed)},
    {.key = "duration", .type = SIM_SCN_DURATION, .offset = SCN_AT(duration_ns), .lo = 1},
    {.key = "max_events", .type = SIM_SCN_U64, .offset = SCN_AT(events_max), .lo = 1},
    {.key = "max_pending_events", .type = SIM_SCN_U64, .offset = SCN_AT(pending_events_max),
     .lo = 1024, .hi = SCN_PENDING_EVENTS_MAX},
    {0},
};

/* bootstrap names nodes, which needs the node counts: the value is read
 * by scn_check_bootstrap once all of [network] is known. */
static gboolean scn_read_later(sim_scn_ctx *c, const sim_ini_section *sec, const sim_ini_entry *e,
                               void *base, GError **error)
{
    return TRUE;
}

static const char *const scn_topologies[] = {"mesh", "direct", NULL};

static const sim_scn_key scn_network_keys[] = {
    {.key = "validators", .type = SIM_SCN_U32, .offset = SCN_AT(validators), .lo = 1, .hi = 1000},
    {.key = "full_nodes", .type = SIM_SCN_U32, .offset = SCN_AT(full_nodes), .hi = 100000},
    {.key = "agents", .type = SIM_SCN_U32, .offset = SCN_AT(agents), .hi = 100000},
    {.key = "degree", .type = SIM_SCN_U32, .offset = SCN_AT(degree), .lo = 1, .hi = 1000},
    {.key = "latency", .type = SIM_SCN_DIST, .offset = SCN_AT(latency)},
    {.key = "loss", .type = SIM_SCN_PROB, .offset = SCN_AT(loss)},
    {.key = "duplicate", .type = SIM_SCN_PROB, .offset = SCN_AT(duplicate)},
    {.key = "bandwidth", .type = SIM_SCN_BANDWIDTH, .offset = SCN_AT(bandwidth_bps)},
    {.key = "topology", .type = SIM_SCN_ENUM, .offset = SCN_AT(topology), .names = scn_topologies,
     .enum_base = SIM_TOPOLOGY_MESH},
    {.key = "bootstrap", .type = SIM_SCN_CUSTOM, .custom = scn_read_later},
    {0},
};

static const char *const scn_protocols[] = {"poa", "pbft", NULL};
static const char *const scn_rotations[] = {"round-robin", "stake-weighted", NULL};

static const sim_scn_key scn_consensus_keys[] = {
    {.key = "protocol", .type = SIM_SCN_ENUM, .offset = SCN_AT(protocol), .names = scn_protocols},
    {.key = "rotation", .type = SIM_SCN_ENUM, .offset = SCN_AT(rotation), .names = scn_rotations},
    {.key = "stakes", .type = SIM_SCN_CUSTOM, .custom = scn_read_stakes},
    {.key = "block_interval", .type = SIM_SCN_DURATION, .offset = SCN_AT(block_interval_ns),
     .lo = 1},
    {.key = "max_block_txs", .type = SIM_SCN_U32, .offset = SCN_AT(max_block_txs), .lo = 1,
     .hi = 1000000},
    {.key = "view_timeout", .type = SIM_SCN_DURATION, .offset = SCN_AT(view_timeout_ns), .lo = 1},
    {.key = "checkpoint_interval", .type = SIM_SCN_U32, .offset = SCN_AT(checkpoint_interval),
     .lo = 1, .hi = 1000000},
    {.key = "crypto", .type = SIM_SCN_CUSTOM, .custom = scn_read_crypto},
    {0},
};

static const sim_scn_key scn_workload_keys[] = {
    {.key = "tx_rate", .type = SIM_SCN_RATE, .offset = SCN_AT(tx_rate_per_s), .hi = 1000000},
    {.key = "fee_strategy", .type = SIM_SCN_CUSTOM, .custom = sim_scn_read_fee_strategy},
    {.key = "burst", .type = SIM_SCN_CUSTOM, .custom = sim_scn_read_burst},
    {.key = "max_fee_per_gas", .type = SIM_SCN_U64, .offset = SCN_AT(client_max_fee), .lo = 1},
    {.key = "accounts", .type = SIM_SCN_U32, .offset = SCN_AT(accounts), .hi = 10000000},
    {.key = "start", .type = SIM_SCN_DURATION, .offset = SCN_AT(workload_start_ns)},
    {.key = "stop", .type = SIM_SCN_DURATION, .offset = SCN_AT(workload_stop_ns)},
    {0},
};

/* Every section kind with its key table; faults and [expect] are read in
 * sim/scenario/scenario_fault.c and have only their key names here. */
typedef struct scn_section_kind {
    const char *name;
    const sim_scn_key *keys;
    size_t base;          /* offset in sim_scenario of the struct the keys fill */
} scn_section_kind;

static const scn_section_kind scn_sections[] = {
    {"scenario", scn_scenario_keys, 0},   {"network", scn_network_keys, 0},
    {"consensus", scn_consensus_keys, 0}, {"slashing", sim_scn_slashing_keys, SCN_AT(slashing)},
    {"fees", sim_scn_fees_keys, 0},       {"staking", sim_scn_staking_keys, SCN_AT(staking_opt)},
    {"workload", scn_workload_keys, 0},   {"agents", sim_scn_agents_keys, SCN_AT(agents_opt)},
    {"jobs", sim_scn_jobs_keys, SCN_AT(jobs_opt)},
    {"disputes", sim_scn_disputes_keys, SCN_AT(disputes_opt)},
};

static const char *const scn_section_names[] = {
    "scenario", "network", "consensus", "slashing", "fees",   "staking", "workload", "agents",
    "jobs",     "disputes", "fault",    "expect",   NULL,
};

static void scn_key_names(const sim_scn_key *keys, const char **out)
{
    size_t n = 0;
    for (const sim_scn_key *k = keys; k->key != NULL; k++)
        out[n++] = k->key;
    out[n] = NULL;
}

const sim_scn_key *sim_scn_section_table(size_t i, const char **name)
{
    if (i >= G_N_ELEMENTS(scn_sections))
        return NULL;
    *name = scn_sections[i].name;
    return scn_sections[i].keys;
}

/* [fault NAME]: NAME is one word usable in reports and --set. */
static gboolean scn_check_fault_header(const sim_scn_ctx *c, const sim_ini_section *sec,
                                       GError **error)
{
    const char *fault_name = sec->name + strlen("fault");
    if (*fault_name == '\0')
        return sim_scn_fail(c, sec, NULL, SIM_SCENARIO_ERROR_KEY, error,
                            "a fault section needs a name: [fault NAME]");
    for (const char *p = fault_name + 1; *p != '\0'; p++) {
        if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_' && *p != '.')
            return sim_scn_fail(c, sec, NULL, SIM_SCENARIO_ERROR_KEY, error,
                                "bad fault name '%s' (one word of letters, digits, '-', '_', '.')",
                                fault_name + 1);
    }
    return sim_scn_check_keys(c, sec, sim_scn_fault_keys, error);
}

static gboolean scn_check_section(const sim_scn_ctx *c, const sim_ini_section *sec,
                                  GError **error)
{
    const char *known[32];
    for (size_t i = 0; i < G_N_ELEMENTS(scn_sections); i++) {
        if (strcmp(sec->name, scn_sections[i].name) == 0) {
            scn_key_names(scn_sections[i].keys, known);
            return sim_scn_check_keys(c, sec, known, error);
        }
    }
    if (strcmp(sec->name, "expect") == 0)
        return sim_scn_check_keys(c, sec, sim_scn_expect_keys, error);
    if (g_str_has_prefix(sec->name, "fault") && (sec->name[5] == '\0' || sec->name[5] == ' '))
        return scn_check_fault_header(c, sec, error);
    g_autofree char *first = g_strdup(sec->name);
    char *space = strchr(first, ' ');
    if (space != NULL)
        *space = '\0';
    const char *near = sim_ini_closest(first, scn_section_names);
    if (near != NULL)
        return sim_scn_fail(c, sec, NULL, SIM_SCENARIO_ERROR_KEY, error,
                            "unknown section; did you mean [%s%s]?", near,
                            strcmp(near, "fault") == 0 ? " NAME" : "");
    return sim_scn_fail(c, sec, NULL, SIM_SCENARIO_ERROR_KEY, error,
                        "unknown section (known: [scenario], [network], [consensus], "
                        "[slashing], [fees], [staking], [workload], [agents], [jobs], "
                        "[disputes], [fault NAME], [expect])");
}

/* ---- defaults and cross-checks ---- */

static char *scn_default_name(const char *path)
{
    g_autofree char *base = g_path_get_basename(path);
    char *dot = strrchr(base, '.');
    if (dot != NULL && dot != base)
        *dot = '\0';
    for (char *p = base; *p != '\0'; p++) {
        if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_' && *p != '.')
            *p = '-';
    }
    return g_strdup(base[0] == '.' || base[0] == '\0' ? "scenario" : base);
}

static sim_scenario *scn_new_defaults(const char *path)
{
    sim_scenario *s = g_new0(sim_scenario, 1);
    s->path = g_strdup(path);
    s->name = scn_default_name(path);
    s->description = g_strdup("");
    s->seed = 1;
    s->duration_ns = 60 * G_GINT64_CONSTANT(1000000000);
    s->events_max = 2000000000;
    s->pending_events_max = 64u * 1024 * 1024;
    s->validators = 4;
    s->degree = 8;
    s->latency = (sim_dist){.kind = SIM_DIST_CONSTANT, .a_ns = 50000000};
    s->protocol = SIM_CONSENSUS_POA;
    s->rotation = SIM_ROTATION_ROUND_ROBIN;
    s->stakes = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    s->fee_strategies = g_array_new(FALSE, FALSE, sizeof(sim_fee_strategy));
    sim_fee_strategy estimator = {
        .kind = SIM_FEE_ESTIMATOR, .share = 1.0, .label = g_intern_static_string("estimator")};
    g_array_append_val(s->fee_strategies, estimator);
    s->block_interval_ns = 2 * G_GINT64_CONSTANT(1000000000);
    s->max_block_txs = 5000;
    s->view_timeout_ns = 4 * G_GINT64_CONSTANT(1000000000);
    s->checkpoint_interval = 100;
    s->slashing = proto_slashing_defaults();
    s->fees = proto_fee_params_eip1559();
    s->fees.initial_base_fee = SIM_SCENARIO_INITIAL_BASE_FEE;
    s->block_gas_limit = SIM_SCENARIO_BLOCK_GAS_LIMIT;
    s->accounts = 1000;
    s->workload_stop_ns = -1; /* = duration, once duration is known */
    s->topology = SIM_TOPOLOGY_MESH;
    s->bootstrap = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    s->faults = g_ptr_array_new_with_free_func(sim_scn_fault_free);
    s->twins = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    s->expect.slashed = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    s->expect.alarms = g_ptr_array_new_with_free_func(g_free);
    sim_scn_staking_init(s);
    sim_scn_agents_init(s);
    sim_scn_disputes_init(s);
    return s;
}

static gboolean scn_check_stakes(sim_scn_ctx *c, GError **error)
{
    sim_scenario *s = c->s;
    const sim_ini_section *sec = sim_ini_find_section(c->ini, "consensus");
    const sim_ini_entry *e = sim_ini_find_entry(sec, "stakes");
    if (e != NULL && s->stakes->len == 0)
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error, "empty value");
    uint64_t one = s->stakes->len == 1 ? g_array_index(s->stakes, uint64_t, 0) : 100;
    if (s->stakes->len > 1 && s->stakes->len != s->validators)
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                            "%u stakes for %u validators (give one value for all, or one per "
                            "validator)",
                            s->stakes->len, s->validators);
    if (s->stakes->len <= 1) {
        g_array_set_size(s->stakes, 0);
        for (uint32_t i = 0; i < s->validators; i++)
            g_array_append_val(s->stakes, one);
    }
    return TRUE;
}

static gboolean scn_check_workload(sim_scn_ctx *c, GError **error)
{
    sim_scenario *s = c->s;
    const sim_ini_section *sec = sim_ini_find_section(c->ini, "workload");
    const sim_ini_entry *start = sim_ini_find_entry(sec, "start");
    const sim_ini_entry *stop = sim_ini_find_entry(sec, "stop");
    const sim_ini_entry *accounts = sim_ini_find_entry(sec, "accounts");
    g_autofree char *dur = sim_scn_format_duration(s->duration_ns);
    if (s->workload_stop_ns < 0)
        s->workload_stop_ns = s->duration_ns;
    if (start != NULL && s->workload_start_ns >= s->duration_ns)
        return sim_scn_fail(c, sec, start, SIM_SCENARIO_ERROR_VALUE, error,
                            "start must be before the end of the run (duration = %s)", dur);
    if (stop != NULL && s->workload_stop_ns > s->duration_ns)
        return sim_scn_fail(c, sec, stop, SIM_SCENARIO_ERROR_VALUE, error,
                            "stop is beyond the end of the run (duration = %s)", dur);
    if (s->workload_stop_ns <= s->workload_start_ns)
        return sim_scn_fail(c, sec, stop != NULL ? stop : start, SIM_SCENARIO_ERROR_VALUE, error,
                            "stop must be after start");
    if (s->tx_rate_per_s > 0 && s->accounts < 2) {
        if (accounts == NULL)
            accounts = sim_ini_find_entry(sec, "tx_rate");
        return sim_scn_fail(c, sec, accounts, SIM_SCENARIO_ERROR_VALUE, error,
                            "a workload with tx_rate > 0 needs accounts >= 2");
    }
    return TRUE;
}

/* [network] bootstrap: validators and full nodes only (agents do not run
 * mesh nodes, and a twin starts with its fault, so it cannot be anyone's
 * way in). Without the key, the first three validators. */
static gboolean scn_check_bootstrap(sim_scn_ctx *c, GError **error)
{
    sim_scenario *s = c->s;
    const sim_ini_section *sec = sim_ini_find_section(c->ini, "network");
    const sim_ini_entry *e = sim_ini_find_entry(sec, "bootstrap");
    g_array_set_size(s->bootstrap, 0);
    if (e == NULL) {
        for (uint32_t v = 0; v < s->validators && v < 3; v++)
            g_array_append_val(s->bootstrap, v);
        return TRUE;
    }
    GArray *nodes = sim_scn_read_nodes(c, sec, e, 0, error);
    if (nodes == NULL)
        return FALSE;
    g_array_unref(s->bootstrap);
    s->bootstrap = nodes;
    for (guint i = 0; i < nodes->len; i++) {
        uint32_t node = g_array_index(nodes, uint32_t, i);
        if (node >= s->validators + s->full_nodes) {
            g_autofree char *name = sim_nodeset_node_name(&c->nodes, node);
            return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                                "%s is not a validator or full node (only those run mesh nodes)",
                                name);
        }
    }
    return TRUE;
}

/* ---- entry points ---- */

static gboolean scn_interpret(sim_scn_ctx *c, GError **error)
{
    for (guint i = 0; i < c->ini->sections->len; i++) {
        if (!scn_check_section(c, g_ptr_array_index(c->ini->sections, i), error))
            return FALSE;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(scn_sections); i++) {
        const sim_ini_section *sec = sim_ini_find_section(c->ini, scn_sections[i].name);
        if (!sim_scn_read_keys(c, sec, scn_sections[i].keys, (char *)c->s + scn_sections[i].base,
                               error))
            return FALSE;
    }
    c->nodes.validators = c->s->validators;
    c->nodes.full_nodes = c->s->full_nodes;
    sim_scn_agents_begin(c);
    return scn_check_stakes(c, error) && scn_check_bootstrap(c, error) &&
           sim_scn_check_slashing(c, error) && sim_scn_check_fees(c, error) &&
           sim_scn_check_staking(c, error) && scn_check_workload(c, error) &&
           sim_scn_check_agents(c, error) && sim_scn_check_disputes(c, error) &&
           sim_scn_read_faults(c, error) &&
           sim_scn_read_expect(c, error) && sim_scn_check_min_nakamoto(c, error) &&
           sim_scn_check_expect_market(c, error) && sim_scn_check_expect_upgrade(c, error);
}

sim_scenario *sim_scenario_parse(const char *path, const char *text, size_t size,
                                 const char *const *overrides, GError **error)
{
    g_return_val_if_fail(path != NULL, NULL);
    g_return_val_if_fail(error == NULL || *error == NULL, NULL);
    g_autoptr(sim_ini) ini = sim_ini_parse(path, text, size, error);
    if (ini == NULL)
        return NULL;
    for (size_t i = 0; overrides != NULL && overrides[i] != NULL; i++) {
        if (!sim_ini_apply_override(ini, overrides[i], error))
            return NULL;
    }
    sim_scn_ctx c = {.ini = ini, .s = scn_new_defaults(path)};
    c.byzantine = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    gboolean ok = scn_interpret(&c, error);
    g_array_unref(c.byzantine);
    if (!ok) {
        sim_scenario_free(c.s);
        return NULL;
    }
    return c.s;
}

/* Read at most SCN_FILE_BYTES_MAX + 1 bytes of path: never the whole of
 * whatever it is first (a device such as /dev/zero has no end), so the
 * size limit bounds the memory and the time spent. */
static char *scn_read_bounded(const char *path, gsize *size, GError **error)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        int err = errno;
        g_set_error(error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_IO, "%s: cannot read: %s",
                    path, g_strerror(err));
        return NULL;
    }
    gsize cap = 64 * 1024, used = 0;
    char *buf = g_malloc(cap + 1);
    for (;;) {
        if (used == cap) {
            if (cap > SCN_FILE_BYTES_MAX)
                break;
            cap *= 2;
            buf = g_realloc(buf, cap + 1);
        }
        size_t want = MIN(cap - used, (gsize)SCN_FILE_BYTES_MAX + 1 - used);
        size_t got = fread(buf + used, 1, want, f);
        used += got;
        if (used > SCN_FILE_BYTES_MAX || got < want)
            break;
    }
    int failed = ferror(f), err = errno;
    fclose(f);
    if (failed) {
        g_free(buf);
        g_set_error(error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_IO, "%s: cannot read: %s",
                    path, g_strerror(err));
        return NULL;
    }
    if (used > SCN_FILE_BYTES_MAX) {
        g_free(buf);
        g_set_error(error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_SYNTAX,
                    "%s:1: [file]: file too large (more than %u bytes)", path,
                    SCN_FILE_BYTES_MAX);
        return NULL;
    }
    buf[used] = '\0';
    *size = used;
    return buf;
}

sim_scenario *sim_scenario_load(const char *path, const char *const *overrides, GError **error)
{
    gsize size = 0;
    if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
        g_set_error(error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_IO,
                    "%s: cannot read: is a directory", path);
        return NULL;
    }
    g_autofree char *text = scn_read_bounded(path, &size, error);
    if (text == NULL)
        return NULL;
    return sim_scenario_parse(path, text, size, overrides, error);
}

void sim_scenario_free(sim_scenario *s)
{
    if (s == NULL)
        return;
    g_free(s->path);
    g_free(s->name);
    g_free(s->description);
    g_array_unref(s->stakes);
    g_array_unref(s->fee_strategies);
    g_ptr_array_unref(s->faults);
    g_array_unref(s->twins);
    g_array_unref(s->bootstrap);
    g_array_unref(s->expect.slashed);
    g_ptr_array_unref(s->expect.alarms);
    sim_scn_staking_clear(s);
    sim_scn_agents_clear(s);
    g_free(s);
}

static sim_nodeset_ctx scn_nodeset_ctx(const sim_scenario *s)
{
    return (sim_nodeset_ctx){.validators = s->validators, .full_nodes = s->full_nodes,
                             .agents = sim_scenario_agent_count(s), .twins = s->twins};
}

uint32_t sim_scenario_node_count(const sim_scenario *s)
{
    sim_nodeset_ctx ctx = scn_nodeset_ctx(s);
    return sim_nodeset_node_count(&ctx);
}

char *sim_scenario_node_name(const sim_scenario *s, uint32_t index)
{
    sim_nodeset_ctx ctx = scn_nodeset_ctx(s);
    return sim_nodeset_node_name(&ctx, index);
}
