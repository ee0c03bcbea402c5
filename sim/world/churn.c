/* Churn: Poisson leaves and joins of full nodes (see churn.h).
 *
 * Each churn fault owns one sim_churn: its RNG stream and its two
 * processes. An event acts, then draws the gap to its process's next
 * event; events that would fall at or after the end of the window are not
 * scheduled. Draw order inside an event is fixed (candidate, then
 * graceful-or-crash for a leave, then the next gap), so a run is a pure
 * function of the seed. Candidates are collected in node order from the
 * fault's sorted node set, never from a hash table. */
#include "sim/world/churn.h"

#include "sim/world/world_internal.h"

struct sim_churn {
    sim_world *w;
    const sim_fault *fault;
    sim_rng rng;
    int64_t end_ns;       /* no event at or after this time */
    GArray *candidates;   /* uint32 scratch, reused by every event */
};

/* Event payload `a` of a churn event. */
enum { CHURN_EV_LEAVE = 0, CHURN_EV_JOIN = 1 };

const char *sim_churn_kind_name(sim_churn_kind kind)
{
    switch (kind) {
    case SIM_CHURN_JOIN: return "join";
    case SIM_CHURN_LEAVE_GRACEFUL: return "leave-graceful";
    case SIM_CHURN_LEAVE_CRASH: return "leave-crash";
    }
    return "unknown";
}

int64_t sim_churn_gap_ns(sim_rng *rng, double rate_per_s)
{
    if (!(rate_per_s > 0))
        return INT64_MAX;
    double gap_ns = sim_rng_exponential(rng, 1e9 / rate_per_s);
    if (gap_ns >= 9.0e18)
        return INT64_MAX;
    int64_t ns = (int64_t)gap_ns;
    return ns < 1 ? 1 : ns;
}

static void churn_event(void *ctx, uint64_t a, uint64_t unused);

/* Schedule the process's next event, if it falls inside the window. */
static void churn_schedule_next(sim_churn *c, uint64_t which)
{
    double rate = which == CHURN_EV_JOIN ? c->fault->join_rate_per_s : c->fault->leave_rate_per_s;
    int64_t now = sim_sched_now(c->w->sched);
    int64_t gap = sim_churn_gap_ns(&c->rng, rate);
    if (gap >= c->end_ns - now)
        return;
    sim_sched_at(c->w->sched, now + gap, churn_event, c, which, 0);
}

static void churn_record(sim_churn *c, uint32_t node, sim_churn_kind kind)
{
    sim_churn_record r = {.at_ns = sim_sched_now(c->w->sched), .node = node, .kind = kind};
    g_array_append_val(c->w->churn_records, r);
}

/* A crash fault whose window covers now names this node: it is that
 * fault's to restart, not churn's. */
static bool held_by_crash_fault(const sim_world *w, uint32_t node)
{
    int64_t now = sim_sched_now(w->sched);
    for (guint i = 0; i < w->opt.faults->len; i++) {
        const sim_fault *f = w->opt.faults->pdata[i];
        if (f->action != SIM_FAULT_CRASH || now < f->at_ns ||
            (f->until_ns >= 0 && now >= f->until_ns))
            continue;
        for (guint j = 0; j < f->nodes->len; j++) {
            if (g_array_index(f->nodes, uint32_t, j) == node)
                return true;
        }
    }
    return false;
}

/* A uniformly random node of the fault's set that can leave (joining =
 * false: up and not already leaving) or join (down because churn took it
 * down, and no crash fault holds it); UINT32_MAX if there is none. */
static uint32_t churn_pick(sim_churn *c, bool joining)
{
    sim_world *w = c->w;
    g_array_set_size(c->candidates, 0);
    for (guint i = 0; i < c->fault->nodes->len; i++) {
        uint32_t node = g_array_index(c->fault->nodes, uint32_t, i);
        const sim_node_slot *slot = &w->nodes[node];
        bool ok = joining ? !slot->up && slot->churned_out && !held_by_crash_fault(w, node)
                          : slot->up && !slot->leaving;
        if (ok)
            g_array_append_val(c->candidates, node);
    }
    if (c->candidates->len == 0)
        return UINT32_MAX;
    return g_array_index(c->candidates, uint32_t,
                         sim_rng_below(&c->rng, c->candidates->len));
}

/* The end of a graceful leave: the machine goes away, unless something
 * else (a crash fault) took it down meanwhile. */
static void churn_gone(void *ctx, uint64_t node, uint64_t incarnation)
{
    sim_world *w = ctx;
    sim_node_slot *slot = &w->nodes[node];
    if (!slot->up || slot->incarnation != incarnation || !slot->leaving)
        return;
    sim_world_crash_node(w, (uint32_t)node);
    slot->churned_out = true;
    sim_agents_host_gone(w, (uint32_t)node);
}

static void churn_leave(sim_churn *c)
{
    sim_world *w = c->w;
    uint32_t node = churn_pick(c, false);
    if (node == UINT32_MAX)
        return;
    sim_node_slot *slot = &w->nodes[node];
    if (sim_rng_below(&c->rng, 2) == 0) {
        churn_record(c, node, SIM_CHURN_LEAVE_GRACEFUL);
        sim_world_leave_node(w, node);
        slot->leaving = true;
        sim_sched_after(w->sched, SIM_CHURN_GRACE_NS, churn_gone, w, node, slot->incarnation);
    } else {
        churn_record(c, node, SIM_CHURN_LEAVE_CRASH);
        sim_world_crash_node(w, node);
        slot->churned_out = true;
        sim_agents_host_gone(w, node);
    }
}

static void churn_join(sim_churn *c)
{
    uint32_t node = churn_pick(c, true);
    if (node == UINT32_MAX)
        return;
    churn_record(c, node, SIM_CHURN_JOIN);
    sim_world_join_node(c->w, node);
}

static void churn_event(void *ctx, uint64_t which, uint64_t unused)
{
    sim_churn *c = ctx;
    if (which == CHURN_EV_JOIN)
        churn_join(c);
    else
        churn_leave(c);
    churn_schedule_next(c, which);
}

/* The window opens: both processes draw their first gap from `at`. */
static void churn_open(void *ctx, uint64_t unused_a, uint64_t unused_b)
{
    sim_churn *c = ctx;
    churn_schedule_next(c, CHURN_EV_LEAVE);
    churn_schedule_next(c, CHURN_EV_JOIN);
}

sim_churn *sim_churn_new(sim_world *w, uint64_t fault_index)
{
    const sim_fault *f = w->opt.faults->pdata[fault_index];
    g_assert(f->action == SIM_FAULT_CHURN);
    sim_churn *c = g_new0(sim_churn, 1);
    c->w = w;
    c->fault = f;
    char *stream = g_strdup_printf("churn/%s", f->name);
    sim_rng_init(&c->rng, w->opt.seed, stream);
    g_free(stream);
    c->end_ns = f->until_ns >= 0 ? f->until_ns : w->opt.duration_ns;
    c->candidates = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    sim_sched_at(w->sched, f->at_ns, churn_open, c, 0, 0);
    return c;
}

void sim_churn_free(sim_churn *c)
{
    if (c == NULL)
        return;
    g_array_unref(c->candidates);
    g_free(c);
}
