/* Transactions and chain rules for tests (see tx_fixture.h). */
#include "support/tx_fixture.h"

#include "protocol/chain/gas.h"
#include "protocol/modules/bank/bank.h"
#include "protocol/modules/validator/validator.h"

proto_chain_rules txfix_rules(uint64_t chain_id, uint64_t block_gas_limit, uint64_t base_fee,
                              const uint32_t *fee_accounts, uint32_t validators)
{
    proto_chain_rules r = {.chain_id = chain_id,
                           .block_gas_limit = block_gas_limit,
                           .fees = proto_fee_params_eip1559(),
                           .gas = proto_gas_schedule_default(),
                           .fee_accounts = fee_accounts,
                           .validators = validators};
    r.fees.initial_base_fee = base_fee;
    return r;
}

uint64_t txfix_gas(const proto_txenv *env)
{
    proto_gas_schedule gas = proto_gas_schedule_default();
    uint64_t total = proto_tx_ante_gas(&gas, proto_txenv_wire_size(env));
    for (uint16_t i = 0; i < env->message_count; i++)
        total += env->messages[i].type == PROTO_TXMSG_TRANSFER ? proto_bank_transfer_gas(&gas)
                                                               : proto_validator_op_gas(&gas);
    return total;
}

static proto_txenv finish(proto_crypto *c, uint64_t chain_id, const proto_keypair *kp,
                          uint64_t nonce, txfix_fees fees, proto_txmsg msg)
{
    proto_txenv env = {.chain_id = chain_id,
                       .sender = kp->pk,
                       .nonce = nonce,
                       .max_fee_per_gas = fees.max_fee_per_gas,
                       .max_priority_fee_per_gas = fees.max_priority_fee_per_gas,
                       .message_count = 1};
    env.messages[0] = msg;
    env.gas_limit = txfix_gas(&env);
    proto_txenv_sign(&env, c, kp);
    return env;
}

proto_txenv txfix_transfer(proto_crypto *c, uint64_t chain_id, const proto_keypair *kp,
                           uint64_t nonce, uint32_t to, uint64_t amount, txfix_fees fees)
{
    proto_txmsg m = {.type = PROTO_TXMSG_TRANSFER};
    m.transfer.to = to;
    m.transfer.amount = amount;
    return finish(c, chain_id, kp, nonce, fees, m);
}

proto_txenv txfix_unjail(proto_crypto *c, uint64_t chain_id, const proto_keypair *kp,
                         uint64_t nonce, uint32_t validator, txfix_fees fees)
{
    proto_txmsg m = {.type = PROTO_TXMSG_UNJAIL};
    m.unjail.validator = validator;
    return finish(c, chain_id, kp, nonce, fees, m);
}

proto_txenv txfix_rotate(proto_crypto *c, uint64_t chain_id, const proto_keypair *kp,
                         uint64_t nonce, uint32_t validator, const proto_pubkey *new_key,
                         txfix_fees fees)
{
    proto_txmsg m = {.type = PROTO_TXMSG_ROTATE_KEY};
    m.rotate_key.validator = validator;
    m.rotate_key.new_key = *new_key;
    return finish(c, chain_id, kp, nonce, fees, m);
}
