/* PBFT equivocation evidence: two conflicting votes signed by one
 * validator, self-contained so anyone can check it.
 *
 * Two PREPAREs (or two COMMITs) of one validator for the same view and
 * height with different digests cannot both come from an honest replica.
 * A primary's PRE-PREPARE stands for its PREPARE (Castro and Liskov), so
 * either PREPARE of such a pair may be a PRE-PREPARE instead: the signed
 * block header of a block proposed in that view at that height, whose
 * hash is the digest. Two proposals for one (height, view), or a proposal
 * and a PREPARE for another block, are equivocation like two PREPAREs.
 * A node that receives the second of such a pair builds evidence from
 * both signed votes, keeps it in a bounded pool and multicasts it to the
 * validators (EVIDENCE); a node that receives evidence checks both
 * signatures and the conflict itself before it keeps or forwards it, so
 * nobody can be accused with forged or consistent votes. Wire layout:
 *
 *   EVIDENCE : type | phase u8 | view u64 | seq u64 | validator u32
 *            | side a | side b
 *   side     : u8 0 | digest 32 | sig 64          (a vote)
 *            | u8 1 | block header with its sig   (a PRE-PREPARE: PREPARE only;
 *                                                   its slot, height and proposer
 *                                                   are view, seq and validator)
 *
 * with digest_a < digest_b (one encoding per pair). Proposers include
 * pooled evidence in blocks (pbft_ext.h); committing it slashes. */
#ifndef AITBC_PROTOCOL_PBFT_EVIDENCE_H
#define AITBC_PROTOCOL_PBFT_EVIDENCE_H

#include <glib.h>
#include <stdbool.h>

#include "protocol/chain/block.h"
#include "protocol/pbft/pbft_msg.h"

typedef struct pbft_evidence {
    pbft_vote a;            /* a.digest < b.digest; same phase, view, seq, validator */
    pbft_vote b;
    /* A side that is a PRE-PREPARE: its header, from which the side's
     * vote is derived (pbft_vote_of_preprepare; its sig is the header's). */
    bool a_preprepare;
    bool b_preprepare;
    proto_block_header a_header;
    proto_block_header b_header;
} pbft_evidence;

/* The PREPARE a PRE-PREPARE stands for: phase PREPARE, view = slot, seq =
 * height, digest = the header's hash, validator = proposer, sig = the
 * header's signature (over the block, not a vote). */
void pbft_vote_of_preprepare(const proto_block_header *h, pbft_vote *out);

/* Order two conflicting votes into evidence; false if they do not
 * conflict (different validator, phase, view or seq, or equal digests). */
bool pbft_evidence_make(const pbft_vote *x, const pbft_vote *y, pbft_evidence *out);
/* The same with either side a PRE-PREPARE (xh, yh: its header, or NULL
 * for a vote x, y; a side given as a header ignores its vote argument,
 * which may then be NULL). */
bool pbft_evidence_make_mixed(const pbft_vote *x, const proto_block_header *xh,
                              const pbft_vote *y, const proto_block_header *yh,
                              pbft_evidence *out);
/* The body (everything after the type byte), as blocks carry it. */
void pbft_evidence_write(proto_writer *w, const pbft_evidence *e);
/* Reads a body; false (reader latched) if malformed or not canonical. */
bool pbft_evidence_read(proto_reader *r, pbft_evidence *out);
GBytes *pbft_evidence_encode(const pbft_evidence *e);
bool pbft_evidence_decode(GBytes *wire, pbft_evidence *out);
/* The conflict holds and both signatures are the validator's. */
bool pbft_evidence_verify(const pbft_evidence *e, uint64_t chain_id, proto_crypto *c,
                          const proto_pubkey *pk);

#endif
