/* Wire envelope: the first byte of every message is its type.
 *
 * The simulator's network reads only this byte (to count messages and
 * bytes per type); everything after it is decoded by the protocol module
 * that owns the type. Numbers are part of the wire format: never reuse. */
#ifndef AITBC_PROTOCOL_MSGTYPE_H
#define AITBC_PROTOCOL_MSGTYPE_H

#include <stddef.h>
#include <stdint.h>

typedef enum proto_msg_type {
    PROTO_MSG_TX = 1,          /* one signed transaction (gossip) */
    PROTO_MSG_BLOCK = 2,       /* a proposed or relayed block */
    PROTO_MSG_GET_BLOCKS = 3,  /* sync request: height range */
    PROTO_MSG_BLOCKS = 4,      /* sync response: consecutive blocks */
    PROTO_MSG_STATUS = 5,      /* head/final summary, sent on (re)start */
    /* 6 is retired: validator operations were a message of their own
     * before they became transactions (tx_envelope.h); never reuse it. */
    PROTO_MSG_PBFT_PREPREPARE = 16, /* PBFT primary's block for (view, seq) */
    PROTO_MSG_PBFT_PREPARE = 17,
    PROTO_MSG_PBFT_COMMIT = 18,
    PROTO_MSG_PBFT_CHECKPOINT = 19,
    PROTO_MSG_PBFT_VIEWCHANGE = 20,
    PROTO_MSG_PBFT_NEWVIEW = 21,
    PROTO_MSG_PBFT_DECIDED = 22,    /* a committed block + commit certificate (to full nodes) */
    PROTO_MSG_PBFT_EVIDENCE = 23,   /* two conflicting signed votes of one validator */
    /* P2P mesh (protocol/p2p): membership, health, gossip */
    PROTO_MSG_P2P_HELLO = 32,       /* ask to become a peer (or accept) */
    PROTO_MSG_P2P_GOODBYE = 33,     /* end a peering (reason; optional peer list) */
    PROTO_MSG_P2P_PING = 34,
    PROTO_MSG_P2P_PONG = 35,        /* echoes the ping; carries validator contact */
    PROTO_MSG_P2P_GET_PEERS = 36,
    PROTO_MSG_P2P_PEERS = 37,       /* addresses of known nodes (peer exchange) */
    PROTO_MSG_P2P_GOSSIP = 38,      /* [38][scope][inner message]: broadcast payload */
    PROTO_MSG_P2P_IHAVE = 39,       /* ids of gossip messages held (lazy push) */
    PROTO_MSG_P2P_IWANT = 40,       /* ids asked for after an IHAVE */
    /* Agents (protocol/agents): a sealed agent-to-agent message in a
     * frame the host machine routes to the agent, [48][to account
     * u32][agent_msg wire]; nodes never take it. */
    PROTO_MSG_AGENT = 48,
    PROTO_MSG_TYPE_COUNT_MAX = 256
} proto_msg_type;

/* Stable metric name of a type ("tx", "block", "sync.get_blocks", ...);
 * "unknown" for unassigned numbers. */
const char *proto_msg_type_name(uint8_t type);

/* The type a message is counted under: a gossip envelope
 * ([PROTO_MSG_P2P_GOSSIP][scope][inner...]) counts as the type of the
 * message it carries, so `tx` and `pbft.decided` figures include what the
 * mesh relays; anything else (and a truncated envelope) is its first byte.
 * 0 for an empty message. */
uint8_t proto_msg_counted_type(const uint8_t *wire, size_t size);

#endif
