/* Executing one transaction: the chain's rules, the ante handler (what
 * every transaction pays before its messages run), the messages through
 * the router, and the fee settlement.
 *
 * This is Cosmos's ante handler and message service joined with
 * EIP-1559's fee rules (go-ethereum core/state_transition.go: buyGas,
 * preCheck, refundGas), in this order:
 *
 *   1. the envelope's value rules (tx_envelope.h proto_txenv_check:
 *      chain id, gas and fee fields, intrinsic gas);
 *   2. max_fee_per_gas >= the block's base fee (else it cannot be in
 *      this block; in a pool it waits);
 *   3. gas_limit <= the gas left in the block;
 *   4. the sender's key names an account, its nonce is the next one,
 *      and its balance covers gas_limit * max_fee_per_gas;
 *   5. the signature verifies (last: the expensive check);
 *   then the sender pays gas_limit * (base fee + effective tip) up front
 *   and its nonce advances. A transaction failing 1-5 cannot be in a
 *   block: a builder leaves it out, a block carrying it is invalid.
 *
 * The meter starts at gas_limit and is charged the intrinsic gas (bytes
 * and one signature), the sender account's read and write, then whatever
 * the messages charge (gas.h schedule; an account is a key of 5 bytes and
 * a value of 48). That read and write is the sender's account for the
 * whole transaction: a message that changes the sender's balance does
 * not charge it again (its change reaches the store in the same write;
 * EIP-2929 makes a transaction's origin warm for the same reason), but
 * pays for any other account it touches. Messages run in order; the first that a module refuses,
 * or that runs out of gas, reverts every message of the transaction (the
 * fee payment and the nonce stay). Then the unused gas is refunded at the
 * price paid, gas_used * base fee is burned and gas_used * effective tip
 * goes to the proposer's fee account.
 *
 * Pure functions of the state, the rules and the bytes; sans-IO. */
#ifndef AITBC_PROTOCOL_TX_EXEC_H
#define AITBC_PROTOCOL_TX_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/chain/fee_market.h"
#include "protocol/chain/gas.h"
#include "protocol/chain/module.h"
#include "protocol/chain/state.h"
#include "protocol/chain/tx_envelope.h"

/* Gas the state-access charges assume for an account: a key of a prefix
 * byte and the u32 index, a value of key, balance and nonce. */
#define PROTO_ACCOUNT_KEY_SIZE 5
#define PROTO_ACCOUNT_VALUE_SIZE (PROTO_PUBKEY_SIZE + 8 + 8)
/* And for a module's running total (the jobs escrow, the registry's
 * bonded tokens, the fee collector, the burned tokens): a key of a
 * prefix byte, a u64 value. A message that moves tokens into or out of
 * a module reads and writes its total. */
#define PROTO_MODULE_TOTAL_KEY_SIZE 1
#define PROTO_MODULE_TOTAL_VALUE_SIZE 8

/* What every node of a chain agrees on about transactions and blocks
 * besides consensus: read-only, shared, outlives the nodes. */
typedef struct proto_chain_rules {
    uint64_t chain_id;
    uint64_t block_gas_limit;         /* every block's gas limit (fixed) */
    proto_fee_params fees;            /* EIP-1559 parameters */
    proto_gas_schedule gas;           /* gas prices */
    const uint32_t *fee_accounts;     /* [validators]: where validator i's tips go */
    uint32_t validators;
} proto_chain_rules;

/* The limits a transaction decoder checks against these rules. */
proto_txenv_limits proto_chain_rules_limits(const proto_chain_rules *rules);
/* Validator v's fee account (asserts v < validators). */
uint32_t proto_chain_rules_fee_account(const proto_chain_rules *rules, uint32_t v);

/* Why a transaction cannot be in a block (steps 1-5 above). */
typedef enum proto_tx_exec_result {
    PROTO_TX_EXEC_OK = 0,        /* included (its messages may still have failed) */
    PROTO_TX_EXEC_INVALID,       /* envelope rule: receipt.envelope says which */
    PROTO_TX_EXEC_FEE_CAP_LOW,   /* max_fee_per_gas < base fee */
    PROTO_TX_EXEC_BLOCK_FULL,    /* gas_limit > gas left in the block */
    PROTO_TX_EXEC_UNKNOWN_SENDER,
    PROTO_TX_EXEC_BAD_NONCE,
    PROTO_TX_EXEC_NO_FUNDS,      /* balance < gas_limit * max_fee_per_gas */
    PROTO_TX_EXEC_BAD_SIGNATURE,
    PROTO_TX_EXEC_RESULT_COUNT
} proto_tx_exec_result;

const char *proto_tx_exec_result_name(proto_tx_exec_result r);

/* What an included transaction did. */
typedef struct proto_tx_receipt {
    proto_txenv_result envelope; /* the rule broken when INVALID */
    uint32_t sender;             /* account index (when known) */
    uint64_t gas_used;
    uint64_t burned;             /* gas_used * base fee */
    uint64_t effective_tip;      /* min(max priority, max fee - base fee), per gas */
    uint64_t tips;               /* gas_used * effective tip, to the proposer */
    bool messages_ok;            /* false: a message failed, all were reverted */
    uint16_t failed_message;     /* its index when !messages_ok */
    proto_msg_result failure;    /* what the router said about it */
    bool out_of_gas;             /* the failure was the meter's */
} proto_tx_receipt;

/* Run tx (wire_size bytes on the wire) on s in the block whose context
 * is block_ctx (undo, crypto, height, time; its meter is not used),
 * under base_fee, with block_gas_left gas left in the block, tips to
 * account fee_account. On OK the state holds the transaction's effects
 * and *out its receipt; otherwise s is unchanged. */
proto_tx_exec_result proto_tx_exec(proto_state *s, const proto_msg_ctx *block_ctx,
                                   const proto_chain_rules *rules, const proto_txenv *tx,
                                   size_t wire_size, uint64_t base_fee, uint64_t block_gas_left,
                                   uint32_t fee_account, proto_tx_receipt *out);

/* Steps 1, 4 and 5 against s without executing (a pool's admission):
 * FEE_CAP_LOW and BLOCK_FULL are not judged; the nonce may be ahead of
 * the account's (it waits), not behind it. */
proto_tx_exec_result proto_tx_admissible(const proto_state *s, const proto_chain_rules *rules,
                                         proto_crypto *c, const proto_txenv *tx,
                                         size_t wire_size, uint32_t *sender_out,
                                         proto_txenv_result *envelope_out);

/* Gas a transaction's ante handler charges (intrinsic and the sender's
 * account), for clients that size their gas limit. */
uint64_t proto_tx_ante_gas(const proto_gas_schedule *gas, size_t wire_size);

#endif
