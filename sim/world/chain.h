/* One chain's shared set-up: what every node of a scenario's chain must
 * agree on, derived from the run's seed alone.
 *
 * Validator keys ("validator/<i>") and account keys ("account/<i>") are
 * derived from the seed, stakes and the proposer rotation come from the
 * consensus options, the genesis state holds every account, then one
 * operator account per validator (key: the validator's genesis key; its
 * tips arrive there and it pays for the validator's operations), the
 * spam behaviours' and the delegators' accounts, and (under PBFT) the
 * bonded validator set, whose stake the staking module owns when the
 * scenario has a [staking] section (sim/world/chain_staking.c); the chain's rules (gas, fees)
 * come from [fees], and the PoA and PBFT parameters point into all of
 * it. The simulated world builds one (sim/world/world.c) for
 * its thousands of nodes; the testbed daemon (tools/node) builds the same
 * one in each process for its single node, so a node on a socket starts
 * from exactly the chain it would have in simulation.
 *
 * The options are the scenario's consensus-relevant keys, translated by
 * sim_chain_options_from (sim/world/world_options.c), plus two choices of
 * the host: how big the crypto verification memo is, and whether the
 * nodes share decoded blocks and executions (only useful when many nodes
 * share one process). */
#ifndef AITBC_SIM_CHAIN_H
#define AITBC_SIM_CHAIN_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/chain/proposer.h"
#include "protocol/chain/state.h"
#include "protocol/chain/valset.h"
#include "protocol/modules/disputes/disputes.h"
#include "protocol/modules/jobs/jobs.h"
#include "protocol/core/crypto.h"
#include "protocol/pbft/pbft.h"
#include "protocol/poa/poa.h"
#include "sim/scenario/scenario.h"

/* Asked during set-up, between steps of at most a few thousand nodes or
 * accounts: return false to abandon it (e.g. on SIGINT). */
typedef bool (*sim_poll_fn)(void *ctx);

/* Funded accounts a spam behaviour sends from, per node it names (its
 * Sybils: each is a different sender to the chain). */
#define SIM_SPAM_ACCOUNTS 64

/* Every genesis account's balance (the workload's and the operators'). */
#define SIM_CHAIN_GENESIS_BALANCE 1000000000000ULL

/* PBFT view timeouts double per failed view up to this multiple of
 * [consensus] view_timeout (4 s -> at most 16 s). */
#define SIM_PBFT_VIEW_TIMEOUT_DOUBLINGS_MAX 4

typedef struct sim_chain_options {
    uint64_t seed;               /* every key derives from it; the chain id too */
    sim_consensus_kind protocol;
    uint32_t validators;
    uint32_t full_nodes;         /* consensus addresses are 0 .. validators + full_nodes - 1 */
    const GArray *stakes;        /* uint64: one for every validator, or one per validator;
                                  * borrowed, must outlive sim_chain_init */
    sim_rotation_kind rotation;
    proto_slashing_params slashing;
    uint32_t accounts;           /* genesis accounts, each with the same balance */
    uint32_t spam_accounts;      /* more, for spam behaviours (after the operators) */
    uint64_t block_gas_limit;    /* [fees] */
    proto_fee_params fees;
    bool crypto_fast;
    int64_t block_interval_ns;
    uint32_t max_block_txs;
    int64_t view_timeout_ns;     /* PBFT */
    uint32_t checkpoint_interval;/* PBFT */
    bool test_break_quorum;      /* TEST ONLY (pbft_params.test_break_quorum) */
    /* [staking] (PBFT): the staking module owns the stake, delegators
     * delegate at genesis; NULL: genesis stakes as they are. Borrowed,
     * must outlive sim_chain_init. */
    const sim_staking_options *staking;
    /* [agents] and [jobs]: the registry and jobs modules, and one funded
     * account per agent identity (agent_identities of them: the
     * scenario's agents and the sybil faults' identities); NULL: none.
     * Borrowed, must outlive sim_chain_init. */
    const sim_agents_options *agents;
    const sim_jobs_options *jobs;
    uint32_t agent_identities;
    /* [disputes] (with [agents]): the disputes module after the jobs
     * module, its jurors the juror agents (verifiers, then arbiters,
     * after the consumers); NULL: no module. Borrowed, must outlive
     * sim_chain_init. */
    const sim_disputes_options *disputes;
    /* An upgrade fault (sim/world/upgrades.c): the upgrade module, its
     * authority a 2-of-3 multisig of SIM_CHAIN_GOVERNORS accounts. */
    bool upgrades;
    /* [jobs] fee_to = treasury: the market fees go to that multisig. */
    bool treasury;
    /* The host's choices, not the scenario's (sim_chain_options_from
     * leaves them 0: the caller sets them). */
    size_t crypto_memo_max;      /* entries of the signature verification memo */
    uint32_t memo_heights;       /* > 0: PoA and PBFT nodes share decoded blocks and executions
                                  * for this many heights (protocol/memo/memo.h) */
} sim_chain_options;

/* Filled by sim_chain_init; read-only afterwards except that a host may
 * point pbft.extra_nodes at machines of its own. Everything is owned by
 * the chain and freed by sim_chain_clear. */
typedef struct sim_chain {
    sim_chain_options opt;
    proto_crypto *crypto;
    proto_keypair *validator_keys;   /* [validators] */
    proto_pubkey *validator_pubkeys; /* [validators] */
    uint64_t *stakes;                /* [validators] */
    proto_node_id *validator_nodes;  /* [validators]: validator i runs at node i */
    proto_keypair *account_keys;     /* [accounts] */
    uint32_t *fee_accounts;          /* [validators]: validator i's operator account */
    proto_keypair *spam_keys;        /* [spam_accounts]: "spam/<k>" */
    uint32_t first_spam_account;     /* spam key k is account first_spam_account + k */
    proto_keypair *delegator_keys;   /* [delegators_count]: "delegator/<k>" */
    uint32_t delegators_count;       /* [staking] delegators; 0 without [staking] */
    uint64_t delegator_stake;        /* each delegator's genesis delegation */
    uint32_t first_delegator_account;/* delegator k is account first_delegator_account + k */
    proto_keypair *agent_keys;       /* [agents_count]: "agent/<k>" */
    uint64_t *agent_balances;        /* [agents_count]: genesis balances */
    uint32_t agents_count;           /* agent identities; 0 without [agents] */
    uint32_t first_agent_account;    /* agent k is account first_agent_account + k */
    proto_jobs_params jobs_params;   /* [jobs] on chain (when agents_count > 0) */
    bool disputes;                   /* the disputes module is attached ... */
    proto_disputes_params disputes_params; /* ... with these parameters */
    uint32_t first_juror;            /* agent index of the first juror (jurors_count of them) */
    uint32_t jurors_count;
    proto_keypair *governor_keys;    /* [governors_count]: "governor/<k>" */
    uint32_t governors_count;        /* SIM_CHAIN_GOVERNORS with opt.upgrades, else 0 */
    uint32_t first_governor_account; /* governor k is account first_governor_account + k */
    uint32_t upgrade_authority;      /* the authority's multisig id; 0: no upgrade module */
    proto_chain_rules rules;         /* poa.rules and pbft.rules */
    proto_state *genesis;
    proto_rotation_kind rotation;    /* poa.rotation and pbft.rotation */
    poa_params poa;
    pbft_params pbft;
} sim_chain;

/* Builds the chain (proto_crypto_global_init must have run). Returns
 * false if keep_going (may be NULL) said stop while keys were derived; c
 * can then still be cleared. */
bool sim_chain_init(sim_chain *c, const sim_chain_options *opt, sim_poll_fn keep_going,
                    void *keep_going_ctx);
void sim_chain_clear(sim_chain *c);

/* The consensus node of validator `validator_index` (< 0: a full node),
 * addressed as `self`, talking through env: a PBFT or PoA node, as the
 * chain's protocol says; *ops gets its operations. */
/* chain_staking.c: the staking module's genesis (PBFT with [staking]):
 * delegator accounts, validators self-bonded with their stakes, every
 * delegator's genesis delegation, and the validator set on top. */
void sim_chain_staking_accounts(sim_chain *c);
void sim_chain_staking_genesis(sim_chain *c);
/* chain_agents.c: the agents' accounts and the registry and jobs
 * modules (with [agents]), and the disputes module with its jurors
 * (with [disputes]). */
void sim_chain_agents_accounts(sim_chain *c);
void sim_chain_agents_genesis(sim_chain *c);
/* chain_governance.c (opt.upgrades or opt.treasury: governed): the
 * governors' accounts (after the agents'), then the multisig module with
 * their 2-of-3 multisig, and with upgrades the upgrade module with it as
 * the authority (after every other module). */
#define SIM_CHAIN_GOVERNORS 3u
#define SIM_CHAIN_GOVERNORS_THRESHOLD 2u
#define SIM_CHAIN_GOVERNANCE_MULTISIG 1u
bool sim_chain_governed(const sim_chain_options *opt);
void sim_chain_governance_accounts(sim_chain *c);
void sim_chain_governance_genesis(sim_chain *c);
/* What a provider holds besides its bond at genesis, for fees. */
#define SIM_AGENT_PROVIDER_FLOAT 100000000000ULL

void *sim_chain_new_node(const sim_chain *c, proto_node_id self, int32_t validator_index,
                         const proto_env *env, const proto_node_ops **ops);

#endif
