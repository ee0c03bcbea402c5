/* Fake environment for protocol unit tests (see fake_env.h). */
#include "fake_env.h"

static int64_t fake_now(void *ctx)
{
    return ((fake_env *)ctx)->now_ns;
}

static void fake_send_fn(void *ctx, proto_node_id to, GBytes *wire)
{
    fake_env *f = ctx;
    fake_send s = {.to = to, .wire = g_bytes_ref(wire)};
    g_array_append_val(f->sends, s);
}

static uint64_t fake_set_timer(void *ctx, int64_t delay_ns, uint32_t kind, uint64_t arg)
{
    fake_env *f = ctx;
    fake_timer t = {.id = ++f->next_timer_id,
                    .at_ns = f->now_ns + delay_ns,
                    .kind = kind,
                    .arg = arg};
    g_array_append_val(f->timers, t);
    return t.id;
}

static void fake_cancel_timer(void *ctx, uint64_t id)
{
    fake_env *f = ctx;
    for (guint i = 0; i < f->timers->len; i++) {
        fake_timer *t = &g_array_index(f->timers, fake_timer, i);
        if (t->id == id)
            t->cancelled = TRUE;
    }
}

static uint64_t fake_random(void *ctx)
{
    fake_env *f = ctx;
    f->random_state = f->random_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return f->random_state >> 11;
}

static void fake_observe(void *ctx, const proto_event *ev)
{
    fake_env *f = ctx;
    proto_event copy = *ev;
    if (ev->kind == PROTO_EV_TX_RECEIVED) {
        proto_hash id;
        memcpy(id.bytes, ev->hash, PROTO_HASH_SIZE);
        g_array_append_val(f->tx_received, id);
    }
    copy.hash = NULL;
    copy.state_root = NULL;
    g_array_append_val(f->events, copy);
}

static void fake_store_put(void *ctx, const char *key, GBytes *value)
{
    fake_env *f = ctx;
    g_hash_table_replace(f->store, g_strdup(key), g_bytes_ref(value));
}

static GBytes *fake_store_get(void *ctx, const char *key)
{
    fake_env *f = ctx;
    GBytes *v = g_hash_table_lookup(f->store, key);
    return v != NULL ? g_bytes_ref(v) : NULL;
}

static void fake_broadcast_fn(void *ctx, proto_scope scope, GBytes *wire)
{
    fake_env *f = ctx;
    fake_broadcast b = {.scope = scope, .wire = g_bytes_ref(wire)};
    g_array_append_val(f->broadcasts, b);
}

static uint32_t fake_peers(void *ctx, proto_node_id *out, uint32_t max)
{
    fake_env *f = ctx;
    f->peers_calls++;
    uint32_t count = MIN(max, f->peers_count);
    for (uint32_t i = 0; i < count; i++)
        out[i] = f->peers[i];
    return count;
}

static void send_clear(gpointer p)
{
    g_bytes_unref(((fake_send *)p)->wire);
}

static void broadcast_clear(gpointer p)
{
    g_bytes_unref(((fake_broadcast *)p)->wire);
}

void fake_env_set_overlay(fake_env *f, const proto_node_id *peers, uint32_t count)
{
    g_assert(count <= FAKE_PEERS_MAX);
    for (uint32_t i = 0; i < count; i++)
        f->peers[i] = peers[i];
    f->peers_count = count;
    f->env.broadcast = fake_broadcast_fn;
    f->env.peers = fake_peers;
}

void fake_env_init(fake_env *f)
{
    *f = (fake_env){0};
    f->env = (proto_env){.ctx = f,
                         .now_ns = fake_now,
                         .send = fake_send_fn,
                         .set_timer = fake_set_timer,
                         .cancel_timer = fake_cancel_timer,
                         .random_u64 = fake_random,
                         .observe = fake_observe,
                         .store_put = fake_store_put,
                         .store_get = fake_store_get};
    f->sends = g_array_new(FALSE, FALSE, sizeof(fake_send));
    g_array_set_clear_func(f->sends, send_clear);
    f->broadcasts = g_array_new(FALSE, FALSE, sizeof(fake_broadcast));
    g_array_set_clear_func(f->broadcasts, broadcast_clear);
    f->timers = g_array_new(FALSE, FALSE, sizeof(fake_timer));
    f->events = g_array_new(FALSE, FALSE, sizeof(proto_event));
    f->tx_received = g_array_new(FALSE, FALSE, sizeof(proto_hash));
    f->store = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                     (GDestroyNotify)g_bytes_unref);
}

void fake_env_clear(fake_env *f)
{
    g_array_unref(f->sends);
    g_array_unref(f->broadcasts);
    g_array_unref(f->timers);
    g_array_unref(f->events);
    g_array_unref(f->tx_received);
    g_hash_table_destroy(f->store);
}

void fake_env_reset_records(fake_env *f)
{
    g_array_set_size(f->sends, 0);
    g_array_set_size(f->broadcasts, 0);
    g_array_set_size(f->events, 0);
    g_array_set_size(f->tx_received, 0);
}

guint fake_env_count_events(const fake_env *f, proto_event_kind kind)
{
    guint count = 0;
    for (guint i = 0; i < f->events->len; i++)
        if (g_array_index(f->events, proto_event, i).kind == kind)
            count++;
    return count;
}

fake_timer *fake_env_next_timer(fake_env *f)
{
    fake_timer *best = NULL;
    for (guint i = 0; i < f->timers->len; i++) {
        fake_timer *t = &g_array_index(f->timers, fake_timer, i);
        if (!t->cancelled && (best == NULL || t->at_ns < best->at_ns))
            best = t;
    }
    return best;
}
