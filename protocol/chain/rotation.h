/* CometBFT's proposer-priority validator set, ported exactly from cometbft
 * v0.38.17 types/validator_set.go (and validator.go CompareProposerPriority)
 * so that CometBFT's public test vectors pass unchanged
 * (tests/unit/test_rotation.c). In any window of P elections (P = total
 * voting power) of an unchanged set each validator proposes exactly its
 * power's worth of times. How the chain uses it, one set per height and
 * the copies for later rounds, is protocol/chain/proposer.h.
 *
 * proto_cmt_valset mirrors CometBFT's ValidatorSet closely enough to port the
 * vectors (the cmt_ prefix keeps it apart from the chain's bonded set,
 * proto_valset in protocol/chain/valset.h, which a file may include too):
 * validators with an address (byte string, compared lexicographically
 * as Go's bytes.Compare does), an int64 voting power and an int64
 * proposer priority; NewValidatorSet, IncrementProposerPriority,
 * GetProposer, UpdateWithChangeSet and their helpers, with CometBFT's exact
 * integer rules: add/sub clipped at the int64 bounds, the rescale divides
 * with C's (= Go's) truncating division, the centering average is a floor
 * (Euclidean) division, ties go to the smaller address, and rescale+center
 * run once per increment call, not per inner step. Where CometBFT panics on
 * bad input (times <= 0, duplicates, power out of range) we return a
 * proto_cmt_valset_result and leave the set unchanged. Everything is pure
 * (no environment, no clock, no randomness). */
#ifndef AITBC_PROTOCOL_ROTATION_H
#define AITBC_PROTOCOL_ROTATION_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* CometBFT constants (types/validator_set.go). */
#define PROTO_MAX_TOTAL_VOTING_POWER (INT64_MAX / 8)
#define PROTO_PRIORITY_WINDOW_SIZE_FACTOR 2
#define PROTO_VALIDATOR_ADDRESS_MAX 32

/* ---- low level: a CometBFT-style validator set ---- */

typedef struct proto_cmt_validator {
    uint8_t address[PROTO_VALIDATOR_ADDRESS_MAX];
    uint32_t address_len; /* <= PROTO_VALIDATOR_ADDRESS_MAX */
    int64_t voting_power; /* > 0 in a set built by new/update; 0 in a change = remove */
    int64_t proposer_priority;
} proto_cmt_validator;

typedef struct proto_cmt_valset {
    proto_cmt_validator *validators; /* [count]; after new/update: power desc, then address asc */
    uint32_t count;
    int64_t total_voting_power; /* sum of voting powers, <= PROTO_MAX_TOTAL_VOTING_POWER */
    bool has_proposer;
    proto_cmt_validator proposer; /* copy of the last chosen proposer (CometBFT's Proposer) */
} proto_cmt_valset;

typedef enum proto_cmt_valset_result {
    PROTO_CMT_VALSET_OK = 0,
    PROTO_CMT_VALSET_EMPTY,           /* increment on an empty set, or a change that empties it */
    PROTO_CMT_VALSET_BAD_TIMES,       /* increment with times <= 0 */
    PROTO_CMT_VALSET_BAD_ADDRESS,     /* address_len > PROTO_VALIDATOR_ADDRESS_MAX */
    PROTO_CMT_VALSET_DUPLICATE,       /* one address twice in a list */
    PROTO_CMT_VALSET_NEGATIVE_POWER,  /* voting power < 0 */
    PROTO_CMT_VALSET_POWER_TOO_HIGH,  /* a power or the total above PROTO_MAX_TOTAL_VOTING_POWER */
    PROTO_CMT_VALSET_ZERO_POWER,      /* power 0 (= removal) where removals are not allowed */
    PROTO_CMT_VALSET_UNKNOWN_REMOVAL, /* removal of an address not in the set */
} proto_cmt_valset_result;

const char *proto_cmt_valset_result_name(proto_cmt_valset_result r);

/* A validator with a string address (tests, examples). */
proto_cmt_validator proto_validator_make(const void *address, uint32_t address_len,
                                         int64_t voting_power);
/* Go's bytes.Compare on the addresses: <0, 0, >0. */
int proto_validator_address_cmp(const proto_cmt_validator *a, const proto_cmt_validator *b);

/* An empty set (CometBFT's ValidatorSet{}). */
void proto_cmt_valset_init(proto_cmt_valset *set);
void proto_cmt_valset_clear(proto_cmt_valset *set);
void proto_cmt_valset_copy(proto_cmt_valset *dst,
                           const proto_cmt_valset *src); /* dst uninitialised */

/* NewValidatorSet: the set built from `vals` by the change-set rules (no
 * removals allowed), then IncrementProposerPriority(1) if count > 0. `set`
 * is uninitialised; on error it is left empty (as proto_cmt_valset_init). */
proto_cmt_valset_result proto_cmt_valset_init_new(proto_cmt_valset *set,
                                                  const proto_cmt_validator *vals, uint32_t count);

/* The set exactly as given (the Go tests' ValidatorSet{Validators: ...}
 * literals): no sorting, no priority changes, no proposer yet. Checks
 * addresses, duplicates, negative powers and the total. On error `set` is
 * left empty. */
proto_cmt_valset_result proto_cmt_valset_init_raw(proto_cmt_valset *set,
                                                  const proto_cmt_validator *vals, uint32_t count);

/* UpdateWithChangeSet: power 0 removes, an unknown address is added with
 * priority -(P' + (P' >> 3)) (P' = total after updates, before removals),
 * a known one keeps its priority; then rescale to 2*P, center, sort. On
 * error the set is unchanged. count == 0 is a no-op. */
proto_cmt_valset_result proto_cmt_valset_update(proto_cmt_valset *set,
                                                const proto_cmt_validator *changes, uint32_t count);

/* IncrementProposerPriority(times). Rejects times <= 0 and empty sets. */
proto_cmt_valset_result proto_cmt_valset_increment_proposer_priority(proto_cmt_valset *set,
                                                                     int32_t times);

/* GetProposer: the last chosen proposer, or (if none yet) the validator with
 * the highest priority. NULL for an empty set. Valid until the set changes. */
const proto_cmt_validator *proto_cmt_valset_get_proposer(proto_cmt_valset *set);

/* GetByAddress: NULL if absent. */
const proto_cmt_validator *proto_cmt_valset_get_by_address(const proto_cmt_valset *set,
                                                           const void *address,
                                                           uint32_t address_len);

/* The building blocks, exposed for the vectors. The set must not be empty. */
void proto_cmt_valset_rescale_priorities(proto_cmt_valset *set, int64_t diff_max);
void proto_cmt_valset_shift_by_avg_proposer_priority(proto_cmt_valset *set);
int64_t proto_cmt_valset_compute_avg_proposer_priority(const proto_cmt_valset *set);
int64_t proto_cmt_valset_max_min_priority_diff(const proto_cmt_valset *set);

/* safeAddClip / safeSubClip: a+b and a-b clipped to [INT64_MIN, INT64_MAX]. */
int64_t proto_safe_add_clip(int64_t a, int64_t b);
int64_t proto_safe_sub_clip(int64_t a, int64_t b);

#endif
