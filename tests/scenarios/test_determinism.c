/* Determinism: one run is a pure function of (scenario, seed, program).
 *
 * In one process: the same scenario and seed give the same trace hash and
 * the same figures twice; another seed gives another hash. Across
 * processes: two `aitbc-sim run` invocations write databases that are
 * identical apart from wall-clock columns and wall-clock figures. The
 * scenario exercises crashes, a partition, loss and duplication with real
 * crypto so every source of randomness is involved. */
#include <sqlite3.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "scenario_support.h"
#include "support/tmpdir.h"

static const char *SCENARIO =
    "[scenario]\nname = determinism\nseed = 5\nduration = 40s\n"
    "[network]\nvalidators = 7\nfull_nodes = 3\nlatency = lognormal 40ms 0.5\n"
    "loss = 0.01\nduplicate = 0.01\nbandwidth = 50Mbit/s\n"
    "[consensus]\nprotocol = poa\nblock_interval = 1s\n"
    "[workload]\ntx_rate = 100/s\naccounts = 300\n"
    "[fault crash]\nat = 8s\nuntil = 16s\naction = crash\nnodes = v2 n0\n"
    "[fault split]\nat = 20s\nuntil = 28s\naction = partition\ngroups = v0..v3 | v4..v6\n";

static char *trace_of(scen_run *r)
{
    char hex[2 * PROTO_HASH_SIZE + 1];
    sim_world_trace_hash(r->world, hex);
    return g_strdup(hex);
}

START_TEST(same_seed_same_trace_in_one_process)
{
    scen_run *a = scen_run_text(SCENARIO, NULL);
    scen_run *b = scen_run_text(SCENARIO, NULL);
    char *ha = trace_of(a), *hb = trace_of(b);
    ck_assert_str_eq(ha, hb);
    const sim_metrics *ma = sim_world_metrics(a->world), *mb = sim_world_metrics(b->world);
    ck_assert_uint_eq(ma->figures->len, mb->figures->len);
    for (guint i = 0; i < ma->figures->len; i++) {
        const sim_figure *fa = &g_array_index(ma->figures, sim_figure, i);
        const sim_figure *fb = &g_array_index(mb->figures, sim_figure, i);
        ck_assert_str_eq(fa->name, fb->name);
        ck_assert_msg(fa->value == fb->value, "%s: %g vs %g", fa->name, fa->value, fb->value);
    }
    ck_assert_uint_eq(ma->commits->len, mb->commits->len);
    ck_assert_msg(scen_figure(a, "blocks_final") > 10, "the run did something");
    g_free(ha);
    g_free(hb);
    scen_run_free(a);
    scen_run_free(b);
}
END_TEST

START_TEST(other_seed_other_trace)
{
    const char *const other[] = {"scenario.seed=6", NULL};
    scen_run *a = scen_run_text(SCENARIO, NULL);
    scen_run *b = scen_run_text(SCENARIO, other);
    char *ha = trace_of(a), *hb = trace_of(b);
    ck_assert_str_ne(ha, hb);
    g_free(ha);
    g_free(hb);
    scen_run_free(a);
    scen_run_free(b);
}
END_TEST

/* ---- two processes ---- */

static char *run_cli(const char *scenario_path, const char *out_dir)
{
    const char *bin = g_getenv("AITBC_BIN");
    ck_assert_msg(bin != NULL, "AITBC_BIN not set (run through ctest)");
    const char *argv[] = {bin, "run", scenario_path, "--out", out_dir, "--quiet", NULL};
    int status = 0;
    GError *error = NULL;
    gboolean ok = g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL,
                               NULL, &status, &error);
    ck_assert_msg(ok, "spawn: %s", error != NULL ? error->message : "?");
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) <= 1, "aitbc-sim exit %d", status);
    return g_build_filename(out_dir, "results.sqlite", NULL);
}

/* Every row of the deterministic part of a results database, as text. */
static char *dump_db(const char *path)
{
    static const char *const queries[] = {
        "SELECT scenario, seed, version, trace_hash, crypto, sim_s, events, verdict FROM runs",
        "SELECT height, view, proposer, hash, tx_count, proposed_ns, first_commit_ns FROM blocks "
        "ORDER BY rowid",
        "SELECT height, node, committed_ns FROM commits ORDER BY rowid",
        "SELECT name, action, at_ns, until_ns, nodes FROM faults ORDER BY rowid",
        "SELECT name, value FROM metrics WHERE name NOT IN ('wall_s', 'sim_real_ratio', "
        "'events_per_s', 'crypto.sign_ns', 'crypto.verify_ns', 'crypto_floor_s', "
        "'crypto_floor_ratio') ORDER BY rowid",
        "SELECT submitted_ns, final_ns, node FROM txs ORDER BY rowid",
    };
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    GString *out = g_string_new(NULL);
    for (size_t q = 0; q < G_N_ELEMENTS(queries); q++) {
        sqlite3_stmt *st = NULL;
        ck_assert_msg(sqlite3_prepare_v2(db, queries[q], -1, &st, NULL) == SQLITE_OK, "%s: %s",
                      queries[q], sqlite3_errmsg(db));
        while (sqlite3_step(st) == SQLITE_ROW) {
            for (int c = 0; c < sqlite3_column_count(st); c++) {
                const unsigned char *v = sqlite3_column_text(st, c);
                g_string_append_printf(out, "%s|", v != NULL ? (const char *)v : "NULL");
            }
            g_string_append_c(out, '\n');
        }
        sqlite3_finalize(st);
        g_string_append(out, "--\n");
    }
    sqlite3_close(db);
    return g_string_free(out, FALSE);
}

START_TEST(two_processes_write_identical_databases)
{
    char *tmp = g_dir_make_tmp("aitbc-det-XXXXXX", NULL);
    char *scenario = g_build_filename(tmp, "determinism.ini", NULL);
    ck_assert(g_file_set_contents(scenario, SCENARIO, -1, NULL));
    char *dir_a = g_build_filename(tmp, "a", NULL), *dir_b = g_build_filename(tmp, "b", NULL);
    char *db_a = run_cli(scenario, dir_a), *db_b = run_cli(scenario, dir_b);
    char *dump_a = dump_db(db_a), *dump_b = dump_db(db_b);
    ck_assert_msg(strlen(dump_a) > 1000, "database has content");
    ck_assert_msg(strcmp(dump_a, dump_b) == 0, "databases differ");
    g_free(dump_a);
    g_free(dump_b);
    g_free(db_a);
    g_free(db_b);
    g_free(dir_a);
    g_free(dir_b);
    g_free(scenario);
    test_remove_tree(tmp);
    g_free(tmp);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("determinism");
    TCase *tc = tcase_create("trace");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, same_seed_same_trace_in_one_process);
    tcase_add_test(tc, other_seed_other_trace);
    tcase_add_test(tc, two_processes_write_identical_databases);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
