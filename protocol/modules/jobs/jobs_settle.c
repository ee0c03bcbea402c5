/* Settling escrowed jobs (jobs.h): where the tokens go for each outcome,
 * the registry effects that come with it, the events, and the end block
 * that settles the jobs whose time ran out.
 *
 * Tokens. A refund credits payment + fee to the consumer; a release
 * credits the payment to the provider and the fee to the treasury
 * multisig when the chain has one, else to the distribution module's fee
 * collector (burned when that module has no state); a split
 * (a dispute with no ruling) credits half the payment to the provider
 * and the rest, with the fee, to the consumer. Either
 * way the escrow drops by exactly what left it, so the total supply is
 * unchanged and a job, removed here, is settled exactly once. */
#include "protocol/core/event.h"
#include "protocol/modules/distribution/distribution.h"
#include "protocol/modules/jobs/jobs_internal.h"
#include "protocol/modules/multisig/multisig.h"
#include "protocol/modules/registry/registry.h"

void proto_jobs__report(GArray *events, const proto_job *job, proto_job_status prev,
                        proto_job_status status, uint64_t amount)
{
    if (events == NULL)
        return;
    proto_event ev = {.kind = PROTO_EV_JOB_STATUS,
                      .account = job->provider,
                      .job = job->id,
                      .status = (uint32_t)status,
                      .prev_status = (uint32_t)prev,
                      .job_payment = job->payment,
                      .amount = amount};
    g_array_append_val(events, ev);
}

static void credit(proto_state *s, proto_undo *undo, uint32_t account, uint64_t amount)
{
    if (amount > 0)
        proto_state_account_mut(s, account, undo)->balance += amount;
}

/* Where the escrow goes: all back to the consumer, the payment to the
 * provider and the fee to the collector (a release; under escrow v2
 * terms, half the fee burned and half to the provider), or half the
 * payment (rounded down) to the provider and the rest back (a split).
 * Returns the part of the fee the provider got. */
static uint64_t pay_out(proto_state *s, proto_undo *undo, const jobs_state *st,
                        const proto_job *job, proto_job_status outcome)
{
    switch (outcome) {
    case PROTO_JOB_RELEASED:
    case PROTO_JOB_RELEASED_AUTO:
    case PROTO_JOB_UPHELD: {
        if (job->terms >= 2) { /* escrow v2: half the fee burned, half to the provider */
            uint64_t burned = proto_jobs__fee_burned(st, job);
            credit(s, undo, job->provider, job->payment + job->fee - burned);
            if (burned > 0)
                proto_state_burn(s, burned, undo);
            return job->fee - burned;
        }
        credit(s, undo, job->provider, job->payment);
        uint64_t collected = job->fee;
        if (collected == 0)
            return 0;
        if (st->params.treasury != 0)
            proto_multisig_credit(s, undo, st->params.treasury, collected);
        else if (proto_distribution_active(s))
            proto_distribution_collect(s, collected, undo);
        else
            proto_state_burn(s, collected, undo);
        return 0;
    }
    case PROTO_JOB_SPLIT:
        credit(s, undo, job->provider, job->payment / 2);
        credit(s, undo, job->consumer, job->payment - job->payment / 2 + job->fee);
        return 0;
    default: /* a refund */
        credit(s, undo, job->consumer, job->payment + job->fee);
        return 0;
    }
}

/* The registry side of an outcome; returns the bond slashed. */
static uint64_t registry_effects(proto_state *s, proto_undo *undo, const proto_job *job,
                                 proto_job_status outcome, uint8_t score)
{
    uint64_t slashed = 0;
    switch (outcome) {
    case PROTO_JOB_RELEASED:
        if (score != PROTO_JOBS__NO_FEEDBACK)
            proto_registry_feedback(s, undo, job->consumer, job->provider, score);
        proto_registry_count_outcome(s, undo, job->provider, true);
        break;
    case PROTO_JOB_RELEASED_AUTO:
    case PROTO_JOB_UPHELD:
        proto_registry_count_outcome(s, undo, job->provider, true);
        break;
    case PROTO_JOB_MISSED:
        slashed = proto_registry_slash(s, undo, job->provider,
                                       proto_registry_params_of(s)->noshow_slash_permille);
        /* fall through: a miss is also a failure with a score of 0 */
        __attribute__((fallthrough));
    case PROTO_JOB_REJECTED:
    case PROTO_JOB_OVERTURNED:
        proto_registry_feedback(s, undo, job->consumer, job->provider, 0);
        proto_registry_count_outcome(s, undo, job->provider, false);
        break;
    default: /* EXPIRED, DECLINED, CANCELLED, SPLIT: nobody is to blame */
        break;
    }
    proto_registry_jobs_open_add(s, undo, job->provider, -1);
    return slashed;
}

void proto_jobs__settle(proto_state *s, const proto_msg_ctx *ctx, jobs_state *st, guint k,
                        proto_job_status outcome, uint8_t score)
{
    g_assert(k < st->jobs->len && proto_job_status_outcome(outcome));
    proto_job job = g_array_index(st->jobs, proto_job, k);
    g_array_remove_index(st->jobs, k);
    g_assert(st->escrow >= job.payment + job.fee);
    st->escrow -= job.payment + job.fee;
    uint64_t fee_share = pay_out(s, ctx->undo, st, &job, outcome);
    uint64_t slashed = registry_effects(s, ctx->undo, &job, outcome, score);
    g_assert(fee_share == 0 || slashed == 0); /* a release slashes nobody */
    proto_jobs__report(ctx->events, &job, job.status, outcome, slashed + fee_share);
}

void proto_jobs_settle_disputed(proto_state *s, const proto_msg_ctx *ctx, uint64_t id,
                                proto_job_status outcome)
{
    g_assert(outcome == PROTO_JOB_OVERTURNED || outcome == PROTO_JOB_UPHELD ||
             outcome == PROTO_JOB_SPLIT);
    jobs_state *st = proto_jobs__mut(s, ctx->undo);
    gint k = proto_jobs__find(st, id);
    g_assert(k >= 0 && g_array_index(st->jobs, proto_job, k).status == PROTO_JOB_DISPUTED);
    proto_jobs__settle(s, ctx, st, (guint)k, outcome, 0);
}

/* ---- end block ---- */

/* The outcome the job's time gives it at now, or PROTO_JOB_NONE. */
static proto_job_status timeout_of(const jobs_state *st, const proto_job *j, int64_t now_ns)
{
    switch (j->status) {
    case PROTO_JOB_POSTED:
        return now_ns >= j->posted_ns + st->params.accept_timeout_ns ? PROTO_JOB_EXPIRED
                                                                      : PROTO_JOB_NONE;
    case PROTO_JOB_ACCEPTED:
        return now_ns >= j->due_ns ? PROTO_JOB_MISSED : PROTO_JOB_NONE;
    case PROTO_JOB_DELIVERED:
        if (j->guard != 0)
            return proto_jobs__guard_timeout(st, j, now_ns);
        return now_ns >= j->release_ns ? PROTO_JOB_RELEASED_AUTO : PROTO_JOB_NONE;
    default:
        return PROTO_JOB_NONE;
    }
}

static bool anything_due(const jobs_state *st, int64_t now_ns)
{
    for (guint k = 0; k < st->jobs->len; k++)
        if (timeout_of(st, &g_array_index(st->jobs, proto_job, k), now_ns) != PROTO_JOB_NONE)
            return true;
    return false;
}

/* In id order; a block where nothing is due records no undo. */
bool proto_jobs__end_block(proto_state *s, const proto_msg_ctx *ctx)
{
    const jobs_state *now = proto_jobs__get(s);
    if (now == NULL || !anything_due(now, ctx->time_ns))
        return true;
    jobs_state *st = proto_jobs__mut(s, ctx->undo);
    guint k = 0;
    while (k < st->jobs->len) {
        proto_job_status outcome =
            timeout_of(st, &g_array_index(st->jobs, proto_job, k), ctx->time_ns);
        if (outcome == PROTO_JOB_NONE)
            k++;
        else
            proto_jobs__settle(s, ctx, st, k, outcome, 0); /* removes k */
    }
    return true;
}
