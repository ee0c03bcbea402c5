/* `aitbc-sim compare DIR_SIM DIR_TESTBED`: the headline figures of two
 * runs' report.json side by side, with the ratio of the second to the
 * first (reports/compare.h). A DIR may also be the report.json itself.
 * Exit 0, or 2 if either report is missing or is no report.json. */
#include <stdio.h>

#include <glib.h>

#include "reports/compare.h"
#include "tools/cli/cli.h"

static char *report_path(const char *arg)
{
    if (g_file_test(arg, G_FILE_TEST_IS_DIR))
        return g_build_filename(arg, "report.json", NULL);
    return g_strdup(arg);
}

int cli_compare(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: aitbc-sim compare DIR_SIM DIR_TESTBED\n");
        return CLI_EXIT_USAGE;
    }
    rep_report *reports[2] = {NULL, NULL};
    int rc = CLI_EXIT_OK;
    for (int i = 0; i < 2 && rc == CLI_EXIT_OK; i++) {
        char *path = report_path(argv[1 + i]);
        GError *error = NULL;
        reports[i] = rep_report_load(path, &error);
        if (reports[i] == NULL) {
            fprintf(stderr, "aitbc-sim compare: %s (give a run's output directory or its "
                            "report.json)\n", error->message);
            g_error_free(error);
            rc = CLI_EXIT_USAGE;
        }
        g_free(path);
    }
    if (rc == CLI_EXIT_OK) {
        char *table = rep_compare_render(reports[0], reports[1], "sim", "testbed");
        fputs(table, stdout);
        g_free(table);
    }
    rep_report_free(reports[0]);
    rep_report_free(reports[1]);
    return rc;
}
