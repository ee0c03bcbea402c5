/* The p2p node's state and the functions its files share.
 *
 * Files: p2p_node.c (construction, entry points, timers), p2p_inner.c
 * (the consensus node's environment and deliveries to it), p2p_peers.c (the peer table, HELLO and GOODBYE), p2p_dial.c
 * (dials in flight and the outbox of unicasts waiting for a link),
 * p2p_mesh.c (degree upkeep, pruning, peer exchange, the validator
 * clique, peers remembered in the store), p2p_health.c (pings, RTT,
 * validator distance, heartbeat vector, partitions), p2p_gossip.c
 * (broadcast, relay, IHAVE/IWANT), p2p_hold.c (gossip waiting for a
 * route), p2p_custody.c (re-routing what went to a peer that fell silent), p2p_parting.c (peers heard out after a GOODBYE), p2p_score.c (scores and bans), p2p.c
 * (default tunables and read-only accessors).
 *
 * Lifetimes: a p2p_peer lives from connect to disconnect. Handlers look a
 * peer up by id again after anything that may have disconnected it (a
 * ban, an inner node's call); bans are applied by p2p_score_settle at
 * points where no peer pointer is held. */
#ifndef AITBC_PROTOCOL_P2P_INTERNAL_H
#define AITBC_PROTOCOL_P2P_INTERNAL_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocol/p2p/p2p.h"
#include "protocol/p2p/p2p_addrbook.h"
#include "protocol/p2p/p2p_budget.h"
#include "protocol/p2p/p2p_mcache.h"
#include "protocol/p2p/p2p_msg.h"
#include "protocol/p2p/p2p_seen.h"

/* p2p timers have bit 31 set; the consensus node's kinds never do. */
#define P2P_TIMER_BIT 0x80000000u
#define P2P_TIMER_HEARTBEAT (P2P_TIMER_BIT | 1u)
#define P2P_TIMER_WANT (P2P_TIMER_BIT | 2u) /* arg: the want's serial */

#define P2P_PINGS_TRACKED 4      /* pings in flight whose send time is kept */
#define P2P_OUTBOX_MAX 64        /* unicasts waiting for a link */
#define P2P_EARLY_MAX 64         /* messages that overtook the HELLO answering our dial */
#define P2P_DIALS_MAX 64         /* HELLOs in flight */
#define P2P_WANTS_MAX 128        /* ids asked for (IWANT) and not yet received */
#define P2P_WANT_ANNOUNCERS_MAX 4
#define P2P_MCACHE_MAX 64        /* large messages held for IWANTs */
#define P2P_PARTING_MAX 64       /* peers parted with, heard out for a heartbeat */
#define P2P_HELD_MAX 256         /* own broadcasts waiting for a first route */
#define P2P_HELD_TTL_HEARTBEATS 30
#define P2P_HELD_CLIQUE_WAIT_HEARTBEATS 3
#define P2P_BANS_MAX 256
#define P2P_ECHO_WINDOW_HEARTBEATS 3 /* a repeat from one peer within this is an echo */
/* A peer that answered none of our pings for this many heartbeats is
 * silent: no route for gossip to the validators, and what went to it is
 * re-routed (p2p_custody.c). Two, so one lost ping or pong is not enough. */
#define P2P_SILENT_HEARTBEATS 2
#define P2P_CUSTODY_HEARTBEATS 4 /* envelopes re-routable this long after routing */
#define P2P_CUSTODY_MAX 8192     /* envelopes kept for re-routing at one node */
#define P2P_CUSTODY_TRIES_MAX 6  /* peers one envelope is given to, at most */
#define P2P_DISTANCE_MAX 32      /* farther is "unknown" (ends counting to infinity) */
#define P2P_DISTANCE_UNKNOWN UINT32_MAX

/* Dial purposes (bits: one dial can serve several). */
#define P2P_DIAL_MESH 1u      /* filling the degree */
#define P2P_DIAL_CLIQUE 2u    /* a missing validator link */
#define P2P_DIAL_UNICAST 4u   /* a message waits in the outbox */

/* What a peer did wrong (p2p_score.c has the weights). */
typedef enum p2p_offence {
    P2P_OFFENCE_INVALID,    /* the consensus node rejected its message's bytes */
    P2P_OFFENCE_MALFORMED,  /* a p2p message that did not decode */
    P2P_OFFENCE_DUPLICATE,  /* the same gossip message twice */
    P2P_OFFENCE_USELESS,    /* unsolicited or repeated control, IWANT for nothing */
    P2P_OFFENCE_BROKEN_PROMISE, /* announced a message, did not serve it */
    P2P_OFFENCE_THROTTLED,  /* a message over its budget */
} p2p_offence;

typedef struct p2p_peer {
    proto_node_id id;
    int32_t validator_index;  /* -1: a full node */
    bool clique;              /* both ends are validators: not counted in the degree */
    int64_t connected_ns;
    /* health (p2p_health.c) */
    uint64_t ping_seq;        /* last ping sent, 0 before the first */
    uint64_t pong_seq;        /* highest ping it answered */
    int64_t ping_sent_ns[P2P_PINGS_TRACKED]; /* by seq % P2P_PINGS_TRACKED */
    int64_t pong_ns;          /* last answer (connected_ns before the first) */
    int64_t rtt_ns;           /* smoothed round trip, -1 before the first pong */
    bool silent;              /* no pong for P2P_SILENT_HEARTBEATS (cleared by a pong) */
    uint32_t distance;        /* its hops to a validator as it reported them */
    /* score (p2p_score.c) */
    int32_t score;
    bool rate_offender;       /* the last penalty was for its budget */
    /* budget */
    p2p_bucket msgs;
    p2p_bucket bytes;
    /* peer exchange (p2p_mesh.c) */
    bool peers_asked;         /* we sent GET_PEERS and wait for PEERS */
    uint64_t get_peers_beat;  /* our heartbeat when it last asked us */
    int64_t parted_ns;        /* in n->parting: when the link ended */
} p2p_peer;

typedef struct p2p_dial {
    proto_node_id id;
    uint32_t purposes;        /* P2P_DIAL_* bits */
    int64_t started_ns;
} p2p_dial;

typedef struct p2p_outmsg {
    proto_node_id to;
    GBytes *wire;
} p2p_outmsg;

typedef struct p2p_ban {
    proto_node_id id;
    int64_t until_ns;
} p2p_ban;

typedef struct p2p_want {
    p2p_id id;
    uint64_t serial;          /* names its timer */
    proto_node_id announcers[P2P_WANT_ANNOUNCERS_MAX];
    uint32_t announcers_count;
    uint32_t asked;           /* announcers asked so far */
} p2p_want;

/* A message being handed to the consensus node, watched by its observe. */
typedef struct p2p_delivery {
    bool active;
    proto_node_id from;
    bool invalid;             /* it rejected the bytes (decode, signature) */
    bool gossip;
    p2p_id id;                /* when gossip */
} p2p_delivery;

struct p2p_node {
    const p2p_params *p;
    proto_node_id self;
    int32_t validator_index;  /* -1: a full node */
    proto_env env;            /* the outside */
    proto_env inner_env;      /* given to the consensus node */
    const proto_node_ops *inner_ops;
    void *inner;
    p2p_stats stats;
    bool started;
    bool left;
    bool validators_sorted;   /* p->validator_nodes ascending: binary search */
    uint64_t heartbeat_timer;
    uint64_t beat;            /* heartbeats so far */
    GPtrArray *peers;         /* p2p_peer *, id ascending */
    GPtrArray *parting;       /* p2p_peer *, parted with lately (p2p_parting.c), oldest first */
    bool peers_changed;       /* since last saved to the store */
    GArray *dials;            /* p2p_dial, id ascending, <= P2P_DIALS_MAX */
    GArray *outbox;           /* p2p_outmsg (owned references), oldest first,
                               * <= P2P_OUTBOX_MAX */
    GArray *early;            /* p2p_outmsg (`to`: the node it came from; owned), oldest
                               * first, <= P2P_EARLY_MAX: from nodes we are dialling */
    GArray *bans;             /* p2p_ban, id ascending, <= P2P_BANS_MAX */
    p2p_addrbook book;
    int64_t *clique_retry_ns; /* [p2p_clique_slots] at a validator: next dial */
    uint8_t *clique_failures; /* [p2p_clique_slots] at a validator */
    bool clique_formed;       /* every other validator was a peer at once (p2p_hold.c) */
    /* health */
    uint32_t *beats;          /* [validators_count] highest counter heard, 0: none */
    uint64_t stake_total;
    uint64_t stake_seen;      /* at the last heartbeat */
    bool contact_reached;     /* heard 2/3 of the stake at some heartbeat */
    bool partitioned;         /* PARTITION_SUSPECTED reported, not healed */
    uint32_t distance;
    /* gossip */
    p2p_seen seen;
    p2p_mcache mcache;
    GArray *wants;            /* p2p_want, oldest first */
    uint64_t want_serial;
    p2p_delivery delivery;    /* the message the consensus node is handling */
    GArray *held;             /* p2p_held (p2p_hold.c), oldest first, <= P2P_HELD_MAX */
    GQueue custody;           /* p2p_custody_entry* (p2p_custody.c), oldest first,
                               * <= P2P_CUSTODY_MAX; full nodes only */
};

/* p2p_node.c */
int64_t p2p_now(const p2p_node *n);
uint64_t p2p_random(p2p_node *n);
uint32_t p2p_random_below(p2p_node *n, uint32_t bound);
void p2p_emit(p2p_node *n, proto_event *ev);
/* Send to a node on the outside (takes its own reference). */
void p2p_send_raw(p2p_node *n, proto_node_id to, GBytes *wire);
/* Send and drop our reference. */
void p2p_send_take(p2p_node *n, proto_node_id to, GBytes *wire);
/* The validator index of a node (any of its machines), or -1. */
int32_t p2p_validator_of(const p2p_node *n, proto_node_id id);
/* The clique: every machine of every validator. Slot v < validators_count
 * is validator v's first machine (validator_nodes[v]), the rest its
 * extra machines (p2p_params.extra_nodes). */
uint32_t p2p_clique_slots(const p2p_node *n);
/* A node's clique slot, or -1 if no validator runs there. */
int32_t p2p_clique_slot(const p2p_node *n, proto_node_id id);
proto_node_id p2p_clique_slot_node(const p2p_node *n, uint32_t slot);
bool p2p_is_validator(const p2p_node *n);

/* p2p_inner.c */
void p2p_inner_env_init(p2p_node *n);
/* Hand a message to the consensus node as from `from` (gossip_id: its id
 * if it came by gossip); true if it rejected the bytes (decode or
 * signature) while handling it. */
bool p2p_deliver_inner(p2p_node *n, proto_node_id from, GBytes *wire, const p2p_id *gossip_id);

/* p2p_peers.c */
p2p_peer *p2p_peer_find(const p2p_node *n, proto_node_id id);
/* Peers counted against the degree (validator links at a validator are not). */
uint32_t p2p_peers_degree(const p2p_node *n);
p2p_peer *p2p_peer_connect(p2p_node *n, proto_node_id id);
/* Remove a peer (reporting `reason`), saying GOODBYE with `bye` first
 * unless bye is 0. */
void p2p_peer_disconnect(p2p_node *n, proto_node_id id, proto_p2p_reason reason, uint8_t bye);
void p2p_on_hello(p2p_node *n, proto_node_id from, const uint8_t *data, size_t size);
void p2p_on_goodbye(p2p_node *n, proto_node_id from, const uint8_t *data, size_t size);

/* p2p_dial.c */
p2p_dial *p2p_dial_find(const p2p_node *n, proto_node_id id);
/* Send HELLO unless one is in flight; false if no dial slot is free. */
bool p2p_dial_start(p2p_node *n, proto_node_id id, uint32_t purpose);
/* The dial ended (answered, refused or timed out): forget it. */
void p2p_dial_end(p2p_node *n, proto_node_id id);
/* Dials older than the dial timeout fail. */
void p2p_dials_expire(p2p_node *n);
/* Count dials with any of these purposes. */
uint32_t p2p_dials_count(const p2p_node *n, uint32_t purposes);
void p2p_outbox_push(p2p_node *n, proto_node_id to, GBytes *wire);
void p2p_outbox_flush(p2p_node *n, proto_node_id to);
/* Drop what waits for `to` (counted in no_route). */
void p2p_outbox_drop(p2p_node *n, proto_node_id to);
void p2p_outbox_drop_all(p2p_node *n);
/* A message from `from`, which we are dialling, that came before its
 * HELLO: kept until the link is up (then taken back) or the dial fails. */
void p2p_early_push(p2p_node *n, proto_node_id from, GBytes *wire);
/* Move what came early from `from` to `out` (GBytes*, owned), oldest first. */
void p2p_early_take(p2p_node *n, proto_node_id from, GPtrArray *out);
/* The dial to `from` failed: drop what came early from it (dropped_not_peer). */
void p2p_early_drop(p2p_node *n, proto_node_id from);
int64_t p2p_dial_timeout_ns(const p2p_node *n);

/* p2p_mesh.c */
void p2p_mesh_heartbeat(p2p_node *n);
/* Dial the bootstrap nodes, the peers in the store and (at a validator)
 * the other validators. */
void p2p_mesh_start(p2p_node *n);
void p2p_mesh_learn(p2p_node *n, uint32_t via_distance, const p2p_addrs *addrs);
/* Addresses to hand to `to` (our peers, then the book). */
void p2p_mesh_addresses(p2p_node *n, proto_node_id to, p2p_addrs *out);
void p2p_mesh_dial_failed(p2p_node *n, proto_node_id id, int64_t backoff_ns);
void p2p_on_get_peers(p2p_node *n, p2p_peer *peer, const uint8_t *data, size_t size);
void p2p_on_peers(p2p_node *n, p2p_peer *peer, const uint8_t *data, size_t size);
void p2p_mesh_save(p2p_node *n);

/* p2p_health.c */
void p2p_health_init(p2p_node *n);
void p2p_health_clear(p2p_node *n);
void p2p_health_heartbeat(p2p_node *n);
void p2p_health_ping(p2p_node *n, p2p_peer *peer);
void p2p_on_ping(p2p_node *n, p2p_peer *peer, const uint8_t *data, size_t size);
void p2p_on_pong(p2p_node *n, p2p_peer *peer, const uint8_t *data, size_t size);
void p2p_health_update_distance(p2p_node *n);
uint64_t p2p_health_stake_in_contact(const p2p_node *n, int64_t now_ns);

/* p2p_gossip.c */
void p2p_gossip_init(p2p_node *n);
void p2p_gossip_clear(p2p_node *n);
void p2p_gossip_broadcast(p2p_node *n, proto_scope scope, GBytes *wire);
/* Send a held envelope that came from `from` (self: our own) on by the
 * scope's rules, now. */
void p2p_gossip_route(p2p_node *n, proto_scope scope, GBytes *envelope, const p2p_id *id,
                      proto_node_id from);
void p2p_on_gossip(p2p_node *n, p2p_peer *peer, GBytes *wire);
void p2p_on_ihave(p2p_node *n, p2p_peer *peer, const uint8_t *data, size_t size);
void p2p_on_iwant(p2p_node *n, p2p_peer *peer, const uint8_t *data, size_t size);
void p2p_gossip_on_want_timer(p2p_node *n, uint64_t serial);
void p2p_gossip_heartbeat(p2p_node *n);
/* The best route towards the validators for a message from `from` that
 * has not been given to any of `given` (and is not `from`): down the
 * gradient if possible when relaying, never a silent peer.
 * PROTO_NODE_NONE if there is none. */
proto_node_id p2p_gossip_next_route(const p2p_node *n, proto_node_id from,
                                    const proto_node_id *given, uint32_t given_count);

/* p2p_custody.c: what a full node routed towards the validators, kept
 * for a few heartbeats to re-route it should a peer it went to be lost */
void p2p_custody_init(p2p_node *n);
void p2p_custody_clear(p2p_node *n);
/* Keep an envelope from `from` just given to `given`. Full nodes only. */
void p2p_custody_keep(p2p_node *n, GBytes *envelope, proto_node_id from,
                      const proto_node_id *given, uint32_t count);
/* Peer `id` fell silent or is gone: give what went to it in the window
 * to the next best route. Call after it stopped being a route. */
void p2p_custody_peer_lost(p2p_node *n, proto_node_id id);
void p2p_custody_expire(p2p_node *n);

/* p2p_parting.c: peers parted with lately, heard out for a heartbeat */
void p2p_parting_init(p2p_node *n);
void p2p_parting_clear(p2p_node *n);
/* Keep a peer that parted politely (takes it). */
void p2p_parting_add(p2p_node *n, p2p_peer *peer);
/* A peer parted with within the last heartbeat, or NULL. */
p2p_peer *p2p_parting_find(const p2p_node *n, proto_node_id id);
/* It is a peer again (or banned): stop keeping it. */
void p2p_parting_forget(p2p_node *n, proto_node_id id);
void p2p_parting_expire(p2p_node *n);

/* p2p_hold.c: own broadcasts that no peer could take yet */
void p2p_hold_init(p2p_node *n);
void p2p_hold_clear(p2p_node *n);
/* A message in this scope from `from` must be held rather than routed
 * now (no route, or a validator's clique is still forming). */
bool p2p_hold_needed(p2p_node *n, proto_scope scope, proto_node_id from);
/* Hold an envelope (its id already in the seen-cache) until it can be
 * routed. */
void p2p_hold_push(p2p_node *n, proto_scope scope, GBytes *envelope, const p2p_id *id,
                   proto_node_id from);
/* Route what can be routed now. */
void p2p_hold_flush(p2p_node *n);
/* Drop what waited too long (counted in no_route). */
void p2p_hold_expire(p2p_node *n);
void p2p_hold_drop_all(p2p_node *n);

/* p2p_score.c */
void p2p_score_penalize(p2p_node *n, p2p_peer *peer, p2p_offence offence);
void p2p_score_reward_first(p2p_node *n, p2p_peer *peer);
void p2p_score_decay(p2p_node *n);
/* Ban `id` if it is a peer whose score fell to the ban threshold. */
void p2p_score_settle(p2p_node *n, proto_node_id id);
bool p2p_ban_active(p2p_node *n, proto_node_id id);

#endif
