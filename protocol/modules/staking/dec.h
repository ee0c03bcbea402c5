/* Decimals and token amounts with Cosmos SDK's exact rounding.
 *
 * Staking, minting and reward distribution in the Cosmos SDK compute with
 * math.LegacyDec: a signed integer scaled by 10^18 (18 decimal places),
 * rounded back to 18 places after every multiplication or division by a
 * rule each operation names. Reproducing Cosmos's numbers to the last
 * digit means copying each rule, so every function below says which
 * Cosmos method it is and how it rounds:
 *
 *   round    banker's rounding at the 18th place (chopPrecisionAndRound:
 *            half to even, symmetric in the sign): Mul, Quo, RoundInt;
 *   truncate toward zero: MulTruncate, QuoTruncate, QuoInt, TruncateInt;
 *   round up toward +infinity at the 18th place: MulRoundUp, QuoRoundUp,
 *            Ceil.
 *
 * Source: cosmos/cosmos-sdk math/legacy_dec.go (LegacyDec; the same code
 * was types/decimal.go as sdk.Dec before v0.50).
 *
 * Range. A proto_dec holds exactly Cosmos's range: |value x 10^18| <=
 * 2^256 x 10^18 - 1 (LegacyDec.IsInValidRange). An operation whose exact
 * or rounded result leaves it reports PROTO_DEC_OVERFLOW where Cosmos
 * panics ("Int overflow"). Intermediates are exact (up to 640 bits,
 * wide.h), so no operation overflows on the way to a representable
 * result.
 *
 * Amounts. Token amounts, supplies and powers are integers, proto_amount:
 * a signed 128-bit integer in base units (Cosmos uses 256-bit math.Int;
 * 2^127 - 1 is about 1.7 x 10^38, enough for any supply with 18 decimal
 * places). Every amount converts to a proto_dec exactly; converting back
 * reports PROTO_DEC_OVERFLOW outside +-(2^127 - 1).
 *
 * Errors. Fallible functions return a proto_dec_result and write their
 * output only on PROTO_DEC_OK; on any other result the output is left as
 * it was. Values are plain structs passed by value; nothing allocates. */
#ifndef AITBC_PROTOCOL_MODULES_STAKING_DEC_H
#define AITBC_PROTOCOL_MODULES_STAKING_DEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decimal places of a proto_dec (Cosmos LegacyPrecision). */
#define PROTO_DEC_PRECISION 18
/* Limbs of a proto_dec's magnitude: 2^256 x 10^18 needs 316 bits. */
#define PROTO_DEC_LIMBS 5
/* A buffer this long holds any proto_dec_to_string or
 * proto_amount_to_string result with its terminating NUL. */
#define PROTO_DEC_STRING_SIZE 100

/* A token amount (or supply, or power) in base units. */
__extension__ typedef __int128 proto_amount;
#define PROTO_AMOUNT_MAX ((proto_amount)(((unsigned __int128)1 << 127) - 1))

/* A decimal: neg ? -mag : mag, scaled by 10^18. Invariants: mag <=
 * 2^256 x 10^18 - 1; zero is never negative (so equal values are equal
 * structs). Build with the functions below, never by hand. */
typedef struct proto_dec {
    uint64_t mag[PROTO_DEC_LIMBS]; /* |value| x 10^18, little-endian limbs */
    bool neg;
} proto_dec;

typedef enum proto_dec_result {
    PROTO_DEC_OK = 0,
    PROTO_DEC_OVERFLOW,   /* result outside the range above */
    PROTO_DEC_DIV_ZERO,   /* division by zero (Cosmos panics) */
    PROTO_DEC_BAD_STRING, /* proto_dec_from_string: not a decimal */
} proto_dec_result;

const char *proto_dec_result_name(proto_dec_result r);

/* ---- constructors (exact, never fail) ---- */

proto_dec proto_dec_zero(void);
proto_dec proto_dec_one(void);
/* 10^-18, the smallest positive value (LegacySmallestDec). */
proto_dec proto_dec_smallest(void);
/* i (LegacyNewDec). */
proto_dec proto_dec_from_int64(int64_t i);
/* i x 10^-prec, prec <= 18 (LegacyNewDecWithPrec: 5, 2 is 0.05). */
proto_dec proto_dec_with_prec(int64_t i, unsigned prec);
/* amount (LegacyNewDecFromInt). */
proto_dec proto_dec_from_amount(proto_amount amount);

/* ---- text ---- */

/* Parses Cosmos's decimal text (LegacyNewDecFromStr): an optional '-',
 * digits, and optionally '.' and 1 to 18 more digits ("0.05", "-12",
 * "1.000000000000000001"). Refused (PROTO_DEC_BAD_STRING): empty text,
 * an empty side of the point, more than 18 decimals, anything else;
 * Cosmos's own parser also lets through a few oddities ("+1", "--1") that
 * this one refuses. Too large: PROTO_DEC_OVERFLOW. */
proto_dec_result proto_dec_from_string(const char *text, proto_dec *out);
/* Cosmos's String(): always 18 decimals, "-" for negatives
 * ("0.050000000000000000"). buf holds PROTO_DEC_STRING_SIZE bytes.
 * Returns buf. */
char *proto_dec_to_string(proto_dec d, char *buf);
/* Decimal digits of an amount, "-" for negatives. buf holds
 * PROTO_DEC_STRING_SIZE bytes. Returns buf. */
char *proto_amount_to_string(proto_amount amount, char *buf);

/* ---- comparison and sign (never fail) ---- */

bool proto_dec_is_zero(proto_dec d);
bool proto_dec_is_negative(proto_dec d);
bool proto_dec_is_positive(proto_dec d);
/* -1, 0, 1 as a <, ==, > b. */
int proto_dec_cmp(proto_dec a, proto_dec b);
bool proto_dec_eq(proto_dec a, proto_dec b);
bool proto_dec_lt(proto_dec a, proto_dec b);
bool proto_dec_gt(proto_dec a, proto_dec b);
proto_dec proto_dec_min(proto_dec a, proto_dec b);
proto_dec proto_dec_max(proto_dec a, proto_dec b);
proto_dec proto_dec_neg(proto_dec d);
proto_dec proto_dec_abs(proto_dec d);

/* ---- arithmetic ---- */

/* a + b and a - b, exact (Add, Sub). */
proto_dec_result proto_dec_add(proto_dec a, proto_dec b, proto_dec *out);
proto_dec_result proto_dec_sub(proto_dec a, proto_dec b, proto_dec *out);
/* a x b rounded half to even at the 18th place (Mul). */
proto_dec_result proto_dec_mul(proto_dec a, proto_dec b, proto_dec *out);
/* a x b truncated toward zero (MulTruncate). */
proto_dec_result proto_dec_mul_truncate(proto_dec a, proto_dec b, proto_dec *out);
/* a x b rounded toward +infinity (MulRoundUp). */
proto_dec_result proto_dec_mul_round_up(proto_dec a, proto_dec b, proto_dec *out);
/* d x i, exact (MulInt). */
proto_dec_result proto_dec_mul_int(proto_dec d, proto_amount i, proto_dec *out);
/* a / b as Cosmos's Quo: a x 10^36 / b truncated toward zero, then
 * rounded half to even at the 18th place. PROTO_DEC_DIV_ZERO for b = 0. */
proto_dec_result proto_dec_quo(proto_dec a, proto_dec b, proto_dec *out);
/* a / b truncated toward zero at the 18th place (QuoTruncate). */
proto_dec_result proto_dec_quo_truncate(proto_dec a, proto_dec b, proto_dec *out);
/* a / b rounded toward +infinity at the 18th place (QuoRoundUp):
 * ceil(a x 10^18 / b). For a non-negative result this is current
 * Cosmos's QuoRoundupMut exactly. For a negative result Cosmos adds one
 * unit to its truncated quotient whenever that quotient is non-zero and a
 * remainder is left (its remainder test mixes the signs: -1 / 3 gives
 * -0.333333333333333332 there), which is no rounding rule; this function
 * gives the ceiling (-0.333333333333333333). Staking only divides
 * non-negative values. (SDK v0.46 and earlier rounded a x 10^36 / b
 * truncated, a slightly different rule only for remainders below
 * 10^-36.) */
proto_dec_result proto_dec_quo_round_up(proto_dec a, proto_dec b, proto_dec *out);
/* d / i truncated toward zero at the 18th place (QuoInt).
 * PROTO_DEC_DIV_ZERO for i = 0. */
proto_dec_result proto_dec_quo_int(proto_dec d, proto_amount i, proto_dec *out);

/* ---- back to integers ---- */

/* The integer part, toward zero (TruncateInt). */
proto_dec_result proto_dec_truncate_int(proto_dec d, proto_amount *out);
/* Nearest integer, halves to even (RoundInt). */
proto_dec_result proto_dec_round_int(proto_dec d, proto_amount *out);
/* The smallest integer >= d, as a decimal (Ceil). */
proto_dec_result proto_dec_ceil(proto_dec d, proto_dec *out);

#endif
