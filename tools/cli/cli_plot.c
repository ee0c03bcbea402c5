/* `aitbc-sim plot DIR`: redraw a run's plots from DIR/results.sqlite, and
 * the plotting step of `aitbc-sim run` (reports/plot.h does the work). */
#include <stdio.h>
#include <string.h>

#include "reports/plot.h"
#include "tools/cli/cli.h"

int cli_plot_dir(const char *dir, bool quiet)
{
    char *db_path = g_build_filename(dir, "results.sqlite", NULL);
    rep_plot_result r;
    GError *error = NULL;
    gboolean ok = rep_plot_run(db_path, dir, &r, &error);
    g_free(db_path);
    if (!ok) {
        fprintf(stderr, "aitbc-sim: plots: %s\n", error->message);
        g_error_free(error);
        return CLI_EXIT_INTERNAL;
    }
    int rc = CLI_EXIT_OK;
    if (r.gnuplot_missing) {
        /* Said once per run; everything but the images is there. */
        fprintf(stderr,
                "aitbc-sim: gnuplot is not installed: wrote the plot data and scripts to "
                "%s/plots but no images (install gnuplot, then run: aitbc-sim plot %s)\n",
                dir, dir);
    } else if (r.gnuplot_failed) {
        fprintf(stderr, "aitbc-sim: plots: %s\n", r.detail != NULL ? r.detail : "gnuplot failed");
        rc = CLI_EXIT_INTERNAL;
    } else if (!quiet) {
        printf("plots: %u in %s/plots (PNG and SVG, with their .gp and .dat files)\n", r.plots,
               dir);
    }
    rep_plot_result_clear(&r);
    return rc;
}

int cli_plot(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "aitbc-sim: usage: aitbc-sim plot DIR\n");
        return CLI_EXIT_USAGE;
    }
    char *db_path = g_build_filename(argv[1], "results.sqlite", NULL);
    gboolean exists = g_file_test(db_path, G_FILE_TEST_IS_REGULAR);
    g_free(db_path);
    if (!exists) {
        fprintf(stderr, "aitbc-sim: %s: no results.sqlite in this directory\n", argv[1]);
        return CLI_EXIT_USAGE;
    }
    return cli_plot_dir(argv[1], false);
}
