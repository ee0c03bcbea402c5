/* Measures what one signature and one verification cost on this machine,
 * in the crypto mode of the run, so the summary can state the run's crypto
 * floor (signatures made x sign cost + distinct verifications x verify
 * cost) and how close the wall time came to it. Distinct messages keep the
 * verification memo out of the measurement. */
#include <glib.h>

#include "tools/cli/cli.h"

#define COST_SAMPLES 256

void cli_crypto_costs(proto_crypto_mode mode, double *sign_ns, double *verify_ns)
{
    proto_crypto *c = proto_crypto_new(mode, 4 * COST_SAMPLES);
    proto_keypair kp;
    proto_keypair_derive(&kp, 1, "cost-probe");
    proto_sig *sigs = g_new(proto_sig, COST_SAMPLES);
    uint64_t msgs[COST_SAMPLES];
    for (int i = 0; i < COST_SAMPLES; i++)
        msgs[i] = 0x5eedULL * (uint64_t)(i + 1);
    int64_t t0 = g_get_monotonic_time();
    for (int i = 0; i < COST_SAMPLES; i++)
        proto_sign(c, &sigs[i], &msgs[i], sizeof msgs[i], &kp);
    int64_t t1 = g_get_monotonic_time();
    int valid = 0;
    for (int i = 0; i < COST_SAMPLES; i++)
        valid += proto_verify(c, &sigs[i], &msgs[i], sizeof msgs[i], &kp.pk);
    int64_t t2 = g_get_monotonic_time();
    g_assert(valid == COST_SAMPLES);
    *sign_ns = (double)(t1 - t0) * 1000.0 / COST_SAMPLES;
    *verify_ns = (double)(t2 - t1) * 1000.0 / COST_SAMPLES;
    g_free(sigs);
    proto_crypto_free(c);
}
