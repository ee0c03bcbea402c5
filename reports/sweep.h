/* Sweeps: many runs of one scenario over a cross product of parameter
 * values and seeds, gathered into one database with a summary and plots.
 *
 * Every run of a sweep has a global index in the full cross product
 * (parameter combinations in --vary order, seeds innermost), so shards run
 * on different machines never collide and `merge` can union them. The
 * sweep database (sweep.sqlite) holds:
 *   sweep_meta(key, value)          scenario, vary keys (vary.0, vary.1, ...),
 *                                   seeds, runs in the full sweep
 *   sweep_runs(idx, params, seed, exit_code, verdict, dir)
 *   sweep_metrics(idx, name, value) every figure of every run
 *   sweep_summary(params, name, runs, min, median, max)
 *                                   per parameter combination over seeds,
 *                                   simulation figures only (no wall clock)
 * and plots/sweep-METRIC.{png,svg,gp,dat}: each headline metric against
 * the first varied parameter, median with min..max bars over seeds. */
#ifndef AITBC_REPORTS_SWEEP_H
#define AITBC_REPORTS_SWEEP_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define REP_SWEEP_ERROR (rep_sweep_error_quark())
GQuark rep_sweep_error_quark(void);

typedef struct rep_sweep_run {
    uint64_t index;        /* in the full cross product */
    char *params;          /* "section.key=value;section.key=value" */
    uint64_t seed;
    int exit_code;         /* of `aitbc-sim run`; < 0: did not run */
    char *dir;             /* its output directory */
} rep_sweep_run;

typedef struct rep_sweep_meta {
    char *scenario;
    GPtrArray *vary_keys;  /* char* */
    char *seeds;           /* as given, e.g. "1..5" */
    uint64_t runs_total;
} rep_sweep_meta;

/* Write out_dir/sweep.sqlite from finished runs (reading each run's
 * results.sqlite), then its summary and plots. */
gboolean rep_sweep_collect(const char *out_dir, const rep_sweep_meta *meta,
                           const rep_sweep_run *runs, guint count, GError **error);
/* Union the sweep databases of shards into out_dir/sweep.sqlite (runs
 * with the same index must agree), then summary and plots. */
gboolean rep_sweep_merge(const char *out_dir, const char *const *shard_dbs, GError **error);

#endif
