/* Fee history and tip suggestion over recent blocks (fee_oracle.h). */
#include "protocol/chain/fee_oracle.h"

#include <glib.h>
#include <stdlib.h>

#include "protocol/chain/gas.h"

const char *proto_fee_history_result_name(proto_fee_history_result r)
{
    switch (r) {
    case PROTO_FEE_HISTORY_OK:
        return "ok";
    case PROTO_FEE_HISTORY_BAD_PERCENTILE:
        return "bad_percentile";
    case PROTO_FEE_HISTORY_TOO_MANY_PERCENTILES:
        return "too_many_percentiles";
    case PROTO_FEE_HISTORY_TOO_MANY_BLOCKS:
        return "too_many_blocks";
    }
    return "unknown";
}

/* ---- fee history ---- */

/* A transaction's place in the sort by tip: ties go by block order, which
 * is what go-ethereum's sort.Stable gives. */
typedef struct tip_entry {
    uint64_t tip;
    uint64_t gas_used;
    uint32_t index;
} tip_entry;

static int tip_entry_cmp(const void *a, const void *b)
{
    const tip_entry *x = a;
    const tip_entry *y = b;
    if (x->tip != y->tip)
        return x->tip < y->tip ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

static proto_fee_history_result check_request(uint32_t block_count, const uint32_t *percentiles,
                                              uint32_t percentile_count)
{
    if (block_count > PROTO_FEE_HISTORY_BLOCKS_MAX)
        return PROTO_FEE_HISTORY_TOO_MANY_BLOCKS;
    if (percentile_count > PROTO_FEE_HISTORY_PERCENTILES_MAX)
        return PROTO_FEE_HISTORY_TOO_MANY_PERCENTILES;
    for (uint32_t i = 0; i < percentile_count; i++) {
        if (percentiles[i] > PROTO_FEE_PERCENTILE_SCALE)
            return PROTO_FEE_HISTORY_BAD_PERCENTILE;
        if (i > 0 && percentiles[i] < percentiles[i - 1])
            return PROTO_FEE_HISTORY_BAD_PERCENTILE;
    }
    return PROTO_FEE_HISTORY_OK;
}

/* floor(gas_used * percentile / SCALE) without a wider type: with
 * gas_used = q * SCALE + r, it is q * percentile + floor(r * percentile /
 * SCALE), and q * percentile <= gas_used since percentile <= SCALE. */
static uint64_t gas_threshold(uint64_t gas_used, uint32_t percentile)
{
    g_assert(percentile <= PROTO_FEE_PERCENTILE_SCALE);
    uint64_t q = gas_used / PROTO_FEE_PERCENTILE_SCALE;
    uint64_t r = gas_used % PROTO_FEE_PERCENTILE_SCALE;
    return q * percentile + r * percentile / PROTO_FEE_PERCENTILE_SCALE;
}

/* One block's row of rewards (go-ethereum processBlock). */
static void block_rewards(const proto_fee_block_record *b, const uint32_t *percentiles,
                          uint32_t percentile_count, tip_entry *scratch, uint64_t *row)
{
    if (b->tx_count == 0) {
        for (uint32_t k = 0; k < percentile_count; k++)
            row[k] = 0;
        return;
    }
    for (uint32_t t = 0; t < b->tx_count; t++)
        scratch[t] = (tip_entry){.tip = b->txs[t].effective_tip,
                                 .gas_used = b->txs[t].gas_used, .index = t};
    qsort(scratch, b->tx_count, sizeof *scratch, tip_entry_cmp);
    uint32_t at = 0;
    uint64_t sum = scratch[0].gas_used;
    for (uint32_t k = 0; k < percentile_count; k++) {
        uint64_t threshold = gas_threshold(b->gas_used, percentiles[k]);
        while (sum < threshold && at + 1 < b->tx_count) {
            at++;
            sum = proto_gas_add_sat(sum, scratch[at].gas_used);
        }
        row[k] = scratch[at].tip;
    }
}

proto_fee_history_result proto_fee_history(const proto_fee_params *p,
                                           const proto_fee_block_record *blocks,
                                           uint32_t block_count, const uint32_t *percentiles,
                                           uint32_t percentile_count, uint64_t *base_fee,
                                           double *gas_used_ratio, uint64_t *reward)
{
    proto_fee_history_result r = check_request(block_count, percentiles, percentile_count);
    if (r != PROTO_FEE_HISTORY_OK || block_count == 0)
        return r;
    uint32_t txs_max = 0;
    for (uint32_t i = 0; i < block_count; i++) {
        const proto_fee_block_record *b = &blocks[i];
        g_assert(b->tx_count == 0 || b->txs != NULL);
        txs_max = MAX(txs_max, b->tx_count);
        base_fee[i] = b->base_fee;
        gas_used_ratio[i] = b->gas_limit == 0 ? 0.0 : (double)b->gas_used / (double)b->gas_limit;
    }
    const proto_fee_block_record *last = &blocks[block_count - 1];
    base_fee[block_count] =
        proto_fee_next_base_fee(p, last->gas_used, last->gas_limit, last->base_fee);
    if (percentile_count == 0)
        return PROTO_FEE_HISTORY_OK;
    tip_entry *scratch = txs_max > 0 ? g_new(tip_entry, txs_max) : NULL;
    for (uint32_t i = 0; i < block_count; i++)
        block_rewards(&blocks[i], percentiles, percentile_count, scratch,
                      reward + (size_t)i * percentile_count);
    g_free(scratch);
    return PROTO_FEE_HISTORY_OK;
}

/* ---- tip oracle ---- */

proto_fee_oracle_params proto_fee_oracle_params_geth(void)
{
    return (proto_fee_oracle_params){
        .blocks = 20,
        .percentile = 60,
        .sample = 3,
        .max_price = 500ull * 1000000000ull,
        .ignore_price = 2,
    };
}

/* The op->sample lowest eligible tips of one block, ascending, into out;
 * returns how many. The same as go-ethereum's sort of the block by tip
 * and walk from the cheapest, without sorting the block. */
static uint32_t block_samples(const proto_fee_oracle_params *op, const proto_fee_block_record *b,
                              uint64_t *out)
{
    uint32_t n = 0;
    for (uint32_t t = 0; t < b->tx_count; t++) {
        const proto_fee_tx_record *tx = &b->txs[t];
        if (tx->from_proposer || tx->effective_tip < op->ignore_price)
            continue;
        if (n == op->sample && tx->effective_tip >= out[n - 1])
            continue;
        uint32_t at = n < op->sample ? n++ : n - 1; /* a full buffer drops its largest */
        while (at > 0 && out[at - 1] > tx->effective_tip) {
            out[at] = out[at - 1];
            at--;
        }
        out[at] = tx->effective_tip;
    }
    return n;
}

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a;
    uint64_t y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

uint64_t proto_fee_suggest_tip(const proto_fee_oracle_params *op,
                               const proto_fee_block_record *blocks, uint32_t block_count,
                               uint64_t last_price)
{
    g_assert(op->blocks >= 1 && op->sample >= 1 && op->percentile <= 100);
    g_assert((uint64_t)op->blocks * op->sample * 2 <= PROTO_FEE_ORACLE_SAMPLES_MAX);
    uint64_t samples[PROTO_FEE_ORACLE_SAMPLES_MAX];
    uint32_t count = 0;
    /* Blocks are read newest first: `fetched` of them are asked for (the
     * newest), `done` of those read; a sparse block asks for one more. */
    uint32_t fetched = MIN(op->blocks, block_count);
    for (uint32_t done = 0; done < fetched;) {
        const proto_fee_block_record *b = &blocks[block_count - 1 - done];
        done++;
        uint32_t pending = fetched - done;
        uint64_t *values = samples + count;
        g_assert(count + op->sample <= PROTO_FEE_ORACLE_SAMPLES_MAX);
        uint32_t n = block_samples(op, b, values);
        if (n == 0) {
            values[0] = last_price;
            n = 1;
        }
        if (n == 1 && (uint64_t)count + 1 + pending < (uint64_t)op->blocks * 2 &&
            fetched < block_count)
            fetched++;
        count += n;
    }
    uint64_t price = last_price;
    if (count > 0) {
        qsort(samples, count, sizeof samples[0], u64_cmp);
        price = samples[(uint64_t)(count - 1) * op->percentile / 100];
    }
    return MIN(price, op->max_price);
}
