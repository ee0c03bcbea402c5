/* Agent churn: agents leaving the market and coming back at Poisson rates
 * (`[fault NAME] action = churn` whose `nodes` name agents, agents.h).
 *
 * From the fault's `at` to its `until` (default: the end of the run) two
 * independent Poisson processes run, leaves at `leave_rate` and joins at
 * `join_rate`, drawn from the fault's own stream "agent-churn/<fault
 * index>", so churn never moves another draw. Draw order inside an event
 * is fixed (candidate, then the next gap); candidates are collected in
 * agent order from the fault's sorted set.
 *
 * A leave picks a uniformly random agent of the set that is in the market
 * (running, not leaving) and has it leave (proto_agent_leave): it
 * deregisters, declines new work and finishes what it has; its host keeps
 * running. Every AGENT_CHURN_CHECK_NS the world looks at the chain: once
 * the registry no longer lists it and no live job names it (or
 * AGENT_CHURN_WAIT_MAX_NS has passed:
 * a provider whose open jobs never end is stopped anyway, the chain's
 * deadlines settle them) the agent is stopped and marked gone, and the
 * record says "left". Consumers that left or are leaving want no jobs
 * (agents_market.c draws among the others).
 *
 * A join picks a uniformly random agent of the set that churn took out
 * and starts it again from its store (proto_agent_rejoin): it registers
 * anew once the registry has paid its old bond back (RETIRED, after
 * unbond_delay), and is listed from then on.
 *
 * Jurors ([disputes]) do not churn: the disputes module's pool is set at
 * genesis and a juror cannot leave it, so churn passes over the jurors a
 * fault's set names (`nodes = agents` churns the others only). */
#include "sim/world/agents.h"

#include "protocol/modules/jobs/jobs.h"
#include "protocol/modules/registry/registry.h"
#include "sim/check/market_obs.h"
#include "sim/world/churn.h"
#include "sim/world/world_internal.h"

/* How often the world looks whether a leaving agent is off the registry. */
#define AGENT_CHURN_CHECK_NS (2LL * 1000 * 1000 * 1000)
/* The longest a leaving agent runs on before it is stopped regardless. */
#define AGENT_CHURN_WAIT_MAX_NS (120LL * 1000 * 1000 * 1000)

struct sim_agent_churn {
    sim_world *w;
    const sim_fault *fault;
    sim_rng rng;
    int64_t end_ns;       /* no event at or after this time */
    GArray *candidates;   /* uint32 agent indexes, scratch */
};

enum { AGENT_CHURN_LEAVE = 0, AGENT_CHURN_JOIN = 1 };

static void agent_churn_event(void *ctx, uint64_t which, uint64_t unused);

static void agent_churn_next(sim_agent_churn *c, uint64_t which)
{
    double rate = which == AGENT_CHURN_JOIN ? c->fault->join_rate_per_s
                                            : c->fault->leave_rate_per_s;
    int64_t now = sim_sched_now(c->w->sched);
    int64_t gap = sim_churn_gap_ns(&c->rng, rate);
    if (gap >= c->end_ns - now)
        return;
    sim_sched_at(c->w->sched, now + gap, agent_churn_event, c, which, 0);
}

/* A uniformly random agent of the set that can leave (running, in the
 * market) or join (churn took it out); UINT32_MAX when there is none. */
static uint32_t agent_churn_pick(sim_agent_churn *c, bool joining)
{
    sim_agents *ag = &c->w->agents;
    g_array_set_size(c->candidates, 0);
    for (guint i = 0; i < c->fault->agents->len; i++) {
        uint32_t k = g_array_index(c->fault->agents, uint32_t, i);
        g_assert(k < ag->count); /* the parser checked the set */
        const sim_agent_slot *sl = &ag->slots[k];
        if (sl->cfg.role == PROTO_AGENT_JUROR)
            continue;
        bool ok = joining ? sl->churned_out
                          : !sl->gone && !sl->leaving && sl->agent != NULL;
        if (ok)
            g_array_append_val(c->candidates, k);
    }
    if (c->candidates->len == 0)
        return UINT32_MAX;
    return g_array_index(c->candidates, uint32_t, sim_rng_below(&c->rng, c->candidates->len));
}

/* Still in the market as its host sees it: listed by the registry, or
 * party to a live job (a consumer waits for its results too). A host
 * that cannot answer: assume so and look again later. */
static bool agent_still_in(sim_world *w, const sim_agent_slot *sl)
{
    const sim_node_slot *host = &w->nodes[sl->host];
    if (!host->up || host->consensus == NULL)
        return true;
    const proto_state *s = pbft_node_state(host->consensus);
    const proto_agent_record *r = proto_registry_agent(s, sl->account);
    if (r != NULL && (r->status == PROTO_AGENT_ACTIVE || r->status == PROTO_AGENT_SUSPENDED))
        return true;
    for (uint32_t i = 0; i < proto_jobs_count(s); i++) {
        const proto_job *j = proto_jobs_at(s, i);
        if (j->consumer == sl->account || j->provider == sl->account)
            return true;
    }
    return false;
}

/* a = agent index, b = when it started leaving. */
static void agent_churn_check(void *ctx, uint64_t k, uint64_t since_ns)
{
    sim_world *w = ctx;
    sim_agent_slot *sl = &w->agents.slots[k];
    if (!sl->leaving)
        return;
    int64_t now = sim_sched_now(w->sched);
    if (agent_still_in(w, sl) && now - (int64_t)since_ns < AGENT_CHURN_WAIT_MAX_NS) {
        sim_sched_after(w->sched, AGENT_CHURN_CHECK_NS, agent_churn_check, w, k, since_ns);
        return;
    }
    sim_agent_slot_stop(sl);
    sl->leaving = false;
    sl->gone = true;
    sl->churned_out = true;
    sim_market_obs_agent_status(w->agents.obs, (uint32_t)k, now, "left");
}

static void agent_churn_leave(sim_agent_churn *c)
{
    sim_world *w = c->w;
    uint32_t k = agent_churn_pick(c, false);
    if (k == UINT32_MAX)
        return;
    sim_agent_slot *sl = &w->agents.slots[k];
    sl->leaving = true;
    proto_agent_leave(sl->agent);
    int64_t now = sim_sched_now(w->sched);
    sim_sched_after(w->sched, AGENT_CHURN_CHECK_NS, agent_churn_check, w, k, (uint64_t)now);
}

static void agent_churn_join(sim_agent_churn *c)
{
    uint32_t k = agent_churn_pick(c, true);
    if (k == UINT32_MAX)
        return;
    sim_agent_slot *sl = &c->w->agents.slots[k];
    sl->churned_out = false;
    sl->gone = false;
    sl->rejoin_pending = true;
    sim_agent_slot_start(sl); /* or when its host is up again */
}

static void agent_churn_event(void *ctx, uint64_t which, uint64_t unused)
{
    (void)unused;
    sim_agent_churn *c = ctx;
    if (which == AGENT_CHURN_JOIN)
        agent_churn_join(c);
    else
        agent_churn_leave(c);
    agent_churn_next(c, which);
}

void sim_agents_churn_start(sim_world *w, uint64_t fault_index)
{
    sim_agents *ag = &w->agents;
    const sim_fault *f = w->opt.faults->pdata[fault_index];
    g_assert(f->action == SIM_FAULT_CHURN && f->agents->len > 0);
    if (ag->count == 0)
        return;
    sim_agent_churn *c = g_new0(sim_agent_churn, 1);
    c->w = w;
    c->fault = f;
    char *stream = g_strdup_printf("agent-churn/%" G_GUINT64_FORMAT, fault_index);
    sim_rng_init(&c->rng, w->opt.seed, stream);
    g_free(stream);
    c->end_ns = f->until_ns >= 0 ? f->until_ns : w->opt.duration_ns;
    c->candidates = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    if (ag->churns == NULL)
        ag->churns = g_ptr_array_new_with_free_func(sim_agent_churn_free);
    g_ptr_array_add(ag->churns, c);
    agent_churn_next(c, AGENT_CHURN_LEAVE);
    agent_churn_next(c, AGENT_CHURN_JOIN);
}

void sim_agent_churn_free(void *p)
{
    sim_agent_churn *c = p;
    if (c == NULL)
        return;
    g_array_unref(c->candidates);
    g_free(c);
}
