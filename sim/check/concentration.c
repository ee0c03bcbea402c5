/* The stake concentration observer (concentration.h): one record per
 * committed height from that height's voting power, the concentration
 * alarms, and the figures. */
#include "sim/check/concentration.h"

#include <string.h>

#include "protocol/modules/validator/validator.h"
#include "sim/world/world_internal.h"

struct sim_conc {
    bool enabled;
    bool alarm;
    uint64_t height_max;    /* highest height recorded: heights are first final in order */
    GArray *owner_of;       /* uint32 per validator known so far: its owner */
    GPtrArray *owner_names; /* char*, owned */
    GArray *powers;         /* uint64 scratch, one per validator */
    GArray *owner_powers;   /* uint64 scratch, one per owner */
    GArray *raised;         /* gboolean per owner: its alarm's episode is open */
};

sim_conc *sim_conc_new(const sim_conc_options *opt)
{
    sim_conc *c = g_new0(sim_conc, 1);
    c->enabled = opt->enabled;
    c->alarm = opt->alarm;
    c->owner_of = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    c->owner_names = g_ptr_array_new_with_free_func(g_free);
    c->powers = g_array_new(FALSE, TRUE, sizeof(uint64_t));
    c->owner_powers = g_array_new(FALSE, TRUE, sizeof(uint64_t));
    c->raised = g_array_new(FALSE, TRUE, sizeof(gboolean));
    for (uint32_t o = 0; o < opt->owners_count; o++)
        g_ptr_array_add(c->owner_names, g_strdup(opt->owner_names[o]));
    for (uint32_t v = 0; v < opt->validators; v++) {
        g_assert(opt->owner_of[v] < opt->owners_count);
        g_array_append_val(c->owner_of, opt->owner_of[v]);
    }
    g_array_set_size(c->owner_powers, c->owner_names->len);
    g_array_set_size(c->raised, c->owner_names->len);
    return c;
}

static void conc_free(void *self)
{
    sim_conc *c = self;
    g_array_unref(c->owner_of);
    g_ptr_array_unref(c->owner_names);
    g_array_unref(c->powers);
    g_array_unref(c->owner_powers);
    g_array_unref(c->raised);
    g_free(c);
}

/* A set larger than the scenario's (a validator created during the run):
 * each newcomer is its own owner, vN. */
static void conc_grow(sim_conc *c, uint32_t count)
{
    while (c->owner_of->len < count) {
        uint32_t owner = c->owner_names->len;
        g_ptr_array_add(c->owner_names, g_strdup_printf("v%u", c->owner_of->len));
        g_array_append_val(c->owner_of, owner);
    }
    g_array_set_size(c->powers, count);
    g_array_set_size(c->owner_powers, c->owner_names->len);
    g_array_set_size(c->raised, c->owner_names->len);
}

/* "40.0%": power over total in tenths of a percent, truncated. */
static char *conc_percent(uint64_t power, uint64_t total)
{
    uint64_t tenths = (uint64_t)((unsigned __int128)power * 1000 / total);
    return g_strdup_printf("%" G_GUINT64_FORMAT ".%" G_GUINT64_FORMAT "%%", tenths / 10,
                           tenths % 10);
}

static void conc_raise(sim_world *w, const char *kind, const char *owner, char *detail)
{
    sim_alarm_record r = {.at_ns = sim_sched_now(w->sched),
                          .kind = kind,
                          .subject = g_strdup(owner),
                          .detail = detail};
    g_array_append_val(w->metrics->alarms, r);
}

/* Opens or closes each owner's episode at this height. */
static void conc_alarms(sim_conc *c, sim_world *w, uint64_t height, uint64_t total)
{
    const uint64_t *owned = (const uint64_t *)(void *)c->owner_powers->data;
    for (guint o = 0; o < c->owner_names->len; o++) {
        gboolean *raised = &g_array_index(c->raised, gboolean, o);
        bool reaches = sim_concentration_reaches_third(owned[o], total);
        if (reaches == (*raised != FALSE))
            continue;
        *raised = reaches;
        const char *owner = g_ptr_array_index(c->owner_names, o);
        g_autofree char *share = conc_percent(owned[o], total);
        uint32_t held = 0;
        for (guint v = 0; v < c->owner_of->len; v++)
            held += g_array_index(c->owner_of, uint32_t, v) == o &&
                    g_array_index(c->powers, uint64_t, v) > 0;
        char *detail = g_strdup_printf("%s of the voting power at height %" G_GUINT64_FORMAT
                                       " (%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                                       ", %u validator%s), %s 1/3",
                                       share, height, owned[o], total, held, held == 1 ? "" : "s",
                                       reaches ? "at or above" : "back below");
        conc_raise(w, reaches ? "concentration" : "concentration-cleared", owner, detail);
    }
}

/* The record of `height` from set v; alarms on the way. */
static void conc_measure(sim_conc *c, sim_world *w, const proto_valset *v, uint64_t height)
{
    uint32_t count = proto_valset_count(v);
    conc_grow(c, count);
    uint64_t *powers = (uint64_t *)(void *)c->powers->data;
    uint64_t *owned = (uint64_t *)(void *)c->owner_powers->data;
    uint64_t total = proto_valset_fill(v, height, powers, NULL);
    sim_owner_powers(powers, (const uint32_t *)(void *)c->owner_of->data, count, owned,
                     c->owner_powers->len);
    sim_concentration_record r = {
        .height = height, .final_ns = sim_sched_now(w->sched), .power_total = total};
    uint64_t top = 0;
    for (guint o = 0; o < c->owner_powers->len; o++)
        top = MAX(top, owned[o]);
    for (uint32_t i = 0; i < count; i++)
        r.validators_powered += powers[i] > 0;
    r.top_owner_share = total > 0 ? (double)top / (double)total : 0.0;
    if (c->alarm && total > 0)
        conc_alarms(c, w, height, total);
    /* The measures sort their arrays: after everything that reads them
     * by index. */
    r.gini = sim_gini(powers, count);
    r.nakamoto_validators = sim_nakamoto(powers, count);
    r.nakamoto_owners = sim_nakamoto(owned, c->owner_powers->len);
    g_array_append_val(w->metrics->concentration, r);
}

static void conc_on_event(void *self, sim_world *w, uint32_t node, const proto_event *ev)
{
    sim_conc *c = self;
    const sim_node_slot *slot = &w->nodes[node];
    if (!c->enabled || ev->kind != PROTO_EV_BLOCK_FINAL || !slot->honest ||
        slot->consensus == NULL || ev->height <= c->height_max)
        return;
    c->height_max = ev->height;
    const proto_valset *v = proto_validator_set(pbft_node_state(slot->consensus));
    if (v != NULL)
        conc_measure(c, w, v, ev->height);
}

static void conc_figures(void *self, sim_world *w, sim_metrics *m)
{
    (void)self, (void)w;
    const GArray *records = m->concentration;
    if (records->len == 0)
        return;
    uint32_t by_validators = UINT32_MAX, by_owners = UINT32_MAX;
    double gini = 0.0;
    for (guint i = 0; i < records->len; i++) {
        const sim_concentration_record *r = &g_array_index(records, sim_concentration_record, i);
        by_validators = MIN(by_validators, r->nakamoto_validators);
        by_owners = MIN(by_owners, r->nakamoto_owners);
        gini = MAX(gini, r->gini);
    }
    sim_metrics_figure(m, "nakamoto_coefficient_min", (double)by_validators);
    sim_metrics_figure(m, "nakamoto_owners_min", (double)by_owners);
    sim_metrics_figure(m, "stake_gini_max", gini);
}

const sim_world_observer_ops sim_conc_observer_ops = {
    .name = "concentration",
    .on_event = conc_on_event,
    .figures = conc_figures,
    .free = conc_free,
};
