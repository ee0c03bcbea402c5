/* Canonical binary codec: a growable little-endian writer and a
 * bounds-checked reader for untrusted bytes.
 *
 * The reader never touches memory outside [data, data + size). The first
 * failed read latches `failed`; from then on every read returns zeros (or
 * NULL) without moving, so decoders can read a whole record and check once
 * with proto_reader_finish(). Lengths read from the wire are compared with
 * the bytes actually remaining before anything is allocated or copied, so
 * a lying length field costs nothing. */
#include "protocol/core/codec.h"

#include <string.h>

void proto_writer_init(proto_writer *w)
{
    w->buf = g_byte_array_new();
}

void proto_writer_clear(proto_writer *w)
{
    if (w->buf != NULL) {
        g_byte_array_unref(w->buf);
        w->buf = NULL;
    }
}

void proto_write_raw(proto_writer *w, const void *data, size_t size)
{
    if (w->buf == NULL)
        w->buf = g_byte_array_new(); /* reused after a steal */
    if (size == 0) {
        return;
    }
    g_assert(size <= G_MAXUINT);
    g_byte_array_append(w->buf, data, (guint)size);
}

void proto_write_u8(proto_writer *w, uint8_t v)
{
    proto_write_raw(w, &v, 1);
}

void proto_write_u16(proto_writer *w, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    proto_write_raw(w, b, sizeof b);
}

void proto_write_u32(proto_writer *w, uint32_t v)
{
    uint8_t b[4];
    proto_le_put_u32(b, v);
    proto_write_raw(w, b, sizeof b);
}

void proto_write_u64(proto_writer *w, uint64_t v)
{
    uint8_t b[8];
    proto_le_put_u64(b, v);
    proto_write_raw(w, b, sizeof b);
}

/* Two's complement, so the encoding of a negative value is the encoding of
 * its u64 reinterpretation (well defined: conversion to unsigned is modular). */
void proto_write_i64(proto_writer *w, int64_t v)
{
    proto_write_u64(w, (uint64_t)v);
}

void proto_write_bytes(proto_writer *w, const void *data, size_t size)
{
    /* Our own callers bound their strings; a >4 GiB string is a bug. */
    g_assert(size <= UINT32_MAX);
    proto_write_u32(w, (uint32_t)size);
    proto_write_raw(w, data, size);
}

GBytes *proto_writer_steal(proto_writer *w)
{
    if (w->buf == NULL)
        return g_bytes_new(NULL, 0);
    GBytes *out = g_byte_array_free_to_bytes(w->buf);
    w->buf = NULL; /* allocated again by the next write, if any */
    return out;
}

/* A reader over NULL reads from this empty buffer instead, so views of
 * zero bytes are never NULL + 0 pointer arithmetic. */
static const uint8_t reader_empty[1];

void proto_reader_init(proto_reader *r, const void *data, size_t size)
{
    r->data = data != NULL ? data : reader_empty;
    r->size = data != NULL ? size : 0;
    r->pos = 0;
    r->failed = false;
}

size_t proto_reader_remaining(const proto_reader *r)
{
    return r->failed ? 0 : r->size - r->pos;
}

/* Claim `size` bytes: the pointer to them, or NULL (and latch) if the
 * reader already failed or fewer bytes remain. Never moves on failure. */
static const uint8_t *reader_take(proto_reader *r, size_t size)
{
    if (r->failed || size > r->size - r->pos) {
        r->failed = true;
        return NULL;
    }
    const uint8_t *p = r->data + r->pos;
    r->pos += size;
    return p;
}

void proto_read_raw(proto_reader *r, void *out, size_t size)
{
    const uint8_t *p = reader_take(r, size);
    if (size == 0) {
        return;
    }
    if (p == NULL) {
        memset(out, 0, size);
        return;
    }
    memcpy(out, p, size);
}

uint8_t proto_read_u8(proto_reader *r)
{
    const uint8_t *p = reader_take(r, 1);
    return p != NULL ? p[0] : 0;
}

uint16_t proto_read_u16(proto_reader *r)
{
    const uint8_t *p = reader_take(r, 2);
    return p != NULL ? (uint16_t)(p[0] | (p[1] << 8)) : 0;
}

uint32_t proto_read_u32(proto_reader *r)
{
    const uint8_t *p = reader_take(r, 4);
    return p != NULL ? proto_le_get_u32(p) : 0;
}

uint64_t proto_read_u64(proto_reader *r)
{
    const uint8_t *p = reader_take(r, 8);
    return p != NULL ? proto_le_get_u64(p) : 0;
}

/* The inverse of the modular conversion in proto_write_i64, done without
 * relying on implementation-defined unsigned-to-signed conversion. */
int64_t proto_read_i64(proto_reader *r)
{
    uint64_t u = proto_read_u64(r);
    if (u <= (uint64_t)INT64_MAX) {
        return (int64_t)u;
    }
    return -(int64_t)(UINT64_MAX - u) - 1;
}

const uint8_t *proto_read_view(proto_reader *r, size_t size)
{
    return reader_take(r, size);
}

const uint8_t *proto_read_bytes(proto_reader *r, size_t max_size, size_t *size_out)
{
    *size_out = 0;
    uint32_t size = proto_read_u32(r);
    if (r->failed) {
        return NULL;
    }
    if (size > max_size) {
        r->failed = true;
        return NULL;
    }
    const uint8_t *p = reader_take(r, size);
    if (p != NULL) {
        *size_out = size;
    }
    return p;
}

bool proto_reader_finish(proto_reader *r)
{
    if (!r->failed && r->pos != r->size) {
        r->failed = true;
    }
    return !r->failed;
}
