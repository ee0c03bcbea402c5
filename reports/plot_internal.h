/* What the plot files share (reports/plot.c drives gnuplot and draws
 * throughput and the CDFs; reports/plot_timeline.c draws the timeline,
 * reports/plot_fees.c the fee market, reports/plot_nakamoto.c the
 * Nakamoto coefficient, reports/plot_staking.c the staking economy,
 * reports/plot_jobs.c the agent market, reports/plot_disputes.c its
 * disputes).
 * Private to reports/. */
#ifndef AITBC_REPORTS_PLOT_INTERNAL_H
#define AITBC_REPORTS_PLOT_INTERNAL_H

#include <glib.h>
#include <sqlite3.h>
#include <stdbool.h>

#include "reports/plot.h"

#define PLOT_SIZE "1000,560"
#define PLOT_NS_PER_S 1e9

typedef struct plot_ctx {
    sqlite3 *db;
    char *dir;            /* out_dir/plots */
    char *title;          /* "scenario (seed N)" */
    double sim_s;
    GString *fault_objects; /* gnuplot commands shading fault windows */
    guint smooth_s;         /* throughput moving-average window */
    rep_plot_result *result;
} plot_ctx;

/* Run a query and hand every row to fn. */
typedef void (*row_fn)(sqlite3_stmt *st, void *data);

gboolean plot_query(plot_ctx *c, const char *sql, row_fn fn, void *data, GError **error);
/* plot_query of "SELECT columns FROM table rest": table is a record table
 * (reports/record_fields.h) and columns a ", "-separated list of its
 * database fields (asserted), so the plots name columns as the tables
 * define them; the row gets the columns in the order given. */
gboolean plot_select(plot_ctx *c, const char *table, const char *columns, const char *rest,
                     row_fn fn, void *data, GError **error);
gboolean plot_write_file(plot_ctx *c, const char *name, const GString *text, GError **error);
/* s as a gnuplot double-quoted string (newly allocated). */
char *plot_gp_quote(const char *s);
/* The common head of a script: terminal, output, title. */
void plot_gp_begin(GString *gp, plot_ctx *c, const char *name, const char *what);
/* Draw it again as SVG. */
void plot_gp_finish(GString *gp, const char *name);
/* A fault drawn as an instant (a mark) rather than a window. */
bool plot_fault_is_instant(const char *action);
bool plot_table_exists(plot_ctx *c, const char *table);

/* One curve of a CDF plot: a query for one column of seconds, ascending. */
typedef struct cdf_series {
    const char *dat;      /* data file name */
    const char *sql;      /* NULL: the database has no such table (an older one) */
    const char *title;    /* legend text, the count of `unit` appended; NULL: the count */
    const char *unit;     /* what one sample is: "samples", "blocks" */
    const char *color;
} cdf_series;

/* plot.c: NAME.gp, a CDF plot of one or more curves (each its own data
 * file); a curve without samples is left out of the plot, and a plot
 * without any says so. Counts one plot. */
gboolean plot_cdf_series(plot_ctx *c, const char *name, const char *what, const char *xlabel,
                         const cdf_series *curves, guint count, GError **error);

/* plot_timeline.c: timeline.dat and timeline.gp. */
gboolean plot_timeline(plot_ctx *c, GError **error);
/* plot_fees.c: fees.dat and fees.gp, if the database has fee records
 * (*drawn says whether it had). */
gboolean plot_fees(plot_ctx *c, bool *drawn, GError **error);
/* plot_nakamoto.c: nakamoto.dat and nakamoto.gp, if the database has
 * concentration records (*drawn says whether it had). */
gboolean plot_nakamoto(plot_ctx *c, bool *drawn, GError **error);
/* plot_staking.c: staking.dat and staking.gp, if the database has
 * staking records (*drawn says whether it had). */
gboolean plot_staking(plot_ctx *c, bool *drawn, GError **error);
/* plot_jobs.c: jobs.dat, jobs.gp (jobs per time bin and the completion
 * rate) and job_latency.gp with its data, if the database has agents
 * (*drawn says whether it had). */
gboolean plot_jobs(plot_ctx *c, bool *drawn, GError **error);
/* The jobs plot's time bins: the narrowest round width (1, 2, 5, 10, 15,
 * 20, 30 s, 1, 2, 5, 10, 15, 20, 30 min, then whole hours) giving at
 * most 60 bins over sim_s; the disputes plot bins the same way. */
double plot_jobs_bin_width(double sim_s);
/* plot_disputes.c: disputes.dat and disputes.gp (disputes opened, and
 * resolved per tier, per time bin), if the database has disputes
 * (*drawn says whether it had). */
gboolean plot_disputes(plot_ctx *c, bool *drawn, GError **error);

#endif
