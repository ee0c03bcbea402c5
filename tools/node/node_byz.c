/* The simulator's Byzantine wrappers hosted by a testbed process (see
 * node_byz.h). */
#include "tools/node/node_byz.h"

#include "protocol/poa/poa.h"
#include "sim/world/byzantine.h"

struct tb_byz {
    sim_byz *byz;
    tb_runtime *rt;
    const tb_host *host;
    sim_consensus_kind protocol;
    GHashTable *timers;          /* byz_timer* set: pending sim_byz_fire calls */
};

typedef struct byz_timer {
    tb_byz *owner;
    uint32_t what;
    uint64_t arg;
    GSource *source;
} byz_timer;

static int64_t host_now(void *ctx)
{
    return tb_runtime_now_ns(((tb_byz *)ctx)->rt);
}

static void host_send(void *ctx, uint32_t to, GBytes *wire)
{
    tb_runtime_send(((tb_byz *)ctx)->rt, to, wire);
}

static bool host_up(void *ctx)
{
    (void)ctx;
    return true; /* a process that runs is up */
}

static void timer_free(gpointer data)
{
    byz_timer *t = data;
    g_source_destroy(t->source);
    g_source_unref(t->source);
    g_free(t);
}

static gboolean timer_due(gpointer data)
{
    byz_timer *t = data;
    tb_byz *b = t->owner;
    uint32_t what = t->what;
    uint64_t arg = t->arg;
    g_hash_table_remove(b->timers, t); /* frees t */
    sim_byz_fire(b->byz, what, arg);
    return G_SOURCE_REMOVE;
}

static void host_at(void *ctx, int64_t at_ns, sim_byz *unused, uint32_t what, uint64_t arg)
{
    (void)unused;
    tb_byz *b = ctx;
    byz_timer *t = g_new0(byz_timer, 1);
    t->owner = b;
    t->what = what;
    t->arg = arg;
    t->source = tb_ready_source_new(at_ns - tb_runtime_now_ns(b->rt), timer_due, t);
    g_hash_table_add(b->timers, t);
}

static uint32_t host_peers(void *ctx, proto_node_id *out, uint32_t max)
{
    const tb_host *h = ((tb_byz *)ctx)->host;
    return h->mesh != NULL ? p2p_node_peers(h->mesh, out, max) : 0;
}

static const proto_state *host_poa_head(void *ctx)
{
    tb_byz *b = ctx;
    g_assert(b->protocol == SIM_CONSENSUS_POA && b->host->consensus != NULL);
    return poa_node_state(b->host->consensus);
}

/* The process knows one block's state for sure: its head's. */
static bool host_block_state_root(void *ctx, const proto_hash *hash, proto_hash *root)
{
    tb_byz *b = ctx;
    if (b->protocol != SIM_CONSENSUS_POA || b->host->consensus == NULL)
        return false;
    proto_hash head;
    poa_node_head_hash(b->host->consensus, &head);
    if (!proto_hash_equal(&head, hash))
        return false;
    proto_state_root((proto_state *)poa_node_state(b->host->consensus), root);
    return true;
}

static void send_hook(void *ctx, uint32_t to, GBytes *wire)
{
    sim_byz_send(((tb_byz *)ctx)->byz, to, wire);
}

static bool names_node(const sim_fault *f, uint32_t self)
{
    /* The send wrapper's behaviours only: a twin is a machine of its own,
     * spam and censor act on the fee market (the testbed refuses them). */
    if (f->action != SIM_FAULT_BYZANTINE || f->behavior == NULL ||
        g_str_equal(f->behavior, "twin") || g_str_equal(f->behavior, "spam") ||
        g_str_equal(f->behavior, "censor"))
        return false;
    for (guint i = 0; i < f->nodes->len; i++)
        if (g_array_index(f->nodes, uint32_t, i) == self)
            return true;
    return false;
}

tb_byz *tb_byz_new(const sim_scenario *sc, const sim_chain *chain, uint32_t self,
                   int32_t validator_index, const char *name, tb_runtime *rt,
                   const tb_host *host)
{
    bool named = false;
    for (guint i = 0; i < sc->faults->len && !named; i++)
        named = names_node(g_ptr_array_index(sc->faults, i), self);
    if (!named)
        return NULL;
    tb_byz *b = g_new0(tb_byz, 1);
    b->rt = rt;
    b->host = host;
    b->protocol = sc->protocol;
    b->timers = g_hash_table_new_full(g_direct_hash, g_direct_equal, timer_free, NULL);
    sim_byz_host h = {.ctx = b,
                      .now_ns = host_now,
                      .send = host_send,
                      .up = host_up,
                      .at = host_at,
                      .peers = sc->topology == SIM_TOPOLOGY_MESH ? host_peers : NULL,
                      .poa_head = host_poa_head,
                      .block_state_root = host_block_state_root};
    sim_byz_config cfg = {.seed = sc->seed,
                          .node_name = name,
                          .node = self,
                          .nodes_count = sc->validators + sc->full_nodes,
                          .protocol = sc->protocol,
                          .key = validator_index >= 0 ? &chain->validator_keys[validator_index]
                                                      : NULL,
                          .chain_id = chain->poa.chain_id,
                          .rules = &chain->rules,
                          .crypto = chain->crypto};
    b->byz = sim_byz_new(&h, &cfg);
    for (guint i = 0; i < sc->faults->len; i++) {
        const sim_fault *f = g_ptr_array_index(sc->faults, i);
        if (names_node(f, self))
            sim_byz_add(b->byz, f);
    }
    rt->send_hook = send_hook;
    rt->send_hook_ctx = b;
    return b;
}

void tb_byz_free(tb_byz *b)
{
    if (b == NULL)
        return;
    if (b->rt->send_hook_ctx == b) {
        b->rt->send_hook = NULL;
        b->rt->send_hook_ctx = NULL;
    }
    g_hash_table_destroy(b->timers); /* no fire after this */
    sim_byz_free(b->byz);
    g_free(b);
}
