/* Random fault schedules around a base scenario (see sim/scenario/swarm_gen.h).
 *
 * Everything is drawn from one RNG stream of the swarm seed, in a fixed
 * order, and written as text straight away: the same (base, seed, mode)
 * gives the same bytes on every machine. Times are whole milliseconds so
 * the text is short and reads back exactly. */
#include "sim/scenario/swarm_gen.h"

#include <string.h>

#include "sim/engine/rng.h"

#define GEN_MS_NS ((int64_t)1000000)
/* Fault windows start after 1 s and end by 60% of the run. */
#define GEN_FIRST_AT_MS 1000
#define GEN_WINDOW_END_PERMILLE 600
#define GEN_FAULTS_EXTRA_MAX 4  /* random faults besides the forced ones: 1..4 */

typedef enum gen_kind {
    GEN_CRASH = 0,
    GEN_PARTITION,
    GEN_ONEWAY,
    GEN_DEGRADE,
    GEN_BYZANTINE,
    GEN_TWIN,
    GEN_CHURN,
    GEN_ROTATE,
    GEN_KINDS,
} gen_kind;

/* Relative weights of the random faults. */
static const guint gen_weights[GEN_KINDS] = {
    [GEN_CRASH] = 3,     [GEN_PARTITION] = 3, [GEN_ONEWAY] = 2, [GEN_DEGRADE] = 2,
    [GEN_BYZANTINE] = 3, [GEN_TWIN] = 1,      [GEN_CHURN] = 1,  [GEN_ROTATE] = 1,
};

static const char *const gen_behaviors[] = {
    "equivocate", "double-sign", "withhold", "invalid-signature", "replay", "delay", "flood",
};

typedef struct gen {
    sim_rng rng;
    const sim_scenario *sc;
    sim_swarm_mode mode;
    int64_t duration_ms;
    GString *faults;        /* the generated [fault] sections */
    uint32_t faults_count;
    guint8 *byzantine;      /* [validators]: 1 once byzantine (any behavior or twin) */
    GArray *twins;          /* uint32 validators that have a twin, in order */
    int64_t fixed_at_ms;    /* > 0: every window drawn is this one (beyond f's attack) */
    int64_t fixed_until_ms;
    sim_swarm_world_info info;
} gen;

const char *sim_swarm_mode_name(sim_swarm_mode mode)
{
    return mode == SIM_SWARM_BEYOND_F ? "beyond-f" : "within-f";
}

static uint64_t gen_stake(const gen *g, uint32_t v)
{
    return g_array_index(g->sc->stakes, uint64_t, v);
}

static void gen_window(gen *g, int64_t *at_ms, int64_t *until_ms)
{
    if (g->fixed_at_ms > 0) {
        *at_ms = g->fixed_at_ms;
        *until_ms = g->fixed_until_ms;
        return;
    }
    int64_t end_ms = g->duration_ms * GEN_WINDOW_END_PERMILLE / 1000;
    int64_t latest_ms = MAX(GEN_FIRST_AT_MS + 1, g->duration_ms / 2);
    *at_ms = GEN_FIRST_AT_MS + (int64_t)sim_rng_below(&g->rng, (uint64_t)(latest_ms - GEN_FIRST_AT_MS));
    int64_t span_ms = MAX(1, g->duration_ms / 3 - 2000);
    int64_t len_ms = 2000 + (int64_t)sim_rng_below(&g->rng, (uint64_t)span_ms);
    *until_ms = MIN(*at_ms + len_ms, MAX(end_ms, *at_ms + 1));
    *until_ms = MIN(*until_ms, g->duration_ms);
    if (*at_ms >= *until_ms)
        *at_ms = *until_ms - 1;
}

/* "[fault swN-KIND]" with at (and until when given, > 0). */
static void gen_begin(gen *g, const char *kind, const char *action, int64_t at_ms,
                      int64_t until_ms)
{
    g_string_append_printf(g->faults, "\n[fault sw%u-%s]\naction = %s\nat = %" G_GINT64_FORMAT
                           "ms\n", g->faults_count, kind, action, at_ms);
    if (until_ms > 0)
        g_string_append_printf(g->faults, "until = %" G_GINT64_FORMAT "ms\n", until_ms);
    g->faults_count++;
}

static uint32_t gen_node_count(const gen *g)
{
    return g->sc->validators + g->sc->full_nodes + g->twins->len;
}

/* Name of node i in the order validators, full nodes, twins. */
static void gen_append_name(GString *s, const gen *g, uint32_t i)
{
    uint32_t v = g->sc->validators, f = g->sc->full_nodes;
    if (i < v)
        g_string_append_printf(s, "v%u", i);
    else if (i < v + f)
        g_string_append_printf(s, "n%u", i - v);
    else
        g_string_append_printf(s, "v%u'", g_array_index(g->twins, uint32_t, i - v - f));
}

/* A validator that may turn Byzantine under the mode's budget, or -1. */
static int64_t gen_pick_byzantine(gen *g, bool forced)
{
    uint32_t n = g->sc->validators;
    uint32_t start = (uint32_t)sim_rng_below(&g->rng, n);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t v = (start + k) % n;
        if (g->byzantine[v])
            continue;
        uint64_t stake = g->info.byzantine_stake + gen_stake(g, v);
        bool within = g->info.byzantine_validators + 1 <= g->info.f &&
                      stake * 3 < g->info.total_stake;
        if (!forced && !within)
            continue;
        g->byzantine[v] = 1;
        g->info.byzantine_validators++;
        g->info.byzantine_stake = stake;
        return v;
    }
    return -1;
}

static void gen_crash(gen *g)
{
    int64_t at, until;
    gen_window(g, &at, &until);
    bool restarts = sim_rng_chance(&g->rng, 0.8);
    gen_begin(g, "crash", "crash", at, restarts ? until : 0);
    uint32_t nodes = g->sc->validators + g->sc->full_nodes;
    uint32_t count = 1 + (uint32_t)sim_rng_below(&g->rng, MIN(3, nodes));
    g_string_append(g->faults, "nodes =");
    guint8 *used = g_new0(guint8, nodes);
    for (uint32_t k = 0; k < count; k++) {
        uint32_t i = (uint32_t)sim_rng_below(&g->rng, nodes);
        if (used[i])
            continue;
        used[i] = 1;
        g_string_append_c(g->faults, ' ');
        gen_append_name(g->faults, g, i);
    }
    g_free(used);
    g_string_append_c(g->faults, '\n');
}

/* side[i] for every node; a twin and its validator apart when split_twins. */
static void gen_sides(gen *g, guint *side, guint groups, bool split_twins)
{
    g_assert(groups <= 3);
    uint32_t total = gen_node_count(g);
    for (uint32_t i = 0; i < total; i++)
        side[i] = (guint)sim_rng_below(&g->rng, groups);
    uint32_t first_twin = g->sc->validators + g->sc->full_nodes;
    if (split_twins && g->mode == SIM_SWARM_BEYOND_F) {
        /* The adversary's split: Byzantine validators on one side, their
         * twins on the other, honest validators shared out in turn, so
         * both sides may hold a quorum. */
        guint turn = (guint)sim_rng_below(&g->rng, 2);
        for (uint32_t v = 0; v < g->sc->validators; v++)
            side[v] = g->byzantine[v] ? 0 : (turn++ % 2);
    }
    for (guint t = 0; split_twins && t < g->twins->len; t++) {
        uint32_t v = g_array_index(g->twins, uint32_t, t);
        side[first_twin + t] = (side[v] + 1) % groups;
    }
    /* Every group non-empty: an empty one takes a node of the largest. */
    for (guint k = 0; k < groups && total >= groups; k++) {
        guint count[3] = {0};
        for (uint32_t i = 0; i < total; i++)
            count[side[i]]++;
        if (count[k] > 0)
            continue;
        guint largest = 0;
        for (guint j = 1; j < groups; j++)
            largest = count[j] > count[largest] ? j : largest;
        for (uint32_t i = 0; i < total; i++) {
            if (side[i] == largest) {
                side[i] = k;
                break;
            }
        }
    }
}

static void gen_append_groups(gen *g, const guint *side, guint groups, const char *sep)
{
    uint32_t total = gen_node_count(g);
    for (guint k = 0; k < groups; k++) {
        if (k > 0)
            g_string_append(g->faults, sep);
        bool first = true;
        for (uint32_t i = 0; i < total; i++) {
            if (side[i] != k)
                continue;
            if (!first)
                g_string_append_c(g->faults, ' ');
            gen_append_name(g->faults, g, i);
            first = false;
        }
    }
    g_string_append_c(g->faults, '\n');
}

static void gen_partition(gen *g, bool split_twins)
{
    int64_t at, until;
    gen_window(g, &at, &until);
    gen_begin(g, "partition", "partition", at, until);
    guint groups = g->fixed_at_ms == 0 && sim_rng_chance(&g->rng, 0.25) ? 3 : 2;
    guint *side = g_new0(guint, gen_node_count(g));
    gen_sides(g, side, groups, split_twins);
    g_string_append(g->faults, "groups = ");
    gen_append_groups(g, side, groups, " | ");
    g_free(side);
}

/* groups = A -> B: A's messages to B are lost, B still reaches A; nodes in
 * neither group (side 2) are not cut. */
static void gen_oneway(gen *g)
{
    int64_t at, until;
    gen_window(g, &at, &until);
    gen_begin(g, "oneway", "partition", at, until);
    guint *side = g_new0(guint, gen_node_count(g));
    gen_sides(g, side, 3, false);
    g_string_append(g->faults, "groups = ");
    gen_append_groups(g, side, 2, " -> ");
    g_free(side);
}

static void gen_degrade(gen *g)
{
    int64_t at, until;
    gen_window(g, &at, &until);
    gen_begin(g, "degrade", "degrade", at, until);
    uint32_t nodes = g->sc->validators + g->sc->full_nodes;
    uint32_t first = (uint32_t)sim_rng_below(&g->rng, nodes);
    uint32_t count = 1 + (uint32_t)sim_rng_below(&g->rng, MIN(3, nodes));
    g_string_append(g->faults, "nodes =");
    for (uint32_t k = 0; k < count; k++) {
        g_string_append_c(g->faults, ' ');
        gen_append_name(g->faults, g, (first + k) % nodes);
    }
    g_string_append_c(g->faults, '\n');
    uint64_t what = 1 + sim_rng_below(&g->rng, 7); /* bits: latency, loss, duplicate */
    if (what & 1)
        g_string_append_printf(g->faults, "latency = uniform %" G_GUINT64_FORMAT "ms %"
                               G_GUINT64_FORMAT "ms\n", 50 + sim_rng_below(&g->rng, 200),
                               300 + sim_rng_below(&g->rng, 900));
    if (what & 2)
        g_string_append_printf(g->faults, "loss = 0.%02" G_GUINT64_FORMAT "\n",
                               5 + sim_rng_below(&g->rng, 45));
    if (what & 4)
        g_string_append_printf(g->faults, "duplicate = 0.%02" G_GUINT64_FORMAT "\n",
                               5 + sim_rng_below(&g->rng, 25));
}

static void gen_behavior(gen *g, uint32_t v, bool strong)
{
    const char *b = strong ? gen_behaviors[sim_rng_below(&g->rng, 2)] /* equivocate, double-sign */
                           : gen_behaviors[sim_rng_below(&g->rng, G_N_ELEMENTS(gen_behaviors))];
    bool whole_run = strong || sim_rng_chance(&g->rng, 0.5);
    int64_t at = 0, until = 0;
    if (!whole_run)
        gen_window(g, &at, &until);
    gen_begin(g, b, "byzantine", at, until);
    g_string_append_printf(g->faults, "nodes = v%u\nbehavior = %s", v, b);
    if (strcmp(b, "delay") == 0)
        g_string_append_printf(g->faults, " %" G_GUINT64_FORMAT "ms",
                               200 + sim_rng_below(&g->rng, 2800));
    else if (strcmp(b, "flood") == 0)
        g_string_append_printf(g->faults, " %" G_GUINT64_FORMAT "/s",
                               100 + sim_rng_below(&g->rng, 1900));
    g_string_append_c(g->faults, '\n');
}

static void gen_twin(gen *g, uint32_t v)
{
    int64_t at, until;
    gen_window(g, &at, &until);
    bool ends = g->fixed_at_ms > 0 || sim_rng_chance(&g->rng, 0.7);
    gen_begin(g, "twin", "byzantine", at, ends ? until : 0);
    g_string_append_printf(g->faults, "nodes = v%u\nbehavior = twin\n", v);
    g_array_append_val(g->twins, v);
}

static void gen_churn(gen *g)
{
    int64_t at, until;
    gen_window(g, &at, &until);
    gen_begin(g, "churn", "churn", at, until);
    g_string_append_printf(g->faults,
                           "nodes = full_nodes\njoin_rate = 0.%" G_GUINT64_FORMAT "/s\n"
                           "leave_rate = 0.%" G_GUINT64_FORMAT "/s\n",
                           1 + sim_rng_below(&g->rng, 5), 1 + sim_rng_below(&g->rng, 5));
}

static void gen_rotate(gen *g)
{
    int64_t at, until;
    gen_window(g, &at, &until);
    gen_begin(g, "rotate", "rotate-key", at, 0);
    g_string_append_printf(g->faults, "nodes = v%" G_GUINT64_FORMAT "\n",
                           sim_rng_below(&g->rng, g->sc->validators));
}

static gen_kind gen_draw_kind(gen *g)
{
    guint weights[GEN_KINDS];
    guint sum = 0;
    for (int k = 0; k < GEN_KINDS; k++) {
        weights[k] = gen_weights[k];
        if ((k == GEN_CHURN && g->sc->full_nodes == 0) ||
            (k == GEN_ROTATE && g->sc->protocol != SIM_CONSENSUS_PBFT))
            weights[k] = 0;
        sum += weights[k];
    }
    uint64_t r = sim_rng_below(&g->rng, sum);
    for (int k = 0; k < GEN_KINDS; k++) {
        if (r < weights[k])
            return (gen_kind)k;
        r -= weights[k];
    }
    g_assert_not_reached();
}

/* One random fault; a Byzantine one over the budget becomes a crash. */
static void gen_random_fault(gen *g)
{
    gen_kind k = gen_draw_kind(g);
    if (k == GEN_BYZANTINE || k == GEN_TWIN) {
        int64_t v = g->mode == SIM_SWARM_WITHIN_F ? gen_pick_byzantine(g, false) : -1;
        if (v < 0)
            k = GEN_CRASH;
        else if (k == GEN_TWIN)
            gen_twin(g, (uint32_t)v);
        else
            gen_behavior(g, (uint32_t)v, false);
    }
    switch (k) {
    case GEN_CRASH: gen_crash(g); break;
    case GEN_PARTITION: gen_partition(g, sim_rng_chance(&g->rng, 0.6)); break;
    case GEN_ONEWAY: gen_oneway(g); break;
    case GEN_DEGRADE: gen_degrade(g); break;
    case GEN_CHURN: gen_churn(g); break;
    case GEN_ROTATE: gen_rotate(g); break;
    default: break; /* byzantine and twin written above */
    }
}

/* beyond-f: at least f+1 validators and 1/3 of the stake turn Byzantine
 * with the strongest behaviors (in half of the worlds all twins, else each
 * a twin or, for the whole run, an equivocator or double signer). Twins
 * start with the partition (earlier, the two machines of one identity
 * would sign conflicting votes in front of everyone and be slashed before
 * the attack), and a partition splits twins from
 * their validators, the classic way to break a quorum intersection. */
static void gen_beyond_f(gen *g)
{
    bool all_twins = sim_rng_chance(&g->rng, 0.5);
    gen_window(g, &g->fixed_at_ms, &g->fixed_until_ms);
    while (g->info.byzantine_validators < g->info.f + 1 ||
           g->info.byzantine_stake * 3 < g->info.total_stake) {
        int64_t v = gen_pick_byzantine(g, true);
        if (v < 0)
            break;
        if (all_twins || sim_rng_chance(&g->rng, 0.5))
            gen_twin(g, (uint32_t)v);
        else
            gen_behavior(g, (uint32_t)v, true);
    }
    gen_partition(g, true);
    g->fixed_at_ms = g->fixed_until_ms = 0;
}

/* The base file's sections without its faults and targets; [scenario]
 * gets this world's name and seed. */
static void gen_write_base(GString *out, const sim_ini *base_ini, const sim_scenario *base,
                           uint64_t seed)
{
    bool wrote_scenario = false;
    for (guint i = 0; i < base_ini->sections->len; i++) {
        const sim_ini_section *sec = g_ptr_array_index(base_ini->sections, i);
        if (g_str_has_prefix(sec->name, "fault ") || strcmp(sec->name, "expect") == 0)
            continue;
        bool scenario = strcmp(sec->name, "scenario") == 0;
        g_string_append_printf(out, "%s[%s]\n", out->len > 0 ? "\n" : "", sec->name);
        if (scenario) {
            g_string_append_printf(out, "name = %s-swarm-%" G_GUINT64_FORMAT "\nseed = %"
                                   G_GUINT64_FORMAT "\n", base->name, seed, seed);
            wrote_scenario = true;
        }
        for (guint j = 0; j < sec->entries->len; j++) {
            const sim_ini_entry *e = g_ptr_array_index(sec->entries, j);
            if (scenario && (strcmp(e->key, "name") == 0 || strcmp(e->key, "seed") == 0))
                continue;
            g_string_append_printf(out, "%s = %s\n", e->key, e->value);
        }
    }
    if (!wrote_scenario)
        g_string_append_printf(out, "\n[scenario]\nname = %s-swarm-%" G_GUINT64_FORMAT
                               "\nseed = %" G_GUINT64_FORMAT "\n", base->name, seed, seed);
}

char *sim_swarm_world_text(const char *base_path, const sim_ini *base_ini,
                           const sim_scenario *base, uint64_t seed, sim_swarm_mode mode,
                           sim_swarm_world_info *info)
{
    gen g = {.sc = base, .mode = mode, .duration_ms = base->duration_ns / GEN_MS_NS,
             .faults = g_string_new(NULL), .byzantine = g_new0(guint8, base->validators),
             .twins = g_array_new(FALSE, FALSE, sizeof(uint32_t))};
    sim_rng_init(&g.rng, seed, "swarm/schedule");
    g.info.f = base->validators > 0 ? (base->validators - 1) / 3 : 0;
    for (uint32_t v = 0; v < base->validators; v++)
        g.info.total_stake += gen_stake(&g, v);
    if (mode == SIM_SWARM_BEYOND_F)
        gen_beyond_f(&g);
    uint64_t extra = 1 + sim_rng_below(&g.rng, GEN_FAULTS_EXTRA_MAX);
    for (uint64_t k = 0; k < extra; k++)
        gen_random_fault(&g);
    g.info.faults = g.faults_count;

    GString *out = g_string_new(NULL);
    g_string_append_printf(out, "# swarm world %" G_GUINT64_FORMAT " of %s, %s: f = %u, %u "
                           "Byzantine validators (stake %" G_GUINT64_FORMAT " of %"
                           G_GUINT64_FORMAT "), %u faults\n",
                           seed, base_path, sim_swarm_mode_name(mode), g.info.f,
                           g.info.byzantine_validators, g.info.byzantine_stake,
                           g.info.total_stake, g.info.faults);
    gen_write_base(out, base_ini, base, seed);
    g_string_append(out, g.faults->str);
    g_string_append(out, "\n[expect]\nsafety = holds\nliveness = holds\n");
    if (info != NULL)
        *info = g.info;
    g_string_free(g.faults, TRUE);
    g_free(g.byzantine);
    g_array_unref(g.twins);
    return g_string_free(out, FALSE);
}
