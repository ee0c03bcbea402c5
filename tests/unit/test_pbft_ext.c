/* Unit tests for the PBFT block extension's wire format
 * (protocol/pbft/pbft_ext.c): round trip of every section, the empty
 * extension, and refusal of malformed bytes (unknown flags, counts over
 * the bounds or over the bytes left, non-canonical evidence,
 * truncation at every offset, trailing bytes). Executing an extension is
 * tested through whole nodes in test_pbft_slashing.c. */
#include <check.h>
#include <string.h>

#include "protocol/pbft/pbft_ext.h"

static proto_hash digest_of(uint8_t b)
{
    proto_hash h;
    memset(h.bytes, b, sizeof h.bytes);
    return h;
}

static void sample(pbft_ext *e)
{
    pbft_ext_init(e);
    proto_hash parent = digest_of(0x33);
    pbft_cert_init(&e->last_commit, PBFT_PHASE_COMMIT, 2, 9, &parent);
    for (uint32_t v = 0; v < 3; v++) {
        proto_sig sig;
        memset(sig.bytes, (int)(0x10 + v), sizeof sig.bytes);
        pbft_cert_add(&e->last_commit, v * 2, &sig);
    }
    e->has_last_commit = true;
    pbft_evidence ev;
    memset(&ev, 0, sizeof ev);
    ev.a = (pbft_vote){.phase = PBFT_PHASE_PREPARE, .view = 1, .seq = 8, .validator = 3,
                       .digest = digest_of(0x01)};
    ev.b = ev.a;
    ev.b.digest = digest_of(0x02);
    memset(ev.a.sig.bytes, 0xaa, sizeof ev.a.sig.bytes);
    memset(ev.b.sig.bytes, 0xbb, sizeof ev.b.sig.bytes);
    g_array_append_val(e->evidence, ev);
}

START_TEST(test_round_trip)
{
    pbft_ext e;
    sample(&e);
    GBytes *bytes = pbft_ext_encode(&e);
    ck_assert_ptr_nonnull(bytes);
    pbft_ext back;
    ck_assert(pbft_ext_decode(bytes, &back));
    ck_assert(back.has_last_commit);
    ck_assert_uint_eq(back.last_commit.seq, 9);
    ck_assert_uint_eq(back.last_commit.view, 2);
    ck_assert_uint_eq(back.last_commit.sigs->len, 3);
    ck_assert_uint_eq(g_array_index(back.last_commit.sigs, pbft_cert_sig, 2).validator, 4);
    ck_assert_uint_eq(back.evidence->len, 1);
    ck_assert_mem_eq(back.evidence->data, e.evidence->data, sizeof(pbft_evidence));
    GBytes *again = pbft_ext_encode(&back);
    ck_assert(g_bytes_equal(bytes, again));
    g_bytes_unref(again);
    pbft_ext_clear(&back);
    pbft_ext_clear(&e);
    g_bytes_unref(bytes);
}
END_TEST

START_TEST(test_empty)
{
    pbft_ext e;
    pbft_ext_init(&e);
    ck_assert_ptr_null(pbft_ext_encode(&e));
    pbft_ext back;
    ck_assert(pbft_ext_decode(NULL, &back));
    ck_assert(!back.has_last_commit);
    ck_assert_uint_eq(back.evidence->len, 0);
    pbft_ext_clear(&back);
    pbft_ext_clear(&e);
}
END_TEST

static bool decodes(const uint8_t *data, size_t size)
{
    GBytes *b = g_bytes_new(data, size);
    pbft_ext out;
    bool ok = pbft_ext_decode(b, &out);
    pbft_ext_clear(&out);
    g_bytes_unref(b);
    return ok;
}

START_TEST(test_malformed)
{
    pbft_ext e;
    sample(&e);
    GBytes *bytes = pbft_ext_encode(&e);
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(bytes, &size);
    ck_assert(decodes(data, size));
    for (gsize cut = 1; cut < size; cut++)
        ck_assert_msg(!decodes(data, cut), "cut %zu", cut);
    uint8_t *copy = g_malloc(size + 1);
    memcpy(copy, data, size);
    copy[size] = 0;
    ck_assert(!decodes(copy, size + 1)); /* trailing byte */
    copy[0] = 0x03;                      /* unknown flag */
    ck_assert(!decodes(copy, size));
    copy[0] = 0x01;
    /* The evidence count sits after the cert: 1 + 53 + 3 * 68 bytes. */
    size_t ev_count_at = 1 + (1 + 8 + 8 + 32 + 4) + 3 * (4 + 64);
    ck_assert_uint_eq(copy[ev_count_at], 1);
    copy[ev_count_at] = PBFT_EXT_EVIDENCE_MAX + 1;
    ck_assert(!decodes(copy, size));
    copy[ev_count_at] = 2; /* more than the bytes left hold */
    ck_assert(!decodes(copy, size));
    copy[ev_count_at] = 1;
    /* Evidence whose digests are not in canonical order. */
    size_t digest_a_at = ev_count_at + 2 + 1 + 8 + 8 + 4;
    copy[digest_a_at] = 0xff;
    ck_assert(!decodes(copy, size));
    g_free(copy);
    g_bytes_unref(bytes);
    pbft_ext_clear(&e);
}
END_TEST

/* decode(x) succeeds only if encode(decode(x)) == x. */
static void assert_canonical(const uint8_t *data, size_t size, const char *what)
{
    GBytes *b = g_bytes_new(data, size);
    pbft_ext out;
    if (pbft_ext_decode(b, &out)) {
        GBytes *again = pbft_ext_encode(&out);
        gsize again_size = 0;
        const void *again_data = again != NULL ? g_bytes_get_data(again, &again_size) : NULL;
        ck_assert_msg(again_size == size && (size == 0 || memcmp(again_data, data, size) == 0),
                      "%s: %zu bytes decode but encode back to %zu other bytes", what, size,
                      again_size);
        if (again != NULL)
            g_bytes_unref(again);
    }
    pbft_ext_clear(&out);
    g_bytes_unref(b);
}

START_TEST(test_canonical)
{
    /* Three zero bytes (no flags, no evidence) are the empty extension
     * spelled out: not its encoding (no bytes), so refused. */
    static const uint8_t zeros[3] = {0};
    ck_assert(!decodes(zeros, sizeof zeros));
    assert_canonical(zeros, sizeof zeros, "five zero bytes");
    assert_canonical(NULL, 0, "no bytes");

    /* Each section alone, and both: decode only what encodes back. */
    pbft_ext full;
    sample(&full);
    for (int keep = 1; keep < 4; keep++) {
        pbft_ext e;
        sample(&e);
        if (!(keep & 1)) {
            pbft_cert_clear(&e.last_commit);
            e.has_last_commit = false;
        }
        if (!(keep & 2))
            g_array_set_size(e.evidence, 0);
        GBytes *bytes = pbft_ext_encode(&e);
        gsize size = 0;
        const uint8_t *data = g_bytes_get_data(bytes, &size);
        ck_assert_msg(decodes(data, size), "sections %d", keep);
        assert_canonical(data, size, "encoded");
        /* Every one-byte change either fails to decode or re-encodes to
         * exactly the changed bytes. */
        uint8_t *copy = g_memdup2(data, size);
        for (gsize i = 0; i < size; i++) {
            for (int bit = 0; bit < 8; bit += 3) {
                copy[i] ^= (uint8_t)(1u << bit);
                assert_canonical(copy, size, "one bit flipped");
                copy[i] ^= (uint8_t)(1u << bit);
            }
        }
        g_free(copy);
        g_bytes_unref(bytes);
        pbft_ext_clear(&e);
    }
    pbft_ext_clear(&full);
}
END_TEST

static Suite *ext_suite(void)
{
    Suite *s = suite_create("pbft_ext");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_empty);
    tcase_add_test(tc, test_malformed);
    tcase_add_test(tc, test_canonical);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(ext_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
