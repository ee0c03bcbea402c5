/* What the command line knows about one run, beyond what the simulation
 * measured: which scenario, which seed and program version, when it
 * started, how long it took, how it ended and what each [expect] target
 * said. The reports (database, report.json, stdout summary) take a
 * rep_run_info next to the sim_metrics of the run.
 *
 * Ownership: every string and array below belongs to the struct and is
 * freed by rep_run_info_free(); assign g_strdup()ed strings (or use the
 * helpers). A NULL string means "unknown" and is written as SQL NULL,
 * JSON null or "-" by the reports. */
#ifndef AITBC_REPORTS_RUN_INFO_H
#define AITBC_REPORTS_RUN_INFO_H

#include <glib.h>
#include <stdint.h>

/* How a run ended. A database says INCOMPLETE until rep_db_finish()
 * records the final verdict, so an interrupted run is never mistaken for
 * a finished one. */
typedef enum rep_verdict {
    REP_VERDICT_INCOMPLETE = 0, /* still running, or interrupted */
    REP_VERDICT_PASS,           /* ran; every [expect] target and invariant held */
    REP_VERDICT_FAIL,           /* a target or an invariant failed */
    REP_VERDICT_ERROR,          /* internal error */
} rep_verdict;

/* "incomplete" | "pass" | "fail" | "error" (what the database stores). */
const char *rep_verdict_name(rep_verdict verdict);

/* The outcome of one [expect] key. */
typedef struct rep_expect_result {
    char *key;      /* e.g. "min_throughput" */
    char *target;   /* as the scenario wrote it, e.g. "900/s" */
    char *actual;   /* what the run measured, as text, e.g. "912.4/s" */
    gboolean passed;
} rep_expect_result;

typedef struct rep_run_info {
    char *scenario;          /* scenario name */
    char *scenario_path;     /* the file it came from */
    uint64_t seed;
    char *version;           /* program version; rep_run_info_new sets AITBC_VERSION */
    char *trace_hash_hex;    /* 64 lowercase hex chars; NULL until known */
    char *crypto;            /* crypto mode name: "real" | "fast" */
    char *started_at;        /* wall clock, ISO 8601 UTC ("2024-05-01T12:00:00Z") */
    double wall_s;           /* wall-clock run time */
    double sim_s;            /* simulated time reached */
    uint64_t events;         /* events executed */
    rep_verdict verdict;
    char *stop_reason;       /* e.g. "duration reached", "safety violated at h=12" */
    char *accountability;    /* accountability verdict: "holds" | "violated" | "pending" |
                              * "not-applicable" (sim_accountability_state_name) */
    char *accountability_detail; /* one sentence: the violation, what is pending, ... */
    GArray *expects;         /* rep_expect_result, in scenario order */
    GPtrArray *node_names;   /* char *, index = node index ("v0", "n12", "v0'") */
} rep_run_info;

/* An empty run: version set, verdict INCOMPLETE, no expects, no nodes. */
rep_run_info *rep_run_info_new(void);
void rep_run_info_free(rep_run_info *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(rep_run_info, rep_run_info_free)

/* Append an [expect] result; the strings are copied. */
void rep_run_info_add_expect(rep_run_info *info, const char *key, const char *target,
                             const char *actual, gboolean passed);
/* A list of [expect] results held elsewhere (a verdict's, reports/verdict.h):
 * an empty GArray of rep_expect_result that frees their strings, and an
 * append that copies them. */
GArray *rep_expect_results_new(void);
void rep_expect_results_add(GArray *results, const char *key, const char *target,
                            const char *actual, gboolean passed);
/* Append the name of the next node index; the string is copied. */
void rep_run_info_add_node(rep_run_info *info, const char *name);
/* Name of node `index`, or NULL if the run info does not know it. */
const char *rep_run_info_node_name(const rep_run_info *info, uint32_t index);

#endif
