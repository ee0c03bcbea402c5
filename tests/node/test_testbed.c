/* The testbed smoke test: the 4-validator PBFT network of
 * tests/node/data/testbed-4.ini as four aitbc-node processes on loopback
 * (about 15 s).
 *
 * Timeline (chain time 0 is one second after the start): the four start;
 * at 3 s a fifth process asks for a port in use (exit 2 naming it, no
 * file touched) and v1 is sent an oversized and a truncated frame; at
 * 4 s v3 is killed (SIGKILL) and at 6 s started again with its store; at
 * 12 s all four get SIGTERM and must exit 0. Then, from the records:
 *   - every node finalized blocks, and heights advanced after the crash
 *     (liveness), v3 included after its restart (it recovered from its
 *     store and caught up);
 *   - at every height two nodes both finalized, they finalized the same
 *     block, and no node finalized two blocks at one height (safety);
 *   - v1 counted the bad frames and kept going;
 *   - each run ended as it should (SIGTERM; v3's first run never ended),
 *     and every run ran the chain (chain id, genesis hash) that
 *     sim_chain_init builds from the scenario for a simulated run.
 * A summary line (heights, agreement) goes to stdout. */
#include <check.h>
#include <gio/gio.h>
#include <glib.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/world/world.h"
#include "tools/node/frames.h"

#define NODES 4
#define GENESIS_DELAY_MS 1000
#define STOP_WAIT_MS 10000

typedef struct testbed {
    char *dir;
    const char *bin;
    char *ini;
    uint16_t ports[NODES];
    char *peers;
    int64_t genesis_ms;
    uint64_t chain_id;       /* the scenario's chain, as simulation builds it */
    char genesis_hex[2 * PROTO_HASH_SIZE + 1];
    GPid pids[NODES];        /* 0: not running */
} testbed;

static testbed tb;

/* If an assertion ends the test early, no daemon is left running. */
static void kill_leftovers(void)
{
    for (int i = 0; i < NODES; i++)
        if (tb.pids[i] > 0)
            kill(tb.pids[i], SIGKILL);
}

static bool port_free(uint16_t port)
{
    GSocket *s =
        g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
    GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    GSocketAddress *a = g_inet_socket_address_new(lo, port);
    gboolean ok = g_socket_bind(s, a, FALSE, NULL);
    g_object_unref(a);
    g_object_unref(lo);
    g_socket_close(s, NULL);
    g_object_unref(s);
    return ok;
}

/* Ports below the kernel's ephemeral range, so no outbound socket takes
 * one between this check and the daemon's listen. */
static void pick_ports(void)
{
    uint32_t next = 20000 + (uint32_t)(getpid() * 13) % 10000;
    GString *peers = g_string_new(NULL);
    for (int i = 0; i < NODES; i++) {
        while (!port_free((uint16_t)next))
            next++;
        tb.ports[i] = (uint16_t)next++;
        g_string_append_printf(peers, "%sv%d=127.0.0.1:%u", i > 0 ? "," : "", i, tb.ports[i]);
    }
    tb.peers = g_string_free(peers, FALSE);
}

static char *node_file(int i, const char *what)
{
    return g_strdup_printf("%s/v%d.%s", tb.dir, i, what);
}

static GPtrArray *node_argv(const char *name, uint16_t port, const char *store,
                            const char *records)
{
    GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
    const char *fixed[] = {tb.bin, "--scenario", tb.ini, "--node", name, "--peers", tb.peers,
                           "--store", store, "--records", records};
    for (size_t k = 0; k < G_N_ELEMENTS(fixed); k++)
        g_ptr_array_add(a, g_strdup(fixed[k]));
    g_ptr_array_add(a, g_strdup("--listen"));
    g_ptr_array_add(a, g_strdup_printf("127.0.0.1:%u", port));
    g_ptr_array_add(a, g_strdup("--genesis-ms"));
    g_ptr_array_add(a, g_strdup_printf("%" G_GINT64_FORMAT, tb.genesis_ms));
    g_ptr_array_add(a, NULL);
    return a;
}

static void start_node(int i)
{
    char *name = g_strdup_printf("v%d", i);
    char *store = node_file(i, "store"), *records = node_file(i, "records");
    GPtrArray *argv = node_argv(name, tb.ports[i], store, records);
    GError *error = NULL;
    ck_assert_msg(g_spawn_async(NULL, (char **)argv->pdata, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                NULL, NULL, &tb.pids[i], &error),
                  "cannot start %s: %s", tb.bin, error != NULL ? error->message : "");
    g_ptr_array_unref(argv);
    g_free(name);
    g_free(store);
    g_free(records);
}

/* Wait for node i to exit; its wait status. */
static int reap(int i)
{
    gint64 deadline = g_get_monotonic_time() + STOP_WAIT_MS * 1000;
    int status = 0;
    while (waitpid(tb.pids[i], &status, WNOHANG) == 0) {
        ck_assert_msg(g_get_monotonic_time() < deadline, "v%d did not stop within %d ms", i,
                      STOP_WAIT_MS);
        g_usleep(20 * 1000);
    }
    g_spawn_close_pid(tb.pids[i]);
    tb.pids[i] = 0;
    return status;
}

static void sleep_until_ms(int64_t since_start_ms, int64_t start_us)
{
    int64_t now_ms = (g_get_monotonic_time() - start_us) / 1000;
    if (now_ms < since_start_ms)
        g_usleep((gulong)(since_start_ms - now_ms) * 1000);
}

/* A fifth process wants v0's port: exit 2, the port named, no file made. */
static void check_port_in_use(void)
{
    char *store = g_strdup_printf("%s/dup.store", tb.dir);
    char *records = g_strdup_printf("%s/dup.records", tb.dir);
    GPtrArray *argv = node_argv("v1", tb.ports[0], store, records);
    char *err = NULL;
    int status = 0;
    ck_assert(g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL,
                           &err, &status, NULL));
    char *where = g_strdup_printf("127.0.0.1:%u", tb.ports[0]);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 2, "port in use: status %d: %s",
                  status, err);
    ck_assert_msg(strstr(err, where) != NULL && strstr(err, "in use") != NULL, "%s", err);
    ck_assert(!g_file_test(store, G_FILE_TEST_EXISTS));
    ck_assert(!g_file_test(records, G_FILE_TEST_EXISTS));
    g_free(where);
    g_free(err);
    g_ptr_array_unref(argv);
    g_free(store);
    g_free(records);
}

/* The chain id the nodes expect in a hello: the scenario's chain, built
 * as they build it. */
static uint64_t scenario_chain_id(char genesis_hex[2 * PROTO_HASH_SIZE + 1])
{
    GError *error = NULL;
    sim_scenario *sc = sim_scenario_load(tb.ini, NULL, &error);
    ck_assert_msg(sc != NULL, "%s", error != NULL ? error->message : "");
    proto_crypto_global_init();
    sim_chain_options opt = sim_chain_options_from(sc);
    sim_chain chain;
    ck_assert(sim_chain_init(&chain, &opt, NULL, NULL));
    uint64_t id = chain.pbft.chain_id;
    proto_hash_hex(&chain.pbft.genesis_hash, genesis_hex);
    sim_chain_clear(&chain);
    sim_scenario_free(sc);
    return id;
}

/* An oversized frame, then (on another connection, after a good hello
 * from v0) a truncated one. */
static void send_bad_frames(uint16_t port)
{
    static const char oversized[] = "\xff\xff\xff\x7f";
    GByteArray *truncated = g_byte_array_new();
    uint8_t hello[TB_HELLO_BYTES];
    tb_hello_encode(&(tb_hello){.chain_id = tb.chain_id, .node = 0}, hello);
    tb_frame_append(truncated, hello, sizeof hello);
    g_byte_array_append(truncated, (const uint8_t *)"\x40\0\0\0only a few of 64 bytes", 26);
    const char *sends[] = {oversized, (const char *)truncated->data};
    const size_t sizes[] = {4, truncated->len};
    for (int k = 0; k < 2; k++) {
        GSocketClient *client = g_socket_client_new();
        GSocketConnection *c =
            g_socket_client_connect_to_host(client, "127.0.0.1", port, NULL, NULL);
        ck_assert_msg(c != NULL, "cannot connect to v1");
        GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(c));
        ck_assert(g_output_stream_write_all(out, sends[k], sizes[k], NULL, NULL, NULL));
        g_io_stream_close(G_IO_STREAM(c), NULL, NULL);
        g_object_unref(c);
        g_object_unref(client);
    }
    g_byte_array_unref(truncated);
}

/* ---- reading the records ---- */

typedef struct node_records {
    GHashTable *final;       /* height (uint64 key) -> hash hex */
    uint64_t max_height;
    uint64_t run1_max;       /* highest final height of the first run */
    uint64_t last_run_max;
    int runs;
    char *stops;             /* "SIGTERM" or "-,SIGTERM" for each run */
    bool recovered_in_last_run;
    int64_t bad_oversized, bad_truncated;
} node_records;

static sqlite3 *open_records(int i)
{
    char *path = node_file(i, "records");
    sqlite3 *db = NULL;
    ck_assert_msg(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK, "%s: %s",
                  path, sqlite3_errmsg(db));
    g_free(path);
    return db;
}

static void read_finals(int i, sqlite3 *db, node_records *r)
{
    sqlite3_stmt *st;
    ck_assert(sqlite3_prepare_v2(db, "SELECT run, height, hash FROM events WHERE kind = "
                                     "'block-final' ORDER BY run, seq", -1, &st, NULL) == SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        int run = sqlite3_column_int(st, 0);
        uint64_t height = (uint64_t)sqlite3_column_int64(st, 1);
        const char *hash = (const char *)sqlite3_column_text(st, 2);
        ck_assert_msg(hash != NULL, "v%d: block-final at %lu without a hash", i,
                      (unsigned long)height);
        uint64_t *key = g_new(uint64_t, 1);
        *key = height;
        const char *before = g_hash_table_lookup(r->final, key);
        ck_assert_msg(before == NULL || g_str_equal(before, hash),
                      "safety: v%d finalized %s and %s at height %lu", i, before, hash,
                      (unsigned long)height);
        g_hash_table_replace(r->final, key, g_strdup(hash));
        r->max_height = MAX(r->max_height, height);
        if (run == 1)
            r->run1_max = MAX(r->run1_max, height);
        if (run == r->runs)
            r->last_run_max = MAX(r->last_run_max, height);
    }
    sqlite3_finalize(st);
}

static int64_t query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s", sql);
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

static void read_records(int i, node_records *r)
{
    *r = (node_records){0};
    r->final = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    sqlite3 *db = open_records(i);
    r->runs = (int)query_int(db, "SELECT count(*) FROM runs");
    /* Every run ran the chain simulation builds from this scenario. */
    char *sql = g_strdup_printf("SELECT count(*) FROM runs WHERE chain_id = %" G_GINT64_FORMAT
                                " AND genesis_hash = '%s'", (int64_t)tb.chain_id, tb.genesis_hex);
    ck_assert_int_eq(query_int(db, sql), r->runs);
    g_free(sql);
    sqlite3_stmt *st;
    ck_assert(sqlite3_prepare_v2(db, "SELECT coalesce(stop, '-') FROM runs ORDER BY run", -1,
                                 &st, NULL) == SQLITE_OK);
    GString *stops = g_string_new(NULL);
    while (sqlite3_step(st) == SQLITE_ROW)
        g_string_append_printf(stops, "%s%s", stops->len > 0 ? "," : "",
                               (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    r->stops = g_string_free(stops, FALSE);
    read_finals(i, db, r);
    r->recovered_in_last_run =
        query_int(db, "SELECT count(*) FROM events WHERE kind = 'recovered' AND "
                      "run = (SELECT max(run) FROM runs)") > 0;
    r->bad_oversized = query_int(db, "SELECT value FROM link_stats WHERE name = 'bad_oversized'"
                                     " AND run = (SELECT max(run) FROM runs)");
    r->bad_truncated = query_int(db, "SELECT value FROM link_stats WHERE name = 'bad_truncated'"
                                     " AND run = (SELECT max(run) FROM runs)");
    sqlite3_close(db);
}

/* Safety across nodes: one block per height. Returns the heights two or
 * more nodes finalized. */
static guint check_agreement(node_records *r)
{
    guint common = 0;
    uint64_t top = 0;
    for (int i = 0; i < NODES; i++)
        top = MAX(top, r[i].max_height);
    for (uint64_t h = 1; h <= top; h++) {
        const char *seen = NULL;
        int seen_at = -1, holders = 0;
        for (int i = 0; i < NODES; i++) {
            const char *hash = g_hash_table_lookup(r[i].final, &h);
            if (hash == NULL)
                continue;
            holders++;
            ck_assert_msg(seen == NULL || g_str_equal(seen, hash),
                          "safety: height %lu is %s at v%d but %s at v%d", (unsigned long)h, seen,
                          seen_at, hash, i);
            seen = hash;
            seen_at = i;
        }
        common += holders >= 2;
    }
    return common;
}

static void check_records(void)
{
    node_records r[NODES];
    GString *summary = g_string_new("testbed:");
    for (int i = 0; i < NODES; i++) {
        read_records(i, &r[i]);
        g_string_append_printf(summary, " v%d final %u heights (max %lu, runs %s);", i,
                               g_hash_table_size(r[i].final), (unsigned long)r[i].max_height,
                               r[i].stops);
        ck_assert_msg(g_hash_table_size(r[i].final) >= 5, "liveness: v%d finalized %u blocks", i,
                      g_hash_table_size(r[i].final));
    }
    guint common = check_agreement(r);
    g_string_append_printf(summary, " v3's first run reached %lu; %u heights finalized by 2+ "
                           "nodes agree", (unsigned long)r[3].run1_max, common);
    printf("%s\n", summary->str);
    /* Liveness: the chain went on well past the crash at 4 s (about
     * height 6 with 500 ms blocks), and v3 came back and followed it. */
    ck_assert_msg(r[0].max_height >= 12, "liveness: v0 reached height %lu only",
                  (unsigned long)r[0].max_height);
    ck_assert_msg(r[3].runs == 2 && r[3].recovered_in_last_run,
                  "v3 should have two runs, the second recovering from its store (%d runs)",
                  r[3].runs);
    ck_assert_msg(r[3].last_run_max >= r[3].run1_max + 5 && r[3].last_run_max + 4 >= r[0].max_height,
                  "v3 did not catch up after its restart: first run to %lu, second to %lu, "
                  "v0 at %lu", (unsigned long)r[3].run1_max, (unsigned long)r[3].last_run_max,
                  (unsigned long)r[0].max_height);
    ck_assert_str_eq(r[3].stops, "-,SIGTERM");
    for (int i = 0; i < 3; i++)
        ck_assert_str_eq(r[i].stops, "SIGTERM");
    ck_assert_int_ge(r[1].bad_oversized, 1);
    ck_assert_int_ge(r[1].bad_truncated, 1);
    for (int i = 0; i < NODES; i++) {
        g_hash_table_destroy(r[i].final);
        g_free(r[i].stops);
    }
    g_string_free(summary, TRUE);
}

static void remove_dir(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;
    while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
        char *path = g_build_filename(dir, name, NULL);
        unlink(path);
        g_free(path);
    }
    if (d != NULL)
        g_dir_close(d);
    rmdir(dir);
}

START_TEST(four_validators_on_loopback_are_safe_and_live)
{
    tb.bin = g_getenv("AITBC_NODE_BIN");
    const char *src = g_getenv("AITBC_SOURCE_DIR");
    ck_assert_msg(tb.bin != NULL && src != NULL, "run through ctest (AITBC_NODE_BIN)");
    tb.ini = g_build_filename(src, "tests", "node", "data", "testbed-4.ini", NULL);
    tb.chain_id = scenario_chain_id(tb.genesis_hex);
    tb.dir = g_dir_make_tmp("aitbc-testbed-XXXXXX", NULL);
    ck_assert(tb.dir != NULL);
    atexit(kill_leftovers);
    pick_ports();
    int64_t start_us = g_get_monotonic_time();
    tb.genesis_ms = g_get_real_time() / 1000 + GENESIS_DELAY_MS;
    for (int i = 0; i < NODES; i++)
        start_node(i);
    sleep_until_ms(3000, start_us);
    check_port_in_use();
    send_bad_frames(tb.ports[1]);
    sleep_until_ms(4000, start_us);
    kill(tb.pids[3], SIGKILL);
    int status = reap(3);
    ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    sleep_until_ms(6000, start_us);
    start_node(3);
    sleep_until_ms(12000, start_us);
    for (int i = 0; i < NODES; i++)
        kill(tb.pids[i], SIGTERM);
    for (int i = 0; i < NODES; i++) {
        status = reap(i);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                      "v%d did not stop cleanly on SIGTERM (wait status %d)", i, status);
    }
    check_records();
    remove_dir(tb.dir); /* kept when a check fails, to look at */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("testbed");
    TCase *tc = tcase_create("loopback");
    tcase_set_timeout(tc, 110);
    tcase_add_test(tc, four_validators_on_loopback_are_safe_and_live);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
