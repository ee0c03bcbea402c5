/* A state with a fake module for the module core's tests
 * (test_module.c, test_module_exec.c): the chain's bank and validator
 * modules plus "vault" (id VAULT_ID), which keeps a counter and an
 * escrow of tokens taken from accounts, runs begin- and end-block hooks,
 * can be told to break its invariant or refuse blocks, and logs every
 * undo record it restores (tag, account 0's balance at that moment), so
 * a test pins the order of a revert exactly. Around it: four accounts
 * with derived keys, a genesis validator set of three, message builders,
 * an unmetered delivery context, and a PBFT-like chain whose pool holds
 * three signed transactions (modw_chain). */
#ifndef AITBC_TEST_MODULE_WORLD_H
#define AITBC_TEST_MODULE_WORLD_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocol/chain/exec.h"
#include "protocol/chain/module.h"
#include "protocol/chain/tx_envelope.h"
#include "protocol/core/event.h"
#include "protocol/modules/validator/validator.h"
#include "support/tx_fixture.h"

#define MODW_CHAIN_ID 42
#define MODW_BASE_FEE 1000
#define MODW_TIP 3
#define MODW_BALANCE 1000000000000ULL /* 1e12: enough for any fee here */
#define MODW_MSG_UNKNOWN 250          /* a message type no module routes */

/* ---- the fake module ---- */

#define VAULT_ID 100 /* far from every real module id */
#define VAULT_MSG_ADD 200
#define VAULT_MSG_LOCK 201
#define VAULT_TOO_BIG 1  /* an add over 1000 */
#define VAULT_NO_FUNDS 2 /* a lock over the account's balance */

typedef struct vault_state {
    uint64_t counter;
    uint64_t escrow; /* tokens taken from accounts: counted in the supply */
    uint32_t begins; /* begin-block hooks run */
    uint32_t ends;   /* end-block hooks run */
    uint32_t genesis_calls;
    bool broken;        /* the invariant fails */
    bool refuse_blocks; /* the begin-block hook refuses */
} vault_state;

typedef struct vault_add {
    uint64_t amount;
    uint64_t tag; /* logged when its undo record is restored */
} vault_add;

typedef struct vault_lock {
    uint32_t account;
    uint64_t amount;
    uint64_t tag;
} vault_lock;

extern const proto_module vault_module;
/* (tag, account 0's balance) at each restore, in restore order; the
 * begin-block hook's records have tag 100, the end-block hook's 101.
 * modw_init_with empties it. */
extern uint64_t vault_restore_log[32][2];
extern uint32_t vault_restore_count;

/* The vault's root of `state`. */
void vault_root(const void *state, bool fast, proto_hash *out);
/* Attach a vault holding `escrow` tokens to w's state (its genesis hook
 * runs). */
typedef struct modw_world modw_world;
vault_state *vault_attach(modw_world *w, uint64_t escrow);
const vault_state *vault_of(const proto_state *s);

/* ---- the world ---- */

struct modw_world {
    proto_crypto *c;
    proto_state *s; /* bank, validator and vault modules; vault not attached */
    proto_keypair keys[4];
};

/* Four accounts of `balance` each, base fee MODW_BASE_FEE (as a genesis
 * sets it). */
void modw_init_with(modw_world *w, bool fast, uint64_t balance);
/* The same with 100 each. */
void modw_init(modw_world *w, bool fast);
void modw_clear(modw_world *w);

/* Three validators of 1000 tokens; validator i is operated by account i
 * when i < operators (the others have no operator). */
proto_valset *modw_valset_params(const proto_slashing_params *p, uint32_t operators);
/* The same with the default slashing parameters, all three operated. */
proto_valset *modw_valset(void);

proto_txmsg modw_transfer(uint32_t to, uint64_t amount);
proto_txmsg modw_rotate(uint32_t validator, uint8_t key_byte);
proto_txmsg modw_unjail(uint32_t validator);

/* An unmetered context outside a block (gas meter owned by the caller),
 * no signer. */
proto_msg_ctx modw_ctx(modw_world *w, proto_gas_meter *gas, proto_undo *undo,
                       proto_msg_stats *stats);
proto_msg_result modw_deliver(modw_world *w, proto_undo *undo, uint8_t type, const void *msg);
/* A message signed (as tx_exec would have checked) by account sender. */
proto_msg_result modw_deliver_as(modw_world *w, proto_undo *undo, uint32_t sender,
                                 const proto_txmsg *m);
/* The i-th event of events. */
const proto_event *modw_event(GArray *events, guint i);
/* The rules of these chains: validators' tips to fee_accounts. */
proto_chain_rules modw_rules(const uint32_t *fee_accounts, uint32_t validators);

/* ---- a chain with transactions ---- */

/* Fee caps of every transaction below: twice the base fee, tip MODW_TIP. */
extern const txfix_fees MODW_FEES;

/* A PBFT-like chain: the set (validator i operated by account i), 1e12
 * per account, proposer 1 whose tips go to account 2. The pool holds a
 * transfer, a key rotation by validator 1's operator, and an unjail by
 * an account that does not operate validator 2 (its message fails; the
 * transaction is still included and pays). */
typedef struct modw_chain {
    modw_world w;
    uint32_t fee_accounts[3];
    proto_chain_rules rules;
    proto_txpool *pool;
    proto_txenv txs[3];
} modw_chain;

void modw_chain_init(modw_chain *f);
void modw_chain_clear(modw_chain *f);

#endif
