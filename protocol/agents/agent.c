/* The agent's life cycle (agent.h): registration, heartbeats, the tick
 * that moves its open jobs along, the sealed-message entry point and the
 * durable store. The consumer's and the provider's halves of a job are
 * agent_consumer.c and agent_provider.c. */
#include "protocol/agents/agent_internal.h"

#include <string.h>

#include "protocol/core/codec.h"
#include "protocol/modules/jobs/jobs.h"
#include "protocol/modules/registry/registry.h"

#define AGENT_STORE_KEY "agent"
#define AGENT_STORE_VERSION 2

int64_t agent_now(const proto_agent *a)
{
    return a->env.now_ns(a->env.ctx);
}

void agent_report(proto_agent *a, proto_agent_event ev)
{
    ev.account = a->cfg.account;
    if (a->env.observe != NULL)
        a->env.observe(a->env.ctx, &ev);
}

bool agent_submit(proto_agent *a, const proto_txmsg *msg)
{
    if (!a->env.submit(a->env.ctx, msg, a->cfg.gas_limit))
        return false;
    a->stats.txs_sent++;
    agent_report(a, (proto_agent_event){.kind = PROTO_AGENT_EV_TX, .peer = UINT32_MAX,
                                        .detail = proto_txmsg_type_name(msg->type)});
    return true;
}

/* ---- open jobs, sorted by id ---- */

static guint job_lower_bound(const proto_agent *a, uint64_t id)
{
    guint lo = 0, hi = a->jobs->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        if (((const agent_job *)g_ptr_array_index(a->jobs, mid))->id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

agent_job *agent_job_find(proto_agent *a, uint64_t id)
{
    guint i = job_lower_bound(a, id);
    if (i < a->jobs->len) {
        agent_job *j = g_ptr_array_index(a->jobs, i);
        if (j->id == id)
            return j;
    }
    return NULL;
}

agent_job *agent_job_add(proto_agent *a, uint64_t id)
{
    g_assert(agent_job_find(a, id) == NULL);
    if (a->jobs->len >= AGENT_JOBS_MAX)
        return NULL;
    agent_job *j = g_new0(agent_job, 1);
    j->id = id;
    j->verifier = UINT32_MAX;
    j->since_ns = agent_now(a);
    g_ptr_array_insert(a->jobs, (gint)job_lower_bound(a, id), j);
    a->dirty = true;
    return j;
}

static void job_free(gpointer p)
{
    agent_job *j = p;
    if (j->input != NULL)
        g_bytes_unref(j->input);
    if (j->sealed != NULL)
        g_bytes_unref(j->sealed);
    if (j->early_wire != NULL)
        g_bytes_unref(j->early_wire);
    if (j->early_plain != NULL)
        g_bytes_unref(j->early_plain);
    if (j->result_wire != NULL)
        g_bytes_unref(j->result_wire);
    g_free(j);
}

void agent_job_drop(proto_agent *a, agent_job *j)
{
    guint i = job_lower_bound(a, j->id);
    g_assert(i < a->jobs->len && g_ptr_array_index(a->jobs, i) == j);
    g_ptr_array_remove_index(a->jobs, i); /* frees j */
    a->dirty = true;
}

void agent_block(proto_agent *a, uint32_t account)
{
    uint32_t i = 0;
    while (i < a->blocked_count && a->blocked[i] < account)
        i++;
    if ((i < a->blocked_count && a->blocked[i] == account) || a->blocked_count == AGENT_BLOCKED_MAX)
        return;
    memmove(&a->blocked[i + 1], &a->blocked[i], (a->blocked_count - i) * sizeof a->blocked[0]);
    a->blocked[i] = account;
    a->blocked_count++;
    a->dirty = true;
}

/* ---- the durable store ---- */

static void write_blob(proto_writer *w, GBytes *b)
{
    gsize size = 0;
    const uint8_t *data = b != NULL ? g_bytes_get_data(b, &size) : NULL;
    proto_write_bytes(w, data, size);
}

static GBytes *read_blob(proto_reader *r)
{
    size_t size = 0;
    const uint8_t *data = proto_read_bytes(r, 1u << 20, &size);
    return data != NULL && size > 0 ? g_bytes_new(data, size) : NULL;
}

void agent_store_flush(proto_agent *a)
{
    if (!a->dirty || a->env.store_put == NULL)
        return;
    proto_writer w;
    proto_writer_init(&w);
    proto_write_u8(&w, AGENT_STORE_VERSION);
    proto_write_u64(&w, a->hb_seq);
    proto_write_u32(&w, a->next_job_seq);
    proto_write_u64(&w, a->msg_seq);
    proto_write_i64(&w, a->register_sent_ns);
    proto_write_u8(&w, a->leaving);
    proto_write_u32(&w, a->blocked_count);
    for (uint32_t i = 0; i < a->blocked_count; i++)
        proto_write_u32(&w, a->blocked[i]);
    GBytes *replay = agent_msg_replay_serialize(&a->replay);
    write_blob(&w, replay);
    g_bytes_unref(replay);
    proto_write_u32(&w, a->jobs->len);
    for (guint i = 0; i < a->jobs->len; i++) {
        const agent_job *j = g_ptr_array_index(a->jobs, i);
        proto_write_u64(&w, j->id);
        proto_write_u32(&w, j->peer);
        proto_write_u32(&w, j->capability);
        proto_write_u64(&w, j->work_ms);
        proto_write_u64(&w, j->payment);
        proto_write_u8(&w, j->phase);
        proto_write_u8(&w, j->correct);
        proto_write_i64(&w, j->since_ns);
        write_blob(&w, j->input);
        write_blob(&w, j->sealed);
        write_blob(&w, j->result_wire);
        proto_write_u32(&w, j->verifier);
        proto_write_u8(&w, j->defended);
        proto_write_u8(&w, j->appealed);
        proto_write_u8(&w, j->shown);
        proto_write_u8(&w, j->vote);
        proto_write_u8(&w, j->vote_round);
        proto_write_u8(&w, j->vote_step);
        proto_write_i64(&w, j->vote_sent_ns);
        proto_write_u8(&w, j->approved);
        proto_write_i64(&w, j->exec_ns);
    }
    GBytes *blob = proto_writer_steal(&w);
    a->env.store_put(a->env.ctx, AGENT_STORE_KEY, blob);
    g_bytes_unref(blob);
    a->dirty = false;
}

/* Our own bytes: a store that does not read back is our bug. */
static void store_load(proto_agent *a, GBytes *blob)
{
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(blob, &size);
    proto_reader r;
    proto_reader_init(&r, data, size);
    g_assert(proto_read_u8(&r) == AGENT_STORE_VERSION);
    a->hb_seq = proto_read_u64(&r);
    a->next_job_seq = proto_read_u32(&r);
    a->msg_seq = proto_read_u64(&r);
    a->register_sent_ns = proto_read_i64(&r);
    a->leaving = proto_read_u8(&r) != 0;
    a->blocked_count = proto_read_u32(&r);
    g_assert(a->blocked_count <= AGENT_BLOCKED_MAX);
    for (uint32_t i = 0; i < a->blocked_count; i++)
        a->blocked[i] = proto_read_u32(&r);
    GBytes *replay = read_blob(&r);
    if (replay != NULL) {
        gsize n = 0;
        const uint8_t *d = g_bytes_get_data(replay, &n);
        g_assert(agent_msg_replay_deserialize(&a->replay, d, n));
        g_bytes_unref(replay);
    }
    uint32_t count = proto_read_u32(&r);
    g_assert(count <= AGENT_JOBS_MAX);
    for (uint32_t i = 0; i < count; i++) {
        agent_job *j = g_new0(agent_job, 1);
        j->id = proto_read_u64(&r);
        j->peer = proto_read_u32(&r);
        j->capability = proto_read_u32(&r);
        j->work_ms = proto_read_u64(&r);
        j->payment = proto_read_u64(&r);
        j->phase = proto_read_u8(&r);
        j->correct = proto_read_u8(&r) != 0;
        j->since_ns = proto_read_i64(&r);
        j->input = read_blob(&r);
        j->sealed = read_blob(&r);
        j->result_wire = read_blob(&r);
        j->verifier = proto_read_u32(&r);
        j->defended = proto_read_u8(&r) != 0;
        j->appealed = proto_read_u8(&r);
        j->shown = proto_read_u8(&r);
        j->vote = proto_read_u8(&r);
        j->vote_round = proto_read_u8(&r);
        j->vote_step = proto_read_u8(&r);
        j->vote_sent_ns = proto_read_i64(&r);
        j->approved = proto_read_u8(&r);
        j->exec_ns = proto_read_i64(&r);
        if (j->phase == AGENT_JOB_CHECKING)
            j->phase = AGENT_JOB_SEATED; /* the re-run died with the host: evidence again */
        g_ptr_array_add(a->jobs, j); /* written in id order */
    }
    g_assert(proto_reader_finish(&r));
}

/* ---- registration and heartbeats ---- */

static void send_register(proto_agent *a)
{
    proto_txmsg m = {.type = PROTO_TXMSG_AGENT_REGISTER};
    m.agent.capabilities = a->cfg.capabilities;
    m.agent.capacity = a->cfg.role == PROTO_AGENT_PROVIDER ? a->cfg.capacity : 0;
    m.agent.price = a->cfg.role == PROTO_AGENT_PROVIDER ? a->cfg.price : 0;
    m.agent.bond = a->cfg.bond;
    m.agent.msg_key = a->cfg.msg_key.pk;
    if (agent_submit(a, &m)) {
        a->register_sent_ns = agent_now(a);
        a->dirty = true;
    }
}

static void send_seq(proto_agent *a, uint8_t type, const proto_agent_record *me)
{
    uint64_t seq = MAX(a->hb_seq, me->seq) + 1;
    proto_txmsg m = {.type = type, .agent_seq = {.seq = seq}};
    if (agent_submit(a, &m)) {
        a->hb_seq = seq;
        a->dirty = true;
    }
}

/* A leaving agent asks to deregister again this often while the chain
 * still lists it (the registry refuses while a provider has open jobs). */
#define AGENT_LEAVE_RETRY_NS 5000000000LL

static bool listed(const proto_agent_record *me)
{
    return me != NULL &&
           (me->status == PROTO_AGENT_ACTIVE || me->status == PROTO_AGENT_SUSPENDED);
}

/* Leaving: deregister until the chain has it (register_sent_ns times the
 * last try). */
static void keep_leaving(proto_agent *a, const proto_agent_record *me)
{
    if (listed(me) && agent_now(a) - a->register_sent_ns >= AGENT_LEAVE_RETRY_NS) {
        a->register_sent_ns = agent_now(a);
        a->dirty = true;
        send_seq(a, PROTO_TXMSG_AGENT_DEREGISTER, me);
    }
}

/* Register when the chain does not know us, or knows us as RETIRED (we
 * left and came back: the registry takes a new registration only once
 * the old bond is paid back); again after a while, in case the
 * registration was lost. Heartbeat at once when suspended. */
static void keep_registered(proto_agent *a, const proto_state *s, const proto_agent_record *me)
{
    if (a->leaving) {
        keep_leaving(a, me);
        return;
    }
    if (me == NULL || me->status == PROTO_AGENT_RETIRED) {
        if (a->register_sent_ns == 0 ||
            agent_now(a) - a->register_sent_ns >= AGENT_REGISTER_RETRY_NS)
            send_register(a);
        if (me == NULL)
            return;
    }
    if (a->next_job_seq < me->next_job_seq)
        a->next_job_seq = me->next_job_seq;
    if (me->status == PROTO_AGENT_SUSPENDED &&
        agent_now(a) - a->register_sent_ns >= AGENT_REGISTER_RETRY_NS) {
        a->register_sent_ns = agent_now(a); /* one wake-up heartbeat per retry period */
        send_seq(a, PROTO_TXMSG_AGENT_HEARTBEAT, me);
    }
    (void)s;
}

static void tick(proto_agent *a)
{
    const proto_state *s = a->env.chain_state(a->env.ctx);
    if (s == NULL)
        return;
    const proto_agent_record *me = proto_registry_agent(s, a->cfg.account);
    keep_registered(a, s, me);
    /* Jobs may drop themselves: walk a copy of the ids. */
    guint n = a->jobs->len;
    uint64_t *ids = g_new(uint64_t, n > 0 ? n : 1);
    for (guint i = 0; i < n; i++)
        ids[i] = ((const agent_job *)g_ptr_array_index(a->jobs, i))->id;
    for (guint i = 0; i < n && a->cfg.role != PROTO_AGENT_JUROR; i++) {
        agent_job *j = agent_job_find(a, ids[i]);
        if (j == NULL)
            continue;
        if (a->cfg.role == PROTO_AGENT_CONSUMER)
            agent_consumer_tick(a, s, j);
        else
            agent_provider_tick(a, s, j);
    }
    g_free(ids);
    if (a->cfg.role == PROTO_AGENT_JUROR)
        agent_juror_tick(a, s);
}

static void heartbeat(proto_agent *a)
{
    const proto_state *s = a->env.chain_state(a->env.ctx);
    if (s == NULL || a->leaving)
        return;
    const proto_agent_record *me = proto_registry_agent(s, a->cfg.account);
    if (me != NULL && (me->status == PROTO_AGENT_ACTIVE || me->status == PROTO_AGENT_SUSPENDED))
        send_seq(a, PROTO_TXMSG_AGENT_HEARTBEAT, me);
}

/* ---- entry points ---- */

proto_agent *proto_agent_new(const proto_agent_env *env, const proto_agent_config *cfg)
{
    g_assert(cfg->heartbeat_ns > 0 && cfg->gas_limit > 0);
    g_assert(cfg->role == PROTO_AGENT_PROVIDER || cfg->role == PROTO_AGENT_CONSUMER ||
             cfg->role == PROTO_AGENT_JUROR);
    proto_agent *a = g_new0(proto_agent, 1);
    a->env = *env;
    a->cfg = *cfg;
    a->jobs = g_ptr_array_new_with_free_func(job_free);
    a->next_job_seq = 1;
    agent_msg_replay_init(&a->replay, AGENT_REPLAY_SENDERS);
    GBytes *blob = env->store_get != NULL ? env->store_get(env->ctx, AGENT_STORE_KEY) : NULL;
    bool recovered = blob != NULL;
    if (recovered) {
        store_load(a, blob);
        g_bytes_unref(blob);
    }
    /* Back from a crash it says it is alive soon (within a tenth of the
     * period): the registry counts silence from its last heartbeat. */
    int64_t hb_window_ns = recovered ? MAX(cfg->heartbeat_ns / 10, 1) : cfg->heartbeat_ns;
    /* Spread the agents' ticks over the period (the draw is the agent's). */
    int64_t phase_ns = (int64_t)(env->random_u64(env->ctx) % (uint64_t)AGENT_TICK_NS);
    a->tick_timer = env->set_timer(env->ctx, phase_ns + 1, PROTO_AGENT_TIMER_TICK, 0);
    int64_t hb_ns = (int64_t)(env->random_u64(env->ctx) % (uint64_t)hb_window_ns);
    a->heartbeat_timer = env->set_timer(env->ctx, hb_ns + 1, PROTO_AGENT_TIMER_HEARTBEAT, 0);
    return a;
}

void proto_agent_free(proto_agent *a)
{
    if (a == NULL)
        return;
    agent_store_flush(a);
    a->env.cancel_timer(a->env.ctx, a->tick_timer);
    a->env.cancel_timer(a->env.ctx, a->heartbeat_timer);
    g_ptr_array_unref(a->jobs);
    agent_msg_replay_clear(&a->replay);
    g_free(a);
}

void proto_agent_on_timer(proto_agent *a, uint64_t timer_id, uint32_t kind, uint64_t arg)
{
    switch (kind) {
    case PROTO_AGENT_TIMER_TICK:
        if (timer_id != a->tick_timer)
            return;
        tick(a);
        a->tick_timer = a->env.set_timer(a->env.ctx, AGENT_TICK_NS, PROTO_AGENT_TIMER_TICK, 0);
        break;
    case PROTO_AGENT_TIMER_HEARTBEAT:
        if (timer_id != a->heartbeat_timer)
            return;
        heartbeat(a);
        a->heartbeat_timer = a->env.set_timer(a->env.ctx, a->cfg.heartbeat_ns,
                                              PROTO_AGENT_TIMER_HEARTBEAT, 0);
        break;
    case PROTO_AGENT_TIMER_DELIVER: {
        agent_job *j = agent_job_find(a, arg);
        if (j != NULL && j->phase == AGENT_JOB_WORKING)
            agent_provider_deliver(a, j);
        break;
    }
    default:
        break;
    }
    agent_store_flush(a);
}

void proto_agent_work_done(proto_agent *a, uint64_t job)
{
    agent_job *j = agent_job_find(a, job);
    if (j != NULL && j->phase == AGENT_JOB_WORKING)
        agent_provider_done(a, j);
    else if (j != NULL && j->phase == AGENT_JOB_CHECKING)
        agent_juror_done(a, j);
    agent_store_flush(a);
}

uint64_t proto_agent_want_job(proto_agent *a, uint32_t capability, uint64_t work_ms)
{
    g_assert(a->cfg.role == PROTO_AGENT_CONSUMER && capability < 32 && work_ms > 0);
    const proto_state *s = a->env.chain_state(a->env.ctx);
    uint64_t id = 0;
    if (s != NULL && !a->leaving)
        id = agent_consumer_want(a, s, capability, work_ms);
    if (id == 0) {
        a->stats.jobs_unmatched++;
        agent_report(a, (proto_agent_event){.kind = PROTO_AGENT_EV_UNMATCHED,
                                            .peer = UINT32_MAX, .capability = capability,
                                            .work_ms = work_ms,
                                            .detail = s == NULL ? "host_down" : "no_provider"});
    }
    agent_store_flush(a);
    return id;
}

void proto_agent_reconfigure(proto_agent *a, const proto_agent_config *cfg)
{
    g_assert(cfg->account == a->cfg.account && cfg->role == a->cfg.role);
    a->cfg.behaviour = cfg->behaviour;
    if (cfg->price == a->cfg.price)
        return;
    a->cfg.price = cfg->price;
    proto_txmsg m = {.type = PROTO_TXMSG_AGENT_UPDATE};
    m.agent.capabilities = a->cfg.capabilities;
    m.agent.capacity = a->cfg.capacity;
    m.agent.price = a->cfg.price;
    agent_submit(a, &m); /* a lost update leaves the old price: the chain decides */
}

void proto_agent_leave(proto_agent *a)
{
    const proto_state *s = a->env.chain_state(a->env.ctx);
    const proto_agent_record *me = s != NULL ? proto_registry_agent(s, a->cfg.account) : NULL;
    if (!a->leaving) {
        a->leaving = true;
        if (listed(me)) { /* at once; the tick tries again while the chain lists it */
            a->register_sent_ns = agent_now(a);
            send_seq(a, PROTO_TXMSG_AGENT_DEREGISTER, me);
        }
    }
    a->dirty = true;
    agent_store_flush(a);
}

void proto_agent_rejoin(proto_agent *a)
{
    if (a->leaving) {
        a->leaving = false;
        a->register_sent_ns = 0; /* register as soon as the record is RETIRED */
        a->dirty = true;
    }
    agent_store_flush(a);
}

const proto_agent_stats *proto_agent_stats_of(const proto_agent *a)
{
    return &a->stats;
}

uint64_t proto_agent_payment_for(uint64_t price, uint64_t work_ms)
{
    unsigned __int128 p = ((unsigned __int128)price * work_ms + 999) / 1000;
    return p > UINT64_MAX ? 0 : (uint64_t)p;
}

void proto_agent_answer(const uint8_t *input, size_t size, proto_hash *out)
{
    static const char tag[] = "aitbc/answer";
    uint8_t buf[sizeof tag - 1 + AGENT_INPUT_SIZE];
    g_assert(size <= AGENT_INPUT_SIZE);
    memcpy(buf, tag, sizeof tag - 1);
    memcpy(buf + sizeof tag - 1, input, size);
    proto_hash_bytes(out, buf, sizeof tag - 1 + size);
}
