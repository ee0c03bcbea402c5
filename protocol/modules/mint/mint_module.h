/* The mint module: Cosmos x/mint as a chain module, id 4.
 *
 * State: the parameters (x/mint's, mint.h, plus year_ns, the simulated
 * time that counts as a year), the current annual inflation rate, the
 * annual provisions, and the previous block's time. The tokens minted so
 * far are the core's counter (proto_state_minted), which the state root
 * and the conservation check count.
 *
 * Begin block (x/mint's BeginBlocker): the bonded ratio is the staking
 * module's bonded pool over the tokens that exist (balances and module
 * tokens: the total supply + minted - burned); the inflation rate moves
 * toward the goal (NextInflationRate), the annual provisions are
 * inflation x supply (NextAnnualProvisions), and the block's provision
 * is minted (proto_state_mint) into the distribution module's fee
 * collector, which that module's end block allocates.
 *
 * Time, not blocks. Cosmos counts a year as blocks_per_year blocks and
 * moves the rate by a 1 / blocks_per_year share of the yearly change
 * each block. Blocks here come at the pace consensus makes them, so each
 * block takes the share of simulated time it covers: with dt = this
 * block's time - the previous block's (capped at one year; nothing for
 * dt <= 0),
 *   change    = per-year change x dt / year_ns   (MulInt, then Quo)
 *   provision = trunc(annual provisions x dt / year_ns)  (MulInt, QuoInt)
 * When year_ns = blocks_per_year x dt exactly this is Cosmos's
 * BlockProvision and NextInflationRate to the last digit: a x dt /
 * (b x dt) is the same rational as a / b, and Quo and QuoInt round the
 * exact quotient. So a scenario derives blocks_per_year = year_ns /
 * its block interval, and its nominal blocks mint exactly what Cosmos's
 * do. The first block, which has no previous time, counts as one
 * nominal block (dt / year_ns = 1 / blocks_per_year). A chain without
 * staking or distribution state mints nothing (nowhere to bond, nowhere
 * to pay).
 *
 * Undo: each change records the old state, a small fixed struct. Source:
 * cosmos/cosmos-sdk x/mint/abci.go and types/minter.go. */
#ifndef AITBC_PROTOCOL_MODULES_MINT_MODULE_H
#define AITBC_PROTOCOL_MODULES_MINT_MODULE_H

#include <stdint.h>

#include "protocol/chain/module.h"
#include "protocol/modules/staking/mint.h"

#define PROTO_MINT_MODULE_ID 4

extern const proto_module proto_mint_module;

typedef struct proto_mint_module_params {
    proto_mint_params mint; /* valid (proto_mint_params_check) */
    int64_t year_ns;        /* > 0: simulated nanoseconds that count as a year */
} proto_mint_module_params;

/* Attach the module (genesis; asserts valid parameters and an initial
 * inflation in [0, 1]). Annual provisions start at zero; the first begin
 * block computes them. */
void proto_mint_genesis(proto_state *s, const proto_mint_module_params *params,
                        proto_dec initial_inflation);

/* One block's step for `num / den` of a year (den > 0, num <= den is not
 * required): the next inflation rate, the annual provisions it gives on
 * `supply`, and the whole provision of the block. With (1,
 * blocks_per_year) it is exactly proto_mint_next_inflation_rate,
 * proto_mint_next_annual_provisions and proto_mint_block_provision.
 * Outputs written only on PROTO_MINT_OK. */
proto_mint_result proto_mint_block_step(const proto_mint_params *p, proto_dec inflation,
                                        proto_dec bonded_ratio, proto_amount supply, uint64_t num,
                                        uint64_t den, proto_dec *next_inflation,
                                        proto_dec *annual_provisions, proto_amount *provision);

/* ---- readers (zero when the module is absent) ---- */

proto_dec proto_mint_inflation(const proto_state *s);
proto_dec proto_mint_annual_provisions(const proto_state *s);
/* What the last begin block minted; all minted so far (the core's). */
uint64_t proto_mint_last_provision(const proto_state *s);
uint64_t proto_mint_minted_total(const proto_state *s);

#endif
