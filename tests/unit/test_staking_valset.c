/* Unit tests for the staking module under the chain's validator set
 * (protocol/modules/staking/staking_valset.c, valset.h's external
 * stake): the set's genesis powers are the module's active set, block
 * ends write the module's powers at height + update_delay and move the
 * proposer priorities, the set counts no supply of its own, a jail in
 * the set takes the validator out of the module's active set, a slash
 * through the module reaches delegators, and undo restores all of it. */
#include <check.h>
#include <glib.h>
#include <string.h>

#include "protocol/modules/validator/validator.h"
#include "support/staking_world.h"

#define VS_ACCOUNTS 8
#define VS_BALANCE 1000000u
#define VS_COUNT 4
#define VS_DELAY 2

static const uint64_t vs_bonds[VS_COUNT] = {100, 200, 300, 400};

/* Validators 0..3 operated by accounts 0..3 with vs_bonds, an active set
 * of three; the set on top with external stake. */
static void vs_init(staking_world *w)
{
    proto_staking_params p = proto_staking_defaults();
    p.max_validators = 3;
    p.unbonding_time_ns = 1000000;
    proto_staking_genesis_validator vals[VS_COUNT];
    proto_pubkey keys[VS_COUNT];
    for (uint32_t i = 0; i < VS_COUNT; i++) {
        vals[i] = (proto_staking_genesis_validator){.operator_account = i,
                                                    .self_bond = vs_bonds[i],
                                                    .rate = 0,
                                                    .max_rate = PROTO_TXMSG_RATE_ONE / 10,
                                                    .max_change_rate = 0};
        memset(&keys[i], 0, sizeof keys[i]);
        keys[i].bytes[0] = (uint8_t)(0x80 + i);
    }
    stk_init(w, VS_ACCOUNTS, VS_BALANCE, &p, VS_COUNT, vals, 0, NULL);
    proto_slashing_params sp = proto_slashing_defaults();
    sp.update_delay = VS_DELAY;
    proto_valset *v = proto_valset_new(&sp, VS_COUNT, keys, vs_bonds);
    for (uint32_t i = 0; i < VS_COUNT; i++)
        proto_valset_set_operator(v, i, i);
    proto_staking_genesis_valset(w->s, v);
}

static const proto_valset *vs_set(const staking_world *w)
{
    return proto_validator_set(w->s);
}

static uint64_t vs_supply_expected(void)
{
    return (uint64_t)VS_ACCOUNTS * VS_BALANCE + 100 + 200 + 300 + 400;
}

START_TEST(test_genesis_powers_are_the_active_set)
{
    staking_world w;
    vs_init(&w);
    const proto_valset *v = vs_set(&w);
    ck_assert(proto_valset_stake_external(v));
    ck_assert_uint_eq(proto_valset_power_at(v, 0, 0), 0); /* fourth by power: out */
    for (uint32_t i = 1; i < VS_COUNT; i++) {
        ck_assert_uint_eq(proto_valset_power_at(v, i, 0), vs_bonds[i]);
        ck_assert_uint_eq(proto_valset_get(v, i)->tokens, vs_bonds[i]);
    }
    ck_assert_uint_eq(proto_valset_bonded(v), 0); /* the module's pools count */
    ck_assert_uint_eq(proto_state_total_supply(w.s), vs_supply_expected());
    /* The priorities of height 1 are CometBFT's for powers 0/200/300/400:
     * the largest proposes first. */
    ck_assert_uint_eq(proto_valset_proposer(v, PROTO_ROTATION_STAKE_WEIGHTED, 1, 0), 3);
    stk_invariants(&w, "genesis");
    stk_clear(&w);
}
END_TEST

START_TEST(test_block_end_writes_powers_after_the_delay)
{
    staking_world w;
    vs_init(&w);
    proto_hash before;
    stk_root(&w, &before);
    proto_undo undo;
    proto_undo_init(&undo);
    /* Height 1: account 5 puts 500 behind v0, which enters; v1 leaves. */
    proto_txmsg m = stk_delegate(0, 500);
    ck_assert_uint_eq(stk_send(&w, 5, &m, &undo), PROTO_STAKING_OK);
    stk_end_block(&w, &undo);
    const proto_valset *v = vs_set(&w);
    ck_assert_uint_eq(proto_valset_power_at(v, 0, 1 + VS_DELAY - 1), 0);
    ck_assert_uint_eq(proto_valset_power_at(v, 0, 1 + VS_DELAY), 600);
    ck_assert_uint_eq(proto_valset_power_at(v, 1, 1 + VS_DELAY - 1), 200);
    ck_assert_uint_eq(proto_valset_power_at(v, 1, 1 + VS_DELAY), 0);
    ck_assert_uint_eq(proto_valset_get(v, 0)->tokens, 600);
    ck_assert_uint_eq(proto_valset_priorities_first(v), 1); /* moved on by the module */
    ck_assert_uint_eq(proto_state_total_supply(w.s), vs_supply_expected());
    stk_invariants(&w, "after delegating");
    /* Undo takes back the delegation, the set's powers and priorities. */
    proto_state_revert(w.s, &undo);
    proto_hash after;
    stk_root(&w, &after);
    ck_assert(proto_hash_equal(&before, &after));
    proto_undo_clear(&undo);
    stk_clear(&w);
}
END_TEST

START_TEST(test_jail_in_the_set_leaves_the_active_set)
{
    staking_world w;
    vs_init(&w);
    /* Double-sign evidence against v3 at height 1, included in block 1:
     * the set jails and tombstones but burns nothing ... */
    uint64_t burned_by_set = proto_validator_slash_double_sign(w.s, 3, 1, w.time_ns, NULL);
    ck_assert_uint_eq(burned_by_set, 0);
    /* ... the module slashes: 1/20 of 400 is 20, and delegators share it. */
    proto_gas_meter gas;
    proto_msg_ctx ctx = stk_ctx(&w, &gas, PROTO_ACCOUNT_NONE, NULL);
    proto_amount burned = 0;
    proto_dec twentieth;
    ck_assert_int_eq(proto_dec_quo(proto_dec_from_amount(1), proto_dec_from_amount(20),
                                   &twentieth),
                     PROTO_DEC_OK);
    ck_assert_int_eq(proto_staking_slash(w.s, &ctx, 3, 1, 400, twentieth, &burned),
                     PROTO_STAKING_OK);
    ck_assert(burned == 20);
    stk_end_block(&w, NULL);
    const proto_valset *v = vs_set(&w);
    const proto_staking_validator *sv = proto_staking_validator_get(stk_st(&w), 3);
    ck_assert(sv->tombstoned && sv->status == PROTO_STAKING_UNBONDING);
    ck_assert_uint_eq(proto_valset_power_at(v, 3, 1 + VS_DELAY), 0);
    ck_assert_uint_eq(proto_valset_power_at(v, 0, 1 + VS_DELAY), 100); /* v0 back in */
    ck_assert_uint_eq(proto_valset_get(v, 3)->tokens, 380);
    ck_assert_uint_eq(proto_state_total_supply(w.s), vs_supply_expected());
    ck_assert_uint_eq(proto_state_burned(w.s), 20);
    stk_invariants(&w, "after the slash");
    /* Delegating to a tombstoned validator is refused. */
    proto_txmsg m = stk_delegate(3, 10);
    stk_refused(&w, 6, &m, PROTO_STAKING_TOMBSTONED);
    stk_clear(&w);
}
END_TEST

/* Blocks without changes still move the priorities, one height each. */
START_TEST(test_quiet_blocks_move_the_priorities)
{
    staking_world w;
    vs_init(&w);
    for (int k = 0; k < 5; k++) {
        stk_end_block(&w, NULL);
        ck_assert_uint_eq(proto_valset_priorities_first(vs_set(&w)), w.height);
        stk_next(&w, 1000);
    }
    stk_invariants(&w, "quiet blocks");
    stk_clear(&w);
}
END_TEST

static Suite *staking_valset_suite(void)
{
    Suite *s = suite_create("staking_valset");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_genesis_powers_are_the_active_set);
    tcase_add_test(tc, test_block_end_writes_powers_after_the_delay);
    tcase_add_test(tc, test_jail_in_the_set_leaves_the_active_set);
    tcase_add_test(tc, test_quiet_blocks_move_the_priorities);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(staking_valset_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
