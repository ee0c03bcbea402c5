/* The agent's insides, shared by agent.c (life cycle, timers, store),
 * agent_consumer.c, agent_provider.c, agent_wire.c (the job payloads
 * and their sealing), agent_evidence.c (what a juror is shown),
 * agent_party.c (a party's side of a dispute) and agent_juror.c. Not
 * for use outside protocol/agents. */
#ifndef AITBC_PROTOCOL_AGENT_INTERNAL_H
#define AITBC_PROTOCOL_AGENT_INTERNAL_H

#include "protocol/agents/agent.h"
#include "protocol/agents/agent_msg.h"
#include "protocol/modules/jobs/jobs.h"
#include "protocol/modules/multisig/multisig.h"

/* How often the agent looks at its host's state. */
#define AGENT_TICK_NS 500000000LL
/* Sealed messages are sent again this often until the chain shows the
 * other side acted, at most AGENT_SENDS_MAX times. */
#define AGENT_RESEND_NS 4000000000LL
#define AGENT_SENDS_MAX 8u
/* A post the chain has not taken after this long is given up. */
#define AGENT_POST_TIMEOUT_NS 90000000000LL
/* A registration not on chain after this long is sent again. */
#define AGENT_REGISTER_RETRY_NS 20000000000LL
/* Open jobs one agent keeps (a provider declines beyond it). */
#define AGENT_JOBS_MAX 256u
/* Providers a consumer remembers as having cheated it. */
#define AGENT_BLOCKED_MAX 64u
/* Senders whose replay windows an agent keeps (agent_msg.h). */
#define AGENT_REPLAY_SENDERS 512u
/* Input payload: version | job | capability | work_ms | challenge. */
#define AGENT_INPUT_SIZE (1 + 8 + 4 + 8 + 32)
/* Result payload: version | job | answer. */
#define AGENT_RESULT_SIZE (1 + 8 + PROTO_HASH_SIZE)

typedef enum agent_phase {
    /* consumer */
    AGENT_JOB_POSTING = 1, /* JOB_POST sent, not on chain yet */
    AGENT_JOB_INPUT_SENT,  /* on chain; input sent (again until accepted) */
    AGENT_JOB_JUDGED,      /* confirm or reject sent (a rejection may be a dispute) */
    /* provider */
    AGENT_JOB_RECEIVED,    /* input opened; waiting to see the post on chain */
    AGENT_JOB_WORKING,     /* accepted, computing */
    AGENT_JOB_DELIVERING,  /* result committed and sent (again until settled) */
    /* consumer, again */
    AGENT_JOB_VERIFYING,   /* result opened, a verifier asked to re-run it */
    /* juror: a job it was asked to verify or holds seats on */
    AGENT_JOB_SEATED,      /* drawn; no evidence yet */
    AGENT_JOB_CHECKING,    /* evidence checked, re-running the job */
    AGENT_JOB_CHECKED,     /* re-run: `correct` says whether the result was right */
} agent_phase;

typedef struct agent_job {
    uint64_t id;
    uint32_t peer;          /* the provider (consumer side) or the consumer */
    uint32_t capability;
    uint64_t work_ms;
    uint64_t payment;
    uint8_t phase;          /* agent_phase */
    uint8_t sends;          /* sealed messages sent for it */
    bool correct;           /* provider: the answer it delivered was right */
    int64_t since_ns;       /* when it entered the phase */
    int64_t next_send_ns;
    GBytes *input;          /* the plaintext input */
    GBytes *sealed;         /* consumer: the sealed input; provider: the sealed result */
    GBytes *early_wire;     /* consumer: a result that came before its commitment showed */
    GBytes *early_plain;    /* ...and its opened payload (not stored: it is sent again) */
    /* Disputes (agent_party.c, agent_juror.c). */
    GBytes *result_wire;    /* the sealed result: delivered (provider), received (consumer) */
    uint32_t verifier;      /* consumer: whom it asked to verify; juror: whom it owes a
                             * reply (UINT32_MAX: nobody) */
    bool defended;          /* provider: DISPUTE_DEFEND sent */
    uint8_t appealed;       /* party: 1 + the last round it appealed (0: none) */
    uint8_t shown;          /* party: 1 + the last round it showed evidence in (0: none) */
    uint8_t vote;           /* juror: its vote (proto_ruling; 0: none yet) */
    uint8_t vote_round;     /* juror: the round `vote` is for */
    uint8_t vote_step;      /* juror: 1 verdict or commit sent, 2 reveal sent */
    int64_t vote_sent_ns;   /* juror: when it last sent it (0: never) */
    /* Guarded jobs (agent_guard.c). */
    uint8_t approved;       /* the settlement it approved: 0 none, 1 release, 2 refund */
    int64_t exec_ns;        /* when it last sent the guard's EXEC (0: never) */
} agent_job;

struct proto_agent {
    proto_agent_env env;
    proto_agent_config cfg;
    proto_agent_stats stats;
    GPtrArray *jobs;           /* agent_job *, sorted by id */
    agent_msg_replay replay;   /* sealed messages seen */
    uint64_t hb_seq;           /* last heartbeat / deregister sequence used */
    uint32_t next_job_seq;     /* consumer: the next job's sequence */
    uint64_t msg_seq;          /* sealed messages sent */
    int64_t register_sent_ns;  /* 0: never */
    bool leaving;
    uint32_t blocked[AGENT_BLOCKED_MAX]; /* sorted */
    uint32_t blocked_count;
    uint64_t tick_timer;
    uint64_t heartbeat_timer;
    bool dirty;                /* the store is behind */
};

/* agent.c */
agent_job *agent_job_find(proto_agent *a, uint64_t id);
agent_job *agent_job_add(proto_agent *a, uint64_t id);
void agent_job_drop(proto_agent *a, agent_job *j);
bool agent_submit(proto_agent *a, const proto_txmsg *msg);
void agent_report(proto_agent *a, proto_agent_event ev);
int64_t agent_now(const proto_agent *a);
void agent_block(proto_agent *a, uint32_t account);
/* Write the durable store if anything changed since the last write. */
void agent_store_flush(proto_agent *a);

/* agent_consumer.c */
uint64_t agent_consumer_want(proto_agent *a, const proto_state *s, uint32_t capability,
                             uint64_t work_ms);
void agent_consumer_tick(proto_agent *a, const proto_state *s, agent_job *j);
void agent_consumer_result(proto_agent *a, const proto_state *s, agent_job *j,
                           const uint8_t *plain, size_t size, GBytes *wire);

/* agent_provider.c */
void agent_provider_input(proto_agent *a, const proto_state *s, uint32_t from, uint64_t job,
                          const uint8_t *plain, size_t size, GBytes *wire);
void agent_provider_tick(proto_agent *a, const proto_state *s, agent_job *j);
void agent_provider_done(proto_agent *a, agent_job *j);
void agent_provider_deliver(proto_agent *a, agent_job *j);

/* agent_party.c: a party's side of its DISPUTED job (defend, show the
 * drawn jurors the evidence, appeal a ruling it thinks wrong). */
void agent_party_tick(proto_agent *a, const proto_state *s, agent_job *j);

/* agent_guard.c: guarded jobs (protocol/modules/jobs/jobs.h). A party
 * approves its settlement (release: the provider, and a consumer that
 * found the result right; refund: a consumer that did not) and shows
 * the guard's arbiter the evidence when it must decide; any owner
 * executes a settlement once two owners approved it. */
bool agent_guard_approve(proto_agent *a, const proto_state *s, agent_job *j, uint32_t guard,
                         bool release);
void agent_guard_party_tick(proto_agent *a, const proto_state *s, agent_job *j,
                            const proto_job *jb);
/* Execute whichever settlement of the job two owners approved. */
void agent_guard_exec_ready(proto_agent *a, const proto_state *s, agent_job *j,
                            const proto_job *jb);
/* How many owners of the guard ms approved settling job (release or
 * refund) at its current nonce. */
uint32_t agent_guard_approvals(const proto_agent *a, const proto_state *s,
                               const proto_multisig *ms, uint64_t job, bool release);
/* The guard's owner that is neither party (UINT32_MAX: none). */
uint32_t agent_guard_arbiter(const proto_state *s, const proto_job *jb);

/* agent_juror.c */
void agent_juror_tick(proto_agent *a, const proto_state *s);
void agent_juror_message(proto_agent *a, const proto_state *s, const agent_msg_header *h,
                         const uint8_t *plain, size_t size);
void agent_juror_done(proto_agent *a, agent_job *j);
/* consumer: a verifier's reply */
void agent_consumer_verified(proto_agent *a, agent_job *j, const uint8_t *plain, size_t size);

/* agent_wire.c: seal a payload to `to` (whose registry record gives its
 * X25519 key); NULL when the chain does not know `to`. */
GBytes *agent_seal(proto_agent *a, const proto_state *s, uint32_t to, uint8_t kind, uint64_t job,
                   const uint8_t *plain, size_t size);
/* Send sealed bytes and count the send. */
void agent_send(proto_agent *a, agent_job *j, uint32_t to, GBytes *wire);
/* Seal plain[0..size) to `to` as `kind` about j's job and send it (the
 * send counted on j when not NULL); false when `to` has no keys. */
bool agent_send_sealed(proto_agent *a, const proto_state *s, agent_job *j, uint32_t to,
                       uint8_t kind, uint64_t job, const uint8_t *plain, size_t size);
/* The evidence of a job this agent is a party to (agent_evidence.h),
 * from the two wires it holds; NULL when it lacks one or the other party
 * has no keys on chain. */
GBytes *agent_evidence_of(proto_agent *a, const proto_state *s, const agent_job *j);

#endif
