/* Blocks: header hashing, proposer signature, wire encoding, tx Merkle root.
 *
 * Wire layout (all little-endian):
 *     height u64 | slot u64 | parent[32] | proposer u32 | timestamp_ns i64 |
 *     tx_root[32] | state_root[32] | ext_hash[32] | tx_count u32 |
 *     gas_limit u64 | gas_used u64 | base_fee u64      (184 bytes, hashed)
 *     sig[64]                                          (header ends: 248 bytes)
 *     u32 tx count | tx_count * transaction envelope (tx_envelope.h; each
 *                    ends where its own structure says)
 *     u32 ext length | ext bytes
 * The block hash is BLAKE2b-256 of the first 184 bytes; ext_hash is
 * BLAKE2b-256 of the extension (the zero hash when it is empty), so the
 * proposer's signature covers the extension too. The proposer signs
 * "aitbc-blk" (9 bytes) || chain_id u64 || block hash; the tag differs from
 * the tx tag "aitbc-tx2" within the first 8 bytes, so no tx signing string
 * is ever a block signing string.
 *
 * The tx count appears twice (hashed header, and framing before the txs);
 * decode requires them equal, so the framing cannot disagree with what
 * the proposer signed.
 *
 * Merkle root: the zero hash for no txs; otherwise leaves are the tx
 * hashes, combined pairwise with H(left || right), the last node of an odd
 * level paired with itself (Bitcoin's rule). That rule has a known flaw,
 * CVE-2012-2459: the lists [a, b, c] and [a, b, c, c] have the same root,
 * so a node that caches "block with this hash is invalid" after seeing the
 * padded variant could reject the valid block. We close it twice: decode
 * rejects any block with two equal tx hashes (such a block could never
 * apply anyway: the second copy reuses a nonce), and the tx count is part
 * of the hashed header. A one-leaf tree's root is the leaf itself; a leaf
 * (hash of a transaction of at least PROTO_TXENV_WIRE_SIZE_MIN bytes) cannot be confused with an interior node (hash
 * of 64 bytes) without a BLAKE2b collision, and again tx_count differs. */
#include "protocol/chain/block.h"

#include <stdlib.h>
#include <string.h>

#define BLOCK_UNSIGNED_SIZE PROTO_BLOCK_HASHED_SIZE
#define BLOCK_DOMAIN_TAG "aitbc-blk"
#define BLOCK_DOMAIN_TAG_SIZE 9
#define BLOCK_SIGNING_SIZE (BLOCK_DOMAIN_TAG_SIZE + 8 + PROTO_HASH_SIZE)

G_STATIC_ASSERT(sizeof(BLOCK_DOMAIN_TAG) - 1 == BLOCK_DOMAIN_TAG_SIZE);
G_STATIC_ASSERT(BLOCK_UNSIGNED_SIZE == 184);

proto_block *proto_block_new(void)
{
    proto_block *b = g_new0(proto_block, 1);
    b->txs = g_array_new(FALSE, TRUE, sizeof(proto_txenv));
    b->refs = 1;
    return b;
}

proto_block *proto_block_ref(proto_block *b)
{
    g_assert(b->refs > 0 && b->refs < UINT32_MAX);
    b->refs++;
    return b;
}

void proto_block_free(proto_block *b)
{
    if (b == NULL) {
        return;
    }
    g_assert(b->refs > 0);
    if (--b->refs > 0)
        return;
    g_array_unref(b->txs);
    if (b->ext != NULL)
        g_bytes_unref(b->ext);
    g_free(b->tx_ids);
    g_free(b);
}

static void header_put_unsigned(const proto_block_header *h, uint8_t out[BLOCK_UNSIGNED_SIZE])
{
    uint8_t *p = out;
    proto_le_put_u64(p, h->height);
    p += 8;
    proto_le_put_u64(p, h->slot);
    p += 8;
    memcpy(p, h->parent.bytes, PROTO_HASH_SIZE);
    p += PROTO_HASH_SIZE;
    proto_le_put_u32(p, h->proposer);
    p += 4;
    proto_le_put_u64(p, (uint64_t)h->timestamp_ns);
    p += 8;
    memcpy(p, h->tx_root.bytes, PROTO_HASH_SIZE);
    p += PROTO_HASH_SIZE;
    memcpy(p, h->state_root.bytes, PROTO_HASH_SIZE);
    p += PROTO_HASH_SIZE;
    memcpy(p, h->ext_hash.bytes, PROTO_HASH_SIZE);
    p += PROTO_HASH_SIZE;
    proto_le_put_u32(p, h->tx_count);
    p += 4;
    proto_le_put_u64(p, h->gas_limit);
    p += 8;
    proto_le_put_u64(p, h->gas_used);
    p += 8;
    proto_le_put_u64(p, h->base_fee);
    p += 8;
    g_assert(p == out + BLOCK_UNSIGNED_SIZE);
}

void proto_block_compute_hash(const proto_block_header *h, proto_hash *out)
{
    uint8_t buf[BLOCK_UNSIGNED_SIZE];
    header_put_unsigned(h, buf);
    proto_hash_bytes(out, buf, sizeof buf);
}

void proto_merkle_root(const proto_hash *leaves, size_t count, proto_hash *out)
{
    if (count == 0) {
        memset(out, 0, sizeof *out);
        return;
    }
    if (count == 1) {
        *out = leaves[0];
        return;
    }
    /* Level k+1 overwrites level k in place: slot i/2 is written only after
     * slots i and i + 1 were read. */
    proto_hash *level = g_new(proto_hash, (count + 1) / 2);
    const proto_hash *src = leaves;
    size_t n = count;
    while (n > 1) {
        for (size_t i = 0; i < n; i += 2) {
            const proto_hash *right = i + 1 < n ? &src[i + 1] : &src[i];
            proto_hash_pair(&level[i / 2], &src[i], right);
        }
        src = level;
        n = (n + 1) / 2;
    }
    *out = level[0];
    g_free(level);
}

/* Tx ids of b->txs, newly allocated (NULL for none). */
static proto_hash *block_tx_hashes(const proto_block *b)
{
    if (b->txs->len == 0) {
        return NULL;
    }
    proto_hash *hashes = g_new(proto_hash, b->txs->len);
    for (guint i = 0; i < b->txs->len; i++) {
        proto_txenv_hash(&g_array_index(b->txs, proto_txenv, i), &hashes[i]);
    }
    return hashes;
}

static void ext_hash(GBytes *ext, proto_hash *out)
{
    gsize size = 0;
    const void *data = ext != NULL ? g_bytes_get_data(ext, &size) : NULL;
    if (size == 0)
        memset(out, 0, sizeof *out);
    else
        proto_hash_bytes(out, data, size);
}

void proto_block_tx_ids(const proto_block *b, proto_hash *out)
{
    if (b->tx_ids != NULL && b->tx_ids_count == b->txs->len) {
        memcpy(out, b->tx_ids, b->txs->len * sizeof *out);
        return;
    }
    for (guint i = 0; i < b->txs->len; i++)
        proto_txenv_hash(&g_array_index(b->txs, proto_txenv, i), &out[i]);
}

void proto_block_seal_txs(proto_block *b)
{
    g_assert(b->refs == 1);
    g_free(b->tx_ids); /* the txs may have changed: forget decode's ids */
    b->tx_ids = NULL;
    b->tx_ids_count = 0;
    ext_hash(b->ext, &b->header.ext_hash);
    proto_hash *hashes = block_tx_hashes(b);
    proto_merkle_root(hashes, b->txs->len, &b->header.tx_root);
    g_free(hashes);
    b->header.tx_count = b->txs->len;
    proto_block_compute_hash(&b->header, &b->hash);
}

static void block_signing_bytes(const proto_hash *hash, uint64_t chain_id,
                                uint8_t out[BLOCK_SIGNING_SIZE])
{
    memcpy(out, BLOCK_DOMAIN_TAG, BLOCK_DOMAIN_TAG_SIZE);
    proto_le_put_u64(out + BLOCK_DOMAIN_TAG_SIZE, chain_id);
    memcpy(out + BLOCK_DOMAIN_TAG_SIZE + 8, hash->bytes, PROTO_HASH_SIZE);
}

/* Refreshes b->hash from the header first, so a header edited after
 * sealing is never signed under a stale hash. */
void proto_block_sign(proto_block *b, uint64_t chain_id, proto_crypto *c, const proto_keypair *kp)
{
    proto_block_compute_hash(&b->header, &b->hash);
    uint8_t msg[BLOCK_SIGNING_SIZE];
    block_signing_bytes(&b->hash, chain_id, msg);
    proto_sign(c, &b->header.sig, msg, sizeof msg, kp);
}

/* Recomputes the hash from the header rather than trusting b->hash. */
bool proto_block_verify_sig(const proto_block *b, uint64_t chain_id, proto_crypto *c,
                            const proto_pubkey *pk)
{
    return proto_block_header_verify_sig(&b->header, chain_id, c, pk);
}

bool proto_block_header_verify_sig(const proto_block_header *h, uint64_t chain_id,
                                   proto_crypto *c, const proto_pubkey *pk)
{
    proto_hash hash;
    proto_block_compute_hash(h, &hash);
    uint8_t msg[BLOCK_SIGNING_SIZE];
    block_signing_bytes(&hash, chain_id, msg);
    return proto_verify(c, &h->sig, msg, sizeof msg, pk);
}

void proto_block_header_write(const proto_block_header *h, proto_writer *w)
{
    uint8_t buf[BLOCK_UNSIGNED_SIZE];
    header_put_unsigned(h, buf);
    proto_write_raw(w, buf, sizeof buf);
    proto_write_raw(w, h->sig.bytes, PROTO_SIG_SIZE);
}

/* Writes what is there: a header whose tx_count disagrees with txs gives
 * bytes that proto_block_decode rejects (useful to Byzantine wrappers and
 * tests, never produced by proto_block_seal_txs). */
void proto_block_encode(const proto_block *b, proto_writer *w)
{
    uint8_t buf[BLOCK_UNSIGNED_SIZE];
    header_put_unsigned(&b->header, buf);
    proto_write_raw(w, buf, sizeof buf);
    proto_write_raw(w, b->header.sig.bytes, PROTO_SIG_SIZE);
    proto_write_u32(w, b->txs->len);
    for (guint i = 0; i < b->txs->len; i++) {
        proto_txenv_encode(&g_array_index(b->txs, proto_txenv, i), w);
    }
    gsize ext_size = 0;
    const void *ext = b->ext != NULL ? g_bytes_get_data(b->ext, &ext_size) : NULL;
    proto_write_u32(w, (uint32_t)ext_size);
    if (ext_size > 0)
        proto_write_raw(w, ext, ext_size);
}

static void header_read(proto_reader *r, proto_block_header *h)
{
    h->height = proto_read_u64(r);
    h->slot = proto_read_u64(r);
    proto_read_raw(r, h->parent.bytes, PROTO_HASH_SIZE);
    h->proposer = proto_read_u32(r);
    h->timestamp_ns = proto_read_i64(r);
    proto_read_raw(r, h->tx_root.bytes, PROTO_HASH_SIZE);
    proto_read_raw(r, h->state_root.bytes, PROTO_HASH_SIZE);
    proto_read_raw(r, h->ext_hash.bytes, PROTO_HASH_SIZE);
    h->tx_count = proto_read_u32(r);
    h->gas_limit = proto_read_u64(r);
    h->gas_used = proto_read_u64(r);
    h->base_fee = proto_read_u64(r);
    proto_read_raw(r, h->sig.bytes, PROTO_SIG_SIZE);
}

bool proto_block_header_read(proto_reader *r, proto_block_header *h)
{
    proto_block_header got;
    header_read(r, &got);
    if (r->failed)
        return false;
    *h = got;
    return true;
}

static int hash_cmp(const void *a, const void *b)
{
    return proto_hash_compare(a, b);
}

/* True iff the tx ids are pairwise distinct and their root is tx_root;
 * then b keeps them (proto_block_tx_ids). */
static bool block_txs_consistent(proto_block *b)
{
    guint n = b->txs->len;
    proto_hash *hashes = block_tx_hashes(b);
    proto_hash root;
    proto_merkle_root(hashes, n, &root);
    bool ok = proto_hash_equal(&root, &b->header.tx_root);
    if (ok && n > 1) {
        proto_hash *sorted = g_memdup2(hashes, n * sizeof *hashes);
        qsort(sorted, n, sizeof *sorted, hash_cmp);
        for (guint i = 1; i < n && ok; i++) {
            ok = !proto_hash_equal(&sorted[i - 1], &sorted[i]);
        }
        g_free(sorted);
    }
    if (ok) {
        b->tx_ids = hashes;
        b->tx_ids_count = n;
    } else {
        g_free(hashes);
    }
    return ok;
}

/* Reads the tx list after the header. The count is checked against the
 * header, txs_max and the bytes actually left before anything is
 * allocated, so a lying count cannot cost memory. */
static bool block_read_txs(proto_reader *r, proto_block *b, uint32_t txs_max)
{
    uint32_t n = proto_read_u32(r);
    if (r->failed || n != b->header.tx_count || n > txs_max ||
        n > proto_reader_remaining(r) / PROTO_TXENV_WIRE_SIZE_MIN) {
        return false;
    }
    g_array_set_size(b->txs, n);
    for (uint32_t i = 0; i < n && !r->failed; i++) {
        proto_txenv_read(r, &g_array_index(b->txs, proto_txenv, i), NULL);
    }
    return !r->failed;
}

/* Reads the extension after the txs; its length is bounded before
 * anything is copied and its hash must be the header's. */
static bool block_read_ext(proto_reader *r, proto_block *b)
{
    uint32_t n = proto_read_u32(r);
    if (r->failed || n > PROTO_BLOCK_EXT_MAX || n > proto_reader_remaining(r))
        return false;
    if (n > 0)
        b->ext = g_bytes_new(proto_read_view(r, n), n);
    proto_hash h;
    ext_hash(b->ext, &h);
    return !r->failed && proto_hash_equal(&h, &b->header.ext_hash);
}

proto_block *proto_block_decode(proto_reader *r, uint32_t txs_max)
{
    proto_block *b = proto_block_new();
    header_read(r, &b->header);
    if (r->failed || !block_read_txs(r, b, txs_max) || !block_read_ext(r, b) ||
        !block_txs_consistent(b)) {
        r->failed = true;
        proto_block_free(b);
        return NULL;
    }
    proto_block_compute_hash(&b->header, &b->hash);
    return b;
}

proto_block *proto_block_decode_all(const void *data, size_t size, uint32_t txs_max)
{
    proto_reader r;
    proto_reader_init(&r, data, size);
    proto_block *b = proto_block_decode(&r, txs_max);
    if (b != NULL && !proto_reader_finish(&r)) {
        proto_block_free(b);
        return NULL;
    }
    return b;
}

proto_event proto_block_event(proto_event_kind kind, const proto_block *b)
{
    return (proto_event){.kind = kind,
                         .height = b->header.height,
                         .slot = b->header.slot,
                         .proposer = b->header.proposer,
                         .tx_count = b->header.tx_count,
                         .proposed_ns = b->header.timestamp_ns,
                         .hash = b->hash.bytes,
                         .state_root = b->header.state_root.bytes,
                         .gas_used = b->header.gas_used,
                         .gas_limit = b->header.gas_limit,
                         .base_fee = b->header.base_fee};
}
