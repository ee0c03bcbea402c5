/* Signatures and hashes, with a process-wide verification memo.
 *
 * Real mode: Ed25519 (libsodium) keys derived deterministically from a
 * 32-byte seed, BLAKE2b-256 hashes. Crypto dominates large runs, so a
 * proto_crypto context is shared by every node of one process and
 * remembers (public key, message hash, signature) -> valid for signatures
 * it has already checked: every node still "verifies", the work is done
 * once. This is exact because verification is a pure function.
 *
 * Fast mode (scenario `crypto = fast`) replaces Ed25519 by a keyed-digest
 * stand-in: sig = proto_fastmix(key = public key, message), 64 bytes (see
 * fastmix.h), and account-state Merkle trees use the same digest (see
 * proto_state_set_fast_hash). It detects any corruption or wrong signer,
 * but is forgeable by code that knows the scheme; reports say which mode
 * ran.
 *
 * The context also counts signatures made and distinct verifications so a
 * run can compute its crypto floor (tools/bench and the summary).
 *
 * Verification logs let a memo of larger work (protocol/memo/exec_memo.h:
 * a block executed once for many nodes) stay exact about these counts:
 * while a log is attached every proto_verify is recorded, and replaying
 * the log later accounts the same verifications again, leaving the stats
 * and the memo exactly as making the same calls would, without computing
 * a signature or a hash. */
#ifndef AITBC_PROTOCOL_CRYPTO_H
#define AITBC_PROTOCOL_CRYPTO_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROTO_HASH_SIZE 32
#define PROTO_PUBKEY_SIZE 32
#define PROTO_SECKEY_SIZE 64
#define PROTO_SIG_SIZE 64
#define PROTO_SEED_SIZE 32

typedef struct proto_hash {
    uint8_t bytes[PROTO_HASH_SIZE];
} proto_hash;

typedef struct proto_pubkey {
    uint8_t bytes[PROTO_PUBKEY_SIZE];
} proto_pubkey;

typedef struct proto_sig {
    uint8_t bytes[PROTO_SIG_SIZE];
} proto_sig;

typedef struct proto_keypair {
    proto_pubkey pk;
    uint8_t sk[PROTO_SECKEY_SIZE];
} proto_keypair;

typedef enum proto_crypto_mode {
    PROTO_CRYPTO_REAL = 0,
    PROTO_CRYPTO_FAST = 1,
} proto_crypto_mode;

typedef struct proto_crypto_stats {
    uint64_t signs;             /* signatures made */
    uint64_t verify_calls;      /* verifications asked for */
    uint64_t verify_computed;   /* distinct verifications actually computed */
    uint64_t verify_memo_hits;  /* answered from the memo */
    uint64_t memo_clears;       /* times the memo was full and was emptied */
} proto_crypto_stats;

typedef struct proto_crypto proto_crypto;

/* memo_entries_max bounds the memo; when full it is cleared (a pure
 * cache, so this only costs work, never changes results). 0 disables the
 * memo. Only real mode memoizes: a fast-mode check is one keyed hash,
 * about what computing the memo key would cost.
 *
 * Stats: verify_calls = verify_computed + verify_memo_hits. */
proto_crypto *proto_crypto_new(proto_crypto_mode mode, size_t memo_entries_max);
void proto_crypto_free(proto_crypto *c);
proto_crypto_mode proto_crypto_get_mode(const proto_crypto *c);
const char *proto_crypto_mode_name(proto_crypto_mode mode);
proto_crypto_stats proto_crypto_get_stats(const proto_crypto *c);

/* The verifications made while the log was attached, in order. */
typedef struct proto_verify_log {
    uint64_t calls;
    GArray *memo_keys; /* proto_verify_logged, in real mode with a memo; else empty */
} proto_verify_log;

typedef struct proto_verify_logged {
    proto_hash key;    /* the memo key of the call */
    bool valid;        /* its result */
} proto_verify_logged;

void proto_verify_log_init(proto_verify_log *l);
void proto_verify_log_clear(proto_verify_log *l);
/* Record every proto_verify on c into l until detached (l = NULL). One
 * log at a time. */
void proto_crypto_log_attach(proto_crypto *c, proto_verify_log *l);
/* Account l's verifications on c as if made again now, in order: the
 * stats and the memo (hits, insertions, clears) change exactly as they
 * would, nothing is computed. l must come from a context of c's mode. */
void proto_crypto_log_replay(proto_crypto *c, const proto_verify_log *l);

/* Library init (sodium_init); safe to call more than once. */
void proto_crypto_global_init(void);

void proto_keypair_from_seed(proto_keypair *kp, const uint8_t seed[PROTO_SEED_SIZE]);
/* Derive a keypair from a master seed and a label ("validator/3", "account/17"). */
void proto_keypair_derive(proto_keypair *kp, uint64_t master_seed, const char *label);

void proto_sign(proto_crypto *c, proto_sig *sig, const void *msg, size_t msg_size,
                const proto_keypair *kp);
bool proto_verify(proto_crypto *c, const proto_sig *sig, const void *msg, size_t msg_size,
                  const proto_pubkey *pk);

/* BLAKE2b-256. */
void proto_hash_bytes(proto_hash *out, const void *data, size_t size);
/* BLAKE2b-256 of a || b (Merkle interior nodes). */
void proto_hash_pair(proto_hash *out, const proto_hash *a, const proto_hash *b);
bool proto_hash_equal(const proto_hash *a, const proto_hash *b);
int proto_hash_compare(const proto_hash *a, const proto_hash *b);
bool proto_hash_is_zero(const proto_hash *h);
bool proto_pubkey_equal(const proto_pubkey *a, const proto_pubkey *b);
bool proto_pubkey_is_zero(const proto_pubkey *k);
/* GHashTable callbacks for proto_hash keys (content-keyed; a digest is
 * uniform, so its first word is a good bucket hash). */
guint proto_hash_ghash(gconstpointer key);
gboolean proto_hash_gequal(gconstpointer a, gconstpointer b);
/* 64 lowercase hex chars + NUL */
void proto_hash_hex(const proto_hash *h, char out[2 * PROTO_HASH_SIZE + 1]);

#endif
