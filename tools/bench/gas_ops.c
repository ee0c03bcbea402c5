/* gas_ops (gas_ops.h): a small chain, and every operation executed on
 * it as a real transaction, with the gas its receipt reports.
 *
 * The chain: eight accounts with derived keys; the registry with a
 * provider (account 0) and a consumer (account 1), the jobs module with
 * its defaults, staking with two validators (operated by accounts 3 and
 * 4) and a candidate without a self-bond (account 5), distribution with
 * the SDK's defaults, the disputes module with one verifier (account 8)
 * and one arbiter (account 9), the multisig module with multisig 1
 * (2 of accounts 3, 4 and 6) as the upgrade module's authority, and
 * guarded jobs from GUARD_PAYMENT up. Every operation runs at one block time two days
 * after the staking genesis, so a commission may change (one change a
 * day); the registry's genesis is at that time, so every agent is live.
 * Operations that need an earlier one (an accepted job, a delegation,
 * an unbonding entry, rewards) come after it; only the first run of a
 * type is a row. One more row is two messages in one transaction. */
#include "tools/bench/gas_ops.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/chain/module.h"
#include "protocol/chain/state.h"
#include "protocol/chain/tx_exec.h"
#include "protocol/modules/disputes/disputes.h"
#include "protocol/modules/distribution/distribution.h"
#include "protocol/modules/jobs/jobs.h"
#include "protocol/modules/multisig/multisig.h"
#include "protocol/modules/registry/registry.h"
#include "protocol/modules/staking/staking.h"
#include "protocol/modules/upgrade/upgrade.h"

#define CHAIN_ID 77
#define BALANCE 1000000000000000ULL /* base units per account: no operation runs short */
#define GAS_LIMIT 1000000ULL        /* bought by every transaction; the unused part is refunded */
#define BASE_FEE 1
#define DAY_NS (24LL * 3600 * 1000000000)
#define SELF_BOND 1000000000ULL
#define PAYMENT 1000000ULL
#define GUARD_PAYMENT (10 * PAYMENT) /* a job paying this much is guarded */
#define AUTHORITY 1u                 /* the genesis multisig: the upgrade authority */

enum {
    ACC_PROVIDER,  /* registered provider of capability 0 */
    ACC_CONSUMER,  /* registered consumer */
    ACC_NEWCOMER,  /* registers by transaction, then updates and deregisters */
    ACC_OPERATOR0, /* validator 0's operator */
    ACC_OPERATOR1, /* validator 1's operator */
    ACC_CANDIDATE, /* validator 2's operator: creates it by transaction */
    ACC_DELEGATOR,
    ACC_FEES, /* pays the fees distribution allocates, and the proposer's tips */
    ACC_VERIFIER, /* the disputes module's one verifier */
    ACC_ARBITER,  /* ...and its one arbiter */
    ACCOUNTS
};

typedef struct gas_chain {
    proto_state *s;
    proto_crypto *crypto;
    proto_chain_rules rules;
    proto_keypair keys[ACCOUNTS];
    uint64_t nonces[ACCOUNTS];
    uint64_t height;
    int64_t time_ns;
    gas_op_row *rows;
    size_t count;
} gas_chain;

/* ---- the chain ---- */

static void genesis_market(gas_chain *c)
{
    proto_registry_params rp = proto_registry_defaults();
    rp.capabilities_count = 4;
    rp.min_bond = 100;
    proto_registry_genesis_agent agents[] = {
        {.account = ACC_PROVIDER, .capabilities = 0x1, .capacity = 2, .price = 10,
         .bond = 1000},
        {.account = ACC_CONSUMER, .bond = 200},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(agents); i++)
        memset(agents[i].msg_key.bytes, 0x11 + (int)i, PROTO_PUBKEY_SIZE);
    proto_registry_genesis(c->s, &rp, G_N_ELEMENTS(agents), agents, c->time_ns);
    proto_jobs_params jp = proto_jobs_defaults();
    jp.guard_min_payment = GUARD_PAYMENT;
    jp.guard_expiry_ns = DAY_NS;
    proto_jobs_genesis(c->s, &jp);
    /* One verifier and one arbiter, so every draw seats them; a first
     * panel of 1 that may still be appealed (to 3). */
    proto_disputes_params dp = proto_disputes_defaults();
    dp.panel = 1;
    dp.panel_max = 3;
    const proto_disputes_genesis_juror jurors[] = {
        {.account = ACC_VERIFIER, .roles = PROTO_JUROR_VERIFIER, .stake = SELF_BOND},
        {.account = ACC_ARBITER, .roles = PROTO_JUROR_ARBITER, .stake = SELF_BOND},
    };
    proto_disputes_genesis(c->s, &dp, G_N_ELEMENTS(jurors), jurors);
    proto_multisig_genesis_account authority = {
        .threshold = 2, .owners_count = 3, .owners = {ACC_OPERATOR0, ACC_OPERATOR1, ACC_DELEGATOR}};
    proto_multisig_genesis(c->s, 1, &authority);
    proto_upgrade_genesis(c->s, AUTHORITY);
}

static void genesis_staking(gas_chain *c)
{
    proto_staking_params sp = proto_staking_defaults();
    const proto_staking_genesis_validator validators[] = {
        {ACC_OPERATOR0, SELF_BOND, PROTO_TXMSG_RATE_ONE / 10, PROTO_TXMSG_RATE_ONE,
         PROTO_TXMSG_RATE_ONE},
        {ACC_OPERATOR1, SELF_BOND, PROTO_TXMSG_RATE_ONE / 10, PROTO_TXMSG_RATE_ONE,
         PROTO_TXMSG_RATE_ONE},
        {ACC_CANDIDATE, 0, 0, 0, 0},
    };
    proto_staking_genesis(c->s, &sp, G_N_ELEMENTS(validators), validators, 0, NULL, 0);
    proto_f1_params fp = proto_f1_params_default();
    proto_distribution_genesis(c->s, &fp);
}

static void chain_init(gas_chain *c, gas_op_row *rows)
{
    memset(c, 0, sizeof *c);
    proto_crypto_global_init();
    c->crypto = proto_crypto_new(PROTO_CRYPTO_REAL, 0);
    c->rules = (proto_chain_rules){.chain_id = CHAIN_ID,
                                   .block_gas_limit = 100000000,
                                   .fees = proto_fee_params_eip1559(),
                                   .gas = proto_gas_schedule_default()};
    c->s = proto_state_new();
    for (uint32_t i = 0; i < ACCOUNTS; i++) {
        g_autofree char *label = g_strdup_printf("gas-ops/%u", i);
        proto_keypair_derive(&c->keys[i], 1, label);
        g_assert(proto_state_add_account(c->s, &c->keys[i].pk, BALANCE) == i);
    }
    c->height = 1;
    c->time_ns = 2 * DAY_NS;
    genesis_market(c);
    genesis_staking(c);
    c->rows = rows;
}

static void chain_clear(gas_chain *c)
{
    proto_state_free(c->s);
    proto_crypto_free(c->crypto);
}

static proto_msg_ctx block_ctx(gas_chain *c, proto_gas_meter *unmetered, proto_undo *undo)
{
    proto_gas_meter_init(unmetered, UINT64_MAX);
    return (proto_msg_ctx){.undo = undo,
                           .gas = unmetered,
                           .sender = PROTO_ACCOUNT_NONE,
                           .crypto = c->crypto,
                           .chain_id = CHAIN_ID,
                           .height = c->height,
                           .time_ns = c->time_ns};
}

/* ---- one operation ---- */

static const char *group_of(uint8_t type)
{
    if (type == PROTO_TXMSG_TRANSFER)
        return "bank";
    if (type == PROTO_TXMSG_WITHDRAW_REWARDS || type == PROTO_TXMSG_WITHDRAW_COMMISSION)
        return "distribution";
    if (type >= PROTO_TXMSG_CREATE_VALIDATOR && type <= PROTO_TXMSG_CANCEL_UNBONDING)
        return "staking";
    if (type >= PROTO_TXMSG_AGENT_REGISTER && type <= PROTO_TXMSG_AGENT_DEREGISTER)
        return "registry";
    if (type >= PROTO_TXMSG_DISPUTE_DEFEND && type <= PROTO_TXMSG_DISPUTE_APPEAL)
        return "disputes";
    if (type >= PROTO_TXMSG_MULTISIG_CREATE && type <= PROTO_TXMSG_MULTISIG_APPROVE)
        return "multisig";
    return "jobs";
}

/* Sign msgs[count] from account `from` as one transaction, encode it,
 * decode it as a node would and execute it in its own block context;
 * abort unless every message ran. */
static proto_tx_receipt execute(gas_chain *c, uint32_t from, const proto_txmsg *msgs,
                                uint16_t count, size_t *wire_out)
{
    g_assert(count >= 1 && count <= PROTO_TXENV_MESSAGES_MAX);
    const proto_txmsg *m = &msgs[0];
    proto_txenv env = {.chain_id = CHAIN_ID,
                       .sender = c->keys[from].pk,
                       .nonce = c->nonces[from],
                       .gas_limit = GAS_LIMIT,
                       .max_fee_per_gas = BASE_FEE,
                       .max_priority_fee_per_gas = 0,
                       .message_count = count};
    memcpy(env.messages, msgs, count * sizeof *msgs);
    proto_txenv_sign(&env, c->crypto, &c->keys[from]);
    proto_writer w;
    proto_writer_init(&w);
    proto_txenv_encode(&env, &w);
    proto_txenv_limits limits = proto_chain_rules_limits(&c->rules);
    proto_txenv decoded;
    proto_txenv_result dr = proto_txenv_decode(w.buf->data, w.buf->len, &limits, &decoded);
    *wire_out = w.buf->len;
    proto_writer_clear(&w);
    if (dr != PROTO_TXENV_OK) {
        fprintf(stderr, "gas_ops: %s does not decode: %s\n", proto_txmsg_type_name(m->type),
                proto_txenv_result_name(dr));
        abort();
    }
    proto_undo undo;
    proto_undo_init(&undo);
    proto_gas_meter unmetered;
    proto_msg_ctx ctx = block_ctx(c, &unmetered, &undo);
    proto_tx_receipt rc;
    proto_tx_exec_result r = proto_tx_exec(c->s, &ctx, &c->rules, &decoded, *wire_out, BASE_FEE,
                                           c->rules.block_gas_limit, ACC_FEES, &rc);
    proto_undo_clear(&undo);
    if (r != PROTO_TX_EXEC_OK || !rc.messages_ok) {
        fprintf(stderr, "gas_ops: %s from account %u failed: %s, %s\n",
                proto_txmsg_type_name(m->type), from, proto_tx_exec_result_name(r),
                rc.messages_ok ? "-" : proto_msg_result_name(rc.failure));
        abort();
    }
    c->nonces[from]++;
    return rc;
}

/* Execute msgs[count] as one transaction; the first run of a name
 * becomes a row. */
static void op_batch(gas_chain *c, uint32_t from, const char *name, const proto_txmsg *msgs,
                     uint16_t count)
{
    size_t wire = 0;
    proto_tx_receipt rc = execute(c, from, msgs, count, &wire);
    if (gas_ops_find(c->rows, c->count, name) != NULL)
        return;
    g_assert(c->count < GAS_OPS_ROWS);
    const proto_gas_schedule *g = &c->rules.gas;
    gas_op_row row = {.name = name,
                      .group = group_of(msgs[0].type),
                      .wire_bytes = wire,
                      .total = rc.gas_used,
                      .size = proto_gas_mul_sat(g->tx_size_cost_per_byte, wire),
                      .signature = g->sig_verify_cost,
                      .account = proto_tx_ante_gas(g, 0) - proto_gas_intrinsic(g, 0, 1)};
    row.state = row.total - row.size - row.signature - row.account;
    c->rows[c->count++] = row;
}

/* Execute m alone; its row is named by its type. */
static void op(gas_chain *c, uint32_t from, proto_txmsg m)
{
    op_batch(c, from, proto_txmsg_type_name(m.type), &m, 1);
}

/* ---- the messages ---- */

static proto_txmsg msg(uint8_t type)
{
    proto_txmsg m;
    memset(&m, 0, sizeof m);
    m.type = type;
    return m;
}

static proto_txmsg agent(uint8_t type, uint32_t capabilities, uint64_t bond)
{
    proto_txmsg m = msg(type);
    m.agent.capabilities = capabilities;
    m.agent.capacity = 1;
    m.agent.price = 12;
    m.agent.bond = bond;
    if (type == PROTO_TXMSG_AGENT_REGISTER)
        memset(m.agent.msg_key.bytes, 0x5a, PROTO_PUBKEY_SIZE);
    return m;
}

static proto_txmsg agent_seq(uint8_t type, uint64_t seq)
{
    proto_txmsg m = msg(type);
    m.agent_seq.seq = seq;
    return m;
}

static proto_txmsg job_post(uint32_t seq)
{
    proto_txmsg m = msg(PROTO_TXMSG_JOB_POST);
    m.job_post.job = PROTO_JOB_ID(ACC_CONSUMER, seq);
    m.job_post.provider = ACC_PROVIDER;
    m.job_post.capability = 0;
    m.job_post.payment = PAYMENT;
    m.job_post.deadline_ms = 60000;
    memset(m.job_post.input_hash.bytes, 0x21, PROTO_HASH_SIZE);
    return m;
}

static proto_txmsg job(uint8_t type, uint32_t seq)
{
    proto_txmsg m = msg(type);
    m.job.job = PROTO_JOB_ID(ACC_CONSUMER, seq);
    return m;
}

static proto_txmsg job_result(uint32_t seq)
{
    proto_txmsg m = msg(PROTO_TXMSG_JOB_RESULT);
    m.job_result.job = PROTO_JOB_ID(ACC_CONSUMER, seq);
    memset(m.job_result.result_hash.bytes, 0x42, PROTO_HASH_SIZE);
    return m;
}

static proto_txmsg job_confirm(uint32_t seq, uint8_t score)
{
    proto_txmsg m = msg(PROTO_TXMSG_JOB_CONFIRM);
    m.job_confirm.job = PROTO_JOB_ID(ACC_CONSUMER, seq);
    m.job_confirm.score = score;
    return m;
}

static proto_txmsg stake(uint8_t type, uint32_t validator, uint64_t amount)
{
    proto_txmsg m = msg(type);
    m.delegate.validator = validator;
    m.delegate.amount = amount;
    return m;
}

/* ---- the operations ---- */

/* The job's life to confirmation, then each other way a job ends. */
static void run_market(gas_chain *c)
{
    op(c, ACC_NEWCOMER, agent(PROTO_TXMSG_AGENT_REGISTER, 0x2, 1000));
    op(c, ACC_PROVIDER, agent_seq(PROTO_TXMSG_AGENT_HEARTBEAT, 1));
    op(c, ACC_NEWCOMER, agent(PROTO_TXMSG_AGENT_UPDATE, 0x6, 0));
    op(c, ACC_CONSUMER, job_post(1));
    op(c, ACC_PROVIDER, job(PROTO_TXMSG_JOB_ACCEPT, 1));
    op(c, ACC_PROVIDER, job_result(1));
    op(c, ACC_CONSUMER, job_confirm(1, 90));
    op(c, ACC_CONSUMER, job_post(2));
    op(c, ACC_PROVIDER, job(PROTO_TXMSG_JOB_DECLINE, 2));
    op(c, ACC_CONSUMER, job_post(3));
    op(c, ACC_CONSUMER, job(PROTO_TXMSG_JOB_CANCEL, 3));
    op(c, ACC_CONSUMER, job_post(4));
    op(c, ACC_PROVIDER, job(PROTO_TXMSG_JOB_ACCEPT, 4));
    op(c, ACC_PROVIDER, job_result(4));
    op(c, ACC_CONSUMER, job(PROTO_TXMSG_JOB_REJECT, 4));
    op(c, ACC_NEWCOMER, agent_seq(PROTO_TXMSG_AGENT_DEREGISTER, 1));
    /* Batching: a consumer confirming one job and posting the next in
     * one transaction pays the ante handler once. */
    op(c, ACC_CONSUMER, job_post(5));
    op(c, ACC_PROVIDER, job(PROTO_TXMSG_JOB_ACCEPT, 5));
    op(c, ACC_PROVIDER, job_result(5));
    const proto_txmsg batch[] = {job_confirm(5, 90), job_post(6)};
    op_batch(c, ACC_CONSUMER, GAS_OPS_CONFIRM_POST, batch, G_N_ELEMENTS(batch));
}

/* The end block at the chain's height and time (a dispute moves on only
 * there), then the next height. */
static void end_block(gas_chain *c)
{
    proto_gas_meter unmetered;
    proto_msg_ctx ctx = block_ctx(c, &unmetered, NULL);
    g_assert(proto_state_end_block(c->s, &ctx));
    c->height++;
}

/* The dispute job 4's rejection opened, through every message: the
 * provider defends, the verifier upholds the result, the consumer
 * appeals, the arbiter commits and reveals. */
static void run_disputes(gas_chain *c)
{
    uint64_t id = PROTO_JOB_ID(ACC_CONSUMER, 4);
    proto_txmsg m = msg(PROTO_TXMSG_DISPUTE_DEFEND);
    m.dispute_defend.job = id;
    op(c, ACC_PROVIDER, m);
    m = msg(PROTO_TXMSG_DISPUTE_VERDICT);
    m.dispute_verdict.job = id;
    m.dispute_verdict.ruling = PROTO_RULING_PROVIDER;
    op(c, ACC_VERIFIER, m);
    end_block(c);
    m = msg(PROTO_TXMSG_DISPUTE_APPEAL);
    m.dispute_appeal.job = id;
    m.dispute_appeal.round = 0;
    op(c, ACC_CONSUMER, m);
    proto_hash salt;
    memset(salt.bytes, 0x5a, PROTO_HASH_SIZE);
    m = msg(PROTO_TXMSG_DISPUTE_COMMIT);
    m.dispute_commit.job = id;
    m.dispute_commit.round = 1;
    proto_dispute_commitment(CHAIN_ID, id, 1, ACC_ARBITER, PROTO_RULING_PROVIDER, &salt,
                             &m.dispute_commit.commitment);
    op(c, ACC_ARBITER, m);
    end_block(c);
    m = msg(PROTO_TXMSG_DISPUTE_REVEAL);
    m.dispute_reveal.job = id;
    m.dispute_reveal.round = 1;
    m.dispute_reveal.ruling = PROTO_RULING_PROVIDER;
    m.dispute_reveal.salt = salt;
    op(c, ACC_ARBITER, m);
    end_block(c);
}

/* Owners in order approve `what` on multisig `id` at its current nonce,
 * the first executes it; the exec's row is `exec_name`. */
static void multisig_run(gas_chain *c, uint32_t id, const uint32_t *owners, size_t count,
                         const proto_multisig_op *what, const char *exec_name)
{
    const proto_multisig *ms = proto_multisig_get(c->s, id);
    g_assert(ms != NULL);
    uint64_t nonce = ms->nonce;
    proto_txmsg m = msg(PROTO_TXMSG_MULTISIG_APPROVE);
    m.multisig_approve.multisig = id;
    m.multisig_approve.nonce = nonce;
    proto_multisig_op_hash(CHAIN_ID, id, nonce, what, &m.multisig_approve.op_hash);
    for (size_t i = 0; i < count; i++)
        op(c, owners[i], m);
    m = msg(PROTO_TXMSG_MULTISIG_EXEC);
    m.multisig_exec.multisig = id;
    m.multisig_exec.nonce = nonce;
    m.multisig_exec.op = *what;
    op_batch(c, owners[0], exec_name, &m, 1);
}

/* A multisig made, funded and paying out; a guarded job released by its
 * 2-of-3; an upgrade planned by the authority. */
static void run_multisig(gas_chain *c)
{
    proto_txmsg m = msg(PROTO_TXMSG_MULTISIG_CREATE);
    m.multisig_create.threshold = 2;
    m.multisig_create.owners_count = 3;
    m.multisig_create.owners[0] = ACC_NEWCOMER;
    m.multisig_create.owners[1] = ACC_CONSUMER;
    m.multisig_create.owners[2] = ACC_PROVIDER;
    op(c, ACC_NEWCOMER, m);
    uint32_t id = proto_multisig_count(c->s);
    m = msg(PROTO_TXMSG_MULTISIG_DEPOSIT);
    m.multisig_deposit.multisig = id;
    m.multisig_deposit.amount = 1000;
    op(c, ACC_NEWCOMER, m);
    const uint32_t pair[] = {ACC_NEWCOMER, ACC_CONSUMER};
    proto_multisig_op pay = {.type = PROTO_MULTISIG_OP_TRANSFER,
                             .transfer = {.to = ACC_NEWCOMER, .amount = 10}};
    multisig_run(c, id, pair, G_N_ELEMENTS(pair), &pay, "multisig_exec");
    /* A guarded job: its provider and consumer approve the release. */
    proto_txmsg post = job_post(7);
    post.job_post.payment = GUARD_PAYMENT;
    op(c, ACC_CONSUMER, post);
    op(c, ACC_PROVIDER, job(PROTO_TXMSG_JOB_ACCEPT, 7));
    op(c, ACC_PROVIDER, job_result(7));
    const proto_job *guarded = proto_jobs_get(c->s, PROTO_JOB_ID(ACC_CONSUMER, 7));
    g_assert(guarded != NULL && guarded->guard != 0);
    const uint32_t parties[] = {ACC_PROVIDER, ACC_CONSUMER};
    proto_multisig_op settle = {.type = PROTO_MULTISIG_OP_JOB_SETTLE,
                                .job_settle = {.job = guarded->id, .release = 1}};
    multisig_run(c, guarded->guard, parties, G_N_ELEMENTS(parties), &settle,
                 GAS_OPS_EXEC_SETTLE);
    /* The authority plans escrow v2. */
    const uint32_t governors[] = {ACC_OPERATOR0, ACC_OPERATOR1};
    proto_multisig_op plan = {.type = PROTO_MULTISIG_OP_UPGRADE};
    plan.upgrade.module = PROTO_JOBS_MODULE_ID;
    plan.upgrade.version = 2;
    plan.upgrade.height = c->height + 10;
    multisig_run(c, AUTHORITY, governors, G_N_ELEMENTS(governors), &plan, GAS_OPS_EXEC_UPGRADE);
    g_assert(proto_upgrade_plans_count(c->s) == 1);
}

/* Fees into the collector, everyone's votes, the end block: rewards and
 * commission to withdraw (what distribution's tests call allocating). */
static void allocate_rewards(gas_chain *c)
{
    proto_account *payer = proto_state_account_mut(c->s, ACC_FEES, NULL);
    payer->balance -= 1000000;
    proto_distribution_collect(c->s, 1000000, NULL);
    const uint64_t powers[] = {SELF_BOND, SELF_BOND};
    const bool signed_mask[] = {true, true};
    proto_distribution_record_votes(c->s, 0, powers, signed_mask, 2, NULL);
    end_block(c);
}

static void run_staking(gas_chain *c)
{
    proto_txmsg create = msg(PROTO_TXMSG_CREATE_VALIDATOR);
    create.create_validator.validator = 2;
    create.create_validator.self_bond = SELF_BOND;
    create.create_validator.rate = PROTO_TXMSG_RATE_ONE / 20;
    create.create_validator.max_rate = PROTO_TXMSG_RATE_ONE / 2;
    create.create_validator.max_change_rate = PROTO_TXMSG_RATE_ONE / 100;
    op(c, ACC_CANDIDATE, create);
    proto_txmsg edit = msg(PROTO_TXMSG_EDIT_VALIDATOR);
    edit.edit_validator.validator = 0;
    edit.edit_validator.rate = PROTO_TXMSG_RATE_ONE / 5;
    op(c, ACC_OPERATOR0, edit);
    op(c, ACC_DELEGATOR, stake(PROTO_TXMSG_DELEGATE, 0, 10000000));
    allocate_rewards(c);
    proto_txmsg withdraw = msg(PROTO_TXMSG_WITHDRAW_REWARDS);
    withdraw.withdraw.validator = 0;
    op(c, ACC_DELEGATOR, withdraw);
    withdraw.type = PROTO_TXMSG_WITHDRAW_COMMISSION;
    op(c, ACC_OPERATOR0, withdraw);
    uint64_t unbond_height = c->height;
    op(c, ACC_DELEGATOR, stake(PROTO_TXMSG_UNDELEGATE, 0, 1000000));
    proto_txmsg cancel = msg(PROTO_TXMSG_CANCEL_UNBONDING);
    cancel.cancel_unbonding.validator = 0;
    cancel.cancel_unbonding.amount = 500000;
    cancel.cancel_unbonding.creation_height = unbond_height;
    op(c, ACC_DELEGATOR, cancel);
    proto_txmsg redelegate = msg(PROTO_TXMSG_REDELEGATE);
    redelegate.redelegate.src = 0;
    redelegate.redelegate.dst = 1;
    redelegate.redelegate.amount = 1000000;
    op(c, ACC_DELEGATOR, redelegate);
}

size_t gas_ops_measure(gas_op_row *rows)
{
    gas_chain c;
    chain_init(&c, rows);
    proto_txmsg transfer = msg(PROTO_TXMSG_TRANSFER);
    transfer.transfer.to = ACC_CONSUMER;
    transfer.transfer.amount = 1;
    op(&c, ACC_FEES, transfer);
    run_market(&c);
    run_disputes(&c);
    run_multisig(&c);
    run_staking(&c);
    size_t count = c.count;
    chain_clear(&c);
    return count;
}

const gas_op_row *gas_ops_find(const gas_op_row *rows, size_t count, const char *name)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(rows[i].name, name) == 0)
            return &rows[i];
    return NULL;
}

static uint64_t sum_of(const gas_op_row *rows, size_t count, const char *const *life,
                       size_t n)
{
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        const gas_op_row *r = gas_ops_find(rows, count, life[i]);
        g_assert(r != NULL);
        total += r->total;
    }
    return total;
}

uint64_t gas_ops_dispute_lifecycle(const gas_op_row *rows, size_t count)
{
    static const char *const life[] = {"job_post",       "job_accept",     "job_result",
                                       "job_reject",     "dispute_defend", "dispute_verdict"};
    return sum_of(rows, count, life, G_N_ELEMENTS(life));
}

uint64_t gas_ops_guarded_lifecycle(const gas_op_row *rows, size_t count)
{
    static const char *const life[] = {"job_post",         "job_accept",
                                       "job_result",       "multisig_approve",
                                       "multisig_approve", GAS_OPS_EXEC_SETTLE};
    return sum_of(rows, count, life, G_N_ELEMENTS(life));
}

uint64_t gas_ops_job_lifecycle(const gas_op_row *rows, size_t count)
{
    static const char *const life[] = {"job_post", "job_accept", "job_result", "job_confirm"};
    return sum_of(rows, count, life, G_N_ELEMENTS(life));
}
