/* Seeded random number streams.
 *
 * One master seed per run; every consumer (each node, the network, each
 * fault, the workload) owns a stream derived by hashing (seed, stream
 * name) with BLAKE2b, so adding a node or a fault does not shift any other
 * stream. The generator is xoshiro256**.
 *
 * Floating-point draws use only IEEE-754 basic operations (+ - * / sqrt,
 * which are correctly rounded) and our own log/exp (sim_det_log,
 * sim_det_exp), never libm's, so a draw gives the same bits on every
 * machine and compiler; the build disables FMA contraction for the same
 * reason. */
#ifndef AITBC_SIM_RNG_H
#define AITBC_SIM_RNG_H

#include <stdbool.h>
#include <stdint.h>

typedef struct sim_rng {
    uint64_t s[4];
} sim_rng;

void sim_rng_init(sim_rng *r, uint64_t seed, const char *stream_name);
uint64_t sim_rng_u64(sim_rng *r);
/* Uniform in [0, 1) with 53 random bits. */
double sim_rng_unit(sim_rng *r);
/* Uniform integer in [0, n), unbiased (Lemire); n > 0. */
uint64_t sim_rng_below(sim_rng *r, uint64_t n);
/* True with probability p (p <= 0: never, p >= 1: always). */
bool sim_rng_chance(sim_rng *r, double p);
/* Exponential with the given mean. */
double sim_rng_exponential(sim_rng *r, double mean);
/* Normal (Box-Muller with deterministic log and our own cos/sin-free
 * polar method). */
double sim_rng_normal(sim_rng *r, double mean, double sd);

/* Deterministic natural log and exp (x > 0 for log), accurate to ~1 ulp,
 * built from basic operations only. */
double sim_det_log(double x);
double sim_det_exp(double x);

#endif
