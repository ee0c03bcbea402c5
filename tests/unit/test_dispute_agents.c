/* Unit tests for the simulator's side of dispute agents: a small PBFT
 * market whose scenario has a [disputes] section, built and run as a
 * whole world (sim/world/chain_agents.c, agents_setup.c, agents.c,
 * agents_market.c).
 *
 *   genesis      the chain attaches the disputes module after the jobs
 *                module, its jurors the juror agents (verifiers, then
 *                arbiters, right after the consumers) with [disputes]
 *                stake each and the scenario's parameters;
 *   agents       jurors are configured as jurors (roles, capacity, no
 *                capability), consumers get [jobs] verify, and the
 *                byzantine faults' false-dispute, lazy and collude land in
 *                the agents' behaviours at `at`;
 *   the run      the jurors register (ACTIVE in the registry at the end),
 *                the agents table names their roles and keeps a juror's
 *                stake from the final state, a wrong-result provider's
 *                work is disputed, and the dispute bonds are booked as
 *                dispute money, not as transaction fees; conservation
 *                holds at every height;
 *   the books    synthetic chain events: a split job pays half the
 *                payment, an upheld one all of it and the fee, an
 *                overturned one nothing; dispute steps book what each
 *                agent paid and got.
 * Without [disputes] the chain has no module (the golden and regression
 * tests pin that nothing else changed). */
#include <check.h>
#include <math.h>
#include <string.h>

#include "protocol/modules/disputes/disputes.h"
#include "protocol/modules/registry/registry.h"
#include "sim/check/market_obs.h"
#include "sim/world/world_internal.h"
#include "support/world_fixture.h"

#define S_NS 1000000000LL
#define DISPUTE_BOND 10000000000ULL /* far above any agent's transaction fees */
#define JUROR_STAKE 7000u

/* Providers a0..a2 (a0 delivers wrong results), consumers a3 and a4 (a4
 * false-dispute), verifiers a5 and a6 (a6 lazy), arbiters a7..a9 (a7..a8
 * collude with a0 and a3). */
static const char market[] = "[scenario]\n"
                             "duration = 40s\n"
                             "[network]\n"
                             "validators = 4\n"
                             "full_nodes = 2\n"
                             "latency = constant 20ms\n"
                             "[consensus]\n"
                             "protocol = pbft\n"
                             "block_interval = 1s\n"
                             "view_timeout = 2s\n"
                             "crypto = fast\n"
                             "[fees]\n"
                             "initial_base_fee = 1\n"
                             "min_base_fee = 0\n"
                             "[workload]\n"
                             "tx_rate = 0/s\n"
                             "accounts = 10\n"
                             "[agents]\n"
                             "providers = 3\n"
                             "consumers = 2\n"
                             "capacity = 2\n"
                             "price = uniform 1600000 2400000\n"
                             "cost = uniform 400000 800000\n"
                             "bond = 10000000000\n"
                             "notice = 1\n"
                             "[jobs]\n"
                             "rate = 1/s\n"
                             "work = constant 1s\n"
                             "deadline = 20s\n"
                             "max_price = 3000000\n"
                             "challenge_window = 10s\n"
                             "verify = 0.5\n"
                             "[disputes]\n"
                             "verifiers = 2\n"
                             "arbiters = 3\n"
                             "bond = 10000000000\n"
                             "panel_max = 7\n"
                             "vote_period = 5s\n"
                             "stake = 7000\n"
                             "[fault wrong]\n"
                             "action = byzantine\n"
                             "at = 0s\n"
                             "nodes = a0\n"
                             "behavior = wrong-result\n"
                             "[fault disputer]\n"
                             "action = byzantine\n"
                             "at = 5s\n"
                             "nodes = a4\n"
                             "behavior = false-dispute\n"
                             "[fault lazy]\n"
                             "action = byzantine\n"
                             "at = 5s\n"
                             "nodes = a6\n"
                             "behavior = lazy\n"
                             "[fault ring]\n"
                             "action = byzantine\n"
                             "at = 5s\n"
                             "nodes = a7..a8\n"
                             "behavior = collude a3 a0\n";

/* The committed state of the live node furthest ahead. */
static const proto_state *final_state(const sim_world *w)
{
    const sim_node_slot *best = NULL;
    for (uint32_t i = 0; i < w->nodes_count; i++) {
        const sim_node_slot *n = &w->nodes[i];
        if (n->up && n->consensus != NULL && (best == NULL || n->final_height > best->final_height))
            best = n;
    }
    ck_assert_ptr_nonnull(best);
    return pbft_node_state(best->consensus);
}

/* The chain's genesis: the module after the jobs module, with the juror
 * agents as jurors in agent order, their roles and stakes. */
START_TEST(test_genesis_jurors)
{
    sim_scenario *sc = NULL;
    sim_world *w = test_world_new("dsim.ini", market, &sc);
    const sim_chain *c = &w->chain;
    ck_assert(c->disputes);
    ck_assert_uint_eq(c->first_juror, 5);
    ck_assert_uint_eq(c->jurors_count, 5);
    ck_assert_uint_eq(c->agents_count, 10);
    ck_assert(proto_jobs_active(c->genesis) && proto_disputes_active(c->genesis));
    const proto_disputes_params *p = proto_disputes_params_of(c->genesis);
    ck_assert_uint_eq(p->bond, DISPUTE_BOND);
    ck_assert_uint_eq(p->panel_max, 7);
    ck_assert_int_eq(p->vote_ns, 5 * S_NS);
    ck_assert_uint_eq(proto_disputes_jurors_count(c->genesis), 5);
    for (uint32_t i = 0; i < 5; i++) {
        uint32_t account = c->first_agent_account + 5 + i;
        const proto_juror *j = proto_disputes_juror(c->genesis, account);
        ck_assert_msg(j != NULL, "a%u is no juror", 5 + i);
        ck_assert_uint_eq(j->roles, i < 2 ? PROTO_JUROR_VERIFIER : PROTO_JUROR_ARBITER);
        ck_assert_uint_eq(j->stake, JUROR_STAKE);
        /* a juror starts like a provider: its bond and the float for gas */
        ck_assert_uint_eq(c->agent_balances[5 + i], 10000000000ULL + SIM_AGENT_PROVIDER_FLOAT);
    }
    ck_assert_ptr_null(proto_disputes_juror(c->genesis, c->first_agent_account + 4));
    ck_assert_uint_eq(proto_disputes_held(c->genesis), 5 * JUROR_STAKE);
    test_world_free(w, sc);

    /* no [disputes]: no module, no jurors */
    g_autofree char *plain = g_strdup(market);
    *strstr(plain, "verify = 0.5\n[disputes]") = '\0';
    sc = NULL;
    w = test_world_new("plain.ini", plain, &sc);
    ck_assert(!w->chain.disputes);
    ck_assert(!proto_disputes_active(w->chain.genesis));
    ck_assert_uint_eq(w->chain.agents_count, 5);
    test_world_free(w, sc);
}
END_TEST

/* How the world configures the jurors and the dispute behaviours. */
START_TEST(test_juror_configs)
{
    sim_scenario *sc = NULL;
    sim_world *w = test_world_new("dsim.ini", market, &sc);
    const sim_agents *ag = &w->agents;
    ck_assert_uint_eq(ag->base_count, 10);
    ck_assert_uint_eq(ag->jurors, 5);
    for (uint32_t k = 5; k < 10; k++) {
        const sim_agent_slot *sl = &ag->slots[k];
        ck_assert_int_eq(sl->cfg.role, PROTO_AGENT_JUROR);
        ck_assert_uint_eq(sl->cfg.juror_roles, k < 7 ? PROTO_JUROR_VERIFIER : PROTO_JUROR_ARBITER);
        ck_assert_str_eq(sim_agent_slot_role(sl), k < 7 ? "verifier" : "arbiter");
        ck_assert_uint_eq(sl->cfg.capacity, 2);
        ck_assert_uint_eq(sl->cfg.capabilities, 0);
        ck_assert_uint_eq(sl->capability, UINT32_MAX);
        ck_assert_uint_eq(sl->cfg.bond, 10000000000ULL);
        ck_assert(sl->speed > 0);
        ck_assert(sl->cost_per_s >= 400000 && sl->cost_per_s <= 800000);
        ck_assert_uint_eq(sl->host, 4 + k % 2);
    }
    ck_assert_uint_eq(ag->slots[3].cfg.verify_ppm, 500000);
    ck_assert_uint_eq(ag->slots[4].cfg.verify_ppm, 500000);
    ck_assert_uint_eq(ag->slots[0].cfg.verify_ppm, 0);
    /* behaviours from `at` (5 s) on, not before */
    ck_assert(!ag->slots[4].cfg.behaviour.false_dispute);
    ck_assert_int_eq(sim_world_run(w, NULL, NULL), SIM_STOP_DURATION);
    ck_assert(ag->slots[4].cfg.behaviour.false_dispute);
    ck_assert(ag->slots[6].cfg.behaviour.lazy);
    ck_assert(!ag->slots[5].cfg.behaviour.lazy);
    for (uint32_t k = 7; k <= 8; k++) {
        const proto_agent_behaviour *b = &ag->slots[k].cfg.behaviour;
        ck_assert_uint_eq(b->collude_count, 2);
        ck_assert_uint_eq(b->collude[0], ag->first_account + 0);
        ck_assert_uint_eq(b->collude[1], ag->first_account + 3);
    }
    ck_assert_uint_eq(ag->slots[9].cfg.behaviour.collude_count, 0);
    test_world_free(w, sc);
}
END_TEST

static const sim_agent_record *agent_row(const sim_world *w, uint32_t k)
{
    const GArray *agents = sim_world_metrics(w)->agents;
    ck_assert_uint_lt(k, agents->len);
    const sim_agent_record *r = &g_array_index(agents, sim_agent_record, k);
    ck_assert_uint_eq(r->agent, k);
    return r;
}

/* The run: jurors registered, the table's roles, stakes and behaviours,
 * the disputes booked as dispute money. */
START_TEST(test_market_with_disputes)
{
    sim_scenario *sc = NULL;
    sim_world *w = test_world_new("dsim.ini", market, &sc);
    ck_assert_int_eq(sim_world_run(w, NULL, NULL), SIM_STOP_DURATION);
    ck_assert(sim_world_safety_held(w));
    ck_assert(sim_world_conservation_held(w, NULL));
    const proto_state *s = final_state(w);
    ck_assert(proto_disputes_active(s));
    ck_assert_uint_eq(proto_disputes_jurors_count(s), 5);
    uint32_t first = w->agents.first_account;
    for (uint32_t k = 5; k < 10; k++) {
        const proto_agent_record *r = proto_registry_agent(s, first + k);
        ck_assert_msg(r != NULL, "juror a%u never registered", k);
        ck_assert_msg(r->status == PROTO_AGENT_ACTIVE, "juror a%u is %s", k,
                      proto_agent_status_name(r->status));
        ck_assert_uint_eq(r->capabilities, 0);
        const sim_agent_record *row = agent_row(w, k);
        ck_assert_str_eq(row->role, k < 7 ? "verifier" : "arbiter");
        ck_assert_ptr_null(row->capability);
        ck_assert(row->money_known && row->stake_known);
        ck_assert_uint_eq(row->stake, proto_disputes_juror(s, first + k)->stake);
        ck_assert(isnan(row->roi));
    }
    ck_assert_str_eq(agent_row(w, 6)->behaviour, "lazy");
    ck_assert_str_eq(agent_row(w, 7)->behaviour, "collude");
    ck_assert_str_eq(agent_row(w, 4)->behaviour, "false-dispute");
    ck_assert_str_eq(agent_row(w, 4)->role, "consumer");
    /* the wrong results were disputed: each opening cost its consumer the
     * bond, booked as dispute money; no agent's fees hold a bond */
    const sim_metrics *m = sim_world_metrics(w);
    ck_assert_uint_gt(m->disputes->len, 0);
    uint64_t consumers_paid = 0;
    for (uint32_t k = 0; k < 10; k++) {
        const sim_agent_record *row = agent_row(w, k);
        ck_assert_msg(row->money_known, "a%u", k);
        ck_assert_msg(row->fees_paid < DISPUTE_BOND, "a%u paid %" G_GUINT64_FORMAT " in fees", k,
                      row->fees_paid);
        ck_assert_msg(k >= 5 || !row->stake_known, "a%u has a stake", k);
        if (k == 3 || k == 4)
            consumers_paid += row->dispute_paid;
    }
    ck_assert_uint_ge(consumers_paid, (uint64_t)m->disputes->len * DISPUTE_BOND);
    test_world_free(w, sc);
}
END_TEST

/* A height's market events as the first node to commit it reports them. */
static void chain_event(sim_world *w, proto_event ev)
{
    static uint64_t height;
    ev.height = ++height;
    sim_agents_on_chain_event(w, 0, &ev);
}

static proto_event job_status(uint32_t provider, uint64_t job, uint32_t status, uint64_t payment)
{
    return (proto_event){.kind = PROTO_EV_JOB_STATUS, .account = provider, .job = job,
                         .status = status, .job_payment = payment};
}

static proto_event dispute_step(uint64_t job, uint32_t step, uint32_t from, uint64_t amount)
{
    return (proto_event){.kind = PROTO_EV_DISPUTE, .job = job, .status = step, .from = from,
                         .amount = amount, .slot = 1, .prev_status = PROTO_RULING_NONE};
}

/* agents_market.c's books from synthetic chain events (the world is
 * built, not run). */
START_TEST(test_dispute_books)
{
    sim_scenario *sc = NULL;
    sim_world *w = test_world_new("dsim.ini", market, &sc);
    sim_agents *ag = &w->agents;
    uint32_t provider = ag->first_account + 1, consumer = ag->first_account + 3;
    uint32_t juror = ag->first_account + 7;
    uint64_t split = PROTO_JOB_ID(consumer, 1), upheld = PROTO_JOB_ID(consumer, 2);
    uint64_t overturned = PROTO_JOB_ID(consumer, 3);
    const uint64_t jobs[] = {split, upheld, overturned};
    const uint64_t payments[] = {1001, 2000, 3000};
    for (int i = 0; i < 3; i++) {
        sim_market_obs_job_posted(ag->obs, jobs[i], 3, 0, S_NS, 1.0);
        chain_event(w, job_status(provider, jobs[i], PROTO_JOB_ACCEPTED, payments[i]));
        chain_event(w, dispute_step(jobs[i], PROTO_DISPUTE_OPENED, consumer, 500));
        chain_event(w, dispute_step(jobs[i], PROTO_DISPUTE_DEFENDED, provider, 500));
    }
    /* the split: bonds back less half the fee each, a juror's share */
    chain_event(w, dispute_step(split, PROTO_DISPUTE_SETTLED, UINT32_MAX, 0));
    chain_event(w, dispute_step(split, PROTO_DISPUTE_PAID, consumer, 375));
    chain_event(w, dispute_step(split, PROTO_DISPUTE_PAID, provider, 375));
    chain_event(w, dispute_step(split, PROTO_DISPUTE_PAID, juror, 250));
    chain_event(w, job_status(provider, split, PROTO_JOB_SPLIT, 1001));
    ck_assert_uint_eq(ag->slots[1].earned, 500);
    ck_assert_uint_eq(ag->slots[3].spent, 500);
    /* upheld: released as a confirmation releases it, the fee included */
    chain_event(w, job_status(provider, upheld, PROTO_JOB_UPHELD, 2000));
    uint64_t fee = proto_jobs_fee(&w->chain.jobs_params, 2000);
    ck_assert_uint_eq(ag->slots[1].earned, 2500);
    ck_assert_uint_eq(ag->slots[3].spent, 500 + 2000 + fee);
    /* overturned: refunded */
    chain_event(w, job_status(provider, overturned, PROTO_JOB_OVERTURNED, 3000));
    ck_assert_uint_eq(ag->slots[1].earned, 2500);
    ck_assert_uint_eq(ag->slots[3].spent, 2500 + fee);
    /* the steps' payers and payees */
    ck_assert_uint_eq(ag->slots[3].dispute_paid, 3 * 500);
    ck_assert_uint_eq(ag->slots[1].dispute_paid, 3 * 500);
    ck_assert_uint_eq(ag->slots[3].dispute_got, 375);
    ck_assert_uint_eq(ag->slots[1].dispute_got, 375);
    ck_assert_uint_eq(ag->slots[7].dispute_got, 250);
    ck_assert_uint_eq(ag->slots[7].dispute_paid, 0);
    /* a step from nobody (UINT32_MAX) or from no agent books nothing */
    chain_event(w, dispute_step(upheld, PROTO_DISPUTE_PAID, 0, 99));
    for (uint32_t k = 0; k < ag->count; k++)
        ck_assert_uint_le(ag->slots[k].dispute_got, 375);
    test_world_free(w, sc);
}
END_TEST

static Suite *dispute_agents_suite(void)
{
    Suite *s = suite_create("dispute_agents");
    TCase *tc = tcase_create("world");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_genesis_jurors);
    tcase_add_test(tc, test_juror_configs);
    tcase_add_test(tc, test_market_with_disputes);
    tcase_add_test(tc, test_dispute_books);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(dispute_agents_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
