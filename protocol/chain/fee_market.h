/* The EIP-1559 fee market: the base fee every header carries, the
 * header's gas-limit rule, and what a transaction's fee caps mean under a
 * base fee.
 *
 * Rules (EIP-1559; go-ethereum consensus/misc/eip1559/eip1559.go
 * CalcBaseFee and VerifyEIP1559Header, consensus/misc/gaslimit.go
 * VerifyGaslimit), all in exact integer arithmetic, "/" flooring:
 *
 *   target = parent gas limit / elasticity_multiplier
 *   used == target   next base fee = parent base fee
 *   used >  target   next = parent + max(1, parent * (used - target) / target / denominator)
 *   used <  target   next = parent - parent * (target - used) / target / denominator
 *   then             next = max(next, min_base_fee)   (min_base_fee 0: EIP-1559 as written)
 *
 *   gas limit valid  |limit - parent limit| < parent limit / bound_divisor
 *                    and limit >= min_gas_limit; gas used <= gas limit
 *
 * With the defaults (elasticity 2, denominator 8) a block at its target
 * leaves the base fee unchanged, a full block raises it by 12.5% and an
 * empty one lowers it by 12.5%.
 *
 * A transaction offers max_fee_per_gas (the most it pays per gas, base
 * fee included) and max_priority_fee_per_gas (the most of that it tips
 * the proposer). Under base fee B:
 *
 *   tip above cap    max_priority > max_fee: invalid, dropped
 *   fee overflow     gas_limit * max_fee does not fit u64: invalid
 *   waits            max_fee < B: valid but not includable now; it waits
 *                    for the base fee to fall (it is not dropped)
 *   otherwise        effective tip = min(max_priority, max_fee - B); the
 *                    proposer gets gas_used * tip, gas_used * B is burned.
 *
 * Intermediate products are 128-bit, so nothing here wraps. Pure
 * functions of their arguments; no allocation. */
#ifndef AITBC_PROTOCOL_FEE_MARKET_H
#define AITBC_PROTOCOL_FEE_MARKET_H

#include <stdbool.h>
#include <stdint.h>

/* Read-only chain parameters (the scenario's [fees] section). */
typedef struct proto_fee_params {
    uint64_t elasticity_multiplier;       /* gas target = gas limit / this; >= 1 */
    uint64_t base_fee_change_denominator; /* base fee moves at most 1/this per block; >= 1 */
    uint64_t initial_base_fee;            /* genesis base fee, base units per gas */
    uint64_t min_base_fee;                /* floor of every computed base fee; 0 = none */
    uint64_t gas_limit_bound_divisor;     /* a limit moves by less than parent/this; >= 1 */
    uint64_t min_gas_limit;               /* smallest valid block gas limit */
} proto_fee_params;

/* Ethereum's values: elasticity 2, denominator 8, initial base fee
 * 1,000,000,000, no floor, bound divisor 1024, minimum gas limit 5000
 * (go-ethereum params/protocol_params.go). */
proto_fee_params proto_fee_params_eip1559(void);

/* The gas a block aims at: gas_limit / elasticity_multiplier. */
uint64_t proto_fee_gas_target(const proto_fee_params *p, uint64_t gas_limit);

/* The base fee of the child of a block with these figures. A parent whose
 * target is 0 (a limit below the elasticity, never a valid header) keeps
 * its base fee; a result above UINT64_MAX saturates there. */
uint64_t proto_fee_next_base_fee(const proto_fee_params *p, uint64_t parent_gas_used,
                                 uint64_t parent_gas_limit, uint64_t parent_base_fee);

/* The fee figures of a header. */
typedef struct proto_fee_header {
    uint64_t gas_limit;
    uint64_t gas_used;
    uint64_t base_fee;
} proto_fee_header;

typedef enum proto_fee_header_check {
    PROTO_FEE_HEADER_OK = 0,
    PROTO_FEE_HEADER_GAS_LIMIT_JUMP,     /* moved by parent limit / bound divisor or more */
    PROTO_FEE_HEADER_GAS_LIMIT_LOW,      /* under min_gas_limit */
    PROTO_FEE_HEADER_GAS_USED_OVER_LIMIT,
    PROTO_FEE_HEADER_BAD_BASE_FEE,       /* not proto_fee_next_base_fee of the parent */
} proto_fee_header_check;

const char *proto_fee_header_check_name(proto_fee_header_check c);

/* go-ethereum VerifyGaslimit. At Ethereum's London fork the parent limit
 * is first multiplied by the elasticity; a chain that starts with
 * EIP-1559, like ours, never does that. */
proto_fee_header_check proto_fee_verify_gas_limit(const proto_fee_params *p,
                                                  uint64_t parent_gas_limit, uint64_t gas_limit);
/* The gas limit, then gas used <= limit, then the base fee, in that
 * order; the first failure is returned. */
proto_fee_header_check proto_fee_verify_header(const proto_fee_params *p,
                                               const proto_fee_header *parent,
                                               const proto_fee_header *header);

typedef enum proto_fee_tx_check {
    PROTO_FEE_TX_OK = 0,
    PROTO_FEE_TX_TIP_ABOVE_FEE_CAP,      /* invalid: max_priority > max_fee */
    PROTO_FEE_TX_FEE_OVERFLOW,           /* invalid: gas_limit * max_fee overflows u64 */
    PROTO_FEE_TX_FEE_CAP_BELOW_BASE_FEE, /* valid, waits: max_fee < base fee */
} proto_fee_tx_check;

const char *proto_fee_tx_check_name(proto_fee_tx_check c);
/* True for the checks that make a transaction invalid under any base fee
 * (as opposed to OK, or waiting for a lower one). */
bool proto_fee_tx_check_is_invalid(proto_fee_tx_check c);

/* The checks in the order of the enum; on OK *effective_tip (if non-NULL)
 * gets min(max_priority, max_fee - base_fee), else it is left alone. */
proto_fee_tx_check proto_fee_check_tx(uint64_t base_fee, uint64_t gas_limit, uint64_t max_fee,
                                      uint64_t max_priority_fee, uint64_t *effective_tip);

/* min(max_priority, max_fee - base_fee); requires max_fee >= base_fee
 * (asserted: call it after proto_fee_check_tx said OK). */
uint64_t proto_fee_effective_tip(uint64_t base_fee, uint64_t max_fee, uint64_t max_priority_fee);

/* What an included transaction pays: gas_used * base_fee burned and
 * gas_used * effective_tip to the proposer. Requires gas_used <= the
 * transaction's gas limit and a check that said OK, which bounds both
 * products by gas_limit * max_fee (asserted to fit). */
void proto_fee_split(uint64_t base_fee, uint64_t effective_tip, uint64_t gas_used,
                     uint64_t *burned, uint64_t *tips);

#endif
