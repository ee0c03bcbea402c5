/* The registry module's messages (registry.h): each a read-only check
 * that judges everything (a block from a peer reaches the handler with
 * nothing checked, so the decoder's value rules are checked again), and
 * a deliver that charges gas, checks, and then applies what can no
 * longer fail. */
#include "protocol/chain/tx_envelope.h"
#include "protocol/chain/tx_exec.h"
#include "protocol/modules/registry/registry_internal.h"

/* ---- gas ---- */

/* Every message reads and writes the sender's agent record; a
 * registration also the module's bonded total (the bond comes in). The
 * bond leaves the sender's own account, which the ante handler already
 * read and wrote for this transaction (tx_exec.h), so it is not charged
 * again. A registration may find no record (a new agent: a miss costs
 * less); the charge is for the record a returning RETIRED agent has. */
uint64_t proto_registry_msg_gas(const proto_gas_schedule *gas, uint8_t type)
{
    uint64_t agent =
        proto_gas_read_write_cost(gas, PROTO_REGISTRY_KEY_SIZE, PROTO_REGISTRY_VALUE_SIZE);
    if (type != PROTO_TXMSG_AGENT_REGISTER)
        return agent;
    return proto_gas_add_sat(agent, proto_gas_read_write_cost(gas, PROTO_MODULE_TOTAL_KEY_SIZE,
                                                              PROTO_MODULE_TOTAL_VALUE_SIZE));
}

/* ---- shared checks ---- */

static const registry_state *state_of(const proto_state *s)
{
    const registry_state *st = proto_registry__get(s);
    g_assert(st != NULL); /* the router only routes to a module with state */
    return st;
}

static bool sender_is_account(const proto_state *s, const proto_msg_ctx *ctx)
{
    return ctx->sender != PROTO_ACCOUNT_NONE && ctx->sender < proto_state_account_count(s);
}

static bool key_nonzero(const proto_pubkey *k)
{
    for (size_t i = 0; i < PROTO_PUBKEY_SIZE; i++)
        if (k->bytes[i] != 0)
            return true;
    return false;
}

/* The decoder's rule (txmsg_market.c): a consumer offers nothing, a
 * provider offers capacity at a price. */
static bool terms_valid(const proto_txmsg *m)
{
    if (m->agent.capabilities == 0)
        return m->agent.capacity == 0 && m->agent.price == 0;
    return m->agent.capacity > 0 && m->agent.price > 0;
}

static bool capabilities_known(const registry_state *st, uint32_t mask)
{
    uint32_t n = st->params.capabilities_count;
    return n >= 32 || (mask >> n) == 0;
}

static bool listed_status(proto_agent_status s)
{
    return s == PROTO_AGENT_ACTIVE || s == PROTO_AGENT_SUSPENDED;
}

/* The sender's record for HEARTBEAT, UPDATE and DEREGISTER: it exists
 * and is ACTIVE or SUSPENDED. *out is set on OK. */
static uint32_t listed_sender(const proto_state *s, const proto_msg_ctx *ctx,
                              const proto_agent_record **out)
{
    if (!sender_is_account(s, ctx))
        return PROTO_REGISTRY_NO_ACCOUNT;
    const proto_agent_record *a = proto_registry_agent(s, ctx->sender);
    if (a == NULL)
        return PROTO_REGISTRY_NOT_REGISTERED;
    if (!listed_status(a->status))
        return PROTO_REGISTRY_NOT_LISTED;
    *out = a;
    return PROTO_REGISTRY_OK;
}

/* ---- AGENT_REGISTER ---- */

/* A new account, or a RETIRED record registering again (registry.h). */
static uint32_t check_register(const proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const proto_txmsg *m = msg;
    const registry_state *st = state_of(s);
    if (!terms_valid(m) || !key_nonzero(&m->agent.msg_key))
        return PROTO_REGISTRY_BAD_MESSAGE;
    if (!sender_is_account(s, ctx))
        return PROTO_REGISTRY_NO_ACCOUNT;
    const proto_agent_record *a = proto_registry_agent(s, ctx->sender);
    if (a != NULL && a->status != PROTO_AGENT_RETIRED)
        return PROTO_REGISTRY_ALREADY_REGISTERED;
    if (!capabilities_known(st, m->agent.capabilities))
        return PROTO_REGISTRY_UNKNOWN_CAPABILITY;
    if (m->agent.bond == 0 || m->agent.bond < st->params.min_bond)
        return PROTO_REGISTRY_BOND_BELOW_MIN;
    if (proto_state_account(s, ctx->sender)->balance < m->agent.bond)
        return PROTO_REGISTRY_NO_FUNDS;
    return PROTO_REGISTRY_OK;
}

static void apply_register(proto_state *s, const proto_msg_ctx *ctx, const proto_txmsg *m)
{
    registry_state *st = proto_registry__mut(s, ctx->undo);
    proto_agent_record *a = proto_registry__agent_mut(st, ctx->sender);
    proto_agent_status prev = PROTO_AGENT_NONE;
    if (a == NULL) {
        proto_agent_record fresh = {.account = ctx->sender, .next_job_seq = 1};
        a = proto_registry__insert(st, &fresh);
    } else {
        prev = a->status; /* RETIRED: seq, job sequence and history carry on */
    }
    a->status = PROTO_AGENT_ACTIVE;
    a->capabilities = m->agent.capabilities;
    a->capacity = m->agent.capacity;
    a->price = m->agent.price;
    a->msg_key = m->agent.msg_key;
    a->bond = m->agent.bond;
    a->registered_ns = ctx->time_ns;
    a->last_heartbeat_ns = ctx->time_ns;
    a->status_since_ns = ctx->time_ns;
    a->unlock_ns = 0;
    st->bonded += m->agent.bond;
    proto_state_account_mut(s, ctx->sender, ctx->undo)->balance -= m->agent.bond;
    proto_registry__report(ctx->events, a, prev, m->agent.bond);
}

/* ---- AGENT_HEARTBEAT ---- */

static uint32_t check_heartbeat(const proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const proto_txmsg *m = msg;
    (void)state_of(s);
    if (m->agent_seq.seq == 0)
        return PROTO_REGISTRY_BAD_MESSAGE;
    const proto_agent_record *a = NULL;
    uint32_t r = listed_sender(s, ctx, &a);
    if (r != PROTO_REGISTRY_OK)
        return r;
    if (m->agent_seq.seq <= a->seq)
        return PROTO_REGISTRY_STALE_SEQ;
    return PROTO_REGISTRY_OK;
}

static void apply_heartbeat(proto_state *s, const proto_msg_ctx *ctx, const proto_txmsg *m)
{
    proto_agent_record *a =
        proto_registry__agent_mut(proto_registry__mut(s, ctx->undo), ctx->sender);
    a->seq = m->agent_seq.seq;
    a->last_heartbeat_ns = ctx->time_ns;
    if (a->status == PROTO_AGENT_SUSPENDED)
        proto_registry__transition(ctx->events, a, PROTO_AGENT_ACTIVE, ctx->time_ns, 0);
}

/* ---- AGENT_UPDATE ---- */

static uint32_t check_update(const proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const proto_txmsg *m = msg;
    const registry_state *st = state_of(s);
    if (!terms_valid(m) || m->agent.bond != 0)
        return PROTO_REGISTRY_BAD_MESSAGE;
    const proto_agent_record *a = NULL;
    uint32_t r = listed_sender(s, ctx, &a);
    if (r != PROTO_REGISTRY_OK)
        return r;
    if (!capabilities_known(st, m->agent.capabilities))
        return PROTO_REGISTRY_UNKNOWN_CAPABILITY;
    if ((a->capabilities == 0) != (m->agent.capabilities == 0))
        return PROTO_REGISTRY_ROLE_CHANGE;
    return PROTO_REGISTRY_OK;
}

static void apply_update(proto_state *s, const proto_msg_ctx *ctx, const proto_txmsg *m)
{
    proto_agent_record *a =
        proto_registry__agent_mut(proto_registry__mut(s, ctx->undo), ctx->sender);
    a->capabilities = m->agent.capabilities;
    a->capacity = m->agent.capacity;
    a->price = m->agent.price;
}

/* ---- AGENT_DEREGISTER ---- */

static uint32_t check_deregister(const proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const proto_txmsg *m = msg;
    (void)state_of(s);
    if (m->agent_seq.seq == 0)
        return PROTO_REGISTRY_BAD_MESSAGE;
    const proto_agent_record *a = NULL;
    uint32_t r = listed_sender(s, ctx, &a);
    if (r != PROTO_REGISTRY_OK)
        return r;
    if (m->agent_seq.seq <= a->seq)
        return PROTO_REGISTRY_STALE_SEQ;
    if (a->jobs_open > 0)
        return PROTO_REGISTRY_HAS_OPEN_JOBS;
    return PROTO_REGISTRY_OK;
}

static void apply_deregister(proto_state *s, const proto_msg_ctx *ctx, const proto_txmsg *m)
{
    registry_state *st = proto_registry__mut(s, ctx->undo);
    proto_agent_record *a = proto_registry__agent_mut(st, ctx->sender);
    a->seq = m->agent_seq.seq;
    a->unlock_ns = ctx->time_ns + st->params.unbond_delay_ns;
    proto_registry__transition(ctx->events, a, PROTO_AGENT_DEREGISTERED, ctx->time_ns, 0);
}

/* ---- routes ---- */

typedef void (*apply_fn)(proto_state *s, const proto_msg_ctx *ctx, const proto_txmsg *m);

static const struct {
    proto_msg_check_fn check;
    apply_fn apply;
} handlers[] = {
    [PROTO_TXMSG_AGENT_REGISTER] = {check_register, apply_register},
    [PROTO_TXMSG_AGENT_HEARTBEAT] = {check_heartbeat, apply_heartbeat},
    [PROTO_TXMSG_AGENT_UPDATE] = {check_update, apply_update},
    [PROTO_TXMSG_AGENT_DEREGISTER] = {check_deregister, apply_deregister},
};

/* Gas first (running out changes nothing), then the check, then the
 * change. */
static uint32_t registry_deliver(proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const proto_txmsg *m = msg;
    g_assert(m->type < G_N_ELEMENTS(handlers) && handlers[m->type].check != NULL);
    if (ctx->gas_prices != NULL &&
        proto_gas_consume(ctx->gas, proto_registry_msg_gas(ctx->gas_prices, m->type)) !=
            PROTO_GAS_OK)
        return PROTO_REGISTRY_OUT_OF_GAS;
    uint32_t r = handlers[m->type].check(s, ctx, m);
    if (r != PROTO_REGISTRY_OK)
        return r;
    handlers[m->type].apply(s, ctx, m);
    return PROTO_REGISTRY_OK;
}

const proto_msg_route proto_registry__routes[PROTO_REGISTRY__ROUTES_COUNT] = {
    {PROTO_TXMSG_AGENT_REGISTER, "agent_register", check_register, registry_deliver},
    {PROTO_TXMSG_AGENT_HEARTBEAT, "agent_heartbeat", check_heartbeat, registry_deliver},
    {PROTO_TXMSG_AGENT_UPDATE, "agent_update", check_update, registry_deliver},
    {PROTO_TXMSG_AGENT_DEREGISTER, "agent_deregister", check_deregister, registry_deliver},
};
