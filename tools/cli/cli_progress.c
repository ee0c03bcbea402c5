/* One-line progress display and interrupt handling for `aitbc-sim run`.
 *
 * Shown only when stderr is a terminal (and not --quiet): simulated time,
 * events per wall second, finalized height.
 *
 * SIGINT/SIGTERM set a flag that the run polls at every step (at most
 * 100 ms of virtual time or 65536 events) and set-up polls every few
 * thousand nodes or accounts, so the run stops, writes what it has and
 * stays marked incomplete. Some set-up work cannot be polled (deriving
 * millions of account keys in one call), so while the CLI watches (set-up
 * and run) a signal also arms a one-second watchdog: if the flag has not
 * been acknowledged by then, SIGALRM ends the process with exit 1. The
 * results database exists before set-up starts and says `incomplete`
 * until the final transaction, so even then it tells the truth. A second
 * signal after the first was acknowledged (while results are written)
 * ends the process at once, the same way. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <glib.h>

#include "tools/cli/cli.h"

static volatile sig_atomic_t interrupted;
static volatile sig_atomic_t watching;     /* set-up or run: a signal arms the watchdog */
static volatile sig_atomic_t acknowledged; /* the CLI is acting on the signal */

static void exit_now(void)
{
    static const char msg[] = "aitbc-sim: interrupted; the run could not stop at a step within "
                              "1 s, exiting (results.sqlite says incomplete)\n";
    ssize_t rc = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)rc;
    _exit(1);
}

static void on_signal(int sig)
{
    if (sig == SIGALRM) {
        if (!acknowledged)
            exit_now();
        return;
    }
    if (acknowledged)
        _exit(1); /* a second signal: the user does not want to wait */
    interrupted = 1;
    if (watching)
        alarm(1);
}

void cli_signals_install(void)
{
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGALRM, &sa, NULL);
}

bool cli_signals_interrupted(void)
{
    return interrupted != 0;
}

void cli_signals_watch(bool on)
{
    watching = on;
    if (!on)
        alarm(0); /* what follows (writing results) must not be cut short */
    else if (interrupted && !acknowledged)
        alarm(1);
}

void cli_signals_acknowledge(void)
{
    if (!interrupted)
        return;
    acknowledged = 1;
    alarm(0);
}

bool cli_signals_keep_going(void *ctx)
{
    (void)ctx;
    if (interrupted == 0)
        return true;
    cli_signals_acknowledge(); /* set-up stops now */
    return false;
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
    if (interrupted) {
        cli_signals_acknowledge(); /* the run stops now: no watchdog from here */
        return false;
    }
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
