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
#include "reports/record_fields.h"

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

/* The runs table is not a record table: it is one row from the run info,
 * written in steps (rep_db_begin, the results, rep_db_finish). runs.seed
 * has no declared type on purpose: a seed above INT64_MAX is stored as
 * decimal text, and an INTEGER column would turn that text into a lossy
 * REAL. */
static const char db_runs_schema[] =
    "CREATE TABLE runs (\n"
    "  id INTEGER PRIMARY KEY, scenario TEXT, seed, version TEXT,\n"
    "  trace_hash TEXT, crypto TEXT, started_at TEXT, wall_s REAL, sim_s REAL,\n"
    "  events INTEGER, verdict TEXT NOT NULL,\n"
    "  scenario_path TEXT, stop_reason TEXT);\n";

/* Every other table's columns are filled into lines of at most this many
 * characters (SQLite keeps the CREATE TABLE text as written, and
 * `.dump` shows it). */
#define DB_SCHEMA_LINE_MAX 80

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
    char buf[16];
    sqlite3_bind_text(st, col, rep_node_label(info, node, buf), -1, SQLITE_TRANSIENT);
}

static void db_bind_hash(sqlite3_stmt *st, int col, const proto_hash *h)
{
    char hex[2 * PROTO_HASH_SIZE + 1];
    proto_hash_hex(h, hex);
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

/* ---- the schema, from the record tables ---- */

static const char *db_column_type(rep_field_kind kind)
{
    switch (kind) {
    case REP_FIELD_REAL:
        return "REAL";
    case REP_FIELD_TEXT:
    case REP_FIELD_NODE:
    case REP_FIELD_HASH:
    case REP_FIELD_AGENT:
        return "TEXT";
    default:
        return "INTEGER";
    }
}

/* CREATE TABLE for a record table: run_id, then its database fields in
 * order, "name TYPE" each, filled into lines of DB_SCHEMA_LINE_MAX. */
static void db_schema_table(GString *sql, const rep_record_table *t)
{
    g_string_append_printf(sql, "CREATE TABLE %s (\n", t->name);
    GString *line = g_string_new("  run_id INTEGER NOT NULL REFERENCES runs(id),");
    size_t last = 0;
    for (size_t i = 0; i < t->fields_count; i++)
        if (t->fields[i].outputs & REP_OUT_DB)
            last = i;
    for (size_t i = 0; i <= last; i++) {
        const rep_field *f = &t->fields[i];
        if (!(f->outputs & REP_OUT_DB))
            continue;
        g_autofree char *piece = g_strdup_printf("%s %s%s", f->name, db_column_type(f->kind),
                                                 i < last ? "," : "");
        if (line->len + 1 + strlen(piece) <= DB_SCHEMA_LINE_MAX) {
            g_string_append_printf(line, " %s", piece);
        } else {
            g_string_append_printf(sql, "%s\n", line->str);
            g_string_printf(line, "  %s", piece);
        }
    }
    g_string_append_printf(sql, "%s);\n", line->str);
    g_string_free(line, TRUE);
}

/* The whole schema: runs, then every record table in order. */
static char *db_schema(void)
{
    GString *sql = g_string_new(db_runs_schema);
    size_t count = 0;
    const rep_record_table *const *tables = rep_record_tables(&count);
    for (size_t i = 0; i < count; i++)
        db_schema_table(sql, tables[i]);
    return g_string_free(sql, FALSE);
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
    g_autofree char *schema = db_schema();
    rep_db *db = g_new0(rep_db, 1);
    db->path = g_strdup(tmp);
    gboolean ok = db_open(db, error) && db_exec(db, "BEGIN IMMEDIATE", error) &&
                  db_exec(db, schema, error) && db_insert_run(db, info, error) &&
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

/* One field's value as a parameter: absent values are NULL, nodes their
 * names, hashes hex, a u64 above INT64_MAX decimal text. */
static void db_bind_field(sqlite3_stmt *st, int col, const rep_run_info *info,
                          rep_field_value v)
{
    if (v.absent) {
        sqlite3_bind_null(st, col);
        return;
    }
    switch (v.kind) {
    case REP_FIELD_U64:
    case REP_FIELD_U32:
        db_bind_u64(st, col, v.u64);
        break;
    case REP_FIELD_I64:
    case REP_FIELD_TIME:
        sqlite3_bind_int64(st, col, v.i64);
        break;
    case REP_FIELD_REAL:
        db_bind_real(st, col, v.real);
        break;
    case REP_FIELD_TEXT:
        db_bind_text(st, col, v.text);
        break;
    case REP_FIELD_NODE:
        db_bind_node(st, col, info, v.node);
        break;
    case REP_FIELD_HASH:
        db_bind_hash(st, col, v.hash);
        break;
    case REP_FIELD_GBOOL:
        sqlite3_bind_int(st, col, v.flag ? 1 : 0);
        break;
    case REP_FIELD_AGENT: {
        char buf[16];
        sqlite3_bind_text(st, col, rep_agent_label(v.agent, buf), -1, SQLITE_TRANSIENT);
        break;
    }
    }
}

/* INSERT INTO t (run_id, its database fields) VALUES (?, ...). */
static char *db_insert_sql(const rep_record_table *t)
{
    GString *sql = g_string_new(NULL);
    GString *marks = g_string_new("?");
    g_string_printf(sql, "INSERT INTO %s (run_id", t->name);
    for (size_t i = 0; i < t->fields_count; i++) {
        if (t->fields[i].outputs & REP_OUT_DB) {
            g_string_append_printf(sql, ", %s", t->fields[i].name);
            g_string_append(marks, ", ?");
        }
    }
    g_string_append_printf(sql, ") VALUES (%s)", marks->str);
    g_string_free(marks, TRUE);
    return g_string_free(sql, FALSE);
}

/* Insert every record of one table with one prepared statement, reset
 * and rebound per row (column 1 is the run id). */
static gboolean db_insert_table(rep_db *db, const rep_run_info *info, const rep_record_table *t,
                                const GArray *rows, GError **error)
{
    g_autofree char *sql = db_insert_sql(t);
    g_autofree char *what = g_strdup_printf("insert %s", t->row_name);
    sqlite3_stmt *st = db_prepare(db, sql, error);
    if (st == NULL)
        return FALSE;
    gboolean ok = TRUE;
    for (guint i = 0; ok && i < rows->len; i++) {
        const void *row = rep_record_row(rows, i);
        sqlite3_bind_int64(st, 1, db->run_id);
        int col = 2;
        for (size_t k = 0; k < t->fields_count; k++)
            if (t->fields[k].outputs & REP_OUT_DB)
                db_bind_field(st, col++, info, rep_field_get(&t->fields[k], row));
        ok = db_step(db, st, what, error);
    }
    sqlite3_finalize(st);
    return ok;
}

/* Every record table of the run, in the order the schema creates them. */
static gboolean db_write_tables(rep_db *db, const rep_run_info *info, const sim_metrics *m,
                                GError **error)
{
    size_t count = 0;
    const rep_record_table *const *tables = rep_record_tables(&count);
    for (size_t i = 0; i < count; i++)
        if (!db_insert_table(db, info, tables[i], rep_record_rows(tables[i], info, m), error))
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
