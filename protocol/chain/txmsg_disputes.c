/* Codecs of the disputes messages (txmsg_disputes.h; tx_envelope.h has
 * the wire layout) and the vote commitment. All bodies are fixed. The
 * decoder refuses only what no state makes meaningful: a sequence-0 job
 * id, a verdict or vote that is neither CONSUMER nor PROVIDER, a vote or
 * appeal naming round 0 where a panel is meant. Who may send what, and
 * when, is the module's to refuse, so each refusal is named and counted
 * there. */
#include "protocol/chain/txmsg_disputes.h"
#include "protocol/chain/txmsg_codec.h"

#include <string.h>

#include "protocol/core/codec.h"

#define VOTE_DOMAIN "aitbc-vote"
#define VOTE_DOMAIN_SIZE (sizeof(VOTE_DOMAIN) - 1)

const char *proto_ruling_name(uint8_t ruling)
{
    static const char *const names[PROTO_RULING_COUNT] = {
        [PROTO_RULING_NONE] = "none",
        [PROTO_RULING_CONSUMER] = "consumer",
        [PROTO_RULING_PROVIDER] = "provider",
    };
    return ruling < PROTO_RULING_COUNT ? names[ruling] : "unknown";
}

void proto_dispute_commitment(uint64_t chain_id, uint64_t job, uint8_t round, uint32_t arbiter,
                              uint8_t ruling, const proto_hash *salt, proto_hash *out)
{
    uint8_t buf[VOTE_DOMAIN_SIZE + 8 + 8 + 1 + 4 + 1 + PROTO_HASH_SIZE];
    uint8_t *p = buf;
    memcpy(p, VOTE_DOMAIN, VOTE_DOMAIN_SIZE);
    p += VOTE_DOMAIN_SIZE;
    proto_le_put_u64(p, chain_id);
    proto_le_put_u64(p + 8, job);
    p[16] = round;
    proto_le_put_u32(p + 17, arbiter);
    p[21] = ruling;
    memcpy(p + 22, salt->bytes, PROTO_HASH_SIZE);
    proto_hash_bytes(out, buf, sizeof buf);
}

static bool job_valid(uint64_t job)
{
    return (uint32_t)job != 0; /* PROTO_JOB_SEQ: sequences start at 1 */
}

static bool side_valid(uint8_t ruling)
{
    return ruling == PROTO_RULING_CONSUMER || ruling == PROTO_RULING_PROVIDER;
}

/* ---- DEFEND: job u64 ---- */

static void defend_put(const proto_txmsg *m, uint8_t *out)
{
    proto_le_put_u64(out, m->dispute_defend.job);
}

static void defend_get(const uint8_t *in, proto_txmsg *m)
{
    m->dispute_defend.job = proto_le_get_u64(in);
}

static bool defend_valid(const proto_txmsg *m)
{
    return job_valid(m->dispute_defend.job);
}

/* ---- VERDICT: job u64 | ruling u8 ---- */

static void verdict_put(const proto_txmsg *m, uint8_t *out)
{
    proto_le_put_u64(out, m->dispute_verdict.job);
    out[8] = m->dispute_verdict.ruling;
}

static void verdict_get(const uint8_t *in, proto_txmsg *m)
{
    m->dispute_verdict.job = proto_le_get_u64(in);
    m->dispute_verdict.ruling = in[8];
}

static bool verdict_valid(const proto_txmsg *m)
{
    return job_valid(m->dispute_verdict.job) && side_valid(m->dispute_verdict.ruling);
}

/* ---- COMMIT: job u64 | round u8 | commitment[32] ---- */

static void commit_put(const proto_txmsg *m, uint8_t *out)
{
    proto_le_put_u64(out, m->dispute_commit.job);
    out[8] = m->dispute_commit.round;
    memcpy(out + 9, m->dispute_commit.commitment.bytes, PROTO_HASH_SIZE);
}

static void commit_get(const uint8_t *in, proto_txmsg *m)
{
    m->dispute_commit.job = proto_le_get_u64(in);
    m->dispute_commit.round = in[8];
    memcpy(m->dispute_commit.commitment.bytes, in + 9, PROTO_HASH_SIZE);
}

static bool commit_valid(const proto_txmsg *m)
{
    return job_valid(m->dispute_commit.job) && m->dispute_commit.round >= 1;
}

/* ---- REVEAL: job u64 | round u8 | ruling u8 | salt[32] ---- */

static void reveal_put(const proto_txmsg *m, uint8_t *out)
{
    proto_le_put_u64(out, m->dispute_reveal.job);
    out[8] = m->dispute_reveal.round;
    out[9] = m->dispute_reveal.ruling;
    memcpy(out + 10, m->dispute_reveal.salt.bytes, PROTO_HASH_SIZE);
}

static void reveal_get(const uint8_t *in, proto_txmsg *m)
{
    m->dispute_reveal.job = proto_le_get_u64(in);
    m->dispute_reveal.round = in[8];
    m->dispute_reveal.ruling = in[9];
    memcpy(m->dispute_reveal.salt.bytes, in + 10, PROTO_HASH_SIZE);
}

static bool reveal_valid(const proto_txmsg *m)
{
    return job_valid(m->dispute_reveal.job) && m->dispute_reveal.round >= 1 &&
           side_valid(m->dispute_reveal.ruling);
}

/* ---- APPEAL: job u64 | round u8 ---- */

static void appeal_put(const proto_txmsg *m, uint8_t *out)
{
    proto_le_put_u64(out, m->dispute_appeal.job);
    out[8] = m->dispute_appeal.round;
}

static void appeal_get(const uint8_t *in, proto_txmsg *m)
{
    m->dispute_appeal.job = proto_le_get_u64(in);
    m->dispute_appeal.round = in[8];
}

static bool appeal_valid(const proto_txmsg *m)
{
    return job_valid(m->dispute_appeal.job);
}

#define ROW(type) [PROTO_TXMSG_##type - PROTO_TXMSG_DISPUTE_DEFEND]

const txmsg_codec proto_txmsg_disputes_codecs[PROTO_TXMSG_DISPUTE_APPEAL -
                                              PROTO_TXMSG_DISPUTE_DEFEND + 1] = {
    ROW(DISPUTE_DEFEND) = {"dispute_defend", PROTO_DISPUTE_DEFEND_BODY_SIZE, defend_put,
                           defend_get, defend_valid},
    ROW(DISPUTE_VERDICT) = {"dispute_verdict", PROTO_DISPUTE_VERDICT_BODY_SIZE, verdict_put,
                            verdict_get, verdict_valid},
    ROW(DISPUTE_COMMIT) = {"dispute_commit", PROTO_DISPUTE_COMMIT_BODY_SIZE, commit_put,
                           commit_get, commit_valid},
    ROW(DISPUTE_REVEAL) = {"dispute_reveal", PROTO_DISPUTE_REVEAL_BODY_SIZE, reveal_put,
                           reveal_get, reveal_valid},
    ROW(DISPUTE_APPEAL) = {"dispute_appeal", PROTO_DISPUTE_APPEAL_BODY_SIZE, appeal_put,
                           appeal_get, appeal_valid},
};
