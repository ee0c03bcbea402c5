/* results.sqlite: the database every figure of a run comes from.
 *
 * Writing happens in three crash-safe steps, each one committed
 * transaction, so a run that is interrupted at any point leaves a file
 * that passes `PRAGMA integrity_check` and whose runs row says
 * verdict = 'incomplete':
 *
 *   rep_db_begin()          replace any old file, create the schema, insert
 *                           the runs row (verdict 'incomplete');
 *   rep_db_write_results()  every record and figure, in ONE transaction;
 *   rep_db_finish()         the final verdict, times, events, trace hash.
 *
 * Schema (docs/scenarios.md "Outputs" documents every table and column):
 *   runs(id, scenario, seed, version, trace_hash, crypto, started_at,
 *        wall_s, sim_s, events, verdict, scenario_path, stop_reason)
 * and one table per record table of reports/record_fields.c (blocks,
 * commits, slashings, validator_changes, faults, metrics, txs, receipts,
 * view_changes, propagation, peers, partitions_detected, churn,
 * expectations, fees, alarms, concentration, staking, delegations,
 * unbondings, agents, jobs, agent_transitions, disputes, in that order): run_id,
 * then the table's fields, in the order the field table lists them; the CREATE TABLE
 * statements and the inserts are built from those tables.
 * Times are virtual nanoseconds since the start of the run, except the
 * reached_*_ns columns and receipts.delay_ns, which count from the block's
 * proposal: reached_pQ_ns is when Q% of the live_nodes nodes up at the
 * proposal held the block (sim/figures/propagation.c), reached_count how many of
 * them held it by the end; a receipt is a node's first holding of a block.
 * An unknown time (-1 in sim_metrics) is NULL. Node, proposer and validator columns
 * hold node names from rep_run_info ("#INDEX" if the name is unknown);
 * agent, consumer, provider and owner columns agent names (a17).
 * Hashes are lowercase hex. A non-finite figure is stored as NULL. A seed
 * above INT64_MAX does not fit an SQLite integer and is stored as its
 * decimal text.
 *
 * The file uses the rollback journal (journal_mode=DELETE,
 * synchronous=NORMAL), so a finished database is one self-contained file.
 *
 * Errors never abort: every function returns FALSE and sets a REP_DB_ERROR
 * naming the database path and SQLite's message. */
#ifndef AITBC_REPORTS_DB_H
#define AITBC_REPORTS_DB_H

#include <glib.h>
#include <stdint.h>

#include "reports/run_info.h"
#include "sim/figures/metrics.h"

#define REP_DB_ERROR (rep_db_error_quark())
GQuark rep_db_error_quark(void);

typedef enum rep_db_error_code {
    REP_DB_ERROR_OPEN,  /* could not create or open the file */
    REP_DB_ERROR_SQL,   /* an SQLite statement failed */
    REP_DB_ERROR_STATE, /* call out of order (e.g. results written twice) */
} rep_db_error_code;

typedef struct rep_db rep_db;

/* Create `path` (removing an old database and its journal/WAL files),
 * create the schema and insert the runs row from `info` with verdict
 * 'incomplete'. On success *out is a handle to pass to the other calls. */
gboolean rep_db_begin(const char *path, const rep_run_info *info, rep_db **out, GError **error);

/* Write every record table (from m; expectations from info->expects) and
 * the runs row's stop_reason (from info) in one transaction; node names
 * come from info.
 * At most once per database; on failure nothing of it is kept. */
gboolean rep_db_write_results(rep_db *db, const rep_run_info *info, const sim_metrics *m,
                              GError **error);

/* Before the results: set the runs row's stop_reason to say which phase is
 * under way ("set-up not finished", "run not finished"), in its own
 * transaction, so a process killed in that phase leaves a row that says
 * where. rep_db_write_results replaces it with the real reason. */
gboolean rep_db_set_stop_reason(rep_db *db, const char *reason, GError **error);

/* Record how the run ended in the runs row (trace_hash_hex may be NULL). */
gboolean rep_db_finish(rep_db *db, rep_verdict verdict, double wall_s, double sim_s,
                       uint64_t events, const char *trace_hash_hex, GError **error);

/* Close the handle (NULL is fine). Closing without rep_db_finish leaves
 * the run 'incomplete', exactly as an interrupted run would. */
void rep_db_close(rep_db *db);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(rep_db, rep_db_close)

/* Row id of this run in the runs table. */
int64_t rep_db_run_id(const rep_db *db);

#endif
