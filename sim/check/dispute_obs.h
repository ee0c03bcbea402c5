/* The market's disputes, observed: one record per dispute the chain's
 * disputes module opened (protocol/modules/disputes/disputes.h), built
 * from its PROTO_EV_DISPUTE steps, each checked against the simulator's
 * truth about the disputed result; at the end, the `disputes` table of
 * results.sqlite and the dispute figures.
 *
 * The market observer (market_obs.h) owns one and passes the world's
 * calls on (sim_market_obs_dispute, sim_market_obs_disputes_active); it
 * is its own file because the market observer is big enough without it.
 *
 * A dispute's record from its steps (event.h: job, status = step,
 * slot = round, prev_status = ruling):
 *   OPENED     a new record, opened_ns; tier 0, no rounds
 *   DEFENDED   from now on the dispute is not a default
 *   ROUND      rounds = round + 1 (the rounds the module started; a
 *              tier 1 with no verifier goes straight to round 1)
 *   RULED      nothing: only the final ruling counts
 *   APPEALED   appeals + 1
 *   SETTLED    resolved_ns, the ruling, the tier (0 undefended, else
 *              PROTO_DISPUTE_TIER_OF(round)), correct: CONSUMER when the
 *              result was wrong, PROVIDER when it was right (NONE never)
 * A step of a dispute never opened, or a second opening, is a bug of the
 * caller (it asserts), unless disputes were dropped over the row bound.
 *
 * Figures. dispute_rate and disputes_wrongful are in every run the
 * market observer reports (0 without disputes); the others only in a run
 * whose disputes module was active or that saw a dispute ("resolved" =
 * settled; a figure whose denominator is 0 is left out):
 *   dispute_rate               disputes opened / jobs posted (0 when none posted)
 *   disputes_wrongful          resolved disputes whose ruling is not correct
 *   disputes_opened, disputes_resolved, disputes_open_end
 *   disputes_tier0, disputes_tier1, disputes_tier2
 *                              resolved disputes per final tier
 *   disputes.RULING            resolved disputes per ruling (consumer,
 *                              provider, none), every ruling (0 included)
 *   disputes_overturned_share  of the resolved disputes whose result was
 *                              wrong, the share ruled "consumer"
 *   dispute_latency_p50_s, dispute_latency_p99_s
 *                              resolved_ns - opened_ns over resolved
 *                              disputes, nearest-rank */
#ifndef AITBC_SIM_DISPUTE_OBS_H
#define AITBC_SIM_DISPUTE_OBS_H

#include <stdbool.h>
#include <stdint.h>

#include "protocol/core/event.h"
#include "sim/figures/metrics.h"

typedef struct sim_dispute_obs sim_dispute_obs;

sim_dispute_obs *sim_dispute_obs_new(void);
void sim_dispute_obs_free(sim_dispute_obs *d);

/* The chain runs the disputes module: the figures are reported even if
 * no dispute is ever opened. */
void sim_dispute_obs_active(sim_dispute_obs *d);
/* A committed PROTO_EV_DISPUTE (once per height, not once per node) at
 * at_ns; result_wrong = the simulator's truth about the disputed job's
 * result (read only by SETTLED). Returns true for an OPENED step (the
 * caller marks the job disputed). */
bool sim_dispute_obs_event(sim_dispute_obs *d, const proto_event *ev, int64_t at_ns,
                           bool result_wrong);
/* Disputes dropped over the row bound (0 in any sensible run). */
uint64_t sim_dispute_obs_unrecorded(const sim_dispute_obs *d);

/* Once, at the end: append the records (in order of opening) to
 * metrics->disputes and set the figures above; jobs_posted is the
 * market's count, the rate's denominator. */
void sim_dispute_obs_finish(sim_dispute_obs *d, sim_metrics *metrics, uint64_t jobs_posted);

#endif
