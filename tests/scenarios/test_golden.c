/* Golden trace: a pinned trace hash for one small scenario.
 *
 * "Same scenario + same seed = the same bytes out, on any machine" is only
 * testable against a fixed value: this test runs in the optimised (LTO)
 * build and again in the -O0 sanitizer build of CI (label `golden`), so a
 * difference between optimisation levels, compilers or machines fails here.
 *
 * One PoA run and one PBFT run are pinned, both in `topology = direct`
 * (every node one send from every other), the network these hashes were
 * first pinned under.
 *
 * When a deliberate change to the protocol or the simulator changes what a
 * run does, the hash changes: check that the change was meant, then update
 * GOLDEN_TRACE and say so in the commit message. */
#include "scenario_support.h"

static const char *SCENARIO =
    "[scenario]\nname = golden\nseed = 11\nduration = 20s\n"
    "[network]\nvalidators = 5\nfull_nodes = 2\ntopology = direct\n"
    "latency = lognormal 40ms 0.5\n"
    "loss = 0.01\nduplicate = 0.01\nbandwidth = 50Mbit/s\n"
    "[consensus]\nprotocol = poa\nblock_interval = 1s\n"
    "[workload]\ntx_rate = 50/s\naccounts = 100\n"
    "[fault crash]\nat = 5s\nuntil = 9s\naction = crash\nnodes = v2 n0\n"
    "[fault split]\nat = 11s\nuntil = 15s\naction = partition\ngroups = v0..v2 | v3 v4\n";

#define GOLDEN_TRACE "ee1891d5fc444780c753a592673e6c06d2a42f8d976af4f3fea3def3c6f19af1"

/* The same network under PBFT, with a view change (v2 is primary of
 * height 3 in view 0 and is down then) and real crypto. */
static const char *PBFT_SCENARIO =
    "[scenario]\nname = golden-pbft\nseed = 11\nduration = 20s\n"
    "[network]\nvalidators = 5\nfull_nodes = 2\ntopology = direct\n"
    "latency = lognormal 40ms 0.5\n"
    "loss = 0.01\nduplicate = 0.01\nbandwidth = 50Mbit/s\n"
    "[consensus]\nprotocol = pbft\nblock_interval = 1s\nview_timeout = 1s\n"
    "checkpoint_interval = 4\n"
    "[workload]\ntx_rate = 50/s\naccounts = 100\n"
    "[fault crash]\nat = 2s\nuntil = 9s\naction = crash\nnodes = v2 n0\n"
    "[fault split]\nat = 11s\nuntil = 15s\naction = partition\ngroups = v0..v2 | v3 v4\n";

#define GOLDEN_PBFT_TRACE "9339e37a0c0007ad6fc3e361e64df133d6f4a4376456e414b01852c0872b573c"

START_TEST(poa_trace_is_pinned)
{
    scen_run *r = scen_run_text(SCENARIO, NULL);
    char hex[2 * PROTO_HASH_SIZE + 1];
    sim_world_trace_hash(r->world, hex);
    scen_assert(r, g_str_equal(hex, GOLDEN_TRACE), "trace %s, pinned %s", hex, GOLDEN_TRACE);
    scen_assert(r, scen_figure(r, "blocks_final") >= 5, "the run finalized blocks");
    scen_run_free(r);
}
END_TEST

START_TEST(pbft_trace_is_pinned)
{
    scen_run *r = scen_run_text(PBFT_SCENARIO, NULL);
    char hex[2 * PROTO_HASH_SIZE + 1];
    sim_world_trace_hash(r->world, hex);
    scen_assert(r, g_str_equal(hex, GOLDEN_PBFT_TRACE), "trace %s, pinned %s", hex,
                GOLDEN_PBFT_TRACE);
    scen_assert(r, scen_figure(r, "blocks_final") >= 5, "the run finalized blocks");
    scen_assert(r, scen_figure(r, "view_changes") >= 1, "the run changed views");
    scen_run_free(r);
}
END_TEST

static Suite *golden_suite(void)
{
    Suite *s = suite_create("golden");
    TCase *tc = tcase_create("trace");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, poa_trace_is_pinned);
    tcase_add_test(tc, pbft_trace_is_pinned);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(golden_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
