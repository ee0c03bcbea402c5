/* Transaction envelope, version 2: one signed envelope around 1 to
 * PROTO_TXENV_MESSAGES_MAX typed messages.
 *
 * The envelope carries what every message shares (Cosmos SDK's AuthInfo
 * and TxBody, EIP-1559's fee fields): the chain id, the sender's public
 * key (the signer), the sender's nonce, the gas limit, max_fee_per_gas and
 * max_priority_fee_per_gas (fee_market.h says what they mean). The
 * messages are typed; the first types are a transfer and the two
 * validator operations (protocol/modules/validator/validator.h):
 *
 *   TRANSFER    to u32 (account index) | amount u64 (> 0)
 *   UNJAIL      validator u32
 *   ROTATE_KEY  validator u32 | new_key[32] (not all zero)
 *
 * and the staking messages (protocol/modules/staking/staking.h, Cosmos
 * x/staking's Msg service), amounts u64 > 0, commission rates 18-decimal
 * fixed point (10^18 is a rate of one) as u64:
 *
 *   CREATE_VALIDATOR  validator u32 | self_bond u64 | rate u64 |
 *                     max_rate u64 | max_change_rate u64
 *                     (max_rate <= 10^18, rate <= max_rate,
 *                     max_change_rate <= max_rate: Commission.Validate)
 *   EDIT_VALIDATOR    validator u32 | rate u64 (<= 10^18)
 *   DELEGATE          validator u32 | amount u64
 *   UNDELEGATE        validator u32 | amount u64
 *   REDELEGATE        src u32 | dst u32 | amount u64
 *   CANCEL_UNBONDING  validator u32 | amount u64 | creation_height u64 (> 0)
 *
 * and the distribution messages (protocol/modules/distribution/
 * distribution.h, Cosmos x/distribution's Msg service):
 *
 *   WITHDRAW_REWARDS     validator u32  (the sender's delegation rewards)
 *   WITHDRAW_COMMISSION  validator u32  (its operator's commission)
 *
 * and the agent market's (protocol/modules/registry/registry.h and
 * protocol/modules/jobs/jobs.h; txmsg_market.c has their codecs). A job
 * is named by a u64 the consumer picks: its account index in the high 32
 * bits, its own job sequence number (> 0, increasing) in the low 32:
 *
 *   AGENT_REGISTER    capabilities u32 | capacity u32 | price u64 |
 *                     bond u64 (> 0) | msg_key[32] (X25519, not all zero)
 *                     (capabilities 0 is a consumer: capacity 0, price 0;
 *                     a provider has capacity > 0 and price > 0)
 *   AGENT_HEARTBEAT   seq u64 (> 0)
 *   AGENT_UPDATE      capabilities u32 | capacity u32 | price u64 (as REGISTER)
 *   AGENT_DEREGISTER  seq u64 (> 0)
 *   JOB_POST          job u64 | provider u32 | capability u32 (< 32) |
 *                     payment u64 (> 0) | deadline_ms u32 (> 0) |
 *                     input_hash[32]
 *   JOB_ACCEPT, JOB_DECLINE, JOB_CANCEL, JOB_REJECT   job u64
 *   JOB_RESULT        job u64 | result_hash[32]
 *   JOB_CONFIRM       job u64 | score u8 (<= 100)
 *
 * and the multisig module's (protocol/modules/multisig/multisig.h;
 * txmsg_multisig.h has the bodies and inner operations, txmsg_multisig.c
 * the codecs). CREATE's and EXEC's bodies vary in size: a count or a
 * kind comes first and the decoder judges it (an owner count at most
 * PROTO_MULTISIG_OWNERS_MAX, a known operation) before reading what it
 * sizes:
 *
 *   MULTISIG_CREATE   threshold u8 | owners_count u8 | owners_count x
 *                     owner u32
 *   MULTISIG_EXEC     multisig u32 | nonce u64 | op_type u8 | op body
 *                     op bodies: TRANSFER to u32 | amount u64 (> 0);
 *                     ADD_OWNER, REMOVE_OWNER owner u32 | threshold u8;
 *                     CHANGE_THRESHOLD threshold u8
 *   MULTISIG_DEPOSIT  multisig u32 | amount u64 (> 0)
 *   MULTISIG_APPROVE  multisig u32 | nonce u64 | op_hash[32]
 *
 * and the disputes module's (protocol/modules/disputes/disputes.h;
 * txmsg_disputes.h has the bodies and the vote commitment), all fixed:
 *
 *   DISPUTE_DEFEND    job u64
 *   DISPUTE_VERDICT   job u64 | ruling u8 (1 consumer, 2 provider)
 *   DISPUTE_COMMIT    job u64 | round u8 (>= 1) | commitment[32]
 *   DISPUTE_REVEAL    job u64 | round u8 (>= 1) | ruling u8 (1, 2) | salt[32]
 *   DISPUTE_APPEAL    job u64 | round u8
 *
 * No message carries anyone's signature but the envelope's own: an
 * owner approves an operation with a MULTISIG_APPROVE it sends itself
 * (Safe's approveHash), so the envelope's signature is the owner's.
 *
 * Wire (little-endian, protocol/core/codec.h conventions; no lengths
 * except the message count and the owner count in a multisig creation,
 * since every other field has a fixed size):
 *
 *   version u8 (= 2) | chain_id u64 | sender[32] | nonce u64 |
 *   gas_limit u64 | max_fee_per_gas u64 | max_priority_fee_per_gas u64 |
 *   message_count u16 | message_count x (type u8 | body) | sig[64]
 *
 * The signature is Ed25519 by the sender over BLAKE2b-256("aitbc-tx2" |
 * every byte before sig): the tag separates it from every other signed
 * message (v1 transactions sign "aitbc-tx"), and the chain id is inside.
 *
 * Decoding is for hostile bytes and canonical: every field has one
 * encoding, so a decoded envelope encodes back to exactly its input. It
 * never allocates, never reads past the input, does the same amount of
 * work for any message count above the maximum (it reads the count and
 * stops), and either fills its output completely or leaves it untouched.
 * A refusal names its reason (proto_txenv_result), for counting. The
 * signature is not checked by the decoder (proto_txenv_verify does, once
 * the cheap checks passed). */
#ifndef AITBC_PROTOCOL_TX_ENVELOPE_H
#define AITBC_PROTOCOL_TX_ENVELOPE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/chain/gas.h"
#include "protocol/chain/txmsg_disputes.h"
#include "protocol/chain/txmsg_multisig.h"
#include "protocol/core/codec.h"
#include "protocol/core/crypto.h"

#define PROTO_TXENV_VERSION 2
/* Messages one transaction may carry. Decoded envelopes are held by
 * value (in pools and blocks), so the bound is also their size; a client
 * with more to say sends several transactions. */
#define PROTO_TXENV_MESSAGES_MAX 8
/* Bytes before the messages, and of the message count's smallest and
 * largest valid envelopes. */
#define PROTO_TXENV_HEADER_SIZE (1 + 8 + PROTO_PUBKEY_SIZE + 8 + 8 + 8 + 8 + 2)
/* The largest message on the wire: a MULTISIG_CREATE with the most
 * owners, 63 bytes (JOB_POST's 61 were the largest before it). Only the
 * wire grows; decoded, the creation fits in JOB_POST's slot
 * (txmsg_multisig.h). */
#define PROTO_TXENV_MESSAGE_SIZE_MAX (1 + PROTO_MULTISIG_CREATE_BODY_MAX)
#define PROTO_TXENV_WIRE_SIZE_MAX                                                              \
    (PROTO_TXENV_HEADER_SIZE + PROTO_TXENV_MESSAGES_MAX * PROTO_TXENV_MESSAGE_SIZE_MAX +       \
     PROTO_SIG_SIZE)
/* The smallest valid envelope: one UNJAIL (type byte and a u32). */
#define PROTO_TXENV_WIRE_SIZE_MIN (PROTO_TXENV_HEADER_SIZE + 1 + 4 + PROTO_SIG_SIZE)

typedef enum proto_txmsg_type {
    PROTO_TXMSG_TRANSFER = 1,
    PROTO_TXMSG_UNJAIL = 2,
    PROTO_TXMSG_ROTATE_KEY = 3,
    PROTO_TXMSG_CREATE_VALIDATOR = 4,
    PROTO_TXMSG_EDIT_VALIDATOR = 5,
    PROTO_TXMSG_DELEGATE = 6,
    PROTO_TXMSG_UNDELEGATE = 7,
    PROTO_TXMSG_REDELEGATE = 8,
    PROTO_TXMSG_CANCEL_UNBONDING = 9,
    PROTO_TXMSG_WITHDRAW_REWARDS = 10,
    PROTO_TXMSG_WITHDRAW_COMMISSION = 11,
    PROTO_TXMSG_AGENT_REGISTER = 12,
    PROTO_TXMSG_AGENT_HEARTBEAT = 13,
    PROTO_TXMSG_AGENT_UPDATE = 14,
    PROTO_TXMSG_AGENT_DEREGISTER = 15,
    PROTO_TXMSG_JOB_POST = 16,
    PROTO_TXMSG_JOB_ACCEPT = 17,
    PROTO_TXMSG_JOB_DECLINE = 18,
    PROTO_TXMSG_JOB_RESULT = 19,
    PROTO_TXMSG_JOB_CONFIRM = 20,
    PROTO_TXMSG_JOB_REJECT = 21,
    PROTO_TXMSG_JOB_CANCEL = 22,
    PROTO_TXMSG_MULTISIG_CREATE = 23,
    PROTO_TXMSG_MULTISIG_EXEC = 24,
    PROTO_TXMSG_MULTISIG_DEPOSIT = 25,
    PROTO_TXMSG_MULTISIG_APPROVE = 26,
    PROTO_TXMSG_DISPUTE_DEFEND = 27,
    PROTO_TXMSG_DISPUTE_VERDICT = 28,
    PROTO_TXMSG_DISPUTE_COMMIT = 29,
    PROTO_TXMSG_DISPUTE_REVEAL = 30,
    PROTO_TXMSG_DISPUTE_APPEAL = 31,
} proto_txmsg_type;

/* Capabilities a chain can name (bits of a u32 mask). */
#define PROTO_TXMSG_CAPABILITIES_MAX 32u
/* The largest confirmation score (ERC-8004's MAX_SCORE). */
#define PROTO_TXMSG_SCORE_MAX 100u
/* A job's id: the consumer's account and its own sequence number. */
#define PROTO_JOB_ID(consumer, seq) (((uint64_t)(consumer) << 32) | (uint32_t)(seq))
#define PROTO_JOB_CONSUMER(job) ((uint32_t)((job) >> 32))
#define PROTO_JOB_SEQ(job) ((uint32_t)(job))

/* A commission rate of one on the wire (18-decimal fixed point). */
#define PROTO_TXMSG_RATE_ONE 1000000000000000000ULL

/* One message; `type` says which member of the union is meant. */
typedef struct proto_txmsg {
    uint8_t type; /* proto_txmsg_type */
    union {
        struct {
            uint32_t to;     /* recipient account index */
            uint64_t amount; /* base units, > 0 */
        } transfer;
        struct {
            uint32_t validator;
        } unjail;
        struct {
            uint32_t validator;
            proto_pubkey new_key; /* not all zero */
        } rotate_key;
        struct {
            uint32_t validator;       /* a genesis candidate the sender operates */
            uint64_t self_bond;       /* base units, > 0 */
            uint64_t rate;            /* x 10^-18, <= max_rate */
            uint64_t max_rate;        /* x 10^-18, <= PROTO_TXMSG_RATE_ONE */
            uint64_t max_change_rate; /* x 10^-18 per day, <= max_rate */
        } create_validator;
        struct {
            uint32_t validator;
            uint64_t rate; /* x 10^-18, <= PROTO_TXMSG_RATE_ONE */
        } edit_validator;
        struct {
            uint32_t validator;
            uint64_t amount; /* base units, > 0 */
        } delegate;          /* DELEGATE and UNDELEGATE */
        struct {
            uint32_t src;
            uint32_t dst;
            uint64_t amount; /* base units, > 0 */
        } redelegate;
        struct {
            uint32_t validator;
            uint64_t amount;          /* base units, > 0 */
            uint64_t creation_height; /* the entry's, > 0 */
        } cancel_unbonding;
        struct {
            uint32_t validator;
        } withdraw; /* WITHDRAW_REWARDS and WITHDRAW_COMMISSION */
        struct {
            uint32_t capabilities; /* mask; 0: a consumer */
            uint32_t capacity;     /* jobs at once; 0 for a consumer */
            uint64_t price;        /* base units per reference second; 0 for a consumer */
            uint64_t bond;         /* base units locked, > 0 (0 in AGENT_UPDATE) */
            proto_pubkey msg_key;  /* X25519 public key (REGISTER only) */
        } agent;                   /* AGENT_REGISTER and AGENT_UPDATE */
        struct {
            uint64_t seq; /* > 0, above the agent's last */
        } agent_seq;      /* AGENT_HEARTBEAT and AGENT_DEREGISTER */
        struct {
            uint64_t job;         /* PROTO_JOB_ID(sender, seq) */
            uint32_t provider;    /* account index of a registered provider */
            uint32_t capability;  /* bit index, < PROTO_TXMSG_CAPABILITIES_MAX */
            uint64_t payment;     /* base units the provider gets, > 0 */
            uint32_t deadline_ms; /* result due this long after acceptance, > 0 */
            proto_hash input_hash; /* commitment to the sealed input */
        } job_post;
        struct {
            uint64_t job;
        } job; /* JOB_ACCEPT, JOB_DECLINE, JOB_REJECT, JOB_CANCEL */
        struct {
            uint64_t job;
            proto_hash result_hash; /* commitment to the sealed result */
        } job_result;
        struct {
            uint64_t job;
            uint8_t score; /* 0..PROTO_TXMSG_SCORE_MAX */
        } job_confirm;
        proto_multisig_create_msg multisig_create;
        proto_multisig_exec_msg multisig_exec;
        proto_multisig_deposit_msg multisig_deposit;
        proto_multisig_approve_msg multisig_approve;
        proto_dispute_defend_msg dispute_defend;
        proto_dispute_verdict_msg dispute_verdict;
        proto_dispute_commit_msg dispute_commit;
        proto_dispute_reveal_msg dispute_reveal;
        proto_dispute_appeal_msg dispute_appeal;
    };
} proto_txmsg;

/* Stable name of a message type ("transfer", ...; "unknown" otherwise). */
const char *proto_txmsg_type_name(uint8_t type);

/* The job a JOB_* or DISPUTE_* message names (in *job), or false for any
 * other type. */
bool proto_txmsg_job_of(const proto_txmsg *m, uint64_t *job);

typedef struct proto_txenv {
    uint64_t chain_id;
    proto_pubkey sender;               /* signs the envelope */
    uint64_t nonce;                    /* the sender's next nonce */
    uint64_t gas_limit;                /* gas bought; > 0, <= the block gas limit */
    uint64_t max_fee_per_gas;          /* base units per gas, base fee included */
    uint64_t max_priority_fee_per_gas; /* base units per gas; <= max_fee_per_gas */
    uint16_t message_count;            /* 1..PROTO_TXENV_MESSAGES_MAX */
    proto_txmsg messages[PROTO_TXENV_MESSAGES_MAX];
    proto_sig sig;
} proto_txenv;

/* Why bytes are not an acceptable envelope. Structural reasons come
 * first, in wire order; then the rules on the decoded values, in the
 * order of the enum. The first that applies is reported. */
typedef enum proto_txenv_result {
    PROTO_TXENV_OK = 0,
    PROTO_TXENV_TRUNCATED,          /* the input ends inside a field */
    PROTO_TXENV_BAD_VERSION,        /* version byte is not PROTO_TXENV_VERSION */
    PROTO_TXENV_NO_MESSAGES,        /* message count 0 */
    PROTO_TXENV_TOO_MANY_MESSAGES,  /* message count over PROTO_TXENV_MESSAGES_MAX */
    PROTO_TXENV_UNKNOWN_MESSAGE,    /* a message type with no decoder */
    PROTO_TXENV_BAD_MESSAGE,        /* a known message with an invalid value */
    PROTO_TXENV_TRAILING_BYTES,     /* bytes after the signature */
    PROTO_TXENV_WRONG_CHAIN,        /* chain id is not this chain's */
    PROTO_TXENV_ZERO_GAS,           /* gas limit 0 */
    PROTO_TXENV_GAS_OVER_BLOCK_LIMIT,
    PROTO_TXENV_TIP_ABOVE_FEE_CAP,  /* max priority fee > max fee */
    PROTO_TXENV_FEE_OVERFLOW,       /* gas_limit * max_fee_per_gas overflows u64 */
    PROTO_TXENV_GAS_BELOW_INTRINSIC,/* gas limit under the bytes + signature cost */
    PROTO_TXENV_BAD_SIGNATURE,      /* proto_txenv_verify failed (not a decoder result) */
    PROTO_TXENV_RESULT_COUNT
} proto_txenv_result;

/* Stable name of a result ("ok", "truncated", ...), for metrics. */
const char *proto_txenv_result_name(proto_txenv_result r);

/* What the decoder checks values against: this chain's parameters. */
typedef struct proto_txenv_limits {
    uint64_t chain_id;
    uint64_t block_gas_limit;            /* no transaction may buy more gas than a block holds */
    const proto_gas_schedule *schedule;  /* intrinsic gas floor; NULL skips that check */
} proto_txenv_limits;

/* Encoded size of env (asserts a valid message count and known types). */
size_t proto_txenv_wire_size(const proto_txenv *env);
/* Appends the wire encoding (asserts as above: encoding is for envelopes
 * we built). */
void proto_txenv_encode(const proto_txenv *env, proto_writer *w);
/* Decode data[0..size): PROTO_TXENV_OK and *out filled, or a refusal and
 * *out untouched. limits NULL checks the structure only (what a block's
 * decoder can know; the chain's rules are checked where it executes).
 * Never allocates. */
proto_txenv_result proto_txenv_decode(const uint8_t *data, size_t size,
                                      const proto_txenv_limits *limits, proto_txenv *out);
/* One envelope from a stream of them (a block's transactions), structure
 * only: on OK *out is filled and *wire_size_out (may be NULL) gets its
 * encoded size; on a refusal the reader is latched failed. */
proto_txenv_result proto_txenv_read(proto_reader *r, proto_txenv *out, size_t *wire_size_out);
/* The rules on decoded values (chain id, gas and fee fields, intrinsic
 * gas) for an envelope of wire_size bytes: what proto_txenv_decode adds
 * to the structure when given limits. */
proto_txenv_result proto_txenv_check(const proto_txenv *env, size_t wire_size,
                                     const proto_txenv_limits *limits);

/* A whole TX gossip message: type byte PROTO_MSG_TX, then one envelope,
 * nothing after (the format every consensus module shares). A wrong type
 * byte is reported as BAD_VERSION, an empty message as TRUNCATED. */
GBytes *proto_txenv_msg_encode(const proto_txenv *env);
proto_txenv_result proto_txenv_msg_decode(GBytes *wire, const proto_txenv_limits *limits,
                                          proto_txenv *out);

/* The 32-byte digest the sender signs. */
void proto_txenv_signing_hash(const proto_txenv *env, proto_hash *out);
void proto_txenv_sign(proto_txenv *env, proto_crypto *c, const proto_keypair *kp);
bool proto_txenv_verify(const proto_txenv *env, proto_crypto *c);
/* BLAKE2b-256 of the full encoding, signature included: the tx id. */
void proto_txenv_hash(const proto_txenv *env, proto_hash *out);

#endif
