/* Liveness verdict (see liveness.h).
 *
 * The bound for PoA: a block needs the signatures of validators holding
 * more than 2/3 of the stake on top of it, i.e. up to one full round of N
 * slots, plus a round for the network to settle after the heal: 2 * N
 * block intervals, and never less than 10 s.
 *
 * The bound for PBFT: after the heal, replicas re-send their VIEW-CHANGEs
 * within one view_timeout and converge on one view (f+1 rule); each view
 * whose leader is down or cut off costs at most the longest view timeout
 * (view_timeout doubled up to its cap), and at most one view per
 * validator that is not up and connected can have such a leader in a row
 * of the round-robin schedule; then two block intervals for the block and
 * its commit, plus 10 s for catch-up transfers. */
#include "sim/check/liveness.h"

#include "sim/world/world_internal.h"

const char *sim_liveness_state_name(sim_liveness_state s)
{
    switch (s) {
    case SIM_LIVENESS_HOLDS: return "holds";
    case SIM_LIVENESS_VIOLATED: return "violated";
    case SIM_LIVENESS_NOT_APPLICABLE: return "not-applicable";
    case SIM_LIVENESS_UNDETERMINED: return "undetermined";
    }
    return "unknown";
}

void sim_liveness_figures(const sim_liveness *l, sim_metrics *m)
{
    sim_metrics_figure(m, "liveness_took_s", l->took_ns >= 0 ? l->took_ns / 1e9 : -1);
    sim_metrics_figure(m, "liveness_bound_s", l->bound_ns / 1e9);
}

/* a + b * c for non-negative terms, saturating at INT64_MAX: a bound past
 * any run's end means the same as an infinite one. */
static int64_t sat_add_mul(int64_t a, int64_t b, int64_t c)
{
    int64_t product = 0, sum = 0;
    if (__builtin_mul_overflow(b, c, &product) || __builtin_add_overflow(a, product, &sum))
        return INT64_MAX;
    return sum;
}

struct sim_live {
    sim_liveness_options opt;
    int64_t took_ns;           /* heal -> first finalization at or after it; -1: none yet */
};

sim_live *sim_liveness_new(const sim_liveness_options *opt)
{
    sim_live *l = g_new0(sim_live, 1);
    l->opt = *opt;
    l->took_ns = -1;
    return l;
}

/* Any node's finalization counts (the first after the heal is the
 * promise's answer, whoever reports it). */
static void live_on_event(void *self, sim_world *w, uint32_t node, const proto_event *ev)
{
    (void)node;
    sim_live *l = self;
    if (ev->kind != PROTO_EV_BLOCK_FINAL || l->took_ns >= 0)
        return;
    int64_t now = sim_sched_now(w->sched);
    if (now >= l->opt.heal_ns)
        l->took_ns = now - l->opt.heal_ns;
}

const sim_world_observer_ops sim_liveness_observer_ops = {
    .name = "liveness",
    .on_event = live_on_event,
    .free = g_free,
};

/* Largest stake of up, honest validators that can all reach each other. */
static uint64_t connected_stake(const sim_world *w)
{
    uint64_t best = 0;
    for (uint32_t a = 0; a < w->opt.validators; a++) {
        if (!w->nodes[w->chain.validator_nodes[a]].up)
            continue;
        uint64_t sum = 0;
        for (uint32_t b = 0; b < w->opt.validators; b++) {
            uint32_t na = w->chain.validator_nodes[a], nb = w->chain.validator_nodes[b];
            if (w->nodes[nb].up && w->nodes[nb].honest && sim_net_connected(w->net, na, nb))
                sum += w->chain.stakes[b];
        }
        if (sum > best)
            best = sum;
    }
    return best;
}

/* Validators in the largest up-and-connected group. */
static uint32_t connected_count(const sim_world *w)
{
    uint32_t best = 0;
    for (uint32_t a = 0; a < w->opt.validators; a++) {
        if (!w->nodes[w->chain.validator_nodes[a]].up)
            continue;
        uint32_t count = 0;
        for (uint32_t b = 0; b < w->opt.validators; b++) {
            uint32_t na = w->chain.validator_nodes[a], nb = w->chain.validator_nodes[b];
            if (w->nodes[nb].up && w->nodes[nb].honest && sim_net_connected(w->net, na, nb))
                count++;
        }
        best = MAX(best, count);
    }
    return best;
}

sim_liveness sim_world_liveness(const sim_world *w)
{
    const sim_live *live = sim_world_observer_find(w, &sim_liveness_observer_ops);
    g_assert(live != NULL);
    const sim_liveness_options *opt = &live->opt;
    sim_liveness l = {.heal_ns = opt->heal_ns, .took_ns = live->took_ns};
    int64_t interval = opt->block_interval_ns;
    const int64_t ten_s = 10LL * 1000 * 1000 * 1000;
    if (opt->pbft) {
        int64_t cut_off = (int64_t)opt->validators - (int64_t)connected_count(w);
        l.bound_ns = sat_add_mul(opt->view_timeout_ns, cut_off + 1, opt->view_timeout_max_ns);
        l.bound_ns = sat_add_mul(l.bound_ns, 2, interval);
        l.bound_ns = sat_add_mul(l.bound_ns, 1, ten_s);
    } else {
        l.bound_ns = sat_add_mul(0, 2 * (int64_t)opt->validators, interval);
        if (l.bound_ns < ten_s)
            l.bound_ns = ten_s;
    }
    uint64_t total = 0;
    for (uint32_t v = 0; v < opt->validators; v++)
        total += w->chain.stakes[v];
    uint64_t alive = connected_stake(w);
    int64_t end = sim_sched_now(w->sched);
    if (alive * 3 <= total * 2) {
        l.state = SIM_LIVENESS_NOT_APPLICABLE;
        l.detail = g_strdup_printf("not applicable: up and connected validators hold %" G_GUINT64_FORMAT
                                   " of %" G_GUINT64_FORMAT " stake (need more than 2/3)",
                                   alive, total);
    } else if (l.took_ns >= 0 && l.took_ns <= l.bound_ns) {
        l.state = SIM_LIVENESS_HOLDS;
        l.detail = g_strdup_printf("holds: first block final %.2f s after the last heal at %.1f s "
                                   "(bound %.1f s)", l.took_ns / 1e9, l.heal_ns / 1e9,
                                   l.bound_ns / 1e9);
    } else if (end - l.heal_ns < l.bound_ns && l.took_ns < 0) {
        l.state = SIM_LIVENESS_UNDETERMINED;
        l.detail = g_strdup_printf("undetermined: the run ended %.2f s after the last heal, "
                                   "before the %.1f s bound", (end - l.heal_ns) / 1e9,
                                   l.bound_ns / 1e9);
    } else {
        l.state = SIM_LIVENESS_VIOLATED;
        l.detail = l.took_ns < 0
                       ? g_strdup_printf("violated: nothing final in the %.1f s after the last heal "
                                         "at %.1f s (bound %.1f s)", (end - l.heal_ns) / 1e9,
                                         l.heal_ns / 1e9, l.bound_ns / 1e9)
                       : g_strdup_printf("violated: first block final %.2f s after the last heal "
                                         "(bound %.1f s)", l.took_ns / 1e9, l.bound_ns / 1e9);
    }
    return l;
}
