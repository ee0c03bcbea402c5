/* Unit tests for the module core (protocol/chain/module.h): a fake module
 * registered next to the bank and the validator module shows that a
 * module's root is folded into the state root in id order, that its undo
 * records revert newest first interleaved with the accounts' entries,
 * that copies of its state are independent, that the router refuses an
 * unknown message type (and a module without state, and a module's own
 * refusal) with a named, counted reason, that invariants are run, that
 * the tokens a module holds count in the total supply, and that begin-
 * and end-block hooks run inside block execution and revert with it.
 *
 * The fake "vault" module keeps a counter and an escrow of tokens taken
 * from accounts. Its restore functions log (tag, account 0's balance at
 * that moment), which pins the order of a revert exactly. */
#include <check.h>
#include <string.h>

#include "protocol/chain/exec.h"
#include "protocol/chain/module.h"
#include "protocol/chain/tx_envelope.h"
#include "protocol/core/fastmix.h"
#include "protocol/modules/bank/bank.h"
#include "protocol/modules/modules.h"
#include "protocol/modules/validator/validator.h"

#define CHAIN_ID 42
#define VAULT_ID 9
#define MSG_VAULT_ADD 200
#define MSG_VAULT_LOCK 201
#define MSG_UNKNOWN 250
#define VAULT_TOO_BIG 1
#define VAULT_NO_FUNDS 2

/* ---- the fake module ---- */

typedef struct vault_state {
    uint64_t counter;
    uint64_t escrow;      /* tokens taken from accounts: counted in the supply */
    uint32_t begins;      /* begin-block hooks run */
    uint32_t ends;        /* end-block hooks run */
    uint32_t genesis_calls;
    bool broken;          /* the invariant fails */
    bool refuse_blocks;   /* the begin-block hook refuses */
} vault_state;

typedef struct vault_add {
    uint64_t amount;
    uint64_t tag; /* logged when its undo record is restored */
} vault_add;

typedef struct vault_lock {
    uint32_t account;
    uint64_t amount;
    uint64_t tag;
} vault_lock;

/* (tag, account 0's balance) at each restore, in restore order. */
static uint64_t restore_log[32][2];
static uint32_t restore_count;

static void *vault_copy(const void *state)
{
    return g_memdup2(state, sizeof(vault_state));
}

static void vault_free(void *state)
{
    g_free(state);
}

static void vault_root(const void *state, bool fast, proto_hash *out)
{
    const vault_state *v = state;
    uint8_t buf[24];
    proto_le_put_u64(buf, v->counter);
    proto_le_put_u64(buf + 8, v->escrow);
    proto_le_put_u32(buf + 16, v->begins);
    proto_le_put_u32(buf + 20, v->ends);
    if (fast)
        proto_fastmix(out->bytes, PROTO_HASH_SIZE, "vault", 5, buf, sizeof buf);
    else
        proto_hash_bytes(out, buf, sizeof buf);
}

static uint64_t vault_supply(const void *state)
{
    return ((const vault_state *)state)->escrow;
}

static void vault_genesis(proto_state *s, void *state)
{
    ((vault_state *)state)->genesis_calls++;
}

/* A record's payload: u64[0] = field (0 counter, 1 escrow, 2 begins,
 * 3 ends) | tag << 8, u64[1] = the field's old value. */
static void vault_restore(proto_state *s, proto_undo_record *r)
{
    vault_state *v = proto_state_module_mut(s, VAULT_ID);
    uint64_t old = r->u64[1];
    switch (r->u64[0] & 0xff) {
    case 0:
        v->counter = old;
        break;
    case 1:
        v->escrow = old;
        break;
    case 2:
        v->begins = (uint32_t)old;
        break;
    default:
        v->ends = (uint32_t)old;
        break;
    }
    ck_assert_uint_lt(restore_count, 32);
    restore_log[restore_count][0] = r->u64[0] >> 8;
    restore_log[restore_count][1] = proto_state_account(s, 0)->balance;
    restore_count++;
}

static void vault_record(const proto_msg_ctx *ctx, uint64_t field, uint64_t old, uint64_t tag)
{
    proto_undo_record r = {.module_id = VAULT_ID,
                           .restore = vault_restore,
                           .u64 = {field | (tag << 8), old}};
    proto_undo_push(ctx->undo, &r);
}

static uint32_t vault_check_add(const proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    return ((const vault_add *)msg)->amount > 1000 ? VAULT_TOO_BIG : 0;
}

static uint32_t vault_deliver_add(proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const vault_add *add = msg;
    uint32_t res = vault_check_add(s, ctx, add);
    if (res != 0)
        return res;
    vault_state *v = proto_state_module_mut(s, VAULT_ID);
    vault_record(ctx, 0, v->counter, add->tag);
    v->counter += add->amount;
    return 0;
}

static uint32_t vault_deliver_lock(proto_state *s, const proto_msg_ctx *ctx, const void *msg)
{
    const vault_lock *lock = msg;
    const proto_account *a = proto_state_account(s, lock->account);
    if (a == NULL || a->balance < lock->amount)
        return VAULT_NO_FUNDS;
    proto_state_account_mut(s, lock->account, ctx->undo)->balance -= lock->amount;
    vault_state *v = proto_state_module_mut(s, VAULT_ID);
    vault_record(ctx, 1, v->escrow, lock->tag);
    v->escrow += lock->amount;
    return 0;
}

static const char *vault_result_name(uint32_t code)
{
    return code == VAULT_TOO_BIG ? "too_big" : code == VAULT_NO_FUNDS ? "no_funds" : "unknown";
}

static bool vault_begin(proto_state *s, const proto_msg_ctx *ctx)
{
    if (((const vault_state *)proto_state_module(s, VAULT_ID))->refuse_blocks)
        return false;
    vault_state *v = proto_state_module_mut(s, VAULT_ID);
    vault_record(ctx, 2, v->begins, 100);
    v->begins++;
    return true;
}

static bool vault_end(proto_state *s, const proto_msg_ctx *ctx)
{
    vault_state *v = proto_state_module_mut(s, VAULT_ID);
    vault_record(ctx, 3, v->ends, 101);
    v->ends++;
    return true;
}

static bool vault_invariants(const proto_state *s, const void *state, GString *why)
{
    const vault_state *v = state;
    if (v == NULL || !v->broken)
        return true;
    g_string_append(why, "broken on purpose");
    return false;
}

static const proto_msg_route vault_routes[] = {
    {.type = MSG_VAULT_ADD, .name = "add", .check = vault_check_add, .deliver = vault_deliver_add},
    {.type = MSG_VAULT_LOCK, .name = "lock", .deliver = vault_deliver_lock},
};

static const proto_module vault_module = {
    .name = "vault",
    .id = VAULT_ID,
    .copy = vault_copy,
    .free = vault_free,
    .root = vault_root,
    .supply = vault_supply,
    .genesis = vault_genesis,
    .routes = vault_routes,
    .routes_count = G_N_ELEMENTS(vault_routes),
    .result_name = vault_result_name,
    .begin_block = vault_begin,
    .end_block = vault_end,
    .invariants = vault_invariants,
};

/* The chain's modules plus the vault: one line more, as a chain adds one. */
static const proto_module *const test_modules[] = {
    &proto_bank_module,
    &proto_validator_module,
    &vault_module,
};
static const proto_module_set test_set = {test_modules, G_N_ELEMENTS(test_modules)};

/* ---- fixtures ---- */

typedef struct world {
    proto_crypto *c;
    proto_state *s;
    proto_keypair keys[4];
} world;

static void world_init(world *w, bool fast)
{
    proto_crypto_global_init();
    restore_count = 0;
    w->c = proto_crypto_new(fast ? PROTO_CRYPTO_FAST : PROTO_CRYPTO_REAL, 1024);
    w->s = proto_state_new_with_modules(&test_set);
    proto_state_set_fast_hash(w->s, fast);
    for (uint32_t i = 0; i < 4; i++) {
        char label[32];
        g_snprintf(label, sizeof label, "module/%u", i);
        proto_keypair_derive(&w->keys[i], 9, label);
        proto_state_add_account(w->s, &w->keys[i].pk, 100);
    }
}

static void world_clear(world *w)
{
    proto_state_free(w->s);
    proto_crypto_free(w->c);
}

static vault_state *attach_vault(world *w, uint64_t escrow)
{
    vault_state *v = g_new0(vault_state, 1);
    v->escrow = escrow;
    proto_state_module_attach(w->s, VAULT_ID, v);
    return v;
}

static const vault_state *vault_of(const proto_state *s)
{
    return proto_state_module(s, VAULT_ID);
}

static proto_valset *genesis_valset(void)
{
    proto_slashing_params p = proto_slashing_defaults();
    proto_pubkey keys[3];
    uint64_t stakes[3] = {1000, 1000, 1000};
    for (uint32_t i = 0; i < 3; i++)
        memset(keys[i].bytes, (int)(0x50 + i), PROTO_PUBKEY_SIZE);
    return proto_valset_new(&p, 3, keys, stakes);
}

static proto_tx make_tx(world *w, uint32_t from, uint32_t to, uint64_t amount, uint64_t fee)
{
    proto_tx tx = {.from = from, .to = to, .amount = amount, .fee = fee,
                   .nonce = proto_state_account(w->s, from)->nonce};
    proto_tx_sign(&tx, CHAIN_ID, w->c, &w->keys[from]);
    return tx;
}

/* An unmetered context outside a block (gas meter owned by the caller). */
static proto_msg_ctx ctx_for(world *w, proto_gas_meter *gas, proto_undo *undo,
                             proto_msg_stats *stats)
{
    proto_gas_meter_init(gas, UINT64_MAX);
    return (proto_msg_ctx){.undo = undo, .gas = gas, .crypto = w->c, .chain_id = CHAIN_ID,
                           .stats = stats};
}

static proto_msg_result deliver(world *w, proto_undo *undo, uint8_t type, const void *msg)
{
    proto_gas_meter gas;
    proto_msg_ctx ctx = ctx_for(w, &gas, undo, NULL);
    return proto_state_deliver(w->s, &ctx, type, msg);
}

/* H(tag || accounts || roots...) as documented, by hand. */
static void fold(bool fast, const proto_hash *parts, uint32_t count, proto_hash *out)
{
    uint8_t buf[11 + 4 * 32];
    memcpy(buf, "aitbc/state", 11);
    for (uint32_t i = 0; i < count; i++)
        memcpy(buf + 11 + 32 * i, parts[i].bytes, 32);
    if (fast)
        proto_fastmix(out->bytes, 32, "aitbc/state", 11, buf + 11, 32 * count);
    else
        proto_hash_bytes(out, buf, 11 + 32 * count);
}

/* ---- tests ---- */

START_TEST(test_registry)
{
    const proto_module_set *set = proto_modules_default();
    proto_module_set_check(set);
    ck_assert_uint_eq(set->count, 2);
    ck_assert_str_eq(set->modules[0]->name, "bank");
    ck_assert_uint_eq(set->modules[0]->id, PROTO_BANK_MODULE_ID);
    ck_assert_str_eq(set->modules[1]->name, "validator");
    ck_assert_uint_eq(set->modules[1]->id, PROTO_VALIDATOR_MODULE_ID);
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
    world w;
    world_init(&w, fast);
    proto_hash accounts;
    proto_state_root(w.s, &accounts); /* no module state: the accounts root */

    attach_vault(&w, 0);
    proto_hash parts[3] = {accounts};
    vault_root(vault_of(w.s), fast, &parts[1]);
    proto_hash got, want;
    proto_state_root(w.s, &got);
    fold(fast, parts, 2, &want);
    ck_assert(proto_hash_equal(&got, &want));

    /* The validator module (id 2) comes before the vault (id 9). */
    proto_validator_genesis(w.s, genesis_valset());
    proto_valset_hash(proto_validator_set(w.s), fast, &parts[1]);
    vault_root(vault_of(w.s), fast, &parts[2]);
    proto_state_root(w.s, &got);
    fold(fast, parts, 3, &want);
    ck_assert(proto_hash_equal(&got, &want));

    /* A change to the vault shows in the next root. */
    vault_add add = {.amount = 5};
    ck_assert_int_eq(deliver(&w, NULL, MSG_VAULT_ADD, &add).status, PROTO_MSG_OK);
    vault_root(vault_of(w.s), fast, &parts[2]);
    proto_state_root(w.s, &got);
    fold(fast, parts, 3, &want);
    ck_assert(proto_hash_equal(&got, &want));

    /* Without the vault, the validator alone: the root PBFT always had. */
    proto_state_module_attach(w.s, VAULT_ID, NULL);
    proto_state_root(w.s, &got);
    fold(fast, parts, 2, &want);
    ck_assert(proto_hash_equal(&got, &want));
    world_clear(&w);
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

/* Lock 10 from account 0 (entry + record tag 1), transfer 0 -> 1 (two
 * entries), add (record tag 2): the revert replays tag 2 while account 0
 * still has its final balance, then the transfer, then tag 1. */
START_TEST(test_undo_records_revert_in_order)
{
    world w;
    world_init(&w, true);
    attach_vault(&w, 0);
    proto_hash before;
    proto_state_root(w.s, &before);
    uint64_t supply = proto_state_total_supply(w.s);

    proto_undo undo;
    proto_undo_init(&undo);
    vault_lock lock = {.account = 0, .amount = 10, .tag = 1};
    ck_assert_int_eq(deliver(&w, &undo, MSG_VAULT_LOCK, &lock).status, PROTO_MSG_OK);
    proto_tx tx = make_tx(&w, 0, 1, 5, 1);
    ck_assert_int_eq(proto_state_apply_tx(w.s, &tx, CHAIN_ID, w.c, &undo), PROTO_TX_OK);
    vault_add add = {.amount = 7, .tag = 2};
    ck_assert_int_eq(deliver(&w, &undo, MSG_VAULT_ADD, &add).status, PROTO_MSG_OK);
    ck_assert_uint_eq(proto_state_account(w.s, 0)->balance, 84);
    ck_assert_uint_eq(vault_of(w.s)->counter, 7);
    ck_assert_uint_eq(vault_of(w.s)->escrow, 10);
    ck_assert_uint_eq(proto_undo_records_count(&undo), 2);
    ck_assert_uint_eq(proto_state_total_supply(w.s), supply);

    proto_state_revert(w.s, &undo);
    ck_assert_uint_eq(restore_count, 2);
    ck_assert_uint_eq(restore_log[0][0], 2);
    ck_assert_uint_eq(restore_log[0][1], 84);
    ck_assert_uint_eq(restore_log[1][0], 1);
    ck_assert_uint_eq(restore_log[1][1], 90);
    ck_assert_uint_eq(proto_state_account(w.s, 0)->balance, 100);
    ck_assert_uint_eq(proto_state_account(w.s, 0)->nonce, 0);
    ck_assert_uint_eq(proto_state_burned(w.s), 0);
    ck_assert_uint_eq(vault_of(w.s)->counter, 0);
    ck_assert_uint_eq(vault_of(w.s)->escrow, 0);
    proto_hash after;
    proto_state_root(w.s, &after);
    ck_assert(proto_hash_equal(&after, &before));
    ck_assert_uint_eq(proto_undo_records_count(&undo), 0);

    /* The log is reusable; clearing a log with records frees them. */
    ck_assert_int_eq(deliver(&w, &undo, MSG_VAULT_ADD, &add).status, PROTO_MSG_OK);
    proto_undo_clear(&undo);
    world_clear(&w);
}
END_TEST

/* A validator operation through the router, reverted by the validator
 * module's snapshot record; PoA-like states (no set) refuse it. */
START_TEST(test_validator_messages_route_and_revert)
{
    world w;
    world_init(&w, true);
    proto_validator_genesis(w.s, genesis_valset());
    proto_hash before;
    proto_state_root(w.s, &before);
    proto_valop op = {.kind = PROTO_VALOP_ROTATE_KEY, .validator = 1, .nonce = 0};
    memset(op.new_key.bytes, 0x77, PROTO_PUBKEY_SIZE);
    proto_undo undo;
    proto_undo_init(&undo);
    proto_gas_meter gas;
    proto_msg_ctx ctx = ctx_for(&w, &gas, &undo, NULL);
    ctx.height = 10;
    proto_msg_result r = proto_state_deliver(w.s, &ctx, proto_validator_msg_type(&op), &op);
    ck_assert_int_eq(r.status, PROTO_MSG_OK);
    ck_assert_ptr_eq(r.module, &proto_validator_module);
    ck_assert_uint_eq(proto_valset_get(proto_validator_set(w.s), 1)->op_nonce, 1);
    /* Replaying it is refused by the module, with its own reason. */
    r = proto_state_deliver(w.s, &ctx, proto_validator_msg_type(&op), &op);
    ck_assert_int_eq(r.status, PROTO_MSG_REFUSED);
    ck_assert_str_eq(proto_msg_result_name(r), "bad_nonce");
    ck_assert_uint_eq(proto_undo_records_count(&undo), 1); /* one snapshot per log */
    proto_state_revert(w.s, &undo);
    proto_hash after;
    proto_state_root(w.s, &after);
    ck_assert(proto_hash_equal(&after, &before));
    ck_assert_uint_eq(proto_valset_get(proto_validator_set(w.s), 1)->op_nonce, 0);
    proto_undo_clear(&undo);

    proto_state *poa = proto_state_new();
    r = proto_state_check_msg(poa, &ctx, PROTO_TXMSG_UNJAIL, &op);
    ck_assert_int_eq(r.status, PROTO_MSG_NO_STATE);
    proto_state_free(poa);
    world_clear(&w);
}
END_TEST

START_TEST(test_copies_are_independent)
{
    world w;
    world_init(&w, true);
    attach_vault(&w, 3);
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
    proto_msg_ctx ctx = ctx_for(&w, &gas, NULL, NULL);
    vault_add add = {.amount = 9};
    ck_assert_int_eq(proto_state_deliver(copy, &ctx, MSG_VAULT_ADD, &add).status, PROTO_MSG_OK);
    ck_assert_uint_eq(vault_of(copy)->counter, 9);
    ck_assert_uint_eq(vault_of(w.s)->counter, 0);
    proto_state_root(copy, &copy_root);
    ck_assert(!proto_hash_equal(&copy_root, &root));
    proto_hash again;
    proto_state_root(w.s, &again);
    ck_assert(proto_hash_equal(&again, &root));
    proto_state_free(copy);
    world_clear(&w);
}
END_TEST

START_TEST(test_router_refusals_named_and_counted)
{
    world w;
    world_init(&w, true);
    proto_msg_stats stats = {0};
    proto_gas_meter gas;
    proto_msg_ctx ctx = ctx_for(&w, &gas, NULL, &stats);
    vault_add add = {.amount = 5};

    proto_msg_result r = proto_state_deliver(w.s, &ctx, MSG_UNKNOWN, &add);
    ck_assert_int_eq(r.status, PROTO_MSG_UNKNOWN_TYPE);
    ck_assert_ptr_null(r.module);
    ck_assert_str_eq(proto_msg_result_name(r), "unknown_type");
    r = proto_state_deliver(w.s, &ctx, MSG_VAULT_ADD, &add); /* vault not attached */
    ck_assert_int_eq(r.status, PROTO_MSG_NO_STATE);
    ck_assert_str_eq(proto_msg_result_name(r), "no_state");

    attach_vault(&w, 0);
    add.amount = 5000;
    r = proto_state_deliver(w.s, &ctx, MSG_VAULT_ADD, &add);
    ck_assert_int_eq(r.status, PROTO_MSG_REFUSED);
    ck_assert_uint_eq(r.code, VAULT_TOO_BIG);
    ck_assert_ptr_eq(r.module, &vault_module);
    ck_assert_str_eq(proto_msg_result_name(r), "too_big");
    ck_assert_uint_eq(vault_of(w.s)->counter, 0);
    add.amount = 5;
    ck_assert_int_eq(proto_state_deliver(w.s, &ctx, MSG_VAULT_ADD, &add).status, PROTO_MSG_OK);
    proto_tx tx = make_tx(&w, 2, 3, 1, 1);
    tx.nonce = 4;
    r = proto_state_deliver(w.s, &ctx, PROTO_TXMSG_TRANSFER, &tx);
    ck_assert_str_eq(proto_msg_result_name(r), "bad_nonce");
    ck_assert_ptr_eq(r.module, &proto_bank_module);

    ck_assert_uint_eq(stats.delivered, 1);
    ck_assert_uint_eq(stats.refused[PROTO_MSG_UNKNOWN_TYPE], 1);
    ck_assert_uint_eq(stats.refused[PROTO_MSG_NO_STATE], 1);
    ck_assert_uint_eq(stats.refused[PROTO_MSG_REFUSED], 2);
    ck_assert_uint_eq(stats.refused[PROTO_MSG_OK], 0);

    /* Check without applying: same answers, state untouched. */
    r = proto_state_check_msg(w.s, &ctx, MSG_UNKNOWN, &add);
    ck_assert_int_eq(r.status, PROTO_MSG_UNKNOWN_TYPE);
    r = proto_state_check_msg(w.s, &ctx, MSG_VAULT_ADD, &add);
    ck_assert_int_eq(r.status, PROTO_MSG_OK);
    ck_assert_uint_eq(vault_of(w.s)->counter, 5);
    ck_assert_str_eq(proto_msg_status_name(PROTO_MSG_REFUSED), "refused");
    world_clear(&w);
}
END_TEST

START_TEST(test_invariants_are_run)
{
    world w;
    world_init(&w, true);
    GString *why = g_string_new(NULL);
    ck_assert(proto_state_invariants(w.s, why)); /* no module state yet */
    attach_vault(&w, 0);
    proto_validator_genesis(w.s, genesis_valset());
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
    world_clear(&w);
}
END_TEST

START_TEST(test_supply_counts_module_tokens)
{
    world w;
    world_init(&w, true);
    ck_assert_uint_eq(proto_state_total_supply(w.s), 400);
    vault_state *v = attach_vault(&w, 50);
    ck_assert_uint_eq(v->genesis_calls, 1); /* the genesis hook ran once */
    ck_assert_uint_eq(proto_state_total_supply(w.s), 450);
    proto_validator_genesis(w.s, genesis_valset());
    ck_assert_uint_eq(proto_state_total_supply(w.s), 3450);
    /* Locking moves tokens from a balance into the vault: supply holds. */
    vault_lock lock = {.account = 2, .amount = 60};
    ck_assert_int_eq(deliver(&w, NULL, MSG_VAULT_LOCK, &lock).status, PROTO_MSG_OK);
    ck_assert_uint_eq(proto_state_account(w.s, 2)->balance, 40);
    ck_assert_uint_eq(vault_of(w.s)->escrow, 110);
    ck_assert_uint_eq(proto_state_total_supply(w.s), 3450);
    /* Slashing moves bonded tokens to burned through the module's API. */
    uint64_t burned = proto_validator_slash_double_sign(w.s, 0, 5, 0, NULL);
    ck_assert_uint_eq(burned, 50);
    ck_assert_uint_eq(proto_state_burned(w.s), 50);
    ck_assert_uint_eq(proto_state_total_supply(w.s), 3450);
    world_clear(&w);
}
END_TEST

/* An empty block built and applied: the hooks run once each, in the
 * block's undo log; a copy of the pre-state accepts the block's root; a
 * refusing hook makes the block invalid and leaves the state as it was. */
START_TEST(test_block_hooks)
{
    world w;
    world_init(&w, true);
    attach_vault(&w, 0);
    proto_state *pre = proto_state_copy(w.s);
    proto_hash pre_root;
    proto_state_root(pre, &pre_root);
    proto_mempool *pool = proto_mempool_new(16);
    proto_block *b = proto_block_new();
    b->header.height = 1;
    b->header.timestamp_ns = 1000;
    proto_undo undo;
    proto_undo_init(&undo);
    ck_assert(proto_exec_build(w.s, pool, 10, CHAIN_ID, w.c, b, &undo, NULL, NULL));
    ck_assert_uint_eq(vault_of(w.s)->begins, 1);
    ck_assert_uint_eq(vault_of(w.s)->ends, 1);
    ck_assert_uint_eq(proto_undo_records_count(&undo), 2);

    ck_assert(proto_exec_apply(pre, b, CHAIN_ID, w.c, NULL, NULL, NULL));
    ck_assert_uint_eq(vault_of(pre)->ends, 1);
    proto_state_revert(w.s, &undo);
    ck_assert_uint_eq(vault_of(w.s)->begins, 0);
    ck_assert_uint_eq(restore_log[0][0], 101); /* end before begin */
    ck_assert_uint_eq(restore_log[1][0], 100);

    ((vault_state *)proto_state_module_mut(w.s, VAULT_ID))->refuse_blocks = true;
    proto_hash refused_before;
    proto_state_root(w.s, &refused_before);
    ck_assert(!proto_exec_apply(w.s, b, CHAIN_ID, w.c, NULL, NULL, NULL));
    proto_hash refused_after;
    proto_state_root(w.s, &refused_after);
    ck_assert(proto_hash_equal(&refused_before, &refused_after));

    proto_undo_clear(&undo);
    proto_block_free(b);
    proto_mempool_free(pool);
    proto_state_free(pre);
    world_clear(&w);
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
    tcase_add_test(tc, test_validator_messages_route_and_revert);
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
