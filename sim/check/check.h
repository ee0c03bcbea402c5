/* sim/check: the invariants a run is judged by, beyond its targets.
 *
 *   - accountability.h: every proven equivocation is slashed exactly once
 *     and in time, and no honest validator is ever punished (a faithful
 *     model of what each proposer could have known);
 *   - conservation.h: no state mints or destroys tokens (balances,
 *     bonded and burned add up to the genesis supply at every height);
 *   - liveness.h: after the last fault heals, a block becomes final
 *     within the bound, when the schedule left a quorum able to act.
 *   - safety.h: no two honest nodes finalize different blocks at a
 *     height, none skips a height, and all reach the same state root.
 * Each is a world observer (sim/world/world_observer.h). Beside them, the
 * monitors that raise alarms rather than stop the run: alarms.h (the fee
 * market) and concentration.h (stake concentration, the Nakamoto and
 * Gini coefficients). */
#ifndef AITBC_SIM_CHECK_H
#define AITBC_SIM_CHECK_H

#include "sim/check/accountability.h"
#include "sim/check/concentration.h"
#include "sim/check/conservation.h"
#include "sim/check/liveness.h"
#include "sim/check/safety.h"

#endif
