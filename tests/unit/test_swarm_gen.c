/* Tests for the swarm's schedule generator (sim/scenario/swarm_gen.c) and the
 * one-way partition it draws (sim/scenario/scenario_fault.c, sim/engine/net.c): the same
 * (base, seed) gives the same text and other seeds other texts; every
 * world of hundreds of seeds is a valid scenario; within f keeps the
 * Byzantine validators at most f and under a third of the stake, beyond f
 * makes at least f+1 of them Byzantine; and `groups = A -> B` parses into
 * a one-way partition while malformed ones are errors with their line. */
#include <check.h>
#include <string.h>

#include "sim/scenario/ini.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/swarm_gen.h"

#define SEEDS_CHECKED 300

static const char *const bases[] = {
    "scenarios/swarm/pbft-direct-4.ini",
    "scenarios/swarm/pbft-mesh-7.ini",
};

typedef struct base {
    char *path;
    sim_ini *ini;
    sim_scenario *sc;
} base;

static void base_load(base *b, const char *rel)
{
    const char *dir = g_getenv("AITBC_SOURCE_DIR");
    ck_assert_msg(dir != NULL, "AITBC_SOURCE_DIR is not set (run through ctest)");
    b->path = g_build_filename(dir, rel, NULL);
    GError *error = NULL;
    g_autofree char *text = NULL;
    gsize size = 0;
    ck_assert(g_file_get_contents(b->path, &text, &size, NULL));
    b->ini = sim_ini_parse(b->path, text, size, &error);
    b->sc = sim_scenario_load(b->path, NULL, &error);
    ck_assert_msg(b->ini != NULL && b->sc != NULL, "%s", error ? error->message : "?");
}

static void base_clear(base *b)
{
    sim_ini_free(b->ini);
    sim_scenario_free(b->sc);
    g_free(b->path);
}

static sim_scenario *parse_world(const char *text, uint64_t seed)
{
    GError *error = NULL;
    sim_scenario *sc = sim_scenario_parse("world.ini", text, strlen(text), NULL, &error);
    ck_assert_msg(sc != NULL, "seed %" G_GUINT64_FORMAT ": %s\n%s", seed,
                  error ? error->message : "?", text);
    return sc;
}

/* Distinct validators under a byzantine fault (twins included), and their stake. */
static uint32_t byzantine_validators(const sim_scenario *sc, uint64_t *stake)
{
    g_autofree guint8 *mark = g_new0(guint8, sc->validators);
    uint32_t count = 0;
    *stake = 0;
    for (guint i = 0; i < sc->faults->len; i++) {
        const sim_fault *f = sc->faults->pdata[i];
        for (guint j = 0; f->action == SIM_FAULT_BYZANTINE && j < f->nodes->len; j++) {
            uint32_t v = g_array_index(f->nodes, uint32_t, j);
            if (v < sc->validators && !mark[v]) {
                mark[v] = 1;
                count++;
                *stake += g_array_index(sc->stakes, uint64_t, v);
            }
        }
    }
    return count;
}

static uint64_t total_stake(const sim_scenario *sc)
{
    uint64_t t = 0;
    for (uint32_t v = 0; v < sc->validators; v++)
        t += g_array_index(sc->stakes, uint64_t, v);
    return t;
}

START_TEST(test_same_seed_same_text)
{
    base b;
    base_load(&b, bases[_i]);
    for (uint64_t seed = 1; seed <= 20; seed++) {
        g_autofree char *a = sim_swarm_world_text("base", b.ini, b.sc, seed, SIM_SWARM_WITHIN_F, NULL);
        g_autofree char *c = sim_swarm_world_text("base", b.ini, b.sc, seed, SIM_SWARM_WITHIN_F, NULL);
        g_autofree char *other =
            sim_swarm_world_text("base", b.ini, b.sc, seed + 1000, SIM_SWARM_WITHIN_F, NULL);
        ck_assert_str_eq(a, c);
        ck_assert_str_ne(a, other);
        g_autofree char *seed_line = g_strdup_printf("\nseed = %" G_GUINT64_FORMAT "\n", seed);
        ck_assert_msg(strstr(a, seed_line) != NULL, "world of seed %" G_GUINT64_FORMAT
                      " does not carry its seed", seed);
    }
    base_clear(&b);
}
END_TEST

START_TEST(test_within_f_respected)
{
    base b;
    base_load(&b, bases[_i]);
    uint32_t f = (b.sc->validators - 1) / 3;
    guint oneway = 0, byzantine_worlds = 0;
    for (uint64_t seed = 1; seed <= SEEDS_CHECKED; seed++) {
        sim_swarm_world_info info;
        g_autofree char *text =
            sim_swarm_world_text("base", b.ini, b.sc, seed, SIM_SWARM_WITHIN_F, &info);
        sim_scenario *sc = parse_world(text, seed);
        uint64_t stake = 0;
        uint32_t count = byzantine_validators(sc, &stake);
        ck_assert_msg(count <= f && stake * 3 < total_stake(sc),
                      "seed %" G_GUINT64_FORMAT ": %u Byzantine validators, stake %"
                      G_GUINT64_FORMAT, seed, count, stake);
        ck_assert_uint_eq(count, info.byzantine_validators);
        ck_assert_uint_eq(sc->faults->len, info.faults);
        byzantine_worlds += count > 0;
        for (guint i = 0; i < sc->faults->len; i++)
            oneway += ((const sim_fault *)sc->faults->pdata[i])->oneway;
        sim_scenario_free(sc);
    }
    /* The generator does draw these, not only respect the bound. */
    ck_assert_uint_gt(oneway, 10);
    ck_assert_uint_gt(byzantine_worlds, 30);
    base_clear(&b);
}
END_TEST

START_TEST(test_beyond_f_exceeds)
{
    base b;
    base_load(&b, bases[_i]);
    uint32_t f = (b.sc->validators - 1) / 3;
    for (uint64_t seed = 1; seed <= SEEDS_CHECKED; seed++) {
        g_autofree char *text =
            sim_swarm_world_text("base", b.ini, b.sc, seed, SIM_SWARM_BEYOND_F, NULL);
        sim_scenario *sc = parse_world(text, seed);
        uint64_t stake = 0;
        uint32_t count = byzantine_validators(sc, &stake);
        ck_assert_msg(count >= f + 1 && stake * 3 >= total_stake(sc),
                      "seed %" G_GUINT64_FORMAT ": only %u Byzantine validators", seed, count);
        sim_scenario_free(sc);
    }
    base_clear(&b);
}
END_TEST

static const char oneway_head[] =
    "[scenario]\nduration = 10s\n[network]\nvalidators = 4\nfull_nodes = 2\n"
    "[fault cut]\nat = 1s\nuntil = 2s\naction = partition\n";

START_TEST(test_oneway_parses)
{
    g_autofree char *text = g_strdup_printf("%sgroups = v0 n0 -> v1 v2\n", oneway_head);
    sim_scenario *sc = parse_world(text, 0);
    const sim_fault *f = sc->faults->pdata[0];
    ck_assert(f->oneway);
    ck_assert_uint_eq(f->groups->len, 2);
    ck_assert_uint_eq(((GArray *)f->groups->pdata[0])->len, 2);
    ck_assert_uint_eq(((GArray *)f->groups->pdata[1])->len, 2);
    sim_scenario_free(sc);
}
END_TEST

static const char *const oneway_bad[] = {
    "groups = v0 -> v1 -> v2\n",
    "groups = v0 -> v1 | v2\n",
    "groups = v0 -> \n",
    "groups = v0 -> v0\n",
};

START_TEST(test_oneway_errors)
{
    g_autofree char *text = g_strdup_printf("%s%s", oneway_head, oneway_bad[_i]);
    GError *error = NULL;
    sim_scenario *sc = sim_scenario_parse("t.ini", text, strlen(text), NULL, &error);
    ck_assert_msg(sc == NULL, "parsed: %s", oneway_bad[_i]);
    ck_assert_msg(strstr(error->message, "t.ini:10: groups") != NULL, "%s", error->message);
    g_error_free(error);
}
END_TEST

static Suite *swarm_gen_suite(void)
{
    Suite *s = suite_create("swarm_gen");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, test_same_seed_same_text, 0, G_N_ELEMENTS(bases));
    tcase_add_loop_test(tc, test_within_f_respected, 0, G_N_ELEMENTS(bases));
    tcase_add_loop_test(tc, test_beyond_f_exceeds, 0, G_N_ELEMENTS(bases));
    tcase_add_test(tc, test_oneway_parses);
    tcase_add_loop_test(tc, test_oneway_errors, 0, G_N_ELEMENTS(oneway_bad));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(swarm_gen_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
