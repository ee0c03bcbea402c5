/* The staking module's insides, shared by its files (staking.h is the
 * public side): the state's layout, its containers, the keeper steps the
 * messages, the end block and slashing share.
 *
 * Containers are sorted arrays (GArray): delegations by (delegator,
 * validator), unbonding entries by (delegator, validator) and
 * redelegation entries by (delegator, src, dst), entries of one key in
 * creation order. Lookups are binary searches; walks are in that order,
 * so nothing depends on addresses. */
#ifndef AITBC_PROTOCOL_MODULES_STAKING_INTERNAL_H
#define AITBC_PROTOCOL_MODULES_STAKING_INTERNAL_H

#include "protocol/modules/staking/staking.h"

#define STAKING_DELEGATION_BUCKETS 64u

struct proto_staking_state {
    proto_staking_params params;
    uint32_t count;
    proto_staking_validator *validators; /* [count] */
    GArray *delegations;                 /* proto_staking_delegation, sorted */
    GArray *unbondings;                  /* proto_staking_unbonding, sorted */
    GArray *redelegations;               /* proto_staking_redelegation, sorted */
    proto_amount bonded_pool;            /* == tokens of bonded validators */
    /* The root hashes the delegations by bucket (delegator mod
     * STAKING_DELEGATION_BUCKETS), each bucket's hash kept until one of
     * its delegations changes (proto_staking__delegation_add,
     * proto_staking__unbond_delegation): a block's operations touch a
     * few buckets, so a root no longer encodes every delegation. A cache
     * of a pure function of the delegations, so filling it in a shared
     * copy is harmless; copies carry it. */
    proto_hash dbucket_hash[STAKING_DELEGATION_BUCKETS];
    bool dbucket_valid[STAKING_DELEGATION_BUCKETS];
    bool dbucket_fast;                   /* the kind of hash the cache holds */
    proto_amount not_bonded_pool;        /* == other validators' tokens + entries' balances */
    const proto_staking_hooks *hooks;    /* NULL: none; not in the root (staking.h) */
};

/* Where tokens come from when they are delegated. */
typedef enum staking_token_src {
    STAKING_FROM_ACCOUNT, /* new to the module (the caller took them from a balance) */
    STAKING_FROM_NOT_BONDED,
    STAKING_FROM_BONDED,
} staking_token_src;

/* ---- state (staking_state.c) ---- */

proto_staking_state *proto_staking__new(const proto_staking_params *params, uint32_t count);
/* Mutable access; the first call in an undo scope records a copy. */
proto_staking_state *proto_staking__mut(proto_state *s, proto_undo *undo);

/* Index of (delegator, validator)'s delegation, or -1. */
gint proto_staking__delegation_find(const proto_staking_state *st, uint32_t delegator,
                                    uint32_t validator);
/* Add shares to (delegator, validator), creating the delegation. */
void proto_staking__delegation_add(proto_staking_state *st, uint32_t delegator,
                                   uint32_t validator, proto_dec shares);
/* [*first, *last) of the unbonding entries of (delegator, validator). */
void proto_staking__unbonding_range(const proto_staking_state *st, uint32_t delegator,
                                    uint32_t validator, guint *first, guint *last);
/* [*first, *last) of the redelegation entries of (delegator, src, dst). */
void proto_staking__redelegation_range(const proto_staking_state *st, uint32_t delegator,
                                       uint32_t src, uint32_t dst, guint *first, guint *last);

/* ---- keeper steps (staking_keeper.c) ---- */

/* Whether i is tombstoned: its mirror, or the attached validator set's. */
bool proto_staking__tombstoned(const proto_state *s, const proto_staking_state *st, uint32_t i);
/* Keeper.Delegate: amount into validator i's tokens and the delegation;
 * the pools follow (tokens arriving from src go to the pool of i's
 * status). i must not have an invalid exchange rate (checked). Returns
 * the shares issued. */
proto_dec proto_staking__delegate(proto_staking_state *st, uint32_t delegator, uint32_t i,
                                  proto_amount amount, staking_token_src src);
/* Keeper.Unbond: shares (<= the delegation's) out of the delegation
 * (removed at zero) and of i; returns the tokens they were worth, which
 * stay in i's pool for the caller to move. */
proto_amount proto_staking__unbond(proto_staking_state *st, uint32_t delegator, uint32_t i,
                                   proto_dec shares);
/* Its two halves: the delegation loses the shares (removed at zero), then
 * the validator loses them and their tokens (returned). */
void proto_staking__unbond_delegation(proto_staking_state *st, uint32_t delegator, uint32_t i,
                                      proto_dec shares);
proto_amount proto_staking__unbond_validator(proto_staking_state *st, uint32_t i,
                                             proto_dec shares);
/* ValidateUnbondAmount: the shares undelegating `amount` tokens of
 * (delegator, i) takes, or a refusal (NO_DELEGATION, OVER_DELEGATION,
 * INVALID_EX_RATE). */
proto_staking_result proto_staking__unbond_shares(const proto_staking_state *st,
                                                  uint32_t delegator, uint32_t i,
                                                  proto_amount amount, proto_dec *shares);
/* Whether the operator of i would keep less than its min self-delegation
 * after delegator gives up `shares` of i (false for anyone else). */
bool proto_staking__self_bond_too_low(const proto_staking_state *st, uint32_t delegator,
                                      uint32_t i, proto_dec shares);
/* Move tokens between the pools (bonded -> not bonded when to_bonded is
 * false). */
void proto_staking__pool_move(proto_staking_state *st, bool to_bonded, proto_amount amount);
/* Tokens burned out of the pool of a validator of status `status`. */
void proto_staking__pool_burn(proto_staking_state *st, proto_staking_status status,
                              proto_amount amount);

/* ---- end block (staking_queue.c) ---- */

/* ApplyAndReturnValidatorSetUpdates and UnbondAllMatureValidators on st
 * alone (no accounts), at block height and time_ns. */
void proto_staking__update_set(proto_staking_state *st, uint64_t height, int64_t time_ns);
bool proto_staking__end_block(proto_state *s, const proto_msg_ctx *ctx);

/* ---- hooks (staking_hooks.c) ---- */

/* Keeper.Delegate with its hooks: before_delegation_created (or
 * before_delegation_shares_modified when the delegation exists),
 * proto_staking__delegate, after_delegation_modified. */
proto_dec proto_staking__delegate_hooked(proto_state *s, const proto_msg_ctx *ctx,
                                         proto_staking_state *st, uint32_t delegator, uint32_t i,
                                         proto_amount amount, staking_token_src src);
/* Keeper.Unbond with its hooks: before_delegation_shares_modified, the
 * delegation's shares, after_delegation_modified (if it remains), then
 * the validator's tokens and shares. */
proto_amount proto_staking__unbond_hooked(proto_state *s, const proto_msg_ctx *ctx,
                                          proto_staking_state *st, uint32_t delegator, uint32_t i,
                                          proto_dec shares);
void proto_staking__hook_validator_created(proto_state *s, const proto_msg_ctx *ctx,
                                           const proto_staking_state *st, uint32_t i);
void proto_staking__hook_validator_slashed(proto_state *s, const proto_msg_ctx *ctx,
                                           const proto_staking_state *st, uint32_t i,
                                           proto_dec fraction);

/* ---- the rest of the vtable ---- */

#define PROTO_STAKING__ROUTES_COUNT 6
extern const proto_msg_route proto_staking__routes[PROTO_STAKING__ROUTES_COUNT];
bool proto_staking__invariants(const proto_state *s, const void *state, GString *why);

/* An amount the supply counts: asserted to fit in u64. */
uint64_t proto_staking__u64(proto_amount a);

/* ---- the chain's validator set (staking_valset.c) ---- */

/* End of block: the module's powers and tokens into an attached set with
 * external stake (from height + update_delay), then the priorities. */
void proto_staking__sync_valset(proto_state *s, const proto_msg_ctx *ctx);

#endif
