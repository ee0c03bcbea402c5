/* The bank module: account balances change hands.
 *
 * The bank keeps no state of its own: balances and nonces are the core's
 * accounts (protocol/chain/state.h), which every module shares. It
 * handles the transfer message, whose body is today's signed transfer
 * (proto_tx, protocol/chain/tx.h) until the v2 envelope
 * (protocol/chain/tx_envelope.h) carries it. Its refusal codes are
 * proto_tx_result. */
#ifndef AITBC_PROTOCOL_MODULES_BANK_H
#define AITBC_PROTOCOL_MODULES_BANK_H

#include "protocol/chain/module.h"

#define PROTO_BANK_MODULE_ID 1

extern const proto_module proto_bank_module;

#endif
