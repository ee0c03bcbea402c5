/* The testbed's workload (see testbed.h): the scenario's transfers, sent
 * to the nodes' client connections as a wallet would send them.
 *
 * As in simulation (sim/world/workload.c), arrivals are Poisson at
 * [workload] tx_rate between start and stop; each picks a random live
 * node, a sender and a different recipient uniformly, and the sender's
 * next nonce, from a random stream seeded by the scenario's seed (the
 * "testbed-workload" stream: the draws are the simulator's kind, not its
 * sequence, since the real network decides who is live when). The
 * account keys and chain id are the chain's (sim_chain_init), so the
 * nodes accept them.
 *
 * What this client leaves out, compared with the simulated one: it asks
 * no node for a fee quote (a fixed tip of [workload]'s first fee
 * strategy if it is `fixed`, else 1, and a fee cap of the simulated
 * clients' mean budget, [workload] max_fee_per_gas or 20 times the
 * initial base fee, never more than half an account's balance per unit
 * of gas), and it never re-prices. Like the simulated wallets it
 * re-sends a transaction (the same bytes, to another live node) that is
 * not final 30 s after it was last sent; it learns what is final every
 * 5 s by reading the new rows of the nodes' final_txs tables (their
 * records files, which SQLite lets it read while the nodes write). */
#include "tools/cli/testbed.h"

#include <sqlite3.h>

#include <string.h>
#include <unistd.h>

#include "protocol/chain/tx_envelope.h"
#include "sim/engine/rng.h"
#include "tools/node/frames.h"
#include "tools/node/links.h"

#define TRANSFER_AMOUNT_MAX 1000u
#define NS_PER_S 1e9
#define RESUBMIT_AFTER_NS (30LL * 1000 * 1000 * 1000)
#define RETRY_SCAN_NS (5LL * 1000 * 1000 * 1000)
#define RECORDS_BUSY_TIMEOUT_MS 200

/* A transaction sent and not yet seen final anywhere. */
typedef struct tbd_inflight {
    proto_hash hash;             /* the table's key points here */
    GBytes *wire;
    uint32_t node;
    int64_t last_attempt_ns;
} tbd_inflight;

struct tbd_workload {
    const sim_chain *chain;
    sim_rng rng;
    uint32_t nodes_count;
    uint32_t accounts;
    uint64_t *next_nonce;        /* [accounts] */
    double rate_per_s;
    int64_t start_ns, stop_ns;
    int64_t next_ns;             /* the next arrival */
    uint64_t tip, max_fee;
    tb_links *links;
    GArray *submitted;           /* tbd_submitted */
    uint64_t dropped_no_node;
    const tbd_testbed *t;
    GHashTable *inflight;        /* proto_hash* -> tbd_inflight* */
    sqlite3 **records;           /* [nodes]: opened once the file exists */
    int64_t *rows_read;          /* [nodes]: final_txs rowid read up to */
    int64_t next_scan_ns;
    uint64_t resubmitted;
};

static void inflight_free(gpointer data)
{
    tbd_inflight *f = data;
    g_bytes_unref(f->wire);
    g_free(f);
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

/* The client never listens: nothing is delivered to it. */
static void no_delivery(void *ctx, uint32_t from, GBytes *wire)
{
}

static void next_arrival(tbd_workload *wl)
{
    wl->next_ns += (int64_t)(sim_rng_exponential(&wl->rng, 1.0 / wl->rate_per_s) * NS_PER_S);
}

tbd_workload *tbd_workload_new(const tbd_testbed *t, const sim_chain *chain)
{
    const sim_scenario *sc = t->sc;
    if (sc->tx_rate_per_s <= 0 || sc->accounts < 2)
        return NULL;
    tbd_workload *wl = g_new0(tbd_workload, 1);
    wl->chain = chain;
    sim_rng_init(&wl->rng, sc->seed, "testbed-workload");
    wl->nodes_count = t->sc->validators + t->sc->full_nodes; /* clients never pick a twin */
    wl->accounts = sc->accounts;
    wl->next_nonce = g_new0(uint64_t, wl->accounts);
    wl->rate_per_s = sc->tx_rate_per_s;
    wl->start_ns = sc->workload_start_ns;
    wl->stop_ns = MIN(sc->workload_stop_ns, sc->duration_ns);
    wl->next_ns = wl->start_ns;
    next_arrival(wl);
    wl->tip = 1;
    if (sc->fee_strategies != NULL && sc->fee_strategies->len > 0) {
        const sim_fee_strategy *st = &g_array_index(sc->fee_strategies, sim_fee_strategy, 0);
        if (st->kind == SIM_FEE_FIXED)
            wl->tip = st->tip;
    }
    uint64_t affordable = SIM_CHAIN_GENESIS_BALANCE / (2 * sim_scenario_transfer_gas());
    /* The simulated clients' mean budget (sim/world/world_options.c). */
    uint64_t budget =
        sc->client_max_fee > 0 ? sc->client_max_fee : 20 * sc->fees.initial_base_fee;
    wl->max_fee = MIN(budget, affordable);
    wl->tip = MIN(wl->tip, wl->max_fee);
    wl->submitted = g_array_new(FALSE, FALSE, sizeof(tbd_submitted));
    wl->t = t;
    wl->inflight = g_hash_table_new_full(hash_hash, hash_equal, NULL, inflight_free);
    wl->records = g_new0(sqlite3 *, t->nodes_count);
    wl->rows_read = g_new0(int64_t, t->nodes_count);
    wl->next_scan_ns = wl->start_ns + RETRY_SCAN_NS;
    tb_links_options o;
    tb_links_options_defaults(&o, TB_HELLO_CLIENT, t->nodes_count, chain->pbft.chain_id);
    wl->links = tb_links_new(&o, no_delivery, wl);
    for (uint32_t i = 0; i < wl->nodes_count; i++)
        tb_links_add_peer(wl->links, i, t->nodes[i].host, t->nodes[i].port);
    tb_links_start(wl->links);
    return wl;
}

/* A random running node other than `avoid` (unless it is the only one). */
static uint32_t pick_live_node(tbd_workload *wl, const bool *alive, uint32_t avoid)
{
    uint32_t start = (uint32_t)sim_rng_below(&wl->rng, wl->nodes_count);
    for (uint32_t k = 0; k < wl->nodes_count; k++) {
        uint32_t i = (start + k) % wl->nodes_count;
        if (alive[i] && (i != avoid || wl->nodes_count == 1))
            return i;
    }
    return UINT32_MAX;
}

static void send_transfer(tbd_workload *wl, int64_t at_ns, const bool *alive)
{
    uint32_t node = pick_live_node(wl, alive, UINT32_MAX);
    uint32_t from = (uint32_t)sim_rng_below(&wl->rng, wl->accounts);
    uint32_t to = (uint32_t)sim_rng_below(&wl->rng, wl->accounts - 1);
    if (to >= from)
        to++;
    uint64_t amount = 1 + sim_rng_below(&wl->rng, TRANSFER_AMOUNT_MAX);
    if (node == UINT32_MAX) {
        wl->dropped_no_node++;
        return;
    }
    proto_txenv tx = {.chain_id = wl->chain->rules.chain_id,
                      .sender = wl->chain->account_keys[from].pk,
                      .nonce = wl->next_nonce[from]++,
                      .gas_limit = sim_scenario_transfer_gas(),
                      .max_fee_per_gas = wl->max_fee,
                      .max_priority_fee_per_gas = wl->tip,
                      .message_count = 1};
    tx.messages[0].type = PROTO_TXMSG_TRANSFER;
    tx.messages[0].transfer.to = to;
    tx.messages[0].transfer.amount = amount;
    proto_txenv_sign(&tx, wl->chain->crypto, &wl->chain->account_keys[from]);
    tbd_submitted s = {.node = node, .submitted_ns = at_ns};
    proto_txenv_hash(&tx, &s.hash);
    GBytes *wire = proto_txenv_msg_encode(&tx);
    tb_links_send(wl->links, node, wire);
    g_array_append_val(wl->submitted, s);
    tbd_inflight *f = g_new0(tbd_inflight, 1);
    f->hash = s.hash;
    f->wire = wire; /* the reference is the in-flight record's now */
    f->node = node;
    f->last_attempt_ns = at_ns;
    g_hash_table_replace(wl->inflight, &f->hash, f);
}

/* Node i's final transactions since the last look: no longer in flight. */
static void read_finals(tbd_workload *wl, uint32_t i)
{
    if (wl->records[i] == NULL) {
        const char *path = wl->t->nodes[i].records_path;
        if (!g_file_test(path, G_FILE_TEST_EXISTS))
            return;
        if (sqlite3_open_v2(path, &wl->records[i], SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
            sqlite3_close(wl->records[i]);
            wl->records[i] = NULL;
            return;
        }
        sqlite3_busy_timeout(wl->records[i], RECORDS_BUSY_TIMEOUT_MS);
    }
    sqlite3_stmt *st = NULL;
    /* Not there yet (the node is creating its tables) or busy: next time. */
    if (sqlite3_prepare_v2(wl->records[i], "SELECT rowid, hash FROM final_txs WHERE rowid > ?1"
                                           " ORDER BY rowid", -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_int64(st, 1, wl->rows_read[i]);
    while (sqlite3_step(st) == SQLITE_ROW) {
        wl->rows_read[i] = sqlite3_column_int64(st, 0);
        if (sqlite3_column_bytes(st, 1) == PROTO_HASH_SIZE)
            g_hash_table_remove(wl->inflight, sqlite3_column_blob(st, 1));
    }
    sqlite3_finalize(st);
}

/* Re-send what is still not final RESUBMIT_AFTER_NS after its last send. */
static void resend_overdue(tbd_workload *wl, int64_t now_ns, const bool *alive)
{
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, wl->inflight);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        tbd_inflight *f = value;
        if (now_ns - f->last_attempt_ns < RESUBMIT_AFTER_NS)
            continue;
        uint32_t node = pick_live_node(wl, alive, f->node);
        if (node == UINT32_MAX)
            return;
        f->node = node;
        f->last_attempt_ns = now_ns;
        tb_links_send(wl->links, node, f->wire);
        wl->resubmitted++;
    }
}

void tbd_workload_tick(tbd_workload *wl, int64_t now_ns, const bool *alive)
{
    if (wl == NULL)
        return;
    while (wl->next_ns <= now_ns && wl->next_ns < wl->stop_ns) {
        /* Sent now, but submitted at its arrival time as far as finality
         * is concerned: the client's own lateness counts against it. */
        send_transfer(wl, wl->next_ns, alive);
        next_arrival(wl);
    }
    if (now_ns < wl->next_scan_ns)
        return;
    wl->next_scan_ns = now_ns + RETRY_SCAN_NS;
    for (uint32_t i = 0; i < wl->nodes_count; i++)
        read_finals(wl, i);
    resend_overdue(wl, now_ns, alive);
}

uint64_t tbd_workload_resubmitted(const tbd_workload *wl)
{
    return wl != NULL ? wl->resubmitted : 0;
}

const GArray *tbd_workload_submitted(const tbd_workload *wl)
{
    return wl != NULL ? wl->submitted : NULL;
}

uint64_t tbd_workload_dropped_no_node(const tbd_workload *wl)
{
    return wl != NULL ? wl->dropped_no_node : 0;
}

/* ---- saved for a merge elsewhere ---- */

#define SAVE_SCHEMA                                                                         \
    "CREATE TABLE submitted(hash BLOB NOT NULL, node INTEGER NOT NULL,"                     \
    " submitted_ns INTEGER NOT NULL);"                                                      \
    "CREATE TABLE counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL);"

static bool save_fail(sqlite3 *db, const char *path, GError **error)
{
    g_set_error(error, TBD_ERROR, 1, "%s: cannot write the workload's record: %s", path,
                db != NULL ? sqlite3_errmsg(db) : "out of memory");
    return false;
}

bool tbd_workload_save(const tbd_workload *wl, const char *path, GError **error)
{
    unlink(path);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    bool ok = sqlite3_open(path, &db) == SQLITE_OK &&
              sqlite3_exec(db, "BEGIN;" SAVE_SCHEMA, NULL, NULL, NULL) == SQLITE_OK &&
              sqlite3_prepare_v2(db, "INSERT INTO submitted VALUES(?1, ?2, ?3)", -1, &st,
                                 NULL) == SQLITE_OK;
    for (guint i = 0; ok && i < wl->submitted->len; i++) {
        const tbd_submitted *x = &g_array_index(wl->submitted, tbd_submitted, i);
        sqlite3_bind_blob(st, 1, x->hash.bytes, PROTO_HASH_SIZE, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, x->node);
        sqlite3_bind_int64(st, 3, x->submitted_ns);
        ok = sqlite3_step(st) == SQLITE_DONE && sqlite3_reset(st) == SQLITE_OK;
    }
    sqlite3_finalize(st);
    char *counters = g_strdup_printf("INSERT INTO counters VALUES('dropped_no_node', %" G_GUINT64_FORMAT
                                     "), ('resubmitted', %" G_GUINT64_FORMAT "); COMMIT;",
                                     wl->dropped_no_node, wl->resubmitted);
    ok = ok && sqlite3_exec(db, counters, NULL, NULL, NULL) == SQLITE_OK;
    g_free(counters);
    if (!ok)
        save_fail(db, path, error);
    sqlite3_close(db);
    return ok;
}

tbd_workload *tbd_workload_load(const char *path, GError **error)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    tbd_workload *wl = g_new0(tbd_workload, 1);
    wl->submitted = g_array_new(FALSE, FALSE, sizeof(tbd_submitted));
    bool ok = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
              sqlite3_prepare_v2(db, "SELECT hash, node, submitted_ns FROM submitted", -1,
                                 &st, NULL) == SQLITE_OK;
    int rc = SQLITE_DONE;
    while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        tbd_submitted x = {.node = (uint32_t)sqlite3_column_int64(st, 1),
                           .submitted_ns = sqlite3_column_int64(st, 2)};
        if (sqlite3_column_bytes(st, 0) != PROTO_HASH_SIZE)
            continue;
        memcpy(x.hash.bytes, sqlite3_column_blob(st, 0), PROTO_HASH_SIZE);
        g_array_append_val(wl->submitted, x);
    }
    ok = ok && rc == SQLITE_DONE;
    sqlite3_finalize(st);
    st = NULL;
    ok = ok && sqlite3_prepare_v2(db, "SELECT name, value FROM counters", -1, &st, NULL) ==
                   SQLITE_OK;
    while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        uint64_t v = (uint64_t)sqlite3_column_int64(st, 1);
        if (g_strcmp0(name, "dropped_no_node") == 0)
            wl->dropped_no_node = v;
        else if (g_strcmp0(name, "resubmitted") == 0)
            wl->resubmitted = v;
    }
    ok = ok && rc == SQLITE_DONE;
    sqlite3_finalize(st);
    if (!ok) {
        g_set_error(error, TBD_ERROR, 1, "%s: cannot read the workload's record: %s", path,
                    db != NULL ? sqlite3_errmsg(db) : "out of memory");
        tbd_workload_free(wl);
        wl = NULL;
    }
    sqlite3_close(db);
    return wl;
}

void tbd_workload_free(tbd_workload *wl)
{
    if (wl == NULL)
        return;
    if (wl->links != NULL)
        tb_links_free(wl->links);
    for (uint32_t i = 0; wl->records != NULL && i < wl->nodes_count; i++)
        sqlite3_close(wl->records[i]);
    g_free(wl->records);
    g_free(wl->rows_read);
    if (wl->inflight != NULL)
        g_hash_table_destroy(wl->inflight);
    g_array_unref(wl->submitted);
    g_free(wl->next_nonce);
    g_free(wl);
}
