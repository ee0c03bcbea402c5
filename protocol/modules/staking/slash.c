/* Slashing arithmetic (slash.h), step by step from x/staking's
 * Keeper.Slash. */
#include "protocol/modules/staking/slash.h"

const char *proto_slash_result_name(proto_slash_result r)
{
    switch (r) {
    case PROTO_SLASH_OK:
        return "ok";
    case PROTO_SLASH_OVERFLOW:
        return "overflow";
    case PROTO_SLASH_BAD_FRACTION:
        return "bad_fraction";
    case PROTO_SLASH_NEGATIVE:
        return "negative";
    }
    return "unknown";
}

static bool fraction_ok(proto_dec fraction)
{
    return !proto_dec_is_negative(fraction) && !proto_dec_gt(fraction, proto_dec_one());
}

proto_slash_result proto_slash_amount(proto_amount amount, proto_dec fraction,
                                      proto_amount *slash_amount)
{
    if (!fraction_ok(fraction))
        return PROTO_SLASH_BAD_FRACTION;
    if (amount < 0)
        return PROTO_SLASH_NEGATIVE;
    proto_dec product;
    if (proto_dec_mul(proto_dec_from_amount(amount), fraction, &product) != PROTO_DEC_OK ||
        proto_dec_truncate_int(product, slash_amount) != PROTO_DEC_OK)
        return PROTO_SLASH_OVERFLOW;
    return PROTO_SLASH_OK;
}

bool proto_slash_entry_liable(int64_t creation_height, int64_t completion_ns,
                              int64_t infraction_height, int64_t now_ns)
{
    return creation_height >= infraction_height && completion_ns > now_ns;
}

/* trunc(fraction x initial_balance), the product exact (MulInt). */
static proto_slash_result entry_owed(proto_amount initial_balance, proto_dec fraction,
                                     proto_amount *owed)
{
    if (!fraction_ok(fraction))
        return PROTO_SLASH_BAD_FRACTION;
    if (initial_balance < 0)
        return PROTO_SLASH_NEGATIVE;
    proto_dec product;
    if (proto_dec_mul_int(fraction, initial_balance, &product) != PROTO_DEC_OK ||
        proto_dec_truncate_int(product, owed) != PROTO_DEC_OK)
        return PROTO_SLASH_OVERFLOW;
    return PROTO_SLASH_OK;
}

proto_slash_result proto_slash_unbonding_entry(proto_amount initial_balance, proto_amount balance,
                                               proto_dec fraction, proto_amount *owed,
                                               proto_amount *burned)
{
    if (balance < 0)
        return PROTO_SLASH_NEGATIVE;
    proto_amount due;
    proto_slash_result r = entry_owed(initial_balance, fraction, &due);
    if (r != PROTO_SLASH_OK)
        return r;
    *owed = due;
    *burned = due < balance ? due : balance;
    return PROTO_SLASH_OK;
}

proto_slash_result proto_slash_redelegation_entry(proto_amount initial_balance,
                                                  proto_dec shares_dst, proto_dec delegation_shares,
                                                  proto_dec fraction, proto_amount *owed,
                                                  proto_dec *shares_to_unbond)
{
    if (proto_dec_is_negative(shares_dst) || proto_dec_is_negative(delegation_shares))
        return PROTO_SLASH_NEGATIVE;
    proto_amount due;
    proto_slash_result r = entry_owed(initial_balance, fraction, &due);
    if (r != PROTO_SLASH_OK)
        return r;
    proto_dec shares;
    if (proto_dec_mul(fraction, shares_dst, &shares) != PROTO_DEC_OK)
        return PROTO_SLASH_OVERFLOW;
    *owed = due;
    *shares_to_unbond = proto_dec_min(shares, delegation_shares);
    return PROTO_SLASH_OK;
}

proto_slash_result proto_slash_validator_burn(proto_amount remaining, proto_amount tokens,
                                              proto_amount *burned, proto_dec *effective_fraction)
{
    if (tokens < 0)
        return PROTO_SLASH_NEGATIVE;
    proto_amount burn = remaining < tokens ? remaining : tokens;
    if (burn < 0)
        burn = 0; /* the entries owed more than the slash: nothing left */
    proto_dec fraction = proto_dec_zero();
    if (burn > 0) {
        /* tokens >= burn > 0, so the quotient is in (0, 1] before the cap. */
        if (proto_dec_quo_round_up(proto_dec_from_amount(burn), proto_dec_from_amount(tokens),
                                   &fraction) != PROTO_DEC_OK)
            return PROTO_SLASH_OVERFLOW;
        fraction = proto_dec_min(fraction, proto_dec_one());
    }
    *burned = burn;
    *effective_fraction = fraction;
    return PROTO_SLASH_OK;
}
