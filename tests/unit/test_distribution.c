/* Unit tests for the distribution module (protocol/modules/distribution)
 * on a fake chain (support/dist_world.h): Cosmos's keeper tests
 * reproduced through the module's real paths (messages through the
 * router, the staking hooks, the end block's allocation), each citing
 * its source; the messages' refusals; undo; the allocation rules; hostile
 * bytes for the two new message types.
 *
 * Cosmos's delegation tests call AllocateTokensToValidator directly;
 * here the same tokens reach the validator through the fee collector and
 * an allocation with a zero community tax and the validator as the only
 * voter (dw_allocate_to), which gives it exactly the amount. Sources:
 * cosmos/cosmos-sdk x/distribution/keeper/delegation_test.go and
 * allocation_test.go (v0.46 line, the form with heights and
 * EndBlocker; the numbers are those of the current tests too). */
#include <check.h>
#include <string.h>

#include "protocol/chain/tx_envelope.h"
#include "protocol/modules/distribution/distribution.h"
#include "support/dist_world.h"

#define MILLION 1000000ULL
#define RATE_HALF (PROTO_TXMSG_RATE_ONE / 2)

static proto_f1_params no_tax(void)
{
    proto_f1_params p = proto_f1_params_default();
    p.community_tax = proto_dec_zero();
    return p;
}

static proto_dec coins(uint64_t n)
{
    return proto_dec_from_amount((proto_amount)n);
}

/* One validator of operator 0 with self_bond at 50%; accounts 0..3 of
 * `balance`; account 3 pays the fees. */
static void one_validator(staking_world *w, uint64_t self_bond, uint64_t balance)
{
    proto_staking_params sp = dw_staking_params();
    proto_staking_genesis_validator v = dw_validator(0, self_bond, 50);
    proto_f1_params fp = no_tax();
    dw_init(w, 4, balance, &sp, 1, &v, 0, NULL, &fp);
}

/* TestCalculateRewardsBasic: a validator created by message (50%
 * commission, self-bond 100) has two historical references; nothing is
 * owed before an allocation; after 10, the delegator is owed 5 and the
 * commission is 5. */
START_TEST(test_calculate_rewards_basic)
{
    staking_world w;
    proto_staking_params sp = dw_staking_params();
    proto_staking_genesis_validator v = dw_validator(0, 0, 0); /* a candidate */
    proto_f1_params fp = no_tax();
    dw_init(&w, 4, 1000, &sp, 1, &v, 0, NULL, &fp);
    uint64_t supply = proto_state_total_supply(w.s);
    proto_txmsg create = stk_create(0, 100, RATE_HALF, RATE_HALF, 0);
    ck_assert_uint_eq(dw_send(&w, 0, &create, NULL), 0);
    ck_assert_uint_eq(proto_distribution_historical_references(w.s), 2);
    stk_end_block(&w, NULL); /* bonds it */
    stk_next(&w, 1000);
    ck_assert(proto_dec_is_zero(dw_pending(&w, 0, 0)));
    dw_allocate_to(&w, 3, 0, 10);
    stk_next(&w, 1000);
    dw_ck_dec_eq(dw_pending(&w, 0, 0), coins(5));
    dw_ck_dec_eq(proto_distribution_commission(w.s, 0), coins(5));
    dw_check(&w, supply, "basic");
    stk_clear(&w);
}
END_TEST

/* TestCalculateRewardsAfterSlash: power 100 (10^8 tokens), slashed 50%
 * three blocks on, 10^7 allocated three blocks later: the delegator is
 * owed 5 x 10^6 and the commission is 5 x 10^6. */
START_TEST(test_calculate_rewards_after_slash)
{
    staking_world w;
    one_validator(&w, 100 * MILLION, 1000 * MILLION);
    uint64_t supply = proto_state_total_supply(w.s);
    stk_next(&w, 1000);
    ck_assert(proto_dec_is_zero(dw_pending(&w, 0, 0)));
    w.height += 3;
    dw_slash(&w, 0, w.height, 100 * MILLION, "0.5", NULL);
    w.height += 3;
    dw_allocate_to(&w, 3, 0, 10 * MILLION);
    stk_next(&w, 1000);
    dw_ck_dec_eq(dw_pending(&w, 0, 0), coins(5 * MILLION));
    dw_ck_dec_eq(proto_distribution_commission(w.s, 0), coins(5 * MILLION));
    dw_check(&w, supply, "after slash");
    stk_clear(&w);
}
END_TEST

/* TestCalculateRewardsAfterManySlashes: slash 50% (power 100), allocate
 * 10^7, slash 50% (power 50), allocate 10^7, three blocks apart: the
 * delegator is owed 10^7, the commission is 10^7. */
START_TEST(test_calculate_rewards_after_many_slashes)
{
    staking_world w;
    one_validator(&w, 100 * MILLION, 1000 * MILLION);
    uint64_t supply = proto_state_total_supply(w.s);
    stk_next(&w, 1000);
    ck_assert(proto_dec_is_zero(dw_pending(&w, 0, 0)));
    w.height += 3;
    dw_slash(&w, 0, w.height, 100 * MILLION, "0.5", NULL);
    w.height += 3;
    dw_allocate_to(&w, 3, 0, 10 * MILLION);
    w.height += 3;
    dw_slash(&w, 0, w.height, 50 * MILLION, "0.5", NULL);
    w.height += 3;
    dw_allocate_to(&w, 3, 0, 10 * MILLION);
    stk_next(&w, 1000);
    dw_ck_dec_eq(dw_pending(&w, 0, 0), coins(10 * MILLION));
    dw_ck_dec_eq(proto_distribution_commission(w.s, 0), coins(10 * MILLION));
    dw_check(&w, supply, "many slashes");
    stk_clear(&w);
}
END_TEST

/* TestCalculateRewardsMultiDelegator: del1 self-bond 100, allocate 20,
 * del2 delegates 100, allocate 20: del1 owed 15, del2 5, commission 20. */
START_TEST(test_calculate_rewards_multi_delegator)
{
    staking_world w;
    one_validator(&w, 100, 1000);
    uint64_t supply = proto_state_total_supply(w.s);
    stk_next(&w, 1000);
    dw_allocate_to(&w, 3, 0, 20);
    stk_next(&w, 1000);
    proto_txmsg d = stk_delegate(0, 100);
    ck_assert_uint_eq(dw_send(&w, 1, &d, NULL), 0);
    ck_assert_uint_eq(proto_distribution_historical_references(w.s), 3);
    stk_end_block(&w, NULL);
    stk_next(&w, 1000);
    dw_allocate_to(&w, 3, 0, 20);
    stk_next(&w, 1000);
    dw_ck_dec_eq(dw_pending(&w, 0, 0), coins(15));
    dw_ck_dec_eq(dw_pending(&w, 1, 0), coins(5));
    dw_ck_dec_eq(proto_distribution_commission(w.s, 0), coins(20));
    dw_check(&w, supply, "multi delegator");
    stk_clear(&w);
}
END_TEST

/* TestWithdrawDelegationRewardsBasic: power 100 (10^8) of a balance of
 * 10^9, 10^7 allocated; the withdrawal pays half (two historical
 * references before and after), the commission the other half. */
START_TEST(test_withdraw_delegation_rewards_basic)
{
    staking_world w;
    proto_staking_params sp = dw_staking_params();
    proto_staking_genesis_validator v = dw_validator(0, 0, 0);
    proto_f1_params fp = no_tax();
    dw_init(&w, 4, 1000 * MILLION, &sp, 1, &v, 0, NULL, &fp);
    uint64_t supply = proto_state_total_supply(w.s);
    proto_txmsg create = stk_create(0, 100 * MILLION, RATE_HALF, RATE_HALF, 0);
    ck_assert_uint_eq(dw_send(&w, 0, &create, NULL), 0);
    ck_assert_uint_eq(stk_balance(&w, 0), 900 * MILLION);
    stk_end_block(&w, NULL);
    stk_next(&w, 1000);
    dw_allocate_to(&w, 3, 0, 10 * MILLION);
    stk_next(&w, 1000);
    ck_assert_uint_eq(proto_distribution_historical_references(w.s), 2);
    proto_txmsg m = dw_withdraw(0);
    ck_assert_uint_eq(dw_send(&w, 0, &m, NULL), 0);
    ck_assert_uint_eq(proto_distribution_historical_references(w.s), 2);
    ck_assert_uint_eq(stk_balance(&w, 0), 900 * MILLION + 5 * MILLION);
    m = dw_withdraw_commission(0);
    ck_assert_uint_eq(dw_send(&w, 0, &m, NULL), 0);
    ck_assert_uint_eq(stk_balance(&w, 0), 900 * MILLION + 10 * MILLION);
    ck_assert_uint_eq(proto_distribution_rewards_claimed(w.s), 5 * MILLION);
    ck_assert_uint_eq(proto_distribution_commission_claimed(w.s), 5 * MILLION);
    ck_assert(proto_dec_is_zero(proto_distribution_outstanding_total(w.s)));
    dw_check(&w, supply, "withdraw basic");
    stk_clear(&w);
}
END_TEST

/* TestCalculateRewardsMultiDelegatorMultWithdraw (allocations of 20):
 * after both withdraw and the commission is withdrawn nothing is owed;
 * one more allocation and del1's withdrawal leave del2 owed 5 and the
 * commission 10; one more and a commission withdrawal leave del1 owed 5,
 * del2 10, commission 0. */
START_TEST(test_calculate_rewards_mult_withdraw)
{
    staking_world w;
    one_validator(&w, 100, 1000);
    uint64_t supply = proto_state_total_supply(w.s);
    stk_next(&w, 1000);
    dw_allocate_to(&w, 3, 0, 20);
    proto_txmsg d = stk_delegate(0, 100);
    stk_next(&w, 1000);
    ck_assert_uint_eq(dw_send(&w, 1, &d, NULL), 0);
    ck_assert_uint_eq(proto_distribution_historical_references(w.s), 3);
    dw_allocate_to(&w, 3, 0, 20);
    stk_next(&w, 1000);
    proto_txmsg wr = dw_withdraw(0), wc = dw_withdraw_commission(0);
    ck_assert_uint_eq(dw_send(&w, 0, &wr, NULL), 0);
    ck_assert_uint_eq(dw_send(&w, 1, &wr, NULL), 0);
    ck_assert_uint_eq(proto_distribution_historical_references(w.s), 3);
    ck_assert_uint_eq(dw_send(&w, 0, &wc, NULL), 0);
    ck_assert_uint_eq(stk_balance(&w, 0), 1000 + 15 + 20); /* genesis bonds are new tokens */
    ck_assert_uint_eq(stk_balance(&w, 1), 1000 - 100 + 5);
    ck_assert(proto_dec_is_zero(proto_distribution_commission(w.s, 0)));
    ck_assert(proto_dec_is_zero(proto_distribution_outstanding(w.s, 0)));
    dw_allocate_to(&w, 3, 0, 20);
    stk_next(&w, 1000);
    ck_assert_uint_eq(dw_send(&w, 0, &wr, NULL), 0);
    stk_next(&w, 1000);
    ck_assert(proto_dec_is_zero(dw_pending(&w, 0, 0)));
    dw_ck_dec_eq(dw_pending(&w, 1, 0), coins(5));
    dw_ck_dec_eq(proto_distribution_commission(w.s, 0), coins(10));
    dw_allocate_to(&w, 3, 0, 20);
    stk_next(&w, 1000);
    ck_assert_uint_eq(dw_send(&w, 0, &wc, NULL), 0);
    dw_ck_dec_eq(dw_pending(&w, 0, 0), coins(5));
    dw_ck_dec_eq(dw_pending(&w, 1, 0), coins(10));
    ck_assert(proto_dec_is_zero(proto_distribution_commission(w.s, 0)));
    dw_check(&w, supply, "mult withdraw");
    stk_clear(&w);
}
END_TEST

/* TestAllocateTokensToManyValidators (allocation_test.go at
 * 00fd6d0e37cc35c787564b9bba49a19cb7c0e9cb): fees 100, tax 2%, A (50%)
 * and B (0%) of power 100 each, both voted: outstanding 49 each, A
 * commission 24.5 (delegators 24.5), B 0 (49), community pool 2, the
 * fee collector empty. The SDK v0.46 form (base 1%, bonus 4%, B
 * proposed): A 46.5, B 51.5, pool 2. */
START_TEST(test_allocate_tokens_to_many_validators)
{
    for (int old = 0; old < 2; old++) {
        staking_world w;
        proto_staking_params sp = dw_staking_params();
        proto_staking_genesis_validator v[2] = {dw_validator(0, 100, 50), dw_validator(1, 100, 0)};
        proto_f1_params fp =
            old ? proto_f1_params_with_proposer_reward() : proto_f1_params_default();
        dw_init(&w, 3, 1000, &sp, 2, v, 0, NULL, &fp);
        uint64_t supply = proto_state_total_supply(w.s);
        const uint64_t powers[2] = {100, 100};
        dw_fees(&w, 2, 100, NULL);
        ck_assert_uint_eq(proto_distribution_fee_collector(w.s), 100);
        dw_votes(&w, 1, powers, 2, NULL);
        stk_end_block(&w, NULL);
        ck_assert_uint_eq(proto_distribution_fee_collector(w.s), 0);
        dw_ck_dec_eq(proto_distribution_outstanding(w.s, 0), dw_dec(old ? "46.5" : "49"));
        dw_ck_dec_eq(proto_distribution_commission(w.s, 0), dw_dec(old ? "23.25" : "24.5"));
        dw_ck_dec_eq(proto_distribution_outstanding(w.s, 1), dw_dec(old ? "51.5" : "49"));
        ck_assert(proto_dec_is_zero(proto_distribution_commission(w.s, 1)));
        dw_ck_dec_eq(proto_distribution_community_pool(w.s), coins(2));
        ck_assert_uint_eq(proto_distribution_community_pool_coins(w.s), 2);
        stk_next(&w, 1000);
        dw_ck_dec_eq(dw_pending(&w, 0, 0), dw_dec(old ? "23.25" : "24.5"));
        dw_ck_dec_eq(dw_pending(&w, 1, 1), dw_dec(old ? "51.5" : "49"));
        dw_check(&w, supply, "many validators");
        stk_clear(&w);
    }
}
END_TEST

/* Derived: with no votes recorded (height 1, or consensus that never
 * records) the whole collector goes to the community pool; validators
 * that did not sign are paid by power all the same (Cosmos pays every
 * VoteInfo); votes are cleared after one block. */
START_TEST(test_allocate_without_votes_and_absent)
{
    staking_world w;
    proto_staking_params sp = dw_staking_params();
    proto_staking_genesis_validator v[2] = {dw_validator(0, 100, 0), dw_validator(1, 300, 0)};
    proto_f1_params fp = no_tax();
    dw_init(&w, 3, 1000, &sp, 2, v, 0, NULL, &fp);
    dw_fees(&w, 2, 40, NULL);
    stk_end_block(&w, NULL);
    dw_ck_dec_eq(proto_distribution_community_pool(w.s), coins(40));
    ck_assert(proto_dec_is_zero(proto_distribution_outstanding_total(w.s)));
    stk_next(&w, 1000);
    const uint64_t powers[2] = {100, 300};
    const bool signed_mask[2] = {true, false};
    dw_fees(&w, 2, 40, NULL);
    proto_distribution_record_votes(w.s, 0, powers, signed_mask, 2, NULL);
    stk_end_block(&w, NULL);
    dw_ck_dec_eq(proto_distribution_outstanding(w.s, 0), coins(10));
    dw_ck_dec_eq(proto_distribution_outstanding(w.s, 1), coins(30));
    stk_next(&w, 1000);
    dw_fees(&w, 2, 40, NULL);
    stk_end_block(&w, NULL); /* the votes went with the last block */
    dw_ck_dec_eq(proto_distribution_community_pool(w.s), coins(80));
    stk_invariants(&w, "no votes");
    stk_clear(&w);
}
END_TEST

/* Every refusal of the two messages, each leaving the root as it was. */
START_TEST(test_refusals)
{
    staking_world w;
    proto_staking_params sp = dw_staking_params();
    proto_staking_genesis_validator v[2] = {dw_validator(0, 100, 50), dw_validator(1, 0, 0)};
    proto_f1_params fp = no_tax();
    dw_init(&w, 4, 1000, &sp, 2, v, 0, NULL, &fp);
    proto_txmsg wr = dw_withdraw(0), wc = dw_withdraw_commission(0);
    dw_refused(&w, 2, &wr, PROTO_DISTRIBUTION_NO_DELEGATION);
    dw_refused(&w, 2, &wc, PROTO_DISTRIBUTION_NOT_OPERATOR);
    dw_refused(&w, 0, &wc, PROTO_DISTRIBUTION_NOTHING_TO_WITHDRAW);
    dw_refused(&w, PROTO_ACCOUNT_NONE, &wr, PROTO_DISTRIBUTION_NO_ACCOUNT);
    dw_refused(&w, 77, &wr, PROTO_DISTRIBUTION_NO_ACCOUNT);
    for (uint32_t bad = 1; bad < 4; bad++) { /* a candidate, out of range, huge */
        uint32_t i = bad == 1 ? 1 : bad == 2 ? 2 : UINT32_MAX;
        proto_txmsg a = dw_withdraw(i), b = dw_withdraw_commission(i);
        dw_refused(&w, 0, &a, PROTO_DISTRIBUTION_UNKNOWN_VALIDATOR);
        dw_refused(&w, 0, &b, PROTO_DISTRIBUTION_UNKNOWN_VALIDATOR);
    }
    ck_assert_str_eq(proto_distribution_result_name(PROTO_DISTRIBUTION_NOTHING_TO_WITHDRAW),
                     "nothing_to_withdraw");
    ck_assert_str_eq(proto_distribution_result_name(PROTO_DISTRIBUTION_RESULT_COUNT), "unknown");
    /* With a gas price, a meter too small refuses before anything. */
    proto_gas_schedule prices = proto_gas_schedule_default();
    proto_gas_meter gas;
    proto_gas_meter_init(&gas, 1);
    proto_msg_ctx ctx = {.gas = &gas, .gas_prices = &prices, .sender = 0, .height = 1};
    proto_msg_result r = proto_state_deliver(w.s, &ctx, wr.type, &wr);
    ck_assert_int_eq(r.status, PROTO_MSG_REFUSED);
    ck_assert_uint_eq(r.code, PROTO_DISTRIBUTION_OUT_OF_GAS);
    ck_assert_uint_gt(proto_distribution_msg_gas(&prices, PROTO_TXMSG_WITHDRAW_REWARDS),
                      proto_distribution_msg_gas(&prices, PROTO_TXMSG_WITHDRAW_COMMISSION));
    stk_clear(&w);
}
END_TEST

/* A chain without the module refuses its messages as the router does
 * for a module with no state. */
START_TEST(test_no_state)
{
    staking_world w;
    proto_staking_params sp = dw_staking_params();
    proto_staking_genesis_validator v = dw_validator(0, 100, 50);
    stk_init(&w, 2, 1000, &sp, 1, &v, 0, NULL);
    proto_txmsg wr = dw_withdraw(0);
    proto_gas_meter gas;
    proto_msg_ctx ctx = stk_ctx(&w, &gas, 0, NULL);
    ck_assert_int_eq(proto_state_deliver(w.s, &ctx, wr.type, &wr).status, PROTO_MSG_NO_STATE);
    ck_assert(!proto_distribution_active(w.s));
    ck_assert(proto_dec_is_zero(proto_distribution_community_pool(w.s)));
    proto_distribution_record_votes(w.s, 0, (const uint64_t[]){1}, (const bool[]){true}, 1,
                                    NULL);
    stk_end_block(&w, NULL);
    stk_clear(&w);
}
END_TEST

/* Undo: a block of fees, votes, a delegation, a withdrawal, a commission
 * withdrawal, a slash and the end block, all under one log, reverts to
 * the root before it; so does each message alone. */
START_TEST(test_undo_restores_root)
{
    staking_world w;
    proto_staking_params sp = dw_staking_params();
    proto_staking_genesis_validator v[2] = {dw_validator(0, 1000, 10), dw_validator(1, 500, 20)};
    proto_staking_genesis_delegation d = {.delegator = 2, .validator = 0, .amount = 300};
    proto_f1_params fp = proto_f1_params_default();
    dw_init(&w, 4, 10000, &sp, 2, v, 1, &d, &fp);
    const uint64_t powers[2] = {1300, 500};
    dw_fees(&w, 3, 1000, NULL);
    dw_votes(&w, 0, powers, 2, NULL);
    stk_end_block(&w, NULL);
    stk_next(&w, 1000);
    proto_hash before, after;
    stk_root(&w, &before);
    proto_undo undo;
    proto_undo_init(&undo);
    dw_fees(&w, 3, 777, &undo);
    dw_votes(&w, 1, powers, 2, &undo);
    proto_txmsg m1 = stk_delegate(0, 50), m2 = dw_withdraw(0), m3 = dw_withdraw_commission(1),
                m4 = stk_undelegate(0, 100), m5 = stk_redelegate(0, 1, 100);
    ck_assert_uint_eq(dw_send(&w, 2, &m1, &undo), 0);
    ck_assert_uint_eq(dw_send(&w, 0, &m2, &undo), 0);
    ck_assert_uint_eq(dw_send(&w, 1, &m3, &undo), 0);
    ck_assert_uint_eq(dw_send(&w, 2, &m4, &undo), 0);
    ck_assert_uint_eq(dw_send(&w, 2, &m5, &undo), 0);
    dw_slash(&w, 1, w.height, 500, "0.1", &undo);
    stk_end_block(&w, &undo);
    stk_invariants(&w, "before revert");
    proto_state_revert(w.s, &undo);
    stk_root(&w, &after);
    ck_assert_mem_eq(before.bytes, after.bytes, PROTO_HASH_SIZE);
    stk_invariants(&w, "after revert");
    proto_undo_clear(&undo);
    stk_clear(&w);
}
END_TEST

/* Hostile bytes for types 10 and 11: every truncation of an envelope
 * carrying them is refused, never read past; a valid one decodes back to
 * its input; flipping any byte decodes to a refusal or a valid envelope,
 * never a crash. */
START_TEST(test_withdraw_wire)
{
    proto_crypto_global_init();
    proto_txenv env;
    memset(&env, 0, sizeof env);
    env.chain_id = 42;
    env.gas_limit = 100000;
    env.max_fee_per_gas = 10;
    env.message_count = 2;
    env.messages[0] = dw_withdraw(7);
    env.messages[1] = dw_withdraw_commission(UINT32_MAX);
    proto_writer wr;
    proto_writer_init(&wr);
    proto_txenv_encode(&env, &wr);
    size_t size = wr.buf->len;
    ck_assert_uint_eq(size, proto_txenv_wire_size(&env));
    uint8_t *bytes = g_memdup2(wr.buf->data, size);
    proto_txenv out;
    ck_assert_int_eq(proto_txenv_decode(bytes, size, NULL, &out), PROTO_TXENV_OK);
    ck_assert_uint_eq(out.messages[0].withdraw.validator, 7);
    ck_assert_uint_eq(out.messages[1].type, PROTO_TXMSG_WITHDRAW_COMMISSION);
    ck_assert_uint_eq(out.messages[1].withdraw.validator, UINT32_MAX);
    ck_assert_str_eq(proto_txmsg_type_name(PROTO_TXMSG_WITHDRAW_REWARDS), "withdraw_rewards");
    for (size_t cut = 0; cut < size; cut++) {
        uint8_t *copy = g_memdup2(bytes, cut > 0 ? cut : 1);
        ck_assert_int_ne(proto_txenv_decode(copy, cut, NULL, &out), PROTO_TXENV_OK);
        g_free(copy);
    }
    for (size_t at = 0; at < size; at++) {
        for (int bit = 0; bit < 8; bit++) {
            bytes[at] ^= (uint8_t)(1u << bit);
            proto_txenv_result r = proto_txenv_decode(bytes, size, NULL, &out);
            ck_assert(r < PROTO_TXENV_RESULT_COUNT);
            bytes[at] ^= (uint8_t)(1u << bit);
        }
    }
    /* A body cut short inside the validator field. */
    ck_assert_int_eq(proto_txenv_decode(bytes, PROTO_TXENV_HEADER_SIZE + 3, NULL, &out),
                     PROTO_TXENV_TRUNCATED);
    proto_writer_clear(&wr);
    g_free(bytes);
}
END_TEST

/* Derived from Keeper.Slash's SlashRedelegation: a slash for an earlier
 * infraction unbonds shares of a redelegation at its destination, which
 * goes through the hooks (the delegation's rewards at the destination
 * are withdrawn first and it restarts); everything stays consistent. */
START_TEST(test_slash_reaches_redelegation)
{
    staking_world w;
    proto_staking_params sp = dw_staking_params();
    proto_staking_genesis_validator v[2] = {dw_validator(0, 1000 * MILLION, 10),
                                            dw_validator(1, 1000 * MILLION, 10)};
    proto_staking_genesis_delegation d[2] = {
        {.delegator = 2, .validator = 0, .amount = 500 * MILLION},
        {.delegator = 2, .validator = 1, .amount = 100 * MILLION}};
    proto_f1_params fp = proto_f1_params_default();
    dw_init(&w, 4, 1000 * MILLION, &sp, 2, v, 2, d, &fp);
    uint64_t supply = proto_state_total_supply(w.s);
    const uint64_t powers[2] = {1500, 1100};
    stk_next(&w, 1000);
    dw_fees(&w, 3, 10 * MILLION, NULL);
    dw_votes(&w, 0, powers, 2, NULL);
    stk_end_block(&w, NULL);
    stk_next(&w, 1000);
    proto_txmsg r = stk_redelegate(0, 1, 200 * MILLION);
    ck_assert_uint_eq(dw_send(&w, 2, &r, NULL), 0);
    stk_end_block(&w, NULL);
    stk_next(&w, 1000);
    dw_fees(&w, 3, 10 * MILLION, NULL);
    dw_votes(&w, 1, powers, 2, NULL);
    stk_end_block(&w, NULL);
    stk_next(&w, 1000);
    proto_dec pending = dw_pending(&w, 2, 1);
    ck_assert(proto_dec_is_positive(pending));
    proto_amount whole;
    ck_assert_int_eq(proto_dec_truncate_int(pending, &whole), PROTO_DEC_OK);
    uint64_t before = stk_balance(&w, 2), refs = proto_distribution_historical_references(w.s);
    dw_slash(&w, 0, w.height - 3, 1500 * MILLION, "0.1", NULL); /* before the redelegation */
    ck_assert_uint_eq(stk_balance(&w, 2) - before, (uint64_t)whole); /* withdrawn at dst */
    ck_assert(proto_dec_is_zero(dw_pending(&w, 2, 1))); /* restarted at this height */
    ck_assert_uint_eq(proto_distribution_historical_references(w.s), refs + 1); /* the event */
    dw_check(&w, supply, "after the slash");
    stk_clear(&w);
}
END_TEST

/* Undo is per record: withdrawing one delegation's rewards among 300
 * records a handful of entries, not a copy of every starting info. */
START_TEST(test_undo_is_per_record)
{
    enum { N = 300 };
    staking_world w;
    proto_staking_params sp = dw_staking_params();
    proto_staking_genesis_validator v = dw_validator(0, 1000, 10);
    proto_staking_genesis_delegation *d = g_new0(proto_staking_genesis_delegation, N);
    for (uint32_t k = 0; k < N; k++)
        d[k] = (proto_staking_genesis_delegation){.delegator = 1 + k, .validator = 0, .amount = 10};
    proto_f1_params fp = proto_f1_params_default();
    dw_init(&w, N + 2, 1000, &sp, 1, &v, N, d, &fp);
    g_free(d);
    dw_allocate_to(&w, N + 1, 0, 999);
    stk_next(&w, 1000);
    proto_undo undo;
    proto_undo_init(&undo);
    proto_txmsg m = dw_withdraw(0);
    ck_assert_uint_eq(dw_send(&w, 7, &m, &undo), 0);
    ck_assert_uint_le(proto_undo_records_count(&undo), 16);
    proto_state_revert(w.s, &undo);
    proto_undo_clear(&undo);
    stk_invariants(&w, "300 delegations");
    stk_clear(&w);
}
END_TEST

static Suite *distribution_suite(void)
{
    Suite *s = suite_create("distribution");
    TCase *cosmos = tcase_create("cosmos");
    tcase_add_test(cosmos, test_calculate_rewards_basic);
    tcase_add_test(cosmos, test_calculate_rewards_after_slash);
    tcase_add_test(cosmos, test_calculate_rewards_after_many_slashes);
    tcase_add_test(cosmos, test_calculate_rewards_multi_delegator);
    tcase_add_test(cosmos, test_withdraw_delegation_rewards_basic);
    tcase_add_test(cosmos, test_calculate_rewards_mult_withdraw);
    tcase_add_test(cosmos, test_allocate_tokens_to_many_validators);
    suite_add_tcase(s, cosmos);
    TCase *module = tcase_create("module");
    tcase_add_test(module, test_allocate_without_votes_and_absent);
    tcase_add_test(module, test_refusals);
    tcase_add_test(module, test_no_state);
    tcase_add_test(module, test_undo_restores_root);
    tcase_add_test(module, test_withdraw_wire);
    tcase_add_test(module, test_slash_reaches_redelegation);
    tcase_add_test(module, test_undo_is_per_record);
    suite_add_tcase(s, module);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(distribution_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
