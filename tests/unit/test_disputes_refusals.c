/* The disputes module's refusals (disputes.h), each named and counted,
 * each leaving the state as it was (mw_refused checks the root, the undo
 * log and the events): defences by another than the provider, twice, or
 * late; verdicts by one not drawn, twice, or outside tier 1; commits for
 * another round; reveals without a commit, during the commit period,
 * late, or not matching the commit (another vote, another salt, another
 * arbiter's commitment); appeals by the winner, by a stranger, late, of
 * a stale round, of the largest panel (settled at once: no dispute
 * left), or without the fee; a
 * rejection without the bond; values the decoder refuses. */
#include <check.h>
#include <glib.h>
#include <string.h>

#include "support/disputes_world.h"

/* The drawn arbiter with the most seats in round `round`. */
static uint32_t some_arbiter(const market_world *w, uint64_t id, uint32_t round)
{
    uint32_t best = 0, seats = 0;
    for (uint32_t a = 5; a <= 7; a++)
        if (dsw_seats(w, id, round, a) > seats) {
            seats = dsw_seats(w, id, round, a);
            best = a;
        }
    ck_assert_uint_gt(seats, 0);
    return best;
}

/* An arbiter with no seat in round `round` (the verifier if all have). */
static uint32_t undrawn(const market_world *w, uint64_t id, uint32_t round)
{
    for (uint32_t a = 5; a <= 7; a++)
        if (dsw_seats(w, id, round, a) == 0)
            return a;
    return DSW_VERIFIER;
}

/* Tier 1 rules for the provider; the consumer appeals into round 1. */
static uint64_t in_panel(market_world *w, uint32_t seq)
{
    uint64_t id = dsw_defended(w, seq);
    proto_txmsg m = dsw_verdict(id, PROTO_RULING_PROVIDER);
    dsw_ok(w, DSW_VERIFIER, &m);
    dsw_block(w, DSW_MS / 2);
    m = dsw_appeal(id, 0);
    dsw_ok(w, 2, &m);
    return id;
}

START_TEST(test_defence_refusals)
{
    market_world w;
    dsw_init(&w, NULL);
    uint64_t id = dsw_disputed(&w, 1);
    proto_txmsg m = dsw_defend(id);
    mw_refused(&w, 1, &m, PROTO_DISPUTES_NOT_PROVIDER);
    mw_refused(&w, 2, &m, PROTO_DISPUTES_NOT_PROVIDER);
    proto_txmsg unknown = dsw_defend(PROTO_JOB_ID(2, 9));
    mw_refused(&w, 0, &unknown, PROTO_DISPUTES_UNKNOWN_DISPUTE);
    proto_txmsg zero = dsw_defend(PROTO_JOB_ID(2, 0));
    mw_refused(&w, 0, &zero, PROTO_DISPUTES_BAD_MESSAGE);
    /* At the deadline, before the end block has settled it: too late. */
    mw_next(&w, 2 * DSW_MS);
    mw_refused(&w, 0, &m, PROTO_DISPUTES_PAST_DEADLINE);
    mw_end_block(&w, NULL);
    mw_refused(&w, 0, &m, PROTO_DISPUTES_UNKNOWN_DISPUTE); /* settled by default */
    /* Defended once: not twice. */
    id = dsw_defended(&w, 2);
    m = dsw_defend(id);
    mw_refused(&w, 0, &m, PROTO_DISPUTES_WRONG_PHASE);
    mw_check(&w, "defences");
    mw_clear(&w);
}
END_TEST

START_TEST(test_defence_needs_the_bond)
{
    market_world w;
    dsw_init(&w, NULL);
    uint64_t id = dsw_disputed(&w, 1);
    proto_txmsg drain = {.type = PROTO_TXMSG_TRANSFER};
    drain.transfer.to = 1;
    drain.transfer.amount = mw_balance(&w, 0) - DSW_BOND + 1;
    dsw_ok(&w, 0, &drain);
    proto_txmsg m = dsw_defend(id);
    mw_refused(&w, 0, &m, PROTO_DISPUTES_NO_FUNDS);
    /* And a consumer without the bond cannot reject. */
    uint64_t other = dsw_delivered(&w, 2);
    drain.transfer.amount = mw_balance(&w, 2) - DSW_BOND + 1;
    dsw_ok(&w, 2, &drain);
    m = mw_job(PROTO_TXMSG_JOB_REJECT, other);
    mw_refused(&w, 2, &m, PROTO_JOBS_NO_FUNDS);
    mw_check(&w, "funds");
    mw_clear(&w);
}
END_TEST

START_TEST(test_verdict_refusals)
{
    market_world w;
    dsw_init(&w, NULL);
    uint64_t id = dsw_disputed(&w, 1);
    proto_txmsg m = dsw_verdict(id, PROTO_RULING_CONSUMER);
    mw_refused(&w, DSW_VERIFIER, &m, PROTO_DISPUTES_NOT_DRAWN); /* no round yet */
    m = dsw_defend(id);
    dsw_ok(&w, 0, &m);
    m = dsw_verdict(id, PROTO_RULING_CONSUMER);
    mw_refused(&w, 5, &m, PROTO_DISPUTES_NOT_DRAWN); /* an arbiter, not a verifier */
    mw_refused(&w, 2, &m, PROTO_DISPUTES_NOT_DRAWN); /* a party */
    proto_txmsg bad = dsw_verdict(id, PROTO_RULING_NONE);
    mw_refused(&w, DSW_VERIFIER, &bad, PROTO_DISPUTES_BAD_MESSAGE);
    bad = dsw_verdict(id, 3);
    mw_refused(&w, DSW_VERIFIER, &bad, PROTO_DISPUTES_BAD_MESSAGE);
    dsw_ok(&w, DSW_VERIFIER, &m);
    mw_refused(&w, DSW_VERIFIER, &m, PROTO_DISPUTES_ALREADY_VOTED);
    dsw_block(&w, DSW_MS / 2); /* ruled: appealable */
    mw_refused(&w, DSW_VERIFIER, &m, PROTO_DISPUTES_WRONG_PHASE);
    /* A verdict at the verify deadline is late. */
    uint64_t late = dsw_defended(&w, 2);
    mw_next(&w, 2 * DSW_MS);
    m = dsw_verdict(late, PROTO_RULING_CONSUMER);
    mw_refused(&w, DSW_VERIFIER, &m, PROTO_DISPUTES_PAST_DEADLINE);
    mw_check(&w, "verdicts");
    mw_clear(&w);
}
END_TEST

START_TEST(test_commit_reveal_refusals)
{
    market_world w;
    dsw_init(&w, NULL);
    uint64_t id = in_panel(&w, 1);
    uint32_t a = some_arbiter(&w, id, 1);
    uint32_t stranger = undrawn(&w, id, 1);
    /* Reveals during the commit period, with or without a commit. */
    proto_txmsg reveal = dsw_reveal(id, 1, PROTO_RULING_PROVIDER, 0x51);
    mw_refused(&w, a, &reveal, PROTO_DISPUTES_WRONG_PHASE);
    proto_txmsg commit = dsw_commit(id, 1, a, PROTO_RULING_PROVIDER, 0x51);
    proto_txmsg wrong_round = dsw_commit(id, 2, a, PROTO_RULING_PROVIDER, 0x51);
    mw_refused(&w, a, &wrong_round, PROTO_DISPUTES_NOT_DRAWN); /* no seat in round 2 */
    proto_txmsg round0 = commit;
    round0.dispute_commit.round = 0;
    mw_refused(&w, a, &round0, PROTO_DISPUTES_BAD_MESSAGE);
    if (stranger != DSW_VERIFIER)
        mw_refused(&w, stranger, &commit, PROTO_DISPUTES_NOT_DRAWN);
    dsw_ok(&w, a, &commit);
    mw_refused(&w, a, &commit, PROTO_DISPUTES_ALREADY_VOTED);
    mw_refused(&w, a, &reveal, PROTO_DISPUTES_WRONG_PHASE);
    /* The commit period ends (not every seat committed: at its end). */
    for (uint32_t b = 5; b <= 7; b++)
        if (b != a && dsw_seats(&w, id, 1, b) > 0) {
            proto_txmsg c = dsw_commit(id, 1, b, PROTO_RULING_PROVIDER, 0x52);
            dsw_ok(&w, b, &c);
        }
    dsw_block(&w, DSW_MS / 2);
    ck_assert_uint_eq(dsw_get(&w, id)->phase, PROTO_DISPUTE_REVEAL);
    mw_refused(&w, a, &commit, PROTO_DISPUTES_WRONG_PHASE); /* commits are over */
    /* Not what was committed: another vote, another salt. */
    proto_txmsg other_vote = dsw_reveal(id, 1, PROTO_RULING_CONSUMER, 0x51);
    mw_refused(&w, a, &other_vote, PROTO_DISPUTES_BAD_REVEAL);
    proto_txmsg other_salt = dsw_reveal(id, 1, PROTO_RULING_PROVIDER, 0x50);
    mw_refused(&w, a, &other_salt, PROTO_DISPUTES_BAD_REVEAL);
    /* Another arbiter's reveal of a's vote and salt: its own
     * commitment differs (the account is inside). */
    for (uint32_t b = 5; b <= 7; b++)
        if (b != a && dsw_seats(&w, id, 1, b) > 0)
            mw_refused(&w, b, &reveal, PROTO_DISPUTES_BAD_REVEAL);
    dsw_ok(&w, a, &reveal);
    mw_refused(&w, a, &reveal, PROTO_DISPUTES_ALREADY_VOTED);
    /* Late: at the reveal deadline. */
    const proto_dispute *d = dsw_get(&w, id);
    mw_next(&w, d->deadline_ns - w.time_ns);
    for (uint32_t b = 5; b <= 7; b++)
        if (b != a && dsw_seats(&w, id, 1, b) > 0) {
            proto_txmsg r = dsw_reveal(id, 1, PROTO_RULING_PROVIDER, 0x52);
            mw_refused(&w, b, &r, PROTO_DISPUTES_PAST_DEADLINE);
        }
    mw_check(&w, "votes");
    mw_clear(&w);
}
END_TEST

/* A reveal without a commit, in the reveal period. */
START_TEST(test_reveal_without_commit)
{
    market_world w;
    dsw_init(&w, NULL);
    uint64_t id = in_panel(&w, 1);
    uint32_t a = some_arbiter(&w, id, 1);
    uint32_t other = 0;
    for (uint32_t b = 5; b <= 7; b++)
        if (b != a && dsw_seats(&w, id, 1, b) > 0)
            other = b;
    proto_txmsg commit = dsw_commit(id, 1, a, PROTO_RULING_PROVIDER, 0x51);
    dsw_ok(&w, a, &commit);
    dsw_block(&w, 2 * DSW_MS); /* the commit period ends with a's commit only */
    ck_assert_uint_eq(dsw_get(&w, id)->phase, PROTO_DISPUTE_REVEAL);
    if (other != 0) {
        proto_txmsg r = dsw_reveal(id, 1, PROTO_RULING_PROVIDER, 0x52);
        mw_refused(&w, other, &r, PROTO_DISPUTES_NO_COMMIT);
    }
    mw_check(&w, "no commit");
    mw_clear(&w);
}
END_TEST

START_TEST(test_appeal_refusals)
{
    market_world w;
    dsw_init(&w, NULL);
    uint64_t id = dsw_defended(&w, 1);
    proto_txmsg m = dsw_appeal(id, 0);
    mw_refused(&w, 2, &m, PROTO_DISPUTES_WRONG_PHASE); /* nothing ruled yet */
    proto_txmsg v = dsw_verdict(id, PROTO_RULING_PROVIDER);
    dsw_ok(&w, DSW_VERIFIER, &v);
    dsw_block(&w, DSW_MS / 2);
    mw_refused(&w, 0, &m, PROTO_DISPUTES_NOT_LOSER); /* the provider won */
    mw_refused(&w, 5, &m, PROTO_DISPUTES_NOT_PARTY);
    proto_txmsg stale = dsw_appeal(id, 1);
    mw_refused(&w, 2, &stale, PROTO_DISPUTES_WRONG_ROUND);
    mw_next(&w, 2 * DSW_MS);
    mw_refused(&w, 2, &m, PROTO_DISPUTES_PAST_DEADLINE); /* before the end block, too */
    mw_check(&w, "appeals");
    mw_clear(&w);
}
END_TEST

/* Appeals grow the panel 3 -> 7; a ruling of the largest panel is final:
 * settled at once, nothing left to appeal. */
START_TEST(test_appeals_grow_to_the_largest_panel)
{
    market_world w;
    dsw_init(&w, NULL);
    uint64_t id = in_panel(&w, 1);
    const uint8_t consumer[3] = {PROTO_RULING_CONSUMER, PROTO_RULING_CONSUMER,
                                 PROTO_RULING_CONSUMER};
    dsw_panel_votes(&w, id, 1, consumer);
    ck_assert_uint_eq(dsw_get(&w, id)->round[1].ruling, PROTO_RULING_CONSUMER);
    proto_txmsg m = dsw_appeal(id, 1);
    mw_refused(&w, 2, &m, PROTO_DISPUTES_NOT_LOSER);
    uint64_t before = mw_balance(&w, 0);
    dsw_ok(&w, 0, &m);
    ck_assert_uint_eq(mw_balance(&w, 0), before - 10u * 7);
    const proto_dispute *d = dsw_get(&w, id);
    ck_assert_uint_eq(d->rounds, 3);
    ck_assert_uint_eq(d->round[2].seats, 7);
    const uint8_t provider[3] = {PROTO_RULING_PROVIDER, PROTO_RULING_PROVIDER,
                                 PROTO_RULING_PROVIDER};
    dsw_panel_votes(&w, id, 2, provider);
    ck_assert_ptr_null(proto_disputes_get(w.s, id)); /* final at panel_max */
    ck_assert_ptr_null(proto_jobs_get(w.s, id));
    m = dsw_appeal(id, 2);
    mw_refused(&w, 2, &m, PROTO_DISPUTES_UNKNOWN_DISPUTE);
    mw_check(&w, "largest");
    mw_clear(&w);
}
END_TEST

/* An appellant who cannot pay the next round's seats is refused. */
START_TEST(test_appeal_needs_the_fee)
{
    market_world w;
    dsw_init(&w, NULL);
    uint64_t id = dsw_defended(&w, 1);
    proto_txmsg v = dsw_verdict(id, PROTO_RULING_PROVIDER);
    dsw_ok(&w, DSW_VERIFIER, &v);
    dsw_block(&w, DSW_MS / 2);
    proto_txmsg drain = {.type = PROTO_TXMSG_TRANSFER};
    drain.transfer.to = 1;
    drain.transfer.amount = mw_balance(&w, 2) - 29;
    dsw_ok(&w, 2, &drain);
    proto_txmsg m = dsw_appeal(id, 0);
    mw_refused(&w, 2, &m, PROTO_DISPUTES_NO_FUNDS);
    mw_check(&w, "fee");
    mw_clear(&w);
}
END_TEST

START_TEST(test_names)
{
    ck_assert_str_eq(proto_disputes_result_name(PROTO_DISPUTES_NOT_LOSER), "not_loser");
    ck_assert_str_eq(proto_disputes_result_name(PROTO_DISPUTES_RESULT_COUNT), "unknown");
    for (uint32_t r = 0; r < PROTO_DISPUTES_RESULT_COUNT; r++)
        ck_assert_str_ne(proto_disputes_result_name(r), "unknown");
    ck_assert_str_eq(proto_dispute_phase_name(PROTO_DISPUTE_APPEALABLE), "appealable");
    ck_assert_str_eq(proto_dispute_step_name(PROTO_DISPUTE_SETTLED), "settled");
    ck_assert_str_eq(proto_ruling_name(PROTO_RULING_PROVIDER), "provider");
    ck_assert_str_eq(proto_job_status_name(PROTO_JOB_UPHELD), "upheld");
    ck_assert_uint_eq(proto_disputes_next_panel(3), 7);
    ck_assert_uint_eq(proto_disputes_next_panel(7), 15);
    proto_disputes_params p = proto_disputes_defaults();
    ck_assert(proto_disputes_params_valid(&p));
    p.panel = 1;
    p.panel_max = 63; /* 1, 3, 7, 15, 31, 63: six panels, one too many */
    ck_assert(!proto_disputes_params_valid(&p));
    p.panel_max = 31;
    ck_assert(proto_disputes_params_valid(&p));
    p = proto_disputes_defaults();
    p.panel = 16;
    ck_assert(!proto_disputes_params_valid(&p)); /* above panel_max */
    p = proto_disputes_defaults();
    p.bond = 0;
    ck_assert(!proto_disputes_params_valid(&p));
}
END_TEST

static Suite *refusals_suite(void)
{
    Suite *s = suite_create("disputes_refusals");
    TCase *tc = tcase_create("refusals");
    tcase_add_test(tc, test_defence_refusals);
    tcase_add_test(tc, test_defence_needs_the_bond);
    tcase_add_test(tc, test_verdict_refusals);
    tcase_add_test(tc, test_commit_reveal_refusals);
    tcase_add_test(tc, test_reveal_without_commit);
    tcase_add_test(tc, test_appeal_refusals);
    tcase_add_test(tc, test_appeals_grow_to_the_largest_panel);
    tcase_add_test(tc, test_appeal_needs_the_fee);
    tcase_add_test(tc, test_names);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(refusals_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
