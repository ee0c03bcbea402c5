/* The human summary of a run, printed on stdout after it ends.
 *
 * A compact report that fits 80 columns (longer lines are cut with
 * "..."): a title line (scenario, seed, crypto), the verdict, then the
 * sections Throughput & finality, Fees (base fee, gas used, burned and
 * tips, inclusion delay per fee strategy, alarms; when the run has fee
 * figures or alarms), Network (one table row per message type, from the
 * figures messages.TYPE.sent/delivered/dropped and bytes.TYPE.sent),
 * Mesh (mesh runs), Engine, Faults, Slashings & accountability (when the
 * run has a verdict or slashed anyone), Concentration (Nakamoto and Gini
 * coefficients of voting power; PBFT runs), Expectations, and the trace
 * hash.
 * Every number comes from the run info or the figures; a figure that is
 * absent or not finite shows as "-". */
#ifndef AITBC_REPORTS_SUMMARY_H
#define AITBC_REPORTS_SUMMARY_H

#include <glib.h>
#include <stdio.h>

#include "reports/run_info.h"
#include "sim/figures/metrics.h"

#define REP_SUMMARY_COLUMNS 80

/* The summary as text (lines end in '\n'); g_free() it. */
char *rep_summary_render(const rep_run_info *info, const sim_metrics *m);

/* Render and write to `out`. */
void rep_summary_print(FILE *out, const rep_run_info *info, const sim_metrics *m);

#endif
