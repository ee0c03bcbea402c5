/* Unit tests for the accountability invariant (sim/check/accountability.c).
 *
 * A real world is built from a small PBFT scenario but never run: the
 * tests drive the observer (sim_observe, as a node would) and the
 * delivery hook with hand-made events and COMMIT votes, then read the
 * records, figures, verdict and stop detail. This reaches into the world's
 * private structure (sim/world/world_internal.h) the way the fake environments
 * of the protocol tests stand in for a network: the checker is judged
 * event by event, without a whole simulation deciding what happens.
 *
 * Scenario: v0..v3, v3 named by an equivocate fault; [slashing] window 4,
 * min signed 0.5 (so at most 2 misses), evidence_max_age 3. At that
 * limit and one past it, the checker is held against the chain's own
 * rule (protocol/chain/downtime.c) on the same record. Also here:
 * rotate-key delivery (sim/world/faults.c: the derived keys, nothing for a node
 * that is down) and its refusal under PoA. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/chain/downtime.h"
#include "protocol/core/msgtype.h"
#include "protocol/pbft/pbft_msg.h"
#include "sim/world/world_internal.h"
#include "support/world_fixture.h"

static const char *SCENARIO =
    "[network]\nvalidators = 4\n"
    "[consensus]\nprotocol = pbft\ncrypto = fast\n"
    "[slashing]\nsigned_blocks_window = 4\nmin_signed_per_window = 0.5\n"
    "evidence_max_age = 3\n"
    "[fault eq]\nat = 0s\naction = byzantine\nnodes = v3\nbehavior = equivocate\n";

static sim_scenario *sc;
static sim_world *w;

static void setup_with(const char *text)
{
    w = test_world_new("acct.ini", text, &sc);
}

static void setup(void)
{
    setup_with(SCENARIO);
}

static void teardown(void)
{
    test_world_free(w, sc);
    w = NULL;
    sc = NULL;
}

/* ---- driving the observer ---- */

static uint8_t hashes[64][PROTO_HASH_SIZE];

static const uint8_t *block_hash(uint64_t height)
{
    ck_assert_uint_lt(height, 64);
    memset(hashes[height], (int)(height + 1), PROTO_HASH_SIZE);
    return hashes[height];
}

static void observe(uint32_t node, proto_event ev)
{
    ev.node = node;
    sim_observe(&w->nodes[node], &ev);
}

static void proposed(uint32_t node, uint64_t height)
{
    observe(node, (proto_event){.kind = PROTO_EV_BLOCK_PROPOSED, .height = height,
                                .proposer = node, .hash = block_hash(height)});
}

static const uint8_t state_root[PROTO_HASH_SIZE] = {7};

static void final(uint32_t node, uint64_t height)
{
    observe(node, (proto_event){.kind = PROTO_EV_BLOCK_FINAL, .height = height,
                                .proposer = 0, .hash = block_hash(height),
                                .state_root = state_root});
}

static void slashed(uint32_t node, uint32_t validator, proto_slash_reason reason,
                    uint64_t evidence_height, uint64_t height)
{
    observe(node, (proto_event){.kind = PROTO_EV_SLASHED, .height = height,
                                .validator = validator, .slash_reason = reason,
                                .evidence_height = evidence_height, .amount = 5,
                                .effective_height = height + 2});
}

/* A COMMIT vote of `voter` for `seq`, sent by node `from`, reaching `to`. */
static void commit_delivered(uint32_t from, uint32_t voter, uint32_t to, uint64_t seq)
{
    pbft_vote v = {.phase = PBFT_PHASE_COMMIT, .view = 0, .seq = seq, .validator = voter};
    GBytes *wire = pbft_msg_vote_encode(PROTO_MSG_PBFT_COMMIT, &v);
    sim_acct_on_delivery(w, from, to, wire);
    g_bytes_unref(wire);
}

static const char *stop_detail(void)
{
    return w->stop_requested ? w->stop_detail : "";
}

static sim_accountability_state verdict(void)
{
    sim_accountability a = sim_world_accountability(w);
    g_free(a.detail);
    return a.state;
}

/* ---- double signing ---- */

START_TEST(test_equivocator_slashed_once_is_recorded_once)
{
    for (uint32_t node = 0; node < 3; node++) /* three nodes commit the same block */
        slashed(node, 3, PROTO_SLASH_DOUBLE_SIGN, 5, 7);
    slashed(3, 3, PROTO_SLASH_DOUBLE_SIGN, 5, 9); /* a Byzantine node's report: ignored */
    ck_assert_uint_eq(w->metrics->slashings->len, 1);
    const sim_slashing_record *r = &g_array_index(w->metrics->slashings, sim_slashing_record, 0);
    ck_assert_uint_eq(r->validator, 3);
    ck_assert_str_eq(r->reason, "double-sign");
    ck_assert_uint_eq(r->evidence_height, 5);
    ck_assert_uint_eq(r->height, 7);
    ck_assert_uint_eq(r->effective_height, 9);
    ck_assert_uint_eq(w->metrics->validator_changes->len, 1); /* its jail */
    ck_assert(!w->stop_requested);
    ck_assert_int_eq(verdict(), SIM_ACCOUNTABILITY_HOLDS);
    GArray *set = sim_world_slashed(w);
    ck_assert_uint_eq(set->len, 1);
    ck_assert_uint_eq(g_array_index(set, uint32_t, 0), 3);
    g_array_unref(set);
    sim_acct_figures(w);
    ck_assert(sim_metrics_get(w->metrics, "slashings.double_sign", -1) == 1);
    ck_assert(sim_metrics_get(w->metrics, "slashed_tokens", -1) == 5);
    ck_assert(sim_metrics_get(w->metrics, "accountability_held", -1) == 1);
}
END_TEST

START_TEST(test_honest_double_sign_slashing_is_a_violation)
{
    slashed(0, 1, PROTO_SLASH_DOUBLE_SIGN, 5, 7);
    ck_assert(w->stop_requested);
    ck_assert_int_eq(w->stop, SIM_STOP_INVARIANT);
    ck_assert_str_eq(stop_detail(), "accountability violated: v1 slashed for double-sign at "
                                    "height 5 (block 7) but it never equivocated");
    ck_assert(sim_world_safety_held(w));
    sim_accountability a = sim_world_accountability(w);
    ck_assert_int_eq(a.state, SIM_ACCOUNTABILITY_VIOLATED);
    ck_assert_str_eq(a.detail, "v1 slashed for double-sign at height 5 (block 7) but it never "
                               "equivocated");
    g_free(a.detail);
    sim_acct_figures(w);
    ck_assert(sim_metrics_get(w->metrics, "accountability_held", -1) == 0);
}
END_TEST

START_TEST(test_second_double_sign_slashing_is_a_violation)
{
    slashed(0, 3, PROTO_SLASH_DOUBLE_SIGN, 5, 7);
    ck_assert(!w->stop_requested);
    slashed(1, 3, PROTO_SLASH_DOUBLE_SIGN, 6, 8);
    ck_assert_str_eq(stop_detail(),
                     "accountability violated: v3 slashed for double-sign twice (blocks 7 and 8)");
}
END_TEST

/* ---- evidence deadlines ---- */

START_TEST(test_evidence_must_be_slashed_in_time)
{
    final(0, 1);
    observe(1, (proto_event){.kind = PROTO_EV_EVIDENCE, .height = 2, .proposer = 3});
    for (uint64_t h = 2; h <= 4; h++)
        final(0, h);
    ck_assert_int_eq(verdict(), SIM_ACCOUNTABILITY_PENDING);
    sim_accountability a = sim_world_accountability(w);
    ck_assert_str_eq(a.detail, "v3 equivocated at height 2 and may be slashed until height 5 "
                               "(the run ended at final height 4)");
    g_free(a.detail);
    final(0, 5); /* block 5 may still include it */
    ck_assert(!w->stop_requested);
    final(0, 6);
    ck_assert_str_eq(stop_detail(), "accountability violated: v3 equivocated at height 2 "
                                    "(evidence held by v1) but was not slashed by height 5");
}
END_TEST

START_TEST(test_evidence_slashed_in_time_holds)
{
    final(0, 1);
    observe(1, (proto_event){.kind = PROTO_EV_EVIDENCE, .height = 1, .proposer = 3});
    final(0, 2);
    slashed(0, 3, PROTO_SLASH_DOUBLE_SIGN, 1, 3);
    for (uint64_t h = 3; h <= 10; h++)
        final(0, h);
    ck_assert(!w->stop_requested);
    ck_assert_int_eq(verdict(), SIM_ACCOUNTABILITY_HOLDS);
}
END_TEST

START_TEST(test_evidence_too_old_when_first_held_is_counted)
{
    for (uint64_t h = 1; h <= 6; h++)
        final(0, h);
    /* infraction 2 + age 3 = 5: block 7 can no longer include it */
    observe(2, (proto_event){.kind = PROTO_EV_EVIDENCE, .height = 2, .proposer = 3});
    /* evidence held by a Byzantine node is no accusation */
    observe(3, (proto_event){.kind = PROTO_EV_EVIDENCE, .height = 6, .proposer = 2});
    for (uint64_t h = 7; h <= 12; h++)
        final(0, h);
    ck_assert(!w->stop_requested);
    ck_assert_int_eq(verdict(), SIM_ACCOUNTABILITY_HOLDS);
    sim_acct_figures(w);
    ck_assert(sim_metrics_get(w->metrics, "evidence_expired", -1) == 1);
}
END_TEST

/* ---- downtime ground truth ---- */

/* Heights 1..5 final; v0 proposes blocks 2..6, having received COMMITs
 * from every voter in `voters` for each height before proposing. */
static void chain_with_commits_from(const uint32_t *voters, size_t n)
{
    final(0, 1);
    for (uint64_t h = 1; h <= 5; h++) {
        for (size_t i = 0; i < n; i++)
            commit_delivered(voters[i], voters[i], 0, h);
        proposed(0, h + 1);
        final(0, h + 1);
    }
}

START_TEST(test_downtime_of_a_validator_that_missed_holds)
{
    const uint32_t voters[] = {1}; /* v2 never reaches v0 */
    chain_with_commits_from(voters, G_N_ELEMENTS(voters));
    slashed(0, 2, PROTO_SLASH_DOWNTIME, 5, 6);
    ck_assert(!w->stop_requested);
    sim_acct_finish(w);
    ck_assert(!w->stop_requested);
    ck_assert_int_eq(verdict(), SIM_ACCOUNTABILITY_HOLDS);
}
END_TEST

START_TEST(test_downtime_of_a_validator_that_signed_is_a_violation)
{
    const uint32_t voters[] = {1, 2};
    chain_with_commits_from(voters, G_N_ELEMENTS(voters));
    slashed(0, 1, PROTO_SLASH_DOWNTIME, 5, 6);
    ck_assert_str_eq(stop_detail(), "accountability violated: v1 jailed for downtime at height 5 "
                                    "but missed only 0 of the last 4 commits (allowed 2)");
}
END_TEST

START_TEST(test_downtime_waits_for_ground_truth)
{
    /* The slashing block's SLASHED may come before its BLOCK_FINAL. */
    final(0, 1);
    for (uint64_t h = 1; h <= 4; h++) {
        commit_delivered(1, 1, 0, h);
        proposed(0, h + 1);
        if (h < 4)
            final(0, h + 1);
    }
    slashed(0, 1, PROTO_SLASH_DOWNTIME, 4, 5);
    ck_assert(!w->stop_requested);
    final(0, 5);
    ck_assert_str_eq(stop_detail(), "accountability violated: v1 jailed for downtime at height 4 "
                                    "but missed only 0 of the last 4 commits (allowed 2)");
}
END_TEST

START_TEST(test_downtime_ground_truth_errs_toward_missed)
{
    final(0, 1);
    /* height 1: v1's vote reaches v0 only relayed by v2, which proves
     * nothing about v1: missed */
    commit_delivered(2, 1, 0, 1);
    proposed(0, 2);
    final(0, 2);
    /* height 2: its own vote: signed */
    commit_delivered(1, 1, 0, 2);
    proposed(0, 3);
    final(0, 3);
    /* height 3: its vote arrived, but nobody was seen proposing block 4
     * (a re-proposal after a view change, say): unknown, counted missed */
    commit_delivered(1, 1, 0, 3);
    final(0, 4);
    /* height 4: signed */
    commit_delivered(1, 1, 0, 4);
    proposed(0, 5);
    final(0, 5);
    /* 2 misses of 4 is not more than the 2 allowed: the jail is wrong (if
     * either miss had counted as signed, the detail would say 1) */
    slashed(0, 1, PROTO_SLASH_DOWNTIME, 4, 5);
    ck_assert_str_eq(stop_detail(), "accountability violated: v1 jailed for downtime at height 4 "
                                    "but missed only 2 of the last 4 commits (allowed 2)");
}
END_TEST

/* A proposer signed the height below its block only if its own COMMIT
 * went out: one that caught up by sync and proposes has not. */
START_TEST(test_downtime_proposer_signed_only_if_its_commit_went_out)
{
    final(0, 1);
    for (uint64_t h = 1; h <= 4; h++) {
        /* v1 proposes every block; its own COMMIT reaches v2 at heights
         * 1 and 2 only (at 3 and 4 it caught up without voting) */
        if (h <= 2)
            commit_delivered(1, 1, 2, h);
        proposed(1, h + 1);
        final(0, h + 1);
    }
    /* missed 3 and 4: 2 of 4, not more than the 2 allowed: a wrong jail
     * (were the proposer assumed to sign, the detail would say 0) */
    slashed(0, 1, PROTO_SLASH_DOWNTIME, 4, 5);
    ck_assert_str_eq(stop_detail(), "accountability violated: v1 jailed for downtime at height 4 "
                                    "but missed only 2 of the last 4 commits (allowed 2)");
}
END_TEST

/* v1's own COMMIT reaches proposer v0 at the heights of 1..5 where
 * signs[h]; blocks 2..6 are proposed by v0 and heights 1..5 final. The
 * chain's signing info (protocol/chain/downtime.c) is fed the same record
 * with the scenario's parameters: true if the chain jails v1 at 5. */
static bool chain_jails_v1(const bool signs[6])
{
    const proto_downtime_params *p = &sc->slashing.downtime;
    proto_signing_info s;
    proto_signing_info_init(&s, p, 0);
    proto_downtime_result r = PROTO_DOWNTIME_OK;
    final(0, 1);
    for (uint64_t h = 1; h <= 5; h++) {
        if (signs[h])
            commit_delivered(1, 1, 0, h);
        proposed(0, h + 1);
        final(0, h + 1);
        r = proto_signing_info_record(&s, p, h, 0, signs[h]);
        ck_assert(h == 5 || r == PROTO_DOWNTIME_OK);
    }
    proto_signing_info_clear(&s);
    return r == PROTO_DOWNTIME_JAIL;
}

/* Misses at 1, 4 and 5: height 1 has left the window 2..5, so 2 misses,
 * exactly the 2 allowed (window - round(0.5 * window)): the chain does
 * not jail, and a jail would be a violation. */
START_TEST(test_downtime_at_the_limit_is_a_violation_and_the_chain_agrees)
{
    ck_assert_uint_eq(proto_downtime_max_missed(&sc->slashing.downtime), 2);
    const bool signs[6] = {[2] = true, [3] = true};
    ck_assert(!chain_jails_v1(signs));
    slashed(0, 1, PROTO_SLASH_DOWNTIME, 5, 6);
    ck_assert_str_eq(stop_detail(), "accountability violated: v1 jailed for downtime at height 5 "
                                    "but missed only 2 of the last 4 commits (allowed 2)");
}
END_TEST

/* Misses at 1, 3, 4 and 5: 3 in the window, one past the limit: the
 * chain jails, and the checker agrees. */
START_TEST(test_downtime_one_past_the_limit_holds_and_the_chain_agrees)
{
    const bool signs[6] = {[2] = true};
    ck_assert(chain_jails_v1(signs));
    slashed(0, 1, PROTO_SLASH_DOWNTIME, 5, 6);
    sim_acct_finish(w);
    ck_assert(!w->stop_requested);
    ck_assert_int_eq(verdict(), SIM_ACCOUNTABILITY_HOLDS);
}
END_TEST

START_TEST(test_downtime_of_a_byzantine_validator_is_not_judged)
{
    const uint32_t voters[] = {1, 2, 3};
    chain_with_commits_from(voters, G_N_ELEMENTS(voters));
    slashed(0, 3, PROTO_SLASH_DOWNTIME, 5, 6);
    sim_acct_finish(w);
    ck_assert(!w->stop_requested);
}
END_TEST

START_TEST(test_finish_settles_checks_without_ground_truth)
{
    final(0, 1);
    slashed(0, 1, PROTO_SLASH_DOWNTIME, 4, 5); /* heights 2..4 never final */
    ck_assert(!w->stop_requested);
    sim_acct_finish(w);
    ck_assert(!w->stop_requested); /* unknown counts as missed: 4 > 2 */
}
END_TEST

/* ---- unjails and key rotations ---- */

START_TEST(test_unjails_and_rotations_recorded_once)
{
    for (uint32_t node = 0; node < 3; node++) {
        observe(node, (proto_event){.kind = PROTO_EV_UNJAILED, .height = 20, .validator = 2,
                                    .effective_height = 22});
        observe(node, (proto_event){.kind = PROTO_EV_KEY_ROTATED, .height = 21,
                                    .validator = 1, .effective_height = 23});
    }
    observe(0, (proto_event){.kind = PROTO_EV_KEY_ROTATED, .height = 30, .validator = 1,
                             .effective_height = 32});
    GArray *c = w->metrics->validator_changes;
    ck_assert_uint_eq(c->len, 3);
    const sim_validator_change_record *u = &g_array_index(c, sim_validator_change_record, 0);
    ck_assert_str_eq(u->change, "unjail");
    ck_assert_uint_eq(u->validator, 2);
    ck_assert_uint_eq(u->height, 20);
    ck_assert_uint_eq(u->effective_height, 22);
    sim_acct_figures(w);
    ck_assert(sim_metrics_get(w->metrics, "unjails", -1) == 1);
    ck_assert(sim_metrics_get(w->metrics, "key_rotations", -1) == 2);
    ck_assert(sim_metrics_get(w->metrics, "slashings", -1) == 0);
    GArray *set = sim_world_slashed(w);
    ck_assert_uint_eq(set->len, 0);
    g_array_unref(set);
}
END_TEST

/* ---- other protocols and setups ---- */

START_TEST(test_poa_is_not_applicable)
{
    teardown();
    setup_with("[network]\nvalidators = 4\n[consensus]\nprotocol = poa\ncrypto = fast\n");
    slashed(0, 1, PROTO_SLASH_DOUBLE_SIGN, 5, 7);
    ck_assert(!w->stop_requested);
    ck_assert_int_eq(verdict(), SIM_ACCOUNTABILITY_NOT_APPLICABLE);
}
END_TEST

START_TEST(test_twin_counts_as_equivocation)
{
    teardown();
    setup_with("[network]\nvalidators = 4\n[consensus]\nprotocol = pbft\ncrypto = fast\n"
               "[fault t]\nat = 1s\naction = byzantine\nnodes = v2\nbehavior = twin\n");
    slashed(0, 2, PROTO_SLASH_DOUBLE_SIGN, 5, 7);
    ck_assert(!w->stop_requested);
    ck_assert_str_eq(sim_accountability_state_name(verdict()), "holds");
}
END_TEST

START_TEST(test_rotate_key_refused_under_poa)
{
    teardown();
    const char *text = "[network]\nvalidators = 4\n[fault r]\nat = 1s\naction = rotate-key\n"
                       "nodes = v1\n";
    GError *error = NULL;
    sc = sim_scenario_parse("poa-rotate.ini", text, strlen(text), NULL, &error);
    ck_assert_ptr_nonnull(sc);
    ck_assert_ptr_null(sim_world_new(sc, &error));
    ck_assert_str_eq(error->message, "poa-rotate.ini:3: action: rotate-key needs protocol = pbft "
                                     "(PoA validators have fixed keys)");
    g_error_free(error);
}
END_TEST

/* ---- rotate-key delivery (sim/world/faults.c) ---- */

static proto_keypair rotated[4];
static guint rotated_count;

static void record_rotation(void *node, const proto_keypair *next)
{
    (void)node;
    ck_assert_uint_lt(rotated_count, G_N_ELEMENTS(rotated));
    rotated[rotated_count++] = *next;
}

START_TEST(test_rotation_keys_and_down_nodes)
{
    /* Rotations go to the consensus node (inside the p2p node in mesh
     * topology): stand a recording op in. */
    proto_node_ops ops = *w->nodes[1].consensus_ops;
    ops.rotate_key = record_rotation;
    w->nodes[1].consensus_ops = &ops;
    rotated_count = 0;
    w->nodes[1].rotations_due = 2;
    sim_faults_deliver_rotations(w, 1);
    ck_assert_uint_eq(rotated_count, 2);
    for (guint r = 0; r < 2; r++) {
        g_autofree char *label = g_strdup_printf("validator/1/rotation/%u", r + 1);
        proto_keypair want;
        proto_keypair_derive(&want, sc->seed, label);
        ck_assert(memcmp(&rotated[r], &want, sizeof want) == 0);
    }
    ck_assert(memcmp(&rotated[0].pk, &w->chain.validator_pubkeys[1], sizeof(proto_pubkey)) != 0);
    /* a node that is down gets nothing until it restarts */
    sim_world_crash_node(w, 1);
    w->nodes[1].rotations_due = 3;
    sim_faults_deliver_rotations(w, 1);
    ck_assert_uint_eq(rotated_count, 2);
    ck_assert_uint_eq(w->nodes[1].rotations_delivered, 2);
}
END_TEST

static Suite *accountability_suite(void)
{
    Suite *s = suite_create("accountability");
    TCase *tc = tcase_create("checks");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_equivocator_slashed_once_is_recorded_once);
    tcase_add_test(tc, test_honest_double_sign_slashing_is_a_violation);
    tcase_add_test(tc, test_second_double_sign_slashing_is_a_violation);
    tcase_add_test(tc, test_evidence_must_be_slashed_in_time);
    tcase_add_test(tc, test_evidence_slashed_in_time_holds);
    tcase_add_test(tc, test_evidence_too_old_when_first_held_is_counted);
    tcase_add_test(tc, test_downtime_of_a_validator_that_missed_holds);
    tcase_add_test(tc, test_downtime_of_a_validator_that_signed_is_a_violation);
    tcase_add_test(tc, test_downtime_waits_for_ground_truth);
    tcase_add_test(tc, test_downtime_ground_truth_errs_toward_missed);
    tcase_add_test(tc, test_downtime_proposer_signed_only_if_its_commit_went_out);
    tcase_add_test(tc, test_downtime_at_the_limit_is_a_violation_and_the_chain_agrees);
    tcase_add_test(tc, test_downtime_one_past_the_limit_holds_and_the_chain_agrees);
    tcase_add_test(tc, test_downtime_of_a_byzantine_validator_is_not_judged);
    tcase_add_test(tc, test_finish_settles_checks_without_ground_truth);
    tcase_add_test(tc, test_unjails_and_rotations_recorded_once);
    tcase_add_test(tc, test_poa_is_not_applicable);
    tcase_add_test(tc, test_twin_counts_as_equivocation);
    tcase_add_test(tc, test_rotate_key_refused_under_poa);
    tcase_add_test(tc, test_rotation_keys_and_down_nodes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(accountability_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
