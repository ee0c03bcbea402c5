/* Every testbed node's records (tools/node/records.h) merged into one
 * run's sim_metrics, with the safety and liveness verdicts (testbed.h).
 *
 * The records become the simulator's records (sim/figures/metrics.h):
 * blocks (by hash: proposal, first finalization anywhere, propagation
 * over the nodes up at the proposal), commits (each block-final event),
 * receipts, view changes (first VIEW-CHANGE sent for a view to the first
 * node entering it), faults (the scenario's crash windows) and
 * transactions (each submission of the workload, final at the node it
 * was given to, else at the first node that finalized it). The headline
 * figures are derived from them under the simulator's names
 * (sim/figures/figures.c), so the reports and [expect] read them alike;
 * what only the simulator can measure (network drops, crypto calls,
 * fees, conservation) is absent, not zero; drops are the network
 * filter's (loss, partition). The mesh's figures are testbed_mesh.c's.
 * Forks and reorgs are counted as the simulator counts them
 * (sim_fork_figures: blocks some node adopted, its REORG events). Times are chain times
 * on each node's clock; nodes of one machine share it.
 *
 * Safety: an honest node (named by no byzantine fault) that finalized two
 * blocks at one height, or two honest nodes that finalized different
 * blocks at one height. Slashings, unjails and key rotations are
 * testbed_slashing.c's, as honest nodes reported them. Liveness follows
 * sim/check/liveness.c: after the last heal a block must be final within
 * the simulator's bound (PBFT's or PoA's), if validators with more than
 * 2/3 of the stake run at the end. */
#include "tools/cli/testbed.h"

#include <sqlite3.h>
#include <string.h>

#include "protocol/core/event.h"
#include "sim/figures/figures.h"
#include "tools/node/node_options.h"

#define NS_PER_S 1e9
#define TEN_S_NS (10LL * 1000 * 1000 * 1000)

typedef struct merge_state {
    const tbd_testbed *t;
    tbd_merged *out;
    sim_metrics *m;
    GPtrArray *held;             /* per block index: int64_t[nodes] first holding, -1 */
    GHashTable *final_at;        /* height (uint64*) -> proto_hash* (copies) first final there */
    GHashTable *tx_final;        /* proto_hash* -> int64_t* earliest final anywhere */
    GHashTable **tx_final_node;  /* [nodes]: proto_hash* -> int64_t* */
    GArray *commit_latency;      /* int64: proposal -> final at a validator */
    GHashTable *views;           /* view (uint64*) -> index+1 into m->view_changes */
    GHashTable *new_view_ns;     /* view (uint64*) -> int64_t* first node entering it */
    uint64_t *top_final;         /* [nodes] */
    uint64_t checkpoints, recoveries, sync_requests, tx_rejected, reorgs, reorg_depth_max;
    uint64_t rejected[PROTO_REJECT_REASON_COUNT];
    GHashTable *link_sums;       /* link_stats name -> uint64_t* summed over nodes and runs */
    tbd_mesh mesh;
    bool *honest;                /* [nodes]: named by no byzantine fault */
} merge_state;

static bool hex_to_hash(const char *hex, proto_hash *out)
{
    if (hex == NULL || strlen(hex) != 2 * PROTO_HASH_SIZE)
        return false;
    for (size_t i = 0; i < PROTO_HASH_SIZE; i++) {
        int hi = g_ascii_xdigit_value(hex[2 * i]), lo = g_ascii_xdigit_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out->bytes[i] = (uint8_t)(hi * 16 + lo);
    }
    return true;
}

static guint hash_hash(gconstpointer p)
{
    guint h;
    memcpy(&h, ((const proto_hash *)p)->bytes, sizeof h);
    return h;
}

static gboolean hash_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(proto_hash)) == 0;
}

static int64_t *held_of(merge_state *s, uint32_t block)
{
    while (s->held->len <= block) {
        int64_t *h = g_new(int64_t, s->t->nodes_count);
        for (uint32_t i = 0; i < s->t->nodes_count; i++)
            h[i] = -1;
        g_ptr_array_add(s->held, h);
    }
    return s->held->pdata[block];
}

static void note_held(merge_state *s, uint32_t block, uint32_t node, int64_t at_ns)
{
    int64_t *h = held_of(s, block);
    if (h[node] < 0 || at_ns < h[node])
        h[node] = at_ns;
}

static void set_safety_violation(merge_state *s, char *detail)
{
    if (s->out->safety_held) {
        s->out->safety_held = false;
        s->out->safety_detail = detail;
    } else {
        g_free(detail);
    }
}

/* One block-final event at node `node`. */
static void on_final(merge_state *s, uint32_t node, int64_t at_ns, uint64_t height,
                     const proto_hash *hash, int64_t proposed_ns, uint32_t tx_count,
                     GHashTable *mine)
{
    sim_metrics *m = s->m;
    uint32_t b = sim_metrics_block(m, hash);
    sim_block_record *r = &g_array_index(m->blocks, sim_block_record, b);
    r->height = height;
    r->tx_count = tx_count;
    if (r->proposed_ns < 0)
        r->proposed_ns = proposed_ns;
    if (r->first_final_ns < 0 || at_ns < r->first_final_ns)
        r->first_final_ns = at_ns;
    r->adopted = true;
    note_held(s, b, node, at_ns);
    sim_commit_record c = {.height = height, .node = node, .committed_ns = at_ns,
                           .block_index = b};
    g_array_append_val(m->commits, c);
    if (node < s->t->sc->validators) {
        int64_t latency = at_ns - proposed_ns;
        g_array_append_val(s->commit_latency, latency);
    }
    s->top_final[node] = MAX(s->top_final[node], height);
    /* Safety is a promise about honest nodes (sim/check/safety.c). */
    if (!s->honest[node])
        return;
    /* This node: one block per height (a restart may report it again). */
    const proto_hash *before = g_hash_table_lookup(mine, &height);
    if (before != NULL && !hash_equal(before, hash))
        set_safety_violation(s, g_strdup_printf("safety violated: %s finalized two blocks at "
                                                "height %" G_GUINT64_FORMAT,
                                                s->t->nodes[node].name, height));
    if (before == NULL)
        g_hash_table_insert(mine, g_memdup2(&height, sizeof height), g_memdup2(hash, sizeof *hash));
    /* Every node: the same block per height. */
    const proto_hash *first = g_hash_table_lookup(s->final_at, &height);
    if (first == NULL)
        g_hash_table_insert(s->final_at, g_memdup2(&height, sizeof height),
                            g_memdup2(hash, sizeof *hash));
    else if (!hash_equal(first, hash))
        set_safety_violation(s, g_strdup_printf("safety violated: two blocks final at height "
                                                "%" G_GUINT64_FORMAT " (one at %s)", height,
                                                s->t->nodes[node].name));
}

static void on_view_change(merge_state *s, uint32_t node, int64_t at_ns, uint64_t view,
                           const char *cause)
{
    sim_metrics *m = s->m;
    guint idx = GPOINTER_TO_UINT(g_hash_table_lookup(s->views, &view));
    if (idx == 0) {
        const char *static_cause = "unknown";
        for (int c = 0; c < PROTO_VIEW_CAUSE_COUNT; c++)
            if (cause != NULL && g_str_equal(cause, proto_view_cause_name(c)))
                static_cause = proto_view_cause_name(c);
        sim_view_change_record r = {.view = view, .cause = static_cause, .first_node = node,
                                    .started_ns = at_ns, .ended_ns = -1};
        g_array_append_val(m->view_changes, r);
        uint64_t *key = g_new(uint64_t, 1);
        *key = view;
        g_hash_table_insert(s->views, key, GUINT_TO_POINTER(m->view_changes->len));
        return;
    }
    sim_view_change_record *r = &g_array_index(m->view_changes, sim_view_change_record, idx - 1);
    if (at_ns < r->started_ns) {
        r->started_ns = at_ns;
        r->first_node = node;
    }
}

static void on_new_view(merge_state *s, int64_t at_ns, uint64_t view)
{
    int64_t *t = g_hash_table_lookup(s->new_view_ns, &view);
    if (t == NULL) {
        uint64_t *key = g_new(uint64_t, 1);
        *key = view;
        t = g_new(int64_t, 1);
        *t = at_ns;
        g_hash_table_insert(s->new_view_ns, key, t);
    } else if (at_ns < *t) {
        *t = at_ns;
    }
}

static void on_reject(merge_state *s, const char *reason)
{
    for (int r = 1; r < PROTO_REJECT_REASON_COUNT; r++)
        if (reason != NULL && g_str_equal(reason, proto_reject_reason_name(r)))
            s->rejected[r]++;
}

static bool sql_fail(sqlite3 *db, const char *path, GError **error)
{
    g_set_error(error, TBD_ERROR, 1, "%s: cannot read the node's records: %s", path,
                db != NULL ? sqlite3_errmsg(db) : "out of memory");
    return false;
}

static bool read_events(merge_state *s, uint32_t node, sqlite3 *db, const char *path,
                        GError **error)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT time_ns, kind, height, view, tx_count, reason,"
                               " proposed_ns, hash, depth, validator, amount, evidence_height,"
                               " effective_height FROM events ORDER BY run, seq",
                           -1, &st, NULL) != SQLITE_OK)
        return sql_fail(db, path, error);
    GHashTable *mine = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        s->out->events++;
        int64_t at = sqlite3_column_int64(st, 0);
        const char *kind = (const char *)sqlite3_column_text(st, 1);
        uint64_t height = (uint64_t)sqlite3_column_int64(st, 2);
        uint64_t view = (uint64_t)sqlite3_column_int64(st, 3);
        uint32_t tx_count = (uint32_t)sqlite3_column_int64(st, 4);
        const char *reason = (const char *)sqlite3_column_text(st, 5);
        int64_t proposed = sqlite3_column_int64(st, 6);
        proto_hash h;
        bool has_hash = hex_to_hash((const char *)sqlite3_column_text(st, 7), &h);
        uint64_t depth = (uint64_t)sqlite3_column_int64(st, 8);
        tbd_validator_event vev = {
            .kind = kind, .at_ns = at, .reason = reason, .height = height,
            .validator = (uint32_t)sqlite3_column_int64(st, 9),
            .amount = (uint64_t)sqlite3_column_int64(st, 10),
            .evidence_height = (uint64_t)sqlite3_column_int64(st, 11),
            .effective_height = (uint64_t)sqlite3_column_int64(st, 12)};
        if (kind == NULL)
            continue;
        if (g_str_equal(kind, "block-final") && has_hash) {
            on_final(s, node, at, height, &h, proposed, tx_count, mine);
        } else if (g_str_equal(kind, "block-proposed") && has_hash) {
            uint32_t b = sim_metrics_block(s->m, &h);
            sim_block_record *r = &g_array_index(s->m->blocks, sim_block_record, b);
            r->height = height;
            r->slot = view;
            r->proposer = node;
            r->tx_count = tx_count;
            r->proposed_ns = proposed;
            note_held(s, b, node, at);
        } else if (g_str_equal(kind, "block-received") && has_hash) {
            uint32_t b = sim_metrics_block(s->m, &h);
            sim_block_record *r = &g_array_index(s->m->blocks, sim_block_record, b);
            if (r->proposed_ns < 0)
                r->proposed_ns = proposed;
            r->height = height;
            note_held(s, b, node, at);
        } else if (g_str_equal(kind, "block-head") && has_hash) {
            uint32_t b = sim_metrics_block(s->m, &h);
            sim_block_record *r = &g_array_index(s->m->blocks, sim_block_record, b);
            r->height = height;
            r->adopted = true;
        } else if (g_str_equal(kind, "reorg")) {
            s->reorgs++;
            s->reorg_depth_max = MAX(s->reorg_depth_max, depth);
        } else if (g_str_equal(kind, "view-change")) {
            on_view_change(s, node, at, view, reason);
        } else if (g_str_equal(kind, "new-view")) {
            on_new_view(s, at, view);
        } else if (g_str_equal(kind, "checkpoint-stable")) {
            s->checkpoints++;
        } else if (g_str_equal(kind, "recovered")) {
            s->recoveries++;
        } else if (g_str_equal(kind, "sync-request")) {
            s->sync_requests++;
        } else if (g_str_equal(kind, "msg-rejected")) {
            on_reject(s, reason);
        } else if (g_str_equal(kind, "tx-rejected")) {
            s->tx_rejected++;
        } else if (!s->honest[node] ||
                   !tbd_slashing_event(s->m, s->t->sc->validators, &vev)) {
            tbd_mesh_event(&s->mesh, kind, reason);
        }
    }
    g_hash_table_destroy(mine);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || sql_fail(db, path, error);
}

static void note_tx_final(GHashTable *table, const proto_hash *h, int64_t at_ns)
{
    int64_t *t = g_hash_table_lookup(table, h);
    if (t == NULL) {
        t = g_new(int64_t, 1);
        *t = at_ns;
        g_hash_table_insert(table, g_memdup2(h, sizeof *h), t);
    } else if (at_ns < *t) {
        *t = at_ns;
    }
}

static bool read_final_txs(merge_state *s, uint32_t node, sqlite3 *db, const char *path,
                           GError **error)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT time_ns, hash FROM final_txs", -1, &st, NULL) !=
        SQLITE_OK)
        return sql_fail(db, path, error);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_bytes(st, 1) != PROTO_HASH_SIZE)
            continue;
        proto_hash h;
        memcpy(h.bytes, sqlite3_column_blob(st, 1), PROTO_HASH_SIZE);
        int64_t at = sqlite3_column_int64(st, 0);
        note_tx_final(s->tx_final, &h, at);
        note_tx_final(s->tx_final_node[node], &h, at);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || sql_fail(db, path, error);
}

static bool read_link_stats(merge_state *s, uint32_t node, sqlite3 *db, const char *path,
                            GError **error)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT name, value, run FROM link_stats", -1, &st, NULL) !=
        SQLITE_OK)
        return sql_fail(db, path, error);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        if (name == NULL)
            continue;
        if (strcmp(name, "p2p.peers") == 0) {
            tbd_mesh_peers(&s->mesh, node, sqlite3_column_int64(st, 2),
                           (uint64_t)sqlite3_column_int64(st, 1));
            continue;
        }
        uint64_t *sum = g_hash_table_lookup(s->link_sums, name);
        if (sum == NULL) {
            sum = g_new0(uint64_t, 1);
            g_hash_table_insert(s->link_sums, g_strdup(name), sum);
        }
        *sum += (uint64_t)sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || sql_fail(db, path, error);
}

static bool read_node(merge_state *s, uint32_t node, GError **error)
{
    const char *path = s->t->nodes[node].records_path;
    if (!g_file_test(path, G_FILE_TEST_EXISTS))
        return true; /* never started */
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        bool ok = sql_fail(db, path, error);
        sqlite3_close(db);
        return ok;
    }
    sqlite3_busy_timeout(db, 5000);
    bool ok = read_events(s, node, db, path, error) &&
              read_final_txs(s, node, db, path, error) &&
              read_link_stats(s, node, db, path, error);
    sqlite3_close(db);
    return ok;
}

/* ---- records derived after reading ---- */

/* Node i was up at chain time at_ns: not inside one of its crash
 * windows, and not left by churn (m->churn: its last join or leave at or
 * before at_ns was no leave). */
static bool node_up_at(const merge_state *s, uint32_t node, int64_t at_ns)
{
    const sim_scenario *sc = s->t->sc;
    if (node >= tb_first_twin(sc))
        return false; /* a twin: no block is owed to it */
    const char *last = NULL;
    for (guint i = 0; i < s->m->churn->len; i++) {
        const sim_membership_record *r = &g_array_index(s->m->churn, sim_membership_record, i);
        if (r->node == node && r->at_ns <= at_ns)
            last = r->kind;
    }
    if (last != NULL && !g_str_equal(last, "join"))
        return false;
    return !tbd_crash_holds(sc, node, at_ns);
}

static int compare_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void propagation(merge_state *s)
{
    sim_metrics *m = s->m;
    uint32_t n = s->t->nodes_count;
    int64_t *delays = g_new(int64_t, n);
    static const uint32_t pct[] = {50, 90, 99, 100};
    for (guint b = 0; b < m->blocks->len; b++) {
        sim_block_record *r = &g_array_index(m->blocks, sim_block_record, b);
        int64_t *h = held_of(s, b);
        uint32_t live = 0, count = 0;
        for (uint32_t i = 0; i < n; i++) {
            bool up = r->proposed_ns < 0 || node_up_at(s, i, r->proposed_ns);
            live += up;
            if (h[i] >= 0 && r->proposed_ns >= 0) {
                if (i != r->proposer) {
                    sim_receipt_record rc = {.height = r->height, .node = i,
                                             .delay_ns = h[i] - r->proposed_ns};
                    g_array_append_val(m->receipts, rc);
                }
                if (up)
                    delays[count++] = MAX(h[i] - r->proposed_ns, 0);
            }
        }
        qsort(delays, count, sizeof *delays, compare_i64);
        r->live_count = live;
        r->reached_count = count;
        int64_t *levels[] = {&r->reached_p50_ns, &r->reached_p90_ns, &r->reached_p99_ns,
                             &r->reached_all_ns};
        for (size_t q = 0; q < G_N_ELEMENTS(pct); q++) {
            uint32_t needed = MAX(1u, (pct[q] * live + 99) / 100);
            *levels[q] = r->proposed_ns >= 0 && count >= needed ? delays[needed - 1] : -1;
        }
    }
    g_free(delays);
}

/* Finality is measured as the simulator measures it (sim/world/workload.c,
 * count_final): where the client sent the transaction, unless that node
 * was down when it first became final anywhere, in which case the client
 * would have learnt it from any node: the first finalization counts. */
static void transactions(merge_state *s, const tbd_workload *wl)
{
    const GArray *sub = tbd_workload_submitted(wl);
    for (guint i = 0; sub != NULL && i < sub->len; i++) {
        const tbd_submitted *x = &g_array_index(sub, tbd_submitted, i);
        const int64_t *first = g_hash_table_lookup(s->tx_final, &x->hash);
        const int64_t *at = g_hash_table_lookup(s->tx_final_node[x->node], &x->hash);
        if (at == NULL || (first != NULL && !node_up_at(s, x->node, *first)))
            at = first;
        if (at == NULL)
            continue;
        sim_tx_record r = {.submitted_ns = x->submitted_ns, .final_ns = *at, .node = x->node,
                           .fee_strategy = "fixed"};
        g_array_append_val(s->m->txs, r);
    }
}

static void view_change_ends(merge_state *s)
{
    for (guint i = 0; i < s->m->view_changes->len; i++) {
        sim_view_change_record *r = &g_array_index(s->m->view_changes, sim_view_change_record, i);
        const int64_t *t = g_hash_table_lookup(s->new_view_ns, &r->view);
        if (t != NULL && *t >= r->started_ns)
            r->ended_ns = *t;
    }
}

static void faults(merge_state *s)
{
    const sim_scenario *sc = s->t->sc;
    for (guint f = 0; f < sc->faults->len; f++) {
        const sim_fault *fault = g_ptr_array_index(sc->faults, f);
        sim_metrics_fault(s->m, fault->name, sim_fault_action_name(fault->action),
                          fault->at_ns, fault->until_ns, fault->nodes_text);
    }
}

/* ---- figures ---- */

static void percentiles(sim_metrics *m, const char *prefix, GArray *values_ns,
                        const double *pcts, const char *const *suffixes, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        char *name = g_strdup_printf("%s_%s", prefix, suffixes[i]);
        double v = values_ns->len == 0
                       ? 0.0
                       : (double)sim_percentile_i64((int64_t *)(void *)values_ns->data,
                                                    values_ns->len, pcts[i]) / NS_PER_S;
        sim_metrics_figure(m, name, v);
        g_free(name);
    }
}

static void tx_figures(merge_state *s, const tbd_workload *wl)
{
    sim_metrics *m = s->m;
    const sim_scenario *sc = s->t->sc;
    GArray *lat = g_array_new(FALSE, FALSE, sizeof(int64_t));
    for (guint i = 0; i < m->txs->len; i++) {
        const sim_tx_record *t = &g_array_index(m->txs, sim_tx_record, i);
        int64_t v = t->final_ns - t->submitted_ns;
        g_array_append_val(lat, v);
    }
    int64_t end = MIN(sc->workload_stop_ns, s->out->end_ns);
    double window_s = (double)(end - sc->workload_start_ns) / NS_PER_S;
    sim_metrics_figure(m, "throughput_tps", window_s > 0 ? m->txs->len / window_s : 0.0);
    static const double pcts[] = {50, 90, 99, 100};
    static const char *const names[] = {"p50_s", "p90_s", "p99_s", "max_s"};
    percentiles(m, "finality", lat, pcts, names, 4);
    g_array_unref(lat);
    const GArray *sub = tbd_workload_submitted(wl);
    double submitted = sub != NULL ? sub->len : 0;
    sim_metrics_figure(m, "txs_submitted", submitted);
    sim_metrics_figure(m, "txs_final", m->txs->len);
    sim_metrics_figure(m, "txs_pending", submitted - m->txs->len);
    sim_metrics_figure(m, "txs_resubmitted", (double)tbd_workload_resubmitted(wl));
    sim_metrics_figure(m, "txs_rejected", (double)s->tx_rejected);
    sim_metrics_figure(m, "txs_dropped_client", (double)tbd_workload_dropped_no_node(wl));
}

static void block_figures(merge_state *s)
{
    sim_metrics *m = s->m;
    static const double p2[] = {50, 99};
    static const char *const n2[] = {"p50_s", "p99_s"};
    percentiles(m, "commit_latency", s->commit_latency, p2, n2, 2);
    static const char *const suffix[] = {"p50", "p90", "p99", "p100"};
    GArray *delays = g_array_new(FALSE, FALSE, sizeof(int64_t));
    for (int level = 0; level < 4; level++) {
        g_array_set_size(delays, 0);
        uint64_t unreached = 0;
        for (guint i = 0; i < m->blocks->len; i++) {
            const sim_block_record *b = &g_array_index(m->blocks, sim_block_record, i);
            int64_t v = level == 0 ? b->reached_p50_ns : level == 1 ? b->reached_p90_ns
                        : level == 2 ? b->reached_p99_ns : b->reached_all_ns;
            if (v >= 0)
                g_array_append_val(delays, v);
            else
                unreached++;
        }
        char name[64];
        if (delays->len > 0) {
            int64_t *v = (int64_t *)(void *)delays->data;
            g_snprintf(name, sizeof name, "block_propagation_%s_s", suffix[level]);
            sim_metrics_figure(m, name, sim_percentile_i64(v, delays->len, 50) / NS_PER_S);
            g_snprintf(name, sizeof name, "block_propagation_%s_max_s", suffix[level]);
            sim_metrics_figure(m, name, sim_percentile_i64(v, delays->len, 100) / NS_PER_S);
        }
        g_snprintf(name, sizeof name, "block_propagation_unreached_%s", suffix[level]);
        sim_metrics_figure(m, name, (double)unreached);
    }
    g_array_unref(delays);
    sim_metrics_figure(m, "blocks_final", (double)s->out->final_height_max);
    sim_metrics_figure(m, "blocks_proposed", (double)m->blocks->len);
    sim_fork_figures(m, s->reorgs, s->reorg_depth_max);
}

static void view_figures(merge_state *s)
{
    sim_view_change_figures(s->m, s->checkpoints);
}

static gint compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* messages.TYPE.sent, bytes.TYPE.sent and messages_per_block.TYPE from
 * the links' counters (sent = queued for a peer's connection). */
static void net_figures(merge_state *s)
{
    sim_metrics *m = s->m;
    GPtrArray *names = g_ptr_array_new();
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, s->link_sums);
    while (g_hash_table_iter_next(&it, &key, NULL))
        if (g_str_has_prefix(key, "sent."))
            g_ptr_array_add(names, key);
    g_ptr_array_sort(names, compare_names);
    for (guint i = 0; i < names->len; i++) {
        const char *type = (const char *)names->pdata[i] + strlen("sent.");
        char *bytes_key = g_strdup_printf("bytes_sent.%s", type);
        const uint64_t *sent = g_hash_table_lookup(s->link_sums, names->pdata[i]);
        const uint64_t *bytes = g_hash_table_lookup(s->link_sums, bytes_key);
        char *name = g_strdup_printf("messages.%s.sent", type);
        sim_metrics_figure(m, name, (double)*sent);
        g_free(name);
        name = g_strdup_printf("bytes.%s.sent", type);
        sim_metrics_figure(m, name, bytes != NULL ? (double)*bytes : 0.0);
        g_free(name);
        name = g_strdup_printf("messages_per_block.%s", type);
        sim_metrics_figure(m, name, s->out->final_height_max > 0
                                        ? (double)*sent / (double)s->out->final_height_max
                                        : 0.0);
        g_free(name);
        g_free(bytes_key);
    }
    g_ptr_array_unref(names);
    static const char *const totals[] = {"frames_in", "bytes_in", "frames_out", "bytes_out",
                                         "dropped_queue_full", "dropped_unsent_bytes",
                                         "connects", "disconnects", "dial_failures"};
    for (size_t i = 0; i < G_N_ELEMENTS(totals); i++) {
        const uint64_t *v = g_hash_table_lookup(s->link_sums, totals[i]);
        char *name = g_strdup_printf("testbed.links.%s", totals[i]);
        sim_metrics_figure(m, name, v != NULL ? (double)*v : 0.0);
        g_free(name);
    }
    /* The network filter's drops (tools/node/net_filter.h), under the
     * simulator's names; a crashed node's messages are not counted. */
    static const char *const drops[][2] = {{"filter.dropped_loss", "messages.dropped.loss"},
                                           {"filter.dropped_partition",
                                            "messages.dropped.partition"}};
    for (size_t i = 0; i < G_N_ELEMENTS(drops); i++) {
        const uint64_t *v = g_hash_table_lookup(s->link_sums, drops[i][0]);
        sim_metrics_figure(m, drops[i][1], v != NULL ? (double)*v : 0.0);
    }
    for (int r = 1; r < PROTO_REJECT_REASON_COUNT; r++) {
        char *name = g_strdup_printf("rejected.%s", proto_reject_reason_name(r));
        sim_metrics_figure(m, name, (double)s->rejected[r]);
        g_free(name);
    }
}

/* ---- liveness ---- */

static void liveness(merge_state *s, const sim_chain *chain, int64_t heal_ns,
                     const bool *up_at_end)
{
    const sim_scenario *sc = s->t->sc;
    sim_liveness *l = &s->out->liveness;
    *l = (sim_liveness){.heal_ns = heal_ns, .took_ns = -1};
    for (guint i = 0; i < s->m->commits->len; i++) {
        const sim_commit_record *c = &g_array_index(s->m->commits, sim_commit_record, i);
        int64_t after = c->committed_ns - heal_ns;
        if (after >= 0 && (l->took_ns < 0 || after < l->took_ns))
            l->took_ns = after;
    }
    uint64_t total = 0, alive = 0;
    uint32_t up = 0;
    for (uint32_t v = 0; v < sc->validators; v++) {
        total += chain->stakes[v];
        /* As sim/check/liveness.c counts them: up and honest. */
        if (up_at_end[v] && s->honest[v]) {
            alive += chain->stakes[v];
            up++;
        }
    }
    /* The simulator's bound (sim/check/liveness.c), with the validators
     * up and honest at the end for those it can reach. */
    int64_t cut_off = (int64_t)sc->validators - up;
    if (sc->protocol == SIM_CONSENSUS_PBFT)
        l->bound_ns = sc->view_timeout_ns + (cut_off + 1) * chain->pbft.view_timeout_max_ns +
                      2 * sc->block_interval_ns + TEN_S_NS;
    else
        l->bound_ns = MAX(2 * (int64_t)sc->validators * sc->block_interval_ns, TEN_S_NS);
    int64_t end = s->out->end_ns;
    if (alive * 3 <= total * 2) {
        l->state = SIM_LIVENESS_NOT_APPLICABLE;
        l->detail = g_strdup_printf("not applicable: running honest validators hold %" G_GUINT64_FORMAT
                                    " of %" G_GUINT64_FORMAT " stake at the end (not more "
                                    "than 2/3)", alive, total);
    } else if (l->took_ns >= 0 && l->took_ns <= l->bound_ns) {
        l->state = SIM_LIVENESS_HOLDS;
        l->detail = g_strdup_printf("holds: first block final %.2f s after the last heal at "
                                    "%.1f s (bound %.1f s)", l->took_ns / NS_PER_S,
                                    heal_ns / NS_PER_S, l->bound_ns / NS_PER_S);
    } else if (end - heal_ns < l->bound_ns && l->took_ns < 0) {
        l->state = SIM_LIVENESS_UNDETERMINED;
        l->detail = g_strdup_printf("undetermined: the run ended %.2f s after the last heal, "
                                    "before the %.1f s bound", (end - heal_ns) / NS_PER_S,
                                    l->bound_ns / NS_PER_S);
    } else {
        l->state = SIM_LIVENESS_VIOLATED;
        l->detail = g_strdup_printf("violated: no block final within %.1f s of the last heal "
                                    "at %.1f s", l->bound_ns / NS_PER_S, heal_ns / NS_PER_S);
    }
}

bool tbd_merge(const tbd_testbed *t, const sim_chain *chain, const tbd_workload *wl,
               const GArray *churn, int64_t end_ns, int64_t heal_ns, const bool *up_at_end,
               tbd_merged *out, GError **error)
{
    *out = (tbd_merged){.metrics = sim_metrics_new(), .safety_held = true, .end_ns = end_ns};
    merge_state s = {.t = t, .out = out, .m = out->metrics};
    if (churn != NULL && churn->len > 0)
        g_array_append_vals(out->metrics->churn, churn->data, churn->len);
    s.held = g_ptr_array_new_with_free_func(g_free);
    s.final_at = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    s.tx_final = g_hash_table_new_full(hash_hash, hash_equal, g_free, g_free);
    s.tx_final_node = g_new(GHashTable *, t->nodes_count);
    for (uint32_t i = 0; i < t->nodes_count; i++)
        s.tx_final_node[i] = g_hash_table_new_full(hash_hash, hash_equal, g_free, g_free);
    s.commit_latency = g_array_new(FALSE, FALSE, sizeof(int64_t));
    s.views = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    s.new_view_ns = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    s.top_final = g_new0(uint64_t, t->nodes_count);
    s.link_sums = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    tbd_mesh_init(&s.mesh, t->nodes_count);
    s.honest = g_new(bool, MAX(t->nodes_count, 1));
    for (uint32_t i = 0; i < t->nodes_count; i++)
        s.honest[i] = i < tb_first_twin(t->sc); /* a twin is validator K's second machine */
    for (guint f = 0; f < t->sc->faults->len; f++) {
        const sim_fault *fault = g_ptr_array_index(t->sc->faults, f);
        for (guint i = 0; fault->action == SIM_FAULT_BYZANTINE && i < fault->nodes->len; i++) {
            uint32_t node = g_array_index(fault->nodes, uint32_t, i);
            if (node < t->nodes_count)
                s.honest[node] = false;
        }
    }
    bool ok = true;
    for (uint32_t i = 0; ok && i < t->nodes_count; i++)
        ok = read_node(&s, i, error);
    if (ok) {
        out->final_height_min = t->nodes_count > 0 ? s.top_final[0] : 0;
        for (uint32_t i = 0; i < tb_first_twin(t->sc); i++) {
            out->final_height_min = MIN(out->final_height_min, s.top_final[i]);
            out->final_height_max = MAX(out->final_height_max, s.top_final[i]);
        }
        propagation(&s);
        transactions(&s, wl);
        view_change_ends(&s);
        faults(&s);
        sim_metrics *m = out->metrics;
        tx_figures(&s, wl);
        block_figures(&s);
        view_figures(&s);
        net_figures(&s);
        tbd_mesh_figures(&s.mesh, m, s.link_sums, up_at_end);
        out->slashed = tbd_slashing_figures(m);
        sim_metrics_figure(m, "recoveries", (double)s.recoveries);
        sim_metrics_figure(m, "sync_requests", (double)s.sync_requests);
        sim_metrics_figure(m, "events", (double)out->events);
        sim_metrics_figure(m, "sim_s", end_ns / NS_PER_S);
        liveness(&s, chain, heal_ns, up_at_end);
    }
    g_ptr_array_unref(s.held);
    g_hash_table_destroy(s.final_at);
    g_hash_table_destroy(s.tx_final);
    for (uint32_t i = 0; i < t->nodes_count; i++)
        g_hash_table_destroy(s.tx_final_node[i]);
    g_free(s.tx_final_node);
    g_array_unref(s.commit_latency);
    g_hash_table_destroy(s.views);
    g_hash_table_destroy(s.new_view_ns);
    g_free(s.top_final);
    g_hash_table_destroy(s.link_sums);
    tbd_mesh_clear(&s.mesh);
    g_free(s.honest);
    if (!ok)
        tbd_merged_clear(out);
    return ok;
}

void tbd_merged_clear(tbd_merged *m)
{
    sim_metrics_free(m->metrics);
    g_free(m->safety_detail);
    g_free(m->liveness.detail);
    if (m->slashed != NULL)
        g_array_unref(m->slashed);
    *m = (tbd_merged){0};
}
