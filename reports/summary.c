/* Renders the human summary of a run (see summary.h for the layout).
 *
 * Every line goes through summary_line(), which cuts it to 80 columns, so
 * a long scenario name or node list can never break the layout. Numbers
 * are formatted here without the C locale's help (thousands separators
 * are ours, decimal points come from g_ascii_formatd) so the text is the
 * same on every machine. The network table is built by recognising the
 * stable figure names messages.TYPE.{sent,delivered,dropped} and
 * bytes.TYPE.sent; TYPE may itself contain dots (pbft.prepare), so names
 * are matched by prefix and suffix. Types are listed in the order their
 * first figure appears. A run with a P2P mesh gets a Mesh section (peers,
 * gossip, bytes per node, peerings, partitions, recovery), a run with fee
 * figures or alarms a Fees section, a run with stake concentration records
 * (PBFT) a Concentration section. */
#include "reports/summary.h"
#include "reports/record_fields.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

#define SUMMARY_TYPE_WIDTH 20

/* ---- lines and number formats ---- */

G_GNUC_PRINTF(2, 3)
static void summary_line(GString *out, const char *format, ...)
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

static const char *summary_text(const char *text)
{
    return text != NULL && text[0] != '\0' ? text : "-";
}

/* `value` with `decimals` decimals and thousands separators: 12,345.6. */
static char *summary_fixed(double value, int decimals)
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

static char *summary_count(double value)
{
    return summary_fixed(value, 0);
}

static char *summary_bytes(double value)
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
    g_autofree char *number = summary_fixed(scaled, unit == 0 ? 0 : 1);
    return g_strdup_printf("%s %s", number, units[unit]);
}

/* A virtual time in ns as seconds, trimmed: 60s, 1.5s, 0.25s; "-" if < 0. */
static char *summary_time(int64_t t_ns)
{
    if (t_ns < 0) {
        return g_strdup("-");
    }
    g_autofree char *text = summary_fixed((double)t_ns / 1e9, 3);
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

static char *summary_figure(const sim_metrics *m, const char *name, int decimals)
{
    return summary_fixed(sim_metrics_get(m, name, NAN), decimals);
}

static gboolean summary_has(const sim_metrics *m, const char *name)
{
    return isfinite(sim_metrics_get(m, name, NAN));
}

/* The figures PREFIXWORD with a count, "WORD 40, WORD 5" in figure
 * order, or "none": disconnect reasons, alarm kinds. */
static char *summary_prefixed_counts(const sim_metrics *m, const char *prefix)
{
    GString *text = g_string_new(NULL);
    for (guint i = 0; i < m->figures->len; i++) {
        const sim_figure *f = &g_array_index(m->figures, sim_figure, i);
        if (g_str_has_prefix(f->name, prefix) && f->value > 0) {
            g_autofree char *v = summary_count(f->value);
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
static char *summary_field(const rep_run_info *info, const rep_record_table *t, const void *row,
                           const char *name)
{
    rep_field_value v = rep_record_get(t, row, name);
    if (v.absent)
        return g_strdup("-");
    char buf[2 * PROTO_HASH_SIZE + 1];
    switch (v.kind) {
    case REP_FIELD_TIME:
        return summary_time(v.i64);
    case REP_FIELD_I64:
        return g_strdup_printf("%" PRId64, v.i64);
    case REP_FIELD_U64:
    case REP_FIELD_U32:
        return g_strdup_printf("%" PRIu64, v.u64);
    case REP_FIELD_REAL:
        return summary_fixed(v.real, 3);
    case REP_FIELD_TEXT:
        return g_strdup(summary_text(v.text));
    case REP_FIELD_NODE:
        return g_strdup(rep_node_label(info, v.node, buf));
    case REP_FIELD_HASH:
        proto_hash_hex(v.hash, buf);
        return g_strdup(buf);
    case REP_FIELD_GBOOL:
        return g_strdup(v.flag ? "yes" : "no");
    }
    g_assert_not_reached();
}

/* A record table by name (one the code names, so it exists). */
static const rep_record_table *summary_table(const char *name)
{
    const rep_record_table *t = rep_record_table_find(name);
    g_assert(t != NULL);
    return t;
}

/* ---- header and throughput ---- */

static void summary_title(GString *out, const rep_run_info *info)
{
    summary_line(out, "aitbc-sim %s | %s | seed %" PRIu64 " | crypto %s",
                 summary_text(info->version), summary_text(info->scenario), info->seed,
                 summary_text(info->crypto));
    g_autofree char *verdict = g_ascii_strup(rep_verdict_name(info->verdict), -1);
    if (info->stop_reason != NULL && info->stop_reason[0] != '\0') {
        summary_line(out, "verdict: %s (%s)", verdict, info->stop_reason);
    } else {
        summary_line(out, "verdict: %s", verdict);
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
        any = any || summary_has(m, name);
        value[i] = summary_figure(m, name, 3);
    }
    if (any)
        summary_line(out, "  %-16s p50 %s  p90 %s  p99 %s  p100 %s (s)", "propagation",
                     value[0], value[1], value[2], value[3]);
    for (int i = 0; i < 4; i++)
        g_free(value[i]);
    double short_all = sim_metrics_get(m, "block_propagation_unreached_p100", 0);
    if (short_all > 0) {
        g_autofree char *n_all = summary_count(short_all);
        g_autofree char *n_99 = summary_figure(m, "block_propagation_unreached_p99", 0);
        g_autofree char *blocks = summary_figure(m, "blocks_proposed", 0);
        summary_line(out, "  %-16s %s of %s blocks never reached every live node (99%%: %s)",
                     "", n_all, blocks, n_99);
    }
}

static void summary_throughput(GString *out, const sim_metrics *m)
{
    g_autofree char *tps = summary_figure(m, "throughput_tps", 1);
    g_autofree char *p50 = summary_figure(m, "finality_p50_s", 3);
    g_autofree char *p90 = summary_figure(m, "finality_p90_s", 3);
    g_autofree char *p99 = summary_figure(m, "finality_p99_s", 3);
    g_autofree char *max = summary_figure(m, "finality_max_s", 3);
    g_autofree char *final = summary_figure(m, "blocks_final", 0);
    g_autofree char *forks = summary_figure(m, "forks", 0);
    g_autofree char *reorgs = summary_figure(m, "reorgs", 0);
    summary_line(out, "%s", "");
    summary_line(out, "%s", "Throughput & finality");
    summary_line(out, "  %-16s %s tx/s", "throughput", tps);
    summary_line(out, "  %-16s p50 %s  p90 %s  p99 %s  max %s (s)", "finality", p50, p90, p99,
                 max);
    if (summary_has(m, "txs_resubmitted")) {
        /* Why clients had to send transactions again (workload.c). */
        g_autofree char *resub = summary_figure(m, "txs_resubmitted", 0);
        g_autofree char *crashed = summary_figure(m, "txs_resubmitted.receiver_crashed", 0);
        g_autofree char *other = summary_figure(m, "txs_resubmitted.other", 0);
        summary_line(out, "  %-16s %s   (receiver crashed %s, other %s)", "resubmitted", resub,
                     crashed, other);
    }
    if (summary_has(m, "commit_latency_p50_s") || summary_has(m, "commit_latency_p99_s")) {
        g_autofree char *c50 = summary_figure(m, "commit_latency_p50_s", 3);
        g_autofree char *c99 = summary_figure(m, "commit_latency_p99_s", 3);
        summary_line(out, "  %-16s p50 %s  p99 %s (s)", "commit latency", c50, c99);
    }
    summary_propagation(out, m);
    summary_line(out, "  %-16s %s   forks %s   reorgs %s", "blocks final", final, forks, reorgs);
    if (summary_has(m, "view_changes")) {
        g_autofree char *views = summary_figure(m, "view_changes", 0);
        if (sim_metrics_get(m, "view_changes_started", 0) > 0) {
            /* PBFT: why views changed and how long it took. */
            g_autofree char *timeout = summary_figure(m, "view_changes.cause.timeout", 0);
            g_autofree char *failed = summary_figure(m, "view_changes.cause.newview_timeout", 0);
            g_autofree char *joined = summary_figure(m, "view_changes.cause.join", 0);
            g_autofree char *d50 = summary_figure(m, "view_change_duration_p50_s", 2);
            g_autofree char *dmax = summary_figure(m, "view_change_duration_max_s", 2);
            g_autofree char *started = summary_figure(m, "view_changes_started", 0);
            summary_line(out, "  %-16s %s   (%s started: timeout %s, failed view %s, join %s)",
                         "view changes", views, started, timeout, failed, joined);
            summary_line(out, "  %-16s p50 %s  max %s (s)", "view change", d50, dmax);
        } else {
            summary_line(out, "  %-16s %s", "view changes", views);
        }
    }
}

/* ---- fees ---- */

/* Alarms listed one a line below their counts; the rest are in the
 * alarms table. */
#define SUMMARY_ALARMS_SHOWN 5

/* Inclusion delay over every final transaction, then one line per fee
 * strategy: the strategies are the figures txs_final.STRATEGY, in their
 * order (sim/figures/fee_figures.c sets them sorted by name). */
static void summary_inclusion(GString *out, const sim_metrics *m)
{
    static const char prefix[] = "txs_final.";
    g_autofree char *p50 = summary_figure(m, "inclusion_delay_p50_s", 3);
    g_autofree char *p99 = summary_figure(m, "inclusion_delay_p99_s", 3);
    summary_line(out, "  %-16s p50 %s  p99 %s (s)", "inclusion delay", p50, p99);
    for (guint i = 0; i < m->figures->len; i++) {
        const sim_figure *f = &g_array_index(m->figures, sim_figure, i);
        if (!g_str_has_prefix(f->name, prefix))
            continue;
        const char *strategy = f->name + strlen(prefix);
        g_autofree char *name50 = g_strconcat("inclusion_delay_p50_s.", strategy, NULL);
        g_autofree char *name99 = g_strconcat("inclusion_delay_p99_s.", strategy, NULL);
        g_autofree char *s50 = summary_figure(m, name50, 3);
        g_autofree char *s99 = summary_figure(m, name99, 3);
        g_autofree char *txs = summary_count(f->value);
        summary_line(out, "    %-14s p50 %s  p99 %s (s)   %s txs", strategy, s50, s99, txs);
    }
}

/* The alarms, counted by kind, then the first few: when, what, who, and
 * the detector's sentence. */
static void summary_alarms(GString *out, const rep_run_info *info, const sim_metrics *m)
{
    if (!(sim_metrics_get(m, "alarms_count", 0) > 0)) {
        summary_line(out, "  %-16s none", "alarms");
        return;
    }
    g_autofree char *count = summary_figure(m, "alarms_count", 0);
    g_autofree char *kinds = summary_prefixed_counts(m, "alarms.");
    summary_line(out, "  %-16s %s   (%s)", "alarms", count, kinds);
    const rep_record_table *t = summary_table("alarms");
    const GArray *rows = rep_record_rows(t, info, m);
    for (guint i = 0; i < MIN(rows->len, SUMMARY_ALARMS_SHOWN); i++) {
        const void *row = rep_record_row(rows, i);
        g_autofree char *at = summary_field(info, t, row, "at_ns");
        g_autofree char *kind = summary_field(info, t, row, "kind");
        g_autofree char *subject = summary_field(info, t, row, "subject");
        g_autofree char *detail = summary_field(info, t, row, "detail");
        summary_line(out, "    %-14s %-12s %s: %s", at, kind, subject, detail);
    }
    if (rows->len > SUMMARY_ALARMS_SHOWN)
        summary_line(out, "    ... and %u more (table alarms)", rows->len - SUMMARY_ALARMS_SHOWN);
}

/* The fee market (base fee, gas used, burned and tips, inclusion delay
 * per fee strategy), then the alarms. Left out of a run without fee
 * figures (no height became final) and without alarms. */
static void summary_fees(GString *out, const rep_run_info *info, const sim_metrics *m)
{
    gboolean fees = summary_has(m, "base_fee_final");
    if (!fees && !(sim_metrics_get(m, "alarms_count", 0) > 0))
        return;
    summary_line(out, "%s", "");
    summary_line(out, "%s", "Fees");
    if (fees) {
        g_autofree char *first = summary_figure(m, "base_fee_first", 0);
        g_autofree char *max = summary_figure(m, "base_fee_max", 0);
        g_autofree char *final = summary_figure(m, "base_fee_final", 0);
        g_autofree char *mean = summary_figure(m, "base_fee_mean", 1);
        summary_line(out, "  %-16s first %s  max %s  final %s  mean %s", "base fee", first, max,
                     final, mean);
        g_autofree char *ratio =
            summary_fixed(100 * sim_metrics_get(m, "gas_used_ratio_mean", NAN), 1);
        summary_line(out, "  %-16s %s%% of the gas limit (mean over final heights)", "gas used",
                     ratio);
        g_autofree char *burned = summary_figure(m, "fees_burned", 0);
        g_autofree char *tips = summary_figure(m, "fees_tips", 0);
        summary_line(out, "  %-16s %s   tips %s", "burned", burned, tips);
        summary_inclusion(out, m);
    }
    summary_alarms(out, info, m);
}

/* ---- stake concentration ---- */

/* PBFT runs measure it at every final height: the smallest Nakamoto
 * coefficients (by validators, by owners), the largest Gini, the last
 * height's values and the concentration alarms. Left out of runs
 * without records (PoA, or no height final). */
static void summary_concentration(GString *out, const rep_run_info *info, const sim_metrics *m)
{
    const rep_record_table *t = summary_table("concentration");
    const GArray *rows = rep_record_rows(t, info, m);
    if (rows->len == 0 || !summary_has(m, "nakamoto_coefficient_min"))
        return;
    const void *last = rep_record_row(rows, rows->len - 1);
    g_autofree char *by_v = summary_figure(m, "nakamoto_coefficient_min", 0);
    g_autofree char *by_o = summary_figure(m, "nakamoto_owners_min", 0);
    g_autofree char *last_v = summary_field(info, t, last, "nakamoto_validators");
    g_autofree char *last_o = summary_field(info, t, last, "nakamoto_owners");
    g_autofree char *gini = summary_figure(m, "stake_gini_max", 3);
    g_autofree char *last_gini = summary_field(info, t, last, "gini");
    g_autofree char *voting = summary_field(info, t, last, "validators_powered");
    g_autofree char *height = summary_field(info, t, last, "height");
    g_autofree char *top = summary_fixed(100 * rep_record_get(t, last, "top_owner_share").real, 1);
    summary_line(out, "%s", "");
    summary_line(out, "%s", "Concentration");
    summary_line(out, "  %-16s min %s by validators, %s by owners   (height %s: %s, %s)",
                 "nakamoto", by_v, by_o, height, last_v, last_o);
    summary_line(out, "  %-16s max %s   (height %s: %s over %s voting validators)", "stake gini",
                 gini, height, last_gini, voting);
    summary_line(out, "  %-16s %s%% of the voting power at height %s", "largest owner", top,
                 height);
    double raised = sim_metrics_get(m, "alarms.concentration", 0);
    double cleared = sim_metrics_get(m, "alarms.concentration-cleared", 0);
    g_autofree char *r = summary_count(raised), *c = summary_count(cleared);
    if (raised > 0 || cleared > 0)
        summary_line(out, "  %-16s %s raised, %s cleared (table alarms)", "alarms", r, c);
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
    g_autofree char *sent = summary_count(value[NET_SENT]);
    g_autofree char *delivered = summary_count(value[NET_DELIVERED]);
    g_autofree char *dropped = summary_count(value[NET_DROPPED]);
    g_autofree char *bytes = summary_bytes(value[NET_BYTES_SENT]);
    char shown[SUMMARY_TYPE_WIDTH + 1];
    if (strlen(type) > SUMMARY_TYPE_WIDTH) {
        /* keep the end: it names the message (pbft.view_change_ack) */
        shown[0] = '~';
        memcpy(shown + 1, type + strlen(type) - (SUMMARY_TYPE_WIDTH - 1), SUMMARY_TYPE_WIDTH - 1);
        shown[SUMMARY_TYPE_WIDTH] = '\0';
    } else {
        g_strlcpy(shown, type, sizeof shown);
    }
    summary_line(out, "  %-20s %12s %12s %12s %12s", shown, sent, delivered, dropped, bytes);
}

static void summary_network(GString *out, const sim_metrics *m)
{
    g_autoptr(GPtrArray) rows = summary_net_rows(m);
    summary_line(out, "%s", "");
    summary_line(out, "%s", "Network");
    if (rows->len == 0) {
        summary_line(out, "%s", "  (no message figures)");
        return;
    }
    summary_line(out, "  %-20s %12s %12s %12s %12s", "type", "sent", "delivered", "dropped",
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
            g_autofree char *v = summary_fixed(f->value, 0);
            g_string_append_printf(rejected, "%s%s %s", rejected->len > 0 ? ", " : "",
                                   f->name + strlen("rejected."), v);
        }
    }
    summary_line(out, "  %-16s %s", "rejected", rejected->len > 0 ? rejected->str : "none");
    g_string_free(rejected, TRUE);
}

/* ---- mesh ---- */

/* A mesh run has peer figures (sim/figures/mesh_stats.c computes them only then). */
static gboolean summary_is_mesh(const sim_metrics *m)
{
    return summary_has(m, "peer_connects");
}

static void summary_recovery(GString *out, const sim_metrics *m);

static void summary_mesh_traffic(GString *out, const sim_metrics *m)
{
    g_autofree char *sent = summary_bytes(sim_metrics_get(m, "bytes_sent_per_node_mean", NAN));
    g_autofree char *sent_max = summary_bytes(sim_metrics_get(m, "bytes_sent_per_node_max", NAN));
    g_autofree char *got = summary_bytes(sim_metrics_get(m, "bytes_received_per_node_mean", NAN));
    g_autofree char *got_max =
        summary_bytes(sim_metrics_get(m, "bytes_received_per_node_max", NAN));
    summary_line(out, "  %-16s %s per node (max %s)", "bytes sent", sent, sent_max);
    summary_line(out, "  %-16s %s per node (max %s)", "bytes received", got, got_max);
}

/* Peers, gossip, traffic per node, peerings and abuse, partitions, and
 * recovery; only for runs with a mesh. */
static void summary_mesh(GString *out, const sim_metrics *m)
{
    if (!summary_is_mesh(m))
        return;
    summary_line(out, "%s", "");
    summary_line(out, "%s", "Mesh");
    g_autofree char *mean = summary_figure(m, "peers_per_node_mean", 1);
    g_autofree char *min = summary_figure(m, "peers_per_node_min", 0);
    g_autofree char *max = summary_figure(m, "peers_per_node_max", 0);
    summary_line(out, "  %-16s mean %s  min %s  max %s", "peers per node", mean, min, max);
    g_autofree char *dup = summary_fixed(100 * sim_metrics_get(m, "gossip_duplicate_ratio", NAN), 1);
    g_autofree char *ihave = summary_figure(m, "gossip_ihave_sent", 0);
    g_autofree char *iwant = summary_figure(m, "gossip_iwant_sent", 0);
    g_autofree char *held = summary_figure(m, "gossip_held", 0);
    g_autofree char *rerouted = summary_figure(m, "gossip_rerouted", 0);
    summary_line(out, "  %-16s %s%% of copies were duplicates", "gossip", dup);
    summary_line(out, "  %-16s ihave %s  iwant %s  held for a route %s  re-routed %s", "", ihave,
                 iwant, held, rerouted);
    summary_mesh_traffic(out, m);
    g_autofree char *connects = summary_figure(m, "peer_connects", 0);
    g_autofree char *disconnects = summary_figure(m, "peer_disconnects", 0);
    g_autofree char *bans = summary_figure(m, "peer_bans", 0);
    g_autofree char *throttled = summary_figure(m, "p2p_throttled", 0);
    summary_line(out, "  %-16s %s connects  %s disconnects  %s bans  %s throttled", "peerings",
                 connects, disconnects, bans, throttled);
    g_autofree char *reasons = summary_prefixed_counts(m, "peer_disconnects.");
    summary_line(out, "  %-16s %s", "disconnected by", reasons);
    g_autofree char *detected = summary_figure(m, "partitions_detected", 0);
    g_autofree char *lat = summary_figure(m, "partition_detection_latency_mean_s", 3);
    g_autofree char *lat_max = summary_figure(m, "partition_detection_latency_max_s", 3);
    g_autofree char *heal = summary_figure(m, "partition_heal_detection_mean_s", 3);
    summary_line(out, "  %-16s %s detected; latency mean %s max %s s; heal %s s", "partitions",
                 detected, lat, lat_max, heal);
    summary_recovery(out, m);
}

/* ---- engine, faults, expectations ---- */

static void summary_engine(GString *out, const rep_run_info *info, const sim_metrics *m)
{
    double rate = info->wall_s > 0 ? (double)info->events / info->wall_s : NAN;
    double ratio = sim_metrics_get(m, "sim_real_ratio",
                                   info->wall_s > 0 ? info->sim_s / info->wall_s : NAN);
    g_autofree char *events = summary_count((double)info->events);
    g_autofree char *events_per_s = summary_count(rate);
    g_autofree char *sim_real = summary_fixed(ratio, 2);
    g_autofree char *sim_s = summary_fixed(info->sim_s, 3);
    g_autofree char *wall_s = summary_fixed(info->wall_s, 3);
    g_autofree char *floor = summary_figure(m, "crypto_floor_ratio", 2);
    summary_line(out, "%s", "");
    summary_line(out, "%s", "Engine");
    summary_line(out, "  %-16s %s (%s events/s)", "events", events, events_per_s);
    summary_line(out, "  %-16s %sx (%s s simulated in %s s)", "sim:real", sim_real, sim_s, wall_s);
    summary_line(out, "  %-16s %s (floor ratio %s)", "crypto", summary_text(info->crypto), floor);
}

/* How the run recovered from its faults: re-convergence after partition
 * heals, catching up after restarts and joins (lines only for figures the
 * run has). */
static void summary_recovery(GString *out, const sim_metrics *m)
{
    if (summary_has(m, "reconverge_s")) {
        double v = sim_metrics_get(m, "reconverge_s", NAN);
        g_autofree char *s = summary_fixed(v, 3);
        if (v < 0)
            summary_line(out, "  %-16s never (a node up since a heal never caught up)",
                         "reconverge");
        else
            summary_line(out, "  %-16s %s s (heal to every node at the heal's tip, worst heal)",
                         "reconverge", s);
    }
    if (summary_has(m, "sync_after_join_unsynced")) {
        g_autofree char *mean = summary_figure(m, "sync_after_join_mean_s", 3);
        g_autofree char *max = summary_figure(m, "sync_after_join_max_s", 3);
        g_autofree char *never = summary_figure(m, "sync_after_join_unsynced", 0);
        summary_line(out, "  %-16s mean %s  max %s (s)   never synced %s", "sync after join",
                     mean, max, never);
    }
}

/* One line per fault: name, action, window (or instant), nodes. */
static void summary_faults_list(GString *out, const rep_run_info *info, const sim_metrics *m)
{
    const rep_record_table *t = summary_table("faults");
    const GArray *rows = rep_record_rows(t, info, m);
    for (guint i = 0; i < rows->len; i++) {
        const void *row = rep_record_row(rows, i);
        g_autofree char *name = summary_field(info, t, row, "name");
        g_autofree char *action = summary_field(info, t, row, "action");
        g_autofree char *at = summary_field(info, t, row, "at_ns");
        g_autofree char *until = summary_field(info, t, row, "until_ns");
        g_autofree char *nodes = summary_field(info, t, row, "nodes");
        g_autofree char *window = !rep_record_get(t, row, "until_ns").absent
                                      ? g_strdup_printf("%s .. %s", at, until)
                                      : g_strdup_printf("at %s", at);
        summary_line(out, "  %-16s %-10s %-18s %s", name, action, window, nodes);
    }
}

static void summary_faults(GString *out, const rep_run_info *info, const sim_metrics *m)
{
    summary_line(out, "%s", "");
    summary_line(out, "%s", "Faults");
    if (m->faults->len == 0) {
        summary_line(out, "%s", "  (none)");
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
    summary_line(out, "%s", "");
    summary_line(out, "%s", "Expectations");
    if (info->expects->len == 0) {
        summary_line(out, "%s", "  (none)");
        return;
    }
    for (guint i = 0; i < info->expects->len; i++) {
        const rep_expect_result *e = &g_array_index(info->expects, rep_expect_result, i);
        g_autofree char *line =
            g_strdup_printf("  %s  %-26s target %-12s actual %s", e->passed ? "PASS" : "FAIL",
                            summary_text(e->key), summary_text(e->target),
                            summary_text(e->actual));
        if (g_utf8_strlen(line, -1) <= REP_SUMMARY_COLUMNS) {
            summary_line(out, "%s", line);
            continue;
        }
        /* A long actual (a liveness or safety sentence) goes below, wrapped. */
        summary_line(out, "  %s  %-26s target %s", e->passed ? "PASS" : "FAIL",
                     summary_text(e->key), summary_text(e->target));
        g_autofree char *wrapped = summary_wrap(summary_text(e->actual), REP_SUMMARY_COLUMNS - 8);
        g_auto(GStrv) lines = g_strsplit(wrapped, "\n", -1);
        for (guint k = 0; lines[k] != NULL; k++)
            summary_line(out, "        %s%s", k == 0 ? "actual " : "       ", lines[k]);
    }
}

/* ---- slashings and accountability ---- */

/* One line per slashing: who, why, the infraction's height and the
 * slashing block, tokens burned, when. */
static void summary_slashing_lines(GString *out, const rep_run_info *info, const sim_metrics *m)
{
    const rep_record_table *t = summary_table("slashings");
    const GArray *rows = rep_record_rows(t, info, m);
    if (rows->len == 0)
        summary_line(out, "%s", "  (no slashings)");
    for (guint i = 0; i < rows->len; i++) {
        const void *row = rep_record_row(rows, i);
        g_autofree char *name = summary_field(info, t, row, "validator");
        g_autofree char *reason = summary_field(info, t, row, "reason");
        g_autofree char *evidence = summary_field(info, t, row, "evidence_height");
        g_autofree char *height = summary_field(info, t, row, "height");
        g_autofree char *amount = summary_count((double)rep_record_get(t, row, "amount").u64);
        g_autofree char *at = summary_field(info, t, row, "at_ns");
        summary_line(out, "  %-6s %-12s infraction h %-6s block %-6s burned %s at %s", name,
                     reason, evidence, height, amount, at);
    }
}

/* Unjails and key rotations (jails are the slashings' own). */
static void summary_change_lines(GString *out, const rep_run_info *info, const sim_metrics *m)
{
    const rep_record_table *t = summary_table("validator_changes");
    const GArray *rows = rep_record_rows(t, info, m);
    for (guint i = 0; i < rows->len; i++) {
        const void *row = rep_record_row(rows, i);
        if (g_strcmp0(rep_record_get(t, row, "change").text, "jail") == 0)
            continue;
        g_autofree char *name = summary_field(info, t, row, "validator");
        g_autofree char *change = summary_field(info, t, row, "change");
        g_autofree char *height = summary_field(info, t, row, "height");
        g_autofree char *effective = summary_field(info, t, row, "effective_height");
        g_autofree char *at = summary_field(info, t, row, "at_ns");
        summary_line(out, "  %-6s %-12s block %-6s in effect from h %s at %s", name, change,
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
    summary_line(out, "%s", "");
    summary_line(out, "%s", "Slashings & accountability");
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
        summary_line(out, "  %-16s %s", k == 0 ? "accountability" : "", lines[k]);
}

char *rep_summary_render(const rep_run_info *info, const sim_metrics *m)
{
    GString *out = g_string_sized_new(2048);
    summary_title(out, info);
    summary_throughput(out, m);
    summary_fees(out, info, m);
    summary_network(out, m);
    summary_mesh(out, m);
    summary_engine(out, info, m);
    summary_faults(out, info, m);
    summary_slashings(out, info, m);
    summary_concentration(out, info, m);
    summary_expectations(out, info);
    summary_line(out, "%s", "");
    summary_line(out, "trace hash %s", summary_text(info->trace_hash_hex));
    return g_string_free(out, FALSE);
}

void rep_summary_print(FILE *out, const rep_run_info *info, const sim_metrics *m)
{
    g_autofree char *text = rep_summary_render(info, m);
    fputs(text, out);
    fflush(out);
}
