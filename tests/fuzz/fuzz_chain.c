/* Fuzz harness for the chain-level decoders that every consensus module
 * shares: a whole block (proto_block_decode_all, protocol/chain/block.h),
 * the TX gossip message (tx_envelope.h) and the PBFT block extension
 * (pbft_ext_decode, pbft_ext.h). The first byte picks the decoder:
 * PROTO_MSG_TX messages are taken whole (the byte is their type);
 * PROTO_MSG_BLOCK (2) and 0 mean "a block" and "an extension" in the
 * bytes after it. (fuzz_txenv fuzzes the envelope decoder with its
 * value rules.)
 *
 * Canonical: each decoded value encodes back to the input bytes. A
 * block's extension is opaque to the block decoder (it checks only the
 * ext_hash), and a decoded block keeps the bytes it hashed, so its
 * extension is also decoded and re-encoded here.
 * Untouched: proto_txenv_msg_decode keeps its output untouched on a
 * refusal, which is checked; pbft_ext_decode initialises its output
 * first, so it is not. */
#include "fuzz.h"

#include "protocol/chain/block.h"
#include "protocol/chain/tx_envelope.h"
#include "protocol/core/msgtype.h"
#include "protocol/pbft/pbft_ext.h"

#define FUZZ_BLOCK_TXS_MAX 4096
#define FUZZ_SELECT_EXT 0

static void check_ext(GBytes *ext, const char *what)
{
    pbft_ext e;
    if (pbft_ext_decode(ext, &e)) {
        gsize size = 0;
        const uint8_t *data = ext != NULL ? g_bytes_get_data(ext, &size) : NULL;
        fuzz_check_same(pbft_ext_encode(&e), data, size, what);
    }
    pbft_ext_clear(&e);
}

static void fuzz_block(const uint8_t *data, size_t size)
{
    proto_block *b = proto_block_decode_all(data, size, FUZZ_BLOCK_TXS_MAX);
    if (b == NULL) {
        return;
    }
    proto_writer w;
    proto_writer_init(&w);
    proto_block_encode(b, &w);
    GBytes *encoded = proto_writer_steal(&w);
    proto_writer_clear(&w);
    fuzz_check_same(encoded, data, size, "block: not canonical");
    check_ext(b->ext, "block: extension not canonical");
    proto_block_free(b);
}

static void fuzz_tx(GBytes *wire, const uint8_t *data, size_t size)
{
    proto_txenv tx;
    memset(&tx, FUZZ_FILL, sizeof tx);
    if (proto_txenv_msg_decode(wire, NULL, &tx) != PROTO_TXENV_OK) {
        fuzz_check_filled(&tx, sizeof tx, "tx: output written on failure");
        return;
    }
    fuzz_check_same(proto_txenv_msg_encode(&tx), data, size, "tx: not canonical");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    proto_crypto_global_init(); /* blocks are hashed; cheap after the first call */
    if (size == 0) {
        return 0;
    }
    GBytes *wire = g_bytes_new(data, size);
    switch (data[0]) {
    case PROTO_MSG_TX:
        fuzz_tx(wire, data, size);
        break;
    case PROTO_MSG_BLOCK:
        fuzz_block(data + 1, size - 1);
        break;
    case FUZZ_SELECT_EXT: {
        GBytes *ext = g_bytes_new(data + 1, size - 1);
        check_ext(ext, "ext: not canonical");
        g_bytes_unref(ext);
        break;
    }
    default:
        /* The typed decoders must refuse another type. */
        fuzz_tx(wire, data, size);
        break;
    }
    g_bytes_unref(wire);
    return 0;
}
