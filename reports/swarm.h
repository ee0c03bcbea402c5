/* Swarm results: how each random world ended, and the swarm database.
 *
 * A swarm (`aitbc-sim swarm`, tools/cli/cli_swarm.c) runs one child
 * `aitbc-sim run` per seed. rep_swarm_classify turns what a child left
 * (exit status, results.sqlite) into one outcome class; the classes that
 * are failures name the invariant that broke. swarm.sqlite holds
 *   swarm_meta(key, value)   scenario, mode, seeds, shard, wall_s
 *   swarm_runs(seed, outcome, detail, exit_code, trace_hash, sim_s, wall_s,
 *              reproducer)
 * and shards of one swarm merge into one database (rep_swarm_merge). The
 * summary line (rep_swarm_summary_line) has no wall-clock figure in it
 * and ends with a digest of every (seed, outcome, trace hash), so a swarm
 * and the merge of its shards print the same line. */
#ifndef AITBC_REPORTS_SWARM_H
#define AITBC_REPORTS_SWARM_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define REP_SWARM_ERROR (rep_swarm_error_quark())
GQuark rep_swarm_error_quark(void);

typedef enum rep_swarm_class {
    REP_SWARM_PASS = 0,       /* every invariant and target held */
    REP_SWARM_UNJUDGED,       /* passed, but liveness could not be judged in time */
    REP_SWARM_SAFETY,         /* failures from here on */
    REP_SWARM_ACCOUNTABILITY,
    REP_SWARM_CONSERVATION,
    REP_SWARM_LIVENESS,
    REP_SWARM_TARGET,         /* another [expect] target */
    REP_SWARM_CRASH,          /* the run died on a signal, or left no verdict */
    REP_SWARM_INTERNAL,       /* exit 3 */
    REP_SWARM_INVALID,        /* exit 2: the world itself was refused */
    REP_SWARM_TIMEOUT,        /* wall-clock limit, or the event limit */
    REP_SWARM_CLASSES,
} rep_swarm_class;

const char *rep_swarm_class_name(rep_swarm_class c);
bool rep_swarm_class_is_failure(rep_swarm_class c);

typedef struct rep_swarm_run {
    uint64_t seed;
    rep_swarm_class outcome;
    char *detail;             /* stop reason, failed target or signal; owned */
    int exit_code;            /* -1 when a signal ended the run */
    char *trace_hash;         /* hex or NULL; owned */
    double sim_s;
    double wall_s;
    char *reproducer;         /* path of the failure's scenario file or NULL; owned */
} rep_swarm_run;

void rep_swarm_run_clear(rep_swarm_run *r);

/* Classify a finished child: exit_code >= 0 when it exited, else the
 * signal that ended it (timed_out: the swarm's wall-clock limit sent it). */
void rep_swarm_classify(const char *run_dir, int exit_code, int signal_number, bool timed_out,
                        rep_swarm_run *r);

typedef struct rep_swarm_meta {
    const char *scenario;     /* the base file */
    const char *mode;         /* within-f | beyond-f */
    const char *seeds;        /* A..B as given */
    const char *shard;        /* K/N */
    double wall_s;
} rep_swarm_meta;

gboolean rep_swarm_write(const char *out_dir, const rep_swarm_meta *meta,
                         const rep_swarm_run *runs, guint count, GError **error);
/* Union shard_dirs' swarm.sqlite into out_dir/swarm.sqlite; the shards
 * must be of one swarm (scenario, mode, seeds), and a seed in two shards
 * must agree. Wall time: the slowest shard's. */
gboolean rep_swarm_merge(const char *out_dir, const char *const *shard_dirs, GError **error);

/* Print the summary of out_dir/swarm.sqlite: the result line, runs per
 * second and per hour, and every failing seed with its reproducer. */
gboolean rep_swarm_print(FILE *out, const char *out_dir, guint *failures, GError **error);

#endif
