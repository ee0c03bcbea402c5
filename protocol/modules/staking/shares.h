/* A validator's tokens and delegator shares: the exchange rate between
 * them, as Cosmos x/staking keeps it.
 *
 * A delegation holds shares of a validator, not tokens. The validator
 * holds `tokens` (bonded base units, what slashing cuts) against
 * `delegator_shares` (the sum of every delegation's shares); a share is
 * worth tokens / delegator_shares. A slash lowers the tokens and leaves the
 * shares, so every delegator loses the same fraction; a delegation adds
 * tokens and issues shares at the current rate; an undelegation burns
 * shares and pays their tokens, truncated, leaving the dust in the
 * validator (which raises the rate for the others).
 *
 * Each function is the method of the same name on x/staking's Validator,
 * with its rounding (source: cosmos/cosmos-sdk x/staking/types/validator.go,
 * v0.50 line; unchanged since v0.40 apart from the types' names). Where
 * Cosmos panics on impossible input this returns a result instead and
 * leaves the validator as it was. OVERFLOW needs a product of shares and
 * tokens beyond 2^256 (Cosmos's own range, where it panics): amounts of
 * 2^100 at a rate of 2^20 shares a token are far inside. Consensus power
 * (tokens / 10^6 by default) is here too, since it is the same integer
 * division everywhere (types/staking.go TokensToConsensusPower). */
#ifndef AITBC_PROTOCOL_MODULES_STAKING_SHARES_H
#define AITBC_PROTOCOL_MODULES_STAKING_SHARES_H

#include <stdbool.h>
#include <stdint.h>

#include "protocol/modules/staking/dec.h"

/* Cosmos's DefaultPowerReduction: base units per unit of consensus
 * power. */
#define PROTO_SHARES_POWER_REDUCTION 1000000

/* The share accounting of one validator. Invariants: tokens >= 0,
 * delegator_shares >= 0. tokens == 0 with delegator_shares > 0 is
 * possible (slashed to nothing) and makes the rate invalid: no one can
 * delegate to it. */
typedef struct proto_shares_validator {
    proto_amount tokens;        /* base units held, bonded or not */
    proto_dec delegator_shares; /* shares issued, summed over delegations */
} proto_shares_validator;

/* Why a share operation refused (Cosmos's error, or its panic). */
typedef enum proto_shares_result {
    PROTO_SHARES_OK = 0,
    PROTO_SHARES_OVERFLOW,        /* a value outside proto_dec's range */
    PROTO_SHARES_NEGATIVE,        /* a negative amount or share count */
    PROTO_SHARES_NO_TOKENS,       /* no tokens to price shares (ErrInsufficientShares) */
    PROTO_SHARES_NO_SHARES,       /* no shares to price tokens */
    PROTO_SHARES_INVALID_EX_RATE, /* no tokens, shares left (ErrDelegatorShareExRateInvalid) */
    PROTO_SHARES_INSUFFICIENT,    /* removing more tokens or shares than held */
} proto_shares_result;

const char *proto_shares_result_name(proto_shares_result r);

/* A validator with no tokens and no shares. */
proto_shares_validator proto_shares_validator_empty(void);

/* Tokens no one can delegate to (InvalidExRate): tokens == 0 and
 * delegator_shares > 0. */
bool proto_shares_invalid_ex_rate(const proto_shares_validator *v);

/* The token worth of `shares`: shares x tokens / delegator_shares, the
 * division rounded half to even (TokensFromShares). Not an integer: the
 * callers truncate or round as they need. NO_SHARES when the validator
 * has none. */
proto_shares_result proto_shares_tokens_from_shares(const proto_shares_validator *v,
                                                    proto_dec shares, proto_dec *tokens);
/* The same, division truncated (TokensFromSharesTruncated): what
 * distribution uses as a delegation's stake, never more than owed. */
proto_shares_result proto_shares_tokens_from_shares_truncated(const proto_shares_validator *v,
                                                              proto_dec shares, proto_dec *tokens);
/* The same, division rounded up (TokensFromSharesRoundUp). */
proto_shares_result proto_shares_tokens_from_shares_round_up(const proto_shares_validator *v,
                                                             proto_dec shares, proto_dec *tokens);

/* The shares `amount` tokens buy: delegator_shares x amount / tokens, the
 * division by the integer tokens truncated (SharesFromTokens). NO_TOKENS
 * when the validator has none. */
proto_shares_result proto_shares_from_tokens(const proto_shares_validator *v, proto_amount amount,
                                             proto_dec *shares);
/* The same with the division as decimal QuoTruncate
 * (SharesFromTokensTruncated; undelegating a token amount uses it). */
proto_shares_result proto_shares_from_tokens_truncated(const proto_shares_validator *v,
                                                       proto_amount amount, proto_dec *shares);

/* Delegates `amount` (>= 0) tokens (AddTokensFromDel): the first
 * delegation to a validator without shares issues shares 1:1, later ones
 * at the rate (proto_shares_from_tokens). Adds both to v; *issued gets
 * the shares. INVALID_EX_RATE (checked first, as the keeper's Delegate
 * does) leaves v unchanged. */
proto_shares_result proto_shares_add_tokens_from_del(proto_shares_validator *v, proto_amount amount,
                                                     proto_dec *issued);

/* Burns `shares` (0 <= shares <= delegator_shares) and pays their tokens
 * into *tokens (RemoveDelShares): when no shares remain the last holder
 * gets every token left; otherwise the token worth rounded
 * (TokensFromShares) and then truncated, so dust stays behind.
 * INSUFFICIENT for more shares than exist, or a payment above the tokens
 * held (Cosmos panics). */
proto_shares_result proto_shares_remove_del_shares(proto_shares_validator *v, proto_dec shares,
                                                   proto_amount *tokens);

/* Takes `amount` (0 <= amount <= tokens) tokens out, shares unchanged
 * (RemoveTokens: slashing burns this way). */
proto_shares_result proto_shares_remove_tokens(proto_shares_validator *v, proto_amount amount);

/* Consensus power of `tokens`: tokens / reduction, truncated
 * (TokensToConsensusPower). reduction > 0. */
int64_t proto_shares_consensus_power(proto_amount tokens, proto_amount reduction);
/* Tokens of `power` units: power x reduction (TokensFromConsensusPower). */
proto_amount proto_shares_tokens_from_power(int64_t power, proto_amount reduction);

#endif
