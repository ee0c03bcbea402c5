/* Shared setup for the PBFT message and certificate tests (see
 * pbft_fixture.h). Keys are derived from a fixed seed, so every run signs
 * the same bytes. */
#include "support/pbft_fixture.h"

#include <check.h>
#include <string.h>

#include "support/tx_fixture.h"

void pbft_fixture_init(pbft_fixture *f, proto_crypto_mode mode)
{
    proto_crypto_global_init();
    f->c = proto_crypto_new(mode, 1024);
    for (uint32_t i = 0; i < PBFT_FIX_N; i++) {
        char label[32];
        g_snprintf(label, sizeof label, "validator/%u", i);
        proto_keypair_derive(&f->keys[i], 5, label);
        f->pubs[i] = f->keys[i].pk;
        f->stakes[i] = 100;
    }
    pbft_quorum_init(&f->q, PBFT_FIX_N, f->pubs, f->stakes);
}

void pbft_fixture_clear(pbft_fixture *f)
{
    proto_crypto_free(f->c);
}

void pbft_fixture_cert(pbft_fixture *f, pbft_cert *c, uint8_t phase, uint64_t view, uint64_t seq,
                       const proto_hash *digest, uint32_t signers)
{
    pbft_cert_init(c, phase, view, seq, digest);
    for (int i = PBFT_FIX_N - 1; i >= 0; i--) {
        if ((signers & (1u << i)) == 0) {
            continue;
        }
        pbft_vote v = {
            .phase = phase, .view = view, .seq = seq, .digest = *digest, .validator = (uint32_t)i};
        pbft_vote_sign(&v, PBFT_FIX_CHAIN_ID, f->c, &f->keys[i]);
        ck_assert(pbft_cert_add(c, (uint32_t)i, &v.sig));
    }
}

proto_block *pbft_fixture_block(pbft_fixture *f, uint64_t height, uint64_t view, uint32_t txs_count)
{
    proto_block *b = proto_block_new();
    b->header.height = height;
    b->header.slot = view;
    b->header.proposer = (uint32_t)(view % PBFT_FIX_N);
    b->header.timestamp_ns = (int64_t)height * 1000;
    memset(b->header.parent.bytes, (int)(height & 0xff), PROTO_HASH_SIZE);
    memset(b->header.state_root.bytes, 0x33, PROTO_HASH_SIZE);
    for (uint32_t i = 0; i < txs_count; i++) {
        txfix_fees fees = {.max_fee_per_gas = 10, .max_priority_fee_per_gas = 1};
        proto_txenv tx = txfix_transfer(f->c, PBFT_FIX_CHAIN_ID, &f->keys[i % PBFT_FIX_N],
                                        height + i / PBFT_FIX_N, i + 1, 10 + i, fees);
        g_array_append_val(b->txs, tx);
    }
    proto_block_seal_txs(b);
    proto_block_sign(b, PBFT_FIX_CHAIN_ID, f->c, &f->keys[b->header.proposer]);
    return b;
}

GBytes *pbft_fixture_block_bytes(const proto_block *b)
{
    proto_writer w;
    proto_writer_init(&w);
    proto_block_encode(b, &w);
    GBytes *out = proto_writer_steal(&w);
    proto_writer_clear(&w);
    return out;
}

GBytes *pbft_fixture_exact(const void *data, size_t size)
{
    return g_bytes_new_take(g_memdup2(data, size), size);
}
