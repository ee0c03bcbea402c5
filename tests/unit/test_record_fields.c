/* Unit tests for the record tables (reports/record_fields.c): every table
 * is well formed (unique names, fields inside the record, times named
 * *_ns), results.sqlite has exactly the tables and columns the field
 * tables list, in their order and with their types, report.json has
 * every JSON field of the tables it shows, and a database written from a
 * small synthetic run holds, column by column, what the getters read from
 * the records: node names, hex hashes, NULL for absent values, and the
 * columns named differently from their record member (blocks.view is the
 * slot, first_commit_ns the first finalization, live_nodes the live
 * count). */
#include <check.h>
#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "reports/db.h"
#include "reports/json.h"
#include "reports/record_fields.h"
#include "support/tmpdir.h"

/* ---- a small synthetic run: at least one record in every table ---- */

static proto_hash test_hash(uint8_t seed)
{
    proto_hash h;
    for (size_t i = 0; i < PROTO_HASH_SIZE; i++)
        h.bytes[i] = (uint8_t)(seed + 7 * i);
    return h;
}

static void test_blocks(sim_metrics *m)
{
    /* the index first: adding a block may move the array */
    proto_hash h = test_hash(0x10);
    uint32_t index = sim_metrics_block(m, &h);
    sim_block_record *b = &g_array_index(m->blocks, sim_block_record, index);
    b->height = 5;
    b->slot = 7;
    b->proposer = 2;
    b->tx_count = 11;
    b->proposed_ns = 1000;
    b->first_final_ns = 5000;
    b->reached_p50_ns = 10;
    b->reached_p90_ns = 20;
    b->reached_p99_ns = 30;
    b->live_count = 4;
    b->reached_count = 3; /* reached_all_ns stays -1: never */
    h = test_hash(0x20);
    index = sim_metrics_block(m, &h);
    b = &g_array_index(m->blocks, sim_block_record, index);
    b->height = 6;
    b->proposer = 9; /* a node the run info does not name */
    sim_commit_record c = {.height = 5, .node = 1, .committed_ns = 5000, .block_index = 0};
    g_array_append_val(m->commits, c);
    sim_tx_record tx = {.submitted_ns = 100, .final_ns = 5000, .node = 3,
                        .fee_strategy = "aggressive"};
    g_array_append_val(m->txs, tx);
    sim_tx_record unpriced = {.submitted_ns = 200, .final_ns = 5000, .node = 0};
    g_array_append_val(m->txs, unpriced);
    sim_receipt_record r = {.height = 5, .node = 0, .delay_ns = 40};
    g_array_append_val(m->receipts, r);
    sim_view_change_record vc = {.view = 8, .cause = "timeout", .first_node = 1,
                                 .started_ns = 7000, .ended_ns = -1};
    g_array_append_val(m->view_changes, vc);
}

static void test_validators(sim_metrics *m)
{
    sim_slashing_record sl = {.at_ns = 9000, .validator = 3, .reason = "double-sign",
                              .amount = 5, .evidence_height = 4, .height = 6,
                              .effective_height = 8};
    g_array_append_val(m->slashings, sl);
    sim_validator_change_record vch = {.at_ns = 9500, .validator = 3, .change = "jail",
                                       .height = 6, .effective_height = 8};
    g_array_append_val(m->validator_changes, vch);
    sim_metrics_fault(m, "cut", "partition", 2000, -1, "v0 | v1..v3");
    sim_metrics_fault(m, "quiet", "crash", 3000, 4000, NULL);
    sim_metrics_figure(m, "throughput_tps", 12.5);
    sim_metrics_figure(m, "reorgs", NAN);
}

static void test_mesh(sim_metrics *m)
{
    for (uint32_t node = 0; node < 2; node++) {
        sim_peer_record p = {.node = node, .mesh = node == 0, .bytes_sent = 100 + node,
                             .bytes_received = 200 + node, .peers = 6, .gossip_first = 7,
                             .gossip_duplicate = 8, .throttled = 9, .bans = 1};
        g_array_append_val(m->peers, p);
    }
    sim_partition_record pr = {.node = 1, .suspected_ns = 2500, .healed_ns = -1,
                               .stake_seen = 100, .stake_total = 400};
    g_array_append_val(m->partitions, pr);
    sim_membership_record join = {.at_ns = 3500, .node = 2, .kind = "join"};
    g_array_append_val(m->churn, join);
}

/* Height 5's fee market; a spam alarm with a quote in its sentence;
 * height 5's stake concentration. */
static void test_fees(sim_metrics *m)
{
    sim_fee_record f = {.height = 5, .final_ns = 5000, .base_fee = 1125, .gas_used = 32714,
                        .gas_limit = 30000000, .burned = 36803250, .tips = 32714,
                        .tx_count = 2};
    g_array_append_val(m->fees, f);
    sim_alarm_record a = {.at_ns = 6000, .kind = "spam", .subject = g_strdup("a3"),
                          .detail = g_strdup("sends \"500/s\"")};
    g_array_append_val(m->alarms, a);
    /* height 5's stake concentration: 4 of 10 equal validators under one owner */
    sim_concentration_record c = {.height = 5, .final_ns = 5000, .power_total = 1000,
                                  .validators_powered = 10, .nakamoto_validators = 4,
                                  .nakamoto_owners = 1, .gini = 0.0, .top_owner_share = 0.4};
    g_array_append_val(m->concentration, c);
    /* height 5's staking economy (no mint: inflation absent), a delegation
     * and an unbonding entry of the run's end */
    sim_staking_record st = {.height = 5, .final_ns = 5000, .bonded = 9000, .unbonding = 100,
                             .staking_ratio = 0.25, .inflation = NAN, .minted = 0,
                             .community_pool = 7, .rewards_claimed = 3, .nakamoto = 4,
                             .delegations = 12, .unbonding_entries = 1,
                             .redelegation_entries = 0};
    g_array_append_val(m->staking, st);
    sim_delegation_record d = {.delegator = 17, .validator = 2, .shares = 95.5, .tokens = 95,
                               .claimable = 12};
    g_array_append_val(m->delegations, d);
    sim_unbonding_record u = {.delegator = 18, .validator = 2, .creation_height = 4,
                              .completion_ns = 604000, .initial_balance = 100, .balance = 95};
    g_array_append_val(m->unbondings, u);
}

/* The agent market: a provider with its final figures and a consumer
 * without (a run stopped early); a completed job and an unmatched one;
 * two registry transitions. */
static void test_market(sim_metrics *m)
{
    sim_agent_record provider = {.agent = 0, .role = "provider", .node = 2,
                                 .capability = "llm-7b", .registered_ns = 1000, .left_ns = -1,
                                 .bond = 10000, .reputation = 0.75, .jobs_done = 4,
                                 .jobs_failed = 1, .earned = 800, .spent = 0, .slashed = 50,
                                 .owner = 0, .behaviour = "honest", .fees_paid = 20,
                                 .operating_cost = 180, .roi = 2.75, .status = "active",
                                 .money_known = true};
    sim_agent_record consumer = {.agent = 1, .role = "consumer", .node = 3,
                                 .registered_ns = 1500, .left_ns = 8000, .reputation = NAN,
                                 .owner = 1, .behaviour = "honest", .roi = NAN,
                                 .status = "left"};
    g_array_append_val(m->agents, provider);
    g_array_append_val(m->agents, consumer);
    sim_job_record done = {.id = 7, .consumer = 1, .provider = 0, .capability = "llm-7b",
                           .posted_ns = 2000, .matched_ns = 2500, .delivered_ns = 4000,
                           .settled_ns = 4500, .outcome = "completed", .price = 200,
                           .fee_paid = 12, .gas_used = 90000, .correct = TRUE, .work_s = 1.5};
    sim_job_record unmatched = {.id = 8, .consumer = 1, .provider = SIM_AGENT_NONE,
                                .capability = "image", .posted_ns = 3000, .matched_ns = -1,
                                .delivered_ns = -1, .settled_ns = 6000, .outcome = "unmatched",
                                .price = 99, .work_s = 0.5};
    g_array_append_val(m->jobs, done);
    g_array_append_val(m->jobs, unmatched);
    sim_agent_transition_record t1 = {.at_ns = 1000, .agent = 0, .status = "registered"};
    sim_agent_transition_record t2 = {.at_ns = 8000, .agent = 1, .status = "left"};
    g_array_append_val(m->agent_transitions, t1);
    g_array_append_val(m->agent_transitions, t2);
    /* a dispute resolved by a panel, and one open (no ruling, no correct) */
    sim_dispute_record ruled = {.job_id = 7, .opened_ns = 4200, .tier = 2, .resolved_ns = 9000,
                                .ruling = "provider", .correct = TRUE, .rounds = 2,
                                .appeals = 1};
    sim_dispute_record open = {.job_id = 9, .opened_ns = 8500, .tier = 1, .resolved_ns = -1,
                               .rounds = 1};
    g_array_append_val(m->disputes, ruled);
    g_array_append_val(m->disputes, open);
    /* an upgrade with two laggards back, and one never planned */
    sim_upgrade_record done_up = {.module = "jobs", .version = 2, .lagging = 2,
                                  .planned_height = 49, .planned_ns = 43000,
                                  .activated_height = 49, .activated_ns = 53000,
                                  .stall_ns = 5000, .halted_nodes = 2, .resumed_ns = 70000,
                                  .halt_max_ns = 21000};
    sim_upgrade_record missed = {.module = "jobs", .version = 2, .planned_height = 12,
                                 .planned_ns = -1, .activated_ns = -1, .stall_ns = -1,
                                 .resumed_ns = -1};
    g_array_append_val(m->upgrades, done_up);
    g_array_append_val(m->upgrades, missed);
}

static sim_metrics *test_metrics(void)
{
    sim_metrics *m = sim_metrics_new();
    test_blocks(m);
    test_validators(m);
    test_mesh(m);
    test_fees(m);
    test_market(m);
    return m;
}

static rep_run_info *test_info(void)
{
    rep_run_info *info = rep_run_info_new();
    info->scenario = g_strdup("fields");
    for (uint32_t i = 0; i < 4; i++) {
        g_autofree char *name = g_strdup_printf("v%u", i);
        rep_run_info_add_node(info, name);
    }
    rep_run_info_add_expect(info, "safety", "holds", "holds", TRUE);
    rep_run_info_add_expect(info, "min_throughput", ">= 20/s", NULL, FALSE);
    return info;
}

/* ---- the database of the synthetic run ---- */

static char *test_dir;

static void test_setup(void)
{
    test_dir = g_dir_make_tmp("test_record_fields_XXXXXX", NULL);
    ck_assert_ptr_nonnull(test_dir);
}

static void test_teardown(void)
{
    test_remove_tree(test_dir);
    g_free(test_dir);
}

static sqlite3 *test_write_db(const rep_run_info *info, const sim_metrics *m)
{
    g_autofree char *path = g_build_filename(test_dir, "results.sqlite", NULL);
    GError *error = NULL;
    rep_db *db = NULL;
    ck_assert_msg(rep_db_begin(path, info, &db, &error), "%s", error ? error->message : "");
    ck_assert_msg(rep_db_write_results(db, info, m, &error), "%s", error ? error->message : "");
    rep_db_close(db);
    sqlite3 *sql = NULL;
    ck_assert_int_eq(sqlite3_open_v2(path, &sql, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    return sql;
}

static sqlite3_stmt *test_prepare(sqlite3 *sql, const char *query)
{
    sqlite3_stmt *st = NULL;
    ck_assert_msg(sqlite3_prepare_v2(sql, query, -1, &st, NULL) == SQLITE_OK, "%s: %s", query,
                  sqlite3_errmsg(sql));
    return st;
}

/* The first column of the first row as text ("<null>" for NULL). */
static char *test_text(sqlite3 *sql, const char *query)
{
    sqlite3_stmt *st = test_prepare(sql, query);
    ck_assert_msg(sqlite3_step(st) == SQLITE_ROW, "no row: %s", query);
    const unsigned char *text = sqlite3_column_text(st, 0);
    char *copy = g_strdup(text != NULL ? (const char *)text : "<null>");
    sqlite3_finalize(st);
    return copy;
}

static void test_assert_text(sqlite3 *sql, const char *query, const char *expected)
{
    g_autofree char *actual = test_text(sql, query);
    ck_assert_msg(strcmp(actual, expected) == 0, "%s: got '%s', want '%s'", query, actual,
                  expected);
}

static size_t test_kind_size(rep_field_kind kind)
{
    switch (kind) {
    case REP_FIELD_U64:
    case REP_FIELD_I64:
    case REP_FIELD_TIME:
        return sizeof(int64_t);
    case REP_FIELD_U32:
    case REP_FIELD_NODE:
    case REP_FIELD_AGENT:
        return sizeof(uint32_t);
    case REP_FIELD_REAL:
        return sizeof(double);
    case REP_FIELD_TEXT:
        return sizeof(char *);
    case REP_FIELD_HASH:
        return sizeof(proto_hash);
    case REP_FIELD_GBOOL:
        return sizeof(gboolean);
    }
    ck_abort_msg("unknown kind %d", (int)kind);
    return 0;
}

/* ---- tests ---- */

/* Unique table and field names, every field inside its record, times
 * (and only times and delays) named *_ns with unit "ns", every table in
 * the database, and its rows array of its record's size. */
START_TEST(test_tables_well_formed)
{
    size_t count = 0;
    const rep_record_table *const *tables = rep_record_tables(&count);
    ck_assert_uint_ge(count, 16);
    sim_metrics *m = sim_metrics_new();
    g_autoptr(rep_run_info) info = rep_run_info_new();
    for (size_t i = 0; i < count; i++) {
        const rep_record_table *t = tables[i];
        ck_assert_ptr_eq(rep_record_table_find(t->name), t);
        ck_assert_uint_eq(g_array_get_element_size((GArray *)rep_record_rows(t, info, m)),
                          t->row_size);
        gboolean in_db = FALSE;
        for (size_t k = 0; k < t->fields_count; k++) {
            const rep_field *f = &t->fields[k];
            ck_assert_msg(rep_record_field_find(t, f->name) == f, "%s.%s twice", t->name,
                          f->name);
            ck_assert_msg(f->offset + test_kind_size(f->kind) <= t->row_size, "%s.%s", t->name,
                          f->name);
            gboolean time = f->kind == REP_FIELD_TIME || f->kind == REP_FIELD_I64;
            ck_assert_msg(time == g_str_has_suffix(f->name, "_ns"), "%s.%s", t->name, f->name);
            ck_assert_msg(time == (strcmp(f->unit, "ns") == 0), "%s.%s", t->name, f->name);
            in_db = in_db || (f->outputs & REP_OUT_DB);
        }
        ck_assert_msg(in_db, "%s has no database column", t->name);
    }
    ck_assert_ptr_null(rep_record_table_find("runs"));
    sim_metrics_free(m);
}
END_TEST

/* results.sqlite has runs and exactly the record tables, each with run_id
 * and then its database fields, in order, typed by kind. */
START_TEST(test_schema_is_the_tables)
{
    g_autoptr(rep_run_info) info = test_info();
    sim_metrics *m = test_metrics();
    sqlite3 *sql = test_write_db(info, m);
    size_t count = 0;
    const rep_record_table *const *tables = rep_record_tables(&count);
    g_autofree char *n = test_text(sql, "SELECT count(*) FROM sqlite_master WHERE type = 'table'");
    ck_assert_int_eq(atoi(n), (int)count + 1);
    for (size_t i = 0; i < count; i++) {
        const rep_record_table *t = tables[i];
        g_autofree char *query = g_strdup_printf("PRAGMA table_info(%s)", t->name);
        sqlite3_stmt *st = test_prepare(sql, query);
        ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
        ck_assert_str_eq((const char *)sqlite3_column_text(st, 1), "run_id");
        for (size_t k = 0; k < t->fields_count; k++) {
            const rep_field *f = &t->fields[k];
            if (!(f->outputs & REP_OUT_DB))
                continue;
            ck_assert_msg(sqlite3_step(st) == SQLITE_ROW, "%s: no column %s", t->name, f->name);
            ck_assert_str_eq((const char *)sqlite3_column_text(st, 1), f->name);
            const char *type = f->kind == REP_FIELD_REAL ? "REAL"
                               : f->kind == REP_FIELD_TEXT || f->kind == REP_FIELD_NODE ||
                                       f->kind == REP_FIELD_HASH || f->kind == REP_FIELD_AGENT
                                   ? "TEXT"
                                   : "INTEGER";
            ck_assert_str_eq((const char *)sqlite3_column_text(st, 2), type);
        }
        ck_assert_msg(sqlite3_step(st) == SQLITE_DONE, "%s: a column no field lists", t->name);
        sqlite3_finalize(st);
    }
    /* The CREATE TABLE text is kept as written and shown by .dump: its
     * columns are filled into lines of at most 80 characters. */
    test_assert_text(sql, "SELECT sql FROM sqlite_master WHERE name = 'blocks'",
                     "CREATE TABLE blocks (\n"
                     "  run_id INTEGER NOT NULL REFERENCES runs(id), height INTEGER, view INTEGER,\n"
                     "  proposer TEXT, hash TEXT, tx_count INTEGER, proposed_ns INTEGER,\n"
                     "  first_commit_ns INTEGER, reached_all_ns INTEGER, reached_count INTEGER,\n"
                     "  reached_p50_ns INTEGER)");
    sqlite3_close(sql);
    sim_metrics_free(m);
}
END_TEST

/* Column `col` of the current row holds what the getter says the record
 * holds, as the database writes it. */
static void test_assert_column(sqlite3_stmt *st, int col, const rep_run_info *info,
                               rep_field_value v, const char *where)
{
    if (v.absent) {
        ck_assert_msg(sqlite3_column_type(st, col) == SQLITE_NULL, "%s: not NULL", where);
        return;
    }
    const char *text = (const char *)sqlite3_column_text(st, col);
    char buf[2 * PROTO_HASH_SIZE + 1];
    switch (v.kind) {
    case REP_FIELD_U64:
    case REP_FIELD_U32:
        ck_assert_msg((uint64_t)sqlite3_column_int64(st, col) == v.u64, "%s", where);
        break;
    case REP_FIELD_I64:
    case REP_FIELD_TIME:
        ck_assert_msg(sqlite3_column_int64(st, col) == v.i64, "%s", where);
        break;
    case REP_FIELD_REAL:
        ck_assert_msg(sqlite3_column_double(st, col) == v.real, "%s", where);
        break;
    case REP_FIELD_TEXT:
        ck_assert_msg(g_strcmp0(text, v.text) == 0, "%s: '%s'", where, text);
        break;
    case REP_FIELD_NODE:
        ck_assert_msg(g_strcmp0(text, rep_node_label(info, v.node, buf)) == 0, "%s: '%s'",
                      where, text);
        break;
    case REP_FIELD_HASH:
        proto_hash_hex(v.hash, buf);
        ck_assert_msg(g_strcmp0(text, buf) == 0, "%s: '%s'", where, text);
        break;
    case REP_FIELD_GBOOL:
        ck_assert_msg(sqlite3_column_int(st, col) == (v.flag ? 1 : 0), "%s", where);
        break;
    case REP_FIELD_AGENT:
        ck_assert_msg(g_strcmp0(text, rep_agent_label(v.agent, buf)) == 0, "%s: '%s'", where,
                      text);
        break;
    }
}

/* Every row of every table, column by column, is what the getters read. */
START_TEST(test_db_rows_are_the_getters)
{
    g_autoptr(rep_run_info) info = test_info();
    sim_metrics *m = test_metrics();
    sqlite3 *sql = test_write_db(info, m);
    size_t count = 0;
    const rep_record_table *const *tables = rep_record_tables(&count);
    for (size_t i = 0; i < count; i++) {
        const rep_record_table *t = tables[i];
        const GArray *rows = rep_record_rows(t, info, m);
        ck_assert_msg(rows->len > 0, "the synthetic run has no %s", t->name);
        g_autofree char *query = g_strdup_printf("SELECT * FROM %s ORDER BY rowid", t->name);
        sqlite3_stmt *st = test_prepare(sql, query);
        for (guint r = 0; r < rows->len; r++) {
            ck_assert_msg(sqlite3_step(st) == SQLITE_ROW, "%s: row %u missing", t->name, r);
            int col = 1; /* after run_id */
            for (size_t k = 0; k < t->fields_count; k++) {
                const rep_field *f = &t->fields[k];
                if (!(f->outputs & REP_OUT_DB))
                    continue;
                g_autofree char *where = g_strdup_printf("%s row %u %s", t->name, r, f->name);
                test_assert_column(st, col++, info, rep_field_get(f, rep_record_row(rows, r)),
                                   where);
            }
        }
        ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
        sqlite3_finalize(st);
    }
    sqlite3_close(sql);
    sim_metrics_free(m);
}
END_TEST

/* The columns that are not a plain copy of a record member, spelled out
 * (so a wrong offset in a table cannot pass by agreeing with itself). */
START_TEST(test_db_derived_columns)
{
    g_autoptr(rep_run_info) info = test_info();
    sim_metrics *m = test_metrics();
    sqlite3 *sql = test_write_db(info, m);
    test_assert_text(sql, "SELECT view || ' ' || proposer || ' ' || first_commit_ns || ' ' || "
                          "tx_count || ' ' || reached_count FROM blocks WHERE height = 5",
                     "7 v2 5000 11 3");
    test_assert_text(sql, "SELECT reached_all_ns FROM blocks WHERE height = 5", "<null>");
    test_assert_text(sql, "SELECT first_commit_ns FROM blocks WHERE height = 6", "<null>");
    test_assert_text(sql, "SELECT proposer FROM blocks WHERE height = 6", "#9");
    proto_hash h = test_hash(0x10);
    char hex[2 * PROTO_HASH_SIZE + 1];
    proto_hash_hex(&h, hex);
    test_assert_text(sql, "SELECT hash FROM blocks WHERE height = 5", hex);
    test_assert_text(sql, "SELECT view || ' ' || proposer || ' ' || reached_p99_ns || ' ' || "
                          "live_nodes FROM propagation WHERE height = 5",
                     "7 v2 30 4");
    test_assert_text(sql, "SELECT count(*) FROM peers WHERE node = 'v1' AND peers IS NULL AND "
                          "gossip_first IS NULL AND bans IS NULL AND bytes_sent = 101",
                     "1");
    test_assert_text(sql, "SELECT peers || ' ' || bans FROM peers WHERE node = 'v0'", "6 1");
    test_assert_text(sql, "SELECT group_concat(coalesce(until_ns, 'open') || ' ' || "
                          "coalesce(nodes, '-'), ', ') FROM faults",
                     "open v0 | v1..v3, 4000 -");
    test_assert_text(sql, "SELECT coalesce(value, 'null') FROM metrics WHERE name = 'reorgs'",
                     "null");
    test_assert_text(sql, "SELECT passed || ' ' || coalesce(actual, '-') FROM expectations "
                          "WHERE key = 'min_throughput'",
                     "0 -");
    test_assert_text(sql, "SELECT group_concat(coalesce(fee_strategy, 'null') || ' ' || node, "
                          "', ') FROM txs",
                     "aggressive v3, null v0");
    test_assert_text(sql, "SELECT height || ' ' || final_ns || ' ' || base_fee || ' ' || "
                          "gas_used || ' ' || gas_limit || ' ' || burned || ' ' || tips || ' ' || "
                          "tx_count FROM fees",
                     "5 5000 1125 32714 30000000 36803250 32714 2");
    test_assert_text(sql, "SELECT at_ns || ' ' || kind || ' ' || subject || ' ' || detail "
                          "FROM alarms",
                     "6000 spam a3 sends \"500/s\"");
    test_assert_text(sql, "SELECT height || ' ' || final_ns || ' ' || power_total || ' ' || "
                          "validators_powered || ' ' || nakamoto_validators || ' ' || "
                          "nakamoto_owners || ' ' || gini || ' ' || top_owner_share "
                          "FROM concentration",
                     "5 5000 1000 10 4 1 0.0 0.4");
    /* agents by name; a consumer never reported has no money columns */
    test_assert_text(sql, "SELECT agent || ' ' || role || ' ' || node || ' ' || capability || "
                          "' ' || registered_ns || ' ' || bond || ' ' || earned || ' ' || "
                          "slashed || ' ' || owner || ' ' || fees_paid || ' ' || "
                          "operating_cost || ' ' || roi || ' ' || status || ' ' || "
                          "coalesce(left_ns, 'in') FROM agents WHERE agent = 'a0'",
                     "a0 provider v2 llm-7b 1000 10000 800 50 a0 20 180 2.75 active in");
    test_assert_text(sql, "SELECT count(*) FROM agents WHERE agent = 'a1' AND capability IS NULL "
                          "AND bond IS NULL AND reputation IS NULL AND earned IS NULL AND "
                          "jobs_done IS NULL AND roi IS NULL AND left_ns = 8000",
                     "1");
    /* jobs: NULL where a time never happened, no price or correctness
     * before a match or a delivery */
    test_assert_text(sql, "SELECT consumer || ' ' || provider || ' ' || matched_ns || ' ' || "
                          "delivered_ns || ' ' || settled_ns || ' ' || outcome || ' ' || price || "
                          "' ' || fee_paid || ' ' || disputed || ' ' || correct || ' ' || work_s "
                          "FROM jobs WHERE id = 7",
                     "a1 a0 2500 4000 4500 completed 200 12 0 1 1.5");
    test_assert_text(sql, "SELECT count(*) FROM jobs WHERE id = 8 AND provider IS NULL AND "
                          "matched_ns IS NULL AND delivered_ns IS NULL AND price IS NULL AND "
                          "correct IS NULL AND outcome = 'unmatched'",
                     "1");
    test_assert_text(sql, "SELECT group_concat(at_ns || ' ' || agent || ' ' || status, ', ') "
                          "FROM agent_transitions",
                     "1000 a0 registered, 8000 a1 left");
    sqlite3_close(sql);
    sim_metrics_free(m);
}
END_TEST

/* The getters: absent values by kind and by `present`, values by name. */
START_TEST(test_get_by_name)
{
    sim_metrics *m = test_metrics();
    g_autoptr(rep_run_info) info = test_info();
    const rep_record_table *peers = rep_record_table_find("peers");
    const GArray *rows = rep_record_rows(peers, info, m);
    ck_assert(!rep_record_get(peers, rep_record_row(rows, 0), "peers").absent);
    ck_assert(rep_record_get(peers, rep_record_row(rows, 1), "peers").absent);
    ck_assert(rep_record_get(peers, rep_record_row(rows, 1), "bans").absent);
    ck_assert_uint_eq(rep_record_get(peers, rep_record_row(rows, 1), "bytes_sent").u64, 101);
    const rep_record_table *vc = rep_record_table_find("view_changes");
    const void *row = rep_record_row(rep_record_rows(vc, info, m), 0);
    ck_assert(rep_record_get(vc, row, "ended_ns").absent);
    ck_assert_int_eq(rep_record_get(vc, row, "started_ns").i64, 7000);
    ck_assert_str_eq(rep_record_get(vc, row, "cause").text, "timeout");
    ck_assert_uint_eq(rep_record_get(vc, row, "first_node").node, 1);
    const rep_record_table *sl = rep_record_table_find("slashings");
    row = rep_record_row(rep_record_rows(sl, info, m), 0);
    ck_assert_uint_eq(rep_record_get(sl, row, "effective_height").u64, 8);
    ck_assert_str_eq(rep_record_field_find(sl, "amount")->unit, "tokens");
    ck_assert_ptr_null(rep_record_field_find(sl, "no_such_field"));
    const rep_record_table *ex = rep_record_table_find("expectations");
    row = rep_record_row(rep_record_rows(ex, info, m), 1);
    ck_assert(rep_record_get(ex, row, "actual").absent);
    ck_assert(!rep_record_get(ex, row, "passed").flag);
    sim_metrics_free(m);
}
END_TEST

/* The part of report.json from `"KEY": [` to the end of that array. */
static char *test_json_array(const char *json, const char *key)
{
    g_autofree char *open = g_strdup_printf("\n  \"%s\": [", key);
    const char *start = strstr(json, open);
    ck_assert_msg(start != NULL, "no %s in report.json", key);
    const char *end = strstr(start, "\n  ]");
    ck_assert_ptr_nonnull(end);
    return g_strndup(start, (gsize)(end - start));
}

/* The tables report.json shows have every JSON field in each object, in
 * order, and exactly as the getters read them. */
START_TEST(test_json_objects_are_the_tables)
{
    g_autoptr(rep_run_info) info = test_info();
    sim_metrics *m = test_metrics();
    g_autofree char *json = rep_json_render(info, m);
    static const char *const shown[] = {"expectations", "faults", "slashings",
                                        "validator_changes", "alarms"};
    for (size_t i = 0; i < G_N_ELEMENTS(shown); i++) {
        const rep_record_table *t = rep_record_table_find(shown[i]);
        g_autofree char *array = test_json_array(json, shown[i]);
        const char *at = array;
        for (size_t k = 0; k < t->fields_count; k++) {
            if (!(t->fields[k].outputs & REP_OUT_JSON))
                continue;
            g_autofree char *key = g_strdup_printf("\"%s\": ", t->fields[k].name);
            const char *found = strstr(at, key);
            ck_assert_msg(found != NULL, "%s: no %s after the fields before it", shown[i], key);
            at = found;
        }
    }
    g_autofree char *slashings = test_json_array(json, "slashings");
    ck_assert_str_eq(slashings,
                     "\n  \"slashings\": [\n    {\"at_ns\": 9000, \"validator\": \"v3\", "
                     "\"reason\": \"double-sign\", \"amount\": 5, \"evidence_height\": 4, "
                     "\"height\": 6, \"effective_height\": 8}");
    g_autofree char *faults = test_json_array(json, "faults");
    ck_assert_ptr_nonnull(strstr(faults, "{\"name\": \"quiet\", \"action\": \"crash\", "
                                         "\"at_ns\": 3000, \"until_ns\": 4000, \"nodes\": null}"));
    ck_assert_ptr_nonnull(strstr(faults, "\"until_ns\": null"));
    g_autofree char *alarms = test_json_array(json, "alarms");
    ck_assert_str_eq(alarms, "\n  \"alarms\": [\n    {\"at_ns\": 6000, \"kind\": \"spam\", "
                             "\"subject\": \"a3\", \"detail\": \"sends \\\"500/s\\\"\"}");
    g_autofree char *expectations = test_json_array(json, "expectations");
    ck_assert_ptr_nonnull(strstr(expectations, "\"actual\": null, \"passed\": false}"));
    sim_metrics_free(m);
}
END_TEST

static Suite *record_fields_suite(void)
{
    Suite *s = suite_create("record_fields");
    TCase *tc = tcase_create("tables");
    tcase_add_test(tc, test_tables_well_formed);
    tcase_add_test(tc, test_get_by_name);
    tcase_add_test(tc, test_json_objects_are_the_tables);
    suite_add_tcase(s, tc);
    tc = tcase_create("database");
    tcase_add_checked_fixture(tc, test_setup, test_teardown);
    tcase_add_test(tc, test_schema_is_the_tables);
    tcase_add_test(tc, test_db_rows_are_the_getters);
    tcase_add_test(tc, test_db_derived_columns);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(record_fields_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
