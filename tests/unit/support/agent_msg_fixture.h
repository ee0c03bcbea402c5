/* The fixture of the sealed agent message tests (test_agent_msg.c,
 * protocol/agents/agent_msg.h): three agents, alice 10, bob 20 and carol
 * 30, with Ed25519 and X25519 keys derived from one seed; a registry of
 * them the opener looks senders up in (tests edit it to forget or rotate
 * a key); a splitmix64 stream for nonces; and helpers that seal a text,
 * open bytes as one agent (asserting a refusal leaves the outputs
 * untouched), patch one byte of a message, and re-sign patched bytes as
 * another agent. */
#ifndef AITBC_TEST_AGENT_MSG_FIXTURE_H
#define AITBC_TEST_AGENT_MSG_FIXTURE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/agents/agent_msg.h"

#define AMFIX_SEED 424242
#define AMFIX_ALICE 10
#define AMFIX_BOB 20
#define AMFIX_CAROL 30
#define AMFIX_JOB ((UINT64_C(10) << 32) | 7)

/* Wire offsets (agent_msg.h). */
#define AMFIX_OFF_KIND 1
#define AMFIX_OFF_FROM 2
#define AMFIX_OFF_TO 6
#define AMFIX_OFF_JOB 10
#define AMFIX_OFF_SEQ 18
#define AMFIX_OFF_NONCE 26
#define AMFIX_OFF_CT_SIZE 50

/* The senders an opener knows: accounts[i] has keys peers[i], i < count. */
typedef struct amfix_registry {
    uint32_t accounts[3];
    agent_msg_peer peers[3];
    size_t count;
} amfix_registry;

typedef struct amfix {
    proto_crypto *c;
    agent_msg_self alice, bob, carol;
    amfix_registry reg; /* the three, in that order */
    uint64_t rng;       /* splitmix64 state */
} amfix;

/* A crypto context in `mode`, the three agents registered, rng 1. */
void amfix_init(amfix *f, proto_crypto_mode mode);
void amfix_clear(amfix *f);

/* splitmix64 over the uint64_t state ctx points to (agent_msg_seal's
 * random source). */
uint64_t amfix_splitmix(void *ctx);

/* A header of AMFIX_JOB. */
agent_msg_header amfix_header(uint8_t kind, uint32_t from, uint32_t to, uint64_t seq);
/* from -> to, a job input with the given seq and text (asserted sealed;
 * the caller unrefs it). */
GBytes *amfix_seal_text(amfix *f, const agent_msg_self *from, const agent_msg_self *to,
                        uint64_t seq, const char *text);

/* Open as `self` against f's registry; on a refusal the outputs must be
 * untouched (one assertion per call, cheap enough for the corpus loops).
 * On AGENT_MSG_OK *plain is the caller's. */
agent_msg_result amfix_open_as(amfix *f, const agent_msg_self *self, agent_msg_replay *r,
                               const uint8_t *data, size_t size, agent_msg_header *h,
                               GBytes **plain);
/* The same for a whole message, dropping the outputs. */
agent_msg_result amfix_open_bytes(amfix *f, const agent_msg_self *self, agent_msg_replay *r,
                                  GBytes *wire);
/* A copy of wire with byte `at` xored by `mask` (the caller unrefs it). */
GByteArray *amfix_patched(GBytes *wire, size_t at, uint8_t mask);
/* amfix_patched, opened as bob. */
agent_msg_result amfix_open_patched(amfix *f, agent_msg_replay *r, GBytes *wire, size_t at,
                                    uint8_t mask);
/* Re-sign bytes[0..size - 64) as `signer`, as the format says. */
void amfix_resign(amfix *f, uint8_t *bytes, size_t size, const agent_msg_self *signer);
/* Does needle occur in hay? */
bool amfix_contains(const uint8_t *hay, size_t hay_size, const char *needle);

#endif
