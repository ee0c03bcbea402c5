/* Unsigned multi-limb integers: the exact arithmetic under proto_dec.
 *
 * Cosmos computes its decimals with math/big, whose intermediates grow as
 * needed; a LegacyDec times a LegacyDec, or a LegacyDec scaled by 10^36
 * before a division, needs up to 640 bits before it is rounded back. This
 * file gives the few operations dec.c needs on fixed arrays of 64-bit
 * limbs (little-endian: limb 0 is the least significant), with the array
 * lengths passed explicitly and never more than PROTO_WIDE_LIMBS_MAX.
 * Nothing here allocates; every function is a pure function of its
 * arguments. Products use `unsigned __int128`, as GCC and Clang provide.
 *
 * Division is Knuth's algorithm D (TAOCP vol. 2, 4.3.1), in the shape of
 * Hacker's Delight's divmnu with 64-bit digits. */
#ifndef AITBC_PROTOCOL_MODULES_STAKING_WIDE_H
#define AITBC_PROTOCOL_MODULES_STAKING_WIDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest number any function here accepts, in limbs (768 bits). */
#define PROTO_WIDE_LIMBS_MAX 12

/* Significant limbs of a[0..n): the index of the highest non-zero limb
 * plus one, 0 for zero. */
size_t proto_wide_len(const uint64_t *a, size_t n);
/* -1, 0 or 1 as a[0..n) is less than, equal to or greater than b[0..n). */
int proto_wide_cmp(const uint64_t *a, const uint64_t *b, size_t n);
/* a += b over n limbs; returns the carry out (0 or 1). */
uint64_t proto_wide_add(uint64_t *a, const uint64_t *b, size_t n);
/* a -= b over n limbs; returns the borrow out (1 when b > a: then a has
 * wrapped modulo 2^(64n)). */
uint64_t proto_wide_sub(uint64_t *a, const uint64_t *b, size_t n);
/* a += v over n limbs; returns the carry out (0 or 1). */
uint64_t proto_wide_add_small(uint64_t *a, size_t n, uint64_t v);
/* out[0..na+nb) = a[0..na) x b[0..nb), exactly. out must not overlap a or
 * b; na + nb <= PROTO_WIDE_LIMBS_MAX. */
void proto_wide_mul(const uint64_t *a, size_t na, const uint64_t *b, size_t nb, uint64_t *out);
/* a *= m over n limbs; returns the limb that no longer fits (0 when the
 * product fits in n limbs). */
uint64_t proto_wide_mul_small(uint64_t *a, size_t n, uint64_t m);
/* a /= d over n limbs (truncating); returns the remainder. d != 0. */
uint64_t proto_wide_div_small(uint64_t *a, size_t n, uint64_t d);
/* quot[0..nn) = num / den and rem[0..nd) = num % den, truncating, for
 * num of nn limbs and den of nd limbs (den != 0; nn, nd <=
 * PROTO_WIDE_LIMBS_MAX). quot and rem must not overlap the inputs. */
void proto_wide_divmod(const uint64_t *num, size_t nn, const uint64_t *den, size_t nd,
                       uint64_t *quot, uint64_t *rem);

#endif
