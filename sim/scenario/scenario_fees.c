/* [workload] fee_strategy: how the clients price their transactions.
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
 * each does. Errors name the file, the line and the key. */
#include "sim/scenario/scenario_internal.h"

#include <math.h>
#include <string.h>

#include "sim/scenario/units.h"

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

/* One "NAME [TIP][:SHARE]" item into out; error text into *why. */
static gboolean read_item(const char *item, bool alone, sim_fee_strategy *out, char **why)
{
    g_auto(GStrv) halves = g_strsplit(item, ":", 2);
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
            return *why = g_strdup_printf("'%s': too many words", item), FALSE;
    }
    if (name == NULL)
        return *why = g_strdup("an empty strategy"), FALSE;
    *out = (sim_fee_strategy){.share = 1.0};
    if (strcmp(name, "estimator") == 0 || strcmp(name, "aggressive") == 0) {
        out->kind = name[0] == 'e' ? SIM_FEE_ESTIMATOR : SIM_FEE_AGGRESSIVE;
        if (tip != NULL)
            return *why = g_strdup_printf("'%s' takes no tip", name), FALSE;
    } else if (strcmp(name, "fixed") == 0) {
        out->kind = SIM_FEE_FIXED;
        GError *local = NULL;
        if (tip == NULL)
            return *why = g_strdup("fixed needs a tip: fixed TIP (base units per gas)"), FALSE;
        if (!sim_parse_u64(tip, &out->tip, &local)) {
            *why = g_strdup(local->message);
            g_error_free(local);
            return FALSE;
        }
    } else {
        return *why = g_strdup_printf("unknown strategy '%s' (estimator, fixed TIP, "
                                      "aggressive)",
                                      name),
               FALSE;
    }
    if (halves[1] == NULL) {
        if (!alone)
            return *why = g_strdup_printf("'%s' needs a share (NAME:SHARE) when strategies "
                                          "are mixed",
                                          item),
                   FALSE;
        return TRUE;
    }
    GError *local = NULL;
    if (!sim_parse_real(g_strstrip(halves[1]), &out->share, &local)) {
        *why = g_strdup(local->message);
        g_error_free(local);
        return FALSE;
    }
    if (!(out->share > 0.0 && out->share <= 1.0))
        return *why = g_strdup_printf("share %s is not in (0, 1]", halves[1]), FALSE;
    return TRUE;
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
        if (!read_item(items[i], count == 1, &st, &why)) {
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
    g_array_unref(c->s->fee_strategies);
    c->s->fee_strategies = out;
    return TRUE;
}
