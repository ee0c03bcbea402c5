/* The run's trace hash: BLAKE2b over the ordered stream of delivered
 * messages, finalizations and state roots.
 *
 * Same scenario + seed + program => same hash, on every machine: it is the
 * "unseed" that proves two runs matched (FoundationDB sim2). Message
 * contents are folded in through their own BLAKE2b digest, computed once
 * per buffer even when one buffer is delivered to many nodes. */
#ifndef AITBC_SIM_TRACE_H
#define AITBC_SIM_TRACE_H

#include <glib.h>
#include <sodium.h>
#include <stdint.h>

#include "protocol/core/crypto.h"

#define SIM_TRACE_CACHE 256     /* recent message buffers (a power of two) */
#define SIM_TRACE_BUF_SIZE 4096 /* records are hashed in chunks of this */

/* A message buffer whose digest is known. The entry holds a reference,
 * so the address it is found by cannot be reused by another buffer while
 * it is cached: a hit always means the same bytes. The cache only saves
 * work; the hash is the same with or without it. */
typedef struct sim_trace_cached {
    GBytes *wire;
    proto_hash digest;
} sim_trace_cached;

typedef struct sim_trace {
    crypto_generichash_state state;
    uint64_t records;
    /* Broadcasts deliver one buffer to many nodes, interleaved with other
     * traffic: a small direct-mapped cache of digests. */
    sim_trace_cached cache[SIM_TRACE_CACHE];
    /* Records wait here and are hashed in chunks (BLAKE2b of a stream does
     * not depend on how it is cut). */
    uint8_t buf[SIM_TRACE_BUF_SIZE];
    size_t buf_len;
} sim_trace;

void sim_trace_init(sim_trace *t);
void sim_trace_clear(sim_trace *t);
void sim_trace_delivery(sim_trace *t, int64_t at_ns, uint32_t from, uint32_t to, GBytes *wire);
void sim_trace_final(sim_trace *t, int64_t at_ns, uint32_t node, uint64_t height,
                     const uint8_t hash[32], const uint8_t state_root[32]);
/* Digest so far (the state is not consumed). */
void sim_trace_digest(const sim_trace *t, proto_hash *out);

#endif
