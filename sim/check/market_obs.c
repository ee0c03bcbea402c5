/* The agent market observer (market_obs.h): rows kept as the world
 * reports facts, turned into the tables and figures once at the end.
 *
 * Jobs are found by id through a hash table used only for lookup; the
 * rows live in an array in posting order, which is the order every output
 * uses, so nothing depends on hash order. Agents live in an array by
 * index. Text is interned (g_intern_string): roles, statuses, behaviours
 * and capability names are a handful of words repeated over thousands of
 * rows, and interned strings outlive the records that point at them. */
#include "sim/check/market_obs.h"

#include <math.h>
#include <string.h>

#include "sim/check/dispute_obs.h"
#include "sim/check/market_watch.h"
#include "sim/figures/figures.h"
#include "sim/world/world_observer.h"

#define NS_PER_S 1e9
/* Rows kept at most (a bound on memory far above any scenario's): beyond
 * it a job or transition is counted in market_unrecorded, not kept. */
#define MARKET_ROWS_MAX (10u * 1000 * 1000)

typedef struct market_agent {
    bool described; /* sim_market_obs_agent was called */
    sim_agent_record rec;
} market_agent;

typedef struct market_job {
    sim_job_record rec; /* outcome text filled at the end */
    sim_job_outcome outcome;
} market_job;

struct sim_market_obs {
    uint32_t agents_count;
    market_agent *agents;      /* [agents_count] */
    const char **capabilities; /* [capabilities_count], interned */
    uint32_t capabilities_count;
    double token_usd;
    GArray *jobs;          /* market_job, in posting order */
    GHashTable *job_by_id; /* uint64_t* (owned) -> index + 1; lookup only */
    GArray *transitions;   /* sim_agent_transition_record, in call order */
    uint64_t unrecorded;   /* jobs and transitions over MARKET_ROWS_MAX */
    bool active_sampled;
    uint32_t active_max;
    uint32_t active_final;
    bool finished;
    sim_market_watch *watch;
    sim_dispute_obs *disputes;
};

static const char *const outcome_names[SIM_JOB_OUTCOME_COUNT] = {
    [SIM_JOB_OPEN] = "open",           [SIM_JOB_UNMATCHED] = "unmatched",
    [SIM_JOB_COMPLETED] = "completed", [SIM_JOB_RELEASED_WRONG] = "released_wrong",
    [SIM_JOB_REJECTED] = "rejected",   [SIM_JOB_MISSED] = "missed",
    [SIM_JOB_EXPIRED] = "expired",     [SIM_JOB_DECLINED] = "declined",
    [SIM_JOB_CANCELLED] = "cancelled", [SIM_JOB_SPLIT] = "split",
};

const char *sim_job_outcome_name(sim_job_outcome o)
{
    g_assert((unsigned)o < SIM_JOB_OUTCOME_COUNT);
    return outcome_names[o];
}

sim_market_obs *sim_market_obs_new(uint32_t agents_count, const char *const *capability_names,
                                   uint32_t capabilities_count, double token_usd)
{
    g_assert(agents_count < SIM_AGENT_NONE - 1);
    sim_market_obs *m = g_new0(sim_market_obs, 1);
    m->agents_count = agents_count;
    m->agents = g_new0(market_agent, MAX(agents_count, 1u));
    m->capabilities = g_new0(const char *, MAX(capabilities_count, 1u));
    for (uint32_t i = 0; i < capabilities_count; i++)
        m->capabilities[i] = g_intern_string(capability_names[i]);
    m->capabilities_count = capabilities_count;
    m->token_usd = token_usd;
    m->jobs = g_array_new(FALSE, FALSE, sizeof(market_job));
    m->job_by_id = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    m->transitions = g_array_new(FALSE, FALSE, sizeof(sim_agent_transition_record));
    m->watch = sim_market_watch_new(agents_count);
    m->disputes = sim_dispute_obs_new();
    return m;
}

void sim_market_obs_free(sim_market_obs *m)
{
    if (m == NULL)
        return;
    sim_market_watch_free(m->watch);
    sim_dispute_obs_free(m->disputes);
    g_hash_table_unref(m->job_by_id);
    g_array_unref(m->jobs);
    g_array_unref(m->transitions);
    g_free(m->capabilities);
    g_free(m->agents);
    g_free(m);
}

static market_agent *obs_agent(sim_market_obs *m, uint32_t agent)
{
    g_assert(agent < m->agents_count);
    return &m->agents[agent];
}

static const char *obs_capability(const sim_market_obs *m, uint32_t capability)
{
    if (capability == SIM_AGENT_NONE)
        return NULL;
    g_assert(capability < m->capabilities_count);
    return m->capabilities[capability];
}

/* ---- agents ---- */

void sim_market_obs_agent(sim_market_obs *m, uint32_t agent, const char *role, uint32_t node,
                          uint32_t capability, uint32_t owner, const char *behaviour)
{
    market_agent *a = obs_agent(m, agent);
    g_assert(owner < m->agents_count && role != NULL);
    if (!a->described) {
        a->rec = (sim_agent_record){
            .agent = agent, .registered_ns = -1, .left_ns = -1, .reputation = NAN, .roi = NAN};
        a->described = true;
    }
    a->rec.role = g_intern_string(role);
    a->rec.node = node;
    a->rec.capability = obs_capability(m, capability);
    a->rec.owner = owner;
    a->rec.behaviour = behaviour != NULL ? g_intern_string(behaviour) : NULL;
}

/* The statuses that take an agent out of the market. */
static bool status_leaves(const char *status)
{
    return strcmp(status, "deregistered") == 0 || strcmp(status, "evicted") == 0 ||
           strcmp(status, "left") == 0;
}

void sim_market_obs_agent_status(sim_market_obs *m, uint32_t agent, int64_t at_ns,
                                 const char *status)
{
    market_agent *a = obs_agent(m, agent);
    g_assert(a->described && status != NULL);
    const char *interned = g_intern_string(status);
    a->rec.status = interned;
    if (strcmp(status, "registered") == 0) {
        if (a->rec.registered_ns < 0)
            a->rec.registered_ns = at_ns;
        a->rec.left_ns = -1; /* back in the market */
    } else if (status_leaves(status)) {
        a->rec.left_ns = at_ns;
    }
    sim_market_watch_status(m->watch, agent, at_ns, interned);
    if (m->transitions->len >= MARKET_ROWS_MAX) {
        m->unrecorded++;
        return;
    }
    sim_agent_transition_record t = {.at_ns = at_ns, .agent = agent, .status = interned};
    g_array_append_val(m->transitions, t);
}

void sim_market_obs_agent_money(sim_market_obs *m, uint32_t agent, uint64_t bond, uint64_t earned,
                                uint64_t spent, uint64_t fees_paid, uint64_t slashed,
                                uint64_t operating_cost, double reputation, uint64_t jobs_done,
                                uint64_t jobs_failed)
{
    market_agent *a = obs_agent(m, agent);
    g_assert(a->described);
    sim_agent_record *r = &a->rec;
    r->bond = bond;
    r->earned = earned;
    r->spent = spent;
    r->fees_paid = fees_paid;
    r->slashed = slashed;
    r->operating_cost = operating_cost;
    r->reputation = reputation;
    r->jobs_done = jobs_done;
    r->jobs_failed = jobs_failed;
    r->money_known = true;
}

void sim_market_obs_agent_disputes(sim_market_obs *m, uint32_t agent, uint64_t paid,
                                   uint64_t got, bool has_stake, uint64_t stake)
{
    market_agent *a = obs_agent(m, agent);
    g_assert(a->described && a->rec.money_known);
    a->rec.dispute_paid = paid;
    a->rec.dispute_got = got;
    a->rec.stake_known = has_stake;
    a->rec.stake = has_stake ? stake : 0;
}

void sim_market_obs_active(sim_market_obs *m, int64_t at_ns, uint32_t active_agents)
{
    m->active_max = m->active_sampled ? MAX(m->active_max, active_agents) : active_agents;
    m->active_final = active_agents;
    m->active_sampled = true;
}

/* ---- jobs ---- */

/* The row of job `job`; NULL only for a job dropped over the bound. */
static market_job *obs_job(sim_market_obs *m, uint64_t job)
{
    gpointer found = g_hash_table_lookup(m->job_by_id, &job);
    if (found == NULL) {
        g_assert_cmpuint(m->unrecorded, >, 0); /* else: a job never posted */
        return NULL;
    }
    return &g_array_index(m->jobs, market_job, GPOINTER_TO_SIZE(found) - 1);
}

void sim_market_obs_job_posted(sim_market_obs *m, uint64_t job, uint32_t consumer,
                               uint32_t capability, int64_t posted_ns, double work_s)
{
    g_assert(consumer < m->agents_count);
    g_assert(!g_hash_table_contains(m->job_by_id, &job));
    if (m->jobs->len >= MARKET_ROWS_MAX) {
        m->unrecorded++;
        return;
    }
    market_job j = {.rec = {.id = job,
                            .consumer = consumer,
                            .provider = SIM_AGENT_NONE,
                            .capability = obs_capability(m, capability),
                            .posted_ns = posted_ns,
                            .matched_ns = -1,
                            .delivered_ns = -1,
                            .settled_ns = -1,
                            .work_s = work_s},
                    .outcome = SIM_JOB_OPEN};
    g_array_append_val(m->jobs, j);
    uint64_t *key = g_new(uint64_t, 1);
    *key = job;
    g_hash_table_insert(m->job_by_id, key, GSIZE_TO_POINTER((gsize)m->jobs->len));
}

void sim_market_obs_job_matched(sim_market_obs *m, uint64_t job, uint32_t provider,
                                int64_t matched_ns, uint64_t price)
{
    g_assert(provider < m->agents_count);
    market_job *j = obs_job(m, job);
    if (j == NULL)
        return;
    j->rec.provider = provider;
    j->rec.matched_ns = matched_ns;
    j->rec.price = price;
}

void sim_market_obs_job_delivered(sim_market_obs *m, uint64_t job, int64_t delivered_ns,
                                  bool correct)
{
    market_job *j = obs_job(m, job);
    if (j == NULL)
        return;
    g_assert(j->rec.provider != SIM_AGENT_NONE); /* delivered by whom? */
    j->rec.delivered_ns = delivered_ns;
    j->rec.correct = correct;
}

/* What the watchdog may see of a settlement: refunds the provider is to
 * blame for, and releases (right or wrong: the chain cannot tell). */
static void watch_settled(sim_market_obs *m, const market_job *j)
{
    const sim_job_record *r = &j->rec;
    switch (j->outcome) {
    case SIM_JOB_MISSED:
    case SIM_JOB_REJECTED:
        g_assert(r->provider != SIM_AGENT_NONE);
        sim_market_watch_failure(m->watch, r->provider, r->id, r->settled_ns,
                                 j->outcome == SIM_JOB_MISSED);
        break;
    case SIM_JOB_COMPLETED:
    case SIM_JOB_RELEASED_WRONG:
        g_assert(r->provider != SIM_AGENT_NONE);
        sim_market_watch_released(m->watch, r->provider, r->consumer, r->settled_ns);
        break;
    default:
        break;
    }
}

void sim_market_obs_job_settled(sim_market_obs *m, uint64_t job, int64_t settled_ns,
                                sim_job_outcome outcome, uint64_t fee_paid)
{
    g_assert(outcome > SIM_JOB_OPEN && outcome < SIM_JOB_OUTCOME_COUNT);
    market_job *j = obs_job(m, job);
    if (j == NULL)
        return;
    g_assert(j->outcome == SIM_JOB_OPEN); /* settled once */
    j->outcome = outcome;
    j->rec.settled_ns = settled_ns;
    j->rec.fee_paid = fee_paid;
    watch_settled(m, j);
}

void sim_market_obs_job_gas(sim_market_obs *m, uint64_t job, uint64_t gas)
{
    /* Not obs_job: a transaction may name a job nobody posted. */
    gpointer found = g_hash_table_lookup(m->job_by_id, &job);
    if (found != NULL)
        g_array_index(m->jobs, market_job, GPOINTER_TO_SIZE(found) - 1).rec.gas_used += gas;
}

void sim_market_obs_dispute(sim_market_obs *m, const proto_event *ev, int64_t at_ns,
                            bool result_wrong)
{
    if (!sim_dispute_obs_event(m->disputes, ev, at_ns, result_wrong))
        return;
    market_job *j = obs_job(m, ev->job); /* opened: a delivered job, so a posted one */
    if (j != NULL)
        j->rec.disputed = TRUE;
}

void sim_market_obs_disputes_active(sim_market_obs *m)
{
    sim_dispute_obs_active(m->disputes);
}

void sim_market_obs_consumer_fees(sim_market_obs *m, uint32_t consumer, uint64_t fees)
{
    g_assert(consumer < m->agents_count && !m->finished);
    uint64_t on_chain = 0;
    for (guint i = 0; i < m->jobs->len; i++) {
        const market_job *j = &g_array_index(m->jobs, market_job, i);
        on_chain += j->rec.consumer == consumer && j->outcome != SIM_JOB_UNMATCHED;
    }
    if (on_chain == 0)
        return;
    uint64_t share = fees / on_chain, rest = fees % on_chain;
    for (guint i = 0; i < m->jobs->len; i++) {
        market_job *j = &g_array_index(m->jobs, market_job, i);
        if (j->rec.consumer != consumer || j->outcome == SIM_JOB_UNMATCHED)
            continue;
        j->rec.fee_paid += share + rest; /* the first takes the remainder */
        rest = 0;
    }
}

const GArray *sim_market_obs_alarms(const sim_market_obs *m)
{
    return sim_market_watch_alarms(m->watch);
}

/* ---- the end: tables ---- */

static double provider_roi(const sim_agent_record *r)
{
    if (!r->money_known || strcmp(r->role, "provider") != 0)
        return NAN;
    double cost = (double)r->operating_cost + (double)r->fees_paid;
    if (!(cost > 0))
        return NAN;
    double net = (double)r->earned - (double)r->operating_cost - (double)r->fees_paid -
                 (double)r->slashed + (double)r->dispute_got - (double)r->dispute_paid;
    return net / cost;
}

static gint transition_compare(gconstpointer a, gconstpointer b)
{
    int64_t x = ((const sim_agent_transition_record *)a)->at_ns;
    int64_t y = ((const sim_agent_transition_record *)b)->at_ns;
    return (x > y) - (x < y);
}

static gint alarm_compare(gconstpointer a, gconstpointer b)
{
    int64_t x = ((const sim_alarm_record *)a)->at_ns;
    int64_t y = ((const sim_alarm_record *)b)->at_ns;
    return (x > y) - (x < y);
}

static void finish_tables(sim_market_obs *m, sim_metrics *metrics)
{
    for (uint32_t i = 0; i < m->agents_count; i++) {
        market_agent *a = &m->agents[i];
        if (!a->described)
            continue;
        a->rec.roi = provider_roi(&a->rec);
        g_array_append_val(metrics->agents, a->rec);
    }
    for (guint i = 0; i < m->jobs->len; i++) {
        market_job *j = &g_array_index(m->jobs, market_job, i);
        j->rec.outcome = sim_job_outcome_name(j->outcome);
        g_array_append_val(metrics->jobs, j->rec);
    }
    /* g_array_sort is stable (GLib >= 2.32): equal times keep call order. */
    g_array_sort(m->transitions, transition_compare);
    g_array_append_vals(metrics->agent_transitions, m->transitions->data, m->transitions->len);
}

/* The watchdog's alarms into the run's, by time (the run's come first at
 * equal times); the alarm counts again if any came. */
static void finish_alarms(sim_market_obs *m, sim_metrics *metrics)
{
    GArray *mine = sim_market_watch_take_alarms(m->watch);
    if (mine->len > 0) {
        g_array_append_vals(metrics->alarms, mine->data, mine->len); /* strings move over */
        g_array_sort(metrics->alarms, alarm_compare);
        sim_alarm_figures(metrics);
    }
    g_array_unref(mine);
}

/* ---- the end: figures ---- */

/* name_p50_s and name_p99_s of values (ns), left out when there are none. */
static void latency_figures(sim_metrics *metrics, const char *name, GArray *values)
{
    if (values->len == 0)
        return;
    int64_t *v = (int64_t *)(void *)values->data;
    g_autofree char *p50 = g_strdup_printf("%s_p50_s", name);
    g_autofree char *p99 = g_strdup_printf("%s_p99_s", name);
    sim_metrics_figure(metrics, p50, (double)sim_percentile_i64(v, values->len, 50) / NS_PER_S);
    sim_metrics_figure(metrics, p99, (double)sim_percentile_i64(v, values->len, 99) / NS_PER_S);
}

/* The providers' ROI, honest ones (the service providers the target is
 * about: provider_roi_mean) apart from those the scenario made misbehave
 * (provider_roi_faulty_mean: what cheating earned). */
static void agent_figures(const sim_market_obs *m, sim_metrics *metrics)
{
    uint32_t registered = 0, providers[2] = {0, 0};
    double roi_sum[2] = {0, 0};
    for (uint32_t i = 0; i < m->agents_count; i++) {
        const market_agent *a = &m->agents[i];
        if (!a->described)
            continue;
        registered += a->rec.registered_ns >= 0;
        if (!isnan(a->rec.roi)) {
            bool faulty = a->rec.behaviour != NULL && strcmp(a->rec.behaviour, "honest") != 0;
            providers[faulty]++;
            roi_sum[faulty] += a->rec.roi;
        }
    }
    sim_metrics_figure(metrics, "agents_active_max", (double)m->active_max);
    sim_metrics_figure(metrics, "agents_active_final", (double)m->active_final);
    sim_metrics_figure(metrics, "agents_registered", (double)registered);
    if (providers[0] > 0)
        sim_metrics_figure(metrics, "provider_roi_mean", roi_sum[0] / providers[0]);
    if (providers[1] > 0)
        sim_metrics_figure(metrics, "provider_roi_faulty_mean", roi_sum[1] / providers[1]);
}

static void job_figures(const sim_market_obs *m, sim_metrics *metrics)
{
    uint64_t by_outcome[SIM_JOB_OUTCOME_COUNT] = {0};
    double cost_sum = 0; /* exact up to 2^53 base units */
    GArray *latency = g_array_new(FALSE, FALSE, sizeof(int64_t));
    GArray *match = g_array_new(FALSE, FALSE, sizeof(int64_t));
    for (guint i = 0; i < m->jobs->len; i++) {
        const market_job *j = &g_array_index(m->jobs, market_job, i);
        by_outcome[j->outcome]++;
        if (j->rec.matched_ns >= 0) {
            int64_t d = j->rec.matched_ns - j->rec.posted_ns;
            g_array_append_val(match, d);
        }
        if (j->outcome == SIM_JOB_COMPLETED) {
            int64_t d = j->rec.settled_ns - j->rec.posted_ns;
            g_array_append_val(latency, d);
            cost_sum += (double)j->rec.price + (double)j->rec.fee_paid;
        }
    }
    uint64_t completed = by_outcome[SIM_JOB_COMPLETED];
    uint64_t wrong = by_outcome[SIM_JOB_RELEASED_WRONG];
    uint64_t decided = m->jobs->len - by_outcome[SIM_JOB_OPEN];
    sim_metrics_figure(metrics, "jobs_posted", (double)m->jobs->len);
    sim_metrics_figure(metrics, "jobs_completed", (double)completed);
    sim_metrics_figure(metrics, "jobs_open_end", (double)by_outcome[SIM_JOB_OPEN]);
    sim_metrics_figure(metrics, "jobs_unmatched", (double)by_outcome[SIM_JOB_UNMATCHED]);
    for (int o = 0; o < SIM_JOB_OUTCOME_COUNT; o++) {
        g_autofree char *name = g_strconcat("jobs.", outcome_names[o], NULL);
        sim_metrics_figure(metrics, name, (double)by_outcome[o]);
    }
    if (decided > 0)
        sim_metrics_figure(metrics, "job_completion_rate", (double)completed / (double)decided);
    latency_figures(metrics, "job_latency", latency);
    latency_figures(metrics, "match_latency", match);
    if (completed > 0) {
        double mean = cost_sum / (double)completed;
        sim_metrics_figure(metrics, "cost_per_job_mean", mean);
        sim_metrics_figure(metrics, "cost_per_job_usd", mean * m->token_usd);
    }
    sim_metrics_figure(metrics, "jobs_wrong_released", (double)wrong);
    if (completed + wrong > 0)
        sim_metrics_figure(metrics, "wrong_result_share",
                           (double)wrong / (double)(completed + wrong));
    /* dispute_rate, disputes_wrongful and, with disputes, the others */
    sim_dispute_obs_finish(m->disputes, metrics, m->jobs->len);
    sim_metrics_figure(metrics, "market_unrecorded",
                       (double)(m->unrecorded + sim_dispute_obs_unrecorded(m->disputes)));
    g_array_unref(latency);
    g_array_unref(match);
}

static bool obs_saw_anything(const sim_market_obs *m)
{
    for (uint32_t i = 0; i < m->agents_count; i++)
        if (m->agents[i].described)
            return true;
    return m->jobs->len > 0;
}

void sim_market_obs_finish(sim_market_obs *m, sim_metrics *metrics)
{
    g_assert(!m->finished);
    m->finished = true;
    if (!obs_saw_anything(m))
        return;
    finish_tables(m, metrics);
    agent_figures(m, metrics);
    job_figures(m, metrics);
    finish_alarms(m, metrics);
}

/* ---- the world's observer ---- */

static void obs_figures(void *self, sim_world *w, sim_metrics *metrics)
{
    sim_market_obs_finish(self, metrics);
}

static void obs_free(void *self)
{
    sim_market_obs_free(self);
}

const sim_world_observer_ops sim_market_observer_ops = {
    .name = "market",
    .figures = obs_figures,
    .free = obs_free,
};
