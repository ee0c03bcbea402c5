/* Unit tests for the canonical codec (protocol/core/codec.c).
 *
 * Checks the exact little-endian byte layout, round trips at edge values,
 * and the reader's contract on hostile input: truncation at every byte
 * offset, length fields that lie, the failure latch and trailing bytes.
 * Every decode runs on an exactly-sized heap copy so that AddressSanitizer
 * would catch a single byte read past the end. */
#include <check.h>
#include <string.h>

#include "protocol/core/codec.h"

/* A record using every writer function. */
typedef struct rec {
    uint8_t a;
    uint16_t b;
    uint32_t c;
    uint64_t d;
    int64_t e;
    uint8_t raw[5];
    uint8_t str[16];
    size_t str_size;
} rec;

static const rec rec_sample = {
    .a = 0xAB,
    .b = 0xBEEF,
    .c = 0xDEADBEEF,
    .d = UINT64_C(0x0123456789ABCDEF),
    .e = INT64_MIN + 7,
    .raw = {1, 2, 3, 4, 5},
    .str = "hello, wire",
    .str_size = 11,
};

static GBytes *rec_encode(const rec *x)
{
    proto_writer w;
    proto_writer_init(&w);
    proto_write_u8(&w, x->a);
    proto_write_u16(&w, x->b);
    proto_write_u32(&w, x->c);
    proto_write_u64(&w, x->d);
    proto_write_i64(&w, x->e);
    proto_write_raw(&w, x->raw, sizeof x->raw);
    proto_write_bytes(&w, x->str, x->str_size);
    GBytes *out = proto_writer_steal(&w);
    proto_writer_clear(&w);
    return out;
}

/* Decodes from an exact heap copy of data[0..size). */
static bool rec_decode(const uint8_t *data, size_t size, rec *x)
{
    uint8_t *copy = g_memdup2(data, size);
    proto_reader r;
    proto_reader_init(&r, copy, size);
    memset(x, 0, sizeof *x);
    x->a = proto_read_u8(&r);
    x->b = proto_read_u16(&r);
    x->c = proto_read_u32(&r);
    x->d = proto_read_u64(&r);
    x->e = proto_read_i64(&r);
    proto_read_raw(&r, x->raw, sizeof x->raw);
    const uint8_t *s = proto_read_bytes(&r, sizeof x->str, &x->str_size);
    if (s != NULL) {
        memcpy(x->str, s, x->str_size);
    }
    bool ok = proto_reader_finish(&r);
    g_free(copy);
    return ok;
}

START_TEST(test_layout_little_endian)
{
    proto_writer w;
    proto_writer_init(&w);
    proto_write_u16(&w, 0x0102);
    proto_write_u32(&w, 0x01020304);
    proto_write_u64(&w, UINT64_C(0x0102030405060708));
    proto_write_i64(&w, -2);
    proto_write_bytes(&w, "xy", 2);
    static const uint8_t expect[] = {
        0x02, 0x01,                                     /* u16 */
        0x04, 0x03, 0x02, 0x01,                         /* u32 */
        0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, /* u64 */
        0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, /* i64 -2 */
        0x02, 0x00, 0x00, 0x00, 'x',  'y',              /* bytes */
    };
    ck_assert_uint_eq(w.buf->len, sizeof expect);
    ck_assert_mem_eq(w.buf->data, expect, sizeof expect);
    proto_writer_clear(&w);
}
END_TEST

START_TEST(test_round_trip)
{
    GBytes *enc = rec_encode(&rec_sample);
    size_t size;
    const uint8_t *data = g_bytes_get_data(enc, &size);
    ck_assert_uint_eq(size, 1 + 2 + 4 + 8 + 8 + 5 + 4 + 11);
    rec back;
    ck_assert(rec_decode(data, size, &back));
    ck_assert_uint_eq(back.a, rec_sample.a);
    ck_assert_uint_eq(back.b, rec_sample.b);
    ck_assert_uint_eq(back.c, rec_sample.c);
    ck_assert_uint_eq(back.d, rec_sample.d);
    ck_assert_int_eq(back.e, rec_sample.e);
    ck_assert_mem_eq(back.raw, rec_sample.raw, sizeof back.raw);
    ck_assert_uint_eq(back.str_size, rec_sample.str_size);
    ck_assert_mem_eq(back.str, rec_sample.str, back.str_size);
    g_bytes_unref(enc);
}
END_TEST

START_TEST(test_i64_extremes)
{
    static const int64_t values[] = {0, 1, -1, INT64_MAX, INT64_MIN, INT64_MIN + 1, -1000000007};
    for (size_t i = 0; i < G_N_ELEMENTS(values); i++) {
        proto_writer w;
        proto_writer_init(&w);
        proto_write_i64(&w, values[i]);
        proto_reader r;
        proto_reader_init(&r, w.buf->data, w.buf->len);
        ck_assert_int_eq(proto_read_i64(&r), values[i]);
        ck_assert(proto_reader_finish(&r));
        proto_writer_clear(&w);
    }
}
END_TEST

/* Every strict prefix of a valid encoding must fail, never overread. */
START_TEST(test_truncation_every_offset)
{
    GBytes *enc = rec_encode(&rec_sample);
    size_t size;
    const uint8_t *data = g_bytes_get_data(enc, &size);
    for (size_t cut = 0; cut < size; cut++) {
        rec back;
        ck_assert_msg(!rec_decode(data, cut, &back), "prefix of %zu bytes decoded", cut);
    }
    g_bytes_unref(enc);
}
END_TEST

START_TEST(test_trailing_bytes_rejected)
{
    GBytes *enc = rec_encode(&rec_sample);
    size_t size;
    const uint8_t *data = g_bytes_get_data(enc, &size);
    uint8_t *longer = g_malloc0(size + 1);
    memcpy(longer, data, size);
    rec back;
    ck_assert(!rec_decode(longer, size + 1, &back));
    ck_assert(rec_decode(longer, size, &back));
    g_free(longer);
    g_bytes_unref(enc);
}
END_TEST

START_TEST(test_lying_lengths)
{
    static const uint32_t lies[] = {4, 5, 1000, 0x7FFFFFFFu, 0xFFFFFFFFu};
    for (size_t i = 0; i < G_N_ELEMENTS(lies); i++) {
        proto_writer w;
        proto_writer_init(&w);
        proto_write_u32(&w, lies[i]);
        proto_write_raw(&w, "abc", 3); /* only 3 bytes follow */
        uint8_t *copy = g_memdup2(w.buf->data, w.buf->len);
        proto_reader r;
        proto_reader_init(&r, copy, w.buf->len);
        size_t got = 99;
        ck_assert_ptr_null(proto_read_bytes(&r, SIZE_MAX, &got));
        ck_assert_uint_eq(got, 0);
        ck_assert(r.failed);
        ck_assert(!proto_reader_finish(&r));
        g_free(copy);
        proto_writer_clear(&w);
    }
}
END_TEST

START_TEST(test_bytes_max_size)
{
    proto_writer w;
    proto_writer_init(&w);
    proto_write_bytes(&w, "abcd", 4);
    size_t got;
    proto_reader r;

    proto_reader_init(&r, w.buf->data, w.buf->len);
    ck_assert_ptr_null(proto_read_bytes(&r, 3, &got)); /* longer than allowed */
    ck_assert(r.failed);

    proto_reader_init(&r, w.buf->data, w.buf->len);
    const uint8_t *p = proto_read_bytes(&r, 4, &got); /* exactly the max */
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(got, 4);
    ck_assert_mem_eq(p, "abcd", 4);
    ck_assert(proto_reader_finish(&r));
    proto_writer_clear(&w);

    proto_writer_init(&w);
    proto_write_bytes(&w, NULL, 0);
    proto_reader_init(&r, w.buf->data, w.buf->len);
    ck_assert_ptr_nonnull(proto_read_bytes(&r, 0, &got)); /* empty string is not failure */
    ck_assert_uint_eq(got, 0);
    ck_assert(proto_reader_finish(&r));
    proto_writer_clear(&w);
}
END_TEST

/* After one failure every read yields zero/NULL, even where bytes remain. */
START_TEST(test_failure_latches)
{
    uint8_t buf[16];
    memset(buf, 0xFF, sizeof buf);
    proto_reader r;
    proto_reader_init(&r, buf, sizeof buf);
    size_t got;
    ck_assert_ptr_null(proto_read_bytes(&r, 8, &got)); /* length 0xFFFFFFFF > 8 */
    size_t pos = r.pos;
    ck_assert_uint_eq(proto_read_u8(&r), 0);
    ck_assert_uint_eq(proto_read_u16(&r), 0);
    ck_assert_uint_eq(proto_read_u32(&r), 0);
    ck_assert_uint_eq(proto_read_u64(&r), 0);
    ck_assert_int_eq(proto_read_i64(&r), 0);
    uint8_t out[4] = {9, 9, 9, 9};
    proto_read_raw(&r, out, sizeof out);
    static const uint8_t zeros[4] = {0};
    ck_assert_mem_eq(out, zeros, sizeof out);
    ck_assert_ptr_null(proto_read_view(&r, 1));
    ck_assert_uint_eq(r.pos, pos);
    ck_assert_uint_eq(proto_reader_remaining(&r), 0);
    ck_assert(!proto_reader_finish(&r));
}
END_TEST

START_TEST(test_view_and_remaining)
{
    const uint8_t buf[6] = {1, 2, 3, 4, 5, 6};
    proto_reader r;
    proto_reader_init(&r, buf, sizeof buf);
    ck_assert_ptr_nonnull(proto_read_view(&r, 0));
    const uint8_t *v = proto_read_view(&r, 4);
    ck_assert_ptr_eq(v, buf);
    ck_assert_uint_eq(proto_reader_remaining(&r), 2);
    ck_assert_ptr_null(proto_read_view(&r, 3)); /* only 2 left */
    ck_assert(r.failed);

    proto_reader_init(&r, NULL, 0);
    ck_assert_ptr_nonnull(proto_read_view(&r, 0));
    ck_assert(proto_reader_finish(&r));
    proto_reader_init(&r, NULL, 0);
    ck_assert_uint_eq(proto_read_u8(&r), 0);
    ck_assert(!proto_reader_finish(&r));
}
END_TEST

START_TEST(test_steal_leaves_writer_reusable)
{
    proto_writer w;
    proto_writer_init(&w);
    proto_write_u32(&w, 7);
    GBytes *first = proto_writer_steal(&w);
    ck_assert_uint_eq(g_bytes_get_size(first), 4);
    ck_assert(w.buf == NULL); /* nothing left to free */
    GBytes *empty = proto_writer_steal(&w);
    ck_assert_uint_eq(g_bytes_get_size(empty), 0);
    g_bytes_unref(empty);
    proto_write_u8(&w, 1);
    GBytes *second = proto_writer_steal(&w);
    ck_assert_uint_eq(g_bytes_get_size(second), 1);
    ck_assert_uint_eq(g_bytes_get_size(first), 4);
    g_bytes_unref(first);
    g_bytes_unref(second);
    proto_writer_clear(&w);
    proto_writer_clear(&w); /* idempotent */
}
END_TEST

static Suite *codec_suite(void)
{
    Suite *s = suite_create("codec");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_layout_little_endian);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_i64_extremes);
    tcase_add_test(tc, test_truncation_every_offset);
    tcase_add_test(tc, test_trailing_bytes_rejected);
    tcase_add_test(tc, test_lying_lengths);
    tcase_add_test(tc, test_bytes_max_size);
    tcase_add_test(tc, test_failure_latches);
    tcase_add_test(tc, test_view_and_remaining);
    tcase_add_test(tc, test_steal_leaves_writer_reusable);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(codec_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
