/* tools/node/net_filter.c: the testbed runtime's network filter, on
 * scenarios written to a temporary file: partitions cut both ways across
 * groups inside their window only (unlisted nodes in the first group),
 * overlapping partitions compose, a one-way partition cuts one way, a
 * degrade's latency, loss and duplicate apply to links touching its
 * nodes, the base link parameters only when emulated, and what arrives
 * across a cut is dropped and counted. */
#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tools/node/net_filter.h"

#define S_NS(s) ((int64_t)(s) * 1000 * 1000 * 1000)
#define MS_NS(ms) ((int64_t)(ms) * 1000 * 1000)

static const char base_ini[] =
    "[scenario]\nname = filter\nseed = 3\nduration = 60s\n"
    "[network]\nvalidators = 6\nfull_nodes = 0\ntopology = direct\n"
    "latency = constant 5ms\n"
    "[consensus]\nprotocol = pbft\n";

static sim_scenario *load(const char *faults)
{
    char *path = NULL;
    int fd = g_file_open_tmp("aitbc-filter-XXXXXX.ini", &path, NULL);
    ck_assert(fd >= 0);
    close(fd);
    char *text = g_strconcat(base_ini, faults, NULL);
    ck_assert(g_file_set_contents(path, text, -1, NULL));
    GError *error = NULL;
    sim_scenario *sc = sim_scenario_load(path, NULL, &error);
    ck_assert_msg(sc != NULL, "%s", error != NULL ? error->message : "");
    g_unlink(path);
    g_free(path);
    g_free(text);
    return sc;
}

START_TEST(a_partition_cuts_across_groups_in_its_window)
{
    sim_scenario *sc = load("[fault split]\naction = partition\nat = 10s\nuntil = 20s\n"
                            "groups = v0 v1 | v2 v3\n");
    tb_filter *f = tb_filter_new(sc, 0, false);
    ck_assert(tb_filter_active(f));
    ck_assert(!tb_filter_cut(f, 0, 2, S_NS(9)));
    ck_assert(tb_filter_cut(f, 0, 2, S_NS(10)));
    ck_assert(tb_filter_cut(f, 3, 1, S_NS(15)));
    ck_assert(!tb_filter_cut(f, 0, 1, S_NS(15)));
    ck_assert(!tb_filter_cut(f, 2, 3, S_NS(15)));
    /* v4 and v5 are listed nowhere: the first group's. */
    ck_assert(!tb_filter_cut(f, 4, 0, S_NS(15)));
    ck_assert(tb_filter_cut(f, 5, 2, S_NS(15)));
    ck_assert(!tb_filter_cut(f, 0, 2, S_NS(20)));
    tb_filter_verdict v = tb_filter_send(f, 2, S_NS(12));
    ck_assert(v.drop);
    v = tb_filter_send(f, 1, S_NS(12));
    ck_assert(!v.drop && v.delay_ns == 0 && !v.duplicate); /* base not emulated */
    ck_assert(!tb_filter_receive(f, 3, S_NS(12)));
    ck_assert(tb_filter_receive(f, 1, S_NS(12)));
    ck_assert(tb_filter_receive(f, 3, S_NS(25)));
    ck_assert_uint_eq(tb_filter_get_stats(f)->dropped_partition, 2);
    tb_filter_free(f);
    sim_scenario_free(sc);
}
END_TEST

START_TEST(partitions_compose_and_oneway_cuts_one_way)
{
    sim_scenario *sc = load("[fault a]\naction = partition\nat = 0s\nuntil = 30s\n"
                            "groups = v0 v1 v2 | v3 v4 v5\n"
                            "[fault b]\naction = partition\nat = 10s\nuntil = 20s\n"
                            "groups = v0 | v1 v2\n"
                            "[fault c]\naction = partition\nat = 40s\nuntil = 50s\n"
                            "groups = v0 -> v1\n");
    tb_filter *f = tb_filter_new(sc, 0, false);
    ck_assert(!tb_filter_cut(f, 0, 1, S_NS(5)));
    ck_assert(tb_filter_cut(f, 0, 1, S_NS(15)));  /* b */
    ck_assert(tb_filter_cut(f, 1, 3, S_NS(15)));  /* a */
    ck_assert(!tb_filter_cut(f, 1, 2, S_NS(15)));
    ck_assert(!tb_filter_cut(f, 0, 1, S_NS(25))); /* b healed, a still open */
    ck_assert(tb_filter_cut(f, 0, 4, S_NS(25)));
    ck_assert(tb_filter_cut(f, 0, 1, S_NS(45)));  /* c: v0 -> v1 only */
    ck_assert(!tb_filter_cut(f, 1, 0, S_NS(45)));
    ck_assert(!tb_filter_cut(f, 0, 2, S_NS(45)));
    tb_filter_free(f);
    sim_scenario_free(sc);
}
END_TEST

START_TEST(a_degrade_applies_to_links_touching_its_nodes)
{
    sim_scenario *sc = load("[fault slow]\naction = degrade\nat = 10s\nuntil = 20s\nnodes = v1\n"
                            "latency = constant 50ms\nloss = 0.5\n");
    tb_filter *f = tb_filter_new(sc, 0, false);
    tb_filter_verdict v = tb_filter_send(f, 2, S_NS(15));
    ck_assert(!v.drop && v.delay_ns == 0);
    v = tb_filter_send(f, 1, S_NS(5));
    ck_assert(!v.drop && v.delay_ns == 0);
    int dropped = 0;
    for (int i = 0; i < 1000; i++) {
        v = tb_filter_send(f, 1, S_NS(15));
        if (v.drop) {
            dropped++;
            continue;
        }
        ck_assert_int_eq(v.delay_ns, MS_NS(50));
    }
    ck_assert_msg(dropped > 400 && dropped < 600, "loss 0.5 dropped %d of 1000", dropped);
    ck_assert_uint_eq(tb_filter_get_stats(f)->dropped_loss, (uint64_t)dropped);
    tb_filter_free(f);
    /* The degraded node's own filter: every link of it. */
    f = tb_filter_new(sc, 1, false);
    int passed_delay = 0;
    for (int i = 0; i < 100; i++) {
        v = tb_filter_send(f, 4, S_NS(15));
        if (!v.drop)
            passed_delay += v.delay_ns == MS_NS(50);
    }
    ck_assert_int_gt(passed_delay, 20);
    tb_filter_free(f);
    sim_scenario_free(sc);
}
END_TEST

START_TEST(base_links_only_when_emulated)
{
    sim_scenario *sc = load("");
    tb_filter *f = tb_filter_new(sc, 0, false);
    ck_assert(!tb_filter_active(f));
    tb_filter_verdict v = tb_filter_send(f, 3, S_NS(1));
    ck_assert(!v.drop && v.delay_ns == 0);
    tb_filter_free(f);
    f = tb_filter_new(sc, 0, true);
    ck_assert(tb_filter_active(f));
    v = tb_filter_send(f, 3, S_NS(1));
    ck_assert(!v.drop && v.delay_ns == MS_NS(5));
    ck_assert_uint_eq(tb_filter_get_stats(f)->delayed, 1);
    v = tb_filter_send(f, 0, S_NS(1)); /* to itself: untouched */
    ck_assert(!v.drop && v.delay_ns == 0);
    tb_filter_free(f);
    sim_scenario_free(sc);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("net_filter");
    TCase *tc = tcase_create("filter");
    tcase_add_test(tc, a_partition_cuts_across_groups_in_its_window);
    tcase_add_test(tc, partitions_compose_and_oneway_cuts_one_way);
    tcase_add_test(tc, a_degrade_applies_to_links_touching_its_nodes);
    tcase_add_test(tc, base_links_only_when_emulated);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
