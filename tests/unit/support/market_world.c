/* The agent market tests' fake chain (market_world.h). */
#include "support/market_world.h"

#include <check.h>
#include <string.h>

#include "protocol/core/crypto.h"

void mw_init(market_world *w, uint32_t accounts, uint64_t balance,
             const proto_registry_params *params, uint32_t count,
             const proto_registry_genesis_agent *agents)
{
    proto_crypto_global_init();
    memset(w, 0, sizeof *w);
    w->s = proto_state_new();
    for (uint32_t i = 0; i < accounts; i++) {
        proto_pubkey pk;
        memset(&pk, 0, sizeof pk);
        pk.bytes[0] = (uint8_t)(i + 1);
        pk.bytes[1] = (uint8_t)((i + 1) >> 8);
        proto_state_add_account(w->s, &pk, balance);
    }
    proto_registry_genesis(w->s, params, count, agents, 0);
    w->events = g_array_new(FALSE, TRUE, sizeof(proto_event));
    w->supply = proto_state_total_supply(w->s);
    w->height = 1;
    w->time_ns = 1000;
}

void mw_jobs(market_world *w, const proto_jobs_params *params)
{
    proto_jobs_genesis(w->s, params);
    ck_assert_uint_eq(proto_state_total_supply(w->s), w->supply);
}

proto_registry_params mw_registry_params(void)
{
    proto_registry_params p = proto_registry_defaults();
    p.capabilities_count = 4;
    p.min_bond = 100;
    p.heartbeat_ns = MW_HB;
    p.suspend_after = 2;
    p.evict_after = 5;
    p.unbond_delay_ns = 3 * MW_HB;
    p.evict_slash_permille = 100;
    p.noshow_slash_permille = 50;
    return p;
}

proto_jobs_params mw_jobs_params(void)
{
    return (proto_jobs_params){.fee_permille = 20,
                               .accept_timeout_ns = 1000000,
                               .challenge_window_ns = 5000000,
                               .max_deadline_ms = 100};
}

static proto_registry_genesis_agent market_agent(uint32_t account, uint32_t caps, uint64_t bond)
{
    proto_registry_genesis_agent g = {.account = account,
                                      .capabilities = caps,
                                      .capacity = caps != 0 ? 2 : 0,
                                      .price = caps != 0 ? 10 : 0,
                                      .bond = bond};
    memset(g.msg_key.bytes, 0x11, PROTO_PUBKEY_SIZE);
    return g;
}

void mw_init_market_with(market_world *w, const proto_jobs_params *jp)
{
    proto_registry_params rp = mw_registry_params();
    const proto_registry_genesis_agent agents[] = {
        market_agent(0, 0x3, 1000), market_agent(1, 0x4, 500), market_agent(2, 0, 200),
        market_agent(3, 0, 200)};
    mw_init(w, 8, MW_BALANCE, &rp, G_N_ELEMENTS(agents), agents);
    mw_jobs(w, jp);
}

void mw_init_market(market_world *w)
{
    proto_jobs_params jp = mw_jobs_params();
    mw_init_market_with(w, &jp);
}

void mw_clear(market_world *w)
{
    proto_state_free(w->s);
    g_array_unref(w->events);
}

static proto_msg_ctx ctx_of(market_world *w, proto_gas_meter *gas, uint32_t sender,
                            proto_undo *undo)
{
    proto_gas_meter_init(gas, UINT64_MAX);
    return (proto_msg_ctx){.undo = undo,
                           .gas = gas,
                           .sender = sender,
                           .chain_id = 42,
                           .height = w->height,
                           .time_ns = w->time_ns,
                           .stats = &w->stats,
                           .events = w->events};
}

uint32_t mw_send(market_world *w, uint32_t sender, const proto_txmsg *m, proto_undo *undo)
{
    proto_gas_meter gas;
    proto_msg_ctx ctx = ctx_of(w, &gas, sender, undo);
    proto_msg_result r = proto_state_deliver(w->s, &ctx, m->type, m);
    ck_assert_msg(r.status == PROTO_MSG_OK || r.status == PROTO_MSG_REFUSED, "status %s",
                  proto_msg_status_name(r.status));
    return r.code;
}

void mw_refused(market_world *w, uint32_t sender, const proto_txmsg *m, uint32_t code)
{
    proto_hash before, after;
    mw_root(w, &before);
    guint events = w->events->len;
    proto_undo undo;
    proto_undo_init(&undo);
    proto_gas_meter gas;
    proto_msg_ctx ctx = ctx_of(w, &gas, sender, &undo);
    proto_msg_result r = proto_state_deliver(w->s, &ctx, m->type, m);
    ck_assert_int_eq(r.status, PROTO_MSG_REFUSED);
    proto_msg_result want = r;
    want.code = code;
    ck_assert_msg(r.code == code, "%s: got %s want %s", proto_txmsg_type_name(m->type),
                  proto_msg_result_name(r), proto_msg_result_name(want));
    ck_assert_uint_eq(proto_undo_records_count(&undo), 0);
    ck_assert_uint_eq(undo.entries->len, 0);
    proto_undo_clear(&undo);
    ck_assert_uint_eq(w->events->len, events);
    mw_root(w, &after);
    ck_assert_mem_eq(before.bytes, after.bytes, PROTO_HASH_SIZE);
}

void mw_end_block(market_world *w, proto_undo *undo)
{
    proto_gas_meter gas;
    proto_msg_ctx ctx = ctx_of(w, &gas, PROTO_ACCOUNT_NONE, undo);
    ck_assert(proto_state_end_block(w->s, &ctx));
}

void mw_next(market_world *w, int64_t dt_ns)
{
    w->height++;
    w->time_ns += dt_ns;
}

static proto_txmsg msg_of(uint8_t type)
{
    proto_txmsg m;
    memset(&m, 0, sizeof m);
    m.type = type;
    return m;
}

proto_txmsg mw_register(uint32_t capabilities, uint32_t capacity, uint64_t price, uint64_t bond)
{
    proto_txmsg m = mw_update(capabilities, capacity, price);
    m.type = PROTO_TXMSG_AGENT_REGISTER;
    m.agent.bond = bond;
    memset(m.agent.msg_key.bytes, 0x5a, PROTO_PUBKEY_SIZE);
    return m;
}

proto_txmsg mw_update(uint32_t capabilities, uint32_t capacity, uint64_t price)
{
    proto_txmsg m = msg_of(PROTO_TXMSG_AGENT_UPDATE);
    m.agent.capabilities = capabilities;
    m.agent.capacity = capacity;
    m.agent.price = price;
    return m;
}

proto_txmsg mw_heartbeat(uint64_t seq)
{
    proto_txmsg m = msg_of(PROTO_TXMSG_AGENT_HEARTBEAT);
    m.agent_seq.seq = seq;
    return m;
}

proto_txmsg mw_deregister(uint64_t seq)
{
    proto_txmsg m = mw_heartbeat(seq);
    m.type = PROTO_TXMSG_AGENT_DEREGISTER;
    return m;
}

proto_txmsg mw_post(uint32_t consumer, uint32_t seq, uint32_t provider, uint32_t capability,
                    uint64_t payment, uint32_t deadline_ms)
{
    proto_txmsg m = msg_of(PROTO_TXMSG_JOB_POST);
    m.job_post.job = PROTO_JOB_ID(consumer, seq);
    m.job_post.provider = provider;
    m.job_post.capability = capability;
    m.job_post.payment = payment;
    m.job_post.deadline_ms = deadline_ms;
    memset(m.job_post.input_hash.bytes, 0x33, PROTO_HASH_SIZE);
    return m;
}

proto_txmsg mw_job(uint8_t type, uint64_t job)
{
    proto_txmsg m = msg_of(type);
    m.job.job = job;
    return m;
}

proto_txmsg mw_result(uint64_t job)
{
    proto_txmsg m = msg_of(PROTO_TXMSG_JOB_RESULT);
    m.job_result.job = job;
    memset(m.job_result.result_hash.bytes, 0x44, PROTO_HASH_SIZE);
    return m;
}

proto_txmsg mw_confirm(uint64_t job, uint8_t score)
{
    proto_txmsg m = msg_of(PROTO_TXMSG_JOB_CONFIRM);
    m.job_confirm.job = job;
    m.job_confirm.score = score;
    return m;
}

void mw_root(market_world *w, proto_hash *out)
{
    proto_state_root(w->s, out);
}

void mw_check(market_world *w, const char *where)
{
    GString *why = g_string_new(NULL);
    bool ok = proto_state_invariants(w->s, why);
    ck_assert_msg(ok, "%s: %s", where, why->str);
    g_string_free(why, TRUE);
    ck_assert_msg(proto_state_total_supply(w->s) == w->supply, "%s: supply %" G_GUINT64_FORMAT
                  " want %" G_GUINT64_FORMAT, where, proto_state_total_supply(w->s), w->supply);
}

uint64_t mw_balance(const market_world *w, uint32_t account)
{
    return proto_state_account(w->s, account)->balance;
}

const proto_event *mw_event(const market_world *w, guint i)
{
    ck_assert_uint_lt(i, w->events->len);
    return &g_array_index(w->events, proto_event, i);
}
