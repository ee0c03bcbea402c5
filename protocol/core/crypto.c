/* Signatures, hashes and the process-wide verification memo (libsodium).
 *
 * Keys: proto_keypair_derive hashes ("aitbc-key" || master seed as u64 LE
 * || label) with BLAKE2b-256 into an Ed25519 seed, so every key of a run
 * is a pure function of the run seed and a stable name.
 *
 * Real mode signs with Ed25519 (crypto_sign_detached) and verifies with
 * crypto_sign_verify_detached, which rejects non-canonical S (the S + L
 * malleation), non-canonical and small-order keys. Each verification
 * result is remembered under the 32-byte digest
 *     BLAKE2b-256(pk || BLAKE2b-256(msg) || sig)
 * in a GHashTable that is only ever looked up, never iterated, so its
 * internal order cannot leak into results. Invalid results are
 * remembered too: a Byzantine flood of one bad signature costs one
 * Ed25519 verify. The memo is bounded; when full it is emptied wholesale,
 * which is deterministic and cheap, and only costs recomputation.
 *
 * Fast mode: sig = BLAKE2b-512(key = pk, msg); verify recomputes it and
 * compares in constant time. Detects corruption and wrong signers, not
 * forgeries by code that knows the scheme.
 *
 * A verification log records each call's memo key and result (real mode
 * with a memo) or just counts calls (otherwise, where every call is
 * computed); replay walks the same memo steps: a key present is a hit, an
 * absent one is "computed" and inserted with its logged result, clearing
 * a full memo first, as proto_verify does. */
#include "protocol/core/crypto.h"

#include "protocol/core/fastmix.h"

#include <sodium.h>
#include <string.h>

#include "protocol/core/codec.h"

G_STATIC_ASSERT(PROTO_SIG_SIZE == crypto_sign_BYTES);
G_STATIC_ASSERT(PROTO_PUBKEY_SIZE == crypto_sign_PUBLICKEYBYTES);
G_STATIC_ASSERT(PROTO_SECKEY_SIZE == crypto_sign_SECRETKEYBYTES);
G_STATIC_ASSERT(PROTO_SEED_SIZE == crypto_sign_SEEDBYTES);
G_STATIC_ASSERT(PROTO_SIG_SIZE <= crypto_generichash_BYTES_MAX);
G_STATIC_ASSERT(PROTO_PUBKEY_SIZE >= crypto_generichash_KEYBYTES_MIN);

/* Memo values; never NULL so a plain lookup distinguishes "absent". */
#define MEMO_INVALID GINT_TO_POINTER(1)
#define MEMO_VALID GINT_TO_POINTER(2)

#define KEY_DOMAIN "aitbc-key"

struct proto_crypto {
    proto_crypto_mode mode;
    size_t memo_entries_max; /* 0: memo disabled */
    GHashTable *memo;        /* proto_hash* (owned) -> MEMO_VALID/INVALID */
    proto_crypto_stats stats;
    proto_verify_log *log;   /* attached: record every verification */
};

void proto_crypto_global_init(void)
{
    if (sodium_init() < 0) {
        g_error("libsodium failed to initialise");
    }
}

/* The key is already a uniform BLAKE2b digest: its first word is a good hash. */
static guint memo_key_hash(gconstpointer key)
{
    return proto_le_get_u32(((const proto_hash *)key)->bytes);
}

static gboolean memo_key_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, PROTO_HASH_SIZE) == 0;
}

proto_crypto *proto_crypto_new(proto_crypto_mode mode, size_t memo_entries_max)
{
    g_assert(mode == PROTO_CRYPTO_REAL || mode == PROTO_CRYPTO_FAST);
    proto_crypto_global_init();
    proto_crypto *c = g_new0(proto_crypto, 1);
    c->mode = mode;
    c->memo_entries_max = memo_entries_max;
    c->memo = g_hash_table_new_full(memo_key_hash, memo_key_equal, g_free, NULL);
    return c;
}

void proto_crypto_free(proto_crypto *c)
{
    if (c == NULL) {
        return;
    }
    g_hash_table_unref(c->memo);
    g_free(c);
}

proto_crypto_mode proto_crypto_get_mode(const proto_crypto *c)
{
    return c->mode;
}

const char *proto_crypto_mode_name(proto_crypto_mode mode)
{
    switch (mode) {
    case PROTO_CRYPTO_REAL:
        return "real";
    case PROTO_CRYPTO_FAST:
        return "fast";
    }
    return "unknown";
}

proto_crypto_stats proto_crypto_get_stats(const proto_crypto *c)
{
    return c->stats;
}

void proto_keypair_from_seed(proto_keypair *kp, const uint8_t seed[PROTO_SEED_SIZE])
{
    proto_crypto_global_init();
    if (crypto_sign_seed_keypair(kp->pk.bytes, kp->sk, seed) != 0) {
        g_error("crypto_sign_seed_keypair failed"); /* cannot fail for any seed */
    }
}

void proto_keypair_derive(proto_keypair *kp, uint64_t master_seed, const char *label)
{
    g_assert(label != NULL);
    uint8_t seed_le[8];
    proto_le_put_u64(seed_le, master_seed);

    crypto_generichash_state st;
    uint8_t seed[PROTO_SEED_SIZE];
    crypto_generichash_init(&st, NULL, 0, sizeof seed);
    crypto_generichash_update(&st, (const uint8_t *)KEY_DOMAIN, strlen(KEY_DOMAIN));
    crypto_generichash_update(&st, seed_le, sizeof seed_le);
    crypto_generichash_update(&st, (const uint8_t *)label, strlen(label));
    crypto_generichash_final(&st, seed, sizeof seed);

    proto_keypair_from_seed(kp, seed);
    sodium_memzero(seed, sizeof seed);
}

static void fast_sig(uint8_t out[PROTO_SIG_SIZE], const void *msg, size_t msg_size,
                     const proto_pubkey *pk)
{
    proto_fastmix(out, PROTO_SIG_SIZE, pk->bytes, PROTO_PUBKEY_SIZE, msg, msg_size);
}

void proto_sign(proto_crypto *c, proto_sig *sig, const void *msg, size_t msg_size,
                const proto_keypair *kp)
{
    c->stats.signs++;
    if (c->mode == PROTO_CRYPTO_FAST) {
        fast_sig(sig->bytes, msg, msg_size, &kp->pk);
        return;
    }
    if (crypto_sign_detached(sig->bytes, NULL, msg, msg_size, kp->sk) != 0) {
        g_error("crypto_sign_detached failed"); /* cannot fail with a valid sk */
    }
}

/* The uncached check, counted in verify_computed. */
static bool verify_compute(proto_crypto *c, const proto_sig *sig, const void *msg,
                           size_t msg_size, const proto_pubkey *pk)
{
    c->stats.verify_computed++;
    if (c->mode == PROTO_CRYPTO_FAST) {
        uint8_t expect[PROTO_SIG_SIZE];
        fast_sig(expect, msg, msg_size, pk);
        return memcmp(expect, sig->bytes, PROTO_SIG_SIZE) == 0; /* no secrets in a simulation */
    }
    return crypto_sign_verify_detached(sig->bytes, msg, msg_size, pk->bytes) == 0;
}

static void memo_key(proto_hash *key, const proto_sig *sig, const void *msg, size_t msg_size,
                     const proto_pubkey *pk)
{
    uint8_t buf[PROTO_PUBKEY_SIZE + PROTO_HASH_SIZE + PROTO_SIG_SIZE];
    memcpy(buf, pk->bytes, PROTO_PUBKEY_SIZE);
    crypto_generichash(buf + PROTO_PUBKEY_SIZE, PROTO_HASH_SIZE, msg, msg_size, NULL, 0);
    memcpy(buf + PROTO_PUBKEY_SIZE + PROTO_HASH_SIZE, sig->bytes, PROTO_SIG_SIZE);
    crypto_generichash(key->bytes, PROTO_HASH_SIZE, buf, sizeof buf, NULL, 0);
}

static bool memo_on(const proto_crypto *c)
{
    return c->mode == PROTO_CRYPTO_REAL && c->memo_entries_max > 0;
}

static void memo_insert(proto_crypto *c, const proto_hash *key, bool ok)
{
    if (g_hash_table_size(c->memo) >= c->memo_entries_max) {
        g_hash_table_remove_all(c->memo);
        c->stats.memo_clears++;
    }
    g_hash_table_insert(c->memo, g_memdup2(key, sizeof *key), ok ? MEMO_VALID : MEMO_INVALID);
}

static void log_call(proto_crypto *c, const proto_hash *key, bool ok)
{
    if (c->log == NULL)
        return;
    c->log->calls++;
    if (key != NULL) {
        proto_verify_logged e = {.key = *key, .valid = ok};
        g_array_append_val(c->log->memo_keys, e);
    }
}

bool proto_verify(proto_crypto *c, const proto_sig *sig, const void *msg, size_t msg_size,
                  const proto_pubkey *pk)
{
    c->stats.verify_calls++;
    if (!memo_on(c)) {
        bool ok = verify_compute(c, sig, msg, msg_size, pk);
        log_call(c, NULL, ok);
        return ok;
    }
    proto_hash key;
    memo_key(&key, sig, msg, msg_size, pk);
    gpointer hit = g_hash_table_lookup(c->memo, &key);
    if (hit != NULL) {
        c->stats.verify_memo_hits++;
        log_call(c, &key, hit == MEMO_VALID);
        return hit == MEMO_VALID;
    }
    bool ok = verify_compute(c, sig, msg, msg_size, pk);
    memo_insert(c, &key, ok);
    log_call(c, &key, ok);
    return ok;
}

void proto_verify_log_init(proto_verify_log *l)
{
    l->calls = 0;
    l->memo_keys = g_array_new(FALSE, FALSE, sizeof(proto_verify_logged));
}

void proto_verify_log_clear(proto_verify_log *l)
{
    if (l->memo_keys != NULL)
        g_array_unref(l->memo_keys);
    l->memo_keys = NULL;
    l->calls = 0;
}

void proto_crypto_log_attach(proto_crypto *c, proto_verify_log *l)
{
    g_assert(l == NULL || c->log == NULL);
    c->log = l;
}

void proto_crypto_log_replay(proto_crypto *c, const proto_verify_log *l)
{
    if (!memo_on(c)) {
        g_assert(l->memo_keys->len == 0);
        c->stats.verify_calls += l->calls;
        c->stats.verify_computed += l->calls;
        return;
    }
    g_assert(l->memo_keys->len == l->calls);
    for (guint i = 0; i < l->memo_keys->len; i++) {
        const proto_verify_logged *e = &g_array_index(l->memo_keys, proto_verify_logged, i);
        c->stats.verify_calls++;
        if (g_hash_table_lookup(c->memo, &e->key) != NULL) {
            c->stats.verify_memo_hits++;
            continue;
        }
        c->stats.verify_computed++;
        memo_insert(c, &e->key, e->valid);
    }
}

void proto_hash_bytes(proto_hash *out, const void *data, size_t size)
{
    crypto_generichash(out->bytes, PROTO_HASH_SIZE, data, size, NULL, 0);
}

void proto_hash_pair(proto_hash *out, const proto_hash *a, const proto_hash *b)
{
    uint8_t buf[2 * PROTO_HASH_SIZE];
    memcpy(buf, a->bytes, PROTO_HASH_SIZE);
    memcpy(buf + PROTO_HASH_SIZE, b->bytes, PROTO_HASH_SIZE);
    crypto_generichash(out->bytes, PROTO_HASH_SIZE, buf, sizeof buf, NULL, 0);
}

bool proto_hash_equal(const proto_hash *a, const proto_hash *b)
{
    return memcmp(a->bytes, b->bytes, PROTO_HASH_SIZE) == 0;
}

bool proto_pubkey_equal(const proto_pubkey *a, const proto_pubkey *b)
{
    return memcmp(a->bytes, b->bytes, PROTO_PUBKEY_SIZE) == 0;
}

bool proto_pubkey_is_zero(const proto_pubkey *k)
{
    static const proto_pubkey zero;
    return proto_pubkey_equal(k, &zero);
}

int proto_hash_compare(const proto_hash *a, const proto_hash *b)
{
    int d = memcmp(a->bytes, b->bytes, PROTO_HASH_SIZE);
    return (d > 0) - (d < 0);
}

bool proto_hash_is_zero(const proto_hash *h)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < PROTO_HASH_SIZE; i++) {
        acc |= h->bytes[i];
    }
    return acc == 0;
}

void proto_hash_hex(const proto_hash *h, char out[2 * PROTO_HASH_SIZE + 1])
{
    sodium_bin2hex(out, 2 * PROTO_HASH_SIZE + 1, h->bytes, PROTO_HASH_SIZE);
}

guint proto_hash_ghash(gconstpointer key)
{
    return proto_le_get_u32(((const proto_hash *)key)->bytes);
}

gboolean proto_hash_gequal(gconstpointer a, gconstpointer b)
{
    return proto_hash_equal(a, b);
}
