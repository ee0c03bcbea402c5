/* The chain core's state: accounts with an incremental Merkle root and an
 * index by key, the burned counter, the base fee, and the slots of the modules (module.h) that own the
 * rest (the validator set, later staking, jobs, escrow).
 *
 * Accounts live in a dense array indexed by account number; the accounts
 * root is a binary Merkle tree over leaf = H(pubkey || balance || nonce)
 * padded to a power of two with zero hashes. Changes mark leaves dirty;
 * the root is recomputed lazily along dirty paths only (proto_state_root),
 * so a block of k transfers costs O(k log n) hashes once, not per
 * transfer. The state root folds in each module's root (module.h).
 *
 * Every mutation can be recorded into an undo log so a node can roll a
 * block back on reorg without keeping per-block state copies. */
#ifndef AITBC_PROTOCOL_STATE_H
#define AITBC_PROTOCOL_STATE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocol/core/crypto.h"

typedef struct proto_account {
    proto_pubkey pk;
    uint64_t balance;
    uint64_t nonce; /* next expected nonce */
} proto_account;

typedef struct proto_state proto_state;

/* An undo log: old values of every account touched, in order (the hot
 * path: two per transfer), burned as it was before the first change, and
 * the modules' own records (module.h), interleaved with the account
 * entries in the order they were made. */
typedef struct proto_undo {
    GArray *entries;        /* of proto_undo_entry (state.c) */
    GArray *records;        /* of proto_undo_record (module.h); NULL until the first */
    uint64_t burned_before;
    bool burned_saved;      /* burned_before holds a value */
    uint64_t minted_before;
    bool minted_saved;      /* minted_before holds a value */
    uint64_t base_fee_before;
    bool base_fee_saved;    /* base_fee_before holds a value */
    guint scope_floor;      /* records below it are outside the open scope (module.h) */
} proto_undo;

/* A point in an undo log to revert back to (proto_state_revert_to). */
typedef struct proto_undo_mark {
    guint entries;
    guint records;
    uint64_t burned;   /* the state's values at the mark */
    uint64_t minted;
    uint64_t base_fee;
} proto_undo_mark;

/* No account has this index. */
#define PROTO_ACCOUNT_NONE UINT32_MAX

/* Sharing. A state is reference-counted: proto_state_new and
 * proto_state_copy return one reference, proto_state_ref adds one and
 * proto_state_free drops one (the last frees it). A state with more than
 * one reference is shared and immutable: only its root cache may be
 * filled (proto_state_root), which gives every holder the same value.
 * Mutating a shared state is a bug (asserted): copy it first. The count
 * is bookkeeping, not part of the state's value, hence ref on const.
 * proto_state_new makes a state with the chain's registered modules
 * (protocol/modules/modules.h), none of which has state until attached;
 * copies copy every module's state. */
proto_state *proto_state_new(void);
proto_state *proto_state_copy(const proto_state *s);
proto_state *proto_state_ref(const proto_state *s);
bool proto_state_shared(const proto_state *s);
void proto_state_free(proto_state *s);

/* Genesis only: append an account; returns its index. The caller keeps
 * the sum of genesis balances within u64 (asserted: total supply must fit
 * so that no credit can overflow). */
uint32_t proto_state_add_account(proto_state *s, const proto_pubkey *pk, uint64_t balance);
uint32_t proto_state_account_count(const proto_state *s);
/* NULL if index is out of range. */
const proto_account *proto_state_account(const proto_state *s, uint32_t index);
uint64_t proto_state_burned(const proto_state *s);
/* Tokens created after genesis (the mint module's block provisions). */
uint64_t proto_state_minted(const proto_state *s);
/* Sum of balances + burned + the tokens every module holds (the bonded
 * validator tokens) - minted: the genesis supply, constant under
 * transfers, slashing and minting (conservation). The tokens that exist
 * now are this + minted - burned. */
uint64_t proto_state_total_supply(const proto_state *s);
/* The tokens in existence, genesis supply + minted - burned, from the
 * core's cache: O(1), where proto_state_total_supply walks every account
 * (what the invariant checker wants). Equal to that + minted - burned
 * whenever conservation holds, which the checker verifies. */
uint64_t proto_state_supply_existing(const proto_state *s);

/* For modules: the account at index (< count) to change. Records its old
 * balance and nonce into undo (if non-NULL) and marks its leaf dirty; s
 * must be private. The caller keeps balances within the supply. */
proto_account *proto_state_account_mut(proto_state *s, uint32_t index, proto_undo *undo);

/* The account whose key is pk, or PROTO_ACCOUNT_NONE. O(1). */
uint32_t proto_state_account_by_key(const proto_state *s, const proto_pubkey *pk);

/* The base fee per gas the next block must carry (fee_market.h): set at
 * genesis, then by every block's end. Recorded in undo like burned. */
uint64_t proto_state_base_fee(const proto_state *s);
void proto_state_set_base_fee(proto_state *s, uint64_t base_fee, proto_undo *undo);

void proto_undo_init(proto_undo *u);
void proto_undo_clear(proto_undo *u);
/* Restore every value recorded in undo (newest first) and empty it. */
void proto_state_revert(proto_state *s, proto_undo *undo);
/* Where the log and the state are now. */
proto_undo_mark proto_undo_mark_now(const proto_undo *undo, const proto_state *s);
/* Restore what was recorded after mark (newest first) and drop it from
 * the log; burned and the base fee go back to their values at the mark. */
void proto_state_revert_to(proto_state *s, proto_undo *undo, const proto_undo_mark *mark);

/* Burn amount (fees, slashed stake): burned += amount, recorded in undo.
 * The caller has taken it out of a balance or a module's tokens. */
void proto_state_burn(proto_state *s, uint64_t amount, proto_undo *undo);
/* Create amount new tokens (block provisions): minted += amount, recorded
 * in undo like burned. The caller credits them to a balance or a
 * module's tokens in the same step. Asserts the supply stays in u64. */
void proto_state_mint(proto_state *s, uint64_t amount, proto_undo *undo);

/* Hash the Merkle tree, the modules' roots and the state root with
 * proto_fastmix (crypto = fast) instead of BLAKE2b. Set on the genesis
 * state; copies inherit it. */
void proto_state_set_fast_hash(proto_state *s, bool fast);
/* Current state root (recomputes dirty paths and stale module roots):
 * H("aitbc/state" || accounts root || base fee u64 LE || [minted u64 LE,
 * only when non-zero] || module roots in id order). Leaving minted out
 * at zero keeps the roots of chains that never mint as they were. */
void proto_state_root(proto_state *s, proto_hash *out);

#endif
