/* The memos shared by the nodes of one chain must change nothing but the
 * work done (protocol/memo/exec_memo.c, block_memo.c, and the
 * verification logs of protocol/core/crypto.c).
 *
 * Execution: five nodes follow a chain of blocks, once each executing on
 * its own copy of the state, once through an execution memo (sharing the
 * genesis state). Each block carries transfers (fees burned and tipped to
 * the proposer's fee account) and a key rotation by a validator's
 * operator, which the validator module reports as an event. After every
 * block each node must have the same state root and the same events (the
 * module's and the extension's) either way, and at the end the two
 * crypto contexts must hold identical statistics: calls, computed,
 * memo hits and clears, in real mode (with a memo small enough to be
 * cleared, and without one) and in fast mode. The nodes that follow the
 * first share its post-state. A block that fails leaves the state as it
 * was and is not remembered; the memo's bound and its eviction of the
 * lowest height hold.
 *
 * Decoding: a block decoded through the memo equals a direct decode (tx
 * ids included), the same bytes in another buffer give the same shared
 * block, a lower txs_max fails as decode does, malformed bytes fail; the
 * bytes to store are a compact copy; attachments offered for a block are
 * shared when equal. */
#include <check.h>
#include <string.h>

#include "protocol/core/codec.h"
#include "protocol/memo/block_memo.h"
#include "protocol/memo/exec_memo.h"
#include "protocol/modules/validator/validator.h"
#include "support/tx_fixture.h"

#define CHAIN_ID 5
#define ACCOUNTS 12
#define SENDERS 9 /* transfers come from accounts 0..8; 9..11 operate the validators */
#define NODES 5
#define BLOCKS 4
#define TRANSFERS_PER_BLOCK 6
#define TXS_PER_BLOCK (TRANSFERS_PER_BLOCK + 1) /* and one key rotation */
#define BASE_FEE 100
#define BALANCE 1000000000000ULL

static proto_keypair keys[ACCOUNTS];
/* Validator i's tips go to account 9 + i, which also operates it. */
static const uint32_t fee_accounts[3] = {9, 10, 11};
static const txfix_fees FEES = {.max_fee_per_gas = 2 * BASE_FEE, .max_priority_fee_per_gas = 5};

static proto_chain_rules chain_rules(void)
{
    return txfix_rules(CHAIN_ID, TXFIX_BLOCK_GAS_LIMIT, BASE_FEE, fee_accounts, 3);
}

static proto_state *genesis_new(void)
{
    proto_state *s = proto_state_new();
    for (uint32_t i = 0; i < ACCOUNTS; i++) {
        char label[32];
        g_snprintf(label, sizeof label, "account/%u", i);
        proto_keypair_derive(&keys[i], 3, label);
        proto_state_add_account(s, &keys[i].pk, BALANCE);
    }
    proto_slashing_params p = proto_slashing_defaults();
    proto_pubkey vkeys[3];
    uint64_t stakes[3] = {1000, 1000, 1000};
    for (uint32_t i = 0; i < 3; i++)
        memset(vkeys[i].bytes, (int)(0x60 + i), PROTO_PUBKEY_SIZE);
    proto_valset *v = proto_valset_new(&p, 3, vkeys, stakes);
    for (uint32_t i = 0; i < 3; i++)
        proto_valset_set_operator(v, i, fee_accounts[i]);
    proto_validator_genesis(s, v);
    proto_state_set_base_fee(s, BASE_FEE, NULL);
    return s;
}

/* The extension under test: checks one signature (the block's first tx,
 * again) and reports one event per block after the modules' events, as
 * a consensus extension reports its effects; ctx is the node's. */
typedef struct ext_ctx {
    proto_crypto *c;
    const proto_state *const *state; /* the node's state slot */
    GArray *events;                  /* proto_event: the node's, also the env's */
} ext_ctx;

static bool test_ext(void *ctx, proto_state *s, const proto_block *b, proto_undo *undo)
{
    (void)undo;
    ext_ctx *x = ctx;
    ck_assert_ptr_eq(s, *x->state); /* runs on the state the node now holds */
    if (b->txs->len > 0) {
        const proto_txenv *tx = &g_array_index(b->txs, proto_txenv, 0);
        ck_assert(proto_txenv_verify(tx, x->c));
    }
    proto_event ev = {.kind = PROTO_EV_SLASHED, .height = b->header.height,
                      .amount = b->txs->len, .validator = (uint32_t)(b->header.height % 3)};
    g_array_append_val(x->events, ev);
    return true;
}

/* Block `height` on pre: TRANSFERS_PER_BLOCK transfers and validator
 * (height % 3)'s key rotation by its operator, built (fee fields, root)
 * on a scratch copy from a pool; signed with sign_c. */
static proto_block *make_block(const proto_state *pre, uint64_t height, proto_crypto *sign_c)
{
    proto_chain_rules rules = chain_rules();
    proto_state *s = proto_state_copy(pre);
    proto_txpool *pool = proto_exec_txpool_new(64);
    for (uint32_t i = 0; i < TRANSFERS_PER_BLOCK; i++) {
        uint32_t from = (uint32_t)((height * 7 + i) % SENDERS);
        uint32_t to = (from + 1 + i) % ACCOUNTS;
        if (to == from)
            to = (to + 1) % ACCOUNTS;
        proto_txenv tx = txfix_transfer(sign_c, CHAIN_ID, &keys[from],
                                        proto_state_account(s, from)->nonce, to, 10 + i, FEES);
        proto_hash id;
        ck_assert_int_eq(proto_exec_admit_tx(s, pool, &rules, sign_c, &tx, &id, NULL),
                         PROTO_REJECT_NONE);
    }
    uint32_t v = (uint32_t)(height % 3);
    proto_pubkey fresh;
    memset(fresh.bytes, (int)(0x30 + height), sizeof fresh.bytes);
    proto_txenv rotate = txfix_rotate(sign_c, CHAIN_ID, &keys[fee_accounts[v]],
                                      proto_state_account(s, fee_accounts[v])->nonce, v, &fresh,
                                      FEES);
    proto_hash id;
    ck_assert_int_eq(proto_exec_admit_tx(s, pool, &rules, sign_c, &rotate, &id, NULL),
                     PROTO_REJECT_NONE);
    proto_block *b = proto_block_new();
    b->header.height = height;
    b->header.slot = height;
    b->header.proposer = v;
    b->header.timestamp_ns = (int64_t)height * 1000;
    proto_exec_env env = {.rules = &rules, .crypto = sign_c};
    proto_undo undo;
    proto_undo_init(&undo);
    ck_assert(proto_exec_build(s, pool, 100, &env, b, &undo));
    ck_assert_uint_eq(b->txs->len, TXS_PER_BLOCK);
    ck_assert_uint_gt(b->header.gas_used, 0);
    proto_undo_clear(&undo);
    proto_txpool_free(pool);
    proto_state_free(s);
    return b;
}

typedef struct node_run {
    proto_state *state;
    GArray *events;
    ext_ctx ext;
} node_run;

static void nodes_init(node_run *nodes, const proto_state *genesis, proto_crypto *c, bool share)
{
    for (int i = 0; i < NODES; i++) {
        nodes[i].state = share ? proto_state_ref(genesis) : proto_state_copy(genesis);
        nodes[i].events = g_array_new(FALSE, FALSE, sizeof(proto_event));
        nodes[i].ext = (ext_ctx){.c = c,
                                 .state = (const proto_state *const *)&nodes[i].state,
                                 .events = nodes[i].events};
    }
}

static void nodes_clear(node_run *nodes)
{
    for (int i = 0; i < NODES; i++) {
        proto_state_free(nodes[i].state);
        g_array_unref(nodes[i].events);
    }
}

static void assert_same_stats(proto_crypto *a, proto_crypto *b)
{
    proto_crypto_stats x = proto_crypto_get_stats(a), y = proto_crypto_get_stats(b);
    ck_assert_uint_eq(x.verify_calls, y.verify_calls);
    ck_assert_uint_eq(x.verify_computed, y.verify_computed);
    ck_assert_uint_eq(x.verify_memo_hits, y.verify_memo_hits);
    ck_assert_uint_eq(x.memo_clears, y.memo_clears);
    ck_assert_uint_eq(x.signs, y.signs);
}

/* Every field a module or an extension fills. */
static void assert_same_events(GArray *x, GArray *y)
{
    ck_assert_uint_eq(x->len, y->len);
    for (guint i = 0; i < x->len; i++) {
        const proto_event *a = &g_array_index(x, proto_event, i);
        const proto_event *b = &g_array_index(y, proto_event, i);
        ck_assert_int_eq(a->kind, b->kind);
        ck_assert_uint_eq(a->height, b->height);
        ck_assert_uint_eq(a->validator, b->validator);
        ck_assert_uint_eq(a->amount, b->amount);
        ck_assert_uint_eq(a->effective_height, b->effective_height);
        ck_assert_uint_eq(a->evidence_height, b->evidence_height);
        ck_assert_uint_eq(a->slash_reason, b->slash_reason);
    }
}

static proto_exec_env node_env(const proto_chain_rules *rules, proto_crypto *c, node_run *n)
{
    g_array_set_size(n->events, 0); /* as a node does before each block */
    return (proto_exec_env){.rules = rules, .crypto = c, .ext_fn = test_ext, .ext_ctx = &n->ext,
                            .events = n->events};
}

static void same_results(proto_crypto_mode mode, size_t crypto_memo)
{
    proto_chain_rules rules = chain_rules();
    proto_crypto *sign_c = proto_crypto_new(mode, 0);
    proto_crypto *plain_c = proto_crypto_new(mode, crypto_memo);
    proto_crypto *memo_c = proto_crypto_new(mode, crypto_memo);
    proto_state *genesis = genesis_new();
    proto_exec_memo *memo = proto_exec_memo_new(4);
    node_run plain[NODES], shared[NODES];
    nodes_init(plain, genesis, plain_c, false);
    nodes_init(shared, genesis, memo_c, true);
    proto_state *chain = proto_state_copy(genesis);
    proto_exec_env chain_env = {.rules = &rules, .crypto = sign_c};
    for (uint64_t h = 1; h <= BLOCKS; h++) {
        proto_block *b = make_block(chain, h, sign_c);
        ck_assert(proto_exec_apply(chain, b, &chain_env, NULL));
        for (int i = 0; i < NODES; i++) {
            proto_exec_env pe = node_env(&rules, plain_c, &plain[i]);
            ck_assert(proto_exec_apply(plain[i].state, b, &pe, NULL));
            proto_exec_env se = node_env(&rules, memo_c, &shared[i]);
            ck_assert(proto_exec_memo_apply(memo, &shared[i].state, b, &se));
            proto_hash x, y;
            proto_state_root(plain[i].state, &x);
            proto_state_root(shared[i].state, &y);
            ck_assert(proto_hash_equal(&x, &y));
            ck_assert(proto_hash_equal(&x, &b->header.state_root));
            /* The rotation (the module's) then the extension's. */
            ck_assert_uint_eq(plain[i].events->len, 2);
            const proto_event *rot = &g_array_index(plain[i].events, proto_event, 0);
            ck_assert_int_eq(rot->kind, PROTO_EV_KEY_ROTATED);
            ck_assert_uint_eq(rot->validator, h % 3);
            ck_assert_uint_eq(rot->effective_height, h + 2);
            ck_assert_int_eq(g_array_index(plain[i].events, proto_event, 1).kind,
                             PROTO_EV_SLASHED);
            assert_same_events(plain[i].events, shared[i].events);
            /* Everyone after the first takes the first one's post-state. */
            ck_assert_ptr_eq(shared[i].state, shared[0].state);
        }
        proto_block_free(b);
    }
    assert_same_stats(plain_c, memo_c);
    proto_exec_memo_stats st = proto_exec_memo_get_stats(memo);
    ck_assert_uint_eq(st.misses, BLOCKS);
    ck_assert_uint_eq(st.hits, (NODES - 1) * BLOCKS);
    ck_assert_uint_eq(st.copies, BLOCKS); /* the first node's state is always shared */
    /* The fees went where they should: burned, and tips to the proposers'
     * fee accounts; the supply did not move. */
    ck_assert_uint_gt(proto_state_burned(chain), 0);
    ck_assert_uint_eq(proto_state_total_supply(chain), proto_state_total_supply(genesis));
    nodes_clear(plain);
    nodes_clear(shared);
    proto_state_free(chain);
    proto_exec_memo_free(memo);
    proto_state_free(genesis);
    proto_crypto_free(sign_c);
    proto_crypto_free(plain_c);
    proto_crypto_free(memo_c);
}

START_TEST(same_results_real_mode)
{
    same_results(PROTO_CRYPTO_REAL, 4096);
}
END_TEST

START_TEST(same_results_real_mode_small_memo)
{
    same_results(PROTO_CRYPTO_REAL, 5); /* cleared again and again */
}
END_TEST

START_TEST(same_results_real_mode_no_memo)
{
    same_results(PROTO_CRYPTO_REAL, 0);
}
END_TEST

START_TEST(same_results_fast_mode)
{
    same_results(PROTO_CRYPTO_FAST, 4096);
}
END_TEST

START_TEST(failed_execution_changes_nothing)
{
    proto_chain_rules rules = chain_rules();
    proto_crypto *c = proto_crypto_new(PROTO_CRYPTO_FAST, 0);
    proto_state *genesis = genesis_new();
    proto_exec_memo *memo = proto_exec_memo_new(4);
    proto_block *b = make_block(genesis, 1, c);
    b->header.state_root.bytes[0] ^= 1; /* claims another root */
    proto_block_seal_txs(b);
    proto_state *mine = proto_state_ref(genesis);
    proto_hash before;
    proto_state_root(genesis, &before);
    GArray *events = g_array_new(FALSE, FALSE, sizeof(proto_event));
    proto_exec_env env = {.rules = &rules, .crypto = c, .events = events};
    for (int round = 0; round < 2; round++) {
        ck_assert(!proto_exec_memo_apply(memo, &mine, b, &env));
        ck_assert_ptr_eq(mine, genesis); /* still the shared state, untouched */
        proto_hash after;
        proto_state_root(mine, &after);
        ck_assert(proto_hash_equal(&before, &after));
        ck_assert_uint_eq(events->len, 0); /* the rotation's event was taken back */
    }
    ck_assert_uint_eq(proto_exec_memo_get_stats(memo).misses, 2); /* not remembered */
    ck_assert_uint_eq(proto_exec_memo_get_stats(memo).hits, 0);
    g_array_unref(events);
    proto_state_free(mine);
    proto_block_free(b);
    proto_exec_memo_free(memo);
    proto_state_free(genesis);
    proto_crypto_free(c);
}
END_TEST

START_TEST(bounded_and_keeps_the_heights_in_flight)
{
    proto_chain_rules rules = chain_rules();
    proto_crypto *c = proto_crypto_new(PROTO_CRYPTO_FAST, 0);
    proto_exec_env env = {.rules = &rules, .crypto = c};
    proto_state *genesis = genesis_new();
    proto_exec_memo *memo = proto_exec_memo_new(2);
    /* A chain of 4 blocks, executed by a leader through the memo. */
    proto_block *blocks[5] = {NULL};
    proto_state *chain = proto_state_copy(genesis);
    proto_state *leader = proto_state_ref(genesis);
    for (uint64_t h = 1; h <= 4; h++) {
        blocks[h] = make_block(chain, h, c);
        ck_assert(proto_exec_apply(chain, blocks[h], &env, NULL));
        ck_assert(proto_exec_memo_apply(memo, &leader, blocks[h], &env));
    }
    ck_assert_uint_eq(proto_exec_memo_get_stats(memo).misses, 4);
    /* Heights 3 and 4 are kept, 1 was evicted: a laggard replaying from
     * genesis executes 1 and 2 itself (without pushing 3 and 4 out),
     * then takes 3 and 4 from the memo. */
    proto_state *laggard = proto_state_ref(genesis);
    for (uint64_t h = 1; h <= 4; h++)
        ck_assert(proto_exec_memo_apply(memo, &laggard, blocks[h], &env));
    proto_exec_memo_stats st = proto_exec_memo_get_stats(memo);
    ck_assert_uint_eq(st.misses, 6);
    ck_assert_uint_eq(st.hits, 2);
    ck_assert_ptr_eq(laggard, leader);
    proto_state_free(laggard);
    proto_state_free(leader);
    proto_state_free(chain);
    for (int h = 1; h <= 4; h++)
        proto_block_free(blocks[h]);
    proto_exec_memo_free(memo);
    proto_state_free(genesis);
    proto_crypto_free(c);
}
END_TEST

static GBytes *encode(const proto_block *b)
{
    proto_writer w;
    proto_writer_init(&w);
    proto_block_encode(b, &w);
    GBytes *out = proto_writer_steal(&w);
    proto_writer_clear(&w);
    return out;
}

START_TEST(decoding_through_the_memo_is_decoding)
{
    proto_crypto *c = proto_crypto_new(PROTO_CRYPTO_FAST, 0);
    proto_state *genesis = genesis_new();
    proto_block_memo *memo = proto_block_memo_new(2);
    proto_block *b = make_block(genesis, 1, c);
    GBytes *bytes = encode(b);
    GBytes *again = g_bytes_new(g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes));
    proto_block *direct = proto_block_decode_all(g_bytes_get_data(bytes, NULL),
                                                 g_bytes_get_size(bytes), 100);
    proto_block *first = proto_block_memo_decode(memo, bytes, 100);
    proto_block *second = proto_block_memo_decode(memo, again, 100); /* another buffer */
    ck_assert_ptr_nonnull(direct);
    ck_assert_ptr_nonnull(first);
    ck_assert_ptr_eq(first, second); /* one shared block */
    ck_assert_int_eq(memcmp(&direct->header, &first->header, sizeof direct->header), 0);
    ck_assert(proto_hash_equal(&direct->hash, &first->hash));
    ck_assert_uint_eq(direct->txs->len, first->txs->len);
    ck_assert_uint_eq(first->txs->len, TXS_PER_BLOCK);
    ck_assert_int_eq(memcmp(direct->txs->data, first->txs->data,
                            direct->txs->len * sizeof(proto_txenv)),
                     0);
    proto_hash ids[TXS_PER_BLOCK], want[TXS_PER_BLOCK];
    proto_block_tx_ids(first, ids);
    for (guint i = 0; i < TXS_PER_BLOCK; i++)
        proto_txenv_hash(&g_array_index(b->txs, proto_txenv, i), &want[i]);
    ck_assert_int_eq(memcmp(ids, want, sizeof ids), 0);
    proto_block_memo_stats st = proto_block_memo_get_stats(memo);
    ck_assert_uint_eq(st.misses, 1);
    ck_assert_uint_eq(st.hits, 1);
    /* What to store: the same bytes in a buffer of their own, for blocks
     * the memo handed out only. */
    GBytes *stored = proto_block_memo_stored_bytes(memo, first);
    ck_assert_ptr_nonnull(stored);
    ck_assert(g_bytes_equal(stored, bytes));
    ck_assert_ptr_ne(g_bytes_get_data(stored, NULL), g_bytes_get_data(bytes, NULL));
    ck_assert_ptr_null(proto_block_memo_stored_bytes(memo, direct));
    g_bytes_unref(stored);
    /* A lower bound fails as decoding fails; so do damaged bytes. */
    ck_assert_ptr_null(proto_block_memo_decode(memo, bytes, TXS_PER_BLOCK - 1));
    uint8_t *raw = g_memdup2(g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes));
    raw[PROTO_BLOCK_HEADER_WIRE_SIZE + 10] ^= 1; /* a tx byte: the tx root no longer matches */
    GBytes *damaged = g_bytes_new_take(raw, g_bytes_get_size(bytes));
    ck_assert_ptr_null(proto_block_memo_decode(memo, damaged, 100));
    GBytes *shorter = g_bytes_new(g_bytes_get_data(bytes, NULL), 100);
    ck_assert_ptr_null(proto_block_memo_decode(memo, shorter, 100));
    /* Attachments: equal bytes are shared, others kept as given. */
    static const uint8_t cert_a[] = {1, 2, 3}, cert_b[] = {4, 5};
    GBytes *a1 = g_bytes_new(cert_a, sizeof cert_a), *a2 = g_bytes_new(cert_a, sizeof cert_a);
    GBytes *b1 = g_bytes_new(cert_b, sizeof cert_b);
    GBytes *s1 = proto_block_memo_share(memo, &b->hash, a1);
    GBytes *s2 = proto_block_memo_share(memo, &b->hash, a2);
    GBytes *s3 = proto_block_memo_share(memo, &b->hash, b1);
    ck_assert_ptr_eq(s1, a1);
    ck_assert_ptr_eq(s2, a1);
    ck_assert_ptr_eq(s3, b1);
    proto_hash unknown = {{0}};
    GBytes *s4 = proto_block_memo_share(memo, &unknown, a2);
    ck_assert_ptr_eq(s4, a2);
    GBytes *all[] = {s1, s2, s3, s4, a1, a2, b1, bytes, again, damaged, shorter};
    for (guint i = 0; i < G_N_ELEMENTS(all); i++)
        g_bytes_unref(all[i]);
    proto_block_free(first);
    proto_block_free(second);
    proto_block_free(direct);
    proto_block_free(b);
    proto_block_memo_free(memo);
    proto_state_free(genesis);
    proto_crypto_free(c);
}
END_TEST

static Suite *memo_suite(void)
{
    Suite *s = suite_create("exec_memo");
    TCase *tc = tcase_create("memo");
    tcase_add_test(tc, same_results_real_mode);
    tcase_add_test(tc, same_results_real_mode_small_memo);
    tcase_add_test(tc, same_results_real_mode_no_memo);
    tcase_add_test(tc, same_results_fast_mode);
    tcase_add_test(tc, failed_execution_changes_nothing);
    tcase_add_test(tc, bounded_and_keeps_the_heights_in_flight);
    tcase_add_test(tc, decoding_through_the_memo_is_decoding);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    proto_crypto_global_init();
    SRunner *sr = srunner_create(memo_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
