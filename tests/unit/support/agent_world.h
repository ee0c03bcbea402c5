/* A fake world for agent tests: one chain state (the real modules) that
 * executes every submitted message in the next one-second block and
 * then the end blocks, checking the invariants each time; a network that
 * hands sealed bytes over at the next step (and can tamper with or
 * replay the next message); a compute that takes work_ms; a store per
 * agent that survives a crash. Small enough to follow every step.
 * Names start aw_ (test_agent.c, test_agent_disputes.c use it). */
#ifndef AITBC_TESTS_AGENT_WORLD_H
#define AITBC_TESTS_AGENT_WORLD_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocol/agents/agent.h"
#include "protocol/core/event.h"
#include "protocol/modules/jobs/jobs.h"

#define AW_SEED 99
#define AW_BLOCK_NS 1000000000LL
#define AW_BALANCE 10000000ull
#define AW_AGENTS_MAX 16u
#define AW_CHAIN_ID 7u

typedef struct aw_timer {
    int64_t at_ns;
    uint64_t id;
    uint32_t agent;
    uint32_t kind;
    uint64_t arg;
} aw_timer;

typedef struct aw_world aw_world;

typedef struct aw_slot {
    aw_world *w;
    uint32_t index;
    proto_agent *agent;
    proto_agent_config cfg;
    GHashTable *store; /* key -> GBytes */
    uint64_t rng;
    bool host_up;
    GArray *computing; /* (job, done_at) pairs as uint64 x2 */
} aw_slot;

struct aw_world {
    proto_state *s;
    proto_crypto *crypto;
    int64_t now_ns;
    int64_t next_block_ns;
    uint64_t height;
    uint64_t timer_ids;
    GArray *timers;     /* aw_timer */
    GArray *txq;        /* aw_queued_tx: the next block's */
    GPtrArray *mail;    /* wire bytes in flight ... */
    GArray *mail_to;    /* ... and their recipients */
    aw_slot slots[AW_AGENTS_MAX];
    uint32_t count;     /* agents in slots */
    uint64_t refused;   /* messages the modules refused */
    GArray *events;     /* proto_agent_event: every agent's reports, in order */
    GArray *chain_events; /* proto_event: what the modules reported, in order */
    bool tamper_next;   /* flip a byte of the next sealed message */
    bool replay_next;   /* deliver the next sealed message twice */
};

typedef struct aw_queued_tx {
    uint32_t sender;
    proto_txmsg msg;
} aw_queued_tx;

/* Accounts (index i = agent i, AW_BALANCE each) and default configs by
 * role: providers priced 100, 110, ... for capability 0; consumers that
 * notice every wrong answer; jurors that verify and arbitrate. The
 * caller may change cfg, then sets up the genesis and calls aw_start. */
void aw_init(aw_world *w, uint32_t count, const proto_agent_role *roles);
/* The registry (2 capabilities, 10 s heartbeats and unbond delay) and
 * jobs modules (20 s challenge window, 15 s accept timeout). */
void aw_genesis_market(aw_world *w);
/* The same registry with these jobs parameters. */
void aw_genesis_market_with(aw_world *w, const proto_jobs_params *jp);
void aw_start(aw_world *w);
void aw_start_agent(aw_world *w, uint32_t i);
/* Crash: the agent is freed (its timers die with it), its store stays. */
void aw_crash_agent(aw_world *w, uint32_t i);
void aw_clear(aw_world *w);
/* Execute the queued messages as one block, then the end blocks. */
void aw_make_block(aw_world *w);
/* Run until `until_ns`: blocks each second, timers, compute, mail. */
void aw_run_until(aw_world *w, int64_t until_ns);
uint64_t aw_balance(const aw_world *w, uint32_t i);
uint64_t aw_supply(const aw_world *w);
/* Reports of `kind` so far (from `account`, or any: UINT32_MAX). */
uint32_t aw_events(const aw_world *w, proto_agent_event_kind kind, uint32_t account);

#endif
