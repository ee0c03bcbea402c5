/* aitbc-sim: entry point and subcommand dispatch. */
#include <stdio.h>
#include <string.h>

#include "tools/cli/cli.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage:\n"
            "  aitbc-sim run FILE [--seed N] [--out DIR] [--set section.key=value ...] [--quiet]\n"
            "                [--no-plots]\n"
            "  aitbc-sim check FILE\n"
            "  aitbc-sim sweep FILE --vary section.key=v1,v2,... [--vary ...] [--seeds A..B]\n"
            "                  [--jobs J] [--shard K/N] [--out DIR]\n"
            "  aitbc-sim merge OUT SHARD_DIR...\n"
            "  aitbc-sim swarm FILE --seeds A..B [--within-f | --beyond-f] [--jobs J]\n"
            "                  [--shard K/N] [--out DIR] [--timeout S] [--keep]\n"
            "  aitbc-sim swarm-merge OUT SHARD_DIR...\n"
            "  aitbc-sim shrink FILE [--out SMALL.ini] [--max-runs N] [--timeout S]\n"
            "  aitbc-sim plot DIR          re-draw DIR/plots from DIR/results.sqlite\n"
            "  aitbc-sim testbed FILE [--out DIR] [--base-port N] [--seed N]\n"
            "                    [--set section.key=value ...] [--node-bin PATH] [--quiet]\n"
            "                    [--no-plots] [--emulate-links]\n"
            "                    [--hosts FILE [--here HOST] [--genesis-ms MS] [--merge-only]]\n"
            "                              run FILE as aitbc-node processes (on loopback,\n"
            "                              or on the machines a hosts file names)\n"
            "  aitbc-sim compare DIR_SIM DIR_TESTBED\n"
            "                              headline figures of two runs side by side\n"
            "\n"
            "exit status: 0 ran and every [expect] target held; 1 a target or invariant\n"
            "failed; 2 bad command line or scenario; 3 internal error\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "run") == 0)
        return cli_run(argc - 1, argv + 1);
    if (strcmp(argv[1], "check") == 0)
        return cli_check(argc - 1, argv + 1);
    if (strcmp(argv[1], "plot") == 0)
        return cli_plot(argc - 1, argv + 1);
    if (strcmp(argv[1], "sweep") == 0)
        return cli_sweep(argc - 1, argv + 1);
    if (strcmp(argv[1], "merge") == 0)
        return cli_merge(argc - 1, argv + 1);
    if (strcmp(argv[1], "swarm") == 0)
        return cli_swarm(argc - 1, argv + 1);
    if (strcmp(argv[1], "swarm-merge") == 0)
        return cli_swarm_merge(argc - 1, argv + 1);
    if (strcmp(argv[1], "shrink") == 0)
        return cli_shrink(argc - 1, argv + 1);
    if (strcmp(argv[1], "testbed") == 0)
        return cli_testbed(argc - 1, argv + 1);
    if (strcmp(argv[1], "compare") == 0)
        return cli_compare(argc - 1, argv + 1);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    fprintf(stderr, "aitbc-sim: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return CLI_EXIT_USAGE;
}
