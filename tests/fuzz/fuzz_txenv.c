/* Fuzz harness for the v2 transaction envelope decoder
 * (proto_txenv_decode, protocol/chain/tx_envelope.h): the input is the
 * envelope's bytes, checked against chain 7, a block gas limit of
 * 30,000,000 and the default gas schedule (so every rule can refuse).
 *
 * Canonical: an accepted envelope encodes back to the input bytes.
 * Untouched: the header promises a refusal leaves the output as it was,
 * which is checked. The result is always one of the named reasons. */
#include "fuzz.h"

#include "protocol/chain/tx_envelope.h"

#define FUZZ_CHAIN_ID 7
#define FUZZ_BLOCK_GAS_LIMIT 30000000ull

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static proto_txenv env; /* 3 KiB: kept off the fuzzer's stack */
    proto_gas_schedule schedule = proto_gas_schedule_default();
    proto_txenv_limits limits = {.chain_id = FUZZ_CHAIN_ID,
                                 .block_gas_limit = FUZZ_BLOCK_GAS_LIMIT,
                                 .schedule = &schedule};
    memset(&env, FUZZ_FILL, sizeof env);
    proto_txenv_result r = proto_txenv_decode(data, size, &limits, &env);
    fuzz_check(r < PROTO_TXENV_RESULT_COUNT && r != PROTO_TXENV_BAD_SIGNATURE,
               "txenv: result out of range");
    if (r != PROTO_TXENV_OK) {
        fuzz_check_filled(&env, sizeof env, "txenv: output written on refusal");
        return 0;
    }
    proto_writer w;
    proto_writer_init(&w);
    proto_txenv_encode(&env, &w);
    fuzz_check_same(proto_writer_steal(&w), data, size, "txenv: not canonical");
    proto_writer_clear(&w);
    return 0;
}
