/* Unit tests for blocks (protocol/chain/block.c): encode/decode round
 * trip, truncation at every offset, the structural checks of decode (tx
 * count, txs_max, tx root, duplicate txs, trailing bytes), the proposer
 * signature, the Merkle root shape (including the CVE-2012-2459 padding
 * ambiguity we defend against) and a golden block hash. */
#include <check.h>
#include <string.h>

#include "protocol/chain/block.h"
#include "support/tx_fixture.h"

#define CHAIN_ID 1
/* One transfer envelope on the wire. */
#define TRANSFER_WIRE_SIZE (PROTO_TXENV_HEADER_SIZE + 1 + 4 + 8 + PROTO_SIG_SIZE)

typedef struct fixture {
    proto_crypto *c;
    proto_keypair proposer;
    proto_keypair other;
    proto_keypair accounts[3];
} fixture;

static void fixture_init(fixture *f)
{
    f->c = proto_crypto_new(PROTO_CRYPTO_REAL, 64);
    proto_keypair_derive(&f->proposer, 1, "validator/0");
    proto_keypair_derive(&f->other, 1, "validator/1");
    for (uint32_t i = 0; i < 3; i++) {
        char label[16];
        g_snprintf(label, sizeof label, "account/%u", i);
        proto_keypair_derive(&f->accounts[i], 1, label);
    }
}

static void fixture_clear(fixture *f)
{
    proto_crypto_free(f->c);
}

/* The fixed block of the golden test: height 5, three signed transfers. */
static proto_block *fixed_block(fixture *f)
{
    proto_block *b = proto_block_new();
    b->header.height = 5;
    b->header.slot = 9;
    memset(b->header.parent.bytes, 0x11, PROTO_HASH_SIZE);
    b->header.proposer = 0;
    b->header.timestamp_ns = INT64_C(4500000000);
    memset(b->header.state_root.bytes, 0x22, PROTO_HASH_SIZE);
    for (uint32_t i = 0; i < 3; i++) {
        txfix_fees fees = {.max_fee_per_gas = 2000 + i, .max_priority_fee_per_gas = 1};
        proto_txenv tx =
            txfix_transfer(f->c, CHAIN_ID, &f->accounts[i], 0, (i + 1) % 3, 100 + i, fees);
        g_array_append_val(b->txs, tx);
    }
    proto_block_seal_txs(b);
    proto_block_sign(b, CHAIN_ID, f->c, &f->proposer);
    return b;
}

static GBytes *block_bytes(const proto_block *b)
{
    proto_writer w;
    proto_writer_init(&w);
    proto_block_encode(b, &w);
    GBytes *out = proto_writer_steal(&w);
    proto_writer_clear(&w);
    return out;
}

/* Decode from an exactly sized heap copy (so ASan sees any overread). */
static proto_block *decode_copy(const uint8_t *data, size_t size, uint32_t txs_max)
{
    uint8_t *copy = g_memdup2(data, size);
    proto_block *b = proto_block_decode_all(copy, size, txs_max);
    g_free(copy);
    return b;
}

START_TEST(test_round_trip)
{
    fixture f;
    fixture_init(&f);
    proto_block *b = fixed_block(&f);
    GBytes *enc = block_bytes(b);
    size_t size;
    const uint8_t *p = g_bytes_get_data(enc, &size);
    ck_assert_uint_eq(size, PROTO_BLOCK_HEADER_WIRE_SIZE + 4 + 3 * TRANSFER_WIRE_SIZE + 4);
    proto_block *back = decode_copy(p, size, 100);
    ck_assert_ptr_nonnull(back);
    ck_assert_uint_eq(back->header.height, 5);
    ck_assert_uint_eq(back->header.slot, 9);
    ck_assert_int_eq(back->header.timestamp_ns, INT64_C(4500000000));
    ck_assert_uint_eq(back->header.tx_count, 3);
    ck_assert_mem_eq(back->header.sig.bytes, b->header.sig.bytes, PROTO_SIG_SIZE);
    ck_assert(proto_hash_equal(&back->hash, &b->hash));
    ck_assert_uint_eq(back->txs->len, 3);
    ck_assert_mem_eq(back->txs->data, b->txs->data, 3 * sizeof(proto_txenv));
    ck_assert(proto_block_verify_sig(back, CHAIN_ID, f.c, &f.proposer.pk));
    /* Re-encoding gives the same bytes. */
    GBytes *again = block_bytes(back);
    ck_assert(g_bytes_equal(enc, again));
    g_bytes_unref(again);
    proto_block_free(back);
    g_bytes_unref(enc);
    proto_block_free(b);
    fixture_clear(&f);
}
END_TEST

START_TEST(test_empty_block)
{
    fixture f;
    fixture_init(&f);
    proto_block *b = proto_block_new();
    b->header.height = 1;
    proto_block_seal_txs(b);
    ck_assert(proto_hash_is_zero(&b->header.tx_root));
    ck_assert_uint_eq(b->header.tx_count, 0);
    proto_block_sign(b, CHAIN_ID, f.c, &f.proposer);
    GBytes *enc = block_bytes(b);
    ck_assert_uint_eq(g_bytes_get_size(enc), PROTO_BLOCK_HEADER_WIRE_SIZE + 4 + 4);
    proto_block *back = decode_copy(g_bytes_get_data(enc, NULL), g_bytes_get_size(enc), 0);
    ck_assert_ptr_nonnull(back);
    ck_assert(proto_hash_equal(&back->hash, &b->hash));
    proto_block_free(back);
    g_bytes_unref(enc);
    proto_block_free(b);
    fixture_clear(&f);
}
END_TEST

START_TEST(test_every_truncation_fails)
{
    fixture f;
    fixture_init(&f);
    proto_block *b = fixed_block(&f);
    GBytes *enc = block_bytes(b);
    size_t size;
    const uint8_t *p = g_bytes_get_data(enc, &size);
    for (size_t cut = 0; cut < size; cut++) {
        ck_assert_msg(decode_copy(p, cut, 100) == NULL, "prefix of %zu bytes decoded", cut);
    }
    /* One trailing byte: decode_all fails; a streaming decode leaves it. */
    uint8_t *longer = g_malloc0(size + 1);
    memcpy(longer, p, size);
    ck_assert_ptr_null(proto_block_decode_all(longer, size + 1, 100));
    proto_reader r;
    proto_reader_init(&r, longer, size + 1);
    proto_block *ok = proto_block_decode(&r, 100);
    ck_assert_ptr_nonnull(ok);
    ck_assert_uint_eq(proto_reader_remaining(&r), 1);
    ck_assert(!proto_reader_finish(&r));
    proto_block_free(ok);
    g_free(longer);
    g_bytes_unref(enc);
    proto_block_free(b);
    fixture_clear(&f);
}
END_TEST

/* Flipping any bit of any tx changes its id, so the root no longer
 * matches and decode refuses the block. */
START_TEST(test_tampered_tx_rejected)
{
    fixture f;
    fixture_init(&f);
    proto_block *b = fixed_block(&f);
    GBytes *enc = block_bytes(b);
    size_t size;
    const uint8_t *p = g_bytes_get_data(enc, &size);
    uint8_t *copy = g_memdup2(p, size);
    for (size_t off = PROTO_BLOCK_HEADER_WIRE_SIZE + 4; off < size - 4; off += 13) {
        copy[off] ^= 0x01;
        ck_assert_msg(proto_block_decode_all(copy, size, 100) == NULL, "offset %zu", off);
        copy[off] ^= 0x01;
    }
    proto_block *back = proto_block_decode_all(copy, size, 100);
    ck_assert_ptr_nonnull(back);
    proto_block_free(back);
    g_free(copy);
    g_bytes_unref(enc);
    proto_block_free(b);
    fixture_clear(&f);
}
END_TEST

START_TEST(test_counts_checked)
{
    fixture f;
    fixture_init(&f);
    proto_block *b = fixed_block(&f);
    GBytes *enc = block_bytes(b);
    size_t size;
    const uint8_t *p = g_bytes_get_data(enc, &size);
    ck_assert_ptr_null(decode_copy(p, size, 2)); /* over txs_max */
    proto_block *ok = decode_copy(p, size, 3);
    ck_assert_ptr_nonnull(ok);
    proto_block_free(ok);

    /* Header says 3, framing says 2 (and only 2 txs follow). */
    uint8_t *copy = g_memdup2(p, size - TRANSFER_WIRE_SIZE);
    proto_le_put_u32(copy + PROTO_BLOCK_HEADER_WIRE_SIZE, 2);
    ck_assert_ptr_null(proto_block_decode_all(copy, size - TRANSFER_WIRE_SIZE, 100));
    g_free(copy);

    /* A lying count (header and framing agree on 2^32 - 1): rejected
     * before allocating, whatever txs_max allows. */
    copy = g_memdup2(p, size);
    proto_le_put_u32(copy + PROTO_BLOCK_HEADER_WIRE_SIZE - PROTO_SIG_SIZE - 3 * 8 - 4,
                     UINT32_MAX);
    proto_le_put_u32(copy + PROTO_BLOCK_HEADER_WIRE_SIZE, UINT32_MAX);
    ck_assert_ptr_null(proto_block_decode_all(copy, size, UINT32_MAX));
    g_free(copy);

    /* Encoding a header whose tx_count disagrees with the txs. */
    b->header.tx_count = 4;
    GBytes *bad = block_bytes(b);
    ck_assert_ptr_null(decode_copy(g_bytes_get_data(bad, NULL), g_bytes_get_size(bad), 100));
    g_bytes_unref(bad);
    g_bytes_unref(enc);
    proto_block_free(b);
    fixture_clear(&f);
}
END_TEST

START_TEST(test_duplicate_tx_rejected)
{
    fixture f;
    fixture_init(&f);
    proto_block *b = fixed_block(&f);
    proto_hash root3 = b->header.tx_root;
    proto_hash hash3 = b->hash;
    proto_txenv last = g_array_index(b->txs, proto_txenv, 2);
    g_array_append_val(b->txs, last); /* [a, b, c, c] */
    proto_block_seal_txs(b);
    /* CVE-2012-2459: the padded list has the very same Merkle root ... */
    ck_assert(proto_hash_equal(&root3, &b->header.tx_root));
    /* ... but not the same block hash (tx_count is hashed), and decode
     * refuses a block with a repeated tx. */
    ck_assert(!proto_hash_equal(&hash3, &b->hash));
    proto_block_sign(b, CHAIN_ID, f.c, &f.proposer);
    GBytes *enc = block_bytes(b);
    ck_assert_ptr_null(decode_copy(g_bytes_get_data(enc, NULL), g_bytes_get_size(enc), 100));
    g_bytes_unref(enc);

    /* A duplicate anywhere, not only at the end. */
    g_array_set_size(b->txs, 3);
    g_array_index(b->txs, proto_txenv, 2) = g_array_index(b->txs, proto_txenv, 0);
    proto_block_seal_txs(b);
    enc = block_bytes(b);
    ck_assert_ptr_null(decode_copy(g_bytes_get_data(enc, NULL), g_bytes_get_size(enc), 100));
    g_bytes_unref(enc);
    proto_block_free(b);
    fixture_clear(&f);
}
END_TEST

START_TEST(test_signature)
{
    fixture f;
    fixture_init(&f);
    proto_block *b = fixed_block(&f);
    ck_assert(proto_block_verify_sig(b, CHAIN_ID, f.c, &f.proposer.pk));
    ck_assert(!proto_block_verify_sig(b, CHAIN_ID + 1, f.c, &f.proposer.pk));
    ck_assert(!proto_block_verify_sig(b, CHAIN_ID, f.c, &f.other.pk));

    /* The signed message is exactly "aitbc-blk" || chain id || hash. */
    uint8_t msg[9 + 8 + 32];
    memcpy(msg, "aitbc-blk", 9);
    proto_le_put_u64(msg + 9, CHAIN_ID);
    memcpy(msg + 17, b->hash.bytes, 32);
    ck_assert(proto_verify(f.c, &b->header.sig, msg, sizeof msg, &f.proposer.pk));

    /* Any signed header field change breaks it, even if b->hash is stale. */
    proto_block_header saved = b->header;
    b->header.state_root.bytes[0] ^= 1;
    ck_assert(!proto_block_verify_sig(b, CHAIN_ID, f.c, &f.proposer.pk));
    b->header = saved;
    b->header.timestamp_ns++;
    ck_assert(!proto_block_verify_sig(b, CHAIN_ID, f.c, &f.proposer.pk));
    /* Signing after an edit refreshes the cached hash. */
    proto_hash old = b->hash;
    proto_block_sign(b, CHAIN_ID, f.c, &f.proposer);
    ck_assert(!proto_hash_equal(&old, &b->hash));
    ck_assert(proto_block_verify_sig(b, CHAIN_ID, f.c, &f.proposer.pk));
    b->header.sig.bytes[5] ^= 1;
    ck_assert(!proto_block_verify_sig(b, CHAIN_ID, f.c, &f.proposer.pk));
    proto_block_free(b);
    fixture_clear(&f);
}
END_TEST

/* A decoded block whose signature was forged still decodes (decode is
 * structural only) but fails verification. */
START_TEST(test_decode_does_not_check_sig)
{
    fixture f;
    fixture_init(&f);
    proto_block *b = fixed_block(&f);
    b->header.sig.bytes[0] ^= 0x80;
    GBytes *enc = block_bytes(b);
    proto_block *back = decode_copy(g_bytes_get_data(enc, NULL), g_bytes_get_size(enc), 100);
    ck_assert_ptr_nonnull(back);
    ck_assert(!proto_block_verify_sig(back, CHAIN_ID, f.c, &f.proposer.pk));
    proto_block_free(back);
    g_bytes_unref(enc);
    proto_block_free(b);
    fixture_clear(&f);
}
END_TEST

START_TEST(test_two_blocks_one_reader)
{
    fixture f;
    fixture_init(&f);
    proto_block *b1 = fixed_block(&f);
    proto_block *b2 = proto_block_new();
    b2->header.height = 6;
    b2->header.parent = b1->hash;
    proto_block_seal_txs(b2);
    proto_block_sign(b2, CHAIN_ID, f.c, &f.other);
    proto_writer w;
    proto_writer_init(&w);
    proto_block_encode(b1, &w);
    proto_block_encode(b2, &w);
    proto_reader r;
    proto_reader_init(&r, w.buf->data, w.buf->len);
    proto_block *d1 = proto_block_decode(&r, 10);
    proto_block *d2 = proto_block_decode(&r, 10);
    ck_assert(proto_reader_finish(&r));
    ck_assert_ptr_nonnull(d1);
    ck_assert_ptr_nonnull(d2);
    ck_assert(proto_hash_equal(&d2->header.parent, &d1->hash));
    ck_assert(proto_hash_equal(&d2->hash, &b2->hash));
    proto_block_free(d1);
    proto_block_free(d2);
    proto_writer_clear(&w);
    proto_block_free(b1);
    proto_block_free(b2);
    fixture_clear(&f);
}
END_TEST

START_TEST(test_merkle_shapes)
{
    proto_crypto_global_init();
    proto_hash l[5];
    for (int i = 0; i < 5; i++) {
        uint8_t byte = (uint8_t)i;
        proto_hash_bytes(&l[i], &byte, 1);
    }
    proto_hash root;
    proto_merkle_root(NULL, 0, &root);
    ck_assert(proto_hash_is_zero(&root));
    proto_merkle_root(l, 1, &root);
    ck_assert(proto_hash_equal(&root, &l[0]));

    proto_hash ab;
    proto_hash cc;
    proto_hash cd;
    proto_hash ee;
    proto_hash want;
    proto_hash_pair(&ab, &l[0], &l[1]);
    proto_merkle_root(l, 2, &root);
    ck_assert(proto_hash_equal(&root, &ab));

    proto_hash_pair(&cc, &l[2], &l[2]);
    proto_hash_pair(&want, &ab, &cc);
    proto_merkle_root(l, 3, &root);
    ck_assert(proto_hash_equal(&root, &want));

    /* 5 leaves: ((ab, cd), (ee, ee)) where the second level pads too. */
    proto_hash_pair(&cd, &l[2], &l[3]);
    proto_hash_pair(&ee, &l[4], &l[4]);
    proto_hash abcd;
    proto_hash eeee;
    proto_hash_pair(&abcd, &ab, &cd);
    proto_hash_pair(&eeee, &ee, &ee);
    proto_hash_pair(&want, &abcd, &eeee);
    proto_merkle_root(l, 5, &root);
    ck_assert(proto_hash_equal(&root, &want));
    /* Leaves are not modified. */
    uint8_t byte = 4;
    proto_hash check;
    proto_hash_bytes(&check, &byte, 1);
    ck_assert(proto_hash_equal(&check, &l[4]));
}
END_TEST

/* Golden: the fixed block's hash, cross-checked with an independent Python
 * implementation (tests/data/golden_block.py: hashlib BLAKE2b +
 * pyca/cryptography Ed25519) of the key derivation, the v2 transaction
 * envelope, the Merkle rule and the header layout. A change here
 * changes every block hash of every run. */
START_TEST(test_golden_hash)
{
    fixture f;
    fixture_init(&f);
    proto_block *b = fixed_block(&f);
    char hex[65];
    proto_hash_hex(&b->hash, hex);
    ck_assert_str_eq(hex, "f44592f2c5ac876d5487ef5169ae38af08bafcec6d91d88107a7a272dd46f84c");
    proto_hash_hex(&b->header.tx_root, hex);
    ck_assert_str_eq(hex, "9f4e9017f7c61ec504e822e69b400e57472fae19490a0c717ffef4c0b6099b2a");
    /* With a 3-byte extension "ext": ext_hash = BLAKE2b-256("ext"). */
    b->ext = g_bytes_new("ext", 3);
    proto_block_seal_txs(b);
    proto_hash_hex(&b->hash, hex);
    ck_assert_str_eq(hex, "ac38fb8c3cd74c0055d70a889d39796dd088ab5bfe3fd8dc727b51d1d14e096e");
    proto_block_free(b);
    fixture_clear(&f);
}
END_TEST

/* The extension travels after the txs, is covered by the header (and so
 * by the signature), and is bounded before it is copied. */
START_TEST(test_extension)
{
    fixture f;
    fixture_init(&f);
    proto_block *b = fixed_block(&f);
    b->ext = g_bytes_new("consensus", 9);
    proto_block_seal_txs(b);
    proto_block_sign(b, CHAIN_ID, f.c, &f.proposer);
    GBytes *enc = block_bytes(b);
    size_t size;
    const uint8_t *p = g_bytes_get_data(enc, &size);
    ck_assert_uint_eq(size, PROTO_BLOCK_HEADER_WIRE_SIZE + 4 + 3 * TRANSFER_WIRE_SIZE + 4 + 9);
    proto_block *back = decode_copy(p, size, 100);
    ck_assert_ptr_nonnull(back);
    ck_assert(g_bytes_equal(back->ext, b->ext));
    ck_assert(proto_block_verify_sig(back, CHAIN_ID, f.c, &f.proposer.pk));
    proto_block_free(back);
    /* Every byte of the extension is covered by ext_hash. */
    uint8_t *copy = g_memdup2(p, size);
    for (size_t off = size - 9; off < size; off++) {
        copy[off] ^= 0x40;
        ck_assert_msg(proto_block_decode_all(copy, size, 100) == NULL, "offset %zu", off);
        copy[off] ^= 0x40;
    }
    /* A length over the bound, or over what is left, is refused. */
    proto_le_put_u32(copy + size - 9 - 4, PROTO_BLOCK_EXT_MAX + 1);
    ck_assert_ptr_null(proto_block_decode_all(copy, size, 100));
    proto_le_put_u32(copy + size - 9 - 4, 10);
    ck_assert_ptr_null(proto_block_decode_all(copy, size, 100));
    /* Dropping the extension while the header still names it fails too. */
    proto_le_put_u32(copy + size - 9 - 4, 0);
    ck_assert_ptr_null(proto_block_decode_all(copy, size - 9, 100));
    g_free(copy);
    g_bytes_unref(enc);
    proto_block_free(b);
    fixture_clear(&f);
}
END_TEST

static Suite *block_suite(void)
{
    Suite *s = suite_create("block");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_empty_block);
    tcase_add_test(tc, test_every_truncation_fails);
    tcase_add_test(tc, test_tampered_tx_rejected);
    tcase_add_test(tc, test_counts_checked);
    tcase_add_test(tc, test_duplicate_tx_rejected);
    tcase_add_test(tc, test_signature);
    tcase_add_test(tc, test_decode_does_not_check_sig);
    tcase_add_test(tc, test_two_blocks_one_reader);
    tcase_add_test(tc, test_merkle_shapes);
    tcase_add_test(tc, test_golden_hash);
    tcase_add_test(tc, test_extension);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(block_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
