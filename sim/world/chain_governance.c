/* The governors' genesis (sim/world/chain.h). A chain whose scenario
 * has an `upgrade` fault or [jobs] fee_to = treasury is governed: a
 * multisig (protocol/modules/multisig/multisig.h), id
 * SIM_CHAIN_GOVERNANCE_MULTISIG, of SIM_CHAIN_GOVERNORS_THRESHOLD of
 * SIM_CHAIN_GOVERNORS governors, accounts "governor/<k>" (keys from the
 * seed, after the agents' accounts), each funded like a workload account
 * for the gas of its approvals. It is
 *   - the upgrade authority, with an upgrade fault: the chain gets the
 *     upgrade module (protocol/modules/upgrade/upgrade.h), every module
 *     with state at version 1, and the simulator's governance client
 *     (sim/world/upgrades.c) signs for the governors;
 *   - the treasury, with fee_to = treasury: the jobs module pays the
 *     market fees into it (protocol/modules/jobs/jobs.h, "Treasury";
 *     chain_agents.c sets the parameter).
 * The multisig module holds the guards' multisigs too when [jobs]
 * guard_above is set: they come after it. A chain neither governed nor
 * guarded is built exactly as before. */
#include "sim/world/chain.h"

#include <stdio.h>

#include "protocol/modules/multisig/multisig.h"
#include "protocol/modules/upgrade/upgrade.h"

bool sim_chain_governed(const sim_chain_options *opt)
{
    return opt->upgrades || opt->treasury;
}

void sim_chain_governance_accounts(sim_chain *c)
{
    if (!sim_chain_governed(&c->opt))
        return;
    c->governors_count = SIM_CHAIN_GOVERNORS;
    c->governor_keys = g_new0(proto_keypair, SIM_CHAIN_GOVERNORS);
    c->first_governor_account = proto_state_account_count(c->genesis);
    for (uint32_t k = 0; k < SIM_CHAIN_GOVERNORS; k++) {
        char label[32];
        snprintf(label, sizeof label, "governor/%u", k);
        proto_keypair_derive(&c->governor_keys[k], c->opt.seed, label);
        proto_state_add_account(c->genesis, &c->governor_keys[k].pk, SIM_CHAIN_GENESIS_BALANCE);
    }
}

void sim_chain_governance_genesis(sim_chain *c)
{
    if (!sim_chain_governed(&c->opt))
        return;
    proto_multisig_genesis_account authority = {.threshold = SIM_CHAIN_GOVERNORS_THRESHOLD,
                                                .owners_count = SIM_CHAIN_GOVERNORS};
    for (uint32_t k = 0; k < SIM_CHAIN_GOVERNORS; k++)
        authority.owners[k] = c->first_governor_account + k;
    proto_multisig_genesis(c->genesis, 1, &authority);
    if (!c->opt.upgrades)
        return;
    c->upgrade_authority = SIM_CHAIN_GOVERNANCE_MULTISIG;
    proto_upgrade_genesis(c->genesis, c->upgrade_authority);
}
