/* The disputes plot, from the `disputes` table (sim/check/dispute_obs.h):
 *
 *   disputes   disputes opened per time bin, and disputes resolved per
 *              time bin by the tier that settled them (0: undefended,
 *              lost by default; 1: re-execution; 2: a panel), the fault
 *              windows shaded. The bins are the jobs plot's
 *              (plot_jobs_bin_width), so the two read side by side.
 *
 * Drawn only for a run with disputes; any other run gets none and loses
 * the one an earlier run left in the directory, as the jobs plot does. */
#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>

#include "reports/plot_internal.h"

#define DISPUTE_TIERS 3

typedef struct disputes_data {
    double bin_s;
    guint bins;
    guint *opened;                  /* [bins] */
    guint *resolved[DISPUTE_TIERS]; /* [tier][bins] */
    guint rows;
} disputes_data;

static guint disputes_bin(const disputes_data *d, double t_s)
{
    if (!(t_s > 0))
        return 0;
    guint b = (guint)(t_s / d->bin_s);
    return MIN(b, d->bins - 1);
}

static void disputes_row(sqlite3_stmt *st, void *data)
{
    disputes_data *d = data;
    d->rows++;
    d->opened[disputes_bin(d, sqlite3_column_double(st, 0) / PLOT_NS_PER_S)]++;
    if (sqlite3_column_type(st, 1) == SQLITE_NULL)
        return; /* open at the end */
    gint64 tier = sqlite3_column_int64(st, 2);
    if (tier < 0 || tier >= DISPUTE_TIERS)
        return; /* not a tier this plot knows (a newer database) */
    d->resolved[tier][disputes_bin(d, sqlite3_column_double(st, 1) / PLOT_NS_PER_S)]++;
}

static GString *disputes_dat(const disputes_data *d)
{
    GString *dat = g_string_new("# bin_start_s  opened  resolved_tier0 (default)  "
                                "resolved_tier1 (re-execution)  resolved_tier2 (panel)\n");
    for (guint i = 0; i < d->bins; i++)
        g_string_append_printf(dat, "%.3f %u %u %u %u\n", i * d->bin_s, d->opened[i],
                               d->resolved[0][i], d->resolved[1][i], d->resolved[2][i]);
    return dat;
}

static void disputes_script(GString *gp, plot_ctx *c, double bin_s)
{
    plot_gp_begin(gp, c, "disputes", "Disputes opened, and resolved per tier");
    g_string_append_printf(gp,
                           "set xlabel \"simulated time (s)\"\n"
                           "set ylabel \"disputes per %g s\"\n"
                           "set xrange [0:%.3f]\nset yrange [0:*]\n"
                           "set key above horizontal box\n%s"
                           "plot \"disputes.dat\" using 1:2 with steps lw 2 "
                           "lc rgb \"#1f78b4\" title \"opened\", \\\n"
                           "     \"disputes.dat\" using 1:3 with steps lw 2 "
                           "lc rgb \"#e31a1c\" title \"resolved, tier 0 (default)\", \\\n"
                           "     \"disputes.dat\" using 1:4 with steps lw 2 "
                           "lc rgb \"#33a02c\" title \"resolved, tier 1 (re-execution)\", \\\n"
                           "     \"disputes.dat\" using 1:5 with steps lw 2 "
                           "lc rgb \"#6a3d9a\" title \"resolved, tier 2 (panel)\"\n",
                           bin_s, c->sim_s, c->fault_objects->str);
    plot_gp_finish(gp, "disputes");
}

static void disputes_remove_old(plot_ctx *c)
{
    static const char *const names[] = {"disputes.png", "disputes.svg", "disputes.gp",
                                        "disputes.dat"};
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree char *path = g_build_filename(c->dir, names[i], NULL);
        g_remove(path);
    }
}

static void disputes_count_row(sqlite3_stmt *st, void *data)
{
    *(gint64 *)data = sqlite3_column_int64(st, 0);
}

static void disputes_data_free(disputes_data *d)
{
    g_free(d->opened);
    for (int t = 0; t < DISPUTE_TIERS; t++)
        g_free(d->resolved[t]);
}

gboolean plot_disputes(plot_ctx *c, bool *drawn, GError **error)
{
    *drawn = false;
    gint64 n = 0;
    if (plot_table_exists(c, "disputes") &&
        !plot_query(c, "SELECT count(*) FROM disputes", disputes_count_row, &n, error))
        return FALSE;
    if (n == 0) {
        disputes_remove_old(c);
        return TRUE;
    }
    disputes_data d = {.bin_s = plot_jobs_bin_width(c->sim_s)};
    d.bins = MAX(1u, (guint)ceil(c->sim_s / d.bin_s));
    d.opened = g_new0(guint, d.bins);
    for (int t = 0; t < DISPUTE_TIERS; t++)
        d.resolved[t] = g_new0(guint, d.bins);
    gboolean ok = plot_select(c, "disputes", "opened_ns, resolved_ns, tier", "ORDER BY rowid",
                              disputes_row, &d, error);
    if (ok) {
        GString *dat = disputes_dat(&d);
        ok = plot_write_file(c, "disputes.dat", dat, error);
        g_string_free(dat, TRUE);
        GString *gp = g_string_new(NULL);
        disputes_script(gp, c, d.bin_s);
        ok = ok && plot_write_file(c, "disputes.gp", gp, error);
        g_string_free(gp, TRUE);
        c->result->plots++;
        *drawn = ok;
    }
    disputes_data_free(&d);
    return ok;
}
