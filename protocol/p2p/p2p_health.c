/* Health: pings, round-trip times, validator distance, the validator
 * heartbeat vector and partition detection.
 *
 * Every heartbeat a node pings each peer. A pong names the ping it
 * answers (seq; the last P2P_PINGS_TRACKED pings' send times are kept),
 * so the RTT is measured against our own clock, never the peer's word;
 * it is smoothed as rtt = (7 rtt + sample) / 8 in integer ns. A peer with
 * no pong for ping_timeout_ns is dropped (GOODBYE(UNRESPONSIVE), in case
 * only its answers are lost); one silent for P2P_SILENT_HEARTBEATS is no
 * route for gossip towards the validators until it answers again. Pongs for pings never sent cost score;
 * late or duplicated ones are ignored.
 *
 * Pings and pongs carry the sender's hop distance to the nearest
 * validator (a node's own is 1 + the least its peers report, 0 at a
 * validator, "unknown" past P2P_DISTANCE_MAX so a lost validator does not
 * count to infinity) and its heartbeat vector: for each validator, the
 * highest counter the sender has heard. A validator's own counter is its
 * heartbeat number since time 0 (now / heartbeat_ns + 1), so it only
 * grows, also across restarts, and a counter more than two heartbeats
 * ahead of that is impossible and ignored (a peer cannot freeze another
 * validator's counter by claiming a huge one).
 *
 * A validator is in contact while the freshest counter heard from it is
 * at most contact_timeout_ns old: counters are time-based, so a node
 * reads a counter's age from its value (the node's clock against the
 * validator's heartbeat number), not from when the counter reached it. A
 * node that only now meets a neighbour with fresher but pre-partition
 * counters does not mistake them for live contact. Counters travel one
 * hop per ping, pipelined, so at d hops a counter is about d heartbeats
 * old; the timeout only has to outlast the mesh's depth plus a lost link
 * and its replacement (see p2p.c). This takes clocks that agree to within
 * a heartbeat or so, which the simulator's do exactly. Once a node has
 * heard validators with 2/3 of the stake, it reports
 * PARTITION_SUSPECTED when it hears less than 2/3 and PARTITION_HEALED
 * when it hears 2/3 again. A node that never reached 2/3 reports
 * nothing: it cannot lose a contact it never had. */
#include "protocol/p2p/p2p_internal.h"

#include "protocol/core/msgtype.h"

static uint64_t stake_of(const p2p_node *n, uint32_t v)
{
    return n->p->stakes != NULL ? n->p->stakes[v] : 1;
}

void p2p_health_init(p2p_node *n)
{
    uint32_t count = n->p->validators_count;
    n->beats = g_new0(uint32_t, MAX(count, 1u));
    n->stake_total = 0;
    for (uint32_t v = 0; v < count; v++) {
        g_assert(stake_of(n, v) > 0 && stake_of(n, v) <= UINT64_MAX / 3 - n->stake_total);
        n->stake_total += stake_of(n, v);
    }
    n->distance = p2p_is_validator(n) ? 0 : P2P_DISTANCE_UNKNOWN;
}

void p2p_health_clear(p2p_node *n)
{
    g_free(n->beats);
}

static uint32_t beat_counter(const p2p_node *n, int64_t now)
{
    return (uint32_t)(now / n->p->heartbeat_ns) + 1;
}

uint64_t p2p_health_stake_in_contact(const p2p_node *n, int64_t now_ns)
{
    uint64_t seen = 0;
    int64_t current = beat_counter(n, now_ns);
    for (uint32_t v = 0; v < n->p->validators_count; v++) {
        int64_t age_beats = current - (int64_t)n->beats[v];
        if (n->beats[v] > 0 && age_beats * n->p->heartbeat_ns <= n->p->contact_timeout_ns)
            seen += stake_of(n, v);
    }
    return seen;
}

void p2p_health_update_distance(p2p_node *n)
{
    if (p2p_is_validator(n))
        return;
    uint32_t best = P2P_DISTANCE_UNKNOWN;
    for (guint i = 0; i < n->peers->len; i++) {
        const p2p_peer *p = g_ptr_array_index(n->peers, i);
        best = MIN(best, p->distance);
    }
    n->distance = best < P2P_DISTANCE_MAX ? best + 1 : P2P_DISTANCE_UNKNOWN;
}

static void send_ping(p2p_node *n, proto_node_id to, uint8_t type, uint64_t seq, int64_t sent_ns)
{
    p2p_ping m = {.seq = seq,
                  .sent_ns = sent_ns,
                  .distance = n->distance,
                  .beats_count = n->p->validators_count};
    p2p_send_take(n, to, p2p_ping_encode(type, &m, n->beats));
}

void p2p_health_ping(p2p_node *n, p2p_peer *peer)
{
    int64_t now = p2p_now(n);
    uint64_t seq = ++peer->ping_seq;
    peer->ping_sent_ns[seq % P2P_PINGS_TRACKED] = now;
    send_ping(n, peer->id, PROTO_MSG_P2P_PING, seq, now);
}

/* Decode a PING or PONG and take in the sender's distance and counters;
 * false (and the sender pays) if it is malformed. */
static bool absorb(p2p_node *n, p2p_peer *peer, uint8_t type, const uint8_t *data, size_t size,
                   p2p_ping *m)
{
    if (!p2p_ping_decode(type, data, size, m) || m->beats_count != n->p->validators_count) {
        n->stats.malformed++;
        p2p_score_penalize(n, peer, P2P_OFFENCE_MALFORMED);
        return false;
    }
    int64_t now = p2p_now(n);
    uint32_t ceiling = beat_counter(n, now) + 2;
    for (uint32_t v = 0; v < m->beats_count; v++) {
        uint32_t b = p2p_ping_beat(m, v);
        if (b > n->beats[v] && b <= ceiling)
            n->beats[v] = b;
    }
    if (peer->validator_index < 0) {
        peer->distance = m->distance;
        p2p_health_update_distance(n);
    }
    return true;
}

void p2p_on_ping(p2p_node *n, p2p_peer *peer, const uint8_t *data, size_t size)
{
    p2p_ping m;
    if (absorb(n, peer, PROTO_MSG_P2P_PING, data, size, &m))
        send_ping(n, peer->id, PROTO_MSG_P2P_PONG, m.seq, m.sent_ns);
}

void p2p_on_pong(p2p_node *n, p2p_peer *peer, const uint8_t *data, size_t size)
{
    p2p_ping m;
    if (!absorb(n, peer, PROTO_MSG_P2P_PONG, data, size, &m))
        return;
    if (m.seq == 0 || m.seq > peer->ping_seq ||
        (peer->ping_seq - m.seq < P2P_PINGS_TRACKED &&
         m.sent_ns != peer->ping_sent_ns[m.seq % P2P_PINGS_TRACKED])) {
        p2p_score_penalize(n, peer, P2P_OFFENCE_USELESS); /* a ping we never sent */
        return;
    }
    if (m.seq <= peer->pong_seq || peer->ping_seq - m.seq >= P2P_PINGS_TRACKED)
        return; /* a duplicate, or too late to time */
    int64_t now = p2p_now(n);
    int64_t sample = now - m.sent_ns;
    peer->pong_seq = m.seq;
    peer->pong_ns = now;
    peer->silent = false;
    peer->rtt_ns = peer->rtt_ns < 0 ? sample : (7 * peer->rtt_ns + sample) / 8;
}

static void drop_unresponsive(p2p_node *n, int64_t now)
{
    for (guint i = n->peers->len; i-- > 0;) {
        const p2p_peer *p = g_ptr_array_index(n->peers, i);
        if (now - p->pong_ns <= n->p->ping_timeout_ns)
            continue;
        proto_node_id id = p->id;
        p2p_peer_disconnect(n, id, PROTO_P2P_REASON_UNRESPONSIVE, P2P_BYE_UNRESPONSIVE);
        p2p_mesh_dial_failed(n, id, 0);
    }
}

/* A peer that stopped answering is no route from now on, and what went
 * to it lately goes elsewhere (p2p_custody.c), long before the ping
 * timeout drops it. All are marked first, so nothing is re-routed to a
 * peer that falls silent in the same heartbeat. */
static void mark_silent(p2p_node *n, int64_t now)
{
    proto_node_id lost[64];
    uint32_t lost_count = 0;
    for (guint i = 0; i < n->peers->len; i++) {
        p2p_peer *p = g_ptr_array_index(n->peers, i);
        if (p->silent || now - p->pong_ns <= P2P_SILENT_HEARTBEATS * n->p->heartbeat_ns)
            continue;
        if (lost_count == G_N_ELEMENTS(lost))
            break; /* the rest next heartbeat */
        p->silent = true;
        lost[lost_count++] = p->id;
    }
    /* Re-routing sends only gossip, which cannot drop a peer. */
    for (uint32_t k = 0; k < lost_count; k++)
        p2p_custody_peer_lost(n, lost[k]);
}

static void contact_check(p2p_node *n, int64_t now)
{
    if (n->stake_total == 0)
        return;
    n->stake_seen = p2p_health_stake_in_contact(n, now);
    bool enough = n->stake_seen * 3 >= n->stake_total * 2;
    if (enough)
        n->contact_reached = true;
    if (!n->contact_reached || enough == !n->partitioned)
        return;
    n->partitioned = !enough;
    proto_event ev = {.kind = enough ? PROTO_EV_PARTITION_HEALED : PROTO_EV_PARTITION_SUSPECTED,
                      .from = n->self,
                      .stake_seen = n->stake_seen,
                      .stake_total = n->stake_total};
    p2p_emit(n, &ev);
}

void p2p_health_heartbeat(p2p_node *n)
{
    int64_t now = p2p_now(n);
    if (p2p_is_validator(n)) {
        uint32_t own = beat_counter(n, now);
        if (own > n->beats[n->validator_index])
            n->beats[n->validator_index] = own;
    }
    drop_unresponsive(n, now);
    mark_silent(n, now);
    for (guint i = 0; i < n->peers->len; i++)
        p2p_health_ping(n, g_ptr_array_index(n->peers, i));
    contact_check(n, now);
}
