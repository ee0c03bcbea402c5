/* Validator operations: transactions a validator signs with its current
 * consensus key to change its own entry in the bonded set.
 *
 *   UNJAIL      (Cosmos MsgUnjail): back into the active set after the
 *               downtime jail period; refused for tombstoned validators.
 *   ROTATE_KEY  replace the consensus key by new_key; it takes effect at
 *               the including height + update_delay, and from then on
 *               messages signed with the old key are rejected.
 *
 * Each carries the validator's operation nonce (proto_validator.op_nonce)
 * so an operation applies at most once and cannot be replayed later. The
 * signature covers "aitbc-valop" | chain_id | every field but sig, and is
 * checked against proto_valset_key_at(validator, including height): the
 * key in effect where the operation lands. Wire (little-endian):
 *
 *   kind u8 | validator u32 | nonce u64 | new_key[32] (zero for UNJAIL) | sig[64]
 *
 * As a gossip message (PROTO_MSG_VALOP) it is the type byte then one
 * operation, nothing after. */
#ifndef AITBC_PROTOCOL_VALOP_H
#define AITBC_PROTOCOL_VALOP_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocol/chain/valset.h"
#include "protocol/core/codec.h"
#include "protocol/core/crypto.h"

typedef enum proto_valop_kind {
    PROTO_VALOP_UNJAIL = 1,
    PROTO_VALOP_ROTATE_KEY = 2,
} proto_valop_kind;

typedef struct proto_valop {
    uint8_t kind;          /* proto_valop_kind */
    uint32_t validator;
    uint64_t nonce;
    proto_pubkey new_key;  /* ROTATE_KEY only; zero otherwise */
    proto_sig sig;
} proto_valop;

#define PROTO_VALOP_WIRE_SIZE (1 + 4 + 8 + PROTO_PUBKEY_SIZE + PROTO_SIG_SIZE)

void proto_valop_sign(proto_valop *op, uint64_t chain_id, proto_crypto *c,
                      const proto_keypair *kp);
bool proto_valop_verify(const proto_valop *op, uint64_t chain_id, proto_crypto *c,
                        const proto_pubkey *pk);

void proto_valop_encode(const proto_valop *op, proto_writer *w);
/* Reads one operation; an unknown kind, or a non-zero new_key on UNJAIL,
 * latches the reader failed. */
void proto_valop_decode(proto_reader *r, proto_valop *out);
GBytes *proto_valop_msg_encode(const proto_valop *op);
bool proto_valop_msg_decode(GBytes *wire, proto_valop *out);

/* Everything but the signature, against the set at block `height`, time
 * now_ns (nonce, jail, rotation rules of valset.h). */
proto_valset_check proto_valop_check(const proto_valop *op, const proto_valset *v,
                                     uint64_t height, int64_t now_ns);

#endif
