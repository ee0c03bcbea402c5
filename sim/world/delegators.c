/* The delegators of [staking] (sim/world/chain_staking.c gives them their
 * accounts and genesis delegations): clients that manage their stake the
 * way a wallet user who reads a staking dashboard would.
 *
 * Operations arrive as a Poisson process at `delegation_rate`, each by a
 * delegator drawn uniformly. The delegator asks a live node for the
 * chain's state (the node's committed state, what an RPC query returns)
 * and scores every validator: zero when jailed or tombstoned, else
 * (1 - commission) x (signed blocks of the downtime window; all of them
 * for a candidate outside the active set, which has no record yet), so
 * lower commission and better uptime win, and stake can lift a
 * candidate into the set. "Good" validators score within 2%
 * of the best. Then:
 *   - a delegation at a validator that is not good moves: REDELEGATE all
 *     of it to a random good validator (UNDELEGATE when a redelegation
 *     into that validator is still maturing: Cosmos forbids transitive
 *     redelegation);
 *   - otherwise, at random: DELEGATE (40%: half the genesis delegation,
 *     to a random good validator), UNDELEGATE half of a random
 *     delegation (20%), REDELEGATE a random delegation to another good
 *     validator (15%), CANCEL_UNBONDING of its newest unbonding entry
 *     (10%), or claim its rewards from a random one of its validators
 *     (15%: WITHDRAW_REWARDS).
 * (Any change to a delegation pays out its rewards too, as Cosmos does.)
 * Every operation is one signed envelope sent through the workload's
 * clients (workload.c: priced, retried, counted like a transfer), with
 * its exact gas plus 10%. The chain may still refuse it (a state that
 * moved since the query, an eighth unbonding entry): the refusal is the
 * chain's to count.
 *
 * Draws come from the stream "delegators", so the transfer workload's
 * draws are the same with or without delegators. */
#include "sim/world/world_internal.h"

#include "protocol/chain/gas.h"
#include "protocol/chain/tx_exec.h"
#include "protocol/modules/distribution/distribution.h"
#include "protocol/modules/staking/staking.h"
#include "protocol/modules/validator/validator.h"
#include "protocol/pbft/pbft.h"

/* Percent shares of the random operations (the rest claims). */
#define DELEGATORS_DELEGATE_PCT 40u
#define DELEGATORS_UNDELEGATE_PCT 20u
#define DELEGATORS_REDELEGATE_PCT 15u
#define DELEGATORS_CANCEL_PCT 10u
/* Validators scoring within 1/GOOD_WITHIN of the best are good. */
#define DELEGATORS_GOOD_WITHIN 50u

static uint64_t score_of(const proto_staking_validator *v, const proto_validator *val,
                         uint32_t window)
{
    if (!v->created || v->jailed || v->tombstoned || val->jailed)
        return 0;
    /* A candidate outside the active set has no record to judge: its
     * commission alone counts, so stake can lift it into the set. */
    uint64_t missed = v->status == PROTO_STAKING_BONDED ? MIN(val->signing.missed_count, window)
                                                        : 0;
    /* A rate <= 1 is its low limb, x 10^-18 (dec.h). */
    uint64_t keep = (PROTO_TXMSG_RATE_ONE - v->commission.rate.mag[0]) / 1000000000000ULL;
    return keep * (window - missed + 1);
}

/* What a delegator sees of the chain for one decision. */
typedef struct delegator_view {
    const proto_staking_state *st;
    uint32_t account;      /* the delegator's chain account */
    uint32_t count;        /* validators */
    uint64_t *scores;      /* [count] */
    uint64_t good_min;     /* a score at least this is good; 0: nobody is */
} delegator_view;

static void view_scores(delegator_view *dv, const proto_state *s)
{
    const proto_valset *vs = proto_validator_set(s);
    uint32_t window = proto_valset_params(vs)->downtime.window;
    uint64_t best = 0;
    for (uint32_t i = 0; i < dv->count; i++) {
        dv->scores[i] = score_of(proto_staking_validator_get(dv->st, i), proto_valset_get(vs, i),
                                 window);
        best = MAX(best, dv->scores[i]);
    }
    dv->good_min = best == 0 ? 0 : MAX(best - best / DELEGATORS_GOOD_WITHIN, 1);
}

static bool is_good(const delegator_view *dv, uint32_t i)
{
    return dv->good_min > 0 && dv->scores[i] >= dv->good_min;
}

/* A random good validator other than `avoid`, or UINT32_MAX. */
static uint32_t pick_good(const delegator_view *dv, sim_rng *rng, uint32_t avoid)
{
    uint32_t good = 0;
    for (uint32_t i = 0; i < dv->count; i++)
        good += is_good(dv, i) && i != avoid;
    if (good == 0)
        return UINT32_MAX;
    uint64_t k = sim_rng_below(rng, good);
    for (uint32_t i = 0; i < dv->count; i++)
        if (is_good(dv, i) && i != avoid && k-- == 0)
            return i;
    g_assert_not_reached();
}

/* The delegator's delegations: indexes [*first, *last) of the sorted
 * records. */
static void own_delegations(const delegator_view *dv, uint32_t *first, uint32_t *last)
{
    uint32_t n = proto_staking_delegations_count(dv->st), lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (proto_staking_delegation_at(dv->st, mid)->delegator < dv->account)
            lo = mid + 1;
        else
            hi = mid;
    }
    *first = lo;
    while (hi < n && proto_staking_delegation_at(dv->st, hi)->delegator == dv->account)
        hi++;
    *last = MAX(hi, lo);
}

/* The whole tokens a delegation is worth, truncated; 0 if none. */
static uint64_t delegation_tokens(const delegator_view *dv, const proto_staking_delegation *d)
{
    proto_amount whole = proto_staking_delegation_tokens(dv->st, d);
    return whole > (proto_amount)UINT64_MAX ? UINT64_MAX : (uint64_t)whole;
}

/* A redelegation into `validator` by this delegator still maturing:
 * redelegating out of it would be transitive. */
static bool receiving(const delegator_view *dv, uint32_t validator)
{
    for (uint32_t k = 0; k < proto_staking_redelegations_count(dv->st); k++) {
        const proto_staking_redelegation *r = proto_staking_redelegation_at(dv->st, k);
        if (r->delegator == dv->account && r->dst == validator)
            return true;
    }
    return false;
}

/* Move (or, when it cannot, unbond) all of delegation d. */
static bool move_all(const delegator_view *dv, sim_rng *rng, const proto_staking_delegation *d,
                     proto_txmsg *msg)
{
    uint64_t amount = delegation_tokens(dv, d);
    if (amount == 0)
        return false;
    uint32_t dst = pick_good(dv, rng, d->validator);
    if (dst == UINT32_MAX || receiving(dv, d->validator)) {
        *msg = (proto_txmsg){.type = PROTO_TXMSG_UNDELEGATE,
                             .delegate = {.validator = d->validator, .amount = amount}};
        return true;
    }
    *msg = (proto_txmsg){.type = PROTO_TXMSG_REDELEGATE,
                         .redelegate = {.src = d->validator, .dst = dst, .amount = amount}};
    return true;
}

/* The newest unbonding entry of this delegator, or NULL. */
static const proto_staking_unbonding *newest_unbonding(const delegator_view *dv)
{
    const proto_staking_unbonding *best = NULL;
    for (uint32_t k = 0; k < proto_staking_unbondings_count(dv->st); k++) {
        const proto_staking_unbonding *e = proto_staking_unbonding_at(dv->st, k);
        if (e->delegator == dv->account && e->balance > 0 &&
            (best == NULL || e->creation_height > best->creation_height))
            best = e;
    }
    return best;
}

static bool delegate_more(const delegator_view *dv, sim_rng *rng, uint64_t amount,
                          proto_txmsg *msg)
{
    uint32_t to = pick_good(dv, rng, UINT32_MAX);
    if (to == UINT32_MAX || amount == 0)
        return false;
    *msg = (proto_txmsg){.type = PROTO_TXMSG_DELEGATE,
                         .delegate = {.validator = to, .amount = amount}};
    return true;
}

/* One of the random operations on delegation d (may be NULL: none). */
static bool random_op(const delegator_view *dv, sim_rng *rng, const proto_staking_delegation *d,
                      uint64_t delegate_amount, proto_txmsg *msg)
{
    uint64_t r = sim_rng_below(rng, 100);
    uint64_t worth = d != NULL ? delegation_tokens(dv, d) : 0;
    if (r < DELEGATORS_DELEGATE_PCT || d == NULL || worth == 0)
        return delegate_more(dv, rng, delegate_amount, msg);
    r -= DELEGATORS_DELEGATE_PCT;
    if (r < DELEGATORS_UNDELEGATE_PCT) {
        *msg = (proto_txmsg){.type = PROTO_TXMSG_UNDELEGATE,
                             .delegate = {.validator = d->validator, .amount = MAX(worth / 2, 1)}};
        return true;
    }
    r -= DELEGATORS_UNDELEGATE_PCT;
    if (r < DELEGATORS_REDELEGATE_PCT)
        return move_all(dv, rng, d, msg);
    r -= DELEGATORS_REDELEGATE_PCT;
    const proto_staking_unbonding *e = newest_unbonding(dv);
    if (r < DELEGATORS_CANCEL_PCT && e != NULL) {
        *msg = (proto_txmsg){.type = PROTO_TXMSG_CANCEL_UNBONDING,
                             .cancel_unbonding = {.validator = e->validator,
                                                  .amount = (uint64_t)e->balance,
                                                  .creation_height = e->creation_height}};
        return true;
    }
    *msg = (proto_txmsg){.type = PROTO_TXMSG_WITHDRAW_REWARDS,
                         .withdraw = {.validator = d->validator}};
    return true;
}

/* The delegator's decision (see the top of the file). */
static bool decide(const delegator_view *dv, sim_rng *rng, uint64_t delegate_amount,
                   proto_txmsg *msg)
{
    uint32_t first = 0, last = 0;
    own_delegations(dv, &first, &last);
    for (uint32_t k = first; k < last; k++) {
        const proto_staking_delegation *d = proto_staking_delegation_at(dv->st, k);
        if (!is_good(dv, d->validator) && move_all(dv, rng, d, msg))
            return true;
    }
    const proto_staking_delegation *d =
        last > first ? proto_staking_delegation_at(
                           dv->st, first + (uint32_t)sim_rng_below(rng, last - first))
                     : NULL;
    return random_op(dv, rng, d, delegate_amount, msg);
}

/* The committed state of the first live node from a random start, or
 * NULL when every node is down. */
static const proto_state *query_state(sim_world *w, sim_rng *rng)
{
    uint32_t start = (uint32_t)sim_rng_below(rng, w->nodes_count);
    for (uint32_t k = 0; k < w->nodes_count; k++) {
        const sim_node_slot *slot = &w->nodes[(start + k) % w->nodes_count];
        if (slot->up && !slot->leaving && slot->consensus != NULL)
            return pbft_node_state(slot->consensus);
    }
    return NULL;
}

static uint64_t msg_gas_limit(const sim_world *w, const proto_txmsg *msg)
{
    proto_txenv tx = {.message_count = 1};
    tx.messages[0] = *msg;
    const proto_gas_schedule *gas = &w->chain.rules.gas;
    uint64_t msg_gas = msg->type == PROTO_TXMSG_WITHDRAW_REWARDS
                           ? proto_distribution_msg_gas(gas, msg->type)
                           : proto_staking_msg_gas(gas, msg->type);
    uint64_t exact = proto_tx_ante_gas(gas, proto_txenv_wire_size(&tx)) + msg_gas;
    return exact + exact / 10;
}

static void operation(void *ctx, uint64_t a, uint64_t b)
{
    (void)a, (void)b;
    sim_world *w = ctx;
    sim_delegators *dl = &w->delegators;
    uint32_t k = (uint32_t)sim_rng_below(&dl->rng, w->chain.delegators_count);
    const proto_state *s = query_state(w, &dl->rng);
    const proto_staking_state *st = s != NULL ? proto_staking_get(s) : NULL;
    if (st != NULL) {
        delegator_view dv = {.st = st,
                             .account = w->chain.first_delegator_account + k,
                             .count = proto_staking_validators_count(st)};
        dv.scores = g_new0(uint64_t, dv.count);
        view_scores(&dv, s);
        proto_txmsg msg;
        if (decide(&dv, &dl->rng, dl->delegate_amount, &msg) &&
            sim_workload_send(w, &dl->rng, w->workload.opt.accounts + k, &msg,
                              msg_gas_limit(w, &msg)))
            dl->sent[msg.type]++;
        g_free(dv.scores);
    }
    int64_t next = sim_sched_now(w->sched) +
                   (int64_t)(sim_rng_exponential(&dl->rng, 1.0 / dl->rate_per_s) * 1e9) + 1;
    if (next <= w->workload.opt.end_ns)
        sim_sched_at(w->sched, next, operation, w, 0, 0);
}

void sim_delegators_init(sim_world *w, double rate_per_s, uint64_t delegate_amount)
{
    sim_delegators *dl = &w->delegators;
    *dl = (sim_delegators){.rate_per_s = rate_per_s, .delegate_amount = delegate_amount};
    sim_rng_init(&dl->rng, w->workload.opt.seed, "delegators");
    if (rate_per_s <= 0 || w->chain.delegators_count == 0)
        return;
    int64_t first = (int64_t)(sim_rng_exponential(&dl->rng, 1.0 / rate_per_s) * 1e9) + 1;
    if (first <= w->workload.opt.end_ns)
        sim_sched_at(w->sched, first, operation, w, 0, 0);
}

void sim_delegators_unbond_all(sim_world *w, uint32_t validator, uint32_t to)
{
    sim_delegators *dl = &w->delegators;
    const proto_state *s = query_state(w, &dl->rng);
    const proto_staking_state *st = s != NULL ? proto_staking_get(s) : NULL;
    if (st == NULL)
        return;
    uint32_t first = w->chain.first_delegator_account;
    for (uint32_t k = 0; k < proto_staking_delegations_count(st); k++) {
        const proto_staking_delegation *d = proto_staking_delegation_at(st, k);
        if (d->validator != validator || d->delegator < first ||
            d->delegator - first >= w->chain.delegators_count)
            continue;
        delegator_view dv = {.st = st, .account = d->delegator};
        uint64_t amount = delegation_tokens(&dv, d);
        if (amount == 0)
            continue;
        proto_txmsg msg = {.type = PROTO_TXMSG_UNDELEGATE,
                           .delegate = {.validator = validator, .amount = amount}};
        if (to != UINT32_MAX)
            msg = (proto_txmsg){.type = PROTO_TXMSG_REDELEGATE,
                                .redelegate = {.src = validator, .dst = to, .amount = amount}};
        if (sim_workload_send(w, &dl->rng, w->workload.opt.accounts + (d->delegator - first),
                              &msg, msg_gas_limit(w, &msg)))
            dl->sent[msg.type]++;
    }
}
