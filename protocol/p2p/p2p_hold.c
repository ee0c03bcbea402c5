/* Gossip held until there is someone to give it to.
 *
 * At the start of a run every node is alone until its first HELLO is
 * answered, and a full node does not know which way the validators are
 * until a peer's ping or pong tells it its distance. A client's
 * transaction given to it then used to be lost: it waited for the client
 * to resubmit it (30 s), and the account's later transactions waited
 * behind its nonce. So a message that no peer can take yet is held
 * rather than dropped:
 *
 *   - any message, when the node has no peer but the one it came from;
 *   - PROTO_SCOPE_VALIDATORS at a validator that is still forming its
 *     clique (has not yet had every other validator as a peer since it
 *     started): for up to P2P_HELD_CLIQUE_WAIT_HEARTBEATS, and in any
 *     case until it has some validator peer. Validators do not relay
 *     each other's messages, so a validator that is not a peer when a
 *     message goes out never gets it. Once the clique has formed, a
 *     missing validator is taken to be down and nothing waits for it;
 *   - the node's own PROTO_SCOPE_VALIDATORS broadcast at a full node
 *     that does not know its distance to a validator yet.
 *
 * Held messages are in the seen-cache already (they were sent, as far as
 * echoes go) and go out, oldest first, through the normal routing as
 * soon as a route exists: the node checks after every message it takes
 * in and at every heartbeat. Bounded: at most P2P_HELD_MAX, each for at
 * most P2P_HELD_TTL_HEARTBEATS; the oldest makes room, and what is
 * dropped counts as no_route. Nothing held survives a leave. */
#include "protocol/p2p/p2p_internal.h"

typedef struct p2p_held {
    proto_scope scope;
    GBytes *envelope;         /* [GOSSIP][scope][message] (owned) */
    p2p_id id;
    proto_node_id from;       /* the peer it came from, or self */
    int64_t at_ns;
} p2p_held;

static void held_free(gpointer data)
{
    p2p_held *h = data;
    g_bytes_unref(h->envelope);
}

static GArray *held_new(void)
{
    GArray *held = g_array_new(FALSE, FALSE, sizeof(p2p_held));
    g_array_set_clear_func(held, held_free);
    return held;
}

void p2p_hold_init(p2p_node *n)
{
    n->held = held_new();
}

void p2p_hold_clear(p2p_node *n)
{
    g_array_unref(n->held);
}

/* Some peer would take a message in this scope from `from` (self: our
 * own broadcast). */
static bool hold_can_route(const p2p_node *n, proto_scope scope, proto_node_id from)
{
    bool validators_only = scope == PROTO_SCOPE_VALIDATORS && p2p_is_validator(n);
    if (scope == PROTO_SCOPE_VALIDATORS && !validators_only && from == n->self &&
        n->distance == P2P_DISTANCE_UNKNOWN)
        return false;
    for (guint i = 0; i < n->peers->len; i++) {
        const p2p_peer *p = g_ptr_array_index(n->peers, i);
        if (p->id != from && (!validators_only || p->validator_index >= 0))
            return true;
    }
    return false;
}

/* At a validator: its clique has been complete since it started (every
 * other validator a peer at once). Until then a validator is still
 * forming it; afterwards a missing validator is taken to be down. */
static bool clique_formed(p2p_node *n)
{
    if (n->clique_formed)
        return true;
    uint32_t links = 0;
    for (guint i = 0; i < n->peers->len; i++)
        links += ((const p2p_peer *)g_ptr_array_index(n->peers, i))->validator_index >= 0;
    n->clique_formed = links + 1 >= n->p->validators_count;
    return n->clique_formed;
}

bool p2p_hold_needed(p2p_node *n, proto_scope scope, proto_node_id from)
{
    if (!hold_can_route(n, scope, from))
        return true;
    return scope == PROTO_SCOPE_VALIDATORS && p2p_is_validator(n) && !clique_formed(n);
}

/* Held no longer: it would not be held now, or it waited its time for a
 * forming clique and some validator can take it. */
static bool held_ready(p2p_node *n, const p2p_held *h)
{
    if (!p2p_hold_needed(n, h->scope, h->from))
        return true;
    return hold_can_route(n, h->scope, h->from) &&
           p2p_now(n) - h->at_ns >= P2P_HELD_CLIQUE_WAIT_HEARTBEATS * n->p->heartbeat_ns;
}

void p2p_hold_push(p2p_node *n, proto_scope scope, GBytes *envelope, const p2p_id *id,
                   proto_node_id from)
{
    if (n->held->len == P2P_HELD_MAX) {
        g_array_remove_index(n->held, 0);
        n->stats.no_route++;
    }
    p2p_held h = {.scope = scope,
                  .envelope = g_bytes_ref(envelope),
                  .id = *id,
                  .from = from,
                  .at_ns = p2p_now(n)};
    g_array_append_val(n->held, h);
    n->stats.held++;
}

void p2p_hold_flush(p2p_node *n)
{
    if (n->held->len == 0 || n->left)
        return;
    bool any = false;
    for (guint i = 0; i < n->held->len && !any; i++)
        any = held_ready(n, &g_array_index(n->held, p2p_held, i));
    if (!any)
        return;
    /* Taken out first, so routing cannot touch the array being read;
     * every envelope is either sent and released or moved back. */
    GArray *pending = n->held;
    n->held = held_new();
    g_array_set_clear_func(pending, NULL);
    for (guint i = 0; i < pending->len; i++) {
        p2p_held *h = &g_array_index(pending, p2p_held, i);
        if (held_ready(n, h)) {
            p2p_gossip_route(n, h->scope, h->envelope, &h->id, h->from);
            g_bytes_unref(h->envelope);
        } else {
            g_array_append_val(n->held, *h);
        }
    }
    g_array_unref(pending);
}

void p2p_hold_expire(p2p_node *n)
{
    int64_t oldest_ns = p2p_now(n) - P2P_HELD_TTL_HEARTBEATS * n->p->heartbeat_ns;
    guint expired = 0;
    while (expired < n->held->len &&
           g_array_index(n->held, p2p_held, expired).at_ns < oldest_ns)
        expired++;
    if (expired > 0) {
        g_array_remove_range(n->held, 0, expired);
        n->stats.no_route += expired;
    }
}

void p2p_hold_drop_all(p2p_node *n)
{
    n->stats.no_route += n->held->len;
    g_array_set_size(n->held, 0);
}
