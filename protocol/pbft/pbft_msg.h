/* PBFT wire messages, votes and certificates.
 *
 * Every message starts with its type byte (protocol/core/msgtype.h); all
 * integers are little-endian (protocol/core/codec.h). Layouts:
 *
 *   PREPREPARE : type | view u64 | u32 length | block
 *                (seq = the block's height; the block's own signature by
 *                primary(seq, view), with header.slot = view, signs it)
 *   PREPARE, COMMIT, CHECKPOINT (a vote):
 *                type | view u64 | seq u64 | digest 32 | validator u32 | sig 64
 *                (CHECKPOINT: view = 0, digest = hash of block `seq`)
 *   VIEWCHANGE : type | u32 length | signed part | sig 64 | attachments
 *     signed part = new_view u64 | validator u32 | checkpoint cert
 *                 | committed cert | u32 count | count x prepared cert
 *   NEWVIEW    : type | u32 length | signed part | sig 64 | attachments
 *     signed part = view u64 | leader u32 | u32 count
 *                 | count x (u32 length | VIEWCHANGE signed part | sig 64)
 *   DECIDED    : type | u32 length | block | commit cert
 *   GET_BLOCKS : type | from_height u64 | count u32
 *   BLOCKS     : type | u32 count | count x (u32 length | block | commit cert)
 *   STATUS     : type | view u64 | committed_height u64
 *
 *   cert        = phase u8 | view u64 | seq u64 | digest 32
 *               | u32 count | count x (validator u32 | sig 64)
 *               [PREPARE only: u8 has_preprepare (0 or 1)
 *                | the block header with its signature, if 1]
 *   attachments = u32 count | count x (u32 length | block)
 *
 * A vote signs BLAKE2b("aitbc/pbft/vote" | chain_id | phase | view | seq |
 * digest); a VIEWCHANGE or NEWVIEW signs BLAKE2b("aitbc/pbft/viewchange" or
 * "aitbc/pbft/newview" | chain_id | signed part). A certificate is a set
 * of votes for one (phase, view, seq, digest) stored as (validator, sig)
 * pairs with validators strictly increasing, so one vote per validator.
 * Attachments are unsigned: a block is trusted only through the digest a
 * signed part names. Decoders check structure and bounds only, never
 * signatures or stake (pbft_cert_verify does that). */
#ifndef AITBC_PROTOCOL_PBFT_MSG_H
#define AITBC_PROTOCOL_PBFT_MSG_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocol/chain/block.h"
#include "protocol/core/codec.h"
#include "protocol/core/crypto.h"

typedef enum pbft_phase {
    PBFT_PHASE_PREPARE = 1,
    PBFT_PHASE_COMMIT = 2,
    PBFT_PHASE_CHECKPOINT = 3,
} pbft_phase;

/* Bounds that make a decoder reject a message before allocating. */
#define PBFT_CERT_SIGS_MAX 4096       /* >= validators */
#define PBFT_PREPARED_MAX 64          /* P entries in one VIEWCHANGE */
#define PBFT_VIEWCHANGES_MAX 4096     /* VIEWCHANGEs in one NEWVIEW */
#define PBFT_ATTACHMENTS_MAX 64       /* blocks attached to one message */
#define PBFT_BLOCKS_MAX 64            /* blocks in one BLOCKS response */

typedef struct pbft_vote {
    uint8_t phase;          /* pbft_phase */
    uint64_t view;
    uint64_t seq;
    proto_hash digest;
    uint32_t validator;
    proto_sig sig;
} pbft_vote;

typedef struct pbft_cert_sig {
    uint32_t validator;
    proto_sig sig;
} pbft_cert_sig;

typedef struct pbft_cert {
    uint8_t phase;
    uint64_t view;
    uint64_t seq;
    proto_hash digest;
    GArray *sigs;           /* pbft_cert_sig, validator strictly increasing */
    /* PREPARE certificates only: the PRE-PREPARE that stands for its
     * proposer's PREPARE (the paper's P_m: the pre-prepare and 2f
     * PREPAREs of backups), the block's signed header. It counts when it
     * is the block `digest` proposed in `view` at `seq` and its proposer
     * has no signature in sigs. */
    bool has_preprepare;
    proto_block_header preprepare;
} pbft_cert;

typedef struct pbft_viewchange {
    uint64_t new_view;
    uint32_t validator;
    pbft_cert checkpoint;   /* CHECKPOINT cert of the sender's stable checkpoint
                             * (seq 0 with no sigs: genesis) */
    pbft_cert committed;    /* COMMIT cert of the sender's highest committed block
                             * (seq 0 with no sigs: genesis) */
    GPtrArray *prepared;    /* pbft_cert* (PREPARE), seq strictly increasing,
                             * every seq > committed.seq */
    proto_sig sig;
    GBytes *signed_part;    /* the exact bytes signed (a NEWVIEW embeds them) */
} pbft_viewchange;

typedef struct pbft_newview {
    uint64_t view;
    uint32_t leader;
    GPtrArray *viewchanges; /* pbft_viewchange* */
    proto_sig sig;
    GBytes *signed_part;
} pbft_newview;

/* A block with the commit certificate that proves it final. */
typedef struct pbft_decided {
    GBytes *block;          /* block encoding (proto_block_encode) */
    pbft_cert cert;         /* COMMIT, digest = the block's hash */
} pbft_decided;

/* ---- votes and certificates ---- */

void pbft_vote_signing_hash(uint64_t chain_id, uint8_t phase, uint64_t view, uint64_t seq,
                            const proto_hash *digest, proto_hash *out);
void pbft_vote_sign(pbft_vote *v, uint64_t chain_id, proto_crypto *c, const proto_keypair *kp);
bool pbft_vote_verify(const pbft_vote *v, uint64_t chain_id, proto_crypto *c,
                      const proto_pubkey *pk);

void pbft_cert_init(pbft_cert *c, uint8_t phase, uint64_t view, uint64_t seq,
                    const proto_hash *digest);
void pbft_cert_clear(pbft_cert *c);
/* pbft_cert_clear then g_free (NULL is fine): the free function of a
 * GPtrArray of pbft_cert*, e.g. pbft_viewchange.prepared. */
void pbft_cert_free(pbft_cert *c);
void pbft_cert_copy(pbft_cert *dst, const pbft_cert *src);
/* Add a vote's signature, keeping validators sorted; false if that
 * validator is already in (the cert is unchanged). */
bool pbft_cert_add(pbft_cert *c, uint32_t validator, const proto_sig *sig);

/* Who may vote and with what weight. */
typedef struct pbft_quorum {
    uint32_t validators_count;
    const proto_pubkey *keys;   /* [validators_count] */
    const uint64_t *stakes;     /* [validators_count] */
    uint64_t total_stake;
    bool test_broken;           /* TEST ONLY (pbft_params.test_break_quorum): a third
                                 * is taken for a quorum; false everywhere else */
} pbft_quorum;

void pbft_quorum_init(pbft_quorum *q, uint32_t count, const proto_pubkey *keys,
                      const uint64_t *stakes);
/* stake > 2/3 of the total (quorum) and stake >= 1/3, not zero (weak
 * certificate: within the fault model it holds an honest validator, the
 * f+1 of n = 3f+1), in exact integer arithmetic: 3*stake > 2*total,
 * 3*stake >= total. */
bool pbft_quorum_strong(const pbft_quorum *q, uint64_t stake);
bool pbft_quorum_weak(const pbft_quorum *q, uint64_t stake);

/* Structural and cryptographic check of a certificate: every validator in
 * range, strictly increasing, every signature valid for (phase, view, seq,
 * digest), and their stake, with a prepared certificate's pre-prepare
 * (pbft_cert_preprepare_stake), a strong quorum. A seq-0 certificate with
 * no signatures is the genesis certificate and is valid iff its digest is
 * `genesis` (and phase matches). */
bool pbft_cert_verify(const pbft_cert *c, const pbft_quorum *q, uint64_t chain_id,
                      proto_crypto *crypto, const proto_hash *genesis);
/* True if the caller already verified exactly this signature of c (same
 * validator, phase, view, seq, digest and signature bytes). */
typedef bool (*pbft_sig_known_fn)(void *ctx, const pbft_cert *c, const pbft_cert_sig *s);
/* pbft_cert_verify, skipping the signature check of every signature
 * `known` vouches for: the same verdict, less crypto. */
bool pbft_cert_verify_known(const pbft_cert *c, const pbft_quorum *q, uint64_t chain_id,
                            proto_crypto *crypto, const proto_hash *genesis,
                            pbft_sig_known_fn known, void *ctx);

/* The proposer a prepared certificate's pre-prepare may count for:
 * PBFT_NO_PREPREPARE unless c has one whose header is the block `digest`
 * (its hash), proposed at `seq` in `view`, by a validator in range that
 * has no signature in c. The signature is not checked here. */
#define PBFT_NO_PREPREPARE UINT32_MAX
uint32_t pbft_cert_preprepare_proposer(const pbft_cert *c, uint32_t validators_count);
/* Add the pre-prepare of block b (its header) to a PREPARE certificate. */
void pbft_cert_set_preprepare(pbft_cert *c, const proto_block_header *h);

/* ---- encoding ---- */

/* A certificate inside a larger message (layout `cert` above). */
void pbft_cert_write(proto_writer *w, const pbft_cert *c);
/* Reads a certificate of the given phase into c (initialised here). On
 * failure c holds nothing (sigs NULL) and the reader is latched. */
bool pbft_cert_read(proto_reader *r, pbft_cert *c, uint8_t phase);

GBytes *pbft_msg_preprepare_encode(uint64_t view, const proto_block *b);
GBytes *pbft_msg_vote_encode(uint8_t msg_type, const pbft_vote *v);
/* Builds the signed part, signs it and fills vc->signed_part and vc->sig,
 * then encodes with the attachments (GBytes* block encodings, may be NULL). */
GBytes *pbft_msg_viewchange_encode(pbft_viewchange *vc, uint64_t chain_id, proto_crypto *c,
                                   const proto_keypair *kp, GPtrArray *attachments);
GBytes *pbft_msg_newview_encode(pbft_newview *nv, uint64_t chain_id, proto_crypto *c,
                                const proto_keypair *kp, GPtrArray *attachments);
GBytes *pbft_msg_decided_encode(const pbft_decided *d);
GBytes *pbft_msg_get_blocks_encode(uint64_t from_height, uint32_t count);
/* decided: pbft_decided*, at most PBFT_BLOCKS_MAX */
GBytes *pbft_msg_blocks_encode(GPtrArray *decided);
GBytes *pbft_msg_status_encode(uint64_t view, uint64_t committed_height);

/* ---- decoding (false / NULL if malformed; outputs untouched then) ---- */

uint8_t pbft_msg_type(GBytes *wire); /* 0 if empty */
/* *block_out gets a new reference to the block bytes inside wire. */
bool pbft_msg_preprepare_decode(GBytes *wire, uint64_t *view, GBytes **block_out);
bool pbft_msg_vote_decode(GBytes *wire, pbft_vote *out); /* phase from the type */
/* attachments_out (may be NULL): receives GBytes* block encodings. */
pbft_viewchange *pbft_msg_viewchange_decode(GBytes *wire, GPtrArray *attachments_out);
pbft_newview *pbft_msg_newview_decode(GBytes *wire, GPtrArray *attachments_out);
bool pbft_msg_decided_decode(GBytes *wire, pbft_decided *out);
bool pbft_msg_get_blocks_decode(GBytes *wire, uint64_t *from_height, uint32_t *count);
/* out receives pbft_decided* (free with pbft_decided_free). */
bool pbft_msg_blocks_decode(GBytes *wire, GPtrArray *out);
bool pbft_msg_status_decode(GBytes *wire, uint64_t *view, uint64_t *committed_height);

/* Verify a decoded VIEWCHANGE/NEWVIEW signature (over signed_part). */
bool pbft_viewchange_verify_sig(const pbft_viewchange *vc, uint64_t chain_id, proto_crypto *c,
                                const proto_pubkey *pk);
bool pbft_newview_verify_sig(const pbft_newview *nv, uint64_t chain_id, proto_crypto *c,
                             const proto_pubkey *pk);

void pbft_viewchange_free(pbft_viewchange *vc);
void pbft_newview_free(pbft_newview *nv);
void pbft_decided_clear(pbft_decided *d);
void pbft_decided_free(pbft_decided *d);

#endif
