/* The transaction workload: clients submitting signed transfers.
 *
 * Arrivals are Poisson at `tx_rate` between `start` and `stop`. Each
 * arrival picks a random live node, as a wallet talking to one RPC
 * endpoint would, a sender account and a different recipient uniformly;
 * it asks the node for the next block's base fee and signs a one-message
 * envelope (tx_envelope.h) with the sender's next nonce, the transfer's
 * exact gas, a tip of TRANSFER_TIP_PER_GAS and a fee cap of twice the
 * quoted base fee plus the tip (what EIP-1559 wallets offer), then hands
 * it to that node. Clients behave
 * like real wallets: a transaction not final after RESUBMIT_AFTER is sent
 * again (same bytes) to another live node, so a crash that wipes a
 * mempool delays transactions instead of wedging an account's nonces.
 *
 * In-flight transactions are kept in a FIFO ordered by their next check,
 * every CHECK_EVERY_NS (the hash table is for lookup only, never
 * iterated), so retries and re-pricings happen in the same order on
 * every run.
 *
 * Every resubmission is put down to one of two causes. `receiver
 * crashed`: the node the client last gave the transaction to went down
 * (crash or leave) before any other node got it from the network
 * (PROTO_EV_TX_RECEIVED), so only the client could save it; or the
 * transaction did leave, but an earlier nonce of its sender is still not
 * final and that one's own resubmission was put down to its receiver
 * crashing (the chain takes a sender's transactions in nonce order, so it
 * waits behind that loss). `other`: everything else, the network's doing
 * (a transaction a live node accepted and that still did not become
 * final in 30 s). */
#include "sim/world/world_internal.h"

#include <stdio.h>
#include <string.h>

#include "protocol/chain/tx_envelope.h"
#include "protocol/core/sorted.h"

#define RESUBMIT_AFTER_NS (30LL * 1000 * 1000 * 1000)
/* Every transaction not final is looked at this often, at the retry
 * scans (a resubmission once RESUBMIT_AFTER_NS passed since its last
 * attempt, a re-pricing once SIM_REPRICE_AFTER_NS did): one period for
 * all keeps the retry queue in time order. */
#define CHECK_EVERY_NS RETRY_SCAN_NS
#define RETRY_SCAN_NS (5LL * 1000 * 1000 * 1000)
#define INFLIGHT_MAX (2u * 1000 * 1000)
#define TRANSFER_AMOUNT_MAX 1000u

struct sim_inflight {
    proto_hash hash;           /* the newest version's id */
    GPtrArray *versions;       /* proto_hash* (owned) of the versions it replaced, keys in
                                * the in-flight table until one is final; NULL: none */
    GBytes *wire;              /* the newest version */
    int64_t submitted_ns;
    int64_t last_attempt_ns;
    int64_t next_check_ns;     /* when the retry scan looks at it again */
    uint32_t node;
    uint32_t from;             /* sender: a client (client_key) */
    uint64_t nonce;
    uint32_t crashes_at_attempt; /* w->nodes[node].crashes when given to node */
    proto_txmsg msg;           /* the one message: a transfer, or a delegator's */
    uint64_t gas_limit;
    uint64_t tip;              /* the newest version's fee fields */
    uint64_t max_fee;
    uint8_t strategy;          /* index into opt.fee_strategies */
    uint8_t reprices;          /* replacements sent so far */
    bool left;                 /* another node got it from the network since then */
    bool done;
};

static void inflight_free(sim_inflight *f)
{
    if (f->versions != NULL)
        g_ptr_array_unref(f->versions);
    g_bytes_unref(f->wire);
    g_free(f);
}

/* A random live node, or UINT32_MAX if every node is down. A node in the
 * middle of a graceful leave (churn) takes no new clients. */
static uint32_t pick_live_node_from(const sim_world *w, uint32_t start, uint32_t avoid)
{
    for (uint32_t k = 0; k < w->nodes_count; k++) {
        uint32_t i = (start + k) % w->nodes_count;
        if (w->nodes[i].up && !w->nodes[i].leaving && (i != avoid || w->nodes_count == 1))
            return i;
    }
    return UINT32_MAX;
}

static uint32_t pick_live_node(sim_world *w, uint32_t avoid)
{
    return pick_live_node_from(w, (uint32_t)sim_rng_below(&w->workload.rng, w->nodes_count),
                               avoid);
}

static void submit_to(sim_world *w, sim_inflight *f, uint32_t node)
{
    f->node = node;
    f->last_attempt_ns = sim_sched_now(w->sched);
    f->next_check_ns = f->last_attempt_ns + CHECK_EVERY_NS;
    f->crashes_at_attempt = w->nodes[node].crashes;
    f->left = false;
    sim_node_slot *slot = &w->nodes[node];
    slot->ops->submit_tx(slot->node, f->wire);
}

static bool submit(sim_world *w, sim_inflight *f, uint32_t avoid)
{
    uint32_t node = pick_live_node(w, avoid);
    if (node == UINT32_MAX) {
        w->workload.dropped_no_node++;
        return false;
    }
    submit_to(w, f, node);
    return true;
}

static const sim_fee_strategy *strategy_of(const sim_workload *wl, const sim_inflight *f)
{
    return &g_array_index(wl->opt.fee_strategies, sim_fee_strategy, f->strategy);
}

/* The highest fee cap an account offers: its budget, and never more
 * than its genesis balance over the gas (what it could pay). */
static uint64_t fee_cap_max(const sim_world *w, uint32_t account)
{
    return MIN(sim_pricing_affordable_fee_cap(), sim_pricing_budget(w, account));
}

/* Clients are the workload's accounts 0 .. accounts - 1, then the
 * delegators ([staking] delegators, sim/world/delegators.c), then the
 * agents ([agents], sim/world/agents.c), then the governors (an upgrade
 * fault, sim/world/upgrades.c). */
static const proto_keypair *client_key(const sim_world *w, uint32_t client)
{
    const sim_workload *wl = &w->workload;
    g_assert(client < wl->clients);
    if (client < wl->opt.accounts)
        return &wl->keys[client];
    if (client < wl->first_agent_client)
        return &w->chain.delegator_keys[client - wl->opt.accounts];
    if (client < wl->first_governor_client)
        return &w->chain.agent_keys[client - wl->first_agent_client];
    return &w->chain.governor_keys[client - wl->first_governor_client];
}

/* Sign f's current version (message, nonce, fees) and make it the one
 * the client sends. */
static void sign_version(sim_world *w, sim_inflight *f)
{
    const proto_keypair *key = client_key(w, f->from);
    proto_txenv tx = {.chain_id = w->chain.rules.chain_id,
                      .sender = key->pk,
                      .nonce = f->nonce,
                      .gas_limit = f->gas_limit,
                      .max_fee_per_gas = f->max_fee,
                      .max_priority_fee_per_gas = f->tip,
                      .message_count = 1};
    tx.messages[0] = f->msg;
    proto_txenv_sign(&tx, w->chain.crypto, key);
    if (f->wire != NULL)
        g_bytes_unref(f->wire);
    proto_txenv_hash(&tx, &f->hash);
    f->wire = proto_txenv_msg_encode(&tx);
}

/* A new transaction of client `from` carrying msg, given to the first
 * live node from `start` on (a draw the caller made). */
static void new_inflight_at(sim_world *w, uint32_t start, uint32_t from, const proto_txmsg *msg,
                            uint64_t gas_limit)
{
    sim_workload *wl = &w->workload;
    uint32_t node = pick_live_node_from(w, start, UINT32_MAX);
    sim_inflight *f = g_new0(sim_inflight, 1);
    f->from = from;
    f->msg = *msg;
    f->gas_limit = gas_limit;
    f->nonce = wl->next_nonce[f->from]++;
    f->strategy = wl->strategy_of[f->from];
    proto_fee_quote q;
    sim_pricing_quote(w, node, strategy_of(wl, f), &q);
    sim_pricing_offer(strategy_of(wl, f), &q, fee_cap_max(w, f->from), &f->tip, &f->max_fee);
    sign_version(w, f);
    f->submitted_ns = sim_sched_now(w->sched);
    f->next_check_ns = f->submitted_ns + CHECK_EVERY_NS;
    g_hash_table_insert(wl->inflight, &f->hash, f);
    g_queue_push_tail(&wl->retry_queue, f);
    wl->submitted++;
    if (node != UINT32_MAX)
        sim_alarms_note_origin(w, &f->hash, node, f->gas_limit);
    if (node == UINT32_MAX)
        wl->dropped_no_node++; /* retried like any transaction not yet final */
    else
        submit_to(w, f, node);
}

static void new_transfer(sim_world *w)
{
    sim_workload *wl = &w->workload;
    if (g_hash_table_size(wl->inflight) >= INFLIGHT_MAX) {
        wl->dropped_backlog++;
        return;
    }
    /* The node is drawn first: the order of draws is part of every trace. */
    uint32_t node_draw = (uint32_t)sim_rng_below(&wl->rng, w->nodes_count);
    uint32_t accounts = wl->opt.accounts;
    uint32_t from = (uint32_t)sim_rng_below(&wl->rng, accounts);
    uint32_t to = (uint32_t)sim_rng_below(&wl->rng, accounts - 1);
    if (to >= from)
        to++;
    proto_txmsg msg = {.type = PROTO_TXMSG_TRANSFER,
                       .transfer = {.to = to,
                                    .amount = 1 + sim_rng_below(&wl->rng, TRANSFER_AMOUNT_MAX)}};
    new_inflight_at(w, node_draw, from, &msg, sim_scenario_transfer_gas());
}

bool sim_workload_send(sim_world *w, sim_rng *rng, uint32_t client, const proto_txmsg *msg,
                       uint64_t gas_limit)
{
    sim_workload *wl = &w->workload;
    g_assert(client >= wl->opt.accounts && client < wl->clients);
    if (g_hash_table_size(wl->inflight) >= INFLIGHT_MAX) {
        wl->dropped_backlog++;
        return false;
    }
    new_inflight_at(w, (uint32_t)sim_rng_below(rng, w->nodes_count), client, msg, gas_limit);
    return true;
}

bool sim_workload_send_via(sim_world *w, uint32_t client, const proto_txmsg *msg,
                           uint64_t gas_limit, uint32_t node)
{
    sim_workload *wl = &w->workload;
    g_assert(client >= wl->first_agent_client && client < wl->clients && node < w->nodes_count);
    if (g_hash_table_size(wl->inflight) >= INFLIGHT_MAX) {
        wl->dropped_backlog++;
        return false;
    }
    new_inflight_at(w, node, client, msg, gas_limit);
    return true;
}

/* Replace f by a better-paying version (pricing.c): the old ids stay in
 * the table, since any version may still be the one included. */
static bool reprice(sim_world *w, sim_inflight *f)
{
    sim_workload *wl = &w->workload;
    const sim_fee_strategy *st = strategy_of(wl, f);
    if (!sim_pricing_reprices(st) || f->reprices >= SIM_REPRICE_MAX)
        return false;
    /* The node it last used answers (a wallet keeps its endpoint): a
     * node that lags behind would quote the base fee of an old block. */
    uint32_t node = w->nodes[f->node].up && !w->nodes[f->node].leaving
                        ? f->node
                        : pick_live_node(w, UINT32_MAX);
    if (node == UINT32_MAX)
        return false;
    proto_fee_quote q;
    sim_pricing_quote(w, node, st, &q);
    if (!sim_pricing_bump(st, &q, fee_cap_max(w, f->from), &f->tip, &f->max_fee))
        return false;
    /* The table's key for the old version moves to a copy of its own:
     * f->hash (the key of the newest) is about to change. */
    if (f->versions == NULL)
        f->versions = g_ptr_array_new_with_free_func(g_free);
    proto_hash *old = g_memdup2(&f->hash, sizeof f->hash);
    g_hash_table_remove(wl->inflight, &f->hash);
    g_hash_table_insert(wl->inflight, old, f);
    g_ptr_array_add(f->versions, old);
    sign_version(w, f);
    g_hash_table_insert(wl->inflight, &f->hash, f);
    sim_alarms_note_origin(w, &f->hash, node, sim_scenario_transfer_gas());
    f->reprices++;
    wl->repriced++;
    submit_to(w, f, node);
    return true;
}

static void arrival(void *ctx, uint64_t a, uint64_t b)
{
    sim_world *w = ctx;
    new_transfer(w);
    const sim_workload_options *opt = &w->workload.opt;
    int64_t now = sim_sched_now(w->sched);
    bool burst = opt->burst_rate_per_s > 0 && now >= opt->burst_at_ns && now < opt->burst_until_ns;
    double rate = burst ? opt->burst_rate_per_s : opt->tx_rate_per_s;
    double gap_s = sim_rng_exponential(&w->workload.rng, 1.0 / rate);
    int64_t next = now + (int64_t)(gap_s * 1e9) + 1;
    /* A quiet gap does not skip a burst: arrivals resume at its start. */
    if (opt->burst_rate_per_s > 0 && now < opt->burst_at_ns && next > opt->burst_at_ns)
        next = opt->burst_at_ns;
    if (next < opt->stop_ns && next <= opt->end_ns)
        sim_sched_at(w->sched, next, arrival, w, 0, 0);
}

/* Why the network did not finalize f in time (see the top of the file);
 * called as the client resubmits it. */
static bool receiver_crashed(const sim_world *w, const sim_inflight *f)
{
    const sim_workload *wl = &w->workload;
    if (!f->left)
        return w->nodes[f->node].crashes != f->crashes_at_attempt;
    uint64_t lost = wl->crash_lost_nonce[f->from];
    return lost != UINT64_MAX && lost < f->nonce && lost >= wl->final_below[f->from];
}

static void count_resubmission(sim_world *w, const sim_inflight *f, bool crashed)
{
    sim_workload *wl = &w->workload;
    if (crashed) {
        wl->resubmitted_receiver_crashed++;
        wl->crash_lost_nonce[f->from] = f->nonce;
    } else {
        wl->resubmitted_other++;
    }
    wl->resubmitted++;
    g_assert(wl->resubmitted == wl->resubmitted_receiver_crashed + wl->resubmitted_other);
}

void sim_workload_on_tx_received(sim_world *w, const uint8_t *tx_hash, uint32_t node)
{
    proto_hash hash;
    memcpy(hash.bytes, tx_hash, PROTO_HASH_SIZE);
    sim_inflight *f = g_hash_table_lookup(w->workload.inflight, &hash);
    if (f != NULL && node != f->node)
        f->left = true;
}

static void retry_scan(void *ctx, uint64_t a, uint64_t b)
{
    sim_world *w = ctx;
    sim_workload *wl = &w->workload;
    int64_t now = sim_sched_now(w->sched);
    for (;;) {
        sim_inflight *f = g_queue_peek_head(&wl->retry_queue);
        if (f == NULL)
            break;
        if (f->done) {
            g_queue_pop_head(&wl->retry_queue);
            inflight_free(f);
            continue;
        }
        if (f->next_check_ns > now)
            break;
        g_queue_pop_head(&wl->retry_queue);
        f->next_check_ns = now + CHECK_EVERY_NS; /* a new attempt sets the same */
        if (f->last_attempt_ns + RESUBMIT_AFTER_NS > now) {
            /* Waiting, not yet lost: a re-pricing client may speed it up. */
            if (f->last_attempt_ns + SIM_REPRICE_AFTER_NS <= now)
                reprice(w, f);
        } else {
            bool crashed = receiver_crashed(w, f); /* before submit() starts a new attempt */
            if (submit(w, f, f->node))
                count_resubmission(w, f, crashed);
            else
                f->last_attempt_ns = now;
        }
        g_queue_push_tail(&wl->retry_queue, f);
    }
    if (now + RETRY_SCAN_NS <= wl->opt.end_ns)
        sim_sched_after(w->sched, RETRY_SCAN_NS, retry_scan, w, 0, 0);
}

/* Finality latency is measured where the client submitted the tx (its
 * last attempt). If that node is down when the tx becomes final
 * elsewhere, the client would learn it from any node: the first
 * finalization then counts. */
static void count_final(sim_world *w, const proto_hash *tx_hash, uint32_t node)
{
    sim_workload *wl = &w->workload;
    sim_inflight *f = g_hash_table_lookup(wl->inflight, tx_hash);
    if (f == NULL || f->done)
        return; /* not ours, or already counted */
    if (f->node != node && w->nodes[f->node].up)
        return;
    f->done = true;
    if (f->nonce + 1 > wl->final_below[f->from])
        wl->final_below[f->from] = f->nonce + 1;
    g_hash_table_remove(wl->inflight, &f->hash);
    for (guint i = 0; f->versions != NULL && i < f->versions->len; i++)
        g_hash_table_remove(wl->inflight, g_ptr_array_index(f->versions, i));
    wl->finalized++;
    sim_tx_record rec = {.submitted_ns = f->submitted_ns,
                         .final_ns = sim_sched_now(w->sched),
                         .node = node,
                         .fee_strategy = strategy_of(wl, f)->label};
    g_array_append_val(w->metrics->txs, rec);
}

/* ---- finality by block ----
 *
 * Every node finalizes every block, so asking the in-flight table about
 * every transaction at every node costs nodes x transactions lookups, at
 * 10,000 nodes most of the simulator's own work. Instead, the first time
 * a block is final anywhere, the transactions of it that clients still
 * wait for are listed once, by the node each was submitted to. A node
 * finalizing the block then looks only at its own part of the list, plus,
 * once after every crash or leave, at the parts whose node is down (those
 * count at the first finalization anywhere). What a node has looked at
 * leaves the list. The outcome is exactly count_final on every
 * transaction in block order; a resubmission (which moves a transaction
 * to another node) makes the lists be built again. */
typedef struct sim_pending_tx {
    uint32_t node;
    uint32_t position;         /* in the block */
    proto_hash hash;
} sim_pending_tx;

static int pending_cmp(const void *a, const void *b)
{
    const sim_pending_tx *x = a, *y = b;
    if (x->node != y->node)
        return x->node < y->node ? -1 : 1;
    return (x->position > y->position) - (x->position < y->position);
}

static void block_txs_build(sim_world *w, sim_block_txs *b, const uint8_t *tx_hashes,
                            uint32_t count)
{
    sim_workload *wl = &w->workload;
    if (b->pending != NULL)
        g_array_unref(b->pending);
    b->pending = NULL;
    for (uint32_t i = 0; i < count; i++) {
        sim_pending_tx p = {.position = i};
        memcpy(p.hash.bytes, tx_hashes + (size_t)i * PROTO_HASH_SIZE, PROTO_HASH_SIZE);
        const sim_inflight *f = g_hash_table_lookup(wl->inflight, &p.hash);
        if (f == NULL || f->done)
            continue;
        p.node = f->node;
        if (b->pending == NULL)
            b->pending = g_array_new(FALSE, FALSE, sizeof(sim_pending_tx));
        g_array_append_val(b->pending, p);
    }
    if (b->pending != NULL)
        qsort(b->pending->data, b->pending->len, sizeof(sim_pending_tx), pending_cmp);
    b->built = true;
    b->resubmitted = wl->resubmitted;
    b->down_epoch = UINT64_MAX; /* sweep for down nodes at once */
}

static guint pending_lower_bound(const GArray *pending, uint32_t node)
{
    return proto_lower_bound_u32(pending->data, pending->len, sizeof(sim_pending_tx),
                                 G_STRUCT_OFFSET(sim_pending_tx, node), node);
}

static int picked_cmp(const void *a, const void *b, void *data)
{
    const GArray *pending = data;
    uint32_t x = g_array_index(pending, sim_pending_tx, *(const guint *)a).position;
    uint32_t y = g_array_index(pending, sim_pending_tx, *(const guint *)b).position;
    return (x > y) - (x < y);
}

void sim_workload_on_block_final(sim_world *w, uint32_t block, const uint8_t *tx_hashes,
                                 uint32_t count, uint32_t node)
{
    sim_workload *wl = &w->workload;
    if (count == 0)
        return;
    if (wl->blocks->len <= block)
        g_array_set_size(wl->blocks, block + 1);
    sim_block_txs *b = &g_array_index(wl->blocks, sim_block_txs, block);
    if (!b->built || b->resubmitted != wl->resubmitted)
        block_txs_build(w, b, tx_hashes, count);
    GArray *pending = b->pending;
    if (pending == NULL)
        return;
    GArray *picked = wl->picked;
    g_array_set_size(picked, 0);
    guint lo = pending_lower_bound(pending, node), hi = lo;
    while (hi < pending->len && g_array_index(pending, sim_pending_tx, hi).node == node)
        hi++;
    for (guint k = lo; k < hi; k++)
        g_array_append_val(picked, k);
    if (b->down_epoch != w->down_epoch) {
        b->down_epoch = w->down_epoch;
        for (guint k = 0; k < pending->len; k++)
            if ((k < lo || k >= hi) && !w->nodes[g_array_index(pending, sim_pending_tx, k).node].up)
                g_array_append_val(picked, k);
    }
    if (picked->len == 0)
        return;
    g_array_sort_with_data(picked, picked_cmp, pending);
    for (guint i = 0; i < picked->len; i++)
        count_final(w, &g_array_index(pending, sim_pending_tx, g_array_index(picked, guint, i)).hash,
                    node);
    /* What was looked at leaves the list: counted now, or already by
     * another block, or (for its node) never to be counted here. */
    for (guint i = 0; i < picked->len; i++)
        g_array_index(pending, sim_pending_tx, g_array_index(picked, guint, i)).node = UINT32_MAX;
    guint kept = 0;
    for (guint k = 0; k < pending->len; k++) {
        const sim_pending_tx *p = &g_array_index(pending, sim_pending_tx, k);
        if (p->node != UINT32_MAX)
            g_array_index(pending, sim_pending_tx, kept++) = *p;
    }
    g_array_set_size(pending, kept);
    if (kept == 0) {
        g_array_unref(pending);
        b->pending = NULL;
    }
}

/* Account i uses the strategy whose share of the accounts holds i: the
 * first share x accounts accounts the first strategy, and so on (the last
 * takes what rounding leaves). */
static void assign_strategies(sim_workload *wl)
{
    const GArray *st = wl->opt.fee_strategies;
    g_assert(st != NULL && st->len >= 1 && st->len <= UINT8_MAX);
    uint32_t accounts = wl->opt.accounts;
    uint32_t from = 0;
    double cumulative = 0.0;
    for (guint k = 0; k < st->len; k++) {
        cumulative += g_array_index(st, sim_fee_strategy, k).share;
        uint32_t to = k + 1 == st->len ? accounts : (uint32_t)(cumulative * accounts + 0.5);
        for (uint32_t i = from; i < MIN(to, accounts); i++)
            wl->strategy_of[i] = (uint8_t)k;
        from = MAX(from, to);
    }
}

void sim_workload_init(sim_world *w, const sim_workload_options *opt)
{
    sim_workload *wl = &w->workload;
    wl->opt = *opt;
    sim_rng_init(&wl->rng, opt->seed, "workload");
    wl->keys = w->chain.account_keys;
    g_assert(w->chain.opt.accounts == opt->accounts);
    wl->first_agent_client = opt->accounts + w->chain.delegators_count;
    wl->first_governor_client = wl->first_agent_client + w->chain.agents_count;
    wl->clients = wl->first_governor_client + w->chain.governors_count;
    wl->next_nonce = g_new0(uint64_t, wl->clients);
    wl->last_quote = (proto_fee_quote){.base_fee = w->chain.rules.fees.initial_base_fee,
                                       .tip = 1};
    wl->strategy_of = g_new0(uint8_t, wl->clients); /* delegators: the first strategy */
    assign_strategies(wl);
    wl->final_below = g_new0(uint64_t, wl->clients);
    wl->crash_lost_nonce = g_new(uint64_t, wl->clients);
    wl->inflight = g_hash_table_new(proto_hash_ghash, proto_hash_gequal);
    wl->blocks = g_array_new(FALSE, TRUE, sizeof(sim_block_txs));
    wl->picked = g_array_new(FALSE, FALSE, sizeof(guint));
    g_queue_init(&wl->retry_queue);
    for (uint32_t i = 0; i < wl->clients; i++)
        wl->crash_lost_nonce[i] = UINT64_MAX;
    if (opt->tx_rate_per_s > 0 && opt->accounts >= 2 && opt->start_ns < opt->end_ns) {
        sim_sched_at(w->sched, opt->start_ns, arrival, w, 0, 0);
        sim_sched_at(w->sched, opt->start_ns + RETRY_SCAN_NS, retry_scan, w, 0, 0);
    } else if (w->chain.delegators_count > 0 || w->chain.agents_count > 0 ||
               w->chain.governors_count > 0) {
        /* the delegators', agents' and governors' retries */
        sim_sched_at(w->sched, RETRY_SCAN_NS, retry_scan, w, 0, 0);
    }
}

void sim_workload_clear(sim_world *w)
{
    sim_workload *wl = &w->workload;
    g_queue_clear_full(&wl->retry_queue, (GDestroyNotify)inflight_free);
    if (wl->inflight != NULL)
        g_hash_table_destroy(wl->inflight);
    g_free(wl->next_nonce);
    g_free(wl->strategy_of);
    g_free(wl->final_below);
    g_free(wl->crash_lost_nonce);
    for (guint i = 0; wl->blocks != NULL && i < wl->blocks->len; i++) {
        GArray *pending = g_array_index(wl->blocks, sim_block_txs, i).pending;
        if (pending != NULL)
            g_array_unref(pending);
    }
    if (wl->blocks != NULL)
        g_array_unref(wl->blocks);
    if (wl->picked != NULL)
        g_array_unref(wl->picked);
}
