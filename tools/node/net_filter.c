/* The testbed node's network filter (see net_filter.h): which open
 * partition and degrade faults apply at a chain time, and the draws for
 * one message. Faults are looked up by time at every message (a handful
 * of sections: cheaper than keeping a schedule in step with the clock). */
#include "tools/node/net_filter.h"

#include <glib.h>

#include "sim/engine/net.h"
#include "sim/engine/rng.h"

struct tb_filter {
    const sim_scenario *sc;
    uint32_t self;
    bool emulate_base;
    bool active;
    sim_rng rng;
    tb_filter_stats stats;
};

/* Link parameters a node's links have. */
typedef struct link_params {
    bool has_latency;
    sim_dist latency;
    double loss;
    double duplicate;
} link_params;

static bool open_at(const sim_fault *f, int64_t now_ns)
{
    return now_ns >= f->at_ns && (f->until_ns < 0 || now_ns < f->until_ns);
}

static bool names(const GArray *nodes, uint32_t node)
{
    for (guint k = 0; k < nodes->len; k++)
        if (g_array_index(nodes, uint32_t, k) == node)
            return true;
    return false;
}

/* Group of node in a partition: the index of the group listing it, 0 if
 * none does. */
static guint group_of(const sim_fault *f, uint32_t node)
{
    for (guint g = 0; g < f->groups->len; g++)
        if (names(f->groups->pdata[g], node))
            return g;
    return 0;
}

tb_filter *tb_filter_new(const sim_scenario *sc, uint32_t self, bool emulate_base)
{
    tb_filter *f = g_new0(tb_filter, 1);
    f->sc = sc;
    f->self = self;
    f->emulate_base = emulate_base;
    char stream[48];
    g_snprintf(stream, sizeof stream, "testbed-link/%u", self);
    sim_rng_init(&f->rng, sc->seed, stream);
    f->active = emulate_base;
    for (guint i = 0; i < sc->faults->len; i++) {
        const sim_fault *fault = g_ptr_array_index(sc->faults, i);
        f->active |= fault->action == SIM_FAULT_PARTITION || fault->action == SIM_FAULT_DEGRADE;
    }
    return f;
}

void tb_filter_free(tb_filter *f)
{
    g_free(f);
}

bool tb_filter_active(const tb_filter *f)
{
    return f->active;
}

const tb_filter_stats *tb_filter_get_stats(const tb_filter *f)
{
    return &f->stats;
}

bool tb_filter_cut(const tb_filter *f, uint32_t from, uint32_t to, int64_t now_ns)
{
    const sim_fault *oneway = NULL;
    for (guint i = 0; i < f->sc->faults->len; i++) {
        const sim_fault *fault = g_ptr_array_index(f->sc->faults, i);
        if (fault->action != SIM_FAULT_PARTITION || !open_at(fault, now_ns))
            continue;
        if (fault->oneway) {
            if (oneway == NULL || fault->at_ns >= oneway->at_ns)
                oneway = fault;
        } else if (group_of(fault, from) != group_of(fault, to)) {
            return true;
        }
    }
    return oneway != NULL && oneway->groups->len >= 2 &&
           names(oneway->groups->pdata[0], from) && names(oneway->groups->pdata[1], to);
}

/* The open degrade that started last and names node, or NULL. */
static const sim_fault *degrade_for(const tb_filter *f, uint32_t node, int64_t now_ns)
{
    const sim_fault *best = NULL;
    for (guint i = 0; i < f->sc->faults->len; i++) {
        const sim_fault *fault = g_ptr_array_index(f->sc->faults, i);
        if (fault->action != SIM_FAULT_DEGRADE || !open_at(fault, now_ns) ||
            (best != NULL && fault->at_ns < best->at_ns) || !names(fault->nodes, node))
            continue;
        best = fault;
    }
    return best;
}

/* Node's link parameters now; false if they are nothing to apply (no
 * degrade and the base not emulated). */
static bool params_of(const tb_filter *f, uint32_t node, int64_t now_ns, link_params *p)
{
    const sim_scenario *sc = f->sc;
    const sim_fault *d = degrade_for(f, node, now_ns);
    if (d == NULL && !f->emulate_base)
        return false;
    *p = (link_params){0};
    if (f->emulate_base) {
        *p = (link_params){.has_latency = true, .latency = sc->latency, .loss = sc->loss,
                           .duplicate = sc->duplicate};
    }
    if (d != NULL) {
        if (d->has_latency) {
            p->has_latency = true;
            p->latency = d->latency;
        }
        if (d->has_loss)
            p->loss = d->loss;
        if (d->has_duplicate)
            p->duplicate = d->duplicate;
    }
    return true;
}

static int64_t draw_latency(tb_filter *f, const link_params *a, bool has_a, const link_params *b,
                            bool has_b)
{
    int64_t delay = 0;
    if (has_a && a->has_latency)
        delay = MAX(delay, sim_dist_sample_ns(&a->latency, &f->rng));
    if (has_b && b->has_latency)
        delay = MAX(delay, sim_dist_sample_ns(&b->latency, &f->rng));
    return delay;
}

tb_filter_verdict tb_filter_send(tb_filter *f, uint32_t to, int64_t now_ns)
{
    tb_filter_verdict v = {0};
    if (!f->active || to == f->self)
        return v;
    if (tb_filter_cut(f, f->self, to, now_ns)) {
        f->stats.dropped_partition++;
        v.drop = true;
        return v;
    }
    link_params a, b;
    bool has_a = params_of(f, f->self, now_ns, &a);
    bool has_b = params_of(f, to, now_ns, &b);
    if (!has_a && !has_b)
        return v;
    double keep = (has_a ? 1.0 - a.loss : 1.0) * (has_b ? 1.0 - b.loss : 1.0);
    if (sim_rng_chance(&f->rng, 1.0 - keep)) {
        f->stats.dropped_loss++;
        v.drop = true;
        return v;
    }
    v.delay_ns = draw_latency(f, &a, has_a, &b, has_b);
    f->stats.delayed += v.delay_ns > 0;
    double single = (has_a ? 1.0 - a.duplicate : 1.0) * (has_b ? 1.0 - b.duplicate : 1.0);
    if (sim_rng_chance(&f->rng, 1.0 - single)) {
        f->stats.duplicated++;
        v.duplicate = true;
        v.duplicate_delay_ns = draw_latency(f, &a, has_a, &b, has_b);
    }
    return v;
}

bool tb_filter_receive(tb_filter *f, uint32_t from, int64_t now_ns)
{
    if (!f->active || from == f->self || !tb_filter_cut(f, from, f->self, now_ns))
        return true;
    f->stats.dropped_partition++;
    return false;
}
