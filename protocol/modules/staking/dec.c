/* Decimals with Cosmos SDK's rounding (dec.h). Each operation works on
 * magnitudes in a wide buffer (wide.h), rounds the magnitude by its rule
 * and the result's sign (Go's big.Int Quo truncates toward zero, so
 * Cosmos's rounding is a rule on magnitudes too), then checks the range
 * once on the way back into a proto_dec. */
#include "protocol/modules/staking/dec.h"

#include <glib.h>
#include <string.h>

#include "protocol/modules/staking/wide.h"

#define LIMBS PROTO_DEC_LIMBS

static const uint64_t PRECISION = 1000000000000000000ull; /* 10^18 */
static const uint64_t HALF_PRECISION = 500000000000000000ull;

typedef unsigned __int128 u128;

/* How a quotient's dropped remainder moves it. */
typedef enum {
    ROUND_HALF_EVEN, /* chopPrecisionAndRound */
    ROUND_TRUNCATE,  /* toward zero */
    ROUND_CEIL,      /* toward +infinity */
} round_mode;

const char *proto_dec_result_name(proto_dec_result r)
{
    switch (r) {
    case PROTO_DEC_OK:
        return "ok";
    case PROTO_DEC_OVERFLOW:
        return "overflow";
    case PROTO_DEC_DIV_ZERO:
        return "div_zero";
    case PROTO_DEC_BAD_STRING:
        return "bad_string";
    }
    return "unknown";
}

/* Packs magnitude w[0..n) with a sign into *out, or reports overflow when
 * it exceeds 2^256 x 10^18 - 1 (the top limb of five below 10^18). */
static proto_dec_result dec_pack(const uint64_t *w, size_t n, bool neg, proto_dec *out)
{
    for (size_t i = LIMBS; i < n; i++) {
        if (w[i] != 0)
            return PROTO_DEC_OVERFLOW;
    }
    if (n >= LIMBS && w[LIMBS - 1] >= PRECISION)
        return PROTO_DEC_OVERFLOW;
    proto_dec d;
    memset(&d, 0, sizeof d);
    memcpy(d.mag, w, (n < LIMBS ? n : LIMBS) * sizeof *w);
    d.neg = neg && proto_wide_len(d.mag, LIMBS) > 0;
    *out = d;
    return PROTO_DEC_OK;
}

/* Moves quotient q[0..n) by one unit when the remainder rem (of a
 * division by 10^18) calls for it under `mode`; neg is the result's
 * sign. */
static void round_by_precision(uint64_t *q, size_t n, uint64_t rem, bool neg, round_mode mode)
{
    bool up = false;
    switch (mode) {
    case ROUND_HALF_EVEN:
        up = rem > HALF_PRECISION || (rem == HALF_PRECISION && (q[0] & 1u));
        break;
    case ROUND_TRUNCATE:
        break;
    case ROUND_CEIL:
        up = rem != 0 && !neg;
        break;
    }
    if (up) {
        uint64_t carry = proto_wide_add_small(q, n, 1);
        g_assert(carry == 0); /* callers leave headroom above any quotient */
        (void)carry;
    }
}

/* |i| as two limbs; INT128_MIN too. */
static void amount_limbs(proto_amount i, uint64_t out[2])
{
    u128 m = i < 0 ? (u128)0 - (u128)i : (u128)i;
    out[0] = (uint64_t)m;
    out[1] = (uint64_t)(m >> 64);
}

static bool is_zero_mag(const uint64_t *mag)
{
    return proto_wide_len(mag, LIMBS) == 0;
}

/* ---- constructors ---- */

proto_dec proto_dec_zero(void)
{
    proto_dec d;
    memset(&d, 0, sizeof d);
    return d;
}

proto_dec proto_dec_smallest(void)
{
    proto_dec d = proto_dec_zero();
    d.mag[0] = 1;
    return d;
}

proto_dec proto_dec_one(void)
{
    proto_dec d = proto_dec_zero();
    d.mag[0] = PRECISION;
    return d;
}

proto_dec proto_dec_with_prec(int64_t i, unsigned prec)
{
    g_assert(prec <= PROTO_DEC_PRECISION);
    uint64_t w[LIMBS] = {0};
    w[0] = i < 0 ? (uint64_t)0 - (uint64_t)i : (uint64_t)i;
    for (unsigned k = prec; k < PROTO_DEC_PRECISION; k++)
        proto_wide_mul_small(w, LIMBS, 10);
    proto_dec d;
    proto_dec_result r = dec_pack(w, LIMBS, i < 0, &d);
    g_assert(r == PROTO_DEC_OK); /* |i| < 2^63: far inside the range */
    (void)r;
    return d;
}

proto_dec proto_dec_from_int64(int64_t i)
{
    return proto_dec_with_prec(i, 0);
}

proto_dec proto_dec_from_amount(proto_amount amount)
{
    uint64_t w[LIMBS] = {0};
    amount_limbs(amount, w);
    proto_wide_mul_small(w, LIMBS, PRECISION);
    proto_dec d;
    proto_dec_result r = dec_pack(w, LIMBS, amount < 0, &d);
    g_assert(r == PROTO_DEC_OK); /* 2^127 x 10^18 < 2^187 */
    (void)r;
    return d;
}

/* ---- text ---- */

/* Appends the digits of text[0..n) to the magnitude in w (LIMBS + 1
 * limbs); false when w outgrows its buffer. */
static bool append_digits(uint64_t *w, const char *text, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (text[k] < '0' || text[k] > '9')
            return false;
        if (proto_wide_mul_small(w, LIMBS + 1, 10) != 0)
            return false;
        if (proto_wide_add_small(w, LIMBS + 1, (uint64_t)(text[k] - '0')) != 0)
            return false;
    }
    return true;
}

proto_dec_result proto_dec_from_string(const char *text, proto_dec *out)
{
    bool neg = text[0] == '-';
    const char *digits = neg ? text + 1 : text;
    const char *point = strchr(digits, '.');
    size_t whole = point ? (size_t)(point - digits) : strlen(digits);
    size_t decimals = point ? strlen(point + 1) : 0;
    if (whole == 0 || (point && decimals == 0) || decimals > PROTO_DEC_PRECISION)
        return PROTO_DEC_BAD_STRING;
    for (size_t k = 0; k < whole; k++) {
        if (digits[k] < '0' || digits[k] > '9')
            return PROTO_DEC_BAD_STRING;
    }
    for (size_t k = 0; point && k < decimals; k++) {
        if (point[1 + k] < '0' || point[1 + k] > '9')
            return PROTO_DEC_BAD_STRING;
    }
    uint64_t w[LIMBS + 1] = {0};
    bool fits =
        append_digits(w, digits, whole) && (!point || append_digits(w, point + 1, decimals));
    for (size_t k = decimals; fits && k < PROTO_DEC_PRECISION; k++)
        fits = proto_wide_mul_small(w, LIMBS + 1, 10) == 0;
    if (!fits)
        return PROTO_DEC_OVERFLOW;
    return dec_pack(w, LIMBS + 1, neg, out);
}

/* Writes the decimal digits of w[0..n) (destroyed) most significant first
 * into digits; returns how many. */
static size_t mag_digits(uint64_t *w, size_t n, char *digits)
{
    char rev[PROTO_DEC_STRING_SIZE];
    size_t count = 0;
    do {
        g_assert(count < sizeof rev);
        rev[count++] = (char)('0' + proto_wide_div_small(w, n, 10));
    } while (proto_wide_len(w, n) > 0);
    for (size_t k = 0; k < count; k++)
        digits[k] = rev[count - 1 - k];
    return count;
}

char *proto_dec_to_string(proto_dec d, char *buf)
{
    char digits[PROTO_DEC_STRING_SIZE];
    uint64_t w[LIMBS];
    memcpy(w, d.mag, sizeof w);
    size_t count = mag_digits(w, LIMBS, digits);
    char *p = buf;
    if (d.neg)
        *p++ = '-';
    if (count <= PROTO_DEC_PRECISION) {
        *p++ = '0';
        *p++ = '.';
        for (size_t k = count; k < PROTO_DEC_PRECISION; k++)
            *p++ = '0';
        memcpy(p, digits, count);
        p += count;
    } else {
        size_t whole = count - PROTO_DEC_PRECISION;
        memcpy(p, digits, whole);
        p += whole;
        *p++ = '.';
        memcpy(p, digits + whole, PROTO_DEC_PRECISION);
        p += PROTO_DEC_PRECISION;
    }
    *p = '\0';
    return buf;
}

char *proto_amount_to_string(proto_amount amount, char *buf)
{
    uint64_t w[2];
    amount_limbs(amount, w);
    char *p = buf;
    if (amount < 0)
        *p++ = '-';
    size_t count = mag_digits(w, 2, p);
    p[count] = '\0';
    return buf;
}

/* ---- comparison and sign ---- */

bool proto_dec_is_zero(proto_dec d)
{
    return is_zero_mag(d.mag);
}

bool proto_dec_is_negative(proto_dec d)
{
    return d.neg;
}

bool proto_dec_is_positive(proto_dec d)
{
    return !d.neg && !is_zero_mag(d.mag);
}

int proto_dec_cmp(proto_dec a, proto_dec b)
{
    if (a.neg != b.neg)
        return a.neg ? -1 : 1;
    int c = proto_wide_cmp(a.mag, b.mag, LIMBS);
    return a.neg ? -c : c;
}

bool proto_dec_eq(proto_dec a, proto_dec b)
{
    return proto_dec_cmp(a, b) == 0;
}

bool proto_dec_lt(proto_dec a, proto_dec b)
{
    return proto_dec_cmp(a, b) < 0;
}

bool proto_dec_gt(proto_dec a, proto_dec b)
{
    return proto_dec_cmp(a, b) > 0;
}

proto_dec proto_dec_min(proto_dec a, proto_dec b)
{
    return proto_dec_lt(a, b) ? a : b;
}

proto_dec proto_dec_max(proto_dec a, proto_dec b)
{
    return proto_dec_lt(a, b) ? b : a;
}

proto_dec proto_dec_neg(proto_dec d)
{
    d.neg = !d.neg && !is_zero_mag(d.mag);
    return d;
}

proto_dec proto_dec_abs(proto_dec d)
{
    d.neg = false;
    return d;
}

/* ---- arithmetic ---- */

proto_dec_result proto_dec_add(proto_dec a, proto_dec b, proto_dec *out)
{
    uint64_t w[LIMBS + 1] = {0};
    if (a.neg == b.neg) {
        memcpy(w, a.mag, sizeof a.mag);
        w[LIMBS] = proto_wide_add(w, b.mag, LIMBS);
        return dec_pack(w, LIMBS + 1, a.neg, out);
    }
    /* Opposite signs: the larger magnitude minus the smaller, its sign. */
    const proto_dec *big = proto_wide_cmp(a.mag, b.mag, LIMBS) >= 0 ? &a : &b;
    const proto_dec *small = big == &a ? &b : &a;
    memcpy(w, big->mag, sizeof big->mag);
    proto_wide_sub(w, small->mag, LIMBS);
    return dec_pack(w, LIMBS, big->neg, out);
}

proto_dec_result proto_dec_sub(proto_dec a, proto_dec b, proto_dec *out)
{
    return proto_dec_add(a, proto_dec_neg(b), out);
}

static proto_dec_result mul_rounded(proto_dec a, proto_dec b, round_mode mode, proto_dec *out)
{
    uint64_t p[2 * LIMBS];
    proto_wide_mul(a.mag, LIMBS, b.mag, LIMBS, p);
    bool neg = a.neg != b.neg;
    uint64_t rem = proto_wide_div_small(p, 2 * LIMBS, PRECISION);
    round_by_precision(p, 2 * LIMBS, rem, neg, mode);
    return dec_pack(p, 2 * LIMBS, neg, out);
}

proto_dec_result proto_dec_mul(proto_dec a, proto_dec b, proto_dec *out)
{
    return mul_rounded(a, b, ROUND_HALF_EVEN, out);
}

proto_dec_result proto_dec_mul_truncate(proto_dec a, proto_dec b, proto_dec *out)
{
    return mul_rounded(a, b, ROUND_TRUNCATE, out);
}

proto_dec_result proto_dec_mul_round_up(proto_dec a, proto_dec b, proto_dec *out)
{
    return mul_rounded(a, b, ROUND_CEIL, out);
}

proto_dec_result proto_dec_mul_int(proto_dec d, proto_amount i, proto_dec *out)
{
    uint64_t il[2], p[LIMBS + 2];
    amount_limbs(i, il);
    proto_wide_mul(d.mag, LIMBS, il, 2, p);
    return dec_pack(p, LIMBS + 2, d.neg != (i < 0), out);
}

/* q[0..LIMBS+2) = |a| x 10^(18 x scales) / |b| truncated; *rem_nonzero
 * says whether the division left a remainder. b != 0, scales <= 2. */
static void quo_scaled(proto_dec a, proto_dec b, int scales, uint64_t *q, bool *rem_nonzero)
{
    uint64_t num[LIMBS + 2] = {0}, rem[LIMBS];
    memcpy(num, a.mag, sizeof a.mag);
    for (int k = 0; k < scales; k++)
        proto_wide_mul_small(num, LIMBS + 2, PRECISION); /* < 2^316 x 10^36 < 2^436 */
    proto_wide_divmod(num, LIMBS + 2, b.mag, LIMBS, q, rem);
    *rem_nonzero = proto_wide_len(rem, LIMBS) > 0;
}

proto_dec_result proto_dec_quo(proto_dec a, proto_dec b, proto_dec *out)
{
    if (is_zero_mag(b.mag))
        return PROTO_DEC_DIV_ZERO;
    uint64_t q[LIMBS + 2];
    bool rem_nonzero;
    quo_scaled(a, b, 2, q, &rem_nonzero);
    bool neg = a.neg != b.neg;
    uint64_t rem = proto_wide_div_small(q, LIMBS + 2, PRECISION);
    round_by_precision(q, LIMBS + 2, rem, neg, ROUND_HALF_EVEN);
    return dec_pack(q, LIMBS + 2, neg, out);
}

proto_dec_result proto_dec_quo_truncate(proto_dec a, proto_dec b, proto_dec *out)
{
    if (is_zero_mag(b.mag))
        return PROTO_DEC_DIV_ZERO;
    uint64_t q[LIMBS + 2];
    bool rem_nonzero;
    quo_scaled(a, b, 1, q, &rem_nonzero);
    return dec_pack(q, LIMBS + 2, a.neg != b.neg, out);
}

proto_dec_result proto_dec_quo_round_up(proto_dec a, proto_dec b, proto_dec *out)
{
    if (is_zero_mag(b.mag))
        return PROTO_DEC_DIV_ZERO;
    uint64_t q[LIMBS + 2];
    bool rem_nonzero;
    quo_scaled(a, b, 1, q, &rem_nonzero);
    bool neg = a.neg != b.neg;
    if (rem_nonzero && !neg)
        proto_wide_add_small(q, LIMBS + 2, 1);
    return dec_pack(q, LIMBS + 2, neg, out);
}

proto_dec_result proto_dec_quo_int(proto_dec d, proto_amount i, proto_dec *out)
{
    if (i == 0)
        return PROTO_DEC_DIV_ZERO;
    uint64_t il[2], q[LIMBS], rem[2];
    amount_limbs(i, il);
    proto_wide_divmod(d.mag, LIMBS, il, 2, q, rem);
    return dec_pack(q, LIMBS, d.neg != (i < 0), out);
}

/* ---- back to integers ---- */

/* The integer part of d, rounded by `mode`, as an amount. */
static proto_dec_result to_amount(proto_dec d, round_mode mode, proto_amount *out)
{
    uint64_t q[LIMBS + 1] = {0};
    memcpy(q, d.mag, sizeof d.mag);
    uint64_t rem = proto_wide_div_small(q, LIMBS + 1, PRECISION);
    round_by_precision(q, LIMBS + 1, rem, d.neg, mode);
    if (proto_wide_len(q, LIMBS + 1) > 2 || (q[1] >> 63) != 0)
        return PROTO_DEC_OVERFLOW;
    u128 m = ((u128)q[1] << 64) | q[0];
    *out = d.neg ? -(proto_amount)m : (proto_amount)m;
    return PROTO_DEC_OK;
}

proto_dec_result proto_dec_truncate_int(proto_dec d, proto_amount *out)
{
    return to_amount(d, ROUND_TRUNCATE, out);
}

proto_dec_result proto_dec_round_int(proto_dec d, proto_amount *out)
{
    return to_amount(d, ROUND_HALF_EVEN, out);
}

proto_dec_result proto_dec_ceil(proto_dec d, proto_dec *out)
{
    uint64_t q[LIMBS + 1] = {0};
    memcpy(q, d.mag, sizeof d.mag);
    uint64_t rem = proto_wide_div_small(q, LIMBS + 1, PRECISION);
    round_by_precision(q, LIMBS + 1, rem, d.neg, ROUND_CEIL);
    proto_wide_mul_small(q, LIMBS + 1, PRECISION); /* < 2^257 x 10^18 */
    return dec_pack(q, LIMBS + 1, d.neg, out);
}
