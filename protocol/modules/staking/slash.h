/* Slashing arithmetic: how much a slash takes, from whom, in what order,
 * as Cosmos x/staking's Keeper.Slash computes it.
 *
 * A slash for an infraction at height H with fraction f of the power the
 * validator had then (power x 10^6 tokens) aims to burn
 *   slash_amount = trunc(tokens_at_infraction x f).
 * Stake that has left the validator since H is still liable: every
 * unbonding entry and every redelegation entry created at or after H and
 * not yet mature owes trunc(f x initial_balance). An unbonding entry pays
 * what it still holds of that; a redelegation entry pays by unbonding
 * f x shares_dst of its delegation at the destination validator (at most
 * the shares left) and burning those tokens. Whatever the entries owed,
 * counted at their full due even when they could pay less, comes off the
 * slash amount; the validator burns the rest, capped at its tokens. The
 * fraction reported to distribution is the one actually burned, rounded
 * up, capped at one.
 *
 * These are the arithmetic steps; the keeper that walks the entries and
 * moves the tokens is the staking module's. Source: cosmos/cosmos-sdk
 * x/staking/keeper/slash.go (Slash, SlashUnbondingDelegation,
 * SlashRedelegation) at 0282b68c497f87c7bc86835ccb2d6fc6cb1dafb5; the
 * entry maturity rule is x/staking/types/delegation.go IsMature. */
#ifndef AITBC_PROTOCOL_MODULES_STAKING_SLASH_H
#define AITBC_PROTOCOL_MODULES_STAKING_SLASH_H

#include <stdbool.h>
#include <stdint.h>

#include "protocol/modules/staking/dec.h"

typedef enum proto_slash_result {
    PROTO_SLASH_OK = 0,
    PROTO_SLASH_OVERFLOW,     /* a value outside proto_dec's range */
    PROTO_SLASH_BAD_FRACTION, /* fraction negative (Cosmos errors) or above one */
    PROTO_SLASH_NEGATIVE,     /* a negative amount or share count */
} proto_slash_result;

const char *proto_slash_result_name(proto_slash_result r);

/* What the slash aims to burn: trunc(amount x fraction), the product
 * rounded half to even first (LegacyNewDecFromInt(amount).Mul(f)
 * .TruncateInt()). amount: the tokens of the power at the infraction
 * (proto_shares_tokens_from_power). fraction in [0, 1]. */
proto_slash_result proto_slash_amount(proto_amount amount, proto_dec fraction,
                                      proto_amount *slash_amount);

/* Whether an unbonding or redelegation entry is liable for an infraction
 * at infraction_height: created at or after it, and not mature at now_ns
 * (mature: completion_ns <= now_ns). Heights and times as the caller
 * keeps them (virtual nanoseconds here). Cosmos also keeps entries "on
 * hold" (for interchain security) liable past maturity; there are none
 * here. */
bool proto_slash_entry_liable(int64_t creation_height, int64_t completion_ns,
                              int64_t infraction_height, int64_t now_ns);

/* An unbonding entry's share of a slash (SlashUnbondingDelegation):
 * *owed = trunc(fraction x initial_balance) (exact product), which the
 * caller subtracts from the slash amount; *burned = min(owed, balance),
 * which leaves the entry's balance and is burned. */
proto_slash_result proto_slash_unbonding_entry(proto_amount initial_balance, proto_amount balance,
                                               proto_dec fraction, proto_amount *owed,
                                               proto_amount *burned);

/* A redelegation entry's share (SlashRedelegation): *owed as for an
 * unbonding entry; *shares_to_unbond = min(fraction x shares_dst rounded
 * half to even, delegation_shares), the shares of the delegation at the
 * destination to unbond (proto_shares_remove_del_shares) and burn. When
 * the destination delegation is gone, pass delegation_shares = 0. */
proto_slash_result proto_slash_redelegation_entry(proto_amount initial_balance,
                                                  proto_dec shares_dst, proto_dec delegation_shares,
                                                  proto_dec fraction, proto_amount *owed,
                                                  proto_dec *shares_to_unbond);

/* What the validator itself burns once the entries are counted:
 * *burned = max(0, min(remaining, tokens)), remaining being the slash
 * amount minus every entry's `owed`; *effective_fraction = burned /
 * tokens rounded up, capped at one (zero when nothing burns or tokens is
 * zero): the fraction distribution records as the slash event. */
proto_slash_result proto_slash_validator_burn(proto_amount remaining, proto_amount tokens,
                                              proto_amount *burned, proto_dec *effective_fraction);

#endif
