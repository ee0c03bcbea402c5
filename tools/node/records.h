/* What a testbed node observed, as rows in a per-node SQLite file.
 *
 * The protocol reports through env->observe (protocol/core/event.h);
 * here every event becomes a row of `events`, with its time on the
 * node's clock (ns since the chain's time 0, as in simulation). Each
 * start of the process is a row of `runs` (a restart after a crash is a
 * new run of the same node, in the same file), closed at a clean stop
 * with the link counters in `link_stats`. Tables:
 *
 *   runs(run, node, node_index, validator_index, scenario, seed,
 *        chain_id, genesis_hash, listen, pid, genesis_unix_ns, started_ns,
 *        stopped_ns, stop)
 *   events(run, seq, time_ns, kind, height, view, proposer, tx_count,
 *          depth, peer, reason, proposed_ns, hash, state_root, validator,
 *          amount, evidence_height, effective_height)
 *   link_stats(run, name, value)
 *   final_txs(run, time_ns, height, hash)
 *
 * link_stats holds the link counters by name (links.h), and per message
 * type sent.TYPE and bytes_sent.TYPE; they are rewritten at every flush
 * while the node runs, so a killed run keeps its last ones. final_txs
 * holds every transaction of every block that became final at the node
 * (hash: 32 bytes), from which the testbed driver measures finality of
 * the transactions it submitted.
 *
 * Hashes are lowercase hex (final_txs: raw bytes); absent values are
 * NULL. Rows are written in batches (tb_records_flush commits the open
 * transaction), so a killed process loses at most the last batch;
 * `aitbc-sim testbed` merges every node's file into results.sqlite
 * (tools/cli/testbed_merge.c). */
#ifndef AITBC_TOOLS_NODE_RECORDS_H
#define AITBC_TOOLS_NODE_RECORDS_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocol/core/event.h"
#include "tools/node/links.h"

typedef struct tb_records tb_records;

typedef struct tb_run_info {
    const char *node;            /* "v0" */
    uint32_t node_index;
    int32_t validator_index;     /* -1: a full node */
    const char *scenario;        /* the scenario file as given */
    uint64_t seed;
    uint64_t chain_id;
    const char *genesis_hash;    /* hex: the chain the node runs, as simulation builds it */
    const char *listen;          /* host:port */
    int64_t genesis_unix_ns;
    int64_t started_ns;          /* on the node's clock */
} tb_run_info;

/* Opens or creates path and starts a run; NULL with an error naming the
 * file on failure. */
tb_records *tb_records_open(const char *path, const tb_run_info *info, GError **error);
/* Queue one event (pointers in ev are read now). */
void tb_records_event(tb_records *r, int64_t time_ns, const proto_event *ev);
/* Queue the transactions of a block that became final (count 32-byte ids). */
void tb_records_final_txs(tb_records *r, int64_t time_ns, uint64_t height,
                          const uint8_t *tx_hashes, uint32_t count);
/* Queue the link counters (replacing the run's previous ones). */
bool tb_records_write_stats(tb_records *r, const tb_link_stats *stats, GError **error);
/* Queue one counter of link_stats by name (replacing its last value). */
bool tb_records_write_stat(tb_records *r, const char *name, uint64_t value, GError **error);
/* Commit what is queued; false with error if the file refused it. */
bool tb_records_flush(tb_records *r, GError **error);
/* Close the run (stop time, why, the link counters), commit and close. */
bool tb_records_close(tb_records *r, int64_t stopped_ns, const char *stop,
                      const tb_link_stats *stats, GError **error);
/* Close without finishing the run (an error path). */
void tb_records_abandon(tb_records *r);
/* Events recorded by this run. */
uint64_t tb_records_events(const tb_records *r);

/* The event kind's name as the records write it ("block-final"). */
const char *tb_event_kind_name(proto_event_kind kind);

#endif
