/* The terminal summary's Staking section: the staking economy of a PBFT
 * run with [staking] (sim/check/staking_obs.h), from the last row of the
 * `staking` table and the staking figures. Left out of every other run. */
#include "reports/record_fields.h"
#include "reports/summary_internal.h"

#include <math.h>

void rep_summary_staking(GString *out, const rep_run_info *info, const sim_metrics *m)
{
    const rep_record_table *t = rep_summary_table("staking");
    const GArray *rows = rep_record_rows(t, info, m);
    if (rows->len == 0)
        return;
    const void *first = rep_record_row(rows, 0);
    const void *last = rep_record_row(rows, rows->len - 1);
    g_autofree char *height = rep_summary_field(info, t, last, "height");
    g_autofree char *bonded = rep_summary_count((double)rep_record_get(t, last, "bonded").u64);
    g_autofree char *unbonding =
        rep_summary_count((double)rep_record_get(t, last, "unbonding").u64);
    g_autofree char *ratio = rep_summary_fixed(rep_record_get(t, last, "staking_ratio").real, 4);
    rep_summary_line(out, "%s", "");
    rep_summary_line(out, "%s", "Staking");
    rep_summary_line(out, "  %-16s %s tokens, %s of the supply   unbonding %s   (height %s)",
                     "bonded", bonded, ratio, unbonding, height);
    double inflation = rep_record_get(t, last, "inflation").real;
    if (isfinite(inflation)) {
        g_autofree char *now = rep_summary_fixed(inflation, 4);
        g_autofree char *then = rep_summary_fixed(rep_record_get(t, first, "inflation").real, 4);
        g_autofree char *minted = rep_summary_count((double)rep_record_get(t, last, "minted").u64);
        rep_summary_line(out, "  %-16s %s a year (first height %s)   minted %s", "inflation", now,
                         then, minted);
    }
    g_autofree char *claimed =
        rep_summary_count((double)rep_record_get(t, last, "rewards_claimed").u64);
    g_autofree char *pool =
        rep_summary_count((double)rep_record_get(t, last, "community_pool").u64);
    rep_summary_line(out, "  %-16s %s claimed by delegators   community pool %s", "rewards",
                     claimed, pool);
    g_autofree char *dels = rep_summary_field(info, t, last, "delegations");
    g_autofree char *ubd = rep_summary_field(info, t, last, "unbonding_entries");
    g_autofree char *red = rep_summary_field(info, t, last, "redelegation_entries");
    rep_summary_line(out, "  %-16s %s, %s unbonding entries, %s redelegations (tables delegations, "
                     "unbondings)",
                     "delegations", dels, ubd, red);
}
