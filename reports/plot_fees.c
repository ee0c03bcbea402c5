/* The fees plot: the base fee of each final height (left axis) and its
 * gas used over the gas limit (right axis), against the time the height
 * became final, with the fault windows shaded and labelled as on the
 * throughput plot (plot_ctx.fault_objects), so a fee spike lines up with
 * the crash or flood under it.
 *
 * Drawn only for a run with fee records: a database written before the
 * fees table existed, or a run where no height became final, gets no
 * fees plot rather than an empty one (as its summary has no Fees
 * section), and loses one an earlier run left in the directory. */
#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>

#include "reports/plot_internal.h"

typedef struct fees_data {
    GString *dat;
    guint rows;
} fees_data;

static void fees_row(sqlite3_stmt *st, void *data)
{
    fees_data *d = data;
    double final_s = sqlite3_column_double(st, 0) / PLOT_NS_PER_S;
    sqlite3_int64 height = sqlite3_column_int64(st, 1);
    sqlite3_int64 base_fee = sqlite3_column_int64(st, 2);
    sqlite3_int64 gas_used = sqlite3_column_int64(st, 3);
    sqlite3_int64 gas_limit = sqlite3_column_int64(st, 4);
    /* gnuplot reads NaN as a missing point: a height without a limit has
     * no ratio (the figures refuse one; an edited database may have it) */
    double ratio = gas_limit > 0 ? (double)gas_used / (double)gas_limit : NAN;
    g_string_append_printf(d->dat, "%.6f %lld %lld %lld %lld %.6f\n", final_s, (long long)height,
                           (long long)base_fee, (long long)gas_used, (long long)gas_limit, ratio);
    d->rows++;
}

static void fees_script(GString *gp, plot_ctx *c)
{
    plot_gp_begin(gp, c, "fees", "base fee and gas used per final height");
    g_string_append_printf(gp,
                           "set xlabel \"simulated time (s): when the height became final\"\n"
                           "set ylabel \"base fee (base units per gas)\"\n"
                           "set y2label \"gas used / gas limit\"\n"
                           "set xrange [0:%.3f]\nset yrange [0:*]\nset y2range [0:1.05]\n"
                           "set ytics nomirror\nset y2tics 0.25\n"
                           "set key above horizontal box\n%s"
                           "plot \"fees.dat\" using 1:6 axes x1y2 with impulses lw 2 "
                           "lc rgb \"#a6cee3\" title \"gas used / gas limit (right axis)\", \\\n"
                           "     \"fees.dat\" using 1:3 with steps lw 2 lc rgb \"#e31a1c\" "
                           "title \"base fee (left axis)\"\n",
                           c->sim_s, c->fault_objects->str);
    plot_gp_finish(gp, "fees");
}

/* A fees plot of an earlier run into the same directory would otherwise
 * outlive it: a run without one removes it (a file that is not there is
 * fine). */
static void fees_remove_old(plot_ctx *c)
{
    static const char *const names[] = {"fees.png", "fees.svg", "fees.gp", "fees.dat"};
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree char *path = g_build_filename(c->dir, names[i], NULL);
        g_remove(path);
    }
}

gboolean plot_fees(plot_ctx *c, bool *drawn, GError **error)
{
    *drawn = false;
    if (!plot_table_exists(c, "fees")) {
        fees_remove_old(c);
        return TRUE;
    }
    fees_data d = {g_string_new("# final_s height base_fee gas_used gas_limit "
                                "gas_used_ratio\n"),
                   0};
    gboolean ok = plot_select(c, "fees", "final_ns, height, base_fee, gas_used, gas_limit",
                              "WHERE final_ns IS NOT NULL ORDER BY height", fees_row, &d, error);
    if (ok && d.rows > 0) {
        ok = plot_write_file(c, "fees.dat", d.dat, error);
        GString *gp = g_string_new(NULL);
        fees_script(gp, c);
        ok = ok && plot_write_file(c, "fees.gp", gp, error);
        g_string_free(gp, TRUE);
        c->result->plots++;
        *drawn = ok;
    } else if (ok) {
        fees_remove_old(c);
    }
    g_string_free(d.dat, TRUE);
    return ok;
}
