/* Unit tests for slashing through the staking module
 * (proto_staking_slash, x/staking/keeper/slash.go Keeper.Slash) on the
 * fake chain of support/staking_world.h: a slash lowers the validator's
 * tokens, so every delegator loses exactly the fraction; unbonding
 * entries created before the infraction are untouched and those created
 * at or after it are slashed (equivocate-then-unbond does not escape); a
 * redelegation is slashed at its source by unbonding shares at its
 * destination; refusals leave the state alone; and a seeded random walk
 * of delegations, undelegations, redelegations, cancels, slashes and
 * block ends conserves the supply (burned counted) with every invariant
 * holding after every step (the seed is in every failure message).
 *
 * The world is test_staking_module.c's: validators 0..2 with self-bonds
 * 1000, 600, 300 (max_validators 2: 2 is unbonded), candidate 3,
 * delegators 4..7, fraction 1/20 unless said. */
#include <check.h>
#include <glib.h>
#include <string.h>

#include "support/staking_check.h"
#include "support/staking_world.h"

#define BALANCE 10000
#define UNBOND_NS 1000000
#define OK 0u

static void world_init(staking_world *w)
{
    proto_staking_params p = proto_staking_defaults();
    p.unbonding_time_ns = UNBOND_NS;
    p.day_ns = 5000000;
    p.max_validators = 2;
    p.min_self_bond = 100;
    const uint64_t pct = 10000000000000000ULL;
    const proto_staking_genesis_validator vals[] = {
        {0, 1000, 10 * pct, 20 * pct, pct},
        {1, 600, 5 * pct, 50 * pct, 5 * pct},
        {2, 300, 5 * pct, 50 * pct, 5 * pct},
        {3, 0, 0, 0, 0},
    };
    stk_init(w, 8, BALANCE, &p, 4, vals, 0, NULL);
}

static uint64_t genesis_supply(void)
{
    return 8 * BALANCE + 1000 + 600 + 300;
}

static const proto_staking_validator *val(const staking_world *w, uint32_t i)
{
    return proto_staking_validator_get(stk_st(w), i);
}

static proto_staking_result slash(staking_world *w, uint32_t i, uint64_t infraction,
                                  uint64_t power, proto_dec fraction, proto_amount *burned)
{
    proto_gas_meter gas;
    proto_msg_ctx ctx = stk_ctx(w, &gas, PROTO_ACCOUNT_NONE, NULL);
    return proto_staking_slash(w->s, &ctx, i, infraction, power, fraction, burned);
}

static void send_ok(staking_world *w, uint32_t sender, proto_txmsg m)
{
    ck_assert_uint_eq(stk_send(w, sender, &m, NULL), OK);
}

START_TEST(test_slash_delegators_lose_fraction)
{
    staking_world w;
    world_init(&w);
    send_ok(&w, 4, stk_delegate(0, 1000));
    proto_amount burned;
    ck_assert_int_eq(slash(&w, 0, 1, 2000, proto_dec_with_prec(5, 2), &burned), PROTO_STAKING_OK);
    ck_amount_eq(burned, 100);
    ck_amount_eq(val(&w, 0)->shares.tokens, 1900);
    ck_amount_eq(stk_worth(&w, 4, 0), 950);
    ck_amount_eq(stk_worth(&w, 0, 0), 950);
    ck_amount_eq(proto_staking_bonded_pool(stk_st(&w)), 2500);
    ck_assert_uint_eq(proto_state_burned(w.s), 100);
    ck_assert_uint_eq(proto_state_total_supply(w.s), genesis_supply());
    stk_invariants(&w, "slash");
    /* Undelegating everything pays the slashed worth. */
    send_ok(&w, 4, stk_undelegate(0, 950));
    ck_amount_eq(proto_staking_unbonding_at(stk_st(&w), 0)->balance, 950);
    stk_clear(&w);
}
END_TEST

/* Entry A (height 2) predates the infraction (height 3): untouched.
 * Entry B (height 4, "equivocate then unbond") pays 1/20 of its initial
 * balance; the validator burns the rest of 1/20 of its power at 3. */
START_TEST(test_slash_unbonding_entries)
{
    staking_world w;
    world_init(&w);
    send_ok(&w, 4, stk_delegate(0, 1000));
    stk_next(&w, 10);
    send_ok(&w, 4, stk_undelegate(0, 200));
    stk_next(&w, 10); /* height 3: the infraction, v0 has 1800 */
    stk_next(&w, 10);
    send_ok(&w, 4, stk_undelegate(0, 400));
    stk_next(&w, 10);
    proto_amount burned;
    ck_assert_int_eq(slash(&w, 0, 3, 1800, proto_dec_with_prec(5, 2), &burned), PROTO_STAKING_OK);
    ck_amount_eq(burned, 90);
    const proto_staking_state *st = stk_st(&w);
    ck_assert_uint_eq(proto_staking_unbondings_count(st), 2);
    const proto_staking_unbonding *a = proto_staking_unbonding_at(st, 0);
    const proto_staking_unbonding *b = proto_staking_unbonding_at(st, 1);
    ck_assert_uint_eq(a->creation_height, 2);
    ck_amount_eq(a->balance, 200);
    ck_assert_uint_eq(b->creation_height, 4);
    ck_amount_eq(b->balance, 380);
    ck_amount_eq(b->initial_balance, 400);
    ck_amount_eq(val(&w, 0)->shares.tokens, 1330);
    ck_amount_eq(stk_worth(&w, 4, 0), 380); /* 400 x 0.95 */
    ck_amount_eq(stk_worth(&w, 0, 0), 950);
    ck_assert_uint_eq(proto_state_total_supply(w.s), genesis_supply());
    stk_invariants(&w, "entries slashed");
    /* At maturity B pays what is left. */
    stk_next(&w, UNBOND_NS);
    stk_end_block(&w, NULL);
    ck_assert_uint_eq(stk_balance(&w, 4), BALANCE - 1000 + 200 + 380);
    stk_clear(&w);
}
END_TEST

/* A redelegation out of 0 made after the infraction: its share of the
 * slash comes out of the delegation at the destination (1). */
START_TEST(test_slash_redelegation_at_source)
{
    staking_world w;
    world_init(&w);
    send_ok(&w, 4, stk_delegate(0, 1000));
    stk_next(&w, 10); /* height 2: the infraction */
    stk_next(&w, 10);
    send_ok(&w, 4, stk_redelegate(0, 1, 500));
    ck_dec_eq(proto_staking_delegation_shares(stk_st(&w), 4, 1), proto_dec_from_int64(500));
    stk_next(&w, 10);
    proto_amount burned;
    ck_assert_int_eq(slash(&w, 0, 2, 2000, proto_dec_with_prec(5, 2), &burned), PROTO_STAKING_OK);
    ck_amount_eq(burned, 100);
    ck_dec_eq(proto_staking_delegation_shares(stk_st(&w), 4, 1), proto_dec_from_int64(475));
    ck_amount_eq(val(&w, 1)->shares.tokens, 1075);
    ck_amount_eq(val(&w, 0)->shares.tokens, 1425);
    ck_amount_eq(proto_staking_bonded_pool(stk_st(&w)), 2500);
    ck_assert_uint_eq(proto_state_total_supply(w.s), genesis_supply());
    stk_invariants(&w, "redelegation slashed");
    /* An infraction after the redelegation does not reach it. */
    stk_next(&w, 10);
    ck_assert_int_eq(slash(&w, 0, 5, 1425, proto_dec_with_prec(5, 2), &burned), PROTO_STAKING_OK);
    ck_dec_eq(proto_staking_delegation_shares(stk_st(&w), 4, 1), proto_dec_from_int64(475));
    stk_clear(&w);
}
END_TEST

START_TEST(test_slash_refusals)
{
    staking_world w;
    world_init(&w);
    proto_hash before, after;
    stk_root(&w, &before);
    proto_amount burned = 7;
    ck_assert_int_eq(slash(&w, 0, 2, 1000, proto_dec_with_prec(5, 2), &burned),
                     PROTO_STAKING_FUTURE_INFRACTION);
    ck_amount_eq(burned, 0);
    ck_assert_int_eq(slash(&w, 0, 1, 1000, proto_dec_with_prec(15, 1), NULL),
                     PROTO_STAKING_BAD_FRACTION);
    ck_assert_int_eq(slash(&w, 0, 1, 1000, proto_dec_neg(proto_dec_one()), NULL),
                     PROTO_STAKING_BAD_FRACTION);
    ck_assert_int_eq(slash(&w, 3, 1, 1000, proto_dec_with_prec(5, 2), NULL),
                     PROTO_STAKING_UNKNOWN_VALIDATOR);
    ck_assert_int_eq(slash(&w, 2, 1, 300, proto_dec_with_prec(5, 2), NULL),
                     PROTO_STAKING_UNBONDED_VALIDATOR);
    stk_root(&w, &after);
    ck_assert_mem_eq(before.bytes, after.bytes, PROTO_HASH_SIZE);
    ck_assert_str_eq(proto_staking_result_name(PROTO_STAKING_TRANSITIVE_REDELEGATION),
                     "transitive_redelegation");
    stk_clear(&w);
}
END_TEST

/* ---- random walk ---- */

typedef struct walk {
    staking_world w;
    uint64_t seed;
    uint64_t rng;
    uint64_t burned; /* what the slashes reported */
} walk;

static uint64_t draw(walk *k, uint64_t n)
{
    return test_rng_next(&k->rng) % n;
}

/* One random message from a random delegator (4..7) or operator (0..3);
 * refusals are fine, but must leave the root as it was. */
static void walk_message(walk *k)
{
    uint32_t sender = (uint32_t)draw(k, 8), v = (uint32_t)draw(k, 4), v2 = (uint32_t)draw(k, 4);
    uint64_t amount = 1 + draw(k, 600);
    proto_txmsg m;
    switch (draw(k, 5)) {
    case 0:
        m = stk_delegate(v, amount);
        break;
    case 1:
        m = stk_undelegate(v, amount);
        break;
    case 2:
        m = stk_redelegate(v, v2, amount);
        break;
    case 3: {
        const proto_staking_state *st = stk_st(&k->w);
        uint32_t n = proto_staking_unbondings_count(st);
        uint64_t h = k->w.height;
        if (n > 0) {
            const proto_staking_unbonding *e = proto_staking_unbonding_at(st, (uint32_t)draw(k, n));
            sender = e->delegator;
            v = e->validator;
            h = e->creation_height;
        }
        m = stk_cancel(v, amount, h);
        break;
    }
    default:
        m = stk_create(3, 100 + amount, 0, 0, 0);
        sender = 3;
        break;
    }
    proto_hash before, after;
    stk_root(&k->w, &before);
    if (stk_send(&k->w, sender, &m, NULL) != OK) {
        stk_root(&k->w, &after);
        ck_assert_msg(memcmp(before.bytes, after.bytes, PROTO_HASH_SIZE) == 0,
                      "seed %" G_GUINT64_FORMAT ": refused %s changed the state", k->seed,
                      proto_txmsg_type_name(m.type));
    }
}

static void walk_slash(walk *k)
{
    uint32_t v = (uint32_t)draw(k, 4);
    uint64_t back = draw(k, 4);
    uint64_t infraction = k->w.height > back ? k->w.height - back : 1;
    const proto_staking_validator *val = proto_staking_validator_get(stk_st(&k->w), v);
    uint64_t power = (uint64_t)val->shares.tokens + draw(k, 200);
    proto_dec fraction = proto_dec_with_prec((int64_t)draw(k, 11), 2);
    proto_amount burned = 0;
    slash(&k->w, v, infraction, power, fraction, &burned);
    k->burned += (uint64_t)burned;
}

START_TEST(test_random_conservation)
{
    walk k;
    memset(&k, 0, sizeof k);
    k.seed = 0x5eed5eedULL + (uint64_t)_i;
    k.rng = k.seed;
    world_init(&k.w);
    for (int step = 0; step < 400; step++) {
        uint64_t what = draw(&k, 10);
        if (what < 7) {
            walk_message(&k);
        } else if (what < 8) {
            walk_slash(&k);
        } else {
            stk_end_block(&k.w, NULL);
            stk_next(&k.w, 1 + (int64_t)draw(&k, UNBOND_NS / 3));
        }
        char where[96];
        g_snprintf(where, sizeof where, "seed %" G_GUINT64_FORMAT " step %d", k.seed, step);
        ck_assert_msg(proto_state_total_supply(k.w.s) == genesis_supply(), "%s: supply moved",
                      where);
        ck_assert_msg(proto_state_burned(k.w.s) == k.burned, "%s: burned %" G_GUINT64_FORMAT
                      " reported %" G_GUINT64_FORMAT, where, proto_state_burned(k.w.s), k.burned);
        stk_invariants(&k.w, where);
    }
    ck_assert_uint_gt(k.w.stats.delivered, 50);
    ck_assert_uint_gt(k.burned, 0);
    stk_clear(&k.w);
}
END_TEST

static Suite *staking_slash_suite(void)
{
    Suite *s = suite_create("staking_slash");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_slash_delegators_lose_fraction);
    tcase_add_test(tc, test_slash_unbonding_entries);
    tcase_add_test(tc, test_slash_redelegation_at_source);
    tcase_add_test(tc, test_slash_refusals);
    tcase_add_loop_test(tc, test_random_conservation, 0, 8);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(staking_slash_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
