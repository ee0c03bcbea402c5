/* The agent market's watchdog: what a monitor reading the chain's job
 * and registry records would flag, recorded as alarms (sim_alarm_record,
 * the `alarms` table). It sees only what the chain shows: settlements
 * (released, refunded because the deadline passed, refunded because the
 * consumer rejected the result), registry transitions, and who paid whom.
 * Never the agents' behaviour names, and never whether a result was
 * right (the chain cannot know; a wrong result the consumer did not
 * reject counts as released like any other).
 *
 *   agent_misbehaving   a provider with SIM_MARKET_MISBEHAVE_FAILURES
 *                       failures (jobs refunded because it missed the
 *                       deadline, or because the consumer rejected its
 *                       result) within SIM_MARKET_MISBEHAVE_WINDOW_NS,
 *                       counted at their settlement times. Once per
 *                       episode: raised again only after a failure that
 *                       comes more than the window after the one before.
 *   agent_unresponsive  an agent the registry suspended for missed
 *                       heartbeats (status "suspended"; the registry
 *                       suspends for nothing else). Once per suspension:
 *                       re-armed when it is active again.
 *   sybil_suspected     a consumer C with at least SIM_MARKET_SYBIL_CLUSTER_MIN
 *                       providers that each had at least
 *                       SIM_MARKET_SYBIL_JOBS_MIN jobs released to them,
 *                       every one paid by C, where that is unlikely by
 *                       chance: s^n <= 1 / SIM_MARKET_SYBIL_CHANCE_INV for
 *                       each such provider's n jobs, s being C's share of
 *                       every job released in the market so far (an honest
 *                       provider drawn at random by the market's consumers
 *                       serves one consumer n times in a row with chance
 *                       s^n). Checked at each release for the consumer that
 *                       paid it; once per consumer. The subject is the
 *                       consumer; the detail names the providers.
 *
 * Calls come in virtual-time order (the world reports facts as they
 * commit). Everything is kept in arrays by agent index: deterministic,
 * nothing iterated from a hash table. */
#ifndef AITBC_SIM_MARKET_WATCH_H
#define AITBC_SIM_MARKET_WATCH_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define SIM_MARKET_MISBEHAVE_FAILURES 3
#define SIM_MARKET_MISBEHAVE_WINDOW_NS (300LL * 1000 * 1000 * 1000) /* 5 min */
#define SIM_MARKET_SYBIL_JOBS_MIN 3
#define SIM_MARKET_SYBIL_CLUSTER_MIN 3
#define SIM_MARKET_SYBIL_CHANCE_INV 1000

typedef struct sim_market_watch sim_market_watch;

sim_market_watch *sim_market_watch_new(uint32_t agents_count);
void sim_market_watch_free(sim_market_watch *w);

/* Job `job` of `provider` was refunded at at_ns: it missed the deadline
 * (missed) or its consumer rejected the result (!missed). */
void sim_market_watch_failure(sim_market_watch *w, uint32_t provider, uint64_t job, int64_t at_ns,
                              bool missed);
/* A job of `provider` paid by `consumer` was released at at_ns. */
void sim_market_watch_released(sim_market_watch *w, uint32_t provider, uint32_t consumer,
                               int64_t at_ns);
/* The registry moved `agent` to `status` (see sim_market_obs_agent_status). */
void sim_market_watch_status(sim_market_watch *w, uint32_t agent, int64_t at_ns,
                             const char *status);

/* The alarms raised so far (sim_alarm_record, in the order raised; the
 * watchdog owns them until sim_market_watch_take_alarms). */
const GArray *sim_market_watch_alarms(const sim_market_watch *w);
/* Hand the alarms over: the caller owns the array and its strings (free
 * each record's subject and detail); the watchdog starts a new one. */
GArray *sim_market_watch_take_alarms(sim_market_watch *w);

#endif
