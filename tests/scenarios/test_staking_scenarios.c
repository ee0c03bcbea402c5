/* The staking economy in whole worlds (PBFT with [staking]): the staking
 * module under the validator set, minting and F1 distribution, and the
 * delegators' workload.
 *
 *   slash reaches      7 validators of 1000 with 10 delegators of 100
 *   delegators         each; v2 double-signs: its power at the
 *                      infraction (2000) is slashed by 1/20, so its own
 *                      bond ends at 950 and every one of its delegators'
 *                      at exactly 95; nobody else loses a token; every
 *                      delegator can claim rewards, equal delegations of
 *                      one validator exactly the same.
 *   unbonding does     the same, and v2's delegators undelegate after the
 *   not escape         infraction but before the block that slashes it:
 *                      their unbonding entries are slashed with v2
 *                      (balance 95 of 100). (Entries made at a height
 *                      below the infraction's are not: Cosmos's rule.)
 *   redelegation      the same delegators redelegate to v3 instead: the
 *   slashed at its    slash cuts their new stake at v3 to 95 while v3's
 *   source            own delegators keep 100.
 *   inflation follows  most of the supply bonded at first, then less as
 *   the goal           minting grows the supply: every block moves the
 *                      inflation down while the bonded ratio is above
 *                      goal_bonded and up while it is below, and both
 *                      happen.
 *   stake split        alpha splits 1000 over four validators, beta holds
 *                      1000 in one: alpha's power is beta's, not more,
 *                      and its rewards are one validator's of 1000.
 *   set rotation       ten candidates for seven seats with churning
 *                      delegators: never more than seven hold power, and
 *                      more than seven different validators propose
 *                      final blocks over the run. */
#include "scenario_support.h"

#include <math.h>
#include <string.h>

#define SEVEN_STAKED                                                                               \
    "[scenario]\nduration = 30s\n[network]\nvalidators = 7\ntopology = direct\n"                   \
    "[consensus]\nprotocol = pbft\nblock_interval = 1s\nview_timeout = 2s\nstakes = 1000\n"        \
    "crypto = fast\n[workload]\naccounts = 10\n[staking]\ndelegators = 70\n"                       \
    "delegator_stake = 100\n[fault eq]\naction = byzantine\nat = 10s\nnodes = v2\n"                \
    "behavior = equivocate\n"

/* Accounts: the workload's 10, then the 7 operators, then the
 * delegators. */
#define OPERATOR_OF(v) (10u + (v))
#define FIRST_DELEGATOR 17u

static const sim_slashing_record *only_slashing(const scen_run *r)
{
    const GArray *s = sim_world_metrics(r->world)->slashings;
    scen_assert(r, s->len == 1, "%u slashings", s->len);
    const sim_slashing_record *x = &g_array_index(s, sim_slashing_record, 0);
    scen_assert(r, x->validator == 2 && strcmp(x->reason, "double-sign") == 0,
                "slashed v%u for %s", x->validator, x->reason);
    scen_assert(r, x->amount == 100, "burned %" G_GUINT64_FORMAT " (1/20 of 2000)", x->amount);
    return x;
}

START_TEST(slash_reaches_every_delegator)
{
    scen_run *r = scen_run_text(SEVEN_STAKED, NULL);
    only_slashing(r);
    const GArray *d = sim_world_metrics(r->world)->delegations;
    scen_assert(r, d->len == 77, "%u delegations", d->len);
    for (guint i = 0; i < d->len; i++) {
        const sim_delegation_record *x = &g_array_index(d, sim_delegation_record, i);
        bool own = x->delegator == OPERATOR_OF(x->validator);
        uint64_t want = x->validator == 2 ? (own ? 950 : 95) : (own ? 1000 : 100);
        scen_assert(r, x->tokens == want,
                    "account %u at v%u holds %" G_GUINT64_FORMAT ", want %" G_GUINT64_FORMAT,
                    x->delegator, x->validator, x->tokens, want);
    }
    /* Nobody withdrew: every delegator has rewards to claim, and the ten
     * equal delegations of one validator have exactly equal claims (F1). */
    uint64_t claim_of[7] = {0};
    for (guint i = 0; i < d->len; i++) {
        const sim_delegation_record *x = &g_array_index(d, sim_delegation_record, i);
        if (x->delegator == OPERATOR_OF(x->validator))
            continue;
        scen_assert(r, x->claimable > 0, "account %u at v%u has nothing to claim", x->delegator,
                    x->validator);
        if (claim_of[x->validator] == 0)
            claim_of[x->validator] = x->claimable;
        scen_assert(r, x->claimable == claim_of[x->validator],
                    "account %u at v%u can claim %" G_GUINT64_FORMAT ", its peers %" G_GUINT64_FORMAT,
                    x->delegator, x->validator, x->claimable, claim_of[x->validator]);
    }
    scen_run_free(r);
}
END_TEST

START_TEST(unbonding_does_not_escape)
{
    g_autofree char *text = g_strconcat(SEVEN_STAKED,
                                        "[fault escape]\naction = unbond\nat = 13500ms\n"
                                        "nodes = v2\n",
                                        NULL);
    scen_run *r = scen_run_text(text, NULL);
    const sim_slashing_record *s = only_slashing(r);
    const GArray *u = sim_world_metrics(r->world)->unbondings;
    scen_assert(r, u->len == 10, "%u unbonding entries", u->len);
    for (guint i = 0; i < u->len; i++) {
        const sim_unbonding_record *e = &g_array_index(u, sim_unbonding_record, i);
        scen_assert(r, e->validator == 2 && e->delegator >= FIRST_DELEGATOR, "entry of %u at v%u",
                    e->delegator, e->validator);
        scen_assert(r, e->creation_height >= s->evidence_height,
                    "entry made at %" G_GUINT64_FORMAT " before the infraction",
                    e->creation_height);
        /* Made before the slash: 100 undelegated, 5 slashed; made after
         * it: 95 undelegated. Either way 95 is left. */
        scen_assert(r, e->balance == 95,
                    "entry of %u: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " left",
                    e->delegator, e->balance, e->initial_balance);
        /* Here they unbond between the infraction (height 11) and the
         * block that slashes it (13): the entries themselves are cut. */
        scen_assert(r, e->initial_balance == 100 && e->creation_height < s->height,
                    "entry of %u made at %" G_GUINT64_FORMAT " with %" G_GUINT64_FORMAT
                    ": not between the infraction and the slash",
                    e->delegator, e->creation_height, e->initial_balance);
    }
    const GArray *d = sim_world_metrics(r->world)->delegations;
    for (guint i = 0; i < d->len; i++) {
        const sim_delegation_record *x = &g_array_index(d, sim_delegation_record, i);
        scen_assert(r, x->validator != 2 || x->delegator == OPERATOR_OF(2),
                    "account %u still delegates to v2", x->delegator);
    }
    scen_run_free(r);
}
END_TEST

/* Redelegating v2 -> v3 between the infraction and the slash: the slash
 * reaches the stake at v3 (the redelegation is slashed at its source),
 * while v3's own delegators lose nothing. */
START_TEST(redelegation_is_slashed_at_its_source)
{
    g_autofree char *text = g_strconcat(SEVEN_STAKED,
                                        "[fault move]\naction = unbond\nat = 13500ms\n"
                                        "nodes = v2\nto = v3\n",
                                        NULL);
    scen_run *r = scen_run_text(text, NULL);
    only_slashing(r);
    const GArray *d = sim_world_metrics(r->world)->delegations;
    guint moved = 0;
    for (guint i = 0; i < d->len; i++) {
        const sim_delegation_record *x = &g_array_index(d, sim_delegation_record, i);
        bool own = x->delegator == OPERATOR_OF(x->validator);
        scen_assert(r, x->validator != 2 || own, "account %u still delegates to v2",
                    x->delegator);
        if (x->validator != 3 || own)
            continue;
        /* v2's ten delegators came with 100 each and were cut to 95 at
         * v3; v3's own ten keep 100. (Delegator k started at k mod 7.) */
        bool from_v2 = (x->delegator - FIRST_DELEGATOR) % 7 == 2;
        uint64_t want = from_v2 ? 95 : 100;
        moved += from_v2;
        scen_assert(r, x->tokens == want,
                    "account %u at v3 holds %" G_GUINT64_FORMAT ", want %" G_GUINT64_FORMAT,
                    x->delegator, x->tokens, want);
    }
    scen_assert(r, moved == 10, "%u redelegations reached v3", moved);
    scen_run_free(r);
}
END_TEST

START_TEST(inflation_follows_the_goal)
{
    scen_run *r = scen_run_text(
        "[scenario]\nduration = 150s\n[network]\nvalidators = 4\ntopology = direct\n"
        "[consensus]\nprotocol = pbft\nblock_interval = 1s\nstakes = 10000000000000\n"
        "crypto = fast\n[workload]\naccounts = 10\n[staking]\nyear = 1min\n",
        NULL);
    const GArray *st = sim_world_metrics(r->world)->staking;
    scen_assert(r, st->len > 100, "%u staking records", st->len);
    const double goal = 0.67;
    guint down = 0, up = 0;
    for (guint i = 1; i < st->len; i++) {
        const sim_staking_record *a = &g_array_index(st, sim_staking_record, i - 1);
        const sim_staking_record *b = &g_array_index(st, sim_staking_record, i);
        scen_assert(r, b->minted > a->minted, "height %" G_GUINT64_FORMAT " minted nothing",
                    b->height);
        if (b->height != a->height + 1 || fabs(a->staking_ratio - goal) < 1e-9)
            continue;
        if (a->staking_ratio > goal) {
            scen_assert(r, b->inflation <= a->inflation,
                        "height %" G_GUINT64_FORMAT ": ratio %g above the goal, inflation rose "
                        "%.12f -> %.12f",
                        b->height, a->staking_ratio, a->inflation, b->inflation);
            down += b->inflation < a->inflation;
        } else {
            scen_assert(r, b->inflation >= a->inflation,
                        "height %" G_GUINT64_FORMAT ": ratio %g below the goal, inflation fell "
                        "%.12f -> %.12f",
                        b->height, a->staking_ratio, a->inflation, b->inflation);
            up += b->inflation > a->inflation;
        }
        scen_assert(r, b->inflation >= 0.07 - 1e-12 && b->inflation <= 0.20 + 1e-12,
                    "inflation %g out of bounds", b->inflation);
    }
    scen_assert(r, down > 10 && up > 10, "inflation fell %u times and rose %u times", down, up);
    scen_assert(r, scen_figure(r, "conservation_held") == 1, "conservation broke");
    scen_run_free(r);
}
END_TEST

START_TEST(stake_split_buys_no_power)
{
    scen_run *r = scen_run_text(
        "[scenario]\nduration = 60s\n[network]\nvalidators = 9\ntopology = direct\n"
        "[consensus]\nprotocol = pbft\nblock_interval = 1s\ncrypto = fast\n"
        "rotation = stake-weighted\n"
        "stakes = 250 250 250 250 1000 1000 1000 1000 1000\n[workload]\naccounts = 10\n"
        "tx_rate = 20/s\n[staking]\nowners = v0..v3:alpha v4:beta\nmin_self_bond = 100\n",
        NULL);
    const GArray *c = sim_world_metrics(r->world)->concentration;
    scen_assert(r, c->len > 10, "%u concentration records", c->len);
    for (guint i = 0; i < c->len; i++) {
        const sim_concentration_record *x = &g_array_index(c, sim_concentration_record, i);
        scen_assert(r,
                    x->power_total == 6000 && x->top_owner_share == 1000.0 / 6000.0 &&
                        x->nakamoto_owners == 3 && x->validators_powered == 9,
                    "height %" G_GUINT64_FORMAT ": total %" G_GUINT64_FORMAT
                    ", top share %g, by owners %u",
                    x->height, x->power_total, x->top_owner_share, x->nakamoto_owners);
    }
    /* Nor rewards: alpha's four self-bonds can claim what one validator
     * of 1000 can, give or take the luck of proposing (the proposer
     * reward), here within 2% of the mean of the five. */
    const GArray *d = sim_world_metrics(r->world)->delegations;
    scen_assert(r, d->len == 9, "%u delegations", d->len);
    double alpha = 0, single = 0;
    for (guint i = 0; i < d->len; i++) {
        const sim_delegation_record *x = &g_array_index(d, sim_delegation_record, i);
        if (x->validator < 4)
            alpha += (double)x->claimable;
        else
            single += (double)x->claimable / 5.0;
    }
    scen_assert(r, single > 0 && fabs(alpha / single - 1.0) < 0.02,
                "alpha can claim %.0f, a validator of 1000 %.0f", alpha, single);
    scen_run_free(r);
}
END_TEST

START_TEST(the_active_set_rotates)
{
    scen_run *r = scen_run_text(
        "[scenario]\nduration = 2min\n[network]\nvalidators = 10\ntopology = direct\n"
        "[consensus]\nprotocol = pbft\nblock_interval = 1s\nview_timeout = 2s\n"
        "crypto = fast\nstakes = 1000\n[workload]\naccounts = 10\n[staking]\n"
        "delegators = 100\ndelegator_stake = 300\ndelegation_rate = 10/s\nmax_validators = 7\n",
        NULL);
    const sim_metrics *m = sim_world_metrics(r->world);
    for (guint i = 0; i < m->concentration->len; i++) {
        const sim_concentration_record *x =
            &g_array_index(m->concentration, sim_concentration_record, i);
        scen_assert(r, x->validators_powered <= 7, "height %" G_GUINT64_FORMAT ": %u powered",
                    x->height, x->validators_powered);
    }
    bool proposed[10] = {false};
    for (guint i = 0; i < m->blocks->len; i++) {
        const sim_block_record *b = &g_array_index(m->blocks, sim_block_record, i);
        if (b->first_final_ns >= 0 && b->proposer < 10)
            proposed[b->proposer] = true;
    }
    guint distinct = 0;
    for (guint v = 0; v < 10; v++)
        distinct += proposed[v];
    scen_assert(r, distinct > 7, "only %u validators proposed final blocks", distinct);
    scen_assert(r, scen_figure(r, "blocks_final") > 100, "%g final heights",
                scen_figure(r, "blocks_final"));
    scen_run_free(r);
}
END_TEST

static Suite *staking_scenarios_suite(void)
{
    Suite *s = suite_create("staking_scenarios");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, slash_reaches_every_delegator);
    tcase_add_test(tc, unbonding_does_not_escape);
    tcase_add_test(tc, redelegation_is_slashed_at_its_source);
    tcase_add_test(tc, inflation_follows_the_goal);
    tcase_add_test(tc, stake_split_buys_no_power);
    tcase_add_test(tc, the_active_set_rotates);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(staking_scenarios_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
