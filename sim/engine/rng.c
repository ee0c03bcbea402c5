/* Seeded random streams: BLAKE2b-derived xoshiro256** and the draws built on it.
 *
 * A stream's state is BLAKE2b-256(seed as 8 little-endian bytes || stream
 * name), read as four little-endian words, so streams are independent of
 * each other and of the order in which they are created. xoshiro256**
 * (Blackman and Vigna) is fast, has 256 bits of state and passes BigCrush.
 *
 * Every floating-point draw is bit-for-bit reproducible: it uses only
 * correctly rounded IEEE-754 operations (+ - * / sqrt), integer operations
 * and our own log/exp (below; libm's differ between C libraries in the last
 * bit). The build passes -ffp-contract=off so the compiler cannot fuse a
 * multiply and an add.
 *
 * Exponential draws use a 256-layer ziggurat (Marsaglia and Tsang 2000):
 * about 99% of draws cost one 64-bit word, one table lookup and one
 * multiply, which matters because every network message and timer jitter
 * draws one. The tables are computed once with sim_det_exp/sim_det_log,
 * so they hold the same bits on every machine. */
#include "sim/engine/rng.h"

#include <float.h>
#include <glib.h>
#include <math.h>
#include <sodium.h>
#include <string.h>

#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
#error "deterministic draws need plain double evaluation (FLT_EVAL_METHOD == 0, e.g. SSE2)"
#endif

/* ---- stream setup and raw words ---------------------------------------- */

static void zig_tables_ensure(void);

static inline uint64_t rng_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void sim_rng_init(sim_rng *r, uint64_t seed, const char *stream_name)
{
    g_assert(r != NULL && stream_name != NULL);
    if (sodium_init() < 0)
        g_error("sim_rng: libsodium failed to initialise");
    zig_tables_ensure();

    uint8_t seed_le[8];
    for (int i = 0; i < 8; i++)
        seed_le[i] = (uint8_t)(seed >> (8 * i));

    crypto_generichash_state st;
    uint8_t digest[32];
    crypto_generichash_init(&st, NULL, 0, sizeof digest);
    crypto_generichash_update(&st, seed_le, sizeof seed_le);
    crypto_generichash_update(&st, (const uint8_t *)stream_name, strlen(stream_name));
    crypto_generichash_final(&st, digest, sizeof digest);

    for (int w = 0; w < 4; w++) {
        uint64_t v = 0;
        for (int i = 7; i >= 0; i--)
            v = (v << 8) | digest[8 * w + i];
        r->s[w] = v;
    }
    /* xoshiro's only bad state; BLAKE2b gives it with probability 2^-256. */
    if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
        r->s[0] = UINT64_C(0x9E3779B97F4A7C15);
}

uint64_t sim_rng_u64(sim_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rng_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rng_rotl(s[3], 45);
    return result;
}

double sim_rng_unit(sim_rng *r)
{
    return (double)(sim_rng_u64(r) >> 11) * 0x1.0p-53;
}

/* High and low words of the 128-bit product x * n. */
static inline uint64_t rng_mul_hi(uint64_t x, uint64_t n, uint64_t *lo)
{
#ifdef __SIZEOF_INT128__
    __extension__ unsigned __int128 m = (unsigned __int128)x * n;
    *lo = (uint64_t)m;
    return (uint64_t)(m >> 64);
#else
    uint64_t x_lo = x & 0xFFFFFFFFu, x_hi = x >> 32;
    uint64_t n_lo = n & 0xFFFFFFFFu, n_hi = n >> 32;
    uint64_t ll = x_lo * n_lo, lh = x_lo * n_hi, hl = x_hi * n_lo, hh = x_hi * n_hi;
    uint64_t mid = (ll >> 32) + (lh & 0xFFFFFFFFu) + (hl & 0xFFFFFFFFu);
    *lo = (mid << 32) | (ll & 0xFFFFFFFFu);
    return hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
#endif
}

uint64_t sim_rng_below(sim_rng *r, uint64_t n)
{
    g_assert(n > 0);
    /* Lemire, "Fast random integer generation in an interval" (2019): the
     * high word of x*n is uniform once the few low words below
     * 2^64 mod n are rejected. */
    uint64_t lo;
    uint64_t hi = rng_mul_hi(sim_rng_u64(r), n, &lo);
    if (lo < n) {
        uint64_t threshold = (0 - n) % n;
        while (lo < threshold)
            hi = rng_mul_hi(sim_rng_u64(r), n, &lo);
    }
    return hi;
}

bool sim_rng_chance(sim_rng *r, double p)
{
    /* Certain outcomes draw nothing, so a zero loss rate costs no words. */
    if (!(p > 0.0))
        return false;
    if (p >= 1.0)
        return true;
    return sim_rng_unit(r) < p;
}

/* ---- deterministic log and exp ------------------------------------------ */

/* Both follow fdlibm's e_log.c and e_exp.c, as musl also does: reduce the
 * argument with exact operations, then a minimax polynomial. Error below
 * 1 ulp (measured against glibc over 2e7 arguments: at most 1 ulp). Only
 * + - * / and bit manipulation, so results are identical everywhere. The
 * constants and the method carry this notice:
 *
 *   Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
 *   Developed at SunSoft, a Sun Microsystems, Inc. business.
 *   Permission to use, copy, modify, and distribute this
 *   software is freely granted, provided that this notice
 *   is preserved. */

static inline uint64_t det_bits(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static inline double det_from_bits(uint64_t u)
{
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

static const double det_ln2_hi = 6.93147180369123816490e-01; /* 0x3fe62e42fee00000 */
static const double det_ln2_lo = 1.90821492927058770002e-10; /* 0x3dea39ef35793c76 */

double sim_det_log(double x)
{
    static const double lg1 = 6.666666666666735130e-01, lg2 = 3.999999999940941908e-01,
                        lg3 = 2.857142874366239149e-01, lg4 = 2.222219843214978396e-01,
                        lg5 = 1.818357216161805012e-01, lg6 = 1.531383769920937332e-01,
                        lg7 = 1.479819860511658591e-01;
    uint64_t u = det_bits(x);
    uint32_t hx = (uint32_t)(u >> 32);
    int k = 0;

    if (hx < 0x00100000u || (hx >> 31) != 0) {
        if ((u << 1) == 0)
            return -INFINITY;       /* log(+-0) = -inf */
        if ((hx >> 31) != 0)
            return NAN;             /* log(negative) = NaN */
        k -= 54;                    /* subnormal: scale up */
        x *= 0x1.0p54;
        u = det_bits(x);
        hx = (uint32_t)(u >> 32);
    } else if (hx >= 0x7ff00000u) {
        return x;                   /* inf or NaN */
    } else if (u == UINT64_C(0x3ff0000000000000)) {
        return 0.0;
    }

    /* x = 2^k * m with m in [sqrt(2)/2, sqrt(2)). */
    hx += 0x3ff00000u - 0x3fe6a09eu;
    k += (int)(hx >> 20) - 0x3ff;
    hx = (hx & 0x000fffffu) + 0x3fe6a09eu;
    x = det_from_bits(((uint64_t)hx << 32) | (u & 0xffffffffu));

    /* log(1+f) = f - f^2/2 + s*(f^2/2 + R(s^2)), s = f/(2+f). */
    double f = x - 1.0;
    double hfsq = 0.5 * f * f;
    double s = f / (2.0 + f);
    double z = s * s;
    double w = z * z;
    double t1 = w * (lg2 + w * (lg4 + w * lg6));
    double t2 = z * (lg1 + w * (lg3 + w * (lg5 + w * lg7)));
    double dk = (double)k;
    return s * (hfsq + (t2 + t1)) + dk * det_ln2_lo - hfsq + f + dk * det_ln2_hi;
}

/* y * 2^n for a finite y, exact unless the result is subnormal. */
static double det_scale(double y, int n)
{
    if (n > 1023) {
        y *= 0x1.0p1023;
        n -= 1023;
        if (n > 1023) {
            y *= 0x1.0p1023;
            n -= 1023;
            if (n > 1023)
                n = 1023;
        }
    } else if (n < -1022) {
        /* Keep the final n below -53 so a subnormal result rounds once. */
        y *= 0x1.0p-1022 * 0x1.0p53;
        n += 1022 - 53;
        if (n < -1022) {
            y *= 0x1.0p-1022 * 0x1.0p53;
            n += 1022 - 53;
            if (n < -1022)
                n = -1022;
        }
    }
    return y * det_from_bits((uint64_t)(0x3ff + n) << 52);
}

double sim_det_exp(double x)
{
    static const double inv_ln2 = 1.44269504088896338700e+00,
                        p1 = 1.66666666666666019037e-01, p2 = -2.77777777770155933842e-03,
                        p3 = 6.61375632143793436117e-05, p4 = -1.65339022054652515390e-06,
                        p5 = 4.13813679705723846039e-08;
    uint32_t hx = (uint32_t)(det_bits(x) >> 32);
    int negative = (int)(hx >> 31);
    hx &= 0x7fffffffu;

    if (hx >= 0x4086232bu) {        /* |x| >= 708.39 or NaN */
        if (x != x)
            return x;
        if (x > 709.782712893383973096)
            return INFINITY;
        if (x < -745.13321910194110842)
            return 0.0;
    }

    /* x = k*ln2 + r with |r| <= ln2/2; hi - lo = r. */
    double hi, lo;
    int k;
    if (hx > 0x3fd62e42u) {         /* |x| > ln2/2 */
        if (hx >= 0x3ff0a2b2u)      /* |x| >= 1.5 ln2 */
            k = (int)(inv_ln2 * x + (negative ? -0.5 : 0.5));
        else
            k = negative ? -1 : 1;
        hi = x - k * det_ln2_hi;    /* exact: ln2_hi has trailing zero bits */
        lo = k * det_ln2_lo;
        x = hi - lo;
    } else if (hx > 0x3e300000u) {  /* |x| > 2^-28 */
        k = 0;
        hi = x;
        lo = 0.0;
    } else {
        return 1.0 + x;
    }

    /* exp(r) = 1 + r + r*c/(2-c), c = r - r^2*P(r^2). */
    double xx = x * x;
    double c = x - xx * (p1 + xx * (p2 + xx * (p3 + xx * (p4 + xx * p5))));
    double y = 1.0 + (x * c / (2.0 - c) - lo + hi);
    return k == 0 ? y : det_scale(y, k);
}

/* ---- exponential: ziggurat ---------------------------------------------- */

#define ZIG_LAYERS 256
/* Right edge of the base layer and the common layer area for 256 layers of
 * e^-x (Marsaglia and Tsang 2000, from the paper's code). */
#define ZIG_R 7.697117470131487
#define ZIG_V 3.949659822581572e-3

typedef struct zig_tables {
    uint64_t k[ZIG_LAYERS]; /* accept j < k[i] at once (j has 53 bits) */
    double w[ZIG_LAYERS];   /* x = j * w[i] is uniform over layer i's width */
    double f[ZIG_LAYERS];   /* e^-x at layer i's right edge */
} zig_tables;

static zig_tables zig;

static void zig_tables_build(void)
{
    const double m = 0x1.0p53;
    double de = ZIG_R, te = ZIG_R;
    double q = ZIG_V / sim_det_exp(-de);

    zig.k[0] = (uint64_t)((de / q) * m);
    zig.k[1] = 0;
    zig.w[0] = q / m;
    zig.w[ZIG_LAYERS - 1] = de / m;
    zig.f[0] = 1.0;
    zig.f[ZIG_LAYERS - 1] = sim_det_exp(-de);
    for (int i = ZIG_LAYERS - 2; i >= 1; i--) {
        de = -sim_det_log(ZIG_V / de + sim_det_exp(-de));
        zig.k[i + 1] = (uint64_t)((de / te) * m);
        te = de;
        zig.f[i] = sim_det_exp(-de);
        zig.w[i] = de / m;
    }
}

/* Built once, before the first stream exists: every draw comes from a
 * stream set up by sim_rng_init, which happens after this completes, so
 * the draws themselves need no check. */
static void zig_tables_ensure(void)
{
    static gsize ready = 0;
    if (g_once_init_enter(&ready)) {
        zig_tables_build();
        g_once_init_leave(&ready, 1);
    }
}

/* The slow path: the base layer's tail or a wedge between two layers. */
static __attribute__((noinline)) double zig_exp_slow(sim_rng *r, uint64_t u, double mean)
{
    for (;;) {
        unsigned i = (unsigned)(u & (ZIG_LAYERS - 1));
        uint64_t j = u >> 11;
        if (j < zig.k[i])
            return mean * ((double)j * zig.w[i]);
        if (i == 0) /* memoryless tail: R + Exp(1) */
            return mean * (ZIG_R - sim_det_log(1.0 - sim_rng_unit(r)));
        double x = (double)j * zig.w[i];
        if (zig.f[i] + sim_rng_unit(r) * (zig.f[i - 1] - zig.f[i]) < sim_det_exp(-x))
            return mean * x;
        u = sim_rng_u64(r);
    }
}

double sim_rng_exponential(sim_rng *r, double mean)
{
    uint64_t u = sim_rng_u64(r);
    unsigned i = (unsigned)(u & (ZIG_LAYERS - 1));
    uint64_t j = u >> 11;
    if (G_LIKELY(j < zig.k[i]))
        return mean * ((double)j * zig.w[i]);
    return zig_exp_slow(r, u, mean);
}

/* ---- normal: Marsaglia's polar method ------------------------------------ */

double sim_rng_normal(sim_rng *r, double mean, double sd)
{
    /* A point uniform in the unit disc gives a normal deviate without
     * sin/cos; the second deviate of the pair is discarded so the stream
     * carries no hidden state. */
    for (;;) {
        double u = 2.0 * sim_rng_unit(r) - 1.0;
        double v = 2.0 * sim_rng_unit(r) - 1.0;
        double s = u * u + v * v;
        if (s > 0.0 && s < 1.0)
            return mean + sd * (u * sqrt(-2.0 * sim_det_log(s) / s));
    }
}
