/* Shared setup for the PBFT message and certificate tests: ten validators
 * with derived keys (equal stakes unless a test changes them), a crypto
 * context in either mode, signed certificates for any subset of
 * validators, and small signed blocks to carry inside messages. */
#ifndef AITBC_TEST_PBFT_FIXTURE_H
#define AITBC_TEST_PBFT_FIXTURE_H

#include <glib.h>
#include <stdint.h>

#include "protocol/chain/block.h"
#include "protocol/pbft/pbft_msg.h"

#define PBFT_FIX_CHAIN_ID 7
#define PBFT_FIX_N 10
#define PBFT_FIX_ALL ((1u << PBFT_FIX_N) - 1)

typedef struct pbft_fixture {
    proto_crypto *c;
    proto_keypair keys[PBFT_FIX_N];
    proto_pubkey pubs[PBFT_FIX_N];
    uint64_t stakes[PBFT_FIX_N];
    pbft_quorum q; /* over all PBFT_FIX_N validators, stakes 100 each */
} pbft_fixture;

void pbft_fixture_init(pbft_fixture *f, proto_crypto_mode mode);
void pbft_fixture_clear(pbft_fixture *f);
/* Initialises c and adds a valid vote signature of every validator whose
 * bit is set in signers (added highest first, to exercise sorted insert). */
void pbft_fixture_cert(pbft_fixture *f, pbft_cert *c, uint8_t phase, uint64_t view, uint64_t seq,
                       const proto_hash *digest, uint32_t signers);
/* A sealed block signed by validator view % N with txs_count signed txs. */
proto_block *pbft_fixture_block(pbft_fixture *f, uint64_t height, uint64_t view,
                                uint32_t txs_count);
/* proto_block_encode of b. */
GBytes *pbft_fixture_block_bytes(const proto_block *b);
/* An exactly sized heap copy of size bytes of data (ASan sees overreads). */
GBytes *pbft_fixture_exact(const void *data, size_t size);

#endif
