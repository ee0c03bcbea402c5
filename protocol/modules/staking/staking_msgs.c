/* The staking module's messages (staking.h): each a read-only check,
 * which judges everything (a block from a peer reaches the handler with
 * nothing checked), and a deliver that charges gas, checks, and then
 * applies what can no longer fail. Ported from cosmos/cosmos-sdk
 * x/staking/keeper/msg_server.go and keeper/delegation.go (v0.50 line);
 * where the rule is a keeper's, the comment names it. */
#include "protocol/chain/tx_envelope.h"
#include "protocol/modules/staking/staking_internal.h"

/* ---- gas ---- */

/* Records each message reads and writes (validators, delegations,
 * entries, accounts). */
static uint64_t msg_records(uint8_t type)
{
    switch (type) {
    case PROTO_TXMSG_EDIT_VALIDATOR:
        return 1; /* the validator */
    case PROTO_TXMSG_REDELEGATE:
        return 5; /* two validators, two delegations, the entry */
    default:
        return 3; /* validator, delegation, and the account or the entry */
    }
}

uint64_t proto_staking_msg_gas(const proto_gas_schedule *gas, uint8_t type)
{
    uint64_t one = proto_gas_add_sat(
        proto_gas_read_cost(gas, PROTO_STAKING_KEY_SIZE, PROTO_STAKING_VALUE_SIZE),
        proto_gas_write_cost(gas, PROTO_STAKING_KEY_SIZE, PROTO_STAKING_VALUE_SIZE));
    return proto_gas_mul_sat(msg_records(type), one);
}

/* ---- shared checks ---- */

static const proto_staking_state *state_of(const proto_state *s)
{
    const proto_staking_state *st = proto_staking_get(s);
    g_assert(st != NULL); /* the router only routes to a module with state */
    return st;
}

/* A created validator i (Cosmos: GetValidator found). */
static const proto_staking_validator *created_validator(const proto_staking_state *st,
                                                        uint32_t i)
{
    const proto_staking_validator *v = proto_staking_validator_get(st, i);
    return v != NULL && v->created ? v : NULL;
}

static bool sender_is_account(const proto_state *s, const proto_msg_ctx *ctx)
{
    return ctx->sender != PROTO_ACCOUNT_NONE && ctx->sender < proto_state_account_count(s);
}

static proto_dec rate_of(uint64_t fixed)
{
    proto_dec d = proto_dec_zero();
    d.mag[0] = fixed;
    return d;
}

/* Entries of (delegator, validator) already at the maximum
 * (HasMaxUnbondingDelegationEntries). */
static bool unbonding_full(const proto_staking_state *st, uint32_t delegator, uint32_t i)
{
    guint first, last;
    proto_staking__unbonding_range(st, delegator, i, &first, &last);
    return last - first >= st->params.max_entries;
}

/* ---- CREATE_VALIDATOR ---- */

/* msg_server.go CreateValidator: the validator must not exist yet (here:
 * a genesis candidate not created), the commission must validate
 * (Commission.Validate), the self-bond must reach the minimum
 * (ErrSelfDelegationBelowMinimum) and the operator's balance cover it. */
static uint32_t check_create(const proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const proto_txmsg *m = msg;
    const proto_staking_state *st = state_of(s);
    const proto_staking_validator *v = proto_staking_validator_get(st, m->create_validator.validator);
    if (!sender_is_account(s, ctx))
        return PROTO_STAKING_NO_ACCOUNT;
    if (v == NULL)
        return PROTO_STAKING_UNKNOWN_VALIDATOR;
    if (v->operator_account != ctx->sender)
        return PROTO_STAKING_NOT_OPERATOR;
    if (v->created)
        return PROTO_STAKING_ALREADY_CREATED;
    if (proto_staking__tombstoned(s, st, m->create_validator.validator))
        return PROTO_STAKING_TOMBSTONED;
    uint64_t rate = m->create_validator.rate, max_rate = m->create_validator.max_rate;
    if (max_rate > PROTO_TXMSG_RATE_ONE || rate > max_rate ||
        m->create_validator.max_change_rate > max_rate)
        return PROTO_STAKING_BAD_COMMISSION;
    if (m->create_validator.self_bond == 0)
        return PROTO_STAKING_ZERO_AMOUNT;
    if (m->create_validator.self_bond < st->params.min_self_bond)
        return PROTO_STAKING_SELF_BOND_BELOW_MIN;
    if (proto_state_account(s, ctx->sender)->balance < m->create_validator.self_bond)
        return PROTO_STAKING_NO_FUNDS;
    return PROTO_STAKING_OK;
}

/* The validator starts unbonded with its self-bond in the not-bonded pool;
 * the end block bonds it if its power makes the set. */
static void apply_create(proto_state *s, const proto_msg_ctx *ctx, const proto_txmsg *m)
{
    proto_staking_state *st = proto_staking__mut(s, ctx->undo);
    uint32_t i = m->create_validator.validator;
    proto_staking_validator *v = &st->validators[i];
    v->created = true;
    v->status = PROTO_STAKING_UNBONDED;
    v->commission = (proto_staking_commission){
        .rate = rate_of(m->create_validator.rate),
        .max_rate = rate_of(m->create_validator.max_rate),
        .max_change_rate = rate_of(m->create_validator.max_change_rate),
        .update_time_ns = ctx->time_ns};
    v->min_self_delegation = (proto_amount)st->params.min_self_bond;
    proto_state_account_mut(s, ctx->sender, ctx->undo)->balance -= m->create_validator.self_bond;
    proto_staking__hook_validator_created(s, ctx, st, i);
    proto_staking__delegate_hooked(s, ctx, st, ctx->sender, i,
                                   (proto_amount)m->create_validator.self_bond,
                                   STAKING_FROM_ACCOUNT);
}

/* ---- EDIT_VALIDATOR ---- */

/* Commission.ValidateNewRate (x/staking/types/commission.go): not within
 * a day of the last change, not above max_rate, not moved by more than
 * max_change_rate. */
static uint32_t check_edit(const proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const proto_txmsg *m = msg;
    const proto_staking_state *st = state_of(s);
    const proto_staking_validator *v = created_validator(st, m->edit_validator.validator);
    if (v == NULL)
        return PROTO_STAKING_UNKNOWN_VALIDATOR;
    if (ctx->sender != v->operator_account)
        return PROTO_STAKING_NOT_OPERATOR;
    if (m->edit_validator.rate > PROTO_TXMSG_RATE_ONE)
        return PROTO_STAKING_BAD_COMMISSION;
    const proto_staking_commission *c = &v->commission;
    if (ctx->time_ns - c->update_time_ns < st->params.day_ns)
        return PROTO_STAKING_COMMISSION_TOO_SOON;
    proto_dec rate = rate_of(m->edit_validator.rate), change;
    if (proto_dec_gt(rate, c->max_rate))
        return PROTO_STAKING_COMMISSION_OVER_MAX;
    g_assert(proto_dec_sub(rate, c->rate, &change) == PROTO_DEC_OK);
    if (proto_dec_gt(proto_dec_abs(change), c->max_change_rate))
        return PROTO_STAKING_COMMISSION_TOO_LARGE;
    return PROTO_STAKING_OK;
}

static void apply_edit(proto_state *s, const proto_msg_ctx *ctx, const proto_txmsg *m)
{
    proto_staking_state *st = proto_staking__mut(s, ctx->undo);
    proto_staking_commission *c = &st->validators[m->edit_validator.validator].commission;
    c->rate = rate_of(m->edit_validator.rate);
    c->update_time_ns = ctx->time_ns;
}

/* ---- DELEGATE ---- */

/* msg_server.go Delegate and Keeper.Delegate: a created validator with a
 * valid exchange rate, the balance covering the amount. Cosmos lets
 * anyone delegate to a tombstoned validator; this module refuses it (the
 * stake could never bond again). */
static uint32_t check_delegate(const proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const proto_txmsg *m = msg;
    const proto_staking_state *st = state_of(s);
    if (!sender_is_account(s, ctx))
        return PROTO_STAKING_NO_ACCOUNT;
    const proto_staking_validator *v = created_validator(st, m->delegate.validator);
    if (v == NULL)
        return PROTO_STAKING_UNKNOWN_VALIDATOR;
    if (proto_staking__tombstoned(s, st, m->delegate.validator))
        return PROTO_STAKING_TOMBSTONED;
    if (m->delegate.amount == 0)
        return PROTO_STAKING_ZERO_AMOUNT;
    if (proto_shares_invalid_ex_rate(&v->shares))
        return PROTO_STAKING_INVALID_EX_RATE;
    if (proto_state_account(s, ctx->sender)->balance < m->delegate.amount)
        return PROTO_STAKING_NO_FUNDS;
    return PROTO_STAKING_OK;
}

static void apply_delegate(proto_state *s, const proto_msg_ctx *ctx, const proto_txmsg *m)
{
    proto_staking_state *st = proto_staking__mut(s, ctx->undo);
    proto_state_account_mut(s, ctx->sender, ctx->undo)->balance -= m->delegate.amount;
    proto_staking__delegate_hooked(s, ctx, st, ctx->sender, m->delegate.validator,
                                   (proto_amount)m->delegate.amount, STAKING_FROM_ACCOUNT);
}

/* ---- UNDELEGATE ---- */

/* msg_server.go Undelegate: ValidateUnbondAmount, then Keeper.Undelegate
 * (HasMaxUnbondingDelegationEntries first). */
static uint32_t check_undelegate(const proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const proto_txmsg *m = msg;
    const proto_staking_state *st = state_of(s);
    uint32_t i = m->delegate.validator;
    if (!sender_is_account(s, ctx))
        return PROTO_STAKING_NO_ACCOUNT;
    if (created_validator(st, i) == NULL)
        return PROTO_STAKING_UNKNOWN_VALIDATOR;
    if (m->delegate.amount == 0)
        return PROTO_STAKING_ZERO_AMOUNT;
    proto_dec shares;
    proto_staking_result r =
        proto_staking__unbond_shares(st, ctx->sender, i, (proto_amount)m->delegate.amount, &shares);
    if (r != PROTO_STAKING_OK)
        return r;
    if (unbonding_full(st, ctx->sender, i))
        return PROTO_STAKING_MAX_ENTRIES;
    if (proto_staking__self_bond_too_low(st, ctx->sender, i, shares))
        return PROTO_STAKING_SELF_BOND_BELOW_MIN;
    return PROTO_STAKING_OK;
}

/* SetUnbondingDelegationEntry (UnbondingDelegation.AddEntry, v0.47 on):
 * an entry of the same creation height and completion time grows
 * instead of a new one being added. */
static void unbonding_add(proto_staking_state *st, const proto_staking_unbonding *e)
{
    guint first, last;
    proto_staking__unbonding_range(st, e->delegator, e->validator, &first, &last);
    for (guint k = first; k < last; k++) {
        proto_staking_unbonding *x = &g_array_index(st->unbondings, proto_staking_unbonding, k);
        if (x->creation_height == e->creation_height && x->completion_ns == e->completion_ns) {
            x->balance += e->balance;
            x->initial_balance += e->initial_balance;
            return;
        }
    }
    g_array_insert_val(st->unbondings, last, *e);
}

/* Keeper.Undelegate: unbond, the tokens leave the bonded pool if the
 * validator is bonded, and wait in an entry for unbonding_time. */
static void apply_undelegate(proto_state *s, const proto_msg_ctx *ctx, const proto_txmsg *m)
{
    proto_staking_state *st = proto_staking__mut(s, ctx->undo);
    uint32_t i = m->delegate.validator;
    proto_dec shares;
    g_assert(proto_staking__unbond_shares(st, ctx->sender, i, (proto_amount)m->delegate.amount,
                                          &shares) == PROTO_STAKING_OK);
    proto_amount tokens = proto_staking__unbond_hooked(s, ctx, st, ctx->sender, i, shares);
    if (st->validators[i].status == PROTO_STAKING_BONDED)
        proto_staking__pool_move(st, false, tokens);
    proto_staking_unbonding e = {.delegator = ctx->sender,
                                 .validator = i,
                                 .creation_height = ctx->height,
                                 .completion_ns = ctx->time_ns + st->params.unbonding_time_ns,
                                 .initial_balance = tokens,
                                 .balance = tokens};
    unbonding_add(st, &e);
}

/* ---- REDELEGATE ---- */

/* HasReceivingRedelegation: the delegator has an entry redelegated into
 * `validator` (matured entries are gone after their end block). */
static bool has_receiving(const proto_staking_state *st, uint32_t delegator, uint32_t validator)
{
    for (guint k = 0; k < st->redelegations->len; k++) {
        const proto_staking_redelegation *e =
            &g_array_index(st->redelegations, proto_staking_redelegation, k);
        if (e->delegator == delegator && e->dst == validator)
            return true;
        if (e->delegator > delegator)
            break;
    }
    return false;
}

static bool redelegation_full(const proto_staking_state *st, uint32_t delegator, uint32_t src,
                              uint32_t dst)
{
    guint first, last;
    proto_staking__redelegation_range(st, delegator, src, dst, &first, &last);
    return last - first >= st->params.max_entries;
}

/* What unbonding `shares` from src pays (RemoveDelShares on a copy). */
static proto_amount tokens_of_shares(const proto_staking_state *st, uint32_t src,
                                     proto_dec shares)
{
    proto_shares_validator copy = st->validators[src].shares;
    proto_amount tokens;
    g_assert(proto_shares_remove_del_shares(&copy, shares, &tokens) == PROTO_SHARES_OK);
    return tokens;
}

/* Keeper.BeginRedelegation: src != dst (ErrSelfRedelegation), both exist,
 * no transitive redelegation (src received from this delegator), entries
 * below the maximum, the amount within the delegation, worth at least a
 * token (ErrTinyRedelegationAmount), dst able to issue shares. */
static uint32_t check_redelegate(const proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const proto_txmsg *m = msg;
    const proto_staking_state *st = state_of(s);
    uint32_t src = m->redelegate.src, dst = m->redelegate.dst;
    if (!sender_is_account(s, ctx))
        return PROTO_STAKING_NO_ACCOUNT;
    if (src == dst)
        return PROTO_STAKING_SELF_REDELEGATION;
    const proto_staking_validator *vdst = created_validator(st, dst);
    if (vdst == NULL || created_validator(st, src) == NULL)
        return PROTO_STAKING_UNKNOWN_VALIDATOR;
    if (proto_staking__tombstoned(s, st, dst))
        return PROTO_STAKING_TOMBSTONED;
    if (m->redelegate.amount == 0)
        return PROTO_STAKING_ZERO_AMOUNT;
    if (has_receiving(st, ctx->sender, src))
        return PROTO_STAKING_TRANSITIVE_REDELEGATION;
    if (redelegation_full(st, ctx->sender, src, dst))
        return PROTO_STAKING_MAX_ENTRIES;
    proto_dec shares;
    proto_staking_result r = proto_staking__unbond_shares(
        st, ctx->sender, src, (proto_amount)m->redelegate.amount, &shares);
    if (r != PROTO_STAKING_OK)
        return r;
    if (proto_staking__self_bond_too_low(st, ctx->sender, src, shares))
        return PROTO_STAKING_SELF_BOND_BELOW_MIN;
    if (tokens_of_shares(st, src, shares) == 0)
        return PROTO_STAKING_TINY_REDELEGATION;
    if (proto_shares_invalid_ex_rate(&vdst->shares))
        return PROTO_STAKING_INVALID_EX_RATE;
    return PROTO_STAKING_OK;
}

/* Keeper.BeginRedelegation: unbond at src, delegate the tokens at dst
 * (from src's pool), and, unless src is unbonded (getBeginInfo: complete
 * at once), record an entry completing when src's stake would have:
 * unbonding_time from now for a bonded src, src's own unbonding time for
 * an unbonding one. */
static void apply_redelegate(proto_state *s, const proto_msg_ctx *ctx, const proto_txmsg *m)
{
    proto_staking_state *st = proto_staking__mut(s, ctx->undo);
    uint32_t src = m->redelegate.src, dst = m->redelegate.dst;
    proto_dec shares;
    g_assert(proto_staking__unbond_shares(st, ctx->sender, src, (proto_amount)m->redelegate.amount,
                                          &shares) == PROTO_STAKING_OK);
    proto_amount tokens = proto_staking__unbond_hooked(s, ctx, st, ctx->sender, src, shares);
    const proto_staking_validator *vsrc = &st->validators[src];
    staking_token_src from =
        vsrc->status == PROTO_STAKING_BONDED ? STAKING_FROM_BONDED : STAKING_FROM_NOT_BONDED;
    proto_dec created = proto_staking__delegate_hooked(s, ctx, st, ctx->sender, dst, tokens, from);
    if (vsrc->status == PROTO_STAKING_UNBONDED)
        return;
    bool bonded = vsrc->status == PROTO_STAKING_BONDED;
    proto_staking_redelegation e = {
        .delegator = ctx->sender,
        .src = src,
        .dst = dst,
        .creation_height = bonded ? ctx->height : vsrc->unbonding_height,
        .completion_ns = bonded ? ctx->time_ns + st->params.unbonding_time_ns
                                : vsrc->unbonding_time_ns,
        .initial_balance = tokens,
        .shares_dst = created};
    guint first, last;
    proto_staking__redelegation_range(st, ctx->sender, src, dst, &first, &last);
    g_array_insert_val(st->redelegations, last, e);
}

/* ---- CANCEL_UNBONDING ---- */

/* The entry of (sender, validator) created at creation_height and not
 * yet complete, or -1. */
static gint cancel_entry(const proto_staking_state *st, const proto_msg_ctx *ctx,
                         const proto_txmsg *m)
{
    guint first, last;
    proto_staking__unbonding_range(st, ctx->sender, m->cancel_unbonding.validator, &first, &last);
    for (guint k = first; k < last; k++) {
        const proto_staking_unbonding *e = &g_array_index(st->unbondings, proto_staking_unbonding, k);
        if (e->creation_height == m->cancel_unbonding.creation_height &&
            e->completion_ns > ctx->time_ns)
            return (gint)k;
    }
    return -1;
}

/* msg_server.go CancelUnbondingDelegation: the validator exists and is
 * not jailed, the entry exists and is not complete, its balance covers
 * the amount. */
static uint32_t check_cancel(const proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const proto_txmsg *m = msg;
    const proto_staking_state *st = state_of(s);
    uint32_t i = m->cancel_unbonding.validator;
    if (!sender_is_account(s, ctx))
        return PROTO_STAKING_NO_ACCOUNT;
    const proto_staking_validator *v = created_validator(st, i);
    if (v == NULL)
        return PROTO_STAKING_UNKNOWN_VALIDATOR;
    if (proto_staking__tombstoned(s, st, i))
        return PROTO_STAKING_TOMBSTONED;
    if (v->jailed)
        return PROTO_STAKING_JAILED;
    if (m->cancel_unbonding.amount == 0)
        return PROTO_STAKING_ZERO_AMOUNT;
    gint k = cancel_entry(st, ctx, m);
    if (k < 0)
        return PROTO_STAKING_NO_UNBONDING_ENTRY;
    if (g_array_index(st->unbondings, proto_staking_unbonding, k).balance <
        (proto_amount)m->cancel_unbonding.amount)
        return PROTO_STAKING_OVER_ENTRY_BALANCE;
    if (proto_shares_invalid_ex_rate(&v->shares))
        return PROTO_STAKING_INVALID_EX_RATE;
    return PROTO_STAKING_OK;
}

/* Delegate the amount back from the not-bonded pool; the entry shrinks
 * (balance and initial balance) and goes when empty. */
static void apply_cancel(proto_state *s, const proto_msg_ctx *ctx, const proto_txmsg *m)
{
    proto_staking_state *st = proto_staking__mut(s, ctx->undo);
    proto_amount amount = (proto_amount)m->cancel_unbonding.amount;
    gint k = cancel_entry(st, ctx, m);
    g_assert(k >= 0);
    proto_staking__delegate_hooked(s, ctx, st, ctx->sender, m->cancel_unbonding.validator, amount,
                                   STAKING_FROM_NOT_BONDED);
    proto_staking_unbonding *e = &g_array_index(st->unbondings, proto_staking_unbonding, k);
    e->balance -= amount;
    e->initial_balance -= amount;
    if (e->balance == 0)
        g_array_remove_index(st->unbondings, (guint)k);
}

/* ---- routes ---- */

typedef void (*apply_fn)(proto_state *s, const proto_msg_ctx *ctx, const proto_txmsg *m);

static const struct {
    proto_msg_check_fn check;
    apply_fn apply;
} handlers[] = {
    [PROTO_TXMSG_CREATE_VALIDATOR] = {check_create, apply_create},
    [PROTO_TXMSG_EDIT_VALIDATOR] = {check_edit, apply_edit},
    [PROTO_TXMSG_DELEGATE] = {check_delegate, apply_delegate},
    [PROTO_TXMSG_UNDELEGATE] = {check_undelegate, apply_undelegate},
    [PROTO_TXMSG_REDELEGATE] = {check_redelegate, apply_redelegate},
    [PROTO_TXMSG_CANCEL_UNBONDING] = {check_cancel, apply_cancel},
};

/* Gas first (running out changes nothing), then the check, then the
 * change. */
static uint32_t staking_deliver(proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const proto_txmsg *m = msg;
    g_assert(m->type < G_N_ELEMENTS(handlers) && handlers[m->type].check != NULL);
    if (ctx->gas_prices != NULL &&
        proto_gas_consume(ctx->gas, proto_staking_msg_gas(ctx->gas_prices, m->type)) !=
            PROTO_GAS_OK)
        return PROTO_STAKING_OUT_OF_GAS;
    uint32_t r = handlers[m->type].check(s, ctx, m);
    if (r != PROTO_STAKING_OK)
        return r;
    handlers[m->type].apply(s, ctx, m);
    return PROTO_STAKING_OK;
}

const proto_msg_route proto_staking__routes[PROTO_STAKING__ROUTES_COUNT] = {
    {PROTO_TXMSG_CREATE_VALIDATOR, "create_validator", check_create, staking_deliver},
    {PROTO_TXMSG_EDIT_VALIDATOR, "edit_validator", check_edit, staking_deliver},
    {PROTO_TXMSG_DELEGATE, "delegate", check_delegate, staking_deliver},
    {PROTO_TXMSG_UNDELEGATE, "undelegate", check_undelegate, staking_deliver},
    {PROTO_TXMSG_REDELEGATE, "redelegate", check_redelegate, staking_deliver},
    {PROTO_TXMSG_CANCEL_UNBONDING, "cancel_unbonding", check_cancel, staking_deliver},
};
