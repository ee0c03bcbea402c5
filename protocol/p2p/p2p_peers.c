/* The peer table, and the HELLO / GOODBYE handshake that fills and
 * empties it.
 *
 * Peers are kept in an array sorted by node id (found by binary search;
 * every scan goes in id order, so decisions never depend on memory
 * layout). A link is symmetric: each side holds the other as a peer, set
 * up by HELLO and answered by HELLO (flag ACK), or refused, pruned or
 * ended by GOODBYE.
 *
 * HELLO from a node that is not a peer: if we dialed it (our HELLO in
 * flight, or both sides dialed at once) the link is up; otherwise we
 * accept it while we have room (a validator always has room for another
 * validator) and answer HELLO, or refuse with GOODBYE(FULL) naming other
 * nodes to try. HELLO (not ACK) from a peer means it restarted and lost
 * the link: we answer again and keep it. */
#include "protocol/p2p/p2p_internal.h"

#include "protocol/core/msgtype.h"

/* Backoff after a GOODBYE(PRUNE): gossipsub's PruneBackoff, 1 minute. */
#define PRUNE_BACKOFF_BEATS 60

static guint lower_bound(const p2p_node *n, proto_node_id id)
{
    guint lo = 0, hi = n->peers->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        const p2p_peer *p = g_ptr_array_index(n->peers, mid);
        if (p->id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

p2p_peer *p2p_peer_find(const p2p_node *n, proto_node_id id)
{
    guint i = lower_bound(n, id);
    if (i == n->peers->len)
        return NULL;
    p2p_peer *p = g_ptr_array_index(n->peers, i);
    return p->id == id ? p : NULL;
}

uint32_t p2p_peers_degree(const p2p_node *n)
{
    uint32_t count = 0;
    for (guint i = 0; i < n->peers->len; i++)
        count += !((const p2p_peer *)g_ptr_array_index(n->peers, i))->clique;
    return count;
}

static uint8_t hint_of(const p2p_node *n, proto_node_id id)
{
    return p2p_validator_of(n, id) >= 0 ? 0 : P2P_HINT_UNKNOWN;
}

p2p_peer *p2p_peer_connect(p2p_node *n, proto_node_id id)
{
    g_assert(p2p_peer_find(n, id) == NULL && id != n->self);
    int64_t now = p2p_now(n);
    p2p_peer *peer = g_new0(p2p_peer, 1);
    peer->id = id;
    peer->validator_index = p2p_validator_of(n, id);
    peer->clique = p2p_is_validator(n) && peer->validator_index >= 0;
    peer->connected_ns = now;
    peer->pong_ns = now;
    peer->rtt_ns = -1;
    peer->distance = peer->validator_index >= 0 ? 0 : P2P_DISTANCE_UNKNOWN;
    p2p_bucket_init(&peer->msgs, n->p->msgs_per_s_max, now);
    p2p_bucket_init(&peer->bytes, n->p->bytes_per_s_max, now);
    g_ptr_array_insert(n->peers, (gint)lower_bound(n, id), peer);
    p2p_parting_forget(n, id);
    n->peers_changed = true;
    n->stats.connects++;

    p2p_addr *addr = p2p_addrbook_add(&n->book, id, hint_of(n, id), (uint32_t)p2p_random(n));
    if (addr != NULL) {
        addr->failures = 0;
        addr->retry_ns = 0;
    }
    if (peer->clique)
        n->clique_failures[p2p_clique_slot(n, id)] = 0;
    p2p_dial_end(n, id);
    p2p_health_update_distance(n);

    proto_event ev = {.kind = PROTO_EV_PEER_CONNECTED, .from = id, .amount = n->peers->len};
    p2p_emit(n, &ev);
    p2p_outbox_flush(n, id);
    p2p_health_ping(n, peer); /* RTT, distance and contact at once */
    return peer;
}

void p2p_peer_disconnect(p2p_node *n, proto_node_id id, proto_p2p_reason reason, uint8_t bye)
{
    guint i = lower_bound(n, id);
    if (i == n->peers->len)
        return;
    p2p_peer *peer = g_ptr_array_index(n->peers, i);
    if (peer->id != id)
        return;
    if (bye != 0) {
        p2p_goodbye m = {.code = bye};
        /* Peer exchange when the link ends through no fault of the peer. */
        if (bye == P2P_BYE_PRUNE || bye == P2P_BYE_LEAVING)
            p2p_mesh_addresses(n, id, &m.addrs);
        p2p_send_take(n, id, p2p_goodbye_encode(&m));
    }
    p2p_addr *addr = p2p_addrbook_find(&n->book, id);
    if (addr != NULL) { /* remembered for ranking it as a candidate again */
        if (peer->rtt_ns >= 0)
            addr->rtt_ns = peer->rtt_ns;
        if (peer->distance < P2P_HINT_UNKNOWN)
            addr->hint = (uint8_t)peer->distance;
    }
    /* A peer we pruned is alive and passed on what we gave it; one that
     * left, stopped answering or was banned may not have. */
    bool lost = !peer->silent && reason != PROTO_P2P_REASON_PRUNE &&
                reason != PROTO_P2P_REASON_LEAVING;
    if (reason == PROTO_P2P_REASON_PRUNE || reason == PROTO_P2P_REASON_GOODBYE)
        p2p_parting_add(n, g_ptr_array_steal_index(n->peers, i)); /* heard out */
    else
        g_ptr_array_remove_index(n->peers, i); /* frees peer */
    n->peers_changed = true;
    n->stats.disconnects++;
    p2p_health_update_distance(n);
    if (lost)
        p2p_custody_peer_lost(n, id);
    proto_event ev = {.kind = PROTO_EV_PEER_DISCONNECTED,
                      .from = id,
                      .amount = n->peers->len,
                      .p2p_reason = reason};
    p2p_emit(n, &ev);
}

static bool has_room_for(const p2p_node *n, proto_node_id id)
{
    if (p2p_is_validator(n) && p2p_validator_of(n, id) >= 0)
        return true;
    return p2p_peers_degree(n) < n->p->degree_high;
}

void p2p_on_hello(p2p_node *n, proto_node_id from, const uint8_t *data, size_t size)
{
    bool ack = false;
    p2p_peer *peer = p2p_peer_find(n, from);
    if (!p2p_hello_decode(data, size, &ack)) {
        n->stats.malformed++;
        if (peer != NULL)
            p2p_score_penalize(n, peer, P2P_OFFENCE_MALFORMED);
        return;
    }
    if (peer != NULL) {
        if (!ack) { /* it restarted: the link is new to it */
            peer->pong_ns = p2p_now(n);
            p2p_send_take(n, from, p2p_hello_encode(true));
        }
        return;
    }
    p2p_addrbook_add(&n->book, from, hint_of(n, from), (uint32_t)p2p_random(n));
    if (p2p_dial_find(n, from) == NULL && !has_room_for(n, from)) {
        p2p_goodbye m = {.code = P2P_BYE_FULL};
        p2p_mesh_addresses(n, from, &m.addrs);
        p2p_send_take(n, from, p2p_goodbye_encode(&m));
        return;
    }
    /* Every HELLO that is not itself an answer gets one, even while our
     * own dial is in flight: that dial may have gone out while the other
     * node was down and been lost (a restart would then wait a dial
     * timeout); when both dialed at once each answers, harmlessly. */
    bool answer = !ack;
    p2p_peer_connect(n, from);
    if (answer)
        p2p_send_take(n, from, p2p_hello_encode(true));
}

void p2p_on_goodbye(p2p_node *n, proto_node_id from, const uint8_t *data, size_t size)
{
    p2p_goodbye m;
    p2p_peer *peer = p2p_peer_find(n, from);
    if (!p2p_goodbye_decode(data, size, &m)) {
        n->stats.malformed++;
        if (peer != NULL)
            p2p_score_penalize(n, peer, P2P_OFFENCE_MALFORMED);
        return;
    }
    /* What it names is one hop further from a validator than it is. */
    uint32_t via = peer != NULL                        ? peer->distance
                   : p2p_validator_of(n, from) >= 0 ? 0
                                                     : P2P_DISTANCE_UNKNOWN;
    if (peer != NULL) {
        p2p_peer_disconnect(n, from, PROTO_P2P_REASON_GOODBYE, 0);
    } else {
        g_assert(p2p_dial_find(n, from) != NULL);
        p2p_dial_end(n, from);
        p2p_outbox_drop(n, from);
        p2p_early_drop(n, from);
    }
    switch ((p2p_bye_code)m.code) {
    case P2P_BYE_LEAVING:
        p2p_addrbook_remove(&n->book, from);
        break;
    case P2P_BYE_PRUNE:
        p2p_mesh_dial_failed(n, from, PRUNE_BACKOFF_BEATS * n->p->heartbeat_ns);
        break;
    case P2P_BYE_BANNED:
        p2p_mesh_dial_failed(n, from, n->p->ban_ns);
        break;
    case P2P_BYE_FULL:
    case P2P_BYE_UNRESPONSIVE:
        p2p_mesh_dial_failed(n, from, 0);
        break;
    }
    p2p_mesh_learn(n, via, &m.addrs);
}
