/* P2P mesh wire messages: encoders and bounds-checked decoders (layouts
 * in p2p_msg.h).
 *
 * Encoders assert what their decoders check (counts within bounds, known
 * codes and scopes), so an encoder never emits what a decoder rejects.
 * Decoders read through proto_reader, which latches the first failure and
 * never reads past the buffer; a count is compared with its bound before
 * the bytes it announces are claimed. */
#include "protocol/p2p/p2p_msg.h"

#include <string.h>

#include "protocol/core/codec.h"
#include "protocol/core/crypto.h"
#include "protocol/core/msgtype.h"

/* type, seq, sent_ns, distance, beats count */
#define PING_HEADER_SIZE (1 + 8 + 8 + 4 + 2)

void p2p_id_of(p2p_id *out, const void *data, size_t size)
{
    proto_hash h;
    proto_hash_bytes(&h, data, size);
    memcpy(out->bytes, h.bytes, P2P_ID_SIZE);
}

bool p2p_id_equal(const p2p_id *a, const p2p_id *b)
{
    return memcmp(a->bytes, b->bytes, P2P_ID_SIZE) == 0;
}

bool p2p_msg_is_p2p_type(uint8_t type)
{
    return type >= PROTO_MSG_P2P_HELLO && type <= PROTO_MSG_P2P_IWANT;
}

bool p2p_msg_is_control_type(uint8_t type)
{
    return p2p_msg_is_p2p_type(type) && type != PROTO_MSG_P2P_GOSSIP;
}

/* A reader positioned after the type byte; false if it is not `type`. */
static bool open_type(proto_reader *r, const uint8_t *data, size_t size, uint8_t type)
{
    proto_reader_init(r, data, size);
    return proto_read_u8(r) == type && !r->failed;
}

static void write_addrs(proto_writer *w, const p2p_addrs *a)
{
    g_assert(a->count <= P2P_ADDRS_MAX);
    proto_write_u16(w, (uint16_t)a->count);
    for (uint32_t i = 0; i < a->count; i++)
        proto_write_u32(w, a->ids[i]);
}

static bool read_addrs(proto_reader *r, p2p_addrs *out)
{
    uint16_t count = proto_read_u16(r);
    if (r->failed || count > P2P_ADDRS_MAX)
        return false;
    out->count = count;
    for (uint32_t i = 0; i < count; i++)
        out->ids[i] = proto_read_u32(r);
    return !r->failed;
}

GBytes *p2p_hello_encode(bool ack)
{
    uint8_t b[2] = {PROTO_MSG_P2P_HELLO, ack ? P2P_HELLO_ACK : 0};
    return g_bytes_new(b, sizeof b);
}

bool p2p_hello_decode(const uint8_t *data, size_t size, bool *ack)
{
    proto_reader r;
    if (!open_type(&r, data, size, PROTO_MSG_P2P_HELLO))
        return false;
    uint8_t flags = proto_read_u8(&r);
    if (!proto_reader_finish(&r) || (flags & ~P2P_HELLO_ACK) != 0)
        return false;
    *ack = (flags & P2P_HELLO_ACK) != 0;
    return true;
}

GBytes *p2p_goodbye_encode(const p2p_goodbye *m)
{
    g_assert(m->code >= 1 && m->code <= P2P_BYE_CODE_MAX);
    proto_writer w;
    proto_writer_init(&w);
    proto_write_u8(&w, PROTO_MSG_P2P_GOODBYE);
    proto_write_u8(&w, m->code);
    write_addrs(&w, &m->addrs);
    return proto_writer_steal(&w);
}

bool p2p_goodbye_decode(const uint8_t *data, size_t size, p2p_goodbye *out)
{
    proto_reader r;
    if (!open_type(&r, data, size, PROTO_MSG_P2P_GOODBYE))
        return false;
    out->code = proto_read_u8(&r);
    if (r.failed || out->code < 1 || out->code > P2P_BYE_CODE_MAX)
        return false;
    return read_addrs(&r, &out->addrs) && proto_reader_finish(&r);
}

/* Written straight into one buffer: a ping carries a counter per
 * validator, and pings are most of the mesh's steady traffic. */
GBytes *p2p_ping_encode(uint8_t type, const p2p_ping *m, const uint32_t *beats)
{
    g_assert(type == PROTO_MSG_P2P_PING || type == PROTO_MSG_P2P_PONG);
    g_assert(m->beats_count <= P2P_BEATS_MAX);
    size_t size = PING_HEADER_SIZE + (size_t)m->beats_count * 4;
    uint8_t *buf = g_malloc(size);
    buf[0] = type;
    proto_le_put_u64(buf + 1, m->seq);
    proto_le_put_u64(buf + 9, (uint64_t)m->sent_ns); /* two's complement, as proto_write_i64 */
    proto_le_put_u32(buf + 17, m->distance);
    buf[21] = (uint8_t)m->beats_count;
    buf[22] = (uint8_t)(m->beats_count >> 8);
    for (uint32_t i = 0; i < m->beats_count; i++)
        proto_le_put_u32(buf + PING_HEADER_SIZE + 4 * (size_t)i, beats[i]);
    return g_bytes_new_take(buf, size);
}

bool p2p_ping_decode(uint8_t type, const uint8_t *data, size_t size, p2p_ping *out)
{
    g_assert(type == PROTO_MSG_P2P_PING || type == PROTO_MSG_P2P_PONG);
    proto_reader r;
    if (!open_type(&r, data, size, type))
        return false;
    out->seq = proto_read_u64(&r);
    out->sent_ns = proto_read_i64(&r);
    out->distance = proto_read_u32(&r);
    uint16_t count = proto_read_u16(&r);
    if (r.failed || count > P2P_BEATS_MAX)
        return false;
    out->beats_count = count;
    out->beats = proto_read_view(&r, (size_t)count * 4);
    return proto_reader_finish(&r);
}

uint32_t p2p_ping_beat(const p2p_ping *m, uint32_t i)
{
    g_assert(i < m->beats_count);
    return proto_le_get_u32(m->beats + (size_t)i * 4);
}

GBytes *p2p_get_peers_encode(void)
{
    uint8_t b = PROTO_MSG_P2P_GET_PEERS;
    return g_bytes_new(&b, 1);
}

bool p2p_get_peers_decode(const uint8_t *data, size_t size)
{
    proto_reader r;
    return open_type(&r, data, size, PROTO_MSG_P2P_GET_PEERS) && proto_reader_finish(&r);
}

GBytes *p2p_peers_encode(const p2p_addrs *m)
{
    proto_writer w;
    proto_writer_init(&w);
    proto_write_u8(&w, PROTO_MSG_P2P_PEERS);
    write_addrs(&w, m);
    return proto_writer_steal(&w);
}

bool p2p_peers_decode(const uint8_t *data, size_t size, p2p_addrs *out)
{
    proto_reader r;
    if (!open_type(&r, data, size, PROTO_MSG_P2P_PEERS))
        return false;
    return read_addrs(&r, out) && proto_reader_finish(&r);
}

static bool scope_valid(unsigned scope)
{
    return scope == PROTO_SCOPE_VALIDATORS || scope == PROTO_SCOPE_ALL;
}

GBytes *p2p_gossip_encode(proto_scope scope, GBytes *inner)
{
    g_assert(scope_valid(scope));
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(inner, &size);
    g_assert(size >= 1 && !p2p_msg_is_p2p_type(data[0]));
    uint8_t *buf = g_malloc(size + P2P_GOSSIP_HEADER_SIZE);
    buf[0] = PROTO_MSG_P2P_GOSSIP;
    buf[1] = (uint8_t)scope;
    memcpy(buf + P2P_GOSSIP_HEADER_SIZE, data, size);
    return g_bytes_new_take(buf, size + P2P_GOSSIP_HEADER_SIZE);
}

bool p2p_gossip_decode(const uint8_t *data, size_t size, proto_scope *scope)
{
    if (size < P2P_GOSSIP_HEADER_SIZE + 1 || data[0] != PROTO_MSG_P2P_GOSSIP)
        return false;
    if (!scope_valid(data[1]) || p2p_msg_is_p2p_type(data[P2P_GOSSIP_HEADER_SIZE]))
        return false;
    *scope = (proto_scope)data[1];
    return true;
}

GBytes *p2p_gossip_open(GBytes *wire, proto_scope *scope)
{
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(wire, &size);
    if (!p2p_gossip_decode(data, size, scope))
        return NULL;
    return g_bytes_new_from_bytes(wire, P2P_GOSSIP_HEADER_SIZE, size - P2P_GOSSIP_HEADER_SIZE);
}

GBytes *p2p_ids_encode(uint8_t type, const p2p_id *ids, uint32_t count)
{
    g_assert(type == PROTO_MSG_P2P_IHAVE || type == PROTO_MSG_P2P_IWANT);
    g_assert(count >= 1 && count <= P2P_IDS_MAX);
    proto_writer w;
    proto_writer_init(&w);
    proto_write_u8(&w, type);
    proto_write_u16(&w, (uint16_t)count);
    for (uint32_t i = 0; i < count; i++)
        proto_write_raw(&w, ids[i].bytes, P2P_ID_SIZE);
    return proto_writer_steal(&w);
}

bool p2p_ids_decode(uint8_t type, const uint8_t *data, size_t size, p2p_ids *out)
{
    g_assert(type == PROTO_MSG_P2P_IHAVE || type == PROTO_MSG_P2P_IWANT);
    proto_reader r;
    if (!open_type(&r, data, size, type))
        return false;
    uint16_t count = proto_read_u16(&r);
    if (r.failed || count < 1 || count > P2P_IDS_MAX)
        return false;
    out->count = count;
    out->ids = proto_read_view(&r, (size_t)count * P2P_ID_SIZE);
    return proto_reader_finish(&r);
}

void p2p_ids_get(const p2p_ids *m, uint32_t i, p2p_id *out)
{
    g_assert(i < m->count);
    memcpy(out->bytes, m->ids + (size_t)i * P2P_ID_SIZE, P2P_ID_SIZE);
}
