/* Evidence: what a party of a job shows a juror (a verifier or an
 * arbiter) so that the juror can re-run the job and trust what it
 * re-runs, without trusting the party.
 *
 * The chain holds the job's commitments: input_hash, the hash of the
 * sealed input the consumer sent, and result_hash, the hash of the
 * sealed result the provider sent back (both were signed into
 * transactions by their authors). Evidence carries those two wires and
 * each one's disclosure key (agent_msg.h: it opens that message and no
 * other). A juror checks that the wires hash to the commitments, that
 * their headers name the job and its parties in the right directions,
 * that each key opens its wire, and that the payloads are an input and
 * a result for the job; then it knows the input and the answer given,
 * re-runs the work and compares. Either party can build it (both hold
 * both wires and can derive both keys), and neither can fake it: a
 * different wire fails the hash, a different key fails the MAC.
 *
 * Payload (little-endian), sealed to the juror as AGENT_MSG_EVIDENCE or
 * AGENT_MSG_VERIFY_REQUEST:
 *   version u8 (= 1) | job u64 | input_key[32] | result_key[32] |
 *   input_size u32 | input wire | result_size u32 | result wire
 * A verifier's reply (AGENT_MSG_VERIFY_REPLY): version u8 (= 1) |
 * job u64 | ruling u8 (PROTO_RULING_PROVIDER: the result is right;
 * PROTO_RULING_CONSUMER: it is wrong). */
#ifndef AITBC_PROTOCOL_AGENT_EVIDENCE_H
#define AITBC_PROTOCOL_AGENT_EVIDENCE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocol/agents/agent_msg.h"
#include "protocol/modules/jobs/jobs.h"

#define AGENT_EVIDENCE_VERSION 1
#define AGENT_VERIFY_REPLY_SIZE (1 + 8 + 1)

/* Why evidence was not taken, in the order the checks run. */
typedef enum agent_evidence_result {
    AGENT_EVIDENCE_OK = 0,
    AGENT_EVIDENCE_MALFORMED,     /* not the payload above (sizes, trailing bytes, version) */
    AGENT_EVIDENCE_WRONG_JOB,     /* names another job than the message it came in */
    AGENT_EVIDENCE_NOT_COMMITTED, /* a wire whose hash is not the chain's commitment */
    AGENT_EVIDENCE_WRONG_PARTIES, /* a wire not from consumer to provider (or back) about it */
    AGENT_EVIDENCE_UNOPENED,      /* a key that does not open its wire */
    AGENT_EVIDENCE_BAD_PAYLOAD,   /* opened, but not an input or a result for the job */
    AGENT_EVIDENCE_RESULT_COUNT
} agent_evidence_result;

const char *agent_evidence_result_name(agent_evidence_result r);

/* Evidence about `job` from its party `mine` (whose counterparty's X25519
 * key is peer_box), with the two wires it holds; NULL when a key cannot
 * be derived (a wire that is not a message, an unusable peer key). */
GBytes *agent_evidence_build(const proto_crypto *c, const agent_msg_keypair *mine,
                             const proto_pubkey *peer_box, uint64_t job, GBytes *input_wire,
                             GBytes *result_wire);

/* Check hostile evidence about `job` against the chain's record of it
 * (jb, which carries both commitments). On OK, *correct says whether the
 * result is the right answer to the input and *work_ms what re-running
 * it takes. */
agent_evidence_result agent_evidence_check(const proto_job *jb, uint64_t job, const uint8_t *plain,
                                           size_t size, bool *correct, uint64_t *work_ms);

#endif
