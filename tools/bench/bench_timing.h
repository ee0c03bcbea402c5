/* Timing helpers every benchmark shares: the monotonic wall clock in ns
 * (allowed in tools/, never in protocol/ or sim/) and the median of a
 * set of runs, which one slow or one lucky run cannot move. */
#ifndef AITBC_TOOLS_BENCH_TIMING_H
#define AITBC_TOOLS_BENCH_TIMING_H

#include <stdlib.h>
#include <time.h>

static inline double bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of values[0 .. count-1] (count > 0); sorts them in place. */
static inline double bench_median(double *values, size_t count)
{
    qsort(values, count, sizeof *values, bench_cmp_double);
    return values[count / 2];
}

#endif
