/* The agents in the simulated world (agents.h): their environment, the
 * compute model, their life across host crashes and moves, and the
 * jobs consumers want.
 *
 * Accounts and keys. Agent k is chain account "agent/<k>" (the chain's
 * genesis funds it, sim/world/chain_agents.c) and workload client
 * first_client + k: its transactions are signed, priced, submitted to
 * its host and retried by the workload's wallet service, like any
 * client's. Its X25519 key derives from the same label.
 *
 * Messages. A sealed message travels as a PROTO_MSG_AGENT frame,
 * [type][to account u32][sealed bytes], from the sender's host to the
 * recipient's host through the simulated network (latency, loss,
 * partitions), where the world hands it to the recipient if it still
 * runs there; the nodes never see it.
 *
 * Compute. A provider of speed s does work w (reference ms) in w / s;
 * it runs at most `capacity` jobs at once and queues the rest in order.
 * Its operating cost is cost_per_s x w / 1000 for every job it starts.
 * A crash of its host loses the work in progress (the chain's deadline
 * settles those jobs).
 *
 * Hosts. A crash stops the host's agents; they start again from their
 * stores when it restarts. A host churn takes away may never come back:
 * its agents move to the next live host of [agents] hosts (status
 * "moved"); when none is up they stay stopped ("parked") and move as soon
 * as a host of the list comes up, or, if agent churn had taken them out
 * of the market meanwhile, when they come back. An agent runs on one host
 * at a time: it is stopped before it moves.
 *
 * Jobs. Postings arrive as a Poisson process at [jobs] rate (stream
 * "jobs"); each goes to a consumer drawn uniformly, needs a capability
 * drawn by the mix's weights and work drawn from [jobs] work. A consumer
 * whose host is down cannot post: the job is unmatched.
 *
 * Observing. Agents report what they did (posted, unmatched, delivered
 * with the truth of the answer); the chain reports what it settled
 * (PROTO_EV_JOB_STATUS, PROTO_EV_AGENT_STATUS), once per height from the
 * first node that commits it. Both feed sim/check/market_obs.h. */
#include "sim/world/agents.h"

#include <stdio.h>
#include <string.h>

#include "protocol/core/codec.h"
#include "protocol/core/msgtype.h"
#include "protocol/modules/disputes/disputes.h"
#include "protocol/modules/jobs/jobs.h"
#include "protocol/modules/registry/registry.h"
#include "sim/check/market_obs.h"
#include "sim/world/world_internal.h"

#define AGENT_FRAME_HEADER (1 + 4)

static sim_agents *agents_of(sim_world *w)
{
    return &w->agents;
}

bool sim_agents_present(const sim_world *w)
{
    return w->agents.count > 0;
}

sim_agent_slot *sim_agents_slot_of(sim_world *w, uint32_t account)
{
    sim_agents *ag = agents_of(w);
    if (account < ag->first_account || account - ag->first_account >= ag->count)
        return NULL;
    return &ag->slots[account - ag->first_account];
}

/* ---- the environment an agent sees ---- */

static int64_t env_now(void *ctx)
{
    sim_agent_slot *sl = ctx;
    return sim_sched_now(sl->world->sched);
}

static uint64_t env_random(void *ctx)
{
    sim_agent_slot *sl = ctx;
    return sim_rng_u64(&sl->rng);
}

static void timer_fire(void *ctx, uint64_t a, uint64_t b)
{
    sim_agent_slot *sl = ctx;
    if (sl->agent == NULL || (uint32_t)(a >> 32) != sl->incarnation)
        return;
    proto_agent_on_timer(sl->agent, sim_sched_current(sl->world->sched), (uint32_t)a, b);
}

static uint64_t env_set_timer(void *ctx, int64_t delay_ns, uint32_t kind, uint64_t arg)
{
    sim_agent_slot *sl = ctx;
    g_assert(delay_ns >= 0);
    uint64_t a = ((uint64_t)sl->incarnation << 32) | kind;
    return sim_sched_after(sl->world->sched, delay_ns, timer_fire, sl, a, arg);
}

static void env_cancel_timer(void *ctx, uint64_t id)
{
    sim_agent_slot *sl = ctx;
    sim_sched_cancel(sl->world->sched, id);
}

static const proto_state *env_state(void *ctx)
{
    sim_agent_slot *sl = ctx;
    const sim_node_slot *host = &sl->world->nodes[sl->host];
    if (!host->up || host->consensus == NULL)
        return NULL;
    return pbft_node_state(host->consensus);
}

static bool env_submit(void *ctx, const proto_txmsg *msg, uint64_t gas_limit)
{
    sim_agent_slot *sl = ctx;
    sim_world *w = sl->world;
    (void)gas_limit;
    return sim_workload_send_via(w, agents_of(w)->first_client + sl->index, msg,
                                 sim_agents_msg_gas(w, msg), sl->host);
}

static void env_send(void *ctx, uint32_t to, GBytes *wire)
{
    sim_agent_slot *sl = ctx;
    sim_world *w = sl->world;
    sim_agents *ag = agents_of(w);
    const sim_agent_slot *dst = sim_agents_slot_of(w, to);
    ag->msgs_sent++;
    if (dst == NULL || dst->gone) {
        ag->msgs_dropped++;
        return;
    }
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(wire, &size);
    uint8_t *frame = g_malloc(AGENT_FRAME_HEADER + size);
    frame[0] = PROTO_MSG_AGENT;
    proto_le_put_u32(frame + 1, to);
    memcpy(frame + AGENT_FRAME_HEADER, data, size);
    GBytes *bytes = g_bytes_new_take(frame, AGENT_FRAME_HEADER + size);
    sim_world_net_send(w, sl->host, dst->host, bytes);
    g_bytes_unref(bytes);
}

static void compute_start(sim_agent_slot *sl, uint64_t job, uint64_t work_ms);

static void compute_done(void *ctx, uint64_t job, uint64_t incarnation)
{
    sim_agent_slot *sl = ctx;
    if ((uint32_t)incarnation != sl->incarnation)
        return; /* the host crashed meanwhile: the work is lost */
    g_assert(sl->busy > 0);
    sl->busy--;
    if (sl->agent != NULL)
        proto_agent_work_done(sl->agent, job);
    if (!g_queue_is_empty(&sl->waiting)) {
        uint64_t *next = g_queue_pop_head(&sl->waiting);
        compute_start(sl, next[0], next[1]);
        g_free(next);
    }
}

static void compute_start(sim_agent_slot *sl, uint64_t job, uint64_t work_ms)
{
    sl->busy++;
    sl->operating_cost += sl->cost_per_s * (double)work_ms / 1000.0;
    int64_t ns = (int64_t)((double)work_ms * 1e6 / sl->speed) + 1;
    sim_sched_after(sl->world->sched, ns, compute_done, sl, job, sl->incarnation);
}

static void env_compute(void *ctx, uint64_t job, uint64_t work_ms)
{
    sim_agent_slot *sl = ctx;
    if (sl->busy < sl->cfg.capacity) {
        compute_start(sl, job, work_ms);
        return;
    }
    uint64_t *pair = g_new(uint64_t, 2);
    pair[0] = job;
    pair[1] = work_ms;
    g_queue_push_tail(&sl->waiting, pair);
}

static void env_store_put(void *ctx, const char *key, GBytes *value)
{
    sim_agent_slot *sl = ctx;
    sim_store_put(sl->store, key, value);
}

static GBytes *env_store_get(void *ctx, const char *key)
{
    sim_agent_slot *sl = ctx;
    return sim_store_get(sl->store, key);
}

static void env_observe(void *ctx, const proto_agent_event *ev)
{
    sim_agent_slot *sl = ctx;
    sim_world *w = sl->world;
    sim_agents *ag = agents_of(w);
    int64_t now = sim_sched_now(w->sched);
    switch (ev->kind) {
    case PROTO_AGENT_EV_POSTED:
        sim_market_obs_job_posted(ag->obs, ev->job, sl->index, ev->capability, now,
                                  (double)ev->work_ms / 1000.0);
        break;
    case PROTO_AGENT_EV_UNMATCHED: {
        uint64_t id = ev->job != 0 ? ev->job : (1ull << 63) | ++ag->unmatched_ids;
        if (ev->job == 0)
            sim_market_obs_job_posted(ag->obs, id, sl->index, ev->capability, now,
                                      (double)ev->work_ms / 1000.0);
        sim_market_obs_job_settled(ag->obs, id, now, SIM_JOB_UNMATCHED, 0);
        break;
    }
    case PROTO_AGENT_EV_DELIVERED:
        g_hash_table_insert(ag->job_truth, g_memdup2(&ev->job, sizeof ev->job),
                            GUINT_TO_POINTER(1u + ev->correct));
        break;
    default:
        break;
    }
}

static proto_agent_env env_of(sim_agent_slot *sl)
{
    return (proto_agent_env){.ctx = sl, .now_ns = env_now, .random_u64 = env_random,
                             .set_timer = env_set_timer, .cancel_timer = env_cancel_timer,
                             .chain_state = env_state, .submit = env_submit, .send = env_send,
                             .compute = env_compute, .store_put = env_store_put,
                             .store_get = env_store_get, .observe = env_observe};
}

/* ---- life across hosts ---- */

static void agent_start(sim_agent_slot *sl)
{
    g_assert(sl->agent == NULL);
    if (sl->gone || !sl->world->nodes[sl->host].up)
        return;
    proto_agent_env env = env_of(sl);
    sl->agent = proto_agent_new(&env, &sl->cfg);
    if (sl->rejoin_pending) { /* back after agent churn: register again */
        proto_agent_rejoin(sl->agent);
        sl->rejoin_pending = false;
    }
}

static void agent_stop(sim_agent_slot *sl)
{
    if (sl->agent == NULL)
        return;
    proto_agent_free(sl->agent); /* its store keeps what it must not lose */
    sl->agent = NULL;
    sl->incarnation++;
    sl->busy = 0;
    while (!g_queue_is_empty(&sl->waiting))
        g_free(g_queue_pop_head(&sl->waiting));
}

const char *sim_agent_slot_role(const sim_agent_slot *sl)
{
    if (sl->index >= agents_of(sl->world)->base_count)
        return "sybil";
    switch (sl->cfg.role) {
    case PROTO_AGENT_PROVIDER:
        return "provider";
    case PROTO_AGENT_CONSUMER:
        return "consumer";
    case PROTO_AGENT_JUROR:
        return sl->cfg.juror_roles & PROTO_JUROR_VERIFIER ? "verifier" : "arbiter";
    }
    g_assert_not_reached();
}

void sim_agent_slot_stop(sim_agent_slot *sl)
{
    agent_stop(sl);
}

void sim_agents_host_down(sim_world *w, uint32_t node)
{
    sim_agents *ag = agents_of(w);
    for (uint32_t k = 0; k < ag->count; k++)
        if (ag->slots[k].host == node)
            agent_stop(&ag->slots[k]);
}

/* The next live host of the scenario's list after `from`, or UINT32_MAX.
 * A host in a graceful leave is about to go: not one to move to. */
static uint32_t next_host(sim_world *w, uint32_t from)
{
    const GArray *hosts = w->agents.ao->hosts;
    guint start = 0;
    for (guint i = 0; i < hosts->len; i++)
        if (g_array_index(hosts, uint32_t, i) == from)
            start = i + 1;
    for (guint k = 0; k < hosts->len; k++) {
        uint32_t h = g_array_index(hosts, uint32_t, (start + k) % hosts->len);
        if (w->nodes[h].up && !w->nodes[h].leaving)
            return h;
    }
    return UINT32_MAX;
}

/* Its host left the network (churn took it down): it may never come
 * back, so the agent runs elsewhere. A host that merely crashed restarts,
 * and its agents wait for it. */
static bool host_departed(const sim_world *w, const sim_agent_slot *sl)
{
    const sim_node_slot *host = &w->nodes[sl->host];
    return !host->up && host->churned_out;
}

/* Move a stopped agent whose host departed to the next live host of the
 * list, record the move and start it there. With no live host it stays
 * stopped where it was ("parked"): the next host of the list that comes
 * up takes it (sim_agents_host_up). */
static void agent_move(sim_agent_slot *sl)
{
    sim_world *w = sl->world;
    sim_agents *ag = agents_of(w);
    g_assert(sl->agent == NULL); /* one host at a time: stopped before it moves */
    uint32_t h = next_host(w, sl->host);
    if (h == UINT32_MAX)
        return;
    sl->host = h;
    uint32_t k = sl->index;
    sim_market_obs_agent(ag->obs, k, sim_agent_slot_role(sl), h, sl->capability, sl->owner,
                         sl->behaviour);
    sim_market_obs_agent_status(ag->obs, k, sim_sched_now(w->sched), "moved");
    agent_start(sl);
}

void sim_agent_slot_start(sim_agent_slot *sl)
{
    if (sl->agent != NULL)
        return;
    if (!sl->gone && host_departed(sl->world, sl))
        agent_move(sl); /* back from agent churn after its host left */
    else
        agent_start(sl);
}

/* Node `node` runs again (restart or churn join): its own agents start,
 * and agents parked on a departed host move, in slot order, to the first
 * live host of the list after the departed one (this node, when it is the
 * only live one). */
void sim_agents_host_up(sim_world *w, uint32_t node)
{
    sim_agents *ag = agents_of(w);
    for (uint32_t k = 0; k < ag->count; k++) {
        sim_agent_slot *sl = &ag->slots[k];
        if (sl->agent != NULL)
            continue;
        if (sl->host == node)
            agent_start(sl);
        else if (!sl->gone && host_departed(w, sl))
            agent_move(sl);
    }
}

void sim_agents_host_gone(sim_world *w, uint32_t node)
{
    sim_agents *ag = agents_of(w);
    for (uint32_t k = 0; k < ag->count; k++) {
        sim_agent_slot *sl = &ag->slots[k];
        if (sl->host != node || sl->gone)
            continue;
        agent_stop(sl);
        agent_move(sl); /* or parked until a host of the list is up */
    }
}

void sim_agents_deliver(sim_world *w, uint32_t to, GBytes *wire)
{
    sim_agents *ag = agents_of(w);
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(wire, &size);
    if (size < AGENT_FRAME_HEADER)
        return; /* our own frames: never shorter */
    sim_agent_slot *sl = sim_agents_slot_of(w, proto_le_get_u32(data + 1));
    if (sl == NULL || sl->host != to || sl->agent == NULL) {
        ag->msgs_dropped++;
        return;
    }
    GBytes *sealed = g_bytes_new_from_bytes(wire, AGENT_FRAME_HEADER, size - AGENT_FRAME_HEADER);
    proto_agent_on_message(sl->agent, sealed);
    g_bytes_unref(sealed);
}
