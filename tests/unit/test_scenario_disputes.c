/* Unit tests for reading [disputes] (sim/scenario/scenario_disputes.c),
 * the juror agents it adds after the consumers (names, roles, hosts), the
 * dispute behaviours of byzantine faults (false-dispute, lazy, collude;
 * sim/scenario/scenario_fault.c) and [jobs] verify's need of verifiers.
 * Accepted files are checked for the exact values they leave in the
 * scenario; refused ones for the whole "FILE:LINE: key: " location and
 * the reason, as docs/scenarios.md states them. */
#include <check.h>
#include <glib.h>
#include <string.h>

#include "protocol/agents/agent.h"
#include "sim/scenario/scenario.h"
#include "support/scenario_text.h"

#define S_NS 1000000000LL

/* 4 validators, 3 full nodes; 8 providers (a0..a7), 2 consumers (a8,
 * a9); [jobs]; [disputes] on line 9, its first key on line 10. */
#define DHEAD                                                                               \
    "[network]\nvalidators = 4\nfull_nodes = 3\n[agents]\nproviders = 8\nconsumers = 2\n"   \
    "[jobs]\nrate = 1/s\n[disputes]\n"
/* That with 2 verifiers (a10, a11) and 3 arbiters (a12..a14) on lines 10
 * and 11: a fault's section starts on line 12. */
#define JHEAD DHEAD "verifiers = 2\narbiters = 3\n"

static sim_scenario *parse_ok(const char *text)
{
    return st_parse_ok("dir/d.ini", text);
}

static void parse_bad(const char *text, int code, const char *want_prefix, const char *want_reason)
{
    st_parse_bad("dir/d.ini", text, code, want_prefix, want_reason);
}

/* DHEAD then `rest` (from line 10) must fail with a value error. */
static void disputes_bad(const char *rest, const char *prefix, const char *reason)
{
    g_autofree char *text = g_strconcat(DHEAD, rest, NULL);
    parse_bad(text, SIM_SCENARIO_ERROR_VALUE, prefix, reason);
}

START_TEST(test_defaults)
{
    sim_scenario *s = parse_ok(DHEAD "verifiers = 1\n");
    const sim_disputes_options *d = &s->disputes_opt;
    proto_disputes_params want = proto_disputes_defaults();
    ck_assert(d->declared);
    ck_assert_uint_eq(d->verifiers, 1);
    ck_assert_uint_eq(d->arbiters, 0);
    ck_assert_uint_eq(d->params.verifiers, 1);
    ck_assert_uint_eq(d->params.panel, 3);
    ck_assert_uint_eq(d->params.panel_max, 15);
    ck_assert_uint_eq(d->params.bond, want.bond);
    ck_assert_uint_eq(d->params.fee_permille, 500);
    ck_assert_int_eq(d->params.response_ns, 20 * S_NS);
    ck_assert_int_eq(d->params.verify_ns, 20 * S_NS);
    ck_assert_int_eq(d->params.vote_ns, 20 * S_NS);
    ck_assert_int_eq(d->params.appeal_ns, 20 * S_NS);
    ck_assert_uint_eq(d->params.seat_fee, want.seat_fee);
    ck_assert_uint_eq(d->params.stake_at_risk, want.stake_at_risk);
    ck_assert(!d->stake_given);
    ck_assert_uint_eq(d->stake, 10 * want.stake_at_risk);
    ck_assert(proto_disputes_params_valid(&d->params));
    /* the one verifier is a10, after the consumers, on the round robin */
    ck_assert_uint_eq(sim_scenario_agent_count(s), 11);
    ck_assert_uint_eq(sim_scenario_jurors(s), 1);
    ck_assert_str_eq(sim_scenario_agent_role(s, 9), "consumer");
    ck_assert_str_eq(sim_scenario_agent_role(s, 10), "verifier");
    ck_assert_uint_eq(sim_scenario_agent_host(s, 10), 4 + 10 % 3);
    ck_assert_uint_eq(sim_scenario_agent_capability(s, 10), UINT32_MAX);
    sim_scenario_free(s);

    /* no section: no module, no jurors, the agents as before */
    s = parse_ok("[network]\nvalidators = 4\nfull_nodes = 3\n[agents]\nproviders = 8\n"
                 "consumers = 2\n[jobs]\nrate = 1/s\n");
    ck_assert(!s->disputes_opt.declared);
    ck_assert_uint_eq(sim_scenario_jurors(s), 0);
    ck_assert_uint_eq(sim_scenario_agent_count(s), 10);
    uint64_t plain_balance = s->agents_opt.consumer_balance;
    sim_scenario_free(s);
    /* a consumer's default balance covers disputing its jobs */
    s = parse_ok(DHEAD "arbiters = 3\n");
    ck_assert_uint_gt(s->agents_opt.consumer_balance, plain_balance);
    sim_scenario_free(s);
}
END_TEST

START_TEST(test_values_as_written)
{
    sim_scenario *s = parse_ok(DHEAD "arbiters = 7\nverifiers = 3\nverifier_seats = 2\n"
                                     "panel = 5\npanel_max = 11\nbond = 25000\nfee = 0.25\n"
                                     "response_period = 30s\nverify_period = 1min\n"
                                     "vote_period = 5s\nappeal_period = 500ms\nseat_fee = 7\n"
                                     "stake_at_risk = 40\nstake = 123456\n");
    const sim_disputes_options *d = &s->disputes_opt;
    ck_assert_uint_eq(d->arbiters, 7);
    ck_assert_uint_eq(d->verifiers, 3);
    ck_assert_uint_eq(d->params.verifiers, 2);
    ck_assert_uint_eq(d->params.panel, 5);
    ck_assert_uint_eq(d->params.panel_max, 11);
    ck_assert_uint_eq(d->params.bond, 25000);
    ck_assert_uint_eq(d->params.fee_permille, 250);
    ck_assert_int_eq(d->params.response_ns, 30 * S_NS);
    ck_assert_int_eq(d->params.verify_ns, 60 * S_NS);
    ck_assert_int_eq(d->params.vote_ns, 5 * S_NS);
    ck_assert_int_eq(d->params.appeal_ns, S_NS / 2);
    ck_assert_uint_eq(d->params.seat_fee, 7);
    ck_assert_uint_eq(d->params.stake_at_risk, 40);
    ck_assert(d->stake_given);
    ck_assert_uint_eq(d->stake, 123456);
    /* verifiers a10..a12, then arbiters a13..a19 */
    ck_assert_uint_eq(sim_scenario_agent_count(s), 20);
    ck_assert_str_eq(sim_scenario_agent_role(s, 12), "verifier");
    ck_assert_str_eq(sim_scenario_agent_role(s, 13), "arbiter");
    ck_assert_str_eq(sim_scenario_agent_role(s, 19), "arbiter");
    sim_scenario_free(s);
    /* a fee finer than a per mille is rounded down; 1 takes the whole bond */
    s = parse_ok(DHEAD "fee = 0.0015\n");
    ck_assert_uint_eq(s->disputes_opt.params.fee_permille, 1);
    sim_scenario_free(s);
    s = parse_ok(DHEAD "fee = 1\nverifier_seats = 0\npanel = 63\npanel_max = 63\n");
    ck_assert_uint_eq(s->disputes_opt.params.fee_permille, 1000);
    ck_assert_uint_eq(s->disputes_opt.params.verifiers, 0);
    sim_scenario_free(s);
    /* the default stake follows stake_at_risk, at least 1 */
    s = parse_ok(DHEAD "stake_at_risk = 0\n");
    ck_assert_uint_eq(s->disputes_opt.stake, 1);
    sim_scenario_free(s);
}
END_TEST

START_TEST(test_value_errors)
{
    parse_bad(DHEAD "panle = 3\n", SIM_SCENARIO_ERROR_KEY, "dir/d.ini:10: panle: ",
              "unknown key in [disputes]; did you mean 'panel'?");
    disputes_bad("panel = three\n", "dir/d.ini:10: panel: ", "bad integer 'three'");
    disputes_bad("arbiters = -1\n", "dir/d.ini:10: arbiters: ", "must not be negative");
    disputes_bad("bond = 0\n", "dir/d.ini:10: bond: ", "out of range");
    disputes_bad("panel = 0\n", "dir/d.ini:10: panel: ", "out of range");
    disputes_bad("vote_period = 0s\n", "dir/d.ini:10: vote_period: ", "must be > 0");
    disputes_bad("appeal_period = 10\n", "dir/d.ini:10: appeal_period: ", "bad duration");
    disputes_bad("fee = 1.5\n", "dir/d.ini:10: fee: ", "bad fraction '1.5': must be in [0, 1]");
    disputes_bad("fee = half\n", "dir/d.ini:10: fee: ", "bad fraction 'half'");
    disputes_bad("stake = 0\n", "dir/d.ini:10: stake: ", "out of range");
    /* seats */
    disputes_bad("panel = 5\npanel_max = 3\n", "dir/d.ini:11: panel_max: ",
                 "panel_max must be >= panel (3 < 5)");
    disputes_bad("panel = 20\n", "dir/d.ini:10: panel: ", "panel_max must be >= panel (15 < 20)");
    disputes_bad("panel = 64\npanel_max = 64\n", "dir/d.ini:10: panel: ",
                 "64 seats is above 63, the most one round may seat");
    disputes_bad("panel_max = 100\n", "dir/d.ini:10: panel_max: ", "100 seats is above 63");
    disputes_bad("verifier_seats = 64\n", "dir/d.ini:10: verifier_seats: ",
                 "64 seats is above 63");
    disputes_bad("panel = 1\npanel_max = 63\n", "dir/d.ini:11: panel_max: ",
                 "panels from 1 seats growing 2n + 1 up to 63 take 7 rounds with tier 1, above "
                 "the 6 a dispute may have");
    /* jurors */
    disputes_bad("verifiers = 200\narbiters = 57\n", "dir/d.ini:11: arbiters: ",
                 "too many jurors: verifiers + arbiters = 257, above 256");
    disputes_bad("verifiers = 300\n", "dir/d.ini:10: verifiers: ", "too many jurors");
    parse_bad("[network]\nvalidators = 4\nfull_nodes = 3\n[agents]\nproviders = 99990\n"
              "consumers = 5\n[jobs]\nrate = 1/s\n[disputes]\nverifiers = 6\n",
              SIM_SCENARIO_ERROR_VALUE, "dir/d.ini:10: verifiers: ",
              "providers + consumers + verifiers + arbiters = 100001, above 100000 agents");
    disputes_bad("verifiers = 200\nstake = 1000000000000000000\n", "dir/d.ini:11: stake: ",
                 "200 jurors with 1000000000000000000 each stake more than 10^18");
}
END_TEST

START_TEST(test_section_errors)
{
    parse_bad("[network]\nvalidators = 4\n[disputes]\nverifiers = 1\n", SIM_SCENARIO_ERROR_KEY,
              "dir/d.ini:3: [disputes]: ",
              "disputes are about jobs between agents: add an [agents] section");
    parse_bad("[network]\nvalidators = 4\nfull_nodes = 2\n[agents]\nproviders = 2\n"
              "consumers = 1\n[disputes]\nverifiers = 1\n",
              SIM_SCENARIO_ERROR_KEY, "dir/d.ini:7: [disputes]: ",
              "disputes are about jobs: add a [jobs] section");
    parse_bad(DHEAD "verifiers = 1\n[disputes]\n", SIM_SCENARIO_ERROR_SYNTAX,
              "dir/d.ini:11: [disputes]: ", "duplicate section (first at line 9)");
    parse_bad("[disputse]\n", SIM_SCENARIO_ERROR_KEY, "dir/d.ini:1: [disputse]: ",
              "did you mean [disputes]?");
    /* verify needs verifiers: without the section, or with arbiters only */
    parse_bad("[network]\nvalidators = 4\nfull_nodes = 2\n[agents]\nproviders = 2\n"
              "consumers = 1\n[jobs]\nverify = 0.1\n",
              SIM_SCENARIO_ERROR_VALUE, "dir/d.ini:8: verify: ",
              "consumers have results re-run by verifier agents, and there are none");
    parse_bad("[network]\nvalidators = 4\nfull_nodes = 2\n[agents]\nproviders = 2\n"
              "consumers = 1\n[jobs]\nverify = 0.5\n[disputes]\narbiters = 3\n",
              SIM_SCENARIO_ERROR_VALUE, "dir/d.ini:8: verify: ", "add [disputes] with verifiers");
    sim_scenario *s = parse_ok("[network]\nvalidators = 4\nfull_nodes = 2\n[agents]\n"
                               "providers = 2\nconsumers = 1\n[jobs]\nverify = 0.5\n"
                               "[disputes]\nverifiers = 1\n");
    ck_assert(s->jobs_opt.verify == 0.5);
    sim_scenario_free(s);
    /* guarded jobs need an arbiter */
    parse_bad("[network]\nvalidators = 4\nfull_nodes = 2\n[agents]\nproviders = 2\n"
              "consumers = 1\n[jobs]\nguard_above = 100\n[disputes]\nverifiers = 1\n",
              SIM_SCENARIO_ERROR_VALUE, "dir/d.ini:8: guard_above: ",
              "a guarded job's multisig needs an arbiter, and there are none");
    s = parse_ok("[network]\nvalidators = 4\nfull_nodes = 2\n[agents]\nproviders = 2\n"
                 "consumers = 1\n[jobs]\nguard_above = 100\nguard_expiry = 45s\n"
                 "[disputes]\narbiters = 3\n");
    ck_assert_uint_eq(s->jobs_opt.guard_above, 100);
    ck_assert_int_eq(s->jobs_opt.guard_expiry_ns, 45 * S_NS);
    sim_scenario_free(s);
}
END_TEST

/* A byzantine fault on line 12 (JHEAD): nodes on line 15, behavior on 16. */
static char *fault_text(const char *nodes, const char *behavior)
{
    return g_strdup_printf(JHEAD "[fault f]\naction = byzantine\nat = 1s\nnodes = %s\n"
                                 "behavior = %s\n",
                           nodes, behavior);
}

static sim_scenario *fault_ok(const char *nodes, const char *behavior)
{
    g_autofree char *text = fault_text(nodes, behavior);
    return parse_ok(text);
}

static void fault_bad(const char *nodes, const char *behavior, const char *prefix,
                      const char *reason)
{
    g_autofree char *text = fault_text(nodes, behavior);
    parse_bad(text, SIM_SCENARIO_ERROR_VALUE, prefix, reason);
}

static const sim_fault *first_fault(const sim_scenario *s)
{
    return g_ptr_array_index(s->faults, 0);
}

START_TEST(test_behaviors)
{
    sim_scenario *s = fault_ok("a8..a9", "false-dispute");
    ck_assert_str_eq(first_fault(s)->behavior, "false-dispute");
    ck_assert_uint_eq(first_fault(s)->agents->len, 2);
    ck_assert_uint_eq(first_fault(s)->collude->len, 0);
    sim_scenario_free(s);
    s = fault_ok("a10 a12..a14", "lazy");
    ck_assert_str_eq(first_fault(s)->behavior, "lazy");
    ck_assert_uint_eq(first_fault(s)->agents->len, 4);
    sim_scenario_free(s);
    /* the parties sorted and distinct, whatever the order written */
    s = fault_ok("a13", "collude a8 a2, a0..a1");
    const sim_fault *f = first_fault(s);
    ck_assert_str_eq(f->behavior, "collude");
    ck_assert_uint_eq(f->collude->len, 4);
    static const uint32_t want[] = {0, 1, 2, 8};
    for (guint i = 0; i < 4; i++)
        ck_assert_uint_eq(g_array_index(f->collude, uint32_t, i), want[i]);
    sim_scenario_free(s);
    s = fault_ok("a10..a14", "collude a0..a7");
    ck_assert_uint_eq(first_fault(s)->collude->len, PROTO_AGENT_COLLUDE_MAX);
    sim_scenario_free(s);

    /* wrong roles: the agent and its role, and who may */
    fault_bad("a3", "false-dispute", "dir/d.ini:15: nodes: ",
              "false-dispute: a3 is a provider (only consumers, a8..a9, dispute results)");
    fault_bad("a12", "false-dispute", "dir/d.ini:15: nodes: ",
              "false-dispute: a12 is an arbiter (only consumers, a8..a9");
    fault_bad("a9", "lazy", "dir/d.ini:15: nodes: ",
              "lazy: a9 is a consumer (only jurors, a10..a14, vote on disputes)");
    fault_bad("a0", "collude a8", "dir/d.ini:15: nodes: ", "collude: a0 is a provider");
    fault_bad("a10", "wrong-result", "dir/d.ini:15: nodes: ",
              "wrong-result: a10 is a verifier (only providers, a0..a7, do jobs)");
    fault_bad("a11", "sybil 2", "dir/d.ini:15: nodes: ", "sybil: a11 is a verifier");
    fault_bad("agents", "lazy", "dir/d.ini:15: nodes: ", "lazy: a0 is a provider");
    fault_bad("v1", "lazy", "dir/d.ini:15: nodes: ", "lazy is an agent's behaviour, and v1 is "
                                                     "a node");
    fault_bad("a10", "equivocate", "dir/d.ini:15: nodes: ",
              "equivocate is a node's behaviour, and a10 is an agent");
    /* collude's names */
    fault_bad("a12", "collude", "dir/d.ini:16: behavior: ",
              "collude needs a value (like collude a0 a5)");
    fault_bad("a12", "collude a15", "dir/d.ini:16: behavior: ",
              "collude: a15 names no agent (agents are a0..a14: providers, consumers, "
              "verifiers then arbiters)");
    fault_bad("a12", "collude a0..a8", "dir/d.ini:16: behavior: ",
              "collude names 9 agents, more than 8");
    fault_bad("a12", "collude agents", "dir/d.ini:16: behavior: ",
              "collude names 15 agents, more than 8");
    fault_bad("a12", "collude a1 a1", "dir/d.ini:16: behavior: ",
              "collude: a1 is named twice");
    fault_bad("a12", "collude v1 a0", "dir/d.ini:16: behavior: ",
              "collude names the agents the jurors side with, and v1 is a node");
    fault_bad("a12", "collude bob", "dir/d.ini:16: behavior: ", "collude: bad node name 'bob'");
    fault_bad("a12", "lazy 3", "dir/d.ini:16: behavior: ", "lazy takes no value");
    fault_bad("a12", "colude a1", "dir/d.ini:16: behavior: ", "did you mean 'collude'?");
    /* no jurors at all */
    parse_bad("[network]\nvalidators = 4\nfull_nodes = 3\n[agents]\nproviders = 8\n"
              "consumers = 2\n[fault f]\naction = byzantine\nat = 1s\nnodes = a1\n"
              "behavior = lazy\n",
              SIM_SCENARIO_ERROR_VALUE, "dir/d.ini:10: nodes: ",
              "lazy: a1 is a provider (only jurors vote on disputes, and there are none: "
              "[disputes] verifiers, arbiters)");
    parse_bad(DHEAD "arbiters = 1\n[fault f]\naction = byzantine\nat = 1s\nnodes = a1\n"
                    "behavior = false-dispute\n",
              SIM_SCENARIO_ERROR_VALUE, "dir/d.ini:14: nodes: ", "a1 is a provider");
}
END_TEST

/* Jurors are agents: names past the consumers are theirs, and churn may
 * name them (the world passes over them). */
START_TEST(test_juror_names)
{
    sim_scenario *s = parse_ok(JHEAD "[fault ch]\naction = churn\nat = 1s\nnodes = agents\n"
                                     "leave_rate = 1/s\n");
    ck_assert_uint_eq(first_fault(s)->agents->len, 15);
    sim_scenario_free(s);
    parse_bad(JHEAD "[fault c]\naction = crash\nat = 1s\nnodes = a12\n", SIM_SCENARIO_ERROR_VALUE,
              "dir/d.ini:15: nodes: ", "a12 is an agent, not a node");
    parse_bad(JHEAD "[expect]\nmin_active_agents = 16\n", SIM_SCENARIO_ERROR_VALUE,
              "dir/d.ini:13: min_active_agents: ",
              "16 can never hold: there are 15 agents (providers, consumers and [disputes] "
              "jurors)");
    s = parse_ok(JHEAD "[expect]\nmin_active_agents = 15\n");
    sim_scenario_free(s);
}
END_TEST

static Suite *disputes_suite(void)
{
    Suite *s = suite_create("scenario_disputes");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_values_as_written);
    tcase_add_test(tc, test_value_errors);
    tcase_add_test(tc, test_section_errors);
    tcase_add_test(tc, test_behaviors);
    tcase_add_test(tc, test_juror_names);
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
