/* Unit tests for account state (protocol/chain/state.c): the key index,
 * the incremental Merkle root, undo and reverts, copies, and the bonded
 * validator set folded into the root. One transaction's execution has
 * its own tests (test_tx_exec.c); both share the fixture in
 * support/state_world.h.
 *
 * The root is compared with a reference computed from scratch
 * (sw_reference_root: the documented leaf encoding, padded to a power of
 * two, hashed bottom-up, then folded as H("aitbc/state" || accounts root
 * || base fee LE || module roots)), so the lazy dirty-path update is
 * checked against an independent implementation after random
 * transactions, reverts and growth. Random sequences come from a local
 * xorshift generator with a fixed seed.
 * The bonded validator set in the root is test_state_valset.c's. */
#include <check.h>
#include <string.h>

#include "protocol/chain/module.h"
#include "protocol/chain/state.h"
#include "protocol/chain/tx_exec.h"
#include "protocol/chain/valset.h"
#include "protocol/core/codec.h"
#include "protocol/core/fastmix.h"
#include "protocol/modules/bank/bank.h"
#include "protocol/modules/validator/validator.h"
#include "support/state_world.h"
#include "support/tx_fixture.h"

static uint64_t xorshift(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* ---- roots ---- */

START_TEST(test_root_small_shapes)
{
    proto_crypto_global_init();
    proto_state *s = proto_state_new();
    proto_hash root;
    proto_hash want;
    proto_state_root(s, &root);
    sw_reference_root(s, &want); /* zero accounts root, base fee 0: still hashed */
    ck_assert(proto_hash_equal(&root, &want));
    ck_assert(!proto_hash_is_zero(&root));

    proto_keypair kp;
    for (uint32_t i = 0; i < 9; i++) {
        char label[16];
        g_snprintf(label, sizeof label, "a/%u", i);
        proto_keypair_derive(&kp, 1, label);
        proto_state_add_account(s, &kp.pk, 100 * i);
        sw_assert_root_matches_reference(s);
    }
    /* With one account the accounts root is its leaf. */
    proto_state *one = proto_state_new();
    proto_state_add_account(one, &kp.pk, 77);
    uint8_t buf[48] = {0};
    memcpy(buf, kp.pk.bytes, 32);
    proto_le_put_u64(buf + 32, 77);
    proto_hash leaf;
    proto_hash_bytes(&leaf, buf, sizeof buf);
    proto_hash leaf_ref;
    sw_reference_leaf(false, proto_state_account(one, 0), &leaf_ref);
    ck_assert(proto_hash_equal(&leaf, &leaf_ref));
    sw_reference_fold(one, false, &leaf, &want);
    proto_state_root(one, &root);
    ck_assert(proto_hash_equal(&root, &want));
    proto_state_free(one);
    proto_state_free(s);
}
END_TEST

/* The base fee is state: the root commits to it, copies carry it, undo
 * restores it (and a log that never touched it leaves it alone). */
START_TEST(test_base_fee_in_root)
{
    sw_world w;
    sw_init(&w, PROTO_CRYPTO_FAST, 3, 100);
    ck_assert_uint_eq(proto_state_base_fee(w.s), SW_BASE_FEE);
    proto_hash r0;
    sw_root_of(w.s, &r0);
    sw_assert_root_matches_reference(w.s);

    proto_undo u;
    proto_undo_init(&u);
    proto_state_set_base_fee(w.s, SW_BASE_FEE + 1, &u);
    proto_hash r1;
    sw_root_of(w.s, &r1);
    ck_assert(!proto_hash_equal(&r0, &r1));
    sw_assert_root_matches_reference(w.s);
    proto_state_set_base_fee(w.s, SW_BASE_FEE + 2, &u); /* saved once: the first value stays */

    proto_state *copy = proto_state_copy(w.s);
    ck_assert_uint_eq(proto_state_base_fee(copy), SW_BASE_FEE + 2);
    proto_hash rc;
    proto_hash rs;
    sw_root_of(copy, &rc);
    sw_root_of(w.s, &rs);
    ck_assert(proto_hash_equal(&rc, &rs));

    proto_state_revert(w.s, &u);
    ck_assert_uint_eq(proto_state_base_fee(w.s), SW_BASE_FEE);
    proto_hash back;
    sw_root_of(w.s, &back);
    ck_assert(proto_hash_equal(&back, &r0));
    ck_assert_uint_eq(proto_state_base_fee(copy), SW_BASE_FEE + 2); /* the copy is its own */

    /* Equal base fees give equal roots whatever the path. */
    proto_state_set_base_fee(copy, SW_BASE_FEE, NULL);
    sw_root_of(copy, &rc);
    ck_assert(proto_hash_equal(&rc, &r0));

    /* A log that only touched accounts does not touch the base fee. */
    proto_state_set_base_fee(w.s, 3, NULL);
    proto_state_account_mut(w.s, 1, &u)->balance -= 1;
    proto_state_account_mut(w.s, 2, &u)->balance += 1;
    proto_state_revert(w.s, &u);
    ck_assert_uint_eq(proto_state_base_fee(w.s), 3);
    ck_assert_uint_eq(proto_state_account(w.s, 1)->balance, 101);
    sw_assert_root_matches_reference(w.s);
    proto_undo_clear(&u);
    proto_state_free(copy);
    sw_clear(&w);
}
END_TEST

/* ---- the key index ---- */

START_TEST(test_account_by_key)
{
    sw_world w;
    sw_init(&w, PROTO_CRYPTO_FAST, 5, 100);
    for (uint32_t i = 0; i < 5; i++)
        ck_assert_uint_eq(proto_state_account_by_key(w.s, &w.keys[i].pk), i);
    proto_keypair stranger;
    proto_keypair_derive(&stranger, 5, "stranger");
    ck_assert_uint_eq(proto_state_account_by_key(w.s, &stranger.pk), PROTO_ACCOUNT_NONE);
    proto_pubkey zero = {{0}};
    ck_assert_uint_eq(proto_state_account_by_key(w.s, &zero), PROTO_ACCOUNT_NONE);

    /* A copy finds the same accounts; an account added to one of them
     * exists in that one only (copies share the index until then). */
    proto_state *copy = proto_state_copy(w.s);
    for (uint32_t i = 0; i < 5; i++)
        ck_assert_uint_eq(proto_state_account_by_key(copy, &w.keys[i].pk), i);
    ck_assert_uint_eq(proto_state_add_account(copy, &stranger.pk, 1), 5);
    ck_assert_uint_eq(proto_state_account_by_key(copy, &stranger.pk), 5);
    ck_assert_uint_eq(proto_state_account_by_key(w.s, &stranger.pk), PROTO_ACCOUNT_NONE);
    proto_state *copy2 = proto_state_copy(w.s);
    proto_keypair other;
    proto_keypair_derive(&other, 5, "other");
    ck_assert_uint_eq(proto_state_add_account(w.s, &other.pk, 1), 5);
    ck_assert_uint_eq(proto_state_account_by_key(w.s, &other.pk), 5);
    ck_assert_uint_eq(proto_state_account_by_key(copy2, &other.pk), PROTO_ACCOUNT_NONE);
    ck_assert_uint_eq(proto_state_account_by_key(copy, &other.pk), PROTO_ACCOUNT_NONE);
    for (uint32_t i = 0; i < 5; i++) {
        ck_assert_uint_eq(proto_state_account_by_key(copy2, &w.keys[i].pk), i);
        ck_assert_uint_eq(proto_state_account_by_key(w.s, &w.keys[i].pk), i);
    }
    proto_state_free(copy2);
    proto_state_free(copy);
    sw_clear(&w);
}
END_TEST

/* Many accounts force the table to grow again and again; keys whose
 * first four bytes (the probe's home) collide are found by probing; a
 * copy taken half-way keeps its own view while the original grows. */
START_TEST(test_account_by_key_growth)
{
    enum { MANY = 3000, HALF = 1500 };
    proto_state *s = proto_state_new();
    proto_state *half = NULL;
    proto_pubkey *pks = g_new0(proto_pubkey, MANY);
    for (uint32_t i = 0; i < MANY; i++) {
        /* home bytes: 1 of 13 values for the first 1000, distinct after */
        uint32_t home = i < 1000 ? i % 13 : 0x10000 + i * 2654435761u;
        proto_le_put_u32(pks[i].bytes, home);
        proto_le_put_u32(pks[i].bytes + 4, i);
        memset(pks[i].bytes + 8, 0xA5, PROTO_PUBKEY_SIZE - 8);
        ck_assert_uint_eq(proto_state_add_account(s, &pks[i], 1), i);
        if (i + 1 == HALF)
            half = proto_state_copy(s);
    }
    ck_assert_uint_eq(proto_state_account_count(s), MANY);
    for (uint32_t i = 0; i < MANY; i++) {
        ck_assert_uint_eq(proto_state_account_by_key(s, &pks[i]), i);
        ck_assert_uint_eq(proto_state_account_by_key(half, &pks[i]),
                          i < HALF ? i : PROTO_ACCOUNT_NONE);
    }
    /* Absent keys with a crowded home and with an empty one. */
    proto_pubkey absent = pks[5];
    absent.bytes[31] ^= 1;
    ck_assert_uint_eq(proto_state_account_by_key(s, &absent), PROTO_ACCOUNT_NONE);
    proto_le_put_u32(absent.bytes + 4, MANY + 1);
    ck_assert_uint_eq(proto_state_account_by_key(s, &absent), PROTO_ACCOUNT_NONE);
    memset(absent.bytes, 0xEE, sizeof absent.bytes);
    ck_assert_uint_eq(proto_state_account_by_key(s, &absent), PROTO_ACCOUNT_NONE);
    sw_assert_root_matches_reference(s);
    g_free(pks);
    proto_state_free(half);
    proto_state_free(s);
}
END_TEST

/* ---- undo ---- */

/* Random transactions (valid, refused, failing, changing base fees)
 * recorded in one undo log, then reverted: balances, nonces, burned, base
 * fee and root all come back exactly. Along the way the lazy root always
 * matches the reference and supply is conserved. */
static void random_apply_revert(proto_crypto_mode mode, uint32_t accounts, int txs)
{
    sw_world w;
    sw_init(&w, mode, accounts, 1000000000);
    uint64_t supply = proto_state_total_supply(w.s);
    proto_hash root0;
    proto_state_root(w.s, &root0);
    proto_state *snapshot = proto_state_copy(w.s);

    proto_undo u;
    proto_undo_init(&u);
    uint64_t rng = 0x9E3779B97F4A7C15u;
    int applied = 0;
    int failed = 0;
    for (int i = 0; i < txs; i++) {
        uint32_t from = (uint32_t)(xorshift(&rng) % accounts);
        uint32_t to = (uint32_t)(xorshift(&rng) % accounts);
        uint32_t fee_account = (uint32_t)(xorshift(&rng) % accounts);
        uint64_t amount = xorshift(&rng) % 60000000;
        txfix_fees fees = {.max_fee_per_gas = SW_BASE_FEE + 3,
                           .max_priority_fee_per_gas = xorshift(&rng) % 5};
        uint64_t nonce = proto_state_account(w.s, from)->nonce;
        if (xorshift(&rng) % 8 == 0) {
            nonce++; /* some with a wrong nonce */
        }
        proto_txenv tx = txfix_transfer(w.c, SW_CHAIN_ID, &w.keys[from], nonce, to, amount, fees);
        proto_tx_receipt rc;
        if (sw_exec(&w, &tx, &u, fee_account, &rc) == PROTO_TX_EXEC_OK) {
            applied++;
            failed += !rc.messages_ok;
        }
        if (xorshift(&rng) % 40 == 0) {
            proto_state_set_base_fee(w.s, SW_BASE_FEE - 2 + xorshift(&rng) % 7, &u);
        }
        ck_assert_uint_eq(proto_state_total_supply(w.s), supply);
        if (i % 7 == 0) {
            sw_assert_root_matches_reference(w.s);
        }
    }
    ck_assert_int_gt(applied, txs / 3);
    ck_assert_int_gt(failed, 0); /* self-transfers at least */
    ck_assert_uint_gt(proto_state_burned(w.s), 0);
    sw_assert_root_matches_reference(w.s);

    proto_state_revert(w.s, &u);
    ck_assert_uint_eq(u.entries->len, 0);
    proto_hash root1;
    proto_state_root(w.s, &root1);
    ck_assert(proto_hash_equal(&root0, &root1));
    ck_assert_uint_eq(proto_state_burned(w.s), 0);
    ck_assert_uint_eq(proto_state_base_fee(w.s), SW_BASE_FEE);
    for (uint32_t i = 0; i < accounts; i++) {
        const proto_account *a = proto_state_account(w.s, i);
        const proto_account *b = proto_state_account(snapshot, i);
        ck_assert_uint_eq(a->balance, b->balance);
        ck_assert_uint_eq(a->nonce, b->nonce);
    }
    proto_undo_clear(&u);
    proto_state_free(snapshot);
    sw_clear(&w);
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
    sw_world w;
    sw_init(&w, PROTO_CRYPTO_FAST, 4, SW_BALANCE);
    proto_undo b1;
    proto_undo b2;
    proto_undo_init(&b1);
    proto_undo_init(&b2);
    proto_tx_receipt rc;
    proto_txenv tx = sw_tx(&w, 0, 1, 10);
    ck_assert_int_eq(sw_exec(&w, &tx, &b1, 3, &rc), PROTO_TX_EXEC_OK);
    uint64_t burned1 = rc.burned;
    proto_state_set_base_fee(w.s, SW_BASE_FEE + 1, &b1); /* block 1's end */
    proto_hash after1;
    proto_state_root(w.s, &after1);
    uint64_t bal1 = proto_state_account(w.s, 1)->balance;
    tx = sw_tx(&w, 0, 2, 20);
    ck_assert_int_eq(sw_exec(&w, &tx, &b2, 3, &rc), PROTO_TX_EXEC_OK);
    uint64_t burned2 = rc.burned;
    tx = sw_tx(&w, 1, 3, 30);
    ck_assert_int_eq(sw_exec(&w, &tx, &b2, 3, &rc), PROTO_TX_EXEC_OK);
    burned2 += rc.burned;
    proto_state_set_base_fee(w.s, SW_BASE_FEE + 2, &b2);
    ck_assert_uint_eq(proto_state_burned(w.s), burned1 + burned2);
    proto_state_revert(w.s, &b2);
    proto_hash root;
    proto_state_root(w.s, &root);
    ck_assert(proto_hash_equal(&root, &after1));
    ck_assert_uint_eq(proto_state_burned(w.s), burned1);
    ck_assert_uint_eq(proto_state_base_fee(w.s), SW_BASE_FEE + 1);
    ck_assert_uint_eq(proto_state_account(w.s, 0)->nonce, 1);
    ck_assert_uint_eq(proto_state_account(w.s, 1)->balance, bal1);
    ck_assert_uint_eq(bal1, SW_BALANCE + 1 + 10);
    proto_state_revert(w.s, &b2); /* empty log: no effect */
    ck_assert_uint_eq(proto_state_burned(w.s), burned1);
    ck_assert_uint_eq(proto_state_base_fee(w.s), SW_BASE_FEE + 1);
    proto_state_revert(w.s, &b1);
    ck_assert_uint_eq(proto_state_burned(w.s), 0);
    ck_assert_uint_eq(proto_state_base_fee(w.s), SW_BASE_FEE);
    proto_undo_clear(&b1);
    proto_undo_clear(&b2);
    sw_clear(&w);
}
END_TEST

/* A mark splits a log: reverting to it undoes what came after (account
 * entries, module records, burned, the base fee) and keeps what came
 * before, which a full revert then undoes. */
START_TEST(test_undo_mark_partial_revert)
{
    sw_world w;
    sw_init(&w, PROTO_CRYPTO_FAST, 4, 1000);
    sw_attach_valset(&w);
    uint64_t supply = proto_state_total_supply(w.s);
    proto_hash r0;
    sw_root_of(w.s, &r0);
    proto_hash set0;
    sw_valset_hash(w.s, &set0);

    proto_undo u;
    proto_undo_init(&u);
    /* A mark with nothing after it reverts nothing. */
    proto_undo_mark empty = proto_undo_mark_now(&u, w.s);
    ck_assert_uint_eq(empty.entries, 0);
    ck_assert_uint_eq(empty.records, 0);
    proto_state_revert_to(w.s, &u, &empty);
    proto_hash r;
    sw_root_of(w.s, &r);
    ck_assert(proto_hash_equal(&r, &r0));

    /* Before the mark: 100 from 0 to 1, 5 of account 2 burned, base fee. */
    proto_state_account_mut(w.s, 0, &u)->balance -= 100;
    proto_state_account_mut(w.s, 1, &u)->balance += 100;
    proto_state_account_mut(w.s, 2, &u)->balance -= 5;
    proto_state_burn(w.s, 5, &u);
    proto_state_set_base_fee(w.s, 11, &u);
    proto_hash r_mark;
    sw_root_of(w.s, &r_mark);
    proto_undo_mark mark = proto_undo_mark_now(&u, w.s);
    ck_assert_uint_eq(mark.entries, 3);
    ck_assert_uint_eq(mark.records, 0);
    ck_assert_uint_eq(mark.burned, 5);
    ck_assert_uint_eq(mark.base_fee, 11);

    /* After it: accounts, a burn, the base fee, a slash (record + burn). */
    proto_state_account_mut(w.s, 3, &u)->balance -= 7;
    proto_state_burn(w.s, 7, &u);
    proto_state_account_mut(w.s, 0, &u)->nonce++;
    proto_state_set_base_fee(w.s, 13, &u);
    ck_assert_uint_eq(proto_validator_slash_double_sign(w.s, 1, 3, 0, &u), 50);
    ck_assert_uint_eq(proto_state_burned(w.s), 5 + 7 + 50);
    ck_assert_uint_eq(proto_undo_records_count(&u), 1);
    ck_assert_uint_eq(proto_state_total_supply(w.s), supply);

    proto_state_revert_to(w.s, &u, &mark);
    ck_assert_uint_eq(u.entries->len, mark.entries);
    ck_assert_uint_eq(proto_undo_records_count(&u), 0);
    ck_assert_uint_eq(proto_state_burned(w.s), 5);
    ck_assert_uint_eq(proto_state_base_fee(w.s), 11);
    ck_assert_uint_eq(proto_state_account(w.s, 0)->balance, 900); /* before the mark: kept */
    ck_assert_uint_eq(proto_state_account(w.s, 0)->nonce, 0);
    ck_assert_uint_eq(proto_state_account(w.s, 1)->balance, 1101);
    ck_assert_uint_eq(proto_state_account(w.s, 3)->balance, 1003);
    ck_assert_uint_eq(proto_valset_get(proto_validator_set(w.s), 1)->tokens, 1000);
    proto_hash set_mid;
    sw_valset_hash(w.s, &set_mid);
    ck_assert(proto_hash_equal(&set_mid, &set0));
    sw_root_of(w.s, &r);
    ck_assert(proto_hash_equal(&r, &r_mark));
    ck_assert_uint_eq(proto_state_total_supply(w.s), supply);

    /* The log goes on after a partial revert; a full one undoes it all. */
    proto_state_account_mut(w.s, 2, &u)->balance -= 1;
    proto_state_burn(w.s, 1, &u);
    proto_state_set_base_fee(w.s, 17, &u);
    proto_validator_slash_double_sign(w.s, 2, 3, 0, &u);
    proto_state_revert(w.s, &u);
    sw_root_of(w.s, &r);
    ck_assert(proto_hash_equal(&r, &r0));
    ck_assert_uint_eq(proto_state_burned(w.s), 0);
    ck_assert_uint_eq(proto_state_base_fee(w.s), SW_BASE_FEE);
    proto_hash set1;
    sw_valset_hash(w.s, &set1);
    ck_assert(proto_hash_equal(&set1, &set0));
    ck_assert_uint_eq(proto_state_total_supply(w.s), supply);

    /* A mark taken before the log's first burn and base fee change. */
    proto_undo_mark first = proto_undo_mark_now(&u, w.s);
    proto_state_account_mut(w.s, 2, &u)->balance -= 3;
    proto_state_burn(w.s, 3, &u);
    proto_state_set_base_fee(w.s, 1, &u);
    proto_state_revert_to(w.s, &u, &first);
    ck_assert_uint_eq(proto_state_burned(w.s), 0);
    ck_assert_uint_eq(proto_state_base_fee(w.s), SW_BASE_FEE);
    proto_state_revert(w.s, &u);
    ck_assert_uint_eq(proto_state_burned(w.s), 0);
    ck_assert_uint_eq(proto_state_base_fee(w.s), SW_BASE_FEE);
    sw_root_of(w.s, &r);
    ck_assert(proto_hash_equal(&r, &r0));
    proto_undo_clear(&u);
    sw_clear(&w);
}
END_TEST

/* Lazy root (only at the end) equals eager root (after every tx), and
 * growing past the capacity after transfers rebuilds correctly. */
START_TEST(test_lazy_equals_eager_and_growth)
{
    sw_world lazy;
    sw_world eager;
    sw_init(&lazy, PROTO_CRYPTO_FAST, 5, SW_BALANCE);
    sw_init(&eager, PROTO_CRYPTO_FAST, 5, SW_BALANCE);
    uint64_t rng = 12345;
    for (int i = 0; i < 200; i++) {
        uint32_t from = (uint32_t)(xorshift(&rng) % 5);
        uint32_t to = (uint32_t)((from + 1 + xorshift(&rng) % 4) % 5);
        uint64_t amount = xorshift(&rng) % 50;
        uint32_t fee_account = (uint32_t)(xorshift(&rng) % 5);
        proto_txenv a = sw_tx(&lazy, from, to, amount);
        proto_txenv b = sw_tx(&eager, from, to, amount);
        ck_assert_int_eq(sw_exec(&lazy, &a, NULL, fee_account, NULL),
                         sw_exec(&eager, &b, NULL, fee_account, NULL));
        proto_hash ignored;
        proto_state_root(eager.s, &ignored);
    }
    proto_hash r1;
    proto_hash r2;
    proto_state_root(lazy.s, &r1);
    proto_state_root(eager.s, &r2);
    ck_assert(proto_hash_equal(&r1, &r2));
    sw_assert_root_matches_reference(lazy.s);

    /* 5 -> 8 accounts stays in cap 8; the 9th doubles it to 16. */
    proto_keypair kp;
    for (uint32_t i = 0; i < 6; i++) {
        char label[16];
        g_snprintf(label, sizeof label, "late/%u", i);
        proto_keypair_derive(&kp, 99, label);
        proto_state_add_account(lazy.s, &kp.pk, 5);
        ck_assert_uint_eq(proto_state_account_by_key(lazy.s, &kp.pk), 5 + i);
        if (i % 2 == 0) {
            sw_assert_root_matches_reference(lazy.s);
        }
    }
    proto_txenv t = sw_tx(&lazy, 0, 10, 1);
    ck_assert_int_eq(sw_exec(&lazy, &t, NULL, 9, NULL), PROTO_TX_EXEC_OK);
    ck_assert_uint_eq(proto_state_account(lazy.s, 10)->balance, 6);
    sw_assert_root_matches_reference(lazy.s);
    sw_clear(&lazy);
    sw_clear(&eager);
}
END_TEST

START_TEST(test_copy_is_independent)
{
    sw_world w;
    sw_init(&w, PROTO_CRYPTO_FAST, 4, SW_BALANCE);
    proto_txenv tx = sw_tx(&w, 0, 1, 10); /* dirty, root not yet computed */
    ck_assert_int_eq(sw_exec(&w, &tx, NULL, 3, NULL), PROTO_TX_EXEC_OK);
    proto_state *copy = proto_state_copy(w.s);
    proto_hash r_orig;
    proto_hash r_copy;
    proto_state_root(w.s, &r_orig);
    proto_state_root(copy, &r_copy);
    ck_assert(proto_hash_equal(&r_orig, &r_copy));
    tx = sw_tx_on(&w, copy, 2, 3, 10, sw_fees);
    ck_assert_int_eq(sw_exec_full(&w, copy, &tx, NULL, TXFIX_BLOCK_GAS_LIMIT, 0, NULL),
                     PROTO_TX_EXEC_OK);
    proto_hash r_orig2;
    proto_state_root(w.s, &r_orig2);
    proto_state_root(copy, &r_copy);
    ck_assert(proto_hash_equal(&r_orig, &r_orig2));
    ck_assert(!proto_hash_equal(&r_orig, &r_copy));
    ck_assert_uint_eq(proto_state_account(w.s, 2)->balance, SW_BALANCE + 2);
    ck_assert_uint_eq(proto_state_account(w.s, 2)->nonce, 0);
    ck_assert_uint_eq(proto_state_account(copy, 2)->nonce, 1);
    sw_assert_root_matches_reference(copy);
    /* The same tx still executes on the original: its nonce is unused there. */
    ck_assert_int_eq(sw_exec(&w, &tx, NULL, 0, NULL), PROTO_TX_EXEC_OK);
    proto_state_root(w.s, &r_orig2);
    ck_assert(proto_hash_equal(&r_orig2, &r_copy));
    proto_state_free(copy);
    sw_clear(&w);
}
END_TEST

/* A shared state (two references) is immutable; a copy of it is private. */
START_TEST(test_shared_state_copy_on_write)
{
    sw_world w;
    sw_init(&w, PROTO_CRYPTO_FAST, 3, SW_BALANCE);
    ck_assert(!proto_state_shared(w.s));
    proto_state *ref = proto_state_ref(w.s);
    ck_assert_ptr_eq(ref, w.s);
    ck_assert(proto_state_shared(w.s));
    proto_hash before;
    proto_state_root(ref, &before); /* filling the cache of a shared state is allowed */
    proto_state *mine = proto_state_copy(ref);
    ck_assert(!proto_state_shared(mine));
    proto_txenv tx = sw_tx_on(&w, mine, 0, 1, 5, sw_fees);
    ck_assert_int_eq(sw_exec_full(&w, mine, &tx, NULL, TXFIX_BLOCK_GAS_LIMIT, 2, NULL),
                     PROTO_TX_EXEC_OK);
    proto_hash shared_root;
    proto_state_root(w.s, &shared_root);
    ck_assert(proto_hash_equal(&before, &shared_root));
    proto_state_free(ref);
    ck_assert(!proto_state_shared(w.s));
    proto_state_free(mine);
    sw_clear(&w);
}
END_TEST

static Suite *state_suite(void)
{
    Suite *s = suite_create("state");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_root_small_shapes);
    tcase_add_test(tc, test_base_fee_in_root);
    tcase_add_test(tc, test_account_by_key);
    tcase_add_test(tc, test_account_by_key_growth);
    tcase_add_test(tc, test_random_apply_revert_fast);
    tcase_add_test(tc, test_random_apply_revert_real);
    tcase_add_test(tc, test_revert_one_block_of_two);
    tcase_add_test(tc, test_undo_mark_partial_revert);
    tcase_add_test(tc, test_lazy_equals_eager_and_growth);
    tcase_add_test(tc, test_copy_is_independent);
    tcase_add_test(tc, test_shared_state_copy_on_write);
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
