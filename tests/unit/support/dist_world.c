/* The distribution tests' fake chain (dist_world.h). */
#include "support/dist_world.h"

#include <check.h>
#include <string.h>

void dw_init(staking_world *w, uint32_t accounts, uint64_t balance,
             const proto_staking_params *params, uint32_t count,
             const proto_staking_genesis_validator *validators, uint32_t delegations_count,
             const proto_staking_genesis_delegation *delegations, const proto_f1_params *fp)
{
    stk_init(w, accounts, balance, params, count, validators, delegations_count, delegations);
    proto_distribution_genesis(w->s, fp);
}

proto_staking_params dw_staking_params(void)
{
    proto_staking_params p = proto_staking_defaults();
    p.max_validators = 10;
    p.power_reduction = 1;
    return p;
}

proto_staking_genesis_validator dw_validator(uint32_t op, uint64_t self_bond,
                                             uint64_t rate_percent)
{
    return (proto_staking_genesis_validator){.operator_account = op,
                                             .self_bond = self_bond,
                                             .rate = rate_percent * (PROTO_TXMSG_RATE_ONE / 100),
                                             .max_rate = PROTO_TXMSG_RATE_ONE,
                                             .max_change_rate = PROTO_TXMSG_RATE_ONE};
}

uint32_t dw_send(staking_world *w, uint32_t sender, const proto_txmsg *m, proto_undo *undo)
{
    proto_gas_meter gas;
    proto_msg_ctx ctx = stk_ctx(w, &gas, sender, undo);
    proto_msg_result r = proto_state_deliver(w->s, &ctx, m->type, m);
    ck_assert_msg(r.status == PROTO_MSG_OK || r.status == PROTO_MSG_REFUSED, "status %s",
                  proto_msg_status_name(r.status));
    return r.code;
}

void dw_refused(staking_world *w, uint32_t sender, const proto_txmsg *m, uint32_t code)
{
    proto_hash before, after;
    stk_root(w, &before);
    proto_undo undo;
    proto_undo_init(&undo);
    uint32_t got = dw_send(w, sender, m, &undo);
    ck_assert_msg(got == code, "%s: got %u want %u", proto_txmsg_type_name(m->type), got, code);
    ck_assert_uint_eq(proto_undo_records_count(&undo), 0);
    proto_undo_clear(&undo);
    stk_root(w, &after);
    ck_assert_mem_eq(before.bytes, after.bytes, PROTO_HASH_SIZE);
}

static proto_txmsg withdraw_msg(uint8_t type, uint32_t validator)
{
    proto_txmsg m;
    memset(&m, 0, sizeof m);
    m.type = type;
    m.withdraw.validator = validator;
    return m;
}

proto_txmsg dw_withdraw(uint32_t validator)
{
    return withdraw_msg(PROTO_TXMSG_WITHDRAW_REWARDS, validator);
}

proto_txmsg dw_withdraw_commission(uint32_t validator)
{
    return withdraw_msg(PROTO_TXMSG_WITHDRAW_COMMISSION, validator);
}

void dw_fees(staking_world *w, uint32_t payer, uint64_t amount, proto_undo *undo)
{
    proto_account *a = proto_state_account_mut(w->s, payer, undo);
    ck_assert_uint_ge(a->balance, amount);
    a->balance -= amount;
    proto_distribution_collect(w->s, amount, undo);
}

void dw_votes(staking_world *w, uint32_t proposer, const uint64_t *powers, uint32_t count,
              proto_undo *undo)
{
    bool signed_mask[64];
    ck_assert_uint_le(count, 64);
    for (uint32_t i = 0; i < count; i++)
        signed_mask[i] = true;
    proto_distribution_record_votes(w->s, proposer, powers, signed_mask, count, undo);
}

void dw_allocate_to(staking_world *w, uint32_t payer, uint32_t v, uint64_t amount)
{
    uint64_t powers[64] = {0};
    ck_assert_uint_lt(v, 64);
    powers[v] = 1;
    dw_fees(w, payer, amount, NULL);
    dw_votes(w, v, powers, v + 1, NULL);
    stk_end_block(w, NULL);
}

void dw_begin_block(staking_world *w, proto_undo *undo)
{
    proto_gas_meter gas;
    proto_msg_ctx ctx = stk_ctx(w, &gas, PROTO_ACCOUNT_NONE, undo);
    ck_assert(proto_state_begin_block(w->s, &ctx));
}

void dw_slash(staking_world *w, uint32_t i, uint64_t infraction_height, uint64_t power,
              const char *fraction, proto_undo *undo)
{
    proto_gas_meter gas;
    proto_msg_ctx ctx = stk_ctx(w, &gas, PROTO_ACCOUNT_NONE, undo);
    ck_assert_int_eq(proto_staking_slash(w->s, &ctx, i, infraction_height, power,
                                         dw_dec(fraction), NULL),
                     PROTO_STAKING_OK);
}

proto_dec dw_dec(const char *text)
{
    proto_dec d;
    ck_assert_int_eq(proto_dec_from_string(text, &d), PROTO_DEC_OK);
    return d;
}

proto_dec dw_pending(staking_world *w, uint32_t delegator, uint32_t validator)
{
    proto_dec r = proto_dec_zero();
    ck_assert(proto_distribution_pending_rewards(w->s, w->height, delegator, validator, &r));
    return r;
}

void dw_check(staking_world *w, uint64_t supply, const char *where)
{
    stk_invariants(w, where);
    ck_assert_msg(proto_state_total_supply(w->s) == supply, "%s: supply %" G_GUINT64_FORMAT
                  " want %" G_GUINT64_FORMAT, where, proto_state_total_supply(w->s), supply);
}
