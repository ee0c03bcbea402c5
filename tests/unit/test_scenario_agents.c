/* Unit tests for reading the agent market's sections ([agents], [jobs];
 * sim/scenario/scenario_agents.c), its [expect] targets, the agents'
 * byzantine behaviours and churn (sim/scenario/scenario_fault.c) and
 * agent names in node sets (sim/scenario/nodeset.c). Accepted files are
 * checked for the exact values they leave in the scenario; refused ones
 * for the whole "FILE:LINE: key: " location and the reason, as
 * docs/scenarios.md states them. */
#include <check.h>
#include <glib.h>
#include <string.h>

#include "sim/scenario/scenario.h"
#include "support/scenario_text.h"

#define S_NS 1000000000LL
#define MS_NS 1000000LL
#define RATE(x) ((uint64_t)((x) * 1000) * (SIM_RATE_ONE / 1000)) /* x with 3 decimals */

/* 4 validators and 3 full nodes (v0..v3, n0..n2 = nodes 4..6), then
 * [agents] on line 4: its first key is on line 5. */
#define HEAD "[network]\nvalidators = 4\nfull_nodes = 3\n[agents]\n"

static sim_scenario *parse_ok(const char *text)
{
    return st_parse_ok("dir/ag.ini", text);
}

static void parse_bad(const char *text, int code, const char *want_prefix, const char *want_reason)
{
    st_parse_bad("dir/ag.ini", text, code, want_prefix, want_reason);
}

/* HEAD "providers = 4\n" then `rest`; must fail at `prefix` with `reason`. */
static void agents_bad(const char *rest, const char *prefix, const char *reason)
{
    g_autofree char *text = g_strdup_printf(HEAD "providers = 4\nconsumers = 2\n%s", rest);
    parse_bad(text, SIM_SCENARIO_ERROR_VALUE, prefix, reason);
}

static const char *cap_name(const sim_scenario *s, guint i)
{
    return g_array_index(s->agents_opt.capabilities, sim_capability, i).name;
}

static uint32_t cap_providers(const sim_scenario *s, guint i)
{
    return g_array_index(s->agents_opt.capabilities, sim_capability, i).providers;
}

/* SCENARIOS.md's example, every value as written. */
static const char example[] = "[scenario]\n"
                              "duration = 10min\n"
                              "[network]\n"
                              "validators = 4\n"
                              "full_nodes = 10\n"
                              "[consensus]\n"
                              "protocol = pbft\n"
                              "[agents]\n"
                              "providers = 80\n"
                              "consumers = 40\n"
                              "hosts = full_nodes\n"
                              "capabilities = llm-7b:40 llm-70b:20 image:20\n"
                              "capacity = 2\n"
                              "speed = uniform 0.5 2.0\n"
                              "price = uniform 80 120\n"
                              "bond = 10000\n"
                              "heartbeat = 30s\n"
                              "cost = uniform 20 40\n"
                              "token_usd = 0.00001\n"
                              "suspend_after = 3\n"
                              "evict_after = 8\n"
                              "unbond_delay = 2min\n"
                              "evict_slash = 0.2\n"
                              "noshow_slash = 0.01\n"
                              "consumer_balance = 5000000000\n"
                              "notice = 0.75\n"
                              "[jobs]\n"
                              "rate = 5/s\n"
                              "work = lognormal 2s 0.5\n"
                              "mix = llm-7b:60 llm-70b:30 image:10\n"
                              "max_price = 150\n"
                              "deadline = 60s\n"
                              "challenge_window = 30s\n"
                              "verify = 0.1\n"
                              "accept_timeout = 20s\n"
                              "fee = 0.02\n"
                              "[disputes]\n"
                              "verifiers = 4\n"
                              "[fault bad-agents]\n"
                              "at = 0s\n"
                              "action = byzantine\n"
                              "nodes = a0..a4\n"
                              "behavior = wrong-result\n"
                              "[expect]\n"
                              "min_job_completion = 0.95\n"
                              "max_dispute_rate = 0.05\n"
                              "min_active_agents = 100\n"
                              "max_cost_per_job_usd = 0.01\n"
                              "min_provider_roi = 2.0\n";

START_TEST(test_example_exact)
{
    sim_scenario *s = parse_ok(example);
    const sim_agents_options *a = &s->agents_opt;
    ck_assert(a->declared);
    ck_assert_uint_eq(a->providers, 80);
    ck_assert_uint_eq(a->consumers, 40);
    ck_assert_uint_eq(sim_scenario_agent_count(s), 124); /* and 4 verifiers */
    ck_assert_uint_eq(sim_scenario_jurors(s), 4);
    ck_assert_str_eq(sim_scenario_agent_role(s, 119), "consumer");
    ck_assert_str_eq(sim_scenario_agent_role(s, 120), "verifier");
    ck_assert_str_eq(sim_scenario_agent_role(s, 123), "verifier");
    ck_assert_uint_eq(sim_scenario_agent_host(s, 123), 7);
    ck_assert_uint_eq(s->agents, 0); /* agents are not network nodes */
    ck_assert_uint_eq(sim_scenario_node_count(s), 14);
    ck_assert_uint_eq(a->hosts->len, 10);
    for (uint32_t i = 0; i < 10; i++)
        ck_assert_uint_eq(g_array_index(a->hosts, uint32_t, i), 4 + i);
    ck_assert_uint_eq(sim_scenario_agent_host(s, 0), 4);
    ck_assert_uint_eq(sim_scenario_agent_host(s, 13), 7);
    ck_assert_uint_eq(sim_scenario_agent_host(s, 119), 13);
    ck_assert_uint_eq(a->capabilities->len, 3);
    ck_assert_str_eq(cap_name(s, 0), "llm-7b");
    ck_assert_str_eq(cap_name(s, 1), "llm-70b");
    ck_assert_str_eq(cap_name(s, 2), "image");
    ck_assert_uint_eq(cap_providers(s, 0), 40);
    ck_assert_uint_eq(cap_providers(s, 1), 20);
    ck_assert_uint_eq(cap_providers(s, 2), 20);
    ck_assert_uint_eq(g_array_index(a->capabilities, sim_capability, 2).first, 60);
    ck_assert_uint_eq(sim_scenario_agent_capability(s, 39), 0);
    ck_assert_uint_eq(sim_scenario_agent_capability(s, 40), 1);
    ck_assert_uint_eq(sim_scenario_agent_capability(s, 79), 2);
    ck_assert_uint_eq(sim_scenario_agent_capability(s, 80), UINT32_MAX);
    ck_assert(sim_scenario_agent_is_provider(s, 79));
    ck_assert(!sim_scenario_agent_is_provider(s, 80));
    ck_assert_uint_eq(a->capacity, 2);
    ck_assert_int_eq(a->speed.kind, SIM_DIST_UNIFORM);
    ck_assert(a->speed.a == 0.5 && a->speed.b == 2.0);
    ck_assert_int_eq(a->price.kind, SIM_DIST_UNIFORM);
    ck_assert(a->price.a == 80 && a->price.b == 120);
    ck_assert_int_eq(a->cost.kind, SIM_DIST_UNIFORM);
    ck_assert(a->cost.a == 20 && a->cost.b == 40);
    ck_assert_uint_eq(a->bond, 10000);
    ck_assert_int_eq(a->heartbeat_ns, 30 * S_NS);
    ck_assert(a->token_usd == 0.00001);
    ck_assert_uint_eq(a->token_usd_e18, 10000000000000ULL);
    ck_assert_uint_eq(a->suspend_after, 3);
    ck_assert_uint_eq(a->evict_after, 8);
    ck_assert_int_eq(a->unbond_delay_ns, 120 * S_NS);
    ck_assert_uint_eq(a->evict_slash, RATE(0.2));
    ck_assert_uint_eq(a->noshow_slash, RATE(0.01));
    ck_assert(a->consumer_balance_given);
    ck_assert_uint_eq(a->consumer_balance, 5000000000ULL);
    ck_assert(a->notice == 0.75);

    const sim_jobs_options *j = &s->jobs_opt;
    ck_assert(j->declared);
    ck_assert(j->rate_per_s == 5.0);
    ck_assert_int_eq(j->work.kind, SIM_DIST_LOGNORMAL);
    ck_assert_int_eq(j->work.a_ns, 2 * S_NS);
    ck_assert(j->work.sigma == 0.5);
    ck_assert_uint_eq(j->mix->len, 3);
    ck_assert(g_array_index(j->mix, double, 0) == 60);
    ck_assert(g_array_index(j->mix, double, 1) == 30);
    ck_assert(g_array_index(j->mix, double, 2) == 10);
    ck_assert_uint_eq(j->max_price, 150);
    ck_assert_int_eq(j->deadline_ns, 60 * S_NS);
    ck_assert_int_eq(j->challenge_window_ns, 30 * S_NS);
    ck_assert(j->verify == 0.1);
    ck_assert_int_eq(j->accept_timeout_ns, 20 * S_NS);
    ck_assert_uint_eq(j->fee, RATE(0.02));

    const sim_expect *x = &s->expect;
    ck_assert(x->has_min_job_completion && x->min_job_completion == 0.95);
    ck_assert(x->has_max_dispute_rate && x->max_dispute_rate == 0.05);
    ck_assert(x->has_min_active_agents && x->min_active_agents == 100);
    ck_assert(x->has_max_cost_per_job_usd && x->max_cost_per_job_usd == 0.01);
    ck_assert(x->has_min_provider_roi && x->min_provider_roi == 2.0);

    const sim_fault *f = g_ptr_array_index(s->faults, 0);
    ck_assert_str_eq(f->behavior, "wrong-result");
    ck_assert_uint_eq(f->nodes->len, 0);
    ck_assert_uint_eq(f->agents->len, 5);
    for (uint32_t i = 0; i < 5; i++)
        ck_assert_uint_eq(g_array_index(f->agents, uint32_t, i), i);
    ck_assert_str_eq(f->nodes_text, "a0..a4");
    sim_scenario_free(s);
}
END_TEST

START_TEST(test_defaults)
{
    sim_scenario *s = parse_ok("[network]\nvalidators = 4\n");
    ck_assert(!s->agents_opt.declared && !s->jobs_opt.declared);
    ck_assert_uint_eq(sim_scenario_agent_count(s), 0);
    ck_assert(!s->expect.has_min_job_completion && !s->expect.has_min_active_agents);
    sim_scenario_free(s);

    s = parse_ok(HEAD "providers = 5\n");
    const sim_agents_options *a = &s->agents_opt;
    ck_assert(a->declared && !s->jobs_opt.declared);
    ck_assert_uint_eq(a->consumers, 0);
    ck_assert_uint_eq(a->hosts->len, 3); /* full_nodes */
    ck_assert_uint_eq(g_array_index(a->hosts, uint32_t, 0), 4);
    ck_assert_uint_eq(a->capabilities->len, 1);
    ck_assert_str_eq(cap_name(s, 0), "compute");
    ck_assert_uint_eq(cap_providers(s, 0), 5);
    ck_assert_uint_eq(a->capacity, 1);
    ck_assert(a->speed.kind == SIM_DIST_CONSTANT && a->speed.a == 1);
    ck_assert(a->price.kind == SIM_DIST_CONSTANT && a->price.a == 100);
    ck_assert(a->cost.kind == SIM_DIST_CONSTANT && a->cost.a == 30);
    ck_assert_uint_eq(a->bond, 10000);
    ck_assert_int_eq(a->heartbeat_ns, 30 * S_NS);
    ck_assert_uint_eq(a->suspend_after, 2);
    ck_assert_uint_eq(a->evict_after, 6);
    ck_assert_int_eq(a->unbond_delay_ns, 60 * S_NS);
    ck_assert_uint_eq(a->evict_slash, RATE(0.1));
    ck_assert_uint_eq(a->noshow_slash, RATE(0.05));
    ck_assert(a->notice == 0.9);
    ck_assert(a->token_usd == 0.00001);
    ck_assert_uint_eq(a->token_usd_e18, 10000000000000ULL);
    ck_assert(!a->consumer_balance_given);
    ck_assert_uint_eq(a->consumer_balance, 10000); /* no consumers: the bond */
    sim_scenario_free(s);

    s = parse_ok(HEAD "providers = 3\ncapabilities = a:1 b:2\nconsumers = 2\n[jobs]\n");
    const sim_jobs_options *j = &s->jobs_opt;
    ck_assert(j->declared);
    ck_assert(j->rate_per_s == 1);
    ck_assert(j->work.kind == SIM_DIST_CONSTANT && j->work.a_ns == S_NS);
    ck_assert_uint_eq(j->mix->len, 2); /* by provider counts */
    ck_assert(g_array_index(j->mix, double, 0) == 1 && g_array_index(j->mix, double, 1) == 2);
    ck_assert_uint_eq(j->max_price, 150);
    ck_assert_int_eq(j->deadline_ns, 60 * S_NS);
    ck_assert_int_eq(j->challenge_window_ns, 30 * S_NS);
    ck_assert(j->verify == 0);
    ck_assert_int_eq(j->accept_timeout_ns, 30 * S_NS);
    ck_assert_uint_eq(j->fee, RATE(0.01));
    /* 60 s at 1/s over 2 consumers: 30 jobs each, at 150 x 1 s x 1.01 = 152
     * escrowed; 30 x 4 + 2 heartbeats + 4 transactions of 2 x 16,357 gas
     * at 20,000 per gas; the bond. */
    uint64_t gas = 2 * sim_scenario_transfer_gas() * 20000ULL;
    ck_assert_uint_eq(s->agents_opt.consumer_balance, 10000 + 2 * 30 * 152 + 126 * gas);
    ck_assert_uint_eq(s->agents_opt.consumer_balance,
                      sim_scenario_default_consumer_balance(s));
    sim_scenario_free(s);
}
END_TEST

START_TEST(test_values_as_written)
{
    sim_scenario *s = parse_ok(HEAD "providers = 2\nconsumers = 1\nhosts = v1, n2 v0\n"
                                    "speed = lognormal 1 0.25\nprice = 90\ncost = fixed 0\n"
                                    "token_usd = 2.5\nnotice = 1\n[jobs]\nwork = fixed 2s\n"
                                    "mix = compute:0.5\ndeadline = 1500ms\n"
                                    "[expect]\nmin_provider_roi = -0.5\n"
                                    "max_cost_per_job_usd = 1e-3\nmin_job_completion = 1\n");
    const sim_agents_options *a = &s->agents_opt;
    ck_assert_uint_eq(a->hosts->len, 3);
    ck_assert_uint_eq(g_array_index(a->hosts, uint32_t, 0), 0);
    ck_assert_uint_eq(g_array_index(a->hosts, uint32_t, 1), 1);
    ck_assert_uint_eq(g_array_index(a->hosts, uint32_t, 2), 6);
    ck_assert_uint_eq(sim_scenario_agent_host(s, 2), 6);
    ck_assert(a->speed.kind == SIM_DIST_LOGNORMAL && a->speed.a == 1 && a->speed.sigma == 0.25);
    ck_assert(a->price.kind == SIM_DIST_CONSTANT && a->price.a == 90);
    ck_assert(a->cost.kind == SIM_DIST_CONSTANT && a->cost.a == 0);
    ck_assert(a->token_usd == 2.5);
    ck_assert_uint_eq(a->token_usd_e18, 2500000000000000000ULL);
    ck_assert(a->notice == 1.0);
    ck_assert(s->jobs_opt.work.kind == SIM_DIST_CONSTANT && s->jobs_opt.work.a_ns == 2 * S_NS);
    ck_assert(g_array_index(s->jobs_opt.mix, double, 0) == 0.5);
    ck_assert_int_eq(s->jobs_opt.deadline_ns, 1500 * MS_NS);
    ck_assert(s->expect.min_provider_roi == -0.5);
    ck_assert(s->expect.max_cost_per_job_usd == 0.001);
    ck_assert(s->expect.min_job_completion == 1.0);
    sim_scenario_free(s);

    /* validators-only hosting; a mix that leaves a capability out */
    s = parse_ok("[network]\nvalidators = 4\n[agents]\nproviders = 3\nconsumers = 1\n"
                 "hosts = validators\ncapabilities = x:1 y:2\n[jobs]\nmix = y:1\n");
    ck_assert_uint_eq(s->agents_opt.hosts->len, 4);
    ck_assert(g_array_index(s->jobs_opt.mix, double, 0) == 0);
    ck_assert(g_array_index(s->jobs_opt.mix, double, 1) == 1);
    sim_scenario_free(s);
    /* --set reaches the new sections */
    const char *const set[] = {"agents.providers=7", "jobs.rate=2/s", NULL};
    GError *error = NULL;
    const char *text = HEAD "providers = 5\nconsumers = 1\n[jobs]\n";
    s = sim_scenario_parse("dir/ag.ini", text, strlen(text), set, &error);
    ck_assert_msg(s != NULL, "%s", error ? error->message : "");
    ck_assert_uint_eq(s->agents_opt.providers, 7);
    ck_assert_uint_eq(cap_providers(s, 0), 7);
    ck_assert(s->jobs_opt.rate_per_s == 2.0);
    sim_scenario_free(s);
}
END_TEST

START_TEST(test_section_errors)
{
    parse_bad("[network]\nvalidators = 4\nfull_nodes = 1\n[jobs]\nrate = 1/s\n",
              SIM_SCENARIO_ERROR_KEY, "dir/ag.ini:4: [jobs]: ", "jobs need agents");
    parse_bad(HEAD "consumers = 2\n", SIM_SCENARIO_ERROR_KEY, "dir/ag.ini:4: [agents]: ",
              "missing `providers`");
    /* PoA with validators only: hosts defaults to full_nodes, and there are none */
    parse_bad("[network]\nvalidators = 4\n[agents]\nproviders = 2\n", SIM_SCENARIO_ERROR_VALUE,
              "dir/ag.ini:3: [agents]: ", "hosts defaults to full_nodes");
    parse_bad("[network]\nvalidators = 4\n[agents]\nproviders = 2\nhosts = full_nodes\n",
              SIM_SCENARIO_ERROR_VALUE, "dir/ag.ini:5: hosts: ",
              "`full_nodes` names no node");
    agents_bad("hosts = a0\n", "dir/ag.ini:7: hosts: ", "a0 is an agent, not a node");
    agents_bad("hosts = agents\n", "dir/ag.ini:7: hosts: ", "names agents, not nodes");
    parse_bad(HEAD "providers = 4\nbogus = 1\n", SIM_SCENARIO_ERROR_KEY,
              "dir/ag.ini:6: bogus: ", "unknown key in [agents]");
    parse_bad(HEAD "providers = 4\ncapacty = 1\n", SIM_SCENARIO_ERROR_KEY,
              "dir/ag.ini:6: capacty: ", "did you mean 'capacity'?");
    parse_bad(HEAD "providers = 4\nconsumers = 1\n[jobs]\ndeadlin = 1s\n",
              SIM_SCENARIO_ERROR_KEY, "dir/ag.ini:8: deadlin: ", "did you mean 'deadline'?");
    parse_bad("[agent]\n", SIM_SCENARIO_ERROR_KEY, "dir/ag.ini:1: [agent]: ",
              "did you mean [agents]?");
    parse_bad("[network]\nagents = 3\n", SIM_SCENARIO_ERROR_VALUE, "dir/ag.ini:2: agents: ",
              "agents are not network nodes");
    sim_scenario *s = parse_ok("[network]\nagents = 0\n");
    sim_scenario_free(s);
}
END_TEST

START_TEST(test_value_errors)
{
    parse_bad(HEAD "providers = 0\n", SIM_SCENARIO_ERROR_VALUE, "dir/ag.ini:5: providers: ",
              "out of range");
    parse_bad(HEAD "providers = 4\nconsumers = 99999\n", SIM_SCENARIO_ERROR_VALUE,
              "dir/ag.ini:6: consumers: ", "above 100000");
    agents_bad("capabilities = a:1 b:2\n", "dir/ag.ini:7: capabilities: ",
               "the counts add up to 3, but providers = 4");
    agents_bad("capabilities = a:4 a:0\n", "dir/ag.ini:7: capabilities: ", "1..100000 providers");
    agents_bad("capabilities = a:2 a:2\n", "dir/ag.ini:7: capabilities: ", "listed twice");
    agents_bad("capabilities = LLM:4\n", "dir/ag.ini:7: capabilities: ", "bad capability name");
    agents_bad("capabilities = llm\n", "dir/ag.ini:7: capabilities: ", "has no count");
    agents_bad("capabilities = :4\n", "dir/ag.ini:7: capabilities: ", "empty name");
    GString *many = g_string_new("capabilities =");
    for (int i = 0; i < 33; i++)
        g_string_append_printf(many, " c%d:1", i);
    g_string_append(many, "\n");
    g_autofree char *text = g_strdup_printf(HEAD "providers = 33\n%s", many->str);
    g_string_free(many, TRUE);
    parse_bad(text, SIM_SCENARIO_ERROR_VALUE, "dir/ag.ini:6: capabilities: ",
              "more than 32 capabilities");
    agents_bad("capacity = 0\n", "dir/ag.ini:7: capacity: ", "out of range");
    agents_bad("speed = uniform 0 2\n", "dir/ag.ini:7: speed: ", "speed must be > 0");
    agents_bad("speed = normal 1 0.5\n", "dir/ag.ini:7: speed: ", "normal can draw 0 or less");
    agents_bad("speed = uniform 2 1\n", "dir/ag.ini:7: speed: ", "upper bound below lower");
    agents_bad("speed = 5000\n", "dir/ag.ini:7: speed: ", "out of range");
    agents_bad("speed = lognormal 0 1\n", "dir/ag.ini:7: speed: ", "median must be > 0");
    agents_bad("price = 0\n", "dir/ag.ini:7: price: ", "price must be > 0");
    agents_bad("price = -5\n", "dir/ag.ini:7: price: ", "must not be negative");
    agents_bad("price = gaussian 1 2\n", "dir/ag.ini:7: price: ", "unknown distribution");
    agents_bad("cost = uniform -1 2\n", "dir/ag.ini:7: cost: ", "must not be negative");
    agents_bad("bond = 0\n", "dir/ag.ini:7: bond: ", "out of range");
    agents_bad("heartbeat = 0s\n", "dir/ag.ini:7: heartbeat: ", "must be > 0");
    agents_bad("token_usd = -0.1\n", "dir/ag.ini:7: token_usd: ", "must not be negative");
    agents_bad("token_usd = 11\n", "dir/ag.ini:7: token_usd: ", "above 10");
    agents_bad("token_usd = 0.0000000000000000001\n", "dir/ag.ini:7: token_usd: ",
               "at most 18 decimals");
    agents_bad("suspend_after = 0\n", "dir/ag.ini:7: suspend_after: ", "out of range");
    agents_bad("suspend_after = 4\nevict_after = 3\n", "dir/ag.ini:8: evict_after: ",
               "below suspend_after");
    agents_bad("evict_after = 1\n", "dir/ag.ini:7: evict_after: ", "below suspend_after (2)");
    agents_bad("evict_slash = 1.5\n", "dir/ag.ini:7: evict_slash: ", "must be in [0, 1]");
    agents_bad("noshow_slash = x\n", "dir/ag.ini:7: noshow_slash: ", "bad fraction");
    agents_bad("notice = 2\n", "dir/ag.ini:7: notice: ", "must be in [0, 1]");
    agents_bad("consumer_balance = 0\n", "dir/ag.ini:7: consumer_balance: ", "out of range");
    agents_bad("consumer_balance = 900000000000000000\n", "dir/ag.ini:7: consumer_balance: ",
               "more than 10^18");
}
END_TEST

/* [jobs] errors: the file is HEAD, providers and consumers (lines 5, 6),
 * [jobs] on line 7, the key on line 8. */
static void jobs_bad(const char *key_value, const char *prefix, const char *reason)
{
    g_autofree char *text = g_strdup_printf(HEAD "providers = 4\nconsumers = 2\n[jobs]\n%s\n",
                                            key_value);
    parse_bad(text, SIM_SCENARIO_ERROR_VALUE, prefix, reason);
}

START_TEST(test_jobs_errors)
{
    jobs_bad("rate = -1/s", "dir/ag.ini:8: rate: ", "must not be negative");
    jobs_bad("rate = 5", "dir/ag.ini:8: rate: ", "missing unit");
    jobs_bad("work = 0s", "dir/ag.ini:8: work: ", "work must be > 0");
    jobs_bad("work = uniform 0s 3s", "dir/ag.ini:8: work: ", "work must be > 0");
    jobs_bad("work = normal 2s 1s", "dir/ag.ini:8: work: ", "normal can draw 0 or less");
    jobs_bad("work = lognormal 2s 11", "dir/ag.ini:8: work: ", "bad work 'lognormal 2s 11'");
    jobs_bad("work = fixed", "dir/ag.ini:8: work: ", "fixed takes 1 value");
    jobs_bad("mix = gpu:1", "dir/ag.ini:8: mix: ", "unknown capability 'gpu'");
    jobs_bad("mix = compute:0", "dir/ag.ini:8: mix: ", "no weight above 0");
    jobs_bad("mix = compute:1 compute:2", "dir/ag.ini:8: mix: ", "listed twice");
    jobs_bad("mix = compute:-1", "dir/ag.ini:8: mix: ", "must not be negative");
    jobs_bad("max_price = 0", "dir/ag.ini:8: max_price: ", "out of range");
    jobs_bad("deadline = 0s", "dir/ag.ini:8: deadline: ", "too small");
    jobs_bad("deadline = 1500us", "dir/ag.ini:8: deadline: ", "whole milliseconds");
    jobs_bad("deadline = 50d", "dir/ag.ini:8: deadline: ", "unknown unit");
    jobs_bad("deadline = 1200h", "dir/ag.ini:8: deadline: ", "is above");
    jobs_bad("verify = 1.1", "dir/ag.ini:8: verify: ", "must be in [0, 1]");
    jobs_bad("accept_timeout = 0s", "dir/ag.ini:8: accept_timeout: ", "must be > 0");
    jobs_bad("fee = 0.0000000001", "dir/ag.ini:8: fee: ", "at most 9 decimals");
    parse_bad(HEAD "providers = 4\nconsumers = 1\ncapabilities = llm-7b:2 image:2\n[jobs]\n"
                   "mix = llm-7:1\n",
              SIM_SCENARIO_ERROR_VALUE, "dir/ag.ini:9: mix: ",
              "unknown capability 'llm-7'; did you mean 'llm-7b'?");
    /* jobs need consumers to post them */
    parse_bad(HEAD "providers = 4\n[jobs]\nrate = 2/s\n", SIM_SCENARIO_ERROR_VALUE,
              "dir/ag.ini:7: rate: ", "there are none ([agents] consumers = 0)");
    parse_bad(HEAD "providers = 4\n[jobs]\n", SIM_SCENARIO_ERROR_VALUE,
              "dir/ag.ini:6: [jobs]: ", "consumers post the jobs");
    sim_scenario *s = parse_ok(HEAD "providers = 4\n[jobs]\nrate = 0\n");
    sim_scenario_free(s);
}
END_TEST

/* [expect] market targets: the file is HEAD, providers (line 5), consumers
 * (6), [jobs] (7), [expect] (8), the key on line 9. */
static void expect_bad(const char *key_value, const char *prefix, const char *reason)
{
    g_autofree char *text = g_strdup_printf(HEAD "providers = 4\nconsumers = 2\n[jobs]\n"
                                                 "[expect]\n%s\n",
                                            key_value);
    parse_bad(text, SIM_SCENARIO_ERROR_VALUE, prefix, reason);
}

START_TEST(test_expect_errors)
{
    expect_bad("min_job_completion = 1.5", "dir/ag.ini:9: min_job_completion: ",
               "must be in [0, 1]");
    expect_bad("max_dispute_rate = -0.1", "dir/ag.ini:9: max_dispute_rate: ",
               "must be in [0, 1]");
    expect_bad("min_active_agents = 0", "dir/ag.ini:9: min_active_agents: ", "out of range");
    expect_bad("min_active_agents = 7", "dir/ag.ini:9: min_active_agents: ",
               "7 can never hold: there are 6 agents");
    expect_bad("max_cost_per_job_usd = -1", "dir/ag.ini:9: max_cost_per_job_usd: ",
               "must not be negative");
    expect_bad("min_provider_roi = -1.5", "dir/ag.ini:9: min_provider_roi: ", ">= -1");
    expect_bad("min_provider_roi = x", "dir/ag.ini:9: min_provider_roi: ", "bad number");
    parse_bad("[network]\nvalidators = 4\n[expect]\nmin_active_agents = 1\n",
              SIM_SCENARIO_ERROR_VALUE, "dir/ag.ini:4: min_active_agents: ",
              "needs an [agents] section");
    parse_bad(HEAD "providers = 4\n[expect]\nmin_job_completion = 0.9\n",
              SIM_SCENARIO_ERROR_VALUE, "dir/ag.ini:7: min_job_completion: ",
              "needs a [jobs] section");
    parse_bad(HEAD "providers = 4\nconsumers = 1\ntoken_usd = 0\n[jobs]\n[expect]\n"
                   "max_cost_per_job_usd = 0.01\n",
              SIM_SCENARIO_ERROR_VALUE, "dir/ag.ini:10: max_cost_per_job_usd: ",
              "token_usd = 0");
    sim_scenario *s = parse_ok(HEAD "providers = 4\nconsumers = 2\n[expect]\n"
                                    "min_active_agents = 6\nmin_provider_roi = -1\n");
    ck_assert(s->expect.min_active_agents == 6 && s->expect.min_provider_roi == -1.0);
    sim_scenario_free(s);
}
END_TEST

/* A byzantine fault on line 7..10 after HEAD and 8 providers, 2 consumers. */
#define AGENT_HEAD HEAD "providers = 8\nconsumers = 2\n"

static sim_scenario *fault_ok(const char *nodes, const char *behavior)
{
    g_autofree char *text = g_strdup_printf(AGENT_HEAD "[fault f]\naction = byzantine\n"
                                                       "at = 1s\nnodes = %s\nbehavior = %s\n",
                                            nodes, behavior);
    return parse_ok(text);
}

/* The fault's nodes key is on line 10, behavior on 11. */
static void fault_bad(const char *nodes, const char *behavior, const char *prefix,
                      const char *reason)
{
    g_autofree char *text = g_strdup_printf(AGENT_HEAD "[fault f]\naction = byzantine\n"
                                                       "at = 1s\nnodes = %s\nbehavior = %s\n",
                                            nodes, behavior);
    parse_bad(text, SIM_SCENARIO_ERROR_VALUE, prefix, reason);
}

static const sim_fault *first_fault(const sim_scenario *s)
{
    return g_ptr_array_index(s->faults, 0);
}

START_TEST(test_behaviors)
{
    static const char *const plain[] = {"no-show", "wrong-result"};
    for (size_t i = 0; i < G_N_ELEMENTS(plain); i++) {
        sim_scenario *s = fault_ok("a1", plain[i]);
        ck_assert_str_eq(first_fault(s)->behavior, plain[i]);
        ck_assert_uint_eq(first_fault(s)->agents->len, 1);
        ck_assert_uint_eq(g_array_index(first_fault(s)->agents, uint32_t, 0), 1);
        sim_scenario_free(s);
    }
    sim_scenario *s = fault_ok("a0 a2..a3", "slow 10s");
    ck_assert_str_eq(first_fault(s)->behavior, "slow");
    ck_assert_int_eq(first_fault(s)->behavior_delay_ns, 10 * S_NS);
    ck_assert_uint_eq(first_fault(s)->agents->len, 3);
    ck_assert_uint_eq(g_array_index(first_fault(s)->agents, uint32_t, 2), 3);
    sim_scenario_free(s);
    s = fault_ok("a7", "overcharge");
    ck_assert_str_eq(first_fault(s)->behavior, "overcharge");
    ck_assert(first_fault(s)->behavior_factor == 3.0);
    sim_scenario_free(s);
    s = fault_ok("a7", "overcharge 1.5");
    ck_assert(first_fault(s)->behavior_factor == 1.5);
    sim_scenario_free(s);
    s = fault_ok("a4", "sybil 20");
    ck_assert_str_eq(first_fault(s)->behavior, "sybil");
    ck_assert_uint_eq(first_fault(s)->behavior_count, 20);
    sim_scenario_free(s);
    /* honest is about nodes: a byzantine agent leaves every node honest */
    s = parse_ok(AGENT_HEAD "[fault f]\naction = byzantine\nat = 1s\nnodes = a0\n"
                            "behavior = no-show\n[fault c]\naction = crash\nat = 2s\n"
                            "nodes = honest\n");
    ck_assert_uint_eq(((const sim_fault *)g_ptr_array_index(s->faults, 1))->nodes->len, 7);
    sim_scenario_free(s);

    fault_bad("a0", "slow", "dir/ag.ini:11: behavior: ", "slow needs a value (like slow 10s)");
    fault_bad("a0", "slow 0s", "dir/ag.ini:11: behavior: ", "slow must be > 0");
    fault_bad("a0", "sybil", "dir/ag.ini:11: behavior: ", "sybil needs a value");
    fault_bad("a0", "sybil 0", "dir/ag.ini:11: behavior: ", "sybil needs 1..100000");
    fault_bad("a0", "sybil 2.5", "dir/ag.ini:11: behavior: ", "bad integer");
    fault_bad("a0", "overcharge 1", "dir/ag.ini:11: behavior: ", "factor must be > 1");
    fault_bad("a0", "overcharge 5000", "dir/ag.ini:11: behavior: ", "factor must be > 1");
    fault_bad("a0", "no-show 2", "dir/ag.ini:11: behavior: ", "no-show takes no value");
    fault_bad("a0", "noshow", "dir/ag.ini:11: behavior: ", "did you mean 'no-show'?");
    fault_bad("a8", "wrong-result", "dir/ag.ini:10: nodes: ",
              "wrong-result: a8 is a consumer (only providers, a0..a7, do jobs)");
    fault_bad("v1", "no-show", "dir/ag.ini:10: nodes: ",
              "no-show is an agent's behaviour, and v1 is a node");
    fault_bad("a0 v1", "sybil 2", "dir/ag.ini:10: nodes: ", "v1 is a node");
    fault_bad("a0", "equivocate", "dir/ag.ini:10: nodes: ",
              "equivocate is a node's behaviour, and a0 is an agent");
    fault_bad("a0", "twin", "dir/ag.ini:10: nodes: ", "twin is a node's behaviour");
}
END_TEST

START_TEST(test_agent_sets)
{
    /* `agents` is every agent, consumers too: no provider behaviour */
    fault_bad("agents", "no-show", "dir/ag.ini:10: nodes: ", "a8 is a consumer");
    sim_scenario *s = fault_ok("a0, a3 .. a5", "no-show");
    ck_assert_uint_eq(first_fault(s)->agents->len, 4);
    ck_assert_uint_eq(g_array_index(first_fault(s)->agents, uint32_t, 1), 3);
    sim_scenario_free(s);
    fault_bad("a10", "no-show", "dir/ag.ini:10: nodes: ",
              "a10 names no agent (agents are a0..a9: providers, consumers, verifiers then "
              "arbiters)");
    fault_bad("a0..a12", "no-show", "dir/ag.ini:10: nodes: ", "a12 names no agent");
    fault_bad("a1 a0..a2", "no-show", "dir/ag.ini:10: nodes: ",
              "a1 is named twice (by 'a1' and 'a0..a2')");
    fault_bad("a0..v2", "no-show", "dir/ag.ini:10: nodes: ", "both ends must be the same kind");
    fault_bad("a01", "no-show", "dir/ag.ini:10: nodes: ", "bad node name 'a01'");
    /* no [agents]: agent names name nothing */
    parse_bad("[network]\nvalidators = 4\n[fault f]\naction = byzantine\nat = 1s\nnodes = a0\n"
              "behavior = no-show\n",
              SIM_SCENARIO_ERROR_VALUE, "dir/ag.ini:6: nodes: ",
              "a0 names no agent (there are none without an [agents] section)");
    parse_bad("[network]\nvalidators = 4\n[fault f]\naction = byzantine\nat = 1s\n"
              "nodes = agents\nbehavior = no-show\n",
              SIM_SCENARIO_ERROR_VALUE, "dir/ag.ini:6: nodes: ", "`agents` names no agent");
    /* agents are not nodes: actions on nodes refuse them */
    parse_bad(AGENT_HEAD "[fault c]\naction = crash\nat = 1s\nnodes = a0\n",
              SIM_SCENARIO_ERROR_VALUE, "dir/ag.ini:10: nodes: ", "a0 is an agent, not a node");
    parse_bad(AGENT_HEAD "[fault p]\naction = partition\nat = 1s\ngroups = v0 | a0\n",
              SIM_SCENARIO_ERROR_VALUE, "dir/ag.ini:10: groups: ", "a0 is an agent, not a node");
    parse_bad(AGENT_HEAD "[expect]\nslashed = a0\n", SIM_SCENARIO_ERROR_VALUE,
              "dir/ag.ini:8: slashed: ", "a0 is an agent, not a node");
    /* `all` is every node, no agent */
    s = parse_ok(AGENT_HEAD "[fault c]\naction = crash\nat = 1s\nnodes = all\n");
    ck_assert_uint_eq(first_fault(s)->nodes->len, 7);
    ck_assert_uint_eq(first_fault(s)->agents->len, 0);
    sim_scenario_free(s);
}
END_TEST

START_TEST(test_agent_churn)
{
    sim_scenario *s = parse_ok(AGENT_HEAD "[fault ch]\naction = churn\nat = 1s\n"
                                          "nodes = agents\nleave_rate = 1/s\n");
    ck_assert_uint_eq(first_fault(s)->agents->len, 10);
    ck_assert_uint_eq(first_fault(s)->nodes->len, 0);
    sim_scenario_free(s);
    s = parse_ok(AGENT_HEAD "[fault ch]\naction = churn\nat = 1s\nuntil = 30s\n"
                                          "nodes = a0..a7\njoin_rate = 0.1/s\n"
                                          "leave_rate = 0.2/s\n");
    const sim_fault *f = first_fault(s);
    ck_assert_int_eq(f->action, SIM_FAULT_CHURN);
    ck_assert_uint_eq(f->agents->len, 8);
    ck_assert_uint_eq(f->nodes->len, 0);
    ck_assert(f->join_rate_per_s == 0.1 && f->leave_rate_per_s == 0.2);
    sim_scenario_free(s);
    parse_bad(AGENT_HEAD "[fault ch]\naction = churn\nat = 1s\nnodes = a0 n1\n"
                         "leave_rate = 1/s\n",
              SIM_SCENARIO_ERROR_VALUE, "dir/ag.ini:10: nodes: ",
              "name full nodes or agents, not both");
    parse_bad(AGENT_HEAD "[fault ch]\naction = churn\nat = 1s\nnodes = a0\n",
              SIM_SCENARIO_ERROR_KEY, "dir/ag.ini:7: [fault ch]: ",
              "churn needs join_rate and/or leave_rate");
}
END_TEST

static Suite *agents_suite(void)
{
    Suite *s = suite_create("scenario_agents");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_example_exact);
    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_values_as_written);
    tcase_add_test(tc, test_section_errors);
    tcase_add_test(tc, test_value_errors);
    tcase_add_test(tc, test_jobs_errors);
    tcase_add_test(tc, test_expect_errors);
    tcase_add_test(tc, test_behaviors);
    tcase_add_test(tc, test_agent_sets);
    tcase_add_test(tc, test_agent_churn);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(agents_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
