/* The consumer's half of a job (agent.h, steps 1, 2 and 5): match a
 * provider, post the escrowed job with the sealed input's hash, send
 * the input once the post is on chain, then judge the result (itself,
 * or by a verifier's re-run) and confirm or reject it; a rejection may
 * become a dispute (agent_party.c). */
#include "protocol/agents/agent_internal.h"

#include <string.h>

#include "protocol/agents/agent_evidence.h"
#include "protocol/agents/agent_match.h"
#include "protocol/core/codec.h"
#include "protocol/modules/disputes/disputes.h"
#include "protocol/modules/jobs/jobs.h"
#include "protocol/modules/registry/registry.h"

static GBytes *input_payload(proto_agent *a, uint64_t job, uint32_t capability, uint64_t work_ms)
{
    uint8_t buf[AGENT_INPUT_SIZE];
    buf[0] = 1;
    proto_le_put_u64(buf + 1, job);
    proto_le_put_u32(buf + 9, capability);
    proto_le_put_u64(buf + 13, work_ms);
    for (size_t i = 0; i < 32; i += 8)
        proto_le_put_u64(buf + 21 + i, a->env.random_u64(a->env.ctx));
    return g_bytes_new(buf, sizeof buf);
}

uint64_t agent_consumer_want(proto_agent *a, const proto_state *s, uint32_t capability,
                             uint64_t work_ms)
{
    const proto_agent_record *me = proto_registry_agent(s, a->cfg.account);
    if (me == NULL || me->status != PROTO_AGENT_ACTIVE)
        return 0;
    proto_match_request req = {.consumer = a->cfg.account,
                               .capability = capability,
                               .max_price = a->cfg.max_price,
                               .blocked = a->blocked,
                               .blocked_count = a->blocked_count};
    uint32_t provider = proto_match_provider(s, &req, a->env.random_u64(a->env.ctx));
    if (provider == PROTO_MATCH_NONE)
        return 0;
    const proto_agent_record *p = proto_registry_agent(s, provider);
    uint64_t payment = proto_agent_payment_for(p->price, work_ms);
    uint32_t seq = MAX(a->next_job_seq, me->next_job_seq);
    if (payment == 0 || seq == UINT32_MAX)
        return 0;
    uint64_t id = PROTO_JOB_ID(a->cfg.account, seq);
    GBytes *input = input_payload(a, id, capability, work_ms);
    gsize size = 0;
    const uint8_t *plain = g_bytes_get_data(input, &size);
    GBytes *sealed = agent_seal(a, s, provider, AGENT_MSG_JOB_INPUT, id, plain, size);
    g_assert(sealed != NULL); /* the provider's record is right there */
    proto_txmsg m = {.type = PROTO_TXMSG_JOB_POST};
    m.job_post.job = id;
    m.job_post.provider = provider;
    m.job_post.capability = capability;
    m.job_post.payment = payment;
    m.job_post.deadline_ms = a->cfg.deadline_ms;
    const uint8_t *wire = g_bytes_get_data(sealed, &size);
    proto_hash_bytes(&m.job_post.input_hash, wire, size);
    agent_job *j = agent_submit(a, &m) ? agent_job_add(a, id) : NULL;
    if (j == NULL) {
        g_bytes_unref(input);
        g_bytes_unref(sealed);
        return 0;
    }
    *j = (agent_job){.id = id, .peer = provider, .capability = capability, .work_ms = work_ms,
                     .payment = payment, .phase = AGENT_JOB_POSTING, .since_ns = agent_now(a),
                     .input = input, .sealed = sealed, .verifier = UINT32_MAX};
    a->next_job_seq = seq + 1;
    a->stats.jobs_posted++;
    agent_report(a, (proto_agent_event){.kind = PROTO_AGENT_EV_POSTED, .job = id,
                                        .peer = provider, .capability = capability,
                                        .work_ms = work_ms, .amount = payment});
    return id;
}

static void send_input(proto_agent *a, agent_job *j)
{
    g_bytes_ref(j->sealed);
    agent_send(a, j, j->peer, j->sealed);
    g_bytes_unref(j->sealed);
}

static void judge(proto_agent *a, agent_job *j, bool accept)
{
    const proto_state *s = a->env.chain_state(a->env.ctx);
    const proto_job *jb = s != NULL ? proto_jobs_get(s, j->id) : NULL;
    if (jb != NULL && jb->guard != 0) { /* approve a settlement instead (agent_guard.c) */
        if (!agent_guard_approve(a, s, j, jb->guard, accept))
            return;
        if (!accept && !a->cfg.behaviour.false_dispute)
            agent_block(a, j->peer);
        j->phase = AGENT_JOB_JUDGED;
        j->since_ns = agent_now(a);
        j->next_send_ns = 0;
        a->dirty = true;
        return;
    }
    proto_txmsg m = {.type = accept ? PROTO_TXMSG_JOB_CONFIRM : PROTO_TXMSG_JOB_REJECT};
    if (accept) {
        m.job_confirm.job = j->id;
        m.job_confirm.score = PROTO_TXMSG_SCORE_MAX;
    } else {
        m.job.job = j->id;
        if (!a->cfg.behaviour.false_dispute)
            agent_block(a, j->peer);
    }
    if (agent_submit(a, &m)) {
        j->phase = AGENT_JOB_JUDGED;
        j->since_ns = agent_now(a);
        a->dirty = true;
    }
}

/* A verifier drawn by stake among the staked verifiers that are not the
 * job's provider; UINT32_MAX when there is none. */
static uint32_t pick_verifier(proto_agent *a, const proto_state *s, uint32_t provider)
{
    uint64_t total = 0;
    for (uint32_t k = 0; k < proto_disputes_jurors_count(s); k++) {
        const proto_juror *x = proto_disputes_juror_at(s, k);
        if ((x->roles & PROTO_JUROR_VERIFIER) && x->account != provider &&
            x->account != a->cfg.account)
            total += x->stake;
    }
    if (total == 0)
        return UINT32_MAX;
    uint64_t point = a->env.random_u64(a->env.ctx) % total;
    for (uint32_t k = 0; k < proto_disputes_jurors_count(s); k++) {
        const proto_juror *x = proto_disputes_juror_at(s, k);
        if (!(x->roles & PROTO_JUROR_VERIFIER) || x->account == provider ||
            x->account == a->cfg.account)
            continue;
        if (point < x->stake)
            return x->account;
        point -= x->stake;
    }
    g_assert_not_reached();
}

/* Ask j->verifier to re-run the job: the evidence, sealed to it. */
static bool ask_verifier(proto_agent *a, const proto_state *s, agent_job *j)
{
    GBytes *evidence = agent_evidence_of(a, s, j);
    if (evidence == NULL)
        return false;
    gsize size = 0;
    const uint8_t *plain = g_bytes_get_data(evidence, &size);
    bool sent = agent_send_sealed(a, s, j, j->verifier, AGENT_MSG_VERIFY_REQUEST, j->id, plain,
                                  size);
    g_bytes_unref(evidence);
    return sent;
}

/* Waiting for the verifier: ask again now and then; with the window
 * closing, go by its own check (which found nothing wrong). */
static void verifying_tick(proto_agent *a, const proto_state *s, agent_job *j,
                           const proto_job *jb)
{
    int64_t now = agent_now(a);
    if (jb->status != PROTO_JOB_DELIVERED)
        return;
    if (now >= jb->release_ns - a->cfg.challenge_window_ns / 2)
        judge(a, j, true);
    else if (now >= j->next_send_ns && j->sends < AGENT_SENDS_MAX)
        ask_verifier(a, s, j);
}

void agent_consumer_verified(proto_agent *a, agent_job *j, const uint8_t *plain, size_t size)
{
    if (j->phase != AGENT_JOB_VERIFYING || size != AGENT_VERIFY_REPLY_SIZE ||
        plain[0] != AGENT_EVIDENCE_VERSION || proto_le_get_u64(plain + 1) != j->id ||
        (plain[9] != PROTO_RULING_CONSUMER && plain[9] != PROTO_RULING_PROVIDER))
        return;
    bool right = plain[9] == PROTO_RULING_PROVIDER;
    agent_report(a, (proto_agent_event){.kind = PROTO_AGENT_EV_VERIFIED, .job = j->id,
                                        .peer = j->verifier, .capability = j->capability,
                                        .correct = right});
    judge(a, j, right);
}

void agent_consumer_tick(proto_agent *a, const proto_state *s, agent_job *j)
{
    const proto_job *jb = proto_jobs_get(s, j->id);
    int64_t now = agent_now(a);
    if (j->phase == AGENT_JOB_POSTING) {
        if (jb != NULL) {
            j->phase = AGENT_JOB_INPUT_SENT;
            j->since_ns = now;
            a->dirty = true;
            send_input(a, j);
            return;
        }
        const proto_agent_record *me = proto_registry_agent(s, a->cfg.account);
        bool executed = me != NULL && me->next_job_seq > PROTO_JOB_SEQ(j->id);
        if (executed || now - j->since_ns >= AGENT_POST_TIMEOUT_NS) {
            if (!executed)
                agent_report(a, (proto_agent_event){.kind = PROTO_AGENT_EV_UNMATCHED,
                                                    .job = j->id, .peer = j->peer,
                                                    .capability = j->capability,
                                                    .work_ms = j->work_ms,
                                                    .detail = "post_lost"});
            agent_job_drop(a, j);
        }
        return;
    }
    if (jb == NULL) { /* settled (released or refunded) */
        agent_job_drop(a, j);
        return;
    }
    if (jb->status == PROTO_JOB_DISPUTED) {
        agent_party_tick(a, s, j);
        return;
    }
    if (j->phase == AGENT_JOB_JUDGED && jb->guard != 0) {
        agent_guard_party_tick(a, s, j, jb);
        return;
    }
    if (j->phase == AGENT_JOB_VERIFYING) {
        verifying_tick(a, s, j, jb);
        return;
    }
    if (j->phase != AGENT_JOB_INPUT_SENT)
        return;
    if (jb->status == PROTO_JOB_DELIVERED && j->early_wire != NULL) {
        GBytes *wire = j->early_wire, *plain = j->early_plain;
        j->early_wire = j->early_plain = NULL;
        gsize size = 0;
        const uint8_t *p = g_bytes_get_data(plain, &size);
        agent_consumer_result(a, s, j, p, size, wire);
        g_bytes_unref(wire);
        g_bytes_unref(plain);
    } else if (jb->status == PROTO_JOB_POSTED && now >= j->next_send_ns &&
               j->sends < AGENT_SENDS_MAX) {
        send_input(a, j);
    } else if (jb->status == PROTO_JOB_DELIVERED &&
               now >= jb->release_ns - a->cfg.challenge_window_ns / 2) {
        /* A result committed on chain but never shown to us: reject it
         * while the window is open. */
        judge(a, j, false);
    }
}

void agent_consumer_result(proto_agent *a, const proto_state *s, agent_job *j,
                           const uint8_t *plain, size_t size, GBytes *wire)
{
    if (j->phase != AGENT_JOB_INPUT_SENT || size != AGENT_RESULT_SIZE || plain[0] != 1 ||
        proto_le_get_u64(plain + 1) != j->id)
        return;
    const proto_job *jb = proto_jobs_get(s, j->id);
    if (jb == NULL)
        return;
    if (jb->status != PROTO_JOB_DELIVERED) {
        /* Its commitment has not reached our host yet: keep it for the
         * tick that sees it (the newest copy wins). */
        if (j->early_wire != NULL) {
            g_bytes_unref(j->early_wire);
            g_bytes_unref(j->early_plain);
        }
        j->early_wire = g_bytes_ref(wire);
        j->early_plain = g_bytes_new(plain, size);
        return;
    }
    gsize wire_size = 0;
    const uint8_t *bytes = g_bytes_get_data(wire, &wire_size);
    proto_hash h;
    proto_hash_bytes(&h, bytes, wire_size);
    if (memcmp(h.bytes, jb->result_hash.bytes, PROTO_HASH_SIZE) != 0)
        return; /* not the result the provider committed to */
    gsize input_size = 0;
    const uint8_t *input = g_bytes_get_data(j->input, &input_size);
    proto_hash answer;
    proto_agent_answer(input, input_size, &answer);
    bool right = memcmp(answer.bytes, plain + 9, PROTO_HASH_SIZE) == 0;
    bool noticed = !right && a->env.random_u64(a->env.ctx) % 1000000u < a->cfg.notice_ppm;
    if (j->result_wire != NULL)
        g_bytes_unref(j->result_wire);
    j->result_wire = g_bytes_ref(wire); /* the evidence, should it come to a dispute */
    a->dirty = true;
    agent_report(a, (proto_agent_event){.kind = PROTO_AGENT_EV_JUDGED, .job = j->id,
                                        .peer = j->peer, .capability = j->capability,
                                        .correct = !noticed});
    if (a->cfg.behaviour.false_dispute) {
        judge(a, j, false); /* whatever it got */
        return;
    }
    if (!noticed && a->cfg.verify_ppm > 0 && proto_disputes_active(s) &&
        a->env.random_u64(a->env.ctx) % 1000000u < a->cfg.verify_ppm) {
        j->verifier = pick_verifier(a, s, j->peer);
        if (j->verifier != UINT32_MAX) {
            j->phase = AGENT_JOB_VERIFYING;
            j->since_ns = agent_now(a);
            j->sends = 0;
            if (ask_verifier(a, s, j))
                return;
            j->phase = AGENT_JOB_INPUT_SENT;
        }
    }
    judge(a, j, !noticed);
}
