/* The multisig messages' bodies, their inner operations and what an
 * owner signs (protocol/modules/multisig/multisig.h says what they do;
 * tx_envelope.h has the wire layout; txmsg_multisig.c the codecs).
 *
 * MULTISIG_EXEC carries one inner operation (a type byte and a body of
 * the type's fixed size) and the owners' signatures (proto_multisig_sigs,
 * which the envelope holds, below). The set of operations is meant to grow (releasing a job's
 * escrow, approving an upgrade): a new operation is a type number, a
 * member of proto_multisig_op, one codec row in txmsg_multisig.c and one
 * rule row in the module; PROTO_MULTISIG_OP_BODY_MAX follows the largest.
 *
 * What an owner signs, as Safe's transaction hash does, commits to the
 * chain, the multisig, its nonce and the operation:
 *
 *   BLAKE2b-256("aitbc-multisig" | chain_id u64 | multisig u32 |
 *               nonce u64 | op type u8 | op body)
 *
 * signed with the owner account's key through proto_sign (Ed25519, or the
 * fast stand-in when the run's crypto is fast). The tag keeps it apart
 * from a transaction's signing hash ("aitbc-tx2"), so no signature can
 * serve as both. */
#ifndef AITBC_PROTOCOL_TXMSG_MULTISIG_H
#define AITBC_PROTOCOL_TXMSG_MULTISIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/core/crypto.h"

/* Owners one multisig may have, and so signatures one EXEC may carry
 * (each signer is a distinct owner). */
#define PROTO_MULTISIG_OWNERS_MAX 16u

typedef enum proto_multisig_op_type {
    PROTO_MULTISIG_OP_TRANSFER = 1,         /* tokens out of the multisig to an account */
    PROTO_MULTISIG_OP_ADD_OWNER = 2,        /* Safe's addOwnerWithThreshold */
    PROTO_MULTISIG_OP_REMOVE_OWNER = 3,     /* Safe's removeOwner */
    PROTO_MULTISIG_OP_CHANGE_THRESHOLD = 4, /* Safe's changeThreshold */
    PROTO_MULTISIG_OP_TYPE_END              /* one past the last */
} proto_multisig_op_type;

/* One inner operation; `type` says which member is meant. */
typedef struct proto_multisig_op {
    uint8_t type; /* proto_multisig_op_type */
    union {
        struct {
            uint32_t to;     /* recipient account index */
            uint64_t amount; /* base units, > 0 */
        } transfer;
        struct {
            uint32_t owner;    /* account index */
            uint8_t threshold; /* the threshold after the change */
        } owner;               /* ADD_OWNER and REMOVE_OWNER */
        struct {
            uint8_t threshold;
        } threshold; /* CHANGE_THRESHOLD */
    };
} proto_multisig_op;

/* Wire sizes: an operation's largest body (TRANSFER: to u32, amount u64);
 * the fixed head of a CREATE (threshold u8, owner count u8), where the
 * count that sizes the rest is, and of an EXEC (multisig u32, nonce u64,
 * op type u8), where the type that sizes the operation's body is; one
 * signature entry (signer u32, sig[64]) and the largest signature block
 * (count u8 and the entries). */
#define PROTO_MULTISIG_OP_BODY_MAX (4 + 8)
#define PROTO_MULTISIG_CREATE_HEAD_SIZE 2
#define PROTO_MULTISIG_EXEC_HEAD_SIZE (4 + 8 + 1)
#define PROTO_MULTISIG_SIGNER_SIZE (4 + PROTO_SIG_SIZE)
#define PROTO_MULTISIG_CREATE_BODY_MAX                                                             \
    (PROTO_MULTISIG_CREATE_HEAD_SIZE + 4 * PROTO_MULTISIG_OWNERS_MAX)
#define PROTO_MULTISIG_EXEC_BODY_MAX (PROTO_MULTISIG_EXEC_HEAD_SIZE + PROTO_MULTISIG_OP_BODY_MAX)
#define PROTO_MULTISIG_SIGS_SIZE_MAX (1 + PROTO_MULTISIG_OWNERS_MAX * PROTO_MULTISIG_SIGNER_SIZE)

/* The message bodies (members of proto_txmsg, tx_envelope.h). Slots past
 * a count are zero in a decoded message. */
typedef struct proto_multisig_create_msg {
    uint8_t threshold;                          /* signatures an EXEC needs */
    uint8_t owners_count;                       /* <= PROTO_MULTISIG_OWNERS_MAX */
    uint32_t owners[PROTO_MULTISIG_OWNERS_MAX]; /* account indices, any order */
} proto_multisig_create_msg;

typedef struct proto_multisig_exec_msg {
    uint32_t multisig; /* its id */
    uint64_t nonce;    /* the multisig's current nonce */
    proto_multisig_op op;
} proto_multisig_exec_msg;

/* The owners' signatures an EXEC carries. On the wire they follow the
 * EXEC's body; decoded, the envelope holds them (proto_txenv.cosigs), not
 * the message. Every decoded envelope is held by value (pools, blocks)
 * and a message is as large as the largest: room for 16 signatures in
 * each of 8 messages would make every envelope, a plain transfer's too,
 * about 9 KB instead of 0.7 (measured: 3.6 times the peak memory of
 * scenarios/poa-10v-1000tps.ini). Held once per envelope they cost about
 * 1.1 KB, and an envelope carries at most one EXEC. */
typedef struct proto_multisig_sigs {
    uint8_t count;                               /* <= PROTO_MULTISIG_OWNERS_MAX */
    uint32_t signers[PROTO_MULTISIG_OWNERS_MAX]; /* owner accounts, strictly increasing */
    proto_sig sigs[PROTO_MULTISIG_OWNERS_MAX];   /* sigs[i] by signers[i] */
} proto_multisig_sigs;

typedef struct proto_multisig_deposit_msg {
    uint32_t multisig; /* its id */
    uint64_t amount;   /* base units from the sender's balance, > 0 */
} proto_multisig_deposit_msg;

/* "transfer", "add_owner", "remove_owner", "change_threshold";
 * "unknown" otherwise. */
const char *proto_multisig_op_name(uint8_t type);
/* The body size of operation `type`, or 0 for a type with none. */
size_t proto_multisig_op_body_size(uint8_t type);
/* Whether op holds values no state makes meaningful (an unknown type, a
 * zero amount): the decoder refuses them, the module too. */
bool proto_multisig_op_valid(const proto_multisig_op *op);
/* The operation's bytes (type, body) into out[1 + PROTO_MULTISIG_OP_BODY_MAX];
 * returns how many. Asserts a known type. */
size_t proto_multisig_op_encode(const proto_multisig_op *op, uint8_t *out);

/* What the owners sign to run op at `nonce` on multisig `multisig`. */
void proto_multisig_signing_hash(uint64_t chain_id, uint32_t multisig, uint64_t nonce,
                                 const proto_multisig_op *op, proto_hash *out);
/* An owner's signature over that hash. */
void proto_multisig_sign(proto_crypto *c, uint64_t chain_id, uint32_t multisig, uint64_t nonce,
                         const proto_multisig_op *op, const proto_keypair *owner, proto_sig *out);

#endif
