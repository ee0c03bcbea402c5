/* Spam and censorship by a testbed node (see node_market.h). */
#include "tools/node/node_market.h"

#include "protocol/chain/tx_envelope.h"
#include "protocol/chain/tx_exec.h"
#include "protocol/pbft/pbft.h"
#include "protocol/poa/poa.h"
#include "sim/engine/rng.h"

typedef struct tb_spammer {
    tb_market *owner;
    double rate_per_s;
    int64_t at_ns, until_ns;     /* until -1: to the end */
    uint32_t first_key;          /* into chain->spam_keys */
    uint32_t next;
    uint64_t nonces[SIM_SPAM_ACCOUNTS];
    guint source;
} tb_spammer;

struct tb_market {
    const sim_scenario *sc;
    const sim_chain *chain;
    tb_runtime *rt;
    const tb_host *host;
    sim_rng rng;
    GPtrArray *spammers;         /* tb_spammer*, owned */
    int64_t censor_at_ns, censor_until_ns;
    bool censor;
    const proto_pubkey *operator_key; /* NULL: a full node (it builds no blocks) */
};

/* ---- censor ---- */

static bool censor_include_tx(void *ctx, const proto_pubkey *sender)
{
    tb_market *m = ctx;
    int64_t now = tb_runtime_now_ns(m->rt);
    if (now < m->censor_at_ns || (m->censor_until_ns >= 0 && now >= m->censor_until_ns))
        return true;
    return m->operator_key != NULL && proto_pubkey_equal(sender, m->operator_key);
}

/* ---- spam ---- */

static void spam_send(tb_spammer *sp)
{
    tb_market *m = sp->owner;
    const sim_chain *c = m->chain;
    const tb_host *h = m->host;
    uint32_t k = sp->next;
    sp->next = (sp->next + 1) % SIM_SPAM_ACCOUNTS;
    uint32_t key = sp->first_key + k;
    proto_fee_quote q;
    h->consensus_ops->fee_quote(h->consensus, &q);
    uint64_t affordable = SIM_CHAIN_GENESIS_BALANCE / sim_scenario_transfer_gas();
    proto_txenv tx = {.chain_id = c->rules.chain_id,
                      .sender = c->spam_keys[key].pk,
                      .nonce = sp->nonces[k]++,
                      .gas_limit = sim_scenario_transfer_gas(),
                      .max_fee_per_gas = 2 * MIN(q.base_fee, affordable / 2),
                      .max_priority_fee_per_gas = 0,
                      .message_count = 1};
    tx.messages[0].type = PROTO_TXMSG_TRANSFER;
    tx.messages[0].transfer.to = c->first_spam_account + sp->first_key + sp->next;
    tx.messages[0].transfer.amount = 1;
    proto_txenv_sign(&tx, c->crypto, &c->spam_keys[key]);
    GBytes *wire = proto_txenv_msg_encode(&tx);
    h->ops->submit_tx(h->node, wire);
    g_bytes_unref(wire);
}

static gboolean spam_due(gpointer data);

/* Wait for the next spam transaction (none past the window or the run). */
static void spam_wait(tb_spammer *sp, int64_t after_ns)
{
    tb_market *m = sp->owner;
    int64_t gap = (int64_t)(sim_rng_exponential(&m->rng, 1.0 / sp->rate_per_s) * 1e9) + 1;
    int64_t next = MAX(after_ns, sp->at_ns) + gap;
    if ((sp->until_ns >= 0 && next >= sp->until_ns) || next > m->sc->duration_ns)
        return;
    int64_t wait_ns = MAX(next - tb_runtime_now_ns(m->rt), 0);
    sp->source = g_timeout_add((guint)MIN(wait_ns / 1000000, G_MAXUINT), spam_due, sp);
}

static gboolean spam_due(gpointer data)
{
    tb_spammer *sp = data;
    sp->source = 0;
    spam_send(sp);
    spam_wait(sp, tb_runtime_now_ns(sp->owner->rt));
    return G_SOURCE_REMOVE;
}

static const proto_state *node_state(const tb_market *m)
{
    if (m->sc->protocol == SIM_CONSENSUS_PBFT)
        return pbft_node_state(m->host->consensus);
    return poa_node_state(m->host->consensus);
}

/* ---- set-up ---- */

static bool is_market(const sim_fault *f, const char *behavior)
{
    return f->action == SIM_FAULT_BYZANTINE && f->behavior != NULL &&
           g_str_equal(f->behavior, behavior);
}

tb_market *tb_market_new(const sim_scenario *sc, const sim_chain *chain, uint32_t self,
                         int32_t validator_index, const char *name, tb_runtime *rt,
                         const tb_host *host)
{
    tb_market *m = NULL;
    uint32_t keys_used = 0; /* as the world hands out spam keys: faults, then nodes, in order */
    for (guint i = 0; i < sc->faults->len; i++) {
        const sim_fault *f = g_ptr_array_index(sc->faults, i);
        bool spam = is_market(f, "spam"), censor = is_market(f, "censor");
        for (guint k = 0; (spam || censor) && k < f->nodes->len; k++) {
            uint32_t node = g_array_index(f->nodes, uint32_t, k);
            uint32_t first_key = keys_used;
            keys_used += spam ? SIM_SPAM_ACCOUNTS : 0;
            if (node != self)
                continue;
            if (m == NULL) {
                m = g_new0(tb_market, 1);
                *m = (tb_market){.sc = sc, .chain = chain, .rt = rt, .host = host,
                                 .spammers = g_ptr_array_new_with_free_func(g_free)};
                char *stream = g_strdup_printf("spam/%s", name);
                sim_rng_init(&m->rng, sc->seed, stream);
                g_free(stream);
            }
            if (censor) {
                /* One window per node: the last censor fault naming it. */
                m->censor = true;
                m->censor_at_ns = f->at_ns;
                m->censor_until_ns = f->until_ns;
                continue;
            }
            g_assert(keys_used <= chain->opt.spam_accounts);
            tb_spammer *sp = g_new0(tb_spammer, 1);
            *sp = (tb_spammer){.owner = m, .rate_per_s = f->behavior_rate_per_s,
                               .at_ns = f->at_ns, .until_ns = f->until_ns,
                               .first_key = first_key};
            g_ptr_array_add(m->spammers, sp);
        }
    }
    if (m != NULL && m->censor) {
        m->operator_key =
            validator_index >= 0 ? &chain->validator_pubkeys[validator_index] : NULL;
        rt->include_hook = censor_include_tx;
        rt->include_hook_ctx = m;
    }
    return m;
}

void tb_market_start(tb_market *m)
{
    if (m == NULL)
        return;
    const proto_state *s = node_state(m);
    for (guint i = 0; i < m->spammers->len; i++) {
        tb_spammer *sp = g_ptr_array_index(m->spammers, i);
        for (uint32_t k = 0; k < SIM_SPAM_ACCOUNTS; k++) {
            uint32_t account = m->chain->first_spam_account + sp->first_key + k;
            const proto_account *a = proto_state_account(s, account);
            sp->nonces[k] = a != NULL ? a->nonce : 0;
        }
        if (sp->rate_per_s > 0)
            spam_wait(sp, tb_runtime_now_ns(m->rt));
    }
}

void tb_market_free(tb_market *m)
{
    if (m == NULL)
        return;
    for (guint i = 0; i < m->spammers->len; i++) {
        tb_spammer *sp = g_ptr_array_index(m->spammers, i);
        if (sp->source != 0)
            g_source_remove(sp->source);
    }
    g_ptr_array_unref(m->spammers);
    if (m->rt->include_hook_ctx == m) {
        m->rt->include_hook = NULL;
        m->rt->include_hook_ctx = NULL;
    }
    g_free(m);
}
