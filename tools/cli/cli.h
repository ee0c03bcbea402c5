/* The aitbc-sim command line: subcommands and what they share.
 *
 * Exit status contract (docs/scenarios.md): 0 = ran and every [expect] target
 * held; 1 = a target or an invariant failed; 2 = bad command line or
 * scenario; 3 = internal error. Wall-clock time is read here and only
 * here (progress display, run metadata, crypto-floor measurement); nothing
 * of it feeds the simulation. */
#ifndef AITBC_TOOLS_CLI_H
#define AITBC_TOOLS_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "protocol/core/crypto.h"
#include "sim/world/world.h"

enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAILED = 1,
    CLI_EXIT_USAGE = 2,
    CLI_EXIT_INTERNAL = 3,
};

int cli_run(int argc, char **argv);
int cli_check(int argc, char **argv);
int cli_plot(int argc, char **argv);
int cli_sweep(int argc, char **argv);
int cli_merge(int argc, char **argv);
int cli_swarm(int argc, char **argv);
int cli_swarm_merge(int argc, char **argv);
int cli_shrink(int argc, char **argv);
int cli_testbed(int argc, char **argv);
int cli_compare(int argc, char **argv);
/* AITBC_TEST_BREAK=quorum -> sc->test_break_quorum (cli_run.c; test only). */
void cli_test_break(sim_scenario *sc);
/* Draw DIR's plots from DIR/results.sqlite (cli_plot.c). */
int cli_plot_dir(const char *dir, bool quiet);

/* Progress line on stderr when it is a terminal (cli_progress.c). */
typedef struct cli_progress {
    bool enabled;
    int64_t started_us;
    int64_t last_draw_us;
    uint64_t last_events;
    int64_t last_events_us;
    double events_per_s;
} cli_progress;

void cli_progress_init(cli_progress *p, bool quiet);
/* sim_progress_fn; also returns false once SIGINT/SIGTERM arrived. */
bool cli_progress_update(void *ctx, const sim_progress *sp);
void cli_progress_finish(cli_progress *p);
void cli_signals_install(void);
bool cli_signals_interrupted(void);
/* While on (set-up and run), a SIGINT/SIGTERM not acknowledged within 1 s
 * ends the process with exit 1 (see cli_progress.c). */
void cli_signals_watch(bool on);
/* The CLI has seen the interrupt and is stopping: disarm the watchdog. */
void cli_signals_acknowledge(void);
/* sim_poll_fn for set-up: false once SIGINT/SIGTERM arrived. */
bool cli_signals_keep_going(void *ctx);

/* Measured cost of one signature and one verification in this mode, in
 * ns (cli_crypto_cost.c). */
void cli_crypto_costs(proto_crypto_mode mode, double *sign_ns, double *verify_ns);

#endif
