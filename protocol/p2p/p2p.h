/* The P2P mesh: a sans-IO layer between a consensus node and the network.
 *
 * A p2p node carries one consensus node (PBFT or PoA, or a Byzantine
 * wrapper of one). It gives that node its environment, with `broadcast`
 * and `peers` filled (protocol/core/env.h), and owns the node's link to
 * the outside: every message the consensus node sends and receives passes
 * through it. Messages between nodes are bytes; `from` is the node at the
 * other end of the link (the transport's address, like a TCP peer
 * address), everything else is decoded as from a hostile peer.
 *
 * Membership. A node starts knowing only its bootstrap nodes. It asks to
 * peer with HELLO; the other side accepts with HELLO or refuses with
 * GOODBYE (full, banned), naming other nodes it knows (peer exchange). A
 * node asks its peers for addresses (GET_PEERS / PEERS) while it has fewer
 * than `degree` peers, keeps a bounded address book, and keeps its peer
 * count between `degree_low` and `degree_high`: under the low watermark
 * it dials candidates, over `degree` it prunes (a validator only over
 * `degree_high`). Validators keep a link to
 * every other validator (the validator clique: consensus traffic goes
 * over these direct links, which are peers like any other and count as
 * such) and take full nodes on top, up to `degree_high` of them.
 *
 * Topology. Pruning drops the peers with the highest round-trip time,
 * except a quarter of `degree` kept at random (diversity: a mesh of
 * nearest neighbours only would be a chain of local clusters) and
 * validator links. A full node that has room dials candidates the address
 * book ranks best (validators' neighbours and low RTT first).
 *
 * Health. Every heartbeat a node pings each peer; the pong echoes the
 * ping's time, giving a round-trip time (smoothed). A peer that has not
 * answered within `ping_timeout_ns` is dropped. Each peer has a score: it
 * gains for messages it was first to deliver (capped) and loses for
 * invalid messages (undecodable, or rejected by the consensus node for
 * bad bytes or signatures), for sending the same gossip message twice,
 * for useless traffic (unsolicited or repeated control messages, IWANTs
 * for nothing) and for exceeding its budget. Scores decay each heartbeat.
 * A score under `score_ban` disconnects the peer and bans it for `ban_ns`:
 * its messages and HELLOs are dropped, and the address book skips it.
 *
 * Rate limits. Each peer has token buckets of `msgs_per_s_max` messages
 * and `bytes_per_s_max` bytes (one second of burst). A message over
 * budget is dropped unread (throttled) and costs score, so a flooding
 * peer is banned within seconds while the other peers' traffic flows.
 *
 * Gossip. broadcast(scope, wire) wraps the message in an envelope
 * [GOSSIP][scope][message]; its id is the BLAKE2b hash of the message,
 * computed by every receiver (ids are never trusted from the wire). A
 * bounded seen-cache (`seen_max` ids, `seen_ttl_ns`) suppresses
 * duplicates: only the first copy is handed to the consensus node, and
 * only a copy the consensus node did not reject is forwarded, never back
 * to the peer it came from.
 *   - PROTO_SCOPE_ALL floods the mesh. Small messages go to every peer;
 *     one of at least `lazy_bytes_min` bytes is pushed to about
 *     sqrt(peers) of them and announced (IHAVE) to the rest, who ask for
 *     it (IWANT) if no copy came meanwhile, from the next announcer if
 *     the first does not answer (devp2p's block announcement, gossipsub's
 *     lazy push). Held messages are served for `mcache_ttl_ns`.
 *   - PROTO_SCOPE_VALIDATORS is routed to the validators: a validator
 *     sends to every validator peer; a full node hands it to the two
 *     peers nearest to a validator (each pong carries the sender's hop
 *     distance to the nearest validator), and a full node relaying it
 *     only to nearer peers; a validator that gets it from a full node
 *     passes it to the other validators. Nobody else floods it.
 * A unicast send() to a node that is not a peer dials it and holds the
 * message until the link is up (bounded); if the node refuses or does not
 * answer, the message is dropped and counted (`no_route`).
 *
 * Partitions. Validators put a heartbeat counter in every ping and pong
 * (their heartbeat number, now / heartbeat_ns + 1, so a counter's value
 * tells its age); every node passes on, in its own pings and pongs, the
 * highest counter it heard from each validator. A validator whose
 * freshest counter is older than `contact_timeout_ns` is out of contact.
 * A node that once heard 2/3 of the stake and now hears validators
 * holding less than 2/3 (it lost contact with more than 1/3) reports
 * PARTITION_SUSPECTED, and PARTITION_HEALED once it hears 2/3 again
 * (counters ride on pings, so this takes clocks agreeing to within about
 * a heartbeat); after a heal the consensus node catches up by its
 * own rules (verified block ranges, its mempool).
 *
 * Leaving. p2p_node_leave says GOODBYE to every peer (a graceful leave);
 * a crash simply stops answering, and the peers notice by their pings. */
#ifndef AITBC_PROTOCOL_P2P_H
#define AITBC_PROTOCOL_P2P_H

#include <stdbool.h>
#include <stdint.h>

#include "protocol/core/env.h"
#include "protocol/core/node.h"

/* Everything the nodes of one network share; must outlive the nodes. */
typedef struct p2p_params {
    uint32_t nodes_count;                 /* addresses are 0 .. nodes_count-1 */
    uint32_t validators_count;
    const proto_node_id *validator_nodes; /* [validators_count] */
    const uint64_t *stakes;               /* [validators_count], > 0: partition detection */
    /* Further machines running a validator's identity with its keys (a
     * backup, a stolen key; the simulator's Twins): address
     * extra_nodes[i] is validator extra_validators[i] to everyone, with
     * clique links and validator-scope routing like its first machine. */
    const proto_node_id *extra_nodes;     /* [extras_count], not in validator_nodes */
    const uint32_t *extra_validators;     /* [extras_count] */
    uint32_t extras_count;
    const proto_node_id *bootstrap;       /* [bootstrap_count] */
    uint32_t bootstrap_count;
    uint32_t degree;                      /* target peers (not counting validator links
                                           * at a validator) */
    uint32_t degree_low;                  /* dial when under */
    uint32_t degree_high;                 /* refuse HELLOs when at it */
    int64_t heartbeat_ns;                 /* pings, score decay, mesh upkeep */
    int64_t ping_timeout_ns;              /* silent this long: dropped */
    int64_t contact_timeout_ns;           /* validator heartbeat silent this long: out of contact */
    int64_t ban_ns;
    int32_t score_ban;                    /* < 0; at or below: disconnect and ban */
    uint32_t msgs_per_s_max;              /* per peer */
    uint64_t bytes_per_s_max;             /* per peer */
    uint32_t lazy_bytes_min;              /* at least this big: lazy push beyond sqrt(peers) */
    uint32_t seen_max;
    int64_t seen_ttl_ns;
    int64_t mcache_ttl_ns;                /* how long held messages are served to IWANTs */
    uint32_t addrs_max;                   /* address book size */
    /* Gossip ids shared by the nodes of one process
     * (protocol/memo/p2p_id_memo.h), or NULL. */
    struct p2p_id_memo *id_memo;
} p2p_params;

/* The tunables' defaults (gossipsub-like; see p2p.c), leaving the
 * network's shape (nodes, validators, bootstrap, degree) to the caller;
 * degree_low/high follow degree (2/3 and 2x) unless set afterwards. */
void p2p_params_defaults(p2p_params *p, uint32_t degree);

/* What one node saw; kept across nothing (a crash loses it). */
typedef struct p2p_stats {
    uint64_t gossip_first;      /* gossip messages received for the first time */
    uint64_t gossip_duplicate;  /* gossip messages received again */
    uint64_t gossip_invalid;    /* first copies the consensus node rejected (not forwarded) */
    uint64_t ihave_sent;
    uint64_t iwant_sent;
    uint64_t iwant_served;
    uint64_t throttled;         /* messages dropped over a peer's budget */
    uint64_t dropped_not_peer;  /* from a node that is not a peer, or is banned */
    uint64_t malformed;         /* p2p messages that did not decode */
    uint64_t no_route;          /* dropped for want of a route: unicasts whose target never
                                 * became a peer, own broadcasts held too long */
    uint64_t held;              /* own broadcasts held until a peer could take them */
    uint64_t gossip_rerouted;   /* copies towards the validators sent again to another peer
                                 * because the first went to a peer that was lost */
    uint64_t connects;
    uint64_t disconnects;
    uint64_t bans;
} p2p_stats;

typedef struct p2p_node p2p_node;

/* A node at address `self` (validator_index < 0: a full node) talking
 * through `env` (copied); a validator's node sits at its address in
 * validator_nodes or at one of its extra_nodes. The node does nothing
 * until p2p_node_start. */
p2p_node *p2p_node_new(const p2p_params *params, proto_node_id self, int32_t validator_index,
                       const proto_env *env);
/* The environment to build the consensus node with; valid for the p2p
 * node's lifetime. Usable at once: sends before start wait for links. */
const proto_env *p2p_node_inner_env(p2p_node *n);
/* The consensus node this one carries (owned: freed with it). */
void p2p_node_attach(p2p_node *n, const proto_node_ops *ops, void *inner);
/* Dial the bootstrap nodes (and the peers remembered in the store, after
 * a restart) and start the heartbeat. */
void p2p_node_start(p2p_node *n);
/* A graceful leave: GOODBYE to every peer. The node stays usable (and
 * silent) until freed. */
void p2p_node_leave(p2p_node *n);

/* Drives the p2p node (and through it the consensus node). */
extern const proto_node_ops p2p_node_ops;

void *p2p_node_inner(const p2p_node *n);
const p2p_stats *p2p_node_stats(const p2p_node *n);
/* Current peers, ascending; returns how many (at most max written). */
uint32_t p2p_node_peers(const p2p_node *n, proto_node_id *out, uint32_t max);
uint32_t p2p_node_peers_count(const p2p_node *n);
/* Smoothed round-trip time to a peer, -1 if not a peer or not measured. */
int64_t p2p_node_rtt_ns(const p2p_node *n, proto_node_id peer);
bool p2p_node_banned(const p2p_node *n, proto_node_id peer);
/* A peer's current score (p2p_score.c), 0 if not a peer. */
int32_t p2p_node_peer_score(const p2p_node *n, proto_node_id peer);
/* Stake of the validators this node is in contact with (see above). */
uint64_t p2p_node_stake_in_contact(const p2p_node *n);
/* Hops to the nearest validator (0 at a validator), UINT32_MAX if unknown. */
uint32_t p2p_node_validator_distance(const p2p_node *n);
/* Envelopes a full node keeps to re-route should their peer be lost
 * (p2p_custody.c); at most P2P_CUSTODY_MAX. */
uint32_t p2p_node_custody_count(const p2p_node *n);

#endif
