/* How the workload's clients price a transaction ([workload]
 * fee_strategy), as EIP-1559 wallets do.
 *
 * A client asks the node it is about to use for a quote (the next
 * block's base fee and the node's suggested tip: proto_node_ops
 * fee_quote). Then:
 *
 *   estimator    tip = the suggestion;            fee cap = 2 x base fee + tip
 *   fixed TIP    tip = TIP;                        fee cap = 2 x base fee + tip
 *   aggressive   tip = max(2 x s, s + 1), s = the larger of the suggestion
 *                and the highest 90th-percentile reward of the node's
 *                last 10 blocks (eth_feeHistory, as wallets' "aggressive"
 *                settings read it);            fee cap = 3 x base fee + tip
 *
 * (2 x base fee is what wallets offer so that a transaction stays
 * includable through six full blocks of +12.5%.) A transaction of a
 * re-pricing strategy (estimator, aggressive) that is not final after
 * SIM_REPRICE_AFTER_NS, and that the market has overtaken (the quoted
 * base fee plus its tip is above its fee cap: it cannot be included as
 * priced), is replaced, as a wallet's "speed up" does: both fee
 * fields raised to the fresh offer and at least the pool's bump (+10%,
 * rounded up) over the version it replaces, at most SIM_REPRICE_MAX
 * times. One the market has not overtaken is left alone: it is waiting
 * for finality, not for a better price.
 *
 * Every client has a budget per gas ([workload] max_fee_per_gas, spread
 * over half to one and a half times by account, sim_pricing_budget): no
 * offer's fee cap exceeds it, so demand falls as the base fee rises and
 * EIP-1559 finds the price at which it meets the target instead of
 * climbing for as long as a surge lasts. Fee caps saturate at what the account can pay for its gas
 * limit, so a price never becomes invalid (gas x fee cap never overflows
 * and never exceeds the balance at genesis). */
#include "sim/world/world_internal.h"

#include "protocol/chain/fee_tracker.h"

/* The pool's replacement rule (protocol/chain/exec.c): +10% on both. */
/* Blocks of fee history an aggressive client reads. */
#define PRICING_HISTORY_BLOCKS 10
#define PRICING_BUMP_PERCENT 10

uint64_t sim_pricing_affordable_fee_cap(void)
{
    return SIM_CHAIN_GENESIS_BALANCE / sim_scenario_transfer_gas();
}

uint64_t sim_pricing_budget(const sim_world *w, uint32_t account)
{
    uint64_t mean = w->workload.opt.client_max_fee;
    /* A fixed spread by account index (Knuth's multiplicative hash), not
     * a draw: it moves no random stream. */
    uint32_t u = (uint32_t)(account * 2654435761u) >> 16; /* 0..65535 */
    unsigned __int128 b = (unsigned __int128)mean * (32768u + u) / 65536u;
    return b > UINT64_MAX ? UINT64_MAX : (uint64_t)MAX(b, 1);
}

/* The highest 90th-percentile reward of node's last PRICING_HISTORY_BLOCKS
 * blocks (eth_feeHistory), what an aggressive wallet reads. */
static uint64_t recent_high_tip(sim_node_slot *slot)
{
    uint64_t base_fee[PRICING_HISTORY_BLOCKS + 1];
    double ratio[PRICING_HISTORY_BLOCKS];
    uint64_t reward[PRICING_HISTORY_BLOCKS * PROTO_FEE_TRACKER_PERCENTILE_COUNT];
    uint32_t n = slot->ops->fee_history(slot->node, PRICING_HISTORY_BLOCKS, base_fee, ratio,
                                        reward);
    uint64_t high = 0;
    for (uint32_t i = 0; i < n; i++)
        high = MAX(high, reward[(size_t)i * PROTO_FEE_TRACKER_PERCENTILE_COUNT +
                                PROTO_FEE_TRACKER_PERCENTILE_COUNT - 1]);
    return high;
}

void sim_pricing_quote(sim_world *w, uint32_t node, const sim_fee_strategy *st,
                       proto_fee_quote *out)
{
    sim_workload *wl = &w->workload;
    if (node != UINT32_MAX) {
        sim_node_slot *slot = &w->nodes[node];
        slot->ops->fee_quote(slot->node, &wl->last_quote);
        *out = wl->last_quote;
        if (st->kind == SIM_FEE_AGGRESSIVE)
            out->tip = MAX(out->tip, recent_high_tip(slot));
        return;
    }
    *out = wl->last_quote;
}

/* a * k + b, saturating at cap. */
static uint64_t scaled(uint64_t a, uint64_t k, uint64_t b, uint64_t cap)
{
    if (a > (cap - MIN(b, cap)) / k)
        return cap;
    return MIN(a * k + b, cap);
}

void sim_pricing_offer(const sim_fee_strategy *st, const proto_fee_quote *q, uint64_t fee_cap_max,
                       uint64_t *tip, uint64_t *max_fee)
{
    uint64_t t = q->tip;
    uint64_t base_times = 2;
    if (st->kind == SIM_FEE_FIXED) {
        t = st->tip;
    } else if (st->kind == SIM_FEE_AGGRESSIVE) {
        t = MAX(scaled(q->tip, 2, 0, fee_cap_max), q->tip + 1);
        base_times = 3;
    }
    t = MIN(t, fee_cap_max);
    *tip = t;
    *max_fee = scaled(q->base_fee, base_times, t, fee_cap_max);
}

bool sim_pricing_reprices(const sim_fee_strategy *st)
{
    return st->kind != SIM_FEE_FIXED;
}

/* old + ceil(old * bump / 100), at least old + 1, saturating. */
static uint64_t bumped(uint64_t old, uint64_t cap)
{
    uint64_t up = old / 100 * PRICING_BUMP_PERCENT +
                  ((old % 100) * PRICING_BUMP_PERCENT + 99) / 100;
    return scaled(old, 1, MAX(up, 1), cap);
}

bool sim_pricing_bump(const sim_fee_strategy *st, const proto_fee_quote *q, uint64_t fee_cap_max,
                      uint64_t *tip, uint64_t *max_fee)
{
    uint64_t fresh_tip = 0, fresh_cap = 0;
    sim_pricing_offer(st, q, fee_cap_max, &fresh_tip, &fresh_cap);
    /* Overtaken: the base fee has passed what its cap leaves after its
     * tip, so it cannot be included as priced. (A higher suggested tip
     * alone is no reason: replacements raise the tips the oracle sees,
     * and chasing them would only feed a spiral of replacements.) */
    bool overtaken = q->base_fee > *max_fee - MIN(*tip, *max_fee);
    if (!overtaken)
        return false;
    uint64_t t = MAX(fresh_tip, bumped(*tip, fee_cap_max));
    uint64_t c = MAX(fresh_cap, bumped(*max_fee, fee_cap_max));
    c = MAX(c, t);
    /* Both must rise by the bump, or the pools refuse the replacement. */
    if ((unsigned __int128)t * 100 < (unsigned __int128)*tip * (100 + PRICING_BUMP_PERCENT) ||
        (unsigned __int128)c * 100 < (unsigned __int128)*max_fee * (100 + PRICING_BUMP_PERCENT))
        return false;
    *tip = t;
    *max_fee = c;
    return true;
}
