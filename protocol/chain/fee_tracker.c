/* A node's fee memory and the answers it gives (fee_tracker.h). */
#include "protocol/chain/fee_tracker.h"

#include <string.h>

const uint32_t PROTO_FEE_TRACKER_PERCENTILES[PROTO_FEE_TRACKER_PERCENTILE_COUNT] = {
    1000, 2500, 5000, 7500, 9000};

/* The oracle's parameters: go-ethereum's full node, with tips under 1
 * (zero) ignored instead of under 2 wei, since tips here are whole base
 * units per gas and 1 is a real tip. */
#define HISTORY_ORACLE_IGNORE_PRICE 1

typedef struct kept_block {
    uint64_t base_fee;
    uint64_t gas_used;
    uint64_t gas_limit;
    uint64_t reward[PROTO_FEE_TRACKER_PERCENTILE_COUNT];
    uint64_t samples[PROTO_FEE_TRACKER_SAMPLES]; /* ascending */
    uint32_t sample_count;
} kept_block;

struct proto_fee_tracker {
    const proto_fee_params *params;
    proto_fee_oracle_params oracle;
    uint64_t last_tip;   /* the oracle's previous answer */
    bool tip_fresh;      /* last_tip is the answer for the blocks kept now */
    kept_block ring[PROTO_FEE_TRACKER_KEEP];
    uint32_t newest;     /* index of the newest block when count > 0 */
    uint32_t count;
};

G_STATIC_ASSERT(PROTO_FEE_TRACKER_KEEP >= 2 * 20); /* the oracle may read 2 x blocks */

proto_fee_tracker *proto_fee_tracker_new(const proto_fee_params *params, uint64_t tip_default)
{
    proto_fee_tracker *h = g_new0(proto_fee_tracker, 1);
    h->params = params;
    h->oracle = proto_fee_oracle_params_geth();
    h->oracle.ignore_price = HISTORY_ORACLE_IGNORE_PRICE;
    h->oracle.max_price = UINT64_MAX;
    g_assert(h->oracle.sample <= PROTO_FEE_TRACKER_SAMPLES &&
             2 * h->oracle.blocks <= PROTO_FEE_TRACKER_KEEP);
    h->last_tip = tip_default;
    return h;
}

void proto_fee_tracker_free(proto_fee_tracker *h)
{
    g_free(h);
}

uint32_t proto_fee_tracker_count(const proto_fee_tracker *h)
{
    return h->count;
}

/* Insert tip into the ascending samples, keeping the lowest ones. */
static void keep_sample(kept_block *k, uint64_t tip)
{
    uint32_t n = k->sample_count;
    if (n == PROTO_FEE_TRACKER_SAMPLES && tip >= k->samples[n - 1])
        return;
    uint32_t at = n < PROTO_FEE_TRACKER_SAMPLES ? n : n - 1;
    while (at > 0 && k->samples[at - 1] > tip) {
        k->samples[at] = k->samples[at - 1];
        at--;
    }
    k->samples[at] = tip;
    if (n < PROTO_FEE_TRACKER_SAMPLES)
        k->sample_count++;
}

void proto_fee_tracker_push(proto_fee_tracker *h, uint64_t base_fee, uint64_t gas_used,
                            uint64_t gas_limit, const GArray *receipts)
{
    h->newest = h->count == 0 ? 0 : (h->newest + 1) % PROTO_FEE_TRACKER_KEEP;
    if (h->count < PROTO_FEE_TRACKER_KEEP)
        h->count++;
    h->tip_fresh = false;
    kept_block *k = &h->ring[h->newest];
    *k = (kept_block){.base_fee = base_fee, .gas_used = gas_used, .gas_limit = gas_limit};
    uint32_t txs = receipts != NULL ? receipts->len : 0;
    const proto_fee_tx_record *recs =
        txs > 0 ? (const proto_fee_tx_record *)receipts->data : NULL;
    for (uint32_t i = 0; i < txs; i++) {
        if (!recs[i].from_proposer && recs[i].effective_tip >= h->oracle.ignore_price)
            keep_sample(k, recs[i].effective_tip);
    }
    /* The block's reward percentiles from every receipt (fee_oracle.h). */
    proto_fee_block_record block = {.base_fee = base_fee, .gas_used = gas_used,
                                    .gas_limit = gas_limit, .txs = recs, .tx_count = txs};
    uint64_t base_fees[2];
    double ratio;
    proto_fee_history_result r =
        proto_fee_history(h->params, &block, 1, PROTO_FEE_TRACKER_PERCENTILES,
                          PROTO_FEE_TRACKER_PERCENTILE_COUNT, base_fees, &ratio, k->reward);
    g_assert(r == PROTO_FEE_HISTORY_OK); /* our own constant percentiles */
}

void proto_fee_tracker_pop(proto_fee_tracker *h)
{
    if (h->count == 0)
        return;
    h->tip_fresh = false;
    h->count--;
    h->newest = (h->newest + PROTO_FEE_TRACKER_KEEP - 1) % PROTO_FEE_TRACKER_KEEP;
}

/* The i-th oldest of the newest n kept blocks (i < n <= count). */
static const kept_block *kept_at(const proto_fee_tracker *h, uint32_t n, uint32_t i)
{
    g_assert(i < n && n <= h->count);
    uint32_t back = n - 1 - i;
    return &h->ring[(h->newest + PROTO_FEE_TRACKER_KEEP - back) % PROTO_FEE_TRACKER_KEEP];
}

/* The oracle answers once per change of the kept blocks, as go-ethereum
 * caches its answer per head block: a quote between two blocks costs
 * nothing. */
proto_fee_quote proto_fee_tracker_quote(proto_fee_tracker *h, uint64_t next_base_fee)
{
    if (h->tip_fresh)
        return (proto_fee_quote){.base_fee = next_base_fee, .tip = h->last_tip};
    uint32_t n = MIN(h->count, 2 * h->oracle.blocks);
    proto_fee_block_record blocks[PROTO_FEE_TRACKER_KEEP];
    proto_fee_tx_record txs[PROTO_FEE_TRACKER_KEEP][PROTO_FEE_TRACKER_SAMPLES];
    for (uint32_t i = 0; i < n; i++) {
        const kept_block *k = kept_at(h, n, i);
        for (uint32_t j = 0; j < k->sample_count; j++)
            txs[i][j] = (proto_fee_tx_record){.gas_used = 1, .effective_tip = k->samples[j]};
        blocks[i] = (proto_fee_block_record){.base_fee = k->base_fee,
                                             .gas_used = k->gas_used,
                                             .gas_limit = k->gas_limit,
                                             .txs = k->sample_count > 0 ? txs[i] : NULL,
                                             .tx_count = k->sample_count};
    }
    h->last_tip = proto_fee_suggest_tip(&h->oracle, blocks, n, h->last_tip);
    h->tip_fresh = true;
    return (proto_fee_quote){.base_fee = next_base_fee, .tip = h->last_tip};
}

uint32_t proto_fee_tracker_query(const proto_fee_tracker *h, uint32_t blocks,
                                 uint64_t next_base_fee, uint64_t *base_fee,
                                 double *gas_used_ratio, uint64_t *reward)
{
    uint32_t n = MIN(blocks, h->count);
    for (uint32_t i = 0; i < n; i++) {
        const kept_block *k = kept_at(h, n, i);
        base_fee[i] = k->base_fee;
        gas_used_ratio[i] = k->gas_limit > 0 ? (double)k->gas_used / (double)k->gas_limit : 0.0;
        memcpy(&reward[(size_t)i * PROTO_FEE_TRACKER_PERCENTILE_COUNT], k->reward,
               sizeof k->reward);
    }
    base_fee[n] = next_base_fee;
    return n;
}
