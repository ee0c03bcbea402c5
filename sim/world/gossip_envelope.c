/* Opening and closing gossip envelopes (see gossip_envelope.h). */
#include "sim/world/gossip_envelope.h"

#include <string.h>

#include "protocol/core/msgtype.h"

GBytes *sim_gossip_open(GBytes *wire, uint8_t *scope)
{
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(wire, &size);
    if (size < 3 || data[0] != PROTO_MSG_P2P_GOSSIP)
        return NULL;
    *scope = data[1];
    return g_bytes_new_from_bytes(wire, 2, size - 2);
}

GBytes *sim_gossip_wrap(uint8_t scope, GBytes *inner)
{
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(inner, &size);
    uint8_t *buf = g_malloc(size + 2);
    buf[0] = PROTO_MSG_P2P_GOSSIP;
    buf[1] = scope;
    memcpy(buf + 2, data, size);
    return g_bytes_new_take(buf, size + 2);
}

bool sim_gossip_is_control(GBytes *wire)
{
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(wire, &size);
    if (size == 0)
        return false;
    switch (data[0]) {
    case PROTO_MSG_P2P_HELLO:
    case PROTO_MSG_P2P_GOODBYE:
    case PROTO_MSG_P2P_PING:
    case PROTO_MSG_P2P_PONG:
    case PROTO_MSG_P2P_GET_PEERS:
    case PROTO_MSG_P2P_PEERS:
    case PROTO_MSG_P2P_IHAVE:
    case PROTO_MSG_P2P_IWANT:
        return true;
    default:
        return false;
    }
}
