/* report.json: the headline figures of a run and the verdict of each
 * [expect] key, for scripts and CI.
 *
 * Shape (keys in this order, two-space indentation):
 *   { "scenario", "scenario_path", "seed", "version", "started_at",
 *     "crypto", "trace_hash", "verdict", "stop_reason", "sim_s", "wall_s",
 *     "events",
 *     "figures":      { NAME: number, ... }   in metrics->figures order,
 *     "mesh":         { "peers_per_node": {"mean", "min", "max"},
 *                       "gossip_duplicate_ratio",
 *                       "bytes_sent_per_node": {"mean", "max"},
 *                       "bytes_received_per_node": {"mean", "max"},
 *                       "peer_bans", "p2p_throttled", "partitions_detected",
 *                       "partition_detection_latency_s": {"mean", "max"},
 *                       "partition_heal_detection_mean_s", "reconverge_s",
 *                       "sync_after_join_s": {"mean", "max"},
 *                       "sync_after_join_unsynced" }
 *                     only in a run with a P2P mesh: the same figures,
 *                     grouped (keys ending in _s are seconds),
 *     "expectations": [ {"key", "target", "actual", "passed"}, ... ],
 *     "accountability": {"verdict", "detail"},
 *     "faults":       [ {"name", "action", "at_ns", "until_ns", "nodes"}, ... ],
 *     "slashings":    [ {"at_ns", "validator", "reason", "amount",
 *                        "evidence_height", "height", "effective_height"}, ... ],
 *     "validator_changes": [ {"at_ns", "validator", "change", "height",
 *                        "effective_height"}, ... ],
 *     "alarms":       [ {"at_ns", "kind", "subject", "detail"}, ... ],
 *     "counts":       { "blocks", "commits", "txs" } }
 * (height = the block that made the change; validator = node name.)
 * The objects of expectations, faults, slashings, validator_changes and
 * alarms have the JSON fields of those record tables
 * (reports/record_fields.c), in their order.
 * Unknown strings, non-finite numbers and absent times (until_ns = -1)
 * are null. Strings that are not valid UTF-8 get U+FFFD in place of the
 * bad bytes, so the output is always valid JSON.
 *
 * The writer is our own (a few dozen lines; no new dependency). */
#ifndef AITBC_REPORTS_JSON_H
#define AITBC_REPORTS_JSON_H

#include <glib.h>

#include "reports/run_info.h"
#include "sim/figures/metrics.h"

/* The whole document, newline-terminated; g_free() it. */
char *rep_json_render(const rep_run_info *info, const sim_metrics *m);

/* Write the document to `path` through a temporary file in the same
 * directory that is renamed over `path`, so a reader never sees it half
 * written. Errors are G_FILE_ERROR and name the file. */
gboolean rep_json_write(const char *path, const rep_run_info *info, const sim_metrics *m,
                        GError **error);

/* Building blocks, also for other JSON writers of the reports layer. */
/* `text` as a JSON string literal (NULL -> null). */
void rep_json_append_string(GString *out, const char *text);
/* Shortest text that reads back as the same double; null if not finite. */
void rep_json_append_number(GString *out, double value);

#endif
