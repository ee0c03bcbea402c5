/* Dials in flight and the outbox of unicasts waiting for a link.
 *
 * A dial is a HELLO sent to a node that is not a peer, remembered (in an
 * array sorted by id, at most P2P_DIALS_MAX) until the node answers HELLO
 * (the link is up), refuses with GOODBYE, or stays silent for the dial
 * timeout, two heartbeats. One dial serves every purpose that wants the
 * link: filling the degree, a missing validator link, or a unicast from
 * the consensus node to a node that is not a peer.
 *
 * Such unicasts wait in the outbox (at most P2P_OUTBOX_MAX messages, in
 * the order sent) and leave when the link is up; when the dial fails they
 * are dropped and counted in no_route, so nothing waits longer than the
 * dial timeout.
 *
 * The other way round, the node we dial accepts at once and may send us
 * gossip right after its HELLO; links do not keep order, so that gossip
 * can arrive first, from a node that is not a peer yet. Such messages
 * wait too (at most P2P_EARLY_MAX, the oldest make room) and are taken in
 * as soon as the HELLO makes it a peer; when the dial fails they are
 * dropped and counted in dropped_not_peer. Before, they were dropped at
 * once: a transaction a restarted node gave its first peer, a validator
 * that had dialled it, was lost (r05, at the restarts). */
#include "protocol/p2p/p2p_internal.h"

#include "protocol/core/sorted.h"

/* How long a HELLO may go unanswered: two heartbeats (2 s by default)
 * covers a round trip on any link the simulator models, queueing
 * included. */
#define DIAL_TIMEOUT_BEATS 2

int64_t p2p_dial_timeout_ns(const p2p_node *n)
{
    return DIAL_TIMEOUT_BEATS * n->p->heartbeat_ns;
}

static guint lower_bound(const p2p_node *n, proto_node_id id)
{
    return proto_lower_bound_u32(n->dials->data, n->dials->len, sizeof(p2p_dial),
                                 G_STRUCT_OFFSET(p2p_dial, id), id);
}

p2p_dial *p2p_dial_find(const p2p_node *n, proto_node_id id)
{
    guint i = lower_bound(n, id);
    if (i < n->dials->len && g_array_index(n->dials, p2p_dial, i).id == id)
        return &g_array_index(n->dials, p2p_dial, i);
    return NULL;
}

bool p2p_dial_start(p2p_node *n, proto_node_id id, uint32_t purpose)
{
    g_assert(id != n->self && id < n->p->nodes_count && p2p_peer_find(n, id) == NULL);
    p2p_dial *d = p2p_dial_find(n, id);
    if (d != NULL) {
        d->purposes |= purpose;
        return true;
    }
    if (n->dials->len >= P2P_DIALS_MAX)
        return false;
    p2p_dial fresh = {.id = id, .purposes = purpose, .started_ns = p2p_now(n)};
    g_array_insert_val(n->dials, lower_bound(n, id), fresh);
    p2p_send_take(n, id, p2p_hello_encode(false));
    return true;
}

void p2p_dial_end(p2p_node *n, proto_node_id id)
{
    guint i = lower_bound(n, id);
    if (i < n->dials->len && g_array_index(n->dials, p2p_dial, i).id == id)
        g_array_remove_index(n->dials, i);
}

void p2p_dials_expire(p2p_node *n)
{
    int64_t deadline = p2p_now(n) - p2p_dial_timeout_ns(n);
    for (guint i = n->dials->len; i-- > 0;) {
        p2p_dial d = g_array_index(n->dials, p2p_dial, i);
        if (d.started_ns > deadline)
            continue;
        g_array_remove_index(n->dials, i);
        p2p_outbox_drop(n, d.id);
        p2p_early_drop(n, d.id);
        p2p_mesh_dial_failed(n, d.id, 0);
    }
}

uint32_t p2p_dials_count(const p2p_node *n, uint32_t purposes)
{
    uint32_t count = 0;
    for (guint i = 0; i < n->dials->len; i++)
        count += (g_array_index(n->dials, p2p_dial, i).purposes & purposes) != 0;
    return count;
}

void p2p_outbox_push(p2p_node *n, proto_node_id to, GBytes *wire)
{
    if (n->outbox->len >= P2P_OUTBOX_MAX) {
        n->stats.no_route++;
        return;
    }
    p2p_outmsg m = {.to = to, .wire = g_bytes_ref(wire)};
    g_array_append_val(n->outbox, m);
}

/* Remove the messages for `to`, sending them if `send`. */
static uint32_t outbox_take(p2p_node *n, proto_node_id to, bool send)
{
    uint32_t taken = 0;
    guint kept = 0;
    for (guint i = 0; i < n->outbox->len; i++) {
        p2p_outmsg m = g_array_index(n->outbox, p2p_outmsg, i);
        if (m.to != to) {
            g_array_index(n->outbox, p2p_outmsg, kept++) = m;
            continue;
        }
        if (send)
            p2p_send_raw(n, to, m.wire);
        g_bytes_unref(m.wire);
        taken++;
    }
    g_array_set_size(n->outbox, kept); /* no clear function: nothing double-freed */
    return taken;
}

void p2p_outbox_flush(p2p_node *n, proto_node_id to)
{
    outbox_take(n, to, true);
}

void p2p_outbox_drop(p2p_node *n, proto_node_id to)
{
    n->stats.no_route += outbox_take(n, to, false);
}

void p2p_early_push(p2p_node *n, proto_node_id from, GBytes *wire)
{
    g_assert(p2p_dial_find(n, from) != NULL);
    if (n->early->len >= P2P_EARLY_MAX) {
        g_bytes_unref(g_array_index(n->early, p2p_outmsg, 0).wire);
        g_array_remove_index(n->early, 0);
        n->stats.dropped_not_peer++;
    }
    p2p_outmsg m = {.to = from, .wire = g_bytes_ref(wire)};
    g_array_append_val(n->early, m);
    g_assert(n->early->len <= P2P_EARLY_MAX);
}

/* Remove the messages from `from`, into out if not NULL; how many. */
static uint32_t early_take(p2p_node *n, proto_node_id from, GPtrArray *out)
{
    uint32_t taken = 0;
    guint kept = 0;
    for (guint i = 0; i < n->early->len; i++) {
        p2p_outmsg m = g_array_index(n->early, p2p_outmsg, i);
        if (m.to != from) {
            g_array_index(n->early, p2p_outmsg, kept++) = m;
            continue;
        }
        if (out != NULL)
            g_ptr_array_add(out, m.wire);
        else
            g_bytes_unref(m.wire);
        taken++;
    }
    g_array_set_size(n->early, kept);
    return taken;
}

void p2p_early_take(p2p_node *n, proto_node_id from, GPtrArray *out)
{
    early_take(n, from, out);
}

void p2p_early_drop(p2p_node *n, proto_node_id from)
{
    n->stats.dropped_not_peer += early_take(n, from, NULL);
}

void p2p_outbox_drop_all(p2p_node *n)
{
    for (guint i = 0; i < n->outbox->len; i++)
        g_bytes_unref(g_array_index(n->outbox, p2p_outmsg, i).wire);
    n->stats.no_route += n->outbox->len;
    g_array_set_size(n->outbox, 0);
}
