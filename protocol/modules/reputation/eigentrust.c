/* EigenTrust in fixed point (eigentrust.h has the method and its
 * sources).
 *
 * Integers only, with unsigned __int128 intermediates (GCC and Clang):
 * trust values are below 2^60 (ONE = 10^18), Q63 edge fractions at most
 * 2^63, so a product is below 2^123 and the sum of every edge's product
 * into one peer is too (each row's fractions sum to at most 2^63 and the
 * trust vector to ONE). Every loop runs over arrays in index order, so
 * the result is the same on every machine and at every optimisation
 * level. */
#include "protocol/modules/reputation/eigentrust.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned __int128 u128;

#define Q63_SHIFT 63

/* Programmer errors in the inputs (eigentrust.h lists the rules). */
static void check_inputs(uint32_t peers, const proto_eigentrust_edge *edges, size_t edges_count,
                         const uint64_t *pretrust, const proto_eigentrust_params *params)
{
    g_assert(peers >= 1 && peers <= PROTO_EIGENTRUST_PEERS_MAX);
    g_assert(edges_count <= PROTO_EIGENTRUST_EDGES_MAX);
    g_assert(edges != NULL || edges_count == 0);
    g_assert(pretrust != NULL && params != NULL);
    g_assert(params->alpha_den > 0 && params->alpha_num <= params->alpha_den);
    g_assert(params->iterations_max >= 1 &&
             params->iterations_max <= PROTO_EIGENTRUST_ITERATIONS_MAX);
    for (size_t k = 0; k < edges_count; k++) {
        const proto_eigentrust_edge *e = &edges[k];
        g_assert(e->from < peers && e->to < peers && e->from != e->to && e->weight > 0);
        if (k > 0) {
            const proto_eigentrust_edge *prev = &edges[k - 1];
            g_assert(prev->from < e->from || (prev->from == e->from && prev->to < e->to));
        }
    }
}

/* ---- pre-trust ---- */

typedef struct remainder {
    u128 rem;
    uint32_t peer;
} remainder;

/* Largest remainder first, lower index on ties: a total order, so the
 * sort's result does not depend on qsort's algorithm. */
static int remainder_cmp(const void *a, const void *b)
{
    const remainder *x = a, *y = b;
    if (x->rem != y->rem)
        return x->rem > y->rem ? -1 : 1;
    return (x->peer > y->peer) - (x->peer < y->peer);
}

/* p[0..peers) = pretrust normalised to sum to ONE (largest remainders);
 * returns the peer with the largest share (lower index on ties). */
static uint32_t normalise_pretrust(uint32_t peers, const uint64_t *pretrust, uint64_t *p)
{
    u128 total = 0;
    for (uint32_t j = 0; j < peers; j++)
        total += pretrust[j];
    g_assert(total > 0);
    remainder *rems = g_new(remainder, peers);
    uint64_t sum = 0;
    for (uint32_t j = 0; j < peers; j++) {
        u128 scaled = (u128)pretrust[j] * PROTO_EIGENTRUST_ONE;
        p[j] = (uint64_t)(scaled / total);
        rems[j] = (remainder){.rem = scaled % total, .peer = j};
        sum += p[j];
    }
    uint64_t left = PROTO_EIGENTRUST_ONE - sum;
    g_assert(left < peers);
    if (left > 0) {
        qsort(rems, peers, sizeof rems[0], remainder_cmp);
        for (uint64_t k = 0; k < left; k++) {
            g_assert(rems[k].rem > 0); /* only peers with pre-trust get the units */
            p[rems[k].peer]++;
        }
    }
    g_free(rems);
    uint32_t top = 0;
    for (uint32_t j = 1; j < peers; j++)
        if (p[j] > p[top])
            top = j;
    return top;
}

/* ---- local trust ---- */

/* c[k] = edges[k].weight / (its row's total weight), Q63. */
static void normalise_rows(const proto_eigentrust_edge *edges, size_t edges_count, uint64_t *c)
{
    size_t start = 0;
    while (start < edges_count) {
        size_t end = start;
        u128 row = 0;
        while (end < edges_count && edges[end].from == edges[start].from)
            row += edges[end++].weight;
        for (size_t k = start; k < end; k++)
            c[k] = (uint64_t)(((u128)edges[k].weight << Q63_SHIFT) / row);
        start = end;
    }
}

/* ---- the iteration ---- */

typedef struct work {
    uint32_t peers;
    const proto_eigentrust_edge *edges;
    size_t edges_count;
    uint64_t keep_num; /* 1 - alpha = keep_num / den */
    uint64_t den;
    const uint64_t *c; /* [edges_count] Q63 */
    const uint64_t *p; /* [peers] pre-trust, sums to ONE */
    uint32_t p_top;    /* the peer with the largest pre-trust */
    u128 *acc;         /* [peers] scratch */
} work;

/* next = (1 - a) C^T t + (what is left) p; returns the L1 change. */
static uint64_t step(const work *w, const uint64_t *t, uint64_t *next)
{
    memset(w->acc, 0, w->peers * sizeof w->acc[0]);
    for (size_t k = 0; k < w->edges_count; k++)
        w->acc[w->edges[k].to] += (u128)t[w->edges[k].from] * w->c[k];
    uint64_t followed = 0;
    for (uint32_t j = 0; j < w->peers; j++) {
        uint64_t z = (uint64_t)(w->acc[j] >> Q63_SHIFT);
        next[j] = (uint64_t)((u128)z * w->keep_num / w->den);
        followed += next[j];
    }
    g_assert(followed <= PROTO_EIGENTRUST_ONE);
    uint64_t left = PROTO_EIGENTRUST_ONE - followed;
    uint64_t given = 0;
    for (uint32_t j = 0; j < w->peers; j++) {
        uint64_t r = (uint64_t)((u128)left * w->p[j] / PROTO_EIGENTRUST_ONE);
        next[j] += r;
        given += r;
    }
    g_assert(given <= left && left - given <= w->peers);
    next[w->p_top] += left - given;
    uint64_t change = 0, sum = 0;
    for (uint32_t j = 0; j < w->peers; j++) {
        change += next[j] > t[j] ? next[j] - t[j] : t[j] - next[j];
        sum += next[j];
    }
    g_assert(sum == PROTO_EIGENTRUST_ONE);
    return change;
}

proto_eigentrust_report proto_eigentrust_compute(uint32_t peers, const proto_eigentrust_edge *edges,
                                                 size_t edges_count, const uint64_t *pretrust,
                                                 const proto_eigentrust_params *params,
                                                 uint64_t *trust_out)
{
    check_inputs(peers, edges, edges_count, pretrust, params);
    g_assert(trust_out != NULL);
    uint64_t *p = g_new(uint64_t, peers);
    uint64_t *c = g_new(uint64_t, edges_count > 0 ? edges_count : 1);
    uint64_t *next = g_new(uint64_t, peers);
    work w = {.peers = peers,
              .edges = edges,
              .edges_count = edges_count,
              .keep_num = params->alpha_den - params->alpha_num,
              .den = params->alpha_den,
              .c = c,
              .p = p,
              .acc = g_new(u128, peers)};
    w.p_top = normalise_pretrust(peers, pretrust, p);
    normalise_rows(edges, edges_count, c);

    proto_eigentrust_report report = {0};
    memcpy(trust_out, p, peers * sizeof p[0]);
    while (report.iterations < params->iterations_max) {
        report.change = step(&w, trust_out, next);
        report.iterations++;
        memcpy(trust_out, next, peers * sizeof next[0]);
        if (report.change <= params->tolerance) {
            report.converged = true;
            break;
        }
    }
    g_free(w.acc);
    g_free(next);
    g_free(c);
    g_free(p);
    return report;
}

uint64_t proto_eigentrust_cost_max(uint32_t peers, size_t edges_count, uint32_t iterations_max)
{
    g_assert(peers <= PROTO_EIGENTRUST_PEERS_MAX && edges_count <= PROTO_EIGENTRUST_EDGES_MAX);
    g_assert(iterations_max <= PROTO_EIGENTRUST_ITERATIONS_MAX);
    uint64_t log2_peers = 0;
    while (log2_peers < 32 && (UINT64_C(1) << log2_peers) < peers)
        log2_peers++;
    return (uint64_t)iterations_max * (edges_count + 2 * (uint64_t)peers) + edges_count +
           (uint64_t)peers * log2_peers;
}
