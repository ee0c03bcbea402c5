/* Writes results.sqlite: the schema, the runs row, every record of a run
 * and its final verdict (see db.h for the contract and the schema).
 *
 * Speed: a run has thousands to millions of rows, so all rows go in one
 * transaction through one prepared statement per table (reset and rebound
 * per row); SQLite then syncs once per transaction, not once per row.
 * Safety: the rollback journal with synchronous=NORMAL keeps every
 * committed step durable against a crash of this process, and an
 * uncommitted step is rolled back by the next reader, so the file always
 * passes integrity_check. */
#include "reports/db.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

G_DEFINE_QUARK(rep-db-error-quark, rep_db_error)

struct rep_db {
    sqlite3 *sql;
    char *path;
    int64_t run_id;
    gboolean results_written;
};

/* runs.seed has no declared type on purpose: a seed above INT64_MAX is
 * stored as decimal text, and an INTEGER column would turn that text into
 * a lossy REAL. */
static const char db_schema[] =
    "CREATE TABLE runs (\n"
    "  id INTEGER PRIMARY KEY, scenario TEXT, seed, version TEXT,\n"
    "  trace_hash TEXT, crypto TEXT, started_at TEXT, wall_s REAL, sim_s REAL,\n"
    "  events INTEGER, verdict TEXT NOT NULL,\n"
    "  scenario_path TEXT, stop_reason TEXT);\n"
    "CREATE TABLE blocks (\n"
    "  run_id INTEGER NOT NULL REFERENCES runs(id), height INTEGER, view INTEGER,\n"
    "  proposer TEXT, hash TEXT, tx_count INTEGER, proposed_ns INTEGER,\n"
    "  first_commit_ns INTEGER, reached_all_ns INTEGER, reached_count INTEGER,\n"
    "  reached_p50_ns INTEGER);\n"
    "CREATE TABLE commits (\n"
    "  run_id INTEGER NOT NULL REFERENCES runs(id), height INTEGER, node TEXT,\n"
    "  committed_ns INTEGER);\n"
    "CREATE TABLE slashings (\n"
    "  run_id INTEGER NOT NULL REFERENCES runs(id), at_ns INTEGER, validator TEXT,\n"
    "  reason TEXT, amount INTEGER, evidence_height INTEGER);\n"
    "CREATE TABLE validator_changes (\n"
    "  run_id INTEGER NOT NULL REFERENCES runs(id), at_ns INTEGER, validator TEXT,\n"
    "  change TEXT, height INTEGER, effective_height INTEGER);\n"
    "CREATE TABLE faults (\n"
    "  run_id INTEGER NOT NULL REFERENCES runs(id), name TEXT, action TEXT,\n"
    "  at_ns INTEGER, until_ns INTEGER, nodes TEXT);\n"
    "CREATE TABLE metrics (\n"
    "  run_id INTEGER NOT NULL REFERENCES runs(id), name TEXT, value REAL);\n"
    "CREATE TABLE txs (\n"
    "  run_id INTEGER NOT NULL REFERENCES runs(id), submitted_ns INTEGER,\n"
    "  final_ns INTEGER, node TEXT);\n"
    "CREATE TABLE receipts (\n"
    "  run_id INTEGER NOT NULL REFERENCES runs(id), height INTEGER, node TEXT,\n"
    "  delay_ns INTEGER);\n"
    "CREATE TABLE view_changes (\n"
    "  run_id INTEGER NOT NULL REFERENCES runs(id), view INTEGER, cause TEXT,\n"
    "  first_node TEXT, started_ns INTEGER, ended_ns INTEGER);\n"
    "CREATE TABLE propagation (\n"
    "  run_id INTEGER NOT NULL REFERENCES runs(id), height INTEGER, view INTEGER,\n"
    "  proposer TEXT, reached_p50_ns INTEGER, reached_p90_ns INTEGER,\n"
    "  reached_p99_ns INTEGER, reached_all_ns INTEGER, live_nodes INTEGER);\n"
    "CREATE TABLE peers (\n"
    "  run_id INTEGER NOT NULL REFERENCES runs(id), node TEXT, peers INTEGER,\n"
    "  bytes_sent INTEGER, bytes_received INTEGER, gossip_first INTEGER,\n"
    "  gossip_duplicate INTEGER, throttled INTEGER, bans INTEGER);\n"
    "CREATE TABLE partitions_detected (\n"
    "  run_id INTEGER NOT NULL REFERENCES runs(id), node TEXT, suspected_ns INTEGER,\n"
    "  healed_ns INTEGER, stake_seen INTEGER, stake_total INTEGER);\n"
    "CREATE TABLE churn (\n"
    "  run_id INTEGER NOT NULL REFERENCES runs(id), at_ns INTEGER, node TEXT,\n"
    "  kind TEXT);\n"
    "CREATE TABLE expectations (\n"
    "  run_id INTEGER NOT NULL REFERENCES runs(id), key TEXT, target TEXT,\n"
    "  actual TEXT, passed INTEGER);\n";

/* ---- errors and small statement helpers ---- */

static gboolean db_fail(rep_db *db, GError **error, const char *what)
{
    g_set_error(error, REP_DB_ERROR, REP_DB_ERROR_SQL, "%s: %s: %s", db->path, what,
                sqlite3_errmsg(db->sql));
    return FALSE;
}

static gboolean db_exec(rep_db *db, const char *sql, GError **error)
{
    char *message = NULL;
    if (sqlite3_exec(db->sql, sql, NULL, NULL, &message) != SQLITE_OK) {
        g_set_error(error, REP_DB_ERROR, REP_DB_ERROR_SQL, "%s: %s", db->path,
                    message != NULL ? message : sqlite3_errmsg(db->sql));
        sqlite3_free(message);
        return FALSE;
    }
    return TRUE;
}

static void db_rollback(rep_db *db)
{
    /* Best effort: if it fails, the journal rolls back on next open. */
    if (!sqlite3_get_autocommit(db->sql)) {
        sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
    }
}

/* Bind helpers: SQLite's status is checked once per row by db_step. */
static void db_bind_text(sqlite3_stmt *st, int col, const char *text)
{
    if (text == NULL) {
        sqlite3_bind_null(st, col);
    } else {
        sqlite3_bind_text(st, col, text, -1, SQLITE_TRANSIENT);
    }
}

static void db_bind_time(sqlite3_stmt *st, int col, int64_t t_ns)
{
    if (t_ns < 0) {
        sqlite3_bind_null(st, col);
    } else {
        sqlite3_bind_int64(st, col, t_ns);
    }
}

static void db_bind_real(sqlite3_stmt *st, int col, double value)
{
    if (isfinite(value)) {
        sqlite3_bind_double(st, col, value);
    } else {
        sqlite3_bind_null(st, col);
    }
}

static void db_bind_u64(sqlite3_stmt *st, int col, uint64_t value)
{
    if (value <= (uint64_t)INT64_MAX) {
        sqlite3_bind_int64(st, col, (sqlite3_int64)value);
    } else {
        char text[24];
        g_snprintf(text, sizeof text, "%" PRIu64, value);
        sqlite3_bind_text(st, col, text, -1, SQLITE_TRANSIENT);
    }
}

static void db_bind_node(sqlite3_stmt *st, int col, const rep_run_info *info, uint32_t node)
{
    const char *name = rep_run_info_node_name(info, node);
    if (name != NULL) {
        sqlite3_bind_text(st, col, name, -1, SQLITE_STATIC);
    } else {
        char text[16];
        g_snprintf(text, sizeof text, "#%" PRIu32, node);
        sqlite3_bind_text(st, col, text, -1, SQLITE_TRANSIENT);
    }
}

static void db_bind_hash(sqlite3_stmt *st, int col, const proto_hash *h)
{
    static const char digits[] = "0123456789abcdef";
    char hex[2 * PROTO_HASH_SIZE + 1];
    for (size_t i = 0; i < PROTO_HASH_SIZE; i++) {
        hex[2 * i] = digits[h->bytes[i] >> 4];
        hex[2 * i + 1] = digits[h->bytes[i] & 0x0f];
    }
    hex[2 * PROTO_HASH_SIZE] = '\0';
    sqlite3_bind_text(st, col, hex, 2 * PROTO_HASH_SIZE, SQLITE_TRANSIENT);
}

/* Run a bound statement to completion and make it ready for the next row
 * (every caller binds every parameter of every row, so no clearing). */
static gboolean db_step(rep_db *db, sqlite3_stmt *st, const char *what, GError **error)
{
    gboolean ok = sqlite3_step(st) == SQLITE_DONE || db_fail(db, error, what);
    sqlite3_reset(st);
    return ok;
}

static sqlite3_stmt *db_prepare(rep_db *db, const char *sql, GError **error)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) != SQLITE_OK) {
        db_fail(db, error, "prepare");
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

/* ---- begin ---- */

/* A database left by an earlier run, with its side files. */
static gboolean db_remove_old(const char *path, GError **error)
{
    static const char *const suffixes[] = { "", "-journal", "-wal", "-shm" };
    for (size_t i = 0; i < G_N_ELEMENTS(suffixes); i++) {
        g_autofree char *file = g_strconcat(path, suffixes[i], NULL);
        if (g_remove(file) != 0 && errno != ENOENT) {
            int saved = errno;
            g_set_error(error, REP_DB_ERROR, REP_DB_ERROR_OPEN, "%s: cannot remove old file: %s",
                        file, g_strerror(saved));
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean db_open(rep_db *db, GError **error)
{
    /* NOMUTEX: one thread uses the connection; SQLite's per-call mutex
     * was ~7% of the time per row. */
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(db->path, &db->sql, flags, NULL) != SQLITE_OK) {
        g_set_error(error, REP_DB_ERROR, REP_DB_ERROR_OPEN, "%s: cannot open database: %s",
                    db->path, db->sql != NULL ? sqlite3_errmsg(db->sql) : "out of memory");
        return FALSE;
    }
    sqlite3_extended_result_codes(db->sql, 1);
    sqlite3_busy_timeout(db->sql, 2000);
    /* Measured on the 2-core dev VM (ext4), one results transaction:
     * ~0.8 us per row (13k rows in 10-20 ms, 1.2M rows in ~1 s), the same
     * within noise for DELETE and WAL and for synchronous NORMAL and FULL,
     * because the cost is SQLite's per-row work, not syncing. So we keep
     * the rollback journal: a finished database is one self-contained
     * file, with no -wal/-shm beside it. */
    return db_exec(db, "PRAGMA journal_mode=DELETE; PRAGMA synchronous=NORMAL;", error);
}

static gboolean db_insert_run(rep_db *db, const rep_run_info *info, GError **error)
{
    sqlite3_stmt *st = db_prepare(db,
        "INSERT INTO runs (scenario, seed, version, trace_hash, crypto, started_at, wall_s,"
        " sim_s, events, verdict, scenario_path, stop_reason)"
        " VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, NULL, ?, ?, NULL)", error);
    if (st == NULL) {
        return FALSE;
    }
    db_bind_text(st, 1, info->scenario);
    db_bind_u64(st, 2, info->seed);
    db_bind_text(st, 3, info->version);
    db_bind_text(st, 4, info->trace_hash_hex);
    db_bind_text(st, 5, info->crypto);
    db_bind_text(st, 6, info->started_at);
    db_bind_text(st, 7, rep_verdict_name(REP_VERDICT_INCOMPLETE));
    db_bind_text(st, 8, info->scenario_path);
    gboolean ok = db_step(db, st, "insert run", error);
    sqlite3_finalize(st);
    db->run_id = sqlite3_last_insert_rowid(db->sql);
    return ok;
}

gboolean rep_db_begin(const char *path, const rep_run_info *info, rep_db **out, GError **error)
{
    g_return_val_if_fail(path != NULL && info != NULL && out != NULL, FALSE);
    *out = NULL;
    if (!db_remove_old(path, error)) {
        return FALSE;
    }
    /* The first transaction (schema and the "incomplete" runs row) is
     * written under a temporary name and renamed into place once it has
     * committed, so results.sqlite never exists without its runs row: a
     * process killed this early leaves no database rather than an empty
     * one. The connection is closed across the rename (SQLite names its
     * journal after the path it opened). */
    g_autofree char *tmp = g_strconcat(path, ".tmp", NULL);
    if (!db_remove_old(tmp, error))
        return FALSE;
    rep_db *db = g_new0(rep_db, 1);
    db->path = g_strdup(tmp);
    gboolean ok = db_open(db, error) && db_exec(db, "BEGIN IMMEDIATE", error) &&
                  db_exec(db, db_schema, error) && db_insert_run(db, info, error) &&
                  db_exec(db, "COMMIT", error);
    if (!ok) {
        db_rollback(db);
        rep_db_close(db);
        g_remove(tmp);
        return FALSE;
    }
    sqlite3_close_v2(db->sql);
    db->sql = NULL;
    if (g_rename(tmp, path) != 0) {
        int saved = errno;
        g_set_error(error, REP_DB_ERROR, REP_DB_ERROR_OPEN, "%s: cannot rename to %s: %s", tmp,
                    path, g_strerror(saved));
        rep_db_close(db);
        return FALSE;
    }
    g_free(db->path);
    db->path = g_strdup(path);
    if (!db_open(db, error)) {
        rep_db_close(db);
        return FALSE;
    }
    *out = db;
    return TRUE;
}

/* ---- results ---- */

/* Binds one record's columns from 2 on (column 1 is the run id). */
typedef void (*db_bind_row_fn)(sqlite3_stmt *st, const rep_run_info *info, const void *row);

/* Insert every record of `rows` with one prepared statement, reset and
 * rebound per row. */
static gboolean db_insert_rows(rep_db *db, const rep_run_info *info, const char *sql,
                               const GArray *rows, db_bind_row_fn bind, const char *what,
                               GError **error)
{
    sqlite3_stmt *st = db_prepare(db, sql, error);
    if (st == NULL)
        return FALSE;
    guint size = g_array_get_element_size((GArray *)rows);
    gboolean ok = TRUE;
    for (guint i = 0; ok && i < rows->len; i++) {
        sqlite3_bind_int64(st, 1, db->run_id);
        bind(st, info, rows->data + (gsize)i * size);
        ok = db_step(db, st, what, error);
    }
    sqlite3_finalize(st);
    return ok;
}

static void bind_block(sqlite3_stmt *st, const rep_run_info *info, const void *row)
{
    const sim_block_record *b = row;
    db_bind_u64(st, 2, b->height);
    db_bind_u64(st, 3, b->slot);
    db_bind_node(st, 4, info, b->proposer);
    db_bind_hash(st, 5, &b->hash);
    sqlite3_bind_int64(st, 6, b->tx_count);
    db_bind_time(st, 7, b->proposed_ns);
    db_bind_time(st, 8, b->first_final_ns);
    db_bind_time(st, 9, b->reached_all_ns);
    sqlite3_bind_int64(st, 10, b->reached_count);
    db_bind_time(st, 11, b->reached_p50_ns);
}

static void bind_commit(sqlite3_stmt *st, const rep_run_info *info, const void *row)
{
    const sim_commit_record *c = row;
    db_bind_u64(st, 2, c->height);
    db_bind_node(st, 3, info, c->node);
    db_bind_time(st, 4, c->committed_ns);
}

static void bind_tx(sqlite3_stmt *st, const rep_run_info *info, const void *row)
{
    const sim_tx_record *t = row;
    db_bind_time(st, 2, t->submitted_ns);
    db_bind_time(st, 3, t->final_ns);
    db_bind_node(st, 4, info, t->node);
}

static void bind_fault(sqlite3_stmt *st, const rep_run_info *info, const void *row)
{
    const sim_fault_record *f = row;
    (void)info;
    db_bind_text(st, 2, f->name);
    db_bind_text(st, 3, f->action);
    db_bind_time(st, 4, f->at_ns);
    db_bind_time(st, 5, f->until_ns);
    db_bind_text(st, 6, f->nodes);
}

/* Block propagation: when each node (but the proposer) first held each
 * block, as the delay from the block's proposal. */
static void bind_receipt(sqlite3_stmt *st, const rep_run_info *info, const void *row)
{
    const sim_receipt_record *r = row;
    db_bind_u64(st, 2, r->height);
    db_bind_node(st, 3, info, r->node);
    sqlite3_bind_int64(st, 4, r->delay_ns);
}

/* Block propagation per block: how long after its proposal 50, 90, 99 and
 * 100% of the nodes live at the proposal held it (NULL: never). */
static void bind_propagation(sqlite3_stmt *st, const rep_run_info *info, const void *row)
{
    const sim_block_record *b = row;
    db_bind_u64(st, 2, b->height);
    db_bind_u64(st, 3, b->slot);
    db_bind_node(st, 4, info, b->proposer);
    db_bind_time(st, 5, b->reached_p50_ns);
    db_bind_time(st, 6, b->reached_p90_ns);
    db_bind_time(st, 7, b->reached_p99_ns);
    db_bind_time(st, 8, b->reached_all_ns);
    sqlite3_bind_int64(st, 9, b->live_count);
}

/* One row per node at the end of the run (a node down at the end: as it
 * went down); the mesh columns are NULL for a node that never ran a p2p
 * node (topology = direct). */
static void bind_peer(sqlite3_stmt *st, const rep_run_info *info, const void *row)
{
    const sim_peer_record *r = row;
    db_bind_node(st, 2, info, r->node);
    db_bind_u64(st, 4, r->bytes_sent);
    db_bind_u64(st, 5, r->bytes_received);
    if (r->mesh) {
        sqlite3_bind_int64(st, 3, r->peers);
        db_bind_u64(st, 6, r->gossip_first);
        db_bind_u64(st, 7, r->gossip_duplicate);
        db_bind_u64(st, 8, r->throttled);
        db_bind_u64(st, 9, r->bans);
    } else {
        static const int mesh_columns[] = {3, 6, 7, 8, 9};
        for (size_t c = 0; c < G_N_ELEMENTS(mesh_columns); c++)
            sqlite3_bind_null(st, mesh_columns[c]);
    }
}

/* Partitions the mesh noticed: each node's suspicions, from the
 * suspicion to its lifting (NULL: never lifted). */
static void bind_partition(sqlite3_stmt *st, const rep_run_info *info, const void *row)
{
    const sim_partition_record *r = row;
    db_bind_node(st, 2, info, r->node);
    db_bind_time(st, 3, r->suspected_ns);
    db_bind_time(st, 4, r->healed_ns);
    db_bind_u64(st, 5, r->stake_seen);
    db_bind_u64(st, 6, r->stake_total);
}

/* Churn: every join and leave, in time order. */
static void bind_churn(sqlite3_stmt *st, const rep_run_info *info, const void *row)
{
    const sim_membership_record *r = row;
    db_bind_time(st, 2, r->at_ns);
    db_bind_node(st, 3, info, r->node);
    db_bind_text(st, 4, r->kind);
}

/* PBFT view changes: first VIEW-CHANGE for the view -> first node in it
 * (ended_ns NULL if nobody got there). */
static void bind_view_change(sqlite3_stmt *st, const rep_run_info *info, const void *row)
{
    const sim_view_change_record *r = row;
    db_bind_u64(st, 2, r->view);
    db_bind_text(st, 3, r->cause);
    db_bind_node(st, 4, info, r->first_node);
    db_bind_time(st, 5, r->started_ns);
    db_bind_time(st, 6, r->ended_ns);
}

/* Slashings, once each (the simulator deduplicates the reports of every
 * node that committed the slashing block). */
static void bind_slashing(sqlite3_stmt *st, const rep_run_info *info, const void *row)
{
    const sim_slashing_record *r = row;
    db_bind_time(st, 2, r->at_ns);
    db_bind_node(st, 3, info, r->validator);
    db_bind_text(st, 4, r->reason);
    db_bind_u64(st, 5, r->amount);
    db_bind_u64(st, 6, r->evidence_height);
}

/* Jails (with each slashing), unjails and key rotations, with the block
 * that made each change and the first height it applies to. */
static void bind_validator_change(sqlite3_stmt *st, const rep_run_info *info, const void *row)
{
    const sim_validator_change_record *r = row;
    db_bind_time(st, 2, r->at_ns);
    db_bind_node(st, 3, info, r->validator);
    db_bind_text(st, 4, r->change);
    db_bind_u64(st, 5, r->height);
    db_bind_u64(st, 6, r->effective_height);
}

static void bind_metric(sqlite3_stmt *st, const rep_run_info *info, const void *row)
{
    const sim_figure *fig = row;
    (void)info;
    db_bind_text(st, 2, fig->name);
    db_bind_real(st, 3, fig->value);
}

static void bind_expect(sqlite3_stmt *st, const rep_run_info *info, const void *row)
{
    const rep_expect_result *e = row;
    (void)info;
    db_bind_text(st, 2, e->key);
    db_bind_text(st, 3, e->target);
    db_bind_text(st, 4, e->actual);
    sqlite3_bind_int(st, 5, e->passed ? 1 : 0);
}

/* Every table of a run's records, in the order they are written. */
static gboolean db_write_tables(rep_db *db, const rep_run_info *info, const sim_metrics *m,
                                GError **error)
{
    const struct {
        const char *sql;
        const GArray *rows;
        db_bind_row_fn bind;
        const char *what;
    } tables[] = {
        {"INSERT INTO blocks (run_id, height, view, proposer, hash, tx_count, proposed_ns,"
         " first_commit_ns, reached_all_ns, reached_count, reached_p50_ns)"
         " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
         m->blocks, bind_block, "insert block"},
        {"INSERT INTO commits (run_id, height, node, committed_ns) VALUES (?, ?, ?, ?)",
         m->commits, bind_commit, "insert commit"},
        {"INSERT INTO txs (run_id, submitted_ns, final_ns, node) VALUES (?, ?, ?, ?)", m->txs,
         bind_tx, "insert tx"},
        {"INSERT INTO faults (run_id, name, action, at_ns, until_ns, nodes)"
         " VALUES (?, ?, ?, ?, ?, ?)",
         m->faults, bind_fault, "insert fault"},
        {"INSERT INTO view_changes (run_id, view, cause, first_node, started_ns, ended_ns)"
         " VALUES (?, ?, ?, ?, ?, ?)",
         m->view_changes, bind_view_change, "insert view change"},
        {"INSERT INTO receipts (run_id, height, node, delay_ns) VALUES (?, ?, ?, ?)",
         m->receipts, bind_receipt, "insert receipt"},
        {"INSERT INTO propagation (run_id, height, view, proposer, reached_p50_ns,"
         " reached_p90_ns, reached_p99_ns, reached_all_ns, live_nodes)"
         " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
         m->blocks, bind_propagation, "insert propagation"},
        {"INSERT INTO peers (run_id, node, peers, bytes_sent, bytes_received, gossip_first,"
         " gossip_duplicate, throttled, bans) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
         m->peers, bind_peer, "insert peers"},
        {"INSERT INTO partitions_detected (run_id, node, suspected_ns, healed_ns, stake_seen,"
         " stake_total) VALUES (?, ?, ?, ?, ?, ?)",
         m->partitions, bind_partition, "insert partition"},
        {"INSERT INTO churn (run_id, at_ns, node, kind) VALUES (?, ?, ?, ?)", m->churn,
         bind_churn, "insert churn"},
        {"INSERT INTO slashings (run_id, at_ns, validator, reason, amount, evidence_height)"
         " VALUES (?, ?, ?, ?, ?, ?)",
         m->slashings, bind_slashing, "insert slashing"},
        {"INSERT INTO validator_changes (run_id, at_ns, validator, change, height,"
         " effective_height) VALUES (?, ?, ?, ?, ?, ?)",
         m->validator_changes, bind_validator_change, "insert validator change"},
        {"INSERT INTO metrics (run_id, name, value) VALUES (?, ?, ?)", m->figures, bind_metric,
         "insert metric"},
        {"INSERT INTO expectations (run_id, key, target, actual, passed)"
         " VALUES (?, ?, ?, ?, ?)",
         info->expects, bind_expect, "insert expectation"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(tables); i++)
        if (!db_insert_rows(db, info, tables[i].sql, tables[i].rows, tables[i].bind,
                            tables[i].what, error))
            return FALSE;
    return TRUE;
}

/* The stop reason is known only once the run is over, like the results;
 * until then it says which phase is under way (rep_db_set_stop_reason). */
static gboolean db_update_stop_reason(rep_db *db, const char *reason, GError **error)
{
    sqlite3_stmt *st = db_prepare(db, "UPDATE runs SET stop_reason = ? WHERE id = ?", error);
    if (st == NULL) {
        return FALSE;
    }
    db_bind_text(st, 1, reason);
    sqlite3_bind_int64(st, 2, db->run_id);
    gboolean ok = db_step(db, st, "update stop reason", error);
    sqlite3_finalize(st);
    return ok;
}

static gboolean db_write_stop_reason(rep_db *db, const rep_run_info *info, GError **error)
{
    return db_update_stop_reason(db, info->stop_reason, error);
}

gboolean rep_db_set_stop_reason(rep_db *db, const char *reason, GError **error)
{
    g_return_val_if_fail(db != NULL, FALSE);
    if (db->results_written) {
        g_set_error(error, REP_DB_ERROR, REP_DB_ERROR_STATE, "%s: results already written",
                    db->path);
        return FALSE;
    }
    return db_update_stop_reason(db, reason, error); /* autocommit: one transaction */
}

gboolean rep_db_write_results(rep_db *db, const rep_run_info *info, const sim_metrics *m,
                              GError **error)
{
    g_return_val_if_fail(db != NULL && info != NULL && m != NULL, FALSE);
    if (db->results_written) {
        g_set_error(error, REP_DB_ERROR, REP_DB_ERROR_STATE, "%s: results already written",
                    db->path);
        return FALSE;
    }
    gboolean ok = db_exec(db, "BEGIN IMMEDIATE", error) && db_write_tables(db, info, m, error) &&
                  db_write_stop_reason(db, info, error) &&
                  db_exec(db, "COMMIT", error);
    if (!ok) {
        db_rollback(db);
        return FALSE;
    }
    db->results_written = TRUE;
    return TRUE;
}

/* ---- finish ---- */

gboolean rep_db_finish(rep_db *db, rep_verdict verdict, double wall_s, double sim_s,
                       uint64_t events, const char *trace_hash_hex, GError **error)
{
    g_return_val_if_fail(db != NULL, FALSE);
    sqlite3_stmt *st = db_prepare(db,
        "UPDATE runs SET verdict = ?, wall_s = ?, sim_s = ?, events = ?,"
        " trace_hash = coalesce(?, trace_hash) WHERE id = ?", error);
    if (st == NULL) {
        return FALSE;
    }
    db_bind_text(st, 1, rep_verdict_name(verdict));
    db_bind_real(st, 2, wall_s);
    db_bind_real(st, 3, sim_s);
    db_bind_u64(st, 4, events);
    db_bind_text(st, 5, trace_hash_hex);
    sqlite3_bind_int64(st, 6, db->run_id);
    /* A single statement outside BEGIN is its own transaction. */
    gboolean ok = db_step(db, st, "update run", error);
    sqlite3_finalize(st);
    if (ok && sqlite3_changes(db->sql) != 1) {
        g_set_error(error, REP_DB_ERROR, REP_DB_ERROR_STATE, "%s: run %" PRId64 " not found",
                    db->path, db->run_id);
        return FALSE;
    }
    return ok;
}

void rep_db_close(rep_db *db)
{
    if (db == NULL) {
        return;
    }
    sqlite3_close_v2(db->sql);
    g_free(db->path);
    g_free(db);
}

int64_t rep_db_run_id(const rep_db *db)
{
    return db->run_id;
}
