/* The disputes module's state (disputes.h): names, parameters, copy and
 * free, the root over every field (jurors, disputes and seats), the
 * supply, undo by snapshot, genesis, the readers, the sorted lookups and
 * the module's vtable. */
#include <string.h>

#include "protocol/core/codec.h"
#include "protocol/core/event.h"
#include "protocol/core/fastmix.h"
#include "protocol/modules/disputes/disputes_internal.h"
#include "protocol/modules/jobs/jobs.h"

#define NS_PER_S 1000000000LL

/* ---- names and parameters ---- */

const char *proto_disputes_result_name(proto_disputes_result r)
{
    static const char *const names[PROTO_DISPUTES_RESULT_COUNT] = {
        [PROTO_DISPUTES_OK] = "ok",
        [PROTO_DISPUTES_OUT_OF_GAS] = "out_of_gas",
        [PROTO_DISPUTES_BAD_MESSAGE] = "bad_message",
        [PROTO_DISPUTES_UNKNOWN_DISPUTE] = "unknown_dispute",
        [PROTO_DISPUTES_NOT_PROVIDER] = "not_provider",
        [PROTO_DISPUTES_NOT_PARTY] = "not_party",
        [PROTO_DISPUTES_NOT_DRAWN] = "not_drawn",
        [PROTO_DISPUTES_WRONG_PHASE] = "wrong_phase",
        [PROTO_DISPUTES_WRONG_ROUND] = "wrong_round",
        [PROTO_DISPUTES_PAST_DEADLINE] = "past_deadline",
        [PROTO_DISPUTES_ALREADY_VOTED] = "already_voted",
        [PROTO_DISPUTES_NO_COMMIT] = "no_commit",
        [PROTO_DISPUTES_BAD_REVEAL] = "bad_reveal",
        [PROTO_DISPUTES_NOT_LOSER] = "not_loser",
        [PROTO_DISPUTES_NO_FUNDS] = "no_funds",
    };
    return (unsigned)r < PROTO_DISPUTES_RESULT_COUNT ? names[r] : "unknown";
}

const char *proto_dispute_phase_name(uint32_t phase)
{
    static const char *const names[PROTO_DISPUTE_PHASE_COUNT] = {
        [PROTO_DISPUTE_AWAIT_DEFENCE] = "await_defence",
        [PROTO_DISPUTE_VERIFY] = "verify",
        [PROTO_DISPUTE_COMMIT] = "commit",
        [PROTO_DISPUTE_REVEAL] = "reveal",
        [PROTO_DISPUTE_APPEALABLE] = "appealable",
    };
    return phase > 0 && phase < PROTO_DISPUTE_PHASE_COUNT ? names[phase] : "unknown";
}

const char *proto_dispute_step_name(uint32_t step)
{
    static const char *const names[PROTO_DISPUTE_STEP_COUNT] = {
        [PROTO_DISPUTE_OPENED] = "opened",     [PROTO_DISPUTE_DEFENDED] = "defended",
        [PROTO_DISPUTE_ROUND] = "round",       [PROTO_DISPUTE_RULED] = "ruled",
        [PROTO_DISPUTE_APPEALED] = "appealed", [PROTO_DISPUTE_SETTLED] = "settled",
        [PROTO_DISPUTE_PAID] = "paid",
    };
    return step > 0 && step < PROTO_DISPUTE_STEP_COUNT ? names[step] : "unknown";
}

proto_disputes_params proto_disputes_defaults(void)
{
    return (proto_disputes_params){.bond = 1000,
                                   .fee_permille = 500,
                                   .response_ns = 20 * NS_PER_S,
                                   .verifiers = 1,
                                   .verify_ns = 20 * NS_PER_S,
                                   .panel = 3,
                                   .panel_max = 15,
                                   .vote_ns = 20 * NS_PER_S,
                                   .appeal_ns = 20 * NS_PER_S,
                                   .seat_fee = 100,
                                   .stake_at_risk = 500};
}

uint32_t proto_disputes_next_panel(uint32_t seats)
{
    return seats > (UINT32_MAX - 1) / 2 ? UINT32_MAX : 2 * seats + 1;
}

/* Rounds the ladder panel, 2 panel + 1, ... up to panel_max takes, tier
 * 1 included. */
static uint32_t ladder_rounds(const proto_disputes_params *p)
{
    uint32_t rounds = 2; /* tier 1 and the first panel */
    for (uint32_t seats = p->panel; seats < p->panel_max; rounds++)
        seats = MIN(proto_disputes_next_panel(seats), p->panel_max);
    return rounds;
}

static bool period_valid(int64_t ns)
{
    return ns > 0 && ns <= INT64_MAX / 8;
}

bool proto_disputes_params_valid(const proto_disputes_params *p)
{
    return p->bond > 0 && p->bond <= UINT64_MAX / 4 && p->fee_permille <= 1000 &&
           period_valid(p->response_ns) && p->verifiers <= PROTO_DISPUTES_SEATS_MAX &&
           period_valid(p->verify_ns) && p->panel >= 1 && p->panel <= p->panel_max &&
           p->panel_max <= PROTO_DISPUTES_SEATS_MAX && period_valid(p->vote_ns) &&
           period_valid(p->appeal_ns) && p->seat_fee <= UINT64_MAX / 64 / 4 &&
           ladder_rounds(p) <= PROTO_DISPUTES_ROUNDS_MAX;
}

/* ---- new, copy, free, supply ---- */

static disputes_state *disputes_new(void)
{
    disputes_state *st = g_new0(disputes_state, 1);
    st->jurors = g_array_new(FALSE, TRUE, sizeof(proto_juror));
    st->disputes = g_array_new(FALSE, TRUE, sizeof(proto_dispute));
    st->seats = g_array_new(FALSE, TRUE, sizeof(dispute_seat));
    return st;
}

static GArray *array_copy(const GArray *a, guint size)
{
    GArray *c = g_array_sized_new(FALSE, TRUE, size, a->len);
    g_array_append_vals(c, a->data, a->len);
    return c;
}

static void *disputes_copy(const void *state)
{
    const disputes_state *st = state;
    disputes_state *c = g_new0(disputes_state, 1);
    *c = *st;
    c->jurors = array_copy(st->jurors, sizeof(proto_juror));
    c->disputes = array_copy(st->disputes, sizeof(proto_dispute));
    c->seats = array_copy(st->seats, sizeof(dispute_seat));
    return c;
}

static void disputes_free(void *state)
{
    disputes_state *st = state;
    if (st == NULL)
        return;
    g_array_unref(st->jurors);
    g_array_unref(st->disputes);
    g_array_unref(st->seats);
    g_free(st);
}

static uint64_t disputes_supply(const void *state)
{
    return ((const disputes_state *)state)->held;
}

/* ---- root: every field, in a fixed order ---- */

static void put_u64(GByteArray *b, uint64_t x)
{
    uint8_t buf[8];
    proto_le_put_u64(buf, x);
    g_byte_array_append(b, buf, 8);
}

static void put_params(GByteArray *b, const proto_disputes_params *p)
{
    put_u64(b, p->bond);
    put_u64(b, p->fee_permille);
    put_u64(b, (uint64_t)p->response_ns);
    put_u64(b, p->verifiers);
    put_u64(b, (uint64_t)p->verify_ns);
    put_u64(b, ((uint64_t)p->panel << 32) | p->panel_max);
    put_u64(b, (uint64_t)p->vote_ns);
    put_u64(b, (uint64_t)p->appeal_ns);
    put_u64(b, p->seat_fee);
    put_u64(b, p->stake_at_risk);
}

static void put_dispute(GByteArray *b, const proto_dispute *d)
{
    put_u64(b, d->job);
    put_u64(b, ((uint64_t)d->consumer << 32) | d->provider);
    put_u64(b, ((uint64_t)d->phase << 32) | d->rounds);
    put_u64(b, (uint64_t)d->opened_ns);
    put_u64(b, (uint64_t)d->deadline_ns);
    put_u64(b, d->bonds);
    for (uint32_t r = 0; r < d->rounds; r++) {
        put_u64(b, ((uint64_t)d->round[r].seats << 8) | d->round[r].ruling);
        put_u64(b, d->round[r].fees);
    }
}

static void put_seat(GByteArray *b, const dispute_seat *x)
{
    put_u64(b, x->job);
    put_u64(b, ((uint64_t)x->round << 32) | x->juror);
    put_u64(b, ((uint64_t)x->seats << 32) | ((uint64_t)x->vote << 16) |
                   ((uint64_t)x->committed << 8) | x->revealed);
    g_byte_array_append(b, x->commitment.bytes, PROTO_HASH_SIZE);
}

static void disputes_root(const void *state, bool fast, proto_hash *out)
{
    const disputes_state *st = state;
    GByteArray *b = g_byte_array_new();
    put_params(b, &st->params);
    put_u64(b, st->held);
    put_u64(b, st->jurors->len);
    for (guint k = 0; k < st->jurors->len; k++) {
        const proto_juror *j = &g_array_index(st->jurors, proto_juror, k);
        put_u64(b, ((uint64_t)j->account << 32) | j->roles);
        put_u64(b, j->stake);
    }
    put_u64(b, st->disputes->len);
    for (guint k = 0; k < st->disputes->len; k++)
        put_dispute(b, &g_array_index(st->disputes, proto_dispute, k));
    put_u64(b, st->seats->len);
    for (guint k = 0; k < st->seats->len; k++)
        put_seat(b, &g_array_index(st->seats, dispute_seat, k));
    if (fast)
        proto_fastmix(out->bytes, PROTO_HASH_SIZE, "disputes", 8, b->data, b->len);
    else
        proto_hash_bytes(out, b->data, b->len);
    g_byte_array_unref(b);
}

/* ---- undo: a snapshot at the first change in a scope ---- */

static void disputes_restore_snapshot(proto_state *s, proto_undo_record *r)
{
    disputes_state *now = proto_state_module_swap(s, PROTO_DISPUTES_MODULE_ID, r->data);
    r->data = NULL;
    disputes_free(now);
}

disputes_state *proto_disputes__mut(proto_state *s, proto_undo *undo)
{
    disputes_state *st = proto_state_module_mut(s, PROTO_DISPUTES_MODULE_ID);
    g_assert(st != NULL);
    if (undo != NULL &&
        !proto_undo_has(undo, PROTO_DISPUTES_MODULE_ID, disputes_restore_snapshot)) {
        proto_undo_record r = {.module_id = PROTO_DISPUTES_MODULE_ID,
                               .restore = disputes_restore_snapshot,
                               .free = disputes_free,
                               .data = disputes_copy(st)};
        proto_undo_push(undo, &r);
    }
    return st;
}

const disputes_state *proto_disputes__get(const proto_state *s)
{
    return proto_state_module(s, PROTO_DISPUTES_MODULE_ID);
}

/* ---- sorted lookups ---- */

guint proto_disputes__lower(const disputes_state *st, uint64_t job)
{
    guint lo = 0, hi = st->disputes->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        if (g_array_index(st->disputes, proto_dispute, mid).job < job)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

gint proto_disputes__find(const disputes_state *st, uint64_t job)
{
    guint k = proto_disputes__lower(st, job);
    return k < st->disputes->len && g_array_index(st->disputes, proto_dispute, k).job == job
               ? (gint)k
               : -1;
}

gint proto_disputes__juror(const disputes_state *st, uint32_t account)
{
    guint lo = 0, hi = st->jurors->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        if (g_array_index(st->jurors, proto_juror, mid).account < account)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < st->jurors->len && g_array_index(st->jurors, proto_juror, lo).account == account
               ? (gint)lo
               : -1;
}

static int seat_cmp(const dispute_seat *x, uint64_t job, uint32_t round, uint32_t juror)
{
    if (x->job != job)
        return x->job < job ? -1 : 1;
    if (x->round != round)
        return x->round < round ? -1 : 1;
    return x->juror < juror ? -1 : x->juror > juror;
}

guint proto_disputes__seat_lower(const disputes_state *st, uint64_t job, uint32_t round,
                                 uint32_t juror)
{
    guint lo = 0, hi = st->seats->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        if (seat_cmp(&g_array_index(st->seats, dispute_seat, mid), job, round, juror) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

gint proto_disputes__seat(const disputes_state *st, uint64_t job, uint32_t round,
                          uint32_t juror)
{
    guint k = proto_disputes__seat_lower(st, job, round, juror);
    return k < st->seats->len &&
                   seat_cmp(&g_array_index(st->seats, dispute_seat, k), job, round, juror) == 0
               ? (gint)k
               : -1;
}

/* ---- events ---- */

void proto_disputes__report(const proto_msg_ctx *ctx, const proto_state *s,
                            const proto_dispute *d, proto_dispute_step step, uint32_t round,
                            uint8_t ruling, uint64_t amount, uint32_t who)
{
    if (ctx->events == NULL)
        return;
    const proto_job *job = proto_jobs_get(s, d->job);
    proto_event ev = {.kind = PROTO_EV_DISPUTE,
                      .account = d->provider,
                      .from = who,
                      .job = d->job,
                      .status = (uint32_t)step,
                      .prev_status = ruling,
                      .depth = round,
                      .job_payment = job != NULL ? job->payment : 0,
                      .amount = amount};
    g_array_append_val(ctx->events, ev);
}

/* ---- genesis ---- */

static gint juror_cmp(gconstpointer a, gconstpointer b)
{
    uint32_t x = ((const proto_juror *)a)->account, y = ((const proto_juror *)b)->account;
    return x < y ? -1 : x > y;
}

void proto_disputes_genesis(proto_state *s, const proto_disputes_params *p, uint32_t count,
                            const proto_disputes_genesis_juror *jurors)
{
    g_assert(proto_jobs_active(s));
    g_assert(proto_disputes_params_valid(p));
    g_assert(count <= PROTO_DISPUTES_JURORS_MAX);
    disputes_state *st = disputes_new();
    st->params = *p;
    for (uint32_t i = 0; i < count; i++) {
        const proto_disputes_genesis_juror *g = &jurors[i];
        g_assert(g->account < proto_state_account_count(s));
        g_assert(g->roles != 0 && (g->roles & ~(PROTO_JUROR_VERIFIER | PROTO_JUROR_ARBITER)) == 0);
        g_assert(g->stake > 0 && st->held <= UINT64_MAX / 4 - g->stake);
        proto_juror j = {.account = g->account, .roles = g->roles, .stake = g->stake};
        g_array_append_val(st->jurors, j);
        st->held += g->stake;
    }
    g_array_sort(st->jurors, juror_cmp);
    for (guint k = 1; k < st->jurors->len; k++)
        g_assert(g_array_index(st->jurors, proto_juror, k - 1).account <
                 g_array_index(st->jurors, proto_juror, k).account);
    proto_state_module_attach(s, PROTO_DISPUTES_MODULE_ID, st);
}

/* ---- readers ---- */

bool proto_disputes_active(const proto_state *s)
{
    return proto_disputes__get(s) != NULL;
}

const proto_disputes_params *proto_disputes_params_of(const proto_state *s)
{
    const disputes_state *st = proto_disputes__get(s);
    return st != NULL ? &st->params : NULL;
}

const proto_dispute *proto_disputes_get(const proto_state *s, uint64_t job)
{
    const disputes_state *st = proto_disputes__get(s);
    if (st == NULL)
        return NULL;
    gint k = proto_disputes__find(st, job);
    return k < 0 ? NULL : &g_array_index(st->disputes, proto_dispute, k);
}

uint32_t proto_disputes_count(const proto_state *s)
{
    const disputes_state *st = proto_disputes__get(s);
    return st != NULL ? st->disputes->len : 0;
}

const proto_dispute *proto_disputes_at(const proto_state *s, uint32_t k)
{
    const disputes_state *st = proto_disputes__get(s);
    g_assert(st != NULL && k < st->disputes->len);
    return &g_array_index(st->disputes, proto_dispute, k);
}

uint32_t proto_disputes_jurors_count(const proto_state *s)
{
    const disputes_state *st = proto_disputes__get(s);
    return st != NULL ? st->jurors->len : 0;
}

const proto_juror *proto_disputes_juror_at(const proto_state *s, uint32_t k)
{
    const disputes_state *st = proto_disputes__get(s);
    g_assert(st != NULL && k < st->jurors->len);
    return &g_array_index(st->jurors, proto_juror, k);
}

const proto_juror *proto_disputes_juror(const proto_state *s, uint32_t account)
{
    const disputes_state *st = proto_disputes__get(s);
    if (st == NULL)
        return NULL;
    gint k = proto_disputes__juror(st, account);
    return k < 0 ? NULL : &g_array_index(st->jurors, proto_juror, k);
}

uint32_t proto_disputes_seats_of(const proto_state *s, uint64_t job, uint32_t round,
                                 uint32_t account, bool *voted, bool *revealed)
{
    const disputes_state *st = proto_disputes__get(s);
    gint k = st != NULL ? proto_disputes__seat(st, job, round, account) : -1;
    const dispute_seat *x = k >= 0 ? &g_array_index(st->seats, dispute_seat, k) : NULL;
    if (voted != NULL)
        *voted = x != NULL && (x->committed || x->vote != 0);
    if (revealed != NULL)
        *revealed = x != NULL && x->revealed;
    return x != NULL ? x->seats : 0;
}

uint64_t proto_disputes_held(const proto_state *s)
{
    const disputes_state *st = proto_disputes__get(s);
    return st != NULL ? st->held : 0;
}

/* ---- the module ---- */

static const char *disputes_result_name(uint32_t code)
{
    return proto_disputes_result_name((proto_disputes_result)code);
}

const proto_module proto_disputes_module = {
    .name = "disputes",
    .id = PROTO_DISPUTES_MODULE_ID,
    .copy = disputes_copy,
    .free = disputes_free,
    .root = disputes_root,
    .supply = disputes_supply,
    .routes = proto_disputes__routes,
    .routes_count = PROTO_DISPUTES__ROUTES_COUNT,
    .result_name = disputes_result_name,
    .end_block = proto_disputes__end_block,
    .invariants = proto_disputes__invariants,
};
