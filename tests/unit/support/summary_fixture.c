/* The summary tests' fixture (summary_fixture.h). */
#include "support/summary_fixture.h"

#include <string.h>

const char sf_trace[] =
    "3f2a0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab";

rep_run_info *sf_info(void)
{
    rep_run_info *info = rep_run_info_new();
    g_free(info->version);
    info->version = g_strdup("0.1.0");
    info->scenario = g_strdup("pbft-crash-30pct");
    info->seed = 42;
    info->crypto = g_strdup("real");
    info->verdict = REP_VERDICT_FAIL;
    info->stop_reason = g_strdup("duration reached");
    info->wall_s = 12.5;
    info->sim_s = 600;
    info->events = 12500000;
    info->trace_hash_hex = g_strdup(sf_trace);
    rep_run_info_add_expect(info, "safety", "holds", "holds", TRUE);
    rep_run_info_add_expect(info, "max_finality_p99", "30s", "41.2s", FALSE);
    return info;
}

sim_metrics *sf_metrics(void)
{
    sim_metrics *m = sim_metrics_new();
    sim_metrics_figure(m, "throughput_tps", 912.46);
    sim_metrics_figure(m, "finality_p50_s", 1.2);
    sim_metrics_figure(m, "finality_p90_s", 2.1);
    sim_metrics_figure(m, "finality_p99_s", 2.4);
    sim_metrics_figure(m, "finality_max_s", 3.9);
    sim_metrics_figure(m, "blocks_final", 300);
    sim_metrics_figure(m, "forks", 0);
    sim_metrics_figure(m, "reorgs", 2);
    sim_metrics_figure(m, "txs_resubmitted", 1308);
    sim_metrics_figure(m, "txs_resubmitted.receiver_crashed", 8);
    sim_metrics_figure(m, "txs_resubmitted.other", 1300);
    sim_metrics_figure(m, "messages.pbft.preprepare.sent", 3000);
    sim_metrics_figure(m, "messages.pbft.prepare.sent", 27000000);
    sim_metrics_figure(m, "messages.pbft.preprepare.delivered", 2990);
    sim_metrics_figure(m, "messages.pbft.preprepare.dropped", 10);
    sim_metrics_figure(m, "bytes.pbft.preprepare.sent", 1572864);
    sim_metrics_figure(m, "messages.pbft.prepare.delivered", 26999000);
    sim_metrics_figure(m, "messages.pbft.prepare.dropped", 1000);
    sim_metrics_figure(m, "bytes.pbft.prepare.sent", 512);
    sim_metrics_figure(m, "sim_real_ratio", 48);
    sim_metrics_figure(m, "crypto_floor_ratio", 0.41);
    sim_metrics_fault(m, "crash-three", "crash", 60000000000LL, 300000000000LL, "v7 v8 v9");
    sim_metrics_fault(m, "rotate", "rotate-key", 100500000000LL, -1, "v1");
    return m;
}

gboolean sf_has_line(const char *text, const char *line)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l != NULL; l++) {
        if (strcmp(*l, line) == 0) {
            return TRUE;
        }
    }
    return FALSE;
}

void sf_assert_fits_80_columns(const char *text)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l != NULL; l++) {
        ck_assert_msg(g_utf8_strlen(*l, -1) <= 80, "line longer than 80 columns: '%s'", *l);
    }
}

