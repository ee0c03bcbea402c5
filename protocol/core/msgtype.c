/* Metric names of wire message types (protocol/core/msgtype.h).
 *
 * The names appear in reports and the run database (messages.TYPE.sent),
 * so they are part of the output format: never rename one. */
#include "protocol/core/msgtype.h"

#include <stddef.h>

const char *proto_msg_type_name(uint8_t type)
{
    static const char *const names[] = {
        [PROTO_MSG_TX] = "tx",
        [PROTO_MSG_BLOCK] = "block",
        [PROTO_MSG_GET_BLOCKS] = "sync.get_blocks",
        [PROTO_MSG_BLOCKS] = "sync.blocks",
        [PROTO_MSG_STATUS] = "status",
        [PROTO_MSG_PBFT_PREPREPARE] = "pbft.preprepare",
        [PROTO_MSG_PBFT_PREPARE] = "pbft.prepare",
        [PROTO_MSG_PBFT_COMMIT] = "pbft.commit",
        [PROTO_MSG_PBFT_CHECKPOINT] = "pbft.checkpoint",
        [PROTO_MSG_PBFT_VIEWCHANGE] = "pbft.viewchange",
        [PROTO_MSG_PBFT_NEWVIEW] = "pbft.newview",
        [PROTO_MSG_PBFT_DECIDED] = "pbft.decided",
        [PROTO_MSG_PBFT_EVIDENCE] = "pbft.evidence",
        [PROTO_MSG_P2P_HELLO] = "p2p.hello",
        [PROTO_MSG_P2P_GOODBYE] = "p2p.goodbye",
        [PROTO_MSG_P2P_PING] = "p2p.ping",
        [PROTO_MSG_P2P_PONG] = "p2p.pong",
        [PROTO_MSG_P2P_GET_PEERS] = "p2p.get_peers",
        [PROTO_MSG_P2P_PEERS] = "p2p.peers",
        [PROTO_MSG_P2P_GOSSIP] = "p2p.gossip",
        [PROTO_MSG_P2P_IHAVE] = "p2p.ihave",
        [PROTO_MSG_P2P_IWANT] = "p2p.iwant",
        [PROTO_MSG_AGENT] = "agent",
    };
    if (type < sizeof names / sizeof names[0] && names[type] != NULL)
        return names[type];
    return "unknown";
}

uint8_t proto_msg_counted_type(const uint8_t *wire, size_t size)
{
    if (size == 0)
        return 0;
    if (wire[0] == PROTO_MSG_P2P_GOSSIP && size >= 3)
        return wire[2];
    return wire[0];
}
