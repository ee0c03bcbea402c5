/* Partitions, re-convergence and catching up.
 *
 * Four questions, answered from records after the run:
 *
 * - Did the mesh notice a partition, and how fast? Each node's suspicions
 *   (PROTO_EV_PARTITION_SUSPECTED .. _HEALED) are kept as records. For
 *   each partition fault, a node's first suspicion inside the fault's
 *   window is one detection-latency sample (suspicion - fault start); for
 *   a fault that heals, a suspicion still open at the heal that the node
 *   then lifts is one heal-detection sample (lifted - heal).
 * - How long after a heal did the network agree again? For each partition
 *   fault that heals within the run: H = the highest final height any
 *   node had at the heal; re-convergence is the time from the heal until
 *   every honest node that was up at the heal, and stayed up to the end,
 *   had final height >= H (0 if all already had). A node that went down
 *   and came back in between is measured as a restart instead.
 * - How long did a node that joined or restarted take to catch up? For
 *   each churn join and each restart after a crash fault: H = the highest
 *   final height any node had at that moment; the sample is the time
 *   until the node's own final height reached H (its recovery from its
 *   store counts: a restart that recovered H syncs at once), unless it
 *   went down again or the run ended first (unsynced).
 * - How much churn was there? Joins and leaves, from the churn record.
 *
 * Who was up when is rebuilt from the scenario's crash and twin faults
 * and the churn record, applied in the order the scheduler ran them (a
 * crash of a node already down, or a restart of one already up, changes
 * nothing, as in sim/world/world.c). A node's final height over time comes from
 * its commits (metrics->commits) and recoveries; a churn join starts a new
 * node at genesis, so heights are looked for only inside the stay that is
 * being measured.
 *
 * It is a world observer (sim/world/world_observer.h) with its own state:
 * the suspicion each node has open, the count of suspicions and the
 * recoveries. The partition records themselves go to metrics->partitions
 * (for the database) as they happen. Its figures are computed by
 * sim_conv_figures, called at its place in sim_figures_compute (the
 * order of the figures is the order of the reports), not by the figures
 * hook. */
#include "sim/world/world_internal.h"

#include <stdlib.h>
#include <string.h>

#define NS_PER_S 1e9
#define CONV_FOREVER INT64_MAX

/* A node rebuilt its state from its store (PROTO_EV_RECOVERED): its
 * final height from then on is `height`. */
typedef struct conv_recovery {
    int64_t at_ns;
    uint32_t node;
    uint64_t height;
} conv_recovery;

typedef struct sim_conv {
    GArray *recoveries;              /* conv_recovery, in time order */
    /* [nodes_count]: 1 + index into metrics->partitions of the node's
     * suspicion not yet healed, 0 if none */
    uint32_t *partition_open;
    uint32_t nodes_count;
    uint64_t partitions_suspected;   /* PROTO_EV_PARTITION_SUSPECTED events */
} sim_conv;

static sim_conv *conv_find(const sim_world *w)
{
    sim_conv *c = sim_world_observer_find(w, &sim_conv_observer_ops);
    g_assert(c != NULL);
    return c;
}

/* ---- records ---- */

void sim_conv_partition_event(sim_world *w, uint32_t node, bool suspected, int64_t at_ns,
                              uint64_t stake_seen, uint64_t stake_total)
{
    sim_conv *c = conv_find(w);
    g_assert(node < c->nodes_count);
    GArray *records = w->metrics->partitions;
    uint32_t open = c->partition_open[node];
    if (suspected) {
        c->partitions_suspected++;
        if (open != 0)
            return; /* still suspecting: the first suspicion stands */
        sim_partition_record r = {.node = node, .suspected_ns = at_ns, .healed_ns = -1,
                                  .stake_seen = stake_seen, .stake_total = stake_total};
        g_array_append_val(records, r);
        c->partition_open[node] = records->len;
        return;
    }
    if (open == 0)
        return; /* nothing on record to lift */
    g_array_index(records, sim_partition_record, open - 1).healed_ns = at_ns;
    c->partition_open[node] = 0;
}

void sim_conv_recovered(sim_world *w, uint32_t node, int64_t at_ns, uint64_t height)
{
    conv_recovery r = {.at_ns = at_ns, .node = node, .height = height};
    g_array_append_val(conv_find(w)->recoveries, r);
}

uint64_t sim_conv_partitions_suspected(const sim_world *w)
{
    return conv_find(w)->partitions_suspected;
}

/* ---- the churn record ----
 * The only reader of sim_world.churn_records: how the churn wiring keeps
 * its record is its own business, these two functions translate. */

static guint conv_churn_count(const sim_world *w)
{
    return w->churn_records->len;
}

/* Entry i: when, which node, whether it joined, and the kind's name. */
static void conv_churn_get(const sim_world *w, guint i, int64_t *at_ns, uint32_t *node,
                           bool *join, const char **kind)
{
    const sim_churn_record *e = &g_array_index(w->churn_records, sim_churn_record, i);
    *at_ns = e->at_ns;
    *node = e->node;
    *join = e->kind == SIM_CHURN_JOIN;
    *kind = sim_churn_kind_name(e->kind);
}

/* ---- who was up when ---- */

enum { CONV_START_INITIAL, CONV_START_RESTART, CONV_START_JOIN, CONV_START_TWIN };

/* One stay up of one node: [from_ns, to_ns). */
typedef struct conv_span {
    uint32_t node;
    int64_t from_ns;
    int64_t to_ns;           /* CONV_FOREVER: up at the end */
    uint8_t start;           /* CONV_START_* */
} conv_span;

typedef struct conv_change {
    int64_t at_ns;
    uint64_t order;          /* among equal times: the scheduler's order */
    uint32_t node;
    bool up;
    uint8_t start;           /* for up */
} conv_change;

static int conv_change_cmp(const void *a, const void *b)
{
    const conv_change *x = a, *y = b;
    if (x->at_ns != y->at_ns)
        return x->at_ns < y->at_ns ? -1 : 1;
    return (x->order > y->order) - (x->order < y->order);
}

static void conv_change_add(GArray *changes, int64_t at_ns, uint64_t order, uint32_t node,
                            bool up, uint8_t start)
{
    conv_change c = {.at_ns = at_ns, .order = order, .node = node, .up = up, .start = start};
    g_array_append_val(changes, c);
}

/* Crash and twin faults in their schedule order (fault i's start, then
 * its end, both inserted before fault i+1's: sim_faults_schedule), then
 * the churn record. */
static GArray *conv_changes(sim_world *w)
{
    GArray *changes = g_array_new(FALSE, FALSE, sizeof(conv_change));
    const GPtrArray *faults = w->opt.faults;
    for (guint i = 0; i < faults->len; i++) {
        const sim_fault *f = faults->pdata[i];
        bool twin = f->action == SIM_FAULT_BYZANTINE && g_str_equal(f->behavior, "twin");
        if (f->action != SIM_FAULT_CRASH && !twin)
            continue;
        /* A crash takes its nodes down at `at` and restarts them at
         * `until`; a twin fault runs its twins from `at` to `until`. */
        uint32_t first = twin ? sim_faults_first_twin(w, i) : 0;
        for (guint k = 0; k < f->nodes->len; k++) {
            uint32_t node = twin ? first + k : g_array_index(f->nodes, uint32_t, k);
            conv_change_add(changes, f->at_ns, 2 * (uint64_t)i, node, twin, CONV_START_TWIN);
            if (f->until_ns >= 0)
                conv_change_add(changes, f->until_ns, 2 * (uint64_t)i + 1, node, !twin,
                                CONV_START_RESTART);
        }
    }
    for (guint j = 0; j < conv_churn_count(w); j++) {
        int64_t at_ns;
        uint32_t node;
        bool join;
        const char *kind;
        conv_churn_get(w, j, &at_ns, &node, &join, &kind);
        conv_change_add(changes, at_ns, 2 * (uint64_t)faults->len + j, node, join,
                        CONV_START_JOIN);
    }
    if (changes->len > 1) /* an empty GArray may have no data at all */
        qsort(changes->data, changes->len, sizeof(conv_change), conv_change_cmp);
    return changes;
}

/* Every stay up of every node, from time 0 (twins start down). */
static GArray *conv_spans(sim_world *w)
{
    uint32_t first_twin = w->opt.validators + w->opt.full_nodes + w->opt.agents;
    int64_t *up_since = g_new(int64_t, w->nodes_count);
    uint8_t *start = g_new0(uint8_t, w->nodes_count);
    for (uint32_t i = 0; i < w->nodes_count; i++)
        up_since[i] = i < first_twin ? 0 : -1;
    GArray *spans = g_array_new(FALSE, FALSE, sizeof(conv_span));
    GArray *changes = conv_changes(w);
    for (guint i = 0; i < changes->len; i++) {
        const conv_change *c = &g_array_index(changes, conv_change, i);
        g_assert(c->node < w->nodes_count);
        if (c->up && up_since[c->node] < 0) {
            up_since[c->node] = c->at_ns;
            start[c->node] = c->start;
        } else if (!c->up && up_since[c->node] >= 0) {
            conv_span s = {c->node, up_since[c->node], c->at_ns, start[c->node]};
            g_array_append_val(spans, s);
            up_since[c->node] = -1;
        }
    }
    for (uint32_t i = 0; i < w->nodes_count; i++) {
        if (up_since[i] >= 0) {
            conv_span s = {i, up_since[i], CONV_FOREVER, start[i]};
            g_array_append_val(spans, s);
        }
    }
    g_array_unref(changes);
    g_free(up_since);
    g_free(start);
    return spans;
}

/* ---- final heights over time ----
 * The highest final height of any node at a time comes from the commits'
 * running maximum. "When did node n first have final height >= H during
 * [from, to)?" is asked for many (node, stay, H) at once and answered in
 * one pass over the commits and one over the recoveries, so memory stays
 * O(nodes + questions) however long the run. */

typedef struct conv_rise {
    int64_t at_ns;
    uint64_t height;         /* highest final height of any node from at_ns on */
} conv_rise;

static GArray *conv_rises(const sim_metrics *m)
{
    GArray *rises = g_array_new(FALSE, FALSE, sizeof(conv_rise));
    uint64_t max = 0;
    for (guint i = 0; i < m->commits->len; i++) { /* appended as they happened */
        const sim_commit_record *c = &g_array_index(m->commits, sim_commit_record, i);
        if (c->height > max) {
            max = c->height;
            conv_rise r = {c->committed_ns, max};
            g_array_append_val(rises, r);
        }
    }
    return rises;
}

/* The highest final height any node had at t (commits at t included). */
static uint64_t conv_height_max_at(const GArray *rises, int64_t t_ns)
{
    guint lo = 0, hi = rises->len; /* first rise later than t */
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        if (g_array_index(rises, conv_rise, mid).at_ns <= t_ns)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo == 0 ? 0 : g_array_index(rises, conv_rise, lo - 1).height;
}

typedef struct conv_query {
    uint32_t node;
    int64_t from_ns;         /* the stay: [from_ns, to_ns) */
    int64_t to_ns;
    uint64_t target;
    uint32_t tag;            /* the asker's: which fault */
    int64_t reached_ns;      /* the answer: -1 = never */
} conv_query;

static void conv_ask(GArray *queries, const conv_span *s, uint64_t target, uint32_t tag)
{
    /* Every node has height 0 (genesis) from the start. */
    conv_query q = {s->node, s->from_ns, s->to_ns, target, tag, target == 0 ? s->from_ns : -1};
    g_array_append_val(queries, q);
}

static void conv_mark(conv_query *q, int64_t at_ns, uint64_t height)
{
    if (at_ns >= q->from_ns && at_ns < q->to_ns && height >= q->target &&
        (q->reached_ns < 0 || at_ns < q->reached_ns))
        q->reached_ns = at_ns;
}

/* Answer every query: group them by node (counting sort), then let each
 * commit and recovery mark the queries of its node. */
static void conv_answer(sim_world *w, GArray *queries)
{
    uint32_t nodes = w->nodes_count;
    guint *first = g_new0(guint, nodes + 1);
    for (guint i = 0; i < queries->len; i++)
        first[g_array_index(queries, conv_query, i).node + 1]++;
    for (uint32_t n = 0; n < nodes; n++)
        first[n + 1] += first[n];
    guint *fill = g_memdup2(first, (nodes + 1) * sizeof *first);
    guint *order = g_new(guint, MAX(queries->len, 1));
    for (guint i = 0; i < queries->len; i++)
        order[fill[g_array_index(queries, conv_query, i).node]++] = i;
    const GArray *commits = w->metrics->commits;
    for (guint i = 0; i < commits->len; i++) {
        const sim_commit_record *c = &g_array_index(commits, sim_commit_record, i);
        for (guint k = first[c->node]; k < first[c->node + 1]; k++)
            conv_mark(&g_array_index(queries, conv_query, order[k]), c->committed_ns, c->height);
    }
    const GArray *recoveries = conv_find(w)->recoveries;
    for (guint i = 0; i < recoveries->len; i++) {
        const conv_recovery *r = &g_array_index(recoveries, conv_recovery, i);
        for (guint k = first[r->node]; k < first[r->node + 1]; k++)
            conv_mark(&g_array_index(queries, conv_query, order[k]), r->at_ns, r->height);
    }
    g_free(order);
    g_free(fill);
    g_free(first);
}

/* ---- figures ---- */

typedef struct conv_samples {
    double sum_s;
    double max_s;
    uint64_t count;
} conv_samples;

static void conv_sample(conv_samples *s, int64_t delay_ns)
{
    double v = (double)delay_ns / NS_PER_S;
    s->sum_s += v;
    s->max_s = s->count == 0 || v > s->max_s ? v : s->max_s;
    s->count++;
}

static void conv_figure_mean_max(sim_metrics *m, const char *prefix, const conv_samples *s,
                                 bool with_max)
{
    if (s->count == 0)
        return; /* nothing measured: absent */
    char *name = g_strdup_printf("%s_mean_s", prefix);
    sim_metrics_figure(m, name, s->sum_s / (double)s->count);
    g_free(name);
    if (with_max) {
        name = g_strdup_printf("%s_max_s", prefix);
        sim_metrics_figure(m, name, s->max_s);
        g_free(name);
    }
}

/* Detection: each node's first suspicion inside each partition fault's
 * window; heal detection: suspicions begun in the window, still open at
 * the heal, lifted after it. */
static void conv_partition_figures(sim_world *w, int64_t end_ns)
{
    const GArray *records = w->metrics->partitions;
    conv_samples detect = {0}, heal = {0};
    bool *seen = g_new0(bool, w->nodes_count);
    for (guint i = 0; i < w->opt.faults->len; i++) {
        const sim_fault *f = w->opt.faults->pdata[i];
        if (f->action != SIM_FAULT_PARTITION || f->at_ns > end_ns)
            continue;
        int64_t until = f->until_ns >= 0 && f->until_ns < end_ns ? f->until_ns : end_ns;
        bool healed = f->until_ns >= 0 && f->until_ns <= end_ns;
        memset(seen, 0, w->nodes_count * sizeof *seen);
        for (guint k = 0; k < records->len; k++) {
            const sim_partition_record *r = &g_array_index(records, sim_partition_record, k);
            if (r->suspected_ns < f->at_ns || r->suspected_ns >= until)
                continue;
            if (!seen[r->node])
                conv_sample(&detect, r->suspected_ns - f->at_ns);
            seen[r->node] = true;
            if (healed && r->healed_ns >= f->until_ns)
                conv_sample(&heal, r->healed_ns - f->until_ns);
        }
    }
    g_free(seen);
    sim_metrics *m = w->metrics;
    sim_metrics_figure(m, "partitions_detected", (double)conv_find(w)->partitions_suspected);
    conv_figure_mean_max(m, "partition_detection_latency", &detect, true);
    conv_figure_mean_max(m, "partition_heal_detection", &heal, false);
}

/* Re-convergence after each partition fault that healed within the run;
 * the figure is the slowest, or -1 if some heal never re-converged. */
static void conv_reconverge_figure(sim_world *w, const GArray *spans, const GArray *rises,
                                   int64_t end_ns)
{
    const GPtrArray *faults = w->opt.faults;
    GArray *queries = g_array_new(FALSE, FALSE, sizeof(conv_query));
    bool any = false;
    for (guint i = 0; i < faults->len; i++) {
        const sim_fault *f = faults->pdata[i];
        if (f->action != SIM_FAULT_PARTITION || f->until_ns < 0 || f->until_ns > end_ns)
            continue;
        any = true;
        uint64_t target = conv_height_max_at(rises, f->until_ns);
        for (guint k = 0; k < spans->len; k++) {
            const conv_span *s = &g_array_index(spans, conv_span, k);
            if (s->from_ns <= f->until_ns && s->to_ns == CONV_FOREVER && w->nodes[s->node].honest)
                conv_ask(queries, s, target, i);
        }
    }
    conv_answer(w, queries);
    bool all_converged = true;
    int64_t worst_ns = 0;
    for (guint k = 0; k < queries->len; k++) {
        const conv_query *q = &g_array_index(queries, conv_query, k);
        int64_t heal_ns = ((const sim_fault *)faults->pdata[q->tag])->until_ns;
        if (q->reached_ns < 0)
            all_converged = false;
        else if (q->reached_ns > heal_ns)
            worst_ns = MAX(worst_ns, q->reached_ns - heal_ns);
    }
    g_array_unref(queries);
    if (any)
        sim_metrics_figure(w->metrics, "reconverge_s",
                           all_converged ? (double)worst_ns / NS_PER_S : -1.0);
}

/* Catching up after each churn join and each restart after a crash. */
static void conv_sync_figures(sim_world *w, const GArray *spans, const GArray *rises,
                              int64_t end_ns)
{
    GArray *queries = g_array_new(FALSE, FALSE, sizeof(conv_query));
    for (guint k = 0; k < spans->len; k++) {
        const conv_span *s = &g_array_index(spans, conv_span, k);
        if ((s->start == CONV_START_RESTART || s->start == CONV_START_JOIN) && s->from_ns <= end_ns)
            conv_ask(queries, s, conv_height_max_at(rises, s->from_ns), 0);
    }
    conv_answer(w, queries);
    conv_samples sync = {0};
    uint64_t unsynced = 0;
    for (guint k = 0; k < queries->len; k++) {
        const conv_query *q = &g_array_index(queries, conv_query, k);
        if (q->reached_ns < 0)
            unsynced++;
        else
            conv_sample(&sync, q->reached_ns - q->from_ns);
    }
    if (queries->len > 0) {
        conv_figure_mean_max(w->metrics, "sync_after_join", &sync, true);
        sim_metrics_figure(w->metrics, "sync_after_join_unsynced", (double)unsynced);
    }
    g_array_unref(queries);
}

/* The churn record for the reports, and its counts. */
static void conv_churn_figures(sim_world *w, int64_t end_ns)
{
    bool churn_fault = false;
    for (guint i = 0; i < w->opt.faults->len; i++)
        churn_fault = churn_fault || ((const sim_fault *)w->opt.faults->pdata[i])->action ==
                                         SIM_FAULT_CHURN;
    uint64_t joins = 0, leaves = 0;
    for (guint i = 0; i < conv_churn_count(w); i++) {
        sim_membership_record r;
        bool join;
        conv_churn_get(w, i, &r.at_ns, &r.node, &join, &r.kind);
        if (r.at_ns > end_ns)
            continue;
        g_array_append_val(w->metrics->churn, r);
        joins += join;
        leaves += !join;
    }
    if (!churn_fault && conv_churn_count(w) == 0)
        return;
    sim_metrics_figure(w->metrics, "churn_joins", (double)joins);
    sim_metrics_figure(w->metrics, "churn_leaves", (double)leaves);
}

void sim_conv_figures(sim_world *w, int64_t end_ns)
{
    if (sim_mesh_ran(w))
        conv_partition_figures(w, end_ns);
    GArray *spans = conv_spans(w);
    GArray *rises = conv_rises(w->metrics);
    conv_reconverge_figure(w, spans, rises, end_ns);
    conv_sync_figures(w, spans, rises, end_ns);
    g_array_unref(rises);
    g_array_unref(spans);
    conv_churn_figures(w, end_ns);
}

/* ---- as a world observer ---- */

sim_conv *sim_conv_new(const sim_world *w)
{
    sim_conv *c = g_new0(sim_conv, 1);
    c->recoveries = g_array_new(FALSE, FALSE, sizeof(conv_recovery));
    c->partition_open = g_new0(uint32_t, w->nodes_count);
    c->nodes_count = w->nodes_count;
    return c;
}

static void conv_on_event(void *self, sim_world *w, uint32_t node, const proto_event *ev)
{
    (void)self;
    switch (ev->kind) {
    case PROTO_EV_RECOVERED:
        sim_conv_recovered(w, node, sim_sched_now(w->sched), ev->height);
        return;
    case PROTO_EV_PARTITION_SUSPECTED:
    case PROTO_EV_PARTITION_HEALED:
        sim_conv_partition_event(w, node, ev->kind == PROTO_EV_PARTITION_SUSPECTED,
                                 sim_sched_now(w->sched), ev->stake_seen, ev->stake_total);
        return;
    default:
        return;
    }
}

/* A suspicion open when its node goes down stays unhealed in the record;
 * the node's next suspicion (a new incarnation) opens a new one. */
static void conv_on_node_down(void *self, sim_world *w, uint32_t node)
{
    sim_conv *c = self;
    (void)w;
    g_assert(node < c->nodes_count);
    c->partition_open[node] = 0;
}

static void conv_free(void *self)
{
    sim_conv *c = self;
    g_array_unref(c->recoveries);
    g_free(c->partition_open);
    g_free(c);
}

const sim_world_observer_ops sim_conv_observer_ops = {
    .name = "convergence",
    .on_event = conv_on_event,
    .on_node_down = conv_on_node_down,
    .free = conv_free,
};
