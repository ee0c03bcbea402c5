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
 * The validator module's messages (the envelope's UNJAIL and ROTATE_KEY
 * bodies) are checked against the signer (ctx.sender must be the
 * validator's operator account) and report their effects as events; a
 * block built and applied through proto_exec_env carries the fee
 * figures (gas limit, gas used, base fee) its header is checked by, its
 * tips go to the proposer's fee account and its events are the same
 * whether built or applied.
 *
 * The fake "vault" module keeps a counter and an escrow of tokens taken
 * from accounts. Its restore functions log (tag, account 0's balance at
 * that moment), which pins the order of a revert exactly. */
#include <check.h>
#include <string.h>

#include "protocol/chain/exec.h"
#include "protocol/chain/fee_market.h"
#include "protocol/chain/module.h"
#include "protocol/chain/tx_envelope.h"
#include "protocol/chain/tx_exec.h"
#include "protocol/core/event.h"
#include "protocol/core/fastmix.h"
#include "protocol/modules/bank/bank.h"
#include "protocol/modules/distribution/distribution.h"
#include "protocol/modules/jobs/jobs.h"
#include "protocol/modules/mint/mint_module.h"
#include "protocol/modules/modules.h"
#include "protocol/modules/multisig/multisig.h"
#include "protocol/modules/registry/registry.h"
#include "protocol/modules/staking/staking.h"
#include "protocol/modules/validator/validator.h"
#include "support/tx_fixture.h"

#define CHAIN_ID 42
#define BASE_FEE 1000
#define TIP 3
#define BALANCE 1000000000000ULL /* 1e12: enough for any fee here */
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

/* Four accounts of `balance` each, base fee BASE_FEE (as a genesis sets it). */
static void world_init_with(world *w, bool fast, uint64_t balance)
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
        proto_state_add_account(w->s, &w->keys[i].pk, balance);
    }
    proto_state_set_base_fee(w->s, BASE_FEE, NULL);
}

static void world_init(world *w, bool fast)
{
    world_init_with(w, fast, 100);
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

/* Three validators of 1000 tokens; validator i is operated by account i
 * when i < operators (the others have no operator). */
static proto_valset *genesis_valset_params(const proto_slashing_params *p, uint32_t operators)
{
    proto_pubkey keys[3];
    uint64_t stakes[3] = {1000, 1000, 1000};
    for (uint32_t i = 0; i < 3; i++)
        memset(keys[i].bytes, (int)(0x50 + i), PROTO_PUBKEY_SIZE);
    proto_valset *v = proto_valset_new(p, 3, keys, stakes);
    for (uint32_t i = 0; i < operators; i++)
        proto_valset_set_operator(v, i, i);
    return v;
}

static proto_valset *genesis_valset(void)
{
    proto_slashing_params p = proto_slashing_defaults();
    return genesis_valset_params(&p, 3);
}

static proto_txmsg transfer_msg(uint32_t to, uint64_t amount)
{
    proto_txmsg m = {.type = PROTO_TXMSG_TRANSFER};
    m.transfer.to = to;
    m.transfer.amount = amount;
    return m;
}

static proto_txmsg rotate_msg(uint32_t validator, uint8_t key_byte)
{
    proto_txmsg m = {.type = PROTO_TXMSG_ROTATE_KEY};
    m.rotate_key.validator = validator;
    memset(m.rotate_key.new_key.bytes, key_byte, PROTO_PUBKEY_SIZE);
    return m;
}

static proto_txmsg unjail_msg(uint32_t validator)
{
    proto_txmsg m = {.type = PROTO_TXMSG_UNJAIL};
    m.unjail.validator = validator;
    return m;
}

/* An unmetered context outside a block (gas meter owned by the caller),
 * no signer. */
static proto_msg_ctx ctx_for(world *w, proto_gas_meter *gas, proto_undo *undo,
                             proto_msg_stats *stats)
{
    proto_gas_meter_init(gas, UINT64_MAX);
    return (proto_msg_ctx){.undo = undo, .gas = gas, .crypto = w->c, .chain_id = CHAIN_ID,
                           .sender = PROTO_ACCOUNT_NONE, .stats = stats};
}

static proto_msg_result deliver(world *w, proto_undo *undo, uint8_t type, const void *msg)
{
    proto_gas_meter gas;
    proto_msg_ctx ctx = ctx_for(w, &gas, undo, NULL);
    return proto_state_deliver(w->s, &ctx, type, msg);
}

/* A message signed (as tx_exec would have checked) by account sender. */
static proto_msg_result deliver_as(world *w, proto_undo *undo, uint32_t sender,
                                   const proto_txmsg *m)
{
    proto_gas_meter gas;
    proto_msg_ctx ctx = ctx_for(w, &gas, undo, NULL);
    ctx.sender = sender;
    return proto_state_deliver(w->s, &ctx, m->type, m);
}

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
    ck_assert_uint_eq(set->count, 8);
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
    accounts_root(w.s, fast, &accounts);
    proto_hash got, want;
    proto_state_root(w.s, &got); /* no module state: accounts and base fee */
    fold(fast, &accounts, BASE_FEE, NULL, 0, &want);
    ck_assert(proto_hash_equal(&got, &want));

    attach_vault(&w, 0);
    proto_hash parts[2];
    vault_root(vault_of(w.s), fast, &parts[0]);
    proto_state_root(w.s, &got);
    fold(fast, &accounts, BASE_FEE, parts, 1, &want);
    ck_assert(proto_hash_equal(&got, &want));

    /* The validator module (id 2) comes before the vault (id 9). */
    proto_validator_genesis(w.s, genesis_valset());
    proto_valset_hash(proto_validator_set(w.s), fast, &parts[0]);
    vault_root(vault_of(w.s), fast, &parts[1]);
    proto_state_root(w.s, &got);
    fold(fast, &accounts, BASE_FEE, parts, 2, &want);
    ck_assert(proto_hash_equal(&got, &want));

    /* A change to the vault shows in the next root. */
    vault_add add = {.amount = 5};
    ck_assert_int_eq(deliver(&w, NULL, MSG_VAULT_ADD, &add).status, PROTO_MSG_OK);
    vault_root(vault_of(w.s), fast, &parts[1]);
    proto_state_root(w.s, &got);
    fold(fast, &accounts, BASE_FEE, parts, 2, &want);
    ck_assert(proto_hash_equal(&got, &want));

    /* Without the vault, the validator alone: the root PBFT has. */
    proto_state_module_attach(w.s, VAULT_ID, NULL);
    proto_state_root(w.s, &got);
    fold(fast, &accounts, BASE_FEE, parts, 1, &want);
    ck_assert(proto_hash_equal(&got, &want));

    /* The base fee sits between the accounts and the modules. */
    proto_state_set_base_fee(w.s, 5, NULL);
    proto_state_root(w.s, &got);
    fold(fast, &accounts, 5, parts, 1, &want);
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

/* Lock 10 from account 0 (entry + record tag 1), transfer 5 from 0 to 1
 * (the bank's message with account 0 as the signer: two entries), add
 * (record tag 2): the revert replays tag 2 while account 0 still has its
 * final balance, then the transfer, then tag 1. */
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
    proto_txmsg transfer = transfer_msg(1, 5);
    ck_assert_int_eq(deliver_as(&w, &undo, 0, &transfer).status, PROTO_MSG_OK);
    ck_assert_uint_eq(undo.entries->len, 3);
    vault_add add = {.amount = 7, .tag = 2};
    ck_assert_int_eq(deliver(&w, &undo, MSG_VAULT_ADD, &add).status, PROTO_MSG_OK);
    ck_assert_uint_eq(proto_state_account(w.s, 0)->balance, 85);
    ck_assert_uint_eq(proto_state_account(w.s, 1)->balance, 105);
    ck_assert_uint_eq(vault_of(w.s)->counter, 7);
    ck_assert_uint_eq(vault_of(w.s)->escrow, 10);
    ck_assert_uint_eq(proto_undo_records_count(&undo), 2);
    ck_assert_uint_eq(proto_state_total_supply(w.s), supply);

    proto_state_revert(w.s, &undo);
    ck_assert_uint_eq(restore_count, 2);
    ck_assert_uint_eq(restore_log[0][0], 2);
    ck_assert_uint_eq(restore_log[0][1], 85);
    ck_assert_uint_eq(restore_log[1][0], 1);
    ck_assert_uint_eq(restore_log[1][1], 90);
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
    ck_assert_int_eq(deliver(&w, &undo, MSG_VAULT_ADD, &add).status, PROTO_MSG_OK);
    proto_undo_clear(&undo);
    world_clear(&w);
}
END_TEST

static const proto_event *event_at(GArray *events, guint i)
{
    return &g_array_index(events, proto_event, i);
}

/* A validator operation through the router, signed by the validator's
 * operator, reported as an event, reverted by the validator module's
 * snapshot record; PoA-like states (no set) refuse it. */
START_TEST(test_validator_messages_route_and_revert)
{
    world w;
    world_init(&w, true);
    proto_validator_genesis(w.s, genesis_valset());
    proto_hash before;
    proto_state_root(w.s, &before);
    proto_txmsg op = rotate_msg(1, 0x77);
    proto_undo undo;
    proto_undo_init(&undo);
    GArray *events = g_array_new(FALSE, FALSE, sizeof(proto_event));
    proto_gas_meter gas;
    proto_msg_ctx ctx = ctx_for(&w, &gas, &undo, NULL);
    ctx.height = 10;
    ctx.sender = 1; /* validator 1's operator */
    ctx.events = events;
    proto_msg_result r = proto_state_deliver(w.s, &ctx, op.type, &op);
    ck_assert_int_eq(r.status, PROTO_MSG_OK);
    ck_assert_ptr_eq(r.module, &proto_validator_module);
    const proto_valset *v = proto_validator_set(w.s);
    ck_assert_uint_eq(proto_valset_get(v, 1)->op_nonce, 1);
    ck_assert(proto_pubkey_equal(proto_valset_key_at(v, 1, 12), &op.rotate_key.new_key));
    ck_assert(!proto_pubkey_equal(proto_valset_key_at(v, 1, 11), &op.rotate_key.new_key));
    ck_assert_uint_eq(events->len, 1);
    ck_assert_int_eq(event_at(events, 0)->kind, PROTO_EV_KEY_ROTATED);
    ck_assert_uint_eq(event_at(events, 0)->validator, 1);
    ck_assert_uint_eq(event_at(events, 0)->effective_height, 12);
    /* Replaying it is refused by the module, with its own reason. */
    op.rotate_key.new_key.bytes[0] ^= 1;
    r = proto_state_deliver(w.s, &ctx, op.type, &op);
    ck_assert_int_eq(r.status, PROTO_MSG_REFUSED);
    ck_assert_str_eq(proto_msg_result_name(r), "rotation_pending");
    op.rotate_key.new_key.bytes[0] ^= 1;
    r = proto_state_check_msg(w.s, &ctx, op.type, &op);
    ck_assert_str_eq(proto_msg_result_name(r), "rotation_pending");
    ck_assert_uint_eq(events->len, 1);
    ck_assert_uint_eq(proto_undo_records_count(&undo), 1); /* one snapshot per log */
    proto_state_revert(w.s, &undo);
    proto_hash after;
    proto_state_root(w.s, &after);
    ck_assert(proto_hash_equal(&after, &before));
    ck_assert_uint_eq(proto_valset_get(proto_validator_set(w.s), 1)->op_nonce, 0);
    proto_undo_clear(&undo);

    proto_state *poa = proto_state_new();
    proto_txmsg unjail = unjail_msg(0);
    r = proto_state_check_msg(poa, &ctx, PROTO_TXMSG_UNJAIL, &unjail);
    ck_assert_int_eq(r.status, PROTO_MSG_NO_STATE);
    proto_state_free(poa);
    g_array_unref(events);
    world_clear(&w);
}
END_TEST

/* Only the operator account may operate a validator: another account, a
 * context without a signer (a block hook) and a validator without an
 * operator are refused "not_operator", with nothing changed or reported. */
START_TEST(test_validator_message_not_operator)
{
    world w;
    world_init(&w, true);
    proto_slashing_params p = proto_slashing_defaults();
    proto_validator_genesis(w.s, genesis_valset_params(&p, 2)); /* validator 2: no operator */
    proto_hash before;
    proto_state_root(w.s, &before);
    proto_undo undo;
    proto_undo_init(&undo);
    GArray *events = g_array_new(FALSE, FALSE, sizeof(proto_event));
    proto_gas_meter gas;
    proto_msg_ctx ctx = ctx_for(&w, &gas, &undo, NULL);
    ctx.height = 10;
    ctx.events = events;
    struct {
        proto_txmsg m;
        uint32_t sender;
        const char *want;
    } cases[] = {
        {rotate_msg(1, 0x61), 2, "not_operator"},
        {rotate_msg(1, 0x62), 0, "not_operator"},
        {rotate_msg(1, 0x63), PROTO_ACCOUNT_NONE, "not_operator"},
        {rotate_msg(2, 0x64), 2, "not_operator"},
        {rotate_msg(2, 0x65), 3, "not_operator"},
        {unjail_msg(0), 1, "not_operator"},
        {unjail_msg(0), 0, "not_jailed"}, /* the operator gets the rules' answer */
        {rotate_msg(7, 0x66), 0, "unknown_validator"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        ctx.sender = cases[i].sender;
        proto_msg_result r = proto_state_deliver(w.s, &ctx, cases[i].m.type, &cases[i].m);
        ck_assert_int_eq(r.status, PROTO_MSG_REFUSED);
        ck_assert_ptr_eq(r.module, &proto_validator_module);
        ck_assert_str_eq(proto_msg_result_name(r), cases[i].want);
        r = proto_state_check_msg(w.s, &ctx, cases[i].m.type, &cases[i].m);
        ck_assert_str_eq(proto_msg_result_name(r), cases[i].want);
    }
    ck_assert_uint_eq(events->len, 0);
    ck_assert_uint_eq(proto_undo_records_count(&undo), 0);
    proto_hash after;
    proto_state_root(w.s, &after);
    ck_assert(proto_hash_equal(&after, &before));
    /* The operator's own rotation goes through. */
    ctx.sender = 0;
    proto_txmsg ok = rotate_msg(0, 0x67);
    ck_assert_int_eq(proto_state_deliver(w.s, &ctx, ok.type, &ok).status, PROTO_MSG_OK);
    ck_assert_uint_eq(events->len, 1);
    proto_undo_clear(&undo);
    g_array_unref(events);
    world_clear(&w);
}
END_TEST

/* Validator 0 jailed for downtime at time 500 (window 4, jail 1000 ns):
 * its operator's unjail is refused until the jail time is over, then
 * works and is reported with the height it takes effect. Gas: the
 * message charges proto_validator_op_gas, and refuses when it runs out. */
START_TEST(test_validator_unjail_after_jail_time)
{
    world w;
    world_init(&w, true);
    proto_slashing_params p = proto_slashing_defaults();
    p.downtime.window = 4;
    p.downtime.jail_duration_ns = 1000;
    proto_validator_genesis(w.s, genesis_valset_params(&p, 3));
    bool mask[3] = {false, true, true}; /* validator 0 misses every commit */
    for (uint64_t h = 1; h <= 5; h++)
        proto_validator_record_commit(w.s, h, h + 1, 500, mask, NULL, NULL, NULL);
    const proto_validator *val = proto_valset_get(proto_validator_set(w.s), 0);
    ck_assert(val->jailed);
    ck_assert_int_eq(val->jailed_until_ns, 1500);
    ck_assert_uint_eq(proto_state_burned(w.s), 10); /* 1/100 of 1000 */

    GArray *events = g_array_new(FALSE, FALSE, sizeof(proto_event));
    proto_gas_schedule prices = proto_gas_schedule_default();
    proto_gas_meter gas;
    proto_msg_ctx ctx = ctx_for(&w, &gas, NULL, NULL);
    ctx.events = events;
    ctx.height = 20;
    ctx.sender = 0;
    proto_txmsg m = unjail_msg(0);
    ctx.time_ns = 1499;
    ck_assert_str_eq(proto_msg_result_name(proto_state_deliver(w.s, &ctx, m.type, &m)),
                     "jail_not_over");
    ctx.time_ns = 1500;
    ctx.sender = 1;
    ck_assert_str_eq(proto_msg_result_name(proto_state_deliver(w.s, &ctx, m.type, &m)),
                     "not_operator");
    ctx.sender = 0;
    /* Metered: one gas short refuses, changing nothing. */
    uint64_t op_gas = proto_validator_op_gas(&prices);
    ck_assert_uint_gt(op_gas, 0);
    ctx.gas_prices = &prices;
    proto_gas_meter_init(&gas, op_gas - 1);
    ck_assert_str_eq(proto_msg_result_name(proto_state_deliver(w.s, &ctx, m.type, &m)),
                     "out_of_gas");
    ck_assert(proto_valset_get(proto_validator_set(w.s), 0)->jailed);
    ck_assert_uint_eq(events->len, 0);
    proto_gas_meter_init(&gas, op_gas);
    proto_msg_result r = proto_state_deliver(w.s, &ctx, m.type, &m);
    ck_assert_int_eq(r.status, PROTO_MSG_OK);
    ck_assert_uint_eq(gas.consumed, op_gas);
    val = proto_valset_get(proto_validator_set(w.s), 0);
    ck_assert(!val->jailed);
    ck_assert_uint_eq(val->op_nonce, 1);
    ck_assert_uint_eq(proto_valset_power_at(proto_validator_set(w.s), 0, 21), 0);
    ck_assert_uint_eq(proto_valset_power_at(proto_validator_set(w.s), 0, 22), val->tokens);
    ck_assert_uint_eq(events->len, 1);
    ck_assert_int_eq(event_at(events, 0)->kind, PROTO_EV_UNJAILED);
    ck_assert_uint_eq(event_at(events, 0)->validator, 0);
    ck_assert_uint_eq(event_at(events, 0)->effective_height, 22);
    /* Once out, again is refused. */
    ctx.gas_prices = NULL;
    ck_assert_str_eq(proto_msg_result_name(proto_state_deliver(w.s, &ctx, m.type, &m)),
                     "not_jailed");
    g_array_unref(events);
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
    proto_txmsg transfer = transfer_msg(3, 101); /* more than account 2 holds */
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

/* The rules of these chains: validators' tips to fee_accounts. */
static proto_chain_rules rules_for(const uint32_t *fee_accounts, uint32_t validators)
{
    return txfix_rules(CHAIN_ID, TXFIX_BLOCK_GAS_LIMIT, BASE_FEE, fee_accounts, validators);
}

/* An empty block built and applied: the hooks run once each, in the
 * block's undo log; the header carries the chain's gas limit and the
 * state's base fee, the state ends with the next base fee; a copy of the
 * pre-state accepts the block's root; a refusing hook makes the block
 * invalid and leaves the state as it was. */
START_TEST(test_block_hooks)
{
    world w;
    world_init(&w, true);
    attach_vault(&w, 0);
    static const uint32_t fee_accounts[] = {3};
    proto_chain_rules rules = rules_for(fee_accounts, 1);
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
    ck_assert_uint_eq(b->header.base_fee, BASE_FEE);
    ck_assert_uint_eq(b->header.gas_used, 0);
    /* An empty block lowers the base fee by 1/8 (fee_market.h). */
    uint64_t next = proto_fee_next_base_fee(&rules.fees, 0, TXFIX_BLOCK_GAS_LIMIT, BASE_FEE);
    ck_assert_uint_eq(next, BASE_FEE - BASE_FEE / 8);
    ck_assert_uint_eq(proto_state_base_fee(w.s), next);

    ck_assert(proto_exec_apply(pre, b, &env, NULL));
    ck_assert_uint_eq(vault_of(pre)->ends, 1);
    ck_assert_uint_eq(proto_state_base_fee(pre), next);
    proto_state_revert(w.s, &undo);
    ck_assert_uint_eq(vault_of(w.s)->begins, 0);
    ck_assert_uint_eq(restore_log[0][0], 101); /* end before begin */
    ck_assert_uint_eq(restore_log[1][0], 100);
    ck_assert_uint_eq(proto_state_base_fee(w.s), BASE_FEE);
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
    world_clear(&w);
}
END_TEST

static const txfix_fees FEES = {.max_fee_per_gas = 2 * BASE_FEE, .max_priority_fee_per_gas = TIP};

/* A PBFT-like chain: the set (validator i operated by account i), 1e12
 * per account, proposer 1 whose tips go to account 2. The pool holds a
 * transfer, a key rotation by validator 1's operator, and an unjail by
 * an account that does not operate validator 2 (its message fails; the
 * transaction is still included and pays). */
typedef struct chain_fixture {
    world w;
    uint32_t fee_accounts[3];
    proto_chain_rules rules;
    proto_txpool *pool;
    proto_txenv txs[3];
} chain_fixture;

static void chain_init(chain_fixture *f)
{
    world_init_with(&f->w, true, BALANCE);
    proto_validator_genesis(f->w.s, genesis_valset());
    f->fee_accounts[0] = 3;
    f->fee_accounts[1] = 2;
    f->fee_accounts[2] = 3;
    f->rules = rules_for(f->fee_accounts, 3);
    f->pool = proto_exec_txpool_new(16);
    proto_crypto *c = f->w.c;
    proto_pubkey fresh;
    memset(fresh.bytes, 0x7A, sizeof fresh.bytes);
    f->txs[0] = txfix_transfer(c, CHAIN_ID, &f->w.keys[0], 0, 1, 500, FEES);
    f->txs[1] = txfix_rotate(c, CHAIN_ID, &f->w.keys[1], 0, 1, &fresh, FEES);
    f->txs[2] = txfix_unjail(c, CHAIN_ID, &f->w.keys[0], 1, 2, FEES);
    for (int i = 0; i < 3; i++) {
        proto_hash id;
        ck_assert_int_eq(proto_exec_admit_tx(f->w.s, f->pool, &f->rules, c, &f->txs[i], &id, NULL),
                         PROTO_REJECT_NONE);
    }
    ck_assert_uint_eq(proto_txpool_count(f->pool), 3);
}

static void chain_clear(chain_fixture *f)
{
    proto_txpool_free(f->pool);
    world_clear(&f->w);
}

/* A block with transactions through proto_exec_env: built and applied
 * alike (root, events), fees settled to the proposer's fee account and
 * burned, the base fee moved, the validator operation reported with its
 * effective height; the failed message's event is not. */
START_TEST(test_block_with_transactions)
{
    chain_fixture f;
    chain_init(&f);
    proto_state *pre = proto_state_copy(f.w.s);
    uint64_t supply = proto_state_total_supply(f.w.s);
    GArray *built_events = g_array_new(FALSE, FALSE, sizeof(proto_event));
    proto_exec_env env = {.rules = &f.rules, .crypto = f.w.c, .events = built_events};
    proto_block *b = proto_block_new();
    b->header.height = 5;
    b->header.timestamp_ns = 7000;
    b->header.proposer = 1;
    proto_undo undo;
    proto_undo_init(&undo);
    ck_assert(proto_exec_build(f.w.s, f.pool, 10, &env, b, &undo));
    ck_assert_uint_eq(b->txs->len, 3);
    ck_assert_uint_eq(b->header.tx_count, 3);

    uint64_t gas = 0;
    for (int i = 0; i < 3; i++)
        gas += f.txs[i].gas_limit; /* txfix gives each exactly what it uses */
    ck_assert_uint_eq(b->header.gas_used, gas);
    ck_assert_uint_eq(b->header.base_fee, BASE_FEE);
    ck_assert_uint_eq(b->header.gas_limit, TXFIX_BLOCK_GAS_LIMIT);
    ck_assert_uint_eq(proto_state_burned(f.w.s), gas * BASE_FEE);
    ck_assert_uint_eq(proto_state_account(f.w.s, 2)->balance, BALANCE + gas * TIP);
    ck_assert_uint_eq(proto_state_account(f.w.s, 1)->balance,
                      BALANCE + 500 - f.txs[1].gas_limit * (BASE_FEE + TIP));
    ck_assert_uint_eq(proto_state_account(f.w.s, 0)->balance,
                      BALANCE - 500 - (f.txs[0].gas_limit + f.txs[2].gas_limit) *
                                          (BASE_FEE + TIP));
    ck_assert_uint_eq(proto_state_account(f.w.s, 0)->nonce, 2);
    ck_assert_uint_eq(proto_state_total_supply(f.w.s), supply);
    ck_assert_uint_eq(proto_state_base_fee(f.w.s),
                      proto_fee_next_base_fee(&f.rules.fees, gas, TXFIX_BLOCK_GAS_LIMIT,
                                              BASE_FEE));
    ck_assert(proto_valset_get(proto_validator_set(f.w.s), 1)->op_nonce == 1);
    ck_assert_uint_eq(built_events->len, 1);
    ck_assert_int_eq(event_at(built_events, 0)->kind, PROTO_EV_KEY_ROTATED);
    ck_assert_uint_eq(event_at(built_events, 0)->validator, 1);
    ck_assert_uint_eq(event_at(built_events, 0)->effective_height, 7);

    /* Applied elsewhere: the same root and the same events. */
    GArray *applied_events = g_array_new(FALSE, FALSE, sizeof(proto_event));
    proto_exec_env env2 = {.rules = &f.rules, .crypto = f.w.c, .events = applied_events};
    ck_assert(proto_exec_apply(pre, b, &env2, NULL));
    proto_hash r1, r2;
    proto_state_root(f.w.s, &r1);
    proto_state_root(pre, &r2);
    ck_assert(proto_hash_equal(&r1, &r2));
    ck_assert(proto_hash_equal(&r1, &b->header.state_root));
    ck_assert_uint_eq(applied_events->len, built_events->len);
    ck_assert_int_eq(memcmp(applied_events->data, built_events->data,
                            built_events->len * sizeof(proto_event)),
                     0);

    /* The builder's log reverts the whole block, base fee included. */
    proto_state_revert(f.w.s, &undo);
    ck_assert_uint_eq(proto_state_base_fee(f.w.s), BASE_FEE);
    ck_assert_uint_eq(proto_state_burned(f.w.s), 0);
    ck_assert_uint_eq(proto_valset_get(proto_validator_set(f.w.s), 1)->op_nonce, 0);
    ck_assert_uint_eq(proto_state_account(f.w.s, 0)->nonce, 0);
    proto_undo_clear(&undo);
    g_array_unref(applied_events);
    g_array_unref(built_events);
    proto_block_free(b);
    proto_state_free(pre);
    chain_clear(&f);
}
END_TEST

/* Two transactions under one block's undo log: the first changes the
 * bonded set (so the set's undo snapshot is taken there), the second
 * rotates another validator's key and then fails a transfer. Its messages
 * are reverted, the rotation with them: the snapshot is taken again inside
 * the failing transaction's scope (module.h proto_undo_scope_open), so the
 * revert to its mark reaches the rotation. */
START_TEST(test_failed_transaction_reverts_set_changes_after_a_snapshot)
{
    chain_fixture f;
    chain_init(&f);
    proto_crypto *c = f.w.c;
    proto_undo undo;
    proto_undo_init(&undo);
    proto_gas_meter block_gas;
    proto_gas_meter_init(&block_gas, UINT64_MAX);
    proto_msg_ctx ctx = {.undo = &undo, .gas = &block_gas, .crypto = c, .chain_id = CHAIN_ID,
                         .height = 5, .time_ns = 7000, .sender = PROTO_ACCOUNT_NONE};
    proto_tx_receipt r;
    ck_assert_int_eq(proto_tx_exec(f.w.s, &ctx, &f.rules, &f.txs[1],
                                   proto_txenv_wire_size(&f.txs[1]), BASE_FEE, UINT64_MAX,
                                   2, &r),
                     PROTO_TX_EXEC_OK);
    ck_assert(r.messages_ok);
    ck_assert_uint_eq(proto_valset_get(proto_validator_set(f.w.s), 1)->op_nonce, 1);

    /* Account 0 operates validator 0: rotate it, then move more than it has. */
    proto_txenv tx = {.chain_id = CHAIN_ID, .sender = f.w.keys[0].pk, .nonce = 0,
                      .max_fee_per_gas = FEES.max_fee_per_gas,
                      .max_priority_fee_per_gas = FEES.max_priority_fee_per_gas,
                      .message_count = 2};
    tx.messages[0] = rotate_msg(0, 0x6B);
    tx.messages[1] = transfer_msg(3, BALANCE * 2);
    tx.gas_limit = txfix_gas(&tx) + 1000; /* room: the failure is the funds, not gas */
    proto_txenv_sign(&tx, c, &f.w.keys[0]);
    ck_assert_int_eq(proto_tx_exec(f.w.s, &ctx, &f.rules, &tx, proto_txenv_wire_size(&tx),
                                   BASE_FEE, UINT64_MAX, 2, &r),
                     PROTO_TX_EXEC_OK);
    ck_assert(!r.messages_ok);
    ck_assert_uint_eq(r.failed_message, 1);
    ck_assert(!r.out_of_gas);
    ck_assert_str_eq(proto_msg_result_name(r.failure), "no_funds");
    const proto_valset *vs = proto_validator_set(f.w.s);
    ck_assert_uint_eq(proto_valset_get(vs, 0)->op_nonce, 0);
    ck_assert_uint_eq(proto_valset_get(vs, 1)->op_nonce, 1); /* the first tx's stays */
    proto_pubkey old;
    memset(old.bytes, 0x50, sizeof old.bytes);
    ck_assert(proto_pubkey_equal(proto_valset_key_at(vs, 0, UINT64_MAX), &old));
    ck_assert_uint_eq(proto_state_account(f.w.s, 0)->nonce, 1); /* the fee was paid */

    /* And the whole log still reverts both. */
    proto_state_revert(f.w.s, &undo);
    ck_assert_uint_eq(proto_valset_get(proto_validator_set(f.w.s), 1)->op_nonce, 0);
    proto_undo_clear(&undo);
    chain_clear(&f);
}
END_TEST

/* What apply checks: the header's gas limit, base fee and gas used, the
 * proposer, every transaction includable. Each failure leaves the state
 * and the events as they were. */
START_TEST(test_block_header_fee_fields_checked)
{
    chain_fixture f;
    chain_init(&f);
    proto_state *pre = proto_state_copy(f.w.s);
    proto_hash pre_root;
    proto_state_root(pre, &pre_root);
    proto_exec_env env = {.rules = &f.rules, .crypto = f.w.c};
    proto_block *b = proto_block_new();
    b->header.height = 5;
    b->header.proposer = 1;
    proto_undo undo;
    proto_undo_init(&undo);
    ck_assert(proto_exec_build(f.w.s, f.pool, 10, &env, b, &undo));
    proto_undo_clear(&undo);

    GArray *events = g_array_new(FALSE, FALSE, sizeof(proto_event));
    proto_event sentinel = {.kind = PROTO_EV_SLASHED, .validator = 9};
    g_array_append_val(events, sentinel);
    proto_exec_env env2 = {.rules = &f.rules, .crypto = f.w.c, .events = events};
    proto_block_header good = b->header;
    for (int which = 0; which < 6; which++) {
        b->header = good;
        switch (which) {
        case 0:
            b->header.base_fee++;
            break;
        case 1:
            b->header.gas_limit--;
            break;
        case 2:
            b->header.gas_used++;
            break;
        case 3:
            b->header.gas_used--;
            break;
        case 4:
            b->header.proposer = 3; /* no such validator */
            break;
        default:
            b->header.state_root.bytes[0] ^= 1;
            break;
        }
        ck_assert_msg(!proto_exec_apply(pre, b, &env2, NULL), "case %d", which);
        proto_hash now;
        proto_state_root(pre, &now);
        ck_assert(proto_hash_equal(&now, &pre_root));
        ck_assert_uint_eq(events->len, 1);
        ck_assert_uint_eq(event_at(events, 0)->validator, 9);
    }
    /* A block carrying a transaction that cannot be in it: a replay. */
    b->header = good;
    proto_txenv replay = g_array_index(b->txs, proto_txenv, 0);
    g_array_append_val(b->txs, replay);
    ck_assert(!proto_exec_apply(pre, b, &env2, NULL));
    g_array_set_size(b->txs, 3);
    proto_hash now;
    proto_state_root(pre, &now);
    ck_assert(proto_hash_equal(&now, &pre_root));
    ck_assert_uint_eq(events->len, 1);
    /* The block as built applies; its event follows the sentinel. */
    ck_assert(proto_exec_apply(pre, b, &env2, NULL));
    ck_assert_uint_eq(events->len, 2);
    ck_assert_int_eq(event_at(events, 1)->kind, PROTO_EV_KEY_ROTATED);
    /* The next block must carry the base fee this one left in the state. */
    proto_block *next = proto_block_new();
    next->header.height = 6;
    next->header.proposer = 0;
    proto_undo_init(&undo);
    proto_state *pre2 = proto_state_copy(pre);
    proto_state *pre3 = proto_state_copy(pre);
    ck_assert(proto_exec_build(pre, f.pool, 10, &env, next, &undo));
    uint64_t want_fee =
        proto_fee_next_base_fee(&f.rules.fees, good.gas_used, good.gas_limit, good.base_fee);
    ck_assert_uint_ne(want_fee, BASE_FEE);
    ck_assert_uint_eq(next->header.base_fee, want_fee);
    ck_assert_uint_eq(next->txs->len, 0); /* the pool's are stale now */
    ck_assert(proto_exec_apply(pre2, next, &env, NULL));
    /* One that claims the parent's base fee instead is refused. */
    next->header.base_fee = BASE_FEE;
    ck_assert(!proto_exec_apply(pre3, next, &env, NULL));
    proto_hash r3;
    proto_hash r_pre;
    proto_state_root(pre3, &r3);
    proto_state_root(pre2, &r_pre); /* pre2 went on; pre3 must not have */
    ck_assert(!proto_hash_equal(&r3, &r_pre));
    ck_assert_uint_eq(proto_state_base_fee(pre3), want_fee);
    proto_undo_clear(&undo);
    proto_state_free(pre3);
    proto_state_free(pre2);
    proto_block_free(next);
    g_array_unref(events);
    proto_block_free(b);
    proto_state_free(pre);
    chain_clear(&f);
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
    tcase_add_test(tc, test_validator_message_not_operator);
    tcase_add_test(tc, test_validator_unjail_after_jail_time);
    tcase_add_test(tc, test_copies_are_independent);
    tcase_add_test(tc, test_router_refusals_named_and_counted);
    tcase_add_test(tc, test_invariants_are_run);
    tcase_add_test(tc, test_supply_counts_module_tokens);
    tcase_add_test(tc, test_block_hooks);
    tcase_add_test(tc, test_block_with_transactions);
    tcase_add_test(tc, test_failed_transaction_reverts_set_changes_after_a_snapshot);
    tcase_add_test(tc, test_block_header_fee_fields_checked);
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
