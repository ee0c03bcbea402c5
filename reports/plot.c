/* Plots of a run from its results database (see plot.h).
 *
 * Each plot is three steps: query the database into a data file, write a
 * gnuplot script that draws it twice (PNG, then SVG), run gnuplot in the
 * plots directory. Scripts use only gnuplot 5 features present in the
 * Debian package (pngcairo and svg terminals) and refer to their data by
 * file name, so the plots directory can be moved and redrawn by hand.
 * This file drives gnuplot and draws throughput and the CDFs; the
 * timeline is in plot_timeline.c, the fee market in plot_fees.c, the
 * Nakamoto coefficient in plot_nakamoto.c, the bonded ratio and
 * inflation in plot_staking.c, the agent market in plot_jobs.c, its
 * disputes in plot_disputes.c. */
#include "reports/plot.h"
#include "reports/plot_internal.h"
#include "reports/record_fields.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#define PLOT_SMOOTH_S 5 /* seconds in the throughput moving average (odd) */

G_DEFINE_QUARK(rep-plot-error-quark, rep_plot_error)


static gboolean db_error(plot_ctx *c, const char *what, GError **error)
{
    g_set_error(error, REP_PLOT_ERROR, REP_PLOT_ERROR_DB, "%s: %s", what, sqlite3_errmsg(c->db));
    return FALSE;
}

gboolean plot_query(plot_ctx *c, const char *sql, row_fn fn, void *data, GError **error)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_error(c, "query", error);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        fn(st, data);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_error(c, "query", error);
    return TRUE;
}

gboolean plot_select(plot_ctx *c, const char *table, const char *columns, const char *rest,
                     row_fn fn, void *data, GError **error)
{
    const rep_record_table *t = rep_record_table_find(table);
    g_assert(t != NULL);
    g_auto(GStrv) names = g_strsplit(columns, ", ", -1);
    for (guint i = 0; names[i] != NULL; i++) {
        const rep_field *f = rep_record_field_find(t, names[i]);
        g_assert(f != NULL && (f->outputs & REP_OUT_DB));
    }
    g_autofree char *sql = g_strdup_printf("SELECT %s FROM %s %s", columns, table, rest);
    return plot_query(c, sql, fn, data, error);
}

gboolean plot_write_file(plot_ctx *c, const char *name, const GString *text, GError **error)
{
    char *path = g_build_filename(c->dir, name, NULL);
    gboolean ok = g_file_set_contents(path, text->str, (gssize)text->len, error);
    g_free(path);
    return ok;
}

/* Gnuplot string literal: double quotes, backslash-escaped. */
char *plot_gp_quote(const char *s)
{
    GString *q = g_string_new("\"");
    for (const char *p = s; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\')
            g_string_append_c(q, '\\');
        if ((unsigned char)*p >= 0x20)
            g_string_append_c(q, *p);
    }
    g_string_append_c(q, '"');
    return g_string_free(q, FALSE);
}

/* Header shared by every script: PNG first; the caller appends the plot
 * command, then plot_gp_finish adds the SVG pass. */
void plot_gp_begin(GString *gp, plot_ctx *c, const char *name, const char *what)
{
    char *title = g_strdup_printf("%s: %s", c->title, what);
    char *qt = plot_gp_quote(title);
    g_string_append_printf(gp,
                           "# %s.gp: written by aitbc-sim from results.sqlite; "
                           "run `gnuplot %s.gp` here to redraw.\n"
                           "set terminal pngcairo size " PLOT_SIZE " noenhanced font \"sans,11\"\n"
                           "set output \"%s.png\"\n"
                           "set title %s\n"
                           "set grid lc rgb \"#dddddd\"\n"
                           "set key top right box opaque\n",
                           name, name, name, qt);
    g_free(qt);
    g_free(title);
}

void plot_gp_finish(GString *gp, const char *name)
{
    g_string_append_printf(gp,
                           "set terminal svg size " PLOT_SIZE
                           " noenhanced font \"sans,11\" background rgb \"white\"\n"
                           "set output \"%s.svg\"\nreplot\nunset output\n",
                           name);
}

/* ---- the plots ---- */

typedef struct series {
    GArray *values;       /* double */
} series;

static gint cmp_double_asc(gconstpointer a, gconstpointer b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void row_double(sqlite3_stmt *st, void *data)
{
    double v = sqlite3_column_double(st, 0);
    g_array_append_val(((series *)data)->values, v);
}

/* Faults that happen at one instant rather than over a window. */
bool plot_fault_is_instant(const char *action)
{
    return g_strcmp0(action, "rotate-key") == 0;
}

static void fault_row(sqlite3_stmt *st, void *data)
{
    plot_ctx *c = data;
    const char *name = (const char *)sqlite3_column_text(st, 0);
    const char *action = (const char *)sqlite3_column_text(st, 1);
    double at = sqlite3_column_double(st, 2) / PLOT_NS_PER_S;
    bool open = sqlite3_column_type(st, 3) == SQLITE_NULL;
    double until = plot_fault_is_instant(action) ? at
                   : open                   ? c->sim_s
                                            : sqlite3_column_double(st, 3) / PLOT_NS_PER_S;
    if (until <= at)
        until = at + c->sim_s / 200.0; /* an instant: a thin visible band */
    const char *color = g_strcmp0(action, "crash") == 0       ? "#e41a1c"
                        : g_strcmp0(action, "partition") == 0 ? "#377eb8"
                        : g_strcmp0(action, "degrade") == 0   ? "#ff7f00"
                        : g_strcmp0(action, "byzantine") == 0 ? "#984ea3"
                                                              : "#999999";
    char *label = g_strdup_printf("%s (%s)", name != NULL ? name : "?",
                                  action != NULL ? action : "?");
    char *ql = plot_gp_quote(label);
    g_string_append_printf(c->fault_objects,
                           "set object rect from %.6f, graph 0 to %.6f, graph 1 "
                           "fc rgb \"%s\" fs transparent solid 0.15 noborder behind\n"
                           "set label %s at %.6f, graph 0.97 left front font \",9\" "
                           "tc rgb \"%s\" offset 0.3,0\n",
                           at, until, color, ql, at, color);
    g_free(ql);
    g_free(label);
}

/* Median gap between consecutive final blocks, in whole seconds (>= 1). */
static guint block_interval_s(plot_ctx *c)
{
    series s = {g_array_new(FALSE, FALSE, sizeof(double))};
    GError *ignored = NULL;
    plot_select(c, "blocks", "proposed_ns",
                "WHERE first_commit_ns IS NOT NULL AND proposed_ns IS NOT NULL ORDER BY height",
                row_double, &s, &ignored);
    g_clear_error(&ignored);
    GArray *gaps = g_array_new(FALSE, FALSE, sizeof(double));
    for (guint i = 1; i < s.values->len; i++) {
        double gap = (g_array_index(s.values, double, i) - g_array_index(s.values, double, i - 1)) /
                     PLOT_NS_PER_S;
        if (gap > 0)
            g_array_append_val(gaps, gap);
    }
    guint out = 1;
    if (gaps->len > 0) {
        g_array_sort(gaps, cmp_double_asc);
        double median = g_array_index(gaps, double, gaps->len / 2);
        out = median < 1.5 ? 1 : (guint)(median + 0.5);
    }
    g_array_unref(gaps);
    g_array_unref(s.values);
    return MIN(out, 60u);
}

static gboolean plot_throughput(plot_ctx *c, GError **error)
{
    series s = {g_array_new(FALSE, FALSE, sizeof(double))};
    gboolean ok = plot_select(c, "txs", "final_ns", "WHERE final_ns IS NOT NULL", row_double, &s,
                              error);
    if (!ok) {
        g_array_unref(s.values);
        return FALSE;
    }
    guint seconds = (guint)ceil(c->sim_s) + 1;
    guint *count = g_new0(guint, seconds);
    for (guint i = 0; i < s.values->len; i++) {
        double t = g_array_index(s.values, double, i) / PLOT_NS_PER_S;
        guint b = t < 0 ? 0 : (guint)t;
        if (b < seconds)
            count[b]++;
    }
    /* Blocks come every few seconds, so per-second counts are a comb: a
     * centred moving average over a whole number of block intervals (at
     * least PLOT_SMOOTH_S seconds) is drawn too, so it does not ripple. */
    guint interval_s = block_interval_s(c);
    guint window = interval_s * ((PLOT_SMOOTH_S + interval_s - 1) / interval_s);
    c->smooth_s = window;
    /* The light series is the rate over each block interval (per second
     * when blocks come every second): per-second counts of 2 s blocks
     * alternate between twice the rate and nothing, which over a long run
     * fills the plot with a solid comb. */
    GString *dat = g_string_new("# second  transactions finalized in [second, second+1)  "
                                "moving average (tx/s)  rate over its block interval (tx/s)\n");
    for (guint i = 0; i + 1 < seconds; i++) {
        guint lo = i >= window / 2 ? i - window / 2 : 0;
        guint hi = MIN(lo + window - 1, seconds - 2);
        double sum = 0;
        for (guint k = lo; k <= hi; k++)
            sum += count[k];
        guint bin_lo = i - i % interval_s, bin_hi = MIN(bin_lo + interval_s - 1, seconds - 2);
        double bin = 0;
        for (guint k = bin_lo; k <= bin_hi; k++)
            bin += count[k];
        g_string_append_printf(dat, "%u %u %.3f %.3f\n", i, count[i], sum / (hi - lo + 1),
                               bin / (bin_hi - bin_lo + 1));
    }
    g_free(count);
    g_array_unref(s.values);
    ok = plot_write_file(c, "throughput.dat", dat, error);
    g_string_free(dat, TRUE);
    if (!ok)
        return FALSE;
    GString *gp = g_string_new(NULL);
    plot_gp_begin(gp, c, "throughput", "finalized transactions per second");
    char *raw_title = interval_s == 1
                          ? g_strdup("per second")
                          : g_strdup_printf("per %u s block interval", interval_s);
    g_string_append_printf(gp,
                           "set xlabel \"simulated time (s)\"\n"
                           "set ylabel \"transactions finalized per second (tx/s)\"\n"
                           "set xrange [0:%.3f]\nset yrange [0:*]\n%s"
                           "plot \"throughput.dat\" using 1:4 with steps lw 1 lc rgb \"#a6dba0\" "
                           "title \"%s\", \\\n"
                           "     \"throughput.dat\" using ($1+0.5):3 with lines lw 3 "
                           "lc rgb \"#1b7837\" title \"%d s moving average\"\n",
                           c->sim_s, c->fault_objects->str, raw_title, (int)c->smooth_s);
    g_free(raw_title);
    plot_gp_finish(gp, "throughput");
    ok = plot_write_file(c, "throughput.gp", gp, error);
    g_string_free(gp, TRUE);
    c->result->plots++;
    return ok;
}

/* Write one series' data file (at most ~2000 points: every k-th sample,
 * plus the last); *n gets the number of samples. */
static gboolean cdf_write_series(plot_ctx *c, const cdf_series *cs, guint *n, GError **error)
{
    series s = {g_array_new(FALSE, FALSE, sizeof(double))};
    if (cs->sql != NULL && !plot_query(c, cs->sql, row_double, &s, error)) {
        g_array_unref(s.values);
        return FALSE;
    }
    GString *dat = g_string_new("# seconds  fraction of samples <= seconds\n");
    *n = s.values->len;
    guint step = *n > 2000 ? *n / 2000 : 1;
    for (guint i = 0; i < *n; i++) {
        if (i % step == 0 || i + 1 == *n)
            g_string_append_printf(dat, "%.6f %.6f\n", g_array_index(s.values, double, i),
                                   (double)(i + 1) / *n);
    }
    g_array_unref(s.values);
    gboolean ok = plot_write_file(c, cs->dat, dat, error);
    g_string_free(dat, TRUE);
    return ok;
}

/* A CDF plot of one or more curves (plot_internal.h). */
gboolean plot_cdf_series(plot_ctx *c, const char *name, const char *what,
                                const char *xlabel, const cdf_series *curves, guint count,
                                GError **error)
{
    GString *plot = g_string_new(NULL);
    gboolean ok = TRUE;
    for (guint i = 0; ok && i < count; i++) {
        guint n = 0;
        ok = cdf_write_series(c, &curves[i], &n, error);
        if (ok && n > 0) {
            char *title = curves[i].title != NULL
                              ? g_strdup_printf("%s (%u %s)", curves[i].title, n, curves[i].unit)
                              : g_strdup_printf("%u %s", n, curves[i].unit);
            char *qt = plot_gp_quote(title);
            g_string_append_printf(plot, "%s\"%s\" using 1:2 with steps lw 2 lc rgb \"%s\" "
                                   "title %s",
                                   plot->len == 0 ? "plot " : ", \\\n     ", curves[i].dat,
                                   curves[i].color, qt);
            g_free(qt);
            g_free(title);
        }
    }
    if (ok) {
        GString *gp = g_string_new(NULL);
        plot_gp_begin(gp, c, name, what);
        g_string_append_printf(gp,
                               "set xlabel \"%s\"\nset ylabel \"fraction (CDF)\"\n"
                               "set yrange [0:1.02]\nset key bottom right box opaque\n",
                               xlabel);
        if (plot->len == 0)
            g_string_append(gp, "set label \"no samples in this run\" at graph 0.5, graph 0.5 "
                                "center\nset xrange [0:1]\nplot NaN notitle\n");
        else
            g_string_append_printf(gp, "%s\n", plot->str);
        plot_gp_finish(gp, name);
        char *gp_name = g_strdup_printf("%s.gp", name);
        ok = plot_write_file(c, gp_name, gp, error);
        g_free(gp_name);
        g_string_free(gp, TRUE);
        c->result->plots++;
    }
    g_string_free(plot, TRUE);
    return ok;
}

/* A CDF plot of one column of seconds. */
static gboolean plot_cdf(plot_ctx *c, const char *name, const char *sql, const char *what,
                         const char *xlabel, GError **error)
{
    char *dat = g_strdup_printf("%s.dat", name);
    cdf_series one = {dat, sql, NULL, "samples", "#d95f02"};
    gboolean ok = plot_cdf_series(c, name, what, xlabel, &one, 1, error);
    g_free(dat);
    return ok;
}

bool plot_table_exists(plot_ctx *c, const char *table)
{
    sqlite3_stmt *st = NULL;
    bool found = sqlite3_prepare_v2(c->db, "SELECT 1 FROM sqlite_master WHERE type = 'table' "
                                           "AND name = ?", -1, &st, NULL) == SQLITE_OK &&
                 sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC) == SQLITE_OK &&
                 sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

/* Block propagation: every node's first holding of every block, and per
 * block the time until 99% of the nodes live at its proposal held it
 * (block_propagation_p99_s is that curve's median). */
static gboolean plot_propagation(plot_ctx *c, GError **error)
{
    const cdf_series curves[] = {
        {"propagation.dat", "SELECT delay_ns / 1e9 FROM receipts ORDER BY 1",
         "each node's first holding of each block", "holdings", "#d95f02"},
        {"propagation-blocks.dat",
         plot_table_exists(c, "propagation")
             ? "SELECT reached_p99_ns / 1e9 FROM propagation WHERE reached_p99_ns IS NOT NULL "
               "ORDER BY 1"
             : NULL,
         "per block: 99% of the nodes live at its proposal", "blocks", "#1b9e77"},
    };
    return plot_cdf_series(c, "propagation",
                           "block propagation (time from a block's proposal)",
                           "block propagation delay (s)", curves, G_N_ELEMENTS(curves), error);
}

/* ---- driving gnuplot ---- */

static void run_gnuplot(plot_ctx *c, const char *const *scripts)
{
    rep_plot_gnuplot(c->dir, scripts, c->result);
}

void rep_plot_gnuplot(const char *dir, const char *const *scripts, rep_plot_result *result)
{
    for (const char *const *s = scripts; *s != NULL; s++) {
        char *argv[] = {(char *)"gnuplot", (char *)*s, NULL};
        char *err_text = NULL;
        gint status = 0;
        GError *error = NULL;
        if (!g_spawn_sync(dir, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                          NULL, NULL, NULL, &err_text, &status, &error)) {
            result->gnuplot_missing = error->code == G_SPAWN_ERROR_NOENT;
            result->gnuplot_failed = !result->gnuplot_missing;
            g_free(result->detail);
            result->detail = g_strdup_printf("cannot run gnuplot: %s", error->message);
            g_error_free(error);
            g_free(err_text);
            return;
        }
        if (!g_spawn_check_wait_status(status, NULL) && !result->gnuplot_failed) {
            result->gnuplot_failed = true;
            g_free(result->detail);
            result->detail = g_strdup_printf("gnuplot failed on %s: %s", *s,
                                             err_text != NULL ? g_strstrip(err_text) : "");
        }
        g_free(err_text);
    }
}

static void title_row(sqlite3_stmt *st, void *data)
{
    plot_ctx *c = data;
    const char *scenario = (const char *)sqlite3_column_text(st, 0);
    const char *seed = (const char *)sqlite3_column_text(st, 1);
    c->title = g_strdup_printf("%s (seed %s)", scenario != NULL ? scenario : "?",
                               seed != NULL ? seed : "?");
    c->sim_s = sqlite3_column_double(st, 2);
}

gboolean rep_plot_run(const char *db_path, const char *out_dir, rep_plot_result *result,
                      GError **error)
{
    memset(result, 0, sizeof *result);
    plot_ctx c = {.result = result};
    if (sqlite3_open_v2(db_path, &c.db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        g_set_error(error, REP_PLOT_ERROR, REP_PLOT_ERROR_DB, "%s: cannot open: %s", db_path,
                    c.db != NULL ? sqlite3_errmsg(c.db) : "out of memory");
        sqlite3_close(c.db);
        return FALSE;
    }
    c.dir = g_build_filename(out_dir, "plots", NULL);
    c.fault_objects = g_string_new(NULL);
    gboolean ok = TRUE;
    bool fees = false; /* a fees plot was drawn (the run has fee records) */
    bool nakamoto = false; /* a nakamoto plot was drawn (concentration records) */
    bool staking = false;  /* a staking plot was drawn (staking records) */
    bool jobs = false;     /* the jobs and job_latency plots were drawn (agents) */
    bool disputes = false; /* the disputes plot was drawn (dispute records) */
    if (g_mkdir_with_parents(c.dir, 0755) != 0) {
        g_set_error(error, REP_PLOT_ERROR, REP_PLOT_ERROR_IO, "%s: %s", c.dir, g_strerror(errno));
        ok = FALSE;
    }
    ok = ok && plot_query(&c, "SELECT scenario, seed, sim_s FROM runs ORDER BY id LIMIT 1", title_row,
                     &c, error);
    if (ok && c.title == NULL) {
        g_set_error(error, REP_PLOT_ERROR, REP_PLOT_ERROR_DB, "%s: no run recorded", db_path);
        ok = FALSE;
    }
    if (ok && !(c.sim_s > 0))
        c.sim_s = 1;
    ok = ok &&
         plot_select(&c, "faults", "name, action, at_ns, until_ns", "ORDER BY rowid", fault_row,
                     &c, error) &&
         plot_throughput(&c, error) &&
         plot_cdf(&c, "finality",
                  "SELECT (final_ns - submitted_ns) / 1e9 FROM txs WHERE final_ns IS NOT NULL "
                  "ORDER BY 1",
                  "transaction finality (submission to final at the node it was sent to)",
                  "finality (s)", error) &&
         plot_cdf(&c, "commit",
                  "SELECT (c.committed_ns - b.proposed_ns) / 1e9 FROM commits c JOIN blocks b "
                  "ON b.run_id = c.run_id AND b.height = c.height "
                  "WHERE b.first_commit_ns IS NOT NULL AND b.proposed_ns IS NOT NULL ORDER BY 1",
                  "commit latency (block proposal to final, every node)", "commit latency (s)",
                  error) &&
         plot_propagation(&c, error) &&
         plot_timeline(&c, error) && plot_fees(&c, &fees, error) &&
         plot_nakamoto(&c, &nakamoto, error) && plot_staking(&c, &staking, error) &&
         plot_jobs(&c, &jobs, error) && plot_disputes(&c, &disputes, error);
    if (ok) {
        const char *scripts[12] = {"throughput.gp", "finality.gp", "commit.gp",
                                  "propagation.gp", "timeline.gp"};
        size_t n = 5;
        if (fees)
            scripts[n++] = "fees.gp";
        if (nakamoto)
            scripts[n++] = "nakamoto.gp";
        if (staking)
            scripts[n++] = "staking.gp";
        if (jobs) {
            scripts[n++] = "jobs.gp";
            scripts[n++] = "job_latency.gp";
        }
        if (disputes)
            scripts[n++] = "disputes.gp";
        scripts[n] = NULL;
        run_gnuplot(&c, (const char *const *)scripts);
    }
    g_string_free(c.fault_objects, TRUE);
    g_free(c.title);
    g_free(c.dir);
    sqlite3_close(c.db);
    return ok;
}

void rep_plot_result_clear(rep_plot_result *r)
{
    g_free(r->detail);
    r->detail = NULL;
}
