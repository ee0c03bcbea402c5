/* The testbed node's links to the other nodes: TCP over GIO sockets,
 * driven by the GLib main loop.
 *
 * Every node listens on one address and dials every peer it may send to
 * (all at start, or each when it first has a message for it: a mesh node
 * talks to a few peers of many).
 * A connection carries one direction only: the dialer writes its hello
 * and then frames (frames.h) of protocol messages, the listener reads
 * them and hands each to `deliver` as received bytes from the node the
 * hello named. So a pair of nodes uses two connections and neither side
 * has to decide who dials.
 *
 * Sending never blocks. A message for a peer is framed into that peer's
 * queue (bounded: over queue_bytes_max it is dropped and counted) and
 * written as the socket takes it. While a peer is unreachable its queue
 * keeps filling up to the bound; the connection is dialed again with
 * exponential backoff (dial_backoff_min_ms doubling to dial_backoff_max_ms,
 * back to the minimum after a connection succeeds). A connection that
 * fails loses the bytes queued on it, as a crashed link would.
 *
 * Received bytes are hostile: an empty, oversized or truncated frame, a
 * bad hello, a hello for another chain or node, or no hello in time
 * drops the connection and is counted; nothing a peer sends can stop
 * this node. */
#ifndef AITBC_TOOLS_NODE_LINKS_H
#define AITBC_TOOLS_NODE_LINKS_H

#include <gio/gio.h>
#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct tb_link_stats {
    uint64_t frames_in;          /* protocol messages delivered */
    uint64_t bytes_in;
    uint64_t frames_out;         /* protocol messages queued for a connection */
    uint64_t bytes_out;          /* bytes the sockets took (hellos and headers included) */
    uint64_t accepted;           /* inbound connections */
    uint64_t refused_inbound;    /* inbound connections over the bound, closed at once */
    uint64_t connects;           /* outbound connections established */
    uint64_t dial_failures;
    uint64_t disconnects;        /* outbound connections lost */
    uint64_t bad_empty;          /* frames announcing 0 bytes */
    uint64_t bad_oversized;      /* frames announcing more than frame_max */
    uint64_t bad_truncated;      /* streams that ended inside a frame */
    uint64_t bad_hello;          /* first frames that were no hello for this chain, and
                                  * connections that sent none in time */
    uint64_t dropped_no_route;   /* messages for a node with no address */
    uint64_t dropped_queue_full; /* messages over a peer's queue bound */
    uint64_t dropped_oversized;  /* messages we would have to send in a frame over frame_max */
    uint64_t dropped_unsent_bytes; /* queued bytes lost with a connection */
    /* Per message type (the wire's first byte; a gossip envelope's inner
     * type, proto_msg_counted_type), not in tb_link_stat_fields:
     * messages queued for a peer and their payload bytes (no frame
     * headers), as the simulator's messages.TYPE.sent and bytes.TYPE.sent. */
    uint64_t type_frames_out[256];
    uint64_t type_bytes_out[256];
} tb_link_stats;

/* Every scalar field of tb_link_stats with its name, for the records. */
typedef struct tb_link_stat_field {
    const char *name;
    size_t offset;
} tb_link_stat_field;
extern const tb_link_stat_field tb_link_stat_fields[];
extern const size_t tb_link_stat_fields_count;

typedef struct tb_links_options {
    uint32_t self;               /* this node's index */
    uint32_t nodes_count;        /* a hello must name a node below it, not self */
    uint64_t chain_id;           /* a hello must name this chain */
    uint32_t frame_max;
    size_t queue_bytes_max;      /* per peer */
    uint32_t inbound_max;        /* open inbound connections at most */
    uint32_t dial_backoff_min_ms;
    uint32_t dial_backoff_max_ms;
    uint32_t dial_timeout_s;
    uint32_t hello_timeout_ms;   /* an inbound connection must say hello within it */
    bool dial_on_demand;         /* dial a peer at the first message for it, not at start */
} tb_links_options;

/* Fill the defaults (32 MiB frames, 64 MiB queues, 100 ms to 5 s
 * backoff, 2 s dial timeout, 5 s for a hello, 4 inbound connections
 * per node and 4 more for clients). self may be TB_HELLO_CLIENT
 * (frames.h): links that only dial, as a client. */
void tb_links_options_defaults(tb_links_options *o, uint32_t self, uint32_t nodes_count,
                               uint64_t chain_id);

/* `wire` is borrowed for the call. */
typedef void (*tb_deliver_fn)(void *ctx, uint32_t from, GBytes *wire);

typedef struct tb_links tb_links;

tb_links *tb_links_new(const tb_links_options *opt, tb_deliver_fn deliver, void *ctx);
void tb_links_free(tb_links *l);
/* Listen on host:port (a numeric address). A port in use is
 * G_IO_ERROR_ADDRESS_IN_USE. */
bool tb_links_listen(tb_links *l, const char *host, uint16_t port, GError **error);
/* Node `node` is at host:port (a name or a numeric address). */
void tb_links_add_peer(tb_links *l, uint32_t node, const char *host, uint16_t port);
/* Dial every peer (dial_on_demand: none yet; each at its first message,
 * sent before or after). */
void tb_links_start(tb_links *l);
/* Queue `wire` for node `to` (the caller keeps its reference). To self:
 * delivered from the main loop, as if it had come back over a link. */
void tb_links_send(tb_links *l, uint32_t to, GBytes *wire);
const tb_link_stats *tb_links_stats(const tb_links *l);
/* Peers with an established outbound connection now. */
uint32_t tb_links_connected(const tb_links *l);

#endif
