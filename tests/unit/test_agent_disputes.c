/* Unit tests for the agents' side of disputes (agent_party.c,
 * agent_juror.c, agent_evidence.c) against the real registry, jobs and
 * disputes modules in the fake agent world (support/agent_world.h).
 * One provider (agent 0), one consumer (1), seven jurors (2..8) that
 * verify and arbitrate; panels 3 then 7 (final):
 *   - a wrong result noticed: the provider defends and appeals twice,
 *     every round rules for the consumer, who gets bond - fee back on
 *     top of its refund; the provider pays two appeals;
 *   - a false dispute: the consumer withholds evidence and appeals, the
 *     provider's evidence wins every round, and it is paid its price and
 *     the consumer's bond less the fee;
 *   - a consumer that verifies: a right result is confirmed with no
 *     dispute, a wrong one is rejected and overturned;
 *   - a colluding verifier rules for the cheat at tier 1, the honest
 *     panel overturns it on appeal, and the colluder loses its stake at
 *     risk;
 *   - every juror crashes between its commit and its reveal and still
 *     reveals after the restart (its vote was stored);
 *   - lazy jurors: the dispute still settles, tokens conserved;
 *   - evidence that is tampered with, cut, or about another job is
 *     refused with its reason; a disclosure key opens its message and
 *     no other. */
#include <check.h>
#include <glib.h>
#include <string.h>

#include "protocol/agents/agent.h"
#include "protocol/agents/agent_evidence.h"
#include "protocol/modules/disputes/disputes.h"
#include "protocol/modules/jobs/jobs.h"
#include "protocol/modules/registry/registry.h"
#include "support/agent_world.h"

#define AGENTS 9
#define PROVIDER 0
#define CONSUMER 1
#define FIRST_JUROR 2
#define BOND 5000
#define FEE (BOND / 2)
#define SEAT_FEE 100
#define RISK 500
#define STAKE 5000
#define T(s) ((int64_t)(s) * AW_BLOCK_NS)

static proto_disputes_params params(void)
{
    proto_disputes_params p = proto_disputes_defaults();
    p.bond = BOND;
    p.fee_permille = 500;
    p.response_ns = T(10);
    p.verifiers = 1;
    p.verify_ns = T(10);
    p.panel = 3;
    p.panel_max = 7;
    p.vote_ns = T(10);
    p.appeal_ns = T(10);
    p.seat_fee = SEAT_FEE;
    p.stake_at_risk = RISK;
    return p;
}

/* Set up the world; `tweak` may change configs before the genesis. */
static void world_up(aw_world *w, void (*tweak)(aw_world *w))
{
    proto_agent_role roles[AGENTS] = {PROTO_AGENT_PROVIDER, PROTO_AGENT_CONSUMER};
    for (uint32_t i = FIRST_JUROR; i < AGENTS; i++)
        roles[i] = PROTO_AGENT_JUROR;
    aw_init(w, AGENTS, roles);
    if (tweak != NULL)
        tweak(w);
    aw_genesis_market(w);
    proto_disputes_genesis_juror jurors[AGENTS];
    uint32_t n = 0;
    for (uint32_t i = FIRST_JUROR; i < AGENTS; i++)
        jurors[n++] = (proto_disputes_genesis_juror){
            .account = i, .roles = w->slots[i].cfg.juror_roles, .stake = STAKE};
    proto_disputes_params p = params();
    proto_disputes_genesis(w->s, &p, n, jurors);
    aw_start(w);
    aw_run_until(w, T(5)); /* everyone registered */
    ck_assert_uint_eq(proto_registry_active_count(w->s), AGENTS);
}

/* The settled ruling of the dispute on job (and its last round), or -1. */
static int settled_ruling(const aw_world *w, uint64_t job, uint32_t *round)
{
    for (guint i = 0; i < w->chain_events->len; i++) {
        const proto_event *ev = &g_array_index(w->chain_events, proto_event, i);
        if (ev->kind == PROTO_EV_DISPUTE && ev->job == job &&
            ev->status == PROTO_DISPUTE_SETTLED) {
            if (round != NULL)
                *round = ev->depth;
            return (int)ev->prev_status;
        }
    }
    return -1;
}

static uint32_t disputes_opened(const aw_world *w)
{
    uint32_t n = 0;
    for (guint i = 0; i < w->chain_events->len; i++) {
        const proto_event *ev = &g_array_index(w->chain_events, proto_event, i);
        n += ev->kind == PROTO_EV_DISPUTE && ev->status == PROTO_DISPUTE_OPENED;
    }
    return n;
}

static uint64_t post(aw_world *w)
{
    uint64_t job = proto_agent_want_job(w->slots[CONSUMER].agent, 0, 2000);
    ck_assert_uint_ne(job, 0);
    return job;
}

static void wrong_provider(aw_world *w)
{
    w->slots[PROVIDER].cfg.behaviour.wrong_result = true;
}

START_TEST(test_wrong_result_overturned_through_appeals)
{
    aw_world w;
    world_up(&w, wrong_provider);
    uint64_t supply = aw_supply(&w);
    uint64_t consumer0 = aw_balance(&w, CONSUMER), provider0 = aw_balance(&w, PROVIDER);
    uint64_t job = post(&w);
    aw_run_until(&w, T(300));
    uint32_t round = 0;
    ck_assert_int_eq(settled_ruling(&w, job, &round), PROTO_RULING_CONSUMER);
    ck_assert_uint_eq(round, 2); /* tier 1, panel 3, panel 7 (final) */
    ck_assert_ptr_null(proto_jobs_get(w.s, job));
    ck_assert_ptr_null(proto_disputes_get(w.s, job));
    ck_assert_uint_eq(aw_events(&w, PROTO_AGENT_EV_DEFENDED, PROVIDER), 1);
    ck_assert_uint_eq(aw_events(&w, PROTO_AGENT_EV_APPEALED, PROVIDER), 2);
    ck_assert_uint_eq(aw_events(&w, PROTO_AGENT_EV_APPEALED, CONSUMER), 0);
    /* refunded, and its bond back doubled less the fee */
    ck_assert_uint_eq(aw_balance(&w, CONSUMER), consumer0 + BOND - FEE);
    /* its bond and two appeals (3 + 7 seats) gone */
    ck_assert_uint_eq(aw_balance(&w, PROVIDER), provider0 - BOND - 10 * SEAT_FEE);
    ck_assert_uint_ge(proto_registry_agent(w.s, PROVIDER)->jobs_failed, 1);
    ck_assert_uint_eq(aw_supply(&w), supply);
    ck_assert_uint_eq(w.refused, 0);
    aw_clear(&w);
}
END_TEST

static void false_consumer(aw_world *w)
{
    w->slots[CONSUMER].cfg.behaviour.false_dispute = true;
}

START_TEST(test_false_dispute_lost)
{
    aw_world w;
    world_up(&w, false_consumer);
    uint64_t supply = aw_supply(&w);
    uint64_t provider0 = aw_balance(&w, PROVIDER), consumer0 = aw_balance(&w, CONSUMER);
    uint64_t job = post(&w);
    aw_run_until(&w, T(300));
    uint32_t round = 0;
    ck_assert_int_eq(settled_ruling(&w, job, &round), PROTO_RULING_PROVIDER);
    ck_assert_uint_eq(round, 2);
    ck_assert_uint_eq(aw_events(&w, PROTO_AGENT_EV_APPEALED, CONSUMER), 2);
    /* price 100 x 2 s, and the consumer's bond less the fee */
    ck_assert_uint_eq(aw_balance(&w, PROVIDER), provider0 + 200 + BOND - FEE);
    proto_jobs_params jp = proto_jobs_defaults();
    uint64_t job_fee = proto_jobs_fee(&jp, 200);
    ck_assert_uint_eq(aw_balance(&w, CONSUMER),
                      consumer0 - 200 - job_fee - BOND - 10 * SEAT_FEE);
    ck_assert_uint_eq(proto_registry_agent(w.s, PROVIDER)->jobs_done, 1);
    ck_assert_uint_eq(aw_supply(&w), supply);
    aw_clear(&w);
}
END_TEST

static void verifying_consumer(aw_world *w)
{
    w->slots[CONSUMER].cfg.notice_ppm = 0;
    w->slots[CONSUMER].cfg.verify_ppm = 1000000;
}

START_TEST(test_verified_right_result_confirmed)
{
    aw_world w;
    world_up(&w, verifying_consumer);
    uint64_t job = post(&w);
    aw_run_until(&w, T(60));
    ck_assert_ptr_null(proto_jobs_get(w.s, job));
    ck_assert_uint_eq(disputes_opened(&w), 0);
    ck_assert_uint_eq(aw_events(&w, PROTO_AGENT_EV_VERIFIED, CONSUMER), 1);
    const proto_agent_event *v = NULL;
    for (guint i = 0; i < w.events->len; i++)
        if (g_array_index(w.events, proto_agent_event, i).kind == PROTO_AGENT_EV_VERIFIED)
            v = &g_array_index(w.events, proto_agent_event, i);
    ck_assert(v->correct);
    ck_assert_uint_ge(v->peer, FIRST_JUROR);
    ck_assert_uint_eq(proto_registry_agent(w.s, PROVIDER)->jobs_done, 1);
    aw_clear(&w);
}
END_TEST

static void verifying_consumer_wrong_provider(aw_world *w)
{
    verifying_consumer(w);
    wrong_provider(w);
}

START_TEST(test_verified_wrong_result_disputed)
{
    aw_world w;
    world_up(&w, verifying_consumer_wrong_provider);
    uint64_t job = post(&w);
    aw_run_until(&w, T(300));
    ck_assert_uint_eq(aw_events(&w, PROTO_AGENT_EV_VERIFIED, CONSUMER), 1);
    ck_assert_uint_eq(disputes_opened(&w), 1);
    ck_assert_int_eq(settled_ruling(&w, job, NULL), PROTO_RULING_CONSUMER);
    aw_clear(&w);
}
END_TEST

/* Juror 2 is the only verifier and colludes with the provider; 3..8
 * arbitrate honestly. */
static void colluding_verifier(aw_world *w)
{
    wrong_provider(w);
    w->slots[FIRST_JUROR].cfg.juror_roles = PROTO_JUROR_VERIFIER;
    w->slots[FIRST_JUROR].cfg.behaviour.collude[0] = PROVIDER;
    w->slots[FIRST_JUROR].cfg.behaviour.collude_count = 1;
    for (uint32_t i = FIRST_JUROR + 1; i < AGENTS; i++)
        w->slots[i].cfg.juror_roles = PROTO_JUROR_ARBITER;
}

START_TEST(test_collusion_overturned_on_appeal)
{
    aw_world w;
    world_up(&w, colluding_verifier);
    uint64_t supply = aw_supply(&w);
    uint64_t job = post(&w);
    aw_run_until(&w, T(300));
    uint32_t round = 0;
    ck_assert_int_eq(settled_ruling(&w, job, &round), PROTO_RULING_CONSUMER);
    ck_assert_uint_eq(round, 2);
    /* tier 1 ruled for the provider: the consumer appealed it */
    ck_assert_uint_eq(aw_events(&w, PROTO_AGENT_EV_APPEALED, CONSUMER), 1);
    ck_assert_uint_eq(proto_disputes_juror(w.s, FIRST_JUROR)->stake, STAKE - RISK);
    ck_assert_uint_eq(aw_supply(&w), supply);
    aw_clear(&w);
}
END_TEST

START_TEST(test_jurors_reveal_after_crash)
{
    aw_world w;
    world_up(&w, wrong_provider);
    uint64_t job = post(&w);
    /* until the first panel is revealing */
    int64_t t = T(5);
    const proto_dispute *d = NULL;
    while (t < T(200)) {
        aw_run_until(&w, t += AW_BLOCK_NS);
        d = proto_disputes_get(w.s, job);
        if (d != NULL && d->phase == PROTO_DISPUTE_REVEAL)
            break;
    }
    ck_assert(d != NULL && d->phase == PROTO_DISPUTE_REVEAL);
    for (uint32_t i = FIRST_JUROR; i < AGENTS; i++) {
        aw_crash_agent(&w, i);
        aw_start_agent(&w, i); /* from its store */
    }
    aw_run_until(&w, T(400));
    uint32_t round = 0;
    ck_assert_int_eq(settled_ruling(&w, job, &round), PROTO_RULING_CONSUMER);
    ck_assert_uint_eq(round, 2);
    /* nobody lost stake: every seat revealed */
    for (uint32_t i = FIRST_JUROR; i < AGENTS; i++)
        ck_assert_uint_ge(proto_disputes_juror(w.s, i)->stake, STAKE);
    aw_clear(&w);
}
END_TEST

static void lazy_jurors(aw_world *w)
{
    wrong_provider(w);
    for (uint32_t i = FIRST_JUROR; i < AGENTS; i++)
        w->slots[i].cfg.behaviour.lazy = true;
}

START_TEST(test_lazy_jurors_still_settle)
{
    aw_world w;
    world_up(&w, lazy_jurors);
    uint64_t supply = aw_supply(&w);
    uint64_t job = post(&w);
    aw_run_until(&w, T(400));
    ck_assert_int_ge(settled_ruling(&w, job, NULL), PROTO_RULING_NONE);
    ck_assert_ptr_null(proto_jobs_get(w.s, job));
    ck_assert_uint_eq(proto_disputes_count(w.s), 0);
    ck_assert_uint_eq(aw_supply(&w), supply);
    aw_clear(&w);
}
END_TEST

/* ---- evidence ---- */

typedef struct evidence_case {
    aw_world w;
    proto_job jb;       /* a copy of the disputed job */
    GBytes *evidence;   /* the consumer's */
} evidence_case;

static uint64_t fixed_random(void *ctx)
{
    return ++*(uint64_t *)ctx;
}

/* A wrong result disputed; its evidence built from two wires the test
 * seals itself as the parties would. */
static void evidence_setup(evidence_case *c, GBytes **input_wire, GBytes **result_wire)
{
    memset(c, 0, sizeof *c);
    proto_agent_role roles[2] = {PROTO_AGENT_PROVIDER, PROTO_AGENT_CONSUMER};
    aw_init(&c->w, 2, roles);
    uint64_t job = PROTO_JOB_ID(CONSUMER, 1), rng = 5;
    const proto_agent_config *pc = &c->w.slots[PROVIDER].cfg, *cc = &c->w.slots[CONSUMER].cfg;
    agent_msg_self prov = {.account = PROVIDER, .identity = pc->identity, .box = pc->msg_key};
    agent_msg_self cons = {.account = CONSUMER, .identity = cc->identity, .box = cc->msg_key};
    uint8_t input[1 + 8 + 4 + 8 + 32] = {1};
    memcpy(input + 1, &job, 8); /* little-endian hosts only, as the codec tests assume */
    input[13] = 0xd0; input[14] = 0x07; /* work_ms 2000 */
    uint8_t result[1 + 8 + PROTO_HASH_SIZE] = {1};
    memcpy(result + 1, &job, 8);
    proto_hash answer;
    proto_agent_answer(input, sizeof input, &answer);
    memcpy(result + 9, answer.bytes, PROTO_HASH_SIZE);
    result[9] ^= 1; /* wrong */
    agent_msg_header hi = {.kind = AGENT_MSG_JOB_INPUT, .from = CONSUMER, .to = PROVIDER,
                           .job = job, .seq = 1};
    agent_msg_header hr = {.kind = AGENT_MSG_JOB_RESULT, .from = PROVIDER, .to = CONSUMER,
                           .job = job, .seq = 1};
    *input_wire = agent_msg_seal(c->w.crypto, &cons, &hi, &pc->msg_key.pk, input, sizeof input,
                                 fixed_random, &rng);
    *result_wire = agent_msg_seal(c->w.crypto, &prov, &hr, &cc->msg_key.pk, result,
                                  sizeof result, fixed_random, &rng);
    c->jb = (proto_job){.id = job, .consumer = CONSUMER, .provider = PROVIDER,
                        .status = PROTO_JOB_DISPUTED};
    gsize n = 0;
    const uint8_t *b = g_bytes_get_data(*input_wire, &n);
    proto_hash_bytes(&c->jb.input_hash, b, n);
    b = g_bytes_get_data(*result_wire, &n);
    proto_hash_bytes(&c->jb.result_hash, b, n);
    c->evidence = agent_evidence_build(c->w.crypto, &cc->msg_key, &pc->msg_key.pk, job,
                                       *input_wire, *result_wire);
    ck_assert_ptr_nonnull(c->evidence);
}

static agent_evidence_result check_bytes(const evidence_case *c, const uint8_t *p, size_t n,
                                         bool *correct)
{
    uint64_t work_ms = 0;
    return agent_evidence_check(&c->jb, c->jb.id, p, n, correct, &work_ms);
}

START_TEST(test_evidence_checked)
{
    evidence_case c;
    GBytes *in = NULL, *res = NULL;
    evidence_setup(&c, &in, &res);
    gsize n = 0;
    const uint8_t *e = g_bytes_get_data(c.evidence, &n);
    bool correct = true;
    uint64_t work_ms = 0;
    ck_assert_int_eq(agent_evidence_check(&c.jb, c.jb.id, e, n, &correct, &work_ms),
                     AGENT_EVIDENCE_OK);
    ck_assert(!correct);
    ck_assert_uint_eq(work_ms, 2000);
    /* either party builds the same keys */
    const proto_agent_config *pc = &c.w.slots[PROVIDER].cfg, *cc = &c.w.slots[CONSUMER].cfg;
    GBytes *theirs = agent_evidence_build(c.w.crypto, &pc->msg_key, &cc->msg_key.pk, c.jb.id,
                                          in, res);
    ck_assert(g_bytes_equal(theirs, c.evidence));
    g_bytes_unref(theirs);
    uint8_t *copy = g_memdup2(e, n);
    /* cut short, and one byte more */
    ck_assert_int_eq(check_bytes(&c, copy, n - 1, &correct), AGENT_EVIDENCE_MALFORMED);
    uint8_t *longer = g_malloc0(n + 1);
    memcpy(longer, e, n);
    ck_assert_int_eq(check_bytes(&c, longer, n + 1, &correct), AGENT_EVIDENCE_MALFORMED);
    g_free(longer);
    /* another job */
    copy[1] ^= 1;
    ck_assert_int_eq(check_bytes(&c, copy, n, &correct), AGENT_EVIDENCE_WRONG_JOB);
    copy[1] ^= 1;
    /* a wrong disclosure key for the input (offset 9) */
    copy[9] ^= 1;
    ck_assert_int_eq(check_bytes(&c, copy, n, &correct), AGENT_EVIDENCE_UNOPENED);
    copy[9] ^= 1;
    /* a byte of the input wire changed: not what the chain committed */
    copy[n - 200] ^= 1;
    ck_assert_int_eq(check_bytes(&c, copy, n, &correct), AGENT_EVIDENCE_NOT_COMMITTED);
    copy[n - 200] ^= 1;
    ck_assert_int_eq(check_bytes(&c, copy, n, &correct), AGENT_EVIDENCE_OK);
    /* the wires' roles swapped on chain: the headers give it away */
    proto_hash tmp = c.jb.input_hash;
    c.jb.input_hash = c.jb.result_hash;
    c.jb.result_hash = tmp;
    GBytes *swapped = agent_evidence_build(c.w.crypto, &cc->msg_key, &pc->msg_key.pk, c.jb.id,
                                           res, in);
    const uint8_t *sp = g_bytes_get_data(swapped, &n);
    ck_assert_int_eq(check_bytes(&c, sp, n, &correct), AGENT_EVIDENCE_WRONG_PARTIES);
    g_bytes_unref(swapped);
    g_free(copy);
    g_bytes_unref(in);
    g_bytes_unref(res);
    g_bytes_unref(c.evidence);
    aw_clear(&c.w);
}
END_TEST

START_TEST(test_disclosure_opens_one_message)
{
    evidence_case c;
    GBytes *in = NULL, *res = NULL;
    evidence_setup(&c, &in, &res);
    const proto_agent_config *pc = &c.w.slots[PROVIDER].cfg, *cc = &c.w.slots[CONSUMER].cfg;
    gsize in_n = 0, res_n = 0;
    const uint8_t *iw = g_bytes_get_data(in, &in_n), *rw = g_bytes_get_data(res, &res_n);
    uint8_t key[AGENT_MSG_DISCLOSURE_KEY_SIZE];
    ck_assert(agent_msg_disclose(c.w.crypto, &cc->msg_key, &pc->msg_key.pk, iw, in_n, key));
    agent_msg_header h;
    GBytes *plain = NULL;
    ck_assert_int_eq(agent_msg_open_disclosed(key, iw, in_n, &h, &plain), AGENT_MSG_OK);
    ck_assert_uint_eq(g_bytes_get_size(plain), 1 + 8 + 4 + 8 + 32);
    ck_assert_uint_eq(h.kind, AGENT_MSG_JOB_INPUT);
    g_bytes_unref(plain);
    plain = NULL;
    /* the same pair's other message stays shut */
    ck_assert_int_eq(agent_msg_open_disclosed(key, rw, res_n, &h, &plain),
                     AGENT_MSG_BAD_CIPHERTEXT);
    ck_assert_ptr_null(plain);
    g_bytes_unref(in);
    g_bytes_unref(res);
    g_bytes_unref(c.evidence);
    aw_clear(&c.w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("agent_disputes");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_wrong_result_overturned_through_appeals);
    tcase_add_test(tc, test_false_dispute_lost);
    tcase_add_test(tc, test_verified_right_result_confirmed);
    tcase_add_test(tc, test_verified_wrong_result_disputed);
    tcase_add_test(tc, test_collusion_overturned_on_appeal);
    tcase_add_test(tc, test_jurors_reveal_after_crash);
    tcase_add_test(tc, test_lazy_jurors_still_settle);
    tcase_add_test(tc, test_evidence_checked);
    tcase_add_test(tc, test_disclosure_opens_one_message);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
