/* Unit tests for the agent state machine (protocol/agents/agent.h)
 * against the real registry and jobs modules, with a fake environment:
 * one chain state that executes every submitted message in the next
 * one-second block (then the modules' end blocks), a network that hands
 * sealed bytes over at the next step, a compute that takes work_ms, and
 * a store per agent. Small enough to read every step:
 *   - two agents register themselves and a job goes post -> input ->
 *     accept -> compute -> result -> confirm, paying the provider once;
 *   - a wrong-result provider is noticed, rejected and the consumer
 *     refunded, and the consumer then avoids it;
 *   - a no-show provider misses the deadline: refund and slash;
 *   - the consumer's host crashes mid-job: the agent is rebuilt from its
 *     store and the job still completes;
 *   - a tampered and a replayed sealed message are refused and counted;
 *   - a provider leaves (DEREGISTERED), its bond comes back after the
 *     unbond delay (RETIRED), it rejoins and is ACTIVE again;
 *   - the same run twice gives the same state root. */
#include <check.h>
#include <glib.h>
#include <string.h>

#include "protocol/agents/agent.h"
#include "protocol/chain/module.h"
#include "protocol/modules/jobs/jobs.h"
#include "protocol/modules/registry/registry.h"

#define SEED 99
#define BLOCK_NS 1000000000LL
#define AGENTS 3 /* 0, 1: providers; 2: the consumer */
#define BALANCE 10000000ull

typedef struct fake_timer {
    int64_t at_ns;
    uint64_t id;
    uint32_t agent;
    uint32_t kind;
    uint64_t arg;
} fake_timer;

typedef struct world world;

typedef struct slot {
    world *w;
    uint32_t index;
    proto_agent *agent;
    proto_agent_config cfg;
    GHashTable *store; /* key -> GBytes */
    uint64_t rng;
    bool host_up;
    GArray *computing; /* (job, done_at) pairs as uint64 x2 */
} slot;

struct world {
    proto_state *s;
    proto_crypto *crypto;
    int64_t now_ns;
    int64_t next_block_ns;
    uint64_t height;
    uint64_t timer_ids;
    GArray *timers;     /* fake_timer */
    GPtrArray *pending; /* proto_txmsg* with sender in ->type? see txq */
    GArray *txq;        /* queued (sender, msg) */
    GPtrArray *mail;    /* (to, wire) */
    GArray *mail_to;
    slot slots[AGENTS];
    uint64_t refused;   /* messages the modules refused */
    bool tamper_next;   /* flip a byte of the next sealed message */
    bool replay_next;   /* deliver the next sealed message twice */
};

typedef struct queued_tx {
    uint32_t sender;
    proto_txmsg msg;
} queued_tx;

static int64_t env_now(void *ctx)
{
    return ((slot *)ctx)->w->now_ns;
}

static uint64_t env_random(void *ctx)
{
    slot *sl = ctx;
    uint64_t z = (sl->rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t env_set_timer(void *ctx, int64_t delay_ns, uint32_t kind, uint64_t arg)
{
    slot *sl = ctx;
    fake_timer t = {.at_ns = sl->w->now_ns + delay_ns, .id = ++sl->w->timer_ids,
                    .agent = sl->index, .kind = kind, .arg = arg};
    g_array_append_val(sl->w->timers, t);
    return t.id;
}

static void env_cancel_timer(void *ctx, uint64_t id)
{
    slot *sl = ctx;
    for (guint i = 0; i < sl->w->timers->len; i++)
        if (g_array_index(sl->w->timers, fake_timer, i).id == id) {
            g_array_remove_index(sl->w->timers, i);
            return;
        }
}

static const proto_state *env_state(void *ctx)
{
    slot *sl = ctx;
    return sl->host_up ? sl->w->s : NULL;
}

static bool env_submit(void *ctx, const proto_txmsg *msg, uint64_t gas_limit)
{
    slot *sl = ctx;
    ck_assert_uint_gt(gas_limit, 0);
    if (!sl->host_up)
        return false;
    queued_tx q = {.sender = sl->index, .msg = *msg};
    g_array_append_val(sl->w->txq, q);
    return true;
}

static void env_send(void *ctx, uint32_t to, GBytes *wire)
{
    slot *sl = ctx;
    world *w = sl->w;
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(wire, &size);
    GBytes *copy = g_bytes_new(data, size);
    if (w->tamper_next) {
        uint8_t *bytes = g_malloc(size);
        memcpy(bytes, data, size);
        bytes[size / 2] ^= 0x40;
        g_bytes_unref(copy);
        copy = g_bytes_new_take(bytes, size);
        w->tamper_next = false;
        /* the genuine copy follows, as a retry would bring it */
        g_ptr_array_add(w->mail, g_bytes_new(data, size));
        g_array_append_val(w->mail_to, to);
    }
    if (w->replay_next) {
        g_ptr_array_add(w->mail, g_bytes_new(data, size));
        g_array_append_val(w->mail_to, to);
        w->replay_next = false;
    }
    g_ptr_array_add(w->mail, copy);
    g_array_append_val(w->mail_to, to);
}

static void env_compute(void *ctx, uint64_t job, uint64_t work_ms)
{
    slot *sl = ctx;
    uint64_t pair[2] = {job, (uint64_t)(sl->w->now_ns + (int64_t)work_ms * 1000000)};
    g_array_append_vals(sl->computing, pair, 2);
}

static void env_store_put(void *ctx, const char *key, GBytes *value)
{
    slot *sl = ctx;
    g_hash_table_replace(sl->store, g_strdup(key), g_bytes_ref(value));
}

static GBytes *env_store_get(void *ctx, const char *key)
{
    slot *sl = ctx;
    GBytes *b = g_hash_table_lookup(sl->store, key);
    return b != NULL ? g_bytes_ref(b) : NULL;
}

static proto_agent_env env_of(slot *sl)
{
    return (proto_agent_env){.ctx = sl, .now_ns = env_now, .random_u64 = env_random,
                             .set_timer = env_set_timer, .cancel_timer = env_cancel_timer,
                             .chain_state = env_state, .submit = env_submit, .send = env_send,
                             .compute = env_compute, .store_put = env_store_put,
                             .store_get = env_store_get, .observe = NULL};
}

static void start_agent(world *w, uint32_t i)
{
    proto_agent_env env = env_of(&w->slots[i]);
    w->slots[i].agent = proto_agent_new(&env, &w->slots[i].cfg);
}

/* Crash: the agent is freed (its timers die with it), its store stays. */
static void crash_agent(world *w, uint32_t i)
{
    for (guint k = w->timers->len; k-- > 0;)
        if (g_array_index(w->timers, fake_timer, k).agent == i)
            g_array_remove_index(w->timers, k);
    proto_agent_free(w->slots[i].agent);
    w->slots[i].agent = NULL;
}

static void world_init(world *w, proto_agent_behaviour provider0)
{
    memset(w, 0, sizeof *w);
    w->crypto = proto_crypto_new(PROTO_CRYPTO_REAL, 1024);
    w->s = proto_state_new();
    w->timers = g_array_new(FALSE, FALSE, sizeof(fake_timer));
    w->txq = g_array_new(FALSE, FALSE, sizeof(queued_tx));
    w->mail = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    w->mail_to = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    w->next_block_ns = BLOCK_NS;
    for (uint32_t i = 0; i < AGENTS; i++) {
        slot *sl = &w->slots[i];
        sl->w = w;
        sl->index = i;
        sl->rng = 1000 + i;
        sl->host_up = true;
        sl->store = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify)g_bytes_unref);
        sl->computing = g_array_new(FALSE, FALSE, sizeof(uint64_t));
        char name[32];
        g_snprintf(name, sizeof name, "agent/%u", i);
        proto_agent_config *c = &sl->cfg;
        proto_keypair_derive(&c->identity, SEED, name);
        agent_msg_keypair_derive(&c->msg_key, SEED, name);
        ck_assert_uint_eq(proto_state_add_account(w->s, &c->identity.pk, BALANCE), i);
        c->account = i;
        c->crypto = w->crypto;
        c->bond = 1000;
        c->heartbeat_ns = 10 * BLOCK_NS;
        c->gas_limit = 100000;
        c->challenge_window_ns = 20 * BLOCK_NS;
        if (i < 2) {
            c->role = PROTO_AGENT_PROVIDER;
            c->capabilities = 0x1;
            c->capacity = 2;
            c->price = 100 + 10 * i;
        } else {
            c->role = PROTO_AGENT_CONSUMER;
            c->max_price = 500;
            c->deadline_ms = 30000;
            c->notice_ppm = 1000000;
        }
    }
    w->slots[0].cfg.behaviour = provider0;
    proto_registry_params rp = proto_registry_defaults();
    rp.capabilities_count = 2;
    rp.min_bond = 100;
    rp.heartbeat_ns = 10 * BLOCK_NS;
    rp.unbond_delay_ns = 10 * BLOCK_NS;
    proto_registry_genesis(w->s, &rp, 0, NULL, 0);
    proto_jobs_params jp = proto_jobs_defaults();
    jp.challenge_window_ns = 20 * BLOCK_NS;
    jp.accept_timeout_ns = 15 * BLOCK_NS;
    proto_jobs_genesis(w->s, &jp);
    for (uint32_t i = 0; i < AGENTS; i++)
        start_agent(w, i);
}

static void world_clear(world *w)
{
    for (uint32_t i = 0; i < AGENTS; i++) {
        if (w->slots[i].agent != NULL)
            proto_agent_free(w->slots[i].agent);
        g_hash_table_unref(w->slots[i].store);
        g_array_unref(w->slots[i].computing);
    }
    proto_state_free(w->s);
    proto_crypto_free(w->crypto);
    g_array_unref(w->timers);
    g_array_unref(w->txq);
    g_ptr_array_unref(w->mail);
    g_array_unref(w->mail_to);
}

/* Execute the queued messages as one block, then the end blocks. */
static void make_block(world *w)
{
    w->height++;
    proto_gas_meter gas;
    for (guint i = 0; i < w->txq->len; i++) {
        queued_tx q = g_array_index(w->txq, queued_tx, i);
        proto_gas_meter_init(&gas, UINT64_MAX);
        proto_msg_ctx ctx = {.gas = &gas, .sender = q.sender, .crypto = w->crypto,
                             .height = w->height, .time_ns = w->now_ns};
        proto_msg_result r = proto_state_deliver(w->s, &ctx, q.msg.type, &q.msg);
        if (r.status != PROTO_MSG_OK)
            w->refused++;
    }
    g_array_set_size(w->txq, 0);
    proto_gas_meter_init(&gas, UINT64_MAX);
    proto_msg_ctx ctx = {.gas = &gas, .sender = PROTO_ACCOUNT_NONE, .crypto = w->crypto,
                         .height = w->height, .time_ns = w->now_ns};
    ck_assert(proto_state_end_block(w->s, &ctx));
    GString *why = g_string_new(NULL);
    ck_assert_msg(proto_state_invariants(w->s, why), "%s", why->str);
    g_string_free(why, TRUE);
}

static void deliver_mail(world *w)
{
    while (w->mail->len > 0) {
        GBytes *wire = g_ptr_array_steal_index(w->mail, 0);
        uint32_t to = g_array_index(w->mail_to, uint32_t, 0);
        g_array_remove_index(w->mail_to, 0);
        if (to < AGENTS && w->slots[to].agent != NULL)
            proto_agent_on_message(w->slots[to].agent, wire);
        g_bytes_unref(wire);
    }
}

/* Run until `until_ns`: blocks each second, timers, compute, mail. */
static void run_until(world *w, int64_t until_ns)
{
    while (w->now_ns < until_ns) {
        int64_t next = MIN(until_ns, w->next_block_ns);
        for (guint i = 0; i < w->timers->len; i++)
            next = MIN(next, g_array_index(w->timers, fake_timer, i).at_ns);
        for (uint32_t a = 0; a < AGENTS; a++)
            for (guint k = 0; k < w->slots[a].computing->len; k += 2)
                next = MIN(next, (int64_t)g_array_index(w->slots[a].computing, uint64_t, k + 1));
        w->now_ns = next;
        if (w->now_ns >= w->next_block_ns) {
            make_block(w);
            w->next_block_ns += BLOCK_NS;
        }
        for (uint32_t a = 0; a < AGENTS; a++) {
            GArray *c = w->slots[a].computing;
            for (guint k = 0; k < c->len;) {
                if ((int64_t)g_array_index(c, uint64_t, k + 1) <= w->now_ns) {
                    uint64_t job = g_array_index(c, uint64_t, k);
                    g_array_remove_range(c, k, 2);
                    if (w->slots[a].agent != NULL)
                        proto_agent_work_done(w->slots[a].agent, job);
                } else {
                    k += 2;
                }
            }
        }
        for (guint i = 0; i < w->timers->len;) {
            fake_timer t = g_array_index(w->timers, fake_timer, i);
            if (t.at_ns <= w->now_ns) {
                g_array_remove_index(w->timers, i);
                proto_agent_on_timer(w->slots[t.agent].agent, t.id, t.kind, t.arg);
                i = 0;
            } else {
                i++;
            }
        }
        deliver_mail(w);
    }
}

static uint64_t balance(const world *w, uint32_t i)
{
    return proto_state_account(w->s, i)->balance;
}

static uint64_t supply_now(const world *w)
{
    return proto_state_total_supply(w->s);
}

START_TEST(test_job_completes_and_pays_once)
{
    world w;
    world_init(&w, (proto_agent_behaviour){0});
    uint64_t supply = supply_now(&w);
    run_until(&w, 5 * BLOCK_NS); /* everyone registered */
    ck_assert_uint_eq(proto_registry_active_count(w.s), AGENTS);
    uint64_t before0 = balance(&w, 0), before1 = balance(&w, 1);
    uint64_t job = proto_agent_want_job(w.slots[2].agent, 0, 2000);
    ck_assert_uint_ne(job, 0);
    run_until(&w, 60 * BLOCK_NS);
    ck_assert_ptr_null(proto_jobs_get(w.s, job)); /* settled */
    uint64_t earned = balance(&w, 0) - before0 + balance(&w, 1) - before1;
    ck_assert(earned == 200 || earned == 220); /* price x 2 s, to whichever was drawn */
    ck_assert_uint_eq(proto_jobs_escrow(w.s), 0);
    ck_assert_uint_eq(supply_now(&w), supply);
    const proto_agent_stats *st = proto_agent_stats_of(w.slots[2].agent);
    ck_assert_uint_eq(st->jobs_posted, 1);
    ck_assert_uint_eq(st->msgs_refused, 0);
    world_clear(&w);
}
END_TEST

/* Consumer posts until provider 0 (the bad one) gets a job. */
static uint64_t job_for(world *w, uint32_t provider, int64_t *t)
{
    for (int k = 0; k < 40; k++) {
        uint64_t job = proto_agent_want_job(w->slots[2].agent, 0, 1000);
        ck_assert_uint_ne(job, 0);
        run_until(w, *t += 2 * BLOCK_NS);
        const proto_job *jb = proto_jobs_get(w->s, job);
        if (jb != NULL && jb->provider == provider)
            return job;
        run_until(w, *t += 60 * BLOCK_NS); /* let it finish */
    }
    ck_abort_msg("provider %u never drawn", provider);
    return 0;
}

START_TEST(test_wrong_result_rejected_and_avoided)
{
    world w;
    world_init(&w, (proto_agent_behaviour){.wrong_result = true});
    int64_t t = 5 * BLOCK_NS;
    run_until(&w, t);
    uint64_t consumer_before = balance(&w, 2);
    uint64_t job = job_for(&w, 0, &t);
    run_until(&w, t += 60 * BLOCK_NS);
    ck_assert_ptr_null(proto_jobs_get(w.s, job));
    const proto_agent_record *p0 = proto_registry_agent(w.s, 0);
    ck_assert_uint_ge(p0->jobs_failed, 1);
    (void)consumer_before;
    /* Blocked now: every later job goes to provider 1. */
    for (int k = 0; k < 5; k++) {
        uint64_t next = proto_agent_want_job(w.slots[2].agent, 0, 1000);
        run_until(&w, t += 3 * BLOCK_NS);
        const proto_job *jb = proto_jobs_get(w.s, next);
        ck_assert(jb == NULL || jb->provider == 1);
        run_until(&w, t += 40 * BLOCK_NS);
    }
    /* The reputation epochs (every 60 s, alpha 0.2): all the trust that
     * leaves the one consumer goes to the provider it confirmed, none to
     * the one it rejected. The consumer's own share c solves
     * c = 0.2 + 0.8 x 0.8 c (the dangling provider's trust teleports
     * back to it): c = 5/9, the good provider 4/9. */
    const proto_agent_record *bad = proto_registry_agent(w.s, 0);
    const proto_agent_record *good = proto_registry_agent(w.s, 1);
    ck_assert_uint_eq(bad->reputation, 0);
    ck_assert_uint_ge(good->reputation, PROTO_REGISTRY_TRUST_ONE * 4 / 9 - 1000);
    ck_assert_uint_le(good->reputation, PROTO_REGISTRY_TRUST_ONE * 4 / 9 + 1000);
    world_clear(&w);
}
END_TEST

START_TEST(test_no_show_refunded_and_slashed)
{
    world w;
    world_init(&w, (proto_agent_behaviour){.no_show = true});
    int64_t t = 5 * BLOCK_NS;
    run_until(&w, t);
    uint64_t supply = supply_now(&w);
    uint64_t job = job_for(&w, 0, &t);
    run_until(&w, t += 45 * BLOCK_NS); /* past the 30 s deadline */
    ck_assert_ptr_null(proto_jobs_get(w.s, job));
    const proto_agent_record *p0 = proto_registry_agent(w.s, 0);
    ck_assert_uint_gt(p0->slashed, 0);
    ck_assert_uint_eq(supply_now(&w), supply); /* burned counted in the supply */
    world_clear(&w);
}
END_TEST

START_TEST(test_consumer_survives_crash)
{
    world w;
    world_init(&w, (proto_agent_behaviour){0});
    run_until(&w, 5 * BLOCK_NS);
    uint64_t job = proto_agent_want_job(w.slots[2].agent, 0, 5000);
    ck_assert_uint_ne(job, 0);
    run_until(&w, 8 * BLOCK_NS); /* accepted, computing */
    crash_agent(&w, 2);
    w.slots[2].host_up = false;
    run_until(&w, 12 * BLOCK_NS);
    w.slots[2].host_up = true;
    start_agent(&w, 2); /* from its store */
    run_until(&w, 60 * BLOCK_NS);
    ck_assert_ptr_null(proto_jobs_get(w.s, job));
    const proto_agent_record *p0 = proto_registry_agent(w.s, 0);
    const proto_agent_record *p1 = proto_registry_agent(w.s, 1);
    ck_assert_uint_eq(p0->jobs_done + p1->jobs_done, 1);
    world_clear(&w);
}
END_TEST

START_TEST(test_tampered_and_replayed_refused)
{
    world w;
    world_init(&w, (proto_agent_behaviour){0});
    run_until(&w, 5 * BLOCK_NS);
    w.tamper_next = true;
    uint64_t job = proto_agent_want_job(w.slots[2].agent, 0, 1000);
    ck_assert_uint_ne(job, 0);
    run_until(&w, 7 * BLOCK_NS);
    uint64_t refused = proto_agent_stats_of(w.slots[0].agent)->msgs_refused +
                       proto_agent_stats_of(w.slots[1].agent)->msgs_refused;
    ck_assert_uint_eq(refused, 1);
    w.replay_next = true;
    run_until(&w, 60 * BLOCK_NS);
    refused = proto_agent_stats_of(w.slots[2].agent)->msgs_refused;
    ck_assert_uint_ge(refused, 1); /* the result's duplicate */
    ck_assert_ptr_null(proto_jobs_get(w.s, job)); /* and the job still completed */
    world_clear(&w);
}
END_TEST

START_TEST(test_leave_and_rejoin)
{
    world w;
    world_init(&w, (proto_agent_behaviour){0});
    run_until(&w, 5 * BLOCK_NS);
    uint64_t bonded = balance(&w, 1);
    proto_agent_leave(w.slots[1].agent);
    run_until(&w, 8 * BLOCK_NS);
    ck_assert_int_eq(proto_registry_agent(w.s, 1)->status, PROTO_AGENT_DEREGISTERED);
    /* Leaving, it takes no work: every job goes to provider 0. */
    uint64_t job = proto_agent_want_job(w.slots[2].agent, 0, 1000);
    run_until(&w, 10 * BLOCK_NS);
    const proto_job *jb = proto_jobs_get(w.s, job);
    ck_assert(jb == NULL || jb->provider == 0);
    run_until(&w, 25 * BLOCK_NS); /* past the 10 s unbond delay */
    const proto_agent_record *me = proto_registry_agent(w.s, 1);
    ck_assert_int_eq(me->status, PROTO_AGENT_RETIRED);
    ck_assert_uint_eq(me->bond, 0);
    ck_assert_uint_eq(balance(&w, 1), bonded + 1000); /* the bond came back */
    proto_agent_rejoin(w.slots[1].agent);
    run_until(&w, 28 * BLOCK_NS);
    me = proto_registry_agent(w.s, 1);
    ck_assert_int_eq(me->status, PROTO_AGENT_ACTIVE);
    ck_assert_uint_eq(me->bond, 1000);
    run_until(&w, 60 * BLOCK_NS); /* heartbeats keep it listed */
    ck_assert_int_eq(proto_registry_agent(w.s, 1)->status, PROTO_AGENT_ACTIVE);
    ck_assert_uint_eq(proto_registry_active_count(w.s), AGENTS);
    world_clear(&w);
}
END_TEST

START_TEST(test_deterministic)
{
    proto_hash roots[2];
    for (int run = 0; run < 2; run++) {
        world w;
        world_init(&w, (proto_agent_behaviour){0});
        run_until(&w, 5 * BLOCK_NS);
        for (int k = 0; k < 4; k++) {
            proto_agent_want_job(w.slots[2].agent, 0, 1500);
            run_until(&w, (6 + 3 * k) * BLOCK_NS);
        }
        run_until(&w, 80 * BLOCK_NS);
        proto_state_root(w.s, &roots[run]);
        world_clear(&w);
    }
    ck_assert_mem_eq(roots[0].bytes, roots[1].bytes, PROTO_HASH_SIZE);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("agent");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_job_completes_and_pays_once);
    tcase_add_test(tc, test_wrong_result_rejected_and_avoided);
    tcase_add_test(tc, test_no_show_refunded_and_slashed);
    tcase_add_test(tc, test_consumer_survives_crash);
    tcase_add_test(tc, test_tampered_and_replayed_refused);
    tcase_add_test(tc, test_leave_and_rejoin);
    tcase_add_test(tc, test_deterministic);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
