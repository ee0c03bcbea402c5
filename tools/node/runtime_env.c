/* The environment table for one node in one process (see runtime_env.h):
 * the GLib main loop's clock and timers, the links, libsodium's
 * randomness, the SQLite store and the records. */
#include "tools/node/runtime_env.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

#include "tools/node/frames.h"

#define TB_EXIT_INTERNAL 3

typedef struct tb_timer {
    tb_runtime *rt;
    uint64_t id;                 /* the hash table's key points here */
    uint32_t kind;
    uint64_t arg;
    GSource *source;
} tb_timer;

/* ---- clock ---- */

int64_t tb_runtime_now_ns(const tb_runtime *rt)
{
    return g_get_monotonic_time() * 1000 + rt->clock_offset_ns;
}

static int64_t env_now(void *ctx)
{
    return tb_runtime_now_ns(ctx);
}

/* ---- timers ---- */

/* A source with only a ready time: it dispatches once that time comes. */
static gboolean timer_dispatch(GSource *source, GSourceFunc callback, gpointer data)
{
    return callback(data);
}

static GSourceFuncs timer_funcs = {.dispatch = timer_dispatch};

GSource *tb_ready_source_new(int64_t wait_ns, GSourceFunc fn, gpointer data)
{
    GSource *source = g_source_new(&timer_funcs, sizeof(GSource));
    g_source_set_callback(source, fn, data, NULL);
    int64_t wait_us = wait_ns > 0 ? (wait_ns + 999) / 1000 : 0;
    g_source_set_ready_time(source, g_get_monotonic_time() + wait_us);
    g_source_attach(source, NULL);
    return source;
}

static void timer_free(gpointer data)
{
    tb_timer *t = data;
    g_source_destroy(t->source);
    g_source_unref(t->source);
    g_free(t);
}

static gboolean timer_due(gpointer data)
{
    tb_timer *t = data;
    tb_runtime *rt = t->rt;
    uint64_t id = t->id;
    uint32_t kind = t->kind;
    uint64_t arg = t->arg;
    g_hash_table_remove(rt->timers, &id); /* frees t: fired timers are gone */
    rt->timers_fired++;
    if (rt->node != NULL)
        rt->ops->on_timer(rt->node, id, kind, arg);
    return G_SOURCE_REMOVE;
}

static uint64_t env_set_timer(void *ctx, int64_t delay_ns, uint32_t kind, uint64_t arg)
{
    tb_runtime *rt = ctx;
    /* The protocol asks for delays >= 0; a clock read between two of its
     * computations can make one a hair negative: that is "now". */
    tb_timer *t = g_new0(tb_timer, 1);
    t->rt = rt;
    t->id = ++rt->next_timer_id;
    t->kind = kind;
    t->arg = arg;
    t->source = tb_ready_source_new(delay_ns, timer_due, t);
    g_hash_table_insert(rt->timers, &t->id, t);
    return t->id;
}

static void env_cancel_timer(void *ctx, uint64_t timer_id)
{
    tb_runtime *rt = ctx;
    g_hash_table_remove(rt->timers, &timer_id); /* unknown (fired, cancelled): nothing */
}

/* ---- the rest of the table ---- */

/* A send the filter holds back for its latency. */
typedef struct tb_delayed {
    tb_runtime *rt;
    uint32_t to;
    GBytes *wire;
    GSource *source;
} tb_delayed;

static void delayed_free(gpointer data)
{
    tb_delayed *d = data;
    g_source_destroy(d->source);
    g_source_unref(d->source);
    g_bytes_unref(d->wire);
    g_free(d);
}

static gboolean delayed_due(gpointer data)
{
    tb_delayed *d = data;
    tb_links_send(d->rt->links, d->to, d->wire);
    g_hash_table_remove(d->rt->delayed, d); /* frees d */
    return G_SOURCE_REMOVE;
}

static void send_after(tb_runtime *rt, uint32_t to, GBytes *wire, int64_t delay_ns)
{
    if (delay_ns <= 0) {
        tb_links_send(rt->links, to, wire);
        return;
    }
    tb_delayed *d = g_new0(tb_delayed, 1);
    d->rt = rt;
    d->to = to;
    d->wire = g_bytes_ref(wire);
    d->source = tb_ready_source_new(delay_ns, delayed_due, d);
    g_hash_table_add(rt->delayed, d);
}

static void env_send(void *ctx, proto_node_id to, GBytes *wire)
{
    tb_runtime *rt = ctx;
    if (rt->send_hook != NULL)
        rt->send_hook(rt->send_hook_ctx, to, wire);
    else
        tb_runtime_send(rt, to, wire);
}

static void send_one(tb_runtime *rt, uint32_t to, GBytes *wire);

void tb_runtime_send(tb_runtime *rt, uint32_t to, GBytes *wire)
{
    send_one(rt, to, wire);
    /* A twin shares the address of the validator it doubles (direct
     * topology): what goes to K reaches K's twins too, as in
     * sim_world_net_send. */
    GArray *extra = rt->also_to != NULL ? g_hash_table_lookup(rt->also_to, GUINT_TO_POINTER(to))
                                        : NULL;
    for (guint i = 0; extra != NULL && i < extra->len; i++) {
        uint32_t twin = g_array_index(extra, uint32_t, i);
        if (twin != rt->self)
            send_one(rt, twin, wire);
    }
}

void tb_runtime_also_send(tb_runtime *rt, uint32_t to, uint32_t extra)
{
    if (rt->also_to == NULL)
        rt->also_to = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                            (GDestroyNotify)g_array_unref);
    GArray *list = g_hash_table_lookup(rt->also_to, GUINT_TO_POINTER(to));
    if (list == NULL) {
        list = g_array_new(FALSE, FALSE, sizeof(uint32_t));
        g_hash_table_insert(rt->also_to, GUINT_TO_POINTER(to), list);
    }
    g_array_append_val(list, extra);
}

static void send_one(tb_runtime *rt, uint32_t to, GBytes *wire)
{
    if (rt->filter == NULL) {
        tb_links_send(rt->links, to, wire);
        return;
    }
    tb_filter_verdict v = tb_filter_send(rt->filter, to, tb_runtime_now_ns(rt));
    if (v.drop)
        return;
    send_after(rt, to, wire, v.delay_ns);
    if (v.duplicate)
        send_after(rt, to, wire, v.duplicate_delay_ns);
}

static uint64_t env_random(void *ctx)
{
    uint64_t v;
    randombytes_buf(&v, sizeof v);
    return v;
}

static void env_observe(void *ctx, const proto_event *ev)
{
    tb_runtime *rt = ctx;
    int64_t now = tb_runtime_now_ns(rt);
    if (ev->kind == PROTO_EV_BLOCK_FINAL) {
        if (ev->height > rt->final_height)
            rt->final_height = ev->height;
        if (ev->tx_hashes != NULL)
            tb_records_final_txs(rt->records, now, ev->height, ev->tx_hashes, ev->tx_count);
    }
    tb_records_event(rt->records, now, ev);
}

static void store_failed(GError *error)
{
    fprintf(stderr, "aitbc-node: %s (stopping: the node cannot keep its state)\n",
            error->message);
    exit(TB_EXIT_INTERNAL);
}

static void env_store_put(void *ctx, const char *key, GBytes *value)
{
    tb_runtime *rt = ctx;
    GError *error = NULL;
    if (!tb_store_put(rt->store, key, value, &error))
        store_failed(error);
}

static GBytes *env_store_get(void *ctx, const char *key)
{
    tb_runtime *rt = ctx;
    GError *error = NULL;
    GBytes *value = tb_store_get(rt->store, key, &error);
    if (error != NULL)
        store_failed(error);
    return value;
}

void tb_runtime_deliver(void *ctx, uint32_t from, GBytes *wire)
{
    tb_runtime *rt = ctx;
    if (rt->node == NULL)
        return;
    if (from == TB_HELLO_CLIENT) {
        rt->client_txs++;
        rt->ops->submit_tx(rt->node, wire);
    } else if (rt->filter == NULL ||
               tb_filter_receive(rt->filter, from, tb_runtime_now_ns(rt))) {
        rt->ops->on_message(rt->node, from, wire);
    }
}

/* The node's inclusion policy: a censor's (node_market.h), else all. */
static bool env_include_tx(void *ctx, const proto_pubkey *sender)
{
    tb_runtime *rt = ctx;
    return rt->include_hook == NULL || rt->include_hook(rt->include_hook_ctx, sender);
}

void tb_runtime_init(tb_runtime *rt, uint32_t self, int64_t genesis_unix_ns, tb_links *links,
                     tb_store *store, tb_records *records)
{
    *rt = (tb_runtime){.self = self, .links = links, .store = store, .records = records};
    rt->clock_offset_ns = (g_get_real_time() - g_get_monotonic_time()) * 1000 - genesis_unix_ns;
    rt->timers = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, timer_free);
    rt->delayed = g_hash_table_new_full(g_direct_hash, g_direct_equal, delayed_free, NULL);
    rt->env = (proto_env){
        .ctx = rt,
        .now_ns = env_now,
        .send = env_send,
        .set_timer = env_set_timer,
        .cancel_timer = env_cancel_timer,
        .random_u64 = env_random,
        .observe = env_observe,
        .store_put = env_store_put,
        .store_get = env_store_get,
        .include_tx = env_include_tx,
    };
}

void tb_runtime_clear(tb_runtime *rt)
{
    g_assert(rt->node == NULL);
    if (rt->timers != NULL)
        g_hash_table_destroy(rt->timers);
    rt->timers = NULL;
    if (rt->delayed != NULL)
        g_hash_table_destroy(rt->delayed);
    rt->delayed = NULL;
    if (rt->also_to != NULL)
        g_hash_table_destroy(rt->also_to);
    rt->also_to = NULL;
}
