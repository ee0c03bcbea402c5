/* Unit tests for signatures, hashes and the verification memo
 * (protocol/core/crypto.c).
 *
 * Real mode is checked against RFC 8032 section 7.1 TEST 1-3 (seed, public
 * key and signature must match byte for byte) and against the usual
 * negative cases: tampered message, tampered signature, wrong key and the
 * S + L malleation. The memo must answer repeated checks (valid or not)
 * without recomputing and give the same answer; fast mode must detect
 * every kind of tampering. A replayed verification log must leave the
 * stats and the memo as making the same calls again would. */
#include <check.h>
#include <sodium.h>
#include <string.h>

#include "protocol/core/codec.h"
#include "protocol/core/crypto.h"
#include "protocol/core/fastmix.h"

typedef struct rfc_vector {
    const char *seed;
    const char *pk;
    const char *msg;
    const char *sig;
} rfc_vector;

/* RFC 8032 section 7.1, TEST 1-3 (secret key = 32-byte seed). */
static const rfc_vector rfc_vectors[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
};

/* The Ed25519 group order L, little-endian. */
static const char *const order_l_hex =
    "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010";

static size_t hex_decode(const char *hex, uint8_t *out, size_t out_max)
{
    size_t got = 0;
    ck_assert_int_eq(sodium_hex2bin(out, out_max, hex, strlen(hex), NULL, &got, NULL), 0);
    ck_assert_uint_eq(got, strlen(hex) / 2);
    return got;
}

typedef struct loaded_vector {
    proto_keypair kp;
    uint8_t msg[8];
    size_t msg_size;
    proto_sig sig;
} loaded_vector;

static void vector_load(const rfc_vector *v, loaded_vector *out)
{
    uint8_t seed[PROTO_SEED_SIZE];
    hex_decode(v->seed, seed, sizeof seed);
    proto_keypair_from_seed(&out->kp, seed);
    out->msg_size = hex_decode(v->msg, out->msg, sizeof out->msg);
    hex_decode(v->sig, out->sig.bytes, sizeof out->sig.bytes);
}

START_TEST(test_rfc8032_vectors)
{
    proto_crypto *c = proto_crypto_new(PROTO_CRYPTO_REAL, 0);
    for (size_t i = 0; i < G_N_ELEMENTS(rfc_vectors); i++) {
        loaded_vector v;
        vector_load(&rfc_vectors[i], &v);
        proto_pubkey pk;
        hex_decode(rfc_vectors[i].pk, pk.bytes, sizeof pk.bytes);
        ck_assert_mem_eq(v.kp.pk.bytes, pk.bytes, PROTO_PUBKEY_SIZE);

        proto_sig sig;
        proto_sign(c, &sig, v.msg, v.msg_size, &v.kp);
        ck_assert_mem_eq(sig.bytes, v.sig.bytes, PROTO_SIG_SIZE);
        ck_assert(proto_verify(c, &v.sig, v.msg, v.msg_size, &pk));
    }
    ck_assert_uint_eq(proto_crypto_get_stats(c).signs, 3);
    proto_crypto_free(c);
}
END_TEST

START_TEST(test_tampering_rejected)
{
    proto_crypto *c = proto_crypto_new(PROTO_CRYPTO_REAL, 0);
    loaded_vector v2;
    loaded_vector v3;
    vector_load(&rfc_vectors[1], &v2);
    vector_load(&rfc_vectors[2], &v3);

    uint8_t msg[8];
    memcpy(msg, v3.msg, v3.msg_size);
    msg[1] ^= 0x01;
    ck_assert(!proto_verify(c, &v3.sig, msg, v3.msg_size, &v3.kp.pk));
    ck_assert(!proto_verify(c, &v3.sig, v3.msg, v3.msg_size - 1, &v3.kp.pk));

    for (size_t byte = 0; byte < PROTO_SIG_SIZE; byte += 9) {
        proto_sig bad = v3.sig;
        bad.bytes[byte] ^= 0x40;
        ck_assert_msg(!proto_verify(c, &bad, v3.msg, v3.msg_size, &v3.kp.pk), "byte %zu", byte);
    }
    /* Right message and signature, someone else's key. */
    ck_assert(!proto_verify(c, &v3.sig, v3.msg, v3.msg_size, &v2.kp.pk));
    /* Another valid signature, on another message. */
    ck_assert(!proto_verify(c, &v2.sig, v3.msg, v3.msg_size, &v3.kp.pk));
    proto_crypto_free(c);
}
END_TEST

/* S' = S + L is the same scalar mod L; libsodium must reject it as
 * non-canonical, else signatures would be malleable. */
START_TEST(test_s_plus_l_rejected)
{
    proto_crypto *c = proto_crypto_new(PROTO_CRYPTO_REAL, 16);
    uint8_t order_l[32];
    hex_decode(order_l_hex, order_l, sizeof order_l);
    for (size_t i = 0; i < G_N_ELEMENTS(rfc_vectors); i++) {
        loaded_vector v;
        vector_load(&rfc_vectors[i], &v);
        proto_sig mal = v.sig;
        unsigned carry = 0;
        for (size_t k = 0; k < 32; k++) {
            unsigned sum = mal.bytes[32 + k] + order_l[k] + carry;
            mal.bytes[32 + k] = (uint8_t)sum;
            carry = sum >> 8;
        }
        ck_assert_uint_eq(carry, 0); /* S < L < 2^253, so S + L fits in 32 bytes */
        ck_assert(proto_verify(c, &v.sig, v.msg, v.msg_size, &v.kp.pk));
        ck_assert(!proto_verify(c, &mal, v.msg, v.msg_size, &v.kp.pk));
    }
    proto_crypto_free(c);
}
END_TEST

START_TEST(test_memo_hits_valid_and_invalid)
{
    proto_crypto *c = proto_crypto_new(PROTO_CRYPTO_REAL, 64);
    loaded_vector v;
    vector_load(&rfc_vectors[2], &v);
    proto_sig bad = v.sig;
    bad.bytes[3] ^= 1;

    ck_assert(proto_verify(c, &v.sig, v.msg, v.msg_size, &v.kp.pk));
    ck_assert(!proto_verify(c, &bad, v.msg, v.msg_size, &v.kp.pk));
    proto_crypto_stats st = proto_crypto_get_stats(c);
    ck_assert_uint_eq(st.verify_calls, 2);
    ck_assert_uint_eq(st.verify_computed, 2);
    ck_assert_uint_eq(st.verify_memo_hits, 0);

    for (int round = 0; round < 3; round++) {
        ck_assert(proto_verify(c, &v.sig, v.msg, v.msg_size, &v.kp.pk));
        ck_assert(!proto_verify(c, &bad, v.msg, v.msg_size, &v.kp.pk));
    }
    st = proto_crypto_get_stats(c);
    ck_assert_uint_eq(st.verify_calls, 8);
    ck_assert_uint_eq(st.verify_computed, 2);
    ck_assert_uint_eq(st.verify_memo_hits, 6);

    /* The key covers the message: same signature on another message is a
     * new entry with its own (negative) answer. */
    uint8_t other[2] = {0xaf, 0x83};
    ck_assert(!proto_verify(c, &v.sig, other, sizeof other, &v.kp.pk));
    ck_assert_uint_eq(proto_crypto_get_stats(c).verify_computed, 3);
    ck_assert(proto_verify(c, &v.sig, v.msg, v.msg_size, &v.kp.pk));
    ck_assert_uint_eq(proto_crypto_get_stats(c).verify_computed, 3);
    proto_crypto_free(c);
}
END_TEST

START_TEST(test_memo_clears_when_full)
{
    proto_crypto *c = proto_crypto_new(PROTO_CRYPTO_REAL, 2);
    loaded_vector v[3];
    for (size_t i = 0; i < 3; i++) {
        vector_load(&rfc_vectors[i], &v[i]);
        ck_assert(proto_verify(c, &v[i].sig, v[i].msg, v[i].msg_size, &v[i].kp.pk));
    }
    proto_crypto_stats st = proto_crypto_get_stats(c);
    ck_assert_uint_eq(st.verify_computed, 3);
    ck_assert_uint_eq(st.memo_clears, 1);
    /* The third result survived the clear; the first did not. */
    ck_assert(proto_verify(c, &v[2].sig, v[2].msg, v[2].msg_size, &v[2].kp.pk));
    ck_assert_uint_eq(proto_crypto_get_stats(c).verify_memo_hits, 1);
    ck_assert(proto_verify(c, &v[0].sig, v[0].msg, v[0].msg_size, &v[0].kp.pk));
    st = proto_crypto_get_stats(c);
    ck_assert_uint_eq(st.verify_computed, 4);
    ck_assert_uint_eq(st.verify_memo_hits, 1);
    proto_crypto_free(c);

    /* memo_entries_max = 0 disables the memo entirely. */
    c = proto_crypto_new(PROTO_CRYPTO_REAL, 0);
    for (int i = 0; i < 3; i++) {
        ck_assert(proto_verify(c, &v[0].sig, v[0].msg, v[0].msg_size, &v[0].kp.pk));
    }
    st = proto_crypto_get_stats(c);
    ck_assert_uint_eq(st.verify_computed, 3);
    ck_assert_uint_eq(st.verify_memo_hits, 0);
    proto_crypto_free(c);
}
END_TEST

/* Three valid checks and an invalid one, with one repeat. */
static void verify_sequence(proto_crypto *c, const loaded_vector *v, const proto_sig *bad)
{
    for (size_t i = 0; i < 3; i++)
        ck_assert(proto_verify(c, &v[i].sig, v[i].msg, v[i].msg_size, &v[i].kp.pk));
    ck_assert(!proto_verify(c, bad, v[0].msg, v[0].msg_size, &v[0].kp.pk));
    ck_assert(proto_verify(c, &v[1].sig, v[1].msg, v[1].msg_size, &v[1].kp.pk));
}

/* A logged run replayed leaves stats (and the memo) as making the same
 * calls again would: hits, computed, clears, in every mode. */
START_TEST(test_verify_log_replay)
{
    loaded_vector v[3];
    for (size_t i = 0; i < 3; i++)
        vector_load(&rfc_vectors[i], &v[i]);
    proto_sig bad = v[0].sig;
    bad.bytes[5] ^= 1;
    static const struct {
        proto_crypto_mode mode;
        size_t memo;
    } configs[] = {{PROTO_CRYPTO_REAL, 64}, {PROTO_CRYPTO_REAL, 2}, {PROTO_CRYPTO_REAL, 0}};
    for (size_t k = 0; k < G_N_ELEMENTS(configs); k++) {
        proto_crypto *logged = proto_crypto_new(configs[k].mode, configs[k].memo);
        proto_crypto *twice = proto_crypto_new(configs[k].mode, configs[k].memo);
        proto_verify_log log;
        proto_verify_log_init(&log);
        proto_crypto_log_attach(logged, &log);
        verify_sequence(logged, v, &bad);
        proto_crypto_log_attach(logged, NULL);
        ck_assert_uint_eq(log.calls, 5);
        verify_sequence(twice, v, &bad);
        proto_crypto_log_replay(logged, &log);
        verify_sequence(twice, v, &bad);
        /* And the memo ended the same: a further identical round agrees. */
        verify_sequence(logged, v, &bad);
        verify_sequence(twice, v, &bad);
        proto_crypto_stats a = proto_crypto_get_stats(logged), b = proto_crypto_get_stats(twice);
        ck_assert_uint_eq(a.verify_calls, 15);
        ck_assert_uint_eq(a.verify_calls, b.verify_calls);
        ck_assert_uint_eq(a.verify_computed, b.verify_computed);
        ck_assert_uint_eq(a.verify_memo_hits, b.verify_memo_hits);
        ck_assert_uint_eq(a.memo_clears, b.memo_clears);
        proto_verify_log_clear(&log);
        proto_crypto_free(logged);
        proto_crypto_free(twice);
    }
}
END_TEST

START_TEST(test_fast_mode)
{
    proto_crypto *c = proto_crypto_new(PROTO_CRYPTO_FAST, 1024);
    ck_assert_int_eq(proto_crypto_get_mode(c), PROTO_CRYPTO_FAST);
    proto_keypair a;
    proto_keypair b;
    proto_keypair_derive(&a, 7, "account/0");
    proto_keypair_derive(&b, 7, "account/1");
    const char msg[] = "transfer 10 to bob";
    proto_sig sig;
    proto_sign(c, &sig, msg, sizeof msg, &a);

    /* The documented scheme: proto_fastmix keyed with the public key. */
    uint8_t expect[64];
    proto_fastmix(expect, sizeof expect, a.pk.bytes, 32, msg, sizeof msg);
    ck_assert_mem_eq(sig.bytes, expect, sizeof expect);

    ck_assert(proto_verify(c, &sig, msg, sizeof msg, &a.pk));
    ck_assert(!proto_verify(c, &sig, msg, sizeof msg, &b.pk));
    ck_assert(!proto_verify(c, &sig, msg, sizeof msg - 1, &a.pk));
    char msg2[sizeof msg];
    memcpy(msg2, msg, sizeof msg);
    msg2[9] = '9';
    ck_assert(!proto_verify(c, &sig, msg2, sizeof msg2, &a.pk));
    for (size_t byte = 0; byte < PROTO_SIG_SIZE; byte++) {
        proto_sig bad = sig;
        bad.bytes[byte] ^= 0x80;
        ck_assert(!proto_verify(c, &bad, msg, sizeof msg, &a.pk));
    }
    proto_crypto_stats st = proto_crypto_get_stats(c);
    ck_assert_uint_eq(st.signs, 1);
    ck_assert_uint_eq(st.verify_calls, 4 + PROTO_SIG_SIZE);
    ck_assert_uint_eq(st.verify_computed, st.verify_calls);
    ck_assert_uint_eq(st.verify_memo_hits, 0);
    proto_crypto_free(c);
}
END_TEST

/* The derivation rule, recomputed here straight from libsodium. */
START_TEST(test_keypair_derive)
{
    proto_crypto_global_init();
    proto_keypair kp;
    proto_keypair_derive(&kp, UINT64_C(0x1122334455667788), "validator/3");

    uint8_t input[9 + 8 + 11];
    memcpy(input, "aitbc-key", 9);
    proto_le_put_u64(input + 9, UINT64_C(0x1122334455667788));
    memcpy(input + 17, "validator/3", 11);
    uint8_t seed[32];
    crypto_generichash(seed, sizeof seed, input, sizeof input, NULL, 0);
    uint8_t pk[32];
    uint8_t sk[64];
    crypto_sign_seed_keypair(pk, sk, seed);
    ck_assert_mem_eq(kp.pk.bytes, pk, sizeof pk);
    ck_assert_mem_eq(kp.sk, sk, sizeof sk);

    proto_keypair again;
    proto_keypair other_label;
    proto_keypair other_seed;
    proto_keypair_derive(&again, UINT64_C(0x1122334455667788), "validator/3");
    proto_keypair_derive(&other_label, UINT64_C(0x1122334455667788), "validator/4");
    proto_keypair_derive(&other_seed, UINT64_C(0x1122334455667789), "validator/3");
    ck_assert_mem_eq(again.pk.bytes, kp.pk.bytes, 32);
    ck_assert(memcmp(other_label.pk.bytes, kp.pk.bytes, 32) != 0);
    ck_assert(memcmp(other_seed.pk.bytes, kp.pk.bytes, 32) != 0);

    /* Golden value: changing the derivation changes every key of every run.
     * Cross-checked with Python (hashlib BLAKE2b + pyca/cryptography). */
    proto_keypair golden;
    proto_keypair_derive(&golden, 1, "validator/0");
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, golden.pk.bytes, 32);
    ck_assert_str_eq(hex, "b3ce8536d8a0a1723374dd68ca51575a2706b24e8a75a7370d36ec91b2605f55");
}
END_TEST

START_TEST(test_hashes)
{
    proto_crypto_global_init();
    proto_hash h;
    char hex[65];
    proto_hash_bytes(&h, "abc", 3);
    proto_hash_hex(&h, hex);
    ck_assert_str_eq(hex, "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
    proto_hash_bytes(&h, NULL, 0);
    proto_hash_hex(&h, hex);
    ck_assert_str_eq(hex, "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");

    proto_hash a;
    proto_hash b;
    proto_hash_bytes(&a, "a", 1);
    proto_hash_bytes(&b, "b", 1);
    uint8_t cat[64];
    memcpy(cat, a.bytes, 32);
    memcpy(cat + 32, b.bytes, 32);
    proto_hash pair;
    proto_hash direct;
    proto_hash_pair(&pair, &a, &b);
    proto_hash_bytes(&direct, cat, sizeof cat);
    ck_assert(proto_hash_equal(&pair, &direct));
    proto_hash_pair(&direct, &b, &a);
    ck_assert(!proto_hash_equal(&pair, &direct));

    proto_hash lo = {{0}};
    proto_hash hi = {{0}};
    ck_assert(proto_hash_is_zero(&lo));
    hi.bytes[31] = 1;
    ck_assert(!proto_hash_is_zero(&hi));
    ck_assert_int_eq(proto_hash_compare(&lo, &hi), -1);
    ck_assert_int_eq(proto_hash_compare(&hi, &lo), 1);
    ck_assert_int_eq(proto_hash_compare(&hi, &hi), 0);
    hi.bytes[0] = 0xAB;
    proto_hash_hex(&hi, hex);
    ck_assert_str_eq(hex, "ab00000000000000000000000000000000000000000000000000000000000001");
}
END_TEST

START_TEST(test_mode_names)
{
    ck_assert_str_eq(proto_crypto_mode_name(PROTO_CRYPTO_REAL), "real");
    ck_assert_str_eq(proto_crypto_mode_name(PROTO_CRYPTO_FAST), "fast");
    ck_assert_str_eq(proto_crypto_mode_name((proto_crypto_mode)9), "unknown");
}
END_TEST

static Suite *crypto_suite(void)
{
    Suite *s = suite_create("crypto");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_rfc8032_vectors);
    tcase_add_test(tc, test_tampering_rejected);
    tcase_add_test(tc, test_s_plus_l_rejected);
    tcase_add_test(tc, test_memo_hits_valid_and_invalid);
    tcase_add_test(tc, test_verify_log_replay);
    tcase_add_test(tc, test_memo_clears_when_full);
    tcase_add_test(tc, test_fast_mode);
    tcase_add_test(tc, test_keypair_derive);
    tcase_add_test(tc, test_hashes);
    tcase_add_test(tc, test_mode_names);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(crypto_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
