/* The disputes module's messages (disputes.h) and the opening the jobs
 * module asks for. Each message is a read-only check that judges
 * everything (a block from a peer reaches the handler with nothing
 * checked, so the decoder's value rules are checked again) and a
 * deliver that charges gas, checks, and then applies what can no longer
 * fail. Votes change only their own seat; the end block moves the
 * dispute on (disputes_rounds.c). */
#include <string.h>

#include "protocol/chain/tx_envelope.h"
#include "protocol/chain/tx_exec.h"
#include "protocol/modules/disputes/disputes_internal.h"
#include "protocol/modules/jobs/jobs.h"

/* ---- gas ---- */

uint64_t proto_disputes_msg_gas(const proto_gas_schedule *gas, const proto_disputes_params *p,
                                uint8_t type)
{
    uint64_t dispute =
        proto_gas_add_sat(proto_gas_read_cost(gas, PROTO_DISPUTES_KEY_SIZE, PROTO_DISPUTES_VALUE_SIZE),
                          proto_gas_write_cost(gas, PROTO_DISPUTES_KEY_SIZE,
                                               PROTO_DISPUTES_VALUE_SIZE));
    uint64_t seat = proto_gas_add_sat(
        proto_gas_read_cost(gas, PROTO_DISPUTES_SEAT_KEY_SIZE, PROTO_DISPUTES_SEAT_VALUE_SIZE),
        proto_gas_write_cost(gas, PROTO_DISPUTES_SEAT_KEY_SIZE, PROTO_DISPUTES_SEAT_VALUE_SIZE));
    uint64_t account = proto_gas_add_sat(
        proto_gas_read_cost(gas, PROTO_ACCOUNT_KEY_SIZE, PROTO_ACCOUNT_VALUE_SIZE),
        proto_gas_write_cost(gas, PROTO_ACCOUNT_KEY_SIZE, PROTO_ACCOUNT_VALUE_SIZE));
    uint64_t draw = proto_gas_write_cost(gas, PROTO_DISPUTES_SEAT_KEY_SIZE,
                                         PROTO_DISPUTES_SEAT_VALUE_SIZE);
    switch (type) {
    case PROTO_TXMSG_DISPUTE_DEFEND: /* the dispute, the provider's account, tier 1's seats */
        return proto_gas_add_sat(proto_gas_add_sat(dispute, account),
                                 proto_gas_mul_sat(p->verifiers, draw));
    case PROTO_TXMSG_DISPUTE_APPEAL: /* the dispute, the account, the largest next panel */
        return proto_gas_add_sat(proto_gas_add_sat(dispute, account),
                                 proto_gas_mul_sat(p->panel_max, draw));
    default: /* VERDICT, COMMIT, REVEAL: the dispute (read and written) and the seat */
        return proto_gas_add_sat(dispute, seat);
    }
}

/* ---- shared checks ---- */

static const disputes_state *state_of(const proto_state *s)
{
    const disputes_state *st = proto_disputes__get(s);
    g_assert(st != NULL); /* the router only routes to a module with state */
    return st;
}

static const proto_dispute *dispute_of(const disputes_state *st, uint64_t job)
{
    gint k = proto_disputes__find(st, job);
    return k < 0 ? NULL : &g_array_index(st->disputes, proto_dispute, k);
}

/* The sender's seat entry in round `round` of d, or NULL. */
static const dispute_seat *seat_of(const disputes_state *st, const proto_dispute *d,
                                   uint32_t round, uint32_t sender)
{
    gint k = proto_disputes__seat(st, d->job, round, sender);
    return k < 0 ? NULL : &g_array_index(st->seats, dispute_seat, k);
}

static dispute_seat *seat_mut(disputes_state *st, uint64_t job, uint32_t round,
                              uint32_t sender)
{
    gint k = proto_disputes__seat(st, job, round, sender);
    g_assert(k >= 0);
    return &g_array_index(st->seats, dispute_seat, k);
}

static uint64_t balance_of(const proto_state *s, uint32_t account)
{
    return account < proto_state_account_count(s) ? proto_state_account(s, account)->balance : 0;
}

/* A vote's common rule: the dispute exists, the sender has a seat in
 * `round`, which is the current one, the phase is `phase` and its time
 * has not run out. *out set on OK. */
static uint32_t check_vote(const proto_state *s, const proto_msg_ctx *ctx, uint64_t job,
                           uint32_t round, uint32_t phase, const dispute_seat **out)
{
    const disputes_state *st = state_of(s);
    const proto_dispute *d = dispute_of(st, job);
    if (d == NULL)
        return PROTO_DISPUTES_UNKNOWN_DISPUTE;
    const dispute_seat *x = seat_of(st, d, round, ctx->sender);
    if (x == NULL)
        return PROTO_DISPUTES_NOT_DRAWN;
    if (d->phase != phase)
        return PROTO_DISPUTES_WRONG_PHASE;
    if (round + 1 != d->rounds)
        return PROTO_DISPUTES_WRONG_ROUND;
    if (ctx->time_ns >= d->deadline_ns)
        return PROTO_DISPUTES_PAST_DEADLINE;
    *out = x;
    return PROTO_DISPUTES_OK;
}

/* ---- the opening (the jobs module's JOB_REJECT) ---- */

bool proto_disputes_can_open(const proto_state *s, uint32_t consumer)
{
    return balance_of(s, consumer) >= state_of(s)->params.bond;
}

void proto_disputes_open(proto_state *s, const proto_msg_ctx *ctx, uint64_t job,
                         uint32_t consumer, uint32_t provider)
{
    disputes_state *st = proto_disputes__mut(s, ctx->undo);
    g_assert(proto_disputes__find(st, job) < 0);
    uint64_t bond = st->params.bond;
    proto_account *a = proto_state_account_mut(s, consumer, ctx->undo);
    g_assert(a->balance >= bond);
    a->balance -= bond;
    st->held += bond;
    proto_dispute d;
    memset(&d, 0, sizeof d);
    d.job = job;
    d.consumer = consumer;
    d.provider = provider;
    d.phase = PROTO_DISPUTE_AWAIT_DEFENCE;
    d.opened_ns = ctx->time_ns;
    d.deadline_ns = ctx->time_ns + st->params.response_ns;
    d.bonds = bond;
    g_array_insert_val(st->disputes, proto_disputes__lower(st, job), d);
    proto_disputes__report(ctx, s, &d, PROTO_DISPUTE_OPENED, 0, 0, bond, consumer);
}

/* ---- DISPUTE_DEFEND ---- */

static uint32_t check_defend(const proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const proto_txmsg *m = msg;
    if (PROTO_JOB_SEQ(m->dispute_defend.job) == 0)
        return PROTO_DISPUTES_BAD_MESSAGE;
    const disputes_state *st = state_of(s);
    const proto_dispute *d = dispute_of(st, m->dispute_defend.job);
    if (d == NULL)
        return PROTO_DISPUTES_UNKNOWN_DISPUTE;
    if (ctx->sender != d->provider)
        return PROTO_DISPUTES_NOT_PROVIDER;
    if (d->phase != PROTO_DISPUTE_AWAIT_DEFENCE)
        return PROTO_DISPUTES_WRONG_PHASE;
    if (ctx->time_ns >= d->deadline_ns)
        return PROTO_DISPUTES_PAST_DEADLINE;
    if (balance_of(s, ctx->sender) < st->params.bond)
        return PROTO_DISPUTES_NO_FUNDS;
    return PROTO_DISPUTES_OK;
}

static void apply_defend(proto_state *s, const proto_msg_ctx *ctx, const proto_txmsg *m)
{
    disputes_state *st = proto_disputes__mut(s, ctx->undo);
    gint k = proto_disputes__find(st, m->dispute_defend.job);
    g_assert(k >= 0);
    proto_dispute *d = &g_array_index(st->disputes, proto_dispute, k);
    uint64_t bond = st->params.bond;
    proto_state_account_mut(s, ctx->sender, ctx->undo)->balance -= bond;
    st->held += bond;
    d->bonds += bond;
    proto_disputes__report(ctx, s, d, PROTO_DISPUTE_DEFENDED, 0, 0, bond, ctx->sender);
    proto_disputes__start_round(s, ctx, st, (guint)k, 0, 0);
}

/* ---- DISPUTE_VERDICT (tier 1) ---- */

static uint32_t check_verdict(const proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const proto_txmsg *m = msg;
    uint8_t ruling = m->dispute_verdict.ruling;
    if (PROTO_JOB_SEQ(m->dispute_verdict.job) == 0 ||
        (ruling != PROTO_RULING_CONSUMER && ruling != PROTO_RULING_PROVIDER))
        return PROTO_DISPUTES_BAD_MESSAGE;
    const dispute_seat *x = NULL;
    uint32_t r = check_vote(s, ctx, m->dispute_verdict.job, 0, PROTO_DISPUTE_VERIFY, &x);
    if (r != PROTO_DISPUTES_OK)
        return r;
    return x->vote != PROTO_RULING_NONE ? PROTO_DISPUTES_ALREADY_VOTED : PROTO_DISPUTES_OK;
}

static void apply_verdict(proto_state *s, const proto_msg_ctx *ctx, const proto_txmsg *m)
{
    disputes_state *st = proto_disputes__mut(s, ctx->undo);
    seat_mut(st, m->dispute_verdict.job, 0, ctx->sender)->vote = m->dispute_verdict.ruling;
}

/* ---- DISPUTE_COMMIT, DISPUTE_REVEAL (tier 2) ---- */

static uint32_t check_commit(const proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const proto_txmsg *m = msg;
    const proto_dispute_commit_msg *c = &m->dispute_commit;
    if (PROTO_JOB_SEQ(c->job) == 0 || c->round == 0)
        return PROTO_DISPUTES_BAD_MESSAGE;
    const dispute_seat *x = NULL;
    uint32_t r = check_vote(s, ctx, c->job, c->round, PROTO_DISPUTE_COMMIT, &x);
    if (r != PROTO_DISPUTES_OK)
        return r;
    return x->committed ? PROTO_DISPUTES_ALREADY_VOTED : PROTO_DISPUTES_OK;
}

static void apply_commit(proto_state *s, const proto_msg_ctx *ctx, const proto_txmsg *m)
{
    const proto_dispute_commit_msg *c = &m->dispute_commit;
    disputes_state *st = proto_disputes__mut(s, ctx->undo);
    dispute_seat *x = seat_mut(st, c->job, c->round, ctx->sender);
    x->committed = true;
    x->commitment = c->commitment;
}

static uint32_t check_reveal(const proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const proto_txmsg *m = msg;
    const proto_dispute_reveal_msg *v = &m->dispute_reveal;
    if (PROTO_JOB_SEQ(v->job) == 0 || v->round == 0 ||
        (v->ruling != PROTO_RULING_CONSUMER && v->ruling != PROTO_RULING_PROVIDER))
        return PROTO_DISPUTES_BAD_MESSAGE;
    const disputes_state *st = state_of(s);
    const proto_dispute *d = dispute_of(st, v->job);
    if (d == NULL)
        return PROTO_DISPUTES_UNKNOWN_DISPUTE;
    const dispute_seat *x = seat_of(st, d, v->round, ctx->sender);
    if (x == NULL)
        return PROTO_DISPUTES_NOT_DRAWN;
    /* A reveal while commits are still open has no commit period behind
     * it yet: wrong phase, whether or not this seat committed. */
    if (d->phase == PROTO_DISPUTE_REVEAL && (uint32_t)v->round + 1 == d->rounds &&
        !x->committed)
        return PROTO_DISPUTES_NO_COMMIT;
    uint32_t r = check_vote(s, ctx, v->job, v->round, PROTO_DISPUTE_REVEAL, &x);
    if (r != PROTO_DISPUTES_OK)
        return r;
    if (x->revealed)
        return PROTO_DISPUTES_ALREADY_VOTED;
    proto_hash h;
    proto_dispute_commitment(ctx->chain_id, v->job, v->round, ctx->sender, v->ruling, &v->salt,
                             &h);
    if (memcmp(h.bytes, x->commitment.bytes, PROTO_HASH_SIZE) != 0)
        return PROTO_DISPUTES_BAD_REVEAL;
    return PROTO_DISPUTES_OK;
}

static void apply_reveal(proto_state *s, const proto_msg_ctx *ctx, const proto_txmsg *m)
{
    const proto_dispute_reveal_msg *v = &m->dispute_reveal;
    disputes_state *st = proto_disputes__mut(s, ctx->undo);
    dispute_seat *x = seat_mut(st, v->job, v->round, ctx->sender);
    x->revealed = true;
    x->vote = v->ruling;
}

/* ---- DISPUTE_APPEAL ---- */

/* Whether `sender`, a party, may appeal `ruling`: the side it goes
 * against, or either after NONE. */
static bool loses(const proto_dispute *d, uint32_t sender, uint8_t ruling)
{
    switch (ruling) {
    case PROTO_RULING_CONSUMER:
        return sender == d->provider;
    case PROTO_RULING_PROVIDER:
        return sender == d->consumer;
    default:
        return true;
    }
}

static uint64_t appeal_fee(const disputes_state *st, const proto_dispute *d)
{
    return st->params.seat_fee * proto_disputes__next_seats(&st->params, d);
}

uint64_t proto_disputes_appeal_fee(const proto_state *s, const proto_dispute *d)
{
    return appeal_fee(state_of(s), d);
}

static uint32_t check_appeal(const proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const proto_txmsg *m = msg;
    const proto_dispute_appeal_msg *a = &m->dispute_appeal;
    if (PROTO_JOB_SEQ(a->job) == 0)
        return PROTO_DISPUTES_BAD_MESSAGE;
    const disputes_state *st = state_of(s);
    const proto_dispute *d = dispute_of(st, a->job);
    if (d == NULL)
        return PROTO_DISPUTES_UNKNOWN_DISPUTE;
    if (ctx->sender != d->consumer && ctx->sender != d->provider)
        return PROTO_DISPUTES_NOT_PARTY;
    if (d->phase != PROTO_DISPUTE_APPEALABLE)
        return PROTO_DISPUTES_WRONG_PHASE;
    if ((uint32_t)a->round + 1 != d->rounds)
        return PROTO_DISPUTES_WRONG_ROUND;
    if (ctx->time_ns >= d->deadline_ns)
        return PROTO_DISPUTES_PAST_DEADLINE;
    if (!loses(d, ctx->sender, d->round[a->round].ruling))
        return PROTO_DISPUTES_NOT_LOSER;
    /* An appealable round is never final (proto_disputes__round_final),
     * and the ladder fits in the rounds (params valid). */
    g_assert(d->rounds < PROTO_DISPUTES_ROUNDS_MAX);
    if (balance_of(s, ctx->sender) < appeal_fee(st, d))
        return PROTO_DISPUTES_NO_FUNDS;
    return PROTO_DISPUTES_OK;
}

static void apply_appeal(proto_state *s, const proto_msg_ctx *ctx, const proto_txmsg *m)
{
    disputes_state *st = proto_disputes__mut(s, ctx->undo);
    gint k = proto_disputes__find(st, m->dispute_appeal.job);
    g_assert(k >= 0);
    proto_dispute *d = &g_array_index(st->disputes, proto_dispute, k);
    uint64_t fee = appeal_fee(st, d);
    proto_state_account_mut(s, ctx->sender, ctx->undo)->balance -= fee;
    st->held += fee;
    proto_disputes__report(ctx, s, d, PROTO_DISPUTE_APPEALED, d->rounds - 1, 0, fee,
                           ctx->sender);
    proto_disputes__start_round(s, ctx, st, (guint)k, d->rounds, fee);
}

/* ---- routes ---- */

typedef void (*apply_fn)(proto_state *s, const proto_msg_ctx *ctx, const proto_txmsg *m);

static const struct {
    proto_msg_check_fn check;
    apply_fn apply;
} handlers[] = {
    [PROTO_TXMSG_DISPUTE_DEFEND - PROTO_TXMSG_DISPUTE_DEFEND] = {check_defend, apply_defend},
    [PROTO_TXMSG_DISPUTE_VERDICT - PROTO_TXMSG_DISPUTE_DEFEND] = {check_verdict, apply_verdict},
    [PROTO_TXMSG_DISPUTE_COMMIT - PROTO_TXMSG_DISPUTE_DEFEND] = {check_commit, apply_commit},
    [PROTO_TXMSG_DISPUTE_REVEAL - PROTO_TXMSG_DISPUTE_DEFEND] = {check_reveal, apply_reveal},
    [PROTO_TXMSG_DISPUTE_APPEAL - PROTO_TXMSG_DISPUTE_DEFEND] = {check_appeal, apply_appeal},
};

/* Gas first (running out changes nothing), then the check, then the
 * change. */
static uint32_t disputes_deliver(proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const proto_txmsg *m = msg;
    g_assert(m->type >= PROTO_TXMSG_DISPUTE_DEFEND && m->type <= PROTO_TXMSG_DISPUTE_APPEAL);
    guint h = m->type - PROTO_TXMSG_DISPUTE_DEFEND;
    if (ctx->gas_prices != NULL &&
        proto_gas_consume(ctx->gas, proto_disputes_msg_gas(ctx->gas_prices,
                                                           &state_of(s)->params, m->type)) !=
            PROTO_GAS_OK)
        return PROTO_DISPUTES_OUT_OF_GAS;
    uint32_t r = handlers[h].check(s, ctx, m);
    if (r != PROTO_DISPUTES_OK)
        return r;
    handlers[h].apply(s, ctx, m);
    return PROTO_DISPUTES_OK;
}

const proto_msg_route proto_disputes__routes[PROTO_DISPUTES__ROUTES_COUNT] = {
    {PROTO_TXMSG_DISPUTE_DEFEND, "dispute_defend", check_defend, disputes_deliver},
    {PROTO_TXMSG_DISPUTE_VERDICT, "dispute_verdict", check_verdict, disputes_deliver},
    {PROTO_TXMSG_DISPUTE_COMMIT, "dispute_commit", check_commit, disputes_deliver},
    {PROTO_TXMSG_DISPUTE_REVEAL, "dispute_reveal", check_reveal, disputes_deliver},
    {PROTO_TXMSG_DISPUTE_APPEAL, "dispute_appeal", check_appeal, disputes_deliver},
};
