/* A party's side of a dispute on its job (agent.h, "Disputes"): the
 * provider defends, both sides show every drawn juror the evidence, and
 * a side appeals a ruling it believes wrong, once per round.
 *
 * What a side believes: the consumer that rejected believes the result
 * wrong, the provider believes it right. Misbehaving parties differ in
 * one way only: a `wrong-result` provider and a `false-dispute` consumer
 * know the evidence speaks against them and never show it, but they
 * defend and appeal like anyone (a cheat contests; that is what makes
 * cheating expensive). */
#include "protocol/agents/agent_internal.h"

#include "protocol/agents/agent_evidence.h"
#include "protocol/modules/disputes/disputes.h"
#include "protocol/modules/jobs/jobs.h"
#include "protocol/modules/registry/registry.h"

static bool is_provider(const proto_agent *a)
{
    return a->cfg.role == PROTO_AGENT_PROVIDER;
}

static uint64_t balance_of(const proto_state *s, uint32_t account)
{
    const proto_account *acct = proto_state_account(s, account);
    return acct != NULL ? acct->balance : 0;
}

static void defend(proto_agent *a, const proto_state *s, agent_job *j)
{
    if (j->defended || balance_of(s, a->cfg.account) < proto_disputes_params_of(s)->bond)
        return;
    proto_txmsg m = {.type = PROTO_TXMSG_DISPUTE_DEFEND};
    m.dispute_defend.job = j->id;
    if (!agent_submit(a, &m))
        return;
    j->defended = true;
    a->dirty = true;
    agent_report(a, (proto_agent_event){.kind = PROTO_AGENT_EV_DEFENDED, .job = j->id,
                                        .peer = j->peer});
}

/* Show the evidence to every juror drawn in the current round that has
 * not voted yet: at once when the round is new (a juror has a period to
 * re-run and vote), again every AGENT_RESEND_NS while some have not. */
static void show_evidence(proto_agent *a, const proto_state *s, agent_job *j,
                          const proto_dispute *d)
{
    bool withhold = is_provider(a) ? a->cfg.behaviour.wrong_result
                                   : a->cfg.behaviour.false_dispute;
    uint32_t round = d->rounds - 1;
    bool new_round = j->shown != round + 1;
    if (withhold || (!new_round && agent_now(a) < j->next_send_ns))
        return;
    GBytes *evidence = agent_evidence_of(a, s, j);
    if (evidence == NULL)
        return;
    gsize size = 0;
    const uint8_t *plain = g_bytes_get_data(evidence, &size);
    for (uint32_t k = 0; k < proto_disputes_jurors_count(s); k++) {
        uint32_t juror = proto_disputes_juror_at(s, k)->account;
        bool voted = false;
        if (proto_disputes_seats_of(s, j->id, round, juror, &voted, NULL) == 0 || voted)
            continue;
        agent_send_sealed(a, s, NULL, juror, AGENT_MSG_EVIDENCE, j->id, plain, size);
    }
    g_bytes_unref(evidence);
    j->next_send_ns = agent_now(a) + AGENT_RESEND_NS;
    j->shown = (uint8_t)(round + 1);
    a->dirty = true;
}

/* Appeal the current round's ruling when it is not the side's, once. */
static void maybe_appeal(proto_agent *a, const proto_state *s, agent_job *j,
                         const proto_dispute *d)
{
    uint32_t round = d->rounds - 1;
    uint8_t ruling = d->round[round].ruling;
    uint8_t mine = is_provider(a) ? PROTO_RULING_PROVIDER : PROTO_RULING_CONSUMER;
    if (ruling == mine || j->appealed == round + 1 ||
        balance_of(s, a->cfg.account) < proto_disputes_appeal_fee(s, d))
        return;
    proto_txmsg m = {.type = PROTO_TXMSG_DISPUTE_APPEAL};
    m.dispute_appeal.job = j->id;
    m.dispute_appeal.round = (uint8_t)round;
    if (!agent_submit(a, &m))
        return;
    j->appealed = (uint8_t)(round + 1);
    a->dirty = true;
    agent_report(a, (proto_agent_event){.kind = PROTO_AGENT_EV_APPEALED, .job = j->id,
                                        .peer = j->peer, .round = round, .ruling = ruling});
}

void agent_party_tick(proto_agent *a, const proto_state *s, agent_job *j)
{
    const proto_dispute *d = proto_disputes_get(s, j->id);
    if (d == NULL)
        return;
    switch (d->phase) {
    case PROTO_DISPUTE_AWAIT_DEFENCE:
        if (is_provider(a))
            defend(a, s, j);
        break;
    case PROTO_DISPUTE_VERIFY:
    case PROTO_DISPUTE_COMMIT:
        show_evidence(a, s, j, d);
        break;
    case PROTO_DISPUTE_APPEALABLE:
        maybe_appeal(a, s, j, d);
        break;
    default: /* REVEAL: the jurors' move */
        break;
    }
}
