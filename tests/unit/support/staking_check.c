/* Checks for the staking arithmetic tests (staking_check.h). */
#include "support/staking_check.h"

proto_dec test_dec(const char *text)
{
    proto_dec d = proto_dec_zero();
    proto_dec_result r = proto_dec_from_string(text, &d);
    ck_assert_msg(r == PROTO_DEC_OK, "parse %s: %s", text, proto_dec_result_name(r));
    return d;
}

uint64_t test_rng_next(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

proto_amount test_rng_amount(uint64_t *state, unsigned bits)
{
    ck_assert(bits >= 1 && bits <= 127);
    unsigned __int128 v = ((unsigned __int128)test_rng_next(state) << 64) | test_rng_next(state);
    v >>= 128 - bits;
    return (proto_amount)(v == 0 ? 1 : v);
}
