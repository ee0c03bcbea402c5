/* Two runs side by side: the headline figures of two report.json files
 * (reports/json.h) with the ratio of the second to the first, for
 * `aitbc-sim compare DIR_SIM DIR_TESTBED`.
 *
 * Reading: the file must be one JSON object (our writer's or anyone's:
 * the reader is a small strict JSON parser, with nesting bounded); of it
 * only "scenario", "seed", "verdict", "wall_s" and the "figures" object
 * (name -> number or null) are kept. A missing file, bad JSON or a
 * document without a "figures" object is an error naming the file (and,
 * for bad JSON, the line and column).
 *
 * The table: throughput, finality and commit-latency percentiles, block
 * propagation, blocks, view changes, transactions, then messages.TYPE.sent
 * and bytes.TYPE.sent for every message type either run sent. A figure
 * one run lacks shows "-", and so does a ratio over 0 or a missing value. */
#ifndef AITBC_REPORTS_COMPARE_H
#define AITBC_REPORTS_COMPARE_H

#include <glib.h>
#include <stdbool.h>

#define REP_COMPARE_ERROR (g_quark_from_static_string("rep-compare-error"))

typedef struct rep_report {
    char *path;
    char *scenario;              /* NULL if absent or null */
    char *verdict;
    double seed;                 /* NAN if absent */
    double wall_s;               /* NAN if absent */
    GHashTable *figures;         /* name -> double* (NAN: null) */
    GPtrArray *order;            /* names, in file order (borrowed from figures' keys) */
} rep_report;

/* Parse text (the contents of path, which only names it in errors). */
rep_report *rep_report_parse(const char *path, const char *text, size_t size, GError **error);
/* Read and parse path. */
rep_report *rep_report_load(const char *path, GError **error);
void rep_report_free(rep_report *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(rep_report, rep_report_free)

/* A figure's value; false if the report lacks it or it is null. */
bool rep_report_figure(const rep_report *r, const char *name, double *value);

/* The side-by-side table, newline-terminated lines; g_free() it. */
char *rep_compare_render(const rep_report *a, const rep_report *b, const char *label_a,
                         const char *label_b);

#endif
