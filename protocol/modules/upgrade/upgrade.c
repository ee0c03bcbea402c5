/* The upgrade module (upgrade.h): the stored version of every module,
 * the plans the authority made, their activation with each module's
 * migration, and the refusal of a state newer than the node's code. */
#include "protocol/modules/upgrade/upgrade.h"

#include <string.h>

#include "protocol/core/codec.h"
#include "protocol/core/event.h"
#include "protocol/core/fastmix.h"

typedef struct upgrade_state {
    uint32_t authority;                    /* multisig id; 0: nobody plans */
    uint32_t versions[PROTO_MODULES_MAX];  /* by module id; 0: no state at genesis */
    GArray *plans;                         /* proto_upgrade_plan, (height, module) order */
    uint64_t applied;                      /* upgrades activated so far */
} upgrade_state;

const char *proto_upgrade_result_name(proto_upgrade_result r)
{
    static const char *const names[PROTO_UPGRADE_RESULT_COUNT] = {
        "ok", "no_state", "not_authority", "unknown_module", "not_newer", "past_height",
        "too_many_plans",
    };
    return (unsigned)r < PROTO_UPGRADE_RESULT_COUNT ? names[r] : "unknown";
}

/* ---- state ---- */

static void *upgrade_copy(const void *state)
{
    const upgrade_state *st = state;
    upgrade_state *c = g_new0(upgrade_state, 1);
    *c = *st;
    c->plans = g_array_sized_new(FALSE, TRUE, sizeof(proto_upgrade_plan), st->plans->len);
    g_array_append_vals(c->plans, st->plans->data, st->plans->len);
    return c;
}

static void upgrade_free(void *state)
{
    upgrade_state *st = state;
    if (st == NULL)
        return;
    g_array_unref(st->plans);
    g_free(st);
}

static void put_u64(GByteArray *b, uint64_t x)
{
    uint8_t buf[8];
    proto_le_put_u64(buf, x);
    g_byte_array_append(b, buf, 8);
}

static void upgrade_root(const void *state, bool fast, proto_hash *out)
{
    const upgrade_state *st = state;
    GByteArray *b = g_byte_array_new();
    put_u64(b, st->authority);
    for (uint32_t i = 0; i < PROTO_MODULES_MAX; i++)
        put_u64(b, st->versions[i]);
    put_u64(b, st->applied);
    put_u64(b, st->plans->len);
    for (guint k = 0; k < st->plans->len; k++) {
        const proto_upgrade_plan *p = &g_array_index(st->plans, proto_upgrade_plan, k);
        put_u64(b, ((uint64_t)p->module << 32) | p->version);
        put_u64(b, p->height);
    }
    if (fast)
        proto_fastmix(out->bytes, PROTO_HASH_SIZE, "upgrade", 7, b->data, b->len);
    else
        proto_hash_bytes(out, b->data, b->len);
    g_byte_array_unref(b);
}

static void upgrade_restore_snapshot(proto_state *s, proto_undo_record *r)
{
    upgrade_state *now = proto_state_module_swap(s, PROTO_UPGRADE_MODULE_ID, r->data);
    r->data = NULL;
    upgrade_free(now);
}

static upgrade_state *upgrade_mut(proto_state *s, proto_undo *undo)
{
    upgrade_state *st = proto_state_module_mut(s, PROTO_UPGRADE_MODULE_ID);
    g_assert(st != NULL);
    if (undo != NULL && !proto_undo_has(undo, PROTO_UPGRADE_MODULE_ID, upgrade_restore_snapshot)) {
        proto_undo_record r = {.module_id = PROTO_UPGRADE_MODULE_ID,
                               .restore = upgrade_restore_snapshot,
                               .free = upgrade_free,
                               .data = upgrade_copy(st)};
        proto_undo_push(undo, &r);
    }
    return st;
}

static const upgrade_state *upgrade_get(const proto_state *s)
{
    return proto_state_module(s, PROTO_UPGRADE_MODULE_ID);
}

void proto_upgrade_genesis(proto_state *s, uint32_t authority)
{
    g_assert(upgrade_get(s) == NULL);
    upgrade_state *st = g_new0(upgrade_state, 1);
    st->authority = authority;
    st->plans = g_array_new(FALSE, TRUE, sizeof(proto_upgrade_plan));
    const proto_module_set *set = proto_state_modules(s);
    for (uint32_t i = 0; i < set->count; i++) {
        uint32_t id = set->modules[i]->id;
        g_assert(id < PROTO_MODULES_MAX);
        if (proto_state_module(s, id) != NULL || id == PROTO_UPGRADE_MODULE_ID)
            st->versions[id] = 1;
    }
    proto_state_module_attach(s, PROTO_UPGRADE_MODULE_ID, st);
}

/* ---- readers ---- */

bool proto_upgrade_active(const proto_state *s)
{
    return upgrade_get(s) != NULL;
}

uint32_t proto_upgrade_authority(const proto_state *s)
{
    const upgrade_state *st = upgrade_get(s);
    return st != NULL ? st->authority : 0;
}

uint32_t proto_upgrade_version(const proto_state *s, uint32_t module)
{
    const upgrade_state *st = upgrade_get(s);
    if (module >= PROTO_MODULES_MAX)
        return 0;
    if (st != NULL)
        return st->versions[module];
    return proto_state_module(s, module) != NULL ? 1 : 0;
}

uint32_t proto_upgrade_plans_count(const proto_state *s)
{
    const upgrade_state *st = upgrade_get(s);
    return st != NULL ? st->plans->len : 0;
}

const proto_upgrade_plan *proto_upgrade_plan_at(const proto_state *s, uint32_t k)
{
    const upgrade_state *st = upgrade_get(s);
    g_assert(st != NULL && k < st->plans->len);
    return &g_array_index(st->plans, proto_upgrade_plan, k);
}

static uint32_t code_version_of(const proto_state *s, const uint32_t *code_versions,
                                uint32_t module)
{
    g_assert(module < PROTO_MODULES_MAX);
    if (code_versions != NULL)
        return MAX(code_versions[module], 1u);
    const proto_module *m = proto_module_set_find(proto_state_modules(s), module);
    return m != NULL ? MAX(m->version, 1u) : 1u;
}

uint32_t proto_upgrade_code_version(const proto_state *s, const proto_msg_ctx *ctx,
                                    uint32_t module)
{
    return code_version_of(s, ctx->code_versions, module);
}

static bool lacks(uint32_t module, uint32_t version, uint32_t *module_out, uint32_t *version_out)
{
    if (module_out != NULL)
        *module_out = module;
    if (version_out != NULL)
        *version_out = version;
    return false;
}

bool proto_upgrade_code_runs(const proto_state *s, uint64_t height,
                             const uint32_t *code_versions, uint32_t *module_out,
                             uint32_t *version_out)
{
    const upgrade_state *st = upgrade_get(s);
    if (st == NULL)
        return true;
    for (uint32_t id = 0; id < PROTO_MODULES_MAX; id++)
        if (st->versions[id] > code_version_of(s, code_versions, id))
            return lacks(id, st->versions[id], module_out, version_out);
    for (guint k = 0; k < st->plans->len; k++) {
        const proto_upgrade_plan *p = &g_array_index(st->plans, proto_upgrade_plan, k);
        if (p->height > height)
            break; /* in height order */
        if (p->version > code_version_of(s, code_versions, p->module))
            return lacks(p->module, p->version, module_out, version_out);
    }
    return true;
}

proto_event proto_upgrade_halt_event(uint64_t height, uint32_t module, uint32_t version)
{
    return (proto_event){.kind = PROTO_EV_UPGRADE,
                         .height = height,
                         .validator = module,
                         .status = version,
                         .amount = height,
                         .depth = PROTO_UPGRADE_EV_HALTED};
}

/* ---- plans ---- */

/* The highest version module is stored at or planned for. */
static uint32_t highest(const upgrade_state *st, uint32_t module)
{
    uint32_t v = st->versions[module];
    for (guint k = 0; k < st->plans->len; k++) {
        const proto_upgrade_plan *p = &g_array_index(st->plans, proto_upgrade_plan, k);
        if (p->module == module)
            v = MAX(v, p->version);
    }
    return v;
}

proto_upgrade_result proto_upgrade_check_plan(const proto_state *s, const proto_msg_ctx *ctx,
                                              uint32_t multisig, const proto_upgrade_plan *p)
{
    const upgrade_state *st = upgrade_get(s);
    if (st == NULL)
        return PROTO_UPGRADE_NO_STATE;
    if (st->authority == 0 || multisig != st->authority)
        return PROTO_UPGRADE_NOT_AUTHORITY;
    if (p->module >= PROTO_MODULES_MAX || st->versions[p->module] == 0)
        return PROTO_UPGRADE_UNKNOWN_MODULE;
    if (p->version <= highest(st, p->module))
        return PROTO_UPGRADE_NOT_NEWER;
    if (p->height <= ctx->height)
        return PROTO_UPGRADE_PAST_HEIGHT;
    if (st->plans->len >= PROTO_UPGRADE_PLANS_MAX)
        return PROTO_UPGRADE_TOO_MANY_PLANS;
    return PROTO_UPGRADE_OK;
}

static void report(const proto_msg_ctx *ctx, const proto_upgrade_plan *p, uint32_t from,
                   uint32_t step)
{
    if (ctx->events == NULL)
        return;
    proto_event ev = {.kind = PROTO_EV_UPGRADE,
                      .validator = p->module,
                      .status = p->version,
                      .prev_status = from,
                      .amount = p->height,
                      .depth = step};
    g_array_append_val(ctx->events, ev);
}

static gint plan_cmp(const proto_upgrade_plan *a, const proto_upgrade_plan *b)
{
    if (a->height != b->height)
        return a->height < b->height ? -1 : 1;
    if (a->module != b->module)
        return a->module < b->module ? -1 : 1;
    return (a->version > b->version) - (a->version < b->version);
}

void proto_upgrade_add_plan(proto_state *s, const proto_msg_ctx *ctx, const proto_upgrade_plan *p)
{
    g_assert(proto_upgrade_check_plan(s, ctx, proto_upgrade_authority(s), p) == PROTO_UPGRADE_OK);
    upgrade_state *st = upgrade_mut(s, ctx->undo);
    guint k = 0;
    while (k < st->plans->len &&
           plan_cmp(&g_array_index(st->plans, proto_upgrade_plan, k), p) < 0)
        k++;
    g_array_insert_val(st->plans, k, *p);
    report(ctx, p, st->versions[p->module], PROTO_UPGRADE_EV_PLANNED);
}

/* ---- blocks ---- */

/* A node whose code is older than a version the chain reached cannot run
 * any block (begin_block), nor activate a plan its code lacks (end). */
static bool upgrade_begin_block(proto_state *s, const proto_msg_ctx *ctx)
{
    const upgrade_state *st = upgrade_get(s);
    if (st == NULL)
        return true;
    for (uint32_t id = 0; id < PROTO_MODULES_MAX; id++)
        if (st->versions[id] > 0 && st->versions[id] > proto_upgrade_code_version(s, ctx, id))
            return false;
    return true;
}

static bool migrate(proto_state *s, const proto_msg_ctx *ctx, uint32_t module, uint32_t from,
                    uint32_t to)
{
    const proto_module *m = proto_module_set_find(proto_state_modules(s), module);
    g_assert(m != NULL);
    for (uint32_t v = from; v < to; v++)
        if (m->migrate != NULL && !m->migrate(s, ctx, v, v + 1))
            return false;
    return true;
}

static bool upgrade_end_block(proto_state *s, const proto_msg_ctx *ctx)
{
    const upgrade_state *now = upgrade_get(s);
    if (now == NULL || now->plans->len == 0 ||
        g_array_index(now->plans, proto_upgrade_plan, 0).height > ctx->height)
        return true;
    while (true) {
        const upgrade_state *st = upgrade_get(s);
        if (st->plans->len == 0)
            return true;
        proto_upgrade_plan p = g_array_index(st->plans, proto_upgrade_plan, 0);
        if (p.height > ctx->height)
            return true;
        if (proto_upgrade_code_version(s, ctx, p.module) < p.version)
            return false; /* this node's code cannot migrate: it halts here */
        uint32_t from = st->versions[p.module];
        g_assert(from < p.version); /* planned above it, and versions only go up */
        if (!migrate(s, ctx, p.module, from, p.version))
            return false;
        upgrade_state *w = upgrade_mut(s, ctx->undo);
        g_array_remove_index(w->plans, 0);
        w->versions[p.module] = p.version;
        w->applied++;
        report(ctx, &p, from, PROTO_UPGRADE_EV_ACTIVATED);
    }
}

/* ---- invariants ---- */

static bool upgrade_invariants(const proto_state *s, const void *state, GString *why)
{
    const upgrade_state *st = state;
    if (st == NULL)
        return true; /* a chain without the module */
    bool ok = true;
    for (uint32_t id = 0; id < PROTO_MODULES_MAX; id++)
        if ((proto_state_module(s, id) != NULL) != (st->versions[id] > 0)) {
            g_string_append_printf(why, "%smodule %u has state and no version, or the reverse",
                                   ok ? "" : ", ", id);
            ok = false;
        }
    for (guint k = 0; k < st->plans->len; k++) {
        const proto_upgrade_plan *p = &g_array_index(st->plans, proto_upgrade_plan, k);
        bool sorted = k == 0 || plan_cmp(&g_array_index(st->plans, proto_upgrade_plan, k - 1), p) < 0;
        bool newer = p->module < PROTO_MODULES_MAX && p->version > st->versions[p->module];
        for (guint i = 0; newer && i < k; i++) {
            const proto_upgrade_plan *q = &g_array_index(st->plans, proto_upgrade_plan, i);
            newer = q->module != p->module || q->version < p->version;
        }
        if (!sorted || !newer) {
            g_string_append_printf(why, "%splan %u is out of order or not newer", ok ? "" : ", ",
                                   k);
            ok = false;
        }
    }
    return ok;
}

const proto_module proto_upgrade_module = {
    .name = "upgrade",
    .id = PROTO_UPGRADE_MODULE_ID,
    .version = 1,
    .copy = upgrade_copy,
    .free = upgrade_free,
    .root = upgrade_root,
    .begin_block = upgrade_begin_block,
    .end_block = upgrade_end_block,
    .invariants = upgrade_invariants,
};
