/* The upgrade authority's genesis (sim/world/chain.h): a chain whose
 * scenario has an `upgrade` fault gets the upgrade module
 * (protocol/modules/upgrade/upgrade.h), every module with state at
 * version 1, and as the authority that may plan upgrades a multisig
 * (protocol/modules/multisig/multisig.h): SIM_CHAIN_GOVERNORS_THRESHOLD
 * of SIM_CHAIN_GOVERNORS governors, accounts "governor/<k>" (keys from
 * the seed, after the agents' accounts), each funded like a workload
 * account for the gas of its approvals. The simulator's governance
 * client (sim/world/upgrades.c) signs for them.
 *
 * The multisig module holds the guards' multisigs too when [jobs]
 * guard_above is set: the authority is then multisig 1 and the guards
 * come after it. A chain without an upgrade fault is built exactly as
 * before. */
#include "sim/world/chain.h"

#include <stdio.h>

#include "protocol/modules/multisig/multisig.h"
#include "protocol/modules/upgrade/upgrade.h"

void sim_chain_upgrade_accounts(sim_chain *c)
{
    if (!c->opt.upgrades)
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

void sim_chain_upgrade_genesis(sim_chain *c)
{
    if (!c->opt.upgrades)
        return;
    proto_multisig_genesis_account authority = {.threshold = SIM_CHAIN_GOVERNORS_THRESHOLD,
                                                .owners_count = SIM_CHAIN_GOVERNORS};
    for (uint32_t k = 0; k < SIM_CHAIN_GOVERNORS; k++)
        authority.owners[k] = c->first_governor_account + k;
    proto_multisig_genesis(c->genesis, 1, &authority);
    c->upgrade_authority = 1;
    proto_upgrade_genesis(c->genesis, c->upgrade_authority);
}
