/* Scheduler throughput under the classic hold model.
 *
 * The queue is pre-filled with N events; every executed event schedules one
 * more at now + an exponential delay (mean 1 ms) drawn from a sim_rng
 * stream, so the number pending stays N. This is the workload ns-3 and
 * most event-queue papers measure; the figure includes the exponential
 * draw, the callback and the insert, as a simulation pays them.
 *
 * Usage: bench_sched [EVENTS_PER_RUN [N...]]
 * (defaults: 20000000 events, N = 1000 and 1000000). Prints events/s for
 * each run and the median (with best and worst) of five runs for every N, then the cost of the
 * exponential draw alone. Each run warms up (2M events) before timing.
 * Wall-clock time is read here, in a tool, never in sim/. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sim/engine/rng.h"
#include "sim/engine/sched.h"
#include "tools/bench/bench_timing.h"

#define BENCH_RUNS 5
#define BENCH_MEAN_DELAY_NS 1e6
#define BENCH_WARMUP_EVENTS 2000000u
#define BENCH_MAX(a, b) ((a) > (b) ? (a) : (b))

typedef struct bench_hold {
    sim_sched *sched;
    sim_rng rng;
} bench_hold;

static double bench_wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void bench_hold_event(void *ctx, uint64_t a, uint64_t b)
{
    bench_hold *h = ctx;
    int64_t delay_ns = (int64_t)sim_rng_exponential(&h->rng, BENCH_MEAN_DELAY_NS);
    sim_sched_after(h->sched, delay_ns, bench_hold_event, h, a + 1, b);
}

/* One timed run; returns events per second and reports the pending count. */
static double bench_hold_run(size_t pending_count, uint64_t events, size_t *pending_after)
{
    bench_hold h;
    h.sched = sim_sched_new(pending_count + 1);
    sim_rng_init(&h.rng, 42, "bench.hold");
    for (size_t i = 0; i < pending_count; i++) {
        int64_t delay_ns = (int64_t)sim_rng_exponential(&h.rng, BENCH_MEAN_DELAY_NS);
        sim_sched_after(h.sched, delay_ns, bench_hold_event, &h, 0, i);
    }
    /* Warm up: let the queue reach its steady shape (and the CPU its
     * clock) before timing. */
    sim_sched_run(h.sched, INT64_MAX, BENCH_MAX(pending_count, BENCH_WARMUP_EVENTS));

    double t0 = bench_wall_s();
    sim_run_result r = sim_sched_run(h.sched, INT64_MAX, events);
    double elapsed_s = bench_wall_s() - t0;
    if (r != SIM_RUN_EVENT_LIMIT) {
        fprintf(stderr, "bench_sched: unexpected run result %s\n", sim_run_result_name(r));
        exit(1);
    }
    *pending_after = sim_sched_pending(h.sched);
    sim_sched_free(h.sched);
    return (double)events / elapsed_s;
}

/* Cost of the exponential draw alone, for reading the figures above. */
static void bench_exponential(uint64_t draws)
{
    sim_rng r;
    sim_rng_init(&r, 42, "bench.exp");
    double sum = 0.0;
    double t0 = bench_wall_s();
    for (uint64_t i = 0; i < draws; i++)
        sum += sim_rng_exponential(&r, 1.0);
    double elapsed_s = bench_wall_s() - t0;
    printf("sim_rng_exponential alone: %.1f M draws/s (mean %.4f)\n",
           (double)draws / elapsed_s / 1e6, sum / (double)draws);
}

static bool bench_parse_u64(const char *text, uint64_t *out)
{
    char *end = NULL;
    unsigned long long v = strtoull(text, &end, 10);
    if (end == text || *end != '\0' || v == 0)
        return false;
    *out = v;
    return true;
}

static void bench_hold_report(size_t pending_count, uint64_t events)
{
    double rate[BENCH_RUNS];
    for (int run = 0; run < BENCH_RUNS; run++) {
        size_t pending = 0;
        rate[run] = bench_hold_run(pending_count, events, &pending);
        printf("hold N=%-8zu run %d: %.2f M events/s (%llu events, %zu pending)\n", pending_count,
               run + 1, rate[run] / 1e6, (unsigned long long)events, pending);
    }
    qsort(rate, BENCH_RUNS, sizeof rate[0], bench_cmp_double);
    printf("hold N=%-8zu median: %.2f M events/s (best %.2f, worst %.2f)\n", pending_count,
           rate[BENCH_RUNS / 2] / 1e6, rate[BENCH_RUNS - 1] / 1e6, rate[0] / 1e6);
}

int main(int argc, char **argv)
{
    uint64_t events = 20000000;
    if (argc > 1 && !bench_parse_u64(argv[1], &events)) {
        fprintf(stderr, "usage: %s [EVENTS_PER_RUN [N...]]\n", argv[0]);
        return 2;
    }
    if (argc > 2) {
        for (int i = 2; i < argc; i++) {
            uint64_t n = 0;
            if (!bench_parse_u64(argv[i], &n) || n > 100000000) {
                fprintf(stderr, "bench_sched: bad N '%s'\n", argv[i]);
                return 2;
            }
            bench_hold_report((size_t)n, events);
        }
    } else {
        bench_hold_report(1000, events);
        bench_hold_report(1000000, events);
    }
    bench_exponential(events);
    return 0;
}
