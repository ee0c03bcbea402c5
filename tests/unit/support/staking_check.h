/* Checks for the staking arithmetic tests (test_staking_*.c): decimals
 * from text, equality assertions that print both values the way Cosmos
 * prints them, and a seeded xorshift generator for the property tests
 * (its seed goes into every failure message). */
#ifndef AITBC_TEST_STAKING_CHECK_H
#define AITBC_TEST_STAKING_CHECK_H

#include <check.h>
#include <stdint.h>

#include "protocol/modules/staking/dec.h"

/* The decimal `text` spells (proto_dec_from_string); fails the test when
 * it does not parse. */
proto_dec test_dec(const char *text);

/* Fails unless two proto_dec (or proto_amount) are equal, printing both. */
#define ck_dec_eq(have, want)                                                                      \
    do {                                                                                           \
        char hb_[PROTO_DEC_STRING_SIZE], wb_[PROTO_DEC_STRING_SIZE];                               \
        proto_dec h_ = (have), w_ = (want);                                                        \
        ck_assert_msg(proto_dec_eq(h_, w_), "%s: have %s want %s", #have,                          \
                      proto_dec_to_string(h_, hb_), proto_dec_to_string(w_, wb_));                 \
    } while (0)

#define ck_amount_eq(have, want)                                                                   \
    do {                                                                                           \
        char hb_[PROTO_DEC_STRING_SIZE], wb_[PROTO_DEC_STRING_SIZE];                               \
        proto_amount h_ = (have), w_ = (want);                                                     \
        ck_assert_msg(h_ == w_, "%s: have %s want %s", #have, proto_amount_to_string(h_, hb_),     \
                      proto_amount_to_string(w_, wb_));                                            \
    } while (0)

#define OK_DEC(call) ck_assert_int_eq((call), PROTO_DEC_OK)

/* xorshift64: the next draw from *state (non-zero). */
uint64_t test_rng_next(uint64_t *state);
/* An amount of 1 to 2^bits - 1 base units (bits in 1..127). */
proto_amount test_rng_amount(uint64_t *state, unsigned bits);

#endif
