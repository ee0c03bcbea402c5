/* Trace hash accumulation (see trace.h). Records are fixed-layout
 * little-endian so the hash does not depend on struct padding or on the
 * host's byte order. */
#include "sim/engine/trace.h"

#include <string.h>

static size_t put_u64(uint8_t *out, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(v >> (8 * i));
    return 8;
}

static size_t put_u32(uint8_t *out, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        out[i] = (uint8_t)(v >> (8 * i));
    return 4;
}

void sim_trace_init(sim_trace *t)
{
    memset(t, 0, sizeof *t);
    crypto_generichash_init(&t->state, NULL, 0, PROTO_HASH_SIZE);
}

void sim_trace_clear(sim_trace *t)
{
    for (size_t i = 0; i < SIM_TRACE_CACHE; i++) {
        if (t->cache[i].wire != NULL)
            g_bytes_unref(t->cache[i].wire);
        t->cache[i].wire = NULL;
    }
}

static void trace_append(sim_trace *t, const uint8_t *rec, size_t size)
{
    if (t->buf_len + size > sizeof t->buf) {
        crypto_generichash_update(&t->state, t->buf, t->buf_len);
        t->buf_len = 0;
    }
    memcpy(t->buf + t->buf_len, rec, size);
    t->buf_len += size;
    t->records++;
}

/* The digest of a message buffer, from the cache when it was seen lately.
 * The slot comes from the buffer's address, which decides only whether the
 * digest is recomputed, never what goes into the trace. */
static const proto_hash *wire_digest(sim_trace *t, GBytes *wire)
{
    size_t slot = ((uintptr_t)wire >> 4) & (SIM_TRACE_CACHE - 1);
    sim_trace_cached *c = &t->cache[slot];
    if (c->wire != wire) {
        gsize size = 0;
        const void *data = g_bytes_get_data(wire, &size);
        proto_hash_bytes(&c->digest, data, size);
        if (c->wire != NULL)
            g_bytes_unref(c->wire);
        c->wire = g_bytes_ref(wire);
    }
    return &c->digest;
}

void sim_trace_delivery(sim_trace *t, int64_t at_ns, uint32_t from, uint32_t to, GBytes *wire)
{
    const proto_hash *digest = wire_digest(t, wire);
    uint8_t rec[1 + 8 + 4 + 4 + PROTO_HASH_SIZE];
    size_t pos = 0;
    rec[pos++] = 'M';
    pos += put_u64(rec + pos, (uint64_t)at_ns);
    pos += put_u32(rec + pos, from);
    pos += put_u32(rec + pos, to);
    memcpy(rec + pos, digest->bytes, PROTO_HASH_SIZE);
    pos += PROTO_HASH_SIZE;
    trace_append(t, rec, pos);
}

void sim_trace_final(sim_trace *t, int64_t at_ns, uint32_t node, uint64_t height,
                     const uint8_t hash[32], const uint8_t state_root[32])
{
    uint8_t rec[1 + 8 + 4 + 8 + 2 * PROTO_HASH_SIZE];
    size_t pos = 0;
    rec[pos++] = 'F';
    pos += put_u64(rec + pos, (uint64_t)at_ns);
    pos += put_u32(rec + pos, node);
    pos += put_u64(rec + pos, height);
    memcpy(rec + pos, hash, PROTO_HASH_SIZE);
    pos += PROTO_HASH_SIZE;
    memcpy(rec + pos, state_root, PROTO_HASH_SIZE);
    pos += PROTO_HASH_SIZE;
    trace_append(t, rec, pos);
}

void sim_trace_digest(const sim_trace *t, proto_hash *out)
{
    crypto_generichash_state copy = t->state;
    crypto_generichash_update(&copy, t->buf, t->buf_len);
    crypto_generichash_final(&copy, out->bytes, PROTO_HASH_SIZE);
}
