/* Evidence a party shows a juror (agent_evidence.h): building it from the
 * two wires a party holds, and checking hostile evidence against the
 * chain's commitments before a juror spends any work on it. */
#include "protocol/agents/agent_evidence.h"

#include <string.h>

#include "protocol/agents/agent_internal.h"
#include "protocol/core/codec.h"

const char *agent_evidence_result_name(agent_evidence_result r)
{
    static const char *const names[AGENT_EVIDENCE_RESULT_COUNT] = {
        "ok",           "malformed",     "wrong_job", "not_committed",
        "wrong_parties", "unopened",     "bad_payload",
    };
    return (unsigned)r < AGENT_EVIDENCE_RESULT_COUNT ? names[r] : "unknown";
}

GBytes *agent_evidence_build(const proto_crypto *c, const agent_msg_keypair *mine,
                             const proto_pubkey *peer_box, uint64_t job, GBytes *input_wire,
                             GBytes *result_wire)
{
    gsize in_size = 0, res_size = 0;
    const uint8_t *in = g_bytes_get_data(input_wire, &in_size);
    const uint8_t *res = g_bytes_get_data(result_wire, &res_size);
    uint8_t in_key[AGENT_MSG_DISCLOSURE_KEY_SIZE], res_key[AGENT_MSG_DISCLOSURE_KEY_SIZE];
    if (!agent_msg_disclose(c, mine, peer_box, in, in_size, in_key) ||
        !agent_msg_disclose(c, mine, peer_box, res, res_size, res_key))
        return NULL;
    proto_writer w;
    proto_writer_init(&w);
    proto_write_u8(&w, AGENT_EVIDENCE_VERSION);
    proto_write_u64(&w, job);
    proto_write_raw(&w, in_key, sizeof in_key);
    proto_write_raw(&w, res_key, sizeof res_key);
    proto_write_bytes(&w, in, in_size);
    proto_write_bytes(&w, res, res_size);
    return proto_writer_steal(&w);
}

/* A wire of the evidence: committed by the chain, from `from` to `to`
 * about the job, opened by its key into a payload of `size` bytes whose
 * header (version 1, job) is right. Returns the plaintext or NULL with
 * *why set. */
static GBytes *open_wire(const uint8_t *wire, size_t wire_size, const uint8_t *key,
                         const proto_hash *commitment, uint8_t kind, uint32_t from, uint32_t to,
                         uint64_t job, size_t size, agent_evidence_result *why)
{
    proto_hash h;
    proto_hash_bytes(&h, wire, wire_size);
    if (memcmp(h.bytes, commitment->bytes, PROTO_HASH_SIZE) != 0) {
        *why = AGENT_EVIDENCE_NOT_COMMITTED;
        return NULL;
    }
    agent_msg_header hd;
    if (agent_msg_peek(wire, wire_size, &hd) != AGENT_MSG_OK || hd.kind != kind ||
        hd.from != from || hd.to != to || hd.job != job) {
        *why = AGENT_EVIDENCE_WRONG_PARTIES;
        return NULL;
    }
    GBytes *plain = NULL;
    if (agent_msg_open_disclosed(key, wire, wire_size, &hd, &plain) != AGENT_MSG_OK) {
        *why = AGENT_EVIDENCE_UNOPENED;
        return NULL;
    }
    gsize n = 0;
    const uint8_t *p = g_bytes_get_data(plain, &n);
    if (n != size || p[0] != 1 || proto_le_get_u64(p + 1) != job) {
        g_bytes_unref(plain);
        *why = AGENT_EVIDENCE_BAD_PAYLOAD;
        return NULL;
    }
    return plain;
}

agent_evidence_result agent_evidence_check(const proto_job *jb, uint64_t job, const uint8_t *plain,
                                           size_t size, bool *correct, uint64_t *work_ms)
{
    proto_reader r;
    proto_reader_init(&r, plain, size);
    uint8_t version = proto_read_u8(&r);
    uint64_t named = proto_read_u64(&r);
    const uint8_t *in_key = proto_read_view(&r, AGENT_MSG_DISCLOSURE_KEY_SIZE);
    const uint8_t *res_key = proto_read_view(&r, AGENT_MSG_DISCLOSURE_KEY_SIZE);
    size_t in_size = 0, res_size = 0;
    const uint8_t *in = proto_read_bytes(&r, AGENT_MSG_WIRE_SIZE_MAX, &in_size);
    const uint8_t *res = proto_read_bytes(&r, AGENT_MSG_WIRE_SIZE_MAX, &res_size);
    if (r.failed || proto_reader_remaining(&r) > 0 || version != AGENT_EVIDENCE_VERSION ||
        in == NULL || res == NULL)
        return AGENT_EVIDENCE_MALFORMED;
    if (named != job || jb->id != job)
        return AGENT_EVIDENCE_WRONG_JOB;
    agent_evidence_result why = AGENT_EVIDENCE_OK;
    GBytes *input = open_wire(in, in_size, in_key, &jb->input_hash, AGENT_MSG_JOB_INPUT,
                              jb->consumer, jb->provider, job, AGENT_INPUT_SIZE, &why);
    if (input == NULL)
        return why;
    GBytes *result = open_wire(res, res_size, res_key, &jb->result_hash, AGENT_MSG_JOB_RESULT,
                               jb->provider, jb->consumer, job, AGENT_RESULT_SIZE, &why);
    if (result == NULL) {
        g_bytes_unref(input);
        return why;
    }
    gsize n = 0;
    const uint8_t *ip = g_bytes_get_data(input, &n);
    proto_hash answer;
    proto_agent_answer(ip, n, &answer);
    const uint8_t *rp = g_bytes_get_data(result, NULL);
    *correct = memcmp(answer.bytes, rp + 9, PROTO_HASH_SIZE) == 0;
    *work_ms = proto_le_get_u64(ip + 13);
    g_bytes_unref(input);
    g_bytes_unref(result);
    return AGENT_EVIDENCE_OK;
}
