/* The account-state fixture shared by test_state.c and test_tx_exec.c.
 *
 * A world is SW count accounts with known keys (account i: key derived
 * from "account/i", balance + i) in a fresh state whose base fee is
 * SW_BASE_FEE, under chain rules with chain id SW_CHAIN_ID; transactions
 * offer SW_BASE_FEE + SW_TIP with tip SW_TIP (sw_fees) unless a test says
 * otherwise. The reference root recomputes the state root from scratch,
 * independently of state.c, so incremental updates can be checked. */
#ifndef AITBC_TESTS_STATE_WORLD_H
#define AITBC_TESTS_STATE_WORLD_H

#include <stdbool.h>
#include <stdint.h>

#include "protocol/chain/state.h"
#include "protocol/chain/tx_exec.h"
#include "support/tx_fixture.h"

#define SW_CHAIN_ID 42
#define SW_BASE_FEE 7
#define SW_TIP 2
#define SW_BALANCE 1000000000000ULL /* 1e12: fees are never the limit unless a test says so */

extern const txfix_fees sw_fees;

typedef struct sw_world {
    proto_crypto *c;
    proto_state *s;
    proto_keypair *keys;
    uint32_t count;
    proto_chain_rules rules;
} sw_world;

/* count accounts, account i with balance + i, base fee SW_BASE_FEE. */
void sw_init(sw_world *w, proto_crypto_mode mode, uint32_t count, uint64_t balance);
void sw_clear(sw_world *w);

/* A signed transfer from `from` at its current nonce in s. */
proto_txenv sw_tx_on(sw_world *w, const proto_state *s, uint32_t from, uint32_t to, uint64_t amount,
                     txfix_fees fees);
/* The same on w->s with sw_fees. */
proto_txenv sw_tx(sw_world *w, uint32_t from, uint32_t to, uint64_t amount);
/* Sign again after a test changed a field (kp: the signer). */
void sw_resign(sw_world *w, proto_txenv *tx, const proto_keypair *kp);
/* A signature by kp over tx as it is, whoever tx names as its sender. */
void sw_sign_as(sw_world *w, proto_txenv *tx, const proto_keypair *kp);

/* Run tx on s as a block at height 1 would, under the state's base fee,
 * with block_gas_left gas left, tips to fee_account. undo NULL: a local
 * log, dropped; out may be NULL. */
proto_tx_exec_result sw_exec_full(sw_world *w, proto_state *s, const proto_txenv *tx,
                                  proto_undo *undo, uint64_t block_gas_left, uint32_t fee_account,
                                  proto_tx_receipt *out);
/* sw_exec_full on w->s with the whole block gas limit left. */
proto_tx_exec_result sw_exec(sw_world *w, const proto_txenv *tx, proto_undo *undo,
                             uint32_t fee_account, proto_tx_receipt *out);

/* The gas a one-transfer envelope of wire_size bytes uses, from the
 * documented default prices (independent of the code under test). */
uint64_t sw_transfer_gas(size_t wire_size);

/* Reference pieces: an account's leaf, and the fold of an accounts root
 * with the base fee and the validator set's hash into the state root. */
/* Attach a set of 3 validators (keys 0x40.., 0x41.., 0x42..) with 1000
 * tokens each; detach it (the module API: a NULL state removes it); its
 * hash (real mode). */
void sw_attach_valset(sw_world *w);
void sw_detach_valset(proto_state *s);
void sw_valset_hash(const proto_state *s, proto_hash *out);
void sw_reference_leaf(bool fast, const proto_account *a, proto_hash *out);
void sw_reference_fold(const proto_state *s, bool fast, const proto_hash *accounts,
                       proto_hash *out);
/* The state root from scratch (fast: the fast-mode hashes). */
void sw_reference_root_mode(const proto_state *s, bool fast, proto_hash *out);
void sw_reference_root(const proto_state *s, proto_hash *out);
/* proto_state_root(s) equals the reference (a Check assertion). */
void sw_assert_root_matches_reference(proto_state *s);
void sw_root_of(proto_state *s, proto_hash *out);

#endif
