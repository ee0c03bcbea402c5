/* How a PBFT node reaches other nodes, with or without an overlay.
 *
 * Without one (env.broadcast and env.peers NULL: every node is one send()
 * away) the node loops over the nodes itself. Under a P2P mesh
 * (protocol/p2p) validators keep direct links to every validator, so
 * consensus traffic (PRE-PREPARE, votes, checkpoints, view changes,
 * NEW-VIEW, STATUS) stays unicast to validators either way, while a full
 * node reaches only its current peers:
 *   - DECIDED (proposer -> every node) is broadcast to PROTO_SCOPE_ALL;
 *   - transactions, validator operations and evidence, which only
 *     validators act on, are broadcast to PROTO_SCOPE_VALIDATORS;
 *   - a full node asks a random current peer for blocks; a validator asks
 *     a random validator, as without a mesh;
 *   - replies go to `from`, the neighbour that handed the request on;
 *   - a full node checks what it relays towards the validators (txs,
 *     validator operations, evidence) and rejects bad ones, which the
 *     mesh then does not forward (pbft_node.c, pbft_valops.c,
 *     pbft_evidence.c).
 *
 * Validator traffic goes to every validator's address and to the extra
 * machines (pbft_params.extra_nodes) that run a validator's identity too.
 *
 * Validator nodes: the addresses validators run at, sorted once, so "is a
 * validator's node" costs O(log validators), and the loop that reaches
 * every full node without an overlay skips them in one merge. */
#include "protocol/pbft/pbft_internal.h"

/* Peers considered when a full node picks whom to ask for blocks. */
#define PBFT_SYNC_PEERS_MAX 64

void pbft_net_init(pbft_node *n)
{
    uint32_t count = n->p->validators_count;
    n->validator_nodes_sorted = g_new(proto_node_id, count);
    for (uint32_t v = 0; v < count; v++)
        n->validator_nodes_sorted[v] = n->p->validator_nodes[v];
    for (uint32_t i = 1; i < count; i++) { /* insertion sort: few validators */
        proto_node_id x = n->validator_nodes_sorted[i];
        uint32_t j = i;
        for (; j > 0 && n->validator_nodes_sorted[j - 1] > x; j--)
            n->validator_nodes_sorted[j] = n->validator_nodes_sorted[j - 1];
        n->validator_nodes_sorted[j] = x;
    }
}

void pbft_net_clear(pbft_node *n)
{
    g_free(n->validator_nodes_sorted);
}

bool pbft_is_validator_node(const pbft_node *n, proto_node_id id)
{
    uint32_t lo = 0, hi = n->p->validators_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        proto_node_id v = n->validator_nodes_sorted[mid];
        if (v == id)
            return true;
        if (v < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

void pbft_send_validators(pbft_node *n, GBytes *wire)
{
    for (uint32_t v = 0; v < n->p->validators_count; v++) {
        proto_node_id to = n->p->validator_nodes[v];
        if (to != n->self)
            n->env.send(n->env.ctx, to, wire);
    }
    for (uint32_t i = 0; i < n->p->extras_count; i++) {
        proto_node_id to = n->p->extra_nodes[i];
        if (to != n->self)
            n->env.send(n->env.ctx, to, wire);
    }
}

/* Every node no validator runs at, ascending. */
static void send_full_nodes(pbft_node *n, GBytes *wire)
{
    uint32_t next = 0; /* first sorted validator node not below `to` */
    for (proto_node_id to = 0; to < n->p->nodes_count; to++) {
        while (next < n->p->validators_count && n->validator_nodes_sorted[next] < to)
            next++;
        bool validator = next < n->p->validators_count && n->validator_nodes_sorted[next] == to;
        if (!validator && to != n->self)
            n->env.send(n->env.ctx, to, wire);
    }
}

void pbft_broadcast_validators(pbft_node *n, GBytes *wire)
{
    if (n->env.broadcast != NULL)
        n->env.broadcast(n->env.ctx, PROTO_SCOPE_VALIDATORS, wire);
    else
        pbft_send_validators(n, wire);
}

void pbft_broadcast_decided(pbft_node *n, GBytes *wire)
{
    if (n->env.broadcast != NULL)
        n->env.broadcast(n->env.ctx, PROTO_SCOPE_ALL, wire);
    else
        send_full_nodes(n, wire); /* validators have it: they voted for it */
}

proto_node_id pbft_sync_peer(pbft_node *n, uint64_t r, bool skip_self)
{
    uint32_t v = n->p->validators_count;
    if (!pbft_is_validator(n) && n->env.peers != NULL) {
        proto_node_id peers[PBFT_SYNC_PEERS_MAX];
        uint32_t count = n->env.peers(n->env.ctx, peers, PBFT_SYNC_PEERS_MAX);
        g_assert(count <= PBFT_SYNC_PEERS_MAX);
        if (count > 0)
            return peers[r % count];
        /* No link yet (just started): a validator, dialled. */
    }
    if (!skip_self)
        return n->p->validator_nodes[r % v];
    for (uint32_t i = 0; i < v; i++) {
        proto_node_id peer = n->p->validator_nodes[(r + i) % v];
        if (peer != n->self)
            return peer;
    }
    return PROTO_NODE_NONE;
}
