/* A fast, non-cryptographic keyed digest: the stand-in for signatures
 * and Merkle hashing when a scenario says `crypto = fast`.
 *
 * BLAKE2b costs about 0.2 us per 64-byte input and Ed25519 tens of
 * microseconds; a 100-validator PBFT run computes hundreds of thousands
 * of each per simulated second. This digest absorbs the input eight
 * bytes at a time into two 64-bit lanes (multiply, rotate) and squeezes
 * each output word through the splitmix64 finalizer, for a few
 * nanoseconds per word. It is deterministic on every platform (explicit
 * little-endian loads, integer arithmetic only), changes completely when
 * any input bit changes, and distinct inputs collide with probability
 * about 2^-128 unless someone crafts them: good enough to detect every
 * corruption or wrong key a simulated node can produce, useless against
 * an adversary who reads this file. Reports say which mode ran. */
#ifndef AITBC_PROTOCOL_FASTMIX_H
#define AITBC_PROTOCOL_FASTMIX_H

#include <stddef.h>
#include <stdint.h>

/* out_size bytes (a multiple of 8) of digest over (key, msg). */
void proto_fastmix(uint8_t *out, size_t out_size, const void *key, size_t key_size,
                   const void *msg, size_t msg_size);

#endif
