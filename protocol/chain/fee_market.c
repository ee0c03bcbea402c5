/* EIP-1559 base fee, header gas-limit rule and transaction fee checks
 * (fee_market.h). The arithmetic follows go-ethereum's CalcBaseFee step
 * for step (multiply, divide by the target, divide by the denominator),
 * in 128 bits where go-ethereum uses big integers; floor(floor(x/t)/d)
 * equals floor(x/(t*d)), so the two divisions could be one, but keeping
 * them makes the correspondence obvious. */
#include "protocol/chain/fee_market.h"

#include <glib.h>

proto_fee_params proto_fee_params_eip1559(void)
{
    return (proto_fee_params){
        .elasticity_multiplier = 2,
        .base_fee_change_denominator = 8,
        .initial_base_fee = 1000000000,
        .min_base_fee = 0,
        .gas_limit_bound_divisor = 1024,
        .min_gas_limit = 5000,
    };
}

static void params_assert(const proto_fee_params *p)
{
    g_assert(p->elasticity_multiplier >= 1);
    g_assert(p->base_fee_change_denominator >= 1);
    g_assert(p->gas_limit_bound_divisor >= 1);
}

uint64_t proto_fee_gas_target(const proto_fee_params *p, uint64_t gas_limit)
{
    params_assert(p);
    return gas_limit / p->elasticity_multiplier;
}

static uint64_t saturate_u64(unsigned __int128 v)
{
    return v > UINT64_MAX ? UINT64_MAX : (uint64_t)v;
}

/* parent * gap / target / denominator, in 128 bits. */
static unsigned __int128 base_fee_delta(const proto_fee_params *p, uint64_t parent_base_fee,
                                        uint64_t gap, uint64_t target)
{
    unsigned __int128 num = (unsigned __int128)parent_base_fee * gap;
    num /= target;
    num /= p->base_fee_change_denominator;
    return num;
}

static uint64_t next_unfloored(const proto_fee_params *p, uint64_t used, uint64_t target,
                               uint64_t parent_base_fee)
{
    if (target == 0 || used == target)
        return parent_base_fee;
    if (used > target) {
        unsigned __int128 delta = base_fee_delta(p, parent_base_fee, used - target, target);
        if (delta < 1)
            delta = 1;
        return saturate_u64((unsigned __int128)parent_base_fee + delta);
    }
    /* The delta is at most parent_base_fee / denominator: no underflow. */
    unsigned __int128 delta = base_fee_delta(p, parent_base_fee, target - used, target);
    g_assert(delta <= parent_base_fee);
    return parent_base_fee - (uint64_t)delta;
}

uint64_t proto_fee_next_base_fee(const proto_fee_params *p, uint64_t parent_gas_used,
                                 uint64_t parent_gas_limit, uint64_t parent_base_fee)
{
    uint64_t target = proto_fee_gas_target(p, parent_gas_limit);
    uint64_t next = next_unfloored(p, parent_gas_used, target, parent_base_fee);
    return next < p->min_base_fee ? p->min_base_fee : next;
}

const char *proto_fee_header_check_name(proto_fee_header_check c)
{
    switch (c) {
    case PROTO_FEE_HEADER_OK:
        return "ok";
    case PROTO_FEE_HEADER_GAS_LIMIT_JUMP:
        return "gas_limit_jump";
    case PROTO_FEE_HEADER_GAS_LIMIT_LOW:
        return "gas_limit_low";
    case PROTO_FEE_HEADER_GAS_USED_OVER_LIMIT:
        return "gas_used_over_limit";
    case PROTO_FEE_HEADER_BAD_BASE_FEE:
        return "bad_base_fee";
    }
    return "unknown";
}

proto_fee_header_check proto_fee_verify_gas_limit(const proto_fee_params *p,
                                                  uint64_t parent_gas_limit, uint64_t gas_limit)
{
    params_assert(p);
    uint64_t diff = parent_gas_limit > gas_limit ? parent_gas_limit - gas_limit
                                                 : gas_limit - parent_gas_limit;
    if (diff >= parent_gas_limit / p->gas_limit_bound_divisor)
        return PROTO_FEE_HEADER_GAS_LIMIT_JUMP;
    if (gas_limit < p->min_gas_limit)
        return PROTO_FEE_HEADER_GAS_LIMIT_LOW;
    return PROTO_FEE_HEADER_OK;
}

proto_fee_header_check proto_fee_verify_header(const proto_fee_params *p,
                                               const proto_fee_header *parent,
                                               const proto_fee_header *header)
{
    proto_fee_header_check c = proto_fee_verify_gas_limit(p, parent->gas_limit, header->gas_limit);
    if (c != PROTO_FEE_HEADER_OK)
        return c;
    if (header->gas_used > header->gas_limit)
        return PROTO_FEE_HEADER_GAS_USED_OVER_LIMIT;
    uint64_t expected =
        proto_fee_next_base_fee(p, parent->gas_used, parent->gas_limit, parent->base_fee);
    if (header->base_fee != expected)
        return PROTO_FEE_HEADER_BAD_BASE_FEE;
    return PROTO_FEE_HEADER_OK;
}

const char *proto_fee_tx_check_name(proto_fee_tx_check c)
{
    switch (c) {
    case PROTO_FEE_TX_OK:
        return "ok";
    case PROTO_FEE_TX_TIP_ABOVE_FEE_CAP:
        return "tip_above_fee_cap";
    case PROTO_FEE_TX_FEE_OVERFLOW:
        return "fee_overflow";
    case PROTO_FEE_TX_FEE_CAP_BELOW_BASE_FEE:
        return "fee_cap_below_base_fee";
    }
    return "unknown";
}

bool proto_fee_tx_check_is_invalid(proto_fee_tx_check c)
{
    return c == PROTO_FEE_TX_TIP_ABOVE_FEE_CAP || c == PROTO_FEE_TX_FEE_OVERFLOW;
}

proto_fee_tx_check proto_fee_check_tx(uint64_t base_fee, uint64_t gas_limit, uint64_t max_fee,
                                      uint64_t max_priority_fee, uint64_t *effective_tip)
{
    if (max_priority_fee > max_fee)
        return PROTO_FEE_TX_TIP_ABOVE_FEE_CAP;
    if (max_fee != 0 && gas_limit > UINT64_MAX / max_fee)
        return PROTO_FEE_TX_FEE_OVERFLOW;
    if (max_fee < base_fee)
        return PROTO_FEE_TX_FEE_CAP_BELOW_BASE_FEE;
    if (effective_tip != NULL)
        *effective_tip = proto_fee_effective_tip(base_fee, max_fee, max_priority_fee);
    return PROTO_FEE_TX_OK;
}

uint64_t proto_fee_effective_tip(uint64_t base_fee, uint64_t max_fee, uint64_t max_priority_fee)
{
    g_assert(max_fee >= base_fee);
    uint64_t headroom = max_fee - base_fee;
    return max_priority_fee < headroom ? max_priority_fee : headroom;
}

void proto_fee_split(uint64_t base_fee, uint64_t effective_tip, uint64_t gas_used,
                     uint64_t *burned, uint64_t *tips)
{
    unsigned __int128 burn = (unsigned __int128)gas_used * base_fee;
    unsigned __int128 tip = (unsigned __int128)gas_used * effective_tip;
    g_assert(burn + tip <= UINT64_MAX);
    *burned = (uint64_t)burn;
    *tips = (uint64_t)tip;
}
