/* Stake concentration: how few validators, and how few owners, could
 * stop the chain, at every committed height, and an alarm when one owner
 * could.
 *
 * At each height, from the voting power of that height in the committed
 * state (protocol/chain/valset.h: a jailed or tombstoned validator has
 * none), so the analysis follows the power wherever slashing, jailing or
 * (later) delegation moves it:
 *   - the Nakamoto coefficient by validators: the fewest validators whose
 *     power sums to more than 1/3 of the total (3 x sum > total), the
 *     smallest coalition that can stop a BFT chain's > 2/3 quorums;
 *   - the same by owners, over each owner's summed power ([staking]
 *     owners; a validator it does not list is its own owner);
 *   - the Gini coefficient of power over the validators with power > 0
 *     at the height (the voting set: a jailed validator leaves it rather
 *     than counting as a zero; 0 when all vote alike, towards 1 as one
 *     holds everything; 0 with a single one);
 *   - the largest owner's share.
 * One record per height (sim_concentration_record, the `concentration`
 * table), from the state of the first honest node to finalize it, as
 * the conservation check reads it (heights are first finalized in
 * order, and the safety checker makes every honest state at a height
 * the same).
 *
 * The `concentration` alarm (subject: the owner) is raised when one
 * owner's power reaches 1/3 of the total (3 x power >= total: at exactly
 * 1/3 it can already deny every > 2/3 quorum, though the coefficient,
 * which asks for more than 1/3, still counts two), once per episode, and
 * `concentration-cleared` when it falls below again. Only a run whose
 * scenario has a [staking] section raises them, so a run without one
 * keeps the alarms (and alarm figures) it always had.
 *
 * Figures (with at least one record): nakamoto_coefficient_min,
 * nakamoto_owners_min, stake_gini_max. Deterministic: arrays by index,
 * integer arithmetic up to the Gini's one division. */
#ifndef AITBC_SIM_CONCENTRATION_H
#define AITBC_SIM_CONCENTRATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- the measures, pure (concentration_math.c) ---- */

/* The Nakamoto coefficient of n powers: the fewest of them whose sum is
 * more than 1/3 of their total. Sorts powers in place (descending). 0
 * when the total is 0. Ties do not matter: the count is the same for
 * any order among equal powers. */
uint32_t sim_nakamoto(uint64_t *powers, size_t n);
/* The Gini coefficient of the positive values among n powers: the mean
 * absolute difference over all ordered pairs divided by twice the mean,
 * computed exactly as sum_i (2i - m - 1) x_i / (m x total) over the m
 * positive values sorted ascending (i = 1..m). Sorts powers in place
 * (ascending). 0 when fewer than two are positive. */
double sim_gini(uint64_t *powers, size_t n);
/* owner_powers[o] = the sum of powers[v] over the validators v with
 * owner_of[v] == o (each < owners_count); owner_powers is zeroed first. */
void sim_owner_powers(const uint64_t *powers, const uint32_t *owner_of, size_t n,
                      uint64_t *owner_powers, size_t owners_count);
/* share >= 1/3 of total, exactly (total > 0). */
bool sim_concentration_reaches_third(uint64_t power, uint64_t total);

/* ---- the world observer (concentration.c) ---- */

/* What the observer must know about the run (filled from the scenario
 * by sim/world/world_options.c; the arrays are the scenario's, which
 * outlives the world). */
typedef struct sim_conc_options {
    bool enabled;                   /* the chain has a bonded validator set (PBFT) */
    bool alarm;                     /* raise concentration alarms ([staking] declared) */
    uint32_t validators;            /* the scenario's; a validator added later (index beyond
                                     * them) is its own owner, named vN */
    const uint32_t *owner_of;       /* [validators]: owner index */
    const char *const *owner_names; /* [owners_count] */
    uint32_t owners_count;
} sim_conc_options;

typedef struct sim_conc sim_conc;
struct sim_world;
extern const struct sim_world_observer_ops sim_conc_observer_ops;
sim_conc *sim_conc_new(const sim_conc_options *opt);

#endif
