/* Unit tests for the jobs module's refusals (protocol/modules/jobs/
 * jobs.h) on the fake market (support/market_world.h): every refusal
 * by name, each with the state root unchanged, no undo record and no
 * event (mw_refused): a job priced above the balance, a result for a job
 * that is not the sender's, a second result, a result past the deadline,
 * an accept by a non-provider, a reject after the window, stale and
 * foreign job ids, unavailable providers, a provider leaving with open
 * jobs, gas, and a chain without the module. The escrow's happy paths
 * are in test_jobs.c. */
#include <check.h>
#include <glib.h>
#include <string.h>

#include "protocol/chain/tx_exec.h"
#include "support/market_world.h"

#define OK 0u
#define MS 1000000LL

static void send_ok(market_world *w, uint32_t sender, const proto_txmsg *m)
{
    uint32_t r = mw_send(w, sender, m, NULL);
    ck_assert_msg(r == OK, "%s refused: %s", proto_txmsg_type_name(m->type),
                  proto_jobs_result_name(r));
}

START_TEST(test_post_refusals)
{
    market_world w;
    mw_init_market(&w);
    proto_txmsg m = mw_post(2, 1, 0, 1, 9900, 10); /* 9900 + 198 > 10000 */
    mw_refused(&w, 2, &m, PROTO_JOBS_NO_FUNDS);
    m = mw_post(2, 1, 0, 1, UINT64_MAX, 10); /* payment + fee overflows */
    mw_refused(&w, 2, &m, PROTO_JOBS_NO_FUNDS);
    m = mw_post(3, 1, 0, 1, 10, 10);
    mw_refused(&w, 2, &m, PROTO_JOBS_NOT_YOURS);
    m = mw_post(2, 1, 0, 5, 10, 10); /* bit 5 of a chain of 4 */
    mw_refused(&w, 2, &m, PROTO_JOBS_UNKNOWN_CAPABILITY);
    m = mw_post(0, 1, 0, 0, 10, 10);
    mw_refused(&w, 0, &m, PROTO_JOBS_SELF_DEAL);
    m = mw_post(2, 1, 1, 0, 10, 10); /* provider 1 serves bit 2 only */
    mw_refused(&w, 2, &m, PROTO_JOBS_PROVIDER_UNAVAILABLE);
    m = mw_post(2, 1, 3, 0, 10, 10); /* a consumer */
    mw_refused(&w, 2, &m, PROTO_JOBS_PROVIDER_UNAVAILABLE);
    m = mw_post(2, 1, 6, 0, 10, 10); /* no record */
    mw_refused(&w, 2, &m, PROTO_JOBS_PROVIDER_UNAVAILABLE);
    m = mw_post(2, 1, 0, 0, 10, 101);
    mw_refused(&w, 2, &m, PROTO_JOBS_DEADLINE_TOO_LONG);
    m = mw_post(6, 1, 0, 0, 10, 10);
    mw_refused(&w, 6, &m, PROTO_JOBS_NOT_REGISTERED);
    mw_refused(&w, PROTO_ACCOUNT_NONE, &m, PROTO_JOBS_NO_ACCOUNT);
    /* What the decoder refuses, refused again here. */
    m = mw_post(2, 0, 0, 0, 10, 10);
    mw_refused(&w, 2, &m, PROTO_JOBS_BAD_MESSAGE);
    m = mw_post(2, 1, 0, 32, 10, 10);
    mw_refused(&w, 2, &m, PROTO_JOBS_BAD_MESSAGE);
    m = mw_post(2, 1, 0, 0, 0, 10);
    mw_refused(&w, 2, &m, PROTO_JOBS_BAD_MESSAGE);
    m = mw_post(2, 1, 0, 0, 10, 0);
    mw_refused(&w, 2, &m, PROTO_JOBS_BAD_MESSAGE);
    /* Stale sequences. */
    m = mw_post(2, 5, 0, 0, 10, 10);
    send_ok(&w, 2, &m);
    mw_refused(&w, 2, &m, PROTO_JOBS_STALE_SEQ);
    m = mw_post(2, 3, 0, 0, 10, 10);
    mw_refused(&w, 2, &m, PROTO_JOBS_STALE_SEQ);
    /* A consumer or provider that left is not listed. */
    m = mw_deregister(1);
    send_ok(&w, 3, &m);
    send_ok(&w, 1, &m);
    m = mw_post(3, 1, 0, 0, 10, 10);
    mw_refused(&w, 3, &m, PROTO_JOBS_NOT_ACTIVE);
    m = mw_post(2, 6, 1, 2, 10, 10);
    mw_refused(&w, 2, &m, PROTO_JOBS_PROVIDER_UNAVAILABLE);
    ck_assert_uint_eq(w.stats.refused[PROTO_MSG_REFUSED], 19);
    mw_check(&w, "post refusals");
    mw_clear(&w);
}
END_TEST

START_TEST(test_accept_and_result_refusals)
{
    market_world w;
    mw_init_market(&w);
    proto_txmsg m = mw_post(2, 1, 0, 1, 100, 10);
    send_ok(&w, 2, &m);
    uint64_t id = PROTO_JOB_ID(2, 1);
    m = mw_job(PROTO_TXMSG_JOB_ACCEPT, id);
    mw_refused(&w, 1, &m, PROTO_JOBS_NOT_PROVIDER); /* another provider */
    mw_refused(&w, 2, &m, PROTO_JOBS_NOT_PROVIDER); /* the consumer */
    m = mw_job(PROTO_TXMSG_JOB_ACCEPT, PROTO_JOB_ID(2, 9));
    mw_refused(&w, 0, &m, PROTO_JOBS_UNKNOWN_JOB);
    m = mw_job(PROTO_TXMSG_JOB_ACCEPT, PROTO_JOB_ID(2, 0));
    mw_refused(&w, 0, &m, PROTO_JOBS_BAD_MESSAGE);
    m = mw_result(id);
    mw_refused(&w, 0, &m, PROTO_JOBS_WRONG_STATUS); /* not accepted yet */
    m = mw_job(PROTO_TXMSG_JOB_CANCEL, id);
    mw_refused(&w, 0, &m, PROTO_JOBS_NOT_CONSUMER);
    m = mw_job(PROTO_TXMSG_JOB_DECLINE, id);
    mw_refused(&w, 2, &m, PROTO_JOBS_NOT_PROVIDER);
    m = mw_job(PROTO_TXMSG_JOB_ACCEPT, id);
    send_ok(&w, 0, &m);
    mw_refused(&w, 0, &m, PROTO_JOBS_WRONG_STATUS); /* twice */
    m = mw_job(PROTO_TXMSG_JOB_CANCEL, id);
    mw_refused(&w, 2, &m, PROTO_JOBS_WRONG_STATUS); /* too late to cancel */
    m = mw_confirm(id, 50);
    mw_refused(&w, 2, &m, PROTO_JOBS_WRONG_STATUS); /* nothing delivered */
    m = mw_result(id);
    mw_refused(&w, 1, &m, PROTO_JOBS_NOT_PROVIDER); /* a result for a job not yours */
    send_ok(&w, 0, &m);
    mw_refused(&w, 0, &m, PROTO_JOBS_WRONG_STATUS); /* a second result */
    mw_check(&w, "accept and result");
    mw_clear(&w);
}
END_TEST

/* An accept needs its provider ACTIVE: a suspended one must beat first. */
START_TEST(test_accept_needs_active_provider)
{
    market_world w;
    proto_jobs_params jp = mw_jobs_params();
    proto_registry_params rp = mw_registry_params();
    rp.heartbeat_ns = MS;
    proto_registry_genesis_agent agents[2] = {{.account = 0, .capabilities = 1, .capacity = 1,
                                               .price = 1, .bond = 100},
                                              {.account = 2, .bond = 100}};
    memset(agents[0].msg_key.bytes, 1, PROTO_PUBKEY_SIZE);
    memset(agents[1].msg_key.bytes, 2, PROTO_PUBKEY_SIZE);
    mw_init(&w, 4, MW_BALANCE, &rp, 2, agents);
    jp.accept_timeout_ns = 10 * MS;
    mw_jobs(&w, &jp);
    proto_txmsg m = mw_post(2, 1, 0, 0, 100, 10);
    send_ok(&w, 2, &m);
    mw_next(&w, 2 * MS);
    m = mw_heartbeat(1);
    send_ok(&w, 2, &m); /* the consumer stays */
    mw_end_block(&w, NULL);
    ck_assert_int_eq(proto_registry_agent(w.s, 0)->status, PROTO_AGENT_SUSPENDED);
    m = mw_job(PROTO_TXMSG_JOB_ACCEPT, PROTO_JOB_ID(2, 1));
    mw_refused(&w, 0, &m, PROTO_JOBS_NOT_ACTIVE);
    proto_txmsg hb = mw_heartbeat(1);
    send_ok(&w, 0, &hb);
    send_ok(&w, 0, &m);
    mw_check(&w, "accepted after the heartbeat");
    mw_clear(&w);
}
END_TEST

START_TEST(test_reject_after_window)
{
    market_world w;
    mw_init_market(&w);
    proto_txmsg m = mw_post(2, 1, 0, 1, 100, 10);
    send_ok(&w, 2, &m);
    uint64_t id = PROTO_JOB_ID(2, 1);
    m = mw_job(PROTO_TXMSG_JOB_ACCEPT, id);
    send_ok(&w, 0, &m);
    m = mw_result(id);
    send_ok(&w, 0, &m);
    m = mw_job(PROTO_TXMSG_JOB_REJECT, id);
    mw_refused(&w, 0, &m, PROTO_JOBS_NOT_CONSUMER);
    m = mw_confirm(id, 101);
    mw_refused(&w, 2, &m, PROTO_JOBS_BAD_MESSAGE);
    mw_next(&w, mw_jobs_params().challenge_window_ns); /* release_ns, before the end block */
    m = mw_job(PROTO_TXMSG_JOB_REJECT, id);
    mw_refused(&w, 2, &m, PROTO_JOBS_WINDOW_CLOSED);
    mw_end_block(&w, NULL);
    ck_assert_ptr_null(proto_jobs_get(w.s, id));
    ck_assert_uint_eq(mw_balance(&w, 0), MW_BALANCE + 100);
    mw_refused(&w, 2, &m, PROTO_JOBS_UNKNOWN_JOB);
    mw_check(&w, "window");
    mw_clear(&w);
}
END_TEST

START_TEST(test_provider_cannot_leave_with_open_jobs)
{
    market_world w;
    mw_init_market(&w);
    proto_txmsg m = mw_post(2, 1, 0, 1, 100, 10);
    send_ok(&w, 2, &m);
    proto_txmsg leave = mw_deregister(1);
    mw_refused(&w, 0, &leave, PROTO_REGISTRY_HAS_OPEN_JOBS);
    m = mw_job(PROTO_TXMSG_JOB_DECLINE, PROTO_JOB_ID(2, 1));
    send_ok(&w, 0, &m);
    send_ok(&w, 0, &leave);
    /* The consumer may leave with its jobs live: refunds go to its account. */
    m = mw_post(2, 2, 0 + 1, 2, 100, 10);
    send_ok(&w, 2, &m);
    send_ok(&w, 2, &leave);
    m = mw_job(PROTO_TXMSG_JOB_CANCEL, PROTO_JOB_ID(2, 2));
    send_ok(&w, 2, &m);
    ck_assert_uint_eq(mw_balance(&w, 2), MW_BALANCE);
    mw_check(&w, "left");
    mw_clear(&w);
}
END_TEST

START_TEST(test_gas)
{
    market_world w;
    mw_init_market(&w);
    proto_gas_schedule prices = proto_gas_schedule_default();
    uint64_t need = proto_jobs_msg_gas(&prices, PROTO_TXMSG_JOB_POST);
    /* Both agent records read and written, the new job written, the
     * escrow read and written; the sender's account is the ante's. */
    uint64_t agent =
        proto_gas_read_write_cost(&prices, PROTO_REGISTRY_KEY_SIZE, PROTO_REGISTRY_VALUE_SIZE);
    uint64_t job_write = proto_gas_write_cost(&prices, PROTO_JOBS_KEY_SIZE, PROTO_JOBS_VALUE_SIZE);
    uint64_t escrow = proto_gas_read_write_cost(&prices, PROTO_MODULE_TOTAL_KEY_SIZE,
                                                PROTO_MODULE_TOTAL_VALUE_SIZE);
    ck_assert_uint_eq(need, 2 * agent + job_write + escrow);
    ck_assert_uint_eq(proto_jobs_msg_gas(&prices, PROTO_TXMSG_JOB_RESULT),
                      proto_gas_read_write_cost(&prices, PROTO_JOBS_KEY_SIZE,
                                                PROTO_JOBS_VALUE_SIZE));
    proto_txmsg m = mw_post(2, 1, 0, 1, 100, 10);
    proto_hash before, after;
    mw_root(&w, &before);
    proto_gas_meter gas;
    proto_gas_meter_init(&gas, need - 1);
    proto_msg_ctx ctx = {.gas = &gas, .gas_prices = &prices, .sender = 2, .time_ns = w.time_ns};
    proto_msg_result r = proto_state_deliver(w.s, &ctx, m.type, &m);
    ck_assert_str_eq(proto_msg_result_name(r), "out_of_gas");
    mw_root(&w, &after);
    ck_assert_mem_eq(before.bytes, after.bytes, PROTO_HASH_SIZE);
    proto_gas_meter_init(&gas, need);
    r = proto_state_deliver(w.s, &ctx, m.type, &m);
    ck_assert_int_eq(r.status, PROTO_MSG_OK);
    ck_assert_uint_eq(gas.consumed, need);
    mw_check(&w, "gas");
    mw_clear(&w);
}
END_TEST

/* A chain with the registry and without jobs refuses job messages as
 * no_state; its roots do not depend on the jobs module existing. */
START_TEST(test_absent)
{
    market_world w;
    proto_registry_params rp = mw_registry_params();
    mw_init(&w, 4, MW_BALANCE, &rp, 0, NULL);
    proto_txmsg m = mw_post(2, 1, 0, 1, 100, 10);
    proto_gas_meter gas;
    proto_gas_meter_init(&gas, UINT64_MAX);
    proto_msg_ctx ctx = {.gas = &gas, .sender = 2, .time_ns = w.time_ns};
    ck_assert_int_eq(proto_state_deliver(w.s, &ctx, m.type, &m).status, PROTO_MSG_NO_STATE);
    ck_assert_ptr_null(proto_jobs_get(w.s, PROTO_JOB_ID(2, 1)));
    ck_assert_uint_eq(proto_jobs_count(w.s), 0);
    ck_assert_uint_eq(proto_jobs_escrow(w.s), 0);
    ck_assert_ptr_null(proto_jobs_params_of(w.s));
    mw_end_block(&w, NULL);
    mw_check(&w, "absent");
    mw_clear(&w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("jobs_refusals");
    TCase *tc = tcase_create("refusals");
    tcase_add_test(tc, test_post_refusals);
    tcase_add_test(tc, test_accept_and_result_refusals);
    tcase_add_test(tc, test_accept_needs_active_provider);
    tcase_add_test(tc, test_reject_after_window);
    tcase_add_test(tc, test_provider_cannot_leave_with_open_jobs);
    tcase_add_test(tc, test_gas);
    tcase_add_test(tc, test_absent);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
