/* The testbed's outputs (testbed.h): its run's description, the
 * resources its node processes used, read from /proc (Linux), and the
 * results written as a simulated run writes them (results.sqlite,
 * report.json, the summary, the plots). */
#include "tools/cli/testbed.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "reports/json.h"
#include "reports/summary.h"
#include "tools/cli/cli.h"


rep_run_info *tbd_run_info_new(const tbd_testbed *t)
{
    rep_run_info *info = rep_run_info_new();
    info->scenario = g_strdup(t->sc->name);
    info->scenario_path = g_strdup(t->sc->path);
    info->seed = t->sc->seed;
    info->crypto = g_strdup(proto_crypto_mode_name(t->sc->crypto_fast ? PROTO_CRYPTO_FAST
                                                                      : PROTO_CRYPTO_REAL));
    GDateTime *now = g_date_time_new_now_utc();
    info->started_at = g_date_time_format(now, "%Y-%m-%dT%H:%M:%SZ");
    g_date_time_unref(now);
    for (uint32_t i = 0; i < t->nodes_count; i++)
        rep_run_info_add_node(info, t->nodes[i].name);
    return info;
}

int tbd_write_outputs(const char *dir, rep_db *db, rep_run_info *info, const sim_metrics *m,
                      bool quiet, bool no_plots)
{
    GError *error = NULL;
    char *json_path = g_build_filename(dir, "report.json", NULL);
    bool ok = rep_db_write_results(db, info, m, &error) &&
              rep_db_finish(db, info->verdict, info->wall_s, info->sim_s, info->events, NULL,
                            &error) &&
              rep_json_write(json_path, info, m, &error);
    g_free(json_path);
    if (!ok) {
        fprintf(stderr, "aitbc-sim: %s\n", error->message);
        g_error_free(error);
        return CLI_EXIT_INTERNAL;
    }
    if (!quiet)
        rep_summary_print(stdout, info, m);
    if (!no_plots && cli_plot_dir(dir, quiet) != CLI_EXIT_OK)
        fprintf(stderr, "aitbc-sim: the run's results are complete; only its plots failed\n");
    if (quiet)
        printf("%s seed=%" G_GUINT64_FORMAT " testbed verdict=%s out=%s\n", info->scenario,
               info->seed, rep_verdict_name(info->verdict), dir);
    return CLI_EXIT_OK;
}

int tbd_verdict_exit(rep_verdict verdict)
{
    if (verdict == REP_VERDICT_PASS)
        return CLI_EXIT_OK;
    return verdict == REP_VERDICT_ERROR ? CLI_EXIT_INTERNAL : CLI_EXIT_FAILED;
}

/* Per-node resources, read from /proc before the stop (Linux). */
void tbd_usage_figures(sim_metrics *m, uint32_t nodes_count, const double *cpu_s,
                       const double *rss_kib)
{
    double cpu_sum = 0, cpu_max = 0, rss_max = 0;
    uint32_t counted = 0;
    for (uint32_t i = 0; i < nodes_count; i++) {
        if (cpu_s[i] < 0)
            continue;
        counted++;
        cpu_sum += cpu_s[i];
        cpu_max = MAX(cpu_max, cpu_s[i]);
        rss_max = MAX(rss_max, rss_kib[i]);
    }
    if (counted == 0)
        return;
    sim_metrics_figure(m, "testbed.cpu_s_per_node_mean", cpu_sum / counted);
    sim_metrics_figure(m, "testbed.cpu_s_per_node_max", cpu_max);
    sim_metrics_figure(m, "testbed.rss_kib_per_process_max", rss_max);
}

void tbd_read_usage(const tbd_node *n, double *cpu_s, double *rss_kib)
{
    *cpu_s = -1;
    *rss_kib = -1;
    if (n->proc == NULL)
        return;
    const char *pid = g_subprocess_get_identifier(n->proc);
    if (pid == NULL)
        return;
    char *path = g_strdup_printf("/proc/%s/stat", pid), *text = NULL;
    if (g_file_get_contents(path, &text, NULL, NULL)) {
        const char *close_paren = strrchr(text, ')');
        char **f = close_paren != NULL ? g_strsplit(close_paren + 2, " ", 0) : NULL;
        /* After "pid (comm) ": state is field 0; utime, stime are 11, 12. */
        if (f != NULL && g_strv_length(f) > 12)
            *cpu_s = (g_ascii_strtod(f[11], NULL) + g_ascii_strtod(f[12], NULL)) /
                     (double)sysconf(_SC_CLK_TCK);
        g_strfreev(f);
    }
    g_free(text);
    g_free(path);
    path = g_strdup_printf("/proc/%s/status", pid);
    text = NULL;
    if (g_file_get_contents(path, &text, NULL, NULL)) {
        const char *hwm = strstr(text, "VmHWM:");
        if (hwm != NULL)
            *rss_kib = g_ascii_strtod(hwm + strlen("VmHWM:"), NULL);
    }
    g_free(text);
    g_free(path);
}
