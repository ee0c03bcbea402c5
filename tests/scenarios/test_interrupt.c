/* Interrupted runs leave a database that is intact and says so.
 *
 * `aitbc-sim run` is started on a long scenario and stopped at points
 * drawn from a seeded generator: SIGINT and SIGTERM (the run stops at its
 * next step, writes what it has, exits 1 with verdict "incomplete") and
 * SIGKILL (nothing more is written: the database must still pass
 * `pragma integrity_check` and say "incomplete", which it does from its
 * first transaction until the last one commits; killed before that first
 * transaction, there is no results.sqlite at all). Whatever the point, the
 * database is never half-written and never claims a verdict it did not
 * reach. */
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "scenario_support.h"
#include "support/tmpdir.h"

static char *query_text(const char *path, const char *sql)
{
    /* Read-write, as any reader would open it: a transaction the killed
     * writer left half done is rolled back from its journal first. */
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    char *out = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_text(st, 0) != NULL)
        out = g_strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

START_TEST(interrupted_runs_leave_intact_incomplete_databases)
{
    const char *bin = g_getenv("AITBC_BIN");
    ck_assert_ptr_nonnull(bin);
    char *tmp = g_dir_make_tmp("test_interrupt_XXXXXX", NULL);
    GRand *rand = g_rand_new_with_seed(20261126);
    static const int signals[] = {SIGINT, SIGTERM, SIGKILL, SIGINT, SIGTERM, SIGKILL};
    for (guint i = 0; i < G_N_ELEMENTS(signals); i++) {
        char *out = g_strdup_printf("%s/run%u", tmp, i);
        /* 10 minutes of 100 validators: far longer than the wait below. */
        const char *argv[] = {bin, "run", "scenarios/pbft-100v.ini", "--quiet", "--out", out,
                              NULL};
        GPid pid = 0;
        GError *error = NULL;
        ck_assert_msg(g_spawn_async(g_getenv("AITBC_SOURCE_DIR"), (char **)argv, NULL,
                                    G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
                                        G_SPAWN_STDERR_TO_DEV_NULL,
                                    NULL, NULL, &pid, &error),
                      "%s", error != NULL ? error->message : "");
        /* A point in the run: setup, early simulation, or well into it. */
        gint32 wait_ms = g_rand_int_range(rand, 30, 2500);
        g_usleep((gulong)wait_ms * 1000);
        kill(pid, signals[i]);
        int status = 0;
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        g_spawn_close_pid(pid);
        char *db = g_build_filename(out, "results.sqlite", NULL);
        if (signals[i] == SIGKILL) {
            ck_assert(WIFSIGNALED(status));
        } else {
            ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 1,
                          "signal %d after %d ms: status %d", signals[i], wait_ms, status);
        }
        if (g_file_test(db, G_FILE_TEST_IS_REGULAR)) {
            char *check = query_text(db, "pragma integrity_check");
            ck_assert_msg(check != NULL && g_str_equal(check, "ok"), "run %u (%d ms): %s", i,
                          wait_ms, check != NULL ? check : "(null)");
            char *verdict = query_text(db, "SELECT verdict FROM runs");
            ck_assert_msg(verdict != NULL && g_str_equal(verdict, "incomplete"),
                          "run %u (signal %d after %d ms): verdict %s", i, signals[i], wait_ms,
                          verdict != NULL ? verdict : "(none)");
            g_free(verdict);
            g_free(check);
        } else {
            /* Killed before the database existed (before set-up, while the
             * scenario is read): acceptable only for SIGKILL. */
            ck_assert_msg(signals[i] == SIGKILL, "run %u: no database after signal %d", i,
                          signals[i]);
        }
        g_free(db);
        g_free(out);
    }
    g_rand_free(rand);
    test_remove_tree(tmp);
    g_free(tmp);
}
END_TEST

/* Run FILE, send sig after wait_ms, and return the wall time in ms from
 * the signal to the exit; the exit status goes to *status. */
static int64_t signal_after(const char *file, const char *out, int sig, int wait_ms, int *status)
{
    const char *argv[] = {g_getenv("AITBC_BIN"), "run", file, "--quiet", "--out", out, NULL};
    GPid pid = 0;
    GError *error = NULL;
    ck_assert_msg(g_spawn_async(g_getenv("AITBC_SOURCE_DIR"), (char **)argv, NULL,
                                G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
                                    G_SPAWN_STDERR_TO_DEV_NULL,
                                NULL, NULL, &pid, &error),
                  "%s", error != NULL ? error->message : "");
    g_usleep((gulong)wait_ms * 1000);
    int64_t sent_us = g_get_monotonic_time();
    kill(pid, sig);
    ck_assert_int_eq(waitpid(pid, status, 0), pid);
    g_spawn_close_pid(pid);
    return (g_get_monotonic_time() - sent_us) / 1000;
}

/* Stopping is prompt wherever the run is: during set-up (ten million
 * accounts, minutes of work) and in an event storm inside one 100 ms step.
 * "Within a second" is the design; the bound checked here is generous
 * (a loaded CI machine), since tests do not time things finely. */
START_TEST(interrupts_stop_setup_and_storms_promptly)
{
    ck_assert_ptr_nonnull(g_getenv("AITBC_BIN"));
    char *tmp = g_dir_make_tmp("test_interrupt_XXXXXX", NULL);
    static const struct {
        const char *file;
        int sig;
        int wait_ms;
    } cases[] = {
        {"tests/scenarios/data/setup-huge.ini", SIGINT, 300},
        {"tests/scenarios/data/setup-huge.ini", SIGTERM, 1500},
        {"tests/scenarios/data/setup-huge.ini", SIGINT, 50},
        {"tests/scenarios/data/storm-unbounded.ini", SIGTERM, 2500},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *out = g_strdup_printf("%s/run%u", tmp, i);
        int status = 0;
        int64_t took_ms = signal_after(cases[i].file, out, cases[i].sig, cases[i].wait_ms, &status);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 1,
                      "%s, signal %d after %d ms: status %d", cases[i].file, cases[i].sig,
                      cases[i].wait_ms, status);
        ck_assert_msg(took_ms < 5000, "%s: %" G_GINT64_FORMAT " ms to stop", cases[i].file,
                      took_ms);
        /* The database exists from before set-up, and says incomplete. */
        char *db = g_build_filename(out, "results.sqlite", NULL);
        ck_assert_msg(g_file_test(db, G_FILE_TEST_IS_REGULAR), "%s: no results.sqlite",
                      cases[i].file);
        char *check = query_text(db, "pragma integrity_check");
        ck_assert_str_eq(check, "ok");
        char *verdict = query_text(db, "SELECT verdict FROM runs");
        ck_assert_msg(verdict != NULL && g_str_equal(verdict, "incomplete"), "%s: verdict %s",
                      cases[i].file, verdict != NULL ? verdict : "(none)");
        /* Stopped at a step ("interrupted ..."), or by the watchdog in work
         * no step can cut ("... not finished"). */
        char *reason = query_text(db, "SELECT stop_reason FROM runs");
        ck_assert_msg(reason != NULL && (g_str_equal(reason, "interrupted during set-up") ||
                                         g_str_equal(reason, "set-up not finished") ||
                                         g_str_equal(reason, "interrupted") ||
                                         g_str_equal(reason, "run not finished")),
                      "%s: stop_reason %s", cases[i].file, reason != NULL ? reason : "(none)");
        g_free(reason);
        g_free(verdict);
        g_free(check);
        g_free(db);
        g_free(out);
    }
    test_remove_tree(tmp);
    g_free(tmp);
}
END_TEST

/* A storm that outgrows the pending bound ends as a clean failure with the
 * reason in runs.stop_reason, never a crash. */
START_TEST(storm_fails_with_reason_in_database)
{
    const char *bin = g_getenv("AITBC_BIN");
    ck_assert_ptr_nonnull(bin);
    char *tmp = g_dir_make_tmp("test_interrupt_XXXXXX", NULL);
    const char *argv[] = {bin, "run", "tests/scenarios/data/event-storm.ini", "--quiet", "--out",
                          tmp, NULL};
    int status = 0;
    GError *error = NULL;
    ck_assert_msg(g_spawn_sync(g_getenv("AITBC_SOURCE_DIR"), (char **)argv, NULL,
                               G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                               NULL, NULL, NULL, &status, &error),
                  "%s", error != NULL ? error->message : "");
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 1, "status %d", status);
    char *db = g_build_filename(tmp, "results.sqlite", NULL);
    char *verdict = query_text(db, "SELECT verdict FROM runs");
    char *reason = query_text(db, "SELECT stop_reason FROM runs");
    ck_assert_str_eq(verdict, "fail");
    ck_assert_ptr_nonnull(strstr(reason, "more than 200000 events pending at once"));
    g_free(reason);
    g_free(verdict);
    g_free(db);
    test_remove_tree(tmp);
    g_free(tmp);
}
END_TEST

static Suite *interrupt_suite(void)
{
    Suite *s = suite_create("interrupt");
    TCase *tc = tcase_create("interrupt");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, interrupted_runs_leave_intact_incomplete_databases);
    tcase_add_test(tc, interrupts_stop_setup_and_storms_promptly);
    tcase_add_test(tc, storm_fails_with_reason_in_database);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(interrupt_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
