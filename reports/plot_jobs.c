/* The agent market's plots, from the `jobs` table (sim/check/market_obs.h):
 *
 *   jobs         jobs posted, completed and failed per time bin (a job
 *                counts in the bin it was posted in, and again in the bin
 *                it was settled in as completed or failed: every other
 *                decided outcome), with the completion rate of each bin
 *                (completed over decided in it) on the right axis and the
 *                fault windows shaded. Bins have a round width (1, 2,
 *                5, 10 s, ...), at most JOBS_BINS of them over the run.
 *   job_latency  CDFs of the job latency (posted to settled, completed
 *                jobs: job_latency_pQ_s) and of the match latency (posted
 *                to matched: match_latency_pQ_s).
 *
 * Drawn only for a run with agents; any other run gets neither and loses
 * the ones an earlier run left in the directory, as the fees plot does. */
#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>

#include "reports/plot_internal.h"

/* Bins over the run, at most (fewer when bins round up to a round width). */
#define JOBS_BINS 60

double plot_jobs_bin_width(double sim_s)
{
    static const double widths[] = {1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1200, 1800};
    for (size_t i = 0; i < G_N_ELEMENTS(widths); i++)
        if (widths[i] * JOBS_BINS >= sim_s)
            return widths[i];
    return 3600 * ceil(sim_s / JOBS_BINS / 3600);
}

typedef struct jobs_data {
    double bin_s;
    guint bins;
    guint *posted;    /* [bins] */
    guint *completed; /* [bins] */
    guint *failed;    /* [bins] */
    guint rows;
} jobs_data;

static guint jobs_bin(const jobs_data *d, double t_s)
{
    if (!(t_s > 0))
        return 0;
    guint b = (guint)(t_s / d->bin_s);
    return MIN(b, d->bins - 1);
}

static void jobs_row(sqlite3_stmt *st, void *data)
{
    jobs_data *d = data;
    d->rows++;
    d->posted[jobs_bin(d, sqlite3_column_double(st, 0) / PLOT_NS_PER_S)]++;
    if (sqlite3_column_type(st, 1) == SQLITE_NULL)
        return; /* open at the end */
    guint b = jobs_bin(d, sqlite3_column_double(st, 1) / PLOT_NS_PER_S);
    if (g_strcmp0((const char *)sqlite3_column_text(st, 2), "completed") == 0)
        d->completed[b]++;
    else
        d->failed[b]++;
}

static GString *jobs_dat(const jobs_data *d)
{
    GString *dat = g_string_new("# bin_start_s  posted  completed  failed  "
                                "completion_rate (completed / decided in the bin; NaN: none)\n");
    for (guint i = 0; i < d->bins; i++) {
        guint decided = d->completed[i] + d->failed[i];
        g_string_append_printf(dat, "%.3f %u %u %u ", i * d->bin_s, d->posted[i], d->completed[i],
                               d->failed[i]);
        if (decided > 0)
            g_string_append_printf(dat, "%.6f\n", (double)d->completed[i] / decided);
        else
            g_string_append(dat, "NaN\n");
    }
    return dat;
}

static void jobs_script(GString *gp, plot_ctx *c, double bin_s)
{
    plot_gp_begin(gp, c, "jobs", "Jobs posted, completed and failed");
    g_string_append_printf(gp,
                           "set xlabel \"simulated time (s)\"\n"
                           "set ylabel \"jobs per %g s\"\n"
                           "set y2label \"completion rate (completed / decided in the bin)\"\n"
                           "set xrange [0:%.3f]\nset yrange [0:*]\nset y2range [0:1.05]\n"
                           "set ytics nomirror\nset y2tics\n"
                           "set key above horizontal box\n%s"
                           "plot \"jobs.dat\" using 1:2 with steps lw 2 "
                           "lc rgb \"#1f78b4\" title \"posted\", \\\n"
                           "     \"jobs.dat\" using 1:3 with steps lw 2 "
                           "lc rgb \"#33a02c\" title \"completed\", \\\n"
                           "     \"jobs.dat\" using 1:4 with steps lw 2 "
                           "lc rgb \"#e31a1c\" title \"failed\", \\\n"
                           "     \"jobs.dat\" using ($1+%g):5 axes x1y2 with linespoints "
                           "lw 1 dt 2 pt 7 ps 0.5 lc rgb \"#333333\" title \"completion rate\"\n",
                           bin_s, c->sim_s, c->fault_objects->str, bin_s / 2);
    plot_gp_finish(gp, "jobs");
}

static void jobs_remove_old(plot_ctx *c)
{
    static const char *const names[] = {"jobs.png",       "jobs.svg",        "jobs.gp",
                                        "jobs.dat",       "job_latency.png", "job_latency.svg",
                                        "job_latency.gp", "job_latency.dat", "match_latency.dat"};
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree char *path = g_build_filename(c->dir, names[i], NULL);
        g_remove(path);
    }
}

static void count_row(sqlite3_stmt *st, void *data)
{
    *(gint64 *)data = sqlite3_column_int64(st, 0);
}

/* The run has agents (a database from before the table existed has none). */
static gboolean jobs_has_agents(plot_ctx *c, bool *has, GError **error)
{
    *has = false;
    if (!plot_table_exists(c, "agents"))
        return TRUE;
    gint64 n = 0;
    if (!plot_query(c, "SELECT count(*) FROM agents", count_row, &n, error))
        return FALSE;
    *has = n > 0;
    return TRUE;
}

static gboolean jobs_latency(plot_ctx *c, GError **error)
{
    const cdf_series curves[] = {
        {"job_latency.dat",
         "SELECT (settled_ns - posted_ns) / 1e9 FROM jobs WHERE outcome = 'completed' "
         "AND settled_ns IS NOT NULL ORDER BY 1",
         "job latency: posted to completed", "jobs", "#33a02c"},
        {"match_latency.dat",
         "SELECT (matched_ns - posted_ns) / 1e9 FROM jobs WHERE matched_ns IS NOT NULL "
         "ORDER BY 1",
         "match latency: posted to matched", "jobs", "#1f78b4"},
    };
    return plot_cdf_series(c, "job_latency", "job latency", "latency (s)", curves,
                           G_N_ELEMENTS(curves), error);
}

gboolean plot_jobs(plot_ctx *c, bool *drawn, GError **error)
{
    *drawn = false;
    bool has = false;
    if (!jobs_has_agents(c, &has, error))
        return FALSE;
    if (!has || !plot_table_exists(c, "jobs")) {
        jobs_remove_old(c);
        return TRUE;
    }
    jobs_data d = {.bin_s = plot_jobs_bin_width(c->sim_s)};
    d.bins = MAX(1u, (guint)ceil(c->sim_s / d.bin_s));
    d.posted = g_new0(guint, d.bins);
    d.completed = g_new0(guint, d.bins);
    d.failed = g_new0(guint, d.bins);
    gboolean ok = plot_select(c, "jobs", "posted_ns, settled_ns, outcome", "ORDER BY rowid",
                              jobs_row, &d, error);
    if (ok) {
        GString *dat = jobs_dat(&d);
        ok = plot_write_file(c, "jobs.dat", dat, error);
        g_string_free(dat, TRUE);
        GString *gp = g_string_new(NULL);
        jobs_script(gp, c, d.bin_s);
        ok = ok && plot_write_file(c, "jobs.gp", gp, error);
        g_string_free(gp, TRUE);
        c->result->plots++;
        ok = ok && jobs_latency(c, error);
        *drawn = ok;
    }
    g_free(d.posted);
    g_free(d.completed);
    g_free(d.failed);
    return ok;
}
