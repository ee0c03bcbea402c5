/* The results container of one run: raw block, commit, fault and
 * transaction records plus the named headline figures.
 *
 * This file only stores and looks up; deriving the figures is the world's
 * job (sim_metrics_finish) and writing them is the reports layer's. Two
 * choices keep it deterministic and simple:
 * - blocks are found by hash through a hash table that is only ever used
 *   for lookup, never iterated; the records themselves live in an array in
 *   first-seen order, which is the order every output uses;
 * - figures are a small array searched linearly (a run has tens to a few
 *   hundred of them), so their order is the order they were first set and
 *   every report lists them the same way on every run. */
#include "sim/figures/metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void metrics_fault_clear(gpointer data)
{
    sim_fault_record *f = data;
    g_free(f->name);
    g_free(f->action);
    g_free(f->nodes);
}

static void metrics_figure_clear(gpointer data)
{
    sim_figure *fig = data;
    g_free(fig->name);
}

sim_metrics *sim_metrics_new(void)
{
    sim_metrics *m = g_new0(sim_metrics, 1);
    m->blocks = g_array_new(FALSE, FALSE, sizeof(sim_block_record));
    m->commits = g_array_new(FALSE, FALSE, sizeof(sim_commit_record));
    m->faults = g_array_new(FALSE, FALSE, sizeof(sim_fault_record));
    g_array_set_clear_func(m->faults, metrics_fault_clear);
    m->txs = g_array_new(FALSE, FALSE, sizeof(sim_tx_record));
    m->fees = g_array_new(FALSE, FALSE, sizeof(sim_fee_record));
    m->alarms = g_array_new(FALSE, FALSE, sizeof(sim_alarm_record));
    m->concentration = g_array_new(FALSE, FALSE, sizeof(sim_concentration_record));
    m->staking = g_array_new(FALSE, FALSE, sizeof(sim_staking_record));
    m->delegations = g_array_new(FALSE, FALSE, sizeof(sim_delegation_record));
    m->unbondings = g_array_new(FALSE, FALSE, sizeof(sim_unbonding_record));
    m->agents = g_array_new(FALSE, FALSE, sizeof(sim_agent_record));
    m->jobs = g_array_new(FALSE, FALSE, sizeof(sim_job_record));
    m->agent_transitions = g_array_new(FALSE, FALSE, sizeof(sim_agent_transition_record));
    m->disputes = g_array_new(FALSE, FALSE, sizeof(sim_dispute_record));
    m->upgrades = g_array_new(FALSE, FALSE, sizeof(sim_upgrade_record));
    m->view_changes = g_array_new(FALSE, FALSE, sizeof(sim_view_change_record));
    m->receipts = g_array_new(FALSE, FALSE, sizeof(sim_receipt_record));
    m->slashings = g_array_new(FALSE, FALSE, sizeof(sim_slashing_record));
    m->validator_changes = g_array_new(FALSE, FALSE, sizeof(sim_validator_change_record));
    m->partitions = g_array_new(FALSE, FALSE, sizeof(sim_partition_record));
    m->churn = g_array_new(FALSE, FALSE, sizeof(sim_membership_record));
    m->peers = g_array_new(FALSE, FALSE, sizeof(sim_peer_record));
    m->figures = g_array_new(FALSE, FALSE, sizeof(sim_figure));
    g_array_set_clear_func(m->figures, metrics_figure_clear);
    /* Keys are copies: the records array moves when it grows. */
    m->block_by_hash = g_hash_table_new_full(proto_hash_ghash, proto_hash_gequal, g_free, NULL);
    return m;
}

void sim_metrics_free(sim_metrics *m)
{
    if (m == NULL) {
        return;
    }
    g_array_unref(m->blocks);
    g_array_unref(m->commits);
    g_array_unref(m->faults);
    g_array_unref(m->txs);
    g_array_unref(m->fees);
    for (guint i = 0; i < m->alarms->len; i++) {
        sim_alarm_record *a = &g_array_index(m->alarms, sim_alarm_record, i);
        g_free(a->subject);
        g_free(a->detail);
    }
    g_array_unref(m->alarms);
    g_array_unref(m->concentration);
    g_array_unref(m->staking);
    g_array_unref(m->delegations);
    g_array_unref(m->unbondings);
    g_array_unref(m->agents);
    g_array_unref(m->jobs);
    g_array_unref(m->agent_transitions);
    g_array_unref(m->disputes);
    g_array_unref(m->upgrades);
    g_array_unref(m->view_changes);
    g_array_unref(m->receipts);
    g_array_unref(m->slashings);
    g_array_unref(m->validator_changes);
    g_array_unref(m->partitions);
    g_array_unref(m->churn);
    g_array_unref(m->peers);
    g_array_unref(m->figures);
    g_hash_table_unref(m->block_by_hash);
    g_free(m);
}

uint32_t sim_metrics_block(sim_metrics *m, const proto_hash *hash)
{
    gpointer found = g_hash_table_lookup(m->block_by_hash, hash);
    if (found != NULL) {
        return GPOINTER_TO_UINT(found) - 1;
    }
    g_assert(m->blocks->len < G_MAXUINT32 - 1);
    sim_block_record rec;
    memset(&rec, 0, sizeof rec);
    rec.hash = *hash;
    rec.proposed_ns = -1;
    rec.first_final_ns = -1;
    rec.reached_p50_ns = -1;
    rec.reached_p90_ns = -1;
    rec.reached_p99_ns = -1;
    rec.reached_all_ns = -1;
    uint32_t index = m->blocks->len;
    g_array_append_val(m->blocks, rec);
    proto_hash *key = g_new(proto_hash, 1);
    *key = *hash;
    g_hash_table_insert(m->block_by_hash, key, GUINT_TO_POINTER(index + 1));
    return index;
}

static sim_figure *metrics_figure_find(const sim_metrics *m, const char *name)
{
    for (guint i = 0; i < m->figures->len; i++) {
        sim_figure *fig = &g_array_index(m->figures, sim_figure, i);
        if (strcmp(fig->name, name) == 0) {
            return fig;
        }
    }
    return NULL;
}

void sim_metrics_figure(sim_metrics *m, const char *name, double value)
{
    g_assert(name != NULL);
    sim_figure *fig = metrics_figure_find(m, name);
    if (fig != NULL) {
        fig->value = value;
        return;
    }
    sim_figure added = { .name = g_strdup(name), .value = value };
    g_array_append_val(m->figures, added);
}

double sim_metrics_get(const sim_metrics *m, const char *name, double fallback)
{
    const sim_figure *fig = metrics_figure_find(m, name);
    return fig != NULL ? fig->value : fallback;
}

void sim_metrics_fault(sim_metrics *m, const char *name, const char *action, int64_t at_ns,
                       int64_t until_ns, const char *nodes)
{
    sim_fault_record rec = {
        .name = g_strdup(name),
        .action = g_strdup(action),
        .at_ns = at_ns,
        .until_ns = until_ns,
        .nodes = g_strdup(nodes),
    };
    g_array_append_val(m->faults, rec);
}

static int metrics_i64_compare(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a;
    int64_t y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int64_t sim_percentile_i64(int64_t *values, size_t n, double pct)
{
    if (n == 0) {
        return 0;
    }
    qsort(values, n, sizeof *values, metrics_i64_compare);
    /* pct * n first, then / 100: for whole percentiles the product is an
     * exact integer, so a rank like 90% of 10 comes out as exactly 9 and
     * not 9.000000000000002 (which ceil would turn into 10). */
    double rank = ceil(pct * (double)n / 100.0);
    if (!(rank >= 1.0)) { /* also catches NaN */
        return values[0];
    }
    if (rank >= (double)n) {
        return values[n - 1];
    }
    return values[(size_t)rank - 1];
}
