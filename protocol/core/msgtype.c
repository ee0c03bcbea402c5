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
        [PROTO_MSG_VALOP] = "valop",
        [PROTO_MSG_PBFT_PREPREPARE] = "pbft.preprepare",
        [PROTO_MSG_PBFT_PREPARE] = "pbft.prepare",
        [PROTO_MSG_PBFT_COMMIT] = "pbft.commit",
        [PROTO_MSG_PBFT_CHECKPOINT] = "pbft.checkpoint",
        [PROTO_MSG_PBFT_VIEWCHANGE] = "pbft.viewchange",
        [PROTO_MSG_PBFT_NEWVIEW] = "pbft.newview",
        [PROTO_MSG_PBFT_DECIDED] = "pbft.decided",
        [PROTO_MSG_PBFT_EVIDENCE] = "pbft.evidence",
    };
    if (type < sizeof names / sizeof names[0] && names[type] != NULL)
        return names[type];
    return "unknown";
}
