/* Blocks: a signed header plus a list of transactions.
 *
 * The header commits to parent, height, slot, proposer, timestamp, the
 * Merkle root of tx hashes, the post-execution state root and the fee
 * market's figures (gas limit, gas used, base fee). The block
 * hash is BLAKE2b over the canonical header encoding without the
 * signature; the proposer signs that hash (domain-tagged with the chain
 * id). Decoding checks structure only (bounds, counts, tx root); whether
 * the proposer was scheduled and whether the state root matches is the
 * consensus module's job. */
#ifndef AITBC_PROTOCOL_BLOCK_H
#define AITBC_PROTOCOL_BLOCK_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocol/chain/tx_envelope.h"
#include "protocol/core/codec.h"
#include "protocol/core/crypto.h"
#include "protocol/core/event.h"

typedef struct proto_block_header {
    uint64_t height;       /* genesis = 0 */
    uint64_t slot;         /* PoA slot (PBFT: view) in which it was proposed */
    proto_hash parent;     /* hash of the parent block */
    uint32_t proposer;     /* validator index */
    int64_t timestamp_ns;  /* virtual time at proposal */
    proto_hash tx_root;    /* Merkle root over tx hashes (zero hash if none) */
    proto_hash state_root; /* state root after executing the txs */
    proto_hash ext_hash;   /* hash of the consensus extension (zero hash if none) */
    uint32_t tx_count;
    uint64_t gas_limit;    /* the chain's block gas limit (tx_exec.h rules) */
    uint64_t gas_used;     /* gas the transactions used, summed */
    uint64_t base_fee;     /* EIP-1559 base fee per gas of this block */
    proto_sig sig;         /* proposer's signature over the block hash */
} proto_block_header;

#define PROTO_BLOCK_HEADER_WIRE_SIZE \
    (8 + 8 + PROTO_HASH_SIZE + 4 + 8 + 3 * PROTO_HASH_SIZE + 4 + 3 * 8 + PROTO_SIG_SIZE)

/* The header bytes the block hash covers: all of it but the signature,
 * first on the wire. */
#define PROTO_BLOCK_HASHED_SIZE (PROTO_BLOCK_HEADER_WIRE_SIZE - PROTO_SIG_SIZE)

/* Upper bound on a block's consensus extension, checked before allocating. */
#define PROTO_BLOCK_EXT_MAX (1u << 20)

typedef struct proto_block {
    proto_block_header header;
    proto_hash hash;       /* cached: hash of the unsigned header */
    GArray *txs;           /* of proto_txenv, header.tx_count entries */
    /* Consensus extension: bytes the consensus module defines (PBFT: the
     * previous block's commit signatures, evidence, validator operations;
     * pbft_ext.h). NULL when empty. The header commits to it by ext_hash. */
    GBytes *ext;
    /* Private: tx ids in block order as decode computed them (NULL if not
     * decoded, or sealed since; read with proto_block_tx_ids; whoever
     * edits txs seals again), and the reference count. */
    proto_hash *tx_ids;
    guint tx_ids_count;
    uint32_t refs;
} proto_block;

/* Allocate an empty block (txs array empty), with one reference. */
proto_block *proto_block_new(void);
/* Another reference to b. A block with more than one (one a memo hands
 * out to many nodes, protocol/memo/block_memo.h) is shared: read-only. */
proto_block *proto_block_ref(proto_block *b);
/* Drop one reference; the last frees the block. */
void proto_block_free(proto_block *b);
/* The tx ids of b in block order into out[b->txs->len]: copied when
 * decode computed them, else hashed now. */
void proto_block_tx_ids(const proto_block *b, proto_hash *out);

/* Compute header.tx_root and header.tx_count from txs and header.ext_hash
 * from ext, then the hash. */
void proto_block_seal_txs(proto_block *b);
/* Hash of the header fields except the signature. */
void proto_block_compute_hash(const proto_block_header *h, proto_hash *out);
void proto_block_sign(proto_block *b, uint64_t chain_id, proto_crypto *c, const proto_keypair *kp);
/* proto_block_sign refreshes b->hash from the header before signing;
 * verify recomputes the hash from the header (b->hash is not trusted). */
bool proto_block_verify_sig(const proto_block *b, uint64_t chain_id, proto_crypto *c,
                            const proto_pubkey *pk);

/* A header alone (PROTO_BLOCK_HEADER_WIRE_SIZE bytes, the way a block's
 * encoding begins): a signed proposal without its body, as PBFT's
 * prepared certificates carry their pre-prepare. The reader latches
 * failed on short input; h is filled only on success. */
void proto_block_header_write(const proto_block_header *h, proto_writer *w);
bool proto_block_header_read(proto_reader *r, proto_block_header *h);
/* The signature of h over the hash of its other fields, recomputed. */
bool proto_block_header_verify_sig(const proto_block_header *h, uint64_t chain_id,
                                   proto_crypto *c, const proto_pubkey *pk);

void proto_block_encode(const proto_block *b, proto_writer *w);
/* Decode a whole block; fails (returns NULL) on malformed input, more than
 * txs_max transactions, a header tx_count that differs from the number of
 * txs, two txs with the same hash, a tx root that does not match the
 * txs, an extension over PROTO_BLOCK_EXT_MAX or one whose hash is not
 * ext_hash. On failure the reader is latched failed. On success the reader is
 * left just after the block (several blocks can follow each other in one
 * message): the caller checks trailing bytes with proto_reader_finish. The
 * returned block has its hash computed; the signature is NOT checked. */
proto_block *proto_block_decode(proto_reader *r, uint32_t txs_max);
/* Decode bytes that must hold exactly one block (trailing bytes fail). */
proto_block *proto_block_decode_all(const void *data, size_t size, uint32_t txs_max);

/* An observation about block b: height, slot, proposer, tx count,
 * proposal time, hash and claimed state root filled in (pointers borrow
 * from b); the caller sets the rest (from, tx_hashes, ...). */
proto_event proto_block_event(proto_event_kind kind, const proto_block *b);

/* Merkle root over a list of hashes (duplicating the last on odd levels;
 * zero hash for an empty list). */
void proto_merkle_root(const proto_hash *leaves, size_t count, proto_hash *out);

#endif
