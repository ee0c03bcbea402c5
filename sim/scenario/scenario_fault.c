/* Scenario faults ([fault NAME] sections) and pass/fail targets ([expect]).
 *
 * Faults are read in three passes because node names depend on faults:
 *   A. every fault: action, which keys it may have, at/until, behavior;
 *      twin faults also read their nodes now (validators only) and so
 *      create the twin nodes vK' that later lists may name;
 *   B. the other byzantine faults read their nodes (twins may be named);
 *      the union of byzantine nodes then defines the `honest` group;
 *   C. everything else: nodes, partition groups, degrade and churn values.
 * Byzantine and churn faults may name agents (a0..a4, `agents`) instead of
 * nodes: agents are no nodes, so they land in sim_fault.agents, never in
 * `nodes` or the byzantine node set; agent behaviours take agents of
 * their role only (no-show, slow, wrong-result, overcharge, sybil:
 * providers; false-dispute: consumers; lazy, collude: the jurors of
 * [disputes]), node behaviours nodes only. `collude A B ...` names the
 * agents whose side the jurors take (any agents, at most
 * PROTO_AGENT_COLLUDE_MAX).
 * [expect] comes last, since `slashed` may name any node. Faults stay in
 * file order in the scenario; the passes only change which error is
 * reported first when a file has several. */
#include <string.h>

#include "protocol/agents/agent.h"
#include "sim/scenario/scenario_internal.h"
#include "sim/scenario/units.h"

/* Churn rates above this many joins or leaves per second are a typo. */
#define FAULT_CHURN_RATE_MAX 1000
/* Flood rates are messages per second from one node. */
#define FAULT_FLOOD_RATE_MAX 10000000.0
/* Spam is signed transactions, each a few microseconds of real crypto. */
#define FAULT_SPAM_RATE_MAX 100000.0
/* An overcharging provider asks at most this many times its price. */
#define FAULT_OVERCHARGE_MAX 1000.0
#define FAULT_OVERCHARGE_DEFAULT 3.0

const char *const sim_scn_fault_keys[] = {
    "action", "at", "until", "nodes", "groups", "latency", "loss", "duplicate", "bandwidth",
    "behavior", "join_rate", "leave_rate", "to", "module", "version", "lag", "blocks", NULL,
};

const char *const sim_scn_expect_keys[] = {
    "safety", "liveness", "conservation", "min_throughput", "max_finality_p99", "max_block_propagation_p99",
    "slashed", "max_view_changes", "alarms", "max_resubmitted_other", "min_nakamoto",
    "min_job_completion", "max_dispute_rate", "min_active_agents", "max_cost_per_job_usd",
    "min_provider_roi", "max_faulty_provider_roi", "min_overturned_share",
    "max_wrong_ruling_share", "max_upgrade_stall", "max_upgrade_halt", NULL,
};

typedef struct fault_action_info {
    const char *name;
    sim_fault_action action;
    const char *const keys[9];     /* keys it accepts besides `action` */
    const char *const required[3]; /* keys it needs besides action and at */
} fault_action_info;

static const fault_action_info fault_actions[] = {
    {"crash", SIM_FAULT_CRASH, {"at", "until", "nodes"}, {"nodes"}},
    {"partition", SIM_FAULT_PARTITION, {"at", "until", "groups"}, {"groups"}},
    {"degrade", SIM_FAULT_DEGRADE,
     {"at", "until", "nodes", "latency", "loss", "duplicate", "bandwidth"}, {"nodes"}},
    {"byzantine", SIM_FAULT_BYZANTINE, {"at", "until", "nodes", "behavior"},
     {"nodes", "behavior"}},
    {"churn", SIM_FAULT_CHURN, {"at", "until", "nodes", "join_rate", "leave_rate"}, {"nodes"}},
    {"rotate-key", SIM_FAULT_ROTATE_KEY, {"at", "nodes"}, {"nodes"}},
    {"unbond", SIM_FAULT_UNBOND, {"at", "nodes", "to"}, {"nodes"}},
    {"upgrade", SIM_FAULT_UPGRADE, {"at", "nodes", "module", "version", "lag", "blocks"},
     {"module", "version"}},
};

static const char *const fault_action_names[] = {
    "crash", "partition", "degrade", "byzantine", "churn", "rotate-key", "unbond", "upgrade",
    NULL,
};

/* What follows a behaviour's keyword. */
typedef enum fault_arg {
    FAULT_ARG_NONE = 0,
    FAULT_ARG_DURATION, /* > 0, into behavior_delay_ns */
    FAULT_ARG_RATE,     /* > 0 and <= rate_max, into behavior_rate_per_s */
    FAULT_ARG_FACTOR,   /* > 1 and <= FAULT_OVERCHARGE_MAX, into behavior_factor */
    FAULT_ARG_COUNT,    /* 1..SIM_AGENTS_MAX, into behavior_count */
    FAULT_ARG_AGENTS,   /* agent names, 1..PROTO_AGENT_COLLUDE_MAX, into collude */
} fault_arg;

/* Which agents a behaviour fits (a mask; 0: a node's behaviour). */
enum {
    FAULT_PROVIDER = 1u << 0,
    FAULT_CONSUMER = 1u << 1,
    FAULT_JUROR = 1u << 2, /* [disputes] verifiers and arbiters */
};

typedef struct fault_behavior_info {
    const char *name;
    unsigned agent;         /* FAULT_PROVIDER | ...: an agent's behaviour, for agents of
                             * these roles (0: a node's) */
    fault_arg arg;
    bool arg_optional;      /* the value may be left out (overcharge: 3) */
    const char *example;    /* with its value */
    double rate_max;        /* FAULT_ARG_RATE */
    const char *rate_max_text;
} fault_behavior_info;

static const fault_behavior_info fault_behaviors[] = {
    {.name = "equivocate"},
    {.name = "double-sign"},
    {.name = "withhold"},
    {.name = "invalid-signature"},
    {.name = "replay"},
    {.name = "delay", .arg = FAULT_ARG_DURATION, .example = "delay 2s"},
    {.name = "flood", .arg = FAULT_ARG_RATE, .example = "flood 10000/s",
     .rate_max = FAULT_FLOOD_RATE_MAX, .rate_max_text = "10000000/s"},
    {.name = "twin"},
    {.name = "spam", .arg = FAULT_ARG_RATE, .example = "spam 500/s",
     .rate_max = FAULT_SPAM_RATE_MAX, .rate_max_text = "100000/s"},
    {.name = "censor"},
    {.name = "no-show", .agent = FAULT_PROVIDER},
    {.name = "slow", .agent = FAULT_PROVIDER, .arg = FAULT_ARG_DURATION, .example = "slow 10s"},
    {.name = "wrong-result", .agent = FAULT_PROVIDER},
    {.name = "overcharge", .agent = FAULT_PROVIDER, .arg = FAULT_ARG_FACTOR,
     .arg_optional = true, .example = "overcharge 3"},
    {.name = "sybil", .agent = FAULT_PROVIDER, .arg = FAULT_ARG_COUNT, .example = "sybil 20"},
    {.name = "false-dispute", .agent = FAULT_CONSUMER},
    {.name = "lazy", .agent = FAULT_JUROR},
    {.name = "collude", .agent = FAULT_JUROR, .arg = FAULT_ARG_AGENTS, .example = "collude a0 a5"},
};

static const char *const fault_behavior_names[] = {
    "equivocate", "double-sign", "withhold", "invalid-signature", "replay", "delay", "flood",
    "twin", "spam", "censor", "no-show", "slow", "wrong-result", "overcharge", "sybil",
    "false-dispute", "lazy", "collude", NULL,
};

const char *sim_scn_fault_action(size_t i)
{
    return i < G_N_ELEMENTS(fault_actions) ? fault_actions[i].name : NULL;
}

const char *sim_scn_fault_behavior(size_t i)
{
    return i < G_N_ELEMENTS(fault_behaviors) ? fault_behaviors[i].name : NULL;
}

static const fault_behavior_info *fault_behavior_find(const char *word)
{
    for (size_t i = 0; i < G_N_ELEMENTS(fault_behaviors); i++)
        if (strcmp(fault_behaviors[i].name, word) == 0)
            return &fault_behaviors[i];
    return NULL;
}

#define FAULT_AT(field) offsetof(sim_fault, field)

static const sim_scn_key fault_time_keys[] = {
    {.key = "at", .type = SIM_SCN_DURATION, .offset = FAULT_AT(at_ns)},
    {.key = "until", .type = SIM_SCN_DURATION, .offset = FAULT_AT(until_ns)},
    {0},
};

static const sim_scn_key fault_value_keys[] = {
    {.key = "latency", .type = SIM_SCN_DIST, .offset = FAULT_AT(latency),
     .has_offset = FAULT_AT(has_latency)},
    {.key = "loss", .type = SIM_SCN_PROB, .offset = FAULT_AT(loss),
     .has_offset = FAULT_AT(has_loss)},
    {.key = "duplicate", .type = SIM_SCN_PROB, .offset = FAULT_AT(duplicate),
     .has_offset = FAULT_AT(has_duplicate)},
    {.key = "bandwidth", .type = SIM_SCN_BANDWIDTH, .offset = FAULT_AT(bandwidth_bps),
     .has_offset = FAULT_AT(has_bandwidth)},
    {.key = "join_rate", .type = SIM_SCN_RATE, .offset = FAULT_AT(join_rate_per_s),
     .hi = FAULT_CHURN_RATE_MAX},
    {.key = "leave_rate", .type = SIM_SCN_RATE, .offset = FAULT_AT(leave_rate_per_s),
     .hi = FAULT_CHURN_RATE_MAX},
    {0},
};

void sim_scn_fault_free(gpointer p)
{
    sim_fault *f = p;
    g_free(f->name);
    g_free(f->nodes_text);
    g_free(f->behavior);
    g_array_unref(f->nodes);
    g_array_unref(f->agents);
    g_array_unref(f->collude);
    g_ptr_array_unref(f->groups);
    g_free(f);
}

static sim_fault *fault_new(const sim_ini_section *sec)
{
    sim_fault *f = g_new0(sim_fault, 1);
    f->name = g_strdup(sec->name + strlen("fault "));
    f->line = sec->line;
    f->until_ns = -1;
    f->nodes = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    f->agents = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    f->collude = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    f->groups = g_ptr_array_new_with_free_func((GDestroyNotify)g_array_unref);
    return f;
}

static gboolean fault_missing(const sim_scn_ctx *c, const sim_ini_section *sec, const char *key,
                              const char *hint, GError **error)
{
    return sim_scn_fail(c, sec, NULL, SIM_SCENARIO_ERROR_KEY, error, "missing `%s`%s%s%s", key,
                        hint ? " (" : "", hint ? hint : "", hint ? ")" : "");
}

static gboolean fault_read_action(const sim_scn_ctx *c, const sim_ini_section *sec, sim_fault *f,
                                  const fault_action_info **info, GError **error)
{
    const sim_ini_entry *e = sim_ini_find_entry(sec, "action");
    if (e == NULL)
        return fault_missing(c, sec, "action",
                             "crash | partition | degrade | byzantine | churn | rotate-key | unbond | "
                             "upgrade",
                             error);
    for (size_t i = 0; i < G_N_ELEMENTS(fault_actions); i++) {
        if (strcmp(e->value, fault_actions[i].name) == 0) {
            *info = &fault_actions[i];
            f->action = fault_actions[i].action;
            return TRUE;
        }
    }
    const char *near = sim_ini_closest(e->value, fault_action_names);
    return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                        "unknown action '%s'%s%s%s (crash | partition | degrade | byzantine | "
                        "churn | rotate-key | unbond | upgrade)",
                        e->value, near ? "; did you mean '" : "", near ? near : "",
                        near ? "'?" : "");
}

/* Keys of other actions are errors here, and required ones must be given. */
static gboolean fault_check_action_keys(const sim_scn_ctx *c, const sim_ini_section *sec,
                                        const fault_action_info *info, GError **error)
{
    for (guint i = 0; i < sec->entries->len; i++) {
        const sim_ini_entry *e = g_ptr_array_index(sec->entries, i);
        if (strcmp(e->key, "action") == 0 || g_strv_contains(info->keys, e->key))
            continue;
        g_autofree char *takes = g_strjoinv(", ", (char **)info->keys);
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_KEY, error,
                            "does not apply to action %s (it takes: %s)", info->name, takes);
    }
    if (sim_ini_find_entry(sec, "at") == NULL)
        return fault_missing(c, sec, "at", "when the fault starts, like at = 30s", error);
    for (size_t i = 0; i < G_N_ELEMENTS(info->required) && info->required[i] != NULL; i++) {
        if (sim_ini_find_entry(sec, info->required[i]) == NULL)
            return fault_missing(c, sec, info->required[i], NULL, error);
    }
    return TRUE;
}

static gboolean fault_check_times(const sim_scn_ctx *c, const sim_ini_section *sec,
                                  const sim_fault *f, GError **error)
{
    int64_t duration_ns = c->s->duration_ns;
    g_autofree char *dur = sim_scn_format_duration(duration_ns);
    const sim_ini_entry *at = sim_ini_find_entry(sec, "at");
    const sim_ini_entry *until = sim_ini_find_entry(sec, "until");
    if (f->at_ns >= duration_ns)
        return sim_scn_fail(c, sec, at, SIM_SCENARIO_ERROR_VALUE, error,
                            "%s is not before the end of the run (duration = %s)", at->value, dur);
    if (until == NULL)
        return TRUE;
    if (f->until_ns <= f->at_ns)
        return sim_scn_fail(c, sec, until, SIM_SCENARIO_ERROR_VALUE, error,
                            "until must be after at (at = %s)", at->value);
    if (f->until_ns > duration_ns)
        return sim_scn_fail(c, sec, until, SIM_SCENARIO_ERROR_VALUE, error,
                            "%s is beyond the end of the run (duration = %s)", until->value, dur);
    return TRUE;
}

/* `collude A B ...`: the agents whose side the jurors take, sorted and
 * distinct (the node-set parser refuses a name given twice). */
static gboolean fault_read_collude(const sim_scn_ctx *c, const sim_ini_section *sec,
                                   const sim_ini_entry *e, const char *arg, sim_fault *f,
                                   GError **error)
{
    GError *local = NULL;
    GArray *agents = NULL;
    g_autoptr(GArray) nodes = sim_nodeset_parse_agents(&c->nodes, arg, 0, &agents, &local);
    if (nodes == NULL) {
        sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error, "collude: %s", local->message);
        g_error_free(local);
        return FALSE;
    }
    g_autoptr(GArray) named = agents;
    if (nodes->len > 0) {
        g_autofree char *name = sim_nodeset_node_name(&c->nodes, g_array_index(nodes, uint32_t, 0));
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                            "collude names the agents the jurors side with, and %s is a node "
                            "(like collude a0 a5)",
                            name);
    }
    if (named->len > PROTO_AGENT_COLLUDE_MAX)
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                            "collude names %u agents, more than %u (the parties a juror may "
                            "favour)",
                            named->len, PROTO_AGENT_COLLUDE_MAX);
    g_array_unref(f->collude);
    f->collude = g_steal_pointer(&named);
    return TRUE;
}

/* The value of behavior = KEYWORD VALUE into f (the keyword's info). */
static gboolean fault_read_behavior_arg(const sim_scn_ctx *c, const sim_ini_section *sec,
                                        const sim_ini_entry *e, const fault_behavior_info *b,
                                        const char *arg, sim_fault *f, GError **error)
{
    GError *local = NULL;
    uint64_t count = 0;
    switch (b->arg) {
    case FAULT_ARG_DURATION:
        if (!sim_parse_duration(arg, &f->behavior_delay_ns, &local))
            return sim_scn_fail_with(c, sec, e, error, local);
        if (f->behavior_delay_ns <= 0)
            return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error, "%s must be > 0",
                                b->name);
        return TRUE;
    case FAULT_ARG_RATE:
        if (!sim_parse_rate(arg, &f->behavior_rate_per_s, &local))
            return sim_scn_fail_with(c, sec, e, error, local);
        if (!(f->behavior_rate_per_s > 0) || f->behavior_rate_per_s > b->rate_max)
            return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                                "%s rate must be > 0 and <= %s", b->name, b->rate_max_text);
        return TRUE;
    case FAULT_ARG_FACTOR:
        if (!sim_parse_real(arg, &f->behavior_factor, &local))
            return sim_scn_fail_with(c, sec, e, error, local);
        if (!(f->behavior_factor > 1) || f->behavior_factor > FAULT_OVERCHARGE_MAX)
            return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                                "overcharge factor must be > 1 and <= 1000 (the ask is this "
                                "many times the provider's price)");
        return TRUE;
    case FAULT_ARG_COUNT:
        if (!sim_parse_u64(arg, &count, &local))
            return sim_scn_fail_with(c, sec, e, error, local);
        if (count < 1 || count > SIM_AGENTS_MAX)
            return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                                "sybil needs 1..%u extra identities", SIM_AGENTS_MAX);
        f->behavior_count = (uint32_t)count;
        return TRUE;
    case FAULT_ARG_AGENTS:
        return fault_read_collude(c, sec, e, arg, f, error);
    case FAULT_ARG_NONE:
        break;
    }
    g_assert_not_reached();
    return FALSE;
}

/* behavior = KEYWORD [VALUE]: see fault_behaviors for which take one. */
static gboolean fault_read_behavior(const sim_scn_ctx *c, const sim_ini_section *sec,
                                    sim_fault *f, GError **error)
{
    const sim_ini_entry *e = sim_ini_find_entry(sec, "behavior");
    g_auto(GStrv) words = g_strsplit_set(e->value, " \t", 2);
    const char *word = words[0] != NULL ? words[0] : "";
    const char *arg = words[0] != NULL && words[1] != NULL ? g_strstrip(words[1]) : "";
    const fault_behavior_info *b = fault_behavior_find(word);
    if (b == NULL) {
        const char *near = sim_ini_closest(word, fault_behavior_names);
        g_autofree char *all = g_strjoinv(" | ", (char **)fault_behavior_names);
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                            "unknown behavior '%s'%s%s%s (%s)", word,
                            near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "",
                            all);
    }
    if (b->arg != FAULT_ARG_NONE && !b->arg_optional && *arg == '\0')
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                            "%s needs a value (like %s)", word, b->example);
    if (b->arg == FAULT_ARG_NONE && *arg != '\0')
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error, "%s takes no value", word);
    if (b->arg == FAULT_ARG_FACTOR)
        f->behavior_factor = FAULT_OVERCHARGE_DEFAULT;
    if (*arg != '\0' && !fault_read_behavior_arg(c, sec, e, b, arg, f, error))
        return FALSE;
    f->behavior = g_strdup(word);
    return TRUE;
}

/* `nodes` into f->nodes, and into f->agents where the action takes agents
 * (byzantine and churn). */
static gboolean fault_read_nodes(const sim_scn_ctx *c, const sim_ini_section *sec, sim_fault *f,
                                 GError **error)
{
    const sim_ini_entry *e = sim_ini_find_entry(sec, "nodes");
    gboolean takes_agents = f->action == SIM_FAULT_BYZANTINE || f->action == SIM_FAULT_CHURN;
    GArray *agents = NULL;
    GError *local = NULL;
    GArray *nodes = sim_nodeset_parse_agents(&c->nodes, e->value, 0,
                                             takes_agents ? &agents : NULL, &local);
    if (nodes == NULL)
        return sim_scn_fail_with(c, sec, e, error, local);
    if (agents != NULL) {
        g_array_unref(f->agents);
        f->agents = agents;
    }
    g_array_unref(f->nodes);
    f->nodes = nodes;
    g_free(f->nodes_text);
    f->nodes_text = g_strdup(e->value);
    return TRUE;
}

/* Twins and key rotation concern validator identities only. */
static gboolean fault_need_validators(const sim_scn_ctx *c, const sim_ini_section *sec,
                                      const sim_fault *f, const char *what, GError **error)
{
    for (guint i = 0; i < f->nodes->len; i++) {
        uint32_t node = g_array_index(f->nodes, uint32_t, i);
        if (node >= c->s->validators) {
            g_autofree char *name = sim_nodeset_node_name(&c->nodes, node);
            return sim_scn_fail(c, sec, sim_ini_find_entry(sec, "nodes"),
                                SIM_SCENARIO_ERROR_VALUE, error, "%s: %s is not a validator",
                                what, name);
        }
    }
    return TRUE;
}

/* The role mask of agent `agent` (FAULT_PROVIDER, ...). */
static unsigned fault_role_of(const sim_scenario *s, uint32_t agent)
{
    const char *role = sim_scenario_agent_role(s, agent);
    if (strcmp(role, "provider") == 0)
        return FAULT_PROVIDER;
    return strcmp(role, "consumer") == 0 ? FAULT_CONSUMER : FAULT_JUROR;
}

/* Why agent `agent` cannot have behaviour b: who can, and which agents
 * they are ("only providers, a0..a7, do jobs"). */
static char *fault_role_why(const sim_scenario *s, const fault_behavior_info *b, uint32_t agent)
{
    const sim_agents_options *a = &s->agents_opt;
    uint32_t first = 0, count = a->providers;
    const char *who = "providers", *what = "do jobs";
    if (b->agent == FAULT_CONSUMER) {
        first = a->providers, count = a->consumers;
        who = "consumers", what = "dispute results";
    } else if (b->agent == FAULT_JUROR) {
        first = a->providers + a->consumers, count = sim_scenario_jurors(s);
        who = "jurors", what = "vote on disputes";
    }
    const char *role = sim_scenario_agent_role(s, agent);
    if (count == 0)
        return g_strdup_printf("%s: a%u is %s %s (only %s %s, and there are none%s)", b->name,
                               agent, role[0] == 'a' ? "an" : "a", role, who, what,
                               b->agent == FAULT_JUROR ? ": [disputes] verifiers, arbiters"
                                                       : "");
    return g_strdup_printf("%s: a%u is %s %s (only %s, a%u..a%u, %s)", b->name, agent,
                           role[0] == 'a' ? "an" : "a", role, who, first, first + count - 1,
                           what);
}

/* A node's behaviour names nodes only; an agent's names agents of its
 * roles only (providers do jobs badly, consumers dispute them, jurors
 * vote on the disputes). */
static gboolean fault_check_byzantine_kind(const sim_scn_ctx *c, const sim_ini_section *sec,
                                           const sim_fault *f, GError **error)
{
    const fault_behavior_info *b = fault_behavior_find(f->behavior);
    const sim_ini_entry *e = sim_ini_find_entry(sec, "nodes");
    if (!b->agent && f->agents->len > 0)
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                            "%s is a node's behaviour, and a%u is an agent (agents: no-show, "
                            "slow, wrong-result, overcharge, sybil, false-dispute, lazy, "
                            "collude)",
                            b->name, g_array_index(f->agents, uint32_t, 0));
    if (!b->agent)
        return TRUE;
    if (f->nodes->len > 0) {
        g_autofree char *name = sim_nodeset_node_name(&c->nodes, g_array_index(f->nodes, uint32_t, 0));
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                            "%s is an agent's behaviour, and %s is a node (name agents, like "
                            "a0..a4)",
                            b->name, name);
    }
    for (guint i = 0; i < f->agents->len; i++) {
        uint32_t agent = g_array_index(f->agents, uint32_t, i);
        if ((fault_role_of(c->s, agent) & b->agent) != 0)
            continue;
        g_autofree char *why = fault_role_why(c->s, b, agent);
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error, "%s", why);
    }
    return TRUE;
}

static gboolean fault_add_twins(sim_scn_ctx *c, const sim_ini_section *sec, sim_fault *f,
                                GError **error)
{
    if (!fault_read_nodes(c, sec, f, error) || !fault_check_byzantine_kind(c, sec, f, error) ||
        !fault_need_validators(c, sec, f, "behavior = twin", error))
        return FALSE;
    for (guint i = 0; i < f->nodes->len; i++) {
        uint32_t v = g_array_index(f->nodes, uint32_t, i);
        for (guint j = 0; j < c->s->twins->len; j++) {
            if (g_array_index(c->s->twins, uint32_t, j) == v)
                return sim_scn_fail(c, sec, sim_ini_find_entry(sec, "nodes"),
                                    SIM_SCENARIO_ERROR_VALUE, error,
                                    "v%u already has a twin (one twin per validator)", v);
        }
        g_array_append_val(c->s->twins, v);
    }
    return TRUE;
}

/* Churn starts nodes as new, empty machines: a validator's identity is
 * its keys and chain, so churn is for full nodes only. */
static gboolean fault_need_full_nodes(const sim_scn_ctx *c, const sim_ini_section *sec,
                                      const sim_fault *f, GError **error)
{
    for (guint i = 0; i < f->nodes->len; i++) {
        uint32_t node = g_array_index(f->nodes, uint32_t, i);
        if (node < c->s->validators || node >= c->s->validators + c->s->full_nodes) {
            g_autofree char *name = sim_nodeset_node_name(&c->nodes, node);
            return sim_scn_fail(c, sec, sim_ini_find_entry(sec, "nodes"),
                                SIM_SCENARIO_ERROR_VALUE, error,
                                "churn: %s is not a full node (churn joins and leaves full "
                                "nodes and agents only; crash a validator with action = crash)",
                                name);
        }
    }
    return TRUE;
}

/* Pass A for one fault. */
static gboolean fault_read_head(sim_scn_ctx *c, const sim_ini_section *sec, sim_fault *f,
                                GError **error)
{
    const fault_action_info *info = NULL;
    if (!fault_read_action(c, sec, f, &info, error) ||
        !fault_check_action_keys(c, sec, info, error) ||
        !sim_scn_read_keys(c, sec, fault_time_keys, f, error) ||
        !fault_check_times(c, sec, f, error))
        return FALSE;
    if (f->action != SIM_FAULT_BYZANTINE)
        return TRUE;
    if (!fault_read_behavior(c, sec, f, error))
        return FALSE;
    return strcmp(f->behavior, "twin") != 0 || fault_add_twins(c, sec, f, error);
}

/* `groups = A | B | ...` or, one way, `groups = A -> B`. */
static gboolean fault_read_groups(const sim_scn_ctx *c, const sim_ini_section *sec, sim_fault *f,
                                  GError **error)
{
    const sim_ini_entry *e = sim_ini_find_entry(sec, "groups");
    f->oneway = strstr(e->value, "->") != NULL;
    if (f->oneway && strchr(e->value, '|') != NULL)
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                            "a one-way partition is exactly `A -> B` (no '|')");
    g_auto(GStrv) parts = g_strsplit(e->value, f->oneway ? "->" : "|", -1);
    if (f->oneway && g_strv_length(parts) != 2)
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                            "a one-way partition is exactly `A -> B` (one '->')");
    if (g_strv_length(parts) < 2)
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                            "a partition needs at least two groups separated by '|'");
    uint32_t total = sim_nodeset_node_count(&c->nodes);
    g_autofree guint *group_of = g_new0(guint, total); /* group number + 1; 0 = none */
    for (guint g = 0; parts[g] != NULL; g++) {
        GError *local = NULL;
        GArray *nodes = sim_nodeset_parse(&c->nodes, parts[g], 0, &local);
        if (nodes == NULL) {
            sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error, "group %u: %s", g + 1,
                         local->message);
            g_error_free(local);
            return FALSE;
        }
        g_ptr_array_add(f->groups, nodes);
        for (guint i = 0; i < nodes->len; i++) {
            uint32_t node = g_array_index(nodes, uint32_t, i);
            if (group_of[node] != 0) {
                g_autofree char *name = sim_nodeset_node_name(&c->nodes, node);
                return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                                    "%s is in two groups (%u and %u)", name, group_of[node],
                                    g + 1);
            }
            group_of[node] = g + 1;
        }
    }
    f->nodes_text = g_strdup(e->value);
    return TRUE;
}

/* Pass C for one fault (not twin or byzantine nodes, read before). */
/* unbond's `to`: one validator, not among `nodes`, that the delegators
 * redelegate to instead of undelegating. */
static gboolean fault_read_to(const sim_scn_ctx *c, const sim_ini_section *sec, sim_fault *f,
                              GError **error)
{
    f->to_validator = UINT32_MAX;
    const sim_ini_entry *e = sim_ini_find_entry(sec, "to");
    if (e == NULL)
        return TRUE;
    GArray *to = sim_scn_read_nodes(c, sec, e, 0, error);
    if (to == NULL)
        return FALSE;
    uint32_t v = to->len == 1 ? g_array_index(to, uint32_t, 0) : UINT32_MAX;
    g_array_unref(to);
    if (v == UINT32_MAX || v >= c->nodes.validators)
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                            "one validator to redelegate to (like v3)");
    for (guint i = 0; i < f->nodes->len; i++)
        if (g_array_index(f->nodes, uint32_t, i) == v)
            return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                                "v%u is one of the validators its delegators leave", v);
    f->to_validator = v;
    return TRUE;
}

/* An unbond fault makes delegators act: the run needs some. */
static gboolean fault_need_delegators(const sim_scn_ctx *c, const sim_ini_section *sec,
                                      GError **error)
{
    if (c->s->staking && c->s->staking_opt.delegators > 0)
        return TRUE;
    return sim_scn_fail(c, sec, sim_ini_find_entry(sec, "action"), SIM_SCENARIO_ERROR_VALUE,
                        error, "unbond makes delegators undelegate, but there are none "
                               "([staking] delegators)");
}

static gboolean fault_read_body(sim_scn_ctx *c, const sim_ini_section *sec, sim_fault *f,
                                GError **error)
{
    if (f->action == SIM_FAULT_PARTITION)
        return fault_read_groups(c, sec, f, error);
    if (f->action == SIM_FAULT_UPGRADE)
        return (sim_ini_find_entry(sec, "nodes") == NULL || fault_read_nodes(c, sec, f, error)) &&
               sim_scn_read_upgrade(c, sec, f, error);
    if (f->action != SIM_FAULT_BYZANTINE && !fault_read_nodes(c, sec, f, error))
        return FALSE;
    if (f->action == SIM_FAULT_ROTATE_KEY)
        return fault_need_validators(c, sec, f, "rotate-key", error);
    if (f->action == SIM_FAULT_UNBOND)
        return fault_need_validators(c, sec, f, "unbond", error) &&
               fault_need_delegators(c, sec, error) && fault_read_to(c, sec, f, error);
    if (!sim_scn_read_keys(c, sec, fault_value_keys, f, error))
        return FALSE;
    if (f->action == SIM_FAULT_DEGRADE && !f->has_latency && !f->has_loss && !f->has_duplicate &&
        !f->has_bandwidth)
        return sim_scn_fail(c, sec, NULL, SIM_SCENARIO_ERROR_KEY, error,
                            "degrade needs at least one of latency, loss, duplicate, bandwidth");
    if (f->action == SIM_FAULT_CHURN) {
        if (f->agents->len > 0 && f->nodes->len > 0)
            return sim_scn_fail(c, sec, sim_ini_find_entry(sec, "nodes"),
                                SIM_SCENARIO_ERROR_VALUE, error,
                                "churn: name full nodes or agents, not both (one fault each)");
        if (f->agents->len == 0 && !fault_need_full_nodes(c, sec, f, error))
            return FALSE;
        const sim_ini_entry *join = sim_ini_find_entry(sec, "join_rate");
        const sim_ini_entry *leave = sim_ini_find_entry(sec, "leave_rate");
        if (join == NULL && leave == NULL)
            return sim_scn_fail(c, sec, NULL, SIM_SCENARIO_ERROR_KEY, error,
                                "churn needs join_rate and/or leave_rate");
        if (!(f->join_rate_per_s > 0) && !(f->leave_rate_per_s > 0))
            return sim_scn_fail(c, sec, join != NULL ? join : leave, SIM_SCENARIO_ERROR_VALUE,
                                error, "churn needs join_rate or leave_rate > 0");
    }
    return TRUE;
}

/* The byzantine set: every node of a byzantine fault, and every twin. */
static void fault_collect_byzantine(sim_scn_ctx *c)
{
    uint32_t total = sim_nodeset_node_count(&c->nodes);
    uint32_t twins_base = total - c->s->twins->len;
    g_autofree guint8 *mask = g_new0(guint8, total + 1);
    for (guint i = 0; i < c->s->faults->len; i++) {
        const sim_fault *f = g_ptr_array_index(c->s->faults, i);
        if (f->action != SIM_FAULT_BYZANTINE)
            continue;
        for (guint j = 0; j < f->nodes->len; j++)
            mask[g_array_index(f->nodes, uint32_t, j)] = 1;
    }
    for (uint32_t i = twins_base; i < total; i++)
        mask[i] = 1;
    g_array_set_size(c->byzantine, 0);
    for (uint32_t i = 0; i < total; i++) {
        if (mask[i])
            g_array_append_val(c->byzantine, i);
    }
}

static gboolean fault_is_twin(const sim_fault *f)
{
    return f->action == SIM_FAULT_BYZANTINE && strcmp(f->behavior, "twin") == 0;
}

gboolean sim_scn_read_faults(sim_scn_ctx *c, GError **error)
{
    g_autoptr(GPtrArray) sections = g_ptr_array_new();
    for (guint i = 0; i < c->ini->sections->len; i++) {
        const sim_ini_section *sec = g_ptr_array_index(c->ini->sections, i);
        if (!g_str_has_prefix(sec->name, "fault "))
            continue;
        sim_fault *f = fault_new(sec);
        g_ptr_array_add(c->s->faults, f);
        g_ptr_array_add(sections, (gpointer)sec);
        if (!fault_read_head(c, sec, f, error))
            return FALSE;
    }
    c->nodes.twins = c->s->twins;
    for (guint i = 0; i < sections->len; i++) {
        sim_fault *f = g_ptr_array_index(c->s->faults, i);
        const sim_ini_section *sec = g_ptr_array_index(sections, i);
        if (f->action == SIM_FAULT_BYZANTINE && !fault_is_twin(f) &&
            (!fault_read_nodes(c, sec, f, error) || !fault_check_byzantine_kind(c, sec, f, error)))
            return FALSE;
    }
    fault_collect_byzantine(c);
    c->nodes.byzantine = c->byzantine;
    for (guint i = 0; i < sections->len; i++) {
        if (!fault_read_body(c, g_ptr_array_index(sections, i), g_ptr_array_index(c->s->faults, i),
                             error))
            return FALSE;
    }
    return TRUE;
}

/* ---- [expect] ---- */

static gboolean expect_read_slashed(sim_scn_ctx *c, const sim_ini_section *sec,
                                    const sim_ini_entry *e, void *base, GError **error)
{
    GArray *nodes = sim_scn_read_nodes(c, sec, e, SIM_NODESET_ALLOW_NONE, error);
    if (nodes == NULL)
        return FALSE;
    g_array_unref(c->s->expect.slashed);
    c->s->expect.slashed = nodes;
    return TRUE;
}

static const char *const expect_states[] = {"holds", "fails", NULL};

#define EXPECT_AT(field) offsetof(sim_expect, field)

static const sim_scn_key expect_keys[] = {
    {.key = "safety", .type = SIM_SCN_ENUM, .offset = EXPECT_AT(safety), .names = expect_states,
     .enum_base = SIM_EXPECT_HOLDS},
    {.key = "liveness", .type = SIM_SCN_ENUM, .offset = EXPECT_AT(liveness),
     .names = expect_states, .enum_base = SIM_EXPECT_HOLDS},
    {.key = "conservation", .type = SIM_SCN_ENUM, .offset = EXPECT_AT(conservation),
     .names = expect_states, .enum_base = SIM_EXPECT_HOLDS},
    {.key = "min_throughput", .type = SIM_SCN_RATE, .offset = EXPECT_AT(min_throughput_tps),
     .has_offset = EXPECT_AT(has_min_throughput)},
    {.key = "max_finality_p99", .type = SIM_SCN_DURATION,
     .offset = EXPECT_AT(max_finality_p99_ns), .has_offset = EXPECT_AT(has_max_finality_p99),
     .lo = 1},
    {.key = "max_block_propagation_p99", .type = SIM_SCN_DURATION,
     .offset = EXPECT_AT(max_block_propagation_p99_ns),
     .has_offset = EXPECT_AT(has_max_block_propagation_p99), .lo = 1},
    {.key = "slashed", .type = SIM_SCN_CUSTOM, .custom = expect_read_slashed,
     .has_offset = EXPECT_AT(has_slashed)},
    {.key = "max_view_changes", .type = SIM_SCN_U64, .offset = EXPECT_AT(max_view_changes),
     .has_offset = EXPECT_AT(has_max_view_changes)},
    {.key = "max_resubmitted_other", .type = SIM_SCN_U64,
     .offset = EXPECT_AT(max_resubmitted_other), .has_offset = EXPECT_AT(has_max_resubmitted_other)},
    {.key = "alarms", .type = SIM_SCN_CUSTOM, .custom = sim_scn_read_expect_alarms,
     .has_offset = EXPECT_AT(has_alarms)},
    {.key = "min_nakamoto", .type = SIM_SCN_U32, .offset = EXPECT_AT(min_nakamoto),
     .has_offset = EXPECT_AT(has_min_nakamoto), .lo = 1, .hi = 1000},
    {.key = "min_job_completion", .type = SIM_SCN_CUSTOM, .custom = sim_scn_read_expect_market,
     .has_offset = EXPECT_AT(has_min_job_completion)},
    {.key = "max_dispute_rate", .type = SIM_SCN_CUSTOM, .custom = sim_scn_read_expect_market,
     .has_offset = EXPECT_AT(has_max_dispute_rate)},
    {.key = "min_active_agents", .type = SIM_SCN_U32, .offset = EXPECT_AT(min_active_agents),
     .has_offset = EXPECT_AT(has_min_active_agents), .lo = 1, .hi = SIM_AGENTS_MAX},
    {.key = "max_cost_per_job_usd", .type = SIM_SCN_CUSTOM, .custom = sim_scn_read_expect_market,
     .has_offset = EXPECT_AT(has_max_cost_per_job_usd)},
    {.key = "min_provider_roi", .type = SIM_SCN_CUSTOM, .custom = sim_scn_read_expect_market,
     .has_offset = EXPECT_AT(has_min_provider_roi)},
    {.key = "max_faulty_provider_roi", .type = SIM_SCN_CUSTOM,
     .custom = sim_scn_read_expect_market, .has_offset = EXPECT_AT(has_max_faulty_provider_roi)},
    {.key = "min_overturned_share", .type = SIM_SCN_CUSTOM, .custom = sim_scn_read_expect_market,
     .has_offset = EXPECT_AT(has_min_overturned_share)},
    {.key = "max_wrong_ruling_share", .type = SIM_SCN_CUSTOM,
     .custom = sim_scn_read_expect_market, .has_offset = EXPECT_AT(has_max_wrong_ruling_share)},
    {.key = "max_upgrade_stall", .type = SIM_SCN_DURATION, .offset = EXPECT_AT(max_upgrade_stall_ns),
     .has_offset = EXPECT_AT(has_max_upgrade_stall), .lo = 1},
    {.key = "max_upgrade_halt", .type = SIM_SCN_DURATION, .offset = EXPECT_AT(max_upgrade_halt_ns),
     .has_offset = EXPECT_AT(has_max_upgrade_halt), .lo = 1},
    {0},
};

gboolean sim_scn_read_expect(sim_scn_ctx *c, GError **error)
{
    const sim_ini_section *sec = sim_ini_find_section(c->ini, "expect");
    return sim_scn_read_keys(c, sec, expect_keys, &c->s->expect, error);
}
