/* The fee market's figures and the detectors' alarms, counted: pure
 * functions of the records (metrics->fees, ->txs, ->alarms), computed
 * once at the end of a run under the names of docs/scenarios.md
 * ("Fees and alarms").
 *
 * A run without fee records (no height became final) gets no fee figure
 * at all rather than zeros: a base fee of 0 would read as a measurement.
 * Transactions are grouped by their client's fee strategy; the
 * per-strategy figures are set only for strategies that occur, in the
 * order of their names (strcmp), and alarm kinds the same way, so the
 * figure order is the same on every run. Inclusion delay is a final
 * transaction's submission to final at the node it was sent to (the
 * samples of finality_*); percentiles are nearest-rank. */
#include "sim/figures/figures.h"

#include <string.h>

#define NS_PER_S 1e9

/* Base fee first, max, final and mean over final heights; the mean of
 * gas used over gas limit; burned and tips summed. */
static void fee_market_figures(sim_metrics *m)
{
    const GArray *fees = m->fees;
    g_assert(fees->len > 0);
    uint64_t base_fee_max = 0, burned = 0, tips = 0;
    double base_fee_sum = 0, ratio_sum = 0;
    for (guint i = 0; i < fees->len; i++) {
        const sim_fee_record *f = &g_array_index(fees, sim_fee_record, i);
        /* every block has a gas limit (the scenario refuses less than one
         * transfer's gas): a zero one is a collector's bug */
        g_assert(f->gas_limit > 0);
        g_assert(burned + f->burned >= burned && tips + f->tips >= tips);
        base_fee_max = MAX(base_fee_max, f->base_fee);
        base_fee_sum += (double)f->base_fee;
        ratio_sum += (double)f->gas_used / (double)f->gas_limit;
        burned += f->burned;
        tips += f->tips;
    }
    const sim_fee_record *first = &g_array_index(fees, sim_fee_record, 0);
    const sim_fee_record *last = &g_array_index(fees, sim_fee_record, fees->len - 1);
    sim_metrics_figure(m, "base_fee_first", (double)first->base_fee);
    sim_metrics_figure(m, "base_fee_final", (double)last->base_fee);
    sim_metrics_figure(m, "base_fee_max", (double)base_fee_max);
    sim_metrics_figure(m, "base_fee_mean", base_fee_sum / fees->len);
    sim_metrics_figure(m, "gas_used_ratio_mean", ratio_sum / fees->len);
    sim_metrics_figure(m, "fees_burned", (double)burned);
    sim_metrics_figure(m, "fees_tips", (double)tips);
}

/* NAME_p50_s and NAME_p99_s SUFFIX (SUFFIX "" or ".STRATEGY") of the
 * delays in ns (sorted in place); 0 for none, as finality_* are. */
static void delay_figures(sim_metrics *m, GArray *delays_ns, const char *suffix)
{
    static const double pcts[] = {50, 99};
    static const char *const names[] = {"inclusion_delay_p50_s", "inclusion_delay_p99_s"};
    for (size_t i = 0; i < G_N_ELEMENTS(pcts); i++) {
        double v = delays_ns->len == 0
                       ? 0.0
                       : (double)sim_percentile_i64((int64_t *)(void *)delays_ns->data,
                                                    delays_ns->len, pcts[i]) / NS_PER_S;
        g_autofree char *name = g_strconcat(names[i], suffix, NULL);
        sim_metrics_figure(m, name, v);
    }
}

static void delays_free(gpointer data)
{
    g_array_unref(data);
}

static gint name_compare(gconstpointer a, gconstpointer b, gpointer unused)
{
    (void)unused;
    return strcmp(a, b);
}

/* inclusion_delay_p50_s and _p99_s over every final transaction, then
 * per fee strategy (sorted by name) those two and txs_final.STRATEGY. A
 * transaction recorded without a strategy counts in the overall figures
 * only. */
static void inclusion_figures(sim_metrics *m)
{
    GArray *all = g_array_sized_new(FALSE, FALSE, sizeof(int64_t), m->txs->len);
    /* strategy (static string) -> GArray of its delays; a GTree keeps the
     * keys sorted, so the figures come out in name order */
    GTree *by_strategy = g_tree_new_full(name_compare, NULL, NULL, delays_free);
    for (guint i = 0; i < m->txs->len; i++) {
        const sim_tx_record *t = &g_array_index(m->txs, sim_tx_record, i);
        int64_t delay = t->final_ns - t->submitted_ns;
        g_array_append_val(all, delay);
        if (t->fee_strategy == NULL)
            continue;
        GArray *delays = g_tree_lookup(by_strategy, t->fee_strategy);
        if (delays == NULL) {
            delays = g_array_new(FALSE, FALSE, sizeof(int64_t));
            g_tree_insert(by_strategy, (gpointer)t->fee_strategy, delays);
        }
        g_array_append_val(delays, delay);
    }
    delay_figures(m, all, "");
    g_array_unref(all);
    GTreeNode *node = g_tree_node_first(by_strategy);
    for (; node != NULL; node = g_tree_node_next(node)) {
        GArray *delays = g_tree_node_value(node);
        g_autofree char *suffix = g_strconcat(".", (const char *)g_tree_node_key(node), NULL);
        delay_figures(m, delays, suffix);
        g_autofree char *count = g_strconcat("txs_final", suffix, NULL);
        sim_metrics_figure(m, count, (double)delays->len);
    }
    g_tree_destroy(by_strategy);
}

void sim_fee_figures(sim_metrics *m)
{
    if (m->fees->len == 0)
        return;
    fee_market_figures(m);
    inclusion_figures(m);
}

void sim_alarm_figures(sim_metrics *m)
{
    /* kind (static string) -> count, sorted by kind */
    GTree *by_kind = g_tree_new_full(name_compare, NULL, NULL, NULL);
    for (guint i = 0; i < m->alarms->len; i++) {
        const sim_alarm_record *a = &g_array_index(m->alarms, sim_alarm_record, i);
        g_assert(a->kind != NULL);
        guint count = GPOINTER_TO_UINT(g_tree_lookup(by_kind, a->kind));
        g_tree_insert(by_kind, (gpointer)a->kind, GUINT_TO_POINTER(count + 1));
    }
    sim_metrics_figure(m, "alarms_count", (double)m->alarms->len);
    for (GTreeNode *node = g_tree_node_first(by_kind); node != NULL;
         node = g_tree_node_next(node)) {
        g_autofree char *name = g_strconcat("alarms.", (const char *)g_tree_node_key(node), NULL);
        sim_metrics_figure(m, name, (double)GPOINTER_TO_UINT(g_tree_node_value(node)));
    }
    g_tree_destroy(by_kind);
}
