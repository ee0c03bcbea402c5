/* `aitbc-sim swarm` and `aitbc-sim swarm-merge`.
 *
 *   swarm FILE --seeds A..B [--within-f | --beyond-f] [--jobs J]
 *         [--shard K/N] [--out DIR] [--timeout S] [--keep]
 *   swarm-merge OUT SHARD_DIR...
 *
 * Each seed of A..B draws a random fault schedule around the base scenario
 * (sim/scenario/swarm_gen.h) and writes it as a scenario file, DIR/worlds/sSEED.ini;
 * a child `aitbc-sim run` (this executable, J at a time) runs it into
 * DIR/runs/sSEED/, and reports/swarm.c classifies how it ended. A failing
 * world is copied, with comment lines naming the swarm seed, the failure
 * and the trace hash, to DIR/failures/CLASS-SEED.ini: that file alone
 * reproduces the failure (`aitbc-sim run` it). Passing worlds and their
 * outputs are deleted unless --keep. Seed i (counted from A) belongs to
 * shard (i mod N) + 1, as in `sweep`, and `swarm-merge` unions shards. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "reports/swarm.h"
#include "sim/scenario/swarm_gen.h"
#include "tools/cli/cli.h"
#include "tools/cli/cli_child.h"

#define SWARM_SEEDS_MAX 10000000ULL
#define SWARM_TIMEOUT_S_DEFAULT 600

typedef struct swarm_args {
    const char *file;
    const char *out_dir;
    const char *seeds_text;
    uint64_t seed_first, seed_last;
    sim_swarm_mode mode;
    guint jobs, shard_k, shard_n, timeout_s;
    bool keep;
} swarm_args;

/* The base scenario, read once. */
typedef struct swarm_base {
    sim_ini *ini;
    sim_scenario *sc;
} swarm_base;

typedef struct swarm_live {
    GPid pid;
    guint run;            /* index into runs */
} swarm_live;

static int swarm_usage(const char *msg)
{
    fprintf(stderr,
            "aitbc-sim swarm: %s\n"
            "usage: aitbc-sim swarm FILE --seeds A..B [--within-f | --beyond-f] [--jobs J] "
            "[--shard K/N] [--out DIR] [--timeout S] [--keep]\n",
            msg);
    return CLI_EXIT_USAGE;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || s[0] == '-')
        return false;
    *out = v;
    return true;
}

static bool parse_seeds(const char *val, swarm_args *a)
{
    const char *dots = strstr(val, "..");
    g_autofree char *first = dots != NULL ? g_strndup(val, (gsize)(dots - val)) : g_strdup(val);
    a->seeds_text = val;
    return parse_u64(first, &a->seed_first) &&
           parse_u64(dots != NULL ? dots + 2 : first, &a->seed_last) &&
           a->seed_last >= a->seed_first && a->seed_last - a->seed_first < SWARM_SEEDS_MAX;
}

/* One option with a value; returns a usage exit code or CLI_EXIT_OK. */
static int parse_valued(const char *arg, const char *val, swarm_args *a)
{
    uint64_t n = 0;
    unsigned k = 0, total = 0;
    char extra = 0;
    if (strcmp(arg, "--seeds") == 0)
        return parse_seeds(val, a) ? CLI_EXIT_OK
                                   : swarm_usage("--seeds needs A..B with A <= B (or one seed)");
    if (strcmp(arg, "--jobs") == 0) {
        if (!parse_u64(val, &n) || n == 0 || n > 1024)
            return swarm_usage("--jobs needs 1..1024");
        a->jobs = (guint)n;
    } else if (strcmp(arg, "--timeout") == 0) {
        if (!parse_u64(val, &n) || n > 86400)
            return swarm_usage("--timeout needs 0..86400 seconds (0: none)");
        a->timeout_s = (guint)n;
    } else if (strcmp(arg, "--shard") == 0) {
        if (sscanf(val, "%u/%u%c", &k, &total, &extra) != 2 || total == 0 || k == 0 || k > total)
            return swarm_usage("--shard needs K/N with 1 <= K <= N");
        a->shard_k = k;
        a->shard_n = total;
    } else {
        a->out_dir = val; /* --out */
    }
    return CLI_EXIT_OK;
}

static int parse_swarm_args(int argc, char **argv, swarm_args *a)
{
    *a = (swarm_args){.jobs = 1, .shard_k = 1, .shard_n = 1, .timeout_s = SWARM_TIMEOUT_S_DEFAULT};
    static const char *const valued[] = {"--seeds", "--jobs", "--timeout", "--shard", "--out", NULL};
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (g_strv_contains(valued, arg)) {
            if (i + 1 >= argc) {
                g_autofree char *msg = g_strdup_printf("%s needs a value", arg);
                return swarm_usage(msg);
            }
            int rc = parse_valued(arg, argv[++i], a);
            if (rc != CLI_EXIT_OK)
                return rc;
        } else if (strcmp(arg, "--within-f") == 0 || strcmp(arg, "--beyond-f") == 0) {
            a->mode = arg[2] == 'w' ? SIM_SWARM_WITHIN_F : SIM_SWARM_BEYOND_F;
        } else if (strcmp(arg, "--keep") == 0) {
            a->keep = true;
        } else if (arg[0] == '-') {
            g_autofree char *msg = g_strdup_printf("unknown option '%s'", arg);
            return swarm_usage(msg);
        } else if (a->file == NULL) {
            a->file = arg;
        } else {
            return swarm_usage("only one scenario file per swarm");
        }
    }
    if (a->file == NULL)
        return swarm_usage("missing scenario FILE");
    if (a->seeds_text == NULL)
        return swarm_usage("--seeds A..B is needed");
    return CLI_EXIT_OK;
}

static int load_base(const char *file, swarm_base *b)
{
    GError *error = NULL;
    g_autofree char *text = NULL;
    gsize size = 0;
    b->sc = sim_scenario_load(file, NULL, &error);
    if (b->sc != NULL && g_file_get_contents(file, &text, &size, &error))
        b->ini = sim_ini_parse(file, text, size, &error);
    if (b->ini == NULL) {
        fprintf(stderr, "%s\n", error->message);
        g_error_free(error);
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

/* Write seed's world; false (with r filled) when it does not even parse,
 * a generator bug reported as an invalid world. */
static bool write_world(const swarm_args *a, const swarm_base *b, const char *path,
                        rep_swarm_run *r)
{
    g_autofree char *text = sim_swarm_world_text(a->file, b->ini, b->sc, r->seed, a->mode, NULL);
    GError *error = NULL;
    sim_scenario *sc = sim_scenario_parse(path, text, strlen(text), NULL, &error);
    bool ok = sc != NULL && g_file_set_contents(path, text, -1, &error);
    sim_scenario_free(sc);
    if (!ok) {
        r->outcome = REP_SWARM_INVALID;
        r->exit_code = CLI_EXIT_USAGE;
        r->detail = g_strdup(error->message);
        g_error_free(error);
    }
    return ok;
}

/* Keep a failing world as a standalone reproducer. */
static void keep_failure(const swarm_args *a, const char *out_dir, const char *world,
                         rep_swarm_run *r)
{
    g_autofree char *text = NULL;
    if (!g_file_get_contents(world, &text, NULL, NULL))
        return;
    const char *cls = rep_swarm_class_name(r->outcome);
    r->reproducer = g_strdup_printf("%s/failures/%s-%" G_GUINT64_FORMAT ".ini", out_dir, cls,
                                    r->seed);
    g_autofree char *detail = g_strdelimit(g_strdup(r->detail != NULL ? r->detail : ""), "\n", ' ');
    g_autofree char *head = g_strdup_printf(
        "# Reproducer: swarm seed %" G_GUINT64_FORMAT " (%s) of %s failed: %s: %s\n"
        "# Run `aitbc-sim run` on this file: it must fail the same way with this trace.\n"
        "# exit: 1\n# trace: %s\n",
        r->seed, sim_swarm_mode_name(a->mode), a->file, cls, detail,
        r->trace_hash != NULL ? r->trace_hash : "none");
    g_autofree char *all = g_strconcat(head, text, NULL);
    g_file_set_contents(r->reproducer, all, -1, NULL);
}

/* A child finished: classify it, keep or clean up its files. */
static void finish_run(const swarm_args *a, const char *out_dir, rep_swarm_run *r, int status)
{
    g_autofree char *world = g_strdup_printf("%s/worlds/s%" G_GUINT64_FORMAT ".ini", out_dir, r->seed);
    g_autofree char *dir = g_strdup_printf("%s/runs/s%" G_GUINT64_FORMAT, out_dir, r->seed);
    g_autofree char *log = g_strdup_printf("%s.log", dir);
    cli_child_classify(dir, status, r);
    if (rep_swarm_class_is_failure(r->outcome))
        keep_failure(a, out_dir, world, r);
    else if (!a->keep) {
        cli_remove_tree(dir);
        cli_remove_tree(log);
        cli_remove_tree(world);
    }
}

static bool spawn_run(const swarm_args *a, const swarm_base *b, const char *out_dir,
                      const char *exe, rep_swarm_run *r, GPid *pid)
{
    g_autofree char *world = g_strdup_printf("%s/worlds/s%" G_GUINT64_FORMAT ".ini", out_dir, r->seed);
    g_autofree char *dir = g_strdup_printf("%s/runs/s%" G_GUINT64_FORMAT, out_dir, r->seed);
    g_autofree char *log = g_strdup_printf("%s.log", dir);
    if (!write_world(a, b, world, r))
        return false;
    GError *error = NULL;
    if (!cli_child_spawn(exe, world, dir, log, a->timeout_s, pid, &error)) {
        r->outcome = REP_SWARM_INTERNAL;
        r->exit_code = CLI_EXIT_INTERNAL;
        r->detail = g_strdup_printf("cannot start a run: %s", error->message);
        g_error_free(error);
        return false;
    }
    return true;
}

/* Reap one child; returns false when there is none to wait for. */
static bool reap_one(const swarm_args *a, const char *out_dir, GArray *live, GArray *runs)
{
    int status = 0;
    pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0)
        return errno == EINTR;
    for (guint c = 0; c < live->len; c++) {
        swarm_live *ch = &g_array_index(live, swarm_live, c);
        if (ch->pid != pid)
            continue;
        finish_run(a, out_dir, &g_array_index(runs, rep_swarm_run, ch->run), status);
        g_spawn_close_pid(pid);
        g_array_remove_index_fast(live, c);
        break;
    }
    return true;
}

static void show_progress(guint done, guint total, guint failed)
{
    if (isatty(STDERR_FILENO))
        fprintf(stderr, "\r  %u/%u worlds, %u failed", done, total, failed);
}

/* Run every world of this shard, J at a time. */
static void run_all(const swarm_args *a, const swarm_base *b, const char *out_dir, GArray *runs)
{
    g_autofree char *exe = cli_self_exe();
    GArray *live = g_array_new(FALSE, FALSE, sizeof(swarm_live));
    guint next = 0, failed = 0, started = 0;
    while (next < runs->len || live->len > 0) {
        while (live->len < a->jobs && next < runs->len) {
            rep_swarm_run *r = &g_array_index(runs, rep_swarm_run, next);
            swarm_live ch = {.run = next++};
            if (spawn_run(a, b, out_dir, exe, r, &ch.pid))
                g_array_append_val(live, ch);
            started++;
        }
        if (live->len > 0 && !reap_one(a, out_dir, live, runs))
            break;
        failed = 0;
        for (guint i = 0; i < next; i++)
            failed += rep_swarm_class_is_failure(g_array_index(runs, rep_swarm_run, i).outcome);
        show_progress(started - live->len, runs->len, failed);
    }
    if (isatty(STDERR_FILENO))
        fprintf(stderr, "\n");
    g_array_unref(live);
}

static char *default_out_dir(const swarm_args *a, const sim_scenario *sc)
{
    if (a->out_dir != NULL)
        return g_strdup(a->out_dir);
    if (a->shard_n > 1)
        return g_strdup_printf("out/%s-swarm-shard%u-of-%u", sc->name, a->shard_k, a->shard_n);
    return g_strdup_printf("out/%s-swarm", sc->name);
}

static int make_dirs(const char *out_dir)
{
    static const char *const subs[] = {"worlds", "runs", "failures"};
    for (size_t i = 0; i < G_N_ELEMENTS(subs); i++) {
        g_autofree char *d = g_build_filename(out_dir, subs[i], NULL);
        if (g_mkdir_with_parents(d, 0755) != 0) {
            fprintf(stderr, "aitbc-sim swarm: cannot create %s: %s\n", d, g_strerror(errno));
            return CLI_EXIT_USAGE;
        }
    }
    return CLI_EXIT_OK;
}

static int report(const swarm_args *a, const char *out_dir, GArray *runs, double wall_s)
{
    g_autofree char *shard = g_strdup_printf("%u/%u", a->shard_k, a->shard_n);
    rep_swarm_meta meta = {.scenario = a->file, .mode = sim_swarm_mode_name(a->mode),
                           .seeds = a->seeds_text, .shard = shard, .wall_s = wall_s};
    GError *error = NULL;
    guint failures = 0;
    if (!rep_swarm_write(out_dir, &meta, (const rep_swarm_run *)(void *)runs->data, runs->len,
                         &error) ||
        !rep_swarm_print(stdout, out_dir, &failures, &error)) {
        fprintf(stderr, "aitbc-sim swarm: %s\n", error->message);
        g_error_free(error);
        return CLI_EXIT_INTERNAL;
    }
    printf("swarm: %s/swarm.sqlite, reproducers in %s/failures\n", out_dir, out_dir);
    return failures > 0 ? CLI_EXIT_FAILED : CLI_EXIT_OK;
}

int cli_swarm(int argc, char **argv)
{
    swarm_args a;
    int rc = parse_swarm_args(argc, argv, &a);
    swarm_base b = {0};
    if (rc == CLI_EXIT_OK)
        rc = load_base(a.file, &b);
    if (rc != CLI_EXIT_OK) {
        sim_scenario_free(b.sc);
        return rc;
    }
    g_autofree char *out_dir = default_out_dir(&a, b.sc);
    rc = make_dirs(out_dir);
    GArray *runs = g_array_new(FALSE, TRUE, sizeof(rep_swarm_run));
    for (uint64_t s = a.seed_first; rc == CLI_EXIT_OK && s <= a.seed_last; s++) {
        if ((s - a.seed_first) % a.shard_n == a.shard_k - 1) {
            rep_swarm_run r = {.seed = s};
            g_array_append_val(runs, r);
        }
    }
    if (rc == CLI_EXIT_OK) {
        fprintf(stderr, "aitbc-sim swarm: %u worlds (%s, shard %u/%u), %u at a time, into %s\n",
                runs->len, sim_swarm_mode_name(a.mode), a.shard_k, a.shard_n, a.jobs, out_dir);
        int64_t t0_us = g_get_monotonic_time();
        run_all(&a, &b, out_dir, runs);
        rc = report(&a, out_dir, runs, (g_get_monotonic_time() - t0_us) / 1e6);
    }
    for (guint i = 0; i < runs->len; i++)
        rep_swarm_run_clear(&g_array_index(runs, rep_swarm_run, i));
    g_array_unref(runs);
    sim_ini_free(b.ini);
    sim_scenario_free(b.sc);
    return rc;
}

int cli_swarm_merge(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "aitbc-sim swarm-merge: usage: aitbc-sim swarm-merge OUT SHARD_DIR...\n");
        return CLI_EXIT_USAGE;
    }
    GError *error = NULL;
    guint failures = 0;
    if (!rep_swarm_merge(argv[1], (const char *const *)argv + 2, &error) ||
        !rep_swarm_print(stdout, argv[1], &failures, &error)) {
        fprintf(stderr, "aitbc-sim swarm-merge: %s\n", error->message);
        int rc = error->code == 1 ? CLI_EXIT_USAGE : CLI_EXIT_INTERNAL;
        g_error_free(error);
        return rc;
    }
    printf("swarm-merge: %d shards into %s/swarm.sqlite\n", argc - 2, argv[1]);
    return failures > 0 ? CLI_EXIT_FAILED : CLI_EXIT_OK;
}
