/* Stake concentration in whole worlds (sim/check/concentration.h): the
 * Nakamoto coefficients, the Gini coefficient and the concentration
 * alarm, from the voting power the replicated state holds at each final
 * height.
 *
 *   4 of 10      owners puts 4 of 10 equal validators under alpha: by
 *                owners the coefficient is 1 (400 of 1000 > 1/3), by
 *                validators 4; one concentration alarm names alpha and
 *                nobody else; [expect] min_nakamoto = 2 fails, = 1 passes.
 *   3 of 10      alpha holds 300 of 1000 < 1/3: no alarm; by owners 2
 *                (alpha and any one other), by validators 4.
 *   stakes       one validator with 50 of 140 (35.7%) and nine with 10:
 *                by validators 1, Gini 0.2571...; without [staking] no
 *                alarm, with an empty [staking] one naming v0.
 *   power moves  alpha holds 4 of 11 validators; one of them is down long
 *                enough to be jailed for downtime, so alpha falls to 300
 *                of 1000 (cleared), and it is back above 1/3 once its
 *                validator unjails itself (raised again). */
#include "scenario_support.h"

#include <math.h>
#include <string.h>

#include "reports/expect.h"

#define TEN_PBFT                                                                                   \
    "[scenario]\nduration = 20s\n[network]\nvalidators = 10\ntopology = direct\n"                  \
    "[consensus]\nprotocol = pbft\nblock_interval = 1s\ncrypto = fast\n"


/* The run's min_nakamoto target set to `target`, evaluated; the result's
 * actual text into *actual (owned). */
static gboolean min_nakamoto_passes(scen_run *r, uint32_t target, char **actual)
{
    r->sc->expect.has_min_nakamoto = true;
    r->sc->expect.min_nakamoto = target;
    GArray *out = rep_expect_results_new();
    rep_verdicts v = {.safety_held = true, .conservation_held = true};
    gboolean all = rep_expect_evaluate_into(r->sc, sim_world_metrics(r->world), &v, out);
    ck_assert_uint_eq(out->len, 1);
    const rep_expect_result *e = &g_array_index(out, rep_expect_result, 0);
    ck_assert_str_eq(e->key, "min_nakamoto");
    ck_assert(e->passed == all);
    *actual = g_strdup(e->actual);
    g_array_unref(out);
    return all;
}

/* Every height was measured (a record for each final height, in order). */
static void assert_every_height(const scen_run *r)
{
    const sim_metrics *m = sim_world_metrics(r->world);
    const GArray *c = m->concentration;
    scen_assert(r, c->len >= 10, "only %u concentration records", c->len);
    for (guint i = 0; i < c->len; i++) {
        const sim_concentration_record *x = &g_array_index(c, sim_concentration_record, i);
        scen_assert(r, x->height == i + 1, "record %u is of height %" G_GUINT64_FORMAT, i,
                    x->height);
    }
    scen_assert(r, scen_figure(r, "blocks_final") == (double)c->len,
                "%u records for %g final heights", c->len, scen_figure(r, "blocks_final"));
}

START_TEST(four_of_ten_under_one_owner)
{
    scen_run *r = scen_run_text(TEN_PBFT "[staking]\nowners = v0..v3:alpha\n", NULL);
    assert_every_height(r);
    scen_assert(r, scen_figure(r, "nakamoto_owners_min") == 1, "by owners %g",
                scen_figure(r, "nakamoto_owners_min"));
    scen_assert(r, scen_figure(r, "nakamoto_coefficient_min") == 4, "by validators %g",
                scen_figure(r, "nakamoto_coefficient_min"));
    scen_assert(r, scen_figure(r, "stake_gini_max") == 0, "gini %g",
                scen_figure(r, "stake_gini_max"));
    bool other = false;
    scen_assert(r, scen_alarms_of(r, "concentration", "alpha", &other) == 1 && !other,
                "the concentration alarm does not name alpha alone, once");
    const GArray *a = sim_world_metrics(r->world)->alarms;
    const sim_alarm_record *first = &g_array_index(a, sim_alarm_record, 0);
    scen_assert(r,
                strstr(first->detail, "40.0% of the voting power at height 1 (400 of 1000, 4 "
                                      "validators)") != NULL,
                "detail: %s", first->detail);
    scen_assert(r, scen_alarms_of(r, "concentration-cleared", "alpha", &other) == 0 && !other,
                "cleared");
    char *actual = NULL;
    scen_assert(r, !min_nakamoto_passes(r, 2, &actual), "min_nakamoto = 2 passed: %s", actual);
    scen_assert(r, strcmp(actual, "1 (1 short)") == 0, "actual %s", actual);
    g_free(actual);
    scen_assert(r, min_nakamoto_passes(r, 1, &actual), "min_nakamoto = 1 failed: %s", actual);
    g_free(actual);
    scen_run_free(r);
}
END_TEST

START_TEST(three_of_ten_is_below_a_third)
{
    scen_run *r = scen_run_text(TEN_PBFT "[staking]\nowners = v0..v2:alpha\n", NULL);
    assert_every_height(r);
    scen_assert(r, scen_figure(r, "nakamoto_owners_min") == 2, "by owners %g",
                scen_figure(r, "nakamoto_owners_min"));
    scen_assert(r, scen_figure(r, "nakamoto_coefficient_min") == 4, "by validators %g",
                scen_figure(r, "nakamoto_coefficient_min"));
    scen_assert(r, sim_world_metrics(r->world)->alarms->len == 0, "an alarm was raised");
    const GArray *c = sim_world_metrics(r->world)->concentration;
    const sim_concentration_record *last = &g_array_index(c, sim_concentration_record, c->len - 1);
    scen_assert(r,
                last->top_owner_share == 0.3 && last->validators_powered == 10 &&
                    last->power_total == 1000,
                "last record: share %g, %u powered, total %" G_GUINT64_FORMAT,
                last->top_owner_share, last->validators_powered, last->power_total);
    char *actual = NULL;
    scen_assert(r, min_nakamoto_passes(r, 2, &actual), "min_nakamoto = 2 failed: %s", actual);
    g_free(actual);
    scen_run_free(r);
}
END_TEST

/* Unequal stakes: v0 50, the others 10 each (total 140). Gini over the
 * ten, sorted 10 x 9 then 50: (sum_{i=1..9} (2i - 11) x 10 + 9 x 50) /
 * (10 x 140) = (-90 + 450) / 1400 = 0.2571... */
START_TEST(unequal_stakes_and_the_staking_section)
{
    const char *stakes = "stakes = 50 10 10 10 10 10 10 10 10 10\n";
    g_autofree char *plain = g_strconcat(TEN_PBFT, stakes, NULL);
    g_autofree char *declared = g_strconcat(TEN_PBFT, stakes, "[staking]\n", NULL);
    scen_run *r = scen_run_text(plain, NULL);
    scen_assert(r, scen_figure(r, "nakamoto_coefficient_min") == 1, "by validators %g",
                scen_figure(r, "nakamoto_coefficient_min"));
    scen_assert(r, scen_figure(r, "nakamoto_owners_min") == 1, "by owners %g",
                scen_figure(r, "nakamoto_owners_min"));
    scen_assert(r, fabs(scen_figure(r, "stake_gini_max") - 360.0 / 1400.0) < 1e-12, "gini %.17g",
                scen_figure(r, "stake_gini_max"));
    scen_assert(r, sim_world_metrics(r->world)->alarms->len == 0,
                "a run without [staking] raised an alarm");
    char *actual = NULL;
    scen_assert(r, !min_nakamoto_passes(r, 2, &actual), "min_nakamoto = 2 passed: %s", actual);
    g_free(actual);
    scen_run_free(r);
    r = scen_run_text(declared, NULL);
    bool other = false;
    scen_assert(r, scen_alarms_of(r, "concentration", "v0", &other) == 1 && !other,
                "the concentration alarm does not name v0 alone, once");
    scen_run_free(r);
}
END_TEST

/* alpha = v0..v3 of 11 (400 of 1100, 36.4%). v0 is down from 5 s to 20 s:
 * the downtime window (10 blocks) jails it and slashes 1%, alpha falls to
 * 300 of 1000; back up, it unjails itself when the 20 s jail is over and
 * alpha holds 399 of 1099 again. */
START_TEST(alarm_follows_the_power)
{
    scen_run *r = scen_run_text("[scenario]\nduration = 60s\n[network]\nvalidators = 11\n"
                                "topology = direct\n[consensus]\nprotocol = pbft\n"
                                "block_interval = 1s\nview_timeout = 2s\ncrypto = fast\n"
                                "[slashing]\nsigned_blocks_window = 10\n"
                                "downtime_jail_duration = 20s\n"
                                "[staking]\nowners = v0..v3:alpha\n"
                                "[fault down]\nat = 5s\nuntil = 20s\naction = crash\nnodes = v0\n",
                                NULL);
    scen_assert(r, scen_figure(r, "unjails") == 1, "v0 did not unjail");
    const GArray *a = sim_world_metrics(r->world)->alarms;
    static const char *const kinds[] = {"concentration", "concentration-cleared", "concentration"};
    scen_assert(r, a->len == G_N_ELEMENTS(kinds), "%u alarms", a->len);
    for (guint i = 0; i < a->len; i++) {
        const sim_alarm_record *x = &g_array_index(a, sim_alarm_record, i);
        scen_assert(r, strcmp(x->kind, kinds[i]) == 0 && strcmp(x->subject, "alpha") == 0,
                    "alarm %u: %s %s", i, x->kind, x->subject);
    }
    const sim_alarm_record *cleared = &g_array_index(a, sim_alarm_record, 1);
    scen_assert(r,
                strstr(cleared->detail, "30.0% of the voting power") != NULL &&
                    strstr(cleared->detail, "(300 of 1000, 3 validators), back below 1/3"),
                "detail: %s", cleared->detail);
    /* while v0 was jailed: 10 validators of 100, alpha 300 -> 2 owners */
    scen_assert(r, scen_figure(r, "nakamoto_owners_min") == 1, "by owners %g",
                scen_figure(r, "nakamoto_owners_min"));
    const GArray *c = sim_world_metrics(r->world)->concentration;
    guint jailed = 0;
    for (guint i = 0; i < c->len; i++) {
        const sim_concentration_record *x = &g_array_index(c, sim_concentration_record, i);
        if (x->validators_powered == 10) {
            jailed++;
            scen_assert(r, x->nakamoto_owners == 2 && x->nakamoto_validators == 4,
                        "height %" G_GUINT64_FORMAT ": %u by owners, %u by validators", x->height,
                        x->nakamoto_owners, x->nakamoto_validators);
        }
    }
    scen_assert(r, jailed > 0, "no height without v0's power");
    scen_run_free(r);
}
END_TEST

static Suite *concentration_suite(void)
{
    Suite *s = suite_create("concentration_scenarios");
    TCase *tc = tcase_create("worlds");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, four_of_ten_under_one_owner);
    tcase_add_test(tc, three_of_ten_is_below_a_third);
    tcase_add_test(tc, unequal_stakes_and_the_staking_section);
    tcase_add_test(tc, alarm_follows_the_power);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(concentration_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
