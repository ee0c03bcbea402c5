/* The provider's half of a job (agent.h, steps 3 and 4): check a sealed
 * input against the chain's commitment and the payment against its
 * price, accept and compute (or decline), then seal, commit and send
 * the result, again until the job is settled. Its configured
 * misbehaviour (no-show, wrong result, slow) acts here. */
#include "protocol/agents/agent_internal.h"

#include <string.h>

#include "protocol/core/codec.h"
#include "protocol/modules/jobs/jobs.h"
#include "protocol/modules/registry/registry.h"

void agent_provider_input(proto_agent *a, const proto_state *s, uint32_t from, uint64_t job,
                          const uint8_t *plain, size_t size, GBytes *wire)
{
    if (a->cfg.role != PROTO_AGENT_PROVIDER || size != AGENT_INPUT_SIZE || plain[0] != 1 ||
        proto_le_get_u64(plain + 1) != job || PROTO_JOB_CONSUMER(job) != from ||
        agent_job_find(a, job) != NULL)
        return;
    agent_job *j = agent_job_add(a, job);
    if (j == NULL)
        return; /* full: the job expires unaccepted and is refunded */
    j->peer = from;
    j->capability = proto_le_get_u32(plain + 9);
    j->work_ms = proto_le_get_u64(plain + 13);
    j->phase = AGENT_JOB_RECEIVED;
    j->input = g_bytes_new(plain, size);
    j->sealed = g_bytes_ref(wire);
    agent_provider_tick(a, s, j);
}

static uint32_t jobs_working(const proto_agent *a)
{
    uint32_t n = 0;
    for (guint i = 0; i < a->jobs->len; i++)
        n += ((const agent_job *)g_ptr_array_index(a->jobs, i))->phase == AGENT_JOB_WORKING;
    return n;
}

/* Why the provider will not take the job on chain, or NULL. */
static const char *refusal(const proto_agent *a, const agent_job *j, const proto_job *jb)
{
    gsize size = 0;
    const uint8_t *wire = g_bytes_get_data(j->sealed, &size);
    proto_hash h;
    proto_hash_bytes(&h, wire, size);
    if (memcmp(h.bytes, jb->input_hash.bytes, PROTO_HASH_SIZE) != 0)
        return "input_mismatch";
    if (jb->capability != j->capability || (a->cfg.capabilities & (1u << j->capability)) == 0)
        return "capability";
    uint64_t owed = proto_agent_payment_for(a->cfg.price, j->work_ms);
    if (owed == 0 || jb->payment < owed)
        return "underpaid";
    if (jobs_working(a) >= 2 * a->cfg.capacity)
        return "busy";
    if (a->leaving)
        return "leaving";
    return NULL;
}

static void decide(proto_agent *a, agent_job *j, const proto_job *jb)
{
    const char *why = refusal(a, j, jb);
    proto_txmsg m = {.type = why == NULL ? PROTO_TXMSG_JOB_ACCEPT : PROTO_TXMSG_JOB_DECLINE,
                     .job = {.job = j->id}};
    if (!agent_submit(a, &m))
        return; /* tried again at the next tick */
    if (why != NULL) {
        agent_report(a, (proto_agent_event){.kind = PROTO_AGENT_EV_DECLINED, .job = j->id,
                                            .peer = j->peer, .detail = why});
        agent_job_drop(a, j);
        return;
    }
    j->payment = jb->payment;
    j->phase = AGENT_JOB_WORKING;
    j->since_ns = agent_now(a); /* the sealed input stays: evidence, should it be disputed */
    a->dirty = true;
    a->stats.jobs_accepted++;
    agent_report(a, (proto_agent_event){.kind = PROTO_AGENT_EV_ACCEPTED, .job = j->id,
                                        .peer = j->peer, .capability = j->capability,
                                        .work_ms = j->work_ms, .amount = jb->payment});
    if (!a->cfg.behaviour.no_show)
        a->env.compute(a->env.ctx, j->id, j->work_ms);
}

void agent_provider_tick(proto_agent *a, const proto_state *s, agent_job *j)
{
    const proto_job *jb = proto_jobs_get(s, j->id);
    int64_t now = agent_now(a);
    if (j->phase == AGENT_JOB_RECEIVED) {
        if (jb != NULL && jb->provider == a->cfg.account && jb->status == PROTO_JOB_POSTED)
            decide(a, j, jb);
        else if (now - j->since_ns >= AGENT_POST_TIMEOUT_NS)
            agent_job_drop(a, j);
        return;
    }
    if (jb == NULL) { /* settled */
        agent_job_drop(a, j);
        return;
    }
    if (j->phase == AGENT_JOB_DELIVERING && jb->status == PROTO_JOB_DISPUTED) {
        agent_party_tick(a, s, j);
        return;
    }
    if (j->phase == AGENT_JOB_DELIVERING && jb->guard != 0)
        agent_guard_party_tick(a, s, j, jb);
    if (j->phase == AGENT_JOB_DELIVERING && jb->status == PROTO_JOB_DELIVERED &&
        now >= j->next_send_ns && j->sends < AGENT_SENDS_MAX) {
        g_bytes_ref(j->result_wire);
        agent_send(a, j, j->peer, j->result_wire);
        g_bytes_unref(j->result_wire);
    }
}

void agent_provider_done(proto_agent *a, agent_job *j)
{
    if (a->cfg.behaviour.slow_ns > 0)
        a->env.set_timer(a->env.ctx, a->cfg.behaviour.slow_ns, PROTO_AGENT_TIMER_DELIVER, j->id);
    else
        agent_provider_deliver(a, j);
}

void agent_provider_deliver(proto_agent *a, agent_job *j)
{
    const proto_state *s = a->env.chain_state(a->env.ctx);
    if (s == NULL)
        return; /* the host is down: the deadline decides */
    gsize size = 0;
    const uint8_t *input = g_bytes_get_data(j->input, &size);
    uint8_t result[AGENT_RESULT_SIZE];
    result[0] = 1;
    proto_le_put_u64(result + 1, j->id);
    proto_hash answer;
    proto_agent_answer(input, size, &answer);
    if (a->cfg.behaviour.wrong_result)
        answer.bytes[0] ^= 0xff;
    memcpy(result + 9, answer.bytes, PROTO_HASH_SIZE);
    GBytes *sealed = agent_seal(a, s, j->peer, AGENT_MSG_JOB_RESULT, j->id, result, sizeof result);
    if (sealed == NULL)
        return; /* the consumer left the registry: nobody to deliver to */
    proto_txmsg m = {.type = PROTO_TXMSG_JOB_RESULT};
    m.job_result.job = j->id;
    const uint8_t *wire = g_bytes_get_data(sealed, &size);
    proto_hash_bytes(&m.job_result.result_hash, wire, size);
    if (!agent_submit(a, &m)) {
        g_bytes_unref(sealed);
        return;
    }
    j->phase = AGENT_JOB_DELIVERING;
    j->since_ns = agent_now(a);
    j->correct = !a->cfg.behaviour.wrong_result;
    j->result_wire = sealed;
    j->sends = 0;
    a->dirty = true;
    a->stats.jobs_delivered++;
    agent_report(a, (proto_agent_event){.kind = PROTO_AGENT_EV_DELIVERED, .job = j->id,
                                        .peer = j->peer, .capability = j->capability,
                                        .correct = j->correct});
    /* Sent now; the commitment usually lands first at the consumer's
     * host a block later, so it is sent again until settled. */
    g_bytes_ref(sealed);
    agent_send(a, j, j->peer, sealed);
    g_bytes_unref(sealed);
}
