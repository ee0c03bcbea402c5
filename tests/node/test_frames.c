/* The testbed link's frame codec and hello (tools/node/frames.h): frames
 * come back whole however the stream is cut; empty and oversized headers
 * are refused as soon as the header arrives (before any payload is
 * buffered) and stay refused; a stream that ends inside a frame shows
 * pending bytes; random garbage never yields a frame over the limit; a
 * hello decodes only when it is exactly one. */
#include <check.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "tools/node/frames.h"

#define SMALL_MAX 64u

static GBytes *next_ok(tb_frame_reader *r)
{
    GBytes *out = NULL;
    tb_frame_result res = tb_frame_reader_next(r, &out);
    ck_assert_msg(res == TB_FRAME_OK, "expected a frame, got %s", tb_frame_result_name(res));
    return out;
}

static void assert_bytes(GBytes *b, const char *text)
{
    gsize size;
    const char *data = g_bytes_get_data(b, &size);
    ck_assert_uint_eq(size, strlen(text));
    ck_assert(memcmp(data, text, size) == 0);
}

START_TEST(frames_round_trip_in_any_cut)
{
    const char *payloads[] = {"a", "hello", "a longer payload of bytes", "x"};
    GByteArray *stream = g_byte_array_new();
    for (size_t i = 0; i < G_N_ELEMENTS(payloads); i++)
        tb_frame_append(stream, payloads[i], strlen(payloads[i]));
    /* Fed in pieces of every size from 1 byte to the whole stream. */
    for (guint piece = 1; piece <= stream->len; piece++) {
        tb_frame_reader r;
        tb_frame_reader_init(&r, SMALL_MAX);
        size_t got = 0;
        for (guint at = 0; at < stream->len; at += piece) {
            tb_frame_reader_feed(&r, stream->data + at, MIN(piece, stream->len - at));
            GBytes *frame;
            tb_frame_result res;
            while ((res = tb_frame_reader_next(&r, &frame)) == TB_FRAME_OK) {
                ck_assert_uint_lt(got, G_N_ELEMENTS(payloads));
                assert_bytes(frame, payloads[got++]);
                g_bytes_unref(frame);
            }
            ck_assert_int_eq(res, TB_FRAME_NEED_MORE);
            ck_assert(frame == NULL);
        }
        ck_assert_uint_eq(got, G_N_ELEMENTS(payloads));
        ck_assert_uint_eq(tb_frame_reader_pending(&r), 0);
        tb_frame_reader_clear(&r);
    }
    g_byte_array_unref(stream);
}
END_TEST

START_TEST(frames_truncated_leave_pending_bytes)
{
    GByteArray *stream = g_byte_array_new();
    tb_frame_append(stream, "complete", 8);
    tb_frame_append(stream, "cut short", 9);
    tb_frame_reader r;
    tb_frame_reader_init(&r, SMALL_MAX);
    tb_frame_reader_feed(&r, stream->data, stream->len - 3); /* the stream ends early */
    GBytes *frame = next_ok(&r);
    assert_bytes(frame, "complete");
    g_bytes_unref(frame);
    ck_assert_int_eq(tb_frame_reader_next(&r, &frame), TB_FRAME_NEED_MORE);
    ck_assert_uint_eq(tb_frame_reader_pending(&r), TB_FRAME_HEADER_BYTES + 9 - 3);
    /* A header cut short is pending too. */
    tb_frame_reader r2;
    tb_frame_reader_init(&r2, SMALL_MAX);
    tb_frame_reader_feed(&r2, stream->data, 2);
    ck_assert_int_eq(tb_frame_reader_next(&r2, &frame), TB_FRAME_NEED_MORE);
    ck_assert_uint_eq(tb_frame_reader_pending(&r2), 2);
    tb_frame_reader_clear(&r);
    tb_frame_reader_clear(&r2);
    g_byte_array_unref(stream);
}
END_TEST

START_TEST(frames_oversized_refused_at_the_header)
{
    tb_frame_reader r;
    tb_frame_reader_init(&r, SMALL_MAX);
    GByteArray *stream = g_byte_array_new();
    tb_frame_append(stream, "ok", 2);
    uint8_t head[TB_FRAME_HEADER_BYTES] = {SMALL_MAX + 1, 0, 0, 0}; /* one over the limit */
    g_byte_array_append(stream, head, sizeof head);
    tb_frame_reader_feed(&r, stream->data, stream->len);
    GBytes *frame = next_ok(&r);
    g_bytes_unref(frame);
    /* No payload has arrived: the header alone is enough to refuse. */
    ck_assert_int_eq(tb_frame_reader_next(&r, &frame), TB_FRAME_OVERSIZED);
    ck_assert(frame == NULL);
    /* Latched: more bytes (even a good frame) change nothing, and are
     * not kept. */
    GByteArray *more = g_byte_array_new();
    tb_frame_append(more, "good", 4);
    size_t before = tb_frame_reader_pending(&r);
    tb_frame_reader_feed(&r, more->data, more->len);
    ck_assert_uint_eq(tb_frame_reader_pending(&r), before);
    ck_assert_int_eq(tb_frame_reader_next(&r, &frame), TB_FRAME_OVERSIZED);
    /* The largest header, 4 GiB - 1. */
    tb_frame_reader r2;
    tb_frame_reader_init(&r2, SMALL_MAX);
    tb_frame_reader_feed(&r2, "\xff\xff\xff\xff", 4);
    ck_assert_int_eq(tb_frame_reader_next(&r2, &frame), TB_FRAME_OVERSIZED);
    /* Exactly the limit is fine. */
    tb_frame_reader r3;
    tb_frame_reader_init(&r3, SMALL_MAX);
    char big[SMALL_MAX];
    memset(big, 'b', sizeof big);
    g_byte_array_set_size(more, 0);
    tb_frame_append(more, big, sizeof big);
    tb_frame_reader_feed(&r3, more->data, more->len);
    frame = next_ok(&r3);
    ck_assert_uint_eq(g_bytes_get_size(frame), SMALL_MAX);
    g_bytes_unref(frame);
    tb_frame_reader_clear(&r);
    tb_frame_reader_clear(&r2);
    tb_frame_reader_clear(&r3);
    g_byte_array_unref(more);
    g_byte_array_unref(stream);
}
END_TEST

START_TEST(frames_empty_refused)
{
    tb_frame_reader r;
    tb_frame_reader_init(&r, SMALL_MAX);
    tb_frame_reader_feed(&r, "\0\0\0\0abc", 7);
    GBytes *frame;
    ck_assert_int_eq(tb_frame_reader_next(&r, &frame), TB_FRAME_EMPTY);
    ck_assert_int_eq(tb_frame_reader_next(&r, &frame), TB_FRAME_EMPTY);
    ck_assert_str_eq(tb_frame_result_name(TB_FRAME_EMPTY), "empty");
    tb_frame_reader_clear(&r);
}
END_TEST

/* Random bytes: whatever comes out is within the limit, and a refusal
 * is final. A fixed seed, so a failure replays. */
START_TEST(frames_garbage_never_exceeds_the_limit)
{
    GRand *rand = g_rand_new_with_seed(7);
    for (int round = 0; round < 2000; round++) {
        tb_frame_reader r;
        tb_frame_reader_init(&r, SMALL_MAX);
        tb_frame_result last = TB_FRAME_NEED_MORE;
        for (int feed = 0; feed < 8 && (last == TB_FRAME_NEED_MORE || last == TB_FRAME_OK);
             feed++) {
            uint8_t buf[96];
            guint size = (guint)g_rand_int_range(rand, 0, sizeof buf + 1);
            for (guint i = 0; i < size; i++)
                buf[i] = (uint8_t)g_rand_int_range(rand, 0, 256);
            /* Small lengths now and then, so some frames do come out. */
            if (size >= 4 && g_rand_boolean(rand))
                buf[1] = buf[2] = buf[3] = 0;
            tb_frame_reader_feed(&r, buf, size);
            GBytes *frame;
            while ((last = tb_frame_reader_next(&r, &frame)) == TB_FRAME_OK) {
                ck_assert_uint_ge(g_bytes_get_size(frame), 1);
                ck_assert_uint_le(g_bytes_get_size(frame), SMALL_MAX);
                g_bytes_unref(frame);
            }
            ck_assert_uint_le(tb_frame_reader_pending(&r), SMALL_MAX + TB_FRAME_HEADER_BYTES +
                                                               sizeof buf);
        }
        if (last == TB_FRAME_EMPTY || last == TB_FRAME_OVERSIZED) {
            GBytes *frame;
            ck_assert_int_eq(tb_frame_reader_next(&r, &frame), last);
        }
        tb_frame_reader_clear(&r);
    }
    g_rand_free(rand);
}
END_TEST

START_TEST(hello_round_trip_and_refusals)
{
    uint8_t wire[TB_HELLO_BYTES];
    tb_hello_encode(&(tb_hello){.chain_id = 0xa17bc0000000001ULL, .node = 3}, wire);
    GBytes *b = g_bytes_new(wire, sizeof wire);
    tb_hello h = {0};
    ck_assert(tb_hello_decode(b, &h));
    ck_assert_uint_eq(h.chain_id, 0xa17bc0000000001ULL);
    ck_assert_uint_eq(h.node, 3);
    g_bytes_unref(b);
    /* One byte short, one byte over, another magic, another version. */
    tb_hello untouched = {.chain_id = 9, .node = 9};
    b = g_bytes_new(wire, sizeof wire - 1);
    ck_assert(!tb_hello_decode(b, &untouched));
    g_bytes_unref(b);
    uint8_t longer[TB_HELLO_BYTES + 1] = {0};
    memcpy(longer, wire, sizeof wire);
    b = g_bytes_new(longer, sizeof longer);
    ck_assert(!tb_hello_decode(b, &untouched));
    g_bytes_unref(b);
    for (size_t at = 0; at < 6; at++) {
        uint8_t bad[TB_HELLO_BYTES];
        memcpy(bad, wire, sizeof bad);
        bad[at] ^= 0x01;
        b = g_bytes_new(bad, sizeof bad);
        ck_assert_msg(!tb_hello_decode(b, &untouched), "byte %zu changed, still a hello", at);
        g_bytes_unref(b);
    }
    ck_assert_uint_eq(untouched.node, 9);
    ck_assert_uint_eq(untouched.chain_id, 9);
}
END_TEST

static Suite *frames_suite(void)
{
    Suite *s = suite_create("frames");
    TCase *tc = tcase_create("codec");
    tcase_add_test(tc, frames_round_trip_in_any_cut);
    tcase_add_test(tc, frames_truncated_leave_pending_bytes);
    tcase_add_test(tc, frames_oversized_refused_at_the_header);
    tcase_add_test(tc, frames_empty_refused);
    tcase_add_test(tc, frames_garbage_never_exceeds_the_limit);
    tcase_add_test(tc, hello_round_trip_and_refusals);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(frames_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
