/* A fake chain for the agent market's tests (test_registry.c,
 * test_jobs*.c): a state with the registered modules, accounts of one
 * balance, the registry attached by its genesis (and the jobs module when
 * asked), a block height and time the tests move by hand, and the events
 * the modules report. Messages go through the router
 * (proto_state_deliver) with an unmetered context; block ends through
 * proto_state_end_block. No scheduler, no consensus. */
#ifndef AITBC_TEST_MARKET_WORLD_H
#define AITBC_TEST_MARKET_WORLD_H

#include "protocol/chain/module.h"
#include "protocol/chain/tx_envelope.h"
#include "protocol/core/event.h"
#include "protocol/modules/jobs/jobs.h"
#include "protocol/modules/registry/registry.h"

typedef struct market_world {
    proto_state *s;
    uint64_t height;  /* the block "executing" */
    int64_t time_ns;  /* its time */
    proto_msg_stats stats;
    GArray *events;   /* proto_event the modules reported, in order */
    uint64_t supply;  /* the genesis total supply (conservation) */
} market_world;

/* `accounts` accounts of `balance` each; the registry with agents[count]
 * at time 0; the world at height 1, time 1000. */
void mw_init(market_world *w, uint32_t accounts, uint64_t balance,
             const proto_registry_params *params, uint32_t count,
             const proto_registry_genesis_agent *agents);
/* The jobs tests' market: accounts 0..7 with MW_BALANCE each; the
 * registry (mw_registry_params) with agents 0 (a provider of
 * capabilities 0 and 1, bond 1000), 1 (a provider of capability 2, bond
 * 500), 2 and 3 (consumers, bond 200 each); the jobs module
 * (mw_jobs_params). */
#define MW_BALANCE 10000
#define MW_HB 1000000000LL /* heartbeat period: 1 s, beyond every job test */
proto_registry_params mw_registry_params(void);
/* fee 2%, accept timeout 1 ms, challenge window 5 ms, max deadline 100 ms. */
proto_jobs_params mw_jobs_params(void);
void mw_init_market(market_world *w);
/* The same market with these jobs parameters. */
void mw_init_market_with(market_world *w, const proto_jobs_params *jp);
/* Attach the jobs module too. */
void mw_jobs(market_world *w, const proto_jobs_params *params);
void mw_clear(market_world *w);

/* Deliver one message from sender; the module's code (0 = OK; the
 * router's status must be OK or REFUSED). */
uint32_t mw_send(market_world *w, uint32_t sender, const proto_txmsg *m, proto_undo *undo);
/* The same, asserting a refusal with `code` (by the module's name for
 * it), no undo record, no event and an unchanged root. */
void mw_refused(market_world *w, uint32_t sender, const proto_txmsg *m, uint32_t code);
/* Every end-block hook at the world's height and time. */
void mw_end_block(market_world *w, proto_undo *undo);
/* Next block: height + 1, time + dt_ns. */
void mw_next(market_world *w, int64_t dt_ns);

/* Messages. */
proto_txmsg mw_register(uint32_t capabilities, uint32_t capacity, uint64_t price, uint64_t bond);
proto_txmsg mw_update(uint32_t capabilities, uint32_t capacity, uint64_t price);
proto_txmsg mw_heartbeat(uint64_t seq);
proto_txmsg mw_deregister(uint64_t seq);
proto_txmsg mw_post(uint32_t consumer, uint32_t seq, uint32_t provider, uint32_t capability,
                    uint64_t payment, uint32_t deadline_ms);
/* JOB_ACCEPT, JOB_DECLINE, JOB_REJECT, JOB_CANCEL. */
proto_txmsg mw_job(uint8_t type, uint64_t job);
proto_txmsg mw_result(uint64_t job);
proto_txmsg mw_confirm(uint64_t job, uint8_t score);

void mw_root(market_world *w, proto_hash *out);
/* Every module invariant, and the total supply equal to the genesis's. */
void mw_check(market_world *w, const char *where);
uint64_t mw_balance(const market_world *w, uint32_t account);
/* The i-th event reported (asserted to exist). */
const proto_event *mw_event(const market_world *w, guint i);

#endif
