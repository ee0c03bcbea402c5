/* Mesh upkeep: the degree, pruning, peer exchange, the validator clique
 * and the peers remembered in the store.
 *
 * Every heartbeat:
 *   - a validator dials each validator it has no link to (backing off
 *     exponentially, at most CLIQUE_BACKOFF_BEATS_MAX heartbeats, so a
 *     healed partition reconnects the clique within seconds);
 *   - a node with fewer than degree_low peers (validator links at a
 *     validator not counted) dials the best candidates of its address
 *     book up to `degree`; one with fewer than `degree` asks a peer for
 *     addresses (GET_PEERS);
 *   - a full node that suspects a partition retries one address whose
 *     dial failed each heartbeat (within its backoff) whatever its degree,
 *     so a group of full nodes cut off from every validator link finds its
 *     way back after the heal (the extra links are pruned afterwards),
 *     without churning links on its own side meanwhile;
 *   - a full node with more than `degree` peers prunes back to `degree`
 *     (a validator only above degree_high: its full-node links are the
 *     mesh's scarcest, wanted by every full node, and pruning them would
 *     only make room for the next full node to dial in, a churn that
 *     never settles on a large network; full nodes it refuses try the
 *     neighbours it names instead); among the
 *     peers it may prune (not validator links, not peers younger than
 *     PRUNE_GRACE_BEATS, which have no RTT yet) a random quarter of
 *     `degree` is kept for diversity and the rest go highest RTT first,
 *     with GOODBYE(PRUNE) naming other nodes to try;
 *   - the peer set, when it changed, is saved under "p2p/peers" so a
 *     restarted node dials its old peers.
 * A dial that fails (no answer, or refused) backs the address off for
 * heartbeat x 2^failures, at most 64 heartbeats. */
#include "protocol/p2p/p2p_internal.h"

#include <string.h>

#include "protocol/core/msgtype.h"

#define STORE_KEY_PEERS "p2p/peers"
#define CLIQUE_BACKOFF_BEATS_MAX 8
#define DIAL_BACKOFF_SHIFT_MAX 6
#define PRUNE_GRACE_BEATS 2

static int64_t backoff_ns(const p2p_node *n, uint32_t failures, uint32_t beats_max)
{
    uint32_t shift = MIN(failures, (uint32_t)DIAL_BACKOFF_SHIFT_MAX);
    return (int64_t)MIN(1u << shift, beats_max) * n->p->heartbeat_ns;
}

void p2p_mesh_dial_failed(p2p_node *n, proto_node_id id, int64_t at_least_ns)
{
    int64_t now = p2p_now(n);
    int32_t v = p2p_clique_slot(n, id);
    if (p2p_is_validator(n) && v >= 0) {
        uint8_t *f = &n->clique_failures[v];
        *f = (uint8_t)MIN(*f + 1, UINT8_MAX);
        int64_t wait = MAX(backoff_ns(n, *f, CLIQUE_BACKOFF_BEATS_MAX), at_least_ns);
        n->clique_retry_ns[v] = now + wait;
        return;
    }
    p2p_addr *a = p2p_addrbook_find(&n->book, id);
    if (a == NULL)
        return;
    a->failures = (uint8_t)MIN(a->failures + 1, UINT8_MAX);
    a->retry_ns = now + MAX(backoff_ns(n, a->failures, 1u << DIAL_BACKOFF_SHIFT_MAX), at_least_ns);
}

void p2p_mesh_learn(p2p_node *n, uint32_t via_distance, const p2p_addrs *addrs)
{
    uint8_t hint = via_distance < P2P_DISTANCE_MAX ? (uint8_t)(via_distance + 1) : P2P_HINT_UNKNOWN;
    for (uint32_t i = 0; i < addrs->count; i++) {
        proto_node_id id = addrs->ids[i];
        if (id == n->self || id >= n->p->nodes_count)
            continue;
        uint8_t h = p2p_validator_of(n, id) >= 0 ? 0 : hint;
        p2p_addrbook_add(&n->book, id, h, (uint32_t)p2p_random(n));
    }
}

static bool addrs_has(const p2p_addrs *a, proto_node_id id)
{
    for (uint32_t i = 0; i < a->count; i++)
        if (a->ids[i] == id)
            return true;
    return false;
}

/* Up to half from our peers (live nodes), the rest from the book (which
 * holds, among others, the nodes that recently said HELLO: newcomers with
 * room), both from a random starting point so different askers hear
 * different nodes. A full node is not told of validators: their few
 * full-node slots go to whoever comes first, and on a large network
 * every validator's name handed out is a refusal to come. */
void p2p_mesh_addresses(p2p_node *n, proto_node_id to, p2p_addrs *out)
{
    bool validators_too = p2p_validator_of(n, to) >= 0;
    out->count = 0;
    uint32_t peers = n->peers->len;
    uint32_t start = peers > 0 ? p2p_random_below(n, peers) : 0;
    for (uint32_t k = 0; k < peers && out->count < P2P_ADDRS_MAX / 2; k++) {
        const p2p_peer *p = g_ptr_array_index(n->peers, (start + k) % peers);
        if (p->id != to && (validators_too || p->validator_index < 0))
            out->ids[out->count++] = p->id;
    }
    uint32_t book = n->book.count;
    start = book > 0 ? p2p_random_below(n, book) : 0;
    for (uint32_t k = 0; k < book && out->count < P2P_ADDRS_MAX; k++) {
        const p2p_addr *a = &n->book.addrs[(start + k) % book];
        if (a->id != to && a->failures == 0 && !addrs_has(out, a->id) &&
            (validators_too || p2p_validator_of(n, a->id) < 0))
            out->ids[out->count++] = a->id;
    }
}

static bool candidate(p2p_node *n, const p2p_addr *a, int64_t now)
{
    if (a->id == n->self || a->retry_ns > now || p2p_peer_find(n, a->id) != NULL ||
        p2p_dial_find(n, a->id) != NULL || p2p_ban_active(n, a->id))
        return false;
    /* At a validator, validators are the clique's business. */
    return !(p2p_is_validator(n) && p2p_validator_of(n, a->id) >= 0);
}

/* Dial the `want` best-ranked candidates (want <= degree); only ones
 * whose last dial failed if `failed_only`. */
static void dial_best(p2p_node *n, uint32_t want, bool failed_only)
{
    if (want == 0)
        return;
    int64_t now = p2p_now(n);
    p2p_addr *best = g_new(p2p_addr, want);
    uint32_t count = 0;
    for (uint32_t i = 0; i < n->book.count; i++) {
        const p2p_addr *a = &n->book.addrs[i];
        if (!candidate(n, a, now) || (failed_only && a->failures == 0))
            continue;
        /* Insertion into the sorted shortlist. */
        uint32_t at = count;
        while (at > 0 && p2p_addr_rank_compare(a, &best[at - 1]) < 0)
            at--;
        if (at >= want)
            continue;
        uint32_t tail = MIN(count, want - 1) - at;
        memmove(&best[at + 1], &best[at], tail * sizeof(p2p_addr));
        best[at] = *a;
        count = MIN(count + 1, want);
    }
    for (uint32_t i = 0; i < count; i++)
        p2p_dial_start(n, best[i].id, P2P_DIAL_MESH);
    g_free(best);
}

static void clique_upkeep(p2p_node *n)
{
    int64_t now = p2p_now(n);
    for (uint32_t v = 0; v < p2p_clique_slots(n); v++) {
        proto_node_id id = p2p_clique_slot_node(n, v);
        if (id == n->self || n->clique_retry_ns[v] > now || p2p_peer_find(n, id) != NULL ||
            p2p_ban_active(n, id))
            continue;
        p2p_dial_start(n, id, P2P_DIAL_CLIQUE);
    }
}

static int peer_rtt_desc(gconstpointer a, gconstpointer b)
{
    const p2p_peer *pa = *(p2p_peer *const *)a, *pb = *(p2p_peer *const *)b;
    /* Unmeasured counts as the slowest. */
    uint64_t ra = pa->rtt_ns < 0 ? UINT64_MAX : (uint64_t)pa->rtt_ns;
    uint64_t rb = pb->rtt_ns < 0 ? UINT64_MAX : (uint64_t)pb->rtt_ns;
    if (ra != rb)
        return ra < rb ? 1 : -1;
    return (pa->id > pb->id) - (pa->id < pb->id);
}

static void prune(p2p_node *n, uint32_t excess)
{
    int64_t grace_ns = PRUNE_GRACE_BEATS * n->p->heartbeat_ns;
    int64_t now = p2p_now(n);
    GPtrArray *cands = g_ptr_array_new();
    for (guint i = 0; i < n->peers->len; i++) {
        p2p_peer *p = g_ptr_array_index(n->peers, i);
        if (p->validator_index < 0 && now - p->connected_ns >= grace_ns)
            g_ptr_array_add(cands, p);
    }
    /* Keep a random quarter of the degree: swap them to the end. */
    uint32_t keep = MIN(n->p->degree / 4, cands->len);
    for (uint32_t k = 0; k < keep; k++) {
        guint last = cands->len - 1 - k;
        guint pick = p2p_random_below(n, last + 1);
        gpointer t = cands->pdata[pick];
        cands->pdata[pick] = cands->pdata[last];
        cands->pdata[last] = t;
    }
    g_ptr_array_set_size(cands, cands->len - keep);
    g_ptr_array_sort(cands, peer_rtt_desc);
    uint32_t drop = MIN(excess, cands->len);
    proto_node_id *ids = g_new(proto_node_id, drop + 1);
    for (uint32_t k = 0; k < drop; k++)
        ids[k] = ((p2p_peer *)cands->pdata[k])->id;
    g_ptr_array_unref(cands);
    for (uint32_t k = 0; k < drop; k++)
        p2p_peer_disconnect(n, ids[k], PROTO_P2P_REASON_PRUNE, P2P_BYE_PRUNE);
    g_free(ids);
}

static void ask_addresses(p2p_node *n)
{
    if (n->peers->len == 0)
        return;
    p2p_peer *p = g_ptr_array_index(n->peers, p2p_random_below(n, n->peers->len));
    if (p->peers_asked)
        return;
    p->peers_asked = true;
    p2p_send_take(n, p->id, p2p_get_peers_encode());
}

void p2p_mesh_save(p2p_node *n)
{
    if (!n->peers_changed)
        return;
    n->peers_changed = false;
    p2p_addrs a = {0};
    for (guint i = 0; i < n->peers->len && a.count < P2P_ADDRS_MAX; i++)
        a.ids[a.count++] = ((const p2p_peer *)g_ptr_array_index(n->peers, i))->id;
    GBytes *v = p2p_peers_encode(&a);
    n->env.store_put(n->env.ctx, STORE_KEY_PEERS, v);
    g_bytes_unref(v);
}

void p2p_mesh_heartbeat(p2p_node *n)
{
    if (p2p_is_validator(n))
        clique_upkeep(n);
    uint32_t degree = p2p_peers_degree(n);
    if (degree < n->p->degree_low) {
        uint32_t pending = p2p_dials_count(n, P2P_DIAL_MESH);
        if (degree + pending < n->p->degree)
            dial_best(n, n->p->degree - degree - pending, false);
    } else if (n->partitioned && !p2p_is_validator(n)) {
        dial_best(n, 1, true); /* retry a way across, over the degree if need be */
    }
    if (degree < n->p->degree)
        ask_addresses(n);
    uint32_t keep = p2p_is_validator(n) ? n->p->degree_high : n->p->degree;
    if (degree > keep)
        prune(n, degree - keep);
    p2p_mesh_save(n);
}

void p2p_mesh_start(p2p_node *n)
{
    GBytes *stored = n->env.store_get(n->env.ctx, STORE_KEY_PEERS);
    if (stored != NULL) {
        gsize size = 0;
        const uint8_t *data = g_bytes_get_data(stored, &size);
        p2p_addrs a;
        if (p2p_peers_decode(data, size, &a))
            p2p_mesh_learn(n, P2P_DISTANCE_UNKNOWN, &a);
        g_bytes_unref(stored);
    }
    for (uint32_t i = 0; i < n->p->bootstrap_count; i++) {
        proto_node_id id = n->p->bootstrap[i];
        if (id != n->self && id < n->p->nodes_count)
            p2p_addrbook_add(&n->book, id, p2p_validator_of(n, id) >= 0 ? 0 : P2P_HINT_UNKNOWN,
                             (uint32_t)p2p_random(n));
    }
    /* Everything known so far (bootstrap and remembered peers) is dialed. */
    int64_t now = p2p_now(n);
    for (uint32_t i = 0; i < n->book.count; i++)
        if (candidate(n, &n->book.addrs[i], now))
            p2p_dial_start(n, n->book.addrs[i].id, P2P_DIAL_MESH);
    if (p2p_is_validator(n))
        clique_upkeep(n);
    /* Unicasts sent before start: a failed dial removes every message for
     * its target, all at or after position i (earlier ones share a dial). */
    for (guint i = 0; i < n->outbox->len;) {
        proto_node_id to = g_array_index(n->outbox, p2p_outmsg, i).to;
        if (p2p_dial_start(n, to, P2P_DIAL_UNICAST))
            i++;
        else
            p2p_outbox_drop(n, to);
    }
}

void p2p_on_get_peers(p2p_node *n, p2p_peer *peer, const uint8_t *data, size_t size)
{
    if (!p2p_get_peers_decode(data, size)) {
        n->stats.malformed++;
        p2p_score_penalize(n, peer, P2P_OFFENCE_MALFORMED);
        return;
    }
    if (peer->get_peers_beat == n->beat + 1) { /* once per heartbeat is plenty */
        p2p_score_penalize(n, peer, P2P_OFFENCE_USELESS);
        return;
    }
    peer->get_peers_beat = n->beat + 1;
    p2p_addrs a;
    p2p_mesh_addresses(n, peer->id, &a);
    p2p_send_take(n, peer->id, p2p_peers_encode(&a));
}

void p2p_on_peers(p2p_node *n, p2p_peer *peer, const uint8_t *data, size_t size)
{
    p2p_addrs a;
    if (!p2p_peers_decode(data, size, &a)) {
        n->stats.malformed++;
        p2p_score_penalize(n, peer, P2P_OFFENCE_MALFORMED);
        return;
    }
    if (!peer->peers_asked) {
        p2p_score_penalize(n, peer, P2P_OFFENCE_USELESS);
        return;
    }
    peer->peers_asked = false;
    p2p_mesh_learn(n, peer->distance, &a);
}
