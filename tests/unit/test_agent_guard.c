/* Unit tests for the agents' side of guarded jobs (agent_guard.c and
 * the arbiter in agent_juror.c) against the real registry, jobs,
 * multisig and disputes modules in the fake agent world
 * (support/agent_world.h). One provider (0), one consumer (1), three
 * arbiters (2..4); every job is guarded (guard_min_payment 1):
 *   - a right result: consumer and provider approve the release, it
 *     executes, and the provider is paid;
 *   - the consumer goes offline after posting: the provider approves,
 *     shows the arbiter the evidence when the window closes, and the
 *     arbiter's approval releases the job long before the expiry;
 *   - a wrong result: the consumer approves the refund and shows the
 *     evidence, the arbiter agrees, and the consumer is refunded. */
#include <check.h>
#include <glib.h>
#include <string.h>

#include "protocol/agents/agent.h"
#include "protocol/modules/disputes/disputes.h"
#include "protocol/modules/jobs/jobs.h"
#include "protocol/modules/multisig/multisig.h"
#include "protocol/modules/registry/registry.h"
#include "support/agent_world.h"

#define AGENTS 5
#define PROVIDER 0
#define CONSUMER 1
#define T(s) ((int64_t)(s) * AW_BLOCK_NS)

static void world_up(aw_world *w, bool wrong)
{
    proto_agent_role roles[AGENTS] = {PROTO_AGENT_PROVIDER, PROTO_AGENT_CONSUMER,
                                      PROTO_AGENT_JUROR, PROTO_AGENT_JUROR, PROTO_AGENT_JUROR};
    aw_init(w, AGENTS, roles);
    for (uint32_t i = 0; i < AGENTS; i++) {
        w->slots[i].cfg.chain_id = AW_CHAIN_ID;
        if (i >= 2)
            w->slots[i].cfg.juror_roles = PROTO_JUROR_ARBITER;
    }
    w->slots[PROVIDER].cfg.behaviour.wrong_result = wrong;
    proto_jobs_params jp = proto_jobs_defaults();
    jp.challenge_window_ns = T(20);
    jp.accept_timeout_ns = T(15);
    jp.guard_min_payment = 1;
    jp.guard_expiry_ns = T(600);
    aw_genesis_market_with(w, &jp);
    proto_multisig_genesis(w->s, 0, NULL);
    proto_disputes_genesis_juror jurors[3];
    for (uint32_t i = 0; i < 3; i++)
        jurors[i] = (proto_disputes_genesis_juror){
            .account = 2 + i, .roles = PROTO_JUROR_ARBITER, .stake = 5000};
    proto_disputes_params p = proto_disputes_defaults();
    proto_disputes_genesis(w->s, &p, 3, jurors);
    aw_start(w);
    aw_run_until(w, T(5));
    ck_assert_uint_eq(proto_registry_active_count(w->s), AGENTS);
}

/* The outcome the job settled with (PROTO_JOB_NONE: not yet). */
static proto_job_status outcome_of(const aw_world *w, uint64_t job)
{
    for (guint i = 0; i < w->chain_events->len; i++) {
        const proto_event *ev = &g_array_index(w->chain_events, proto_event, i);
        if (ev->kind == PROTO_EV_JOB_STATUS && ev->job == job &&
            proto_job_status_outcome((proto_job_status)ev->status))
            return (proto_job_status)ev->status;
    }
    return PROTO_JOB_NONE;
}

START_TEST(test_agreed_release)
{
    aw_world w;
    world_up(&w, false);
    uint64_t provider0 = aw_balance(&w, PROVIDER);
    uint64_t job = proto_agent_want_job(w.slots[CONSUMER].agent, 0, 2000);
    ck_assert_uint_ne(job, 0);
    aw_run_until(&w, T(5) + AW_BLOCK_NS);
    ck_assert_uint_ne(proto_jobs_get(w.s, job)->guard, 0);
    aw_run_until(&w, T(40));
    ck_assert_int_eq(outcome_of(&w, job), PROTO_JOB_RELEASED);
    ck_assert_uint_eq(aw_balance(&w, PROVIDER), provider0 + 200);
    ck_assert_uint_eq(w.refused, 0);
    aw_clear(&w);
}
END_TEST

START_TEST(test_release_with_consumer_offline)
{
    aw_world w;
    world_up(&w, false);
    uint64_t job = proto_agent_want_job(w.slots[CONSUMER].agent, 0, 2000);
    aw_run_until(&w, T(7)); /* posted, input sent, accepted */
    ck_assert_int_eq(proto_jobs_get(w.s, job)->status, PROTO_JOB_ACCEPTED);
    aw_crash_agent(&w, CONSUMER);
    w.slots[CONSUMER].host_up = false;
    aw_run_until(&w, T(120));
    ck_assert_int_eq(outcome_of(&w, job), PROTO_JOB_RELEASED); /* not the expiry's */
    ck_assert_uint_eq(w.refused, 0);
    aw_clear(&w);
}
END_TEST

START_TEST(test_wrong_result_refunded)
{
    aw_world w;
    world_up(&w, true);
    uint64_t consumer0 = aw_balance(&w, CONSUMER);
    uint64_t job = proto_agent_want_job(w.slots[CONSUMER].agent, 0, 2000);
    aw_run_until(&w, T(120));
    ck_assert_int_eq(outcome_of(&w, job), PROTO_JOB_REJECTED);
    ck_assert_uint_eq(aw_balance(&w, CONSUMER), consumer0);
    ck_assert_uint_eq(w.refused, 0);
    aw_clear(&w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("agent_guard");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_agreed_release);
    tcase_add_test(tc, test_release_with_consumer_offline);
    tcase_add_test(tc, test_wrong_result_refunded);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
