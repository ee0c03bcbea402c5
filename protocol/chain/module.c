/* The module core's router, block hooks and invariants (module.h); the
 * slots and undo records live with the state they change (state.c).
 *
 * Routing is a scan of the set's route tables. A chain has a handful of
 * modules with a few message types each, and the transfer, by far the
 * most frequent, is the bank's first route: the scan is a few compares,
 * cheaper than any table that would have to be built and kept. */
#include "protocol/chain/module.h"

const char *proto_msg_status_name(proto_msg_status s)
{
    switch (s) {
    case PROTO_MSG_OK:
        return "ok";
    case PROTO_MSG_UNKNOWN_TYPE:
        return "unknown_type";
    case PROTO_MSG_NO_STATE:
        return "no_state";
    case PROTO_MSG_REFUSED:
        return "refused";
    case PROTO_MSG_STATUS_COUNT:
        break;
    }
    return "unknown";
}

const char *proto_msg_result_name(proto_msg_result r)
{
    if (r.status == PROTO_MSG_REFUSED && r.module != NULL && r.module->result_name != NULL)
        return r.module->result_name(r.code);
    return proto_msg_status_name(r.status);
}

static bool module_keeps_state(const proto_module *m)
{
    return m->copy != NULL;
}

/* One module's rules: a name, an id, all of the state functions or none,
 * a deliver function per route. */
static void module_check(const proto_module *m)
{
    g_assert(m != NULL && m->name != NULL && m->id > 0);
    bool stateful = module_keeps_state(m);
    g_assert((m->free != NULL) == stateful && (m->root != NULL) == stateful);
    g_assert(stateful || m->supply == NULL);
    g_assert(m->routes_count == 0 || m->routes != NULL);
    for (uint32_t r = 0; r < m->routes_count; r++)
        g_assert(m->routes[r].deliver != NULL && m->routes[r].name != NULL);
}

void proto_module_set_check(const proto_module_set *set)
{
    g_assert(set != NULL && set->count <= PROTO_MODULES_MAX);
    bool seen[256] = {false};
    for (uint32_t i = 0; i < set->count; i++) {
        const proto_module *m = set->modules[i];
        module_check(m);
        g_assert(i == 0 || set->modules[i - 1]->id < m->id); /* increasing ids */
        for (uint32_t r = 0; r < m->routes_count; r++) {
            g_assert(!seen[m->routes[r].type]); /* one module per message type */
            seen[m->routes[r].type] = true;
        }
    }
}

const proto_module *proto_module_set_find(const proto_module_set *set, uint32_t id)
{
    for (uint32_t i = 0; i < set->count; i++) {
        if (set->modules[i]->id == id)
            return set->modules[i];
    }
    return NULL;
}

static const proto_msg_route *route_find(const proto_module_set *set, uint8_t type,
                                         const proto_module **owner)
{
    for (uint32_t i = 0; i < set->count; i++) {
        const proto_module *m = set->modules[i];
        for (uint32_t r = 0; r < m->routes_count; r++) {
            if (m->routes[r].type == type) {
                *owner = m;
                return &m->routes[r];
            }
        }
    }
    *owner = NULL;
    return NULL;
}

static proto_msg_result count(const proto_msg_ctx *ctx, proto_msg_result r)
{
    if (ctx->stats != NULL) {
        if (r.status == PROTO_MSG_OK)
            ctx->stats->delivered++;
        else
            ctx->stats->refused[r.status]++;
    }
    return r;
}

/* The route for type, or a result saying why there is none. */
static const proto_msg_route *route_for(const proto_state *s, uint8_t type,
                                        proto_msg_result *res)
{
    const proto_module *m = NULL;
    const proto_msg_route *route = route_find(proto_state_modules(s), type, &m);
    *res = (proto_msg_result){.status = PROTO_MSG_OK, .module = m};
    if (route == NULL)
        res->status = PROTO_MSG_UNKNOWN_TYPE;
    else if (module_keeps_state(m) && proto_state_module(s, m->id) == NULL)
        res->status = PROTO_MSG_NO_STATE;
    return res->status == PROTO_MSG_OK ? route : NULL;
}

proto_msg_result proto_state_deliver(proto_state *s, const proto_msg_ctx *ctx, uint8_t type,
                                     const void *msg)
{
    g_assert(ctx->gas != NULL);
    proto_msg_result res;
    const proto_msg_route *route = route_for(s, type, &res);
    if (route == NULL)
        return count(ctx, res);
    res.code = route->deliver(s, ctx, msg);
    if (res.code != 0)
        res.status = PROTO_MSG_REFUSED;
    return count(ctx, res);
}

proto_msg_result proto_state_check_msg(const proto_state *s, const proto_msg_ctx *ctx,
                                       uint8_t type, const void *msg)
{
    proto_msg_result res;
    const proto_msg_route *route = route_for(s, type, &res);
    if (route == NULL || route->check == NULL)
        return res;
    res.code = route->check(s, ctx, msg);
    if (res.code != 0)
        res.status = PROTO_MSG_REFUSED;
    return res;
}

/* A hook runs for a stateless module always, for one that keeps state
 * only where it has some. */
static bool hook_applies(const proto_state *s, const proto_module *m)
{
    return !module_keeps_state(m) || proto_state_module(s, m->id) != NULL;
}

bool proto_state_begin_block(proto_state *s, const proto_msg_ctx *ctx)
{
    const proto_module_set *set = proto_state_modules(s);
    for (uint32_t i = 0; i < set->count; i++) {
        const proto_module *m = set->modules[i];
        if (m->begin_block != NULL && hook_applies(s, m) && !m->begin_block(s, ctx))
            return false;
    }
    return true;
}

bool proto_state_end_block(proto_state *s, const proto_msg_ctx *ctx)
{
    const proto_module_set *set = proto_state_modules(s);
    for (uint32_t i = 0; i < set->count; i++) {
        const proto_module *m = set->modules[i];
        if (m->end_block != NULL && hook_applies(s, m) && !m->end_block(s, ctx))
            return false;
    }
    return true;
}

bool proto_state_invariants(const proto_state *s, GString *why)
{
    const proto_module_set *set = proto_state_modules(s);
    bool ok = true;
    for (uint32_t i = 0; i < set->count; i++) {
        const proto_module *m = set->modules[i];
        if (m->invariants == NULL)
            continue;
        gsize start = why->len;
        if (!m->invariants(s, proto_state_module(s, m->id), why)) {
            g_autofree char *prefix = g_strdup_printf("%s%s: ", start > 0 ? "; " : "", m->name);
            g_string_insert(why, (gssize)start, prefix);
            ok = false;
        }
    }
    return ok;
}
