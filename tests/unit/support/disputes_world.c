/* The disputes tests' fake chain (disputes_world.h). */
#include "support/disputes_world.h"

#include <check.h>
#include <string.h>

#define CHAIN_ID 42 /* market_world's */

proto_disputes_params dsw_params(void)
{
    return (proto_disputes_params){.bond = DSW_BOND,
                                   .fee_permille = 500,
                                   .response_ns = 2 * DSW_MS,
                                   .verifiers = 1,
                                   .verify_ns = 2 * DSW_MS,
                                   .panel = 3,
                                   .panel_max = 7,
                                   .vote_ns = 2 * DSW_MS,
                                   .appeal_ns = 2 * DSW_MS,
                                   .seat_fee = 10,
                                   .stake_at_risk = 100};
}

void dsw_init_jurors(market_world *w, const proto_disputes_params *p, uint32_t count,
                    const proto_disputes_genesis_juror *jurors)
{
    mw_init_market(w);
    uint64_t stakes = 0;
    for (uint32_t i = 0; i < count; i++)
        stakes += jurors[i].stake;
    proto_disputes_genesis(w->s, p, count, jurors);
    ck_assert_uint_eq(proto_state_total_supply(w->s), w->supply + stakes);
    w->supply = proto_state_total_supply(w->s);
}

void dsw_init(market_world *w, const proto_disputes_params *p)
{
    proto_disputes_params d = p != NULL ? *p : dsw_params();
    const proto_disputes_genesis_juror jurors[] = {
        {.account = 7, .roles = PROTO_JUROR_ARBITER, .stake = DSW_STAKE},
        {.account = DSW_VERIFIER, .roles = PROTO_JUROR_VERIFIER, .stake = DSW_STAKE},
        {.account = 5, .roles = PROTO_JUROR_ARBITER, .stake = DSW_STAKE},
        {.account = 6, .roles = PROTO_JUROR_ARBITER, .stake = DSW_STAKE},
    };
    dsw_init_jurors(w, &d, G_N_ELEMENTS(jurors), jurors);
}

void dsw_ok(market_world *w, uint32_t sender, const proto_txmsg *m)
{
    uint32_t r = mw_send(w, sender, m, NULL);
    ck_assert_msg(r == 0, "%s refused: %u", proto_txmsg_type_name(m->type), r);
}

void dsw_block(market_world *w, int64_t dt_ns)
{
    mw_next(w, dt_ns);
    mw_end_block(w, NULL);
}

uint64_t dsw_delivered(market_world *w, uint32_t seq)
{
    proto_txmsg m = mw_post(2, seq, 0, 1, DSW_PAY, 10);
    dsw_ok(w, 2, &m);
    uint64_t id = PROTO_JOB_ID(2, seq);
    m = mw_job(PROTO_TXMSG_JOB_ACCEPT, id);
    dsw_ok(w, 0, &m);
    m = mw_result(id);
    dsw_ok(w, 0, &m);
    return id;
}

uint64_t dsw_disputed(market_world *w, uint32_t seq)
{
    uint64_t id = dsw_delivered(w, seq);
    proto_txmsg m = mw_job(PROTO_TXMSG_JOB_REJECT, id);
    dsw_ok(w, 2, &m);
    return id;
}

uint64_t dsw_defended(market_world *w, uint32_t seq)
{
    uint64_t id = dsw_disputed(w, seq);
    proto_txmsg m = dsw_defend(id);
    dsw_ok(w, 0, &m);
    return id;
}

static proto_txmsg msg_of(uint8_t type)
{
    proto_txmsg m;
    memset(&m, 0, sizeof m);
    m.type = type;
    return m;
}

proto_txmsg dsw_defend(uint64_t job)
{
    proto_txmsg m = msg_of(PROTO_TXMSG_DISPUTE_DEFEND);
    m.dispute_defend.job = job;
    return m;
}

proto_txmsg dsw_verdict(uint64_t job, uint8_t ruling)
{
    proto_txmsg m = msg_of(PROTO_TXMSG_DISPUTE_VERDICT);
    m.dispute_verdict.job = job;
    m.dispute_verdict.ruling = ruling;
    return m;
}

static proto_hash salt_of(uint8_t salt)
{
    proto_hash h;
    memset(h.bytes, salt, PROTO_HASH_SIZE);
    return h;
}

proto_txmsg dsw_commit(uint64_t job, uint8_t round, uint32_t arbiter, uint8_t ruling,
                      uint8_t salt)
{
    proto_txmsg m = msg_of(PROTO_TXMSG_DISPUTE_COMMIT);
    m.dispute_commit.job = job;
    m.dispute_commit.round = round;
    proto_hash s = salt_of(salt);
    proto_dispute_commitment(CHAIN_ID, job, round, arbiter, ruling, &s,
                             &m.dispute_commit.commitment);
    return m;
}

proto_txmsg dsw_reveal(uint64_t job, uint8_t round, uint8_t ruling, uint8_t salt)
{
    proto_txmsg m = msg_of(PROTO_TXMSG_DISPUTE_REVEAL);
    m.dispute_reveal.job = job;
    m.dispute_reveal.round = round;
    m.dispute_reveal.ruling = ruling;
    m.dispute_reveal.salt = salt_of(salt);
    return m;
}

proto_txmsg dsw_appeal(uint64_t job, uint8_t round)
{
    proto_txmsg m = msg_of(PROTO_TXMSG_DISPUTE_APPEAL);
    m.dispute_appeal.job = job;
    m.dispute_appeal.round = round;
    return m;
}

uint32_t dsw_seats(const market_world *w, uint64_t job, uint32_t round, uint32_t juror)
{
    return proto_disputes_seats_of(w->s, job, round, juror, NULL, NULL);
}

/* Blocks DSW_MS / 2 apart until the dispute on job leaves `phase` (or
 * is settled). */
static void until_not(market_world *w, uint64_t job, uint32_t phase)
{
    for (int i = 0; i < 100; i++) {
        dsw_block(w, DSW_MS / 2);
        const proto_dispute *d = proto_disputes_get(w->s, job);
        if (d == NULL || d->phase != phase)
            return;
    }
    ck_abort_msg("the dispute stays in phase %s", proto_dispute_phase_name(phase));
}

void dsw_panel_votes(market_world *w, uint64_t job, uint8_t round, const uint8_t rulings[3])
{
    ck_assert_uint_eq(dsw_get(w, job)->phase, PROTO_DISPUTE_COMMIT);
    for (uint32_t a = 0; a < 3; a++) {
        uint32_t juror = DSW_ARBITERS_FIRST + a;
        if (rulings[a] == 0 || dsw_seats(w, job, round, juror) == 0)
            continue;
        proto_txmsg m = dsw_commit(job, round, juror, rulings[a], (uint8_t)(0x40 + a));
        dsw_ok(w, juror, &m);
    }
    until_not(w, job, PROTO_DISPUTE_COMMIT);
    const proto_dispute *d = proto_disputes_get(w->s, job);
    if (d == NULL || d->phase != PROTO_DISPUTE_REVEAL)
        return; /* nobody committed: tallied at once */
    for (uint32_t a = 0; a < 3; a++) {
        uint32_t juror = DSW_ARBITERS_FIRST + a;
        if (rulings[a] == 0 || dsw_seats(w, job, round, juror) == 0)
            continue;
        proto_txmsg m = dsw_reveal(job, round, rulings[a], (uint8_t)(0x40 + a));
        dsw_ok(w, juror, &m);
    }
    until_not(w, job, PROTO_DISPUTE_REVEAL);
}

const proto_dispute *dsw_get(const market_world *w, uint64_t job)
{
    const proto_dispute *d = proto_disputes_get(w->s, job);
    ck_assert_ptr_nonnull(d);
    return d;
}

uint64_t dsw_stake(const market_world *w, uint32_t juror)
{
    const proto_juror *j = proto_disputes_juror(w->s, juror);
    ck_assert_ptr_nonnull(j);
    return j->stake;
}
