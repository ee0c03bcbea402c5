/* A node's memory of its newest blocks' fees, and the answers it gives
 * clients from it: the next base fee, a suggested tip (go-ethereum's
 * gas-price oracle) and a fee history (eth_feeHistory), both computed by
 * fee_oracle.h over what is kept here.
 *
 * The node pushes each block as it joins its chain (PBFT: at commit; PoA:
 * when its head advances, popping on a reorg): the header's base fee,
 * gas used and gas limit, and the block's receipts (exec.h). Of a block
 * it keeps only what the answers read, so memory is bounded and
 * allocated once however full blocks are: its figures, its reward
 * percentiles at PROTO_FEE_TRACKER_PERCENTILES (computed from every
 * receipt when pushed, as eth_feeHistory would), and its
 * PROTO_FEE_TRACKER_SAMPLES lowest tips the oracle may sample (not the
 * proposer's own, not under the oracle's ignore price), which is all the
 * oracle reads of a block. At most PROTO_FEE_TRACKER_KEEP blocks (a
 * ring, the oldest dropped).
 *
 * The tip oracle runs with go-ethereum's full-node parameters scaled to
 * this chain: the last 20 blocks, 3 cheapest tips each, 60th percentile,
 * ignore tips under 1, no cap beyond max_price; its previous answer
 * stands in for blocks with nothing to sample, starting from
 * `tip_default`. Pure functions of what was pushed: sans-IO, no clock. */
#ifndef AITBC_PROTOCOL_FEE_TRACKER_H
#define AITBC_PROTOCOL_FEE_TRACKER_H

#include <glib.h>
#include <stdint.h>

#include "protocol/chain/fee_market.h"
#include "protocol/chain/fee_oracle.h"
#include "protocol/core/node.h"

#define PROTO_FEE_TRACKER_KEEP 64
#define PROTO_FEE_TRACKER_SAMPLES 8 /* >= the oracle's sample (3) */
/* The reward percentiles a node answers, in hundredths of a percent
 * (fee_oracle.h): 10, 25, 50, 75, 90. */
#define PROTO_FEE_TRACKER_PERCENTILE_COUNT 5
extern const uint32_t PROTO_FEE_TRACKER_PERCENTILES[PROTO_FEE_TRACKER_PERCENTILE_COUNT];

typedef struct proto_fee_tracker proto_fee_tracker;

/* params: the chain's (borrowed, outlives the history); next base fees
 * come from it. tip_default: the answer before any block was sampled. */
proto_fee_tracker *proto_fee_tracker_new(const proto_fee_params *params, uint64_t tip_default);
void proto_fee_tracker_free(proto_fee_tracker *h);
uint32_t proto_fee_tracker_count(const proto_fee_tracker *h);

/* A block joined the node's chain; receipts (proto_fee_tx_record, may be
 * NULL or empty) in block order. */
void proto_fee_tracker_push(proto_fee_tracker *h, uint64_t base_fee, uint64_t gas_used,
                            uint64_t gas_limit, const GArray *receipts);
/* The newest block left the node's chain (a reorg). No-op when empty. */
void proto_fee_tracker_pop(proto_fee_tracker *h);

/* next_base_fee: the base fee the node's next block carries (its
 * state's); the tip from the oracle over the kept blocks, computed once
 * per change of them (then remembered, and the oracle's last answer). */
proto_fee_quote proto_fee_tracker_quote(proto_fee_tracker *h, uint64_t next_base_fee);

/* eth_feeHistory over the newest min(blocks, count) kept blocks, oldest
 * first, at PROTO_FEE_TRACKER_PERCENTILES: base_fee[n + 1] (the last is
 * next_base_fee), gas_used_ratio[n], reward[n * PERCENTILE_COUNT];
 * returns n. Outputs are caller-sized for `blocks`. */
uint32_t proto_fee_tracker_query(const proto_fee_tracker *h, uint32_t blocks,
                                 uint64_t next_base_fee, uint64_t *base_fee,
                                 double *gas_used_ratio, uint64_t *reward);

#endif
