/* Unit tests for proposer selection per height (protocol/chain/proposer.c
 * and the priorities the bonded set keeps, valset.c), what PoA and PBFT
 * ask. CometBFT's ValidatorSet itself is tested against its vectors in
 * test_rotation.c; here:
 *   - TestProposerSelection1 (foo 1000, bar 300, baz 330; types/
 *     validator_set_test.go) through the chain's own path: a genesis state
 *     with the bonded set, the validator module's end-block hook run once
 *     per height, and the proposer of height h read from the state after
 *     block h - 1. Height 1 is "foo", CometBFT's first.
 *   - state/state_test.go's TestProposerPriorityDoesNotGetResetToZero and
 *     TestProposerPriorityProposerAlternates through the per-height update
 *     (proto_prio_set_next), priorities checked number for number.
 *   - rounds: round r of height h is r more increments on a copy; with an
 *     unchanged set that is CometBFT's sequence at position h - 1 + r.
 *   - a jail and an unjail of the bonded set flow into the priorities the
 *     way UpdateWithChangeSet says (removal, then re-entry at -(P + P/8)),
 *     compared with CometBFT's set run beside it.
 *   - stakes of any size: no period, no cache, bounded rounds.
 *   - round-robin. */
#include <check.h>
#include <string.h>

#include "protocol/chain/proposer.h"
#include "protocol/chain/state.h"
#include "protocol/chain/valset.h"
#include "protocol/modules/validator/validator.h"

static proto_cmt_validator at_index(uint32_t i, int64_t power)
{
    uint8_t a[4] = {(uint8_t)(i >> 24), (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i};
    return proto_validator_make(a, 4, power);
}

static uint32_t index_of(const proto_cmt_validator *p)
{
    return (uint32_t)p->address[0] << 24 | (uint32_t)p->address[1] << 16 |
           (uint32_t)p->address[2] << 8 | p->address[3];
}

/* CometBFT's own sequence for a fixed set: NewValidatorSet, then
 * GetProposer / IncrementProposerPriority(1), `count` times. */
static uint32_t *cmt_sequence(const uint64_t *stakes, uint32_t n, uint32_t count)
{
    proto_cmt_validator *vals = g_new(proto_cmt_validator, n);
    for (uint32_t i = 0; i < n; i++)
        vals[i] = at_index(i, (int64_t)stakes[i]);
    proto_cmt_valset set;
    ck_assert_int_eq(proto_cmt_valset_init_new(&set, vals, n), PROTO_CMT_VALSET_OK);
    uint32_t *seq = g_new(uint32_t, count);
    for (uint32_t k = 0; k < count; k++) {
        seq[k] = index_of(proto_cmt_valset_get_proposer(&set));
        ck_assert_int_eq(proto_cmt_valset_increment_proposer_priority(&set, 1),
                         PROTO_CMT_VALSET_OK);
    }
    proto_cmt_valset_clear(&set);
    g_free(vals);
    return seq;
}

static proto_valset *bonded_set(uint32_t n, const uint64_t *stakes,
                                const proto_slashing_params *params)
{
    proto_pubkey keys[16];
    ck_assert_uint_le(n, 16);
    for (uint32_t i = 0; i < n; i++)
        memset(keys[i].bytes, (int)(i + 1), sizeof keys[i].bytes);
    return proto_valset_new(params, n, keys, stakes);
}

/* The end of block `height`, as block execution runs it. */
static void end_block(proto_state *s, uint64_t height)
{
    proto_gas_meter gas;
    proto_gas_meter_init(&gas, UINT64_MAX);
    proto_msg_ctx ctx = {.gas = &gas, .height = height, .sender = PROTO_ACCOUNT_NONE};
    ck_assert(proto_state_end_block(s, &ctx));
}

START_TEST(test_proposer_selection1_per_height)
{
    /* Addresses ordered as CometBFT orders "bar" < "baz" < "foo". */
    static const char *names[3] = {"bar", "baz", "foo"};
    uint64_t stakes[3] = {300, 330, 1000};
    const char *want =
        "foo baz foo bar foo foo baz foo bar foo foo baz foo foo bar foo baz foo foo bar"
        " foo foo baz foo bar foo foo baz foo bar foo foo baz foo foo bar foo baz foo foo bar"
        " foo baz foo foo bar foo baz foo foo bar foo baz foo foo foo baz bar foo foo foo baz"
        " foo bar foo foo baz foo bar foo foo baz foo bar foo foo baz foo bar foo foo baz foo"
        " foo bar foo baz foo foo bar foo baz foo foo bar foo baz foo foo";
    gchar **expected = g_strsplit(want, " ", -1);
    ck_assert_uint_eq(g_strv_length(expected), 99);
    proto_slashing_params params = proto_slashing_defaults();
    proto_state *s = proto_state_new();
    proto_validator_genesis(s, bonded_set(3, stakes, &params));
    for (uint64_t h = 1; h <= 99; h++) {
        /* The state after block h - 1 names the proposer of h. */
        uint32_t p = proto_valset_proposer(proto_validator_set(s), PROTO_ROTATION_STAKE_WEIGHTED,
                                           h, 0);
        ck_assert_uint_lt(p, 3);
        ck_assert_msg(strcmp(names[p], expected[h - 1]) == 0, "height %" G_GUINT64_FORMAT
                      ": %s, CometBFT says %s", h, names[p], expected[h - 1]);
        end_block(s, h);
        ck_assert_uint_eq(proto_valset_priorities_first(proto_validator_set(s)), h);
    }
    g_strfreev(expected);
    proto_state_free(s);
}
END_TEST

/* Checks one validator's priority in a set. */
static void prio_is(const proto_prio_set *s, uint32_t i, int64_t want)
{
    ck_assert_int_eq(s->priorities[i], want);
}

/* Height after `s` with powers p0, p1, replacing s. */
static void next_height(proto_prio_set *s, uint64_t p0, uint64_t p1)
{
    uint64_t powers[2] = {p0, p1};
    proto_prio_set next;
    proto_prio_set_next(s, powers, &next);
    proto_prio_set_clear(s);
    *s = next;
}

START_TEST(test_state_priority_does_not_get_reset_to_zero)
{
    uint64_t genesis[2] = {10, 0}; /* v1 alone; v2 not bonded yet */
    proto_prio_set s;
    proto_prio_set_init(&s, 2, genesis);
    next_height(&s, 10, 0);
    prio_is(&s, 0, 0);
    ck_assert_uint_eq(s.proposer, 0);
    /* v2 joins with 100: -(110 + 13) = -123, centered by floor(-123/2) =
     * -62 to v1 62, v2 -61; the increment makes v1 72 - 110 = -38. */
    next_height(&s, 10, 100);
    prio_is(&s, 0, -38);
    prio_is(&s, 1, 39);
    ck_assert_uint_eq(s.proposer, 0);
    /* v2 -> 1: spread 77 > 2 * 11, divided by 4: -9, 9; then v1 1, v2 -1. */
    next_height(&s, 10, 1);
    prio_is(&s, 0, 1);
    prio_is(&s, 1, -1);
    ck_assert_uint_eq(s.proposer, 1);
    ck_assert_uint_eq(s.height, 3);
    proto_prio_set_clear(&s);
}
END_TEST

START_TEST(test_state_proposer_alternates)
{
    uint64_t genesis[2] = {10, 0};
    proto_prio_set s;
    proto_prio_set_init(&s, 2, genesis);
    next_height(&s, 10, 0);
    prio_is(&s, 0, 0);
    /* v2 joins with 10: -22, centered by -11; v1 11 + 10 - 20 = 1. */
    next_height(&s, 10, 10);
    ck_assert_uint_eq(s.proposer, 0);
    prio_is(&s, 0, 1);
    prio_is(&s, 1, -1);
    next_height(&s, 10, 10); /* v1 again: it was ahead */
    ck_assert_uint_eq(s.proposer, 0);
    prio_is(&s, 0, -9);
    prio_is(&s, 1, 9);
    for (int i = 0; i < 1000; i++) {
        next_height(&s, 10, 10);
        bool v2_turn = i % 2 == 0;
        ck_assert_msg(s.proposer == (v2_turn ? 1u : 0u), "height %d", i);
        prio_is(&s, 0, v2_turn ? 1 : -9);
        prio_is(&s, 1, v2_turn ? -1 : 9);
    }
    proto_prio_set_clear(&s);
}
END_TEST

/* With nothing changing, height h round r is CometBFT's position h-1+r,
 * the heights' proposers are CometBFT's sequence, and every window of P
 * heights gives each validator exactly its stake. */
START_TEST(test_heights_and_rounds_follow_the_sequence)
{
    GRand *rng = g_rand_new_with_seed(7);
    for (int t = 0; t < 60; t++) {
        uint32_t n = (uint32_t)g_rand_int_range(rng, 1, 8);
        uint64_t stakes[8], total = 0;
        for (uint32_t i = 0; i < n; i++) {
            stakes[i] = (uint64_t)g_rand_int_range(rng, 1, 40) * (t % 3 == 0 ? 10 : 1);
            total += stakes[i];
        }
        uint32_t len = (uint32_t)(2 * total) + 8;
        uint32_t *seq = cmt_sequence(stakes, n, len + 8);
        proto_prio_set s;
        proto_prio_set_init(&s, n, stakes);
        uint64_t counts[8] = {0};
        for (uint32_t h = 1; h <= len; h++) {
            proto_prio_set next;
            proto_prio_set_next(&s, stakes, &next);
            proto_prio_set_clear(&s);
            s = next;
            ck_assert_msg(s.proposer == seq[h - 1], "set %d height %u", t, h);
            if (h % 7 == 0) {
                for (uint64_t r = 0; r < 6; r++)
                    ck_assert_uint_eq(proto_prio_set_round(&s, r), seq[h - 1 + r]);
            }
            if (h <= total)
                counts[s.proposer]++;
        }
        for (uint32_t i = 0; i < n; i++)
            ck_assert_uint_eq(counts[i], stakes[i]);
        proto_prio_set_clear(&s);
        g_free(seq);
    }
    g_rand_free(rng);
}
END_TEST

/* CometBFT's set run beside the bonded set: a downtime jail removes v0
 * (power 0 two heights after the block that jails it), its unjail brings
 * it back as a new validator, and every height's priorities agree. */
START_TEST(test_jail_and_unjail_flow_into_priorities)
{
    proto_slashing_params params = proto_slashing_defaults();
    params.downtime.window = 4;
    params.downtime.jail_duration_ns = 1000;
    uint64_t stakes[3] = {100, 200, 300};
    proto_valset *v = bonded_set(3, stakes, &params);
    proto_cmt_validator vals[3] = {at_index(0, 100), at_index(1, 200), at_index(2, 300)};
    proto_cmt_valset cmt;
    ck_assert_int_eq(proto_cmt_valset_init_new(&cmt, vals, 3), PROTO_CMT_VALSET_OK);
    /* cmt holds height 1; advance it to `h` as updateState would, with
     * v0's power at h. */
    uint64_t cmt_height = 1;
    uint64_t jailed_at = 0, unjailed_at = 0;
    uint32_t proposer_at[43] = {0};
    for (uint64_t h = 1; h <= 40; h++) {
        /* Block h: v0 misses the commit of h - 1 until it is jailed. */
        if (h >= 2 && jailed_at == 0) {
            bool mask[3] = {false, true, true};
            GArray *jailed = g_array_new(FALSE, FALSE, sizeof(uint32_t));
            proto_valset_record_commit(v, h - 1, h, 500, mask, jailed, NULL);
            if (jailed->len > 0)
                jailed_at = h;
            g_array_unref(jailed);
        }
        if (h == 20) {
            ck_assert_int_eq(proto_valset_check_unjail(v, 0, 0, 2000), PROTO_VALSET_OK);
            proto_valset_apply_unjail(v, 0, h);
            unjailed_at = h;
        }
        proto_valset_advance(v, h);
        /* CometBFT up to h + 2 (what block h fixes). */
        while (cmt_height < h + 2) {
            cmt_height++;
            uint64_t p0 = proto_valset_power_at(v, 0, cmt_height);
            const proto_cmt_validator *in = proto_cmt_valset_get_by_address(&cmt, vals[0].address, 4);
            if ((in == NULL) != (p0 == 0)) {
                proto_cmt_validator change = at_index(0, (int64_t)p0);
                ck_assert_int_eq(proto_cmt_valset_update(&cmt, &change, 1), PROTO_CMT_VALSET_OK);
            }
            ck_assert_int_eq(proto_cmt_valset_increment_proposer_priority(&cmt, 1),
                             PROTO_CMT_VALSET_OK);
        }
        proto_prio_set s;
        ck_assert(proto_valset_priorities_at(v, h + 2, &s));
        ck_assert_uint_eq(s.proposer, index_of(proto_cmt_valset_get_proposer(&cmt)));
        proposer_at[h + 2] = s.proposer;
        for (uint32_t i = 0; i < 3; i++) {
            const proto_cmt_validator *c = proto_cmt_valset_get_by_address(&cmt, vals[i].address, 4);
            ck_assert_int_eq(s.priorities[i], c != NULL ? c->proposer_priority : 0);
            ck_assert_uint_eq(s.powers[i], c != NULL ? (uint64_t)c->voting_power : 0);
        }
        proto_prio_set_clear(&s);
    }
    ck_assert_uint_gt(jailed_at, 0);
    ck_assert_uint_eq(unjailed_at, 20);
    /* While jailed v0 never proposes, and it comes back after the unjail. */
    bool before = false, back = false;
    for (uint64_t h = 3; h < jailed_at + 2; h++)
        before |= proposer_at[h] == 0;
    for (uint64_t h = jailed_at + 2; h < unjailed_at + 2; h++)
        ck_assert_uint_ne(proposer_at[h], 0);
    for (uint64_t h = unjailed_at + 2; h <= 42; h++)
        back |= proposer_at[h] == 0;
    ck_assert(back);
    ck_assert_uint_eq(proto_valset_proposer(v, PROTO_ROTATION_STAKE_WEIGHTED, 42, 0),
                      proposer_at[42]);
    (void)before;
    /* Old heights are gone; a little ahead is computed. */
    proto_prio_set s;
    ck_assert(!proto_valset_priorities_at(v, 39, &s));
    ck_assert(proto_valset_priorities_at(v, 60, &s));
    ck_assert_uint_eq(s.height, 60);
    proto_prio_set_clear(&s);
    proto_cmt_valset_clear(&cmt);
    proto_valset_free(v);
}
END_TEST

/* Stakes of any size: two huge co-prime stakes (a period of two billion
 * heights) cost the same per height as small ones, far heights and many
 * rounds included; rounds are bounded. */
START_TEST(test_any_stake_any_length)
{
    uint64_t stakes[2] = {1000000007, 1000000009};
    uint32_t *seq = cmt_sequence(stakes, 2, 1100);
    proto_prio_set s;
    proto_prio_set_init(&s, 2, stakes);
    for (uint32_t h = 1; h <= 1000; h++) {
        proto_prio_set next;
        proto_prio_set_next(&s, stakes, &next);
        proto_prio_set_clear(&s);
        s = next;
        ck_assert_uint_eq(s.proposer, seq[h - 1]);
    }
    ck_assert_uint_eq(proto_prio_set_round(&s, 99), seq[999 + 99]);
    ck_assert_uint_lt(proto_prio_set_round(&s, PROTO_PROPOSER_ROUNDS_MAX), 2);
    ck_assert_uint_eq(proto_prio_set_round(&s, PROTO_PROPOSER_ROUNDS_MAX + 1),
                      PROTO_PROPOSER_NONE);
    proto_prio_set_clear(&s);
    g_free(seq);
    /* The maximum total is allowed, more is not. */
    uint64_t at_max[2] = {(uint64_t)PROTO_MAX_TOTAL_VOTING_POWER / 2,
                          (uint64_t)PROTO_MAX_TOTAL_VOTING_POWER -
                              (uint64_t)PROTO_MAX_TOTAL_VOTING_POWER / 2};
    ck_assert_int_eq(proto_prio_check(at_max, 2), PROTO_CMT_VALSET_OK);
    uint64_t over[2] = {at_max[0], at_max[1] + 1};
    ck_assert_int_eq(proto_prio_check(over, 2), PROTO_CMT_VALSET_POWER_TOO_HIGH);
    uint64_t huge[1] = {UINT64_MAX};
    ck_assert_int_eq(proto_prio_check(huge, 1), PROTO_CMT_VALSET_POWER_TOO_HIGH);
    seq = cmt_sequence(at_max, 2, 50);
    proto_prio_set_init(&s, 2, at_max);
    for (uint32_t h = 1; h <= 50; h++) {
        proto_prio_set next;
        proto_prio_set_next(&s, at_max, &next);
        proto_prio_set_clear(&s);
        s = next;
        ck_assert_uint_eq(s.proposer, seq[h - 1]);
    }
    proto_prio_set_clear(&s);
    g_free(seq);
}
END_TEST

/* Nobody with power: no proposer; powers coming back start afresh. */
START_TEST(test_empty_set)
{
    uint64_t stakes[2] = {5, 7}, none[2] = {0, 0};
    proto_prio_set s;
    proto_prio_set_init(&s, 2, stakes);
    next_height(&s, 5, 7);
    ck_assert_uint_eq(s.proposer, 1);
    next_height(&s, none[0], none[1]);
    ck_assert_uint_eq(s.proposer, PROTO_PROPOSER_NONE);
    ck_assert_uint_eq(proto_prio_set_round(&s, 3), PROTO_PROPOSER_NONE);
    prio_is(&s, 0, 0);
    prio_is(&s, 1, 0);
    next_height(&s, 5, 7); /* as NewValidatorSet again */
    ck_assert_uint_eq(s.proposer, 1);
    proto_prio_set_clear(&s);
}
END_TEST

START_TEST(test_round_robin)
{
    uint64_t powers[5] = {1, 1000, 1, 1, 1};
    for (uint64_t h = 1; h <= 20; h++)
        for (uint64_t r = 0; r < 7; r++)
            ck_assert_uint_eq(proto_proposer_round_robin(h, r, powers, 5), (h - 1 + r) % 5);
    ck_assert_uint_eq(proto_proposer_round_robin(UINT64_MAX, UINT64_MAX, NULL, 7),
                      ((UINT64_MAX - 1) % 7 + UINT64_MAX % 7) % 7);
    /* Validators without power are passed over. */
    uint64_t jailed[5] = {1, 0, 0, 1, 1};
    ck_assert_uint_eq(proto_proposer_round_robin(2, 0, jailed, 5), 3);
    ck_assert_uint_eq(proto_proposer_round_robin(1, 1, jailed, 5), 3);
    ck_assert_uint_eq(proto_proposer_round_robin(5, 0, jailed, 5), 4);
    uint64_t none[3] = {0, 0, 0};
    ck_assert_uint_eq(proto_proposer_round_robin(1, 0, none, 3), PROTO_PROPOSER_NONE);
    /* Through a set: the set's height and powers. */
    uint64_t stakes[3] = {1, 2, 3};
    proto_prio_set s;
    proto_prio_set_init(&s, 3, stakes);
    ck_assert_uint_eq(proto_proposer_pick(PROTO_ROTATION_ROUND_ROBIN, &s, 0), PROTO_PROPOSER_NONE);
    proto_prio_set h1;
    proto_prio_set_next(&s, stakes, &h1);
    ck_assert_uint_eq(proto_proposer_pick(PROTO_ROTATION_ROUND_ROBIN, &h1, 0), 0);
    ck_assert_uint_eq(proto_proposer_pick(PROTO_ROTATION_ROUND_ROBIN, &h1, 2), 2);
    ck_assert_uint_eq(proto_proposer_pick(PROTO_ROTATION_STAKE_WEIGHTED, &h1, 0), h1.proposer);
    ck_assert_uint_eq(h1.proposer, 2);
    proto_prio_set_clear(&h1);
    proto_prio_set_clear(&s);
}
END_TEST

static Suite *proposer_suite(void)
{
    Suite *s = suite_create("proposer");
    TCase *tc = tcase_create("per-height");
    tcase_add_test(tc, test_proposer_selection1_per_height);
    tcase_add_test(tc, test_state_priority_does_not_get_reset_to_zero);
    tcase_add_test(tc, test_state_proposer_alternates);
    tcase_add_test(tc, test_heights_and_rounds_follow_the_sequence);
    tcase_add_test(tc, test_jail_and_unjail_flow_into_priorities);
    tcase_add_test(tc, test_any_stake_any_length);
    tcase_add_test(tc, test_empty_set);
    tcase_add_test(tc, test_round_robin);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(proposer_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
