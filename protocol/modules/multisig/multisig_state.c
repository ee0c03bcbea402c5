/* The multisig module's state (multisig.h): names, the owner-set rule,
 * copy and free, the root over every field (the pending approvals
 * included), the supply, undo by snapshot, genesis, the readers and the
 * module's vtable. */
#include <string.h>

#include "protocol/core/codec.h"
#include "protocol/core/fastmix.h"
#include "protocol/modules/multisig/multisig_internal.h"

const char *proto_multisig_result_name(proto_multisig_result r)
{
    static const char *const names[PROTO_MULTISIG_RESULT_COUNT] = {
        [PROTO_MULTISIG_OK] = "ok",
        [PROTO_MULTISIG_OUT_OF_GAS] = "out_of_gas",
        [PROTO_MULTISIG_BAD_MESSAGE] = "bad_message",
        [PROTO_MULTISIG_NO_ACCOUNT] = "no_account",
        [PROTO_MULTISIG_TOO_MANY_OWNERS] = "too_many_owners",
        [PROTO_MULTISIG_THRESHOLD_ZERO] = "threshold_zero",
        [PROTO_MULTISIG_THRESHOLD_ABOVE_OWNERS] = "threshold_above_owners",
        [PROTO_MULTISIG_UNKNOWN_OWNER] = "unknown_owner",
        [PROTO_MULTISIG_DUPLICATE_OWNER] = "duplicate_owner",
        [PROTO_MULTISIG_TOO_MANY_MULTISIGS] = "too_many_multisigs",
        [PROTO_MULTISIG_UNKNOWN_MULTISIG] = "unknown_multisig",
        [PROTO_MULTISIG_NO_FUNDS] = "no_funds",
        [PROTO_MULTISIG_BAD_NONCE] = "bad_nonce",
        [PROTO_MULTISIG_BELOW_THRESHOLD] = "below_threshold",
        [PROTO_MULTISIG_APPROVER_NOT_OWNER] = "approver_not_owner",
        [PROTO_MULTISIG_ALREADY_APPROVED] = "already_approved",
        [PROTO_MULTISIG_TOO_MANY_APPROVALS] = "too_many_approvals",
        [PROTO_MULTISIG_UNKNOWN_RECIPIENT] = "unknown_recipient",
        [PROTO_MULTISIG_ALREADY_OWNER] = "already_owner",
        [PROTO_MULTISIG_NOT_OWNER] = "not_owner",
        [PROTO_MULTISIG_NOT_GUARD] = "not_guard",
        [PROTO_MULTISIG_JOB_NOT_DELIVERED] = "job_not_delivered",
        [PROTO_MULTISIG_GUARD_ONLY] = "guard_only",
        [PROTO_MULTISIG_NOT_AUTHORITY] = "not_authority",
        [PROTO_MULTISIG_UNKNOWN_MODULE] = "unknown_module",
        [PROTO_MULTISIG_NOT_NEWER] = "not_newer",
        [PROTO_MULTISIG_PAST_HEIGHT] = "past_height",
        [PROTO_MULTISIG_TOO_MANY_PLANS] = "too_many_plans",
    };
    return (unsigned)r < PROTO_MULTISIG_RESULT_COUNT ? names[r] : "unknown";
}

/* ---- the owner-set rule ---- */

/* owners[count] sorted into out (count <= the maximum). */
static void owners_sorted(uint32_t count, const uint32_t *owners, uint32_t *out)
{
    for (uint32_t i = 0; i < count; i++) {
        uint32_t x = owners[i], j = i;
        for (; j > 0 && out[j - 1] > x; j--)
            out[j] = out[j - 1];
        out[j] = x;
    }
}

proto_multisig_result proto_multisig_owners_rule(uint32_t accounts_count, uint32_t threshold,
                                                 uint32_t owners_count, const uint32_t *owners)
{
    if (owners_count > PROTO_MULTISIG_OWNERS_MAX)
        return PROTO_MULTISIG_TOO_MANY_OWNERS;
    if (threshold == 0)
        return PROTO_MULTISIG_THRESHOLD_ZERO;
    if (threshold > owners_count)
        return PROTO_MULTISIG_THRESHOLD_ABOVE_OWNERS;
    for (uint32_t i = 0; i < owners_count; i++)
        if (owners[i] >= accounts_count)
            return PROTO_MULTISIG_UNKNOWN_OWNER;
    uint32_t sorted[PROTO_MULTISIG_OWNERS_MAX];
    owners_sorted(owners_count, owners, sorted);
    for (uint32_t i = 1; i < owners_count; i++)
        if (sorted[i] == sorted[i - 1])
            return PROTO_MULTISIG_DUPLICATE_OWNER;
    return PROTO_MULTISIG_OK;
}

/* ---- new, copy, free, supply ---- */

static multisig_state *multisig_new(void)
{
    multisig_state *st = g_new0(multisig_state, 1);
    st->multisigs = g_array_new(FALSE, TRUE, sizeof(proto_multisig));
    st->approvals = g_array_new(FALSE, TRUE, sizeof(multisig_approval));
    return st;
}

static void *multisig_copy(const void *state)
{
    const multisig_state *st = state;
    multisig_state *c = g_new0(multisig_state, 1);
    *c = *st;
    c->multisigs = g_array_sized_new(FALSE, TRUE, sizeof(proto_multisig), st->multisigs->len);
    g_array_append_vals(c->multisigs, st->multisigs->data, st->multisigs->len);
    c->approvals = g_array_sized_new(FALSE, TRUE, sizeof(multisig_approval), st->approvals->len);
    g_array_append_vals(c->approvals, st->approvals->data, st->approvals->len);
    return c;
}

static void multisig_free(void *state)
{
    multisig_state *st = state;
    if (st == NULL)
        return;
    g_array_unref(st->multisigs);
    g_array_unref(st->approvals);
    g_free(st);
}

static uint64_t multisig_supply(const void *state)
{
    return ((const multisig_state *)state)->held;
}

/* ---- root: every field, in a fixed order ---- */

static void put_u64(GByteArray *b, uint64_t x)
{
    uint8_t buf[8];
    proto_le_put_u64(buf, x);
    g_byte_array_append(b, buf, 8);
}

static void multisig_root(const void *state, bool fast, proto_hash *out)
{
    const multisig_state *st = state;
    GByteArray *b = g_byte_array_new();
    put_u64(b, st->held);
    put_u64(b, st->executed);
    put_u64(b, st->multisigs->len);
    for (guint k = 0; k < st->multisigs->len; k++) {
        const proto_multisig *ms = &g_array_index(st->multisigs, proto_multisig, k);
        put_u64(b, ((uint64_t)ms->id << 32) | ms->threshold);
        put_u64(b, ms->owners_count);
        for (uint32_t i = 0; i < ms->owners_count; i++)
            put_u64(b, ms->owners[i]);
        put_u64(b, ms->nonce);
        put_u64(b, ms->balance);
    }
    put_u64(b, st->approvals->len);
    for (guint k = 0; k < st->approvals->len; k++) {
        const multisig_approval *a = &g_array_index(st->approvals, multisig_approval, k);
        put_u64(b, ((uint64_t)a->multisig << 32) | a->approvers);
        g_byte_array_append(b, a->op_hash.bytes, PROTO_HASH_SIZE);
    }
    if (fast)
        proto_fastmix(out->bytes, PROTO_HASH_SIZE, "multisig", 8, b->data, b->len);
    else
        proto_hash_bytes(out, b->data, b->len);
    g_byte_array_unref(b);
}

/* ---- undo: a snapshot at the first change in a scope ---- */

static void multisig_restore_snapshot(proto_state *s, proto_undo_record *r)
{
    multisig_state *now = proto_state_module_swap(s, PROTO_MULTISIG_MODULE_ID, r->data);
    r->data = NULL;
    multisig_free(now);
}

multisig_state *proto_multisig__mut(proto_state *s, proto_undo *undo)
{
    multisig_state *st = proto_state_module_mut(s, PROTO_MULTISIG_MODULE_ID);
    g_assert(st != NULL);
    if (undo != NULL &&
        !proto_undo_has(undo, PROTO_MULTISIG_MODULE_ID, multisig_restore_snapshot)) {
        proto_undo_record r = {.module_id = PROTO_MULTISIG_MODULE_ID,
                               .restore = multisig_restore_snapshot,
                               .free = multisig_free,
                               .data = multisig_copy(st)};
        proto_undo_push(undo, &r);
    }
    return st;
}

const multisig_state *proto_multisig__get(const proto_state *s)
{
    return proto_state_module(s, PROTO_MULTISIG_MODULE_ID);
}

/* ---- records: index = id - 1 ---- */

const proto_multisig *proto_multisig__find(const multisig_state *st, uint32_t id)
{
    if (id == 0 || id > st->multisigs->len)
        return NULL;
    return &g_array_index(st->multisigs, proto_multisig, id - 1);
}

proto_multisig *proto_multisig__find_mut(multisig_state *st, uint32_t id)
{
    return (proto_multisig *)proto_multisig__find(st, id);
}

uint32_t proto_multisig__append(multisig_state *st, uint32_t threshold, uint32_t owners_count,
                                const uint32_t *owners, uint64_t balance)
{
    g_assert(st->multisigs->len < PROTO_MULTISIG_COUNT_MAX);
    g_assert(owners_count >= 1 && owners_count <= PROTO_MULTISIG_OWNERS_MAX);
    g_assert(threshold >= 1 && threshold <= owners_count);
    g_assert(st->held <= UINT64_MAX - balance);
    proto_multisig ms;
    memset(&ms, 0, sizeof ms);
    ms.id = st->multisigs->len + 1;
    ms.threshold = threshold;
    ms.owners_count = owners_count;
    owners_sorted(owners_count, owners, ms.owners);
    ms.balance = balance;
    g_array_append_val(st->multisigs, ms);
    st->held += balance;
    return ms.id;
}

uint32_t proto_multisig_create_for(proto_state *s, proto_undo *undo, uint32_t threshold,
                                   uint32_t owners_count, const uint32_t *owners)
{
    if (!proto_multisig_can_create(s))
        return 0;
    g_assert(proto_multisig_owners_rule(proto_state_account_count(s), threshold, owners_count,
                                        owners) == PROTO_MULTISIG_OK);
    return proto_multisig__append(proto_multisig__mut(s, undo), threshold, owners_count, owners,
                                  0);
}

void proto_multisig_credit(proto_state *s, proto_undo *undo, uint32_t id, uint64_t amount)
{
    g_assert(proto_multisig_get(s, id) != NULL);
    if (amount == 0)
        return;
    multisig_state *st = proto_multisig__mut(s, undo);
    g_assert(st->held <= UINT64_MAX - amount);
    proto_multisig__find_mut(st, id)->balance += amount;
    st->held += amount;
}

bool proto_multisig_can_create(const proto_state *s)
{
    const multisig_state *st = proto_multisig__get(s);
    return st != NULL && st->multisigs->len < PROTO_MULTISIG_COUNT_MAX;
}

/* ---- genesis ---- */

void proto_multisig_genesis(proto_state *s, uint32_t count,
                            const proto_multisig_genesis_account *accounts)
{
    g_assert(count <= PROTO_MULTISIG_COUNT_MAX);
    multisig_state *st = multisig_new();
    for (uint32_t i = 0; i < count; i++) {
        const proto_multisig_genesis_account *g = &accounts[i];
        g_assert(proto_multisig_owners_rule(proto_state_account_count(s), g->threshold,
                                            g->owners_count, g->owners) == PROTO_MULTISIG_OK);
        proto_multisig__append(st, g->threshold, g->owners_count, g->owners, g->balance);
    }
    proto_state_module_attach(s, PROTO_MULTISIG_MODULE_ID, st);
}

/* ---- readers ---- */

bool proto_multisig_active(const proto_state *s)
{
    return proto_multisig__get(s) != NULL;
}

uint32_t proto_multisig_count(const proto_state *s)
{
    const multisig_state *st = proto_multisig__get(s);
    return st != NULL ? st->multisigs->len : 0;
}

const proto_multisig *proto_multisig_get(const proto_state *s, uint32_t id)
{
    const multisig_state *st = proto_multisig__get(s);
    return st != NULL ? proto_multisig__find(st, id) : NULL;
}

bool proto_multisig_is_owner(const proto_multisig *ms, uint32_t account)
{
    return proto_multisig__owner_slot(ms, account) >= 0;
}

uint64_t proto_multisig_held(const proto_state *s)
{
    const multisig_state *st = proto_multisig__get(s);
    return st != NULL ? st->held : 0;
}

uint64_t proto_multisig_executed(const proto_state *s)
{
    const multisig_state *st = proto_multisig__get(s);
    return st != NULL ? st->executed : 0;
}

/* ---- the module ---- */

static const char *multisig_result_name(uint32_t code)
{
    return proto_multisig_result_name((proto_multisig_result)code);
}

const proto_module proto_multisig_module = {
    .name = "multisig",
    .id = PROTO_MULTISIG_MODULE_ID,
    .copy = multisig_copy,
    .free = multisig_free,
    .root = multisig_root,
    .supply = multisig_supply,
    .routes = proto_multisig__routes,
    .routes_count = PROTO_MULTISIG__ROUTES_COUNT,
    .result_name = multisig_result_name,
    .invariants = proto_multisig__invariants,
};
