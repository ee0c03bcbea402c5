/* The listening side of the links (see links.h): accept connections,
 * read frames as they arrive, check the hello, and hand every later
 * frame to the node as a message from the node the hello named.
 *
 * Everything read here is untrusted. A bad frame or hello is counted and
 * the connection dropped; the reader never buffers more than one header
 * and one allowed frame (frames.h), and before the hello the only frame
 * allowed is one of a hello's size; at most inbound_max connections are
 * open at once, and one that has not said hello within hello_timeout_ms
 * is dropped, so silent connections cannot hold the slots. Reads are non-blocking and bounded per wake-up, so
 * one busy peer cannot keep the main loop from timers and other peers. */
#include "tools/node/links_internal.h"

#define TB_READ_CHUNK_BYTES (64u * 1024)
#define TB_READS_PER_WAKE 16

static void inbound_close(tb_inbound *in)
{
    tb_links *l = in->links;
    tb_source_drop(&in->reader_source);
    tb_source_drop(&in->hello_deadline);
    g_io_stream_close(G_IO_STREAM(in->conn), NULL, NULL);
    g_object_unref(in->conn);
    tb_frame_reader_clear(&in->reader);
    g_ptr_array_remove_fast(l->inbound, in); /* frees it (the array owns it) */
}

/* The hello: this chain, a node that exists, not ourselves; or a client
 * (TB_HELLO_CLIENT), whose frames are delivered as from TB_HELLO_CLIENT. */
static bool inbound_hello(tb_inbound *in, GBytes *frame)
{
    const tb_links_options *o = &in->links->opt;
    tb_hello h;
    if (!tb_hello_decode(frame, &h) || h.chain_id != o->chain_id ||
        (h.node >= o->nodes_count && h.node != TB_HELLO_CLIENT) || h.node == o->self) {
        in->links->stats.bad_hello++;
        return false;
    }
    in->hello_done = true;
    in->from = h.node;
    in->reader.frame_max = in->links->opt.frame_max; /* messages may now be big */
    tb_source_drop(&in->hello_deadline);
    return true;
}

/* Every whole frame buffered; false if the connection must go. */
static bool inbound_drain(tb_inbound *in)
{
    tb_links *l = in->links;
    for (;;) {
        GBytes *frame = NULL;
        tb_frame_result r = tb_frame_reader_next(&in->reader, &frame);
        if (r == TB_FRAME_NEED_MORE)
            return true;
        if (r == TB_FRAME_EMPTY || r == TB_FRAME_OVERSIZED) {
            if (r == TB_FRAME_EMPTY)
                l->stats.bad_empty++;
            else
                l->stats.bad_oversized++;
            return false;
        }
        bool ok = true;
        if (!in->hello_done) {
            ok = inbound_hello(in, frame);
        } else {
            l->stats.frames_in++;
            l->stats.bytes_in += g_bytes_get_size(frame);
            l->deliver(l->deliver_ctx, in->from, frame);
        }
        g_bytes_unref(frame);
        if (!ok)
            return false;
    }
}

static gboolean inbound_readable(GSocket *socket, GIOCondition condition, gpointer data)
{
    tb_inbound *in = data;
    uint8_t buf[TB_READ_CHUNK_BYTES];
    for (int i = 0; i < TB_READS_PER_WAKE; i++) {
        GError *error = NULL;
        gssize got = g_socket_receive(socket, (gchar *)buf, sizeof buf, NULL, &error);
        if (got < 0 && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
            g_error_free(error);
            return G_SOURCE_CONTINUE;
        }
        g_clear_error(&error);
        if (got <= 0) {
            /* The peer closed (or reset) the connection: a frame cut
             * short is counted; a clean end between frames is not. */
            if (tb_frame_reader_pending(&in->reader) > 0)
                in->links->stats.bad_truncated++;
            inbound_close(in);
            return G_SOURCE_REMOVE;
        }
        tb_frame_reader_feed(&in->reader, buf, (size_t)got);
        if (!inbound_drain(in)) {
            inbound_close(in);
            return G_SOURCE_REMOVE;
        }
    }
    return G_SOURCE_CONTINUE;
}

static gboolean hello_overdue(gpointer data)
{
    tb_inbound *in = data;
    in->links->stats.bad_hello++;
    inbound_close(in); /* destroys this source too */
    return G_SOURCE_REMOVE;
}

static gboolean on_incoming(GSocketService *service, GSocketConnection *conn, GObject *source,
                            gpointer data)
{
    tb_links *l = data;
    if (l->inbound->len >= l->opt.inbound_max) {
        l->stats.refused_inbound++;
        g_io_stream_close(G_IO_STREAM(conn), NULL, NULL);
        return TRUE;
    }
    l->stats.accepted++;
    tb_inbound *in = g_new0(tb_inbound, 1);
    in->links = l;
    in->conn = g_object_ref(conn);
    in->socket = g_socket_connection_get_socket(conn);
    g_socket_set_blocking(in->socket, FALSE);
    /* Until it has said who it is, a dialer can make us hold one hello. */
    tb_frame_reader_init(&in->reader, TB_HELLO_BYTES);
    in->reader_source = g_socket_create_source(in->socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
    g_source_set_callback(in->reader_source, G_SOURCE_FUNC(inbound_readable), in, NULL);
    g_source_attach(in->reader_source, NULL);
    in->hello_deadline = g_timeout_source_new(l->opt.hello_timeout_ms);
    g_source_set_callback(in->hello_deadline, hello_overdue, in, NULL);
    g_source_attach(in->hello_deadline, NULL);
    g_ptr_array_add(l->inbound, in);
    return TRUE;
}

bool tb_links_in_listen(tb_links *l, const char *host, uint16_t port, GError **error)
{
    GInetAddress *inet = g_inet_address_new_from_string(host);
    if (inet == NULL) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "cannot listen on %s:%u: '%s' is not a numeric address", host, port, host);
        return false;
    }
    GSocketAddress *address = g_inet_socket_address_new(inet, port);
    g_object_unref(inet);
    l->service = g_socket_service_new();
    GError *local = NULL;
    bool ok = g_socket_listener_add_address(G_SOCKET_LISTENER(l->service), address,
                                            G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                            NULL, &local);
    g_object_unref(address);
    if (!ok) {
        bool in_use = g_error_matches(local, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
        g_set_error(error, local->domain, local->code, "cannot listen on %s:%u: %s", host, port,
                    in_use ? "the port is in use" : local->message);
        g_error_free(local);
        return false;
    }
    g_signal_connect(l->service, "incoming", G_CALLBACK(on_incoming), l);
    g_socket_service_start(l->service);
    return true;
}

void tb_links_in_close_all(tb_links *l)
{
    if (l->service != NULL) {
        g_socket_service_stop(l->service);
        g_socket_listener_close(G_SOCKET_LISTENER(l->service));
        g_signal_handlers_disconnect_by_data(l->service, l);
        g_object_unref(l->service);
        l->service = NULL;
    }
    while (l->inbound->len > 0)
        inbound_close(g_ptr_array_index(l->inbound, l->inbound->len - 1));
}
