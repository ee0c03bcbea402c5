/* The distribution module: Cosmos x/distribution's keeper (F1 fee
 * distribution) as a chain module, id 5.
 *
 * Tokens. The module holds two kinds: the fee collector (whole coins
 * waiting for the block's end: the tips of the block's transactions,
 * proto_distribution_collect from tx_exec.c, and the mint module's block
 * provision) and the module account (whole coins that back every
 * validator's outstanding rewards and the community pool, both decimal).
 * Its supply is the two together, so total-supply conservation holds
 * exactly: module account == sum of outstanding + community pool is an
 * invariant, and it is an integer because every decimal that leaves the
 * sum leaves as a whole coin (its change goes to the community pool).
 *
 * Allocation (Cosmos's AllocateTokens, allocation.go). Consensus records
 * who was in the voting set of the previous block
 * (proto_distribution_record_votes: the proposer, every validator's power
 * at the voted height and whether it signed). The module's end block at
 * height h moves the whole fee collector into the module account and
 * allocates it: the proposer reward (zero with the current parameters),
 * every validator of the recorded set by its power share, whether it
 * signed or not (as Cosmos pays every VoteInfo; absence is x/slashing's
 * business, and signed only scales the old proposer bonus), the tax and
 * the truncation dust to the community pool. A validator's share is split
 * by its staking commission rate into its accumulated commission and its
 * current rewards (for its delegators). With no votes recorded (height 1,
 * or a chain whose consensus never records) everything goes to the
 * community pool, as Cosmos does when no power voted. The votes are then
 * cleared.
 *
 * Timing. Cosmos allocates in BeginBlock of h + 1 the fees of h and the
 * provision minted in h + 1, with the votes for h. Here the end block of
 * h allocates the fees of h and the provision minted in h's begin block,
 * with the votes for h - 1: rewards reach validators one block earlier,
 * and the voting set paid is the previous block's, as in Cosmos.
 *
 * F1 (keeper/validator.go, delegation.go, hooks.go). Each validator has
 * a period; its historical cumulative reward ratio per ended period is
 * kept with a reference count (one for the last ended period, one per
 * delegation starting there, one per slash event ending it) and pruned at
 * zero. A delegation's starting info holds the period it started after,
 * its stake then and the height. Staking calls the hooks (staking.h) on
 * every delegation change: a new delegation ends the validator's period,
 * a change withdraws the delegation's rewards first (paid to the
 * delegator's account, dust to the community pool) and restarts it, a
 * slash ends a period and records the event with its effective fraction.
 *
 * Messages (bodies in tx_envelope.h, refusals proto_distribution_result):
 *   WITHDRAW_REWARDS     {validator}: the sender's rewards from it
 *                        (WithdrawDelegationRewards)
 *   WITHDRAW_COMMISSION  {validator}: its whole accumulated commission,
 *                        operator only; the fraction stays
 *                        (WithdrawValidatorCommission)
 *
 * Undo: per record. Each change records the old value of what it changes
 * (the module's counters, one validator's record, one historical entry,
 * slash event or starting info, the recorded votes); nothing copies the
 * whole state. Sources: cosmos/cosmos-sdk x/distribution/keeper (v0.50
 * line; allocation at 038dbeae1196f05f84b869abeb21d1a56ff31d57). */
#ifndef AITBC_PROTOCOL_MODULES_DISTRIBUTION_H
#define AITBC_PROTOCOL_MODULES_DISTRIBUTION_H

#include <stdbool.h>
#include <stdint.h>

#include "protocol/chain/module.h"
#include "protocol/modules/staking/dec.h"
#include "protocol/modules/staking/f1.h"

#define PROTO_DISTRIBUTION_MODULE_ID 5

extern const proto_module proto_distribution_module;

/* Why the module refused a message. */
typedef enum proto_distribution_result {
    PROTO_DISTRIBUTION_OK = 0,
    PROTO_DISTRIBUTION_OUT_OF_GAS,
    PROTO_DISTRIBUTION_NO_ACCOUNT,         /* the sender is not an account */
    PROTO_DISTRIBUTION_UNKNOWN_VALIDATOR,  /* no such index, or never created */
    PROTO_DISTRIBUTION_NO_DELEGATION,      /* the sender has none to the validator */
    PROTO_DISTRIBUTION_NOT_OPERATOR,       /* commission: the sender does not operate it */
    PROTO_DISTRIBUTION_NOTHING_TO_WITHDRAW, /* commission: none accumulated */
    PROTO_DISTRIBUTION_RESULT_COUNT
} proto_distribution_result;

const char *proto_distribution_result_name(proto_distribution_result r);

/* Attach the module (genesis, after proto_staking_genesis; asserts
 * staking is attached and params valid): every created validator gets
 * its records (period 1, historical period 0), every genesis delegation
 * its starting info at height 0 (the validator's period ended first, as
 * BeforeDelegationCreated does), and the module registers its staking
 * hooks. */
void proto_distribution_genesis(proto_state *s, const proto_f1_params *params);

/* Whether s has the module's state. */
bool proto_distribution_active(const proto_state *s);

/* `amount` whole coins into the fee collector. The caller has taken them
 * from a balance (tips) or created them (proto_state_mint). Asserts the
 * module is active. */
void proto_distribution_collect(proto_state *s, uint64_t amount, proto_undo *undo);

/* Consensus: who voted for the previous block, to be paid at this
 * block's end. powers[count] (the power of validator index i at the voted
 * height, 0 for none; their sum <= INT64_MAX; count <= the staking
 * module's validator count), signed_mask[count];
 * proposer: the previous block's proposer index (>= count: unknown).
 * Replaces anything recorded before in this block. No-op without the
 * module's state. */
void proto_distribution_record_votes(proto_state *s, uint32_t proposer, const uint64_t *powers,
                                     const bool *signed_mask, uint32_t count, proto_undo *undo);

/* ---- readers (NULL-safe: zero when the module is absent) ---- */

/* The community pool, decimal and in whole coins. */
proto_dec proto_distribution_community_pool(const proto_state *s);
uint64_t proto_distribution_community_pool_coins(const proto_state *s);
/* Coins waiting in the fee collector. */
uint64_t proto_distribution_fee_collector(const proto_state *s);
/* Outstanding rewards (delegators' and commission) of every validator,
 * and of one; a validator's accumulated commission. */
proto_dec proto_distribution_outstanding_total(const proto_state *s);
proto_dec proto_distribution_outstanding(const proto_state *s, uint32_t validator);
proto_dec proto_distribution_commission(const proto_state *s, uint32_t validator);
/* Whole coins paid out so far: delegation rewards, and commission. */
uint64_t proto_distribution_rewards_claimed(const proto_state *s);
uint64_t proto_distribution_commission_claimed(const proto_state *s);
/* The sum of the historical rewards' reference counts (Cosmos's
 * GetValidatorHistoricalReferenceCount). */
uint64_t proto_distribution_historical_references(const proto_state *s);
/* What delegator would get from validator if it withdrew in a block at
 * `height` (CalculateDelegationRewards after ending the period, without
 * changing anything; the Cosmos DelegationRewards query). False when
 * there is no such delegation. */
bool proto_distribution_pending_rewards(const proto_state *s, uint64_t height, uint32_t delegator,
                                        uint32_t validator, proto_dec *rewards);

/* Gas one message of this type charges: a read and a write of each
 * record it touches, sized like staking's (staking.h). */
uint64_t proto_distribution_msg_gas(const proto_gas_schedule *gas, uint8_t type);

#endif
