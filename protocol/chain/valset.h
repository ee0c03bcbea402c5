/* The bonded validator set as replicated state: stake, jailing,
 * tombstones, downtime signing info and consensus keys, per height.
 *
 * Consensus needs to know, for any height n it votes on, every
 * validator's voting power and consensus key at n. Changes decided by
 * block h (a slash, a jail, an unjail, a key rotation) take effect at
 * height h + update_delay (CometBFT applies validator updates from block
 * H at H+2; our default is 2 as well), so the set for heights up to
 * committed + update_delay is fixed once `committed` is, and a tentative
 * block never changes the set of a height anyone is voting on. The set
 * keeps two append-only logs, (from_height, validator, power) and
 * (from_height, validator, key); the value at height n is the newest
 * entry with from_height <= n. Genesis entries have from_height 0.
 *
 * Token accounting follows Cosmos x/slashing and x/staking (cosmos-sdk
 * x/staking Keeper.Slash, x/evidence HandleEquivocationEvidence): a slash burns
 * trunc(tokens * num / den) of the validator's bonded tokens; double
 * signing (evidence) slashes by slash_double_sign, jails forever and
 * tombstones (the validator can never unjail and evidence against it is
 * ignored from then on, so it is punished once); downtime
 * (proto_downtime, window of missed commits) slashes by slash_downtime
 * and jails until block time + jail duration. A jailed validator's power
 * becomes 0 at the effective height; unjail restores power = tokens.
 * Burned tokens are reported to the caller (the state adds them to its
 * burned counter, so total supply = balances + bonded tokens + burned is
 * conserved).
 *
 * Proposer priorities (proposer.h) live here too, one set per height:
 * after block h executed the set holds those of heights h .. h +
 * update_delay (the genesis set those of 0 .. update_delay). Block h's
 * end moves them on (proto_valset_advance, the validator module's
 * end-block hook): the set of h + delay is the one of h + delay - 1 with
 * the powers of h + delay, which include block h's own changes, then one
 * increment; this is CometBFT's updateState with its NextValidators. So,
 * like the powers, the priorities of every height up to committed +
 * delay are fixed once `committed` is. A block that never executes (a
 * PBFT null block) moves nothing; the next block that does catches up,
 * height by height, and a lookup past the newest height computes forward
 * the same way (nothing can change those heights' powers any more).
 * Priorities use the voting powers as they are, unless their total is
 * above CometBFT's bound (PROTO_MAX_TOTAL_VOTING_POWER): then every power
 * is shifted right as far as it takes to fit.
 *
 * Everything is integer arithmetic and every function is deterministic;
 * the hash covers every field, both logs and the priorities, so the state
 * root commits to the set. */
#ifndef AITBC_PROTOCOL_VALSET_H
#define AITBC_PROTOCOL_VALSET_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocol/chain/downtime.h"
#include "protocol/chain/proposer.h"
#include "protocol/core/crypto.h"

typedef enum proto_slash_reason {
    PROTO_SLASH_DOUBLE_SIGN = 1, /* two conflicting signed votes (evidence) */
    PROTO_SLASH_DOWNTIME,        /* missed too many of the last window's commits */
} proto_slash_reason;

/* "double-sign", "downtime". */
const char *proto_slash_reason_name(proto_slash_reason r);

typedef struct proto_slashing_params {
    uint64_t slash_double_sign_num; /* SlashFractionDoubleSign = num / den (1/20) */
    uint64_t slash_double_sign_den;
    uint64_t slash_downtime_num;    /* SlashFractionDowntime = num / den (1/100) */
    uint64_t slash_downtime_den;
    proto_downtime_params downtime; /* window, min signed, jail duration */
    uint64_t evidence_max_age;      /* blocks: evidence for height e is valid in blocks
                                     * h with h - e <= evidence_max_age */
    uint32_t update_delay;          /* heights, >= 1: changes of block h apply at h + delay */
} proto_slashing_params;

/* Defaults: Cosmos fractions (1/20, 1/100), min signed 1/2, and windows
 * scaled to what minutes-long runs reach: downtime window 50 blocks, jail
 * 30 s, evidence max age 100 blocks, update delay 2. */
proto_slashing_params proto_slashing_defaults(void);

typedef struct proto_validator {
    uint64_t tokens;            /* bonded stake; slashing burns from here */
    bool jailed;
    bool tombstoned;            /* double-signed: jailed forever */
    int64_t jailed_until_ns;    /* INT64_MAX when tombstoned */
    uint64_t op_nonce;          /* operations applied so far (unjail, rotate) */
    uint32_t operator_account;  /* the account whose signature operates it
                                 * (Cosmos's operator address); UINT32_MAX: none */
    proto_signing_info signing; /* downtime window */
} proto_validator;

typedef struct proto_valset proto_valset;

/* Genesis: count validators with keys[i] and stakes[i] (> 0) as tokens and
 * power from height 0; signing starts at height 0. params is copied. */
proto_valset *proto_valset_new(const proto_slashing_params *params, uint32_t count,
                               const proto_pubkey *keys, const uint64_t *stakes);
/* Genesis only: validator i is operated by account `account`. */
void proto_valset_set_operator(proto_valset *v, uint32_t i, uint32_t account);
proto_valset *proto_valset_copy(const proto_valset *v);
void proto_valset_free(proto_valset *v);

const proto_slashing_params *proto_valset_params(const proto_valset *v);
uint32_t proto_valset_count(const proto_valset *v);
/* NULL if i is out of range. */
const proto_validator *proto_valset_get(const proto_valset *v, uint32_t i);
/* Sum of every validator's tokens. */
uint64_t proto_valset_bonded(const proto_valset *v);

/* Voting power and consensus key of validator i (< count) at height n. */
uint64_t proto_valset_power_at(const proto_valset *v, uint32_t i, uint64_t n);
const proto_pubkey *proto_valset_key_at(const proto_valset *v, uint32_t i, uint64_t n);
/* The key validator i used before key_at(i, n), or NULL if it never
 * rotated by n (lets a node tell "signed with a rotated-out key" from
 * garbage when counting rejects). */
const proto_pubkey *proto_valset_prev_key_at(const proto_valset *v, uint32_t i, uint64_t n);
/* Fill powers[count] and keys[count] for height n; returns the total power.
 * keys may be NULL (powers only). O(count + log length). */
uint64_t proto_valset_fill(const proto_valset *v, uint64_t n, uint64_t *powers,
                           proto_pubkey *keys);

/* ---- changes made by block `height` (block time now_ns) ---- */

typedef enum proto_valset_check {
    PROTO_VALSET_OK = 0,
    PROTO_VALSET_UNKNOWN,       /* no such validator */
    PROTO_VALSET_TOMBSTONED,    /* already punished for double signing */
    PROTO_VALSET_TOO_OLD,       /* evidence older than evidence_max_age */
    PROTO_VALSET_FUTURE,        /* evidence height above the including block */
    PROTO_VALSET_BAD_NONCE,     /* operation nonce is not op_nonce */
    PROTO_VALSET_NOT_JAILED,    /* unjail of a validator that is not jailed */
    PROTO_VALSET_JAIL_NOT_OVER, /* unjail before jailed_until */
    PROTO_VALSET_NO_TOKENS,     /* unjail with nothing bonded */
    PROTO_VALSET_ROTATION_PENDING, /* a rotation already waits for its height */
    PROTO_VALSET_KEY_IN_USE,    /* new key is, or was, some validator's key */
    PROTO_VALSET_NOT_OPERATOR,  /* the signer is not the validator's operator account */
    PROTO_VALSET_OUT_OF_GAS,    /* the operation's gas ran out */
} proto_valset_check;

const char *proto_valset_check_name(proto_valset_check c);

/* Double-sign evidence against i for an infraction at evidence_height,
 * included in block `height`. */
proto_valset_check proto_valset_check_double_sign(const proto_valset *v, uint32_t i,
                                                  uint64_t evidence_height, uint64_t height);
/* Apply it (must check OK): slash, jail forever, tombstone, power 0 from
 * height + delay. Returns the tokens burned. */
uint64_t proto_valset_apply_double_sign(proto_valset *v, uint32_t i, uint64_t height,
                                        int64_t now_ns);

/* Downtime accounting for the commit of height `signed_height` (as
 * carried by block `height`): signed_mask[i] says whether validator i's
 * vote is in that commit. Only validators with power at signed_height
 * are recorded (a jailed one is expected to sign nothing). Each one the
 * window jails is slashed by slash_downtime, jailed until now_ns + jail
 * duration and loses its power from height + delay; its index is
 * appended to jailed_out (uint32) and what it lost to burned_out
 * (uint64), both GArrays the caller owns. Returns the total burned. */
uint64_t proto_valset_record_commit(proto_valset *v, uint64_t signed_height, uint64_t height,
                                    int64_t now_ns, const bool *signed_mask, GArray *jailed_out,
                                    GArray *burned_out);

/* Unjail i (MsgUnjail) at block `height`, time now_ns, with nonce. */
proto_valset_check proto_valset_check_unjail(const proto_valset *v, uint32_t i, uint64_t nonce,
                                             int64_t now_ns);
/* Must check OK: op_nonce++, unjailed, power = tokens from height + delay,
 * signing starts over at height + delay. */
void proto_valset_apply_unjail(proto_valset *v, uint32_t i, uint64_t height);

/* Rotate i's consensus key to new_key at block `height`, with nonce. */
proto_valset_check proto_valset_check_rotate(const proto_valset *v, uint32_t i, uint64_t nonce,
                                             const proto_pubkey *new_key, uint64_t height);
/* Must check OK: op_nonce++, key_at(i, n) = new_key for n >= height + delay.
 * Returns that effective height. */
uint64_t proto_valset_apply_rotate(proto_valset *v, uint32_t i, const proto_pubkey *new_key,
                                   uint64_t height);

/* Validator i's voting power becomes `power` from height from_height on
 * (an entry in the power log; from_height at least every entry's already
 * there, asserted). For a module that decides powers itself (the staking
 * module's active set, protocol/modules/staking/staking.h): the caller
 * passes block height + update_delay, and sets powers before the
 * priorities of that height are computed (proto_valset_advance). Tokens,
 * jail and signing info are not touched. No-op when the power at
 * from_height is already `power`. */
void proto_valset_set_power(proto_valset *v, uint32_t i, uint64_t power, uint64_t from_height);

/* Genesis, for a chain whose staking module owns the stake
 * (protocol/modules/staking/staking.h): the validators' tokens become a
 * mirror of the module's (tokens[i]; later proto_valset_set_tokens) and
 * their genesis powers powers[i] (zero allowed, total > 0) replace the
 * stakes given to proto_valset_new, priorities recomputed. From then on
 * proto_valset_bonded is 0 (the module's pools are the supply), slashing
 * burns nothing here (the chain slashes through the module:
 * proto_staking_slash), unjail gives no power back (the module's next
 * end block bonds the validator again and writes its power), and the
 * priorities are moved on by the module's end block, after its powers
 * (the validator module leaves them alone). */
void proto_valset_use_external_stake(proto_valset *v, const uint64_t *tokens,
                                     const uint64_t *powers);
bool proto_valset_stake_external(const proto_valset *v);
/* External stake only: validator i's token mirror. */
void proto_valset_set_tokens(proto_valset *v, uint32_t i, uint64_t tokens);

/* ---- proposer priorities ---- */

/* Block `height` has executed, all of its changes applied: move the
 * priorities on to heights height .. height + delay (no-op if they are
 * there already; never backwards). */
void proto_valset_advance(proto_valset *v, uint64_t height);
/* Heights whose priorities the set holds: first .. first + delay. */
uint64_t proto_valset_priorities_first(const proto_valset *v);
/* A copy of the priorities of height n into out (uninitialised; clear it
 * with proto_prio_set_clear): false for a height below the ones held or
 * more than PROTO_VALSET_PRIORITIES_AHEAD_MAX above the newest. */
#define PROTO_VALSET_PRIORITIES_AHEAD_MAX 4096u
bool proto_valset_priorities_at(const proto_valset *v, uint64_t n, proto_prio_set *out);
/* The proposer of round `rounds` at height n (>= 1) under `kind`;
 * PROTO_PROPOSER_NONE where proto_valset_priorities_at fails, nobody has
 * power or the rounds are too many. */
uint32_t proto_valset_proposer(const proto_valset *v, proto_rotation_kind kind, uint64_t n,
                               uint64_t rounds);

/* BLAKE2b (or fastmix when fast) over every field, both logs and the
 * priorities. */
void proto_valset_hash(const proto_valset *v, bool fast, proto_hash *out);

#endif
