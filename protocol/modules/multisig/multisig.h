/* The multisig module: threshold accounts after Safe (Gnosis Safe), id 8.
 *
 * A multisig is a set of owners (distinct account indices, at most
 * PROTO_MULTISIG_OWNERS_MAX, kept sorted), a threshold (1 <= threshold
 * <= owners), a nonce (0 at creation, +1 per executed operation, never
 * anything else) and a balance. It acts only through MULTISIG_EXEC: one
 * inner operation that at least `threshold` of its owners approved at
 * its current nonce, as Safe's execTransaction does with approved
 * hashes (approveHash, then checkNSignatures with v = 1).
 *
 * Why approvals and not signatures in the exec: the owners' consent is
 * each owner's own transaction (MULTISIG_APPROVE, signed by the owner
 * like any other), so the exec carries no signatures and the envelope,
 * which every node holds by value for every transaction, does not grow.
 *
 * Ids. A multisig's id is its position in creation order plus one: the
 * genesis multisigs get 1..n in the order genesis lists them, then each
 * accepted MULTISIG_CREATE the next id, in block and transaction order.
 * Multisigs are never removed, so ids are never reused, and one is found
 * by index. At most PROTO_MULTISIG_COUNT_MAX exist.
 *
 * Tokens. A multisig's balance is held by this module, not by a core
 * account: the core's accounts are made at genesis only, and a multisig
 * made later needs somewhere to hold tokens. The module's supply is the
 * sum of the balances, so total supply = balances + modules + burned -
 * minted holds without a special case. Tokens come in by
 * MULTISIG_DEPOSIT (from the sender's balance) or at genesis (created,
 * as the registry's genesis bonds are), and go out only by an executed
 * TRANSFER operation, to an account.
 *
 * Approvals. An approval is (multisig, operation hash, owner), always
 * for the multisig's current nonce: the hash is proto_multisig_op_hash
 * (txmsg_multisig.h) of the chain, the multisig, that nonce and the
 * operation. Each executed operation drops every pending approval of its
 * multisig (they were for the nonce that just passed), the approvals of
 * an owner it removes with them; nothing else drops one, and there is no
 * revoking. Each owner has at most PROTO_MULTISIG_APPROVALS_PER_OWNER_MAX
 * approvals pending per multisig, so a multisig has at most owners x
 * that many distinct hashes pending, and one owner filling its own
 * quota never stops the others from approving (a bound per multisig
 * would let one owner lock the rest out until an execution).
 *
 * Messages (bodies in txmsg_multisig.h, wire in tx_envelope.h; refusals
 * proto_multisig_result; a refused message leaves the state as it was;
 * anyone with an account may send CREATE, DEPOSIT and EXEC, the sender
 * pays the fee):
 *   MULTISIG_CREATE   owners (any order) and threshold; refused as
 *                     too_many_owners, threshold_zero (Safe GS202),
 *                     threshold_above_owners (GS201), unknown_owner (an
 *                     index naming no account; GS203), duplicate_owner
 *                     (GS204), too_many_multisigs
 *   MULTISIG_DEPOSIT  amount from the sender's balance into multisig id
 *                     (unknown_multisig, no_funds)
 *   MULTISIG_APPROVE  multisig id, nonce, operation hash: the sender, an
 *                     owner, approves that hash. Checked in this order:
 *                     unknown_multisig; approver_not_owner (GS030);
 *                     bad_nonce (not the current nonce); already_approved
 *                     (this owner, this hash); too_many_approvals (the
 *                     owner has the maximum pending).
 *   MULTISIG_EXEC     multisig id, its nonce, one operation. Checked in
 *                     this order: unknown_multisig; bad_nonce (so an
 *                     executed EXEC replayed is refused);
 *                     below_threshold (fewer than threshold owners
 *                     approved this operation's hash; GS025); the
 *                     operation's own refusals. Then the operation
 *                     applies, the nonce goes up by exactly one and the
 *                     multisig's pending approvals are dropped. Anyone
 *                     may send it; unlike Safe, a sender who is an owner
 *                     does not count as approving (only approvals count).
 * Operations (an inner type byte; the set grows by rows, see
 * txmsg_multisig.h). Owner changes exist only here, so only the multisig
 * itself changes its owners (Safe's `authorized`):
 *   TRANSFER          amount to an account (unknown_recipient, no_funds:
 *                     the multisig's balance)
 *   ADD_OWNER         a new owner and the threshold after it
 *                     (unknown_owner, already_owner, too_many_owners,
 *                     threshold_zero, threshold_above_owners)
 *   REMOVE_OWNER      an owner and the threshold after it (not_owner;
 *                     threshold_above_owners when the owners left could
 *                     not reach it, which also refuses removing the last
 *                     owner; threshold_zero)
 *   CHANGE_THRESHOLD  1 <= threshold <= owners (threshold_zero,
 *                     threshold_above_owners)
 *   JOB_SETTLE        job, release: settle the large job this multisig
 *                     guards (jobs.h, "Guarded jobs"): pay the provider
 *                     or refund the consumer (not_guard: no live job
 *                     guarded by this multisig has this id;
 *                     job_not_delivered: its result is not in yet).
 *                     While its job lives, a guard executes nothing else
 *                     (guard_only): its owners cannot change under it
 *   UPGRADE           module, version, height: plan an upgrade
 *                     (protocol/modules/upgrade/upgrade.h) as the upgrade
 *                     authority (not_authority, unknown_module, not_newer,
 *                     past_height, too_many_plans)
 * Unlike Safe, an operation that would fail refuses the whole EXEC and
 * the nonce does not move (Safe spends the nonce on a failed inner call
 * that was given its own gas), so the approvals stay. Values the decoder
 * already refuses (an unknown operation, a zero amount, a count over the
 * maximum) are refused here as bad_message. A multisig cannot own
 * itself: owners are accounts, multisigs are not.
 *
 * Gas, charged before anything is checked, from the message alone: a
 * read and a write of the multisig record (PROTO_MULTISIG_KEY_SIZE +
 * PROTO_MULTISIG_VALUE_SIZE bytes) for CREATE, DEPOSIT and EXEC, only a
 * read for APPROVE; a read of each owner's account for CREATE; a read
 * and a write of the sender's account for DEPOSIT; a read and a write of
 * one approval record (PROTO_MULTISIG_APPROVAL_KEY_SIZE + _VALUE_SIZE)
 * for APPROVE (adding the owner) and EXEC (deleting the operation's);
 * for EXEC a read and a write of the recipient's account for TRANSFER or
 * a read of the new owner's account for ADD_OWNER. The other approvals
 * an EXEC drops are not charged again: the write that made each paid
 * for it. Accounts are PROTO_ACCOUNT_KEY_SIZE + PROTO_ACCOUNT_VALUE_SIZE
 * bytes (tx_exec.h).
 *
 * Invariants, every committed height: ids are 1..count in order; 1 <=
 * threshold <= owners <= PROTO_MULTISIG_OWNERS_MAX; owners strictly
 * increasing, each an account; the balances sum to the module's supply;
 * the nonces sum to the count of executed operations the module keeps
 * (a nonce moved any way but by an EXEC breaks it; that a nonce never
 * decreases across heights is what the tests check); approvals in
 * (multisig, hash) order, each of an existing multisig, by at least one
 * of its current owners, at most the per-owner maximum each.
 *
 * The module is attached only by its genesis (proto_multisig_genesis), so
 * a chain without it has the roots and traces it always had, and refuses
 * multisig messages as no_state. Undo: the first change in an undo scope
 * records a copy of the whole state, as the registry and jobs modules do.
 * No events yet. */
#ifndef AITBC_PROTOCOL_MODULES_MULTISIG_H
#define AITBC_PROTOCOL_MODULES_MULTISIG_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocol/chain/module.h"
#include "protocol/chain/tx_envelope.h"

#define PROTO_MULTISIG_MODULE_ID 8

extern const proto_module proto_multisig_module;

/* Multisigs one chain may hold (the state is copied whole for undo). */
#define PROTO_MULTISIG_COUNT_MAX 4096u
/* Approvals one owner may have pending on one multisig (distinct
 * operation hashes at its current nonce). A few competing proposals at
 * once; an owner at the maximum approves again after the next execution. */
#define PROTO_MULTISIG_APPROVALS_PER_OWNER_MAX 4u

typedef struct proto_multisig {
    uint32_t id;                                /* key: creation order + 1 */
    uint32_t threshold;                         /* approvals an EXEC needs: 1..owners_count */
    uint32_t owners_count;                      /* 1..PROTO_MULTISIG_OWNERS_MAX */
    uint32_t owners[PROTO_MULTISIG_OWNERS_MAX]; /* account indices, strictly increasing;
                                                 * slots past the count are 0 */
    uint64_t nonce;                             /* operations executed */
    uint64_t balance;                           /* base units the module holds for it */
} proto_multisig;

/* Why the module refused a message. */
typedef enum proto_multisig_result {
    PROTO_MULTISIG_OK = 0,
    PROTO_MULTISIG_OUT_OF_GAS,
    PROTO_MULTISIG_BAD_MESSAGE,            /* a value the decoder refuses */
    PROTO_MULTISIG_NO_ACCOUNT,             /* the sender is not an account */
    PROTO_MULTISIG_TOO_MANY_OWNERS,        /* above PROTO_MULTISIG_OWNERS_MAX */
    PROTO_MULTISIG_THRESHOLD_ZERO,         /* Safe GS202 */
    PROTO_MULTISIG_THRESHOLD_ABOVE_OWNERS, /* Safe GS201 */
    PROTO_MULTISIG_UNKNOWN_OWNER,          /* an owner index names no account (GS203) */
    PROTO_MULTISIG_DUPLICATE_OWNER,        /* an owner listed twice (GS204) */
    PROTO_MULTISIG_TOO_MANY_MULTISIGS,     /* PROTO_MULTISIG_COUNT_MAX exist */
    PROTO_MULTISIG_UNKNOWN_MULTISIG,       /* no multisig has this id */
    PROTO_MULTISIG_NO_FUNDS,               /* the sender's or the multisig's balance */
    PROTO_MULTISIG_BAD_NONCE,              /* not the multisig's current nonce */
    PROTO_MULTISIG_BELOW_THRESHOLD,        /* fewer approvals than the threshold (GS025) */
    PROTO_MULTISIG_APPROVER_NOT_OWNER,     /* an approval from a non-owner (GS030) */
    PROTO_MULTISIG_ALREADY_APPROVED,       /* this owner approved this hash already */
    PROTO_MULTISIG_TOO_MANY_APPROVALS,     /* the owner has the maximum pending */
    PROTO_MULTISIG_UNKNOWN_RECIPIENT,      /* a transfer to no account */
    PROTO_MULTISIG_ALREADY_OWNER,          /* adding an owner (GS204) */
    PROTO_MULTISIG_NOT_OWNER,              /* removing an account that is not an owner */
    PROTO_MULTISIG_NOT_GUARD,              /* JOB_SETTLE of a job this multisig does not guard */
    PROTO_MULTISIG_JOB_NOT_DELIVERED,      /* JOB_SETTLE before the job's result is in */
    PROTO_MULTISIG_GUARD_ONLY,             /* another operation by a live job's guard */
    PROTO_MULTISIG_NOT_AUTHORITY,          /* UPGRADE by another than the upgrade authority */
    PROTO_MULTISIG_UNKNOWN_MODULE,         /* UPGRADE of a module without state */
    PROTO_MULTISIG_NOT_NEWER,              /* UPGRADE not above the version and every plan */
    PROTO_MULTISIG_PAST_HEIGHT,            /* UPGRADE activating at or before this block */
    PROTO_MULTISIG_TOO_MANY_PLANS,         /* UPGRADE while the most plans wait */
    PROTO_MULTISIG_RESULT_COUNT
} proto_multisig_result;

const char *proto_multisig_result_name(proto_multisig_result r);

/* Safe's rules for an owner set (CREATE, genesis): at most the maximum,
 * 1 <= threshold <= owners, each owner < accounts_count, no owner twice;
 * the first broken in that order, or OK. */
proto_multisig_result proto_multisig_owners_rule(uint32_t accounts_count, uint32_t threshold,
                                                 uint32_t owners_count, const uint32_t *owners);

/* ---- genesis ---- */

typedef struct proto_multisig_genesis_account {
    uint32_t threshold;
    uint32_t owners_count;
    uint32_t owners[PROTO_MULTISIG_OWNERS_MAX]; /* any order */
    uint64_t balance; /* created as module tokens (the supply grows by it) */
} proto_multisig_genesis_account;

/* Attach the module to s (accounts already added) with multisigs
 * 1..count from accounts[count] (each asserted to pass
 * proto_multisig_owners_rule: genesis is ours; a scenario loader checks
 * its input with that function first). count 0 attaches an empty module,
 * which accepts CREATE. */
void proto_multisig_genesis(proto_state *s, uint32_t count,
                            const proto_multisig_genesis_account *accounts);

/* A multisig another module makes as it applies a message (the jobs
 * module's guard of a large job, jobs.h): owners as
 * proto_multisig_owners_rule takes them (asserted), no balance. Returns
 * its id, or 0 when the module is absent or full. The change is
 * recorded in undo like any other. */
uint32_t proto_multisig_create_for(proto_state *s, proto_undo *undo, uint32_t threshold,
                                   uint32_t owners_count, const uint32_t *owners);
/* Whether proto_multisig_create_for would make one now. */
bool proto_multisig_can_create(const proto_state *s);
/* Another module pays `amount` of the tokens it holds into multisig id
 * (the jobs module's market fees into a treasury, jobs.h): the caller
 * takes them off its own total, so the supply is unchanged. Asserts the
 * multisig exists. Recorded in undo. */
void proto_multisig_credit(proto_state *s, proto_undo *undo, uint32_t id, uint64_t amount);

/* ---- readers (the module absent: NULL, zero) ---- */

bool proto_multisig_active(const proto_state *s);
/* Multisigs; the one with this id, or NULL. Valid until s changes. */
uint32_t proto_multisig_count(const proto_state *s);
const proto_multisig *proto_multisig_get(const proto_state *s, uint32_t id);
/* Whether account is one of ms's owners. */
bool proto_multisig_is_owner(const proto_multisig *ms, uint32_t account);
/* The tokens the module holds (its supply) and the operations executed
 * (the nonces' sum). */
uint64_t proto_multisig_held(const proto_state *s);
uint64_t proto_multisig_executed(const proto_state *s);
/* Approvals pending on multisig id (at its current nonce): how many of
 * its owners approved op_hash; whether `owner` (an account) did; how
 * many distinct hashes have approvals; how many approvals in all. 0 or
 * false for an unknown multisig. */
uint32_t proto_multisig_approvals(const proto_state *s, uint32_t id, const proto_hash *op_hash);
bool proto_multisig_approved(const proto_state *s, uint32_t id, const proto_hash *op_hash,
                             uint32_t owner);
uint32_t proto_multisig_pending_hashes(const proto_state *s, uint32_t id);
uint64_t proto_multisig_pending_total(const proto_state *s);

/* What the gas schedule assumes a multisig record and an approval record
 * (key: multisig id, operation hash; value: the approving owners) are. */
#define PROTO_MULTISIG_KEY_SIZE 4
#define PROTO_MULTISIG_VALUE_SIZE (4 + 4 + 4 * PROTO_MULTISIG_OWNERS_MAX + 8 + 8)
#define PROTO_MULTISIG_APPROVAL_KEY_SIZE (4 + PROTO_HASH_SIZE)
#define PROTO_MULTISIG_APPROVAL_VALUE_SIZE 4

/* Gas this message charges (it must be a multisig message). */
uint64_t proto_multisig_msg_gas(const proto_gas_schedule *gas, const proto_txmsg *m);

#endif
