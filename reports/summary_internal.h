/* Private to the summary's files (summary.c, summary_economy.c,
 * summary_staking.c, summary_jobs.c, summary_disputes.c): the line
 * writer and the number and field formats every section uses, so all
 * sections look alike and read the same on every machine. Every string
 * returned is newly allocated (g_free) unless said otherwise. */
#ifndef AITBC_REPORTS_SUMMARY_INTERNAL_H
#define AITBC_REPORTS_SUMMARY_INTERNAL_H

#include <glib.h>
#include <stdint.h>

#include "reports/record_fields.h"
#include "reports/run_info.h"
#include "sim/figures/metrics.h"

/* One line, cut to REP_SUMMARY_COLUMNS. */
G_GNUC_PRINTF(2, 3)
void rep_summary_line(GString *out, const char *format, ...);
/* text, or "-" if NULL or empty (not allocated). */
const char *rep_summary_text(const char *text);
/* `value` with `decimals` decimals and thousands separators: 12,345.6. */
char *rep_summary_fixed(double value, int decimals);
/* A whole count with separators. */
char *rep_summary_count(double value);
/* Bytes in B, KiB, MiB or GiB. */
char *rep_summary_bytes(double value);
/* A virtual time in ns as seconds, trimmed: 60s, 1.5s, 0.25s; "-" if < 0. */
char *rep_summary_time(int64_t t_ns);
/* Figure `name` with `decimals` decimals ("nan" if the run has none). */
char *rep_summary_figure(const sim_metrics *m, const char *name, int decimals);
gboolean rep_summary_has(const sim_metrics *m, const char *name);
/* The figures PREFIXWORD with a count, "WORD 40, WORD 5" in figure
 * order, or "none": disconnect reasons, alarm kinds. */
char *rep_summary_prefixed_counts(const sim_metrics *m, const char *prefix);
/* Field `name` of a record of table t as the summary shows it: a time in
 * seconds, a node by name, text as it is, a number in plain digits; "-"
 * when absent or empty. */
char *rep_summary_field(const rep_run_info *info, const rep_record_table *t, const void *row,
                        const char *name);
/* A record table by name (one the code names, so it exists). */
const rep_record_table *rep_summary_table(const char *name);

/* summary_economy.c: the Fees and Concentration sections (each left out
 * of a run with nothing to show in it). */
void rep_summary_fees(GString *out, const rep_run_info *info, const sim_metrics *m);
void rep_summary_concentration(GString *out, const rep_run_info *info, const sim_metrics *m);
/* summary_staking.c */
void rep_summary_staking(GString *out, const rep_run_info *info, const sim_metrics *m);
/* summary_jobs.c: the Jobs section (left out of a run without agents). */
void rep_summary_jobs(GString *out, const rep_run_info *info, const sim_metrics *m);
/* summary_disputes.c: the Disputes section (left out of a run without
 * the disputes module and without disputes). */
void rep_summary_disputes(GString *out, const rep_run_info *info, const sim_metrics *m);
/* summary_upgrades.c: the Upgrades section (left out of a run without an
 * upgrade fault). */
void rep_summary_upgrades(GString *out, const rep_run_info *info, const sim_metrics *m);

#endif
