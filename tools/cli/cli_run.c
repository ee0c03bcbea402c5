/* `aitbc-sim run` and `aitbc-sim check`.
 *
 * run: load and validate the scenario (with --seed/--set overrides; the
 * file is read with a bound), create the results database (marked
 * incomplete) before anything else, build the world (polling for
 * SIGINT/SIGTERM), run with a progress line, then have reports/verdict.c
 * judge it (invariants, [expect] targets, how it stopped) and write the
 * verdict to the database, report.json and the stdout summary. The exit
 * status follows the verdict. An interrupt at any point ends in exit 1
 * and a database that says incomplete. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "reports/db.h"
#include "reports/json.h"
#include "reports/run_info.h"
#include "reports/summary.h"
#include "reports/verdict.h"
#include "sim/scenario/scenario.h"
#include "tools/cli/cli.h"

typedef struct run_args {
    const char *file;
    const char *out_dir;
    GPtrArray *overrides; /* char*, NULL-terminated when used */
    bool quiet;
    bool no_plots;        /* --no-plots: swarm and shrink children skip gnuplot */
} run_args;

static int usage_error(const char *msg)
{
    fprintf(stderr, "aitbc-sim run: %s\n"
                    "usage: aitbc-sim run FILE [--seed N] [--out DIR] "
                    "[--set section.key=value ...] [--quiet] [--no-plots]\n", msg);
    return CLI_EXIT_USAGE;
}

static int parse_args(int argc, char **argv, run_args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        bool has_value = i + 1 < argc;
        if (strcmp(arg, "--quiet") == 0 || strcmp(arg, "-q") == 0) {
            a->quiet = true;
        } else if (strcmp(arg, "--no-plots") == 0) {
            a->no_plots = true;
        } else if (strcmp(arg, "--seed") == 0) {
            if (!has_value)
                return usage_error("--seed needs a value");
            char *end = NULL;
            errno = 0;
            unsigned long long seed = strtoull(argv[++i], &end, 10);
            if (errno != 0 || end == argv[i] || *end != '\0' || argv[i][0] == '-')
                return usage_error("--seed needs a non-negative integer");
            g_ptr_array_add(a->overrides, g_strdup_printf("scenario.seed=%llu", seed));
        } else if (strcmp(arg, "--out") == 0) {
            if (!has_value)
                return usage_error("--out needs a directory");
            a->out_dir = argv[++i];
        } else if (strcmp(arg, "--set") == 0) {
            if (!has_value)
                return usage_error("--set needs section.key=value");
            g_ptr_array_add(a->overrides, g_strdup(argv[++i]));
        } else if (arg[0] == '-') {
            char *msg = g_strdup_printf("unknown option '%s'", arg);
            int rc = usage_error(msg);
            g_free(msg);
            return rc;
        } else if (a->file == NULL) {
            a->file = arg;
        } else {
            return usage_error("only one scenario file per run");
        }
    }
    if (a->file == NULL)
        return usage_error("missing scenario FILE");
    g_ptr_array_add(a->overrides, NULL);
    return CLI_EXIT_OK;
}

static char *utc_now_iso(void)
{
    GDateTime *now = g_date_time_new_now_utc();
    char *s = g_date_time_format(now, "%Y-%m-%dT%H:%M:%SZ");
    g_date_time_unref(now);
    return s;
}

/* From the scenario alone: the database is created before the world. */
static rep_run_info *make_run_info(const sim_scenario *sc)
{
    rep_run_info *info = rep_run_info_new();
    info->scenario = g_strdup(sc->name);
    info->scenario_path = g_strdup(sc->path);
    info->seed = sc->seed;
    info->crypto = g_strdup(proto_crypto_mode_name(sc->crypto_fast ? PROTO_CRYPTO_FAST
                                                                   : PROTO_CRYPTO_REAL));
    info->started_at = utc_now_iso();
    for (uint32_t i = 0; i < sim_scenario_node_count(sc); i++) {
        char *name = sim_scenario_node_name(sc, i);
        rep_run_info_add_node(info, name);
        g_free(name);
    }
    return info;
}

/* Figures that need the wall clock: added by the CLI, never by sim/. */
static void add_wall_figures(sim_world *w, double wall_s)
{
    sim_metrics *m = sim_world_metrics_mut(w);
    double sim_s = sim_world_now_ns(w) / 1e9;
    proto_crypto_stats cs = sim_world_crypto_stats(w);
    double sign_ns = 0, verify_ns = 0;
    cli_crypto_costs(strcmp(sim_world_crypto_mode(w), "fast") == 0 ? PROTO_CRYPTO_FAST
                                                                  : PROTO_CRYPTO_REAL,
                     &sign_ns, &verify_ns);
    double floor_s = ((double)cs.signs * sign_ns + (double)cs.verify_computed * verify_ns) / 1e9;
    sim_metrics_figure(m, "wall_s", wall_s);
    sim_metrics_figure(m, "sim_real_ratio", wall_s > 0 ? sim_s / wall_s : 0);
    sim_metrics_figure(m, "events_per_s", wall_s > 0 ? (double)sim_world_events(w) / wall_s : 0);
    sim_metrics_figure(m, "crypto.sign_ns", sign_ns);
    sim_metrics_figure(m, "crypto.verify_ns", verify_ns);
    sim_metrics_figure(m, "crypto_floor_s", floor_s);
    sim_metrics_figure(m, "crypto_floor_ratio", floor_s > 0 ? wall_s / floor_s : 0);
}

static int write_outputs(const char *dir, rep_db *db, rep_run_info *info, const sim_metrics *m,
                         bool quiet, bool no_plots)
{
    GError *error = NULL;
    int64_t t0_us = g_get_monotonic_time();
    if (!rep_db_write_results(db, info, m, &error) ||
        !rep_db_finish(db, info->verdict, info->wall_s, info->sim_s, info->events,
                       info->trace_hash_hex, &error)) {
        fprintf(stderr, "aitbc-sim: %s\n", error->message);
        g_error_free(error);
        return CLI_EXIT_INTERNAL;
    }
    char *json_path = g_build_filename(dir, "report.json", NULL);
    gboolean ok = rep_json_write(json_path, info, m, &error);
    g_free(json_path);
    if (!ok) {
        fprintf(stderr, "aitbc-sim: %s\n", error->message);
        g_error_free(error);
        return CLI_EXIT_INTERNAL;
    }
    double db_s = (g_get_monotonic_time() - t0_us) / 1e6;
    if (!quiet)
        rep_summary_print(stdout, info, m);
    /* Plots are drawn from the database just written, as `plot` would. */
    int64_t t1_us = g_get_monotonic_time();
    if (!no_plots && cli_plot_dir(dir, quiet) != CLI_EXIT_OK)
        fprintf(stderr, "aitbc-sim: the run's results are complete; only its plots failed\n");
    double plots_s = (g_get_monotonic_time() - t1_us) / 1e6;
    if (!quiet)
        printf("outputs: results.sqlite and report.json written in %.3f s (%.1f%% of the "
               "simulation's %.2f s wall time), plots in %.2f s\n",
               db_s, info->wall_s > 0 ? 100.0 * db_s / info->wall_s : 0.0, info->wall_s,
               plots_s);
    return CLI_EXIT_OK;
}

/* The exit status of a verdict (cli.h): only a pass exits 0. */
static int verdict_exit(rep_verdict verdict)
{
    switch (verdict) {
    case REP_VERDICT_PASS:
        return CLI_EXIT_OK;
    case REP_VERDICT_ERROR:
        return CLI_EXIT_INTERNAL;
    case REP_VERDICT_FAIL:
    case REP_VERDICT_INCOMPLETE:
        break;
    }
    return CLI_EXIT_FAILED;
}

/* Interrupted during set-up: no world, nothing measured; the run row
 * says so and stays incomplete. */
static int finish_interrupted_setup(rep_db *db, rep_run_info *info, int64_t started_us)
{
    GError *error = NULL;
    sim_metrics *empty = sim_metrics_new();
    g_autoptr(rep_run_verdict) verdict = rep_verdict_setup_interrupted();
    rep_verdict_record(verdict, info, empty);
    info->wall_s = (g_get_monotonic_time() - started_us) / 1e6;
    gboolean ok = rep_db_write_results(db, info, empty, &error) &&
                  rep_db_finish(db, info->verdict, info->wall_s, 0, 0, NULL, &error);
    sim_metrics_free(empty);
    if (!ok) {
        fprintf(stderr, "aitbc-sim: %s\n", error->message);
        g_error_free(error);
        return CLI_EXIT_INTERNAL;
    }
    fprintf(stderr, "aitbc-sim: interrupted during set-up (results.sqlite says incomplete)\n");
    return verdict_exit(info->verdict);
}

static void note_phase(rep_db *db, const char *phase)
{
    GError *error = NULL;
    if (!rep_db_set_stop_reason(db, phase, &error)) {
        fprintf(stderr, "aitbc-sim: %s\n", error->message);
        g_error_free(error);
    }
}

static int run_built_world(const run_args *a, const sim_scenario *sc, const char *dir,
                           sim_world *w, rep_db *db, rep_run_info *info, cli_progress *progress)
{
    note_phase(db, "run not finished");
    sim_stop stop = sim_world_run(w, cli_progress_update, progress);
    cli_signals_watch(false);
    if (stop == SIM_STOP_INTERRUPTED)
        cli_signals_acknowledge();
    info->wall_s = (g_get_monotonic_time() - progress->started_us) / 1e6;
    cli_progress_finish(progress);
    add_wall_figures(w, info->wall_s);

    char hex[2 * PROTO_HASH_SIZE + 1];
    sim_world_trace_hash(w, hex);
    info->trace_hash_hex = g_strdup(hex);
    info->sim_s = sim_world_now_ns(w) / 1e9;
    info->events = sim_world_events(w);
    g_autoptr(rep_run_verdict) verdict = rep_verdict_of_world(w, sc, stop);
    rep_verdict_record(verdict, info, sim_world_metrics_mut(w));
    int rc = write_outputs(dir, db, info, sim_world_metrics(w), a->quiet, a->no_plots);
    if (rc == CLI_EXIT_OK) {
        if (a->quiet)
            printf("%s seed=%" G_GUINT64_FORMAT " verdict=%s trace=%s out=%s\n", sc->name,
                   sc->seed, rep_verdict_name(info->verdict), hex, dir);
        rc = verdict_exit(info->verdict);
    }
    return rc;
}

static int run_world(const run_args *a, const sim_scenario *sc, const char *dir)
{
    GError *error = NULL;
    if (!sim_world_check(sc, &error)) {
        fprintf(stderr, "%s\n", error->message);
        g_error_free(error);
        return CLI_EXIT_USAGE;
    }
    rep_run_info *info = make_run_info(sc);
    char *db_path = g_build_filename(dir, "results.sqlite", NULL);
    rep_db *db = NULL;
    if (!rep_db_begin(db_path, info, &db, &error)) {
        fprintf(stderr, "aitbc-sim: %s\n", error->message);
        g_error_free(error);
        g_free(db_path);
        rep_run_info_free(info);
        return CLI_EXIT_INTERNAL;
    }
    g_free(db_path);
    cli_progress progress;
    cli_progress_init(&progress, a->quiet);
    note_phase(db, "set-up not finished");
    cli_signals_watch(true);
    sim_world *w = sim_world_new_polled(sc, cli_signals_keep_going, NULL, &error);
    int rc;
    if (w != NULL) {
        rc = run_built_world(a, sc, dir, w, db, info, &progress);
    } else if (g_error_matches(error, SIM_WORLD_ERROR, SIM_WORLD_ERROR_INTERRUPTED)) {
        cli_signals_watch(false);
        cli_signals_acknowledge();
        g_clear_error(&error);
        rc = finish_interrupted_setup(db, info, progress.started_us);
    } else {
        /* sim_world_check passed, so this is our bug. Not recorded: the
         * database keeps saying how far the run got (set-up not finished). */
        cli_signals_watch(false);
        g_autoptr(rep_run_verdict) verdict = rep_verdict_internal_error(error->message);
        fprintf(stderr, "aitbc-sim: %s\n", verdict->reason);
        g_clear_error(&error);
        rc = verdict_exit(verdict->verdict);
    }
    rep_db_close(db);
    rep_run_info_free(info);
    sim_world_free(w);
    return rc;
}

int cli_run(int argc, char **argv)
{
    /* From the start: a SIGINT/SIGTERM during set-up still ends in an
     * "incomplete" database and exit 1, never a half-built one. */
    cli_signals_install();
    run_args a = {.overrides = g_ptr_array_new_with_free_func(g_free)};
    int rc = parse_args(argc, argv, &a);
    if (rc != CLI_EXIT_OK) {
        g_ptr_array_free(a.overrides, TRUE);
        return rc;
    }
    GError *error = NULL;
    sim_scenario *sc =
        sim_scenario_load(a.file, (const char *const *)a.overrides->pdata, &error);
    g_ptr_array_free(a.overrides, TRUE);
    a.overrides = NULL;
    if (sc == NULL) {
        fprintf(stderr, "%s\n", error->message);
        g_error_free(error);
        return CLI_EXIT_USAGE;
    }
    cli_test_break(sc);
    char *dir = a.out_dir != NULL
                    ? g_strdup(a.out_dir)
                    : g_strdup_printf("out/%s-%" G_GUINT64_FORMAT, sc->name, sc->seed);
    if (g_mkdir_with_parents(dir, 0755) != 0) {
        fprintf(stderr, "aitbc-sim: cannot create output directory %s: %s\n", dir,
                g_strerror(errno));
        rc = CLI_EXIT_USAGE;
    } else {
        rc = run_world(&a, sc, dir);
    }
    g_free(dir);
    sim_scenario_free(sc);
    return rc;
}

/* The test-only switch of the shrinker test: AITBC_TEST_BREAK=quorum runs a
 * deliberately broken PBFT (quorums of a third). Read here, in the CLI,
 * never in sim/ or protocol/, and said aloud on stderr. */
void cli_test_break(sim_scenario *sc)
{
    if (g_strcmp0(g_getenv("AITBC_TEST_BREAK"), "quorum") != 0)
        return;
    sc->test_break_quorum = true;
    fprintf(stderr, "aitbc-sim: AITBC_TEST_BREAK=quorum: running a deliberately broken PBFT "
                    "(quorum = a third; test only)\n");
}

int cli_check(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: aitbc-sim check FILE\n");
        return CLI_EXIT_USAGE;
    }
    GError *error = NULL;
    sim_scenario *sc = sim_scenario_load(argv[1], NULL, &error);
    if (sc == NULL) {
        fprintf(stderr, "%s\n", error->message);
        g_error_free(error);
        return CLI_EXIT_USAGE;
    }
    g_autofree char *network = sc->topology == SIM_TOPOLOGY_MESH
                                   ? g_strdup_printf("mesh of degree %u", sc->degree)
                                   : g_strdup("direct links");
    printf("%s: ok: scenario '%s', %u validators, %u full nodes, %s, %u faults, %.1f s "
           "simulated\n",
           argv[1], sc->name, sc->validators, sc->full_nodes, network, sc->faults->len,
           sc->duration_ns / 1e9);
    sim_scenario_free(sc);
    return CLI_EXIT_OK;
}
