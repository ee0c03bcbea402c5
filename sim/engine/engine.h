/* sim/engine: the deterministic machinery every run stands on.
 *
 *   - sched.h: the discrete-event scheduler (virtual time in ns, events in
 *     (time, sequence) order, cancellable timers, a bound on pending
 *     events);
 *   - rng.h: seeded random streams, one per named purpose, so adding a
 *     draw in one place never shifts another's;
 *   - net.h: the virtual network (latency distributions, bandwidth,
 *     partitions, degraded links, per-type traffic counts);
 *   - store.h: each node's durable key-value store, surviving crashes;
 *   - trace.h: the trace hash over every delivery, the run's fingerprint.
 * Nothing here knows about blocks, validators or scenarios' files. */
#ifndef AITBC_SIM_ENGINE_H
#define AITBC_SIM_ENGINE_H

#include "sim/engine/net.h"
#include "sim/engine/rng.h"
#include "sim/engine/sched.h"
#include "sim/engine/store.h"
#include "sim/engine/trace.h"

#endif
