/* Unit tests for results.sqlite (reports/db.c): a database written from a
 * synthetic run is read back with the plain SQLite API (row counts,
 * values, NULLs, node names, hex hashes), an interrupted or crashed run
 * leaves a file that passes integrity_check and says 'incomplete', an old
 * database and a stale journal are replaced, and failures come back as
 * REP_DB_ERROR naming the path instead of aborting. */
#include <check.h>
#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "reports/db.h"

#define TEST_BLOCKS 40
#define TEST_NODES 4
#define TEST_TXS 300

/* ---- a synthetic run ---- */

static proto_hash test_block_hash(uint32_t n)
{
    proto_hash h;
    for (size_t i = 0; i < PROTO_HASH_SIZE; i++) {
        h.bytes[i] = (uint8_t)(n * 31 + i * 17 + 0xa0);
    }
    return h;
}

static char *test_hex(const proto_hash *h)
{
    GString *out = g_string_new(NULL);
    for (size_t i = 0; i < PROTO_HASH_SIZE; i++) {
        g_string_append_printf(out, "%02x", h->bytes[i]);
    }
    return g_string_free(out, FALSE);
}

/* Blocks 0..39 at heights 1..40 proposed by v(i%4); every block but the
 * last is final at all four nodes, each with its fee record; 300 txs, by
 * fee strategy estimator, aggressive and none in turn; two faults; four
 * figures; two alarms. */
static sim_metrics *test_metrics(void)
{
    sim_metrics *m = sim_metrics_new();
    for (uint32_t i = 0; i < TEST_BLOCKS; i++) {
        proto_hash h = test_block_hash(i);
        uint32_t index = sim_metrics_block(m, &h);
        sim_block_record *b = &g_array_index(m->blocks, sim_block_record, index);
        b->height = i + 1;
        b->slot = i + 1;
        b->proposer = i % TEST_NODES;
        b->tx_count = i * 3;
        b->proposed_ns = (int64_t)i * 2000000000LL;
        /* propagation: 4 nodes live; all but the last block reach 50%
         * after 10 ms, 90% and 99% after 40 ms; every third never all */
        b->live_count = TEST_NODES;
        b->reached_count = i % 3 == 2 ? TEST_NODES - 1 : TEST_NODES;
        if (i + 1 < TEST_BLOCKS) {
            b->reached_p50_ns = 10000000;
            b->reached_p90_ns = 40000000;
            b->reached_p99_ns = 40000000;
            b->reached_all_ns = i % 3 == 2 ? -1 : 40000000;
        }
        if (i + 1 < TEST_BLOCKS) {
            b->first_final_ns = b->proposed_ns + 150000000LL;
            /* base fee 1000 + i, i transfers of 16,357 gas, tip i per gas */
            sim_fee_record f = { .height = i + 1, .final_ns = b->first_final_ns,
                                 .base_fee = 1000 + i, .gas_used = 16357ull * i,
                                 .gas_limit = 30000000, .burned = 16357ull * i * (1000 + i),
                                 .tips = 16357ull * i * i, .tx_count = i };
            g_array_append_val(m->fees, f);
            for (uint32_t node = 0; node < TEST_NODES; node++) {
                sim_commit_record c = { .height = i + 1, .node = node,
                                        .committed_ns = b->first_final_ns + node * 1000,
                                        .block_index = index };
                g_array_append_val(m->commits, c);
            }
        }
    }
    for (uint32_t i = 0; i < TEST_TXS; i++) {
        static const char *const strategies[] = { "estimator", "aggressive", NULL };
        sim_tx_record t = { .submitted_ns = (int64_t)i * 1000000,
                            .final_ns = (int64_t)i * 1000000 + 500000000, .node = i % TEST_NODES,
                            .fee_strategy = strategies[i % 3] };
        g_array_append_val(m->txs, t);
    }
    sim_metrics_fault(m, "crash-three", "crash", 60000000000LL, 300000000000LL, "v1 v2");
    sim_metrics_fault(m, "rotate", "rotate-key", 100000000000LL, -1, "v1");
    sim_metrics_figure(m, "throughput_tps", 912.5);
    sim_metrics_figure(m, "finality_p99_s", 2.25);
    sim_metrics_figure(m, "reorgs", NAN);
    sim_metrics_figure(m, "messages.tx.sent", 12345);
    sim_alarm_record spam = { .at_ns = 30000000000LL, .kind = "spam", .subject = g_strdup("a7"),
                              .detail = g_strdup("sent 500 tx/s, \"quoted\", 2x the rest") };
    sim_alarm_record congestion = { .at_ns = 31000000000LL, .kind = "congestion",
                                    .subject = g_strdup("chain"),
                                    .detail = g_strdup("base fee up 8 heights in a row") };
    g_array_append_val(m->alarms, spam);
    g_array_append_val(m->alarms, congestion);
    /* v3 slashed for double-signing at height 10 by block 12 (jailed from
     * 14); v1's key rotated by block 20, in effect from 22. */
    sim_slashing_record sl = { .at_ns = 24500000000LL, .validator = 3, .reason = "double-sign",
                               .amount = 5, .evidence_height = 10, .height = 12,
                               .effective_height = 14 };
    g_array_append_val(m->slashings, sl);
    sim_validator_change_record jail = { .at_ns = 24500000000LL, .validator = 3,
                                         .change = "jail", .height = 12,
                                         .effective_height = 14 };
    sim_validator_change_record rotate = { .at_ns = 40000000000LL, .validator = 1,
                                           .change = "rotate-key", .height = 20,
                                           .effective_height = 22 };
    g_array_append_val(m->validator_changes, jail);
    g_array_append_val(m->validator_changes, rotate);
    /* v2 suspected a partition at 61 s and lifted it at 75.5 s; v3's
     * suspicion was never lifted. v1 left at 120 s and joined at 130 s. */
    sim_partition_record p2 = { .node = 2, .suspected_ns = 61000000000LL,
                                .healed_ns = 75500000000LL, .stake_seen = 200,
                                .stake_total = 400 };
    sim_partition_record p3 = { .node = 3, .suspected_ns = 62000000000LL, .healed_ns = -1,
                                .stake_seen = 100, .stake_total = 400 };
    g_array_append_val(m->partitions, p2);
    g_array_append_val(m->partitions, p3);
    sim_membership_record leave = { .at_ns = 120000000000LL, .node = 1, .kind = "leave-crash" };
    sim_membership_record join = { .at_ns = 130000000000LL, .node = 1, .kind = "join" };
    g_array_append_val(m->churn, leave);
    g_array_append_val(m->churn, join);
    /* peers: v0..v2 ran p2p nodes, v3 did not (no mesh columns) */
    for (uint32_t node = 0; node < TEST_NODES; node++) {
        sim_peer_record p = { .node = node, .mesh = node < 3, .bytes_sent = 1000 * (node + 1),
                              .bytes_received = 900 * (node + 1), .peers = 8 - node,
                              .gossip_first = 50, .gossip_duplicate = 20 + node,
                              .throttled = node == 2 ? 4 : 0, .bans = node == 2 ? 1 : 0 };
        g_array_append_val(m->peers, p);
    }
    return m;
}

static rep_run_info *test_info(void)
{
    rep_run_info *info = rep_run_info_new();
    info->scenario = g_strdup("pbft-demo");
    info->scenario_path = g_strdup("scenarios/pbft-demo.ini");
    info->seed = 42;
    info->crypto = g_strdup("real");
    info->started_at = g_strdup("2024-05-01T12:00:00Z");
    info->stop_reason = g_strdup("duration reached");
    for (uint32_t i = 0; i < TEST_NODES; i++) {
        g_autofree char *name = g_strdup_printf("v%u", i);
        rep_run_info_add_node(info, name);
    }
    rep_run_info_add_expect(info, "safety", "holds", "holds", TRUE);
    rep_run_info_add_expect(info, "max_finality_p99", "2s", "2.25s", FALSE);
    return info;
}

/* ---- reading back ---- */

static char *test_dir;

static void test_setup(void)
{
    test_dir = g_dir_make_tmp("test_db_XXXXXX", NULL);
    ck_assert_ptr_nonnull(test_dir);
}

static void test_teardown(void)
{
    /* Remove what the tests may have left, then the directory. */
    GDir *dir = g_dir_open(test_dir, 0, NULL);
    const char *name;
    while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
        g_autofree char *file = g_build_filename(test_dir, name, NULL);
        g_remove(file);
    }
    if (dir != NULL) {
        g_dir_close(dir);
    }
    g_rmdir(test_dir);
    g_free(test_dir);
}

static char *test_path(const char *name)
{
    return g_build_filename(test_dir, name, NULL);
}

static sqlite3 *test_open(const char *path)
{
    sqlite3 *sql = NULL;
    ck_assert_int_eq(sqlite3_open_v2(path, &sql, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    return sql;
}

static int64_t test_int(sqlite3 *sql, const char *query)
{
    sqlite3_stmt *st = NULL;
    ck_assert_msg(sqlite3_prepare_v2(sql, query, -1, &st, NULL) == SQLITE_OK, "%s: %s", query,
                  sqlite3_errmsg(sql));
    ck_assert_msg(sqlite3_step(st) == SQLITE_ROW, "no row: %s", query);
    int64_t value = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return value;
}

static double test_real(sqlite3 *sql, const char *query)
{
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(sqlite3_prepare_v2(sql, query, -1, &st, NULL), SQLITE_OK);
    ck_assert_msg(sqlite3_step(st) == SQLITE_ROW, "no row: %s", query);
    double value = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    return value;
}

/* The first column of the first row as text ("<null>" for NULL). */
static char *test_text(sqlite3 *sql, const char *query)
{
    sqlite3_stmt *st = NULL;
    ck_assert_msg(sqlite3_prepare_v2(sql, query, -1, &st, NULL) == SQLITE_OK, "%s: %s", query,
                  sqlite3_errmsg(sql));
    ck_assert_msg(sqlite3_step(st) == SQLITE_ROW, "no row: %s", query);
    const unsigned char *text = sqlite3_column_text(st, 0);
    char *copy = g_strdup(text != NULL ? (const char *)text : "<null>");
    sqlite3_finalize(st);
    return copy;
}

static void test_assert_text(sqlite3 *sql, const char *query, const char *expected)
{
    g_autofree char *actual = test_text(sql, query);
    ck_assert_msg(strcmp(actual, expected) == 0, "%s: got '%s', want '%s'", query, actual,
                  expected);
}

static void test_assert_intact(const char *path, const char *verdict)
{
    sqlite3 *sql = test_open(path);
    test_assert_text(sql, "PRAGMA integrity_check", "ok");
    test_assert_text(sql, "SELECT verdict FROM runs", verdict);
    ck_assert_int_eq(test_int(sql, "SELECT count(*) FROM runs"), 1);
    sqlite3_close(sql);
}

/* A whole run: begin, results, finish. */
static void test_write_run(const char *path, rep_verdict verdict)
{
    g_autoptr(rep_run_info) info = test_info();
    sim_metrics *m = test_metrics();
    GError *error = NULL;
    rep_db *db = NULL;
    ck_assert_msg(rep_db_begin(path, info, &db, &error), "%s", error ? error->message : "");
    ck_assert_msg(rep_db_write_results(db, info, m, &error), "%s", error ? error->message : "");
    ck_assert_msg(rep_db_finish(db, verdict, 1.5, 600.0, 123456, "ab12", &error), "%s",
                  error ? error->message : "");
    rep_db_close(db);
    sim_metrics_free(m);
}

/* ---- tests ---- */

START_TEST(test_row_counts)
{
    g_autofree char *path = test_path("results.sqlite");
    test_write_run(path, REP_VERDICT_PASS);
    test_assert_intact(path, "pass");
    sqlite3 *sql = test_open(path);
    ck_assert_int_eq(test_int(sql, "SELECT count(*) FROM blocks"), TEST_BLOCKS);
    ck_assert_int_eq(test_int(sql, "SELECT count(*) FROM commits"),
                     (TEST_BLOCKS - 1) * TEST_NODES);
    ck_assert_int_eq(test_int(sql, "SELECT count(*) FROM txs"), TEST_TXS);
    ck_assert_int_eq(test_int(sql, "SELECT count(*) FROM faults"), 2);
    ck_assert_int_eq(test_int(sql, "SELECT count(*) FROM metrics"), 4);
    ck_assert_int_eq(test_int(sql, "SELECT count(*) FROM expectations"), 2);
    ck_assert_int_eq(test_int(sql, "SELECT count(*) FROM slashings"), 1);
    ck_assert_int_eq(test_int(sql, "SELECT count(*) FROM validator_changes"), 2);
    ck_assert_int_eq(test_int(sql, "SELECT count(*) FROM propagation"), TEST_BLOCKS);
    ck_assert_int_eq(test_int(sql, "SELECT count(*) FROM fees"), TEST_BLOCKS - 1);
    ck_assert_int_eq(test_int(sql, "SELECT count(*) FROM alarms"), 2);
    /* every row belongs to the one run */
    ck_assert_int_eq(test_int(sql, "SELECT count(*) FROM commits WHERE run_id <> "
                                   "(SELECT id FROM runs)"), 0);
    sqlite3_close(sql);
}
END_TEST

START_TEST(test_runs_row)
{
    g_autofree char *path = test_path("results.sqlite");
    test_write_run(path, REP_VERDICT_FAIL);
    sqlite3 *sql = test_open(path);
    test_assert_text(sql, "SELECT scenario FROM runs", "pbft-demo");
    test_assert_text(sql, "SELECT scenario_path FROM runs", "scenarios/pbft-demo.ini");
    ck_assert_int_eq(test_int(sql, "SELECT seed FROM runs"), 42);
    test_assert_text(sql, "SELECT version FROM runs", AITBC_VERSION);
    test_assert_text(sql, "SELECT crypto FROM runs", "real");
    test_assert_text(sql, "SELECT started_at FROM runs", "2024-05-01T12:00:00Z");
    test_assert_text(sql, "SELECT trace_hash FROM runs", "ab12");
    test_assert_text(sql, "SELECT verdict FROM runs", "fail");
    test_assert_text(sql, "SELECT stop_reason FROM runs", "duration reached");
    ck_assert_double_eq(test_real(sql, "SELECT wall_s FROM runs"), 1.5);
    ck_assert_double_eq(test_real(sql, "SELECT sim_s FROM runs"), 600.0);
    ck_assert_int_eq(test_int(sql, "SELECT events FROM runs"), 123456);
    sqlite3_close(sql);
}
END_TEST

START_TEST(test_block_values)
{
    g_autofree char *path = test_path("results.sqlite");
    test_write_run(path, REP_VERDICT_PASS);
    sqlite3 *sql = test_open(path);
    proto_hash h = test_block_hash(6);
    g_autofree char *hex = test_hex(&h);
    test_assert_text(sql, "SELECT hash FROM blocks WHERE height = 7", hex);
    test_assert_text(sql, "SELECT proposer FROM blocks WHERE height = 7", "v2");
    ck_assert_int_eq(test_int(sql, "SELECT view FROM blocks WHERE height = 7"), 7);
    ck_assert_int_eq(test_int(sql, "SELECT tx_count FROM blocks WHERE height = 7"), 18);
    ck_assert_int_eq(test_int(sql, "SELECT proposed_ns FROM blocks WHERE height = 7"),
                     12000000000LL);
    ck_assert_int_eq(test_int(sql, "SELECT first_commit_ns FROM blocks WHERE height = 7"),
                     12150000000LL);
    /* the last block never became final: NULL, not -1 */
    test_assert_text(sql, "SELECT first_commit_ns FROM blocks WHERE height = 40", "<null>");
    test_assert_text(sql, "SELECT reached_all_ns FROM blocks WHERE height = 40", "<null>");
    /* lowercase hex, 64 chars, everywhere */
    ck_assert_int_eq(test_int(sql, "SELECT count(*) FROM blocks WHERE length(hash) = 64 "
                                   "AND hash = lower(hash)"), TEST_BLOCKS);
    sqlite3_close(sql);
}
END_TEST

START_TEST(test_other_tables_values)
{
    g_autofree char *path = test_path("results.sqlite");
    test_write_run(path, REP_VERDICT_PASS);
    sqlite3 *sql = test_open(path);
    ck_assert_int_eq(test_int(sql, "SELECT committed_ns FROM commits WHERE height = 3 "
                                   "AND node = 'v3'"), 4150003000LL);
    ck_assert_int_eq(test_int(sql, "SELECT count(DISTINCT node) FROM commits"), TEST_NODES);
    ck_assert_int_eq(test_int(sql, "SELECT count(*) FROM txs WHERE node = 'v1'"), TEST_TXS / 4);
    ck_assert_int_eq(test_int(sql, "SELECT final_ns - submitted_ns FROM txs LIMIT 1"),
                     500000000);
    test_assert_text(sql, "SELECT nodes FROM faults WHERE name = 'crash-three'", "v1 v2");
    ck_assert_int_eq(test_int(sql, "SELECT until_ns FROM faults WHERE name = 'crash-three'"),
                     300000000000LL);
    test_assert_text(sql, "SELECT until_ns FROM faults WHERE name = 'rotate'", "<null>");
    test_assert_text(sql, "SELECT action FROM faults WHERE name = 'rotate'", "rotate-key");
    ck_assert_double_eq(test_real(sql, "SELECT value FROM metrics WHERE name = 'throughput_tps'"),
                        912.5);
    test_assert_text(sql, "SELECT value FROM metrics WHERE name = 'reorgs'", "<null>");
    /* figures in their order */
    test_assert_text(sql, "SELECT name FROM metrics ORDER BY rowid LIMIT 1 OFFSET 3",
                     "messages.tx.sent");
    ck_assert_int_eq(test_int(sql, "SELECT passed FROM expectations WHERE key = 'safety'"), 1);
    ck_assert_int_eq(test_int(sql, "SELECT passed FROM expectations "
                                   "WHERE key = 'max_finality_p99'"), 0);
    test_assert_text(sql, "SELECT actual FROM expectations WHERE key = 'max_finality_p99'",
                     "2.25s");
    sqlite3_close(sql);
}
END_TEST

/* One propagation row per block: delays from the proposal, NULL where
 * the block never reached that share of the live nodes. */
START_TEST(test_propagation_rows)
{
    g_autofree char *path = test_path("results.sqlite");
    test_write_run(path, REP_VERDICT_PASS);
    sqlite3 *sql = test_open(path);
    test_assert_text(sql, "SELECT group_concat(name, ',') FROM pragma_table_info('propagation')",
                     "run_id,height,view,proposer,reached_p50_ns,reached_p90_ns,reached_p99_ns,"
                     "reached_all_ns,live_nodes");
    test_assert_text(sql, "SELECT proposer || ' ' || view || ' ' || reached_p50_ns || ' ' || "
                          "reached_p90_ns || ' ' || reached_p99_ns || ' ' || reached_all_ns || "
                          "' ' || live_nodes FROM propagation WHERE height = 1",
                     "v0 1 10000000 40000000 40000000 40000000 4");
    /* height 3 (i = 2) never reached all four; height 40 nothing at all */
    test_assert_text(sql, "SELECT reached_all_ns FROM propagation WHERE height = 3", "<null>");
    ck_assert_int_eq(test_int(sql, "SELECT reached_p99_ns FROM propagation WHERE height = 3"),
                     40000000);
    ck_assert_int_eq(test_int(sql, "SELECT count(*) FROM propagation WHERE reached_p50_ns IS "
                                   "NULL"), 1);
    ck_assert_int_eq(test_int(sql, "SELECT count(*) FROM propagation WHERE reached_all_ns IS "
                                   "NULL"), 14); /* i = 2, 5, ..., 38 (13) and i = 39 */
    /* the blocks table carries the same delays */
    ck_assert_int_eq(test_int(sql, "SELECT reached_p50_ns FROM blocks WHERE height = 2"),
                     10000000);
    ck_assert_int_eq(test_int(sql, "SELECT reached_count FROM blocks WHERE height = 3"), 3);
    sqlite3_close(sql);
}
END_TEST

/* One peers row per node; NULL mesh columns for a node without a p2p
 * node, its bytes still there. */
START_TEST(test_peers_rows)
{
    g_autofree char *path = test_path("results.sqlite");
    test_write_run(path, REP_VERDICT_PASS);
    sqlite3 *sql = test_open(path);
    test_assert_text(sql, "SELECT group_concat(name, ',') FROM pragma_table_info('peers')",
                     "run_id,node,peers,bytes_sent,bytes_received,gossip_first,"
                     "gossip_duplicate,throttled,bans");
    ck_assert_int_eq(test_int(sql, "SELECT count(*) FROM peers"), TEST_NODES);
    test_assert_text(sql, "SELECT node || ' ' || peers || ' ' || bytes_sent || ' ' || "
                          "bytes_received || ' ' || gossip_first || ' ' || gossip_duplicate || "
                          "' ' || throttled || ' ' || bans FROM peers WHERE node = 'v2'",
                     "v2 6 3000 2700 50 22 4 1");
    test_assert_text(sql, "SELECT coalesce(peers, 'null') || ' ' || coalesce(gossip_first, "
                          "'null') || ' ' || coalesce(bans, 'null') || ' ' || bytes_sent "
                          "FROM peers WHERE node = 'v3'",
                     "null null null 4000");
    sqlite3_close(sql);
}
END_TEST

/* Partitions each node noticed (NULL: never lifted) and churn. */
START_TEST(test_partitions_and_churn_rows)
{
    g_autofree char *path = test_path("results.sqlite");
    test_write_run(path, REP_VERDICT_PASS);
    test_assert_intact(path, "pass");
    sqlite3 *sql = test_open(path);
    test_assert_text(sql,
                     "SELECT group_concat(name, ',') FROM pragma_table_info('partitions_detected')",
                     "run_id,node,suspected_ns,healed_ns,stake_seen,stake_total");
    test_assert_text(sql, "SELECT group_concat(node || ':' || suspected_ns || ':' || "
                          "coalesce(healed_ns, 'open') || ':' || stake_seen || '/' || "
                          "stake_total, ' ') FROM (SELECT * FROM partitions_detected "
                          "ORDER BY rowid)",
                     "v2:61000000000:75500000000:200/400 v3:62000000000:open:100/400");
    test_assert_text(sql, "SELECT group_concat(name, ',') FROM pragma_table_info('churn')",
                     "run_id,at_ns,node,kind");
    test_assert_text(sql, "SELECT group_concat(at_ns || ':' || node || ':' || kind, ' ') FROM "
                          "(SELECT * FROM churn ORDER BY rowid)",
                     "120000000000:v1:leave-crash 130000000000:v1:join");
    ck_assert_int_eq(test_int(sql, "SELECT count(*) FROM churn WHERE run_id <> "
                                   "(SELECT id FROM runs)"), 0);
    sqlite3_close(sql);
}
END_TEST

/* The slashings table is exactly docs/scenarios.md's; validator_changes adds
 * the including block and the effective height. */
START_TEST(test_slashings_and_validator_changes)
{
    g_autofree char *path = test_path("results.sqlite");
    test_write_run(path, REP_VERDICT_PASS);
    sqlite3 *sql = test_open(path);
    test_assert_text(sql,
                     "SELECT group_concat(name, ',') FROM pragma_table_info('slashings')",
                     "run_id,at_ns,validator,reason,amount,evidence_height");
    test_assert_text(sql, "SELECT validator || ' ' || reason || ' ' || amount || ' ' || "
                          "evidence_height || ' ' || at_ns FROM slashings",
                     "v3 double-sign 5 10 24500000000");
    test_assert_text(sql, "SELECT group_concat(validator || ':' || change || ':' || height || "
                          "':' || effective_height || ':' || at_ns, ' ') FROM "
                          "(SELECT * FROM validator_changes ORDER BY rowid)",
                     "v3:jail:12:14:24500000000 v1:rotate-key:20:22:40000000000");
    ck_assert_int_eq(test_int(sql, "SELECT count(*) FROM validator_changes WHERE run_id <> "
                                   "(SELECT id FROM runs)"), 0);
    sqlite3_close(sql);
}
END_TEST

/* The fee market per final height, the alarms, and each transaction's
 * fee strategy read back as written (docs/scenarios.md's columns). */
START_TEST(test_fees_alarms_and_strategies)
{
    g_autofree char *path = test_path("results.sqlite");
    test_write_run(path, REP_VERDICT_PASS);
    test_assert_intact(path, "pass");
    sqlite3 *sql = test_open(path);
    test_assert_text(sql, "SELECT group_concat(name, ',') FROM pragma_table_info('fees')",
                     "run_id,height,final_ns,base_fee,gas_used,gas_limit,burned,tips,tx_count");
    ck_assert_int_eq(test_int(sql, "SELECT count(*) FROM fees"), TEST_BLOCKS - 1);
    /* height 7 (i = 6): final 12.15 s, base fee 1006, 6 x 16,357 gas */
    test_assert_text(sql, "SELECT final_ns || ' ' || base_fee || ' ' || gas_used || ' ' || "
                          "gas_limit || ' ' || burned || ' ' || tips || ' ' || tx_count "
                          "FROM fees WHERE height = 7",
                     "12150000000 1006 98142 30000000 98730852 588852 6");
    test_assert_text(sql, "SELECT group_concat(height, ',') FROM (SELECT height FROM fees "
                          "ORDER BY rowid LIMIT 4)", "1,2,3,4");
    ck_assert_int_eq(test_int(sql, "SELECT sum(burned) FROM fees"),
                     test_int(sql, "SELECT sum(gas_used * base_fee) FROM fees"));
    ck_assert_int_eq(test_int(sql, "SELECT count(*) FROM fees WHERE run_id <> "
                                   "(SELECT id FROM runs)"), 0);
    test_assert_text(sql, "SELECT group_concat(name, ',') FROM pragma_table_info('alarms')",
                     "run_id,at_ns,kind,subject,detail");
    test_assert_text(sql, "SELECT group_concat(at_ns || '|' || kind || '|' || subject || '|' || "
                          "detail, ' / ') FROM (SELECT * FROM alarms ORDER BY rowid)",
                     "30000000000|spam|a7|sent 500 tx/s, \"quoted\", 2x the rest / "
                     "31000000000|congestion|chain|base fee up 8 heights in a row");
    test_assert_text(sql, "SELECT group_concat(coalesce(fee_strategy, 'null'), ',') FROM "
                          "(SELECT fee_strategy FROM txs ORDER BY rowid LIMIT 4)",
                     "estimator,aggressive,null,estimator");
    ck_assert_int_eq(test_int(sql, "SELECT count(*) FROM txs WHERE fee_strategy = 'aggressive'"),
                     TEST_TXS / 3);
    sqlite3_close(sql);
}
END_TEST

START_TEST(test_interrupted_after_begin)
{
    g_autofree char *path = test_path("results.sqlite");
    g_autoptr(rep_run_info) info = test_info();
    GError *error = NULL;
    rep_db *db = NULL;
    ck_assert(rep_db_begin(path, info, &db, &error));
    rep_db_close(db);
    test_assert_intact(path, "incomplete");
    sqlite3 *sql = test_open(path);
    ck_assert_int_eq(test_int(sql, "SELECT count(*) FROM blocks"), 0);
    test_assert_text(sql, "SELECT scenario FROM runs", "pbft-demo");
    test_assert_text(sql, "SELECT wall_s FROM runs", "<null>");
    sqlite3_close(sql);
}
END_TEST

START_TEST(test_interrupted_before_finish)
{
    g_autofree char *path = test_path("results.sqlite");
    g_autoptr(rep_run_info) info = test_info();
    sim_metrics *m = test_metrics();
    GError *error = NULL;
    rep_db *db = NULL;
    ck_assert(rep_db_begin(path, info, &db, &error));
    ck_assert(rep_db_write_results(db, info, m, &error));
    rep_db_close(db);
    sim_metrics_free(m);
    test_assert_intact(path, "incomplete");
    sqlite3 *sql = test_open(path);
    ck_assert_int_eq(test_int(sql, "SELECT count(*) FROM blocks"), TEST_BLOCKS);
    sqlite3_close(sql);
}
END_TEST

/* Metrics big enough that SQLite must spill pages into the database
 * file before the results transaction commits. */
static sim_metrics *test_big_metrics(void)
{
    sim_metrics *m = test_metrics();
    for (uint32_t i = 0; i < 200000; i++) {
        sim_tx_record t = { .submitted_ns = i, .final_ns = -1, .node = i % TEST_NODES };
        g_array_append_val(m->txs, t);
    }
    return m;
}

/* In a child: begin, then write the big results with the file size
 * limited to 1 MiB, so the write fails mid-transaction. With SIGXFSZ at
 * its default the kernel kills the process there (a real crash inside
 * rep_db_write_results); ignored, the write fails with EFBIG and
 * rep_db_write_results must report it and roll back. Exit codes: 0 = the
 * write failed cleanly and finish recorded 'error'; 2 = it succeeded. */
static void test_child_limited_write(const char *path, gboolean crash)
{
    rep_run_info *info = test_info();
    sim_metrics *m = test_big_metrics();
    rep_db *db = NULL;
    if (!rep_db_begin(path, info, &db, NULL)) {
        _exit(10);
    }
    struct rlimit limit = { .rlim_cur = 1 << 20, .rlim_max = 1 << 20 };
    struct rlimit no_core = { .rlim_cur = 0, .rlim_max = 0 };
    signal(SIGXFSZ, crash ? SIG_DFL : SIG_IGN);
    setrlimit(RLIMIT_CORE, &no_core); /* the crash is on purpose */
    if (setrlimit(RLIMIT_FSIZE, &limit) != 0) {
        _exit(11);
    }
    GError *error = NULL;
    if (rep_db_write_results(db, info, m, &error)) {
        _exit(2);
    }
    if (!g_error_matches(error, REP_DB_ERROR, REP_DB_ERROR_SQL) ||
        strstr(error->message, path) == NULL) {
        _exit(12);
    }
    if (!rep_db_finish(db, REP_VERDICT_ERROR, 0, 0, 0, NULL, NULL)) {
        _exit(13);
    }
    _exit(0);
}

/* The process dies inside the results transaction, after SQLite spilled
 * pages into the database file: the next reader rolls back the hot
 * journal and finds the 'incomplete' run with no partial rows. */
START_TEST(test_crash_inside_results)
{
    g_autofree char *path = test_path("results.sqlite");
    g_autofree char *journal = g_strconcat(path, "-journal", NULL);
    pid_t child = fork();
    ck_assert_int_ge(child, 0);
    if (child == 0) {
        test_child_limited_write(path, TRUE);
    }
    int status = 0;
    ck_assert_int_eq(waitpid(child, &status, 0), child);
    ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGXFSZ,
                  "child was not killed mid-write (status %d)", status);
    ck_assert_msg(g_file_test(journal, G_FILE_TEST_EXISTS), "no hot journal: crash not simulated");
    test_assert_intact(path, "incomplete");
    sqlite3 *sql = test_open(path);
    ck_assert_int_eq(test_int(sql, "SELECT count(*) FROM blocks"), 0);
    ck_assert_int_eq(test_int(sql, "SELECT count(*) FROM txs"), 0);
    sqlite3_close(sql);
}
END_TEST

/* The same write failing with an I/O error instead: reported, rolled
 * back, and the run can still be finished as 'error'. */
START_TEST(test_write_error_rolls_back)
{
    g_autofree char *path = test_path("results.sqlite");
    pid_t child = fork();
    ck_assert_int_ge(child, 0);
    if (child == 0) {
        test_child_limited_write(path, FALSE);
    }
    int status = 0;
    ck_assert_int_eq(waitpid(child, &status, 0), child);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
    test_assert_intact(path, "error");
    sqlite3 *sql = test_open(path);
    ck_assert_int_eq(test_int(sql, "SELECT count(*) FROM txs"), 0);
    sqlite3_close(sql);
}
END_TEST

START_TEST(test_replaces_old_database_and_journal)
{
    g_autofree char *path = test_path("results.sqlite");
    test_write_run(path, REP_VERDICT_PASS);
    /* A stale journal would be "rolled back" into the new file if kept. */
    g_autofree char *journal = g_strconcat(path, "-journal", NULL);
    ck_assert(g_file_set_contents(journal, "stale journal bytes", -1, NULL));
    test_write_run(path, REP_VERDICT_FAIL);
    test_assert_intact(path, "fail");
    sqlite3 *sql = test_open(path);
    ck_assert_int_eq(test_int(sql, "SELECT count(*) FROM blocks"), TEST_BLOCKS);
    sqlite3_close(sql);

    /* Not a database at all. */
    ck_assert(g_file_set_contents(path, "this is not sqlite", -1, NULL));
    test_write_run(path, REP_VERDICT_PASS);
    test_assert_intact(path, "pass");
}
END_TEST

START_TEST(test_node_names_and_big_seed)
{
    g_autofree char *path = test_path("results.sqlite");
    g_autoptr(rep_run_info) info = test_info();
    info->seed = UINT64_MAX;
    g_ptr_array_set_size(info->node_names, 2); /* only v0, v1 known */
    sim_metrics *m = test_metrics();
    GError *error = NULL;
    rep_db *db = NULL;
    ck_assert(rep_db_begin(path, info, &db, &error));
    ck_assert(rep_db_write_results(db, info, m, &error));
    ck_assert(rep_db_finish(db, REP_VERDICT_PASS, 1, 2, 3, NULL, &error));
    rep_db_close(db);
    sim_metrics_free(m);
    sqlite3 *sql = test_open(path);
    test_assert_text(sql, "SELECT seed FROM runs", "18446744073709551615");
    test_assert_text(sql, "SELECT trace_hash FROM runs", "<null>");
    test_assert_text(sql, "SELECT proposer FROM blocks WHERE height = 2", "v1");
    test_assert_text(sql, "SELECT proposer FROM blocks WHERE height = 3", "#2");
    sqlite3_close(sql);
}
END_TEST

START_TEST(test_errors_name_the_path)
{
    g_autofree char *path = test_path("no-such-dir/results.sqlite");
    g_autoptr(rep_run_info) info = test_info();
    GError *error = NULL;
    rep_db *db = (rep_db *)&error; /* must be reset to NULL */
    ck_assert(!rep_db_begin(path, info, &db, &error));
    ck_assert_ptr_null(db);
    ck_assert_ptr_nonnull(error);
    ck_assert(g_error_matches(error, REP_DB_ERROR, REP_DB_ERROR_OPEN));
    ck_assert_msg(strstr(error->message, path) != NULL, "%s", error->message);
    g_clear_error(&error);
}
END_TEST

START_TEST(test_results_twice_is_an_error)
{
    g_autofree char *path = test_path("results.sqlite");
    g_autoptr(rep_run_info) info = test_info();
    sim_metrics *m = test_metrics();
    GError *error = NULL;
    rep_db *db = NULL;
    ck_assert(rep_db_begin(path, info, &db, &error));
    ck_assert(rep_db_write_results(db, info, m, &error));
    ck_assert(!rep_db_write_results(db, info, m, &error));
    ck_assert(g_error_matches(error, REP_DB_ERROR, REP_DB_ERROR_STATE));
    ck_assert(strstr(error->message, path) != NULL);
    g_clear_error(&error);
    rep_db_close(db);
    sim_metrics_free(m);
    sqlite3 *sql = test_open(path);
    ck_assert_int_eq(test_int(sql, "SELECT count(*) FROM blocks"), TEST_BLOCKS);
    sqlite3_close(sql);
}
END_TEST

/* An SQLite failure inside the results transaction (here: the table is
 * gone) is reported with SQLite's message and rolls everything back. */
START_TEST(test_sql_failure_rolls_back)
{
    g_autofree char *path = test_path("results.sqlite");
    g_autoptr(rep_run_info) info = test_info();
    sim_metrics *m = test_metrics();
    GError *error = NULL;
    rep_db *db = NULL;
    ck_assert(rep_db_begin(path, info, &db, &error));
    sqlite3 *sql = test_open(path);
    ck_assert_int_eq(sqlite3_exec(sql, "DROP TABLE expectations", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(sql);
    ck_assert(!rep_db_write_results(db, info, m, &error));
    ck_assert(g_error_matches(error, REP_DB_ERROR, REP_DB_ERROR_SQL));
    ck_assert_msg(strstr(error->message, "expectations") != NULL, "%s", error->message);
    ck_assert(strstr(error->message, path) != NULL);
    g_clear_error(&error);
    ck_assert(rep_db_finish(db, REP_VERDICT_ERROR, 0, 0, 0, NULL, &error));
    rep_db_close(db);
    sim_metrics_free(m);
    test_assert_intact(path, "error");
    sql = test_open(path);
    ck_assert_int_eq(test_int(sql, "SELECT count(*) FROM blocks"), 0);
    sqlite3_close(sql);
}
END_TEST

static Suite *db_suite(void)
{
    Suite *s = suite_create("db");
    TCase *tc = tcase_create("write");
    tcase_add_checked_fixture(tc, test_setup, test_teardown);
    tcase_add_test(tc, test_row_counts);
    tcase_add_test(tc, test_runs_row);
    tcase_add_test(tc, test_block_values);
    tcase_add_test(tc, test_other_tables_values);
    tcase_add_test(tc, test_slashings_and_validator_changes);
    tcase_add_test(tc, test_propagation_rows);
    tcase_add_test(tc, test_partitions_and_churn_rows);
    tcase_add_test(tc, test_peers_rows);
    tcase_add_test(tc, test_node_names_and_big_seed);
    tcase_add_test(tc, test_fees_alarms_and_strategies);
    suite_add_tcase(s, tc);
    tc = tcase_create("crash-safety");
    tcase_add_checked_fixture(tc, test_setup, test_teardown);
    tcase_add_test(tc, test_interrupted_after_begin);
    tcase_add_test(tc, test_interrupted_before_finish);
    tcase_add_test(tc, test_crash_inside_results);
    tcase_add_test(tc, test_write_error_rolls_back);
    tcase_add_test(tc, test_replaces_old_database_and_journal);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_add_checked_fixture(tc, test_setup, test_teardown);
    tcase_add_test(tc, test_errors_name_the_path);
    tcase_add_test(tc, test_results_twice_is_an_error);
    tcase_add_test(tc, test_sql_failure_rolls_back);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(db_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
