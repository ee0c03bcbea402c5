/* The terminal summary's Upgrades section: each upgrade fault's record
 * (sim/figures/metrics.h, sim_upgrade_record; sim/world/upgrades.c), one
 * pair of lines each. Shown only in a run with an upgrade fault.
 *
 *   Upgrades
 *     jobs v2          planned for height 49 at 43.168 s
 *     activated        height 49 at 53.397 s; the chain paused 5.226 s
 *     halted nodes     3 of 3 installing late; all back by 70.259 s
 *     longest halt     21.259 s */
#include "reports/summary.h"
#include "reports/summary_internal.h"

static void upgrade_lines(GString *out, const sim_upgrade_record *r)
{
    g_autofree char *name = g_strdup_printf("%s v%u", r->module, r->version);
    if (r->planned_ns < 0) {
        rep_summary_line(out, "  %-16s never planned (height %" G_GUINT64_FORMAT " came first)",
                         name, r->planned_height);
        return;
    }
    g_autofree char *planned = rep_summary_fixed(r->planned_ns / 1e9, 3);
    rep_summary_line(out, "  %-16s planned for height %" G_GUINT64_FORMAT " at %s s", name,
                     r->planned_height, planned);
    if (r->activated_ns < 0) {
        rep_summary_line(out, "  %-16s not by the end", "activated");
    } else {
        g_autofree char *active = rep_summary_fixed(r->activated_ns / 1e9, 3);
        g_autofree char *stall = rep_summary_fixed(r->stall_ns / 1e9, 3);
        rep_summary_line(out, "  %-16s height %" G_GUINT64_FORMAT " at %s s; the chain paused %s s",
                         "activated", r->activated_height, active, stall);
    }
    if (r->halted_nodes == 0) {
        rep_summary_line(out, "  %-16s none (%u installing late)", "halted nodes", r->lagging);
        return;
    }
    g_autofree char *back = r->resumed_ns >= 0 ? rep_summary_fixed(r->resumed_ns / 1e9, 3) : NULL;
    rep_summary_line(out, "  %-16s %u of %u installing late; %s%s%s", "halted nodes",
                     r->halted_nodes, r->lagging, back != NULL ? "all back by " : "not all back",
                     back != NULL ? back : "", back != NULL ? " s" : "");
    g_autofree char *longest = rep_summary_fixed(r->halt_max_ns / 1e9, 3);
    rep_summary_line(out, "  %-16s %s s", "longest halt", longest);
}

void rep_summary_upgrades(GString *out, const rep_run_info *info, const sim_metrics *m)
{
    (void)info;
    if (m->upgrades->len == 0)
        return;
    rep_summary_line(out, "%s", "");
    rep_summary_line(out, "%s", "Upgrades");
    for (guint k = 0; k < m->upgrades->len; k++)
        upgrade_lines(out, &g_array_index(m->upgrades, sim_upgrade_record, k));
}
