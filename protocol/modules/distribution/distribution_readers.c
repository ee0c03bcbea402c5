/* What reports read of the distribution module (distribution.h): the
 * pools, the outstanding rewards, what has been claimed, and a
 * delegation's pending rewards (the DelegationRewards query: the period
 * ended in thought only). Every reader gives zero when the module is
 * absent.
 *
 * And the module's invariants, x/distribution's keeper/invariants.go:
 * non-negative outstanding rewards, can-withdraw (on a copy of the
 * state: every validator's commission then every delegation withdrawn
 * leaves its outstanding non-negative and its commission below one
 * coin), reference counts (historical references = one per validator +
 * one per delegation + one per slash event), and the module account (its
 * whole tokens = the outstanding rewards + the community pool, exactly).
 *
 * What can-withdraw leaves outstanding is dust, but not a bounded one:
 * staking truncates to whole base units (RemoveDelShares keeps the
 * fraction of a unit in the validator, AddTokensFromDel rounds the
 * shares), so the tokens behind a validator drift above the stakes its
 * delegations started with, and rewards for that drift are never owed
 * to anyone. With Cosmos's 10^6 base units a token it is far below a
 * coin; with a few hundred units it can pass one. Cosmos checks only the
 * sign, and so does this; the tests check the dust where units are
 * realistic. */
#include "protocol/modules/distribution/distribution_internal.h"

proto_dec proto_distribution_community_pool(const proto_state *s)
{
    const dist_state *st = dist__get(s);
    return st != NULL ? st->g.community_pool : proto_dec_zero();
}

uint64_t proto_distribution_community_pool_coins(const proto_state *s)
{
    proto_amount whole;
    g_assert(proto_dec_truncate_int(proto_distribution_community_pool(s), &whole) ==
             PROTO_DEC_OK);
    g_assert(whole >= 0 && whole <= (proto_amount)UINT64_MAX);
    return (uint64_t)whole;
}

uint64_t proto_distribution_fee_collector(const proto_state *s)
{
    const dist_state *st = dist__get(s);
    return st != NULL ? st->g.fee_collector : 0;
}

proto_dec proto_distribution_outstanding_total(const proto_state *s)
{
    const dist_state *st = dist__get(s);
    proto_dec total = proto_dec_zero();
    for (uint32_t i = 0; st != NULL && i < st->count; i++)
        dist__add(&total, st->validators[i].outstanding);
    return total;
}

proto_dec proto_distribution_outstanding(const proto_state *s, uint32_t validator)
{
    const dist_state *st = dist__get(s);
    if (st == NULL || validator >= st->count)
        return proto_dec_zero();
    return st->validators[validator].outstanding;
}

proto_dec proto_distribution_commission(const proto_state *s, uint32_t validator)
{
    const dist_state *st = dist__get(s);
    if (st == NULL || validator >= st->count)
        return proto_dec_zero();
    return st->validators[validator].commission;
}

uint64_t proto_distribution_rewards_claimed(const proto_state *s)
{
    const dist_state *st = dist__get(s);
    return st != NULL ? st->g.rewards_claimed : 0;
}

uint64_t proto_distribution_commission_claimed(const proto_state *s)
{
    const dist_state *st = dist__get(s);
    return st != NULL ? st->g.commission_claimed : 0;
}

uint64_t proto_distribution_historical_references(const proto_state *s)
{
    const dist_state *st = dist__get(s);
    uint64_t refs = 0;
    for (guint k = 0; st != NULL && k < st->tables[DIST_HISTORICAL]->len; k++)
        refs += dist__at(st, DIST_HISTORICAL, k)->hist.refs;
    return refs;
}

/* The period that would end now is the current one, with R as
 * IncrementValidatorPeriod would set it. */
bool proto_distribution_pending_rewards(const proto_state *s, uint64_t height, uint32_t delegator,
                                        uint32_t validator, proto_dec *rewards)
{
    const dist_state *st = dist__get(s);
    if (st == NULL || validator >= st->count || !st->validators[validator].initialized ||
        dist__find(st, DIST_STARTS, dist__key_start(validator, delegator)) == NULL)
        return false;
    uint64_t end = st->validators[validator].period;
    *rewards = dist__rewards(s, validator, delegator, height, end,
                             dist__ratio_if_ended(s, validator));
    return true;
}

static void broken(GString *why, bool *ok, const char *sentence)
{
    g_string_append_printf(why, "%s%s", *ok ? "" : ", ", sentence);
    *ok = false;
}

/* NonNegativeOutstandingInvariant, and the other decimals' signs. */
static void check_signs(const dist_state *st, GString *why, bool *ok)
{
    for (uint32_t i = 0; i < st->count; i++) {
        const dist_validator *v = &st->validators[i];
        if (proto_dec_is_negative(v->outstanding))
            broken(why, ok, "a validator's outstanding rewards are negative");
        if (proto_dec_is_negative(v->commission) || proto_dec_is_negative(v->current))
            broken(why, ok, "a validator's commission or current rewards are negative");
        if (proto_dec_gt(v->commission, v->outstanding))
            broken(why, ok, "a validator's commission exceeds its outstanding rewards");
    }
    if (proto_dec_is_negative(st->g.community_pool))
        broken(why, ok, "the community pool is negative");
}

/* ModuleAccountInvariant: exact, as every decimal that left the sum left
 * as a whole coin. */
static void check_module_account(const dist_state *st, GString *why, bool *ok)
{
    proto_dec sum = st->g.community_pool;
    for (uint32_t i = 0; i < st->count; i++)
        dist__add(&sum, st->validators[i].outstanding);
    if (!proto_dec_eq(sum, proto_dec_from_amount((proto_amount)st->g.tokens)))
        broken(why, ok, "the module account is not the outstanding rewards plus the "
                        "community pool");
}

/* ReferenceCountInvariant, and one starting info per delegation. */
static void check_references(const proto_state *s, const dist_state *st, GString *why, bool *ok)
{
    uint64_t refs = 0, validators = 0;
    const GArray *hist = st->tables[DIST_HISTORICAL];
    for (guint k = 0; k < hist->len; k++)
        refs += g_array_index(hist, dist_entry, k).hist.refs;
    for (uint32_t i = 0; i < st->count; i++)
        validators += st->validators[i].initialized ? 1 : 0;
    uint64_t starts = st->tables[DIST_STARTS]->len, slashes = st->tables[DIST_SLASHES]->len;
    if (refs != validators + starts + slashes)
        broken(why, ok, "historical reference counts are not validators + delegations + "
                        "slash events");
    const proto_staking_state *sk = proto_staking_get(s);
    if (sk == NULL || proto_staking_delegations_count(sk) != starts) {
        broken(why, ok, "the starting infos are not one per delegation");
        return;
    }
    for (uint32_t k = 0; k < starts; k++) {
        const proto_staking_delegation *d = proto_staking_delegation_at(sk, k);
        if (dist__find(st, DIST_STARTS, dist__key_start(d->validator, d->delegator)) == NULL) {
            broken(why, ok, "a delegation has no starting info");
            return;
        }
    }
}

/* Withdraw one validator's commission and delegations in c (a private
 * copy); false if its outstanding went negative or its commission kept a
 * whole coin. */
static bool withdraw_all(proto_state *c, uint32_t i)
{
    if (proto_dec_is_positive(dist__get(c)->validators[i].commission))
        dist__withdraw_commission(c, i, NULL);
    const proto_staking_state *sk = proto_staking_get(c);
    for (uint32_t k = 0; k < proto_staking_delegations_count(sk); k++) {
        const proto_staking_delegation *d = proto_staking_delegation_at(sk, k);
        if (d->validator == i)
            dist__withdraw_delegation(c, i, d->delegator, UINT64_MAX, NULL);
    }
    const dist_validator *v = &dist__get(c)->validators[i];
    return !proto_dec_is_negative(v->outstanding) && proto_dec_lt(v->commission, proto_dec_one());
}

/* CanWithdrawInvariant, on a copy (height "never": no delegation counts
 * as started in the current block). */
static void check_can_withdraw(const proto_state *s, const dist_state *st, GString *why, bool *ok)
{
    proto_state *c = proto_state_copy(s);
    for (uint32_t i = 0; i < st->count; i++) {
        if (st->validators[i].initialized && !withdraw_all(c, i)) {
            broken(why, ok, "withdrawing everything leaves a validator's outstanding "
                            "rewards negative");
            break;
        }
    }
    proto_state_free(c);
}

bool dist__invariants(const proto_state *s, const void *state, GString *why)
{
    if (state == NULL)
        return true;
    const dist_state *st = state;
    bool ok = true;
    check_signs(st, why, &ok);
    check_module_account(st, why, &ok);
    check_references(s, st, why, &ok);
    if (ok) /* the replay asserts what the checks above judge */
        check_can_withdraw(s, st, why, &ok);
    return ok;
}
