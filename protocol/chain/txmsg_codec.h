/* One row of the transaction message table (tx_envelope.c): a message
 * type's name, fixed body size, encoder, decoder and value rule. Shared
 * with the files that hold groups of rows (txmsg_market.c) so the
 * envelope's table stays one list. Internal to protocol/chain. */
#ifndef AITBC_PROTOCOL_TXMSG_CODEC_H
#define AITBC_PROTOCOL_TXMSG_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/chain/tx_envelope.h"

typedef struct txmsg_codec {
    const char *name;
    size_t body_size;
    void (*put)(const proto_txmsg *m, uint8_t *out);
    void (*get)(const uint8_t *in, proto_txmsg *m);
    bool (*valid)(const proto_txmsg *m);
} txmsg_codec;

/* The agent market's rows (txmsg_market.c), indexed by
 * type - PROTO_TXMSG_AGENT_REGISTER. */
extern const txmsg_codec proto_txmsg_market_codecs[PROTO_TXMSG_JOB_CANCEL -
                                                   PROTO_TXMSG_AGENT_REGISTER + 1];

#endif
