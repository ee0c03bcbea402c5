/* The parties' side of guarded jobs (protocol/modules/jobs/jobs.h,
 * "Guarded jobs"): a large job settled by a 2-of-3 multisig of consumer,
 * provider and an arbiter.
 *
 * The provider approves the release as soon as its result is in. The
 * consumer approves the release when it finds the result right, the
 * refund when not (what would be a confirm or a rejection). When the
 * two agree, that is two approvals and either executes. When they do
 * not, or the consumer is silent past the challenge window, the side in
 * the right shows the arbiter the evidence (agent_evidence.h), which
 * re-runs the job and approves one side (agent_juror.c). The side a
 * settlement pays executes it once two owners approved it (again every
 * AGENT_RESEND_NS while the job lives: a lost EXEC); another owner does
 * when that side has not for two periods (it is offline). */
#include "protocol/agents/agent_internal.h"

#include <string.h>

#include "protocol/agents/agent_evidence.h"
#include "protocol/chain/txmsg_multisig.h"
#include "protocol/modules/jobs/jobs.h"
#include "protocol/modules/multisig/multisig.h"
#include "protocol/modules/registry/registry.h"

static proto_multisig_op settle_op(uint64_t job, bool release)
{
    proto_multisig_op op;
    memset(&op, 0, sizeof op);
    op.type = PROTO_MULTISIG_OP_JOB_SETTLE;
    op.job_settle.job = job;
    op.job_settle.release = release;
    return op;
}

uint32_t agent_guard_approvals(const proto_agent *a, const proto_state *s,
                               const proto_multisig *ms, uint64_t job, bool release)
{
    proto_multisig_op op = settle_op(job, release);
    proto_hash h;
    proto_multisig_op_hash(a->cfg.chain_id, ms->id, ms->nonce, &op, &h);
    return proto_multisig_approvals(s, ms->id, &h);
}

uint32_t agent_guard_arbiter(const proto_state *s, const proto_job *jb)
{
    const proto_multisig *ms = proto_multisig_get(s, jb->guard);
    for (uint32_t k = 0; ms != NULL && k < ms->owners_count; k++)
        if (ms->owners[k] != jb->consumer && ms->owners[k] != jb->provider)
            return ms->owners[k];
    return UINT32_MAX;
}

bool agent_guard_approve(proto_agent *a, const proto_state *s, agent_job *j, uint32_t guard,
                         bool release)
{
    const proto_multisig *ms = proto_multisig_get(s, guard);
    if (ms == NULL || j->approved != 0)
        return ms != NULL;
    proto_multisig_op op = settle_op(j->id, release);
    proto_txmsg m = {.type = PROTO_TXMSG_MULTISIG_APPROVE};
    m.multisig_approve.multisig = guard;
    m.multisig_approve.nonce = ms->nonce;
    proto_multisig_op_hash(a->cfg.chain_id, guard, ms->nonce, &op, &m.multisig_approve.op_hash);
    if (!agent_submit(a, &m))
        return false;
    j->approved = release ? 1 : 2;
    a->dirty = true;
    return true;
}

void agent_guard_exec_ready(proto_agent *a, const proto_state *s, agent_job *j,
                            const proto_job *jb)
{
    const proto_multisig *ms = proto_multisig_get(s, jb->guard);
    if (ms == NULL)
        return;
    int64_t now = agent_now(a);
    for (int release = 1; release >= 0; release--) {
        if (agent_guard_approvals(a, s, ms, j->id, release) < ms->threshold)
            continue;
        /* The side it pays executes at once; another owner only if that
         * side has not after two resend periods (offline). */
        uint32_t payee = release ? jb->provider : jb->consumer;
        int64_t wait_ns = payee == a->cfg.account ? AGENT_RESEND_NS : 2 * AGENT_RESEND_NS;
        if (payee != a->cfg.account && j->exec_ns == 0) {
            j->exec_ns = now; /* first seen ready */
            a->dirty = true;
            return;
        }
        if (j->exec_ns != 0 && now - j->exec_ns < wait_ns)
            return;
        proto_txmsg m = {.type = PROTO_TXMSG_MULTISIG_EXEC};
        m.multisig_exec.multisig = ms->id;
        m.multisig_exec.nonce = ms->nonce;
        m.multisig_exec.op = settle_op(j->id, release);
        if (agent_submit(a, &m)) {
            j->exec_ns = agent_now(a);
            a->dirty = true;
        }
        return;
    }
}

/* Show the guard's arbiter the evidence, every AGENT_RESEND_NS. */
static void show_arbiter(proto_agent *a, const proto_state *s, agent_job *j, const proto_job *jb)
{
    uint32_t arbiter = agent_guard_arbiter(s, jb);
    if (arbiter == UINT32_MAX || agent_now(a) < j->next_send_ns)
        return;
    GBytes *evidence = agent_evidence_of(a, s, j);
    if (evidence == NULL)
        return;
    gsize size = 0;
    const uint8_t *plain = g_bytes_get_data(evidence, &size);
    agent_send_sealed(a, s, NULL, arbiter, AGENT_MSG_EVIDENCE, j->id, plain, size);
    g_bytes_unref(evidence);
    j->next_send_ns = agent_now(a) + AGENT_RESEND_NS;
}

void agent_guard_party_tick(proto_agent *a, const proto_state *s, agent_job *j,
                            const proto_job *jb)
{
    if (jb->guard == 0 || jb->status != PROTO_JOB_DELIVERED)
        return;
    bool provider = a->cfg.role == PROTO_AGENT_PROVIDER;
    if (provider)
        agent_guard_approve(a, s, j, jb->guard, true);
    agent_guard_exec_ready(a, s, j, jb);
    const proto_multisig *ms = proto_multisig_get(s, jb->guard);
    if (ms == NULL || agent_guard_approvals(a, s, ms, j->id, true) >= ms->threshold ||
        agent_guard_approvals(a, s, ms, j->id, false) >= ms->threshold)
        return; /* decided: the EXEC is on its way */
    /* Undecided: the side in the right asks the arbiter to decide. */
    bool honest = provider ? !a->cfg.behaviour.wrong_result : !a->cfg.behaviour.false_dispute;
    bool contested = provider ? agent_now(a) >= jb->release_ns ||
                                    agent_guard_approvals(a, s, ms, j->id, false) > 0
                              : j->approved == 2;
    if (honest && contested)
        show_arbiter(a, s, j, jb);
}
