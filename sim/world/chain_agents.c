/* The agent market's genesis (sim/world/chain.h): a chain whose scenario
 * has an [agents] section gets the registry and jobs modules
 * (protocol/modules/registry/registry.h, protocol/modules/jobs/jobs.h),
 * empty: the agents register themselves with transactions.
 *
 *   - Agent k is account "agent/<k>" (keys from the seed), after the
 *     delegators. Providers, jurors (and sybil identities) start with
 *     their bond plus SIM_AGENT_PROVIDER_FLOAT for fees; consumers with
 *     [agents] consumer_balance.
 *   - The registry knows the scenario's capabilities, bonds at least
 *     [agents] bond (a registration's Sybil price), suspends and evicts
 *     as [agents] heartbeat, suspend_after and evict_after say, slashes
 *     evict_slash and noshow_slash (x 10^-18 in the scenario, per mille
 *     on chain: rounded down), and returns a bond unbond_delay after an
 *     agent leaves.
 *   - The jobs module takes [jobs] fee (per mille, rounded down),
 *     accept_timeout, challenge_window and deadline as the longest a job
 *     may ask for, and with fee_to = treasury pays the fees into the
 *     governors' multisig.
 *   - With [disputes], the disputes module follows the jobs module with
 *     the scenario's parameters; its jurors are the juror agents (the
 *     verifiers, role VERIFIER, then the arbiters, role ARBITER, agent
 *     indexes right after the consumers), each with [disputes] stake,
 *     which the genesis creates.
 * A chain without [agents] is built exactly as before, and so is one
 * without [disputes]. */
#include "sim/world/chain.h"

#include <stdio.h>

#include "protocol/modules/disputes/disputes.h"
#include "protocol/modules/jobs/jobs.h"
#include "protocol/modules/multisig/multisig.h"
#include "protocol/modules/registry/registry.h"

#define PERMILLE_OF_RATE (SIM_RATE_ONE / 1000)

void sim_chain_agents_accounts(sim_chain *c)
{
    const sim_agents_options *o = c->opt.agents;
    if (o == NULL)
        return;
    const sim_disputes_options *d = c->opt.disputes;
    uint32_t n = c->opt.agent_identities;
    c->first_juror = o->providers + o->consumers;
    c->jurors_count = d != NULL ? d->verifiers + d->arbiters : 0;
    g_assert(n >= c->first_juror + c->jurors_count);
    c->agents_count = n;
    c->agent_keys = g_new0(proto_keypair, MAX(n, 1));
    c->agent_balances = g_new0(uint64_t, MAX(n, 1));
    c->first_agent_account = proto_state_account_count(c->genesis);
    for (uint32_t k = 0; k < n; k++) {
        char label[32];
        snprintf(label, sizeof label, "agent/%u", k);
        proto_keypair_derive(&c->agent_keys[k], c->opt.seed, label);
        bool consumer = k >= o->providers && k < c->first_juror;
        c->agent_balances[k] = consumer ? o->consumer_balance : o->bond + SIM_AGENT_PROVIDER_FLOAT;
        proto_state_add_account(c->genesis, &c->agent_keys[k].pk, c->agent_balances[k]);
    }
}

/* The disputes module and its jurors (agent accounts, which are in
 * account order as the module keeps them). */
static void chain_disputes_genesis(sim_chain *c)
{
    const sim_disputes_options *d = c->opt.disputes;
    if (d == NULL)
        return;
    c->disputes = true;
    c->disputes_params = d->params;
    g_assert(c->jurors_count <= PROTO_DISPUTES_JURORS_MAX);
    proto_disputes_genesis_juror jurors[PROTO_DISPUTES_JURORS_MAX];
    for (uint32_t i = 0; i < c->jurors_count; i++)
        jurors[i] = (proto_disputes_genesis_juror){
            .account = c->first_agent_account + c->first_juror + i,
            .roles = i < d->verifiers ? PROTO_JUROR_VERIFIER : PROTO_JUROR_ARBITER,
            .stake = d->stake};
    proto_disputes_genesis(c->genesis, &d->params, c->jurors_count, jurors);
}

void sim_chain_agents_genesis(sim_chain *c)
{
    const sim_agents_options *o = c->opt.agents;
    const sim_jobs_options *j = c->opt.jobs;
    if (o == NULL)
        return;
    proto_registry_params rp = proto_registry_defaults();
    rp.capabilities_count = o->capabilities->len;
    rp.min_bond = o->bond;
    rp.heartbeat_ns = o->heartbeat_ns;
    rp.suspend_after = o->suspend_after;
    rp.evict_after = o->evict_after;
    rp.unbond_delay_ns = o->unbond_delay_ns;
    rp.evict_slash_permille = (uint32_t)(o->evict_slash / PERMILLE_OF_RATE);
    rp.noshow_slash_permille = (uint32_t)(o->noshow_slash / PERMILLE_OF_RATE);
    g_assert(proto_registry_params_valid(&rp));
    proto_registry_genesis(c->genesis, &rp, 0, NULL, 0);
    c->jobs_params = proto_jobs_defaults();
    c->jobs_params.fee_permille = (uint32_t)(j->fee / PERMILLE_OF_RATE);
    c->jobs_params.accept_timeout_ns = j->accept_timeout_ns;
    c->jobs_params.challenge_window_ns = j->challenge_window_ns;
    c->jobs_params.max_deadline_ms = (uint32_t)(j->deadline_ns / 1000000);
    c->jobs_params.guard_min_payment = j->guard_above;
    c->jobs_params.guard_expiry_ns = j->guard_expiry_ns;
    if (c->opt.treasury) /* the governors' multisig (chain_governance.c) */
        c->jobs_params.treasury = SIM_CHAIN_GOVERNANCE_MULTISIG;
    g_assert(proto_jobs_params_valid(&c->jobs_params));
    proto_jobs_genesis(c->genesis, &c->jobs_params);
    chain_disputes_genesis(c);
    /* The guards' multisigs (the scenario checked the arbiters); on a
     * governed chain the module comes with the governors' multisig
     * (chain_governance.c). */
    if (j->guard_above > 0 && !sim_chain_governed(&c->opt))
        proto_multisig_genesis(c->genesis, 0, NULL);
}
