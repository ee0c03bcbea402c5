/* Plots of a run, drawn with gnuplot from its results database.
 *
 * Everything comes from results.sqlite (the source of every figure), so
 * `aitbc-sim plot DIR` redraws exactly what `aitbc-sim run` drew. For each
 * plot the data file (.dat) and the gnuplot script (.gp) are written into
 * DIR/plots next to the PNG and SVG they make, so a user can restyle them:
 *
 *   throughput   finalized transactions per second over simulated time,
 *                with every fault window shaded and labelled
 *   finality     CDF of transaction finality (submission -> final)
 *   commit       CDF of commit latency (proposal -> final at each node)
 *   propagation  CDFs of block propagation: each node's first holding of
 *                each block (proposal -> received or final), and per block
 *                the time until 99% of the nodes live at its proposal held
 *                it (propagation-blocks.dat; the median is
 *                block_propagation_p99_s)
 *   timeline     faults as bars, view changes as points, and on a
 *                "validators" row slashings, unjails and key rotations
 *                as labelled points, over time
 *   fees         base fee (left axis) and gas used / gas limit (right
 *                axis) of each final height against the time it became
 *                final, fault windows shaded; only for a run with fee
 *                records
 *   nakamoto     the Nakamoto coefficient of each final height, by
 *                validators and by owners, against the time it became
 *                final, fault windows shaded; only for a run with
 *                concentration records (PBFT)
 *   jobs, job_latency
 *                the agent market (reports/plot_jobs.c); only for a run
 *                with agents
 *   disputes     disputes opened, and resolved per tier, per time bin
 *                (reports/plot_disputes.c); only for a run with disputes
 *
 * gnuplot is an external program: if it is not installed, the data and
 * scripts are still written and the caller is told once. */
#ifndef AITBC_REPORTS_PLOT_H
#define AITBC_REPORTS_PLOT_H

#include <glib.h>
#include <stdbool.h>

#define REP_PLOT_ERROR (rep_plot_error_quark())
GQuark rep_plot_error_quark(void);

typedef enum rep_plot_error_code {
    REP_PLOT_ERROR_DB,      /* cannot read the database */
    REP_PLOT_ERROR_IO,      /* cannot write the files */
} rep_plot_error_code;

typedef struct rep_plot_result {
    bool gnuplot_missing;   /* data and scripts written, no images */
    bool gnuplot_failed;    /* gnuplot ran and failed (message in detail) */
    char *detail;           /* NULL or a human sentence */
    guint plots;            /* scripts written */
} rep_plot_result;

/* Draw the plots of the run in db_path into out_dir/plots. */
gboolean rep_plot_run(const char *db_path, const char *out_dir, rep_plot_result *result,
                      GError **error);
void rep_plot_result_clear(rep_plot_result *r);
/* Run gnuplot on each script (NULL-terminated) in dir, recording in
 * result whether gnuplot is missing or failed (first failure kept). */
void rep_plot_gnuplot(const char *dir, const char *const *scripts, rep_plot_result *result);

#endif
