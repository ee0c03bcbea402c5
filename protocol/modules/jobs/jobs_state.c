/* The jobs module's state (jobs.h): parameters and names, copy and
 * free, the root over every field, the supply (the escrow), undo by
 * snapshot, the sorted jobs, genesis, the readers and the module's
 * vtable. */
#include <string.h>

#include "protocol/core/codec.h"
#include "protocol/core/fastmix.h"
#include "protocol/modules/jobs/jobs_internal.h"
#include "protocol/modules/registry/registry.h"

#define NS_PER_S 1000000000LL

proto_jobs_params proto_jobs_defaults(void)
{
    return (proto_jobs_params){
        .fee_permille = 10,
        .accept_timeout_ns = 300 * NS_PER_S,
        .challenge_window_ns = 600 * NS_PER_S,
        .max_deadline_ms = 3600 * 1000,
    };
}

bool proto_jobs_params_valid(const proto_jobs_params *p)
{
    return p->fee_permille <= 1000 && p->accept_timeout_ns > 0 &&
           p->accept_timeout_ns <= INT64_MAX / 4 && p->challenge_window_ns >= 0 &&
           p->challenge_window_ns <= INT64_MAX / 4 && p->max_deadline_ms > 0 &&
           p->guard_expiry_ns >= 0 && p->guard_expiry_ns <= INT64_MAX / 4;
}

const char *proto_job_status_name(proto_job_status s)
{
    static const char *const names[PROTO_JOB_STATUS_COUNT] = {
        [PROTO_JOB_NONE] = "none",
        [PROTO_JOB_POSTED] = "posted",
        [PROTO_JOB_ACCEPTED] = "accepted",
        [PROTO_JOB_DELIVERED] = "delivered",
        [PROTO_JOB_EXPIRED] = "expired",
        [PROTO_JOB_DECLINED] = "declined",
        [PROTO_JOB_CANCELLED] = "cancelled",
        [PROTO_JOB_RELEASED] = "released",
        [PROTO_JOB_RELEASED_AUTO] = "released_auto",
        [PROTO_JOB_REJECTED] = "rejected",
        [PROTO_JOB_MISSED] = "missed",
        [PROTO_JOB_DISPUTED] = "disputed",
        [PROTO_JOB_OVERTURNED] = "overturned",
        [PROTO_JOB_UPHELD] = "upheld",
        [PROTO_JOB_SPLIT] = "split",
    };
    return (unsigned)s < PROTO_JOB_STATUS_COUNT ? names[s] : "unknown";
}

bool proto_job_status_live(proto_job_status s)
{
    return (s >= PROTO_JOB_POSTED && s <= PROTO_JOB_DELIVERED) || s == PROTO_JOB_DISPUTED;
}

bool proto_job_status_outcome(proto_job_status s)
{
    return s > PROTO_JOB_NONE && s < PROTO_JOB_STATUS_COUNT && !proto_job_status_live(s);
}

const char *proto_jobs_result_name(proto_jobs_result r)
{
    static const char *const names[PROTO_JOBS_RESULT_COUNT] = {
        [PROTO_JOBS_OK] = "ok",
        [PROTO_JOBS_OUT_OF_GAS] = "out_of_gas",
        [PROTO_JOBS_BAD_MESSAGE] = "bad_message",
        [PROTO_JOBS_NO_ACCOUNT] = "no_account",
        [PROTO_JOBS_NOT_REGISTERED] = "not_registered",
        [PROTO_JOBS_NOT_ACTIVE] = "not_active",
        [PROTO_JOBS_NOT_YOURS] = "not_yours",
        [PROTO_JOBS_STALE_SEQ] = "stale_seq",
        [PROTO_JOBS_UNKNOWN_CAPABILITY] = "unknown_capability",
        [PROTO_JOBS_SELF_DEAL] = "self_deal",
        [PROTO_JOBS_PROVIDER_UNAVAILABLE] = "provider_unavailable",
        [PROTO_JOBS_DEADLINE_TOO_LONG] = "deadline_too_long",
        [PROTO_JOBS_NO_FUNDS] = "no_funds",
        [PROTO_JOBS_UNKNOWN_JOB] = "unknown_job",
        [PROTO_JOBS_NOT_PROVIDER] = "not_provider",
        [PROTO_JOBS_NOT_CONSUMER] = "not_consumer",
        [PROTO_JOBS_WRONG_STATUS] = "wrong_status",
        [PROTO_JOBS_ACCEPT_EXPIRED] = "accept_expired",
        [PROTO_JOBS_PAST_DEADLINE] = "past_deadline",
        [PROTO_JOBS_WINDOW_CLOSED] = "window_closed",
        [PROTO_JOBS_GUARDED] = "guarded",
        [PROTO_JOBS_NO_GUARD] = "no_guard",
    };
    return (unsigned)r < PROTO_JOBS_RESULT_COUNT ? names[r] : "unknown";
}

uint64_t proto_jobs_fee(const proto_jobs_params *p, uint64_t payment)
{
    return (uint64_t)((unsigned __int128)payment * p->fee_permille / 1000);
}

/* ---- copy, free, supply ---- */

static void *jobs_copy(const void *state)
{
    const jobs_state *st = state;
    jobs_state *c = g_new0(jobs_state, 1);
    *c = *st;
    c->jobs = g_array_sized_new(FALSE, TRUE, sizeof(proto_job), st->jobs->len);
    g_array_append_vals(c->jobs, st->jobs->data, st->jobs->len);
    return c;
}

static void jobs_free(void *state)
{
    jobs_state *st = state;
    if (st == NULL)
        return;
    g_array_unref(st->jobs);
    g_free(st);
}

static uint64_t jobs_supply(const void *state)
{
    return ((const jobs_state *)state)->escrow;
}

/* ---- root: every field, in a fixed order ---- */

static void put_u64(GByteArray *b, uint64_t x)
{
    uint8_t buf[8];
    proto_le_put_u64(buf, x);
    g_byte_array_append(b, buf, 8);
}

static void put_job(GByteArray *b, const proto_job *j)
{
    put_u64(b, j->id);
    put_u64(b, ((uint64_t)j->consumer << 32) | j->provider);
    put_u64(b, ((uint64_t)j->capability << 32) | j->deadline_ms);
    put_u64(b, j->payment);
    put_u64(b, j->fee);
    g_byte_array_append(b, j->input_hash.bytes, PROTO_HASH_SIZE);
    g_byte_array_append(b, j->result_hash.bytes, PROTO_HASH_SIZE);
    put_u64(b, (uint64_t)j->status);
    put_u64(b, (uint64_t)j->posted_ns);
    put_u64(b, (uint64_t)j->accepted_ns);
    put_u64(b, (uint64_t)j->due_ns);
    put_u64(b, (uint64_t)j->delivered_ns);
    put_u64(b, (uint64_t)j->release_ns);
}

/* The guard fields, only on a chain with guards (jobs.h). */
static void put_guards(GByteArray *b, const jobs_state *st)
{
    if (st->params.guard_min_payment == 0)
        return;
    put_u64(b, st->params.guard_min_payment);
    put_u64(b, (uint64_t)st->params.guard_expiry_ns);
    for (guint k = 0; k < st->jobs->len; k++)
        put_u64(b, g_array_index(st->jobs, proto_job, k).guard);
}

static void jobs_root(const void *state, bool fast, proto_hash *out)
{
    const jobs_state *st = state;
    GByteArray *b = g_byte_array_new();
    put_u64(b, st->params.fee_permille);
    put_u64(b, (uint64_t)st->params.accept_timeout_ns);
    put_u64(b, (uint64_t)st->params.challenge_window_ns);
    put_u64(b, st->params.max_deadline_ms);
    put_u64(b, st->escrow);
    put_u64(b, st->jobs->len);
    for (guint k = 0; k < st->jobs->len; k++)
        put_job(b, &g_array_index(st->jobs, proto_job, k));
    put_guards(b, st);
    proto_jobs__put_terms(b, st);
    if (st->params.treasury != 0) /* only when set: chains without keep their roots */
        put_u64(b, st->params.treasury);
    if (fast)
        proto_fastmix(out->bytes, PROTO_HASH_SIZE, "jobs", 4, b->data, b->len);
    else
        proto_hash_bytes(out, b->data, b->len);
    g_byte_array_unref(b);
}

/* ---- undo: a snapshot at the first change in a scope ---- */

static void jobs_restore_snapshot(proto_state *s, proto_undo_record *r)
{
    jobs_state *now = proto_state_module_swap(s, PROTO_JOBS_MODULE_ID, r->data);
    r->data = NULL;
    jobs_free(now);
}

jobs_state *proto_jobs__mut(proto_state *s, proto_undo *undo)
{
    jobs_state *st = proto_state_module_mut(s, PROTO_JOBS_MODULE_ID);
    g_assert(st != NULL);
    if (undo != NULL && !proto_undo_has(undo, PROTO_JOBS_MODULE_ID, jobs_restore_snapshot)) {
        proto_undo_record r = {.module_id = PROTO_JOBS_MODULE_ID,
                               .restore = jobs_restore_snapshot,
                               .free = jobs_free,
                               .data = jobs_copy(st)};
        proto_undo_push(undo, &r);
    }
    return st;
}

const jobs_state *proto_jobs__get(const proto_state *s)
{
    return proto_state_module(s, PROTO_JOBS_MODULE_ID);
}

/* ---- sorted jobs ---- */

guint proto_jobs__lower(const jobs_state *st, uint64_t id)
{
    guint lo = 0, hi = st->jobs->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        if (g_array_index(st->jobs, proto_job, mid).id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

gint proto_jobs__find(const jobs_state *st, uint64_t id)
{
    guint k = proto_jobs__lower(st, id);
    return k < st->jobs->len && g_array_index(st->jobs, proto_job, k).id == id ? (gint)k : -1;
}

/* ---- genesis ---- */

void proto_jobs_genesis(proto_state *s, const proto_jobs_params *p)
{
    g_assert(proto_jobs_params_valid(p));
    g_assert(proto_registry_active(s));
    jobs_state *st = g_new0(jobs_state, 1);
    st->params = *p;
    st->jobs = g_array_new(FALSE, TRUE, sizeof(proto_job));
    st->terms = 1;
    proto_state_module_attach(s, PROTO_JOBS_MODULE_ID, st);
}

/* ---- readers ---- */

bool proto_jobs_active(const proto_state *s)
{
    return proto_jobs__get(s) != NULL;
}

const proto_jobs_params *proto_jobs_params_of(const proto_state *s)
{
    const jobs_state *st = proto_jobs__get(s);
    return st != NULL ? &st->params : NULL;
}

const proto_job *proto_jobs_get(const proto_state *s, uint64_t id)
{
    const jobs_state *st = proto_jobs__get(s);
    gint k = st != NULL ? proto_jobs__find(st, id) : -1;
    return k < 0 ? NULL : &g_array_index(st->jobs, proto_job, k);
}

uint32_t proto_jobs_count(const proto_state *s)
{
    const jobs_state *st = proto_jobs__get(s);
    return st != NULL ? st->jobs->len : 0;
}

const proto_job *proto_jobs_at(const proto_state *s, uint32_t k)
{
    const jobs_state *st = proto_jobs__get(s);
    g_assert(st != NULL && k < st->jobs->len);
    return &g_array_index(st->jobs, proto_job, k);
}

uint64_t proto_jobs_escrow(const proto_state *s)
{
    const jobs_state *st = proto_jobs__get(s);
    return st != NULL ? st->escrow : 0;
}

/* ---- the module ---- */

static const char *jobs_result_name(uint32_t code)
{
    return proto_jobs_result_name((proto_jobs_result)code);
}

const proto_module proto_jobs_module = {
    .name = "jobs",
    .id = PROTO_JOBS_MODULE_ID,
    .version = 2,
    .migrate = proto_jobs__migrate,
    .copy = jobs_copy,
    .free = jobs_free,
    .root = jobs_root,
    .supply = jobs_supply,
    .routes = proto_jobs__routes,
    .routes_count = PROTO_JOBS__ROUTES_COUNT,
    .result_name = jobs_result_name,
    .end_block = proto_jobs__end_block,
    .invariants = proto_jobs__invariants,
};
