/* Who proposes at (height, round): CometBFT's proposer priorities kept
 * per height, or plain round-robin.
 *
 * CometBFT decides proposers from a validator set's priorities
 * (rotation.h ports the algorithm rule for rule). The chain keeps one set
 * of priorities per height and moves it on once per committed height,
 * the way CometBFT's state/execution.go updateState does: the next
 * height's set is the current one with that height's voting power changes
 * applied (UpdateWithChangeSet: a validator coming in starts at
 * -(P + P/8), the others keep their priority, then rescale to 2P and
 * center), then IncrementProposerPriority(1). The set of height h names
 * round 0's proposer of h; round r of the same height is r further
 * IncrementProposerPriority(1) calls on a copy (consensus/state.go
 * enterNewRound entering the rounds one by one). Nothing is periodic or
 * cached: the work is O(n) per height and per round, for any stakes and
 * any run length (n = validators).
 *
 * proto_prio_set is one height's set, addressed by validator index:
 * validator i has CometBFT address i as 4 bytes big-endian, so ties go to
 * the lower index, as CometBFT's go to the smaller address. A validator
 * with power 0 is not in the set (jailed, tombstoned, never bonded); its
 * priority is kept at 0. Where the sets live: the chain's bonded validator
 * set (valset.h) keeps those of the next heights in the replicated state
 * (PBFT); PoA, whose powers never change, carries them along its block
 * tree (poa.h).
 *
 * Heights line up with CometBFT's: the set of height 1 is NewValidatorSet
 * of the genesis powers (the set "of height 0", all priorities zero,
 * moved on once), so height 1, round 0 is the first proposer CometBFT's
 * tests name (TestProposerSelection1: "foo").
 *
 * Round-robin ignores priorities: (height - 1 + round) mod N, moving on to
 * the next validator with power if that one has none. While every
 * validator has power this is exactly what equal powers give under
 * CometBFT's rule; it stays a fixed order through jails and unjails
 * (CometBFT would send a returning validator to the back of the queue).
 *
 * Everything here is pure and deterministic. */
#ifndef AITBC_PROTOCOL_PROPOSER_H
#define AITBC_PROTOCOL_PROPOSER_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocol/chain/rotation.h"

/* How a chain picks its proposers (fixed per chain). */
typedef enum proto_rotation_kind {
    PROTO_ROTATION_ROUND_ROBIN = 0,
    PROTO_ROTATION_STAKE_WEIGHTED,
} proto_rotation_kind;

/* "Nobody": an empty set, an unknown height, too many rounds. */
#define PROTO_PROPOSER_NONE UINT32_MAX
/* Rounds a stake-weighted lookup computes at most (a block header may
 * claim any round: the work it can cause stays bounded). */
#define PROTO_PROPOSER_ROUNDS_MAX 65536u

typedef struct proto_prio_set {
    uint64_t height;      /* the height whose round 0 these priorities choose */
    uint32_t count;       /* validators, members or not */
    uint32_t proposer;    /* round 0's proposer; PROTO_PROPOSER_NONE if nobody has power */
    uint64_t *powers;     /* [count]: voting power at `height`, 0 = not in the set */
    int64_t *priorities;  /* [count]: CometBFT proposer priority, 0 where power is 0 */
} proto_prio_set;

/* Why a list of powers cannot be a CometBFT set (PROTO_CMT_VALSET_OK if
 * it can): a power or the total above PROTO_MAX_TOTAL_VOTING_POWER. Zero
 * powers are fine (not in the set). */
proto_cmt_valset_result proto_prio_check(const uint64_t *powers, uint32_t count);

/* The set before height 1: `powers` (checked by proto_prio_check), every
 * priority zero, no proposer, height 0. `s` is uninitialised. */
void proto_prio_set_init(proto_prio_set *s, uint32_t count, const uint64_t *powers);
void proto_prio_set_clear(proto_prio_set *s);
/* dst uninitialised. */
void proto_prio_set_copy(proto_prio_set *dst, const proto_prio_set *src);

/* The set of prev->height + 1, whose voting powers are `powers[count]`:
 * prev with the changes applied (updateState's UpdateWithChangeSet),
 * then IncrementProposerPriority(1). `out` is uninitialised. The new
 * powers must pass proto_prio_check (asserted). */
void proto_prio_set_next(const proto_prio_set *prev, const uint64_t *powers,
                         proto_prio_set *out);
/* One more round of the same height, in place: IncrementProposerPriority(1);
 * `proposer` becomes that round's. No-op on an empty set. */
void proto_prio_set_increment(proto_prio_set *s);
/* The proposer of round `rounds` of s's height (s itself unchanged):
 * s->proposer for round 0; PROTO_PROPOSER_NONE beyond
 * PROTO_PROPOSER_ROUNDS_MAX or for an empty set. O(rounds * n). */
uint32_t proto_prio_set_round(const proto_prio_set *s, uint64_t rounds);

/* Round-robin: validator (height - 1 + rounds) mod count, or the next one
 * after it that has power; PROTO_PROPOSER_NONE if nobody has. height >= 1. */
uint32_t proto_proposer_round_robin(uint64_t height, uint64_t rounds, const uint64_t *powers,
                                    uint32_t count);

/* The proposer of (s->height, rounds) under `kind`. */
uint32_t proto_proposer_pick(proto_rotation_kind kind, const proto_prio_set *s, uint64_t rounds);

/* Canonical bytes of a set (for state hashes): height, count, proposer,
 * then power and priority of every validator, all u64 little-endian. */
void proto_prio_set_encode(const proto_prio_set *s, GByteArray *out);

#endif
