/* The staking tests' fake chain (staking_world.h). */
#include "support/staking_world.h"

#include <check.h>
#include <string.h>

#include "protocol/core/crypto.h"
#include "protocol/modules/modules.h"

void stk_init(staking_world *w, uint32_t accounts, uint64_t balance,
             const proto_staking_params *params, uint32_t count,
             const proto_staking_genesis_validator *validators, uint32_t delegations_count,
             const proto_staking_genesis_delegation *delegations)
{
    proto_crypto_global_init();
    memset(w, 0, sizeof *w);
    w->s = proto_state_new();
    for (uint32_t i = 0; i < accounts; i++) {
        proto_pubkey pk;
        memset(&pk, 0, sizeof pk);
        pk.bytes[0] = (uint8_t)(i + 1);
        pk.bytes[1] = (uint8_t)((i + 1) >> 8);
        proto_state_add_account(w->s, &pk, balance);
    }
    proto_staking_genesis(w->s, params, count, validators, delegations_count, delegations, 0);
    w->height = 1;
    w->time_ns = 1000;
}

void stk_clear(staking_world *w)
{
    proto_state_free(w->s);
}

const proto_staking_state *stk_st(const staking_world *w)
{
    return proto_staking_get(w->s);
}

proto_msg_ctx stk_ctx(staking_world *w, proto_gas_meter *gas, uint32_t sender, proto_undo *undo)
{
    proto_gas_meter_init(gas, UINT64_MAX);
    return (proto_msg_ctx){.undo = undo,
                           .gas = gas,
                           .sender = sender,
                           .chain_id = 42,
                           .height = w->height,
                           .time_ns = w->time_ns,
                           .stats = &w->stats};
}

uint32_t stk_send(staking_world *w, uint32_t sender, const proto_txmsg *m, proto_undo *undo)
{
    proto_gas_meter gas;
    proto_msg_ctx ctx = stk_ctx(w, &gas, sender, undo);
    proto_msg_result r = proto_state_deliver(w->s, &ctx, m->type, m);
    ck_assert_msg(r.status == PROTO_MSG_OK || r.status == PROTO_MSG_REFUSED, "status %s",
                  proto_msg_status_name(r.status));
    ck_assert_ptr_eq(r.module, &proto_staking_module);
    return r.code;
}

void stk_refused(staking_world *w, uint32_t sender, const proto_txmsg *m, uint32_t code)
{
    proto_hash before, after;
    stk_root(w, &before);
    proto_undo undo;
    proto_undo_init(&undo);
    uint32_t got = stk_send(w, sender, m, &undo);
    ck_assert_msg(got == code, "%s: got %s want %s", proto_txmsg_type_name(m->type),
                  proto_staking_result_name(got), proto_staking_result_name(code));
    ck_assert_uint_eq(proto_undo_records_count(&undo), 0);
    proto_undo_clear(&undo);
    stk_root(w, &after);
    ck_assert_mem_eq(before.bytes, after.bytes, PROTO_HASH_SIZE);
}

void stk_end_block(staking_world *w, proto_undo *undo)
{
    proto_gas_meter gas;
    proto_msg_ctx ctx = stk_ctx(w, &gas, PROTO_ACCOUNT_NONE, undo);
    ck_assert(proto_state_end_block(w->s, &ctx));
}

void stk_next(staking_world *w, int64_t dt_ns)
{
    w->height++;
    w->time_ns += dt_ns;
}

static proto_txmsg msg_of(uint8_t type)
{
    proto_txmsg m;
    memset(&m, 0, sizeof m);
    m.type = type;
    return m;
}

proto_txmsg stk_delegate(uint32_t validator, uint64_t amount)
{
    proto_txmsg m = msg_of(PROTO_TXMSG_DELEGATE);
    m.delegate.validator = validator;
    m.delegate.amount = amount;
    return m;
}

proto_txmsg stk_undelegate(uint32_t validator, uint64_t amount)
{
    proto_txmsg m = stk_delegate(validator, amount);
    m.type = PROTO_TXMSG_UNDELEGATE;
    return m;
}

proto_txmsg stk_redelegate(uint32_t src, uint32_t dst, uint64_t amount)
{
    proto_txmsg m = msg_of(PROTO_TXMSG_REDELEGATE);
    m.redelegate.src = src;
    m.redelegate.dst = dst;
    m.redelegate.amount = amount;
    return m;
}

proto_txmsg stk_cancel(uint32_t validator, uint64_t amount, uint64_t creation_height)
{
    proto_txmsg m = msg_of(PROTO_TXMSG_CANCEL_UNBONDING);
    m.cancel_unbonding.validator = validator;
    m.cancel_unbonding.amount = amount;
    m.cancel_unbonding.creation_height = creation_height;
    return m;
}

proto_txmsg stk_create(uint32_t validator, uint64_t self_bond, uint64_t rate, uint64_t max_rate,
                      uint64_t max_change_rate)
{
    proto_txmsg m = msg_of(PROTO_TXMSG_CREATE_VALIDATOR);
    m.create_validator.validator = validator;
    m.create_validator.self_bond = self_bond;
    m.create_validator.rate = rate;
    m.create_validator.max_rate = max_rate;
    m.create_validator.max_change_rate = max_change_rate;
    return m;
}

proto_txmsg stk_edit(uint32_t validator, uint64_t rate)
{
    proto_txmsg m = msg_of(PROTO_TXMSG_EDIT_VALIDATOR);
    m.edit_validator.validator = validator;
    m.edit_validator.rate = rate;
    return m;
}

void stk_root(staking_world *w, proto_hash *out)
{
    proto_state_root(w->s, out);
}

void stk_invariants(staking_world *w, const char *where)
{
    GString *why = g_string_new(NULL);
    bool ok = proto_state_invariants(w->s, why);
    ck_assert_msg(ok, "%s: %s", where, why->str);
    g_string_free(why, TRUE);
}

proto_amount stk_worth(const staking_world *w, uint32_t delegator, uint32_t validator)
{
    const proto_staking_state *st = stk_st(w);
    proto_dec shares = proto_staking_delegation_shares(st, delegator, validator);
    if (proto_dec_is_zero(shares))
        return 0;
    proto_dec tokens;
    ck_assert_int_eq(proto_shares_tokens_from_shares_truncated(
                         &proto_staking_validator_get(st, validator)->shares, shares, &tokens),
                     PROTO_SHARES_OK);
    proto_amount out;
    ck_assert_int_eq(proto_dec_truncate_int(tokens, &out), PROTO_DEC_OK);
    return out;
}

uint64_t stk_balance(const staking_world *w, uint32_t account)
{
    return proto_state_account(w->s, account)->balance;
}
