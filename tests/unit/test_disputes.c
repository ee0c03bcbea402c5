/* Unit tests for the disputes module (protocol/modules/disputes/
 * disputes.h) on the fake market with jurors (support/disputes_world.h):
 * a rejection takes the consumer's bond and freezes the escrow; an
 * undefended dispute is lost by default; tier 1 rules with the
 * verifier's verdict and the bonds split as UMA does (2B - fee to the
 * winner, the fee to the coherent jurors); a false dispute appealed to a
 * panel is lost again, the appeal fee paid to the coherent arbiters; a
 * silent arbiter loses stake to the coherent ones; nobody voting splits
 * the escrow and burns what nobody earned; a silent verifier sends the
 * dispute to the first panel; the draw is the same on every node; undo
 * of votes and tallies restores the exact root; conservation after
 * every step. The refusals are in test_disputes_refusals.c.
 *
 * Consumer 2 posts DSW_PAY (fee DSW_FEE) to provider 0; the bond is 300
 * and its fee 50% (150). */
#include <check.h>
#include <glib.h>
#include <string.h>

#include "support/disputes_world.h"

#define BOND_FEE 150u

static const proto_agent_record *agent(const market_world *w, uint32_t account)
{
    const proto_agent_record *a = proto_registry_agent(w->s, account);
    ck_assert_ptr_nonnull(a);
    return a;
}

/* The last event is a DISPUTE step. */
static const proto_event *last_dispute_event(const market_world *w, proto_dispute_step step)
{
    for (guint i = w->events->len; i-- > 0;) {
        const proto_event *ev = mw_event(w, i);
        if (ev->kind == PROTO_EV_DISPUTE && ev->status == step)
            return ev;
    }
    ck_abort_msg("no %s event", proto_dispute_step_name(step));
    return NULL;
}

/* The job was settled with outcome (its last JOB_STATUS event). */
static void settled_as(const market_world *w, uint64_t id, proto_job_status outcome)
{
    ck_assert_ptr_null(proto_jobs_get(w->s, id));
    ck_assert_ptr_null(proto_disputes_get(w->s, id));
    for (guint i = w->events->len; i-- > 0;) {
        const proto_event *ev = mw_event(w, i);
        if (ev->kind == PROTO_EV_JOB_STATUS && ev->job == id) {
            ck_assert_str_eq(proto_job_status_name(ev->status), proto_job_status_name(outcome));
            ck_assert_int_eq(ev->prev_status, PROTO_JOB_DISPUTED);
            return;
        }
    }
    ck_abort_msg("job never settled");
}

START_TEST(test_reject_opens_a_dispute)
{
    market_world w;
    dsw_init(&w, NULL);
    uint64_t held = proto_disputes_held(w.s);
    uint64_t id = dsw_disputed(&w, 1);
    const proto_job *j = proto_jobs_get(w.s, id);
    ck_assert_ptr_nonnull(j);
    ck_assert_int_eq(j->status, PROTO_JOB_DISPUTED);
    ck_assert_uint_eq(proto_jobs_escrow(w.s), DSW_PAY + DSW_FEE);
    ck_assert_uint_eq(mw_balance(&w, 2), MW_BALANCE - DSW_PAY - DSW_FEE - DSW_BOND);
    ck_assert_uint_eq(proto_disputes_held(w.s), held + DSW_BOND);
    const proto_dispute *d = dsw_get(&w, id);
    ck_assert_uint_eq(d->consumer, 2);
    ck_assert_uint_eq(d->provider, 0);
    ck_assert_uint_eq(d->phase, PROTO_DISPUTE_AWAIT_DEFENCE);
    ck_assert_uint_eq(d->rounds, 0);
    ck_assert_int_eq(d->deadline_ns, w.time_ns + 2 * DSW_MS);
    ck_assert_uint_eq(last_dispute_event(&w, PROTO_DISPUTE_OPENED)->amount, DSW_BOND);
    ck_assert_uint_eq(agent(&w, 0)->jobs_open, 1); /* the provider cannot leave */
    mw_check(&w, "opened");
    mw_clear(&w);
}
END_TEST

/* Silence until the response deadline: the consumer wins by default. */
START_TEST(test_undefended_is_lost_by_default)
{
    market_world w;
    dsw_init(&w, NULL);
    uint64_t id = dsw_disputed(&w, 1);
    dsw_block(&w, 2 * DSW_MS - 1);
    ck_assert_ptr_nonnull(proto_disputes_get(w.s, id)); /* not before the deadline */
    dsw_block(&w, 1);
    settled_as(&w, id, PROTO_JOB_OVERTURNED);
    ck_assert_uint_eq(mw_balance(&w, 2), MW_BALANCE); /* refund and bond back */
    ck_assert_uint_eq(mw_balance(&w, 0), MW_BALANCE);
    ck_assert_uint_eq(agent(&w, 0)->jobs_failed, 1);
    ck_assert_uint_eq(agent(&w, 0)->jobs_open, 0);
    const proto_event *ev = last_dispute_event(&w, PROTO_DISPUTE_SETTLED);
    ck_assert_uint_eq(ev->prev_status, PROTO_RULING_CONSUMER);
    ck_assert_uint_eq(ev->depth, 0);
    mw_check(&w, "default");
    mw_clear(&w);
}
END_TEST

/* Tier 1 finds the result wrong; the provider does not appeal. */
START_TEST(test_tier1_overturns_a_wrong_result)
{
    market_world w;
    dsw_init(&w, NULL);
    uint64_t id = dsw_defended(&w, 1);
    ck_assert_uint_eq(mw_balance(&w, 0), MW_BALANCE - DSW_BOND);
    const proto_dispute *d = dsw_get(&w, id);
    ck_assert_uint_eq(d->phase, PROTO_DISPUTE_VERIFY);
    ck_assert_uint_eq(d->rounds, 1);
    ck_assert_uint_eq(d->round[0].seats, 1);
    ck_assert_uint_eq(d->bonds, 2 * DSW_BOND);
    ck_assert_uint_eq(dsw_seats(&w, id, 0, DSW_VERIFIER), 1);
    mw_check(&w, "defended");
    proto_txmsg m = dsw_verdict(id, PROTO_RULING_CONSUMER);
    dsw_ok(&w, DSW_VERIFIER, &m);
    dsw_block(&w, DSW_MS / 2); /* every verdict in: ruled */
    d = dsw_get(&w, id);
    ck_assert_uint_eq(d->phase, PROTO_DISPUTE_APPEALABLE);
    ck_assert_uint_eq(d->round[0].ruling, PROTO_RULING_CONSUMER);
    ck_assert_int_eq(d->deadline_ns, w.time_ns + 2 * DSW_MS);
    mw_check(&w, "ruled");
    dsw_block(&w, 2 * DSW_MS);
    settled_as(&w, id, PROTO_JOB_OVERTURNED);
    ck_assert_uint_eq(mw_balance(&w, 2), MW_BALANCE + DSW_BOND - BOND_FEE);
    ck_assert_uint_eq(mw_balance(&w, 0), MW_BALANCE - DSW_BOND);
    ck_assert_uint_eq(mw_balance(&w, DSW_VERIFIER), MW_BALANCE + BOND_FEE);
    ck_assert_uint_eq(dsw_stake(&w, DSW_VERIFIER), DSW_STAKE);
    ck_assert_uint_eq(agent(&w, 0)->jobs_failed, 1);
    ck_assert_uint_eq(proto_disputes_held(w.s), 4 * DSW_STAKE);
    mw_check(&w, "overturned");
    mw_clear(&w);
}
END_TEST

/* A false dispute: tier 1 upholds the result, the consumer appeals, the
 * panel upholds it again; the appeal fee pays the coherent arbiters. */
START_TEST(test_false_dispute_lost_on_appeal)
{
    market_world w;
    dsw_init(&w, NULL);
    uint64_t id = dsw_defended(&w, 1);
    proto_txmsg m = dsw_verdict(id, PROTO_RULING_PROVIDER);
    dsw_ok(&w, DSW_VERIFIER, &m);
    dsw_block(&w, DSW_MS / 2);
    m = dsw_appeal(id, 0);
    dsw_ok(&w, 2, &m);
    uint64_t appeal = 10u * 3; /* seat fee x the first panel */
    const proto_dispute *d = dsw_get(&w, id);
    ck_assert_uint_eq(d->phase, PROTO_DISPUTE_COMMIT);
    ck_assert_uint_eq(d->rounds, 2);
    ck_assert_uint_eq(d->round[1].seats, 3);
    ck_assert_uint_eq(d->round[1].fees, appeal);
    uint32_t seats = 0, held[8] = {0};
    for (uint32_t a = 5; a <= 7; a++)
        seats += held[a] = dsw_seats(&w, id, 1, a);
    ck_assert_uint_eq(seats, 3);
    mw_check(&w, "appealed");
    uint64_t before[8];
    for (uint32_t a = 0; a < 8; a++)
        before[a] = mw_balance(&w, a);
    const uint8_t rulings[3] = {PROTO_RULING_PROVIDER, PROTO_RULING_PROVIDER,
                                PROTO_RULING_PROVIDER};
    dsw_panel_votes(&w, id, 1, rulings);
    d = dsw_get(&w, id);
    ck_assert_uint_eq(d->phase, PROTO_DISPUTE_APPEALABLE); /* 3 < panel_max 7 */
    ck_assert_uint_eq(d->round[1].ruling, PROTO_RULING_PROVIDER);
    dsw_block(&w, 2 * DSW_MS);
    settled_as(&w, id, PROTO_JOB_UPHELD);
    ck_assert_uint_eq(mw_balance(&w, 0), MW_BALANCE + DSW_BOND - BOND_FEE + DSW_PAY);
    ck_assert_uint_eq(mw_balance(&w, 2), MW_BALANCE - DSW_PAY - DSW_FEE - DSW_BOND - appeal);
    ck_assert_uint_eq(agent(&w, 0)->jobs_done, 1);
    /* The bond fee over the 4 coherent seats (37 each, the remainder 2
     * to the first: the verifier), the appeal fee over the panel's 3. */
    ck_assert_uint_eq(mw_balance(&w, DSW_VERIFIER), before[DSW_VERIFIER] + 37 + 2);
    for (uint32_t a = 5; a <= 7; a++)
        ck_assert_uint_eq(mw_balance(&w, a), before[a] + (37 + 10) * held[a]);
    mw_check(&w, "upheld");
    mw_clear(&w);
}
END_TEST

/* A drawn arbiter that stays silent loses stake_at_risk per seat to the
 * coherent arbiters of its round; the stakes' sum is unchanged. */
START_TEST(test_silent_arbiter_pays_coherent_ones)
{
    market_world w;
    dsw_init(&w, NULL);
    uint64_t id = dsw_defended(&w, 1);
    proto_txmsg m = dsw_verdict(id, PROTO_RULING_PROVIDER);
    dsw_ok(&w, DSW_VERIFIER, &m);
    dsw_block(&w, DSW_MS / 2);
    m = dsw_appeal(id, 0);
    dsw_ok(&w, 2, &m);
    /* The last drawn arbiter is silent; the draw gave seats to at least
     * two (the seed of this test is chosen so). */
    uint32_t seats[3], drawn = 0, silent = 0;
    for (uint32_t a = 0; a < 3; a++) {
        seats[a] = dsw_seats(&w, id, 1, DSW_ARBITERS_FIRST + a);
        if (seats[a] > 0) {
            drawn++;
            silent = a;
        }
    }
    ck_assert_uint_ge(drawn, 2);
    uint8_t rulings[3] = {PROTO_RULING_PROVIDER, PROTO_RULING_PROVIDER, PROTO_RULING_PROVIDER};
    rulings[silent] = 0;
    dsw_panel_votes(&w, id, 1, rulings);
    ck_assert_uint_eq(dsw_get(&w, id)->round[1].ruling, PROTO_RULING_PROVIDER);
    dsw_block(&w, 2 * DSW_MS);
    settled_as(&w, id, PROTO_JOB_UPHELD);
    uint64_t lost = 100u * seats[silent], coherent = 3 - seats[silent], total = 0;
    ck_assert_uint_eq(dsw_stake(&w, DSW_ARBITERS_FIRST + silent), DSW_STAKE - lost);
    for (uint32_t a = 0; a < 3; a++) {
        total += dsw_stake(&w, DSW_ARBITERS_FIRST + a);
        if (a != silent && seats[a] > 0)
            ck_assert_uint_ge(dsw_stake(&w, DSW_ARBITERS_FIRST + a),
                              DSW_STAKE + lost / coherent * seats[a]);
    }
    ck_assert_uint_eq(total, 3 * DSW_STAKE);
    ck_assert_uint_eq(dsw_stake(&w, DSW_VERIFIER), DSW_STAKE); /* coherent */
    mw_check(&w, "penalised");
    mw_clear(&w);
}
END_TEST

/* Nobody votes, at any tier, and the first panel is the last: no ruling.
 * The escrow is split, each bond pays half the fee, and what nobody
 * earned (the fee, the silent jurors' stakes at risk) is burned. */
START_TEST(test_nobody_votes_splits)
{
    market_world w;
    proto_disputes_params p = dsw_params();
    p.panel_max = 3;
    dsw_init(&w, &p);
    uint64_t burned = proto_state_burned(w.s);
    uint64_t id = dsw_defended(&w, 1);
    dsw_block(&w, 2 * DSW_MS); /* no verdict: the first panel, at once */
    const proto_dispute *d = dsw_get(&w, id);
    ck_assert_uint_eq(d->round[0].ruling, PROTO_RULING_NONE);
    ck_assert_uint_eq(d->phase, PROTO_DISPUTE_COMMIT);
    ck_assert_uint_eq(d->round[1].seats, 3);
    dsw_block(&w, 2 * DSW_MS); /* no commit: ruled NONE, final at panel_max */
    settled_as(&w, id, PROTO_JOB_SPLIT);
    uint64_t each = DSW_BOND - BOND_FEE / 2;
    ck_assert_uint_eq(mw_balance(&w, 2),
                      MW_BALANCE - DSW_PAY - DSW_FEE - DSW_BOND + each + DSW_PAY / 2 + DSW_FEE);
    ck_assert_uint_eq(mw_balance(&w, 0), MW_BALANCE - DSW_BOND + each + DSW_PAY / 2);
    ck_assert_uint_eq(dsw_stake(&w, DSW_VERIFIER), DSW_STAKE - 100);
    uint64_t stakes = 0;
    for (uint32_t a = 5; a <= 7; a++)
        stakes += dsw_stake(&w, a);
    ck_assert_uint_eq(stakes, 3 * DSW_STAKE - 3 * 100);
    ck_assert_uint_eq(proto_state_burned(w.s), burned + BOND_FEE + 100 + 300);
    ck_assert_uint_eq(agent(&w, 0)->jobs_done + agent(&w, 0)->jobs_failed, 0);
    mw_check(&w, "split");
    mw_clear(&w);
}
END_TEST

/* One verifier drawn for every seat speaks once for all of them;
 * verifiers that disagree send the dispute to the first panel, free. */
START_TEST(test_split_verdicts_go_to_a_panel)
{
    market_world w;
    proto_disputes_params p = dsw_params();
    p.verifiers = 3;
    const proto_disputes_genesis_juror jurors[] = {
        {.account = DSW_VERIFIER, .roles = PROTO_JUROR_VERIFIER, .stake = DSW_STAKE},
        {.account = 5, .roles = PROTO_JUROR_VERIFIER | PROTO_JUROR_ARBITER, .stake = DSW_STAKE},
        {.account = 6, .roles = PROTO_JUROR_ARBITER, .stake = DSW_STAKE},
    };
    dsw_init_jurors(&w, &p, G_N_ELEMENTS(jurors), jurors);
    uint64_t id = dsw_defended(&w, 1);
    uint32_t s4 = dsw_seats(&w, id, 0, DSW_VERIFIER), s5 = dsw_seats(&w, id, 0, 5);
    ck_assert_uint_eq(s4 + s5, 3);
    ck_assert_uint_gt(s4, 0); /* the draw of this seed seats both */
    ck_assert_uint_gt(s5, 0);
    proto_txmsg m = dsw_verdict(id, PROTO_RULING_CONSUMER);
    dsw_ok(&w, DSW_VERIFIER, &m);
    dsw_block(&w, DSW_MS / 2);
    ck_assert_uint_eq(dsw_get(&w, id)->phase, PROTO_DISPUTE_VERIFY); /* 5 has not spoken */
    m = dsw_verdict(id, PROTO_RULING_PROVIDER);
    dsw_ok(&w, 5, &m);
    dsw_block(&w, DSW_MS / 2);
    const proto_dispute *d = dsw_get(&w, id);
    ck_assert_uint_eq(d->round[0].ruling, PROTO_RULING_NONE);
    ck_assert_uint_eq(d->phase, PROTO_DISPUTE_COMMIT);
    ck_assert_uint_eq(d->rounds, 2);
    ck_assert_uint_eq(d->round[1].fees, 0);
    ck_assert_uint_eq(dsw_seats(&w, id, 1, 5) + dsw_seats(&w, id, 1, 6), 3);
    mw_check(&w, "escalated");
    mw_clear(&w);
}
END_TEST

/* Every node draws the same panel: two chains fed the same blocks hold
 * the same seats and the same root. */
START_TEST(test_draw_is_deterministic)
{
    market_world a, b;
    dsw_init(&a, NULL);
    dsw_init(&b, NULL);
    uint64_t ida = dsw_defended(&a, 1), idb = dsw_defended(&b, 1);
    ck_assert_uint_eq(ida, idb);
    dsw_block(&a, 2 * DSW_MS);
    dsw_block(&b, 2 * DSW_MS);
    for (uint32_t j = 5; j <= 7; j++)
        ck_assert_uint_eq(dsw_seats(&a, ida, 1, j), dsw_seats(&b, idb, 1, j));
    proto_hash ra, rb;
    mw_root(&a, &ra);
    mw_root(&b, &rb);
    ck_assert_mem_eq(ra.bytes, rb.bytes, PROTO_HASH_SIZE);
    mw_clear(&a);
    mw_clear(&b);
}
END_TEST

/* Votes and the end blocks that tally and settle, undone, give back the
 * exact root. */
START_TEST(test_undo_restores_root)
{
    market_world w;
    dsw_init(&w, NULL);
    uint64_t id = dsw_defended(&w, 1);
    proto_hash before, after;
    mw_root(&w, &before);
    uint64_t supply = proto_state_total_supply(w.s);
    proto_undo undo;
    proto_undo_init(&undo);
    proto_txmsg m = dsw_verdict(id, PROTO_RULING_CONSUMER);
    ck_assert_uint_eq(mw_send(&w, DSW_VERIFIER, &m, &undo), 0);
    mw_next(&w, DSW_MS / 2);
    mw_end_block(&w, &undo);
    mw_next(&w, 2 * DSW_MS);
    mw_end_block(&w, &undo);
    ck_assert_ptr_null(proto_disputes_get(w.s, id));
    proto_state_revert(w.s, &undo);
    proto_undo_clear(&undo);
    mw_root(&w, &after);
    ck_assert_mem_eq(before.bytes, after.bytes, PROTO_HASH_SIZE);
    ck_assert_uint_eq(proto_state_total_supply(w.s), supply);
    ck_assert_uint_eq(dsw_get(&w, id)->phase, PROTO_DISPUTE_VERIFY);
    mw_check(&w, "reverted");
    mw_clear(&w);
}
END_TEST

/* Without the module a rejection refunds at once, as it always did. */
START_TEST(test_without_module_reject_refunds)
{
    market_world w;
    mw_init_market(&w);
    uint64_t id = dsw_delivered(&w, 1);
    proto_txmsg m = mw_job(PROTO_TXMSG_JOB_REJECT, id);
    dsw_ok(&w, 2, &m);
    ck_assert_ptr_null(proto_jobs_get(w.s, id));
    ck_assert_uint_eq(mw_balance(&w, 2), MW_BALANCE);
    ck_assert(!proto_disputes_active(w.s));
    mw_clear(&w);
}
END_TEST

static Suite *disputes_suite(void)
{
    Suite *s = suite_create("disputes");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_reject_opens_a_dispute);
    tcase_add_test(tc, test_undefended_is_lost_by_default);
    tcase_add_test(tc, test_tier1_overturns_a_wrong_result);
    tcase_add_test(tc, test_false_dispute_lost_on_appeal);
    tcase_add_test(tc, test_silent_arbiter_pays_coherent_ones);
    tcase_add_test(tc, test_nobody_votes_splits);
    tcase_add_test(tc, test_split_verdicts_go_to_a_panel);
    tcase_add_test(tc, test_draw_is_deterministic);
    tcase_add_test(tc, test_undo_restores_root);
    tcase_add_test(tc, test_without_module_reject_refunds);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(disputes_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
