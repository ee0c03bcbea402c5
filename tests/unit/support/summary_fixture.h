/* Shared by the summary's tests (test_summary.c, test_summary_market.c):
 * a synthetic run's info and figures, and line assertions on rendered
 * text. */
#ifndef AITBC_TESTS_SUMMARY_FIXTURE_H
#define AITBC_TESTS_SUMMARY_FIXTURE_H

#include <check.h>
#include <glib.h>

#include "reports/summary.h"
#include "sim/figures/figures.h"

extern const char sf_trace[];

/* A failed PBFT run (seed 42, 600 s simulated, one target missed). */
rep_run_info *sf_info(void);
/* Throughput, finality, messages, engine figures and two faults. */
sim_metrics *sf_metrics(void);
/* Does `text` contain `line` as a whole line? */
gboolean sf_has_line(const char *text, const char *line);
void sf_assert_fits_80_columns(const char *text);

#define ck_assert_line(text, line) \
    ck_assert_msg(sf_has_line((text), (line)), "missing line '%s' in:\n%s", (line), (text))

#endif
