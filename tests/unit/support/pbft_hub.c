/* Deterministic PBFT test driver (see pbft_hub.h). */
#include "support/pbft_hub.h"

#include <check.h>

#include "protocol/chain/exec.h"
#include "protocol/chain/valset.h"
#include "protocol/modules/validator/validator.h"
#include "protocol/pbft/pbft_msg.h"
#include "support/tx_fixture.h"

void hub_init(pbft_hub *h, uint32_t validators, uint32_t full_nodes,
              uint32_t checkpoint_interval)
{
    g_assert(validators + full_nodes <= HUB_NODES_MAX);
    *h = (pbft_hub){0};
    proto_crypto_global_init();
    h->validators = validators;
    h->nodes = validators + full_nodes;
    h->crypto = proto_crypto_new(PROTO_CRYPTO_REAL, 4096);
    for (uint32_t i = 0; i < validators; i++) {
        char label[32];
        g_snprintf(label, sizeof label, "validator/%u", i);
        proto_keypair_derive(&h->vkeys[i], 5, label);
        h->vpub[i] = h->vkeys[i].pk;
        h->stakes[i] = 100;
        h->vnodes[i] = i;
    }
    h->genesis = proto_state_new();
    for (uint32_t i = 0; i < HUB_ACCOUNTS; i++) {
        char label[32];
        g_snprintf(label, sizeof label, "account/%u", i);
        proto_keypair_derive(&h->akeys[i], 5, label);
        proto_state_add_account(h->genesis, &h->akeys[i].pk, HUB_BALANCE);
    }
    for (uint32_t i = 0; i < validators; i++)
        h->fee_accounts[i] = proto_state_add_account(h->genesis, &h->vpub[i], HUB_BALANCE);
    h->rules = txfix_rules(11, TXFIX_BLOCK_GAS_LIMIT, HUB_BASE_FEE, h->fee_accounts, validators);
    proto_state_set_base_fee(h->genesis, HUB_BASE_FEE, NULL);
    proto_slashing_params slashing = proto_slashing_defaults();
    proto_valset *vs = proto_valset_new(&slashing, validators, h->vpub, h->stakes);
    for (uint32_t i = 0; i < validators; i++)
        proto_valset_set_operator(vs, i, h->fee_accounts[i]);
    proto_validator_genesis(h->genesis, vs);
    h->params = (pbft_params){.chain_id = 11,
                              .rules = &h->rules,
                              .block_interval_ns = HUB_SEC(1),
                              .max_block_txs = 100,
                              .validators_count = validators,
                              .validator_keys = h->vpub,
                              .stakes = h->stakes,
                              .genesis_state = h->genesis,
                              .nodes_count = h->nodes,
                              .validator_nodes = h->vnodes,
                              .crypto = h->crypto,
                              .mempool_max = 1000,
                              .view_timeout_ns = HUB_SEC(2),
                              .view_timeout_max_ns = HUB_SEC(8),
                              .checkpoint_interval = checkpoint_interval,
                              .sync_batch_max = 16};
    pbft_genesis_hash(&h->params, &h->params.genesis_hash);
    h->broadcasts = g_array_new(FALSE, FALSE, sizeof(hub_broadcast));
    for (uint32_t i = 0; i < h->nodes; i++) {
        fake_env_init(&h->env[i]);
        h->env[i].random_state = i + 1;
        hub_start(h, i);
    }
}

void hub_start(pbft_hub *h, uint32_t i)
{
    g_assert(h->node[i] == NULL);
    /* A restarted node's old timers die with it. */
    g_array_set_size(h->env[i].timers, 0);
    h->env[i].now_ns = h->now_ns;
    int32_t vidx = i < h->validators ? (int32_t)i : -1;
    h->node[i] = pbft_node_new(&h->params, i, vidx, vidx >= 0 ? &h->vkeys[i] : NULL,
                               &h->env[i].env);
}

void hub_crash(pbft_hub *h, uint32_t i)
{
    g_assert(h->node[i] != NULL);
    pbft_node_ops.free(h->node[i]);
    h->node[i] = NULL;
    g_array_set_size(h->env[i].sends, 0);
    g_array_set_size(h->env[i].broadcasts, 0);
    g_array_set_size(h->env[i].timers, 0);
}

void hub_set_overlay(pbft_hub *h, uint32_t i, const proto_node_id *peers, uint32_t count)
{
    g_assert(h->now_ns == 0 && h->delivered == 0);
    fake_env_set_overlay(&h->env[i], peers, count);
    hub_crash(h, i);
    hub_start(h, i);
}

void hub_use_memos(pbft_hub *h)
{
    g_assert(h->now_ns == 0 && h->delivered == 0 && h->params.exec_memo == NULL);
    h->params.block_memo = proto_block_memo_new(4);
    h->params.exec_memo = proto_exec_memo_new(4);
    for (uint32_t i = 0; i < h->nodes; i++) {
        hub_crash(h, i);
        hub_start(h, i);
    }
}

void hub_rebuild(pbft_hub *h)
{
    g_assert(h->now_ns == 0 && h->delivered == 0);
    pbft_genesis_hash(&h->params, &h->params.genesis_hash);
    for (uint32_t i = 0; i < h->nodes; i++) {
        hub_crash(h, i);
        hub_start(h, i);
    }
}

void hub_set_code(pbft_hub *h, uint32_t i, const uint32_t *code_versions)
{
    g_assert(i < h->nodes);
    h->env[i].env.code_versions = code_versions;
}

void hub_clear(pbft_hub *h)
{
    for (uint32_t i = 0; i < h->nodes; i++) {
        if (h->node[i] != NULL)
            pbft_node_ops.free(h->node[i]);
        fake_env_clear(&h->env[i]);
    }
    proto_block_memo_free(h->params.block_memo);
    proto_exec_memo_free(h->params.exec_memo);
    proto_state_free(h->genesis);
    proto_crypto_free(h->crypto);
    g_array_unref(h->broadcasts);
}

static void set_time(pbft_hub *h, int64_t t)
{
    h->now_ns = t;
    for (uint32_t i = 0; i < h->nodes; i++)
        h->env[i].now_ns = t;
}

void hub_inject(pbft_hub *h, proto_node_id from, proto_node_id to, GBytes *wire)
{
    if (h->node[to] != NULL)
        pbft_node_ops.on_message(h->node[to], from, wire);
}

static void deliver(pbft_hub *h, uint32_t from, uint32_t to, GBytes *wire)
{
    bool drop = h->node[to] == NULL || h->isolated[from] || h->isolated[to] ||
                (h->filter != NULL && h->filter(h, from, to, wire));
    if (!drop) {
        h->delivered++;
        pbft_node_ops.on_message(h->node[to], from, wire);
    }
}

/* Take what node i sent and broadcast so far, then deliver it: sends in
 * order, then broadcasts, each to its scope in node order. */
static bool pump_node(pbft_hub *h, uint32_t i)
{
    GArray *out = h->env[i].sends;
    GArray *casts = h->env[i].broadcasts;
    if (out->len == 0 && casts->len == 0)
        return false;
    guint len = out->len;
    fake_send *batch = g_new(fake_send, len);
    for (guint k = 0; k < len; k++) {
        batch[k] = g_array_index(out, fake_send, k);
        g_bytes_ref(batch[k].wire);
    }
    g_array_set_size(out, 0);
    guint cast_len = casts->len;
    fake_broadcast *cast_batch = g_new(fake_broadcast, cast_len);
    for (guint k = 0; k < cast_len; k++) {
        cast_batch[k] = g_array_index(casts, fake_broadcast, k);
        g_bytes_ref(cast_batch[k].wire);
    }
    g_array_set_size(casts, 0);
    for (guint k = 0; k < len; k++) {
        gsize size = 0;
        const uint8_t *data = g_bytes_get_data(batch[k].wire, &size);
        h->unicasts[size > 0 ? data[0] : 0]++;
        deliver(h, i, batch[k].to, batch[k].wire);
        g_bytes_unref(batch[k].wire);
    }
    for (guint k = 0; k < cast_len; k++) {
        fake_broadcast *b = &cast_batch[k];
        gsize size = 0;
        const uint8_t *data = g_bytes_get_data(b->wire, &size);
        hub_broadcast logged = {.from = i, .scope = b->scope, .type = size > 0 ? data[0] : 0};
        g_array_append_val(h->broadcasts, logged);
        uint32_t reach = b->scope == PROTO_SCOPE_VALIDATORS ? h->validators : h->nodes;
        for (uint32_t to = 0; to < reach; to++) {
            if (to != i)
                deliver(h, i, to, b->wire);
        }
        g_bytes_unref(b->wire);
    }
    g_free(batch);
    g_free(cast_batch);
    return true;
}

/* Deliver until no node has anything to send. */
static void pump(pbft_hub *h)
{
    bool any = true;
    while (any) {
        any = false;
        for (uint32_t i = 0; i < h->nodes; i++)
            any |= pump_node(h, i);
    }
}

void hub_run_until(pbft_hub *h, int64_t t_ns)
{
    for (;;) {
        pump(h);
        fake_timer *best = NULL;
        uint32_t best_node = 0;
        for (uint32_t i = 0; i < h->nodes; i++) {
            if (h->node[i] == NULL)
                continue;
            fake_timer *t = fake_env_next_timer(&h->env[i]);
            if (t != NULL && (best == NULL || t->at_ns < best->at_ns)) {
                best = t;
                best_node = i;
            }
        }
        if (best == NULL || best->at_ns > t_ns)
            break;
        set_time(h, MAX(h->now_ns, best->at_ns));
        best->cancelled = TRUE; /* consumed */
        uint64_t id = best->id;
        uint32_t kind = best->kind;
        uint64_t arg = best->arg;
        pbft_node_ops.on_timer(h->node[best_node], id, kind, arg);
    }
    set_time(h, MAX(h->now_ns, t_ns));
    pump(h);
}

void hub_seal_on_genesis(pbft_hub *h, proto_block *b)
{
    proto_state *s = proto_state_copy(h->genesis);
    proto_txpool *pool = proto_exec_txpool_new(1);
    proto_undo undo;
    proto_undo_init(&undo);
    proto_exec_env env = {.rules = &h->rules, .crypto = h->crypto};
    ck_assert(proto_exec_build(s, pool, 0, &env, b, &undo));
    proto_undo_clear(&undo);
    proto_txpool_free(pool);
    proto_state_free(s);
}

void hub_submit_tx(pbft_hub *h, uint32_t at, uint32_t from, uint64_t nonce)
{
    txfix_fees fees = {.max_fee_per_gas = 4 * HUB_BASE_FEE, .max_priority_fee_per_gas = 1};
    proto_txenv tx = txfix_transfer(h->crypto, h->params.chain_id, &h->akeys[from], nonce,
                                    (from + 1) % HUB_ACCOUNTS, 5, fees);
    GBytes *wire = proto_txenv_msg_encode(&tx);
    pbft_node_ops.submit_tx(h->node[at], wire);
    g_bytes_unref(wire);
}

uint64_t hub_committed(const pbft_hub *h, uint32_t i)
{
    return h->node[i] != NULL ? pbft_node_committed_height(h->node[i]) : 0;
}

guint hub_events(const pbft_hub *h, uint32_t i, proto_event_kind kind)
{
    return fake_env_count_events(&h->env[i], kind);
}

guint hub_broadcasts(const pbft_hub *h, proto_scope scope, uint8_t type)
{
    guint count = 0;
    for (guint k = 0; k < h->broadcasts->len; k++) {
        const hub_broadcast *b = &g_array_index(h->broadcasts, hub_broadcast, k);
        count += b->scope == scope && b->type == type;
    }
    return count;
}

guint hub_rejected(const pbft_hub *h, uint32_t i, proto_reject_reason reason)
{
    guint count = 0;
    const GArray *ev = h->env[i].events;
    for (guint k = 0; k < ev->len; k++) {
        const proto_event *e = &g_array_index(ev, proto_event, k);
        count += e->kind == PROTO_EV_MSG_REJECTED && e->reason == reason;
    }
    return count;
}

void hub_assert_agreement(const pbft_hub *h)
{
    for (uint32_t a = 0; a < h->nodes; a++) {
        for (uint32_t b = a + 1; b < h->nodes; b++) {
            if (h->node[a] == NULL || h->node[b] == NULL)
                continue;
            uint64_t top = MIN(hub_committed(h, a), hub_committed(h, b));
            for (uint64_t height = 0; height <= top; height++) {
                proto_hash x, y;
                ck_assert(pbft_node_committed_hash(h->node[a], height, &x));
                ck_assert(pbft_node_committed_hash(h->node[b], height, &y));
                ck_assert_msg(proto_hash_equal(&x, &y),
                              "nodes %u and %u differ at %" G_GUINT64_FORMAT, a, b, height);
            }
        }
    }
}

GBytes *hub_preprepare_block(GBytes *wire, uint64_t height)
{
    uint64_t view = 0;
    GBytes *body = NULL;
    if (!pbft_msg_preprepare_decode(wire, &view, &body))
        return NULL;
    proto_block *b = proto_block_decode_all(g_bytes_get_data(body, NULL), g_bytes_get_size(body),
                                            UINT32_MAX);
    bool match = b != NULL && b->header.height == height;
    proto_block_free(b);
    if (!match) {
        g_bytes_unref(body);
        return NULL;
    }
    return body;
}
