/* The fake agent world (agent_world.h): timers, chain, network,
 * compute and stores for agents under test. */
#include "support/agent_world.h"

#include <check.h>
#include <string.h>

#include "protocol/chain/module.h"
#include "protocol/modules/disputes/disputes.h"
#include "protocol/modules/jobs/jobs.h"
#include "protocol/modules/registry/registry.h"

static int64_t env_now(void *ctx)
{
    return ((aw_slot *)ctx)->w->now_ns;
}

static uint64_t env_random(void *ctx)
{
    aw_slot *sl = ctx;
    uint64_t z = (sl->rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t env_set_timer(void *ctx, int64_t delay_ns, uint32_t kind, uint64_t arg)
{
    aw_slot *sl = ctx;
    aw_timer t = {.at_ns = sl->w->now_ns + delay_ns, .id = ++sl->w->timer_ids,
                    .agent = sl->index, .kind = kind, .arg = arg};
    g_array_append_val(sl->w->timers, t);
    return t.id;
}

static void env_cancel_timer(void *ctx, uint64_t id)
{
    aw_slot *sl = ctx;
    for (guint i = 0; i < sl->w->timers->len; i++)
        if (g_array_index(sl->w->timers, aw_timer, i).id == id) {
            g_array_remove_index(sl->w->timers, i);
            return;
        }
}

static const proto_state *env_state(void *ctx)
{
    aw_slot *sl = ctx;
    return sl->host_up ? sl->w->s : NULL;
}

static bool env_submit(void *ctx, const proto_txmsg *msg, uint64_t gas_limit)
{
    aw_slot *sl = ctx;
    ck_assert_uint_gt(gas_limit, 0);
    if (!sl->host_up)
        return false;
    aw_queued_tx q = {.sender = sl->index, .msg = *msg};
    g_array_append_val(sl->w->txq, q);
    return true;
}

static void env_send(void *ctx, uint32_t to, GBytes *wire)
{
    aw_slot *sl = ctx;
    aw_world *w = sl->w;
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
    aw_slot *sl = ctx;
    uint64_t pair[2] = {job, (uint64_t)(sl->w->now_ns + (int64_t)work_ms * 1000000)};
    g_array_append_vals(sl->computing, pair, 2);
}

static void env_store_put(void *ctx, const char *key, GBytes *value)
{
    aw_slot *sl = ctx;
    g_hash_table_replace(sl->store, g_strdup(key), g_bytes_ref(value));
}

static GBytes *env_store_get(void *ctx, const char *key)
{
    aw_slot *sl = ctx;
    GBytes *b = g_hash_table_lookup(sl->store, key);
    return b != NULL ? g_bytes_ref(b) : NULL;
}

static void env_observe(void *ctx, const proto_agent_event *ev)
{
    aw_slot *sl = ctx;
    proto_agent_event copy = *ev;
    copy.detail = NULL; /* static strings; not kept */
    g_array_append_val(sl->w->events, copy);
}

static proto_agent_env env_of(aw_slot *sl)
{
    return (proto_agent_env){.ctx = sl, .now_ns = env_now, .random_u64 = env_random,
                             .set_timer = env_set_timer, .cancel_timer = env_cancel_timer,
                             .chain_state = env_state, .submit = env_submit, .send = env_send,
                             .compute = env_compute, .store_put = env_store_put,
                             .store_get = env_store_get, .observe = env_observe};
}

void aw_start_agent(aw_world *w, uint32_t i)
{
    proto_agent_env env = env_of(&w->slots[i]);
    w->slots[i].agent = proto_agent_new(&env, &w->slots[i].cfg);
}

/* Crash: the agent is freed (its timers die with it), its store stays. */
void aw_crash_agent(aw_world *w, uint32_t i)
{
    for (guint k = w->timers->len; k-- > 0;)
        if (g_array_index(w->timers, aw_timer, k).agent == i)
            g_array_remove_index(w->timers, k);
    proto_agent_free(w->slots[i].agent);
    w->slots[i].agent = NULL;
}

void aw_init(aw_world *w, uint32_t count, const proto_agent_role *roles)
{
    g_assert(count <= AW_AGENTS_MAX);
    memset(w, 0, sizeof *w);
    w->count = count;
    w->crypto = proto_crypto_new(PROTO_CRYPTO_REAL, 1024);
    w->s = proto_state_new();
    w->timers = g_array_new(FALSE, FALSE, sizeof(aw_timer));
    w->txq = g_array_new(FALSE, FALSE, sizeof(aw_queued_tx));
    w->mail = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    w->mail_to = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    w->events = g_array_new(FALSE, FALSE, sizeof(proto_agent_event));
    w->chain_events = g_array_new(FALSE, FALSE, sizeof(proto_event));
    w->next_block_ns = AW_BLOCK_NS;
    uint32_t providers = 0;
    for (uint32_t i = 0; i < w->count; i++) {
        aw_slot *sl = &w->slots[i];
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
        proto_keypair_derive(&c->identity, AW_SEED, name);
        agent_msg_keypair_derive(&c->msg_key, AW_SEED, name);
        ck_assert_uint_eq(proto_state_add_account(w->s, &c->identity.pk, AW_BALANCE), i);
        c->role = roles[i];
        c->account = i;
        c->crypto = w->crypto;
        c->bond = 1000;
        c->heartbeat_ns = 10 * AW_BLOCK_NS;
        c->gas_limit = 100000;
        c->challenge_window_ns = 20 * AW_BLOCK_NS;
        if (c->role == PROTO_AGENT_PROVIDER) {
            c->capabilities = 0x1;
            c->capacity = 2;
            c->price = 100 + 10 * providers++;
        } else if (c->role == PROTO_AGENT_CONSUMER) {
            c->max_price = 500;
            c->deadline_ms = 30000;
            c->notice_ppm = 1000000;
        } else {
            c->capacity = 4;
            c->juror_roles = PROTO_JUROR_VERIFIER | PROTO_JUROR_ARBITER;
            c->chain_id = AW_CHAIN_ID;
        }
    }
}

void aw_genesis_market(aw_world *w)
{
    proto_jobs_params jp = proto_jobs_defaults();
    jp.challenge_window_ns = 20 * AW_BLOCK_NS;
    jp.accept_timeout_ns = 15 * AW_BLOCK_NS;
    aw_genesis_market_with(w, &jp);
}

void aw_genesis_market_with(aw_world *w, const proto_jobs_params *jp)
{
    proto_registry_params rp = proto_registry_defaults();
    rp.capabilities_count = 2;
    rp.min_bond = 100;
    rp.heartbeat_ns = 10 * AW_BLOCK_NS;
    rp.unbond_delay_ns = 10 * AW_BLOCK_NS;
    proto_registry_genesis(w->s, &rp, 0, NULL, 0);
    proto_jobs_genesis(w->s, jp);
}

void aw_start(aw_world *w)
{
    for (uint32_t i = 0; i < w->count; i++)
        aw_start_agent(w, i);
}

void aw_clear(aw_world *w)
{
    for (uint32_t i = 0; i < w->count; i++) {
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
    g_array_unref(w->events);
    g_array_unref(w->chain_events);
}

/* Execute the queued messages as one block, then the end blocks. */
void aw_make_block(aw_world *w)
{
    w->height++;
    proto_gas_meter gas;
    for (guint i = 0; i < w->txq->len; i++) {
        aw_queued_tx q = g_array_index(w->txq, aw_queued_tx, i);
        proto_gas_meter_init(&gas, UINT64_MAX);
        proto_msg_ctx ctx = {.gas = &gas, .sender = q.sender, .crypto = w->crypto,
                             .height = w->height, .time_ns = w->now_ns,
                             .chain_id = AW_CHAIN_ID, .events = w->chain_events};
        proto_msg_result r = proto_state_deliver(w->s, &ctx, q.msg.type, &q.msg);
        if (r.status != PROTO_MSG_OK)
            w->refused++;
    }
    g_array_set_size(w->txq, 0);
    proto_gas_meter_init(&gas, UINT64_MAX);
    proto_msg_ctx ctx = {.gas = &gas, .sender = PROTO_ACCOUNT_NONE, .crypto = w->crypto,
                         .height = w->height, .time_ns = w->now_ns,
                             .chain_id = AW_CHAIN_ID, .events = w->chain_events};
    ck_assert(proto_state_end_block(w->s, &ctx));
    GString *why = g_string_new(NULL);
    ck_assert_msg(proto_state_invariants(w->s, why), "%s", why->str);
    g_string_free(why, TRUE);
}

static void deliver_mail(aw_world *w)
{
    while (w->mail->len > 0) {
        GBytes *wire = g_ptr_array_steal_index(w->mail, 0);
        uint32_t to = g_array_index(w->mail_to, uint32_t, 0);
        g_array_remove_index(w->mail_to, 0);
        if (to < w->count && w->slots[to].agent != NULL)
            proto_agent_on_message(w->slots[to].agent, wire);
        g_bytes_unref(wire);
    }
}

/* Run until `until_ns`: blocks each second, timers, compute, mail. */
void aw_run_until(aw_world *w, int64_t until_ns)
{
    while (w->now_ns < until_ns) {
        int64_t next = MIN(until_ns, w->next_block_ns);
        for (guint i = 0; i < w->timers->len; i++)
            next = MIN(next, g_array_index(w->timers, aw_timer, i).at_ns);
        for (uint32_t a = 0; a < w->count; a++)
            for (guint k = 0; k < w->slots[a].computing->len; k += 2)
                next = MIN(next, (int64_t)g_array_index(w->slots[a].computing, uint64_t, k + 1));
        w->now_ns = next;
        if (w->now_ns >= w->next_block_ns) {
            aw_make_block(w);
            w->next_block_ns += AW_BLOCK_NS;
        }
        for (uint32_t a = 0; a < w->count; a++) {
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
            aw_timer t = g_array_index(w->timers, aw_timer, i);
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

uint64_t aw_balance(const aw_world *w, uint32_t i)
{
    return proto_state_account(w->s, i)->balance;
}

uint64_t aw_supply(const aw_world *w)
{
    return proto_state_total_supply(w->s);
}


uint32_t aw_events(const aw_world *w, proto_agent_event_kind kind, uint32_t account)
{
    uint32_t n = 0;
    for (guint i = 0; i < w->events->len; i++) {
        const proto_agent_event *ev = &g_array_index(w->events, proto_agent_event, i);
        n += ev->kind == kind && (account == UINT32_MAX || ev->account == account);
    }
    return n;
}
