/* An AI agent of the job market: a sans-IO state machine, like a node.
 *
 * An agent has its own identity (an Ed25519 key that is also its chain
 * account) and an X25519 key for sealed messages (agent_msg.h). It runs
 * on a host node and uses it the way a client would: it reads the
 * host's committed state (an RPC query), hands it transactions and
 * sends messages to other agents through it. Everything it needs comes
 * through proto_agent_env; the simulator (sim/world/agents.c) provides
 * one, a unit test a fake.
 *
 * Roles. A provider sells compute for the capabilities it registered, at
 * its price per reference second, `capacity` jobs at once; a consumer
 * posts jobs. Both register in the registry module with a bond
 * (protocol/modules/registry/registry.h) and send a heartbeat every
 * heartbeat_ns to stay listed.
 *
 * A job's life, as the agents drive it (the jobs module holds the
 * escrow and settles it, protocol/modules/jobs/jobs.h):
 *   1. The consumer wants work done (proto_agent_want_job: capability,
 *      work at reference speed). It matches a provider from the registry
 *      (agent_match.h: price, reputation, load), seals the input to the
 *      provider's X25519 key, and posts JOB_POST naming the provider,
 *      paying price x work and committing to the sealed input's hash.
 *   2. Once the post is on chain it sends the sealed input.
 *   3. The provider opens it, checks its hash against the chain's
 *      commitment and the payment against its price, then accepts
 *      (JOB_ACCEPT) and computes (env->compute; the simulator models
 *      the time) or declines (JOB_DECLINE).
 *   4. Done, it seals the result to the consumer, commits its hash
 *      (JOB_RESULT) and sends it.
 *   5. The consumer opens the result, checks it against the commitment,
 *      checks the answer (it notices a wrong one with probability
 *      `notice`) and confirms (JOB_CONFIRM, score 100: immediate release)
 *      or rejects (JOB_REJECT: refund). A result that never arrives is
 *      rejected before the challenge window closes. Silence releases at
 *      the end of the window.
 * What goes wrong on the way (a lost post, a provider that never
 * answers, a crashed host) the chain settles: accept timeouts, deadlines
 * and refunds are the jobs module's.
 *
 * The work. A job's input names its work and a random challenge; the
 * correct answer is H("aitbc/answer" || input). An honest provider
 * returns it; a `wrong-result` provider returns something else. A
 * consumer can check an answer (as a user can tell a garbage completion)
 * but notices only with probability `notice`, so some wrong results are
 * paid for: the simulator, which knows the truth, counts them.
 *
 * Disputes (with the disputes module, protocol/modules/disputes/disputes.h).
 * A rejection opens a dispute. The provider defends it (a wrong-result
 * provider too: a cheat contests). Both sides show every juror drawn in
 * the current round the evidence (agent_evidence.h: the two committed
 * wires and the keys that open just those two messages), except a side
 * that knows it is in the wrong (wrong-result, false-dispute); a side
 * appeals, once per round, a ruling it believes wrong. A juror
 * (role PROTO_AGENT_JUROR) checks the evidence, re-runs the job
 * (env->compute, as a provider computes) and votes what it found: a
 * verdict in tier 1, a commit then its reveal in a panel. A consumer
 * with `verify_ppm` has that share of the results it did not itself
 * find wrong re-run by a verifier drawn by stake before it judges, and
 * rejects on a mismatch. A `false-dispute` consumer rejects every result.
 *
 * Durable store. What the agent must not lose when its host crashes (its
 * heartbeat sequence, its next job sequence, the replay window, its open
 * jobs with their wires, a juror's votes) is written through
 * env->store_put after every change and read back by proto_agent_new. */
#ifndef AITBC_PROTOCOL_AGENT_H
#define AITBC_PROTOCOL_AGENT_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocol/agents/agent_msg.h"
#include "protocol/chain/state.h"
#include "protocol/chain/tx_envelope.h"
#include "protocol/core/crypto.h"

typedef enum proto_agent_role {
    PROTO_AGENT_PROVIDER = 1,
    PROTO_AGENT_CONSUMER = 2,
    PROTO_AGENT_JUROR = 3, /* verifies and arbitrates disputes (agent_juror.c) */
} proto_agent_role;

/* Parties a colluding juror favours, at most. */
#define PROTO_AGENT_COLLUDE_MAX 8u

/* Misbehaviour an agent is configured with (the simulator's faults). */
typedef struct proto_agent_behaviour {
    bool no_show;        /* provider: accepts, never delivers */
    bool wrong_result;   /* provider: delivers a wrong answer (and defends it) */
    int64_t slow_ns;     /* provider: delivers this much later than the work takes */
    bool false_dispute;  /* consumer: rejects correct results (and appeals) */
    bool lazy;           /* juror: votes at random without re-executing */
    /* juror: votes for whichever of these accounts is a party, whatever
     * the evidence shows; sorted, distinct */
    uint32_t collude[PROTO_AGENT_COLLUDE_MAX];
    uint32_t collude_count;
} proto_agent_behaviour;

/* What an agent reports to whoever drives it. */
typedef enum proto_agent_event_kind {
    PROTO_AGENT_EV_POSTED = 1,   /* consumer: JOB_POST sent for `job` to `peer` */
    PROTO_AGENT_EV_UNMATCHED,    /* consumer: no provider could take the job */
    PROTO_AGENT_EV_ACCEPTED,     /* provider: JOB_ACCEPT sent, work started */
    PROTO_AGENT_EV_DECLINED,     /* provider: JOB_DECLINE sent (`detail` says why) */
    PROTO_AGENT_EV_DELIVERED,    /* provider: JOB_RESULT sent; `correct` */
    PROTO_AGENT_EV_JUDGED,       /* consumer: result opened; `correct` = it judged it right */
    PROTO_AGENT_EV_MSG_REFUSED,  /* a sealed message was refused (`detail`: the reason) */
    PROTO_AGENT_EV_TX,           /* a transaction was handed to the host (`detail`: its type) */
    PROTO_AGENT_EV_VERIFIED,     /* consumer: verifier `peer` re-ran `job`; `correct` = it
                                  * found the result right */
    PROTO_AGENT_EV_DEFENDED,     /* provider: DISPUTE_DEFEND sent for `job` */
    PROTO_AGENT_EV_APPEALED,     /* party: DISPUTE_APPEAL sent against `round`'s `ruling` */
    PROTO_AGENT_EV_VOTED,        /* juror: its vote `ruling` in `round` sent (a verdict or a
                                  * commit); `correct` = it had re-run the job */
} proto_agent_event_kind;

typedef struct proto_agent_event {
    proto_agent_event_kind kind;
    uint32_t account;    /* the reporting agent's */
    uint64_t job;        /* 0 when not about a job */
    uint32_t peer;       /* the other party's account, or UINT32_MAX */
    uint32_t capability;
    uint64_t work_ms;
    uint64_t amount;     /* POSTED: payment */
    bool correct;
    uint32_t round;      /* APPEALED, VOTED: the dispute's round */
    uint8_t ruling;      /* APPEALED, VOTED: a proto_ruling */
    const char *detail;  /* static string or NULL */
} proto_agent_event;

/* Timer kinds the agent sets (env->set_timer's kind). */
enum { PROTO_AGENT_TIMER_TICK = 1, PROTO_AGENT_TIMER_HEARTBEAT = 2,
       PROTO_AGENT_TIMER_DELIVER = 3 };

typedef struct proto_agent_env {
    void *ctx;
    int64_t (*now_ns)(void *ctx);
    uint64_t (*random_u64)(void *ctx);
    uint64_t (*set_timer)(void *ctx, int64_t delay_ns, uint32_t kind, uint64_t arg);
    void (*cancel_timer)(void *ctx, uint64_t timer_id);
    /* The host's committed state, borrowed for the call; NULL when the
     * host cannot answer (down, or syncing). */
    const proto_state *(*chain_state)(void *ctx);
    /* Have the host's wallet service price, sign with this agent's
     * account key, submit and resubmit one message until it is final or
     * refused; false when it cannot take it now. */
    bool (*submit)(void *ctx, const proto_txmsg *msg, uint64_t gas_limit);
    /* Send sealed bytes to the agent whose account is `to` (the network
     * carries them from this host to the recipient's). */
    void (*send)(void *ctx, uint32_t to, GBytes *wire);
    /* Start computing `job`: `work_ms` at reference speed. The driver
     * calls proto_agent_work_done when it is done. */
    void (*compute)(void *ctx, uint64_t job, uint64_t work_ms);
    void (*store_put)(void *ctx, const char *key, GBytes *value);
    GBytes *(*store_get)(void *ctx, const char *key);
    void (*observe)(void *ctx, const proto_agent_event *ev);
} proto_agent_env;

typedef struct proto_agent_config {
    proto_agent_role role;
    uint32_t account;          /* its chain account (index) */
    proto_keypair identity;    /* Ed25519: the account's key */
    agent_msg_keypair msg_key; /* X25519 (agent_msg.h), pk and sk */
    proto_crypto *crypto;      /* borrowed */
    uint32_t capabilities;     /* provider: mask (one bit per class); consumer: 0 */
    uint32_t capacity;         /* provider: jobs at once (juror: re-runs at once, not
                                * registered) */
    uint64_t price;            /* provider: base units per reference second */
    uint64_t bond;             /* registration bond */
    int64_t heartbeat_ns;      /* > 0 */
    uint64_t max_price;        /* consumer: most it pays per reference second */
    uint32_t deadline_ms;      /* consumer: result due after acceptance */
    int64_t challenge_window_ns; /* the chain's, to reject in time */
    uint32_t notice_ppm;       /* consumer: chance it notices a wrong answer */
    uint32_t verify_ppm;       /* consumer: chance it has a result re-run by a verifier */
    uint32_t juror_roles;      /* juror: PROTO_JUROR_VERIFIER | PROTO_JUROR_ARBITER */
    uint64_t chain_id;         /* the chain's id (vote commitments and multisig operation
                                * hashes name it) */
    uint64_t gas_limit;        /* per market transaction */
    proto_agent_behaviour behaviour;
} proto_agent_config;

typedef struct proto_agent proto_agent;

/* Create an agent (recovering from env->store_get if the store holds
 * anything); it registers itself if the chain does not know it yet. */
proto_agent *proto_agent_new(const proto_agent_env *env, const proto_agent_config *cfg);
void proto_agent_free(proto_agent *a);

void proto_agent_on_timer(proto_agent *a, uint64_t timer_id, uint32_t kind, uint64_t arg);
/* Sealed bytes from the network (hostile; borrowed for the call). */
void proto_agent_on_message(proto_agent *a, GBytes *wire);
/* The driver's compute for `job` is done. */
void proto_agent_work_done(proto_agent *a, uint64_t job);
/* Consumer: a job is wanted; returns its id, or 0 when unmatched. */
uint64_t proto_agent_want_job(proto_agent *a, uint32_t capability, uint64_t work_ms);
/* New terms from its operator: the behaviour, and a provider's price
 * (announced with AGENT_UPDATE when it changed). */
void proto_agent_reconfigure(proto_agent *a, const proto_agent_config *cfg);
/* Leave the market: deregister (again every few seconds while the chain
 * still lists it: the registry refuses while a provider has open jobs);
 * a provider declines jobs posted to it from now on, a consumer posts
 * none. Its open jobs still run to their end. */
void proto_agent_leave(proto_agent *a);
/* Come back after proto_agent_leave: register again as soon as the
 * chain has paid the old bond back (the record is RETIRED). */
void proto_agent_rejoin(proto_agent *a);

/* Counters, for the driver's figures. */
typedef struct proto_agent_stats {
    uint64_t msgs_refused;   /* sealed messages refused (tampered, replayed, not for it) */
    uint64_t txs_sent;
    uint64_t jobs_posted;
    uint64_t jobs_unmatched;
    uint64_t jobs_accepted;
    uint64_t jobs_delivered;
} proto_agent_stats;
const proto_agent_stats *proto_agent_stats_of(const proto_agent *a);

/* What a job of work_ms at `price` per reference second pays: price x
 * work / 1000 rounded up; 0 when it does not fit in a u64. The consumer
 * offers it and the provider accepts no less. */
uint64_t proto_agent_payment_for(uint64_t price, uint64_t work_ms);

/* The correct answer to an input (what the consumer checks against). */
void proto_agent_answer(const uint8_t *input, size_t size, proto_hash *out);

#endif
