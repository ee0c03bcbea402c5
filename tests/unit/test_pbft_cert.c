/* Unit tests for PBFT votes, certificates and quorum arithmetic
 * (protocol/pbft/pbft_cert.c): the documented vote signing hash, vote
 * signatures, sorted insertion into certificates, copy, the exact
 * strong/weak thresholds (checked against 128-bit arithmetic, also near
 * UINT64_MAX), and pbft_cert_verify: quorum size, unequal stakes, a bad
 * signature in any position, wrong fields, out-of-range or unsorted
 * validators, and the genesis certificate; a prepared certificate's
 * pre-prepare (Castro and Liskov's P_m: the pre-prepare and 2f PREPAREs)
 * counts for its proposer exactly when it is the named block in the
 * named view and its proposer has no PREPARE in it, and its encoding.
 * Signature tests run in both crypto modes (loop index 0 = real, 1 =
 * fast). */
#include <check.h>
#include <string.h>

#include "protocol/core/codec.h"
#include "support/pbft_fixture.h"

#define CHAIN PBFT_FIX_CHAIN_ID

static proto_crypto_mode mode_of(int i)
{
    return i == 0 ? PROTO_CRYPTO_REAL : PROTO_CRYPTO_FAST;
}

static proto_hash digest_of(uint8_t fill)
{
    proto_hash h;
    memset(h.bytes, fill, sizeof h.bytes);
    return h;
}

/* Bitmask of the first k validators. */
static uint32_t first(uint32_t k)
{
    return (1u << k) - 1;
}

START_TEST(test_vote_signing_hash_layout)
{
    proto_hash d = digest_of(0x5a);
    uint8_t buf[15 + 8 + 1 + 8 + 8 + 32];
    memcpy(buf, "aitbc/pbft/vote", 15);
    proto_le_put_u64(buf + 15, UINT64_C(0x0102030405060708));
    buf[23] = PBFT_PHASE_COMMIT;
    proto_le_put_u64(buf + 24, 77);
    proto_le_put_u64(buf + 32, UINT64_MAX);
    memcpy(buf + 40, d.bytes, 32);
    proto_hash want;
    proto_hash_bytes(&want, buf, sizeof buf);
    proto_hash got;
    pbft_vote_signing_hash(UINT64_C(0x0102030405060708), PBFT_PHASE_COMMIT, 77, UINT64_MAX, &d,
                           &got);
    ck_assert(proto_hash_equal(&want, &got));
}
END_TEST

START_TEST(test_vote_sign_verify)
{
    pbft_fixture f;
    pbft_fixture_init(&f, mode_of(_i));
    pbft_vote v = {
        .phase = PBFT_PHASE_PREPARE, .view = 3, .seq = 9, .digest = digest_of(1), .validator = 2};
    pbft_vote_sign(&v, CHAIN, f.c, &f.keys[2]);
    ck_assert(pbft_vote_verify(&v, CHAIN, f.c, &f.pubs[2]));
    /* The signature is proto_sign over the 32-byte signing hash. */
    proto_hash h;
    pbft_vote_signing_hash(CHAIN, v.phase, v.view, v.seq, &v.digest, &h);
    ck_assert(proto_verify(f.c, &v.sig, h.bytes, sizeof h.bytes, &f.pubs[2]));
    ck_assert(!pbft_vote_verify(&v, CHAIN, f.c, &f.pubs[3]));
    ck_assert(!pbft_vote_verify(&v, CHAIN + 1, f.c, &f.pubs[2]));
    pbft_vote w = v;
    w.phase = PBFT_PHASE_COMMIT;
    ck_assert(!pbft_vote_verify(&w, CHAIN, f.c, &f.pubs[2]));
    w = v;
    w.view = 4;
    ck_assert(!pbft_vote_verify(&w, CHAIN, f.c, &f.pubs[2]));
    w = v;
    w.seq = 8;
    ck_assert(!pbft_vote_verify(&w, CHAIN, f.c, &f.pubs[2]));
    w = v;
    w.digest.bytes[31] ^= 1;
    ck_assert(!pbft_vote_verify(&w, CHAIN, f.c, &f.pubs[2]));
    w = v;
    w.sig.bytes[0] ^= 1;
    ck_assert(!pbft_vote_verify(&w, CHAIN, f.c, &f.pubs[2]));
    pbft_fixture_clear(&f);
}
END_TEST

START_TEST(test_cert_add_sorted_and_copy)
{
    proto_hash d = digest_of(2);
    pbft_cert c;
    pbft_cert_init(&c, PBFT_PHASE_COMMIT, 1, 2, &d);
    proto_sig s[4];
    for (int i = 0; i < 4; i++) {
        memset(s[i].bytes, 0x10 + i, sizeof s[i].bytes);
    }
    ck_assert(pbft_cert_add(&c, 5, &s[0]));
    ck_assert(pbft_cert_add(&c, 2, &s[1]));
    ck_assert(pbft_cert_add(&c, 9, &s[2]));
    ck_assert(pbft_cert_add(&c, 0, &s[3]));
    ck_assert(!pbft_cert_add(&c, 2, &s[0])); /* duplicate: unchanged */
    ck_assert(!pbft_cert_add(&c, 9, &s[0]));
    ck_assert_uint_eq(c.sigs->len, 4);
    uint32_t want[4] = {0, 2, 5, 9};
    int sig_of[4] = {3, 1, 0, 2};
    for (guint i = 0; i < 4; i++) {
        pbft_cert_sig *e = &g_array_index(c.sigs, pbft_cert_sig, i);
        ck_assert_uint_eq(e->validator, want[i]);
        ck_assert_mem_eq(e->sig.bytes, s[sig_of[i]].bytes, PROTO_SIG_SIZE);
    }
    pbft_cert copy;
    pbft_cert_copy(&copy, &c);
    ck_assert_uint_eq(copy.phase, PBFT_PHASE_COMMIT);
    ck_assert_uint_eq(copy.view, 1);
    ck_assert_uint_eq(copy.seq, 2);
    ck_assert(proto_hash_equal(&copy.digest, &d));
    ck_assert_uint_eq(copy.sigs->len, 4);
    ck_assert_mem_eq(copy.sigs->data, c.sigs->data, 4 * sizeof(pbft_cert_sig));
    /* Deep: changing the copy leaves the original alone. */
    ck_assert(pbft_cert_add(&copy, 7, &s[0]));
    ck_assert_uint_eq(copy.sigs->len, 5);
    ck_assert_uint_eq(c.sigs->len, 4);
    pbft_cert_clear(&copy);
    pbft_cert_clear(&c);
    pbft_cert_clear(&c); /* twice is fine */
    pbft_cert *heap = g_new0(pbft_cert, 1);
    pbft_cert_init(heap, PBFT_PHASE_PREPARE, 0, 1, &d);
    pbft_cert_free(heap);
    pbft_cert_free(NULL);
}
END_TEST

/* The definition, in 128-bit arithmetic. */
static bool ref_strong(uint64_t total, uint64_t stake)
{
    return (unsigned __int128)3 * stake > (unsigned __int128)2 * total;
}

static bool ref_weak(uint64_t total, uint64_t stake)
{
    return stake > 0 && (unsigned __int128)3 * stake >= (unsigned __int128)total;
}

START_TEST(test_quorum_thresholds)
{
    proto_pubkey keys[3] = {{{0}}};
    uint64_t ones[3] = {1, 1, 1};
    pbft_quorum q;
    pbft_quorum_init(&q, 3, keys, ones);
    ck_assert_uint_eq(q.total_stake, 3);
    ck_assert(!pbft_quorum_strong(&q, 2)); /* 6 > 6 is false */
    ck_assert(pbft_quorum_strong(&q, 3));
    ck_assert(!pbft_quorum_weak(&q, 0));
    ck_assert(pbft_quorum_weak(&q, 1)); /* f + 1 with f = 0: one of three */

    proto_pubkey keys10[10] = {{{0}}};
    uint64_t equal10[10];
    for (int i = 0; i < 10; i++) {
        equal10[i] = 1;
    }
    pbft_quorum_init(&q, 10, keys10, equal10);
    ck_assert(!pbft_quorum_strong(&q, 6));
    ck_assert(pbft_quorum_strong(&q, 7)); /* (N + f + 2) / 2 = 7 for N = 10, f = 3 */
    ck_assert(!pbft_quorum_weak(&q, 3));
    ck_assert(pbft_quorum_weak(&q, 4)); /* f + 1 */

    pbft_quorum_init(&q, 0, NULL, NULL);
    ck_assert_uint_eq(q.total_stake, 0);
    ck_assert(!pbft_quorum_strong(&q, 0));
    ck_assert(!pbft_quorum_weak(&q, 0));

    /* Near UINT64_MAX: 3 * stake and 2 * total overflow 64 bits. */
    uint64_t half = UINT64_MAX / 2;
    uint64_t big[2] = {half, half + 1};
    pbft_quorum_init(&q, 2, keys, big);
    ck_assert_uint_eq(q.total_stake, UINT64_MAX);
    ck_assert(!pbft_quorum_strong(&q, half + 1));
    ck_assert(pbft_quorum_weak(&q, half));
    ck_assert(pbft_quorum_strong(&q, UINT64_MAX));
    /* floor(2 * UINT64_MAX / 3) = 0xAAAA...AA (UINT64_MAX = 3 * 0x5555...55). */
    ck_assert(!pbft_quorum_strong(&q, UINT64_C(0xAAAAAAAAAAAAAAAA)));
    ck_assert(pbft_quorum_strong(&q, UINT64_C(0xAAAAAAAAAAAAAAAB)));
    ck_assert(!pbft_quorum_weak(&q, UINT64_C(0x5555555555555554)));
    ck_assert(pbft_quorum_weak(&q, UINT64_C(0x5555555555555555))); /* exactly a third */
}
END_TEST

/* Every residue of total mod 3, small and huge totals, stakes around both
 * thresholds: the overflow-free formulas agree with 128-bit arithmetic. */
START_TEST(test_quorum_matches_wide_arithmetic)
{
    /* clang-format off */
    uint64_t totals[] = {0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 100, 101, 102,
                         UINT64_MAX, UINT64_MAX - 1, UINT64_MAX - 2, UINT64_MAX - 3,
                         UINT64_MAX / 2, UINT64_MAX / 2 + 1, UINT64_MAX / 3,
                         UINT64_MAX / 3 * 2, UINT64_C(1) << 63};
    /* clang-format on */
    for (size_t t = 0; t < G_N_ELEMENTS(totals); t++) {
        pbft_quorum q = {.total_stake = totals[t]};
        uint64_t centres[] = {0, totals[t] / 3, totals[t] / 3 * 2, totals[t]};
        for (size_t c = 0; c < G_N_ELEMENTS(centres); c++) {
            for (int d = -3; d <= 3; d++) {
                uint64_t s = centres[c] + (uint64_t)(int64_t)d; /* wraps at the ends: fine */
                ck_assert_msg(pbft_quorum_strong(&q, s) == ref_strong(totals[t], s),
                              "strong total=%" G_GUINT64_FORMAT " stake=%" G_GUINT64_FORMAT,
                              totals[t], s);
                ck_assert_msg(pbft_quorum_weak(&q, s) == ref_weak(totals[t], s),
                              "weak total=%" G_GUINT64_FORMAT " stake=%" G_GUINT64_FORMAT,
                              totals[t], s);
            }
        }
    }
}
END_TEST

START_TEST(test_cert_verify_quorum_size)
{
    pbft_fixture f;
    pbft_fixture_init(&f, mode_of(_i));
    proto_hash d = digest_of(3);
    pbft_cert c;
    pbft_fixture_cert(&f, &c, PBFT_PHASE_COMMIT, 2, 5, &d, first(7));
    ck_assert(pbft_cert_verify(&c, &f.q, CHAIN, f.c, NULL));
    pbft_cert_clear(&c);
    pbft_fixture_cert(&f, &c, PBFT_PHASE_COMMIT, 2, 5, &d, first(6));
    ck_assert(!pbft_cert_verify(&c, &f.q, CHAIN, f.c, NULL));
    pbft_cert_clear(&c);
    /* Any 7 will do, and all 10 too (extra signatures are checked as well). */
    pbft_fixture_cert(&f, &c, PBFT_PHASE_PREPARE, 0, 1, &d, 0x3f8); /* 3..9 */
    ck_assert(pbft_cert_verify(&c, &f.q, CHAIN, f.c, NULL));
    pbft_cert_clear(&c);
    pbft_fixture_cert(&f, &c, PBFT_PHASE_CHECKPOINT, 0, UINT64_MAX, &d, PBFT_FIX_ALL);
    ck_assert(pbft_cert_verify(&c, &f.q, CHAIN, f.c, NULL));
    ck_assert(!pbft_cert_verify(&c, &f.q, CHAIN + 1, f.c, NULL));
    pbft_cert_clear(&c);
    pbft_fixture_clear(&f);
}
END_TEST

START_TEST(test_cert_verify_unequal_stakes)
{
    pbft_fixture f;
    pbft_fixture_init(&f, mode_of(_i));
    uint64_t stakes[5] = {50, 20, 10, 10, 10}; /* total 100: strong needs 67 */
    pbft_quorum q;
    pbft_quorum_init(&q, 5, f.pubs, stakes);
    proto_hash d = digest_of(4);
    struct {
        uint32_t signers;
        bool ok;
    } cases[] = {
        {0x03, true},  /* 50 + 20 = 70 */
        {0x05, false}, /* 50 + 10 = 60 */
        {0x0d, true},  /* 50 + 10 + 10 = 70 */
        {0x1e, false}, /* 20 + 10 + 10 + 10 = 50 */
        {0x01, false}, /* 50 */
        {0x1f, true},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        pbft_cert c;
        pbft_fixture_cert(&f, &c, PBFT_PHASE_COMMIT, 1, 1, &d, cases[i].signers);
        ck_assert_msg(pbft_cert_verify(&c, &q, CHAIN, f.c, NULL) == cases[i].ok, "case %zu", i);
        pbft_cert_clear(&c);
    }
    pbft_fixture_clear(&f);
}
END_TEST

START_TEST(test_cert_verify_rejects_any_bad_part)
{
    pbft_fixture f;
    pbft_fixture_init(&f, mode_of(_i));
    proto_hash d = digest_of(5);
    pbft_cert good;
    pbft_fixture_cert(&f, &good, PBFT_PHASE_COMMIT, 4, 8, &d, PBFT_FIX_ALL);
    ck_assert(pbft_cert_verify(&good, &f.q, CHAIN, f.c, NULL));
    /* One bad signature in any position, even with a quorum of good ones. */
    for (guint i = 0; i < good.sigs->len; i++) {
        pbft_cert c;
        pbft_cert_copy(&c, &good);
        g_array_index(c.sigs, pbft_cert_sig, i).sig.bytes[i] ^= 0x40;
        ck_assert_msg(!pbft_cert_verify(&c, &f.q, CHAIN, f.c, NULL), "bad sig at %u", i);
        pbft_cert_clear(&c);
    }
    /* A signature moved to another validator's slot. */
    pbft_cert c;
    pbft_cert_copy(&c, &good);
    g_array_index(c.sigs, pbft_cert_sig, 3).sig = g_array_index(c.sigs, pbft_cert_sig, 4).sig;
    ck_assert(!pbft_cert_verify(&c, &f.q, CHAIN, f.c, NULL));
    pbft_cert_clear(&c);
    /* Any field the votes did not sign. */
    pbft_cert_copy(&c, &good);
    c.digest.bytes[0] ^= 1;
    ck_assert(!pbft_cert_verify(&c, &f.q, CHAIN, f.c, NULL));
    c.digest = good.digest;
    c.view++;
    ck_assert(!pbft_cert_verify(&c, &f.q, CHAIN, f.c, NULL));
    c.view = good.view;
    c.seq++;
    ck_assert(!pbft_cert_verify(&c, &f.q, CHAIN, f.c, NULL));
    c.seq = good.seq;
    c.phase = PBFT_PHASE_PREPARE;
    ck_assert(!pbft_cert_verify(&c, &f.q, CHAIN, f.c, NULL));
    c.phase = 0;
    ck_assert(!pbft_cert_verify(&c, &f.q, CHAIN, f.c, NULL));
    c.phase = 4;
    ck_assert(!pbft_cert_verify(&c, &f.q, CHAIN, f.c, NULL));
    c.phase = good.phase;
    ck_assert(pbft_cert_verify(&c, &f.q, CHAIN, f.c, NULL));
    pbft_cert_clear(&c);
    pbft_cert_clear(&good);
    pbft_fixture_clear(&f);
}
END_TEST

START_TEST(test_cert_verify_validator_rules)
{
    pbft_fixture f;
    pbft_fixture_init(&f, mode_of(_i));
    proto_hash d = digest_of(6);
    pbft_cert c;
    pbft_fixture_cert(&f, &c, PBFT_PHASE_COMMIT, 1, 3, &d, first(7));
    /* Out of range: a quorum over only the first 7 of the 10 keys makes
     * validator 7 (and beyond) out of range. */
    pbft_quorum q7;
    pbft_quorum_init(&q7, 7, f.pubs, f.stakes);
    ck_assert(pbft_cert_verify(&c, &q7, CHAIN, f.c, NULL));
    pbft_cert c8;
    pbft_fixture_cert(&f, &c8, PBFT_PHASE_COMMIT, 1, 3, &d, first(8));
    ck_assert(!pbft_cert_verify(&c8, &q7, CHAIN, f.c, NULL));
    pbft_cert_clear(&c8);
    pbft_cert far;
    pbft_cert_copy(&far, &c);
    proto_sig any = {{0}};
    ck_assert(pbft_cert_add(&far, UINT32_MAX, &any));
    ck_assert(!pbft_cert_verify(&far, &f.q, CHAIN, f.c, NULL));
    pbft_cert_clear(&far);
    /* Unsorted and duplicated validators (built by hand: pbft_cert_add
     * cannot produce them). */
    pbft_cert bad;
    pbft_cert_copy(&bad, &c);
    pbft_cert_sig tmp = g_array_index(bad.sigs, pbft_cert_sig, 0);
    g_array_index(bad.sigs, pbft_cert_sig, 0) = g_array_index(bad.sigs, pbft_cert_sig, 1);
    g_array_index(bad.sigs, pbft_cert_sig, 1) = tmp;
    ck_assert(!pbft_cert_verify(&bad, &f.q, CHAIN, f.c, NULL));
    pbft_cert_clear(&bad);
    pbft_cert_copy(&bad, &c);
    g_array_remove_index(bad.sigs, 6); /* 6 signers left: not a quorum ... */
    pbft_cert_sig again = g_array_index(bad.sigs, pbft_cert_sig, 5);
    g_array_append_val(bad.sigs, again); /* ... unless validator 5 counts twice */
    ck_assert_uint_eq(bad.sigs->len, 7);
    ck_assert(!pbft_cert_verify(&bad, &f.q, CHAIN, f.c, NULL));
    pbft_cert_clear(&bad);
    pbft_cert_clear(&c);
    pbft_fixture_clear(&f);
}
END_TEST

START_TEST(test_cert_verify_genesis)
{
    pbft_fixture f;
    pbft_fixture_init(&f, mode_of(_i));
    proto_hash genesis = digest_of(0x77);
    proto_hash other = digest_of(0x78);
    pbft_cert c;
    pbft_cert_init(&c, PBFT_PHASE_COMMIT, 0, 0, &genesis);
    ck_assert(pbft_cert_verify(&c, &f.q, CHAIN, f.c, &genesis));
    ck_assert(!pbft_cert_verify(&c, &f.q, CHAIN, f.c, &other));
    ck_assert(!pbft_cert_verify(&c, &f.q, CHAIN, f.c, NULL));
    c.phase = PBFT_PHASE_CHECKPOINT;
    ck_assert(pbft_cert_verify(&c, &f.q, CHAIN, f.c, &genesis));
    c.phase = PBFT_PHASE_PREPARE; /* nothing is ever prepared at seq 0 */
    ck_assert(!pbft_cert_verify(&c, &f.q, CHAIN, f.c, &genesis));
    c.phase = 9;
    ck_assert(!pbft_cert_verify(&c, &f.q, CHAIN, f.c, &genesis));
    pbft_cert_clear(&c);
    /* A zero-filled cert (sigs NULL) counts as empty. */
    pbft_cert z = {.phase = PBFT_PHASE_COMMIT, .digest = genesis};
    ck_assert(pbft_cert_verify(&z, &f.q, CHAIN, f.c, &genesis));
    /* No signatures above seq 0 is never valid. */
    pbft_cert_init(&c, PBFT_PHASE_COMMIT, 0, 1, &genesis);
    ck_assert(!pbft_cert_verify(&c, &f.q, CHAIN, f.c, &genesis));
    pbft_cert_clear(&c);
    /* Seq 0 with signatures is checked like any other certificate. */
    pbft_fixture_cert(&f, &c, PBFT_PHASE_COMMIT, 0, 0, &other, first(7));
    ck_assert(pbft_cert_verify(&c, &f.q, CHAIN, f.c, &genesis));
    pbft_cert_clear(&c);
    pbft_fixture_cert(&f, &c, PBFT_PHASE_COMMIT, 0, 0, &genesis, first(3));
    ck_assert(!pbft_cert_verify(&c, &f.q, CHAIN, f.c, &genesis));
    pbft_cert_clear(&c);
    pbft_fixture_clear(&f);
}
END_TEST

/* Backups 4..9 hold 600 of 1000 (no quorum); the pre-prepare of block b,
 * proposed by v3 in view 3 at height 4, brings it to 700. */
START_TEST(test_prepared_cert_counts_its_preprepare)
{
    pbft_fixture f;
    pbft_fixture_init(&f, mode_of(_i));
    proto_block *b = pbft_fixture_block(&f, 4, 3, 0);
    uint32_t backups = 0x3f0; /* 4..9 */
    pbft_cert c;
    pbft_fixture_cert(&f, &c, PBFT_PHASE_PREPARE, 3, 4, &b->hash, backups);
    ck_assert(!pbft_cert_verify(&c, &f.q, CHAIN, f.c, NULL));
    pbft_cert_set_preprepare(&c, &b->header);
    ck_assert_uint_eq(pbft_cert_preprepare_proposer(&c, PBFT_FIX_N), 3);
    ck_assert(pbft_cert_verify(&c, &f.q, CHAIN, f.c, NULL));
    /* Encoded and read back, it is the same certificate. */
    proto_writer w;
    proto_writer_init(&w);
    pbft_cert_write(&w, &c);
    GBytes *enc = proto_writer_steal(&w);
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(enc, &size);
    proto_reader r;
    proto_reader_init(&r, data, size);
    pbft_cert back;
    ck_assert(pbft_cert_read(&r, &back, PBFT_PHASE_PREPARE) && proto_reader_finish(&r));
    ck_assert(back.has_preprepare);
    ck_assert(memcmp(&back.preprepare.sig, &b->header.sig, sizeof b->header.sig) == 0);
    ck_assert(pbft_cert_verify(&back, &f.q, CHAIN, f.c, NULL));
    pbft_cert_clear(&back);
    /* A flag other than 0 or 1, or a header cut short, is malformed. */
    uint8_t *bad = g_memdup2(data, size);
    gsize flag_at = size - PROTO_BLOCK_HEADER_WIRE_SIZE - 1;
    ck_assert_uint_eq(bad[flag_at], 1);
    bad[flag_at] = 2;
    proto_reader_init(&r, bad, size);
    ck_assert(!pbft_cert_read(&r, &back, PBFT_PHASE_PREPARE));
    proto_reader_init(&r, data, size - 1);
    ck_assert(!pbft_cert_read(&r, &back, PBFT_PHASE_PREPARE));
    g_free(bad);
    g_bytes_unref(enc);
    /* A bad signature on the pre-prepare fails the certificate. */
    c.preprepare.sig.bytes[5] ^= 1;
    ck_assert(!pbft_cert_verify(&c, &f.q, CHAIN, f.c, NULL));
    c.preprepare = b->header;
    /* Another view's block does not stand for a PREPARE in this one. */
    c.view = 2;
    ck_assert_uint_eq(pbft_cert_preprepare_proposer(&c, PBFT_FIX_N), PBFT_NO_PREPREPARE);
    pbft_cert_clear(&c);
    /* The proposer's PREPARE and its pre-prepare count once. */
    pbft_fixture_cert(&f, &c, PBFT_PHASE_PREPARE, 3, 4, &b->hash, backups | 0x8);
    pbft_cert_set_preprepare(&c, &b->header);
    ck_assert_uint_eq(pbft_cert_preprepare_proposer(&c, PBFT_FIX_N), PBFT_NO_PREPREPARE);
    ck_assert(pbft_cert_verify(&c, &f.q, CHAIN, f.c, NULL)); /* 700 by PREPAREs alone */
    pbft_cert_clear(&c);
    pbft_fixture_cert(&f, &c, PBFT_PHASE_PREPARE, 3, 4, &b->hash, 0x1f8); /* 3..8 */
    pbft_cert_set_preprepare(&c, &b->header);
    ck_assert(!pbft_cert_verify(&c, &f.q, CHAIN, f.c, NULL)); /* 600, not 700 */
    pbft_cert_clear(&c);
    /* A block of another height or digest does not count either. */
    pbft_fixture_cert(&f, &c, PBFT_PHASE_PREPARE, 3, 5, &b->hash, backups);
    pbft_cert_set_preprepare(&c, &b->header);
    ck_assert(!pbft_cert_verify(&c, &f.q, CHAIN, f.c, NULL));
    pbft_cert_clear(&c);
    proto_hash other = digest_of(9);
    pbft_fixture_cert(&f, &c, PBFT_PHASE_PREPARE, 3, 4, &other, backups);
    pbft_cert_set_preprepare(&c, &b->header);
    ck_assert(!pbft_cert_verify(&c, &f.q, CHAIN, f.c, NULL));
    pbft_cert_clear(&c);
    proto_block_free(b);
    pbft_fixture_clear(&f);
}
END_TEST

static Suite *pbft_cert_suite(void)
{
    Suite *s = suite_create("pbft_cert");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_vote_signing_hash_layout);
    tcase_add_loop_test(tc, test_vote_sign_verify, 0, 2);
    tcase_add_test(tc, test_cert_add_sorted_and_copy);
    tcase_add_test(tc, test_quorum_thresholds);
    tcase_add_test(tc, test_quorum_matches_wide_arithmetic);
    tcase_add_loop_test(tc, test_cert_verify_quorum_size, 0, 2);
    tcase_add_loop_test(tc, test_cert_verify_unequal_stakes, 0, 2);
    tcase_add_loop_test(tc, test_cert_verify_rejects_any_bad_part, 0, 2);
    tcase_add_loop_test(tc, test_cert_verify_validator_rules, 0, 2);
    tcase_add_loop_test(tc, test_cert_verify_genesis, 0, 2);
    tcase_add_loop_test(tc, test_prepared_cert_counts_its_preprepare, 0, 2);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(pbft_cert_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
