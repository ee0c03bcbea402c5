/* A validator's token/share exchange rate (shares.h), method by method
 * from x/staking's Validator. Every mutator computes into locals and
 * writes the validator only once nothing can fail any more. */
#include "protocol/modules/staking/shares.h"

#include <glib.h>

const char *proto_shares_result_name(proto_shares_result r)
{
    switch (r) {
    case PROTO_SHARES_OK:
        return "ok";
    case PROTO_SHARES_OVERFLOW:
        return "overflow";
    case PROTO_SHARES_NEGATIVE:
        return "negative";
    case PROTO_SHARES_NO_TOKENS:
        return "no_tokens";
    case PROTO_SHARES_NO_SHARES:
        return "no_shares";
    case PROTO_SHARES_INVALID_EX_RATE:
        return "invalid_ex_rate";
    case PROTO_SHARES_INSUFFICIENT:
        return "insufficient";
    }
    return "unknown";
}

/* Arithmetic failures become OVERFLOW: the divisions below are guarded,
 * so range is the only thing left that can go wrong. */
static proto_shares_result from_dec(proto_dec_result r)
{
    g_assert(r != PROTO_DEC_DIV_ZERO && r != PROTO_DEC_BAD_STRING);
    return r == PROTO_DEC_OK ? PROTO_SHARES_OK : PROTO_SHARES_OVERFLOW;
}

proto_shares_validator proto_shares_validator_empty(void)
{
    return (proto_shares_validator){.tokens = 0, .delegator_shares = proto_dec_zero()};
}

bool proto_shares_invalid_ex_rate(const proto_shares_validator *v)
{
    return v->tokens == 0 && proto_dec_is_positive(v->delegator_shares);
}

typedef proto_dec_result (*quo_fn)(proto_dec, proto_dec, proto_dec *);

/* (shares x tokens) / delegator_shares, the division by `quo`. */
static proto_shares_result tokens_from_shares(const proto_shares_validator *v, proto_dec shares,
                                              quo_fn quo, proto_dec *tokens)
{
    if (proto_dec_is_negative(shares))
        return PROTO_SHARES_NEGATIVE;
    if (proto_dec_is_zero(v->delegator_shares))
        return PROTO_SHARES_NO_SHARES;
    proto_dec product;
    proto_dec_result r = proto_dec_mul_int(shares, v->tokens, &product);
    if (r == PROTO_DEC_OK)
        r = quo(product, v->delegator_shares, tokens);
    return from_dec(r);
}

proto_shares_result proto_shares_tokens_from_shares(const proto_shares_validator *v,
                                                    proto_dec shares, proto_dec *tokens)
{
    return tokens_from_shares(v, shares, proto_dec_quo, tokens);
}

proto_shares_result proto_shares_tokens_from_shares_truncated(const proto_shares_validator *v,
                                                              proto_dec shares, proto_dec *tokens)
{
    return tokens_from_shares(v, shares, proto_dec_quo_truncate, tokens);
}

proto_shares_result proto_shares_tokens_from_shares_round_up(const proto_shares_validator *v,
                                                             proto_dec shares, proto_dec *tokens)
{
    return tokens_from_shares(v, shares, proto_dec_quo_round_up, tokens);
}

proto_shares_result proto_shares_from_tokens(const proto_shares_validator *v, proto_amount amount,
                                             proto_dec *shares)
{
    if (amount < 0)
        return PROTO_SHARES_NEGATIVE;
    if (v->tokens == 0)
        return PROTO_SHARES_NO_TOKENS;
    proto_dec product;
    proto_dec_result r = proto_dec_mul_int(v->delegator_shares, amount, &product);
    if (r == PROTO_DEC_OK)
        r = proto_dec_quo_int(product, v->tokens, shares);
    return from_dec(r);
}

proto_shares_result proto_shares_from_tokens_truncated(const proto_shares_validator *v,
                                                       proto_amount amount, proto_dec *shares)
{
    if (amount < 0)
        return PROTO_SHARES_NEGATIVE;
    if (v->tokens == 0)
        return PROTO_SHARES_NO_TOKENS;
    proto_dec product;
    proto_dec_result r = proto_dec_mul_int(v->delegator_shares, amount, &product);
    if (r == PROTO_DEC_OK)
        r = proto_dec_quo_truncate(product, proto_dec_from_amount(v->tokens), shares);
    return from_dec(r);
}

proto_shares_result proto_shares_add_tokens_from_del(proto_shares_validator *v, proto_amount amount,
                                                     proto_dec *issued)
{
    if (amount < 0)
        return PROTO_SHARES_NEGATIVE;
    if (proto_shares_invalid_ex_rate(v))
        return PROTO_SHARES_INVALID_EX_RATE;
    proto_dec shares;
    if (proto_dec_is_zero(v->delegator_shares)) {
        shares = proto_dec_from_amount(amount); /* the first delegation sets the rate to one */
    } else {
        proto_shares_result r = proto_shares_from_tokens(v, amount, &shares);
        if (r != PROTO_SHARES_OK)
            return r;
    }
    proto_dec total;
    if (amount > PROTO_AMOUNT_MAX - v->tokens)
        return PROTO_SHARES_OVERFLOW;
    if (proto_dec_add(v->delegator_shares, shares, &total) != PROTO_DEC_OK)
        return PROTO_SHARES_OVERFLOW;
    v->tokens += amount;
    v->delegator_shares = total;
    *issued = shares;
    return PROTO_SHARES_OK;
}

proto_shares_result proto_shares_remove_del_shares(proto_shares_validator *v, proto_dec shares,
                                                   proto_amount *tokens)
{
    if (proto_dec_is_negative(shares))
        return PROTO_SHARES_NEGATIVE;
    if (proto_dec_gt(shares, v->delegator_shares))
        return PROTO_SHARES_INSUFFICIENT;
    proto_dec remaining;
    proto_dec_result dr = proto_dec_sub(v->delegator_shares, shares, &remaining);
    g_assert(dr == PROTO_DEC_OK); /* 0 <= shares <= delegator_shares */
    (void)dr;
    proto_amount paid;
    if (proto_dec_is_zero(remaining)) {
        paid = v->tokens; /* the last share takes the trimmings */
    } else {
        proto_dec worth;
        proto_shares_result r = proto_shares_tokens_from_shares(v, shares, &worth);
        if (r != PROTO_SHARES_OK)
            return r;
        if (proto_dec_truncate_int(worth, &paid) != PROTO_DEC_OK || paid > v->tokens)
            return PROTO_SHARES_INSUFFICIENT;
    }
    v->tokens -= paid;
    v->delegator_shares = remaining;
    *tokens = paid;
    return PROTO_SHARES_OK;
}

proto_shares_result proto_shares_remove_tokens(proto_shares_validator *v, proto_amount amount)
{
    if (amount < 0)
        return PROTO_SHARES_NEGATIVE;
    if (amount > v->tokens)
        return PROTO_SHARES_INSUFFICIENT;
    v->tokens -= amount;
    return PROTO_SHARES_OK;
}

int64_t proto_shares_consensus_power(proto_amount tokens, proto_amount reduction)
{
    g_assert(reduction > 0);
    proto_amount power = tokens / reduction;
    g_assert(power <= INT64_MAX && power >= INT64_MIN); /* Cosmos panics too (Int64 out of bound) */
    return (int64_t)power;
}

proto_amount proto_shares_tokens_from_power(int64_t power, proto_amount reduction)
{
    g_assert(reduction > 0 && reduction <= INT64_MAX);
    return (proto_amount)power * reduction; /* |power x reduction| < 2^126 */
}
