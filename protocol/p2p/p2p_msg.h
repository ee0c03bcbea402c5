/* P2P mesh wire messages (types 32..40 of protocol/core/msgtype.h).
 *
 * Every message starts with its type byte; integers are little-endian
 * (protocol/core/codec.h). Layouts:
 *
 *   HELLO     : type | flags u8           (bit 0: an answer to a HELLO)
 *   GOODBYE   : type | code u8 | addrs    (code: p2p_bye_code)
 *   PING, PONG: type | seq u64 | sent_ns i64 | distance u32
 *               | u16 count | count x beat u32
 *               (PONG: seq and sent_ns echo the PING; distance and beats
 *               are the sender's own)
 *   GET_PEERS : type
 *   PEERS     : type | addrs
 *   GOSSIP    : type | scope u8 | inner message (the rest, >= 1 byte)
 *   IHAVE,
 *   IWANT     : type | u16 count | count x id (16 bytes), count >= 1
 *
 *   addrs     = u16 count | count x node id u32
 *
 * Decoders take untrusted bytes: every count is checked against its
 * P2P_*_MAX bound before anything is read, trailing bytes, unknown flag
 * bits, codes and scopes are rejected, and a gossip envelope may not carry
 * another p2p message. Decoders allocate nothing: variable parts (beats,
 * ids) are borrowed views into the received bytes. */
#ifndef AITBC_PROTOCOL_P2P_MSG_H
#define AITBC_PROTOCOL_P2P_MSG_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/core/env.h"

#define P2P_ID_SIZE 16
#define P2P_ADDRS_MAX 32        /* addresses in one PEERS or GOODBYE */
#define P2P_IDS_MAX 64          /* ids in one IHAVE or IWANT */
#define P2P_BEATS_MAX 4096      /* validators in a heartbeat vector */
#define P2P_HELLO_ACK 0x01u

/* A gossip message's id: the first 16 bytes of the BLAKE2b hash of the
 * message it carries, computed by whoever holds the message. */
typedef struct p2p_id {
    uint8_t bytes[P2P_ID_SIZE];
} p2p_id;

/* Why a GOODBYE was said (on the wire: never renumber). */
typedef enum p2p_bye_code {
    P2P_BYE_LEAVING = 1,      /* the sender leaves the network */
    P2P_BYE_FULL = 2,         /* refused: the sender has no room */
    P2P_BYE_PRUNE = 3,        /* the sender has too many peers */
    P2P_BYE_BANNED = 4,       /* the sender banned the receiver */
    P2P_BYE_UNRESPONSIVE = 5, /* the receiver did not answer pings */
    P2P_BYE_CODE_MAX = 5
} p2p_bye_code;

typedef struct p2p_addrs {
    uint32_t count;
    proto_node_id ids[P2P_ADDRS_MAX];
} p2p_addrs;

typedef struct p2p_goodbye {
    uint8_t code; /* p2p_bye_code */
    p2p_addrs addrs;
} p2p_goodbye;

/* PING and PONG. `beats` borrows the received bytes (beats_count LE u32s;
 * read with p2p_ping_beat); the encoder takes an array instead. */
typedef struct p2p_ping {
    uint64_t seq;
    int64_t sent_ns;
    uint32_t distance;
    uint32_t beats_count;
    const uint8_t *beats;
} p2p_ping;

/* IHAVE and IWANT: `ids` borrows count x 16 bytes of the received bytes. */
typedef struct p2p_ids {
    uint32_t count;
    const uint8_t *ids;
} p2p_ids;

void p2p_id_of(p2p_id *out, const void *data, size_t size);
bool p2p_id_equal(const p2p_id *a, const p2p_id *b);
/* True for the types 32..40 this layer owns. */
bool p2p_msg_is_p2p_type(uint8_t type);
/* True for the mesh's own membership and health traffic (HELLO, GOODBYE,
 * PING, PONG, GET_PEERS, PEERS, IHAVE, IWANT): the p2p types but GOSSIP,
 * which carries another layer's message. */
bool p2p_msg_is_control_type(uint8_t type);

GBytes *p2p_hello_encode(bool ack);
bool p2p_hello_decode(const uint8_t *data, size_t size, bool *ack);

GBytes *p2p_goodbye_encode(const p2p_goodbye *m);
bool p2p_goodbye_decode(const uint8_t *data, size_t size, p2p_goodbye *out);

/* type: PROTO_MSG_P2P_PING or _PONG; beats: beats_count entries. */
GBytes *p2p_ping_encode(uint8_t type, const p2p_ping *m, const uint32_t *beats);
bool p2p_ping_decode(uint8_t type, const uint8_t *data, size_t size, p2p_ping *out);
uint32_t p2p_ping_beat(const p2p_ping *m, uint32_t i);

GBytes *p2p_get_peers_encode(void);
bool p2p_get_peers_decode(const uint8_t *data, size_t size);

GBytes *p2p_peers_encode(const p2p_addrs *m);
bool p2p_peers_decode(const uint8_t *data, size_t size, p2p_addrs *out);

/* [GOSSIP][scope][inner]: the inner message copied once behind a 2-byte
 * header. */
GBytes *p2p_gossip_encode(proto_scope scope, GBytes *inner);
/* On success the inner message is data[P2P_GOSSIP_HEADER_SIZE ..]. */
#define P2P_GOSSIP_HEADER_SIZE 2
bool p2p_gossip_decode(const uint8_t *data, size_t size, proto_scope *scope);
/* The message inside an envelope p2p_gossip_decode accepts (a new
 * reference sharing wire's bytes) and its scope; NULL if wire is not one. */
GBytes *p2p_gossip_open(GBytes *wire, proto_scope *scope);

/* type: PROTO_MSG_P2P_IHAVE or _IWANT; 1 <= count <= P2P_IDS_MAX. */
GBytes *p2p_ids_encode(uint8_t type, const p2p_id *ids, uint32_t count);
bool p2p_ids_decode(uint8_t type, const uint8_t *data, size_t size, p2p_ids *out);
void p2p_ids_get(const p2p_ids *m, uint32_t i, p2p_id *out);

#endif
