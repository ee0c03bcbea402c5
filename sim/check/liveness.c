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

static int64_t last_heal_ns(const sim_world *w)
{
    int64_t heal = 0;
    for (guint i = 0; i < w->sc->faults->len; i++) {
        const sim_fault *f = w->sc->faults->pdata[i];
        int64_t end = f->until_ns >= 0 ? f->until_ns : f->at_ns;
        if (end > heal)
            heal = end;
    }
    return heal;
}

/* Largest stake of up, honest validators that can all reach each other. */
static uint64_t connected_stake(const sim_world *w)
{
    uint64_t best = 0;
    for (uint32_t a = 0; a < w->sc->validators; a++) {
        if (!w->nodes[w->validator_nodes[a]].up)
            continue;
        uint64_t sum = 0;
        for (uint32_t b = 0; b < w->sc->validators; b++) {
            uint32_t na = w->validator_nodes[a], nb = w->validator_nodes[b];
            if (w->nodes[nb].up && w->nodes[nb].honest && sim_net_connected(w->net, na, nb))
                sum += w->stakes[b];
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
    for (uint32_t a = 0; a < w->sc->validators; a++) {
        if (!w->nodes[w->validator_nodes[a]].up)
            continue;
        uint32_t count = 0;
        for (uint32_t b = 0; b < w->sc->validators; b++) {
            uint32_t na = w->validator_nodes[a], nb = w->validator_nodes[b];
            if (w->nodes[nb].up && w->nodes[nb].honest && sim_net_connected(w->net, na, nb))
                count++;
        }
        best = MAX(best, count);
    }
    return best;
}

sim_liveness sim_world_liveness(const sim_world *w)
{
    sim_liveness l = {.heal_ns = last_heal_ns(w), .took_ns = -1};
    int64_t interval = w->sc->block_interval_ns;
    const int64_t ten_s = 10LL * 1000 * 1000 * 1000;
    if (w->sc->protocol == SIM_CONSENSUS_PBFT) {
        int64_t cut_off = (int64_t)w->sc->validators - (int64_t)connected_count(w);
        l.bound_ns = sat_add_mul(w->pbft.view_timeout_ns, cut_off + 1, w->pbft.view_timeout_max_ns);
        l.bound_ns = sat_add_mul(l.bound_ns, 2, interval);
        l.bound_ns = sat_add_mul(l.bound_ns, 1, ten_s);
    } else {
        l.bound_ns = sat_add_mul(0, 2 * (int64_t)w->sc->validators, interval);
        if (l.bound_ns < ten_s)
            l.bound_ns = ten_s;
    }
    uint64_t total = 0;
    for (uint32_t v = 0; v < w->sc->validators; v++)
        total += w->stakes[v];
    uint64_t alive = connected_stake(w);
    const sim_metrics *m = w->metrics;
    for (guint i = 0; i < m->commits->len; i++) {
        const sim_commit_record *c = &g_array_index(m->commits, sim_commit_record, i);
        if (c->committed_ns >= l.heal_ns && (l.took_ns < 0 || c->committed_ns - l.heal_ns < l.took_ns))
            l.took_ns = c->committed_ns - l.heal_ns;
    }
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
