/* The timeline plot: one row per fault window, the view changes, the
 * mesh's partition suspicions (a bar per node) and churn joins and
 * leaves, and the validators' slashings, unjails and key rotations as
 * labelled points: a timeline of view changes, slashings, crashes and
 * partitions. Rows with nothing to show are left out,
 * except the view-change and validator rows, which say "none" by being
 * empty. */
#include <string.h>

#include "reports/plot_internal.h"

typedef struct timeline_data {
    plot_ctx *c;
    GString *bars;        /* x y dx dy for faults */
    GString *labels;      /* ytics */
    GString *views;       /* x y for view changes */
    GString *marks[3];    /* x "label" for slashings, unjails, key rotations */
    GString *suspicions;  /* x y dx dy: a node suspecting a partition (mesh) */
    guint suspicions_count;
    GString *churn[2];    /* x: churn joins, leaves (graceful or crash) */
    guint churn_count;
    guint row;
} timeline_data;

enum { MARK_SLASHING, MARK_UNJAIL, MARK_ROTATION, MARK_KINDS };

/* One point with its label on the validators row. */
static void timeline_mark(timeline_data *t, int kind, double at_s, const char *label)
{
    char *ql = plot_gp_quote(label);
    g_string_append_printf(t->marks[kind], "%.6f %s\n", at_s, ql);
    g_free(ql);
}

static void timeline_slashing(sqlite3_stmt *st, void *data)
{
    const char *validator = (const char *)sqlite3_column_text(st, 1);
    const char *reason = (const char *)sqlite3_column_text(st, 2);
    char *label = g_strdup_printf("%s slashed: %s (h %lld)", validator != NULL ? validator : "?",
                                  reason != NULL ? reason : "?",
                                  (long long)sqlite3_column_int64(st, 3));
    timeline_mark(data, MARK_SLASHING, sqlite3_column_double(st, 0) / PLOT_NS_PER_S, label);
    g_free(label);
}

static void timeline_change(sqlite3_stmt *st, void *data)
{
    const char *validator = (const char *)sqlite3_column_text(st, 1);
    const char *change = (const char *)sqlite3_column_text(st, 2);
    bool unjail = g_strcmp0(change, "unjail") == 0;
    char *label = g_strdup_printf("%s %s (from h %lld)", validator != NULL ? validator : "?",
                                  unjail ? "unjailed" : "new key",
                                  (long long)sqlite3_column_int64(st, 3));
    timeline_mark(data, unjail ? MARK_UNJAIL : MARK_ROTATION,
                  sqlite3_column_double(st, 0) / PLOT_NS_PER_S, label);
    g_free(label);
}

/* Slashings, unjails and key rotations, if the database has them (one
 * written before validator_changes existed has slashings only). */
static gboolean timeline_validators(plot_ctx *c, timeline_data *t, GError **error)
{
    if (!plot_select(c, "slashings", "at_ns, validator, reason, evidence_height",
                     "WHERE at_ns IS NOT NULL ORDER BY rowid", timeline_slashing, t, error))
        return FALSE;
    return !plot_table_exists(c, "validator_changes") ||
           plot_select(c, "validator_changes", "at_ns, validator, change, effective_height",
                       "WHERE change IN ('unjail', 'rotate-key') AND at_ns IS NOT NULL "
                       "ORDER BY rowid",
                       timeline_change, t, error);
}

static void timeline_fault(sqlite3_stmt *st, void *data)
{
    timeline_data *t = data;
    const char *name = (const char *)sqlite3_column_text(st, 0);
    const char *action = (const char *)sqlite3_column_text(st, 1);
    double at = sqlite3_column_double(st, 2) / PLOT_NS_PER_S;
    double until = plot_fault_is_instant(action)                  ? at + t->c->sim_s / 200.0
                   : sqlite3_column_type(st, 3) == SQLITE_NULL ? t->c->sim_s
                                                               : sqlite3_column_double(st, 3) / PLOT_NS_PER_S;
    t->row++;
    g_string_append_printf(t->bars, "%.6f %u %.6f 0\n", at, t->row, MAX(until - at, 0.0));
    char *label = g_strdup_printf("%s (%s)", name != NULL ? name : "?", action != NULL ? action : "?");
    char *ql = plot_gp_quote(label);
    g_string_append_printf(t->labels, "%s%s %u", t->labels->len > 0 ? ", " : "", ql, t->row);
    g_free(ql);
    g_free(label);
}

/* A node that suspected a partition, from then until it saw it heal
 * (or the end): one thin bar per node, all on one row, so the row shows
 * when and for how long the mesh noticed. */
static void timeline_suspicion(sqlite3_stmt *st, void *data)
{
    timeline_data *t = data;
    double at = sqlite3_column_double(st, 0) / PLOT_NS_PER_S;
    double until = sqlite3_column_type(st, 1) == SQLITE_NULL ? t->c->sim_s
                                                              : sqlite3_column_double(st, 1) / PLOT_NS_PER_S;
    g_string_append_printf(t->suspicions, "%.6f %u %.6f 0\n", at, t->row + 1, MAX(until - at, 0.0));
    t->suspicions_count++;
}

static gboolean timeline_suspicions(plot_ctx *c, timeline_data *t, GError **error)
{
    return !plot_table_exists(c, "partitions_detected") ||
           plot_select(c, "partitions_detected", "suspected_ns, healed_ns", "ORDER BY rowid",
                       timeline_suspicion, t, error);
}

static void timeline_churn_event(sqlite3_stmt *st, void *data)
{
    timeline_data *t = data;
    const char *kind = (const char *)sqlite3_column_text(st, 1);
    bool join = g_strcmp0(kind, "join") == 0;
    g_string_append_printf(t->churn[join ? 0 : 1], "%.6f\n", sqlite3_column_double(st, 0) / PLOT_NS_PER_S);
    t->churn_count++;
}

static gboolean timeline_churn(plot_ctx *c, timeline_data *t, GError **error)
{
    return !plot_table_exists(c, "churn") ||
           plot_select(c, "churn", "at_ns, kind", "ORDER BY rowid", timeline_churn_event, t, error);
}

static void timeline_view(sqlite3_stmt *st, void *data)
{
    timeline_data *t = data;
    double start = sqlite3_column_double(st, 1) / PLOT_NS_PER_S;
    bool done = sqlite3_column_type(st, 2) != SQLITE_NULL;
    double end = done ? sqlite3_column_double(st, 2) / PLOT_NS_PER_S : start;
    g_string_append_printf(t->views, "%.6f 0 %.6f 0 %d\n", start, end - start, done ? 1 : 0);
}

/* timeline.dat: index 0 fault bars, 1 view changes, 2..4 slashings,
 * unjails, key rotations, 5 partition suspicions, 6 churn joins, 7 churn
 * leaves (each block gets a row off the plot if empty: gnuplot refuses
 * an empty index). */
static gboolean timeline_write_data(plot_ctx *c, const timeline_data *t, GError **error)
{
    static const char *const mark_headers[MARK_KINDS] = {
        "# at_s \"slashing\"\n", "# at_s \"unjail\"\n", "# at_s \"key rotation\"\n"};
    GString *dat = g_string_new(NULL);
    g_string_append_printf(dat, "%s%s\n\n%s", t->bars->str, t->row == 0 ? "-1 -1 0 0\n" : "",
                           t->views->str);
    if (t->views->len == strlen("# start_s 0 duration_s 0 completed\n"))
        g_string_append(dat, "-1 0 0 0 0\n");
    for (int k = 0; k < MARK_KINDS; k++)
        g_string_append_printf(dat, "\n\n%s%s", mark_headers[k],
                               t->marks[k]->len > 0 ? t->marks[k]->str : "-1 \"\"\n");
    g_string_append_printf(dat, "\n\n# suspected_s row length_s 0 (one per node)\n%s",
                           t->suspicions_count > 0 ? t->suspicions->str : "-1 -1 0 0\n");
    g_string_append_printf(dat, "\n\n# joined_s\n%s\n\n# left_s\n%s",
                           t->churn[0]->len > 0 ? t->churn[0]->str : "-1\n",
                           t->churn[1]->len > 0 ? t->churn[1]->str : "-1\n");
    gboolean ok = plot_write_file(c, "timeline.dat", dat, error);
    g_string_free(dat, TRUE);
    return ok;
}

/* Validators' row (above the faults): slashings, unjails and key
 * rotations as points, each labelled with who and what. */
static void timeline_script_marks(GString *gp, guint row)
{
    static const struct {
        int pt;
        const char *color;
        const char *title;
    } style[MARK_KINDS] = {
        {9, "#d62728", "slashing"},
        {7, "#1b9e77", "unjail"},
        {5, "#386cb0", "key rotation"},
    };
    for (int k = 0; k < MARK_KINDS; k++) {
        g_string_append_printf(gp,
                               ", \\\n     \"timeline.dat\" index %d using 1:(%u) "
                               "with points pt %d ps 1.6 lc rgb \"%s\" title \"%s\"",
                               2 + k, row, style[k].pt, style[k].color, style[k].title);
        g_string_append_printf(gp,
                               ", \\\n     \"timeline.dat\" index %d using 1:(%u):2 "
                               "with labels rotate by 35 left offset 0.6,0.4 font \",8\" "
                               "tc rgb \"%s\" notitle",
                               2 + k, row, style[k].color);
    }
    g_string_append_c(gp, '\n');
}

gboolean plot_timeline(plot_ctx *c, GError **error)
{
    timeline_data t = {c, g_string_new("# start_s row length_s 0\n"), g_string_new(NULL),
                       g_string_new("# start_s 0 duration_s 0 completed\n"),
                       {g_string_new(NULL), g_string_new(NULL), g_string_new(NULL)},
                       g_string_new(NULL), 0, {g_string_new(NULL), g_string_new(NULL)}, 0, 0};
    gboolean ok = plot_select(c, "faults", "name, action, at_ns, until_ns", "ORDER BY rowid",
                              timeline_fault, &t, error) &&
                  timeline_suspicions(c, &t, error) && timeline_churn(c, &t, error) &&
                  plot_select(c, "view_changes", "view, started_ns, ended_ns", "ORDER BY rowid",
                              timeline_view, &t, error) &&
                  timeline_validators(c, &t, error) && timeline_write_data(c, &t, error);
    if (ok) {
        guint suspicions_row = t.row + 1; /* used only if there are any */
        guint churn_row = suspicions_row + (t.suspicions_count > 0);
        guint validators_row = churn_row + (t.churn_count > 0);
        char *suspicions_tic =
            t.suspicions_count > 0
                ? g_strdup_printf(", \"partition suspected\\n(%u node%s)\" %u", t.suspicions_count,
                                  t.suspicions_count == 1 ? "" : "s", suspicions_row)
                : g_strdup("");
        char *churn_tic = t.churn_count > 0
                              ? g_strdup_printf(", \"churn: joins, leaves\" %u", churn_row)
                              : g_strdup("");
        GString *gp = g_string_new(NULL);
        plot_gp_begin(gp, c, "timeline",
                 "faults, churn, partition suspicions, view changes and validators");
        g_string_append_printf(gp,
                               "set xlabel \"simulated time (s)\"\n"
                               "set xrange [0:%.3f]\nset yrange [-0.7:%u.6]\n"
                               "set ytics (\"view changes\" 0%s%s%s%s, \"validators\" %u)\n"
                               "set key above horizontal box font \",9\" maxcols 3\n"
                               "plot \"timeline.dat\" index 0 using 1:2:3:4 with vectors nohead "
                               "lw 12 lc rgb \"#984ea3\" title \"fault window\", \\\n"
                               "     \"timeline.dat\" index 1 using 1:2:3:4 with vectors nohead "
                               "lw 12 lc rgb \"#e6ab02\" title \"view change\", \\\n"
                               "     \"timeline.dat\" index 1 using 1:2 with points pt 7 ps 0.8 "
                               "lc rgb \"#a6761d\" notitle",
                               c->sim_s, validators_row + 1, t.labels->len > 0 ? ", " : "",
                               t.labels->str, suspicions_tic, churn_tic, validators_row);
        g_free(suspicions_tic);
        g_free(churn_tic);
        if (t.suspicions_count > 0)
            g_string_append(gp, ", \\\n     \"timeline.dat\" index 5 using 1:2:3:4 with vectors "
                                "nohead lw 6 lc rgb \"#80b1d3\" title \"partition suspected\"");
        if (t.churn_count > 0)
            g_string_append_printf(gp,
                                   ", \\\n     \"timeline.dat\" index 6 using 1:(%u) with points "
                                   "pt 9 ps 1.1 lc rgb \"#1b9e77\" title \"node joined\", \\\n"
                                   "     \"timeline.dat\" index 7 using 1:(%u) with points "
                                   "pt 11 ps 1.1 lc rgb \"#666666\" title \"node left\"",
                                   churn_row, churn_row);
        timeline_script_marks(gp, validators_row);
        plot_gp_finish(gp, "timeline");
        ok = plot_write_file(c, "timeline.gp", gp, error);
        g_string_free(gp, TRUE);
        c->result->plots++;
    }
    g_string_free(t.bars, TRUE);
    g_string_free(t.labels, TRUE);
    g_string_free(t.views, TRUE);
    g_string_free(t.suspicions, TRUE);
    g_string_free(t.churn[0], TRUE);
    g_string_free(t.churn[1], TRUE);
    for (int k = 0; k < MARK_KINDS; k++)
        g_string_free(t.marks[k], TRUE);
    return ok;
}

