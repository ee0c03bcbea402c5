/* What a PBFT block carries besides transactions: its consensus
 * extension (proto_block.ext, committed by header.ext_hash).
 *
 *   last commit   the COMMIT certificate of the parent block (height - 1)
 *                 as the proposer holds it when proposing: every commit
 *                 vote it has for that block in the certificate's view,
 *                 so more than a bare quorum. Required in every non-null
 *                 block above height 1. It is the canonical record of
 *                 who signed height - 1, which downtime accounting reads
 *                 (as CometBFT's LastCommit feeds Cosmos x/slashing).
 *   evidence      conflicting-vote evidence (pbft_evidence.h) against
 *                 validators not yet tombstoned, at most one per
 *                 validator, no older than evidence_max_age.
 * (Validator operations, unjail and key rotation, are transactions:
 * protocol/modules/validator/validator.h.)
 *
 * Wire (little-endian), empty for null blocks:
 *
 *   flags u8 (bit 0: last commit present) | [cert]
 *   | u16 count | count x evidence body
 *
 * Executing a block applies its extension after its transactions and
 * before the state root is checked (pbft_ext_execute), in this order:
 * downtime accounting of the last commit, then evidence.
 * Any invalid item makes the whole block invalid. */
#ifndef AITBC_PROTOCOL_PBFT_EXT_H
#define AITBC_PROTOCOL_PBFT_EXT_H

#include <glib.h>
#include <stdbool.h>

#include "protocol/pbft/pbft_evidence.h"
#include "protocol/pbft/pbft_msg.h"

#define PBFT_EXT_EVIDENCE_MAX 64

typedef struct pbft_ext {
    bool has_last_commit;
    pbft_cert last_commit;  /* COMMIT, seq = height - 1, digest = parent */
    GArray *evidence;       /* pbft_evidence */
} pbft_ext;

void pbft_ext_init(pbft_ext *e);
void pbft_ext_clear(pbft_ext *e);
/* NULL when there is nothing to carry. */
GBytes *pbft_ext_encode(const pbft_ext *e);
/* bytes may be NULL (empty extension). False if malformed: bad flags,
 * counts over the bounds, a bad item, trailing bytes. */
bool pbft_ext_decode(GBytes *bytes, pbft_ext *out);

#endif
