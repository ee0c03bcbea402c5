/* The links' structures, shared by links.c (the API and the dialing
 * side) and link_in.c (the listening side). */
#ifndef AITBC_TOOLS_NODE_LINKS_INTERNAL_H
#define AITBC_TOOLS_NODE_LINKS_INTERNAL_H

#include "tools/node/frames.h"
#include "tools/node/links.h"

/* One peer we send to: an outbound connection, or the wait to dial it
 * again. At most one of (conn, dialing, redial_source) is set. */
typedef struct tb_peer {
    tb_links *links;
    uint32_t node;
    GSocketConnectable *address;
    GCancellable *dialing;       /* a connect in flight */
    GSource *redial_source;      /* waiting out the backoff */
    GSocketConnection *conn;     /* established */
    GSocket *socket;             /* conn's, non-blocking */
    GSource *watch;              /* the peer hung up (IN/HUP/ERR on a write-only link) */
    GSource *writer;             /* OUT, while queue holds unwritten bytes */
    GByteArray *queue;           /* framed bytes, unwritten from queue_start */
    size_t queue_start;
    uint32_t backoff_ms;         /* the next wait after a failure */
    bool wanted;                 /* dialed (and redialed after a failure) from now on */
} tb_peer;

/* One connection a peer dialed to us. */
typedef struct tb_inbound {
    tb_links *links;
    GSocketConnection *conn;
    GSocket *socket;
    GSource *reader_source;
    GSource *hello_deadline;     /* until the hello came: a silent dialer is dropped */
    tb_frame_reader reader;
    bool hello_done;
    uint32_t from;               /* the node its hello named */
} tb_inbound;

struct tb_links {
    tb_links_options opt;
    tb_deliver_fn deliver;
    void *deliver_ctx;
    tb_link_stats stats;
    GSocketClient *client;
    GSocketService *service;     /* NULL until tb_links_listen */
    GHashTable *peers;           /* node index (GUINT_TO_POINTER) -> tb_peer*; lookup only */
    GPtrArray *peer_list;        /* tb_peer*, in the order added: owns them */
    GPtrArray *inbound;          /* tb_inbound*: owns them */
    GQueue self_queue;           /* GBytes* sent to ourselves, delivered on idle */
    guint self_idle;             /* idle source id while self_queue is not empty */
    bool started;                /* tb_links_start was called */
};

/* links.c: destroy and release *s (if set; allowed from inside its own
 * dispatch) and set it NULL. */
void tb_source_drop(GSource **s);

/* link_in.c */
bool tb_links_in_listen(tb_links *l, const char *host, uint16_t port, GError **error);
void tb_links_in_close_all(tb_links *l);

#endif
