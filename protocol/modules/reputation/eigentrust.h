/* EigenTrust: global trust from local trust, in exact integer arithmetic.
 *
 * Sources: S. D. Kamvar, M. T. Schlosser, H. Garcia-Molina, "The
 * EigenTrust Algorithm for Reputation Management in P2P Networks", WWW
 * 2003 (section 4.5, the basic algorithm with pre-trusted peers); and
 * Karma3Labs/go-eigentrust (README, the ek/sd/vm example). The iteration
 *
 *     t(0) = p,    t(k+1) = (1 - a) C^T t(k) + a p
 *
 * where C is the local trust matrix with rows normalised to sum to one
 * (c_ij = w_ij / sum_j w_ij), a row with no outgoing trust (a "dangling"
 * peer, one that trusts nobody) is replaced by p, and p is the pre-trust
 * vector normalised to sum to one. a (alpha) is the weight of pre-trust:
 * the probability that the random surfer jumps back to a pre-trusted peer.
 *
 * This runs inside the chain's state machine on every node, so there is
 * no floating point: trust is fixed point with PROTO_EIGENTRUST_ONE
 * (10^18, the project's 18-decimal rate unit) standing for one.
 *  - Pre-trust is normalised to p_j = floor(P_j ONE / S) plus one unit
 *    to each of the peers with the largest remainders (ties to the lower
 *    index) until it sums to ONE exactly (the largest-remainder method);
 *    a peer with no pre-trust gets none.
 *  - Local trust rows are normalised once into Q64 fractions
 *    c_ij = floor(w_ij 2^64 / W_i), W_i = sum_j w_ij (128-bit), so an
 *    iteration is one 64x64->128 multiply and shift per edge.
 *  - Each iteration computes y_j = floor((1 - a) sum_i t_i c_ij) over the
 *    edges, and gives what is left, R = ONE - sum_j y_j, to the peers in
 *    proportion to p (floor, and the last units to the peer with the
 *    largest pre-trust, lower index on ties). R is exactly the mass the
 *    formula teleports, a + (1 - a) (dangling trust), plus the rounding
 *    of the edge terms; so every t(k) sums to exactly ONE (asserted), and
 *    a peer with no pre-trust and no incoming edge gets exactly 0.
 * Rounding costs at most a few units of 10^-18 per peer per iteration
 * and does not accumulate (the map contracts by 1 - a), so results agree
 * with the exact rational fixed point to about 1e-16 once converged.
 *
 * Scaling every edge weight (or every pre-trust weight) by one factor
 * leaves the result bit for bit the same: floor(kx / ky) = floor(x / y),
 * and the remainders keep their order.
 *
 * Convergence: iteration stops after the first step whose L1 change
 * sum_j |t_j(k+1) - t_j(k)| is at most `tolerance` units, or after
 * iterations_max steps. The distance to the fixed point is then at most
 * about change (1 - a) / a, so a small alpha needs a tight tolerance.
 *
 * Cost: at most iterations_max x (edges + 2 peers) multiply-shifts, plus
 * one 128-bit division per edge and a sort of the peers once
 * (proto_eigentrust_cost_max); memory 8 bytes per edge and at most 48
 * per peer.
 * Inputs are the chain's own state, so bad ones are programmer errors and
 * asserted: peers 1..PROTO_EIGENTRUST_PEERS_MAX, edges at most
 * PROTO_EIGENTRUST_EDGES_MAX, sorted strictly by (from, to), both
 * endpoints < peers, no self-trust, weights > 0; pre-trust weights not
 * all zero; 0 <= alpha_num <= alpha_den; 1 <= iterations_max <=
 * PROTO_EIGENTRUST_ITERATIONS_MAX. */
#ifndef AITBC_PROTOCOL_MODULES_REPUTATION_EIGENTRUST_H
#define AITBC_PROTOCOL_MODULES_REPUTATION_EIGENTRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One in trust's fixed point. */
#define PROTO_EIGENTRUST_ONE 1000000000000000000ULL
#define PROTO_EIGENTRUST_PEERS_MAX (1u << 20)
#define PROTO_EIGENTRUST_EDGES_MAX (1u << 24)
#define PROTO_EIGENTRUST_ITERATIONS_MAX 100000u

/* Local trust from one peer in another (opinions of `from`). */
typedef struct proto_eigentrust_edge {
    uint32_t from;   /* truster, < peers */
    uint32_t to;     /* trustee, < peers, != from */
    uint64_t weight; /* > 0; only its ratio to from's other weights matters */
} proto_eigentrust_edge;

typedef struct proto_eigentrust_params {
    uint64_t alpha_num;      /* alpha = alpha_num / alpha_den, in [0, 1] */
    uint64_t alpha_den;      /* > 0 */
    uint32_t iterations_max; /* 1..PROTO_EIGENTRUST_ITERATIONS_MAX */
    uint64_t tolerance;      /* stop when an L1 step is at most this, in units of ONE^-1 */
} proto_eigentrust_params;

typedef struct proto_eigentrust_report {
    uint32_t iterations; /* steps taken, 1..iterations_max */
    bool converged;      /* the last step's change was within tolerance */
    uint64_t change;     /* the last step's L1 change, in units */
} proto_eigentrust_report;

/* Global trust of every peer into trust_out[0..peers), fixed point with
 * PROTO_EIGENTRUST_ONE for one, summing to exactly PROTO_EIGENTRUST_ONE.
 * edges[0..edges_count) as above; pretrust[0..peers) weights. A pure
 * function of its arguments. */
proto_eigentrust_report proto_eigentrust_compute(uint32_t peers, const proto_eigentrust_edge *edges,
                                                 size_t edges_count, const uint64_t *pretrust,
                                                 const proto_eigentrust_params *params,
                                                 uint64_t *trust_out);

/* An upper bound on the work of one proto_eigentrust_compute, in
 * multiply-shift steps: iterations_max x (edges + 2 peers) + edges +
 * peers log2 peers. For gas metering and for budgeting a block's
 * end-block work. */
uint64_t proto_eigentrust_cost_max(uint32_t peers, size_t edges_count, uint32_t iterations_max);

#endif
