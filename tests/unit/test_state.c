/* Unit tests for account state (protocol/chain/state.c): transfer rules,
 * effects, undo, conservation and the incremental Merkle root.
 *
 * The root is compared with a reference computed here from scratch (the
 * documented leaf encoding, padded to a power of two, hashed bottom-up),
 * so the lazy dirty-path update is checked against an independent
 * implementation after random transfers, reverts and growth. Random
 * sequences come from a local xorshift generator with a fixed seed.
 *
 * With a bonded validator set attached, the root is checked against
 * H("aitbc/state" || accounts root || valset hash) computed here, and a
 * block that slashes (proto_validator_set_mut + burn) and transfers is reverted to the
 * exact root, set and burned counter it started from. */
#include <check.h>
#include <string.h>

#include "protocol/chain/state.h"
#include "protocol/chain/valset.h"
#include "protocol/modules/validator/validator.h"
#include "protocol/core/fastmix.h"

#define CHAIN_ID 42

typedef struct world {
    proto_crypto *c;
    proto_state *s;
    proto_keypair *keys;
    uint32_t count;
} world;

static void world_init(world *w, proto_crypto_mode mode, uint32_t count, uint64_t balance)
{
    w->c = proto_crypto_new(mode, 4096);
    w->s = proto_state_new();
    w->keys = g_new(proto_keypair, count);
    w->count = count;
    for (uint32_t i = 0; i < count; i++) {
        char label[32];
        g_snprintf(label, sizeof label, "account/%u", i);
        proto_keypair_derive(&w->keys[i], 5, label);
        ck_assert_uint_eq(proto_state_add_account(w->s, &w->keys[i].pk, balance + i), i);
    }
}

static void world_clear(world *w)
{
    proto_state_free(w->s);
    proto_crypto_free(w->c);
    g_free(w->keys);
}

static proto_tx make_tx(world *w, uint32_t from, uint32_t to, uint64_t amount, uint64_t fee)
{
    const proto_account *a = proto_state_account(w->s, from);
    proto_tx tx = {.from = from, .to = to, .amount = amount, .fee = fee, .nonce = a->nonce};
    proto_tx_sign(&tx, CHAIN_ID, w->c, &w->keys[from]);
    return tx;
}

/* Reference root: leaves H(pk || balance LE || nonce LE), zero padding to
 * the next power of two, H(left || right) up to the root. */
static void reference_root(const proto_state *s, proto_hash *out)
{
    uint32_t n = proto_state_account_count(s);
    if (n == 0) {
        memset(out, 0, sizeof *out);
        return;
    }
    uint32_t cap = 1;
    while (cap < n) {
        cap *= 2;
    }
    proto_hash *level = g_new0(proto_hash, cap);
    for (uint32_t i = 0; i < n; i++) {
        const proto_account *a = proto_state_account(s, i);
        uint8_t buf[48];
        memcpy(buf, a->pk.bytes, 32);
        proto_le_put_u64(buf + 32, a->balance);
        proto_le_put_u64(buf + 40, a->nonce);
        proto_hash_bytes(&level[i], buf, sizeof buf);
    }
    for (uint32_t width = cap; width > 1; width /= 2) {
        for (uint32_t i = 0; i < width / 2; i++) {
            proto_hash_pair(&level[i], &level[2 * i], &level[2 * i + 1]);
        }
    }
    *out = level[0];
    g_free(level);
}

static void assert_root_matches_reference(proto_state *s)
{
    proto_hash got;
    proto_hash want;
    proto_state_root(s, &got);
    reference_root(s, &want);
    ck_assert(proto_hash_equal(&got, &want));
}

static uint64_t xorshift(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

START_TEST(test_root_small_shapes)
{
    proto_crypto_global_init();
    proto_state *s = proto_state_new();
    proto_hash root;
    proto_state_root(s, &root);
    ck_assert(proto_hash_is_zero(&root));

    proto_keypair kp;
    for (uint32_t i = 0; i < 9; i++) {
        char label[16];
        g_snprintf(label, sizeof label, "a/%u", i);
        proto_keypair_derive(&kp, 1, label);
        proto_state_add_account(s, &kp.pk, 100 * i);
        assert_root_matches_reference(s);
    }
    /* With one account the root is its leaf. */
    proto_state *one = proto_state_new();
    proto_state_add_account(one, &kp.pk, 77);
    uint8_t buf[48] = {0};
    memcpy(buf, kp.pk.bytes, 32);
    proto_le_put_u64(buf + 32, 77);
    proto_hash leaf;
    proto_hash_bytes(&leaf, buf, sizeof buf);
    proto_state_root(one, &root);
    ck_assert(proto_hash_equal(&root, &leaf));
    proto_state_free(one);
    proto_state_free(s);
}
END_TEST

START_TEST(test_apply_effects)
{
    world w;
    world_init(&w, PROTO_CRYPTO_REAL, 3, 1000);
    uint64_t supply = proto_state_total_supply(w.s);
    ck_assert_uint_eq(supply, 1000 + 1001 + 1002);
    proto_tx tx = make_tx(&w, 0, 2, 300, 7);
    ck_assert_int_eq(proto_state_apply_tx(w.s, &tx, CHAIN_ID, w.c, NULL), PROTO_TX_OK);
    ck_assert_uint_eq(proto_state_account(w.s, 0)->balance, 1000 - 307);
    ck_assert_uint_eq(proto_state_account(w.s, 0)->nonce, 1);
    ck_assert_uint_eq(proto_state_account(w.s, 2)->balance, 1002 + 300);
    ck_assert_uint_eq(proto_state_account(w.s, 2)->nonce, 0);
    ck_assert_uint_eq(proto_state_account(w.s, 1)->balance, 1001);
    ck_assert_uint_eq(proto_state_burned(w.s), 7);
    ck_assert_uint_eq(proto_state_total_supply(w.s), supply);
    /* Replaying the same tx is a nonce error. */
    ck_assert_int_eq(proto_state_apply_tx(w.s, &tx, CHAIN_ID, w.c, NULL), PROTO_TX_BAD_NONCE);
    /* Spending everything exactly is allowed. */
    tx = make_tx(&w, 1, 0, 1000, 1);
    ck_assert_int_eq(proto_state_apply_tx(w.s, &tx, CHAIN_ID, w.c, NULL), PROTO_TX_OK);
    ck_assert_uint_eq(proto_state_account(w.s, 1)->balance, 0);
    assert_root_matches_reference(w.s);
    world_clear(&w);
}
END_TEST

/* Every rejection leaves the state untouched (same root and burned). */
START_TEST(test_rejections)
{
    world w;
    world_init(&w, PROTO_CRYPTO_REAL, 3, 1000);
    proto_hash before;
    proto_state_root(w.s, &before);
    struct {
        proto_tx tx;
        proto_tx_result want;
    } cases[9];
    cases[0].tx = make_tx(&w, 0, 3, 1, 1), cases[0].want = PROTO_TX_BAD_ACCOUNT;
    cases[1].tx = make_tx(&w, 0, 1, 1, 1), cases[1].want = PROTO_TX_BAD_ACCOUNT;
    cases[1].tx.from = 99;
    cases[2].tx = make_tx(&w, 1, 1, 1, 1), cases[2].want = PROTO_TX_BAD_ACCOUNT; /* self */
    cases[3].tx = make_tx(&w, 0, 1, 1, 1), cases[3].want = PROTO_TX_BAD_NONCE;
    cases[3].tx.nonce = 1;
    proto_tx_sign(&cases[3].tx, CHAIN_ID, w.c, &w.keys[0]);
    cases[4].tx = make_tx(&w, 0, 1, 1000, 1), cases[4].want = PROTO_TX_NO_FUNDS;
    cases[5].tx = make_tx(&w, 0, 1, UINT64_MAX, 1), cases[5].want = PROTO_TX_NO_FUNDS;
    cases[6].tx = make_tx(&w, 0, 1, 1, UINT64_MAX), cases[6].want = PROTO_TX_NO_FUNDS;
    cases[7].tx = make_tx(&w, 0, 1, 1, 1), cases[7].want = PROTO_TX_BAD_SIGNATURE;
    cases[7].tx.amount = 2;
    cases[8].tx = make_tx(&w, 0, 1, 1, 1), cases[8].want = PROTO_TX_BAD_SIGNATURE;
    proto_tx_sign(&cases[8].tx, CHAIN_ID, w.c, &w.keys[1]); /* signed by the wrong key */
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        ck_assert_int_eq(proto_state_check_tx(w.s, &cases[i].tx, CHAIN_ID, w.c), cases[i].want);
        proto_undo u;
        proto_undo_init(&u);
        ck_assert_int_eq(proto_state_apply_tx(w.s, &cases[i].tx, CHAIN_ID, w.c, &u), cases[i].want);
        ck_assert_uint_eq(u.entries->len, 0);
        proto_undo_clear(&u);
    }
    proto_tx ok = make_tx(&w, 0, 1, 1, 1);
    ck_assert_int_eq(proto_state_apply_tx(w.s, &ok, CHAIN_ID + 1, w.c, NULL),
                     PROTO_TX_BAD_SIGNATURE); /* other chain */
    proto_hash after;
    proto_state_root(w.s, &after);
    ck_assert(proto_hash_equal(&before, &after));
    ck_assert_uint_eq(proto_state_burned(w.s), 0);
    ck_assert_int_eq(proto_state_check_tx(w.s, &ok, CHAIN_ID, w.c), PROTO_TX_OK);
    ck_assert_uint_eq(proto_state_account(w.s, 0)->nonce, 0); /* check did not apply */
    ck_assert_ptr_null(proto_state_account(w.s, 3));
    world_clear(&w);
}
END_TEST

/* Random transfers (valid and not) recorded in one undo log, then
 * reverted: balances, nonces, burned and root all come back exactly.
 * Along the way the lazy root always matches the reference and supply is
 * conserved. */
static void random_apply_revert(proto_crypto_mode mode, uint32_t accounts, int txs)
{
    world w;
    world_init(&w, mode, accounts, 500);
    uint64_t supply = proto_state_total_supply(w.s);
    proto_hash root0;
    proto_state_root(w.s, &root0);
    proto_state *snapshot = proto_state_copy(w.s);

    proto_undo u;
    proto_undo_init(&u);
    uint64_t rng = 0x9E3779B97F4A7C15u;
    int applied = 0;
    for (int i = 0; i < txs; i++) {
        uint32_t from = (uint32_t)(xorshift(&rng) % accounts);
        uint32_t to = (uint32_t)(xorshift(&rng) % accounts);
        uint64_t amount = xorshift(&rng) % 400;
        uint64_t fee = xorshift(&rng) % 5;
        proto_tx tx = make_tx(&w, from, to, amount, fee);
        if (xorshift(&rng) % 8 == 0) {
            tx.nonce++; /* some with a wrong nonce */
        }
        if (proto_state_apply_tx(w.s, &tx, CHAIN_ID, w.c, &u) == PROTO_TX_OK) {
            applied++;
        }
        ck_assert_uint_eq(proto_state_total_supply(w.s), supply);
        if (i % 7 == 0) {
            assert_root_matches_reference(w.s);
        }
    }
    ck_assert_int_gt(applied, txs / 3);
    ck_assert_uint_gt(proto_state_burned(w.s), 0);
    assert_root_matches_reference(w.s);

    proto_state_revert(w.s, &u);
    ck_assert_uint_eq(u.entries->len, 0);
    proto_hash root1;
    proto_state_root(w.s, &root1);
    ck_assert(proto_hash_equal(&root0, &root1));
    ck_assert_uint_eq(proto_state_burned(w.s), 0);
    for (uint32_t i = 0; i < accounts; i++) {
        const proto_account *a = proto_state_account(w.s, i);
        const proto_account *b = proto_state_account(snapshot, i);
        ck_assert_uint_eq(a->balance, b->balance);
        ck_assert_uint_eq(a->nonce, b->nonce);
    }
    proto_undo_clear(&u);
    proto_state_free(snapshot);
    world_clear(&w);
}

START_TEST(test_random_apply_revert_fast)
{
    random_apply_revert(PROTO_CRYPTO_FAST, 37, 3000);
}
END_TEST

START_TEST(test_random_apply_revert_real)
{
    random_apply_revert(PROTO_CRYPTO_REAL, 6, 150);
}
END_TEST

/* Reverting block 2 leaves block 1's effects: logs are per block. */
START_TEST(test_revert_one_block_of_two)
{
    world w;
    world_init(&w, PROTO_CRYPTO_FAST, 4, 100);
    proto_undo b1;
    proto_undo b2;
    proto_undo_init(&b1);
    proto_undo_init(&b2);
    proto_tx tx = make_tx(&w, 0, 1, 10, 1);
    ck_assert_int_eq(proto_state_apply_tx(w.s, &tx, CHAIN_ID, w.c, &b1), PROTO_TX_OK);
    proto_hash after1;
    proto_state_root(w.s, &after1);
    tx = make_tx(&w, 0, 2, 20, 2);
    ck_assert_int_eq(proto_state_apply_tx(w.s, &tx, CHAIN_ID, w.c, &b2), PROTO_TX_OK);
    tx = make_tx(&w, 1, 3, 30, 3);
    ck_assert_int_eq(proto_state_apply_tx(w.s, &tx, CHAIN_ID, w.c, &b2), PROTO_TX_OK);
    ck_assert_uint_eq(proto_state_burned(w.s), 6);
    proto_state_revert(w.s, &b2);
    proto_hash root;
    proto_state_root(w.s, &root);
    ck_assert(proto_hash_equal(&root, &after1));
    ck_assert_uint_eq(proto_state_burned(w.s), 1);
    ck_assert_uint_eq(proto_state_account(w.s, 0)->nonce, 1);
    ck_assert_uint_eq(proto_state_account(w.s, 1)->balance, 101 + 10);
    proto_state_revert(w.s, &b2); /* empty log: no effect */
    ck_assert_uint_eq(proto_state_burned(w.s), 1);
    proto_undo_clear(&b1);
    proto_undo_clear(&b2);
    world_clear(&w);
}
END_TEST

/* Lazy root (only at the end) equals eager root (after every tx), and
 * growing past the capacity after transfers rebuilds correctly. */
START_TEST(test_lazy_equals_eager_and_growth)
{
    world lazy;
    world eager;
    world_init(&lazy, PROTO_CRYPTO_FAST, 5, 1000);
    world_init(&eager, PROTO_CRYPTO_FAST, 5, 1000);
    uint64_t rng = 12345;
    for (int i = 0; i < 200; i++) {
        uint32_t from = (uint32_t)(xorshift(&rng) % 5);
        uint32_t to = (uint32_t)((from + 1 + xorshift(&rng) % 4) % 5);
        uint64_t amount = xorshift(&rng) % 50;
        proto_tx a = make_tx(&lazy, from, to, amount, 1);
        proto_tx b = make_tx(&eager, from, to, amount, 1);
        ck_assert_int_eq(proto_state_apply_tx(lazy.s, &a, CHAIN_ID, lazy.c, NULL),
                         proto_state_apply_tx(eager.s, &b, CHAIN_ID, eager.c, NULL));
        proto_hash ignored;
        proto_state_root(eager.s, &ignored);
    }
    proto_hash r1;
    proto_hash r2;
    proto_state_root(lazy.s, &r1);
    proto_state_root(eager.s, &r2);
    ck_assert(proto_hash_equal(&r1, &r2));
    assert_root_matches_reference(lazy.s);

    /* 5 -> 8 accounts stays in cap 8; the 9th doubles it to 16. */
    proto_keypair kp;
    for (uint32_t i = 0; i < 6; i++) {
        proto_keypair_derive(&kp, 99, i % 2 ? "late/odd" : "late/even");
        proto_state_add_account(lazy.s, &kp.pk, 5);
        if (i % 2 == 0) {
            assert_root_matches_reference(lazy.s);
        }
    }
    proto_tx t = make_tx(&lazy, 0, 10, 1, 0);
    ck_assert_int_eq(proto_state_apply_tx(lazy.s, &t, CHAIN_ID, lazy.c, NULL), PROTO_TX_OK);
    assert_root_matches_reference(lazy.s);
    world_clear(&lazy);
    world_clear(&eager);
}
END_TEST

START_TEST(test_copy_is_independent)
{
    world w;
    world_init(&w, PROTO_CRYPTO_FAST, 4, 100);
    proto_tx tx = make_tx(&w, 0, 1, 10, 0); /* dirty, root not yet computed */
    ck_assert_int_eq(proto_state_apply_tx(w.s, &tx, CHAIN_ID, w.c, NULL), PROTO_TX_OK);
    proto_state *copy = proto_state_copy(w.s);
    proto_hash r_orig;
    proto_hash r_copy;
    proto_state_root(w.s, &r_orig);
    proto_state_root(copy, &r_copy);
    ck_assert(proto_hash_equal(&r_orig, &r_copy));
    tx = make_tx(&w, 2, 3, 10, 0);
    ck_assert_int_eq(proto_state_apply_tx(copy, &tx, CHAIN_ID, w.c, NULL), PROTO_TX_OK);
    proto_hash r_orig2;
    proto_state_root(w.s, &r_orig2);
    proto_state_root(copy, &r_copy);
    ck_assert(proto_hash_equal(&r_orig, &r_orig2));
    ck_assert(!proto_hash_equal(&r_orig, &r_copy));
    ck_assert_uint_eq(proto_state_account(w.s, 2)->balance, 102);
    assert_root_matches_reference(copy);
    proto_state_free(copy);
    world_clear(&w);
}
END_TEST

/* Attach a set of 3 validators with 1000 tokens each. */
static void attach_valset(world *w)
{
    proto_slashing_params p = proto_slashing_defaults();
    proto_pubkey keys[3];
    uint64_t stakes[3] = {1000, 1000, 1000};
    for (uint32_t i = 0; i < 3; i++) {
        memset(keys[i].bytes, (int)(0x40 + i), PROTO_PUBKEY_SIZE);
    }
    proto_validator_genesis(w->s, proto_valset_new(&p, 3, keys, stakes));
}

/* H("aitbc/state" || accounts reference root || valset hash). */
static void reference_root_with_valset(proto_state *s, bool fast, const proto_hash *accounts,
                                       proto_hash *out)
{
    proto_hash vh;
    proto_valset_hash(proto_validator_set(s), fast, &vh);
    uint8_t buf[11 + 64];
    memcpy(buf, "aitbc/state", 11);
    memcpy(buf + 11, accounts->bytes, 32);
    memcpy(buf + 43, vh.bytes, 32);
    if (fast) {
        proto_fastmix(out->bytes, 32, "aitbc/state", 11, buf + 11, 64);
    } else {
        proto_hash_bytes(out, buf, sizeof buf);
    }
}

static void check_valset_root(proto_crypto_mode mode)
{
    bool fast = mode == PROTO_CRYPTO_FAST;
    world w;
    world_init(&w, mode, 5, 100);
    proto_state_set_fast_hash(w.s, fast);
    proto_hash without;
    proto_state_root(w.s, &without);
    ck_assert_ptr_null(proto_validator_set(w.s));
    if (!fast) {
        assert_root_matches_reference(w.s); /* PoA roots unchanged */
    }

    attach_valset(&w);
    proto_hash with;
    proto_hash want;
    proto_state_root(w.s, &with);
    ck_assert(!proto_hash_equal(&with, &without));
    reference_root_with_valset(w.s, fast, &without, &want);
    ck_assert(proto_hash_equal(&with, &want));

    /* A change through proto_validator_set_mut shows in the next root. */
    proto_valset_apply_double_sign(proto_validator_set_mut(w.s, NULL), 1, 5, 0);
    proto_hash changed;
    proto_state_root(w.s, &changed);
    ck_assert(!proto_hash_equal(&changed, &with));
    reference_root_with_valset(w.s, fast, &without, &want);
    ck_assert(proto_hash_equal(&changed, &want));

    /* And so does an account change, with the set unchanged. */
    proto_tx tx = make_tx(&w, 0, 1, 10, 1);
    ck_assert_int_eq(proto_state_apply_tx(w.s, &tx, CHAIN_ID, w.c, NULL), PROTO_TX_OK);
    proto_hash accounts_after;
    proto_hash after_tx;
    proto_state_root(w.s, &after_tx);
    if (!fast) {
        reference_root(w.s, &accounts_after);
        reference_root_with_valset(w.s, fast, &accounts_after, &want);
        ck_assert(proto_hash_equal(&after_tx, &want));
    }
    ck_assert(!proto_hash_equal(&after_tx, &changed));
    world_clear(&w);
}

START_TEST(test_valset_root_real)
{
    check_valset_root(PROTO_CRYPTO_REAL);
}
END_TEST

START_TEST(test_valset_root_fast)
{
    check_valset_root(PROTO_CRYPTO_FAST);
}
END_TEST

/* Slash validator 2 in one block: set_mut + burn, recorded in undo. */
static uint64_t slash_in_block(world *w, proto_undo *undo, uint64_t height)
{
    proto_valset *v = proto_validator_set_mut(w->s, undo);
    ck_assert_int_eq(proto_valset_check_double_sign(v, 2, height - 1, height), PROTO_VALSET_OK);
    uint64_t burned = proto_valset_apply_double_sign(v, 2, height, 0);
    proto_state_burn(w->s, burned, undo);
    return burned;
}

/* One undo log holding transfers (fees burn), a slash (burn + set) and a
 * rotation reverts to exactly the state before, in either order. */
static void check_slash_revert(bool tx_first)
{
    world w;
    world_init(&w, PROTO_CRYPTO_FAST, 4, 100);
    attach_valset(&w);
    proto_tx tx = make_tx(&w, 3, 2, 1, 7); /* an earlier block: burned 7 */
    ck_assert_int_eq(proto_state_apply_tx(w.s, &tx, CHAIN_ID, w.c, NULL), PROTO_TX_OK);
    proto_hash root_before;
    proto_hash set_before;
    proto_state_root(w.s, &root_before);
    proto_valset_hash(proto_validator_set(w.s), false, &set_before);
    uint64_t supply = proto_state_total_supply(w.s);
    ck_assert_uint_eq(supply, 4 * 100 + 6 + 3000);

    proto_undo undo;
    proto_undo_init(&undo);
    if (tx_first) {
        tx = make_tx(&w, 0, 1, 10, 3);
        ck_assert_int_eq(proto_state_apply_tx(w.s, &tx, CHAIN_ID, w.c, &undo), PROTO_TX_OK);
    }
    ck_assert_uint_eq(slash_in_block(&w, &undo, 10), 50);
    proto_pubkey fresh;
    memset(fresh.bytes, 0x99, sizeof fresh.bytes);
    proto_valset_apply_rotate(proto_validator_set_mut(w.s, &undo), 0, &fresh, 10);
    if (!tx_first) {
        tx = make_tx(&w, 0, 1, 10, 3);
        ck_assert_int_eq(proto_state_apply_tx(w.s, &tx, CHAIN_ID, w.c, &undo), PROTO_TX_OK);
    }
    ck_assert_uint_eq(proto_state_burned(w.s), 7 + 3 + 50);
    ck_assert_uint_eq(proto_state_total_supply(w.s), supply);
    proto_hash root_mid;
    proto_state_root(w.s, &root_mid);
    ck_assert(!proto_hash_equal(&root_mid, &root_before));

    proto_state_revert(w.s, &undo);
    proto_hash root_after;
    proto_hash set_after;
    proto_state_root(w.s, &root_after);
    proto_valset_hash(proto_validator_set(w.s), false, &set_after);
    ck_assert(proto_hash_equal(&root_after, &root_before));
    ck_assert(proto_hash_equal(&set_after, &set_before));
    ck_assert_uint_eq(proto_state_burned(w.s), 7);
    ck_assert_uint_eq(proto_state_total_supply(w.s), supply);
    ck_assert_uint_eq(proto_valset_get(proto_validator_set(w.s), 2)->tokens, 1000);
    ck_assert(!proto_valset_get(proto_validator_set(w.s), 2)->tombstoned);
    ck_assert_uint_eq(proto_valset_get(proto_validator_set(w.s), 0)->op_nonce, 0);
    ck_assert_uint_eq(proto_state_account(w.s, 0)->nonce, 0);

    /* The log is reusable, and clearing it frees a pending set copy. */
    slash_in_block(&w, &undo, 11);
    ck_assert_uint_eq(proto_undo_records_count(&undo), 1);
    proto_undo_clear(&undo);
    world_clear(&w);
}

START_TEST(test_valset_slash_revert_tx_first)
{
    check_slash_revert(true);
}
END_TEST

START_TEST(test_valset_slash_revert_slash_first)
{
    check_slash_revert(false);
}
END_TEST

/* An undo log that only touched the set and burned (no account
 * entries) still restores both. */
START_TEST(test_valset_only_revert)
{
    world w;
    world_init(&w, PROTO_CRYPTO_FAST, 2, 100);
    attach_valset(&w);
    proto_hash before;
    proto_state_root(w.s, &before);
    proto_undo undo;
    proto_undo_init(&undo);
    proto_pubkey fresh;
    memset(fresh.bytes, 0x98, sizeof fresh.bytes);
    proto_valset_apply_rotate(proto_validator_set_mut(w.s, &undo), 1, &fresh, 3);
    ck_assert_uint_eq(slash_in_block(&w, &undo, 3), 50);
    ck_assert_uint_eq(proto_state_burned(w.s), 50);
    proto_hash mid;
    proto_state_root(w.s, &mid);
    ck_assert(!proto_hash_equal(&mid, &before));
    proto_state_revert(w.s, &undo);
    proto_hash after;
    proto_state_root(w.s, &after);
    ck_assert(proto_hash_equal(&after, &before));
    ck_assert_uint_eq(proto_state_burned(w.s), 0);
    ck_assert_uint_eq(proto_undo_records_count(&undo), 0);
    proto_undo_clear(&undo);
    world_clear(&w);
}
END_TEST

START_TEST(test_valset_supply_and_copy)
{
    world w;
    world_init(&w, PROTO_CRYPTO_FAST, 3, 100);
    uint64_t balances = proto_state_total_supply(w.s);
    attach_valset(&w);
    ck_assert_uint_eq(proto_state_total_supply(w.s), balances + 3000);
    proto_hash root;
    proto_state_root(w.s, &root);

    proto_state *copy = proto_state_copy(w.s);
    proto_hash copy_root;
    proto_state_root(copy, &copy_root);
    ck_assert(proto_hash_equal(&copy_root, &root));
    proto_valset *v = proto_validator_set_mut(copy, NULL);
    uint64_t burned = proto_valset_apply_double_sign(v, 0, 4, 0);
    proto_state_burn(copy, burned, NULL);
    ck_assert_uint_eq(proto_state_total_supply(copy), balances + 3000);
    ck_assert_uint_eq(proto_state_burned(copy), 50);
    proto_state_root(copy, &copy_root);
    ck_assert(!proto_hash_equal(&copy_root, &root));

    proto_hash again;
    proto_state_root(w.s, &again);
    ck_assert(proto_hash_equal(&again, &root));
    ck_assert_uint_eq(proto_valset_get(proto_validator_set(w.s), 0)->tokens, 1000);
    ck_assert_uint_eq(proto_state_burned(w.s), 0);

    /* Detaching the set gives the accounts root back. */
    proto_validator_genesis(copy, NULL);
    proto_state_root(copy, &copy_root);
    reference_root(copy, &again);
    ck_assert(proto_hash_equal(&copy_root, &again));
    proto_state_free(copy);
    world_clear(&w);
}
END_TEST

START_TEST(test_result_names)
{
    ck_assert_str_eq(proto_tx_result_name(PROTO_TX_OK), "ok");
    ck_assert_str_eq(proto_tx_result_name(PROTO_TX_BAD_ACCOUNT), "bad_account");
    ck_assert_str_eq(proto_tx_result_name(PROTO_TX_BAD_NONCE), "bad_nonce");
    ck_assert_str_eq(proto_tx_result_name(PROTO_TX_NO_FUNDS), "no_funds");
    ck_assert_str_eq(proto_tx_result_name(PROTO_TX_BAD_SIGNATURE), "bad_signature");
    ck_assert_str_eq(proto_tx_result_name((proto_tx_result)77), "unknown");
}
END_TEST

static Suite *state_suite(void)
{
    Suite *s = suite_create("state");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_root_small_shapes);
    tcase_add_test(tc, test_apply_effects);
    tcase_add_test(tc, test_rejections);
    tcase_add_test(tc, test_random_apply_revert_fast);
    tcase_add_test(tc, test_random_apply_revert_real);
    tcase_add_test(tc, test_revert_one_block_of_two);
    tcase_add_test(tc, test_lazy_equals_eager_and_growth);
    tcase_add_test(tc, test_copy_is_independent);
    tcase_add_test(tc, test_valset_root_real);
    tcase_add_test(tc, test_valset_root_fast);
    tcase_add_test(tc, test_valset_slash_revert_tx_first);
    tcase_add_test(tc, test_valset_slash_revert_slash_first);
    tcase_add_test(tc, test_valset_only_revert);
    tcase_add_test(tc, test_valset_supply_and_copy);
    tcase_add_test(tc, test_result_names);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(state_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
