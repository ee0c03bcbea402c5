/* Shared checks of the fuzz harnesses (tests/fuzz/fuzz_*.c).
 *
 * A harness is a libFuzzer entry point, LLVMFuzzerTestOneInput, built
 * either with clang's -fsanitize=fuzzer (scripts/fuzz.sh) or with
 * replay_main.c as a plain program that feeds it every file of a corpus
 * (CTest, any compiler). A harness says "this input broke a rule" by
 * aborting: libFuzzer and the sanitizers report an abort as a crash with
 * the input saved, and CTest sees the replay fail. The rules:
 *
 *   canonical   a decoded value encodes back to exactly the input bytes,
 *               so each value has one encoding and hashes or signatures
 *               over the bytes cannot be malleated;
 *   untouched   a failed decode leaves the outputs as they were, where
 *               the decoder's header promises it. */
#ifndef AITBC_TESTS_FUZZ_FUZZ_H
#define AITBC_TESTS_FUZZ_FUZZ_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The fill an output gets before a decode that may fail. */
#define FUZZ_FILL 0xA5

/* Abort with what broke unless `ok`. */
static inline void fuzz_check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz: %s\n", what);
        abort();
    }
}

/* Canonical: `encoded` (consumed, may be NULL for "no encoding") must be
 * exactly data[0..size). */
static inline void fuzz_check_same(GBytes *encoded, const uint8_t *data, size_t size,
                                   const char *what)
{
    gsize got = 0;
    const uint8_t *bytes = encoded != NULL ? g_bytes_get_data(encoded, &got) : NULL;
    int same = got == size && (size == 0 || memcmp(bytes, data, size) == 0);
    if (encoded != NULL) {
        g_bytes_unref(encoded);
    }
    if (getenv("AITBC_FUZZ_TRACE") != NULL) {
        fprintf(stderr, "fuzz: decoded, comparing the re-encoding [%s]\n", what); /* seeds get this far */
    }
    fuzz_check(same, what);
}

/* Untouched: every byte of an output filled with FUZZ_FILL still is. */
static inline void fuzz_check_filled(const void *out, size_t size, const char *what)
{
    const uint8_t *p = out;
    for (size_t i = 0; i < size; i++) {
        fuzz_check(p[i] == FUZZ_FILL, what);
    }
}

#endif
