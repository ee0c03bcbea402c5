/* Unit tests for the agent state machine (protocol/agents/agent.h)
 * against the real registry and jobs modules, in the fake agent world
 * (support/agent_world.h: blocks each second, a network that hands
 * sealed bytes over at the next step, a compute that takes work_ms, a
 * store per agent). Small enough to read every step:
 *   - two agents register themselves and a job goes post -> input ->
 *     accept -> compute -> result -> confirm, paying the provider once;
 *   - a wrong-result provider is noticed, rejected and the consumer
 *     refunded, and the consumer then avoids it;
 *   - a no-show provider misses the deadline: refund and slash;
 *   - the consumer's host crashes mid-job: the agent is rebuilt from its
 *     store and the job still completes;
 *   - a tampered and a replayed sealed message are refused and counted;
 *   - a provider leaves (DEREGISTERED), its bond comes back after the
 *     unbond delay (RETIRED), it rejoins and is ACTIVE again;
 *   - the same run twice gives the same state root. */
#include <check.h>
#include <glib.h>
#include <string.h>

#include "protocol/agents/agent.h"
#include "protocol/chain/module.h"
#include "protocol/modules/jobs/jobs.h"
#include "protocol/modules/registry/registry.h"
#include "support/agent_world.h"

#define AGENTS 3 /* 0, 1: providers; 2: the consumer */
#define BLOCK_NS AW_BLOCK_NS

typedef aw_world world;

static void world_init(world *w, proto_agent_behaviour provider0)
{
    static const proto_agent_role roles[AGENTS] = {PROTO_AGENT_PROVIDER, PROTO_AGENT_PROVIDER,
                                                   PROTO_AGENT_CONSUMER};
    aw_init(w, AGENTS, roles);
    w->slots[0].cfg.behaviour = provider0;
    aw_genesis_market(w);
    aw_start(w);
}

#define world_clear aw_clear
#define run_until aw_run_until
#define balance aw_balance
#define supply_now aw_supply
#define start_agent aw_start_agent
#define crash_agent aw_crash_agent

START_TEST(test_job_completes_and_pays_once)
{
    world w;
    world_init(&w, (proto_agent_behaviour){0});
    uint64_t supply = supply_now(&w);
    run_until(&w, 5 * BLOCK_NS); /* everyone registered */
    ck_assert_uint_eq(proto_registry_active_count(w.s), AGENTS);
    uint64_t before0 = balance(&w, 0), before1 = balance(&w, 1);
    uint64_t job = proto_agent_want_job(w.slots[2].agent, 0, 2000);
    ck_assert_uint_ne(job, 0);
    run_until(&w, 60 * BLOCK_NS);
    ck_assert_ptr_null(proto_jobs_get(w.s, job)); /* settled */
    uint64_t earned = balance(&w, 0) - before0 + balance(&w, 1) - before1;
    ck_assert(earned == 200 || earned == 220); /* price x 2 s, to whichever was drawn */
    ck_assert_uint_eq(proto_jobs_escrow(w.s), 0);
    ck_assert_uint_eq(supply_now(&w), supply);
    const proto_agent_stats *st = proto_agent_stats_of(w.slots[2].agent);
    ck_assert_uint_eq(st->jobs_posted, 1);
    ck_assert_uint_eq(st->msgs_refused, 0);
    world_clear(&w);
}
END_TEST

/* Consumer posts until provider 0 (the bad one) gets a job. */
static uint64_t job_for(world *w, uint32_t provider, int64_t *t)
{
    for (int k = 0; k < 40; k++) {
        uint64_t job = proto_agent_want_job(w->slots[2].agent, 0, 1000);
        ck_assert_uint_ne(job, 0);
        run_until(w, *t += 2 * BLOCK_NS);
        const proto_job *jb = proto_jobs_get(w->s, job);
        if (jb != NULL && jb->provider == provider)
            return job;
        run_until(w, *t += 60 * BLOCK_NS); /* let it finish */
    }
    ck_abort_msg("provider %u never drawn", provider);
    return 0;
}

START_TEST(test_wrong_result_rejected_and_avoided)
{
    world w;
    world_init(&w, (proto_agent_behaviour){.wrong_result = true});
    int64_t t = 5 * BLOCK_NS;
    run_until(&w, t);
    uint64_t consumer_before = balance(&w, 2);
    uint64_t job = job_for(&w, 0, &t);
    run_until(&w, t += 60 * BLOCK_NS);
    ck_assert_ptr_null(proto_jobs_get(w.s, job));
    const proto_agent_record *p0 = proto_registry_agent(w.s, 0);
    ck_assert_uint_ge(p0->jobs_failed, 1);
    (void)consumer_before;
    /* Blocked now: every later job goes to provider 1. */
    for (int k = 0; k < 5; k++) {
        uint64_t next = proto_agent_want_job(w.slots[2].agent, 0, 1000);
        run_until(&w, t += 3 * BLOCK_NS);
        const proto_job *jb = proto_jobs_get(w.s, next);
        ck_assert(jb == NULL || jb->provider == 1);
        run_until(&w, t += 40 * BLOCK_NS);
    }
    /* The reputation epochs (every 60 s, alpha 0.2): all the trust that
     * leaves the one consumer goes to the provider it confirmed, none to
     * the one it rejected. The consumer's own share c solves
     * c = 0.2 + 0.8 x 0.8 c (the dangling provider's trust teleports
     * back to it): c = 5/9, the good provider 4/9. */
    const proto_agent_record *bad = proto_registry_agent(w.s, 0);
    const proto_agent_record *good = proto_registry_agent(w.s, 1);
    ck_assert_uint_eq(bad->reputation, 0);
    ck_assert_uint_ge(good->reputation, PROTO_REGISTRY_TRUST_ONE * 4 / 9 - 1000);
    ck_assert_uint_le(good->reputation, PROTO_REGISTRY_TRUST_ONE * 4 / 9 + 1000);
    world_clear(&w);
}
END_TEST

START_TEST(test_no_show_refunded_and_slashed)
{
    world w;
    world_init(&w, (proto_agent_behaviour){.no_show = true});
    int64_t t = 5 * BLOCK_NS;
    run_until(&w, t);
    uint64_t supply = supply_now(&w);
    uint64_t job = job_for(&w, 0, &t);
    run_until(&w, t += 45 * BLOCK_NS); /* past the 30 s deadline */
    ck_assert_ptr_null(proto_jobs_get(w.s, job));
    const proto_agent_record *p0 = proto_registry_agent(w.s, 0);
    ck_assert_uint_gt(p0->slashed, 0);
    ck_assert_uint_eq(supply_now(&w), supply); /* burned counted in the supply */
    world_clear(&w);
}
END_TEST

START_TEST(test_consumer_survives_crash)
{
    world w;
    world_init(&w, (proto_agent_behaviour){0});
    run_until(&w, 5 * BLOCK_NS);
    uint64_t job = proto_agent_want_job(w.slots[2].agent, 0, 5000);
    ck_assert_uint_ne(job, 0);
    run_until(&w, 8 * BLOCK_NS); /* accepted, computing */
    crash_agent(&w, 2);
    w.slots[2].host_up = false;
    run_until(&w, 12 * BLOCK_NS);
    w.slots[2].host_up = true;
    start_agent(&w, 2); /* from its store */
    run_until(&w, 60 * BLOCK_NS);
    ck_assert_ptr_null(proto_jobs_get(w.s, job));
    const proto_agent_record *p0 = proto_registry_agent(w.s, 0);
    const proto_agent_record *p1 = proto_registry_agent(w.s, 1);
    ck_assert_uint_eq(p0->jobs_done + p1->jobs_done, 1);
    world_clear(&w);
}
END_TEST

START_TEST(test_tampered_and_replayed_refused)
{
    world w;
    world_init(&w, (proto_agent_behaviour){0});
    run_until(&w, 5 * BLOCK_NS);
    w.tamper_next = true;
    uint64_t job = proto_agent_want_job(w.slots[2].agent, 0, 1000);
    ck_assert_uint_ne(job, 0);
    run_until(&w, 7 * BLOCK_NS);
    uint64_t refused = proto_agent_stats_of(w.slots[0].agent)->msgs_refused +
                       proto_agent_stats_of(w.slots[1].agent)->msgs_refused;
    ck_assert_uint_eq(refused, 1);
    w.replay_next = true;
    run_until(&w, 60 * BLOCK_NS);
    refused = proto_agent_stats_of(w.slots[2].agent)->msgs_refused;
    ck_assert_uint_ge(refused, 1); /* the result's duplicate */
    ck_assert_ptr_null(proto_jobs_get(w.s, job)); /* and the job still completed */
    world_clear(&w);
}
END_TEST

START_TEST(test_leave_and_rejoin)
{
    world w;
    world_init(&w, (proto_agent_behaviour){0});
    run_until(&w, 5 * BLOCK_NS);
    uint64_t bonded = balance(&w, 1);
    proto_agent_leave(w.slots[1].agent);
    run_until(&w, 8 * BLOCK_NS);
    ck_assert_int_eq(proto_registry_agent(w.s, 1)->status, PROTO_AGENT_DEREGISTERED);
    /* Leaving, it takes no work: every job goes to provider 0. */
    uint64_t job = proto_agent_want_job(w.slots[2].agent, 0, 1000);
    run_until(&w, 10 * BLOCK_NS);
    const proto_job *jb = proto_jobs_get(w.s, job);
    ck_assert(jb == NULL || jb->provider == 0);
    run_until(&w, 25 * BLOCK_NS); /* past the 10 s unbond delay */
    const proto_agent_record *me = proto_registry_agent(w.s, 1);
    ck_assert_int_eq(me->status, PROTO_AGENT_RETIRED);
    ck_assert_uint_eq(me->bond, 0);
    ck_assert_uint_eq(balance(&w, 1), bonded + 1000); /* the bond came back */
    proto_agent_rejoin(w.slots[1].agent);
    run_until(&w, 28 * BLOCK_NS);
    me = proto_registry_agent(w.s, 1);
    ck_assert_int_eq(me->status, PROTO_AGENT_ACTIVE);
    ck_assert_uint_eq(me->bond, 1000);
    run_until(&w, 60 * BLOCK_NS); /* heartbeats keep it listed */
    ck_assert_int_eq(proto_registry_agent(w.s, 1)->status, PROTO_AGENT_ACTIVE);
    ck_assert_uint_eq(proto_registry_active_count(w.s), AGENTS);
    world_clear(&w);
}
END_TEST

START_TEST(test_deterministic)
{
    proto_hash roots[2];
    for (int run = 0; run < 2; run++) {
        world w;
        world_init(&w, (proto_agent_behaviour){0});
        run_until(&w, 5 * BLOCK_NS);
        for (int k = 0; k < 4; k++) {
            proto_agent_want_job(w.slots[2].agent, 0, 1500);
            run_until(&w, (6 + 3 * k) * BLOCK_NS);
        }
        run_until(&w, 80 * BLOCK_NS);
        proto_state_root(w.s, &roots[run]);
        world_clear(&w);
    }
    ck_assert_mem_eq(roots[0].bytes, roots[1].bytes, PROTO_HASH_SIZE);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("agent");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_job_completes_and_pays_once);
    tcase_add_test(tc, test_wrong_result_rejected_and_avoided);
    tcase_add_test(tc, test_no_show_refunded_and_slashed);
    tcase_add_test(tc, test_consumer_survives_crash);
    tcase_add_test(tc, test_tampered_and_replayed_refused);
    tcase_add_test(tc, test_leave_and_rejoin);
    tcase_add_test(tc, test_deterministic);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
