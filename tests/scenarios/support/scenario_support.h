/* Helpers for whole-world scenario tests: build a scenario from text, run
 * it to the end, and query what happened from its metrics. Every failure
 * message of these tests names the seed and a command that replays it. */
#ifndef AITBC_TEST_SCENARIO_SUPPORT_H
#define AITBC_TEST_SCENARIO_SUPPORT_H

#include <check.h>
#include <glib.h>
#include <stdint.h>

#include "sim/figures/metrics.h"
#include "sim/scenario/scenario.h"
#include "sim/world/world.h"

typedef struct scen_run {
    sim_scenario *sc;
    sim_world *world;
    sim_stop stop;
    char *text; /* scenario text, printed on failure */
} scen_run;

/* Parse (failing the test on error), build and run. */
scen_run *scen_run_text(const char *text, const char *const *overrides);
void scen_run_free(scen_run *r);

double scen_figure(const scen_run *r, const char *name);
/* Highest height node `node` finalized (0 if none). */
uint64_t scen_node_final_height(const scen_run *r, uint32_t node);
/* Blocks proposed in [from_ns, to_ns) that became final somewhere before
 * final_before_ns (by proposer in `proposers`, NULL = any). */
guint scen_blocks_final_in_window(const scen_run *r, int64_t from_ns, int64_t to_ns,
                                  int64_t final_before_ns, const GArray *proposers);

/* Validators slashed (for any reason) as a bitmask of validator indexes
 * (< 32). */
uint32_t scen_slashed_mask(const scen_run *r);
/* The run's accountability verdict holds (a failed assertion otherwise). */
void scen_assert_accountable(scen_run *r);

/* Finalizations (any node, any block) that happened in [from_ns, to_ns). */
guint scen_commits_in_window(const scen_run *r, int64_t from_ns, int64_t to_ns);
/* Alarms of `kind` naming `subject`; *other: whether any of that kind
 * names someone else. */
guint scen_alarms_of(const scen_run *r, const char *kind, const char *subject, bool *other);

#define SEC(x) ((int64_t)((x) * 1000000000.0))

/* ck_assert_msg with the replay hint appended. */
#define scen_assert(r, cond, ...)                                                        \
    ck_assert_msg((cond), "%s [seed %" G_GUINT64_FORMAT "; replay: write the scenario "  \
                  "below to a file and run aitbc-sim run FILE]\n%s",                     \
                  g_strdup_printf(__VA_ARGS__), (r)->sc->seed, (r)->text)

#endif
