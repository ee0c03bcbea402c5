/* Unit tests for the plots (reports/plot.c).
 *
 * A results database is written through the real writer (reports/db.c)
 * from hand-made records; the plots are drawn from it into a temporary
 * directory. Checks: every .dat and .gp file is there; the throughput data
 * counts finalized transactions per simulated second exactly; fault
 * windows are shaded and labelled in the script; the CDF is monotone and
 * ends at 1; the fees plot has one data row per final height (base fee,
 * gas used over the limit) with the fault windows shaded, and is left
 * out (an earlier one removed) when the database has no fee records;
 * the nakamoto plot likewise, from the concentration records; the jobs
 * and job_latency plots from agents and jobs added to the database,
 * and neither without agents; the disputes plot from disputes added
 * after them, and none without;
 * with gnuplot on PATH the PNG and SVG files are real images,
 * and with an empty PATH the run says gnuplot is missing but still writes
 * data and scripts; a missing database is an error, not a crash. */
#include <check.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "reports/db.h"
#include "reports/plot.h"
#include "reports/run_info.h"
#include "sim/figures/metrics.h"
#include "support/tmpdir.h"

static char *dir;

/* 10 s run: 3 txs final in second 0, 5 in second 4; one crash 2..5 s. */
static void write_db(void)
{
    sim_metrics *m = sim_metrics_new();
    const int64_t finals_ms[] = {100, 500, 900, 4000, 4100, 4200, 4300, 4999};
    for (guint i = 0; i < G_N_ELEMENTS(finals_ms); i++) {
        sim_tx_record t = {.submitted_ns = finals_ms[i] * 1000000LL - 300000000LL * (i % 3 + 1),
                           .final_ns = finals_ms[i] * 1000000LL,
                           .node = 0};
        if (t.submitted_ns < 0)
            t.submitted_ns = 0;
        g_array_append_val(m->txs, t);
    }
    sim_metrics_fault(m, "crash \"quoted\"", "crash", 2000000000LL, 5000000000LL, "v1");
    sim_view_change_record vc = {.view = 1, .cause = "timeout", .first_node = 0,
                                 .started_ns = 3000000000LL, .ended_ns = 3500000000LL};
    g_array_append_val(m->view_changes, vc);
    /* v1 slashed for double-signing at 6 s, unjailed at 7 s (a test value:
     * double signing tombstones in the protocol), v0's key rotated at 8 s */
    sim_slashing_record sl = {.at_ns = 6000000000LL, .validator = 1, .reason = "double-sign",
                              .amount = 5, .evidence_height = 3, .height = 4,
                              .effective_height = 6};
    g_array_append_val(m->slashings, sl);
    const sim_validator_change_record changes[] = {
        {.at_ns = 6000000000LL, .validator = 1, .change = "jail", .height = 4,
         .effective_height = 6},
        {.at_ns = 7000000000LL, .validator = 1, .change = "unjail", .height = 7,
         .effective_height = 9},
        {.at_ns = 8000000000LL, .validator = 0, .change = "rotate-key", .height = 8,
         .effective_height = 10},
    };
    g_array_append_vals(m->validator_changes, changes, G_N_ELEMENTS(changes));
    /* three blocks; two reached 99% of the live nodes (0.4 s, 0.2 s), one
     * never; four receipts */
    for (uint32_t i = 0; i < 3; i++) {
        proto_hash h;
        memset(&h, (int)i + 1, sizeof h);
        uint32_t index = sim_metrics_block(m, &h); /* before taking the (moving) array */
        sim_block_record *b = &g_array_index(m->blocks, sim_block_record, index);
        b->height = i + 1;
        b->proposed_ns = (int64_t)i * 1000000000LL;
        b->reached_p99_ns = i == 2 ? -1 : 400000000LL - (int64_t)i * 200000000LL;
        sim_receipt_record r = {.height = i + 1, .node = 1, .delay_ns = 100000000LL * (i + 1)};
        g_array_append_val(m->receipts, r);
    }
    sim_receipt_record late = {.height = 1, .node = 0, .delay_ns = 50000000LL};
    g_array_append_val(m->receipts, late);
    /* the fee market of three final heights at 1, 2.5 and 4 s: half full,
     * full, empty (limit 30M), the base fee moving with them */
    static const uint64_t base_fee[] = {1000, 1000, 1125};
    static const uint64_t gas_used[] = {15000000, 30000000, 0};
    for (uint32_t i = 0; i < 3; i++) {
        sim_fee_record f = {.height = i + 1, .final_ns = 1000000000LL + 1500000000LL * i,
                            .base_fee = base_fee[i], .gas_used = gas_used[i],
                            .gas_limit = 30000000, .burned = base_fee[i] * gas_used[i],
                            .tips = gas_used[i], .tx_count = i};
        g_array_append_val(m->fees, f);
    }
    /* stake concentration at the same heights: 4 by validators, by
     * owners 1, 1 and then 2 (the owner's share fell under 1/3) */
    static const uint32_t by_owners[] = {1, 1, 2};
    for (uint32_t i = 0; i < 3; i++) {
        sim_concentration_record c = {.height = i + 1,
                                      .final_ns = 1000000000LL + 1500000000LL * i,
                                      .power_total = 1000, .validators_powered = 10,
                                      .nakamoto_validators = 4, .nakamoto_owners = by_owners[i],
                                      .top_owner_share = i < 2 ? 0.4 : 0.3};
        g_array_append_val(m->concentration, c);
    }
    rep_run_info *info = rep_run_info_new();
    info->scenario = g_strdup("plot-test");
    info->scenario_path = g_strdup("plot-test.ini");
    info->seed = 7;
    info->crypto = g_strdup("fast");
    info->started_at = g_strdup("2026-01-01T00:00:00Z");
    rep_run_info_add_node(info, "v0");
    rep_run_info_add_node(info, "v1");
    char *path = g_build_filename(dir, "results.sqlite", NULL);
    rep_db *db = NULL;
    GError *error = NULL;
    ck_assert(rep_db_begin(path, info, &db, &error));
    ck_assert(rep_db_write_results(db, info, m, &error));
    ck_assert(rep_db_finish(db, REP_VERDICT_PASS, 0.1, 10.0, 1000, "ab", &error));
    rep_db_close(db);
    g_free(path);
    rep_run_info_free(info);
    sim_metrics_free(m);
}

static void setup(void)
{
    dir = g_dir_make_tmp("test_plot_XXXXXX", NULL);
    ck_assert_ptr_nonnull(dir);
    write_db();
}

static void teardown(void)
{
    test_remove_tree(dir);
    g_free(dir);
}

static char *read_plot_file(const char *name)
{
    char *path = g_build_filename(dir, "plots", name, NULL);
    char *text = NULL;
    gsize len = 0;
    ck_assert_msg(g_file_get_contents(path, &text, &len, NULL), "missing %s", name);
    g_free(path);
    return text;
}

static bool have_gnuplot(void)
{
    char *p = g_find_program_in_path("gnuplot");
    bool ok = p != NULL;
    g_free(p);
    return ok;
}

START_TEST(data_and_scripts_are_written)
{
    rep_plot_result r;
    GError *error = NULL;
    char *db = g_build_filename(dir, "results.sqlite", NULL);
    ck_assert_msg(rep_plot_run(db, dir, &r, &error), "%s", error ? error->message : "");
    g_free(db);
    ck_assert_uint_eq(r.plots, 7);
    ck_assert_msg(!r.gnuplot_failed, "%s", r.detail ? r.detail : "");

    char *tp = read_plot_file("throughput.dat");
    /* second 0: 3 txs, seconds 1-3: 0, second 4: 5; then the 5 s moving
     * average (no blocks recorded: 1 s interval) */
    ck_assert_ptr_nonnull(strstr(tp, "\n0 3 "));
    ck_assert_ptr_nonnull(strstr(tp, "\n1 0 "));
    ck_assert_ptr_nonnull(strstr(tp, "\n4 5 "));
    /* (3+0+0+0+5)/5 over seconds 0..4, then the rate over second 2's
     * block interval (1 s: its own count) */
    ck_assert_ptr_nonnull(strstr(tp, "\n2 0 1.600 0.000\n"));
    const char *row4 = strstr(tp, "\n4 5 ");
    ck_assert_ptr_nonnull(row4);
    char *line4 = g_strndup(row4 + 1, strcspn(row4 + 1, "\n"));
    ck_assert(g_str_has_suffix(line4, " 5.000")); /* second 4's own count */
    g_free(line4);
    g_free(tp);
    char *gp = read_plot_file("throughput.gp");
    ck_assert_ptr_nonnull(strstr(gp, "set object rect from 2.000000, graph 0 to 5.000000"));
    ck_assert_ptr_nonnull(strstr(gp, "\"crash \\\"quoted\\\" (crash)\"")); /* escaped label */
    ck_assert_ptr_nonnull(strstr(gp, "throughput.svg"));
    ck_assert_ptr_nonnull(strstr(gp, "(tx/s)"));
    g_free(gp);

    char *cdf = read_plot_file("finality.dat");
    double last_x = -1, last_y = 0;
    char **lines = g_strsplit(cdf, "\n", -1);
    guint points = 0;
    for (char **l = lines; *l != NULL; l++) {
        if (**l == '#' || **l == '\0')
            continue;
        double x = 0, y = 0;
        ck_assert_int_eq(sscanf(*l, "%lf %lf", &x, &y), 2);
        ck_assert(x >= last_x && y > last_y);
        last_x = x;
        last_y = y;
        points++;
    }
    ck_assert_uint_eq(points, 8);
    ck_assert(last_y > 0.999 && last_y < 1.001);
    g_strfreev(lines);
    g_free(cdf);

    /* propagation: receipts (4) and, per block, reaching 99% (2 of 3) */
    char *pr = read_plot_file("propagation.dat");
    ck_assert_ptr_nonnull(strstr(pr, "\n0.050000 0.250000\n0.100000 0.500000\n"));
    ck_assert_ptr_nonnull(strstr(pr, "\n0.300000 1.000000\n"));
    g_free(pr);
    char *pb = read_plot_file("propagation-blocks.dat");
    ck_assert_ptr_nonnull(strstr(pb, "\n0.200000 0.500000\n0.400000 1.000000\n"));
    g_free(pb);
    char *pgp = read_plot_file("propagation.gp");
    ck_assert_ptr_nonnull(strstr(pgp, "\"each node's first holding of each block (4 holdings)\""));
    ck_assert_ptr_nonnull(
        strstr(pgp, "\"propagation-blocks.dat\" using 1:2 with steps lw 2 lc rgb \"#1b9e77\" "
                    "title \"per block: 99% of the nodes live at its proposal (2 blocks)\""));
    g_free(pgp);

    char *tl = read_plot_file("timeline.dat");
    ck_assert_ptr_nonnull(strstr(tl, "3.000000 0 0.500000 0 1")); /* the view change */
    /* slashings, unjails, rotations: one index each, jails not repeated */
    ck_assert_ptr_nonnull(strstr(tl, "\n6.000000 \"v1 slashed: double-sign (h 3)\"\n"));
    ck_assert_ptr_nonnull(strstr(tl, "\n7.000000 \"v1 unjailed (from h 9)\"\n"));
    ck_assert_ptr_nonnull(strstr(tl, "\n8.000000 \"v0 new key (from h 10)\"\n"));
    ck_assert_ptr_null(strstr(tl, "v1 new key")); /* the jail is the slashing itself */
    g_free(tl);
    char *tgp = read_plot_file("timeline.gp");
    ck_assert_ptr_nonnull(strstr(tgp, "\"validators\" 2)")); /* the row above the one fault */
    ck_assert_ptr_nonnull(strstr(tgp, "index 2 using 1:(2):2 with labels"));
    ck_assert_ptr_nonnull(strstr(tgp, "index 4 using 1:(2) with points"));
    g_free(tgp);

    /* fees: one row per final height, in height order, and the script
     * draws both series on their own axes over the shaded crash */
    char *fd = read_plot_file("fees.dat");
    ck_assert_ptr_nonnull(strstr(fd, "\n1.000000 1 1000 15000000 30000000 0.500000\n"
                                     "2.500000 2 1000 30000000 30000000 1.000000\n"
                                     "4.000000 3 1125 0 30000000 0.000000\n"));
    g_free(fd);
    char *fgp = read_plot_file("fees.gp");
    ck_assert_ptr_nonnull(strstr(fgp, "set object rect from 2.000000, graph 0 to 5.000000"));
    ck_assert_ptr_nonnull(strstr(fgp, "\"crash \\\"quoted\\\" (crash)\""));
    ck_assert_ptr_nonnull(strstr(fgp, "\"fees.dat\" using 1:6 axes x1y2"));
    ck_assert_ptr_nonnull(strstr(fgp, "\"fees.dat\" using 1:3 with steps"));
    ck_assert_ptr_nonnull(strstr(fgp, "set output \"fees.png\""));
    ck_assert_ptr_nonnull(strstr(fgp, "set output \"fees.svg\""));
    g_free(fgp);

    /* nakamoto: one row per final height, both coefficients, as steps
     * over the shaded crash, whole counts on the axis */
    char *nd = read_plot_file("nakamoto.dat");
    ck_assert_ptr_nonnull(strstr(nd, "\n1.000000 1 4 1\n2.500000 2 4 1\n4.000000 3 4 2\n"));
    g_free(nd);
    char *ngp = read_plot_file("nakamoto.gp");
    ck_assert_ptr_nonnull(strstr(ngp, "set object rect from 2.000000, graph 0 to 5.000000"));
    ck_assert_ptr_nonnull(strstr(ngp, "\"nakamoto.dat\" using 1:3 with steps"));
    ck_assert_ptr_nonnull(strstr(ngp, "\"nakamoto.dat\" using 1:4 with steps"));
    ck_assert_ptr_nonnull(strstr(ngp, "set yrange [0:5]\nset ytics 1\n"));
    ck_assert_ptr_nonnull(strstr(ngp, "set output \"nakamoto.svg\""));
    g_free(ngp);

    if (have_gnuplot()) {
        ck_assert(!r.gnuplot_missing);
        static const char *const images[] = {"throughput", "finality", "commit", "propagation",
                                             "timeline", "fees", "nakamoto"};
        for (guint i = 0; i < G_N_ELEMENTS(images); i++) {
            char *png_name = g_strdup_printf("%s.png", images[i]);
            char *svg_name = g_strdup_printf("%s.svg", images[i]);
            char *png = read_plot_file(png_name);
            char *svg = read_plot_file(svg_name);
            ck_assert_msg(memcmp(png, "\x89PNG", 4) == 0, "%s is not a PNG", png_name);
            ck_assert_msg(strstr(svg, "<svg") != NULL, "%s is not an SVG", svg_name);
            g_free(png);
            g_free(svg);
            g_free(png_name);
            g_free(svg_name);
        }
    }
    rep_plot_result_clear(&r);
}
END_TEST

START_TEST(missing_gnuplot_still_writes_data)
{
    const char *old = g_getenv("PATH");
    char *saved = g_strdup(old != NULL ? old : "");
    g_setenv("PATH", "/nonexistent", TRUE);
    rep_plot_result r;
    GError *error = NULL;
    char *db = g_build_filename(dir, "results.sqlite", NULL);
    gboolean ok = rep_plot_run(db, dir, &r, &error);
    g_setenv("PATH", saved, TRUE);
    g_free(saved);
    g_free(db);
    ck_assert(ok);
    ck_assert(r.gnuplot_missing);
    ck_assert_ptr_nonnull(r.detail);
    char *gp = read_plot_file("timeline.gp");
    g_free(gp);
    rep_plot_result_clear(&r);
}
END_TEST

/* Plot the test database after running `statement` on it. */
static void plot_after(const char *statement, rep_plot_result *r)
{
    char *db = g_build_filename(dir, "results.sqlite", NULL);
    sqlite3 *sql = NULL;
    ck_assert_int_eq(sqlite3_open(db, &sql), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(sql, statement, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(sql);
    GError *error = NULL;
    ck_assert_msg(rep_plot_run(db, dir, r, &error), "%s", error ? error->message : "");
    ck_assert_msg(!r->gnuplot_failed, "%s", r->detail ? r->detail : "");
    g_free(db);
}

/* Plot the test database as one written before `table` existed. */
static void plot_without_table(const char *table, rep_plot_result *r)
{
    char *drop = g_strdup_printf("DROP TABLE %s", table);
    plot_after(drop, r);
    g_free(drop);
}

/* A database from before validator_changes existed still plots, with its
 * slashings; a run without any gets the empty index gnuplot needs. */
START_TEST(older_database_without_validator_changes)
{
    rep_plot_result r;
    plot_without_table("validator_changes", &r);
    char *tl = read_plot_file("timeline.dat");
    ck_assert_ptr_nonnull(strstr(tl, "v1 slashed: double-sign (h 3)"));
    ck_assert_ptr_nonnull(strstr(tl, "# at_s \"unjail\"\n-1 \"\"\n"));
    g_free(tl);
    rep_plot_result_clear(&r);
}
END_TEST

static bool plot_file_exists(const char *name)
{
    char *path = g_build_filename(dir, "plots", name, NULL);
    bool found = g_file_test(path, G_FILE_TEST_EXISTS);
    g_free(path);
    return found;
}

/* Plot the test database (fees drawn), run `statement` on it, plot it
 * again: no fees plot now, and the first one's files are gone rather
 * than left to pass for this run's. */
static void check_fees_plot_removed_after(const char *statement)
{
    rep_plot_result r;
    GError *error = NULL;
    char *db = g_build_filename(dir, "results.sqlite", NULL);
    ck_assert_msg(rep_plot_run(db, dir, &r, &error), "%s", error ? error->message : "");
    g_free(db);
    ck_assert(plot_file_exists("fees.gp") && plot_file_exists("fees.dat"));
    rep_plot_result_clear(&r);
    plot_after(statement, &r);
    ck_assert_uint_eq(r.plots, 6); /* nakamoto still drawn */
    static const char *const gone[] = {"fees.gp", "fees.dat", "fees.png", "fees.svg"};
    for (guint i = 0; i < G_N_ELEMENTS(gone); i++)
        ck_assert_msg(!plot_file_exists(gone[i]), "%s: %s left behind", statement, gone[i]);
    ck_assert(plot_file_exists("timeline.gp"));
    rep_plot_result_clear(&r);
}

/* A run where no height became final has an empty fees table. */
START_TEST(no_fee_records_no_fees_plot)
{
    check_fees_plot_removed_after("DELETE FROM fees");
}
END_TEST

/* A database from before the fees table existed. */
START_TEST(older_database_without_fees)
{
    check_fees_plot_removed_after("DROP TABLE fees");
}
END_TEST

/* A database from before the propagation table existed plots the
 * receipts alone. */
START_TEST(older_database_without_propagation)
{
    rep_plot_result r;
    plot_without_table("propagation", &r);
    char *pgp = read_plot_file("propagation.gp");
    ck_assert_ptr_nonnull(strstr(pgp, "plot \"propagation.dat\""));
    ck_assert_ptr_null(strstr(pgp, "propagation-blocks.dat"));
    g_free(pgp);
    rep_plot_result_clear(&r);
}
END_TEST

/* A run without concentration records (PoA), and a database from before
 * the table existed: no nakamoto plot, and an earlier one's files go. */
static void check_nakamoto_plot_removed_after(const char *statement)
{
    rep_plot_result r;
    GError *error = NULL;
    char *db = g_build_filename(dir, "results.sqlite", NULL);
    ck_assert_msg(rep_plot_run(db, dir, &r, &error), "%s", error ? error->message : "");
    g_free(db);
    ck_assert(plot_file_exists("nakamoto.gp") && plot_file_exists("nakamoto.dat"));
    rep_plot_result_clear(&r);
    plot_after(statement, &r);
    ck_assert_uint_eq(r.plots, 6);
    static const char *const gone[] = {"nakamoto.gp", "nakamoto.dat", "nakamoto.png",
                                       "nakamoto.svg"};
    for (guint i = 0; i < G_N_ELEMENTS(gone); i++)
        ck_assert_msg(!plot_file_exists(gone[i]), "%s: %s left behind", statement, gone[i]);
    ck_assert(plot_file_exists("fees.gp"));
    rep_plot_result_clear(&r);
}

START_TEST(no_concentration_records_no_nakamoto_plot)
{
    check_nakamoto_plot_removed_after("DELETE FROM concentration");
}
END_TEST

START_TEST(older_database_without_concentration)
{
    check_nakamoto_plot_removed_after("DROP TABLE concentration");
}
END_TEST

/* The agent market of the test run, added to its database: a provider
 * and a consumer; jobs posted at 0, 0.2, 4.1 and 9 s, settled at 1.5 s
 * (completed), 4.5 s (missed), never (open) and 9.9 s (completed). */
static const char market_rows[] =
    "INSERT INTO agents (run_id, agent, role) VALUES (1, 'a0', 'provider'), "
    "(1, 'a1', 'consumer');"
    "INSERT INTO jobs (run_id, id, consumer, provider, posted_ns, matched_ns, settled_ns, "
    "outcome) VALUES (1, 1, 'a1', 'a0', 0, 500000000, 1500000000, 'completed'), "
    "(1, 2, 'a1', 'a0', 200000000, 700000000, 4500000000, 'missed'), "
    "(1, 3, 'a1', NULL, 4100000000, NULL, NULL, 'open'), "
    "(1, 4, 'a1', 'a0', 9000000000, 9200000000, 9900000000, 'completed');";

/* jobs: per 1 s bin (a 10 s run) the jobs posted, completed and failed
 * and the completion rate (NaN in a bin where nothing was decided), over
 * the shaded crash; job_latency: the two CDFs. */
START_TEST(jobs_plots)
{
    rep_plot_result r;
    plot_after(market_rows, &r);
    ck_assert_uint_eq(r.plots, 9);
    char *jd = read_plot_file("jobs.dat");
    ck_assert_ptr_nonnull(strstr(jd, "\n0.000 2 0 0 NaN\n1.000 0 1 0 1.000000\n"
                                     "2.000 0 0 0 NaN\n"));
    ck_assert_ptr_nonnull(strstr(jd, "\n4.000 1 0 1 0.000000\n"));
    ck_assert_ptr_nonnull(strstr(jd, "\n9.000 1 1 0 1.000000\n"));
    ck_assert_ptr_null(strstr(jd, "\n10.000 "));
    g_free(jd);
    char *jgp = read_plot_file("jobs.gp");
    ck_assert_ptr_nonnull(strstr(jgp, "set object rect from 2.000000, graph 0 to 5.000000"));
    ck_assert_ptr_nonnull(strstr(jgp, "set ylabel \"jobs per 1 s\""));
    ck_assert_ptr_nonnull(strstr(jgp, "\"jobs.dat\" using 1:2 with steps"));
    ck_assert_ptr_nonnull(strstr(jgp, "\"jobs.dat\" using 1:3 with steps"));
    ck_assert_ptr_nonnull(strstr(jgp, "\"jobs.dat\" using 1:4 with steps"));
    ck_assert_ptr_nonnull(strstr(jgp, "\"jobs.dat\" using ($1+0.5):5 axes x1y2"));
    ck_assert_ptr_nonnull(strstr(jgp, "set output \"jobs.svg\""));
    g_free(jgp);
    char *ld = read_plot_file("job_latency.dat");
    ck_assert_ptr_nonnull(strstr(ld, "\n0.900000 0.500000\n1.500000 1.000000\n"));
    g_free(ld);
    char *md = read_plot_file("match_latency.dat");
    ck_assert_ptr_nonnull(strstr(md, "\n0.200000 0.333333\n0.500000 0.666667\n"
                                     "0.500000 1.000000\n"));
    g_free(md);
    char *lgp = read_plot_file("job_latency.gp");
    ck_assert_ptr_nonnull(strstr(lgp, "\"job latency: posted to completed (2 jobs)\""));
    ck_assert_ptr_nonnull(strstr(lgp, "\"match latency: posted to matched (3 jobs)\""));
    g_free(lgp);
    if (have_gnuplot()) {
        static const char *const images[] = {"jobs.png", "job_latency.png"};
        for (guint i = 0; i < G_N_ELEMENTS(images); i++) {
            char *png = read_plot_file(images[i]);
            ck_assert_msg(memcmp(png, "\x89PNG", 4) == 0, "%s is not a PNG", images[i]);
            g_free(png);
        }
    }
    rep_plot_result_clear(&r);
    /* a run without agents (and a database from before the tables) draws
     * neither, and the earlier files go */
    plot_after("DELETE FROM agents", &r);
    ck_assert_uint_eq(r.plots, 7);
    static const char *const gone[] = {"jobs.gp", "jobs.dat", "jobs.png", "job_latency.gp",
                                       "job_latency.dat", "match_latency.dat"};
    for (guint i = 0; i < G_N_ELEMENTS(gone); i++)
        ck_assert_msg(!plot_file_exists(gone[i]), "%s left behind", gone[i]);
    rep_plot_result_clear(&r);
    plot_after("DROP TABLE agents; DROP TABLE jobs", &r);
    ck_assert_uint_eq(r.plots, 7);
    rep_plot_result_clear(&r);
}
END_TEST

/* The market's disputes, added after its jobs: opened at 0.5, 1.2, 4.3
 * and 8 s; resolved at 1.5 s by default (tier 0), at 4.8 s by
 * re-execution (tier 1), at 9.5 s by a panel (tier 2); one open. */
static const char dispute_rows[] =
    "INSERT INTO disputes (run_id, job_id, opened_ns, tier, resolved_ns, ruling, correct, "
    "rounds, appeals) VALUES (1, 1, 500000000, 0, 1500000000, 'consumer', 1, 0, 0), "
    "(1, 2, 1200000000, 1, 4800000000, 'provider', 1, 1, 0), "
    "(1, 3, 4300000000, 2, 9500000000, 'none', 0, 2, 1), "
    "(1, 4, 8000000000, 1, NULL, NULL, NULL, 1, 0);";

/* disputes: per 1 s bin (the jobs plot's) the disputes opened and those
 * resolved in each tier; none without dispute records. */
START_TEST(disputes_plot)
{
    rep_plot_result r;
    g_autofree char *both = g_strconcat(market_rows, dispute_rows, NULL);
    plot_after(both, &r);
    ck_assert_uint_eq(r.plots, 10);
    char *dd = read_plot_file("disputes.dat");
    ck_assert_ptr_nonnull(strstr(dd, "\n0.000 1 0 0 0\n1.000 1 1 0 0\n2.000 0 0 0 0\n"));
    ck_assert_ptr_nonnull(strstr(dd, "\n4.000 1 0 1 0\n"));
    ck_assert_ptr_nonnull(strstr(dd, "\n8.000 1 0 0 0\n9.000 0 0 0 1\n"));
    g_free(dd);
    char *gp = read_plot_file("disputes.gp");
    ck_assert_ptr_nonnull(strstr(gp, "set ylabel \"disputes per 1 s\""));
    ck_assert_ptr_nonnull(strstr(gp, "set object rect from 2.000000, graph 0 to 5.000000"));
    for (int col = 2; col <= 5; col++) {
        g_autofree char *using = g_strdup_printf("\"disputes.dat\" using 1:%d with steps", col);
        ck_assert_msg(strstr(gp, using) != NULL, "no column %d", col);
    }
    ck_assert_ptr_nonnull(strstr(gp, "title \"resolved, tier 2 (panel)\""));
    ck_assert_ptr_nonnull(strstr(gp, "set output \"disputes.svg\""));
    g_free(gp);
    if (have_gnuplot()) {
        char *png = read_plot_file("disputes.png");
        ck_assert_msg(memcmp(png, "\x89PNG", 4) == 0, "disputes.png is not a PNG");
        g_free(png);
    }
    rep_plot_result_clear(&r);
    /* no disputes (and a database from before the table): no plot, the
     * earlier files go */
    plot_after("DELETE FROM disputes", &r);
    ck_assert_uint_eq(r.plots, 9);
    static const char *const gone[] = {"disputes.gp", "disputes.dat", "disputes.png"};
    for (guint i = 0; i < G_N_ELEMENTS(gone); i++)
        ck_assert_msg(!plot_file_exists(gone[i]), "%s left behind", gone[i]);
    rep_plot_result_clear(&r);
    plot_without_table("disputes", &r);
    ck_assert_uint_eq(r.plots, 9);
    rep_plot_result_clear(&r);
}
END_TEST

START_TEST(missing_database_is_an_error)
{
    rep_plot_result r;
    GError *error = NULL;
    char *db = g_build_filename(dir, "no-such.sqlite", NULL);
    ck_assert(!rep_plot_run(db, dir, &r, &error));
    ck_assert_ptr_nonnull(error);
    ck_assert_ptr_nonnull(strstr(error->message, "no-such.sqlite"));
    g_error_free(error);
    g_free(db);
    rep_plot_result_clear(&r);
}
END_TEST

static Suite *plot_suite(void)
{
    Suite *s = suite_create("plot");
    TCase *tc = tcase_create("plot");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, data_and_scripts_are_written);
    tcase_add_test(tc, missing_gnuplot_still_writes_data);
    tcase_add_test(tc, older_database_without_validator_changes);
    tcase_add_test(tc, older_database_without_propagation);
    tcase_add_test(tc, no_fee_records_no_fees_plot);
    tcase_add_test(tc, older_database_without_fees);
    tcase_add_test(tc, no_concentration_records_no_nakamoto_plot);
    tcase_add_test(tc, older_database_without_concentration);
    tcase_add_test(tc, jobs_plots);
    tcase_add_test(tc, disputes_plot);
    tcase_add_test(tc, missing_database_is_an_error);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(plot_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
