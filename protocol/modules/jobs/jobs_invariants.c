/* The jobs module's invariants (jobs.h), checked against the registry:
 * the escrow is the sum of the live jobs' payments and fees (so the
 * module's supply is exactly what it owes); jobs are sorted by id and
 * live (DISPUTED only with the disputes module, which checks that each
 * has its dispute); each fee is the parameters' share of its payment; each job's
 * times fit its status; each job's sequence is below its consumer's
 * next, so its id can never be posted again; and each agent's
 * jobs_open is the number of live jobs naming it as provider. */
#include "protocol/chain/tx_envelope.h"
#include "protocol/modules/disputes/disputes.h"
#include "protocol/modules/jobs/jobs_internal.h"
#include "protocol/modules/multisig/multisig.h"
#include "protocol/modules/registry/registry.h"

#define NS_PER_MS 1000000LL

static void broken(GString *why, bool *ok, const char *sentence, uint64_t id)
{
    g_string_append_printf(why, "%s%s (job %" G_GUINT64_FORMAT ")", *ok ? "" : ", ", sentence,
                           id);
    *ok = false;
}

static bool times_fit(const jobs_state *st, const proto_job *j)
{
    if (j->status < PROTO_JOB_ACCEPTED)
        return j->accepted_ns == 0 && j->due_ns == 0 && j->delivered_ns == 0 &&
               j->release_ns == 0;
    if (j->due_ns != j->accepted_ns + (int64_t)j->deadline_ms * NS_PER_MS)
        return false;
    if (j->status < PROTO_JOB_DELIVERED)
        return j->delivered_ns == 0 && j->release_ns == 0;
    /* DELIVERED, DISPUTED */
    return j->delivered_ns < j->due_ns &&
           j->release_ns == j->delivered_ns + st->params.challenge_window_ns;
}

/* Guarded exactly when its payment says so, by a multisig of its two
 * parties and one more owner, threshold 2, that has executed nothing
 * (its only operation settles the job). */
static bool guard_fits(const proto_state *s, const jobs_state *st, const proto_job *j)
{
    if (!proto_jobs__guarded(&st->params, j->payment))
        return j->guard == 0;
    const proto_multisig *ms = proto_multisig_get(s, j->guard);
    return ms != NULL && ms->threshold == 2 && ms->owners_count == 3 && ms->nonce == 0 &&
           proto_multisig_is_owner(ms, j->consumer) && proto_multisig_is_owner(ms, j->provider);
}

/* One job on its own and against its consumer's record. */
static void check_job(const proto_state *s, const jobs_state *st, const proto_job *j,
                      GString *why, bool *ok)
{
    if (!proto_job_status_live(j->status))
        broken(why, ok, "a live job has a settled or unknown status", j->id);
    if (j->status == PROTO_JOB_DISPUTED && !proto_disputes_active(s))
        broken(why, ok, "a job is disputed in a chain without the disputes module", j->id);
    if (j->consumer != PROTO_JOB_CONSUMER(j->id) || PROTO_JOB_SEQ(j->id) == 0)
        broken(why, ok, "a job's id does not name its consumer and a sequence", j->id);
    if (j->payment == 0 || j->fee != proto_jobs_fee(&st->params, j->payment))
        broken(why, ok, "a job's fee is not its payment's share", j->id);
    if (!times_fit(st, j))
        broken(why, ok, "a job's times do not fit its status", j->id);
    if (!guard_fits(s, st, j))
        broken(why, ok, "a job's guard is not a 2-of-3 multisig of its parties", j->id);
    if (j->terms < 1 || j->terms > st->terms)
        broken(why, ok, "a job's terms are not a version the module has reached", j->id);
    const proto_agent_record *c = proto_registry_agent(s, j->consumer);
    if (c == NULL || PROTO_JOB_SEQ(j->id) >= c->next_job_seq)
        broken(why, ok, "a job's sequence is not below its consumer's next", j->id);
}

static gint u32_cmp(gconstpointer a, gconstpointer b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* jobs_open of every agent against the live jobs naming it: both sides
 * walked in account order. */
static void check_open(const proto_state *s, const jobs_state *st, GString *why, bool *ok)
{
    GArray *providers = g_array_sized_new(FALSE, FALSE, sizeof(uint32_t), st->jobs->len);
    for (guint k = 0; k < st->jobs->len; k++)
        g_array_append_val(providers, g_array_index(st->jobs, proto_job, k).provider);
    g_array_sort(providers, u32_cmp);
    guint p = 0;
    for (uint32_t k = 0; k < proto_registry_count(s); k++) {
        const proto_agent_record *a = proto_registry_at(s, k);
        while (p < providers->len && g_array_index(providers, uint32_t, p) < a->account) {
            broken(why, ok, "a job names a provider with no record", 0);
            p++;
        }
        uint32_t n = 0;
        for (; p < providers->len && g_array_index(providers, uint32_t, p) == a->account; p++)
            n++;
        if (n != a->jobs_open)
            broken(why, ok, "an agent's jobs_open is not its live jobs", a->account);
    }
    if (p < providers->len)
        broken(why, ok, "a job names a provider with no record", 0);
    g_array_unref(providers);
}

bool proto_jobs__invariants(const proto_state *s, const void *state, GString *why)
{
    if (state == NULL)
        return true;
    const jobs_state *st = state;
    bool ok = true;
    uint64_t escrow = 0;
    for (guint k = 0; k < st->jobs->len; k++) {
        const proto_job *j = &g_array_index(st->jobs, proto_job, k);
        if (k > 0 && g_array_index(st->jobs, proto_job, k - 1).id >= j->id)
            broken(why, &ok, "jobs are not sorted by id", j->id);
        check_job(s, st, j, why, &ok);
        escrow += j->payment + j->fee;
    }
    if (escrow != st->escrow)
        broken(why, &ok, "the escrow is not the sum of the live jobs' payments and fees", 0);
    if (st->params.treasury != 0 && proto_multisig_get(s, st->params.treasury) == NULL)
        broken(why, &ok, "the treasury names no multisig", st->params.treasury);
    if (!proto_registry_active(s)) {
        if (st->jobs->len > 0)
            broken(why, &ok, "jobs live without a registry", 0);
        return ok;
    }
    check_open(s, st, why, &ok);
    return ok;
}
