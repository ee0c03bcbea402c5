/* Writes report.json with a small JSON writer of our own.
 *
 * The writer tracks only what pretty-printing needs: the nesting depth,
 * whether the current container already has an item (for commas), and
 * whether it is written on one line (expectations and faults read best as
 * one object per line). Everything else is plain appends to a GString, so
 * the document is built in memory and written in one go through
 * g_file_set_contents (temporary file + rename). */
#include "reports/json.h"
#include "reports/record_fields.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#define JSON_DEPTH_MAX 16

typedef struct json_writer {
    GString *out;
    guint depth;
    gboolean has_items[JSON_DEPTH_MAX]; /* per depth: an item was written */
    gboolean one_line[JSON_DEPTH_MAX];  /* per depth: no newlines inside */
} json_writer;

/* ---- scalars ---- */

static void json_append_escaped(GString *out, const char *text)
{
    g_string_append_c(out, '"');
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
        switch (*p) {
        case '"':
            g_string_append(out, "\\\"");
            break;
        case '\\':
            g_string_append(out, "\\\\");
            break;
        case '\n':
            g_string_append(out, "\\n");
            break;
        case '\r':
            g_string_append(out, "\\r");
            break;
        case '\t':
            g_string_append(out, "\\t");
            break;
        default:
            if (*p < 0x20) {
                g_string_append_printf(out, "\\u%04x", (unsigned)*p);
            } else {
                g_string_append_c(out, (char)*p);
            }
        }
    }
    g_string_append_c(out, '"');
}

void rep_json_append_string(GString *out, const char *text)
{
    if (text == NULL) {
        g_string_append(out, "null");
    } else if (g_utf8_validate(text, -1, NULL)) {
        json_append_escaped(out, text);
    } else {
        g_autofree char *valid = g_utf8_make_valid(text, -1);
        json_append_escaped(out, valid);
    }
}

void rep_json_append_number(GString *out, double value)
{
    if (!isfinite(value)) {
        g_string_append(out, "null");
        return;
    }
    /* g_ascii_formatd ignores the locale (always '.'); 15 significant
     * digits read back exactly for most values and look tidy, 17 always
     * read back exactly. */
    char text[G_ASCII_DTOSTR_BUF_SIZE];
    g_ascii_formatd(text, sizeof text, "%.15g", value);
    if (g_ascii_strtod(text, NULL) != value) {
        g_ascii_formatd(text, sizeof text, "%.17g", value);
    }
    g_string_append(out, text);
}

/* ---- structure ---- */

/* Separator and indentation before the next item of the open container. */
static void json_item(json_writer *w)
{
    gboolean one_line = w->one_line[w->depth];
    if (w->has_items[w->depth]) {
        g_string_append(w->out, one_line ? ", " : ",");
    }
    if (!one_line) {
        g_string_append_c(w->out, '\n');
        for (guint i = 0; i < w->depth; i++) {
            g_string_append(w->out, "  ");
        }
    }
    w->has_items[w->depth] = TRUE;
}

static void json_open(json_writer *w, char bracket, gboolean one_line)
{
    g_assert(w->depth + 1 < JSON_DEPTH_MAX);
    g_string_append_c(w->out, bracket);
    w->depth++;
    w->has_items[w->depth] = FALSE;
    w->one_line[w->depth] = one_line || w->one_line[w->depth - 1];
}

static void json_close(json_writer *w, char bracket)
{
    g_assert(w->depth > 0);
    gboolean had_items = w->has_items[w->depth];
    gboolean one_line = w->one_line[w->depth];
    w->depth--;
    if (had_items && !one_line) {
        g_string_append_c(w->out, '\n');
        for (guint i = 0; i < w->depth; i++) {
            g_string_append(w->out, "  ");
        }
    }
    g_string_append_c(w->out, bracket);
}

static void json_key(json_writer *w, const char *key)
{
    json_item(w);
    rep_json_append_string(w->out, key);
    g_string_append(w->out, ": ");
}

static void json_field_string(json_writer *w, const char *key, const char *value)
{
    json_key(w, key);
    rep_json_append_string(w->out, value);
}

static void json_field_number(json_writer *w, const char *key, double value)
{
    json_key(w, key);
    rep_json_append_number(w->out, value);
}

static void json_field_u64(json_writer *w, const char *key, uint64_t value)
{
    json_key(w, key);
    g_string_append_printf(w->out, "%" PRIu64, value);
}

static void json_field_bool(json_writer *w, const char *key, gboolean value)
{
    json_key(w, key);
    g_string_append(w->out, value ? "true" : "false");
}

/* ---- the document ---- */

static void json_run_fields(json_writer *w, const rep_run_info *info)
{
    json_field_string(w, "scenario", info->scenario);
    json_field_string(w, "scenario_path", info->scenario_path);
    json_field_u64(w, "seed", info->seed);
    json_field_string(w, "version", info->version);
    json_field_string(w, "started_at", info->started_at);
    json_field_string(w, "crypto", info->crypto);
    json_field_string(w, "trace_hash", info->trace_hash_hex);
    json_field_string(w, "verdict", rep_verdict_name(info->verdict));
    json_field_string(w, "stop_reason", info->stop_reason);
    json_field_number(w, "sim_s", info->sim_s);
    json_field_number(w, "wall_s", info->wall_s);
    json_field_u64(w, "events", info->events);
}

static void json_figures(json_writer *w, const sim_metrics *m)
{
    json_key(w, "figures");
    json_open(w, '{', FALSE);
    for (guint i = 0; i < m->figures->len; i++) {
        const sim_figure *fig = &g_array_index(m->figures, sim_figure, i);
        json_field_number(w, fig->name, fig->value);
    }
    json_close(w, '}');
}

/* A figure by name, null when the run has none of that name. */
static void json_field_figure(json_writer *w, const char *key, const sim_metrics *m,
                              const char *figure)
{
    json_field_number(w, key, sim_metrics_get(m, figure, NAN));
}

/* {"mean": .., "max": ..} (and "min") from PREFIX_mean SUFFIX etc. */
static void json_mean_max(json_writer *w, const char *key, const sim_metrics *m,
                          const char *prefix, const char *suffix, gboolean with_min)
{
    static const char *const parts[] = {"mean", "min", "max"};
    json_key(w, key);
    json_open(w, '{', TRUE);
    for (size_t i = 0; i < G_N_ELEMENTS(parts); i++) {
        if (i == 1 && !with_min)
            continue;
        char *name = g_strdup_printf("%s_%s%s", prefix, parts[i], suffix);
        json_field_figure(w, parts[i], m, name);
        g_free(name);
    }
    json_close(w, '}');
}

/* The mesh's headline figures, grouped (the same values as in "figures");
 * only for a run with a P2P mesh (it has peer figures). */
static void json_mesh(json_writer *w, const sim_metrics *m)
{
    if (!isfinite(sim_metrics_get(m, "peer_connects", NAN)))
        return;
    json_key(w, "mesh");
    json_open(w, '{', FALSE);
    json_mean_max(w, "peers_per_node", m, "peers_per_node", "", TRUE);
    json_field_figure(w, "gossip_duplicate_ratio", m, "gossip_duplicate_ratio");
    json_mean_max(w, "bytes_sent_per_node", m, "bytes_sent_per_node", "", FALSE);
    json_mean_max(w, "bytes_received_per_node", m, "bytes_received_per_node", "", FALSE);
    json_field_figure(w, "peer_bans", m, "peer_bans");
    json_field_figure(w, "p2p_throttled", m, "p2p_throttled");
    json_field_figure(w, "partitions_detected", m, "partitions_detected");
    json_mean_max(w, "partition_detection_latency_s", m, "partition_detection_latency", "_s",
                  FALSE);
    json_field_figure(w, "partition_heal_detection_mean_s", m, "partition_heal_detection_mean_s");
    json_field_figure(w, "reconverge_s", m, "reconverge_s");
    json_mean_max(w, "sync_after_join_s", m, "sync_after_join", "_s", FALSE);
    json_field_figure(w, "sync_after_join_unsynced", m, "sync_after_join_unsynced");
    json_close(w, '}');
}

/* A node's name as the run info knows it, or "#INDEX" (as the database
 * writes it). */
static void json_field_node(json_writer *w, const char *key, const rep_run_info *info,
                            uint32_t node)
{
    char buf[16];
    json_field_string(w, key, rep_node_label(info, node, buf));
}

/* One field of a record: absent values are null. */
static void json_field_value(json_writer *w, const char *key, const rep_run_info *info,
                             rep_field_value v)
{
    if (v.absent) {
        json_key(w, key);
        g_string_append(w->out, "null");
        return;
    }
    switch (v.kind) {
    case REP_FIELD_U64:
    case REP_FIELD_U32:
        json_field_u64(w, key, v.u64);
        break;
    case REP_FIELD_I64:
    case REP_FIELD_TIME: /* absent (negative) times were handled above */
        json_key(w, key);
        g_string_append_printf(w->out, "%" PRId64, v.i64);
        break;
    case REP_FIELD_REAL:
        json_field_number(w, key, v.real);
        break;
    case REP_FIELD_TEXT:
        json_field_string(w, key, v.text);
        break;
    case REP_FIELD_NODE:
        json_field_node(w, key, info, v.node);
        break;
    case REP_FIELD_HASH: {
        char hex[2 * PROTO_HASH_SIZE + 1];
        proto_hash_hex(v.hash, hex);
        json_field_string(w, key, hex);
        break;
    }
    case REP_FIELD_GBOOL:
        json_field_bool(w, key, v.flag);
        break;
    case REP_FIELD_AGENT: {
        char buf[16];
        json_field_string(w, key, rep_agent_label(v.agent, buf));
        break;
    }
    }
}

/* "NAME": [ {...}, ... ] for the record table NAME: one object per line
 * with every field the table shows in JSON, in its order. */
static void json_records(json_writer *w, const char *name, const rep_run_info *info,
                         const sim_metrics *m)
{
    const rep_record_table *t = rep_record_table_find(name);
    g_assert(t != NULL);
    const GArray *rows = rep_record_rows(t, info, m);
    json_key(w, t->name);
    json_open(w, '[', FALSE);
    for (guint i = 0; i < rows->len; i++) {
        const void *row = rep_record_row(rows, i);
        json_item(w);
        json_open(w, '{', TRUE);
        for (size_t k = 0; k < t->fields_count; k++) {
            const rep_field *f = &t->fields[k];
            if (f->outputs & REP_OUT_JSON)
                json_field_value(w, f->name, info, rep_field_get(f, row));
        }
        json_close(w, '}');
    }
    json_close(w, ']');
}

static void json_accountability(json_writer *w, const rep_run_info *info)
{
    json_key(w, "accountability");
    json_open(w, '{', TRUE);
    json_field_string(w, "verdict", info->accountability);
    json_field_string(w, "detail", info->accountability_detail);
    json_close(w, '}');
}

static void json_counts(json_writer *w, const sim_metrics *m)
{
    json_key(w, "counts");
    json_open(w, '{', FALSE);
    json_field_u64(w, "blocks", m->blocks->len);
    json_field_u64(w, "commits", m->commits->len);
    json_field_u64(w, "txs", m->txs->len);
    json_close(w, '}');
}

char *rep_json_render(const rep_run_info *info, const sim_metrics *m)
{
    json_writer w;
    memset(&w, 0, sizeof w);
    w.out = g_string_sized_new(4096);
    json_open(&w, '{', FALSE);
    json_run_fields(&w, info);
    json_figures(&w, m);
    json_mesh(&w, m);
    json_records(&w, "expectations", info, m);
    json_accountability(&w, info);
    json_records(&w, "faults", info, m);
    json_records(&w, "slashings", info, m);
    json_records(&w, "validator_changes", info, m);
    json_records(&w, "alarms", info, m);
    json_counts(&w, m);
    json_close(&w, '}');
    g_assert(w.depth == 0);
    g_string_append_c(w.out, '\n');
    return g_string_free(w.out, FALSE);
}

gboolean rep_json_write(const char *path, const rep_run_info *info, const sim_metrics *m,
                        GError **error)
{
    g_autofree char *text = rep_json_render(info, m);
    /* g_file_set_contents writes a temporary sibling file, syncs
     * it where the file system needs that, and renames it over PATH. */
    return g_file_set_contents(path, text, -1, error);
}
