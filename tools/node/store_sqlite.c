/* A node's durable key-value store in SQLite (see store_sqlite.h). */
#include "tools/node/store_sqlite.h"

#include <sqlite3.h>

#define TB_STORE_BUSY_TIMEOUT_MS 5000

struct tb_store {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *put;
    sqlite3_stmt *get;
};

#define TB_STORE_ERROR (g_quark_from_static_string("tb-store-error"))

static bool store_fail(tb_store *s, GError **error, const char *what)
{
    g_set_error(error, TB_STORE_ERROR, 1, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
    return false;
}

static bool store_exec(tb_store *s, const char *sql, GError **error)
{
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return store_fail(s, error, sql);
    return true;
}

tb_store *tb_store_open(const char *path, GError **error)
{
    tb_store *s = g_new0(tb_store, 1);
    s->path = g_strdup(path);
    if (sqlite3_open(path, &s->db) != SQLITE_OK) {
        store_fail(s, error, "cannot open the store");
        tb_store_close(s);
        return NULL;
    }
    sqlite3_busy_timeout(s->db, TB_STORE_BUSY_TIMEOUT_MS);
    if (!store_exec(s, "PRAGMA journal_mode=WAL", error) ||
        !store_exec(s, "PRAGMA synchronous=NORMAL", error) ||
        !store_exec(s, "CREATE TABLE IF NOT EXISTS kv(key TEXT PRIMARY KEY, value BLOB NOT NULL)",
                    error)) {
        tb_store_close(s);
        return NULL;
    }
    if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO kv(key, value) VALUES(?1, ?2)", -1,
                           &s->put, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db, "SELECT value FROM kv WHERE key = ?1", -1, &s->get, NULL) !=
            SQLITE_OK) {
        store_fail(s, error, "cannot prepare the store's statements");
        tb_store_close(s);
        return NULL;
    }
    return s;
}

void tb_store_close(tb_store *s)
{
    if (s == NULL)
        return;
    sqlite3_finalize(s->put);
    sqlite3_finalize(s->get);
    sqlite3_close(s->db);
    g_free(s->path);
    g_free(s);
}

bool tb_store_put(tb_store *s, const char *key, GBytes *value, GError **error)
{
    gsize size;
    const void *data = g_bytes_get_data(value, &size);
    sqlite3_reset(s->put);
    sqlite3_bind_text(s->put, 1, key, -1, SQLITE_TRANSIENT);
    /* A zero-length blob must still be a blob, not NULL. */
    if (size == 0)
        sqlite3_bind_zeroblob(s->put, 2, 0);
    else
        sqlite3_bind_blob(s->put, 2, data, (int)size, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s->put);
    sqlite3_reset(s->put);
    if (rc != SQLITE_DONE)
        return store_fail(s, error, "cannot write to the store");
    return true;
}

GBytes *tb_store_get(tb_store *s, const char *key, GError **error)
{
    sqlite3_reset(s->get);
    sqlite3_bind_text(s->get, 1, key, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s->get);
    GBytes *value = NULL;
    if (rc == SQLITE_ROW) {
        const void *data = sqlite3_column_blob(s->get, 0);
        int size = sqlite3_column_bytes(s->get, 0);
        value = g_bytes_new(data, (gsize)size);
    } else if (rc != SQLITE_DONE) {
        store_fail(s, error, "cannot read the store");
    }
    sqlite3_reset(s->get);
    return value;
}

int64_t tb_store_count(tb_store *s)
{
    sqlite3_stmt *st = NULL;
    int64_t count = -1;
    if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM kv", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        count = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return count;
}
