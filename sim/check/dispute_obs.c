/* The disputes observer (dispute_obs.h): a record per dispute, kept in
 * order of opening and found by job id through a hash table used only
 * for lookup (so no output depends on hash order), turned into the
 * `disputes` table and the dispute figures once at the end. */
#include "sim/check/dispute_obs.h"

#include <math.h>

#include "protocol/chain/txmsg_disputes.h"
#include "protocol/modules/disputes/disputes.h"

#define NS_PER_S 1e9
/* Disputes kept at most (a bound on memory, as the market's rows): beyond
 * it a dispute is counted in `unrecorded`, not kept. */
#define DISPUTE_ROWS_MAX (10u * 1000 * 1000)

typedef struct dispute_row {
    sim_dispute_record rec;
    bool defended; /* DEFENDED seen: not a default */
    uint8_t ruling; /* proto_ruling once resolved */
    bool result_wrong; /* the truth at settlement */
} dispute_row;

struct sim_dispute_obs {
    GArray *rows;              /* dispute_row, in order of opening */
    GHashTable *row_by_job;    /* uint64_t* (owned) -> index + 1; lookup only */
    uint64_t unrecorded;       /* disputes opened over DISPUTE_ROWS_MAX (their steps ignored) */
    bool active;               /* the chain runs the module */
    bool finished;
};

sim_dispute_obs *sim_dispute_obs_new(void)
{
    sim_dispute_obs *d = g_new0(sim_dispute_obs, 1);
    d->rows = g_array_new(FALSE, FALSE, sizeof(dispute_row));
    d->row_by_job = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    return d;
}

void sim_dispute_obs_free(sim_dispute_obs *d)
{
    if (d == NULL)
        return;
    g_hash_table_unref(d->row_by_job);
    g_array_unref(d->rows);
    g_free(d);
}

void sim_dispute_obs_active(sim_dispute_obs *d)
{
    d->active = true;
}

uint64_t sim_dispute_obs_unrecorded(const sim_dispute_obs *d)
{
    return d->unrecorded;
}

static void dispute_opened(sim_dispute_obs *d, uint64_t job, int64_t at_ns)
{
    g_assert(!g_hash_table_contains(d->row_by_job, &job)); /* one dispute per job */
    if (d->rows->len >= DISPUTE_ROWS_MAX) {
        d->unrecorded++;
        return;
    }
    dispute_row r = {.rec = {.job_id = job, .opened_ns = at_ns, .resolved_ns = -1}};
    g_array_append_val(d->rows, r);
    uint64_t *key = g_new(uint64_t, 1);
    *key = job;
    g_hash_table_insert(d->row_by_job, key, GSIZE_TO_POINTER((gsize)d->rows->len));
}

/* The record of the dispute on job; NULL only for one dropped over the bound. */
static dispute_row *dispute_of(sim_dispute_obs *d, uint64_t job)
{
    gpointer found = g_hash_table_lookup(d->row_by_job, &job);
    if (found == NULL) {
        g_assert_cmpuint(d->unrecorded, >, 0); /* else: a step of a dispute never opened */
        return NULL;
    }
    return &g_array_index(d->rows, dispute_row, GPOINTER_TO_SIZE(found) - 1);
}

static void dispute_settled(dispute_row *r, uint32_t round, uint8_t ruling, int64_t at_ns,
                            bool result_wrong)
{
    g_assert(r->rec.resolved_ns < 0 && ruling < PROTO_RULING_COUNT); /* settled once */
    r->rec.resolved_ns = at_ns;
    r->ruling = ruling;
    r->rec.ruling = proto_ruling_name(ruling);
    r->result_wrong = result_wrong;
    r->rec.correct = result_wrong ? ruling == PROTO_RULING_CONSUMER
                                  : ruling == PROTO_RULING_PROVIDER;
    if (r->defended) {
        r->rec.tier = PROTO_DISPUTE_TIER_OF(round);
        r->rec.rounds = MAX(r->rec.rounds, round + 1);
    }
}

bool sim_dispute_obs_event(sim_dispute_obs *d, const proto_event *ev, int64_t at_ns,
                           bool result_wrong)
{
    g_assert(ev->kind == PROTO_EV_DISPUTE && !d->finished);
    if (ev->status == PROTO_DISPUTE_OPENED) {
        dispute_opened(d, ev->job, at_ns);
        return true;
    }
    dispute_row *r = dispute_of(d, ev->job);
    if (r == NULL)
        return false; /* dropped over the bound: counted once, at its opening */
    uint32_t round = ev->depth;
    switch (ev->status) {
    case PROTO_DISPUTE_DEFENDED:
        r->defended = true;
        break;
    case PROTO_DISPUTE_ROUND:
        g_assert(r->defended);
        r->rec.rounds = MAX(r->rec.rounds, round + 1);
        r->rec.tier = PROTO_DISPUTE_TIER_OF(round); /* reached so far */
        break;
    case PROTO_DISPUTE_APPEALED:
        r->rec.appeals++;
        break;
    case PROTO_DISPUTE_SETTLED:
        dispute_settled(r, round, (uint8_t)ev->prev_status, at_ns, result_wrong);
        break;
    default: /* RULED: only the final ruling counts; PAID: the market's books */
        g_assert(ev->status == PROTO_DISPUTE_RULED || ev->status == PROTO_DISPUTE_PAID);
        break;
    }
    return false;
}

/* ---- the end ---- */

typedef struct dispute_counts {
    uint64_t resolved;
    uint64_t wrongful;
    uint64_t by_tier[3];
    uint64_t by_ruling[PROTO_RULING_COUNT];
    uint64_t wrong_results;  /* resolved disputes whose result was wrong */
    uint64_t overturned;     /* of those, ruled "consumer" */
} dispute_counts;

static dispute_counts dispute_count(const sim_dispute_obs *d, GArray *latency)
{
    dispute_counts c = {0};
    for (guint i = 0; i < d->rows->len; i++) {
        const dispute_row *r = &g_array_index(d->rows, dispute_row, i);
        if (r->rec.resolved_ns < 0)
            continue;
        c.resolved++;
        c.wrongful += !r->rec.correct;
        g_assert(r->rec.tier < G_N_ELEMENTS(c.by_tier));
        c.by_tier[r->rec.tier]++;
        c.by_ruling[r->ruling]++;
        c.wrong_results += r->result_wrong;
        c.overturned += r->result_wrong && r->ruling == PROTO_RULING_CONSUMER;
        int64_t took = r->rec.resolved_ns - r->rec.opened_ns;
        g_array_append_val(latency, took);
    }
    return c;
}

static void dispute_figures(const sim_dispute_obs *d, sim_metrics *metrics,
                            const dispute_counts *c, GArray *latency)
{
    sim_metrics_figure(metrics, "disputes_opened", (double)d->rows->len);
    sim_metrics_figure(metrics, "disputes_resolved", (double)c->resolved);
    sim_metrics_figure(metrics, "disputes_open_end", (double)(d->rows->len - c->resolved));
    for (guint t = 0; t < G_N_ELEMENTS(c->by_tier); t++) {
        g_autofree char *name = g_strdup_printf("disputes_tier%u", t);
        sim_metrics_figure(metrics, name, (double)c->by_tier[t]);
    }
    for (uint8_t k = 0; k < PROTO_RULING_COUNT; k++) {
        g_autofree char *name = g_strconcat("disputes.", proto_ruling_name(k), NULL);
        sim_metrics_figure(metrics, name, (double)c->by_ruling[k]);
    }
    if (c->resolved > 0)
        sim_metrics_figure(metrics, "disputes_wrong_ruling_share",
                           (double)c->wrongful / (double)c->resolved);
    if (c->wrong_results > 0)
        sim_metrics_figure(metrics, "disputes_overturned_share",
                           (double)c->overturned / (double)c->wrong_results);
    if (latency->len > 0) {
        int64_t *v = (int64_t *)(void *)latency->data;
        sim_metrics_figure(metrics, "dispute_latency_p50_s",
                           (double)sim_percentile_i64(v, latency->len, 50) / NS_PER_S);
        sim_metrics_figure(metrics, "dispute_latency_p99_s",
                           (double)sim_percentile_i64(v, latency->len, 99) / NS_PER_S);
    }
}

void sim_dispute_obs_finish(sim_dispute_obs *d, sim_metrics *metrics, uint64_t jobs_posted)
{
    g_assert(!d->finished);
    d->finished = true;
    for (guint i = 0; i < d->rows->len; i++)
        g_array_append_val(metrics->disputes, g_array_index(d->rows, dispute_row, i).rec);
    GArray *latency = g_array_new(FALSE, FALSE, sizeof(int64_t));
    dispute_counts c = dispute_count(d, latency);
    sim_metrics_figure(metrics, "dispute_rate",
                       jobs_posted > 0 ? (double)d->rows->len / (double)jobs_posted : 0.0);
    sim_metrics_figure(metrics, "disputes_wrongful", (double)c.wrongful);
    if (d->active || d->rows->len > 0)
        dispute_figures(d, metrics, &c, latency);
    g_array_unref(latency);
}
