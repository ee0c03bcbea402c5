/* `aitbc-sim shrink FILE [--out SMALL.ini] [--max-runs N] [--timeout S]`.
 *
 * A scenario that fails (an invariant, a target, a crash) is made smaller
 * the way property-based testing shrinkers do it: greedy steps over the
 * scenario's parts, each kept only if the run still fails in the same
 * class (reports/swarm.h: safety, accountability, liveness, crash, ...),
 * repeated until no step helps (a fixed point) or --max-runs runs. Steps,
 * in order: cut the duration to where the failure stopped the run, drop
 * each fault, halve the duration, drop full nodes and validators (faults
 * that name a removed node lose it, and go when nothing is left), drop
 * nodes from fault lists, then simplify the rest (constant latency, no
 * loss or duplication, less load, direct links, fewer [expect] keys). Each
 * candidate is a real scenario file run as a child `aitbc-sim run`, like
 * swarm's. The smallest file is written with comment lines naming the
 * failure and its trace hash, and sizes before and after are printed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario/ini.h"
#include "sim/scenario/scenario.h"
#include "tools/cli/cli.h"
#include "tools/cli/cli_child.h"

#define SHRINK_RUNS_MAX_DEFAULT 150
#define SHRINK_TIMEOUT_S_DEFAULT 300
#define SHRINK_DURATION_MIN_NS (5LL * 1000 * 1000 * 1000)
#define NS_PER_MS ((int64_t)1000000)

typedef enum shrink_step {
    STEP_OK = 0,   /* a candidate was made */
    STEP_SKIP,     /* nothing to try for this argument */
    STEP_DONE,     /* no more arguments */
} shrink_step;

typedef shrink_step (*shrink_mutate_fn)(sim_ini *ini, const sim_scenario *sc,
                                        const rep_swarm_run *best, guint arg);

typedef struct shrink_state {
    char *exe;
    char *work_dir;
    guint timeout_s;
    guint runs, runs_max;
    rep_swarm_class target;
    char *text;            /* the smallest failing scenario so far */
    rep_swarm_run best;    /* how it failed */
} shrink_state;

typedef struct shrink_size {
    guint lines, faults, nodes;
    double duration_s;
} shrink_size;

/* ---- sizes ---- */

static shrink_size size_of(const char *text)
{
    shrink_size z = {0};
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l != NULL; l++) {
        const char *t = *l + strspn(*l, " \t");
        z.lines += *t != '\0' && *t != '#';
    }
    sim_scenario *sc = sim_scenario_parse("size", text, strlen(text), NULL, NULL);
    if (sc != NULL) {
        z.faults = sc->faults->len;
        z.nodes = sc->validators + sc->full_nodes;
        z.duration_s = sc->duration_ns / 1e9;
    }
    sim_scenario_free(sc);
    return z;
}

static char *format_ns(int64_t ns)
{
    return ns % NS_PER_MS == 0 ? g_strdup_printf("%" G_GINT64_FORMAT "ms", ns / NS_PER_MS)
                               : g_strdup_printf("%" G_GINT64_FORMAT "ns", ns);
}

/* ---- rewriting node lists when nodes go ---- */

static bool node_kept(const sim_scenario *sc, uint32_t idx, uint32_t v_new, uint32_t f_new)
{
    uint32_t v = sc->validators, f = sc->full_nodes, first_twin = v + f + sc->agents;
    if (idx < v)
        return idx < v_new;
    if (idx < v + f)
        return idx - v < f_new;
    if (idx < first_twin)
        return true;
    return g_array_index(sc->twins, uint32_t, idx - first_twin) < v_new;
}

/* The kept nodes of a set as names, or NULL when none is kept. */
static char *names_kept(const sim_scenario *sc, const GArray *nodes, uint32_t v_new,
                        uint32_t f_new)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < nodes->len; i++) {
        uint32_t idx = g_array_index(nodes, uint32_t, i);
        if (!node_kept(sc, idx, v_new, f_new))
            continue;
        g_autofree char *name = sim_scenario_node_name(sc, idx);
        g_string_append_printf(s, "%s%s", s->len > 0 ? " " : "", name);
    }
    if (s->len == 0) {
        g_string_free(s, TRUE);
        return NULL;
    }
    return g_string_free(s, FALSE);
}

static char *groups_kept(const sim_scenario *sc, const sim_fault *f, uint32_t v_new,
                         uint32_t f_new)
{
    GString *s = g_string_new(NULL);
    guint kept = 0;
    for (guint g = 0; g < f->groups->len; g++) {
        g_autofree char *names = names_kept(sc, f->groups->pdata[g], v_new, f_new);
        if (names == NULL)
            continue;
        g_string_append_printf(s, "%s%s", kept > 0 ? (f->oneway ? " -> " : " | ") : "", names);
        kept++;
    }
    if (kept < 2 || (f->oneway && kept != f->groups->len)) {
        g_string_free(s, TRUE);
        return NULL;
    }
    return g_string_free(s, FALSE);
}

static void rewrite_fault(sim_ini *ini, const sim_scenario *sc, const sim_fault *f,
                          uint32_t v_new, uint32_t f_new)
{
    g_autofree char *section = g_strdup_printf("fault %s", f->name);
    bool partition = f->action == SIM_FAULT_PARTITION;
    g_autofree char *value = partition ? groups_kept(sc, f, v_new, f_new)
                                       : names_kept(sc, f->nodes, v_new, f_new);
    if (value == NULL)
        sim_ini_remove_section(ini, section);
    else
        sim_ini_set(ini, section, partition ? "groups" : "nodes", value);
}

/* Keep v_new validators and f_new full nodes; every list follows. */
static void resize_nodes(sim_ini *ini, const sim_scenario *sc, uint32_t v_new, uint32_t f_new)
{
    for (guint i = 0; i < sc->faults->len; i++)
        rewrite_fault(ini, sc, sc->faults->pdata[i], v_new, f_new);
    g_autofree char *v = g_strdup_printf("%u", v_new);
    g_autofree char *fn = g_strdup_printf("%u", f_new);
    sim_ini_set(ini, "network", "validators", v);
    sim_ini_set(ini, "network", "full_nodes", fn);
    const char *stakes = sim_ini_get(ini, "consensus", "stakes");
    g_auto(GStrv) words = stakes != NULL ? g_strsplit_set(stakes, " \t", -1) : NULL;
    if (words != NULL && g_strv_length(words) > 1) {
        GString *s = g_string_new(NULL);
        for (guint i = 0, n = 0; words[i] != NULL && n < v_new; i++) {
            if (*words[i] != '\0')
                g_string_append_printf(s, "%s%s", n++ > 0 ? " " : "", words[i]);
        }
        sim_ini_set(ini, "consensus", "stakes", s->str);
        g_string_free(s, TRUE);
    }
    sim_ini_section *net = sim_ini_find_section(ini, "network");
    if (net != NULL)
        sim_ini_remove_entry(net, "bootstrap"); /* back to its default */
    sim_ini_section *expect = sim_ini_find_section(ini, "expect");
    if (expect != NULL)
        sim_ini_remove_entry(expect, "slashed");
}

/* A shorter run: faults past the end go, windows are cut at it. */
static void set_duration(sim_ini *ini, const sim_scenario *sc, int64_t dur_ns)
{
    g_autofree char *dur = format_ns(dur_ns);
    sim_ini_set(ini, "scenario", "duration", dur);
    for (guint i = 0; i < sc->faults->len; i++) {
        const sim_fault *f = sc->faults->pdata[i];
        g_autofree char *section = g_strdup_printf("fault %s", f->name);
        if (f->at_ns >= dur_ns)
            sim_ini_remove_section(ini, section);
        else if (f->until_ns > dur_ns)
            sim_ini_set(ini, section, "until", dur);
    }
    sim_ini_section *w = sim_ini_find_section(ini, "workload");
    if (w != NULL && sc->workload_stop_ns > dur_ns)
        sim_ini_remove_entry(w, "stop");
    if (w != NULL && sc->workload_start_ns >= dur_ns)
        sim_ini_remove_entry(w, "start");
}

/* ---- the steps ---- */

static shrink_step mut_duration(sim_ini *ini, const sim_scenario *sc, const rep_swarm_run *best,
                                guint arg)
{
    int64_t d = sc->duration_ns, target = 0;
    if (arg == 0) /* where the failure stopped the run, plus a second */
        target = ((int64_t)(best->sim_s * 1000) + 1000) * NS_PER_MS;
    else if (arg == 1)
        target = d / 2 / NS_PER_MS * NS_PER_MS;
    else
        return STEP_DONE;
    if (target >= d || target < SHRINK_DURATION_MIN_NS)
        return STEP_SKIP;
    set_duration(ini, sc, target);
    return STEP_OK;
}

static shrink_step mut_drop_fault(sim_ini *ini, const sim_scenario *sc,
                                  const rep_swarm_run *best, guint arg)
{
    (void)best;
    if (arg >= sc->faults->len)
        return STEP_DONE;
    const sim_fault *f = sc->faults->pdata[arg];
    g_autofree char *section = g_strdup_printf("fault %s", f->name);
    sim_ini_remove_section(ini, section);
    return STEP_OK;
}

static shrink_step mut_nodes(sim_ini *ini, const sim_scenario *sc, const rep_swarm_run *best,
                             guint arg)
{
    (void)best;
    uint32_t v = sc->validators, f = sc->full_nodes;
    uint32_t cand[][2] = {{v, 0}, {v, f / 2}, {v, f > 0 ? f - 1 : 0},
                          {v / 2, f}, {v > 1 ? v - 1 : v, f}};
    if (arg >= G_N_ELEMENTS(cand))
        return STEP_DONE;
    uint32_t vn = cand[arg][0], fn = cand[arg][1];
    if ((vn == v && fn == f) || vn == 0)
        return STEP_SKIP;
    resize_nodes(ini, sc, vn, fn);
    return STEP_OK;
}

/* Drop one node from a crash, degrade or byzantine fault's list. */
static shrink_step mut_fault_node(sim_ini *ini, const sim_scenario *sc,
                                  const rep_swarm_run *best, guint arg)
{
    (void)best;
    for (guint i = 0; i < sc->faults->len; i++) {
        const sim_fault *f = sc->faults->pdata[i];
        if (f->action == SIM_FAULT_PARTITION || f->action == SIM_FAULT_CHURN)
            continue;
        if (arg >= f->nodes->len) {
            arg -= f->nodes->len;
            continue;
        }
        if (f->nodes->len < 2)
            return STEP_SKIP;
        GArray *rest = g_array_copy(f->nodes);
        g_array_remove_index(rest, arg);
        g_autofree char *names = names_kept(sc, rest, sc->validators, sc->full_nodes);
        g_array_unref(rest);
        g_autofree char *section = g_strdup_printf("fault %s", f->name);
        sim_ini_set(ini, section, "nodes", names);
        return STEP_OK;
    }
    return STEP_DONE;
}

/* Fixed simplifications: section, key, new value (NULL: remove the key). */
static const char *const simplifications[][3] = {
    {"network", "latency", "constant 50ms"}, {"network", "loss", NULL},
    {"network", "duplicate", NULL},          {"network", "bandwidth", NULL},
    {"network", "topology", "direct"},       {"network", "degree", NULL},
    {"workload", "tx_rate", "10/s"},         {"workload", "accounts", "100"},
    {"workload", "start", NULL},             {"workload", "stop", NULL},
    {"consensus", "stakes", NULL},           {"consensus", "rotation", NULL},
    {"expect", "min_throughput", NULL},      {"expect", "max_finality_p99", NULL},
    {"expect", "max_block_propagation_p99", NULL},
    {"expect", "slashed", NULL},             {"expect", "max_view_changes", NULL},
    {"expect", "liveness", NULL},
};

static shrink_step mut_simplify(sim_ini *ini, const sim_scenario *sc, const rep_swarm_run *best,
                                guint arg)
{
    (void)sc;
    (void)best;
    if (arg >= G_N_ELEMENTS(simplifications))
        return STEP_DONE;
    const char *const *s = simplifications[arg];
    sim_ini_section *sec = sim_ini_find_section(ini, s[0]);
    sim_ini_entry *e = sec != NULL ? sim_ini_find_entry(sec, s[1]) : NULL;
    if (e == NULL || (s[2] != NULL && strcmp(e->value, s[2]) == 0))
        return STEP_SKIP;
    if (s[2] == NULL)
        sim_ini_remove_entry(sec, s[1]);
    else
        sim_ini_set(ini, s[0], s[1], s[2]);
    return STEP_OK;
}

static const shrink_mutate_fn shrink_steps[] = {
    mut_duration, mut_drop_fault, mut_nodes, mut_fault_node, mut_simplify,
};

/* ---- running candidates ---- */

/* Run text; fills r. False on an internal problem (cannot write, spawn). */
static bool shrink_run(shrink_state *s, const char *text, rep_swarm_run *r)
{
    g_autofree char *world = g_build_filename(s->work_dir, "candidate.ini", NULL);
    g_autofree char *dir = g_build_filename(s->work_dir, "run", NULL);
    g_autofree char *log = g_build_filename(s->work_dir, "run.log", NULL);
    GError *error = NULL;
    cli_remove_tree(dir);
    s->runs++;
    if (!g_file_set_contents(world, text, -1, &error) ||
        !cli_child_run(s->exe, world, dir, log, s->timeout_s, r, &error)) {
        fprintf(stderr, "aitbc-sim shrink: %s\n", error->message);
        g_error_free(error);
        return false;
    }
    return true;
}

/* Try one candidate (owned); keep it if it fails the same way. */
static bool shrink_try(shrink_state *s, char *text)
{
    sim_scenario *sc = sim_scenario_parse("candidate", text, strlen(text), NULL, NULL);
    bool valid = sc != NULL && strcmp(text, s->text) != 0;
    sim_scenario_free(sc);
    rep_swarm_run r = {0};
    if (!valid || !shrink_run(s, text, &r) || r.outcome != s->target) {
        rep_swarm_run_clear(&r);
        g_free(text);
        return false;
    }
    shrink_size z = size_of(text);
    fprintf(stderr, "  run %u: still %s with %u lines, %u faults, %u nodes, %.1f s\n", s->runs,
            rep_swarm_class_name(r.outcome), z.lines, z.faults, z.nodes, z.duration_s);
    g_free(s->text);
    s->text = text;
    rep_swarm_run_clear(&s->best);
    s->best = r;
    return true;
}

/* One step kind over all its arguments; true if anything was kept. */
static bool shrink_pass(shrink_state *s, shrink_mutate_fn mutate)
{
    bool progress = false;
    for (guint arg = 0; s->runs < s->runs_max;) {
        g_autoptr(sim_ini) ini = sim_ini_parse("current", s->text, strlen(s->text), NULL);
        sim_scenario *sc = sim_scenario_parse("current", s->text, strlen(s->text), NULL, NULL);
        g_assert(ini != NULL && sc != NULL); /* s->text always parses */
        shrink_step step = mutate(ini, sc, &s->best, arg);
        sim_scenario_free(sc);
        if (step == STEP_DONE)
            break;
        if (step == STEP_OK && shrink_try(s, sim_ini_write(ini))) {
            progress = true; /* the same argument may now name the next part */
            continue;
        }
        arg++;
    }
    return progress;
}

static void shrink_fixed_point(shrink_state *s)
{
    bool progress = true;
    while (progress && s->runs < s->runs_max) {
        progress = false;
        for (size_t i = 0; i < G_N_ELEMENTS(shrink_steps); i++)
            progress = shrink_pass(s, shrink_steps[i]) || progress;
    }
}

/* ---- command ---- */

typedef struct shrink_args {
    const char *file;
    const char *out;
    guint runs_max, timeout_s;
} shrink_args;

static int shrink_usage(const char *msg)
{
    fprintf(stderr, "aitbc-sim shrink: %s\nusage: aitbc-sim shrink FILE [--out SMALL.ini] "
                    "[--max-runs N] [--timeout S]\n", msg);
    return CLI_EXIT_USAGE;
}

static int parse_shrink_args(int argc, char **argv, shrink_args *a)
{
    *a = (shrink_args){.runs_max = SHRINK_RUNS_MAX_DEFAULT, .timeout_s = SHRINK_TIMEOUT_S_DEFAULT};
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        bool number = strcmp(arg, "--max-runs") == 0 || strcmp(arg, "--timeout") == 0;
        if ((number || strcmp(arg, "--out") == 0) && i + 1 >= argc) {
            g_autofree char *msg = g_strdup_printf("%s needs a value", arg);
            return shrink_usage(msg);
        }
        if (number) {
            char *end = NULL;
            errno = 0;
            unsigned long v = strtoul(argv[++i], &end, 10);
            if (errno != 0 || *end != '\0' || argv[i][0] == '-' || v == 0 || v > 100000)
                return shrink_usage("--max-runs and --timeout need 1..100000");
            *(arg[2] == 'm' ? &a->runs_max : &a->timeout_s) = (guint)v;
        } else if (strcmp(arg, "--out") == 0) {
            a->out = argv[++i];
        } else if (arg[0] == '-') {
            g_autofree char *msg = g_strdup_printf("unknown option '%s'", arg);
            return shrink_usage(msg);
        } else if (a->file == NULL) {
            a->file = arg;
        } else {
            return shrink_usage("only one scenario file");
        }
    }
    return a->file == NULL ? shrink_usage("missing scenario FILE") : CLI_EXIT_OK;
}

static int write_result(const shrink_state *s, const char *file, const char *out)
{
    g_autofree char *detail = g_strdelimit(g_strdup(s->best.detail ? s->best.detail : ""), "\n", ' ');
    g_autofree char *all = g_strdup_printf(
        "# Shrunk by `aitbc-sim shrink %s`: %s: %s\n# exit: 1\n# trace: %s\n%s", file,
        rep_swarm_class_name(s->target), detail,
        s->best.trace_hash != NULL ? s->best.trace_hash : "none", s->text);
    GError *error = NULL;
    if (!g_file_set_contents(out, all, -1, &error)) {
        fprintf(stderr, "aitbc-sim shrink: %s\n", error->message);
        g_error_free(error);
        return CLI_EXIT_INTERNAL;
    }
    return CLI_EXIT_OK;
}

static void print_sizes(const char *label, shrink_size z)
{
    printf("%s %u lines, %u faults, %u nodes, %.1f s simulated\n", label, z.lines, z.faults,
           z.nodes, z.duration_s);
}

/* Run the file as given: it must fail, and how it fails is the target. */
static int shrink_start(shrink_state *s, const char *file)
{
    GError *error = NULL;
    sim_scenario *sc = sim_scenario_load(file, NULL, &error);
    if (sc == NULL || !g_file_get_contents(file, &s->text, NULL, &error)) {
        fprintf(stderr, "%s\n", error->message);
        g_error_free(error);
        sim_scenario_free(sc);
        return CLI_EXIT_USAGE;
    }
    if (s->work_dir == NULL)
        s->work_dir = g_strdup_printf("out/shrink-%s", sc->name);
    sim_scenario_free(sc);
    if (g_mkdir_with_parents(s->work_dir, 0755) != 0) {
        fprintf(stderr, "aitbc-sim shrink: cannot create %s: %s\n", s->work_dir,
                g_strerror(errno));
        return CLI_EXIT_USAGE;
    }
    if (!shrink_run(s, s->text, &s->best))
        return CLI_EXIT_INTERNAL;
    s->target = s->best.outcome;
    if (!rep_swarm_class_is_failure(s->target)) {
        fprintf(stderr, "aitbc-sim shrink: %s does not fail (%s): nothing to shrink\n", file,
                rep_swarm_class_name(s->target));
        return CLI_EXIT_USAGE;
    }
    printf("shrink: %s fails: %s: %s\n", file, rep_swarm_class_name(s->target),
           s->best.detail != NULL ? s->best.detail : "");
    return CLI_EXIT_OK;
}

int cli_shrink(int argc, char **argv)
{
    shrink_args a;
    int rc = parse_shrink_args(argc, argv, &a);
    if (rc != CLI_EXIT_OK)
        return rc;
    shrink_state s = {.exe = cli_self_exe(), .runs_max = a.runs_max, .timeout_s = a.timeout_s};
    if (a.out != NULL) {
        g_autofree char *base = g_path_get_basename(a.out);
        g_autofree char *dir = g_path_get_dirname(a.out);
        s.work_dir = g_strdup_printf("%s/.shrink-%s", dir, base);
    }
    rc = shrink_start(&s, a.file);
    if (rc == CLI_EXIT_OK) {
        shrink_size before = size_of(s.text);
        shrink_fixed_point(&s);
        g_autofree char *out = a.out != NULL ? g_strdup(a.out)
                                             : g_build_filename(s.work_dir, "shrunk.ini", NULL);
        rc = write_result(&s, a.file, out);
        print_sizes("before:", before);
        print_sizes("after: ", size_of(s.text));
        printf("shrink: %u runs%s; still fails: %s; written to %s\n", s.runs,
               s.runs >= s.runs_max ? " (stopped at --max-runs)" : ", a fixed point",
               rep_swarm_class_name(s.target), out);
    }
    rep_swarm_run_clear(&s.best);
    g_free(s.text);
    g_free(s.exe);
    g_free(s.work_dir);
    return rc;
}
