/* The testbed links (tools/node/links.h) in one process on loopback:
 * messages sent before the peer listens are queued and delivered, in
 * order, once a redial gets through; a peer that vanishes is noticed and
 * redialed; hostile connections (oversized, empty, truncated frames,
 * bad or missing hellos) are counted and closed while good traffic
 * flows; a port in use is an error naming it; an idle link stays up past
 * the dial timeout; a client's hello delivers its frames as from
 * TB_HELLO_CLIENT; links that dial on demand dial a peer only at its
 * first message, and count a gossip envelope by its inner type. */
#include <check.h>
#include <gio/gio.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "protocol/core/env.h"
#include "protocol/core/msgtype.h"
#include "tools/node/frames.h"
#include "tools/node/links.h"

#define CHAIN_ID 0xa17bc0000000001ULL
#define WAIT_MS 5000

typedef struct inbox {
    GPtrArray *messages; /* char*: "from:payload" */
} inbox;

static void deliver(void *ctx, uint32_t from, GBytes *wire)
{
    inbox *box = ctx;
    gsize size;
    const char *data = g_bytes_get_data(wire, &size);
    g_ptr_array_add(box->messages, g_strdup_printf("%u:%.*s", from, (int)size, data));
}

static void inbox_init(inbox *box)
{
    box->messages = g_ptr_array_new_with_free_func(g_free);
}

static const char *inbox_at(const inbox *box, guint i)
{
    ck_assert_uint_lt(i, box->messages->len);
    return g_ptr_array_index(box->messages, i);
}

/* A port nobody listens on now, outside the kernel's ephemeral range so
 * the links' own outbound sockets do not take it meanwhile. */
static uint16_t free_port(void)
{
    for (int attempt = 0; attempt < 200; attempt++) {
        uint16_t port = (uint16_t)(20000 + (getpid() * 7 + attempt * 131) % 12000);
        GSocket *s = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                  G_SOCKET_PROTOCOL_TCP, NULL);
        GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
        GSocketAddress *a = g_inet_socket_address_new(lo, port);
        gboolean ok = g_socket_bind(s, a, FALSE, NULL);
        g_object_unref(a);
        g_object_unref(lo);
        g_socket_close(s, NULL);
        g_object_unref(s);
        if (ok)
            return port;
    }
    ck_abort_msg("no free port");
    return 0;
}

/* Run the main loop until *counter reaches want (or fail after WAIT_MS). */
static void run_until(const uint64_t *counter, uint64_t want, const char *what)
{
    gint64 deadline = g_get_monotonic_time() + WAIT_MS * 1000;
    while (*counter < want) {
        ck_assert_msg(g_get_monotonic_time() < deadline, "timed out waiting for %s (%lu < %lu)",
                      what, (unsigned long)*counter, (unsigned long)want);
        g_main_context_iteration(NULL, FALSE);
        g_usleep(1000);
    }
}

static void run_until_len(const inbox *box, guint want)
{
    gint64 deadline = g_get_monotonic_time() + WAIT_MS * 1000;
    while (box->messages->len < want) {
        ck_assert_msg(g_get_monotonic_time() < deadline, "timed out: %u of %u messages",
                      box->messages->len, want);
        g_main_context_iteration(NULL, FALSE);
        g_usleep(1000);
    }
}

static tb_links *links_for(uint32_t self, inbox *box)
{
    tb_links_options o;
    tb_links_options_defaults(&o, self, 2, CHAIN_ID);
    o.frame_max = 1024;
    o.hello_timeout_ms = 300;
    return tb_links_new(&o, deliver, box);
}

static void send_text(tb_links *l, uint32_t to, const char *text)
{
    GBytes *b = g_bytes_new(text, strlen(text));
    tb_links_send(l, to, b);
    g_bytes_unref(b);
}

START_TEST(queued_until_the_peer_listens_then_redialed_after_it_vanishes)
{
    uint16_t port = free_port();
    inbox a_box, b_box;
    inbox_init(&a_box);
    inbox_init(&b_box);
    tb_links *a = links_for(0, &a_box);
    tb_links_add_peer(a, 1, "127.0.0.1", port);
    tb_links_start(a);
    send_text(a, 1, "m1");
    send_text(a, 1, "m2");
    send_text(a, 0, "to myself");
    run_until(&tb_links_stats(a)->dial_failures, 2, "two failed dials");
    send_text(a, 1, "m3");
    ck_assert_str_eq(inbox_at(&a_box, 0), "0:to myself");

    tb_links *b = links_for(1, &b_box);
    GError *error = NULL;
    ck_assert_msg(tb_links_listen(b, "127.0.0.1", port, &error), "%s",
                  error != NULL ? error->message : "");
    run_until_len(&b_box, 3);
    ck_assert_str_eq(inbox_at(&b_box, 0), "0:m1");
    ck_assert_str_eq(inbox_at(&b_box, 1), "0:m2");
    ck_assert_str_eq(inbox_at(&b_box, 2), "0:m3");
    ck_assert_uint_eq(tb_links_stats(a)->connects, 1);
    ck_assert_uint_eq(tb_links_connected(a), 1);

    /* B vanishes; A notices, and a new B on the same port gets what A
     * sends next. */
    tb_links_free(b);
    run_until(&tb_links_stats(a)->disconnects, 1, "the hang-up");
    ck_assert_uint_eq(tb_links_connected(a), 0);
    send_text(a, 1, "m4");
    g_ptr_array_set_size(b_box.messages, 0);
    b = links_for(1, &b_box);
    ck_assert(tb_links_listen(b, "127.0.0.1", port, NULL));
    run_until_len(&b_box, 1);
    ck_assert_str_eq(inbox_at(&b_box, 0), "0:m4");
    ck_assert_uint_eq(tb_links_stats(a)->connects, 2);

    /* Nowhere to send: counted. */
    send_text(a, 5, "lost");
    ck_assert_uint_eq(tb_links_stats(a)->dropped_no_route, 1);
    tb_links_free(a);
    tb_links_free(b);
    g_ptr_array_unref(a_box.messages);
    g_ptr_array_unref(b_box.messages);
}
END_TEST

/* A raw connection to port that writes bytes (and closes if asked). */
static GSocketConnection *raw_send(uint16_t port, const void *bytes, size_t size, bool close)
{
    GSocketClient *client = g_socket_client_new();
    GSocketConnection *c = g_socket_client_connect_to_host(client, "127.0.0.1", port, NULL, NULL);
    ck_assert(c != NULL);
    g_object_unref(client);
    GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(c));
    if (size > 0)
        ck_assert(g_output_stream_write_all(out, bytes, size, NULL, NULL, NULL));
    if (close) {
        g_io_stream_close(G_IO_STREAM(c), NULL, NULL);
        g_clear_object(&c);
    }
    return c;
}

/* The connection was closed by the other side: a read returns 0. */
static void assert_closed_by_peer(GSocketConnection *c)
{
    GSocket *s = g_socket_connection_get_socket(c);
    g_socket_set_timeout(s, 2);
    char buf[8];
    ck_assert_int_eq(g_socket_receive(s, buf, sizeof buf, NULL, NULL), 0);
    g_object_unref(c);
}

static GByteArray *hello_frame(uint64_t chain, uint32_t node)
{
    GByteArray *f = g_byte_array_new();
    uint8_t hello[TB_HELLO_BYTES];
    tb_hello_encode(&(tb_hello){.chain_id = chain, .node = node}, hello);
    tb_frame_append(f, hello, sizeof hello);
    return f;
}

START_TEST(hostile_connections_are_counted_and_closed)
{
    uint16_t port = free_port();
    inbox box;
    inbox_init(&box);
    tb_links *b = links_for(1, &box);
    ck_assert(tb_links_listen(b, "127.0.0.1", port, NULL));
    const tb_link_stats *st = tb_links_stats(b);

    GSocketConnection *c = raw_send(port, "\xff\xff\xff\xff", 4, false);
    run_until(&st->bad_oversized, 1, "an oversized frame");
    assert_closed_by_peer(c);
    c = raw_send(port, "\0\0\0\0", 4, false);
    run_until(&st->bad_empty, 1, "an empty frame");
    assert_closed_by_peer(c);
    /* Within frame_max, but before the hello only a hello's size is. */
    c = raw_send(port, "\x64\0\0\0", 4, false);
    run_until(&st->bad_oversized, 2, "a first frame bigger than a hello");
    assert_closed_by_peer(c);
    GByteArray *f = hello_frame(CHAIN_ID + 1, 0); /* another chain */
    c = raw_send(port, f->data, f->len, false);
    run_until(&st->bad_hello, 1, "a hello for another chain");
    assert_closed_by_peer(c);
    g_byte_array_unref(f);
    f = hello_frame(CHAIN_ID, 1); /* claims to be B itself */
    c = raw_send(port, f->data, f->len, false);
    run_until(&st->bad_hello, 2, "a hello from ourselves");
    assert_closed_by_peer(c);
    g_byte_array_unref(f);
    c = raw_send(port, NULL, 0, false); /* says nothing */
    run_until(&st->bad_hello, 3, "a missing hello");
    assert_closed_by_peer(c);

    /* A good hello, good frames (one far bigger than a hello), then one
     * cut short. */
    f = hello_frame(CHAIN_ID, 0);
    tb_frame_append(f, "fine", 4);
    char big[500];
    memset(big, 'x', sizeof big);
    tb_frame_append(f, big, sizeof big);
    g_byte_array_append(f, (const uint8_t *)"\x09\0\0\0abc", 7);
    raw_send(port, f->data, f->len, true);
    g_byte_array_unref(f);
    run_until(&st->bad_truncated, 1, "a truncated frame");
    ck_assert_uint_eq(box.messages->len, 2);
    ck_assert_str_eq(inbox_at(&box, 0), "0:fine");
    ck_assert_uint_eq(strlen(inbox_at(&box, 1)), 2 + sizeof big);
    ck_assert_uint_eq(st->frames_in, 2);
    ck_assert_uint_eq(st->accepted, 7);
    tb_links_free(b);
    g_ptr_array_unref(box.messages);
}
END_TEST

/* Run the main loop for ms. */
static void run_for(int ms)
{
    gint64 until = g_get_monotonic_time() + ms * 1000;
    while (g_get_monotonic_time() < until) {
        g_main_context_iteration(NULL, FALSE);
        g_usleep(1000);
    }
}

START_TEST(an_idle_link_outlives_the_dial_timeout)
{
    uint16_t port = free_port();
    inbox a_box, b_box;
    inbox_init(&a_box);
    inbox_init(&b_box);
    tb_links_options o;
    tb_links_options_defaults(&o, 0, 2, CHAIN_ID);
    o.dial_timeout_s = 1;
    tb_links *a = tb_links_new(&o, deliver, &a_box);
    tb_links *b = links_for(1, &b_box);
    ck_assert(tb_links_listen(b, "127.0.0.1", port, NULL));
    tb_links_add_peer(a, 1, "127.0.0.1", port);
    tb_links_start(a);
    run_until(&tb_links_stats(a)->connects, 1, "the connection");
    run_for(2500); /* idle for more than twice the dial timeout */
    ck_assert_uint_eq(tb_links_stats(a)->disconnects, 0);
    ck_assert_uint_eq(tb_links_stats(a)->connects, 1);
    send_text(a, 1, "still here");
    run_until_len(&b_box, 1);
    ck_assert_str_eq(inbox_at(&b_box, 0), "0:still here");
    tb_links_free(a);
    tb_links_free(b);
    g_ptr_array_unref(a_box.messages);
    g_ptr_array_unref(b_box.messages);
}
END_TEST

START_TEST(a_client_hello_is_delivered_as_the_client)
{
    uint16_t port = free_port();
    inbox c_box, b_box;
    inbox_init(&c_box);
    inbox_init(&b_box);
    tb_links_options o;
    tb_links_options_defaults(&o, TB_HELLO_CLIENT, 2, CHAIN_ID);
    tb_links *client = tb_links_new(&o, deliver, &c_box);
    tb_links *b = links_for(1, &b_box);
    ck_assert(tb_links_listen(b, "127.0.0.1", port, NULL));
    tb_links_add_peer(client, 1, "127.0.0.1", port);
    tb_links_start(client);
    send_text(client, 1, "tx");
    run_until_len(&b_box, 1);
    char *want = g_strdup_printf("%u:tx", TB_HELLO_CLIENT);
    ck_assert_str_eq(inbox_at(&b_box, 0), want);
    ck_assert_uint_eq(tb_links_stats(b)->bad_hello, 0);
    g_free(want);
    tb_links_free(client);
    tb_links_free(b);
    g_ptr_array_unref(c_box.messages);
    g_ptr_array_unref(b_box.messages);
}
END_TEST

START_TEST(port_in_use_is_an_error_naming_it)
{
    uint16_t port = free_port();
    inbox box;
    inbox_init(&box);
    tb_links *b = links_for(1, &box);
    ck_assert(tb_links_listen(b, "127.0.0.1", port, NULL));
    tb_links *c = links_for(0, &box);
    GError *error = NULL;
    ck_assert(!tb_links_listen(c, "127.0.0.1", port, &error));
    ck_assert(g_error_matches(error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE));
    char *where = g_strdup_printf("127.0.0.1:%u", port);
    ck_assert_msg(strstr(error->message, where) != NULL && strstr(error->message, "in use"),
                  "%s", error->message);
    g_free(where);
    g_clear_error(&error);
    tb_links *d = links_for(0, &box);
    ck_assert(!tb_links_listen(d, "localhost", port, &error));
    ck_assert_msg(strstr(error->message, "numeric") != NULL, "%s", error->message);
    g_error_free(error);
    tb_links_free(d);
    tb_links_free(c);
    tb_links_free(b);
    g_ptr_array_unref(box.messages);
}
END_TEST

/* A mesh node's links: no dial at start; the first message for a peer
 * dials it, and only it; a gossip envelope is counted by its inner type. */
START_TEST(dial_on_demand_dials_a_peer_at_its_first_message)
{
    uint16_t port_b = free_port();
    uint16_t port_c = (uint16_t)(port_b + 1);
    inbox a_box, b_box;
    inbox_init(&a_box);
    inbox_init(&b_box);
    tb_links_options o;
    tb_links_options_defaults(&o, 0, 3, CHAIN_ID);
    o.dial_on_demand = true;
    tb_links *a = tb_links_new(&o, deliver, &a_box);
    tb_links *b = links_for(1, &b_box);
    ck_assert(tb_links_listen(b, "127.0.0.1", port_b, NULL));
    tb_links_add_peer(a, 1, "127.0.0.1", port_b);
    tb_links_add_peer(a, 2, "127.0.0.1", port_c); /* nobody there: must never be dialed */
    tb_links_start(a);
    run_for(300);
    ck_assert_uint_eq(tb_links_stats(a)->connects, 0);
    ck_assert_uint_eq(tb_links_stats(a)->dial_failures, 0);
    const uint8_t gossip[] = {PROTO_MSG_P2P_GOSSIP, PROTO_SCOPE_ALL, PROTO_MSG_TX, 'x'};
    GBytes *w = g_bytes_new(gossip, sizeof gossip);
    tb_links_send(a, 1, w);
    g_bytes_unref(w);
    run_until_len(&b_box, 1);
    ck_assert_uint_eq(tb_links_stats(a)->connects, 1);
    ck_assert_uint_eq(tb_links_stats(a)->dial_failures, 0);
    ck_assert_uint_eq(tb_links_stats(a)->type_frames_out[PROTO_MSG_TX], 1);
    ck_assert_uint_eq(tb_links_stats(a)->type_frames_out[PROTO_MSG_P2P_GOSSIP], 0);
    tb_links_free(a);
    tb_links_free(b);
    g_ptr_array_unref(a_box.messages);
    g_ptr_array_unref(b_box.messages);
}
END_TEST

static Suite *links_suite(void)
{
    Suite *s = suite_create("links");
    TCase *tc = tcase_create("loopback");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, queued_until_the_peer_listens_then_redialed_after_it_vanishes);
    tcase_add_test(tc, hostile_connections_are_counted_and_closed);
    tcase_add_test(tc, port_in_use_is_an_error_naming_it);
    tcase_add_test(tc, an_idle_link_outlives_the_dial_timeout);
    tcase_add_test(tc, a_client_hello_is_delivered_as_the_client);
    tcase_add_test(tc, dial_on_demand_dials_a_peer_at_its_first_message);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(links_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
