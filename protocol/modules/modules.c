/* Where modules are registered: one line each, in increasing id order
 * (checked when a state is made). Adding a module is its folder under
 * protocol/modules/ and one line here. */
#include "protocol/modules/modules.h"

#include "protocol/modules/bank/bank.h"
#include "protocol/modules/disputes/disputes.h"
#include "protocol/modules/distribution/distribution.h"
#include "protocol/modules/jobs/jobs.h"
#include "protocol/modules/mint/mint_module.h"
#include "protocol/modules/multisig/multisig.h"
#include "protocol/modules/registry/registry.h"
#include "protocol/modules/staking/staking.h"
#include "protocol/modules/upgrade/upgrade.h"
#include "protocol/modules/validator/validator.h"

static const proto_module *const chain_modules[] = {
    &proto_bank_module,      /* 1: transfers */
    &proto_validator_module, /* 2: the bonded set, unjail, key rotation, slashing */
    &proto_staking_module,   /* 3: delegation, unbonding, redelegation, the active set */
    &proto_mint_module,      /* 4: inflation and block provisions */
    &proto_distribution_module, /* 5: fees and provisions to validators and delegators (F1) */
    &proto_registry_module,  /* 6: the agent market's directory: bonds, liveness, feedback */
    &proto_jobs_module,      /* 7: escrowed jobs between agents */
    &proto_multisig_module,  /* 8: threshold accounts (Safe) */
    &proto_disputes_module,  /* 9: contested job results, settled in tiers */
    &proto_upgrade_module,   /* 10: versioned module upgrades with migration */
};

static const proto_module_set chain_module_set = {
    .modules = chain_modules,
    .count = G_N_ELEMENTS(chain_modules),
};

const proto_module_set *proto_modules_default(void)
{
    return &chain_module_set;
}
