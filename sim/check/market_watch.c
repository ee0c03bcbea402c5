/* The agent market's watchdog (market_watch.h). */
#include "sim/check/market_watch.h"

#include <string.h>

#include "sim/figures/metrics.h"

/* A provider that has served more than one consumer. */
#define WATCH_MIXED (UINT32_MAX - 1)
/* Providers named in a sybil alarm's sentence; the rest are counted. */
#define WATCH_SYBIL_NAMED 8

typedef struct watch_failure {
    int64_t at_ns;
    uint64_t job;
    bool missed; /* else rejected */
} watch_failure;

typedef struct watch_agent {
    /* misbehaviour: the last SIM_MARKET_MISBEHAVE_FAILURES failures, a ring */
    watch_failure failures[SIM_MARKET_MISBEHAVE_FAILURES];
    uint32_t failures_next;
    uint32_t failures_count; /* in the ring, at most its size */
    bool misbehave_raised;   /* this episode's alarm is out */
    /* heartbeats */
    bool unresponsive_raised; /* suspended, and the alarm is out */
    /* who paid for what */
    uint64_t released;      /* as a provider: jobs released to it */
    uint32_t sole_consumer; /* the one consumer that paid them; SIM_AGENT_NONE: none yet,
                             * WATCH_MIXED: more than one */
    uint64_t paid;          /* as a consumer: jobs it paid that were released */
    bool sybil_raised;      /* as a consumer: its cluster was flagged */
} watch_agent;

struct sim_market_watch {
    uint32_t agents_count;
    watch_agent *agents;     /* [agents_count] */
    uint64_t released_total; /* every release in the market */
    GArray *alarms;          /* sim_alarm_record */
};

sim_market_watch *sim_market_watch_new(uint32_t agents_count)
{
    sim_market_watch *w = g_new0(sim_market_watch, 1);
    w->agents_count = agents_count;
    w->agents = g_new0(watch_agent, MAX(agents_count, 1u));
    for (uint32_t i = 0; i < agents_count; i++)
        w->agents[i].sole_consumer = SIM_AGENT_NONE;
    w->alarms = g_array_new(FALSE, FALSE, sizeof(sim_alarm_record));
    return w;
}

static void watch_alarms_free(GArray *alarms)
{
    for (guint i = 0; i < alarms->len; i++) {
        sim_alarm_record *a = &g_array_index(alarms, sim_alarm_record, i);
        g_free(a->subject);
        g_free(a->detail);
    }
    g_array_unref(alarms);
}

void sim_market_watch_free(sim_market_watch *w)
{
    if (w == NULL)
        return;
    watch_alarms_free(w->alarms);
    g_free(w->agents);
    g_free(w);
}

static watch_agent *watch_agent_at(sim_market_watch *w, uint32_t agent)
{
    g_assert(agent < w->agents_count);
    return &w->agents[agent];
}

static void watch_raise(sim_market_watch *w, int64_t at_ns, const char *kind, uint32_t agent,
                        char *detail)
{
    sim_alarm_record a = {
        .at_ns = at_ns, .kind = kind, .subject = g_strdup_printf("a%u", agent), .detail = detail};
    g_array_append_val(w->alarms, a);
}

/* ---- agent_misbehaving ---- */

/* "3 jobs refunded within 300s: 2 missed deadlines, 1 rejected result
 * (jobs 12, 40, 77)", oldest first. */
static char *misbehave_detail(const watch_agent *a)
{
    GString *jobs = g_string_new(NULL);
    uint32_t missed = 0;
    for (uint32_t k = 0; k < SIM_MARKET_MISBEHAVE_FAILURES; k++) {
        const watch_failure *f =
            &a->failures[(a->failures_next + k) % SIM_MARKET_MISBEHAVE_FAILURES];
        missed += f->missed;
        g_string_append_printf(jobs, "%s%" G_GUINT64_FORMAT, k > 0 ? ", " : "", f->job);
    }
    uint32_t rejected = SIM_MARKET_MISBEHAVE_FAILURES - missed;
    char *text = g_strdup_printf(
        "%d jobs refunded within %llds: %u missed deadline%s, "
        "%u rejected result%s (jobs %s)",
        SIM_MARKET_MISBEHAVE_FAILURES, SIM_MARKET_MISBEHAVE_WINDOW_NS / 1000000000LL, missed,
        missed == 1 ? "" : "s", rejected, rejected == 1 ? "" : "s", jobs->str);
    g_string_free(jobs, TRUE);
    return text;
}

void sim_market_watch_failure(sim_market_watch *w, uint32_t provider, uint64_t job, int64_t at_ns,
                              bool missed)
{
    watch_agent *a = watch_agent_at(w, provider);
    if (a->failures_count > 0) {
        uint32_t last =
            (a->failures_next + SIM_MARKET_MISBEHAVE_FAILURES - 1) % SIM_MARKET_MISBEHAVE_FAILURES;
        if (at_ns - a->failures[last].at_ns > SIM_MARKET_MISBEHAVE_WINDOW_NS)
            a->misbehave_raised = false; /* a quiet window: a new episode */
    }
    a->failures[a->failures_next] = (watch_failure){.at_ns = at_ns, .job = job, .missed = missed};
    a->failures_next = (a->failures_next + 1) % SIM_MARKET_MISBEHAVE_FAILURES;
    if (a->failures_count < SIM_MARKET_MISBEHAVE_FAILURES)
        a->failures_count++;
    if (a->misbehave_raised || a->failures_count < SIM_MARKET_MISBEHAVE_FAILURES)
        return;
    /* The ring is full: its oldest entry is the next to be overwritten. */
    int64_t oldest = a->failures[a->failures_next].at_ns;
    if (at_ns - oldest > SIM_MARKET_MISBEHAVE_WINDOW_NS)
        return;
    a->misbehave_raised = true;
    watch_raise(w, at_ns, "agent_misbehaving", provider, misbehave_detail(a));
}

/* ---- agent_unresponsive ---- */

void sim_market_watch_status(sim_market_watch *w, uint32_t agent, int64_t at_ns, const char *status)
{
    watch_agent *a = watch_agent_at(w, agent);
    if (strcmp(status, "active") == 0 || strcmp(status, "registered") == 0) {
        a->unresponsive_raised = false;
        return;
    }
    if (strcmp(status, "suspended") != 0 || a->unresponsive_raised)
        return;
    a->unresponsive_raised = true;
    watch_raise(w, at_ns, "agent_unresponsive", agent,
                g_strdup("the registry suspended it for missed heartbeats"));
}

/* ---- sybil_suspected ---- */

/* share^n <= 1 / SIM_MARKET_SYBIL_CHANCE_INV, by repeated (correctly
 * rounded) multiplication: no libm, so every machine agrees. */
static bool unlikely_by_chance(double share, uint64_t n)
{
    double chance = 1.0;
    for (uint64_t i = 0; i < n; i++) {
        chance *= share;
        if (chance * SIM_MARKET_SYBIL_CHANCE_INV <= 1.0)
            return true;
    }
    return false;
}

/* "a3, a4, a5 had 4, 3, 5 jobs released, every one paid by a80, which
 * paid 12 of the market's 40 releases" (at most WATCH_SYBIL_NAMED named). */
static char *sybil_detail(const sim_market_watch *w, uint32_t consumer, const GArray *cluster)
{
    GString *names = g_string_new(NULL);
    GString *counts = g_string_new(NULL);
    for (guint i = 0; i < MIN(cluster->len, (guint)WATCH_SYBIL_NAMED); i++) {
        uint32_t p = g_array_index(cluster, uint32_t, i);
        g_string_append_printf(names, "%sa%u", i > 0 ? ", " : "", p);
        g_string_append_printf(counts, "%s%" G_GUINT64_FORMAT, i > 0 ? ", " : "",
                               w->agents[p].released);
    }
    if (cluster->len > WATCH_SYBIL_NAMED) {
        g_string_append_printf(names, " and %u more", cluster->len - WATCH_SYBIL_NAMED);
        g_string_append(counts, ", ...");
    }
    char *text = g_strdup_printf("%u providers (%s) had %s jobs released, every one paid by "
                                 "a%u, which paid %" G_GUINT64_FORMAT
                                 " of the market's %" G_GUINT64_FORMAT " releases",
                                 cluster->len, names->str, counts->str, consumer,
                                 w->agents[consumer].paid, w->released_total);
    g_string_free(names, TRUE);
    g_string_free(counts, TRUE);
    return text;
}

static void check_sybil(sim_market_watch *w, uint32_t consumer, int64_t at_ns)
{
    watch_agent *c = &w->agents[consumer];
    if (c->sybil_raised)
        return;
    double share = (double)c->paid / (double)w->released_total;
    GArray *cluster = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    for (uint32_t p = 0; p < w->agents_count; p++) {
        const watch_agent *a = &w->agents[p];
        if (a->sole_consumer == consumer && a->released >= SIM_MARKET_SYBIL_JOBS_MIN &&
            unlikely_by_chance(share, a->released))
            g_array_append_val(cluster, p);
    }
    if (cluster->len >= SIM_MARKET_SYBIL_CLUSTER_MIN) {
        c->sybil_raised = true;
        watch_raise(w, at_ns, "sybil_suspected", consumer, sybil_detail(w, consumer, cluster));
    }
    g_array_unref(cluster);
}

void sim_market_watch_released(sim_market_watch *w, uint32_t provider, uint32_t consumer,
                               int64_t at_ns)
{
    watch_agent *p = watch_agent_at(w, provider);
    watch_agent *c = watch_agent_at(w, consumer);
    p->released++;
    if (p->sole_consumer == SIM_AGENT_NONE)
        p->sole_consumer = consumer;
    else if (p->sole_consumer != consumer)
        p->sole_consumer = WATCH_MIXED;
    c->paid++;
    w->released_total++;
    check_sybil(w, consumer, at_ns);
}

const GArray *sim_market_watch_alarms(const sim_market_watch *w)
{
    return w->alarms;
}

GArray *sim_market_watch_take_alarms(sim_market_watch *w)
{
    GArray *taken = w->alarms;
    w->alarms = g_array_new(FALSE, FALSE, sizeof(sim_alarm_record));
    return taken;
}
