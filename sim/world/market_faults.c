/* Byzantine behaviours against the fee market: `spam RATE` and `censor`.
 *
 * spam RATE: from `at` to `until` the node floods the chain, Poisson at
 * RATE, with cheap transfers from SIM_SPAM_ACCOUNTS funded accounts of
 * its own (genesis gives them: chain.h, "spam/<k>"), taken round robin,
 * each to the next one: many senders, as a Sybil spammer would use to
 * look like many users. Each pays no tip and a fee cap of twice the base
 * fee its own node quotes, buys exactly its gas, and goes to its own node
 * like a client's. Nothing re-prices or resubmits it: spam is cheap, not
 * patient. The alarms learn each one's origin (sim/check/alarms.h).
 *
 * censor: from `at` to `until` the node, when it builds a block, leaves
 * out every transaction not sent by its own operator account (the
 * operator's inclusion policy, proto_env include_tx): the blocks it
 * proposes carry only its own, however much the others pay.
 *
 * Neither touches the node's messages: the node runs the honest protocol
 * with a dishonest client behind it (spam) or a dishonest policy (censor). */
#include "sim/world/world_internal.h"

#include "protocol/chain/tx_envelope.h"
#include "protocol/chain/tx_exec.h"
#include "sim/check/alarms.h"

typedef struct sim_spammer {
    sim_world *w;
    uint32_t node;
    double rate_per_s;
    int64_t until_ns;          /* -1: to the end */
    uint32_t first_key;        /* into chain.spam_keys */
    uint32_t next;             /* round robin over its SIM_SPAM_ACCOUNTS */
    uint64_t nonces[SIM_SPAM_ACCOUNTS];
} sim_spammer;

static void spam_send(sim_spammer *sp)
{
    sim_world *w = sp->w;
    sim_node_slot *slot = &w->nodes[sp->node];
    if (!slot->up || slot->node == NULL)
        return;
    const sim_chain *c = &w->chain;
    uint32_t k = sp->next;
    sp->next = (sp->next + 1) % SIM_SPAM_ACCOUNTS;
    uint32_t key = sp->first_key + k;
    uint32_t to = c->first_spam_account + sp->first_key + sp->next;
    proto_fee_quote q;
    slot->ops->fee_quote(slot->node, &q);
    proto_txenv tx = {.chain_id = c->rules.chain_id,
                      .sender = c->spam_keys[key].pk,
                      .nonce = sp->nonces[k]++,
                      .gas_limit = sim_scenario_transfer_gas(),
                      .max_fee_per_gas = 2 * MIN(q.base_fee, sim_pricing_affordable_fee_cap() / 2),
                      .max_priority_fee_per_gas = 0,
                      .message_count = 1};
    tx.messages[0].type = PROTO_TXMSG_TRANSFER;
    tx.messages[0].transfer.to = to;
    tx.messages[0].transfer.amount = 1;
    proto_txenv_sign(&tx, c->crypto, &c->spam_keys[key]);
    proto_hash id;
    proto_txenv_hash(&tx, &id);
    sim_alarms_note_origin(w, &id, sp->node, tx.gas_limit);
    GBytes *wire = proto_txenv_msg_encode(&tx);
    slot->ops->submit_tx(slot->node, wire);
    g_bytes_unref(wire);
    w->spam_sent++;
}

static void spam_event(void *ctx, uint64_t a, uint64_t b)
{
    (void)a;
    (void)b;
    sim_spammer *sp = ctx;
    sim_world *w = sp->w;
    int64_t now = sim_sched_now(w->sched);
    if (sp->until_ns >= 0 && now >= sp->until_ns)
        return;
    spam_send(sp);
    /* The spammer's own stream: the run's other draws do not move. */
    double gap_s = sim_rng_exponential(&w->nodes[sp->node].rng, 1.0 / sp->rate_per_s);
    int64_t next = now + (int64_t)(gap_s * 1e9) + 1;
    if (next <= w->opt.duration_ns)
        sim_sched_at(w->sched, next, spam_event, sp, 0, 0);
}

/* The censor's policy: only its operator's transactions. */
static bool censor_include_tx(void *ctx, const proto_pubkey *sender)
{
    sim_node_slot *slot = ctx;
    sim_world *w = slot->world;
    int64_t now = sim_sched_now(w->sched);
    if (now < slot->censor_at_ns || (slot->censor_until_ns >= 0 && now >= slot->censor_until_ns))
        return true;
    return slot->validator_index >= 0 &&
           proto_pubkey_equal(sender, &w->chain.validator_pubkeys[slot->validator_index]);
}

bool sim_market_fault_is(const sim_fault *f)
{
    return f->action == SIM_FAULT_BYZANTINE &&
           (g_strcmp0(f->behavior, "spam") == 0 || g_strcmp0(f->behavior, "censor") == 0);
}

void sim_market_fault_add(sim_world *w, sim_node_slot *slot, const sim_fault *f)
{
    g_assert(sim_market_fault_is(f));
    if (g_strcmp0(f->behavior, "censor") == 0) {
        /* One window per node (the last censor fault naming it wins). */
        slot->censor_at_ns = f->at_ns;
        slot->censor_until_ns = f->until_ns;
        slot->env.include_tx = censor_include_tx;
        return;
    }
    sim_spammer *sp = g_new0(sim_spammer, 1);
    sp->w = w;
    sp->node = slot->index;
    sp->rate_per_s = f->behavior_rate_per_s;
    sp->until_ns = f->until_ns;
    sp->first_key = w->spam_keys_used;
    w->spam_keys_used += SIM_SPAM_ACCOUNTS;
    g_assert(w->spam_keys_used <= w->chain.opt.spam_accounts);
    g_ptr_array_add(w->spammers, sp);
    sim_sched_at(w->sched, f->at_ns, spam_event, sp, 0, 0);
}
