/* The links (see links.h): the API and the dialing side, one outbound
 * connection per peer with its queue, its writer and its backoff. The
 * listening side is link_in.c.
 *
 * Life of a peer: dial -> connected (the hello goes first, then what was
 * queued) -> on a write error or a hang-up, the connection and the bytes
 * queued on it are dropped and the peer waits out its backoff -> dial
 * again. Only one of those states holds at a time (links_internal.h). */
#include "tools/node/links_internal.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sodium.h>

#include "protocol/core/msgtype.h"

#define TB_QUEUE_BYTES_MAX_DEFAULT (64u * 1024 * 1024)
#define TB_INBOUND_PER_NODE 4u
#define TB_INBOUND_CLIENTS 4u  /* on top: the testbed driver's client connections */
#define TB_BACKOFF_MIN_MS 100u
#define TB_BACKOFF_MAX_MS 5000u
#define TB_DIAL_TIMEOUT_S 2u
#define TB_HELLO_TIMEOUT_MS 5000u
#define TB_QUEUE_COMPACT_MIN (1024u * 1024)

#define STAT(name) {#name, G_STRUCT_OFFSET(tb_link_stats, name)}
const tb_link_stat_field tb_link_stat_fields[] = {
    STAT(frames_in),       STAT(bytes_in),         STAT(frames_out),
    STAT(bytes_out),       STAT(accepted),         STAT(refused_inbound),
    STAT(connects),        STAT(dial_failures),    STAT(disconnects),
    STAT(bad_empty),       STAT(bad_oversized),    STAT(bad_truncated),
    STAT(bad_hello),       STAT(dropped_no_route), STAT(dropped_queue_full),
    STAT(dropped_oversized), STAT(dropped_unsent_bytes),
};
const size_t tb_link_stat_fields_count = G_N_ELEMENTS(tb_link_stat_fields);
#undef STAT

void tb_links_options_defaults(tb_links_options *o, uint32_t self, uint32_t nodes_count,
                               uint64_t chain_id)
{
    *o = (tb_links_options){.self = self,
                            .nodes_count = nodes_count,
                            .chain_id = chain_id,
                            .frame_max = TB_FRAME_MAX_DEFAULT,
                            .queue_bytes_max = TB_QUEUE_BYTES_MAX_DEFAULT,
                            .inbound_max = TB_INBOUND_PER_NODE * nodes_count + TB_INBOUND_CLIENTS,
                            .dial_backoff_min_ms = TB_BACKOFF_MIN_MS,
                            .dial_backoff_max_ms = TB_BACKOFF_MAX_MS,
                            .dial_timeout_s = TB_DIAL_TIMEOUT_S,
                            .hello_timeout_ms = TB_HELLO_TIMEOUT_MS};
}

static void peer_dial(tb_peer *p);

/* ---- the state of one peer ---- */

static size_t queue_pending(const tb_peer *p)
{
    return p->queue->len - p->queue_start;
}

static void queue_reset(tb_peer *p)
{
    g_byte_array_set_size(p->queue, 0);
    p->queue_start = 0;
}

void tb_source_drop(GSource **s)
{
    if (*s == NULL)
        return;
    g_source_destroy(*s);
    g_source_unref(*s);
    *s = NULL;
}

static gboolean redial_due(gpointer data)
{
    tb_peer *p = data;
    tb_source_drop(&p->redial_source); /* destroying the dispatching source is allowed */
    peer_dial(p);
    return G_SOURCE_REMOVE;
}

/* Wait backoff_ms (with up to a quarter more at random, so peers that
 * lost one node do not all dial it in step), then dial again. */
static void peer_wait(tb_peer *p)
{
    const tb_links_options *o = &p->links->opt;
    uint32_t wait_ms = p->backoff_ms + randombytes_uniform(p->backoff_ms / 4 + 1);
    p->backoff_ms = MIN(p->backoff_ms * 2, o->dial_backoff_max_ms);
    p->redial_source = g_timeout_source_new(wait_ms);
    g_source_set_callback(p->redial_source, redial_due, p, NULL);
    g_source_attach(p->redial_source, NULL);
}

/* The connection is gone: what was queued on it is lost. */
static void peer_disconnect(tb_peer *p)
{
    tb_links *l = p->links;
    tb_source_drop(&p->watch);
    tb_source_drop(&p->writer);
    g_io_stream_close(G_IO_STREAM(p->conn), NULL, NULL);
    g_clear_object(&p->conn);
    p->socket = NULL;
    l->stats.disconnects++;
    l->stats.dropped_unsent_bytes += queue_pending(p);
    queue_reset(p);
    peer_wait(p);
}

static gboolean peer_writable(GSocket *socket, GIOCondition condition, gpointer data);

/* Write what the socket takes now; watch for OUT if something is left. */
static void peer_flush(tb_peer *p)
{
    while (queue_pending(p) > 0) {
        GError *error = NULL;
        gssize sent = g_socket_send(p->socket, (const gchar *)p->queue->data + p->queue_start,
                                    queue_pending(p), NULL, &error);
        if (sent < 0 && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
            g_error_free(error);
            if (p->writer == NULL) {
                p->writer = g_socket_create_source(p->socket, G_IO_OUT, NULL);
                g_source_set_callback(p->writer, G_SOURCE_FUNC(peer_writable), p, NULL);
                g_source_attach(p->writer, NULL);
            }
            return;
        }
        if (sent <= 0) {
            g_clear_error(&error);
            peer_disconnect(p);
            return;
        }
        p->queue_start += (size_t)sent;
        p->links->stats.bytes_out += (uint64_t)sent;
    }
    queue_reset(p);
    tb_source_drop(&p->writer);
}

static gboolean peer_writable(GSocket *socket, GIOCondition condition, gpointer data)
{
    peer_flush(data); /* drops the writer itself when done or disconnected */
    return G_SOURCE_CONTINUE;
}

/* Nothing is ever sent to us on a link we dialed: readable means the
 * peer closed it (or broke the protocol); either way it is done. */
static gboolean peer_hung_up(GSocket *socket, GIOCondition condition, gpointer data)
{
    peer_disconnect(data);
    return G_SOURCE_REMOVE;
}

static void peer_connected(tb_peer *p, GSocketConnection *conn)
{
    tb_links *l = p->links;
    l->stats.connects++;
    p->backoff_ms = l->opt.dial_backoff_min_ms;
    p->conn = conn;
    p->socket = g_socket_connection_get_socket(conn);
    g_socket_set_blocking(p->socket, FALSE);
    /* The client's dial timeout stays on the socket it made, and a socket
     * source with a timeout fires when it runs out as if its condition
     * had come: the hang-up watch below would end every link after
     * dial_timeout_s. The link has no timeout once it is up. */
    g_socket_set_timeout(p->socket, 0);
    /* Votes are small and latency is the point: no Nagle delay. */
    g_socket_set_option(p->socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
    GByteArray *hello_frame = g_byte_array_new();
    uint8_t hello[TB_HELLO_BYTES];
    tb_hello_encode(&(tb_hello){.chain_id = l->opt.chain_id, .node = l->opt.self}, hello);
    tb_frame_append(hello_frame, hello, sizeof hello);
    g_byte_array_prepend(p->queue, hello_frame->data, hello_frame->len);
    g_byte_array_unref(hello_frame);
    p->watch = g_socket_create_source(p->socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
    g_source_set_callback(p->watch, G_SOURCE_FUNC(peer_hung_up), p, NULL);
    g_source_attach(p->watch, NULL);
    peer_flush(p);
}

static void dial_done(GObject *client, GAsyncResult *result, gpointer data)
{
    GError *error = NULL;
    GSocketConnection *conn =
        g_socket_client_connect_finish(G_SOCKET_CLIENT(client), result, &error);
    if (conn == NULL && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
        g_error_free(error); /* the links are being freed: data is gone */
        return;
    }
    tb_peer *p = data;
    g_clear_object(&p->dialing);
    if (conn == NULL) {
        g_error_free(error);
        p->links->stats.dial_failures++;
        peer_wait(p);
        return;
    }
    peer_connected(p, conn);
}

static void peer_dial(tb_peer *p)
{
    g_assert(p->conn == NULL && p->dialing == NULL && p->redial_source == NULL);
    p->dialing = g_cancellable_new();
    g_socket_client_connect_async(p->links->client, p->address, p->dialing, dial_done, p);
}

static void peer_free(gpointer data)
{
    tb_peer *p = data;
    if (p->dialing != NULL) {
        g_cancellable_cancel(p->dialing);
        g_clear_object(&p->dialing);
    }
    tb_source_drop(&p->redial_source);
    tb_source_drop(&p->watch);
    tb_source_drop(&p->writer);
    if (p->conn != NULL)
        g_io_stream_close(G_IO_STREAM(p->conn), NULL, NULL);
    g_clear_object(&p->conn);
    g_object_unref(p->address);
    g_byte_array_unref(p->queue);
    g_free(p);
}

/* ---- the API ---- */

static void inbound_free(gpointer data)
{
    g_free(data);
}

tb_links *tb_links_new(const tb_links_options *opt, tb_deliver_fn deliver, void *ctx)
{
    g_assert((opt->self < opt->nodes_count || opt->self == TB_HELLO_CLIENT) &&
             opt->frame_max > 0 && opt->dial_backoff_min_ms > 0);
    tb_links *l = g_new0(tb_links, 1);
    l->opt = *opt;
    l->deliver = deliver;
    l->deliver_ctx = ctx;
    l->client = g_socket_client_new();
    g_socket_client_set_timeout(l->client, opt->dial_timeout_s);
    /* Peers are dialed directly, whatever proxy the environment names. */
    g_socket_client_set_enable_proxy(l->client, FALSE);
    l->peers = g_hash_table_new(g_direct_hash, g_direct_equal);
    l->peer_list = g_ptr_array_new_with_free_func(peer_free);
    l->inbound = g_ptr_array_new_with_free_func(inbound_free);
    g_queue_init(&l->self_queue);
    return l;
}

void tb_links_free(tb_links *l)
{
    if (l == NULL)
        return;
    tb_links_in_close_all(l);
    g_ptr_array_unref(l->inbound);
    g_hash_table_destroy(l->peers);
    g_ptr_array_unref(l->peer_list);
    if (l->self_idle != 0)
        g_source_remove(l->self_idle);
    g_queue_clear_full(&l->self_queue, (GDestroyNotify)g_bytes_unref);
    g_object_unref(l->client);
    g_free(l);
}

bool tb_links_listen(tb_links *l, const char *host, uint16_t port, GError **error)
{
    g_assert(l->service == NULL);
    return tb_links_in_listen(l, host, port, error);
}

void tb_links_add_peer(tb_links *l, uint32_t node, const char *host, uint16_t port)
{
    g_assert(node < l->opt.nodes_count && node != l->opt.self);
    g_assert(g_hash_table_lookup(l->peers, GUINT_TO_POINTER(node)) == NULL);
    tb_peer *p = g_new0(tb_peer, 1);
    p->links = l;
    p->node = node;
    p->address = g_network_address_new(host, port);
    p->queue = g_byte_array_new();
    p->backoff_ms = l->opt.dial_backoff_min_ms;
    g_hash_table_insert(l->peers, GUINT_TO_POINTER(node), p);
    g_ptr_array_add(l->peer_list, p);
}

/* From now on the peer is dialed, and dialed again whenever it is lost. */
static void peer_want(tb_peer *p)
{
    if (p->wanted)
        return;
    p->wanted = true;
    peer_dial(p);
}

void tb_links_start(tb_links *l)
{
    l->started = true;
    for (guint i = 0; i < l->peer_list->len; i++) {
        tb_peer *p = g_ptr_array_index(l->peer_list, i);
        if (!l->opt.dial_on_demand || queue_pending(p) > 0)
            peer_want(p);
    }
}

static gboolean self_deliver(gpointer data)
{
    tb_links *l = data;
    l->self_idle = 0;
    GBytes *wire;
    /* Only what was queued before this call: a message the node sends
     * itself while handling one waits for the next turn of the loop. */
    guint count = g_queue_get_length(&l->self_queue);
    for (guint i = 0; i < count && (wire = g_queue_pop_head(&l->self_queue)) != NULL; i++) {
        l->deliver(l->deliver_ctx, l->opt.self, wire);
        g_bytes_unref(wire);
    }
    if (!g_queue_is_empty(&l->self_queue) && l->self_idle == 0)
        l->self_idle = g_idle_add(self_deliver, l);
    return G_SOURCE_REMOVE;
}

void tb_links_send(tb_links *l, uint32_t to, GBytes *wire)
{
    gsize size = g_bytes_get_size(wire);
    if (to == l->opt.self) {
        g_queue_push_tail(&l->self_queue, g_bytes_ref(wire));
        if (l->self_idle == 0)
            l->self_idle = g_idle_add(self_deliver, l);
        return;
    }
    tb_peer *p = g_hash_table_lookup(l->peers, GUINT_TO_POINTER(to));
    if (p == NULL) {
        l->stats.dropped_no_route++;
        return;
    }
    if (size == 0 || size > l->opt.frame_max) {
        l->stats.dropped_oversized++;
        return;
    }
    if (queue_pending(p) + TB_FRAME_HEADER_BYTES + size > l->opt.queue_bytes_max) {
        l->stats.dropped_queue_full++;
        return;
    }
    /* A socket that keeps up only partly: drop the written front now and
     * then, so the array holds about what is pending. */
    if (p->queue_start >= TB_QUEUE_COMPACT_MIN && p->queue_start * 2 >= p->queue->len) {
        g_byte_array_remove_range(p->queue, 0, (guint)p->queue_start);
        p->queue_start = 0;
    }
    const uint8_t *data = g_bytes_get_data(wire, NULL);
    tb_frame_append(p->queue, data, size);
    l->stats.frames_out++;
    /* By type as the simulator's network counts: a gossip envelope by
     * the message inside. */
    uint8_t type = proto_msg_counted_type(data, size);
    l->stats.type_frames_out[type]++;
    l->stats.type_bytes_out[type] += size;
    if (p->conn != NULL && p->writer == NULL)
        peer_flush(p);
    else if (l->started)
        peer_want(p);
}

const tb_link_stats *tb_links_stats(const tb_links *l)
{
    return &l->stats;
}

uint32_t tb_links_connected(const tb_links *l)
{
    uint32_t count = 0;
    for (guint i = 0; i < l->peer_list->len; i++)
        if (((const tb_peer *)g_ptr_array_index(l->peer_list, i))->conn != NULL)
            count++;
    return count;
}
