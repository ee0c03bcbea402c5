/* Unit tests for the bonded validator set in the account state
 * (protocol/chain/state.c with the validator module): with a set
 * attached, the root is checked against H("aitbc/state" || accounts root
 * || base fee || valset hash) computed here, and a block that slashes
 * (proto_validator_set_mut + burn) and runs transactions is reverted to
 * the exact root, set and burned counter it started from; copies keep
 * the set and the supply. The fixture is support/state_world.h. */
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

static void assert_root_mode(proto_state *s, bool fast, proto_hash *got)
{
    proto_hash want;
    proto_state_root(s, got);
    sw_reference_root_mode(s, fast, &want);
    ck_assert(proto_hash_equal(got, &want));
}

/* The root against the reference in either hash mode, as the set, the
 * accounts and the base fee change one at a time. */
static void check_valset_root(proto_crypto_mode mode)
{
    bool fast = mode == PROTO_CRYPTO_FAST;
    sw_world w;
    sw_init(&w, mode, 5, SW_BALANCE);
    proto_state_set_fast_hash(w.s, fast);
    proto_hash without;
    ck_assert_ptr_null(proto_validator_set(w.s));
    assert_root_mode(w.s, fast, &without); /* PoA: accounts and base fee only */

    sw_attach_valset(&w);
    proto_hash with;
    assert_root_mode(w.s, fast, &with);
    ck_assert(!proto_hash_equal(&with, &without));

    /* A change through proto_validator_set_mut shows in the next root. */
    proto_valset_apply_double_sign(proto_validator_set_mut(w.s, NULL), 1, 5, 0);
    proto_hash changed;
    assert_root_mode(w.s, fast, &changed);
    ck_assert(!proto_hash_equal(&changed, &with));

    /* And so does an account change, with the set unchanged. */
    proto_txenv tx = sw_tx(&w, 0, 1, 10);
    ck_assert_int_eq(sw_exec(&w, &tx, NULL, 2, NULL), PROTO_TX_EXEC_OK);
    proto_hash after_tx;
    assert_root_mode(w.s, fast, &after_tx);
    ck_assert(!proto_hash_equal(&after_tx, &changed));

    /* And a base fee change, with accounts and set unchanged. */
    proto_state_set_base_fee(w.s, SW_BASE_FEE + 1, NULL);
    proto_hash after_fee;
    assert_root_mode(w.s, fast, &after_fee);
    ck_assert(!proto_hash_equal(&after_fee, &after_tx));

    /* Detached again: the fold without a set. */
    sw_detach_valset(w.s);
    proto_hash detached;
    assert_root_mode(w.s, fast, &detached);
    sw_clear(&w);
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
static uint64_t slash_in_block(sw_world *w, proto_undo *undo, uint64_t height)
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
    sw_world w;
    sw_init(&w, PROTO_CRYPTO_FAST, 4, SW_BALANCE);
    sw_attach_valset(&w);
    proto_tx_receipt rc;
    proto_txenv tx = sw_tx(&w, 3, 2, 1); /* an earlier block */
    ck_assert_int_eq(sw_exec(&w, &tx, NULL, 1, &rc), PROTO_TX_EXEC_OK);
    uint64_t earlier = rc.burned;
    ck_assert_uint_gt(earlier, 0);
    proto_hash root_before;
    proto_hash set_before;
    proto_state_root(w.s, &root_before);
    proto_valset_hash(proto_validator_set(w.s), false, &set_before);
    uint64_t supply = proto_state_total_supply(w.s);
    ck_assert_uint_eq(supply, 4 * SW_BALANCE + 6 + 3000);

    proto_undo undo;
    proto_undo_init(&undo);
    uint64_t fees = 0;
    if (tx_first) {
        tx = sw_tx(&w, 0, 1, 10);
        ck_assert_int_eq(sw_exec(&w, &tx, &undo, 3, &rc), PROTO_TX_EXEC_OK);
        fees = rc.burned;
    }
    ck_assert_uint_eq(slash_in_block(&w, &undo, 10), 50);
    proto_pubkey fresh;
    memset(fresh.bytes, 0x99, sizeof fresh.bytes);
    proto_valset_apply_rotate(proto_validator_set_mut(w.s, &undo), 0, &fresh, 10);
    if (!tx_first) {
        tx = sw_tx(&w, 0, 1, 10);
        ck_assert_int_eq(sw_exec(&w, &tx, &undo, 3, &rc), PROTO_TX_EXEC_OK);
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
    sw_clear(&w);
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
    sw_world w;
    sw_init(&w, PROTO_CRYPTO_FAST, 2, 100);
    sw_attach_valset(&w);
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
    sw_clear(&w);
}
END_TEST

START_TEST(test_valset_supply_and_copy)
{
    sw_world w;
    sw_init(&w, PROTO_CRYPTO_FAST, 3, 100);
    uint64_t balances = proto_state_total_supply(w.s);
    sw_attach_valset(&w);
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
    sw_detach_valset(copy);
    proto_state_root(copy, &copy_root);
    sw_reference_root(copy, &again);
    ck_assert(proto_hash_equal(&copy_root, &again));
    proto_state_free(copy);
    sw_clear(&w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("state_valset");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_valset_root_real);
    tcase_add_test(tc, test_valset_root_fast);
    tcase_add_test(tc, test_valset_slash_revert_tx_first);
    tcase_add_test(tc, test_valset_slash_revert_slash_first);
    tcase_add_test(tc, test_valset_only_revert);
    tcase_add_test(tc, test_valset_supply_and_copy);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
