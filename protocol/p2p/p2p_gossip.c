/* Gossip: broadcast, relay, lazy push (IHAVE / IWANT) and routing to the
 * validators.
 *
 * A gossip message travels as [GOSSIP][scope][message]; its id is the
 * first 16 bytes of the BLAKE2b hash of the message, computed by each
 * receiver. The first copy from a peer is recorded in the seen-cache,
 * handed to the consensus node (as a slice of the received bytes, no
 * copy) and, unless the consensus node rejected its bytes, relayed as the
 * same envelope bytes, never back to the peer it came from. Later copies
 * are counted and dropped; the same peer sending one message twice pays.
 *
 * PROTO_SCOPE_ALL: a message under lazy_bytes_min goes to every peer; a
 * larger one is pushed to ceil(sqrt(peers)) random peers and announced
 * (IHAVE) to the others, and held in the message cache to serve IWANTs.
 * A node that hears an IHAVE for a message it lacks asks the announcer
 * (IWANT) and, if no copy arrives within the IWANT timeout, the next
 * announcer (up to P2P_WANT_ANNOUNCERS_MAX); an announcer that does not
 * deliver pays, and so does a peer asking for a message twice (it is
 * served once).
 *
 * PROTO_SCOPE_VALIDATORS: a validator sends its own messages, and those a
 * full node handed it, to every validator peer; from a validator it
 * relays nothing. A full node hands the message to its two peers nearest
 * to a validator (distance, then RTT, then id); when relaying, only to
 * peers nearer than itself, so the message goes down the distance
 * gradient (two paths for redundancy) instead of spreading. Peers that
 * have not answered pings for a while (silent) are no route, and a full
 * node re-routes what it gave a peer that is lost (p2p_custody.c).
 *
 * A broadcast that no peer can take yet is held (p2p_hold.c).
 *
 * The consensus node's broadcast goes out even if the message was seen
 * before (it may be re-sending after a partition), except while that
 * very message is being handed to it: the relay forwards it anyway. */
#include "protocol/p2p/p2p_internal.h"

#include <string.h>

#include "protocol/core/msgtype.h"
#include "protocol/memo/p2p_id_memo.h"

#define VALIDATOR_ROUTES 2

void p2p_gossip_init(p2p_node *n)
{
    p2p_seen_init(&n->seen, n->p->seen_max, n->p->seen_ttl_ns, p2p_random(n));
    p2p_mcache_init(&n->mcache, P2P_MCACHE_MAX, n->p->mcache_ttl_ns);
    n->wants = g_array_new(FALSE, FALSE, sizeof(p2p_want));
}

void p2p_gossip_clear(p2p_node *n)
{
    p2p_seen_clear(&n->seen);
    p2p_mcache_clear(&n->mcache);
    g_array_unref(n->wants);
}

void p2p_gossip_heartbeat(p2p_node *n)
{
    int64_t now = p2p_now(n);
    p2p_seen_expire(&n->seen, now);
    p2p_mcache_expire(&n->mcache, now);
}

static uint32_t isqrt_ceil(uint32_t x)
{
    uint32_t r = 0;
    while (r * r < x)
        r++;
    return r;
}

/* ---- routing ---- */

static void route_all(p2p_node *n, GBytes *envelope, size_t inner_size, const p2p_id *id,
                      proto_node_id from)
{
    uint32_t count = 0;
    proto_node_id *targets = g_new(proto_node_id, n->peers->len + 1);
    for (guint i = 0; i < n->peers->len; i++) {
        const p2p_peer *p = g_ptr_array_index(n->peers, i);
        if (p->id != from)
            targets[count++] = p->id;
    }
    uint32_t push = count;
    if (inner_size >= n->p->lazy_bytes_min) {
        p2p_mcache_put(&n->mcache, id, envelope, p2p_now(n));
        push = MIN(count, MAX(1u, isqrt_ceil(n->peers->len)));
        for (uint32_t k = 0; k < push; k++) { /* a random `push` to the front */
            uint32_t pick = k + p2p_random_below(n, count - k);
            proto_node_id t = targets[k];
            targets[k] = targets[pick];
            targets[pick] = t;
        }
    }
    for (uint32_t k = 0; k < push; k++)
        p2p_send_raw(n, targets[k], envelope);
    if (push < count) {
        GBytes *ihave = p2p_ids_encode(PROTO_MSG_P2P_IHAVE, id, 1);
        for (uint32_t k = push; k < count; k++)
            p2p_send_raw(n, targets[k], ihave);
        n->stats.ihave_sent += count - push;
        g_bytes_unref(ihave);
    }
    g_free(targets);
}

/* Nearer to a validator first, then lower RTT (unmeasured last), then id. */
static bool nearer(const p2p_peer *a, const p2p_peer *b)
{
    if (a->distance != b->distance)
        return a->distance < b->distance;
    uint64_t ra = a->rtt_ns < 0 ? UINT64_MAX : (uint64_t)a->rtt_ns;
    uint64_t rb = b->rtt_ns < 0 ? UINT64_MAX : (uint64_t)b->rtt_ns;
    if (ra != rb)
        return ra < rb;
    return a->id < b->id;
}

static bool among(proto_node_id id, const proto_node_id *ids, uint32_t count)
{
    for (uint32_t k = 0; k < count; k++)
        if (ids[k] == id)
            return true;
    return false;
}

/* Up to `want` (<= VALIDATOR_ROUTES) peers nearest to a validator, other
 * than `from`, the `skip` ones and silent ones; with `downhill`, only
 * peers nearer than this node. */
static uint32_t pick_routes(const p2p_node *n, proto_node_id from, bool downhill,
                            const proto_node_id *skip, uint32_t skip_count, uint32_t want,
                            const p2p_peer *best[VALIDATOR_ROUTES])
{
    g_assert(want >= 1 && want <= VALIDATOR_ROUTES);
    uint32_t found = 0;
    for (guint i = 0; i < n->peers->len; i++) {
        const p2p_peer *p = g_ptr_array_index(n->peers, i);
        if (p->id == from || p->silent || (downhill && p->distance >= n->distance) ||
            among(p->id, skip, skip_count))
            continue;
        for (uint32_t k = 0; k < want; k++) {
            if (k >= found || nearer(p, best[k])) {
                for (uint32_t j = want - 1; j > k; j--)
                    best[j] = best[j - 1];
                best[k] = p;
                found = MIN(found + 1, want);
                break;
            }
        }
    }
    return found;
}

/* A relay goes down the gradient; whose view of its peers' distances is
 * stale (the mesh is forming or healing) may find no peer downhill: then
 * any peer but the sender will do, rather than the message dying here. */
static uint32_t pick_routes_any(const p2p_node *n, proto_node_id from, const proto_node_id *skip,
                                uint32_t skip_count, uint32_t want,
                                const p2p_peer *best[VALIDATOR_ROUTES])
{
    bool relay = from != n->self && n->distance != P2P_DISTANCE_UNKNOWN;
    uint32_t found = pick_routes(n, from, relay, skip, skip_count, want, best);
    if (found == 0 && relay)
        found = pick_routes(n, from, false, skip, skip_count, want, best);
    return found;
}

proto_node_id p2p_gossip_next_route(const p2p_node *n, proto_node_id from,
                                    const proto_node_id *given, uint32_t given_count)
{
    const p2p_peer *best[VALIDATOR_ROUTES] = {NULL};
    if (pick_routes_any(n, from, given, given_count, 1, best) == 0)
        return PROTO_NODE_NONE;
    return best[0]->id;
}

static void route_validators(p2p_node *n, GBytes *envelope, proto_node_id from)
{
    if (p2p_is_validator(n)) {
        for (guint i = 0; i < n->peers->len; i++) {
            const p2p_peer *p = g_ptr_array_index(n->peers, i);
            if (p->validator_index >= 0 && p->id != from)
                p2p_send_raw(n, p->id, envelope);
        }
        return;
    }
    /* A relay hands it down the gradient, so it reaches a validator in
     * at most `distance` hops and does not spread sideways; it keeps
     * custody of it in case a route is lost. */
    const p2p_peer *best[VALIDATOR_ROUTES] = {NULL};
    uint32_t found = pick_routes_any(n, from, NULL, 0, VALIDATOR_ROUTES, best);
    proto_node_id given[VALIDATOR_ROUTES];
    for (uint32_t k = 0; k < found; k++) {
        given[k] = best[k]->id;
        p2p_send_raw(n, given[k], envelope);
    }
    p2p_custody_keep(n, envelope, from, given, found);
}

/* Send a message on (or our own out) by its scope's rules. */
static void route_now(p2p_node *n, proto_scope scope, GBytes *envelope, const p2p_id *id,
                      proto_node_id from)
{
    size_t inner_size = g_bytes_get_size(envelope) - P2P_GOSSIP_HEADER_SIZE;
    if (scope == PROTO_SCOPE_ALL)
        route_all(n, envelope, inner_size, id, from);
    else
        route_validators(n, envelope, from);
}

/* Route it, or hold it while no peer can take it yet (p2p_hold.c). */
static void route(p2p_node *n, proto_scope scope, GBytes *envelope, const p2p_id *id,
                  proto_node_id from)
{
    if (scope == PROTO_SCOPE_VALIDATORS && p2p_is_validator(n) && from != n->self &&
        p2p_validator_of(n, from) >= 0)
        return; /* the validator that sent it reached the others */
    if (p2p_hold_needed(n, scope, from))
        p2p_hold_push(n, scope, envelope, id, from);
    else
        route_now(n, scope, envelope, id, from);
}

void p2p_gossip_route(p2p_node *n, proto_scope scope, GBytes *envelope, const p2p_id *id,
                      proto_node_id from)
{
    route_now(n, scope, envelope, id, from);
}

void p2p_gossip_broadcast(p2p_node *n, proto_scope scope, GBytes *wire)
{
    g_assert(scope == PROTO_SCOPE_ALL || scope == PROTO_SCOPE_VALIDATORS);
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(wire, &size);
    g_assert(size >= 1 && !p2p_msg_is_p2p_type(data[0]));
    if (n->left)
        return;
    p2p_id id;
    p2p_id_memo_of(n->p->id_memo, wire, 0, &id);
    if (n->delivery.active && n->delivery.gossip && p2p_id_equal(&id, &n->delivery.id))
        return;
    /* What went out or came in moments ago is not sent again: peers would
     * take the repeat for an echo (a heartbeat more than they allow, for
     * the latency between us). Later it goes out again: a node hands on
     * what waited in its pool while it was cut off. */
    int64_t now = p2p_now(n);
    const p2p_seen_entry *seen = p2p_seen_lookup(&n->seen, &id, now);
    if (seen != NULL &&
        now - seen->at_ns < (P2P_ECHO_WINDOW_HEARTBEATS + 1) * n->p->heartbeat_ns)
        return;
    p2p_seen_insert(&n->seen, &id, n->self, now);
    GBytes *envelope = p2p_gossip_encode(scope, wire);
    route(n, scope, envelope, &id, n->self);
    g_bytes_unref(envelope);
}

/* ---- wants (ids asked for with IWANT) ---- */

static guint want_find(const p2p_node *n, const p2p_id *id)
{
    for (guint i = 0; i < n->wants->len; i++)
        if (p2p_id_equal(&g_array_index(n->wants, p2p_want, i).id, id))
            return i;
    return G_MAXUINT;
}

static int64_t iwant_timeout_ns(const p2p_node *n, proto_node_id announcer)
{
    const p2p_peer *p = p2p_peer_find(n, announcer);
    int64_t rtt = p != NULL && p->rtt_ns > 0 ? p->rtt_ns : 0;
    return MAX(n->p->heartbeat_ns, 3 * rtt);
}

static void want_ask(p2p_node *n, p2p_want *w, proto_node_id announcer)
{
    n->env.set_timer(n->env.ctx, iwant_timeout_ns(n, announcer), P2P_TIMER_WANT, w->serial);
}

void p2p_on_ihave(p2p_node *n, p2p_peer *peer, const uint8_t *data, size_t size)
{
    p2p_ids m;
    if (!p2p_ids_decode(PROTO_MSG_P2P_IHAVE, data, size, &m)) {
        n->stats.malformed++;
        p2p_score_penalize(n, peer, P2P_OFFENCE_MALFORMED);
        return;
    }
    int64_t now = p2p_now(n);
    p2p_id ask[P2P_IDS_MAX];
    uint32_t asked = 0;
    for (uint32_t i = 0; i < m.count; i++) {
        p2p_id id;
        p2p_ids_get(&m, i, &id);
        if (p2p_seen_lookup(&n->seen, &id, now) != NULL)
            continue;
        guint w = want_find(n, &id);
        if (w != G_MAXUINT) {
            p2p_want *want = &g_array_index(n->wants, p2p_want, w);
            bool known = false;
            for (uint32_t k = 0; k < want->announcers_count; k++)
                known |= want->announcers[k] == peer->id;
            if (!known && want->announcers_count < P2P_WANT_ANNOUNCERS_MAX)
                want->announcers[want->announcers_count++] = peer->id;
            continue;
        }
        if (n->wants->len >= P2P_WANTS_MAX)
            continue;
        p2p_want fresh = {.id = id, .serial = ++n->want_serial, .announcers_count = 1, .asked = 1};
        fresh.announcers[0] = peer->id;
        g_array_append_val(n->wants, fresh);
        want_ask(n, &fresh, peer->id);
        ask[asked++] = id;
    }
    if (asked > 0) {
        p2p_send_take(n, peer->id, p2p_ids_encode(PROTO_MSG_P2P_IWANT, ask, asked));
        n->stats.iwant_sent += asked;
    }
}

void p2p_gossip_on_want_timer(p2p_node *n, uint64_t serial)
{
    guint i = 0;
    while (i < n->wants->len && g_array_index(n->wants, p2p_want, i).serial != serial)
        i++;
    if (i == n->wants->len)
        return; /* the message came meanwhile */
    p2p_want *w = &g_array_index(n->wants, p2p_want, i);
    proto_node_id promised = w->announcers[w->asked - 1];
    p2p_peer *p = p2p_peer_find(n, promised);
    if (p != NULL)
        p2p_score_penalize(n, p, P2P_OFFENCE_BROKEN_PROMISE);
    while (w->asked < w->announcers_count) {
        proto_node_id next = w->announcers[w->asked++];
        if (p2p_peer_find(n, next) == NULL)
            continue;
        p2p_send_take(n, next, p2p_ids_encode(PROTO_MSG_P2P_IWANT, &w->id, 1));
        n->stats.iwant_sent++;
        want_ask(n, w, next);
        p2p_score_settle(n, promised);
        return;
    }
    g_array_remove_index(n->wants, i);
    p2p_score_settle(n, promised);
}

void p2p_on_iwant(p2p_node *n, p2p_peer *peer, const uint8_t *data, size_t size)
{
    p2p_ids m;
    if (!p2p_ids_decode(PROTO_MSG_P2P_IWANT, data, size, &m)) {
        n->stats.malformed++;
        p2p_score_penalize(n, peer, P2P_OFFENCE_MALFORMED);
        return;
    }
    int64_t now = p2p_now(n);
    bool useless = false;
    for (uint32_t i = 0; i < m.count; i++) {
        p2p_id id;
        p2p_ids_get(&m, i, &id);
        GBytes *held = NULL;
        if (p2p_mcache_serve(&n->mcache, &id, peer->id, now, &held) != P2P_MCACHE_SERVE) {
            useless = true;
            continue;
        }
        p2p_send_raw(n, peer->id, held);
        n->stats.iwant_served++;
    }
    if (useless) /* asked for nothing held, or for the same message again */
        p2p_score_penalize(n, peer, P2P_OFFENCE_USELESS);
}

/* ---- receiving ---- */

void p2p_on_gossip(p2p_node *n, p2p_peer *peer, GBytes *wire)
{
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(wire, &size);
    proto_scope scope;
    if (!p2p_gossip_decode(data, size, &scope)) {
        n->stats.malformed++;
        p2p_score_penalize(n, peer, P2P_OFFENCE_MALFORMED);
        return;
    }
    proto_node_id from = peer->id;
    int64_t now = p2p_now(n);
    p2p_id id;
    p2p_id_memo_of(n->p->id_memo, wire, P2P_GOSSIP_HEADER_SIZE, &id);
    const p2p_seen_entry *seen = p2p_seen_lookup(&n->seen, &id, now);
    if (seen != NULL) {
        n->stats.gossip_duplicate++;
        /* The same message twice from one peer within a few heartbeats is
         * an echo or a replay; much later it is a node handing on again
         * what waited in its pool while it was cut off (PBFT's regossip
         * after a catch-up), which honest validators do. */
        if (seen->from == from &&
            now - seen->at_ns < P2P_ECHO_WINDOW_HEARTBEATS * n->p->heartbeat_ns)
            p2p_score_penalize(n, peer, P2P_OFFENCE_DUPLICATE);
        return;
    }
    p2p_seen_insert(&n->seen, &id, from, now);
    n->stats.gossip_first++;
    guint w = want_find(n, &id);
    if (w != G_MAXUINT)
        g_array_remove_index(n->wants, w);

    GBytes *inner = g_bytes_new_from_bytes(wire, P2P_GOSSIP_HEADER_SIZE,
                                           size - P2P_GOSSIP_HEADER_SIZE);
    bool invalid = p2p_deliver_inner(n, from, inner, &id);
    g_bytes_unref(inner);
    peer = p2p_peer_find(n, from); /* the consensus node's sends cannot drop it; be sure */
    if (invalid) {
        n->stats.gossip_invalid++;
        if (peer != NULL)
            p2p_score_penalize(n, peer, P2P_OFFENCE_INVALID);
        return;
    }
    if (peer != NULL)
        p2p_score_reward_first(n, peer);
    if (!n->left)
        route(n, scope, wire, &id, from);
}
