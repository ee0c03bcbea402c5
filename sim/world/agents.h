/* The agents of [agents] in the simulated world (sim/world/agents.c):
 * each is a protocol agent (protocol/agents/agent.h) hosted on a node,
 * with an environment the world provides: the host's committed state,
 * the workload's wallet service for its transactions, the network for
 * its sealed messages (from its host to the recipient's), a store that
 * survives its host's crash, and a compute model (work / speed, at most
 * `capacity` jobs at once, the rest queued). The world also draws the
 * jobs consumers want ([jobs] rate, work, mix) and turns what the agents
 * and the chain report into the market's rows (sim/check/market_obs.h). */
#ifndef AITBC_SIM_WORLD_AGENTS_H
#define AITBC_SIM_WORLD_AGENTS_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocol/agents/agent.h"
#include "protocol/core/event.h"
#include "sim/engine/rng.h"
#include "sim/engine/store.h"
#include "sim/scenario/scenario.h"

typedef struct sim_world sim_world;
typedef struct sim_market_obs sim_market_obs;

typedef struct sim_agent_slot {
    sim_world *world;
    uint32_t index;            /* aK: K; sybil identities after the scenario's agents */
    uint32_t account;
    uint32_t host;             /* node index it runs on now */
    uint32_t owner;            /* agent index of whoever runs it (itself, or a sybil's owner) */
    uint32_t capability;       /* provider: its class; consumer, juror: UINT32_MAX */
    proto_agent *agent;        /* NULL while its host is down, or once it left */
    proto_agent_config cfg;
    sim_store *store;          /* survives its host's crashes and moves */
    sim_rng rng;               /* its own stream */
    uint32_t incarnation;      /* bumped whenever the agent is freed: stale timers die */
    bool gone;                 /* left the market (agent churn), or its host left for good */
    bool leaving;              /* agent churn: deregistering, not stopped yet */
    bool churned_out;          /* agent churn stopped it: a churn join may bring it back */
    bool rejoin_pending;       /* agent churn brought it back: proto_agent_rejoin at start */
    double speed;              /* x the reference speed */
    double cost_per_s;         /* operating cost per reference second of work */
    uint32_t busy;             /* jobs computing now (<= capacity) */
    GQueue waiting;            /* jobs queued behind them (uint64 job, work_ms pairs) */
    double operating_cost;     /* spent on compute so far (base units) */
    uint64_t earned;           /* payments released to it (chain events) */
    uint64_t spent;            /* payment + market fee of its released jobs as consumer */
    uint64_t dispute_paid;     /* bonds and appeal fees it paid (disputes' events) */
    uint64_t dispute_got;      /* what dispute settlements paid to its balance */
    const char *behaviour;     /* its fault's keyword, or "honest" */
} sim_agent_slot;

typedef struct sim_agent_churn sim_agent_churn;

typedef struct sim_agents {
    const sim_agents_options *ao; /* the world's view of [agents] and [jobs] (borrowed) */
    const sim_jobs_options *jo;
    sim_agent_slot *slots;     /* [count] */
    uint32_t count;            /* identities: the scenario's agents, then sybil identities */
    uint32_t base_count;       /* the scenario's agents (providers, consumers, jurors) */
    uint32_t providers;
    uint32_t consumers;
    uint32_t first_juror;      /* agent index of the first juror: providers + consumers */
    uint32_t jurors;           /* [disputes] verifiers, then arbiters; 0 without it */
    uint32_t verifiers;
    uint32_t first_account;    /* agent k is account first_account + k */
    uint32_t first_client;     /* agent k is workload client first_client + k */
    sim_rng jobs_rng;          /* stream "jobs": arrivals, consumers, capabilities, work */
    double job_rate_per_s;
    uint64_t unmatched_ids;    /* ids given to jobs that never reached the chain */
    uint64_t chain_height;     /* the market observer's: highest height whose events it took */
    uint32_t chain_reporter;   /* the node whose events of that height it takes */
    GHashTable *job_truth;     /* job id -> 1 + correct (what its provider delivered) */
    sim_market_obs *obs;
    uint64_t msgs_sent;
    uint64_t msgs_dropped;     /* recipient gone, or moved while the message flew */
    GPtrArray *churns;         /* sim_agent_churn of the agent churn faults started; or NULL */
} sim_agents;

/* Set up the agents (after the workload: they are its clients too) and
 * schedule their start and the jobs. Nothing when the scenario has none.
 * disputes: [disputes] (its jurors are agents too), or NULL. */
void sim_agents_init(sim_world *w, const sim_agents_options *agents,
                     const sim_jobs_options *jobs, const sim_disputes_options *disputes);
void sim_agents_clear(sim_world *w);
bool sim_agents_present(const sim_world *w);

/* The slot of the agent whose account this is, or NULL (not an agent). */
sim_agent_slot *sim_agents_slot_of(sim_world *w, uint32_t account);

/* The world's hooks. */
void sim_agents_host_down(sim_world *w, uint32_t node);  /* crashed or leaving */
/* Restarted or joined: its agents start, and agents parked on a host
 * that left move to a live host of the list. */
void sim_agents_host_up(sim_world *w, uint32_t node);
void sim_agents_host_gone(sim_world *w, uint32_t node);  /* left for good: move its agents */
/* A frame of type PROTO_MSG_AGENT reached node `to` (the world's deliver). */
void sim_agents_deliver(sim_world *w, uint32_t to, GBytes *wire);
/* A node reported a chain event (the market's own kinds are taken once
 * per height, from the first node that reports it). */
void sim_agents_on_chain_event(sim_world *w, uint32_t node, const proto_event *ev);
/* A byzantine fault naming agents starts (sim/world/faults.c): its
 * behaviour goes into their configuration (proto_agent_reconfigure). */
void sim_agents_misbehave(sim_world *w, const sim_fault *fault);
/* A node committed a new highest height: sample the active agents. */
void sim_agents_on_height(sim_world *w, const proto_state *s);
/* End of run: the final figures of every agent into the observer. */
void sim_agents_finish(sim_world *w);

/* agents_setup.c: identities the scenario's agents (jurors included:
 * disputes may be NULL) and sybil faults make (the chain funds that many
 * accounts). */
uint32_t sim_agents_identities(const sim_agents_options *agents,
                               const sim_disputes_options *disputes, const GPtrArray *faults);
/* agents.c: the role the tables show: "provider", "consumer", "verifier",
 * "arbiter" or "sybil" (static). */
const char *sim_agent_slot_role(const sim_agent_slot *sl);
/* Gas for one market message: exact plus 10%. */
uint64_t sim_agents_msg_gas(const sim_world *w, const proto_txmsg *msg);
/* agents.c, for agents_churn.c: start an agent on its host (nothing
 * while the host is down or the agent gone; moved first when its host
 * left for good) and stop it (its store stays). */
void sim_agent_slot_start(sim_agent_slot *sl);
void sim_agent_slot_stop(sim_agent_slot *sl);
/* agents_churn.c: a churn fault whose `nodes` are agents starts (faults.c):
 * its Poisson leaves and joins run until the fault's `until`. */
void sim_agents_churn_start(sim_world *w, uint64_t fault_index);
void sim_agent_churn_free(void *churn);
/* agents_market.c: the job arrivals (sim_agents_init calls it). */
void sim_agents_jobs_init(sim_world *w);

#endif
