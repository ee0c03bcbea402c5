/* Setting the agents up (agents.h): who each is (provider, consumer or
 * juror, its capability, price, speed, cost and host), the identities a
 * `sybil N` fault adds, and the behaviours byzantine faults give them.
 *
 * Jurors ([disputes]) come after the consumers, verifiers first: each
 * registers like a consumer (no capability, no capacity listed) and
 * re-runs disputed jobs on the same compute model as a provider, so it
 * has a capacity ([agents] capacity), a speed and an operating cost.
 *
 * Draws. Each agent's terms come from its own stream "agent/<k>" (price,
 * then speed, then cost; a juror's speed, then cost), so adding agents
 * or faults never changes another agent's draws. Prices are whole base
 * units per reference second, at least 1.
 *
 * Sybils. `sybil N` on agent aK gives its owner N more provider
 * identities, agent indexes after the scenario's agents in fault order:
 * each its own account, key and bond (funded at genesis by the chain,
 * sim/world/chain_agents.c), aK's capability, host and behaviour, asking
 * 20% less than aK to win work, started when the fault starts. */
#include "sim/world/agents.h"

#include <stdio.h>
#include <string.h>

#include "protocol/chain/tx_exec.h"
#include "protocol/modules/disputes/disputes.h"
#include "protocol/modules/jobs/jobs.h"
#include "protocol/modules/multisig/multisig.h"
#include "protocol/modules/registry/registry.h"
#include "sim/check/market_obs.h"
#include "sim/world/world_internal.h"

/* A sybil identity undercuts its owner by this share. */
#define SYBIL_DISCOUNT 0.8
/* Gas a market transaction gets over its exact cost (10%). */
#define AGENT_GAS_MARGIN_DIV 10

static double sample_num(const sim_num_dist *d, sim_rng *r)
{
    switch (d->kind) {
    case SIM_DIST_CONSTANT:
        return d->a;
    case SIM_DIST_UNIFORM:
        return d->a + (d->b - d->a) * sim_rng_unit(r);
    case SIM_DIST_NORMAL:
        return MAX(0.0, sim_rng_normal(r, d->a, d->b));
    case SIM_DIST_LOGNORMAL:
        return d->a * sim_det_exp(d->sigma * sim_rng_normal(r, 0.0, 1.0));
    case SIM_DIST_EXPONENTIAL:
        return sim_rng_exponential(r, d->a);
    }
    g_assert_not_reached();
}

uint32_t sim_agents_identities(const sim_agents_options *o, const sim_disputes_options *d,
                               const GPtrArray *faults)
{
    if (!o->declared)
        return 0;
    uint32_t n = o->providers + o->consumers + (d != NULL ? d->verifiers + d->arbiters : 0);
    for (guint i = 0; i < faults->len; i++) {
        const sim_fault *f = g_ptr_array_index(faults, i);
        if (f->action == SIM_FAULT_BYZANTINE && f->behavior != NULL &&
            g_str_equal(f->behavior, "sybil"))
            n += f->behavior_count * f->agents->len;
    }
    return n;
}

static uint32_t capability_of(const sim_agents_options *o, uint32_t k)
{
    for (guint c = 0; c < o->capabilities->len; c++) {
        const sim_capability *cap = &g_array_index(o->capabilities, sim_capability, c);
        if (k >= cap->first && k < cap->first + cap->providers)
            return c;
    }
    g_assert_not_reached();
}

static void slot_init(sim_world *w, sim_agent_slot *sl, uint32_t k, uint32_t owner)
{
    sim_agents *ag = &w->agents;
    const sim_agents_options *o = ag->ao;
    char label[32];
    snprintf(label, sizeof label, "agent/%u", k);
    sl->world = w;
    sl->index = k;
    sl->owner = owner;
    sl->account = ag->first_account + k;
    sl->store = sim_store_new();
    sim_rng_init(&sl->rng, w->opt.seed, label);
    g_queue_init(&sl->waiting);
    sl->behaviour = "honest";
    proto_agent_config *c = &sl->cfg;
    c->account = sl->account;
    c->identity = w->chain.agent_keys[k];
    agent_msg_keypair_derive(&c->msg_key, w->opt.seed, label);
    c->crypto = w->chain.crypto;
    c->chain_id = w->chain.rules.chain_id; /* vote and multisig hashes name it */
    c->bond = o->bond;
    c->heartbeat_ns = o->heartbeat_ns;
    c->gas_limit = 1; /* the world prices each message itself (sim_agents_msg_gas) */
    c->challenge_window_ns = ag->jo->challenge_window_ns;
    bool juror = k >= ag->first_juror && k < ag->first_juror + ag->jurors;
    bool provider = !juror && (k < o->providers || k >= o->providers + o->consumers);
    if (juror) {
        sl->capability = UINT32_MAX;
        c->role = PROTO_AGENT_JUROR;
        c->juror_roles = k - ag->first_juror < ag->verifiers ? PROTO_JUROR_VERIFIER
                                                              : PROTO_JUROR_ARBITER;
        c->capacity = o->capacity;
        sl->speed = MAX(1e-3, sample_num(&o->speed, &sl->rng));
        sl->cost_per_s = MAX(0.0, sample_num(&o->cost, &sl->rng));
    } else if (provider) {
        uint32_t base = k < o->providers ? k : owner;
        sl->capability = capability_of(o, base);
        c->role = PROTO_AGENT_PROVIDER;
        c->capabilities = 1u << sl->capability;
        c->capacity = o->capacity;
        c->price = (uint64_t)MAX(1.0, sample_num(&o->price, &sl->rng) + 0.5);
        sl->speed = MAX(1e-3, sample_num(&o->speed, &sl->rng));
        sl->cost_per_s = MAX(0.0, sample_num(&o->cost, &sl->rng));
    } else {
        sl->capability = UINT32_MAX;
        c->role = PROTO_AGENT_CONSUMER;
        c->max_price = ag->jo->max_price;
        c->deadline_ms = (uint32_t)(ag->jo->deadline_ns / 1000000);
        c->notice_ppm = (uint32_t)(o->notice * 1e6 + 0.5);
        c->verify_ppm = (uint32_t)(ag->jo->verify * 1e6 + 0.5);
        sl->speed = 1;
    }
    sl->host = g_array_index(o->hosts, uint32_t, k % o->hosts->len);
}

/* The sybil identities of every `sybil N` fault: agent indexes from
 * base_count on, in fault order; they start with the fault. */
static void sybil_start(void *ctx, uint64_t k, uint64_t unused);

static void sybils_init(sim_world *w)
{
    sim_agents *ag = &w->agents;
    uint32_t next = ag->base_count;
    for (guint i = 0; i < w->opt.faults->len; i++) {
        const sim_fault *f = g_ptr_array_index(w->opt.faults, i);
        if (f->action != SIM_FAULT_BYZANTINE || f->behavior == NULL ||
            !g_str_equal(f->behavior, "sybil"))
            continue;
        for (guint a = 0; a < f->agents->len; a++) {
            uint32_t owner = g_array_index(f->agents, uint32_t, a);
            const sim_agent_slot *os = &ag->slots[owner];
            for (uint32_t n = 0; n < f->behavior_count; n++) {
                sim_agent_slot *sl = &ag->slots[next];
                slot_init(w, sl, next, owner);
                sl->host = os->host;
                sl->cfg.price = MAX(1, (uint64_t)((double)os->cfg.price * SYBIL_DISCOUNT));
                sl->behaviour = "sybil";
                sl->gone = true; /* until the fault starts */
                sim_sched_at(w->sched, MAX(f->at_ns, 1), sybil_start, w, next, 0);
                next++;
            }
        }
    }
    g_assert(next == ag->count);
}

static void sybil_start(void *ctx, uint64_t k, uint64_t unused)
{
    (void)unused;
    sim_world *w = ctx;
    sim_agent_slot *sl = &w->agents.slots[k];
    sl->gone = false;
    /* The owner's behaviour at this moment (a fault at the same time may
     * have set it already). */
    sl->cfg.behaviour = w->agents.slots[sl->owner].cfg.behaviour;
    sim_agent_slot_start(sl); /* moves first if the owner's host left */
}

static void agents_start(void *ctx, uint64_t a, uint64_t b)
{
    (void)a, (void)b;
    sim_world *w = ctx;
    for (uint32_t k = 0; k < w->agents.base_count; k++)
        if (w->agents.slots[k].agent == NULL && w->nodes[w->agents.slots[k].host].up)
            sim_agents_host_up(w, w->agents.slots[k].host);
}

void sim_agents_init(sim_world *w, const sim_agents_options *o, const sim_jobs_options *jo,
                     const sim_disputes_options *d)
{
    sim_agents *ag = &w->agents;
    *ag = (sim_agents){.ao = o, .jo = jo};
    if (!o->declared)
        return;
    ag->providers = o->providers;
    ag->consumers = o->consumers;
    ag->first_juror = o->providers + o->consumers;
    ag->verifiers = d != NULL ? d->verifiers : 0;
    ag->jurors = d != NULL ? d->verifiers + d->arbiters : 0;
    ag->base_count = ag->first_juror + ag->jurors;
    ag->count = w->chain.agents_count;
    g_assert(ag->count == sim_agents_identities(o, d, w->opt.faults));
    g_assert(ag->jurors == w->chain.jurors_count && ag->first_juror == w->chain.first_juror);
    ag->first_account = w->chain.first_agent_account;
    ag->first_client = w->workload.first_agent_client;
    ag->slots = g_new0(sim_agent_slot, ag->count);
    ag->job_truth = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    sim_rng_init(&ag->jobs_rng, w->opt.seed, "jobs");
    const char **names = g_new0(const char *, o->capabilities->len + 1);
    for (guint c = 0; c < o->capabilities->len; c++)
        names[c] = g_array_index(o->capabilities, sim_capability, c).name;
    ag->obs = sim_market_obs_new(ag->count, names, o->capabilities->len, o->token_usd);
    g_free(names);
    sim_world_observer_add(w, &sim_market_observer_ops, ag->obs); /* the world owns it */
    for (uint32_t k = 0; k < ag->base_count; k++)
        slot_init(w, &ag->slots[k], k, k);
    sybils_init(w);
    /* The record names each agent's behaviour from the start (it acts
     * from its fault's start on: sim_agents_misbehave). */
    for (guint i = 0; i < w->opt.faults->len; i++) {
        const sim_fault *f = g_ptr_array_index(w->opt.faults, i);
        if (f->action != SIM_FAULT_BYZANTINE || f->behavior == NULL ||
            g_str_equal(f->behavior, "sybil"))
            continue;
        for (guint a = 0; a < f->agents->len; a++)
            ag->slots[g_array_index(f->agents, uint32_t, a)].behaviour = f->behavior;
    }
    for (uint32_t k = 0; k < ag->count; k++) {
        sim_agent_slot *sl = &ag->slots[k];
        sim_market_obs_agent(ag->obs, k, sim_agent_slot_role(sl), sl->host, sl->capability,
                             sl->owner, sl->behaviour);
    }
    /* Agents start once their hosts run (the nodes start at time 0). */
    sim_sched_at(w->sched, 1, agents_start, w, 0, 0);
    sim_agents_jobs_init(w);
}

void sim_agents_clear(sim_world *w)
{
    sim_agents *ag = &w->agents;
    for (uint32_t k = 0; k < ag->count; k++) {
        sim_agent_slot *sl = &ag->slots[k];
        if (sl->agent != NULL)
            proto_agent_free(sl->agent);
        while (!g_queue_is_empty(&sl->waiting))
            g_free(g_queue_pop_head(&sl->waiting));
        sim_store_free(sl->store);
    }
    g_free(ag->slots);
    if (ag->churns != NULL)
        g_ptr_array_unref(ag->churns);
    if (ag->job_truth != NULL)
        g_hash_table_unref(ag->job_truth);
    *ag = (sim_agents){0};
}

/* Behaviour `behavior` (the fault's) into an agent's configuration;
 * false when it is not an agent's behaviour this function applies. */
static bool misbehave_one(sim_agents *ag, sim_agent_slot *sl, const sim_fault *f)
{
    proto_agent_behaviour *b = &sl->cfg.behaviour;
    const char *behavior = f->behavior;
    if (g_str_equal(behavior, "no-show")) {
        b->no_show = true;
    } else if (g_str_equal(behavior, "wrong-result")) {
        b->wrong_result = true;
    } else if (g_str_equal(behavior, "slow")) {
        b->slow_ns = f->behavior_delay_ns;
    } else if (g_str_equal(behavior, "overcharge")) {
        sl->cfg.price = (uint64_t)((double)sl->cfg.price * f->behavior_factor + 0.5);
    } else if (g_str_equal(behavior, "false-dispute")) {
        b->false_dispute = true;
    } else if (g_str_equal(behavior, "lazy")) {
        b->lazy = true;
    } else if (g_str_equal(behavior, "collude")) {
        /* Agent indexes are sorted and distinct, and so are their
         * accounts (agent k is account first_account + k). */
        g_assert(f->collude->len >= 1 && f->collude->len <= PROTO_AGENT_COLLUDE_MAX);
        b->collude_count = f->collude->len;
        for (guint i = 0; i < f->collude->len; i++)
            b->collude[i] = ag->first_account + g_array_index(f->collude, uint32_t, i);
    } else {
        return false; /* sybil (sybils_init), or a node's */
    }
    return true;
}

void sim_agents_misbehave(sim_world *w, const sim_fault *f)
{
    sim_agents *ag = &w->agents;
    for (guint i = 0; i < f->agents->len; i++) {
        sim_agent_slot *sl = &ag->slots[g_array_index(f->agents, uint32_t, i)];
        if (!misbehave_one(ag, sl, f))
            continue;
        sl->behaviour = f->behavior;
        /* The tables' behaviour column is the truth from now on. */
        sim_market_obs_agent(ag->obs, sl->index, sim_agent_slot_role(sl), sl->host,
                             sl->capability, sl->owner, sl->behaviour);
        if (sl->agent != NULL)
            proto_agent_reconfigure(sl->agent, &sl->cfg);
    }
}

uint64_t sim_agents_msg_gas(const sim_world *w, const proto_txmsg *msg)
{
    proto_txenv tx = {.message_count = 1};
    tx.messages[0] = *msg;
    const proto_gas_schedule *gas = &w->chain.rules.gas;
    uint64_t msg_gas = 0;
    if (msg->type >= PROTO_TXMSG_DISPUTE_DEFEND && msg->type <= PROTO_TXMSG_DISPUTE_APPEAL) {
        g_assert(w->chain.disputes); /* an agent disputes only on a chain that settles them */
        msg_gas = proto_disputes_msg_gas(gas, &w->chain.disputes_params, msg->type);
    } else if (msg->type >= PROTO_TXMSG_MULTISIG_CREATE &&
               msg->type <= PROTO_TXMSG_MULTISIG_APPROVE) {
        msg_gas = proto_multisig_msg_gas(gas, msg); /* a guarded job's approvals and exec */
    } else if (msg->type >= PROTO_TXMSG_JOB_POST) {
        msg_gas = proto_jobs_msg_gas_on(gas, &w->chain.jobs_params, msg->type);
    } else {
        msg_gas = proto_registry_msg_gas(gas, msg->type);
    }
    uint64_t exact = proto_tx_ante_gas(gas, proto_txenv_wire_size(&tx)) + msg_gas;
    return exact + exact / AGENT_GAS_MARGIN_DIV;
}
