/* Signed transfer transactions.
 *
 * Accounts are identified by a dense index fixed at genesis (like Cosmos's
 * account_number); the signer's public key comes from the state, so a tx
 * stays compact (no key on the wire). The signature covers the canonical
 * encoding of every other field, prefixed by a domain tag and chain id so
 * a signature cannot be replayed as another message type or on another
 * chain. */
#ifndef AITBC_PROTOCOL_TX_H
#define AITBC_PROTOCOL_TX_H

#include <stdbool.h>
#include <stdint.h>

#include "protocol/core/codec.h"
#include "protocol/core/crypto.h"

typedef struct proto_tx {
    uint32_t from;       /* sender account index */
    uint32_t to;         /* recipient account index */
    uint64_t amount;     /* base units */
    uint64_t fee;        /* base units, burned in this version */
    uint64_t nonce;      /* sender's nonce: must equal the account's next nonce */
    int64_t submitted_ns;/* client submission time, carried for latency metrics only */
    proto_sig sig;
} proto_tx;

#define PROTO_TX_WIRE_SIZE (4 + 4 + 8 + 8 + 8 + 8 + PROTO_SIG_SIZE)

/* The bytes that are signed: domain tag, chain id and all fields but sig. */
void proto_tx_signing_bytes(const proto_tx *tx, uint64_t chain_id, proto_writer *w);
void proto_tx_sign(proto_tx *tx, uint64_t chain_id, proto_crypto *c, const proto_keypair *kp);
bool proto_tx_verify(const proto_tx *tx, uint64_t chain_id, proto_crypto *c,
                     const proto_pubkey *pk);

void proto_tx_encode(const proto_tx *tx, proto_writer *w);
/* Reads one tx; on malformed input the reader is latched failed. */
void proto_tx_decode(proto_reader *r, proto_tx *tx);
/* A whole TX wire message (type byte PROTO_MSG_TX, then one tx, nothing
 * after): the gossip format every consensus module shares. */
GBytes *proto_tx_msg_encode(const proto_tx *tx);
bool proto_tx_msg_decode(GBytes *wire, proto_tx *out);
/* Hash of the full encoding (including signature): the tx id. */
void proto_tx_hash(const proto_tx *tx, proto_hash *out);

#endif
