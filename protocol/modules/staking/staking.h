/* The staking module: Cosmos x/staking's keeper as a chain module.
 *
 * State (one per chain, attached at genesis by proto_staking_genesis):
 * the parameters; one record per validator, indexed like the validator
 * set (valset.h), with its operator account, tokens and delegator shares
 * (shares.h: the exchange rate), status (bonded, unbonding, unbonded),
 * jail and tombstone mirrors, commission and the power it had in the
 * active set after the last end block (Cosmos's LastValidatorPower);
 * delegations (delegator, validator) -> shares; unbonding entries
 * (delegator, validator) -> at most max_entries of {creation height,
 * completion time, initial balance, balance}; redelegation entries
 * (delegator, src, dst) -> at most max_entries of {creation height,
 * completion time, initial balance, shares at dst}; and the two pools,
 * bonded and not bonded (the latter holds the tokens of validators that
 * are not bonded and every unbonding entry's balance). The module's
 * supply is the two pools: total supply = balances + pools + burned.
 *
 * The validator count is fixed at genesis. A candidate without a
 * self-bond (genesis self_bond 0) is a validator record nobody may
 * delegate to until its operator sends CREATE_VALIDATOR; candidates
 * beyond max_validators simply stay UNBONDED with no power.
 *
 * Messages (bodies in tx_envelope.h; refusals proto_staking_result,
 * counted by the router; a refused message leaves the state as it was):
 *   CREATE_VALIDATOR  self-bond >= min_self_bond, commission valid
 *                     (msg_server.go CreateValidator)
 *   EDIT_VALIDATOR    new commission rate <= max_rate, changed by at most
 *                     max_change_rate, at most once per day_ns
 *                     (Commission.ValidateNewRate)
 *   DELEGATE          shares at the validator's rate (Keeper.Delegate)
 *   UNDELEGATE        an unbonding entry completing unbonding_time later
 *                     (Keeper.Undelegate, ValidateUnbondAmount)
 *   REDELEGATE        no transitive redelegation (BeginRedelegation)
 *   CANCEL_UNBONDING  an entry's balance back into the delegation
 *                     (msg_server.go CancelUnbondingDelegation)
 * Sources: cosmos/cosmos-sdk x/staking/keeper/{delegation.go,
 * msg_server.go, val_state_change.go, slash.go}, v0.50 line.
 *
 * End block (BlockValidatorUpdates): the top max_validators validators
 * by power (tokens / power_reduction; desc, then index asc), neither
 * jailed nor without power, are the active set; one leaving it starts
 * unbonding (its tokens go to the not-bonded pool), one entering is
 * bonded; unbonding validators whose time and height have come are
 * unbonded; mature unbonding entries pay their balance to the delegator;
 * mature redelegation entries are dropped. The powers are the module's;
 * the chain's integration writes them into the validator set at height +
 * update_delay (proto_staking_write_powers). When a validator set is
 * attached, its jail and tombstone flags are read into the mirrors first.
 *
 * Slashing (proto_staking_slash) reaches delegators: it lowers the
 * validator's tokens, so every share loses the same fraction, and it
 * slashes the unbonding and redelegation entries created at or after the
 * infraction height (slash.h has the arithmetic).
 *
 * Undo: the first change in an undo scope records a copy of the whole
 * staking state (as the validator module does); accounts are the core's. */
#ifndef AITBC_PROTOCOL_MODULES_STAKING_H
#define AITBC_PROTOCOL_MODULES_STAKING_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocol/chain/module.h"
#include "protocol/chain/valset.h"
#include "protocol/modules/staking/dec.h"
#include "protocol/modules/staking/shares.h"

#define PROTO_STAKING_MODULE_ID 3

extern const proto_module proto_staking_module;

typedef struct proto_staking_params {
    int64_t unbonding_time_ns; /* > 0; Cosmos 21 days, scenarios scale it */
    uint32_t max_validators;   /* > 0: size of the active set */
    uint32_t max_entries;      /* > 0: entries per unbonding pair or redelegation triple (7) */
    uint64_t min_self_bond;    /* base units a validator's own delegation needs */
    int64_t day_ns;            /* > 0: one commission change per day_ns */
    uint64_t power_reduction;  /* > 0: base units per unit of power (Cosmos 10^6; here 1) */
} proto_staking_params;

/* unbonding 21 days, 100 validators, 7 entries, min self-bond 1,
 * day 24 h, power reduction 1. */
proto_staking_params proto_staking_defaults(void);

typedef enum proto_staking_status {
    PROTO_STAKING_UNBONDED = 0,
    PROTO_STAKING_UNBONDING = 1,
    PROTO_STAKING_BONDED = 2,
} proto_staking_status;

const char *proto_staking_status_name(proto_staking_status s);

typedef struct proto_staking_commission {
    proto_dec rate;            /* 0 <= rate <= max_rate */
    proto_dec max_rate;        /* <= 1 */
    proto_dec max_change_rate; /* <= max_rate: most a change may move the rate */
    int64_t update_time_ns;    /* last change (or creation) */
} proto_staking_commission;

typedef struct proto_staking_validator {
    uint32_t operator_account;    /* signs its CREATE/EDIT; its self-delegation's delegator */
    bool created;                 /* a self-bond was made (genesis or CREATE_VALIDATOR) */
    bool jailed;                  /* mirror of the validator set's */
    bool tombstoned;              /* mirror of the validator set's */
    proto_staking_status status;
    proto_shares_validator shares;  /* tokens (in the pool of the status) and shares */
    uint64_t unbonding_height;      /* when it started unbonding */
    int64_t unbonding_time_ns;      /* when it becomes unbonded */
    proto_staking_commission commission;
    proto_amount min_self_delegation; /* its own delegation's worth may not go below */
    uint64_t power;                 /* in the active set after the last end block; 0 outside */
} proto_staking_validator;

typedef struct proto_staking_delegation {
    uint32_t delegator; /* account index */
    uint32_t validator;
    proto_dec shares;   /* > 0 */
} proto_staking_delegation;

typedef struct proto_staking_unbonding {
    uint32_t delegator;
    uint32_t validator;
    uint64_t creation_height;
    int64_t completion_ns;        /* paid at the first end block with time >= this */
    proto_amount initial_balance; /* what slashing fractions apply to */
    proto_amount balance;         /* 0 <= balance <= initial_balance */
} proto_staking_unbonding;

typedef struct proto_staking_redelegation {
    uint32_t delegator;
    uint32_t src;
    uint32_t dst;
    uint64_t creation_height;
    int64_t completion_ns;
    proto_amount initial_balance; /* tokens moved */
    proto_dec shares_dst;         /* shares they bought at dst */
} proto_staking_redelegation;

typedef struct proto_staking_state proto_staking_state;

/* Why the module refused a message (or a slash). */
typedef enum proto_staking_result {
    PROTO_STAKING_OK = 0,
    PROTO_STAKING_OUT_OF_GAS,
    PROTO_STAKING_NO_ACCOUNT,           /* the sender is not an account */
    PROTO_STAKING_NO_FUNDS,             /* balance below the amount */
    PROTO_STAKING_UNKNOWN_VALIDATOR,    /* no such index, or never created */
    PROTO_STAKING_NOT_OPERATOR,         /* the sender does not operate it */
    PROTO_STAKING_ALREADY_CREATED,      /* CREATE_VALIDATOR twice */
    PROTO_STAKING_TOMBSTONED,           /* delegating to a tombstoned validator */
    PROTO_STAKING_JAILED,               /* cancel-unbonding into a jailed validator */
    PROTO_STAKING_ZERO_AMOUNT,
    PROTO_STAKING_SELF_BOND_BELOW_MIN,  /* creation, or an operator leaving too little */
    PROTO_STAKING_BAD_COMMISSION,       /* rates out of order or above one */
    PROTO_STAKING_COMMISSION_OVER_MAX,  /* new rate above max_rate */
    PROTO_STAKING_COMMISSION_TOO_SOON,  /* changed within day_ns */
    PROTO_STAKING_COMMISSION_TOO_LARGE, /* changed by more than max_change_rate */
    PROTO_STAKING_NO_DELEGATION,
    PROTO_STAKING_OVER_DELEGATION,      /* more than the delegation is worth */
    PROTO_STAKING_MAX_ENTRIES,          /* an eighth entry */
    PROTO_STAKING_TRANSITIVE_REDELEGATION,
    PROTO_STAKING_SELF_REDELEGATION,    /* src == dst */
    PROTO_STAKING_TINY_REDELEGATION,    /* the shares are worth no token */
    PROTO_STAKING_INVALID_EX_RATE,      /* no tokens left behind its shares */
    PROTO_STAKING_NO_UNBONDING_ENTRY,   /* none at that height, or mature */
    PROTO_STAKING_OVER_ENTRY_BALANCE,   /* cancelling more than the entry holds */
    PROTO_STAKING_UNBONDED_VALIDATOR,   /* slashing an unbonded validator: ignored */
    PROTO_STAKING_BAD_FRACTION,         /* slash fraction outside [0, 1] */
    PROTO_STAKING_FUTURE_INFRACTION,    /* infraction above the current height */
    PROTO_STAKING_RESULT_COUNT
} proto_staking_result;

const char *proto_staking_result_name(proto_staking_result r);

/* ---- genesis ---- */

typedef struct proto_staking_genesis_validator {
    uint32_t operator_account; /* < the state's account count */
    uint64_t self_bond;        /* 0: a candidate not created yet */
    uint64_t rate, max_rate, max_change_rate; /* x 10^-18, as CREATE_VALIDATOR's */
} proto_staking_genesis_validator;

typedef struct proto_staking_genesis_delegation {
    uint32_t delegator; /* account index */
    uint32_t validator; /* a created one */
    uint64_t amount;    /* > 0 */
} proto_staking_genesis_delegation;

/* Attach the module to s (genesis; accounts already added): validators
 * 0..count with their self-bonds, then the delegations. Their tokens are
 * created as module tokens (the supply grows by them, as the validator
 * module's genesis stakes do; balances are not touched). The active set
 * is then computed as an end block would at height 0, time_ns. The
 * arguments are asserted valid (genesis is ours). */
void proto_staking_genesis(proto_state *s, const proto_staking_params *params, uint32_t count,
                           const proto_staking_genesis_validator *validators,
                           uint32_t delegations_count,
                           const proto_staking_genesis_delegation *delegations, int64_t time_ns);

/* ---- reading ---- */

/* The module's state in s, or NULL when it has none. */
const proto_staking_state *proto_staking_get(const proto_state *s);
const proto_staking_params *proto_staking_params_of(const proto_staking_state *st);
uint32_t proto_staking_validators_count(const proto_staking_state *st);
/* NULL if i is out of range. */
const proto_staking_validator *proto_staking_validator_get(const proto_staking_state *st,
                                                           uint32_t i);
/* Shares of (delegator, validator); zero when there is no delegation. */
proto_dec proto_staking_delegation_shares(const proto_staking_state *st, uint32_t delegator,
                                          uint32_t validator);
/* The records in their sorted order (delegator, validator[, dst]); an
 * index < count. Unbonding and redelegation entries of one pair keep
 * their creation order. */
uint32_t proto_staking_delegations_count(const proto_staking_state *st);
const proto_staking_delegation *proto_staking_delegation_at(const proto_staking_state *st,
                                                            uint32_t k);
uint32_t proto_staking_unbondings_count(const proto_staking_state *st);
const proto_staking_unbonding *proto_staking_unbonding_at(const proto_staking_state *st,
                                                          uint32_t k);
uint32_t proto_staking_redelegations_count(const proto_staking_state *st);
const proto_staking_redelegation *proto_staking_redelegation_at(const proto_staking_state *st,
                                                                uint32_t k);
/* The whole tokens delegation d is worth now: its shares at the
 * validator's exchange rate, truncated (TokensFromSharesTruncated), as
 * a wallet shows it; 0 when the validator has no shares. */
proto_amount proto_staking_delegation_tokens(const proto_staking_state *st,
                                             const proto_staking_delegation *d);
proto_amount proto_staking_bonded_pool(const proto_staking_state *st);
proto_amount proto_staking_not_bonded_pool(const proto_staking_state *st);

/* ---- for the chain's integration ---- */

/* Write every validator's active-set power (proto_staking_validator.power)
 * into v from from_height (block height + update_delay), for validators
 * 0 .. min(counts) (proto_valset_set_power). */
void proto_staking_write_powers(const proto_state *s, proto_valset *v, uint64_t from_height);

/* Genesis of a chain whose consensus reads the validator module's set
 * (PBFT), after proto_staking_genesis and before any set is attached:
 * v (count validators, as the module has; ownership passes to s) takes
 * its tokens and genesis powers from the module
 * (proto_valset_use_external_stake) and is attached as the validator
 * module's set. From then on this module's end block writes its powers
 * into the set at height + update_delay and moves the set's proposer
 * priorities on (staking_valset.c). */
void proto_staking_genesis_valset(proto_state *s, proto_valset *v);

/* Set the jail and tombstone mirrors of validator i (for a chain that
 * jails outside the validator set, and for tests); the next end block
 * takes the validator out of (or back into) the active set. */
void proto_staking_set_jailed(proto_state *s, uint32_t i, bool jailed, bool tombstoned,
                              proto_undo *undo);

/* Keeper.Slash for an infraction of validator i at infraction_height (<=
 * ctx->height) when it had `power` (the validator set's power then):
 * slash_amount = trunc(tokens of power x fraction); unbonding entries
 * from i and redelegation entries out of i created at or after the
 * infraction height and not mature at ctx->time_ns pay their share first
 * (a redelegation by unbonding shares at its destination); the validator
 * burns the rest, capped at its tokens. Everything slashed is burned in
 * the core (ctx->undo records it). *burned_out (may be NULL) gets the
 * total burned. Refuses (state untouched) an unknown validator, a bad
 * fraction or a future infraction; an unbonded validator is ignored
 * (UNBONDED_VALIDATOR, nothing burned), as x/evidence does. */
proto_staking_result proto_staking_slash(proto_state *s, const proto_msg_ctx *ctx, uint32_t i,
                                         uint64_t infraction_height, uint64_t power,
                                         proto_dec fraction, proto_amount *burned_out);

/* Gas one message of this type charges: a read and a write of each
 * record it touches (key PROTO_STAKING_KEY_SIZE, value
 * PROTO_STAKING_VALUE_SIZE bytes). */
#define PROTO_STAKING_KEY_SIZE 12
#define PROTO_STAKING_VALUE_SIZE 96
uint64_t proto_staking_msg_gas(const proto_gas_schedule *gas, uint8_t type);

/* ---- hooks (Cosmos's StakingHooks) ----
 *
 * How a module that keeps per-delegation records (distribution) hears of
 * every change that affects them, without staking knowing the module:
 * staking calls these at the points x/staking calls its hooks
 * (keeper/delegation.go Delegate and Unbond, msg_server.go
 * CreateValidator, keeper/slash.go Slash), inside the same change, with
 * the message's (or the slash's) context, so the hook records undo into
 * ctx->undo and reads ctx->height. A hook may change accounts and its own
 * module's state, never staking's; it reads staking through
 * proto_staking_get, which shows the change half done exactly where
 * Cosmos's hooks see it (after_delegation_modified in an unbond runs
 * before the validator loses the tokens). Every member may be NULL.
 *
 * Staking finds the table in its own state: proto_staking_set_hooks, at
 * genesis, by the module that provides it (the distribution genesis
 * does). It is code, not data, so the state root does not commit to it;
 * the provider's own root does. The genesis's delegations exist before
 * any hook is set: the provider's genesis walks them itself. */
typedef struct proto_staking_hooks {
    void (*after_validator_created)(proto_state *s, const proto_msg_ctx *ctx, uint32_t validator);
    /* the delegation does not exist yet */
    void (*before_delegation_created)(proto_state *s, const proto_msg_ctx *ctx,
                                      uint32_t delegator, uint32_t validator);
    /* the delegation exists and its shares are about to change */
    void (*before_delegation_shares_modified)(proto_state *s, const proto_msg_ctx *ctx,
                                              uint32_t delegator, uint32_t validator);
    /* the delegation has its new shares (not called when it was removed) */
    void (*after_delegation_modified)(proto_state *s, const proto_msg_ctx *ctx,
                                      uint32_t delegator, uint32_t validator);
    /* the validator is about to burn `fraction` of its tokens (the
     * effective fraction, proto_slash_validator_burn; only when it burns
     * some) */
    void (*before_validator_slashed)(proto_state *s, const proto_msg_ctx *ctx, uint32_t validator,
                                     proto_dec fraction);
} proto_staking_hooks;

/* Genesis: staking calls `hooks` (static, outlives every state) from now
 * on; NULL: none. Not recorded for undo (genesis only). */
void proto_staking_set_hooks(proto_state *s, const proto_staking_hooks *hooks);
const proto_staking_hooks *proto_staking_hooks_of(const proto_staking_state *st);

#endif
