/* One chain's shared set-up from the seed (see chain.h): keys, stakes,
 * rotation, genesis state and the consensus parameters.
 *
 * The order of the steps and every value here are part of what a run
 * is: the genesis root, the chain id and the keys feed every trace hash,
 * so a change here is a behaviour change (see docs/architecture.md,
 * "Update a pinned hash"). */
#include "sim/world/chain.h"

#include "protocol/modules/validator/validator.h"

#include <stdio.h>

#define CHAIN_POLL_EVERY 4096u
#define CHAIN_ID_TAG 0xa17bc0000000000ULL
#define CHAIN_MEMPOOL_MAX 200000u
#define CHAIN_SYNC_BATCH_MAX 32u
#define CHAIN_ORPHANS_MAX 256u

static bool keep_going_now(sim_poll_fn keep_going, void *ctx)
{
    return keep_going == NULL || keep_going(ctx);
}

static void derive_validators(sim_chain *c)
{
    const sim_chain_options *opt = &c->opt;
    uint32_t v = opt->validators;
    c->validator_keys = g_new0(proto_keypair, v);
    c->validator_pubkeys = g_new0(proto_pubkey, v);
    c->stakes = g_new0(uint64_t, v);
    c->validator_nodes = g_new0(proto_node_id, v);
    for (uint32_t i = 0; i < v; i++) {
        char label[32];
        snprintf(label, sizeof label, "validator/%u", i);
        proto_keypair_derive(&c->validator_keys[i], opt->seed, label);
        c->validator_pubkeys[i] = c->validator_keys[i].pk;
        c->stakes[i] = g_array_index(opt->stakes, uint64_t, opt->stakes->len == 1 ? 0 : i);
        c->validator_nodes[i] = i;
    }
    /* The scenario's bounds (<= 1000 validators, stakes 1..1e15) keep the
     * total within CometBFT's maximum, so proposer priorities always work. */
    g_assert(proto_prio_check(c->stakes, v) == PROTO_CMT_VALSET_OK);
    c->rotation = opt->rotation == SIM_ROTATION_STAKE_WEIGHTED ? PROTO_ROTATION_STAKE_WEIGHTED
                                                                : PROTO_ROTATION_ROUND_ROBIN;
}

/* Ten million accounts take seconds to derive: stop when asked. */
static bool derive_accounts(sim_chain *c, sim_poll_fn keep_going, void *ctx)
{
    c->account_keys = g_new0(proto_keypair, c->opt.accounts);
    for (uint32_t i = 0; i < c->opt.accounts; i++) {
        if (i % CHAIN_POLL_EVERY == 0 && !keep_going_now(keep_going, ctx))
            return false;
        char label[32];
        snprintf(label, sizeof label, "account/%u", i);
        proto_keypair_derive(&c->account_keys[i], c->opt.seed, label);
    }
    return true;
}

static bool build_genesis(sim_chain *c, sim_poll_fn keep_going, void *ctx)
{
    const sim_chain_options *opt = &c->opt;
    c->genesis = proto_state_new();
    for (uint32_t i = 0; i < opt->accounts; i++) {
        if (i % CHAIN_POLL_EVERY == 0 && !keep_going_now(keep_going, ctx))
            return false;
        proto_state_add_account(c->genesis, &c->account_keys[i].pk, SIM_CHAIN_GENESIS_BALANCE);
    }
    /* The operators come after the workload's accounts, so the workload
     * (which picks among the first `accounts`) never spends their funds. */
    c->fee_accounts = g_new0(uint32_t, opt->validators);
    for (uint32_t v = 0; v < opt->validators; v++)
        c->fee_accounts[v] = proto_state_add_account(c->genesis, &c->validator_pubkeys[v],
                                                     SIM_CHAIN_GENESIS_BALANCE);
    c->spam_keys = g_new0(proto_keypair, MAX(opt->spam_accounts, 1));
    c->first_spam_account = proto_state_account_count(c->genesis);
    for (uint32_t k = 0; k < opt->spam_accounts; k++) {
        char label[32];
        snprintf(label, sizeof label, "spam/%u", k);
        proto_keypair_derive(&c->spam_keys[k], opt->seed, label);
        proto_state_add_account(c->genesis, &c->spam_keys[k].pk, SIM_CHAIN_GENESIS_BALANCE);
    }
    sim_chain_staking_accounts(c);
    sim_chain_agents_accounts(c);
    sim_chain_governance_accounts(c);
    proto_state_set_base_fee(c->genesis, opt->fees.initial_base_fee, NULL);
    /* PBFT's chain carries the bonded validator set (stake, jailing, keys,
     * operators) in its state, owned by the validator module, so the
     * genesis root commits to it; with [staking] the staking module owns
     * the stake under it. PoA has none. */
    if (opt->protocol == SIM_CONSENSUS_PBFT && opt->staking != NULL) {
        sim_chain_staking_genesis(c);
    } else if (opt->protocol == SIM_CONSENSUS_PBFT) {
        proto_valset *vs = proto_valset_new(&opt->slashing, opt->validators, c->validator_pubkeys,
                                            c->stakes);
        for (uint32_t v = 0; v < opt->validators; v++)
            proto_valset_set_operator(vs, v, c->fee_accounts[v]);
        proto_validator_genesis(c->genesis, vs);
    }
    sim_chain_agents_genesis(c);
    sim_chain_governance_genesis(c);
    proto_state_set_fast_hash(c->genesis, opt->crypto_fast);
    /* Hash the genesis tree once: every node copies it, clean. */
    proto_hash genesis_root;
    proto_state_root(c->genesis, &genesis_root);
    return true;
}

static void build_rules(sim_chain *c)
{
    const sim_chain_options *opt = &c->opt;
    c->rules = (proto_chain_rules){.chain_id = opt->seed ^ CHAIN_ID_TAG,
                                   .block_gas_limit = opt->block_gas_limit,
                                   .fees = opt->fees,
                                   .gas = proto_gas_schedule_default(),
                                   .fee_accounts = c->fee_accounts,
                                   .validators = opt->validators};
}

static void build_poa(sim_chain *c)
{
    const sim_chain_options *opt = &c->opt;
    poa_params *p = &c->poa;
    p->chain_id = c->rules.chain_id;
    p->rules = &c->rules;
    p->block_interval_ns = opt->block_interval_ns;
    p->max_block_txs = opt->max_block_txs;
    p->validators_count = opt->validators;
    p->validator_keys = c->validator_pubkeys;
    p->stakes = c->stakes;
    p->genesis_state = c->genesis;
    /* Consensus addresses validators and full nodes directly; a host
     * reaches any further machine of a validator's identity its own way. */
    p->nodes_count = opt->validators + opt->full_nodes;
    p->validator_nodes = c->validator_nodes;
    p->crypto = c->crypto;
    p->mempool_max = CHAIN_MEMPOOL_MAX;
    p->sync_batch_max = CHAIN_SYNC_BATCH_MAX;
    p->orphans_max = CHAIN_ORPHANS_MAX;
    p->rotation = c->rotation;
    /* Shared decoded blocks and executions (exact: both are pure
     * functions of the bytes and the state; see protocol/memo/memo.h): a
     * few heights each, so thousands of nodes in one process cost one
     * state per height. PBFT shares the same two. */
    if (opt->memo_heights > 0) {
        p->block_memo = proto_block_memo_new(opt->memo_heights);
        p->exec_memo = proto_exec_memo_new(opt->memo_heights);
    }
}

/* PBFT shares the chain (keys, stakes, genesis, rotation) of PoA's. */
static void build_pbft(sim_chain *c)
{
    const poa_params *poa = &c->poa;
    pbft_params *p = &c->pbft;
    p->chain_id = poa->chain_id;
    p->rules = poa->rules;
    p->block_interval_ns = poa->block_interval_ns;
    p->max_block_txs = poa->max_block_txs;
    p->validators_count = poa->validators_count;
    p->validator_keys = poa->validator_keys;
    p->stakes = poa->stakes;
    p->genesis_state = poa->genesis_state;
    p->nodes_count = poa->nodes_count;
    p->validator_nodes = poa->validator_nodes;
    p->crypto = poa->crypto;
    p->rotation = poa->rotation;
    p->mempool_max = poa->mempool_max;
    p->view_timeout_ns = c->opt.view_timeout_ns;
    p->view_timeout_max_ns = SIM_PBFT_VIEW_TIMEOUT_DOUBLINGS_MAX * c->opt.view_timeout_ns;
    p->checkpoint_interval = c->opt.checkpoint_interval;
    p->sync_batch_max = poa->sync_batch_max;
    p->test_break_quorum = c->opt.test_break_quorum;
    pbft_genesis_hash(p, &p->genesis_hash);
    p->block_memo = poa->block_memo;
    p->exec_memo = poa->exec_memo;
}

bool sim_chain_init(sim_chain *c, const sim_chain_options *opt, sim_poll_fn keep_going,
                    void *keep_going_ctx)
{
    *c = (sim_chain){.opt = *opt};
    g_assert(opt->validators > 0 && opt->stakes != NULL &&
             (opt->stakes->len == 1 || opt->stakes->len == opt->validators));
    c->crypto = proto_crypto_new(opt->crypto_fast ? PROTO_CRYPTO_FAST : PROTO_CRYPTO_REAL,
                                 opt->crypto_memo_max);
    derive_validators(c);
    if (!derive_accounts(c, keep_going, keep_going_ctx) ||
        !build_genesis(c, keep_going, keep_going_ctx))
        return false;
    build_rules(c);
    build_poa(c);
    build_pbft(c);
    c->opt.stakes = NULL; /* borrowed for set-up only */
    c->opt.staking = NULL;
    c->opt.agents = NULL;
    c->opt.jobs = NULL;
    c->opt.disputes = NULL;
    return true;
}

void sim_chain_clear(sim_chain *c)
{
    proto_state_free(c->genesis);
    proto_block_memo_free(c->poa.block_memo);
    proto_exec_memo_free(c->poa.exec_memo);
    proto_crypto_free(c->crypto);
    g_free(c->validator_keys);
    g_free(c->validator_pubkeys);
    g_free(c->stakes);
    g_free(c->validator_nodes);
    g_free(c->account_keys);
    g_free(c->fee_accounts);
    g_free(c->spam_keys);
    g_free(c->delegator_keys);
    g_free(c->agent_keys);
    g_free(c->agent_balances);
    g_free(c->governor_keys);
    *c = (sim_chain){0};
}

void *sim_chain_new_node(const sim_chain *c, proto_node_id self, int32_t validator_index,
                         const proto_env *env, const proto_node_ops **ops)
{
    g_assert(validator_index < (int32_t)c->opt.validators);
    const proto_keypair *key = validator_index >= 0 ? &c->validator_keys[validator_index] : NULL;
    if (c->opt.protocol == SIM_CONSENSUS_PBFT) {
        *ops = &pbft_node_ops;
        return pbft_node_new(&c->pbft, self, validator_index, key, env);
    }
    *ops = &poa_node_ops;
    return poa_node_new(&c->poa, self, validator_index, key, env);
}
