/* The fee market's scenario keys: the [fees] section and its checks, and
 * in [workload] fee_strategy, burst, and in [expect] alarms.
 *
 * [workload] fee_strategy: how the clients price their transactions.
 *
 *   fee_strategy = estimator
 *   fee_strategy = fixed 5
 *   fee_strategy = estimator:0.7, fixed 1:0.3
 *
 * One strategy, or several separated by commas, each with the share of
 * the accounts that use it after a colon (the shares must add up to 1; a
 * lone strategy may leave its share out). Strategies: `estimator` (the
 * node's suggested tip), `fixed TIP` (always TIP base units per gas),
 * `aggressive` (twice the suggestion); sim/world/workload.c says what
 * each does. Errors name the file, the line and the key.
 *
 * [expect] alarms lists KIND:SUBJECT words: congestion (subject chain),
 * spam and censorship (a node), concentration (an owner, see
 * sim/scenario/scenario_staking.c). */
#include "sim/scenario/scenario_internal.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "protocol/chain/tx_exec.h"
#include "protocol/modules/bank/bank.h"
#include "sim/scenario/units.h"

#define FEES_AT(field) offsetof(sim_scenario, field)

/* ---- [fees] ---- */

/* The largest elasticity or denominator anyone could mean; larger
 * values only hide typos. */
#define SCN_FEE_RATIO_MAX 1000000

const sim_scn_key sim_scn_fees_keys[] = {
    {.key = "block_gas_limit", .type = SIM_SCN_U64, .offset = FEES_AT(block_gas_limit), .lo = 1},
    {.key = "elasticity", .type = SIM_SCN_U64, .offset = FEES_AT(fees.elasticity_multiplier),
     .lo = 1, .hi = SCN_FEE_RATIO_MAX},
    {.key = "base_fee_change_denominator", .type = SIM_SCN_U64,
     .offset = FEES_AT(fees.base_fee_change_denominator), .lo = 1, .hi = SCN_FEE_RATIO_MAX},
    {.key = "initial_base_fee", .type = SIM_SCN_U64, .offset = FEES_AT(fees.initial_base_fee)},
    {.key = "min_base_fee", .type = SIM_SCN_U64, .offset = FEES_AT(fees.min_base_fee)},
    {0},
};

uint64_t sim_scenario_transfer_gas(void)
{
    proto_gas_schedule gas = proto_gas_schedule_default();
    size_t wire = PROTO_TXENV_HEADER_SIZE + 1 + 4 + 8 + PROTO_SIG_SIZE;
    return proto_tx_ante_gas(&gas, wire) + proto_bank_transfer_gas(&gas);
}

/* [fees]: a target of at least one gas, a block that holds at least one
 * transfer, and a floor the start respects. */
gboolean sim_scn_check_fees(sim_scn_ctx *c, GError **error)
{
    const sim_scenario *s = c->s;
    const sim_ini_section *sec = sim_ini_find_section(c->ini, "fees");
    const sim_ini_entry *limit = sim_ini_find_entry(sec, "block_gas_limit");
    const sim_ini_entry *elasticity = sim_ini_find_entry(sec, "elasticity");
    if (s->block_gas_limit < s->fees.elasticity_multiplier)
        return sim_scn_fail(c, sec, limit != NULL ? limit : elasticity,
                            SIM_SCENARIO_ERROR_VALUE, error,
                            "block_gas_limit %" G_GUINT64_FORMAT
                            " is below elasticity %" G_GUINT64_FORMAT " (the gas target would be 0)",
                            s->block_gas_limit, s->fees.elasticity_multiplier);
    uint64_t transfer = sim_scenario_transfer_gas();
    if (s->block_gas_limit < transfer)
        return sim_scn_fail(c, sec, limit, SIM_SCENARIO_ERROR_VALUE, error,
                            "block_gas_limit %" G_GUINT64_FORMAT
                            " cannot hold one transfer (%" G_GUINT64_FORMAT " gas)",
                            s->block_gas_limit, transfer);
    if (s->fees.initial_base_fee < s->fees.min_base_fee)
        return sim_scn_fail(c, sec, sim_ini_find_entry(sec, "initial_base_fee") != NULL
                                        ? sim_ini_find_entry(sec, "initial_base_fee")
                                        : sim_ini_find_entry(sec, "min_base_fee"),
                            SIM_SCENARIO_ERROR_VALUE, error,
                            "initial_base_fee %" G_GUINT64_FORMAT
                            " is below min_base_fee %" G_GUINT64_FORMAT,
                            s->fees.initial_base_fee, s->fees.min_base_fee);
    return TRUE;
}


/* Shares are read as decimals; they must add up to 1 within this. */
#define FEE_SHARE_EPSILON 1e-9
/* The most strategies one line may mix. */
#define FEE_STRATEGIES_MAX 8

const char *sim_fee_strategy_name(sim_fee_strategy_kind kind)
{
    switch (kind) {
    case SIM_FEE_ESTIMATOR:
        return "estimator";
    case SIM_FEE_FIXED:
        return "fixed";
    case SIM_FEE_AGGRESSIVE:
        return "aggressive";
    }
    return "unknown";
}

/* Sets *why to msg (owned) and refuses. */
static gboolean refuse(char **why, char *msg)
{
    *why = msg;
    return FALSE;
}

/* One "NAME [TIP][:SHARE]" item into out; error text into *why. */
static gboolean read_item(const char *item, bool alone, sim_fee_strategy *out, char **why)
{
    g_auto(GStrv) halves = g_strsplit(item, ":", 2);
    if (halves[0] == NULL) /* g_strsplit of "" gives no piece at all */
        return refuse(why, g_strdup("an empty strategy"));
    g_auto(GStrv) words = g_strsplit_set(g_strstrip(halves[0]), " \t", -1);
    const char *name = NULL, *tip = NULL;
    for (guint i = 0; words[i] != NULL; i++) {
        if (words[i][0] == '\0')
            continue;
        if (name == NULL)
            name = words[i];
        else if (tip == NULL)
            tip = words[i];
        else
            return refuse(why, g_strdup_printf("'%s': too many words", item));
    }
    if (name == NULL)
        return refuse(why, g_strdup("an empty strategy"));
    *out = (sim_fee_strategy){.share = 1.0};
    if (strcmp(name, "estimator") == 0 || strcmp(name, "aggressive") == 0) {
        out->kind = name[0] == 'e' ? SIM_FEE_ESTIMATOR : SIM_FEE_AGGRESSIVE;
        if (tip != NULL)
            return refuse(why, g_strdup_printf("'%s' takes no tip", name));
    } else if (strcmp(name, "fixed") == 0) {
        out->kind = SIM_FEE_FIXED;
        GError *local = NULL;
        if (tip == NULL)
            return refuse(why, g_strdup("fixed needs a tip: fixed TIP (base units per gas)"));
        if (!sim_parse_u64(tip, &out->tip, &local)) {
            *why = g_strdup(local->message);
            g_error_free(local);
            return FALSE;
        }
    } else {
        return refuse(why, g_strdup_printf("unknown strategy '%s' (estimator, fixed TIP, "
                                      "aggressive)",
                                      name));
    }
    if (halves[1] == NULL) {
        if (!alone)
            return refuse(why, g_strdup_printf("'%s' needs a share (NAME:SHARE) when strategies "
                                          "are mixed",
                                          item));
        return TRUE;
    }
    GError *local = NULL;
    if (!sim_parse_real(g_strstrip(halves[1]), &out->share, &local)) {
        *why = g_strdup(local->message);
        g_error_free(local);
        return FALSE;
    }
    if (!(out->share > 0.0 && out->share <= 1.0))
        return refuse(why, g_strdup_printf("share %s is not in (0, 1]", halves[1]));
    return TRUE;
}

/* Give each strategy of a mix its output label: its name, except that
 * several fixed strategies are told apart by tip ("fixed_5"). Returns
 * NULL, or the label two strategies would share. */
static const char *label_strategies(GArray *mix)
{
    guint fixed = 0;
    for (guint i = 0; i < mix->len; i++)
        fixed += g_array_index(mix, sim_fee_strategy, i).kind == SIM_FEE_FIXED;
    for (guint i = 0; i < mix->len; i++) {
        sim_fee_strategy *st = &g_array_index(mix, sim_fee_strategy, i);
        const char *name = sim_fee_strategy_name(st->kind);
        if (st->kind == SIM_FEE_FIXED && fixed > 1) {
            g_autofree char *label = g_strdup_printf("%s_%" G_GUINT64_FORMAT, name, st->tip);
            st->label = g_intern_string(label);
        } else {
            st->label = g_intern_static_string(name);
        }
        for (guint j = 0; j < i; j++)
            if (g_array_index(mix, sim_fee_strategy, j).label == st->label)
                return st->label;
    }
    return NULL;
}

gboolean sim_scn_read_fee_strategy(sim_scn_ctx *c, const sim_ini_section *sec,
                                   const sim_ini_entry *e, void *base, GError **error)
{
    (void)base;
    g_auto(GStrv) items = g_strsplit(e->value, ",", -1);
    guint count = g_strv_length(items);
    if (count > FEE_STRATEGIES_MAX)
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                            "%u strategies (at most %d)", count, FEE_STRATEGIES_MAX);
    GArray *out = g_array_new(FALSE, FALSE, sizeof(sim_fee_strategy));
    double total = 0.0;
    for (guint i = 0; i < count; i++) {
        sim_fee_strategy st;
        char *why = NULL;
        if (!read_item(g_strstrip(items[i]), count == 1, &st, &why)) {
            g_array_unref(out);
            gboolean r = sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                                      "bad fee_strategy: %s", why);
            g_free(why);
            return r;
        }
        total += st.share;
        g_array_append_val(out, st);
    }
    if (fabs(total - 1.0) > FEE_SHARE_EPSILON) {
        g_array_unref(out);
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                            "bad fee_strategy: the shares add up to %g, not 1", total);
    }
    const char *twice = label_strategies(out);
    if (twice != NULL) {
        g_array_unref(out);
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                            "bad fee_strategy: '%s' is listed twice", twice);
    }
    g_array_unref(c->s->fee_strategies);
    c->s->fee_strategies = out;
    return TRUE;
}

/* ---- [expect] alarms = KIND:SUBJECT ... | none ---- */

static const char *const alarm_kinds[] = {"congestion", "congestion-cleared", "spam",
                                          "censorship", "concentration",
                                          "concentration-cleared", NULL};

/* A concentration alarm's subject: an owner of [staking] owners, or a
 * validator that owns itself (sim/scenario/scenario_staking.c). */
static char *read_owner_alarm(const sim_scn_ctx *c, char **parts, char **why)
{
    const GPtrArray *owners = c->s->owner_names;
    if (!c->s->staking) {
        *why = g_strdup_printf("%s alarms are raised only in a run with a [staking] section",
                               parts[0]);
        return NULL;
    }
    if (parts[1] == NULL) {
        *why = g_strdup_printf("%s needs the owner it names: %s:OWNER", parts[0], parts[0]);
        return NULL;
    }
    for (guint i = 0; i < owners->len; i++)
        if (strcmp(g_ptr_array_index(owners, i), parts[1]) == 0)
            return g_strdup_printf("%s:%s", parts[0], parts[1]);
    *why = g_strdup_printf("'%s' is no owner ([staking] owners names them; a validator it does "
                           "not list owns itself, as vN)",
                           parts[1]);
    return NULL;
}

/* One "KIND[:SUBJECT]" into its canonical form (subject "chain" for the
 * congestion kinds, an owner for the concentration kinds, a node name
 * otherwise); NULL and *why on error. */
static char *read_alarm(const sim_scn_ctx *c, const char *word, char **why)
{
    g_auto(GStrv) parts = g_strsplit(word, ":", 2);
    if (!g_strv_contains(alarm_kinds, parts[0])) {
        *why = g_strdup_printf("unknown alarm kind '%s' (congestion, congestion-cleared, spam, "
                               "censorship, concentration, concentration-cleared)",
                               parts[0]);
        return NULL;
    }
    if (g_str_has_prefix(parts[0], "concentration"))
        return read_owner_alarm(c, parts, why);
    if (g_str_has_prefix(parts[0], "congestion")) {
        if (parts[1] == NULL || strcmp(parts[1], "chain") == 0)
            return g_strdup_printf("%s:chain", parts[0]);
        *why = g_strdup_printf("%s is about the chain, not '%s'", parts[0], parts[1]);
        return NULL;
    }
    if (parts[1] == NULL) {
        *why = g_strdup_printf("%s needs the node it names: %s:NODE", parts[0], parts[0]);
        return NULL;
    }
    GError *local = NULL;
    GArray *nodes = sim_nodeset_parse(&c->nodes, parts[1], 0, &local);
    if (nodes == NULL || nodes->len != 1) {
        *why = local != NULL ? g_strdup(local->message)
                             : g_strdup_printf("'%s' is not one node", parts[1]);
        g_clear_error(&local);
        if (nodes != NULL)
            g_array_unref(nodes);
        return NULL;
    }
    char *name = sim_nodeset_node_name(&c->nodes, g_array_index(nodes, uint32_t, 0));
    char *out = g_strdup_printf("%s:%s", parts[0], name);
    g_free(name);
    g_array_unref(nodes);
    return out;
}

gboolean sim_scn_read_expect_alarms(sim_scn_ctx *c, const sim_ini_section *sec,
                                    const sim_ini_entry *e, void *base, GError **error)
{
    (void)base;
    g_ptr_array_set_size(c->s->expect.alarms, 0);
    if (strcmp(g_strstrip(e->value), "none") == 0)
        return TRUE;
    g_auto(GStrv) words = g_strsplit_set(e->value, " \t,", -1);
    for (guint i = 0; words[i] != NULL; i++) {
        if (words[i][0] == '\0')
            continue;
        char *why = NULL;
        char *alarm = read_alarm(c, words[i], &why);
        if (alarm == NULL) {
            gboolean r = sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                                      "bad alarm '%s': %s", words[i], why);
            g_free(why);
            return r;
        }
        g_ptr_array_add(c->s->expect.alarms, alarm);
    }
    if (c->s->expect.alarms->len == 0)
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                            "empty value (KIND:NODE ... or none)");
    return TRUE;
}

/* ---- [workload] burst = RATE AT..UNTIL ---- */

gboolean sim_scn_read_burst(sim_scn_ctx *c, const sim_ini_section *sec, const sim_ini_entry *e,
                            void *base, GError **error)
{
    (void)base;
    g_auto(GStrv) words = g_strsplit_set(g_strstrip(e->value), " \t", 2);
    g_auto(GStrv) span = words[0] != NULL && words[1] != NULL
                             ? g_strsplit(g_strstrip(words[1]), "..", 2)
                             : NULL;
    if (span == NULL || span[0] == NULL || span[1] == NULL)
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                            "bad burst '%s' (RATE AT..UNTIL, like 2500/s 60s..120s)", e->value);
    GError *local = NULL;
    sim_scenario *s = c->s;
    if (!sim_parse_rate(words[0], &s->burst_rate_per_s, &local) ||
        !sim_parse_duration(g_strstrip(span[0]), &s->burst_at_ns, &local) ||
        !sim_parse_duration(g_strstrip(span[1]), &s->burst_until_ns, &local))
        return sim_scn_fail_with(c, sec, e, error, local);
    if (!(s->burst_rate_per_s > 0) || s->burst_rate_per_s > 1000000)
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                            "burst rate must be > 0 and <= 1000000/s");
    if (s->burst_until_ns <= s->burst_at_ns)
        return sim_scn_fail(c, sec, e, SIM_SCENARIO_ERROR_VALUE, error,
                            "burst must end after it starts");
    return TRUE;
}
