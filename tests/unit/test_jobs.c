/* Unit tests for the jobs module's escrow (protocol/modules/jobs/jobs.h)
 * on the fake market (support/market_world.h): posting locks payment
 * and fee; post -> accept -> result -> the window's end pays the
 * provider exactly once, and nothing pays before release_ns; a
 * confirmation pays at once with feedback; a missed deadline refunds and
 * slashes the provider; the accept timeout refunds; decline, cancel and
 * reject refund; the fee goes to the distribution fee collector when
 * that module is there; conservation after every step; undo of a block
 * of job messages and end blocks to the exact root; the events in order.
 * The refusals are in test_jobs_refusals.c.
 *
 * Consumer 2 posts to provider 0 (capabilities 0 and 1) unless a test
 * says otherwise; fee 2%, accept timeout 1 ms, window 5 ms. */
#include <check.h>
#include <glib.h>
#include <string.h>

#include "protocol/modules/distribution/distribution.h"
#include "protocol/modules/staking/staking.h"
#include "support/market_world.h"

#define OK 0u
#define MS 1000000LL
#define PAY 1000u
#define FEE 20u /* 2% of PAY */

static const proto_agent_record *agent(const market_world *w, uint32_t account)
{
    const proto_agent_record *a = proto_registry_agent(w->s, account);
    ck_assert_ptr_nonnull(a);
    return a;
}

static void send_ok(market_world *w, uint32_t sender, const proto_txmsg *m, proto_undo *undo)
{
    uint32_t r = mw_send(w, sender, m, undo);
    ck_assert_msg(r == OK, "%s refused: %s", proto_txmsg_type_name(m->type),
                  proto_jobs_result_name(r));
}

/* Consumer 2's job seq to provider 0, capability 1, deadline 10 ms. */
static uint64_t post(market_world *w, uint32_t seq, proto_undo *undo)
{
    proto_txmsg m = mw_post(2, seq, 0, 1, PAY, 10);
    send_ok(w, 2, &m, undo);
    return PROTO_JOB_ID(2, seq);
}

static uint64_t post_accept_deliver(market_world *w, uint32_t seq)
{
    uint64_t id = post(w, seq, NULL);
    proto_txmsg m = mw_job(PROTO_TXMSG_JOB_ACCEPT, id);
    send_ok(w, 0, &m, NULL);
    m = mw_result(id);
    send_ok(w, 0, &m, NULL);
    return id;
}

/* The i-th event is a JOB_STATUS of id from prev to status. */
static void job_event(const market_world *w, guint i, uint64_t id, proto_job_status prev,
                      proto_job_status status)
{
    const proto_event *ev = mw_event(w, i);
    ck_assert_int_eq(ev->kind, PROTO_EV_JOB_STATUS);
    ck_assert_uint_eq(ev->job, id);
    ck_assert_str_eq(proto_job_status_name(ev->prev_status), proto_job_status_name(prev));
    ck_assert_str_eq(proto_job_status_name(ev->status), proto_job_status_name(status));
}

START_TEST(test_post_locks_escrow)
{
    market_world w;
    mw_init_market(&w);
    uint64_t id = post(&w, 1, NULL);
    const proto_job *j = proto_jobs_get(w.s, id);
    ck_assert_ptr_nonnull(j);
    ck_assert_uint_eq(j->consumer, 2);
    ck_assert_uint_eq(j->provider, 0);
    ck_assert_uint_eq(j->capability, 1);
    ck_assert_uint_eq(j->payment, PAY);
    ck_assert_uint_eq(j->fee, FEE);
    ck_assert_int_eq(j->status, PROTO_JOB_POSTED);
    ck_assert_int_eq(j->posted_ns, w.time_ns);
    ck_assert_uint_eq(j->input_hash.bytes[0], 0x33);
    ck_assert_uint_eq(mw_balance(&w, 2), MW_BALANCE - PAY - FEE);
    ck_assert_uint_eq(proto_jobs_escrow(w.s), PAY + FEE);
    ck_assert_uint_eq(proto_jobs_count(w.s), 1);
    ck_assert_uint_eq(agent(&w, 0)->jobs_open, 1);
    ck_assert_uint_eq(agent(&w, 2)->next_job_seq, 2);
    job_event(&w, 0, id, PROTO_JOB_NONE, PROTO_JOB_POSTED);
    ck_assert_uint_eq(mw_event(&w, 0)->account, 0);
    ck_assert_uint_eq(mw_event(&w, 0)->job_payment, PAY);
    /* Sequences may skip; jobs stay in id order. */
    proto_txmsg m = mw_post(2, 7, 1, 2, 50, 5);
    send_ok(&w, 2, &m, NULL);
    m = mw_post(3, 1, 0, 0, 10, 5);
    send_ok(&w, 3, &m, NULL);
    ck_assert_uint_eq(proto_jobs_at(w.s, 0)->id, id);
    ck_assert_uint_eq(proto_jobs_at(w.s, 1)->id, PROTO_JOB_ID(2, 7));
    ck_assert_uint_eq(proto_jobs_at(w.s, 2)->id, PROTO_JOB_ID(3, 1));
    ck_assert_uint_eq(proto_jobs_at(w.s, 2)->fee, 0); /* 2% of 10, rounded down */
    ck_assert_uint_eq(agent(&w, 2)->next_job_seq, 8);
    ck_assert_uint_eq(proto_jobs_escrow(w.s), PAY + FEE + 51 + 10);
    mw_check(&w, "posted");
    mw_clear(&w);
}
END_TEST

/* post -> accept -> result -> the window closes: paid once, and not
 * before. */
START_TEST(test_auto_release_pays_once)
{
    market_world w;
    mw_init_market(&w);
    uint64_t burned = proto_state_burned(w.s);
    uint64_t id = post(&w, 1, NULL);
    mw_check(&w, "posted");
    mw_next(&w, MS / 2);
    proto_txmsg m = mw_job(PROTO_TXMSG_JOB_ACCEPT, id);
    send_ok(&w, 0, &m, NULL);
    const proto_job *j = proto_jobs_get(w.s, id);
    ck_assert_int_eq(j->status, PROTO_JOB_ACCEPTED);
    ck_assert_int_eq(j->accepted_ns, w.time_ns);
    ck_assert_int_eq(j->due_ns, w.time_ns + 10 * MS);
    mw_end_block(&w, NULL);
    mw_check(&w, "accepted");
    mw_next(&w, 3 * MS);
    m = mw_result(id);
    send_ok(&w, 0, &m, NULL);
    j = proto_jobs_get(w.s, id);
    ck_assert_int_eq(j->status, PROTO_JOB_DELIVERED);
    ck_assert_uint_eq(j->result_hash.bytes[0], 0x44);
    ck_assert_int_eq(j->release_ns, w.time_ns + 5 * MS);
    int64_t release = j->release_ns;
    mw_check(&w, "delivered");
    /* There is no release message: the provider cannot confirm. */
    m = mw_confirm(id, 100);
    mw_refused(&w, 0, &m, PROTO_JOBS_NOT_CONSUMER);
    mw_next(&w, release - 1 - w.time_ns);
    mw_end_block(&w, NULL);
    ck_assert_ptr_nonnull(proto_jobs_get(w.s, id));
    ck_assert_uint_eq(mw_balance(&w, 0), MW_BALANCE);
    mw_next(&w, 1);
    mw_end_block(&w, NULL);
    ck_assert_ptr_null(proto_jobs_get(w.s, id));
    ck_assert_uint_eq(mw_balance(&w, 0), MW_BALANCE + PAY);
    ck_assert_uint_eq(mw_balance(&w, 2), MW_BALANCE - PAY - FEE);
    ck_assert_uint_eq(proto_state_burned(w.s), burned + FEE); /* no distribution: burned */
    ck_assert_uint_eq(proto_jobs_escrow(w.s), 0);
    ck_assert_uint_eq(agent(&w, 0)->jobs_open, 0);
    ck_assert_uint_eq(agent(&w, 0)->jobs_done, 1);
    ck_assert_uint_eq(proto_registry_feedback_count(w.s), 0); /* silence gives no score */
    mw_check(&w, "released");
    ck_assert_uint_eq(w.events->len, 4);
    job_event(&w, 0, id, PROTO_JOB_NONE, PROTO_JOB_POSTED);
    job_event(&w, 1, id, PROTO_JOB_POSTED, PROTO_JOB_ACCEPTED);
    job_event(&w, 2, id, PROTO_JOB_ACCEPTED, PROTO_JOB_DELIVERED);
    job_event(&w, 3, id, PROTO_JOB_DELIVERED, PROTO_JOB_RELEASED_AUTO);
    /* Once: later blocks change nothing, the id is gone and cannot come back. */
    proto_hash before, after;
    mw_root(&w, &before);
    for (int k = 0; k < 3; k++) {
        mw_next(&w, 10 * MS);
        mw_end_block(&w, NULL);
    }
    mw_root(&w, &after);
    ck_assert_mem_eq(before.bytes, after.bytes, PROTO_HASH_SIZE);
    ck_assert_uint_eq(mw_balance(&w, 0), MW_BALANCE + PAY);
    m = mw_confirm(id, 100);
    mw_refused(&w, 2, &m, PROTO_JOBS_UNKNOWN_JOB);
    m = mw_post(2, 1, 0, 1, PAY, 10);
    mw_refused(&w, 2, &m, PROTO_JOBS_STALE_SEQ);
    mw_clear(&w);
}
END_TEST

START_TEST(test_confirm_releases_early)
{
    market_world w;
    mw_init_market(&w);
    uint64_t id = post_accept_deliver(&w, 1);
    proto_txmsg m = mw_confirm(id, 80);
    send_ok(&w, 2, &m, NULL);
    ck_assert_ptr_null(proto_jobs_get(w.s, id));
    ck_assert_uint_eq(mw_balance(&w, 0), MW_BALANCE + PAY);
    ck_assert_uint_eq(agent(&w, 0)->jobs_done, 1);
    ck_assert_uint_eq(agent(&w, 0)->jobs_open, 0);
    const proto_registry_feedback_rec *f = proto_registry_feedback_get(w.s, 2, 0);
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(f->count_positive, 1);
    ck_assert_uint_eq(f->score_sum, 80);
    job_event(&w, w.events->len - 1, id, PROTO_JOB_DELIVERED, PROTO_JOB_RELEASED);
    mw_check(&w, "confirmed");
    /* The window's end finds nothing left to pay. */
    mw_next(&w, 100 * MS);
    mw_end_block(&w, NULL);
    ck_assert_uint_eq(mw_balance(&w, 0), MW_BALANCE + PAY);
    mw_check(&w, "after");
    mw_clear(&w);
}
END_TEST

START_TEST(test_missed_deadline_refunds_and_slashes)
{
    market_world w;
    mw_init_market(&w);
    uint64_t burned = proto_state_burned(w.s);
    uint64_t id = post(&w, 1, NULL);
    proto_txmsg m = mw_job(PROTO_TXMSG_JOB_ACCEPT, id);
    send_ok(&w, 0, &m, NULL);
    int64_t due = proto_jobs_get(w.s, id)->due_ns;
    mw_next(&w, due - 1 - w.time_ns);
    mw_end_block(&w, NULL);
    ck_assert_int_eq(proto_jobs_get(w.s, id)->status, PROTO_JOB_ACCEPTED);
    mw_next(&w, 1);
    m = mw_result(id);
    mw_refused(&w, 0, &m, PROTO_JOBS_PAST_DEADLINE);
    mw_end_block(&w, NULL);
    ck_assert_ptr_null(proto_jobs_get(w.s, id));
    ck_assert_uint_eq(mw_balance(&w, 2), MW_BALANCE); /* payment and fee back */
    ck_assert_uint_eq(mw_balance(&w, 0), MW_BALANCE);
    ck_assert_uint_eq(agent(&w, 0)->bond, 950); /* 5% of 1000 */
    ck_assert_uint_eq(agent(&w, 0)->slashed, 50);
    ck_assert_uint_eq(agent(&w, 0)->jobs_failed, 1);
    ck_assert_uint_eq(agent(&w, 0)->jobs_open, 0);
    ck_assert_uint_eq(proto_state_burned(w.s), burned + 50);
    const proto_registry_feedback_rec *f = proto_registry_feedback_get(w.s, 2, 0);
    ck_assert_uint_eq(f->count_negative, 1);
    ck_assert_uint_eq(f->score_sum, 0);
    job_event(&w, w.events->len - 1, id, PROTO_JOB_ACCEPTED, PROTO_JOB_MISSED);
    ck_assert_uint_eq(mw_event(&w, w.events->len - 1)->amount, 50);
    mw_check(&w, "missed");
    mw_clear(&w);
}
END_TEST

START_TEST(test_accept_timeout_refunds)
{
    market_world w;
    mw_init_market(&w);
    uint64_t id = post(&w, 1, NULL);
    int64_t expiry = w.time_ns + mw_jobs_params().accept_timeout_ns;
    mw_next(&w, expiry - 1 - w.time_ns);
    mw_end_block(&w, NULL);
    ck_assert_ptr_nonnull(proto_jobs_get(w.s, id));
    mw_next(&w, 1);
    proto_txmsg m = mw_job(PROTO_TXMSG_JOB_ACCEPT, id);
    mw_refused(&w, 0, &m, PROTO_JOBS_ACCEPT_EXPIRED);
    mw_end_block(&w, NULL);
    ck_assert_ptr_null(proto_jobs_get(w.s, id));
    ck_assert_uint_eq(mw_balance(&w, 2), MW_BALANCE);
    ck_assert_uint_eq(agent(&w, 0)->jobs_open, 0);
    ck_assert_uint_eq(agent(&w, 0)->jobs_failed, 0); /* nobody to blame */
    ck_assert_uint_eq(proto_registry_feedback_count(w.s), 0);
    job_event(&w, w.events->len - 1, id, PROTO_JOB_POSTED, PROTO_JOB_EXPIRED);
    mw_check(&w, "expired");
    mw_clear(&w);
}
END_TEST

START_TEST(test_decline_cancel_reject_refund)
{
    market_world w;
    mw_init_market(&w);
    uint64_t a = post(&w, 1, NULL), b = post(&w, 2, NULL);
    proto_txmsg m = mw_job(PROTO_TXMSG_JOB_DECLINE, a);
    send_ok(&w, 0, &m, NULL);
    job_event(&w, w.events->len - 1, a, PROTO_JOB_POSTED, PROTO_JOB_DECLINED);
    m = mw_job(PROTO_TXMSG_JOB_CANCEL, b);
    send_ok(&w, 2, &m, NULL);
    job_event(&w, w.events->len - 1, b, PROTO_JOB_POSTED, PROTO_JOB_CANCELLED);
    ck_assert_uint_eq(mw_balance(&w, 2), MW_BALANCE);
    ck_assert_uint_eq(proto_jobs_count(w.s), 0);
    mw_check(&w, "declined and cancelled");
    uint64_t c = post_accept_deliver(&w, 3);
    mw_next(&w, 5 * MS - 1); /* the window's last nanosecond */
    m = mw_job(PROTO_TXMSG_JOB_REJECT, c);
    send_ok(&w, 2, &m, NULL);
    ck_assert_uint_eq(mw_balance(&w, 2), MW_BALANCE);
    ck_assert_uint_eq(mw_balance(&w, 0), MW_BALANCE);
    ck_assert_uint_eq(agent(&w, 0)->jobs_failed, 1);
    ck_assert_uint_eq(agent(&w, 0)->bond, 1000); /* a rejection is not proven: no slash */
    ck_assert_uint_eq(proto_registry_feedback_get(w.s, 2, 0)->count_negative, 1);
    job_event(&w, w.events->len - 1, c, PROTO_JOB_DELIVERED, PROTO_JOB_REJECTED);
    mw_check(&w, "rejected");
    mw_clear(&w);
}
END_TEST

/* With staking and distribution attached the fee reaches the collector. */
START_TEST(test_fee_to_collector)
{
    market_world w;
    mw_init_market(&w);
    proto_staking_params sp = proto_staking_defaults();
    const proto_staking_genesis_validator v = {.operator_account = 7, .self_bond = 100};
    proto_staking_genesis(w.s, &sp, 1, &v, 0, NULL, 0);
    proto_f1_params fp = proto_f1_params_default();
    proto_distribution_genesis(w.s, &fp);
    w.supply = proto_state_total_supply(w.s);
    uint64_t burned = proto_state_burned(w.s);
    uint64_t id = post_accept_deliver(&w, 1);
    proto_txmsg m = mw_confirm(id, 60);
    send_ok(&w, 2, &m, NULL);
    ck_assert_uint_eq(proto_distribution_fee_collector(w.s), FEE);
    ck_assert_uint_eq(proto_state_burned(w.s), burned);
    mw_check(&w, "collected");
    mw_clear(&w);
}
END_TEST

/* A block of job messages and end blocks under one undo log, reverted:
 * the exact root, balances and registry counters. */
START_TEST(test_undo_block)
{
    market_world w;
    mw_init_market(&w);
    uint64_t live = post_accept_deliver(&w, 1); /* released in the block */
    uint64_t missed = post(&w, 2, NULL);
    proto_txmsg m = mw_job(PROTO_TXMSG_JOB_ACCEPT, missed);
    send_ok(&w, 0, &m, NULL);
    mw_next(&w, MS);
    proto_hash before, after;
    mw_root(&w, &before);
    uint64_t supply = proto_state_total_supply(w.s);
    proto_undo undo;
    proto_undo_init(&undo);
    m = mw_confirm(live, 90);
    send_ok(&w, 2, &m, &undo);
    uint64_t fresh = post(&w, 3, &undo);
    m = mw_job(PROTO_TXMSG_JOB_DECLINE, fresh);
    send_ok(&w, 0, &m, &undo);
    post(&w, 4, &undo); /* will expire */
    m = mw_register(0x1, 1, 1, 100);
    send_ok(&w, 5, &m, &undo);
    mw_end_block(&w, &undo);
    mw_next(&w, 20 * MS);
    mw_end_block(&w, &undo); /* the missed deadline and the expiry */
    ck_assert_uint_eq(proto_jobs_count(w.s), 0);
    ck_assert_uint_eq(agent(&w, 0)->jobs_failed, 1);
    mw_check(&w, "block");
    proto_state_revert(w.s, &undo);
    proto_undo_clear(&undo);
    mw_root(&w, &after);
    ck_assert_mem_eq(before.bytes, after.bytes, PROTO_HASH_SIZE);
    ck_assert_uint_eq(proto_state_total_supply(w.s), supply);
    ck_assert_uint_eq(proto_jobs_count(w.s), 2);
    ck_assert_uint_eq(agent(&w, 0)->jobs_open, 2);
    ck_assert_uint_eq(agent(&w, 2)->next_job_seq, 3);
    ck_assert_ptr_null(proto_registry_agent(w.s, 5));
    mw_check(&w, "reverted");
    mw_clear(&w);
}
END_TEST

START_TEST(test_names)
{
    for (int a = 0; a < PROTO_JOBS_RESULT_COUNT; a++) {
        ck_assert_str_ne(proto_jobs_result_name(a), "unknown");
        for (int b = a + 1; b < PROTO_JOBS_RESULT_COUNT; b++)
            ck_assert_str_ne(proto_jobs_result_name(a), proto_jobs_result_name(b));
    }
    for (int a = 0; a < PROTO_JOB_STATUS_COUNT; a++) {
        ck_assert_str_ne(proto_job_status_name(a), "unknown");
        for (int b = a + 1; b < PROTO_JOB_STATUS_COUNT; b++)
            ck_assert_str_ne(proto_job_status_name(a), proto_job_status_name(b));
    }
    ck_assert_str_eq(proto_jobs_result_name(PROTO_JOBS_RESULT_COUNT), "unknown");
    ck_assert_str_eq(proto_job_status_name(PROTO_JOB_RELEASED_AUTO), "released_auto");
    proto_jobs_params p = proto_jobs_defaults();
    ck_assert(proto_jobs_params_valid(&p));
    ck_assert_uint_eq(proto_jobs_fee(&p, 12345), 123);
    p.fee_permille = 1001;
    ck_assert(!proto_jobs_params_valid(&p));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("jobs");
    TCase *tc = tcase_create("escrow");
    tcase_add_test(tc, test_names);
    tcase_add_test(tc, test_post_locks_escrow);
    tcase_add_test(tc, test_auto_release_pays_once);
    tcase_add_test(tc, test_confirm_releases_early);
    tcase_add_test(tc, test_missed_deadline_refunds_and_slashes);
    tcase_add_test(tc, test_accept_timeout_refunds);
    tcase_add_test(tc, test_decline_cancel_reject_refund);
    tcase_add_test(tc, test_fee_to_collector);
    tcase_add_test(tc, test_undo_block);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
