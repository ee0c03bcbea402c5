/* Randomized sequences for the distribution module (derived tests, no
 * Cosmos vector): delegate, undelegate, redelegate, slash, withdraw,
 * commission withdrawal and commission changes, with fees and votes each
 * block, on a fake chain (support/dist_world.h) with realistic base units
 * (stakes of 10^9). Checked at every step:
 *
 *   - a from-scratch model of what each delegation is owed: its stake
 *     (taken when the delegation starts, as TokensFromSharesTruncated,
 *     and cut by each slash's effective fraction) times what each block
 *     gave the validator's delegators per token (outstanding growth minus
 *     commission growth, over the validator's tokens), summed block by
 *     block rather than F1's period by period. Before every withdrawal
 *     (explicit, or forced by a delegation change) the module's pending
 *     rewards equal the model's to 10^-18 per block or change since the
 *     delegation started, times (stake + rewards + 2): the truncations of
 *     F1 (the ratio per period, each product) and of the model, nothing
 *     more; and the delegator's balance grows by exactly their whole part;
 *   - the module invariants (non-negative outstanding, can-withdraw, the
 *     reference counts, the module account) and the total supply;
 *   - refusals leave the root as it was; every operation and every block
 *     end, done once under an undo log and reverted, restores the root.
 *
 * At the end every delegator withdraws everything and every operator its
 * commission: what stays outstanding is dust (below one coin besides the
 * commission's fraction, itself below one coin).
 *
 * Slashes here are for an infraction at the current height, which
 * Cosmos's Slash applies to the validator alone (no unbonding or
 * redelegation entry pays, so no delegation changes under it). */
#include <check.h>
#include <string.h>

#include "protocol/chain/tx_envelope.h"
#include "support/dist_world.h"

#define VALS 3
#define DELEGATORS 5
#define ACCOUNTS (VALS + DELEGATORS + 1)
#define PAYER (ACCOUNTS - 1)
#define UNIT 1000000ULL /* base units a coin, Cosmos's */

typedef struct rnd_model {
    uint64_t rng;
    proto_dec accrued[ACCOUNTS][VALS]; /* owed by the model since the pair's start */
    proto_dec stake[ACCOUNTS][VALS];   /* the pair's stake as the model keeps it */
    uint64_t events[ACCOUNTS][VALS];   /* allocations and changes since then */
    uint64_t paid_total;               /* whole coins the model saw paid */
    uint64_t ops_ok, refusals;
} rnd_model;

static uint64_t rnd_next(rnd_model *m)
{
    m->rng ^= m->rng << 13;
    m->rng ^= m->rng >> 7;
    m->rng ^= m->rng << 17;
    return m->rng;
}

static uint64_t rnd_below(rnd_model *m, uint64_t n)
{
    return rnd_next(m) % n;
}

static const proto_staking_validator *val(staking_world *w, uint32_t v)
{
    return proto_staking_validator_get(stk_st(w), v);
}

static bool has_delegation(staking_world *w, uint32_t d, uint32_t v)
{
    return !proto_dec_is_zero(proto_staking_delegation_shares(stk_st(w), d, v));
}

/* The stake a delegation starts with (initializeDelegation): its shares'
 * worth at the rate of `rate` (the validator as the hook saw it),
 * truncated; zero when it is gone. */
static void restart(staking_world *w, rnd_model *m, uint32_t d, uint32_t v,
                    const proto_shares_validator *rate)
{
    proto_dec shares = proto_staking_delegation_shares(stk_st(w), d, v);
    m->accrued[d][v] = proto_dec_zero();
    m->events[d][v] = 0;
    m->stake[d][v] = proto_dec_zero();
    if (!proto_dec_is_zero(shares))
        ck_assert_int_eq(proto_shares_tokens_from_shares_truncated(rate, shares, &m->stake[d][v]),
                         PROTO_SHARES_OK);
}

/* Every pair of validator v saw one more event (a period may end). */
static void touch_validator(rnd_model *m, uint32_t v)
{
    for (uint32_t d = 0; d < ACCOUNTS; d++)
        m->events[d][v]++;
}

/* The module's pending rewards against the model's, within the bound. */
static void compare_pair(staking_world *w, rnd_model *m, uint32_t d, uint32_t v,
                         proto_dec *pending)
{
    *pending = dw_pending(w, d, v);
    proto_dec diff, tol, scale;
    ck_assert_int_eq(proto_dec_sub(*pending, m->accrued[d][v], &diff), PROTO_DEC_OK);
    ck_assert_int_eq(proto_dec_add(m->stake[d][v], m->accrued[d][v], &scale), PROTO_DEC_OK);
    ck_assert_int_eq(proto_dec_add(scale, proto_dec_from_int64(2), &scale), PROTO_DEC_OK);
    ck_assert_int_eq(proto_dec_mul_int(proto_dec_smallest(),
                                       (proto_amount)(m->events[d][v] + 2), &tol),
                     PROTO_DEC_OK);
    ck_assert_int_eq(proto_dec_mul(tol, scale, &tol), PROTO_DEC_OK);
    char a[PROTO_DEC_STRING_SIZE], b[PROTO_DEC_STRING_SIZE];
    ck_assert_msg(!proto_dec_gt(proto_dec_abs(diff), tol),
                  "pair (%u, %u): module %s, model %s", d, v, proto_dec_to_string(*pending, a),
                  proto_dec_to_string(m->accrued[d][v], b));
}

/* Pairs an operation withdraws before it changes them. */
typedef struct rnd_pairs {
    uint32_t d[2], v[2], n;
} rnd_pairs;

static void pairs_add(staking_world *w, rnd_pairs *p, uint32_t d, uint32_t v)
{
    if (has_delegation(w, d, v)) {
        p->d[p->n] = d;
        p->v[p->n] = v;
        p->n++;
    }
}

/* The whole coins the pairs' withdrawal pays (compared first). */
static uint64_t expected_pay(staking_world *w, rnd_model *m, const rnd_pairs *p)
{
    uint64_t pay = 0;
    for (uint32_t k = 0; k < p->n; k++) {
        proto_dec pending;
        compare_pair(w, m, p->d[k], p->v[k], &pending);
        proto_amount whole;
        ck_assert_int_eq(proto_dec_truncate_int(pending, &whole), PROTO_DEC_OK);
        pay += (uint64_t)whole;
    }
    return pay;
}

/* Deliver m from sender: once under undo and reverted (the root must
 * come back), then for real. Refusals leave the root unchanged. */
static uint32_t deliver(staking_world *w, rnd_model *rm, uint32_t sender, const proto_txmsg *m)
{
    proto_hash before, after;
    stk_root(w, &before);
    proto_undo undo;
    proto_undo_init(&undo);
    uint32_t code = dw_send(w, sender, m, &undo);
    proto_state_revert(w->s, &undo);
    proto_undo_clear(&undo);
    stk_root(w, &after);
    ck_assert_mem_eq(before.bytes, after.bytes, PROTO_HASH_SIZE);
    if (code != 0) {
        rm->refusals++;
        return code;
    }
    ck_assert_uint_eq(dw_send(w, sender, m, NULL), 0);
    rm->ops_ok++;
    return 0;
}

/* One delegation operation by a random delegator, with the model's
 * checks around it. */
static void random_delegation_op(staking_world *w, rnd_model *m)
{
    uint32_t d = VALS + (uint32_t)rnd_below(m, DELEGATORS), v = (uint32_t)rnd_below(m, VALS);
    uint32_t dst = (v + 1 + (uint32_t)rnd_below(m, VALS - 1)) % VALS;
    proto_txmsg msg;
    rnd_pairs p = {.n = 0};
    int64_t own = 0; /* what the message itself does to d's balance */
    switch (rnd_below(m, 4)) {
    case 0:
        msg = stk_delegate(v, 1 + rnd_below(m, 500 * UNIT));
        own = -(int64_t)msg.delegate.amount;
        break;
    case 1:
        msg = stk_undelegate(v, 1 + rnd_below(m, (uint64_t)stk_worth(w, d, v) + 1));
        break;
    case 2:
        msg = stk_redelegate(v, dst, 1 + rnd_below(m, (uint64_t)stk_worth(w, d, v) + 1));
        pairs_add(w, &p, d, dst);
        break;
    default:
        msg = dw_withdraw(v);
        break;
    }
    pairs_add(w, &p, d, v);
    uint64_t pay = expected_pay(w, m, &p), before = stk_balance(w, d);
    proto_shares_validator src_before = val(w, v)->shares;
    if (deliver(w, m, d, &msg) != 0)
        return;
    ck_assert_int_eq((int64_t)stk_balance(w, d) - (int64_t)before, own + (int64_t)pay);
    m->paid_total += pay;
    touch_validator(m, v);
    touch_validator(m, dst);
    /* An unbond restarts the delegation before the validator loses the
     * tokens (Keeper.Unbond's hook order); a delegation after it gains
     * them. */
    bool unbond = msg.type == PROTO_TXMSG_UNDELEGATE || msg.type == PROTO_TXMSG_REDELEGATE;
    restart(w, m, d, v, unbond ? &src_before : &val(w, v)->shares);
    if (msg.type == PROTO_TXMSG_REDELEGATE)
        restart(w, m, d, dst, &val(w, dst)->shares);
}

/* A slash cuts every stake of v by the effective fraction (burned over
 * the tokens before, rounded up), truncated. */
static void slash_stakes(rnd_model *m, uint32_t v, proto_amount tokens_before,
                         proto_amount burned)
{
    if (burned == 0)
        return;
    proto_dec fraction, kept;
    ck_assert_int_eq(proto_dec_quo_round_up(proto_dec_from_amount(burned),
                                            proto_dec_from_amount(tokens_before), &fraction),
                     PROTO_DEC_OK);
    fraction = proto_dec_min(fraction, proto_dec_one());
    ck_assert_int_eq(proto_dec_sub(proto_dec_one(), fraction, &kept), PROTO_DEC_OK);
    for (uint32_t d = 0; d < ACCOUNTS; d++)
        ck_assert_int_eq(proto_dec_mul_truncate(m->stake[d][v], kept, &m->stake[d][v]),
                         PROTO_DEC_OK);
}

/* An operator's commission withdrawal or change, a slash, or a refused
 * withdrawal. */
static void random_validator_op(staking_world *w, rnd_model *m)
{
    uint32_t v = (uint32_t)rnd_below(m, VALS);
    switch (rnd_below(m, 4)) {
    case 0: {
        proto_txmsg msg = dw_withdraw_commission(v);
        deliver(w, m, v, &msg);
        break;
    }
    case 1: {
        proto_txmsg msg = stk_edit(v, rnd_below(m, 51) * (PROTO_TXMSG_RATE_ONE / 100));
        deliver(w, m, v, &msg);
        break;
    }
    case 2: {
        proto_gas_meter gas;
        proto_msg_ctx ctx = stk_ctx(w, &gas, PROTO_ACCOUNT_NONE, NULL);
        char text[32];
        g_snprintf(text, sizeof text, "0.%02u", (unsigned)(1 + rnd_below(m, 30)));
        proto_amount tokens = val(w, v)->shares.tokens, burned = 0;
        proto_staking_result r = proto_staking_slash(w->s, &ctx, v, w->height, (uint64_t)tokens,
                                                     dw_dec(text), &burned);
        ck_assert(r == PROTO_STAKING_OK || r == PROTO_STAKING_UNBONDED_VALIDATOR);
        slash_stakes(m, v, tokens, burned);
        touch_validator(m, v);
        break;
    }
    default: {
        uint32_t d = VALS + (uint32_t)rnd_below(m, DELEGATORS);
        proto_txmsg msg = dw_withdraw(v);
        if (!has_delegation(w, d, v))
            dw_refused(w, d, &msg, PROTO_DISTRIBUTION_NO_DELEGATION);
        msg = dw_withdraw_commission(v);
        dw_refused(w, d, &msg, PROTO_DISTRIBUTION_NOT_OPERATOR);
        break;
    }
    }
}

/* Fees and votes (every validator's active-set power, a random
 * proposer), the block end once under undo (reverted, root back) and
 * once for real; then the model credits each delegation its share of
 * what each validator's delegators got. */
static void block_end(staking_world *w, rnd_model *m)
{
    uint64_t powers[VALS];
    for (uint32_t v = 0; v < VALS; v++)
        powers[v] = val(w, v)->power;
    uint64_t fees = rnd_below(m, 10 * UNIT);
    uint32_t proposer = (uint32_t)rnd_below(m, VALS + 1); /* VALS: unknown */
    proto_hash before, after;
    stk_root(w, &before);
    proto_undo undo;
    proto_undo_init(&undo);
    dw_fees(w, PAYER, fees, &undo);
    dw_votes(w, proposer, powers, VALS, &undo);
    stk_end_block(w, &undo);
    proto_state_revert(w->s, &undo);
    proto_undo_clear(&undo);
    stk_root(w, &after);
    ck_assert_mem_eq(before.bytes, after.bytes, PROTO_HASH_SIZE);

    proto_dec out0[VALS], com0[VALS];
    for (uint32_t v = 0; v < VALS; v++) {
        out0[v] = proto_distribution_outstanding(w->s, v);
        com0[v] = proto_distribution_commission(w->s, v);
    }
    dw_fees(w, PAYER, fees, NULL);
    dw_votes(w, proposer, powers, VALS, NULL);
    stk_end_block(w, NULL);
    const proto_staking_state *st = stk_st(w);
    for (uint32_t v = 0; v < VALS; v++) {
        proto_dec got, com, shared;
        ck_assert_int_eq(proto_dec_sub(proto_distribution_outstanding(w->s, v), out0[v], &got),
                         PROTO_DEC_OK);
        ck_assert_int_eq(proto_dec_sub(proto_distribution_commission(w->s, v), com0[v], &com),
                         PROTO_DEC_OK);
        ck_assert_int_eq(proto_dec_sub(got, com, &shared), PROTO_DEC_OK);
        proto_dec tokens = proto_dec_from_amount(val(w, v)->shares.tokens);
        for (uint32_t d = 0; d < ACCOUNTS && proto_dec_is_positive(tokens); d++) {
            proto_dec part;
            if (proto_dec_is_zero(proto_staking_delegation_shares(st, d, v)))
                continue;
            ck_assert_int_eq(proto_dec_mul(shared, m->stake[d][v], &part), PROTO_DEC_OK);
            ck_assert_int_eq(proto_dec_quo_truncate(part, tokens, &part), PROTO_DEC_OK);
            ck_assert_int_eq(proto_dec_add(m->accrued[d][v], part, &m->accrued[d][v]),
                             PROTO_DEC_OK);
        }
        touch_validator(m, v);
    }
}

/* Everyone withdraws everything; what is left outstanding is dust. */
static void withdraw_everything(staking_world *w, rnd_model *m)
{
    for (uint32_t d = 0; d < ACCOUNTS; d++) {
        for (uint32_t v = 0; v < VALS; v++) {
            if (!has_delegation(w, d, v))
                continue;
            rnd_pairs p = {.d = {d}, .v = {v}, .n = 1};
            uint64_t pay = expected_pay(w, m, &p), before = stk_balance(w, d);
            proto_txmsg msg = dw_withdraw(v);
            ck_assert_uint_eq(dw_send(w, d, &msg, NULL), 0);
            ck_assert_uint_eq(stk_balance(w, d) - before, pay);
            m->paid_total += pay;
        }
    }
    ck_assert_uint_eq(proto_distribution_rewards_claimed(w->s), m->paid_total);
    for (uint32_t v = 0; v < VALS; v++) {
        proto_txmsg msg = dw_withdraw_commission(v);
        if (!proto_dec_is_zero(proto_distribution_commission(w->s, v)))
            ck_assert_uint_eq(dw_send(w, v, &msg, NULL), 0);
        proto_dec left = proto_distribution_outstanding(w->s, v), dust;
        proto_dec com = proto_distribution_commission(w->s, v);
        ck_assert(proto_dec_lt(com, proto_dec_one()));
        ck_assert_int_eq(proto_dec_sub(left, com, &dust), PROTO_DEC_OK);
        ck_assert(!proto_dec_is_negative(dust) && proto_dec_lt(dust, proto_dec_one()));
    }
}

static void run_seed(uint64_t seed, uint32_t blocks, bool proposer_reward)
{
    staking_world w;
    proto_staking_params sp = dw_staking_params();
    sp.unbonding_time_ns = 5000; /* entries mature within a few blocks */
    sp.day_ns = 1;               /* commission may change every block */
    proto_staking_genesis_validator gv[VALS] = {dw_validator(0, 1000 * UNIT, 5),
                                                dw_validator(1, 2000 * UNIT, 10),
                                                dw_validator(2, 1500 * UNIT, 20)};
    proto_staking_genesis_delegation gd[2] = {
        {.delegator = VALS, .validator = 0, .amount = 700 * UNIT},
        {.delegator = VALS + 1, .validator = 2, .amount = 300 * UNIT}};
    proto_f1_params fp =
        proposer_reward ? proto_f1_params_with_proposer_reward() : proto_f1_params_default();
    dw_init(&w, ACCOUNTS, 1000000 * UNIT, &sp, VALS, gv, 2, gd, &fp);
    uint64_t supply = proto_state_total_supply(w.s);
    rnd_model *m = g_new0(rnd_model, 1);
    m->rng = seed * 2654435761u + 1;
    for (uint32_t d = 0; d < ACCOUNTS; d++)
        for (uint32_t v = 0; v < VALS; v++)
            restart(&w, m, d, v, &val(&w, v)->shares);
    for (uint32_t b = 0; b < blocks; b++) {
        uint32_t ops = (uint32_t)rnd_below(m, 4);
        for (uint32_t k = 0; k < ops; k++) {
            if (rnd_below(m, 3) == 0)
                random_validator_op(&w, m);
            else
                random_delegation_op(&w, m);
            dw_check(&w, supply, "after an operation");
        }
        block_end(&w, m);
        dw_check(&w, supply, "after a block");
        stk_next(&w, 1000);
    }
    withdraw_everything(&w, m);
    dw_check(&w, supply, "after withdrawing everything");
    ck_assert_uint_gt(m->ops_ok, blocks / 2);
    ck_assert_uint_gt(m->refusals, 0);
    g_free(m);
    stk_clear(&w);
}

START_TEST(test_random_sequences)
{
    run_seed((uint64_t)_i + 1, 150, _i % 2 == 1);
}
END_TEST

static Suite *distribution_random_suite(void)
{
    Suite *s = suite_create("distribution_random");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_random_sequences, 0, 8);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(distribution_random_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
