/* Unit tests for the registry module (protocol/modules/registry/
 * registry.h) on a fake chain (support/market_world.h): genesis, each
 * message's happy path with exact balances and bonds, each refusal by
 * name with the state root unchanged, the liveness lifecycle (heartbeats
 * keep an agent ACTIVE, silence suspends and then evicts with the slash,
 * a heartbeat lists a suspended agent again, a bond comes back after the
 * unbond delay, and not while jobs are open), registering again from
 * RETIRED, the keeper functions the jobs module calls, gas, undo of a
 * whole block, and the events in order. Conservation is checked after
 * every step that moves tokens.
 *
 * The world: accounts 0..7 with BALANCE each; genesis agents 0 (a
 * provider of capabilities 0 and 1, bond 1000), 1 (a provider of
 * capability 2, bond 500) and 2 (a consumer, bond 200); the chain knows
 * 4 capabilities. */
#include <check.h>
#include <glib.h>
#include <string.h>

#include "protocol/chain/tx_exec.h"
#include "support/market_world.h"

#define BALANCE 10000
#define HB 1000000LL /* the heartbeat period, ns */
#define OK 0u

static proto_registry_params test_params(void)
{
    proto_registry_params p = proto_registry_defaults();
    p.capabilities_count = 4;
    p.min_bond = 100;
    p.heartbeat_ns = HB;
    p.suspend_after = 2;
    p.evict_after = 5;
    p.unbond_delay_ns = 3 * HB;
    p.evict_slash_permille = 100;
    p.noshow_slash_permille = 50;
    return p;
}

static proto_registry_genesis_agent gen_agent(uint32_t account, uint32_t caps, uint64_t bond)
{
    proto_registry_genesis_agent g = {.account = account,
                                      .capabilities = caps,
                                      .capacity = caps != 0 ? 2 : 0,
                                      .price = caps != 0 ? 10 : 0,
                                      .bond = bond};
    memset(g.msg_key.bytes, 0x11, PROTO_PUBKEY_SIZE);
    return g;
}

static void world_init(market_world *w)
{
    proto_registry_params p = test_params();
    /* Out of order on purpose: the module sorts them. */
    const proto_registry_genesis_agent agents[] = {gen_agent(2, 0, 200), gen_agent(0, 0x3, 1000),
                                                   gen_agent(1, 0x4, 500)};
    mw_init(w, 8, BALANCE, &p, 3, agents);
}

static const proto_agent_record *agent(const market_world *w, uint32_t account)
{
    const proto_agent_record *a = proto_registry_agent(w->s, account);
    ck_assert_ptr_nonnull(a);
    return a;
}

/* The next heartbeat of `account` (seq one above its record's). */
static void beat(market_world *w, uint32_t account)
{
    proto_txmsg m = mw_heartbeat(agent(w, account)->seq + 1);
    ck_assert_uint_eq(mw_send(w, account, &m, NULL), OK);
}

/* The last event is an AGENT_STATUS of account from prev to status. */
static void last_status(const market_world *w, uint32_t account, proto_agent_status prev,
                        proto_agent_status status, uint64_t amount)
{
    const proto_event *ev = mw_event(w, w->events->len - 1);
    ck_assert_int_eq(ev->kind, PROTO_EV_AGENT_STATUS);
    ck_assert_uint_eq(ev->account, account);
    ck_assert_str_eq(proto_agent_status_name(ev->prev_status), proto_agent_status_name(prev));
    ck_assert_str_eq(proto_agent_status_name(ev->status), proto_agent_status_name(status));
    ck_assert_uint_eq(ev->amount, amount);
}

START_TEST(test_genesis_and_names)
{
    market_world w;
    world_init(&w);
    ck_assert_uint_eq(proto_registry_count(w.s), 3);
    for (uint32_t k = 0; k < 3; k++) {
        const proto_agent_record *a = proto_registry_at(w.s, k);
        ck_assert_uint_eq(a->account, k);
        ck_assert_int_eq(a->status, PROTO_AGENT_ACTIVE);
        ck_assert_uint_eq(a->next_job_seq, 1);
        ck_assert_uint_eq(a->reputation, 0);
    }
    ck_assert_uint_eq(proto_registry_bonded(w.s), 1700);
    ck_assert_uint_eq(proto_registry_active_count(w.s), 3);
    ck_assert_uint_eq(w.supply, 8 * BALANCE + 1700); /* created, not taken */
    ck_assert_uint_eq(mw_balance(&w, 0), BALANCE);
    ck_assert_ptr_null(proto_registry_agent(w.s, 3));
    mw_check(&w, "genesis");
    for (int a = 0; a < PROTO_REGISTRY_RESULT_COUNT; a++) {
        ck_assert_str_ne(proto_registry_result_name(a), "unknown");
        for (int b = a + 1; b < PROTO_REGISTRY_RESULT_COUNT; b++)
            ck_assert_str_ne(proto_registry_result_name(a), proto_registry_result_name(b));
    }
    ck_assert_str_eq(proto_registry_result_name(PROTO_REGISTRY_RESULT_COUNT), "unknown");
    ck_assert_str_eq(proto_agent_status_name(PROTO_AGENT_SUSPENDED), "suspended");
    ck_assert_str_eq(proto_agent_status_name(PROTO_AGENT_STATUS_COUNT), "unknown");
    ck_assert(proto_registry_params_valid(&(proto_registry_params){test_params().capabilities_count,
                                                                   100, HB, 2, 5, 0, 0, 0, 0, 0}));
    proto_registry_params bad = test_params();
    bad.evict_after = bad.suspend_after;
    ck_assert(!proto_registry_params_valid(&bad));
    mw_clear(&w);
}
END_TEST

START_TEST(test_register)
{
    market_world w;
    world_init(&w);
    proto_txmsg m = mw_register(0x8, 3, 25, 300);
    ck_assert_uint_eq(mw_send(&w, 3, &m, NULL), OK);
    const proto_agent_record *a = agent(&w, 3);
    ck_assert_int_eq(a->status, PROTO_AGENT_ACTIVE);
    ck_assert_uint_eq(a->capabilities, 0x8);
    ck_assert_uint_eq(a->capacity, 3);
    ck_assert_uint_eq(a->price, 25);
    ck_assert_uint_eq(a->bond, 300);
    ck_assert_uint_eq(a->msg_key.bytes[0], 0x5a);
    ck_assert_int_eq(a->registered_ns, w.time_ns);
    ck_assert_int_eq(a->last_heartbeat_ns, w.time_ns);
    ck_assert_uint_eq(mw_balance(&w, 3), BALANCE - 300);
    ck_assert_uint_eq(proto_registry_bonded(w.s), 2000);
    ck_assert_uint_eq(proto_registry_count(w.s), 4);
    last_status(&w, 3, PROTO_AGENT_NONE, PROTO_AGENT_ACTIVE, 300);
    /* A consumer. */
    m = mw_register(0, 0, 0, 100);
    ck_assert_uint_eq(mw_send(&w, 7, &m, NULL), OK);
    ck_assert_uint_eq(agent(&w, 7)->capabilities, 0);
    ck_assert_uint_eq(w.stats.delivered, 2);
    mw_check(&w, "register");
    mw_clear(&w);
}
END_TEST

START_TEST(test_register_refusals)
{
    market_world w;
    world_init(&w);
    proto_txmsg m = mw_register(0x1, 1, 5, 0); /* no bond */
    mw_refused(&w, 3, &m, PROTO_REGISTRY_BOND_BELOW_MIN);
    m = mw_register(0x1, 1, 5, 99);
    mw_refused(&w, 3, &m, PROTO_REGISTRY_BOND_BELOW_MIN);
    m = mw_register(0x10, 1, 5, 100); /* bit 4 of a chain of 4 */
    mw_refused(&w, 3, &m, PROTO_REGISTRY_UNKNOWN_CAPABILITY);
    m = mw_register(0x1, 1, 5, BALANCE + 1);
    mw_refused(&w, 3, &m, PROTO_REGISTRY_NO_FUNDS);
    m = mw_register(0x1, 1, 5, 100);
    mw_refused(&w, 0, &m, PROTO_REGISTRY_ALREADY_REGISTERED); /* twice */
    mw_refused(&w, PROTO_ACCOUNT_NONE, &m, PROTO_REGISTRY_NO_ACCOUNT);
    mw_refused(&w, 8, &m, PROTO_REGISTRY_NO_ACCOUNT);
    m = mw_register(0x1, 0, 5, 100); /* a provider without capacity */
    mw_refused(&w, 3, &m, PROTO_REGISTRY_BAD_MESSAGE);
    m = mw_register(0, 0, 5, 100); /* a consumer with a price */
    mw_refused(&w, 3, &m, PROTO_REGISTRY_BAD_MESSAGE);
    m = mw_register(0x1, 1, 5, 100);
    memset(m.agent.msg_key.bytes, 0, PROTO_PUBKEY_SIZE);
    mw_refused(&w, 3, &m, PROTO_REGISTRY_BAD_MESSAGE);
    ck_assert_uint_eq(w.stats.refused[PROTO_MSG_REFUSED], 10);
    ck_assert_uint_eq(w.stats.delivered, 0);
    mw_clear(&w);
}
END_TEST

START_TEST(test_heartbeats_keep_active)
{
    market_world w;
    world_init(&w);
    for (int period = 0; period < 12; period++) {
        mw_next(&w, HB);
        for (uint32_t a = 0; a < 3; a++)
            beat(&w, a);
        mw_end_block(&w, NULL);
        ck_assert_uint_eq(proto_registry_active_count(w.s), 3);
    }
    ck_assert_uint_eq(agent(&w, 1)->seq, 12);
    ck_assert_int_eq(agent(&w, 1)->last_heartbeat_ns, w.time_ns);
    ck_assert_uint_eq(w.events->len, 0); /* heartbeats of ACTIVE agents change no status */
    proto_txmsg m = mw_heartbeat(12);
    mw_refused(&w, 1, &m, PROTO_REGISTRY_STALE_SEQ);
    m = mw_heartbeat(3);
    mw_refused(&w, 1, &m, PROTO_REGISTRY_STALE_SEQ);
    m = mw_heartbeat(0);
    mw_refused(&w, 1, &m, PROTO_REGISTRY_BAD_MESSAGE);
    m = mw_heartbeat(1);
    mw_refused(&w, 5, &m, PROTO_REGISTRY_NOT_REGISTERED);
    m = mw_heartbeat(20); /* sequences may skip */
    ck_assert_uint_eq(mw_send(&w, 1, &m, NULL), OK);
    ck_assert_uint_eq(agent(&w, 1)->seq, 20);
    mw_check(&w, "heartbeats");
    mw_clear(&w);
}
END_TEST

/* Agents 0 and 2 beat, then the block ends. */
static void others_beat_and_end(market_world *w)
{
    beat(w, 0);
    beat(w, 2);
    mw_end_block(w, NULL);
}

/* Agent 1 falls silent from genesis (time 0); 0 and 2 keep beating. */
START_TEST(test_silence_suspends_then_evicts)
{
    market_world w;
    world_init(&w);
    uint64_t burned0 = proto_state_burned(w.s);
    mw_next(&w, 2 * HB - 1 - w.time_ns); /* silent 2 HB - 1: not yet */
    others_beat_and_end(&w);
    ck_assert_int_eq(agent(&w, 1)->status, PROTO_AGENT_ACTIVE);
    mw_next(&w, 1);
    others_beat_and_end(&w);
    ck_assert_int_eq(agent(&w, 1)->status, PROTO_AGENT_SUSPENDED);
    ck_assert_int_eq(agent(&w, 1)->status_since_ns, 2 * HB);
    last_status(&w, 1, PROTO_AGENT_ACTIVE, PROTO_AGENT_SUSPENDED, 0);
    ck_assert_uint_eq(proto_registry_active_count(w.s), 2);
    ck_assert_uint_eq(proto_registry_bonded(w.s), 1700);
    for (int k = 0; k < 2; k++) {
        mw_next(&w, HB);
        others_beat_and_end(&w);
        ck_assert_int_eq(agent(&w, 1)->status, PROTO_AGENT_SUSPENDED);
    }
    mw_next(&w, HB - 1);
    ck_assert_int_eq(w.time_ns, 5 * HB - 1);
    others_beat_and_end(&w);
    ck_assert_int_eq(agent(&w, 1)->status, PROTO_AGENT_SUSPENDED);
    mw_next(&w, 1); /* silent 5 periods: evicted, 10% of 500 burned */
    others_beat_and_end(&w);
    const proto_agent_record *a = agent(&w, 1);
    ck_assert_int_eq(a->status, PROTO_AGENT_EVICTED);
    ck_assert_uint_eq(a->bond, 450);
    ck_assert_uint_eq(a->slashed, 50);
    ck_assert_int_eq(a->unlock_ns, 8 * HB);
    ck_assert_uint_eq(proto_state_burned(w.s), burned0 + 50);
    ck_assert_uint_eq(proto_registry_bonded(w.s), 1650);
    last_status(&w, 1, PROTO_AGENT_SUSPENDED, PROTO_AGENT_EVICTED, 50);
    mw_check(&w, "evicted");
    proto_txmsg m = mw_heartbeat(1);
    mw_refused(&w, 1, &m, PROTO_REGISTRY_NOT_LISTED);
    m = mw_update(0x4, 1, 1);
    mw_refused(&w, 1, &m, PROTO_REGISTRY_NOT_LISTED);
    m = mw_register(0x4, 1, 1, 100);
    mw_refused(&w, 1, &m, PROTO_REGISTRY_ALREADY_REGISTERED);
    /* The rest of the bond comes back at the unlock time. */
    mw_next(&w, 3 * HB - 1);
    others_beat_and_end(&w);
    ck_assert_int_eq(agent(&w, 1)->status, PROTO_AGENT_EVICTED);
    mw_next(&w, 1);
    others_beat_and_end(&w);
    ck_assert_int_eq(agent(&w, 1)->status, PROTO_AGENT_RETIRED);
    ck_assert_uint_eq(agent(&w, 1)->bond, 0);
    ck_assert_uint_eq(mw_balance(&w, 1), BALANCE + 450);
    last_status(&w, 1, PROTO_AGENT_EVICTED, PROTO_AGENT_RETIRED, 450);
    mw_check(&w, "retired");
    mw_clear(&w);
}
END_TEST

START_TEST(test_heartbeat_reactivates)
{
    market_world w;
    world_init(&w);
    mw_next(&w, 3 * HB - w.time_ns);
    mw_end_block(&w, NULL);
    ck_assert_uint_eq(proto_registry_active_count(w.s), 0);
    ck_assert_uint_eq(w.events->len, 3); /* in account order */
    for (uint32_t k = 0; k < 3; k++)
        ck_assert_uint_eq(mw_event(&w, k)->account, k);
    beat(&w, 1);
    last_status(&w, 1, PROTO_AGENT_SUSPENDED, PROTO_AGENT_ACTIVE, 0);
    ck_assert_int_eq(agent(&w, 1)->status_since_ns, 3 * HB);
    mw_end_block(&w, NULL);
    ck_assert_int_eq(agent(&w, 1)->status, PROTO_AGENT_ACTIVE);
    /* Counted from the new heartbeat. */
    mw_next(&w, 2 * HB - 1);
    mw_end_block(&w, NULL);
    ck_assert_int_eq(agent(&w, 1)->status, PROTO_AGENT_ACTIVE);
    mw_next(&w, 1);
    mw_end_block(&w, NULL);
    ck_assert_int_eq(agent(&w, 1)->status, PROTO_AGENT_SUSPENDED);
    /* A suspended agent may still update its terms. */
    proto_txmsg m = mw_update(0x6, 4, 12);
    ck_assert_uint_eq(mw_send(&w, 1, &m, NULL), OK);
    ck_assert_uint_eq(agent(&w, 1)->capabilities, 0x6);
    mw_check(&w, "reactivated");
    mw_clear(&w);
}
END_TEST

/* One block far after genesis takes an agent all the way. */
START_TEST(test_long_gap_takes_every_step)
{
    proto_registry_params p = test_params();
    p.unbond_delay_ns = 0;
    const proto_registry_genesis_agent agents[] = {gen_agent(4, 0x1, 400)};
    market_world w;
    mw_init(&w, 8, BALANCE, &p, 1, agents);
    mw_next(&w, 100 * HB);
    mw_end_block(&w, NULL);
    ck_assert_uint_eq(w.events->len, 3);
    ck_assert_int_eq(mw_event(&w, 0)->status, PROTO_AGENT_SUSPENDED);
    ck_assert_int_eq(mw_event(&w, 1)->status, PROTO_AGENT_EVICTED);
    ck_assert_uint_eq(mw_event(&w, 1)->amount, 40);
    ck_assert_int_eq(mw_event(&w, 2)->status, PROTO_AGENT_RETIRED);
    ck_assert_uint_eq(mw_balance(&w, 4), BALANCE + 360);
    mw_check(&w, "gap");
    mw_clear(&w);
}
END_TEST

START_TEST(test_deregister_and_bond_back)
{
    market_world w;
    world_init(&w);
    proto_registry_jobs_open_add(w.s, NULL, 0, 1); /* as the jobs module would */
    proto_txmsg m = mw_deregister(1);
    mw_refused(&w, 0, &m, PROTO_REGISTRY_HAS_OPEN_JOBS);
    proto_registry_jobs_open_add(w.s, NULL, 0, -1);
    beat(&w, 0);
    mw_refused(&w, 0, &m, PROTO_REGISTRY_STALE_SEQ); /* seq 1 was the heartbeat's */
    m = mw_deregister(0);
    mw_refused(&w, 0, &m, PROTO_REGISTRY_BAD_MESSAGE);
    m = mw_deregister(2);
    mw_refused(&w, 6, &m, PROTO_REGISTRY_NOT_REGISTERED);
    ck_assert_uint_eq(mw_send(&w, 0, &m, NULL), OK);
    ck_assert_int_eq(agent(&w, 0)->status, PROTO_AGENT_DEREGISTERED);
    ck_assert_int_eq(agent(&w, 0)->unlock_ns, w.time_ns + 3 * HB);
    last_status(&w, 0, PROTO_AGENT_ACTIVE, PROTO_AGENT_DEREGISTERED, 0);
    m = mw_deregister(3);
    mw_refused(&w, 0, &m, PROTO_REGISTRY_NOT_LISTED);
    int64_t unlock = agent(&w, 0)->unlock_ns;
    mw_next(&w, unlock - 1 - w.time_ns);
    mw_end_block(&w, NULL);
    ck_assert_int_eq(agent(&w, 0)->status, PROTO_AGENT_DEREGISTERED);
    ck_assert_uint_eq(mw_balance(&w, 0), BALANCE);
    mw_next(&w, 1);
    mw_end_block(&w, NULL);
    ck_assert_int_eq(agent(&w, 0)->status, PROTO_AGENT_RETIRED);
    ck_assert_uint_eq(mw_balance(&w, 0), BALANCE + 1000); /* a genesis bond: created */
    ck_assert_uint_eq(proto_registry_bonded(w.s), 700);
    mw_check(&w, "bond back");
    /* Registering again continues the record: seq, job sequence, history. */
    proto_registry_count_outcome(w.s, NULL, 0, true);
    ck_assert(proto_registry_take_job_seq(w.s, NULL, 0, 4));
    m = mw_register(0, 0, 0, 150); /* as a consumer this time */
    ck_assert_uint_eq(mw_send(&w, 0, &m, NULL), OK);
    const proto_agent_record *a = agent(&w, 0);
    ck_assert_int_eq(a->status, PROTO_AGENT_ACTIVE);
    ck_assert_uint_eq(a->seq, 2);
    ck_assert_uint_eq(a->next_job_seq, 5);
    ck_assert_uint_eq(a->jobs_done, 1);
    ck_assert_uint_eq(a->bond, 150);
    last_status(&w, 0, PROTO_AGENT_RETIRED, PROTO_AGENT_ACTIVE, 150);
    mw_check(&w, "again");
    mw_clear(&w);
}
END_TEST

/* An evicted provider's bond stays while it has open jobs. */
START_TEST(test_open_jobs_hold_the_bond)
{
    market_world w;
    world_init(&w);
    proto_registry_jobs_open_add(w.s, NULL, 1, 2);
    mw_next(&w, 20 * HB);
    mw_end_block(&w, NULL);
    ck_assert_int_eq(agent(&w, 1)->status, PROTO_AGENT_EVICTED);
    ck_assert_uint_eq(agent(&w, 1)->bond, 450);
    ck_assert_uint_eq(proto_registry_slash(w.s, NULL, 1, 50), 22); /* a no-show: 5% of 450 */
    proto_registry_jobs_open_add(w.s, NULL, 1, -2);
    ck_assert_int_eq(agent(&w, 1)->status, PROTO_AGENT_EVICTED);
    mw_next(&w, 3 * HB);
    mw_end_block(&w, NULL);
    ck_assert_int_eq(agent(&w, 1)->status, PROTO_AGENT_RETIRED);
    ck_assert_uint_eq(mw_balance(&w, 1), BALANCE + 428);
    ck_assert_uint_eq(agent(&w, 1)->slashed, 72);
    mw_check(&w, "held");
    mw_clear(&w);
}
END_TEST

START_TEST(test_update)
{
    market_world w;
    world_init(&w);
    proto_txmsg m = mw_update(0x9, 5, 40);
    ck_assert_uint_eq(mw_send(&w, 0, &m, NULL), OK);
    ck_assert_uint_eq(agent(&w, 0)->capabilities, 0x9);
    ck_assert_uint_eq(agent(&w, 0)->capacity, 5);
    ck_assert_uint_eq(agent(&w, 0)->price, 40);
    ck_assert_uint_eq(agent(&w, 0)->bond, 1000);
    m = mw_update(0, 0, 0);
    mw_refused(&w, 0, &m, PROTO_REGISTRY_ROLE_CHANGE);
    m = mw_update(0x1, 1, 1);
    mw_refused(&w, 2, &m, PROTO_REGISTRY_ROLE_CHANGE);
    m = mw_update(0x20, 1, 1);
    mw_refused(&w, 0, &m, PROTO_REGISTRY_UNKNOWN_CAPABILITY);
    m = mw_update(0x1, 1, 1);
    m.agent.bond = 5;
    mw_refused(&w, 0, &m, PROTO_REGISTRY_BAD_MESSAGE);
    m.agent.bond = 0;
    mw_refused(&w, 4, &m, PROTO_REGISTRY_NOT_REGISTERED);
    mw_check(&w, "update");
    mw_clear(&w);
}
END_TEST

static void ck_root_eq(const proto_hash *a, const proto_hash *b)
{
    ck_assert_mem_eq(a->bytes, b->bytes, PROTO_HASH_SIZE);
}

START_TEST(test_keeper)
{
    market_world w;
    world_init(&w);
    proto_hash before, after;
    mw_root(&w, &before);
    proto_undo undo;
    proto_undo_init(&undo);
    ck_assert(proto_registry_take_job_seq(w.s, &undo, 2, 1));
    ck_assert(!proto_registry_take_job_seq(w.s, &undo, 2, 1));
    ck_assert(proto_registry_take_job_seq(w.s, &undo, 2, 5));
    ck_assert(!proto_registry_take_job_seq(w.s, &undo, 2, 3));
    ck_assert(!proto_registry_take_job_seq(w.s, &undo, 6, 1)); /* no record */
    ck_assert_uint_eq(agent(&w, 2)->next_job_seq, 6);
    proto_registry_count_outcome(w.s, &undo, 0, true);
    proto_registry_count_outcome(w.s, &undo, 0, false);
    ck_assert_uint_eq(agent(&w, 0)->jobs_done, 1);
    ck_assert_uint_eq(agent(&w, 0)->jobs_failed, 1);
    uint64_t burned = proto_state_burned(w.s);
    ck_assert_uint_eq(proto_registry_slash(w.s, &undo, 0, 33), 33);
    ck_assert_uint_eq(proto_registry_slash(w.s, &undo, 6, 33), 0);
    ck_assert_uint_eq(proto_state_burned(w.s), burned + 33);
    ck_assert_uint_eq(agent(&w, 0)->bond, 967);
    proto_registry_feedback(w.s, &undo, 2, 1, 90);
    proto_registry_feedback(w.s, &undo, 2, 0, 50);
    proto_registry_feedback(w.s, &undo, 2, 0, 49);
    proto_registry_feedback(w.s, &undo, 0, 1, 0);
    ck_assert_uint_eq(proto_registry_feedback_count(w.s), 3);
    ck_assert_uint_eq(proto_registry_feedback_at(w.s, 0)->rater, 0); /* (0,1), (2,0), (2,1) */
    ck_assert_uint_eq(proto_registry_feedback_at(w.s, 1)->ratee, 0);
    const proto_registry_feedback_rec *f = proto_registry_feedback_get(w.s, 2, 0);
    ck_assert_uint_eq(f->count_positive, 1);
    ck_assert_uint_eq(f->count_negative, 1);
    ck_assert_uint_eq(f->score_sum, 99);
    ck_assert_ptr_null(proto_registry_feedback_get(w.s, 1, 2));
    proto_registry_set_reputation(w.s, &undo, 1, PROTO_REGISTRY_TRUST_ONE / 3);
    ck_assert_uint_eq(agent(&w, 1)->reputation, 333333333);
    mw_check(&w, "keeper");
    mw_root(&w, &after);
    ck_assert_mem_ne(before.bytes, after.bytes, PROTO_HASH_SIZE);
    proto_state_revert(w.s, &undo);
    proto_undo_clear(&undo);
    mw_root(&w, &after);
    ck_root_eq(&before, &after);
    ck_assert_uint_eq(proto_registry_feedback_count(w.s), 0);
    mw_clear(&w);
}
END_TEST

/* Messages and end blocks under one undo log, reverted: the exact root. */
START_TEST(test_undo_block)
{
    market_world w;
    world_init(&w);
    mw_next(&w, 3 * HB);
    proto_hash before, after;
    mw_root(&w, &before);
    proto_undo undo;
    proto_undo_init(&undo);
    proto_txmsg m = mw_register(0x2, 1, 3, 400);
    ck_assert_uint_eq(mw_send(&w, 5, &m, &undo), OK);
    m = mw_heartbeat(1);
    ck_assert_uint_eq(mw_send(&w, 2, &m, &undo), OK);
    m = mw_deregister(9);
    ck_assert_uint_eq(mw_send(&w, 1, &m, &undo), OK);
    mw_end_block(&w, &undo); /* 0 suspended */
    ck_assert_int_eq(agent(&w, 0)->status, PROTO_AGENT_SUSPENDED);
    mw_next(&w, 10 * HB);
    mw_end_block(&w, &undo); /* 0 evicted, 1 retired, ... */
    ck_assert_int_eq(agent(&w, 1)->status, PROTO_AGENT_RETIRED);
    mw_check(&w, "block");
    proto_state_revert(w.s, &undo);
    proto_undo_clear(&undo);
    mw_root(&w, &after);
    ck_root_eq(&before, &after);
    ck_assert_ptr_null(proto_registry_agent(w.s, 5));
    ck_assert_uint_eq(mw_balance(&w, 5), BALANCE);
    mw_check(&w, "reverted");
    mw_clear(&w);
}
END_TEST

START_TEST(test_gas)
{
    market_world w;
    world_init(&w);
    proto_gas_schedule prices = proto_gas_schedule_default();
    uint64_t need = proto_registry_msg_gas(&prices, PROTO_TXMSG_AGENT_REGISTER);
    /* The agent record as a heartbeat, and the bonded total; the bond's
     * account is the sender's, which the ante handler charges. */
    ck_assert_uint_eq(need, proto_registry_msg_gas(&prices, PROTO_TXMSG_AGENT_HEARTBEAT) +
                                proto_gas_read_write_cost(&prices, PROTO_MODULE_TOTAL_KEY_SIZE,
                                                          PROTO_MODULE_TOTAL_VALUE_SIZE));
    ck_assert_uint_gt(need, 0);
    proto_txmsg m = mw_register(0x1, 1, 1, 100);
    proto_hash before, after;
    mw_root(&w, &before);
    proto_gas_meter gas;
    proto_gas_meter_init(&gas, need - 1);
    proto_msg_ctx ctx = {.gas = &gas, .gas_prices = &prices, .sender = 3, .time_ns = w.time_ns};
    proto_msg_result r = proto_state_deliver(w.s, &ctx, m.type, &m);
    ck_assert_str_eq(proto_msg_result_name(r), "out_of_gas");
    mw_root(&w, &after);
    ck_root_eq(&before, &after);
    proto_gas_meter_init(&gas, need);
    r = proto_state_deliver(w.s, &ctx, m.type, &m);
    ck_assert_int_eq(r.status, PROTO_MSG_OK);
    ck_assert_uint_eq(gas.consumed, need);
    mw_clear(&w);
}
END_TEST

/* A chain without the registry refuses its messages as no_state and its
 * end block does nothing. */
START_TEST(test_absent)
{
    proto_state *s = proto_state_new();
    proto_pubkey pk = {{1}};
    proto_state_add_account(s, &pk, 100);
    proto_hash before, after;
    proto_state_root(s, &before);
    proto_txmsg m = mw_register(0x1, 1, 1, 10);
    proto_gas_meter gas;
    proto_gas_meter_init(&gas, UINT64_MAX);
    proto_msg_ctx ctx = {.gas = &gas, .sender = 0, .time_ns = 5 * HB};
    ck_assert_int_eq(proto_state_deliver(s, &ctx, m.type, &m).status, PROTO_MSG_NO_STATE);
    ck_assert(proto_state_end_block(s, &ctx));
    proto_state_root(s, &after);
    ck_root_eq(&before, &after);
    ck_assert_ptr_null(proto_registry_agent(s, 0));
    ck_assert_uint_eq(proto_registry_count(s), 0);
    ck_assert_ptr_null(proto_registry_params_of(s));
    proto_state_free(s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("registry");
    TCase *tc = tcase_create("module");
    tcase_add_test(tc, test_genesis_and_names);
    tcase_add_test(tc, test_register);
    tcase_add_test(tc, test_register_refusals);
    tcase_add_test(tc, test_heartbeats_keep_active);
    tcase_add_test(tc, test_silence_suspends_then_evicts);
    tcase_add_test(tc, test_heartbeat_reactivates);
    tcase_add_test(tc, test_long_gap_takes_every_step);
    tcase_add_test(tc, test_deregister_and_bond_back);
    tcase_add_test(tc, test_open_jobs_hold_the_bond);
    tcase_add_test(tc, test_update);
    tcase_add_test(tc, test_keeper);
    tcase_add_test(tc, test_undo_block);
    tcase_add_test(tc, test_gas);
    tcase_add_test(tc, test_absent);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
