/* Slashings, unjails and key rotations in the testbed's merge
 * (testbed.h), recorded as the simulator's accountability checker
 * records them (sim/check/accountability.c): once per (validator,
 * reason, evidence height, height) for a slashing, which also jails, and
 * once per (validator, change, height, effective height) for a change,
 * although every committing node reports each. The time is the first
 * report's. What the simulator adds from ground truth it alone has
 * (was a slashed validator really an equivocator, was a downtime real) is
 * not judged here: the testbed's verdict says accountability unknown. */
#include "tools/cli/testbed.h"

#include <string.h>

static const char *static_reason(const char *reason)
{
    if (reason != NULL && strcmp(reason, "double-sign") == 0)
        return "double-sign";
    if (reason != NULL && strcmp(reason, "downtime") == 0)
        return "downtime";
    return NULL;
}

static void record_change(sim_metrics *m, const char *change, const tbd_validator_event *ev)
{
    for (guint i = 0; i < m->validator_changes->len; i++) {
        sim_validator_change_record *r =
            &g_array_index(m->validator_changes, sim_validator_change_record, i);
        if (r->validator == ev->validator && strcmp(r->change, change) == 0 &&
            r->height == ev->height && r->effective_height == ev->effective_height) {
            r->at_ns = MIN(r->at_ns, ev->at_ns);
            return;
        }
    }
    sim_validator_change_record r = {.at_ns = ev->at_ns,
                                     .validator = ev->validator,
                                     .change = change,
                                     .height = ev->height,
                                     .effective_height = ev->effective_height};
    g_array_append_val(m->validator_changes, r);
}

static void record_slashing(sim_metrics *m, const char *reason, const tbd_validator_event *ev)
{
    for (guint i = 0; i < m->slashings->len; i++) {
        sim_slashing_record *r = &g_array_index(m->slashings, sim_slashing_record, i);
        if (r->validator == ev->validator && strcmp(r->reason, reason) == 0 &&
            r->evidence_height == ev->evidence_height && r->height == ev->height) {
            r->at_ns = MIN(r->at_ns, ev->at_ns);
            return;
        }
    }
    sim_slashing_record r = {.at_ns = ev->at_ns,
                             .validator = ev->validator,
                             .reason = reason,
                             .amount = ev->amount,
                             .evidence_height = ev->evidence_height,
                             .height = ev->height,
                             .effective_height = ev->effective_height};
    g_array_append_val(m->slashings, r);
    record_change(m, "jail", ev);
}

bool tbd_slashing_event(sim_metrics *m, uint32_t validators, const tbd_validator_event *ev)
{
    bool slashed = strcmp(ev->kind, "slashed") == 0;
    bool unjailed = strcmp(ev->kind, "unjailed") == 0;
    bool rotated = strcmp(ev->kind, "key-rotated") == 0;
    if (!slashed && !unjailed && !rotated)
        return false;
    if (ev->validator >= validators)
        return true; /* no such validator: a record this merge cannot place */
    if (slashed) {
        const char *reason = static_reason(ev->reason);
        if (reason != NULL)
            record_slashing(m, reason, ev);
    } else {
        record_change(m, unjailed ? "unjail" : "rotate-key", ev);
    }
    return true;
}

static gint compare_u32(gconstpointer a, gconstpointer b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

GArray *tbd_slashing_figures(sim_metrics *m)
{
    uint64_t double_sign = 0, downtime = 0, tokens = 0, unjails = 0, rotations = 0;
    GArray *slashed = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    for (guint i = 0; i < m->slashings->len; i++) {
        const sim_slashing_record *r = &g_array_index(m->slashings, sim_slashing_record, i);
        double_sign += strcmp(r->reason, "double-sign") == 0;
        downtime += strcmp(r->reason, "downtime") == 0;
        tokens += r->amount;
        bool seen = false;
        for (guint j = 0; j < slashed->len && !seen; j++)
            seen = g_array_index(slashed, uint32_t, j) == r->validator;
        if (!seen)
            g_array_append_val(slashed, r->validator);
    }
    g_array_sort(slashed, compare_u32);
    for (guint i = 0; i < m->validator_changes->len; i++) {
        const sim_validator_change_record *r =
            &g_array_index(m->validator_changes, sim_validator_change_record, i);
        unjails += strcmp(r->change, "unjail") == 0;
        rotations += strcmp(r->change, "rotate-key") == 0;
    }
    sim_metrics_figure(m, "slashings", (double)m->slashings->len);
    sim_metrics_figure(m, "slashings.double_sign", (double)double_sign);
    sim_metrics_figure(m, "slashings.downtime", (double)downtime);
    sim_metrics_figure(m, "slashed_tokens", (double)tokens);
    sim_metrics_figure(m, "unjails", (double)unjails);
    sim_metrics_figure(m, "key_rotations", (double)rotations);
    return slashed;
}
