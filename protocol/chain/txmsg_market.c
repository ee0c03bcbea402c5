/* Codecs of the agent market's transaction messages (tx_envelope.h has
 * their wire layout; registry.h and jobs.h what they do). Every body has
 * a fixed size; the value rules here are the ones a decoder can check
 * without the chain's state (the modules check the rest). */
#include "protocol/chain/txmsg_codec.h"

#include <string.h>

#include "protocol/core/codec.h"

static bool key_nonzero(const proto_pubkey *k)
{
    for (size_t i = 0; i < PROTO_PUBKEY_SIZE; i++)
        if (k->bytes[i] != 0)
            return true;
    return false;
}

static void agent_put(const proto_txmsg *m, uint8_t *out)
{
    proto_le_put_u32(out, m->agent.capabilities);
    proto_le_put_u32(out + 4, m->agent.capacity);
    proto_le_put_u64(out + 8, m->agent.price);
}

static void agent_get(const uint8_t *in, proto_txmsg *m)
{
    memset(&m->agent, 0, sizeof m->agent);
    m->agent.capabilities = proto_le_get_u32(in);
    m->agent.capacity = proto_le_get_u32(in + 4);
    m->agent.price = proto_le_get_u64(in + 8);
}

/* A consumer offers nothing; a provider offers capacity at a price. */
static bool agent_terms_valid(const proto_txmsg *m)
{
    if (m->agent.capabilities == 0)
        return m->agent.capacity == 0 && m->agent.price == 0;
    return m->agent.capacity > 0 && m->agent.price > 0;
}

static void register_put(const proto_txmsg *m, uint8_t *out)
{
    agent_put(m, out);
    proto_le_put_u64(out + 16, m->agent.bond);
    memcpy(out + 24, m->agent.msg_key.bytes, PROTO_PUBKEY_SIZE);
}

static void register_get(const uint8_t *in, proto_txmsg *m)
{
    agent_get(in, m);
    m->agent.bond = proto_le_get_u64(in + 16);
    memcpy(m->agent.msg_key.bytes, in + 24, PROTO_PUBKEY_SIZE);
}

static bool register_valid(const proto_txmsg *m)
{
    return agent_terms_valid(m) && m->agent.bond > 0 && key_nonzero(&m->agent.msg_key);
}

static void seq_put(const proto_txmsg *m, uint8_t *out)
{
    proto_le_put_u64(out, m->agent_seq.seq);
}

static void seq_get(const uint8_t *in, proto_txmsg *m)
{
    m->agent_seq.seq = proto_le_get_u64(in);
}

static bool seq_valid(const proto_txmsg *m)
{
    return m->agent_seq.seq > 0;
}

static void post_put(const proto_txmsg *m, uint8_t *out)
{
    proto_le_put_u64(out, m->job_post.job);
    proto_le_put_u32(out + 8, m->job_post.provider);
    proto_le_put_u32(out + 12, m->job_post.capability);
    proto_le_put_u64(out + 16, m->job_post.payment);
    proto_le_put_u32(out + 24, m->job_post.deadline_ms);
    memcpy(out + 28, m->job_post.input_hash.bytes, PROTO_HASH_SIZE);
}

static void post_get(const uint8_t *in, proto_txmsg *m)
{
    memset(&m->job_post, 0, sizeof m->job_post);
    m->job_post.job = proto_le_get_u64(in);
    m->job_post.provider = proto_le_get_u32(in + 8);
    m->job_post.capability = proto_le_get_u32(in + 12);
    m->job_post.payment = proto_le_get_u64(in + 16);
    m->job_post.deadline_ms = proto_le_get_u32(in + 24);
    memcpy(m->job_post.input_hash.bytes, in + 28, PROTO_HASH_SIZE);
}

static bool post_valid(const proto_txmsg *m)
{
    return PROTO_JOB_SEQ(m->job_post.job) > 0 &&
           m->job_post.capability < PROTO_TXMSG_CAPABILITIES_MAX && m->job_post.payment > 0 &&
           m->job_post.deadline_ms > 0;
}

static void job_put(const proto_txmsg *m, uint8_t *out)
{
    proto_le_put_u64(out, m->job.job);
}

static void job_get(const uint8_t *in, proto_txmsg *m)
{
    m->job.job = proto_le_get_u64(in);
}

static bool job_valid(const proto_txmsg *m)
{
    return PROTO_JOB_SEQ(m->job.job) > 0;
}

static void result_put(const proto_txmsg *m, uint8_t *out)
{
    proto_le_put_u64(out, m->job_result.job);
    memcpy(out + 8, m->job_result.result_hash.bytes, PROTO_HASH_SIZE);
}

static void result_get(const uint8_t *in, proto_txmsg *m)
{
    m->job_result.job = proto_le_get_u64(in);
    memcpy(m->job_result.result_hash.bytes, in + 8, PROTO_HASH_SIZE);
}

static void confirm_put(const proto_txmsg *m, uint8_t *out)
{
    proto_le_put_u64(out, m->job_confirm.job);
    out[8] = m->job_confirm.score;
}

static void confirm_get(const uint8_t *in, proto_txmsg *m)
{
    m->job_confirm.job = proto_le_get_u64(in);
    m->job_confirm.score = in[8];
}

static bool confirm_valid(const proto_txmsg *m)
{
    return job_valid(m) && m->job_confirm.score <= PROTO_TXMSG_SCORE_MAX;
}

#define ROW(type) [PROTO_TXMSG_##type - PROTO_TXMSG_AGENT_REGISTER]

/* job_valid reads m->job.job, which is the first field of every job
 * message's body, so it serves RESULT too. */
const txmsg_codec proto_txmsg_market_codecs[PROTO_TXMSG_JOB_CANCEL - PROTO_TXMSG_AGENT_REGISTER +
                                            1] = {
    ROW(AGENT_REGISTER) = {"agent_register", 16 + 8 + PROTO_PUBKEY_SIZE, register_put,
                           register_get, register_valid},
    ROW(AGENT_HEARTBEAT) = {"agent_heartbeat", 8, seq_put, seq_get, seq_valid},
    ROW(AGENT_UPDATE) = {"agent_update", 16, agent_put, agent_get, agent_terms_valid},
    ROW(AGENT_DEREGISTER) = {"agent_deregister", 8, seq_put, seq_get, seq_valid},
    ROW(JOB_POST) = {"job_post", 8 + 4 + 4 + 8 + 4 + PROTO_HASH_SIZE, post_put, post_get,
                     post_valid},
    ROW(JOB_ACCEPT) = {"job_accept", 8, job_put, job_get, job_valid},
    ROW(JOB_DECLINE) = {"job_decline", 8, job_put, job_get, job_valid},
    ROW(JOB_RESULT) = {"job_result", 8 + PROTO_HASH_SIZE, result_put, result_get, job_valid},
    ROW(JOB_CONFIRM) = {"job_confirm", 9, confirm_put, confirm_get, confirm_valid},
    ROW(JOB_REJECT) = {"job_reject", 8, job_put, job_get, job_valid},
    ROW(JOB_CANCEL) = {"job_cancel", 8, job_put, job_get, job_valid},
};

bool proto_txmsg_job_of(const proto_txmsg *m, uint64_t *job)
{
    switch (m->type) {
    case PROTO_TXMSG_JOB_POST:
        *job = m->job_post.job;
        return true;
    case PROTO_TXMSG_JOB_RESULT:
        *job = m->job_result.job;
        return true;
    case PROTO_TXMSG_JOB_CONFIRM:
        *job = m->job_confirm.job;
        return true;
    case PROTO_TXMSG_JOB_ACCEPT:
    case PROTO_TXMSG_JOB_DECLINE:
    case PROTO_TXMSG_JOB_REJECT:
    case PROTO_TXMSG_JOB_CANCEL:
        *job = m->job.job;
        return true;
    case PROTO_TXMSG_DISPUTE_DEFEND:
        *job = m->dispute_defend.job;
        return true;
    case PROTO_TXMSG_DISPUTE_VERDICT:
        *job = m->dispute_verdict.job;
        return true;
    case PROTO_TXMSG_DISPUTE_COMMIT:
        *job = m->dispute_commit.job;
        return true;
    case PROTO_TXMSG_DISPUTE_REVEAL:
        *job = m->dispute_reveal.job;
        return true;
    case PROTO_TXMSG_DISPUTE_APPEAL:
        *job = m->dispute_appeal.job;
        return true;
    default:
        return false;
    }
}
