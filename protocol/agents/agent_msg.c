/* Sealed agent-to-agent messages: sealing, strict opening, the replay
 * window and its serialisation (agent_msg.h has the wire and the
 * reasons for the construction).
 *
 * Both modes box with crypto_box_easy_afternm under a 32-byte key that
 * box_key computes: crypto_box_beforenm in real mode, a hash of the two
 * public keys in fast mode. The signing digest is hashed incrementally
 * over the wire bytes, so a 64 KiB message is never copied to be signed.
 * Nothing here draws randomness of its own: the nonce's 24 bytes come
 * from the caller's random_u64. */
#include "protocol/agents/agent_msg.h"

#include <sodium.h>
#include <string.h>

#include "protocol/core/codec.h"

G_STATIC_ASSERT(AGENT_MSG_NONCE_SIZE == crypto_box_NONCEBYTES);
G_STATIC_ASSERT(AGENT_MSG_MAC_SIZE == crypto_box_MACBYTES);
G_STATIC_ASSERT(AGENT_MSG_X25519_SIZE == crypto_box_PUBLICKEYBYTES);
G_STATIC_ASSERT(AGENT_MSG_X25519_SIZE == crypto_box_SECRETKEYBYTES);
G_STATIC_ASSERT(AGENT_MSG_X25519_SIZE == crypto_box_SEEDBYTES);
G_STATIC_ASSERT(PROTO_PUBKEY_SIZE == AGENT_MSG_X25519_SIZE);
G_STATIC_ASSERT(crypto_box_BEFORENMBYTES == 32);
G_STATIC_ASSERT(AGENT_MSG_REPLAY_WINDOW == 64); /* one u64 bitmap */

#define SIG_DOMAIN "aitbc-agent-msg1"
#define NONCE_DOMAIN "aitbc-agent-nonce"
#define FAST_BOX_DOMAIN "aitbc-agent-box-fast"
#define KEY_DOMAIN "aitbc-msg-key"
#define REPLAY_FORMAT_VERSION 1
#define REPLAY_ENTRY_SIZE (4 + 8 + 8)

/* Offsets in the wire (agent_msg.h). */
#define OFF_NONCE 26
#define OFF_CT_SIZE 50
G_STATIC_ASSERT(OFF_CT_SIZE + 4 == AGENT_MSG_HEADER_SIZE);

const char *agent_msg_kind_name(uint8_t kind)
{
    switch (kind) {
    case AGENT_MSG_JOB_INPUT:
        return "job_input";
    case AGENT_MSG_JOB_RESULT:
        return "job_result";
    case AGENT_MSG_EVIDENCE:
        return "evidence";
    case AGENT_MSG_VERIFY_REQUEST:
        return "verify_request";
    case AGENT_MSG_VERIFY_REPLY:
        return "verify_reply";
    default:
        return "unknown";
    }
}

static bool kind_known(uint8_t kind)
{
    return kind >= AGENT_MSG_JOB_INPUT && kind < AGENT_MSG_KIND_COUNT;
}

const char *agent_msg_result_name(agent_msg_result r)
{
    static const char *const names[AGENT_MSG_RESULT_COUNT] = {
        [AGENT_MSG_OK] = "ok",
        [AGENT_MSG_TRUNCATED] = "truncated",
        [AGENT_MSG_BAD_VERSION] = "bad_version",
        [AGENT_MSG_UNKNOWN_KIND] = "unknown_kind",
        [AGENT_MSG_BAD_LENGTH] = "bad_length",
        [AGENT_MSG_TRAILING_BYTES] = "trailing_bytes",
        [AGENT_MSG_NOT_FOR_ME] = "not_for_me",
        [AGENT_MSG_UNKNOWN_SENDER] = "unknown_sender",
        [AGENT_MSG_BAD_SIGNATURE] = "bad_signature",
        [AGENT_MSG_STALE] = "stale",
        [AGENT_MSG_REPLAY] = "replay",
        [AGENT_MSG_REPLAY_FULL] = "replay_full",
        [AGENT_MSG_BAD_CIPHERTEXT] = "bad_ciphertext",
    };
    if ((unsigned)r >= AGENT_MSG_RESULT_COUNT || names[r] == NULL)
        return "unknown";
    return names[r];
}

void agent_msg_keypair_derive(agent_msg_keypair *kp, uint64_t master_seed, const char *label)
{
    g_assert(label != NULL);
    proto_crypto_global_init();
    uint8_t seed_le[8];
    proto_le_put_u64(seed_le, master_seed);
    crypto_generichash_state st;
    uint8_t seed[crypto_box_SEEDBYTES];
    crypto_generichash_init(&st, NULL, 0, sizeof seed);
    crypto_generichash_update(&st, (const uint8_t *)KEY_DOMAIN, strlen(KEY_DOMAIN));
    crypto_generichash_update(&st, seed_le, sizeof seed_le);
    crypto_generichash_update(&st, (const uint8_t *)label, strlen(label));
    crypto_generichash_final(&st, seed, sizeof seed);
    if (crypto_box_seed_keypair(kp->pk.bytes, kp->sk, seed) != 0)
        g_error("crypto_box_seed_keypair failed"); /* cannot fail for any seed */
    sodium_memzero(seed, sizeof seed);
}

/* ---- the box key ---- */

/* The shared key between our key pair and a peer's public key; false
 * when the peer's key is unusable (real mode: a small-order point). */
static bool box_key(const proto_crypto *c, const agent_msg_keypair *mine, const proto_pubkey *peer,
                    uint8_t key[crypto_box_BEFORENMBYTES])
{
    if (proto_crypto_get_mode(c) == PROTO_CRYPTO_REAL)
        return crypto_box_beforenm(key, peer->bytes, mine->sk) == 0;
    const proto_pubkey *lo = &mine->pk, *hi = peer;
    if (memcmp(lo->bytes, hi->bytes, PROTO_PUBKEY_SIZE) > 0) {
        lo = peer;
        hi = &mine->pk;
    }
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, crypto_box_BEFORENMBYTES);
    crypto_generichash_update(&st, (const uint8_t *)FAST_BOX_DOMAIN, strlen(FAST_BOX_DOMAIN));
    crypto_generichash_update(&st, lo->bytes, PROTO_PUBKEY_SIZE);
    crypto_generichash_update(&st, hi->bytes, PROTO_PUBKEY_SIZE);
    crypto_generichash_final(&st, key, crypto_box_BEFORENMBYTES);
    return true;
}

/* ---- header and digests ---- */

/* The header's first 26 bytes: version, kind, from, to, job, seq. */
static void put_header_fields(uint8_t *out, const agent_msg_header *h)
{
    out[0] = AGENT_MSG_VERSION;
    out[1] = h->kind;
    proto_le_put_u32(out + 2, h->from);
    proto_le_put_u32(out + 6, h->to);
    proto_le_put_u64(out + 10, h->job);
    proto_le_put_u64(out + 18, h->seq);
}

static void get_header_fields(const uint8_t *in, agent_msg_header *h)
{
    h->kind = in[1];
    h->from = proto_le_get_u32(in + 2);
    h->to = proto_le_get_u32(in + 6);
    h->job = proto_le_get_u64(in + 10);
    h->seq = proto_le_get_u64(in + 18);
}

/* The nonce: BLAKE2b-192(domain || caller's 24 random bytes || header
 * fields), so it differs whenever the header does. */
static void make_nonce(uint8_t nonce[AGENT_MSG_NONCE_SIZE], const agent_msg_header *h,
                       uint64_t (*random_u64)(void *ctx), void *random_ctx)
{
    uint8_t seed[AGENT_MSG_NONCE_SIZE];
    for (size_t i = 0; i < AGENT_MSG_NONCE_SIZE / 8; i++)
        proto_le_put_u64(seed + 8 * i, random_u64(random_ctx));
    uint8_t fields[OFF_NONCE];
    put_header_fields(fields, h);
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, AGENT_MSG_NONCE_SIZE);
    crypto_generichash_update(&st, (const uint8_t *)NONCE_DOMAIN, strlen(NONCE_DOMAIN));
    crypto_generichash_update(&st, seed, sizeof seed);
    crypto_generichash_update(&st, fields, sizeof fields);
    crypto_generichash_final(&st, nonce, AGENT_MSG_NONCE_SIZE);
}

/* The digest the sender signs: BLAKE2b-256(domain || signed bytes). */
static void signing_hash(proto_hash *out, const uint8_t *signed_bytes, size_t size)
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, PROTO_HASH_SIZE);
    crypto_generichash_update(&st, (const uint8_t *)SIG_DOMAIN, strlen(SIG_DOMAIN));
    crypto_generichash_update(&st, signed_bytes, size);
    crypto_generichash_final(&st, out->bytes, PROTO_HASH_SIZE);
}

/* ---- sealing ---- */

GBytes *agent_msg_seal(proto_crypto *c, const agent_msg_self *self, const agent_msg_header *h,
                       const proto_pubkey *recipient_box, const void *plaintext,
                       size_t plaintext_size, uint64_t (*random_u64)(void *ctx), void *random_ctx)
{
    g_assert(h->from == self->account);
    g_assert(kind_known(h->kind));
    g_assert(h->seq >= 1);
    g_assert(plaintext_size <= AGENT_MSG_PLAINTEXT_MAX);
    g_assert(plaintext != NULL || plaintext_size == 0);
    g_assert(random_u64 != NULL);

    uint8_t key[crypto_box_BEFORENMBYTES];
    if (!box_key(c, &self->box, recipient_box, key))
        return NULL;
    size_t ct_size = plaintext_size + AGENT_MSG_MAC_SIZE;
    size_t wire_size = AGENT_MSG_HEADER_SIZE + ct_size + PROTO_SIG_SIZE;
    uint8_t *wire = g_malloc(wire_size);
    put_header_fields(wire, h);
    make_nonce(wire + OFF_NONCE, h, random_u64, random_ctx);
    proto_le_put_u32(wire + OFF_CT_SIZE, (uint32_t)ct_size);
    static const uint8_t empty[1];
    crypto_box_easy_afternm(wire + AGENT_MSG_HEADER_SIZE, plaintext_size > 0 ? plaintext : empty,
                            plaintext_size, wire + OFF_NONCE, key);
    sodium_memzero(key, sizeof key);

    proto_hash digest;
    signing_hash(&digest, wire, AGENT_MSG_HEADER_SIZE + ct_size);
    proto_sig sig;
    proto_sign(c, &sig, digest.bytes, sizeof digest.bytes, &self->identity);
    memcpy(wire + AGENT_MSG_HEADER_SIZE + ct_size, sig.bytes, PROTO_SIG_SIZE);
    return g_bytes_new_take(wire, wire_size);
}

/* ---- opening ---- */

/* A structurally valid message, its parts borrowed from the wire. */
typedef struct decoded {
    agent_msg_header h;
    const uint8_t *nonce;
    const uint8_t *ct;
    size_t ct_size;
    size_t signed_size; /* bytes before the signature */
    proto_sig sig;
} decoded;

static agent_msg_result decode(const uint8_t *wire, size_t size, decoded *d)
{
    /* Version and kind are judged as soon as their byte is there. */
    if (size < 1)
        return AGENT_MSG_TRUNCATED;
    if (wire[0] != AGENT_MSG_VERSION)
        return AGENT_MSG_BAD_VERSION;
    if (size < 2)
        return AGENT_MSG_TRUNCATED;
    if (!kind_known(wire[1]))
        return AGENT_MSG_UNKNOWN_KIND;
    proto_reader r;
    proto_reader_init(&r, wire, size);
    const uint8_t *fields = proto_read_view(&r, OFF_NONCE);
    if (fields == NULL)
        return AGENT_MSG_TRUNCATED;
    get_header_fields(fields, &d->h);
    d->nonce = proto_read_view(&r, AGENT_MSG_NONCE_SIZE);
    uint32_t ct_size = proto_read_u32(&r);
    if (r.failed)
        return AGENT_MSG_TRUNCATED;
    if (ct_size < AGENT_MSG_MAC_SIZE || ct_size > AGENT_MSG_CIPHERTEXT_MAX)
        return AGENT_MSG_BAD_LENGTH;
    d->ct = proto_read_view(&r, ct_size);
    d->ct_size = ct_size;
    d->signed_size = r.pos;
    proto_read_raw(&r, d->sig.bytes, PROTO_SIG_SIZE);
    if (r.failed)
        return AGENT_MSG_TRUNCATED;
    return proto_reader_remaining(&r) > 0 ? AGENT_MSG_TRAILING_BYTES : AGENT_MSG_OK;
}

agent_msg_result agent_msg_peek(const uint8_t *wire, size_t size, agent_msg_header *h)
{
    decoded d;
    agent_msg_result res = decode(wire, size, &d);
    if (res == AGENT_MSG_OK)
        *h = d.h;
    return res;
}

/* Decrypt d's box from `sender` into a new GBytes, or NULL. */
static GBytes *unbox(const proto_crypto *c, const agent_msg_self *self, const decoded *d,
                     const proto_pubkey *sender_box)
{
    uint8_t key[crypto_box_BEFORENMBYTES];
    if (!box_key(c, &self->box, sender_box, key))
        return NULL;
    size_t plain_size = d->ct_size - AGENT_MSG_MAC_SIZE;
    uint8_t *plain = g_malloc(plain_size > 0 ? plain_size : 1);
    int rc = crypto_box_open_easy_afternm(plain, d->ct, d->ct_size, d->nonce, key);
    sodium_memzero(key, sizeof key);
    if (rc != 0) {
        g_free(plain);
        return NULL;
    }
    return g_bytes_new_take(plain, plain_size);
}

/* Every check but the structural ones; on OK *plain holds the plaintext. */
static agent_msg_result open_decoded(proto_crypto *c, const agent_msg_self *self,
                                     agent_msg_lookup_fn lookup, void *lookup_ctx,
                                     const agent_msg_replay *replay, const uint8_t *wire,
                                     const decoded *d, GBytes **plain)
{
    if (d->h.to != self->account)
        return AGENT_MSG_NOT_FOR_ME;
    agent_msg_peer peer;
    if (!lookup(lookup_ctx, d->h.from, &peer))
        return AGENT_MSG_UNKNOWN_SENDER;
    proto_hash digest;
    signing_hash(&digest, wire, d->signed_size);
    if (!proto_verify(c, &d->sig, digest.bytes, sizeof digest.bytes, &peer.identity))
        return AGENT_MSG_BAD_SIGNATURE;
    agent_msg_result res = agent_msg_replay_check(replay, d->h.from, d->h.seq);
    if (res != AGENT_MSG_OK)
        return res;
    *plain = unbox(c, self, d, &peer.box);
    return *plain != NULL ? AGENT_MSG_OK : AGENT_MSG_BAD_CIPHERTEXT;
}

agent_msg_result agent_msg_open(proto_crypto *c, const agent_msg_self *self,
                                agent_msg_lookup_fn lookup, void *lookup_ctx,
                                agent_msg_replay *replay, const uint8_t *wire, size_t size,
                                agent_msg_header *header_out, GBytes **plaintext_out)
{
    g_assert(lookup != NULL && replay != NULL && plaintext_out != NULL);
    decoded d;
    GBytes *plain = NULL;
    agent_msg_result res = decode(wire, size, &d);
    if (res == AGENT_MSG_OK)
        res = open_decoded(c, self, lookup, lookup_ctx, replay, wire, &d, &plain);
    replay->counts[res]++;
    if (res != AGENT_MSG_OK)
        return res;
    agent_msg_replay_accept(replay, d.h.from, d.h.seq);
    if (header_out != NULL)
        *header_out = d.h;
    *plaintext_out = plain;
    return AGENT_MSG_OK;
}

/* ---- disclosure (agent_msg.h) ---- */

G_STATIC_ASSERT(AGENT_MSG_DISCLOSURE_KEY_SIZE == crypto_core_hsalsa20_OUTPUTBYTES);
G_STATIC_ASSERT(crypto_box_MACBYTES == crypto_onetimeauth_poly1305_BYTES);

bool agent_msg_disclose(const proto_crypto *c, const agent_msg_keypair *mine,
                        const proto_pubkey *peer, const uint8_t *wire, size_t size,
                        uint8_t key[AGENT_MSG_DISCLOSURE_KEY_SIZE])
{
    decoded d;
    if (decode(wire, size, &d) != AGENT_MSG_OK)
        return false;
    uint8_t box[crypto_box_BEFORENMBYTES];
    if (!box_key(c, mine, peer, box))
        return false;
    crypto_core_hsalsa20(key, d.nonce, box, NULL);
    sodium_memzero(box, sizeof box);
    return true;
}

/* crypto_secretbox_open_easy with the subkey in hand: the Salsa20
 * stream from block 0 over 32 zero bytes then the body gives the
 * Poly1305 key then the plaintext (libsodium's
 * crypto_secretbox_xsalsa20poly1305 lays it out so). */
agent_msg_result agent_msg_open_disclosed(const uint8_t key[AGENT_MSG_DISCLOSURE_KEY_SIZE],
                                          const uint8_t *wire, size_t size, agent_msg_header *h,
                                          GBytes **plaintext_out)
{
    decoded d;
    agent_msg_result res = decode(wire, size, &d);
    if (res != AGENT_MSG_OK)
        return res;
    size_t body = d.ct_size - AGENT_MSG_MAC_SIZE;
    uint8_t *buf = g_malloc0(32 + body);
    memcpy(buf + 32, d.ct + AGENT_MSG_MAC_SIZE, body);
    uint8_t poly_key[32];
    crypto_stream_salsa20(poly_key, sizeof poly_key, d.nonce + 16, key);
    if (crypto_onetimeauth_poly1305_verify(d.ct, d.ct + AGENT_MSG_MAC_SIZE, body, poly_key) != 0) {
        sodium_memzero(poly_key, sizeof poly_key);
        g_free(buf);
        return AGENT_MSG_BAD_CIPHERTEXT;
    }
    sodium_memzero(poly_key, sizeof poly_key);
    crypto_stream_salsa20_xor(buf, buf, 32 + body, d.nonce + 16, key);
    GBytes *plain = g_bytes_new(buf + 32, body);
    sodium_memzero(buf, 32 + body);
    g_free(buf);
    *h = d.h;
    *plaintext_out = plain;
    return AGENT_MSG_OK;
}

/* ---- replay window ---- */

void agent_msg_replay_init(agent_msg_replay *r, uint32_t senders_max)
{
    g_assert(senders_max >= 1 && senders_max <= AGENT_MSG_REPLAY_SENDERS_MAX);
    memset(r, 0, sizeof *r);
    r->senders_max = senders_max;
    r->entries = g_new0(agent_msg_replay_entry, senders_max);
}

void agent_msg_replay_clear(agent_msg_replay *r)
{
    g_free(r->entries);
    memset(r, 0, sizeof *r);
}

/* The index of account's entry, or where it would be inserted (*found
 * false). Binary search over the sorted entries. */
static uint32_t replay_find(const agent_msg_replay *r, uint32_t account, bool *found)
{
    uint32_t lo = 0, hi = r->senders_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (r->entries[mid].account < account)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < r->senders_count && r->entries[lo].account == account;
    return lo;
}

agent_msg_result agent_msg_replay_check(const agent_msg_replay *r, uint32_t from, uint64_t seq)
{
    if (seq == 0)
        return AGENT_MSG_STALE;
    bool found;
    uint32_t i = replay_find(r, from, &found);
    if (!found)
        return r->senders_count < r->senders_max ? AGENT_MSG_OK : AGENT_MSG_REPLAY_FULL;
    const agent_msg_replay_entry *e = &r->entries[i];
    if (seq > e->highest)
        return AGENT_MSG_OK;
    uint64_t behind = e->highest - seq;
    if (behind >= AGENT_MSG_REPLAY_WINDOW)
        return AGENT_MSG_STALE;
    return (e->window >> behind) & 1 ? AGENT_MSG_REPLAY : AGENT_MSG_OK;
}

void agent_msg_replay_accept(agent_msg_replay *r, uint32_t from, uint64_t seq)
{
    g_assert(agent_msg_replay_check(r, from, seq) == AGENT_MSG_OK);
    bool found;
    uint32_t i = replay_find(r, from, &found);
    if (!found) {
        memmove(&r->entries[i + 1], &r->entries[i], (r->senders_count - i) * sizeof r->entries[0]);
        r->entries[i] = (agent_msg_replay_entry){.account = from, .highest = seq, .window = 1};
        r->senders_count++;
        return;
    }
    agent_msg_replay_entry *e = &r->entries[i];
    if (seq > e->highest) {
        uint64_t shift = seq - e->highest;
        e->window = shift >= AGENT_MSG_REPLAY_WINDOW ? 1 : (e->window << shift) | 1;
        e->highest = seq;
    } else {
        e->window |= UINT64_C(1) << (e->highest - seq);
    }
}

bool agent_msg_replay_forget(agent_msg_replay *r, uint32_t account)
{
    bool found;
    uint32_t i = replay_find(r, account, &found);
    if (!found)
        return false;
    memmove(&r->entries[i], &r->entries[i + 1], (r->senders_count - i - 1) * sizeof r->entries[0]);
    r->senders_count--;
    memset(&r->entries[r->senders_count], 0, sizeof r->entries[0]);
    return true;
}

GBytes *agent_msg_replay_serialize(const agent_msg_replay *r)
{
    proto_writer w;
    proto_writer_init(&w);
    proto_write_u8(&w, REPLAY_FORMAT_VERSION);
    proto_write_u32(&w, r->senders_max);
    proto_write_u32(&w, r->senders_count);
    for (uint32_t i = 0; i < r->senders_count; i++) {
        proto_write_u32(&w, r->entries[i].account);
        proto_write_u64(&w, r->entries[i].highest);
        proto_write_u64(&w, r->entries[i].window);
    }
    return proto_writer_steal(&w);
}

/* The entries of a serialised state into entries[0..count); false on any
 * entry that breaks the invariants. */
static bool read_entries(proto_reader *rd, agent_msg_replay_entry *entries, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        agent_msg_replay_entry *e = &entries[i];
        e->account = proto_read_u32(rd);
        e->highest = proto_read_u64(rd);
        e->window = proto_read_u64(rd);
        if (rd->failed || e->highest == 0 || (e->window & 1) == 0)
            return false;
        if (i > 0 && entries[i - 1].account >= e->account)
            return false;
    }
    return true;
}

bool agent_msg_replay_deserialize(agent_msg_replay *r, const uint8_t *data, size_t size)
{
    proto_reader rd;
    proto_reader_init(&rd, data, size);
    uint8_t version = proto_read_u8(&rd);
    uint32_t senders_max = proto_read_u32(&rd);
    uint32_t count = proto_read_u32(&rd);
    if (rd.failed || version != REPLAY_FORMAT_VERSION || senders_max == 0 ||
        senders_max > AGENT_MSG_REPLAY_SENDERS_MAX || count > senders_max ||
        proto_reader_remaining(&rd) != (size_t)count * REPLAY_ENTRY_SIZE)
        return false;
    agent_msg_replay_entry *entries = g_new0(agent_msg_replay_entry, senders_max);
    if (!read_entries(&rd, entries, count) || !proto_reader_finish(&rd)) {
        g_free(entries);
        return false;
    }
    g_free(r->entries);
    memset(r, 0, sizeof *r);
    r->senders_max = senders_max;
    r->senders_count = count;
    r->entries = entries;
    return true;
}
