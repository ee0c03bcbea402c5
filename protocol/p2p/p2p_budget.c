/* Token buckets (see p2p_budget.h). */
#include "protocol/p2p/p2p_budget.h"

#include <glib.h>

#define NS_PER_S 1000000000ULL

void p2p_bucket_init(p2p_bucket *b, uint64_t rate, int64_t now_ns)
{
    g_assert(rate >= 1 && rate <= P2P_BUDGET_RATE_MAX);
    b->level = rate * NS_PER_S;
    b->last_ns = now_ns;
}

bool p2p_bucket_take(p2p_bucket *b, uint64_t rate, uint64_t amount, int64_t now_ns)
{
    g_assert(rate >= 1 && rate <= P2P_BUDGET_RATE_MAX);
    uint64_t full = rate * NS_PER_S;
    if (now_ns > b->last_ns) {
        /* A second refills the whole bucket: clamp first, so the product
         * cannot overflow. */
        uint64_t elapsed = (uint64_t)(now_ns - b->last_ns);
        if (elapsed > NS_PER_S)
            elapsed = NS_PER_S;
        uint64_t room = full - b->level;
        uint64_t add = rate * elapsed;
        b->level += add < room ? add : room;
        b->last_ns = now_ns;
    }
    if (amount > rate)
        return false; /* more than a second's worth never fits */
    uint64_t need = amount * NS_PER_S;
    if (need > b->level)
        return false;
    b->level -= need;
    return true;
}
