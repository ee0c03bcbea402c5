/* Token buckets for per-peer rate limits, in integer arithmetic.
 *
 * A bucket refills at `rate` tokens per second up to one second's worth
 * (the burst) and starts full. Levels are kept in token-nanoseconds
 * (tokens x 10^9), so refilling for `elapsed` ns adds rate x elapsed
 * exactly, with no rounding drift; rates up to 10^9 per second fit. */
#ifndef AITBC_PROTOCOL_P2P_BUDGET_H
#define AITBC_PROTOCOL_P2P_BUDGET_H

#include <stdbool.h>
#include <stdint.h>

#define P2P_BUDGET_RATE_MAX 1000000000ULL

typedef struct p2p_bucket {
    uint64_t level;  /* token-nanoseconds, <= rate x 10^9 */
    int64_t last_ns; /* time of the last refill */
} p2p_bucket;

void p2p_bucket_init(p2p_bucket *b, uint64_t rate, int64_t now_ns);
/* Take `amount` tokens if the bucket holds them (after refilling to now);
 * false, leaving the bucket as it was, if not. */
bool p2p_bucket_take(p2p_bucket *b, uint64_t rate, uint64_t amount, int64_t now_ns);

#endif
