/* Unit tests for the mesh figures computed from records: block
 * propagation to 50/90/99/100% of the live nodes (sim/figures/propagation.c);
 * partition detection, re-convergence after a heal and catching up after
 * a join or restart (sim/figures/convergence.c); the mesh's own figures and per
 * node records (sim/figures/mesh_stats.c).
 *
 * A real world is built from a small scenario but never run (as in
 * test_accountability.c): the tests set which nodes are up, feed the
 * observer hand-made events and the propagation tracker holdings at
 * chosen times, then compute the figures and compare them with numbers
 * worked out by hand in the comments. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "sim/world/world_internal.h"
#include "support/world_fixture.h"

#define MS ((int64_t)1000000)
#define S_NS ((int64_t)1000000000)

/* v0..v3, n0..n5: ten nodes. */
static const char *SCENARIO = "[network]\nvalidators = 4\nfull_nodes = 6\n"
                              "[consensus]\nprotocol = pbft\ncrypto = fast\n"
                              "[workload]\ntx_rate = 0/s\n";

static sim_scenario *sc;
static sim_world *w;

static void setup_with(const char *text)
{
    w = test_world_new("mesh.ini", text, &sc);
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

static double figure(const char *name)
{
    return sim_metrics_get(w->metrics, name, NAN);
}

#define ck_assert_figure(name, expected)                                                  \
    do {                                                                                  \
        double got_ = figure(name);                                                       \
        ck_assert_msg(fabs(got_ - (expected)) < 1e-9, "%s = %.9g, expected %.9g", (name), \
                      got_, (double)(expected));                                          \
    } while (0)

/* ---- propagation ---- */

static uint8_t hashes[16][PROTO_HASH_SIZE];

static const uint8_t *block_hash(uint32_t n)
{
    ck_assert_uint_lt(n, 16);
    memset(hashes[n], (int)(n + 1), PROTO_HASH_SIZE);
    return hashes[n];
}

/* Validator `proposer` proposes block n (height n) stamped proposed_ns;
 * returns the block's record index. */
static uint32_t propose(uint32_t proposer, uint32_t n, int64_t proposed_ns)
{
    proto_event ev = {.kind = PROTO_EV_BLOCK_PROPOSED, .node = proposer, .height = n,
                      .proposer = proposer, .proposed_ns = proposed_ns, .hash = block_hash(n)};
    sim_observe(&w->nodes[proposer], &ev);
    proto_hash h;
    memcpy(h.bytes, block_hash(n), PROTO_HASH_SIZE);
    return sim_metrics_block(w->metrics, &h);
}

static const sim_block_record *block(uint32_t index)
{
    return &g_array_index(w->metrics->blocks, sim_block_record, index);
}

/* Block A: 8 nodes live at its proposal (n4, n5 down), held by the
 * proposer at once and by five more by 600 ms, never by n3: 4 holders
 * (50%) at 300 ms, 8 (90%, 99%, 100%) never. n4 comes up and receives it:
 * a receipt, not a live holder. Block B: proposed with all ten up; nine
 * hold it by 900 ms (90%: 9 of 10 at 900 ms), the tenth at 2 s (99% and
 * 100%). Block C: received only by a node that finalizes it (no receipt
 * first) at 1.5 s, then by everyone else at 1.6 s. */
START_TEST(test_propagation_levels_per_block)
{
    w->nodes[8].up = false;
    w->nodes[9].up = false;
    uint32_t a = propose(0, 1, 0);
    ck_assert_uint_eq(block(a)->live_count, 8);
    int64_t a_times[] = {100, 200, 300, 400, 500, 600}; /* nodes 1..6 */
    for (uint32_t node = 1; node <= 6; node++)
        sim_prop_block_held(w, a, node, a_times[node - 1] * MS, false);
    w->nodes[8].up = true;
    sim_prop_block_held(w, a, 8, 350 * MS, false);
    sim_prop_block_held(w, a, 1, 700 * MS, false); /* again: changes nothing */
    ck_assert_int_eq(block(a)->reached_p50_ns, 300 * MS);
    ck_assert_int_eq(block(a)->reached_p90_ns, -1);
    ck_assert_int_eq(block(a)->reached_all_ns, -1);
    ck_assert_uint_eq(block(a)->reached_count, 7);

    w->nodes[9].up = true;
    uint32_t b = propose(1, 2, 1 * S_NS);
    ck_assert_uint_eq(block(b)->live_count, 10);
    for (uint32_t node = 0; node < 10; node++) { /* in time order, n3 (7) last */
        if (node != 1 && node != 7)
            sim_prop_block_held(w, b, node, S_NS + (int64_t)(node + 1) * 90 * MS, false);
    }
    sim_prop_block_held(w, b, 7, 3 * S_NS, false);
    /* holders: v1 at 0, then nodes 0,2..6,8,9 at 90..900 ms, n3 (7) at 2 s */
    ck_assert_int_eq(block(b)->reached_p50_ns, 450 * MS); /* 5th: node 4 at (4+1)*90 */
    ck_assert_int_eq(block(b)->reached_p90_ns, 900 * MS); /* 9th: node 9 at 10*90 */
    ck_assert_int_eq(block(b)->reached_p99_ns, 2 * S_NS);
    ck_assert_int_eq(block(b)->reached_all_ns, 2 * S_NS);

    /* A block first mentioned by a finalization (no proposal seen). */
    static const uint8_t root[PROTO_HASH_SIZE] = {7};
    proto_event fin = {.kind = PROTO_EV_BLOCK_FINAL, .node = 5, .height = 1, .proposer = 0,
                       .proposed_ns = 0, .hash = block_hash(3), .state_root = root};
    sim_observe(&w->nodes[5], &fin); /* at time 0: holds it with delay 0 */
    proto_hash h;
    memcpy(h.bytes, block_hash(3), PROTO_HASH_SIZE);
    uint32_t c = sim_metrics_block(w->metrics, &h);
    for (uint32_t node = 0; node < 10; node++)
        sim_prop_block_held(w, c, node, 1600 * MS, false);
    ck_assert_int_eq(block(c)->reached_all_ns, 1600 * MS);

    /* Receipts: every first holding but the proposer's own: A 7 (1..6 and
     * n4), B 9, C 10. */
    ck_assert_uint_eq(w->metrics->receipts->len, 7 + 9 + 10);

    sim_prop_figures(w);
    /* p50 over A 0.3, B 0.45, C 1.6 (n0's holding is the 5th) -> median
     * (2nd of 3) 0.45; max 1.6 */
    ck_assert_int_eq(block(c)->reached_p50_ns, 1600 * MS);
    ck_assert_figure("block_propagation_p50_s", 0.45);
    ck_assert_figure("block_propagation_p50_max_s", 1.6);
    ck_assert_figure("block_propagation_unreached_p50", 0);
    /* p90: B 0.9, C 1.6 (A never): median (1st of 2) 0.9; p99 and p100:
     * B 2.0, C 1.6 -> 1.6 */
    ck_assert_figure("block_propagation_p90_s", 0.9);
    ck_assert_figure("block_propagation_p90_max_s", 1.6);
    ck_assert_figure("block_propagation_unreached_p90", 1);
    ck_assert_figure("block_propagation_p99_s", 1.6);
    ck_assert_figure("block_propagation_p100_s", 1.6);
    ck_assert_figure("block_propagation_p100_max_s", 2.0);
    ck_assert_figure("block_propagation_unreached_p100", 1);
}
END_TEST

/* A proposer's clock ahead of the receiver's (a Byzantine stamp in the
 * future) counts as no delay, not a negative one; with no block reaching
 * a level its figures are absent (nothing measured), not zero. */
START_TEST(test_propagation_clamps_and_absent_levels)
{
    uint32_t a = propose(0, 1, 5 * S_NS);
    sim_prop_block_held(w, a, 1, 1 * S_NS, false);
    ck_assert_int_eq(g_array_index(w->metrics->receipts, sim_receipt_record, 0).delay_ns, 0);
    sim_prop_figures(w);
    ck_assert(isnan(figure("block_propagation_p99_s")));
    ck_assert(isnan(figure("block_propagation_p100_max_s")));
    ck_assert_figure("block_propagation_unreached_p99", 1);
    ck_assert(isnan(figure("block_propagation_p50_s"))); /* 2 of 10 is short of 50% */
    ck_assert_figure("block_propagation_unreached_p50", 1);
}
END_TEST

/* ---- partitions, re-convergence, sync after join ---- */

/* v0..v3, n0..n2 (nodes 0..6). n1 crashes 5..8 s; a 3|1 partition
 * 10..20 s leaves v3 and n1 without a quorum. */
static const char *CONVERGE = "[network]\nvalidators = 4\nfull_nodes = 3\n"
                              "[consensus]\nprotocol = pbft\ncrypto = fast\n"
                              "[workload]\ntx_rate = 0/s\n"
                              "[fault crash]\nat = 5s\nuntil = 8s\naction = crash\nnodes = n1\n"
                              "[fault split]\nat = 10s\nuntil = 20s\naction = partition\n"
                              "groups = v0 v1 v2 n0 n2 | v3 n1\n";

enum { V0, V1, V2, V3, N0, N1, N2 };

static void setup_converge(void)
{
    setup_with(CONVERGE);
}

/* Commits must be recorded in time order, as the observer does. */
static void commit_at(uint32_t node, uint64_t height, int64_t at_ns)
{
    GArray *commits = w->metrics->commits;
    if (commits->len > 0)
        ck_assert_int_le(g_array_index(commits, sim_commit_record, commits->len - 1).committed_ns,
                         at_ns);
    sim_commit_record c = {.height = height, .node = node, .committed_ns = at_ns};
    g_array_append_val(commits, c);
}

static void commit_all_at(const uint32_t *nodes, size_t n, uint64_t height, int64_t at_ns)
{
    for (size_t i = 0; i < n; i++)
        commit_at(nodes[i], height, at_ns);
}

static void churn(int64_t at_ns, uint32_t node, sim_churn_kind kind)
{
    sim_churn_record e = {.at_ns = at_ns, .node = node, .kind = kind};
    g_array_append_val(w->churn_records, e);
}

static void suspect(uint32_t node, int64_t at_ns)
{
    sim_conv_partition_event(w, node, true, at_ns, 3, 4);
}

static void heal(uint32_t node, int64_t at_ns)
{
    sim_conv_partition_event(w, node, false, at_ns, 4, 4);
}

/* Worked by hand:
 * - heights: everyone commits h1 at 1 s, h2 at 4 s; all but n1 (down)
 *   h3 at 6 s. n1 restarts at 8 s recovering h2 from its store and
 *   commits h3 at 9 s: a sync after restart of 1 s (H = 3 at 8 s).
 * - partition 10..20 s: the majority commits h4 at 14 s; v3 and n1
 *   suspect at 11 s and 12.5 s (v3 again at 15 s: same suspicion), v0's
 *   suspicion at 9 s (healed 9.5 s) is before the fault. Detection 1 s
 *   and 2.5 s: mean 1.75, max 2.5. n1 lifts at 20.5 s, v3 at 21.5 s: heal
 *   detection mean 1.0. Suspected events: 4.
 * - heal at 20 s: H = 4; v3 commits h4 at 21 s, n1 at 23 s: reconverge
 *   3 s (n0 and n2 leave later, but were up at the heal and the others
 *   had h4 already).
 * - everyone commits h5 at 30 s; n0 crashes out at 40 s; the rest commit
 *   h6 at 44 s; n0 joins at 45 s as a new node (H = 6) and commits h1..h6
 *   by 48.5 s: 3.5 s. n2 leaves gracefully at 50 s.
 * Sync after join: 1 s and 3.5 s (mean 2.25, max 3.5); 1 join, 2 leaves. */
START_TEST(test_convergence_worked_example)
{
    static const uint32_t all[] = {V0, V1, V2, V3, N0, N1, N2};
    static const uint32_t but_n1[] = {V0, V1, V2, V3, N0, N2};
    static const uint32_t majority[] = {V0, V1, V2, N0, N2};
    static const uint32_t but_n0[] = {V0, V1, V2, V3, N1, N2};
    /* a mesh run: some node reported a peer event */
    proto_event connected = {.kind = PROTO_EV_PEER_CONNECTED, .node = V0, .from = V1};
    sim_observe(&w->nodes[V0], &connected);
    commit_all_at(all, 7, 1, 1 * S_NS);
    commit_all_at(all, 7, 2, 4 * S_NS);
    commit_all_at(but_n1, 6, 3, 6 * S_NS);
    sim_conv_recovered(w, N1, 8 * S_NS, 2);
    commit_at(N1, 3, 9 * S_NS);
    suspect(V0, 9 * S_NS);
    heal(V0, 9500 * MS);
    suspect(V3, 11 * S_NS);
    suspect(N1, 12500 * MS);
    commit_all_at(majority, 5, 4, 14 * S_NS);
    suspect(V3, 15 * S_NS);
    heal(N1, 20500 * MS);
    commit_at(V3, 4, 21 * S_NS);
    heal(V3, 21500 * MS);
    commit_at(N1, 4, 23 * S_NS);
    commit_all_at(all, 7, 5, 30 * S_NS);
    churn(40 * S_NS, N0, SIM_CHURN_LEAVE_CRASH);
    commit_all_at(but_n0, 6, 6, 44 * S_NS);
    churn(45 * S_NS, N0, SIM_CHURN_JOIN);
    for (uint64_t h = 1; h <= 6; h++)
        commit_at(N0, h, 46 * S_NS + (int64_t)(h - 1) * 500 * MS);
    churn(50 * S_NS, N2, SIM_CHURN_LEAVE_GRACEFUL);

    sim_conv_figures(w, 60 * S_NS);
    ck_assert_figure("partitions_detected", 4);
    ck_assert_figure("partition_detection_latency_mean_s", 1.75);
    ck_assert_figure("partition_detection_latency_max_s", 2.5);
    ck_assert_figure("partition_heal_detection_mean_s", 1.0);
    ck_assert_figure("reconverge_s", 3.0);
    ck_assert_figure("sync_after_join_mean_s", 2.25);
    ck_assert_figure("sync_after_join_max_s", 3.5);
    ck_assert_figure("sync_after_join_unsynced", 0);
    ck_assert_figure("churn_joins", 1);
    ck_assert_figure("churn_leaves", 2);

    /* The records for the database. */
    GArray *parts = w->metrics->partitions;
    ck_assert_uint_eq(parts->len, 3);
    const sim_partition_record *v3 = &g_array_index(parts, sim_partition_record, 1);
    ck_assert_uint_eq(v3->node, V3);
    ck_assert_int_eq(v3->suspected_ns, 11 * S_NS);
    ck_assert_int_eq(v3->healed_ns, 21500 * MS);
    ck_assert_uint_eq(v3->stake_seen, 3);
    ck_assert_uint_eq(v3->stake_total, 4);
    GArray *ch = w->metrics->churn;
    ck_assert_uint_eq(ch->len, 3);
    ck_assert_str_eq(g_array_index(ch, sim_membership_record, 0).kind, "leave-crash");
    ck_assert_str_eq(g_array_index(ch, sim_membership_record, 1).kind, "join");
    ck_assert_uint_eq(g_array_index(ch, sim_membership_record, 1).node, N0);
    ck_assert_str_eq(g_array_index(ch, sim_membership_record, 2).kind, "leave-graceful");
}
END_TEST

/* A heal after which n1 never catches up: reconverge_s = -1 (v3 does,
 * late). n1's restart at 8 s found no final block anywhere: synced at
 * once. Not a mesh run: no partition detection figures; no churn. */
START_TEST(test_convergence_never)
{
    static const uint32_t majority[] = {V0, V1, V2, N0, N2};
    commit_all_at(majority, 5, 1, 14 * S_NS); /* H at the heal: 1 */
    commit_at(V3, 1, 25 * S_NS);
    commit_all_at(majority, 5, 2, 26 * S_NS);
    sim_conv_figures(w, 60 * S_NS);
    ck_assert_figure("reconverge_s", -1);
    ck_assert_figure("sync_after_join_mean_s", 0);
    ck_assert_figure("sync_after_join_unsynced", 0);
    ck_assert(isnan(figure("partitions_detected")));
    ck_assert(isnan(figure("partition_detection_latency_mean_s")));
    ck_assert(isnan(figure("churn_joins")));
}
END_TEST

/* The crash fault's restart at 8 s: n1 recovered everything it needed
 * from its store at once (sync 0); a restart of a node that is already
 * up (a second crash fault's end) is not a restart. */
START_TEST(test_sync_from_store_and_overlapping_crashes)
{
    teardown();
    setup_with("[network]\nvalidators = 4\nfull_nodes = 3\n"
               "[consensus]\nprotocol = pbft\ncrypto = fast\n[workload]\ntx_rate = 0/s\n"
               "[fault a]\nat = 5s\nuntil = 8s\naction = crash\nnodes = n1\n"
               "[fault b]\nat = 6s\nuntil = 12s\naction = crash\nnodes = n1 n2\n");
    static const uint32_t all[] = {V0, V1, V2, V3, N0, N1, N2};
    commit_all_at(all, 7, 1, 1 * S_NS);
    sim_conv_recovered(w, N1, 8 * S_NS, 1); /* restarted by fault a's end */
    commit_at(N1, 2, 10 * S_NS);            /* h2 is everyone's later */
    sim_conv_recovered(w, N2, 12 * S_NS, 1);
    sim_conv_figures(w, 20 * S_NS);
    /* n1 at 8 s (H 1, recovered: 0 s) and n2 at 12 s (H 2: n1's commit at
     * 10 s; n2 recovered h1 and never got h2: unsynced); fault b's end
     * finds n1 up and changes nothing. */
    ck_assert_figure("sync_after_join_mean_s", 0);
    ck_assert_figure("sync_after_join_max_s", 0);
    ck_assert_figure("sync_after_join_unsynced", 1);
    ck_assert(isnan(figure("reconverge_s"))); /* no partition */
}
END_TEST

/* ---- the mesh's figures ---- */

static void peer_event(uint32_t node, proto_event_kind kind, proto_p2p_reason reason)
{
    proto_event ev = {.kind = kind, .node = node, .from = (node + 1) % 10, .p2p_reason = reason};
    sim_observe(&w->nodes[node], &ev);
}

/* What the p2p nodes counted, as the mesh observer's on_node_down and the end of
 * the run leave it: v0..v3 live with 9, 9, 9, 5 peers; n0 went down
 * with 3 (not live); n1..n5 live with 4 each. */
static void fill_mesh_nodes(void)
{
    for (uint32_t i = 0; i < 10; i++) {
        sim_mesh_node *n = sim_mesh_node_record(w, i);
        n->p2p_seen = true;
        n->live_at_end = i != 4;
        n->peers = i < 3 ? 9 : i == 3 ? 5 : i == 4 ? 3 : 4;
        n->stats.gossip_first = 100;
        n->stats.gossip_duplicate = i < 4 ? 300 : 100; /* 1800 of 2800 copies */
        n->stats.ihave_sent = 2;
        n->stats.iwant_sent = 1;
        n->stats.throttled = i == 9 ? 50 : 0;
        n->stats.dropped_not_peer = 1;
        n->stats.malformed = i == 9 ? 7 : 0;
        n->stats.no_route = i == 0 ? 3 : 0;
        n->stats.bans = i == 0 ? 2 : 0;
    }
}

START_TEST(test_mesh_figures_from_nodes_and_events)
{
    ck_assert(!sim_mesh_ran(w));
    fill_mesh_nodes();
    for (uint32_t node = 0; node < 10; node++)
        peer_event(node, PROTO_EV_PEER_CONNECTED, PROTO_P2P_REASON_NONE);
    peer_event(0, PROTO_EV_PEER_DISCONNECTED, PROTO_P2P_REASON_SCORE);
    peer_event(0, PROTO_EV_PEER_DISCONNECTED, PROTO_P2P_REASON_RATE);
    peer_event(5, PROTO_EV_PEER_DISCONNECTED, PROTO_P2P_REASON_PRUNE);
    peer_event(6, PROTO_EV_PEER_DISCONNECTED, PROTO_P2P_REASON_PRUNE);
    ck_assert(sim_mesh_ran(w));
    sim_mesh_figures(w);
    /* live: 9 9 9 5 4 4 4 4 4 = 52 over 9 */
    ck_assert_figure("peers_per_node_mean", 52.0 / 9.0);
    ck_assert_figure("peers_per_node_min", 4);
    ck_assert_figure("peers_per_node_max", 9);
    ck_assert_figure("gossip_duplicate_ratio", 1800.0 / 2800.0);
    ck_assert_figure("gossip_ihave_sent", 20);
    ck_assert_figure("gossip_iwant_sent", 10);
    ck_assert_figure("p2p_throttled", 50);
    ck_assert_figure("p2p_dropped_not_peer", 10);
    ck_assert_figure("p2p_malformed", 7);
    ck_assert_figure("p2p_no_route", 3);
    ck_assert_figure("peer_connects", 10);
    ck_assert_figure("peer_disconnects", 4);
    ck_assert_figure("peer_disconnects.score", 1);
    ck_assert_figure("peer_disconnects.rate", 1);
    ck_assert_figure("peer_disconnects.prune", 2);
    ck_assert_figure("peer_disconnects.unresponsive", 0);
    ck_assert_figure("peer_disconnects.leaving", 0);
    ck_assert_figure("peer_bans", 2);
    /* one record per node, the down node with its last values */
    GArray *peers = w->metrics->peers;
    ck_assert_uint_eq(peers->len, 10);
    const sim_peer_record *n0 = &g_array_index(peers, sim_peer_record, 4);
    ck_assert(n0->mesh);
    ck_assert_uint_eq(n0->peers, 3);
    ck_assert_uint_eq(n0->gossip_duplicate, 100);
    const sim_peer_record *v0 = &g_array_index(peers, sim_peer_record, 0);
    ck_assert_uint_eq(v0->bans, 2);
    ck_assert_uint_eq(v0->gossip_duplicate, 300);
}
END_TEST

/* Without a mesh (topology = direct): no mesh figures, and the per node
 * records carry the network's bytes only. */
START_TEST(test_no_mesh_no_mesh_figures)
{
    sim_mesh_figures(w);
    ck_assert(isnan(figure("peers_per_node_mean")));
    ck_assert(isnan(figure("peer_connects")));
    ck_assert(isnan(figure("gossip_duplicate_ratio")));
    ck_assert_uint_eq(w->metrics->peers->len, 10);
    ck_assert(!g_array_index(w->metrics->peers, sim_peer_record, 3).mesh);
}
END_TEST

/* A suspicion open when its node goes down is closed in the record: the
 * node's next suspicion (a new incarnation) opens a new one. */
START_TEST(test_node_down_closes_its_suspicion)
{
    sim_conv_partition_event(w, 2, true, 1 * S_NS, 1, 4);
    sim_world_observers_node_down(w, 2);
    sim_conv_partition_event(w, 2, true, 5 * S_NS, 2, 4);
    sim_conv_partition_event(w, 2, false, 6 * S_NS, 4, 4);
    GArray *parts = w->metrics->partitions;
    ck_assert_uint_eq(parts->len, 2);
    ck_assert_int_eq(g_array_index(parts, sim_partition_record, 0).healed_ns, -1);
    ck_assert_int_eq(g_array_index(parts, sim_partition_record, 1).healed_ns, 6 * S_NS);
    ck_assert_uint_eq(sim_conv_partitions_suspected(w), 2);
}
END_TEST

static Suite *mesh_figures_suite(void)
{
    Suite *s = suite_create("mesh_figures");
    TCase *tc = tcase_create("propagation");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_propagation_levels_per_block);
    tcase_add_test(tc, test_propagation_clamps_and_absent_levels);
    suite_add_tcase(s, tc);

    tc = tcase_create("convergence");
    tcase_add_checked_fixture(tc, setup_converge, teardown);
    tcase_add_test(tc, test_convergence_worked_example);
    tcase_add_test(tc, test_convergence_never);
    tcase_add_test(tc, test_sync_from_store_and_overlapping_crashes);
    suite_add_tcase(s, tc);

    tc = tcase_create("mesh");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_mesh_figures_from_nodes_and_events);
    tcase_add_test(tc, test_no_mesh_no_mesh_figures);
    tcase_add_test(tc, test_node_down_closes_its_suspicion);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(mesh_figures_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
