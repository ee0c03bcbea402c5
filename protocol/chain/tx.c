/* Transfer transactions: canonical encoding, signing bytes, tx id.
 *
 * Wire layout (PROTO_TX_WIRE_SIZE = 104 bytes, all little-endian):
 *     from u32 | to u32 | amount u64 | fee u64 | nonce u64 |
 *     submitted_ns i64 | sig[64]
 * Signing bytes (56 bytes): "aitbc-tx" (8 bytes, no NUL) | chain_id u64 |
 * the wire layout without sig. The tag keeps a tx signature from being
 * valid as any other signed message (blocks use "aitbc-blk"), the chain id
 * keeps it from being replayed on another chain. submitted_ns is signed
 * too even though only metrics read it, so a relay cannot alter it.
 *
 * Sign, verify and hash run once per tx per node, so they encode into
 * fixed stack buffers rather than a heap-backed proto_writer; the
 * writer-based functions produce byte-identical output (tested). */
#include "protocol/chain/tx.h"

#include "protocol/core/msgtype.h"

#include <string.h>

#define TX_DOMAIN_TAG "aitbc-tx"
#define TX_DOMAIN_TAG_SIZE 8
#define TX_BODY_SIZE (PROTO_TX_WIRE_SIZE - PROTO_SIG_SIZE)
#define TX_SIGNING_SIZE (TX_DOMAIN_TAG_SIZE + 8 + TX_BODY_SIZE)

G_STATIC_ASSERT(sizeof(TX_DOMAIN_TAG) - 1 == TX_DOMAIN_TAG_SIZE);

/* Every field but the signature, in wire order. */
static void tx_put_body(const proto_tx *tx, uint8_t out[TX_BODY_SIZE])
{
    proto_le_put_u32(out + 0, tx->from);
    proto_le_put_u32(out + 4, tx->to);
    proto_le_put_u64(out + 8, tx->amount);
    proto_le_put_u64(out + 16, tx->fee);
    proto_le_put_u64(out + 24, tx->nonce);
    proto_le_put_u64(out + 32, (uint64_t)tx->submitted_ns);
}

static void tx_put_signing(const proto_tx *tx, uint64_t chain_id, uint8_t out[TX_SIGNING_SIZE])
{
    memcpy(out, TX_DOMAIN_TAG, TX_DOMAIN_TAG_SIZE);
    proto_le_put_u64(out + TX_DOMAIN_TAG_SIZE, chain_id);
    tx_put_body(tx, out + TX_DOMAIN_TAG_SIZE + 8);
}

static void tx_put_wire(const proto_tx *tx, uint8_t out[PROTO_TX_WIRE_SIZE])
{
    tx_put_body(tx, out);
    memcpy(out + TX_BODY_SIZE, tx->sig.bytes, PROTO_SIG_SIZE);
}

void proto_tx_signing_bytes(const proto_tx *tx, uint64_t chain_id, proto_writer *w)
{
    uint8_t buf[TX_SIGNING_SIZE];
    tx_put_signing(tx, chain_id, buf);
    proto_write_raw(w, buf, sizeof buf);
}

void proto_tx_sign(proto_tx *tx, uint64_t chain_id, proto_crypto *c, const proto_keypair *kp)
{
    uint8_t buf[TX_SIGNING_SIZE];
    tx_put_signing(tx, chain_id, buf);
    proto_sign(c, &tx->sig, buf, sizeof buf, kp);
}

bool proto_tx_verify(const proto_tx *tx, uint64_t chain_id, proto_crypto *c,
                     const proto_pubkey *pk)
{
    uint8_t buf[TX_SIGNING_SIZE];
    tx_put_signing(tx, chain_id, buf);
    return proto_verify(c, &tx->sig, buf, sizeof buf, pk);
}

void proto_tx_encode(const proto_tx *tx, proto_writer *w)
{
    uint8_t buf[PROTO_TX_WIRE_SIZE];
    tx_put_wire(tx, buf);
    proto_write_raw(w, buf, sizeof buf);
}

/* Every 104-byte string is a well-formed tx (all fields are plain
 * integers), so decoding can only fail by truncation; semantic checks
 * (indexes, nonce, funds, signature) belong to the state. */
void proto_tx_decode(proto_reader *r, proto_tx *tx)
{
    tx->from = proto_read_u32(r);
    tx->to = proto_read_u32(r);
    tx->amount = proto_read_u64(r);
    tx->fee = proto_read_u64(r);
    tx->nonce = proto_read_u64(r);
    tx->submitted_ns = proto_read_i64(r);
    proto_read_raw(r, tx->sig.bytes, PROTO_SIG_SIZE);
}

void proto_tx_hash(const proto_tx *tx, proto_hash *out)
{
    uint8_t buf[PROTO_TX_WIRE_SIZE];
    tx_put_wire(tx, buf);
    proto_hash_bytes(out, buf, sizeof buf);
}

GBytes *proto_tx_msg_encode(const proto_tx *tx)
{
    proto_writer w;
    proto_writer_init(&w);
    proto_write_u8(&w, PROTO_MSG_TX);
    proto_tx_encode(tx, &w);
    return proto_writer_steal(&w);
}

bool proto_tx_msg_decode(GBytes *wire, proto_tx *out)
{
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(wire, &size);
    proto_reader r;
    proto_reader_init(&r, data, size);
    if (proto_read_u8(&r) != PROTO_MSG_TX)
        return false;
    proto_tx tx;
    proto_tx_decode(&r, &tx);
    if (!proto_reader_finish(&r))
        return false;
    *out = tx;
    return true;
}
