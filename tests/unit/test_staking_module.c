/* Unit tests for the staking module (protocol/modules/staking/staking.h)
 * on a fake chain (support/staking_world.h): genesis and the active set,
 * each message's happy path with exact balances, shares and pools, each
 * refusal by name with the state root unchanged, maturity at end block,
 * the set rotating as powers move, cancel-unbonding, the transitive
 * redelegation refusal, commission limits, undo of a whole block, and
 * the powers written into a validator set. Slashing and the random
 * conservation test are in test_staking_slash.c.
 *
 * The world: validators 0..3 operated by accounts 0..3, self-bonds 1000,
 * 600, 300 and a candidate (3) not created; max_validators 2; accounts
 * 4..7 delegators; every account starts with BALANCE. */
#include <check.h>
#include <glib.h>
#include <string.h>

#include "protocol/chain/valset.h"
#include "support/staking_check.h"
#include "support/staking_world.h"

#define BALANCE 10000
#define UNBOND_NS 1000000
#define DAY_NS 5000000
#define RATE_PCT(p) ((uint64_t)(p) * 10000000000000000ULL) /* p percent, x 10^-18 */
#define OK 0u

static proto_staking_params test_params(void)
{
    proto_staking_params p = proto_staking_defaults();
    p.unbonding_time_ns = UNBOND_NS;
    p.day_ns = DAY_NS;
    p.max_validators = 2;
    p.min_self_bond = 100;
    return p;
}

static void world_init(staking_world *w)
{
    proto_staking_params p = test_params();
    const proto_staking_genesis_validator vals[] = {
        {0, 1000, RATE_PCT(10), RATE_PCT(20), RATE_PCT(1)},
        {1, 600, RATE_PCT(5), RATE_PCT(50), RATE_PCT(5)},
        {2, 300, RATE_PCT(5), RATE_PCT(50), RATE_PCT(5)},
        {3, 0, 0, 0, 0},
    };
    stk_init(w, 8, BALANCE, &p, 4, vals, 0, NULL);
}

static const proto_staking_validator *val(const staking_world *w, uint32_t i)
{
    return proto_staking_validator_get(stk_st(w), i);
}

static uint64_t genesis_supply(void)
{
    return 8 * BALANCE + 1000 + 600 + 300;
}

START_TEST(test_genesis_set)
{
    staking_world w;
    world_init(&w);
    const proto_staking_state *st = stk_st(&w);
    ck_assert_int_eq(val(&w, 0)->status, PROTO_STAKING_BONDED);
    ck_assert_int_eq(val(&w, 1)->status, PROTO_STAKING_BONDED);
    ck_assert_int_eq(val(&w, 2)->status, PROTO_STAKING_UNBONDED);
    ck_assert(!val(&w, 3)->created);
    ck_assert_uint_eq(val(&w, 0)->power, 1000);
    ck_assert_uint_eq(val(&w, 1)->power, 600);
    ck_assert_uint_eq(val(&w, 2)->power, 0);
    ck_amount_eq(proto_staking_bonded_pool(st), 1600);
    ck_amount_eq(proto_staking_not_bonded_pool(st), 300);
    ck_dec_eq(proto_staking_delegation_shares(st, 0, 0), proto_dec_from_int64(1000));
    ck_assert_uint_eq(proto_state_total_supply(w.s), genesis_supply());
    ck_assert_uint_eq(stk_balance(&w, 0), BALANCE); /* genesis stake is created, not taken */
    stk_invariants(&w, "genesis");
    stk_clear(&w);
}
END_TEST

START_TEST(test_delegate)
{
    staking_world w;
    world_init(&w);
    proto_txmsg m = stk_delegate(0, 500);
    ck_assert_uint_eq(stk_send(&w, 4, &m, NULL), OK);
    ck_assert_uint_eq(stk_balance(&w, 4), BALANCE - 500);
    ck_dec_eq(proto_staking_delegation_shares(stk_st(&w), 4, 0), proto_dec_from_int64(500));
    ck_amount_eq(val(&w, 0)->shares.tokens, 1500);
    ck_amount_eq(proto_staking_bonded_pool(stk_st(&w)), 2100);
    /* To an unbonded validator: the not-bonded pool. */
    m = stk_delegate(2, 200);
    ck_assert_uint_eq(stk_send(&w, 5, &m, NULL), OK);
    ck_amount_eq(proto_staking_not_bonded_pool(stk_st(&w)), 500);
    ck_assert_uint_eq(proto_state_total_supply(w.s), genesis_supply());
    ck_assert_uint_eq(w.stats.delivered, 2);
    stk_invariants(&w, "delegate");
    stk_clear(&w);
}
END_TEST

START_TEST(test_delegate_refusals)
{
    staking_world w;
    world_init(&w);
    proto_txmsg m = stk_delegate(0, BALANCE + 1);
    stk_refused(&w, 4, &m, PROTO_STAKING_NO_FUNDS);
    m = stk_delegate(9, 10);
    stk_refused(&w, 4, &m, PROTO_STAKING_UNKNOWN_VALIDATOR);
    m = stk_delegate(3, 10); /* a candidate not created */
    stk_refused(&w, 4, &m, PROTO_STAKING_UNKNOWN_VALIDATOR);
    m = stk_delegate(0, 0);
    stk_refused(&w, 4, &m, PROTO_STAKING_ZERO_AMOUNT);
    m = stk_delegate(0, 10);
    stk_refused(&w, PROTO_ACCOUNT_NONE, &m, PROTO_STAKING_NO_ACCOUNT);
    proto_staking_set_jailed(w.s, 1, true, true, NULL);
    m = stk_delegate(1, 10);
    stk_refused(&w, 4, &m, PROTO_STAKING_TOMBSTONED);
    ck_assert_uint_eq(w.stats.refused[PROTO_MSG_REFUSED], 6);
    stk_clear(&w);
}
END_TEST

START_TEST(test_undelegate_and_maturity)
{
    staking_world w;
    world_init(&w);
    proto_txmsg m = stk_delegate(0, 1000);
    ck_assert_uint_eq(stk_send(&w, 4, &m, NULL), OK);
    stk_next(&w, 10);
    m = stk_undelegate(0, 400);
    ck_assert_uint_eq(stk_send(&w, 4, &m, NULL), OK);
    const proto_staking_state *st = stk_st(&w);
    ck_dec_eq(proto_staking_delegation_shares(st, 4, 0), proto_dec_from_int64(600));
    ck_assert_uint_eq(proto_staking_unbondings_count(st), 1);
    const proto_staking_unbonding *e = proto_staking_unbonding_at(st, 0);
    ck_amount_eq(e->balance, 400);
    ck_amount_eq(e->initial_balance, 400);
    ck_assert_uint_eq(e->creation_height, 2);
    ck_assert_int_eq(e->completion_ns, w.time_ns + UNBOND_NS);
    ck_amount_eq(proto_staking_bonded_pool(st), 2200);
    ck_amount_eq(proto_staking_not_bonded_pool(st), 700);
    /* A second undelegation in the same block joins the entry (AddEntry). */
    m = stk_undelegate(0, 100);
    ck_assert_uint_eq(stk_send(&w, 4, &m, NULL), OK);
    ck_assert_uint_eq(proto_staking_unbondings_count(stk_st(&w)), 1);
    ck_amount_eq(proto_staking_unbonding_at(stk_st(&w), 0)->balance, 500);
    int64_t done = w.time_ns + UNBOND_NS;
    stk_end_block(&w, NULL);
    stk_next(&w, UNBOND_NS - 1);
    stk_end_block(&w, NULL);
    ck_assert_uint_eq(proto_staking_unbondings_count(stk_st(&w)), 1);
    ck_assert_uint_eq(stk_balance(&w, 4), BALANCE - 1000);
    stk_next(&w, 1);
    ck_assert_int_eq(w.time_ns, done);
    stk_end_block(&w, NULL);
    ck_assert_uint_eq(proto_staking_unbondings_count(stk_st(&w)), 0);
    ck_assert_uint_eq(stk_balance(&w, 4), BALANCE - 500);
    ck_amount_eq(proto_staking_not_bonded_pool(stk_st(&w)), 300);
    ck_assert_uint_eq(proto_state_total_supply(w.s), genesis_supply());
    stk_invariants(&w, "matured");
    /* Everything else out: the delegation goes. */
    m = stk_undelegate(0, 500);
    ck_assert_uint_eq(stk_send(&w, 4, &m, NULL), OK);
    ck_assert_uint_eq(proto_staking_delegations_count(stk_st(&w)), 3);
    stk_clear(&w);
}
END_TEST

START_TEST(test_undelegate_refusals)
{
    staking_world w;
    world_init(&w);
    proto_txmsg m = stk_undelegate(0, 10);
    stk_refused(&w, 4, &m, PROTO_STAKING_NO_DELEGATION);
    m = stk_delegate(0, 70);
    ck_assert_uint_eq(stk_send(&w, 4, &m, NULL), OK);
    m = stk_undelegate(0, 71);
    stk_refused(&w, 4, &m, PROTO_STAKING_OVER_DELEGATION);
    m = stk_undelegate(7, 1);
    stk_refused(&w, 4, &m, PROTO_STAKING_UNKNOWN_VALIDATOR);
    m = stk_undelegate(0, 901); /* the operator would keep 99 < 100 */
    stk_refused(&w, 0, &m, PROTO_STAKING_SELF_BOND_BELOW_MIN);
    m = stk_undelegate(0, 900);
    ck_assert_uint_eq(stk_send(&w, 0, &m, NULL), OK);
    /* Seven entries (one a block), the eighth refused. */
    for (int k = 0; k < 7; k++) {
        stk_next(&w, 10);
        m = stk_undelegate(0, 1);
        ck_assert_uint_eq(stk_send(&w, 4, &m, NULL), OK);
    }
    stk_next(&w, 10);
    m = stk_undelegate(0, 1);
    stk_refused(&w, 4, &m, PROTO_STAKING_MAX_ENTRIES);
    stk_invariants(&w, "entries");
    stk_clear(&w);
}
END_TEST

START_TEST(test_cancel_unbonding)
{
    staking_world w;
    world_init(&w);
    proto_txmsg m = stk_delegate(0, 1000);
    ck_assert_uint_eq(stk_send(&w, 4, &m, NULL), OK);
    stk_next(&w, 10);
    m = stk_undelegate(0, 600);
    ck_assert_uint_eq(stk_send(&w, 4, &m, NULL), OK);
    uint64_t created = w.height;
    stk_next(&w, 10);
    m = stk_cancel(0, 200, created + 1);
    stk_refused(&w, 4, &m, PROTO_STAKING_NO_UNBONDING_ENTRY);
    m = stk_cancel(0, 601, created);
    stk_refused(&w, 4, &m, PROTO_STAKING_OVER_ENTRY_BALANCE);
    m = stk_cancel(0, 200, created);
    ck_assert_uint_eq(stk_send(&w, 4, &m, NULL), OK);
    const proto_staking_state *st = stk_st(&w);
    ck_amount_eq(proto_staking_unbonding_at(st, 0)->balance, 400);
    ck_amount_eq(proto_staking_unbonding_at(st, 0)->initial_balance, 400);
    ck_dec_eq(proto_staking_delegation_shares(st, 4, 0), proto_dec_from_int64(600));
    ck_amount_eq(proto_staking_bonded_pool(st), 2200);
    ck_amount_eq(proto_staking_not_bonded_pool(st), 700);
    stk_invariants(&w, "cancel part");
    m = stk_cancel(0, 400, created);
    ck_assert_uint_eq(stk_send(&w, 4, &m, NULL), OK);
    ck_assert_uint_eq(proto_staking_unbondings_count(stk_st(&w)), 0);
    ck_dec_eq(proto_staking_delegation_shares(stk_st(&w), 4, 0), proto_dec_from_int64(1000));
    /* Into a jailed validator: refused. */
    m = stk_undelegate(0, 100);
    ck_assert_uint_eq(stk_send(&w, 4, &m, NULL), OK);
    proto_staking_set_jailed(w.s, 0, true, false, NULL);
    m = stk_cancel(0, 100, w.height);
    stk_refused(&w, 4, &m, PROTO_STAKING_JAILED);
    /* Once complete, nothing to cancel. */
    stk_next(&w, UNBOND_NS);
    proto_staking_set_jailed(w.s, 0, false, false, NULL);
    m = stk_cancel(0, 100, w.height - 1);
    stk_refused(&w, 4, &m, PROTO_STAKING_NO_UNBONDING_ENTRY);
    stk_invariants(&w, "cancel");
    stk_clear(&w);
}
END_TEST

START_TEST(test_redelegate)
{
    staking_world w;
    world_init(&w);
    proto_txmsg m = stk_delegate(0, 1000);
    ck_assert_uint_eq(stk_send(&w, 4, &m, NULL), OK);
    stk_next(&w, 10);
    m = stk_redelegate(0, 1, 300);
    ck_assert_uint_eq(stk_send(&w, 4, &m, NULL), OK);
    const proto_staking_state *st = stk_st(&w);
    ck_dec_eq(proto_staking_delegation_shares(st, 4, 0), proto_dec_from_int64(700));
    ck_dec_eq(proto_staking_delegation_shares(st, 4, 1), proto_dec_from_int64(300));
    ck_assert_uint_eq(proto_staking_redelegations_count(st), 1);
    const proto_staking_redelegation *e = proto_staking_redelegation_at(st, 0);
    ck_amount_eq(e->initial_balance, 300);
    ck_dec_eq(e->shares_dst, proto_dec_from_int64(300));
    ck_assert_int_eq(e->completion_ns, w.time_ns + UNBOND_NS);
    ck_amount_eq(proto_staking_bonded_pool(st), 2600); /* bonded to bonded: no move */
    /* Transitive: 1 received from 4, so 4 may not move on from 1. */
    m = stk_redelegate(1, 2, 100);
    stk_refused(&w, 4, &m, PROTO_STAKING_TRANSITIVE_REDELEGATION);
    /* Into an unbonded validator: tokens go to the not-bonded pool. */
    m = stk_redelegate(0, 2, 100);
    ck_assert_uint_eq(stk_send(&w, 4, &m, NULL), OK);
    ck_amount_eq(proto_staking_bonded_pool(stk_st(&w)), 2500);
    ck_amount_eq(proto_staking_not_bonded_pool(stk_st(&w)), 400);
    m = stk_redelegate(0, 0, 1);
    stk_refused(&w, 4, &m, PROTO_STAKING_SELF_REDELEGATION);
    m = stk_redelegate(0, 3, 1);
    stk_refused(&w, 4, &m, PROTO_STAKING_UNKNOWN_VALIDATOR);
    m = stk_redelegate(0, 1, 601);
    stk_refused(&w, 4, &m, PROTO_STAKING_OVER_DELEGATION);
    m = stk_redelegate(2, 0, 1);
    stk_refused(&w, 5, &m, PROTO_STAKING_NO_DELEGATION);
    /* After the entry matured (and its end block), 1 -> 2 is allowed. */
    stk_end_block(&w, NULL);
    stk_next(&w, UNBOND_NS);
    stk_end_block(&w, NULL);
    ck_assert_uint_eq(proto_staking_redelegations_count(stk_st(&w)), 0);
    m = stk_redelegate(1, 2, 100);
    ck_assert_uint_eq(stk_send(&w, 4, &m, NULL), OK);
    ck_assert_uint_eq(proto_state_total_supply(w.s), genesis_supply());
    stk_invariants(&w, "redelegate");
    stk_clear(&w);
}
END_TEST

START_TEST(test_redelegate_max_entries)
{
    staking_world w;
    world_init(&w);
    proto_txmsg m = stk_delegate(0, 1000);
    ck_assert_uint_eq(stk_send(&w, 4, &m, NULL), OK);
    for (int k = 0; k < 7; k++) {
        m = stk_redelegate(0, 1, 10);
        ck_assert_uint_eq(stk_send(&w, 4, &m, NULL), OK);
    }
    ck_assert_uint_eq(proto_staking_redelegations_count(stk_st(&w)), 7);
    m = stk_redelegate(0, 1, 10);
    stk_refused(&w, 4, &m, PROTO_STAKING_MAX_ENTRIES);
    m = stk_redelegate(0, 2, 10); /* another triple */
    ck_assert_uint_eq(stk_send(&w, 4, &m, NULL), OK);
    stk_invariants(&w, "redelegation entries");
    stk_clear(&w);
}
END_TEST

START_TEST(test_create_validator_and_rotation)
{
    staking_world w;
    world_init(&w);
    proto_txmsg m = stk_create(3, 700, RATE_PCT(10), RATE_PCT(20), RATE_PCT(2));
    stk_refused(&w, 4, &m, PROTO_STAKING_NOT_OPERATOR);
    m = stk_create(3, 99, RATE_PCT(10), RATE_PCT(20), RATE_PCT(2));
    stk_refused(&w, 3, &m, PROTO_STAKING_SELF_BOND_BELOW_MIN);
    m = stk_create(3, BALANCE + 1, RATE_PCT(10), RATE_PCT(20), RATE_PCT(2));
    stk_refused(&w, 3, &m, PROTO_STAKING_NO_FUNDS);
    m = stk_create(3, 700, RATE_PCT(30), RATE_PCT(20), RATE_PCT(2));
    stk_refused(&w, 3, &m, PROTO_STAKING_BAD_COMMISSION);
    m = stk_create(0, 700, RATE_PCT(10), RATE_PCT(20), RATE_PCT(2));
    stk_refused(&w, 0, &m, PROTO_STAKING_ALREADY_CREATED);
    m = stk_create(3, 700, RATE_PCT(10), RATE_PCT(20), RATE_PCT(2));
    ck_assert_uint_eq(stk_send(&w, 3, &m, NULL), OK);
    ck_assert(val(&w, 3)->created);
    ck_assert_int_eq(val(&w, 3)->status, PROTO_STAKING_UNBONDED);
    ck_assert_uint_eq(stk_balance(&w, 3), BALANCE - 700);
    /* End block: 3 (700) passes 1 (600), which starts unbonding. */
    stk_end_block(&w, NULL);
    ck_assert_int_eq(val(&w, 3)->status, PROTO_STAKING_BONDED);
    ck_assert_uint_eq(val(&w, 3)->power, 700);
    ck_assert_int_eq(val(&w, 1)->status, PROTO_STAKING_UNBONDING);
    ck_assert_uint_eq(val(&w, 1)->power, 0);
    ck_assert_int_eq(val(&w, 1)->unbonding_time_ns, w.time_ns + UNBOND_NS);
    ck_amount_eq(proto_staking_bonded_pool(stk_st(&w)), 1700);
    ck_amount_eq(proto_staking_not_bonded_pool(stk_st(&w)), 900);
    stk_invariants(&w, "rotation");
    /* Delegations lift 2 above everyone: it enters, 3 leaves. */
    stk_next(&w, 10);
    m = stk_delegate(2, 800);
    ck_assert_uint_eq(stk_send(&w, 5, &m, NULL), OK);
    stk_end_block(&w, NULL);
    ck_assert_int_eq(val(&w, 2)->status, PROTO_STAKING_BONDED);
    ck_assert_uint_eq(val(&w, 2)->power, 1100);
    ck_assert_int_eq(val(&w, 3)->status, PROTO_STAKING_UNBONDING);
    /* 1's unbonding time comes (3's, 10 ns later, not yet). */
    stk_next(&w, UNBOND_NS - 5);
    stk_end_block(&w, NULL);
    ck_assert_int_eq(val(&w, 1)->status, PROTO_STAKING_UNBONDED);
    ck_assert_int_eq(val(&w, 3)->status, PROTO_STAKING_UNBONDING);
    /* Jailing 0 lets 3 back in (700 > 600). */
    proto_staking_set_jailed(w.s, 0, true, false, NULL);
    stk_end_block(&w, NULL);
    ck_assert_int_eq(val(&w, 0)->status, PROTO_STAKING_UNBONDING);
    ck_assert_int_eq(val(&w, 3)->status, PROTO_STAKING_BONDED);
    ck_assert_uint_eq(proto_state_total_supply(w.s), genesis_supply());
    stk_invariants(&w, "rotation end");
    stk_clear(&w);
}
END_TEST

START_TEST(test_edit_commission)
{
    staking_world w;
    world_init(&w);
    proto_txmsg m = stk_edit(0, RATE_PCT(11));
    stk_refused(&w, 4, &m, PROTO_STAKING_NOT_OPERATOR);
    stk_refused(&w, 0, &m, PROTO_STAKING_COMMISSION_TOO_SOON); /* genesis at 0, day not over */
    w.time_ns = DAY_NS;
    m = stk_edit(0, RATE_PCT(21));
    stk_refused(&w, 0, &m, PROTO_STAKING_COMMISSION_OVER_MAX);
    m = stk_edit(0, RATE_PCT(12)); /* +2% > max change 1% */
    stk_refused(&w, 0, &m, PROTO_STAKING_COMMISSION_TOO_LARGE);
    m = stk_edit(0, RATE_PCT(11));
    ck_assert_uint_eq(stk_send(&w, 0, &m, NULL), OK);
    proto_dec want = proto_dec_with_prec(11, 2);
    ck_dec_eq(val(&w, 0)->commission.rate, want);
    ck_assert_int_eq(val(&w, 0)->commission.update_time_ns, DAY_NS);
    w.time_ns = 2 * DAY_NS - 1;
    m = stk_edit(0, RATE_PCT(10));
    stk_refused(&w, 0, &m, PROTO_STAKING_COMMISSION_TOO_SOON);
    w.time_ns = 2 * DAY_NS;
    ck_assert_uint_eq(stk_send(&w, 0, &m, NULL), OK);
    m = stk_edit(3, RATE_PCT(1));
    stk_refused(&w, 3, &m, PROTO_STAKING_UNKNOWN_VALIDATOR);
    stk_clear(&w);
}
END_TEST

/* A block of staking messages and its end block under one undo log,
 * reverted: the root is the one before, bit for bit. Repeated with a
 * scope per message, as transactions run. */
START_TEST(test_undo_block)
{
    staking_world w;
    world_init(&w);
    proto_txmsg m = stk_delegate(0, 1000);
    ck_assert_uint_eq(stk_send(&w, 4, &m, NULL), OK);
    m = stk_undelegate(0, 100);
    ck_assert_uint_eq(stk_send(&w, 4, &m, NULL), OK);
    stk_next(&w, UNBOND_NS + 1); /* that entry matures in this block's end */
    proto_hash before, after;
    stk_root(&w, &before);
    for (int scoped = 0; scoped < 2; scoped++) {
        proto_undo undo;
        proto_undo_init(&undo);
        const proto_txmsg block[] = {
            stk_delegate(1, 50), stk_undelegate(0, 200), stk_redelegate(0, 2, 300),
            stk_create(3, 2000, RATE_PCT(1), RATE_PCT(2), RATE_PCT(1)), stk_cancel(0, 50, w.height),
        };
        const uint32_t senders[] = {5, 4, 4, 3, 4};
        for (guint k = 0; k < G_N_ELEMENTS(block); k++) {
            guint outer = scoped ? proto_undo_scope_open(&undo) : 0;
            ck_assert_uint_eq(stk_send(&w, senders[k], &block[k], &undo), OK);
            if (scoped)
                proto_undo_scope_close(&undo, outer);
        }
        stk_end_block(&w, &undo);
        ck_assert_int_eq(val(&w, 3)->status, PROTO_STAKING_BONDED);
        ck_assert_uint_eq(stk_balance(&w, 4), BALANCE - 1000 + 100 - 0);
        stk_invariants(&w, "block");
        proto_state_revert(w.s, &undo);
        proto_undo_clear(&undo);
        stk_root(&w, &after);
        ck_assert_mem_eq(before.bytes, after.bytes, PROTO_HASH_SIZE);
    }
    stk_clear(&w);
}
END_TEST

/* Copies are independent (copy on write), and fast mode hashes too. */
START_TEST(test_copy_and_fast_root)
{
    staking_world w;
    world_init(&w);
    proto_state *copy = proto_state_copy(w.s);
    proto_txmsg m = stk_delegate(0, 10);
    ck_assert_uint_eq(stk_send(&w, 4, &m, NULL), OK);
    ck_assert(proto_dec_is_zero(proto_staking_delegation_shares(proto_staking_get(copy), 4, 0)));
    proto_hash a, b;
    proto_state_root(copy, &a);
    stk_root(&w, &b);
    ck_assert(memcmp(a.bytes, b.bytes, PROTO_HASH_SIZE) != 0);
    proto_state_free(copy);
    proto_state_set_fast_hash(w.s, true);
    stk_root(&w, &a);
    ck_assert(memcmp(a.bytes, b.bytes, PROTO_HASH_SIZE) != 0);
    stk_clear(&w);
}
END_TEST

/* The powers go into a validator set at the height asked for; the set's
 * earlier heights keep theirs. */
START_TEST(test_write_powers)
{
    staking_world w;
    world_init(&w);
    proto_slashing_params sp = proto_slashing_defaults();
    proto_pubkey keys[4];
    memset(keys, 0, sizeof keys);
    for (uint32_t i = 0; i < 4; i++)
        keys[i].bytes[0] = (uint8_t)(i + 1);
    const uint64_t stakes[4] = {1, 1, 1, 1};
    proto_valset *vs = proto_valset_new(&sp, 4, keys, stakes);
    proto_staking_write_powers(w.s, vs, 3);
    const uint64_t want[4] = {1000, 600, 0, 0};
    for (uint32_t i = 0; i < 4; i++) {
        ck_assert_uint_eq(proto_valset_power_at(vs, i, 2), 1);
        ck_assert_uint_eq(proto_valset_power_at(vs, i, 3), want[i]);
    }
    proto_valset_set_power(vs, 2, 5, 4);
    ck_assert_uint_eq(proto_valset_power_at(vs, 2, 3), 0);
    ck_assert_uint_eq(proto_valset_power_at(vs, 2, 4), 5);
    proto_valset_free(vs);
    stk_clear(&w);
}
END_TEST

static Suite *staking_module_suite(void)
{
    Suite *s = suite_create("staking_module");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_genesis_set);
    tcase_add_test(tc, test_delegate);
    tcase_add_test(tc, test_delegate_refusals);
    tcase_add_test(tc, test_undelegate_and_maturity);
    tcase_add_test(tc, test_undelegate_refusals);
    tcase_add_test(tc, test_cancel_unbonding);
    tcase_add_test(tc, test_redelegate);
    tcase_add_test(tc, test_redelegate_max_entries);
    tcase_add_test(tc, test_create_validator_and_rotation);
    tcase_add_test(tc, test_edit_commission);
    tcase_add_test(tc, test_undo_block);
    tcase_add_test(tc, test_copy_and_fast_root);
    tcase_add_test(tc, test_write_powers);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(staking_module_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
