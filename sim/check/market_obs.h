/* The agent market, observed: the recording API the world calls as the
 * market's facts happen (agents registering and leaving, jobs posted,
 * matched, delivered, disputed and settled), the tables those facts become
 * (`agents`, `jobs`, `agent_transitions` of results.sqlite, and `disputes`
 * through sim/check/dispute_obs.h) and the
 * market's headline figures. It also feeds the market's watchdog
 * (sim/check/market_watch.h), whose alarms join the `alarms` table.
 *
 * Use (the world's side):
 *   sim_market_obs *mo = sim_market_obs_new(agents, names, capabilities, token_usd);
 *   sim_world_observer_add(w, &sim_market_observer_ops, mo);  -- the world owns it now
 *   ... sim_world_observer_find(w, &sim_market_observer_ops) gives it back to
 *       whatever records a fact; at the end of the run its figures hook
 *       (sim_figures_compute) calls sim_market_obs_finish(mo, w->metrics),
 *       which fills metrics->agents, ->jobs, ->agent_transitions, merges the
 *       watchdog's alarms into ->alarms and sets the figures below; the
 *       reports layer writes them from sim_metrics like every other table.
 * Without the world (tests, tools), call sim_market_obs_finish and
 * sim_market_obs_free yourself.
 *
 * Times are virtual nanoseconds since the start of the run. Amounts are
 * integer base units; token_usd is the reporting price of one base unit.
 * Agents are numbered 0..agents_count-1 (a0..); a job is named by the id
 * the world gives it (any uint64, unique per run). Calling about an agent
 * out of range, or a job not posted, is a bug of the caller: it asserts.
 *
 * Figures (only in a run whose observer saw an agent or a job; "decided"
 * = every job whose outcome is not open, "released" = completed +
 * released_wrong; a figure whose denominator is 0 is left out, so an
 * [expect] on it says "nothing measured"):
 *   agents_active_max     the largest registry ACTIVE count sampled
 *                         (sim_market_obs_active); 0 without samples
 *   agents_active_final   the last sample; 0 without samples
 *   agents_registered     agents with a registration
 *   jobs_posted           jobs consumers wanted: every job row, posted on
 *                         chain or not (unmatched ones included)
 *   jobs_completed        outcome completed (released, result correct)
 *   jobs_open_end         outcome open: not settled when the run ended
 *   jobs_unmatched        outcome unmatched: no provider could be found
 *   jobs.OUTCOME          jobs per outcome, every outcome (0 included)
 *   job_completion_rate   jobs_completed / decided (0..1)
 *   job_latency_p50_s, job_latency_p99_s
 *                         settled_ns - posted_ns over completed jobs,
 *                         nearest-rank (sim_percentile_i64)
 *   match_latency_p50_s, match_latency_p99_s
 *                         matched_ns - posted_ns over every matched job
 *   cost_per_job_mean     sum over completed jobs of (price + fee_paid),
 *                         over jobs_completed: what a consumer paid per
 *                         completed job, fees included (base units)
 *   cost_per_job_usd      cost_per_job_mean x token_usd
 *   provider_roi_mean     the mean, over agents of role "provider" whose
 *                         final figures were reported with
 *                         operating_cost + fees_paid > 0, of
 *                         (earned - operating_cost - fees_paid - slashed
 *                          + dispute_got - dispute_paid)
 *                         / (operating_cost + fees_paid)
 *                         (1.0 = earned twice its costs; sybils are not
 *                         providers here)
 *   jobs_wrong_released   outcome released_wrong
 *   wrong_result_share    jobs_wrong_released / released
 *   dispute_rate, disputes_wrongful, and with disputes the other dispute
 *                         figures: sim/check/dispute_obs.h
 * and the watchdog's alarms counted again (alarms_count, alarms.KIND). */
#ifndef AITBC_SIM_MARKET_OBS_H
#define AITBC_SIM_MARKET_OBS_H

#include <stdbool.h>
#include <stdint.h>

#include "protocol/core/event.h"
#include "sim/figures/metrics.h"

typedef enum sim_job_outcome {
    SIM_JOB_OPEN = 0,       /* not settled when the run ended */
    SIM_JOB_UNMATCHED,      /* no provider could be found for it (never posted on chain) */
    SIM_JOB_COMPLETED,      /* released to the provider, result correct */
    SIM_JOB_RELEASED_WRONG, /* released, but the result was wrong (the market got it wrong) */
    SIM_JOB_REJECTED,       /* consumer rejected the delivered result: refunded */
    SIM_JOB_MISSED,         /* accepted, no result by the deadline: refunded, provider slashed */
    SIM_JOB_EXPIRED,        /* never accepted: refunded after the accept timeout */
    SIM_JOB_DECLINED,       /* provider declined: refunded */
    SIM_JOB_CANCELLED,      /* consumer cancelled before acceptance: refunded */
    SIM_JOB_SPLIT,          /* disputed, no ruling: half the payment to the provider, the
                             * rest and the fee back to the consumer */
    SIM_JOB_OUTCOME_COUNT
} sim_job_outcome;

/* "open", "unmatched", "completed", "released_wrong", "rejected",
 * "missed", "expired", "declined", "cancelled", "split" (static). */
const char *sim_job_outcome_name(sim_job_outcome o);

typedef struct sim_market_obs sim_market_obs;
struct sim_world;
extern const struct sim_world_observer_ops sim_market_observer_ops;

/* capability_names[capabilities_count] are copied (interned). */
sim_market_obs *sim_market_obs_new(uint32_t agents_count, const char *const *capability_names,
                                   uint32_t capabilities_count, double token_usd);
void sim_market_obs_free(sim_market_obs *m);

/* ---- agents ---- */

/* Describe agent `agent` (a0 is 0): role "provider", "consumer",
 * "verifier", "arbiter" (the jurors) or "sybil"; its host node index;
 * its capability index or SIM_AGENT_NONE (UINT32_MAX) for none; owner = the agent index of its owner (itself
 * normally); behaviour = the simulator's truth ("honest", "no-show",
 * ...), for the tables only: nothing computed here reads it. Strings are
 * copied. Calling it again replaces the description (a new host after a
 * move). */
void sim_market_obs_agent(sim_market_obs *m, uint32_t agent, const char *role, uint32_t node,
                          uint32_t capability, uint32_t owner, const char *behaviour);
/* A registry transition of a described agent committed: "registered", "active", "suspended"
 * (for missed heartbeats: the watchdog says so), "evicted",
 * "deregistered", "left" (its host is gone), "moved". */
void sim_market_obs_agent_status(sim_market_obs *m, uint32_t agent, int64_t at_ns,
                                 const char *status);
/* The agent's final figures, once, at the end of the run (base units;
 * reputation as the registry scores it; jobs_done released to it,
 * jobs_failed refunded against it). An agent never reported has NULL in
 * those columns and is left out of provider_roi_mean. */
void sim_market_obs_agent_money(sim_market_obs *m, uint32_t agent, uint64_t bond, uint64_t earned,
                                uint64_t spent, uint64_t fees_paid, uint64_t slashed,
                                uint64_t operating_cost, double reputation, uint64_t jobs_done,
                                uint64_t jobs_failed);
/* The agent's dispute money, with its final figures (after
 * sim_market_obs_agent_money): paid = the bonds and appeal fees it paid,
 * got = what dispute settlements paid to its balance (base units); a
 * juror's stake left in the disputes module (has_stake; false for an
 * agent that is no juror: the column is NULL). */
void sim_market_obs_agent_disputes(sim_market_obs *m, uint32_t agent, uint64_t paid,
                                   uint64_t got, bool has_stake, uint64_t stake);
/* A sample of the registry's ACTIVE agent count. */
void sim_market_obs_active(sim_market_obs *m, int64_t at_ns, uint32_t active_agents);

/* ---- jobs: one row per job a consumer wanted ---- */

/* The consumer wanted job `job` (a new id) at posted_ns, of capability
 * index `capability`, work_s seconds of compute at reference speed. */
void sim_market_obs_job_posted(sim_market_obs *m, uint64_t job, uint32_t consumer,
                               uint32_t capability, int64_t posted_ns, double work_s);
/* The chain committed `provider`'s acceptance; price = the base units
 * escrowed for the provider (the whole payment, not a rate). */
void sim_market_obs_job_matched(sim_market_obs *m, uint64_t job, uint32_t provider,
                                int64_t matched_ns, uint64_t price);
/* The result commitment committed; correct = the simulator's truth. */
void sim_market_obs_job_delivered(sim_market_obs *m, uint64_t job, int64_t delivered_ns,
                                  bool correct);
/* The job ended (once; outcome not SIM_JOB_OPEN): released, refunded, or
 * (unmatched) given up at settled_ns. fee_paid = every fee the consumer
 * paid for it beyond the price: the market's fee plus its transactions'
 * fees. */
void sim_market_obs_job_settled(sim_market_obs *m, uint64_t job, int64_t settled_ns,
                                sim_job_outcome outcome, uint64_t fee_paid);
/* A committed transaction naming the job used `gas` (before or after it
 * settled: the settling transaction reports after the settlement); the
 * record's gas_used is their sum. Unknown jobs are ignored. */
void sim_market_obs_job_gas(sim_market_obs *m, uint64_t job, uint64_t gas);
/* A committed PROTO_EV_DISPUTE (once per height) at at_ns, passed on to
 * the disputes observer (dispute_obs.h); an OPENED step marks the job
 * disputed. result_wrong = the simulator's truth about the job's result. */
void sim_market_obs_dispute(sim_market_obs *m, const proto_event *ev, int64_t at_ns,
                            bool result_wrong);
/* The chain runs the disputes module (the dispute figures are reported
 * even without a dispute). */
void sim_market_obs_disputes_active(sim_market_obs *m);

/* ---- the end ---- */

/* Once, at the end of the run: append the agents (those described, by
 * index), the jobs (in order of posting), the transitions (in time
 * order) and the disputes (in order of opening) to `metrics`, merge the
 * watchdog's alarms into metrics->alarms by time, and set the figures
 * above. Nothing if the observer saw no agent and no job. */
void sim_market_obs_finish(sim_market_obs *m, sim_metrics *metrics);

/* At the end, before the figures: the transaction fees a consumer paid
 * (all of them, from its balance), shared equally over the jobs it put
 * on chain (every outcome but unmatched; the first takes the remainder)
 * and added to their fee_paid, so cost_per_job counts them. */
void sim_market_obs_consumer_fees(sim_market_obs *m, uint32_t consumer, uint64_t fees);
/* The watchdog's alarms so far (sim_alarm_record), for tests. */
const GArray *sim_market_obs_alarms(const sim_market_obs *m);

#endif
