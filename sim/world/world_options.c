/* What the world takes from the scenario, and the only place besides
 * world.c's own assembly that reads it: the check that this build can
 * simulate a scenario, and its translation, once, into the options each
 * component of the world works from (world options for the shape and the
 * fault schedule, chain options for the keys, genesis and consensus
 * parameters, which a testbed node builds from too, and options of their
 * own for the workload, the mesh wiring, the accountability checker, the
 * liveness checker and the stake concentration observer). A
 * component never sees the scenario, so what it depends on is spelled
 * out in its options struct. */
#include "sim/world/agents.h"
#include "sim/world/world_internal.h"

/* Key rotation is a transaction on a bonded validator set: PBFT has one,
 * PoA's fixed authority list does not. */
static bool check_rotate_key(const sim_scenario *sc, const sim_fault *f, GError **error)
{
    if (sc->protocol == SIM_CONSENSUS_POA) {
        g_set_error(error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_VALUE,
                    "%s:%d: action: rotate-key needs protocol = pbft (PoA validators have "
                    "fixed keys)", sc->path, f->line);
        return false;
    }
    return true;
}

bool sim_world_check(const sim_scenario *sc, GError **error)
{
    /* The market's record comes from the chain's module events, which
     * PBFT nodes report as they commit (PoA reports none yet). */
    if (sc->agents_opt.declared && sc->protocol != SIM_CONSENSUS_PBFT) {
        g_set_error(error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_VALUE,
                    "%s: [agents]: the agent market runs on protocol = pbft only (PoA "
                    "nodes do not report the chain's market events yet)",
                    sc->path);
        return false;
    }
    for (guint i = 0; i < sc->faults->len; i++) {
        const sim_fault *f = sc->faults->pdata[i];
        if (f->action == SIM_FAULT_CRASH || f->action == SIM_FAULT_PARTITION ||
            f->action == SIM_FAULT_DEGRADE || f->action == SIM_FAULT_BYZANTINE ||
            f->action == SIM_FAULT_CHURN || f->action == SIM_FAULT_UNBOND ||
            f->action == SIM_FAULT_UPGRADE)
            continue;
        if (f->action == SIM_FAULT_ROTATE_KEY && !check_rotate_key(sc, f, error))
            return false;
        if (f->action == SIM_FAULT_ROTATE_KEY)
            continue;
        g_set_error(error, SIM_SCENARIO_ERROR, SIM_SCENARIO_ERROR_VALUE,
                    "%s:%d: action: '%s' faults are not simulated by this build yet "
                    "(supported: crash, partition, degrade, byzantine, churn, rotate-key, unbond, "
                    "upgrade)",
                    sc->path, f->line, sim_fault_action_name(f->action));
        return false;
    }
    return true;
}

/* An upgrade fault: the chain needs its upgrade authority. */
static bool has_upgrade(const sim_scenario *sc)
{
    for (guint i = 0; i < sc->faults->len; i++)
        if (((const sim_fault *)sc->faults->pdata[i])->action == SIM_FAULT_UPGRADE)
            return true;
    return false;
}

sim_workload_options sim_workload_options_from(const sim_scenario *sc)
{
    return (sim_workload_options){.seed = sc->seed,
                                  .accounts = sc->accounts,
                                  .tx_rate_per_s = sc->tx_rate_per_s,
                                  .start_ns = sc->workload_start_ns,
                                  .stop_ns = sc->workload_stop_ns,
                                  .end_ns = sc->duration_ns,
                                  .fee_strategies = sc->fee_strategies,
                                  .client_max_fee = sc->client_max_fee > 0
                                                        ? sc->client_max_fee
                                                        : 20 * sc->fees.initial_base_fee,
                                  .burst_rate_per_s = sc->burst_rate_per_s,
                                  .burst_at_ns = sc->burst_at_ns,
                                  .burst_until_ns = sc->burst_until_ns};
}

sim_world_options sim_world_options_from(const sim_scenario *sc)
{
    return (sim_world_options){.seed = sc->seed,
                               .protocol = sc->protocol,
                               .topology = sc->topology,
                               .validators = sc->validators,
                               .full_nodes = sc->full_nodes,
                               .agents = sc->agents,
                               .first_twin = sc->validators + sc->full_nodes + sc->agents,
                               .duration_ns = sc->duration_ns,
                               .block_interval_ns = sc->block_interval_ns,
                               .events_max = sc->events_max,
                               .faults = sc->faults,
                               .twins = sc->twins};
}

/* SIM_SPAM_ACCOUNTS for every node a spam behaviour names. */
static uint32_t spam_accounts(const sim_scenario *sc)
{
    uint32_t count = 0;
    for (guint i = 0; i < sc->faults->len; i++) {
        const sim_fault *f = sc->faults->pdata[i];
        if (f->action == SIM_FAULT_BYZANTINE && g_strcmp0(f->behavior, "spam") == 0)
            count += f->nodes->len * SIM_SPAM_ACCOUNTS;
    }
    return count;
}

/* [disputes] with the market it settles; NULL: no disputes module. */
static const sim_disputes_options *disputes_of(const sim_scenario *sc)
{
    return sc->agents_opt.declared && sc->disputes_opt.declared ? &sc->disputes_opt : NULL;
}

sim_chain_options sim_chain_options_from(const sim_scenario *sc)
{
    return (sim_chain_options){.seed = sc->seed,
                               .protocol = sc->protocol,
                               .validators = sc->validators,
                               .full_nodes = sc->full_nodes,
                               .stakes = sc->stakes,
                               .rotation = sc->rotation,
                               .slashing = sc->slashing,
                               .accounts = sc->accounts,
                               .spam_accounts = spam_accounts(sc),
                               .block_gas_limit = sc->block_gas_limit,
                               .fees = sc->fees,
                               .crypto_fast = sc->crypto_fast,
                               .block_interval_ns = sc->block_interval_ns,
                               .max_block_txs = sc->max_block_txs,
                               .view_timeout_ns = sc->view_timeout_ns,
                               .checkpoint_interval = sc->checkpoint_interval,
                               .test_break_quorum = sc->test_break_quorum,
                               .staking = sc->staking && sc->protocol == SIM_CONSENSUS_PBFT
                                              ? &sc->staking_opt
                                              : NULL,
                               .agents = sc->agents_opt.declared ? &sc->agents_opt : NULL,
                               .jobs = sc->agents_opt.declared ? &sc->jobs_opt : NULL,
                               .agent_identities = sim_agents_identities(&sc->agents_opt,
                                                                         disputes_of(sc),
                                                                         sc->faults),
                               .disputes = disputes_of(sc),
                               .upgrades = has_upgrade(sc),
                               .treasury = sc->agents_opt.declared &&
                                           sc->jobs_opt.fee_to == SIM_FEE_TO_TREASURY};
}

sim_mesh_options sim_mesh_options_from(const sim_scenario *sc)
{
    return (sim_mesh_options){.degree = sc->degree, .bootstrap = sc->bootstrap};
}

/* Validators the scenario makes sign conflicting votes: a Byzantine fault
 * with behavior equivocate or double-sign names them, or they have a twin. */
static bool *equivocators(const sim_scenario *sc)
{
    bool *equivocator = g_new0(bool, MAX(sc->validators, 1));
    for (guint i = 0; i < sc->faults->len; i++) {
        const sim_fault *f = sc->faults->pdata[i];
        if (f->action != SIM_FAULT_BYZANTINE ||
            (!g_str_equal(f->behavior, "equivocate") && !g_str_equal(f->behavior, "double-sign")))
            continue;
        for (guint j = 0; j < f->nodes->len; j++) {
            uint32_t node = g_array_index(f->nodes, uint32_t, j);
            if (node < sc->validators)
                equivocator[node] = true;
        }
    }
    for (guint i = 0; i < sc->twins->len; i++)
        equivocator[g_array_index(sc->twins, uint32_t, i)] = true;
    return equivocator;
}

sim_acct_options sim_acct_options_from(const sim_scenario *sc, uint32_t nodes_count)
{
    return (sim_acct_options){.enabled = sc->protocol == SIM_CONSENSUS_PBFT,
                              .validators = sc->validators,
                              .nodes_count = nodes_count,
                              .params = sc->slashing,
                              .equivocator = equivocators(sc)};
}

/* The end of the last fault window (a fault without one: its start). */
static int64_t last_heal_ns(const sim_scenario *sc)
{
    int64_t heal = 0;
    for (guint i = 0; i < sc->faults->len; i++) {
        const sim_fault *f = sc->faults->pdata[i];
        int64_t end = f->until_ns >= 0 ? f->until_ns : f->at_ns;
        if (end > heal)
            heal = end;
    }
    return heal;
}

sim_liveness_options sim_liveness_options_from(const sim_scenario *sc, const pbft_params *pbft)
{
    return (sim_liveness_options){.pbft = sc->protocol == SIM_CONSENSUS_PBFT,
                                  .validators = sc->validators,
                                  .heal_ns = last_heal_ns(sc),
                                  .block_interval_ns = sc->block_interval_ns,
                                  .view_timeout_ns = pbft->view_timeout_ns,
                                  .view_timeout_max_ns = pbft->view_timeout_max_ns};
}

sim_conc_options sim_conc_options_from(const sim_scenario *sc)
{
    g_assert(sc->owner_of->len == sc->validators);
    return (sim_conc_options){.enabled = sc->protocol == SIM_CONSENSUS_PBFT,
                              .alarm = sc->staking,
                              .validators = sc->validators,
                              .owner_of = (const uint32_t *)(const void *)sc->owner_of->data,
                              .owner_names = (const char *const *)sc->owner_names->pdata,
                              .owners_count = sc->owner_names->len};
}
