/* Byzantine validators under PBFT, 10 validators (f = 3).
 *
 * Each behaviour is a wrapper around a real node (sim/world/byzantine.c). With f
 * Byzantine validators PBFT must stay safe and live whatever they send:
 * equivocation and double-signing cost view changes when they are
 * primaries; invalid signatures and floods are rejected and counted;
 * replays and withheld votes do not matter; delays are survived. Twins
 * test the simulator's own safety checker: one twin (one identity on two
 * nodes) is within f and safe, but f+1 twins across a partition give both
 * sides a quorum, and the checker must catch the conflicting
 * finalization. Accountability: equivocators and double-signers are
 * accused by honest nodes (an equivocator that shows each half its own
 * version is caught when the next block's commit signatures bring the
 * other version), slashed exactly once, and nobody else ever is.
 *
 * Worlds run on the P2P mesh (the default topology), except three that
 * count what reaches the consensus code: on the mesh, peers that send
 * invalid signatures, garbage or replayed gossip lose score and are
 * banned within seconds, so PBFT sees far fewer of their messages and
 * replayers are cut off like crashed validators. Those three run with
 * direct links, and their mesh counterparts check the bans instead. */
#include "scenario_support.h"

static const char *BASE =
    "[scenario]\nseed = %u\nduration = 60s\n"
    "[network]\nvalidators = 10\nfull_nodes = 2\nlatency = uniform 20ms 80ms\n"
    "topology = %s\n"
    "[consensus]\nprotocol = pbft\nblock_interval = 1s\nview_timeout = 2s\n"
    "checkpoint_interval = 10\ncrypto = fast\n"
    "[workload]\ntx_rate = 200/s\naccounts = 2000\nstop = 50s\n"
    "%s";

static scen_run *run_in(const char *topology, unsigned seed, const char *faults)
{
    char *text = g_strdup_printf(BASE, seed, topology, faults);
    scen_run *r = scen_run_text(text, NULL);
    g_free(text);
    return r;
}

static scen_run *run(unsigned seed, const char *faults)
{
    return run_in("mesh", seed, faults);
}

static scen_run *run_behaviour_in(const char *topology, unsigned seed, const char *behaviour)
{
    char *fault = g_strdup_printf("[fault bad]\nat = 0s\naction = byzantine\n"
                                  "nodes = v1 v4 v7\nbehavior = %s\n", behaviour);
    scen_run *r = run_in(topology, seed, fault);
    g_free(fault);
    return r;
}

static scen_run *run_behaviour(unsigned seed, const char *behaviour)
{
    return run_behaviour_in("mesh", seed, behaviour);
}

/* Figures that exist only when something happened. */
static double figure_or_zero(scen_run *r, const char *name)
{
    return sim_metrics_get(sim_world_metrics(r->world), name, 0.0);
}

/* Evidence held by honest nodes names exactly `expected` (a bitmask of
 * validators): nobody who did not equivocate is ever accused. */
static void assert_accused(scen_run *r, uint32_t expected)
{
    for (uint32_t v = 0; v < 10; v++) {
        char *name = g_strdup_printf("evidence.against.v%u", v);
        bool accused = figure_or_zero(r, name) > 0;
        scen_assert(r, accused == ((expected >> v) & 1), "v%u accused: %d", v, accused);
        g_free(name);
    }
}

/* The validators slashed (for any reason) are exactly `expected` (a
 * bitmask), and the accountability verdict holds. */
static void assert_slashed(scen_run *r, uint32_t expected)
{
    uint32_t got = scen_slashed_mask(r);
    scen_assert(r, got == expected, "slashed mask 0x%x, want 0x%x", got, expected);
    scen_assert_accountable(r);
    scen_assert(r, scen_figure(r, "slashings.double_sign") == __builtin_popcount(expected),
                "double-sign slashings %g", scen_figure(r, "slashings.double_sign"));
}

/* Only validators in `allowed` were slashed (downtime jails of validators
 * that never sign valid votes are deserved), and accountability holds. */
static void assert_slashed_within(scen_run *r, uint32_t allowed)
{
    uint32_t got = scen_slashed_mask(r);
    scen_assert(r, (got & ~allowed) == 0, "slashed mask 0x%x, allowed 0x%x", got, allowed);
    scen_assert_accountable(r);
    scen_assert(r, figure_or_zero(r, "slashings.double_sign") == 0, "double-sign slashings");
}

static void assert_safe_and_live(scen_run *r, double blocks_min)
{
    scen_assert(r, sim_world_safety_held(r->world), "safety");
    sim_liveness l = sim_world_liveness(r->world);
    scen_assert(r, l.state == SIM_LIVENESS_HOLDS, "liveness: %s", l.detail);
    g_free(l.detail);
    double final = scen_figure(r, "blocks_final");
    scen_assert(r, final >= blocks_min, "blocks_final %g, want >= %g", final, blocks_min);
    scen_assert(r, scen_figure(r, "forks") == 0, "forks %g", scen_figure(r, "forks"));
    /* Honest validators all reached the end of the chain. */
    for (uint32_t v = 0; v < 10; v++) {
        if (v == 1 || v == 4 || v == 7)
            continue;
        scen_assert(r, scen_node_final_height(r, v) + 2 >= (uint64_t)final,
                    "v%u final height %" G_GUINT64_FORMAT, v, scen_node_final_height(r, v));
    }
}

START_TEST(f_equivocators_safe_and_live)
{
    scen_run *r = run_behaviour(41, "equivocate");
    assert_safe_and_live(r, 20);
    /* Each half sees one version of their votes, but the next block's
     * commit signatures show the other: all three are caught, slashed
     * once, and leave the active set; nobody else is accused. */
    assert_accused(r, (1u << 1) | (1u << 4) | (1u << 7));
    assert_slashed(r, (1u << 1) | (1u << 4) | (1u << 7));
    scen_run_free(r);
}
END_TEST

START_TEST(f_double_signers_safe_and_live)
{
    scen_run *r = run_behaviour(42, "double-sign");
    assert_safe_and_live(r, 20);
    /* Everyone receives both versions: evidence against exactly the three. */
    assert_accused(r, (1u << 1) | (1u << 4) | (1u << 7));
    assert_slashed(r, (1u << 1) | (1u << 4) | (1u << 7));
    scen_assert(r, scen_figure(r, "messages.pbft.evidence.sent") > 0, "evidence gossiped");
    scen_run_free(r);
}
END_TEST

START_TEST(invalid_signatures_rejected_finality_continues)
{
    /* Direct links: every invalid signature reaches PBFT and is counted
     * (on the mesh the senders are banned first, see below). */
    scen_run *r = run_behaviour_in("direct", 43, "invalid-signature");
    assert_safe_and_live(r, 15);
    scen_assert(r, scen_figure(r, "rejected.signature") > 1000, "rejected.signature %g",
                scen_figure(r, "rejected.signature"));
    assert_accused(r, 0); /* unsigned garbage proves nothing */
    assert_slashed_within(r, (1u << 1) | (1u << 4) | (1u << 7));
    scen_run_free(r);
}
END_TEST

START_TEST(replays_change_nothing)
{
    /* Direct links: nobody judges a node for repeating itself. On the
     * mesh, replayed gossip costs score (below). */
    scen_run *r = run_behaviour_in("direct", 44, "replay");
    /* Old votes and blocks are for old heights and views: ignored. */
    assert_safe_and_live(r, 55);
    scen_assert(r, scen_figure(r, "view_changes") == 0, "view changes %g",
                scen_figure(r, "view_changes"));
    assert_accused(r, 0); /* a replayed vote is the same vote, not a conflict */
    assert_slashed_within(r, 0);
    scen_assert(r, scen_figure(r, "peers_banned") == 0, "replays are not punished");
    scen_run_free(r);
}
END_TEST

START_TEST(withheld_votes_within_f_change_nothing)
{
    scen_run *r = run_behaviour(45, "withhold");
    assert_safe_and_live(r, 55);
    assert_slashed_within(r, (1u << 1) | (1u << 4) | (1u << 7));
    scen_run_free(r);
}
END_TEST

START_TEST(flood_is_rejected_finality_continues)
{
    /* Direct links: PBFT's own rejection counting and ban (on the mesh the
     * p2p layer drops the garbage and bans first, see below). */
    scen_run *r = run_behaviour_in("direct", 46, "flood 1000/s");
    /* Honest nodes stop listening to the flooders (banned for 30 s after
     * more than 50 rejected messages in a second): from then on the three
     * count as silent, and the seven honest validators finalize alone. */
    assert_safe_and_live(r, 15);
    scen_assert(r, scen_figure(r, "rejected.decode") > 1000, "rejected.decode %g",
                scen_figure(r, "rejected.decode"));
    scen_assert(r, scen_figure(r, "peers_banned") > 0, "peers_banned %g",
                scen_figure(r, "peers_banned"));
    scen_run_free(r);
}
END_TEST

/* On the mesh the three offenders are banned by their peers (score under
 * the ban threshold: invalid messages, malformed bytes, duplicate gossip),
 * which cuts them off like crashed validators; the seven honest ones
 * finalize alone and nobody honest is accused or slashed. */
static void assert_banned_on_the_mesh(scen_run *r)
{
    assert_safe_and_live(r, 15);
    scen_assert(r, scen_figure(r, "peers_banned") >= 3, "peers_banned %g",
                scen_figure(r, "peers_banned"));
    assert_accused(r, 0);
    assert_slashed_within(r, (1u << 1) | (1u << 4) | (1u << 7));
}

START_TEST(mesh_bans_invalid_signers)
{
    scen_run *r = run_behaviour(43, "invalid-signature");
    assert_banned_on_the_mesh(r);
    scen_assert(r, scen_figure(r, "rejected.signature") > 0, "rejected.signature %g",
                scen_figure(r, "rejected.signature"));
    scen_run_free(r);
}
END_TEST

START_TEST(mesh_bans_replayers)
{
    scen_run *r = run_behaviour(44, "replay");
    assert_banned_on_the_mesh(r);
    scen_run_free(r);
}
END_TEST

START_TEST(mesh_bans_flooders)
{
    scen_run *r = run_behaviour(46, "flood 1000/s");
    assert_banned_on_the_mesh(r);
    scen_run_free(r);
}
END_TEST

START_TEST(slow_validators_survived)
{
    scen_run *r = run_behaviour(47, "delay 3s");
    assert_safe_and_live(r, 15);
    scen_run_free(r);
}
END_TEST

START_TEST(one_twin_is_safe)
{
    scen_run *r = run(48, "[fault twin]\nat = 0s\naction = byzantine\nnodes = v0\nbehavior = twin\n"
                          "[fault split]\nat = 5s\nuntil = 30s\naction = partition\n"
                          "groups = v0..v6 n0 | v0' v7 v8 v9 n1\n");
    scen_assert(r, sim_world_safety_held(r->world), "safety with one twin");
    scen_assert(r, scen_figure(r, "blocks_final") >= 20, "blocks_final %g",
                scen_figure(r, "blocks_final"));
    /* v0 and its twin sign different votes: that is double signing, and
     * v0 (and nobody else) may be slashed for it. */
    uint32_t got = scen_slashed_mask(r);
    scen_assert(r, (got & ~1u) == 0, "slashed mask 0x%x", got);
    scen_assert_accountable(r);
    scen_run_free(r);
}
END_TEST

START_TEST(f_plus_one_twins_break_safety_and_are_caught)
{
    scen_run *r = run(49, "[fault twins]\nat = 0s\naction = byzantine\nnodes = v0 v1 v2 v3\n"
                          "behavior = twin\n"
                          "[fault split]\nat = 0s\nuntil = 30s\naction = partition\n"
                          "groups = v0..v6 n0 | v0' v1' v2' v3' v7 v8 v9 n1\n");
    /* Each side holds 7 identities: two quorums, two chains. The split is
     * there from the start: on the mesh, twins that could talk to both
     * sides first would be caught equivocating and tombstoned before it. */
    scen_assert(r, !sim_world_safety_held(r->world), "the break went unnoticed");
    scen_assert(r, r->stop == SIM_STOP_INVARIANT, "stop %s", sim_stop_name(r->stop));
    const char *detail = sim_world_stop_detail(r->world);
    scen_assert(r, g_str_has_prefix(detail, "safety violated at height "), "detail: %s", detail);
    scen_assert(r, strstr(detail, "finalized block") != NULL, "detail: %s", detail);
    scen_run_free(r);
}
END_TEST

/* PoA equivocation: two valid blocks for one slot (the real one to half
 * the nodes, an empty one to the other half): forks and reorgs, but with
 * 3 of 10 equivocators no two conflicting blocks can both be final. */
START_TEST(poa_block_equivocation_forks_but_stays_safe)
{
    const char *text =
        "[scenario]\nseed = 50\nduration = 60s\n"
        "[network]\nvalidators = 10\nfull_nodes = 2\nlatency = uniform 20ms 80ms\n"
        "[consensus]\nprotocol = poa\nblock_interval = 1s\ncrypto = fast\n"
        "[workload]\ntx_rate = 200/s\naccounts = 2000\nstop = 50s\n"
        "[fault bad]\nat = 0s\naction = byzantine\nnodes = v1 v4 v7\nbehavior = equivocate\n";
    scen_run *r = scen_run_text(text, NULL);
    scen_assert(r, sim_world_safety_held(r->world), "safety");
    scen_assert(r, scen_figure(r, "forks") >= 5, "forks %g", scen_figure(r, "forks"));
    scen_assert(r, scen_figure(r, "reorgs") >= 5, "reorgs %g", scen_figure(r, "reorgs"));
    scen_assert(r, scen_figure(r, "blocks_final") >= 40, "blocks_final %g",
                scen_figure(r, "blocks_final"));
    scen_run_free(r);
}
END_TEST

static Suite *byzantine_suite(void)
{
    Suite *s = suite_create("byzantine-scenarios");
    TCase *tc = tcase_create("byzantine");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, f_equivocators_safe_and_live);
    tcase_add_test(tc, f_double_signers_safe_and_live);
    tcase_add_test(tc, invalid_signatures_rejected_finality_continues);
    tcase_add_test(tc, replays_change_nothing);
    tcase_add_test(tc, withheld_votes_within_f_change_nothing);
    tcase_add_test(tc, flood_is_rejected_finality_continues);
    tcase_add_test(tc, mesh_bans_invalid_signers);
    tcase_add_test(tc, mesh_bans_replayers);
    tcase_add_test(tc, mesh_bans_flooders);
    tcase_add_test(tc, slow_validators_survived);
    tcase_add_test(tc, one_twin_is_safe);
    tcase_add_test(tc, f_plus_one_twins_break_safety_and_are_caught);
    tcase_add_test(tc, poa_block_equivocation_forks_but_stays_safe);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(byzantine_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
