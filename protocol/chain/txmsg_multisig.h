/* The multisig messages' bodies, their inner operations and the hash
 * owners approve (protocol/modules/multisig/multisig.h says what they
 * do; tx_envelope.h has the wire layout; txmsg_multisig.c the codecs).
 *
 * MULTISIG_EXEC carries one inner operation (a type byte and a body of
 * the type's fixed size) and nothing else: no signatures. The owners
 * consent beforehand, each with a MULTISIG_APPROVE it sends from its own
 * account (Safe's approveHash), whose transaction signature is the
 * owner's signature; the approval names the operation by its hash. So
 * the envelope holds no one's signature but its sender's, and no message
 * is larger than the slot every decoded message already has. The set of
 * operations is meant to grow (releasing a job's escrow, approving an
 * upgrade): a new operation is a type number, a member of
 * proto_multisig_op, one codec row in txmsg_multisig.c and one rule row
 * in the module; PROTO_MULTISIG_OP_BODY_MAX follows the largest.
 *
 * The operation hash, as Safe's transaction hash does, commits to the
 * chain, the multisig, its nonce and the operation:
 *
 *   BLAKE2b-256("aitbc-multisig" | chain_id u64 | multisig u32 |
 *               nonce u64 | op type u8 | op body)
 *
 * (proto_multisig_op_hash: clients compute it to approve, the module to
 * execute). The tag keeps it apart from a transaction's signing hash
 * ("aitbc-tx2"). */
#ifndef AITBC_PROTOCOL_TXMSG_MULTISIG_H
#define AITBC_PROTOCOL_TXMSG_MULTISIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/core/crypto.h"

/* Owners one multisig may have. 15 because a decoded message is held in
 * a union slot as large as its largest member, and every envelope has 8
 * of them: a creation (threshold, count and 15 u32 owners) is 64 bytes,
 * as JOB_POST is, while 16 owners would make it 68 and every envelope,
 * a plain transfer's too, 64 bytes larger (tx_envelope.c asserts it). */
#define PROTO_MULTISIG_OWNERS_MAX 15u

typedef enum proto_multisig_op_type {
    PROTO_MULTISIG_OP_TRANSFER = 1,         /* tokens out of the multisig to an account */
    PROTO_MULTISIG_OP_ADD_OWNER = 2,        /* Safe's addOwnerWithThreshold */
    PROTO_MULTISIG_OP_REMOVE_OWNER = 3,     /* Safe's removeOwner */
    PROTO_MULTISIG_OP_CHANGE_THRESHOLD = 4, /* Safe's changeThreshold */
    PROTO_MULTISIG_OP_JOB_SETTLE = 5,       /* settle the guarded job the multisig guards
                                             * (protocol/modules/jobs/jobs.h) */
    PROTO_MULTISIG_OP_UPGRADE = 6,          /* plan a module upgrade, as the upgrade
                                             * authority (protocol/modules/upgrade/) */
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
        struct {
            uint64_t job;    /* the job's id */
            uint8_t release; /* 1: pay the provider; 0: refund the consumer */
        } job_settle;        /* JOB_SETTLE */
        struct {
            uint8_t module;   /* the module's id */
            uint16_t version; /* the version it moves to, > 0 */
            uint64_t height;  /* the block that activates it */
        } upgrade;            /* UPGRADE */
    };
} proto_multisig_op;

/* Wire sizes: an operation's largest body (TRANSFER: to u32, amount u64);
 * the fixed head of a CREATE (threshold u8, owner count u8), where the
 * count that sizes the rest is, and of an EXEC (multisig u32, nonce u64,
 * op type u8), where the type that sizes the operation's body is; an
 * APPROVE (multisig u32, nonce u64, op_hash[32]). */
#define PROTO_MULTISIG_OP_BODY_MAX (4 + 8)
#define PROTO_MULTISIG_CREATE_HEAD_SIZE 2
#define PROTO_MULTISIG_EXEC_HEAD_SIZE (4 + 8 + 1)
#define PROTO_MULTISIG_CREATE_BODY_MAX                                                             \
    (PROTO_MULTISIG_CREATE_HEAD_SIZE + 4 * PROTO_MULTISIG_OWNERS_MAX)
#define PROTO_MULTISIG_EXEC_BODY_MAX (PROTO_MULTISIG_EXEC_HEAD_SIZE + PROTO_MULTISIG_OP_BODY_MAX)
#define PROTO_MULTISIG_APPROVE_BODY_SIZE (4 + 8 + PROTO_HASH_SIZE)

/* The message bodies (members of proto_txmsg, tx_envelope.h). Slots past
 * a count are zero in a decoded message. */
typedef struct proto_multisig_create_msg {
    uint8_t threshold;                          /* approvals an EXEC needs */
    uint8_t owners_count;                       /* <= PROTO_MULTISIG_OWNERS_MAX */
    uint32_t owners[PROTO_MULTISIG_OWNERS_MAX]; /* account indices, any order */
} proto_multisig_create_msg;

typedef struct proto_multisig_exec_msg {
    uint32_t multisig; /* its id */
    uint64_t nonce;    /* the multisig's current nonce */
    proto_multisig_op op;
} proto_multisig_exec_msg;

typedef struct proto_multisig_deposit_msg {
    uint32_t multisig; /* its id */
    uint64_t amount;   /* base units from the sender's balance, > 0 */
} proto_multisig_deposit_msg;

/* The sender, an owner, approves the operation whose hash is op_hash
 * (proto_multisig_op_hash at this nonce) for the multisig's current
 * nonce. */
typedef struct proto_multisig_approve_msg {
    uint32_t multisig;  /* its id */
    uint64_t nonce;     /* the multisig's current nonce */
    proto_hash op_hash; /* any 32 bytes; only the operation's own hash is ever executed */
} proto_multisig_approve_msg;

/* "transfer", "add_owner", "remove_owner", "change_threshold", "job_settle",
 * "upgrade";
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

/* The hash owners approve to run op at `nonce` on multisig `multisig`
 * of chain `chain_id` (above). */
void proto_multisig_op_hash(uint64_t chain_id, uint32_t multisig, uint64_t nonce,
                            const proto_multisig_op *op, proto_hash *out);

#endif
