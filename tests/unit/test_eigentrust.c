/* Unit tests for EigenTrust in fixed point
 * (protocol/modules/reputation/eigentrust.c).
 *
 * The published vector (Karma3Labs/go-eigentrust README: local trust
 * ek->sd 100, vm->sd 100, ek->vm 75; pre-trust ek 50, vm 100) against its
 * exact fixed points (28, 39, 62)/129 at alpha 0.5 and (700, 1863,
 * 1670)/4233 at alpha 0.1, to 1e-12 and to a few units of 10^-18; no
 * edges gives the pre-trust back; a Sybil ring with no incoming edge
 * gets exactly 0, and one with an incoming edge gets exactly what that
 * edge feeds it, (1 - a)/a times its inflow, whatever its size and its
 * internal weights; the result is deterministic and bit for bit the same
 * when weights are scaled; a random graph agrees with a floating-point
 * reference of the textbook iteration. Doubles appear only here, as the
 * reference. */
#include <check.h>
#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/modules/reputation/eigentrust.h"

#define ONE PROTO_EIGENTRUST_ONE
#define EK 0
#define SD 1
#define VM 2

static proto_eigentrust_params params(uint64_t num, uint64_t den)
{
    return (proto_eigentrust_params){
        .alpha_num = num, .alpha_den = den, .iterations_max = 2000, .tolerance = 10};
}

static double as_double(uint64_t t)
{
    return (double)t / (double)ONE;
}

static uint64_t sum_of(const uint64_t *t, uint32_t n)
{
    uint64_t s = 0;
    for (uint32_t j = 0; j < n; j++)
        s += t[j];
    return s;
}

/* |t - ONE num / den| in units, exactly. */
static uint64_t units_off(uint64_t t, uint64_t num, uint64_t den)
{
    unsigned __int128 exact = (unsigned __int128)ONE * num / den;
    return t > exact ? (uint64_t)(t - exact) : (uint64_t)(exact - t);
}

static const proto_eigentrust_edge readme_edges[] = {
    {EK, SD, 100},
    {EK, VM, 75},
    {VM, SD, 100},
};
static const uint64_t readme_pretrust[] = {50, 0, 100};

static void check_vector(uint64_t alpha_num, uint64_t alpha_den, const uint64_t num[3],
                         uint64_t den)
{
    proto_eigentrust_params pr = params(alpha_num, alpha_den);
    uint64_t t[3];
    proto_eigentrust_report rep =
        proto_eigentrust_compute(3, readme_edges, 3, readme_pretrust, &pr, t);
    ck_assert(rep.converged);
    ck_assert_uint_eq(sum_of(t, 3), ONE);
    for (int j = 0; j < 3; j++) {
        double exact = (double)num[j] / (double)den;
        ck_assert_msg(fabs(as_double(t[j]) - exact) < 1e-12, "peer %d: %.17g vs %.17g", j,
                      as_double(t[j]), exact);
        ck_assert_msg(units_off(t[j], num[j], den) <= 100, "peer %d off by %llu units", j,
                      (unsigned long long)units_off(t[j], num[j], den));
    }
}

START_TEST(test_readme_alpha_half)
{
    const uint64_t num[3] = {28, 39, 62};
    check_vector(1, 2, num, 129);
    /* go-eigentrust prints these, converged to its own tolerance. */
    proto_eigentrust_params pr = params(500000, 1000000);
    uint64_t t[3];
    proto_eigentrust_compute(3, readme_edges, 3, readme_pretrust, &pr, t);
    ck_assert(fabs(as_double(t[EK]) - 0.21705427907) < 1e-7);
    ck_assert(fabs(as_double(t[SD]) - 0.30232554291) < 1e-7);
    ck_assert(fabs(as_double(t[VM]) - 0.48062017802) < 1e-7);
}
END_TEST

START_TEST(test_readme_alpha_tenth)
{
    const uint64_t num[3] = {700, 1863, 1670};
    check_vector(1, 10, num, 4233);
    proto_eigentrust_params pr = params(100000, 1000000);
    uint64_t t[3];
    proto_eigentrust_compute(3, readme_edges, 3, readme_pretrust, &pr, t);
    ck_assert(fabs(as_double(t[EK]) - 0.16536739) < 1e-7);
    ck_assert(fabs(as_double(t[SD]) - 0.44011330) < 1e-7);
    ck_assert(fabs(as_double(t[VM]) - 0.39451931) < 1e-7);
}
END_TEST

/* With no edges every peer is dangling: the result is the pre-trust,
 * normalised by largest remainders to sum to ONE exactly. */
START_TEST(test_no_edges_gives_pretrust)
{
    proto_eigentrust_params pr = params(1, 10);
    uint64_t uniform[4] = {1, 1, 1, 1};
    uint64_t t[4];
    proto_eigentrust_report rep = proto_eigentrust_compute(4, NULL, 0, uniform, &pr, t);
    ck_assert(rep.converged);
    ck_assert_uint_eq(rep.iterations, 1);
    ck_assert_uint_eq(rep.change, 0);
    for (int j = 0; j < 4; j++)
        ck_assert_uint_eq(t[j], ONE / 4);
    /* Thirds: the one unit left over goes to the lowest index. */
    proto_eigentrust_compute(3, NULL, 0, uniform, &pr, t);
    ck_assert_uint_eq(t[0], ONE / 3 + 1);
    ck_assert_uint_eq(t[1], ONE / 3);
    ck_assert_uint_eq(t[2], ONE / 3);
    /* Uneven, with a zero: 1:0:2 of 3; the zero peer gets nothing. */
    uint64_t uneven[3] = {1, 0, 2};
    proto_eigentrust_compute(3, NULL, 0, uneven, &pr, t);
    ck_assert_uint_eq(t[1], 0);
    ck_assert_uint_eq(t[0] + t[2], ONE);
    ck_assert_uint_le(units_off(t[0], 1, 3), 1);
    ck_assert_uint_le(units_off(t[2], 2, 3), 1);
}
END_TEST

/* Honest peers 0..2 (pre-trusted, trusting each other), then a ring of
 * `ring` Sybils from 3 on, each trusting the next with `ring_weight`.
 * With feed > 0, honest peer 0 also trusts Sybil 3 with weight feed. */
static size_t sybil_graph(proto_eigentrust_edge *e, uint32_t ring, uint64_t ring_weight,
                          uint64_t feed)
{
    size_t n = 0;
    e[n++] = (proto_eigentrust_edge){0, 1, 10};
    e[n++] = (proto_eigentrust_edge){0, 2, 10};
    if (feed > 0)
        e[n++] = (proto_eigentrust_edge){0, 3, feed};
    e[n++] = (proto_eigentrust_edge){1, 0, 5};
    e[n++] = (proto_eigentrust_edge){1, 2, 15};
    e[n++] = (proto_eigentrust_edge){2, 0, 1};
    for (uint32_t k = 0; k < ring; k++) {
        uint32_t from = 3 + k, to = 3 + (k + 1) % ring; /* sorted: one edge per truster */
        e[n++] = (proto_eigentrust_edge){from, to, ring_weight};
    }
    return n;
}

static uint64_t ring_total(const uint64_t *t, uint32_t ring)
{
    uint64_t s = 0;
    for (uint32_t k = 0; k < ring; k++)
        s += t[3 + k];
    return s;
}

START_TEST(test_sybil_ring)
{
    enum { RING_MAX = 10 };
    proto_eigentrust_edge e[8 + RING_MAX];
    uint64_t pre[3 + RING_MAX] = {3, 2, 1};
    uint64_t t[3 + RING_MAX];
    proto_eigentrust_params pr = params(1, 5);
    pr.tolerance = 0;
    pr.iterations_max = 1000;

    /* No incoming edge: exactly nothing, however heavy its own edges. */
    size_t n = sybil_graph(e, 3, UINT64_MAX / 4, 0);
    proto_eigentrust_compute(6, e, n, pre, &pr, t);
    ck_assert_uint_eq(ring_total(t, 3), 0);
    ck_assert_uint_eq(sum_of(t, 3), ONE);

    /* Fed by one honest edge: the ring holds (1 - a)/a times its inflow,
     * t_0 c_{0,3}, and no more, whether it has 3 or 10 members and
     * whatever weights it gives itself. */
    uint64_t totals[3];
    const uint32_t rings[3] = {3, 10, 10};
    const uint64_t weights[3] = {1, 1, 1000000};
    for (int v = 0; v < 3; v++) {
        n = sybil_graph(e, rings[v], weights[v], 5);
        proto_eigentrust_compute(3 + rings[v], e, n, pre, &pr, t);
        ck_assert_uint_eq(sum_of(t, 3 + rings[v]), ONE);
        double inflow = as_double(t[0]) * 5.0 / 25.0; /* 0's row: 10 + 10 + 5 */
        double bound = (1.0 - 0.2) / 0.2 * inflow;
        double held = as_double(ring_total(t, rings[v]));
        ck_assert_msg(held <= bound + 1e-15, "ring %u holds %.17g > %.17g", rings[v], held, bound);
        ck_assert_msg(held >= bound - 1e-12, "ring %u holds %.17g < %.17g", rings[v], held, bound);
        totals[v] = ring_total(t, rings[v]);
    }
    /* Splitting into more Sybils or inflating their weights gains nothing
     * (to rounding). */
    ck_assert_uint_le(totals[1] > totals[0] ? totals[1] - totals[0] : totals[0] - totals[1], 1000);
    ck_assert_uint_eq(totals[1], totals[2]);
}
END_TEST

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static int edge_cmp(const void *a, const void *b)
{
    const proto_eigentrust_edge *x = a, *y = b;
    if (x->from != y->from)
        return x->from < y->from ? -1 : 1;
    return (x->to > y->to) - (x->to < y->to);
}

/* A random graph: `count` edges (fewer after removing duplicates) among
 * n peers with weights 1..1e6, sorted; returns the edge count. */
static size_t random_graph(uint64_t seed, uint32_t n, size_t count, proto_eigentrust_edge *e)
{
    size_t m = 0;
    for (size_t k = 0; k < count; k++) {
        uint32_t from = (uint32_t)(splitmix(&seed) % n);
        uint32_t to = (uint32_t)(splitmix(&seed) % n);
        if (from != to)
            e[m++] = (proto_eigentrust_edge){from, to, 1 + splitmix(&seed) % 1000000};
    }
    qsort(e, m, sizeof e[0], edge_cmp);
    size_t u = 0;
    for (size_t k = 0; k < m; k++)
        if (u == 0 || edge_cmp(&e[u - 1], &e[k]) != 0)
            e[u++] = e[k];
    return u;
}

/* The textbook iteration in doubles, for comparison. */
static void reference(uint32_t n, const proto_eigentrust_edge *e, size_t m, const uint64_t *pre,
                      double alpha, int iterations, double *t)
{
    double *p = g_new0(double, n), *row = g_new0(double, n), *next = g_new0(double, n);
    double ps = 0;
    for (uint32_t j = 0; j < n; j++)
        ps += (double)pre[j];
    for (uint32_t j = 0; j < n; j++)
        t[j] = p[j] = (double)pre[j] / ps;
    for (size_t k = 0; k < m; k++)
        row[e[k].from] += (double)e[k].weight;
    for (int it = 0; it < iterations; it++) {
        double dangling = 0;
        for (uint32_t j = 0; j < n; j++) {
            next[j] = 0;
            if (row[j] == 0)
                dangling += t[j];
        }
        for (size_t k = 0; k < m; k++)
            next[e[k].to] += t[e[k].from] * (double)e[k].weight / row[e[k].from];
        for (uint32_t j = 0; j < n; j++)
            t[j] = (1 - alpha) * (next[j] + dangling * p[j]) + alpha * p[j];
    }
    g_free(p);
    g_free(row);
    g_free(next);
}

START_TEST(test_random_graph_matches_reference)
{
    enum { N = 200, EDGES = 2000 };
    proto_eigentrust_edge *e = g_new(proto_eigentrust_edge, EDGES);
    size_t m = random_graph(77, N, EDGES, e);
    uint64_t pre[N] = {0};
    for (uint32_t j = 0; j < N; j += 7)
        pre[j] = 1 + j;
    uint64_t t[N];
    proto_eigentrust_params pr = params(15, 100);
    pr.tolerance = 0;
    pr.iterations_max = 400;
    proto_eigentrust_report rep = proto_eigentrust_compute(N, e, m, pre, &pr, t);
    ck_assert_uint_eq(sum_of(t, N), ONE);
    ck_assert_uint_le(rep.change, 10 * N); /* only rounding still moves */
    double ref[N];
    reference(N, e, m, pre, 0.15, 400, ref);
    for (uint32_t j = 0; j < N; j++)
        ck_assert_msg(fabs(as_double(t[j]) - ref[j]) < 1e-12, "peer %u: %.17g vs %.17g", j,
                      as_double(t[j]), ref[j]);
    g_free(e);
}
END_TEST

START_TEST(test_determinism_and_scale_invariance)
{
    enum { N = 150, EDGES = 1500 };
    proto_eigentrust_edge *e = g_new(proto_eigentrust_edge, EDGES);
    size_t m = random_graph(5, N, EDGES, e);
    uint64_t pre[N];
    for (uint32_t j = 0; j < N; j++)
        pre[j] = j % 3 == 0 ? 1 + j % 11 : 0;
    proto_eigentrust_params pr = params(1, 4);
    uint64_t a[N], b[N];
    proto_eigentrust_report ra = proto_eigentrust_compute(N, e, m, pre, &pr, a);
    proto_eigentrust_report rb = proto_eigentrust_compute(N, e, m, pre, &pr, b);
    ck_assert_mem_eq(a, b, sizeof a);
    ck_assert_uint_eq(ra.iterations, rb.iterations);
    ck_assert_uint_eq(ra.change, rb.change);

    /* Every weight times 1000: bit for bit the same. */
    for (size_t k = 0; k < m; k++)
        e[k].weight *= 1000;
    proto_eigentrust_compute(N, e, m, pre, &pr, b);
    ck_assert_mem_eq(a, b, sizeof a);
    /* One truster's row times 7 more: the same (rows are normalised). */
    for (size_t k = 0; k < m; k++)
        if (e[k].from == e[0].from)
            e[k].weight *= 7;
    proto_eigentrust_compute(N, e, m, pre, &pr, b);
    ck_assert_mem_eq(a, b, sizeof a);
    /* Pre-trust times 13: the same. */
    for (uint32_t j = 0; j < N; j++)
        pre[j] *= 13;
    proto_eigentrust_compute(N, e, m, pre, &pr, b);
    ck_assert_mem_eq(a, b, sizeof a);
    /* An actual change of opinion does change the result. */
    e[0].weight += 1;
    proto_eigentrust_compute(N, e, m, pre, &pr, b);
    ck_assert(memcmp(a, b, sizeof a) != 0);
    g_free(e);
}
END_TEST

START_TEST(test_iteration_bound_and_cost)
{
    proto_eigentrust_params pr = params(1, 10);
    pr.iterations_max = 1;
    pr.tolerance = 0;
    uint64_t t[3];
    proto_eigentrust_report rep =
        proto_eigentrust_compute(3, readme_edges, 3, readme_pretrust, &pr, t);
    ck_assert_uint_eq(rep.iterations, 1);
    ck_assert(!rep.converged);
    ck_assert_uint_gt(rep.change, 0);
    ck_assert_uint_eq(sum_of(t, 3), ONE);
    /* alpha = 1: pre-trust only, whatever the edges. */
    pr = params(1, 1);
    proto_eigentrust_compute(3, readme_edges, 3, readme_pretrust, &pr, t);
    ck_assert_uint_eq(t[SD], 0);
    ck_assert_uint_le(units_off(t[EK], 1, 3), 1);
    /* 100 iterations over 3 edges and 3 peers: 100 x 9 + 3 + 3 x 2. */
    ck_assert_uint_eq(proto_eigentrust_cost_max(3, 3, 100), 100 * 9 + 3 + 3 * 2);
    ck_assert_uint_eq(proto_eigentrust_cost_max(1, 0, 1), 2);
}
END_TEST

static Suite *eigentrust_suite(void)
{
    Suite *s = suite_create("eigentrust");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_readme_alpha_half);
    tcase_add_test(tc, test_readme_alpha_tenth);
    tcase_add_test(tc, test_no_edges_gives_pretrust);
    tcase_add_test(tc, test_sybil_ring);
    tcase_add_test(tc, test_random_graph_matches_reference);
    tcase_add_test(tc, test_determinism_and_scale_invariance);
    tcase_add_test(tc, test_iteration_bound_and_cost);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(eigentrust_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
