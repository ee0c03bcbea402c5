/* One row of the transaction message table (tx_envelope.c): a message
 * type's name, body size, encoder, decoder and value rule. Shared with
 * the files that hold groups of rows (txmsg_market.c, txmsg_multisig.c,
 * txmsg_disputes.c)
 * so the envelope's table stays one list. Internal to protocol/chain.
 *
 * Most bodies have a fixed size. A variable body (a multisig creation's
 * owners, an exec's inner operation) starts with a fixed head that holds
 * every count or kind sizing the rest: the decoder reads the head, asks
 * tail_size how many bytes follow (refusing the message, before reading
 * them, when a count is over its maximum or a kind unknown), then hands
 * get the whole body. */
#ifndef AITBC_PROTOCOL_TXMSG_CODEC_H
#define AITBC_PROTOCOL_TXMSG_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/chain/tx_envelope.h"

/* tail_size's answer for a head the decoder refuses. */
#define TXMSG_TAIL_REFUSED SIZE_MAX

typedef struct txmsg_codec {
    const char *name;
    size_t body_size; /* a fixed body's size; a variable body's head */
    void (*put)(const proto_txmsg *m, uint8_t *out);
    void (*get)(const uint8_t *in, proto_txmsg *m);
    bool (*valid)(const proto_txmsg *m);
    /* Variable bodies only (both NULL for a fixed one): the bytes after
     * the head judged from the head alone (or TXMSG_TAIL_REFUSED), and
     * the whole body size of a message to encode. */
    size_t (*tail_size)(const uint8_t *head);
    size_t (*size_of)(const proto_txmsg *m);
} txmsg_codec;

/* The agent market's rows (txmsg_market.c), indexed by
 * type - PROTO_TXMSG_AGENT_REGISTER. */
extern const txmsg_codec proto_txmsg_market_codecs[PROTO_TXMSG_JOB_CANCEL -
                                                   PROTO_TXMSG_AGENT_REGISTER + 1];
/* The multisig module's rows (txmsg_multisig.c), indexed by
 * type - PROTO_TXMSG_MULTISIG_CREATE. */
extern const txmsg_codec proto_txmsg_multisig_codecs[PROTO_TXMSG_MULTISIG_APPROVE -
                                                     PROTO_TXMSG_MULTISIG_CREATE + 1];
/* The disputes module's rows (txmsg_disputes.c), indexed by
 * type - PROTO_TXMSG_DISPUTE_DEFEND. */
extern const txmsg_codec proto_txmsg_disputes_codecs[PROTO_TXMSG_DISPUTE_APPEAL -
                                                     PROTO_TXMSG_DISPUTE_DEFEND + 1];

#endif
