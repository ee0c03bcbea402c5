/* Unit tests for the PBFT wire messages (protocol/pbft/pbft_msg.c), built
 * by the encoders.
 *
 * Every message type round-trips at edge values (0 and UINT64_MAX, empty
 * and full certificates, no and several attachments), and every damaged
 * form of each is rejected: truncation at every byte offset (decoded from
 * an exactly sized heap copy each time, so ASan sees any overread), a
 * trailing byte, any other type byte, and lying lengths. VIEWCHANGE and
 * NEWVIEW signatures verify for the signer only and fail after any byte
 * flip; random damage never crashes a decoder. Hand-built malformed
 * messages (bounds, ordering, phases) are in test_pbft_msg_malformed.c.
 * Signature tests run in both crypto modes (loop index 0 = real,
 * 1 = fast). */
#include <check.h>
#include <string.h>

#include "protocol/core/codec.h"
#include "protocol/core/msgtype.h"
#include "support/pbft_fixture.h"
#include "support/pbft_try.h"

#define CHAIN PBFT_FIX_CHAIN_ID
#define VOTE_WIRE_SIZE (1 + 8 + 8 + PROTO_HASH_SIZE + 4 + PROTO_SIG_SIZE)

static proto_crypto_mode mode_of(int i)
{
    return i == 0 ? PROTO_CRYPTO_REAL : PROTO_CRYPTO_FAST;
}

static proto_hash digest_of(uint64_t n)
{
    proto_hash h;
    proto_hash_bytes(&h, &n, sizeof n);
    return h;
}

static uint32_t first(uint32_t k)
{
    return (1u << k) - 1;
}

static const uint8_t *bytes_of(GBytes *b, gsize *size)
{
    return g_bytes_get_data(b, size);
}

static bool is_vote_type(int t)
{
    return t == PROTO_MSG_PBFT_PREPARE || t == PROTO_MSG_PBFT_COMMIT ||
           t == PROTO_MSG_PBFT_CHECKPOINT;
}

/* The message decodes; no truncation, no appended byte and no other type
 * byte does (vote types excepted for votes: one decoder reads all three). */
static void check_damage_rejected(GBytes *wire, pbft_try_fn fn, const char *what)
{
    gsize size = 0;
    const uint8_t *data = bytes_of(wire, &size);
    GBytes *whole = pbft_fixture_exact(data, size);
    ck_assert_msg(fn(whole), "%s: the undamaged message must decode", what);
    g_bytes_unref(whole);
    for (gsize cut = 0; cut < size; cut++) {
        GBytes *t = pbft_fixture_exact(data, cut);
        ck_assert_msg(!fn(t), "%s: accepted a truncation to %zu of %zu bytes", what, cut, size);
        g_bytes_unref(t);
    }
    uint8_t *longer = g_malloc(size + 1);
    memcpy(longer, data, size);
    longer[size] = 0;
    GBytes *l = g_bytes_new_take(longer, size + 1);
    ck_assert_msg(!fn(l), "%s: accepted a trailing byte", what);
    g_bytes_unref(l);
    for (int type = 0; type < 256; type++) {
        if (type == data[0] || (is_vote_type(type) && is_vote_type(data[0]))) {
            continue;
        }
        uint8_t *copy = g_memdup2(data, size);
        copy[0] = (uint8_t)type;
        GBytes *b = g_bytes_new_take(copy, size);
        ck_assert_msg(!fn(b), "%s: accepted type byte %d", what, type);
        g_bytes_unref(b);
    }
}

/* wire with the u32 at `at` replaced. */
static void check_length_lies(GBytes *wire, gsize at, pbft_try_fn fn, const char *what)
{
    uint32_t real = pbft_try_read_u32(wire, at);
    uint32_t lies[] = {real + 1, real - 1, real + 64, UINT32_MAX, 0};
    ck_assert(fn(wire));
    for (size_t i = 0; i < G_N_ELEMENTS(lies); i++) {
        if (lies[i] == real) {
            continue;
        }
        GBytes *bad = pbft_try_patch_u32(wire, at, lies[i]);
        ck_assert_msg(!fn(bad), "%s: accepted length %u instead of %u", what, lies[i], real);
        g_bytes_unref(bad);
    }
}

static void assert_cert_eq(const pbft_cert *a, const pbft_cert *b)
{
    ck_assert_uint_eq(a->phase, b->phase);
    ck_assert_uint_eq(a->view, b->view);
    ck_assert_uint_eq(a->seq, b->seq);
    ck_assert(proto_hash_equal(&a->digest, &b->digest));
    guint na = a->sigs != NULL ? a->sigs->len : 0;
    guint nb = b->sigs != NULL ? b->sigs->len : 0;
    ck_assert_uint_eq(na, nb);
    if (na > 0) {
        ck_assert_mem_eq(a->sigs->data, b->sigs->data, na * sizeof(pbft_cert_sig));
    }
}

/* ---- builders ---- */

static GPtrArray *attachments(pbft_fixture *f, uint32_t count)
{
    GPtrArray *a = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    for (uint32_t i = 0; i < count; i++) {
        proto_block *b = pbft_fixture_block(f, 10 + i, 2, i);
        g_ptr_array_add(a, pbft_fixture_block_bytes(b));
        proto_block_free(b);
    }
    return a;
}

/* A VIEWCHANGE (unsigned, signed_part NULL): checkpoint at cp_seq signed
 * by cp_signers, committed at cm_seq signed by cm_signers, then
 * `prepared` PREPARE certificates for cm_seq + 1, + 2, ... */
static pbft_viewchange *make_vc(pbft_fixture *f, uint64_t new_view, uint32_t validator,
                                uint64_t cp_seq, uint32_t cp_signers, uint64_t cm_seq,
                                uint32_t cm_signers, uint32_t prepared)
{
    pbft_viewchange *vc = g_new0(pbft_viewchange, 1);
    vc->new_view = new_view;
    vc->validator = validator;
    proto_hash d = digest_of(cp_seq);
    pbft_fixture_cert(f, &vc->checkpoint, PBFT_PHASE_CHECKPOINT, 0, cp_seq, &d, cp_signers);
    d = digest_of(cm_seq);
    pbft_fixture_cert(f, &vc->committed, PBFT_PHASE_COMMIT, 1, cm_seq, &d, cm_signers);
    vc->prepared = g_ptr_array_new_with_free_func((GDestroyNotify)pbft_cert_free);
    for (uint32_t i = 0; i < prepared; i++) {
        pbft_cert *p = g_new0(pbft_cert, 1);
        d = digest_of(cm_seq + 1 + i);
        pbft_fixture_cert(f, p, PBFT_PHASE_PREPARE, new_view - 1, cm_seq + 1 + i, &d, first(7));
        g_ptr_array_add(vc->prepared, p);
    }
    return vc;
}

static void assert_vc_eq(const pbft_viewchange *a, const pbft_viewchange *b)
{
    ck_assert_uint_eq(a->new_view, b->new_view);
    ck_assert_uint_eq(a->validator, b->validator);
    assert_cert_eq(&a->checkpoint, &b->checkpoint);
    assert_cert_eq(&a->committed, &b->committed);
    ck_assert_uint_eq(a->prepared->len, b->prepared->len);
    for (guint i = 0; i < a->prepared->len; i++) {
        assert_cert_eq(a->prepared->pdata[i], b->prepared->pdata[i]);
    }
    ck_assert_mem_eq(a->sig.bytes, b->sig.bytes, PROTO_SIG_SIZE);
    ck_assert(g_bytes_equal(a->signed_part, b->signed_part));
}

static void assert_blocks_eq(GPtrArray *a, GPtrArray *b)
{
    ck_assert_uint_eq(a->len, b->len);
    for (guint i = 0; i < a->len; i++) {
        ck_assert(g_bytes_equal(a->pdata[i], b->pdata[i]));
    }
}

/* BLAKE2b(domain | chain_id LE | part), as pbft_msg.h documents. */
static void documented_hash(const char *domain, GBytes *part, proto_hash *out)
{
    proto_writer w;
    proto_writer_init(&w);
    proto_write_raw(&w, domain, strlen(domain));
    uint8_t chain[8];
    proto_le_put_u64(chain, CHAIN);
    proto_write_raw(&w, chain, sizeof chain);
    gsize size = 0;
    const uint8_t *data = bytes_of(part, &size);
    proto_write_raw(&w, data, size);
    proto_hash_bytes(out, w.buf->data, w.buf->len);
    proto_writer_clear(&w);
}

/* ---- round trips ---- */

START_TEST(test_preprepare_round_trip)
{
    pbft_fixture f;
    pbft_fixture_init(&f, PROTO_CRYPTO_FAST);
    uint64_t views[] = {0, UINT64_MAX};
    uint32_t txs[] = {0, 3};
    for (size_t v = 0; v < G_N_ELEMENTS(views); v++) {
        for (size_t t = 0; t < G_N_ELEMENTS(txs); t++) {
            proto_block *b = pbft_fixture_block(&f, 4, views[v], txs[t]);
            GBytes *body = pbft_fixture_block_bytes(b);
            GBytes *wire = pbft_msg_preprepare_encode(views[v], b);
            ck_assert_uint_eq(g_bytes_get_size(wire), 1 + 8 + 4 + g_bytes_get_size(body));
            ck_assert_uint_eq(pbft_msg_type(wire), PROTO_MSG_PBFT_PREPREPARE);
            uint64_t view = 1;
            GBytes *got = NULL;
            ck_assert(pbft_msg_preprepare_decode(wire, &view, &got));
            ck_assert_uint_eq(view, views[v]);
            ck_assert(g_bytes_equal(got, body));
            /* A slice of the wire, not a copy. */
            ck_assert_ptr_eq(g_bytes_get_data(got, NULL),
                             (const uint8_t *)g_bytes_get_data(wire, NULL) + 13);
            gsize size = 0;
            const uint8_t *data = bytes_of(got, &size);
            proto_block *back = proto_block_decode_all(data, size, 10);
            ck_assert_ptr_nonnull(back);
            ck_assert(proto_hash_equal(&back->hash, &b->hash));
            proto_block_free(back);
            check_damage_rejected(wire, pbft_try_preprepare, "preprepare");
            check_length_lies(wire, 9, pbft_try_preprepare, "preprepare block");
            g_bytes_unref(got);
            g_bytes_unref(wire);
            g_bytes_unref(body);
            proto_block_free(b);
        }
    }
    pbft_fixture_clear(&f);
}
END_TEST

START_TEST(test_vote_round_trip)
{
    pbft_fixture f;
    pbft_fixture_init(&f, mode_of(_i));
    uint8_t types[] = {PROTO_MSG_PBFT_PREPARE, PROTO_MSG_PBFT_COMMIT, PROTO_MSG_PBFT_CHECKPOINT};
    uint8_t phases[] = {PBFT_PHASE_PREPARE, PBFT_PHASE_COMMIT, PBFT_PHASE_CHECKPOINT};
    uint64_t edges[] = {0, UINT64_MAX};
    for (int t = 0; t < 3; t++) {
        for (int e = 0; e < 2; e++) {
            pbft_vote v = {.phase = phases[t],
                           .view = phases[t] == PBFT_PHASE_CHECKPOINT ? 0 : edges[e],
                           .seq = edges[1 - e],
                           .digest = digest_of((uint64_t)t),
                           .validator = e == 0 ? 0 : UINT32_MAX};
            pbft_vote_sign(&v, CHAIN, f.c, &f.keys[3]);
            GBytes *wire = pbft_msg_vote_encode(types[t], &v);
            ck_assert_uint_eq(g_bytes_get_size(wire), VOTE_WIRE_SIZE);
            ck_assert_uint_eq(pbft_msg_type(wire), types[t]);
            pbft_vote got;
            ck_assert(pbft_msg_vote_decode(wire, &got));
            ck_assert_uint_eq(got.phase, v.phase);
            ck_assert_uint_eq(got.view, v.view);
            ck_assert_uint_eq(got.seq, v.seq);
            ck_assert(proto_hash_equal(&got.digest, &v.digest));
            ck_assert_uint_eq(got.validator, v.validator);
            ck_assert_mem_eq(got.sig.bytes, v.sig.bytes, PROTO_SIG_SIZE);
            ck_assert(pbft_vote_verify(&got, CHAIN, f.c, &f.pubs[3]));
            ck_assert(!pbft_vote_verify(&got, CHAIN, f.c, &f.pubs[4]));
            check_damage_rejected(wire, pbft_try_vote, "vote");
            g_bytes_unref(wire);
        }
    }
    /* The type byte gives the phase; a CHECKPOINT must have view 0. */
    pbft_vote v = {.phase = PBFT_PHASE_COMMIT, .view = 0, .seq = 3, .digest = digest_of(3)};
    GBytes *wire = pbft_msg_vote_encode(PROTO_MSG_PBFT_COMMIT, &v);
    gsize size = 0;
    const uint8_t *data = bytes_of(wire, &size);
    uint8_t *copy = g_memdup2(data, size);
    copy[0] = PROTO_MSG_PBFT_CHECKPOINT;
    GBytes *as_checkpoint = g_bytes_new_take(copy, size);
    pbft_vote got;
    ck_assert(pbft_msg_vote_decode(as_checkpoint, &got));
    ck_assert_uint_eq(got.phase, PBFT_PHASE_CHECKPOINT);
    g_bytes_unref(as_checkpoint);
    g_bytes_unref(wire);
    v.view = 1;
    wire = pbft_msg_vote_encode(PROTO_MSG_PBFT_COMMIT, &v);
    data = bytes_of(wire, &size);
    copy = g_memdup2(data, size);
    copy[0] = PROTO_MSG_PBFT_CHECKPOINT;
    as_checkpoint = g_bytes_new_take(copy, size);
    ck_assert(!pbft_try_vote(as_checkpoint));
    g_bytes_unref(as_checkpoint);
    g_bytes_unref(wire);
    pbft_fixture_clear(&f);
}
END_TEST

START_TEST(test_small_messages_round_trip)
{
    uint64_t edges[] = {0, 1, UINT64_MAX};
    for (size_t i = 0; i < G_N_ELEMENTS(edges); i++) {
        GBytes *wire = pbft_msg_status_encode(edges[i], edges[2 - i]);
        ck_assert_uint_eq(g_bytes_get_size(wire), 17);
        ck_assert_uint_eq(pbft_msg_type(wire), PROTO_MSG_STATUS);
        uint64_t view = 0;
        uint64_t height = 0;
        ck_assert(pbft_msg_status_decode(wire, &view, &height));
        ck_assert_uint_eq(view, edges[i]);
        ck_assert_uint_eq(height, edges[2 - i]);
        check_damage_rejected(wire, pbft_try_status, "status");
        g_bytes_unref(wire);
    }
    uint32_t counts[] = {1, PBFT_BLOCKS_MAX};
    for (size_t i = 0; i < G_N_ELEMENTS(counts); i++) {
        GBytes *wire = pbft_msg_get_blocks_encode(edges[i * 2], counts[i]);
        ck_assert_uint_eq(g_bytes_get_size(wire), 13);
        ck_assert_uint_eq(pbft_msg_type(wire), PROTO_MSG_GET_BLOCKS);
        uint64_t from = 9;
        uint32_t count = 9;
        ck_assert(pbft_msg_get_blocks_decode(wire, &from, &count));
        ck_assert_uint_eq(from, edges[i * 2]);
        ck_assert_uint_eq(count, counts[i]);
        check_damage_rejected(wire, pbft_try_get_blocks, "get_blocks");
        g_bytes_unref(wire);
    }
    /* The empty message is nothing. */
    GBytes *empty = g_bytes_new(NULL, 0);
    ck_assert_uint_eq(pbft_msg_type(empty), 0);
    pbft_try_fn all[] = {pbft_try_preprepare, pbft_try_vote,    pbft_try_viewchange,
                         pbft_try_newview,    pbft_try_decided, pbft_try_get_blocks,
                         pbft_try_blocks,     pbft_try_status};
    for (size_t i = 0; i < G_N_ELEMENTS(all); i++) {
        ck_assert(!all[i](empty));
    }
    g_bytes_unref(empty);
}
END_TEST

START_TEST(test_viewchange_round_trip)
{
    pbft_fixture f;
    pbft_fixture_init(&f, mode_of(_i));
    struct {
        pbft_viewchange *vc;
        uint32_t attachments;
    } cases[] = {
        /* genesis certificates, nothing prepared, nothing attached */
        {make_vc(&f, 1, 0, 0, 0, 0, 0, 0), 0},
        /* full certificates, several prepared and attached */
        {make_vc(&f, UINT64_MAX, UINT32_MAX, 4, PBFT_FIX_ALL, 6, first(7), 3), 3},
        /* sequence numbers at the top of the range */
        {make_vc(&f, 9, 2, 0, 0, UINT64_MAX - 2, first(8), 2), 1},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        pbft_viewchange *vc = cases[i].vc;
        GPtrArray *att = attachments(&f, cases[i].attachments);
        const proto_keypair *kp = &f.keys[i];
        GBytes *wire = pbft_msg_viewchange_encode(vc, CHAIN, f.c, kp, att);
        ck_assert_ptr_nonnull(vc->signed_part);
        ck_assert_uint_eq(pbft_msg_type(wire), PROTO_MSG_PBFT_VIEWCHANGE);
        /* Re-encoding replaces signed_part and gives the same bytes. */
        GBytes *again = pbft_msg_viewchange_encode(vc, CHAIN, f.c, kp, att);
        ck_assert(g_bytes_equal(wire, again));
        g_bytes_unref(again);

        GPtrArray *got_att = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
        pbft_viewchange *got = pbft_msg_viewchange_decode(wire, got_att);
        ck_assert_ptr_nonnull(got);
        assert_vc_eq(got, vc);
        assert_blocks_eq(got_att, att);
        ck_assert(pbft_viewchange_verify_sig(got, CHAIN, f.c, &kp->pk));
        ck_assert(!pbft_viewchange_verify_sig(got, CHAIN, f.c, &f.pubs[i + 1]));
        ck_assert(!pbft_viewchange_verify_sig(got, CHAIN + 1, f.c, &kp->pk));
        proto_hash h;
        documented_hash("aitbc/pbft/viewchange", got->signed_part, &h);
        ck_assert(proto_verify(f.c, &got->sig, h.bytes, sizeof h.bytes, &kp->pk));
        pbft_viewchange_free(got);
        g_ptr_array_unref(got_att);
        /* Attachments may be dropped. */
        got = pbft_msg_viewchange_decode(wire, NULL);
        ck_assert_ptr_nonnull(got);
        pbft_viewchange_free(got);

        check_damage_rejected(wire, pbft_try_viewchange, "viewchange");
        check_length_lies(wire, 1, pbft_try_viewchange, "viewchange signed part");
        if (cases[i].attachments > 0) {
            gsize at = 1 + 4 + g_bytes_get_size(vc->signed_part) + PROTO_SIG_SIZE + 4;
            check_length_lies(wire, at, pbft_try_viewchange, "viewchange attachment");
        }
        g_bytes_unref(wire);
        g_ptr_array_unref(att);
        pbft_viewchange_free(vc);
    }
    pbft_fixture_clear(&f);
}
END_TEST

/* Flipping any byte of the signed part or signature either breaks decoding
 * or the signature; flips that decode are counted so the test cannot pass
 * by rejecting everything. */
static void check_flips_break_signature(GBytes *wire, gsize signed_size, bool newview,
                                        pbft_fixture *f, const proto_pubkey *pk)
{
    gsize size = 0;
    const uint8_t *data = bytes_of(wire, &size);
    guint decoded = 0;
    for (gsize at = 5; at < 5 + signed_size + PROTO_SIG_SIZE; at++) {
        uint8_t *copy = g_memdup2(data, size);
        copy[at] ^= 0x01;
        GBytes *bad = g_bytes_new_take(copy, size);
        bool valid;
        if (newview) {
            pbft_newview *nv = pbft_msg_newview_decode(bad, NULL);
            valid = nv != NULL && pbft_newview_verify_sig(nv, CHAIN, f->c, pk);
            decoded += nv != NULL;
            pbft_newview_free(nv);
        } else {
            pbft_viewchange *vc = pbft_msg_viewchange_decode(bad, NULL);
            valid = vc != NULL && pbft_viewchange_verify_sig(vc, CHAIN, f->c, pk);
            decoded += vc != NULL;
            pbft_viewchange_free(vc);
        }
        ck_assert_msg(!valid, "a flip at byte %zu kept a valid signature", at);
        g_bytes_unref(bad);
    }
    ck_assert_uint_gt(decoded, signed_size / 2);
}

START_TEST(test_viewchange_flips)
{
    pbft_fixture f;
    pbft_fixture_init(&f, mode_of(_i));
    pbft_viewchange *vc = make_vc(&f, 3, 4, 2, first(7), 3, first(7), 2);
    GBytes *wire = pbft_msg_viewchange_encode(vc, CHAIN, f.c, &f.keys[4], NULL);
    check_flips_break_signature(wire, g_bytes_get_size(vc->signed_part), false, &f, &f.pubs[4]);
    g_bytes_unref(wire);
    pbft_viewchange_free(vc);
    pbft_fixture_clear(&f);
}
END_TEST

/* A NEWVIEW for view 5 by validator 5 embedding VIEWCHANGEs by 1..count. */
static pbft_newview *make_nv(pbft_fixture *f, uint32_t count)
{
    pbft_newview *nv = g_new0(pbft_newview, 1);
    nv->view = 5;
    nv->leader = 5;
    nv->viewchanges = g_ptr_array_new_with_free_func((GDestroyNotify)pbft_viewchange_free);
    for (uint32_t i = 1; i <= count; i++) {
        pbft_viewchange *vc = make_vc(f, 5, i, 0, 0, i, first(7), i - 1);
        GBytes *w = pbft_msg_viewchange_encode(vc, CHAIN, f->c, &f->keys[i], NULL);
        g_bytes_unref(w);
        g_ptr_array_add(nv->viewchanges, vc);
    }
    return nv;
}

START_TEST(test_newview_round_trip)
{
    pbft_fixture f;
    pbft_fixture_init(&f, mode_of(_i));
    uint32_t counts[] = {0, 1, 3};
    uint32_t atts[] = {0, 2, 1};
    for (size_t c = 0; c < G_N_ELEMENTS(counts); c++) {
        pbft_newview *nv = make_nv(&f, counts[c]);
        GPtrArray *att = attachments(&f, atts[c]);
        GBytes *wire = pbft_msg_newview_encode(nv, CHAIN, f.c, &f.keys[5], att);
        ck_assert_uint_eq(pbft_msg_type(wire), PROTO_MSG_PBFT_NEWVIEW);
        GPtrArray *got_att = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
        pbft_newview *got = pbft_msg_newview_decode(wire, got_att);
        ck_assert_ptr_nonnull(got);
        ck_assert_uint_eq(got->view, 5);
        ck_assert_uint_eq(got->leader, 5);
        ck_assert_mem_eq(got->sig.bytes, nv->sig.bytes, PROTO_SIG_SIZE);
        ck_assert(g_bytes_equal(got->signed_part, nv->signed_part));
        ck_assert_uint_eq(got->viewchanges->len, counts[c]);
        for (guint i = 0; i < got->viewchanges->len; i++) {
            pbft_viewchange *vc = got->viewchanges->pdata[i];
            assert_vc_eq(vc, nv->viewchanges->pdata[i]);
            ck_assert(pbft_viewchange_verify_sig(vc, CHAIN, f.c, &f.pubs[i + 1]));
            ck_assert(!pbft_viewchange_verify_sig(vc, CHAIN, f.c, &f.pubs[0]));
        }
        assert_blocks_eq(got_att, att);
        ck_assert(pbft_newview_verify_sig(got, CHAIN, f.c, &f.pubs[5]));
        ck_assert(!pbft_newview_verify_sig(got, CHAIN, f.c, &f.pubs[6]));
        ck_assert(!pbft_newview_verify_sig(got, CHAIN + 1, f.c, &f.pubs[5]));
        proto_hash h;
        documented_hash("aitbc/pbft/newview", got->signed_part, &h);
        ck_assert(proto_verify(f.c, &got->sig, h.bytes, sizeof h.bytes, &f.pubs[5]));
        /* A VIEWCHANGE's signature does not verify as a NEWVIEW's. */
        if (counts[c] > 0) {
            pbft_viewchange *vc0 = nv->viewchanges->pdata[0];
            pbft_newview fake = {.signed_part = vc0->signed_part, .sig = vc0->sig};
            ck_assert(!pbft_newview_verify_sig(&fake, CHAIN, f.c, &f.pubs[1]));
        }
        pbft_newview_free(got);
        g_ptr_array_unref(got_att);

        check_damage_rejected(wire, pbft_try_newview, "newview");
        check_length_lies(wire, 1, pbft_try_newview, "newview signed part");
        if (counts[c] > 0) {
            check_length_lies(wire, 1 + 4 + 8 + 4 + 4, pbft_try_newview, "embedded viewchange");
        }
        if (counts[c] == 3) {
            check_flips_break_signature(wire, g_bytes_get_size(nv->signed_part), true, &f,
                                        &f.pubs[5]);
        }
        g_bytes_unref(wire);
        g_ptr_array_unref(att);
        pbft_newview_free(nv);
    }
    pbft_fixture_clear(&f);
}
END_TEST

START_TEST(test_decided_and_blocks_round_trip)
{
    pbft_fixture f;
    pbft_fixture_init(&f, mode_of(_i));
    GPtrArray *list = g_ptr_array_new_with_free_func((GDestroyNotify)pbft_decided_free);
    uint64_t views[] = {0, 3, UINT64_MAX};
    uint32_t signers[] = {0, first(7), PBFT_FIX_ALL};
    for (uint32_t i = 0; i < 3; i++) {
        proto_block *b = pbft_fixture_block(&f, i + 1, views[i], i);
        pbft_decided *d = g_new0(pbft_decided, 1);
        d->block = pbft_fixture_block_bytes(b);
        uint64_t seq = i == 2 ? UINT64_MAX : b->header.height;
        pbft_fixture_cert(&f, &d->cert, PBFT_PHASE_COMMIT, views[i], seq, &b->hash, signers[i]);
        proto_block_free(b);
        g_ptr_array_add(list, d);

        GBytes *wire = pbft_msg_decided_encode(d);
        ck_assert_uint_eq(pbft_msg_type(wire), PROTO_MSG_PBFT_DECIDED);
        pbft_decided got = {0};
        ck_assert(pbft_msg_decided_decode(wire, &got));
        ck_assert(g_bytes_equal(got.block, d->block));
        ck_assert_ptr_eq(g_bytes_get_data(got.block, NULL),
                         (const uint8_t *)g_bytes_get_data(wire, NULL) + 5);
        assert_cert_eq(&got.cert, &d->cert);
        if (signers[i] != 0) {
            ck_assert(pbft_cert_verify(&got.cert, &f.q, CHAIN, f.c, NULL));
        }
        pbft_decided_clear(&got);
        check_damage_rejected(wire, pbft_try_decided, "decided");
        check_length_lies(wire, 1, pbft_try_decided, "decided block");
        g_bytes_unref(wire);
    }
    for (guint n = 0; n <= list->len; n++) {
        GPtrArray *part = g_ptr_array_new();
        for (guint i = 0; i < n; i++) {
            g_ptr_array_add(part, list->pdata[i]);
        }
        GBytes *wire = pbft_msg_blocks_encode(part);
        ck_assert_uint_eq(pbft_msg_type(wire), PROTO_MSG_BLOCKS);
        GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)pbft_decided_free);
        ck_assert(pbft_msg_blocks_decode(wire, out));
        ck_assert_uint_eq(out->len, n);
        for (guint i = 0; i < n; i++) {
            pbft_decided *a = out->pdata[i];
            pbft_decided *b = part->pdata[i];
            ck_assert(g_bytes_equal(a->block, b->block));
            assert_cert_eq(&a->cert, &b->cert);
        }
        g_ptr_array_unref(out);
        check_damage_rejected(wire, pbft_try_blocks, "blocks");
        if (n > 0) {
            check_length_lies(wire, 5, pbft_try_blocks, "blocks entry");
        }
        g_bytes_unref(wire);
        g_ptr_array_unref(part);
    }
    g_ptr_array_unref(list);
    pbft_fixture_clear(&f);
}
END_TEST

/* Random damage to valid messages of every type: decoders never crash or
 * overread (ASan), and a message decodes only with its own decoder. */
START_TEST(test_mutations)
{
    pbft_fixture f;
    pbft_fixture_init(&f, PROTO_CRYPTO_FAST);
    proto_block *b = pbft_fixture_block(&f, 3, 1, 2);
    pbft_vote v = {.phase = PBFT_PHASE_COMMIT, .view = 1, .seq = 3, .digest = b->hash};
    pbft_vote_sign(&v, CHAIN, f.c, &f.keys[0]);
    pbft_viewchange *vc = make_vc(&f, 2, 1, 0, 0, 1, first(7), 2);
    GPtrArray *att = attachments(&f, 2);
    pbft_newview *nv = make_nv(&f, 2);
    pbft_decided d = {.block = pbft_fixture_block_bytes(b)};
    pbft_fixture_cert(&f, &d.cert, PBFT_PHASE_COMMIT, 1, 3, &b->hash, first(7));
    GPtrArray *list = g_ptr_array_new();
    g_ptr_array_add(list, &d);
    g_ptr_array_add(list, &d);
    struct {
        GBytes *wire;
        pbft_try_fn fn;
    } msgs[] = {
        {pbft_msg_preprepare_encode(1, b), pbft_try_preprepare},
        {pbft_msg_vote_encode(PROTO_MSG_PBFT_COMMIT, &v), pbft_try_vote},
        {pbft_msg_viewchange_encode(vc, CHAIN, f.c, &f.keys[1], att), pbft_try_viewchange},
        {pbft_msg_newview_encode(nv, CHAIN, f.c, &f.keys[5], att), pbft_try_newview},
        {pbft_msg_decided_encode(&d), pbft_try_decided},
        {pbft_msg_get_blocks_encode(1, 2), pbft_try_get_blocks},
        {pbft_msg_blocks_encode(list), pbft_try_blocks},
        {pbft_msg_status_encode(1, 2), pbft_try_status},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(msgs); i++) {
        for (size_t j = 0; j < G_N_ELEMENTS(msgs); j++) {
            ck_assert_msg(msgs[j].fn(msgs[i].wire) == (i == j), "message %zu, decoder %zu", i, j);
        }
    }
    GRand *rng = g_rand_new_with_seed(20261126);
    for (size_t i = 0; i < G_N_ELEMENTS(msgs); i++) {
        gsize size = 0;
        const uint8_t *data = bytes_of(msgs[i].wire, &size);
        for (int round = 0; round < 400; round++) {
            gsize new_size = size;
            if (round % 4 == 3) { /* cut somewhere, then flip */
                new_size = (gsize)g_rand_int_range(rng, 0, (gint32)size);
            }
            uint8_t *copy = g_malloc(new_size > 0 ? new_size : 1);
            memcpy(copy, data, new_size);
            int flips = g_rand_int_range(rng, 1, 4);
            for (int k = 0; k < flips && new_size > 1; k++) {
                gsize at = (gsize)g_rand_int_range(rng, 1, (gint32)new_size);
                copy[at] ^= (uint8_t)g_rand_int_range(rng, 1, 256);
            }
            GBytes *bad = g_bytes_new_take(copy, new_size);
            for (size_t j = 0; j < G_N_ELEMENTS(msgs); j++) {
                msgs[j].fn(bad);
            }
            g_bytes_unref(bad);
        }
        g_bytes_unref(msgs[i].wire);
    }
    g_rand_free(rng);
    g_ptr_array_unref(list);
    pbft_decided_clear(&d);
    pbft_newview_free(nv);
    g_ptr_array_unref(att);
    pbft_viewchange_free(vc);
    proto_block_free(b);
    pbft_fixture_clear(&f);
}
END_TEST

static Suite *pbft_msg_suite(void)
{
    Suite *s = suite_create("pbft_msg");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_preprepare_round_trip);
    tcase_add_loop_test(tc, test_vote_round_trip, 0, 2);
    tcase_add_test(tc, test_small_messages_round_trip);
    tcase_add_loop_test(tc, test_viewchange_round_trip, 0, 2);
    tcase_add_loop_test(tc, test_viewchange_flips, 0, 2);
    tcase_add_loop_test(tc, test_newview_round_trip, 0, 2);
    tcase_add_loop_test(tc, test_decided_and_blocks_round_trip, 0, 2);
    tcase_add_test(tc, test_mutations);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(pbft_msg_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
