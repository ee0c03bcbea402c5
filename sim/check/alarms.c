/* The fee market's detectors (alarms.h). */
#include "sim/check/alarms.h"

#include <stdio.h>
#include <string.h>

#include "sim/world/world_internal.h"

/* Origins kept at most: beyond it new transactions go unattributed (a
 * bound on memory, never reached by the workload's own in-flight cap). */
#define ALARM_ORIGINS_MAX (1u * 1000 * 1000)
/* Final blocks remembered for the censorship rule (more than its span). */
#define ALARM_RECENT_BLOCKS 64

typedef struct origin {
    uint32_t node;
    uint64_t gas;
} origin;

typedef struct recent_block {
    uint32_t proposer;
    uint32_t tx_count;
} recent_block;

struct sim_alarms {
    GHashTable *origins;       /* proto_hash* -> origin* (both owned by one allocation) */
    uint64_t origins_dropped;
    /* congestion */
    uint32_t full_streak;      /* final heights in a row full, base fee rising */
    uint32_t calm_streak;      /* ... at or under the target while congested */
    uint64_t streak_first_fee; /* base fee when the full streak began */
    uint64_t last_base_fee;
    bool congested;
    /* spam: the last SIM_ALARM_SPAM_HEIGHTS heights' gas by origin node */
    uint64_t *window_gas;      /* [SIM_ALARM_SPAM_HEIGHTS * nodes] */
    uint64_t window_used[SIM_ALARM_SPAM_HEIGHTS];
    uint64_t window_target[SIM_ALARM_SPAM_HEIGHTS];
    uint32_t window_next;
    uint32_t window_filled;
    uint64_t *origin_total;    /* [nodes]: sum over the window */
    bool *spam_raised;         /* [nodes] */
    /* censorship */
    recent_block recent[ALARM_RECENT_BLOCKS];
    uint32_t recent_next;
    uint32_t recent_filled;
    bool *censor_raised;       /* [nodes] */
    uint32_t nodes;
};

typedef struct origin_entry {
    proto_hash id;
    origin o;
} origin_entry;

sim_alarms *sim_alarms_new(sim_world *w)
{
    sim_alarms *a = g_new0(sim_alarms, 1);
    a->nodes = w->nodes_count;
    a->origins = g_hash_table_new_full(proto_hash_ghash, proto_hash_gequal, NULL, g_free);
    a->window_gas = g_new0(uint64_t, (size_t)SIM_ALARM_SPAM_HEIGHTS * a->nodes);
    a->origin_total = g_new0(uint64_t, a->nodes);
    a->spam_raised = g_new0(bool, a->nodes);
    a->censor_raised = g_new0(bool, a->nodes);
    return a;
}

void sim_alarms_free(sim_alarms *a)
{
    if (a == NULL)
        return;
    g_hash_table_unref(a->origins);
    g_free(a->window_gas);
    g_free(a->origin_total);
    g_free(a->spam_raised);
    g_free(a->censor_raised);
    g_free(a);
}

void sim_alarms_note_origin(sim_world *w, const proto_hash *id, uint32_t origin_node, uint64_t gas)
{
    sim_alarms *a = w->alarms;
    if (g_hash_table_size(a->origins) >= ALARM_ORIGINS_MAX) {
        a->origins_dropped++;
        return;
    }
    origin_entry *e = g_new(origin_entry, 1);
    e->id = *id;
    e->o = (origin){.node = origin_node, .gas = gas};
    g_hash_table_replace(a->origins, &e->id, e);
}

static void raise_alarm(sim_world *w, const char *kind, char *subject, char *detail)
{
    sim_alarm_record r = {.at_ns = sim_sched_now(w->sched),
                          .kind = kind,
                          .subject = subject,
                          .detail = detail};
    g_array_append_val(w->metrics->alarms, r);
}

/* ---- congestion ---- */

static void check_congestion(sim_world *w, const sim_fee_record *f)
{
    sim_alarms *a = w->alarms;
    uint64_t target = f->gas_limit / w->chain.rules.fees.elasticity_multiplier;
    bool full = (unsigned __int128)f->gas_used * 100 >=
                (unsigned __int128)f->gas_limit * SIM_ALARM_FULL_PERCENT;
    bool rising = f->base_fee > a->last_base_fee;
    if (full && (rising || a->full_streak == 0)) {
        if (a->full_streak == 0)
            a->streak_first_fee = f->base_fee;
        a->full_streak++;
    } else {
        a->full_streak = 0;
    }
    a->last_base_fee = f->base_fee;
    if (!a->congested && a->full_streak >= SIM_ALARM_CONGESTION_HEIGHTS) {
        a->congested = true;
        a->calm_streak = 0;
        raise_alarm(w, "congestion", g_strdup("chain"),
                    g_strdup_printf("heights %" G_GUINT64_FORMAT "..%" G_GUINT64_FORMAT
                                    " at least %d%% full, base fee %" G_GUINT64_FORMAT
                                    " -> %" G_GUINT64_FORMAT,
                                    f->height - a->full_streak + 1, f->height,
                                    SIM_ALARM_FULL_PERCENT, a->streak_first_fee, f->base_fee));
        return;
    }
    if (!a->congested)
        return;
    a->calm_streak = f->gas_used <= target ? a->calm_streak + 1 : 0;
    if (a->calm_streak >= SIM_ALARM_CONGESTION_HEIGHTS) {
        a->congested = false;
        a->full_streak = 0;
        raise_alarm(w, "congestion-cleared", g_strdup("chain"),
                    g_strdup_printf("heights %" G_GUINT64_FORMAT "..%" G_GUINT64_FORMAT
                                    " at or under the gas target, base fee %" G_GUINT64_FORMAT,
                                    f->height - a->calm_streak + 1, f->height, f->base_fee));
    }
}

/* ---- spam ---- */

/* This height's gas by origin into the window (the oldest height leaves). */
static void window_add(sim_alarms *a, const sim_fee_record *f, const uint64_t *by_node)
{
    uint64_t *slot = &a->window_gas[(size_t)a->window_next * a->nodes];
    for (uint32_t n = 0; n < a->nodes; n++) {
        a->origin_total[n] = a->origin_total[n] - slot[n] + by_node[n];
        slot[n] = by_node[n];
    }
    a->window_used[a->window_next] = f->gas_used;
    a->window_target[a->window_next] = f->gas_limit;
    a->window_next = (a->window_next + 1) % SIM_ALARM_SPAM_HEIGHTS;
    if (a->window_filled < SIM_ALARM_SPAM_HEIGHTS)
        a->window_filled++;
}

static void check_spam(sim_world *w, const sim_fee_record *f, const uint64_t *by_node)
{
    sim_alarms *a = w->alarms;
    window_add(a, f, by_node);
    uint64_t used = 0, limit = 0, attributed = 0;
    for (uint32_t i = 0; i < a->window_filled; i++) {
        used += a->window_used[i];
        limit += a->window_target[i];
    }
    for (uint32_t n = 0; n < a->nodes; n++)
        attributed += a->origin_total[n];
    uint64_t target = limit / w->chain.rules.fees.elasticity_multiplier;
    bool busy = a->window_filled == SIM_ALARM_SPAM_HEIGHTS && used * 2 >= target;
    /* Percent threshold: the set share, or two nodes' fair share. */
    uint32_t threshold = MAX(SIM_ALARM_SPAM_SHARE_PERCENT, 200 / MAX(a->nodes, 1));
    for (uint32_t n = 0; n < a->nodes && attributed > 0; n++) {
        uint64_t pct = (uint64_t)((unsigned __int128)a->origin_total[n] * 100 / attributed);
        if (a->spam_raised[n] && pct * 2 < threshold)
            a->spam_raised[n] = false;
        if (!busy || a->spam_raised[n] || pct <= threshold)
            continue;
        a->spam_raised[n] = true;
        raise_alarm(w, "spam", sim_world_node_name(w, n),
                    g_strdup_printf("%" G_GUINT64_FORMAT "%% of the gas of heights %" G_GUINT64_FORMAT
                                    "..%" G_GUINT64_FORMAT " came in through it (threshold %u%%)",
                                    pct, f->height - SIM_ALARM_SPAM_HEIGHTS + 1, f->height,
                                    threshold));
    }
}

/* ---- censorship ---- */

static void check_censorship(sim_world *w, uint32_t proposer, uint32_t tx_count)
{
    sim_alarms *a = w->alarms;
    a->recent[a->recent_next] = (recent_block){.proposer = proposer, .tx_count = tx_count};
    a->recent_next = (a->recent_next + 1) % ALARM_RECENT_BLOCKS;
    if (a->recent_filled < ALARM_RECENT_BLOCKS)
        a->recent_filled++;
    /* Walk back over the span of the proposer's last CENSOR_BLOCKS blocks. */
    uint32_t own = 0, own_txs = 0, others = 0, others_txs = 0;
    bool all_thin = true;
    for (uint32_t k = 0; k < a->recent_filled && own < SIM_ALARM_CENSOR_BLOCKS; k++) {
        const recent_block *r =
            &a->recent[(a->recent_next + ALARM_RECENT_BLOCKS - 1 - k) % ALARM_RECENT_BLOCKS];
        if (r->proposer == proposer) {
            own++;
            own_txs += r->tx_count;
            all_thin = all_thin && r->tx_count <= 1;
        } else {
            others++;
            others_txs += r->tx_count;
        }
    }
    if (!all_thin) {
        a->censor_raised[proposer] = false;
        return;
    }
    if (own < SIM_ALARM_CENSOR_BLOCKS || others == 0 || a->censor_raised[proposer] ||
        others_txs < (uint64_t)SIM_ALARM_CENSOR_OTHERS_MIN * others)
        return;
    a->censor_raised[proposer] = true;
    raise_alarm(w, "censorship", sim_world_node_name(w, proposer),
                g_strdup_printf("its last %u final blocks carried %u transactions in all while "
                                "the other %u final blocks among them averaged %u",
                                own, own_txs, others, others_txs / others));
}

void sim_alarms_on_final(sim_world *w, const sim_fee_record *fees, uint32_t proposer_node,
                         const uint8_t *tx_hashes, uint32_t count)
{
    sim_alarms *a = w->alarms;
    uint64_t *by_node = g_new0(uint64_t, a->nodes);
    for (uint32_t i = 0; i < count; i++) {
        proto_hash id;
        memcpy(id.bytes, tx_hashes + (size_t)i * PROTO_HASH_SIZE, PROTO_HASH_SIZE);
        const origin_entry *e = g_hash_table_lookup(a->origins, &id);
        if (e == NULL)
            continue;
        if (e->o.node < a->nodes)
            by_node[e->o.node] += e->o.gas;
        g_hash_table_remove(a->origins, &id);
    }
    check_congestion(w, fees);
    check_spam(w, fees, by_node);
    if (proposer_node < a->nodes)
        check_censorship(w, proposer_node, count);
    g_free(by_node);
}
