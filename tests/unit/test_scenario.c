/* Tests for scenario interpretation (sim/scenario/scenario.c, sim/scenario/scenario_fault.c):
 * defaults, every key of every section with the example values of
 * docs/scenarios.md, the full example scenario and scenarios/default.ini,
 * faults of every action (twins and `honest` included), [slashing],
 * [expect], --set
 * overrides, and error locations and codes. The malformed-file corpus is
 * exercised by test_malformed.c. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario/scenario.h"

#define S_NS G_GINT64_CONSTANT(1000000000)
#define MS_NS G_GINT64_CONSTANT(1000000)

static sim_scenario *parse_ok(const char *text, const char *const *overrides)
{
    GError *error = NULL;
    sim_scenario *s = sim_scenario_parse("dir/t.ini", text, strlen(text), overrides, &error);
    ck_assert_msg(s != NULL, "%s", error ? error->message : "?");
    ck_assert_ptr_null(error);
    return s;
}

/* The error message of text that must fail; checks the code. */
static char *parse_bad(const char *text, const char *const *overrides, int code)
{
    GError *error = NULL;
    sim_scenario *s = sim_scenario_parse("dir/t.ini", text, strlen(text), overrides, &error);
    ck_assert_msg(s == NULL, "parsed: %s", text);
    ck_assert_msg(g_error_matches(error, SIM_SCENARIO_ERROR, code), "code %d want %d: %s",
                  error->code, code, error->message);
    char *msg = g_strdup(error->message);
    g_error_free(error);
    return msg;
}

static char *source_path(const char *rel)
{
    const char *dir = g_getenv("AITBC_SOURCE_DIR");
    ck_assert_msg(dir != NULL, "AITBC_SOURCE_DIR is not set (run through ctest)");
    return g_build_filename(dir, rel, NULL);
}

static sim_scenario *load_ok(const char *rel)
{
    g_autofree char *path = source_path(rel);
    GError *error = NULL;
    sim_scenario *s = sim_scenario_load(path, NULL, &error);
    ck_assert_msg(s != NULL, "%s", error ? error->message : "?");
    return s;
}

static uint32_t u32_at(const GArray *a, guint i)
{
    return g_array_index(a, uint32_t, i);
}

/* "v7 v8 v9" from an index set, for compact assertions. */
static char *names_of(const sim_scenario *s, const GArray *set)
{
    GString *out = g_string_new(NULL);
    for (guint i = 0; i < set->len; i++) {
        g_autofree char *name = sim_scenario_node_name(s, u32_at(set, i));
        g_string_append_printf(out, "%s%s", i ? " " : "", name);
    }
    return g_string_free(out, FALSE);
}

#define CHECK_NAMES(s, set, expected)                                                            \
    do {                                                                                         \
        g_autofree char *got_ = names_of((s), (set));                                            \
        ck_assert_str_eq(got_, (expected));                                                      \
    } while (0)

static const sim_fault *fault_at(const sim_scenario *s, guint i)
{
    ck_assert_uint_lt(i, s->faults->len);
    return g_ptr_array_index(s->faults, i);
}

START_TEST(test_defaults)
{
    sim_scenario *s = parse_ok("[scenario]\n", NULL);
    ck_assert_str_eq(s->path, "dir/t.ini");
    ck_assert_str_eq(s->name, "t");
    ck_assert_str_eq(s->description, "");
    ck_assert_uint_eq(s->seed, 1);
    ck_assert_int_eq(s->duration_ns, 60 * S_NS);
    ck_assert_uint_eq(s->events_max, 2000000000ull);
    ck_assert_uint_eq(s->validators, 4);
    ck_assert_uint_eq(s->full_nodes, 0);
    ck_assert_uint_eq(s->agents, 0);
    ck_assert_uint_eq(s->degree, 8);
    ck_assert_int_eq(s->latency.kind, SIM_DIST_CONSTANT);
    ck_assert_int_eq(s->latency.a_ns, 50 * MS_NS);
    ck_assert(s->loss == 0.0 && s->duplicate == 0.0);
    ck_assert_uint_eq(s->bandwidth_bps, 0);
    ck_assert_int_eq(s->topology, SIM_TOPOLOGY_MESH);
    CHECK_NAMES(s, s->bootstrap, "v0 v1 v2"); /* the first three of four validators */
    ck_assert_int_eq(s->protocol, SIM_CONSENSUS_POA);
    ck_assert_int_eq(s->rotation, SIM_ROTATION_ROUND_ROBIN);
    ck_assert_uint_eq(s->stakes->len, 4);
    for (guint i = 0; i < 4; i++)
        ck_assert_uint_eq(g_array_index(s->stakes, uint64_t, i), 100);
    ck_assert_int_eq(s->block_interval_ns, 2 * S_NS);
    ck_assert_uint_eq(s->max_block_txs, 5000);
    ck_assert_int_eq(s->view_timeout_ns, 4 * S_NS);
    ck_assert_uint_eq(s->checkpoint_interval, 100);
    ck_assert(!s->crypto_fast);
    ck_assert(s->tx_rate_per_s == 0.0);
    ck_assert_uint_eq(s->accounts, 1000);
    ck_assert_int_eq(s->workload_start_ns, 0);
    ck_assert_int_eq(s->workload_stop_ns, 60 * S_NS);
    ck_assert_uint_eq(s->faults->len, 0);
    ck_assert_uint_eq(s->twins->len, 0);
    ck_assert_int_eq(s->expect.safety, SIM_EXPECT_UNSET);
    ck_assert_int_eq(s->expect.liveness, SIM_EXPECT_UNSET);
    ck_assert(!s->expect.has_min_throughput && !s->expect.has_max_finality_p99);
    ck_assert(!s->expect.has_max_block_propagation_p99 && !s->expect.has_slashed);
    ck_assert(!s->expect.has_max_view_changes);
    ck_assert_uint_eq(s->expect.slashed->len, 0);
    ck_assert_uint_eq(sim_scenario_node_count(s), 4);
    sim_scenario_free(s);
}
END_TEST

START_TEST(test_default_name)
{
    GError *error = NULL;
    const char *text = "[network]\n";
    sim_scenario *s = sim_scenario_parse("x/my run.v2.ini", text, strlen(text), NULL, &error);
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(s->name, "my-run.v2");
    sim_scenario_free(s);
    s = sim_scenario_parse("noext", text, strlen(text), NULL, &error);
    ck_assert_str_eq(s->name, "noext");
    sim_scenario_free(s);
}
END_TEST

static void check_md_example_faults(const sim_scenario *s)
{
    ck_assert_uint_eq(s->faults->len, 6);
    const sim_fault *f = fault_at(s, 0);
    ck_assert_str_eq(f->name, "crash-three");
    ck_assert_int_eq(f->line, 34);
    ck_assert_int_eq(f->action, SIM_FAULT_CRASH);
    ck_assert_int_eq(f->at_ns, 60 * S_NS);
    ck_assert_int_eq(f->until_ns, 300 * S_NS);
    CHECK_NAMES(s, f->nodes, "v7 v8 v9");
    ck_assert_str_eq(f->nodes_text, "v7 v8 v9");

    f = fault_at(s, 1);
    ck_assert_str_eq(f->name, "split");
    ck_assert_int_eq(f->action, SIM_FAULT_PARTITION);
    ck_assert_int_eq(f->at_ns, 120 * S_NS);
    ck_assert_int_eq(f->until_ns, 180 * S_NS);
    ck_assert_uint_eq(f->groups->len, 2);
    ck_assert_uint_eq(((GArray *)g_ptr_array_index(f->groups, 0))->len, 25);
    ck_assert_uint_eq(((GArray *)g_ptr_array_index(f->groups, 1))->len, 25);
    ck_assert_uint_eq(u32_at(g_ptr_array_index(f->groups, 1), 0), 5);
    ck_assert_uint_eq(u32_at(g_ptr_array_index(f->groups, 1), 5), 10 + 20);
    ck_assert_str_eq(f->nodes_text, "v0..v4 n0..n19 | v5..v9 n20..n39");

    f = fault_at(s, 2);
    ck_assert_int_eq(f->action, SIM_FAULT_DEGRADE);
    CHECK_NAMES(s, f->nodes, "v0 v1 v2");
    ck_assert(f->has_latency && f->has_loss && !f->has_duplicate && !f->has_bandwidth);
    ck_assert_int_eq(f->latency.kind, SIM_DIST_CONSTANT);
    ck_assert_int_eq(f->latency.a_ns, 400 * MS_NS);
    ck_assert(f->loss == 0.05);

    f = fault_at(s, 3);
    ck_assert_int_eq(f->action, SIM_FAULT_BYZANTINE);
    ck_assert_int_eq(f->at_ns, 0);
    ck_assert_int_eq(f->until_ns, -1);
    ck_assert_str_eq(f->behavior, "equivocate");
    CHECK_NAMES(s, f->nodes, "v3");

    f = fault_at(s, 4);
    ck_assert_int_eq(f->action, SIM_FAULT_CHURN);
    ck_assert_uint_eq(f->nodes->len, 40);
    ck_assert_uint_eq(u32_at(f->nodes, 0), 10);
    ck_assert(f->join_rate_per_s == 0.1 && f->leave_rate_per_s == 0.1);

    f = fault_at(s, 5);
    ck_assert_int_eq(f->action, SIM_FAULT_ROTATE_KEY);
    ck_assert_int_eq(f->at_ns, 100 * S_NS);
    CHECK_NAMES(s, f->nodes, "v1");
}

START_TEST(test_scenarios_md_example)
{
    sim_scenario *s = load_ok("tests/data/scenarios-md-example.ini");
    ck_assert_str_eq(s->name, "pbft-crash-30pct");
    ck_assert_str_eq(s->description, "10 validators, 3 crash at 60 s");
    ck_assert_uint_eq(s->seed, 42);
    ck_assert_int_eq(s->duration_ns, 600 * S_NS);
    ck_assert_uint_eq(s->validators, 10);
    ck_assert_uint_eq(s->full_nodes, 40);
    ck_assert_uint_eq(s->degree, 8);
    ck_assert_int_eq(s->latency.kind, SIM_DIST_UNIFORM);
    ck_assert_int_eq(s->latency.a_ns, 20 * MS_NS);
    ck_assert_int_eq(s->latency.b_ns, 80 * MS_NS);
    ck_assert(s->loss == 0.001 && s->duplicate == 0.0);
    ck_assert_uint_eq(s->bandwidth_bps, 100000000);
    ck_assert_int_eq(s->protocol, SIM_CONSENSUS_PBFT);
    ck_assert_int_eq(s->rotation, SIM_ROTATION_STAKE_WEIGHTED);
    ck_assert_uint_eq(s->stakes->len, 10);
    ck_assert_uint_eq(g_array_index(s->stakes, uint64_t, 9), 100);
    ck_assert_int_eq(s->block_interval_ns, 2 * S_NS);
    ck_assert_uint_eq(s->max_block_txs, 5000);
    ck_assert_int_eq(s->view_timeout_ns, 4 * S_NS);
    ck_assert_uint_eq(s->checkpoint_interval, 100);
    ck_assert(!s->crypto_fast);
    ck_assert(s->tx_rate_per_s == 1000.0);
    ck_assert_uint_eq(s->accounts, 10000);
    ck_assert_int_eq(s->workload_start_ns, 0);
    ck_assert_int_eq(s->workload_stop_ns, 540 * S_NS);
    check_md_example_faults(s);
    ck_assert_int_eq(s->expect.safety, SIM_EXPECT_HOLDS);
    ck_assert_int_eq(s->expect.liveness, SIM_EXPECT_HOLDS);
    ck_assert(s->expect.has_min_throughput && s->expect.min_throughput_tps == 900.0);
    ck_assert(s->expect.has_max_finality_p99);
    ck_assert_int_eq(s->expect.max_finality_p99_ns, 30 * S_NS);
    ck_assert(s->expect.has_max_block_propagation_p99);
    ck_assert_int_eq(s->expect.max_block_propagation_p99_ns, 5 * S_NS);
    ck_assert(s->expect.has_slashed);
    CHECK_NAMES(s, s->expect.slashed, "v3");
    ck_assert(s->expect.has_max_view_changes);
    ck_assert_uint_eq(s->expect.max_view_changes, 10);
    ck_assert_uint_eq(sim_scenario_node_count(s), 50);
    sim_scenario_free(s);
}
END_TEST

START_TEST(test_default_ini)
{
    sim_scenario *s = load_ok("scenarios/default.ini");
    ck_assert_str_eq(s->name, "default");
    ck_assert_int_eq(s->duration_ns, 120 * S_NS);
    ck_assert_uint_eq(s->validators, 10);
    ck_assert_uint_eq(s->full_nodes, 20);
    ck_assert_int_eq(s->latency.kind, SIM_DIST_UNIFORM);
    ck_assert(s->loss == 0.001);
    ck_assert_uint_eq(s->bandwidth_bps, 100000000);
    ck_assert_int_eq(s->protocol, SIM_CONSENSUS_PBFT);
    ck_assert_int_eq(s->rotation, SIM_ROTATION_ROUND_ROBIN);
    ck_assert(!s->crypto_fast);
    ck_assert(s->tx_rate_per_s == 200.0);
    ck_assert_uint_eq(s->accounts, 1000);
    ck_assert(s->agents_opt.declared && s->jobs_opt.declared);
    ck_assert_uint_eq(s->agents_opt.providers, 80);
    ck_assert_uint_eq(s->agents_opt.consumers, 40);
    ck_assert(s->jobs_opt.rate_per_s == 5.0);
    ck_assert_uint_eq(s->faults->len, 2);
    const sim_fault *crash = fault_at(s, 0), *split = fault_at(s, 1);
    ck_assert_int_eq(crash->action, SIM_FAULT_CRASH);
    CHECK_NAMES(s, crash->nodes, "v7");
    ck_assert_int_eq(crash->at_ns, 30 * S_NS);
    ck_assert_int_eq(crash->until_ns, 60 * S_NS);
    ck_assert_int_eq(split->action, SIM_FAULT_PARTITION);
    ck_assert_int_eq(split->at_ns, 70 * S_NS);
    ck_assert_int_eq(split->until_ns, 90 * S_NS);
    CHECK_NAMES(s, g_ptr_array_index(split->groups, 0),
                "v0 v1 v2 v3 v4 v5 v6 n0 n1 n2 n3 n4 n5 n6 n7 n8 n9 n10 n11 n12 n13");
    CHECK_NAMES(s, g_ptr_array_index(split->groups, 1), "v7 v8 v9 n14 n15 n16 n17 n18 n19");
    ck_assert_int_eq(s->expect.safety, SIM_EXPECT_HOLDS);
    ck_assert_int_eq(s->expect.liveness, SIM_EXPECT_HOLDS);
    ck_assert(s->expect.has_max_finality_p99);
    ck_assert_int_eq(s->expect.max_finality_p99_ns, 30 * S_NS);
    ck_assert(s->expect.has_min_job_completion && s->expect.min_job_completion == 0.95);
    ck_assert_int_eq(s->workload_stop_ns, 110 * S_NS);
    sim_scenario_free(s);
}
END_TEST

START_TEST(test_every_key)
{
    const char *text = "[scenario]\n"
                       "name = every_key.1\n"
                       "description = all keys # with a comment\n"
                       "seed = 18446744073709551615\n"
                       "duration = 1h\n"
                       "max_events = 1000000\n"
                       "[network]\n"
                       "validators = 3\n"
                       "full_nodes = 2\n"
                       "agents = 0\n"
                       "degree = 2\n"
                       "latency = lognormal 50ms 0.5\n"
                       "loss = 0\n"
                       "duplicate = 0.25\n"
                       "bandwidth = 1Gbit/s\n"
                       "topology = direct\n"
                       "bootstrap = n1, v2\n"
                       "[consensus]\n"
                       "protocol = pbft\n"
                       "rotation = stake-weighted\n"
                       "stakes = 10, 20 30\n"
                       "block_interval = 250ms\n"
                       "max_block_txs = 1\n"
                       "view_timeout = 1.5s\n"
                       "checkpoint_interval = 7\n"
                       "crypto = fast\n"
                       "[workload]\n"
                       "tx_rate = 5/min\n"
                       "accounts = 2\n"
                       "start = 10min\n"
                       "stop = 20min\n";
    sim_scenario *s = parse_ok(text, NULL);
    ck_assert_str_eq(s->name, "every_key.1");
    ck_assert_str_eq(s->description, "all keys");
    ck_assert_uint_eq(s->seed, UINT64_MAX);
    ck_assert_int_eq(s->duration_ns, 3600 * S_NS);
    ck_assert_uint_eq(s->events_max, 1000000);
    ck_assert_uint_eq(s->agents, 0); /* agents are declared by [agents], not as nodes */
    ck_assert_uint_eq(sim_scenario_node_count(s), 5);
    g_autofree char *n1 = sim_scenario_node_name(s, 4);
    ck_assert_str_eq(n1, "n1");
    ck_assert_uint_eq(s->degree, 2);
    ck_assert_int_eq(s->latency.kind, SIM_DIST_LOGNORMAL);
    ck_assert(s->latency.sigma == 0.5);
    ck_assert(s->duplicate == 0.25);
    ck_assert_uint_eq(s->bandwidth_bps, 1000000000);
    ck_assert_int_eq(s->topology, SIM_TOPOLOGY_DIRECT);
    CHECK_NAMES(s, s->bootstrap, "v2 n1");
    ck_assert_uint_eq(s->stakes->len, 3);
    ck_assert_uint_eq(g_array_index(s->stakes, uint64_t, 0), 10);
    ck_assert_uint_eq(g_array_index(s->stakes, uint64_t, 2), 30);
    ck_assert_int_eq(s->block_interval_ns, 250 * MS_NS);
    ck_assert_uint_eq(s->max_block_txs, 1);
    ck_assert_int_eq(s->view_timeout_ns, 1500 * MS_NS);
    ck_assert_uint_eq(s->checkpoint_interval, 7);
    ck_assert(s->crypto_fast);
    ck_assert(s->tx_rate_per_s == 5.0 / 60.0);
    ck_assert_uint_eq(s->accounts, 2);
    ck_assert_int_eq(s->workload_start_ns, 600 * S_NS);
    ck_assert_int_eq(s->workload_stop_ns, 1200 * S_NS);
    sim_scenario_free(s);
}
END_TEST

START_TEST(test_other_distributions)
{
    const char *dists[] = {"normal 50ms 10ms", "exponential 40ms", "constant 50ms",
                           "uniform 20ms 80ms"};
    sim_dist_kind kinds[] = {SIM_DIST_NORMAL, SIM_DIST_EXPONENTIAL, SIM_DIST_CONSTANT,
                             SIM_DIST_UNIFORM};
    for (size_t i = 0; i < G_N_ELEMENTS(dists); i++) {
        g_autofree char *text = g_strdup_printf("[network]\nlatency = %s\n", dists[i]);
        sim_scenario *s = parse_ok(text, NULL);
        ck_assert_int_eq(s->latency.kind, kinds[i]);
        sim_scenario_free(s);
    }
}
END_TEST

static const char twin_text[] = "[network]\n"
                                "validators = 4\n"
                                "full_nodes = 2\n"
                                "[fault evil]\n"
                                "action = byzantine\n"
                                "at = 0s\n"
                                "nodes = v2, v1'\n"
                                "behavior = delay 2s\n"
                                "[fault twins]\n"
                                "action = byzantine\n"
                                "at = 1s\n"
                                "nodes = v1\n"
                                "behavior = twin\n"
                                "[fault down]\n"
                                "action = crash\n"
                                "at = 5s\n"
                                "nodes = honest\n"
                                "[fault cut]\n"
                                "action = partition\n"
                                "at = 10s\n"
                                "until = 20s\n"
                                "groups = v0 v1 | v1' n0\n"
                                "[fault slow]\n"
                                "action = degrade\n"
                                "at = 1s\n"
                                "nodes = all\n"
                                "duplicate = 0.5\n"
                                "bandwidth = 1Mbit/s\n"
                                "[fault flood]\n"
                                "action = byzantine\n"
                                "at = 2s\n"
                                "nodes = n1\n"
                                "behavior = flood 10000/s\n"
                                "[fault leave]\n"
                                "action = churn\n"
                                "at = 3s\n"
                                "nodes = full_nodes\n"
                                "leave_rate = 5/min\n"
                                "[expect]\n"
                                "slashed = none\n"
                                "max_view_changes = 0\n";

START_TEST(test_twins_honest_and_actions)
{
    sim_scenario *s = parse_ok(twin_text, NULL);
    ck_assert_uint_eq(s->twins->len, 1);
    ck_assert_uint_eq(u32_at(s->twins, 0), 1);
    ck_assert_uint_eq(sim_scenario_node_count(s), 7);
    g_autofree char *twin = sim_scenario_node_name(s, 6);
    ck_assert_str_eq(twin, "v1'");
    const sim_fault *evil = fault_at(s, 0);
    ck_assert_str_eq(evil->behavior, "delay");
    ck_assert_int_eq(evil->behavior_delay_ns, 2 * S_NS);
    CHECK_NAMES(s, evil->nodes, "v2 v1'");
    ck_assert_str_eq(fault_at(s, 1)->behavior, "twin");
    /* byzantine: v1 (twinned), v2, n1, v1'; honest: the rest. */
    CHECK_NAMES(s, fault_at(s, 2)->nodes, "v0 v3 n0");
    CHECK_NAMES(s, g_ptr_array_index(fault_at(s, 3)->groups, 1), "n0 v1'");
    const sim_fault *slow = fault_at(s, 4);
    ck_assert_uint_eq(slow->nodes->len, 7);
    ck_assert(!slow->has_latency && !slow->has_loss && slow->has_duplicate && slow->has_bandwidth);
    ck_assert(slow->duplicate == 0.5);
    ck_assert_uint_eq(slow->bandwidth_bps, 1000000);
    const sim_fault *flood = fault_at(s, 5);
    ck_assert_str_eq(flood->behavior, "flood");
    ck_assert(flood->behavior_rate_per_s == 10000.0);
    const sim_fault *leave = fault_at(s, 6);
    ck_assert(leave->join_rate_per_s == 0.0 && leave->leave_rate_per_s == 5.0 / 60.0);
    ck_assert(s->expect.has_slashed);
    ck_assert_uint_eq(s->expect.slashed->len, 0);
    ck_assert(s->expect.has_max_view_changes);
    ck_assert_uint_eq(s->expect.max_view_changes, 0);
    sim_scenario_free(s);
}
END_TEST

START_TEST(test_every_behavior)
{
    const char *behaviors[] = {"equivocate", "double-sign", "withhold", "invalid-signature",
                               "replay", "delay 2s", "flood 10000/s", "twin"};
    const char *keywords[] = {"equivocate", "double-sign", "withhold", "invalid-signature",
                              "replay", "delay", "flood", "twin"};
    for (size_t i = 0; i < G_N_ELEMENTS(behaviors); i++) {
        g_autofree char *text = g_strdup_printf("[fault b]\naction = byzantine\nat = 0s\n"
                                                "nodes = v0\nbehavior = %s\n[expect]\n"
                                                "slashed = v0\n",
                                                behaviors[i]);
        sim_scenario *s = parse_ok(text, NULL);
        ck_assert_str_eq(fault_at(s, 0)->behavior, keywords[i]);
        ck_assert_uint_eq(s->twins->len, strcmp(keywords[i], "twin") == 0 ? 1 : 0);
        sim_scenario_free(s);
    }
}
END_TEST

START_TEST(test_overrides)
{
    const char *text = "[network]\nvalidators = 4\n[fault split]\naction = partition\n"
                       "at = 10s\ngroups = v0 v1 | v2 v3\n";
    const char *const sets[] = {"network.validators=6", "fault split.at=30s",
                                "scenario.seed=99", "scenario.duration = 2min",
                                "fault extra.action=crash", "fault extra.at=1s",
                                "fault extra.nodes=v5", NULL};
    sim_scenario *s = parse_ok(text, sets);
    ck_assert_uint_eq(s->validators, 6);
    ck_assert_uint_eq(s->stakes->len, 6);
    ck_assert_uint_eq(s->seed, 99);
    ck_assert_int_eq(s->duration_ns, 120 * S_NS);
    ck_assert_int_eq(s->workload_stop_ns, 120 * S_NS);
    ck_assert_uint_eq(s->faults->len, 2);
    ck_assert_int_eq(fault_at(s, 0)->at_ns, 30 * S_NS);
    ck_assert_str_eq(fault_at(s, 1)->name, "extra");
    ck_assert_int_eq(fault_at(s, 1)->line, 0);
    CHECK_NAMES(s, fault_at(s, 1)->nodes, "v5");
    sim_scenario_free(s);

    struct { const char *set; const char *expect; int code; } bad[] = {
        {"network.loss=2", "--set: network.loss: bad probability '2'", SIM_SCENARIO_ERROR_VALUE},
        {"network.latncy=5ms", "--set: network.latncy: unknown key in [network]; did you mean "
                               "'latency'?", SIM_SCENARIO_ERROR_KEY},
        {"netwrk.validators=3", "--set: netwrk.validators: unknown section; did you mean "
                                "[network]?", SIM_SCENARIO_ERROR_KEY},
        {"fault split.at=5min", "--set: fault split.at: 5min is not before the end of the run "
                                "(duration = 1min)", SIM_SCENARIO_ERROR_VALUE},
        {"fault new.at=5s", "--set: fault new.at: missing `action`", SIM_SCENARIO_ERROR_KEY},
        {"network.validators", "--set: network.validators: malformed override",
         SIM_SCENARIO_ERROR_SYNTAX},
        {"seed=3", "--set: seed=3: malformed override", SIM_SCENARIO_ERROR_SYNTAX},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        const char *const one[] = {bad[i].set, NULL};
        g_autofree char *msg = parse_bad(text, one, bad[i].code);
        ck_assert_msg(strstr(msg, bad[i].expect) != NULL, "%s: got '%s'", bad[i].set, msg);
    }
}
END_TEST

/* [slashing]: protocol defaults unless set, fractions exact, PBFT only. */
START_TEST(test_slashing_section)
{
    sim_scenario *d = parse_ok("[consensus]\nprotocol = pbft\n", NULL);
    proto_slashing_params want = proto_slashing_defaults();
    const proto_slashing_params *got = &d->slashing;
    ck_assert_uint_eq(got->slash_double_sign_num, want.slash_double_sign_num);
    ck_assert_uint_eq(got->slash_double_sign_den, want.slash_double_sign_den);
    ck_assert_uint_eq(got->slash_downtime_num, want.slash_downtime_num);
    ck_assert_uint_eq(got->slash_downtime_den, want.slash_downtime_den);
    ck_assert_uint_eq(got->downtime.window, want.downtime.window);
    ck_assert_uint_eq(got->downtime.min_signed_num, want.downtime.min_signed_num);
    ck_assert_uint_eq(got->downtime.min_signed_den, want.downtime.min_signed_den);
    ck_assert_int_eq(got->downtime.jail_duration_ns, want.downtime.jail_duration_ns);
    ck_assert_uint_eq(got->evidence_max_age, want.evidence_max_age);
    ck_assert_uint_eq(got->update_delay, want.update_delay);
    /* the documented defaults: Cosmos fractions, windows scaled to short runs */
    ck_assert_uint_eq(d->slashing.slash_double_sign_num * 20, d->slashing.slash_double_sign_den);
    ck_assert_uint_eq(d->slashing.slash_downtime_num * 100, d->slashing.slash_downtime_den);
    ck_assert_uint_eq(d->slashing.downtime.min_signed_num * 2, d->slashing.downtime.min_signed_den);
    ck_assert_uint_eq(d->slashing.downtime.window, 50);
    ck_assert_int_eq(d->slashing.downtime.jail_duration_ns, 30 * S_NS);
    ck_assert_uint_eq(d->slashing.evidence_max_age, 100);
    ck_assert_uint_eq(d->slashing.update_delay, 2);
    sim_scenario_free(d);

    const char *text = "[consensus]\nprotocol = pbft\n"
                       "[slashing]\n"
                       "slash_double_sign = 0.123456789\n"
                       "slash_downtime = 0\n"
                       "signed_blocks_window = 100000\n"
                       "min_signed_per_window = 1\n"
                       "downtime_jail_duration = 10min\n"
                       "evidence_max_age = 5\n"
                       "update_delay = 16\n";
    sim_scenario *s = parse_ok(text, NULL);
    ck_assert_uint_eq(s->slashing.slash_double_sign_num, 123456789);
    ck_assert_uint_eq(s->slashing.slash_double_sign_den, 1000000000);
    ck_assert_uint_eq(s->slashing.slash_downtime_num, 0);
    ck_assert_uint_eq(s->slashing.slash_downtime_den, 1);
    ck_assert_uint_eq(s->slashing.downtime.window, 100000);
    ck_assert_uint_eq(s->slashing.downtime.min_signed_num, 1);
    ck_assert_uint_eq(s->slashing.downtime.min_signed_den, 1);
    ck_assert_int_eq(s->slashing.downtime.jail_duration_ns, 600 * S_NS);
    ck_assert_uint_eq(s->slashing.evidence_max_age, 5);
    ck_assert_uint_eq(s->slashing.update_delay, 16);
    sim_scenario_free(s);

    /* trailing zeros do not change the value; --set reaches the section */
    const char *const sets[] = {"slashing.slash_downtime=0.0500", "slashing.update_delay=3",
                                NULL};
    sim_scenario *o = parse_ok("[consensus]\nprotocol = pbft\n", sets);
    ck_assert_uint_eq(o->slashing.slash_downtime_num, 5);
    ck_assert_uint_eq(o->slashing.slash_downtime_den, 100);
    ck_assert_uint_eq(o->slashing.update_delay, 3);
    sim_scenario_free(o);

    /* PoA does not slash, however the section arrives */
    g_autofree char *poa = parse_bad("[slashing]\nupdate_delay = 2\n", NULL,
                                     SIM_SCENARIO_ERROR_KEY);
    ck_assert_str_eq(poa, "dir/t.ini:1: [slashing]: PoA does not slash (slashing needs "
                          "protocol = pbft in [consensus])");
    const char *const poa_set[] = {"slashing.update_delay=2", NULL};
    g_autofree char *poa2 = parse_bad("[consensus]\nprotocol = poa\n", poa_set,
                                      SIM_SCENARIO_ERROR_KEY);
    ck_assert_msg(g_str_has_prefix(poa2, "--set: ") && strstr(poa2, "PoA does not slash"), "%s",
                  poa2);
    struct { const char *value; const char *expect; } bad[] = {
        {"1.0000000001", "bad fraction '1.0000000001': at most 9 decimals"},
        {"1.01", "bad fraction '1.01': must be in [0, 1]"},
        {"2", "bad fraction '2': must be in [0, 1]"},
        {"-0.1", "bad fraction '-0.1': must be in [0, 1]"},
        {".5", "bad fraction '.5' (a decimal number like 0.05)"},
        {"5e-2", "bad fraction '5e-2' (a decimal number like 0.05)"},
        {"0.05 ", NULL}, /* trailing blanks are the ini reader's; value is clean */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree char *t = g_strdup_printf("[consensus]\nprotocol = pbft\n[slashing]\n"
                                             "slash_double_sign = %s\n", bad[i].value);
        if (bad[i].expect == NULL) {
            sim_scenario_free(parse_ok(t, NULL));
            continue;
        }
        g_autofree char *msg = parse_bad(t, NULL, SIM_SCENARIO_ERROR_VALUE);
        g_autofree char *full = g_strdup_printf("dir/t.ini:4: slash_double_sign: %s",
                                                bad[i].expect);
        ck_assert_str_eq(msg, full);
    }
}
END_TEST

START_TEST(test_cross_checks_follow_overrides)
{
    const char *text = "[consensus]\nstakes = 1 2 3 4\n[workload]\nstart = 50s\n";
    sim_scenario *s = parse_ok(text, NULL);
    ck_assert_int_eq(s->workload_stop_ns, 60 * S_NS);
    sim_scenario_free(s);
    const char *const more[] = {"network.validators=5", NULL};
    g_autofree char *m1 = parse_bad(text, more, SIM_SCENARIO_ERROR_VALUE);
    ck_assert_str_eq(m1, "dir/t.ini:2: stakes: 4 stakes for 5 validators (give one value for "
                         "all, or one per validator)");
    const char *const shorter[] = {"scenario.duration=40s", NULL};
    g_autofree char *m2 = parse_bad(text, shorter, SIM_SCENARIO_ERROR_VALUE);
    ck_assert_str_eq(m2, "dir/t.ini:4: start: start must be before the end of the run "
                         "(duration = 40s)");
}
END_TEST

/* [network] topology and bootstrap, and churn's full-nodes-only rule. */
START_TEST(test_mesh_keys)
{
    sim_scenario *s = parse_ok("[network]\nvalidators = 2\nfull_nodes = 3\n", NULL);
    CHECK_NAMES(s, s->bootstrap, "v0 v1"); /* all validators when fewer than three */
    sim_scenario_free(s);
    const char *const set[] = {"network.bootstrap=n2 v1", "network.topology=direct", NULL};
    s = parse_ok("[network]\nvalidators = 2\nfull_nodes = 3\nbootstrap = v0\n", set);
    CHECK_NAMES(s, s->bootstrap, "v1 n2");
    ck_assert_int_eq(s->topology, SIM_TOPOLOGY_DIRECT);
    sim_scenario_free(s);
    g_autofree char *typo =
        parse_bad("[network]\ntopology = meshh\n", NULL, SIM_SCENARIO_ERROR_VALUE);
    ck_assert_str_eq(typo, "dir/t.ini:2: topology: unknown value 'meshh'; did you mean 'mesh'? "
                           "(mesh | direct)");
    g_autofree char *unknown =
        parse_bad("[network]\nfull_nodes = 1\nbootstrap = n3\n", NULL, SIM_SCENARIO_ERROR_VALUE);
    ck_assert(g_str_has_prefix(unknown, "dir/t.ini:3: bootstrap: "));
    ck_assert(strstr(unknown, "n3") != NULL);
    g_autofree char *agent =
        parse_bad("[network]\nfull_nodes = 1\nbootstrap = v0 a0\n[agents]\nproviders = 1\n",
                  NULL, SIM_SCENARIO_ERROR_VALUE);
    ck_assert_str_eq(agent, "dir/t.ini:3: bootstrap: a0 is an agent, not a node (agents can be "
                            "named only by byzantine and churn faults)");
    g_autofree char *empty =
        parse_bad("[network]\nbootstrap =\n", NULL, SIM_SCENARIO_ERROR_VALUE);
    ck_assert_str_eq(empty, "dir/t.ini:2: bootstrap: empty value");
    g_autofree char *churn = parse_bad("[network]\nfull_nodes = 2\n[fault ch]\naction = churn\n"
                                       "at = 1s\nnodes = v3 n0\nleave_rate = 1/s\n",
                                       NULL, SIM_SCENARIO_ERROR_VALUE);
    ck_assert_str_eq(churn, "dir/t.ini:6: nodes: churn: v3 is not a full node (churn joins and "
                            "leaves full nodes and agents only; crash a validator with action = "
                            "crash)");
}
END_TEST

START_TEST(test_error_codes_and_locations)
{
    g_autofree char *syntax = parse_bad("[network]\nx\n", NULL, SIM_SCENARIO_ERROR_SYNTAX);
    ck_assert(g_str_has_prefix(syntax, "dir/t.ini:2: [network]: "));
    g_autofree char *key = parse_bad("\n[expect]\nsafty = holds\n", NULL, SIM_SCENARIO_ERROR_KEY);
    ck_assert_str_eq(key, "dir/t.ini:3: safty: unknown key in [expect]; did you mean 'safety'?");
    g_autofree char *value =
        parse_bad("[expect]\nsafety = maybe\n", NULL, SIM_SCENARIO_ERROR_VALUE);
    ck_assert_str_eq(value, "dir/t.ini:2: safety: unknown value 'maybe' (holds | fails)");
    g_autofree char *sec = parse_bad("[scenario]\n[workloads]\n", NULL, SIM_SCENARIO_ERROR_KEY);
    ck_assert_str_eq(sec, "dir/t.ini:2: [workloads]: unknown section; did you mean [workload]?");
    g_autofree char *unknown = parse_bad("[zzz]\n", NULL, SIM_SCENARIO_ERROR_KEY);
    ck_assert(strstr(unknown, "unknown section (known: [scenario]") != NULL);

    GError *error = NULL;
    sim_scenario *s = sim_scenario_load("/nonexistent/dir/x.ini", NULL, &error);
    ck_assert_ptr_null(s);
    ck_assert(g_error_matches(error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_IO));
    ck_assert(g_str_has_prefix(error->message, "/nonexistent/dir/x.ini: cannot read: "));
    g_error_free(error);
}
END_TEST

START_TEST(test_fault_action_names)
{
    ck_assert_str_eq(sim_fault_action_name(SIM_FAULT_CRASH), "crash");
    ck_assert_str_eq(sim_fault_action_name(SIM_FAULT_PARTITION), "partition");
    ck_assert_str_eq(sim_fault_action_name(SIM_FAULT_DEGRADE), "degrade");
    ck_assert_str_eq(sim_fault_action_name(SIM_FAULT_BYZANTINE), "byzantine");
    ck_assert_str_eq(sim_fault_action_name(SIM_FAULT_CHURN), "churn");
    ck_assert_str_eq(sim_fault_action_name(SIM_FAULT_ROTATE_KEY), "rotate-key");
}
END_TEST

/* ---- mutation fuzzing: no crash, and every outcome is well-formed ---- */

/* A tiny LCG so the mutations are the same on every run. */
static uint64_t fuzz_next(uint64_t *state)
{
    *state = *state * 6364136223846793005ull + 1442695040888963407ull;
    return *state >> 33;
}

static void fuzz_mutate(GString *text, uint64_t *state)
{
    static const char *const pieces[] = {"..", "|", "=", "[", "]", "#", " ", "\n", "v", "'",
                                         "0", "9", "s", "ms", "/s", "-", ".", ",", "e", "\xff",
                                         "honest", "twin", "none", "fault x", "99999999999"};
    guint pos = (guint)(fuzz_next(state) % (text->len + 1));
    switch (fuzz_next(state) % 3) {
    case 0:
        g_string_insert(text, pos, pieces[fuzz_next(state) % G_N_ELEMENTS(pieces)]);
        break;
    case 1: {
        gsize count = (gsize)(fuzz_next(state) % 8);
        g_string_erase(text, pos, (gssize)MIN(count, text->len - pos));
        break;
    }
    default:
        if (pos < text->len)
            text->str[pos] = (char)(32 + fuzz_next(state) % 95);
        break;
    }
}

/* Every node index in a parsed scenario is a real node; groups disjoint. */
static void fuzz_check_ok(const sim_scenario *s)
{
    uint32_t total = sim_scenario_node_count(s);
    ck_assert_uint_eq(s->stakes->len, s->validators);
    ck_assert_int_lt(s->workload_start_ns, s->workload_stop_ns);
    ck_assert_int_le(s->workload_stop_ns, s->duration_ns);
    for (guint i = 0; i < s->faults->len; i++) {
        const sim_fault *f = g_ptr_array_index(s->faults, i);
        ck_assert_int_lt(f->at_ns, s->duration_ns);
        ck_assert(f->until_ns == -1 || (f->until_ns > f->at_ns && f->until_ns <= s->duration_ns));
        for (guint j = 0; j < f->nodes->len; j++)
            ck_assert_uint_lt(u32_at(f->nodes, j), total);
        g_autofree guint8 *seen = g_new0(guint8, total);
        for (guint g = 0; g < f->groups->len; g++) {
            const GArray *group = g_ptr_array_index(f->groups, g);
            for (guint j = 0; j < group->len; j++) {
                ck_assert_uint_lt(u32_at(group, j), total);
                ck_assert(!seen[u32_at(group, j)]);
                seen[u32_at(group, j)] = 1;
            }
        }
    }
}

START_TEST(test_fuzz_mutations)
{
    g_autofree char *path = source_path("tests/data/scenarios-md-example.ini");
    g_autofree char *base = NULL;
    ck_assert(g_file_get_contents(path, &base, NULL, NULL));
    uint64_t state = 42;
    guint parsed = 0;
    for (int round = 0; round < 3000; round++) {
        g_autoptr(GString) text = g_string_new(base);
        guint mutations = 1 + (guint)(fuzz_next(&state) % 4);
        for (guint m = 0; m < mutations; m++)
            fuzz_mutate(text, &state);
        GError *error = NULL;
        sim_scenario *s = sim_scenario_parse("fuzz.ini", text->str, text->len, NULL, &error);
        if (s != NULL) {
            fuzz_check_ok(s);
            sim_scenario_free(s);
            parsed++;
            continue;
        }
        ck_assert(error != NULL && error->domain == SIM_SCENARIO_ERROR);
        ck_assert_msg(g_str_has_prefix(error->message, "fuzz.ini:") &&
                          g_ascii_isdigit(error->message[strlen("fuzz.ini:")]),
                      "round %d: %s", round, error->message);
        g_error_free(error);
    }
    /* Both outcomes must occur, or the mutations are not exercising much. */
    ck_assert_uint_gt(parsed, 100);
    ck_assert_uint_lt(parsed, 2900);
}
END_TEST

static Suite *scenario_suite(void)
{
    Suite *s = suite_create("scenario");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_default_name);
    tcase_add_test(tc, test_scenarios_md_example);
    tcase_add_test(tc, test_default_ini);
    tcase_add_test(tc, test_every_key);
    tcase_add_test(tc, test_other_distributions);
    tcase_add_test(tc, test_twins_honest_and_actions);
    tcase_add_test(tc, test_every_behavior);
    tcase_add_test(tc, test_overrides);
    tcase_add_test(tc, test_slashing_section);
    tcase_add_test(tc, test_cross_checks_follow_overrides);
    tcase_add_test(tc, test_mesh_keys);
    tcase_add_test(tc, test_error_codes_and_locations);
    tcase_add_test(tc, test_fault_action_names);
    tcase_add_test(tc, test_fuzz_mutations);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(scenario_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
