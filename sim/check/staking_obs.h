/* The staking economy, observed: one record per final height (the
 * `staking` table: pools, bonded ratio, inflation, minted, community
 * pool, Nakamoto coefficient, record counts), the delegations of the
 * run's end (the `delegations` table) and its unbonding entries (the
 * `unbondings` table), and the figures
 * staking_ratio_final, inflation_final, minted_total,
 * bonded_final, delegations_final.
 *
 * Like the concentration and conservation checks, a height is read from
 * the state of the first honest node to finalize it (heights are first
 * final in order, and the safety checker makes every honest state at a
 * height the same). Only a PBFT run whose scenario has a [staking]
 * section records anything. */
#ifndef AITBC_SIM_STAKING_OBS_H
#define AITBC_SIM_STAKING_OBS_H

#include <stdbool.h>

typedef struct sim_staking_obs sim_staking_obs;
struct sim_world;
extern const struct sim_world_observer_ops sim_staking_observer_ops;
/* enabled: the chain runs the staking module. */
sim_staking_obs *sim_staking_obs_new(struct sim_world *w, bool enabled);

#endif
