/* The multisig module's messages (multisig.h): gas from the message
 * alone, then a read-only check that judges everything (a block from a
 * peer reaches the handler with nothing checked, so the decoder's rules
 * are checked again), then the change, which can no longer fail.
 *
 * APPROVE is Safe's approveHash, limited to the current nonce; EXEC's
 * check is Safe's checkNSignatures when every signature is an approved
 * hash: the distinct owners who approved this operation's hash at this
 * nonce, against the threshold. No signature is verified here: each
 * approval came in its owner's own signed transaction. */
#include "protocol/chain/tx_exec.h"
#include "protocol/modules/multisig/multisig_internal.h"

/* ---- gas ---- */

static uint64_t record_rw(const proto_gas_schedule *gas, size_t key, size_t value)
{
    return proto_gas_add_sat(proto_gas_read_cost(gas, key, value),
                             proto_gas_write_cost(gas, key, value));
}

uint64_t proto_multisig_msg_gas(const proto_gas_schedule *gas, const proto_txmsg *m)
{
    uint64_t total = record_rw(gas, PROTO_MULTISIG_KEY_SIZE, PROTO_MULTISIG_VALUE_SIZE);
    uint64_t account_read =
        proto_gas_read_cost(gas, PROTO_ACCOUNT_KEY_SIZE, PROTO_ACCOUNT_VALUE_SIZE);
    uint64_t approval_rw =
        record_rw(gas, PROTO_MULTISIG_APPROVAL_KEY_SIZE, PROTO_MULTISIG_APPROVAL_VALUE_SIZE);
    switch (m->type) {
    case PROTO_TXMSG_MULTISIG_CREATE:
        return proto_gas_add_sat(total,
                                 proto_gas_mul_sat(m->multisig_create.owners_count, account_read));
    case PROTO_TXMSG_MULTISIG_DEPOSIT:
        return proto_gas_add_sat(total,
                                 record_rw(gas, PROTO_ACCOUNT_KEY_SIZE, PROTO_ACCOUNT_VALUE_SIZE));
    case PROTO_TXMSG_MULTISIG_APPROVE: /* the multisig's record is only read */
        return proto_gas_add_sat(
            proto_gas_read_cost(gas, PROTO_MULTISIG_KEY_SIZE, PROTO_MULTISIG_VALUE_SIZE),
            approval_rw);
    case PROTO_TXMSG_MULTISIG_EXEC:
        total = proto_gas_add_sat(total, approval_rw);
        return proto_gas_add_sat(total, proto_multisig__op_gas(gas, &m->multisig_exec.op));
    default:
        g_assert_not_reached();
    }
}

/* ---- shared checks ---- */

static const multisig_state *state_of(const proto_state *s)
{
    const multisig_state *st = proto_multisig__get(s);
    g_assert(st != NULL); /* the router only routes to a module with state */
    return st;
}

static bool sender_is_account(const proto_state *s, const proto_msg_ctx *ctx)
{
    return ctx->sender != PROTO_ACCOUNT_NONE && ctx->sender < proto_state_account_count(s);
}

/* ---- MULTISIG_CREATE ---- */

static uint32_t check_create(const proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const proto_multisig_create_msg *c = &((const proto_txmsg *)msg)->multisig_create;
    const multisig_state *st = state_of(s);
    if (!sender_is_account(s, ctx))
        return PROTO_MULTISIG_NO_ACCOUNT;
    proto_multisig_result r = proto_multisig_owners_rule(proto_state_account_count(s), c->threshold,
                                                         c->owners_count, c->owners);
    if (r != PROTO_MULTISIG_OK)
        return r;
    if (st->multisigs->len >= PROTO_MULTISIG_COUNT_MAX)
        return PROTO_MULTISIG_TOO_MANY_MULTISIGS;
    return PROTO_MULTISIG_OK;
}

static void apply_create(proto_state *s, const proto_msg_ctx *ctx, const proto_txmsg *m)
{
    const proto_multisig_create_msg *c = &m->multisig_create;
    proto_multisig__append(proto_multisig__mut(s, ctx->undo), c->threshold, c->owners_count,
                           c->owners, 0);
}

/* ---- MULTISIG_DEPOSIT ---- */

static uint32_t check_deposit(const proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const proto_multisig_deposit_msg *d = &((const proto_txmsg *)msg)->multisig_deposit;
    const multisig_state *st = state_of(s);
    if (d->amount == 0)
        return PROTO_MULTISIG_BAD_MESSAGE;
    if (!sender_is_account(s, ctx))
        return PROTO_MULTISIG_NO_ACCOUNT;
    if (proto_multisig__find(st, d->multisig) == NULL)
        return PROTO_MULTISIG_UNKNOWN_MULTISIG;
    if (proto_state_account(s, ctx->sender)->balance < d->amount)
        return PROTO_MULTISIG_NO_FUNDS;
    return PROTO_MULTISIG_OK;
}

static void apply_deposit(proto_state *s, const proto_msg_ctx *ctx, const proto_txmsg *m)
{
    const proto_multisig_deposit_msg *d = &m->multisig_deposit;
    proto_state_account_mut(s, ctx->sender, ctx->undo)->balance -= d->amount;
    multisig_state *st = proto_multisig__mut(s, ctx->undo);
    proto_multisig__find_mut(st, d->multisig)->balance += d->amount; /* within the supply */
    st->held += d->amount;
}

/* ---- MULTISIG_APPROVE ---- */

static uint32_t check_approve(const proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const proto_multisig_approve_msg *a = &((const proto_txmsg *)msg)->multisig_approve;
    const multisig_state *st = state_of(s);
    if (!sender_is_account(s, ctx))
        return PROTO_MULTISIG_NO_ACCOUNT;
    const proto_multisig *ms = proto_multisig__find(st, a->multisig);
    if (ms == NULL)
        return PROTO_MULTISIG_UNKNOWN_MULTISIG;
    int slot = proto_multisig__owner_slot(ms, ctx->sender);
    if (slot < 0)
        return PROTO_MULTISIG_APPROVER_NOT_OWNER;
    if (a->nonce != ms->nonce)
        return PROTO_MULTISIG_BAD_NONCE;
    const multisig_approval *pending = proto_multisig__approval(st, a->multisig, &a->op_hash);
    if (pending != NULL && (pending->approvers >> slot) & 1u)
        return PROTO_MULTISIG_ALREADY_APPROVED;
    if (proto_multisig__approvals_of(st, a->multisig, (uint32_t)slot) >=
        PROTO_MULTISIG_APPROVALS_PER_OWNER_MAX)
        return PROTO_MULTISIG_TOO_MANY_APPROVALS;
    return PROTO_MULTISIG_OK;
}

static void apply_approve(proto_state *s, const proto_msg_ctx *ctx, const proto_txmsg *m)
{
    const proto_multisig_approve_msg *a = &m->multisig_approve;
    multisig_state *st = proto_multisig__mut(s, ctx->undo);
    int slot = proto_multisig__owner_slot(proto_multisig__find(st, a->multisig), ctx->sender);
    g_assert(slot >= 0);
    proto_multisig__approve(st, a->multisig, &a->op_hash, (uint32_t)slot);
}

/* ---- MULTISIG_EXEC ---- */

static uint32_t check_exec(const proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const proto_multisig_exec_msg *e = &((const proto_txmsg *)msg)->multisig_exec;
    const multisig_state *st = state_of(s);
    if (!proto_multisig_op_valid(&e->op))
        return PROTO_MULTISIG_BAD_MESSAGE;
    if (!sender_is_account(s, ctx))
        return PROTO_MULTISIG_NO_ACCOUNT;
    const proto_multisig *ms = proto_multisig__find(st, e->multisig);
    if (ms == NULL)
        return PROTO_MULTISIG_UNKNOWN_MULTISIG;
    if (e->nonce != ms->nonce)
        return PROTO_MULTISIG_BAD_NONCE;
    proto_hash h;
    proto_multisig_op_hash(ctx->chain_id, e->multisig, e->nonce, &e->op, &h);
    if (proto_multisig__approvers_count(st, e->multisig, &h) < ms->threshold)
        return PROTO_MULTISIG_BELOW_THRESHOLD;
    return proto_multisig__op_check(s, ctx, ms, &e->op);
}

/* The operation, the nonce, and every approval of the multisig dropped:
 * they were for the nonce that just passed, and the owners they name by
 * position may have just changed. */
static void apply_exec(proto_state *s, const proto_msg_ctx *ctx, const proto_txmsg *m)
{
    const proto_multisig_exec_msg *e = &m->multisig_exec;
    multisig_state *st = proto_multisig__mut(s, ctx->undo);
    proto_multisig *ms = proto_multisig__find_mut(st, e->multisig);
    proto_multisig__op_apply(s, ctx, st, ms, &e->op);
    ms->nonce++;
    st->executed++;
    proto_multisig__approvals_drop(st, e->multisig);
}

/* ---- routes ---- */

typedef void (*apply_fn)(proto_state *s, const proto_msg_ctx *ctx, const proto_txmsg *m);

static const struct {
    proto_msg_check_fn check;
    apply_fn apply;
} handlers[] = {
    [PROTO_TXMSG_MULTISIG_CREATE - PROTO_TXMSG_MULTISIG_CREATE] = {check_create, apply_create},
    [PROTO_TXMSG_MULTISIG_EXEC - PROTO_TXMSG_MULTISIG_CREATE] = {check_exec, apply_exec},
    [PROTO_TXMSG_MULTISIG_DEPOSIT - PROTO_TXMSG_MULTISIG_CREATE] = {check_deposit, apply_deposit},
    [PROTO_TXMSG_MULTISIG_APPROVE - PROTO_TXMSG_MULTISIG_CREATE] = {check_approve, apply_approve},
};

/* Gas first (running out changes nothing), then the check, then the
 * change. */
static uint32_t multisig_deliver(proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const proto_txmsg *m = msg;
    g_assert(m->type >= PROTO_TXMSG_MULTISIG_CREATE && m->type <= PROTO_TXMSG_MULTISIG_APPROVE);
    guint k = m->type - PROTO_TXMSG_MULTISIG_CREATE;
    if (ctx->gas_prices != NULL &&
        proto_gas_consume(ctx->gas, proto_multisig_msg_gas(ctx->gas_prices, m)) != PROTO_GAS_OK)
        return PROTO_MULTISIG_OUT_OF_GAS;
    uint32_t r = handlers[k].check(s, ctx, m);
    if (r != PROTO_MULTISIG_OK)
        return r;
    handlers[k].apply(s, ctx, m);
    return PROTO_MULTISIG_OK;
}

const proto_msg_route proto_multisig__routes[PROTO_MULTISIG__ROUTES_COUNT] = {
    {PROTO_TXMSG_MULTISIG_CREATE, "multisig_create", check_create, multisig_deliver},
    {PROTO_TXMSG_MULTISIG_EXEC, "multisig_exec", check_exec, multisig_deliver},
    {PROTO_TXMSG_MULTISIG_DEPOSIT, "multisig_deposit", check_deposit, multisig_deliver},
    {PROTO_TXMSG_MULTISIG_APPROVE, "multisig_approve", check_approve, multisig_deliver},
};
