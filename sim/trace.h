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

typedef struct sim_trace {
    crypto_generichash_state state;
    uint64_t records;
    /* One-entry digest cache: broadcasts deliver one buffer many times.
     * It holds a reference to the cached buffer, so the identity it is
     * keyed by can never be reused by another buffer while cached. */
    GBytes *cached;
    proto_hash cached_digest;
} sim_trace;

void sim_trace_init(sim_trace *t);
void sim_trace_clear(sim_trace *t);
void sim_trace_delivery(sim_trace *t, int64_t at_ns, uint32_t from, uint32_t to, GBytes *wire);
void sim_trace_final(sim_trace *t, int64_t at_ns, uint32_t node, uint64_t height,
                     const uint8_t hash[32], const uint8_t state_root[32]);
/* Digest so far (the state is not consumed). */
void sim_trace_digest(const sim_trace *t, proto_hash *out);

#endif
