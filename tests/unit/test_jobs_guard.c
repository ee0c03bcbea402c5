/* Unit tests for guarded jobs (protocol/modules/jobs/jobs.h, "Guarded
 * jobs"; jobs_guard.c) and the multisig's JOB_SETTLE operation, on the
 * disputes tests' market (consumers 2 and 3, provider 0; verifier 4,
 * arbiters 5, 6, 7) with guards from a payment of GUARD_MIN:
 *   - a large job gets a 2-of-3 guard of consumer, provider and a drawn
 *     arbiter; a small one none;
 *   - once delivered, the consumer can neither confirm nor reject it,
 *     and the window's end does not release it; the expiry does;
 *   - the provider and the arbiter release it with the consumer
 *     offline; the consumer and the arbiter refund it;
 *   - one approval is below the threshold; a settle before delivery, of
 *     another guard's job, or replayed is refused with its reason; a
 *     live guard executes nothing else (guard_only);
 *   - no arbiter to draw, or no multisig module: the post is refused. */
#include <check.h>
#include <string.h>

#include "protocol/chain/txmsg_multisig.h"
#include "protocol/modules/multisig/multisig.h"
#include "support/disputes_world.h"

#define GUARD_MIN 500u
#define EXPIRY_NS (10 * DSW_MS)
#define WINDOW_NS 5000000LL /* mw_jobs_params' */

static void guard_world(market_world *w, bool with_multisig, bool with_arbiters)
{
    proto_jobs_params jp = mw_jobs_params();
    jp.guard_min_payment = GUARD_MIN;
    jp.guard_expiry_ns = EXPIRY_NS;
    mw_init_market_with(w, &jp);
    if (with_multisig)
        proto_multisig_genesis(w->s, 0, NULL);
    proto_disputes_params p = dsw_params();
    const proto_disputes_genesis_juror jurors[] = {
        {.account = DSW_VERIFIER, .roles = PROTO_JUROR_VERIFIER, .stake = DSW_STAKE},
        {.account = 5, .roles = PROTO_JUROR_ARBITER, .stake = DSW_STAKE},
        {.account = 6, .roles = PROTO_JUROR_ARBITER, .stake = DSW_STAKE},
        {.account = 7, .roles = PROTO_JUROR_ARBITER, .stake = DSW_STAKE},
    };
    proto_disputes_genesis(w->s, &p, with_arbiters ? 4 : 1, jurors);
    w->supply = proto_state_total_supply(w->s);
}

/* Consumer 2's job seq to provider 0 paying `pay`, accepted and delivered. */
static uint64_t delivered(market_world *w, uint32_t seq, uint64_t pay)
{
    proto_txmsg m = mw_post(2, seq, 0, 1, pay, 10);
    dsw_ok(w, 2, &m);
    uint64_t id = PROTO_JOB_ID(2, seq);
    m = mw_job(PROTO_TXMSG_JOB_ACCEPT, id);
    dsw_ok(w, 0, &m);
    m = mw_result(id);
    dsw_ok(w, 0, &m);
    return id;
}

static proto_multisig_op settle_op(uint64_t job, bool release)
{
    proto_multisig_op op;
    memset(&op, 0, sizeof op);
    op.type = PROTO_MULTISIG_OP_JOB_SETTLE;
    op.job_settle.job = job;
    op.job_settle.release = release;
    return op;
}

static proto_txmsg approve(uint32_t multisig, const proto_multisig_op *op)
{
    proto_txmsg m;
    memset(&m, 0, sizeof m);
    m.type = PROTO_TXMSG_MULTISIG_APPROVE;
    m.multisig_approve.multisig = multisig;
    m.multisig_approve.nonce = 0;
    proto_multisig_op_hash(42, multisig, 0, op, &m.multisig_approve.op_hash);
    return m;
}

static proto_txmsg exec(uint32_t multisig, const proto_multisig_op *op)
{
    proto_txmsg m;
    memset(&m, 0, sizeof m);
    m.type = PROTO_TXMSG_MULTISIG_EXEC;
    m.multisig_exec.multisig = multisig;
    m.multisig_exec.nonce = 0;
    m.multisig_exec.op = *op;
    return m;
}

/* The guard's third owner. */
static uint32_t arbiter_of(const market_world *w, const proto_job *j)
{
    const proto_multisig *ms = proto_multisig_get(w->s, j->guard);
    for (uint32_t k = 0; k < ms->owners_count; k++)
        if (ms->owners[k] != j->consumer && ms->owners[k] != j->provider)
            return ms->owners[k];
    ck_abort_msg("no arbiter");
    return 0;
}

START_TEST(test_large_job_guarded_small_not)
{
    market_world w;
    guard_world(&w, true, true);
    uint64_t big = delivered(&w, 1, GUARD_MIN), small = delivered(&w, 2, GUARD_MIN - 1);
    const proto_job *j = proto_jobs_get(w.s, big);
    ck_assert_uint_ne(j->guard, 0);
    const proto_multisig *ms = proto_multisig_get(w.s, j->guard);
    ck_assert_uint_eq(ms->threshold, 2);
    ck_assert_uint_eq(ms->owners_count, 3);
    uint32_t arbiter = arbiter_of(&w, j);
    ck_assert(arbiter >= 5 && arbiter <= 7);
    ck_assert_uint_eq(proto_jobs_get(w.s, small)->guard, 0);
    mw_check(&w, "guarded");
    mw_clear(&w);
}
END_TEST

START_TEST(test_guarded_needs_the_multisig)
{
    market_world w;
    guard_world(&w, true, true);
    uint64_t id = delivered(&w, 1, 800);
    proto_txmsg m = mw_confirm(id, 100);
    mw_refused(&w, 2, &m, PROTO_JOBS_GUARDED);
    m = mw_job(PROTO_TXMSG_JOB_REJECT, id);
    mw_refused(&w, 2, &m, PROTO_JOBS_GUARDED);
    dsw_block(&w, WINDOW_NS + 1); /* the window is over: no release */
    ck_assert_int_eq(proto_jobs_get(w.s, id)->status, PROTO_JOB_DELIVERED);
    uint64_t provider0 = mw_balance(&w, 0);
    dsw_block(&w, EXPIRY_NS); /* the expiry is */
    ck_assert_ptr_null(proto_jobs_get(w.s, id));
    ck_assert_uint_eq(mw_balance(&w, 0), provider0 + 800);
    mw_check(&w, "expired");
    mw_clear(&w);
}
END_TEST

START_TEST(test_provider_and_arbiter_release)
{
    market_world w;
    guard_world(&w, true, true);
    uint64_t id = delivered(&w, 1, 800);
    const proto_job *j = proto_jobs_get(w.s, id);
    uint32_t guard = j->guard, arbiter = arbiter_of(&w, j);
    uint64_t provider0 = mw_balance(&w, 0), consumer0 = mw_balance(&w, 2);
    uint32_t done0 = proto_registry_agent(w.s, 0)->jobs_done;
    proto_multisig_op op = settle_op(id, true);
    proto_txmsg m = approve(guard, &op);
    dsw_ok(&w, 0, &m);
    proto_txmsg x = exec(guard, &op);
    mw_refused(&w, 0, &x, PROTO_MULTISIG_BELOW_THRESHOLD);
    dsw_ok(&w, arbiter, &m);
    dsw_ok(&w, 0, &x); /* the consumer never spoke */
    ck_assert_ptr_null(proto_jobs_get(w.s, id));
    ck_assert_uint_eq(mw_balance(&w, 0), provider0 + 800);
    ck_assert_uint_eq(mw_balance(&w, 2), consumer0);
    ck_assert_uint_eq(proto_registry_agent(w.s, 0)->jobs_done, done0 + 1);
    mw_refused(&w, 0, &x, PROTO_MULTISIG_BAD_NONCE); /* replayed */
    mw_check(&w, "released");
    mw_clear(&w);
}
END_TEST

START_TEST(test_consumer_and_arbiter_refund)
{
    market_world w;
    guard_world(&w, true, true);
    uint64_t id = delivered(&w, 1, 800);
    const proto_job *j = proto_jobs_get(w.s, id);
    uint32_t guard = j->guard, arbiter = arbiter_of(&w, j);
    uint64_t fee = j->fee, consumer0 = mw_balance(&w, 2);
    proto_multisig_op op = settle_op(id, false);
    proto_txmsg m = approve(guard, &op);
    dsw_ok(&w, 2, &m);
    dsw_ok(&w, arbiter, &m);
    proto_txmsg x = exec(guard, &op);
    dsw_ok(&w, 3, &x); /* anyone may execute */
    ck_assert_ptr_null(proto_jobs_get(w.s, id));
    ck_assert_uint_eq(mw_balance(&w, 2), consumer0 + 800 + fee);
    ck_assert_uint_ge(proto_registry_agent(w.s, 0)->jobs_failed, 1);
    mw_check(&w, "refunded");
    mw_clear(&w);
}
END_TEST

START_TEST(test_settle_refusals)
{
    market_world w;
    guard_world(&w, true, true);
    /* posted, not delivered yet */
    proto_txmsg m = mw_post(2, 1, 0, 1, 800, 10);
    dsw_ok(&w, 2, &m);
    uint64_t early = PROTO_JOB_ID(2, 1);
    const proto_job *j = proto_jobs_get(w.s, early);
    uint32_t guard1 = j->guard, arbiter1 = arbiter_of(&w, j);
    proto_multisig_op op = settle_op(early, true);
    proto_txmsg a = approve(guard1, &op);
    dsw_ok(&w, 0, &a);
    dsw_ok(&w, arbiter1, &a);
    proto_txmsg x = exec(guard1, &op);
    mw_refused(&w, 0, &x, PROTO_MULTISIG_JOB_NOT_DELIVERED);
    /* another job's guard cannot settle it */
    uint64_t other = delivered(&w, 2, 900);
    uint32_t guard2 = proto_jobs_get(w.s, other)->guard;
    ck_assert_uint_ne(guard1, guard2);
    proto_multisig_op wrong = settle_op(early, true);
    proto_txmsg a2 = approve(guard2, &wrong);
    dsw_ok(&w, 0, &a2);
    dsw_ok(&w, 2, &a2);
    proto_txmsg x2 = exec(guard2, &wrong);
    mw_refused(&w, 0, &x2, PROTO_MULTISIG_NOT_GUARD);
    /* a live guard executes nothing else */
    proto_multisig_op th;
    memset(&th, 0, sizeof th);
    th.type = PROTO_MULTISIG_OP_CHANGE_THRESHOLD;
    th.threshold.threshold = 1;
    proto_txmsg a3 = approve(guard2, &th);
    dsw_ok(&w, 0, &a3);
    dsw_ok(&w, 2, &a3);
    proto_txmsg x3 = exec(guard2, &th);
    mw_refused(&w, 0, &x3, PROTO_MULTISIG_GUARD_ONLY);
    mw_check(&w, "refusals");
    mw_clear(&w);
}
END_TEST

START_TEST(test_no_guard_refused)
{
    for (int k = 0; k < 2; k++) {
        market_world w;
        guard_world(&w, k == 0, k == 1); /* no arbiters; then no multisig module */
        proto_txmsg m = mw_post(2, 1, 0, 1, 800, 10);
        mw_refused(&w, 2, &m, PROTO_JOBS_NO_GUARD);
        m = mw_post(2, 1, 0, 1, 100, 10); /* a small job needs no guard */
        dsw_ok(&w, 2, &m);
        mw_clear(&w);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("jobs_guard");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_large_job_guarded_small_not);
    tcase_add_test(tc, test_guarded_needs_the_multisig);
    tcase_add_test(tc, test_provider_and_arbiter_release);
    tcase_add_test(tc, test_consumer_and_arbiter_refund);
    tcase_add_test(tc, test_settle_refusals);
    tcase_add_test(tc, test_no_guard_refused);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
