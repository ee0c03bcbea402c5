/* The record tables (see record_fields.h): one static table of fields per
 * table the outputs show, and the getters every writer reads them with.
 *
 * The order of the fields is the order of the columns in results.sqlite
 * and of the keys in report.json; the order of the tables is the order
 * the database creates them in. Both are part of the output format, so a
 * new field goes where its column should appear, usually at the end. */
#include "reports/record_fields.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#define FIELDS(table) table, G_N_ELEMENTS(table)
#define ROWS(member) false, offsetof(sim_metrics, member)

/* A field shown in the JSON objects but not in the database, whose
 * tables were fixed before it existed. */
#define JSON_ONLY(rec, member, name, kind, unit)                                             \
    { name, REP_FIELD_##kind, unit, REP_FIELD_OFFSET(rec, member, kind), REP_OUT_JSON, NULL }

/* ---- blocks: one row per distinct block ever proposed ---- */

static const rep_field block_fields[] = {
    REP_FIELD(sim_block_record, height, "height", U64, ""),
    REP_FIELD(sim_block_record, slot, "view", U64, ""),
    REP_FIELD(sim_block_record, proposer, "proposer", NODE, ""),
    REP_FIELD(sim_block_record, hash, "hash", HASH, ""),
    REP_FIELD(sim_block_record, tx_count, "tx_count", U32, ""),
    REP_FIELD(sim_block_record, proposed_ns, "proposed_ns", TIME, "ns"),
    REP_FIELD(sim_block_record, first_final_ns, "first_commit_ns", TIME, "ns"),
    REP_FIELD(sim_block_record, reached_all_ns, "reached_all_ns", TIME, "ns"),
    REP_FIELD(sim_block_record, reached_count, "reached_count", U32, ""),
    REP_FIELD(sim_block_record, reached_p50_ns, "reached_p50_ns", TIME, "ns"),
};

static const rep_record_table blocks_table = {
    "blocks", "block", sizeof(sim_block_record), ROWS(blocks), FIELDS(block_fields),
};

/* Block propagation per block: how long after its proposal 50, 90, 99
 * and 100% of the nodes live at the proposal held it (absent: never). */
static const rep_field propagation_fields[] = {
    REP_FIELD(sim_block_record, height, "height", U64, ""),
    REP_FIELD(sim_block_record, slot, "view", U64, ""),
    REP_FIELD(sim_block_record, proposer, "proposer", NODE, ""),
    REP_FIELD(sim_block_record, reached_p50_ns, "reached_p50_ns", TIME, "ns"),
    REP_FIELD(sim_block_record, reached_p90_ns, "reached_p90_ns", TIME, "ns"),
    REP_FIELD(sim_block_record, reached_p99_ns, "reached_p99_ns", TIME, "ns"),
    REP_FIELD(sim_block_record, reached_all_ns, "reached_all_ns", TIME, "ns"),
    REP_FIELD(sim_block_record, live_count, "live_nodes", U32, ""),
};

static const rep_record_table propagation_table = {
    "propagation", "propagation", sizeof(sim_block_record), ROWS(blocks),
    FIELDS(propagation_fields),
};

/* ---- what nodes did with blocks and transactions ---- */

static const rep_field commit_fields[] = {
    REP_FIELD(sim_commit_record, height, "height", U64, ""),
    REP_FIELD(sim_commit_record, node, "node", NODE, ""),
    REP_FIELD(sim_commit_record, committed_ns, "committed_ns", TIME, "ns"),
};

static const rep_record_table commits_table = {
    "commits", "commit", sizeof(sim_commit_record), ROWS(commits), FIELDS(commit_fields),
};

static const rep_field tx_fields[] = {
    REP_FIELD(sim_tx_record, submitted_ns, "submitted_ns", TIME, "ns"),
    REP_FIELD(sim_tx_record, final_ns, "final_ns", TIME, "ns"),
    REP_FIELD(sim_tx_record, node, "node", NODE, ""),
    REP_FIELD(sim_tx_record, fee_strategy, "fee_strategy", TEXT, ""),
};

static const rep_record_table txs_table = {
    "txs", "tx", sizeof(sim_tx_record), ROWS(txs), FIELDS(tx_fields),
};

/* Each node's first holding of each block (but its proposer's), as the
 * delay from the block's proposal. */
static const rep_field receipt_fields[] = {
    REP_FIELD(sim_receipt_record, height, "height", U64, ""),
    REP_FIELD(sim_receipt_record, node, "node", NODE, ""),
    REP_FIELD(sim_receipt_record, delay_ns, "delay_ns", I64, "ns"),
};

static const rep_record_table receipts_table = {
    "receipts", "receipt", sizeof(sim_receipt_record), ROWS(receipts), FIELDS(receipt_fields),
};

/* PBFT view changes: first VIEW-CHANGE for the view -> first node in it. */
static const rep_field view_change_fields[] = {
    REP_FIELD(sim_view_change_record, view, "view", U64, ""),
    REP_FIELD(sim_view_change_record, cause, "cause", TEXT, ""),
    REP_FIELD(sim_view_change_record, first_node, "first_node", NODE, ""),
    REP_FIELD(sim_view_change_record, started_ns, "started_ns", TIME, "ns"),
    REP_FIELD(sim_view_change_record, ended_ns, "ended_ns", TIME, "ns"),
};

static const rep_record_table view_changes_table = {
    "view_changes", "view change", sizeof(sim_view_change_record), ROWS(view_changes),
    FIELDS(view_change_fields),
};

/* ---- validators: slashings and changes of standing ---- */

static const rep_field slashing_fields[] = {
    REP_FIELD(sim_slashing_record, at_ns, "at_ns", TIME, "ns"),
    REP_FIELD(sim_slashing_record, validator, "validator", NODE, ""),
    REP_FIELD(sim_slashing_record, reason, "reason", TEXT, ""),
    REP_FIELD(sim_slashing_record, amount, "amount", U64, "tokens"),
    REP_FIELD(sim_slashing_record, evidence_height, "evidence_height", U64, ""),
    JSON_ONLY(sim_slashing_record, height, "height", U64, ""),
    JSON_ONLY(sim_slashing_record, effective_height, "effective_height", U64, ""),
};

static const rep_record_table slashings_table = {
    "slashings", "slashing", sizeof(sim_slashing_record), ROWS(slashings),
    FIELDS(slashing_fields),
};

static const rep_field validator_change_fields[] = {
    REP_FIELD(sim_validator_change_record, at_ns, "at_ns", TIME, "ns"),
    REP_FIELD(sim_validator_change_record, validator, "validator", NODE, ""),
    REP_FIELD(sim_validator_change_record, change, "change", TEXT, ""),
    REP_FIELD(sim_validator_change_record, height, "height", U64, ""),
    REP_FIELD(sim_validator_change_record, effective_height, "effective_height", U64, ""),
};

static const rep_record_table validator_changes_table = {
    "validator_changes", "validator change", sizeof(sim_validator_change_record),
    ROWS(validator_changes), FIELDS(validator_change_fields),
};

/* ---- faults and figures ---- */

static const rep_field fault_fields[] = {
    REP_FIELD(sim_fault_record, name, "name", TEXT, ""),
    REP_FIELD(sim_fault_record, action, "action", TEXT, ""),
    REP_FIELD(sim_fault_record, at_ns, "at_ns", TIME, "ns"),
    REP_FIELD(sim_fault_record, until_ns, "until_ns", TIME, "ns"),
    REP_FIELD(sim_fault_record, nodes, "nodes", TEXT, ""),
};

static const rep_record_table faults_table = {
    "faults", "fault", sizeof(sim_fault_record), ROWS(faults), FIELDS(fault_fields),
};

/* Every named figure; its unit is the last part of its name. */
static const rep_field metric_fields[] = {
    REP_FIELD(sim_figure, name, "name", TEXT, ""),
    REP_FIELD(sim_figure, value, "value", REAL, ""),
};

static const rep_record_table metrics_table = {
    "metrics", "metric", sizeof(sim_figure), ROWS(figures), FIELDS(metric_fields),
};

/* ---- the mesh ---- */

static bool peer_in_mesh(const void *row)
{
    return ((const sim_peer_record *)row)->mesh;
}

/* A field of a node's p2p node, absent for a node that ran none. */
#define MESH_ONLY(member, kind)                                                              \
    { #member, REP_FIELD_##kind, "", REP_FIELD_OFFSET(sim_peer_record, member, kind),        \
      REP_OUT_ALL, peer_in_mesh }

/* One row per node at the end of the run (a node down at the end: as it
 * went down). */
static const rep_field peer_fields[] = {
    REP_FIELD(sim_peer_record, node, "node", NODE, ""),
    MESH_ONLY(peers, U32),
    REP_FIELD(sim_peer_record, bytes_sent, "bytes_sent", U64, "bytes"),
    REP_FIELD(sim_peer_record, bytes_received, "bytes_received", U64, "bytes"),
    MESH_ONLY(gossip_first, U64),
    MESH_ONLY(gossip_duplicate, U64),
    MESH_ONLY(throttled, U64),
    MESH_ONLY(bans, U64),
};

static const rep_record_table peers_table = {
    "peers", "peers", sizeof(sim_peer_record), ROWS(peers), FIELDS(peer_fields),
};

/* Each node's partition suspicions, from the suspicion to its lifting. */
static const rep_field partition_fields[] = {
    REP_FIELD(sim_partition_record, node, "node", NODE, ""),
    REP_FIELD(sim_partition_record, suspected_ns, "suspected_ns", TIME, "ns"),
    REP_FIELD(sim_partition_record, healed_ns, "healed_ns", TIME, "ns"),
    REP_FIELD(sim_partition_record, stake_seen, "stake_seen", U64, "tokens"),
    REP_FIELD(sim_partition_record, stake_total, "stake_total", U64, "tokens"),
};

static const rep_record_table partitions_table = {
    "partitions_detected", "partition", sizeof(sim_partition_record), ROWS(partitions),
    FIELDS(partition_fields),
};

/* Churn: every join and leave, in time order. */
static const rep_field churn_fields[] = {
    REP_FIELD(sim_membership_record, at_ns, "at_ns", TIME, "ns"),
    REP_FIELD(sim_membership_record, node, "node", NODE, ""),
    REP_FIELD(sim_membership_record, kind, "kind", TEXT, ""),
};

static const rep_record_table churn_table = {
    "churn", "churn", sizeof(sim_membership_record), ROWS(churn), FIELDS(churn_fields),
};

/* ---- the fee market and the detectors ---- */

/* One row per final height, from its first finalization by an honest
 * node, in height order. */
static const rep_field fee_fields[] = {
    REP_FIELD(sim_fee_record, height, "height", U64, ""),
    REP_FIELD(sim_fee_record, final_ns, "final_ns", TIME, "ns"),
    REP_FIELD(sim_fee_record, base_fee, "base_fee", U64, "tokens/gas"),
    REP_FIELD(sim_fee_record, gas_used, "gas_used", U64, "gas"),
    REP_FIELD(sim_fee_record, gas_limit, "gas_limit", U64, "gas"),
    REP_FIELD(sim_fee_record, burned, "burned", U64, "tokens"),
    REP_FIELD(sim_fee_record, tips, "tips", U64, "tokens"),
    REP_FIELD(sim_fee_record, tx_count, "tx_count", U32, ""),
};

static const rep_record_table fees_table = {
    "fees", "fee", sizeof(sim_fee_record), ROWS(fees), FIELDS(fee_fields),
};

/* Attacks and anomalies the run's detectors raised, in time order. */
static const rep_field alarm_fields[] = {
    REP_FIELD(sim_alarm_record, at_ns, "at_ns", TIME, "ns"),
    REP_FIELD(sim_alarm_record, kind, "kind", TEXT, ""),
    REP_FIELD(sim_alarm_record, subject, "subject", TEXT, ""),
    REP_FIELD(sim_alarm_record, detail, "detail", TEXT, ""),
};

static const rep_record_table alarms_table = {
    "alarms", "alarm", sizeof(sim_alarm_record), ROWS(alarms), FIELDS(alarm_fields),
};

/* Stake concentration: one row per final height from the voting power of
 * that height (PBFT; sim/check/concentration.h), in height order. */
static const rep_field concentration_fields[] = {
    REP_FIELD(sim_concentration_record, height, "height", U64, ""),
    REP_FIELD(sim_concentration_record, final_ns, "final_ns", TIME, "ns"),
    REP_FIELD(sim_concentration_record, power_total, "power_total", U64, "tokens"),
    REP_FIELD(sim_concentration_record, validators_powered, "validators_powered", U32, ""),
    REP_FIELD(sim_concentration_record, nakamoto_validators, "nakamoto_validators", U32, ""),
    REP_FIELD(sim_concentration_record, nakamoto_owners, "nakamoto_owners", U32, ""),
    REP_FIELD(sim_concentration_record, gini, "gini", REAL, ""),
    REP_FIELD(sim_concentration_record, top_owner_share, "top_owner_share", REAL, ""),
};

static const rep_record_table concentration_table = {
    "concentration", "concentration record", sizeof(sim_concentration_record),
    ROWS(concentration), FIELDS(concentration_fields),
};

/* The staking economy: one row per final height (PBFT with [staking];
 * sim/check/staking_obs.h), in height order, and the delegations of the
 * run's end. */
static const rep_field staking_fields[] = {
    REP_FIELD(sim_staking_record, height, "height", U64, ""),
    REP_FIELD(sim_staking_record, final_ns, "final_ns", TIME, "ns"),
    REP_FIELD(sim_staking_record, bonded, "bonded", U64, "tokens"),
    REP_FIELD(sim_staking_record, unbonding, "unbonding", U64, "tokens"),
    REP_FIELD(sim_staking_record, staking_ratio, "staking_ratio", REAL, ""),
    REP_FIELD(sim_staking_record, inflation, "inflation", REAL, "per year"),
    REP_FIELD(sim_staking_record, minted, "minted", U64, "tokens"),
    REP_FIELD(sim_staking_record, community_pool, "community_pool", U64, "tokens"),
    REP_FIELD(sim_staking_record, rewards_claimed, "rewards_claimed", U64, "tokens"),
    REP_FIELD(sim_staking_record, nakamoto, "nakamoto", U32, ""),
    REP_FIELD(sim_staking_record, delegations, "delegations", U32, ""),
    REP_FIELD(sim_staking_record, unbonding_entries, "unbonding_entries", U32, ""),
    REP_FIELD(sim_staking_record, redelegation_entries, "redelegation_entries", U32, ""),
};

static const rep_record_table staking_table = {
    "staking", "staking record", sizeof(sim_staking_record), ROWS(staking),
    FIELDS(staking_fields),
};

static const rep_field delegation_fields[] = {
    REP_FIELD(sim_delegation_record, delegator, "delegator", U32, "account"),
    REP_FIELD(sim_delegation_record, validator, "validator", U32, ""),
    REP_FIELD(sim_delegation_record, shares, "shares", REAL, ""),
    REP_FIELD(sim_delegation_record, tokens, "tokens", U64, "tokens"),
    REP_FIELD(sim_delegation_record, claimable, "claimable", U64, "tokens"),
};

static const rep_record_table delegations_table = {
    "delegations", "delegation", sizeof(sim_delegation_record), ROWS(delegations),
    FIELDS(delegation_fields),
};

static const rep_field unbonding_fields[] = {
    REP_FIELD(sim_unbonding_record, delegator, "delegator", U32, "account"),
    REP_FIELD(sim_unbonding_record, validator, "validator", U32, ""),
    REP_FIELD(sim_unbonding_record, creation_height, "creation_height", U64, ""),
    REP_FIELD(sim_unbonding_record, completion_ns, "completion_ns", TIME, "ns"),
    REP_FIELD(sim_unbonding_record, initial_balance, "initial_balance", U64, "tokens"),
    REP_FIELD(sim_unbonding_record, balance, "balance", U64, "tokens"),
};

static const rep_record_table unbondings_table = {
    "unbondings", "unbonding entry", sizeof(sim_unbonding_record), ROWS(unbondings),
    FIELDS(unbonding_fields),
};

/* ---- the agent market (sim/check/market_obs.h) ---- */

static bool agent_money_known(const void *row)
{
    return ((const sim_agent_record *)row)->money_known;
}

static bool agent_stake_known(const void *row)
{
    return ((const sim_agent_record *)row)->stake_known;
}

/* One of an agent's final figures: absent if the run never reported them. */
#define AGENT_MONEY(member, kind, unit)                                                      \
    { #member, REP_FIELD_##kind, unit, REP_FIELD_OFFSET(sim_agent_record, member, kind),     \
      REP_OUT_ALL, agent_money_known }

/* One row per agent, by index. */
static const rep_field agent_fields[] = {
    REP_FIELD(sim_agent_record, agent, "agent", AGENT, ""),
    REP_FIELD(sim_agent_record, role, "role", TEXT, ""),
    REP_FIELD(sim_agent_record, node, "node", NODE, ""),
    REP_FIELD(sim_agent_record, capability, "capability", TEXT, ""),
    REP_FIELD(sim_agent_record, registered_ns, "registered_ns", TIME, "ns"),
    REP_FIELD(sim_agent_record, left_ns, "left_ns", TIME, "ns"),
    AGENT_MONEY(bond, U64, "tokens"),
    AGENT_MONEY(reputation, REAL, ""),
    AGENT_MONEY(jobs_done, U64, ""),
    AGENT_MONEY(jobs_failed, U64, ""),
    AGENT_MONEY(earned, U64, "tokens"),
    AGENT_MONEY(spent, U64, "tokens"),
    AGENT_MONEY(slashed, U64, "tokens"),
    REP_FIELD(sim_agent_record, owner, "owner", AGENT, ""),
    REP_FIELD(sim_agent_record, behaviour, "behaviour", TEXT, ""),
    AGENT_MONEY(fees_paid, U64, "tokens"),
    AGENT_MONEY(operating_cost, U64, "tokens"),
    REP_FIELD(sim_agent_record, roi, "roi", REAL, ""),
    REP_FIELD(sim_agent_record, status, "status", TEXT, ""),
    AGENT_MONEY(dispute_paid, U64, "tokens"),
    AGENT_MONEY(dispute_got, U64, "tokens"),
    {"stake", REP_FIELD_U64, "tokens", REP_FIELD_OFFSET(sim_agent_record, stake, U64),
     REP_OUT_ALL, agent_stake_known},
};

static const rep_record_table agents_table = {
    "agents", "agent", sizeof(sim_agent_record), ROWS(agents), FIELDS(agent_fields),
};

static bool job_matched(const void *row)
{
    return ((const sim_job_record *)row)->matched_ns >= 0;
}

static bool job_delivered(const void *row)
{
    return ((const sim_job_record *)row)->delivered_ns >= 0;
}

/* One row per job a consumer wanted, in order of posting; price only
 * once matched, correct only once delivered. */
static const rep_field job_fields[] = {
    REP_FIELD(sim_job_record, id, "id", U64, ""),
    REP_FIELD(sim_job_record, consumer, "consumer", AGENT, ""),
    REP_FIELD(sim_job_record, provider, "provider", AGENT, ""),
    REP_FIELD(sim_job_record, capability, "capability", TEXT, ""),
    REP_FIELD(sim_job_record, posted_ns, "posted_ns", TIME, "ns"),
    REP_FIELD(sim_job_record, matched_ns, "matched_ns", TIME, "ns"),
    REP_FIELD(sim_job_record, delivered_ns, "delivered_ns", TIME, "ns"),
    REP_FIELD(sim_job_record, settled_ns, "settled_ns", TIME, "ns"),
    REP_FIELD(sim_job_record, outcome, "outcome", TEXT, ""),
    {"price", REP_FIELD_U64, "tokens", REP_FIELD_OFFSET(sim_job_record, price, U64),
     REP_OUT_ALL, job_matched},
    REP_FIELD(sim_job_record, fee_paid, "fee_paid", U64, "tokens"),
    REP_FIELD(sim_job_record, gas_used, "gas_used", U64, "gas"),
    REP_FIELD(sim_job_record, disputed, "disputed", GBOOL, ""),
    {"correct", REP_FIELD_GBOOL, "", REP_FIELD_OFFSET(sim_job_record, correct, GBOOL),
     REP_OUT_ALL, job_delivered},
    REP_FIELD(sim_job_record, work_s, "work_s", REAL, "s"),
};

static const rep_record_table jobs_table = {
    "jobs", "job", sizeof(sim_job_record), ROWS(jobs), FIELDS(job_fields),
};

static const rep_field agent_transition_fields[] = {
    REP_FIELD(sim_agent_transition_record, at_ns, "at_ns", TIME, "ns"),
    REP_FIELD(sim_agent_transition_record, agent, "agent", AGENT, ""),
    REP_FIELD(sim_agent_transition_record, status, "status", TEXT, ""),
};

static const rep_record_table agent_transitions_table = {
    "agent_transitions", "agent transition", sizeof(sim_agent_transition_record),
    ROWS(agent_transitions), FIELDS(agent_transition_fields),
};

static bool dispute_resolved(const void *row)
{
    return ((const sim_dispute_record *)row)->resolved_ns >= 0;
}

/* One row per dispute, in order of opening; correct only once resolved. */
static const rep_field dispute_fields[] = {
    REP_FIELD(sim_dispute_record, job_id, "job_id", U64, ""),
    REP_FIELD(sim_dispute_record, opened_ns, "opened_ns", TIME, "ns"),
    REP_FIELD(sim_dispute_record, tier, "tier", U32, ""),
    REP_FIELD(sim_dispute_record, resolved_ns, "resolved_ns", TIME, "ns"),
    REP_FIELD(sim_dispute_record, ruling, "ruling", TEXT, ""),
    {"correct", REP_FIELD_GBOOL, "", REP_FIELD_OFFSET(sim_dispute_record, correct, GBOOL),
     REP_OUT_ALL, dispute_resolved},
    REP_FIELD(sim_dispute_record, rounds, "rounds", U32, ""),
    REP_FIELD(sim_dispute_record, appeals, "appeals", U32, ""),
};

static const rep_record_table disputes_table = {
    "disputes", "dispute", sizeof(sim_dispute_record), ROWS(disputes), FIELDS(dispute_fields),
};

/* One row per upgrade fault (SCENARIOS.md: module, version,
 * activated_height, halted_nodes, resumed_ns, and more). */
static const rep_field upgrade_fields[] = {
    REP_FIELD(sim_upgrade_record, module, "module", TEXT, ""),
    REP_FIELD(sim_upgrade_record, version, "version", U32, ""),
    REP_FIELD(sim_upgrade_record, activated_height, "activated_height", U64, ""),
    REP_FIELD(sim_upgrade_record, halted_nodes, "halted_nodes", U32, ""),
    REP_FIELD(sim_upgrade_record, resumed_ns, "resumed_ns", TIME, "ns"),
    REP_FIELD(sim_upgrade_record, lagging, "lagging", U32, ""),
    REP_FIELD(sim_upgrade_record, planned_height, "planned_height", U64, ""),
    REP_FIELD(sim_upgrade_record, planned_ns, "planned_ns", TIME, "ns"),
    REP_FIELD(sim_upgrade_record, activated_ns, "activated_ns", TIME, "ns"),
    REP_FIELD(sim_upgrade_record, stall_ns, "stall_ns", TIME, "ns"),
    REP_FIELD(sim_upgrade_record, halt_max_ns, "halt_max_ns", TIME, "ns"),
};

static const rep_record_table upgrades_table = {
    "upgrades", "upgrade", sizeof(sim_upgrade_record), ROWS(upgrades), FIELDS(upgrade_fields),
};

/* ---- the run's [expect] results (from the run info) ---- */

static const rep_field expect_fields[] = {
    REP_FIELD(rep_expect_result, key, "key", TEXT, ""),
    REP_FIELD(rep_expect_result, target, "target", TEXT, ""),
    REP_FIELD(rep_expect_result, actual, "actual", TEXT, ""),
    REP_FIELD(rep_expect_result, passed, "passed", GBOOL, ""),
};

static const rep_record_table expectations_table = {
    "expectations", "expectation", sizeof(rep_expect_result), true,
    offsetof(rep_run_info, expects), FIELDS(expect_fields),
};

/* ---- lookups and getters ---- */

static const rep_record_table *const all_tables[] = {
    &blocks_table,       &commits_table,     &slashings_table, &validator_changes_table,
    &faults_table,       &metrics_table,     &txs_table,       &receipts_table,
    &view_changes_table, &propagation_table, &peers_table,     &partitions_table,
    &churn_table,        &expectations_table, &fees_table,      &alarms_table,
    &concentration_table, &staking_table,    &delegations_table, &unbondings_table,
    &agents_table,       &jobs_table,        &agent_transitions_table, &disputes_table,
    &upgrades_table,
};

const rep_record_table *const *rep_record_tables(size_t *count)
{
    *count = G_N_ELEMENTS(all_tables);
    return all_tables;
}

const rep_record_table *rep_record_table_find(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(all_tables); i++)
        if (strcmp(all_tables[i]->name, name) == 0)
            return all_tables[i];
    return NULL;
}

const rep_field *rep_record_field_find(const rep_record_table *t, const char *name)
{
    for (size_t i = 0; i < t->fields_count; i++)
        if (strcmp(t->fields[i].name, name) == 0)
            return &t->fields[i];
    return NULL;
}

const GArray *rep_record_rows(const rep_record_table *t, const rep_run_info *info,
                              const sim_metrics *m)
{
    const void *holder = t->rows_in_info ? (const void *)info : (const void *)m;
    g_assert(holder != NULL);
    const GArray *rows = *(GArray *const *)((const char *)holder + t->rows_offset);
    g_assert(g_array_get_element_size((GArray *)rows) == t->row_size);
    return rows;
}

const void *rep_record_row(const GArray *rows, guint i)
{
    g_assert(i < rows->len);
    return rows->data + (gsize)i * g_array_get_element_size((GArray *)rows);
}

rep_field_value rep_field_get(const rep_field *f, const void *row)
{
    const char *at = (const char *)row + f->offset;
    rep_field_value v = {.kind = f->kind};
    switch (f->kind) {
    case REP_FIELD_U64:
        memcpy(&v.u64, at, sizeof v.u64);
        break;
    case REP_FIELD_U32: {
        uint32_t u32;
        memcpy(&u32, at, sizeof u32);
        v.u64 = u32;
        break;
    }
    case REP_FIELD_NODE:
        memcpy(&v.node, at, sizeof v.node);
        break;
    case REP_FIELD_I64:
    case REP_FIELD_TIME:
        memcpy(&v.i64, at, sizeof v.i64);
        v.absent = f->kind == REP_FIELD_TIME && v.i64 < 0;
        break;
    case REP_FIELD_REAL:
        memcpy(&v.real, at, sizeof v.real);
        v.absent = !isfinite(v.real);
        break;
    case REP_FIELD_TEXT:
        memcpy(&v.text, at, sizeof v.text);
        v.absent = v.text == NULL;
        break;
    case REP_FIELD_HASH:
        v.hash = (const proto_hash *)at;
        break;
    case REP_FIELD_GBOOL:
        memcpy(&v.flag, at, sizeof v.flag);
        break;
    case REP_FIELD_AGENT:
        memcpy(&v.agent, at, sizeof v.agent);
        v.absent = v.agent == SIM_AGENT_NONE;
        break;
    }
    if (f->present != NULL && !f->present(row))
        v.absent = true;
    return v;
}

rep_field_value rep_record_get(const rep_record_table *t, const void *row, const char *name)
{
    const rep_field *f = rep_record_field_find(t, name);
    g_assert(f != NULL);
    return rep_field_get(f, row);
}

const char *rep_node_label(const rep_run_info *info, uint32_t node, char buf[16])
{
    const char *name = rep_run_info_node_name(info, node);
    if (name != NULL)
        return name;
    g_snprintf(buf, 16, "#%" PRIu32, node);
    return buf;
}

const char *rep_agent_label(uint32_t agent, char buf[16])
{
    g_snprintf(buf, 16, "a%" PRIu32, agent);
    return buf;
}
