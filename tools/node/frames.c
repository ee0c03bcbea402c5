/* Length-prefixed frames and the hello (see frames.h). Pure byte
 * handling, no sockets, so the unit test can feed it any stream. */
#include "tools/node/frames.h"

#include <string.h>

#include "protocol/core/codec.h"

/* Consumed bytes are dropped from the front once they are this many and
 * at least half the buffer: each byte is moved O(1) times. */
#define TB_FRAME_COMPACT_MIN (64u * 1024)

const char *tb_frame_result_name(tb_frame_result r)
{
    switch (r) {
    case TB_FRAME_OK: return "ok";
    case TB_FRAME_NEED_MORE: return "need-more";
    case TB_FRAME_EMPTY: return "empty";
    case TB_FRAME_OVERSIZED: return "oversized";
    }
    return "unknown";
}

void tb_frame_reader_init(tb_frame_reader *r, uint32_t frame_max)
{
    g_assert(frame_max > 0);
    *r = (tb_frame_reader){.buf = g_byte_array_new(), .frame_max = frame_max};
}

void tb_frame_reader_clear(tb_frame_reader *r)
{
    if (r->buf != NULL)
        g_byte_array_unref(r->buf);
    r->buf = NULL;
}

void tb_frame_reader_feed(tb_frame_reader *r, const void *data, size_t size)
{
    if (r->failed != TB_FRAME_OK)
        return; /* the connection is being dropped: keep nothing more */
    if (r->start >= TB_FRAME_COMPACT_MIN && r->start * 2 >= r->buf->len) {
        g_byte_array_remove_range(r->buf, 0, (guint)r->start);
        r->start = 0;
    }
    g_byte_array_append(r->buf, data, (guint)size);
}

size_t tb_frame_reader_pending(const tb_frame_reader *r)
{
    return r->buf->len - r->start;
}

tb_frame_result tb_frame_reader_next(tb_frame_reader *r, GBytes **out)
{
    *out = NULL;
    if (r->failed != TB_FRAME_OK)
        return r->failed;
    size_t have = tb_frame_reader_pending(r);
    if (have < TB_FRAME_HEADER_BYTES)
        return TB_FRAME_NEED_MORE;
    const uint8_t *head = r->buf->data + r->start;
    uint32_t size = proto_le_get_u32(head);
    if (size == 0 || size > r->frame_max) {
        r->failed = size == 0 ? TB_FRAME_EMPTY : TB_FRAME_OVERSIZED;
        return r->failed;
    }
    if (have - TB_FRAME_HEADER_BYTES < size)
        return TB_FRAME_NEED_MORE;
    *out = g_bytes_new(head + TB_FRAME_HEADER_BYTES, size);
    r->start += TB_FRAME_HEADER_BYTES + size;
    if (r->start == r->buf->len) {
        g_byte_array_set_size(r->buf, 0);
        r->start = 0;
    }
    return TB_FRAME_OK;
}

void tb_frame_append(GByteArray *out, const void *payload, size_t size)
{
    g_assert(size > 0 && size <= UINT32_MAX);
    uint8_t head[TB_FRAME_HEADER_BYTES];
    proto_le_put_u32(head, (uint32_t)size);
    g_byte_array_append(out, head, sizeof head);
    g_byte_array_append(out, payload, (guint)size);
}

void tb_hello_encode(const tb_hello *h, uint8_t out[TB_HELLO_BYTES])
{
    proto_le_put_u32(out, TB_HELLO_MAGIC);
    out[4] = (uint8_t)(TB_HELLO_VERSION & 0xff);
    out[5] = (uint8_t)(TB_HELLO_VERSION >> 8);
    proto_le_put_u64(out + 6, h->chain_id);
    proto_le_put_u32(out + 14, h->node);
}

bool tb_hello_decode(GBytes *payload, tb_hello *h)
{
    gsize size;
    const uint8_t *data = g_bytes_get_data(payload, &size);
    proto_reader r;
    proto_reader_init(&r, data, size);
    uint32_t magic = proto_read_u32(&r);
    uint16_t version = proto_read_u16(&r);
    tb_hello got = {.chain_id = proto_read_u64(&r), .node = proto_read_u32(&r)};
    if (!proto_reader_finish(&r) || magic != TB_HELLO_MAGIC || version != TB_HELLO_VERSION)
        return false;
    *h = got;
    return true;
}
