/* Headline figures derived at the end of a run, under the stable names of
 * docs/scenarios.md. Everything comes from records kept during the run, so the
 * figures are a pure function of the run (no wall clock: the CLI adds
 * wall-time figures itself). Percentiles are nearest-rank. */
#include "sim/world/world_internal.h"

#include <string.h>

#include "protocol/core/msgtype.h"

#define NS_PER_S 1e9

static void percentiles(sim_metrics *m, const char *prefix, GArray *values_ns,
                        const double *pcts, const char *const *suffixes, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        char *name = g_strdup_printf("%s_%s", prefix, suffixes[i]);
        double v = values_ns->len == 0
                       ? 0.0
                       : (double)sim_percentile_i64((int64_t *)(void *)values_ns->data,
                                                    values_ns->len, pcts[i]) / NS_PER_S;
        sim_metrics_figure(m, name, v);
        g_free(name);
    }
}

static void tx_figures(sim_world *w)
{
    sim_metrics *m = w->metrics;
    const sim_workload_options *wl = &w->workload.opt;
    GArray *lat = g_array_sized_new(FALSE, FALSE, sizeof(int64_t), m->txs->len);
    for (guint i = 0; i < m->txs->len; i++) {
        const sim_tx_record *t = &g_array_index(m->txs, sim_tx_record, i);
        int64_t v = t->final_ns - t->submitted_ns;
        g_array_append_val(lat, v);
    }
    int64_t end = MIN(wl->stop_ns, sim_sched_now(w->sched));
    double window_s = (double)(end - wl->start_ns) / NS_PER_S;
    sim_metrics_figure(m, "throughput_tps",
                       window_s > 0 ? (double)w->workload.finalized / window_s : 0.0);
    static const double pcts[] = {50, 90, 99, 100};
    static const char *const names[] = {"p50_s", "p90_s", "p99_s", "max_s"};
    percentiles(m, "finality", lat, pcts, names, 4);
    g_array_unref(lat);
    sim_metrics_figure(m, "txs_submitted", (double)w->workload.submitted);
    sim_metrics_figure(m, "txs_final", (double)w->workload.finalized);
    sim_metrics_figure(m, "txs_pending", (double)(w->workload.submitted - w->workload.finalized));
    sim_metrics_figure(m, "txs_resubmitted", (double)w->workload.resubmitted);
    sim_metrics_figure(m, "txs_resubmitted.receiver_crashed",
                       (double)w->workload.resubmitted_receiver_crashed);
    sim_metrics_figure(m, "txs_resubmitted.other", (double)w->workload.resubmitted_other);
    sim_metrics_figure(m, "txs_rejected", (double)sim_counts_of(w)->tx_rejected);
    sim_metrics_figure(m, "txs_dropped_client",
                       (double)(w->workload.dropped_no_node + w->workload.dropped_backlog));
    sim_metrics_figure(m, "txs_repriced", (double)w->workload.repriced);
    sim_metrics_figure(m, "spam_sent", (double)w->spam_sent);
    uint64_t heights = 0;
    bool conserved = sim_world_conservation_held(w, &heights);
    sim_metrics_figure(m, "conservation_held", conserved ? 1.0 : 0.0);
    sim_metrics_figure(m, "conservation_heights_checked", (double)heights);
}

static void block_figures(sim_world *w)
{
    sim_metrics *m = w->metrics;
    static const double p2[] = {50, 99};
    static const char *const n2[] = {"p50_s", "p99_s"};
    percentiles(m, "commit_latency", sim_counts_of(w)->commit_latency_ns, p2, n2, 2);
    sim_prop_figures(w);
    sim_metrics_figure(m, "blocks_final", (double)w->final_height_max);
    sim_metrics_figure(m, "blocks_proposed", (double)m->blocks->len);
    sim_fork_figures(m, sim_counts_of(w)->reorgs, sim_counts_of(w)->reorg_depth_max);
}

void sim_fork_figures(sim_metrics *m, uint64_t reorgs, uint64_t reorg_depth_max)
{
    /* A PBFT proposal that a view change replaced was never on anyone's
     * chain: it is orphaned, not a fork. */
    GHashTable *seen = g_hash_table_new(g_int64_hash, g_int64_equal);
    GHashTable *forked = g_hash_table_new(g_int64_hash, g_int64_equal);
    uint64_t orphaned = 0;
    for (guint i = 0; i < m->blocks->len; i++) {
        sim_block_record *b = &g_array_index(m->blocks, sim_block_record, i);
        orphaned += b->first_final_ns < 0;
        if (!b->adopted)
            continue;
        if (g_hash_table_contains(seen, &b->height))
            g_hash_table_add(forked, &b->height);
        else
            g_hash_table_add(seen, &b->height);
    }
    sim_metrics_figure(m, "forks", (double)g_hash_table_size(forked));
    sim_metrics_figure(m, "blocks_orphaned", (double)orphaned);
    g_hash_table_destroy(seen);
    g_hash_table_destroy(forked);
    sim_metrics_figure(m, "reorgs", (double)reorgs);
    sim_metrics_figure(m, "reorg_depth_max", (double)reorg_depth_max);
}

/* g_ptr_array_sort passes pointers to the elements. */
static gint compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* rejected.tx.RULE: transactions refused for each rule they broke (only
 * rules that refused something), in name order. */
static void refusal_figures(sim_metrics *m, GHashTable *refusals)
{
    GPtrArray *names = g_ptr_array_new();
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, refusals);
    while (g_hash_table_iter_next(&it, &key, NULL))
        g_ptr_array_add(names, key);
    g_ptr_array_sort(names, compare_names);
    for (guint i = 0; i < names->len; i++) {
        const char *rule = names->pdata[i];
        char *name = g_strdup_printf("rejected.tx.%s", rule);
        sim_metrics_figure(m, name, (double)GPOINTER_TO_SIZE(g_hash_table_lookup(refusals, rule)));
        g_free(name);
    }
    g_ptr_array_unref(names);
}

void sim_view_change_figures(sim_metrics *m, uint64_t checkpoints_stable)
{
    GArray *durations = g_array_new(FALSE, FALSE, sizeof(int64_t));
    uint64_t by_cause[PROTO_VIEW_CAUSE_COUNT] = {0};
    for (guint i = 0; i < m->view_changes->len; i++) {
        const sim_view_change_record *r =
            &g_array_index(m->view_changes, sim_view_change_record, i);
        for (int c = 0; c < PROTO_VIEW_CAUSE_COUNT; c++) {
            if (g_str_equal(r->cause, proto_view_cause_name(c)))
                by_cause[c]++;
        }
        if (r->ended_ns >= 0) {
            int64_t d = r->ended_ns - r->started_ns;
            g_array_append_val(durations, d);
        }
    }
    sim_metrics_figure(m, "view_changes", (double)durations->len);
    sim_metrics_figure(m, "view_changes_started", (double)m->view_changes->len);
    for (int c = 1; c < PROTO_VIEW_CAUSE_COUNT; c++) {
        char *name = g_strdup_printf("view_changes.cause.%s", proto_view_cause_name(c));
        sim_metrics_figure(m, name, (double)by_cause[c]);
        g_free(name);
    }
    static const double p[] = {50, 100};
    static const char *const n[] = {"p50_s", "max_s"};
    percentiles(m, "view_change_duration", durations, p, n, 2);
    g_array_unref(durations);
    sim_metrics_figure(m, "checkpoints_stable", (double)checkpoints_stable);
}

/* PBFT view changes (sim_view_change_figures), then the equivocation
 * evidence honest nodes hold. */
static void view_figures(sim_world *w)
{
    sim_metrics *m = w->metrics;
    const sim_counts *counts = sim_counts_of(w);
    sim_view_change_figures(m, counts->checkpoints_stable);
    /* Equivocation evidence held by honest nodes: how often, against whom. */
    uint32_t accused = 0;
    for (uint32_t v = 0; v < w->opt.validators; v++) {
        if (!counts->accused[v])
            continue;
        accused++;
        char *name = g_strdup_printf("evidence.against.v%u", v);
        sim_metrics_figure(m, name, 1);
        g_free(name);
    }
    sim_metrics_figure(m, "evidence_events", (double)counts->evidence_events);
    sim_metrics_figure(m, "evidence_validators", (double)accused);
}

static void net_figures(sim_world *w)
{
    sim_metrics *m = w->metrics;
    for (guint t = 0; t < PROTO_MSG_TYPE_COUNT_MAX; t++) {
        const sim_net_type_stats *s = sim_net_stats(w->net, (uint8_t)t);
        if (s->sent == 0 && s->delivered == 0)
            continue;
        const char *type = proto_msg_type_name((uint8_t)t);
        uint64_t dropped = 0;
        for (int r = 0; r < SIM_DROP_REASON_COUNT; r++)
            dropped += s->dropped[r];
        char *name = g_strdup_printf("messages.%s.sent", type);
        sim_metrics_figure(m, name, (double)s->sent);
        g_free(name);
        name = g_strdup_printf("messages.%s.delivered", type);
        sim_metrics_figure(m, name, (double)s->delivered);
        g_free(name);
        name = g_strdup_printf("messages.%s.dropped", type);
        sim_metrics_figure(m, name, (double)dropped);
        g_free(name);
        name = g_strdup_printf("bytes.%s.sent", type);
        sim_metrics_figure(m, name, (double)s->bytes_sent);
        g_free(name);
        name = g_strdup_printf("bytes.%s.delivered", type);
        sim_metrics_figure(m, name, (double)s->bytes_delivered);
        g_free(name);
        /* Protocol cost: messages of this type per finalized block. */
        name = g_strdup_printf("messages_per_block.%s", type);
        sim_metrics_figure(m, name,
                           w->final_height_max > 0
                               ? (double)s->sent / (double)w->final_height_max
                               : 0.0);
        g_free(name);
    }
    sim_net_type_stats total = sim_net_stats_total(w->net);
    for (int r = 0; r < SIM_DROP_REASON_COUNT; r++) {
        char *name = g_strdup_printf("messages.dropped.%s", sim_drop_reason_name(r));
        sim_metrics_figure(m, name, (double)total.dropped[r]);
        g_free(name);
    }
    for (int r = 1; r < PROTO_REJECT_REASON_COUNT; r++) {
        char *name = g_strdup_printf("rejected.%s", proto_reject_reason_name(r));
        sim_metrics_figure(m, name, (double)sim_counts_of(w)->rejected[r]);
        g_free(name);
    }
    refusal_figures(m, sim_counts_of(w)->tx_refusals);
}

/* Bytes each node sent and received, over the nodes that took part (sent
 * or received at least one message): a twin that never ran, or a churn
 * slot never used, is not a node of the run. */
static void node_traffic_figures(sim_world *w)
{
    uint64_t sent_sum = 0, sent_max = 0, received_sum = 0, received_max = 0;
    uint32_t nodes = 0;
    for (uint32_t i = 0; i < w->nodes_count; i++) {
        const sim_net_node_stats *s = sim_net_node_stats_get(w->net, i);
        if (s->msgs_sent == 0 && s->msgs_received == 0)
            continue;
        nodes++;
        sent_sum += s->bytes_sent;
        received_sum += s->bytes_received;
        sent_max = MAX(sent_max, s->bytes_sent);
        received_max = MAX(received_max, s->bytes_received);
    }
    sim_metrics *m = w->metrics;
    sim_metrics_figure(m, "bytes_sent_per_node_mean",
                       nodes > 0 ? (double)sent_sum / nodes : 0.0);
    sim_metrics_figure(m, "bytes_sent_per_node_max", (double)sent_max);
    sim_metrics_figure(m, "bytes_received_per_node_mean",
                       nodes > 0 ? (double)received_sum / nodes : 0.0);
    sim_metrics_figure(m, "bytes_received_per_node_max", (double)received_max);
}

void sim_figures_compute(sim_world *w)
{
    sim_metrics *m = w->metrics;
    tx_figures(w);
    block_figures(w);
    sim_fee_figures(m);
    sim_alarm_figures(m);
    if (w->opt.protocol == SIM_CONSENSUS_PBFT)
        view_figures(w);
    sim_world_observers_figures(w, m);
    net_figures(w);
    node_traffic_figures(w);
    sim_mesh_read_live(w);
    sim_mesh_figures(w);
    sim_conv_figures(w, sim_sched_now(w->sched));
    proto_crypto_stats cs = proto_crypto_get_stats(w->chain.crypto);
    sim_metrics_figure(m, "crypto.signs", (double)cs.signs);
    sim_metrics_figure(m, "crypto.verify_calls", (double)cs.verify_calls);
    sim_metrics_figure(m, "crypto.verify_computed", (double)cs.verify_computed);
    sim_metrics_figure(m, "crypto.verify_memo_hits", (double)cs.verify_memo_hits);
    sim_metrics_figure(m, "recoveries", (double)sim_counts_of(w)->recoveries);
    sim_metrics_figure(m, "peers_banned", (double)sim_counts_of(w)->peers_banned);
    sim_metrics_figure(m, "sync_requests", (double)sim_counts_of(w)->sync_requests);
    sim_metrics_figure(m, "events", (double)sim_sched_executed(w->sched));
    sim_metrics_figure(m, "sim_s", (double)sim_sched_now(w->sched) / NS_PER_S);
}
