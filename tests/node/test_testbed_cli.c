/* `aitbc-sim testbed` end to end (label `testbed`, about 25 s): the
 * 4-validator PBFT scenario tests/node/data/testbed-crash-4.ini as four
 * aitbc-node processes on loopback, 20 tx/s, v3 crashed at 5 s and
 * restarted from its store at 8 s. From what the command produced:
 *   - exit 0, the runs row says pass, report.json exists, and the
 *     [expect] targets (safety, liveness) held;
 *   - safety: at every height at most one block is final (blocks table),
 *     and in the nodes' own records every node that finalized a height
 *     finalized the same block there;
 *   - liveness and finality everywhere: every height up to the lowest
 *     node's top was final at every node (v3 included, after its
 *     restart), and well past the crash;
 *   - transactions of the workload became final, those sent to v3
 *     before its crash when the others finalized them (not at v3's
 *     restart: finality is measured as the simulator measures it).
 * No timed assertions beyond these. Then the bad input: SIGINT during a
 * testbed stops every node and leaves an intact database marked
 * incomplete (exit 1); a port in use, a missing node binary and what
 * the testbed does not run (delegators) are exit 2 with an error naming
 * them. The case "mesh" (its own CTest,
 * testbed.mesh) runs data/testbed-mesh-8.ini: the P2P mesh, a Byzantine
 * send wrapper and a key rotation as real processes. The case "hosts"
 * (testbed.hosts) runs one network as two machines' testbeds (--hosts,
 * --here, --genesis-ms) and merges their records (--merge-only). */
#include <check.h>
#include <gio/gio.h>
#include <glib.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define NODES 4
#define MIN_COMMON_HEIGHT 10 /* of about 30 in 18 s: a margin for a loaded machine */

static const char *sim_bin, *node_bin, *src_dir;

static void setup(void)
{
    sim_bin = g_getenv("AITBC_SIM_BIN");
    node_bin = g_getenv("AITBC_NODE_BIN");
    src_dir = g_getenv("AITBC_SOURCE_DIR");
    ck_assert_msg(sim_bin != NULL && node_bin != NULL && src_dir != NULL,
                  "run through ctest (AITBC_SIM_BIN, AITBC_NODE_BIN)");
}

static bool port_free(uint16_t port)
{
    GSocket *s =
        g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
    GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    GSocketAddress *a = g_inet_socket_address_new(lo, port);
    gboolean ok = g_socket_bind(s, a, TRUE, NULL);
    g_object_unref(a);
    g_object_unref(lo);
    g_socket_close(s, NULL);
    g_object_unref(s);
    return ok;
}

/* `count` (at most 16) free ports in a row, below the kernel's ephemeral
 * range. Each process starts in a block of 16 of its own (by pid), so
 * the testbed tests CTest runs side by side do not race for the same
 * ports between this check and their nodes' bind. */
static uint16_t pick_ports(uint32_t count)
{
    ck_assert_uint_le(count, 16);
    /* 30000..32703: above test_testbed's 20000..29999. */
    uint32_t base = 30000 + (uint32_t)(getpid() % 169) * 16;
    for (;; base = base + 16 > 32688 ? 30000 : base + 16) {
        bool ok = true;
        for (uint32_t i = 0; i < count && ok; i++)
            ok = port_free((uint16_t)(base + i));
        if (ok)
            return (uint16_t)base;
    }
}

static uint16_t pick_base_port(void)
{
    return pick_ports(NODES);
}

/* Remove a directory tree (what a passing test leaves). */
static void remove_tree(const char *path)
{
    GDir *d = g_dir_open(path, 0, NULL);
    const char *name;
    while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
        char *child = g_build_filename(path, name, NULL);
        if (g_file_test(child, G_FILE_TEST_IS_DIR))
            remove_tree(child);
        else
            unlink(child);
        g_free(child);
    }
    if (d != NULL)
        g_dir_close(d);
    rmdir(path);
}

static char *data_path(const char *file)
{
    return g_build_filename(src_dir, "tests", "node", "data", file, NULL);
}

/* argv for `aitbc-sim testbed FILE` (NULL-terminated), FILE in data/. */
static GPtrArray *testbed_argv_for(const char *file, const char *out, uint16_t base_port,
                                   const char *node)
{
    GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(a, g_strdup(sim_bin));
    g_ptr_array_add(a, g_strdup("testbed"));
    g_ptr_array_add(a, data_path(file));
    g_ptr_array_add(a, g_strdup("--out"));
    g_ptr_array_add(a, g_strdup(out));
    g_ptr_array_add(a, g_strdup("--base-port"));
    g_ptr_array_add(a, g_strdup_printf("%u", base_port));
    g_ptr_array_add(a, g_strdup("--node-bin"));
    g_ptr_array_add(a, g_strdup(node));
    g_ptr_array_add(a, g_strdup("--quiet"));
    g_ptr_array_add(a, g_strdup("--no-plots"));
    g_ptr_array_add(a, NULL);
    return a;
}

static GPtrArray *testbed_argv(const char *out, uint16_t base_port, const char *node)
{
    return testbed_argv_for("testbed-crash-4.ini", out, base_port, node);
}

static int run_sync(GPtrArray *argv, char **err)
{
    int status = 0;
    GError *error = NULL;
    ck_assert_msg(g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               NULL, err, &status, &error),
                  "cannot run %s: %s", sim_bin, error != NULL ? error->message : "");
    return status;
}

static sqlite3 *open_db(const char *path)
{
    sqlite3 *db = NULL;
    ck_assert_msg(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK, "%s",
                  path);
    sqlite3_busy_timeout(db, 5000);
    return db;
}

static int64_t query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
                  sqlite3_errmsg(db));
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

static char *query_text(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s", sql);
    char *v = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL
                  ? g_strdup((const char *)sqlite3_column_text(st, 0))
                  : NULL;
    sqlite3_finalize(st);
    return v;
}

/* Every node's records: height -> hash of what it finalized; safety
 * within a node and across nodes; final everywhere (a height counts as
 * final at a node that reported it final or recovered above it); returns
 * the lowest top height. */
static uint64_t check_node_records(const char *out)
{
    GHashTable *agreed = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    uint64_t lowest_top = UINT64_MAX;
    GHashTable *per_node[NODES];
    for (int i = 0; i < NODES; i++) {
        per_node[i] = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
        char *path = g_strdup_printf("%s/nodes/v%d.records", out, i);
        sqlite3 *db = open_db(path);
        sqlite3_stmt *st;
        ck_assert(sqlite3_prepare_v2(db, "SELECT height, hash FROM events WHERE kind = "
                                         "'block-final'", -1, &st, NULL) == SQLITE_OK);
        uint64_t top = 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
            int64_t h = sqlite3_column_int64(st, 0);
            const char *hash = (const char *)sqlite3_column_text(st, 1);
            ck_assert(hash != NULL);
            const char *before = g_hash_table_lookup(agreed, &h);
            ck_assert_msg(before == NULL || strcmp(before, hash) == 0,
                          "safety: height %" G_GINT64_FORMAT " is %s and %s (v%d)", h, before,
                          hash, i);
            if (before == NULL)
                g_hash_table_insert(agreed, g_memdup2(&h, sizeof h), g_strdup(hash));
            g_hash_table_add(per_node[i], g_memdup2(&h, sizeof h));
            top = MAX(top, (uint64_t)h);
        }
        sqlite3_finalize(st);
        /* A killed node loses the records it had not flushed yet, and on
         * restart it recovers from its durable store at its final height
         * without reporting those blocks final again: everything up to
         * the height it recovered at was final there. */
        ck_assert(sqlite3_prepare_v2(db, "SELECT MAX(height) FROM events WHERE kind = "
                                         "'recovered'", -1, &st, NULL) == SQLITE_OK);
        int64_t recovered = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        for (int64_t h = 1; h <= recovered; h++)
            g_hash_table_add(per_node[i], g_memdup2(&h, sizeof h));
        sqlite3_finalize(st);
        sqlite3_close(db);
        g_free(path);
        lowest_top = MIN(lowest_top, top);
    }
    /* Final at every node: every height up to the lowest top, everywhere. */
    for (int64_t h = 1; h <= (int64_t)lowest_top; h++)
        for (int i = 0; i < NODES; i++)
            ck_assert_msg(g_hash_table_contains(per_node[i], &h),
                          "height %" G_GINT64_FORMAT " was never final at v%d", h, i);
    for (int i = 0; i < NODES; i++)
        g_hash_table_destroy(per_node[i]);
    g_hash_table_destroy(agreed);
    return lowest_top;
}

START_TEST(testbed_with_a_crash_is_safe_live_and_final_everywhere)
{
    char *out = g_dir_make_tmp("aitbc-testbed-run-XXXXXX", NULL);
    GPtrArray *argv = testbed_argv(out, pick_base_port(), node_bin);
    char *err = NULL;
    int status = run_sync(argv, &err);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "aitbc-sim testbed: wait status %d; stderr:\n%s", status, err);
    char *db_path = g_build_filename(out, "results.sqlite", NULL);
    char *json_path = g_build_filename(out, "report.json", NULL);
    ck_assert(g_file_test(json_path, G_FILE_TEST_IS_REGULAR));
    sqlite3 *db = open_db(db_path);
    char *verdict = query_text(db, "SELECT verdict FROM runs");
    ck_assert_str_eq(verdict, "pass");
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM expectations WHERE passed = 1 AND "
                                   "key IN ('safety', 'liveness')"), 2);
    /* Safety in the merged results: one final block per height. */
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM (SELECT height FROM blocks WHERE "
                                   "first_commit_ns IS NOT NULL GROUP BY height "
                                   "HAVING count(DISTINCT hash) > 1)"), 0);
    /* Every node committed, v3 before and after its crash window. */
    for (int i = 0; i < NODES; i++) {
        char *sql = g_strdup_printf("SELECT count(DISTINCT height) FROM commits WHERE node = "
                                    "'v%d'", i);
        ck_assert_int_ge(query_int(db, sql), MIN_COMMON_HEIGHT);
        g_free(sql);
    }
    ck_assert_int_ge(query_int(db, "SELECT count(*) FROM commits WHERE node = 'v3' AND "
                                   "committed_ns > 8000000000"), 1);
    ck_assert_int_ge(query_int(db, "SELECT count(*) FROM txs"), 1);
    /* Finality as the simulator measures it: a transaction v3 passed on
     * before its crash is final when the others finalized it, not when
     * v3 is back (8 s) and finalizes it again. */
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM txs WHERE node = 'v3' AND "
                                   "submitted_ns < 5000000000 AND final_ns >= 8000000000"),
                     0);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM faults WHERE action = 'crash'"), 1);
    char *integrity = query_text(db, "PRAGMA integrity_check");
    ck_assert_str_eq(integrity, "ok");
    sqlite3_close(db);
    uint64_t common = check_node_records(out);
    ck_assert_msg(common >= MIN_COMMON_HEIGHT, "liveness: heights final everywhere up to %lu",
                  (unsigned long)common);
    printf("testbed.run: pass; %lu heights final at all 4 nodes\n", (unsigned long)common);
    g_free(integrity);
    g_free(verdict);
    g_free(db_path);
    g_free(json_path);
    g_free(err);
    g_ptr_array_unref(argv);
    remove_tree(out); /* kept when a check fails, to look at */
    g_free(out);
}
END_TEST

START_TEST(sigint_stops_every_node_and_leaves_an_incomplete_database)
{
    char *out = g_dir_make_tmp("aitbc-testbed-int-XXXXXX", NULL);
    GPtrArray *argv = testbed_argv(out, pick_base_port(), node_bin);
    GPid pid;
    GError *error = NULL;
    ck_assert(g_spawn_async(NULL, (char **)argv->pdata, NULL, G_SPAWN_DO_NOT_REAP_CHILD |
                            G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                            NULL, &pid, &error));
    g_usleep(4 * G_USEC_PER_SEC);
    kill(pid, SIGINT);
    int status = 0;
    gint64 deadline = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (g_get_monotonic_time() > deadline) {
            kill(pid, SIGKILL);
            ck_abort_msg("aitbc-sim testbed did not stop after SIGINT");
        }
        g_usleep(50 * 1000);
    }
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 1, "wait status %d", status);
    char *db_path = g_build_filename(out, "results.sqlite", NULL);
    sqlite3 *db = open_db(db_path);
    char *integrity = query_text(db, "PRAGMA integrity_check");
    ck_assert_str_eq(integrity, "ok");
    char *verdict = query_text(db, "SELECT verdict FROM runs");
    ck_assert_str_eq(verdict, "incomplete");
    sqlite3_close(db);
    /* Every node stopped on its signal: its last run has a stop. */
    for (int i = 0; i < NODES; i++) {
        char *path = g_strdup_printf("%s/nodes/v%d.records", out, i);
        sqlite3 *rdb = open_db(path);
        ck_assert_int_eq(query_int(rdb, "SELECT count(*) FROM runs WHERE stop IS NULL"), 0);
        sqlite3_close(rdb);
        g_free(path);
    }
    g_free(integrity);
    g_free(verdict);
    g_free(db_path);
    g_ptr_array_unref(argv);
    remove_tree(out);
    g_free(out);
}
END_TEST

START_TEST(a_port_in_use_and_a_missing_binary_are_named)
{
    char *out = g_dir_make_tmp("aitbc-testbed-bad-XXXXXX", NULL);
    uint16_t base = pick_base_port();
    /* Hold the third node's port. */
    GSocket *s =
        g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
    GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    GSocketAddress *a = g_inet_socket_address_new(lo, (uint16_t)(base + 2));
    ck_assert(g_socket_bind(s, a, TRUE, NULL) && g_socket_listen(s, NULL));
    GPtrArray *argv = testbed_argv(out, base, node_bin);
    char *err = NULL;
    int status = run_sync(argv, &err);
    char *where = g_strdup_printf("127.0.0.1:%u", base + 2);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 2, "status %d: %s", status, err);
    ck_assert_msg(strstr(err, where) != NULL && strstr(err, "in use") != NULL &&
                  strstr(err, "v2") != NULL, "%s", err);
    g_free(err);
    g_ptr_array_unref(argv);
    g_socket_close(s, NULL);
    g_object_unref(s);
    g_object_unref(a);
    g_object_unref(lo);

    /* What the testbed does not run is named: delegator clients. */
    const char *deleg_argv[] = {sim_bin, "testbed", NULL, "--set", "staking.delegators=3",
                                "--out", out, "--node-bin", node_bin, NULL};
    char *file = data_path("testbed-crash-4.ini");
    deleg_argv[2] = file;
    GPtrArray *dargv = g_ptr_array_new();
    for (size_t i = 0; i < G_N_ELEMENTS(deleg_argv); i++)
        g_ptr_array_add(dargv, (gpointer)deleg_argv[i]);
    status = run_sync(dargv, &err);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 2 &&
                  strstr(err, "delegators") != NULL, "status %d: %s", status, err);
    g_free(err);
    g_ptr_array_unref(dargv);
    g_free(file);

    argv = testbed_argv(out, base, "/nonexistent/aitbc-node");
    status = run_sync(argv, &err);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 2, "status %d: %s", status, err);
    ck_assert_msg(strstr(err, "/nonexistent/aitbc-node") != NULL && strstr(err, "missing"),
                  "%s", err);
    g_free(err);
    g_free(where);
    g_ptr_array_unref(argv);
    remove_tree(out);
    g_free(out);
}
END_TEST

/* The mesh, a Byzantine wrapper, a twin, a key rotation and churn as
 * real processes (data/testbed-mesh-8.ini): safe and live; v3, which
 * equivocates, is slashed for double-sign exactly once, as honest nodes'
 * blocks recorded it; its twin ran in its window and the validators
 * linked to it; n2's spam reached the chain; v1's rotation is committed; every node had mesh
 * peers; full node n2 finalized blocks after its restart; the churn
 * table is the simulated run's, join for join and leave for leave. */
START_TEST(mesh_with_an_equivocator_and_a_key_rotation)
{
    char *out = g_dir_make_tmp("aitbc-testbed-mesh-XXXXXX", NULL);
    GPtrArray *argv = testbed_argv_for("testbed-mesh-8.ini", out, pick_ports(9), node_bin);
    char *err = NULL;
    int status = run_sync(argv, &err);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "aitbc-sim testbed: wait status %d; stderr:\n%s", status, err);
    char *db_path = g_build_filename(out, "results.sqlite", NULL);
    sqlite3 *db = open_db(db_path);
    char *verdict = query_text(db, "SELECT verdict FROM runs");
    ck_assert_str_eq(verdict, "pass");
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM expectations WHERE passed = 1 AND "
                                   "key IN ('safety', 'liveness', 'slashed')"), 3);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM slashings WHERE validator = 'v3' AND "
                                   "reason = 'double-sign'"), 1);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM slashings"), 1);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM validator_changes WHERE validator = "
                                   "'v1' AND change = 'rotate-key'"), 1);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM metrics WHERE name = "
                                   "'peers_per_node_min' AND value >= 1"), 1);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM metrics WHERE name = 'forks' AND "
                                   "value = 0"), 1);
    ck_assert_int_ge(query_int(db, "SELECT count(*) FROM commits WHERE node = 'n2' AND "
                                   "committed_ns > 8000000000"), 1);
    /* n2's spam (50/s for 4 s, about 200) is on the chain beside the
     * workload's transfers. */
    ck_assert_int_ge(query_int(db, "SELECT sum(tx_count) FROM blocks WHERE first_commit_ns "
                                   "IS NOT NULL") - query_int(db, "SELECT count(*) FROM txs"),
                     100);
    /* The twin v3' (node 8) ran in its window, and the validators took it
     * as one of v3's machines (their mesh links to it). */
    for (int v = 0; v < 3; v++) {
        char *path = g_strdup_printf("%s/nodes/v%d.records", out, v);
        sqlite3 *rdb = open_db(path);
        ck_assert_int_ge(query_int(rdb, "SELECT count(*) FROM events WHERE "
                                        "kind = 'peer-connected' AND peer = 8"), 1);
        sqlite3_close(rdb);
        g_free(path);
    }
    char *twin_path = g_strdup_printf("%s/nodes/v3'.records", out);
    sqlite3 *tdb = open_db(twin_path);
    ck_assert_int_eq(query_int(tdb, "SELECT count(*) FROM runs"), 1);
    ck_assert_int_ge(query_int(tdb, "SELECT count(*) FROM events"), 1);
    sqlite3_close(tdb);
    g_free(twin_path);
    /* Churn: the simulator's joins and leaves, the same nodes at the same
     * times (the simulated run of the file says which). */
    char *churn = query_text(db, "SELECT group_concat(at_ns || ' ' || node || ' ' || kind, ', ') "
                                 "FROM (SELECT * FROM churn ORDER BY at_ns)");
    sqlite3_close(db);
    char *sim_out = g_build_filename(out, "sim", NULL);
    char *file = data_path("testbed-mesh-8.ini");
    const char *sim_argv[] = {sim_bin, "run", file, "--out", sim_out, "--quiet", "--no-plots",
                              NULL};
    GPtrArray *sargv = g_ptr_array_new();
    for (size_t i = 0; i < G_N_ELEMENTS(sim_argv); i++)
        g_ptr_array_add(sargv, (gpointer)sim_argv[i]);
    char *sim_err = NULL;
    status = run_sync(sargv, &sim_err);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "aitbc-sim run: %s", sim_err);
    char *sim_db_path = g_build_filename(sim_out, "results.sqlite", NULL);
    sqlite3 *sdb = open_db(sim_db_path);
    char *sim_churn = query_text(sdb, "SELECT group_concat(at_ns || ' ' || node || ' ' || kind, "
                                      "', ') FROM (SELECT * FROM churn ORDER BY at_ns)");
    ck_assert_int_ge(query_int(sdb, "SELECT count(*) FROM churn"), 3);
    sqlite3_close(sdb);
    ck_assert_msg(churn != NULL && sim_churn != NULL && strcmp(churn, sim_churn) == 0,
                  "churn: testbed %s, simulator %s", churn, sim_churn);
    printf("testbed.mesh: pass; churn as simulated: %s\n", churn);
    g_free(churn);
    g_free(sim_churn);
    g_free(sim_err);
    g_free(sim_db_path);
    g_free(sim_out);
    g_free(file);
    g_ptr_array_unref(sargv);
    g_free(verdict);
    g_free(db_path);
    g_free(err);
    g_ptr_array_unref(argv);
    remove_tree(out);
    g_free(out);
}
END_TEST

/* Copy every file of dir `from` into dir `to`. */
static void copy_files(const char *from, const char *to)
{
    GDir *d = g_dir_open(from, 0, NULL);
    ck_assert(d != NULL);
    const char *name;
    while ((name = g_dir_read_name(d)) != NULL) {
        char *src = g_build_filename(from, name, NULL), *dst = g_build_filename(to, name, NULL);
        char *data = NULL;
        gsize size = 0;
        ck_assert(g_file_get_contents(src, &data, &size, NULL));
        ck_assert(g_file_set_contents(dst, data, (gssize)size, NULL));
        g_free(data);
        g_free(src);
        g_free(dst);
    }
    g_dir_close(d);
}

/* `aitbc-sim testbed FILE --hosts H` with extra arguments (NULL-ended). */
static GSubprocess *spawn_hosts(const char *out, const char *hosts, const char *first, ...)
{
    GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
    const char *fixed[] = {sim_bin, "testbed", NULL, "--hosts", hosts, "--out", out,
                           "--node-bin", node_bin, "--quiet", "--no-plots"};
    for (size_t i = 0; i < G_N_ELEMENTS(fixed); i++)
        g_ptr_array_add(a, i == 2 ? data_path("testbed-crash-4.ini") : g_strdup(fixed[i]));
    va_list ap;
    va_start(ap, first);
    for (const char *x = first; x != NULL; x = va_arg(ap, const char *))
        g_ptr_array_add(a, g_strdup(x));
    va_end(ap);
    g_ptr_array_add(a, NULL);
    GError *error = NULL;
    GSubprocess *p = g_subprocess_newv((const char *const *)a->pdata,
                                       G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
    ck_assert_msg(p != NULL, "%s", error != NULL ? error->message : "");
    g_ptr_array_unref(a);
    return p;
}

/* Exit status of p, its stderr in *err. */
static int finish(GSubprocess *p, char **err)
{
    ck_assert(g_subprocess_communicate_utf8(p, NULL, NULL, NULL, err, NULL));
    int status = g_subprocess_get_status(p);
    g_object_unref(p);
    return status;
}

/* Two "machines" on one box (--here 127.0.0.1 and --here 127.0.0.2, one
 * hosts file, one --genesis-ms), each running two validators of
 * data/testbed-crash-4.ini; their nodes/ directories gathered in one and
 * merged with --merge-only: the whole network is safe and live, and
 * every node committed. Bad input: a hosts file without a node's address,
 * and nodes elsewhere without --genesis-ms, are exit 2 naming what. */
START_TEST(two_machines_share_one_network_and_merge)
{
    char *top = g_dir_make_tmp("aitbc-testbed-hosts-XXXXXX", NULL);
    uint16_t base = pick_ports(NODES);
    char *hosts = g_build_filename(top, "hosts.txt", NULL);
    char *text = g_strdup_printf("# two machines\nv0 127.0.0.1:%u\nv1 127.0.0.1:%u\n"
                                 "v2 127.0.0.2:%u\nv3 127.0.0.2:%u\n", base, base + 1, base + 2,
                                 base + 3);
    ck_assert(g_file_set_contents(hosts, text, -1, NULL));
    char *out_a = g_build_filename(top, "a", NULL), *out_b = g_build_filename(top, "b", NULL);
    char *out_all = g_build_filename(top, "all", NULL);
    char *genesis = g_strdup_printf("%" G_GINT64_FORMAT, g_get_real_time() / 1000 + 3000);
    GSubprocess *a = spawn_hosts(out_a, hosts, "--here", "127.0.0.1", "--genesis-ms", genesis,
                                 NULL);
    GSubprocess *b = spawn_hosts(out_b, hosts, "--here", "127.0.0.2", "--genesis-ms", genesis,
                                 NULL);
    char *err_a = NULL, *err_b = NULL, *err = NULL;
    int status_a = finish(a, &err_a), status_b = finish(b, &err_b);
    ck_assert_msg(WIFEXITED(status_a) && WEXITSTATUS(status_a) == 0, "a: %s", err_a);
    ck_assert_msg(WIFEXITED(status_b) && WEXITSTATUS(status_b) == 0, "b: %s", err_b);
    char *nodes_all = g_build_filename(out_all, "nodes", NULL);
    ck_assert(g_mkdir_with_parents(nodes_all, 0755) == 0);
    char *nodes_a = g_build_filename(out_a, "nodes", NULL);
    char *nodes_b = g_build_filename(out_b, "nodes", NULL);
    copy_files(nodes_a, nodes_all);
    copy_files(nodes_b, nodes_all);
    int status = finish(spawn_hosts(out_all, hosts, "--merge-only", NULL), &err);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "merge: %s", err);
    char *db_path = g_build_filename(out_all, "results.sqlite", NULL);
    sqlite3 *db = open_db(db_path);
    char *verdict = query_text(db, "SELECT verdict FROM runs");
    ck_assert_str_eq(verdict, "pass");
    for (int i = 0; i < NODES; i++) {
        char *sql = g_strdup_printf("SELECT count(DISTINCT height) FROM commits WHERE node = "
                                    "'v%d'", i);
        ck_assert_int_ge(query_int(db, sql), MIN_COMMON_HEIGHT);
        g_free(sql);
    }
    ck_assert_int_ge(query_int(db, "SELECT count(*) FROM txs"), 1);
    sqlite3_close(db);
    g_free(err);

    /* A node without an address, then nodes elsewhere without a genesis. */
    ck_assert(g_file_set_contents(hosts, "v0 127.0.0.1:1\nv1 127.0.0.1:2\nv3 127.0.0.1:3\n",
                                  -1, NULL));
    status = finish(spawn_hosts(out_a, hosts, NULL), &err);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 2 && strstr(err, "v2") != NULL &&
                  strstr(err, "hosts.txt") != NULL, "%s", err);
    g_free(err);
    ck_assert(g_file_set_contents(hosts, text, -1, NULL));
    status = finish(spawn_hosts(out_a, hosts, "--here", "127.0.0.1", NULL), &err);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 2 &&
                  strstr(err, "--genesis-ms") != NULL, "%s", err);
    printf("testbed.hosts: pass\n");
    g_free(err);
    g_free(verdict);
    g_free(db_path);
    g_free(nodes_a);
    g_free(nodes_b);
    g_free(nodes_all);
    g_free(err_a);
    g_free(err_b);
    g_free(genesis);
    g_free(out_a);
    g_free(out_b);
    g_free(out_all);
    g_free(text);
    g_free(hosts);
    remove_tree(top);
    g_free(top);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("testbed-cli");
    TCase *tc = tcase_create("aitbc-sim testbed");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 110);
    tcase_add_test(tc, testbed_with_a_crash_is_safe_live_and_final_everywhere);
    tcase_add_test(tc, sigint_stops_every_node_and_leaves_an_incomplete_database);
    tcase_add_test(tc, a_port_in_use_and_a_missing_binary_are_named);
    suite_add_tcase(s, tc);
    TCase *mesh = tcase_create("mesh");
    tcase_add_checked_fixture(mesh, setup, NULL);
    tcase_set_timeout(mesh, 110);
    tcase_add_test(mesh, mesh_with_an_equivocator_and_a_key_rotation);
    suite_add_tcase(s, mesh);
    TCase *hosts = tcase_create("hosts");
    tcase_add_checked_fixture(hosts, setup, NULL);
    tcase_set_timeout(hosts, 110);
    tcase_add_test(hosts, two_machines_share_one_network_and_merge);
    suite_add_tcase(s, hosts);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
