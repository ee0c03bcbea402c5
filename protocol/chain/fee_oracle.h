/* Fee estimation from recent blocks, as an Ethereum node answers it.
 *
 * Two queries over the figures of the last blocks, oldest first:
 *
 *   fee history   like eth_feeHistory (go-ethereum eth/gasprice/
 *                 feehistory.go): each block's base fee plus the next
 *                 block's, each block's gas-used ratio, and per block the
 *                 requested percentiles of the effective tips, weighted by
 *                 gas used: the transactions sorted by tip (ties keep block
 *                 order), the answer for percentile p is the tip of the
 *                 first transaction at which the running sum of gas used
 *                 reaches gas_used(block) * p / 100. An empty block gives
 *                 zeros.
 *   tip oracle    like go-ethereum's gas-price oracle (eth/gasprice/
 *                 gasprice.go, SuggestTipCap): from the newest `blocks`
 *                 blocks take each one's `sample` lowest effective tips,
 *                 skipping tips under `ignore_price` and the proposer's own
 *                 transactions; a block that yields nothing counts as one
 *                 sample of the last answer; while a block yields at most
 *                 one sample, one more older block is read, up to
 *                 2 * blocks in all; the answer is the sorted samples'
 *                 element (count - 1) * percentile / 100, capped at
 *                 max_price.
 *
 * go-ethereum reads the blocks of the tip oracle concurrently; this reads
 * them newest first, one at a time, which is the order its test chain's
 * answers assume and makes the answer a function of the blocks.
 * Percentiles of the fee history are integers in hundredths of a percent
 * (2550 = 25.5%) so the thresholds are exact integers; for whole
 * percentiles they equal go-ethereum's float64 thresholds whenever
 * gas_used * percentile < 2^53. The gas-used ratio is one correctly
 * rounded float64 division, as there.
 *
 * Allocation: the tip oracle none (its samples live on the stack, bounded
 * by PROTO_FEE_ORACLE_SAMPLES_MAX); the fee history one scratch array of
 * the largest block's transaction count per call, freed before it returns. */
#ifndef AITBC_PROTOCOL_FEE_ORACLE_H
#define AITBC_PROTOCOL_FEE_ORACLE_H

#include <stdbool.h>
#include <stdint.h>

#include "protocol/chain/fee_market.h"

/* One included transaction, as the estimators see it. */
typedef struct proto_fee_tx_record {
    uint64_t gas_used;      /* from its receipt */
    uint64_t effective_tip; /* min(max_priority, max_fee - block base fee) */
    uint64_t tips;          /* gas_used * effective_tip: what the proposer got */
    bool from_proposer;     /* sent by the block's proposer (not sampled by the oracle) */
} proto_fee_tx_record;

/* One block, as the estimators see it. txs is borrowed for the call. */
typedef struct proto_fee_block_record {
    uint64_t base_fee;
    uint64_t gas_used;
    uint64_t gas_limit;
    const proto_fee_tx_record *txs; /* in block order; NULL if tx_count is 0 */
    uint32_t tx_count;
} proto_fee_block_record;

/* ---- fee history ---- */

#define PROTO_FEE_HISTORY_BLOCKS_MAX 1024     /* go-ethereum's MaxBlockHistory default */
#define PROTO_FEE_HISTORY_PERCENTILES_MAX 100 /* requested percentiles per query */
#define PROTO_FEE_PERCENTILE_SCALE 10000      /* 100% in hundredths of a percent */

typedef enum proto_fee_history_result {
    PROTO_FEE_HISTORY_OK = 0,
    PROTO_FEE_HISTORY_BAD_PERCENTILE,   /* above 100%, or smaller than the one before */
    PROTO_FEE_HISTORY_TOO_MANY_PERCENTILES,
    PROTO_FEE_HISTORY_TOO_MANY_BLOCKS,  /* more than PROTO_FEE_HISTORY_BLOCKS_MAX */
} proto_fee_history_result;

const char *proto_fee_history_result_name(proto_fee_history_result r);

/* The history of blocks[0..block_count), oldest first. Outputs, all
 * caller-sized: base_fee[block_count + 1] (the last entry is the next
 * block's, from proto_fee_next_base_fee), gas_used_ratio[block_count],
 * and, if percentile_count > 0, reward[block_count * percentile_count]
 * (row i holds block i's percentiles). On an error nothing is written.
 * A gas limit of 0 gives a ratio of 0 rather than a division by zero. */
proto_fee_history_result proto_fee_history(const proto_fee_params *p,
                                           const proto_fee_block_record *blocks,
                                           uint32_t block_count, const uint32_t *percentiles,
                                           uint32_t percentile_count, uint64_t *base_fee,
                                           double *gas_used_ratio, uint64_t *reward);

/* ---- tip oracle ---- */

#define PROTO_FEE_ORACLE_SAMPLES_MAX 2048 /* 2 * blocks * sample must fit */

/* Read-only settings. */
typedef struct proto_fee_oracle_params {
    uint32_t blocks;        /* blocks read (go-ethereum Blocks; 20 on a full node) */
    uint32_t percentile;    /* 0..100 (Percentile; 60) */
    uint32_t sample;        /* lowest tips taken per block (sampleNumber; 3) */
    uint64_t max_price;     /* cap on the answer (MaxPrice; 500 gwei) */
    uint64_t ignore_price;  /* tips below it are not sampled (IgnorePrice; 2 wei) */
} proto_fee_oracle_params;

/* go-ethereum's full-node defaults (eth/ethconfig FullNodeGPO), prices in
 * base units taken as wei. */
proto_fee_oracle_params proto_fee_oracle_params_geth(void);

/* The suggested tip over blocks[0..block_count) (oldest first, the newest
 * last; go-ethereum never reads the genesis block, so a caller that wants
 * its answers leaves genesis out). last_price is the previous answer (go-ethereum starts from its
 * Default, 1 gwei): it stands in for blocks with nothing to sample and is
 * the answer when there are no blocks. Asserts valid params: blocks >= 1,
 * sample >= 1, percentile <= 100, 2 * blocks * sample <=
 * PROTO_FEE_ORACLE_SAMPLES_MAX. */
uint64_t proto_fee_suggest_tip(const proto_fee_oracle_params *op,
                               const proto_fee_block_record *blocks, uint32_t block_count,
                               uint64_t last_price);

#endif
