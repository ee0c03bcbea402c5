/* P2P node: construction, entry points, timers.
 *
 * Every message from the outside arrives here. From a node that is not a
 * peer only HELLO (and GOODBYE answering our own HELLO) is read; a banned
 * node is not heard at all. A peer's message is first charged to its
 * budget (dropped unread when over), then dispatched by type: p2p types
 * to their handlers, anything else straight to the consensus node.
 *
 * The consensus node's environment is in p2p_inner.c. */
#include "protocol/p2p/p2p_internal.h"

#include "protocol/core/msgtype.h"

int64_t p2p_now(const p2p_node *n)
{
    return n->env.now_ns(n->env.ctx);
}

uint64_t p2p_random(p2p_node *n)
{
    return n->env.random_u64(n->env.ctx);
}

uint32_t p2p_random_below(p2p_node *n, uint32_t bound)
{
    g_assert(bound > 0);
    return (uint32_t)(p2p_random(n) % bound);
}

void p2p_emit(p2p_node *n, proto_event *ev)
{
    ev->node = n->self;
    n->env.observe(n->env.ctx, ev);
}

void p2p_send_raw(p2p_node *n, proto_node_id to, GBytes *wire)
{
    g_assert(to != n->self && to < n->p->nodes_count);
    n->env.send(n->env.ctx, to, wire);
}

void p2p_send_take(p2p_node *n, proto_node_id to, GBytes *wire)
{
    p2p_send_raw(n, to, wire);
    g_bytes_unref(wire);
}

static int32_t first_machine_of(const p2p_node *n, proto_node_id id)
{
    const proto_node_id *v = n->p->validator_nodes;
    uint32_t count = n->p->validators_count;
    if (n->validators_sorted) {
        uint32_t lo = 0, hi = count;
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (v[mid] < id)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo < count && v[lo] == id ? (int32_t)lo : -1;
    }
    for (uint32_t i = 0; i < count; i++)
        if (v[i] == id)
            return (int32_t)i;
    return -1;
}

int32_t p2p_clique_slot(const p2p_node *n, proto_node_id id)
{
    int32_t v = first_machine_of(n, id);
    if (v >= 0)
        return v;
    for (uint32_t i = 0; i < n->p->extras_count; i++)
        if (n->p->extra_nodes[i] == id)
            return (int32_t)(n->p->validators_count + i);
    return -1;
}

int32_t p2p_validator_of(const p2p_node *n, proto_node_id id)
{
    int32_t slot = p2p_clique_slot(n, id);
    if (slot < 0 || slot < (int32_t)n->p->validators_count)
        return slot;
    return (int32_t)n->p->extra_validators[slot - (int32_t)n->p->validators_count];
}

proto_node_id p2p_clique_slot_node(const p2p_node *n, uint32_t slot)
{
    g_assert(slot < p2p_clique_slots(n));
    if (slot < n->p->validators_count)
        return n->p->validator_nodes[slot];
    return n->p->extra_nodes[slot - n->p->validators_count];
}

uint32_t p2p_clique_slots(const p2p_node *n)
{
    return n->p->validators_count + n->p->extras_count;
}

bool p2p_is_validator(const p2p_node *n)
{
    return n->validator_index >= 0;
}

/* ---- construction ---- */

static void params_check(const p2p_params *p, proto_node_id self, int32_t validator_index)
{
    g_assert(self < p->nodes_count);
    g_assert(validator_index < (int32_t)p->validators_count);
    g_assert(p->extras_count == 0 || (p->extra_nodes != NULL && p->extra_validators != NULL));
    for (uint32_t i = 0; i < p->extras_count; i++)
        g_assert(p->extra_validators[i] < p->validators_count && p->extra_nodes[i] < p->nodes_count);
    bool machine = validator_index >= 0 && p->validator_nodes[validator_index] == self;
    for (uint32_t i = 0; validator_index >= 0 && i < p->extras_count; i++)
        machine |= p->extra_nodes[i] == self && p->extra_validators[i] == (uint32_t)validator_index;
    g_assert(validator_index < 0 || machine);
    g_assert(p->validators_count <= P2P_BEATS_MAX);
    g_assert(p->degree_low >= 1 && p->degree_low <= p->degree && p->degree <= p->degree_high);
    g_assert(p->heartbeat_ns > 0 && p->ping_timeout_ns > 0 && p->contact_timeout_ns > 0);
    g_assert(p->ban_ns > 0 && p->score_ban < 0);
    g_assert(p->msgs_per_s_max >= 1 && p->bytes_per_s_max >= 1 &&
             p->bytes_per_s_max <= P2P_BUDGET_RATE_MAX);
    g_assert(p->seen_max >= 1 && p->seen_ttl_ns > 0 && p->mcache_ttl_ns > 0);
    g_assert(p->addrs_max >= 1);
}

p2p_node *p2p_node_new(const p2p_params *params, proto_node_id self, int32_t validator_index,
                       const proto_env *env)
{
    params_check(params, self, validator_index);
    p2p_node *n = g_new0(p2p_node, 1);
    n->p = params;
    n->self = self;
    n->validator_index = validator_index;
    n->env = *env;
    p2p_inner_env_init(n);
    n->validators_sorted = true;
    for (uint32_t i = 1; i < params->validators_count; i++)
        n->validators_sorted &= params->validator_nodes[i - 1] < params->validator_nodes[i];
    n->peers = g_ptr_array_new_with_free_func(g_free);
    n->dials = g_array_new(FALSE, FALSE, sizeof(p2p_dial));
    n->outbox = g_array_new(FALSE, FALSE, sizeof(p2p_outmsg));
    n->early = g_array_new(FALSE, FALSE, sizeof(p2p_outmsg));
    n->bans = g_array_new(FALSE, FALSE, sizeof(p2p_ban));
    p2p_addrbook_init(&n->book, params->addrs_max);
    if (validator_index >= 0) {
        n->clique_retry_ns = g_new0(int64_t, p2p_clique_slots(n));
        n->clique_failures = g_new0(uint8_t, p2p_clique_slots(n));
    }
    p2p_health_init(n);
    p2p_gossip_init(n);
    p2p_hold_init(n);
    p2p_parting_init(n);
    p2p_custody_init(n);
    return n;
}

const proto_env *p2p_node_inner_env(p2p_node *n)
{
    return &n->inner_env;
}

void p2p_node_attach(p2p_node *n, const proto_node_ops *ops, void *inner)
{
    g_assert(n->inner_ops == NULL && ops != NULL);
    n->inner_ops = ops;
    n->inner = inner;
}

static void heartbeat_schedule(p2p_node *n, int64_t delay_ns)
{
    n->heartbeat_timer = n->env.set_timer(n->env.ctx, delay_ns, P2P_TIMER_HEARTBEAT, 0);
}

void p2p_node_start(p2p_node *n)
{
    g_assert(!n->started);
    n->started = true;
    p2p_mesh_start(n);
    /* The first heartbeat at a random phase, so nodes started together do
     * not ping in lockstep. */
    heartbeat_schedule(n, 1 + (int64_t)(p2p_random(n) % (uint64_t)n->p->heartbeat_ns));
}

void p2p_node_leave(p2p_node *n)
{
    if (n->left)
        return;
    while (n->peers->len > 0) {
        const p2p_peer *last = g_ptr_array_index(n->peers, n->peers->len - 1);
        p2p_peer_disconnect(n, last->id, PROTO_P2P_REASON_LEAVING, P2P_BYE_LEAVING);
    }
    p2p_outbox_drop_all(n);
    p2p_hold_drop_all(n);
    p2p_custody_clear(n);
    g_ptr_array_set_size(n->parting, 0);
    g_array_set_size(n->dials, 0);
    if (n->heartbeat_timer != PROTO_TIMER_NONE)
        n->env.cancel_timer(n->env.ctx, n->heartbeat_timer);
    n->heartbeat_timer = PROTO_TIMER_NONE;
    n->left = true;
}

/* ---- driving ---- */

/* A message from a peer, within its budget. */
static void dispatch(p2p_node *n, p2p_peer *peer, GBytes *wire, const uint8_t *data, size_t size)
{
    switch (data[0]) {
    case PROTO_MSG_P2P_HELLO:
        p2p_on_hello(n, peer->id, data, size);
        return;
    case PROTO_MSG_P2P_GOODBYE:
        p2p_on_goodbye(n, peer->id, data, size);
        return;
    case PROTO_MSG_P2P_PING:
        p2p_on_ping(n, peer, data, size);
        return;
    case PROTO_MSG_P2P_PONG:
        p2p_on_pong(n, peer, data, size);
        return;
    case PROTO_MSG_P2P_GET_PEERS:
        p2p_on_get_peers(n, peer, data, size);
        return;
    case PROTO_MSG_P2P_PEERS:
        p2p_on_peers(n, peer, data, size);
        return;
    case PROTO_MSG_P2P_GOSSIP:
        p2p_on_gossip(n, peer, wire);
        return;
    case PROTO_MSG_P2P_IHAVE:
        p2p_on_ihave(n, peer, data, size);
        return;
    case PROTO_MSG_P2P_IWANT:
        p2p_on_iwant(n, peer, data, size);
        return;
    default:
        break;
    }
    /* Consensus traffic (votes, sync, ...) passes unchanged. */
    proto_node_id from = peer->id;
    if (p2p_deliver_inner(n, from, wire, NULL)) {
        peer = p2p_peer_find(n, from);
        if (peer != NULL)
            p2p_score_penalize(n, peer, P2P_OFFENCE_INVALID);
    }
}

static void from_stranger(p2p_node *n, proto_node_id from, GBytes *wire, const uint8_t *data,
                          size_t size)
{
    bool dialling = p2p_dial_find(n, from) != NULL;
    if (size > 0 && data[0] == PROTO_MSG_P2P_HELLO)
        p2p_on_hello(n, from, data, size);
    else if (size > 0 && data[0] == PROTO_MSG_P2P_GOODBYE && dialling)
        p2p_on_goodbye(n, from, data, size); /* a refusal of our HELLO */
    else if (size > 0 && dialling)
        p2p_early_push(n, from, wire); /* it accepted; its HELLO is on the way */
    else
        n->stats.dropped_not_peer++;
}

static void p2p_on_message(void *node, proto_node_id from, GBytes *wire);

/* `from` just became a peer: take in what it sent before its HELLO. */
static void take_early(p2p_node *n, proto_node_id from)
{
    GPtrArray *early = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    p2p_early_take(n, from, early);
    for (guint i = 0; i < early->len; i++)
        p2p_on_message(n, from, g_ptr_array_index(early, i));
    g_ptr_array_unref(early);
}

static void p2p_on_message(void *node, proto_node_id from, GBytes *wire)
{
    p2p_node *n = node;
    if (!n->started || n->left)
        return;
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(wire, &size);
    if (from >= n->p->nodes_count || from == n->self || p2p_ban_active(n, from)) {
        n->stats.dropped_not_peer++;
        return;
    }
    p2p_peer *peer = p2p_peer_find(n, from);
    if (peer == NULL && size > 0 && !p2p_msg_is_control_type(data[0]))
        peer = p2p_parting_find(n, from); /* in flight when we parted */
    if (peer == NULL) {
        from_stranger(n, from, wire, data, size);
        if (n->early->len > 0 && p2p_peer_find(n, from) != NULL)
            take_early(n, from);
        p2p_hold_flush(n);
        return;
    }
    int64_t now = p2p_now(n);
    if (!p2p_bucket_take(&peer->msgs, n->p->msgs_per_s_max, 1, now) ||
        !p2p_bucket_take(&peer->bytes, n->p->bytes_per_s_max, size, now)) {
        n->stats.throttled++;
        p2p_score_penalize(n, peer, P2P_OFFENCE_THROTTLED);
    } else if (size == 0) {
        n->stats.malformed++;
        p2p_score_penalize(n, peer, P2P_OFFENCE_MALFORMED);
    } else {
        dispatch(n, peer, wire, data, size);
    }
    p2p_score_settle(n, from);
    p2p_hold_flush(n); /* a new peer or a known distance may route it now */
}

static void heartbeat(p2p_node *n)
{
    n->heartbeat_timer = PROTO_TIMER_NONE;
    n->beat++;
    p2p_gossip_heartbeat(n);
    p2p_hold_expire(n);
    p2p_hold_flush(n);
    p2p_parting_expire(n);
    p2p_custody_expire(n);
    p2p_health_heartbeat(n);
    p2p_score_decay(n);
    p2p_dials_expire(n);
    p2p_mesh_heartbeat(n);
    heartbeat_schedule(n, n->p->heartbeat_ns);
}

static void p2p_on_timer(void *node, uint64_t timer_id, uint32_t kind, uint64_t arg)
{
    p2p_node *n = node;
    if ((kind & P2P_TIMER_BIT) == 0) {
        if (n->inner_ops != NULL)
            n->inner_ops->on_timer(n->inner, timer_id, kind, arg);
        return;
    }
    if (n->left)
        return;
    switch (kind) {
    case P2P_TIMER_HEARTBEAT:
        if (timer_id == n->heartbeat_timer)
            heartbeat(n);
        return;
    case P2P_TIMER_WANT:
        p2p_gossip_on_want_timer(n, arg);
        return;
    default:
        g_assert_not_reached();
    }
}

static void p2p_submit_tx(void *node, GBytes *tx_wire)
{
    p2p_node *n = node;
    if (n->inner_ops != NULL && n->inner_ops->submit_tx != NULL)
        n->inner_ops->submit_tx(n->inner, tx_wire);
}

static void p2p_rotate_key(void *node, const proto_keypair *next)
{
    p2p_node *n = node;
    /* The driver asks only nodes whose protocol rotates keys (it checks
     * the consensus node's ops, not these). */
    g_assert(n->inner_ops != NULL && n->inner_ops->rotate_key != NULL);
    n->inner_ops->rotate_key(n->inner, next);
}

static void p2p_fee_quote(void *node, proto_fee_quote *out)
{
    p2p_node *n = node;
    g_assert(n->inner_ops != NULL && n->inner_ops->fee_quote != NULL);
    n->inner_ops->fee_quote(n->inner, out);
}

static uint32_t p2p_fee_history(void *node, uint32_t blocks, uint64_t *base_fee,
                                double *gas_used_ratio, uint64_t *reward)
{
    p2p_node *n = node;
    g_assert(n->inner_ops != NULL && n->inner_ops->fee_history != NULL);
    return n->inner_ops->fee_history(n->inner, blocks, base_fee, gas_used_ratio, reward);
}

static void p2p_free(void *node)
{
    p2p_node *n = node;
    if (n->inner_ops != NULL)
        n->inner_ops->free(n->inner);
    g_ptr_array_unref(n->peers);
    g_array_unref(n->dials);
    p2p_outbox_drop_all(n);
    g_array_unref(n->outbox);
    for (guint i = 0; i < n->early->len; i++)
        g_bytes_unref(g_array_index(n->early, p2p_outmsg, i).wire);
    g_array_unref(n->early);
    g_array_unref(n->bans);
    p2p_addrbook_clear(&n->book);
    g_free(n->clique_retry_ns);
    g_free(n->clique_failures);
    p2p_health_clear(n);
    p2p_gossip_clear(n);
    p2p_hold_clear(n);
    p2p_parting_clear(n);
    p2p_custody_clear(n);
    g_free(n);
}

const proto_node_ops p2p_node_ops = {
    .name = "p2p",
    .on_message = p2p_on_message,
    .on_timer = p2p_on_timer,
    .submit_tx = p2p_submit_tx,
    .free = p2p_free,
    .rotate_key = p2p_rotate_key,
    .fee_quote = p2p_fee_quote,
    .fee_history = p2p_fee_history,
};
