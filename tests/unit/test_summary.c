/* Unit tests for the stdout summary (reports/summary.c): the expected
 * lines for a synthetic run (title, verdict, figures, the per-type network
 * table with its total, engine, faults, slashings and the accountability
 * verdict, expectations, trace hash), "-" for absent figures, and the
 * 80-column limit with long names. The Fees section is checked against
 * figures the real producer (sim/figures/fee_figures.c) computed from
 * hand-made fee, transaction and alarm records, so the names the summary
 * reads are the names the figures are set under. The Concentration
 * section is checked on hand-made concentration records and alarms, and
 * left out of a run without records. The Jobs and Disputes
 * sections are test_summary_market.c's. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/chain/txmsg_disputes.h"
#include "protocol/modules/disputes/disputes.h"
#include "reports/summary.h"
#include "sim/check/market_obs.h"
#include "sim/figures/figures.h"
#include "support/summary_fixture.h"

static char *test_render(void)
{
    g_autoptr(rep_run_info) info = sf_info();
    sim_metrics *m = sf_metrics();
    char *text = rep_summary_render(info, m);
    sim_metrics_free(m);
    return text;
}

START_TEST(test_title_and_verdict)
{
    g_autofree char *text = test_render();
    ck_assert(g_str_has_prefix(text, "aitbc-sim 0.1.0 | pbft-crash-30pct | seed 42 | crypto real\n"));
    ck_assert_line(text, "verdict: FAIL (duration reached)");
    ck_assert(g_str_has_suffix(text, "\n"));
    sf_assert_fits_80_columns(text);
}
END_TEST

START_TEST(test_throughput_section)
{
    g_autofree char *text = test_render();
    ck_assert_line(text, "Throughput & finality");
    ck_assert_line(text, "  throughput       912.5 tx/s");
    ck_assert_line(text, "  finality         p50 1.200  p90 2.100  p99 2.400  max 3.900 (s)");
    ck_assert_line(text, "  resubmitted      1,308   (receiver crashed 8, other 1,300)");
    ck_assert_line(text, "  blocks final     300   forks 0   reorgs 2");
    /* optional lines only when their figures exist */
    ck_assert(strstr(text, "commit latency") == NULL);
    ck_assert(strstr(text, "view changes") == NULL);
}
END_TEST

START_TEST(test_network_table)
{
    g_autofree char *text = test_render();
    ck_assert_line(text, "Network");
    ck_assert_line(text,
                   "  type                         sent    delivered      dropped   bytes sent");
    ck_assert_line(text,
                   "  pbft.preprepare             3,000        2,990           10      1.5 MiB");
    ck_assert_line(text,
                   "  pbft.prepare           27,000,000   26,999,000        1,000        512 B");
    ck_assert_line(text,
                   "  total                  27,003,000   27,001,990        1,010      1.5 MiB");
    /* rows in the order their type first appears */
    ck_assert(strstr(text, "  pbft.preprepare ") < strstr(text, "  pbft.prepare "));
}
END_TEST

START_TEST(test_engine_faults_expectations)
{
    g_autofree char *text = test_render();
    ck_assert_line(text, "  events           12,500,000 (1,000,000 events/s)");
    ck_assert_line(text, "  sim:real         48.00x (600.000 s simulated in 12.500 s)");
    ck_assert_line(text, "  crypto           real (floor ratio 0.41)");
    ck_assert_line(text, "  crash-three      crash      60s .. 300s        v7 v8 v9");
    ck_assert_line(text, "  rotate           rotate-key at 100.5s          v1");
    ck_assert_line(text, "  PASS  safety                     target holds        actual holds");
    ck_assert_line(text, "  FAIL  max_finality_p99           target 30s          actual 41.2s");
    g_autofree char *trace = g_strdup_printf("trace hash %s", sf_trace);
    ck_assert_line(text, trace);
    /* sections in order */
    const char *order[] = { "Throughput & finality", "Network", "Engine", "Faults",
                            "Expectations", "trace hash" };
    const char *previous = text;
    for (size_t i = 0; i < G_N_ELEMENTS(order); i++) {
        const char *at = strstr(text, order[i]);
        ck_assert_msg(at != NULL && at > previous, "section '%s' out of order", order[i]);
        previous = at;
    }
}
END_TEST

START_TEST(test_empty_run)
{
    g_autoptr(rep_run_info) info = rep_run_info_new();
    sim_metrics *m = sim_metrics_new();
    g_autofree char *text = rep_summary_render(info, m);
    sim_metrics_free(m);
    ck_assert_msg(g_str_has_prefix(text, "aitbc-sim " AITBC_VERSION " | - | seed 0 | crypto -\n"),
                  "%s", text);
    ck_assert_line(text, "verdict: INCOMPLETE");
    ck_assert_line(text, "  throughput       - tx/s");
    ck_assert_line(text, "  finality         p50 -  p90 -  p99 -  max - (s)");
    ck_assert_line(text, "  (no message figures)");
    ck_assert_line(text, "  events           0 (- events/s)");
    ck_assert_line(text, "trace hash -");
    sf_assert_fits_80_columns(text);
}
END_TEST

START_TEST(test_long_names_fit_80_columns)
{
    g_autoptr(rep_run_info) info = sf_info();
    g_free(info->scenario);
    info->scenario = g_strnfill(200, 's');
    rep_run_info_add_expect(info, "max_block_propagation_p99_with_a_long_key", "5s",
                            "a very long actual value that goes on and on and on", TRUE);
    sim_metrics *m = sf_metrics();
    sim_metrics_figure(m, "messages.p2p.extremely_long_message_type_name.sent", 5);
    sim_metrics_fault(m, "split", "partition", 0, 1000000, "v0..v4 n0..n19 | v5..v9 n20..n39 "
                      "and many more nodes than a line can hold");
    g_autofree char *text = rep_summary_render(info, m);
    sim_metrics_free(m);
    sf_assert_fits_80_columns(text);
    /* the end of a long type survives, marked with '~' */
    ck_assert_msg(strstr(text, "  ~g_message_type_name ") != NULL, "%s", text);
    ck_assert(strstr(text, "split            partition  0s .. 0.001s") != NULL);
    ck_assert(strstr(text, "...\n") != NULL);
}
END_TEST

START_TEST(test_number_formats)
{
    g_autoptr(rep_run_info) info = sf_info();
    sim_metrics *m = sim_metrics_new();
    sim_metrics_figure(m, "throughput_tps", -1234.56);
    sim_metrics_figure(m, "blocks_final", 1e300);
    sim_metrics_figure(m, "forks", 999);
    sim_metrics_figure(m, "reorgs", 1000);
    sim_metrics_figure(m, "bytes.tx.sent", 3.0 * 1024 * 1024 * 1024 * 1024);
    g_autofree char *text = rep_summary_render(info, m);
    sim_metrics_free(m);
    ck_assert_line(text, "  throughput       -1,234.6 tx/s");
    ck_assert_line(text, "  blocks final     1e+300   forks 999   reorgs 1,000");
    ck_assert_line(text,
                   "  tx                              -            -            -      3.0 TiB");
}
END_TEST

/* A PBFT run with a double-sign slashing, a downtime slashing, an unjail
 * and a key rotation (v9 is beyond the run's node names). */
static void add_slashings(rep_run_info *info, sim_metrics *m)
{
    for (int i = 0; i < 5; i++) {
        g_autofree char *name = g_strdup_printf("v%d", i);
        rep_run_info_add_node(info, name);
    }
    sim_slashing_record a = {.at_ns = 24500000000LL, .validator = 3, .reason = "double-sign",
                             .amount = 5, .evidence_height = 10, .height = 12,
                             .effective_height = 14};
    sim_slashing_record b = {.at_ns = 61000000000LL, .validator = 9, .reason = "downtime",
                             .amount = 1, .evidence_height = 30, .height = 31,
                             .effective_height = 33};
    g_array_append_val(m->slashings, a);
    g_array_append_val(m->slashings, b);
    sim_validator_change_record jail = {.at_ns = 24500000000LL, .validator = 3,
                                        .change = "jail", .height = 12, .effective_height = 14};
    sim_validator_change_record unjail = {.at_ns = 95000000000LL, .validator = 9,
                                          .change = "unjail", .height = 50,
                                          .effective_height = 52};
    sim_validator_change_record rotate = {.at_ns = 101000000000LL, .validator = 1,
                                          .change = "rotate-key", .height = 51,
                                          .effective_height = 53};
    g_array_append_val(m->validator_changes, jail);
    g_array_append_val(m->validator_changes, unjail);
    g_array_append_val(m->validator_changes, rotate);
}

START_TEST(test_slashings_and_accountability)
{
    g_autoptr(rep_run_info) info = sf_info();
    sim_metrics *m = sf_metrics();
    add_slashings(info, m);
    info->accountability = g_strdup("violated");
    info->accountability_detail =
        g_strdup("v4 jailed for downtime at height 30 but missed only 2 of the last 20 commits "
                 "(allowed 10)");
    g_autofree char *text = rep_summary_render(info, m);
    sim_metrics_free(m);
    ck_assert_line(text, "Slashings & accountability");
    ck_assert_line(text, "  v3     double-sign  infraction h 10     block 12     burned 5 at 24.5s");
    ck_assert_line(text, "  #9     downtime     infraction h 30     block 31     burned 1 at 61s");
    ck_assert_line(text, "  #9     unjail       block 50     in effect from h 52 at 95s");
    ck_assert_line(text, "  v1     rotate-key   block 51     in effect from h 53 at 101s");
    ck_assert(strstr(text, " jail ") == NULL); /* jails are the slashings' own lines */
    ck_assert_line(text,
                   "  accountability   violated: v4 jailed for downtime at height 30 but missed only");
    ck_assert_line(text, "                   2 of the last 20 commits (allowed 10)");
    sf_assert_fits_80_columns(text);
    const char *faults = strstr(text, "\nFaults\n");
    const char *slashings = strstr(text, "Slashings & accountability");
    const char *expectations = strstr(text, "\nExpectations\n");
    ck_assert(faults != NULL && faults < slashings && slashings < expectations);
}
END_TEST

START_TEST(test_slashings_section_only_when_relevant)
{
    g_autoptr(rep_run_info) info = sf_info();
    sim_metrics *m = sf_metrics();
    /* PoA: no verdict to report, nobody slashed: no section. */
    info->accountability = g_strdup("not-applicable");
    g_autofree char *poa = rep_summary_render(info, m);
    ck_assert(strstr(poa, "Slashings") == NULL);
    /* PBFT without slashings: the section says so and gives the verdict. */
    g_free(info->accountability);
    info->accountability = g_strdup("holds");
    info->accountability_detail = g_strdup("0 slashings");
    g_autofree char *pbft = rep_summary_render(info, m);
    sim_metrics_free(m);
    ck_assert_line(pbft, "  (no slashings)");
    ck_assert_line(pbft, "  accountability   holds: 0 slashings");
}
END_TEST

/* Propagation per block at 50/90/99/100% of the live nodes; a level no
 * block reached shows "-"; blocks short of all nodes get their own line. */
START_TEST(test_propagation_line)
{
    g_autoptr(rep_run_info) info = sf_info();
    sim_metrics *m = sf_metrics();
    sim_metrics_figure(m, "blocks_proposed", 1200);
    sim_metrics_figure(m, "block_propagation_p50_s", 0.12);
    sim_metrics_figure(m, "block_propagation_p90_s", 0.2);
    sim_metrics_figure(m, "block_propagation_p99_s", 0.31);
    sim_metrics_figure(m, "block_propagation_unreached_p99", 2);
    sim_metrics_figure(m, "block_propagation_unreached_p100", 1040);
    g_autofree char *text = rep_summary_render(info, m);
    sim_metrics_free(m);
    ck_assert_line(text, "  propagation      p50 0.120  p90 0.200  p99 0.310  p100 - (s)");
    ck_assert_line(text,
                   "                   1,040 of 1,200 blocks never reached every live node "
                   "(99%: 2)");
    sf_assert_fits_80_columns(text);
}
END_TEST

/* Re-convergence and catching up under the faults, when the run has them;
 * -1 means never. */
START_TEST(test_recovery_lines)
{
    g_autoptr(rep_run_info) info = sf_info();
    sim_metrics *m = sf_metrics();
    sim_metrics_figure(m, "reconverge_s", 3.25);
    sim_metrics_figure(m, "sync_after_join_mean_s", 2.25);
    sim_metrics_figure(m, "sync_after_join_max_s", 3.5);
    sim_metrics_figure(m, "sync_after_join_unsynced", 1);
    g_autofree char *text = rep_summary_render(info, m);
    ck_assert_line(text,
                   "  reconverge       3.250 s (heal to every node at the heal's tip, worst heal)");
    ck_assert_line(text, "  sync after join  mean 2.250  max 3.500 (s)   never synced 1");
    ck_assert(strstr(text, "  rotate ") < strstr(text, "  reconverge "));
    sf_assert_fits_80_columns(text);
    sim_metrics_figure(m, "reconverge_s", -1);
    g_autofree char *never = rep_summary_render(info, m);
    ck_assert_line(never, "  reconverge       never (a node up since a heal never caught up)");
    sim_metrics_free(m);
    /* absent figures, no lines */
    g_autofree char *plain = test_render();
    ck_assert(strstr(plain, "reconverge") == NULL && strstr(plain, "sync after") == NULL);
}
END_TEST

/* The Mesh section, only for a run with a mesh; recovery moves into it. */
START_TEST(test_mesh_section)
{
    g_autoptr(rep_run_info) info = sf_info();
    sim_metrics *m = sf_metrics();
    g_autofree char *plain = rep_summary_render(info, m);
    ck_assert(strstr(plain, "Mesh") == NULL);
    sim_metrics_figure(m, "bytes_sent_per_node_mean", 1572864);
    sim_metrics_figure(m, "bytes_sent_per_node_max", 3 * 1048576);
    sim_metrics_figure(m, "bytes_received_per_node_mean", 1048576);
    sim_metrics_figure(m, "bytes_received_per_node_max", 2 * 1048576);
    sim_metrics_figure(m, "peers_per_node_mean", 8.25);
    sim_metrics_figure(m, "peers_per_node_min", 5);
    sim_metrics_figure(m, "peers_per_node_max", 12);
    sim_metrics_figure(m, "gossip_duplicate_ratio", 0.4125);
    sim_metrics_figure(m, "gossip_ihave_sent", 1234);
    sim_metrics_figure(m, "gossip_held", 7);
    sim_metrics_figure(m, "gossip_rerouted", 3);
    sim_metrics_figure(m, "gossip_iwant_sent", 56);
    sim_metrics_figure(m, "p2p_throttled", 123);
    sim_metrics_figure(m, "peer_connects", 1500);
    sim_metrics_figure(m, "peer_disconnects", 47);
    sim_metrics_figure(m, "peer_disconnects.unresponsive", 0);
    sim_metrics_figure(m, "peer_disconnects.rate", 2);
    sim_metrics_figure(m, "peer_disconnects.prune", 45);
    sim_metrics_figure(m, "peer_bans", 2);
    sim_metrics_figure(m, "partitions_detected", 12);
    sim_metrics_figure(m, "partition_detection_latency_mean_s", 1.2);
    sim_metrics_figure(m, "partition_detection_latency_max_s", 2);
    sim_metrics_figure(m, "reconverge_s", 4.5);
    g_autofree char *text = rep_summary_render(info, m);
    sim_metrics_free(m);
    ck_assert_line(text, "Mesh");
    ck_assert_line(text, "  peers per node   mean 8.2  min 5  max 12");
    ck_assert_line(text, "  gossip           41.2% of copies were duplicates");
    ck_assert_line(text, "                   ihave 1,234  iwant 56  held for a route 7  re-routed 3");
    ck_assert_line(text, "  bytes sent       1.5 MiB per node (max 3.0 MiB)");
    ck_assert_line(text, "  bytes received   1.0 MiB per node (max 2.0 MiB)");
    ck_assert_line(text, "  peerings         1,500 connects  47 disconnects  2 bans  123 throttled");
    ck_assert_line(text, "  disconnected by  rate 2, prune 45");
    ck_assert_line(text, "  partitions       12 detected; latency mean 1.200 max 2.000 s; heal - s");
    ck_assert_line(text,
                   "  reconverge       4.500 s (heal to every node at the heal's tip, worst heal)");
    /* the Mesh section holds it, the Faults section does not repeat it */
    ck_assert(strstr(text, "reconverge") < strstr(text, "Engine"));
    ck_assert(strstr(strstr(text, "Faults"), "reconverge") == NULL);
    ck_assert(strstr(text, "Network") < strstr(text, "Mesh"));
    sf_assert_fits_80_columns(text);
}
END_TEST

/* ---- fees ---- */

#define S_NS ((int64_t)1000000000)

/* Three final heights (base fee 1000, 1125, 985; half full, full,
 * empty; burned 15e9 + 33.75e9 + 0 = 48,750,000,000; tips 1,500 + 250);
 * estimator transactions taking 1, 2, 3 s and one aggressive one 0.5 s;
 * `alarms` alarms, spam then congestion in turn, a second apart from
 * 10 s. Figures computed by sim/figures/fee_figures.c. */
static void test_add_fees(sim_metrics *m, guint alarms)
{
    static const uint64_t base_fee[] = {1000, 1125, 985};
    static const uint64_t gas_used[] = {15000000, 30000000, 0};
    static const uint64_t tips[] = {1500, 250, 0};
    for (guint i = 0; i < 3; i++) {
        sim_fee_record f = {.height = i + 1, .final_ns = (int64_t)(i + 1) * S_NS,
                            .base_fee = base_fee[i], .gas_used = gas_used[i],
                            .gas_limit = 30000000, .burned = base_fee[i] * gas_used[i],
                            .tips = tips[i], .tx_count = i};
        g_array_append_val(m->fees, f);
    }
    static const int64_t delay_ms[] = {1000, 2000, 3000, 500};
    for (guint i = 0; i < 4; i++) {
        sim_tx_record t = {.submitted_ns = 0, .final_ns = delay_ms[i] * 1000000,
                           .fee_strategy = i < 3 ? "estimator" : "aggressive"};
        g_array_append_val(m->txs, t);
    }
    for (guint i = 0; i < alarms; i++) {
        sim_alarm_record a = {.at_ns = (int64_t)(10 + i) * S_NS,
                              .kind = i % 2 == 0 ? "spam" : "congestion",
                              .subject = g_strdup(i % 2 == 0 ? "a17" : "chain"),
                              .detail = g_strdup_printf("alarm number %u", i)};
        g_array_append_val(m->alarms, a);
    }
    sim_fee_figures(m);
    sim_alarm_figures(m);
}

START_TEST(test_fees_section)
{
    g_autoptr(rep_run_info) info = sf_info();
    sim_metrics *m = sf_metrics();
    test_add_fees(m, 3);
    g_autofree char *text = rep_summary_render(info, m);
    sim_metrics_free(m);
    ck_assert_line(text, "Fees");
    /* mean (1000 + 1125 + 985) / 3 = 1036.67; gas (0.5 + 1 + 0) / 3 */
    ck_assert_line(text, "  base fee         first 1,000  max 1,125  final 985  mean 1,036.7");
    ck_assert_line(text, "  gas used         50.0% of the gas limit (mean over final heights)");
    ck_assert_line(text, "  burned           48,750,000,000   tips 1,750");
    /* overall 0.5 1 2 3: p50 rank 2 -> 1 s, p99 rank 4 -> 3 s; by name */
    ck_assert_line(text, "  inclusion delay  p50 1.000  p99 3.000 (s)");
    ck_assert_line(text, "    aggressive     p50 0.500  p99 0.500 (s)   1 txs");
    ck_assert_line(text, "    estimator      p50 2.000  p99 3.000 (s)   3 txs");
    ck_assert_line(text, "  alarms           3   (congestion 1, spam 2)");
    ck_assert_line(text, "    10s            spam         a17: alarm number 0");
    ck_assert_line(text, "    11s            congestion   chain: alarm number 1");
    ck_assert_line(text, "    12s            spam         a17: alarm number 2");
    ck_assert(strstr(text, "more (table alarms)") == NULL);
    /* after Throughput & finality, before Network */
    ck_assert(strstr(text, "blocks final") < strstr(text, "\nFees\n"));
    ck_assert(strstr(text, "\nFees\n") < strstr(text, "\nNetwork\n"));
    sf_assert_fits_80_columns(text);
}
END_TEST

/* The first five alarms are listed, the rest counted. */
START_TEST(test_fees_many_alarms)
{
    g_autoptr(rep_run_info) info = sf_info();
    sim_metrics *m = sf_metrics();
    test_add_fees(m, 8);
    g_autofree char *text = rep_summary_render(info, m);
    sim_metrics_free(m);
    ck_assert_line(text, "  alarms           8   (congestion 4, spam 4)");
    ck_assert_line(text, "    14s            spam         a17: alarm number 4");
    ck_assert(strstr(text, "alarm number 5") == NULL);
    ck_assert_line(text, "    ... and 3 more (table alarms)");
}
END_TEST

/* No fee records and no alarms: no Fees section. Alarms alone: the
 * section with the alarms only. Fee records without alarms: "none". */
START_TEST(test_fees_section_only_when_relevant)
{
    g_autoptr(rep_run_info) info = sf_info();
    sim_metrics *m = sf_metrics();
    sim_alarm_figures(m); /* alarms_count 0, as every run has */
    g_autofree char *plain = rep_summary_render(info, m);
    ck_assert(strstr(plain, "Fees") == NULL);
    ck_assert(strstr(plain, "base fee") == NULL);
    sim_metrics_free(m);

    m = sf_metrics();
    sim_alarm_record a = {.at_ns = 1500000000, .kind = "censorship", .subject = g_strdup("v3"),
                          .detail = g_strdup("left out 40 transactions it held")};
    g_array_append_val(m->alarms, a);
    sim_alarm_figures(m);
    g_autofree char *alarms_only = rep_summary_render(info, m);
    sim_metrics_free(m);
    ck_assert_line(alarms_only, "Fees");
    ck_assert(strstr(alarms_only, "base fee") == NULL);
    ck_assert_line(alarms_only, "  alarms           1   (censorship 1)");
    ck_assert_line(alarms_only, "    1.5s           censorship   v3: left out 40 transactions it held");

    m = sf_metrics();
    test_add_fees(m, 0);
    g_autofree char *quiet = rep_summary_render(info, m);
    sim_metrics_free(m);
    ck_assert_line(quiet, "  alarms           none");
}
END_TEST

START_TEST(test_print_writes_render)
{
    g_autoptr(rep_run_info) info = sf_info();
    sim_metrics *m = sf_metrics();
    g_autofree char *text = rep_summary_render(info, m);
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    rep_summary_print(f, info, m);
    sim_metrics_free(m);
    long size = ftell(f);
    ck_assert_int_eq(size, (long)strlen(text));
    rewind(f);
    g_autofree char *read = g_malloc0(size + 1);
    ck_assert_uint_eq(fread(read, 1, size, f), (size_t)size);
    fclose(f);
    ck_assert_str_eq(read, text);
}
END_TEST

/* ---- stake concentration ---- */

/* Two final heights: 10 validators with one owner of 4 (by owners 1),
 * then one of its validators jailed (9 voting, the owner at 30%: by
 * owners 2); the alarm raised and cleared. Figures as the observer sets
 * them (sim/check/concentration.c). */
START_TEST(test_concentration_section)
{
    g_autoptr(rep_run_info) info = sf_info();
    sim_metrics *m = sf_metrics();
    g_autofree char *none = rep_summary_render(info, m);
    ck_assert(strstr(none, "Concentration") == NULL); /* PoA, or nothing final */
    sim_concentration_record first = {.height = 1, .final_ns = S_NS, .power_total = 1000,
                                      .validators_powered = 10, .nakamoto_validators = 4,
                                      .nakamoto_owners = 1, .gini = 0.25,
                                      .top_owner_share = 0.4};
    sim_concentration_record second = {.height = 2, .final_ns = 2 * S_NS, .power_total = 900,
                                       .validators_powered = 9, .nakamoto_validators = 3,
                                       .nakamoto_owners = 2, .gini = 0.1,
                                       .top_owner_share = 0.3};
    g_array_append_val(m->concentration, first);
    g_array_append_val(m->concentration, second);
    sim_alarm_record raised = {.at_ns = S_NS, .kind = "concentration",
                               .subject = g_strdup("alpha"), .detail = g_strdup("40.0%")};
    sim_alarm_record cleared = {.at_ns = 2 * S_NS, .kind = "concentration-cleared",
                                .subject = g_strdup("alpha"), .detail = g_strdup("33.3%")};
    g_array_append_val(m->alarms, raised);
    g_array_append_val(m->alarms, cleared);
    sim_alarm_figures(m);
    sim_metrics_figure(m, "nakamoto_coefficient_min", 3);
    sim_metrics_figure(m, "nakamoto_owners_min", 1);
    sim_metrics_figure(m, "stake_gini_max", 0.25);
    g_autofree char *text = rep_summary_render(info, m);
    sim_metrics_free(m);
    ck_assert_line(text, "Concentration");
    ck_assert_line(text, "  nakamoto         min 3 by validators, 1 by owners   (height 2: 3, 2)");
    ck_assert_line(text, "  stake gini       max 0.250   (height 2: 0.100 over 9 voting validators)");
    ck_assert_line(text, "  largest owner    30.0% of the voting power at height 2");
    ck_assert_line(text, "  alarms           1 raised, 1 cleared (table alarms)");
    ck_assert(strstr(text, "\nConcentration\n") < strstr(text, "\ntrace hash"));
    sf_assert_fits_80_columns(text);
}
END_TEST

/* ---- the agent market ---- */

/* Through the real producer (sim/check/market_obs.c), so the names the
 * section reads are the names the figures are set under. a0, a1
 * providers, a2 their consumer; five jobs:
 *   1 a0 posted 0 s, matched 1 s, completed at 5 s   price 1000 + fees 200
 *   2 a1 posted 1 s, matched 2 s, completed at 4 s   price 1000 + fees 0
 *   3 a0 posted 2 s, matched 3 s, missed at 10 s
 *   4 a1 posted 3 s, matched 3.5 s, released wrong at 6 s
 *   5    posted 4 s, open
 * ROI a0 (300 - 100) / 100 = 2, a1 (200 - 50 - 50) / 100 = 1; a1
 * suspended once. */
static Suite *summary_suite(void)
{
    Suite *s = suite_create("summary");
    TCase *tc = tcase_create("render");
    tcase_add_test(tc, test_title_and_verdict);
    tcase_add_test(tc, test_throughput_section);
    tcase_add_test(tc, test_network_table);
    tcase_add_test(tc, test_engine_faults_expectations);
    tcase_add_test(tc, test_empty_run);
    tcase_add_test(tc, test_long_names_fit_80_columns);
    tcase_add_test(tc, test_number_formats);
    tcase_add_test(tc, test_slashings_and_accountability);
    tcase_add_test(tc, test_slashings_section_only_when_relevant);
    tcase_add_test(tc, test_propagation_line);
    tcase_add_test(tc, test_recovery_lines);
    tcase_add_test(tc, test_mesh_section);
    tcase_add_test(tc, test_fees_section);
    tcase_add_test(tc, test_fees_many_alarms);
    tcase_add_test(tc, test_fees_section_only_when_relevant);
    tcase_add_test(tc, test_concentration_section);
    tcase_add_test(tc, test_print_writes_render);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(summary_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
