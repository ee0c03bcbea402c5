/* The staking plot: the bonded ratio (bonded tokens over the supply in
 * existence) and x/mint's annual inflation rate of each final height,
 * against the time the height became final, with the fault windows
 * shaded, so a run shows inflation steering toward goal_bonded and what
 * slashes and bank runs do to the bonded share. From the `staking` table
 * (sim/check/staking_obs.h); the Nakamoto coefficient over time is the
 * nakamoto plot's.
 *
 * Drawn only for a run with staking records (PBFT with [staking] and a
 * final height); any other run gets none and loses one an earlier run
 * left in the directory, as the fees and nakamoto plots do. */
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "reports/plot_internal.h"

typedef struct staking_data {
    GString *dat;
    guint rows;
} staking_data;

static void staking_row(sqlite3_stmt *st, void *data)
{
    staking_data *d = data;
    double final_s = sqlite3_column_double(st, 0) / PLOT_NS_PER_S;
    double ratio = sqlite3_column_double(st, 2);
    /* No mint module: NULL, drawn as missing. */
    if (sqlite3_column_type(st, 3) == SQLITE_NULL)
        g_string_append_printf(d->dat, "%.6f %lld %.9f NaN\n", final_s,
                               (long long)sqlite3_column_int64(st, 1), ratio);
    else
        g_string_append_printf(d->dat, "%.6f %lld %.9f %.9f\n", final_s,
                               (long long)sqlite3_column_int64(st, 1), ratio,
                               sqlite3_column_double(st, 3));
    d->rows++;
}

static void staking_script(GString *gp, plot_ctx *c)
{
    plot_gp_begin(gp, c, "staking", "Bonded ratio and inflation per final height");
    g_string_append_printf(gp,
                           "set xlabel \"simulated time (s): when the height became final\"\n"
                           "set ylabel \"bonded share of the supply\"\n"
                           "set y2label \"annual inflation rate\"\n"
                           "set xrange [0:%.3f]\nset yrange [0:*]\nset y2range [0:*]\n"
                           "set ytics nomirror\nset y2tics\n"
                           "set key above horizontal box\n%s"
                           "plot \"staking.dat\" using 1:3 with steps lw 2 "
                           "lc rgb \"#1f78b4\" title \"bonded ratio\", \\\n"
                           "     \"staking.dat\" using 1:4 axes x1y2 with steps lw 2 dt 2 "
                           "lc rgb \"#e31a1c\" title \"inflation\"\n",
                           c->sim_s, c->fault_objects->str);
    plot_gp_finish(gp, "staking");
}

static void staking_remove_old(plot_ctx *c)
{
    static const char *const names[] = {"staking.png", "staking.svg", "staking.gp",
                                        "staking.dat"};
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree char *path = g_build_filename(c->dir, names[i], NULL);
        g_remove(path);
    }
}

gboolean plot_staking(plot_ctx *c, bool *drawn, GError **error)
{
    *drawn = false;
    if (!plot_table_exists(c, "staking")) {
        staking_remove_old(c);
        return TRUE;
    }
    staking_data d = {g_string_new("# final_s height staking_ratio inflation\n"), 0};
    gboolean ok = plot_select(c, "staking", "final_ns, height, staking_ratio, inflation",
                              "WHERE final_ns IS NOT NULL ORDER BY height", staking_row, &d, error);
    if (ok && d.rows > 0) {
        ok = plot_write_file(c, "staking.dat", d.dat, error);
        GString *gp = g_string_new(NULL);
        staking_script(gp, c);
        ok = ok && plot_write_file(c, "staking.gp", gp, error);
        g_string_free(gp, TRUE);
        c->result->plots++;
        *drawn = ok;
    } else if (ok) {
        staking_remove_old(c);
    }
    g_string_free(d.dat, TRUE);
    return ok;
}
