/* Sweep database, summary and plots (see sweep.h).
 *
 * collect and merge both fill sweep_meta, sweep_runs and sweep_metrics of
 * a fresh out_dir/sweep.sqlite in one transaction, then sweep_finish
 * derives sweep_summary (min, median, max over seeds per parameter
 * combination, nearest-rank median) and draws the plots from it. Figures
 * that measure the host (wall time and its ratios) are kept per run but
 * left out of the summary: a sweep's summary is a function of its inputs. */
#include "reports/sweep.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/plot.h"

G_DEFINE_QUARK(rep-sweep-error-quark, rep_sweep_error)

static const char sweep_schema[] =
    "CREATE TABLE sweep_meta (key TEXT PRIMARY KEY, value TEXT);\n"
    "CREATE TABLE sweep_runs (idx INTEGER PRIMARY KEY, params TEXT, seed TEXT,\n"
    "  exit_code INTEGER, verdict TEXT, dir TEXT);\n"
    "CREATE TABLE sweep_metrics (idx INTEGER NOT NULL, name TEXT, value REAL);\n"
    "CREATE TABLE sweep_summary (params TEXT, name TEXT, runs INTEGER, min REAL,\n"
    "  median REAL, max REAL);\n";

/* Host-dependent figures: per run only. */
static bool is_wall_figure(const char *name)
{
    return g_str_equal(name, "wall_s") || g_str_equal(name, "sim_real_ratio") ||
           g_str_equal(name, "events_per_s") || g_str_has_prefix(name, "crypto.sign_ns") ||
           g_str_has_prefix(name, "crypto.verify_ns") || g_str_equal(name, "crypto_floor_s") ||
           g_str_equal(name, "crypto_floor_ratio");
}

static gboolean sql_fail(sqlite3 *db, const char *what, GError **error)
{
    g_set_error(error, REP_SWEEP_ERROR, 0, "sweep database: %s: %s", what,
                db != NULL ? sqlite3_errmsg(db) : "cannot open");
    return FALSE;
}

static gboolean exec(sqlite3 *db, const char *sql, GError **error)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        g_set_error(error, REP_SWEEP_ERROR, 0, "sweep database: %s", msg != NULL ? msg : "?");
        sqlite3_free(msg);
        return FALSE;
    }
    return TRUE;
}

static sqlite3 *create_db(const char *out_dir, GError **error)
{
    if (g_mkdir_with_parents(out_dir, 0755) != 0) {
        g_set_error(error, REP_SWEEP_ERROR, 0, "%s: %s", out_dir, g_strerror(errno));
        return NULL;
    }
    char *path = g_build_filename(out_dir, "sweep.sqlite", NULL);
    g_remove(path);
    sqlite3 *db = NULL;
    if (sqlite3_open(path, &db) != SQLITE_OK) {
        sql_fail(db, path, error);
        sqlite3_close(db);
        db = NULL;
    } else if (!exec(db, sweep_schema, error)) {
        sqlite3_close(db);
        db = NULL;
    }
    g_free(path);
    return db;
}

/* ---- summary ---- */

typedef struct summary_acc {
    char *params;
    char *name;
    GArray *values; /* double */
} summary_acc;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static gboolean flush_acc(sqlite3_stmt *ins, summary_acc *acc)
{
    if (acc->params == NULL || acc->values->len == 0)
        return TRUE;
    double *v = (double *)(void *)acc->values->data;
    guint n = acc->values->len;
    qsort(v, n, sizeof *v, cmp_double);
    sqlite3_reset(ins);
    sqlite3_bind_text(ins, 1, acc->params, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins, 2, acc->name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(ins, 3, n);
    sqlite3_bind_double(ins, 4, v[0]);
    sqlite3_bind_double(ins, 5, v[(n - 1) / 2]); /* nearest-rank median */
    sqlite3_bind_double(ins, 6, v[n - 1]);
    return sqlite3_step(ins) == SQLITE_DONE;
}

static gboolean write_summary(sqlite3 *db, GError **error)
{
    sqlite3_stmt *sel = NULL, *ins = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT r.params, m.name, m.value FROM sweep_metrics m JOIN sweep_runs r "
                           "ON r.idx = m.idx WHERE m.value IS NOT NULL "
                           "ORDER BY r.params, m.name, m.value",
                           -1, &sel, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO sweep_summary VALUES (?, ?, ?, ?, ?, ?)", -1, &ins,
                           NULL) != SQLITE_OK) {
        sqlite3_finalize(sel);
        return sql_fail(db, "summary", error);
    }
    summary_acc acc = {NULL, NULL, g_array_new(FALSE, FALSE, sizeof(double))};
    gboolean ok = TRUE;
    while (ok && sqlite3_step(sel) == SQLITE_ROW) {
        const char *params = (const char *)sqlite3_column_text(sel, 0);
        const char *name = (const char *)sqlite3_column_text(sel, 1);
        double value = sqlite3_column_double(sel, 2);
        if (params == NULL || name == NULL || is_wall_figure(name) || !isfinite(value))
            continue;
        if (acc.params == NULL || strcmp(acc.params, params) != 0 || strcmp(acc.name, name) != 0) {
            ok = flush_acc(ins, &acc);
            g_free(acc.params);
            g_free(acc.name);
            acc.params = g_strdup(params);
            acc.name = g_strdup(name);
            g_array_set_size(acc.values, 0);
        }
        g_array_append_val(acc.values, value);
    }
    ok = ok && flush_acc(ins, &acc);
    g_free(acc.params);
    g_free(acc.name);
    g_array_unref(acc.values);
    sqlite3_finalize(sel);
    sqlite3_finalize(ins);
    return ok ? TRUE : sql_fail(db, "summary", error);
}

/* ---- plots ---- */

/* Each plotted only when the runs have it (the dispute figures need a
 * [disputes] section). */
static const char *const sweep_metrics_plotted[] = {
    "throughput_tps", "finality_p99_s", "blocks_final", "view_changes",
    "block_propagation_p99_s", "dispute_rate", "disputes_wrong_ruling_share", NULL};
static const char *const sweep_metric_labels[] = {
    "finalized throughput (tx/s)", "finality p99 (s)", "blocks final", "view changes",
    "block propagation p99 (s)", "disputes opened / jobs posted",
    "final rulings that were wrong (share of resolved disputes)", NULL};

/* Value of `key` in "k=v;k=v", and everything else (the series label). */
static char *param_value(const char *params, const char *key, char **rest)
{
    char **parts = g_strsplit(params, ";", -1);
    char *value = NULL;
    GString *others = g_string_new(NULL);
    size_t klen = strlen(key);
    for (char **p = parts; *p != NULL; p++) {
        if (strncmp(*p, key, klen) == 0 && (*p)[klen] == '=')
            value = g_strdup(*p + klen + 1);
        else if (**p != '\0')
            g_string_append_printf(others, "%s%s", others->len > 0 ? ", " : "", *p);
    }
    g_strfreev(parts);
    *rest = g_string_free(others, FALSE);
    return value != NULL ? value : g_strdup("");
}

typedef struct sweep_point {
    char *x;
    char *series;
    double median, min, max;
    int64_t first_idx;  /* lowest run index with these params */
    int64_t x_rank;     /* lowest first_idx of any point with this x */
    int64_t series_rank; /* ... with this series */
} sweep_point;

static void point_free(gpointer p)
{
    sweep_point *s = p;
    g_free(s->x);
    g_free(s->series);
    g_free(s);
}

static bool all_numeric(GPtrArray *points)
{
    for (guint i = 0; i < points->len; i++) {
        const sweep_point *p = points->pdata[i];
        char *end = NULL;
        g_ascii_strtod(p->x, &end);
        if (end == p->x || *end != '\0')
            return false;
    }
    return true;
}

static gint point_cmp_numeric(gconstpointer a, gconstpointer b)
{
    const sweep_point *x = *(sweep_point *const *)a, *y = *(sweep_point *const *)b;
    int c = strcmp(x->series, y->series);
    if (c != 0)
        return c;
    double u = g_ascii_strtod(x->x, NULL), v = g_ascii_strtod(y->x, NULL);
    return (u > v) - (u < v);
}

/* Categorical x ("constant 10ms", "2s"): in the order the values were
 * given on the command line, which is the order of their first runs (run
 * indexes enumerate the --vary values in order), never text order, which
 * would draw 10ms, 200ms, 50ms. Series likewise. */
static gint point_cmp_given(gconstpointer a, gconstpointer b)
{
    const sweep_point *x = *(sweep_point *const *)a, *y = *(sweep_point *const *)b;
    if (x->series_rank != y->series_rank)
        return x->series_rank < y->series_rank ? -1 : 1;
    return (x->x_rank > y->x_rank) - (x->x_rank < y->x_rank);
}

/* Fill x_rank and series_rank from first_idx. */
static void rank_points(GPtrArray *points)
{
    GHashTable *by_x = g_hash_table_new(g_str_hash, g_str_equal);
    GHashTable *by_series = g_hash_table_new(g_str_hash, g_str_equal);
    for (int pass = 0; pass < 2; pass++) {
        for (guint i = 0; i < points->len; i++) {
            sweep_point *p = points->pdata[i];
            GHashTable *tables[2] = {by_x, by_series};
            const char *keys[2] = {p->x, p->series};
            int64_t *ranks[2] = {&p->x_rank, &p->series_rank};
            for (int k = 0; k < 2; k++) {
                int64_t *best = g_hash_table_lookup(tables[k], keys[k]);
                if (pass == 0 && (best == NULL || p->first_idx < *best))
                    g_hash_table_insert(tables[k], (gpointer)keys[k], &p->first_idx);
                else if (pass == 1)
                    *ranks[k] = *best;
            }
        }
    }
    g_hash_table_unref(by_x);
    g_hash_table_unref(by_series);
}

static gboolean plot_metric(sqlite3 *db, const char *plots_dir, const char *vary0,
                            const char *metric, const char *label, const char *scenario,
                            GPtrArray *scripts, GError **error)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT s.params, s.median, s.min, s.max, "
                           "(SELECT MIN(r.idx) FROM sweep_runs r WHERE r.params = s.params) "
                           "FROM sweep_summary s WHERE s.name = ?",
                           -1, &st, NULL) != SQLITE_OK)
        return sql_fail(db, "plot", error);
    sqlite3_bind_text(st, 1, metric, -1, SQLITE_STATIC);
    GPtrArray *points = g_ptr_array_new_with_free_func(point_free);
    while (sqlite3_step(st) == SQLITE_ROW) {
        sweep_point *p = g_new0(sweep_point, 1);
        const char *params = (const char *)sqlite3_column_text(st, 0);
        p->x = param_value(params != NULL ? params : "", vary0, &p->series);
        p->median = sqlite3_column_double(st, 1);
        p->min = sqlite3_column_double(st, 2);
        p->max = sqlite3_column_double(st, 3);
        p->first_idx = sqlite3_column_type(st, 4) == SQLITE_NULL ? INT64_MAX
                                                                  : sqlite3_column_int64(st, 4);
        g_ptr_array_add(points, p);
    }
    sqlite3_finalize(st);
    if (points->len == 0) {
        g_ptr_array_unref(points);
        return TRUE;
    }
    bool numeric = all_numeric(points);
    rank_points(points);
    g_ptr_array_sort(points, numeric ? point_cmp_numeric : point_cmp_given);
    /* Categorical x: position by first appearance order of values (the
     * order given, after the sort above). */
    GPtrArray *categories = g_ptr_array_new();
    GString *dat = g_string_new(NULL);
    GPtrArray *series_names = g_ptr_array_new();
    const char *current = NULL;
    for (guint i = 0; i < points->len; i++) {
        sweep_point *p = points->pdata[i];
        if (current == NULL || strcmp(current, p->series) != 0) {
            if (current != NULL)
                g_string_append(dat, "\n\n");
            g_string_append_printf(dat, "# series: %s\n# x median min max\n",
                                   *p->series != '\0' ? p->series : "all");
            g_ptr_array_add(series_names, p->series);
            current = p->series;
        }
        double x = 0;
        if (numeric) {
            x = g_ascii_strtod(p->x, NULL);
        } else {
            guint k = 0;
            while (k < categories->len && strcmp(categories->pdata[k], p->x) != 0)
                k++;
            if (k == categories->len)
                g_ptr_array_add(categories, p->x);
            x = k;
        }
        g_string_append_printf(dat, "%.9g %.9g %.9g %.9g\n", x, p->median, p->min, p->max);
    }
    char *base = g_strdup_printf("sweep-%s", metric);
    char *dat_path = g_strdup_printf("%s/%s.dat", plots_dir, base);
    gboolean ok = g_file_set_contents(dat_path, dat->str, -1, error);
    GString *gp = g_string_new(NULL);
    g_string_append_printf(gp,
                           "# %s.gp: written by aitbc-sim from sweep.sqlite\n"
                           "set terminal pngcairo size 1000,560 noenhanced font \"sans,11\"\n"
                           "set output \"%s.png\"\n"
                           "set title \"%s: %s against %s (median, bars min..max over seeds)\"\n"
                           "set xlabel \"%s\"\nset ylabel \"%s\"\n"
                           "set grid lc rgb \"#dddddd\"\nset key outside right top box\n"
                           "set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05\n",
                           base, base, scenario, label, vary0, vary0, label);
    if (!numeric) {
        g_string_append(gp, "set xtics (");
        for (guint k = 0; k < categories->len; k++)
            g_string_append_printf(gp, "%s\"%s\" %u", k > 0 ? ", " : "",
                                   (const char *)categories->pdata[k], k);
        g_string_append(gp, ")\n");
    }
    g_string_append(gp, "plot ");
    for (guint i = 0; i < series_names->len; i++) {
        const char *name = series_names->pdata[i];
        g_string_append_printf(gp,
                               "%s\"%s.dat\" index %u using 1:2:3:4 with yerrorlines lw 2 pt 7 "
                               "title \"%s\"",
                               i > 0 ? ", \\\n     " : "", base, i,
                               *name != '\0' ? name : "median (min..max)");
    }
    g_string_append_printf(gp,
                           "\nset terminal svg size 1000,560 noenhanced font \"sans,11\" "
                           "background rgb \"white\"\nset output \"%s.svg\"\nreplot\n"
                           "unset output\n",
                           base);
    char *gp_name = g_strdup_printf("%s.gp", base);
    char *gp_path = g_build_filename(plots_dir, gp_name, NULL);
    ok = ok && g_file_set_contents(gp_path, gp->str, -1, error);
    if (ok)
        g_ptr_array_add(scripts, g_strdup(gp_name));
    g_free(gp_name);
    g_free(gp_path);
    g_string_free(gp, TRUE);
    g_string_free(dat, TRUE);
    g_free(dat_path);
    g_free(base);
    g_ptr_array_unref(series_names);
    g_ptr_array_unref(categories);
    g_ptr_array_unref(points);
    return ok;
}

static char *meta_get(sqlite3 *db, const char *key)
{
    sqlite3_stmt *st = NULL;
    char *out = NULL;
    if (sqlite3_prepare_v2(db, "SELECT value FROM sweep_meta WHERE key = ?", -1, &st, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL)
            out = g_strdup((const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    return out;
}

static gboolean sweep_finish(sqlite3 *db, const char *out_dir, GError **error)
{
    if (!write_summary(db, error) || !exec(db, "COMMIT", error))
        return FALSE;
    char *vary0 = meta_get(db, "vary.0");
    char *scenario = meta_get(db, "scenario");
    gboolean ok = TRUE;
    if (vary0 != NULL) {
        char *plots = g_build_filename(out_dir, "plots", NULL);
        g_mkdir_with_parents(plots, 0755);
        GPtrArray *scripts = g_ptr_array_new_with_free_func(g_free);
        for (guint i = 0; ok && sweep_metrics_plotted[i] != NULL; i++)
            ok = plot_metric(db, plots, vary0, sweep_metrics_plotted[i], sweep_metric_labels[i],
                             scenario != NULL ? scenario : "sweep", scripts, error);
        if (ok && scripts->len > 0) {
            g_ptr_array_add(scripts, NULL);
            rep_plot_result r = {0};
            rep_plot_gnuplot(plots, (const char *const *)scripts->pdata, &r);
            if (r.gnuplot_missing)
                fprintf(stderr, "aitbc-sim: gnuplot is not installed: sweep plot data and "
                                "scripts are in %s, without images\n", plots);
            else if (r.gnuplot_failed)
                fprintf(stderr, "aitbc-sim: sweep plots: %s\n", r.detail);
            rep_plot_result_clear(&r);
        }
        g_ptr_array_unref(scripts);
        g_free(plots);
    }
    g_free(vary0);
    g_free(scenario);
    return ok;
}

/* ---- collect and merge ---- */

static void bind_text(sqlite3_stmt *st, int col, const char *s)
{
    sqlite3_bind_text(st, col, s, -1, SQLITE_TRANSIENT);
}

static gboolean put_meta(sqlite3 *db, const char *key, const char *value, GError **error)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "INSERT INTO sweep_meta VALUES (?, ?)", -1, &st, NULL) != SQLITE_OK)
        return sql_fail(db, "meta", error);
    bind_text(st, 1, key);
    bind_text(st, 2, value);
    gboolean ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_finalize(st);
    return ok ? TRUE : sql_fail(db, "meta", error);
}

/* Copy one run's verdict and metrics from its own results.sqlite. */
static gboolean collect_run(sqlite3 *db, const rep_sweep_run *run, GError **error)
{
    char *path = g_build_filename(run->dir, "results.sqlite", NULL);
    char *verdict = g_strdup(run->exit_code < 0 ? "not-run" : "missing");
    sqlite3 *rdb = NULL;
    bool have = g_file_test(path, G_FILE_TEST_IS_REGULAR) &&
                sqlite3_open_v2(path, &rdb, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK;
    sqlite3_stmt *st = NULL;
    if (have && sqlite3_prepare_v2(rdb, "SELECT verdict FROM runs ORDER BY id LIMIT 1", -1, &st,
                                   NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL) {
        g_free(verdict);
        verdict = g_strdup((const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    st = NULL;
    gboolean ok = sqlite3_prepare_v2(db, "INSERT INTO sweep_runs VALUES (?, ?, ?, ?, ?, ?)", -1,
                                     &st, NULL) == SQLITE_OK;
    if (ok) {
        char seed[32];
        g_snprintf(seed, sizeof seed, "%" G_GUINT64_FORMAT, run->seed);
        sqlite3_bind_int64(st, 1, (sqlite3_int64)run->index);
        bind_text(st, 2, run->params);
        bind_text(st, 3, seed);
        sqlite3_bind_int(st, 4, run->exit_code);
        bind_text(st, 5, verdict);
        bind_text(st, 6, run->dir);
        ok = sqlite3_step(st) == SQLITE_DONE;
    }
    sqlite3_finalize(st);
    st = NULL;
    sqlite3_stmt *ins = NULL;
    if (ok && have &&
        sqlite3_prepare_v2(rdb, "SELECT name, value FROM metrics ORDER BY rowid", -1, &st,
                           NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "INSERT INTO sweep_metrics VALUES (?, ?, ?)", -1, &ins, NULL) ==
            SQLITE_OK) {
        while (ok && sqlite3_step(st) == SQLITE_ROW) {
            sqlite3_reset(ins);
            sqlite3_bind_int64(ins, 1, (sqlite3_int64)run->index);
            bind_text(ins, 2, (const char *)sqlite3_column_text(st, 0));
            if (sqlite3_column_type(st, 1) == SQLITE_NULL)
                sqlite3_bind_null(ins, 3);
            else
                sqlite3_bind_double(ins, 3, sqlite3_column_double(st, 1));
            ok = sqlite3_step(ins) == SQLITE_DONE;
        }
    }
    sqlite3_finalize(st);
    sqlite3_finalize(ins);
    sqlite3_close(rdb);
    g_free(path);
    g_free(verdict);
    return ok ? TRUE : sql_fail(db, "collect", error);
}

gboolean rep_sweep_collect(const char *out_dir, const rep_sweep_meta *meta,
                           const rep_sweep_run *runs, guint count, GError **error)
{
    sqlite3 *db = create_db(out_dir, error);
    if (db == NULL)
        return FALSE;
    char total[32];
    g_snprintf(total, sizeof total, "%" G_GUINT64_FORMAT, meta->runs_total);
    gboolean ok = exec(db, "BEGIN", error) && put_meta(db, "scenario", meta->scenario, error) &&
                  put_meta(db, "seeds", meta->seeds, error) &&
                  put_meta(db, "runs_total", total, error);
    for (guint i = 0; ok && i < meta->vary_keys->len; i++) {
        char key[32];
        g_snprintf(key, sizeof key, "vary.%u", i);
        ok = put_meta(db, key, meta->vary_keys->pdata[i], error);
    }
    for (guint i = 0; ok && i < count; i++)
        ok = collect_run(db, &runs[i], error);
    ok = ok && sweep_finish(db, out_dir, error);
    sqlite3_close(db);
    return ok;
}

gboolean rep_sweep_merge(const char *out_dir, const char *const *shard_dbs, GError **error)
{
    sqlite3 *db = create_db(out_dir, error);
    if (db == NULL)
        return FALSE;
    /* Shards are attached one by one (no transaction may span a DETACH);
     * the summary is written in one transaction at the end. */
    gboolean ok = TRUE;
    char *scenario = NULL;
    for (const char *const *p = shard_dbs; ok && *p != NULL; p++) {
        if (!g_file_test(*p, G_FILE_TEST_IS_REGULAR)) {
            g_set_error(error, REP_SWEEP_ERROR, 0, "%s: no such sweep database", *p);
            ok = FALSE;
            break;
        }
        char *quoted = sqlite3_mprintf("ATTACH %Q AS shard", *p);
        ok = exec(db, quoted, error);
        sqlite3_free(quoted);
        if (!ok)
            break;
        char *theirs = NULL;
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, "SELECT value FROM shard.sweep_meta WHERE key = 'scenario'",
                               -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL)
            theirs = g_strdup((const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
        if (theirs == NULL || (scenario != NULL && strcmp(scenario, theirs) != 0)) {
            g_set_error(error, REP_SWEEP_ERROR, 0,
                        "%s: not a shard of the same sweep (scenario %s, expected %s)", *p,
                        theirs != NULL ? theirs : "?", scenario != NULL ? scenario : "?");
            ok = FALSE;
        }
        if (scenario == NULL)
            scenario = theirs;
        else
            g_free(theirs);
        ok = ok &&
             exec(db,
                  "INSERT OR IGNORE INTO sweep_meta SELECT * FROM shard.sweep_meta;"
                  "INSERT INTO sweep_metrics SELECT * FROM shard.sweep_metrics WHERE idx NOT IN "
                  "(SELECT idx FROM main.sweep_runs);"
                  "INSERT OR IGNORE INTO sweep_runs SELECT * FROM shard.sweep_runs;",
                  error);
        GError *ignored = NULL;
        exec(db, "DETACH shard", ok ? error : &ignored);
        g_clear_error(&ignored);
    }
    g_free(scenario);
    ok = ok && exec(db, "BEGIN", error) && sweep_finish(db, out_dir, error);
    sqlite3_close(db);
    return ok;
}
