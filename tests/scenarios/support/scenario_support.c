/* Whole-world scenario test helpers (see scenario_support.h). */
#include "scenario_support.h"

scen_run *scen_run_text(const char *text, const char *const *overrides)
{
    GError *error = NULL;
    scen_run *r = g_new0(scen_run, 1);
    r->text = g_strdup(text);
    r->sc = sim_scenario_parse("test.ini", text, strlen(text), overrides, &error);
    ck_assert_msg(r->sc != NULL, "scenario does not parse: %s\n%s",
                  error != NULL ? error->message : "?", text);
    r->world = sim_world_new(r->sc, &error);
    ck_assert_msg(r->world != NULL, "world: %s", error != NULL ? error->message : "?");
    r->stop = sim_world_run(r->world, NULL, NULL);
    return r;
}

void scen_run_free(scen_run *r)
{
    sim_world_free(r->world);
    sim_scenario_free(r->sc);
    g_free(r->text);
    g_free(r);
}

double scen_figure(const scen_run *r, const char *name)
{
    const sim_metrics *m = sim_world_metrics(r->world);
    double v = sim_metrics_get(m, name, -12345.0);
    ck_assert_msg(v != -12345.0, "figure %s missing", name);
    return v;
}

uint64_t scen_node_final_height(const scen_run *r, uint32_t node)
{
    const sim_metrics *m = sim_world_metrics(r->world);
    uint64_t best = 0;
    for (guint i = 0; i < m->commits->len; i++) {
        const sim_commit_record *c = &g_array_index(m->commits, sim_commit_record, i);
        if (c->node == node && c->height > best)
            best = c->height;
    }
    return best;
}

guint scen_blocks_final_in_window(const scen_run *r, int64_t from_ns, int64_t to_ns,
                                  int64_t final_before_ns, const GArray *proposers)
{
    const sim_metrics *m = sim_world_metrics(r->world);
    guint count = 0;
    for (guint i = 0; i < m->blocks->len; i++) {
        const sim_block_record *b = &g_array_index(m->blocks, sim_block_record, i);
        if (b->proposed_ns < from_ns || b->proposed_ns >= to_ns)
            continue;
        if (b->first_final_ns < 0 || b->first_final_ns >= final_before_ns)
            continue;
        gboolean match = proposers == NULL;
        for (guint k = 0; proposers != NULL && k < proposers->len; k++)
            match |= g_array_index(proposers, uint32_t, k) == b->proposer;
        count += match;
    }
    return count;
}

guint scen_commits_in_window(const scen_run *r, int64_t from_ns, int64_t to_ns)
{
    const sim_metrics *m = sim_world_metrics(r->world);
    guint count = 0;
    for (guint i = 0; i < m->commits->len; i++) {
        const sim_commit_record *c = &g_array_index(m->commits, sim_commit_record, i);
        count += c->committed_ns >= from_ns && c->committed_ns < to_ns;
    }
    return count;
}

uint32_t scen_slashed_mask(const scen_run *r)
{
    GArray *slashed = sim_world_slashed(r->world);
    uint32_t mask = 0;
    for (guint i = 0; i < slashed->len; i++) {
        uint32_t v = g_array_index(slashed, uint32_t, i);
        g_assert(v < 32);
        mask |= 1u << v;
    }
    g_array_unref(slashed);
    return mask;
}

void scen_assert_accountable(scen_run *r)
{
    sim_accountability a = sim_world_accountability(r->world);
    scen_assert(r, a.state == SIM_ACCOUNTABILITY_HOLDS, "accountability: %s", a.detail);
    g_free(a.detail);
}

guint scen_alarms_of(const scen_run *r, const char *kind, const char *subject, bool *other)
{
    const GArray *a = sim_world_metrics(r->world)->alarms;
    guint n = 0;
    *other = false;
    for (guint i = 0; i < a->len; i++) {
        const sim_alarm_record *x = &g_array_index(a, sim_alarm_record, i);
        if (strcmp(x->kind, kind) != 0)
            continue;
        if (strcmp(x->subject, subject) == 0)
            n++;
        else
            *other = true;
    }
    return n;
}
