/* Tests for node names and node sets (sim/scenario/nodeset.c): names, ranges,
 * lists, groups, `honest`, twins, `none`, agents (apart from the nodes),
 * and the errors that name the offending word. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario/nodeset.h"
#include "sim/scenario/scenario.h"

/* 10 validators, 4 full nodes, 2 agents (not nodes); optionally twins of
 * v1 and v3 (nodes 14 and 15) and v3 + both twins byzantine. */
typedef struct fixture {
    GArray *twins;
    GArray *byzantine;
    sim_nodeset_ctx ctx;
} fixture;

static void fixture_init(fixture *f, gboolean with_twins)
{
    f->twins = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    f->byzantine = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    f->ctx = (sim_nodeset_ctx){.validators = 10, .full_nodes = 4, .agents = 2};
    if (with_twins) {
        uint32_t t[] = {1, 3}, b[] = {1, 3, 14, 15};
        g_array_append_vals(f->twins, t, 2);
        g_array_append_vals(f->byzantine, b, 4);
        f->ctx.twins = f->twins;
        f->ctx.byzantine = f->byzantine;
    }
}

static void fixture_clear(fixture *f)
{
    g_array_unref(f->twins);
    g_array_unref(f->byzantine);
}

/* The set as "i,j,k". */
static char *set_text(const sim_nodeset_ctx *ctx, const char *text, guint flags)
{
    GError *error = NULL;
    GArray *set = sim_nodeset_parse(ctx, text, flags, &error);
    ck_assert_msg(set != NULL, "'%s': %s", text, error ? error->message : "?");
    GString *out = g_string_new(NULL);
    for (guint i = 0; i < set->len; i++)
        g_string_append_printf(out, "%s%u", i ? "," : "", g_array_index(set, uint32_t, i));
    g_array_unref(set);
    return g_string_free(out, FALSE);
}

static char *set_error(const sim_nodeset_ctx *ctx, const char *text, guint flags)
{
    GError *error = NULL;
    GArray *set = sim_nodeset_parse(ctx, text, flags, &error);
    ck_assert_msg(set == NULL, "'%s' parsed", text);
    ck_assert(g_error_matches(error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_VALUE));
    char *msg = g_strdup(error->message);
    g_error_free(error);
    return msg;
}

#define CHECK_SET(ctx, text, flags, expected)                                                    \
    do {                                                                                         \
        g_autofree char *got_ = set_text((ctx), (text), (flags));                                \
        ck_assert_msg(strcmp(got_, (expected)) == 0, "'%s' -> %s, want %s", (text), got_,         \
                      (expected));                                                               \
    } while (0)

#define CHECK_ERR(ctx, text, flags, expected)                                                    \
    do {                                                                                         \
        g_autofree char *msg_ = set_error((ctx), (text), (flags));                               \
        ck_assert_msg(strstr(msg_, (expected)) != NULL, "'%s': %s", (text), msg_);               \
    } while (0)

START_TEST(test_names_lists_ranges)
{
    fixture f;
    fixture_init(&f, FALSE);
    CHECK_SET(&f.ctx, "v3", 0, "3");
    CHECK_SET(&f.ctx, "n0", 0, "10");
    CHECK_SET(&f.ctx, "n3", 0, "13");
    CHECK_SET(&f.ctx, "v7 v8 v9", 0, "7,8,9");
    CHECK_SET(&f.ctx, "v9,v7, v8", 0, "7,8,9");
    CHECK_SET(&f.ctx, "v0..v4", 0, "0,1,2,3,4");
    CHECK_SET(&f.ctx, "v0 .. v2, n1..n2", 0, "0,1,2,11,12");
    CHECK_SET(&f.ctx, "v2..v2 v1 v3", 0, "1,2,3");
    CHECK_SET(&f.ctx, "validators", 0, "0,1,2,3,4,5,6,7,8,9");
    CHECK_SET(&f.ctx, "full_nodes", 0, "10,11,12,13");
    CHECK_SET(&f.ctx, "all", 0, "0,1,2,3,4,5,6,7,8,9,10,11,12,13");
    CHECK_SET(&f.ctx, "none", SIM_NODESET_ALLOW_NONE, "");
    fixture_clear(&f);
}
END_TEST

START_TEST(test_errors)
{
    fixture f;
    fixture_init(&f, FALSE);
    CHECK_ERR(&f.ctx, "v12", 0, "v12 names no node (validators are v0..v9)");
    CHECK_ERR(&f.ctx, "n4", 0, "n4 names no node (full nodes are n0..n3)");
    CHECK_ERR(&f.ctx, "v5..v2", 0, "bad range v5..v2: end before start");
    CHECK_ERR(&f.ctx, "v0..n2", 0, "both ends must be the same kind");
    CHECK_ERR(&f.ctx, "v8..v12", 0, "v12 names no node");
    CHECK_ERR(&f.ctx, "v0..", 0, "bad range v0..: missing end");
    CHECK_ERR(&f.ctx, "..v3", 0, "'..' without a start");
    CHECK_ERR(&f.ctx, "v1....v3", 0, "missing end");
    CHECK_ERR(&f.ctx, "validator", 0, "bad node name 'validator'; did you mean 'validators'?");
    CHECK_ERR(&f.ctx, "x1", 0, "bad node name 'x1' (write v3");
    CHECK_ERR(&f.ctx, "v01", 0, "bad node name 'v01'");
    CHECK_ERR(&f.ctx, "v-1", 0, "bad node name");
    CHECK_ERR(&f.ctx, "v99999999999", 0, "bad node name");
    CHECK_ERR(&f.ctx, "n1'", 0, "bad node name");
    CHECK_ERR(&f.ctx, "", 0, "empty node list");
    CHECK_ERR(&f.ctx, " , ", SIM_NODESET_ALLOW_NONE, "empty node list (write `none`");
    CHECK_ERR(&f.ctx, "none", 0, "`none` cannot be used here");
    CHECK_ERR(&f.ctx, "none v1", SIM_NODESET_ALLOW_NONE, "`none` cannot be combined");
    CHECK_ERR(&f.ctx, "honest", 0, "`honest` cannot be used here");
    CHECK_ERR(&f.ctx, "v1'", 0, "v1': twin names cannot be used here");
    /* A node named twice is an error, whichever items name it. */
    CHECK_ERR(&f.ctx, "v1 v1", 0, "v1 is named twice");
    CHECK_ERR(&f.ctx, "v1, v2 v1", SIM_NODESET_ALLOW_NONE, "v1 is named twice");
    CHECK_ERR(&f.ctx, "v2..v2 v2 v1..v3", 0, "v2 is named twice (by 'v2..v2' and 'v2')");
    CHECK_ERR(&f.ctx, "v0..v4 v3..v6", 0, "v3 is named twice (by 'v0..v4' and 'v3..v6')");
    CHECK_ERR(&f.ctx, "validators v9", 0, "v9 is named twice (by 'validators' and 'v9')");
    CHECK_ERR(&f.ctx, "n1 all", 0, "n1 is named twice (by 'n1' and 'all')");
    f.ctx.full_nodes = 0;
    CHECK_ERR(&f.ctx, "n0", 0, "n0 names no node (there are no full nodes)");
    CHECK_ERR(&f.ctx, "full_nodes", 0, "`full_nodes` names no node");
    fixture_clear(&f);
}
END_TEST

START_TEST(test_twins_and_honest)
{
    fixture f;
    fixture_init(&f, TRUE);
    ck_assert_uint_eq(sim_nodeset_node_count(&f.ctx), 16);
    CHECK_SET(&f.ctx, "v1'", 0, "14");
    CHECK_SET(&f.ctx, "v3' v3", 0, "3,15");
    CHECK_SET(&f.ctx, "all", 0, "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15");
    CHECK_SET(&f.ctx, "validators", 0, "0,1,2,3,4,5,6,7,8,9");
    CHECK_SET(&f.ctx, "honest", 0, "0,2,4,5,6,7,8,9,10,11,12,13");
    CHECK_ERR(&f.ctx, "v2'", 0, "v2' names no node (no byzantine fault with behavior = twin on v2)");
    CHECK_ERR(&f.ctx, "v1'..v3'", 0, "both ends must be the same kind");

    g_autofree char *v0 = sim_nodeset_node_name(&f.ctx, 0);
    g_autofree char *v9 = sim_nodeset_node_name(&f.ctx, 9);
    g_autofree char *n0 = sim_nodeset_node_name(&f.ctx, 10);
    g_autofree char *t1 = sim_nodeset_node_name(&f.ctx, 14);
    g_autofree char *t3 = sim_nodeset_node_name(&f.ctx, 15);
    ck_assert_str_eq(v0, "v0");
    ck_assert_str_eq(v9, "v9");
    ck_assert_str_eq(n0, "n0");
    ck_assert_str_eq(t1, "v1'");
    ck_assert_str_eq(t3, "v3'");

    uint32_t everyone[16];
    for (uint32_t i = 0; i < 16; i++)
        everyone[i] = i;
    g_array_set_size(f.byzantine, 0);
    g_array_append_vals(f.byzantine, everyone, 16);
    CHECK_ERR(&f.ctx, "honest", 0, "`honest` names no node (every node is byzantine)");
    fixture_clear(&f);
}
END_TEST

START_TEST(test_names_round_trip)
{
    fixture f;
    fixture_init(&f, TRUE);
    uint32_t total = sim_nodeset_node_count(&f.ctx);
    for (uint32_t i = 0; i < total; i++) {
        g_autofree char *name = sim_nodeset_node_name(&f.ctx, i);
        g_autofree char *back = set_text(&f.ctx, name, 0);
        g_autofree char *want = g_strdup_printf("%u", i);
        ck_assert_str_eq(back, want);
    }
    fixture_clear(&f);
}
END_TEST

/* Nodes and agents of one list, "i,j | a,b". */
static char *split_text(const sim_nodeset_ctx *ctx, const char *text)
{
    GError *error = NULL;
    GArray *agents = NULL;
    GArray *nodes = sim_nodeset_parse_agents(ctx, text, 0, &agents, &error);
    ck_assert_msg(nodes != NULL, "'%s': %s", text, error ? error->message : "?");
    GString *out = g_string_new(NULL);
    for (guint i = 0; i < nodes->len; i++)
        g_string_append_printf(out, "%s%u", i ? "," : "", g_array_index(nodes, uint32_t, i));
    g_string_append(out, " |");
    for (guint i = 0; i < agents->len; i++)
        g_string_append_printf(out, "%s%u", i ? "," : " ", g_array_index(agents, uint32_t, i));
    g_array_unref(nodes);
    g_array_unref(agents);
    return g_string_free(out, FALSE);
}

START_TEST(test_agents_apart)
{
    fixture f;
    fixture_init(&f, TRUE);
    g_autofree char *one = split_text(&f.ctx, "a1");
    ck_assert_str_eq(one, " | 1");
    g_autofree char *mixed = split_text(&f.ctx, "v1' a0..a1 v2");
    ck_assert_str_eq(mixed, "2,14 | 0,1");
    g_autofree char *group = split_text(&f.ctx, "agents n0");
    ck_assert_str_eq(group, "10 | 0,1");
    g_autofree char *nodes_only = split_text(&f.ctx, "all");
    ck_assert_str_eq(nodes_only, "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15 |");
    GError *error = NULL;
    GArray *agents = NULL;
    ck_assert(sim_nodeset_parse_agents(&f.ctx, "a0 a0", 0, &agents, &error) == NULL);
    ck_assert(agents == NULL);
    ck_assert_str_eq(error->message, "a0 is named twice");
    g_clear_error(&error);
    CHECK_ERR(&f.ctx, "a1", 0, "a1 is an agent, not a node");
    CHECK_ERR(&f.ctx, "a0..a1", 0, "a0 is an agent, not a node");
    CHECK_ERR(&f.ctx, "agents", 0, "`agents` names agents, not nodes");
    CHECK_ERR(&f.ctx, "a2", 0, "a2 names no agent (agents are a0..a1");
    f.ctx.agents = 0;
    CHECK_ERR(&f.ctx, "a0", 0, "a0 names no agent (there are none without an [agents] section)");
    CHECK_ERR(&f.ctx, "agents", 0, "`agents` names no agent");
    fixture_clear(&f);
}
END_TEST

static Suite *nodeset_suite(void)
{
    Suite *s = suite_create("nodeset");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_names_lists_ranges);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_twins_and_honest);
    tcase_add_test(tc, test_names_round_trip);
    tcase_add_test(tc, test_agents_apart);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(nodeset_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
