/* A juror agent (agent.h, "Disputes"): it verifies results for consumers
 * that ask, sits on the disputes the chain draws it for, and decides the
 * guarded jobs it is the arbiter of (agent_guard.c) when their parties
 * do not agree.
 *
 * Every tick it walks the chain's live disputes for seats of its own in
 * the current round and acts by the phase: a verdict in tier 1, a commit
 * then a reveal in a panel. Its vote is what re-running the job showed,
 * once a party's evidence (agent_evidence.h) let it re-run; with no
 * evidence it does not vote (and loses its stake at risk if the round
 * is settled without it). Misbehaving jurors: `lazy` votes at random
 * without re-running; `collude` votes for a favoured party whatever the
 * evidence says.
 *
 * The commit's salt is BLAKE2b("aitbc-juror-salt" | the juror's X25519
 * secret | job | round): secret, and the same after a crash, so the
 * reveal needs nothing stored but the vote (a lazy juror's vote is a
 * draw, so it is stored; so is every vote, for simplicity). */
#include "protocol/agents/agent_internal.h"

#include <string.h>

#include "protocol/agents/agent_evidence.h"
#include "protocol/chain/txmsg_disputes.h"
#include "protocol/core/codec.h"
#include "protocol/modules/disputes/disputes.h"
#include "protocol/modules/jobs/jobs.h"
#include "protocol/modules/multisig/multisig.h"

/* A vote not on chain this long after it was sent is sent again. */
#define JUROR_RESEND_NS (2 * AGENT_RESEND_NS)

static void salt_of(const proto_agent *a, uint64_t job, uint32_t round, proto_hash *out)
{
    static const char tag[] = "aitbc-juror-salt";
    uint8_t buf[sizeof tag - 1 + AGENT_MSG_X25519_SIZE + 8 + 4];
    uint8_t *p = buf;
    memcpy(p, tag, sizeof tag - 1);
    p += sizeof tag - 1;
    memcpy(p, a->cfg.msg_key.sk, AGENT_MSG_X25519_SIZE);
    p += AGENT_MSG_X25519_SIZE;
    proto_le_put_u64(p, job);
    proto_le_put_u32(p + 8, round);
    proto_hash_bytes(out, buf, sizeof buf);
}

static bool colludes_with(const proto_agent *a, uint32_t account)
{
    for (uint32_t i = 0; i < a->cfg.behaviour.collude_count; i++)
        if (a->cfg.behaviour.collude[i] == account)
            return true;
    return false;
}

/* The juror's vote on a job whose parties are consumer and provider, or
 * 0 when it has none yet (an honest juror without evidence). */
static uint8_t choose(proto_agent *a, const agent_job *j, uint32_t consumer, uint32_t provider)
{
    if (colludes_with(a, provider))
        return PROTO_RULING_PROVIDER;
    if (colludes_with(a, consumer))
        return PROTO_RULING_CONSUMER;
    if (a->cfg.behaviour.lazy)
        return a->env.random_u64(a->env.ctx) % 2 ? PROTO_RULING_PROVIDER : PROTO_RULING_CONSUMER;
    if (j->phase != AGENT_JOB_CHECKED)
        return 0;
    return j->correct ? PROTO_RULING_PROVIDER : PROTO_RULING_CONSUMER;
}

static agent_job *record_of(proto_agent *a, uint64_t job)
{
    agent_job *j = agent_job_find(a, job);
    if (j == NULL) {
        j = agent_job_add(a, job);
        if (j != NULL) {
            j->phase = AGENT_JOB_SEATED;
            j->verifier = UINT32_MAX;
        }
    }
    return j;
}

/* Send the juror's vote for `round`: a verdict (round 0), a commit, or
 * the reveal of the stored vote (`step` 2). The same step is sent again
 * only after JUROR_RESEND_NS (the host's wallet resubmits meanwhile). */
static void send_vote(proto_agent *a, agent_job *j, const proto_dispute *d, uint32_t round,
                      uint8_t step)
{
    bool same = j->vote_round == round && j->vote != 0;
    if (same && j->vote_step == step && agent_now(a) - j->vote_sent_ns < JUROR_RESEND_NS)
        return;
    if (step == 2 && !same)
        return; /* a commit we have no record of (lost in a crash): the seat stays silent */
    uint8_t vote = same ? j->vote : choose(a, j, d->consumer, d->provider);
    if (vote == 0)
        return;
    proto_txmsg m;
    memset(&m, 0, sizeof m);
    proto_hash salt;
    salt_of(a, j->id, round, &salt);
    if (round == 0) {
        m.type = PROTO_TXMSG_DISPUTE_VERDICT;
        m.dispute_verdict.job = j->id;
        m.dispute_verdict.ruling = vote;
    } else if (step == 1) {
        m.type = PROTO_TXMSG_DISPUTE_COMMIT;
        m.dispute_commit.job = j->id;
        m.dispute_commit.round = (uint8_t)round;
        proto_dispute_commitment(a->cfg.chain_id, j->id, (uint8_t)round, a->cfg.account, vote,
                                 &salt, &m.dispute_commit.commitment);
    } else {
        m.type = PROTO_TXMSG_DISPUTE_REVEAL;
        m.dispute_reveal.job = j->id;
        m.dispute_reveal.round = (uint8_t)round;
        m.dispute_reveal.ruling = vote;
        m.dispute_reveal.salt = salt;
    }
    if (!agent_submit(a, &m))
        return;
    j->vote = vote;
    j->vote_round = (uint8_t)round;
    j->vote_step = step;
    j->vote_sent_ns = agent_now(a);
    a->dirty = true;
    if (!same)
        agent_report(a, (proto_agent_event){.kind = PROTO_AGENT_EV_VOTED, .job = j->id,
                                            .peer = UINT32_MAX, .round = round, .ruling = vote,
                                            .correct = j->phase == AGENT_JOB_CHECKED});
}

/* One dispute the juror may sit on. */
static void sit(proto_agent *a, const proto_state *s, const proto_dispute *d)
{
    if (d->phase != PROTO_DISPUTE_VERIFY && d->phase != PROTO_DISPUTE_COMMIT &&
        d->phase != PROTO_DISPUTE_REVEAL)
        return;
    uint32_t round = d->rounds - 1;
    bool voted = false, revealed = false;
    if (proto_disputes_seats_of(s, d->job, round, a->cfg.account, &voted, &revealed) == 0)
        return;
    agent_job *j = record_of(a, d->job);
    if (j == NULL)
        return; /* full: the seat goes silent */
    if (d->phase == PROTO_DISPUTE_REVEAL) {
        if (voted && !revealed)
            send_vote(a, j, d, round, 2);
    } else if (!voted) {
        send_vote(a, j, d, round, 1);
    }
}

/* Am I the arbiter of this guarded, delivered job? */
static bool guarding(const proto_agent *a, const proto_state *s, const proto_job *jb)
{
    return jb->guard != 0 && jb->status == PROTO_JOB_DELIVERED &&
           agent_guard_arbiter(s, jb) == a->cfg.account;
}

/* A guarded job I am the arbiter of: execute what two owners approved;
 * when the parties disagree or the consumer is silent past the window,
 * approve the side my vote favours (once I have one). */
static void arbitrate(proto_agent *a, const proto_state *s, const proto_job *jb)
{
    const proto_multisig *ms = proto_multisig_get(s, jb->guard);
    if (ms == NULL)
        return;
    bool contested = agent_guard_approvals(a, s, ms, jb->id, false) > 0 ||
                     agent_now(a) >= jb->release_ns;
    agent_job *j = agent_job_find(a, jb->id);
    if (j == NULL && !contested)
        return;
    if (j == NULL && (j = record_of(a, jb->id)) == NULL)
        return;
    agent_guard_exec_ready(a, s, j, jb);
    if (!contested || j->approved != 0)
        return;
    uint8_t vote = choose(a, j, jb->consumer, jb->provider);
    if (vote != 0)
        agent_guard_approve(a, s, j, jb->guard, vote == PROTO_RULING_PROVIDER);
}

/* Forget jobs the chain has settled or that no longer need us. */
static void tidy(proto_agent *a, const proto_state *s)
{
    for (guint i = a->jobs->len; i-- > 0;) {
        agent_job *j = g_ptr_array_index(a->jobs, i);
        const proto_job *jb = proto_jobs_get(s, j->id);
        bool live = jb != NULL && (jb->status == PROTO_JOB_DISPUTED || guarding(a, s, jb) ||
                                   (jb->status == PROTO_JOB_DELIVERED && j->verifier != UINT32_MAX));
        if (!live && j->phase != AGENT_JOB_CHECKING)
            agent_job_drop(a, j);
    }
}

void agent_juror_tick(proto_agent *a, const proto_state *s)
{
    if (!proto_disputes_active(s))
        return;
    tidy(a, s);
    for (uint32_t k = 0; k < proto_disputes_count(s); k++)
        sit(a, s, proto_disputes_at(s, k));
    if (!(a->cfg.juror_roles & PROTO_JUROR_ARBITER) || !proto_multisig_active(s))
        return;
    for (uint32_t k = 0; k < proto_jobs_count(s); k++) {
        const proto_job *jb = proto_jobs_at(s, k);
        if (guarding(a, s, jb))
            arbitrate(a, s, jb);
    }
}

static void reply(proto_agent *a, agent_job *j)
{
    const proto_state *s = a->env.chain_state(a->env.ctx);
    if (s == NULL || j->verifier == UINT32_MAX)
        return;
    uint8_t ruling = choose(a, j, PROTO_JOB_CONSUMER(j->id), j->peer);
    if (ruling == 0)
        return;
    uint8_t buf[AGENT_VERIFY_REPLY_SIZE];
    buf[0] = AGENT_EVIDENCE_VERSION;
    proto_le_put_u64(buf + 1, j->id);
    buf[9] = ruling;
    agent_send_sealed(a, s, NULL, j->verifier, AGENT_MSG_VERIFY_REPLY, j->id, buf, sizeof buf);
    j->verifier = UINT32_MAX; /* answered; the consumer asks again if it was lost */
    a->dirty = true;
}

void agent_juror_done(proto_agent *a, agent_job *j)
{
    g_assert(j->phase == AGENT_JOB_CHECKING);
    j->phase = AGENT_JOB_CHECKED;
    a->dirty = true;
    reply(a, j);
}

void agent_juror_message(proto_agent *a, const proto_state *s, const agent_msg_header *h,
                         const uint8_t *plain, size_t size)
{
    if (a->cfg.role != PROTO_AGENT_JUROR)
        return;
    const proto_job *jb = proto_jobs_get(s, h->job);
    if (jb == NULL || (h->from != jb->consumer && h->from != jb->provider))
        return;
    bool asked = h->kind == AGENT_MSG_VERIFY_REQUEST;
    if (asked ? (jb->status != PROTO_JOB_DELIVERED || h->from != jb->consumer ||
                 !(a->cfg.juror_roles & PROTO_JUROR_VERIFIER))
              : jb->status != PROTO_JOB_DISPUTED && !guarding(a, s, jb))
        return;
    agent_job *j = agent_job_find(a, h->job);
    if (j != NULL && j->phase != AGENT_JOB_SEATED) {
        if (asked) { /* known or under way: answer now, or when done */
            j->verifier = h->from;
            a->dirty = true;
            if (j->phase == AGENT_JOB_CHECKED)
                reply(a, j);
        }
        return;
    }
    bool correct = false;
    uint64_t work_ms = 0;
    agent_evidence_result r = agent_evidence_check(jb, h->job, plain, size, &correct, &work_ms);
    if (r != AGENT_EVIDENCE_OK) {
        agent_report(a, (proto_agent_event){.kind = PROTO_AGENT_EV_MSG_REFUSED, .job = h->job,
                                            .peer = h->from,
                                            .detail = agent_evidence_result_name(r)});
        return;
    }
    if (j == NULL && (j = record_of(a, h->job)) == NULL)
        return;
    j->peer = jb->provider;
    j->capability = jb->capability;
    j->work_ms = work_ms;
    j->correct = correct;
    if (asked)
        j->verifier = h->from;
    a->dirty = true;
    if (a->cfg.behaviour.lazy || colludes_with(a, jb->consumer) ||
        colludes_with(a, jb->provider)) {
        j->phase = AGENT_JOB_CHECKED; /* it does not re-run: its vote is made up anyway */
        reply(a, j);
        return;
    }
    j->phase = AGENT_JOB_CHECKING;
    a->env.compute(a->env.ctx, j->id, work_ms > 0 ? work_ms : 1);
}
