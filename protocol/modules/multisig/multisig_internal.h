/* The multisig module's state and the helpers its files share
 * (multisig_state.c: state, root, undo, genesis, readers, the owner-set
 * rule, the vtable; multisig_approvals.c: the pending approvals;
 * multisig_msgs.c: CREATE, DEPOSIT, APPROVE, EXEC and gas;
 * multisig_ops.c: the inner operations; multisig_invariants.c).
 * Internal to the module. */
#ifndef AITBC_PROTOCOL_MODULES_MULTISIG_INTERNAL_H
#define AITBC_PROTOCOL_MODULES_MULTISIG_INTERNAL_H

#include "protocol/modules/multisig/multisig.h"

/* The owners of one multisig who approved one operation hash at its
 * current nonce. Owners are named by their position in the multisig's
 * sorted owners: the owners change only by an execution, which drops
 * every approval of the multisig first, so a position means the same
 * owner for as long as the approval exists. */
typedef struct multisig_approval {
    uint32_t multisig;  /* its id */
    uint32_t approvers; /* bit k: owners[k] approved; never 0, no bit >= owners_count */
    proto_hash op_hash; /* proto_multisig_op_hash at the multisig's nonce */
} multisig_approval;

typedef struct multisig_state {
    GArray *multisigs; /* proto_multisig; the one at index k has id k + 1 */
    GArray *approvals; /* multisig_approval, strictly ascending by (multisig, op_hash);
                        * at most owners x PROTO_MULTISIG_APPROVALS_PER_OWNER_MAX
                        * per multisig */
    uint64_t held;     /* sum of the balances: the module's supply */
    uint64_t executed; /* operations executed: the sum of the nonces */
} multisig_state;

/* The state, or NULL when the module is absent. */
const multisig_state *proto_multisig__get(const proto_state *s);
/* Mutable access (asserts the state exists): the first call in an undo
 * scope records a copy of the whole state into undo (NULL: none). */
multisig_state *proto_multisig__mut(proto_state *s, proto_undo *undo);

/* The multisig with this id in st, or NULL. */
const proto_multisig *proto_multisig__find(const multisig_state *st, uint32_t id);
proto_multisig *proto_multisig__find_mut(multisig_state *st, uint32_t id);
/* Append a multisig with a valid owner set (sorted here), the next id,
 * nonce 0 and `balance` (the caller accounts for the tokens); returns
 * its id. */
uint32_t proto_multisig__append(multisig_state *st, uint32_t threshold, uint32_t owners_count,
                                const uint32_t *owners, uint64_t balance);

/* ---- approvals (multisig_approvals.c) ---- */

/* The bits set in x: owners in an approvers mask. */
static inline uint32_t proto_multisig__bits(uint32_t x)
{
    uint32_t count = 0;
    for (; x != 0; x &= x - 1)
        count++;
    return count;
}

/* The approval of (id, op_hash) in st, or NULL. */
const multisig_approval *proto_multisig__approval(const multisig_state *st, uint32_t id,
                                                  const proto_hash *op_hash);
/* Owners who approved it (0 without one). */
uint32_t proto_multisig__approvers_count(const multisig_state *st, uint32_t id,
                                         const proto_hash *op_hash);
/* Approvals pending on multisig id by the owner at position `slot`. */
uint32_t proto_multisig__approvals_of(const multisig_state *st, uint32_t id, uint32_t slot);
/* The owner at `slot` of multisig id approves op_hash (not yet approved
 * by it; asserted). */
void proto_multisig__approve(multisig_state *st, uint32_t id, const proto_hash *op_hash,
                             uint32_t slot);
/* Drop every approval of multisig id. */
void proto_multisig__approvals_drop(multisig_state *st, uint32_t id);
/* The position of account among ms's owners, or -1. */
int proto_multisig__owner_slot(const proto_multisig *ms, uint32_t account);

/* ---- inner operations (multisig_ops.c) ---- */

/* The operation's refusal on ms in s (read-only), or OK. The decoder's
 * rules (proto_multisig_op_valid) are the caller's. */
uint32_t proto_multisig__op_check(const proto_state *s, const proto_msg_ctx *ctx,
                                  const proto_multisig *ms, const proto_multisig_op *op);
/* Apply a checked operation to ms (in st, from proto_multisig__mut). */
void proto_multisig__op_apply(proto_state *s, const proto_msg_ctx *ctx, multisig_state *st,
                              proto_multisig *ms, const proto_multisig_op *op);
/* Gas of the operation's own records. */
uint64_t proto_multisig__op_gas(const proto_gas_schedule *gas, const proto_multisig_op *op);

/* The module's routes and invariants (vtable in multisig_state.c). */
#define PROTO_MULTISIG__ROUTES_COUNT 4
extern const proto_msg_route proto_multisig__routes[PROTO_MULTISIG__ROUTES_COUNT];
bool proto_multisig__invariants(const proto_state *s, const void *state, GString *why);

#endif
