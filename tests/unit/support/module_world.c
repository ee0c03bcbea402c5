/* The module core tests' fake module and world (module_world.h). */
#include "support/module_world.h"

#include <check.h>
#include <string.h>

#include "protocol/core/codec.h"
#include "protocol/core/fastmix.h"
#include "protocol/modules/bank/bank.h"

/* ---- the fake module ---- */

uint64_t vault_restore_log[32][2];
uint32_t vault_restore_count;

static void *vault_copy(const void *state)
{
    return g_memdup2(state, sizeof(vault_state));
}

static void vault_free(void *state)
{
    g_free(state);
}

void vault_root(const void *state, bool fast, proto_hash *out)
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
    ck_assert_uint_lt(vault_restore_count, 32);
    vault_restore_log[vault_restore_count][0] = r->u64[0] >> 8;
    vault_restore_log[vault_restore_count][1] = proto_state_account(s, 0)->balance;
    vault_restore_count++;
}

static void vault_record(const proto_msg_ctx *ctx, uint64_t field, uint64_t old, uint64_t tag)
{
    proto_undo_record r = {
        .module_id = VAULT_ID, .restore = vault_restore, .u64 = {field | (tag << 8), old}};
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
    {.type = VAULT_MSG_ADD, .name = "add", .check = vault_check_add, .deliver = vault_deliver_add},
    {.type = VAULT_MSG_LOCK, .name = "lock", .deliver = vault_deliver_lock},
};

const proto_module vault_module = {
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
static const proto_module_set modw_modules = {test_modules, G_N_ELEMENTS(test_modules)};

/* ---- the world ---- */

void modw_init_with(modw_world *w, bool fast, uint64_t balance)
{
    proto_crypto_global_init();
    vault_restore_count = 0;
    w->c = proto_crypto_new(fast ? PROTO_CRYPTO_FAST : PROTO_CRYPTO_REAL, 1024);
    w->s = proto_state_new_with_modules(&modw_modules);
    proto_state_set_fast_hash(w->s, fast);
    for (uint32_t i = 0; i < 4; i++) {
        char label[32];
        g_snprintf(label, sizeof label, "module/%u", i);
        proto_keypair_derive(&w->keys[i], 9, label);
        proto_state_add_account(w->s, &w->keys[i].pk, balance);
    }
    proto_state_set_base_fee(w->s, MODW_BASE_FEE, NULL);
}

void modw_init(modw_world *w, bool fast)
{
    modw_init_with(w, fast, 100);
}

void modw_clear(modw_world *w)
{
    proto_state_free(w->s);
    proto_crypto_free(w->c);
}

vault_state *vault_attach(modw_world *w, uint64_t escrow)
{
    vault_state *v = g_new0(vault_state, 1);
    v->escrow = escrow;
    proto_state_module_attach(w->s, VAULT_ID, v);
    return v;
}

const vault_state *vault_of(const proto_state *s)
{
    return proto_state_module(s, VAULT_ID);
}

proto_valset *modw_valset_params(const proto_slashing_params *p, uint32_t operators)
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

proto_valset *modw_valset(void)
{
    proto_slashing_params p = proto_slashing_defaults();
    return modw_valset_params(&p, 3);
}

proto_txmsg modw_transfer(uint32_t to, uint64_t amount)
{
    proto_txmsg m = {.type = PROTO_TXMSG_TRANSFER};
    m.transfer.to = to;
    m.transfer.amount = amount;
    return m;
}

proto_txmsg modw_rotate(uint32_t validator, uint8_t key_byte)
{
    proto_txmsg m = {.type = PROTO_TXMSG_ROTATE_KEY};
    m.rotate_key.validator = validator;
    memset(m.rotate_key.new_key.bytes, key_byte, PROTO_PUBKEY_SIZE);
    return m;
}

proto_txmsg modw_unjail(uint32_t validator)
{
    proto_txmsg m = {.type = PROTO_TXMSG_UNJAIL};
    m.unjail.validator = validator;
    return m;
}

proto_msg_ctx modw_ctx(modw_world *w, proto_gas_meter *gas, proto_undo *undo,
                       proto_msg_stats *stats)
{
    proto_gas_meter_init(gas, UINT64_MAX);
    return (proto_msg_ctx){.undo = undo,
                           .gas = gas,
                           .crypto = w->c,
                           .chain_id = MODW_CHAIN_ID,
                           .sender = PROTO_ACCOUNT_NONE,
                           .stats = stats};
}

proto_msg_result modw_deliver(modw_world *w, proto_undo *undo, uint8_t type, const void *msg)
{
    proto_gas_meter gas;
    proto_msg_ctx ctx = modw_ctx(w, &gas, undo, NULL);
    return proto_state_deliver(w->s, &ctx, type, msg);
}

proto_msg_result modw_deliver_as(modw_world *w, proto_undo *undo, uint32_t sender,
                                 const proto_txmsg *m)
{
    proto_gas_meter gas;
    proto_msg_ctx ctx = modw_ctx(w, &gas, undo, NULL);
    ctx.sender = sender;
    return proto_state_deliver(w->s, &ctx, m->type, m);
}

const proto_event *modw_event(GArray *events, guint i)
{
    return &g_array_index(events, proto_event, i);
}

proto_chain_rules modw_rules(const uint32_t *fee_accounts, uint32_t validators)
{
    return txfix_rules(MODW_CHAIN_ID, TXFIX_BLOCK_GAS_LIMIT, MODW_BASE_FEE, fee_accounts,
                       validators);
}

/* ---- a chain with transactions ---- */

const txfix_fees MODW_FEES = {.max_fee_per_gas = 2 * MODW_BASE_FEE,
                              .max_priority_fee_per_gas = MODW_TIP};

void modw_chain_init(modw_chain *f)
{
    modw_init_with(&f->w, true, MODW_BALANCE);
    proto_validator_genesis(f->w.s, modw_valset());
    f->fee_accounts[0] = 3;
    f->fee_accounts[1] = 2;
    f->fee_accounts[2] = 3;
    f->rules = modw_rules(f->fee_accounts, 3);
    f->pool = proto_exec_txpool_new(16);
    proto_crypto *c = f->w.c;
    proto_pubkey fresh;
    memset(fresh.bytes, 0x7A, sizeof fresh.bytes);
    f->txs[0] = txfix_transfer(c, MODW_CHAIN_ID, &f->w.keys[0], 0, 1, 500, MODW_FEES);
    f->txs[1] = txfix_rotate(c, MODW_CHAIN_ID, &f->w.keys[1], 0, 1, &fresh, MODW_FEES);
    f->txs[2] = txfix_unjail(c, MODW_CHAIN_ID, &f->w.keys[0], 1, 2, MODW_FEES);
    for (int i = 0; i < 3; i++) {
        proto_hash id;
        ck_assert_int_eq(proto_exec_admit_tx(f->w.s, f->pool, &f->rules, c, &f->txs[i], &id, NULL),
                         PROTO_REJECT_NONE);
    }
    ck_assert_uint_eq(proto_txpool_count(f->pool), 3);
}

void modw_chain_clear(modw_chain *f)
{
    proto_txpool_free(f->pool);
    modw_clear(&f->w);
}
