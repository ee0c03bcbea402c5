/* The safety invariant (see safety.c): honest nodes finalize one chain
 * and reach one state at every height. A world observer; the world
 * registers it first, so a safety violation is the one a run reports
 * when several invariants break at the same event. */
#ifndef AITBC_SIM_SAFETY_H
#define AITBC_SIM_SAFETY_H

#include <stdbool.h>

typedef struct sim_safety sim_safety;

extern const struct sim_world_observer_ops sim_safety_observer_ops;
sim_safety *sim_safety_new(void);
/* False once a violation was found. */
bool sim_safety_held(const sim_safety *sf);

#endif
