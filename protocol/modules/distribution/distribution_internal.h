/* The distribution module's insides, shared by its files (distribution.h
 * is the public side): the state's layout, its keyed tables with
 * per-record undo, and the F1 keeper steps the hooks, the messages, the
 * end block and the invariants share.
 *
 * Records keyed by more than a validator index live in three sorted
 * tables of one entry type (GArray, binary search on the key, walked in
 * key order, so nothing depends on addresses):
 *   historical rewards  key (validator, 0, period, 0)
 *   slash events        key (validator, 0, height, period)  (Cosmos's order)
 *   starting infos      key (validator, delegator, 0, 0)
 * Every change to a table entry, a validator record, the counters or the
 * votes pushes one undo record holding the old value (or its absence). */
#ifndef AITBC_PROTOCOL_MODULES_DISTRIBUTION_INTERNAL_H
#define AITBC_PROTOCOL_MODULES_DISTRIBUTION_INTERNAL_H

#include "protocol/modules/distribution/distribution.h"
#include "protocol/modules/staking/staking.h"

typedef enum dist_table {
    DIST_HISTORICAL = 0,
    DIST_SLASHES = 1,
    DIST_STARTS = 2,
    DIST_TABLES = 3
} dist_table;

typedef struct dist_key {
    uint32_t a; /* validator */
    uint32_t b; /* delegator (starting infos), else 0 */
    uint64_t c; /* period (historical), height (slash events), else 0 */
    uint64_t d; /* period (slash events), else 0 */
} dist_key;

/* One table entry; which member holds depends on the table. Built from
 * zero (memset) so padding is deterministic. */
typedef struct dist_entry {
    dist_key key;
    union {
        struct {
            proto_dec ratio; /* cumulative reward ratio R(period) */
            uint32_t refs;   /* > 0 while it exists; <= 2 (Cosmos) */
        } hist;
        struct {
            proto_dec fraction; /* effective fraction, in [0, 1] */
            proto_dec ratio;    /* R of the period the slash ended */
        } slash;
        struct {
            uint64_t period; /* the validator period ended when it started */
            uint64_t height; /* the block it started in */
            proto_dec stake; /* TokensFromSharesTruncated then */
        } start;
    };
} dist_entry;

/* One validator's records (by staking index). */
typedef struct dist_validator {
    bool initialized;      /* created in staking (genesis or CREATE_VALIDATOR) */
    uint64_t period;       /* current period, >= 1 once initialized */
    proto_dec current;     /* current rewards, for its delegators, >= 0 */
    proto_dec outstanding; /* not yet withdrawn: delegators' and commission, >= 0 */
    proto_dec commission;  /* accumulated commission, <= outstanding */
} dist_validator;

/* The module's counters. */
typedef struct dist_globals {
    proto_f1_params params;
    uint64_t fee_collector;      /* whole coins waiting for the end block */
    uint64_t tokens;             /* module account == sum outstanding + community pool */
    proto_dec community_pool;    /* >= 0 */
    uint64_t rewards_claimed;    /* whole coins paid to delegators so far */
    uint64_t commission_claimed; /* whole coins paid to operators so far */
} dist_globals;

typedef struct dist_vote {
    uint64_t power;   /* at the voted height */
    bool signed_vote; /* signed the previous block */
} dist_vote;

struct proto_distribution_state_s {
    dist_globals g;
    uint32_t count;              /* staking's validator count */
    dist_validator *validators;  /* [count] */
    GArray *tables[DIST_TABLES]; /* dist_entry, sorted by key */
    /* The hash of each validator's segment of each table (every key
     * starts with the validator), [DIST_TABLES * count], computed when
     * the root is asked for and kept until an entry of that segment
     * changes (table_write, table_erase): a delegation change touches one
     * validator's segments, so a root costs the changed segments and
     * count hashes per table instead of every starting info. A cache of
     * a pure function of the table, so filling it in a shared copy is
     * harmless. */
    proto_hash *seg_hash;
    bool *seg_valid;
    bool seg_fast;               /* the kind of hash the cache holds */
    bool votes_recorded;         /* record_votes ran in this block */
    uint32_t proposer;           /* the previous block's; >= count: unknown */
    GArray *votes;               /* dist_vote, index = validator */
};
typedef struct proto_distribution_state_s dist_state;

/* ---- state and undo (distribution_state.c) ---- */

const dist_state *dist__get(const proto_state *s);
/* Mutable access that records the old value into undo first. */
dist_globals *dist__globals_mut(proto_state *s, proto_undo *undo);
dist_validator *dist__validator_mut(proto_state *s, uint32_t i, proto_undo *undo);
/* The votes, cleared (recorded false, none) or replaced. */
void dist__votes_set(proto_state *s, bool recorded, uint32_t proposer, const dist_vote *votes,
                     uint32_t count, proto_undo *undo);

/* ---- tables (distribution_table.c) ---- */

/* The entry with this key, or NULL. */
const dist_entry *dist__find(const dist_state *st, dist_table t, dist_key key);
/* Insert or overwrite e (by its key); remove the entry with key. */
void dist__put(proto_state *s, dist_table t, const dist_entry *e, proto_undo *undo);
void dist__remove(proto_state *s, dist_table t, dist_key key, proto_undo *undo);
/* [*first, *last) of the entries whose key starts with (a, b) (b
 * ignored when any_b). */
void dist__range(const dist_state *st, dist_table t, uint32_t a, uint32_t b, bool any_b,
                 guint *first, guint *last);
const dist_entry *dist__at(const dist_state *st, dist_table t, guint k);
dist_key dist__key_hist(uint32_t validator, uint64_t period);
dist_key dist__key_start(uint32_t validator, uint32_t delegator);
dist_key dist__key_slash(uint32_t validator, uint64_t height, uint64_t period);

/* ---- the F1 keeper (distribution_keeper.c) ---- */

/* initializeValidator. */
void dist__init_validator(proto_state *s, uint32_t i, proto_undo *undo);
/* IncrementValidatorPeriod: returns the period it ended. */
uint64_t dist__increment_period(proto_state *s, uint32_t i, proto_undo *undo);
void dist__ref_inc(proto_state *s, uint32_t i, uint64_t period, proto_undo *undo);
/* initializeDelegation at `height`. */
void dist__init_delegation(proto_state *s, uint32_t i, uint32_t delegator, uint64_t height,
                           proto_undo *undo);
/* withdrawDelegationRewards (the starting info is removed): the whole
 * coins paid to the delegator. */
proto_amount dist__withdraw_delegation(proto_state *s, uint32_t i, uint32_t delegator,
                                       uint64_t height, proto_undo *undo);
/* WithdrawValidatorCommission's change (the caller checked it is not
 * zero): the whole coins paid to the operator. */
proto_amount dist__withdraw_commission(proto_state *s, uint32_t i, proto_undo *undo);
/* R(end_period) of a validator whose period `end_period` would end now
 * (without ending it), and the rewards of (validator, delegator) up to it
 * at `height` (CalculateDelegationRewards). */
proto_dec dist__rewards(const proto_state *s, uint32_t i, uint32_t delegator, uint64_t height,
                        uint64_t end_period, proto_dec end_ratio);
/* The cumulative ratio the validator's current period would end with if
 * it ended now (the previous one when it has no tokens). */
proto_dec dist__ratio_if_ended(const proto_state *s, uint32_t i);

/* Adds b to *a (asserted to stay in range: amounts here are bounded by
 * the u64 supply). */
void dist__add(proto_dec *a, proto_dec b);
void dist__sub(proto_dec *a, proto_dec b);

/* ---- the rest of the vtable ---- */

/* The staking hooks (distribution_keeper.c). */
extern const proto_staking_hooks dist__hooks;
/* The messages and the end block (distribution_payments.c). */
#define DIST__ROUTES_COUNT 2
extern const proto_msg_route dist__routes[DIST__ROUTES_COUNT];
bool dist__end_block(proto_state *s, const proto_msg_ctx *ctx);
/* The invariants (distribution_readers.c). */
bool dist__invariants(const proto_state *s, const void *state, GString *why);

#endif
