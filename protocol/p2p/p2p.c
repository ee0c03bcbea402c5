/* The mesh's default tunables, and read-only views of a p2p node.
 *
 * Defaults follow gossipsub v1.0/v1.1 where it has a figure (the libp2p
 * gossipsub specification's parameters) and are otherwise set
 * against the simulator's workloads:
 *
 *   degree_low, degree_high = 2/3 and 2x degree: gossipsub's D_low = 4,
 *       D_high = 12 for D = 6, rounded to what a small degree allows.
 *   heartbeat_ns = 1 s: gossipsub's heartbeat_interval.
 *   ping_timeout_ns = 5 s: five missed heartbeats; a peer behind a
 *       degraded link (the scenarios go up to 400 ms one way, lossy)
 *       answers well within it, and a crashed peer is gone within 6 s.
 *   contact_timeout_ns = 10 s: a validator's counter travels one hop per
 *       ping, pipelined, so d hops away it is about d heartbeats old (5 on
 *       a mesh of diameter 5); on top of that the timeout must outlast a
 *       lost link and its replacement on the way (a detour of a hop or
 *       two, or up to a ping timeout before a dead link is replaced while
 *       another path carries the counters). Ten heartbeats keeps such a
 *       mesh quiet and still reports a partition within about 10 s.
 *   ban_ns = 60 s: gossipsub's PruneBackoff and a typical libp2p ban.
 *   score_ban = -1000: the weights in p2p_score.c are set against it.
 *   msgs_per_s_max = 5000, bytes_per_s_max = 64 MiB/s: an honest
 *       validator relaying 1000 tx/s (a few hundred bytes each) plus votes,
 *       pings and blocks of a few MiB fits on one link with room to spare;
 *       a 10000 msgs/s flood exhausts the one-second burst in about a
 *       second and is banned within about a second after that (each
 *       message over budget costs 1 point).
 *   lazy_bytes_min = 4096: transactions and votes (a few hundred bytes)
 *       are pushed to every peer; blocks go lazily, where an IHAVE of 19
 *       bytes saves a copy.
 *   seen_max = 65536, seen_ttl_ns = 120 s: gossipsub's seen_ttl; at
 *       1000 tx/s the cap holds about a minute, far more than duplicates
 *       take to arrive, in at most about 2.6 MiB per node.
 *   mcache_ttl_ns = 10 s: IWANTs follow IHAVEs within a round trip; ten
 *       seconds covers a slow link and a second announcer.
 *   addrs_max = 256: enough candidates to refill the degree many times
 *       over, 8 KiB per node. */
#include "protocol/p2p/p2p_internal.h"

#define SEC_NS 1000000000LL

void p2p_params_defaults(p2p_params *p, uint32_t degree)
{
    g_assert(degree >= 1);
    p->degree = degree;
    p->degree_low = MAX(1u, degree * 2 / 3);
    p->degree_high = 2 * degree;
    p->heartbeat_ns = 1 * SEC_NS;
    p->ping_timeout_ns = 5 * SEC_NS;
    p->contact_timeout_ns = 10 * SEC_NS;
    p->ban_ns = 60 * SEC_NS;
    p->score_ban = -1000;
    p->msgs_per_s_max = 5000;
    p->bytes_per_s_max = 64ULL * 1024 * 1024;
    p->lazy_bytes_min = 4096;
    p->seen_max = 65536;
    p->seen_ttl_ns = 120 * SEC_NS;
    p->mcache_ttl_ns = 10 * SEC_NS;
    p->addrs_max = 256;
}

void *p2p_node_inner(const p2p_node *n)
{
    return n->inner;
}

const p2p_stats *p2p_node_stats(const p2p_node *n)
{
    return &n->stats;
}

uint32_t p2p_node_peers(const p2p_node *n, proto_node_id *out, uint32_t max)
{
    uint32_t count = MIN(max, n->peers->len);
    for (uint32_t i = 0; i < count; i++)
        out[i] = ((const p2p_peer *)g_ptr_array_index(n->peers, i))->id;
    return count;
}

uint32_t p2p_node_peers_count(const p2p_node *n)
{
    return n->peers->len;
}

int64_t p2p_node_rtt_ns(const p2p_node *n, proto_node_id peer)
{
    const p2p_peer *p = p2p_peer_find(n, peer);
    return p != NULL ? p->rtt_ns : -1;
}

int32_t p2p_node_peer_score(const p2p_node *n, proto_node_id peer)
{
    const p2p_peer *p = p2p_peer_find(n, peer);
    return p != NULL ? p->score : 0;
}

bool p2p_node_banned(const p2p_node *n, proto_node_id peer)
{
    int64_t now = p2p_now(n);
    for (guint i = 0; i < n->bans->len; i++) {
        const p2p_ban *b = &g_array_index(n->bans, p2p_ban, i);
        if (b->id == peer)
            return b->until_ns > now;
    }
    return false;
}

uint64_t p2p_node_stake_in_contact(const p2p_node *n)
{
    return p2p_health_stake_in_contact(n, p2p_now(n));
}

uint32_t p2p_node_validator_distance(const p2p_node *n)
{
    return n->distance;
}
