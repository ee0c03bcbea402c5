/* Unit tests for the fast-mode digest (protocol/core/fastmix.c).
 *
 * The digest must be a pure function of its bytes on every platform (a
 * pinned vector), must change when any input bit, the key, or the
 * length changes (trailing zero bytes included), and must spread a
 * one-bit change over about half the output bits. */
#include <check.h>
#include <glib.h>
#include <string.h>

#include "protocol/core/fastmix.h"

static int popcount64(uint64_t x)
{
    return __builtin_popcountll(x);
}

static int bit_distance(const uint8_t *a, const uint8_t *b, size_t size)
{
    int d = 0;
    for (size_t i = 0; i < size; i++)
        d += popcount64((uint64_t)(a[i] ^ b[i]));
    return d;
}

START_TEST(pinned_vector)
{
    uint8_t out[32];
    proto_fastmix(out, sizeof out, "key", 3, "hello, aitbc", 12);
    char hex[65];
    for (int i = 0; i < 32; i++)
        g_snprintf(hex + 2 * i, 3, "%02x", out[i]);
    /* Pinned: a change here changes every fast-mode trace hash. */
    ck_assert_str_eq(hex, "5831a65aee26625a14b02a1714350e78d5b6f486f916da89b5724051df479a55");
}
END_TEST

START_TEST(every_input_bit_matters)
{
    uint8_t msg[70], key[32], base[64], out[64];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 37 + 1);
    for (size_t i = 0; i < sizeof key; i++)
        key[i] = (uint8_t)(i * 11 + 5);
    proto_fastmix(base, sizeof base, key, sizeof key, msg, sizeof msg);
    long total = 0;
    int flips = 0;
    for (size_t bit = 0; bit < 8 * sizeof msg; bit++) {
        msg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        proto_fastmix(out, sizeof out, key, sizeof key, msg, sizeof msg);
        msg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        int d = bit_distance(base, out, sizeof out);
        ck_assert_msg(d > 150 && d < 362, "message bit %zu changed %d of 512 bits", bit, d);
        total += d;
        flips++;
    }
    for (size_t bit = 0; bit < 8 * sizeof key; bit++) {
        key[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        proto_fastmix(out, sizeof out, key, sizeof key, msg, sizeof msg);
        key[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        int d = bit_distance(base, out, sizeof out);
        ck_assert_msg(d > 150 && d < 362, "key bit %zu changed %d of 512 bits", bit, d);
        total += d;
        flips++;
    }
    double mean = (double)total / flips;
    ck_assert_msg(mean > 240 && mean < 272, "mean distance %.1f of 512", mean);
}
END_TEST

START_TEST(length_and_key_separation)
{
    uint8_t zeros[16] = {0}, a[32], b[32];
    for (size_t len = 0; len < sizeof zeros; len++) {
        proto_fastmix(a, sizeof a, NULL, 0, zeros, len);
        proto_fastmix(b, sizeof b, NULL, 0, zeros, len + 1);
        ck_assert_msg(memcmp(a, b, sizeof a) != 0, "trailing zero at %zu ignored", len);
    }
    /* Moving a byte from the key to the message is a different input. */
    proto_fastmix(a, sizeof a, "ab", 2, "c", 1);
    proto_fastmix(b, sizeof b, "a", 1, "bc", 2);
    ck_assert(memcmp(a, b, sizeof a) != 0);
    /* The first 32 bytes of a 64-byte digest are not the 32-byte digest's
     * neighbours: every output word is its own. */
    uint8_t wide[64];
    proto_fastmix(wide, sizeof wide, "k", 1, "m", 1);
    ck_assert(memcmp(wide, wide + 32, 32) != 0);
}
END_TEST

static Suite *fastmix_suite(void)
{
    Suite *s = suite_create("fastmix");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, pinned_vector);
    tcase_add_test(tc, every_input_bit_matters);
    tcase_add_test(tc, length_and_key_separation);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(fastmix_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
