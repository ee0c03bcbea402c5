/* The job market's traffic and record (agents.h): the jobs consumers
 * want, what the chain settled, and every agent's figures at the end.
 *
 * Chain events. Every node that commits a block reports its market
 * events (PROTO_EV_JOB_STATUS, PROTO_EV_JOB_GAS, PROTO_EV_AGENT_STATUS,
 * PROTO_EV_DISPUTE: sim/check/dispute_obs.h);
 * the record takes
 * each height's from the first node that commits it (the same block at
 * every node: the safety checker sees to that), timed when that node
 * committed it.
 *
 * Money, per agent, from those events: earned (payments released to it
 * as a provider, and a released job's fee share under escrow v2 terms,
 * protocol/modules/jobs/jobs.h), spent (payment and market fee of its released jobs as
 * a consumer), dispute_paid (the bonds and appeal fees it paid: the
 * dispute steps OPENED, DEFENDED and APPEALED whose payer is the agent)
 * and dispute_got (what settling disputes paid to its balance: PAID
 * steps, a bond back or a juror's share). A dispute's job settles like
 * this: UPHELD releases the payment (as a confirmation does: earned and
 * spent, the market fee included), OVERTURNED refunds it, SPLIT pays the
 * provider half the payment (rounded down) and refunds the rest and the
 * fee (earned and spent that half; outcome `split`). The transaction fees
 * it paid follow from its balance at the end:
 *     fees = genesis balance - final balance - bond still locked
 *            - bond slashed - spent - escrow still open + earned
 *            + dispute_got - dispute_paid
 * since every other token an agent moves is one of those (a juror's
 * stake is the module's, not its balance's). */
#include "sim/world/agents.h"

#include "protocol/modules/disputes/disputes.h"
#include "protocol/modules/jobs/jobs.h"
#include "protocol/modules/multisig/multisig.h"
#include "protocol/modules/registry/registry.h"
#include "sim/check/market_obs.h"
#include "sim/world/world_internal.h"

/* ---- the jobs consumers want ---- */

static uint32_t draw_capability(sim_world *w)
{
    const GArray *mix = w->agents.jo->mix;
    double total = 0;
    for (guint c = 0; c < mix->len; c++)
        total += g_array_index(mix, double, c);
    double point = sim_rng_unit(&w->agents.jobs_rng) * total;
    for (guint c = 0; c < mix->len; c++) {
        double wgt = g_array_index(mix, double, c);
        if (point < wgt)
            return c;
        point -= wgt;
    }
    for (guint c = mix->len; c-- > 0;)
        if (g_array_index(mix, double, c) > 0)
            return c;
    g_assert_not_reached();
}

/* In the market: not left, not leaving (agent churn). */
static bool consumer_present(const sim_agent_slot *sl)
{
    return !sl->gone && !sl->leaving;
}

/* A consumer drawn uniformly among those in the market (one draw, the
 * same as over all of them while nobody has left); UINT32_MAX: none. */
static uint32_t draw_consumer(sim_agents *ag)
{
    uint32_t present = 0;
    for (uint32_t i = 0; i < ag->consumers; i++)
        present += consumer_present(&ag->slots[ag->providers + i]);
    uint32_t pick = (uint32_t)sim_rng_below(&ag->jobs_rng, present > 0 ? present : 1);
    if (present == 0)
        return UINT32_MAX;
    for (uint32_t i = 0; i < ag->consumers; i++) {
        if (!consumer_present(&ag->slots[ag->providers + i]))
            continue;
        if (pick-- == 0)
            return ag->providers + i;
    }
    g_assert_not_reached();
}

static void arrival(void *ctx, uint64_t a, uint64_t b)
{
    (void)a, (void)b;
    sim_world *w = ctx;
    sim_agents *ag = &w->agents;
    uint32_t consumer = draw_consumer(ag);
    uint32_t capability = draw_capability(w);
    int64_t work_ns = sim_dist_sample_ns(&w->agents.jo->work, &ag->jobs_rng);
    uint64_t work_ms = MAX(1, (uint64_t)(work_ns / 1000000));
    sim_agent_slot *sl = consumer != UINT32_MAX ? &ag->slots[consumer] : NULL;
    if (sl == NULL) {
        /* every consumer left the market (agent churn): nobody wants work */
    } else if (sl->agent != NULL) {
        proto_agent_want_job(sl->agent, capability, work_ms); /* it reports either way */
    } else {
        int64_t now = sim_sched_now(w->sched);
        uint64_t id = (1ull << 63) | ++ag->unmatched_ids;
        sim_market_obs_job_posted(ag->obs, id, consumer, capability, now, (double)work_ms / 1e3);
        sim_market_obs_job_settled(ag->obs, id, now, SIM_JOB_UNMATCHED, 0);
    }
    int64_t next = sim_sched_now(w->sched) +
                   (int64_t)(sim_rng_exponential(&ag->jobs_rng, 1.0 / ag->job_rate_per_s) * 1e9) +
                   1;
    if (next < w->opt.duration_ns)
        sim_sched_at(w->sched, next, arrival, w, 0, 0);
}

void sim_agents_jobs_init(sim_world *w)
{
    sim_agents *ag = &w->agents;
    const sim_jobs_options *j = w->agents.jo;
    ag->job_rate_per_s = j->declared ? j->rate_per_s : 0;
    if (ag->job_rate_per_s <= 0 || ag->consumers == 0)
        return;
    /* Give the agents a few blocks to register first. */
    int64_t first = 4 * w->opt.block_interval_ns +
                    (int64_t)(sim_rng_exponential(&ag->jobs_rng, 1.0 / ag->job_rate_per_s) * 1e9);
    if (first < w->opt.duration_ns)
        sim_sched_at(w->sched, first, arrival, w, 0, 0);
}

/* ---- what the chain settled ---- */

static sim_job_outcome outcome_of(sim_agents *ag, uint32_t status, uint64_t job)
{
    switch (status) {
    case PROTO_JOB_EXPIRED:
        return SIM_JOB_EXPIRED;
    case PROTO_JOB_DECLINED:
        return SIM_JOB_DECLINED;
    case PROTO_JOB_CANCELLED:
        return SIM_JOB_CANCELLED;
    case PROTO_JOB_REJECTED:
    case PROTO_JOB_OVERTURNED:
        return SIM_JOB_REJECTED;
    case PROTO_JOB_SPLIT:
        return SIM_JOB_SPLIT;
    case PROTO_JOB_MISSED:
        return SIM_JOB_MISSED;
    case PROTO_JOB_RELEASED:
    case PROTO_JOB_RELEASED_AUTO:
    case PROTO_JOB_UPHELD: {
        guint truth = GPOINTER_TO_UINT(g_hash_table_lookup(ag->job_truth, &job));
        return truth == 1 ? SIM_JOB_RELEASED_WRONG : SIM_JOB_COMPLETED;
    }
    default:
        return SIM_JOB_OPEN;
    }
}

static void job_event(sim_world *w, const proto_event *ev)
{
    sim_agents *ag = &w->agents;
    int64_t now = sim_sched_now(w->sched);
    sim_agent_slot *provider = sim_agents_slot_of(w, ev->account);
    sim_agent_slot *consumer = sim_agents_slot_of(w, PROTO_JOB_CONSUMER(ev->job));
    switch (ev->status) {
    case PROTO_JOB_POSTED:
    case PROTO_JOB_DISPUTED:
        return;
    case PROTO_JOB_ACCEPTED:
        sim_market_obs_job_matched(ag->obs, ev->job, provider != NULL ? provider->index : 0, now,
                                   ev->job_payment);
        return;
    case PROTO_JOB_DELIVERED: {
        guint truth = GPOINTER_TO_UINT(g_hash_table_lookup(ag->job_truth, &ev->job));
        sim_market_obs_job_delivered(ag->obs, ev->job, now, truth != 1);
        return;
    }
    default:
        break;
    }
    sim_job_outcome o = outcome_of(ag, ev->status, ev->job);
    uint64_t fee = proto_jobs_fee(&w->chain.jobs_params, ev->job_payment);
    bool released = o == SIM_JOB_COMPLETED || o == SIM_JOB_RELEASED_WRONG;
    /* What left the escrow for the provider: all of it released, half
     * (rounded down, as proto_jobs_settle_disputed pays it) in a split. */
    uint64_t paid = released ? ev->job_payment : o == SIM_JOB_SPLIT ? ev->job_payment / 2 : 0;
    if (provider != NULL) /* with the fee's share escrow v2 terms pay it (the event's amount) */
        provider->earned += paid + (released ? ev->amount : 0);
    if (consumer != NULL)
        consumer->spent += paid + (released ? fee : 0);
    sim_market_obs_job_settled(ag->obs, ev->job, now, o, released ? fee : 0);
    g_hash_table_remove(ag->job_truth, &ev->job);
}

/* A dispute's step. Its SETTLED comes before the job's settlement in the
 * same height, so the job's truth is still known then. */
static void dispute_event(sim_world *w, const proto_event *ev)
{
    sim_agents *ag = &w->agents;
    guint truth = GPOINTER_TO_UINT(g_hash_table_lookup(ag->job_truth, &ev->job));
    sim_market_obs_dispute(ag->obs, ev, sim_sched_now(w->sched), truth == 1);
    sim_agent_slot *sl = sim_agents_slot_of(w, ev->from); /* NULL: no payer, or not an agent */
    if (sl == NULL)
        return;
    switch (ev->status) {
    case PROTO_DISPUTE_OPENED:
    case PROTO_DISPUTE_DEFENDED:
    case PROTO_DISPUTE_APPEALED:
        sl->dispute_paid += ev->amount;
        return;
    case PROTO_DISPUTE_PAID:
        sl->dispute_got += ev->amount;
        return;
    default:
        return;
    }
}

static void agent_event(sim_world *w, const proto_event *ev)
{
    sim_agents *ag = &w->agents;
    const sim_agent_slot *sl = sim_agents_slot_of(w, ev->account);
    if (sl == NULL)
        return;
    uint32_t k = sl->index;
    const char *name = proto_agent_status_name((proto_agent_status)ev->status);
    /* A registration, first or again after retiring: back in the market. */
    if (ev->prev_status == PROTO_AGENT_NONE || ev->prev_status == PROTO_AGENT_RETIRED)
        sim_market_obs_agent_status(ag->obs, k, sim_sched_now(w->sched), "registered");
    sim_market_obs_agent_status(ag->obs, k, sim_sched_now(w->sched), name);
}

void sim_agents_on_chain_event(sim_world *w, uint32_t node, const proto_event *ev)
{
    sim_agents *ag = &w->agents;
    if (ag->count == 0)
        return;
    if (ev->height > ag->chain_height) {
        ag->chain_height = ev->height;
        ag->chain_reporter = node;
    } else if (ev->height < ag->chain_height || node != ag->chain_reporter) {
        return; /* another node's report of a height already recorded */
    }
    if (ev->kind == PROTO_EV_JOB_STATUS)
        job_event(w, ev);
    else if (ev->kind == PROTO_EV_JOB_GAS)
        sim_market_obs_job_gas(ag->obs, ev->job, ev->amount);
    else if (ev->kind == PROTO_EV_DISPUTE)
        dispute_event(w, ev);
    else
        agent_event(w, ev);
}

void sim_agents_on_height(sim_world *w, const proto_state *s)
{
    if (w->agents.count == 0 || s == NULL)
        return;
    sim_market_obs_active(w->agents.obs, sim_sched_now(w->sched), proto_registry_active_count(s));
    if (proto_disputes_active(s))
        sim_market_obs_disputes_active(w->agents.obs);
}

/* ---- the end ---- */

/* The committed state of the live node furthest ahead (NULL: none). */
static uint64_t open_escrow_of(const proto_state *s, uint32_t account)
{
    uint64_t sum = 0;
    for (uint32_t i = 0; i < proto_jobs_count(s); i++) {
        const proto_job *j = proto_jobs_at(s, i);
        if (j->consumer == account)
            sum += j->payment + j->fee;
    }
    return sum;
}

void sim_agents_finish(sim_world *w)
{
    sim_agents *ag = &w->agents;
    if (ag->count == 0)
        return; /* no market (and a PoA world's nodes have no PBFT state) */
    /* the committed state: a validator's may hold a block it only validated */
    const proto_state *s = sim_world_committed_state(w, NULL);
    for (uint32_t k = 0; k < ag->count && s != NULL; k++) {
        sim_agent_slot *sl = &ag->slots[k];
        const proto_agent_record *r = proto_registry_agent(s, sl->account);
        uint64_t locked = r != NULL ? r->bond : 0, slashed = r != NULL ? r->slashed : 0;
        int64_t fees = (int64_t)w->chain.agent_balances[k] -
                       (int64_t)proto_state_account(s, sl->account)->balance - (int64_t)locked -
                       (int64_t)slashed - (int64_t)sl->spent -
                       (int64_t)open_escrow_of(s, sl->account) + (int64_t)sl->earned +
                       (int64_t)sl->dispute_got - (int64_t)sl->dispute_paid;
        double reputation = r != NULL ? (double)r->reputation / PROTO_REGISTRY_TRUST_ONE : 0;
        if (sl->cfg.role == PROTO_AGENT_CONSUMER)
            sim_market_obs_consumer_fees(ag->obs, k, (uint64_t)MAX(fees, 0));
        sim_market_obs_agent_money(ag->obs, k, locked, sl->earned, sl->spent,
                                   (uint64_t)MAX(fees, 0), slashed,
                                   (uint64_t)(sl->operating_cost + 0.5), reputation,
                                   r != NULL ? r->jobs_done : 0, r != NULL ? r->jobs_failed : 0);
        const proto_juror *juror = proto_disputes_juror(s, sl->account);
        sim_market_obs_agent_disputes(ag->obs, k, sl->dispute_paid, sl->dispute_got,
                                      juror != NULL, juror != NULL ? juror->stake : 0);
    }
    /* [jobs] fee_to = treasury: what the market fees left in it */
    uint32_t treasury = w->chain.jobs_params.treasury;
    const proto_multisig *ms = s != NULL && treasury != 0 ? proto_multisig_get(s, treasury) : NULL;
    if (ms != NULL)
        sim_metrics_figure(w->metrics, "treasury_balance", (double)ms->balance);
}
