/* `aitbc-sim testbed`: a scenario as real aitbc-node processes on this
 * machine, what its files share.
 *
 *   cli_testbed.c      the command: options, the checks, the timeline
 *                      (start, crash, restart, workload, stop, Ctrl-C),
 *                      the outputs
 *   testbed_nodes.c    the node processes: the binary, the ports, spawn,
 *                      kill and restart with the same store
 *   testbed_workload.c the scenario's workload, sent to the nodes over
 *                      their client connections (frames.h)
 *   testbed_merge.c    every node's records (tools/node/records.h) turned
 *                      into the run's sim_metrics, safety and liveness
 *   testbed_mesh.c     the P2P mesh's part of the merge: peers, gossip,
 *                      connects, disconnects, partitions detected
 *   testbed_slashing.c slashings, unjails and key rotations the nodes'
 *                      blocks committed, once each
 *   testbed_churn.c    churn faults: the simulator's Poisson leaves and
 *                      joins, as kills, graceful leaves and fresh starts
 *   testbed_report.c   the outputs: run description, CPU and memory of
 *                      the nodes, results written as a simulated run's
 *
 * Times called chain time are ns since the chain's time 0, which is the
 * wall-clock instant genesis_unix_ns every node is given (--genesis-ms):
 * the scenario's `at`, `until` and duration are chain times, as are the
 * nodes' record times. */
#ifndef AITBC_TOOLS_CLI_TESTBED_H
#define AITBC_TOOLS_CLI_TESTBED_H

#include <gio/gio.h>
#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocol/core/event.h"
#include "reports/db.h"
#include "reports/run_info.h"
#include "reports/verdict.h"
#include "sim/figures/metrics.h"
#include "sim/check/liveness.h"
#include "sim/scenario/scenario.h"
#include "sim/world/chain.h"

/* One node of the testbed and its process. */
typedef struct tbd_node {
    char *name;                  /* "v0" */
    uint32_t index;
    char *host;                  /* its listening address */
    uint16_t port;
    bool local;                  /* run on this machine (else by another machine's testbed) */
    char *store_path;
    char *records_path;
    char *log_path;              /* the process's stderr, every start appended */
    GSubprocess *proc;           /* NULL: not running */
    uint32_t starts;
    bool crashed;                /* killed by a crash fault, not yet restarted */
    bool churned;                /* taken down by churn, not joined again */
    bool exited_early;           /* exited on its own while it should have run */
    int exit_status;             /* of the last exit, as g_subprocess_get_status */
} tbd_node;

typedef struct tbd_testbed {
    const sim_scenario *sc;
    const char *scenario_path;
    const char *const *overrides; /* "section.key=value", NULL-terminated: passed on */
    char *dir;
    char *node_bin;
    const char *host;            /* "127.0.0.1" without a hosts file */
    const char *hosts_file;      /* --hosts: every node's address; NULL: all here */
    const char *here;            /* --here: the address whose nodes are local; NULL: every
                                  * address this machine can bind */
    bool merge_only;             /* --merge-only: the records are there, start nothing */
    bool emulate_links;          /* aitbc-node --emulate-links */
    char *peers;                 /* NAME=HOST:PORT,... or the hosts file */
    int64_t genesis_unix_ns;
    uint32_t nodes_count;
    tbd_node *nodes;
    uint32_t running;            /* processes not yet reaped */
    GMainLoop *loop;             /* quit when `running` drops to 0 while stopping */
    bool stopping;
} tbd_testbed;

#define TBD_ERROR (g_quark_from_static_string("aitbc-testbed-error"))

/* Chain time now, on this machine's wall clock. */
int64_t tbd_chain_now_ns(const tbd_testbed *t);

/* ---- testbed_nodes.c ---- */

/* The aitbc-node binary: explicit (--node-bin), else $AITBC_NODE_BIN,
 * else next to this executable. An error names what was tried. */
char *tbd_find_node_bin(const char *explicit_path, GError **error);
/* Names, addresses, files under dir/nodes (an earlier testbed's are
 * removed, unless merge_only), the peer list. Without a hosts file every
 * node is local, on t->host at base_port, base_port + 1, ...; with one,
 * each node is at the address the file gives (every node must have one)
 * and is local if that address is t->here, or (no t->here) if this
 * machine can bind it. A local node's
 * port must be free: a port in use is an error naming it and the node. */
bool tbd_nodes_plan(tbd_testbed *t, uint16_t base_port, GError **error);
/* Remove a SQLite file and its -wal, -shm and -journal companions. */
void tbd_remove_sqlite_file(const char *path);
/* Nodes local to this machine. */
uint32_t tbd_nodes_local(const tbd_testbed *t);
/* A crash fault of sc names node `node` and its window covers at_ns. */
bool tbd_crash_holds(const sim_scenario *sc, uint32_t node, int64_t at_ns);
/* Start node i (its store and records are kept between starts). */
bool tbd_node_start(tbd_testbed *t, uint32_t i, GError **error);
/* SIGKILL (a crash) or SIGTERM (a clean stop) to node i if it runs. */
void tbd_node_signal(tbd_testbed *t, uint32_t i, int signal);
/* The last lines of node i's log, for an error message. */
char *tbd_node_log_tail(const tbd_node *n, guint lines);
void tbd_nodes_free(tbd_testbed *t);

/* ---- testbed_churn.c ---- */

typedef struct tbd_churn tbd_churn;
/* NULL if the scenario has no churn fault (of nodes). */
tbd_churn *tbd_churn_new(const tbd_testbed *t);
/* The chain time of the next join or leave (or the end of a graceful
 * leave), INT64_MAX if none. */
int64_t tbd_churn_next_ns(const tbd_churn *c);
/* Do what is due at tbd_churn_next_ns (<= now): a leave takes a random
 * live node of the fault's set down, half of them gracefully (SIGUSR1:
 * the node says GOODBYE to its peers and exits SIM_CHURN_GRACE_NS later)
 * and half as a crash (SIGKILL); a join starts a node churn took down
 * with its store wiped, a new machine. alive[] follows. Another machine's
 * node (--hosts) only changes alive[]. */
void tbd_churn_step(tbd_churn *c, tbd_testbed *t, bool *alive);
/* Start the joined nodes whose old process is reaped now (each tick). */
void tbd_churn_start_pending(tbd_churn *c, tbd_testbed *t, bool *alive);
/* Joins and leaves so far (sim_membership_record, at their times). */
const GArray *tbd_churn_records(const tbd_churn *c);
/* The records to a SQLite file, for --merge-only, and back (a new
 * array; kinds are the static names again). */
bool tbd_churn_save(const GArray *records, const char *path, GError **error);
GArray *tbd_churn_load(const char *path, GError **error);
void tbd_churn_free(tbd_churn *c);

/* ---- testbed_workload.c ---- */

typedef struct tbd_workload tbd_workload;
/* NULL when the scenario has no workload (tx_rate 0). The chain gives
 * the account keys and chain id, as simulation derives them. */
tbd_workload *tbd_workload_new(const tbd_testbed *t, const sim_chain *chain);
/* Send the arrivals due by chain time now_ns to live nodes
 * (alive[i]: node i runs and is not crashed), and every 5 s re-send what
 * is overdue. */
void tbd_workload_tick(tbd_workload *wl, int64_t now_ns, const bool *alive);
/* What was submitted: hash -> (node, chain time), for the merge. */
typedef struct tbd_submitted {
    proto_hash hash;
    uint32_t node;
    int64_t submitted_ns;
} tbd_submitted;
const GArray *tbd_workload_submitted(const tbd_workload *wl);
uint64_t tbd_workload_dropped_no_node(const tbd_workload *wl);
/* Re-sends of transactions not final 30 s after their last send. */
uint64_t tbd_workload_resubmitted(const tbd_workload *wl);
/* What was submitted, to a SQLite file (for a merge on another machine,
 * --merge-only), and back: a loaded workload only answers the three
 * questions above. */
bool tbd_workload_save(const tbd_workload *wl, const char *path, GError **error);
tbd_workload *tbd_workload_load(const char *path, GError **error);
void tbd_workload_free(tbd_workload *wl);

/* ---- testbed_mesh.c ---- */

/* What the nodes' records say about the mesh, as the merge reads them. */
typedef struct tbd_mesh {
    uint32_t nodes_count;
    bool seen;                   /* some node ran a p2p node or reported a peer event */
    int64_t *peers_run;          /* [nodes]: the run of the last p2p.peers row, -1: none */
    uint64_t *peers;             /* [nodes]: its value */
    uint64_t connects;
    uint64_t disconnects[PROTO_P2P_REASON_COUNT];
    uint64_t partitions_suspected;
} tbd_mesh;

void tbd_mesh_init(tbd_mesh *mesh, uint32_t nodes_count);
void tbd_mesh_clear(tbd_mesh *mesh);
/* Node `node`'s run `run` wrote p2p.peers = peers (it ran a p2p node). */
void tbd_mesh_peers(tbd_mesh *mesh, uint32_t node, int64_t run, uint64_t peers);
/* One event row; false if it is no mesh event. */
bool tbd_mesh_event(tbd_mesh *mesh, const char *kind, const char *reason);
/* The simulator's mesh figures (sim/figures/mesh_stats.c), if the mesh
 * ran: p2p counters summed over every node's runs (link_sums: "p2p.*"),
 * peers of the nodes up at the end (their last run's count). */
void tbd_mesh_figures(const tbd_mesh *mesh, sim_metrics *m, GHashTable *link_sums,
                      const bool *up_at_end);

/* ---- testbed_slashing.c ---- */

/* One row of kind "slashed", "unjailed" or "key-rotated" reported by an
 * honest node (the caller checks: a Byzantine node's word is not taken),
 * into m->slashings and m->validator_changes once however many nodes
 * reported it; false if the kind is none of those. */
typedef struct tbd_validator_event {
    const char *kind;
    int64_t at_ns;
    uint32_t validator;
    const char *reason;          /* slashed: "double-sign" or "downtime" */
    uint64_t amount;
    uint64_t evidence_height;
    uint64_t height;
    uint64_t effective_height;
} tbd_validator_event;
bool tbd_slashing_event(sim_metrics *m, uint32_t validators, const tbd_validator_event *ev);
/* The simulator's figures (sim/check/accountability.h): slashings,
 * slashings.double_sign, slashings.downtime, slashed_tokens, unjails,
 * key_rotations; and the slashed validators, sorted and unique (for
 * [expect] slashed; free it). */
GArray *tbd_slashing_figures(sim_metrics *m);

/* ---- testbed_report.c ---- */

rep_run_info *tbd_run_info_new(const tbd_testbed *t);
/* Results, report.json, summary (unless quiet), plots (unless no_plots);
 * CLI_EXIT_OK or CLI_EXIT_INTERNAL. */
int tbd_write_outputs(const char *dir, rep_db *db, rep_run_info *info, const sim_metrics *m,
                      bool quiet, bool no_plots);
/* The exit status for a verdict. */
int tbd_verdict_exit(rep_verdict verdict);
/* Node n's process: CPU seconds (user + system) and peak resident KiB,
 * -1 when unknown (not running, not Linux). */
void tbd_read_usage(const tbd_node *n, double *cpu_s, double *rss_kib);
/* testbed.cpu_s_per_node_mean/_max and testbed.rss_kib_per_process_max
 * over the nodes whose usage is known. */
void tbd_usage_figures(sim_metrics *m, uint32_t nodes_count, const double *cpu_s,
                       const double *rss_kib);

/* ---- testbed_merge.c ---- */

/* What the merge found, beyond the metrics. */
typedef struct tbd_merged {
    sim_metrics *metrics;        /* records, then figures */
    bool safety_held;
    char *safety_detail;         /* NULL if it held */
    sim_liveness liveness;
    uint64_t final_height_min;   /* over the nodes: lowest top final height */
    uint64_t final_height_max;
    uint64_t events;             /* record rows read */
    GArray *slashed;             /* uint32 validators slashed, sorted, unique */
    int64_t end_ns;              /* chain time the run ended */
} tbd_merged;

/* Read every node's records (a node with no file is a node that never
 * started), the workload's submissions (wl may be NULL) and the churn's
 * joins and leaves (sim_membership_record; may be NULL) into out;
 * heal_ns = when the last fault window closed (0: none); up_at_end[i]:
 * node i ran when the testbed stopped; the chain gives the stakes. An
 * unreadable records file is an error naming it. */
bool tbd_merge(const tbd_testbed *t, const sim_chain *chain, const tbd_workload *wl,
               const GArray *churn, int64_t end_ns, int64_t heal_ns, const bool *up_at_end,
               tbd_merged *out, GError **error);
void tbd_merged_clear(tbd_merged *m);

#endif
