/* `aitbc-sim testbed FILE`: the scenario as one aitbc-node process per
 * node on this machine, on loopback TCP, in real time (see testbed.h).
 *
 * Set-up: load the scenario (--seed and --set as for `run`, and passed on
 * to every node), refuse what the simulator would refuse and what the
 * testbed cannot do yet (agents, delegators, unbond and upgrade faults:
 * each named), find the node
 * binary, check every port, create results.sqlite (incomplete), then
 * start the nodes with a genesis 1.5 s ahead. The timeline, on the chain's
 * clock: the workload's arrivals go to live nodes' client connections;
 * a crash fault kills its nodes (SIGKILL) at `at` and starts them again
 * with their stores at `until`, a twin fault starts its twins at `at` and
 * kills them at `until`; partition and degrade faults are applied
 * by each node's network filter from the same scenario on the same clock
 * (tools/node/net_filter.h), byzantine behaviours by the simulator's send
 * wrappers in the nodes they name (tools/node/node_byz.h), key rotations
 * by the validators' own processes (tools/node/node_rotations.h), churn
 * by this process as the simulator draws it (testbed_churn.c); at the
 * duration every node gets SIGTERM.
 * Then the nodes' records are merged (testbed_merge.c) and judged by
 * reports/verdict.c as a simulated run is, into the same results.sqlite,
 * report.json, summary and plots. SIGINT or SIGTERM stops every node the
 * same way and ends in a database whose verdict says incomplete (exit 1). */
#include <errno.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "reports/db.h"
#include "reports/json.h"
#include "reports/run_info.h"
#include "reports/summary.h"
#include "reports/verdict.h"
#include "tools/cli/cli.h"
#include "tools/cli/testbed.h"
#include "tools/node/node_options.h"

#define TBD_GENESIS_DELAY_MS 1500
#define TBD_TICK_MS 10
#define TBD_STOP_WAIT_MS 10000
#define TBD_DEFAULT_BASE_PORT 27000
#define TBD_WORKLOAD_FILE "workload.sqlite"
#define TBD_CHURN_FILE "churn.sqlite"

typedef struct tbd_args {
    const char *file;
    const char *out_dir;
    const char *node_bin;
    const char *hosts_file;
    const char *here;            /* --here HOST: the nodes at HOST are this machine's */
    int64_t genesis_ms;          /* --genesis-ms; 0: 1.5 s from now */
    bool merge_only;
    uint16_t base_port;
    GPtrArray *overrides;
    bool quiet;
    bool no_plots;
    bool emulate_links;
} tbd_args;

/* One step of the fault timeline. */
typedef struct tbd_action {
    int64_t at_ns;
    const sim_fault *fault;
    uint32_t twin_first;         /* a twin fault: its twins are nodes twin_first + k;
                                  * UINT32_MAX: a crash fault, of its own nodes */
    bool restart;                /* false: kill */
    bool done;
} tbd_action;

typedef struct tbd_run {
    tbd_testbed t;
    sim_chain chain;
    bool chain_built;
    tbd_workload *wl;
    tbd_churn *churn;            /* NULL: no churn fault */
    GArray *churn_loaded;        /* --merge-only: the churn's saved record */
    GArray *actions;             /* tbd_action, by time */
    bool *alive;                 /* [nodes]: running and not crashed */
    const char *interrupted;     /* "SIGINT" / "SIGTERM" once asked to stop */
    bool duration_reached;
    int64_t end_ns;
    guint stop_timeout;
    guint startup_wait;
    double *cpu_s;               /* [nodes]: read as the stop begins; -1 unknown */
    double *rss_kib;
} tbd_run;

int64_t tbd_chain_now_ns(const tbd_testbed *t)
{
    return g_get_real_time() * 1000 - t->genesis_unix_ns;
}

static int usage_error(const char *msg)
{
    fprintf(stderr, "aitbc-sim testbed: %s\n"
                    "usage: aitbc-sim testbed FILE [--out DIR] [--base-port N] [--seed N]\n"
                    "                 [--set section.key=value ...] [--node-bin PATH] "
                    "[--emulate-links]\n"
                    "                 [--hosts FILE [--here HOST] [--genesis-ms UNIX_MS] "
                    "[--merge-only]]\n"
                    "                 [--quiet] [--no-plots]\n", msg);
    return CLI_EXIT_USAGE;
}

static int parse_args(int argc, char **argv, tbd_args *a)
{
    a->base_port = TBD_DEFAULT_BASE_PORT;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        bool has_value = i + 1 < argc;
        if (strcmp(arg, "--quiet") == 0 || strcmp(arg, "-q") == 0) {
            a->quiet = true;
        } else if (strcmp(arg, "--no-plots") == 0) {
            a->no_plots = true;
        } else if (strcmp(arg, "--emulate-links") == 0) {
            a->emulate_links = true;
        } else if (strcmp(arg, "--merge-only") == 0) {
            a->merge_only = true;
        } else if (strcmp(arg, "--out") == 0 || strcmp(arg, "--node-bin") == 0 ||
                   strcmp(arg, "--set") == 0 || strcmp(arg, "--seed") == 0 ||
                   strcmp(arg, "--base-port") == 0 || strcmp(arg, "--hosts") == 0 ||
                   strcmp(arg, "--genesis-ms") == 0 || strcmp(arg, "--here") == 0) {
            if (!has_value) {
                g_autofree char *msg = g_strdup_printf("%s needs a value", arg);
                return usage_error(msg);
            }
            const char *value = argv[++i];
            if (strcmp(arg, "--out") == 0) {
                a->out_dir = value;
            } else if (strcmp(arg, "--node-bin") == 0) {
                a->node_bin = value;
            } else if (strcmp(arg, "--set") == 0) {
                g_ptr_array_add(a->overrides, g_strdup(value));
            } else if (strcmp(arg, "--hosts") == 0) {
                a->hosts_file = value;
            } else if (strcmp(arg, "--here") == 0) {
                a->here = value;
            } else {
                char *end = NULL;
                errno = 0;
                unsigned long long v = strtoull(value, &end, 10);
                bool bad = errno != 0 || end == value || *end != '\0' || value[0] == '-';
                if (strcmp(arg, "--seed") == 0) {
                    if (bad)
                        return usage_error("--seed needs a non-negative integer");
                    g_ptr_array_add(a->overrides, g_strdup_printf("scenario.seed=%llu", v));
                } else if (strcmp(arg, "--genesis-ms") == 0) {
                    if (bad || v == 0 || v > (unsigned long long)INT64_MAX / 1000000)
                        return usage_error("--genesis-ms needs a Unix time in milliseconds");
                    a->genesis_ms = (int64_t)v;
                } else {
                    if (bad || v < 1024 || v > 65535)
                        return usage_error("--base-port needs a port from 1024 to 65535");
                    a->base_port = (uint16_t)v;
                }
            }
        } else if (arg[0] == '-') {
            g_autofree char *msg = g_strdup_printf("unknown option '%s'", arg);
            return usage_error(msg);
        } else if (a->file == NULL) {
            a->file = arg;
        } else {
            return usage_error("only one scenario file per testbed");
        }
    }
    if (a->file == NULL)
        return usage_error("missing scenario FILE");
    if (a->merge_only && a->hosts_file == NULL)
        return usage_error("--merge-only needs --hosts (the network whose records to merge)");
    if (a->here != NULL && a->hosts_file == NULL)
        return usage_error("--here needs --hosts");
    g_ptr_array_add(a->overrides, NULL);
    return CLI_EXIT_OK;
}

/* What the simulator refuses, the testbed refuses with the same words
 * (sim_world_check); what the testbed cannot run yet is refused, each
 * thing named. */
static bool check_scenario(const sim_scenario *sc, GError **error)
{
    if (!sim_world_check(sc, error))
        return false;
    if (sim_scenario_agent_count(sc) > 0) {
        g_set_error(error, TBD_ERROR, 1, "%s: [agents]: the testbed runs validators, full "
                    "nodes and twins only (no agents yet)", sc->path);
        return false;
    }
    if (sc->staking_opt.delegators > 0) {
        g_set_error(error, TBD_ERROR, 1, "%s: [staking] delegators: the testbed runs no "
                    "delegator clients yet (run this scenario in simulation, or set "
                    "staking.delegators=0)", sc->path);
        return false;
    }
    for (guint i = 0; i < sc->faults->len; i++) {
        const sim_fault *f = g_ptr_array_index(sc->faults, i);
        if (f->action == SIM_FAULT_CRASH || f->action == SIM_FAULT_PARTITION ||
            f->action == SIM_FAULT_DEGRADE || f->action == SIM_FAULT_ROTATE_KEY ||
            f->action == SIM_FAULT_BYZANTINE || f->action == SIM_FAULT_CHURN)
            continue;
        g_set_error(error, TBD_ERROR, 1, "%s:%d: [fault %s]: action '%s' is not supported by "
                    "the testbed yet (crash, partition, degrade, byzantine, churn and rotate-key "
                    "are); "
                    "run this scenario in simulation, or remove the fault", sc->path, f->line,
                    f->name, sim_fault_action_name(f->action));
        return false;
    }
    return true;
}

static gint compare_actions(gconstpointer a, gconstpointer b)
{
    const tbd_action *x = a, *y = b;
    if (x->at_ns != y->at_ns)
        return x->at_ns < y->at_ns ? -1 : 1;
    return (int)x->restart - (int)y->restart; /* kills first */
}

static void plan_actions(tbd_run *r)
{
    const sim_scenario *sc = r->t.sc;
    r->actions = g_array_new(FALSE, FALSE, sizeof(tbd_action));
    uint32_t twin = tb_first_twin(sc);
    for (guint i = 0; i < sc->faults->len; i++) {
        const sim_fault *f = g_ptr_array_index(sc->faults, i);
        /* A twin machine runs during its fault's window: down (as if
         * crashed) before, started at `at`, killed at `until`. */
        if (f->action == SIM_FAULT_BYZANTINE && g_str_equal(f->behavior, "twin")) {
            for (guint k = 0; k < f->nodes->len; k++)
                r->t.nodes[twin + k].crashed = true;
            tbd_action start = {.at_ns = f->at_ns, .fault = f, .twin_first = twin,
                                .restart = true};
            g_array_append_val(r->actions, start);
            if (f->until_ns >= 0) {
                tbd_action stop = {.at_ns = f->until_ns, .fault = f, .twin_first = twin};
                g_array_append_val(r->actions, stop);
            }
            twin += f->nodes->len;
            continue;
        }
        /* The nodes apply the others themselves: partitions and degrades
         * in their network filter, byzantine behaviours in their send
         * wrapper, key rotations from their own clock. */
        if (f->action != SIM_FAULT_CRASH)
            continue;
        tbd_action kill_it = {.at_ns = f->at_ns, .fault = f, .twin_first = UINT32_MAX};
        g_array_append_val(r->actions, kill_it);
        if (f->until_ns >= 0) {
            tbd_action restart = {.at_ns = f->until_ns, .fault = f, .twin_first = UINT32_MAX,
                                  .restart = true};
            g_array_append_val(r->actions, restart);
        }
    }
    g_array_sort(r->actions, compare_actions);
}

/* When the last fault window closed (0: no fault). */
static int64_t heal_ns(const sim_scenario *sc)
{
    int64_t heal = 0;
    for (guint i = 0; i < sc->faults->len; i++) {
        const sim_fault *f = g_ptr_array_index(sc->faults, i);
        heal = MAX(heal, f->until_ns >= 0 ? f->until_ns : f->at_ns);
    }
    return heal;
}

/* Apply a fault step; false if it must wait (a killed node not reaped yet). */
/* The k-th node an action acts on. */
static uint32_t action_node(const tbd_action *a, guint k)
{
    return a->twin_first != UINT32_MAX ? a->twin_first + k
                                       : g_array_index(a->fault->nodes, uint32_t, k);
}

static bool apply_action(tbd_run *r, tbd_action *a)
{
    for (guint k = 0; k < a->fault->nodes->len; k++) {
        uint32_t i = action_node(a, k);
        if (a->restart && r->t.nodes[i].proc != NULL && r->t.nodes[i].crashed)
            return false;
    }
    for (guint k = 0; k < a->fault->nodes->len; k++) {
        uint32_t i = action_node(a, k);
        tbd_node *n = &r->t.nodes[i];
        if (!n->local) {
            /* Another machine's testbed kills and restarts it; the
             * workload here knows it is down. */
            r->alive[i] = a->restart;
            continue;
        }
        if (!a->restart) {
            if (n->proc == NULL)
                continue;
            n->crashed = true;
            r->alive[i] = false;
            tbd_node_signal(&r->t, i, SIGKILL);
            fprintf(stderr, "testbed: %.2f s: [fault %s] crash %s\n",
                    tbd_chain_now_ns(&r->t) / 1e9, a->fault->name, n->name);
        } else if (n->crashed) {
            GError *error = NULL;
            if (!tbd_node_start(&r->t, i, &error)) {
                fprintf(stderr, "aitbc-sim testbed: %s\n", error->message);
                g_error_free(error);
                continue;
            }
            r->alive[i] = true;
            fprintf(stderr, "testbed: %.2f s: [fault %s] %s %s\n",
                    tbd_chain_now_ns(&r->t) / 1e9, a->fault->name,
                    a->twin_first != UINT32_MAX ? "start twin" : "restart with its store",
                    n->name);
        }
    }
    return true;
}

static void begin_stop(tbd_run *r);

static gboolean on_stop_overdue(gpointer data)
{
    tbd_run *r = data;
    r->stop_timeout = 0;
    for (uint32_t i = 0; i < r->t.nodes_count; i++) {
        if (r->t.nodes[i].proc != NULL) {
            fprintf(stderr, "aitbc-sim testbed: %s did not stop within %d ms: killed\n",
                    r->t.nodes[i].name, TBD_STOP_WAIT_MS);
            tbd_node_signal(&r->t, i, SIGKILL);
        }
    }
    return G_SOURCE_REMOVE;
}

static gboolean on_tick(gpointer data)
{
    tbd_run *r = data;
    if (r->t.stopping)
        return G_SOURCE_REMOVE;
    int64_t now = tbd_chain_now_ns(&r->t);
    /* Crash steps and churn events in time order, as they interleave in
     * simulation (churn's candidates depend on who is up). */
    for (;;) {
        tbd_action *next = NULL;
        for (guint i = 0; i < r->actions->len && next == NULL; i++) {
            tbd_action *a = &g_array_index(r->actions, tbd_action, i);
            if (!a->done)
                next = a;
        }
        int64_t action_ns = next != NULL ? next->at_ns : INT64_MAX;
        int64_t churn_ns = r->churn != NULL ? tbd_churn_next_ns(r->churn) : INT64_MAX;
        if (MIN(action_ns, churn_ns) > now)
            break;
        if (action_ns <= churn_ns) {
            if (!apply_action(r, next))
                break; /* a killed node not reaped yet: the next tick */
            next->done = true;
        } else {
            tbd_churn_step(r->churn, &r->t, r->alive);
        }
    }
    tbd_churn_start_pending(r->churn, &r->t, r->alive);
    for (uint32_t i = 0; i < r->t.nodes_count; i++)
        if (r->t.nodes[i].exited_early)
            r->alive[i] = false;
    tbd_workload_tick(r->wl, now, r->alive);
    if (now >= r->t.sc->duration_ns) {
        r->duration_reached = true;
        begin_stop(r);
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static gboolean on_signal(tbd_run *r, const char *name)
{
    if (r->interrupted == NULL) {
        r->interrupted = name;
        fprintf(stderr, "aitbc-sim testbed: %s: stopping every node\n", name);
    }
    begin_stop(r);
    return G_SOURCE_CONTINUE;
}

static gboolean on_sigint(gpointer data)
{
    return on_signal(data, "SIGINT");
}

static gboolean on_sigterm(gpointer data)
{
    return on_signal(data, "SIGTERM");
}

static void begin_stop(tbd_run *r)
{
    if (r->t.stopping)
        return;
    r->t.stopping = true;
    r->end_ns = MIN(tbd_chain_now_ns(&r->t), r->t.sc->duration_ns);
    for (uint32_t i = 0; i < r->t.nodes_count; i++)
        tbd_read_usage(&r->t.nodes[i], &r->cpu_s[i], &r->rss_kib[i]);
    for (uint32_t i = 0; i < r->t.nodes_count; i++)
        tbd_node_signal(&r->t, i, SIGTERM);
    if (r->t.running == 0)
        g_main_loop_quit(r->t.loop);
    else
        r->stop_timeout = g_timeout_add(TBD_STOP_WAIT_MS, on_stop_overdue, r);
}

/* Merge the records, judge the run as a simulated one is judged, write
 * the outputs; the exit status. */
static int judge_and_write(const tbd_args *a, tbd_run *r, const char *dir, rep_db *db,
                           rep_run_info *info)
{
    const tbd_testbed *t = &r->t;
    GError *error = NULL;
    /* What the workload sent, for a merge of several machines' records. */
    char *wl_path = g_build_filename(dir, "nodes", TBD_WORKLOAD_FILE, NULL);
    bool saved = r->wl == NULL || t->merge_only || tbd_workload_save(r->wl, wl_path, &error);
    g_free(wl_path);
    if (!saved) {
        fprintf(stderr, "aitbc-sim testbed: %s\n", error->message);
        g_error_free(error);
        return CLI_EXIT_INTERNAL;
    }
    tbd_merged merged;
    const GArray *churn = r->churn != NULL ? tbd_churn_records(r->churn) : r->churn_loaded;
    char *churn_path = g_build_filename(dir, "nodes", TBD_CHURN_FILE, NULL);
    saved = churn == NULL || t->merge_only || tbd_churn_save(churn, churn_path, &error);
    g_free(churn_path);
    if (!saved || !tbd_merge(t, &r->chain, r->wl, churn, r->end_ns, heal_ns(t->sc), r->alive,
                             &merged, &error)) {
        fprintf(stderr, "aitbc-sim testbed: %s\n", error->message);
        g_error_free(error);
        return CLI_EXIT_INTERNAL;
    }
    sim_metrics *m = merged.metrics;
    sim_metrics_figure(m, "wall_s", info->wall_s);
    sim_metrics_figure(m, "testbed.nodes", t->nodes_count);
    tbd_usage_figures(m, r->t.nodes_count, r->cpu_s, r->rss_kib);
    info->sim_s = r->end_ns / 1e9;
    info->events = merged.events;
    /* A node that exited on its own (not a crash fault) fails the run:
     * the network the scenario describes did not run. */
    GString *died = g_string_new(NULL);
    for (uint32_t i = 0; i < t->nodes_count; i++)
        if (t->nodes[i].exited_early)
            g_string_append_printf(died, "%s%s", died->len > 0 ? ", " : "", t->nodes[i].name);
    g_autofree char *stop_detail =
        r->interrupted != NULL
            ? g_strdup_printf("testbed interrupted by %s at %.1f s", r->interrupted,
                              r->end_ns / 1e9)
        : !merged.safety_held ? g_strdup(merged.safety_detail)
        : died->len > 0       ? g_strdup_printf("node process(es) %s exited on their own (see "
                                                "their logs in %s/nodes)", died->str, dir)
                              : g_strdup("testbed reached its duration");
    rep_run_end end = {
        .stop = r->interrupted != NULL                      ? SIM_STOP_INTERRUPTED
                : merged.safety_held && died->len == 0 ? SIM_STOP_DURATION
                                                       : SIM_STOP_INVARIANT,
        .stop_detail = stop_detail,
        .checks = {.safety_held = merged.safety_held,
                   .safety_detail = merged.safety_detail,
                   .conservation_held = true,
                   .conservation_unchecked = true,
                   .liveness = &merged.liveness,
                   .slashed = merged.slashed,
                   .alarms_unwatched = true},
        .metrics = m,
    };
    g_string_free(died, TRUE);
    g_autoptr(rep_run_verdict) verdict = rep_verdict_judge(t->sc, &end);
    rep_verdict_record(verdict, info, m);
    int rc = tbd_write_outputs(dir, db, info, m, a->quiet, a->no_plots);
    if (rc == CLI_EXIT_OK)
        rc = tbd_verdict_exit(info->verdict);
    tbd_merged_clear(&merged);
    return rc;
}

/* ---- the run ---- */

/* The local nodes; the others are taken to run on their machines. */
static bool start_all(tbd_run *r, GError **error)
{
    for (uint32_t i = 0; i < r->t.nodes_count; i++) {
        if (r->t.nodes[i].crashed)
            continue; /* a twin, started in its window */
        if (r->t.nodes[i].local && !tbd_node_start(&r->t, i, error))
            return false;
        r->alive[i] = true;
    }
    return true;
}

/* Nodes that died before genesis (a port taken meanwhile, a bad
 * scenario for the daemon): the run cannot go on. */
static bool startup_failed(tbd_run *r, GError **error)
{
    for (uint32_t i = 0; i < r->t.nodes_count; i++) {
        if (!r->t.nodes[i].exited_early)
            continue;
        char *tail = tbd_node_log_tail(&r->t.nodes[i], 4);
        g_set_error(error, TBD_ERROR, 1, "node %s exited while starting; its log says:\n%s",
                    r->t.nodes[i].name, tail);
        g_free(tail);
        return true;
    }
    return false;
}

static gboolean startup_waited(gpointer data)
{
    tbd_run *r = data;
    r->startup_wait = 0;
    g_main_loop_quit(r->t.loop);
    return G_SOURCE_REMOVE;
}

/* --merge-only: the records of every machine's nodes were gathered in
 * dir/nodes; judge them as one run that reached its duration. */
static int merge_only(const tbd_args *a, tbd_run *r, const char *dir, rep_db *db,
                      rep_run_info *info)
{
    const sim_scenario *sc = r->t.sc;
    r->end_ns = sc->duration_ns;
    r->duration_reached = true;
    for (uint32_t i = 0; i < r->t.nodes_count; i++)
        r->alive[i] = !tbd_crash_holds(sc, i, sc->duration_ns - 1);
    char *wl_path = g_build_filename(dir, "nodes", TBD_WORKLOAD_FILE, NULL);
    GError *error = NULL;
    if (g_file_test(wl_path, G_FILE_TEST_EXISTS) &&
        (r->wl = tbd_workload_load(wl_path, &error)) == NULL) {
        fprintf(stderr, "aitbc-sim testbed: %s\n", error->message);
        g_error_free(error);
        g_free(wl_path);
        return CLI_EXIT_USAGE;
    }
    g_free(wl_path);
    char *churn_path = g_build_filename(dir, "nodes", TBD_CHURN_FILE, NULL);
    if (g_file_test(churn_path, G_FILE_TEST_EXISTS) &&
        (r->churn_loaded = tbd_churn_load(churn_path, &error)) == NULL) {
        fprintf(stderr, "aitbc-sim testbed: %s\n", error->message);
        g_error_free(error);
        g_free(churn_path);
        return CLI_EXIT_USAGE;
    }
    g_free(churn_path);
    /* Who was up at the end: churn's record says too. */
    for (guint k = 0; r->churn_loaded != NULL && k < r->churn_loaded->len; k++) {
        const sim_membership_record *m =
            &g_array_index(r->churn_loaded, sim_membership_record, k);
        r->alive[m->node] = g_str_equal(m->kind, "join");
    }
    return judge_and_write(a, r, dir, db, info);
}

static int run_testbed(const tbd_args *a, tbd_run *r, const char *dir)
{
    GError *error = NULL;
    tbd_testbed *t = &r->t;
    rep_run_info *info = tbd_run_info_new(t);
    char *db_path = g_build_filename(dir, "results.sqlite", NULL);
    rep_db *db = NULL;
    bool ok = rep_db_begin(db_path, info, &db, &error) &&
              rep_db_set_stop_reason(db, "testbed not finished", &error);
    g_free(db_path);
    if (!ok) {
        fprintf(stderr, "aitbc-sim: %s\n", error->message);
        g_error_free(error);
        rep_db_close(db);
        rep_run_info_free(info);
        return CLI_EXIT_INTERNAL;
    }
    int64_t started_us = g_get_monotonic_time();
    if (t->merge_only) {
        int rc = merge_only(a, r, dir, db, info);
        rep_db_close(db);
        rep_run_info_free(info);
        return rc;
    }
    t->loop = g_main_loop_new(NULL, FALSE);
    guint sig_int = g_unix_signal_add(SIGINT, on_sigint, r);
    guint sig_term = g_unix_signal_add(SIGTERM, on_sigterm, r);
    int64_t now_ms = g_get_real_time() / 1000;
    t->genesis_unix_ns =
        (a->genesis_ms > 0 ? a->genesis_ms : now_ms + TBD_GENESIS_DELAY_MS) * 1000000;
    int rc = CLI_EXIT_OK;
    if (!start_all(r, &error)) {
        rc = CLI_EXIT_USAGE;
    } else {
        if (!a->quiet)
            fprintf(stderr, "testbed: %u of %u node(s) of %s started here (%s:%u first); "
                    "output in %s\n", tbd_nodes_local(t), t->nodes_count, t->sc->path,
                    t->nodes[0].host, t->nodes[0].port, dir);
        /* Until genesis: a node that cannot start says so at once. */
        int64_t wait_ms = MAX(t->genesis_unix_ns / 1000000 - now_ms, TBD_TICK_MS);
        r->startup_wait = g_timeout_add((guint)MIN(wait_ms, G_MAXUINT), startup_waited, r);
        g_main_loop_run(t->loop);
        if (r->startup_wait != 0)
            g_source_remove(r->startup_wait);
        r->startup_wait = 0;
        if (r->interrupted == NULL && startup_failed(r, &error))
            rc = CLI_EXIT_USAGE;
        if (rc == CLI_EXIT_OK && r->interrupted == NULL) {
            /* The machine that runs v0 drives the workload. */
            if (t->nodes[0].local)
                r->wl = tbd_workload_new(t, &r->chain);
            g_timeout_add(TBD_TICK_MS, on_tick, r);
            g_main_loop_run(t->loop);
        }
    }
    if (!t->stopping)
        begin_stop(r);
    while (t->running > 0)
        g_main_loop_run(t->loop);
    if (r->stop_timeout != 0)
        g_source_remove(r->stop_timeout);
    g_source_remove(sig_int);
    g_source_remove(sig_term);
    if (rc != CLI_EXIT_OK) {
        /* Set-up failed: no run; the database stays incomplete. */
        fprintf(stderr, "aitbc-sim testbed: %s\n", error->message);
        g_error_free(error);
    } else {
        info->wall_s = (g_get_monotonic_time() - started_us) / 1e6;
        rc = judge_and_write(a, r, dir, db, info);
    }
    g_main_loop_unref(t->loop);
    t->loop = NULL;
    rep_db_close(db);
    rep_run_info_free(info);
    return rc;
}

int cli_testbed(int argc, char **argv)
{
    tbd_args a = {.overrides = g_ptr_array_new_with_free_func(g_free)};
    int rc = parse_args(argc, argv, &a);
    if (rc != CLI_EXIT_OK) {
        g_ptr_array_free(a.overrides, TRUE);
        return rc;
    }
    GError *error = NULL;
    sim_scenario *sc =
        sim_scenario_load(a.file, (const char *const *)a.overrides->pdata, &error);
    tbd_run r = {.t = {.sc = sc, .scenario_path = a.file, .host = "127.0.0.1",
                       .hosts_file = a.hosts_file, .here = a.here,
                       .merge_only = a.merge_only,
                       .emulate_links = a.emulate_links,
                       .overrides = (const char *const *)a.overrides->pdata}};
    char *dir = NULL;
    if (sc == NULL || !check_scenario(sc, &error)) {
        fprintf(stderr, "%s\n", error->message);
        rc = CLI_EXIT_USAGE;
        goto out;
    }
    dir = a.out_dir != NULL
              ? g_strdup(a.out_dir)
              : g_strdup_printf("out/%s-%" G_GUINT64_FORMAT "-testbed", sc->name, sc->seed);
    r.t.dir = dir;
    if (g_mkdir_with_parents(dir, 0755) != 0) {
        fprintf(stderr, "aitbc-sim: cannot create output directory %s: %s\n", dir,
                g_strerror(errno));
        rc = CLI_EXIT_USAGE;
        goto out;
    }
    r.t.node_bin = a.merge_only ? g_strdup("") : tbd_find_node_bin(a.node_bin, &error);
    if (r.t.node_bin == NULL || !tbd_nodes_plan(&r.t, a.base_port, &error)) {
        fprintf(stderr, "aitbc-sim testbed: %s\n", error->message);
        rc = CLI_EXIT_USAGE;
        goto out;
    }
    if (!a.merge_only && tbd_nodes_local(&r.t) < r.t.nodes_count && a.genesis_ms == 0) {
        fprintf(stderr, "aitbc-sim testbed: %s names nodes on other machines: give every "
                "machine the same --genesis-ms (a Unix time in ms a little ahead, e.g. "
                "$(( $(date +%%s%%3N) + 30000 ))) so that they share the chain's time 0\n",
                a.hosts_file);
        rc = CLI_EXIT_USAGE;
        goto out;
    }
    if (!a.quiet && !a.merge_only && tbd_nodes_local(&r.t) < r.t.nodes_count)
        fprintf(stderr, "testbed: %u of %u nodes run here, the rest on the machines %s names; "
                "these results cover this machine's records only (gather every machine's "
                "nodes/ directory in one and run --merge-only there for the whole network)\n",
                tbd_nodes_local(&r.t), r.t.nodes_count, a.hosts_file);
    if (!a.quiet && !a.emulate_links &&
        (sc->latency.kind != SIM_DIST_CONSTANT || sc->latency.a_ns > 0 || sc->loss > 0))
        fprintf(stderr, "testbed: note: [network] latency and loss are not emulated (see "
                "--emulate-links): the nodes talk over loopback as it is\n");
    if (!a.quiet && sc->bandwidth_bps > 0)
        fprintf(stderr, "testbed: note: [network] bandwidth is not emulated\n");
    proto_crypto_global_init();
    sim_chain_options copt = sim_chain_options_from(sc);
    r.chain_built = sim_chain_init(&r.chain, &copt, NULL, NULL);
    g_assert(r.chain_built);
    r.alive = g_new0(bool, r.t.nodes_count);
    r.cpu_s = g_new(double, r.t.nodes_count);
    r.rss_kib = g_new(double, r.t.nodes_count);
    for (uint32_t i = 0; i < r.t.nodes_count; i++)
        r.cpu_s[i] = r.rss_kib[i] = -1;
    plan_actions(&r);
    r.churn = tbd_churn_new(&r.t);
    rc = run_testbed(&a, &r, dir);
out:
    if (r.actions != NULL)
        g_array_unref(r.actions);
    tbd_workload_free(r.wl);
    tbd_churn_free(r.churn);
    if (r.churn_loaded != NULL)
        g_array_unref(r.churn_loaded);
    if (r.chain_built)
        sim_chain_clear(&r.chain);
    g_free(r.alive);
    g_free(r.cpu_s);
    g_free(r.rss_kib);
    tbd_nodes_free(&r.t);
    g_free(r.t.node_bin);
    g_clear_error(&error);
    g_free(dir);
    sim_scenario_free(sc);
    g_ptr_array_free(a.overrides, TRUE);
    return rc;
}
