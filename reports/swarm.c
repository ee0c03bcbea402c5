/* Swarm results: outcome classes, swarm.sqlite, merge and summary (see
 * reports/swarm.h).
 *
 * A child's outcome is read from its own results.sqlite: the stop reason
 * names the invariant that stopped the run (safety, accountability,
 * conservation), the expectations table says which target failed. The
 * liveness target needs care: the world asks it to hold, but a run can end
 * before its bound elapsed after the last heal ("undetermined"), or its
 * faults leave no quorum up and connected at the end ("not applicable":
 * crashes may take any validators); [expect] fails such a target (it was
 * not met), but for a swarm it is no failure of the protocol, only a world
 * that cannot judge liveness, and counts as `unjudged`. */
#include "reports/swarm.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>

#include "reports/run_info.h"

G_DEFINE_QUARK(rep-swarm-error-quark, rep_swarm_error)

static const char *const class_names[REP_SWARM_CLASSES] = {
    "pass",     "unjudged", "safety",   "accountability", "conservation", "liveness",
    "target",   "crash",    "internal", "invalid",        "timeout",
};

static const char swarm_schema[] =
    "CREATE TABLE swarm_meta (key TEXT PRIMARY KEY, value TEXT);\n"
    "CREATE TABLE swarm_runs (seed INTEGER PRIMARY KEY, outcome TEXT NOT NULL, detail TEXT,\n"
    "  exit_code INTEGER, trace_hash TEXT, sim_s REAL, wall_s REAL, reproducer TEXT);\n";

const char *rep_swarm_class_name(rep_swarm_class c)
{
    g_assert(c < REP_SWARM_CLASSES);
    return class_names[c];
}

static rep_swarm_class class_from_name(const char *name)
{
    for (int c = 0; c < REP_SWARM_CLASSES; c++) {
        if (g_strcmp0(name, class_names[c]) == 0)
            return (rep_swarm_class)c;
    }
    return REP_SWARM_INTERNAL;
}

bool rep_swarm_class_is_failure(rep_swarm_class c)
{
    return c >= REP_SWARM_SAFETY;
}

void rep_swarm_run_clear(rep_swarm_run *r)
{
    g_free(r->detail);
    g_free(r->trace_hash);
    g_free(r->reproducer);
    memset(r, 0, sizeof *r);
}

/* ---- classifying one child ---- */

static char *column_text(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return t != NULL ? g_strdup((const char *)t) : NULL;
}

/* The first failed [expect] target: its class and detail. */
static rep_swarm_class classify_targets(sqlite3 *db, char **detail)
{
    sqlite3_stmt *st = NULL;
    rep_swarm_class c = REP_SWARM_CRASH;
    if (sqlite3_prepare_v2(db, "SELECT key, actual FROM expectations WHERE passed = 0 "
                           "ORDER BY rowid", -1, &st, NULL) != SQLITE_OK)
        return c;
    bool unjudged = false;
    while (sqlite3_step(st) == SQLITE_ROW) {
        g_autofree char *key = column_text(st, 0);
        g_autofree char *actual = column_text(st, 1);
        if (g_strcmp0(key, "liveness") == 0 && actual != NULL &&
            (g_str_has_prefix(actual, "undetermined") ||
             g_str_has_prefix(actual, "not applicable"))) {
            unjudged = true;
            g_free(*detail);
            *detail = g_strdup_printf("liveness %s", actual);
            continue;
        }
        g_free(*detail);
        *detail = g_strdup_printf("%s: %s", key, actual != NULL ? actual : "?");
        c = g_strcmp0(key, "liveness") == 0 ? REP_SWARM_LIVENESS : REP_SWARM_TARGET;
        break;
    }
    sqlite3_finalize(st);
    return c == REP_SWARM_CRASH && unjudged ? REP_SWARM_UNJUDGED : c;
}

static rep_swarm_class classify_stop(const char *verdict, const char *stop)
{
    if (g_strcmp0(verdict, rep_verdict_name(REP_VERDICT_INCOMPLETE)) == 0 || stop == NULL)
        return REP_SWARM_CRASH;
    if (g_str_has_prefix(stop, "safety violated"))
        return REP_SWARM_SAFETY;
    if (g_str_has_prefix(stop, "accountability violated"))
        return REP_SWARM_ACCOUNTABILITY;
    if (strstr(stop, "conservation") != NULL)
        return REP_SWARM_CONSERVATION;
    if (g_str_has_prefix(stop, "stopped at the event limit"))
        return REP_SWARM_TIMEOUT;
    return REP_SWARM_PASS; /* ran to its end: the targets decide */
}

/* Read the child's database; false when it has none or no runs row. */
static bool classify_db(const char *run_dir, bool exited_ok, rep_swarm_run *r)
{
    g_autofree char *path = g_build_filename(run_dir, "results.sqlite", NULL);
    sqlite3 *db = NULL;
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR) ||
        sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return false;
    }
    sqlite3_stmt *st = NULL;
    bool found = false;
    if (sqlite3_prepare_v2(db, "SELECT verdict, stop_reason, trace_hash, sim_s, wall_s FROM runs "
                           "ORDER BY id LIMIT 1", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        found = true;
        g_autofree char *verdict = column_text(st, 0);
        r->detail = column_text(st, 1);
        r->trace_hash = column_text(st, 2);
        r->sim_s = sqlite3_column_double(st, 3);
        r->wall_s = sqlite3_column_double(st, 4);
        r->outcome = exited_ok ? REP_SWARM_PASS : classify_stop(verdict, r->detail);
        if (!exited_ok && r->outcome == REP_SWARM_PASS)
            r->outcome = classify_targets(db, &r->detail);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return found;
}

void rep_swarm_classify(const char *run_dir, int exit_code, int signal_number, bool timed_out,
                        rep_swarm_run *r)
{
    r->exit_code = exit_code;
    if (timed_out || exit_code < 0) {
        r->outcome = timed_out ? REP_SWARM_TIMEOUT : REP_SWARM_CRASH;
        r->detail = g_strdup_printf("%s (signal %d, %s)",
                                    timed_out ? "wall-clock limit" : "killed by a signal",
                                    signal_number, g_strsignal(signal_number));
        return;
    }
    if (exit_code == 2 || exit_code == 3) {
        r->outcome = exit_code == 2 ? REP_SWARM_INVALID : REP_SWARM_INTERNAL;
        r->detail = g_strdup_printf("exit %d (see the run's log)", exit_code);
        return;
    }
    if (!classify_db(run_dir, exit_code == 0, r)) {
        r->outcome = exit_code == 0 ? REP_SWARM_INTERNAL : REP_SWARM_CRASH;
        r->detail = g_strdup_printf("exit %d without a results database", exit_code);
    }
}

/* ---- swarm.sqlite ---- */

static gboolean sql_fail(sqlite3 *db, const char *what, GError **error)
{
    g_set_error(error, REP_SWARM_ERROR, 0, "swarm database: %s: %s", what,
                db != NULL ? sqlite3_errmsg(db) : "cannot open");
    return FALSE;
}

static gboolean put_meta(sqlite3 *db, const char *key, const char *value, GError **error)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "INSERT INTO swarm_meta VALUES (?, ?)", -1, &st, NULL) != SQLITE_OK)
        return sql_fail(db, "meta", error);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_TRANSIENT);
    gboolean ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_finalize(st);
    return ok ? TRUE : sql_fail(db, "meta", error);
}

static gboolean put_run(sqlite3 *db, sqlite3_stmt *st, const rep_swarm_run *r, GError **error)
{
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, (sqlite3_int64)r->seed);
    sqlite3_bind_text(st, 2, rep_swarm_class_name(r->outcome), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->detail, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 4, r->exit_code);
    sqlite3_bind_text(st, 5, r->trace_hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(st, 6, r->sim_s);
    sqlite3_bind_double(st, 7, r->wall_s);
    sqlite3_bind_text(st, 8, r->reproducer, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE) {
        g_autofree char *what = g_strdup_printf("seed %" G_GUINT64_FORMAT, r->seed);
        return sql_fail(db, what, error);
    }
    return TRUE;
}

static gboolean write_rows(sqlite3 *db, const rep_swarm_meta *meta, const rep_swarm_run *runs,
                           guint count, GError **error)
{
    char wall[G_ASCII_DTOSTR_BUF_SIZE];
    g_ascii_dtostr(wall, sizeof wall, meta->wall_s);
    if (!put_meta(db, "scenario", meta->scenario, error) ||
        !put_meta(db, "mode", meta->mode, error) || !put_meta(db, "seeds", meta->seeds, error) ||
        !put_meta(db, "shard", meta->shard, error) || !put_meta(db, "wall_s", wall, error))
        return FALSE;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "INSERT INTO swarm_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)", -1, &st,
                           NULL) != SQLITE_OK)
        return sql_fail(db, "runs", error);
    gboolean ok = TRUE;
    for (guint i = 0; i < count && ok; i++)
        ok = put_run(db, st, &runs[i], error);
    sqlite3_finalize(st);
    return ok;
}

gboolean rep_swarm_write(const char *out_dir, const rep_swarm_meta *meta,
                         const rep_swarm_run *runs, guint count, GError **error)
{
    if (g_mkdir_with_parents(out_dir, 0755) != 0) {
        g_set_error(error, REP_SWARM_ERROR, 0, "%s: %s", out_dir, g_strerror(errno));
        return FALSE;
    }
    g_autofree char *path = g_build_filename(out_dir, "swarm.sqlite", NULL);
    g_remove(path);
    sqlite3 *db = NULL;
    gboolean ok = sqlite3_open(path, &db) == SQLITE_OK;
    if (!ok)
        sql_fail(db, path, error);
    ok = ok && sqlite3_exec(db, swarm_schema, NULL, NULL, NULL) == SQLITE_OK &&
         sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
    if (db != NULL && !ok && (error == NULL || *error == NULL))
        sql_fail(db, "schema", error);
    ok = ok && write_rows(db, meta, runs, count, error);
    if (ok && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        ok = sql_fail(db, "commit", error);
    sqlite3_close(db);
    return ok;
}

/* ---- reading back and merging ---- */

typedef struct swarm_db {
    GHashTable *meta;  /* key -> value */
    GArray *runs;      /* rep_swarm_run, by seed */
} swarm_db;

static void swarm_db_clear(swarm_db *s)
{
    if (s->meta != NULL)
        g_hash_table_unref(s->meta);
    for (guint i = 0; s->runs != NULL && i < s->runs->len; i++)
        rep_swarm_run_clear(&g_array_index(s->runs, rep_swarm_run, i));
    if (s->runs != NULL)
        g_array_unref(s->runs);
}

static gboolean swarm_db_read_runs(sqlite3 *db, swarm_db *s, GError **error)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT seed, outcome, detail, exit_code, trace_hash, sim_s, "
                           "wall_s, reproducer FROM swarm_runs ORDER BY seed", -1, &st,
                           NULL) != SQLITE_OK)
        return sql_fail(db, "runs", error);
    while (sqlite3_step(st) == SQLITE_ROW) {
        g_autofree char *outcome = column_text(st, 1);
        rep_swarm_run r = {.seed = (uint64_t)sqlite3_column_int64(st, 0),
                           .outcome = class_from_name(outcome),
                           .detail = column_text(st, 2),
                           .exit_code = sqlite3_column_int(st, 3),
                           .trace_hash = column_text(st, 4),
                           .sim_s = sqlite3_column_double(st, 5),
                           .wall_s = sqlite3_column_double(st, 6),
                           .reproducer = column_text(st, 7)};
        g_array_append_val(s->runs, r);
    }
    sqlite3_finalize(st);
    return TRUE;
}

static gboolean swarm_db_read(const char *dir, swarm_db *s, GError **error)
{
    g_autofree char *path = g_build_filename(dir, "swarm.sqlite", NULL);
    s->meta = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    s->runs = g_array_new(FALSE, TRUE, sizeof(rep_swarm_run));
    sqlite3 *db = NULL;
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR) ||
        sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        g_set_error(error, REP_SWARM_ERROR, 1, "%s: no such swarm database", path);
        return FALSE;
    }
    sqlite3_stmt *st = NULL;
    gboolean ok = sqlite3_prepare_v2(db, "SELECT key, value FROM swarm_meta", -1, &st, NULL) ==
                  SQLITE_OK;
    while (ok && sqlite3_step(st) == SQLITE_ROW)
        g_hash_table_insert(s->meta, column_text(st, 0), column_text(st, 1));
    sqlite3_finalize(st);
    ok = ok ? swarm_db_read_runs(db, s, error) : sql_fail(db, path, error);
    sqlite3_close(db);
    return ok;
}

static const char *meta_of(const swarm_db *s, const char *key)
{
    const char *v = g_hash_table_lookup(s->meta, key);
    return v != NULL ? v : "";
}

/* Add shard's runs into all (keyed by seed); a seed seen twice must agree. */
static gboolean merge_runs(GTree *all, swarm_db *shard, const char *dir, GError **error)
{
    for (guint i = 0; i < shard->runs->len; i++) {
        rep_swarm_run *r = &g_array_index(shard->runs, rep_swarm_run, i);
        const rep_swarm_run *old = g_tree_lookup(all, &r->seed);
        if (old != NULL) {
            if (old->outcome != r->outcome || g_strcmp0(old->trace_hash, r->trace_hash) != 0) {
                g_set_error(error, REP_SWARM_ERROR, 0, "%s: seed %" G_GUINT64_FORMAT
                            " disagrees with another shard", dir, r->seed);
                return FALSE;
            }
            continue;
        }
        rep_swarm_run *copy = g_new(rep_swarm_run, 1);
        *copy = *r;
        memset(r, 0, sizeof *r); /* ownership moved */
        g_tree_insert(all, &copy->seed, copy);
    }
    return TRUE;
}

static gint seed_cmp(gconstpointer a, gconstpointer b, gpointer unused)
{
    (void)unused;
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void run_free(gpointer p)
{
    rep_swarm_run_clear(p);
    g_free(p);
}

static gboolean tree_to_array(gpointer key, gpointer value, gpointer data)
{
    (void)key;
    g_array_append_vals(data, value, 1);
    return FALSE;
}

gboolean rep_swarm_merge(const char *out_dir, const char *const *shard_dirs, GError **error)
{
    GTree *all = g_tree_new_full(seed_cmp, NULL, NULL, run_free);
    char *scenario = NULL, *mode = NULL, *seeds = NULL;
    double wall_s = 0;
    gboolean ok = TRUE;
    for (guint i = 0; ok && shard_dirs[i] != NULL; i++) {
        swarm_db s = {0};
        ok = swarm_db_read(shard_dirs[i], &s, error);
        if (ok && scenario == NULL) {
            scenario = g_strdup(meta_of(&s, "scenario"));
            mode = g_strdup(meta_of(&s, "mode"));
            seeds = g_strdup(meta_of(&s, "seeds"));
        } else if (ok && (strcmp(scenario, meta_of(&s, "scenario")) != 0 ||
                          strcmp(mode, meta_of(&s, "mode")) != 0 ||
                          strcmp(seeds, meta_of(&s, "seeds")) != 0)) {
            g_set_error(error, REP_SWARM_ERROR, 0, "%s: not a shard of the same swarm "
                        "(scenario, mode or seeds differ)", shard_dirs[i]);
            ok = FALSE;
        }
        if (ok) {
            wall_s = MAX(wall_s, g_ascii_strtod(meta_of(&s, "wall_s"), NULL));
            ok = merge_runs(all, &s, shard_dirs[i], error);
        }
        swarm_db_clear(&s);
    }
    if (ok) {
        /* Shallow copies: the tree keeps ownership. */
        GArray *runs = g_array_new(FALSE, FALSE, sizeof(rep_swarm_run));
        g_tree_foreach(all, tree_to_array, runs);
        rep_swarm_meta meta = {.scenario = scenario, .mode = mode, .seeds = seeds,
                               .shard = "merged", .wall_s = wall_s};
        ok = rep_swarm_write(out_dir, &meta, (const rep_swarm_run *)(void *)runs->data,
                             runs->len, error);
        g_array_unref(runs);
    }
    g_tree_unref(all);
    g_free(scenario);
    g_free(mode);
    g_free(seeds);
    return ok;
}

/* ---- summary ---- */

static char *result_line(const swarm_db *s, guint *failures)
{
    guint counts[REP_SWARM_CLASSES] = {0};
    GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
    for (guint i = 0; i < s->runs->len; i++) {
        const rep_swarm_run *r = &g_array_index(s->runs, rep_swarm_run, i);
        counts[r->outcome]++;
        g_autofree char *row = g_strdup_printf("%" G_GUINT64_FORMAT " %s %s\n", r->seed,
                                               rep_swarm_class_name(r->outcome),
                                               r->trace_hash != NULL ? r->trace_hash : "-");
        g_checksum_update(sum, (const guchar *)row, (gssize)strlen(row));
    }
    GString *line = g_string_new(NULL);
    g_string_printf(line, "swarm result: %u runs of %s (%s, seeds %s): pass %u, liveness "
                    "unjudged %u; failures:", s->runs->len, meta_of(s, "scenario"),
                    meta_of(s, "mode"), meta_of(s, "seeds"), counts[REP_SWARM_PASS],
                    counts[REP_SWARM_UNJUDGED]);
    *failures = 0;
    for (int c = REP_SWARM_SAFETY; c < REP_SWARM_CLASSES; c++) {
        g_string_append_printf(line, " %s %u", class_names[c], counts[c]);
        *failures += counts[c];
    }
    g_string_append_printf(line, "; digest %.16s", g_checksum_get_string(sum));
    g_checksum_free(sum);
    return g_string_free(line, FALSE);
}

gboolean rep_swarm_print(FILE *out, const char *out_dir, guint *failures, GError **error)
{
    swarm_db s = {0};
    if (!swarm_db_read(out_dir, &s, error)) {
        swarm_db_clear(&s);
        return FALSE;
    }
    g_autofree char *line = result_line(&s, failures);
    fprintf(out, "%s\n", line);
    double wall_s = g_ascii_strtod(meta_of(&s, "wall_s"), NULL);
    double sim_s = 0;
    for (guint i = 0; i < s.runs->len; i++)
        sim_s += g_array_index(s.runs, rep_swarm_run, i).sim_s;
    if (wall_s > 0)
        fprintf(out, "swarm speed: %.1f s wall, %.2f runs/s, %.0f runs/hour, %.0f simulated s "
                "in all\n", wall_s, s.runs->len / wall_s, 3600.0 * s.runs->len / wall_s, sim_s);
    for (guint i = 0; i < s.runs->len; i++) {
        const rep_swarm_run *r = &g_array_index(s.runs, rep_swarm_run, i);
        if (rep_swarm_class_is_failure(r->outcome))
            fprintf(out, "  seed %" G_GUINT64_FORMAT ": %s: %s -> %s\n", r->seed,
                    rep_swarm_class_name(r->outcome), r->detail != NULL ? r->detail : "",
                    r->reproducer != NULL ? r->reproducer : "(no reproducer)");
    }
    swarm_db_clear(&s);
    return TRUE;
}
