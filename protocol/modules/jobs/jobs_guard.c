/* Guarded jobs (jobs.h, "Guarded jobs"): the 2-of-3 multisig of consumer,
 * provider and a drawn arbiter that alone settles a large job once it is
 * delivered, and the expiry that releases it when nobody decides. */
#include <string.h>

#include "protocol/core/codec.h"
#include "protocol/modules/disputes/disputes.h"
#include "protocol/modules/jobs/jobs_internal.h"
#include "protocol/modules/multisig/multisig.h"

#define GUARD_DOMAIN "aitbc-guard"
#define GUARD_DOMAIN_SIZE (sizeof(GUARD_DOMAIN) - 1)

bool proto_jobs__guarded(const proto_jobs_params *p, uint64_t payment)
{
    return p->guard_min_payment > 0 && payment >= p->guard_min_payment;
}

static bool eligible(const proto_juror *x, uint32_t consumer, uint32_t provider)
{
    return (x->roles & PROTO_JUROR_ARBITER) != 0 && x->stake > 0 && x->account != consumer &&
           x->account != provider;
}

uint32_t proto_jobs__guard_arbiter(const proto_state *s, const proto_msg_ctx *ctx, uint64_t job,
                                   uint32_t consumer, uint32_t provider)
{
    uint64_t total = 0;
    uint32_t n = proto_disputes_jurors_count(s);
    for (uint32_t k = 0; k < n; k++) {
        const proto_juror *x = proto_disputes_juror_at(s, k);
        total += eligible(x, consumer, provider) ? x->stake : 0;
    }
    if (total == 0)
        return PROTO_ACCOUNT_NONE;
    uint8_t buf[GUARD_DOMAIN_SIZE + 8 + 8 + 8];
    memcpy(buf, GUARD_DOMAIN, GUARD_DOMAIN_SIZE);
    proto_le_put_u64(buf + GUARD_DOMAIN_SIZE, ctx->chain_id);
    proto_le_put_u64(buf + GUARD_DOMAIN_SIZE + 8, job);
    proto_le_put_u64(buf + GUARD_DOMAIN_SIZE + 16, (uint64_t)ctx->time_ns);
    proto_hash h;
    proto_hash_bytes(&h, buf, sizeof buf);
    uint64_t x = proto_le_get_u64(h.bytes) % total;
    for (uint32_t k = 0; k < n; k++) {
        const proto_juror *j = proto_disputes_juror_at(s, k);
        if (!eligible(j, consumer, provider))
            continue;
        if (x < j->stake)
            return j->account;
        x -= j->stake;
    }
    g_assert_not_reached();
}

uint32_t proto_jobs__make_guard(proto_state *s, const proto_msg_ctx *ctx, const proto_job *j)
{
    uint32_t arbiter = proto_jobs__guard_arbiter(s, ctx, j->id, j->consumer, j->provider);
    g_assert(arbiter != PROTO_ACCOUNT_NONE); /* the post's check drew it */
    uint32_t owners[3] = {j->consumer, j->provider, arbiter};
    uint32_t id = proto_multisig_create_for(s, ctx->undo, 2, 3, owners);
    g_assert(id != 0); /* the post's check asked */
    return id;
}

proto_job_status proto_jobs__guard_timeout(const jobs_state *st, const proto_job *j,
                                           int64_t now_ns)
{
    g_assert(j->status == PROTO_JOB_DELIVERED && j->guard != 0);
    return now_ns >= j->release_ns + st->params.guard_expiry_ns ? PROTO_JOB_RELEASED_AUTO
                                                                 : PROTO_JOB_NONE;
}

void proto_jobs_settle_guarded(proto_state *s, const proto_msg_ctx *ctx, uint64_t id, bool release)
{
    jobs_state *st = proto_jobs__mut(s, ctx->undo);
    gint k = proto_jobs__find(st, id);
    g_assert(k >= 0);
    const proto_job *j = &g_array_index(st->jobs, proto_job, k);
    g_assert(j->guard != 0 && j->status == PROTO_JOB_DELIVERED);
    proto_jobs__settle(s, ctx, st, (guint)k, release ? PROTO_JOB_RELEASED : PROTO_JOB_REJECTED,
                       release ? PROTO_JOBS__NO_FEEDBACK : 0);
}

uint64_t proto_jobs_settle_gas(const proto_gas_schedule *gas)
{
    /* JOB_CONFIRM's records: the job read and deleted, the provider's
     * record, the feedback record, an account, the escrow and where the
     * fee goes */
    return proto_jobs_msg_gas(gas, PROTO_TXMSG_JOB_CONFIRM);
}

bool proto_jobs_guarded_by(const proto_state *s, uint32_t multisig)
{
    const jobs_state *st = proto_jobs__get(s);
    for (guint k = 0; st != NULL && multisig != 0 && k < st->jobs->len; k++)
        if (g_array_index(st->jobs, proto_job, k).guard == multisig)
            return true;
    return false;
}
