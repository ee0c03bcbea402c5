/* Renders the human summary of a run (see summary.h for the layout).
 *
 * Every line goes through rep_summary_line(), which cuts it to 80 columns, so
 * a long scenario name or node list can never break the layout. Numbers
 * are formatted here without the C locale's help (thousands separators
 * are ours, decimal points come from g_ascii_formatd) so the text is the
 * same on every machine. The network table is built by recognising the
 * stable figure names messages.TYPE.{sent,delivered,dropped} and
 * bytes.TYPE.sent; TYPE may itself contain dots (pbft.prepare), so names
 * are matched by prefix and suffix. Types are listed in the order their
 * first figure appears. A run with a P2P mesh gets a Mesh section (peers,
 * gossip, bytes per node, peerings, partitions, recovery); the economy's
 * sections are in summary_economy.c (Fees, Concentration),
 * summary_staking.c (Staking), summary_jobs.c (Jobs) and
 * summary_disputes.c (Disputes), summary_upgrades.c (Upgrades). */
#include "reports/summary.h"
#include "reports/record_fields.h"
#include "reports/summary_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

#define SUMMARY_TYPE_WIDTH 20

/* ---- lines and number formats ---- */

void rep_summary_line(GString *out, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    g_autofree char *line = g_strdup_vprintf(format, args);
    va_end(args);
    /* Count characters, not bytes, when the text is UTF-8. */
    gboolean utf8 = g_utf8_validate(line, -1, NULL);
    glong columns = utf8 ? g_utf8_strlen(line, -1) : (glong)strlen(line);
    if (columns > REP_SUMMARY_COLUMNS) {
        const char *cut = utf8 ? g_utf8_offset_to_pointer(line, REP_SUMMARY_COLUMNS - 3)
                               : line + REP_SUMMARY_COLUMNS - 3;
        g_string_append_len(out, line, cut - line);
        g_string_append(out, "...\n");
        return;
    }
    g_string_append(out, line);
    g_string_append_c(out, '\n');
}

const char *rep_summary_text(const char *text)
{
    return text != NULL && text[0] != '\0' ? text : "-";
}

/* `value` with `decimals` decimals and thousands separators: 12,345.6. */
char *rep_summary_fixed(double value, int decimals)
{
    if (!isfinite(value)) {
        return g_strdup("-");
    }
    if (fabs(value) >= 1e15) {
        /* beyond any real count; too wide for a column anyway */
        char wide[G_ASCII_DTOSTR_BUF_SIZE];
        return g_strdup(g_ascii_formatd(wide, sizeof wide, "%.3g", value));
    }
    char format[8];
    char plain[G_ASCII_DTOSTR_BUF_SIZE];
    g_snprintf(format, sizeof format, "%%.%df", decimals);
    g_ascii_formatd(plain, sizeof plain, format, value);
    const char *digits = plain[0] == '-' ? plain + 1 : plain;
    size_t int_len = strcspn(digits, ".");
    GString *out = g_string_new(plain[0] == '-' ? "-" : "");
    for (size_t i = 0; i < int_len; i++) {
        if (i > 0 && (int_len - i) % 3 == 0) {
            g_string_append_c(out, ',');
        }
        g_string_append_c(out, digits[i]);
    }
    g_string_append(out, digits + int_len);
    return g_string_free(out, FALSE);
}

char *rep_summary_count(double value)
{
    return rep_summary_fixed(value, 0);
}

char *rep_summary_bytes(double value)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
    if (!isfinite(value)) {
        return g_strdup("-");
    }
    size_t unit = 0;
    double scaled = value;
    while (fabs(scaled) >= 1024.0 && unit + 1 < G_N_ELEMENTS(units)) {
        scaled /= 1024.0;
        unit++;
    }
    g_autofree char *number = rep_summary_fixed(scaled, unit == 0 ? 0 : 1);
    return g_strdup_printf("%s %s", number, units[unit]);
}

/* A virtual time in ns as seconds, trimmed: 60s, 1.5s, 0.25s; "-" if < 0. */
char *rep_summary_time(int64_t t_ns)
{
    if (t_ns < 0) {
        return g_strdup("-");
    }
    g_autofree char *text = rep_summary_fixed((double)t_ns / 1e9, 3);
    char *dot = strchr(text, '.');
    if (dot != NULL) {
        char *end = text + strlen(text);
        while (end > dot + 1 && end[-1] == '0') {
            *--end = '\0';
        }
        if (end == dot + 1) {
            *dot = '\0';
        }
    }
    return g_strdup_printf("%ss", text);
}

char *rep_summary_figure(const sim_metrics *m, const char *name, int decimals)
{
    return rep_summary_fixed(sim_metrics_get(m, name, NAN), decimals);
}

gboolean rep_summary_has(const sim_metrics *m, const char *name)
{
    return isfinite(sim_metrics_get(m, name, NAN));
}

/* The figures PREFIXWORD with a count, "WORD 40, WORD 5" in figure
 * order, or "none": disconnect reasons, alarm kinds. */
char *rep_summary_prefixed_counts(const sim_metrics *m, const char *prefix)
{
    GString *text = g_string_new(NULL);
    for (guint i = 0; i < m->figures->len; i++) {
        const sim_figure *f = &g_array_index(m->figures, sim_figure, i);
        if (g_str_has_prefix(f->name, prefix) && f->value > 0) {
            g_autofree char *v = rep_summary_count(f->value);
            g_string_append_printf(text, "%s%s %s", text->len > 0 ? ", " : "",
                                   f->name + strlen(prefix), v);
        }
    }
    if (text->len == 0)
        g_string_append(text, "none");
    return g_string_free(text, FALSE);
}

/* ---- record fields ---- */

/* Field `name` of a record of table t as the summary shows it: a time
 * in seconds (60s, 1.5s), a node by name, text as it is, a number in
 * plain digits; "-" when it is absent or empty text. */
char *rep_summary_field(const rep_run_info *info, const rep_record_table *t, const void *row,
                        const char *name)
{
    rep_field_value v = rep_record_get(t, row, name);
    if (v.absent)
        return g_strdup("-");
    char buf[2 * PROTO_HASH_SIZE + 1];
    switch (v.kind) {
    case REP_FIELD_TIME:
        return rep_summary_time(v.i64);
    case REP_FIELD_I64:
        return g_strdup_printf("%" PRId64, v.i64);
    case REP_FIELD_U64:
    case REP_FIELD_U32:
        return g_strdup_printf("%" PRIu64, v.u64);
    case REP_FIELD_REAL:
        return rep_summary_fixed(v.real, 3);
    case REP_FIELD_TEXT:
        return g_strdup(rep_summary_text(v.text));
    case REP_FIELD_NODE:
        return g_strdup(rep_node_label(info, v.node, buf));
    case REP_FIELD_HASH:
        proto_hash_hex(v.hash, buf);
        return g_strdup(buf);
    case REP_FIELD_GBOOL:
        return g_strdup(v.flag ? "yes" : "no");
    case REP_FIELD_AGENT:
        return g_strdup_printf("a%" PRIu32, v.agent);
    }
    g_assert_not_reached();
}

/* A record table by name (one the code names, so it exists). */
const rep_record_table *rep_summary_table(const char *name)
{
    const rep_record_table *t = rep_record_table_find(name);
    g_assert(t != NULL);
    return t;
}

/* ---- header and throughput ---- */

static void summary_title(GString *out, const rep_run_info *info)
{
    rep_summary_line(out, "aitbc-sim %s | %s | seed %" PRIu64 " | crypto %s",
                 rep_summary_text(info->version), rep_summary_text(info->scenario), info->seed,
                 rep_summary_text(info->crypto));
    g_autofree char *verdict = g_ascii_strup(rep_verdict_name(info->verdict), -1);
    if (info->stop_reason != NULL && info->stop_reason[0] != '\0') {
        rep_summary_line(out, "verdict: %s (%s)", verdict, info->stop_reason);
    } else {
        rep_summary_line(out, "verdict: %s", verdict);
    }
}

/* Per block, the median time to reach 50/90/99/100% of the nodes live at
 * the proposal, and how many blocks never reached them all. */
static void summary_propagation(GString *out, const sim_metrics *m)
{
    static const char *const levels[] = {"p50", "p90", "p99", "p100"};
    gboolean any = FALSE;
    char *value[4];
    for (int i = 0; i < 4; i++) {
        g_autofree char *name = g_strdup_printf("block_propagation_%s_s", levels[i]);
        any = any || rep_summary_has(m, name);
        value[i] = rep_summary_figure(m, name, 3);
    }
    if (any)
        rep_summary_line(out, "  %-16s p50 %s  p90 %s  p99 %s  p100 %s (s)", "propagation",
                     value[0], value[1], value[2], value[3]);
    for (int i = 0; i < 4; i++)
        g_free(value[i]);
    double short_all = sim_metrics_get(m, "block_propagation_unreached_p100", 0);
    if (short_all > 0) {
        g_autofree char *n_all = rep_summary_count(short_all);
        g_autofree char *n_99 = rep_summary_figure(m, "block_propagation_unreached_p99", 0);
        g_autofree char *blocks = rep_summary_figure(m, "blocks_proposed", 0);
        rep_summary_line(out, "  %-16s %s of %s blocks never reached every live node (99%%: %s)",
                     "", n_all, blocks, n_99);
    }
}

static void summary_throughput(GString *out, const sim_metrics *m)
{
    g_autofree char *tps = rep_summary_figure(m, "throughput_tps", 1);
    g_autofree char *p50 = rep_summary_figure(m, "finality_p50_s", 3);
    g_autofree char *p90 = rep_summary_figure(m, "finality_p90_s", 3);
    g_autofree char *p99 = rep_summary_figure(m, "finality_p99_s", 3);
    g_autofree char *max = rep_summary_figure(m, "finality_max_s", 3);
    g_autofree char *final = rep_summary_figure(m, "blocks_final", 0);
    g_autofree char *forks = rep_summary_figure(m, "forks", 0);
    g_autofree char *reorgs = rep_summary_figure(m, "reorgs", 0);
    rep_summary_line(out, "%s", "");
    rep_summary_line(out, "%s", "Throughput & finality");
    rep_summary_line(out, "  %-16s %s tx/s", "throughput", tps);
    rep_summary_line(out, "  %-16s p50 %s  p90 %s  p99 %s  max %s (s)", "finality", p50, p90, p99,
                 max);
    if (rep_summary_has(m, "txs_resubmitted")) {
        /* Why clients had to send transactions again (workload.c). */
        g_autofree char *resub = rep_summary_figure(m, "txs_resubmitted", 0);
        g_autofree char *crashed = rep_summary_figure(m, "txs_resubmitted.receiver_crashed", 0);
        g_autofree char *other = rep_summary_figure(m, "txs_resubmitted.other", 0);
        rep_summary_line(out, "  %-16s %s   (receiver crashed %s, other %s)", "resubmitted", resub,
                     crashed, other);
    }
    if (rep_summary_has(m, "commit_latency_p50_s") || rep_summary_has(m, "commit_latency_p99_s")) {
        g_autofree char *c50 = rep_summary_figure(m, "commit_latency_p50_s", 3);
        g_autofree char *c99 = rep_summary_figure(m, "commit_latency_p99_s", 3);
        rep_summary_line(out, "  %-16s p50 %s  p99 %s (s)", "commit latency", c50, c99);
    }
    summary_propagation(out, m);
    rep_summary_line(out, "  %-16s %s   forks %s   reorgs %s", "blocks final", final, forks, reorgs);
    if (rep_summary_has(m, "view_changes")) {
        g_autofree char *views = rep_summary_figure(m, "view_changes", 0);
        if (sim_metrics_get(m, "view_changes_started", 0) > 0) {
            /* PBFT: why views changed and how long it took. */
            g_autofree char *timeout = rep_summary_figure(m, "view_changes.cause.timeout", 0);
            g_autofree char *failed = rep_summary_figure(m, "view_changes.cause.newview_timeout", 0);
            g_autofree char *joined = rep_summary_figure(m, "view_changes.cause.join", 0);
            g_autofree char *d50 = rep_summary_figure(m, "view_change_duration_p50_s", 2);
            g_autofree char *dmax = rep_summary_figure(m, "view_change_duration_max_s", 2);
            g_autofree char *started = rep_summary_figure(m, "view_changes_started", 0);
            rep_summary_line(out, "  %-16s %s   (%s started: timeout %s, failed view %s, join %s)",
                         "view changes", views, started, timeout, failed, joined);
            rep_summary_line(out, "  %-16s p50 %s  max %s (s)", "view change", d50, dmax);
        } else {
            rep_summary_line(out, "  %-16s %s", "view changes", views);
        }
    }
}

/* ---- network table ---- */

enum { NET_SENT, NET_DELIVERED, NET_DROPPED, NET_BYTES_SENT, NET_COLUMNS };

typedef struct summary_net_row {
    char *type;
    double value[NET_COLUMNS]; /* NAN = no such figure */
} summary_net_row;

static void summary_net_row_free(gpointer data)
{
    summary_net_row *row = data;
    g_free(row->type);
    g_free(row);
}

/* If `name` is PREFIX TYPE SUFFIX with a non-empty TYPE, a copy of TYPE. */
static char *summary_net_type(const char *name, const char *prefix, const char *suffix)
{
    size_t name_len = strlen(name);
    size_t prefix_len = strlen(prefix);
    size_t suffix_len = strlen(suffix);
    if (name_len <= prefix_len + suffix_len || strncmp(name, prefix, prefix_len) != 0 ||
        strcmp(name + name_len - suffix_len, suffix) != 0) {
        return NULL;
    }
    return g_strndup(name + prefix_len, name_len - prefix_len - suffix_len);
}

/* Which table cell a figure name fills, or NULL if it is not a message figure. */
static char *summary_net_match(const char *name, int *column)
{
    static const struct {
        const char *prefix;
        const char *suffix;
        int column;
    } cells[] = {
        { "messages.", ".sent", NET_SENT },
        { "messages.", ".delivered", NET_DELIVERED },
        { "messages.", ".dropped", NET_DROPPED },
        { "bytes.", ".sent", NET_BYTES_SENT },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cells); i++) {
        char *type = summary_net_type(name, cells[i].prefix, cells[i].suffix);
        if (type != NULL) {
            *column = cells[i].column;
            return type;
        }
    }
    return NULL;
}

/* Rows in first-seen order; the hash table is for lookup only. */
static GPtrArray *summary_net_rows(const sim_metrics *m)
{
    GPtrArray *rows = g_ptr_array_new_with_free_func(summary_net_row_free);
    g_autoptr(GHashTable) by_type = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < m->figures->len; i++) {
        const sim_figure *fig = &g_array_index(m->figures, sim_figure, i);
        int column = 0;
        g_autofree char *type = summary_net_match(fig->name, &column);
        if (type == NULL) {
            continue;
        }
        summary_net_row *row = g_hash_table_lookup(by_type, type);
        if (row == NULL) {
            row = g_new0(summary_net_row, 1);
            row->type = g_steal_pointer(&type);
            for (int c = 0; c < NET_COLUMNS; c++) {
                row->value[c] = NAN;
            }
            g_ptr_array_add(rows, row);
            g_hash_table_insert(by_type, row->type, row);
        }
        row->value[column] = fig->value;
    }
    return rows;
}

static void summary_net_print_row(GString *out, const char *type, const double value[NET_COLUMNS])
{
    g_autofree char *sent = rep_summary_count(value[NET_SENT]);
    g_autofree char *delivered = rep_summary_count(value[NET_DELIVERED]);
    g_autofree char *dropped = rep_summary_count(value[NET_DROPPED]);
    g_autofree char *bytes = rep_summary_bytes(value[NET_BYTES_SENT]);
    char shown[SUMMARY_TYPE_WIDTH + 1];
    if (strlen(type) > SUMMARY_TYPE_WIDTH) {
        /* keep the end: it names the message (pbft.view_change_ack) */
        shown[0] = '~';
        memcpy(shown + 1, type + strlen(type) - (SUMMARY_TYPE_WIDTH - 1), SUMMARY_TYPE_WIDTH - 1);
        shown[SUMMARY_TYPE_WIDTH] = '\0';
    } else {
        g_strlcpy(shown, type, sizeof shown);
    }
    rep_summary_line(out, "  %-20s %12s %12s %12s %12s", shown, sent, delivered, dropped, bytes);
}

static void summary_network(GString *out, const sim_metrics *m)
{
    g_autoptr(GPtrArray) rows = summary_net_rows(m);
    rep_summary_line(out, "%s", "");
    rep_summary_line(out, "%s", "Network");
    if (rows->len == 0) {
        rep_summary_line(out, "%s", "  (no message figures)");
        return;
    }
    rep_summary_line(out, "  %-20s %12s %12s %12s %12s", "type", "sent", "delivered", "dropped",
                 "bytes sent");
    double total[NET_COLUMNS] = { NAN, NAN, NAN, NAN };
    for (guint i = 0; i < rows->len; i++) {
        const summary_net_row *row = g_ptr_array_index(rows, i);
        summary_net_print_row(out, row->type, row->value);
        for (int c = 0; c < NET_COLUMNS; c++) {
            if (isfinite(row->value[c])) {
                total[c] = isfinite(total[c]) ? total[c] + row->value[c] : row->value[c];
            }
        }
    }
    if (rows->len > 1) {
        summary_net_print_row(out, "total", total);
    }
    /* Messages nodes received and refused (hostile or broken peers). */
    GString *rejected = g_string_new(NULL);
    for (guint i = 0; i < m->figures->len; i++) {
        const sim_figure *f = &g_array_index(m->figures, sim_figure, i);
        if (g_str_has_prefix(f->name, "rejected.") && f->value > 0) {
            g_autofree char *v = rep_summary_fixed(f->value, 0);
            g_string_append_printf(rejected, "%s%s %s", rejected->len > 0 ? ", " : "",
                                   f->name + strlen("rejected."), v);
        }
    }
    rep_summary_line(out, "  %-16s %s", "rejected", rejected->len > 0 ? rejected->str : "none");
    g_string_free(rejected, TRUE);
}

/* ---- mesh ---- */

/* A mesh run has peer figures (sim/figures/mesh_stats.c computes them only then). */
static gboolean summary_is_mesh(const sim_metrics *m)
{
    return rep_summary_has(m, "peer_connects");
}

static void summary_recovery(GString *out, const sim_metrics *m);

static void summary_mesh_traffic(GString *out, const sim_metrics *m)
{
    g_autofree char *sent = rep_summary_bytes(sim_metrics_get(m, "bytes_sent_per_node_mean", NAN));
    g_autofree char *sent_max = rep_summary_bytes(sim_metrics_get(m, "bytes_sent_per_node_max", NAN));
    g_autofree char *got = rep_summary_bytes(sim_metrics_get(m, "bytes_received_per_node_mean", NAN));
    g_autofree char *got_max =
        rep_summary_bytes(sim_metrics_get(m, "bytes_received_per_node_max", NAN));
    rep_summary_line(out, "  %-16s %s per node (max %s)", "bytes sent", sent, sent_max);
    rep_summary_line(out, "  %-16s %s per node (max %s)", "bytes received", got, got_max);
}

/* Peers, gossip, traffic per node, peerings and abuse, partitions, and
 * recovery; only for runs with a mesh. */
static void summary_mesh(GString *out, const sim_metrics *m)
{
    if (!summary_is_mesh(m))
        return;
    rep_summary_line(out, "%s", "");
    rep_summary_line(out, "%s", "Mesh");
    g_autofree char *mean = rep_summary_figure(m, "peers_per_node_mean", 1);
    g_autofree char *min = rep_summary_figure(m, "peers_per_node_min", 0);
    g_autofree char *max = rep_summary_figure(m, "peers_per_node_max", 0);
    rep_summary_line(out, "  %-16s mean %s  min %s  max %s", "peers per node", mean, min, max);
    g_autofree char *dup = rep_summary_fixed(100 * sim_metrics_get(m, "gossip_duplicate_ratio", NAN), 1);
    g_autofree char *ihave = rep_summary_figure(m, "gossip_ihave_sent", 0);
    g_autofree char *iwant = rep_summary_figure(m, "gossip_iwant_sent", 0);
    g_autofree char *held = rep_summary_figure(m, "gossip_held", 0);
    g_autofree char *rerouted = rep_summary_figure(m, "gossip_rerouted", 0);
    rep_summary_line(out, "  %-16s %s%% of copies were duplicates", "gossip", dup);
    rep_summary_line(out, "  %-16s ihave %s  iwant %s  held for a route %s  re-routed %s", "", ihave,
                 iwant, held, rerouted);
    summary_mesh_traffic(out, m);
    g_autofree char *connects = rep_summary_figure(m, "peer_connects", 0);
    g_autofree char *disconnects = rep_summary_figure(m, "peer_disconnects", 0);
    g_autofree char *bans = rep_summary_figure(m, "peer_bans", 0);
    g_autofree char *throttled = rep_summary_figure(m, "p2p_throttled", 0);
    rep_summary_line(out, "  %-16s %s connects  %s disconnects  %s bans  %s throttled", "peerings",
                 connects, disconnects, bans, throttled);
    g_autofree char *reasons = rep_summary_prefixed_counts(m, "peer_disconnects.");
    rep_summary_line(out, "  %-16s %s", "disconnected by", reasons);
    g_autofree char *detected = rep_summary_figure(m, "partitions_detected", 0);
    g_autofree char *lat = rep_summary_figure(m, "partition_detection_latency_mean_s", 3);
    g_autofree char *lat_max = rep_summary_figure(m, "partition_detection_latency_max_s", 3);
    g_autofree char *heal = rep_summary_figure(m, "partition_heal_detection_mean_s", 3);
    rep_summary_line(out, "  %-16s %s detected; latency mean %s max %s s; heal %s s", "partitions",
                 detected, lat, lat_max, heal);
    summary_recovery(out, m);
}

/* ---- engine, faults, expectations ---- */

static void summary_engine(GString *out, const rep_run_info *info, const sim_metrics *m)
{
    double rate = info->wall_s > 0 ? (double)info->events / info->wall_s : NAN;
    double ratio = sim_metrics_get(m, "sim_real_ratio",
                                   info->wall_s > 0 ? info->sim_s / info->wall_s : NAN);
    g_autofree char *events = rep_summary_count((double)info->events);
    g_autofree char *events_per_s = rep_summary_count(rate);
    g_autofree char *sim_real = rep_summary_fixed(ratio, 2);
    g_autofree char *sim_s = rep_summary_fixed(info->sim_s, 3);
    g_autofree char *wall_s = rep_summary_fixed(info->wall_s, 3);
    g_autofree char *floor = rep_summary_figure(m, "crypto_floor_ratio", 2);
    rep_summary_line(out, "%s", "");
    rep_summary_line(out, "%s", "Engine");
    rep_summary_line(out, "  %-16s %s (%s events/s)", "events", events, events_per_s);
    rep_summary_line(out, "  %-16s %sx (%s s simulated in %s s)", "sim:real", sim_real, sim_s, wall_s);
    rep_summary_line(out, "  %-16s %s (floor ratio %s)", "crypto", rep_summary_text(info->crypto), floor);
}

/* How the run recovered from its faults: re-convergence after partition
 * heals, catching up after restarts and joins (lines only for figures the
 * run has). */
static void summary_recovery(GString *out, const sim_metrics *m)
{
    if (rep_summary_has(m, "reconverge_s")) {
        double v = sim_metrics_get(m, "reconverge_s", NAN);
        g_autofree char *s = rep_summary_fixed(v, 3);
        if (v < 0)
            rep_summary_line(out, "  %-16s never (a node up since a heal never caught up)",
                         "reconverge");
        else
            rep_summary_line(out, "  %-16s %s s (heal to every node at the heal's tip, worst heal)",
                         "reconverge", s);
    }
    if (rep_summary_has(m, "sync_after_join_unsynced")) {
        g_autofree char *mean = rep_summary_figure(m, "sync_after_join_mean_s", 3);
        g_autofree char *max = rep_summary_figure(m, "sync_after_join_max_s", 3);
        g_autofree char *never = rep_summary_figure(m, "sync_after_join_unsynced", 0);
        rep_summary_line(out, "  %-16s mean %s  max %s (s)   never synced %s", "sync after join",
                     mean, max, never);
    }
}

/* One line per fault: name, action, window (or instant), nodes. */
static void summary_faults_list(GString *out, const rep_run_info *info, const sim_metrics *m)
{
    const rep_record_table *t = rep_summary_table("faults");
    const GArray *rows = rep_record_rows(t, info, m);
    for (guint i = 0; i < rows->len; i++) {
        const void *row = rep_record_row(rows, i);
        g_autofree char *name = rep_summary_field(info, t, row, "name");
        g_autofree char *action = rep_summary_field(info, t, row, "action");
        g_autofree char *at = rep_summary_field(info, t, row, "at_ns");
        g_autofree char *until = rep_summary_field(info, t, row, "until_ns");
        g_autofree char *nodes = rep_summary_field(info, t, row, "nodes");
        g_autofree char *window = !rep_record_get(t, row, "until_ns").absent
                                      ? g_strdup_printf("%s .. %s", at, until)
                                      : g_strdup_printf("at %s", at);
        rep_summary_line(out, "  %-16s %-10s %-18s %s", name, action, window, nodes);
    }
}

static void summary_faults(GString *out, const rep_run_info *info, const sim_metrics *m)
{
    rep_summary_line(out, "%s", "");
    rep_summary_line(out, "%s", "Faults");
    if (m->faults->len == 0) {
        rep_summary_line(out, "%s", "  (none)");
        return;
    }
    summary_faults_list(out, info, m);
    if (!summary_is_mesh(m))
        summary_recovery(out, m); /* a mesh run has it in its Mesh section */
}

/* Word-wrap text to `width` columns (lines joined by '\n'). */
static char *summary_wrap(const char *text, glong width)
{
    GString *out = g_string_new(NULL);
    glong col = 0;
    g_auto(GStrv) words = g_strsplit(text, " ", -1);
    for (guint i = 0; words[i] != NULL; i++) {
        glong len = g_utf8_validate(words[i], -1, NULL) ? g_utf8_strlen(words[i], -1)
                                                         : (glong)strlen(words[i]);
        if (col > 0 && col + 1 + len > width - 7) {
            g_string_append_c(out, '\n');
            col = 0;
        } else if (col > 0) {
            g_string_append_c(out, ' ');
            col++;
        }
        g_string_append(out, words[i]);
        col += len;
    }
    return g_string_free(out, FALSE);
}

static void summary_expectations(GString *out, const rep_run_info *info)
{
    rep_summary_line(out, "%s", "");
    rep_summary_line(out, "%s", "Expectations");
    if (info->expects->len == 0) {
        rep_summary_line(out, "%s", "  (none)");
        return;
    }
    for (guint i = 0; i < info->expects->len; i++) {
        const rep_expect_result *e = &g_array_index(info->expects, rep_expect_result, i);
        g_autofree char *line =
            g_strdup_printf("  %s  %-26s target %-12s actual %s", e->passed ? "PASS" : "FAIL",
                            rep_summary_text(e->key), rep_summary_text(e->target),
                            rep_summary_text(e->actual));
        if (g_utf8_strlen(line, -1) <= REP_SUMMARY_COLUMNS) {
            rep_summary_line(out, "%s", line);
            continue;
        }
        /* A long actual (a liveness or safety sentence) goes below, wrapped. */
        rep_summary_line(out, "  %s  %-26s target %s", e->passed ? "PASS" : "FAIL",
                     rep_summary_text(e->key), rep_summary_text(e->target));
        g_autofree char *wrapped = summary_wrap(rep_summary_text(e->actual), REP_SUMMARY_COLUMNS - 8);
        g_auto(GStrv) lines = g_strsplit(wrapped, "\n", -1);
        for (guint k = 0; lines[k] != NULL; k++)
            rep_summary_line(out, "        %s%s", k == 0 ? "actual " : "       ", lines[k]);
    }
}

/* ---- slashings and accountability ---- */

/* One line per slashing: who, why, the infraction's height and the
 * slashing block, tokens burned, when. */
static void summary_slashing_lines(GString *out, const rep_run_info *info, const sim_metrics *m)
{
    const rep_record_table *t = rep_summary_table("slashings");
    const GArray *rows = rep_record_rows(t, info, m);
    if (rows->len == 0)
        rep_summary_line(out, "%s", "  (no slashings)");
    for (guint i = 0; i < rows->len; i++) {
        const void *row = rep_record_row(rows, i);
        g_autofree char *name = rep_summary_field(info, t, row, "validator");
        g_autofree char *reason = rep_summary_field(info, t, row, "reason");
        g_autofree char *evidence = rep_summary_field(info, t, row, "evidence_height");
        g_autofree char *height = rep_summary_field(info, t, row, "height");
        g_autofree char *amount = rep_summary_count((double)rep_record_get(t, row, "amount").u64);
        g_autofree char *at = rep_summary_field(info, t, row, "at_ns");
        rep_summary_line(out, "  %-6s %-12s infraction h %-6s block %-6s burned %s at %s", name,
                     reason, evidence, height, amount, at);
    }
}

/* Unjails and key rotations (jails are the slashings' own). */
static void summary_change_lines(GString *out, const rep_run_info *info, const sim_metrics *m)
{
    const rep_record_table *t = rep_summary_table("validator_changes");
    const GArray *rows = rep_record_rows(t, info, m);
    for (guint i = 0; i < rows->len; i++) {
        const void *row = rep_record_row(rows, i);
        if (g_strcmp0(rep_record_get(t, row, "change").text, "jail") == 0)
            continue;
        g_autofree char *name = rep_summary_field(info, t, row, "validator");
        g_autofree char *change = rep_summary_field(info, t, row, "change");
        g_autofree char *height = rep_summary_field(info, t, row, "height");
        g_autofree char *effective = rep_summary_field(info, t, row, "effective_height");
        g_autofree char *at = rep_summary_field(info, t, row, "at_ns");
        rep_summary_line(out, "  %-6s %-12s block %-6s in effect from h %s at %s", name, change,
                     height, effective, at);
    }
}

/* The slashings, then unjails and key rotations, then the accountability
 * verdict, wrapped. Left out of runs that slash nothing and have no
 * verdict (PoA). */
static void summary_slashings(GString *out, const rep_run_info *info, const sim_metrics *m)
{
    gboolean applicable = info->accountability != NULL &&
                          g_strcmp0(info->accountability, "not-applicable") != 0;
    if (!applicable && m->slashings->len == 0 && m->validator_changes->len == 0)
        return;
    rep_summary_line(out, "%s", "");
    rep_summary_line(out, "%s", "Slashings & accountability");
    summary_slashing_lines(out, info, m);
    summary_change_lines(out, info, m);
    if (info->accountability == NULL)
        return;
    g_autofree char *text = g_strdup_printf("%s%s%s", info->accountability,
                                            info->accountability_detail != NULL ? ": " : "",
                                            info->accountability_detail != NULL
                                                ? info->accountability_detail
                                                : "");
    g_autofree char *wrapped = summary_wrap(text, REP_SUMMARY_COLUMNS - 12);
    g_auto(GStrv) lines = g_strsplit(wrapped, "\n", -1);
    for (guint k = 0; lines[k] != NULL; k++)
        rep_summary_line(out, "  %-16s %s", k == 0 ? "accountability" : "", lines[k]);
}

char *rep_summary_render(const rep_run_info *info, const sim_metrics *m)
{
    GString *out = g_string_sized_new(2048);
    summary_title(out, info);
    summary_throughput(out, m);
    rep_summary_fees(out, info, m);
    summary_network(out, m);
    summary_mesh(out, m);
    summary_engine(out, info, m);
    summary_faults(out, info, m);
    summary_slashings(out, info, m);
    rep_summary_concentration(out, info, m);
    rep_summary_staking(out, info, m);
    rep_summary_jobs(out, info, m);
    rep_summary_disputes(out, info, m);
    rep_summary_upgrades(out, info, m);
    summary_expectations(out, info);
    rep_summary_line(out, "%s", "");
    rep_summary_line(out, "trace hash %s", rep_summary_text(info->trace_hash_hex));
    return g_string_free(out, FALSE);
}

void rep_summary_print(FILE *out, const rep_run_info *info, const sim_metrics *m)
{
    g_autofree char *text = rep_summary_render(info, m);
    fputs(text, out);
    fflush(out);
}
