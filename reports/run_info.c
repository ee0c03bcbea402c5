/* Constructors and helpers for rep_run_info, the run metadata the command
 * line hands to every report. Kept apart from the writers so that the
 * database, JSON and summary code share one definition of a run. */
#include "reports/run_info.h"

#ifndef AITBC_VERSION
#define AITBC_VERSION "unknown"
#endif

const char *rep_verdict_name(rep_verdict verdict)
{
    switch (verdict) {
    case REP_VERDICT_INCOMPLETE:
        return "incomplete";
    case REP_VERDICT_PASS:
        return "pass";
    case REP_VERDICT_FAIL:
        return "fail";
    case REP_VERDICT_ERROR:
        return "error";
    }
    return "error";
}

static void run_info_expect_clear(gpointer data)
{
    rep_expect_result *e = data;
    g_free(e->key);
    g_free(e->target);
    g_free(e->actual);
}

rep_run_info *rep_run_info_new(void)
{
    rep_run_info *info = g_new0(rep_run_info, 1);
    info->version = g_strdup(AITBC_VERSION);
    info->verdict = REP_VERDICT_INCOMPLETE;
    info->expects = rep_expect_results_new();
    info->node_names = g_ptr_array_new_with_free_func(g_free);
    return info;
}

void rep_run_info_free(rep_run_info *info)
{
    if (info == NULL) {
        return;
    }
    g_free(info->scenario);
    g_free(info->scenario_path);
    g_free(info->version);
    g_free(info->trace_hash_hex);
    g_free(info->crypto);
    g_free(info->started_at);
    g_free(info->stop_reason);
    g_free(info->accountability);
    g_free(info->accountability_detail);
    g_array_unref(info->expects);
    g_ptr_array_unref(info->node_names);
    g_free(info);
}

GArray *rep_expect_results_new(void)
{
    GArray *results = g_array_new(FALSE, FALSE, sizeof(rep_expect_result));
    g_array_set_clear_func(results, run_info_expect_clear);
    return results;
}

void rep_expect_results_add(GArray *results, const char *key, const char *target,
                            const char *actual, gboolean passed)
{
    rep_expect_result e = {
        .key = g_strdup(key),
        .target = g_strdup(target),
        .actual = g_strdup(actual),
        .passed = passed,
    };
    g_array_append_val(results, e);
}

void rep_run_info_add_expect(rep_run_info *info, const char *key, const char *target,
                             const char *actual, gboolean passed)
{
    rep_expect_results_add(info->expects, key, target, actual, passed);
}

void rep_run_info_add_node(rep_run_info *info, const char *name)
{
    g_ptr_array_add(info->node_names, g_strdup(name));
}

const char *rep_run_info_node_name(const rep_run_info *info, uint32_t index)
{
    if (info->node_names == NULL || index >= info->node_names->len) {
        return NULL;
    }
    return g_ptr_array_index(info->node_names, index);
}
