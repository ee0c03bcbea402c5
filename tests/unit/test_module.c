/* Unit tests for the module core (protocol/chain/module.h): a fake module
 * ("vault", support/module_world.h) registered next to the bank and the
 * validator module shows that a module's root is folded into the state
 * root in id order, that its undo records revert newest first
 * interleaved with the accounts' entries, that copies of its state are
 * independent, that the router refuses an unknown message type (and a
 * module without state, and a module's own refusal) with a named,
 * counted reason, that invariants are run, that the tokens a module holds
 * count in the total supply, and that begin- and end-block hooks run
 * inside block execution and revert with it. The default module table
 * lists the chain's modules in id order.
 *
 * The validator module's messages and blocks with transactions are in
 * test_module_exec.c. */
#include <check.h>
#include <string.h>

#include "protocol/chain/exec.h"
#include "protocol/chain/fee_market.h"
#include "protocol/chain/module.h"
#include "protocol/core/codec.h"
#include "protocol/core/fastmix.h"
#include "protocol/modules/bank/bank.h"
#include "protocol/modules/distribution/distribution.h"
#include "protocol/modules/jobs/jobs.h"
#include "protocol/modules/mint/mint_module.h"
#include "protocol/modules/modules.h"
#include "protocol/modules/multisig/multisig.h"
#include "protocol/modules/registry/registry.h"
#include "protocol/modules/staking/staking.h"
#include "protocol/modules/upgrade/upgrade.h"
#include "protocol/modules/validator/validator.h"
#include "protocol/modules/disputes/disputes.h"
#include "support/module_world.h"

/* The accounts root from scratch (state.c): leaves H(pk || balance LE ||
 * nonce LE), zero padding to a power of two, H(left || right); in fast
 * mode proto_fastmix keyed "leaf" and "node". */
static void accounts_root(const proto_state *s, bool fast, proto_hash *out)
{
    uint32_t n = proto_state_account_count(s);
    uint32_t cap = 1;
    while (cap < n)
        cap *= 2;
    proto_hash *level = g_new0(proto_hash, cap);
    for (uint32_t i = 0; i < n; i++) {
        const proto_account *a = proto_state_account(s, i);
        uint8_t buf[48];
        memcpy(buf, a->pk.bytes, 32);
        proto_le_put_u64(buf + 32, a->balance);
        proto_le_put_u64(buf + 40, a->nonce);
        if (fast)
            proto_fastmix(level[i].bytes, 32, "leaf", 4, buf, sizeof buf);
        else
            proto_hash_bytes(&level[i], buf, sizeof buf);
    }
    for (uint32_t width = cap; width > 1; width /= 2) {
        for (uint32_t i = 0; i < width / 2; i++) {
            uint8_t buf[64];
            memcpy(buf, level[2 * i].bytes, 32);
            memcpy(buf + 32, level[2 * i + 1].bytes, 32);
            if (fast)
                proto_fastmix(level[i].bytes, 32, "node", 4, buf, sizeof buf);
            else
                proto_hash_bytes(&level[i], buf, sizeof buf);
        }
    }
    *out = level[0];
    g_free(level);
}

/* H(tag || accounts || base fee LE || module roots...) as documented,
 * by hand. */
static void fold(bool fast, const proto_hash *accounts, uint64_t base_fee,
                 const proto_hash *roots, uint32_t count, proto_hash *out)
{
    uint8_t buf[11 + 32 + 8 + 4 * 32];
    memcpy(buf, "aitbc/state", 11);
    memcpy(buf + 11, accounts->bytes, 32);
    proto_le_put_u64(buf + 43, base_fee);
    for (uint32_t i = 0; i < count; i++)
        memcpy(buf + 51 + 32 * i, roots[i].bytes, 32);
    size_t size = 32 + 8 + 32 * (size_t)count;
    if (fast)
        proto_fastmix(out->bytes, 32, "aitbc/state", 11, buf + 11, size);
    else
        proto_hash_bytes(out, buf, 11 + size);
}

/* ---- tests ---- */

START_TEST(test_registry)
{
    const proto_module_set *set = proto_modules_default();
    proto_module_set_check(set);
    ck_assert_uint_eq(set->count, 10);
    ck_assert_str_eq(set->modules[0]->name, "bank");
    ck_assert_uint_eq(set->modules[0]->id, PROTO_BANK_MODULE_ID);
    ck_assert_str_eq(set->modules[1]->name, "validator");
    ck_assert_uint_eq(set->modules[1]->id, PROTO_VALIDATOR_MODULE_ID);
    ck_assert_str_eq(set->modules[2]->name, "staking");
    ck_assert_uint_eq(set->modules[2]->id, PROTO_STAKING_MODULE_ID);
    ck_assert_str_eq(set->modules[3]->name, "mint");
    ck_assert_uint_eq(set->modules[3]->id, PROTO_MINT_MODULE_ID);
    ck_assert_str_eq(set->modules[4]->name, "distribution");
    ck_assert_uint_eq(set->modules[4]->id, PROTO_DISTRIBUTION_MODULE_ID);
    ck_assert_str_eq(set->modules[5]->name, "registry");
    ck_assert_uint_eq(set->modules[5]->id, PROTO_REGISTRY_MODULE_ID);
    ck_assert_str_eq(set->modules[6]->name, "jobs");
    ck_assert_uint_eq(set->modules[6]->id, PROTO_JOBS_MODULE_ID);
    ck_assert_str_eq(set->modules[7]->name, "multisig");
    ck_assert_uint_eq(set->modules[7]->id, PROTO_MULTISIG_MODULE_ID);
    ck_assert_str_eq(set->modules[8]->name, "disputes");
    ck_assert_uint_eq(set->modules[8]->id, PROTO_DISPUTES_MODULE_ID);
    ck_assert_str_eq(set->modules[9]->name, "upgrade");
    ck_assert_uint_eq(set->modules[9]->id, PROTO_UPGRADE_MODULE_ID);
    ck_assert_ptr_eq(proto_module_set_find(set, PROTO_VALIDATOR_MODULE_ID),
                     &proto_validator_module);
    ck_assert_ptr_null(proto_module_set_find(set, VAULT_ID));
    proto_state *s = proto_state_new();
    ck_assert_ptr_eq(proto_state_modules(s), set);
    ck_assert_ptr_null(proto_validator_set(s));
    proto_state_free(s);
}
END_TEST

static void check_root_folds(bool fast)
{
    modw_world w;
    modw_init(&w, fast);
    proto_hash accounts;
    accounts_root(w.s, fast, &accounts);
    proto_hash got, want;
    proto_state_root(w.s, &got); /* no module state: accounts and base fee */
    fold(fast, &accounts, MODW_BASE_FEE, NULL, 0, &want);
    ck_assert(proto_hash_equal(&got, &want));

    vault_attach(&w, 0);
    proto_hash parts[2];
    vault_root(vault_of(w.s), fast, &parts[0]);
    proto_state_root(w.s, &got);
    fold(fast, &accounts, MODW_BASE_FEE, parts, 1, &want);
    ck_assert(proto_hash_equal(&got, &want));

    /* The validator module (id 2) comes before the vault (id 9). */
    proto_validator_genesis(w.s, modw_valset());
    proto_valset_hash(proto_validator_set(w.s), fast, &parts[0]);
    vault_root(vault_of(w.s), fast, &parts[1]);
    proto_state_root(w.s, &got);
    fold(fast, &accounts, MODW_BASE_FEE, parts, 2, &want);
    ck_assert(proto_hash_equal(&got, &want));

    /* A change to the vault shows in the next root. */
    vault_add add = {.amount = 5};
    ck_assert_int_eq(modw_deliver(&w, NULL, VAULT_MSG_ADD, &add).status, PROTO_MSG_OK);
    vault_root(vault_of(w.s), fast, &parts[1]);
    proto_state_root(w.s, &got);
    fold(fast, &accounts, MODW_BASE_FEE, parts, 2, &want);
    ck_assert(proto_hash_equal(&got, &want));

    /* Without the vault, the validator alone: the root PBFT has. */
    proto_state_module_attach(w.s, VAULT_ID, NULL);
    proto_state_root(w.s, &got);
    fold(fast, &accounts, MODW_BASE_FEE, parts, 1, &want);
    ck_assert(proto_hash_equal(&got, &want));

    /* The base fee sits between the accounts and the modules. */
    proto_state_set_base_fee(w.s, 5, NULL);
    proto_state_root(w.s, &got);
    fold(fast, &accounts, 5, parts, 1, &want);
    ck_assert(proto_hash_equal(&got, &want));
    modw_clear(&w);
}

START_TEST(test_root_folds_modules_real)
{
    check_root_folds(false);
}
END_TEST

START_TEST(test_root_folds_modules_fast)
{
    check_root_folds(true);
}
END_TEST

/* Lock 10 from account 0 (entry + record tag 1), transfer 5 from 0 to 1
 * (the bank's message with account 0 as the signer: two entries), add
 * (record tag 2): the revert replays tag 2 while account 0 still has its
 * final balance, then the transfer, then tag 1. */
START_TEST(test_undo_records_revert_in_order)
{
    modw_world w;
    modw_init(&w, true);
    vault_attach(&w, 0);
    proto_hash before;
    proto_state_root(w.s, &before);
    uint64_t supply = proto_state_total_supply(w.s);

    proto_undo undo;
    proto_undo_init(&undo);
    vault_lock lock = {.account = 0, .amount = 10, .tag = 1};
    ck_assert_int_eq(modw_deliver(&w, &undo, VAULT_MSG_LOCK, &lock).status, PROTO_MSG_OK);
    proto_txmsg transfer = modw_transfer(1, 5);
    ck_assert_int_eq(modw_deliver_as(&w, &undo, 0, &transfer).status, PROTO_MSG_OK);
    ck_assert_uint_eq(undo.entries->len, 3);
    vault_add add = {.amount = 7, .tag = 2};
    ck_assert_int_eq(modw_deliver(&w, &undo, VAULT_MSG_ADD, &add).status, PROTO_MSG_OK);
    ck_assert_uint_eq(proto_state_account(w.s, 0)->balance, 85);
    ck_assert_uint_eq(proto_state_account(w.s, 1)->balance, 105);
    ck_assert_uint_eq(vault_of(w.s)->counter, 7);
    ck_assert_uint_eq(vault_of(w.s)->escrow, 10);
    ck_assert_uint_eq(proto_undo_records_count(&undo), 2);
    ck_assert_uint_eq(proto_state_total_supply(w.s), supply);

    proto_state_revert(w.s, &undo);
    ck_assert_uint_eq(vault_restore_count, 2);
    ck_assert_uint_eq(vault_restore_log[0][0], 2);
    ck_assert_uint_eq(vault_restore_log[0][1], 85);
    ck_assert_uint_eq(vault_restore_log[1][0], 1);
    ck_assert_uint_eq(vault_restore_log[1][1], 90);
    ck_assert_uint_eq(proto_state_account(w.s, 0)->balance, 100);
    ck_assert_uint_eq(proto_state_account(w.s, 1)->balance, 100);
    ck_assert_uint_eq(proto_state_burned(w.s), 0);
    ck_assert_uint_eq(vault_of(w.s)->counter, 0);
    ck_assert_uint_eq(vault_of(w.s)->escrow, 0);
    proto_hash after;
    proto_state_root(w.s, &after);
    ck_assert(proto_hash_equal(&after, &before));
    ck_assert_uint_eq(proto_undo_records_count(&undo), 0);

    /* The log is reusable; clearing a log with records frees them. */
    ck_assert_int_eq(modw_deliver(&w, &undo, VAULT_MSG_ADD, &add).status, PROTO_MSG_OK);
    proto_undo_clear(&undo);
    modw_clear(&w);
}
END_TEST

START_TEST(test_copies_are_independent)
{
    modw_world w;
    modw_init(&w, true);
    vault_attach(&w, 3);
    proto_hash root;
    proto_state_root(w.s, &root);
    proto_state *shared = proto_state_ref(w.s);
    proto_state *copy = proto_state_copy(shared);
    proto_state_free(shared);
    ck_assert_ptr_ne(vault_of(copy), vault_of(w.s));
    proto_hash copy_root;
    proto_state_root(copy, &copy_root);
    ck_assert(proto_hash_equal(&copy_root, &root));

    proto_gas_meter gas;
    proto_msg_ctx ctx = modw_ctx(&w, &gas, NULL, NULL);
    vault_add add = {.amount = 9};
    ck_assert_int_eq(proto_state_deliver(copy, &ctx, VAULT_MSG_ADD, &add).status, PROTO_MSG_OK);
    ck_assert_uint_eq(vault_of(copy)->counter, 9);
    ck_assert_uint_eq(vault_of(w.s)->counter, 0);
    proto_state_root(copy, &copy_root);
    ck_assert(!proto_hash_equal(&copy_root, &root));
    proto_hash again;
    proto_state_root(w.s, &again);
    ck_assert(proto_hash_equal(&again, &root));
    proto_state_free(copy);
    modw_clear(&w);
}
END_TEST

START_TEST(test_router_refusals_named_and_counted)
{
    modw_world w;
    modw_init(&w, true);
    proto_msg_stats stats = {0};
    proto_gas_meter gas;
    proto_msg_ctx ctx = modw_ctx(&w, &gas, NULL, &stats);
    vault_add add = {.amount = 5};

    proto_msg_result r = proto_state_deliver(w.s, &ctx, MODW_MSG_UNKNOWN, &add);
    ck_assert_int_eq(r.status, PROTO_MSG_UNKNOWN_TYPE);
    ck_assert_ptr_null(r.module);
    ck_assert_str_eq(proto_msg_result_name(r), "unknown_type");
    r = proto_state_deliver(w.s, &ctx, VAULT_MSG_ADD, &add); /* vault not attached */
    ck_assert_int_eq(r.status, PROTO_MSG_NO_STATE);
    ck_assert_str_eq(proto_msg_result_name(r), "no_state");

    vault_attach(&w, 0);
    add.amount = 5000;
    r = proto_state_deliver(w.s, &ctx, VAULT_MSG_ADD, &add);
    ck_assert_int_eq(r.status, PROTO_MSG_REFUSED);
    ck_assert_uint_eq(r.code, VAULT_TOO_BIG);
    ck_assert_ptr_eq(r.module, &vault_module);
    ck_assert_str_eq(proto_msg_result_name(r), "too_big");
    ck_assert_uint_eq(vault_of(w.s)->counter, 0);
    add.amount = 5;
    ck_assert_int_eq(proto_state_deliver(w.s, &ctx, VAULT_MSG_ADD, &add).status, PROTO_MSG_OK);
    proto_txmsg transfer = modw_transfer(3, 101); /* more than account 2 holds */
    ctx.sender = 2;
    r = proto_state_deliver(w.s, &ctx, PROTO_TXMSG_TRANSFER, &transfer);
    ck_assert_int_eq(r.status, PROTO_MSG_REFUSED);
    ck_assert_uint_eq(r.code, PROTO_BANK_NO_FUNDS);
    ck_assert_str_eq(proto_msg_result_name(r), "no_funds");
    ck_assert_ptr_eq(r.module, &proto_bank_module);
    ctx.sender = PROTO_ACCOUNT_NONE; /* no signer: no account to take from */
    transfer.transfer.amount = 1;
    r = proto_state_deliver(w.s, &ctx, PROTO_TXMSG_TRANSFER, &transfer);
    ck_assert_str_eq(proto_msg_result_name(r), "bad_account");
    ck_assert_uint_eq(proto_state_account(w.s, 3)->balance, 100);

    ck_assert_uint_eq(stats.delivered, 1);
    ck_assert_uint_eq(stats.refused[PROTO_MSG_UNKNOWN_TYPE], 1);
    ck_assert_uint_eq(stats.refused[PROTO_MSG_NO_STATE], 1);
    ck_assert_uint_eq(stats.refused[PROTO_MSG_REFUSED], 3);
    ck_assert_uint_eq(stats.refused[PROTO_MSG_OK], 0);

    /* Check without applying: same answers, state untouched. */
    r = proto_state_check_msg(w.s, &ctx, MODW_MSG_UNKNOWN, &add);
    ck_assert_int_eq(r.status, PROTO_MSG_UNKNOWN_TYPE);
    r = proto_state_check_msg(w.s, &ctx, VAULT_MSG_ADD, &add);
    ck_assert_int_eq(r.status, PROTO_MSG_OK);
    ck_assert_uint_eq(vault_of(w.s)->counter, 5);
    ck_assert_str_eq(proto_msg_status_name(PROTO_MSG_REFUSED), "refused");
    modw_clear(&w);
}
END_TEST

START_TEST(test_invariants_are_run)
{
    modw_world w;
    modw_init(&w, true);
    GString *why = g_string_new(NULL);
    ck_assert(proto_state_invariants(w.s, why)); /* no module state yet */
    vault_attach(&w, 0);
    proto_validator_genesis(w.s, modw_valset());
    ck_assert(proto_state_invariants(w.s, why));
    ck_assert_uint_eq(why->len, 0);
    ((vault_state *)proto_state_module_mut(w.s, VAULT_ID))->broken = true;
    ck_assert(!proto_state_invariants(w.s, why));
    ck_assert_str_eq(why->str, "vault: broken on purpose");

    /* The validator module's own: a tombstone that is not a jail. */
    g_string_truncate(why, 0);
    proto_valset *v = proto_validator_set_mut(w.s, NULL);
    ((proto_validator *)proto_valset_get(v, 1))->tombstoned = true;
    ck_assert(!proto_state_invariants(w.s, why));
    ck_assert_str_eq(why->str, "validator: validator 1 is tombstoned but not jailed forever; "
                               "vault: broken on purpose");
    g_string_free(why, TRUE);
    modw_clear(&w);
}
END_TEST

START_TEST(test_supply_counts_module_tokens)
{
    modw_world w;
    modw_init(&w, true);
    ck_assert_uint_eq(proto_state_total_supply(w.s), 400);
    vault_state *v = vault_attach(&w, 50);
    ck_assert_uint_eq(v->genesis_calls, 1); /* the genesis hook ran once */
    ck_assert_uint_eq(proto_state_total_supply(w.s), 450);
    proto_validator_genesis(w.s, modw_valset());
    ck_assert_uint_eq(proto_state_total_supply(w.s), 3450);
    /* Locking moves tokens from a balance into the vault: supply holds. */
    vault_lock lock = {.account = 2, .amount = 60};
    ck_assert_int_eq(modw_deliver(&w, NULL, VAULT_MSG_LOCK, &lock).status, PROTO_MSG_OK);
    ck_assert_uint_eq(proto_state_account(w.s, 2)->balance, 40);
    ck_assert_uint_eq(vault_of(w.s)->escrow, 110);
    ck_assert_uint_eq(proto_state_total_supply(w.s), 3450);
    /* Slashing moves bonded tokens to burned through the module's API. */
    uint64_t burned = proto_validator_slash_double_sign(w.s, 0, 5, 0, NULL);
    ck_assert_uint_eq(burned, 50);
    ck_assert_uint_eq(proto_state_burned(w.s), 50);
    ck_assert_uint_eq(proto_state_total_supply(w.s), 3450);
    modw_clear(&w);
}
END_TEST

/* An empty block built and applied: the hooks run once each, in the
 * block's undo log; the header carries the chain's gas limit and the
 * state's base fee, the state ends with the next base fee; a copy of the
 * pre-state accepts the block's root; a refusing hook makes the block
 * invalid and leaves the state as it was. */
START_TEST(test_block_hooks)
{
    modw_world w;
    modw_init(&w, true);
    vault_attach(&w, 0);
    static const uint32_t fee_accounts[] = {3};
    proto_chain_rules rules = modw_rules(fee_accounts, 1);
    proto_exec_env env = {.rules = &rules, .crypto = w.c};
    proto_state *pre = proto_state_copy(w.s);
    proto_hash pre_root;
    proto_state_root(pre, &pre_root);
    proto_txpool *pool = proto_exec_txpool_new(16);
    proto_block *b = proto_block_new();
    b->header.height = 1;
    b->header.timestamp_ns = 1000;
    proto_undo undo;
    proto_undo_init(&undo);
    ck_assert(proto_exec_build(w.s, pool, 10, &env, b, &undo));
    ck_assert_uint_eq(vault_of(w.s)->begins, 1);
    ck_assert_uint_eq(vault_of(w.s)->ends, 1);
    ck_assert_uint_eq(proto_undo_records_count(&undo), 2);
    ck_assert_uint_eq(b->txs->len, 0);
    ck_assert_uint_eq(b->header.gas_limit, TXFIX_BLOCK_GAS_LIMIT);
    ck_assert_uint_eq(b->header.base_fee, MODW_BASE_FEE);
    ck_assert_uint_eq(b->header.gas_used, 0);
    /* An empty block lowers the base fee by 1/8 (fee_market.h). */
    uint64_t next = proto_fee_next_base_fee(&rules.fees, 0, TXFIX_BLOCK_GAS_LIMIT, MODW_BASE_FEE);
    ck_assert_uint_eq(next, MODW_BASE_FEE - MODW_BASE_FEE / 8);
    ck_assert_uint_eq(proto_state_base_fee(w.s), next);

    ck_assert(proto_exec_apply(pre, b, &env, NULL));
    ck_assert_uint_eq(vault_of(pre)->ends, 1);
    ck_assert_uint_eq(proto_state_base_fee(pre), next);
    proto_state_revert(w.s, &undo);
    ck_assert_uint_eq(vault_of(w.s)->begins, 0);
    ck_assert_uint_eq(vault_restore_log[0][0], 101); /* end before begin */
    ck_assert_uint_eq(vault_restore_log[1][0], 100);
    ck_assert_uint_eq(proto_state_base_fee(w.s), MODW_BASE_FEE);
    proto_hash reverted;
    proto_state_root(w.s, &reverted);
    ck_assert(proto_hash_equal(&reverted, &pre_root));

    ((vault_state *)proto_state_module_mut(w.s, VAULT_ID))->refuse_blocks = true;
    proto_hash refused_before;
    proto_state_root(w.s, &refused_before);
    ck_assert(!proto_exec_apply(w.s, b, &env, NULL));
    proto_hash refused_after;
    proto_state_root(w.s, &refused_after);
    ck_assert(proto_hash_equal(&refused_before, &refused_after));
    /* And a builder gets false, with the state as it was. */
    proto_undo_clear(&undo);
    proto_undo_init(&undo);
    proto_block *b2 = proto_block_new();
    b2->header.height = 1;
    ck_assert(!proto_exec_build(w.s, pool, 10, &env, b2, &undo));
    proto_state_root(w.s, &refused_after);
    ck_assert(proto_hash_equal(&refused_before, &refused_after));

    proto_undo_clear(&undo);
    proto_block_free(b2);
    proto_block_free(b);
    proto_txpool_free(pool);
    proto_state_free(pre);
    modw_clear(&w);
}
END_TEST

static Suite *module_suite(void)
{
    Suite *s = suite_create("module");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_registry);
    tcase_add_test(tc, test_root_folds_modules_real);
    tcase_add_test(tc, test_root_folds_modules_fast);
    tcase_add_test(tc, test_undo_records_revert_in_order);
    tcase_add_test(tc, test_copies_are_independent);
    tcase_add_test(tc, test_router_refusals_named_and_counted);
    tcase_add_test(tc, test_invariants_are_run);
    tcase_add_test(tc, test_supply_counts_module_tokens);
    tcase_add_test(tc, test_block_hooks);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(module_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
