/* The consensus node's side of the p2p node: the environment it is built
 * with, and handing it messages.
 *
 * The environment passes time, randomness, timers and the store through
 * (the p2p layer's own store keys start with "p2p/", its timer kinds have
 * bit 31 set; the consensus node's must not), sends directly to peers and
 * through a dial to anyone else (p2p_dial.c), broadcasts by gossip
 * (p2p_gossip.c), lists the current peers, and passes observations on
 * while watching them: while the consensus node handles a message from
 * peer P, a PROTO_EV_MSG_REJECTED for P's message with reason DECODE or
 * SIGNATURE marks that message invalid, so it is not relayed and P pays
 * for it. Other rejections (stale, wrong schedule, ...) are not the
 * relay's fault. */
#include "protocol/p2p/p2p_internal.h"

bool p2p_deliver_inner(p2p_node *n, proto_node_id from, GBytes *wire, const p2p_id *gossip_id)
{
    if (n->inner_ops == NULL)
        return false;
    /* Saved and restored, though the consensus node cannot re-enter here:
     * its sends leave through the environment and arrive later. */
    p2p_delivery saved = n->delivery;
    n->delivery = (p2p_delivery){.active = true, .from = from, .gossip = gossip_id != NULL};
    if (gossip_id != NULL)
        n->delivery.id = *gossip_id;
    n->inner_ops->on_message(n->inner, from, wire);
    bool invalid = n->delivery.invalid;
    n->delivery = saved;
    return invalid;
}

static int64_t inner_now(void *ctx)
{
    return p2p_now(ctx);
}

static uint64_t inner_random(void *ctx)
{
    return p2p_random(ctx);
}

static void inner_send(void *ctx, proto_node_id to, GBytes *wire)
{
    p2p_node *n = ctx;
    if (n->left || to == n->self || to >= n->p->nodes_count || p2p_ban_active(n, to)) {
        n->stats.no_route++;
        return;
    }
    if (p2p_peer_find(n, to) != NULL) {
        p2p_send_raw(n, to, wire);
        return;
    }
    /* Dial on demand; before start the message waits for start's dials. */
    if (n->started && !p2p_dial_start(n, to, P2P_DIAL_UNICAST)) {
        n->stats.no_route++;
        return;
    }
    p2p_outbox_push(n, to, wire);
}

static uint64_t inner_set_timer(void *ctx, int64_t delay_ns, uint32_t kind, uint64_t arg)
{
    p2p_node *n = ctx;
    g_assert((kind & P2P_TIMER_BIT) == 0);
    return n->env.set_timer(n->env.ctx, delay_ns, kind, arg);
}

static void inner_cancel_timer(void *ctx, uint64_t timer_id)
{
    p2p_node *n = ctx;
    n->env.cancel_timer(n->env.ctx, timer_id);
}

static void inner_observe(void *ctx, const proto_event *ev)
{
    p2p_node *n = ctx;
    if (n->delivery.active && ev->kind == PROTO_EV_MSG_REJECTED && ev->from == n->delivery.from &&
        (ev->reason == PROTO_REJECT_DECODE || ev->reason == PROTO_REJECT_SIGNATURE))
        n->delivery.invalid = true;
    n->env.observe(n->env.ctx, ev);
}

static void inner_store_put(void *ctx, const char *key, GBytes *value)
{
    p2p_node *n = ctx;
    g_assert(!g_str_has_prefix(key, "p2p/"));
    n->env.store_put(n->env.ctx, key, value);
}

static GBytes *inner_store_get(void *ctx, const char *key)
{
    p2p_node *n = ctx;
    return n->env.store_get(n->env.ctx, key);
}

static void inner_broadcast(void *ctx, proto_scope scope, GBytes *wire)
{
    p2p_gossip_broadcast(ctx, scope, wire);
}

static uint32_t inner_peers(void *ctx, proto_node_id *out, uint32_t max)
{
    return p2p_node_peers(ctx, out, max);
}

static bool inner_include_tx(void *ctx, const proto_pubkey *sender)
{
    p2p_node *n = ctx;
    return n->env.include_tx(n->env.ctx, sender);
}

void p2p_inner_env_init(p2p_node *n)
{
    n->inner_env = (proto_env){.ctx = n,
                               .now_ns = inner_now,
                               .send = inner_send,
                               .set_timer = inner_set_timer,
                               .cancel_timer = inner_cancel_timer,
                               .random_u64 = inner_random,
                               .observe = inner_observe,
                               .store_put = inner_store_put,
                               .store_get = inner_store_get,
                               .broadcast = inner_broadcast,
                               .peers = inner_peers,
                               .include_tx = n->env.include_tx != NULL ? inner_include_tx
                                                                        : NULL,
                               .code_versions = n->env.code_versions};
}
