/* Unsigned multi-limb integers (wide.h): schoolbook multiplication and
 * Knuth's algorithm D, on caller-owned limb arrays. */
#include "protocol/modules/staking/wide.h"

#include <glib.h>
#include <string.h>

typedef unsigned __int128 u128;

size_t proto_wide_len(const uint64_t *a, size_t n)
{
    while (n > 0 && a[n - 1] == 0)
        n--;
    return n;
}

int proto_wide_cmp(const uint64_t *a, const uint64_t *b, size_t n)
{
    for (size_t i = n; i-- > 0;) {
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    }
    return 0;
}

uint64_t proto_wide_add(uint64_t *a, const uint64_t *b, size_t n)
{
    uint64_t carry = 0;
    for (size_t i = 0; i < n; i++) {
        u128 sum = (u128)a[i] + b[i] + carry;
        a[i] = (uint64_t)sum;
        carry = (uint64_t)(sum >> 64);
    }
    return carry;
}

uint64_t proto_wide_sub(uint64_t *a, const uint64_t *b, size_t n)
{
    uint64_t borrow = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t x = a[i];
        uint64_t d = x - b[i];
        uint64_t b1 = x < b[i];
        a[i] = d - borrow;
        borrow = b1 | (d < borrow);
    }
    return borrow;
}

uint64_t proto_wide_add_small(uint64_t *a, size_t n, uint64_t v)
{
    for (size_t i = 0; i < n && v != 0; i++) {
        a[i] += v;
        v = a[i] < v;
    }
    return v;
}

void proto_wide_mul(const uint64_t *a, size_t na, const uint64_t *b, size_t nb, uint64_t *out)
{
    g_assert(na + nb <= PROTO_WIDE_LIMBS_MAX);
    memset(out, 0, (na + nb) * sizeof *out);
    for (size_t i = 0; i < na; i++) {
        uint64_t carry = 0;
        for (size_t j = 0; j < nb; j++) {
            u128 p = (u128)a[i] * b[j] + out[i + j] + carry;
            out[i + j] = (uint64_t)p;
            carry = (uint64_t)(p >> 64);
        }
        out[i + nb] = carry;
    }
}

uint64_t proto_wide_mul_small(uint64_t *a, size_t n, uint64_t m)
{
    uint64_t carry = 0;
    for (size_t i = 0; i < n; i++) {
        u128 p = (u128)a[i] * m + carry;
        a[i] = (uint64_t)p;
        carry = (uint64_t)(p >> 64);
    }
    return carry;
}

uint64_t proto_wide_div_small(uint64_t *a, size_t n, uint64_t d)
{
    g_assert(d != 0);
    u128 rem = 0;
    for (size_t i = n; i-- > 0;) {
        u128 cur = (rem << 64) | a[i];
        a[i] = (uint64_t)(cur / d);
        rem = cur % d;
    }
    return (uint64_t)rem;
}

/* One step of algorithm D: un[j..j+n] -= qhat x vn[0..n); adds vn back
 * and returns qhat - 1 when qhat was one too large (step D6). */
static uint64_t submul_step(uint64_t *un, const uint64_t *vn, size_t n, uint64_t qhat)
{
    uint64_t borrow = 0, carry = 0;
    for (size_t i = 0; i < n; i++) {
        u128 p = (u128)qhat * vn[i] + carry;
        carry = (uint64_t)(p >> 64);
        uint64_t plo = (uint64_t)p;
        uint64_t d = un[i] - plo;
        uint64_t b1 = un[i] < plo;
        un[i] = d - borrow;
        borrow = b1 | (d < borrow);
    }
    uint64_t top = un[n];
    uint64_t d = top - carry;
    uint64_t b1 = top < carry;
    un[n] = d - borrow;
    if (!(b1 | (d < borrow)))
        return qhat;
    /* Negative: add the divisor back once (the carry out cancels the
     * borrow). */
    uint64_t c = 0;
    for (size_t i = 0; i < n; i++) {
        u128 s = (u128)un[i] + vn[i] + c;
        un[i] = (uint64_t)s;
        c = (uint64_t)(s >> 64);
    }
    un[n] += c;
    return qhat - 1;
}

/* Estimate of the next quotient digit from the top of the remainder
 * (steps D3): never too small, at most one too large afterwards. */
static uint64_t estimate_qhat(const uint64_t *un, const uint64_t *vn, size_t n)
{
    const u128 base = (u128)1 << 64;
    u128 num = ((u128)un[n] << 64) | un[n - 1];
    u128 qhat = num / vn[n - 1];
    u128 rhat = num % vn[n - 1];
    while (qhat >= base || qhat * vn[n - 2] > ((rhat << 64) | un[n - 2])) {
        qhat--;
        rhat += vn[n - 1];
        if (rhat >= base)
            break;
    }
    return (uint64_t)qhat;
}

void proto_wide_divmod(const uint64_t *num, size_t nn, const uint64_t *den, size_t nd,
                       uint64_t *quot, uint64_t *rem)
{
    g_assert(nn <= PROTO_WIDE_LIMBS_MAX && nd <= PROTO_WIDE_LIMBS_MAX);
    size_t n = proto_wide_len(den, nd);
    size_t m = proto_wide_len(num, nn);
    g_assert(n > 0);
    memset(quot, 0, nn * sizeof *quot);
    memset(rem, 0, nd * sizeof *rem);
    if (m < n) {
        memcpy(rem, num, m * sizeof *rem);
        return;
    }
    if (n == 1) {
        memcpy(quot, num, m * sizeof *quot);
        rem[0] = proto_wide_div_small(quot, m, den[0]);
        return;
    }
    /* D1: normalise so the divisor's top limb has its high bit set. */
    int s = __builtin_clzll(den[n - 1]);
    uint64_t vn[PROTO_WIDE_LIMBS_MAX], un[PROTO_WIDE_LIMBS_MAX + 1];
    for (size_t i = n - 1; i > 0; i--)
        vn[i] = s ? (den[i] << s) | (den[i - 1] >> (64 - s)) : den[i];
    vn[0] = den[0] << s;
    un[m] = s ? num[m - 1] >> (64 - s) : 0;
    for (size_t i = m - 1; i > 0; i--)
        un[i] = s ? (num[i] << s) | (num[i - 1] >> (64 - s)) : num[i];
    un[0] = num[0] << s;
    /* D2-D7: one quotient limb per step, from the top. */
    for (size_t j = m - n + 1; j-- > 0;) {
        uint64_t qhat = estimate_qhat(un + j, vn, n);
        quot[j] = submul_step(un + j, vn, n, qhat);
    }
    /* D8: the remainder, unnormalised. */
    for (size_t i = 0; i < n; i++)
        rem[i] = s ? (un[i] >> s) | (un[i + 1] << (64 - s)) : un[i];
}
