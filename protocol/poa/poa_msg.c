/* PoA wire messages (see poa_msg.h for the layout). Decoders treat the
 * bytes as hostile: lengths are checked against the buffer and against
 * protocol bounds, and trailing bytes are rejected. */
#include "protocol/poa/poa_msg.h"

#include "protocol/core/codec.h"
#include "protocol/core/msgtype.h"

GBytes *poa_msg_tx_encode(const proto_txenv *tx)
{
    return proto_txenv_msg_encode(tx);
}

GBytes *poa_msg_block_encode(const proto_block *b)
{
    proto_writer w;
    proto_writer_init(&w);
    proto_write_u8(&w, PROTO_MSG_BLOCK);
    proto_block_encode(b, &w);
    return proto_writer_steal(&w);
}

GBytes *poa_msg_get_blocks_encode(uint64_t from_height, uint32_t count)
{
    proto_writer w;
    proto_writer_init(&w);
    proto_write_u8(&w, PROTO_MSG_GET_BLOCKS);
    proto_write_u64(&w, from_height);
    proto_write_u32(&w, count);
    return proto_writer_steal(&w);
}

GBytes *poa_msg_blocks_encode(GPtrArray *bodies)
{
    g_assert(bodies->len <= POA_SYNC_BLOCKS_MAX);
    proto_writer w;
    proto_writer_init(&w);
    proto_write_u8(&w, PROTO_MSG_BLOCKS);
    proto_write_u32(&w, bodies->len);
    for (guint i = 0; i < bodies->len; i++) {
        gsize size = 0;
        const void *data = g_bytes_get_data(bodies->pdata[i], &size);
        proto_write_bytes(&w, data, size);
    }
    return proto_writer_steal(&w);
}

uint8_t poa_msg_type(GBytes *wire)
{
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(wire, &size);
    return size > 0 ? data[0] : 0;
}

proto_txenv_result poa_msg_tx_decode(GBytes *wire, const proto_txenv_limits *limits,
                                     proto_txenv *out)
{
    return proto_txenv_msg_decode(wire, limits, out);
}

GBytes *poa_msg_block_body(GBytes *wire)
{
    gsize size = g_bytes_get_size(wire);
    if (size < 2 || poa_msg_type(wire) != PROTO_MSG_BLOCK)
        return NULL;
    return g_bytes_new_from_bytes(wire, 1, size - 1);
}

bool poa_msg_get_blocks_decode(GBytes *wire, uint64_t *from_height, uint32_t *count)
{
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(wire, &size);
    proto_reader r;
    proto_reader_init(&r, data, size);
    if (proto_read_u8(&r) != PROTO_MSG_GET_BLOCKS)
        return false;
    *from_height = proto_read_u64(&r);
    *count = proto_read_u32(&r);
    return proto_reader_finish(&r) && *count > 0 && *count <= POA_SYNC_BLOCKS_MAX;
}

bool poa_msg_blocks_decode(GBytes *wire, GPtrArray *out)
{
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(wire, &size);
    proto_reader r;
    proto_reader_init(&r, data, size);
    if (proto_read_u8(&r) != PROTO_MSG_BLOCKS)
        return false;
    uint32_t count = proto_read_u32(&r);
    if (r.failed || count > POA_SYNC_BLOCKS_MAX)
        return false;
    guint base = out->len;
    for (uint32_t i = 0; i < count; i++) {
        size_t body_size = 0;
        const uint8_t *body = proto_read_bytes(&r, size, &body_size);
        if (body == NULL)
            break;
        g_ptr_array_add(out, g_bytes_new_from_bytes(wire, (gsize)(body - data), body_size));
    }
    if (!proto_reader_finish(&r)) {
        g_ptr_array_remove_range(out, base, out->len - base);
        return false;
    }
    return true;
}
