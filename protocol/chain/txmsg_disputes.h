/* The disputes messages' bodies and the vote commitment arbiters reveal
 * (protocol/modules/disputes/disputes.h says what they do; tx_envelope.h
 * has the wire layout; txmsg_disputes.c the codecs).
 *
 * A dispute is named by its job's id (one dispute per job, ever), and a
 * round by its index: round 0 is tier 1 (re-execution by verifiers),
 * rounds 1.. are tier 2 panels. A ruling is one of proto_ruling.
 *
 * Commit-reveal. An arbiter drawn for a panel first sends the hash of
 * its vote and a secret salt, and reveals both once the commit period is
 * over, so no arbiter can copy another's vote (Kleros' hidden votes):
 *
 *   BLAKE2b-256("aitbc-vote" | chain_id u64 | job u64 | round u8 |
 *               arbiter u32 | ruling u8 | salt[32])
 *
 * (proto_dispute_commitment). The arbiter's account is inside, so one
 * arbiter's commitment cannot be replayed as another's. */
#ifndef AITBC_PROTOCOL_TXMSG_DISPUTES_H
#define AITBC_PROTOCOL_TXMSG_DISPUTES_H

#include <stdbool.h>
#include <stdint.h>

#include "protocol/core/crypto.h"

/* What a dispute can be ruled (Kleros' MultipleArbitrableTransaction:
 * 0 refuse to arbitrate, 1 the buyer wins, 2 the seller wins). */
typedef enum proto_ruling {
    PROTO_RULING_NONE = 0,     /* refused: a tie, or nobody ruled; the escrow is split */
    PROTO_RULING_CONSUMER = 1, /* the result was wrong: refund the consumer */
    PROTO_RULING_PROVIDER = 2, /* the result was right: pay the provider */
    PROTO_RULING_COUNT
} proto_ruling;

/* "none", "consumer", "provider"; "unknown" otherwise. */
const char *proto_ruling_name(uint8_t ruling);

/* Wire sizes of the bodies. */
#define PROTO_DISPUTE_DEFEND_BODY_SIZE 8                         /* job */
#define PROTO_DISPUTE_VERDICT_BODY_SIZE (8 + 1)                  /* job, ruling */
#define PROTO_DISPUTE_COMMIT_BODY_SIZE (8 + 1 + PROTO_HASH_SIZE) /* job, round, commitment */
#define PROTO_DISPUTE_REVEAL_BODY_SIZE (8 + 1 + 1 + PROTO_HASH_SIZE) /* job, round, ruling, salt */
#define PROTO_DISPUTE_APPEAL_BODY_SIZE (8 + 1)                   /* job, round */

/* The message bodies (members of proto_txmsg, tx_envelope.h). */
typedef struct proto_dispute_defend_msg {
    uint64_t job; /* the provider answers the consumer's rejection with its bond */
} proto_dispute_defend_msg;

typedef struct proto_dispute_verdict_msg {
    uint64_t job;
    uint8_t ruling; /* CONSUMER or PROVIDER: what re-executing the job showed */
} proto_dispute_verdict_msg;

typedef struct proto_dispute_commit_msg {
    uint64_t job;
    uint8_t round;         /* >= 1: a panel */
    proto_hash commitment; /* proto_dispute_commitment of the vote */
} proto_dispute_commit_msg;

typedef struct proto_dispute_reveal_msg {
    uint64_t job;
    uint8_t round;   /* >= 1 */
    uint8_t ruling;  /* CONSUMER or PROVIDER */
    proto_hash salt; /* the secret committed to */
} proto_dispute_reveal_msg;

typedef struct proto_dispute_appeal_msg {
    uint64_t job;
    uint8_t round; /* the round whose ruling is appealed (a stale appeal is refused) */
} proto_dispute_appeal_msg;

/* The commitment to a vote (above). */
void proto_dispute_commitment(uint64_t chain_id, uint64_t job, uint8_t round, uint32_t arbiter,
                              uint8_t ruling, const proto_hash *salt, proto_hash *out);

#endif
