/* How a swarm classifies a finished child run (reports/swarm.c), from the
 * results.sqlite it left: a stopped invariant is its class, a failed
 * liveness target is a liveness failure, but a liveness target the run
 * could not judge (undetermined: the run ended too early after the last
 * heal; not applicable: its faults left no quorum up) is `unjudged`, not
 * a failure of the protocol. */
#include <check.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "reports/swarm.h"
#include "support/tmpdir.h"

/* A run directory whose results.sqlite holds one run and its targets. */
static char *fake_run(const char *verdict, const char *stop, const char *liveness_actual,
                      int liveness_passed)
{
    char *dir = g_dir_make_tmp("swarm-classify-XXXXXX", NULL);
    ck_assert_ptr_nonnull(dir);
    g_autofree char *path = g_build_filename(dir, "results.sqlite", NULL);
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    g_autofree char *sql = g_strdup_printf(
        "CREATE TABLE runs (id INTEGER PRIMARY KEY, verdict TEXT, stop_reason TEXT,"
        " trace_hash TEXT, sim_s REAL, wall_s REAL);"
        "CREATE TABLE expectations (key TEXT, target TEXT, actual TEXT, passed INTEGER);"
        "INSERT INTO runs VALUES (1, '%s', '%s', 'abcd', 50, 1);"
        "INSERT INTO expectations VALUES ('safety', 'holds', 'holds', 1);"
        "INSERT INTO expectations VALUES ('liveness', 'holds', '%s', %d);",
        verdict, stop, liveness_actual, liveness_passed);
    ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    return dir;
}

static rep_swarm_class classify(const char *verdict, const char *stop, const char *actual,
                                int passed, int exit_code)
{
    g_autofree char *dir = fake_run(verdict, stop, actual, passed);
    rep_swarm_run r = {0};
    rep_swarm_classify(dir, exit_code, 0, false, &r);
    rep_swarm_class c = r.outcome;
    rep_swarm_run_clear(&r);
    test_remove_tree(dir);
    return c;
}

START_TEST(liveness_that_cannot_be_judged_is_unjudged)
{
    const char *end = "reached the scenario duration";
    ck_assert_int_eq(classify("fail", end, "undetermined: run ended 3 s after the heal", 0, 1),
                     REP_SWARM_UNJUDGED);
    ck_assert_int_eq(classify("fail", end,
                              "not applicable: up and connected validators hold 200 of 400 "
                              "stake (need more than 2/3)",
                              0, 1),
                     REP_SWARM_UNJUDGED);
    ck_assert_int_eq(classify("fail", end, "violated: nothing final in the 34.1 s after", 0, 1),
                     REP_SWARM_LIVENESS);
    ck_assert_int_eq(classify("pass", end, "holds", 1, 0), REP_SWARM_PASS);
}
END_TEST

START_TEST(stopped_invariants_are_their_class)
{
    ck_assert_int_eq(classify("fail", "safety violated at height 8: v1 finalized ...", "holds", 1,
                              1),
                     REP_SWARM_SAFETY);
    ck_assert_int_eq(classify("fail", "accountability violated: v1 slashed ...", "holds", 1, 1),
                     REP_SWARM_ACCOUNTABILITY);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("swarm_classify");
    TCase *tc = tcase_create("classify");
    tcase_add_test(tc, liveness_that_cannot_be_judged_is_unjudged);
    tcase_add_test(tc, stopped_invariants_are_their_class);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
