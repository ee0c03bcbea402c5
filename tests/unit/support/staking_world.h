/* A fake chain for the staking module's tests (test_staking_module.c,
 * test_staking_slash.c): a state with the registered modules, accounts
 * of a given balance, the staking module attached by its genesis, and a
 * block height and time the tests move by hand. Messages go through the
 * router (proto_state_deliver) with an unmetered context; block ends
 * through proto_state_end_block. No scheduler, no consensus. */
#ifndef AITBC_TEST_STAKING_WORLD_H
#define AITBC_TEST_STAKING_WORLD_H

#include "protocol/chain/module.h"
#include "protocol/chain/tx_envelope.h"
#include "protocol/modules/staking/staking.h"

typedef struct staking_world {
    proto_state *s;
    uint64_t height;  /* the block "executing" */
    int64_t time_ns;  /* its time */
    proto_msg_stats stats;
} staking_world;

/* accounts accounts of `balance` each; validators[count] at genesis (time
 * 0), delegations optional. */
void stk_init(staking_world *w, uint32_t accounts, uint64_t balance,
             const proto_staking_params *params, uint32_t count,
             const proto_staking_genesis_validator *validators, uint32_t delegations_count,
             const proto_staking_genesis_delegation *delegations);
void stk_clear(staking_world *w);

/* The module's state now. */
const proto_staking_state *stk_st(const staking_world *w);
/* An unmetered context for sender at the world's height and time. */
proto_msg_ctx stk_ctx(staking_world *w, proto_gas_meter *gas, uint32_t sender, proto_undo *undo);
/* Deliver one message from sender; the module's code (0 = OK; the
 * router's status must be OK or REFUSED by the staking module). */
uint32_t stk_send(staking_world *w, uint32_t sender, const proto_txmsg *m, proto_undo *undo);
/* The same, asserting a refusal with `code` and an unchanged root. */
void stk_refused(staking_world *w, uint32_t sender, const proto_txmsg *m, uint32_t code);
/* Run every end-block hook at the world's height and time. */
void stk_end_block(staking_world *w, proto_undo *undo);
/* Next block: height + 1, time + dt_ns. */
void stk_next(staking_world *w, int64_t dt_ns);

/* Messages. */
proto_txmsg stk_delegate(uint32_t validator, uint64_t amount);
proto_txmsg stk_undelegate(uint32_t validator, uint64_t amount);
proto_txmsg stk_redelegate(uint32_t src, uint32_t dst, uint64_t amount);
proto_txmsg stk_cancel(uint32_t validator, uint64_t amount, uint64_t creation_height);
proto_txmsg stk_create(uint32_t validator, uint64_t self_bond, uint64_t rate, uint64_t max_rate,
                      uint64_t max_change_rate);
proto_txmsg stk_edit(uint32_t validator, uint64_t rate);

/* Root (BLAKE2b) of the state. */
void stk_root(staking_world *w, proto_hash *out);
/* Fails the test unless every module invariant holds (why printed). */
void stk_invariants(staking_world *w, const char *where);
/* Tokens a delegation is worth (TokensFromShares, truncated). */
proto_amount stk_worth(const staking_world *w, uint32_t delegator, uint32_t validator);
uint64_t stk_balance(const staking_world *w, uint32_t account);

#endif
