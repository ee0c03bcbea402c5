/* `aitbc-sim sweep` and `aitbc-sim merge`.
 *
 *   sweep FILE --vary section.key=v1,v2,... [--vary ...] [--seeds A..B]
 *         [--jobs J] [--shard K/N] [--out DIR]
 *   merge OUT SHARD_DIR...
 *
 * A sweep is the cross product of the --vary values (in the order given,
 * later keys varying fastest) times the seeds (innermost). Run i of the
 * full product goes to shard (i mod N) + 1, so `--shard K/N` on N machines
 * covers every run exactly once; `merge` unions their sweep databases.
 * Each run is a separate `aitbc-sim run` process (this executable), at
 * most J at a time, writing DIR/runs/rNNNNN/; runs are independent and
 * deterministic, so the same inputs give the same sweep results whatever
 * J and the sharding. Every combination is validated before anything
 * runs, so a bad value is exit 2 with its file, line and key. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "reports/sweep.h"
#include "sim/scenario/scenario.h"
#include "tools/cli/cli.h"

typedef struct sweep_vary {
    char *key;            /* section.key */
    GPtrArray *values;    /* char* */
} sweep_vary;

typedef struct sweep_args {
    const char *file;
    const char *out_dir;
    GPtrArray *vary;      /* sweep_vary* */
    uint64_t seed_first, seed_last;
    char *seeds_text;
    guint jobs;
    guint shard_k, shard_n;
} sweep_args;

static int sweep_usage(const char *msg)
{
    fprintf(stderr,
            "aitbc-sim sweep: %s\n"
            "usage: aitbc-sim sweep FILE --vary section.key=v1,v2,... [--vary ...] "
            "[--seeds A..B] [--jobs J] [--shard K/N] [--out DIR]\n",
            msg);
    return CLI_EXIT_USAGE;
}

static void vary_free(gpointer p)
{
    sweep_vary *v = p;
    g_free(v->key);
    g_ptr_array_unref(v->values);
    g_free(v);
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

static int parse_sweep_args(int argc, char **argv, sweep_args *a)
{
    a->jobs = 1;
    a->shard_k = a->shard_n = 1;
    a->seed_first = a->seed_last = 1;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(arg, "--vary") == 0 && val != NULL) {
            i++;
            const char *eq = strchr(val, '=');
            const char *dot = strchr(val, '.');
            if (eq == NULL || dot == NULL || dot > eq || eq[1] == '\0')
                return sweep_usage("--vary needs section.key=v1,v2,...");
            sweep_vary *v = g_new0(sweep_vary, 1);
            v->key = g_strndup(val, (gsize)(eq - val));
            v->values = g_ptr_array_new_with_free_func(g_free);
            char **parts = g_strsplit(eq + 1, ",", -1);
            for (char **p = parts; *p != NULL; p++) {
                char *t = g_strstrip(g_strdup(*p));
                if (*t == '\0') {
                    g_free(t);
                    g_strfreev(parts);
                    vary_free(v);
                    return sweep_usage("--vary has an empty value");
                }
                g_ptr_array_add(v->values, t);
            }
            g_strfreev(parts);
            g_ptr_array_add(a->vary, v);
        } else if (strcmp(arg, "--seeds") == 0 && val != NULL) {
            i++;
            const char *dots = strstr(val, "..");
            char *first = dots != NULL ? g_strndup(val, (gsize)(dots - val)) : g_strdup(val);
            bool ok = parse_u64(first, &a->seed_first) &&
                      parse_u64(dots != NULL ? dots + 2 : first, &a->seed_last) &&
                      a->seed_last >= a->seed_first && a->seed_last - a->seed_first < 100000;
            g_free(first);
            if (!ok)
                return sweep_usage("--seeds needs A..B with A <= B (or one seed)");
            g_free(a->seeds_text);
            a->seeds_text = g_strdup(val);
        } else if (strcmp(arg, "--jobs") == 0 && val != NULL) {
            i++;
            uint64_t j = 0;
            if (!parse_u64(val, &j) || j == 0 || j > 1024)
                return sweep_usage("--jobs needs 1..1024");
            a->jobs = (guint)j;
        } else if (strcmp(arg, "--shard") == 0 && val != NULL) {
            i++;
            unsigned k = 0, n = 0;
            char extra = 0;
            if (sscanf(val, "%u/%u%c", &k, &n, &extra) != 2 || n == 0 || k == 0 || k > n)
                return sweep_usage("--shard needs K/N with 1 <= K <= N");
            a->shard_k = k;
            a->shard_n = n;
        } else if (strcmp(arg, "--out") == 0 && val != NULL) {
            a->out_dir = argv[++i];
        } else if (arg[0] == '-') {
            char *msg = g_strdup_printf("unknown option or missing value: '%s'", arg);
            int rc = sweep_usage(msg);
            g_free(msg);
            return rc;
        } else if (a->file == NULL) {
            a->file = arg;
        } else {
            return sweep_usage("only one scenario file per sweep");
        }
    }
    if (a->file == NULL)
        return sweep_usage("missing scenario FILE");
    if (a->vary->len == 0)
        return sweep_usage("at least one --vary is needed");
    if (a->seeds_text == NULL)
        a->seeds_text = g_strdup("1");
    return CLI_EXIT_OK;
}

/* The overrides of combination c ("k=v" strings) and its params text. */
static GPtrArray *combo_overrides(const sweep_args *a, uint64_t combo, GString *params)
{
    GPtrArray *o = g_ptr_array_new_with_free_func(g_free);
    uint64_t rest = combo;
    /* later keys vary fastest: decode from the last key */
    char **picked = g_new0(char *, a->vary->len);
    for (guint k = a->vary->len; k-- > 0;) {
        const sweep_vary *v = a->vary->pdata[k];
        picked[k] = v->values->pdata[rest % v->values->len];
        rest /= v->values->len;
    }
    for (guint k = 0; k < a->vary->len; k++) {
        const sweep_vary *v = a->vary->pdata[k];
        g_ptr_array_add(o, g_strdup_printf("%s=%s", v->key, picked[k]));
        g_string_append_printf(params, "%s%s=%s", k > 0 ? ";" : "", v->key, picked[k]);
    }
    g_free(picked);
    return o;
}

static char *self_exe(void)
{
    char *p = g_file_read_link("/proc/self/exe", NULL);
    return p != NULL ? p : g_strdup("aitbc-sim");
}

typedef struct child {
    GPid pid;
    guint run;            /* index into the runs array */
} child;

static void sweep_args_clear(sweep_args *a)
{
    g_ptr_array_unref(a->vary);
    g_free(a->seeds_text);
}

/* Load every combination before running anything, so a bad value is a
 * usage error with its file, line and key. On success *scenario_name is
 * the scenario's name (from the first combination). */
static int validate_combos(const sweep_args *a, uint64_t combos, char **scenario_name)
{
    int rc = CLI_EXIT_OK;
    for (uint64_t c = 0; c < combos && rc == CLI_EXIT_OK; c++) {
        GString *params = g_string_new(NULL);
        GPtrArray *o = combo_overrides(a, c, params);
        g_ptr_array_add(o, NULL);
        GError *error = NULL;
        sim_scenario *sc = sim_scenario_load(a->file, (const char *const *)o->pdata, &error);
        if (sc == NULL) {
            fprintf(stderr, "aitbc-sim sweep: %s\n", error->message);
            g_error_free(error);
            rc = CLI_EXIT_USAGE;
        } else if (*scenario_name == NULL) {
            *scenario_name = g_strdup(sc->name);
        }
        sim_scenario_free(sc);
        g_ptr_array_unref(o);
        g_string_free(params, TRUE);
    }
    return rc;
}

/* --out, or out/NAME-sweep (out/NAME-sweep-shardK-of-N for a shard). */
static char *sweep_out_dir(const sweep_args *a, const char *scenario_name)
{
    if (a->out_dir != NULL)
        return g_strdup(a->out_dir);
    if (a->shard_n > 1)
        return g_strdup_printf("out/%s-sweep-shard%u-of-%u", scenario_name, a->shard_k,
                               a->shard_n);
    return g_strdup_printf("out/%s-sweep", scenario_name);
}

/* The NULL-terminated argv of one `aitbc-sim run` with its overrides. */
static GPtrArray *run_argv(const char *exe, const sweep_args *a, uint64_t seed, const char *dir,
                           const GPtrArray *overrides)
{
    GPtrArray *argv_run = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(argv_run, g_strdup(exe));
    g_ptr_array_add(argv_run, g_strdup("run"));
    g_ptr_array_add(argv_run, g_strdup(a->file));
    g_ptr_array_add(argv_run, g_strdup("--quiet"));
    g_ptr_array_add(argv_run, g_strdup("--seed"));
    g_ptr_array_add(argv_run, g_strdup_printf("%" G_GUINT64_FORMAT, seed));
    g_ptr_array_add(argv_run, g_strdup("--out"));
    g_ptr_array_add(argv_run, g_strdup(dir));
    for (guint k = 0; k < overrides->len; k++) {
        g_ptr_array_add(argv_run, g_strdup("--set"));
        g_ptr_array_add(argv_run, g_strdup(overrides->pdata[k]));
    }
    g_ptr_array_add(argv_run, NULL);
    return argv_run;
}

/* This shard's runs out of the `total` of the full product: each run's
 * record (exit_code -1 until it finishes) into runs, its argv into
 * run_args (same index). */
static void plan_shard(const sweep_args *a, uint64_t total, uint64_t seeds, const char *out_dir,
                       GArray *runs, GPtrArray *run_args)
{
    char *exe = self_exe();
    for (uint64_t i = 0; i < total; i++) {
        if (i % a->shard_n != a->shard_k - 1)
            continue;
        uint64_t combo = i / seeds, seed = a->seed_first + i % seeds;
        GString *params = g_string_new(NULL);
        GPtrArray *o = combo_overrides(a, combo, params);
        rep_sweep_run r = {.index = i,
                           .params = g_string_free(params, FALSE),
                           .seed = seed,
                           .exit_code = -1,
                           .dir = g_strdup_printf("%s/runs/r%05" G_GUINT64_FORMAT, out_dir, i)};
        GPtrArray *argv_run = run_argv(exe, a, seed, r.dir, o);
        g_ptr_array_unref(o);
        g_array_append_val(runs, r);
        g_ptr_array_add(run_args, argv_run);
    }
    g_free(exe);
}

/* Start runs from *next until `jobs` are live. A run that cannot start
 * counts as done and failed (exit CLI_EXIT_INTERNAL). */
static void start_runs(guint jobs, GArray *runs, GPtrArray *run_args, GArray *live, guint *next,
                       guint *done, guint *failed)
{
    while (live->len < jobs && *next < runs->len) {
        GPtrArray *av = run_args->pdata[*next];
        child ch = {.run = *next};
        GError *error = NULL;
        if (!g_spawn_async(NULL, (char **)av->pdata, NULL,
                           G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                           &ch.pid, &error)) {
            fprintf(stderr, "aitbc-sim sweep: cannot start a run: %s\n", error->message);
            g_error_free(error);
            g_array_index(runs, rep_sweep_run, *next).exit_code = CLI_EXIT_INTERNAL;
            (*done)++;
            (*failed)++;
        } else {
            g_array_append_val(live, ch);
        }
        (*next)++;
    }
}

/* Record the exit of pid (one of the live runs, wait status `status`). */
static void reap_run(pid_t pid, int status, GArray *runs, GArray *live, guint *done,
                     guint *failed)
{
    for (guint c = 0; c < live->len; c++) {
        child *ch = &g_array_index(live, child, c);
        if (ch->pid != pid)
            continue;
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : CLI_EXIT_INTERNAL;
        rep_sweep_run *r = &g_array_index(runs, rep_sweep_run, ch->run);
        r->exit_code = code;
        *failed += code != CLI_EXIT_OK;
        g_spawn_close_pid(pid);
        g_array_remove_index_fast(live, c);
        (*done)++;
        if (isatty(STDERR_FILENO))
            fprintf(stderr, "\r  %u/%u runs done", *done, runs->len);
        break;
    }
}

/* Run them all, `jobs` at a time; each run's exit code goes into runs.
 * Returns how many failed (a target, or did not finish). */
static guint run_all(guint jobs, GArray *runs, GPtrArray *run_args)
{
    GArray *live = g_array_new(FALSE, FALSE, sizeof(child));
    guint next = 0, done = 0, failed = 0;
    while (done < runs->len) {
        start_runs(jobs, runs, run_args, live, &next, &done, &failed);
        if (live->len == 0)
            continue;
        int status = 0;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        reap_run(pid, status, runs, live, &done, &failed);
    }
    if (isatty(STDERR_FILENO))
        fprintf(stderr, "\n");
    g_array_unref(live);
    return failed;
}

/* The sweep database and plots from the finished runs, and the line
 * that sums them up. */
static int collect_sweep(const sweep_args *a, char *scenario_name, uint64_t total,
                         const char *out_dir, GArray *runs, guint failed)
{
    rep_sweep_meta meta = {.scenario = scenario_name,
                           .vary_keys = g_ptr_array_new(),
                           .seeds = a->seeds_text,
                           .runs_total = total};
    for (guint k = 0; k < a->vary->len; k++)
        g_ptr_array_add(meta.vary_keys, ((sweep_vary *)a->vary->pdata[k])->key);
    GError *error = NULL;
    int rc = CLI_EXIT_OK;
    if (!rep_sweep_collect(out_dir, &meta, (const rep_sweep_run *)(void *)runs->data, runs->len,
                           &error)) {
        fprintf(stderr, "aitbc-sim sweep: %s\n", error->message);
        g_error_free(error);
        rc = CLI_EXIT_INTERNAL;
    } else {
        printf("sweep: %u runs, %u failed a target or did not finish; %s/sweep.sqlite and "
               "%s/plots\n", runs->len, failed, out_dir, out_dir);
        if (failed > 0)
            rc = CLI_EXIT_FAILED;
    }
    g_ptr_array_unref(meta.vary_keys);
    return rc;
}

int cli_sweep(int argc, char **argv)
{
    sweep_args a = {.vary = g_ptr_array_new_with_free_func(vary_free)};
    int rc = parse_sweep_args(argc, argv, &a);
    if (rc != CLI_EXIT_OK) {
        sweep_args_clear(&a);
        return rc;
    }
    uint64_t combos = 1;
    for (guint k = 0; k < a.vary->len; k++)
        combos *= ((sweep_vary *)a.vary->pdata[k])->values->len;
    uint64_t seeds = a.seed_last - a.seed_first + 1;
    uint64_t total = combos * seeds;
    if (total > 1000000) {
        sweep_args_clear(&a);
        return sweep_usage("more than a million runs");
    }
    char *scenario_name = NULL;
    rc = validate_combos(&a, combos, &scenario_name);
    if (rc != CLI_EXIT_OK) {
        g_free(scenario_name);
        sweep_args_clear(&a);
        return rc;
    }
    char *out_dir = sweep_out_dir(&a, scenario_name);

    GArray *runs = g_array_new(FALSE, TRUE, sizeof(rep_sweep_run));
    GPtrArray *run_args = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
    plan_shard(&a, total, seeds, out_dir, runs, run_args);
    fprintf(stderr, "aitbc-sim sweep: %u of %" G_GUINT64_FORMAT " runs (shard %u/%u), %u at a "
                    "time, into %s\n", runs->len, total, a.shard_k, a.shard_n, a.jobs, out_dir);
    guint failed = run_all(a.jobs, runs, run_args);
    rc = collect_sweep(&a, scenario_name, total, out_dir, runs, failed);

    for (guint i = 0; i < runs->len; i++) {
        rep_sweep_run *r = &g_array_index(runs, rep_sweep_run, i);
        g_free(r->params);
        g_free(r->dir);
    }
    g_array_unref(runs);
    g_ptr_array_unref(run_args);
    g_free(out_dir);
    g_free(scenario_name);
    sweep_args_clear(&a);
    return rc;
}

int cli_merge(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "aitbc-sim merge: usage: aitbc-sim merge OUT SHARD_DIR...\n");
        return CLI_EXIT_USAGE;
    }
    GPtrArray *dbs = g_ptr_array_new_with_free_func(g_free);
    for (int i = 2; i < argc; i++)
        g_ptr_array_add(dbs, g_build_filename(argv[i], "sweep.sqlite", NULL));
    g_ptr_array_add(dbs, NULL);
    GError *error = NULL;
    int rc = CLI_EXIT_OK;
    if (!rep_sweep_merge(argv[1], (const char *const *)dbs->pdata, &error)) {
        fprintf(stderr, "aitbc-sim merge: %s\n", error->message);
        rc = error->domain == REP_SWEEP_ERROR && strstr(error->message, "no such") != NULL
                 ? CLI_EXIT_USAGE
                 : CLI_EXIT_INTERNAL;
        g_error_free(error);
    } else {
        printf("merge: %d shards into %s/sweep.sqlite and %s/plots\n", argc - 2, argv[1],
               argv[1]);
    }
    g_ptr_array_unref(dbs);
    return rc;
}
