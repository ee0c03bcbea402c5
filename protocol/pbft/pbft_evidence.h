/* PBFT equivocation evidence: two conflicting votes signed by one
 * validator, self-contained so anyone can check it.
 *
 * Two PREPAREs (or two COMMITs) of one validator for the same view and
 * height with different digests cannot both come from an honest replica.
 * A node that receives the second of such a pair builds evidence from
 * both signed votes, keeps it in a bounded pool and multicasts it to the
 * validators (EVIDENCE); a node that receives evidence checks both
 * signatures and the conflict itself before it keeps or forwards it, so
 * nobody can be accused with forged or consistent votes. Wire layout:
 *
 *   EVIDENCE : type | phase u8 | view u64 | seq u64 | validator u32
 *            | digest_a 32 | sig_a 64 | digest_b 32 | sig_b 64
 *
 * with digest_a < digest_b (one encoding per pair). Proposers include
 * pooled evidence in blocks (pbft_ext.h); committing it slashes. */
#ifndef AITBC_PROTOCOL_PBFT_EVIDENCE_H
#define AITBC_PROTOCOL_PBFT_EVIDENCE_H

#include <glib.h>
#include <stdbool.h>

#include "protocol/pbft/pbft_msg.h"

typedef struct pbft_evidence {
    pbft_vote a;            /* a.digest < b.digest; same phase, view, seq, validator */
    pbft_vote b;
} pbft_evidence;

/* Order two conflicting votes into evidence; false if they do not
 * conflict (different validator, phase, view or seq, or equal digests). */
bool pbft_evidence_make(const pbft_vote *x, const pbft_vote *y, pbft_evidence *out);
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
