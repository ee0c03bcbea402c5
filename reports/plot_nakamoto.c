/* The nakamoto plot: the Nakamoto coefficient of each final height, by
 * validators and by owners ([staking] owners; without them every
 * validator is its own owner and the two lines coincide), against the
 * time the height became final, with the fault windows shaded as on the
 * throughput plot, so a drop lines up with the slashing or jailing under
 * it. From the `concentration` table (sim/check/concentration.h).
 *
 * Drawn only for a run with concentration records (PBFT with a final
 * height); any other run, or a database written before the table
 * existed, gets no plot and loses one an earlier run left in the
 * directory, as the fees plot does. */
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "reports/plot_internal.h"

typedef struct nakamoto_data {
    GString *dat;
    guint rows;
    sqlite3_int64 most; /* the largest coefficient: the y range */
} nakamoto_data;

static void nakamoto_row(sqlite3_stmt *st, void *data)
{
    nakamoto_data *d = data;
    double final_s = sqlite3_column_double(st, 0) / PLOT_NS_PER_S;
    sqlite3_int64 height = sqlite3_column_int64(st, 1);
    sqlite3_int64 by_validators = sqlite3_column_int64(st, 2);
    sqlite3_int64 by_owners = sqlite3_column_int64(st, 3);
    g_string_append_printf(d->dat, "%.6f %lld %lld %lld\n", final_s, (long long)height,
                           (long long)by_validators, (long long)by_owners);
    d->most = MAX(d->most, MAX(by_validators, by_owners));
    d->rows++;
}

static void nakamoto_script(GString *gp, plot_ctx *c, sqlite3_int64 most)
{
    plot_gp_begin(gp, c, "nakamoto", "Nakamoto coefficient per final height");
    g_string_append_printf(gp,
                           "set xlabel \"simulated time (s): when the height became final\"\n"
                           "set ylabel \"fewest holding more than 1/3 of the voting power\"\n"
                           "set xrange [0:%.3f]\nset yrange [0:%lld]\n%s"
                           "set key above horizontal box\n%s"
                           "plot \"nakamoto.dat\" using 1:3 with steps lw 2 "
                           "lc rgb \"#1f78b4\" title \"validators\", \\\n"
                           "     \"nakamoto.dat\" using 1:4 with steps lw 2 dt 2 "
                           "lc rgb \"#e31a1c\" title \"owners\"\n",
                           c->sim_s, (long long)most + 1,
                           most <= 20 ? "set ytics 1\n" : "", /* whole counts, while few */
                           c->fault_objects->str);
    plot_gp_finish(gp, "nakamoto");
}

static void nakamoto_remove_old(plot_ctx *c)
{
    static const char *const names[] = {"nakamoto.png", "nakamoto.svg", "nakamoto.gp",
                                        "nakamoto.dat"};
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree char *path = g_build_filename(c->dir, names[i], NULL);
        g_remove(path);
    }
}

gboolean plot_nakamoto(plot_ctx *c, bool *drawn, GError **error)
{
    *drawn = false;
    if (!plot_table_exists(c, "concentration")) {
        nakamoto_remove_old(c);
        return TRUE;
    }
    nakamoto_data d = {g_string_new("# final_s height nakamoto_validators nakamoto_owners\n"), 0,
                       0};
    gboolean ok =
        plot_select(c, "concentration", "final_ns, height, nakamoto_validators, nakamoto_owners",
                    "WHERE final_ns IS NOT NULL ORDER BY height", nakamoto_row, &d, error);
    if (ok && d.rows > 0) {
        ok = plot_write_file(c, "nakamoto.dat", d.dat, error);
        GString *gp = g_string_new(NULL);
        nakamoto_script(gp, c, d.most);
        ok = ok && plot_write_file(c, "nakamoto.gp", gp, error);
        g_string_free(gp, TRUE);
        c->result->plots++;
        *drawn = ok;
    } else if (ok) {
        nakamoto_remove_old(c);
    }
    g_string_free(d.dat, TRUE);
    return ok;
}
