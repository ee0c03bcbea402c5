/* The registry module's state (registry.h): parameters and names, copy
 * and free, the root over every field, the supply, undo by snapshot, the
 * sorted records, genesis, the readers, the keeper functions the jobs
 * module calls, and the module's vtable. */
#include <string.h>

#include "protocol/chain/tx_envelope.h"
#include "protocol/core/codec.h"
#include "protocol/core/event.h"
#include "protocol/core/fastmix.h"
#include "protocol/core/sorted.h"
#include "protocol/modules/registry/registry_internal.h"

#define NS_PER_S 1000000000LL

proto_registry_params proto_registry_defaults(void)
{
    return (proto_registry_params){
        .capabilities_count = 8,
        .min_bond = 1000,
        .heartbeat_ns = 60 * NS_PER_S,
        .suspend_after = 2,
        .evict_after = 6,
        .unbond_delay_ns = 3600 * NS_PER_S,
        .evict_slash_permille = 100,
        .noshow_slash_permille = 50,
        .reputation_epoch_ns = 60 * NS_PER_S,
        .trust_alpha_permille = 200,
    };
}

bool proto_registry_params_valid(const proto_registry_params *p)
{
    return p->capabilities_count >= 1 && p->capabilities_count <= PROTO_TXMSG_CAPABILITIES_MAX &&
           p->heartbeat_ns > 0 && p->suspend_after >= 1 && p->evict_after > p->suspend_after &&
           (int64_t)p->evict_after <= INT64_MAX / 4 / p->heartbeat_ns &&
           p->unbond_delay_ns >= 0 && p->unbond_delay_ns <= INT64_MAX / 4 &&
           p->evict_slash_permille <= 1000 && p->noshow_slash_permille <= 1000 &&
           p->reputation_epoch_ns >= 0 && p->trust_alpha_permille <= 1000;
}

const char *proto_agent_status_name(proto_agent_status s)
{
    static const char *const names[PROTO_AGENT_STATUS_COUNT] = {
        [PROTO_AGENT_NONE] = "none",
        [PROTO_AGENT_ACTIVE] = "active",
        [PROTO_AGENT_SUSPENDED] = "suspended",
        [PROTO_AGENT_EVICTED] = "evicted",
        [PROTO_AGENT_DEREGISTERED] = "deregistered",
        [PROTO_AGENT_RETIRED] = "retired",
    };
    return (unsigned)s < PROTO_AGENT_STATUS_COUNT ? names[s] : "unknown";
}

const char *proto_registry_result_name(proto_registry_result r)
{
    static const char *const names[PROTO_REGISTRY_RESULT_COUNT] = {
        [PROTO_REGISTRY_OK] = "ok",
        [PROTO_REGISTRY_OUT_OF_GAS] = "out_of_gas",
        [PROTO_REGISTRY_BAD_MESSAGE] = "bad_message",
        [PROTO_REGISTRY_NO_ACCOUNT] = "no_account",
        [PROTO_REGISTRY_ALREADY_REGISTERED] = "already_registered",
        [PROTO_REGISTRY_NOT_REGISTERED] = "not_registered",
        [PROTO_REGISTRY_BOND_BELOW_MIN] = "bond_below_min",
        [PROTO_REGISTRY_NO_FUNDS] = "no_funds",
        [PROTO_REGISTRY_UNKNOWN_CAPABILITY] = "unknown_capability",
        [PROTO_REGISTRY_STALE_SEQ] = "stale_seq",
        [PROTO_REGISTRY_NOT_LISTED] = "not_listed",
        [PROTO_REGISTRY_HAS_OPEN_JOBS] = "has_open_jobs",
        [PROTO_REGISTRY_ROLE_CHANGE] = "role_change",
    };
    return (unsigned)r < PROTO_REGISTRY_RESULT_COUNT ? names[r] : "unknown";
}

uint64_t proto_registry__permille(uint64_t amount, uint32_t permille)
{
    g_assert(permille <= 1000);
    return (uint64_t)((unsigned __int128)amount * permille / 1000);
}

/* ---- new, copy, free ---- */

static registry_state *registry_new(const proto_registry_params *p)
{
    registry_state *st = g_new0(registry_state, 1);
    st->params = *p;
    st->agents = g_array_new(FALSE, TRUE, sizeof(proto_agent_record));
    st->feedback = g_array_new(FALSE, TRUE, sizeof(proto_registry_feedback_rec));
    return st;
}

static GArray *array_copy(const GArray *a, guint element_size)
{
    GArray *c = g_array_sized_new(FALSE, TRUE, element_size, a->len);
    g_array_append_vals(c, a->data, a->len);
    return c;
}

static void *registry_copy(const void *state)
{
    const registry_state *st = state;
    registry_state *c = g_new0(registry_state, 1);
    *c = *st;
    c->agents = array_copy(st->agents, sizeof(proto_agent_record));
    c->feedback = array_copy(st->feedback, sizeof(proto_registry_feedback_rec));
    return c;
}

static void registry_free(void *state)
{
    registry_state *st = state;
    if (st == NULL)
        return;
    g_array_unref(st->agents);
    g_array_unref(st->feedback);
    g_free(st);
}

static uint64_t registry_supply(const void *state)
{
    return ((const registry_state *)state)->bonded;
}

/* ---- root: every field, in a fixed order ---- */

static void put_u64(GByteArray *b, uint64_t x)
{
    uint8_t buf[8];
    proto_le_put_u64(buf, x);
    g_byte_array_append(b, buf, 8);
}

static void put_params(GByteArray *b, const proto_registry_params *p)
{
    put_u64(b, p->capabilities_count);
    put_u64(b, p->min_bond);
    put_u64(b, (uint64_t)p->heartbeat_ns);
    put_u64(b, p->suspend_after);
    put_u64(b, p->evict_after);
    put_u64(b, (uint64_t)p->unbond_delay_ns);
    put_u64(b, p->evict_slash_permille);
    put_u64(b, p->noshow_slash_permille);
    put_u64(b, (uint64_t)p->reputation_epoch_ns);
    put_u64(b, p->trust_alpha_permille);
}

static void put_agent(GByteArray *b, const proto_agent_record *a)
{
    put_u64(b, ((uint64_t)a->account << 32) | (uint32_t)a->status);
    put_u64(b, ((uint64_t)a->capabilities << 32) | a->capacity);
    put_u64(b, a->price);
    g_byte_array_append(b, a->msg_key.bytes, PROTO_PUBKEY_SIZE);
    put_u64(b, a->bond);
    put_u64(b, a->seq);
    put_u64(b, (uint64_t)a->registered_ns);
    put_u64(b, (uint64_t)a->last_heartbeat_ns);
    put_u64(b, (uint64_t)a->status_since_ns);
    put_u64(b, (uint64_t)a->unlock_ns);
    put_u64(b, a->jobs_open);
    put_u64(b, a->next_job_seq);
    put_u64(b, a->jobs_done);
    put_u64(b, a->jobs_failed);
    put_u64(b, a->slashed);
    put_u64(b, a->reputation);
}

static void registry_root(const void *state, bool fast, proto_hash *out)
{
    const registry_state *st = state;
    GByteArray *b = g_byte_array_new();
    put_params(b, &st->params);
    put_u64(b, st->bonded);
    put_u64(b, (uint64_t)st->reputation_at_ns);
    put_u64(b, st->agents->len);
    for (guint k = 0; k < st->agents->len; k++)
        put_agent(b, &g_array_index(st->agents, proto_agent_record, k));
    put_u64(b, st->feedback->len);
    for (guint k = 0; k < st->feedback->len; k++) {
        const proto_registry_feedback_rec *f =
            &g_array_index(st->feedback, proto_registry_feedback_rec, k);
        put_u64(b, ((uint64_t)f->rater << 32) | f->ratee);
        put_u64(b, f->count_positive);
        put_u64(b, f->count_negative);
        put_u64(b, f->score_sum);
    }
    if (fast)
        proto_fastmix(out->bytes, PROTO_HASH_SIZE, "registry", 8, b->data, b->len);
    else
        proto_hash_bytes(out, b->data, b->len);
    g_byte_array_unref(b);
}

/* ---- undo: a snapshot at the first change in a scope ---- */

static void registry_restore_snapshot(proto_state *s, proto_undo_record *r)
{
    registry_state *now = proto_state_module_swap(s, PROTO_REGISTRY_MODULE_ID, r->data);
    r->data = NULL;
    registry_free(now);
}

registry_state *proto_registry__mut(proto_state *s, proto_undo *undo)
{
    registry_state *st = proto_state_module_mut(s, PROTO_REGISTRY_MODULE_ID);
    g_assert(st != NULL);
    if (undo != NULL &&
        !proto_undo_has(undo, PROTO_REGISTRY_MODULE_ID, registry_restore_snapshot)) {
        proto_undo_record r = {.module_id = PROTO_REGISTRY_MODULE_ID,
                               .restore = registry_restore_snapshot,
                               .free = registry_free,
                               .data = registry_copy(st)};
        proto_undo_push(undo, &r);
    }
    return st;
}

const registry_state *proto_registry__get(const proto_state *s)
{
    return proto_state_module(s, PROTO_REGISTRY_MODULE_ID);
}

/* ---- sorted records ---- */

gint proto_registry__find(const registry_state *st, uint32_t account)
{
    uint32_t k = proto_lower_bound_u32(st->agents->data, st->agents->len,
                                       sizeof(proto_agent_record),
                                       offsetof(proto_agent_record, account), account);
    if (k < st->agents->len && g_array_index(st->agents, proto_agent_record, k).account == account)
        return (gint)k;
    return -1;
}

proto_agent_record *proto_registry__agent_mut(registry_state *st, uint32_t account)
{
    gint k = proto_registry__find(st, account);
    return k < 0 ? NULL : &g_array_index(st->agents, proto_agent_record, k);
}

proto_agent_record *proto_registry__insert(registry_state *st, const proto_agent_record *a)
{
    uint32_t k = proto_lower_bound_u32(st->agents->data, st->agents->len,
                                       sizeof(proto_agent_record),
                                       offsetof(proto_agent_record, account), a->account);
    g_assert(k >= st->agents->len ||
             g_array_index(st->agents, proto_agent_record, k).account != a->account);
    g_array_insert_val(st->agents, k, *a);
    return &g_array_index(st->agents, proto_agent_record, k);
}

/* The first feedback index whose pair is >= (rater, ratee). */
static guint feedback_lower(const registry_state *st, uint32_t rater, uint32_t ratee)
{
    uint64_t key = ((uint64_t)rater << 32) | ratee;
    guint lo = 0, hi = st->feedback->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        const proto_registry_feedback_rec *f =
            &g_array_index(st->feedback, proto_registry_feedback_rec, mid);
        if ((((uint64_t)f->rater << 32) | f->ratee) < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* ---- events ---- */

void proto_registry__report(GArray *events, const proto_agent_record *a,
                            proto_agent_status prev, uint64_t amount)
{
    if (events == NULL)
        return;
    proto_event ev = {.kind = PROTO_EV_AGENT_STATUS,
                      .account = a->account,
                      .status = (uint32_t)a->status,
                      .prev_status = (uint32_t)prev,
                      .amount = amount};
    g_array_append_val(events, ev);
}

void proto_registry__transition(GArray *events, proto_agent_record *a,
                                proto_agent_status status, int64_t now_ns, uint64_t amount)
{
    proto_agent_status prev = a->status;
    a->status = status;
    a->status_since_ns = now_ns;
    proto_registry__report(events, a, prev, amount);
}

/* ---- genesis ---- */

void proto_registry_genesis(proto_state *s, const proto_registry_params *p, uint32_t count,
                            const proto_registry_genesis_agent *agents, int64_t time_ns)
{
    g_assert(proto_registry_params_valid(p));
    registry_state *st = registry_new(p);
    for (uint32_t i = 0; i < count; i++) {
        const proto_registry_genesis_agent *g = &agents[i];
        g_assert(g->account < proto_state_account_count(s));
        g_assert(g->bond >= p->min_bond && g->bond > 0);
        g_assert(p->capabilities_count == 32 || (g->capabilities >> p->capabilities_count) == 0);
        g_assert(g->capabilities == 0 ? g->capacity == 0 && g->price == 0
                                      : g->capacity > 0 && g->price > 0);
        g_assert(st->bonded <= UINT64_MAX - g->bond);
        proto_agent_record a = {.account = g->account,
                                  .status = PROTO_AGENT_ACTIVE,
                                  .capabilities = g->capabilities,
                                  .capacity = g->capacity,
                                  .price = g->price,
                                  .msg_key = g->msg_key,
                                  .bond = g->bond,
                                  .registered_ns = time_ns,
                                  .last_heartbeat_ns = time_ns,
                                  .status_since_ns = time_ns,
                                  .next_job_seq = 1};
        proto_registry__insert(st, &a);
        st->bonded += g->bond;
    }
    proto_state_module_attach(s, PROTO_REGISTRY_MODULE_ID, st);
}

/* ---- readers ---- */

bool proto_registry_active(const proto_state *s)
{
    return proto_registry__get(s) != NULL;
}

const proto_registry_params *proto_registry_params_of(const proto_state *s)
{
    const registry_state *st = proto_registry__get(s);
    return st != NULL ? &st->params : NULL;
}

const proto_agent_record *proto_registry_agent(const proto_state *s, uint32_t account)
{
    const registry_state *st = proto_registry__get(s);
    gint k = st != NULL ? proto_registry__find(st, account) : -1;
    return k < 0 ? NULL : &g_array_index(st->agents, proto_agent_record, k);
}

uint32_t proto_registry_count(const proto_state *s)
{
    const registry_state *st = proto_registry__get(s);
    return st != NULL ? st->agents->len : 0;
}

const proto_agent_record *proto_registry_at(const proto_state *s, uint32_t k)
{
    const registry_state *st = proto_registry__get(s);
    g_assert(st != NULL && k < st->agents->len);
    return &g_array_index(st->agents, proto_agent_record, k);
}

const proto_agent_record *proto_registry_records(const proto_state *s, uint32_t *count)
{
    const registry_state *st = proto_registry__get(s);
    *count = st != NULL ? st->agents->len : 0;
    return *count > 0 ? &g_array_index(st->agents, proto_agent_record, 0) : NULL;
}

uint32_t proto_registry_active_count(const proto_state *s)
{
    const registry_state *st = proto_registry__get(s);
    uint32_t n = 0;
    for (guint k = 0; st != NULL && k < st->agents->len; k++)
        n += g_array_index(st->agents, proto_agent_record, k).status == PROTO_AGENT_ACTIVE;
    return n;
}

uint64_t proto_registry_bonded(const proto_state *s)
{
    const registry_state *st = proto_registry__get(s);
    return st != NULL ? st->bonded : 0;
}

uint32_t proto_registry_feedback_count(const proto_state *s)
{
    const registry_state *st = proto_registry__get(s);
    return st != NULL ? st->feedback->len : 0;
}

const proto_registry_feedback_rec *proto_registry_feedback_at(const proto_state *s, uint32_t k)
{
    const registry_state *st = proto_registry__get(s);
    g_assert(st != NULL && k < st->feedback->len);
    return &g_array_index(st->feedback, proto_registry_feedback_rec, k);
}

const proto_registry_feedback_rec *proto_registry_feedback_get(const proto_state *s,
                                                               uint32_t rater, uint32_t ratee)
{
    const registry_state *st = proto_registry__get(s);
    if (st == NULL)
        return NULL;
    guint k = feedback_lower(st, rater, ratee);
    if (k >= st->feedback->len)
        return NULL;
    const proto_registry_feedback_rec *f =
        &g_array_index(st->feedback, proto_registry_feedback_rec, k);
    return f->rater == rater && f->ratee == ratee ? f : NULL;
}

/* ---- keeper ---- */

/* The record of account in a mutable state (asserted to exist). */
static proto_agent_record *keeper_agent(proto_state *s, proto_undo *undo, uint32_t account)
{
    proto_agent_record *a = proto_registry__agent_mut(proto_registry__mut(s, undo), account);
    g_assert(a != NULL);
    return a;
}

void proto_registry_jobs_open_add(proto_state *s, proto_undo *undo, uint32_t account,
                                  int32_t delta)
{
    proto_agent_record *a = keeper_agent(s, undo, account);
    int64_t open = (int64_t)a->jobs_open + delta;
    g_assert(open >= 0 && open <= UINT32_MAX);
    a->jobs_open = (uint32_t)open;
}

bool proto_registry_take_job_seq(proto_state *s, proto_undo *undo, uint32_t consumer,
                                 uint64_t seq)
{
    const proto_agent_record *now = proto_registry_agent(s, consumer);
    if (now == NULL || seq < now->next_job_seq || seq == UINT64_MAX)
        return false;
    keeper_agent(s, undo, consumer)->next_job_seq = seq + 1;
    return true;
}

void proto_registry_count_outcome(proto_state *s, proto_undo *undo, uint32_t provider,
                                  bool done)
{
    proto_agent_record *a = keeper_agent(s, undo, provider);
    if (done)
        a->jobs_done++;
    else
        a->jobs_failed++;
}

uint64_t proto_registry_slash(proto_state *s, proto_undo *undo, uint32_t account,
                              uint32_t permille)
{
    const proto_agent_record *now = proto_registry_agent(s, account);
    uint64_t amount = now != NULL ? proto_registry__permille(now->bond, permille) : 0;
    if (amount == 0)
        return 0;
    registry_state *st = proto_registry__mut(s, undo);
    proto_agent_record *a = proto_registry__agent_mut(st, account);
    a->bond -= amount;
    a->slashed += amount;
    st->bonded -= amount;
    proto_state_burn(s, amount, undo);
    return amount;
}

void proto_registry_feedback(proto_state *s, proto_undo *undo, uint32_t rater, uint32_t ratee,
                             uint8_t score)
{
    g_assert(score <= PROTO_TXMSG_SCORE_MAX);
    registry_state *st = proto_registry__mut(s, undo);
    guint k = feedback_lower(st, rater, ratee);
    proto_registry_feedback_rec *f =
        k < st->feedback->len ? &g_array_index(st->feedback, proto_registry_feedback_rec, k) : NULL;
    if (f == NULL || f->rater != rater || f->ratee != ratee) {
        proto_registry_feedback_rec fresh = {.rater = rater, .ratee = ratee};
        g_array_insert_val(st->feedback, k, fresh);
        f = &g_array_index(st->feedback, proto_registry_feedback_rec, k);
    }
    if (score >= PROTO_REGISTRY_POSITIVE_SCORE)
        f->count_positive++;
    else
        f->count_negative++;
    f->score_sum += score;
}

void proto_registry_set_reputation(proto_state *s, proto_undo *undo, uint32_t account,
                                   uint64_t value)
{
    keeper_agent(s, undo, account)->reputation = value;
}

/* ---- the module ---- */

static const char *registry_result_name(uint32_t code)
{
    return proto_registry_result_name((proto_registry_result)code);
}

const proto_module proto_registry_module = {
    .name = "registry",
    .id = PROTO_REGISTRY_MODULE_ID,
    .copy = registry_copy,
    .free = registry_free,
    .root = registry_root,
    .supply = registry_supply,
    .routes = proto_registry__routes,
    .routes_count = PROTO_REGISTRY__ROUTES_COUNT,
    .result_name = registry_result_name,
    .end_block = proto_registry__end_block,
    .invariants = proto_registry__invariants,
};
