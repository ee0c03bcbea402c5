/* Custody: a full node re-routes what it routed towards the validators
 * when the peer it went to falls silent.
 *
 * PROTO_SCOPE_VALIDATORS gossip (transactions, evidence, validator
 * operations) travels down the distance gradient, two peers per hop
 * (p2p_gossip.c), and nothing acknowledges it. When a node crashes, its
 * peers keep choosing it as a route until they notice: a copy sent to it
 * meanwhile (or in flight when it went down) dies there, and when both
 * routes of a hop were such peers, the message is lost. Relays drop later
 * copies as seen, so only the hop that lost it can send it on. With 30%
 * of the nodes crashing at once (scenarios/regression/r05), about 1% of
 * the transactions of the first seconds were lost this way and waited
 * for their client's resubmission (30 s), with every later transaction
 * of their senders stuck behind their nonces.
 *
 * So a full node keeps, for P2P_CUSTODY_HEARTBEATS, each envelope it
 * routed towards the validators (its own and relayed ones) with the peers
 * it gave it to. When one of those peers is lost (silent for
 * P2P_SILENT_HEARTBEATS, or disconnected because it left, said GOODBYE,
 * stopped answering or was banned; not when we pruned it, which it
 * survives), each envelope given to it in the window goes to the best
 * route it was not given to yet (the gradient's rules; never back to the
 * peer it came from), so every hop repairs itself within a few heartbeats
 * while a live path exists. A copy that the lost peer did pass on arrives
 * twice somewhere: the receiver counts a duplicate from a new sender,
 * which costs nobody score. Validators keep nothing: they hand a message
 * to every other validator at once, and a validator that is down has no
 * use for it.
 *
 * Bounded: at most P2P_CUSTODY_MAX envelopes (the oldest make room) and
 * P2P_CUSTODY_TRIES_MAX peers per envelope. Order is arrival order, so
 * re-routing is deterministic. */
#include "protocol/p2p/p2p_internal.h"

#include <string.h>

typedef struct p2p_custody_entry {
    GBytes *envelope;         /* [GOSSIP][scope][message] (owned) */
    proto_node_id from;       /* the peer it came from, or self */
    int64_t routed_ns;        /* first routed */
    proto_node_id given[P2P_CUSTODY_TRIES_MAX]; /* peers it went to, in order */
    uint32_t given_count;
} p2p_custody_entry;

static void entry_free(gpointer data)
{
    p2p_custody_entry *e = data;
    g_bytes_unref(e->envelope);
    g_free(e);
}

void p2p_custody_init(p2p_node *n)
{
    g_queue_init(&n->custody);
}

void p2p_custody_clear(p2p_node *n)
{
    g_queue_clear_full(&n->custody, entry_free);
}

static int64_t custody_window_ns(const p2p_node *n)
{
    return P2P_CUSTODY_HEARTBEATS * n->p->heartbeat_ns;
}

void p2p_custody_expire(p2p_node *n)
{
    int64_t oldest = p2p_now(n) - custody_window_ns(n);
    for (;;) {
        p2p_custody_entry *e = g_queue_peek_head(&n->custody);
        if (e == NULL || e->routed_ns >= oldest)
            break;
        entry_free(g_queue_pop_head(&n->custody));
    }
}

void p2p_custody_keep(p2p_node *n, GBytes *envelope, proto_node_id from,
                      const proto_node_id *given, uint32_t count)
{
    g_assert(!p2p_is_validator(n) && count <= P2P_CUSTODY_TRIES_MAX);
    if (count == 0)
        return;
    p2p_custody_expire(n);
    if (n->custody.length >= P2P_CUSTODY_MAX)
        entry_free(g_queue_pop_head(&n->custody));
    p2p_custody_entry *e = g_new0(p2p_custody_entry, 1);
    e->envelope = g_bytes_ref(envelope);
    e->from = from;
    e->routed_ns = p2p_now(n);
    memcpy(e->given, given, count * sizeof *given);
    e->given_count = count;
    g_queue_push_tail(&n->custody, e);
    g_assert(n->custody.length <= P2P_CUSTODY_MAX);
}

static bool was_given(const p2p_custody_entry *e, proto_node_id id)
{
    for (uint32_t k = 0; k < e->given_count; k++)
        if (e->given[k] == id)
            return true;
    return false;
}

/* Give one entry that went to the lost peer to its next best route. */
static void reroute(p2p_node *n, p2p_custody_entry *e)
{
    if (e->given_count >= P2P_CUSTODY_TRIES_MAX)
        return;
    proto_node_id next = p2p_gossip_next_route(n, e->from, e->given, e->given_count);
    if (next == PROTO_NODE_NONE)
        return;
    e->given[e->given_count++] = next;
    p2p_send_raw(n, next, e->envelope);
    n->stats.gossip_rerouted++;
}

void p2p_custody_peer_lost(p2p_node *n, proto_node_id id)
{
    if (n->left || p2p_is_validator(n))
        return;
    p2p_custody_expire(n);
    for (GList *l = n->custody.head; l != NULL; l = l->next) {
        p2p_custody_entry *e = l->data;
        if (was_given(e, id))
            reroute(n, e);
    }
}

uint32_t p2p_node_custody_count(const p2p_node *n)
{
    return n->custody.length;
}
