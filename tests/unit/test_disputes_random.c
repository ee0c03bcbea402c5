/* Random worlds for the disputes module: many jobs rejected and
 * disputed at once, and a stream of dispute messages from random
 * senders with random rounds, rulings and salts (most of them refused),
 * between blocks of random length. After every step every module
 * invariant holds and the supply is the genesis supply; every refused
 * message left the root as it was; a step taken inside an undo scope and
 * reverted gives back the exact root; and once the messages stop, every
 * dispute settles (none is stuck). Seeds are fixed: a failure names its
 * seed and step. */
#include <check.h>
#include <glib.h>
#include <string.h>

#include "support/disputes_world.h"

#define STEPS 600
#define PAYMENT 50u

static uint64_t next_u64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint32_t below(uint64_t *x, uint32_t n)
{
    return (uint32_t)(next_u64(x) % n);
}

typedef struct rworld {
    market_world w;
    uint64_t rng;
    uint32_t seq[4];     /* next job sequence of consumers 2 and 3 */
    GArray *jobs;        /* uint64 ids ever disputed */
    uint32_t settled;    /* disputes settled */
    uint32_t refused;
} rworld;

static void init(rworld *r, uint64_t seed)
{
    memset(r, 0, sizeof *r);
    r->rng = seed;
    proto_disputes_params p = dsw_params();
    p.bond = 30;
    p.seat_fee = 2;
    p.stake_at_risk = 10 + below(&r->rng, 200);
    p.verifiers = below(&r->rng, 4);
    p.panel = 1 + below(&r->rng, 3);
    p.panel_max = p.panel + below(&r->rng, 12);
    p.fee_permille = below(&r->rng, 1001);
    const proto_disputes_genesis_juror jurors[] = {
        {.account = 4, .roles = PROTO_JUROR_VERIFIER, .stake = 100},
        {.account = 5, .roles = PROTO_JUROR_VERIFIER | PROTO_JUROR_ARBITER, .stake = 300},
        {.account = 6, .roles = PROTO_JUROR_ARBITER, .stake = 50},
        {.account = 7, .roles = PROTO_JUROR_ARBITER, .stake = 1000},
        {.account = 1, .roles = PROTO_JUROR_ARBITER, .stake = 20}, /* also a provider */
    };
    ck_assert(proto_disputes_params_valid(&p));
    dsw_init_jurors(&r->w, &p, G_N_ELEMENTS(jurors), jurors);
    r->seq[2] = r->seq[3] = 1;
    r->jobs = g_array_new(FALSE, FALSE, sizeof(uint64_t));
}

/* A job delivered by provider 0 or 1 and rejected by consumer 2 or 3
 * (when they still can: funds permitting). */
static void new_dispute(rworld *r)
{
    uint32_t consumer = 2 + below(&r->rng, 2), provider = below(&r->rng, 2);
    uint32_t cap = provider == 0 ? below(&r->rng, 2) : 2;
    proto_txmsg m = mw_post(consumer, r->seq[consumer], provider, cap, PAYMENT, 50);
    if (mw_send(&r->w, consumer, &m, NULL) != 0)
        return;
    uint64_t id = PROTO_JOB_ID(consumer, r->seq[consumer]++);
    m = mw_job(PROTO_TXMSG_JOB_ACCEPT, id);
    ck_assert_uint_eq(mw_send(&r->w, provider, &m, NULL), 0);
    m = mw_result(id);
    ck_assert_uint_eq(mw_send(&r->w, provider, &m, NULL), 0);
    m = mw_job(PROTO_TXMSG_JOB_REJECT, id);
    if (mw_send(&r->w, consumer, &m, NULL) == 0)
        g_array_append_val(r->jobs, id);
}

/* A dispute message of a random kind, job, sender and values. */
static proto_txmsg random_message(rworld *r, uint32_t *sender)
{
    uint64_t job = r->jobs->len > 0 && below(&r->rng, 8) != 0
                       ? g_array_index(r->jobs, uint64_t, below(&r->rng, r->jobs->len))
                       : PROTO_JOB_ID(2 + below(&r->rng, 2), below(&r->rng, 40));
    *sender = below(&r->rng, 8);
    const proto_dispute *d = proto_disputes_get(r->w.s, job);
    uint8_t round = (uint8_t)(d != NULL && below(&r->rng, 4) != 0 && d->rounds > 0
                                  ? d->rounds - 1
                                  : below(&r->rng, 4));
    uint8_t ruling = (uint8_t)(1 + below(&r->rng, 2)), salt = (uint8_t)below(&r->rng, 2);
    switch (below(&r->rng, 5)) {
    case 0:
        if (d != NULL && below(&r->rng, 2) == 0)
            *sender = d->provider;
        return dsw_defend(job);
    case 1:
        return dsw_verdict(job, ruling);
    case 2:
        return dsw_commit(job, round == 0 ? 1 : round, *sender, ruling, salt);
    case 3:
        return dsw_reveal(job, round == 0 ? 1 : round, ruling, salt);
    default:
        if (d != NULL && below(&r->rng, 2) == 0)
            *sender = below(&r->rng, 2) == 0 ? d->consumer : d->provider;
        return dsw_appeal(job, round);
    }
}

static void count_settled(rworld *r, guint events_before)
{
    for (guint i = events_before; i < r->w.events->len; i++) {
        const proto_event *ev = mw_event(&r->w, i);
        if (ev->kind == PROTO_EV_DISPUTE && ev->status == PROTO_DISPUTE_SETTLED)
            r->settled++;
    }
}

static void step(rworld *r, uint64_t seed, int k)
{
    char where[64];
    g_snprintf(where, sizeof where, "seed %" G_GUINT64_FORMAT " step %d", seed, k);
    guint events = r->w.events->len;
    uint32_t what = below(&r->rng, 10);
    if (what == 0) {
        new_dispute(r);
    } else if (what <= 2) {
        dsw_block(&r->w, (int64_t)(1 + below(&r->rng, 6)) * DSW_MS / 2);
    } else {
        uint32_t sender = 0;
        proto_txmsg m = random_message(r, &sender);
        proto_hash before, after;
        mw_root(&r->w, &before);
        bool undo_it = below(&r->rng, 8) == 0;
        proto_undo undo;
        proto_undo_init(&undo);
        uint32_t code = mw_send(&r->w, sender, &m, undo_it ? &undo : NULL);
        mw_root(&r->w, &after);
        if (code != 0) {
            r->refused++;
            ck_assert_msg(memcmp(before.bytes, after.bytes, PROTO_HASH_SIZE) == 0,
                          "%s: a refused message changed the root", where);
        } else if (undo_it) {
            proto_state_revert(r->w.s, &undo);
            mw_root(&r->w, &after);
            ck_assert_msg(memcmp(before.bytes, after.bytes, PROTO_HASH_SIZE) == 0,
                          "%s: undo did not restore the root", where);
        }
        proto_undo_clear(&undo);
    }
    count_settled(r, events);
    mw_check(&r->w, where);
}

START_TEST(test_random_worlds)
{
    uint64_t seed = 1000 + (uint64_t)_i;
    rworld r;
    init(&r, seed);
    for (int k = 0; k < STEPS; k++)
        step(&r, seed, k);
    /* Quiet: every dispute ends within its phases' periods. */
    for (int k = 0; k < 400 && proto_disputes_count(r.w.s) > 0; k++) {
        guint events = r.w.events->len;
        dsw_block(&r.w, DSW_MS);
        count_settled(&r, events);
        mw_check(&r.w, "quiet");
    }
    ck_assert_uint_eq(proto_disputes_count(r.w.s), 0);
    ck_assert_uint_eq(r.settled, r.jobs->len);
    ck_assert_uint_gt(r.jobs->len, 10); /* the world did exercise disputes */
    ck_assert_uint_gt(r.refused, 50);
    g_array_unref(r.jobs);
    mw_clear(&r.w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("disputes_random");
    TCase *tc = tcase_create("random");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_random_worlds, 0, 24);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
