/* Settling a dispute (disputes.h, step 5): the escrow through the jobs
 * module, the bonds as UMA splits them, and the jurors as Kleros pays
 * them (incoherent seats lose stake to the coherent seats of their
 * round, which also share the round's appeal fees; the bond fee goes to
 * every coherent seat). Every token that leaves the module leaves
 * `held` with it, so the module's supply stays exactly what it holds. */
#include "protocol/modules/disputes/disputes_internal.h"
#include "protocol/modules/distribution/distribution.h"
#include "protocol/modules/jobs/jobs.h"

/* Pay `amount` of what the module holds to an account's balance, and
 * say so (a PAID step: the simulator's books follow the tokens). */
static void credit(proto_state *s, const proto_msg_ctx *ctx, disputes_state *st,
                   const proto_dispute *d, uint32_t account, uint64_t amount)
{
    if (amount == 0)
        return;
    g_assert(st->held >= amount);
    st->held -= amount;
    proto_state_account_mut(s, account, ctx->undo)->balance += amount;
    uint32_t last = d->rounds > 0 ? d->rounds - 1 : 0;
    proto_disputes__report(ctx, s, d, PROTO_DISPUTE_PAID, last, 0, amount, account);
}

/* Tokens nobody earned: to the fee collector, burned without one. */
static void collect(proto_state *s, const proto_msg_ctx *ctx, disputes_state *st,
                    uint64_t amount)
{
    if (amount == 0)
        return;
    g_assert(st->held >= amount);
    st->held -= amount;
    if (proto_distribution_active(s))
        proto_distribution_collect(s, amount, ctx->undo);
    else
        proto_state_burn(s, amount, ctx->undo);
}

static proto_juror *juror_mut(disputes_state *st, uint32_t account)
{
    gint k = proto_disputes__juror(st, account);
    g_assert(k >= 0);
    return &g_array_index(st->jurors, proto_juror, k);
}

/* The seat entries of (job, round): [*first, return). */
static guint round_seats(const disputes_state *st, uint64_t job, uint32_t round, guint *first)
{
    guint i = *first = proto_disputes__seat_lower(st, job, round, 0);
    while (i < st->seats->len && g_array_index(st->seats, dispute_seat, i).job == job &&
           g_array_index(st->seats, dispute_seat, i).round == round)
        i++;
    return i;
}

static bool coherent(const dispute_seat *x, uint8_t ruling)
{
    return ruling == PROTO_RULING_NONE ? x->vote != PROTO_RULING_NONE : x->vote == ruling;
}

/* Share `pot` among the coherent seats of [first, end): by seats,
 * floor, the remainder to the first coherent entry; to stakes or to
 * balances. Returns false (nothing moved) when no seat is coherent. */
static bool share(proto_state *s, const proto_msg_ctx *ctx, disputes_state *st,
                  const proto_dispute *d, guint first, guint end, uint8_t ruling, uint64_t pot,
                  bool to_stake)
{
    uint64_t seats = 0;
    for (guint i = first; i < end; i++) {
        const dispute_seat *x = &g_array_index(st->seats, dispute_seat, i);
        seats += coherent(x, ruling) ? x->seats : 0;
    }
    if (seats == 0)
        return false;
    uint64_t each = pot / seats, rest = pot - each * seats;
    for (guint i = first; i < end; i++) {
        const dispute_seat *x = &g_array_index(st->seats, dispute_seat, i);
        if (!coherent(x, ruling))
            continue;
        uint64_t amount = each * x->seats + rest;
        rest = 0;
        if (to_stake)
            juror_mut(st, x->juror)->stake += amount; /* stays in the module */
        else
            credit(s, ctx, st, d, x->juror, amount);
    }
    return true;
}

/* One round's jurors: penalties from the incoherent seats and the
 * round's appeal fees to its coherent seats. */
static void pay_round(proto_state *s, const proto_msg_ctx *ctx, disputes_state *st,
                      const proto_dispute *d, uint32_t round, uint8_t ruling)
{
    guint first = 0, end = round_seats(st, d->job, round, &first);
    uint64_t penalties = 0;
    for (guint i = first; i < end; i++) {
        const dispute_seat *x = &g_array_index(st->seats, dispute_seat, i);
        if (coherent(x, ruling))
            continue;
        proto_juror *j = juror_mut(st, x->juror);
        uint64_t risk = st->params.stake_at_risk;
        uint64_t lose = risk > j->stake / x->seats ? j->stake : risk * x->seats;
        j->stake -= lose;
        penalties += lose;
    }
    if (!share(s, ctx, st, d, first, end, ruling, penalties, true))
        collect(s, ctx, st, penalties);
    uint64_t fees = d->round[round].fees;
    g_assert(st->held >= fees);
    if (!share(s, ctx, st, d, first, end, ruling, fees, false))
        collect(s, ctx, st, fees);
}

/* The bond fee to every coherent seat of every round (to balances). */
static void pay_bond_fee(proto_state *s, const proto_msg_ctx *ctx, disputes_state *st,
                         const proto_dispute *d, uint8_t ruling, uint64_t fee)
{
    guint first = proto_disputes__seat_lower(st, d->job, 0, 0), end = first;
    while (end < st->seats->len && g_array_index(st->seats, dispute_seat, end).job == d->job)
        end++;
    if (!share(s, ctx, st, d, first, end, ruling, fee, false))
        collect(s, ctx, st, fee);
}

/* The bonds: undefended, the consumer's back; else UMA's split. Returns
 * the fee left for the jurors. */
static uint64_t pay_bonds(proto_state *s, const proto_msg_ctx *ctx, disputes_state *st,
                          const proto_dispute *d, uint8_t ruling)
{
    uint64_t bond = st->params.bond;
    if (d->rounds == 0) {
        g_assert(d->bonds == bond);
        credit(s, ctx, st, d, d->consumer, bond);
        return 0;
    }
    g_assert(d->bonds == 2 * bond);
    uint64_t fee = bond * st->params.fee_permille / 1000;
    if (ruling == PROTO_RULING_NONE) {
        uint64_t half_up = fee - fee / 2; /* each side pays ceil(fee / 2) */
        credit(s, ctx, st, d, d->consumer, bond - half_up);
        credit(s, ctx, st, d, d->provider, bond - half_up);
        return 2 * half_up;
    }
    credit(s, ctx, st, d, ruling == PROTO_RULING_CONSUMER ? d->consumer : d->provider,
           2 * bond - fee);
    return fee;
}

static proto_job_status outcome_of(uint8_t ruling)
{
    switch (ruling) {
    case PROTO_RULING_CONSUMER:
        return PROTO_JOB_OVERTURNED;
    case PROTO_RULING_PROVIDER:
        return PROTO_JOB_UPHELD;
    default:
        return PROTO_JOB_SPLIT;
    }
}

void proto_disputes__settle(proto_state *s, const proto_msg_ctx *ctx, disputes_state *st,
                            guint k, uint8_t ruling)
{
    g_assert(k < st->disputes->len && ruling < PROTO_RULING_COUNT);
    proto_dispute d = g_array_index(st->disputes, proto_dispute, k);
    uint32_t last = d.rounds > 0 ? d.rounds - 1 : 0;
    proto_disputes__report(ctx, s, &d, PROTO_DISPUTE_SETTLED, last, ruling, d.bonds,
                           UINT32_MAX);
    uint64_t fee = pay_bonds(s, ctx, st, &d, ruling);
    for (uint32_t r = 0; r < d.rounds; r++)
        pay_round(s, ctx, st, &d, r, ruling);
    pay_bond_fee(s, ctx, st, &d, ruling, fee);
    /* the seats and the dispute go */
    guint first = proto_disputes__seat_lower(st, d.job, 0, 0), end = first;
    while (end < st->seats->len && g_array_index(st->seats, dispute_seat, end).job == d.job)
        end++;
    if (end > first)
        g_array_remove_range(st->seats, first, end - first);
    g_array_remove_index(st->disputes, k);
    proto_jobs_settle_disputed(s, ctx, d.job, outcome_of(ruling));
}
