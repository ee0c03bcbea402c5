/* Fuzz harness for the PoA wire decoders (protocol/poa/poa_msg.h),
 * dispatching on the first byte: TX, BLOCK, GET_BLOCKS, BLOCKS.
 *
 * Canonical: every decoded message encodes back to the input; a BLOCK's
 * body is decoded as a node does (proto_block_decode_all) and, when it
 * decodes, the block re-encoded. BLOCKS bodies stay opaque (a node
 * decodes them one by one later; fuzz_chain.c covers blocks).
 * Untouched: poa_msg_blocks_decode promises `out` unchanged on failure,
 * checked with an entry put there first; poa_msg_get_blocks_decode makes
 * no promise (it writes as it reads) and is not checked; TX is the shared
 * proto_txenv_msg_decode (here under a chain's limits), checked in
 * fuzz_chain.c. */
#include "fuzz.h"

#include "protocol/core/msgtype.h"
#include "protocol/poa/poa_msg.h"

/* Bound on txs per block, as a node configured generously would pass. */
#define FUZZ_BLOCK_TXS_MAX 4096
/* The corpus's chain id (make_corpus.c); other ids are refused. */
#define FUZZ_CHAIN_ID 7

static void fuzz_tx(GBytes *wire, const uint8_t *data, size_t size)
{
    proto_txenv tx;
    proto_txenv_limits limits = {.chain_id = FUZZ_CHAIN_ID, .block_gas_limit = UINT64_MAX};
    if (poa_msg_tx_decode(wire, &limits, &tx) == PROTO_TXENV_OK) {
        fuzz_check_same(poa_msg_tx_encode(&tx), data, size, "tx: not canonical");
    }
}

static void fuzz_block(GBytes *wire, const uint8_t *data, size_t size)
{
    GBytes *body = poa_msg_block_body(wire);
    if (body == NULL) {
        return;
    }
    gsize body_size = 0;
    const uint8_t *body_data = g_bytes_get_data(body, &body_size);
    proto_block *b = proto_block_decode_all(body_data, body_size, FUZZ_BLOCK_TXS_MAX);
    if (b != NULL) {
        fuzz_check_same(poa_msg_block_encode(b), data, size, "block: not canonical");
        proto_block_free(b);
    }
    g_bytes_unref(body);
}

static void fuzz_get_blocks(GBytes *wire, const uint8_t *data, size_t size)
{
    uint64_t from = 0;
    uint32_t count = 0;
    if (poa_msg_get_blocks_decode(wire, &from, &count)) {
        fuzz_check_same(poa_msg_get_blocks_encode(from, count), data, size,
                        "get_blocks: not canonical");
    }
}

static void fuzz_blocks(GBytes *wire, const uint8_t *data, size_t size)
{
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    GBytes *sentinel = g_bytes_new_static("x", 1);
    g_ptr_array_add(out, sentinel);
    if (!poa_msg_blocks_decode(wire, out)) {
        fuzz_check(out->len == 1 && out->pdata[0] == sentinel, "blocks: out changed on failure");
    } else {
        g_ptr_array_remove_index(out, 0);
        fuzz_check_same(poa_msg_blocks_encode(out), data, size, "blocks: not canonical");
    }
    g_ptr_array_unref(out);
}

typedef void (*fuzz_fn)(GBytes *wire, const uint8_t *data, size_t size);

static fuzz_fn fuzz_of(uint8_t type)
{
    switch (type) {
    case PROTO_MSG_TX: return fuzz_tx;
    case PROTO_MSG_BLOCK: return fuzz_block;
    case PROTO_MSG_GET_BLOCKS: return fuzz_get_blocks;
    case PROTO_MSG_BLOCKS: return fuzz_blocks;
    default: return NULL;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    proto_crypto_global_init(); /* blocks are hashed; cheap after the first call */
    if (size == 0) {
        return 0;
    }
    fuzz_fn fn = fuzz_of(data[0]);
    GBytes *wire = g_bytes_new(data, size);
    if (fn != NULL) {
        fn(wire, data, size);
    } else {
        /* Another type: the decoders that check the type must refuse it. */
        uint64_t from = 0;
        uint32_t count = 0;
        fuzz_check(poa_msg_block_body(wire) == NULL, "block: accepted another type");
        fuzz_check(!poa_msg_get_blocks_decode(wire, &from, &count),
                   "get_blocks: accepted another type");
    }
    g_bytes_unref(wire);
    return 0;
}
