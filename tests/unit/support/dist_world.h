/* A fake chain for the distribution and mint modules' tests
 * (test_distribution*.c, test_mint_module.c), on top of the staking
 * fake chain (staking_world.h): the staking genesis, then the
 * distribution genesis (and the mint genesis when asked), messages of
 * any module through the router, fees paid into the fee collector from
 * an account, votes recorded as consensus would, block hooks by hand,
 * and the checks every step wants (invariants, conservation). */
#ifndef AITBC_TEST_DIST_WORLD_H
#define AITBC_TEST_DIST_WORLD_H

#include "protocol/modules/distribution/distribution.h"
#include "protocol/modules/mint/mint_module.h"
#include "support/staking_world.h"

/* stk_init, then proto_distribution_genesis(fp). */
void dw_init(staking_world *w, uint32_t accounts, uint64_t balance,
             const proto_staking_params *params, uint32_t count,
             const proto_staking_genesis_validator *validators, uint32_t delegations_count,
             const proto_staking_genesis_delegation *delegations, const proto_f1_params *fp);
/* Staking parameters for these tests: 10 validators, power reduction 1. */
proto_staking_params dw_staking_params(void);
/* A genesis validator of operator `op` with self_bond and a commission
 * rate of rate_percent (max 100%, change 100%). */
proto_staking_genesis_validator dw_validator(uint32_t op, uint64_t self_bond,
                                             uint64_t rate_percent);

/* Deliver one message from sender to whichever module routes it; the
 * module's code (the router's status must be OK or REFUSED). */
uint32_t dw_send(staking_world *w, uint32_t sender, const proto_txmsg *m, proto_undo *undo);
/* The same, asserting a refusal with `code`, no undo record and an
 * unchanged root. */
void dw_refused(staking_world *w, uint32_t sender, const proto_txmsg *m, uint32_t code);
proto_txmsg dw_withdraw(uint32_t validator);
proto_txmsg dw_withdraw_commission(uint32_t validator);

/* `amount` from account payer's balance into the fee collector. */
void dw_fees(staking_world *w, uint32_t payer, uint64_t amount, proto_undo *undo);
/* Votes for validators 0..count: powers, every one signed. */
void dw_votes(staking_world *w, uint32_t proposer, const uint64_t *powers, uint32_t count,
              proto_undo *undo);
/* Fees, one vote of power 1 for validator v alone, and the end block:
 * with a zero community tax v gets exactly `amount` (Cosmos's tests'
 * AllocateTokensToValidator). */
void dw_allocate_to(staking_world *w, uint32_t payer, uint32_t v, uint64_t amount);
/* Every begin-block hook at the world's height and time. */
void dw_begin_block(staking_world *w, proto_undo *undo);
/* proto_staking_slash of validator i at the world's height (infraction
 * at infraction_height) with `power` and the fraction as text; asserts
 * it applied. */
void dw_slash(staking_world *w, uint32_t i, uint64_t infraction_height, uint64_t power,
              const char *fraction, proto_undo *undo);

/* A decimal from text (asserted valid). */
proto_dec dw_dec(const char *text);
/* proto_distribution_pending_rewards at the world's height (asserted to
 * exist). */
proto_dec dw_pending(staking_world *w, uint32_t delegator, uint32_t validator);
/* Module invariants, and the total supply equal to `supply`. */
void dw_check(staking_world *w, uint64_t supply, const char *where);

#define dw_ck_dec_eq(got, want)                                                                  \
    do {                                                                                         \
        char dw_g_[PROTO_DEC_STRING_SIZE], dw_w_[PROTO_DEC_STRING_SIZE];                         \
        proto_dec dw_a_ = (got), dw_b_ = (want);                                                 \
        ck_assert_msg(proto_dec_eq(dw_a_, dw_b_), "%s = %s, want %s", #got,                      \
                      proto_dec_to_string(dw_a_, dw_g_), proto_dec_to_string(dw_b_, dw_w_));     \
    } while (0)

#endif
