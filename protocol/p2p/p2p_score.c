/* Peer scores and bans.
 *
 * A score is an integer, 0 for a new peer. Delivering a gossip message
 * first that the consensus node accepts earns FIRST_DELIVERY_POINTS while
 * the score is under DELIVERY_CAP (gossipsub's P2, capped, so good
 * behaviour cannot bank credit for a later flood). Offences cost their
 * weight below (gossipsub's P4 invalid messages and P7 behaviour
 * penalties, linear here). Every heartbeat the score moves a tenth of the
 * way back to 0 (at least 1), so old sins and old merits fade within
 * about half a minute.
 *
 * The weights are set against the default score_ban of -1000 (p2p.c):
 * about ten invalid or malformed messages in a few seconds, a hundred
 * useless control messages, or a thousand messages over budget get a peer
 * banned. An honest peer never sends invalid bytes (it relays only what
 * its own consensus node accepted) and stays well inside its budget, so
 * its penalties (a late pong, a duplicate from the network, an IWANT for
 * an expired message) are rare and decay away.
 *
 * A score at or under score_ban ends the link (GOODBYE(BANNED)) and bans
 * the node for ban_ns: its messages and HELLOs are dropped and the address
 * book skips it. Bans are kept in a sorted array of at most P2P_BANS_MAX;
 * when full, the ban that ends soonest makes room. */
#include "protocol/p2p/p2p_internal.h"

#include "protocol/core/sorted.h"

#define FIRST_DELIVERY_POINTS 1
#define DELIVERY_CAP 100
#define DECAY_DIVISOR 10

static const int32_t offence_weight[] = {
    [P2P_OFFENCE_INVALID] = -100,
    [P2P_OFFENCE_MALFORMED] = -100,
    [P2P_OFFENCE_DUPLICATE] = -10,
    [P2P_OFFENCE_USELESS] = -10,
    [P2P_OFFENCE_BROKEN_PROMISE] = -10,
    [P2P_OFFENCE_THROTTLED] = -1,
};

void p2p_score_penalize(p2p_node *n, p2p_peer *peer, p2p_offence offence)
{
    g_assert((size_t)offence < G_N_ELEMENTS(offence_weight));
    int64_t s = (int64_t)peer->score + offence_weight[offence];
    peer->score = (int32_t)MAX(s, (int64_t)INT32_MIN / 2);
    peer->rate_offender = offence == P2P_OFFENCE_THROTTLED;
}

void p2p_score_reward_first(p2p_node *n, p2p_peer *peer)
{
    if (peer->score < DELIVERY_CAP)
        peer->score += FIRST_DELIVERY_POINTS;
}

void p2p_score_decay(p2p_node *n)
{
    for (guint i = 0; i < n->peers->len; i++) {
        p2p_peer *p = g_ptr_array_index(n->peers, i);
        int32_t step = p->score / DECAY_DIVISOR;
        if (step == 0)
            step = (p->score > 0) - (p->score < 0);
        p->score -= step;
    }
}

static guint ban_lower_bound(const p2p_node *n, proto_node_id id)
{
    return proto_lower_bound_u32(n->bans->data, n->bans->len, sizeof(p2p_ban),
                                 G_STRUCT_OFFSET(p2p_ban, id), id);
}

bool p2p_ban_active(p2p_node *n, proto_node_id id)
{
    guint i = ban_lower_bound(n, id);
    if (i == n->bans->len || g_array_index(n->bans, p2p_ban, i).id != id)
        return false;
    if (g_array_index(n->bans, p2p_ban, i).until_ns > p2p_now(n))
        return true;
    g_array_remove_index(n->bans, i); /* served */
    return false;
}

static void ban_add(p2p_node *n, proto_node_id id, int64_t until_ns)
{
    guint i = ban_lower_bound(n, id);
    if (i < n->bans->len && g_array_index(n->bans, p2p_ban, i).id == id) {
        g_array_index(n->bans, p2p_ban, i).until_ns = until_ns;
        return;
    }
    if (n->bans->len >= P2P_BANS_MAX) {
        guint soonest = 0;
        for (guint k = 1; k < n->bans->len; k++)
            if (g_array_index(n->bans, p2p_ban, k).until_ns <
                g_array_index(n->bans, p2p_ban, soonest).until_ns)
                soonest = k;
        g_array_remove_index(n->bans, soonest);
        i = ban_lower_bound(n, id);
    }
    p2p_ban b = {.id = id, .until_ns = until_ns};
    g_array_insert_val(n->bans, i, b);
}

void p2p_score_settle(p2p_node *n, proto_node_id id)
{
    p2p_peer *peer = p2p_peer_find(n, id);
    if (peer == NULL || peer->score > n->p->score_ban)
        return;
    proto_p2p_reason reason = peer->rate_offender ? PROTO_P2P_REASON_RATE : PROTO_P2P_REASON_SCORE;
    ban_add(n, id, p2p_now(n) + n->p->ban_ns);
    n->stats.bans++;
    proto_event ev = {.kind = PROTO_EV_PEER_BANNED, .from = id};
    p2p_emit(n, &ev);
    p2p_peer_disconnect(n, id, reason, P2P_BYE_BANNED);
}
