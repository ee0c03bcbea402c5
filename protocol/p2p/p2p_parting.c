/* Peers we have just parted with, heard out for one more heartbeat.
 *
 * A link ends by GOODBYE (a prune, a refusal, a leave): the side that
 * ends it forgets the peer at once, but the peer keeps sending until the
 * GOODBYE reaches it, and the network may deliver what it sent earlier
 * after the GOODBYE. Dropping those messages loses gossip that was
 * routed along that link: with the mesh still forming or pruning, a
 * client's transaction could take a path that was being cut and wait
 * 30 s for the client to resubmit it. So a peer that parted politely
 * (PRUNE or GOODBYE, not a ban, not silence) is kept here for one
 * heartbeat: its gossip and consensus messages are still taken in,
 * scored on the kept record and relayed (never back to it), while its
 * control messages (pings, peer lists, IHAVE/IWANT) are ignored and
 * nothing is sent to it. A HELLO from it is a new link (p2p_peers.c).
 *
 * Bounded by P2P_PARTING_MAX; the oldest makes room. */
#include "protocol/p2p/p2p_internal.h"

void p2p_parting_init(p2p_node *n)
{
    n->parting = g_ptr_array_new_with_free_func(g_free);
}

void p2p_parting_clear(p2p_node *n)
{
    g_ptr_array_unref(n->parting);
}

static guint parting_index(const p2p_node *n, proto_node_id id)
{
    for (guint i = 0; i < n->parting->len; i++)
        if (((const p2p_peer *)g_ptr_array_index(n->parting, i))->id == id)
            return i;
    return G_MAXUINT;
}

void p2p_parting_add(p2p_node *n, p2p_peer *peer)
{
    guint old = parting_index(n, peer->id);
    if (old != G_MAXUINT)
        g_ptr_array_remove_index(n->parting, old);
    if (n->parting->len == P2P_PARTING_MAX)
        g_ptr_array_remove_index(n->parting, 0);
    peer->parted_ns = p2p_now(n);
    g_ptr_array_add(n->parting, peer);
}

p2p_peer *p2p_parting_find(const p2p_node *n, proto_node_id id)
{
    guint i = parting_index(n, id);
    if (i == G_MAXUINT)
        return NULL;
    p2p_peer *p = g_ptr_array_index(n->parting, i);
    return p2p_now(n) - p->parted_ns <= n->p->heartbeat_ns ? p : NULL;
}

void p2p_parting_forget(p2p_node *n, proto_node_id id)
{
    guint i = parting_index(n, id);
    if (i != G_MAXUINT)
        g_ptr_array_remove_index(n->parting, i);
}

void p2p_parting_expire(p2p_node *n)
{
    int64_t now = p2p_now(n);
    guint expired = 0;
    while (expired < n->parting->len &&
           now - ((const p2p_peer *)g_ptr_array_index(n->parting, expired))->parted_ns >
               n->p->heartbeat_ns)
        expired++;
    if (expired > 0)
        g_ptr_array_remove_range(n->parting, 0, expired);
}
