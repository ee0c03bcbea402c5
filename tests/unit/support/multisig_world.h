/* A fake chain for the multisig module's tests (test_multisig*.c): a
 * state with the registered modules, accounts whose keys are derived
 * (so a test can also sign a whole transaction as any account), the
 * multisig module attached by its genesis, and a crypto context.
 * Messages go through the router (proto_state_deliver) with an
 * unmetered context on chain MSW_CHAIN_ID, as if each came in a
 * transaction from its sender: an owner approves by sending
 * MULTISIG_APPROVE itself. No scheduler, no consensus. */
#ifndef AITBC_TEST_MULTISIG_WORLD_H
#define AITBC_TEST_MULTISIG_WORLD_H

#include "protocol/chain/module.h"
#include "protocol/chain/tx_envelope.h"
#include "protocol/modules/multisig/multisig.h"

#define MSW_CHAIN_ID 42
#define MSW_ACCOUNTS_MAX 32

typedef struct multisig_world {
    proto_state *s;
    proto_crypto *crypto;
    proto_keypair keys[MSW_ACCOUNTS_MAX]; /* account i's */
    uint32_t accounts;
    proto_msg_stats stats;
    uint64_t supply; /* the genesis total supply (conservation) */
} multisig_world;

/* `accounts` (<= MSW_ACCOUNTS_MAX) accounts of `balance` each, the module
 * with genesis[count], crypto of `mode`. */
void msw_init(multisig_world *w, uint32_t accounts, uint64_t balance, uint32_t count,
              const proto_multisig_genesis_account *genesis, proto_crypto_mode mode);
void msw_clear(multisig_world *w);

/* A genesis multisig of owners[n] (any order), threshold, balance. */
proto_multisig_genesis_account msw_genesis(uint32_t threshold, uint32_t n, const uint32_t *owners,
                                           uint64_t balance);

/* A transaction of one message (the chain id set, nothing signed). */
proto_txenv msw_tx(const proto_txmsg *m);

/* Deliver t's message from sender: the module's code (0 = OK; the
 * router's status must be OK or REFUSED). */
uint32_t msw_send(multisig_world *w, uint32_t sender, const proto_txenv *t, proto_undo *undo);
/* The same, asserting the refusal `code` (by name), no undo record and
 * an unchanged root. */
void msw_refused(multisig_world *w, uint32_t sender, const proto_txenv *t, uint32_t code);

/* Transactions of one message. */
proto_txenv msw_create(uint32_t threshold, uint32_t n, const uint32_t *owners);
proto_txenv msw_deposit(uint32_t multisig, uint64_t amount);
proto_multisig_op msw_op_transfer(uint32_t to, uint64_t amount);
proto_multisig_op msw_op_owner(uint8_t type, uint32_t owner, uint8_t threshold); /* ADD, REMOVE */
proto_multisig_op msw_op_threshold(uint8_t threshold);
/* The hash owners approve for op on multisig at nonce, on MSW_CHAIN_ID. */
proto_hash msw_op_hash(uint32_t multisig, uint64_t nonce, const proto_multisig_op *op);
/* An APPROVE of op_hash on multisig at nonce. */
proto_txenv msw_approve(uint32_t multisig, uint64_t nonce, const proto_hash *op_hash);
/* An APPROVE of op at the multisig's current nonce (its hash there). */
proto_txenv msw_approve_now(multisig_world *w, uint32_t multisig, const proto_multisig_op *op);
/* owners[n] each approve op at the multisig's current nonce, in that
 * order, each accepted. */
void msw_approve_all(multisig_world *w, uint32_t multisig, const proto_multisig_op *op, uint32_t n,
                     const uint32_t *owners, proto_undo *undo);
/* An EXEC of op on multisig at nonce; at the multisig's current nonce. */
proto_txenv msw_exec(uint32_t multisig, uint64_t nonce, const proto_multisig_op *op);
proto_txenv msw_exec_now(multisig_world *w, uint32_t multisig, const proto_multisig_op *op);

void msw_root(multisig_world *w, proto_hash *out);
/* Every module invariant, the total supply equal to the genesis's, and
 * every multisig's Safe properties checked here by hand too (approvals
 * only by current owners, at most the per-owner maximum each). */
void msw_check(multisig_world *w, const char *where);
uint64_t msw_balance(const multisig_world *w, uint32_t account);
/* The multisig (asserted to exist). */
const proto_multisig *msw_get(const multisig_world *w, uint32_t id);

#endif
