/* Inflation and block provisions, as Cosmos x/mint computes them.
 *
 * Each block the annual inflation rate moves toward the bonded-ratio goal:
 *   change per year  = (1 - bonded_ratio / goal_bonded) x inflation_rate_change
 *   change per block = change per year / blocks_per_year
 *   inflation'       = clamp(inflation + change per block, inflation_min, inflation_max)
 * so it rises while less than goal_bonded of the supply is bonded and
 * falls while more is. The annual provisions are inflation x total supply;
 * a block mints annual provisions / blocks_per_year, truncated to whole
 * base units. Every operation is the LegacyDec one Cosmos uses (Quo, Mul
 * and QuoInt round as dec.h says), so the rates match Cosmos's to 10^-18.
 *
 * Source: cosmos/cosmos-sdk x/mint/types/minter.go (NextInflationRate,
 * NextAnnualProvisions, BlockProvision) and params.go (DefaultParams);
 * the bonded ratio is x/staking/keeper/pool.go BondedRatio. blocks_per_year
 * is the scenario's: Cosmos assumes 5 s blocks (6,311,520 a year). */
#ifndef AITBC_PROTOCOL_MODULES_STAKING_MINT_H
#define AITBC_PROTOCOL_MODULES_STAKING_MINT_H

#include <stdint.h>

#include "protocol/modules/staking/dec.h"

/* Cosmos's default: 60 x 60 x 8766 / 5 (a 365.25-day year of 5 s blocks). */
#define PROTO_MINT_BLOCKS_PER_YEAR_DEFAULT 6311520u

/* x/mint's parameters. Valid (proto_mint_params_check): every rate in
 * [0, 1], inflation_min <= inflation_max, goal_bonded > 0 (Cosmos allows
 * zero and then panics dividing by it), blocks_per_year > 0. */
typedef struct proto_mint_params {
    proto_dec inflation_rate_change; /* maximum change of the rate per year */
    proto_dec inflation_max;         /* annual rate, upper bound */
    proto_dec inflation_min;         /* annual rate, lower bound */
    proto_dec goal_bonded;           /* bonded fraction of the supply aimed at */
    uint64_t blocks_per_year;
} proto_mint_params;

typedef enum proto_mint_result {
    PROTO_MINT_OK = 0,
    PROTO_MINT_OVERFLOW,   /* a value outside proto_dec's range */
    PROTO_MINT_BAD_PARAMS, /* parameters fail proto_mint_params_check */
    PROTO_MINT_NEGATIVE,   /* a negative supply, ratio or inflation */
} proto_mint_result;

const char *proto_mint_result_name(proto_mint_result r);

/* Cosmos's DefaultParams: change 0.13, max 0.20, min 0.07, goal 0.67,
 * 6,311,520 blocks a year. */
proto_mint_params proto_mint_params_default(void);
/* PROTO_MINT_OK, or BAD_PARAMS when the rules above fail. */
proto_mint_result proto_mint_params_check(const proto_mint_params *p);

/* The bonded fraction of the staking supply: bonded / supply, truncated
 * (LegacyNewDecFromInt(bonded).QuoInt(supply)); zero when supply <= 0. */
proto_mint_result proto_mint_bonded_ratio(proto_amount bonded, proto_amount supply,
                                          proto_dec *ratio);

/* The annual inflation rate for the next block from the current one and
 * the bonded ratio (NextInflationRate; formula above). */
proto_mint_result proto_mint_next_inflation_rate(const proto_mint_params *p, proto_dec inflation,
                                                 proto_dec bonded_ratio, proto_dec *next);

/* inflation x total_supply, exact (NextAnnualProvisions), in base units
 * per year, fractional. */
proto_mint_result proto_mint_next_annual_provisions(proto_dec inflation, proto_amount total_supply,
                                                    proto_dec *annual_provisions);

/* The whole base units one block mints: trunc(annual_provisions /
 * blocks_per_year), the division truncated too (BlockProvision). */
proto_mint_result proto_mint_block_provision(const proto_mint_params *p,
                                             proto_dec annual_provisions, proto_amount *provision);

#endif
