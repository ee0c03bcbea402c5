/* Unit tests for account state (protocol/chain/state.c) and for one
 * transaction's execution on it (protocol/chain/tx_exec.c): the ante
 * handler's refusals, the fee settlement, failed messages, undo,
 * conservation, the key index and the incremental Merkle root.
 *
 * The root is compared with a reference computed here from scratch (the
 * documented leaf encoding, padded to a power of two, hashed bottom-up,
 * then folded as H("aitbc/state" || accounts root || base fee LE ||
 * module roots)), so the lazy dirty-path update is checked against an
 * independent implementation after random transactions, reverts and
 * growth. Random sequences come from a local xorshift generator with a
 * fixed seed.
 *
 * With a bonded validator set attached, the root is checked against
 * H("aitbc/state" || accounts root || base fee || valset hash) computed
 * here, and a block that slashes (proto_validator_set_mut + burn) and
 * runs transactions is reverted to the exact root, set and burned counter
 * it started from.
 *
 * Fees: every test chain has base fee BASE_FEE per gas (in the state, as
 * a genesis sets it) and transactions offer BASE_FEE + TIP with tip TIP
 * unless a test says otherwise; genesis balances are large enough for
 * the fees. */
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
#include "support/tx_fixture.h"

#define CHAIN_ID 42
#define BASE_FEE 7
#define TIP 2
#define BALANCE 1000000000000ULL /* 1e12: fees are never the limit unless a test says so */

static const txfix_fees FEES = {.max_fee_per_gas = BASE_FEE + TIP,
                                .max_priority_fee_per_gas = TIP};

typedef struct world {
    proto_crypto *c;
    proto_state *s;
    proto_keypair *keys;
    uint32_t count;
    proto_chain_rules rules;
} world;

/* count accounts, account i with balance + i, base fee BASE_FEE. */
static void world_init(world *w, proto_crypto_mode mode, uint32_t count, uint64_t balance)
{
    proto_crypto_global_init();
    w->c = proto_crypto_new(mode, 4096);
    w->s = proto_state_new();
    w->keys = g_new(proto_keypair, count);
    w->count = count;
    w->rules = txfix_rules(CHAIN_ID, TXFIX_BLOCK_GAS_LIMIT, BASE_FEE, NULL, 0);
    for (uint32_t i = 0; i < count; i++) {
        char label[32];
        g_snprintf(label, sizeof label, "account/%u", i);
        proto_keypair_derive(&w->keys[i], 5, label);
        ck_assert_uint_eq(proto_state_add_account(w->s, &w->keys[i].pk, balance + i), i);
    }
    proto_state_set_base_fee(w->s, BASE_FEE, NULL);
}

static void world_clear(world *w)
{
    proto_state_free(w->s);
    proto_crypto_free(w->c);
    g_free(w->keys);
}

/* A signed transfer from `from` at its current nonce in s. */
static proto_txenv make_tx_on(world *w, const proto_state *s, uint32_t from, uint32_t to,
                              uint64_t amount, txfix_fees fees)
{
    return txfix_transfer(w->c, CHAIN_ID, &w->keys[from], proto_state_account(s, from)->nonce,
                          to, amount, fees);
}

static proto_txenv make_tx(world *w, uint32_t from, uint32_t to, uint64_t amount)
{
    return make_tx_on(w, w->s, from, to, amount, FEES);
}

/* Sign again after a test changed a field (kp: the signer). */
static void resign(world *w, proto_txenv *tx, const proto_keypair *kp)
{
    proto_txenv_sign(tx, w->c, kp);
}

/* A signature by kp over tx as it is, whoever tx names as its sender
 * (proto_txenv_sign refuses a key that is not the sender's). */
static void sign_as(world *w, proto_txenv *tx, const proto_keypair *kp)
{
    proto_hash h;
    proto_txenv_signing_hash(tx, &h);
    proto_sign(w->c, &tx->sig, h.bytes, sizeof h.bytes, kp);
}

/* Detach the validator set (the module API: a NULL state removes it). */
static void detach_valset(proto_state *s)
{
    proto_state_module_attach(s, PROTO_VALIDATOR_MODULE_ID, NULL);
}

/* Run tx on s as a block at height 1 would, under the state's base fee,
 * with block_gas_left gas left, tips to fee_account. undo NULL: a local
 * log, dropped. */
static proto_tx_exec_result exec_full(world *w, proto_state *s, const proto_txenv *tx,
                                      proto_undo *undo, uint64_t block_gas_left,
                                      uint32_t fee_account, proto_tx_receipt *out)
{
    proto_undo local;
    proto_undo *log = undo;
    if (log == NULL) {
        proto_undo_init(&local);
        log = &local;
    }
    proto_gas_meter unused;
    proto_gas_meter_init(&unused, UINT64_MAX);
    proto_msg_ctx ctx = {.undo = log,
                         .gas = &unused,
                         .crypto = w->c,
                         .chain_id = CHAIN_ID,
                         .sender = PROTO_ACCOUNT_NONE,
                         .height = 1,
                         .time_ns = 1000};
    proto_tx_receipt ignored;
    proto_tx_exec_result r =
        proto_tx_exec(s, &ctx, &w->rules, tx, proto_txenv_wire_size(tx), proto_state_base_fee(s),
                      block_gas_left, fee_account, out != NULL ? out : &ignored);
    if (log == &local)
        proto_undo_clear(&local);
    return r;
}

static proto_tx_exec_result exec_tx(world *w, const proto_txenv *tx, proto_undo *undo,
                                    uint32_t fee_account, proto_tx_receipt *out)
{
    return exec_full(w, w->s, tx, undo, TXFIX_BLOCK_GAS_LIMIT, fee_account, out);
}

/* Reference accounts root: leaves H(pk || balance LE || nonce LE), zero
 * padding to the next power of two, H(left || right) up to the root. In
 * fast mode H is proto_fastmix keyed "leaf" for leaves and "node" for
 * the rest (state.c). */
static void reference_leaf(bool fast, const proto_account *a, proto_hash *out)
{
    uint8_t buf[48];
    memcpy(buf, a->pk.bytes, 32);
    proto_le_put_u64(buf + 32, a->balance);
    proto_le_put_u64(buf + 40, a->nonce);
    if (fast)
        proto_fastmix(out->bytes, 32, "leaf", 4, buf, sizeof buf);
    else
        proto_hash_bytes(out, buf, sizeof buf);
}

static void reference_accounts_root(const proto_state *s, bool fast, proto_hash *out)
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
        reference_leaf(fast, proto_state_account(s, i), &level[i]);
    }
    for (uint32_t width = cap; width > 1; width /= 2) {
        for (uint32_t i = 0; i < width / 2; i++) {
            if (fast) {
                uint8_t buf[64];
                memcpy(buf, level[2 * i].bytes, 32);
                memcpy(buf + 32, level[2 * i + 1].bytes, 32);
                proto_fastmix(level[i].bytes, 32, "node", 4, buf, sizeof buf);
            } else {
                proto_hash_pair(&level[i], &level[2 * i], &level[2 * i + 1]);
            }
        }
    }
    *out = level[0];
    g_free(level);
}

/* H("aitbc/state" || accounts || base fee LE || valset hash if attached),
 * as documented in state.h; fast: proto_fastmix keyed by the tag. */
static void reference_fold(const proto_state *s, bool fast, const proto_hash *accounts,
                           proto_hash *out)
{
    uint8_t buf[11 + 32 + 8 + 32];
    size_t size = 11;
    memcpy(buf, "aitbc/state", 11);
    memcpy(buf + size, accounts->bytes, 32);
    size += 32;
    proto_le_put_u64(buf + size, proto_state_base_fee(s));
    size += 8;
    if (proto_validator_set(s) != NULL) {
        proto_hash vh;
        proto_valset_hash(proto_validator_set(s), fast, &vh);
        memcpy(buf + size, vh.bytes, 32);
        size += 32;
    }
    if (fast) {
        proto_fastmix(out->bytes, 32, "aitbc/state", 11, buf + 11, size - 11);
    } else {
        proto_hash_bytes(out, buf, size);
    }
}

/* The whole state root from scratch. */
static void reference_root_mode(const proto_state *s, bool fast, proto_hash *out)
{
    proto_hash accounts;
    reference_accounts_root(s, fast, &accounts);
    reference_fold(s, fast, &accounts, out);
}

static void reference_root(const proto_state *s, proto_hash *out)
{
    reference_root_mode(s, false, out);
}

static void assert_root_matches_reference(proto_state *s)
{
    proto_hash got;
    proto_hash want;
    proto_state_root(s, &got);
    reference_root(s, &want);
    ck_assert(proto_hash_equal(&got, &want));
}

static void root_of(proto_state *s, proto_hash *out)
{
    proto_state_root(s, out);
}

static uint64_t xorshift(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* The gas a one-transfer envelope of wire_size bytes uses, from the
 * documented default prices (gas.h: read 1000 + 3/byte, write 2000 +
 * 30/byte, 10 per tx byte, 590 per signature; an account is 5 + 48
 * bytes): the ante's intrinsic, read and write, and the bank's two reads
 * and two writes. Independent of the code under test. */
static uint64_t documented_transfer_gas(size_t wire_size)
{
    uint64_t read = 1000 + 3 * 53;
    uint64_t write = 2000 + 30 * 53;
    return 10 * (uint64_t)wire_size + 590 + 3 * (read + write);
}

/* ---- roots ---- */

START_TEST(test_root_small_shapes)
{
    proto_crypto_global_init();
    proto_state *s = proto_state_new();
    proto_hash root;
    proto_hash want;
    proto_state_root(s, &root);
    reference_root(s, &want); /* zero accounts root, base fee 0: still hashed */
    ck_assert(proto_hash_equal(&root, &want));
    ck_assert(!proto_hash_is_zero(&root));

    proto_keypair kp;
    for (uint32_t i = 0; i < 9; i++) {
        char label[16];
        g_snprintf(label, sizeof label, "a/%u", i);
        proto_keypair_derive(&kp, 1, label);
        proto_state_add_account(s, &kp.pk, 100 * i);
        assert_root_matches_reference(s);
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
    reference_leaf(false, proto_state_account(one, 0), &leaf_ref);
    ck_assert(proto_hash_equal(&leaf, &leaf_ref));
    reference_fold(one, false, &leaf, &want);
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
    world w;
    world_init(&w, PROTO_CRYPTO_FAST, 3, 100);
    ck_assert_uint_eq(proto_state_base_fee(w.s), BASE_FEE);
    proto_hash r0;
    root_of(w.s, &r0);
    assert_root_matches_reference(w.s);

    proto_undo u;
    proto_undo_init(&u);
    proto_state_set_base_fee(w.s, BASE_FEE + 1, &u);
    proto_hash r1;
    root_of(w.s, &r1);
    ck_assert(!proto_hash_equal(&r0, &r1));
    assert_root_matches_reference(w.s);
    proto_state_set_base_fee(w.s, BASE_FEE + 2, &u); /* saved once: the first value stays */

    proto_state *copy = proto_state_copy(w.s);
    ck_assert_uint_eq(proto_state_base_fee(copy), BASE_FEE + 2);
    proto_hash rc;
    proto_hash rs;
    root_of(copy, &rc);
    root_of(w.s, &rs);
    ck_assert(proto_hash_equal(&rc, &rs));

    proto_state_revert(w.s, &u);
    ck_assert_uint_eq(proto_state_base_fee(w.s), BASE_FEE);
    proto_hash back;
    root_of(w.s, &back);
    ck_assert(proto_hash_equal(&back, &r0));
    ck_assert_uint_eq(proto_state_base_fee(copy), BASE_FEE + 2); /* the copy is its own */

    /* Equal base fees give equal roots whatever the path. */
    proto_state_set_base_fee(copy, BASE_FEE, NULL);
    root_of(copy, &rc);
    ck_assert(proto_hash_equal(&rc, &r0));

    /* A log that only touched accounts does not touch the base fee. */
    proto_state_set_base_fee(w.s, 3, NULL);
    proto_state_account_mut(w.s, 1, &u)->balance -= 1;
    proto_state_account_mut(w.s, 2, &u)->balance += 1;
    proto_state_revert(w.s, &u);
    ck_assert_uint_eq(proto_state_base_fee(w.s), 3);
    ck_assert_uint_eq(proto_state_account(w.s, 1)->balance, 101);
    assert_root_matches_reference(w.s);
    proto_undo_clear(&u);
    proto_state_free(copy);
    world_clear(&w);
}
END_TEST

/* ---- the key index ---- */

START_TEST(test_account_by_key)
{
    world w;
    world_init(&w, PROTO_CRYPTO_FAST, 5, 100);
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
    world_clear(&w);
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
    assert_root_matches_reference(s);
    g_free(pks);
    proto_state_free(half);
    proto_state_free(s);
}
END_TEST

/* ---- one transaction ---- */

START_TEST(test_apply_effects)
{
    world w;
    world_init(&w, PROTO_CRYPTO_REAL, 3, BALANCE);
    uint64_t supply = proto_state_total_supply(w.s);
    ck_assert_uint_eq(supply, 3 * BALANCE + 0 + 1 + 2);
    proto_txenv tx = make_tx(&w, 0, 2, 300);
    size_t wire = proto_txenv_wire_size(&tx);
    ck_assert_uint_eq(tx.gas_limit, documented_transfer_gas(wire));
    ck_assert_uint_eq(tx.gas_limit, proto_tx_ante_gas(&w.rules.gas, wire) +
                                        proto_bank_transfer_gas(&w.rules.gas));
    proto_tx_receipt rc;
    ck_assert_int_eq(exec_tx(&w, &tx, NULL, 1, &rc), PROTO_TX_EXEC_OK);
    uint64_t gas = rc.gas_used;
    ck_assert_uint_eq(gas, tx.gas_limit);
    ck_assert(rc.messages_ok);
    ck_assert(!rc.out_of_gas);
    ck_assert_uint_eq(rc.sender, 0);
    ck_assert_uint_eq(rc.burned, gas * BASE_FEE);
    ck_assert_uint_eq(rc.tips, gas * TIP);
    ck_assert_uint_eq(proto_state_account(w.s, 0)->balance, BALANCE - 300 - gas * (BASE_FEE + TIP));
    ck_assert_uint_eq(proto_state_account(w.s, 0)->nonce, 1);
    ck_assert_uint_eq(proto_state_account(w.s, 2)->balance, BALANCE + 2 + 300);
    ck_assert_uint_eq(proto_state_account(w.s, 2)->nonce, 0);
    ck_assert_uint_eq(proto_state_account(w.s, 1)->balance, BALANCE + 1 + gas * TIP);
    ck_assert_uint_eq(proto_state_account(w.s, 1)->nonce, 0);
    ck_assert_uint_eq(proto_state_burned(w.s), gas * BASE_FEE);
    ck_assert_uint_eq(proto_state_total_supply(w.s), supply);
    /* Replaying the same tx is a nonce error, and changes nothing. */
    proto_hash before;
    root_of(w.s, &before);
    ck_assert_int_eq(exec_tx(&w, &tx, NULL, 1, NULL), PROTO_TX_EXEC_BAD_NONCE);
    proto_hash after;
    root_of(w.s, &after);
    ck_assert(proto_hash_equal(&before, &after));
    /* Spending everything exactly is allowed: what is left once the gas is
     * bought (max fee = base + tip, so that is everything), all of it. */
    uint64_t bal = proto_state_account(w.s, 2)->balance;
    tx = make_tx(&w, 2, 0, 1);
    uint64_t cost = tx.gas_limit * (BASE_FEE + TIP);
    tx = make_tx(&w, 2, 0, bal - cost);
    ck_assert_int_eq(exec_tx(&w, &tx, NULL, 1, &rc), PROTO_TX_EXEC_OK);
    ck_assert(rc.messages_ok);
    ck_assert_uint_eq(proto_state_account(w.s, 2)->balance, 0);
    ck_assert_uint_eq(proto_state_account(w.s, 2)->nonce, 1);
    ck_assert_uint_eq(proto_state_total_supply(w.s), supply);
    assert_root_matches_reference(w.s);
    world_clear(&w);
}
END_TEST

/* Sender pays gas_used * (base + effective tip), gas_used * base is
 * burned, gas_used * tip goes to the fee account, unused gas comes back
 * at the price paid; the supply does not move. Effective tip = min(max
 * priority, max fee - base). */
static void check_settlement(uint64_t max_fee, uint64_t max_priority, uint64_t extra_gas,
                             uint32_t fee_account)
{
    world w;
    world_init(&w, PROTO_CRYPTO_FAST, 4, BALANCE);
    uint64_t supply = proto_state_total_supply(w.s);
    txfix_fees fees = {.max_fee_per_gas = max_fee, .max_priority_fee_per_gas = max_priority};
    proto_txenv tx = make_tx_on(&w, w.s, 0, 1, 1000, fees);
    uint64_t needed = tx.gas_limit;
    tx.gas_limit += extra_gas;
    resign(&w, &tx, &w.keys[0]);
    uint64_t tip = MIN(max_priority, max_fee - BASE_FEE);
    proto_account before[4];
    for (uint32_t i = 0; i < 4; i++)
        before[i] = *proto_state_account(w.s, i);

    proto_tx_receipt rc;
    ck_assert_int_eq(exec_tx(&w, &tx, NULL, fee_account, &rc), PROTO_TX_EXEC_OK);
    ck_assert(rc.messages_ok);
    ck_assert_uint_eq(rc.gas_used, needed); /* not the limit: the rest is refunded */
    ck_assert_uint_eq(rc.burned, needed * BASE_FEE);
    ck_assert_uint_eq(rc.tips, needed * tip);
    ck_assert_uint_eq(proto_state_burned(w.s), needed * BASE_FEE);
    uint64_t paid = needed * (BASE_FEE + tip);
    uint64_t want[4];
    for (uint32_t i = 0; i < 4; i++)
        want[i] = before[i].balance;
    want[0] -= 1000 + paid;
    want[1] += 1000;
    want[fee_account] += needed * tip;
    for (uint32_t i = 0; i < 4; i++)
        ck_assert_uint_eq(proto_state_account(w.s, i)->balance, want[i]);
    ck_assert_uint_eq(proto_state_account(w.s, 0)->nonce, 1);
    ck_assert_uint_eq(proto_state_total_supply(w.s), supply);
    assert_root_matches_reference(w.s);
    world_clear(&w);
}

START_TEST(test_fee_settlement_exact)
{
    check_settlement(BASE_FEE + 10, 3, 5000, 2);  /* tip = max priority; refund */
    check_settlement(BASE_FEE + 10, 15, 5000, 3); /* tip capped by max fee - base */
    check_settlement(BASE_FEE + 10, 0, 0, 2);     /* no tip: the fee account gets nothing */
    check_settlement(BASE_FEE, 5, 1, 3);          /* max fee = base: no room for a tip */
    check_settlement(BASE_FEE + 4, 4, 77, 0);     /* the sender is the proposer's fee account */
}
END_TEST

/* A message the bank refuses (more than the balance, an unknown
 * recipient, the sender itself) is reverted, but the transaction is
 * included: nonce taken, fee paid. */
static void check_failed_transfer(uint32_t to, uint64_t amount, const char *why)
{
    world w;
    world_init(&w, PROTO_CRYPTO_FAST, 3, BALANCE);
    uint64_t supply = proto_state_total_supply(w.s);
    proto_txenv tx = make_tx(&w, 0, to, amount);
    tx.gas_limit += 1000; /* headroom: the failure is the bank's, not the meter's */
    resign(&w, &tx, &w.keys[0]);
    proto_undo u;
    proto_undo_init(&u);
    proto_tx_receipt rc;
    ck_assert_int_eq(exec_tx(&w, &tx, &u, 2, &rc), PROTO_TX_EXEC_OK);
    ck_assert(!rc.messages_ok);
    ck_assert(!rc.out_of_gas);
    ck_assert_uint_eq(rc.failed_message, 0);
    ck_assert_int_eq(rc.failure.status, PROTO_MSG_REFUSED);
    ck_assert_ptr_eq(rc.failure.module, &proto_bank_module);
    ck_assert_str_eq(proto_msg_result_name(rc.failure), why);
    /* The bank charges its gas before it judges. */
    ck_assert_uint_eq(rc.gas_used, tx.gas_limit - 1000);
    uint64_t paid = rc.gas_used * (BASE_FEE + TIP);
    ck_assert_uint_eq(proto_state_account(w.s, 0)->balance, BALANCE - paid);
    ck_assert_uint_eq(proto_state_account(w.s, 0)->nonce, 1);
    ck_assert_uint_eq(proto_state_account(w.s, 1)->balance, BALANCE + 1);
    ck_assert_uint_eq(proto_state_account(w.s, 2)->balance, BALANCE + 2 + rc.gas_used * TIP);
    ck_assert_uint_eq(proto_state_burned(w.s), rc.gas_used * BASE_FEE);
    ck_assert_uint_eq(proto_state_total_supply(w.s), supply);
    assert_root_matches_reference(w.s);
    /* And the whole transaction reverts through the log. */
    proto_state_revert(w.s, &u);
    ck_assert_uint_eq(proto_state_account(w.s, 0)->balance, BALANCE);
    ck_assert_uint_eq(proto_state_account(w.s, 0)->nonce, 0);
    ck_assert_uint_eq(proto_state_burned(w.s), 0);
    proto_undo_clear(&u);
    world_clear(&w);
}

START_TEST(test_failed_message_pays_fee)
{
    check_failed_transfer(1, BALANCE, "no_funds"); /* the balance minus the gas is less */
    check_failed_transfer(1, UINT64_MAX, "no_funds");
    check_failed_transfer(3, 1, "bad_account"); /* no such account */
    check_failed_transfer(0, 1, "bad_account"); /* to itself */
}
END_TEST

/* Gas limit above the intrinsic gas but below what the transfer needs:
 * the meter runs out, the whole gas limit is paid, nothing moves. Once in
 * the bank's charge, once already in the ante's account access. */
static void check_out_of_gas(uint64_t gas_limit, bool in_bank)
{
    world w;
    world_init(&w, PROTO_CRYPTO_FAST, 3, BALANCE);
    uint64_t supply = proto_state_total_supply(w.s);
    proto_txenv tx = make_tx(&w, 0, 1, 5);
    size_t wire = proto_txenv_wire_size(&tx);
    ck_assert_uint_ge(gas_limit, proto_gas_intrinsic(&w.rules.gas, wire, 1));
    ck_assert_uint_lt(gas_limit, tx.gas_limit);
    tx.gas_limit = gas_limit;
    resign(&w, &tx, &w.keys[0]);
    proto_tx_receipt rc;
    ck_assert_int_eq(exec_tx(&w, &tx, NULL, 2, &rc), PROTO_TX_EXEC_OK);
    ck_assert(rc.out_of_gas);
    ck_assert(!rc.messages_ok);
    ck_assert_uint_eq(rc.gas_used, gas_limit);
    if (in_bank) {
        ck_assert_uint_eq(rc.failed_message, 0);
        ck_assert_ptr_eq(rc.failure.module, &proto_bank_module);
        ck_assert_str_eq(proto_msg_result_name(rc.failure), "out_of_gas");
    }
    ck_assert_uint_eq(proto_state_account(w.s, 0)->balance,
                      BALANCE - gas_limit * (BASE_FEE + TIP));
    ck_assert_uint_eq(proto_state_account(w.s, 0)->nonce, 1);
    ck_assert_uint_eq(proto_state_account(w.s, 1)->balance, BALANCE + 1);
    ck_assert_uint_eq(proto_state_account(w.s, 2)->balance, BALANCE + 2 + gas_limit * TIP);
    ck_assert_uint_eq(proto_state_burned(w.s), gas_limit * BASE_FEE);
    ck_assert_uint_eq(proto_state_total_supply(w.s), supply);
    world_clear(&w);
}

START_TEST(test_out_of_gas)
{
    proto_gas_schedule gas = proto_gas_schedule_default();
    /* A one-transfer envelope: ante + transfer = documented_transfer_gas. */
    uint64_t wire = PROTO_TXENV_HEADER_SIZE + 1 + 4 + 8 + PROTO_SIG_SIZE;
    uint64_t ante = proto_tx_ante_gas(&gas, wire);
    uint64_t full = documented_transfer_gas(wire);
    check_out_of_gas(full - 1, true);
    check_out_of_gas(ante + 1, true);
    check_out_of_gas(ante, true); /* the ante fits exactly, the bank gets nothing */
    check_out_of_gas(ante - 1, false);
    check_out_of_gas(proto_gas_intrinsic(&gas, wire, 1), false);
}
END_TEST

/* Every refusal leaves the state untouched (same root, burned, nonces)
 * and the undo log empty. */
START_TEST(test_rejections)
{
    world w;
    world_init(&w, PROTO_CRYPTO_REAL, 3, BALANCE);
    /* A poor account: exactly one short of gas_limit * max_fee. */
    proto_keypair poor;
    proto_keypair_derive(&poor, 5, "poor");
    proto_txenv probe = txfix_transfer(w.c, CHAIN_ID, &poor, 0, 1, 1, FEES);
    uint64_t cover = probe.gas_limit * FEES.max_fee_per_gas;
    ck_assert_uint_eq(proto_state_add_account(w.s, &poor.pk, cover - 1), 3);
    proto_keypair stranger;
    proto_keypair_derive(&stranger, 5, "stranger");
    proto_hash before;
    root_of(w.s, &before);

    struct {
        proto_txenv tx;
        proto_tx_exec_result want;
        proto_txenv_result envelope; /* when INVALID */
        uint64_t block_gas_left;
    } cases[14];
    size_t n = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
        cases[i].block_gas_left = TXFIX_BLOCK_GAS_LIMIT, cases[i].envelope = PROTO_TXENV_OK;

    cases[n].tx = txfix_transfer(w.c, CHAIN_ID + 1, &w.keys[0], 0, 1, 1, FEES);
    cases[n].want = PROTO_TX_EXEC_INVALID, cases[n++].envelope = PROTO_TXENV_WRONG_CHAIN;

    cases[n].tx = make_tx(&w, 0, 1, 1);
    cases[n].tx.gas_limit = 0;
    resign(&w, &cases[n].tx, &w.keys[0]);
    cases[n].want = PROTO_TX_EXEC_INVALID, cases[n++].envelope = PROTO_TXENV_ZERO_GAS;

    cases[n].tx = make_tx(&w, 0, 1, 1);
    cases[n].tx.gas_limit = TXFIX_BLOCK_GAS_LIMIT + 1;
    resign(&w, &cases[n].tx, &w.keys[0]);
    cases[n].want = PROTO_TX_EXEC_INVALID, cases[n++].envelope = PROTO_TXENV_GAS_OVER_BLOCK_LIMIT;

    cases[n].tx = make_tx_on(&w, w.s, 0, 1, 1,
                             (txfix_fees){.max_fee_per_gas = 10, .max_priority_fee_per_gas = 11});
    cases[n].want = PROTO_TX_EXEC_INVALID, cases[n++].envelope = PROTO_TXENV_TIP_ABOVE_FEE_CAP;

    cases[n].tx = make_tx_on(&w, w.s, 0, 1, 1,
                             (txfix_fees){.max_fee_per_gas = UINT64_MAX,
                                          .max_priority_fee_per_gas = 0});
    cases[n].want = PROTO_TX_EXEC_INVALID, cases[n++].envelope = PROTO_TXENV_FEE_OVERFLOW;

    cases[n].tx = make_tx(&w, 0, 1, 1);
    cases[n].tx.gas_limit = 100;
    resign(&w, &cases[n].tx, &w.keys[0]);
    cases[n].want = PROTO_TX_EXEC_INVALID, cases[n++].envelope = PROTO_TXENV_GAS_BELOW_INTRINSIC;

    cases[n].tx = make_tx_on(&w, w.s, 0, 1, 1,
                             (txfix_fees){.max_fee_per_gas = BASE_FEE - 1,
                                          .max_priority_fee_per_gas = 0});
    cases[n++].want = PROTO_TX_EXEC_FEE_CAP_LOW;

    cases[n].tx = make_tx(&w, 0, 1, 1);
    cases[n].block_gas_left = cases[n].tx.gas_limit - 1;
    cases[n++].want = PROTO_TX_EXEC_BLOCK_FULL;

    cases[n].tx = txfix_transfer(w.c, CHAIN_ID, &stranger, 0, 1, 1, FEES);
    cases[n++].want = PROTO_TX_EXEC_UNKNOWN_SENDER;

    cases[n].tx = txfix_transfer(w.c, CHAIN_ID, &w.keys[0], 1, 1, 1, FEES); /* ahead */
    cases[n++].want = PROTO_TX_EXEC_BAD_NONCE;

    cases[n].tx = txfix_transfer(w.c, CHAIN_ID, &poor, 0, 1, 1, FEES);
    cases[n++].want = PROTO_TX_EXEC_NO_FUNDS;

    cases[n].tx = make_tx(&w, 0, 1, 1); /* changed after signing */
    cases[n].tx.messages[0].transfer.amount = 2;
    cases[n++].want = PROTO_TX_EXEC_BAD_SIGNATURE;

    cases[n].tx = make_tx(&w, 0, 1, 1);
    sign_as(&w, &cases[n].tx, &w.keys[1]); /* signed by the wrong key */
    cases[n++].want = PROTO_TX_EXEC_BAD_SIGNATURE;

    cases[n].tx = make_tx(&w, 0, 1, 1);
    cases[n].tx.sender = w.keys[1].pk; /* claims another sender */
    cases[n++].want = PROTO_TX_EXEC_BAD_SIGNATURE;
    ck_assert_uint_eq(n, G_N_ELEMENTS(cases));

    for (size_t i = 0; i < n; i++) {
        proto_undo u;
        proto_undo_init(&u);
        proto_tx_receipt rc;
        proto_tx_exec_result got =
            exec_full(&w, w.s, &cases[i].tx, &u, cases[i].block_gas_left, 2, &rc);
        ck_assert_msg(got == cases[i].want, "case %zu: %s", i, proto_tx_exec_result_name(got));
        if (cases[i].want == PROTO_TX_EXEC_INVALID)
            ck_assert_int_eq(rc.envelope, cases[i].envelope);
        ck_assert_uint_eq(u.entries->len, 0);
        ck_assert_uint_eq(proto_undo_records_count(&u), 0);
        ck_assert(!u.burned_saved && !u.base_fee_saved);
        proto_undo_clear(&u);
    }
    ck_assert_uint_eq(exec_tx(&w, &cases[8].tx, NULL, 2, NULL), PROTO_TX_EXEC_UNKNOWN_SENDER);
    proto_hash after;
    root_of(w.s, &after);
    ck_assert(proto_hash_equal(&before, &after));
    ck_assert_uint_eq(proto_state_burned(w.s), 0);
    for (uint32_t i = 0; i < 4; i++)
        ck_assert_uint_eq(proto_state_account(w.s, i)->nonce, 0);
    ck_assert_ptr_null(proto_state_account(w.s, 4));

    /* A pool's admission: the nonce may be ahead (it waits), the fee cap
     * and the block's gas are not judged; nothing is applied. */
    uint32_t sender = 99;
    proto_txenv_result envelope = PROTO_TXENV_RESULT_COUNT;
    ck_assert_int_eq(proto_tx_admissible(w.s, &w.rules, w.c, &cases[9].tx,
                                         proto_txenv_wire_size(&cases[9].tx), &sender, &envelope),
                     PROTO_TX_EXEC_OK);
    ck_assert_uint_eq(sender, 0);
    ck_assert_int_eq(envelope, PROTO_TXENV_OK);
    ck_assert_int_eq(proto_tx_admissible(w.s, &w.rules, w.c, &cases[6].tx,
                                         proto_txenv_wire_size(&cases[6].tx), &sender, NULL),
                     PROTO_TX_EXEC_OK);
    ck_assert_int_eq(proto_tx_admissible(w.s, &w.rules, w.c, &cases[0].tx,
                                         proto_txenv_wire_size(&cases[0].tx), &sender, &envelope),
                     PROTO_TX_EXEC_INVALID);
    ck_assert_int_eq(envelope, PROTO_TXENV_WRONG_CHAIN);
    ck_assert_int_eq(proto_tx_admissible(w.s, &w.rules, w.c, &cases[11].tx,
                                         proto_txenv_wire_size(&cases[11].tx), &sender, NULL),
                     PROTO_TX_EXEC_BAD_SIGNATURE);
    ck_assert_uint_eq(proto_state_account(w.s, 0)->nonce, 0); /* admission did not apply */

    /* The boundaries are accepted: gas limit = gas left, balance = cover. */
    proto_txenv ok = make_tx(&w, 0, 1, 1);
    ck_assert_int_eq(exec_full(&w, w.s, &ok, NULL, ok.gas_limit, 2, NULL), PROTO_TX_EXEC_OK);
    proto_state_account_mut(w.s, 3, NULL)->balance += 1; /* from account 1, to keep the supply */
    proto_state_account_mut(w.s, 1, NULL)->balance -= 1;
    proto_tx_receipt rc;
    ck_assert_int_eq(exec_tx(&w, &cases[10].tx, NULL, 2, &rc), PROTO_TX_EXEC_OK);
    /* It bought all its balance as gas (max fee = base + tip, gas exact),
     * so its transfer of 1 then fails in the bank. */
    ck_assert(!rc.messages_ok);
    ck_assert_uint_eq(proto_state_account(w.s, 3)->balance, 0);
    ck_assert_uint_eq(proto_state_account(w.s, 3)->nonce, 1);
    /* A transaction the state has passed is behind: admission refuses it. */
    ck_assert_int_eq(proto_tx_admissible(w.s, &w.rules, w.c, &ok, proto_txenv_wire_size(&ok),
                                         &sender, NULL),
                     PROTO_TX_EXEC_BAD_NONCE);
    world_clear(&w);
}
END_TEST

/* Two messages: the second fails, so the first is reverted too; the fee
 * and the nonce stay. Then both succeed. */
START_TEST(test_two_messages_all_or_nothing)
{
    world w;
    world_init(&w, PROTO_CRYPTO_FAST, 3, BALANCE);
    uint64_t supply = proto_state_total_supply(w.s);
    proto_txenv tx = {.chain_id = CHAIN_ID,
                      .sender = w.keys[0].pk,
                      .nonce = 0,
                      .max_fee_per_gas = FEES.max_fee_per_gas,
                      .max_priority_fee_per_gas = FEES.max_priority_fee_per_gas,
                      .message_count = 2};
    tx.messages[0].type = PROTO_TXMSG_TRANSFER;
    tx.messages[0].transfer.to = 1;
    tx.messages[0].transfer.amount = 10;
    tx.messages[1].type = PROTO_TXMSG_TRANSFER;
    tx.messages[1].transfer.to = 99; /* no such account */
    tx.messages[1].transfer.amount = 1;
    tx.gas_limit = txfix_gas(&tx);
    resign(&w, &tx, &w.keys[0]);
    proto_undo u;
    proto_undo_init(&u);
    proto_tx_receipt rc;
    ck_assert_int_eq(exec_tx(&w, &tx, &u, 2, &rc), PROTO_TX_EXEC_OK);
    ck_assert(!rc.messages_ok);
    ck_assert_uint_eq(rc.failed_message, 1);
    ck_assert_str_eq(proto_msg_result_name(rc.failure), "bad_account");
    ck_assert_uint_eq(proto_state_account(w.s, 1)->balance, BALANCE + 1); /* first undone */
    ck_assert_uint_eq(proto_state_account(w.s, 0)->balance,
                      BALANCE - rc.gas_used * (BASE_FEE + TIP));
    ck_assert_uint_eq(proto_state_account(w.s, 0)->nonce, 1);
    ck_assert_uint_eq(proto_state_burned(w.s), rc.gas_used * BASE_FEE);
    ck_assert_uint_eq(proto_state_total_supply(w.s), supply);
    assert_root_matches_reference(w.s);

    tx.nonce = 1;
    tx.messages[1].transfer.to = 2;
    resign(&w, &tx, &w.keys[0]);
    uint64_t bal0 = proto_state_account(w.s, 0)->balance;
    uint64_t bal2 = proto_state_account(w.s, 2)->balance;
    ck_assert_int_eq(exec_tx(&w, &tx, &u, 2, &rc), PROTO_TX_EXEC_OK);
    ck_assert(rc.messages_ok);
    ck_assert_uint_eq(rc.gas_used, tx.gas_limit);
    ck_assert_uint_eq(proto_state_account(w.s, 1)->balance, BALANCE + 1 + 10);
    ck_assert_uint_eq(proto_state_account(w.s, 0)->balance,
                      bal0 - 11 - rc.gas_used * (BASE_FEE + TIP));
    ck_assert_uint_eq(proto_state_account(w.s, 2)->balance, bal2 + 1 + rc.gas_used * TIP);
    ck_assert_uint_eq(proto_state_total_supply(w.s), supply);

    proto_state_revert(w.s, &u);
    for (uint32_t i = 0; i < 3; i++) {
        ck_assert_uint_eq(proto_state_account(w.s, i)->balance, BALANCE + i);
        ck_assert_uint_eq(proto_state_account(w.s, i)->nonce, 0);
    }
    ck_assert_uint_eq(proto_state_burned(w.s), 0);
    proto_undo_clear(&u);
    world_clear(&w);
}
END_TEST

/* ---- undo ---- */

/* Random transactions (valid, refused, failing, changing base fees)
 * recorded in one undo log, then reverted: balances, nonces, burned, base
 * fee and root all come back exactly. Along the way the lazy root always
 * matches the reference and supply is conserved. */
static void random_apply_revert(proto_crypto_mode mode, uint32_t accounts, int txs)
{
    world w;
    world_init(&w, mode, accounts, 1000000000);
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
        txfix_fees fees = {.max_fee_per_gas = BASE_FEE + 3,
                           .max_priority_fee_per_gas = xorshift(&rng) % 5};
        uint64_t nonce = proto_state_account(w.s, from)->nonce;
        if (xorshift(&rng) % 8 == 0) {
            nonce++; /* some with a wrong nonce */
        }
        proto_txenv tx = txfix_transfer(w.c, CHAIN_ID, &w.keys[from], nonce, to, amount, fees);
        proto_tx_receipt rc;
        if (exec_tx(&w, &tx, &u, fee_account, &rc) == PROTO_TX_EXEC_OK) {
            applied++;
            failed += !rc.messages_ok;
        }
        if (xorshift(&rng) % 40 == 0) {
            proto_state_set_base_fee(w.s, BASE_FEE - 2 + xorshift(&rng) % 7, &u);
        }
        ck_assert_uint_eq(proto_state_total_supply(w.s), supply);
        if (i % 7 == 0) {
            assert_root_matches_reference(w.s);
        }
    }
    ck_assert_int_gt(applied, txs / 3);
    ck_assert_int_gt(failed, 0); /* self-transfers at least */
    ck_assert_uint_gt(proto_state_burned(w.s), 0);
    assert_root_matches_reference(w.s);

    proto_state_revert(w.s, &u);
    ck_assert_uint_eq(u.entries->len, 0);
    proto_hash root1;
    proto_state_root(w.s, &root1);
    ck_assert(proto_hash_equal(&root0, &root1));
    ck_assert_uint_eq(proto_state_burned(w.s), 0);
    ck_assert_uint_eq(proto_state_base_fee(w.s), BASE_FEE);
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
    world_init(&w, PROTO_CRYPTO_FAST, 4, BALANCE);
    proto_undo b1;
    proto_undo b2;
    proto_undo_init(&b1);
    proto_undo_init(&b2);
    proto_tx_receipt rc;
    proto_txenv tx = make_tx(&w, 0, 1, 10);
    ck_assert_int_eq(exec_tx(&w, &tx, &b1, 3, &rc), PROTO_TX_EXEC_OK);
    uint64_t burned1 = rc.burned;
    proto_state_set_base_fee(w.s, BASE_FEE + 1, &b1); /* block 1's end */
    proto_hash after1;
    proto_state_root(w.s, &after1);
    uint64_t bal1 = proto_state_account(w.s, 1)->balance;
    tx = make_tx(&w, 0, 2, 20);
    ck_assert_int_eq(exec_tx(&w, &tx, &b2, 3, &rc), PROTO_TX_EXEC_OK);
    uint64_t burned2 = rc.burned;
    tx = make_tx(&w, 1, 3, 30);
    ck_assert_int_eq(exec_tx(&w, &tx, &b2, 3, &rc), PROTO_TX_EXEC_OK);
    burned2 += rc.burned;
    proto_state_set_base_fee(w.s, BASE_FEE + 2, &b2);
    ck_assert_uint_eq(proto_state_burned(w.s), burned1 + burned2);
    proto_state_revert(w.s, &b2);
    proto_hash root;
    proto_state_root(w.s, &root);
    ck_assert(proto_hash_equal(&root, &after1));
    ck_assert_uint_eq(proto_state_burned(w.s), burned1);
    ck_assert_uint_eq(proto_state_base_fee(w.s), BASE_FEE + 1);
    ck_assert_uint_eq(proto_state_account(w.s, 0)->nonce, 1);
    ck_assert_uint_eq(proto_state_account(w.s, 1)->balance, bal1);
    ck_assert_uint_eq(bal1, BALANCE + 1 + 10);
    proto_state_revert(w.s, &b2); /* empty log: no effect */
    ck_assert_uint_eq(proto_state_burned(w.s), burned1);
    ck_assert_uint_eq(proto_state_base_fee(w.s), BASE_FEE + 1);
    proto_state_revert(w.s, &b1);
    ck_assert_uint_eq(proto_state_burned(w.s), 0);
    ck_assert_uint_eq(proto_state_base_fee(w.s), BASE_FEE);
    proto_undo_clear(&b1);
    proto_undo_clear(&b2);
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

static void valset_hash_of(const proto_state *s, proto_hash *out)
{
    proto_valset_hash(proto_validator_set(s), false, out);
}

/* A mark splits a log: reverting to it undoes what came after (account
 * entries, module records, burned, the base fee) and keeps what came
 * before, which a full revert then undoes. */
START_TEST(test_undo_mark_partial_revert)
{
    world w;
    world_init(&w, PROTO_CRYPTO_FAST, 4, 1000);
    attach_valset(&w);
    uint64_t supply = proto_state_total_supply(w.s);
    proto_hash r0;
    root_of(w.s, &r0);
    proto_hash set0;
    valset_hash_of(w.s, &set0);

    proto_undo u;
    proto_undo_init(&u);
    /* A mark with nothing after it reverts nothing. */
    proto_undo_mark empty = proto_undo_mark_now(&u, w.s);
    ck_assert_uint_eq(empty.entries, 0);
    ck_assert_uint_eq(empty.records, 0);
    proto_state_revert_to(w.s, &u, &empty);
    proto_hash r;
    root_of(w.s, &r);
    ck_assert(proto_hash_equal(&r, &r0));

    /* Before the mark: 100 from 0 to 1, 5 of account 2 burned, base fee. */
    proto_state_account_mut(w.s, 0, &u)->balance -= 100;
    proto_state_account_mut(w.s, 1, &u)->balance += 100;
    proto_state_account_mut(w.s, 2, &u)->balance -= 5;
    proto_state_burn(w.s, 5, &u);
    proto_state_set_base_fee(w.s, 11, &u);
    proto_hash r_mark;
    root_of(w.s, &r_mark);
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
    valset_hash_of(w.s, &set_mid);
    ck_assert(proto_hash_equal(&set_mid, &set0));
    root_of(w.s, &r);
    ck_assert(proto_hash_equal(&r, &r_mark));
    ck_assert_uint_eq(proto_state_total_supply(w.s), supply);

    /* The log goes on after a partial revert; a full one undoes it all. */
    proto_state_account_mut(w.s, 2, &u)->balance -= 1;
    proto_state_burn(w.s, 1, &u);
    proto_state_set_base_fee(w.s, 17, &u);
    proto_validator_slash_double_sign(w.s, 2, 3, 0, &u);
    proto_state_revert(w.s, &u);
    root_of(w.s, &r);
    ck_assert(proto_hash_equal(&r, &r0));
    ck_assert_uint_eq(proto_state_burned(w.s), 0);
    ck_assert_uint_eq(proto_state_base_fee(w.s), BASE_FEE);
    proto_hash set1;
    valset_hash_of(w.s, &set1);
    ck_assert(proto_hash_equal(&set1, &set0));
    ck_assert_uint_eq(proto_state_total_supply(w.s), supply);

    /* A mark taken before the log's first burn and base fee change. */
    proto_undo_mark first = proto_undo_mark_now(&u, w.s);
    proto_state_account_mut(w.s, 2, &u)->balance -= 3;
    proto_state_burn(w.s, 3, &u);
    proto_state_set_base_fee(w.s, 1, &u);
    proto_state_revert_to(w.s, &u, &first);
    ck_assert_uint_eq(proto_state_burned(w.s), 0);
    ck_assert_uint_eq(proto_state_base_fee(w.s), BASE_FEE);
    proto_state_revert(w.s, &u);
    ck_assert_uint_eq(proto_state_burned(w.s), 0);
    ck_assert_uint_eq(proto_state_base_fee(w.s), BASE_FEE);
    root_of(w.s, &r);
    ck_assert(proto_hash_equal(&r, &r0));
    proto_undo_clear(&u);
    world_clear(&w);
}
END_TEST

/* Lazy root (only at the end) equals eager root (after every tx), and
 * growing past the capacity after transfers rebuilds correctly. */
START_TEST(test_lazy_equals_eager_and_growth)
{
    world lazy;
    world eager;
    world_init(&lazy, PROTO_CRYPTO_FAST, 5, BALANCE);
    world_init(&eager, PROTO_CRYPTO_FAST, 5, BALANCE);
    uint64_t rng = 12345;
    for (int i = 0; i < 200; i++) {
        uint32_t from = (uint32_t)(xorshift(&rng) % 5);
        uint32_t to = (uint32_t)((from + 1 + xorshift(&rng) % 4) % 5);
        uint64_t amount = xorshift(&rng) % 50;
        uint32_t fee_account = (uint32_t)(xorshift(&rng) % 5);
        proto_txenv a = make_tx(&lazy, from, to, amount);
        proto_txenv b = make_tx(&eager, from, to, amount);
        ck_assert_int_eq(exec_tx(&lazy, &a, NULL, fee_account, NULL),
                         exec_tx(&eager, &b, NULL, fee_account, NULL));
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
        char label[16];
        g_snprintf(label, sizeof label, "late/%u", i);
        proto_keypair_derive(&kp, 99, label);
        proto_state_add_account(lazy.s, &kp.pk, 5);
        ck_assert_uint_eq(proto_state_account_by_key(lazy.s, &kp.pk), 5 + i);
        if (i % 2 == 0) {
            assert_root_matches_reference(lazy.s);
        }
    }
    proto_txenv t = make_tx(&lazy, 0, 10, 1);
    ck_assert_int_eq(exec_tx(&lazy, &t, NULL, 9, NULL), PROTO_TX_EXEC_OK);
    ck_assert_uint_eq(proto_state_account(lazy.s, 10)->balance, 6);
    assert_root_matches_reference(lazy.s);
    world_clear(&lazy);
    world_clear(&eager);
}
END_TEST

START_TEST(test_copy_is_independent)
{
    world w;
    world_init(&w, PROTO_CRYPTO_FAST, 4, BALANCE);
    proto_txenv tx = make_tx(&w, 0, 1, 10); /* dirty, root not yet computed */
    ck_assert_int_eq(exec_tx(&w, &tx, NULL, 3, NULL), PROTO_TX_EXEC_OK);
    proto_state *copy = proto_state_copy(w.s);
    proto_hash r_orig;
    proto_hash r_copy;
    proto_state_root(w.s, &r_orig);
    proto_state_root(copy, &r_copy);
    ck_assert(proto_hash_equal(&r_orig, &r_copy));
    tx = make_tx_on(&w, copy, 2, 3, 10, FEES);
    ck_assert_int_eq(exec_full(&w, copy, &tx, NULL, TXFIX_BLOCK_GAS_LIMIT, 0, NULL),
                     PROTO_TX_EXEC_OK);
    proto_hash r_orig2;
    proto_state_root(w.s, &r_orig2);
    proto_state_root(copy, &r_copy);
    ck_assert(proto_hash_equal(&r_orig, &r_orig2));
    ck_assert(!proto_hash_equal(&r_orig, &r_copy));
    ck_assert_uint_eq(proto_state_account(w.s, 2)->balance, BALANCE + 2);
    ck_assert_uint_eq(proto_state_account(w.s, 2)->nonce, 0);
    ck_assert_uint_eq(proto_state_account(copy, 2)->nonce, 1);
    assert_root_matches_reference(copy);
    /* The same tx still executes on the original: its nonce is unused there. */
    ck_assert_int_eq(exec_tx(&w, &tx, NULL, 0, NULL), PROTO_TX_EXEC_OK);
    proto_state_root(w.s, &r_orig2);
    ck_assert(proto_hash_equal(&r_orig2, &r_copy));
    proto_state_free(copy);
    world_clear(&w);
}
END_TEST

/* A shared state (two references) is immutable; a copy of it is private. */
START_TEST(test_shared_state_copy_on_write)
{
    world w;
    world_init(&w, PROTO_CRYPTO_FAST, 3, BALANCE);
    ck_assert(!proto_state_shared(w.s));
    proto_state *ref = proto_state_ref(w.s);
    ck_assert_ptr_eq(ref, w.s);
    ck_assert(proto_state_shared(w.s));
    proto_hash before;
    proto_state_root(ref, &before); /* filling the cache of a shared state is allowed */
    proto_state *mine = proto_state_copy(ref);
    ck_assert(!proto_state_shared(mine));
    proto_txenv tx = make_tx_on(&w, mine, 0, 1, 5, FEES);
    ck_assert_int_eq(exec_full(&w, mine, &tx, NULL, TXFIX_BLOCK_GAS_LIMIT, 2, NULL),
                     PROTO_TX_EXEC_OK);
    proto_hash shared_root;
    proto_state_root(w.s, &shared_root);
    ck_assert(proto_hash_equal(&before, &shared_root));
    proto_state_free(ref);
    ck_assert(!proto_state_shared(w.s));
    proto_state_free(mine);
    world_clear(&w);
}
END_TEST

static void assert_root_mode(proto_state *s, bool fast, proto_hash *got)
{
    proto_hash want;
    proto_state_root(s, got);
    reference_root_mode(s, fast, &want);
    ck_assert(proto_hash_equal(got, &want));
}

/* The root against the reference in either hash mode, as the set, the
 * accounts and the base fee change one at a time. */
static void check_valset_root(proto_crypto_mode mode)
{
    bool fast = mode == PROTO_CRYPTO_FAST;
    world w;
    world_init(&w, mode, 5, BALANCE);
    proto_state_set_fast_hash(w.s, fast);
    proto_hash without;
    ck_assert_ptr_null(proto_validator_set(w.s));
    assert_root_mode(w.s, fast, &without); /* PoA: accounts and base fee only */

    attach_valset(&w);
    proto_hash with;
    assert_root_mode(w.s, fast, &with);
    ck_assert(!proto_hash_equal(&with, &without));

    /* A change through proto_validator_set_mut shows in the next root. */
    proto_valset_apply_double_sign(proto_validator_set_mut(w.s, NULL), 1, 5, 0);
    proto_hash changed;
    assert_root_mode(w.s, fast, &changed);
    ck_assert(!proto_hash_equal(&changed, &with));

    /* And so does an account change, with the set unchanged. */
    proto_txenv tx = make_tx(&w, 0, 1, 10);
    ck_assert_int_eq(exec_tx(&w, &tx, NULL, 2, NULL), PROTO_TX_EXEC_OK);
    proto_hash after_tx;
    assert_root_mode(w.s, fast, &after_tx);
    ck_assert(!proto_hash_equal(&after_tx, &changed));

    /* And a base fee change, with accounts and set unchanged. */
    proto_state_set_base_fee(w.s, BASE_FEE + 1, NULL);
    proto_hash after_fee;
    assert_root_mode(w.s, fast, &after_fee);
    ck_assert(!proto_hash_equal(&after_fee, &after_tx));

    /* Detached again: the fold without a set. */
    detach_valset(w.s);
    proto_hash detached;
    assert_root_mode(w.s, fast, &detached);
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

/* One undo log holding a transaction (fees burn), a slash (burn + set)
 * and a rotation reverts to exactly the state before, in either order. */
static void check_slash_revert(bool tx_first)
{
    world w;
    world_init(&w, PROTO_CRYPTO_FAST, 4, BALANCE);
    attach_valset(&w);
    proto_tx_receipt rc;
    proto_txenv tx = make_tx(&w, 3, 2, 1); /* an earlier block */
    ck_assert_int_eq(exec_tx(&w, &tx, NULL, 1, &rc), PROTO_TX_EXEC_OK);
    uint64_t earlier = rc.burned;
    ck_assert_uint_gt(earlier, 0);
    proto_hash root_before;
    proto_hash set_before;
    proto_state_root(w.s, &root_before);
    proto_valset_hash(proto_validator_set(w.s), false, &set_before);
    uint64_t supply = proto_state_total_supply(w.s);
    ck_assert_uint_eq(supply, 4 * BALANCE + 6 + 3000);

    proto_undo undo;
    proto_undo_init(&undo);
    uint64_t fees = 0;
    if (tx_first) {
        tx = make_tx(&w, 0, 1, 10);
        ck_assert_int_eq(exec_tx(&w, &tx, &undo, 3, &rc), PROTO_TX_EXEC_OK);
        fees = rc.burned;
    }
    ck_assert_uint_eq(slash_in_block(&w, &undo, 10), 50);
    proto_pubkey fresh;
    memset(fresh.bytes, 0x99, sizeof fresh.bytes);
    proto_valset_apply_rotate(proto_validator_set_mut(w.s, &undo), 0, &fresh, 10);
    if (!tx_first) {
        tx = make_tx(&w, 0, 1, 10);
        ck_assert_int_eq(exec_tx(&w, &tx, &undo, 3, &rc), PROTO_TX_EXEC_OK);
        fees = rc.burned;
    }
    ck_assert(rc.messages_ok);
    ck_assert_uint_eq(proto_state_burned(w.s), earlier + fees + 50);
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
    ck_assert_uint_eq(proto_state_burned(w.s), earlier);
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

    /* Detaching the set gives the accounts-and-base-fee root back. */
    detach_valset(copy);
    proto_state_root(copy, &copy_root);
    reference_root(copy, &again);
    ck_assert(proto_hash_equal(&copy_root, &again));
    proto_state_free(copy);
    world_clear(&w);
}
END_TEST

START_TEST(test_result_names)
{
    ck_assert_str_eq(proto_tx_exec_result_name(PROTO_TX_EXEC_OK), "ok");
    ck_assert_str_eq(proto_tx_exec_result_name(PROTO_TX_EXEC_INVALID), "invalid");
    ck_assert_str_eq(proto_tx_exec_result_name(PROTO_TX_EXEC_FEE_CAP_LOW),
                     "fee_cap_below_base_fee");
    ck_assert_str_eq(proto_tx_exec_result_name(PROTO_TX_EXEC_BLOCK_FULL), "block_gas_full");
    ck_assert_str_eq(proto_tx_exec_result_name(PROTO_TX_EXEC_UNKNOWN_SENDER), "unknown_sender");
    ck_assert_str_eq(proto_tx_exec_result_name(PROTO_TX_EXEC_BAD_NONCE), "bad_nonce");
    ck_assert_str_eq(proto_tx_exec_result_name(PROTO_TX_EXEC_NO_FUNDS), "no_funds");
    ck_assert_str_eq(proto_tx_exec_result_name(PROTO_TX_EXEC_BAD_SIGNATURE), "bad_signature");
    ck_assert_str_eq(proto_tx_exec_result_name((proto_tx_exec_result)77), "unknown");
    ck_assert_str_eq(proto_bank_result_name(PROTO_BANK_OK), "ok");
    ck_assert_str_eq(proto_bank_result_name(PROTO_BANK_BAD_ACCOUNT), "bad_account");
    ck_assert_str_eq(proto_bank_result_name(PROTO_BANK_NO_FUNDS), "no_funds");
    ck_assert_str_eq(proto_bank_result_name(PROTO_BANK_OUT_OF_GAS), "out_of_gas");
    ck_assert_str_eq(proto_bank_result_name((proto_bank_result)77), "unknown");
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
    tcase_add_test(tc, test_apply_effects);
    tcase_add_test(tc, test_fee_settlement_exact);
    tcase_add_test(tc, test_failed_message_pays_fee);
    tcase_add_test(tc, test_out_of_gas);
    tcase_add_test(tc, test_rejections);
    tcase_add_test(tc, test_two_messages_all_or_nothing);
    tcase_add_test(tc, test_random_apply_revert_fast);
    tcase_add_test(tc, test_random_apply_revert_real);
    tcase_add_test(tc, test_revert_one_block_of_two);
    tcase_add_test(tc, test_undo_mark_partial_revert);
    tcase_add_test(tc, test_lazy_equals_eager_and_growth);
    tcase_add_test(tc, test_copy_is_independent);
    tcase_add_test(tc, test_shared_state_copy_on_write);
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
