/* One-line progress display and interrupt handling for `aitbc-sim run`.
 *
 * Shown only when stderr is a terminal (and not --quiet): simulated time,
 * events per wall second, finalized height. SIGINT/SIGTERM set a flag
 * that makes the run stop at its next progress step, so the results
 * database is closed cleanly and stays marked incomplete. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <glib.h>

#include "tools/cli/cli.h"

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

void cli_signals_install(void)
{
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

bool cli_signals_interrupted(void)
{
    return interrupted != 0;
}

void cli_progress_init(cli_progress *p, bool quiet)
{
    *p = (cli_progress){0};
    p->enabled = !quiet && isatty(STDERR_FILENO);
    p->started_us = g_get_monotonic_time();
    p->last_events_us = p->started_us;
}

bool cli_progress_update(void *ctx, const sim_progress *sp)
{
    cli_progress *p = ctx;
    if (interrupted)
        return false;
    if (!p->enabled)
        return true;
    int64_t now = g_get_monotonic_time();
    if (now - p->last_draw_us < 200000)
        return true;
    if (now > p->last_events_us)
        p->events_per_s = (double)(sp->events - p->last_events) * 1e6 /
                          (double)(now - p->last_events_us);
    p->last_events = sp->events;
    p->last_events_us = now;
    p->last_draw_us = now;
    double pct = sp->duration_ns > 0 ? 100.0 * (double)sp->now_ns / (double)sp->duration_ns : 0;
    fprintf(stderr, "\r  sim %8.1fs / %.0fs  %5.1f%%  |  %6.2f M events/s  |  final height %" G_GUINT64_FORMAT "   ",
            sp->now_ns / 1e9, sp->duration_ns / 1e9, pct, p->events_per_s / 1e6,
            sp->final_height);
    fflush(stderr);
    return true;
}

void cli_progress_finish(cli_progress *p)
{
    if (p->enabled) {
        fprintf(stderr, "\r%100s\r", "");
        fflush(stderr);
    }
}
