/* The bank module: account balances change hands.
 *
 * The bank keeps no state of its own: balances and nonces are the core's
 * accounts (protocol/chain/state.h), which every module shares. It
 * handles the TRANSFER message of the transaction envelope
 * (protocol/chain/tx_envelope.h): `amount` from the transaction's sender
 * (the router's context) to account `to`. The envelope has already been
 * authenticated, its nonce taken and its fee paid (tx_exec.h); the bank
 * judges the transfer itself:
 *
 *   - `to` must be a known account other than the sender (a
 *     self-transfer would move nothing and only cost a write);
 *   - the sender's balance must cover `amount`.
 *
 * Gas (gas.h schedule, accounts as tx_exec.h sizes them): a read of
 * each account and a write of each, charged before anything moves, so
 * a transfer that runs out of gas changes nothing. */
#ifndef AITBC_PROTOCOL_MODULES_BANK_H
#define AITBC_PROTOCOL_MODULES_BANK_H

#include "protocol/chain/gas.h"
#include "protocol/chain/module.h"

#define PROTO_BANK_MODULE_ID 1

/* Why the bank refused a transfer. */
typedef enum proto_bank_result {
    PROTO_BANK_OK = 0,
    PROTO_BANK_BAD_ACCOUNT, /* unknown recipient, or the sender itself */
    PROTO_BANK_NO_FUNDS,    /* amount exceeds the sender's balance */
    PROTO_BANK_OUT_OF_GAS,
} proto_bank_result;

const char *proto_bank_result_name(proto_bank_result r);

/* Gas one transfer message charges. */
uint64_t proto_bank_transfer_gas(const proto_gas_schedule *gas);

extern const proto_module proto_bank_module;

#endif
