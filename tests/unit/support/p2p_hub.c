/* Deterministic P2P mesh test driver (see p2p_hub.h). */
#include "support/p2p_hub.h"

#include <string.h>

#include "protocol/core/msgtype.h"
#include "protocol/core/node.h"

typedef enum item_kind { ITEM_MSG, ITEM_TIMER } item_kind;

typedef struct hub_item {
    int64_t at_ns;
    uint64_t seq;
    item_kind kind;
    uint32_t node;       /* destination */
    uint32_t epoch;      /* of the destination when queued */
    proto_node_id from;  /* ITEM_MSG */
    GBytes *wire;        /* ITEM_MSG, owned */
    uint64_t timer_id;   /* ITEM_TIMER */
    uint32_t timer_kind;
    uint64_t timer_arg;
} hub_item;

static uint64_t mix64(uint64_t z)
{
    z += 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static void trace_add(p2p_hub *h, const void *data, size_t size)
{
    const uint8_t *p = data;
    for (size_t i = 0; i < size; i++) {
        h->trace ^= p[i];
        h->trace *= 0x100000001B3ULL;
    }
}

static void trace_u64(p2p_hub *h, uint64_t v)
{
    trace_add(h, &v, sizeof v);
}

/* ---- the queue: a binary min-heap on (at_ns, seq) ---- */

static bool item_before(const hub_item *a, const hub_item *b)
{
    return a->at_ns != b->at_ns ? a->at_ns < b->at_ns : a->seq < b->seq;
}

static void queue_push(p2p_hub *h, hub_item it)
{
    it.seq = h->seq++;
    g_array_append_val(h->queue, it);
    hub_item *q = (hub_item *)(void *)h->queue->data;
    for (guint i = h->queue->len - 1; i > 0;) {
        guint parent = (i - 1) / 2;
        if (!item_before(&q[i], &q[parent]))
            break;
        hub_item t = q[i];
        q[i] = q[parent];
        q[parent] = t;
        i = parent;
    }
}

static hub_item queue_pop(p2p_hub *h)
{
    hub_item *q = (hub_item *)(void *)h->queue->data;
    hub_item top = q[0];
    guint len = h->queue->len - 1;
    q[0] = q[len];
    g_array_set_size(h->queue, len);
    q = (hub_item *)(void *)h->queue->data;
    for (guint i = 0;;) {
        guint l = 2 * i + 1, r = l + 1, m = i;
        if (l < len && item_before(&q[l], &q[m]))
            m = l;
        if (r < len && item_before(&q[r], &q[m]))
            m = r;
        if (m == i)
            break;
        hub_item t = q[i];
        q[i] = q[m];
        q[m] = t;
        i = m;
    }
    return top;
}

/* ---- the test consensus node ---- */

typedef struct hub_inner {
    p2p_hub_node *hn;
    const proto_env *env;
} hub_inner;

static void inner_on_message(void *node, proto_node_id from, GBytes *wire)
{
    hub_inner *in = node;
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(wire, &size);
    p2p_hub_rx rx = {.from = from, .size = (uint32_t)size, .at_ns = in->hn->hub->now_ns};
    p2p_id_of(&rx.id, data, size);
    g_array_append_val(in->hn->received, rx);
    if (size > 0 && data[0] == P2P_HUB_BAD) {
        proto_event ev = {.kind = PROTO_EV_MSG_REJECTED,
                          .node = in->hn->index,
                          .from = from,
                          .reason = PROTO_REJECT_DECODE};
        in->env->observe(in->env->ctx, &ev);
    } else if (size > 0 && data[0] == PROTO_MSG_TX && in->hn->hub->echo) {
        /* A consensus node that re-broadcasts what it admits. */
        in->env->broadcast(in->env->ctx, PROTO_SCOPE_ALL, wire);
    }
}

static void inner_on_timer(void *node, uint64_t timer_id, uint32_t kind, uint64_t arg)
{
    hub_inner *in = node;
    g_assert(kind == 7 && arg == in->hn->index);
    in->hn->inner_timers_fired++;
}

static void inner_submit_tx(void *node, GBytes *tx_wire)
{
}

static void inner_free(void *node)
{
    g_free(node);
}

static const proto_node_ops hub_inner_ops = {
    .name = "hub-inner",
    .on_message = inner_on_message,
    .on_timer = inner_on_timer,
    .submit_tx = inner_submit_tx,
    .free = inner_free,
};

/* ---- each node's environment ---- */

static int64_t env_now(void *ctx)
{
    return ((p2p_hub_node *)ctx)->hub->now_ns;
}

static void env_send(void *ctx, proto_node_id to, GBytes *wire)
{
    p2p_hub_node *hn = ctx;
    p2p_hub *h = hn->hub;
    g_assert(to < h->nodes && to != hn->index);
    hub_item it = {.at_ns = h->now_ns + p2p_hub_latency_ns(h, hn->index, to),
                   .kind = ITEM_MSG,
                   .node = to,
                   .epoch = h->node[to].epoch,
                   .from = hn->index,
                   .wire = g_bytes_ref(wire)};
    queue_push(h, it);
}

static uint64_t env_set_timer(void *ctx, int64_t delay_ns, uint32_t kind, uint64_t arg)
{
    p2p_hub_node *hn = ctx;
    p2p_hub *h = hn->hub;
    g_assert(delay_ns >= 0);
    uint64_t id = ++h->next_timer_id;
    g_hash_table_add(hn->timers, GSIZE_TO_POINTER((gsize)id));
    hub_item it = {.at_ns = h->now_ns + delay_ns,
                   .kind = ITEM_TIMER,
                   .node = hn->index,
                   .epoch = hn->epoch,
                   .timer_id = id,
                   .timer_kind = kind,
                   .timer_arg = arg};
    queue_push(h, it);
    return id;
}

static void env_cancel_timer(void *ctx, uint64_t timer_id)
{
    p2p_hub_node *hn = ctx;
    g_hash_table_remove(hn->timers, GSIZE_TO_POINTER((gsize)timer_id));
}

static uint64_t env_random(void *ctx)
{
    p2p_hub_node *hn = ctx;
    hn->random_state += 0x9E3779B97F4A7C15ULL;
    return mix64(hn->random_state);
}

static void env_observe(void *ctx, const proto_event *ev)
{
    p2p_hub_node *hn = ctx;
    proto_event copy = *ev;
    copy.hash = NULL;
    copy.state_root = NULL;
    copy.tx_hashes = NULL;
    g_array_append_val(hn->events, copy);
    p2p_hub *h = hn->hub;
    trace_u64(h, (uint64_t)h->now_ns);
    trace_u64(h, ((uint64_t)ev->kind << 32) | ev->node);
    trace_u64(h, ((uint64_t)ev->from << 32) | ev->p2p_reason);
    trace_u64(h, ev->amount);
}

static void env_store_put(void *ctx, const char *key, GBytes *value)
{
    p2p_hub_node *hn = ctx;
    g_hash_table_replace(hn->store, g_strdup(key), g_bytes_ref(value));
}

static GBytes *env_store_get(void *ctx, const char *key)
{
    p2p_hub_node *hn = ctx;
    GBytes *v = g_hash_table_lookup(hn->store, key);
    return v != NULL ? g_bytes_ref(v) : NULL;
}

/* ---- the hub ---- */

void p2p_hub_init(p2p_hub *h, uint64_t seed, uint32_t validators, uint32_t full_nodes,
                  uint32_t degree)
{
    g_assert(validators >= 1 && full_nodes >= 1);
    g_assert(validators + full_nodes <= P2P_HUB_NODES_MAX);
    memset(h, 0, sizeof *h);
    h->seed = seed;
    h->nodes = validators + full_nodes;
    h->validators = validators;
    h->trace = 0xCBF29CE484222325ULL;
    for (uint32_t v = 0; v < validators; v++) {
        h->vnodes[v] = v;
        h->stakes[v] = 100;
    }
    h->bootstrap[0] = 0;
    h->bootstrap[1] = validators;
    p2p_params_defaults(&h->params, degree);
    h->params.nodes_count = h->nodes;
    h->params.validators_count = validators;
    h->params.validator_nodes = h->vnodes;
    h->params.stakes = h->stakes;
    h->params.bootstrap = h->bootstrap;
    h->params.bootstrap_count = 2;
    h->queue = g_array_new(FALSE, FALSE, sizeof(hub_item));
    for (uint32_t i = 0; i < h->nodes; i++) {
        p2p_hub_node *hn = &h->node[i];
        hn->hub = h;
        hn->index = i;
        hn->store = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify)g_bytes_unref);
        hn->events = g_array_new(FALSE, FALSE, sizeof(proto_event));
        hn->received = g_array_new(FALSE, FALSE, sizeof(p2p_hub_rx));
        hn->timers = g_hash_table_new(g_direct_hash, g_direct_equal);
        hn->random_state = mix64(seed ^ ((uint64_t)i << 32));
    }
}

void p2p_hub_clear(p2p_hub *h)
{
    for (uint32_t i = 0; i < h->nodes; i++) {
        p2p_hub_node *hn = &h->node[i];
        if (hn->node != NULL)
            p2p_node_ops.free(hn->node);
        g_hash_table_destroy(hn->store);
        g_array_unref(hn->events);
        g_array_unref(hn->received);
        g_hash_table_destroy(hn->timers);
    }
    for (guint i = 0; i < h->queue->len; i++) {
        hub_item *it = &g_array_index(h->queue, hub_item, i);
        if (it->wire != NULL)
            g_bytes_unref(it->wire);
    }
    g_array_unref(h->queue);
}

void p2p_hub_create(p2p_hub *h, uint32_t i)
{
    p2p_hub_node *hn = &h->node[i];
    g_assert(hn->node == NULL);
    proto_env env = {.ctx = hn,
                     .now_ns = env_now,
                     .send = env_send,
                     .set_timer = env_set_timer,
                     .cancel_timer = env_cancel_timer,
                     .random_u64 = env_random,
                     .observe = env_observe,
                     .store_put = env_store_put,
                     .store_get = env_store_get};
    int32_t vidx = i < h->validators ? (int32_t)i : -1;
    for (uint32_t k = 0; k < h->params.extras_count; k++)
        if (h->params.extra_nodes[k] == i)
            vidx = (int32_t)h->params.extra_validators[k];
    hn->node = p2p_node_new(&h->params, i, vidx, &env);
    hub_inner *in = g_new0(hub_inner, 1);
    in->hn = hn;
    in->env = p2p_node_inner_env(hn->node);
    p2p_node_attach(hn->node, &hub_inner_ops, in);
    /* The consensus node's own timer passes through the mesh layer. */
    in->env->set_timer(in->env->ctx, P2P_HUB_SEC(0.5), 7, i);
}

void p2p_hub_start(p2p_hub *h, uint32_t i)
{
    if (h->node[i].node == NULL)
        p2p_hub_create(h, i);
    p2p_node_start(h->node[i].node);
}

void p2p_hub_start_all(p2p_hub *h)
{
    for (uint32_t i = 0; i < h->nodes; i++)
        p2p_hub_start(h, i);
}

void p2p_hub_crash(p2p_hub *h, uint32_t i)
{
    p2p_hub_node *hn = &h->node[i];
    g_assert(hn->node != NULL);
    p2p_node_ops.free(hn->node);
    hn->node = NULL;
    hn->epoch++;
    g_hash_table_remove_all(hn->timers);
}

static void deliver(p2p_hub *h, hub_item *it)
{
    p2p_hub_node *dst = &h->node[it->node];
    bool alive = dst->node != NULL && dst->epoch == it->epoch;
    if (alive && h->node[it->from].group == dst->group) {
        gsize size = 0;
        const uint8_t *data = g_bytes_get_data(it->wire, &size);
        h->delivered++;
        trace_u64(h, (uint64_t)h->now_ns);
        trace_u64(h, ((uint64_t)it->from << 32) | it->node);
        trace_add(h, data, size);
        p2p_node_ops.on_message(dst->node, it->from, it->wire);
    }
    g_bytes_unref(it->wire);
}

static void fire(p2p_hub *h, const hub_item *it)
{
    p2p_hub_node *hn = &h->node[it->node];
    gpointer key = GSIZE_TO_POINTER((gsize)it->timer_id);
    if (hn->node == NULL || hn->epoch != it->epoch || !g_hash_table_remove(hn->timers, key))
        return;
    p2p_node_ops.on_timer(hn->node, it->timer_id, it->timer_kind, it->timer_arg);
}

void p2p_hub_run_until(p2p_hub *h, int64_t t_ns)
{
    while (h->queue->len > 0 && g_array_index(h->queue, hub_item, 0).at_ns <= t_ns) {
        hub_item it = queue_pop(h);
        g_assert(it.at_ns >= h->now_ns);
        h->now_ns = it.at_ns;
        if (it.kind == ITEM_MSG)
            deliver(h, &it);
        else
            fire(h, &it);
    }
    h->now_ns = MAX(h->now_ns, t_ns);
}

void p2p_hub_run_for(p2p_hub *h, int64_t dt_ns)
{
    p2p_hub_run_until(h, h->now_ns + dt_ns);
}

void p2p_hub_partition(p2p_hub *h, const uint32_t *groups)
{
    for (uint32_t i = 0; i < h->nodes; i++)
        h->node[i].group = groups[i];
}

void p2p_hub_heal(p2p_hub *h)
{
    for (uint32_t i = 0; i < h->nodes; i++)
        h->node[i].group = 0;
}

void p2p_hub_inject(p2p_hub *h, proto_node_id from, proto_node_id to, GBytes *wire)
{
    g_assert(to < h->nodes);
    if (h->node[to].node != NULL)
        p2p_node_ops.on_message(h->node[to].node, from, wire);
}

int64_t p2p_hub_latency_ns(const p2p_hub *h, proto_node_id a, proto_node_id b)
{
    uint64_t lo = MIN(a, b), hi = MAX(a, b);
    uint64_t x = mix64(h->seed ^ mix64((lo << 32) | hi));
    return 5000000 + (int64_t)(x % 45000000);
}

p2p_node *p2p_hub_p2p(const p2p_hub *h, uint32_t i)
{
    return h->node[i].node;
}

const proto_env *p2p_hub_inner_env(const p2p_hub *h, uint32_t i)
{
    g_assert(h->node[i].node != NULL);
    return p2p_node_inner_env(h->node[i].node);
}

guint p2p_hub_received(const p2p_hub *h, uint32_t i, const p2p_id *id)
{
    guint count = 0;
    const GArray *rx = h->node[i].received;
    for (guint k = 0; k < rx->len; k++)
        count += p2p_id_equal(&g_array_index(rx, p2p_hub_rx, k).id, id);
    return count;
}

guint p2p_hub_events(const p2p_hub *h, uint32_t i, proto_event_kind kind)
{
    guint count = 0;
    const GArray *ev = h->node[i].events;
    for (guint k = 0; k < ev->len; k++)
        count += g_array_index(ev, proto_event, k).kind == kind;
    return count;
}

bool p2p_hub_connected(const p2p_hub *h)
{
    bool reached[P2P_HUB_NODES_MAX] = {false};
    uint32_t stack[P2P_HUB_NODES_MAX], top = 0, start = UINT32_MAX, live = 0;
    for (uint32_t i = 0; i < h->nodes; i++) {
        if (h->node[i].node != NULL) {
            live++;
            if (start == UINT32_MAX)
                start = i;
        }
    }
    if (live == 0)
        return true;
    reached[start] = true;
    stack[top++] = start;
    uint32_t count = 1;
    while (top > 0) {
        uint32_t a = stack[--top];
        proto_node_id peers[P2P_HUB_NODES_MAX];
        uint32_t n = p2p_node_peers(h->node[a].node, peers, P2P_HUB_NODES_MAX);
        for (uint32_t k = 0; k < n; k++) {
            uint32_t b = peers[k];
            if (b < h->nodes && h->node[b].node != NULL && !reached[b]) {
                reached[b] = true;
                stack[top++] = b;
                count++;
            }
        }
    }
    return count == live;
}

bool p2p_hub_node_has_peer(const p2p_node *n, proto_node_id id)
{
    proto_node_id peers[P2P_HUB_NODES_MAX];
    uint32_t count = p2p_node_peers(n, peers, P2P_HUB_NODES_MAX);
    for (uint32_t k = 0; k < count; k++)
        if (peers[k] == id)
            return true;
    return false;
}

bool p2p_hub_links_mutual(const p2p_hub *h)
{
    for (uint32_t a = 0; a < h->nodes; a++) {
        if (h->node[a].node == NULL)
            continue;
        proto_node_id peers[P2P_HUB_NODES_MAX];
        uint32_t n = p2p_node_peers(h->node[a].node, peers, P2P_HUB_NODES_MAX);
        for (uint32_t k = 0; k < n; k++) {
            p2p_node *b = h->node[peers[k]].node;
            if (b == NULL || !p2p_hub_node_has_peer(b, a))
                return false;
        }
    }
    return true;
}

GBytes *p2p_hub_payload(uint8_t first, uint32_t tag, uint32_t size)
{
    g_assert(size >= 2);
    uint8_t *buf = g_malloc(size);
    uint64_t x = mix64(tag);
    buf[0] = first;
    for (uint32_t i = 1; i < size; i++) {
        if ((i & 7) == 1)
            x = mix64(x);
        buf[i] = (uint8_t)(x >> (8 * ((i - 1) & 7)));
    }
    return g_bytes_new_take(buf, size);
}

p2p_hub *p2p_hub_new_formed(uint64_t seed, uint32_t validators, uint32_t full_nodes,
                            uint32_t degree)
{
    p2p_hub *h = g_new0(p2p_hub, 1);
    p2p_hub_init(h, seed, validators, full_nodes, degree);
    p2p_hub_start_all(h);
    p2p_hub_run_until(h, P2P_HUB_SEC(20));
    return h;
}

void p2p_hub_free(p2p_hub *h)
{
    p2p_hub_clear(h);
    g_free(h);
}
