/* A testbed node's records in SQLite (see records.h): one prepared
 * insert per event, inside a transaction that tb_records_flush commits. */
#include "tools/node/records.h"

#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#include "protocol/chain/valset.h"
#include "protocol/core/crypto.h"
#include "protocol/core/msgtype.h"

#define TB_RECORDS_BUSY_TIMEOUT_MS 5000
#define TB_RECORDS_ERROR (g_quark_from_static_string("tb-records-error"))

struct tb_records {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *insert;
    sqlite3_stmt *insert_tx;
    int64_t run;
    uint64_t seq;
    bool in_transaction;
    bool failed;                 /* an insert failed: reported at the next flush */
};

static const char *const records_schema =
    "PRAGMA journal_mode=WAL;"
    "CREATE TABLE IF NOT EXISTS runs(run INTEGER PRIMARY KEY, node TEXT NOT NULL,"
    " node_index INTEGER NOT NULL, validator_index INTEGER, scenario TEXT, seed INTEGER,"
    " chain_id INTEGER, genesis_hash TEXT, listen TEXT, pid INTEGER, genesis_unix_ns INTEGER, started_ns INTEGER,"
    " stopped_ns INTEGER, stop TEXT);"
    "CREATE TABLE IF NOT EXISTS events(run INTEGER NOT NULL, seq INTEGER NOT NULL,"
    " time_ns INTEGER NOT NULL, kind TEXT NOT NULL, height INTEGER, view INTEGER,"
    " proposer INTEGER, tx_count INTEGER, depth INTEGER, peer INTEGER, reason TEXT,"
    " proposed_ns INTEGER, hash TEXT, state_root TEXT, validator INTEGER, amount INTEGER,"
    " evidence_height INTEGER, effective_height INTEGER, PRIMARY KEY(run, seq));"
    "CREATE TABLE IF NOT EXISTS link_stats(run INTEGER NOT NULL, name TEXT NOT NULL,"
    " value INTEGER NOT NULL, PRIMARY KEY(run, name));"
    "CREATE TABLE IF NOT EXISTS final_txs(run INTEGER NOT NULL, time_ns INTEGER NOT NULL,"
    " height INTEGER NOT NULL, hash BLOB NOT NULL);";

const char *tb_event_kind_name(proto_event_kind kind)
{
    static const char *const names[] = {
        [PROTO_EV_BLOCK_PROPOSED] = "block-proposed",
        [PROTO_EV_BLOCK_RECEIVED] = "block-received",
        [PROTO_EV_BLOCK_HEAD] = "block-head",
        [PROTO_EV_BLOCK_FINAL] = "block-final",
        [PROTO_EV_REORG] = "reorg",
        [PROTO_EV_FORK_SEEN] = "fork-seen",
        [PROTO_EV_MSG_REJECTED] = "msg-rejected",
        [PROTO_EV_SYNC_REQUEST] = "sync-request",
        [PROTO_EV_RECOVERED] = "recovered",
        [PROTO_EV_TX_REJECTED] = "tx-rejected",
        [PROTO_EV_VIEW_CHANGE] = "view-change",
        [PROTO_EV_NEW_VIEW] = "new-view",
        [PROTO_EV_CHECKPOINT_STABLE] = "checkpoint-stable",
        [PROTO_EV_PEER_BANNED] = "peer-banned",
        [PROTO_EV_EVIDENCE] = "evidence",
        [PROTO_EV_SLASHED] = "slashed",
        [PROTO_EV_UNJAILED] = "unjailed",
        [PROTO_EV_KEY_ROTATED] = "key-rotated",
        [PROTO_EV_PEER_CONNECTED] = "peer-connected",
        [PROTO_EV_PEER_DISCONNECTED] = "peer-disconnected",
        [PROTO_EV_PARTITION_SUSPECTED] = "partition-suspected",
        [PROTO_EV_PARTITION_HEALED] = "partition-healed",
        [PROTO_EV_TX_RECEIVED] = "tx-received",
        [PROTO_EV_AGENT_STATUS] = "agent-status",
        [PROTO_EV_JOB_STATUS] = "job-status",
        [PROTO_EV_JOB_GAS] = "job-gas",
        [PROTO_EV_DISPUTE] = "dispute",
    };
    if ((size_t)kind < G_N_ELEMENTS(names) && names[kind] != NULL)
        return names[kind];
    return "unknown";
}

static bool records_fail(tb_records *r, GError **error, const char *what)
{
    g_set_error(error, TB_RECORDS_ERROR, 1, "%s: %s: %s", r->path, what, sqlite3_errmsg(r->db));
    return false;
}

static bool records_start_run(tb_records *r, const tb_run_info *info, GError **error)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(r->db,
                           "INSERT INTO runs(node, node_index, validator_index, scenario, seed,"
                           " listen, pid, genesis_unix_ns, started_ns, chain_id, genesis_hash)"
                           " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                           -1, &st, NULL) != SQLITE_OK)
        return records_fail(r, error, "cannot prepare the run row");
    sqlite3_bind_text(st, 1, info->node, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, info->node_index);
    if (info->validator_index >= 0)
        sqlite3_bind_int64(st, 3, info->validator_index);
    sqlite3_bind_text(st, 4, info->scenario, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)info->seed);
    sqlite3_bind_text(st, 6, info->listen, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 7, (sqlite3_int64)getpid());
    sqlite3_bind_int64(st, 8, info->genesis_unix_ns);
    sqlite3_bind_int64(st, 9, info->started_ns);
    sqlite3_bind_int64(st, 10, (sqlite3_int64)info->chain_id);
    sqlite3_bind_text(st, 11, info->genesis_hash, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return records_fail(r, error, "cannot write the run row");
    r->run = sqlite3_last_insert_rowid(r->db);
    return true;
}

tb_records *tb_records_open(const char *path, const tb_run_info *info, GError **error)
{
    tb_records *r = g_new0(tb_records, 1);
    r->path = g_strdup(path);
    bool ok = sqlite3_open(path, &r->db) == SQLITE_OK;
    if (!ok)
        records_fail(r, error, "cannot open the records");
    if (ok) {
        sqlite3_busy_timeout(r->db, TB_RECORDS_BUSY_TIMEOUT_MS);
        ok = sqlite3_exec(r->db, records_schema, NULL, NULL, NULL) == SQLITE_OK;
        if (!ok)
            records_fail(r, error, "cannot create the record tables");
    }
    ok = ok && records_start_run(r, info, error);
    if (ok && sqlite3_prepare_v2(r->db,
                                 "INSERT INTO events VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
                                 " ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
                                 -1, &r->insert, NULL) != SQLITE_OK)
        ok = records_fail(r, error, "cannot prepare the event insert");
    if (ok && sqlite3_prepare_v2(r->db, "INSERT INTO final_txs VALUES(?1, ?2, ?3, ?4)", -1,
                                 &r->insert_tx, NULL) != SQLITE_OK)
        ok = records_fail(r, error, "cannot prepare the transaction insert");
    if (!ok) {
        tb_records_abandon(r);
        return NULL;
    }
    return r;
}

/* The reason column: what the kind's reason field means. */
static const char *event_reason(const proto_event *ev)
{
    switch (ev->kind) {
    case PROTO_EV_MSG_REJECTED:
    case PROTO_EV_TX_REJECTED: return proto_reject_reason_name(ev->reason);
    case PROTO_EV_VIEW_CHANGE: return proto_view_cause_name(ev->cause);
    case PROTO_EV_PEER_DISCONNECTED: return proto_p2p_reason_name(ev->p2p_reason);
    case PROTO_EV_SLASHED:
        return ev->slash_reason == PROTO_SLASH_DOUBLE_SIGN ? "double-sign"
               : ev->slash_reason == PROTO_SLASH_DOWNTIME  ? "downtime"
                                                           : NULL;
    default: return NULL;
    }
}

static void bind_hash(sqlite3_stmt *st, int column, const uint8_t *bytes)
{
    if (bytes == NULL)
        return;
    proto_hash h;
    memcpy(h.bytes, bytes, PROTO_HASH_SIZE);
    char hex[2 * PROTO_HASH_SIZE + 1];
    proto_hash_hex(&h, hex);
    sqlite3_bind_text(st, column, hex, -1, SQLITE_TRANSIENT);
}

static void bind_event(sqlite3_stmt *st, const proto_event *ev)
{
    sqlite3_bind_text(st, 4, tb_event_kind_name(ev->kind), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)ev->height);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)ev->slot);
    sqlite3_bind_int64(st, 7, ev->proposer);
    sqlite3_bind_int64(st, 8, ev->tx_count);
    sqlite3_bind_int64(st, 9, ev->depth);
    sqlite3_bind_int64(st, 10, ev->from);
    const char *reason = event_reason(ev);
    if (reason != NULL)
        sqlite3_bind_text(st, 11, reason, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 12, ev->proposed_ns);
    bind_hash(st, 13, ev->hash);
    bind_hash(st, 14, ev->state_root);
    sqlite3_bind_int64(st, 15, ev->validator);
    sqlite3_bind_int64(st, 16, (sqlite3_int64)ev->amount);
    sqlite3_bind_int64(st, 17, (sqlite3_int64)ev->evidence_height);
    sqlite3_bind_int64(st, 18, (sqlite3_int64)ev->effective_height);
}

static bool records_begin(tb_records *r)
{
    if (!r->in_transaction) {
        if (sqlite3_exec(r->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
            r->failed = true;
            return false;
        }
        r->in_transaction = true;
    }
    return true;
}

void tb_records_final_txs(tb_records *r, int64_t time_ns, uint64_t height,
                          const uint8_t *tx_hashes, uint32_t count)
{
    if (count == 0 || !records_begin(r))
        return;
    sqlite3_stmt *st = r->insert_tx;
    for (uint32_t i = 0; i < count; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, r->run);
        sqlite3_bind_int64(st, 2, time_ns);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)height);
        sqlite3_bind_blob(st, 4, tx_hashes + (size_t)i * PROTO_HASH_SIZE, PROTO_HASH_SIZE,
                          SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            r->failed = true;
    }
    sqlite3_reset(st);
}

void tb_records_event(tb_records *r, int64_t time_ns, const proto_event *ev)
{
    if (!records_begin(r))
        return;
    sqlite3_stmt *st = r->insert;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    sqlite3_bind_int64(st, 1, r->run);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)r->seq);
    sqlite3_bind_int64(st, 3, time_ns);
    bind_event(st, ev);
    if (sqlite3_step(st) != SQLITE_DONE)
        r->failed = true;
    else
        r->seq++;
    sqlite3_reset(st);
}

bool tb_records_flush(tb_records *r, GError **error)
{
    if (r->in_transaction) {
        r->in_transaction = false;
        if (sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            return records_fail(r, error, "cannot commit the records");
    }
    if (r->failed) {
        r->failed = false;
        return records_fail(r, error, "cannot write an event");
    }
    return true;
}

static bool stat_row(tb_records *r, sqlite3_stmt *st, const char *name, uint64_t value)
{
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, r->run);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)value);
    return sqlite3_step(st) == SQLITE_DONE;
}

/* Every counter as a row of link_stats, replacing the run's last ones:
 * the scalar fields by name, and per message type sent.TYPE and
 * bytes_sent.TYPE for the types sent. */
static bool write_link_stats(tb_records *r, const tb_link_stats *stats)
{
    sqlite3_stmt *st = NULL;
    bool ok = sqlite3_prepare_v2(r->db, "INSERT OR REPLACE INTO link_stats VALUES(?1, ?2, ?3)",
                                 -1, &st, NULL) == SQLITE_OK;
    for (size_t i = 0; ok && i < tb_link_stat_fields_count; i++) {
        const tb_link_stat_field *f = &tb_link_stat_fields[i];
        ok = stat_row(r, st, f->name, G_STRUCT_MEMBER(uint64_t, stats, f->offset));
    }
    for (guint t = 0; ok && t < G_N_ELEMENTS(stats->type_frames_out); t++) {
        if (stats->type_frames_out[t] == 0)
            continue;
        const char *type = proto_msg_type_name((uint8_t)t);
        char name[64];
        g_snprintf(name, sizeof name, "sent.%s", type);
        ok = stat_row(r, st, name, stats->type_frames_out[t]);
        g_snprintf(name, sizeof name, "bytes_sent.%s", type);
        ok = ok && stat_row(r, st, name, stats->type_bytes_out[t]);
    }
    sqlite3_finalize(st);
    return ok;
}

bool tb_records_write_stat(tb_records *r, const char *name, uint64_t value, GError **error)
{
    sqlite3_stmt *st = NULL;
    bool ok = records_begin(r) &&
              sqlite3_prepare_v2(r->db, "INSERT OR REPLACE INTO link_stats VALUES(?1, ?2, ?3)",
                                 -1, &st, NULL) == SQLITE_OK &&
              stat_row(r, st, name, value);
    sqlite3_finalize(st);
    return ok || records_fail(r, error, "cannot write a counter");
}

bool tb_records_write_stats(tb_records *r, const tb_link_stats *stats, GError **error)
{
    if (!records_begin(r) || !write_link_stats(r, stats))
        return records_fail(r, error, "cannot write the link counters");
    return true;
}

static bool records_finish_run(tb_records *r, int64_t stopped_ns, const char *stop,
                               const tb_link_stats *stats)
{
    sqlite3_stmt *st = NULL;
    bool ok = sqlite3_prepare_v2(r->db, "UPDATE runs SET stopped_ns = ?1, stop = ?2 WHERE run = ?3",
                                 -1, &st, NULL) == SQLITE_OK;
    if (ok) {
        sqlite3_bind_int64(st, 1, stopped_ns);
        sqlite3_bind_text(st, 2, stop, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 3, r->run);
        ok = sqlite3_step(st) == SQLITE_DONE;
    }
    sqlite3_finalize(st);
    return ok && write_link_stats(r, stats);
}

bool tb_records_close(tb_records *r, int64_t stopped_ns, const char *stop,
                      const tb_link_stats *stats, GError **error)
{
    bool ok = tb_records_flush(r, error);
    if (ok && !records_finish_run(r, stopped_ns, stop, stats))
        ok = records_fail(r, error, "cannot close the run");
    tb_records_abandon(r);
    return ok;
}

void tb_records_abandon(tb_records *r)
{
    if (r == NULL)
        return;
    if (r->in_transaction)
        sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL);
    sqlite3_finalize(r->insert);
    sqlite3_finalize(r->insert_tx);
    sqlite3_close(r->db);
    g_free(r->path);
    g_free(r);
}

uint64_t tb_records_events(const tb_records *r)
{
    return r->seq;
}
