/* PoA node unit tests with a fake environment (no scheduler, no network).
 *
 * The node under test is validator 1 of 4 (equal stakes). Blocks come
 * from other real nodes driven by their own fake environments, or are
 * forged by hand to break one rule at a time: wrong proposer for the slot, bad
 * signature, wrong state root, from the future, malformed bytes. Last,
 * nodes on an overlay (env.broadcast, env.peers) broadcast blocks and
 * transactions instead of looping over nodes, a restarted full node asks
 * one of its peers, and a full node rejects a bad transaction it relays. */
#include <check.h>

#include "protocol/chain/block.h"
#include "protocol/chain/exec.h"
#include "protocol/core/msgtype.h"
#include "protocol/poa/poa.h"
#include "protocol/poa/poa_msg.h"
#include "support/fake_env.h"
#include "support/tx_fixture.h"

#define V 4
#define ACCOUNTS 8
#define SLOT_NS (1000LL * 1000 * 1000)
#define BALANCE 1000000000000ULL
#define BASE_FEE 1000

typedef struct chain_fixture {
    proto_crypto *crypto;
    proto_keypair vkeys[V];
    proto_pubkey vpub[V];
    uint64_t stakes[V];
    proto_node_id vnodes[V];
    proto_keypair akeys[ACCOUNTS];
    uint32_t fee_accounts[V];
    proto_chain_rules rules;
    proto_state *genesis;
    poa_params params;
} chain_fixture;

static chain_fixture F;

/* A client's transfer of 10 from account `from` to the next one. */
static proto_txenv client_tx(uint32_t from, uint64_t nonce)
{
    txfix_fees fees = {.max_fee_per_gas = 4 * BASE_FEE, .max_priority_fee_per_gas = 1};
    return txfix_transfer(F.crypto, F.params.chain_id, &F.akeys[from], nonce, from + 1, 10, fees);
}

static void fixture_setup(void)
{
    proto_crypto_global_init();
    F.crypto = proto_crypto_new(PROTO_CRYPTO_REAL, 1024);
    for (int i = 0; i < V; i++) {
        char label[32];
        g_snprintf(label, sizeof label, "validator/%d", i);
        proto_keypair_derive(&F.vkeys[i], 99, label);
        F.vpub[i] = F.vkeys[i].pk;
        F.stakes[i] = 100;
        F.vnodes[i] = (proto_node_id)i;
    }
    F.genesis = proto_state_new();
    for (int i = 0; i < ACCOUNTS; i++) {
        char label[32];
        g_snprintf(label, sizeof label, "account/%d", i);
        proto_keypair_derive(&F.akeys[i], 99, label);
        proto_state_add_account(F.genesis, &F.akeys[i].pk, BALANCE);
    }
    for (int i = 0; i < V; i++)
        F.fee_accounts[i] = proto_state_add_account(F.genesis, &F.vpub[i], BALANCE);
    F.rules = txfix_rules(7, TXFIX_BLOCK_GAS_LIMIT, BASE_FEE, F.fee_accounts, V);
    proto_state_set_base_fee(F.genesis, BASE_FEE, NULL);
    F.params = (poa_params){.chain_id = 7,
                            .rules = &F.rules,
                            .block_interval_ns = SLOT_NS,
                            .max_block_txs = 100,
                            .validators_count = V,
                            .validator_keys = F.vpub,
                            .stakes = F.stakes,
                            .genesis_state = F.genesis,
                            .nodes_count = V,
                            .validator_nodes = F.vnodes,
                            .crypto = F.crypto,
                            .mempool_max = 1000,
                            .sync_batch_max = 16,
                            .orphans_max = 8,
                            /* round-robin: height h, round r -> validator (h - 1 + r) mod V;
                             * on genesis slot s is round s - 1 of height 1, so v(s - 1) */
                            .rotation = PROTO_ROTATION_ROUND_ROBIN};
}

static void fixture_teardown(void)
{
    proto_state_free(F.genesis);
    proto_crypto_free(F.crypto);
}

typedef struct peer {
    fake_env env;
    void *node;
} peer;

static void peer_init(peer *p, int v)
{
    fake_env_init(&p->env);
    p->node = poa_node_new(&F.params, (proto_node_id)v, v, &F.vkeys[v], &p->env.env);
}

static void peer_clear(peer *p)
{
    poa_node_ops.free(p->node);
    fake_env_clear(&p->env);
}

/* Advance p's clock to `slot` and fire its slot timer; returns the block
 * message it broadcast, or NULL if it proposed nothing. */
static GBytes *peer_propose(peer *p, uint64_t slot)
{
    int64_t target = (int64_t)slot * SLOT_NS;
    fake_env_reset_records(&p->env);
    fake_timer *t;
    while ((t = fake_env_next_timer(&p->env)) != NULL && t->at_ns <= target) {
        fake_timer copy = *t;
        t->cancelled = TRUE;
        if (copy.at_ns > p->env.now_ns)
            p->env.now_ns = copy.at_ns;
        poa_node_ops.on_timer(p->node, copy.id, copy.kind, copy.arg);
    }
    p->env.now_ns = target;
    for (guint i = 0; i < p->env.sends->len; i++) {
        fake_send *s = &g_array_index(p->env.sends, fake_send, i);
        if (poa_msg_type(s->wire) == PROTO_MSG_BLOCK)
            return g_bytes_ref(s->wire);
    }
    return NULL;
}

static void deliver(peer *to, proto_node_id from, GBytes *wire)
{
    poa_node_ops.on_message(to->node, from, wire);
}

static guint rejected(peer *p, proto_reject_reason reason)
{
    guint n = 0;
    for (guint i = 0; i < p->env.events->len; i++) {
        proto_event *e = &g_array_index(p->env.events, proto_event, i);
        n += e->kind == PROTO_EV_MSG_REJECTED && e->reason == reason;
    }
    return n;
}

START_TEST(proposes_only_in_its_own_slot)
{
    peer a;
    peer_init(&a, 0);
    GBytes *first = peer_propose(&a, 1); /* height 1 round 0 (slot 1) is v0's */
    ck_assert_ptr_nonnull(first);
    g_bytes_unref(first);
    /* Height 2 in slots 2, 3, 4 is rounds 0, 1, 2: v1, v2, v3. */
    GBytes *none = peer_propose(&a, 4);
    ck_assert_ptr_null(none);
    ck_assert_uint_eq(fake_env_count_events(&a.env, PROTO_EV_BLOCK_PROPOSED), 0);
    ck_assert_uint_eq(poa_node_proposer(a.node, 2), 1);
    ck_assert_uint_eq(poa_node_proposer(a.node, 5), 0);
    ck_assert_uint_eq(poa_node_proposer(a.node, 1), PROTO_PROPOSER_NONE);
    peer b;
    peer_init(&b, 0);
    GBytes *blk = peer_propose(&b, 1);
    ck_assert_ptr_nonnull(blk);
    ck_assert_uint_eq(fake_env_count_events(&b.env, PROTO_EV_BLOCK_PROPOSED), 1);
    guint block_sends = 0;
    for (guint i = 0; i < b.env.sends->len; i++) {
        fake_send *s = &g_array_index(b.env.sends, fake_send, i);
        ck_assert_uint_ne(s->to, 0);
        block_sends += poa_msg_type(s->wire) == PROTO_MSG_BLOCK;
    }
    ck_assert_uint_eq(block_sends, V - 1);
    ck_assert_uint_eq(poa_node_head_height(b.node), 1);
    g_bytes_unref(blk);
    peer_clear(&a);
    peer_clear(&b);
}
END_TEST

START_TEST(accepts_valid_block_and_finalizes_after_two_thirds)
{
    peer p[V];
    for (int v = 0; v < V; v++)
        peer_init(&p[v], v);
    /* Slots 1, 2, 3 (heights 1, 2, 3) by v0, v1, v2: deliver every block
     * to everyone. */
    for (uint64_t slot = 1; slot <= 3; slot++) {
        int v = (int)((slot - 1) % V);
        GBytes *blk = peer_propose(&p[v], slot);
        ck_assert_ptr_nonnull(blk);
        for (int k = 0; k < V; k++) {
            if (k == v)
                continue;
            p[k].env.now_ns = (int64_t)slot * SLOT_NS + 1000;
            deliver(&p[k], (proto_node_id)v, blk);
        }
        g_bytes_unref(blk);
    }
    for (int k = 0; k < V; k++) {
        ck_assert_uint_eq(poa_node_head_height(p[k].node), 3);
        /* 3 distinct signers of 4 (300 of 400 > 2/3): block 1 is final,
         * block 2 only has v1 and v2 above it (200 of 400): not final. */
        ck_assert_uint_eq(poa_node_final_height(p[k].node), 1);
    }
    proto_hash h0, h1;
    ck_assert(poa_node_final_hash(p[0].node, 1, &h0));
    ck_assert(poa_node_final_hash(p[3].node, 1, &h1));
    ck_assert(proto_hash_equal(&h0, &h1));
    for (int v = 0; v < V; v++)
        peer_clear(&p[v]);
}
END_TEST

/* Build a block by hand on genesis for `slot`, signed by `signer`. */
static GBytes *forge(uint64_t slot, int signer, uint32_t claimed_proposer, bool good_root)
{
    proto_state *s = proto_state_copy(F.genesis);
    proto_block *b = proto_block_new();
    b->header.height = 1;
    b->header.slot = slot;
    poa_genesis_hash(&F.params, &b->header.parent);
    b->header.proposer = claimed_proposer;
    b->header.timestamp_ns = (int64_t)slot * SLOT_NS;
    /* Executed on genesis (empty: the base fee moves) for the true root. */
    proto_txpool *pool = proto_exec_txpool_new(1);
    proto_undo undo;
    proto_undo_init(&undo);
    proto_exec_env env = {.rules = &F.rules, .crypto = F.crypto};
    ck_assert(proto_exec_build(s, pool, 0, &env, b, &undo));
    proto_undo_clear(&undo);
    proto_txpool_free(pool);
    if (!good_root)
        b->header.state_root.bytes[0] ^= 1;
    proto_block_seal_txs(b);
    proto_block_sign(b, F.params.chain_id, F.crypto, &F.vkeys[signer]);
    GBytes *wire = poa_msg_block_encode(b);
    proto_block_free(b);
    proto_state_free(s);
    return wire;
}

START_TEST(rejects_blocks_that_break_one_rule)
{
    peer p;
    peer_init(&p, 1);
    p.env.now_ns = 5 * SLOT_NS;
    GBytes *good = forge(3, 2, 2, true);         /* height 1, round 2: v2 */
    GBytes *wrong_owner = forge(2, 2, 2, true);  /* round 1 belongs to v1 */
    GBytes *bad_sig = forge(3, 3, 2, true);      /* claims v2, signed by v3 */
    GBytes *bad_root = forge(3, 2, 2, false);
    deliver(&p, 3, wrong_owner);
    ck_assert_uint_eq(rejected(&p, PROTO_REJECT_SCHEDULE), 1);
    deliver(&p, 3, bad_sig);
    ck_assert_uint_eq(rejected(&p, PROTO_REJECT_SIGNATURE), 1);
    deliver(&p, 2, bad_root);
    ck_assert_uint_eq(rejected(&p, PROTO_REJECT_STATE_ROOT), 1);
    ck_assert_uint_eq(poa_node_head_height(p.node), 0);
    /* Malformed bytes: every truncation of a good block, and garbage. */
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(good, &size);
    for (gsize cut = 0; cut < size; cut += 7) {
        GBytes *t = g_bytes_new(data, cut);
        deliver(&p, 2, t);
        g_bytes_unref(t);
    }
    ck_assert_uint_ge(rejected(&p, PROTO_REJECT_DECODE), (size - 1) / 7);
    ck_assert_uint_eq(poa_node_head_height(p.node), 0);
    deliver(&p, 2, good);
    ck_assert_uint_eq(poa_node_head_height(p.node), 1);
    g_bytes_unref(good);
    g_bytes_unref(wrong_owner);
    g_bytes_unref(bad_sig);
    g_bytes_unref(bad_root);
    peer_clear(&p);
}
END_TEST

START_TEST(future_slot_is_rejected)
{
    peer p;
    peer_init(&p, 1);
    p.env.now_ns = 5 * SLOT_NS;
    GBytes *future = forge(6, 1, 1, true); /* v1's round, but it is slot 5 now */
    deliver(&p, 2, future);
    ck_assert_uint_eq(rejected(&p, PROTO_REJECT_TIMESTAMP), 1);
    g_bytes_unref(future);
    peer_clear(&p);
}
END_TEST

START_TEST(longer_branch_wins_with_reorg)
{
    peer p;
    peer_init(&p, 3);
    p.env.now_ns = 10 * SLOT_NS;
    GBytes *short_branch = forge(3, 2, 2, true);
    deliver(&p, 2, short_branch);
    ck_assert_uint_eq(poa_node_head_height(p.node), 1);
    /* v0 then v1 build a two-block branch (slots 1, 2) on genesis. */
    peer b1, b2;
    peer_init(&b1, 0);
    peer_init(&b2, 1);
    GBytes *x1 = peer_propose(&b1, 1);
    b2.env.now_ns = SLOT_NS + 1;
    deliver(&b2, 0, x1);
    GBytes *x2 = peer_propose(&b2, 2);
    deliver(&p, 0, x1);
    /* equal height: slot 1 < slot 3, so the lower-slot branch wins */
    ck_assert_uint_eq(poa_node_head_height(p.node), 1);
    ck_assert_uint_eq(fake_env_count_events(&p.env, PROTO_EV_REORG), 1);
    deliver(&p, 1, x2);
    ck_assert_uint_eq(poa_node_head_height(p.node), 2);
    proto_hash head, theirs;
    poa_node_head_hash(p.node, &head);
    poa_node_head_hash(b2.node, &theirs);
    ck_assert(proto_hash_equal(&head, &theirs));
    g_bytes_unref(short_branch);
    g_bytes_unref(x1);
    g_bytes_unref(x2);
    peer_clear(&b1);
    peer_clear(&b2);
    peer_clear(&p);
}
END_TEST

START_TEST(restart_recovers_from_store_and_serves_sync)
{
    peer p[V];
    for (int v = 0; v < V; v++)
        peer_init(&p[v], v);
    for (uint64_t slot = 1; slot <= 8; slot++) {
        int v = (int)((slot - 1) % V);
        GBytes *blk = peer_propose(&p[v], slot);
        for (int k = 0; k < V; k++) {
            if (k != v) {
                p[k].env.now_ns = (int64_t)slot * SLOT_NS + 1000;
                deliver(&p[k], (proto_node_id)v, blk);
            }
        }
        g_bytes_unref(blk);
    }
    uint64_t final = poa_node_final_height(p[0].node);
    ck_assert_uint_ge(final, 5);
    /* Crash v0: free the node, keep its store, construct it again. */
    poa_node_ops.free(p[0].node);
    fake_env_reset_records(&p[0].env);
    p[0].env.now_ns = 9 * SLOT_NS;
    p[0].node = poa_node_new(&F.params, 0, 0, &F.vkeys[0], &p[0].env.env);
    ck_assert_uint_eq(poa_node_final_height(p[0].node), final);
    ck_assert_uint_eq(fake_env_count_events(&p[0].env, PROTO_EV_RECOVERED), 1);
    /* It asked a peer for newer blocks; let that peer answer. */
    fake_send *req = NULL;
    for (guint i = 0; i < p[0].env.sends->len; i++) {
        fake_send *s = &g_array_index(p[0].env.sends, fake_send, i);
        if (poa_msg_type(s->wire) == PROTO_MSG_GET_BLOCKS)
            req = s;
    }
    ck_assert_ptr_nonnull(req);
    peer *server = &p[req->to];
    fake_env_reset_records(&server->env);
    deliver(server, 0, req->wire);
    ck_assert_uint_eq(server->env.sends->len, 1);
    GBytes *reply = g_bytes_ref(g_array_index(server->env.sends, fake_send, 0).wire);
    ck_assert_uint_eq(poa_msg_type(reply), PROTO_MSG_BLOCKS);
    deliver(&p[0], req->to, reply);
    ck_assert_uint_eq(poa_node_head_height(p[0].node), 8);
    g_bytes_unref(reply);
    for (int v = 0; v < V; v++)
        peer_clear(&p[v]);
}
END_TEST

START_TEST(transactions_are_checked_and_forwarded)
{
    peer p;
    peer_init(&p, 1);
    proto_txenv tx = client_tx(2, 0);
    GBytes *wire = poa_msg_tx_encode(&tx);
    poa_node_ops.submit_tx(p.node, wire);
    guint forwarded = 0;
    for (guint i = 0; i < p.env.sends->len; i++)
        forwarded += poa_msg_type(g_array_index(p.env.sends, fake_send, i).wire) == PROTO_MSG_TX;
    ck_assert_uint_eq(forwarded, V - 1);
    /* Signed by the wrong account: rejected, not forwarded. */
    fake_env_reset_records(&p.env);
    proto_txenv bad = client_tx(2, 1);
    bad.sig.bytes[0] ^= 1; /* not the sender's signature */
    GBytes *bad_wire = poa_msg_tx_encode(&bad);
    poa_node_ops.submit_tx(p.node, bad_wire);
    ck_assert_uint_eq(p.env.sends->len, 0);
    ck_assert_uint_eq(fake_env_count_events(&p.env, PROTO_EV_TX_REJECTED), 1);
    /* The good one goes into our next block (slot 2: v0 let slot 1 pass). */
    GBytes *blk = peer_propose(&p, 2);
    ck_assert_ptr_nonnull(blk);
    GBytes *body = poa_msg_block_body(blk);
    proto_reader r;
    gsize size = 0;
    const void *data = g_bytes_get_data(body, &size);
    proto_reader_init(&r, data, size);
    proto_block *b = proto_block_decode(&r, 100);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(b->header.tx_count, 1);
    proto_block_free(b);
    g_bytes_unref(body);
    g_bytes_unref(blk);
    g_bytes_unref(wire);
    g_bytes_unref(bad_wire);
    peer_clear(&p);
}
END_TEST

typedef struct hostile_case {
    const char *rule; /* the refusal name expected */
    proto_txenv tx;
} hostile_case;

/* The last event's refusal name, or NULL. */
static const char *last_refusal(const peer *p)
{
    ck_assert_uint_gt(p->env.events->len, 0);
    return g_array_index(p->env.events, proto_event, p->env.events->len - 1).refusal;
}

/* A hostile transaction from a peer is refused with the rule it broke
 * named in the event (counted per rule in a run's figures as
 * rejected.tx.RULE), is not forwarded, and leaves the state alone. */
START_TEST(hostile_transactions_are_refused_by_rule)
{
    peer p;
    peer_init(&p, 1);
    proto_hash root_before;
    proto_state_root((proto_state *)poa_node_state(p.node), &root_before);
    hostile_case cases[8];
    guint count = 0;
    proto_txenv t = client_tx(2, 0);
    t.chain_id ^= 1;
    cases[count++] = (hostile_case){"wrong_chain", t};
    t = client_tx(2, 0);
    t.gas_limit = 0;
    cases[count++] = (hostile_case){"zero_gas", t};
    t = client_tx(2, 0);
    t.gas_limit = TXFIX_BLOCK_GAS_LIMIT + 1;
    cases[count++] = (hostile_case){"gas_over_block_limit", t};
    t = client_tx(2, 0);
    t.max_priority_fee_per_gas = t.max_fee_per_gas + 1;
    cases[count++] = (hostile_case){"tip_above_fee_cap", t};
    t = client_tx(2, 0);
    t.max_fee_per_gas = UINT64_MAX / 2;
    t.max_priority_fee_per_gas = 1;
    cases[count++] = (hostile_case){"fee_overflow", t};
    t = client_tx(2, 0);
    t.sig.bytes[5] ^= 1;
    cases[count++] = (hostile_case){"bad_signature", t};
    /* Well formed and signed, but the sender cannot cover gas x fee cap. */
    t = txfix_transfer(F.crypto, F.params.chain_id, &F.akeys[2], 0, 3, 10,
                       (txfix_fees){.max_fee_per_gas = BALANCE, .max_priority_fee_per_gas = 1});
    cases[count++] = (hostile_case){"no_funds", t};
    for (guint i = 0; i < count; i++) {
        fake_env_reset_records(&p.env);
        GBytes *wire = poa_msg_tx_encode(&cases[i].tx);
        deliver(&p, 2, wire);
        g_bytes_unref(wire);
        ck_assert_msg(p.env.sends->len == 0, "%s: forwarded", cases[i].rule);
        ck_assert_uint_eq(fake_env_count_events(&p.env, PROTO_EV_MSG_REJECTED), 1);
        ck_assert_ptr_nonnull(last_refusal(&p));
        ck_assert_str_eq(last_refusal(&p), cases[i].rule);
    }
    /* Bytes no encoder makes: 10,000 messages, an unknown message type,
     * a byte after the signature. */
    proto_txenv good = client_tx(2, 0);
    GBytes *wire = poa_msg_tx_encode(&good);
    gsize size = 0;
    const uint8_t *data = g_bytes_get_data(wire, &size);
    const size_t count_at = 1 + PROTO_TXENV_HEADER_SIZE - 2; /* after the message type byte */
    struct {
        const char *rule;
        size_t at;
        uint16_t value;
        bool append;
    } raw[] = {{"too_many_messages", count_at, 10000, false},
               {"unknown_message", count_at + 2, 0xEE, false},
               {"trailing_bytes", 0, 0, true}};
    for (guint i = 0; i < G_N_ELEMENTS(raw); i++) {
        GByteArray *bytes = g_byte_array_new();
        g_byte_array_append(bytes, data, (guint)size);
        if (raw[i].append) {
            uint8_t zero = 0;
            g_byte_array_append(bytes, &zero, 1);
        } else if (raw[i].value > 0xFF) {
            bytes->data[raw[i].at] = (uint8_t)raw[i].value;
            bytes->data[raw[i].at + 1] = (uint8_t)(raw[i].value >> 8);
        } else {
            bytes->data[raw[i].at] = (uint8_t)raw[i].value;
        }
        GBytes *bad = g_byte_array_free_to_bytes(bytes);
        fake_env_reset_records(&p.env);
        deliver(&p, 2, bad);
        g_bytes_unref(bad);
        ck_assert_msg(p.env.sends->len == 0, "%s: forwarded", raw[i].rule);
        ck_assert_uint_eq(rejected(&p, PROTO_REJECT_DECODE), 1);
        ck_assert_str_eq(last_refusal(&p), raw[i].rule);
    }
    g_bytes_unref(wire);
    proto_hash root_after;
    proto_state_root((proto_state *)poa_node_state(p.node), &root_after);
    ck_assert(proto_hash_equal(&root_before, &root_after));
    ck_assert_uint_eq(poa_node_head_height(p.node), 0);
    peer_clear(&p);
}
END_TEST

START_TEST(overlay_is_used_when_present)
{
    /* A validator on an overlay: its block and a client's transaction are
     * broadcast, never sent node by node. */
    peer v;
    fake_env_init(&v.env);
    proto_node_id vpeers[] = {0, 2, 3, 9};
    fake_env_set_overlay(&v.env, vpeers, 4);
    v.node = poa_node_new(&F.params, 1, 1, &F.vkeys[1], &v.env.env);
    proto_txenv tx = client_tx(2, 0);
    GBytes *wire = poa_msg_tx_encode(&tx);
    poa_node_ops.submit_tx(v.node, wire);
    ck_assert_uint_eq(v.env.broadcasts->len, 1);
    fake_broadcast *b = &g_array_index(v.env.broadcasts, fake_broadcast, 0);
    ck_assert_int_eq(b->scope, PROTO_SCOPE_VALIDATORS);
    ck_assert_uint_eq(poa_msg_type(b->wire), PROTO_MSG_TX);
    GBytes *blk = peer_propose(&v, 2); /* from sends: there are none */
    ck_assert_ptr_null(blk);
    ck_assert_uint_eq(v.env.sends->len, 0);
    ck_assert_uint_eq(v.env.broadcasts->len, 1);
    b = &g_array_index(v.env.broadcasts, fake_broadcast, 0);
    ck_assert_int_eq(b->scope, PROTO_SCOPE_ALL);
    ck_assert_uint_eq(poa_msg_type(b->wire), PROTO_MSG_BLOCK);
    ck_assert_uint_eq(poa_node_head_height(v.node), 1);

    /* A full node restarting late asks one of its peers, not a validator. */
    peer f;
    fake_env_init(&f.env);
    proto_node_id fpeers[] = {6, 7};
    fake_env_set_overlay(&f.env, fpeers, 2);
    f.env.now_ns = 5 * SLOT_NS;
    f.node = poa_node_new(&F.params, 5, -1, NULL, &f.env.env);
    ck_assert_uint_gt(f.env.peers_calls, 0);
    ck_assert_uint_eq(f.env.sends->len, 1);
    fake_send *req = &g_array_index(f.env.sends, fake_send, 0);
    ck_assert_uint_eq(poa_msg_type(req->wire), PROTO_MSG_GET_BLOCKS);
    ck_assert(req->to == 6 || req->to == 7);
    /* It relays transactions, so it checks them: a bad one is rejected. */
    proto_txenv bad = tx;
    bad.sig.bytes[0] ^= 1; /* not the sender's signature */
    GBytes *bad_wire = poa_msg_tx_encode(&bad);
    poa_node_ops.on_message(f.node, 6, wire);
    ck_assert_uint_eq(rejected(&f, PROTO_REJECT_SIGNATURE), 0);
    poa_node_ops.on_message(f.node, 6, bad_wire);
    ck_assert_uint_eq(rejected(&f, PROTO_REJECT_SIGNATURE), 1);
    /* Without an overlay a full node ignores them, as before. */
    peer g;
    fake_env_init(&g.env);
    g.node = poa_node_new(&F.params, 5, -1, NULL, &g.env.env);
    poa_node_ops.on_message(g.node, 6, bad_wire);
    ck_assert_uint_eq(rejected(&g, PROTO_REJECT_SIGNATURE), 0);
    g_bytes_unref(wire);
    g_bytes_unref(bad_wire);
    peer_clear(&v);
    peer_clear(&f);
    peer_clear(&g);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("poa");
    TCase *tc = tcase_create("node");
    tcase_add_checked_fixture(tc, fixture_setup, fixture_teardown);
    tcase_add_test(tc, proposes_only_in_its_own_slot);
    tcase_add_test(tc, accepts_valid_block_and_finalizes_after_two_thirds);
    tcase_add_test(tc, rejects_blocks_that_break_one_rule);
    tcase_add_test(tc, future_slot_is_rejected);
    tcase_add_test(tc, longer_branch_wins_with_reorg);
    tcase_add_test(tc, restart_recovers_from_store_and_serves_sync);
    tcase_add_test(tc, transactions_are_checked_and_forwarded);
    tcase_add_test(tc, hostile_transactions_are_refused_by_rule);
    tcase_add_test(tc, overlay_is_used_when_present);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
