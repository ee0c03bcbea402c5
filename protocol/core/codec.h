/* Canonical binary codec for everything that crosses the wire or is hashed.
 *
 * Integers are fixed-width little-endian; byte strings are a u32 length
 * followed by the bytes; fixed-size fields (hashes, keys, signatures) are
 * raw. One encoding per value, so hashes of encodings are canonical.
 *
 * The reader is for untrusted bytes: every read is bounds-checked, a
 * failed read latches `failed` and returns zeros, and proto_reader_finish()
 * rejects trailing bytes. Callers check once at the end instead of after
 * every field; nothing ever reads past the buffer. */
#ifndef AITBC_PROTOCOL_CODEC_H
#define AITBC_PROTOCOL_CODEC_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct proto_writer {
    GByteArray *buf;
} proto_writer;

void proto_writer_init(proto_writer *w);
void proto_writer_clear(proto_writer *w);
void proto_write_u8(proto_writer *w, uint8_t v);
void proto_write_u16(proto_writer *w, uint16_t v);
void proto_write_u32(proto_writer *w, uint32_t v);
void proto_write_u64(proto_writer *w, uint64_t v);
void proto_write_i64(proto_writer *w, int64_t v);
void proto_write_raw(proto_writer *w, const void *data, size_t size);
/* u32 length prefix + bytes */
void proto_write_bytes(proto_writer *w, const void *data, size_t size);
/* Hand the encoded bytes over as GBytes. The writer is empty afterwards
 * and holds no memory: a caller that is done need not clear it, and one
 * that writes again reuses it (proto_writer_clear frees it then). */
GBytes *proto_writer_steal(proto_writer *w);

typedef struct proto_reader {
    const uint8_t *data;
    size_t size;
    size_t pos;
    bool failed;
} proto_reader;

void proto_reader_init(proto_reader *r, const void *data, size_t size);
uint8_t proto_read_u8(proto_reader *r);
uint16_t proto_read_u16(proto_reader *r);
uint32_t proto_read_u32(proto_reader *r);
uint64_t proto_read_u64(proto_reader *r);
int64_t proto_read_i64(proto_reader *r);
/* Copies `size` bytes into out (zero-filled on failure). */
void proto_read_raw(proto_reader *r, void *out, size_t size);
/* Borrows a u32-length-prefixed byte string; fails if longer than max_size. */
const uint8_t *proto_read_bytes(proto_reader *r, size_t max_size, size_t *size_out);
/* Borrow `size` raw bytes in place (NULL on failure; never NULL on
 * success, even for size 0). */
const uint8_t *proto_read_view(proto_reader *r, size_t size);
size_t proto_reader_remaining(const proto_reader *r);
/* True iff every read succeeded and all bytes were consumed. */
bool proto_reader_finish(proto_reader *r);

/* Little-endian stores and loads into fixed buffers, for hot paths that
 * encode a fixed-size record on the stack (tx signing bytes, tx ids)
 * instead of going through a heap-backed writer. Same byte order as the
 * writer, so both paths give identical encodings. */
static inline void proto_le_put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static inline void proto_le_put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static inline uint32_t proto_le_get_u32(const uint8_t *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--) {
        v = (v << 8) | p[i];
    }
    return v;
}

static inline uint64_t proto_le_get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) {
        v = (v << 8) | p[i];
    }
    return v;
}

#endif
