/* Unit tests for sim/engine/sched.c: ordering, FIFO ties, cancel, limits, stop.
 *
 * Most tests record which events ran, in order, and when. The last one
 * drives the scheduler and a plain reference (an array scanned for the
 * least (time, insertion sequence)) with the same 100k random operations
 * and requires identical results, step by step. */
#include <check.h>
#include <glib.h>
#include <signal.h>
#include <stdint.h>

#include "sim/engine/rng.h"
#include "sim/engine/sched.h"

/* ---- a recorder ----------------------------------------------------------- */

typedef struct rec_run {
    uint64_t tag;
    int64_t at_ns;
} rec_run;

typedef struct rec {
    sim_sched *sched;
    GArray *runs;          /* rec_run, in execution order */
    uint64_t stop_tag;     /* the event with this tag stops the run */
} rec;

static void rec_event(void *ctx, uint64_t tag, uint64_t unused)
{
    rec *r = ctx;
    rec_run run = {tag, sim_sched_now(r->sched)};
    g_array_append_val(r->runs, run);
    if (tag == r->stop_tag)
        sim_sched_stop(r->sched);
}

static void rec_init(rec *r, size_t pending_max)
{
    r->sched = sim_sched_new(pending_max);
    r->runs = g_array_new(FALSE, FALSE, sizeof(rec_run));
    r->stop_tag = UINT64_MAX;
}

static void rec_clear(rec *r)
{
    sim_sched_free(r->sched);
    g_array_free(r->runs, TRUE);
}

static uint64_t rec_tag(const rec *r, guint i)
{
    ck_assert_uint_lt(i, r->runs->len);
    return g_array_index(r->runs, rec_run, i).tag;
}

static sim_event_id rec_at(rec *r, int64_t at_ns, uint64_t tag)
{
    sim_event_id id = sim_sched_at(r->sched, at_ns, rec_event, r, tag, 0);
    ck_assert_uint_ne(id, SIM_EVENT_NONE);
    return id;
}

/* ---- ordering ------------------------------------------------------------- */

START_TEST(test_order_by_time)
{
    rec r;
    rec_init(&r, 64);
    static const int64_t times[] = {500, 3, 1LL << 40, 0, 77, 1LL << 20, 256, 255, 65536, 65535};
    for (size_t i = 0; i < G_N_ELEMENTS(times); i++)
        rec_at(&r, times[i], i);
    ck_assert_uint_eq(sim_sched_pending(r.sched), G_N_ELEMENTS(times));
    ck_assert_int_eq(sim_sched_run(r.sched, INT64_MAX, UINT64_MAX), SIM_RUN_IDLE);
    ck_assert_uint_eq(r.runs->len, G_N_ELEMENTS(times));
    for (guint i = 1; i < r.runs->len; i++)
        ck_assert_int_lt(g_array_index(r.runs, rec_run, i - 1).at_ns,
                         g_array_index(r.runs, rec_run, i).at_ns);
    for (guint i = 0; i < r.runs->len; i++) {
        rec_run run = g_array_index(r.runs, rec_run, i);
        ck_assert_int_eq(run.at_ns, times[run.tag]); /* ran at its own time */
    }
    ck_assert_int_eq(sim_sched_now(r.sched), 1LL << 40);
    ck_assert_uint_eq(sim_sched_executed(r.sched), G_N_ELEMENTS(times));
    ck_assert_uint_eq(sim_sched_pending(r.sched), 0);
    rec_clear(&r);
}
END_TEST

START_TEST(test_fifo_equal_times)
{
    rec r;
    rec_init(&r, 4096);
    /* Three times, 1000 events each, inserted interleaved. */
    for (uint64_t i = 0; i < 3000; i++)
        rec_at(&r, 1000 + (int64_t)(i % 3) * 7, i);
    sim_sched_run(r.sched, INT64_MAX, UINT64_MAX);
    ck_assert_uint_eq(r.runs->len, 3000);
    for (guint k = 0; k < 3000; k++) {
        uint64_t want = (uint64_t)(k % 1000) * 3 + k / 1000; /* by time, then insertion */
        ck_assert_uint_eq(rec_tag(&r, k), want);
    }
    rec_clear(&r);
}
END_TEST

/* Schedules a wave of events at fixed far-apart times each time it runs,
 * so events with one time are inserted while `last` is in very different
 * places (different levels and buckets at insertion). */
typedef struct wave {
    rec *r;
    int64_t targets[16];
    uint64_t next_tag;
    int waves_left;
} wave;

static void wave_event(void *ctx, uint64_t a, uint64_t b)
{
    wave *w = ctx;
    if (w->waves_left-- <= 0)
        return;
    for (size_t t = 0; t < G_N_ELEMENTS(w->targets); t++)
        if (w->targets[t] >= sim_sched_now(w->r->sched))
            rec_at(w->r, w->targets[t], w->next_tag++);
    /* Next wave after a delay that moves time across many digits. */
    int64_t delay_ns = (int64_t)1 << (3 * (w->waves_left % 14));
    sim_sched_after(w->r->sched, delay_ns, wave_event, w, 0, 0);
}

START_TEST(test_fifo_across_redistributions)
{
    rec r;
    rec_init(&r, 1 << 16);
    wave w = {.r = &r, .waves_left = 200};
    for (size_t t = 0; t < G_N_ELEMENTS(w.targets); t++)
        w.targets[t] = ((int64_t)1 << (4 + 3 * t)) + (int64_t)t * 12345; /* 16 ns .. 2^49 ns */
    sim_sched_at(r.sched, 0, wave_event, &w, 0, 0);
    ck_assert_int_eq(sim_sched_run(r.sched, INT64_MAX, UINT64_MAX), SIM_RUN_IDLE);
    /* Times never decrease, and equal times run in tag (insertion) order. */
    guint ties = 0;
    for (guint i = 1; i < r.runs->len; i++) {
        rec_run prev = g_array_index(r.runs, rec_run, i - 1);
        rec_run cur = g_array_index(r.runs, rec_run, i);
        ck_assert_int_le(prev.at_ns, cur.at_ns);
        if (prev.at_ns == cur.at_ns) {
            ck_assert_uint_lt(prev.tag, cur.tag);
            ties++;
        }
    }
    ck_assert_uint_gt(ties, 400); /* the test has teeth */
    ck_assert_uint_eq(r.runs->len, w.next_tag);
    rec_clear(&r);
}
END_TEST

/* ---- cancel --------------------------------------------------------------- */

START_TEST(test_cancel)
{
    rec r;
    rec_init(&r, 64);
    sim_event_id a = rec_at(&r, 10, 1);
    sim_event_id b = rec_at(&r, 20, 2);
    sim_event_id c = rec_at(&r, 1LL << 33, 3);
    ck_assert(a != b && b != c);
    ck_assert(sim_sched_cancel(r.sched, b));
    ck_assert(!sim_sched_cancel(r.sched, b));          /* already cancelled */
    ck_assert_uint_eq(sim_sched_pending(r.sched), 2);
    ck_assert(!sim_sched_cancel(r.sched, SIM_EVENT_NONE));
    ck_assert(!sim_sched_cancel(r.sched, UINT64_C(0xdeadbeef00000007)));
    ck_assert(!sim_sched_cancel(r.sched, a + 1));        /* made-up generation */
    ck_assert(!sim_sched_cancel(r.sched, (a & ~UINT64_C(0xffffffff)) | 9999)); /* unknown slot */

    ck_assert_int_eq(sim_sched_run(r.sched, INT64_MAX, UINT64_MAX), SIM_RUN_IDLE);
    ck_assert_uint_eq(r.runs->len, 2);
    ck_assert_uint_eq(rec_tag(&r, 0), 1);
    ck_assert_uint_eq(rec_tag(&r, 1), 3);
    ck_assert(!sim_sched_cancel(r.sched, a));          /* fired */
    ck_assert(!sim_sched_cancel(r.sched, c));

    /* A new event reuses a slot: the old ids still do not match. */
    sim_event_id d = rec_at(&r, sim_sched_now(r.sched) + 5, 4);
    ck_assert(!sim_sched_cancel(r.sched, a));
    ck_assert(!sim_sched_cancel(r.sched, b));
    ck_assert(!sim_sched_cancel(r.sched, c));
    ck_assert(sim_sched_cancel(r.sched, d));
    ck_assert_int_eq(sim_sched_run(r.sched, INT64_MAX, UINT64_MAX), SIM_RUN_IDLE);
    ck_assert_uint_eq(r.runs->len, 2);
    rec_clear(&r);
}
END_TEST

START_TEST(test_cancel_many_compacts)
{
    rec r;
    rec_init(&r, 20000);
    sim_event_id ids[10000];
    /* 50 distinct times, 200 events each: ties everywhere, some far away. */
    for (uint64_t i = 0; i < 10000; i++)
        ids[i] = rec_at(&r, (int64_t)((i * 7919) % 50) << (i % 3 == 0 ? 30 : 10), i);
    /* Cancel 9 of every 10: enough to trigger compaction. */
    for (uint64_t i = 0; i < 10000; i++)
        if (i % 10 != 0)
            ck_assert(sim_sched_cancel(r.sched, ids[i]));
    ck_assert_uint_eq(sim_sched_pending(r.sched), 1000);
    for (uint64_t i = 0; i < 10000; i++)
        if (i % 10 != 0)
            ck_assert(!sim_sched_cancel(r.sched, ids[i]));
    ck_assert_int_eq(sim_sched_run(r.sched, INT64_MAX, UINT64_MAX), SIM_RUN_IDLE);
    ck_assert_uint_eq(r.runs->len, 1000);
    for (guint i = 0; i < r.runs->len; i++) {
        ck_assert_uint_eq(rec_tag(&r, i) % 10, 0);
        if (i > 0) {
            rec_run prev = g_array_index(r.runs, rec_run, i - 1);
            rec_run cur = g_array_index(r.runs, rec_run, i);
            ck_assert(prev.at_ns < cur.at_ns || (prev.at_ns == cur.at_ns && prev.tag < cur.tag));
        }
    }
    rec_clear(&r);
}
END_TEST

START_TEST(test_cancel_only_event_then_idle)
{
    /* A cancelled far event may have moved the queue's reference past now;
     * scheduling near now afterwards must still work. */
    rec r;
    rec_init(&r, 16);
    rec_at(&r, 100, 1);
    sim_event_id far = rec_at(&r, 1LL << 30, 2);
    sim_event_id far2 = rec_at(&r, (1LL << 30) + 1, 3);
    ck_assert_int_eq(sim_sched_run(r.sched, INT64_MAX, 1), SIM_RUN_EVENT_LIMIT);
    ck_assert(sim_sched_cancel(r.sched, far));
    ck_assert(sim_sched_cancel(r.sched, far2));
    ck_assert_int_eq(sim_sched_run(r.sched, INT64_MAX, UINT64_MAX), SIM_RUN_IDLE);
    ck_assert_int_eq(sim_sched_now(r.sched), 100);
    rec_at(&r, 101, 4);
    rec_at(&r, 100, 5);
    ck_assert_int_eq(sim_sched_run(r.sched, INT64_MAX, UINT64_MAX), SIM_RUN_IDLE);
    ck_assert_uint_eq(r.runs->len, 3);
    ck_assert_uint_eq(rec_tag(&r, 1), 5);
    ck_assert_uint_eq(rec_tag(&r, 2), 4);
    rec_clear(&r);
}
END_TEST

/* ---- run limits and stop -------------------------------------------------- */

START_TEST(test_stop)
{
    rec r;
    rec_init(&r, 16);
    r.stop_tag = 2;
    for (uint64_t i = 1; i <= 4; i++)
        rec_at(&r, (int64_t)i * 10, i);
    ck_assert_int_eq(sim_sched_run(r.sched, INT64_MAX, UINT64_MAX), SIM_RUN_STOPPED);
    ck_assert_uint_eq(r.runs->len, 2);
    ck_assert_int_eq(sim_sched_now(r.sched), 20);
    ck_assert_uint_eq(sim_sched_pending(r.sched), 2);
    /* The next run goes on where this one stopped. */
    ck_assert_int_eq(sim_sched_run(r.sched, INT64_MAX, UINT64_MAX), SIM_RUN_IDLE);
    ck_assert_uint_eq(r.runs->len, 4);
    ck_assert_str_eq(sim_run_result_name(SIM_RUN_STOPPED), "stopped");
    rec_clear(&r);
}
END_TEST

START_TEST(test_time_limit)
{
    rec r;
    rec_init(&r, 16);
    rec_at(&r, 10, 1);
    rec_at(&r, 25, 2);
    rec_at(&r, 1000000, 3);
    ck_assert_int_eq(sim_sched_run(r.sched, 25, UINT64_MAX), SIM_RUN_TIME_LIMIT);
    ck_assert_uint_eq(r.runs->len, 2); /* an event at exactly until runs */
    ck_assert_int_eq(sim_sched_now(r.sched), 25);
    ck_assert_int_eq(sim_sched_run(r.sched, 500000, UINT64_MAX), SIM_RUN_TIME_LIMIT);
    ck_assert_int_eq(sim_sched_now(r.sched), 500000); /* left at the limit */
    ck_assert_uint_eq(r.runs->len, 2);
    /* Events may still go anywhere from now on, before the pending one. */
    rec_at(&r, 500000, 4);
    rec_at(&r, 500001, 5);
    ck_assert_int_eq(sim_sched_run(r.sched, 10, UINT64_MAX), SIM_RUN_TIME_LIMIT); /* in the past */
    ck_assert_int_eq(sim_sched_now(r.sched), 500000);
    ck_assert_int_eq(sim_sched_run(r.sched, INT64_MAX, UINT64_MAX), SIM_RUN_IDLE);
    ck_assert_uint_eq(r.runs->len, 5);
    ck_assert_uint_eq(rec_tag(&r, 2), 4);
    ck_assert_uint_eq(rec_tag(&r, 3), 5);
    ck_assert_uint_eq(rec_tag(&r, 4), 3);
    ck_assert_int_eq(sim_sched_now(r.sched), 1000000); /* idle: last event's time */
    rec_clear(&r);
}
END_TEST

START_TEST(test_event_limit)
{
    rec r;
    rec_init(&r, 16);
    for (uint64_t i = 1; i <= 5; i++)
        rec_at(&r, (int64_t)i * 100, i);
    ck_assert_int_eq(sim_sched_run(r.sched, INT64_MAX, 2), SIM_RUN_EVENT_LIMIT);
    ck_assert_uint_eq(r.runs->len, 2);
    ck_assert_int_eq(sim_sched_now(r.sched), 200);
    ck_assert_int_eq(sim_sched_run(r.sched, INT64_MAX, 0), SIM_RUN_EVENT_LIMIT);
    ck_assert_uint_eq(r.runs->len, 2);
    ck_assert_int_eq(sim_sched_run(r.sched, INT64_MAX, 3), SIM_RUN_IDLE); /* ran the last */
    ck_assert_uint_eq(r.runs->len, 5);
    ck_assert_uint_eq(sim_sched_executed(r.sched), 5);
    ck_assert_int_eq(sim_sched_run(r.sched, INT64_MAX, 3), SIM_RUN_IDLE);
    rec_clear(&r);
}
END_TEST

START_TEST(test_pending_counts)
{
    rec r;
    rec_init(&r, 16);
    ck_assert_uint_eq(sim_sched_pending(r.sched), 0);
    sim_event_id ids[5];
    for (int i = 0; i < 5; i++) {
        ids[i] = rec_at(&r, 10 * (i + 1), (uint64_t)i);
        ck_assert_uint_eq(sim_sched_pending(r.sched), (size_t)i + 1);
    }
    sim_sched_cancel(r.sched, ids[3]);
    ck_assert_uint_eq(sim_sched_pending(r.sched), 4);
    sim_sched_run(r.sched, 25, UINT64_MAX);
    ck_assert_uint_eq(sim_sched_pending(r.sched), 2);
    sim_sched_run(r.sched, INT64_MAX, UINT64_MAX);
    ck_assert_uint_eq(sim_sched_pending(r.sched), 0);
    ck_assert_uint_eq(sim_sched_executed(r.sched), 4);
    rec_clear(&r);
}
END_TEST

/* ---- scheduling from callbacks -------------------------------------------- */

typedef struct chain {
    rec *r;
    sim_event_id victim;
} chain;

static void chain_event(void *ctx, uint64_t step, uint64_t unused)
{
    chain *c = ctx;
    rec_event(c->r, 100 + step, 0);
    sim_sched *s = c->r->sched;
    if (step == 0) {
        /* Same time: after what is already queued at this time. */
        sim_sched_after(s, 0, chain_event, c, 1, 0);
        sim_sched_after(s, 5, chain_event, c, 2, 0);
        /* An event may cancel another one. */
        ck_assert(sim_sched_cancel(s, c->victim));
    }
}

START_TEST(test_schedule_from_callback)
{
    rec r;
    rec_init(&r, 16);
    chain c = {.r = &r};
    sim_sched_at(r.sched, 50, chain_event, &c, 0, 0);
    rec_at(&r, 50, 7);     /* queued before the callback's same-time event */
    c.victim = rec_at(&r, 52, 8);
    rec_at(&r, 55, 9);     /* ties with the callback's +5 event, queued first */
    ck_assert_int_eq(sim_sched_run(r.sched, INT64_MAX, UINT64_MAX), SIM_RUN_IDLE);
    static const uint64_t want[] = {100, 7, 101, 9, 102};
    ck_assert_uint_eq(r.runs->len, G_N_ELEMENTS(want));
    for (guint i = 0; i < r.runs->len; i++)
        ck_assert_uint_eq(rec_tag(&r, i), want[i]);
    rec_clear(&r);
}
END_TEST

START_TEST(test_idle_and_empty)
{
    rec r;
    rec_init(&r, 4);
    ck_assert_int_eq(sim_sched_run(r.sched, INT64_MAX, UINT64_MAX), SIM_RUN_IDLE);
    ck_assert_int_eq(sim_sched_run(r.sched, 1000, UINT64_MAX), SIM_RUN_IDLE);
    ck_assert_int_eq(sim_sched_now(r.sched), 0);
    ck_assert_str_eq(sim_run_result_name(SIM_RUN_IDLE), "idle");
    ck_assert_str_eq(sim_run_result_name(SIM_RUN_TIME_LIMIT), "time-limit");
    ck_assert_str_eq(sim_run_result_name(SIM_RUN_EVENT_LIMIT), "event-limit");
    rec_clear(&r);
}
END_TEST

/* An event that schedules two more each time it runs: a storm. */
static void storm_event(void *ctx, uint64_t a, uint64_t b)
{
    sim_sched *s = ctx;
    sim_sched_after(s, 1, storm_event, s, a, b);
    sim_sched_after(s, 1, storm_event, s, a, b);
}

START_TEST(test_pending_bound_stops_the_run)
{
    rec r;
    rec_init(&r, 2);
    rec_at(&r, 1, 1);
    rec_at(&r, 2, 2);
    rec_at(&r, 3, 3); /* the bound is reached outside a run: the run stops at once */
    ck_assert_int_eq(sim_sched_run(r.sched, 100, 100), SIM_RUN_PENDING_LIMIT);
    ck_assert_uint_eq(r.runs->len, 0);
    ck_assert_int_eq(sim_sched_run(r.sched, 100, 100), SIM_RUN_PENDING_LIMIT); /* sticky */
    ck_assert_str_eq(sim_run_result_name(SIM_RUN_PENDING_LIMIT), "pending-limit");
    rec_clear(&r);

    /* Reached inside a run: the run stops after that event, not later. */
    sim_sched *s = sim_sched_new(1000);
    sim_sched_at(s, 0, storm_event, s, 0, 0);
    ck_assert_int_eq(sim_sched_run(s, INT64_MAX, UINT64_MAX), SIM_RUN_PENDING_LIMIT);
    ck_assert_uint_ge(sim_sched_pending(s), 1000);
    ck_assert_uint_le(sim_sched_pending(s), 1001);
    ck_assert_uint_eq(sim_sched_pending_max(s), 1000);
    sim_sched_free(s);
}
END_TEST

START_TEST(test_idle_until_lets_time_pass)
{
    rec r;
    rec_init(&r, 16);
    sim_event_id id = rec_at(&r, 5, 1);
    sim_sched_idle_until(r.sched, 100); /* something is pending: no effect */
    ck_assert_int_eq(sim_sched_now(r.sched), 0);
    ck_assert(sim_sched_cancel(r.sched, id));
    ck_assert_int_eq(sim_sched_run(r.sched, 50, 10), SIM_RUN_IDLE);
    sim_sched_idle_until(r.sched, 50);
    ck_assert_int_eq(sim_sched_now(r.sched), 50);
    sim_sched_idle_until(r.sched, 40); /* never back */
    ck_assert_int_eq(sim_sched_now(r.sched), 50);
    rec_at(&r, 60, 2);
    ck_assert_int_eq(sim_sched_run(r.sched, 100, 10), SIM_RUN_IDLE);
    ck_assert_uint_eq(r.runs->len, 1);
    ck_assert_int_eq(g_array_index(r.runs, rec_run, 0).at_ns, 60);
    rec_clear(&r);
}
END_TEST

START_TEST(test_pending_bound_twice_over_aborts)
{
    rec r;
    rec_init(&r, 2);
    for (int i = 0; i < 5; i++)
        rec_at(&r, i, (uint64_t)i); /* the fifth is twice the bound: an assertion */
}
END_TEST

/* ---- random operations against a reference -------------------------------- */

/* The reference keeps every event ever scheduled; the next to run is the
 * pending one with the least (time, sequence), found by a scan. */
typedef struct ref_event {
    int64_t at_ns;
    uint64_t tag;
    sim_event_id id;      /* the scheduler's id for the same event */
    bool pending;
} ref_event;

typedef struct ref_world {
    sim_sched *sched;
    GArray *events;       /* ref_event, index = sequence = tag */
    GArray *pending;      /* guint indexes into events of pending ones, any order */
    GArray *log_real;     /* uint64 tags run by the scheduler */
    int64_t ref_now_ns;
} ref_world;

/* What an event does when it runs, a function of its tag only, so the
 * reference can do the same: sometimes schedule a child, sometimes stop. */
static int64_t ref_child_delay_ns(uint64_t tag)
{
    static const int64_t delays[] = {0, 1, 255, 256, 70000, 1 << 24, 3};
    return tag % 5 == 0 ? delays[tag % G_N_ELEMENTS(delays)] : -1;
}

static void ref_real_event(void *ctx, uint64_t tag, uint64_t unused);

static void ref_schedule(ref_world *w, int64_t at_ns)
{
    ref_event ev = {at_ns, w->events->len, SIM_EVENT_NONE, true};
    ev.id = sim_sched_at(w->sched, at_ns, ref_real_event, w, ev.tag, 0);
    g_array_append_val(w->events, ev);
}

static void ref_unpend(ref_world *w, guint index)
{
    g_array_index(w->events, ref_event, index).pending = false;
    for (guint i = 0; i < w->pending->len; i++) {
        if (g_array_index(w->pending, guint, i) == index) {
            g_array_remove_index_fast(w->pending, i);
            return;
        }
    }
    ck_abort_msg("reference: event %u was not pending", index);
}

static void ref_real_event(void *ctx, uint64_t tag, uint64_t unused)
{
    ref_world *w = ctx;
    g_array_append_val(w->log_real, tag);
    int64_t delay_ns = ref_child_delay_ns(tag);
    if (delay_ns >= 0)
        ref_schedule(w, sim_sched_now(w->sched) + delay_ns);
    if (tag % 11 == 0)
        sim_sched_stop(w->sched);
}

/* The reference run: same contract as sim_sched_run, by brute force. The
 * children it schedules were already appended (with the real ids) when
 * the scheduler ran the same event, so here they are only marked. */
static sim_run_result ref_run(ref_world *w, int64_t until_ns, uint64_t events_max,
                              GArray *log_ref, guint *children_seen)
{
    if (until_ns < w->ref_now_ns)
        return w->pending->len > 0 ? SIM_RUN_TIME_LIMIT : SIM_RUN_IDLE;
    for (uint64_t count = 0;; count++) {
        ref_event *best = NULL;
        for (guint i = 0; i < w->pending->len; i++) {
            ref_event *ev = &g_array_index(w->events, ref_event, g_array_index(w->pending, guint, i));
            if (best == NULL || ev->at_ns < best->at_ns ||
                (ev->at_ns == best->at_ns && ev->tag < best->tag))
                best = ev;
        }
        if (count >= events_max)
            return best == NULL ? SIM_RUN_IDLE : SIM_RUN_EVENT_LIMIT;
        if (best == NULL)
            return SIM_RUN_IDLE;
        if (best->at_ns > until_ns) {
            w->ref_now_ns = until_ns;
            return SIM_RUN_TIME_LIMIT;
        }
        w->ref_now_ns = best->at_ns;
        uint64_t tag = best->tag;
        ref_unpend(w, (guint)tag);
        g_array_append_val(log_ref, tag);
        if (ref_child_delay_ns(tag) >= 0) {
            /* The child the scheduler created, in the same order. */
            ck_assert_uint_lt(*children_seen, w->events->len);
            ref_event *child = &g_array_index(w->events, ref_event, *children_seen);
            ck_assert_int_eq(child->at_ns, w->ref_now_ns + ref_child_delay_ns(tag));
            g_array_append_val(w->pending, *children_seen);
            (*children_seen)++;
        }
        if (tag % 11 == 0)
            return SIM_RUN_STOPPED;
    }
}

static int64_t ref_random_delay_ns(sim_rng *r)
{
    switch (sim_rng_below(r, 6)) {
    case 0: return 0;
    case 1: return (int64_t)sim_rng_below(r, 16);
    case 2: return (int64_t)sim_rng_below(r, 1000);
    case 3: return (int64_t)sim_rng_below(r, 1 << 20);
    case 4: return (int64_t)sim_rng_below(r, UINT64_C(1) << 40);
    default: return 1000 * (int64_t)sim_rng_below(r, 4); /* many ties */
    }
}

START_TEST(test_random_against_reference)
{
    ref_world w = {0};
    w.sched = sim_sched_new(1 << 20);
    w.events = g_array_new(FALSE, FALSE, sizeof(ref_event));
    w.pending = g_array_new(FALSE, FALSE, sizeof(guint));
    w.log_real = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    GArray *log_ref = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    sim_rng r;
    sim_rng_init(&r, 2024, "test.sched.reference");

    for (int op = 0; op < 100000; op++) {
        uint64_t kind = sim_rng_below(&r, 100);
        if (kind < 50) {
            ref_schedule(&w, sim_sched_now(w.sched) + ref_random_delay_ns(&r));
            guint index = w.events->len - 1;
            g_array_append_val(w.pending, index);
        } else if (kind < 65 && w.events->len > 0) {
            /* Cancel any id ever issued (pending, run or cancelled). */
            ref_event *ev = &g_array_index(w.events, ref_event,
                                           sim_rng_below(&r, w.events->len));
            bool got = sim_sched_cancel(w.sched, ev->id);
            ck_assert_msg(got == ev->pending, "op %d: cancel of tag %" G_GUINT64_FORMAT, op,
                          ev->tag);
            if (ev->pending)
                ref_unpend(&w, (guint)ev->tag);
        } else {
            int64_t until_ns = INT64_MAX;
            uint64_t events_max = UINT64_MAX;
            if (sim_rng_chance(&r, 0.5))
                events_max = sim_rng_below(&r, 30);
            else
                until_ns = sim_sched_now(w.sched) + ref_random_delay_ns(&r) - 500;
            guint seen = w.events->len;
            sim_run_result got = sim_sched_run(w.sched, until_ns, events_max);
            sim_run_result want = ref_run(&w, until_ns, events_max, log_ref, &seen);
            ck_assert_msg(got == want, "op %d: run gave %s, reference %s", op,
                          sim_run_result_name(got), sim_run_result_name(want));
            ck_assert_uint_eq(seen, w.events->len);
            ck_assert_int_eq(sim_sched_now(w.sched), w.ref_now_ns);
        }
        ck_assert_uint_eq(w.log_real->len, log_ref->len);
        ck_assert_uint_eq(sim_sched_pending(w.sched), w.pending->len);
    }
    for (guint i = 0; i < log_ref->len; i++)
        ck_assert_uint_eq(g_array_index(w.log_real, uint64_t, i),
                          g_array_index(log_ref, uint64_t, i));
    ck_assert_uint_gt(log_ref->len, 20000);

    g_array_free(log_ref, TRUE);
    g_array_free(w.log_real, TRUE);
    g_array_free(w.events, TRUE);
    g_array_free(w.pending, TRUE);
    sim_sched_free(w.sched);
}
END_TEST

static Suite *sched_suite(void)
{
    Suite *s = suite_create("sched");
    TCase *tc = tcase_create("order");
    tcase_add_test(tc, test_order_by_time);
    tcase_add_test(tc, test_fifo_equal_times);
    tcase_add_test(tc, test_fifo_across_redistributions);
    tcase_add_test(tc, test_schedule_from_callback);
    suite_add_tcase(s, tc);

    tc = tcase_create("cancel");
    tcase_add_test(tc, test_cancel);
    tcase_add_test(tc, test_cancel_many_compacts);
    tcase_add_test(tc, test_cancel_only_event_then_idle);
    suite_add_tcase(s, tc);

    tc = tcase_create("run");
    tcase_add_test(tc, test_stop);
    tcase_add_test(tc, test_time_limit);
    tcase_add_test(tc, test_event_limit);
    tcase_add_test(tc, test_pending_counts);
    tcase_add_test(tc, test_idle_and_empty);
    tcase_add_test(tc, test_pending_bound_stops_the_run);
    tcase_add_test(tc, test_idle_until_lets_time_pass);
    tcase_add_test_raise_signal(tc, test_pending_bound_twice_over_aborts, SIGTRAP); /* g_error */
    suite_add_tcase(s, tc);

    tc = tcase_create("reference");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_random_against_reference);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(sched_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
