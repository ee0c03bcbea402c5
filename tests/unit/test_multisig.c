/* Unit tests for the multisig module (protocol/modules/multisig/
 * multisig.h) on a fake chain (support/multisig_world.h): genesis and
 * names, creation with ids in order, deposits, approvals recorded and
 * dropped by an execution, a 2-of-3 transfer with exact balances
 * submitted by a stranger, more approvals than the threshold, the owner
 * set changed through the multisig itself (add, remove, change
 * threshold) with the threshold each step asks for and a removed
 * owner's approvals no longer counting, the nonce moving by exactly one
 * per executed operation and by nothing else, conservation after every
 * token move, undo of a whole block restoring the root, the invariants
 * catching a broken state, and signed transactions through the chain's
 * executor (an owner's approval is its own transaction; the submitter
 * of the exec pays). Refusals are in test_multisig_refusals.c.
 *
 * The world: accounts 0..9 with BALANCE each; genesis multisig 1 owned
 * by 1, 2 and 3 (listed out of order) with threshold 2 and HELD tokens. */
#include <check.h>
#include <glib.h>
#include <string.h>

#include "protocol/modules/multisig/multisig_internal.h"
#include "support/multisig_world.h"
#include "support/tx_fixture.h"

#define BALANCE 1000000 /* enough for the executor test's gas */
#define HELD 5000
#define OK 0u

static void world_init(multisig_world *w)
{
    const uint32_t owners[] = {3, 1, 2};
    proto_multisig_genesis_account g = msw_genesis(2, 3, owners, HELD);
    msw_init(w, 10, BALANCE, 1, &g, PROTO_CRYPTO_REAL);
}

static void send_ok(multisig_world *w, uint32_t sender, const proto_txenv *m, proto_undo *undo)
{
    uint32_t r = msw_send(w, sender, m, undo);
    ck_assert_msg(r == OK, "%s refused: %s", proto_txmsg_type_name(m->messages[0].type),
                  proto_multisig_result_name(r));
}

/* approvers[n] approve op on multisig id, then account 9 (no owner)
 * executes it: the nonce goes up by exactly one, the executed count
 * too, no approval is left, invariants and conservation hold. */
static void exec_ok(multisig_world *w, uint32_t id, const proto_multisig_op *op, uint32_t n,
                    const uint32_t *approvers, proto_undo *undo)
{
    uint64_t nonce = msw_get(w, id)->nonce, executed = proto_multisig_executed(w->s);
    msw_approve_all(w, id, op, n, approvers, undo);
    proto_txenv m = msw_exec_now(w, id, op);
    send_ok(w, 9, &m, undo);
    ck_assert_uint_eq(msw_get(w, id)->nonce, nonce + 1);
    ck_assert_uint_eq(proto_multisig_executed(w->s), executed + 1);
    ck_assert_uint_eq(proto_multisig_pending_hashes(w->s, id), 0);
    msw_check(w, proto_multisig_op_name(op->type));
}

static void owners_are(const proto_multisig *ms, uint32_t threshold, uint32_t n,
                       const uint32_t *owners)
{
    ck_assert_uint_eq(ms->threshold, threshold);
    ck_assert_uint_eq(ms->owners_count, n);
    for (uint32_t i = 0; i < n; i++)
        ck_assert_uint_eq(ms->owners[i], owners[i]);
    for (uint32_t i = n; i < PROTO_MULTISIG_OWNERS_MAX; i++)
        ck_assert_uint_eq(ms->owners[i], 0);
}

START_TEST(test_genesis_and_names)
{
    multisig_world w;
    world_init(&w);
    ck_assert(proto_multisig_active(w.s));
    ck_assert_uint_eq(proto_multisig_count(w.s), 1);
    const proto_multisig *ms = msw_get(&w, 1);
    const uint32_t sorted[] = {1, 2, 3};
    ck_assert_uint_eq(ms->id, 1);
    owners_are(ms, 2, 3, sorted);
    ck_assert_uint_eq(ms->nonce, 0);
    ck_assert_uint_eq(ms->balance, HELD);
    ck_assert_uint_eq(proto_multisig_held(w.s), HELD);
    ck_assert_uint_eq(w.supply, 10 * BALANCE + HELD); /* created, not taken */
    ck_assert(proto_multisig_is_owner(ms, 2) && !proto_multisig_is_owner(ms, 4));
    ck_assert_ptr_null(proto_multisig_get(w.s, 0));
    ck_assert_ptr_null(proto_multisig_get(w.s, 2));
    ck_assert_uint_eq(proto_multisig_pending_total(w.s), 0);
    msw_check(&w, "genesis");
    for (int a = 0; a < PROTO_MULTISIG_RESULT_COUNT; a++) {
        ck_assert_str_ne(proto_multisig_result_name(a), "unknown");
        for (int b = a + 1; b < PROTO_MULTISIG_RESULT_COUNT; b++)
            ck_assert_str_ne(proto_multisig_result_name(a), proto_multisig_result_name(b));
    }
    ck_assert_str_eq(proto_multisig_result_name(PROTO_MULTISIG_RESULT_COUNT), "unknown");
    ck_assert_int_eq(proto_multisig_owners_rule(10, 2, 3, sorted), PROTO_MULTISIG_OK);
    msw_clear(&w);
}
END_TEST

START_TEST(test_create_and_deposit)
{
    multisig_world w;
    world_init(&w);
    const uint32_t a[] = {7, 4}, b[] = {0};
    proto_txenv m = msw_create(2, 2, a);
    send_ok(&w, 5, &m, NULL);
    m = msw_create(1, 1, b);
    send_ok(&w, 5, &m, NULL);
    ck_assert_uint_eq(proto_multisig_count(w.s), 3);
    const uint32_t a_sorted[] = {4, 7};
    owners_are(msw_get(&w, 2), 2, 2, a_sorted);
    owners_are(msw_get(&w, 3), 1, 1, b);
    ck_assert_uint_eq(msw_get(&w, 2)->balance, 0);
    ck_assert_uint_eq(msw_get(&w, 3)->id, 3);
    ck_assert_uint_eq(msw_balance(&w, 5), BALANCE); /* creating moves no tokens */
    msw_check(&w, "created");
    m = msw_deposit(2, 1234);
    send_ok(&w, 5, &m, NULL);
    ck_assert_uint_eq(msw_balance(&w, 5), BALANCE - 1234);
    ck_assert_uint_eq(msw_get(&w, 2)->balance, 1234);
    ck_assert_uint_eq(proto_multisig_held(w.s), HELD + 1234);
    ck_assert_uint_eq(msw_get(&w, 2)->nonce, 0);
    msw_check(&w, "deposit");
    m = msw_deposit(1, BALANCE - 1234); /* everything that is left */
    send_ok(&w, 5, &m, NULL);
    ck_assert_uint_eq(msw_balance(&w, 5), 0);
    ck_assert_uint_eq(msw_get(&w, 1)->balance, HELD + BALANCE - 1234);
    ck_assert_uint_eq(msw_get(&w, 1)->nonce, 0);
    msw_check(&w, "deposit all");
    msw_clear(&w);
}
END_TEST

START_TEST(test_approvals_recorded_and_dropped)
{
    multisig_world w;
    world_init(&w);
    proto_multisig_op pay = msw_op_transfer(8, 100), other = msw_op_transfer(8, 101);
    proto_hash h_pay = msw_op_hash(1, 0, &pay), h_other = msw_op_hash(1, 0, &other);
    proto_hash before, after;
    msw_root(&w, &before);
    proto_txenv m = msw_approve_now(&w, 1, &pay);
    send_ok(&w, 1, &m, NULL);
    msw_root(&w, &after);
    ck_assert(!proto_hash_equal(&before, &after)); /* an approval is state */
    ck_assert_uint_eq(proto_multisig_approvals(w.s, 1, &h_pay), 1);
    ck_assert(proto_multisig_approved(w.s, 1, &h_pay, 1));
    ck_assert(!proto_multisig_approved(w.s, 1, &h_pay, 2));
    ck_assert(!proto_multisig_approved(w.s, 1, &h_pay, 5)); /* not an owner */
    ck_assert(!proto_multisig_approved(w.s, 2, &h_pay, 1)); /* no such multisig */
    m = msw_approve_now(&w, 1, &other);
    send_ok(&w, 2, &m, NULL);
    m = msw_approve_now(&w, 1, &pay);
    send_ok(&w, 3, &m, NULL);
    ck_assert_uint_eq(proto_multisig_approvals(w.s, 1, &h_pay), 2);
    ck_assert_uint_eq(proto_multisig_approvals(w.s, 1, &h_other), 1);
    ck_assert_uint_eq(proto_multisig_pending_hashes(w.s, 1), 2);
    ck_assert_uint_eq(proto_multisig_pending_total(w.s), 3);
    /* Approving moves no tokens and no nonce. */
    ck_assert_uint_eq(msw_get(&w, 1)->nonce, 0);
    ck_assert_uint_eq(msw_get(&w, 1)->balance, HELD);
    msw_check(&w, "approved");
    /* The execution drops every pending approval, the other hash's too. */
    m = msw_exec_now(&w, 1, &pay);
    send_ok(&w, 9, &m, NULL);
    ck_assert_uint_eq(proto_multisig_pending_hashes(w.s, 1), 0);
    ck_assert_uint_eq(proto_multisig_pending_total(w.s), 0);
    ck_assert_uint_eq(proto_multisig_approvals(w.s, 1, &h_other), 0);
    msw_check(&w, "executed");
    msw_clear(&w);
}
END_TEST

START_TEST(test_two_of_three_transfer)
{
    multisig_world w;
    world_init(&w);
    const uint32_t first[] = {1, 3}, all[] = {3, 2, 1}, last[] = {2, 3};
    proto_multisig_op pay = msw_op_transfer(8, 1500);
    exec_ok(&w, 1, &pay, 2, first, NULL); /* sent by 9, not an owner: it only pays the fee */
    ck_assert_uint_eq(msw_get(&w, 1)->balance, HELD - 1500);
    ck_assert_uint_eq(msw_balance(&w, 8), BALANCE + 1500);
    ck_assert_uint_eq(msw_balance(&w, 9), BALANCE);
    ck_assert_uint_eq(proto_multisig_held(w.s), HELD - 1500);
    /* Three approvals where two are needed, in any order. */
    pay = msw_op_transfer(1, 500);
    exec_ok(&w, 1, &pay, 3, all, NULL);
    ck_assert_uint_eq(msw_balance(&w, 1), BALANCE + 500);
    /* The whole rest, by another pair. */
    pay = msw_op_transfer(8, HELD - 2000);
    exec_ok(&w, 1, &pay, 2, last, NULL);
    ck_assert_uint_eq(msw_get(&w, 1)->balance, 0);
    ck_assert_uint_eq(msw_balance(&w, 8), BALANCE + HELD - 500);
    ck_assert_uint_eq(msw_get(&w, 1)->nonce, 3);
    ck_assert_uint_eq(proto_multisig_executed(w.s), 3);
    msw_clear(&w);
}
END_TEST

START_TEST(test_owners_changed_through_itself)
{
    multisig_world w;
    world_init(&w);
    const uint32_t pair[] = {1, 2}, triple[] = {1, 2, 4}, after_add[] = {1, 2, 3, 4};
    /* Add 4 and ask for 3 of the 4 from now on. */
    proto_multisig_op op = msw_op_owner(PROTO_MULTISIG_OP_ADD_OWNER, 4, 3);
    exec_ok(&w, 1, &op, 2, pair, NULL);
    owners_are(msw_get(&w, 1), 3, 4, after_add);
    /* Two approvals no longer do. */
    proto_multisig_op pay = msw_op_transfer(8, 10);
    msw_approve_all(&w, 1, &pay, 2, pair, NULL);
    proto_txenv m = msw_exec_now(&w, 1, &pay);
    msw_refused(&w, 9, &m, PROTO_MULTISIG_BELOW_THRESHOLD);
    /* Remove 1 (approved by 1 itself among others) and go back to 2 of
     * 3. 1's and 2's approvals of the payment are dropped with it. */
    op = msw_op_owner(PROTO_MULTISIG_OP_REMOVE_OWNER, 1, 2);
    exec_ok(&w, 1, &op, 3, triple, NULL);
    const uint32_t without_1[] = {2, 3, 4};
    owners_are(msw_get(&w, 1), 2, 3, without_1);
    /* The removed owner's approval no longer counts, nor can it give one. */
    m = msw_approve_now(&w, 1, &pay);
    send_ok(&w, 2, &m, NULL);
    msw_refused(&w, 1, &m, PROTO_MULTISIG_APPROVER_NOT_OWNER);
    proto_txenv e = msw_exec_now(&w, 1, &pay);
    msw_refused(&w, 9, &e, PROTO_MULTISIG_BELOW_THRESHOLD);
    /* Change the threshold to all three (this drops 2's approval of the
     * payment), then pay with all three. */
    const uint32_t two_three[] = {2, 3};
    op = msw_op_threshold(3);
    exec_ok(&w, 1, &op, 2, two_three, NULL);
    owners_are(msw_get(&w, 1), 3, 3, without_1);
    exec_ok(&w, 1, &pay, 3, without_1, NULL);
    ck_assert_uint_eq(msw_balance(&w, 8), BALANCE + 10);
    /* Remove the highest owner and the lowest, down to a 1-of-1. */
    op = msw_op_owner(PROTO_MULTISIG_OP_REMOVE_OWNER, 4, 2);
    exec_ok(&w, 1, &op, 3, without_1, NULL);
    op = msw_op_owner(PROTO_MULTISIG_OP_REMOVE_OWNER, 2, 1);
    exec_ok(&w, 1, &op, 2, two_three, NULL);
    const uint32_t only_3[] = {3};
    owners_are(msw_get(&w, 1), 1, 1, only_3);
    ck_assert_uint_eq(msw_get(&w, 1)->nonce, 6);
    /* The same threshold again is allowed (a no-op that uses a nonce). */
    op = msw_op_threshold(1);
    exec_ok(&w, 1, &op, 1, only_3, NULL);
    msw_clear(&w);
}
END_TEST

START_TEST(test_nonce_moves_only_by_exec)
{
    multisig_world w;
    world_init(&w);
    const uint32_t pair[] = {1, 2}, single[] = {5};
    uint64_t nonce = 0;
    for (int round = 0; round < 5; round++) {
        /* Deposits, creations, approvals and refusals leave it alone. */
        proto_txenv m = msw_deposit(1, 7);
        send_ok(&w, 6, &m, NULL);
        m = msw_create(1, 1, single);
        send_ok(&w, 6, &m, NULL);
        proto_multisig_op pay = msw_op_transfer(6, 3);
        msw_approve_all(&w, 1, &pay, 1, pair, NULL);
        m = msw_exec_now(&w, 1, &pay);
        msw_refused(&w, 9, &m, PROTO_MULTISIG_BELOW_THRESHOLD);
        msw_approve_all(&w, 1, &pay, 1, pair + 1, NULL);
        m = msw_exec(1, nonce + 1, &pay);
        msw_refused(&w, 9, &m, PROTO_MULTISIG_BAD_NONCE);
        ck_assert_uint_eq(msw_get(&w, 1)->nonce, nonce);
        msw_check(&w, "between executions");
        exec_ok(&w, 1, &pay, 0, NULL, NULL); /* approved above */
        nonce++;
        ck_assert_uint_eq(msw_get(&w, 1)->nonce, nonce);
    }
    ck_assert_uint_eq(msw_get(&w, 1)->balance, HELD + 5 * (7 - 3));
    ck_assert_uint_eq(msw_balance(&w, 6), BALANCE - 5 * (7 - 3));
    for (uint32_t id = 2; id <= proto_multisig_count(w.s); id++)
        ck_assert_uint_eq(msw_get(&w, id)->nonce, 0);
    msw_clear(&w);
}
END_TEST

START_TEST(test_undo_block)
{
    multisig_world w;
    world_init(&w);
    const uint32_t pair[] = {1, 2}, owners[] = {4, 5}, three[] = {3};
    proto_hash before, mid, after;
    msw_root(&w, &before);
    proto_undo undo;
    proto_undo_init(&undo);
    /* One block: a deposit, a transfer, an owner added, a new multisig
     * funded, an approval left pending, a refused message in between. */
    proto_txenv m = msw_deposit(1, 900);
    send_ok(&w, 7, &m, &undo);
    proto_multisig_op pay = msw_op_transfer(8, 400);
    exec_ok(&w, 1, &pay, 2, pair, &undo);
    proto_multisig_op add = msw_op_owner(PROTO_MULTISIG_OP_ADD_OWNER, 6, 3);
    exec_ok(&w, 1, &add, 2, pair, &undo);
    m = msw_create(2, 2, owners);
    send_ok(&w, 7, &m, &undo);
    m = msw_deposit(2, 50);
    send_ok(&w, 4, &m, &undo);
    msw_approve_all(&w, 1, &pay, 1, three, &undo);
    m = msw_exec_now(&w, 1, &pay);
    ck_assert_uint_eq(msw_send(&w, 9, &m, &undo), PROTO_MULTISIG_BELOW_THRESHOLD);
    msw_root(&w, &mid);
    ck_assert(!proto_hash_equal(&before, &mid));
    ck_assert_uint_eq(proto_multisig_count(w.s), 2);
    ck_assert_uint_eq(proto_multisig_pending_total(w.s), 1);
    ck_assert_uint_eq(msw_balance(&w, 8), BALANCE + 400);
    proto_state_revert(w.s, &undo);
    proto_undo_clear(&undo);
    msw_root(&w, &after);
    ck_assert_mem_eq(before.bytes, after.bytes, PROTO_HASH_SIZE);
    ck_assert_uint_eq(proto_multisig_count(w.s), 1);
    ck_assert_uint_eq(msw_get(&w, 1)->nonce, 0);
    ck_assert_uint_eq(msw_get(&w, 1)->balance, HELD);
    ck_assert_uint_eq(msw_get(&w, 1)->owners_count, 3);
    ck_assert_uint_eq(proto_multisig_pending_total(w.s), 0);
    ck_assert_uint_eq(msw_balance(&w, 7), BALANCE);
    ck_assert_uint_eq(msw_balance(&w, 8), BALANCE);
    msw_check(&w, "reverted");
    msw_clear(&w);
}
END_TEST

START_TEST(test_invariants_catch_breakage)
{
    multisig_world w;
    world_init(&w);
    proto_multisig_op pay = msw_op_transfer(8, 1);
    const uint32_t one[] = {1};
    msw_approve_all(&w, 1, &pay, 1, one, NULL);
    /* Break a copy of the state by hand, one rule at a time. */
    static const char *const broken[] = {"threshold", "sorted",          "nonces",
                                         "tokens",    "past the owners", "names no multisig"};
    for (size_t k = 0; k < G_N_ELEMENTS(broken); k++) {
        proto_state *s = proto_state_copy(w.s);
        multisig_state *st = proto_state_module_mut(s, PROTO_MULTISIG_MODULE_ID);
        proto_multisig *ms = proto_multisig__find_mut(st, 1);
        multisig_approval *a = &g_array_index(st->approvals, multisig_approval, 0);
        if (k == 0)
            ms->threshold = 4;
        else if (k == 1)
            ms->owners[1] = ms->owners[0];
        else if (k == 2)
            ms->nonce = 1;
        else if (k == 3)
            ms->balance++;
        else if (k == 4)
            a->approvers |= 1u << ms->owners_count;
        else
            a->multisig = 2;
        GString *why = g_string_new(NULL);
        ck_assert(!proto_state_invariants(s, why));
        ck_assert_msg(strstr(why->str, "multisig: ") != NULL, "%s", why->str);
        ck_assert_msg(strstr(why->str, broken[k]) != NULL, "%s: %s", broken[k], why->str);
        g_string_free(why, TRUE);
        proto_state_free(s);
    }
    msw_check(&w, "the original is untouched");
    msw_clear(&w);
}
END_TEST

/* A transaction of t's message from `sender`, signed with its key and
 * run by the chain's executor as in a block; its gas is exactly the
 * intrinsic cost, the sender's account and the module's charge. */
static proto_tx_receipt run_tx(multisig_world *w, uint32_t sender, proto_txenv *t, proto_undo *undo)
{
    const uint32_t fee_accounts[] = {0};
    proto_chain_rules rules = txfix_rules(MSW_CHAIN_ID, TXFIX_BLOCK_GAS_LIMIT, 1, fee_accounts, 1);
    t->sender = w->keys[sender].pk;
    t->nonce = proto_state_account(w->s, sender)->nonce;
    t->gas_limit = 100000;
    t->max_fee_per_gas = 1;
    proto_txenv_sign(t, w->crypto, &w->keys[sender]);
    proto_gas_meter block_gas;
    proto_gas_meter_init(&block_gas, UINT64_MAX);
    proto_msg_ctx block = {.undo = undo,
                           .gas = &block_gas,
                           .crypto = w->crypto,
                           .chain_id = MSW_CHAIN_ID,
                           .height = 1,
                           .time_ns = 1000};
    proto_tx_receipt r;
    size_t size = proto_txenv_wire_size(t);
    ck_assert_int_eq(proto_tx_exec(w->s, &block, &rules, t, size, 1, TXFIX_BLOCK_GAS_LIMIT, 0, &r),
                     PROTO_TX_EXEC_OK);
    uint64_t want =
        proto_gas_intrinsic(&rules.gas, size, 1) +
        proto_gas_read_cost(&rules.gas, PROTO_ACCOUNT_KEY_SIZE, PROTO_ACCOUNT_VALUE_SIZE) +
        proto_gas_write_cost(&rules.gas, PROTO_ACCOUNT_KEY_SIZE, PROTO_ACCOUNT_VALUE_SIZE) +
        proto_multisig_msg_gas(&rules.gas, &t->messages[0]);
    ck_assert_uint_eq(r.gas_used, want);
    return r;
}

START_TEST(test_through_the_executor)
{
    multisig_world w;
    world_init(&w);
    proto_multisig_op pay = msw_op_transfer(8, 1000);
    proto_undo undo;
    proto_undo_init(&undo);
    /* Owners 1 and 2 approve, each in a transaction it signs. */
    for (uint32_t owner = 1; owner <= 2; owner++) {
        proto_txenv t = msw_approve_now(&w, 1, &pay);
        proto_tx_receipt r = run_tx(&w, owner, &t, &undo);
        ck_assert(r.messages_ok);
        ck_assert_uint_eq(msw_balance(&w, owner), BALANCE - r.gas_used); /* base fee 1 */
    }
    ck_assert_uint_eq(msw_get(&w, 1)->balance, HELD);
    /* A stranger's transaction, with the stranger's key, cannot approve. */
    proto_txenv t = msw_approve_now(&w, 1, &pay);
    proto_tx_receipt r = run_tx(&w, 7, &t, &undo);
    ck_assert(!r.messages_ok);
    ck_assert_str_eq(proto_msg_result_name(r.failure), "approver_not_owner");
    /* Account 9 executes and pays only its fee. */
    t = msw_exec_now(&w, 1, &pay);
    r = run_tx(&w, 9, &t, &undo);
    ck_assert(r.messages_ok);
    ck_assert_uint_eq(msw_balance(&w, 8), BALANCE + 1000);
    ck_assert_uint_eq(msw_balance(&w, 9), BALANCE - r.gas_used);
    ck_assert_uint_eq(msw_get(&w, 1)->balance, HELD - 1000);
    msw_check(&w, "executed");
    /* The same exec again, in a new transaction: refused, fee paid. */
    t = msw_exec(1, 0, &pay);
    r = run_tx(&w, 9, &t, &undo);
    ck_assert(!r.messages_ok);
    ck_assert_str_eq(proto_msg_result_name(r.failure), "bad_nonce");
    ck_assert_uint_eq(msw_get(&w, 1)->balance, HELD - 1000);
    ck_assert_uint_eq(msw_get(&w, 1)->nonce, 1);
    msw_check(&w, "replayed");
    proto_state_revert(w.s, &undo);
    proto_undo_clear(&undo);
    ck_assert_uint_eq(msw_get(&w, 1)->nonce, 0);
    ck_assert_uint_eq(msw_balance(&w, 9), BALANCE);
    ck_assert_uint_eq(proto_multisig_pending_total(w.s), 0);
    msw_check(&w, "reverted");
    msw_clear(&w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("multisig");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_genesis_and_names);
    tcase_add_test(tc, test_create_and_deposit);
    tcase_add_test(tc, test_approvals_recorded_and_dropped);
    tcase_add_test(tc, test_two_of_three_transfer);
    tcase_add_test(tc, test_owners_changed_through_itself);
    tcase_add_test(tc, test_nonce_moves_only_by_exec);
    tcase_add_test(tc, test_undo_block);
    tcase_add_test(tc, test_invariants_catch_breakage);
    tcase_add_test(tc, test_through_the_executor);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
