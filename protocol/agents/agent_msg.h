/* Sealed agent-to-agent messages: job inputs and results, encrypted end
 * to end and signed, so the network and every other node see ciphertext
 * only (DESIGN.md section 10).
 *
 * Each agent has two keys: its Ed25519 identity (its chain account key,
 * proto_keypair) and an X25519 key for messages, published in the
 * on-chain registry (AGENT_REGISTER's msg_key). A message goes from one
 * account to another about one job.
 *
 * Wire (little-endian, protocol/core/codec.h conventions):
 *
 *   off  0  version u8 (= AGENT_MSG_VERSION)
 *   off  1  kind u8 (agent_msg_kind)
 *   off  2  from u32         sender's account index
 *   off  6  to u32           recipient's account index
 *   off 10  job u64          the job it is about (PROTO_JOB_ID in tx_envelope.h)
 *   off 18  seq u64          sender's sequence number, >= 1 (see "Replay")
 *   off 26  nonce[24]
 *   off 50  ct_size u32      AGENT_MSG_MAC_SIZE .. AGENT_MSG_CIPHERTEXT_MAX
 *   off 54  ciphertext[ct_size]
 *           sig[64]
 *
 * Ciphertext = crypto_box_easy (X25519 + XSalsa20-Poly1305) under the
 * sender's X25519 secret and the recipient's X25519 public key, and sig =
 * the sender's identity signature (proto_sign) over
 *     BLAKE2b-256("aitbc-agent-msg1" || every byte before sig)
 * so no header field can be changed, and the tag keeps this signature
 * from ever being taken for a transaction's or a consensus vote's.
 *
 * Why crypto_box_easy and not crypto_box_seal + signature:
 *  - crypto_box_seal makes an ephemeral key pair with libsodium's own
 *    system RNG inside the call; a run must be a function of its seed, so
 *    every random byte here comes from the caller (DESIGN.md section 3).
 *  - crypto_box authenticates the sender's X25519 key as well as the
 *    recipient's. With an anonymous sealed box under a signature, anyone
 *    could strip the signature, sign the same ciphertext as themselves
 *    and have the recipient attribute the plaintext to them (the
 *    surreptitious-forwarding problem of sign-and-encrypt, D. Davis,
 *    USENIX 2001). Here the box only opens under the X25519 key the
 *    registry lists for the account named in `from`, the same account
 *    whose identity key must have signed: both layers name one sender.
 *  - The signature adds what a box cannot: the header is authenticated
 *    (crypto_box has no associated data), and the message is attributable
 *    to a third party (an arbiter in a dispute can check who sent which
 *    ciphertext against the input_hash a job committed on chain), which
 *    crypto_box's symmetric authenticator is not.
 *
 * Nonce: 24 bytes from the caller's random stream, hashed with
 * (from, to, kind, job, seq) before use: BLAKE2b-192("aitbc-agent-nonce"
 * || random || header). The two directions between two agents share one
 * box key, so a nonce must never repeat across them; folding in the header
 * keeps nonces distinct even if two agents' streams ever coincided.
 *
 * Fast crypto (PROTO_CRYPTO_FAST): signatures go through the proto_crypto
 * context, so they are its keyed-digest stand-in. The box key, which in
 * real mode costs an X25519 scalar multiplication per message and side
 * (crypto_box_beforenm, about as dear as an Ed25519 signature), is then
 * BLAKE2b-256("aitbc-agent-box-fast" || the two public keys, smaller
 * first): the same XSalsa20-Poly1305 and the same wire, bytes still
 * ciphertext on the network and tamper-evident, but readable by code that
 * knows this scheme and both public keys, as fast signatures are forgeable
 * by it. Reports say which mode ran.
 *
 * Replay: the receiver keeps an agent_msg_replay, per sender the highest
 * seq accepted and a 64-message sliding window below it (RFC 4303 section
 * 3.4.3, the IPsec anti-replay window; WireGuard keeps one per session):
 * messages that arrive out of order within the window are accepted once
 * each, a duplicate is REPLAY, anything below the window is STALE. A
 * sender numbers its messages to one recipient strictly increasing from
 * 1; it may use one counter for all its recipients (gaps are fine). The
 * structure survives the agent's crash through its durable store
 * (agent_msg_replay_serialize / _deserialize); an agent stores it after
 * an accepted message and before acting on it, or a crash in between
 * would let that message be replayed once after the restart.
 *
 * What this layer does not check: whether the job exists and whether
 * `from` may speak about it (a JOB_INPUT from the job's consumer to its
 * provider, a JOB_RESULT back). That is chain state; the agent checks it
 * against its view of the jobs module after opening.
 *
 * Opening is for hostile bytes: the decoder is strict (every field has
 * one encoding, no trailing bytes), never reads past the input, and on
 * any refusal leaves the caller's outputs and the replay state untouched.
 * Checks run in the order of agent_msg_result, cheapest first; the first
 * that applies is reported. Only a message that passes every check
 * advances the replay window. */
#ifndef AITBC_PROTOCOL_AGENT_MSG_H
#define AITBC_PROTOCOL_AGENT_MSG_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/core/crypto.h"

#define AGENT_MSG_VERSION 1
#define AGENT_MSG_NONCE_SIZE 24  /* crypto_box_NONCEBYTES */
#define AGENT_MSG_MAC_SIZE 16    /* crypto_box_MACBYTES: ciphertext = plaintext + MAC */
#define AGENT_MSG_X25519_SIZE 32 /* X25519 public and secret keys */
/* The largest ciphertext (64 KiB): a job input or result that needs more
 * is stored elsewhere and named by its hash. */
#define AGENT_MSG_CIPHERTEXT_MAX 65536u
#define AGENT_MSG_PLAINTEXT_MAX (AGENT_MSG_CIPHERTEXT_MAX - AGENT_MSG_MAC_SIZE)
#define AGENT_MSG_HEADER_SIZE (1 + 1 + 4 + 4 + 8 + 8 + AGENT_MSG_NONCE_SIZE + 4)
#define AGENT_MSG_WIRE_SIZE_MIN (AGENT_MSG_HEADER_SIZE + AGENT_MSG_MAC_SIZE + PROTO_SIG_SIZE)
#define AGENT_MSG_WIRE_SIZE_MAX (AGENT_MSG_HEADER_SIZE + AGENT_MSG_CIPHERTEXT_MAX + PROTO_SIG_SIZE)
/* The replay window: how far behind the highest seq a message may arrive. */
#define AGENT_MSG_REPLAY_WINDOW 64u
/* The most senders one receiver's replay state may track. */
#define AGENT_MSG_REPLAY_SENDERS_MAX 4096u

/* What a message carries. Values are wire bytes: never renumber; a new
 * kind takes the next free number (the decoder refuses unknown ones). */
typedef enum agent_msg_kind {
    AGENT_MSG_JOB_INPUT = 1,  /* consumer -> provider: the job's input */
    AGENT_MSG_JOB_RESULT = 2, /* provider -> consumer: the job's result */
    AGENT_MSG_EVIDENCE = 3,   /* a party -> a drawn juror: the job's input and result with
                               * their disclosure keys (agent_evidence.h) */
    AGENT_MSG_VERIFY_REQUEST = 4, /* consumer -> verifier: the same evidence, before judging */
    AGENT_MSG_VERIFY_REPLY = 5,   /* verifier -> consumer: what re-running the job showed */
    AGENT_MSG_KIND_COUNT
} agent_msg_kind;

/* Stable name of a kind ("job_input", ...; "unknown" otherwise). */
const char *agent_msg_kind_name(uint8_t kind);

/* Why bytes were not accepted, in the order the checks run. */
typedef enum agent_msg_result {
    AGENT_MSG_OK = 0,
    AGENT_MSG_TRUNCATED,      /* the input ends inside a field */
    AGENT_MSG_BAD_VERSION,    /* version byte is not AGENT_MSG_VERSION */
    AGENT_MSG_UNKNOWN_KIND,   /* a kind byte with no meaning */
    AGENT_MSG_BAD_LENGTH,     /* ct_size under the MAC size or over AGENT_MSG_CIPHERTEXT_MAX */
    AGENT_MSG_TRAILING_BYTES, /* bytes after the signature */
    AGENT_MSG_NOT_FOR_ME,     /* `to` is not the receiver's account */
    AGENT_MSG_UNKNOWN_SENDER, /* the lookup knows no keys for `from` */
    AGENT_MSG_BAD_SIGNATURE,  /* not signed by from's identity key (any byte changed) */
    AGENT_MSG_STALE,          /* seq 0, or below the sender's replay window */
    AGENT_MSG_REPLAY,         /* seq already accepted from this sender */
    AGENT_MSG_REPLAY_FULL,    /* a new sender while the replay state is full */
    AGENT_MSG_BAD_CIPHERTEXT, /* signed, but the box does not open (wrong or rotated keys) */
    AGENT_MSG_RESULT_COUNT
} agent_msg_result;

/* Stable name of a result ("ok", "truncated", ...), for metrics. */
const char *agent_msg_result_name(agent_msg_result r);

/* The fields before the nonce. */
typedef struct agent_msg_header {
    uint8_t kind;  /* agent_msg_kind */
    uint32_t from; /* sender's account index */
    uint32_t to;   /* recipient's account index */
    uint64_t job;  /* PROTO_JOB_ID(consumer, consumer's job seq) */
    uint64_t seq;  /* >= 1, increasing per (sender, recipient) */
} agent_msg_header;

/* An X25519 key pair for messages. */
typedef struct agent_msg_keypair {
    proto_pubkey pk; /* X25519 public key, as in AGENT_REGISTER */
    uint8_t sk[AGENT_MSG_X25519_SIZE];
} agent_msg_keypair;

/* Derive an X25519 key pair from a master seed and a stable label
 * ("agent/17"), the way proto_keypair_derive derives Ed25519 keys:
 * BLAKE2b-256("aitbc-msg-key" || master seed as u64 LE || label) is the
 * seed of crypto_box_seed_keypair. The domain differs from the Ed25519
 * derivation's, so the same label gives independent keys. */
void agent_msg_keypair_derive(agent_msg_keypair *kp, uint64_t master_seed, const char *label);

/* An agent's own keys, to seal as a sender and open as a receiver. */
typedef struct agent_msg_self {
    uint32_t account;       /* its account index */
    proto_keypair identity; /* Ed25519: the account key */
    agent_msg_keypair box;  /* X25519: the registry's msg_key */
} agent_msg_self;

/* What a receiver knows of a sender, from the chain registry. */
typedef struct agent_msg_peer {
    proto_pubkey identity; /* Ed25519 account key */
    proto_pubkey box;      /* X25519 msg_key */
} agent_msg_peer;

/* Fill *out with account's keys and return true, or return false for an
 * account with no registered keys. Called at most once per open. */
typedef bool (*agent_msg_lookup_fn)(void *ctx, uint32_t account, agent_msg_peer *out);

/* The receiver's anti-replay state: per sender, the highest seq accepted
 * and which of the AGENT_MSG_REPLAY_WINDOW seqs at and below it were.
 *
 * Bounded: at most senders_max senders (<= AGENT_MSG_REPLAY_SENDERS_MAX),
 * 20 bytes each, kept sorted by account. When it is full, a message from
 * a sender not yet tracked is refused (REPLAY_FULL) after its signature
 * checked; nothing is evicted silently, because forgetting a sender's
 * window would let every message it ever sent be replayed. The owner
 * frees room with agent_msg_replay_forget once it has closed its business
 * with a sender (no open job with it on chain, so replayed old messages
 * would be refused by the job's state anyway). Only signed messages from
 * registered accounts addressed to this receiver can take a slot, so
 * filling it costs an attacker one registered (bonded) agent per slot.
 *
 * `counts` tallies every agent_msg_open on this state by result, for
 * metrics; it is not serialised. */
typedef struct agent_msg_replay_entry {
    uint32_t account; /* sender */
    uint64_t highest; /* highest seq accepted, >= 1 */
    uint64_t window;  /* bit i: seq highest - i accepted (bit 0 always set) */
} agent_msg_replay_entry;

typedef struct agent_msg_replay {
    uint32_t senders_max;            /* capacity, 1..AGENT_MSG_REPLAY_SENDERS_MAX */
    uint32_t senders_count;          /* entries in use */
    agent_msg_replay_entry *entries; /* [senders_max], [0, senders_count) sorted by account */
    uint64_t counts[AGENT_MSG_RESULT_COUNT];
} agent_msg_replay;

void agent_msg_replay_init(agent_msg_replay *r, uint32_t senders_max);
void agent_msg_replay_clear(agent_msg_replay *r);
/* Stop tracking a sender (see above for when that is safe); true if it was. */
bool agent_msg_replay_forget(agent_msg_replay *r, uint32_t account);
/* Would seq from `from` be accepted now? OK, STALE, REPLAY or
 * REPLAY_FULL; changes nothing. */
agent_msg_result agent_msg_replay_check(const agent_msg_replay *r, uint32_t from, uint64_t seq);
/* Record seq from `from` as accepted; it must have passed the check. */
void agent_msg_replay_accept(agent_msg_replay *r, uint32_t from, uint64_t seq);

/* Serialised replay state (little-endian):
 *   version u8 (= 1) | senders_max u32 | count u32 |
 *   count x (account u32 | highest u64 | window u64)
 * accounts strictly increasing. New bytes (caller unrefs). */
GBytes *agent_msg_replay_serialize(const agent_msg_replay *r);
/* Replace the initialised *r by the state in data[0..size); false
 * for bytes that are not exactly such a state (bad version, a capacity
 * of 0 or over the maximum, more entries than capacity, accounts out of
 * order, an entry with highest 0 or bit 0 of its window clear, trailing
 * bytes), leaving *r untouched. The counts start at zero. */
bool agent_msg_replay_deserialize(agent_msg_replay *r, const uint8_t *data, size_t size);

/* Seal plaintext[0..plaintext_size) from `self` to the account h->to
 * whose X25519 key is recipient_box, about h->job, as h->seq. h->from must
 * be self->account, h->kind a known kind, h->seq >= 1 and plaintext_size
 * <= AGENT_MSG_PLAINTEXT_MAX (asserted: the caller builds these). The
 * nonce takes three draws of random_u64(random_ctx). Returns new wire
 * bytes (caller unrefs), or NULL when, in real mode, recipient_box is not
 * a usable X25519 key (a small-order point: a registry entry is hostile
 * input). Deterministic: the same inputs and draws give the same bytes. */
GBytes *agent_msg_seal(proto_crypto *c, const agent_msg_self *self, const agent_msg_header *h,
                       const proto_pubkey *recipient_box, const void *plaintext,
                       size_t plaintext_size, uint64_t (*random_u64)(void *ctx), void *random_ctx);

/* The structural checks only (TRUNCATED .. TRAILING_BYTES): fills *h on
 * OK, for routing a message to its recipient without any key. wire may
 * be NULL when size is 0. */
agent_msg_result agent_msg_peek(const uint8_t *wire, size_t size, agent_msg_header *h);

/* Open hostile bytes wire[0..size) as `self`: decode, check addressee,
 * sender keys (through lookup), signature, replay state, then decrypt.
 * On OK, *header_out (if not NULL) is filled, *plaintext_out is a new
 * GBytes (caller unrefs; possibly empty) and the replay state records
 * the message. On any refusal neither output nor the replay state
 * changes (but for its count of the result). The wire is borrowed for
 * the call. */
agent_msg_result agent_msg_open(proto_crypto *c, const agent_msg_self *self,
                                agent_msg_lookup_fn lookup, void *lookup_ctx,
                                agent_msg_replay *replay, const uint8_t *wire, size_t size,
                                agent_msg_header *header_out, GBytes **plaintext_out);

/* ---- disclosure: opening one message for a third party ----
 *
 * A dispute needs a neutral party (a verifier, an arbiter) to read the
 * input and the result the two parties exchanged, and to trust that
 * they are the ones the chain committed to (the job's input_hash and
 * result_hash are hashes of the wires). Handing over the pair's box key
 * would open every message the two ever exchanged. Instead either
 * party discloses the key of one message only: XSalsa20's HSalsa20
 * subkey for that message's nonce under the pair's box key (libsodium's
 * crypto_secretbox: subkey = HSalsa20(box key, nonce[0..16]); the
 * stream is Salsa20(subkey, nonce[16..24]), its first 32 bytes the
 * Poly1305 key). Nonces never repeat between a pair, so the subkey opens
 * that message and no other, and the Poly1305 tag makes a wrong subkey
 * fail to open. */
#define AGENT_MSG_DISCLOSURE_KEY_SIZE 32

/* The disclosure key of wire[0..size), a message between `mine` and the
 * peer whose X25519 key is `peer` (either direction); false when the
 * bytes are not a structurally valid message or the peer's key is
 * unusable. */
bool agent_msg_disclose(const proto_crypto *c, const agent_msg_keypair *mine,
                        const proto_pubkey *peer, const uint8_t *wire, size_t size,
                        uint8_t key[AGENT_MSG_DISCLOSURE_KEY_SIZE]);

/* Open hostile bytes with a disclosed key: the structural checks of
 * agent_msg_peek, then the box (BAD_CIPHERTEXT when the key does not
 * open it). The signature is not checked: the caller authenticates the
 * wire some other way (its hash on chain). On OK *h and *plaintext_out
 * (new, caller unrefs) are filled. */
agent_msg_result agent_msg_open_disclosed(const uint8_t key[AGENT_MSG_DISCLOSURE_KEY_SIZE],
                                          const uint8_t *wire, size_t size, agent_msg_header *h,
                                          GBytes **plaintext_out);

#endif
