/* Transactions and chain rules for tests: a chain's rules with the
 * default gas schedule and EIP-1559 parameters, and signed one-message
 * envelopes (transfers, validator operations) with exactly the gas they
 * need, so a test says only what it is about. */
#ifndef AITBC_TEST_TX_FIXTURE_H
#define AITBC_TEST_TX_FIXTURE_H

#include <stdint.h>

#include "protocol/chain/tx_envelope.h"
#include "protocol/chain/tx_exec.h"

/* A roomy block gas limit for tests that are not about gas. */
#define TXFIX_BLOCK_GAS_LIMIT 1000000000ULL

/* Rules for chain_id: default gas schedule, EIP-1559 parameters with
 * initial base fee `base_fee`, validators' tips to fee_accounts (borrowed;
 * may be NULL with validators 0). */
proto_chain_rules txfix_rules(uint64_t chain_id, uint64_t block_gas_limit, uint64_t base_fee,
                              const uint32_t *fee_accounts, uint32_t validators);

/* Fee caps of a transaction built below. */
typedef struct txfix_fees {
    uint64_t max_fee_per_gas;
    uint64_t max_priority_fee_per_gas;
} txfix_fees;

/* Signed envelopes from kp's account (nonce as given), gas exactly what
 * the message charges under the default schedule. */
proto_txenv txfix_transfer(proto_crypto *c, uint64_t chain_id, const proto_keypair *kp,
                           uint64_t nonce, uint32_t to, uint64_t amount, txfix_fees fees);
proto_txenv txfix_unjail(proto_crypto *c, uint64_t chain_id, const proto_keypair *kp,
                         uint64_t nonce, uint32_t validator, txfix_fees fees);
proto_txenv txfix_rotate(proto_crypto *c, uint64_t chain_id, const proto_keypair *kp,
                         uint64_t nonce, uint32_t validator, const proto_pubkey *new_key,
                         txfix_fees fees);

/* Gas exactly enough for env's messages (ante included), default schedule. */
uint64_t txfix_gas(const proto_txenv *env);

#endif
