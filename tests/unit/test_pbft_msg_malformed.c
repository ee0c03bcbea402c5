/* Unit tests for the PBFT message decoders on hand-built malformed
 * messages (protocol/pbft/pbft_msg.c), which the encoders cannot produce:
 * counts at and one over each PBFT_*_MAX bound (with the bytes present, so
 * the bound is what rejects) and counts beyond the bytes; unsorted or
 * duplicate certificate signers; a certificate in the wrong or an unknown
 * phase; a CHECKPOINT certificate with a view; prepared certificates out
 * of order or not above the committed one; signed parts (of a VIEWCHANGE,
 * a NEWVIEW, and a VIEWCHANGE inside a NEWVIEW) cut at every offset and
 * framed with a truthful length, so the inner parsers see every
 * truncation too; and a GET_BLOCKS for 0 or too many blocks. */
#include <check.h>
#include <string.h>

#include "protocol/core/codec.h"
#include "protocol/core/msgtype.h"
#include "protocol/pbft/pbft_msg.h"
#include "support/pbft_fixture.h"
#include "support/pbft_try.h"

static GBytes *steal(proto_writer *w)
{
    GBytes *out = proto_writer_steal(w);
    proto_writer_clear(w);
    return out;
}

static const uint8_t *bytes_of(GBytes *b, gsize *size)
{
    return g_bytes_get_data(b, size);
}

/* A certificate with zero digest and zero signatures by `validators`
 * (NULL: 0, 1, ..., count - 1). */
static void raw_cert(proto_writer *w, uint8_t phase, uint64_t view, uint64_t seq, uint32_t count,
                     const uint32_t *validators)
{
    uint8_t zero[PROTO_SIG_SIZE] = {0};
    proto_write_u8(w, phase);
    proto_write_u64(w, view);
    proto_write_u64(w, seq);
    proto_write_raw(w, zero, PROTO_HASH_SIZE);
    proto_write_u32(w, count);
    for (uint32_t i = 0; i < count; i++) {
        proto_write_u32(w, validators != NULL ? validators[i] : i);
        proto_write_raw(w, zero, PROTO_SIG_SIZE);
    }
    if (phase == PBFT_PHASE_PREPARE)
        proto_write_u8(w, 0); /* no pre-prepare */
}

static GBytes *raw_decided(uint8_t phase, uint64_t view, uint32_t count, const uint32_t *validators)
{
    proto_writer w;
    proto_writer_init(&w);
    proto_write_u8(&w, PROTO_MSG_PBFT_DECIDED);
    proto_write_u32(&w, 0); /* an empty block: not decoded here */
    raw_cert(&w, phase, view, 1, count, validators);
    return steal(&w);
}

typedef struct raw_vc {
    uint8_t checkpoint_phase;
    uint64_t checkpoint_view;
    uint8_t committed_phase;
    uint64_t committed_seq;
    uint8_t prepared_phase;
    uint32_t prepared_count;
    const uint64_t *prepared_seqs; /* NULL: committed_seq + 1, + 2, ... */
} raw_vc;

static raw_vc raw_vc_ok(void)
{
    return (raw_vc){.checkpoint_phase = PBFT_PHASE_CHECKPOINT,
                    .committed_phase = PBFT_PHASE_COMMIT,
                    .committed_seq = 5,
                    .prepared_phase = PBFT_PHASE_PREPARE};
}

static void raw_vc_part(proto_writer *w, const raw_vc *r)
{
    proto_write_u64(w, 1);
    proto_write_u32(w, 0);
    raw_cert(w, r->checkpoint_phase, r->checkpoint_view, 0, 0, NULL);
    raw_cert(w, r->committed_phase, 0, r->committed_seq, 1, NULL);
    proto_write_u32(w, r->prepared_count);
    for (uint32_t i = 0; i < r->prepared_count; i++) {
        uint64_t seq = r->prepared_seqs != NULL ? r->prepared_seqs[i] : r->committed_seq + 1 + i;
        raw_cert(w, r->prepared_phase, 0, seq, 0, NULL);
    }
}

/* type | u32 length | part | zero sig | attachments (count empty blocks). */
static GBytes *raw_framed(uint8_t type, GBytes *part, uint32_t attachments_count)
{
    uint8_t zero[PROTO_SIG_SIZE] = {0};
    proto_writer w;
    proto_writer_init(&w);
    proto_write_u8(&w, type);
    gsize size = 0;
    const uint8_t *data = bytes_of(part, &size);
    proto_write_bytes(&w, data, size);
    proto_write_raw(&w, zero, PROTO_SIG_SIZE);
    proto_write_u32(&w, attachments_count);
    for (uint32_t i = 0; i < attachments_count; i++) {
        proto_write_u32(&w, 0);
    }
    return steal(&w);
}

static GBytes *raw_viewchange(const raw_vc *r, uint32_t attachments_count)
{
    proto_writer w;
    proto_writer_init(&w);
    raw_vc_part(&w, r);
    GBytes *part = steal(&w);
    GBytes *wire = raw_framed(PROTO_MSG_PBFT_VIEWCHANGE, part, attachments_count);
    g_bytes_unref(part);
    return wire;
}

/* A NEWVIEW embedding `count` copies of the VIEWCHANGE signed part `vc`. */
static GBytes *raw_newview(GBytes *vc, uint32_t count)
{
    uint8_t zero[PROTO_SIG_SIZE] = {0};
    proto_writer w;
    proto_writer_init(&w);
    proto_write_u64(&w, 1);
    proto_write_u32(&w, 0);
    proto_write_u32(&w, count);
    gsize size = 0;
    const uint8_t *data = bytes_of(vc, &size);
    for (uint32_t i = 0; i < count; i++) {
        proto_write_bytes(&w, data, size);
        proto_write_raw(&w, zero, PROTO_SIG_SIZE);
    }
    GBytes *part = steal(&w);
    GBytes *wire = raw_framed(PROTO_MSG_PBFT_NEWVIEW, part, 0);
    g_bytes_unref(part);
    return wire;
}

static GBytes *raw_vc_signed(const raw_vc *r)
{
    proto_writer w;
    proto_writer_init(&w);
    raw_vc_part(&w, r);
    return steal(&w);
}

START_TEST(test_cert_structure_rejected)
{
    uint32_t sorted[] = {1, 2, 3};
    uint32_t extremes[] = {0, UINT32_MAX};
    uint32_t unsorted[] = {2, 1, 3};
    uint32_t duplicate[] = {1, 1, 3};
    uint32_t late_duplicate[] = {1, 3, 3};
    struct {
        uint8_t phase;
        uint64_t view;
        uint32_t count;
        const uint32_t *validators;
        bool ok;
    } cases[] = {
        {PBFT_PHASE_COMMIT, 4, 3, sorted, true},
        {PBFT_PHASE_COMMIT, 4, 2, extremes, true},
        {PBFT_PHASE_COMMIT, 4, 0, NULL, true},
        {PBFT_PHASE_COMMIT, 4, 3, unsorted, false},
        {PBFT_PHASE_COMMIT, 4, 3, duplicate, false},
        {PBFT_PHASE_COMMIT, 4, 3, late_duplicate, false},
        {PBFT_PHASE_PREPARE, 4, 3, sorted, false}, /* DECIDED carries COMMIT */
        {PBFT_PHASE_CHECKPOINT, 0, 3, sorted, false},
        {0, 4, 3, sorted, false},
        {4, 4, 3, sorted, false},
        {255, 4, 3, sorted, false},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        GBytes *wire =
            raw_decided(cases[i].phase, cases[i].view, cases[i].count, cases[i].validators);
        ck_assert_msg(pbft_try_decided(wire) == cases[i].ok, "case %zu", i);
        g_bytes_unref(wire);
    }
}
END_TEST

START_TEST(test_viewchange_structure_rejected)
{
    raw_vc r = raw_vc_ok();
    r.prepared_count = 2;
    GBytes *wire = raw_viewchange(&r, 0);
    ck_assert(pbft_try_viewchange(wire));
    g_bytes_unref(wire);
    /* Prepared certificates out of order or not above committed (5). */
    uint64_t bad_seqs[][2] = {{7, 6}, {6, 6}, {5, 6}, {4, 6}, {0, 6}, {6, 5}};
    for (size_t i = 0; i < G_N_ELEMENTS(bad_seqs); i++) {
        r = raw_vc_ok();
        r.prepared_count = 2;
        r.prepared_seqs = bad_seqs[i];
        wire = raw_viewchange(&r, 0);
        ck_assert_msg(!pbft_try_viewchange(wire), "seqs %zu", i);
        g_bytes_unref(wire);
    }
    uint64_t gaps[] = {6, UINT64_MAX};
    r = raw_vc_ok();
    r.prepared_count = 2;
    r.prepared_seqs = gaps;
    wire = raw_viewchange(&r, 0);
    ck_assert(pbft_try_viewchange(wire));
    g_bytes_unref(wire);
    /* Each certificate in the wrong phase, or a checkpoint with a view. */
    raw_vc variants[6];
    for (int i = 0; i < 6; i++) {
        variants[i] = raw_vc_ok();
        variants[i].prepared_count = 1;
    }
    variants[0].checkpoint_phase = PBFT_PHASE_COMMIT;
    variants[1].committed_phase = PBFT_PHASE_PREPARE;
    variants[2].prepared_phase = PBFT_PHASE_COMMIT;
    variants[3].checkpoint_view = 1;
    variants[4].prepared_phase = 0;
    variants[5].committed_phase = 7;
    for (int i = 0; i < 6; i++) {
        wire = raw_viewchange(&variants[i], 0);
        ck_assert_msg(!pbft_try_viewchange(wire), "variant %d", i);
        g_bytes_unref(wire);
    }
    /* A signed part with a byte of its own trailing. */
    r = raw_vc_ok();
    proto_writer w;
    proto_writer_init(&w);
    raw_vc_part(&w, &r);
    proto_write_u8(&w, 0);
    GBytes *part = steal(&w);
    wire = raw_framed(PROTO_MSG_PBFT_VIEWCHANGE, part, 0);
    ck_assert(!pbft_try_viewchange(wire));
    g_bytes_unref(wire);
    g_bytes_unref(part);
}
END_TEST

/* Inner parsers see every truncation too: the signed part is cut at each
 * offset and framed with a truthful length. */
START_TEST(test_signed_part_truncations)
{
    raw_vc r = raw_vc_ok();
    r.prepared_count = 2;
    GBytes *part = raw_vc_signed(&r);
    gsize size = 0;
    const uint8_t *data = bytes_of(part, &size);
    for (gsize cut = 0; cut < size; cut++) {
        GBytes *cut_part = pbft_fixture_exact(data, cut);
        GBytes *wire = raw_framed(PROTO_MSG_PBFT_VIEWCHANGE, cut_part, 0);
        ck_assert_msg(!pbft_try_viewchange(wire), "viewchange cut at %zu", cut);
        g_bytes_unref(wire);
        wire = raw_newview(cut_part, 1);
        ck_assert_msg(!pbft_try_newview(wire), "embedded viewchange cut at %zu", cut);
        g_bytes_unref(wire);
        g_bytes_unref(cut_part);
    }
    GBytes *wire = raw_newview(part, 2);
    ck_assert(pbft_try_newview(wire));
    g_bytes_unref(wire);
    /* The NEWVIEW signed part itself, cut at every offset. */
    GBytes *whole = raw_newview(part, 2);
    gsize nv_part_size = pbft_try_read_u32(whole, 1);
    const uint8_t *nv_part = (const uint8_t *)g_bytes_get_data(whole, NULL) + 5;
    for (gsize cut = 0; cut < nv_part_size; cut++) {
        GBytes *cut_part = pbft_fixture_exact(nv_part, cut);
        wire = raw_framed(PROTO_MSG_PBFT_NEWVIEW, cut_part, 0);
        ck_assert_msg(!pbft_try_newview(wire), "newview cut at %zu", cut);
        g_bytes_unref(wire);
        g_bytes_unref(cut_part);
    }
    g_bytes_unref(whole);
    /* An embedded VIEWCHANGE that breaks a rule, or is empty. */
    r.prepared_seqs = (const uint64_t[]){7, 7};
    GBytes *bad = raw_vc_signed(&r);
    wire = raw_newview(bad, 1);
    ck_assert(!pbft_try_newview(wire));
    g_bytes_unref(wire);
    g_bytes_unref(bad);
    GBytes *empty = g_bytes_new(NULL, 0);
    wire = raw_newview(empty, 1);
    ck_assert(!pbft_try_newview(wire));
    g_bytes_unref(wire);
    g_bytes_unref(empty);
    g_bytes_unref(part);
}
END_TEST

START_TEST(test_counts_over_bounds)
{
    /* Certificate signatures. */
    uint32_t *many = g_new(uint32_t, PBFT_CERT_SIGS_MAX + 1);
    for (uint32_t i = 0; i <= PBFT_CERT_SIGS_MAX; i++) {
        many[i] = i;
    }
    GBytes *wire = raw_decided(PBFT_PHASE_COMMIT, 1, PBFT_CERT_SIGS_MAX, many);
    ck_assert(pbft_try_decided(wire));
    g_bytes_unref(wire);
    wire = raw_decided(PBFT_PHASE_COMMIT, 1, PBFT_CERT_SIGS_MAX + 1, many);
    ck_assert(!pbft_try_decided(wire));
    g_bytes_unref(wire);
    g_free(many);
    /* A count within the bound but beyond the bytes, and a huge one. */
    GBytes *small = raw_decided(PBFT_PHASE_COMMIT, 1, 2, NULL);
    gsize count_at = 1 + 4 + 1 + 8 + 8 + PROTO_HASH_SIZE;
    ck_assert_uint_eq(pbft_try_read_u32(small, count_at), 2);
    uint32_t lies[] = {3, PBFT_CERT_SIGS_MAX, UINT32_MAX};
    for (size_t i = 0; i < G_N_ELEMENTS(lies); i++) {
        wire = pbft_try_patch_u32(small, count_at, lies[i]);
        ck_assert(!pbft_try_decided(wire));
        g_bytes_unref(wire);
    }
    g_bytes_unref(small);

    /* Prepared certificates. */
    raw_vc r = raw_vc_ok();
    r.prepared_count = PBFT_PREPARED_MAX;
    wire = raw_viewchange(&r, 0);
    ck_assert(pbft_try_viewchange(wire));
    g_bytes_unref(wire);
    r.prepared_count = PBFT_PREPARED_MAX + 1;
    wire = raw_viewchange(&r, 0);
    ck_assert(!pbft_try_viewchange(wire));
    g_bytes_unref(wire);

    /* Attachments. */
    r = raw_vc_ok();
    wire = raw_viewchange(&r, PBFT_ATTACHMENTS_MAX);
    ck_assert(pbft_try_viewchange(wire));
    g_bytes_unref(wire);
    wire = raw_viewchange(&r, PBFT_ATTACHMENTS_MAX + 1);
    ck_assert(!pbft_try_viewchange(wire));
    g_bytes_unref(wire);

    /* Embedded VIEWCHANGEs. */
    GBytes *part = raw_vc_signed(&r);
    wire = raw_newview(part, PBFT_VIEWCHANGES_MAX);
    ck_assert(pbft_try_newview(wire));
    g_bytes_unref(wire);
    wire = raw_newview(part, PBFT_VIEWCHANGES_MAX + 1);
    ck_assert(!pbft_try_newview(wire));
    g_bytes_unref(wire);
    wire = raw_newview(part, 2);
    GBytes *lying = pbft_try_patch_u32(wire, 1 + 4 + 8 + 4, 3);
    ck_assert(!pbft_try_newview(lying));
    g_bytes_unref(lying);
    lying = pbft_try_patch_u32(wire, 1 + 4 + 8 + 4, UINT32_MAX);
    ck_assert(!pbft_try_newview(lying));
    g_bytes_unref(lying);
    g_bytes_unref(wire);
    g_bytes_unref(part);

    /* BLOCKS entries (empty blocks with empty certificates). */
    for (uint32_t n = PBFT_BLOCKS_MAX; n <= PBFT_BLOCKS_MAX + 1; n++) {
        proto_writer w;
        proto_writer_init(&w);
        proto_write_u8(&w, PROTO_MSG_BLOCKS);
        proto_write_u32(&w, n);
        for (uint32_t i = 0; i < n; i++) {
            proto_write_u32(&w, 0);
            raw_cert(&w, PBFT_PHASE_COMMIT, 0, i, 0, NULL);
        }
        wire = steal(&w);
        ck_assert(pbft_try_blocks(wire) == (n <= PBFT_BLOCKS_MAX));
        GBytes *liar = pbft_try_patch_u32(wire, 1, UINT32_MAX);
        ck_assert(!pbft_try_blocks(liar));
        g_bytes_unref(liar);
        g_bytes_unref(wire);
    }
}
END_TEST

START_TEST(test_get_blocks_bounds)
{
    GBytes *one = pbft_msg_get_blocks_encode(5, 1);
    uint32_t counts[] = {0, 1, PBFT_BLOCKS_MAX, PBFT_BLOCKS_MAX + 1, UINT32_MAX};
    bool ok[] = {false, true, true, false, false};
    for (size_t i = 0; i < G_N_ELEMENTS(counts); i++) {
        GBytes *wire = pbft_try_patch_u32(one, 9, counts[i]);
        ck_assert_msg(pbft_try_get_blocks(wire) == ok[i], "count %u", counts[i]);
        g_bytes_unref(wire);
    }
    g_bytes_unref(one);
}
END_TEST

static Suite *pbft_msg_malformed_suite(void)
{
    Suite *s = suite_create("pbft_msg_malformed");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_cert_structure_rejected);
    tcase_add_test(tc, test_viewchange_structure_rejected);
    tcase_add_test(tc, test_signed_part_truncations);
    tcase_add_test(tc, test_counts_over_bounds);
    tcase_add_test(tc, test_get_blocks_bounds);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(pbft_msg_malformed_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
