/* The accountability invariant (see accountability.h for the rules).
 *
 * State per validator: the first evidence an honest node held against it
 * (infraction height and holder) and the block that slashed it for double
 * signing. Ground truth for downtime is kept per signed height h as one
 * record of 1 + ceil(V/8) bytes (a "known" byte, then one bit per
 * validator: it signed h), fed at the first finalization of block h+1 by
 * an honest node from the snapshot its proposer's node had when it
 * proposed (the votes it had received, and its own once one of them
 * reached anyone). A downtime slashing is judged as soon as the ground truth
 * reaches its height (the SLASHED event may come before the BLOCK_FINAL
 * that feeds it). Everything is arrays indexed by validator, node or
 * height; the one hash table (snapshots by block hash) is only looked up. */
#include "sim/check/accountability.h"

#include <string.h>

#include "protocol/core/msgtype.h"
#include "protocol/pbft/pbft_msg.h"
#include "sim/world/world_internal.h"

#define ACCT_NONE UINT64_MAX

typedef struct acct_downtime_check {
    uint32_t validator;
    uint64_t evidence_height;
} acct_downtime_check;

struct sim_acct {
    bool enabled;                /* PBFT: the chain has a bonded validator set */
    uint32_t validators;
    uint32_t nodes_count;
    proto_slashing_params params;
    bool *equivocator;           /* [V]: a fault makes it equivocate, or it has a twin */
    uint64_t *evidence_height;   /* [V]: first includable evidence held by an honest node */
    uint32_t *evidence_holder;   /* [V]: node index of that honest node */
    bool *evidence_expired;      /* [V]: evidence first held when too old to include */
    uint64_t *double_sign_block; /* [V]: block that slashed it for double-sign, 0 = none */
    uint64_t final_height;       /* highest height finalized by an honest node */
    uint64_t **delivered;        /* [nodes][V] (validator nodes only): highest COMMIT seq
                                  * from each validator delivered to the node */
    GHashTable *snapshots;       /* proto_hash* -> ground-truth record of a proposal */
    guint record_size;           /* 1 + ceil(V / 8) */
    GByteArray *truth;           /* record per signed height; all zero = unknown */
    GArray *downtime_checks;     /* acct_downtime_check waiting for ground truth */
    char *violation;             /* the first violation, or NULL */
};

const char *sim_accountability_state_name(sim_accountability_state s)
{
    switch (s) {
    case SIM_ACCOUNTABILITY_HOLDS: return "holds";
    case SIM_ACCOUNTABILITY_VIOLATED: return "violated";
    case SIM_ACCOUNTABILITY_PENDING: return "pending";
    case SIM_ACCOUNTABILITY_NOT_APPLICABLE: return "not-applicable";
    }
    return "unknown";
}

/* The world's accountability observer (registered by sim_world_new). */
static sim_acct *acct_of(const sim_world *w)
{
    sim_acct *a = sim_world_observer_find(w, &sim_acct_observer_ops);
    g_assert(a != NULL);
    return a;
}

sim_acct *sim_acct_new(const sim_acct_options *opt)
{
    sim_acct *a = g_new0(sim_acct, 1);
    a->enabled = opt->enabled;
    a->validators = opt->validators;
    a->nodes_count = opt->nodes_count;
    a->params = opt->params;
    a->equivocator = g_memdup2(opt->equivocator, sizeof(bool) * a->validators);
    a->evidence_height = g_new(uint64_t, a->validators);
    for (uint32_t v = 0; v < a->validators; v++)
        a->evidence_height[v] = ACCT_NONE;
    a->evidence_holder = g_new0(uint32_t, a->validators);
    a->evidence_expired = g_new0(bool, a->validators);
    a->double_sign_block = g_new0(uint64_t, a->validators);
    a->delivered = g_new0(uint64_t *, a->nodes_count);
    a->snapshots = g_hash_table_new_full(proto_hash_ghash, proto_hash_gequal, g_free, g_free);
    a->record_size = 1 + (a->validators + 7) / 8;
    a->truth = g_byte_array_new();
    a->downtime_checks = g_array_new(FALSE, FALSE, sizeof(acct_downtime_check));
    return a;
}

void sim_acct_free(sim_acct *a)
{
    if (a == NULL)
        return;
    g_free(a->equivocator);
    g_free(a->evidence_height);
    g_free(a->evidence_holder);
    g_free(a->evidence_expired);
    g_free(a->double_sign_block);
    for (uint32_t i = 0; i < a->nodes_count; i++)
        g_free(a->delivered[i]);
    g_free(a->delivered);
    g_hash_table_unref(a->snapshots);
    g_byte_array_unref(a->truth);
    g_array_unref(a->downtime_checks);
    g_free(a->violation);
    g_free(a);
}

static void acct_violate(sim_world *w, char *sentence_owned)
{
    sim_acct *a = acct_of(w);
    char *detail = g_strdup_printf("accountability violated: %s", sentence_owned);
    g_free(sentence_owned);
    if (a->violation == NULL)
        a->violation = g_strdup(detail);
    sim_world_fail_invariant(w, detail);
}

static char *acct_name(const sim_world *w, uint32_t node)
{
    return sim_world_node_name(w, node);
}

/* ---- ground truth: who signed which commit ---- */

/* Called for every delivery to a validator: takes its state directly. */
static void acct_delivery(sim_acct *a, sim_world *w, uint32_t from, uint32_t to, GBytes *wire)
{
    gsize size = 0;
    const uint8_t *bytes = g_bytes_get_data(wire, &size);
    if (!a->enabled || size == 0 || bytes[0] != PROTO_MSG_PBFT_COMMIT)
        return;
    pbft_vote vote;
    if (!pbft_msg_vote_decode(wire, &vote) || vote.validator >= a->validators)
        return;
    /* Only the voter's own node (or its twin) counts: a vote relayed or
     * replayed by someone else says nothing about the voter being up. */
    if (w->nodes[from].validator_index != (int32_t)vote.validator)
        return;
    /* The receiver has the vote, and so has the voter's node, which
     * counts for it when it proposes next. */
    uint32_t holders[2] = {to, from};
    for (size_t i = 0; i < G_N_ELEMENTS(holders); i++) {
        uint32_t node = holders[i];
        if (a->delivered[node] == NULL)
            a->delivered[node] = g_new0(uint64_t, a->validators);
        if (vote.seq > a->delivered[node][vote.validator])
            a->delivered[node][vote.validator] = vote.seq;
    }
}

void sim_acct_on_delivery(sim_world *w, uint32_t from, uint32_t to, GBytes *wire)
{
    acct_delivery(acct_of(w), w, from, to, wire);
}

static void acct_on_proposed(sim_world *w, sim_node_slot *slot, const proto_event *ev)
{
    sim_acct *a = acct_of(w);
    if (ev->hash == NULL || ev->height < 2 || ev->proposer >= a->validators)
        return; /* no commit to account for, or a null block */
    proto_hash key;
    memcpy(key.bytes, ev->hash, PROTO_HASH_SIZE);
    if (g_hash_table_contains(a->snapshots, &key))
        return;
    uint64_t signed_height = ev->height - 1;
    guint8 *record = g_malloc0(a->record_size);
    record[0] = 1;
    const uint64_t *seen = a->delivered[slot->index];
    for (uint32_t v = 0; v < a->validators; v++) {
        if (seen != NULL && seen[v] >= signed_height)
            record[1 + v / 8] |= (guint8)(1u << (v % 8));
    }
    g_hash_table_insert(a->snapshots, g_memdup2(&key, sizeof key), record);
}

/* Misses of v over the last `window` signed heights up to h (heights
 * without ground truth count as missed). */
static uint32_t acct_misses(const sim_acct *a, uint32_t v, uint64_t h)
{
    uint32_t window = a->params.downtime.window;
    uint64_t first = h >= window ? h - window + 1 : 1;
    uint32_t missed = 0;
    for (uint64_t k = first; k <= h; k++) {
        const guint8 *r = (uint64_t)(k + 1) * a->record_size <= a->truth->len
                              ? a->truth->data + k * a->record_size
                              : NULL;
        bool signed_it = r != NULL && r[0] && (r[1 + v / 8] >> (v % 8)) & 1u;
        missed += !signed_it;
    }
    return missed;
}

static void acct_judge_downtime(sim_world *w, const acct_downtime_check *c)
{
    sim_acct *a = acct_of(w);
    uint32_t allowed = proto_downtime_max_missed(&a->params.downtime);
    uint32_t missed = acct_misses(a, c->validator, c->evidence_height);
    if (missed > allowed)
        return;
    char *name = acct_name(w, c->validator);
    acct_violate(w, g_strdup_printf("%s jailed for downtime at height %" G_GUINT64_FORMAT
                                    " but missed only %u of the last %u commits (allowed %u)",
                                    name, c->evidence_height, missed,
                                    a->params.downtime.window, allowed));
    g_free(name);
}

/* Judge the downtime slashings whose window the ground truth now covers
 * (all of them when `all`). */
static void acct_run_downtime_checks(sim_world *w, bool all)
{
    sim_acct *a = acct_of(w);
    uint64_t known = a->truth->len / a->record_size; /* heights 0 .. known-1 */
    for (guint i = 0; i < a->downtime_checks->len;) {
        acct_downtime_check c = g_array_index(a->downtime_checks, acct_downtime_check, i);
        if (!all && c.evidence_height >= known) {
            i++;
            continue;
        }
        g_array_remove_index(a->downtime_checks, i);
        acct_judge_downtime(w, &c);
    }
}

/* ---- evidence deadlines ---- */

static void acct_check_deadlines(sim_world *w)
{
    sim_acct *a = acct_of(w);
    for (uint32_t v = 0; v < a->validators; v++) {
        uint64_t e = a->evidence_height[v];
        if (e == ACCT_NONE || a->double_sign_block[v] != 0 ||
            a->final_height <= e + a->params.evidence_max_age)
            continue;
        char *name = acct_name(w, v);
        char *holder = acct_name(w, a->evidence_holder[v]);
        acct_violate(w, g_strdup_printf("%s equivocated at height %" G_GUINT64_FORMAT
                                        " (evidence held by %s) but was not slashed by "
                                        "height %" G_GUINT64_FORMAT,
                                        name, e, holder, e + a->params.evidence_max_age));
        g_free(name);
        g_free(holder);
        a->evidence_height[v] = ACCT_NONE; /* reported once */
    }
}

static void acct_on_final(sim_world *w, const proto_event *ev)
{
    sim_acct *a = acct_of(w);
    if (ev->height <= a->final_height)
        return;
    a->final_height = ev->height;
    if (ev->height >= 2 && ev->hash != NULL) {
        uint64_t h = ev->height - 1;
        if (a->truth->len < (h + 1) * a->record_size)
            g_byte_array_set_size(a->truth, (guint)((h + 1) * a->record_size));
        guint8 *slot_record = a->truth->data + h * a->record_size;
        memset(slot_record, 0, a->record_size);
        proto_hash key;
        memcpy(key.bytes, ev->hash, PROTO_HASH_SIZE);
        const guint8 *snap = g_hash_table_lookup(a->snapshots, &key);
        if (snap != NULL) {
            memcpy(slot_record, snap, a->record_size);
            g_hash_table_remove(a->snapshots, &key); /* a height is final once */
        }
    }
    acct_check_deadlines(w);
    acct_run_downtime_checks(w, false);
}

static void acct_on_evidence(sim_world *w, sim_node_slot *slot, const proto_event *ev)
{
    sim_acct *a = acct_of(w);
    uint32_t v = ev->proposer;
    if (v >= a->validators || a->evidence_height[v] != ACCT_NONE ||
        a->double_sign_block[v] != 0)
        return;
    /* The next block any node can build is final_height + 1: evidence
     * older than the age limit there can never be included. */
    if (ev->height + a->params.evidence_max_age < a->final_height + 1) {
        a->evidence_expired[v] = true;
        return;
    }
    a->evidence_height[v] = ev->height;
    a->evidence_holder[v] = slot->index;
}

/* ---- slashings, unjails, rotations ---- */

static bool acct_change_known(const sim_metrics *m, uint32_t v, const char *change,
                              const proto_event *ev)
{
    for (guint i = 0; i < m->validator_changes->len; i++) {
        const sim_validator_change_record *r =
            &g_array_index(m->validator_changes, sim_validator_change_record, i);
        if (r->validator == v && g_str_equal(r->change, change) && r->height == ev->height &&
            r->effective_height == ev->effective_height)
            return true;
    }
    return false;
}

static void acct_record_change(sim_world *w, const char *change, const proto_event *ev)
{
    sim_metrics *m = w->metrics;
    if (acct_change_known(m, ev->validator, change, ev))
        return;
    sim_validator_change_record r = {.at_ns = sim_sched_now(w->sched),
                                     .validator = ev->validator,
                                     .change = change,
                                     .height = ev->height,
                                     .effective_height = ev->effective_height};
    g_array_append_val(m->validator_changes, r);
}

static void acct_check_double_sign(sim_world *w, const sim_slashing_record *r)
{
    sim_acct *a = acct_of(w);
    char *name = acct_name(w, r->validator);
    if (!a->equivocator[r->validator])
        acct_violate(w, g_strdup_printf("%s slashed for double-sign at height %" G_GUINT64_FORMAT
                                        " (block %" G_GUINT64_FORMAT ") but it never equivocated",
                                        name, r->evidence_height, r->height));
    else if (a->double_sign_block[r->validator] != 0)
        acct_violate(w, g_strdup_printf("%s slashed for double-sign twice (blocks %" G_GUINT64_FORMAT
                                        " and %" G_GUINT64_FORMAT ")",
                                        name, a->double_sign_block[r->validator], r->height));
    g_free(name);
    if (a->double_sign_block[r->validator] == 0)
        a->double_sign_block[r->validator] = r->height;
}

static void acct_on_slashed(sim_world *w, const proto_event *ev)
{
    sim_metrics *m = w->metrics;
    const char *reason = ev->slash_reason == PROTO_SLASH_DOUBLE_SIGN ? "double-sign"
                         : ev->slash_reason == PROTO_SLASH_DOWNTIME  ? "downtime"
                                                                     : NULL;
    if (reason == NULL || ev->validator >= acct_of(w)->validators)
        return;
    for (guint i = 0; i < m->slashings->len; i++) {
        const sim_slashing_record *r = &g_array_index(m->slashings, sim_slashing_record, i);
        if (r->validator == ev->validator && g_str_equal(r->reason, reason) &&
            r->evidence_height == ev->evidence_height && r->height == ev->height)
            return; /* another node committing the same block */
    }
    sim_slashing_record r = {.at_ns = sim_sched_now(w->sched),
                             .validator = ev->validator,
                             .reason = reason,
                             .amount = ev->amount,
                             .evidence_height = ev->evidence_height,
                             .height = ev->height,
                             .effective_height = ev->effective_height};
    g_array_append_val(m->slashings, r);
    acct_record_change(w, "jail", ev);
    if (ev->slash_reason == PROTO_SLASH_DOUBLE_SIGN) {
        acct_check_double_sign(w, &r);
    } else if (w->nodes[ev->validator].honest) {
        acct_downtime_check c = {.validator = ev->validator,
                                 .evidence_height = ev->evidence_height};
        g_array_append_val(acct_of(w)->downtime_checks, c);
        acct_run_downtime_checks(w, false);
    }
}

/* Called for every event: takes its state directly (the handlers, for
 * the few events that matter, look it up). */
static void acct_observe(const sim_acct *a, sim_world *w, sim_node_slot *slot,
                         const proto_event *ev)
{
    if (!a->enabled || !slot->honest)
        return;
    switch (ev->kind) {
    case PROTO_EV_BLOCK_PROPOSED:
        acct_on_proposed(w, slot, ev);
        return;
    case PROTO_EV_BLOCK_FINAL:
        acct_on_final(w, ev);
        return;
    case PROTO_EV_EVIDENCE:
        acct_on_evidence(w, slot, ev);
        return;
    case PROTO_EV_SLASHED:
        acct_on_slashed(w, ev);
        return;
    case PROTO_EV_UNJAILED:
        if (ev->validator < acct_of(w)->validators)
            acct_record_change(w, "unjail", ev);
        return;
    case PROTO_EV_KEY_ROTATED:
        if (ev->validator < acct_of(w)->validators)
            acct_record_change(w, "rotate-key", ev);
        return;
    default:
        return;
    }
}

void sim_acct_observe(sim_world *w, sim_node_slot *slot, const proto_event *ev)
{
    acct_observe(acct_of(w), w, slot, ev);
}

/* ---- the verdict ---- */

void sim_acct_finish(sim_world *w)
{
    if (acct_of(w)->enabled)
        acct_run_downtime_checks(w, true);
}

sim_accountability sim_acct_verdict(const sim_world *w)
{
    const sim_acct *a = acct_of(w);
    if (!a->enabled)
        return (sim_accountability){SIM_ACCOUNTABILITY_NOT_APPLICABLE,
                                    g_strdup("PoA has no bonded validators to slash")};
    if (a->violation != NULL)
        return (sim_accountability){SIM_ACCOUNTABILITY_VIOLATED,
                                    g_strdup(a->violation + strlen("accountability violated: "))};
    GString *pending = g_string_new(NULL);
    for (uint32_t v = 0; v < a->validators; v++) {
        if (a->evidence_height[v] == ACCT_NONE || a->double_sign_block[v] != 0)
            continue;
        char *name = acct_name(w, v);
        g_string_append_printf(pending,
                               "%s%s equivocated at height %" G_GUINT64_FORMAT
                               " and may be slashed until height %" G_GUINT64_FORMAT,
                               pending->len > 0 ? "; " : "", name, a->evidence_height[v],
                               a->evidence_height[v] + a->params.evidence_max_age);
        g_free(name);
    }
    if (pending->len > 0) {
        g_string_append_printf(pending, " (the run ended at final height %" G_GUINT64_FORMAT ")",
                               a->final_height);
        return (sim_accountability){SIM_ACCOUNTABILITY_PENDING, g_string_free(pending, FALSE)};
    }
    g_string_free(pending, TRUE);
    guint slashings = w->metrics->slashings->len;
    return (sim_accountability){
        SIM_ACCOUNTABILITY_HOLDS,
        g_strdup_printf("%u slashing%s; no honest validator punished, every proven "
                        "equivocation slashed once in time",
                        slashings, slashings == 1 ? "" : "s")};
}

GArray *sim_acct_slashed(const sim_world *w)
{
    const GArray *slashings = w->metrics->slashings;
    g_autofree bool *seen = g_new0(bool, acct_of(w)->validators);
    for (guint i = 0; i < slashings->len; i++)
        seen[g_array_index(slashings, sim_slashing_record, i).validator] = true;
    GArray *out = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    for (uint32_t v = 0; v < acct_of(w)->validators; v++) {
        if (seen[v])
            g_array_append_val(out, v);
    }
    return out;
}

void sim_acct_figures(sim_world *w)
{
    sim_metrics *m = w->metrics;
    uint64_t double_sign = 0, downtime = 0, tokens = 0, unjails = 0, rotations = 0, expired = 0;
    for (guint i = 0; i < m->slashings->len; i++) {
        const sim_slashing_record *r = &g_array_index(m->slashings, sim_slashing_record, i);
        double_sign += g_str_equal(r->reason, "double-sign");
        downtime += g_str_equal(r->reason, "downtime");
        tokens += r->amount;
    }
    for (guint i = 0; i < m->validator_changes->len; i++) {
        const sim_validator_change_record *r =
            &g_array_index(m->validator_changes, sim_validator_change_record, i);
        unjails += g_str_equal(r->change, "unjail");
        rotations += g_str_equal(r->change, "rotate-key");
    }
    for (uint32_t v = 0; v < acct_of(w)->validators; v++)
        expired += acct_of(w)->evidence_expired[v];
    sim_metrics_figure(m, "slashings", (double)m->slashings->len);
    sim_metrics_figure(m, "slashings.double_sign", (double)double_sign);
    sim_metrics_figure(m, "slashings.downtime", (double)downtime);
    sim_metrics_figure(m, "slashed_tokens", (double)tokens);
    sim_metrics_figure(m, "unjails", (double)unjails);
    sim_metrics_figure(m, "key_rotations", (double)rotations);
    sim_metrics_figure(m, "evidence_expired", (double)expired);
    sim_metrics_figure(m, "accountability_held", acct_of(w)->violation == NULL ? 1 : 0);
}

/* ---- as a world observer ---- */

static void acct_obs_event(void *self, sim_world *w, uint32_t node, const proto_event *ev)
{
    acct_observe(self, w, &w->nodes[node], ev);
}

static void acct_obs_delivery(void *self, sim_world *w, uint32_t from, uint32_t to, GBytes *wire)
{
    acct_delivery(self, w, from, to, wire);
}

static void acct_obs_run_end(void *self, sim_world *w)
{
    (void)self;
    sim_acct_finish(w);
}

static void acct_obs_figures(void *self, sim_world *w, sim_metrics *m)
{
    (void)self;
    (void)m;
    if (w->opt.protocol == SIM_CONSENSUS_PBFT)
        sim_acct_figures(w);
}

static void acct_obs_free(void *self)
{
    sim_acct_free(self);
}

const sim_world_observer_ops sim_acct_observer_ops = {
    .name = "accountability",
    .on_event = acct_obs_event,
    .on_delivery = acct_obs_delivery,
    .on_run_end = acct_obs_run_end,
    .figures = acct_obs_figures,
    .free = acct_obs_free,
};
