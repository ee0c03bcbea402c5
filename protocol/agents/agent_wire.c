/* The agent's sealed messages (agent_msg.h): sealing a job payload to
 * another agent with the keys the registry publishes, and opening what
 * the network brings, refusing (and counting) what is tampered with,
 * replayed, or meant for someone else. */
#include "protocol/agents/agent_internal.h"

#include "protocol/agents/agent_evidence.h"
#include "protocol/modules/registry/registry.h"

static uint64_t agent_random(void *ctx)
{
    proto_agent *a = ctx;
    return a->env.random_u64(a->env.ctx);
}

static agent_msg_self self_of(const proto_agent *a)
{
    agent_msg_self me = {.account = a->cfg.account, .identity = a->cfg.identity};
    me.box = a->cfg.msg_key;
    return me;
}

GBytes *agent_seal(proto_agent *a, const proto_state *s, uint32_t to, uint8_t kind, uint64_t job,
                   const uint8_t *plain, size_t size)
{
    const proto_agent_record *peer = proto_registry_agent(s, to);
    if (peer == NULL)
        return NULL;
    agent_msg_self me = self_of(a);
    agent_msg_header h = {.kind = kind, .from = a->cfg.account, .to = to, .job = job,
                          .seq = ++a->msg_seq};
    a->dirty = true;
    return agent_msg_seal(a->cfg.crypto, &me, &h, &peer->msg_key, plain, size, agent_random, a);
}

void agent_send(proto_agent *a, agent_job *j, uint32_t to, GBytes *wire)
{
    a->env.send(a->env.ctx, to, wire);
    if (j != NULL) {
        j->sends++;
        j->next_send_ns = agent_now(a) + AGENT_RESEND_NS;
    }
}

bool agent_send_sealed(proto_agent *a, const proto_state *s, agent_job *j, uint32_t to,
                       uint8_t kind, uint64_t job, const uint8_t *plain, size_t size)
{
    GBytes *wire = agent_seal(a, s, to, kind, job, plain, size);
    if (wire == NULL)
        return false;
    agent_send(a, j, to, wire);
    g_bytes_unref(wire);
    return true;
}

GBytes *agent_evidence_of(proto_agent *a, const proto_state *s, const agent_job *j)
{
    const proto_agent_record *peer = proto_registry_agent(s, j->peer);
    if (peer == NULL || j->sealed == NULL || j->result_wire == NULL)
        return NULL;
    return agent_evidence_build(a->cfg.crypto, &a->cfg.msg_key, &peer->msg_key, j->id, j->sealed,
                                j->result_wire);
}

typedef struct lookup_ctx {
    const proto_state *s;
} lookup_ctx;

/* A sender's keys: its account's Ed25519 key and its registered X25519
 * key. An account that is not registered has no say. */
static bool lookup(void *ctx, uint32_t account, agent_msg_peer *out)
{
    const lookup_ctx *lc = ctx;
    const proto_agent_record *r = proto_registry_agent(lc->s, account);
    const proto_account *acct = proto_state_account(lc->s, account);
    if (r == NULL || acct == NULL)
        return false;
    out->identity = acct->pk;
    out->box = r->msg_key;
    return true;
}

void proto_agent_on_message(proto_agent *a, GBytes *wire)
{
    const proto_state *s = a->env.chain_state(a->env.ctx);
    if (s == NULL)
        return; /* nothing to check it against: the sender sends again */
    gsize size = 0;
    const uint8_t *bytes = g_bytes_get_data(wire, &size);
    agent_msg_self me = self_of(a);
    lookup_ctx lc = {.s = s};
    agent_msg_header h;
    GBytes *plain = NULL;
    agent_msg_result r = agent_msg_open(a->cfg.crypto, &me, lookup, &lc, &a->replay, bytes, size,
                                        &h, &plain);
    if (r != AGENT_MSG_OK) {
        a->stats.msgs_refused++;
        agent_report(a, (proto_agent_event){.kind = PROTO_AGENT_EV_MSG_REFUSED,
                                            .peer = UINT32_MAX,
                                            .detail = agent_msg_result_name(r)});
        return;
    }
    a->dirty = true;
    gsize plain_size = 0;
    const uint8_t *p = g_bytes_get_data(plain, &plain_size);
    if (h.kind == AGENT_MSG_JOB_INPUT) {
        agent_provider_input(a, s, h.from, h.job, p, plain_size, wire);
    } else if (h.kind == AGENT_MSG_JOB_RESULT) {
        agent_job *j = agent_job_find(a, h.job);
        if (j != NULL && j->peer == h.from && PROTO_JOB_CONSUMER(h.job) == a->cfg.account)
            agent_consumer_result(a, s, j, p, plain_size, wire);
    } else if (h.kind == AGENT_MSG_VERIFY_REPLY) {
        agent_job *j = agent_job_find(a, h.job);
        if (j != NULL && j->verifier == h.from && PROTO_JOB_CONSUMER(h.job) == a->cfg.account)
            agent_consumer_verified(a, j, p, plain_size);
    } else {
        agent_juror_message(a, s, &h, p, plain_size);
    }
    g_bytes_unref(plain);
    agent_store_flush(a);
}
