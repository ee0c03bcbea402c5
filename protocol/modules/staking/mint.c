/* Inflation and block provisions (mint.h), from x/mint's Minter. */
#include "protocol/modules/staking/mint.h"

const char *proto_mint_result_name(proto_mint_result r)
{
    switch (r) {
    case PROTO_MINT_OK:
        return "ok";
    case PROTO_MINT_OVERFLOW:
        return "overflow";
    case PROTO_MINT_BAD_PARAMS:
        return "bad_params";
    case PROTO_MINT_NEGATIVE:
        return "negative";
    }
    return "unknown";
}

proto_mint_params proto_mint_params_default(void)
{
    return (proto_mint_params){
        .inflation_rate_change = proto_dec_with_prec(13, 2),
        .inflation_max = proto_dec_with_prec(20, 2),
        .inflation_min = proto_dec_with_prec(7, 2),
        .goal_bonded = proto_dec_with_prec(67, 2),
        .blocks_per_year = PROTO_MINT_BLOCKS_PER_YEAR_DEFAULT,
    };
}

static bool rate_ok(proto_dec rate)
{
    return !proto_dec_is_negative(rate) && !proto_dec_gt(rate, proto_dec_one());
}

proto_mint_result proto_mint_params_check(const proto_mint_params *p)
{
    bool ok = rate_ok(p->inflation_rate_change) && rate_ok(p->inflation_max) &&
              rate_ok(p->inflation_min) && rate_ok(p->goal_bonded) &&
              proto_dec_is_positive(p->goal_bonded) &&
              !proto_dec_gt(p->inflation_min, p->inflation_max) && p->blocks_per_year > 0 &&
              p->blocks_per_year <= INT64_MAX;
    return ok ? PROTO_MINT_OK : PROTO_MINT_BAD_PARAMS;
}

proto_mint_result proto_mint_bonded_ratio(proto_amount bonded, proto_amount supply,
                                          proto_dec *ratio)
{
    if (bonded < 0)
        return PROTO_MINT_NEGATIVE;
    if (supply <= 0) {
        *ratio = proto_dec_zero();
        return PROTO_MINT_OK;
    }
    return proto_dec_quo_int(proto_dec_from_amount(bonded), supply, ratio) == PROTO_DEC_OK
               ? PROTO_MINT_OK
               : PROTO_MINT_OVERFLOW;
}

proto_mint_result proto_mint_next_inflation_rate(const proto_mint_params *p, proto_dec inflation,
                                                 proto_dec bonded_ratio, proto_dec *next)
{
    if (proto_mint_params_check(p) != PROTO_MINT_OK)
        return PROTO_MINT_BAD_PARAMS;
    if (proto_dec_is_negative(inflation) || proto_dec_is_negative(bonded_ratio))
        return PROTO_MINT_NEGATIVE;
    /* (1 - bondedRatio.Quo(GoalBonded)).Mul(InflationRateChange), then
     * .Quo(LegacyNewDec(BlocksPerYear)): the order Cosmos rounds in. */
    proto_dec ratio, gap, per_year, per_block, sum;
    if (proto_dec_quo(bonded_ratio, p->goal_bonded, &ratio) != PROTO_DEC_OK ||
        proto_dec_sub(proto_dec_one(), ratio, &gap) != PROTO_DEC_OK ||
        proto_dec_mul(gap, p->inflation_rate_change, &per_year) != PROTO_DEC_OK ||
        proto_dec_quo(per_year, proto_dec_from_int64((int64_t)p->blocks_per_year), &per_block) !=
            PROTO_DEC_OK ||
        proto_dec_add(inflation, per_block, &sum) != PROTO_DEC_OK)
        return PROTO_MINT_OVERFLOW;
    if (proto_dec_gt(sum, p->inflation_max))
        sum = p->inflation_max;
    if (proto_dec_lt(sum, p->inflation_min))
        sum = p->inflation_min;
    *next = sum;
    return PROTO_MINT_OK;
}

proto_mint_result proto_mint_next_annual_provisions(proto_dec inflation, proto_amount total_supply,
                                                    proto_dec *annual_provisions)
{
    if (proto_dec_is_negative(inflation) || total_supply < 0)
        return PROTO_MINT_NEGATIVE;
    return proto_dec_mul_int(inflation, total_supply, annual_provisions) == PROTO_DEC_OK
               ? PROTO_MINT_OK
               : PROTO_MINT_OVERFLOW;
}

proto_mint_result proto_mint_block_provision(const proto_mint_params *p,
                                             proto_dec annual_provisions, proto_amount *provision)
{
    if (p->blocks_per_year == 0 || p->blocks_per_year > INT64_MAX)
        return PROTO_MINT_BAD_PARAMS;
    if (proto_dec_is_negative(annual_provisions))
        return PROTO_MINT_NEGATIVE;
    proto_dec per_block;
    if (proto_dec_quo_int(annual_provisions, (proto_amount)p->blocks_per_year, &per_block) !=
            PROTO_DEC_OK ||
        proto_dec_truncate_int(per_block, provision) != PROTO_DEC_OK)
        return PROTO_MINT_OVERFLOW;
    return PROTO_MINT_OK;
}
