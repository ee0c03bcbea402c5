/* The world's list of observers and the calls into them (see
 * world_observer.h). A plain array in registration order: a handful of
 * observers, called for every event and delivery, in a fixed order so
 * runs stay deterministic. */
#include "sim/world/world_internal.h"

typedef struct observer_entry {
    const sim_world_observer_ops *ops;
    void *self;
} observer_entry;

#define ENTRY(w, i) (&g_array_index((w)->observers, observer_entry, (i)))

void sim_world_observers_init(sim_world *w)
{
    w->observers = g_array_new(FALSE, FALSE, sizeof(observer_entry));
}

void sim_world_observer_add(sim_world *w, const sim_world_observer_ops *ops, void *self)
{
    g_assert(ops != NULL && sim_world_observer_find(w, ops) == NULL);
    observer_entry e = {.ops = ops, .self = self};
    g_array_append_val(w->observers, e);
}

void *sim_world_observer_find(const sim_world *w, const sim_world_observer_ops *ops)
{
    for (guint i = 0; w->observers != NULL && i < w->observers->len; i++)
        if (ENTRY(w, i)->ops == ops)
            return ENTRY(w, i)->self;
    return NULL;
}

void sim_world_observers_event(sim_world *w, uint32_t node, const proto_event *ev)
{
    for (guint i = 0; i < w->observers->len; i++) {
        const observer_entry *e = ENTRY(w, i);
        if (e->ops->on_event != NULL)
            e->ops->on_event(e->self, w, node, ev);
    }
}

void sim_world_observers_delivery(sim_world *w, uint32_t from, uint32_t to, GBytes *wire)
{
    for (guint i = 0; i < w->observers->len; i++) {
        const observer_entry *e = ENTRY(w, i);
        if (e->ops->on_delivery != NULL)
            e->ops->on_delivery(e->self, w, from, to, wire);
    }
}

void sim_world_observers_node_down(sim_world *w, uint32_t node)
{
    for (guint i = 0; i < w->observers->len; i++) {
        const observer_entry *e = ENTRY(w, i);
        if (e->ops->on_node_down != NULL)
            e->ops->on_node_down(e->self, w, node);
    }
}

void sim_world_observers_run_end(sim_world *w)
{
    for (guint i = 0; i < w->observers->len; i++) {
        const observer_entry *e = ENTRY(w, i);
        if (e->ops->on_run_end != NULL)
            e->ops->on_run_end(e->self, w);
    }
}

void sim_world_observers_figures(sim_world *w, sim_metrics *m)
{
    for (guint i = 0; i < w->observers->len; i++) {
        const observer_entry *e = ENTRY(w, i);
        if (e->ops->figures != NULL)
            e->ops->figures(e->self, w, m);
    }
}

void sim_world_observers_free(sim_world *w)
{
    if (w->observers == NULL)
        return;
    for (guint i = 0; i < w->observers->len; i++) {
        const observer_entry *e = ENTRY(w, i);
        if (e->ops->free != NULL)
            e->ops->free(e->self);
    }
    g_array_unref(w->observers);
    w->observers = NULL;
}
