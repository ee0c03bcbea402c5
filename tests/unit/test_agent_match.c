/* Unit tests for matching (protocol/agents/agent_match.h) over registry
 * records built by hand: the weight's factors one by one (the trust
 * gate, Laplace's quality, room, price, one job at a time on
 * probation), who is never a candidate, and the probation cap measured
 * exactly: the share of draws a set of providers wins is found by
 * sweeping the draw over evenly spaced points, so every expected share
 * below is a ratio of weights, checked to within the sweep's step.
 *
 * The fixture: providers of capability 0 at price 100 and capacity 2.
 * The weight tests take a registry of AGENTS records (so F, the trust
 * gate's full mark, is ONE / (4 AGENTS)); the draws give proven
 * providers a reputation of ONE / 4, a full mark in any registry. */
#include <check.h>
#include <glib.h>
#include <math.h>

#include "protocol/agents/agent_match.h"

#define AGENTS 10u
#define ONE ((uint64_t)PROTO_REGISTRY_TRUST_ONE)
#define FULL (ONE / (4 * AGENTS)) /* the gate's full mark */
#define TRUSTED (ONE / 4) /* above the full mark for any registry size */
#define PRICE 100u
#define SWEEP 20000u

static proto_agent_record provider(uint32_t account, uint64_t done, uint64_t reputation)
{
    return (proto_agent_record){.account = account,
                                .status = PROTO_AGENT_ACTIVE,
                                .capabilities = 1u,
                                .capacity = 2,
                                .price = PRICE,
                                .jobs_done = done,
                                .reputation = reputation};
}

static proto_match_request request(void)
{
    return (proto_match_request){.consumer = 999, .capability = 0, .max_price = 1000};
}

/* The share of SWEEP evenly spaced draws that picked an account in
 * [lo, hi]. */
static double share_of(const proto_agent_record *r, uint32_t n, const proto_match_request *req,
                       uint32_t lo, uint32_t hi)
{
    uint32_t won = 0;
    for (uint32_t i = 0; i < SWEEP; i++) {
        uint64_t draw = (UINT64_MAX / SWEEP) * i + (UINT64_MAX / SWEEP / 2);
        uint32_t who = proto_match_among(r, n, req, draw);
        ck_assert_uint_ne(who, PROTO_MATCH_NONE);
        won += who >= lo && who <= hi;
    }
    return (double)won / SWEEP;
}

static void assert_near(double got, double want)
{
    ck_assert_msg(fabs(got - want) <= 2.0 / SWEEP, "share %.5f, expected %.5f", got, want);
}

START_TEST(trust_is_a_gate)
{
    double newcomer = proto_match_weight(0, AGENTS, 0, 0, 0, 2, PRICE);
    double half = proto_match_weight(FULL / 2, AGENTS, 0, 0, 0, 2, PRICE);
    double full = proto_match_weight(FULL, AGENTS, 0, 0, 0, 2, PRICE);
    double famous = proto_match_weight(ONE / 2, AGENTS, 0, 0, 0, 2, PRICE);
    /* quality (0+1)/(0+2) = 1/2, room 1: weight = trust / 4 / price */
    ck_assert_double_eq_tol(newcomer, 0.5 / 4 / PRICE, 1e-15);
    ck_assert_double_eq_tol(half, 0.75 / 4 / PRICE, 1e-15);
    ck_assert_double_eq_tol(full, 1.0 / 4 / PRICE, 1e-15);
    ck_assert_double_eq_tol(famous, full, 1e-15); /* more trust buys no more work */
}
END_TEST

START_TEST(quality_room_and_price)
{
    /* Laplace: 8 done, 0 failed: 9/10; 8 done, 8 failed: 9/18. */
    double good = proto_match_weight(FULL, AGENTS, 8, 0, 0, 2, PRICE);
    double bad = proto_match_weight(FULL, AGENTS, 8, 8, 0, 2, PRICE);
    ck_assert_double_eq_tol(good, 0.81 / PRICE, 1e-15);
    ck_assert_double_eq_tol(bad, 0.25 / PRICE, 1e-15);
    /* room: 3 of 2 x 2 slots open leaves a quarter; 4 of 4 none */
    ck_assert_double_eq_tol(proto_match_weight(FULL, AGENTS, 8, 0, 3, 2, PRICE), good / 4, 1e-15);
    ck_assert_double_eq(proto_match_weight(FULL, AGENTS, 8, 0, 4, 2, PRICE), 0);
    /* twice the price, half the weight */
    ck_assert_double_eq_tol(proto_match_weight(FULL, AGENTS, 8, 0, 0, 2, 2 * PRICE), good / 2,
                            1e-15);
    ck_assert_double_eq(proto_match_weight(FULL, AGENTS, 8, 0, 0, 0, PRICE), 0);
}
END_TEST

START_TEST(probation_is_one_job_at_a_time)
{
    ck_assert(proto_match_weight(0, AGENTS, 0, 0, 0, 2, PRICE) > 0);
    ck_assert_double_eq(proto_match_weight(0, AGENTS, 0, 0, 1, 2, PRICE), 0);
    ck_assert_double_eq(proto_match_weight(0, AGENTS, 0, 3, 1, 50, PRICE), 0);
    /* once paid, its capacity counts */
    ck_assert(proto_match_weight(0, AGENTS, 1, 0, 1, 2, PRICE) > 0);
}
END_TEST

START_TEST(who_is_never_a_candidate)
{
    proto_agent_record r[7];
    r[0] = provider(0, 5, TRUSTED);
    r[1] = provider(1, 5, TRUSTED);
    r[1].status = PROTO_AGENT_SUSPENDED;
    r[2] = provider(2, 5, TRUSTED);
    r[2].capabilities = 2u; /* another capability */
    r[3] = provider(3, 5, TRUSTED);
    r[3].price = 1001; /* above max_price */
    r[4] = provider(4, 5, TRUSTED); /* blocked below */
    r[5] = provider(5, 5, TRUSTED); /* the consumer itself */
    r[6] = provider(6, 5, TRUSTED);
    r[6].jobs_open = 4; /* full */
    proto_match_request req = request();
    const uint32_t blocked[] = {4};
    req.blocked = blocked;
    req.blocked_count = 1;
    req.consumer = 5;
    assert_near(share_of(r, 7, &req, 0, 0), 1.0);
    r[0].status = PROTO_AGENT_EVICTED;
    ck_assert_uint_eq(proto_match_among(r, 7, &req, 0), PROTO_MATCH_NONE);
    ck_assert_uint_eq(proto_match_among(r, 0, &req, 0), PROTO_MATCH_NONE);
}
END_TEST

/* One proven provider (account 0, weight (5/6)^2) and `swarm` fresh
 * newcomers: together they weigh what the mean proven candidate does,
 * whatever their number. */
START_TEST(a_swarm_shares_one_providers_work)
{
    const uint32_t sizes[] = {1, 2, 10, 100, 400};
    for (size_t k = 0; k < G_N_ELEMENTS(sizes); k++) {
        uint32_t n = 1 + sizes[k];
        proto_agent_record *r = g_new(proto_agent_record, n);
        r[0] = provider(0, 4, TRUSTED);
        for (uint32_t i = 1; i < n; i++)
            r[i] = provider(i, 0, 0);
        proto_match_request req = request();
        assert_near(share_of(r, n, &req, 1, n - 1), 0.5);
        g_free(r);
    }
}
END_TEST

/* A lone fresh newcomer draws like an average provider: three proven
 * (whatever their weights) and one newcomer, a quarter each. */
START_TEST(a_lone_newcomer_draws_like_an_average_provider)
{
    proto_agent_record r[4] = {provider(0, 4, TRUSTED), provider(1, 9, TRUSTED),
                               provider(2, 1, 0), provider(3, 0, 0)};
    r[1].price = 3 * PRICE;
    proto_match_request req = request();
    assert_near(share_of(r, 4, &req, 3, 3), 0.25);
}
END_TEST

/* Nobody paid yet: every newcomer draws alike. */
START_TEST(a_new_market_is_uniform)
{
    proto_agent_record r[5];
    for (uint32_t i = 0; i < 5; i++)
        r[i] = provider(i, 0, 0);
    proto_match_request req = request();
    for (uint32_t i = 0; i < 5; i++)
        assert_near(share_of(r, 5, &req, i, i), 0.2);
}
END_TEST

/* Misses on probation: a lone newcomer that missed once is worth 4/9 of
 * the mean proven weight, twice 1/4; in a pool of a fresh and a failed
 * newcomer (record factors 1 + 4/9, capped at 1) the pool is worth the
 * proven one and splits (1/2)^2 : (1/3)^2. */
START_TEST(misses_count_on_probation)
{
    proto_agent_record r[3] = {provider(0, 4, TRUSTED), provider(1, 0, 0), provider(2, 0, 0)};
    proto_match_request req = request();
    r[1].jobs_failed = 1;
    assert_near(share_of(r, 2, &req, 1, 1), (4.0 / 9.0) / (1.0 + 4.0 / 9.0));
    r[1].jobs_failed = 2;
    assert_near(share_of(r, 2, &req, 1, 1), 0.25 / 1.25);
    r[1].jobs_failed = 0;
    r[2].jobs_failed = 1;
    double fresh = 0.25, failed = 1.0 / 9.0;
    assert_near(share_of(r, 3, &req, 1, 1), 0.5 * fresh / (fresh + failed));
    assert_near(share_of(r, 3, &req, 2, 2), 0.5 * failed / (fresh + failed));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("agent_match");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, trust_is_a_gate);
    tcase_add_test(tc, quality_room_and_price);
    tcase_add_test(tc, probation_is_one_job_at_a_time);
    tcase_add_test(tc, who_is_never_a_candidate);
    tcase_add_test(tc, a_swarm_shares_one_providers_work);
    tcase_add_test(tc, a_lone_newcomer_draws_like_an_average_provider);
    tcase_add_test(tc, a_new_market_is_uniform);
    tcase_add_test(tc, misses_count_on_probation);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
