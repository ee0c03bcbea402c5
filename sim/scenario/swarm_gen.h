/* Random fault schedules around a base scenario, for `aitbc-sim swarm`.
 *
 * A swarm world is a pure function of (base scenario, swarm seed, mode):
 * the base file's sections, without its own [fault] and [expect]
 * sections, plus a [scenario] seed equal to the swarm seed, generated
 * [fault swN-KIND] sections drawn from the RNG stream "swarm/schedule" of
 * that seed, and an [expect] asking safety and liveness to hold (liveness
 * is conditional: the run judges it only when a quorum is up and
 * connected long enough after the last heal). The text is a real scenario
 * file, so a failing world's file is its own reproducer.
 *
 * Faults drawn: crashes (most restart), partitions (two or three groups,
 * every node placed), one-way partitions (`groups = A -> B`), degraded
 * links, Byzantine validators (every behavior), Twins (with a partition
 * that puts the twin and its validator on different sides more often
 * than not), full-node churn and, under PBFT, key rotations. Fault windows
 * lie in the first 60% of the run, so most worlds leave time for the
 * liveness bound after the last heal.
 *
 * Byzantine budget: `within-f` keeps the validators that are Byzantine
 * (any behavior, twins included) at most f = floor((n-1)/3) by count and
 * below 1/3 of the stake, the model's assumption; `beyond-f` makes at
 * least f+1 of them Byzantine (and at least 1/3 of the stake), where the
 * checkers are expected to flag violations. Crashes may take any
 * validators in both modes. */
#ifndef AITBC_SIM_SWARM_GEN_H
#define AITBC_SIM_SWARM_GEN_H

#include <glib.h>
#include <stdint.h>

#include "sim/scenario/ini.h"
#include "sim/scenario/scenario.h"

typedef enum sim_swarm_mode {
    SIM_SWARM_WITHIN_F = 0,
    SIM_SWARM_BEYOND_F,
} sim_swarm_mode;

const char *sim_swarm_mode_name(sim_swarm_mode mode);

/* What a generated world holds, for summaries and tests. */
typedef struct sim_swarm_world_info {
    uint32_t f;                     /* floor((validators - 1) / 3) */
    uint32_t byzantine_validators;  /* distinct validators with a byzantine fault or a twin */
    uint64_t byzantine_stake;       /* their stake */
    uint64_t total_stake;
    uint32_t faults;                /* generated [fault] sections */
} sim_swarm_world_info;

/* The world text of `seed` (newly allocated). base_ini is the base file as
 * read (sim_ini_parse), base the same file loaded (sim_scenario_load);
 * base_path is named in the header comment. info may be NULL. */
char *sim_swarm_world_text(const char *base_path, const sim_ini *base_ini,
                           const sim_scenario *base, uint64_t seed, sim_swarm_mode mode,
                           sim_swarm_world_info *info);

#endif
