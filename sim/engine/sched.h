/* Discrete-event scheduler in virtual time.
 *
 * Virtual time is int64 nanoseconds from the start of the run. Events run
 * in (time, insertion sequence) order, so ties break the same way on every
 * run (FIFO among equal times, as FoundationDB's sim2 and libuv's timers).
 * Any event can be cancelled by its id; a cancelled event never runs.
 *
 * The queue is a radix heap keyed on time: virtual time never goes
 * backwards, so a monotone priority queue gives O(1) insertion and cheap
 * amortised removal, and buckets kept as FIFO arrays preserve insertion
 * order among equal times without storing a sequence number. Event
 * payloads live in a slot pool with generation counters so a stale or
 * cancelled id is detected without searching the queue.
 *
 * Bounded: `pending_max` events may be pending at once. Scheduling past
 * it is not a crash, since an event storm is a possible outcome of a valid
 * scenario (a view timeout of 1 ns): the event is queued, the bound is
 * marked as reached, and sim_sched_run returns SIM_RUN_PENDING_LIMIT after
 * the event that reached it (or at once, if it was reached outside a run),
 * every later call too. Only twice the bound is an assertion. A run also
 * stops at a time limit or an event-count limit and says which. */
#ifndef AITBC_SIM_SCHED_H
#define AITBC_SIM_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sim_sched sim_sched;

/* Event callback. `a` and `b` are caller data carried with the event. */
typedef void (*sim_event_fn)(void *ctx, uint64_t a, uint64_t b);

/* 0 is never a valid id. */
typedef uint64_t sim_event_id;
#define SIM_EVENT_NONE ((sim_event_id)0)

typedef enum sim_run_result {
    SIM_RUN_IDLE = 0,       /* no pending events left */
    SIM_RUN_TIME_LIMIT,     /* next event is later than the time limit */
    SIM_RUN_EVENT_LIMIT,    /* executed the maximum number of events */
    SIM_RUN_STOPPED,        /* sim_sched_stop() was called by an event */
    SIM_RUN_PENDING_LIMIT,  /* pending_max events were pending (sticky) */
} sim_run_result;

const char *sim_run_result_name(sim_run_result r);

sim_sched *sim_sched_new(size_t pending_max);
void sim_sched_free(sim_sched *s);

int64_t sim_sched_now(const sim_sched *s);
/* Schedule at an absolute time >= now. Reaching pending_max marks the
 * bound as reached (see above); twice it is an assertion. */
sim_event_id sim_sched_at(sim_sched *s, int64_t at_ns, sim_event_fn fn, void *ctx, uint64_t a,
                          uint64_t b);
/* Schedule after delay_ns >= 0. */
sim_event_id sim_sched_after(sim_sched *s, int64_t delay_ns, sim_event_fn fn, void *ctx,
                             uint64_t a, uint64_t b);
/* Returns true if the event was pending and is now cancelled. */
bool sim_sched_cancel(sim_sched *s, sim_event_id id);

/* Run events with time <= until_ns, at most events_max of them (counting
 * from this call). Time is left at the last executed event's time, or at
 * until_ns when the time limit was reached. */
sim_run_result sim_sched_run(sim_sched *s, int64_t until_ns, uint64_t events_max);
/* Nothing pending: let virtual time pass to until_ns (a later time) as a
 * run would have, had anything been due then. No effect otherwise. */
void sim_sched_idle_until(sim_sched *s, int64_t until_ns);
/* Called from inside an event: stop the current run after this event. */
void sim_sched_stop(sim_sched *s);

/* Id of the event whose callback is running (SIM_EVENT_NONE outside one):
 * lets a callback learn the id it was scheduled under (timer ids). */
sim_event_id sim_sched_current(const sim_sched *s);
uint64_t sim_sched_executed(const sim_sched *s); /* events run so far */
size_t sim_sched_pending(const sim_sched *s);    /* live (uncancelled) pending events */
size_t sim_sched_pending_max(const sim_sched *s);

#endif
