/* A dispute's rounds (disputes.h, steps 2 to 4): drawing seats by
 * stake, tallying verdicts and revealed votes, and the end block that
 * moves each dispute on when its phase is over (or, for votes, when
 * every seat has spoken). Phases change only here and in an appeal, so
 * a vote never changes anything but its own seat. */
#include <string.h>

#include "protocol/core/codec.h"
#include "protocol/modules/disputes/disputes_internal.h"

#define DRAW_DOMAIN "aitbc-draw"
#define DRAW_DOMAIN_SIZE (sizeof(DRAW_DOMAIN) - 1)

/* ---- the draw ---- */

static bool eligible(const proto_juror *j, uint32_t role, const proto_dispute *d)
{
    return (j->roles & role) != 0 && j->stake > 0 && j->account != d->consumer &&
           j->account != d->provider;
}

/* The draw's number for seat `seat` (disputes.h). */
static uint64_t draw_u64(uint64_t chain_id, uint64_t job, uint32_t round, uint32_t seat,
                         int64_t time_ns)
{
    uint8_t buf[DRAW_DOMAIN_SIZE + 8 + 8 + 4 + 4 + 8];
    uint8_t *p = buf;
    memcpy(p, DRAW_DOMAIN, DRAW_DOMAIN_SIZE);
    p += DRAW_DOMAIN_SIZE;
    proto_le_put_u64(p, chain_id);
    proto_le_put_u64(p + 8, job);
    proto_le_put_u32(p + 16, round);
    proto_le_put_u32(p + 20, seat);
    proto_le_put_u64(p + 24, (uint64_t)time_ns);
    proto_hash h;
    proto_hash_bytes(&h, buf, sizeof buf);
    return proto_le_get_u64(h.bytes);
}

/* Add one seat for juror in (job, round). */
static void seat_add(disputes_state *st, uint64_t job, uint32_t round, uint32_t juror)
{
    guint k = proto_disputes__seat_lower(st, job, round, juror);
    if (k < st->seats->len) {
        dispute_seat *x = &g_array_index(st->seats, dispute_seat, k);
        if (x->job == job && x->round == round && x->juror == juror) {
            x->seats++;
            return;
        }
    }
    dispute_seat x;
    memset(&x, 0, sizeof x);
    x.job = job;
    x.round = round;
    x.juror = juror;
    x.seats = 1;
    g_array_insert_val(st->seats, k, x);
}

/* Draw `want` seats for round `round` of d among the eligible jurors;
 * returns the seats drawn (0 when nobody is eligible). */
static uint32_t draw(disputes_state *st, const proto_msg_ctx *ctx, const proto_dispute *d,
                     uint32_t round, uint32_t want)
{
    uint32_t role = round == 0 ? PROTO_JUROR_VERIFIER : PROTO_JUROR_ARBITER;
    uint64_t total = 0;
    for (guint i = 0; i < st->jurors->len; i++) {
        const proto_juror *j = &g_array_index(st->jurors, proto_juror, i);
        if (eligible(j, role, d))
            total += j->stake; /* stakes sum to at most held, itself bounded */
    }
    if (total == 0)
        return 0;
    for (uint32_t seat = 0; seat < want; seat++) {
        uint64_t x = draw_u64(ctx->chain_id, d->job, round, seat, ctx->time_ns) % total;
        for (guint i = 0; i < st->jurors->len; i++) {
            const proto_juror *j = &g_array_index(st->jurors, proto_juror, i);
            if (!eligible(j, role, d))
                continue;
            if (x < j->stake) {
                seat_add(st, d->job, round, j->account);
                break;
            }
            x -= j->stake;
        }
    }
    return want;
}

/* ---- rounds ---- */

uint32_t proto_disputes__next_seats(const proto_disputes_params *p, const proto_dispute *d)
{
    g_assert(d->rounds >= 1);
    uint32_t last = d->rounds - 1;
    if (last == 0)
        return p->panel;
    return MIN(proto_disputes_next_panel(d->round[last].seats), p->panel_max);
}

bool proto_disputes__round_final(const proto_disputes_params *p, const proto_dispute *d)
{
    g_assert(d->rounds >= 1);
    uint32_t last = d->rounds - 1;
    return last > 0 && (d->round[last].seats == 0 || d->round[last].seats >= p->panel_max);
}

/* The round `round` of d has its ruling: report it and either settle
 * (final) or open the appeal period. */
static void ruled(proto_state *s, const proto_msg_ctx *ctx, disputes_state *st, guint k,
                  uint8_t ruling)
{
    proto_dispute *d = &g_array_index(st->disputes, proto_dispute, k);
    uint32_t round = d->rounds - 1;
    d->round[round].ruling = ruling;
    proto_disputes__report(ctx, s, d, PROTO_DISPUTE_RULED, round, ruling, 0, UINT32_MAX);
    if (proto_disputes__round_final(&st->params, d)) {
        proto_disputes__settle(s, ctx, st, k, ruling);
        return;
    }
    d->phase = PROTO_DISPUTE_APPEALABLE;
    d->deadline_ns = ctx->time_ns + st->params.appeal_ns;
}

/* Tier 1's ruling: the verifiers' common verdict, or NONE when none
 * answered or they disagree (then the first panel is drawn at once). */
static void tally_verify(proto_state *s, const proto_msg_ctx *ctx, disputes_state *st, guint k)
{
    proto_dispute *d = &g_array_index(st->disputes, proto_dispute, k);
    uint8_t common = PROTO_RULING_NONE;
    bool split = false;
    for (guint i = proto_disputes__seat_lower(st, d->job, 0, 0); i < st->seats->len; i++) {
        const dispute_seat *x = &g_array_index(st->seats, dispute_seat, i);
        if (x->job != d->job || x->round != 0)
            break;
        if (x->vote == PROTO_RULING_NONE)
            continue;
        split |= common != PROTO_RULING_NONE && x->vote != common;
        common = x->vote;
    }
    if (common != PROTO_RULING_NONE && !split) {
        ruled(s, ctx, st, k, common);
        return;
    }
    d->round[0].ruling = PROTO_RULING_NONE;
    proto_disputes__report(ctx, s, d, PROTO_DISPUTE_RULED, 0, PROTO_RULING_NONE, 0,
                           UINT32_MAX);
    proto_disputes__start_round(s, ctx, st, k, 1, 0);
}

/* A panel's ruling: the plurality of the revealed seats; a tie or no
 * reveal is NONE. */
static void tally_panel(proto_state *s, const proto_msg_ctx *ctx, disputes_state *st, guint k)
{
    const proto_dispute *d = &g_array_index(st->disputes, proto_dispute, k);
    uint32_t round = d->rounds - 1;
    uint64_t votes[PROTO_RULING_COUNT] = {0};
    for (guint i = proto_disputes__seat_lower(st, d->job, round, 0); i < st->seats->len; i++) {
        const dispute_seat *x = &g_array_index(st->seats, dispute_seat, i);
        if (x->job != d->job || x->round != round)
            break;
        if (x->revealed)
            votes[x->vote] += x->seats;
    }
    uint8_t ruling = PROTO_RULING_NONE;
    if (votes[PROTO_RULING_CONSUMER] > votes[PROTO_RULING_PROVIDER])
        ruling = PROTO_RULING_CONSUMER;
    else if (votes[PROTO_RULING_PROVIDER] > votes[PROTO_RULING_CONSUMER])
        ruling = PROTO_RULING_PROVIDER;
    ruled(s, ctx, st, k, ruling);
}

void proto_disputes__start_round(proto_state *s, const proto_msg_ctx *ctx, disputes_state *st,
                                 guint k, uint32_t round, uint64_t fees)
{
    proto_dispute *d = &g_array_index(st->disputes, proto_dispute, k);
    g_assert(round == d->rounds && round < PROTO_DISPUTES_ROUNDS_MAX);
    uint32_t want = round == 0 ? st->params.verifiers : proto_disputes__next_seats(&st->params, d);
    d->rounds = round + 1;
    uint32_t seats = draw(st, ctx, d, round, want);
    d->round[round] = (proto_dispute_round){.seats = (uint8_t)seats, .fees = fees};
    proto_disputes__report(ctx, s, d, PROTO_DISPUTE_ROUND, round, 0, seats, UINT32_MAX);
    if (seats == 0) {
        if (round == 0)
            tally_verify(s, ctx, st, k);
        else
            ruled(s, ctx, st, k, PROTO_RULING_NONE);
        return;
    }
    d->phase = round == 0 ? PROTO_DISPUTE_VERIFY : PROTO_DISPUTE_COMMIT;
    d->deadline_ns = ctx->time_ns + (round == 0 ? st->params.verify_ns : st->params.vote_ns);
}

/* ---- the end block ---- */

/* Whether every seat of d's current round has done what its phase asks
 * (VERIFY: a verdict; COMMIT: a commit; REVEAL: every commit revealed). */
static bool round_complete(const disputes_state *st, const proto_dispute *d)
{
    uint32_t round = d->rounds - 1;
    for (guint i = proto_disputes__seat_lower(st, d->job, round, 0); i < st->seats->len; i++) {
        const dispute_seat *x = &g_array_index(st->seats, dispute_seat, i);
        if (x->job != d->job || x->round != round)
            break;
        if ((d->phase == PROTO_DISPUTE_VERIFY && x->vote == PROTO_RULING_NONE) ||
            (d->phase == PROTO_DISPUTE_COMMIT && !x->committed) ||
            (d->phase == PROTO_DISPUTE_REVEAL && x->committed && !x->revealed))
            return false;
    }
    return true;
}

static bool due(const disputes_state *st, const proto_dispute *d, int64_t now_ns)
{
    if (now_ns >= d->deadline_ns)
        return true;
    return (d->phase == PROTO_DISPUTE_VERIFY || d->phase == PROTO_DISPUTE_COMMIT ||
            d->phase == PROTO_DISPUTE_REVEAL) &&
           round_complete(st, d);
}

/* Whether any seat of d's current round committed. */
static bool any_commit(const disputes_state *st, const proto_dispute *d)
{
    uint32_t round = d->rounds - 1;
    for (guint i = proto_disputes__seat_lower(st, d->job, round, 0); i < st->seats->len; i++) {
        const dispute_seat *x = &g_array_index(st->seats, dispute_seat, i);
        if (x->job != d->job || x->round != round)
            break;
        if (x->committed)
            return true;
    }
    return false;
}

/* Move the due dispute at index k one phase on (it may settle and be
 * removed). */
static void step(proto_state *s, const proto_msg_ctx *ctx, disputes_state *st, guint k)
{
    proto_dispute *d = &g_array_index(st->disputes, proto_dispute, k);
    switch (d->phase) {
    case PROTO_DISPUTE_AWAIT_DEFENCE:
        proto_disputes__settle(s, ctx, st, k, PROTO_RULING_CONSUMER); /* by default */
        return;
    case PROTO_DISPUTE_VERIFY:
        tally_verify(s, ctx, st, k);
        return;
    case PROTO_DISPUTE_COMMIT:
        if (!any_commit(st, d)) {
            tally_panel(s, ctx, st, k);
            return;
        }
        d->phase = PROTO_DISPUTE_REVEAL;
        d->deadline_ns = ctx->time_ns + st->params.vote_ns;
        return;
    case PROTO_DISPUTE_REVEAL:
        tally_panel(s, ctx, st, k);
        return;
    case PROTO_DISPUTE_APPEALABLE:
        proto_disputes__settle(s, ctx, st, k, d->round[d->rounds - 1].ruling);
        return;
    default:
        g_assert_not_reached();
    }
}

static bool anything_due(const disputes_state *st, int64_t now_ns)
{
    for (guint k = 0; k < st->disputes->len; k++)
        if (due(st, &g_array_index(st->disputes, proto_dispute, k), now_ns))
            return true;
    return false;
}

/* In job order, each due dispute one step per block (a phase that a
 * step opens starts its own period from this block); a block where
 * nothing is due records no undo. */
bool proto_disputes__end_block(proto_state *s, const proto_msg_ctx *ctx)
{
    const disputes_state *now = proto_disputes__get(s);
    if (now == NULL || !anything_due(now, ctx->time_ns))
        return true;
    disputes_state *st = proto_disputes__mut(s, ctx->undo);
    guint k = 0;
    while (k < st->disputes->len) {
        proto_dispute *d = &g_array_index(st->disputes, proto_dispute, k);
        if (!due(st, d, ctx->time_ns)) {
            k++;
            continue;
        }
        guint before = st->disputes->len;
        step(s, ctx, st, k);
        if (st->disputes->len == before)
            k++; /* moved on, still live: its next phase waits for a later block */
    }
    return true;
}
