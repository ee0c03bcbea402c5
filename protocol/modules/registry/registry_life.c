/* The registry module's end block and invariants (registry.h).
 *
 * End block, in account order: an ACTIVE agent whose last heartbeat is
 * suspend_after periods old is SUSPENDED; a SUSPENDED one evict_after
 * periods old is EVICTED (evict_slash_permille of its bond burned, the
 * rest locked until unbond_delay_ns from now); an EVICTED or
 * DEREGISTERED one whose unlock time has come and which is the provider
 * of no live job is RETIRED and its bond paid back to its account. A
 * bond stays locked while jobs are open so that a job's no-show slash
 * (jobs.h) still finds it. One agent may take several steps in one
 * block when blocks are far apart (ACTIVE to EVICTED, say); each is
 * reported. A block where nothing is due changes nothing and records no
 * undo. */
#include "protocol/modules/registry/registry_internal.h"

/* The status `a` moves to at now, or its own when nothing is due. */
static proto_agent_status next_status(const registry_state *st, const proto_agent_record *a,
                                      int64_t now_ns)
{
    const proto_registry_params *p = &st->params;
    int64_t silent = now_ns - a->last_heartbeat_ns;
    switch (a->status) {
    case PROTO_AGENT_ACTIVE:
        return silent >= (int64_t)p->suspend_after * p->heartbeat_ns ? PROTO_AGENT_SUSPENDED
                                                                     : a->status;
    case PROTO_AGENT_SUSPENDED:
        return silent >= (int64_t)p->evict_after * p->heartbeat_ns ? PROTO_AGENT_EVICTED
                                                                   : a->status;
    case PROTO_AGENT_EVICTED:
    case PROTO_AGENT_DEREGISTERED:
        return now_ns >= a->unlock_ns && a->jobs_open == 0 ? PROTO_AGENT_RETIRED : a->status;
    default:
        return a->status;
    }
}

static bool anything_due(const registry_state *st, int64_t now_ns)
{
    for (guint k = 0; k < st->agents->len; k++) {
        const proto_agent_record *a = &g_array_index(st->agents, proto_agent_record, k);
        if (next_status(st, a, now_ns) != a->status)
            return true;
    }
    return false;
}

/* Eviction: burn the slash, lock the rest. */
static void evict(proto_state *s, const proto_msg_ctx *ctx, registry_state *st,
                  proto_agent_record *a)
{
    uint64_t burn = proto_registry__permille(a->bond, st->params.evict_slash_permille);
    a->bond -= burn;
    a->slashed += burn;
    st->bonded -= burn;
    if (burn > 0)
        proto_state_burn(s, burn, ctx->undo);
    a->unlock_ns = ctx->time_ns + st->params.unbond_delay_ns;
    proto_registry__transition(ctx->events, a, PROTO_AGENT_EVICTED, ctx->time_ns, burn);
}

/* Retirement: the bond back to the account. */
static void retire(proto_state *s, const proto_msg_ctx *ctx, registry_state *st,
                   proto_agent_record *a)
{
    uint64_t pay = a->bond;
    a->bond = 0;
    a->unlock_ns = 0;
    st->bonded -= pay;
    if (pay > 0)
        proto_state_account_mut(s, a->account, ctx->undo)->balance += pay;
    proto_registry__transition(ctx->events, a, PROTO_AGENT_RETIRED, ctx->time_ns, pay);
}

bool proto_registry__end_block(proto_state *s, const proto_msg_ctx *ctx)
{
    const registry_state *now = proto_registry__get(s);
    if (now == NULL)
        return true;
    if (proto_registry__epoch_due(now, ctx->time_ns))
        proto_registry__epoch(proto_registry__mut(s, ctx->undo), ctx->time_ns);
    if (!anything_due(proto_registry__get(s), ctx->time_ns))
        return true;
    registry_state *st = proto_registry__mut(s, ctx->undo);
    for (guint k = 0; k < st->agents->len; k++) {
        proto_agent_record *a = &g_array_index(st->agents, proto_agent_record, k);
        /* At most ACTIVE -> SUSPENDED -> EVICTED -> RETIRED. */
        for (int step = 0; step < 3; step++) {
            proto_agent_status next = next_status(st, a, ctx->time_ns);
            if (next == a->status)
                break;
            if (next == PROTO_AGENT_SUSPENDED)
                proto_registry__transition(ctx->events, a, next, ctx->time_ns, 0);
            else if (next == PROTO_AGENT_EVICTED)
                evict(s, ctx, st, a);
            else
                retire(s, ctx, st, a);
        }
    }
    return true;
}

/* ---- invariants ---- */

static void broken(GString *why, bool *ok, const char *sentence, uint32_t account)
{
    g_string_append_printf(why, "%s%s (account %u)", *ok ? "" : ", ", sentence, account);
    *ok = false;
}

/* One record's fields agree with its status and role. */
static void check_agent(const registry_state *st, const proto_agent_record *a, GString *why,
                        bool *ok)
{
    uint32_t n = st->params.capabilities_count;
    bool listed = a->status == PROTO_AGENT_ACTIVE || a->status == PROTO_AGENT_SUSPENDED;
    if (a->status <= PROTO_AGENT_NONE || a->status >= PROTO_AGENT_STATUS_COUNT)
        broken(why, ok, "an agent has no valid status", a->account);
    if (n < 32 && (a->capabilities >> n) != 0)
        broken(why, ok, "an agent serves a capability the chain does not know", a->account);
    if (a->capabilities == 0 ? a->capacity != 0 || a->price != 0 || a->jobs_open != 0
                             : a->capacity == 0 || a->price == 0)
        broken(why, ok, "an agent's terms do not fit its role", a->account);
    if (a->status == PROTO_AGENT_RETIRED && (a->bond != 0 || a->jobs_open != 0))
        broken(why, ok, "a retired agent holds a bond or open jobs", a->account);
    if (a->status == PROTO_AGENT_DEREGISTERED && a->jobs_open != 0)
        broken(why, ok, "a deregistered agent has open jobs", a->account);
    if (listed != (a->unlock_ns == 0) && a->status != PROTO_AGENT_RETIRED)
        broken(why, ok, "an agent's unlock time does not fit its status", a->account);
    if (a->next_job_seq == 0 || a->last_heartbeat_ns < a->registered_ns)
        broken(why, ok, "an agent's job sequence or heartbeat time is out of range", a->account);
}

static void check_feedback(const registry_state *st, GString *why, bool *ok)
{
    for (guint k = 0; k < st->feedback->len; k++) {
        const proto_registry_feedback_rec *f =
            &g_array_index(st->feedback, proto_registry_feedback_rec, k);
        if (k > 0) {
            const proto_registry_feedback_rec *e =
                &g_array_index(st->feedback, proto_registry_feedback_rec, k - 1);
            if (((uint64_t)e->rater << 32 | e->ratee) >= ((uint64_t)f->rater << 32 | f->ratee))
                broken(why, ok, "feedback is not sorted by (rater, ratee)", f->rater);
        }
        uint64_t scores = f->count_positive + f->count_negative;
        uint64_t low = f->count_positive * PROTO_REGISTRY_POSITIVE_SCORE;
        uint64_t high = f->count_positive * 100 + f->count_negative * 49;
        if (scores == 0 || f->score_sum < low || f->score_sum > high)
            broken(why, ok, "a feedback aggregate's sum does not fit its counts", f->rater);
    }
}

bool proto_registry__invariants(const proto_state *s, const void *state, GString *why)
{
    if (state == NULL)
        return true;
    const registry_state *st = state;
    bool ok = true;
    uint64_t bonds = 0;
    for (guint k = 0; k < st->agents->len; k++) {
        const proto_agent_record *a = &g_array_index(st->agents, proto_agent_record, k);
        if (k > 0 && g_array_index(st->agents, proto_agent_record, k - 1).account >= a->account)
            broken(why, &ok, "agents are not sorted by account", a->account);
        if (a->account >= proto_state_account_count(s))
            broken(why, &ok, "an agent names no account", a->account);
        check_agent(st, a, why, &ok);
        bonds += a->bond;
    }
    if (bonds != st->bonded)
        broken(why, &ok, "the module's bonds are not the sum of the agents' bonds", 0);
    check_feedback(st, why, &ok);
    return ok;
}
