/* PoA wire messages: encoding and bounds-checked decoding.
 *
 * Every message starts with its type byte (protocol/core/msgtype.h).
 *   TX          : type | tx
 *   BLOCK       : type | block
 *   GET_BLOCKS  : type | from_height u64 | count u32
 *   BLOCKS      : type | count u32 | count x (u32 length | block)
 * Blocks inside BLOCK and BLOCKS are handed out as slices of the received
 * GBytes (no copy): many nodes receive the same buffer, and keeping slices
 * of it keeps memory shared. */
#ifndef AITBC_PROTOCOL_POA_MSG_H
#define AITBC_PROTOCOL_POA_MSG_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocol/chain/block.h"
#include "protocol/chain/tx_envelope.h"

/* Bounds on what a peer may ask for or send. */
#define POA_SYNC_BLOCKS_MAX 128u

GBytes *poa_msg_tx_encode(const proto_txenv *tx);
GBytes *poa_msg_block_encode(const proto_block *b);
GBytes *poa_msg_get_blocks_encode(uint64_t from_height, uint32_t count);
/* bodies: GBytes* block encodings (no type byte), at most POA_SYNC_BLOCKS_MAX. */
GBytes *poa_msg_blocks_encode(GPtrArray *bodies);

/* Type byte of a message; 0 for an empty one. */
uint8_t poa_msg_type(GBytes *wire);

/* A TX message whose envelope meets limits (tx_envelope.h). */
proto_txenv_result poa_msg_tx_decode(GBytes *wire, const proto_txenv_limits *limits,
                                     proto_txenv *out);
/* Returns a new reference to the block encoding inside wire (no copy). */
GBytes *poa_msg_block_body(GBytes *wire);
bool poa_msg_get_blocks_decode(GBytes *wire, uint64_t *from_height, uint32_t *count);
/* Appends new references to each block encoding inside wire to out;
 * false (and out unchanged) if malformed. */
bool poa_msg_blocks_decode(GBytes *wire, GPtrArray *out);

#endif
