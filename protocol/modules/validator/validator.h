/* The validator module: the bonded validator set as module state.
 *
 * It owns the set (protocol/chain/valset.h: stake, jailing, tombstones,
 * downtime windows, consensus keys per height), which counts its bonded
 * tokens in the total supply and whose hash is the module's root. A chain
 * with bonded validators (PBFT) attaches its genesis set; PoA has none,
 * so its state root is the accounts root alone and validator messages
 * are refused there as "no_state".
 *
 * Messages (refusal codes: proto_valset_check), bodies the envelope's
 * proto_txmsg (protocol/chain/tx_envelope.h), Cosmos's MsgUnjail and
 * MsgRotateConsPubKey, checked against the set at the context's height
 * and time; the transaction's signer must be the validator's operator
 * account (proto_validator.operator_account, set at genesis):
 *   UNJAIL      back into the active set after the downtime jail
 *   ROTATE_KEY  a new consensus key from height + update_delay
 * Each reports its effect (PROTO_EV_UNJAILED, PROTO_EV_KEY_ROTATED, with
 * the effective height) into the context's events. Gas: a read and a
 * write of the validator's record (key 5 bytes, value 128 bytes).
 *
 * Slashing is not a message: consensus applies it from what a block
 * carries (PBFT: its extension's evidence and last commit) through the
 * functions below, which burn the slashed tokens in the core.
 *
 * End of every block: the proposer priorities move on to the heights
 * the block fixes (proto_valset_advance).
 *
 * Undo: the first change under an undo log records a copy of the whole
 * set (the set changes in few blocks, and a copy is simpler than
 * per-field undo); the revert puts the copy back. */
#ifndef AITBC_PROTOCOL_MODULES_VALIDATOR_H
#define AITBC_PROTOCOL_MODULES_VALIDATOR_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocol/chain/module.h"
#include "protocol/chain/valset.h"

#define PROTO_VALIDATOR_MODULE_ID 2

extern const proto_module proto_validator_module;

/* Genesis: attach the bonded set (s takes ownership). */
void proto_validator_genesis(proto_state *s, proto_valset *v);
/* The bonded set, or NULL without one (PoA). */
const proto_valset *proto_validator_set(const proto_state *s);
/* Mutable access (the set must exist; s private). The first call for an
 * undo log records a copy of the set into it, so proto_state_revert
 * restores the set too (undo NULL: no record). Marks the root stale. */
proto_valset *proto_validator_set_mut(proto_state *s, proto_undo *undo);

/* Double-sign evidence against i (checked by the caller with
 * proto_valset_check_double_sign) in block `height`, time now_ns:
 * slash, jail forever, tombstone; the slashed tokens are burned.
 * Returns them. */
uint64_t proto_validator_slash_double_sign(proto_state *s, uint32_t i, uint64_t height,
                                           int64_t now_ns, proto_undo *undo);
/* Downtime accounting of the commit of signed_height carried by block
 * `height` (proto_valset_record_commit); what the jailed lose is burned.
 * Returns the total burned. */
uint64_t proto_validator_record_commit(proto_state *s, uint64_t signed_height, uint64_t height,
                                       int64_t now_ns, const bool *signed_mask,
                                       GArray *jailed_out, GArray *burned_out, proto_undo *undo);

/* What the gas schedule assumes a validator record is. */
#define PROTO_VALIDATOR_KEY_SIZE 5
#define PROTO_VALIDATOR_VALUE_SIZE 128

/* Gas one UNJAIL or ROTATE_KEY message charges. */
uint64_t proto_validator_op_gas(const proto_gas_schedule *gas);

#endif
