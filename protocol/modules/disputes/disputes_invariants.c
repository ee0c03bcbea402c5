/* The disputes module's invariants (disputes.h), checked against the
 * jobs module: jurors in account order with valid roles, each an
 * account; disputes in job order, each on a live DISPUTED job (and each
 * DISPUTED job with its dispute), its phase, rounds, bonds and deadline
 * consistent; seats in (job, round, juror) order, each of a live
 * dispute's started round and of a juror, summing to the round's seats,
 * votes only where the phase allows them; and the module's tokens
 * (stakes, bonds, appeal fees) equal to what it holds. */
#include "protocol/modules/disputes/disputes_internal.h"
#include "protocol/modules/jobs/jobs.h"

static void broken(GString *why, bool *ok, const char *sentence, uint64_t id)
{
    g_string_append_printf(why, "%s%s (%" G_GUINT64_FORMAT ")", *ok ? "" : ", ", sentence, id);
    *ok = false;
}

static void check_jurors(const proto_state *s, const disputes_state *st, uint64_t *tokens,
                         GString *why, bool *ok)
{
    for (guint k = 0; k < st->jurors->len; k++) {
        const proto_juror *j = &g_array_index(st->jurors, proto_juror, k);
        if (k > 0 && g_array_index(st->jurors, proto_juror, k - 1).account >= j->account)
            broken(why, ok, "jurors are not sorted by account", j->account);
        if (j->account >= proto_state_account_count(s))
            broken(why, ok, "a juror is not an account", j->account);
        if (j->roles == 0 || (j->roles & ~(PROTO_JUROR_VERIFIER | PROTO_JUROR_ARBITER)) != 0)
            broken(why, ok, "a juror has no role or an unknown one", j->account);
        *tokens += j->stake;
    }
}

/* One dispute on its own and against its job. */
static void check_dispute(const proto_state *s, const disputes_state *st,
                          const proto_dispute *d, uint64_t *tokens, GString *why, bool *ok)
{
    const proto_disputes_params *p = &st->params;
    const proto_job *job = proto_jobs_get(s, d->job);
    if (job == NULL || job->status != PROTO_JOB_DISPUTED || job->consumer != d->consumer ||
        job->provider != d->provider)
        broken(why, ok, "a dispute is not on a live disputed job of its parties", d->job);
    bool defended = d->phase != PROTO_DISPUTE_AWAIT_DEFENCE;
    if (d->phase == 0 || d->phase >= PROTO_DISPUTE_PHASE_COUNT)
        broken(why, ok, "a dispute has an unknown phase", d->job);
    if (d->bonds != (defended ? 2 * p->bond : p->bond))
        broken(why, ok, "a dispute's bonds are not its sides' bonds", d->job);
    if ((d->rounds == 0) == defended || d->rounds > PROTO_DISPUTES_ROUNDS_MAX)
        broken(why, ok, "a dispute's rounds do not fit its phase", d->job);
    if ((d->phase == PROTO_DISPUTE_VERIFY && d->rounds != 1) ||
        ((d->phase == PROTO_DISPUTE_COMMIT || d->phase == PROTO_DISPUTE_REVEAL) && d->rounds < 2))
        broken(why, ok, "a dispute's phase is not its round's tier's", d->job);
    if (d->deadline_ns <= d->opened_ns)
        broken(why, ok, "a dispute's deadline is not after its opening", d->job);
    *tokens += d->bonds;
    for (uint32_t r = 0; r < d->rounds; r++) {
        *tokens += d->round[r].fees;
        if (d->round[r].ruling >= PROTO_RULING_COUNT)
            broken(why, ok, "a round has an unknown ruling", d->job);
        if (r == 0 && d->round[r].fees != 0)
            broken(why, ok, "tier 1 has appeal fees", d->job);
    }
}

/* The seats, walked alongside the disputes. */
static void check_seats(const disputes_state *st, GString *why, bool *ok)
{
    guint i = 0;
    for (guint k = 0; k < st->disputes->len; k++) {
        const proto_dispute *d = &g_array_index(st->disputes, proto_dispute, k);
        uint32_t seats[PROTO_DISPUTES_ROUNDS_MAX] = {0};
        for (; i < st->seats->len; i++) {
            const dispute_seat *x = &g_array_index(st->seats, dispute_seat, i);
            if (x->job != d->job)
                break;
            if (i > 0) {
                const dispute_seat *y = &g_array_index(st->seats, dispute_seat, i - 1);
                if (y->job == x->job &&
                    (y->round > x->round || (y->round == x->round && y->juror >= x->juror)))
                    broken(why, ok, "seats are not sorted", x->job);
            }
            if (x->round >= d->rounds || x->seats == 0) {
                broken(why, ok, "a seat is outside its dispute's rounds", x->job);
                continue;
            }
            if (proto_disputes__juror(st, x->juror) < 0)
                broken(why, ok, "a seat is not a juror's", x->juror);
            if (x->revealed && !x->committed)
                broken(why, ok, "a vote was revealed without a commit", x->job);
            if (x->round > 0 && (x->vote != 0) != x->revealed)
                broken(why, ok, "a panel vote counts without its reveal", x->job);
            if (x->round == 0 && x->committed)
                broken(why, ok, "a verifier committed", x->job);
            seats[x->round] += x->seats;
        }
        for (uint32_t r = 0; r < d->rounds; r++)
            if (seats[r] != d->round[r].seats)
                broken(why, ok, "a round's seats do not sum to its size", d->job);
    }
    if (i != st->seats->len)
        broken(why, ok, "a seat belongs to no live dispute", 0);
}

bool proto_disputes__invariants(const proto_state *s, const void *state, GString *why)
{
    if (state == NULL)
        return true;
    const disputes_state *st = state;
    bool ok = true;
    uint64_t tokens = 0;
    check_jurors(s, st, &tokens, why, &ok);
    for (guint k = 0; k < st->disputes->len; k++) {
        const proto_dispute *d = &g_array_index(st->disputes, proto_dispute, k);
        if (k > 0 && g_array_index(st->disputes, proto_dispute, k - 1).job >= d->job)
            broken(why, &ok, "disputes are not sorted by job", d->job);
        check_dispute(s, st, d, &tokens, why, &ok);
    }
    check_seats(st, why, &ok);
    uint32_t disputed = 0;
    for (uint32_t k = 0; k < proto_jobs_count(s); k++)
        disputed += proto_jobs_at(s, k)->status == PROTO_JOB_DISPUTED;
    if (disputed != st->disputes->len)
        broken(why, &ok, "disputed jobs and disputes differ in number", disputed);
    if (tokens != st->held)
        broken(why, &ok, "stakes, bonds and appeal fees are not what the module holds",
               st->held);
    return ok;
}
