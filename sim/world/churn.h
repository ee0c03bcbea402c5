/* Churn: full nodes leaving and joining at Poisson rates
 * (`[fault NAME] action = churn`).
 *
 * Between the fault's `at` and `until` (default: the end of the run) two
 * independent Poisson processes run, leaves at `leave_rate` and joins at
 * `join_rate`, both drawn from the fault's own RNG stream ("churn/NAME"),
 * so churn never shifts another stream. A leave takes a uniformly random
 * live node of the fault's set down: half of the leaves (drawn) are
 * graceful (the mesh node says GOODBYE to its peers and the machine goes
 * away SIM_CHURN_GRACE_NS later), the other half crashes (gone at once). A
 * join starts a uniformly random node of the set that churn took down
 * (never one a crash fault holds down) as a NEW machine: its durable store
 * is wiped first, so it bootstraps, syncs the chain from its peers, then
 * serves them. A leave or join that finds no candidate does nothing.
 *
 * Every join and leave is recorded (sim_world_churn_records) for the
 * reports. Nodes churn took down are simply down, like crashed nodes, for
 * the workload and for the safety and liveness checkers; a node that
 * rejoins is a new node whose chain starts again at genesis. */
#ifndef AITBC_SIM_CHURN_H
#define AITBC_SIM_CHURN_H

#include <stdint.h>

#include "sim/engine/rng.h"

/* A graceful leave frees the node this long after its GOODBYEs. */
#define SIM_CHURN_GRACE_NS (100LL * 1000 * 1000)

typedef enum sim_churn_kind {
    SIM_CHURN_JOIN = 0,
    SIM_CHURN_LEAVE_GRACEFUL,
    SIM_CHURN_LEAVE_CRASH,
} sim_churn_kind;

/* "join", "leave-graceful", "leave-crash". */
const char *sim_churn_kind_name(sim_churn_kind kind);

typedef struct sim_churn_record {
    int64_t at_ns;        /* virtual time of the join or of the start of the leave */
    uint32_t node;        /* node index */
    sim_churn_kind kind;
} sim_churn_record;

/* Time to the next event of a Poisson process of `rate_per_s` events per
 * second: exponential, in whole ns, at least 1; INT64_MAX when the rate
 * is 0 (the process never fires; no draw is made). */
int64_t sim_churn_gap_ns(sim_rng *rng, double rate_per_s);

typedef struct sim_world sim_world;
typedef struct sim_churn sim_churn;

/* Churn for fault `fault_index` (action churn) of w's scenario: schedules
 * its first leave and join. Freed with sim_churn_free after the run. */
sim_churn *sim_churn_new(sim_world *w, uint64_t fault_index);
void sim_churn_free(sim_churn *c);

#endif
