/* aitbc-node: one node of a scenario as a process of its own, on TCP.
 *
 * The chain (keys, stakes, genesis state, consensus parameters) is built
 * from the scenario and seed by sim_chain_init, exactly as the simulator
 * builds it, so a testbed of these processes runs the chain a simulated
 * run of the same scenario and seed runs. The node is the real protocol
 * node (today PBFT in direct topology), and its environment table is the
 * real runtime of runtime_env.c. The scenario's faults and workload are
 * not applied here: the node runs until SIGINT or SIGTERM, and takes
 * transactions from client connections (frames.h, TB_HELLO_CLIENT), which
 * `aitbc-sim testbed` opens to drive the scenario's workload.
 *
 * SIGUSR1 is a graceful leave (aitbc-sim testbed's churn): the node
 * says GOODBYE to its mesh peers and stops 100 ms later.
 *
 * Exit status: 0 stopped by a signal, 2 bad command line, scenario, peers
 * or listening address (a port in use is named), 3 internal error (a
 * store or record file that stopped taking writes). */
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>

#include "sim/world/churn.h"
#include "sim/world/world.h"
#include "tools/node/node_byz.h"
#include "tools/node/node_host.h"
#include "tools/node/node_market.h"
#include "tools/node/node_options.h"
#include "tools/node/node_rotations.h"
#include "tools/node/runtime_env.h"

#define TB_EXIT_STOPPED 0
#define TB_EXIT_USAGE 2
#define TB_EXIT_INTERNAL 3
#define TB_EXIT_HELP_SHOWN (-1) /* not an exit status: --help, then exit 0 */
#define TB_RECORDS_FLUSH_MS 250

typedef struct tb_daemon {
    tb_options opt;
    sim_scenario *sc;
    bool chain_built;
    sim_chain chain;
    uint32_t self;
    int32_t validator_index;
    GArray *peers;               /* tb_peer_addr */
    tb_links *links;
    tb_store *store;
    tb_records *records;
    tb_filter *filter;
    tb_host host;
    tb_byz *byz;                 /* NULL: an honest node */
    tb_rotations *rotations;     /* NULL: no key rotation for this node */
    tb_market *market;           /* NULL: no spam or censor fault names it */
    bool runtime_ready;
    tb_runtime rt;
    GMainLoop *loop;
    const char *stop;            /* why the loop ended */
    bool leaving;                /* SIGUSR1 came: a graceful leave is under way */
    int exit_code;
} tb_daemon;

static int fail(int code, const char *what)
{
    fprintf(stderr, "aitbc-node: %s\n", what);
    return code;
}

static int fail_error(int code, GError *error)
{
    int rc = fail(code, error->message);
    g_error_free(error);
    return rc;
}

/* What this build can run of a scenario, and notes on what it leaves out. */
static int check_scenario(const sim_scenario *sc)
{
    for (guint i = 0; i < sc->faults->len; i++) {
        const sim_fault *f = g_ptr_array_index(sc->faults, i);
        if (f->action == SIM_FAULT_PARTITION || f->action == SIM_FAULT_ROTATE_KEY ||
            f->action == SIM_FAULT_BYZANTINE)
            continue;
        if (f->action == SIM_FAULT_DEGRADE) {
            if (f->has_bandwidth)
                fprintf(stderr, "aitbc-node: note: [fault %s]: bandwidth is not emulated (its "
                        "latency, loss and duplicate are)\n", f->name);
            continue;
        }
        fprintf(stderr, "aitbc-node: note: [fault %s] (%s) is not applied by the node itself%s\n",
                f->name, sim_fault_action_name(f->action),
                f->action == SIM_FAULT_CRASH ? " (aitbc-sim testbed kills and restarts it)" : "");
    }
    if (sc->tx_rate_per_s > 0)
        fprintf(stderr, "aitbc-node: note: the scenario's workload is not run by a single "
                "node (aitbc-sim testbed sends it over a client connection)\n");
    return 0;
}

static int daemon_load(tb_daemon *d, int argc, char **argv)
{
    GError *error = NULL;
    if (!tb_options_parse(&d->opt, argc, argv, &error)) {
        if (error->code == TB_OPTIONS_HELP) {
            fputs(tb_options_usage, stdout);
            g_error_free(error);
            return TB_EXIT_HELP_SHOWN;
        }
        fputs(tb_options_usage, stderr);
        return fail_error(TB_EXIT_USAGE, error);
    }
    d->sc = sim_scenario_load(d->opt.scenario_path,
                              (const char *const *)d->opt.overrides->pdata, &error);
    if (d->sc == NULL)
        return fail_error(TB_EXIT_USAGE, error);
    int rc = check_scenario(d->sc);
    if (rc != 0)
        return rc;
    if (!tb_node_by_name(d->sc, d->opt.node_name, &d->self, &error))
        return fail_error(TB_EXIT_USAGE, error);
    d->validator_index = tb_validator_of(d->sc, d->self); /* a twin runs its K's keys */
    d->peers = tb_peers_parse(d->sc, d->opt.peers, d->self, &error);
    if (d->peers == NULL)
        return fail_error(TB_EXIT_USAGE, error);
    return 0;
}

/* Listen first, so a port in use stops us before any file is touched. */
static int daemon_open(tb_daemon *d)
{
    proto_crypto_global_init();
    sim_chain_options copt = sim_chain_options_from(d->sc);
    /* One node per process: every signature is verified by this node
     * itself, and nothing is shared between nodes (as in a deployment). */
    copt.crypto_memo_max = 0;
    copt.memo_heights = 0;
    d->chain_built = sim_chain_init(&d->chain, &copt, NULL, NULL);
    g_assert(d->chain_built);
    uint32_t nodes_count = sim_scenario_node_count(d->sc); /* twins too */
    tb_links_options lopt;
    tb_links_options_defaults(&lopt, d->self, nodes_count, d->chain.pbft.chain_id);
    if (d->opt.frame_max > 0)
        lopt.frame_max = d->opt.frame_max;
    /* A mesh node talks to its peers, not to everyone. */
    lopt.dial_on_demand = d->sc->topology == SIM_TOPOLOGY_MESH;
    d->links = tb_links_new(&lopt, tb_runtime_deliver, &d->rt);
    GError *error = NULL;
    if (!tb_links_listen(d->links, d->opt.listen_host, d->opt.listen_port, &error))
        return fail_error(TB_EXIT_USAGE, error);
    d->store = tb_store_open(d->opt.store_path, &error);
    if (d->store == NULL)
        return fail_error(TB_EXIT_USAGE, error);
    tb_runtime_init(&d->rt, d->self, d->opt.genesis_unix_ns, d->links, d->store, NULL);
    d->runtime_ready = true;
    d->filter = tb_filter_new(d->sc, d->self, d->opt.emulate_links);
    if (tb_filter_active(d->filter))
        d->rt.filter = d->filter;
    char genesis_hex[2 * PROTO_HASH_SIZE + 1];
    proto_hash_hex(&d->chain.pbft.genesis_hash, genesis_hex);
    tb_run_info info = {.node = d->opt.node_name,
                        .node_index = d->self,
                        .validator_index = d->validator_index,
                        .scenario = d->opt.scenario_path,
                        .seed = d->sc->seed,
                        .chain_id = d->chain.pbft.chain_id,
                        .genesis_hash = genesis_hex,
                        .listen = d->opt.listen,
                        .genesis_unix_ns = d->opt.genesis_unix_ns,
                        .started_ns = tb_runtime_now_ns(&d->rt)};
    d->records = tb_records_open(d->opt.records_path, &info, &error);
    if (d->records == NULL)
        return fail_error(TB_EXIT_USAGE, error);
    d->rt.records = d->records;
    for (guint i = 0; i < d->peers->len; i++) {
        const tb_peer_addr *p = &g_array_index(d->peers, tb_peer_addr, i);
        tb_links_add_peer(d->links, p->node, p->host, p->port);
    }
    return 0;
}

static gboolean on_signal(gpointer data)
{
    tb_daemon *d = data;
    if (d->stop == NULL)
        d->stop = "signal";
    g_main_loop_quit(d->loop);
    return G_SOURCE_CONTINUE;
}

static gboolean on_sigint(gpointer data)
{
    ((tb_daemon *)data)->stop = "SIGINT";
    return on_signal(data);
}

static gboolean on_sigterm(gpointer data)
{
    ((tb_daemon *)data)->stop = "SIGTERM";
    return on_signal(data);
}

static gboolean leave_done(gpointer data)
{
    tb_daemon *d = data;
    d->stop = "leave";
    g_main_loop_quit(d->loop);
    return G_SOURCE_REMOVE;
}

/* SIGUSR1: a graceful leave (churn): GOODBYE to every mesh peer, then
 * the machine goes away SIM_CHURN_GRACE_NS later, as in simulation. */
static gboolean on_sigusr1(gpointer data)
{
    tb_daemon *d = data;
    if (d->leaving)
        return G_SOURCE_CONTINUE;
    d->leaving = true;
    if (d->host.mesh != NULL)
        p2p_node_leave(d->host.mesh);
    g_timeout_add(SIM_CHURN_GRACE_NS / 1000000, leave_done, d);
    return G_SOURCE_CONTINUE;
}

/* The filter's counters, as link_stats rows named filter.*. */
static bool write_filter_stats(tb_daemon *d, GError **error)
{
    if (d->rt.filter == NULL)
        return true;
    const tb_filter_stats *st = tb_filter_get_stats(d->filter);
    return tb_records_write_stat(d->records, "filter.dropped_partition", st->dropped_partition,
                                 error) &&
           tb_records_write_stat(d->records, "filter.dropped_loss", st->dropped_loss, error) &&
           tb_records_write_stat(d->records, "filter.duplicated", st->duplicated, error) &&
           tb_records_write_stat(d->records, "filter.delayed", st->delayed, error);
}

static gboolean flush_records(gpointer data)
{
    tb_daemon *d = data;
    GError *error = NULL;
    if (tb_records_write_stats(d->records, tb_links_stats(d->links), &error) &&
        write_filter_stats(d, &error) && tb_host_write_stats(&d->host, d->records, &error) &&
        tb_records_flush(d->records, &error))
        return G_SOURCE_CONTINUE;
    d->exit_code = fail_error(TB_EXIT_INTERNAL, error);
    d->stop = "records-failed";
    g_main_loop_quit(d->loop);
    return G_SOURCE_CONTINUE;
}

static void daemon_run(tb_daemon *d)
{
    /* The wrapper first: the node sends as it starts. */
    d->byz = tb_byz_new(d->sc, &d->chain, d->self, d->validator_index, d->opt.node_name, &d->rt,
                        &d->host);
    d->market = tb_market_new(d->sc, &d->chain, d->self, d->validator_index, d->opt.node_name,
                              &d->rt, &d->host);
    tb_host_start(&d->host, d->sc, &d->chain, d->self, d->validator_index, &d->rt);
    d->rt.node = d->host.node;
    d->rt.ops = d->host.ops;
    d->rotations = tb_rotations_start(d->sc, d->self, &d->rt, &d->host);
    tb_market_start(d->market);
    tb_links_start(d->links);
    fprintf(stderr, "aitbc-node: %s (%s) of %s, seed %" G_GUINT64_FORMAT
            ", listening on %s, %u peer(s)\n",
            d->opt.node_name, d->validator_index >= 0 ? "validator" : "full node", d->sc->path,
            d->sc->seed, d->opt.listen, d->peers->len);
    d->loop = g_main_loop_new(NULL, FALSE);
    guint sources[] = {
        g_unix_signal_add(SIGINT, on_sigint, d),
        g_unix_signal_add(SIGTERM, on_sigterm, d),
        g_unix_signal_add(SIGUSR1, on_sigusr1, d),
        g_timeout_add(TB_RECORDS_FLUSH_MS, flush_records, d),
    };
    g_main_loop_run(d->loop);
    for (size_t i = 0; i < G_N_ELEMENTS(sources); i++)
        g_source_remove(sources[i]);
    g_main_loop_unref(d->loop);
    d->loop = NULL;
}

/* Stop the node, then write the run's end; returns the exit status. */
static int daemon_close(tb_daemon *d)
{
    int rc = d->exit_code;
    tb_rotations_free(d->rotations);
    tb_market_free(d->market);
    if (d->rt.node != NULL) {
        d->rt.node = NULL; /* nothing reaches it while it is freed */
        GError *error = NULL;
        if (d->records != NULL && !tb_host_write_stats(&d->host, d->records, &error)) {
            fprintf(stderr, "aitbc-node: %s\n", error->message);
            g_clear_error(&error);
        }
        tb_host_clear(&d->host);
    }
    tb_byz_free(d->byz);
    if (d->runtime_ready)
        tb_runtime_clear(&d->rt);
    if (d->records != NULL) {
        const tb_link_stats *st = tb_links_stats(d->links);
        uint64_t bad = st->bad_empty + st->bad_oversized + st->bad_truncated + st->bad_hello;
        fprintf(stderr, "aitbc-node: %s stopped (%s): final height %" G_GUINT64_FORMAT
                ", %" G_GUINT64_FORMAT " messages in, %" G_GUINT64_FORMAT " out, %" G_GUINT64_FORMAT
                " bad frames, %" G_GUINT64_FORMAT " client transactions\n", d->opt.node_name,
                d->stop != NULL ? d->stop : "error", d->rt.final_height, st->frames_in,
                st->frames_out, bad, d->rt.client_txs);
        GError *error = NULL;
        if (!write_filter_stats(d, &error)) {
            fprintf(stderr, "aitbc-node: %s\n", error->message);
            g_clear_error(&error);
        }
        if (!tb_records_close(d->records, tb_runtime_now_ns(&d->rt),
                              d->stop != NULL ? d->stop : "error", st, &error))
            rc = fail_error(TB_EXIT_INTERNAL, error);
    }
    tb_links_free(d->links);
    if (d->filter != NULL)
        tb_filter_free(d->filter);
    tb_store_close(d->store);
    if (d->chain_built)
        sim_chain_clear(&d->chain);
    tb_peer_addrs_free(d->peers);
    sim_scenario_free(d->sc);
    tb_options_clear(&d->opt);
    return rc;
}

int main(int argc, char **argv)
{
    /* A peer that vanishes mid-write must be an error return, not a
     * signal that ends the process. */
    signal(SIGPIPE, SIG_IGN);
    tb_daemon d = {0};
    int rc = daemon_load(&d, argc, argv);
    if (rc == 0)
        rc = daemon_open(&d);
    if (rc == 0) {
        daemon_run(&d);
        rc = d.exit_code;
    }
    int closed = daemon_close(&d);
    if (rc == TB_EXIT_HELP_SHOWN)
        return 0;
    return rc != 0 ? rc : closed;
}
